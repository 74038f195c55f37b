//! Sealing: on signing, the report's canonical content (every field, the
//! strokes, the signer and the times) is stored, hashed with SHA-256 and the
//! hash signed with the installation's Ed25519 key (kept encrypted by the
//! vault). Verifying recomputes all three and names what differs.

use chrono::{DateTime, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};
use ts_rs::TS;
use uuid::Uuid;

use super::store::read_report;
use super::{ReportError, ServiceReport, SignatureInput, StrokePoint};
use crate::db::Db;
use crate::stock;
use crate::validation::FieldErrors;
use crate::vault::Vault;

/// The signed content, in a fixed field order (serde keeps declaration order).
#[derive(Serialize)]
struct Canonical<'a> {
    format: &'static str,
    id: String,
    ticket_number: &'a str,
    revision_of: Option<String>,
    technician: &'a str,
    customer: &'a str,
    site: &'a str,
    contact: &'a str,
    arrival_window_start: Option<String>,
    arrival_window_end: Option<String>,
    arrived_at: Option<String>,
    departed_at: Option<String>,
    work_performed: &'a str,
    findings: &'a str,
    recommendations: &'a str,
    customer_notes: &'a str,
    follow_up_needed: bool,
    follow_up_what: &'a str,
    parts: Vec<CanonicalPart<'a>>,
    signer_name: &'a str,
    signer_title: &'a str,
    no_signature_reason: &'a str,
    strokes: &'a [Vec<StrokePoint>],
    signed_at: Option<String>,
}

/// A parts line as signed: what and how many (the stock link is local).
#[derive(Serialize)]
struct CanonicalPart<'a> {
    item: &'a str,
    quantity: u32,
}

fn time(value: Option<DateTime<Utc>>) -> Option<String> {
    value.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}

pub(crate) fn canonical_json(report: &ServiceReport) -> String {
    serde_json::to_string(&Canonical {
        format: "fieldkit-ossr/1",
        id: report.id.to_string(),
        ticket_number: &report.ticket_number,
        revision_of: report.revision_of.map(|id| id.to_string()),
        technician: &report.technician_name,
        customer: &report.customer_name,
        site: &report.site_text,
        contact: &report.contact_text,
        arrival_window_start: time(report.arrival_window_start),
        arrival_window_end: time(report.arrival_window_end),
        arrived_at: time(report.arrived_at),
        departed_at: time(report.departed_at),
        work_performed: &report.work_performed,
        findings: &report.findings,
        recommendations: &report.recommendations,
        customer_notes: &report.customer_notes,
        follow_up_needed: report.follow_up_needed,
        follow_up_what: &report.follow_up_what,
        parts: report.parts.iter().map(|part| CanonicalPart { item: &part.item, quantity: part.quantity }).collect(),
        signer_name: &report.signer_name,
        signer_title: &report.signer_title,
        no_signature_reason: &report.no_signature_reason,
        strokes: &report.strokes,
        signed_at: time(report.signed_at),
    })
    .unwrap_or_default()
}

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

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    (0..text.len()).step_by(2).map(|i| text.get(i..i + 2).and_then(|pair| u8::from_str_radix(pair, 16).ok())).collect()
}

fn sha256_hex(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

/// The installation's signing key, made (and stored encrypted) on first use.
fn signing_key(connection: &Connection, vault: &Vault) -> Result<SigningKey, ReportError> {
    let stored: Option<Vec<u8>> =
        connection.query_row("SELECT sealed_secret FROM seal_keys WHERE id = 1", [], |r| r.get(0)).optional()?;
    if let Some(sealed) = stored {
        let secret = vault.decrypt(&sealed, "seal key")?;
        let bytes = unhex(&secret).filter(|b| b.len() == 32).ok_or(crate::vault::VaultError::Tampered)?;
        let mut seed = [0u8; 32];
        seed.copy_from_slice(&bytes);
        return Ok(SigningKey::from_bytes(&seed));
    }
    let seed: [u8; 32] = crate::vault::random_bytes::<32>();
    let key = SigningKey::from_bytes(&seed);
    let sealed = vault.encrypt(&hex(&seed), "seal key")?;
    connection.execute(
        "INSERT INTO seal_keys (id, public_key, sealed_secret) VALUES (1, ?1, ?2)",
        params![hex(key.verifying_key().as_bytes()), sealed],
    )?;
    Ok(key)
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
    for movement in &movements {
        stock::insert_movement(tx, movement)?;
    }
    stock::review(tx, now)?;
    Ok(())
}

/// The public half of the sealing key, for the office to trust (Settings).
pub fn seal_public_key(db: &Db) -> Result<Option<String>, ReportError> {
    Ok(db.read(|connection| {
        connection.query_row("SELECT public_key FROM seal_keys WHERE id = 1", [], |r| r.get(0)).optional()
    })?)
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
        let content = canonical_json(&report);
        let hash = sha256_hex(&content);
        let signed: Signature = key.sign(hash.as_bytes());
        tx.execute(
            "UPDATE service_reports SET state = 'sealed', signer_name = ?2, signer_title = ?3, no_signature_reason = ?4,
                 strokes = ?5, signed_at = ?6, sealed_content = ?7, seal_hash = ?8, seal_signature = ?9,
                 seal_public_key = ?10, signature_svg = ?11, updated_at = ?6
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
                signature_svg(&report.strokes)
            ],
        )?;
        read_report(tx, id)
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
/// signature; any difference is named.
pub fn verify_report(db: &Db, id: Uuid) -> Result<Verification, ReportError> {
    db.read(|connection| {
        let report = read_report(connection, id)?;
        let (content, hash, signature, public_key): (Option<String>, Option<String>, Option<String>, Option<String>) =
            connection.query_row(
                "SELECT sealed_content, seal_hash, seal_signature, seal_public_key FROM service_reports WHERE id = ?1",
                [id.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )?;
        let (Some(content), Some(hash), Some(signature), Some(public_key)) = (content, hash, signature, public_key)
        else {
            return Ok(Verification {
                ok: false,
                hash: String::new(),
                problems: vec!["The report is not sealed.".into()],
            });
        };
        let mut problems = Vec::new();
        let now_content = canonical_json(&report);
        if now_content != content {
            let signed: serde_json::Value = serde_json::from_str(&content).unwrap_or_default();
            let current: serde_json::Value = serde_json::from_str(&now_content).unwrap_or_default();
            match (signed.as_object(), current.as_object()) {
                (Some(signed), Some(current)) => {
                    for (field, value) in current {
                        if signed.get(field) != Some(value) {
                            problems.push(format!("{field} differs from what was signed."));
                        }
                    }
                }
                _ => problems.push("The signed content cannot be read.".into()),
            }
        }
        if sha256_hex(&content) != hash {
            problems.push("The signed content does not match its seal hash.".into());
        }
        let key_ok = unhex(&public_key)
            .and_then(|bytes| <[u8; 32]>::try_from(bytes.as_slice()).ok())
            .and_then(|bytes| VerifyingKey::from_bytes(&bytes).ok());
        let signature_ok = unhex(&signature)
            .and_then(|bytes| <[u8; 64]>::try_from(bytes.as_slice()).ok())
            .map(|bytes| Signature::from_bytes(&bytes));
        match (key_ok, signature_ok) {
            (Some(key), Some(signature)) if key.verify_strict(hash.as_bytes(), &signature).is_ok() => {}
            _ => problems.push("The seal's signature does not verify with the sealing key.".into()),
        }
        let installation: Option<String> =
            connection.query_row("SELECT public_key FROM seal_keys WHERE id = 1", [], |r| r.get(0)).optional()?;
        if installation.is_some_and(|key| key != public_key) {
            problems.push("The report was sealed with another key than this installation's.".into());
        }
        Ok(Verification { ok: problems.is_empty(), hash, problems })
    })
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
