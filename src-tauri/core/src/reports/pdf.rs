//! The report as a PDF (krilla): company header, every field, the parts
//! table, the signature as vector strokes, signer and time, and a footer with
//! the report id, the seal hash and how to verify. Fonts are embedded and
//! subset by krilla; text stays selectable. Long text wraps across pages.

use std::sync::{Arc, LazyLock};

use krilla::color::rgb;
use krilla::embed::{AssociationKind, EmbeddedFile, MimeType};
use krilla::geom::{PathBuilder, Point};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, LineCap, LineJoin, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use krilla::Document;
use serde::Deserialize;
use ts_rs::TS;
use uuid::Uuid;

use super::sealed_pdf::{key_fingerprint, SealBlock, SEAL_FILE};
use super::store::read_report;
use super::{ReportError, ServiceReport};
use crate::db::Db;

// DejaVu Sans (Latin, Greek, Cyrillic and more: customer names in any of
// them), carried deflated by build.rs and inflated on the first report.
static REGULAR: LazyLock<Option<Font>> =
    LazyLock::new(|| font(include_bytes!(concat!(env!("OUT_DIR"), "/DejaVuSans.ttf.deflate"))));
static BOLD: LazyLock<Option<Font>> =
    LazyLock::new(|| font(include_bytes!(concat!(env!("OUT_DIR"), "/DejaVuSans-Bold.ttf.deflate"))));

fn font(deflated: &[u8]) -> Option<Font> {
    use std::io::Read;
    let mut bytes = Vec::with_capacity(deflated.len() * 2);
    flate2::read::DeflateDecoder::new(deflated).read_to_end(&mut bytes).ok()?;
    Font::new(Arc::new(bytes).into(), 0)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Paper {
    A4,
    Letter,
}

impl Paper {
    fn size(self) -> (f32, f32) {
        match self {
            Paper::A4 => (595.0, 842.0),
            Paper::Letter => (612.0, 792.0),
        }
    }
}

const MARGIN: f32 = 48.0;
const BODY: f32 = 10.0;
const LINE: f32 = 14.0;

/// Lays text out top to bottom, starting new pages as needed.
struct Layout {
    document: Document,
    pages: Vec<Vec<Op>>,
    y: f32,
    width: f32,
    height: f32,
}

enum Op {
    Text { x: f32, y: f32, size: f32, bold: bool, text: String, gray: bool },
    Line { x1: f32, y1: f32, x2: f32, y2: f32 },
    Strokes { x: f32, y: f32, w: f32, h: f32, strokes: Vec<Vec<(f32, f32, f32)>> },
}

impl Layout {
    fn new(paper: Paper) -> Self {
        let (width, height) = paper.size();
        Layout { document: Document::new(), pages: vec![Vec::new()], y: MARGIN, width, height }
    }

    fn room(&mut self, needed: f32) {
        if self.y + needed > self.height - MARGIN - 40.0 {
            self.pages.push(Vec::new());
            self.y = MARGIN;
        }
    }

    fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    fn text(&mut self, text: &str, size: f32, bold: bool) {
        let columns = ((self.width - 2.0 * MARGIN) / (size * 0.56)).max(10.0) as usize;
        for line in wrap(text, columns) {
            self.room(size * 1.4);
            self.y += size * 1.4;
            self.push(Op::Text { x: MARGIN, y: self.y, size, bold, text: line, gray: false });
        }
    }

    fn label_value(&mut self, label: &str, value: &str) {
        if value.trim().is_empty() {
            return;
        }
        self.room(LINE * 2.0);
        self.y += LINE;
        self.push(Op::Text { x: MARGIN, y: self.y, size: 8.0, bold: true, text: label.to_uppercase(), gray: true });
        self.text(value, BODY, false);
        self.y += 4.0;
    }

    fn rule(&mut self) {
        self.y += 8.0;
        self.push(Op::Line { x1: MARGIN, y1: self.y, x2: self.width - MARGIN, y2: self.y });
        self.y += 4.0;
    }

    fn finish(mut self, footer: &str, seal: Option<&SealBlock>) -> Result<Vec<u8>, ReportError> {
        if let Some(seal) = seal {
            // Uncompressed, so the signature's placeholder can be found and filled in.
            self.document.embed_file(EmbeddedFile {
                path: SEAL_FILE.into(),
                mime_type: MimeType::new("application/json"),
                description: Some("Fieldkit seal: the signed report content, its signature and the public key".into()),
                association_kind: AssociationKind::Data,
                data: seal.to_bytes().into(),
                modification_date: None,
                compress: Some(false),
                location: None,
            });
        }
        let regular = REGULAR.clone().ok_or_else(|| ReportError::Render("the embedded font cannot be read".into()))?;
        let bold = BOLD.clone().unwrap_or_else(|| regular.clone());
        let count = self.pages.len();
        let (width, height) = (self.width, self.height);
        for (index, ops) in std::mem::take(&mut self.pages).into_iter().enumerate() {
            let settings =
                PageSettings::from_wh(width, height).ok_or_else(|| ReportError::Render("page size".into()))?;
            let mut page = self.document.start_page_with(settings);
            let mut surface = page.surface();
            for op in ops {
                draw(&mut surface, &op, &regular, &bold);
            }
            let footer_line = format!("{footer}   ·   page {} of {count}", index + 1);
            let columns = ((width - 2.0 * MARGIN) / (7.0 * 0.56)) as usize;
            for (line_index, line) in wrap(&footer_line, columns).into_iter().enumerate() {
                let op = Op::Text {
                    x: MARGIN,
                    y: height - MARGIN + 4.0 + line_index as f32 * 9.0,
                    size: 7.0,
                    bold: false,
                    text: line,
                    gray: true,
                };
                draw(&mut surface, &op, &regular, &bold);
            }
            surface.finish();
            page.finish();
        }
        self.document.finish().map_err(|error| ReportError::Render(format!("{error:?}")))
    }
}

fn draw(surface: &mut Surface<'_>, op: &Op, regular: &Font, bold: &Font) {
    match op {
        Op::Text { x, y, size, bold: is_bold, text, gray } => {
            let shade = if *gray { 90 } else { 20 };
            surface.set_fill(Some(Fill {
                paint: rgb::Color::new(shade, shade, shade).into(),
                opacity: NormalizedF32::ONE,
                rule: Default::default(),
            }));
            surface.draw_text(
                Point::from_xy(*x, *y),
                if *is_bold { bold.clone() } else { regular.clone() },
                *size,
                text,
                false,
                TextDirection::Auto,
            );
        }
        Op::Line { x1, y1, x2, y2 } => {
            let mut path = PathBuilder::new();
            path.move_to(*x1, *y1);
            path.line_to(*x2, *y2);
            if let Some(path) = path.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke {
                    paint: rgb::Color::new(180, 180, 180).into(),
                    width: 0.75,
                    ..Default::default()
                }));
                surface.draw_path(&path);
                surface.set_stroke(None);
            }
        }
        Op::Strokes { x, y, w, h, strokes } => {
            surface.set_fill(None);
            for stroke in strokes {
                let mut path = PathBuilder::new();
                let mut pressure = 0.0;
                for (index, (px, py, p)) in stroke.iter().enumerate() {
                    let (sx, sy) = (x + px * w, y + py * h);
                    if index == 0 {
                        path.move_to(sx, sy);
                    } else {
                        path.line_to(sx, sy);
                    }
                    pressure += p;
                }
                let average = pressure / stroke.len().max(1) as f32;
                if let Some(path) = path.finish() {
                    surface.set_stroke(Some(Stroke {
                        paint: rgb::Color::new(10, 30, 90).into(),
                        width: 1.0 + 1.5 * average,
                        line_cap: LineCap::Round,
                        line_join: LineJoin::Round,
                        ..Default::default()
                    }));
                    surface.draw_path(&path);
                }
            }
            surface.set_stroke(None);
        }
    }
}

/// Lines of at most `columns` characters, breaking at spaces where possible.
fn wrap(text: &str, columns: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.replace('\r', "").split('\n') {
        let mut line = String::new();
        for word in paragraph.split(' ') {
            let mut word = word.to_string();
            while word.chars().count() > columns {
                let head: String = word.chars().take(columns).collect();
                word = word.chars().skip(columns).collect();
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                lines.push(head);
            }
            if line.chars().count() + word.chars().count() + 1 > columns && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&word);
        }
        lines.push(line);
    }
    lines
}

fn when(time: Option<chrono::DateTime<chrono::Utc>>) -> String {
    time.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string()).unwrap_or_default()
}

/// The PDF of report `id` for `company` (Settings), A4 or US Letter, as a
/// preview: a sealed report's PDF to keep or send is [`super::export_pdf`]'s.
pub fn render_pdf(db: &Db, id: Uuid, company: &str, paper: Paper) -> Result<Vec<u8>, ReportError> {
    let report = db.read(|connection| read_report(connection, id))?;
    render(&report, company, paper, None)
}

/// Renders the PDF; with `seal`, the seal block is embedded (still to be
/// signed by [`super::sealed_pdf::sign_pdf`]).
pub(crate) fn render(
    report: &ServiceReport,
    company: &str,
    paper: Paper,
    seal: Option<&SealBlock>,
) -> Result<Vec<u8>, ReportError> {
    let mut layout = Layout::new(paper);
    layout.text(if company.is_empty() { "Fieldkit" } else { company }, 16.0, true);
    layout.text(&format!("OnSite Service Report · {} · {}", report.ticket_number, report.ticket_title), 11.0, false);
    layout.rule();
    layout.label_value("Customer", &report.customer_name);
    layout.label_value("Site", &report.site_text);
    layout.label_value("Contact", &report.contact_text);
    layout.label_value("Technician", &report.technician_name);
    if report.arrival_window_start.is_some() {
        layout.label_value(
            "Arrival window",
            &format!("{} – {}", when(report.arrival_window_start), when(report.arrival_window_end)),
        );
    }
    layout.label_value("Arrived", &when(report.arrived_at));
    layout.label_value("Departed", &when(report.departed_at));
    layout.label_value("Work performed", &report.work_performed);
    layout.label_value("Findings", &report.findings);
    layout.label_value("Recommendations", &report.recommendations);
    if !report.parts.is_empty() {
        layout.room(LINE * 3.0);
        layout.y += LINE;
        layout.push(Op::Text {
            x: MARGIN,
            y: layout.y,
            size: 8.0,
            bold: true,
            text: "PARTS AND MATERIALS".into(),
            gray: true,
        });
        for part in &report.parts {
            layout.room(LINE);
            layout.y += LINE;
            layout.push(Op::Text {
                x: MARGIN,
                y: layout.y,
                size: BODY,
                bold: false,
                text: format!("{:>5} ×", part.quantity),
                gray: false,
            });
            let columns = ((layout.width - 2.0 * MARGIN - 50.0) / (BODY * 0.56)) as usize;
            let mut first = true;
            for line in wrap(&part.item, columns) {
                if !first {
                    layout.room(LINE);
                    layout.y += LINE;
                }
                first = false;
                layout.push(Op::Text {
                    x: MARGIN + 50.0,
                    y: layout.y,
                    size: BODY,
                    bold: false,
                    text: line,
                    gray: false,
                });
            }
        }
        layout.y += 6.0;
    }
    layout.label_value(
        "Follow-up needed",
        &if report.follow_up_needed { format!("Yes — {}", report.follow_up_what) } else { "No".into() },
    );
    layout.label_value("Notes for the customer", &report.customer_notes);
    layout.rule();
    if report.no_signature_reason.is_empty() {
        layout.room(120.0);
        layout.y += LINE;
        layout.push(Op::Text {
            x: MARGIN,
            y: layout.y,
            size: 8.0,
            bold: true,
            text: "CUSTOMER SIGNATURE".into(),
            gray: true,
        });
        let (x, y, w, h) = (MARGIN, layout.y + 6.0, 240.0, 80.0);
        let strokes = report.strokes.iter().map(|stroke| stroke.iter().map(|p| (p.x, p.y, p.p)).collect()).collect();
        layout.push(Op::Strokes { x, y, w, h, strokes });
        layout.y = y + h + 4.0;
        layout.push(Op::Line { x1: x, y1: layout.y, x2: x + w, y2: layout.y });
        layout.text(
            &format!(
                "{}{}{}",
                report.signer_name,
                if report.signer_title.is_empty() { String::new() } else { format!(", {}", report.signer_title) },
                report.signed_at.map(|_| format!(" · signed {}", when(report.signed_at))).unwrap_or_default()
            ),
            BODY,
            false,
        );
    } else {
        layout.label_value("No signature", &report.no_signature_reason);
    }
    let footer = match (&report.seal_hash, seal) {
        (Some(hash), Some(seal)) => format!(
            "Report {} · sealed, SHA-256 {} · sealing key {} · verify this file: fieldkit verify <file.pdf> --key <the technician's public key>",
            report.id,
            hash,
            key_fingerprint(&seal.public_key)
        ),
        (Some(hash), None) => format!("Report {} · sealed, SHA-256 {} · preview, not the sealed file", report.id, hash),
        (None, _) => format!("Report {} · DRAFT, not sealed", report.id),
    };
    layout.finish(&footer, seal)
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn long_text_wraps_at_spaces_and_long_words_are_cut() {
        assert_eq!(wrap("one two three", 7), vec!["one two", "three"]);
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap("a\nb", 10), vec!["a", "b"]);
    }
}
