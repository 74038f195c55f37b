-- Desktop notifications: what was announced (or silenced), so each is at most once.
CREATE TABLE notices_sent (
    key      TEXT PRIMARY KEY NOT NULL,
    kind     TEXT NOT NULL,
    sent_at  TEXT NOT NULL,
    -- 0: recorded without showing (the first look, or the quiet hours).
    shown    INTEGER NOT NULL CHECK (shown IN (0, 1))
) WITHOUT ROWID;
