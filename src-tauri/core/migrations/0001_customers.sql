-- Customers (PSA companies) with their sites (locations) and contacts, and the
-- MSP's own people (resources). Every row has a local UUID and an optional PSA id.
CREATE TABLE customers (
    id          TEXT PRIMARY KEY NOT NULL,
    psa_id      INTEGER UNIQUE,
    name        TEXT NOT NULL,
    phone       TEXT NOT NULL DEFAULT '',
    website     TEXT NOT NULL DEFAULT '',
    is_msa      INTEGER NOT NULL DEFAULT 0 CHECK (is_msa IN (0, 1)),
    notes       TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX customers_name ON customers (name COLLATE NOCASE);

CREATE TABLE sites (
    id           TEXT PRIMARY KEY NOT NULL,
    psa_id       INTEGER UNIQUE,
    customer_id  TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    address1     TEXT NOT NULL DEFAULT '',
    address2     TEXT NOT NULL DEFAULT '',
    city         TEXT NOT NULL DEFAULT '',
    state        TEXT NOT NULL DEFAULT '',
    postal_code  TEXT NOT NULL DEFAULT '',
    country      TEXT NOT NULL DEFAULT '',
    phone        TEXT NOT NULL DEFAULT '',
    is_primary   INTEGER NOT NULL DEFAULT 0 CHECK (is_primary IN (0, 1)),
    position     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sites_customer ON sites (customer_id, position);

CREATE TABLE contacts (
    id           TEXT PRIMARY KEY NOT NULL,
    psa_id       INTEGER UNIQUE,
    customer_id  TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    site_id      TEXT REFERENCES sites (id) ON DELETE SET NULL,
    first_name   TEXT NOT NULL,
    last_name    TEXT NOT NULL,
    title        TEXT NOT NULL DEFAULT '',
    phone        TEXT NOT NULL DEFAULT '',
    mobile       TEXT NOT NULL DEFAULT '',
    email        TEXT NOT NULL DEFAULT '',
    position     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX contacts_customer ON contacts (customer_id, position);

-- One row per customer: the text that search matches (name, sites, contacts).
CREATE VIRTUAL TABLE customer_search USING fts5 (
    customer_id UNINDEXED,
    body,
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TABLE resources (
    id          TEXT PRIMARY KEY NOT NULL,
    psa_id      INTEGER UNIQUE,
    first_name  TEXT NOT NULL,
    last_name   TEXT NOT NULL,
    email       TEXT NOT NULL DEFAULT '',
    role        TEXT NOT NULL CHECK (role IN ('technician', 'office_admin', 'senior_technician')),
    is_active   INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1))
);
