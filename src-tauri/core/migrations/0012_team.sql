-- The team around the technician. Messages to the team's Slack channel
-- (help requests, later handoff notes): each is written with an outbox
-- entry `SlackMessage` in the same transaction, and the sync posts it to
-- the incoming webhook stored in the vault (never to the PSA).
--
-- A webhook post is not idempotent: a message is marked `sending`
-- (committed) before its POST. One found in `sending` by the next round
-- (the process died during the POST) becomes `possibly_sent`: shown to the
-- technician with "send again" or "discard", never resent silently.
CREATE TABLE slack_messages (
    id          TEXT PRIMARY KEY NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('help_request', 'handoff')),
    ticket_id   TEXT REFERENCES tickets (id) ON DELETE SET NULL,
    -- What the technician wrote (plain text; escaped for Slack when posted).
    text        TEXT NOT NULL,
    -- The JSON body as last posted (made when the message is sent, when
    -- the ticket's PSA id may be known).
    body        TEXT,
    state       TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'possibly_sent', 'discarded')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    -- Slack's words (or the network's) about the last attempt.
    last_error  TEXT,
    created_at  TEXT NOT NULL,
    sent_at     TEXT
);
CREATE INDEX slack_messages_open ON slack_messages (created_at)
    WHERE state IN ('pending', 'sending', 'failed', 'possibly_sent');
CREATE INDEX slack_messages_by_ticket ON slack_messages (ticket_id, created_at);

-- My questions for the weekly meeting with the senior technician: one line
-- each, about a ticket, a change or a report (its label copied in, so the
-- list reads well even once the record is gone), kept per week (the Monday,
-- in the technician's zone); answered with the answer kept. Local only.
CREATE TABLE meeting_questions (
    id             TEXT PRIMARY KEY NOT NULL,
    week           TEXT NOT NULL,
    subject_kind   TEXT NOT NULL CHECK (subject_kind IN ('ticket', 'change', 'report', 'none')),
    subject_id     TEXT,
    subject_label  TEXT NOT NULL DEFAULT '',
    question       TEXT NOT NULL,
    answer         TEXT,
    answered_at    TEXT,
    created_at     TEXT NOT NULL
);
CREATE INDEX meeting_questions_by_week ON meeting_questions (week, created_at);
