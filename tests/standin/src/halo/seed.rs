//! The Halo stand-in's records: the Autotask stand-in's seed (Fieldkit's
//! sample generator) turned into Halo's entities and spellings — agents,
//! clients, sites (with `client_id` as a double, as Halo types it), users,
//! assets, tickets (`team` by name, `additional_agents`), per-ticket
//! actions for notes and time entries, appointments — and Halo's lists
//! (statuses of several kinds, priorities keyed by `priorityid`, teams,
//! ticket types, outcomes).

use std::collections::BTreeMap;

use fieldkit_core::picklists::{default_picklists, PicklistKind};
use serde_json::{json, Value};

use super::store::{halo_time, HaloStore};
use crate::seed::Seed;
use crate::store::parse_instant;

fn text(record: &serde_json::Map<String, Value>, name: &str) -> String {
    record.get(name).and_then(Value::as_str).unwrap_or_default().to_string()
}

fn int(record: &serde_json::Map<String, Value>, name: &str) -> Option<i64> {
    record.get(name).and_then(Value::as_i64)
}

fn when(record: &serde_json::Map<String, Value>, name: &str) -> Value {
    record.get(name).and_then(Value::as_str).and_then(parse_instant).map(|t| json!(halo_time(t))).unwrap_or(Value::Null)
}

/// The Halo lists, from Fieldkit's defaults (Autotask's stock values).
fn lists(store: &mut HaloStore) {
    let picks = default_picklists();
    let of = |kind| picks.iter().filter(move |p| p.kind == kind);
    store.statuses = of(PicklistKind::Status)
        .map(|p| json!({ "id": p.value, "name": p.label, "type": 0, "sequence": p.sort_order }))
        .collect();
    // Statuses of other kinds (opportunities, projects) that a client must skip.
    store.statuses.push(json!({ "id": 9001, "name": "Won", "type": 2 }));
    store.priorities = of(PicklistKind::Priority)
        .map(|p| json!({ "id": format!("P{}", p.value), "priorityid": p.value, "name": p.label, "slaid": 1 }))
        .collect();
    store.teams = of(PicklistKind::Queue)
        .map(|p| json!({ "id": p.value, "name": p.label, "department_id": 1, "inactive": !p.is_active }))
        .collect();
    store.types = of(PicklistKind::IssueType).map(|p| json!({ "id": p.value, "name": p.label })).collect();
    store.outcomes = of(PicklistKind::NoteType).map(|p| json!({ "id": p.value, "outcome": p.label })).collect();
    if store.outcomes.is_empty() {
        store.outcomes.push(json!({ "id": 7, "outcome": "Private Note" }));
    }
}

pub fn seed(seed: &Seed) -> Result<HaloStore, String> {
    let autotask = crate::seed::seed(seed)?;
    let mut store = HaloStore::default();
    store.now = seed.now;
    lists(&mut store);
    let table = |name: &str| autotask.table(name).cloned().unwrap_or_default();
    let team_name = |store: &HaloStore, id: Option<i64>| {
        store
            .teams
            .iter()
            .find(|t| t["id"].as_i64() == id)
            .and_then(|t| t["name"].as_str())
            .unwrap_or_default()
            .to_string()
    };
    // Agent 1 and client 1 are Halo's "unassigned" placeholders.
    store.agents.insert(1, json!({ "id": 1, "name": "Unassigned", "isdisabled": false }));
    for (id, r) in table("Resources") {
        let name = format!("{} {}", text(&r, "firstName"), text(&r, "lastName"));
        store.agents.insert(id, json!({ "id": id, "name": name, "firstname": text(&r, "firstName"), "surname": text(&r, "lastName"),
            "email": text(&r, "email"), "jobtitle": text(&r, "title"), "isdisabled": r.get("isActive") == Some(&json!(false)) }));
    }
    for (id, r) in table("Companies") {
        store.clients.insert(id, json!({ "id": id, "name": text(&r, "companyName"), "inactive": r.get("isActive") == Some(&json!(false)),
            "main_phonenumber": text(&r, "phone"), "website": text(&r, "webAddress"), "alastupdate": when(&r, "lastActivityDate") }));
    }
    let since = json!(halo_time(seed.now - chrono::Duration::days(30)));
    for (id, r) in table("CompanyLocations") {
        store.sites.insert(id, json!({ "id": id, "name": text(&r, "name"), "client_id": int(&r, "companyID").map(|c| c as f64),
            "delivery_address": { "line1": text(&r, "address1"), "line2": text(&r, "address2"), "line3": text(&r, "city"),
                "line4": text(&r, "state"), "postcode": text(&r, "postalCode") },
            "phonenumber": text(&r, "phone"), "isprimary": r.get("isPrimary") == Some(&json!(true)), "slastupdate": since }));
    }
    for (id, r) in table("Contacts") {
        let name = format!("{} {}", text(&r, "firstName"), text(&r, "lastName"));
        store.users.insert(id, json!({ "id": id, "name": name, "firstname": text(&r, "firstName"), "surname": text(&r, "lastName"),
            "emailaddress": text(&r, "emailAddress"), "phonenumber": text(&r, "phone"), "mobilenumber": text(&r, "mobilePhone"),
            "jobtitle": text(&r, "title"), "client_id": int(&r, "companyID"), "site_id": int(&r, "companyLocationID").map(|s| s as f64),
            "ulastupdate": when(&r, "lastActivityDate").as_str().map(|t| json!(t)).unwrap_or(since.clone()) }));
    }
    for (id, r) in table("ConfigurationItems") {
        store.assets.insert(id, json!({ "id": id, "inventory_number": text(&r, "referenceTitle"), "key_field2": text(&r, "serialNumber"),
            "client_id": int(&r, "companyID"), "site_id": int(&r, "companyLocationID"), "dlastupdate": when(&r, "lastModifiedTime") }));
    }
    let mut helpers: BTreeMap<i64, Vec<Value>> = BTreeMap::new();
    for (_, r) in table("TicketSecondaryResources") {
        if let (Some(ticket), Some(agent)) = (int(&r, "ticketID"), int(&r, "resourceID")) {
            helpers.entry(ticket).or_default().push(json!({ "id": agent }));
        }
    }
    for (id, r) in table("Tickets") {
        let closed = r.get("completedDate").is_some_and(|c| !c.is_null());
        store.tickets.insert(id, json!({
            "id": id, "summary": text(&r, "title"), "details": text(&r, "description"),
            "client_id": int(&r, "companyID"), "site_id": int(&r, "companyLocationID"), "user_id": int(&r, "contactID"),
            "agent_id": int(&r, "assignedResourceID").unwrap_or(1), "status_id": int(&r, "status"), "priority_id": int(&r, "priority"),
            "team": team_name(&store, int(&r, "queueID")), "tickettype_id": int(&r, "issueType"),
            "dateoccurred": when(&r, "createDate"), "last_update": when(&r, "lastActivityDate"), "lastactiondate": when(&r, "lastActivityDate"),
            "deadlinedate": when(&r, "dueDateTime"), "hasbeenclosed": closed, "dateclosed": if closed { when(&r, "completedDate") } else { json!("1900-01-01T00:00:00") },
            "additional_agents": helpers.remove(&id).unwrap_or_default(), "third_party_id_string": text(&r, "externalID"), "deleted": false,
        }));
    }
    for (_, r) in table("TicketNotes") {
        let Some(ticket) = int(&r, "ticketID") else { continue };
        let title = text(&r, "title");
        let body = text(&r, "description");
        let note = if title.is_empty() { body } else { format!("{title}\n\n{body}") };
        store.add_action(
            ticket,
            json!({ "note": note, "hiddenfromuser": int(&r, "publish") != Some(1),
            "who_agentid": int(&r, "creatorResourceID").unwrap_or(0), "outcome_id": int(&r, "noteType"),
            "datetime": when(&r, "createDateTime"), "last_updated": when(&r, "lastActivityDate"), "timetaken": 0.0 }),
        );
    }
    for (_, r) in table("TimeEntries") {
        let Some(ticket) = int(&r, "ticketID") else { continue };
        let hours = r.get("hoursWorked").and_then(Value::as_f64).unwrap_or(0.0);
        store.add_action(ticket, json!({ "note": text(&r, "summaryNotes"), "hiddenfromuser": true, "who_agentid": int(&r, "resourceID"),
            "outcome_id": store.outcomes[0]["id"], "timetaken": hours, "nonbilltime": if r.get("isNonBillable") == Some(&json!(true)) { hours } else { 0.0 },
            "actionarrivaldate": when(&r, "startDateTime"), "actioncompletiondate": when(&r, "endDateTime"),
            "datetime": when(&r, "endDateTime"), "last_updated": when(&r, "lastModifiedDateTime") }));
    }
    for (id, r) in table("TicketChecklistItems") {
        let done = r.get("isCompleted") == Some(&json!(true));
        store.todos.insert(id, json!({ "id": id, "ticket_id": int(&r, "ticketID"), "text": text(&r, "itemName"),
            "sequence": int(&r, "position"), "done": done, "done_by_id": if done { int(&r, "completedByResourceID") } else { None },
            "actual_end": if done { when(&r, "completedDateTime") } else { Value::Null }, "group_id": 0, "group_name": "" }));
    }
    let links = table("ServiceCallTickets");
    let people = table("ServiceCallTicketResources");
    for (id, r) in table("ServiceCalls") {
        let link = links.iter().find(|(_, l)| int(l, "serviceCallID") == Some(id));
        let ticket = link.and_then(|(_, l)| int(l, "ticketID")).unwrap_or(-1);
        let agents: Vec<i64> = link
            .map(|(link, _)| {
                people
                    .values()
                    .filter(|p| int(p, "serviceCallTicketID") == Some(*link))
                    .filter_map(|p| int(p, "resourceID"))
                    .collect()
            })
            .unwrap_or_default();
        store.appointments.insert(id, json!({ "id": id, "subject": text(&r, "description"), "start_date": when(&r, "startDateTime"),
            "end_date": when(&r, "endDateTime"), "client_id": int(&r, "companyID"), "site_id": int(&r, "companyLocationID"),
            "ticket_id": ticket, "agent_id": agents.first(), "agents": agents.iter().map(|a| json!({ "id": a })).collect::<Vec<_>>(),
            "appointment_location": if id % 3 == 0 { 2 } else { 1 }, "appointment_location_name": if id % 3 == 0 { "Remote" } else { "On site" },
            "last_modified": when(&r, "lastModifiedDateTime") }));
    }
    Ok(store)
}
