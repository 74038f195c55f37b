//! The signed form of a service report: what the seal's hash covers.
//!
//! One line of JSON, no whitespace, the fields in the order of [`Canonical`]
//! (serde keeps declaration order). Text fields are in Unicode NFC (format
//! `fieldkit-ossr/2`; `/1` seals, made before, signed the text as typed).
//! Times are RFC 3339 in UTC with milliseconds (`2026-11-29T09:00:00.000Z`),
//! absent ones `null`; stroke coordinates and pressure are `f32` written by
//! serde_json as the shortest text that reads back to the same `f32` (so
//! `0.5`, `0.25`, `1.0`). ARCHITECTURE.md describes it for other verifiers;
//! the golden test below pins the bytes so a dependency update cannot
//! silently change them (and with them, break every earlier seal).

use chrono::{DateTime, Utc};
use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

use super::{ServiceReport, StrokePoint};

/// The current format; verifying uses the one named in the signed content.
pub(crate) const FORMAT: &str = "fieldkit-ossr/2";
const FORMAT_V1: &str = "fieldkit-ossr/1";

#[derive(Serialize)]
struct Canonical<'a> {
    format: &'static str,
    id: String,
    ticket_number: String,
    revision_of: Option<String>,
    technician: String,
    customer: String,
    site: String,
    contact: String,
    arrival_window_start: Option<String>,
    arrival_window_end: Option<String>,
    arrived_at: Option<String>,
    departed_at: Option<String>,
    work_performed: String,
    findings: String,
    recommendations: String,
    customer_notes: String,
    follow_up_needed: bool,
    follow_up_what: String,
    parts: Vec<CanonicalPart>,
    signer_name: String,
    signer_title: String,
    no_signature_reason: String,
    strokes: &'a [Vec<StrokePoint>],
    signed_at: Option<String>,
}

/// A parts line as signed: what and how many (the stock link is local).
#[derive(Serialize)]
struct CanonicalPart {
    item: String,
    quantity: u32,
}

fn time(value: Option<DateTime<Utc>>) -> Option<String> {
    value.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}

/// The format a stored signed content was made in (`/1` when unreadable).
pub(crate) fn format_of(content: &str) -> &'static str {
    if content.starts_with(&format!("{{\"format\":\"{FORMAT}\"")) {
        FORMAT
    } else {
        FORMAT_V1
    }
}

/// The canonical JSON of `report` in `format` (see the module comment).
pub(crate) fn canonical_json(report: &ServiceReport, format: &'static str) -> String {
    let nfc = format != FORMAT_V1;
    let text = |value: &str| if nfc { value.nfc().collect() } else { value.to_string() };
    serde_json::to_string(&Canonical {
        format,
        id: report.id.to_string(),
        ticket_number: text(&report.ticket_number),
        revision_of: report.revision_of.map(|id| id.to_string()),
        technician: text(&report.technician_name),
        customer: text(&report.customer_name),
        site: text(&report.site_text),
        contact: text(&report.contact_text),
        arrival_window_start: time(report.arrival_window_start),
        arrival_window_end: time(report.arrival_window_end),
        arrived_at: time(report.arrived_at),
        departed_at: time(report.departed_at),
        work_performed: text(&report.work_performed),
        findings: text(&report.findings),
        recommendations: text(&report.recommendations),
        customer_notes: text(&report.customer_notes),
        follow_up_needed: report.follow_up_needed,
        follow_up_what: text(&report.follow_up_what),
        parts: report
            .parts
            .iter()
            .map(|part| CanonicalPart { item: text(&part.item), quantity: part.quantity })
            .collect(),
        signer_name: text(&report.signer_name),
        signer_title: text(&report.signer_title),
        no_signature_reason: text(&report.no_signature_reason),
        strokes: &report.strokes,
        signed_at: time(report.signed_at),
    })
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use sha2::{Digest, Sha256};
    use uuid::Uuid;

    use super::*;
    use crate::reports::PartLine;

    fn fixed_report() -> ServiceReport {
        let at = |h: u32, m: u32| Some(Utc.with_ymd_and_hms(2026, 11, 20, h, m, 0).unwrap());
        ServiceReport {
            id: Uuid::parse_str("0192a3b4-c5d6-7e8f-9012-3456789abcde").unwrap(),
            ticket_id: Uuid::nil(),
            ticket_number: "T20261120.0042".into(),
            ticket_title: "not signed".into(),
            appointment_id: None,
            revision_of: None,
            technician_name: "Sam Okafor".into(),
            // "é" as e + combining acute (NFD): signed as the single code point.
            customer_name: "Cafe\u{301} Nord".into(),
            site_text: "Main office, 1 Harbour St".into(),
            contact_text: "Dana Reyes (Owner)".into(),
            arrival_window_start: at(9, 0),
            arrival_window_end: at(10, 0),
            arrived_at: at(9, 12),
            departed_at: at(11, 3),
            work_performed: "Replaced the switch \"SW-1\".\nLabelled every drop.".into(),
            findings: String::new(),
            recommendations: "Add a fan.".into(),
            customer_notes: String::new(),
            follow_up_needed: true,
            follow_up_what: "Quote a UPS".into(),
            parts: vec![PartLine { item: "Cat6 patch cable 2 m".into(), quantity: 2, item_id: Some(Uuid::nil()) }],
            sealed: true,
            signer_name: "Dana Reyes".into(),
            signer_title: "Owner".into(),
            no_signature_reason: String::new(),
            strokes: vec![vec![
                StrokePoint { x: 0.1, y: 0.5, t: 0, p: 0.5 },
                StrokePoint { x: 0.25, y: 0.75, t: 16, p: 1.0 },
            ]],
            signed_at: at(11, 2),
            seal_hash: None,
            created_at: Utc.with_ymd_and_hms(2026, 11, 20, 9, 12, 0).unwrap(),
            updated_at: Utc.with_ymd_and_hms(2026, 11, 20, 11, 2, 0).unwrap(),
        }
    }

    /// The golden vector: these bytes and this hash must never change for
    /// this report, whatever serde, chrono or the float formatting do.
    #[test]
    fn the_canonical_form_of_a_fixed_report_is_fixed() {
        let content = canonical_json(&fixed_report(), FORMAT);
        let expected = concat!(
            r#"{"format":"fieldkit-ossr/2","id":"0192a3b4-c5d6-7e8f-9012-3456789abcde","ticket_number":"T20261120.0042","#,
            r#""revision_of":null,"technician":"Sam Okafor","customer":"Café Nord","site":"Main office, 1 Harbour St","#,
            r#""contact":"Dana Reyes (Owner)","arrival_window_start":"2026-11-20T09:00:00.000Z","#,
            r#""arrival_window_end":"2026-11-20T10:00:00.000Z","arrived_at":"2026-11-20T09:12:00.000Z","#,
            r#""departed_at":"2026-11-20T11:03:00.000Z","work_performed":"Replaced the switch \"SW-1\".\nLabelled every drop.","#,
            r#""findings":"","recommendations":"Add a fan.","customer_notes":"","follow_up_needed":true,"#,
            r#""follow_up_what":"Quote a UPS","parts":[{"item":"Cat6 patch cable 2 m","quantity":2}],"#,
            r#""signer_name":"Dana Reyes","signer_title":"Owner","no_signature_reason":"","#,
            r#""strokes":[[{"x":0.1,"y":0.5,"t":0,"p":0.5},{"x":0.25,"y":0.75,"t":16,"p":1.0}]],"#,
            r#""signed_at":"2026-11-20T11:02:00.000Z"}"#
        );
        assert_eq!(content, expected);
        assert!(content.contains("Caf\u{e9} Nord"), "NFC: one code point for é");
        let hash: String = Sha256::digest(content.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hash, GOLDEN_HASH);
        assert_eq!(format_of(&content), FORMAT);
    }

    /// SHA-256 of the golden content above.
    const GOLDEN_HASH: &str = "cc5e5795df05de6a071169b884fffcc0e3beda5f92a30feb6e1b7392711c682c";

    #[test]
    fn version_one_seals_keep_their_text_as_typed() {
        let content = canonical_json(&fixed_report(), FORMAT_V1);
        assert!(content.starts_with(r#"{"format":"fieldkit-ossr/1""#));
        assert!(content.contains("Cafe\u{301} Nord"));
        assert_eq!(format_of(&content), FORMAT_V1);
    }
}
