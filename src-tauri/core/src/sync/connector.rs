//! The PSA-agnostic connector: what the sync engine asks of any PSA. Records
//! travel in one neutral shape — JSON objects with the field names of the
//! first connector (Autotask's camelCase: `id`, `companyID`, `lastActivityDate`);
//! a ConnectWise or HaloPSA connector maps its own records into it. Outbox
//! entries reach a connector with their local references already PSA ids
//! ([`Resolved`]); the connector builds its own request body from that.

use std::future::Future;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::SyncError;
use crate::picklists::PicklistValue;

/// What the cache holds, in pull order (parents before children).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Resources,
    /// Each resource's service desk roles: Autotask wants a role with every
    /// time entry and with a ticket's primary resource.
    Roles,
    Companies,
    Locations,
    Contacts,
    Devices,
    Tickets,
    SecondaryResources,
    /// A ticket's checklist (Autotask `TicketChecklistItems`), pulled with
    /// the tickets that changed.
    ChecklistItems,
    Notes,
    ServiceCalls,
    ServiceCallTickets,
    ServiceCallResources,
    TimeEntries,
}

impl Kind {
    /// Every kind, in pull order.
    pub const ALL: [Kind; 14] = [
        Kind::Resources,
        Kind::Roles,
        Kind::Companies,
        Kind::Locations,
        Kind::Contacts,
        Kind::Devices,
        Kind::Tickets,
        Kind::SecondaryResources,
        Kind::ChecklistItems,
        Kind::Notes,
        Kind::ServiceCalls,
        Kind::ServiceCallTickets,
        Kind::ServiceCallResources,
        Kind::TimeEntries,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Resources => "resources",
            Kind::Roles => "roles",
            Kind::Companies => "companies",
            Kind::Locations => "locations",
            Kind::Contacts => "contacts",
            Kind::Devices => "devices",
            Kind::Tickets => "tickets",
            Kind::SecondaryResources => "secondary_resources",
            Kind::ChecklistItems => "checklist_items",
            Kind::Notes => "notes",
            Kind::ServiceCalls => "service_calls",
            Kind::ServiceCallTickets => "service_call_tickets",
            Kind::ServiceCallResources => "service_call_resources",
            Kind::TimeEntries => "time_entries",
        }
    }

    /// The record field that tells when it last changed, where the PSA has one.
    pub fn change_field(self) -> Option<&'static str> {
        match self {
            Kind::Companies | Kind::Contacts | Kind::Tickets | Kind::Notes => Some("lastActivityDate"),
            Kind::TimeEntries | Kind::ServiceCalls => Some("lastModifiedDateTime"),
            Kind::Devices => Some("lastModifiedTime"),
            _ => None,
        }
    }
}

/// Whose world: the technician and the queues they watch.
#[derive(Debug, Clone)]
pub struct Scope {
    pub me: i64,
    pub queues: Vec<i64>,
    /// Service calls ending before this are not pulled.
    pub calls_since: DateTime<Utc>,
    /// Tickets kept besides those of my queues and mine (where I am a
    /// secondary resource); the engine fills it.
    pub extra_tickets: Vec<i64>,
}

/// Which records of a kind.
#[derive(Debug, Clone)]
pub enum Selection {
    /// Everything in scope changed after `since` (everything when `None`).
    Changed { since: Option<DateTime<Utc>> },
    /// Children of these parents (notes of tickets, locations of companies…),
    /// changed after `since` when given.
    Children { parents: Vec<i64>, since: Option<DateTime<Utc>> },
    /// These records.
    Ids(Vec<i64>),
    /// Only the ids of everything in scope (full reconciliation).
    AllIds,
}

/// One page of records and where the next one is.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub records: Vec<Value>,
    pub next: Option<String>,
}

/// One outbox operation with its local references already turned into PSA ids.
#[derive(Debug, Clone)]
pub struct PushOp {
    /// The outbox entry's idempotency key.
    pub key: uuid::Uuid,
    /// `Ticket`, `TicketNote`, `TimeEntry`, `ServiceCall`, `TicketAttachment`.
    pub entity: String,
    /// `create` or `update`.
    pub operation: String,
    /// The PSA id of the record an update changes; the parent (ticket) for notes and attachments.
    pub target: Option<i64>,
    /// The record in the neutral shape.
    pub body: Value,
    /// An attachment's bytes.
    pub data: Option<Vec<u8>>,
}

/// An outbox entry with the local records it names turned into PSA ids:
/// what a connector builds its request from ([`Connector::build_push`]).
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    /// The outbox entry's idempotency key.
    pub key: uuid::Uuid,
    /// `Ticket`, `TicketNote`, `TimeEntry`, `ServiceCall`, `TicketAttachment`,
    /// `TicketChecklistItem` (an update of a ticket's checklist item).
    pub entity: String,
    /// `create` or `update`.
    pub operation: String,
    /// The outbox payload as written here (values that need no mapping).
    pub payload: Value,
    /// The record an update changes (a checklist item's own id); the parent
    /// ticket of a note or attachment.
    pub target: Option<i64>,
    /// The ticket a note, update, time entry or attachment belongs to.
    pub ticket: Option<i64>,
    pub company: Option<i64>,
    pub site: Option<i64>,
    pub contact: Option<i64>,
    pub device: Option<i64>,
    /// The person it is for (a ticket's primary resource, a time entry's resource)…
    pub resource: Option<i64>,
    /// …and the role they work under, where the PSA lists one.
    pub role: Option<i64>,
    pub secondary_resources: Vec<i64>,
    /// A service call's tickets and resources.
    pub tickets: Vec<i64>,
    pub resources: Vec<i64>,
    /// A note's type: the payload's, else the first of the picklist.
    pub note_type: Option<i64>,
    /// An attachment's bytes.
    pub data: Option<Vec<u8>>,
}

/// How a push went wrong.
#[derive(Debug)]
pub enum PushFailure {
    /// Refused as it is: the PSA's words, shown to the technician.
    Rejected(String),
    /// It may have happened: look it up before trying again.
    Unknown(String),
    /// It did not happen; try again later.
    Transient(String),
}

/// A PSA, as the sync engine sees it.
pub trait Connector: Send + Sync {
    /// The picklists (statuses, priorities, queues, issue types, sources, note types).
    fn picklists(&self) -> impl Future<Output = Result<Vec<PicklistValue>, SyncError>> + Send;
    /// One page of `kind` (the first when `cursor` is `None`).
    fn pull(
        &self,
        kind: Kind,
        selection: &Selection,
        scope: &Scope,
        cursor: Option<&str>,
    ) -> impl Future<Output = Result<Page, SyncError>> + Send;
    /// The operation for a resolved outbox entry, its body in the neutral
    /// shape; `Err` refuses it, in words for the technician.
    fn build_push(&self, resolved: Resolved) -> Result<PushOp, String>;
    /// Sends one operation; the PSA id of the record it made or changed.
    fn push(&self, op: &PushOp) -> impl Future<Output = Result<i64, PushFailure>> + Send;
    /// After a create succeeded as `parent`: the further requests some creates
    /// need in this PSA (links of a service call, a ticket's secondary
    /// resources), each looked up before it is made so a retry never doubles
    /// one. Nothing for a PSA that takes the whole record in one request.
    fn push_links(
        &self,
        op: &PushOp,
        parent: i64,
        scope: &Scope,
    ) -> impl Future<Output = Result<(), PushFailure>> + Send;
    /// Whether a create already happened (its answer was lost): its PSA id.
    fn find_created(&self, op: &PushOp) -> impl Future<Output = Result<Option<i64>, SyncError>> + Send;
    /// Looks at the request budget and slows down when it runs low.
    fn pace(&self) -> impl Future<Output = Result<(), SyncError>> + Send;
    /// Requests made so far (for the summary and the benchmark).
    fn request_count(&self) -> u64;
}

#[cfg(test)]
mod tests {
    use super::Kind;

    #[test]
    fn all_holds_every_kind_once_in_pull_order() {
        for (index, kind) in Kind::ALL.into_iter().enumerate() {
            // A new kind does not compile here until it has its place in `Kind::ALL`.
            let place = match kind {
                Kind::Resources => 0,
                Kind::Roles => 1,
                Kind::Companies => 2,
                Kind::Locations => 3,
                Kind::Contacts => 4,
                Kind::Devices => 5,
                Kind::Tickets => 6,
                Kind::SecondaryResources => 7,
                Kind::ChecklistItems => 8,
                Kind::Notes => 9,
                Kind::ServiceCalls => 10,
                Kind::ServiceCallTickets => 11,
                Kind::ServiceCallResources => 12,
                Kind::TimeEntries => 13,
            };
            assert_eq!(place, index, "{}", kind.as_str());
        }
    }
}
