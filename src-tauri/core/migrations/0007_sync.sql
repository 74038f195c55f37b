-- Sync with the PSA: where each entity's incremental pull stands, the base
-- version of each synced ticket (for three-way merges), conflicts waiting
-- for the technician, and the outbox's new "superseded" state (a local
-- change the technician replaced with the PSA's value).

CREATE TABLE sync_watermarks (
    entity          TEXT PRIMARY KEY NOT NULL,
    -- The newest change time seen (PSA time, UTC), or NULL before the first pull.
    watermark       TEXT,
    last_pull_at    TEXT,
    last_full_at    TEXT
) WITHOUT ROWID;

-- The ticket fields as last agreed with the PSA (JSON of the mergeable fields).
CREATE TABLE sync_base (
    ticket_row  INTEGER PRIMARY KEY REFERENCES tickets (row) ON DELETE CASCADE,
    fields      TEXT NOT NULL
);

-- A field changed both here and in the PSA since the base: the technician chooses.
CREATE TABLE sync_conflicts (
    id            TEXT PRIMARY KEY NOT NULL,
    ticket_row    INTEGER NOT NULL REFERENCES tickets (row) ON DELETE CASCADE,
    field         TEXT NOT NULL,
    base_value    TEXT,
    local_value   TEXT,
    remote_value  TEXT,
    detected_at   TEXT NOT NULL,
    UNIQUE (ticket_row, field)
);

-- Autotask's ServiceCallTickets: which appointment and ticket each links
-- (its resources refer to the link, not to the appointment).
CREATE TABLE sync_call_tickets (
    psa_id          INTEGER PRIMARY KEY,
    appointment_id  TEXT NOT NULL REFERENCES appointments (id) ON DELETE CASCADE,
    ticket_row      INTEGER NOT NULL REFERENCES tickets (row) ON DELETE CASCADE
);

-- Tickets whose search document must be rebuilt after a pull: written with
-- each page, worked off once the kind is done (and at the next cycle after a crash).
CREATE TABLE sync_reindex (
    ticket_row  INTEGER PRIMARY KEY
);

-- The last sync cycles, for the status line and the sync page.
CREATE TABLE sync_runs (
    id           INTEGER PRIMARY KEY,
    started_at   TEXT NOT NULL,
    finished_at  TEXT,
    -- JSON: per-entity counts pulled, operations pushed, failures.
    summary      TEXT NOT NULL DEFAULT '{}',
    error        TEXT
);

-- The outbox gains `superseded` and the PSA id an operation produced.
CREATE TABLE outbox_new (
    seq          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL,
    entity       TEXT NOT NULL,
    entity_id    TEXT NOT NULL,
    operation    TEXT NOT NULL,
    summary      TEXT NOT NULL,
    payload      TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed', 'superseded')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    psa_id       INTEGER,
    sent_at      TEXT
);
INSERT INTO outbox_new (seq, id, entity, entity_id, operation, summary, payload, created_at, state, attempts, last_error)
    SELECT seq, id, entity, entity_id, operation, summary, payload, created_at, state, attempts, last_error FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
-- Deliberately still no secondary index (see 0002): the sync scans from
-- `sync_watermarks['outbox'].watermark`, the lowest seq that may be unsent.
