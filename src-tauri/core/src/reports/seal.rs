//! Sealing: on signing, the report's canonical content (every field, the
//! strokes, the signer and the times; see `canonical.rs`) is stored, hashed
//! with SHA-256 and the hash signed with the installation's Ed25519 key (kept
//! encrypted by the vault). The PDF is rendered, signed and recorded in the
//! same transaction, and queued for the ticket as an attachment. Verifying
//! recomputes all three, checks the key against the installation's (and,
//! with the vault open, against the key the vault holds) and names what
//! differs.

use chrono::{DateTime, Utc};
use ed25519_dalek::{Signature, Signer};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};
use ts_rs::TS;
use uuid::Uuid;

use super::canonical::{canonical_json, format_of, FORMAT};
use super::files::record_sealed_pdf;
use super::seal_key::{key_problems, signing_key};
use super::sealed_pdf::{hex, public_key, unhex};
use super::store::read_report;
use super::{Paper, ReportError, ServiceReport, SignatureInput, StrokePoint};
use crate::db::Db;
use crate::stock;
use crate::validation::FieldErrors;
use crate::vault::Vault;

/// The signature as an SVG document (300 × 100 user units), pressure as stroke width.
pub fn signature_svg(strokes: &[Vec<StrokePoint>]) -> String {
    let mut svg = String::from(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 100" width="300" height="100"><g fill="none" stroke="#0a1e5a" stroke-linecap="round" stroke-linejoin="round">"##,
    );
    for stroke in strokes.iter().filter(|stroke| stroke.len() >= 2) {
        let pressure = stroke.iter().map(|p| p.p).sum::<f32>() / stroke.len() as f32;
        let points: Vec<String> = stroke.iter().map(|p| format!("{:.1},{:.1}", p.x * 300.0, p.y * 100.0)).collect();
        svg.push_str(&format!(
            r#"<polyline stroke-width="{:.2}" points="{}"/>"#,
            1.0 + 1.5 * pressure,
            points.join(" ")
        ));
    }
    svg.push_str("</g></svg>");
    svg
}

fn sha256_hex(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

/// Records the stock parts of the report as "used" (in the sealing
/// transaction). A correction records only the difference from the report
/// it corrects: more is "used", less is "returned".
fn record_parts_used(
    tx: &rusqlite::Transaction<'_>,
    report: &ServiceReport,
    record_anyway: bool,
    now: DateTime<Utc>,
) -> Result<(), ReportError> {
    let mut wanted: Vec<(Uuid, i64, usize)> = Vec::new();
    for (index, part) in report.parts.iter().enumerate() {
        let Some(item_id) = part.item_id else { continue };
        match wanted.iter_mut().find(|(id, _, _)| *id == item_id) {
            Some(entry) => entry.1 += i64::from(part.quantity),
            None => wanted.push((item_id, i64::from(part.quantity), index)),
        }
    }
    if let Some(original) = report.revision_of {
        for part in read_report(tx, original)?.parts {
            let Some(item_id) = part.item_id else { continue };
            match wanted.iter_mut().find(|(id, _, _)| *id == item_id) {
                Some(entry) => entry.1 -= i64::from(part.quantity),
                None => wanted.push((item_id, -i64::from(part.quantity), usize::MAX)),
            }
        }
    }
    let ticket_row: i64 =
        tx.query_row("SELECT ticket_row FROM service_reports WHERE id = ?1", [report.id.to_string()], |r| r.get(0))?;
    let mut short = Vec::new();
    let mut movements = Vec::new();
    for (item_id, quantity, index) in wanted.into_iter().filter(|(_, quantity, _)| *quantity != 0) {
        let (name, unit, on_hand): (String, String, i64) = tx
            .query_row("SELECT name, unit, on_hand FROM stock_items WHERE id = ?1", [item_id.to_string()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?
            .ok_or_else(|| {
                ReportError::Invalid(vec![crate::validation::FieldError {
                    field: format!("parts.{}.item", index.min(report.parts.len())),
                    message: "That stock item no longer exists; pick another.".into(),
                }])
            })?;
        let field = format!("parts.{index}.quantity");
        let forced = match stock::refuse_if_short(on_hand, -quantity, &field, &name, &unit, record_anyway) {
            Ok(forced) => forced,
            Err(stock::StockError::Short(mut fields)) => {
                short.append(&mut fields);
                continue;
            }
            Err(other) => return Err(other.into()),
        };
        movements.push(stock::NewMovement {
            item_id,
            kind: if quantity > 0 { stock::MovementKind::Used } else { stock::MovementKind::Returned },
            delta: -quantity,
            counted: None,
            reason: match report.revision_of {
                Some(_) => format!("Service report for {} (correction)", report.ticket_number),
                None => format!("Service report for {}", report.ticket_number),
            },
            report_id: Some(report.id),
            ticket_row: Some(ticket_row),
            forced,
            at: now,
        });
    }
    if !short.is_empty() {
        return Err(stock::StockError::Short(short).into());
    }
    stock::append_movements(tx, &movements, now)?;
    Ok(())
}

/// Signs and seals the report; from now on it is read-only.
pub fn seal_report(
    db: &Db,
    vault: &Vault,
    id: Uuid,
    signature: &SignatureInput,
    now: DateTime<Utc>,
) -> Result<ServiceReport, ReportError> {
    let mut errors = FieldErrors::default();
    let reason = errors.text("no_signature_reason", &signature.no_signature_reason, false, 500);
    let signer_name = errors.text("signer_name", &signature.signer_name, reason.is_empty(), 120);
    let signer_title = errors.text("signer_title", &signature.signer_title, false, 120);
    let strokes: Vec<Vec<StrokePoint>> = signature
        .strokes
        .iter()
        .map(|stroke| {
            stroke
                .iter()
                .filter(|p| p.x.is_finite() && p.y.is_finite() && p.p.is_finite())
                .map(|p| StrokePoint { x: p.x.clamp(0.0, 1.0), y: p.y.clamp(0.0, 1.0), t: p.t, p: p.p.clamp(0.0, 1.0) })
                .collect::<Vec<_>>()
        })
        .filter(|stroke| stroke.len() >= 2)
        .collect();
    if reason.is_empty() && strokes.is_empty() {
        errors
            .add("strokes", "The customer has not signed yet: ask them to sign, or say why no signature could be had.");
    }
    if strokes.iter().map(Vec::len).sum::<usize>() > 20_000 {
        errors.add("strokes", "The signature is too large; clear it and sign again.");
    }
    errors.into_result().map_err(ReportError::Invalid)?;

    db.write(|tx| {
        let mut report = read_report(tx, id)?;
        if report.sealed {
            return Err(ReportError::Sealed);
        }
        let key = signing_key(tx, vault)?;
        record_parts_used(tx, &report, signature.record_anyway, now)?;
        report.signer_name = signer_name.clone();
        report.signer_title = signer_title.clone();
        report.no_signature_reason = reason.clone();
        report.strokes = if reason.is_empty() { strokes.clone() } else { Vec::new() };
        report.signed_at = Some(now);
        let content = canonical_json(&report, FORMAT);
        let hash = sha256_hex(&content);
        let signed: Signature = key.sign(hash.as_bytes());
        tx.execute(
            "UPDATE service_reports SET state = 'sealed', signer_name = ?2, signer_title = ?3, no_signature_reason = ?4,
                 strokes = ?5, signed_at = ?6, sealed_content = ?7, seal_hash = ?8, seal_signature = ?9,
                 seal_public_key = ?10, signature_svg = ?11, signed_ticket_number = ?12, updated_at = ?6
             WHERE id = ?1",
            params![
                id.to_string(),
                report.signer_name,
                report.signer_title,
                report.no_signature_reason,
                serde_json::to_string(&report.strokes).unwrap_or_else(|_| "[]".into()),
                now,
                content,
                hash,
                hex(&signed.to_bytes()),
                hex(key.verifying_key().as_bytes()),
                signature_svg(&report.strokes),
                report.ticket_number
            ],
        )?;
        let sealed = read_report(tx, id)?;
        let company = crate::settings::read_settings(tx)?.company_name;
        record_sealed_pdf(tx, &key, &sealed, &company, signature.paper.unwrap_or(Paper::A4), now)?;
        Ok(sealed)
    })
}

/// The outcome of verifying a sealed report.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Verification {
    pub ok: bool,
    pub hash: String,
    /// What does not match, by field, in words.
    pub problems: Vec<String>,
}

/// Recomputes the canonical content from the stored report, its hash and the
/// signature; any difference is named. The key must be this installation's
/// (a missing installation key is a failure, never a skip) and, when the
/// vault is open, the one whose seed the vault holds: a database edited,
/// re-hashed and re-signed with a new key, its key row replaced, fails.
pub fn verify_report(db: &Db, vault: Option<&Vault>, id: Uuid) -> Result<Verification, ReportError> {
    db.read(|connection| {
        let mut report = read_report(connection, id)?;
        #[allow(clippy::type_complexity)]
        let (content, hash, signature, public_key_hex, signed_number): (
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        ) = connection.query_row(
            "SELECT sealed_content, seal_hash, seal_signature, seal_public_key, signed_ticket_number
             FROM service_reports WHERE id = ?1",
            [id.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )?;
        let (Some(content), Some(hash), Some(signature), Some(public_key_hex)) =
            (content, hash, signature, public_key_hex)
        else {
            return Ok(Verification {
                ok: false,
                hash: String::new(),
                problems: vec!["The report is not sealed.".into()],
            });
        };
        // The number as signed: a ticket raised offline is renumbered by the first sync.
        if let Some(number) = signed_number {
            report.ticket_number = number;
        }
        let mut problems = content_problems(&report, &content);
        if sha256_hex(&content) != hash {
            problems.push("The signed content does not match its seal hash.".into());
        }
        let signature_ok = unhex(&signature)
            .and_then(|bytes| <[u8; 64]>::try_from(bytes.as_slice()).ok())
            .map(|bytes| Signature::from_bytes(&bytes));
        match (public_key(&public_key_hex), signature_ok) {
            (Some(key), Some(signature)) if key.verify_strict(hash.as_bytes(), &signature).is_ok() => {}
            _ => problems.push("The seal's signature does not verify with the sealing key.".into()),
        }
        problems.extend(key_problems(connection, vault, &public_key_hex)?);
        Ok(Verification { ok: problems.is_empty(), hash, problems })
    })
}

/// The fields of the report as stored now that differ from the signed content.
fn content_problems(report: &ServiceReport, content: &str) -> Vec<String> {
    let now_content = canonical_json(report, format_of(content));
    if now_content == content {
        return Vec::new();
    }
    let signed: serde_json::Value = serde_json::from_str(content).unwrap_or_default();
    let current: serde_json::Value = serde_json::from_str(&now_content).unwrap_or_default();
    match (signed.as_object(), current.as_object()) {
        (Some(signed), Some(current)) => current
            .iter()
            .filter(|(field, value)| signed.get(*field) != Some(value))
            .map(|(field, _)| format!("{field} differs from what was signed."))
            .collect(),
        _ => vec!["The signed content cannot be read.".into()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_svg_draws_each_stroke() {
        let stroke = vec![StrokePoint { x: 0.0, y: 0.5, t: 0, p: 0.5 }, StrokePoint { x: 1.0, y: 0.5, t: 10, p: 0.5 }];
        let svg = signature_svg(&[stroke.clone(), vec![stroke[0]]]);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<polyline").count(), 1, "a single point is not a stroke");
        assert!(svg.contains("0.0,50.0 300.0,50.0"));
    }
}
