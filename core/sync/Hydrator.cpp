#include "Hydrator.h"

#include "storage/InstrumentStore.h"

#include <QElapsedTimer>

namespace strikeline {

Result<HydrationResult> hydrate(Database &db)
{
    QElapsedTimer timer;
    timer.start();
    InstrumentStore store(db);
    MasterInfo info;
    info.source = db.config().redacted();
    auto last = store.lastSucceededRun();
    if (!last)
        return last.error();
    if (*last) {
        info.masterTimeMs = (*last)->finishedAt.toMSecsSinceEpoch();
        info.description = QStringLiteral("sync %1 of %2").arg((*last)->id).arg((*last)->source);
        info.demo = (*last)->source.contains(QLatin1String("demo-master"));
    }
    SnapshotBuilder builder;
    auto count = store.activeCount();
    if (!count)
        return count.error();
    builder.reserve(static_cast<std::size_t>(*count));
    auto rows = store.loadActive([&builder](InstrumentRecord &&r) { builder.add(std::move(r)); });
    if (!rows)
        return rows.error();
    HydrationResult result;
    result.rows = *rows;
    result.snapshot = builder.build(info, &result.build);
    result.elapsedMs = timer.elapsed();
    return result;
}

} // namespace strikeline
