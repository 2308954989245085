// Sync and hydration benchmarks on both backends. Figures: docs/PERFORMANCE.md.
//
//   build/release/tests/bench/strikeline_storage_benchmarks
//     STRIKELINE_BENCH_PG_URL=postgresql://user@127.0.0.1:PORT/db   adds the PostgreSQL runs
//     STRIKELINE_BENCH_MASTER=/tmp/m1m.json.gz                      another master
//     STRIKELINE_BENCH_PREVIOUS=...                                 the "day before" master
// `make bench` starts a throwaway PostgreSQL server for it (tests/support/pg-test-server.sh).

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

bool skipIfNoPostgres(benchmark::State &state)
{
    if (state.range(0) == 1 && qEnvironmentVariableIsEmpty("STRIKELINE_BENCH_PG_URL")) {
        state.SkipWithError("set STRIKELINE_BENCH_PG_URL for the PostgreSQL runs");
        return true;
    }
    return false;
}

long statusKb(const char *field)
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray name = QByteArray(field) + ':';
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith(name))
            return line.mid(name.size()).trimmed().split(' ').front().toLong();
    }
    return -1;
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
        auto db = freshDatabase(static_cast<int>(state.range(0)), QStringLiteral("full"));
        if (!db) {
            state.SkipWithError(qPrintable(db.error().message));
            return;
        }
        state.ResumeTiming();
        auto r = syncFile(**db, master());
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
        auto db = freshDatabase(static_cast<int>(state.range(0)), QStringLiteral("nextday"));
        if (!db) {
            state.SkipWithError(qPrintable(db.error().message));
            return;
        }
        if (auto first = syncFile(**db, previousMaster()); !first) {
            state.SkipWithError(qPrintable(first.error().message));
            return;
        }
        state.ResumeTiming();
        auto r = syncFile(**db, master());
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
    auto db = freshDatabase(static_cast<int>(state.range(0)), QStringLiteral("hydrate"));
    if (!db) {
        state.SkipWithError(qPrintable(db.error().message));
        return;
    }
    if (auto r = syncFile(**db, master()); !r) {
        state.SkipWithError(qPrintable(r.error().message));
        return;
    }
    std::int64_t rows = 0;
    for (auto _ : state) {
        auto h = hydrate(**db);
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
        const long baseline = statusKb("VmRSS");
        auto r = syncFile(**db, master());
        const long peak = statusKb("VmHWM");
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
    QCoreApplication app(argc, argv);
    reportSyncMemory();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
