//! The Halo stand-in's records, in Halo's spelling: tables by id, actions
//! by (ticket, action) — Halo numbers actions per ticket — attachments'
//! bytes, the lists, and a change clock that only moves forward.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, SubsecRound, Utc};
use serde_json::{json, Value};

/// How Halo writes a time: UTC without an offset.
pub fn halo_time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3f").to_string()
}

#[derive(Default)]
pub struct HaloStore {
    pub now: DateTime<Utc>,
    pub agents: BTreeMap<i64, Value>,
    pub clients: BTreeMap<i64, Value>,
    pub sites: BTreeMap<i64, Value>,
    pub users: BTreeMap<i64, Value>,
    pub assets: BTreeMap<i64, Value>,
    pub tickets: BTreeMap<i64, Value>,
    pub actions: BTreeMap<(i64, i64), Value>,
    pub appointments: BTreeMap<i64, Value>,
    pub attachments: BTreeMap<i64, Value>,
    /// Tickets' to-do items (`FaultToDo`), by id.
    pub todos: BTreeMap<i64, Value>,
    pub attachment_bytes: HashMap<i64, Vec<u8>>,
    pub statuses: Vec<Value>,
    pub priorities: Vec<Value>,
    pub teams: Vec<Value>,
    pub types: Vec<Value>,
    pub outcomes: Vec<Value>,
    last_change: Option<DateTime<Utc>>,
}

impl HaloStore {
    /// A change time: now, whole milliseconds, after every earlier one.
    pub fn change_time(&mut self) -> String {
        let now = Utc::now().trunc_subsecs(3);
        let at = match self.last_change {
            Some(last) if last >= now => last + Duration::milliseconds(1),
            _ => now,
        };
        self.last_change = Some(at);
        halo_time(at)
    }

    /// Adds an action to a ticket under the ticket's next action id.
    pub fn add_action(&mut self, ticket: i64, mut action: Value) -> i64 {
        let next = self.actions.range((ticket, 0)..(ticket + 1, 0)).next_back().map(|((_, id), _)| id + 1).unwrap_or(1);
        action["id"] = json!(next);
        action["ticket_id"] = json!(ticket);
        self.actions.insert((ticket, next), action);
        next
    }

    /// A table by Halo's entity name (`Tickets`, `Client`, `Actions`…), ascending id.
    pub fn snapshot(&self, entity: &str) -> Vec<Value> {
        let table = match entity {
            "Agent" => &self.agents,
            "Client" => &self.clients,
            "Site" => &self.sites,
            "Users" => &self.users,
            "Asset" => &self.assets,
            "Tickets" => &self.tickets,
            "Appointment" => &self.appointments,
            "Attachment" => &self.attachments,
            "ToDo" => &self.todos,
            "Actions" => return self.actions.values().cloned().collect(),
            _ => return Vec::new(),
        };
        table.values().cloned().collect()
    }

    pub fn table_mut(&mut self, entity: &str) -> Option<&mut BTreeMap<i64, Value>> {
        Some(match entity {
            "Agent" => &mut self.agents,
            "Client" => &mut self.clients,
            "Site" => &mut self.sites,
            "Users" => &mut self.users,
            "Asset" => &mut self.assets,
            "Tickets" => &mut self.tickets,
            "Appointment" => &mut self.appointments,
            "Attachment" => &mut self.attachments,
            "ToDo" => &mut self.todos,
            _ => return None,
        })
    }
}
