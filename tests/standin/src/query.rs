//! Autotask query filters: every operator, nested and/or groups, UDF
//! conditions; comparisons numeric, by instant, boolean, or by text without
//! regard to case.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

/// A field's value in a record, by name without regard to case.
pub fn get<'a>(record: &'a Map<String, Value>, field: &str) -> Option<&'a Value> {
    record.get(field).or_else(|| record.iter().find(|(key, _)| key.eq_ignore_ascii_case(field)).map(|(_, v)| v))
}

fn instant(value: &Value) -> Option<DateTime<Utc>> {
    let text = value.as_str()?;
    if text.len() < 10 || !text.as_bytes()[0].is_ascii_digit() || !text.contains('-') {
        return None;
    }
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").ok().map(|t| t.and_utc()))
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc())
        })
}

fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        _ => None,
    }
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.to_lowercase(),
        Value::Null => String::new(),
        other => other.to_string().to_lowercase(),
    }
}

/// Orders two values the way Autotask compares them.
fn compare(left: &Value, right: &Value) -> Option<std::cmp::Ordering> {
    if let (Value::Number(_), Some(r)) = (left, number(right)) {
        return number(left)?.partial_cmp(&r);
    }
    if let (Value::Bool(l), Some(r)) = (left, bool_of(right)) {
        return Some(l.cmp(&r));
    }
    if let (Some(l), Some(r)) = (instant(left), instant(right)) {
        return Some(l.cmp(&r));
    }
    if left.is_null() {
        return None;
    }
    Some(text(left).cmp(&text(right)))
}

fn bool_of(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.to_lowercase().as_str() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        },
        Value::Number(n) => n.as_i64().map(|n| n != 0),
        _ => None,
    }
}

/// A filter that cannot be evaluated: the message Autotask would give.
pub type FilterError = String;

/// Checks the fields a filter names against the entity's known fields.
pub fn check(filter: &[Value], entity: &str, known: &dyn Fn(&str) -> bool) -> Result<(), FilterError> {
    for item in filter {
        let object = item.as_object().ok_or("A filter item must be an object.")?;
        let op = get(object, "op").and_then(Value::as_str).ok_or("A filter item needs an op.")?.to_lowercase();
        if op == "and" || op == "or" {
            let items = get(object, "items").and_then(Value::as_array).ok_or("An and/or group needs items.")?;
            check(items, entity, known)?;
            continue;
        }
        if !OPERATORS.contains(&op.as_str()) {
            return Err(format!("The operator {op} is not supported."));
        }
        let field = get(object, "field").and_then(Value::as_str).ok_or("A filter item needs a field.")?;
        let udf = get(object, "udf").and_then(Value::as_bool).unwrap_or(false);
        if !udf && !known(field) {
            return Err(format!("Unable to find {field} in the {entity} Entity."));
        }
    }
    Ok(())
}

const OPERATORS: &[&str] = &[
    "eq",
    "noteq",
    "gt",
    "gte",
    "lt",
    "lte",
    "beginswith",
    "endswith",
    "contains",
    "exist",
    "notexist",
    "in",
    "notin",
];

/// Whether `record` passes every item of `filter` (the top level is AND).
pub fn matches(record: &Map<String, Value>, filter: &[Value]) -> bool {
    filter.iter().all(|item| matches_item(record, item))
}

/// A filter prepared once per query: `in` lists become sets, so a page over
/// a large table with a 500-id list costs a look-up per record, not 500
/// comparisons.
pub struct Compiled {
    items: Vec<Value>,
    sets: Vec<(String, bool, std::collections::HashSet<String>)>,
}

fn key(value: &Value) -> Option<String> {
    match value {
        Value::Number(n) => n.as_i64().map(|i| i.to_string()).or_else(|| Some(n.to_string())),
        Value::String(s) => Some(s.trim().to_lowercase()),
        _ => None,
    }
}

impl Compiled {
    pub fn new(filter: &[Value]) -> Compiled {
        // Top-level `in`/`notIn` conditions on plain fields use sets; the rest is evaluated as is.
        let mut items = Vec::new();
        let mut sets = Vec::new();
        for item in filter {
            let object = item.as_object();
            let op = object.and_then(|o| get(o, "op")).and_then(Value::as_str).unwrap_or("").to_lowercase();
            let udf = object.and_then(|o| get(o, "udf")).and_then(Value::as_bool).unwrap_or(false);
            let list = object.and_then(|o| get(o, "value")).and_then(Value::as_array);
            let field = object.and_then(|o| get(o, "field")).and_then(Value::as_str);
            match (op.as_str(), udf, list, field) {
                ("in" | "notin", false, Some(list), Some(field)) => {
                    sets.push((field.to_string(), op == "in", list.iter().filter_map(key).collect()));
                }
                _ => items.push(item.clone()),
            }
        }
        Compiled { items, sets }
    }

    pub fn matches(&self, record: &Map<String, Value>) -> bool {
        self.sets.iter().all(|(field, inside, set)| {
            let found = get(record, field).and_then(key).is_some_and(|k| set.contains(&k));
            found == *inside
        }) && matches(record, &self.items)
    }
}

fn matches_item(record: &Map<String, Value>, item: &Value) -> bool {
    let Some(object) = item.as_object() else { return false };
    let op = get(object, "op").and_then(Value::as_str).unwrap_or("").to_lowercase();
    let items = || get(object, "items").and_then(Value::as_array).cloned().unwrap_or_default();
    match op.as_str() {
        "and" => return items().iter().all(|i| matches_item(record, i)),
        "or" => return items().iter().any(|i| matches_item(record, i)),
        _ => {}
    }
    let field = get(object, "field").and_then(Value::as_str).unwrap_or("");
    let expected = get(object, "value").cloned().unwrap_or(Value::Null);
    let udf = get(object, "udf").and_then(Value::as_bool).unwrap_or(false);
    let actual = if udf {
        get(record, "userDefinedFields")
            .and_then(Value::as_array)
            .and_then(|udfs| {
                udfs.iter()
                    .find(|u| u.get("name").and_then(Value::as_str).is_some_and(|n| n.eq_ignore_ascii_case(field)))
            })
            .and_then(|u| u.get("value").cloned())
            .unwrap_or(Value::Null)
    } else {
        get(record, field).cloned().unwrap_or(Value::Null)
    };
    let present = !(actual.is_null() || actual.as_str() == Some(""));
    match op.as_str() {
        "exist" => present,
        "notexist" => !present,
        "eq" => compare(&actual, &expected) == Some(std::cmp::Ordering::Equal),
        "noteq" => compare(&actual, &expected) != Some(std::cmp::Ordering::Equal),
        "gt" => compare(&actual, &expected) == Some(std::cmp::Ordering::Greater),
        "gte" => matches!(compare(&actual, &expected), Some(std::cmp::Ordering::Greater | std::cmp::Ordering::Equal)),
        "lt" => compare(&actual, &expected) == Some(std::cmp::Ordering::Less),
        "lte" => matches!(compare(&actual, &expected), Some(std::cmp::Ordering::Less | std::cmp::Ordering::Equal)),
        "beginswith" => present && text(&actual).starts_with(&text(&expected)),
        "endswith" => present && text(&actual).ends_with(&text(&expected)),
        "contains" => present && text(&actual).contains(&text(&expected)),
        "in" | "notin" => {
            let list = expected.as_array().cloned().unwrap_or_else(|| vec![expected.clone()]);
            let found = list.iter().any(|v| compare(&actual, v) == Some(std::cmp::Ordering::Equal));
            if op == "in" {
                found
            } else {
                !found
            }
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record() -> Map<String, Value> {
        json!({ "id": 7, "title": "Printer jam", "queueID": 29683, "lastActivityDate": "2026-11-20T10:00:00.000Z",
                "isActive": true, "externalID": null,
                "userDefinedFields": [{ "name": "MSA", "value": "Yes" }] })
        .as_object()
        .cloned()
        .unwrap()
    }

    fn passes(filter: Value) -> bool {
        matches(&record(), filter.as_array().unwrap())
    }

    #[test]
    fn every_operator() {
        assert!(passes(json!([{ "op": "eq", "field": "id", "value": 7 }])));
        assert!(passes(json!([{ "op": "eq", "field": "ID", "value": "7" }])));
        assert!(passes(json!([{ "op": "noteq", "field": "id", "value": 8 }])));
        assert!(passes(json!([{ "op": "gt", "field": "lastActivityDate", "value": "2026-11-20T09:59:59Z" }])));
        assert!(!passes(json!([{ "op": "gt", "field": "lastActivityDate", "value": "2026-11-20T10:00:00Z" }])));
        assert!(passes(
            json!([{ "op": "gte", "field": "id", "value": 7 }, { "op": "lte", "field": "id", "value": 7 }])
        ));
        assert!(passes(json!([{ "op": "lt", "field": "id", "value": 8 }])));
        assert!(passes(json!([{ "op": "beginsWith", "field": "title", "value": "printer" }])));
        assert!(passes(json!([{ "op": "endsWith", "field": "title", "value": "JAM" }])));
        assert!(passes(json!([{ "op": "contains", "field": "title", "value": "ter j" }])));
        assert!(passes(json!([{ "op": "exist", "field": "title" }])));
        assert!(passes(json!([{ "op": "notExist", "field": "externalID" }])));
        assert!(passes(json!([{ "op": "in", "field": "queueID", "value": [1, 29683] }])));
        assert!(passes(json!([{ "op": "notIn", "field": "queueID", "value": [1, 2] }])));
        assert!(passes(json!([{ "op": "eq", "field": "isActive", "value": true }])));
        assert!(passes(json!([{ "op": "eq", "field": "MSA", "value": "yes", "udf": true }])));
        assert!(passes(json!([{ "op": "or", "items": [
            { "op": "eq", "field": "id", "value": 1 },
            { "op": "and", "items": [{ "op": "eq", "field": "queueID", "value": 29683 }, { "op": "contains", "field": "title", "value": "jam" }] }
        ]}])));
        assert!(!passes(
            json!([{ "op": "and", "items": [{ "op": "eq", "field": "id", "value": 7 }, { "op": "eq", "field": "id", "value": 8 }] }])
        ));
    }
}
