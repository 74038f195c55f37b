//! Reading the neutral record shape (see [`super::connector`]): JSON objects
//! with camelCase field names. Readers are forgiving — a number may arrive as
//! text, a flag as `1` or `"yes"` — and answer `None` (or empty text) for a
//! missing or unreadable field rather than failing the page.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::Value;

/// A field by its neutral name, or spelled in another case (a connector may
/// pass a PSA's PascalCase through).
pub(crate) fn field<'a>(record: &'a Value, name: &str) -> Option<&'a Value> {
    let object = record.as_object()?;
    object.get(name).or_else(|| object.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, v)| v))
}

/// Text (a number as its digits), NUL characters removed; empty when missing.
pub(crate) fn text_field(record: &Value, name: &str) -> String {
    match field(record, name) {
        Some(Value::String(text)) => text.replace('\0', ""),
        Some(Value::Number(number)) => number.to_string(),
        _ => String::new(),
    }
}

/// An integer (a fraction is cut, text is parsed).
pub(crate) fn int_field(record: &Value, name: &str) -> Option<i64> {
    match field(record, name)? {
        Value::Number(number) => number.as_i64().or_else(|| number.as_f64().map(|f| f as i64)),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// A flag: `true`, a non-zero number, or `"true"`/`"1"`/`"yes"`.
pub(crate) fn bool_field(record: &Value, name: &str) -> Option<bool> {
    match field(record, name)? {
        Value::Bool(value) => Some(*value),
        Value::Number(number) => Some(number.as_i64() != Some(0)),
        Value::String(text) => Some(matches!(text.to_ascii_lowercase().as_str(), "true" | "1" | "yes")),
        _ => None,
    }
}

/// A PSA time (UTC; with or without an offset).
pub(crate) fn time_field(record: &Value, name: &str) -> Option<DateTime<Utc>> {
    let text = field(record, name)?.as_str()?;
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").ok().map(|t| t.and_utc()))
}
