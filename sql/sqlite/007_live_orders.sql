-- Strikeline schema v7 (SQLite): the live order lifecycle (docs/orders-flow.md). Orders gain
-- the statuses of a real broker (triggered, pending modify and cancel, lost) and their venue
-- (paper or upstox), whether they were placed outside Strikeline, and the broker's own status
-- string; events gain the kinds that record them. SQLite cannot change a CHECK constraint in
-- place: both tables are rebuilt, rows copied as they are (every earlier order is paper).

ALTER TABLE orders RENAME TO orders_v6;

CREATE TABLE orders (
    journal_id             TEXT    NOT NULL DEFAULT '', -- the journal file's id ('' before ids)
    client_order_id        TEXT    NOT NULL,          -- Upstox `tag`, at most 20 characters
    parent_client_order_id TEXT,                     -- set on the children of a sliced order
    slice_index            INTEGER NOT NULL DEFAULT 0,
    slice_count            INTEGER NOT NULL DEFAULT 0, -- a sliced parent's number of children
    broker_order_ids       TEXT    NOT NULL DEFAULT '', -- comma-separated
    instrument_key         TEXT    NOT NULL,
    trading_symbol         TEXT    NOT NULL,
    segment                TEXT    NOT NULL,
    option_type            TEXT    NOT NULL,
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
                                     'acknowledged', 'triggered', 'partially_filled',
                                     'pending_modify', 'pending_cancel', 'filled', 'rejected',
                                     'cancelled', 'lost')),
    filled_quantity        INTEGER NOT NULL DEFAULT 0,
    average_price_raw      INTEGER NOT NULL DEFAULT 0,
    reject_reason          TEXT,
    created_at_ms          INTEGER NOT NULL,
    updated_at_ms          INTEGER NOT NULL,
    last_sequence          INTEGER NOT NULL,
    venue                  TEXT    NOT NULL DEFAULT 'paper' CHECK (venue IN ('paper', 'upstox')),
    external               INTEGER NOT NULL DEFAULT 0, -- placed outside Strikeline (the broker's app)
    broker_status          TEXT,                        -- the broker's own status string, verbatim
    PRIMARY KEY (journal_id, client_order_id)
);

INSERT INTO orders (journal_id, client_order_id, parent_client_order_id, slice_index,
                    slice_count, broker_order_ids, instrument_key, trading_symbol, segment,
                    option_type, expiry, strike_raw, lot_size, tick_raw, side, order_type,
                    product, validity, quantity, price_raw, trigger_raw, status,
                    filled_quantity, average_price_raw, reject_reason, created_at_ms,
                    updated_at_ms, last_sequence)
SELECT journal_id, client_order_id, parent_client_order_id, slice_index,
                    slice_count, broker_order_ids, instrument_key, trading_symbol, segment,
                    option_type, expiry, strike_raw, lot_size, tick_raw, side, order_type,
                    product, validity, quantity, price_raw, trigger_raw, status,
                    filled_quantity, average_price_raw, reject_reason, created_at_ms,
                    updated_at_ms, last_sequence
FROM orders_v6;

DROP TABLE orders_v6;

CREATE INDEX orders_parent ON orders (journal_id, parent_client_order_id) WHERE parent_client_order_id IS NOT NULL;
CREATE INDEX orders_created ON orders (created_at_ms);
CREATE INDEX orders_client ON orders (client_order_id);

ALTER TABLE order_events RENAME TO order_events_v6;

CREATE TABLE order_events (
    journal_id       TEXT    NOT NULL DEFAULT '',      -- the journal file's id ('' before ids)
    journal_sequence INTEGER NOT NULL,
    client_order_id  TEXT    NOT NULL,
    kind             TEXT    NOT NULL CHECK (kind IN ('created', 'validated', 'sent', 'acknowledged',
                                     'partial_fill', 'fill', 'rejected', 'cancelled', 'triggered',
                                     'modify_requested', 'modified', 'modify_refused',
                                     'cancel_requested', 'cancel_refused', 'broker_status',
                                     'lost')),
    status_after     TEXT    NOT NULL,
    payload          TEXT    NOT NULL,                 -- the journal record's JSON, verbatim
    event_time_ms    INTEGER NOT NULL,
    PRIMARY KEY (journal_id, journal_sequence)          -- a replay inserts nothing twice
);

INSERT INTO order_events (journal_id, journal_sequence, client_order_id, kind, status_after,
                          payload, event_time_ms)
SELECT journal_id, journal_sequence, client_order_id, kind, status_after, payload, event_time_ms
FROM order_events_v6;

DROP TABLE order_events_v6;

CREATE INDEX order_events_client ON order_events (journal_id, client_order_id);
