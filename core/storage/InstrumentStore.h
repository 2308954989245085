#pragma once

#include "Database.h"
#include "instruments/Instrument.h"

#include <QDateTime>
#include <QString>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
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
    SyncStatus status = SyncStatus::Running;
    bool forced = false;
    QString error;
    bool synthetic = false; // the master was generated (its gzip header says so), not a real one
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
    std::int64_t duplicates = 0; // rows repeating a key already staged (first one kept)
    std::int64_t inserted = 0;
    std::int64_t updated = 0;
    std::int64_t unchanged = 0;
    std::int64_t deactivated = 0;
    std::int64_t keysReused = 0;
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
    Result<std::int64_t> beginRun(const QString &source, bool forced);
    Result<void> finishRun(const SyncRunRecord &run);
    Result<std::optional<SyncRunRecord>> lastSucceededRun(const QString &source = {});
    Result<std::vector<SyncRunRecord>> recentRuns(int limit);
    Result<std::vector<InstrumentChange>> changes(std::int64_t syncRunId, int limit = 1000);
    Result<std::int64_t> activeCount();

    // --- inside the sync's transaction -------------------------------------------------------
    // Takes the sync lock for this transaction: NotFound-free Conflict error when another
    // sync holds it (PostgreSQL advisory lock; SQLite's write lock via BEGIN IMMEDIATE).
    Result<void> lockForSync();
    Result<void> createStaging();
    Result<void> stage(const InstrumentRecord &record); // buffered; errors surface here or below
    Result<std::int64_t> finishStaging();               // rows staged (after de-duplication)
    Result<MergeCounts> merge(std::int64_t syncRunId);  // changes, upsert, soft-delete

    // --- hydration ---------------------------------------------------------------------------
    // Streams every active instrument to the sink; returns how many.
    Result<std::int64_t> loadActive(const std::function<void(InstrumentRecord &&)> &sink);

    InstrumentStore(const InstrumentStore &) = delete;
    InstrumentStore &operator=(const InstrumentStore &) = delete;

private:
    struct Private;
    Database &m_db;
    std::unique_ptr<Private> d;
};

} // namespace strikeline
