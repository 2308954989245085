#include "InstrumentSync.h"

#include "HashingReader.h"
#include "SyncReport.h"
#include "storage/Database.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>

#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <libpq-fe.h>
#include <mutex>
#include <optional>
#include <sqlite3.h>
#include <thread>

namespace strikeline {

bool isUrlSource(const QString &source)
{
    return source.startsWith(QLatin1String("http://"), Qt::CaseInsensitive) ||
           source.startsWith(QLatin1String("https://"), Qt::CaseInsensitive);
}

namespace {

bool isLockedError(const Error &e)
{
    return e.code == ErrorCode::Database &&
           (e.message.contains(QLatin1String("database is locked")) ||
            e.message.contains(QLatin1String("database table is locked")) ||
            e.message.contains(QLatin1String("busy")));
}

Error databaseBusy()
{
    return Error::make(ErrorCode::Conflict,
                       QStringLiteral("the database is locked by another writer (another "
                                      "terminal?); try again in a moment"));
}

bool isDemoMaster(const QString &source)
{
    return source.contains(QLatin1String("demo-master"));
}

Error cancelled()
{
    return Error::make(ErrorCode::Cancelled, QStringLiteral("the sync was cancelled"));
}

// part/whole as a percentage that never rounds a refusal into agreement: rounded down, and
// "under 1%" rather than "0%" for a sliver.
QString share(std::int64_t part, std::int64_t whole)
{
    if (whole <= 0)
        return QStringLiteral("?");
    if (part > 0 && part * 100 < whole)
        return QStringLiteral("under 1%");
    return QString::number(part * 100 / whole) + QLatin1Char('%');
}

// Interrupts the statement running on the sync's connection once `cancel` is set, so a cancel
// during the validation or the merge (seconds on a large master) takes effect at once instead
// of after it: SQLite through a progress handler on this thread, PostgreSQL through PQcancel
// from a small watcher thread. Must be gone before the run is recorded on that connection.
class StatementCanceller
{
public:
    StatementCanceller(Database &db, const std::atomic_bool *cancel)
        : m_cancel(cancel)
    {
        if (!m_cancel)
            return;
        if (sqlite3 *handle = db.sqliteHandle()) {
            m_sqlite = handle;
            sqlite3_progress_handler(
                m_sqlite, 10000,
                [](void *flag) {
                    return static_cast<const std::atomic_bool *>(flag)->load() ? 1 : 0;
                },
                const_cast<std::atomic_bool *>(m_cancel));
        } else if (pg_conn *conn = db.postgresHandle()) {
            m_pgCancel = PQgetCancel(conn);
            if (m_pgCancel)
                m_watcher = std::thread([this] { watch(); });
        }
    }
    ~StatementCanceller()
    {
        if (m_sqlite)
            sqlite3_progress_handler(m_sqlite, 0, nullptr, nullptr);
        if (m_watcher.joinable()) {
            {
                std::lock_guard lock(m_mutex);
                m_stop = true;
            }
            m_wake.notify_all();
            m_watcher.join();
        }
        if (m_pgCancel)
            PQfreeCancel(m_pgCancel);
    }
    StatementCanceller(const StatementCanceller &) = delete;
    StatementCanceller &operator=(const StatementCanceller &) = delete;

private:
    void watch()
    {
        std::unique_lock lock(m_mutex);
        while (!m_stop) {
            if (m_cancel->load()) {
                char why[256];
                (void)PQcancel(m_pgCancel, why, sizeof why); // thread-safe by design
                return;
            }
            m_wake.wait_for(lock, std::chrono::milliseconds(50));
        }
    }

    const std::atomic_bool *m_cancel;
    sqlite3 *m_sqlite = nullptr;
    PGcancel *m_pgCancel = nullptr;
    std::thread m_watcher;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stop = false;
};

} // namespace

Result<SyncResult> syncInstruments(Database &db, const SyncOptions &options)
{
    QElapsedTimer timer;
    timer.start();
    InstrumentStore store(db);
    SyncResult result;
    SyncRunRecord &run = result.run;
    run.source =
        isUrlSource(options.source) ? options.source : QFileInfo(options.source).absoluteFilePath();
    run.forced = options.force;
    const auto cancelRequested = [&] { return options.cancel && options.cancel->load(); };
    auto report = [&](SyncStage stage, std::int64_t bytes, std::int64_t total, std::int64_t rows) {
        if (options.progress)
            options.progress(SyncProgress{stage, bytes, total, rows});
    };
    report(SyncStage::Connecting, 0, -1, 0);

    // Runs whose process is gone can never finish: say so before this one starts.
    if (auto marked = store.markAbandonedRuns(); !marked)
        spdlog::debug("could not check for abandoned sync runs: {}",
                      marked.error().message.toStdString());

    // The last good master, from whatever source: the row-count check and the same-bytes
    // check compare with it. HTTP validators only make sense for the same URL.
    auto previous = store.lastSucceededRun();
    if (!previous)
        return previous.error();
    auto previousFromSource = store.lastSucceededRun(run.source);
    if (!previousFromSource)
        return previousFromSource.error();
    auto runId = store.beginRun(run.source, options.force);
    if (!runId) {
        // SQLite: another writer held the write lock for longer than the busy timeout.
        if (isLockedError(runId.error()))
            return databaseBusy();
        return runId.error();
    }
    run.id = *runId;
    const bool sqlite = db.backend() == DatabaseBackend::Sqlite;

    // Records a finished run; if the connection died with the sync, through a fresh one. The
    // result then carries the run exactly as sync_runs holds it (its times included).
    auto record = [&](SyncStatus status, const QString &error) {
        run.status = status;
        run.error = error;
        auto storeIn = [&](InstrumentStore &target) {
            if (!target.finishRun(run))
                return false;
            if (auto stored = target.run(run.id); stored && *stored)
                run = **stored;
            return true;
        };
        if (storeIn(store))
            return;
        auto fresh = Database::open(db.config(), QStringLiteral("sync-status"));
        if (fresh) {
            InstrumentStore again(**fresh);
            if (storeIn(again))
                return;
        }
        spdlog::warn("could not record the outcome of sync run {}", run.id);
    };
    auto fail = [&](Error e) -> Result<SyncResult> {
        if (cancelRequested() && e.code != ErrorCode::Conflict)
            e = cancelled(); // whatever the cancel broke (a read, a statement) reports this
        record(SyncStatus::Failed, e.message);
        // The caller shows the error (the CLI prints it, the desktop says it): log it once,
        // at info, so it is not printed twice.
        spdlog::info("instrument sync {} failed: {}", run.id, e.message.toStdString());
        return e;
    };
    auto unchanged = [&](std::int64_t total, std::int64_t rows) -> Result<SyncResult> {
        result.unchanged = true;
        record(SyncStatus::Unchanged, {});
        report(SyncStage::Done, run.bytes, total, rows);
        result.elapsedMs = timer.elapsed();
        return result;
    };

    // An older master over a newer one deactivates everything listed since: only on purpose.
    if (*previous && !options.force) {
        const SyncRunRecord &last = **previous;
        const std::optional<EpochDay> lastDay = knownMasterDay(
            last.source, last.finishedAt.isValid() ? last.finishedAt : last.startedAt);
        const std::optional<EpochDay> newDay =
            knownMasterDay(run.source, QDateTime::currentDateTimeUtc());
        if (lastDay && newDay && *newDay < *lastDay && !isDemoMaster(last.source)) {
            return fail(Error::make(
                ErrorCode::Validation,
                QStringLiteral("this master is of %1, older than the one in use (%2, sync %3): "
                               "refusing to replace a newer master with an older one. If this "
                               "is right, sync again with --force.")
                    .arg(formatIsoDay(*newDay), formatIsoDay(*lastDay))
                    .arg(last.id)));
        }
    }

    // --- open the source ---------------------------------------------------------------------
    std::unique_ptr<MasterDownload> download;
    QFile file;
    QIODevice *device = nullptr;
    std::int64_t totalBytes = -1;
    if (isUrlSource(options.source)) {
        HttpValidators validators;
        if (*previousFromSource && !options.force) {
            validators.etag = (*previousFromSource)->etag;
            validators.lastModified = (*previousFromSource)->lastModified;
        }
        DownloadOptions dl = options.download;
        dl.cancel = options.cancel;
        auto started = MasterDownload::start(QUrl(options.source), validators, dl);
        if (!started)
            return fail(started.error());
        download = std::move(*started);
        run.etag = download->validators().etag;
        run.lastModified = download->validators().lastModified;
        if (download->notModified() && validators.etag.isEmpty() &&
            validators.lastModified.isEmpty()) {
            // 304 answers a conditional request only: this one had nothing to compare with.
            return fail(Error::make(ErrorCode::Network,
                                    QStringLiteral("the server answered 304 Not Modified to a "
                                                   "request that named no version (no ETag or "
                                                   "date was sent): a broken server or proxy; "
                                                   "nothing was imported")));
        }
        if (download->notModified()) {
            run.checksum = *previousFromSource ? (*previousFromSource)->checksum : QString();
            return unchanged(0, 0);
        }
        totalBytes = download->contentLength();
        device = &download->body();
    } else {
        // A regular file only: a FIFO would block in open() and /dev/zero never ends. Its
        // checksum is taken while it is read (one pass), and the same bytes as the last
        // successful sync are found unchanged after the read.
        if (auto opened = openMasterFile(file, options.source); !opened)
            return fail(opened.error());
        totalBytes = file.size();
        device = &file;
    }
    HashingReader hashing(*device);
    hashing.open(QIODevice::ReadOnly);

    // --- stage, validate, merge, commit: PostgreSQL in one transaction (the advisory lock
    // is the transaction's); SQLite stages in its temp database outside the write lock and
    // takes it (BEGIN IMMEDIATE) for the merge only, under a file lock that keeps other syncs
    // out. Either way nothing is visible before COMMIT.
    if (!sqlite) {
        if (auto b = db.begin(); !b)
            return fail(b.error());
    }
    std::optional<StatementCanceller> canceller(std::in_place, db, options.cancel);
    auto endTransaction = [&] {
        canceller.reset(); // before anything else runs on the connection
        db.rollback();
    };
    auto abort = [&](Error e) {
        endTransaction();
        return fail(std::move(e));
    };
    if (auto l = store.lockForSync(); !l)
        return abort(l.error());
    if (auto m = store.markUnjudgedRunsAbandoned(run.id); !m)
        return abort(m.error());
    if (auto s = store.createStaging(); !s)
        return abort(s.error());

    report(SyncStage::Reading, 0, totalBytes, 0);
    std::atomic_bool stopReading{false};
    std::optional<Error> stageError;
    std::int64_t rows = 0;
    ReadOptions read;
    read.cancel = &stopReading;
    read.skipped = [&](const RowIssue &issue) {
        if (stageError)
            return;
        if (auto k = store.markInvalid(issue.instrumentKey); !k) {
            stageError = k.error();
            stopReading = true;
        }
    };
    read.progress = [&](std::int64_t consumed) {
        if (cancelRequested())
            stopReading = true;
        report(SyncStage::Reading, consumed, totalBytes, rows);
    };
    ReadSummary soFar;
    auto summary = readMaster(
        hashing,
        [&](InstrumentRecord &&r) {
            if (stageError)
                return;
            if (auto s = store.stage(r); !s) {
                stageError = s.error();
                stopReading = true;
                return;
            }
            ++rows;
        },
        read, &soFar);
    // What was read, failed or not: history shows it.
    run.rowsRead = soFar.rowsRead;
    run.rowsSkipped = soFar.rowsSkipped;
    run.bytes = hashing.bytesHashed();
    if (stageError)
        return abort(*stageError);
    if (download) {
        // A network failure is the real cause of whatever the reader saw.
        if (auto f = download->finish(); !f)
            return abort(f.error());
    }
    if (!summary)
        return abort(summary.error());
    run.synthetic = summary->synthetic;
    run.bytes = summary->bytesConsumed;
    run.checksum = QString::fromLatin1(hashing.sha256Hex());
    result.issues = summary->issues;
    // The same bytes as the last good master (a file synced again, or a server without ETags
    // sending what we have): nothing to merge.
    if (*previous && !options.force && (*previous)->checksum == run.checksum) {
        endTransaction();
        return unchanged(totalBytes, rows);
    }

    report(SyncStage::Validating, run.bytes, totalBytes, rows);
    auto staged = store.finishStaging();
    if (!staged)
        return abort(staged.error());
    if (*previous && !options.force) {
        const std::int64_t last =
            (*previous)->rowsInserted + (*previous)->rowsUpdated + (*previous)->rowsUnchanged;
        if (last > 0 &&
            static_cast<double>(*staged) < options.minRowFraction * static_cast<double>(last)) {
            return abort(Error::make(
                ErrorCode::Validation,
                QStringLiteral("the new master has %1 instrument%2, %3 of the %4 of the last "
                               "sync (the minimum is %5%): refusing to deactivate the rest. If "
                               "this is right, sync again with --force.")
                    .arg(QString::number(*staged), *staged == 1 ? QString() : QStringLiteral("s"),
                         share(*staged, last), QString::number(last))
                    .arg(options.minRowFraction * 100.0, 0, 'g', 3)));
        }
    }

    if (sqlite) {
        if (auto b = db.begin(); !b)
            return abort(isLockedError(b.error()) ? databaseBusy() : b.error());
    }
    report(SyncStage::Merging, run.bytes, totalBytes, rows);
    auto counts = store.merge(run.id);
    if (!counts)
        return abort(counts.error());
    if (cancelRequested())
        return abort(cancelled());
    auto committed = db.commit();
    canceller.reset();
    if (!committed) {
        db.rollback();
        return fail(committed.error());
    }

    result.counts = *counts;
    run.rowsInserted = counts->inserted;
    run.rowsUpdated = counts->updated;
    run.rowsUnchanged = counts->unchanged;
    run.rowsDeactivated = counts->deactivated;
    run.rowsDuplicate = counts->duplicates;
    run.keysConflicting = counts->conflicting;
    run.rowsKept = counts->kept;
    record(SyncStatus::Succeeded, {});
    result.elapsedMs = timer.elapsed();
    report(SyncStage::Done, run.bytes, totalBytes, rows);
    spdlog::info("instrument sync {} from {}: {} rows, {} new, {} updated, {} deactivated, {} keys "
                 "reused, {} ms",
                 run.id, run.source.toStdString(), *staged, counts->inserted, counts->updated,
                 counts->deactivated, counts->keysReused, result.elapsedMs);
    return result;
}

} // namespace strikeline
