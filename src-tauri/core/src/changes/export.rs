//! A customer's change log as Markdown or CSV for the company's
//! documentation system (IT Glue, Hudu), and as a ticket note. Secrets are
//! never included: a record only says that one is stored.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use super::{list_changes, ChangeError, ChangeQuery, ChangeRecord};
use crate::db::Db;
use crate::error::ErrorPayload;
use crate::files::write_export;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ExportFormat {
    Markdown,
    Csv,
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Markdown => "md",
            ExportFormat::Csv => "csv",
        }
    }
}

/// The current records of `customer_id` (optionally in `[from, to)`), oldest first.
pub fn export_changes(
    db: &Db,
    customer_id: Uuid,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    format: ExportFormat,
) -> Result<String, ChangeError> {
    let mut records = Vec::new();
    let mut offset = 0;
    loop {
        let page = list_changes(
            db,
            &ChangeQuery { customer_id: Some(customer_id), from, to, offset, limit: 200, ..ChangeQuery::default() },
        )?;
        let done = page.rows.len() < 200;
        offset += page.rows.len() as u32;
        records.extend(page.rows);
        if done {
            break;
        }
    }
    records.reverse();
    Ok(match format {
        ExportFormat::Markdown => markdown(&records),
        ExportFormat::Csv => csv(&records),
    })
}

/// A change log written to a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Exported {
    pub path: String,
}

/// Writes the export of `customer_id`'s log (see `export_changes`; no
/// secrets) into `folder` (the exports folder) as
/// `changes-<customer id's first 8>-<YYYYMMDD-HHMMSS of now>.<md|csv>`.
pub fn export_changes_to_file(
    db: &Db,
    folder: &Path,
    customer_id: Uuid,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    format: ExportFormat,
    now: DateTime<Utc>,
) -> Result<Exported, ErrorPayload> {
    let text = export_changes(db, customer_id, from, to, format)?;
    let name =
        format!("changes-{}-{}.{}", &customer_id.to_string()[..8], now.format("%Y%m%d-%H%M%S"), format.extension());
    let path = write_export(folder, &name, text.as_bytes())?;
    Ok(Exported { path: path.display().to_string() })
}

fn markdown(records: &[ChangeRecord]) -> String {
    let customer = records.first().map_or("", |r| r.customer_name.as_str());
    let mut out = format!("# Change log — {}\n\n", escape_md(customer));
    for record in records {
        out.push_str(&format!(
            "## {} — {}\n\n- **Category:** {}\n- **When:** {}\n- **By:** {}\n",
            record.created_at.format("%Y-%m-%d %H:%M UTC"),
            escape_md(&record.summary),
            record.category_label,
            record.created_at.format("%Y-%m-%d %H:%M UTC"),
            escape_md(&record.author_name)
        ));
        if !record.site_name.is_empty() {
            out.push_str(&format!("- **Site:** {}\n", escape_md(&record.site_name)));
        }
        if !record.device_name.is_empty() {
            out.push_str(&format!("- **Device:** {}\n", escape_md(&record.device_name)));
        }
        if !record.ticket_number.is_empty() {
            out.push_str(&format!("- **Ticket:** {}\n", escape_md(&record.ticket_number)));
        }
        for field in &record.fields {
            out.push_str(&format!("- **{}:** {}\n", field.label, escape_md(&field.value)));
        }
        if record.has_secret {
            out.push_str("- **Secret:** stored encrypted in Fieldkit (not exported)\n");
        }
        if record.revision > 1 {
            out.push_str(&format!("- **Revision:** {} (corrected)\n", record.revision));
        }
        out.push('\n');
    }
    out
}

fn escape_md(text: &str) -> String {
    text.replace('\\', "\\\\").replace(['\n', '\r'], " ").replace('<', "&lt;").replace('>', "&gt;")
}

fn csv(records: &[ChangeRecord]) -> String {
    let mut out =
        String::from("created_at,category,summary,customer,site,device,ticket,author,fields,secret_stored,revision\n");
    for record in records {
        let fields: Vec<String> = record.fields.iter().map(|f| format!("{}: {}", f.label, f.value)).collect();
        let cells = [
            record.created_at.to_rfc3339(),
            record.category_label.clone(),
            record.summary.clone(),
            record.customer_name.clone(),
            record.site_name.clone(),
            record.device_name.clone(),
            record.ticket_number.clone(),
            record.author_name.clone(),
            fields.join("; "),
            if record.has_secret { "yes".into() } else { "no".into() },
            record.revision.to_string(),
        ];
        out.push_str(&cells.iter().map(|cell| csv_cell(cell)).collect::<Vec<_>>().join(","));
        out.push('\n');
    }
    out
}

/// RFC 4180 quoting, and a leading quote for cells a spreadsheet would run as a formula.
fn csv_cell(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) { format!("'{value}") } else { value.to_string() };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// The record as an internal ticket note.
pub(crate) fn note_text(record: &ChangeRecord) -> String {
    let mut out = format!("Change documented: {} — {}\n", record.category_label, record.summary);
    if !record.device_name.is_empty() {
        out.push_str(&format!("Device: {}\n", record.device_name));
    }
    for field in &record.fields {
        out.push_str(&format!("{}: {}\n", field.label, field.value));
    }
    if record.has_secret {
        out.push_str("Secret: stored encrypted in Fieldkit (not included).\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_and_formulas_defused() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
    }
}
