#pragma once

#include "common/IstTime.h"
#include "common/Result.h"
#include "storage/InstrumentStore.h"

#include <QString>

#include <cstdint>
#include <optional>
#include <vector>

namespace strikeline {

class Database;

// How many instrument_changes rows of each kind.
struct ChangeCounts
{
    std::int64_t added = 0; // 'new' (never listed for a first import into an empty table)
    std::int64_t deactivated = 0;
    std::int64_t reactivated = 0;
    std::int64_t lotChanged = 0;
    std::int64_t tickChanged = 0;
    std::int64_t freezeChanged = 0;
    std::int64_t keyReused = 0;
    // Distinct contracts whose terms changed: lot, tick or freeze, or a key now naming another
    // contract (one contract can have its lot and its freeze changed: counted once here).
    std::int64_t contractsChanged = 0;

    std::int64_t total() const // rows, every kind
    {
        return added + deactivated + reactivated + lotChanged + tickChanged + freezeChanged +
               keyReused;
    }
    std::int64_t of(const QString &kind) const; // by the stored name ("lot_changed"); 0 if unknown
    bool operator==(const ChangeCounts &) const = default;
};

// The change kinds as stored in instrument_changes.change, in the order a trader reads them.
const std::vector<QString> &changeKinds();

struct ChangeQuery
{
    std::vector<std::int64_t> runIds; // the runs whose changes to list (none: nothing)
    QString kind;                     // one of changeKinds(); empty: every kind
    int limit = 2000;                 // rows listed at most (the counts are always complete)
};

struct ChangePage
{
    ChangeQuery query;
    std::vector<InstrumentChange> changes; // newest run first, then as the merge wrote them
    std::int64_t matching = 0;             // rows of query.kind in those runs (may be > limit)
    ChangeCounts counts;                   // every kind, in those runs
};

// The changes of some runs, filtered by kind and capped, with the counts: one query for the
// counts and one for the page, so a day with 30,000 expired options lists a page of them.
Result<ChangePage> loadChanges(Database &db, const ChangeQuery &query);

// What the "Sync & data" panel shows: the runs, today's runs and their changes, the master
// in use.
struct SyncHistory
{
    std::vector<SyncRunRecord> runs;         // newest first, at most runLimit
    std::vector<std::int64_t> todaysRunIds;  // started on `today` (IST), newest first
    ChangePage todaysChanges;                // of todaysRunIds
    std::int64_t activeInstruments = 0;      // in the database now
    std::optional<SyncRunRecord> lastImport; // the run whose master is in use
    EpochDay today = NoDay;
};

Result<SyncHistory> loadSyncHistory(Database &db, EpochDay today, int runLimit = 50,
                                    int changeLimit = 2000);

// The day a run's master is of: the date in the file name ("complete-2025-12-09.json.gz"),
// else the IST day the run finished (a download is always "complete.json.gz").
EpochDay masterDayOf(const SyncRunRecord &run);

// The business day of a master from `source`, when it is known: the date in its file name, or
// for a download (always today's "complete.json.gz") the IST day of `fetchedAt`. A local file
// without a date in its name: unknown. A sync refuses a master older than the one in use.
std::optional<EpochDay> knownMasterDay(const QString &source, const QDateTime &fetchedAt);

// The IST day a run started on.
EpochDay istDayOf(const QDateTime &moment);

} // namespace strikeline
