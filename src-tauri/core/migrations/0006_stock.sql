-- The technician's stock: items, and the movement ledger that is the truth
-- about them. `stock_items.on_hand` is the sum of the item's movements,
-- kept by a trigger on the append-only ledger so the stock list reads it in
-- one step; the tests check it against the sum.

CREATE TABLE stock_items (
    id                TEXT PRIMARY KEY NOT NULL,
    name              TEXT NOT NULL,
    category          TEXT NOT NULL CHECK (category IN ('forms', 'cables', 'adapters', 'storage', 'other')),
    unit              TEXT NOT NULL DEFAULT 'pcs',
    location          TEXT NOT NULL CHECK (location IN ('car', 'bag', 'office')),
    reorder_level     INTEGER NOT NULL CHECK (reorder_level >= 0),
    reorder_quantity  INTEGER NOT NULL CHECK (reorder_quantity >= 1),
    notes             TEXT NOT NULL DEFAULT '',
    on_hand           INTEGER NOT NULL DEFAULT 0,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
-- Names are unique regardless of case ("USB-C adapter" and "usb-c Adapter" are one item).
CREATE UNIQUE INDEX stock_items_by_name ON stock_items (name COLLATE NOCASE);

-- One line per movement, never changed or removed. `delta` is what it did to
-- the quantity on hand; `balance_after` the quantity after it. `forced` marks
-- a movement recorded anyway although it took the stock below zero.
CREATE TABLE stock_movements (
    seq            INTEGER PRIMARY KEY,
    id             TEXT NOT NULL UNIQUE,
    item_id        TEXT NOT NULL REFERENCES stock_items (id),
    kind           TEXT NOT NULL CHECK (kind IN ('received', 'used', 'returned', 'adjusted', 'counted')),
    delta          INTEGER NOT NULL,
    balance_after  INTEGER NOT NULL,
    -- For a stock-take: the count typed.
    counted        INTEGER,
    reason         TEXT NOT NULL DEFAULT '',
    report_id      TEXT REFERENCES service_reports (id),
    ticket_row     INTEGER REFERENCES tickets (row),
    forced         INTEGER NOT NULL DEFAULT 0 CHECK (forced IN (0, 1)),
    at             TEXT NOT NULL
);
CREATE INDEX stock_movements_by_item ON stock_movements (item_id, seq);
CREATE INDEX stock_movements_by_kind ON stock_movements (kind, at, item_id, delta);
CREATE INDEX stock_movements_by_report ON stock_movements (report_id) WHERE report_id IS NOT NULL;

CREATE TRIGGER stock_movements_apply AFTER INSERT ON stock_movements BEGIN
    UPDATE stock_items SET on_hand = on_hand + NEW.delta WHERE id = NEW.item_id;
END;
CREATE TRIGGER stock_movements_no_update BEFORE UPDATE ON stock_movements BEGIN
    SELECT RAISE(ABORT, 'stock movements are never changed; record a correcting movement');
END;
CREATE TRIGGER stock_movements_no_delete BEFORE DELETE ON stock_movements BEGIN
    SELECT RAISE(ABORT, 'stock movements are never removed; record a correcting movement');
END;

-- Restock requests to the office admin: at most one pending at a time. It
-- lists every low item with the suggested quantity (JSON) and closes when
-- none of its items is low any more (stock received).
CREATE TABLE restock_requests (
    id          TEXT PRIMARY KEY NOT NULL,
    state       TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'closed')),
    -- JSON: [{"item_id": "...", "name": "...", "unit": "pcs", "on_hand": 1, "suggested": 10}, ...]
    lines       TEXT NOT NULL,
    outbox_id   TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    closed_at   TEXT
);
CREATE UNIQUE INDEX restock_requests_one_pending ON restock_requests (state) WHERE state = 'pending';
