//! One sync cycle — one at a time per data folder, across processes (an OS
//! file lock): pull every kind of record changed since its watermark (less
//! an overlap window), each page in one transaction, then push the outbox
//! and read back the tickets it created; now and then a full reconciliation
//! removes what the PSA deleted. Progress is published for the status line
//! and the first-sync bar.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use super::apply::{self, apply_page, apply_picklists, clear_secondary, newest};
use super::connector::{Connector, Kind, Scope, Selection};
use super::push::push_outbox;
use super::record::{int_field, time_field};
use super::{SyncError, SyncReport};
use crate::db::Db;

/// Records changed just before a watermark can arrive late: pull this much again.
const OVERLAP: Duration = Duration::minutes(5);
/// A full reconciliation (deleted records) at most this often.
const FULL_EVERY: Duration = Duration::hours(24);
/// Parents per `in` filter.
const CHUNK: usize = 500;
/// Pages fetched ahead of the one being written.
const AHEAD: usize = 4;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct KindCount {
    pub kind: String,
    pub count: u32,
}

/// What the sync is doing now (the UI polls it).
#[derive(Debug, Clone, Default, Serialize, TS)]
#[ts(export)]
pub struct SyncProgress {
    pub running: bool,
    /// The first sync into an empty cache: the UI shows a progress bar.
    pub first: bool,
    pub phase: String,
    pub counts: Vec<KindCount>,
}

impl SyncProgress {
    fn add(&mut self, kind: Kind, count: usize) {
        let name = kind.as_str();
        match self.counts.iter_mut().find(|c| c.kind == name) {
            Some(entry) => entry.count += count as u32,
            None => self.counts.push(KindCount { kind: name.into(), count: count as u32 }),
        }
    }
}

fn publish(progress: &Mutex<SyncProgress>, change: impl FnOnce(&mut SyncProgress)) {
    let mut state = progress.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    change(&mut state);
}

/// A kind's watermark and the time of its last full reconciliation.
type Marks = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

fn watermark(db: &Db, kind: Kind) -> Result<Marks, SyncError> {
    Ok(db
        .read(|c| {
            c.query_row("SELECT watermark, last_full_at FROM sync_watermarks WHERE entity = ?1", [kind.as_str()], |r| {
                Ok((r.get::<_, Option<String>>(0)?, r.get::<_, Option<DateTime<Utc>>>(1)?))
            })
            .optional()
        })?
        .map(|(mark, full)| {
            (mark.and_then(|m| DateTime::parse_from_rfc3339(&m).ok()).map(|m| m.with_timezone(&Utc)), full)
        })
        .unwrap_or((None, None)))
}

fn set_watermark(
    db: &Db,
    kind: Kind,
    mark: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    full: bool,
) -> Result<(), SyncError> {
    db.write(|tx| {
        tx.execute(
            "INSERT INTO sync_watermarks (entity, watermark, last_pull_at, last_full_at) VALUES (?1, ?2, ?3, CASE WHEN ?4 THEN ?3 END)
             ON CONFLICT (entity) DO UPDATE SET watermark = nullif(max(coalesce(watermark, ''), coalesce(excluded.watermark, '')), ''),
                 last_pull_at = excluded.last_pull_at, last_full_at = coalesce(excluded.last_full_at, last_full_at)",
            params![kind.as_str(), mark.map(|m| m.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)), now, full],
        )
    })?;
    Ok(())
}

struct Puller<'a, C: Connector> {
    db: &'a Arc<Db>,
    connector: &'a C,
    scope: &'a Scope,
    now: DateTime<Utc>,
    progress: &'a Mutex<SyncProgress>,
    report: &'a mut SyncReport,
    /// Time spent writing pages, in milliseconds.
    write_ms: AtomicU64,
}

impl<'a, C: Connector> Puller<'a, C> {
    fn new(
        db: &'a Arc<Db>,
        connector: &'a C,
        scope: &'a Scope,
        now: DateTime<Utc>,
        progress: &'a Mutex<SyncProgress>,
        report: &'a mut SyncReport,
    ) -> Self {
        Puller { db, connector, scope, now, progress, report, write_ms: AtomicU64::new(0) }
    }

    /// Pulls every page of a selection, applying each in one transaction;
    /// returns the records (for their ids) and the newest change time.
    async fn pull(
        &mut self,
        kind: Kind,
        selection: Selection,
    ) -> Result<(Vec<Value>, Option<DateTime<Utc>>), SyncError> {
        self.pull_each(kind, vec![selection]).await
    }

    /// Pulls every page of several selections of one kind, in order. Pages
    /// are fetched up to [`AHEAD`] in advance while earlier ones are written
    /// on a blocking thread, so the network and the disk work at the same time.
    async fn pull_each(
        &mut self,
        kind: Kind,
        selections: Vec<Selection>,
    ) -> Result<(Vec<Value>, Option<DateTime<Utc>>), SyncError> {
        type Fetched = Result<(Vec<Value>, Option<Vec<i64>>), SyncError>;
        let (sender, receiver) = tokio::sync::mpsc::channel::<Fetched>(AHEAD);
        let (connector, scope) = (self.connector, self.scope);
        let produce = async move {
            for selection in &selections {
                let mut cursor: Option<String> = None;
                loop {
                    let page = match connector.pull(kind, selection, scope, cursor.as_deref()).await {
                        Ok(page) => page,
                        Err(error) => {
                            let _ = sender.send(Err(error)).await;
                            return;
                        }
                    };
                    let next = page.next.filter(|next| cursor.as_deref() != Some(next.as_str()));
                    // The last page of a selection of notes: its tickets have
                    // all their notes now; their search documents are rebuilt
                    // with it, while the next pages are fetched.
                    let complete = match selection {
                        Selection::Children { parents, .. } if kind == Kind::Notes && next.is_none() => {
                            Some(parents.clone())
                        }
                        _ => None,
                    };
                    // The receiver is gone: the writing failed and said why.
                    if sender.send(Ok((page.records, complete))).await.is_err() {
                        return;
                    }
                    match next {
                        Some(next) => cursor = Some(next),
                        None => break,
                    }
                }
            }
        };
        let consume = async {
            let mut receiver = receiver;
            let mut all = Vec::new();
            let mut newest_seen = None;
            while let Some(fetched) = receiver.recv().await {
                let (records, complete) = fetched?;
                let mut pages = vec![records];
                let mut reindex = complete.unwrap_or_default();
                // Pages fetched while the last ones were written go in together:
                // one commit instead of several when the disk is the slower side.
                while pages.len() < AHEAD {
                    match receiver.try_recv() {
                        Ok(fetched) => {
                            let (records, complete) = fetched?;
                            pages.push(records);
                            reindex.extend(complete.unwrap_or_default());
                        }
                        Err(_) => break,
                    }
                }
                let records = self.apply(kind, pages, reindex).await?;
                newest_seen = newest_seen.max(newest(kind, &records));
                publish(self.progress, |p| p.add(kind, records.len()));
                match self.report.pulled.iter_mut().find(|c| c.kind == kind.as_str()) {
                    Some(entry) => entry.count += records.len() as u32,
                    None => {
                        self.report.pulled.push(KindCount { kind: kind.as_str().into(), count: records.len() as u32 })
                    }
                }
                all.extend(records);
            }
            Ok((all, newest_seen))
        };
        let ((), pulled) = tokio::join!(produce, consume);
        pulled
    }

    /// Writes pages in one transaction on a blocking thread, then rebuilds
    /// the search documents of `reindex` (tickets whose notes are all in);
    /// gives the records back. A page that refers to companies not cached
    /// yet is not written, nor any after it: they are reported missing.
    async fn write_pages(
        &self,
        kind: Kind,
        pages: Vec<Vec<Value>>,
        reindex: Vec<i64>,
    ) -> Result<(Vec<Vec<Value>>, apply::Missing), SyncError> {
        let db = Arc::clone(self.db);
        let now = self.now;
        let started = Instant::now();
        let outcome = tokio::task::spawn_blocking(move || {
            let missing = db.write_replayable(|tx| -> Result<apply::Missing, SyncError> {
                for records in &pages {
                    let missing = apply_page(tx, kind, records, now)?;
                    if !missing.companies.is_empty() {
                        return Ok(missing);
                    }
                }
                apply::reindex_tickets(tx, &reindex)?;
                Ok(apply::Missing::default())
            })?;
            Ok((pages, missing))
        })
        .await
        .map_err(|error| SyncError::Malformed(format!("the writer stopped: {error}")))?;
        let took = started.elapsed().as_millis() as u64;
        self.write_ms.fetch_add(took, Ordering::Relaxed);
        outcome
    }

    /// One page (or the pages fetched meanwhile) in one transaction;
    /// companies a page needs are fetched first (pages already written are
    /// written again then: applying a page is idempotent).
    async fn apply(&self, kind: Kind, pages: Vec<Vec<Value>>, reindex: Vec<i64>) -> Result<Vec<Value>, SyncError> {
        let mut pages = pages;
        for _ in 0..2 {
            let (back, missing) = self.write_pages(kind, pages, reindex.clone()).await?;
            pages = back;
            if missing.companies.is_empty() {
                return Ok(pages.into_iter().flatten().collect());
            }
            let ids: Vec<i64> = missing.companies.into_iter().collect();
            for chunk in ids.chunks(CHUNK) {
                let page =
                    self.connector.pull(Kind::Companies, &Selection::Ids(chunk.to_vec()), self.scope, None).await?;
                // A company the PSA does not return (the MSP itself, id 0): a placeholder keeps the ticket.
                let found: BTreeSet<i64> = page.records.iter().filter_map(|r| int_field(r, "id")).collect();
                let absent: Vec<Value> = chunk
                    .iter()
                    .filter(|id| !found.contains(id))
                    .map(|id| serde_json::json!({ "id": id, "companyName": if *id == 0 { "Our company".to_string() } else { format!("Company {id}") } }))
                    .collect();
                self.write_pages(Kind::Companies, vec![page.records, absent], Vec::new()).await?;
            }
        }
        Err(SyncError::Malformed("records refer to companies that cannot be read".into()))
    }

    async fn children(
        &mut self,
        kind: Kind,
        parents: &[i64],
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<Value>, SyncError> {
        let selections =
            parents.chunks(CHUNK).map(|chunk| Selection::Children { parents: chunk.to_vec(), since }).collect();
        Ok(self.pull_each(kind, selections).await?.0)
    }
}

fn ids(records: &[Value]) -> Vec<i64> {
    records.iter().filter_map(|r| int_field(r, "id")).collect()
}

/// Ids of the records that really changed since `mark` (the overlap window
/// brings some back unchanged: their children need no new pull).
fn changed_since(kind: Kind, records: &[Value], mark: Option<DateTime<Utc>>) -> Vec<i64> {
    let Some(field) = kind.change_field() else { return ids(records) };
    records
        .iter()
        .filter(|r| mark.is_none_or(|mark| time_field(r, field).is_none_or(|at| at > mark)))
        .filter_map(|r| int_field(r, "id"))
        .collect()
}

fn since(mark: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    mark.map(|m| m - OVERLAP)
}

/// An OS lock on `sync.lock` beside the database, held for a whole cycle:
/// the lock goes with the process, so a crash never leaves it taken.
/// `SyncError::Busy` when another process (or task) holds it.
pub(crate) fn cycle_lock(db: &Db) -> Result<Option<std::fs::File>, SyncError> {
    let Some(path) = db.path() else { return Ok(None) };
    let lock_path = path.with_file_name("sync.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|error| SyncError::Settings(format!("Could not open {}: {error}", lock_path.display())))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Err(SyncError::Busy),
        Err(std::fs::TryLockError::Error(error)) => {
            Err(SyncError::Settings(format!("Could not lock {}: {error}", lock_path.display())))
        }
    }
}

/// One cycle: pull (and reconcile when due or asked), push, then read back
/// the tickets just created.
pub async fn run_cycle<C: Connector>(
    db: &Arc<Db>,
    connector: &C,
    scope: &Scope,
    now: DateTime<Utc>,
    force_full: bool,
    progress: &Mutex<SyncProgress>,
) -> Result<SyncReport, SyncError> {
    // One cycle at a time per data folder, across processes (the app, a
    // second start, `fieldkit sync --once`); released when this returns.
    let _cycle_lock = cycle_lock(db)?;
    let started = Instant::now();
    let before = connector.request_count();
    let run_id: i64 = db.write(|tx| {
        tx.execute("INSERT INTO sync_runs (started_at) VALUES (?1)", [now])?;
        Ok::<_, rusqlite::Error>(tx.last_insert_rowid())
    })?;
    let (ticket_mark, last_full) = watermark(db, Kind::Tickets)?;
    let first = ticket_mark.is_none();
    publish(progress, |p| *p = SyncProgress { running: true, first, phase: "Starting".into(), counts: Vec::new() });
    let mut report = SyncReport::default();
    let outcome = async {
        connector.pace().await?;
        // Pull first: a ticket changed in the PSA meanwhile is merged (or
        // becomes a conflict) before my change of it is sent.
        publish(progress, |p| p.phase = "Receiving".into());
        let full = force_full || first || last_full.is_none_or(|at| now - at > FULL_EVERY);
        let (with_extra, secondary) = with_secondary(db, connector, scope).await?;
        Puller::new(db, connector, &with_extra, now, progress, &mut report).pull_all(first, full, &secondary).await?;
        publish(progress, |p| p.phase = "Sending changes".into());
        push_outbox(db, connector, scope, now, &mut report).await?;
        // Tickets made here learn their PSA number.
        let created = std::mem::take(&mut report.created_tickets);
        if !created.is_empty() {
            let mut puller = Puller::new(db, connector, scope, now, progress, &mut report);
            for chunk in created.chunks(CHUNK) {
                puller.pull(Kind::Tickets, Selection::Ids(chunk.to_vec())).await?;
            }
        }
        Ok::<(), SyncError>(())
    }
    .await;
    report.requests = connector.request_count() - before;
    report.milliseconds = started.elapsed().as_millis() as u64;
    report.conflicts = db.read(|c| c.query_row("SELECT count(*) FROM sync_conflicts", [], |r| r.get::<_, u32>(0)))?;
    let error = outcome.as_ref().err().map(|e| e.to_string());
    db.write(|tx| {
        tx.execute(
            "UPDATE sync_runs SET finished_at = ?2, summary = ?3, error = ?4 WHERE id = ?1",
            params![
                run_id,
                now + Duration::milliseconds(report.milliseconds as i64),
                serde_json::to_string(&report).unwrap_or_default(),
                error
            ],
        )?;
        // Keep the last hundred cycles.
        tx.execute("DELETE FROM sync_runs WHERE id <= ?1 - 100", [run_id])
    })?;
    publish(progress, |p| {
        p.running = false;
        p.phase = match &error {
            Some(error) => error.clone(),
            None => "Up to date".into(),
        };
    });
    outcome.map(|_| report)
}

/// The tickets a cycle keeps besides those of my queues and mine.
struct Secondary {
    /// Tickets I am a secondary resource on.
    tickets: BTreeSet<i64>,
    /// Tickets the cache held when the cycle began.
    known: BTreeSet<i64>,
}

/// Tickets: my queues, mine, and those I am a secondary resource on — the
/// known ones in the same query (`extra_tickets` of the scope returned), new
/// ones read whole.
async fn with_secondary<C: Connector>(db: &Db, connector: &C, scope: &Scope) -> Result<(Scope, Secondary), SyncError> {
    let mine_secondary =
        collect(connector, Kind::SecondaryResources, &Selection::Changed { since: None }, scope).await?;
    let tickets: BTreeSet<i64> = mine_secondary.iter().filter_map(|r| int_field(r, "ticketID")).collect();
    let known: BTreeSet<i64> = db.read(|c| {
        c.prepare("SELECT psa_id FROM tickets WHERE psa_id IS NOT NULL")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<BTreeSet<i64>>>()
    })?;
    let mut with_extra = scope.clone();
    with_extra.extra_tickets = tickets.iter().copied().filter(|id| known.contains(id)).collect();
    Ok((with_extra, Secondary { tickets, known }))
}

/// The picklists, with Fieldkit's work types until the PSA's are synced.
async fn pull_picklists<C: Connector>(db: &Db, connector: &C) -> Result<(), SyncError> {
    let mut values = connector.picklists().await?;
    // Work types are Autotask billing codes, not a ticket picklist; until
    // they are synced, Fieldkit's defaults keep time entries possible.
    let has_work_types: bool = db.read(|c| {
        c.query_row("SELECT EXISTS (SELECT 1 FROM picklist_values WHERE kind = 'work_type')", [], |r| r.get(0))
    })?;
    if !has_work_types {
        values.extend(
            crate::picklists::default_picklists()
                .into_iter()
                .filter(|v| v.kind == crate::picklists::PicklistKind::WorkType),
        );
    }
    db.write(|tx| apply_picklists(tx, &values))?;
    Ok(())
}

impl<C: Connector> Puller<'_, C> {
    /// Every kind, in pull order; `first` into an empty cache, `full` with
    /// the picklists and a reconciliation of deleted records.
    async fn pull_all(&mut self, first: bool, full: bool, secondary: &Secondary) -> Result<(), SyncError> {
        if full {
            pull_picklists(self.db, self.connector).await?;
        }
        // A crash during the last pull may have left search documents to rebuild.
        apply::reindex_pending(self.db)?;
        self.pull_people(full).await?;
        self.pull_customers(first, full).await?;
        self.pull_tickets(first, full, secondary).await?;
        self.pull_calls(full).await?;
        self.pull_changed(Kind::TimeEntries, full).await?;
        if full && !first {
            self.remove_deleted(secondary).await?;
        }
        self.report.write_milliseconds += self.write_ms.load(Ordering::Relaxed);
        Ok(())
    }

    /// Everything of `kind` changed since its watermark; moves the watermark.
    async fn pull_changed(&mut self, kind: Kind, full: bool) -> Result<(Vec<Value>, Option<DateTime<Utc>>), SyncError> {
        let (mark, _) = watermark(self.db, kind)?;
        let (records, newest_seen) = self.pull(kind, Selection::Changed { since: since(mark) }).await?;
        set_watermark(self.db, kind, newest_seen, self.now, full)?;
        Ok((records, mark))
    }

    /// Resources and their roles; "me" among them.
    async fn pull_people(&mut self, full: bool) -> Result<(), SyncError> {
        self.pull(Kind::Resources, Selection::Changed { since: None }).await?;
        set_watermark(self.db, Kind::Resources, None, self.now, full)?;
        self.pull(Kind::Roles, Selection::Changed { since: None }).await?;
        adopt_me(self.db, self.scope.me)
    }

    /// Companies, the locations of those changed, contacts and devices.
    async fn pull_customers(&mut self, first: bool, full: bool) -> Result<(), SyncError> {
        let (companies, company_mark) = self.pull_changed(Kind::Companies, full).await?;
        if first {
            self.pull(Kind::Locations, Selection::Changed { since: None }).await?;
        } else {
            let changed = changed_since(Kind::Companies, &companies, company_mark);
            if !changed.is_empty() {
                self.children(Kind::Locations, &changed, None).await?;
            }
        }
        for kind in [Kind::Contacts, Kind::Devices] {
            self.pull_changed(kind, full).await?;
        }
        Ok(())
    }

    /// Tickets, the secondary resources and checklists of those changed, and notes; then
    /// the search documents.
    async fn pull_tickets(&mut self, first: bool, full: bool, secondary: &Secondary) -> Result<(), SyncError> {
        let (mark, _) = watermark(self.db, Kind::Tickets)?;
        let (mut tickets, mut newest_ticket) =
            self.pull(Kind::Tickets, Selection::Changed { since: since(mark) }).await?;
        let unseen: Vec<i64> = secondary.tickets.iter().copied().filter(|id| !secondary.known.contains(id)).collect();
        if !unseen.is_empty() {
            let whole = self.children(Kind::Tickets, &unseen, None).await?;
            newest_ticket = newest_ticket.max(newest(Kind::Tickets, &whole));
            tickets.extend(whole);
        }
        let changed_tickets = changed_since(Kind::Tickets, &tickets, mark);
        let new_tickets: Vec<i64> =
            changed_tickets.iter().copied().filter(|id| !secondary.known.contains(id)).collect();
        if !changed_tickets.is_empty() {
            self.db.write(|tx| clear_secondary(tx, &changed_tickets))?;
            self.children(Kind::SecondaryResources, &changed_tickets, None).await?;
            // Their checklists, whole: an item the PSA no longer lists goes.
            let items = self.children(Kind::ChecklistItems, &changed_tickets, None).await?;
            let present: BTreeSet<i64> = ids(&items).into_iter().collect();
            self.db.write(|tx| apply::remove_missing_checklist(tx, &changed_tickets, &present))?;
        }
        let newest_note = self.pull_notes(first, &new_tickets).await?;
        publish(self.progress, |p| p.phase = "Indexing for search".into());
        let indexing = Instant::now();
        apply::reindex_pending(self.db)?;
        self.report.index_milliseconds += indexing.elapsed().as_millis() as u64;
        publish(self.progress, |p| p.phase = "Receiving".into());
        set_watermark(self.db, Kind::Notes, newest_note, self.now, full)?;
        let ticket_mark = newest_ticket.or(mark).or(Some(self.now - Duration::days(3650)));
        set_watermark(self.db, Kind::Tickets, ticket_mark, self.now, full)?;
        Ok(())
    }

    /// Notes: all of new tickets; changed ones of the others. The newest change seen.
    async fn pull_notes(&mut self, first: bool, new_tickets: &[i64]) -> Result<Option<DateTime<Utc>>, SyncError> {
        let (note_mark, _) = watermark(self.db, Kind::Notes)?;
        if first || note_mark.is_none() {
            let all: Vec<i64> = self.db.read(|c| {
                c.prepare("SELECT psa_id FROM tickets WHERE psa_id IS NOT NULL ORDER BY psa_id")?
                    .query_map([], |r| r.get(0))?
                    .collect::<rusqlite::Result<Vec<i64>>>()
            })?;
            return Ok(newest(Kind::Notes, &self.children(Kind::Notes, &all, None).await?));
        }
        let mut newest_note = None;
        if !new_tickets.is_empty() {
            newest_note = newest(Kind::Notes, &self.children(Kind::Notes, new_tickets, None).await?);
        }
        let (_, changed) = self.pull(Kind::Notes, Selection::Changed { since: since(note_mark) }).await?;
        Ok(newest_note.max(changed))
    }

    /// Service calls, their tickets and resources.
    async fn pull_calls(&mut self, full: bool) -> Result<(), SyncError> {
        let (mark, _) = watermark(self.db, Kind::ServiceCalls)?;
        let (calls, newest_call) = self.pull(Kind::ServiceCalls, Selection::Changed { since: since(mark) }).await?;
        let changed_calls = changed_since(Kind::ServiceCalls, &calls, mark);
        if !changed_calls.is_empty() {
            let links = self.children(Kind::ServiceCallTickets, &changed_calls, None).await?;
            if !links.is_empty() {
                self.children(Kind::ServiceCallResources, &ids(&links), None).await?;
            }
        }
        set_watermark(self.db, Kind::ServiceCalls, newest_call, self.now, full)
    }

    /// Full reconciliation: removes what the PSA no longer has.
    async fn remove_deleted(&mut self, secondary: &Secondary) -> Result<(), SyncError> {
        publish(self.progress, |p| p.phase = "Checking for deleted records".into());
        for kind in [Kind::Tickets, Kind::TimeEntries, Kind::ServiceCalls] {
            let mut present: BTreeSet<i64> = collect(self.connector, kind, &Selection::AllIds, self.scope)
                .await?
                .iter()
                .filter_map(|r| int_field(r, "id"))
                .collect();
            if kind == Kind::Tickets {
                present.extend(secondary.tickets.iter().copied());
            }
            let removed = self.db.write(|tx| apply::remove_missing(tx, kind, &present))?;
            self.report.removed += removed;
        }
        Ok(())
    }
}

/// Every page of a selection, read but not applied.
async fn collect<C: Connector>(
    connector: &C,
    kind: Kind,
    selection: &Selection,
    scope: &Scope,
) -> Result<Vec<Value>, SyncError> {
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = connector.pull(kind, selection, scope, cursor.as_deref()).await?;
        all.extend(page.records);
        match page.next {
            Some(next) if cursor.as_deref() != Some(next.as_str()) => cursor = Some(next),
            _ => return Ok(all),
        }
    }
}

/// The first sync makes "me" the resource with my PSA id.
fn adopt_me(db: &Db, me: i64) -> Result<(), SyncError> {
    db.write(|tx| -> Result<(), SyncError> {
        let local: Option<String> =
            tx.query_row("SELECT id FROM resources WHERE psa_id = ?1", [me], |r| r.get(0)).optional()?;
        if let Some(local) = local {
            tx.execute(
                "INSERT INTO settings (key, value) VALUES ('me', ?1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [local],
            )?;
        }
        Ok(())
    })
}

/// The last cycle, as the status line shows it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SyncRun {
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    pub pushed: u32,
    pub pulled: u32,
}

/// Everything the status line and the sync page need.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SyncOverview {
    pub configured: bool,
    pub last_run: Option<SyncRun>,
    pub last_success_at: Option<DateTime<Utc>>,
    pub pending: u32,
    pub failed: Vec<crate::outbox::OutboxEntry>,
    pub conflicts: u32,
    pub progress: SyncProgress,
}

pub fn sync_overview(db: &Db, progress: &Mutex<SyncProgress>) -> Result<SyncOverview, SyncError> {
    let settings = super::get_sync_settings(db)?;
    let (last_run, last_success_at, pending, conflicts) = db.read(|c| -> rusqlite::Result<_> {
        let last_run = c
            .query_row(
                "SELECT started_at, finished_at, error, summary FROM sync_runs ORDER BY id DESC LIMIT 1",
                [],
                |r| {
                    let summary: String = r.get(3)?;
                    let summary: Value = serde_json::from_str(&summary).unwrap_or(Value::Null);
                    let pulled = summary["pulled"]
                        .as_array()
                        .map(|kinds| kinds.iter().filter_map(|k| k["count"].as_u64()).sum::<u64>())
                        .unwrap_or(0);
                    Ok(SyncRun {
                        started_at: r.get(0)?,
                        finished_at: r.get(1)?,
                        error: r.get(2)?,
                        pushed: summary["pushed"].as_u64().unwrap_or(0) as u32,
                        pulled: pulled as u32,
                    })
                },
            )
            .optional()?;
        let last_success_at = c
            .query_row(
                "SELECT max(finished_at) FROM sync_runs WHERE error IS NULL AND finished_at IS NOT NULL",
                [],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        let pending: u32 = c.query_row("SELECT count(*) FROM outbox WHERE state = 'pending'", [], |r| r.get(0))?;
        let conflicts: u32 = c.query_row("SELECT count(*) FROM sync_conflicts", [], |r| r.get(0))?;
        Ok((last_run, last_success_at, pending, conflicts))
    })?;
    let failed = crate::outbox::list_failed(db)?;
    let progress = progress.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone();
    Ok(SyncOverview {
        configured: !settings.discovery_url.is_empty() && settings.has_credentials && settings.resource_id.is_some(),
        last_run,
        last_success_at,
        pending,
        failed,
        conflicts,
        progress,
    })
}
