#pragma once

#include "Database.h"
#include "instruments/Instrument.h"

#include <QDateTime>
#include <QString>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strikeline {

enum class SyncStatus { Running, Succeeded, Failed, Unchanged };
QString syncStatusName(SyncStatus status);

struct SyncRunRecord
{
    std::int64_t id = 0;
    QDateTime startedAt;
    QDateTime finishedAt;
    QString source;
    QString etag;
    QString lastModified;
    QString checksum;
    std::int64_t bytes = 0;
    std::int64_t rowsRead = 0;
    std::int64_t rowsSkipped = 0;
    std::int64_t rowsInserted = 0;
    std::int64_t rowsUpdated = 0;
    std::int64_t rowsUnchanged = 0;
    std::int64_t rowsDeactivated = 0;
    std::int64_t rowsDuplicate = 0;   // rows repeating a key already listed
    std::int64_t keysConflicting = 0; // keys listed twice with different data (not imported)
    std::int64_t rowsKept = 0;        // contracts kept from the previous master (invalid row)
    SyncStatus status = SyncStatus::Running;
    bool forced = false;
    QString error;
    bool synthetic = false; // the master was generated (its gzip header says so), not a real one
};

// A run still marked 'running' whose process can no longer finish it.
struct AbandonedRun
{
    std::int64_t id = 0;
    QString reason; // the error to record, e.g. "interrupted: process 4711 on box ended ..."
};

struct InstrumentChange
{
    std::int64_t syncRunId = 0;
    QString instrumentKey;
    QString change; // new, deactivated, reactivated, lot_changed, tick_changed, freeze_changed,
                    // key_reused
    QString tradingSymbol;
    QString oldValue;
    QString newValue;
};

struct MergeCounts
{
    std::int64_t staged = 0;
    std::int64_t duplicates = 0;  // rows repeating a key already staged (identical or not)
    std::int64_t conflicting = 0; // keys whose rows disagree: none imported, like invalid rows
    std::int64_t inserted = 0;
    std::int64_t updated = 0;
    std::int64_t unchanged = 0;
    std::int64_t deactivated = 0;
    std::int64_t keysReused = 0;
    // Active contracts whose row in this master was invalid or conflicting: kept as they were
    // (not deactivated, not updated). keptKeys holds the first few.
    std::int64_t kept = 0;
    std::vector<std::string> keptKeys;
    std::vector<std::string> conflictingKeys; // the first few
};

// The instruments' records in the database: sync runs, the staging area a sync writes into,
// the merge that publishes it, and the read that hydrates RAM. Bulk paths use the backend's
// native API on the same connection (SQLite prepared statements, PostgreSQL COPY): see
// docs/ARCHITECTURE.md, "Storage", for why and for the measured difference.
class InstrumentStore
{
public:
    explicit InstrumentStore(Database &db);
    ~InstrumentStore();

    // --- sync runs (autocommit: they survive a rolled-back sync) ---------------------------
    // Records this host and process as the run's owner; on PostgreSQL this connection also
    // holds the run's session lock until finishRun (or until the connection ends).
    Result<std::int64_t> beginRun(const QString &source, bool forced);
    Result<void> finishRun(const SyncRunRecord &run);
    Result<std::optional<SyncRunRecord>> run(std::int64_t id);
    Result<std::optional<SyncRunRecord>> lastSucceededRun(const QString &source = {});
    // Runs left 'running' whose process is gone: on PostgreSQL those whose run lock nobody
    // holds (any machine); on SQLite those of this machine whose process has ended. Read-only.
    Result<std::vector<AbandonedRun>> abandonedRuns();
    // Records abandonedRuns() as failed, with their reason; returns how many.
    Result<std::int64_t> markAbandonedRuns();
    // Only for a sync that holds the sync lock (SQLite): runs 'running' that abandonedRuns()
    // cannot judge (another machine's, or from before owners were recorded) are dead too,
    // since a live one would hold the lock. `current` is the caller's own run.
    Result<std::int64_t> markUnjudgedRunsAbandoned(std::int64_t current);
    Result<std::vector<SyncRunRecord>> recentRuns(int limit);
    // recentRuns after markAbandonedRuns(); where the connection cannot write (a read-only
    // database), abandoned runs are still shown failed, with their reason.
    Result<std::vector<SyncRunRecord>> recentRunsSettled(int limit);
    Result<std::vector<InstrumentChange>> changes(std::int64_t syncRunId, int limit = 1000);
    Result<std::int64_t> activeCount();

    // --- inside the sync's transaction -------------------------------------------------------
    // Takes the sync lock, or fails with Conflict when another sync holds it, at once (never
    // waits). PostgreSQL: an advisory lock of the current transaction. SQLite: a file lock
    // next to the database (flock: released by the kernel when the process dies), held by
    // this store until it is destroyed, so that the staging can run outside the write lock.
    Result<void> lockForSync();
    Result<void> createStaging();
    Result<void> stage(const InstrumentRecord &record); // buffered; errors surface here or below
    // A key whose row in the master is invalid: whatever version is stored stays as it is
    // (neither updated nor deactivated), and no row of the master is imported for it.
    Result<void> markInvalid(std::string_view instrumentKey);
    Result<std::int64_t> finishStaging();              // rows staged (after de-duplication)
    Result<MergeCounts> merge(std::int64_t syncRunId); // changes, upsert, soft-delete

    // --- hydration ---------------------------------------------------------------------------
    // Streams every active instrument to the sink; returns how many.
    Result<std::int64_t> loadActive(const std::function<void(InstrumentRecord &&)> &sink);

    InstrumentStore(const InstrumentStore &) = delete;
    InstrumentStore &operator=(const InstrumentStore &) = delete;

private:
    Result<void> endCopy(); // PostgreSQL: ends a COPY FROM STDIN and collects its result

    struct Private;
    Database &m_db;
    std::unique_ptr<Private> d;
};

} // namespace strikeline
