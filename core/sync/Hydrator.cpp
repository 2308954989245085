#include "Hydrator.h"

#include "storage/InstrumentStore.h"
#include "sync/SyncReport.h"

#include <QElapsedTimer>

#include <utility>

namespace strikeline {

namespace {
constexpr std::int64_t ProgressEvery = 16384;
}

Result<HydrationResult> hydrate(Database &db, const HydrateOptions &options)
{
    QElapsedTimer timer;
    timer.start();
    if (auto b = db.beginSnapshot(); !b)
        return b.error();
    // Read-only: ending it either way changes nothing; rollback also covers every error path.
    struct EndSnapshot
    {
        Database &db;
        bool open = true;
        void end()
        {
            if (std::exchange(open, false))
                db.rollback();
        }
        ~EndSnapshot() { end(); }
    } snapshot{db};
    InstrumentStore store(db);
    MasterInfo info;
    info.source = db.config().redacted();
    auto last = store.lastSucceededRun();
    if (!last)
        return last.error();
    if (*last) {
        info.masterTimeMs = (*last)->finishedAt.toMSecsSinceEpoch(); // imported then
        info.masterDay = masterDayOf(**last); // the master's own day, as the Sync tab says
        // A sync touches last_seen_sync of every row it sees and soft-deletes the rest, so
        // every active row was last seen by the last successful run.
        info.syncRunId = (*last)->id;
        const QString source = (*last)->source;
        // Generated data stays labelled as such whatever its file is called: the run stored
        // what the master itself said (sync_runs.synthetic); older runs only had the name.
        info.demo = (*last)->synthetic || source.contains(QLatin1String("demo-master"));
        // "complete.json.gz (sync 12)": the file or URL's last part is what a trader knows.
        const QString name = source.section(QLatin1Char('/'), -1);
        info.description =
            source.contains(QLatin1String("demo-master"))
                ? QStringLiteral("demo master (generated)")
            : info.demo ? QStringLiteral("%1 (sync %2, synthetic)").arg(name).arg((*last)->id)
                        : QStringLiteral("%1 (sync %2)").arg(name).arg((*last)->id);
    }
    SnapshotBuilder builder;
    auto count = store.activeCount();
    if (!count)
        return count.error();
    builder.reserve(static_cast<std::size_t>(*count));
    if (options.progress)
        options.progress(0, *count);
    std::int64_t seen = 0;
    auto rows = store.loadActive([&](InstrumentRecord &&r) {
        builder.add(std::move(r));
        if (options.progress && ++seen % ProgressEvery == 0)
            options.progress(seen, *count);
    });
    if (!rows)
        return rows.error();
    snapshot.end(); // everything is read: the index build needs no database
    HydrationResult result;
    result.rows = *rows;
    result.snapshot = builder.build(info, &result.build);
    result.elapsedMs = timer.elapsed();
    return result;
}

} // namespace strikeline
