-- A ticket's checklist (Autotask `TicketChecklistItems`): pulled with the
-- ticket, ticked here offline, each tick sent back through the outbox.
CREATE TABLE checklist_items (
    row                       INTEGER PRIMARY KEY,
    id                        TEXT NOT NULL UNIQUE,
    psa_id                    INTEGER UNIQUE,
    ticket_row                INTEGER NOT NULL REFERENCES tickets (row) ON DELETE CASCADE,
    name                      TEXT NOT NULL,
    position                  INTEGER NOT NULL DEFAULT 0,
    is_important              INTEGER NOT NULL DEFAULT 0,
    is_completed              INTEGER NOT NULL DEFAULT 0,
    -- The local resource who ticked it (NULL while unticked, or when the PSA
    -- names someone the cache does not hold).
    completed_by_resource_id  TEXT,
    completed_at              TEXT
);
CREATE INDEX checklist_items_by_ticket ON checklist_items (ticket_row, position);
