-- What needs the technician, kept in the app as well as shown on the desktop:
-- one row per ticket-level notice (a desktop notification may group several),
-- opened from the app's notices list. The quiet hours silence the desktop, not
-- this list; the first look at a cache adds nothing.
CREATE TABLE notice_inbox (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL,
    title      TEXT NOT NULL,
    -- Plain text as the PSA sent it (the UI renders it as text).
    body       TEXT NOT NULL,
    ticket_id  TEXT,
    created_at TEXT NOT NULL,
    read_at    TEXT
);
CREATE INDEX notice_inbox_unread ON notice_inbox (id) WHERE read_at IS NULL;
