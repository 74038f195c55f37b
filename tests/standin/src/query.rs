//! Autotask query filters: every operator, nested and/or groups, UDF
//! conditions. A filter is checked against the entity's fields once and
//! compiled; comparisons follow the field's type from the contract —
//! numbers numerically, date-times as instants, booleans, text without
//! regard to case.

use std::cmp::Ordering;
use std::collections::HashSet;

use chrono::{DateTime, SubsecRound, Utc};
use serde_json::{Map, Value};

use crate::contract::{self, DataType};
use crate::store::{parse_instant, Record};

/// A field's value in a JSON object, by name without regard to case
/// (clients send `MaxRecords`, `maxRecords`, `Filter`, `filter`…).
pub fn get<'a>(object: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    object.get(name).or_else(|| object.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, v)| v))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    NotEq,
    Gt,
    Gte,
    Lt,
    Lte,
    BeginsWith,
    EndsWith,
    Contains,
    Exist,
    NotExist,
    In,
    NotIn,
}

impl Op {
    fn parse(name: &str) -> Option<Op> {
        Some(match name.to_ascii_lowercase().as_str() {
            "eq" => Op::Eq,
            "noteq" => Op::NotEq,
            "gt" => Op::Gt,
            "gte" => Op::Gte,
            "lt" => Op::Lt,
            "lte" => Op::Lte,
            "beginswith" => Op::BeginsWith,
            "endswith" => Op::EndsWith,
            "contains" => Op::Contains,
            "exist" => Op::Exist,
            "notexist" => Op::NotExist,
            "in" => Op::In,
            "notin" => Op::NotIn,
            _ => return None,
        })
    }
}

/// A value brought to the type it is compared in.
#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    Number(f64),
    Instant(DateTime<Utc>),
    Bool(bool),
    Text(String),
}

impl Operand {
    fn cmp(&self, other: &Operand) -> Option<Ordering> {
        match (self, other) {
            (Operand::Number(a), Operand::Number(b)) => a.partial_cmp(b),
            (Operand::Instant(a), Operand::Instant(b)) => Some(a.cmp(b)),
            (Operand::Bool(a), Operand::Bool(b)) => Some(a.cmp(b)),
            (a, b) => Some(a.text().cmp(&b.text())),
        }
    }

    /// The form used in `in` sets and by the text operators.
    fn text(&self) -> String {
        match self {
            Operand::Number(n) => n.to_string(),
            Operand::Instant(at) => at.timestamp_millis().to_string(),
            Operand::Bool(b) => b.to_string(),
            Operand::Text(t) => t.clone(),
        }
    }
}

fn raw_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.to_lowercase(),
        other => other.to_string().to_lowercase(),
    }
}

/// `value` as an operand of a field of `data_type` (`None`: a UDF, typed by its look).
fn operand(data_type: Option<DataType>, value: &Value) -> Option<Operand> {
    if value.is_null() {
        return None;
    }
    let number = || match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    match data_type {
        Some(DataType::Integer | DataType::Long | DataType::Double) => number().map(Operand::Number),
        // At the precision times are stored in (milliseconds), as a database compares
        // a parameter converted to its column's type.
        Some(DataType::DateTime) => {
            value.as_str().and_then(parse_instant).map(|at| Operand::Instant(at.trunc_subsecs(3)))
        }
        Some(DataType::Boolean) => match value {
            Value::Bool(b) => Some(Operand::Bool(*b)),
            Value::Number(n) => n.as_i64().map(|n| Operand::Bool(n != 0)),
            Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "1" => Some(Operand::Bool(true)),
                "false" | "0" => Some(Operand::Bool(false)),
                _ => None,
            },
            _ => None,
        },
        Some(_) => Some(Operand::Text(raw_text(value))),
        None => match value {
            Value::Number(_) => number().map(Operand::Number),
            Value::Bool(b) => Some(Operand::Bool(*b)),
            _ => Some(match value.as_str().and_then(parse_instant) {
                Some(at) if value.as_str().is_some_and(|s| s.contains('T')) => Operand::Instant(at),
                _ => Operand::Text(raw_text(value)),
            }),
        },
    }
}

/// A compiled filter.
#[derive(Debug)]
pub enum Filter {
    All(Vec<Filter>),
    Any(Vec<Filter>),
    Test { field: String, udf: bool, data_type: Option<DataType>, op: Op, expected: Vec<Operand>, set: HashSet<String> },
}

/// The message Autotask gives for a filter it cannot run.
pub type FilterError = String;

/// Checks `items` (the top level of a query's `filter`, an AND) against
/// the entity's fields and compiles them.
pub fn compile(items: &[Value], entity: &str, udfs: &[&str]) -> Result<Filter, FilterError> {
    items.iter().map(|item| compile_item(item, entity, udfs)).collect::<Result<_, _>>().map(Filter::All)
}

fn compile_item(item: &Value, entity: &str, udfs: &[&str]) -> Result<Filter, FilterError> {
    let object = item.as_object().ok_or("Each filter item must be an object with an op.")?;
    let op_name = get(object, "op").and_then(Value::as_str).ok_or("Each filter item needs an op.")?;
    if op_name.eq_ignore_ascii_case("and") || op_name.eq_ignore_ascii_case("or") {
        let items = get(object, "items").and_then(Value::as_array).ok_or("An and/or group needs an items array.")?;
        let compiled = items.iter().map(|i| compile_item(i, entity, udfs)).collect::<Result<Vec<_>, _>>()?;
        return Ok(if op_name.eq_ignore_ascii_case("and") { Filter::All(compiled) } else { Filter::Any(compiled) });
    }
    let op = Op::parse(op_name).ok_or_else(|| format!("The operator {op_name} is not supported."))?;
    let field = get(object, "field").and_then(Value::as_str).ok_or("Each filter item needs a field.")?;
    let udf = get(object, "udf").is_some_and(|u| u.as_bool() == Some(true) || u.as_str() == Some("true"));
    let (field, data_type) = if udf {
        let name = udfs.iter().find(|n| n.eq_ignore_ascii_case(field));
        let name =
            name.ok_or_else(|| format!("Unable to find {field} in the {entity} Entity's user-defined fields."))?;
        (name.to_string(), None)
    } else {
        let known = contract::field(entity, field)
            .filter(|f| f.data_type != DataType::Udfs)
            .ok_or_else(|| format!("Unable to find {field} in the {entity} Entity."))?;
        (known.name.clone(), Some(known.data_type))
    };
    let value = get(object, "value").cloned().unwrap_or(Value::Null);
    let values: Vec<Value> = match (op, value) {
        (Op::Exist | Op::NotExist, _) => Vec::new(),
        (Op::In | Op::NotIn, Value::Array(list)) => list,
        (Op::In | Op::NotIn, _) => return Err(format!("The {op_name} operator on {field} needs a list of values.")),
        (_, Value::Null) => return Err(format!("The {op_name} condition on {field} needs a value.")),
        (_, Value::Array(_) | Value::Object(_)) => {
            return Err(format!("The {op_name} condition on {field} needs a single value."))
        }
        (_, value) => vec![value],
    };
    let expected = values
        .iter()
        .map(|v| operand(data_type, v).ok_or_else(|| format!("The value {v} cannot be compared with {field}.")))
        .collect::<Result<Vec<_>, _>>()?;
    let set =
        if matches!(op, Op::In | Op::NotIn) { expected.iter().map(Operand::text).collect() } else { HashSet::new() };
    Ok(Filter::Test { field, udf, data_type, op, expected, set })
}

impl Filter {
    pub fn matches(&self, record: &Record) -> bool {
        match self {
            Filter::All(items) => items.iter().all(|f| f.matches(record)),
            Filter::Any(items) => items.iter().any(|f| f.matches(record)),
            Filter::Test { field, udf, data_type, op, expected, set } => {
                let raw = if *udf { udf_value(record, field) } else { record.get(field) };
                let raw = raw.unwrap_or(&Value::Null);
                let present = !(raw.is_null() || raw.as_str() == Some(""));
                let actual = operand(*data_type, raw);
                let first = expected.first();
                let order = || actual.as_ref()?.cmp(first?);
                let text = || actual.as_ref().map(Operand::text).unwrap_or_default();
                let needle = || first.map(Operand::text).unwrap_or_default();
                match op {
                    Op::Exist => present,
                    Op::NotExist => !present,
                    Op::Eq => order() == Some(Ordering::Equal),
                    Op::NotEq => order() != Some(Ordering::Equal),
                    Op::Gt => order() == Some(Ordering::Greater),
                    Op::Gte => matches!(order(), Some(Ordering::Greater | Ordering::Equal)),
                    Op::Lt => order() == Some(Ordering::Less),
                    Op::Lte => matches!(order(), Some(Ordering::Less | Ordering::Equal)),
                    Op::BeginsWith => present && text().starts_with(&needle()),
                    Op::EndsWith => present && text().ends_with(&needle()),
                    Op::Contains => present && text().contains(&needle()),
                    Op::In => actual.is_some_and(|a| set.contains(&a.text())),
                    Op::NotIn => !actual.is_some_and(|a| set.contains(&a.text())),
                }
            }
        }
    }
}

fn udf_value<'a>(record: &'a Record, name: &str) -> Option<&'a Value> {
    record
        .get("userDefinedFields")?
        .as_array()?
        .iter()
        .find(|u| u.get("name").and_then(Value::as_str).is_some_and(|n| n.eq_ignore_ascii_case(name)))?
        .get("value")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record() -> Record {
        json!({ "id": 7, "title": "Printer jam", "queueID": 29683, "lastActivityDate": "2026-11-20T10:00:00.000Z",
                "externalID": null, "hoursWorked": 1.5,
                "userDefinedFields": [{ "name": "MSA", "value": "Yes" }] })
        .as_object()
        .cloned()
        .unwrap_or_default()
    }

    fn passes(filter: Value) -> bool {
        let items = filter.as_array().cloned().unwrap_or_default();
        match compile(&items, "Tickets", &["MSA"]) {
            Ok(filter) => filter.matches(&record()),
            Err(error) => panic!("{error}"),
        }
    }

    #[test]
    fn every_operator() {
        assert!(passes(json!([{ "op": "eq", "field": "id", "value": 7 }])));
        assert!(passes(json!([{ "op": "EQ", "field": "ID", "value": "7" }])));
        assert!(passes(json!([{ "op": "noteq", "field": "id", "value": 8 }])));
        assert!(passes(json!([{ "op": "gt", "field": "lastActivityDate", "value": "2026-11-20T09:59:59Z" }])));
        assert!(passes(json!([{ "op": "gt", "field": "lastActivityDate", "value": "2026-11-20T10:30:00+01:00" }])));
        assert!(!passes(json!([{ "op": "gt", "field": "lastActivityDate", "value": "2026-11-20T10:00:00Z" }])));
        // Compared at the stored precision: a client's nanoseconds find the record it wrote.
        assert!(passes(
            json!([{ "op": "eq", "field": "lastActivityDate", "value": "2026-11-20T10:00:00.000400123Z" }])
        ));
        assert!(passes(
            json!([{ "op": "gte", "field": "id", "value": 7 }, { "op": "lte", "field": "id", "value": 7 }])
        ));
        assert!(passes(json!([{ "op": "lt", "field": "id", "value": 10 }])), "numerically, not as text");
        assert!(passes(json!([{ "op": "beginsWith", "field": "title", "value": "printer" }])));
        assert!(passes(json!([{ "op": "endsWith", "field": "title", "value": "JAM" }])));
        assert!(passes(json!([{ "op": "contains", "field": "title", "value": "ter j" }])));
        assert!(passes(json!([{ "op": "exist", "field": "title" }])));
        assert!(passes(json!([{ "op": "notExist", "field": "externalID" }])));
        assert!(passes(json!([{ "op": "in", "field": "queueID", "value": [1, "29683"] }])));
        assert!(passes(json!([{ "op": "notIn", "field": "queueID", "value": [1, 2] }])));
        assert!(passes(json!([{ "op": "eq", "field": "MSA", "value": "yes", "udf": true }])));
        assert!(passes(json!([{ "op": "or", "items": [
            { "op": "eq", "field": "id", "value": 1 },
            { "op": "and", "items": [{ "op": "eq", "field": "queueID", "value": 29683 }, { "op": "contains", "field": "title", "value": "jam" }] }
        ]}])));
        assert!(!passes(
            json!([{ "op": "and", "items": [{ "op": "eq", "field": "id", "value": 7 }, { "op": "eq", "field": "id", "value": 8 }] }])
        ));
    }

    #[test]
    fn refusals() {
        let refused =
            |filter: Value| compile(filter.as_array().map(Vec::as_slice).unwrap_or_default(), "Tickets", &["MSA"]);
        assert_eq!(
            refused(json!([{ "op": "eq", "field": "colour", "value": 1 }])).err().as_deref(),
            Some("Unable to find colour in the Tickets Entity.")
        );
        assert!(refused(json!([{ "op": "like", "field": "id", "value": 1 }])).is_err());
        assert!(refused(json!([{ "op": "in", "field": "id", "value": 1 }])).is_err());
        assert!(refused(json!([{ "op": "eq", "field": "id" }])).is_err());
        assert!(refused(json!([{ "op": "eq", "field": "id", "value": "seven" }])).is_err());
        assert!(refused(json!([{ "op": "eq", "field": "Colour", "value": "x", "udf": true }])).is_err());
        assert!(refused(json!([{ "op": "or" }])).is_err());
    }
}
