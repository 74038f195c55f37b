//! URL templates: directions to a customer's site (a map search) and the
//! MSP's remote-control tools (ScreenConnect, Splashtop, …), one list per
//! installation. A template names values as placeholders (`{device_name}`,
//! `{serial}`, …); expanding it percent-encodes each value, so a device
//! named `x/../#javascript:` stays one harmless path segment. Only `https:`
//! or a tool's own registered scheme (`sc:`, `splashtop:`) is accepted —
//! never `javascript:`, `file:`, `data:`, `http:` and the like — and the
//! scheme and server are written out, never a placeholder. The UI names a
//! tool and a device; the URL is built here and opened by the shell.

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use crate::db::{Db, DbError};
use crate::error::ErrorPayload;
use crate::validation::{FieldError, FieldErrors};

/// OpenStreetMap's search, the map used until another is set.
pub const DEFAULT_MAP_TEMPLATE: &str = "https://www.openstreetmap.org/search?query={address}";
/// At most this many remote tools.
pub const MAX_TOOLS: usize = 12;
const MAX_TEMPLATE_CHARS: usize = 2_000;
const MAX_NAME_CHARS: usize = 60;

/// The placeholders a map template may use.
pub const MAP_PLACEHOLDERS: &[&str] = &["address", "customer"];
/// The placeholders a remote tool's template may use.
pub const TOOL_PLACEHOLDERS: &[&str] =
    &["device_name", "serial", "device_id", "ticket_number", "ticket_id", "customer", "address"];

/// Schemes never opened, whatever a template says: they run code, read
/// files, carry their own content or leave the encrypted web.
const FORBIDDEN_SCHEMES: &[&str] = &[
    "javascript",
    "vbscript",
    "data",
    "file",
    "http",
    "ftp",
    "about",
    "blob",
    "jar",
    "view-source",
    "filesystem",
    "smb",
    "ms-msdt",
    "search-ms",
    "ms-officecmd",
    "shell",
];

/// One remote-control tool: its name on the button and its URL template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RemoteTool {
    pub name: String,
    pub url_template: String,
}

/// The installation's URL templates (Settings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UrlTemplates {
    /// Directions: `{address}` (the site's address) and `{customer}`.
    pub map_url_template: String,
    /// None until the MSP adds its own.
    pub remote_tools: Vec<RemoteTool>,
}

impl Default for UrlTemplates {
    fn default() -> Self {
        UrlTemplates { map_url_template: DEFAULT_MAP_TEMPLATE.into(), remote_tools: Vec::new() }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum UrlTemplateError {
    #[error("Some fields need attention.")]
    Invalid(Vec<FieldError>),
    /// The template needs a value this record does not have.
    #[error("{0}")]
    Missing(String),
    #[error("{0}")]
    NotFound(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<rusqlite::Error> for UrlTemplateError {
    fn from(error: rusqlite::Error) -> Self {
        UrlTemplateError::Db(DbError::Sqlite(error))
    }
}

impl From<UrlTemplateError> for ErrorPayload {
    fn from(error: UrlTemplateError) -> Self {
        match error {
            UrlTemplateError::Invalid(fields) => ErrorPayload::validation(fields),
            UrlTemplateError::Missing(message) => ErrorPayload::internal(message),
            UrlTemplateError::NotFound(message) => ErrorPayload::not_found(message),
            UrlTemplateError::Db(db) => db.into(),
        }
    }
}

/// A piece of a parsed template.
#[derive(Debug, PartialEq, Eq)]
enum Part<'a> {
    Text(&'a str),
    Placeholder(&'a str),
}

fn placeholder_list(allowed: &[&str]) -> String {
    allowed.iter().map(|name| format!("{{{name}}}")).collect::<Vec<_>>().join(", ")
}

/// Splits a template into text and placeholders, or says what is wrong
/// with it (for the technician, about this field).
fn parse<'a>(template: &'a str, allowed: &[&str]) -> Result<Vec<Part<'a>>, String> {
    let mut parts = Vec::new();
    let mut rest = template;
    while !rest.is_empty() {
        match (rest.find('{'), rest.find('}')) {
            (_, Some(close)) if rest.find('{').is_none_or(|open| close < open) => {
                return Err("A } without its {: write placeholders as {device_name}.".into());
            }
            (Some(open), _) => {
                if open > 0 {
                    parts.push(Part::Text(&rest[..open]));
                }
                let after = &rest[open + 1..];
                let Some(close) = after.find('}') else {
                    return Err("A { without its }: write placeholders as {device_name}.".into());
                };
                let name = &after[..close];
                if !allowed.contains(&name) {
                    return Err(format!(
                        "Unknown placeholder {{{name}}}. This template can use {}.",
                        placeholder_list(allowed)
                    ));
                }
                parts.push(Part::Placeholder(name));
                rest = &after[close + 1..];
            }
            (None, _) => {
                parts.push(Part::Text(rest));
                rest = "";
            }
        }
    }
    Ok(parts)
}

/// Checks a template: its placeholders, its scheme (`https`, or a tool's
/// own when `own_schemes`), and that scheme and server are written out.
pub fn check_template(template: &str, allowed: &[&str], own_schemes: bool) -> Result<(), String> {
    if template.is_empty() {
        return Err("Required.".into());
    }
    if template.chars().count() > MAX_TEMPLATE_CHARS {
        return Err(format!("At most {MAX_TEMPLATE_CHARS} characters."));
    }
    if template.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("A URL has no spaces or line breaks: write a space in a value as a placeholder.".into());
    }
    let parts = parse(template, allowed)?;
    let literal = match parts.first() {
        Some(Part::Text(text)) => *text,
        _ => "",
    };
    let Some((scheme, after)) = literal.split_once(':') else {
        return Err(if own_schemes {
            "Start with https:// or the tool's own scheme (such as sc:// or splashtop://), written out.".into()
        } else {
            "Start the link with https://, written out.".into()
        });
    };
    let scheme_ok = scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c));
    if !scheme_ok {
        return Err("The scheme (before the first :) may hold only letters, digits, +, . and -.".into());
    }
    let scheme = scheme.to_ascii_lowercase();
    if scheme == "https" {
        // The server is written out: no value can send the link elsewhere.
        let Some(authority) = after.strip_prefix("//") else {
            return Err("Write https:// followed by the server's name.".into());
        };
        let server_written =
            authority.find(['/', '?', '#']).is_some_and(|end| end > 0) || (!authority.is_empty() && parts.len() == 1);
        if !server_written || authority.starts_with(['/', '?', '#']) {
            return Err("Write the server's name out after https://, not as a placeholder.".into());
        }
        return Ok(());
    }
    if FORBIDDEN_SCHEMES.contains(&scheme.as_str()) || !own_schemes {
        return Err(if own_schemes {
            format!("{scheme}: links are not allowed: use https:// or the tool's own scheme.")
        } else {
            format!("{scheme}: links are not allowed: use https://.")
        });
    }
    Ok(())
}

/// Percent-encodes everything but the unreserved characters (RFC 3986).
pub fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// What a template's placeholders stand for, where known.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Values {
    pub device_name: Option<String>,
    pub serial: Option<String>,
    pub device_id: Option<i64>,
    pub ticket_number: Option<String>,
    pub ticket_id: Option<i64>,
    pub customer: Option<String>,
    pub address: Option<String>,
    /// Whether a ticket was given at all (a missing ticket says so).
    pub has_ticket: bool,
}

fn missing(name: &str, template: &str, values: &Values) -> String {
    let what = match name {
        "device_name" => "This device has no name".to_string(),
        "serial" => "This device has no serial number".to_string(),
        "device_id" => "This device is not in the PSA yet (it has no PSA id)".to_string(),
        "ticket_number" | "ticket_id" if !values.has_ticket => "No ticket is open".to_string(),
        "ticket_number" => "This ticket has no number".to_string(),
        "ticket_id" => "This ticket is not in the PSA yet (it has no PSA id)".to_string(),
        "customer" => "The customer has no name".to_string(),
        "address" => "This customer has no address on file".to_string(),
        other => format!("There is no {other}"),
    };
    format!("{what}; the template {template} needs it.")
}

/// Fills `template` (named `name` in messages) with `values`, each
/// percent-encoded; a value it needs and lacks is a clear error.
pub fn expand(name: &str, template: &str, allowed: &[&str], values: &Values) -> Result<String, String> {
    let mut out = String::new();
    for part in parse(template, allowed)? {
        match part {
            Part::Text(text) => out.push_str(text),
            Part::Placeholder(placeholder) => {
                let value = match placeholder {
                    "device_name" => values.device_name.clone(),
                    "serial" => values.serial.clone(),
                    "device_id" => values.device_id.map(|id| id.to_string()),
                    "ticket_number" => values.ticket_number.clone(),
                    "ticket_id" => values.ticket_id.map(|id| id.to_string()),
                    "customer" => values.customer.clone(),
                    "address" => values.address.clone(),
                    _ => None,
                };
                match value.map(|v| v.trim().replace('\0', "")).filter(|v| !v.is_empty()) {
                    Some(value) => out.push_str(&percent_encode(&value)),
                    None => return Err(missing(placeholder, name, values)),
                }
            }
        }
    }
    Ok(out)
}

/// The templates as saved (the defaults until then).
pub fn get_url_templates(db: &Db) -> Result<UrlTemplates, DbError> {
    Ok(db.read(read_templates)?)
}

fn read_templates(connection: &Connection) -> rusqlite::Result<UrlTemplates> {
    let get = |key: &str| -> rusqlite::Result<Option<String>> {
        connection.query_row("SELECT value FROM settings WHERE key = ?1", [key], |row| row.get(0)).optional()
    };
    let defaults = UrlTemplates::default();
    Ok(UrlTemplates {
        map_url_template: get("map_url_template")?.filter(|t| !t.is_empty()).unwrap_or(defaults.map_url_template),
        remote_tools: get("remote_tools")?.and_then(|json| serde_json::from_str(&json).ok()).unwrap_or_default(),
    })
}

/// Checks every template and stores them in one transaction; an invalid
/// one is refused with a message on its field and nothing is stored.
pub fn save_url_templates(db: &Db, templates: &UrlTemplates) -> Result<UrlTemplates, UrlTemplateError> {
    let mut errors = FieldErrors::default();
    let map = match templates.map_url_template.trim() {
        "" => DEFAULT_MAP_TEMPLATE.to_string(),
        map => map.to_string(),
    };
    if let Err(message) = check_template(&map, MAP_PLACEHOLDERS, false) {
        errors.add("map_url_template", message);
    }
    if templates.remote_tools.len() > MAX_TOOLS {
        errors.add("remote_tools", format!("At most {MAX_TOOLS} remote tools."));
    }
    let mut tools = Vec::new();
    for (index, tool) in templates.remote_tools.iter().enumerate() {
        let name = errors.text(&format!("remote_tools.{index}.name"), &tool.name, true, MAX_NAME_CHARS);
        if !name.is_empty() && tools.iter().any(|t: &RemoteTool| t.name.eq_ignore_ascii_case(&name)) {
            errors.add(format!("remote_tools.{index}.name"), "Another tool has this name.");
        }
        let template = tool.url_template.trim().to_string();
        if let Err(message) = check_template(&template, TOOL_PLACEHOLDERS, true) {
            errors.add(format!("remote_tools.{index}.url_template"), message);
        }
        tools.push(RemoteTool { name, url_template: template });
    }
    errors.into_result().map_err(UrlTemplateError::Invalid)?;
    let cleaned = UrlTemplates { map_url_template: map, remote_tools: tools };
    let tools_json = serde_json::to_string(&cleaned.remote_tools).unwrap_or_else(|_| "[]".into());
    db.write(|tx| {
        for (key, value) in [("map_url_template", cleaned.map_url_template.as_str()), ("remote_tools", tools_json.as_str())] {
            tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )?;
        }
        Ok::<_, rusqlite::Error>(())
    })?;
    Ok(cleaned)
}

/// A site's address on one line.
const ADDRESS: &str = "concat_ws(', ', nullif(address1, ''), nullif(address2, ''), nullif(city, ''),
     nullif(trim(state || ' ' || postal_code), ''), nullif(country, ''))";

/// The directions link to a customer's site: `site_id` when given (it must
/// be the customer's), else the primary site, else the first.
pub fn directions_url(db: &Db, customer_id: Uuid, site_id: Option<Uuid>) -> Result<String, UrlTemplateError> {
    db.read(|connection| {
        let templates = read_templates(connection)?;
        let customer: String = connection
            .query_row("SELECT name FROM customers WHERE id = ?1", [customer_id.to_string()], |r| r.get(0))
            .optional()?
            .ok_or_else(|| UrlTemplateError::NotFound("That customer is not in the cache.".into()))?;
        let address: Option<String> = match site_id {
            Some(site) => Some(
                connection
                    .query_row(
                        &format!("SELECT {ADDRESS} FROM sites WHERE id = ?1 AND customer_id = ?2"),
                        params![site.to_string(), customer_id.to_string()],
                        |r| r.get(0),
                    )
                    .optional()?
                    .ok_or_else(|| UrlTemplateError::NotFound("That site is not one of this customer's.".into()))?,
            ),
            None => connection
                .query_row(
                    &format!(
                        "SELECT {ADDRESS} FROM sites WHERE customer_id = ?1 ORDER BY is_primary DESC, position LIMIT 1"
                    ),
                    [customer_id.to_string()],
                    |r| r.get(0),
                )
                .optional()?,
        };
        let values = Values { customer: Some(customer), address, ..Values::default() };
        expand("for directions", &templates.map_url_template, MAP_PLACEHOLDERS, &values)
            .map_err(UrlTemplateError::Missing)
    })
}

/// The link of remote tool number `tool` (in Settings' order) for a device,
/// with the ticket's values when one is given; the tool's name and the link.
pub fn remote_tool_url(
    db: &Db,
    tool: usize,
    device_id: Uuid,
    ticket_id: Option<Uuid>,
) -> Result<(String, String), UrlTemplateError> {
    db.read(|connection| {
        let templates = read_templates(connection)?;
        let tool = templates.remote_tools.get(tool).cloned().ok_or_else(|| {
            UrlTemplateError::NotFound("That remote tool is no longer in Settings: open the device again.".into())
        })?;
        #[allow(clippy::type_complexity)]
        let (name, serial, psa, customer, address): (String, String, Option<i64>, String, Option<String>) = connection
            .query_row(
                &format!(
                    "SELECT d.name, d.serial_number, d.psa_id, c.name,
                        (SELECT {ADDRESS} FROM sites s WHERE s.id = coalesce(d.site_id,
                            (SELECT id FROM sites WHERE customer_id = c.id ORDER BY is_primary DESC, position LIMIT 1)))
                     FROM devices d JOIN customers c ON c.id = d.customer_id WHERE d.id = ?1"
                ),
                [device_id.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?
            .ok_or_else(|| UrlTemplateError::NotFound("That device is not in the cache.".into()))?;
        let mut values = Values {
            device_name: Some(name),
            serial: Some(serial),
            device_id: psa,
            customer: Some(customer),
            address,
            has_ticket: ticket_id.is_some(),
            ..Values::default()
        };
        if let Some(ticket) = ticket_id {
            let (number, psa): (String, Option<i64>) = connection
                .query_row("SELECT number, psa_id FROM tickets WHERE id = ?1", [ticket.to_string()], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()?
                .ok_or_else(|| UrlTemplateError::NotFound("That ticket is not in the cache.".into()))?;
            values.ticket_number = Some(number);
            values.ticket_id = psa;
        }
        let url =
            expand(&tool.name, &tool.url_template, TOOL_PLACEHOLDERS, &values).map_err(UrlTemplateError::Missing)?;
        Ok((tool.name, url))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device() -> Values {
        Values {
            device_name: Some("WS-Front Desk/01".into()),
            serial: Some("SN 42".into()),
            device_id: Some(60_001),
            ticket_number: Some("T20261124.0042".into()),
            ticket_id: Some(100_042),
            customer: Some("Cedar & Stone".into()),
            address: Some("12 Main St, Portland".into()),
            has_ticket: true,
        }
    }

    #[test]
    fn placeholders_are_filled_and_percent_encoded() {
        let url = expand(
            "ScreenConnect",
            "https://help.example.com/Host#Access///{device_name}/Join?t={ticket_number}&id={device_id}",
            TOOL_PLACEHOLDERS,
            &device(),
        )
        .unwrap();
        assert_eq!(url, "https://help.example.com/Host#Access///WS-Front%20Desk%2F01/Join?t=T20261124.0042&id=60001");
        let map = expand("map", DEFAULT_MAP_TEMPLATE, MAP_PLACEHOLDERS, &device()).unwrap();
        assert_eq!(map, "https://www.openstreetmap.org/search?query=12%20Main%20St%2C%20Portland");
        assert_eq!(percent_encode("Zürich"), "Z%C3%BCrich");
    }

    #[test]
    fn hostile_values_stay_inert_text() {
        let hostile = Values {
            device_name: Some("\"; rm -rf / #".into()),
            serial: Some("javascript:alert(1)".into()),
            ..device()
        };
        let url = expand("Tool", "sc://relay.example.com/{device_name}/{serial}", TOOL_PLACEHOLDERS, &hostile).unwrap();
        assert_eq!(url, "sc://relay.example.com/%22%3B%20rm%20-rf%20%2F%20%23/javascript%3Aalert%281%29");
        assert!(!url[5..].contains(':') && !url.contains(' ') && !url.contains('"'));
    }

    #[test]
    fn a_missing_value_names_what_and_the_template() {
        let no_serial = Values { serial: Some(" ".into()), ..device() };
        let error = expand("Splashtop", "splashtop://open?serial={serial}", TOOL_PLACEHOLDERS, &no_serial).unwrap_err();
        assert_eq!(error, "This device has no serial number; the template Splashtop needs it.");
        let no_ticket = Values { ticket_number: None, has_ticket: false, ..device() };
        let error = expand("X", "https://x.example/{ticket_number}", TOOL_PLACEHOLDERS, &no_ticket).unwrap_err();
        assert_eq!(error, "No ticket is open; the template X needs it.");
        let local = Values { device_id: None, ..device() };
        assert!(expand("X", "https://x.example/{device_id}", TOOL_PLACEHOLDERS, &local)
            .unwrap_err()
            .contains("PSA id"));
    }

    #[test]
    fn templates_are_checked_for_placeholders_and_schemes() {
        let tool = |t: &str| check_template(t, TOOL_PLACEHOLDERS, true);
        assert_eq!(tool("https://help.example.com/Host#Access///{device_name}/Join"), Ok(()));
        assert_eq!(tool("sc://relay.example.com/{serial}"), Ok(()));
        assert_eq!(tool("splashtop://open?name={device_name}"), Ok(()));
        assert!(tool("https://x.example/{hostname}").unwrap_err().contains("Unknown placeholder {hostname}"));
        assert!(tool("https://x.example/{device_name").unwrap_err().contains("without its }"));
        assert!(tool("https://x.example/device_name}").unwrap_err().contains("without its {"));
        for bad in [
            "javascript:alert(1)",
            "JavaScript://x.example/%0aalert(1)",
            "file:///etc/passwd",
            "data:text/html,hi",
            "vbscript:msgbox",
            "http://help.example.com/{device_name}",
            "ms-msdt:/id",
        ] {
            assert!(tool(bad).unwrap_err().contains("not allowed"), "{bad}");
        }
        // The scheme and server are written out, never a value.
        assert!(tool("{device_name}").is_err());
        assert!(tool("{address}://x").is_err());
        assert!(tool("https://{device_name}.example.com/").unwrap_err().contains("server"));
        assert!(tool("https:///path").is_err());
        assert!(tool("1sc://x").is_err());
        assert!(tool("https://x.example/a b").unwrap_err().contains("spaces"));
        let map = |t: &str| check_template(t, MAP_PLACEHOLDERS, false);
        assert_eq!(map(DEFAULT_MAP_TEMPLATE), Ok(()));
        assert_eq!(map("https://maps.example.com"), Ok(()));
        assert!(map("https://maps.example.com/?q={serial}").unwrap_err().contains("{address}, {customer}"));
        assert!(map("geo:0,0?q={address}").unwrap_err().contains("not allowed"));
    }

    #[test]
    fn saving_refuses_an_invalid_template_with_its_field_and_keeps_what_was_there() {
        let db = Db::open_in_memory().unwrap();
        assert_eq!(get_url_templates(&db).unwrap(), UrlTemplates::default());
        let good = UrlTemplates {
            map_url_template: "https://maps.example.com/?q={address}".into(),
            remote_tools: vec![RemoteTool {
                name: " ScreenConnect ".into(),
                url_template: "https://help.example.com/Host#Access///{device_name}/Join".into(),
            }],
        };
        let saved = save_url_templates(&db, &good).unwrap();
        assert_eq!(saved.remote_tools[0].name, "ScreenConnect");
        let bad = UrlTemplates {
            map_url_template: "javascript:alert(1)".into(),
            remote_tools: vec![
                RemoteTool { name: "A".into(), url_template: "sc://x/{nope}".into() },
                RemoteTool { name: "a".into(), url_template: "file:///c".into() },
                RemoteTool { name: "".into(), url_template: "sc://x/".into() },
            ],
        };
        let Err(UrlTemplateError::Invalid(fields)) = save_url_templates(&db, &bad) else { panic!("refused") };
        let named: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            named,
            [
                "map_url_template",
                "remote_tools.0.url_template",
                "remote_tools.1.name",
                "remote_tools.1.url_template",
                "remote_tools.2.name"
            ]
        );
        assert!(fields[1].message.contains("{nope}"));
        assert_eq!(get_url_templates(&db).unwrap(), saved, "nothing else lost");
    }
}
