#include "FirstRun.h"

#include "instruments/MasterGenerator.h"
#include "storage/Database.h"
#include "storage/InstrumentStore.h"
#include "sync/InstrumentSync.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <spdlog/spdlog.h>

namespace strikeline {

namespace {

bool cancelled(const FirstRunOptions &options)
{
    return options.cancel && options.cancel->load();
}

Error cancelledError()
{
    return Error::make(ErrorCode::Cancelled, QStringLiteral("loading was cancelled"));
}

Result<void> generateDemo(const QString &path, const FirstRunOptions &options)
{
    if (cancelled(options))
        return cancelledError();
    if (options.stage)
        options.stage(FirstRunStage::GeneratingDemo);
    GeneratorOptions generator;
    generator.rows = options.rows;
    generator.seed = DemoMasterSeed;
    generator.asOf = options.today;
    Result<GeneratorSummary> summary = generateMasterFile(path, generator);
    if (!summary) {
        return Error::make(summary.error().code,
                           QStringLiteral("cannot generate the demo master: ") +
                               summary.error().message);
    }
    spdlog::info("generated the demo master {} ({} rows)", path.toStdString(), summary->rows);
    return success();
}

Result<SyncResult> importDemo(Database &db, const QString &path, const FirstRunOptions &options)
{
    if (options.stage)
        options.stage(FirstRunStage::ImportingDemo);
    SyncOptions sync;
    sync.source = path;
    sync.force = true; // the database is empty: nothing to compare with or protect
    sync.cancel = options.cancel;
    if (options.progress) {
        sync.progress = [&options](const SyncProgress &p) {
            if (p.stage == SyncStage::Reading && p.totalBytes > 0)
                options.progress(p.bytes, p.totalBytes);
        };
    }
    return syncInstruments(db, sync);
}

// The file's fault (rather than the database's, or a cancel): worth making it again.
bool isBadFile(const Error &error)
{
    switch (error.code) {
    case ErrorCode::Io:
    case ErrorCode::Gzip:
    case ErrorCode::Parse:
    case ErrorCode::Validation:
    case ErrorCode::TooManyBadRows:
        return true;
    default:
        return false;
    }
}

} // namespace

QString demoMasterPath(const QString &dataDir, EpochDay today)
{
    return QDir(dataDir).filePath(
        QStringLiteral("demo-master-%1.json.gz").arg(formatIsoDay(today)));
}

Result<QString> ensureDemoMasterFile(const FirstRunOptions &options)
{
    if (options.today == NoDay)
        return Error::make(ErrorCode::InvalidArgument,
                           QStringLiteral("the demo master needs a date (today)"));
    if (options.dataDir.isEmpty())
        return Error::make(ErrorCode::InvalidArgument,
                           QStringLiteral("no folder for the demo master"));
    const QString path = demoMasterPath(options.dataDir, options.today);
    if (QFileInfo::exists(path))
        return path;
    if (!QDir().mkpath(options.dataDir)) {
        return Error::make(ErrorCode::Io,
                           QStringLiteral("cannot create the folder '%1' for the demo master")
                               .arg(QDir::toNativeSeparators(options.dataDir)));
    }
    if (Result<void> made = generateDemo(path, options); !made)
        return made.error();
    // One demo master per day is enough; older days' are only taking up space.
    const QDir dir(options.dataDir);
    const QString name = QFileInfo(path).fileName();
    for (const QString &stale :
         dir.entryList({QStringLiteral("demo-master-*.json.gz")}, QDir::Files)) {
        if (stale != name)
            QFile::remove(dir.filePath(stale));
    }
    return path;
}

Result<FirstRunResult> ensureMaster(Database &db, const FirstRunOptions &options)
{
    InstrumentStore store(db);
    auto count = store.activeCount();
    if (!count)
        return count.error();
    FirstRunResult result;
    result.activeRows = *count;
    if (*count > 0)
        return result;

    const bool existed = QFileInfo::exists(demoMasterPath(options.dataDir, options.today));
    Result<QString> path = ensureDemoMasterFile(options);
    if (!path)
        return path.error();
    Result<SyncResult> synced = importDemo(db, *path, options);
    if (!synced && existed && isBadFile(synced.error())) {
        // Today's demo file was already there but does not import: it is ours to throw away.
        spdlog::warn("the demo master {} does not import ({}); generating it again",
                     path->toStdString(), synced.error().message.toStdString());
        QFile::remove(*path);
        if (Result<QString> again = ensureDemoMasterFile(options); !again)
            return again.error();
        synced = importDemo(db, *path, options);
    }
    if (!synced) {
        return Error::make(synced.error().code, QStringLiteral("cannot import the demo master: ") +
                                                    synced.error().message);
    }
    auto after = store.activeCount();
    if (!after)
        return after.error();
    result.importedDemo = true;
    result.activeRows = *after;
    result.demoMasterPath = *path;
    return result;
}

} // namespace strikeline
