-- Visits: the on-site visit and the remote session as one guided flow each.
-- One visit is one piece of work on one ticket (and appointment): its work
-- notes, the change records documented during it, and, on site, its service
-- report. The close-out's steps are recorded as they happen, so a close-out
-- interrupted by a crash resumes at the step it had not finished.
CREATE TABLE visits (
    id                 TEXT PRIMARY KEY NOT NULL,
    kind               TEXT NOT NULL CHECK (kind IN ('on_site', 'remote')),
    ticket_row         INTEGER NOT NULL REFERENCES tickets (row) ON DELETE CASCADE,
    appointment_id     TEXT REFERENCES appointments (id) ON DELETE SET NULL,
    -- On site: the visit's one service report (re-opening continues it).
    report_id          TEXT REFERENCES service_reports (id),
    notes              TEXT NOT NULL DEFAULT '',
    started_at         TEXT NOT NULL,
    arrived_at         TEXT,
    departed_at        TEXT,
    -- Remote: "confirmed with the user that it works?" (NULL: not asked yet).
    confirmed_working  INTEGER CHECK (confirmed_working IN (0, 1)),
    -- The close-out's steps, recorded as each is done.
    outcome            TEXT CHECK (outcome IN ('complete', 'follow_up', 'waiting_customer')),
    status_set_at      TEXT,
    time_entry_id      TEXT,
    closed_at          TEXT,
    updated_at         TEXT NOT NULL
);
-- One open visit per ticket and appointment: a repeated "Start visit" continues it.
CREATE UNIQUE INDEX visits_open ON visits (ticket_row, coalesce(appointment_id, '')) WHERE closed_at IS NULL;
CREATE INDEX visits_by_state ON visits (closed_at, started_at);

-- The change records documented during a visit (listed in its close-out).
CREATE TABLE visit_changes (
    visit_id   TEXT NOT NULL REFERENCES visits (id) ON DELETE CASCADE,
    record_id  TEXT NOT NULL,
    PRIMARY KEY (visit_id, record_id)
) WITHOUT ROWID;

-- "Waiting Customer" becomes a status Fieldkit acts on (the close-out's third outcome).
UPDATE picklist_values SET meaning = 'waiting_customer'
 WHERE kind = 'status' AND meaning IS NULL AND lower(label) LIKE 'waiting%customer%';
