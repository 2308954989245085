// Sync and hydration benchmarks on both backends. Figures: docs/PERFORMANCE.md.
//
//   build/release/tests/bench/strikeline_storage_benchmarks
//     STRIKELINE_BENCH_PG_URL=postgresql://user@127.0.0.1:PORT/db   adds the PostgreSQL runs
//     STRIKELINE_BENCH_MASTER=/tmp/m1m.json.gz                      another master
//     STRIKELINE_BENCH_PREVIOUS=...                                 the "day before" master
// `make bench` starts a throwaway PostgreSQL server for it (tests/support/pg-test-server.sh).

#include "BenchmarkMain.h"
#include "ProcessStatus.h"
#include "instruments/MasterReader.h"
#include "storage/Database.h"
#include "storage/InstrumentStore.h"
#include "sync/Hydrator.h"
#include "sync/InstrumentSync.h"

#include <QCoreApplication>
#include <QFile>
#include <QSqlQuery>
#include <QTemporaryDir>

#include <benchmark/benchmark.h>

#include <cstdio>

using namespace strikeline;

namespace {

QString envOr(const char *name, const QString &fallback)
{
    const QByteArray v = qgetenv(name);
    return v.isEmpty() ? fallback : QString::fromLocal8Bit(v);
}

QString master()
{
    return envOr("STRIKELINE_BENCH_MASTER",
                 QStringLiteral(STRIKELINE_REAL_DATA_DIR "/complete-2025-12-09.json.gz"));
}

QString previousMaster()
{
    return envOr("STRIKELINE_BENCH_PREVIOUS",
                 QStringLiteral(STRIKELINE_REAL_DATA_DIR "/complete-2025-11-25.json.gz"));
}

QTemporaryDir &tempDir()
{
    static QTemporaryDir dir;
    return dir;
}

// A fresh, empty database of the given backend (range 0: SQLite, 1: PostgreSQL).
Result<std::unique_ptr<Database>> freshDatabase(int backend, const QString &name)
{
    if (backend == 0) {
        const QString path = tempDir().filePath(name + QStringLiteral(".db"));
        for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")})
            QFile::remove(path + suffix);
        DatabaseConfig config;
        config.path = path;
        return Database::open(config, QStringLiteral("bench"));
    }
    auto config = DatabaseConfig::parse(qEnvironmentVariable("STRIKELINE_BENCH_PG_URL"));
    if (!config)
        return config.error();
    auto db = Database::open(*config, QStringLiteral("bench"));
    if (!db)
        return db.error();
    // Start from empty tables (TRUNCATE keeps the schema).
    if (auto r = (*db)->exec(QStringLiteral("TRUNCATE instrument_changes, instruments, sync_runs "
                                            "RESTART IDENTITY CASCADE"));
        !r)
        return r.error();
    return db;
}

// A fresh database for a benchmark, or nullptr after marking the benchmark skipped.
std::unique_ptr<Database> freshOrSkip(benchmark::State &state, int backend, const QString &name)
{
    auto db = freshDatabase(backend, name);
    if (!db) {
        state.SkipWithError(qPrintable(db.error().message));
        return nullptr;
    }
    return std::move(*db);
}

bool skipIfNoPostgres(benchmark::State &state)
{
    if (state.range(0) == 1 && qEnvironmentVariableIsEmpty("STRIKELINE_BENCH_PG_URL")) {
        state.SkipWithError("set STRIKELINE_BENCH_PG_URL for the PostgreSQL runs");
        return true;
    }
    return false;
}

Result<SyncResult> syncFile(Database &db, const QString &file)
{
    SyncOptions options;
    options.source = file;
    options.force = true;
    return syncInstruments(db, options);
}

// A full sync of the master into an empty database.
void BM_SyncFull(benchmark::State &state)
{
    if (skipIfNoPostgres(state))
        return;
    std::int64_t rows = 0;
    for (auto _ : state) {
        state.PauseTiming();
        auto db = freshOrSkip(state, static_cast<int>(state.range(0)), QStringLiteral("full"));
        if (!db)
            return;
        state.ResumeTiming();
        auto r = syncFile(*db, master());
        if (!r) {
            state.SkipWithError(qPrintable(r.error().message));
            return;
        }
        rows = r->counts.staged;
    }
    state.counters["rows"] = static_cast<double>(rows);
}
BENCHMARK(BM_SyncFull)->Arg(0)->Arg(1)->Iterations(3)->Unit(benchmark::kMillisecond)->UseRealTime();

// The next day's master on top of the previous one: upserts, soft-deletes, changes.
void BM_SyncNextDay(benchmark::State &state)
{
    if (skipIfNoPostgres(state))
        return;
    MergeCounts counts;
    for (auto _ : state) {
        state.PauseTiming();
        auto db = freshOrSkip(state, static_cast<int>(state.range(0)), QStringLiteral("nextday"));
        if (!db)
            return;
        if (auto first = syncFile(*db, previousMaster()); !first) {
            state.SkipWithError(qPrintable(first.error().message));
            return;
        }
        state.ResumeTiming();
        auto r = syncFile(*db, master());
        if (!r) {
            state.SkipWithError(qPrintable(r.error().message));
            return;
        }
        counts = r->counts;
    }
    state.counters["inserted"] = static_cast<double>(counts.inserted);
    state.counters["updated"] = static_cast<double>(counts.updated);
    state.counters["deactivated"] = static_cast<double>(counts.deactivated);
    state.counters["reused"] = static_cast<double>(counts.keysReused);
}
BENCHMARK(BM_SyncNextDay)
    ->Arg(0)
    ->Arg(1)
    ->Iterations(3)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Database -> snapshot of the active instruments.
void BM_Hydrate(benchmark::State &state)
{
    if (skipIfNoPostgres(state))
        return;
    auto db = freshOrSkip(state, static_cast<int>(state.range(0)), QStringLiteral("hydrate"));
    if (!db)
        return;
    if (auto r = syncFile(*db, master()); !r) {
        state.SkipWithError(qPrintable(r.error().message));
        return;
    }
    std::int64_t rows = 0;
    for (auto _ : state) {
        auto h = hydrate(*db);
        if (!h) {
            state.SkipWithError(qPrintable(h.error().message));
            return;
        }
        rows = h->rows;
        benchmark::DoNotOptimize(h->snapshot.get());
    }
    state.counters["rows"] = static_cast<double>(rows);
}
BENCHMARK(BM_Hydrate)->Arg(0)->Arg(1)->MinTime(2.0)->Unit(benchmark::kMillisecond)->UseRealTime();

// Why staging uses the native SQLite API: the same 124k rows into the same temporary table,
// through InstrumentStore::stage (sqlite3 prepared statement) and through Qt SQL's
// QSqlQuery::bindValue + exec, each in one transaction.
const std::vector<InstrumentRecord> &records()
{
    static const std::vector<InstrumentRecord> all = [] {
        std::vector<InstrumentRecord> out;
        (void)readMasterFile(master(),
                             [&out](InstrumentRecord &&r) { out.push_back(std::move(r)); });
        return out;
    }();
    return all;
}

void BM_StageSqliteNative(benchmark::State &state)
{
    auto db = freshOrSkip(state, 0, QStringLiteral("stage-native"));
    if (!db)
        return;
    const auto &rows = records();
    for (auto _ : state) {
        InstrumentStore store(*db);
        (void)db->begin();
        (void)store.createStaging();
        for (const auto &r : rows)
            (void)store.stage(r);
        (void)store.finishStaging();
        db->rollback();
    }
    state.counters["rows"] = static_cast<double>(rows.size());
}
BENCHMARK(BM_StageSqliteNative)->Iterations(3)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_StageSqliteQtBinding(benchmark::State &state)
{
    auto db = freshOrSkip(state, 0, QStringLiteral("stage-qt"));
    if (!db)
        return;
    const auto &rows = records();
    for (auto _ : state) {
        InstrumentStore store(*db);
        (void)db->begin();
        (void)store.createStaging(); // the same table
        QSqlQuery q(db->sql());
        q.prepare(QStringLiteral("INSERT OR IGNORE INTO temp.sync_staging VALUES "
                                 "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
        for (const auto &r : rows) {
            q.bindValue(0, QString::fromStdString(r.instrumentKey));
            q.bindValue(1, QString::fromStdString(r.tradingSymbol));
            q.bindValue(2, QString::fromStdString(r.name));
            q.bindValue(3, QString::fromLatin1(segmentName(r.segment).data()));
            q.bindValue(4, r.exchangeToken ? QVariant(r.exchangeToken) : QVariant());
            q.bindValue(5, QString::fromStdString(r.typeCode));
            q.bindValue(6, QString::fromLatin1(kindName(r.kind).data()));
            q.bindValue(7, QString::fromStdString(r.underlyingSymbol));
            q.bindValue(8, r.underlyingKey.empty()
                               ? QVariant()
                               : QVariant(QString::fromStdString(r.underlyingKey)));
            q.bindValue(9, r.expiry == NoDay ? QVariant() : QVariant(formatIsoDay(r.expiry)));
            q.bindValue(10, r.strike.toQString());
            q.bindValue(11, r.tickSize.toQString());
            q.bindValue(12, r.lotSize);
            q.bindValue(13, r.freezeQuantity);
            q.bindValue(14, r.qtyMultiplier);
            q.bindValue(15, r.weekly ? 1 : 0);
            q.exec();
        }
        q.finish();
        db->rollback();
    }
    state.counters["rows"] = static_cast<double>(rows.size());
}
BENCHMARK(BM_StageSqliteQtBinding)->Iterations(3)->Unit(benchmark::kMillisecond)->UseRealTime();

// Peak RSS of one full sync per backend, above the process baseline, measured first in a
// fresh process (run with --benchmark_filter=none to see only these lines).
void reportSyncMemory()
{
    for (int backend : {0, 1}) {
        if (backend == 1 && qEnvironmentVariableIsEmpty("STRIKELINE_BENCH_PG_URL"))
            continue;
        auto db = freshDatabase(backend, QStringLiteral("memory"));
        if (!db) {
            std::fprintf(stderr, "sync-memory: %s\n", qPrintable(db.error().message));
            continue;
        }
        const long baseline = strikeline::testing::processStatusKb("VmRSS");
        auto r = syncFile(**db, master());
        const long peak = strikeline::testing::processStatusKb("VmHWM");
        std::fprintf(stderr,
                     "sync-memory: backend=%s rows=%lld baseline_rss_kb=%ld peak_rss_kb=%ld "
                     "peak_above_baseline_kb=%ld%s\n",
                     backend == 0 ? "sqlite" : "postgres",
                     r ? static_cast<long long>(r->counts.staged) : -1LL, baseline, peak,
                     peak - baseline, r ? "" : " (sync failed)");
    }
}

} // namespace

int main(int argc, char **argv)
{
    return strikeline::testing::runBenchmarks(argc, argv, reportSyncMemory);
}
