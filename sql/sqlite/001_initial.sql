-- Strikeline schema v1 (SQLite). Applied once, inside a transaction, by core/storage/Migrations.
-- Prices are exact decimals stored as TEXT (SQLite has no exact decimal type; REAL would round),
-- dates as ISO text 'YYYY-MM-DD' (IST calendar dates), times as ISO-8601 UTC text.

CREATE TABLE sync_runs (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at       TEXT    NOT NULL,
    finished_at      TEXT,
    source           TEXT    NOT NULL,
    etag             TEXT,
    last_modified    TEXT,
    checksum         TEXT,               -- SHA-256 of the bytes as received
    bytes            INTEGER,
    rows_read        INTEGER NOT NULL DEFAULT 0,
    rows_skipped     INTEGER NOT NULL DEFAULT 0,
    rows_inserted    INTEGER NOT NULL DEFAULT 0,
    rows_updated     INTEGER NOT NULL DEFAULT 0,
    rows_unchanged   INTEGER NOT NULL DEFAULT 0,
    rows_deactivated INTEGER NOT NULL DEFAULT 0,
    status           TEXT    NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'unchanged')),
    forced           INTEGER NOT NULL DEFAULT 0,
    error            TEXT
);

CREATE TABLE instruments (
    instrument_key    TEXT    PRIMARY KEY,
    trading_symbol    TEXT    NOT NULL,
    name              TEXT    NOT NULL,
    segment           TEXT    NOT NULL,
    exchange_token    INTEGER,
    instrument_type   TEXT    NOT NULL,   -- the master's own code: CE, FUT, EQ, A, INDEX ...
    kind              TEXT    NOT NULL CHECK (kind IN ('EQ', 'INDEX', 'FUT', 'CE', 'PE', 'COM')),
    underlying_symbol TEXT    NOT NULL,
    underlying_key    TEXT,
    expiry            TEXT,               -- IST date of expiry
    strike_price      TEXT    NOT NULL,   -- rupees, exact
    tick_size         TEXT    NOT NULL,   -- rupees, exact
    lot_size          INTEGER NOT NULL,
    freeze_quantity   INTEGER NOT NULL,   -- 0 = unknown
    qty_multiplier    INTEGER NOT NULL,
    weekly            INTEGER NOT NULL,
    is_active         INTEGER NOT NULL DEFAULT 1,
    first_seen_sync   INTEGER NOT NULL,   -- sync_runs.id (no FK: see below)
    last_seen_sync    INTEGER NOT NULL    -- sync_runs.id
) WITHOUT ROWID;

-- first_seen_sync, last_seen_sync and instrument_changes.sync_run_id carry no foreign key: the
-- sync writes them in the same transaction as the run row it created, and a per-row RI check
-- on 124k rows costs seconds in PostgreSQL on every sync (measured: docs/PERFORMANCE.md).
CREATE INDEX instruments_segment ON instruments (segment);
CREATE INDEX instruments_underlying ON instruments (underlying_symbol);
CREATE INDEX instruments_expiry ON instruments (expiry);
CREATE INDEX instruments_type ON instruments (instrument_type);
CREATE INDEX instruments_active ON instruments (is_active) WHERE is_active = 1;

CREATE TABLE instrument_changes (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    sync_run_id    INTEGER NOT NULL,      -- sync_runs.id
    instrument_key TEXT    NOT NULL,
    change         TEXT    NOT NULL CHECK (change IN ('new', 'deactivated', 'reactivated',
                                                      'lot_changed', 'tick_changed',
                                                      'freeze_changed', 'key_reused')),
    trading_symbol TEXT    NOT NULL,      -- the contract the key names after this sync
    old_value      TEXT,
    new_value      TEXT
);

CREATE INDEX instrument_changes_run ON instrument_changes (sync_run_id);
CREATE INDEX instrument_changes_key ON instrument_changes (instrument_key);
