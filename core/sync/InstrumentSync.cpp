#include "InstrumentSync.h"

#include "HashingReader.h"
#include "storage/Database.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>

#include <spdlog/spdlog.h>

namespace strikeline {

bool isUrlSource(const QString &source)
{
    return source.startsWith(QLatin1String("http://"), Qt::CaseInsensitive) ||
           source.startsWith(QLatin1String("https://"), Qt::CaseInsensitive);
}

namespace {

Result<QString> fileChecksum(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error::make(ErrorCode::Io,
                           QStringLiteral("cannot open '%1': %2").arg(path, file.errorString()));
    QCryptographicHash hash(QCryptographicHash::Sha256);
    if (!hash.addData(&file))
        return Error::make(ErrorCode::Io,
                           QStringLiteral("cannot read '%1': %2").arg(path, file.errorString()));
    return QString::fromLatin1(hash.result().toHex());
}

bool isLockedError(const Error &e)
{
    return e.code == ErrorCode::Database &&
           (e.message.contains(QLatin1String("database is locked")) ||
            e.message.contains(QLatin1String("database table is locked")) ||
            e.message.contains(QLatin1String("busy")));
}

Error anotherSyncRunning()
{
    return Error::make(ErrorCode::Conflict,
                       QStringLiteral("another instrument sync is writing to this database (from "
                                      "another terminal?); try again when it finishes"));
}

QString percent(double x)
{
    return QString::number(x * 100.0, 'f', 0) + QLatin1Char('%');
}

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
    auto report = [&](SyncStage stage, std::int64_t bytes, std::int64_t total, std::int64_t rows) {
        if (options.progress)
            options.progress(SyncProgress{stage, bytes, total, rows});
    };
    report(SyncStage::Connecting, 0, -1, 0);

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
        // SQLite: another sync holds the write lock for its whole transaction.
        if (isLockedError(runId.error()))
            return anotherSyncRunning();
        return runId.error();
    }
    run.id = *runId;

    // Records a finished run; if the connection died with the sync, through a fresh one.
    auto record = [&](SyncStatus status, const QString &error) {
        run.status = status;
        run.error = error;
        if (store.finishRun(run))
            return;
        auto fresh = Database::open(db.config(), QStringLiteral("sync-status"));
        if (fresh) {
            InstrumentStore again(**fresh);
            if (again.finishRun(run))
                return;
        }
        spdlog::warn("could not record the outcome of sync run {}", run.id);
    };
    auto fail = [&](Error e) -> Result<SyncResult> {
        record(SyncStatus::Failed, e.message);
        spdlog::error("instrument sync {} failed: {}", run.id, e.message.toStdString());
        return e;
    };

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
        if (download->notModified()) {
            result.unchanged = true;
            run.checksum = *previousFromSource ? (*previousFromSource)->checksum : QString();
            record(SyncStatus::Unchanged, {});
            report(SyncStage::Done, 0, 0, 0);
            result.elapsedMs = timer.elapsed();
            return result;
        }
        totalBytes = download->contentLength();
        device = &download->body();
    } else {
        file.setFileName(options.source);
        if (!file.open(QIODevice::ReadOnly))
            return fail(Error::make(ErrorCode::Io, QStringLiteral("cannot open the master '%1': %2")
                                                       .arg(options.source, file.errorString())));
        totalBytes = file.size();
        // The same bytes as the last successful sync: nothing to import.
        auto checksum = fileChecksum(options.source);
        if (!checksum)
            return fail(checksum.error());
        if (*previous && !options.force && (*previous)->checksum == *checksum) {
            result.unchanged = true;
            run.checksum = *checksum;
            run.bytes = totalBytes;
            record(SyncStatus::Unchanged, {});
            report(SyncStage::Done, totalBytes, totalBytes, 0);
            result.elapsedMs = timer.elapsed();
            return result;
        }
        device = &file;
    }
    HashingReader hashing(*device);
    hashing.open(QIODevice::ReadOnly);

    // --- one transaction: stage, validate, merge, commit -----------------------------------
    if (auto b = db.begin(); !b) {
        // SQLite's BEGIN IMMEDIATE fails while another writer (sync) holds the database.
        return fail(isLockedError(b.error()) ? anotherSyncRunning() : b.error());
    }
    auto abort = [&](Error e) {
        db.rollback();
        return fail(std::move(e));
    };
    if (auto l = store.lockForSync(); !l)
        return abort(l.error());
    // Runs left 'running' by a process that died can no longer be running: we hold the lock.
    (void)db.exec(QStringLiteral("UPDATE sync_runs SET status = 'failed', error = 'interrupted: "
                                 "the process ended before the sync finished' "
                                 "WHERE status = 'running' AND id <> %1")
                      .arg(run.id));
    if (auto s = store.createStaging(); !s)
        return abort(s.error());

    report(SyncStage::Reading, 0, totalBytes, 0);
    std::atomic_bool stopReading{false};
    std::optional<Error> stageError;
    std::int64_t rows = 0;
    ReadOptions read;
    read.cancel = &stopReading;
    read.progress = [&](std::int64_t consumed) {
        if (options.cancel && options.cancel->load())
            stopReading = true;
        report(SyncStage::Reading, consumed, totalBytes, rows);
    };
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
        read);
    if (stageError)
        return abort(*stageError);
    if (download) {
        // A network failure is the real cause of whatever the reader saw.
        if (auto f = download->finish(); !f)
            return abort(f.error());
    }
    if (!summary) {
        Error e = summary.error();
        if (e.code == ErrorCode::Cancelled && options.cancel && options.cancel->load())
            e = Error::make(ErrorCode::Cancelled, QStringLiteral("the sync was cancelled"));
        return abort(e);
    }
    run.rowsRead = summary->rowsRead;
    run.rowsSkipped = summary->rowsSkipped;
    run.synthetic = summary->synthetic;
    run.bytes = summary->bytesConsumed;
    run.checksum = QString::fromLatin1(hashing.sha256Hex());
    result.issues = summary->issues;
    // A server without ETags can still send the very bytes we have: nothing to merge.
    if (*previous && !options.force && (*previous)->checksum == run.checksum) {
        db.rollback();
        result.unchanged = true;
        record(SyncStatus::Unchanged, {});
        report(SyncStage::Done, run.bytes, totalBytes, rows);
        result.elapsedMs = timer.elapsed();
        return result;
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
                QStringLiteral("the new master has %1 instruments, only %2 of the %3 of the last "
                               "sync (the minimum is %4): refusing to deactivate the rest. If "
                               "this is right, sync again with --force.")
                    .arg(*staged)
                    .arg(percent(static_cast<double>(*staged) / static_cast<double>(last)))
                    .arg(last)
                    .arg(percent(options.minRowFraction))));
        }
    }

    report(SyncStage::Merging, run.bytes, totalBytes, rows);
    auto counts = store.merge(run.id);
    if (!counts)
        return abort(counts.error());
    if (options.cancel && options.cancel->load())
        return abort(Error::make(ErrorCode::Cancelled, QStringLiteral("the sync was cancelled")));
    if (auto c = db.commit(); !c)
        return abort(c.error());

    result.counts = *counts;
    run.rowsInserted = counts->inserted;
    run.rowsUpdated = counts->updated;
    run.rowsUnchanged = counts->unchanged;
    run.rowsDeactivated = counts->deactivated;
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
