-- Time: entries made right after the work (Autotask TimeEntries), running
-- timers that survive restarts, and placeholder entries to complete by the
-- next working morning. All times are UTC.

CREATE TABLE time_entries (
    id                   TEXT PRIMARY KEY NOT NULL,
    psa_id               INTEGER UNIQUE,
    resource_id          TEXT NOT NULL REFERENCES resources (id),
    ticket_row           INTEGER NOT NULL REFERENCES tickets (row),
    appointment_id       TEXT REFERENCES appointments (id) ON DELETE SET NULL,
    start_at             TEXT NOT NULL,
    end_at               TEXT NOT NULL,
    -- Autotask role / work type, a picklist value of kind 'work_type'.
    work_type            INTEGER NOT NULL,
    billable             INTEGER NOT NULL CHECK (billable IN (0, 1)),
    summary_notes        TEXT NOT NULL DEFAULT '',
    internal_notes       TEXT NOT NULL DEFAULT '',
    -- Saved in a hurry: not to be approved yet, to be completed by `placeholder_due_at`.
    is_placeholder       INTEGER NOT NULL DEFAULT 0 CHECK (is_placeholder IN (0, 1)),
    placeholder_due_at   TEXT,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    CHECK (end_at > start_at)
);
CREATE INDEX time_entries_by_resource_start ON time_entries (resource_id, start_at);
CREATE INDEX time_entries_by_appointment ON time_entries (appointment_id) WHERE appointment_id IS NOT NULL;
CREATE INDEX time_entries_open_placeholders ON time_entries (resource_id, placeholder_due_at) WHERE is_placeholder = 1;

-- At most one timer per technician. `running_since` is set while it runs;
-- `accumulated_seconds` holds the time of earlier, paused segments. Stored
-- times, not an in-memory counter: a timer keeps running across restarts and sleep.
CREATE TABLE timers (
    resource_id          TEXT PRIMARY KEY NOT NULL REFERENCES resources (id),
    ticket_row           INTEGER NOT NULL REFERENCES tickets (row) ON DELETE CASCADE,
    appointment_id       TEXT REFERENCES appointments (id) ON DELETE SET NULL,
    first_started_at     TEXT NOT NULL,
    running_since        TEXT,
    accumulated_seconds  INTEGER NOT NULL DEFAULT 0 CHECK (accumulated_seconds >= 0)
) WITHOUT ROWID;
