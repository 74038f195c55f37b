-- The infrastructure change log. A record is never edited in place: a
-- correction is a new revision of the same `record_id`; the newest is current.
-- Secrets (passwords, license keys) are stored only as ciphertext.

CREATE TABLE change_records (
    row                 INTEGER PRIMARY KEY,
    id                  TEXT NOT NULL UNIQUE,
    record_id           TEXT NOT NULL,
    revision            INTEGER NOT NULL CHECK (revision >= 1),
    is_current          INTEGER NOT NULL DEFAULT 1 CHECK (is_current IN (0, 1)),
    customer_id         TEXT NOT NULL REFERENCES customers (id),
    site_id             TEXT REFERENCES sites (id) ON DELETE SET NULL,
    device_id           TEXT REFERENCES devices (id) ON DELETE SET NULL,
    ticket_row          INTEGER REFERENCES tickets (row),
    author_resource_id  TEXT REFERENCES resources (id),
    author_name         TEXT NOT NULL DEFAULT '',
    category            TEXT NOT NULL CHECK (category IN ('password_change', 'new_hardware', 'new_user',
                            'network_change', 'software_license', 'file_share', 'application', 'other')),
    summary             TEXT NOT NULL,
    -- The category's fields other than the secret, as a JSON object.
    fields              TEXT NOT NULL DEFAULT '{}',
    -- XChaCha20-Poly1305: 24-byte nonce then ciphertext; the record id is the associated data.
    secret_ciphertext   BLOB,
    created_at          TEXT NOT NULL,
    UNIQUE (record_id, revision)
);
CREATE INDEX change_records_by_customer ON change_records (customer_id, created_at) WHERE is_current = 1;
CREATE INDEX change_records_by_record ON change_records (record_id, revision);

-- Who looked at a secret, and when (revisions are history by themselves).
CREATE TABLE change_events (
    record_id   TEXT NOT NULL,
    at          TEXT NOT NULL,
    who         TEXT NOT NULL,
    what        TEXT NOT NULL CHECK (what IN ('revealed', 'copied'))
);
CREATE INDEX change_events_by_record ON change_events (record_id, at);

-- Search over the non-secret text of current revisions (rowid = change_records.row).
CREATE VIRTUAL TABLE change_search USING fts5 (
    summary,
    fields,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- The data key that encrypts secrets is never stored here in the clear: it
-- lives in the OS keychain, or (where none runs) it is wrapped with a key
-- derived from the user's passphrase (Argon2id).
CREATE TABLE vault (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    mode         TEXT NOT NULL CHECK (mode IN ('keychain', 'passphrase')),
    account      TEXT NOT NULL,
    salt         BLOB,
    wrapped_key  BLOB,
    -- A known text encrypted with the data key: proves a key is the right one.
    check_value  BLOB NOT NULL
);
