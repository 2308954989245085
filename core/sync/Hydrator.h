#pragma once

#include "instruments/InstrumentSnapshot.h"
#include "storage/Database.h"

namespace strikeline {

struct HydrationResult
{
    SnapshotPtr snapshot;
    std::int64_t rows = 0;
    std::int64_t elapsedMs = 0;
    BuildReport build;
};

// Database -> RAM: every active instrument into a new snapshot. Runs on the calling thread
// (a worker's), on a connection opened there. Publishing is the caller's move.
Result<HydrationResult> hydrate(Database &db);

} // namespace strikeline
