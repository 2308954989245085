-- Strikeline schema v4 (PostgreSQL): what a sync did with the rows it could not take as they are
-- (core/sync/InstrumentSync, docs/ARCHITECTURE.md "A sync").
--   rows_duplicate   rows repeating an instrument_key already in the master (identical or not)
--   keys_conflicting keys listed more than once with different data: none of their rows is
--                    imported, the stored version (if any) stays in use
--   rows_kept        active contracts kept from the previous master because this master's row
--                    for them was invalid or conflicting (they are not deactivated)
ALTER TABLE sync_runs ADD COLUMN rows_duplicate BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sync_runs ADD COLUMN keys_conflicting BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sync_runs ADD COLUMN rows_kept BIGINT NOT NULL DEFAULT 0;
