-- The ticket cache: picklists, devices, tickets with their notes and
-- secondary resources, appointments (service calls), local settings and the
-- outbox of changes waiting to be sent to the PSA.
--
-- Tickets and notes carry an integer `row` key (used by the full-text index
-- and by the 1,000,000-note join) beside the local UUID `id` that the rest of
-- the app and the outbox use.

-- Statuses, priorities, queues, issue types, sources and note types are data,
-- as each PSA tenant defines its own. `meaning` ties a value to what Fieldkit
-- does with it (a view, a response clock); NULL means "nothing special".
CREATE TABLE picklist_values (
    kind        TEXT NOT NULL CHECK (kind IN ('status', 'priority', 'queue', 'issue_type', 'source', 'note_type', 'work_type')),
    value       INTEGER NOT NULL,
    label       TEXT NOT NULL,
    meaning     TEXT,
    is_active   INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    sort_order  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, value)
) WITHOUT ROWID;

CREATE TABLE devices (
    id                   TEXT PRIMARY KEY NOT NULL,
    psa_id               INTEGER UNIQUE,
    customer_id          TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    site_id              TEXT REFERENCES sites (id) ON DELETE SET NULL,
    name                 TEXT NOT NULL,
    device_type          TEXT NOT NULL DEFAULT '',
    serial_number        TEXT NOT NULL DEFAULT '',
    rmm_agent_installed  INTEGER NOT NULL DEFAULT 0 CHECK (rmm_agent_installed IN (0, 1))
);
CREATE INDEX devices_customer ON devices (customer_id, name);

CREATE TABLE tickets (
    row                      INTEGER PRIMARY KEY,
    id                       TEXT NOT NULL UNIQUE,
    psa_id                   INTEGER UNIQUE,
    number                   TEXT NOT NULL UNIQUE,
    title                    TEXT NOT NULL,
    description              TEXT NOT NULL DEFAULT '',
    status                   INTEGER NOT NULL,
    priority                 INTEGER NOT NULL,
    queue                    INTEGER,
    issue_type               INTEGER,
    source                   INTEGER,
    customer_id              TEXT NOT NULL REFERENCES customers (id),
    site_id                  TEXT REFERENCES sites (id) ON DELETE SET NULL,
    contact_id               TEXT REFERENCES contacts (id) ON DELETE SET NULL,
    device_id                TEXT REFERENCES devices (id) ON DELETE SET NULL,
    primary_resource_id      TEXT REFERENCES resources (id),
    due_at                   TEXT,
    created_at               TEXT NOT NULL,
    last_activity_at         TEXT NOT NULL,
    last_customer_visible_at TEXT,
    first_response_at        TEXT,
    completed_at             TEXT,
    -- Set when this ticket was raised from the field while working on another.
    noticed_on_row           INTEGER REFERENCES tickets (row)
);
-- Views look at open tickets only; history (most of the rows) stays out of
-- their indexes.
CREATE INDEX tickets_open_by_primary ON tickets (primary_resource_id, priority, due_at) WHERE completed_at IS NULL;
CREATE INDEX tickets_open_by_queue ON tickets (queue, priority, created_at) WHERE completed_at IS NULL;
CREATE INDEX tickets_open_by_status ON tickets (status, priority, created_at) WHERE completed_at IS NULL;
CREATE INDEX tickets_open_by_issue_type ON tickets (issue_type, due_at) WHERE completed_at IS NULL;
CREATE INDEX tickets_open_by_priority ON tickets (priority, created_at) WHERE completed_at IS NULL;
CREATE INDEX tickets_open_unassigned ON tickets (created_at) WHERE completed_at IS NULL AND primary_resource_id IS NULL;
CREATE INDEX tickets_customer ON tickets (customer_id);
-- "All tickets", newest activity or creation first.
CREATE INDEX tickets_by_activity ON tickets (last_activity_at);
CREATE INDEX tickets_by_created ON tickets (created_at);

CREATE TABLE ticket_secondary_resources (
    ticket_row   INTEGER NOT NULL REFERENCES tickets (row) ON DELETE CASCADE,
    resource_id  TEXT NOT NULL REFERENCES resources (id),
    -- A copy of "the ticket is open", kept by the trigger below, so "my
    -- todo" finds my open secondary tickets without visiting closed ones.
    is_open      INTEGER NOT NULL DEFAULT 1 CHECK (is_open IN (0, 1)),
    PRIMARY KEY (ticket_row, resource_id)
) WITHOUT ROWID;
CREATE INDEX ticket_secondary_open_by_resource ON ticket_secondary_resources (resource_id, ticket_row) WHERE is_open = 1;
CREATE TRIGGER ticket_secondary_follows_open AFTER UPDATE OF completed_at ON tickets
BEGIN
    UPDATE ticket_secondary_resources SET is_open = (NEW.completed_at IS NULL) WHERE ticket_row = NEW.row;
END;

CREATE TABLE ticket_notes (
    row          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    psa_id       INTEGER UNIQUE,
    ticket_row   INTEGER NOT NULL REFERENCES tickets (row) ON DELETE CASCADE,
    note_type    INTEGER,
    title        TEXT NOT NULL DEFAULT '',
    body         TEXT NOT NULL,
    -- Visible to the customer (Autotask: publish = 1) or internal only.
    is_customer_visible INTEGER NOT NULL DEFAULT 0 CHECK (is_customer_visible IN (0, 1)),
    -- A note from the customer (e.g. an e-mail reply), not from the MSP.
    from_customer INTEGER NOT NULL DEFAULT 0 CHECK (from_customer IN (0, 1)),
    author_resource_id TEXT REFERENCES resources (id),
    author_name  TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL
);
CREATE INDEX ticket_notes_by_ticket ON ticket_notes (ticket_row, created_at);
CREATE INDEX ticket_notes_from_customer ON ticket_notes (created_at) WHERE from_customer = 1;

-- Service calls: a visit (on site) or a remote session, with its one-hour
-- arrival window starting at `start_at`.
CREATE TABLE appointments (
    id           TEXT PRIMARY KEY NOT NULL,
    psa_id       INTEGER UNIQUE,
    customer_id  TEXT NOT NULL REFERENCES customers (id),
    site_id      TEXT REFERENCES sites (id) ON DELETE SET NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('on_site', 'remote')),
    start_at     TEXT NOT NULL,
    end_at       TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    CHECK (end_at > start_at)
);
CREATE INDEX appointments_by_start ON appointments (start_at);

CREATE TABLE appointment_tickets (
    appointment_id  TEXT NOT NULL REFERENCES appointments (id) ON DELETE CASCADE,
    ticket_row      INTEGER NOT NULL REFERENCES tickets (row) ON DELETE CASCADE,
    PRIMARY KEY (appointment_id, ticket_row)
) WITHOUT ROWID;
CREATE INDEX appointment_tickets_by_ticket ON appointment_tickets (ticket_row);

CREATE TABLE appointment_resources (
    appointment_id  TEXT NOT NULL REFERENCES appointments (id) ON DELETE CASCADE,
    resource_id     TEXT NOT NULL REFERENCES resources (id),
    PRIMARY KEY (appointment_id, resource_id)
) WITHOUT ROWID;
CREATE INDEX appointment_resources_by_resource ON appointment_resources (resource_id, appointment_id);

-- One document per ticket: number, title, description, all its notes, and
-- the names of its customer, contact and device. Contentless: the text lives
-- in the tables above; highlighting is done by the core.
CREATE VIRTUAL TABLE ticket_search USING fts5 (
    number,
    title,
    description,
    notes,
    related,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);
-- Number and title alone, so "matches in the title" is a short list to walk
-- even for a word that fills half of the notes.
CREATE VIRTUAL TABLE ticket_title_search USING fts5 (
    number,
    title,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);

-- How far the derived data (search documents, tickets' last activity) has
-- caught up with the outbox. A new note is written durably with its outbox
-- entry only; `catch_up` applies what follows from it right after, and at
-- start-up after a crash, so the durable write stays small.
CREATE TABLE derived_progress (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    outbox_seq  INTEGER NOT NULL
);

-- Local preferences: who "I" am, the scheduling-link template, the clocks.
CREATE TABLE settings (
    key    TEXT PRIMARY KEY NOT NULL,
    value  TEXT NOT NULL
) WITHOUT ROWID;

-- Every change made here, in order, waiting for the sync to push it. Written
-- in the same transaction as the change itself.
-- Entries are never deleted, only marked sent, so `seq` (the rowid) only
-- grows without AUTOINCREMENT's extra write to sqlite_sequence.
CREATE TABLE outbox (
    seq          INTEGER PRIMARY KEY,
    -- A random (v4) UUID made by `enqueue`: unique without an index, which
    -- would add a page to every durable write.
    id           TEXT NOT NULL,
    entity       TEXT NOT NULL,
    entity_id    TEXT NOT NULL,
    operation    TEXT NOT NULL,
    summary      TEXT NOT NULL,
    payload      TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT
);
-- Deliberately no secondary index: the durable add-note path writes as few
-- pages as it can; the sync reads the outbox in `seq` order.
