//! The HaloPSA connector: Halo's lists (`GET /{Entity}` with
//! `pageinate=true&page_no&page_size=100`, their envelopes read
//! defensively) turned into the neutral record shape ([`map`]), its writes
//! (`POST /{Entity}` with a one-element array, answered by the saved
//! object), and the look-ups that find a create whose answer was lost.
//!
//! What Halo's reads cannot do, the connector does itself, and says so:
//! - Unknown query parameters are ignored silently by Halo, so every
//!   filtered read is checked row by row (scope, ids, parents, since).
//! - Actions (notes and time) are read per ticket only; a "changed notes"
//!   read covers the tickets this connector saw change in the same cycle,
//!   and time entries are the actions with time taken by me among the
//!   actions read. An action's neutral id is `ticket << 24 | action`.
//! - Secondary resources are a ticket's `additional_agents`, and a service
//!   call's tickets and resources an appointment's `ticket_id` and agents:
//!   remembered from the tickets and appointments read, no requests.
//! - The last page of a list is the first of: fewer rows than Halo's page
//!   (100), the running total reaching `record_count`, a page starting with
//!   the previous page's first id (Halo repeats the last page), or
//!   [`MAX_PAGES`] pages.
//!
//! Creates go one at a time (Halo numbers tickets racily on parallel
//! creates), each with a marker: `third_party_id_string` on a ticket, `guid`
//! on an action, `third_party_id` on an attachment (all unverified on a live
//! tenant), and the look-up falls back to the content where the marker is
//! not kept.

pub mod client;
pub mod map;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Mutex;

use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use reqwest::Method;
use serde_json::{json, Value};

pub use client::{Client, Endpoint};

use super::autotask::client::Failure;
use super::autotask::RetryPolicy;
use super::connector::{Connector, Kind, Page, PushFailure, PushOp, Resolved, Scope, Selection};
use super::SyncError;
use crate::picklists::{PicklistKind, PicklistValue};

/// The words the UI uses for HaloPSA (see `autotask::LABELS`).
pub const LABELS: [&str; 9] = [
    "HaloPSA",
    "Open in HaloPSA",
    "HaloPSA ticket number",
    "Halo URL",
    "Client id",
    "Tenant (hosted Halo only)",
    "Client secret",
    "Your agent id",
    "Teams to keep",
];

/// Halo's page: larger requests are cut to 100 without an error.
pub const PAGE_SIZE: usize = 100;
/// The most pages one list is followed for.
pub const MAX_PAGES: u32 = 10_000;
/// Tickets whose actions are read for one page of notes.
const TICKETS_PER_NOTE_PAGE: usize = 10;
/// Attachments above this are refused before sending (Halo's limit is not
/// documented; the base64 body is 4/3 of the file).
pub const MAX_ATTACHMENT_BYTES: usize = 6_000_000;
/// How far ahead appointments are read.
const CALLS_AHEAD_DAYS: i64 = 365;

/// A Halo record into the neutral shape.
type Convert = fn(&Value) -> Option<Value>;

/// What this connector learnt from the records it read (see the module doc).
#[derive(Default)]
struct Memory {
    teams: Vec<(i64, String)>,
    outcomes: Vec<i64>,
    /// `additional_agents` per ticket read.
    helpers: HashMap<i64, Vec<i64>>,
    /// Tickets read by a "changed" read, with their last change.
    changed_tickets: HashMap<i64, Option<DateTime<Utc>>>,
    /// Actions read, per ticket.
    actions: HashMap<i64, Vec<Value>>,
    /// Appointments read: ticket and agents.
    calls: HashMap<i64, (Option<i64>, Vec<i64>)>,
    /// The ticket list of a "changed notes" read, frozen at its first page.
    note_tickets: Vec<i64>,
    /// Open tickets read where I am the agent or an additional agent: their
    /// to-do lists are read (Halo reads them one ticket at a time).
    mine: HashSet<i64>,
}

pub struct HaloPsa {
    client: Client,
    memory: Mutex<Memory>,
    /// Creates go one at a time.
    creates: tokio::sync::Mutex<()>,
}

/// Where a paged read is: which query (pass), which page, rows so far, the
/// first id of the last page.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Cursor {
    pass: usize,
    page: u32,
    seen: u64,
    first: Option<i64>,
}

impl Cursor {
    fn parse(text: Option<&str>) -> Cursor {
        let Some(text) = text else { return Cursor { page: 1, ..Cursor::default() } };
        let parts: Vec<&str> = text.split(':').collect();
        Cursor {
            pass: parts.first().and_then(|p| p.parse().ok()).unwrap_or(0),
            page: parts.get(1).and_then(|p| p.parse().ok()).unwrap_or(1),
            seen: parts.get(2).and_then(|p| p.parse().ok()).unwrap_or(0),
            first: parts.get(3).and_then(|p| p.parse().ok()),
        }
    }

    fn text(&self) -> String {
        format!("{}:{}:{}:{}", self.pass, self.page, self.seen, self.first.map(|f| f.to_string()).unwrap_or_default())
    }
}

/// One list query: path with its parameters, the envelope key, paged or not.
struct List {
    path: String,
    key: &'static str,
    paged: bool,
}

fn list(path: impl Into<String>, key: &'static str) -> List {
    List { path: path.into(), key, paged: true }
}

/// The rows of a list answer: a bare array, the envelope's key, or the
/// first array-valued property. `record_count` when given.
pub fn rows_of(body: &Value, key: &str) -> Result<(Vec<Value>, Option<u64>), SyncError> {
    match body {
        Value::Array(rows) => Ok((rows.clone(), None)),
        Value::Object(object) => {
            let count = object.get("record_count").and_then(|c| c.as_u64().or_else(|| c.as_f64().map(|f| f as u64)));
            let rows = object
                .iter()
                .find(|(name, value)| name.eq_ignore_ascii_case(key) && value.is_array())
                .or_else(|| object.iter().find(|(_, value)| value.is_array()))
                .and_then(|(_, value)| value.as_array().cloned());
            match rows {
                Some(rows) => Ok((rows, count)),
                // An empty envelope with no list at all.
                None if count == Some(0) => Ok((Vec::new(), count)),
                None => Err(SyncError::Malformed(format!("a list without its “{key}”"))),
            }
        }
        _ => Err(SyncError::Malformed(format!("a list of {key} that is neither a list nor an envelope"))),
    }
}

fn wire_stamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn with(path: &str, params: &[(&str, String)]) -> String {
    let query: Vec<String> =
        params.iter().map(|(name, value)| format!("{name}={}", super::autotask::client::encode(value))).collect();
    if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", query.join("&"))
    }
}

fn push_failure(failure: Failure) -> PushFailure {
    match failure {
        Failure::Rejected(message) => PushFailure::Rejected(message),
        Failure::Unknown(message) => PushFailure::Unknown(message),
        Failure::Transient(message) => PushFailure::Transient(message),
    }
}

/// The saved object of a POST answer (an object, or an array of one).
fn saved(answer: &Value) -> Option<&Value> {
    match answer {
        Value::Array(items) => items.last(),
        Value::Object(_) => Some(answer),
        _ => None,
    }
}

impl HaloPsa {
    pub fn new(endpoint: Endpoint, retry: RetryPolicy) -> Result<HaloPsa, SyncError> {
        Ok(HaloPsa {
            client: Client::new(endpoint, retry)?,
            memory: Mutex::new(Memory::default()),
            creates: Default::default(),
        })
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    fn memory(&self) -> std::sync::MutexGuard<'_, Memory> {
        self.memory.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Checks the address and the credentials: a token, then one small read.
    pub async fn test_connection(&self) -> Result<String, SyncError> {
        self.client.check_token().await?;
        let (agents, _) = rows_of(&self.client.call(Method::GET, "Agent", None, true).await?, "results")?;
        Ok(format!("Connected to HaloPSA. {} agents can be seen.", agents.len()))
    }

    async fn get(&self, path: &str) -> Result<Value, SyncError> {
        Ok(self.client.call(Method::GET, path, None, true).await?)
    }

    /// Teams (id, name), read once.
    async fn teams(&self) -> Result<Vec<(i64, String)>, SyncError> {
        let known = self.memory().teams.clone();
        if !known.is_empty() {
            return Ok(known);
        }
        let (rows, _) = rows_of(&self.get("Team").await?, "teams")?;
        let teams: Vec<(i64, String)> =
            rows.iter().filter_map(|t| Some((map::id(t, "id")?, map::text(t, "name")))).collect();
        self.memory().teams = teams.clone();
        Ok(teams)
    }

    /// Outcome ids (action types), read once.
    async fn outcomes(&self) -> Result<Vec<i64>, SyncError> {
        let known = self.memory().outcomes.clone();
        if !known.is_empty() {
            return Ok(known);
        }
        let (rows, _) = rows_of(&self.get("Outcome").await?, "outcomes")?;
        let outcomes: Vec<i64> = rows.iter().filter_map(|o| map::id(o, "id")).collect();
        self.memory().outcomes = outcomes.clone();
        Ok(outcomes)
    }

    /// One page of a list (`cursor.pass` indexes `lists`): the rows and the next cursor.
    async fn list_page(&self, lists: &[List], cursor: Cursor) -> Result<(Vec<Value>, Option<Cursor>), SyncError> {
        let Some(query) = lists.get(cursor.pass) else { return Ok((Vec::new(), None)) };
        let next_pass =
            || (cursor.pass + 1 < lists.len()).then(|| Cursor { pass: cursor.pass + 1, page: 1, seen: 0, first: None });
        if !query.paged {
            let (rows, _) = rows_of(&self.get(&query.path).await?, query.key)?;
            return Ok((rows, next_pass()));
        }
        if cursor.page > MAX_PAGES {
            return Err(SyncError::Malformed(format!(
                "more than {MAX_PAGES} pages for one list, so the read was stopped"
            )));
        }
        let separator = if query.path.contains('?') { '&' } else { '?' };
        let path = format!(
            "{}{separator}pageinate=true&page_size={PAGE_SIZE}&page_no={}&order=id&orderdesc=false",
            query.path, cursor.page
        );
        let (rows, count) = rows_of(&self.get(&path).await?, query.key)?;
        let first = rows.first().and_then(|r| map::id(r, "id"));
        // Asking past the end can return the last page again.
        if cursor.page > 1 && first.is_some() && first == cursor.first {
            return Ok((Vec::new(), next_pass()));
        }
        let seen = cursor.seen + rows.len() as u64;
        let last = rows.len() < PAGE_SIZE || count.is_some_and(|count| seen >= count);
        let next =
            if last { next_pass() } else { Some(Cursor { pass: cursor.pass, page: cursor.page + 1, seen, first }) };
        Ok((rows, next))
    }

    fn team_id(&self) -> impl Fn(&str) -> Option<i64> + '_ {
        let teams = self.memory().teams.clone();
        move |name: &str| teams.iter().find(|(_, team)| team.eq_ignore_ascii_case(name.trim())).map(|(id, _)| *id)
    }

    /// Whether a ticket is in the technician's world.
    fn in_scope(ticket: &Value, scope: &Scope) -> bool {
        let id = ticket.get("id").and_then(Value::as_i64);
        ticket.get("assignedResourceID").and_then(Value::as_i64) == Some(scope.me)
            || ticket.get("queueID").and_then(Value::as_i64).is_some_and(|q| scope.queues.contains(&q))
            || id.is_some_and(|id| scope.extra_tickets.contains(&id))
    }

    fn ticket_lists(params: &[(&str, String)]) -> Vec<List> {
        ["open_only", "closed_only"]
            .into_iter()
            .map(|pass| {
                let mut all = params.to_vec();
                all.push((pass, "true".into()));
                list(with("Tickets", &all), "tickets")
            })
            .collect()
    }

    async fn pull_tickets(
        &self,
        selection: &Selection,
        scope: &Scope,
        cursor: Cursor,
    ) -> Result<(Vec<Value>, Option<Cursor>), SyncError> {
        self.teams().await?;
        let (lists, wanted): (Vec<List>, Option<BTreeSet<i64>>) = match selection {
            Selection::Changed { since } => {
                let params: Vec<(&str, String)> =
                    since.map(|s| ("lastupdatefromdate", wire_stamp(s))).into_iter().collect();
                (Self::ticket_lists(&params), None)
            }
            Selection::Ids(ids) | Selection::Children { parents: ids, .. } => {
                let joined = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
                (Self::ticket_lists(&[("ticketids", joined)]), Some(ids.iter().copied().collect()))
            }
            Selection::AllIds => (Self::ticket_lists(&[]), None),
        };
        let (rows, next) = self.list_page(&lists, cursor).await?;
        let team_id = self.team_id();
        let mut records = Vec::new();
        let mut memory = Vec::new();
        for row in &rows {
            let Some(ticket) = map::ticket(row, &team_id) else { continue };
            let id = ticket["id"].as_i64().unwrap_or_default();
            let keep = match (&wanted, selection) {
                (Some(wanted), _) => wanted.contains(&id),
                (None, Selection::Changed { since: Some(since) }) => {
                    Self::in_scope(&ticket, scope)
                        && crate::sync::record::time_field(&ticket, "lastActivityDate").is_none_or(|at| at >= *since)
                }
                _ => Self::in_scope(&ticket, scope),
            };
            if !keep {
                continue;
            }
            let helpers = map::additional_agents(row);
            let mine = ticket["completedDate"].is_null()
                && (ticket["assignedResourceID"].as_i64() == Some(scope.me) || helpers.contains(&scope.me));
            memory.push((id, helpers, crate::sync::record::time_field(&ticket, "lastActivityDate"), mine));
            records.push(if matches!(selection, Selection::AllIds) { json!({ "id": id }) } else { ticket });
        }
        let mut held = self.memory();
        for (id, helpers, changed, mine) in memory {
            held.helpers.insert(id, helpers);
            if mine {
                held.mine.insert(id);
            } else {
                held.mine.remove(&id);
            }
            if matches!(selection, Selection::Changed { .. }) {
                held.changed_tickets.insert(id, changed);
            }
        }
        Ok((records, next))
    }

    /// The ticket, agent and neutral id of a secondary-resource create.
    fn helper_of(op: &PushOp) -> Result<(i64, i64, i64), PushFailure> {
        let ticket =
            op.body["id"].as_i64().ok_or_else(|| PushFailure::Rejected("The ticket is not in HaloPSA.".into()))?;
        let agent = op.body["_helper"]
            .as_i64()
            .ok_or_else(|| PushFailure::Rejected("That person is not in HaloPSA.".into()))?;
        let key = map::helper_key(ticket, agent).ok_or_else(|| {
            PushFailure::Rejected(format!("Ticket {ticket} or agent {agent} has an id Fieldkit cannot keep."))
        })?;
        Ok((ticket, agent, key))
    }

    /// A secondary resource is one of a ticket's `additional_agents`. Whether
    /// Halo replaces the list or adds to it is unverified: the whole list is
    /// sent — the ticket's as read now, plus this agent — which is right under
    /// both readings and harmless sent twice. Its neutral id is the
    /// (ticket, agent) pair, as the reads make it.
    async fn add_helper(&self, op: &PushOp) -> Result<i64, PushFailure> {
        let (ticket, agent, key) = Self::helper_of(op)?;
        let current =
            self.get(&format!("Tickets/{ticket}")).await.map_err(|e| PushFailure::Transient(e.to_string()))?;
        let mut agents = map::additional_agents(&current);
        if !agents.contains(&agent) {
            agents.push(agent);
            let listed: Vec<Value> = agents.iter().map(|id| json!({ "id": id })).collect();
            let body = json!([{ "id": ticket, "additional_agents": listed }]);
            self.client.call(Method::POST, "Tickets", Some(&body), true).await.map_err(push_failure)?;
        }
        self.memory().helpers.insert(ticket, agents);
        Ok(key)
    }

    /// The to-do lists (`FaultToDo`) of the selected tickets that are mine:
    /// Halo has no read of many tickets' to-dos, so one request per ticket,
    /// and only for the open tickets a technician visits (agent or
    /// additional agent) — the others' lists stay unread.
    async fn pull_todos(&self, selection: &Selection) -> Result<Vec<Value>, SyncError> {
        let parents: Vec<i64> = match selection {
            Selection::Children { parents, .. } | Selection::Ids(parents) => {
                let memory = self.memory();
                parents.iter().copied().filter(|ticket| memory.mine.contains(ticket)).collect()
            }
            _ => Vec::new(),
        };
        let mut records = Vec::new();
        for ticket in parents {
            let (rows, _) = rows_of(&self.get(&with("ToDo", &[("ticket_id", ticket.to_string())])).await?, "todos")?;
            // An ignored filter would return other tickets' to-dos: keep this ticket's.
            records.extend(
                rows.iter()
                    .filter(|todo| map::id(todo, "ticket_id").is_none_or(|t| t == ticket))
                    .filter_map(|todo| map::checklist_item(ticket, todo)),
            );
        }
        Ok(records)
    }

    /// The actions of one ticket, remembered for the time entries.
    async fn actions(&self, ticket: i64) -> Result<Vec<Value>, SyncError> {
        let path = with("Actions", &[("ticket_id", ticket.to_string()), ("excludesys", "true".into())]);
        let (rows, _) = rows_of(&self.get(&path).await?, "actions")?;
        // An ignored filter returns other tickets' actions: keep this ticket's.
        let rows: Vec<Value> =
            rows.into_iter().filter(|a| map::id(a, "ticket_id").is_none_or(|t| t == ticket)).collect();
        self.memory().actions.insert(ticket, rows.clone());
        Ok(rows)
    }

    /// A page of notes: the actions of up to [`TICKETS_PER_NOTE_PAGE`] tickets from `index`.
    async fn note_page(
        &self,
        tickets: &[i64],
        index: usize,
        since: Option<DateTime<Utc>>,
    ) -> Result<(Vec<Value>, Option<usize>), SyncError> {
        let end = (index + TICKETS_PER_NOTE_PAGE).min(tickets.len());
        let mut records = Vec::new();
        for ticket in &tickets[index.min(end)..end] {
            for action in self.actions(*ticket).await? {
                let Some(note) = map::note(&action, *ticket) else { continue };
                let changed = crate::sync::record::time_field(&note, "lastActivityDate");
                if since.is_none_or(|since| changed.is_none_or(|at| at >= since)) {
                    records.push(note);
                }
            }
        }
        Ok((records, (end < tickets.len()).then_some(end)))
    }

    async fn pull_calls(
        &self,
        selection: &Selection,
        scope: &Scope,
        cursor: Cursor,
    ) -> Result<(Vec<Value>, Option<Cursor>), SyncError> {
        let end = scope.calls_since + Duration::days(CALLS_AHEAD_DAYS);
        let path = with(
            "Appointment",
            &[
                ("start_date", wire_stamp(scope.calls_since)),
                ("end_date", wire_stamp(end)),
                ("agents", scope.me.to_string()),
                ("showappointments", "true".into()),
            ],
        );
        let (rows, next) = self.list_page(&[list(path, "appointments")], cursor).await?;
        let mut records = Vec::new();
        for row in &rows {
            let Some(call) = map::service_call(row) else { continue };
            let agents = map::appointment_agents(row);
            if !agents.contains(&scope.me) {
                continue;
            }
            let id = call["id"].as_i64().unwrap_or_default();
            let keep = match selection {
                Selection::Changed { since: Some(since) } => {
                    crate::sync::record::time_field(&call, "lastModifiedDateTime").is_none_or(|at| at >= *since)
                }
                Selection::Ids(ids) => ids.contains(&id),
                _ => true,
            };
            self.memory().calls.insert(id, (map::id(row, "ticket_id").filter(|t| *t > 0), agents));
            if keep {
                records.push(if matches!(selection, Selection::AllIds) { json!({ "id": id }) } else { call });
            }
        }
        Ok((records, next))
    }

    /// Time entries: my actions with time taken among those read (every
    /// ticket in scope's for a reconciliation).
    async fn pull_time(&self, selection: &Selection, scope: &Scope) -> Result<Vec<Value>, SyncError> {
        if matches!(selection, Selection::AllIds) {
            let mut tickets = Vec::new();
            let mut cursor = Some(Cursor::parse(None));
            while let Some(at) = cursor {
                let (records, next) = self.pull_tickets(&Selection::AllIds, scope, at).await?;
                tickets.extend(records.iter().filter_map(|r| r["id"].as_i64()));
                cursor = next;
            }
            for ticket in tickets {
                self.actions(ticket).await?;
            }
        }
        let actions = self.memory().actions.clone();
        let mut records = Vec::new();
        for (ticket, actions) in actions {
            for action in actions {
                let Some(entry) = map::time_entry(&action, ticket) else { continue };
                if entry["resourceID"].as_i64() != Some(scope.me) {
                    continue;
                }
                let keep = match selection {
                    Selection::Changed { since: Some(since) } => {
                        crate::sync::record::time_field(&entry, "lastModifiedDateTime").is_none_or(|at| at >= *since)
                    }
                    Selection::Children { parents, .. } => parents.contains(&ticket),
                    Selection::Ids(ids) => entry["id"].as_i64().is_some_and(|id| ids.contains(&id)),
                    _ => true,
                };
                if keep {
                    records.push(if matches!(selection, Selection::AllIds) {
                        json!({ "id": entry["id"] })
                    } else {
                        entry
                    });
                }
            }
        }
        Ok(records)
    }

    /// Lists a simple kind (companies, sites, contacts, devices) with `map`.
    async fn pull_simple(
        &self,
        kind: Kind,
        selection: &Selection,
        cursor: Cursor,
    ) -> Result<(Vec<Value>, Option<Cursor>), SyncError> {
        let (path, key, change, convert): (&str, &'static str, &str, Convert) = match kind {
            Kind::Companies => ("Client", "clients", "lastActivityDate", map::company),
            Kind::Locations => ("Site", "sites", "lastActivityDate", map::location),
            Kind::Contacts => ("Users", "users", "lastActivityDate", map::contact),
            _ => ("Asset", "assets", "lastModifiedTime", map::device),
        };
        let mut params: Vec<(&str, String)> = Vec::new();
        if kind == Kind::Locations {
            params.push(("includeaddress", "true".into()));
        }
        let (lists, parents): (Vec<List>, Option<&Vec<i64>>) = match selection {
            Selection::Changed { since } => {
                params.extend(since.map(|s| ("lastupdatefromdate", wire_stamp(s))));
                (vec![list(with(path, &params), key)], None)
            }
            Selection::Children { parents, .. } => (
                parents
                    .iter()
                    .map(|parent| {
                        let mut all = params.clone();
                        all.push(("client_id", parent.to_string()));
                        list(with(path, &all), key)
                    })
                    .collect(),
                Some(parents),
            ),
            Selection::Ids(ids) => {
                // No id filter on these lists: each record by its own address.
                let mut records = Vec::new();
                for id in ids {
                    match self.client.call(Method::GET, &format!("{path}/{id}"), None, true).await {
                        Ok(record) => records.extend(convert(&record).filter(|r| r["id"].as_i64() == Some(*id))),
                        Err(Failure::Rejected(_)) => {}
                        Err(failure) => return Err(failure.into()),
                    }
                }
                return Ok((records, None));
            }
            Selection::AllIds => (vec![list(path, key)], None),
        };
        let since = match selection {
            Selection::Changed { since } => *since,
            _ => None,
        };
        let (rows, next) = self.list_page(&lists, cursor).await?;
        let records = rows
            .iter()
            .filter_map(convert)
            .filter(|r| parents.is_none_or(|parents| r["companyID"].as_i64().is_some_and(|c| parents.contains(&c))))
            .filter(|r| {
                since.is_none_or(|since| crate::sync::record::time_field(r, change).is_none_or(|at| at >= since))
            })
            .collect();
        Ok((records, next))
    }
}

fn picklist(kind: PicklistKind, value: i64, label: String, active: bool, order: i64) -> PicklistValue {
    PicklistValue { kind, value, label, meaning: None, is_active: active, sort_order: order }
}

/// The picklist values of Halo's lists.
pub(crate) fn picklist_values(
    statuses: &[Value],
    priorities: &[Value],
    teams: &[Value],
    types: &[Value],
    outcomes: &[Value],
) -> Vec<PicklistValue> {
    let mut values = Vec::new();
    let order = |row: &Value, n: usize| map::id(row, "sequence").unwrap_or(n as i64);
    for (n, row) in statuses.iter().enumerate() {
        // `/Status` lists statuses of every kind; 0 is a ticket's.
        if map::id(row, "type").unwrap_or(0) != 0 {
            continue;
        }
        if let Some(id) = map::id(row, "id") {
            values.push(picklist(PicklistKind::Status, id, map::text(row, "name"), true, order(row, n)));
        }
    }
    for (n, row) in priorities.iter().enumerate() {
        // The ticket's `priority_id` is the list's `priorityid`, not its `id`.
        if let Some(id) = map::id(row, "priorityid") {
            if !values.iter().any(|v: &PicklistValue| v.kind == PicklistKind::Priority && v.value == id) {
                values.push(picklist(PicklistKind::Priority, id, map::text(row, "name"), true, n as i64));
            }
        }
    }
    for (n, row) in teams.iter().enumerate() {
        if let Some(id) = map::id(row, "id") {
            let active = !map::flag(row, "inactive").unwrap_or(false);
            values.push(picklist(PicklistKind::Queue, id, map::text(row, "name"), active, order(row, n)));
        }
    }
    for (n, row) in types.iter().enumerate() {
        if let Some(id) = map::id(row, "id") {
            let active = !map::flag(row, "inactive").unwrap_or(false);
            values.push(picklist(PicklistKind::IssueType, id, map::text(row, "name"), active, order(row, n)));
        }
    }
    for (n, row) in outcomes.iter().enumerate() {
        if let Some(id) = map::id(row, "id") {
            let label = [map::text(row, "outcome"), map::text(row, "name")]
                .into_iter()
                .find(|l| !l.is_empty())
                .unwrap_or_default();
            values.push(picklist(PicklistKind::NoteType, id, label, true, order(row, n)));
        }
    }
    values
}

/// Fieldkit's stock values (Autotask's) of the kinds Halo lists, that Halo
/// does not have, as inactive: a fresh data folder holds them from the
/// start, and they must not be offered (a note type that is no Halo outcome
/// would be refused).
fn with_stale_defaults(mut values: Vec<PicklistValue>) -> Vec<PicklistValue> {
    let listed: std::collections::HashSet<PicklistKind> = values.iter().map(|v| v.kind).collect();
    let stale: Vec<PicklistValue> = crate::picklists::default_picklists()
        .into_iter()
        .filter(|d| listed.contains(&d.kind))
        .filter(|d| !values.iter().any(|v| v.kind == d.kind && v.value == d.value))
        .map(|d| PicklistValue { is_active: false, ..d })
        .collect();
    values.extend(stale);
    values
}

const NO_OUTCOME: &str = "HaloPSA needs an outcome (action type) for every note and time entry, and it lists none \
                          that Fieldkit can use: add one in Halo, then retry.";

/// The Halo body of each pushed operation. `entity` stays Fieldkit's.
fn push_body(r: &Resolved) -> Result<Value, String> {
    let p = &r.payload;
    Ok(match (r.entity.as_str(), r.operation.as_str()) {
        ("Ticket", "create") => {
            let mut body = json!({
                "summary": p["title"], "details": p["description"],
                "client_id": r.company, "status_id": p["status"], "priority_id": p["priority"],
                "tickettype_id": p["issueType"],
                // The outbox key finds a create whose answer was lost.
                "third_party_id_string": r.key.to_string(),
                "dont_do_rules": true,
            });
            if let Some(site) = r.site {
                body["site_id"] = json!(site);
            }
            if let Some(contact) = r.contact {
                body["user_id"] = json!(contact);
            }
            if let Some(agent) = r.resource {
                body["agent_id"] = json!(agent);
            }
            if !r.secondary_resources.is_empty() {
                body["additional_agents"] =
                    json!(r.secondary_resources.iter().map(|id| json!({ "id": id })).collect::<Vec<_>>());
            }
            // Written as the team's name when sent (see `push`).
            body["_team_id"] = p["queueID"].clone();
            body
        }
        ("Ticket", "update") => {
            let mut body = json!({ "id": r.ticket });
            if let Some(status) = p.get("status") {
                body["status_id"] = status.clone();
            }
            if p.get("assignedResource").is_some() {
                body["agent_id"] = json!(r.resource);
            }
            if let Some(priority) = p.get("priority") {
                body["priority_id"] = priority.clone();
            }
            if let Some(queue) = p.get("queueID") {
                // Written as the team's name when sent (see `wire_body`).
                body["_team_id"] = queue.clone();
            }
            body
        }
        ("TicketNote", "create") => json!({
            "ticket_id": r.ticket,
            "note": map::note_text(p["title"].as_str().unwrap_or_default(), p["description"].as_str().unwrap_or_default()),
            "hiddenfromuser": p["publish"].as_i64().unwrap_or(2) != 1,
            "outcome_id": r.note_type,
            "sendemail": false, "dont_do_rules": true,
            "guid": r.key.to_string(),
        }),
        ("TimeEntry", operation) => {
            let hours = p["hoursWorked"].as_f64().unwrap_or(0.0);
            let summary = p["summaryNotes"].as_str().unwrap_or_default();
            let internal = p["internalNotes"].as_str().unwrap_or_default();
            let mut body = json!({
                "ticket_id": r.ticket,
                "note": if internal.is_empty() { summary.to_string() } else { map::note_text(summary, internal) },
                "hiddenfromuser": true,
                "timetaken": hours,
                "nonbilltime": if p["isNonBillable"].as_bool().unwrap_or(false) { hours } else { 0.0 },
                "actionarrivaldate": map::wire_time(&p["startDateTime"]),
                "actioncompletiondate": map::wire_time(&p["endDateTime"]),
                "datetime": map::wire_time(&p["endDateTime"]),
                // Which of these Halo honours for the author is unverified.
                "who_agentid": r.resource, "actionby_agent_id": r.resource,
                "sendemail": false, "dont_do_rules": true,
                "guid": r.key.to_string(),
            });
            if operation == "update" {
                let (_, action) = map::split_action_key(r.target.ok_or("The time entry is not in HaloPSA yet.")?);
                body["id"] = json!(action);
            }
            body
        }
        ("ServiceCall", "create") => json!({
            "subject": p["description"],
            "start_date": map::wire_time(&p["startDateTime"]), "end_date": map::wire_time(&p["endDateTime"]),
            "client_id": r.company, "site_id": r.site,
            "ticket_id": r.tickets.first().copied().unwrap_or(-1),
            "agent_id": r.resources.first(),
            "agents": r.resources.iter().map(|id| json!({ "id": id })).collect::<Vec<_>>(),
        }),
        ("TicketAttachment", "create") => json!({
            "ticket_id": r.ticket,
            "filename": p["title"].as_str().filter(|t| !t.is_empty()).or(p["fullPath"].as_str()).unwrap_or("report.pdf"),
            "third_party_id": r.key.to_string(),
        }),
        // A ticket update with the whole list of additional agents (see `add_helper`).
        ("TicketSecondaryResource", "create") => json!({ "id": r.ticket, "_helper": r.resource }),
        // A tick is a state, not an event: sending it again is harmless.
        ("TicketChecklistItem", "update") => {
            let done = p["isCompleted"].as_bool().unwrap_or(false);
            json!({
                "id": r.target, "ticket_id": r.ticket, "done": done,
                "done_by_id": if done { r.resource } else { None },
            })
        }
        (entity, operation) => return Err(format!("Fieldkit does not send a {operation} of {entity} to HaloPSA yet.")),
    })
}

impl HaloPsa {
    fn path(op: &PushOp) -> Result<&'static str, PushFailure> {
        Ok(match op.entity.as_str() {
            "Ticket" => "Tickets",
            "TicketNote" | "TimeEntry" => "Actions",
            "ServiceCall" => "Appointment",
            "TicketAttachment" => "Attachment",
            "TicketChecklistItem" => "ToDo",
            "TicketSecondaryResource" => "Tickets",
            entity => return Err(PushFailure::Rejected(format!("Fieldkit cannot send a {entity} to HaloPSA."))),
        })
    }

    /// The body as sent: the team's name for its id, an outcome, the file.
    async fn wire_body(&self, op: &PushOp) -> Result<Value, PushFailure> {
        let transient = |e: SyncError| PushFailure::Transient(e.to_string());
        let mut body = op.body.clone();
        if let Some(team) = body.as_object_mut().and_then(|o| o.remove("_team_id")) {
            if let Some(team) = team.as_i64() {
                let teams = self.teams().await.map_err(transient)?;
                if let Some((_, name)) = teams.iter().find(|(id, _)| *id == team) {
                    body["team"] = json!(name);
                }
            }
        }
        if matches!(op.entity.as_str(), "TicketNote" | "TimeEntry") && body["outcome_id"].is_null() {
            let outcome = self.outcomes().await.map_err(transient)?.first().copied();
            body["outcome_id"] = json!(outcome.ok_or_else(|| PushFailure::Rejected(NO_OUTCOME.into()))?);
        }
        if let Some(data) = &op.data {
            if data.len() > MAX_ATTACHMENT_BYTES {
                return Err(PushFailure::Rejected(format!(
                    "The file is {:.1} MB; Fieldkit sends attachments up to {:.0} MB to HaloPSA.",
                    data.len() as f64 / 1e6,
                    MAX_ATTACHMENT_BYTES as f64 / 1e6
                )));
            }
            body["data_base64"] = json!(format!(
                "data:application/pdf;base64,{}",
                base64::engine::general_purpose::STANDARD.encode(data)
            ));
        }
        Ok(body)
    }

    /// The neutral id of what a push made or changed.
    fn pushed_id(op: &PushOp, answer: &Value) -> Result<i64, PushFailure> {
        let record = saved(answer).ok_or_else(|| PushFailure::Unknown("The answer had no saved record.".into()))?;
        let id = map::id(record, "id")
            .filter(|id| *id > 0)
            .ok_or_else(|| PushFailure::Unknown("The answer had no id.".into()))?;
        match op.entity.as_str() {
            "TicketNote" | "TimeEntry" => {
                let ticket = op.body["ticket_id"].as_i64().unwrap_or_default();
                map::action_key(ticket, id).ok_or_else(|| {
                    PushFailure::Rejected(format!(
                        "HaloPSA gave action {id} of ticket {ticket}, an id Fieldkit cannot keep."
                    ))
                })
            }
            _ => Ok(id),
        }
    }

    async fn find_action(&self, op: &PushOp) -> Result<Option<i64>, SyncError> {
        let ticket = op.body["ticket_id"].as_i64().unwrap_or_default();
        let key = op.key.to_string();
        let actions = self.actions(ticket).await?;
        let by_marker = actions.iter().find(|a| map::text(a, "guid").eq_ignore_ascii_case(&key));
        // The marker may not be kept: the same text (and hours) then.
        let by_content = || {
            actions.iter().find(|a| {
                map::text(a, "note").trim() == op.body["note"].as_str().unwrap_or_default().trim()
                    && (op.entity != "TimeEntry"
                        || map::number(a, "timetaken")
                            .is_some_and(|h| (h - op.body["timetaken"].as_f64().unwrap_or(0.0)).abs() < 1e-6))
            })
        };
        Ok(by_marker.or_else(by_content).and_then(|a| map::action_key(ticket, map::id(a, "id")?)))
    }
}

impl Connector for HaloPsa {
    async fn picklists(&self) -> Result<Vec<PicklistValue>, SyncError> {
        let statuses = rows_of(&self.get("Status").await?, "statuses")?.0;
        let priorities = rows_of(&self.get("Priority").await?, "priorities")?.0;
        let teams = rows_of(&self.get("Team").await?, "teams")?.0;
        let types = rows_of(&self.get("TicketType").await?, "tickettypes")?.0;
        let outcomes = rows_of(&self.get("Outcome").await?, "outcomes")?.0;
        {
            let mut memory = self.memory();
            memory.teams = teams.iter().filter_map(|t| Some((map::id(t, "id")?, map::text(t, "name")))).collect();
            memory.outcomes = outcomes.iter().filter_map(|o| map::id(o, "id")).collect();
        }
        Ok(with_stale_defaults(picklist_values(&statuses, &priorities, &teams, &types, &outcomes)))
    }

    async fn pull(
        &self,
        kind: Kind,
        selection: &Selection,
        scope: &Scope,
        cursor: Option<&str>,
    ) -> Result<Page, SyncError> {
        let at = Cursor::parse(cursor);
        let (records, next) = match kind {
            Kind::Resources => {
                let path = with("Agent", &[("includeenabled", "true".into()), ("includedisabled", "true".into())]);
                let (rows, next) = self.list_page(&[List { path, key: "results", paged: false }], at).await?;
                let mut records: Vec<Value> = rows.iter().filter_map(map::resource).collect();
                if let Selection::Ids(ids) = selection {
                    records.retain(|r| r["id"].as_i64().is_some_and(|id| ids.contains(&id)));
                }
                (records, next)
            }
            // Halo has no service desk roles: nothing to pull.
            Kind::Roles => (Vec::new(), None),
            Kind::ChecklistItems => (self.pull_todos(selection).await?, None),
            Kind::Companies | Kind::Locations | Kind::Contacts | Kind::Devices => {
                self.pull_simple(kind, selection, at).await?
            }
            Kind::Tickets => self.pull_tickets(selection, scope, at).await?,
            Kind::SecondaryResources => {
                let memory = self.memory();
                let records = match selection {
                    Selection::Children { parents, .. } | Selection::Ids(parents) => parents
                        .iter()
                        .flat_map(|ticket| {
                            memory.helpers.get(ticket).into_iter().flatten().map(move |agent| {
                                json!({ "id": map::helper_key(*ticket, *agent), "ticketID": ticket, "resourceID": agent })
                            })
                        })
                        .collect(),
                    // Which tickets I help on is not a read Halo offers: the ones read so far.
                    _ => memory
                        .helpers
                        .iter()
                        .filter(|(_, agents)| agents.contains(&scope.me))
                        .map(|(ticket, _)| json!({ "id": map::action_key(*ticket, scope.me), "ticketID": ticket, "resourceID": scope.me }))
                        .collect(),
                };
                (records, None)
            }
            Kind::Notes => {
                let (tickets, since) = match selection {
                    Selection::Children { parents, since } => (parents.clone(), *since),
                    Selection::Ids(parents) => (parents.clone(), None),
                    Selection::Changed { since } => {
                        if cursor.is_none() {
                            let mut memory = self.memory();
                            let mut changed: Vec<i64> = memory
                                .changed_tickets
                                .iter()
                                .filter(|(_, at)| since.is_none_or(|since| at.is_none_or(|at| at >= since)))
                                .map(|(id, _)| *id)
                                .collect();
                            changed.sort_unstable();
                            memory.note_tickets = changed;
                        }
                        (self.memory().note_tickets.clone(), *since)
                    }
                    _ => (Vec::new(), None),
                };
                let index = cursor.and_then(|c| c.parse::<usize>().ok()).unwrap_or(0);
                let (records, next) = self.note_page(&tickets, index, since).await?;
                return Ok(Page { records, next: next.map(|n| n.to_string()) });
            }
            Kind::ServiceCalls => self.pull_calls(selection, scope, at).await?,
            Kind::ServiceCallTickets | Kind::ServiceCallResources => {
                let memory = self.memory();
                let parents: Vec<i64> = match selection {
                    Selection::Children { parents, .. } | Selection::Ids(parents) => parents.clone(),
                    _ => memory.calls.keys().copied().collect(),
                };
                let mut records = Vec::new();
                for call in parents {
                    let Some((ticket, agents)) = memory.calls.get(&call) else { continue };
                    if kind == Kind::ServiceCallTickets {
                        if let Some(ticket) = ticket {
                            records.push(json!({ "id": call, "serviceCallID": call, "ticketID": ticket }));
                        }
                    } else {
                        for agent in agents {
                            records.push(json!({ "id": map::action_key(call, *agent), "serviceCallTicketID": call, "resourceID": agent }));
                        }
                    }
                }
                (records, None)
            }
            Kind::TimeEntries => (self.pull_time(selection, scope).await?, None),
        };
        Ok(Page { records, next: next.map(|n| n.text()) })
    }

    fn build_push(&self, resolved: Resolved) -> Result<PushOp, String> {
        let body = push_body(&resolved)?;
        Ok(PushOp {
            key: resolved.key,
            entity: resolved.entity,
            operation: resolved.operation,
            target: resolved.target,
            body,
            data: resolved.data,
        })
    }

    async fn push(&self, op: &PushOp) -> Result<i64, PushFailure> {
        if op.entity == "TicketSecondaryResource" {
            return self.add_helper(op).await;
        }
        let path = Self::path(op)?;
        let body = self.wire_body(op).await?;
        let create = op.operation == "create";
        // One create at a time: Halo numbers tickets racily.
        let _one = if create { Some(self.creates.lock().await) } else { None };
        let answer = self.client.call(Method::POST, path, Some(&json!([body])), !create).await.map_err(push_failure)?;
        Self::pushed_id(op, &answer)
    }

    async fn push_links(&self, _op: &PushOp, _parent: i64, _scope: &Scope) -> Result<(), PushFailure> {
        // Halo takes a ticket's helpers and an appointment's agents and ticket in the create.
        Ok(())
    }

    async fn find_created(&self, op: &PushOp) -> Result<Option<i64>, SyncError> {
        let key = op.key.to_string();
        match op.entity.as_str() {
            "Ticket" => {
                for pass in ["open_only", "closed_only"] {
                    let path = with(
                        "Tickets",
                        &[
                            ("third_party_id_string", key.clone()),
                            (pass, "true".into()),
                            ("pageinate", "true".into()),
                            ("page_size", PAGE_SIZE.to_string()),
                            ("page_no", "1".into()),
                        ],
                    );
                    let (rows, _) = rows_of(&self.get(&path).await?, "tickets")?;
                    // An ignored filter returns every ticket: the marker must be on the row.
                    if let Some(found) = rows.iter().find(|t| map::text(t, "third_party_id_string") == key) {
                        return Ok(map::id(found, "id"));
                    }
                }
                // The marker may not be kept: the summary, searched, on the same client.
                let title = op.body["summary"].as_str().unwrap_or_default();
                let path = with(
                    "Tickets",
                    &[("search_summary", title.to_string()), ("client_id", op.body["client_id"].to_string())],
                );
                let (rows, _) = rows_of(&self.get(&path).await?, "tickets")?;
                Ok(rows
                    .iter()
                    .find(|t| {
                        map::text(t, "summary") == title
                            && map::id(t, "client_id") == op.body["client_id"].as_i64()
                            && map::text(t, "details") == op.body["details"].as_str().unwrap_or_default()
                    })
                    .and_then(|t| map::id(t, "id")))
            }
            "TicketNote" | "TimeEntry" => self.find_action(op).await,
            "TicketSecondaryResource" => {
                let (ticket, agent, key) = match Self::helper_of(op) {
                    Ok(helper) => helper,
                    Err(_) => return Ok(None),
                };
                let current = self.get(&format!("Tickets/{ticket}")).await?;
                Ok(map::additional_agents(&current).contains(&agent).then_some(key))
            }
            "ServiceCall" => {
                let start = op.body["start_date"]
                    .as_str()
                    .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
                    .map(|s| s.with_timezone(&Utc));
                let Some(start) = start else { return Ok(None) };
                let path = with(
                    "Appointment",
                    &[
                        ("start_date", wire_stamp(start - Duration::days(1))),
                        ("end_date", wire_stamp(start + Duration::days(1))),
                    ],
                );
                let (rows, _) = rows_of(&self.get(&path).await?, "appointments")?;
                Ok(rows
                    .iter()
                    .find(|a| {
                        map::text(a, "subject") == op.body["subject"].as_str().unwrap_or_default()
                            && map::time(a, "start_date") == Some(start)
                    })
                    .and_then(|a| map::id(a, "id")))
            }
            "TicketAttachment" => {
                let path = with("Attachment", &[("ticket_id", op.body["ticket_id"].to_string())]);
                let (rows, _) = rows_of(&self.get(&path).await?, "attachments")?;
                let size = op.data.as_ref().map(|d| d.len() as i64);
                let filename = op.body["filename"].as_str().unwrap_or_default();
                Ok(rows
                    .iter()
                    .find(|a| map::text(a, "third_party_id") == key)
                    .or_else(|| {
                        rows.iter().find(|a| map::text(a, "filename") == filename && map::id(a, "filesize") == size)
                    })
                    .and_then(|a| map::id(a, "id")))
            }
            _ => Ok(None),
        }
    }

    async fn pace(&self) -> Result<(), SyncError> {
        // Halo publishes no budget to read; the client slows itself after a 429.
        Ok(())
    }

    fn request_count(&self) -> u64 {
        self.client.request_count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_are_read_every_way() {
        assert_eq!(rows_of(&json!([{ "id": 1 }]), "tickets").unwrap().0.len(), 1);
        let (rows, count) =
            rows_of(&json!({ "record_count": 717, "tickets": [{ "id": 1 }, { "id": 2 }] }), "tickets").unwrap();
        assert_eq!((rows.len(), count), (2, Some(717)));
        assert_eq!(rows_of(&json!({ "results": [{ "id": 1 }] }), "agents").unwrap().0.len(), 1);
        assert!(rows_of(&json!({ "record_count": 0 }), "tickets").unwrap().0.is_empty());
        assert!(rows_of(&json!({ "message": "x" }), "tickets").is_err());
        assert!(rows_of(&json!("x"), "tickets").is_err());
    }

    #[test]
    fn cursors_round_trip() {
        let cursor = Cursor { pass: 1, page: 3, seen: 200, first: Some(42) };
        assert_eq!(Cursor::parse(Some(cursor.text().as_str())), cursor);
        assert_eq!(Cursor::parse(None).page, 1);
    }

    #[test]
    fn stock_values_halo_does_not_list_are_made_inactive() {
        let values =
            with_stale_defaults(picklist_values(&[], &[], &[], &[], &[json!({ "id": 7, "outcome": "Private Note" })]));
        let notes: Vec<&PicklistValue> = values.iter().filter(|v| v.kind == PicklistKind::NoteType).collect();
        assert!(notes.iter().any(|v| v.value == 7 && v.is_active));
        assert!(notes.iter().filter(|v| v.value != 7).all(|v| !v.is_active));
        assert!(notes.len() > 1, "the stock note types are there, inactive");
        assert!(!values.iter().any(|v| v.kind == PicklistKind::Status), "kinds Halo did not list are left alone");
    }

    #[test]
    fn statuses_of_other_kinds_and_priority_ids_are_right() {
        let values = picklist_values(
            &[json!({ "id": 1, "name": "New", "type": 0 }), json!({ "id": 50, "name": "Won", "type": 2 })],
            &[json!({ "id": "A1", "priorityid": 3, "name": "High" })],
            &[json!({ "id": 4, "name": "Field Service" })],
            &[],
            &[json!({ "id": 7, "outcome": "Private Note" })],
        );
        assert!(values.iter().any(|v| v.kind == PicklistKind::Status && v.value == 1));
        assert!(!values.iter().any(|v| v.kind == PicklistKind::Status && v.value == 50));
        assert!(values.iter().any(|v| v.kind == PicklistKind::Priority && v.value == 3 && v.label == "High"));
        assert!(values.iter().any(|v| v.kind == PicklistKind::NoteType && v.value == 7 && v.label == "Private Note"));
    }
}
