-- Strikeline schema v1 (PostgreSQL). Applied once, inside a transaction, by core/storage/Migrations.
-- Prices are NUMERIC(18,4): exact, four decimals hold every tick (Rs 0.0025). Expiry is the IST
-- calendar date of expiry.

CREATE TABLE sync_runs (
    id               BIGSERIAL   PRIMARY KEY,
    started_at       TIMESTAMPTZ NOT NULL,
    finished_at      TIMESTAMPTZ,
    source           TEXT        NOT NULL,
    etag             TEXT,
    last_modified    TEXT,
    checksum         TEXT,                 -- SHA-256 of the bytes as received
    bytes            BIGINT,
    rows_read        BIGINT      NOT NULL DEFAULT 0,
    rows_skipped     BIGINT      NOT NULL DEFAULT 0,
    rows_inserted    BIGINT      NOT NULL DEFAULT 0,
    rows_updated     BIGINT      NOT NULL DEFAULT 0,
    rows_unchanged   BIGINT      NOT NULL DEFAULT 0,
    rows_deactivated BIGINT      NOT NULL DEFAULT 0,
    status           TEXT        NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'unchanged')),
    forced           BOOLEAN     NOT NULL DEFAULT FALSE,
    error            TEXT
);

CREATE TABLE instruments (
    instrument_key    TEXT          PRIMARY KEY,
    trading_symbol    TEXT          NOT NULL,
    name              TEXT          NOT NULL,
    segment           TEXT          NOT NULL,
    exchange_token    BIGINT,
    instrument_type   TEXT          NOT NULL,   -- the master's own code: CE, FUT, EQ, A, INDEX ...
    kind              TEXT          NOT NULL CHECK (kind IN ('EQ', 'INDEX', 'FUT', 'CE', 'PE', 'COM')),
    underlying_symbol TEXT          NOT NULL,
    underlying_key    TEXT,
    expiry            DATE,
    strike_price      NUMERIC(18,4) NOT NULL,
    tick_size         NUMERIC(18,4) NOT NULL,
    lot_size          INTEGER       NOT NULL,
    freeze_quantity   INTEGER       NOT NULL,   -- 0 = unknown
    qty_multiplier    INTEGER       NOT NULL,
    weekly            BOOLEAN       NOT NULL,
    is_active         BOOLEAN       NOT NULL DEFAULT TRUE,
    first_seen_sync   BIGINT        NOT NULL,   -- sync_runs.id (no FK: see below)
    last_seen_sync    BIGINT        NOT NULL    -- sync_runs.id
) WITH (fillfactor = 50);
-- Every sync updates last_seen_sync on every listed row. Half-empty pages let PostgreSQL do
-- those as HOT updates (same page, no index entries), which is what keeps a sync fast.

-- first_seen_sync, last_seen_sync and instrument_changes.sync_run_id carry no foreign key: the
-- sync writes them in the same transaction as the run row it created, and a per-row RI check
-- on 124k rows costs seconds in PostgreSQL on every sync (measured: docs/PERFORMANCE.md).
CREATE INDEX instruments_segment ON instruments (segment);
CREATE INDEX instruments_underlying ON instruments (underlying_symbol);
CREATE INDEX instruments_expiry ON instruments (expiry);
CREATE INDEX instruments_type ON instruments (instrument_type);
CREATE INDEX instruments_active ON instruments (is_active) WHERE is_active;

CREATE TABLE instrument_changes (
    id             BIGSERIAL PRIMARY KEY,
    sync_run_id    BIGINT    NOT NULL,      -- sync_runs.id
    instrument_key TEXT      NOT NULL,
    change         TEXT      NOT NULL CHECK (change IN ('new', 'deactivated', 'reactivated',
                                                        'lot_changed', 'tick_changed',
                                                        'freeze_changed', 'key_reused')),
    trading_symbol TEXT      NOT NULL,      -- the contract the key names after this sync
    old_value      TEXT,
    new_value      TEXT
);

CREATE INDEX instrument_changes_run ON instrument_changes (sync_run_id);
CREATE INDEX instrument_changes_key ON instrument_changes (instrument_key);
