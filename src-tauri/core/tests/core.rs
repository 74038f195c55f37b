//! fieldkit-core's integration tests: the public API against real SQLite files.

/// backup: a backup taken while a sync writes is one committed state; a
/// restore keeps the current data aside, migrates an older backup and
/// refuses a newer, tampered, truncated or foreign one without loss.
#[path = "core/backup.rs"]
mod backup;
/// changes: the change log with encrypted secrets, and the scan that proves
/// no secret leaks to disk, lists, search, exports or the PSA outbox.
#[path = "core/changes.rs"]
mod changes;
/// checklist: a ticket's checklist, ticks with their outbox entries (a
/// re-tick sent once) and the one-click discrepancy report.
#[path = "core/checklist.rs"]
mod checklist;
/// customers: save, read back, edit, search, and bad input.
#[path = "core/customers.rs"]
mod customers;
/// notifications: what needs the technician after a sync — once each,
/// grouped when many, silent on the first look and in the quiet hours.
#[path = "core/notifications.rs"]
mod notifications;
/// reports: the OnSite Service Report from draft to seal, verification that
/// names a tampered field, and its PDF.
#[path = "core/reports.rs"]
mod reports;
/// sample_data: the generator the app, tests and benchmarks share.
#[path = "core/sample_data.rs"]
mod sample_data;
/// seal_trust: a forged report caught, a sealed PDF that proves itself on
/// another machine, one changed byte, a renumbered offline ticket.
#[path = "core/seal_trust.rs"]
mod seal_trust;
/// stock: the movement ledger (property tests: the quantity is the sum,
/// concurrent saves lose nothing), bad input, restock requests, and parts
/// used on a sealed service report.
#[path = "core/stock.rs"]
mod stock;
/// team: asking for help on Slack — the message, its note and their outbox
/// entries in one transaction; bad input.
#[path = "core/team.rs"]
mod team;
/// tickets: views, detail, field actions with their outbox entries, raising
/// tickets, search, and bad input.
#[path = "core/tickets.rs"]
mod tickets;
/// time: the timer across restarts, entries and their checks, placeholders,
/// the weekly check and my week.
#[path = "core/time.rs"]
mod time;
/// updates: the "is it quiet?" rule (open visits, unsent outbox entries)
/// that holds an update back.
#[path = "core/updates.rs"]
mod updates;
/// vault: resetting secrets when the passphrase or keychain item is lost.
#[path = "core/vault.rs"]
mod vault;
/// visits: the on-site visit and the remote session end to end in the core —
/// one report per visit, the timer, a change documented inline, the
/// close-out's outbox entries once each and in order, a resumed close-out.
#[path = "core/visits.rs"]
mod visits;
