-- Strikeline schema v5 (SQLite): which process runs a sync. A run whose process is gone (killed,
-- crashed, the machine rebooted) can no longer finish: the next sync or `history` records it as
-- failed instead of leaving it 'running' forever (InstrumentStore::markAbandonedRuns). A SQLite
-- database is used from one machine, so the host and process id decide.
ALTER TABLE sync_runs ADD COLUMN host TEXT;
ALTER TABLE sync_runs ADD COLUMN pid INTEGER;
