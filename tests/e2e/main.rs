//! The end-to-end suite: the real Fieldkit app, driven as a technician would.
//! Run under Xvfb with tauri-driver on PATH (see README, "Testing").

/// accessibility: axe-core's WCAG 2.1 A/AA rules on every area, a ticket, the
/// report form and the change form, light and dark: no violations.
mod accessibility;
/// backup: back up from Settings, change something, restore: the change is
/// gone and the earlier data back; a file that is not a backup is refused.
mod backup;
/// changes: a password documented from a ticket stays secret (reveal, export,
/// restart with the passphrase); a corrected change keeps both revisions.
mod changes;
/// checklist: a ticket's checklist ticked (waiting in the outbox), an
/// unticked item reported in one click, a URL template refused then saved,
/// directions and a remote tool opened from Rust.
mod checklist;
/// customers: first run with sample data, the customer form with validation,
/// restart persistence, search, and untrusted text shown as text.
mod customers;
/// database: a damaged database gets the problem screen and is moved aside, never overwritten.
mod database;
/// first_rows: (ignored; a benchmark) time to the first rows of each view at 100,000 tickets.
mod first_rows;
/// install: (ignored; needs root) the .deb installed with apt-get, the
/// installed app started (window, version, owner-only data folder), its
/// desktop entry and icons checked, removed again keeping the data.
mod install;
/// office_admin: filling in for the office admin — the mode's reminder line,
/// a call logged as a new ticket (field errors first) that waits in the outbox.
mod office_admin;
/// reports: a service report from a ticket, signed with pointer actions,
/// sealed, rendered to PDF, verified, and a tampered byte named.
mod reports;
/// shell: navigation by mouse and keyboard, and the settings showing where the data lives.
mod shell;
/// stock: two cables used on a sealed service report come off the stock, the
/// item falls to its reorder level, one restock request waits in the outbox,
/// receiving stock clears the low badge, and a restart keeps it all.
mod stock;
/// sync: configured against the Autotask stand-in, then (a second test, the
/// same journey) the HaloPSA one, the first sync shows its progress and
/// fills the views; a note and a time entry made offline wait, then arrive
/// once; a ticket changed on both sides asks which to keep.
mod sync;
/// team: asking for help offline reaches the Slack stand-in once when it
/// is back; escalate; a weekly-meeting question; the handoff note.
mod team;
/// tickets: every view and its count, a ticket's note and status, raising
/// tickets from the field, restart persistence, search and the outbox.
mod tickets;
/// time: the timer across a restart, placeholders going overdue with the clock
/// moved on, and the weekly check.
mod time;
/// update: (ignored; root) the installed .deb updated through the plugin's
/// deb path from a loopback server — a wrong signature and a changed byte
/// refused, the signed package installed, the new version running.
mod update;
/// updates: Settings → Updates with the development build — an address
/// refused, an update found on a loopback server with its notes as text,
/// the install waiting for an unsent change, a foreign signature refused.
mod updates;
/// visit: the guided on-site visit (≤ 20 interactions, counted and printed)
/// and remote session (≤ 10, resumed after a restart), their outbox entries
/// once each and in order, and the sealed report verifying after a restart.
mod visit;
