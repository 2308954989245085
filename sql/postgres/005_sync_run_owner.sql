-- Strikeline schema v5 (PostgreSQL): which process runs a sync, for messages. Whether a
-- 'running' run is still alive is decided by its session advisory lock (7210003, id), which
-- the sync's connection holds until the run is finished and which the server drops when the
-- connection ends, from whichever machine it came (InstrumentStore::markAbandonedRuns).
ALTER TABLE sync_runs ADD COLUMN host TEXT;
ALTER TABLE sync_runs ADD COLUMN pid BIGINT;
