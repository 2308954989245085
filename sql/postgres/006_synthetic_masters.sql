-- Strikeline schema v6 (PostgreSQL): whether a sync run's master was generated (synthetic) rather
-- than a real Upstox master. The master says so itself (the generator's gzip header comment,
-- core/instruments/MasterReader.h); the run keeps it, so the DEMO label survives a sync of a
-- generated file whatever its name.
ALTER TABLE sync_runs ADD COLUMN synthetic BOOLEAN NOT NULL DEFAULT FALSE;
