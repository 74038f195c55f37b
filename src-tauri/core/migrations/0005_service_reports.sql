-- OnSite Service Reports. A draft is edited freely (and autosaved); sealing
-- makes it read-only: its canonical content is stored, hashed (SHA-256) and
-- the hash signed with the installation's Ed25519 key. A correction is a new
-- report that names the sealed one in `revision_of`.

CREATE TABLE service_reports (
    id                    TEXT PRIMARY KEY NOT NULL,
    ticket_row            INTEGER NOT NULL REFERENCES tickets (row),
    appointment_id        TEXT REFERENCES appointments (id) ON DELETE SET NULL,
    revision_of           TEXT REFERENCES service_reports (id),
    technician_name       TEXT NOT NULL DEFAULT '',
    customer_name         TEXT NOT NULL DEFAULT '',
    site_text             TEXT NOT NULL DEFAULT '',
    contact_text          TEXT NOT NULL DEFAULT '',
    arrival_window_start  TEXT,
    arrival_window_end    TEXT,
    arrived_at            TEXT,
    departed_at           TEXT,
    work_performed        TEXT NOT NULL DEFAULT '',
    findings              TEXT NOT NULL DEFAULT '',
    recommendations       TEXT NOT NULL DEFAULT '',
    customer_notes        TEXT NOT NULL DEFAULT '',
    follow_up_needed      INTEGER NOT NULL DEFAULT 0 CHECK (follow_up_needed IN (0, 1)),
    follow_up_what        TEXT NOT NULL DEFAULT '',
    -- JSON: [{"item": "...", "quantity": 2}]
    parts                 TEXT NOT NULL DEFAULT '[]',
    state                 TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'sealed')),
    signer_name           TEXT NOT NULL DEFAULT '',
    signer_title          TEXT NOT NULL DEFAULT '',
    no_signature_reason   TEXT NOT NULL DEFAULT '',
    -- JSON: [[{"x": 0.1, "y": 0.5, "t": 12, "p": 0.5}, ...], ...] (x, y in 0..1 of the pad)
    strokes               TEXT NOT NULL DEFAULT '[]',
    -- The strokes drawn as SVG (300 × 100), for documents; derived at sealing.
    signature_svg         TEXT NOT NULL DEFAULT '',
    signed_at             TEXT,
    sealed_content        TEXT,
    seal_hash             TEXT,
    seal_signature        TEXT,
    seal_public_key       TEXT,
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL
);
CREATE INDEX service_reports_by_ticket ON service_reports (ticket_row, created_at);

-- The installation's sealing key: the public half in the clear (shown in
-- Settings), the private half encrypted by the vault.
CREATE TABLE seal_keys (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    public_key     TEXT NOT NULL,
    sealed_secret  BLOB NOT NULL
);

-- Every PDF rendered of a sealed report, by the SHA-256 of its bytes, so a
-- PDF file can be checked later without parsing it.
CREATE TABLE report_pdfs (
    sha256      TEXT PRIMARY KEY NOT NULL,
    report_id   TEXT NOT NULL REFERENCES service_reports (id),
    paper       TEXT NOT NULL,
    created_at  TEXT NOT NULL
) WITHOUT ROWID;
