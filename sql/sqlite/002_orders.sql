-- Strikeline schema v2 (SQLite): orders and their journaled events. Written only by the order
-- persister from the order journal (core/orders, docs/orders-flow.md); the journal is the source
-- of truth and every write here is idempotent, so a replay after a crash never duplicates.
-- Prices are exact integers in units of 1/10000 rupee (strikeline::Price raw values); times are
-- epoch milliseconds; expiry is the IST date 'YYYY-MM-DD'.

CREATE TABLE orders (
    client_order_id        TEXT    PRIMARY KEY,      -- Upstox `tag`, at most 20 characters
    parent_client_order_id TEXT,                     -- set on the children of a sliced order
    slice_index            INTEGER NOT NULL DEFAULT 0,
    slice_count            INTEGER NOT NULL DEFAULT 0, -- a sliced parent's number of children
    broker_order_ids       TEXT    NOT NULL DEFAULT '', -- comma-separated
    -- The contract as it was when the order was placed: keys are reused across days.
    instrument_key         TEXT    NOT NULL,
    trading_symbol         TEXT    NOT NULL,
    segment                TEXT    NOT NULL,
    option_type            TEXT    NOT NULL,           -- CE, PE, FUT, EQ ...
    expiry                 TEXT,
    strike_raw             INTEGER NOT NULL,
    lot_size               INTEGER NOT NULL,
    tick_raw               INTEGER NOT NULL,
    side                   TEXT    NOT NULL CHECK (side IN ('BUY', 'SELL')),
    order_type             TEXT    NOT NULL CHECK (order_type IN ('MARKET', 'LIMIT', 'SL', 'SL-M')),
    product                TEXT    NOT NULL CHECK (product IN ('I', 'D')),
    validity               TEXT    NOT NULL CHECK (validity IN ('DAY', 'IOC')),
    quantity               INTEGER NOT NULL CHECK (quantity > 0),
    price_raw              INTEGER NOT NULL,
    trigger_raw            INTEGER NOT NULL,
    status                 TEXT    NOT NULL CHECK (status IN ('new', 'validated', 'sent',
                                     'acknowledged', 'partially_filled', 'filled', 'rejected',
                                     'cancelled')),
    filled_quantity        INTEGER NOT NULL DEFAULT 0,
    average_price_raw      INTEGER NOT NULL DEFAULT 0,
    reject_reason          TEXT,
    created_at_ms          INTEGER NOT NULL,
    updated_at_ms          INTEGER NOT NULL,
    last_sequence          INTEGER NOT NULL            -- the journal sequence of the latest event applied
);

CREATE INDEX orders_parent ON orders (parent_client_order_id) WHERE parent_client_order_id IS NOT NULL;
CREATE INDEX orders_created ON orders (created_at_ms);

CREATE TABLE order_events (
    journal_sequence INTEGER PRIMARY KEY,              -- unique: a replay inserts nothing twice
    client_order_id  TEXT    NOT NULL,
    kind             TEXT    NOT NULL CHECK (kind IN ('created', 'validated', 'sent', 'acknowledged',
                                     'partial_fill', 'fill', 'rejected', 'cancelled')),
    status_after     TEXT    NOT NULL,
    payload          TEXT    NOT NULL,                 -- the journal record's JSON, verbatim
    event_time_ms    INTEGER NOT NULL
);

CREATE INDEX order_events_client ON order_events (client_order_id);
