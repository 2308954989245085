#pragma once

#include "MasterDownload.h"
#include "instruments/MasterReader.h"
#include "storage/InstrumentStore.h"

#include <atomic>
#include <functional>

namespace strikeline {

class Database;

enum class SyncStage { Connecting, Reading, Validating, Merging, Done };

struct SyncProgress
{
    SyncStage stage = SyncStage::Connecting;
    std::int64_t bytes = 0;       // of the source, as received
    std::int64_t totalBytes = -1; // -1 when unknown
    std::int64_t rows = 0;
};

struct SyncOptions
{
    QString source;              // http(s) URL or a local file (json.gz, json, csv.gz, csv)
    bool force = false;          // import even if unchanged, and even if far smaller than the last
    double minRowFraction = 0.5; // refuse a master with fewer rows than this share of the last
    DownloadOptions download;
    std::function<void(const SyncProgress &)> progress; // called on the syncing thread
    const std::atomic_bool *cancel = nullptr;
};

struct SyncResult
{
    SyncRunRecord run; // as recorded in sync_runs
    MergeCounts counts;
    bool unchanged = false;       // 304 Not Modified, or the same bytes as the last sync
    std::vector<RowIssue> issues; // rows the reader skipped (first ones)
    std::int64_t elapsedMs = 0;
};

// Source -> database, streamed: download (or file) -> gunzip -> parse -> staged in batches ->
// validated -> merged (upsert, soft-delete, changes) -> committed, all in ONE transaction: the
// previous master stays intact and in use until the new one is complete and valid. Every run,
// failed or not, is recorded in sync_runs. Runs on the calling thread; `db` must have been
// opened on it.
Result<SyncResult> syncInstruments(Database &db, const SyncOptions &options);

bool isUrlSource(const QString &source);

// Upstox's complete instrument master (all segments), refreshed daily around 06:00 IST.
inline QString upstoxMasterUrl()
{
    return QStringLiteral(
        "https://assets.upstox.com/market-quote/instruments/exchange/complete.json.gz");
}

} // namespace strikeline
