#pragma once

#include "instruments/InstrumentSnapshot.h"
#include "storage/Database.h"

#include <functional>

namespace strikeline {

struct HydrationResult
{
    SnapshotPtr snapshot;
    std::int64_t rows = 0;
    std::int64_t elapsedMs = 0;
    BuildReport build;
};

struct HydrateOptions
{
    // Rows read so far and the rows to read: once before the first row, then every few
    // thousand. Called on the hydrating thread.
    std::function<void(std::int64_t rows, std::int64_t total)> progress;
};

// Database -> RAM: every active instrument into a new snapshot. The run the snapshot is labelled
// with and its rows are read in one read-only transaction (one snapshot of the database), so a
// sync committing meanwhile is either wholly in or wholly out. Runs on the calling thread (a
// worker's), on a connection opened there. Publishing is the caller's move.
Result<HydrationResult> hydrate(Database &db, const HydrateOptions &options = {});

} // namespace strikeline
