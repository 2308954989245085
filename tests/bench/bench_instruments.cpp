// Hot-path benchmarks on a real master (default: complete-2025-12-09.json.gz) or any master
// given in STRIKELINE_BENCH_MASTER (e.g. a generated 1M-row one). Figures: docs/PERFORMANCE.md.
//
//   build/release/tests/bench/strikeline_benchmarks [--benchmark_filter=...]
//   STRIKELINE_BENCH_MASTER=/tmp/m1.json.gz STRIKELINE_BENCH_AT=2025-12-09 ...

#include "BenchmarkMain.h"
#include "ProcessStatus.h"
#include "instruments/InstrumentSnapshot.h"
#include "instruments/MasterReader.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <malloc.h>
#include <random>
#include <string>
#include <vector>

using namespace strikeline;

namespace {

QString masterPath()
{
    const QByteArray env = qgetenv("STRIKELINE_BENCH_MASTER");
    return env.isEmpty() ? QStringLiteral(STRIKELINE_DEFAULT_BENCH_MASTER)
                         : QString::fromLocal8Bit(env);
}

EpochDay asOfDay()
{
    const QByteArray env = qgetenv("STRIKELINE_BENCH_AT");
    return parseIstMoment(env.isEmpty() ? QStringLiteral("2025-12-09")
                                        : QString::fromLocal8Bit(env))
        ->day();
}

// Bytes the allocator has handed out: small chunks plus the large ones it mmaps directly.
std::size_t heapInUse()
{
    const struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

struct Fixture
{
    std::vector<InstrumentRecord> records;
    SnapshotPtr snapshot;
    std::size_t heapBytes = 0;
    std::vector<std::string> keys; // copies: not interned in the snapshot
    std::vector<std::pair<Segment, std::uint32_t>> tokens;
    std::vector<InstrumentId> ids;
};

Fixture &fixture()
{
    static Fixture f = [] {
        Fixture fx;
        auto read = readMasterFile(
            masterPath(), [&fx](InstrumentRecord &&r) { fx.records.push_back(std::move(r)); });
        if (!read) {
            std::fprintf(stderr, "cannot read %s: %s\n", qPrintable(masterPath()),
                         qPrintable(read.error().message));
            std::exit(1);
        }
        std::vector<InstrumentRecord> copy = fx.records;
        malloc_trim(0);
        const std::size_t before = heapInUse();
        SnapshotBuilder builder;
        builder.reserve(copy.size());
        for (auto &r : copy)
            builder.add(std::move(r));
        fx.snapshot = builder.build(MasterInfo{});
        fx.heapBytes = heapInUse() - before; // the records are still alive: only the snapshot
        copy.clear();
        copy.shrink_to_fit();
        std::mt19937_64 rng(42);
        for (std::size_t i = 0; i < 4096; ++i) {
            const auto id = static_cast<InstrumentId>(rng() % fx.snapshot->size());
            const InstrumentView v = fx.snapshot->instrument(id);
            fx.keys.emplace_back(v.instrumentKey());
            fx.tokens.emplace_back(v.segment(), v.exchangeToken());
            fx.ids.push_back(id);
        }
        return fx;
    }();
    return f;
}

void BM_ReadMaster(benchmark::State &state)
{
    std::int64_t rows = 0;
    for (auto _ : state) {
        rows = 0;
        auto r = readMasterFile(masterPath(), [&rows](InstrumentRecord &&rec) {
            benchmark::DoNotOptimize(rec.lotSize);
            ++rows;
        });
        if (!r)
            state.SkipWithError(qPrintable(r.error().message));
    }
    state.counters["rows"] = static_cast<double>(rows);
    state.counters["rows/s"] = benchmark::Counter(static_cast<double>(rows),
                                                  benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_ReadMaster)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_BuildSnapshot(benchmark::State &state)
{
    const Fixture &fx = fixture();
    for (auto _ : state) {
        state.PauseTiming();
        std::vector<InstrumentRecord> copy = fx.records;
        state.ResumeTiming();
        SnapshotBuilder builder;
        builder.reserve(copy.size());
        for (auto &r : copy)
            builder.add(std::move(r));
        auto snap = builder.build(MasterInfo{});
        benchmark::DoNotOptimize(snap.get());
        state.PauseTiming();
        snap.reset();
        copy.clear();
        state.ResumeTiming();
    }
    state.counters["instruments"] = static_cast<double>(fx.snapshot->size());
    state.counters["heap_MB"] = static_cast<double>(fx.heapBytes) / 1e6;
    state.counters["accounted_MB"] = static_cast<double>(fx.snapshot->memoryBytes()) / 1e6;
}
BENCHMARK(BM_BuildSnapshot)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_LookupByKey(benchmark::State &state)
{
    const Fixture &fx = fixture();
    std::size_t i = 0;
    for (auto _ : state) {
        auto id = fx.snapshot->findByKey(fx.keys[i++ & 4095]);
        benchmark::DoNotOptimize(id);
    }
}
BENCHMARK(BM_LookupByKey);

void BM_LookupByToken(benchmark::State &state)
{
    const Fixture &fx = fixture();
    std::size_t i = 0;
    for (auto _ : state) {
        const auto &[segment, token] = fx.tokens[i++ & 4095];
        auto id = fx.snapshot->findByToken(segment, token);
        benchmark::DoNotOptimize(id);
    }
}
BENCHMARK(BM_LookupByToken);

void BM_ContractInfo(benchmark::State &state)
{
    const Fixture &fx = fixture();
    std::size_t i = 0;
    for (auto _ : state) {
        ContractInfo info = fx.snapshot->contractInfo(fx.ids[i++ & 4095]);
        benchmark::DoNotOptimize(info);
    }
}
BENCHMARK(BM_ContractInfo);

void BM_KeyToContractInfo(benchmark::State &state)
{
    const Fixture &fx = fixture();
    std::size_t i = 0;
    for (auto _ : state) {
        const auto id = fx.snapshot->findByKey(fx.keys[i++ & 4095]);
        ContractInfo info = fx.snapshot->contractInfo(*id);
        benchmark::DoNotOptimize(info);
    }
}
BENCHMARK(BM_KeyToContractInfo);

const std::vector<std::string> &typeaheadQueries()
{
    // What a trader types, keystroke by keystroke.
    static const std::vector<std::string> queries = {"N",
                                                     "NI",
                                                     "NIF",
                                                     "NIFT",
                                                     "NIFTY",
                                                     "B",
                                                     "BA",
                                                     "BAN",
                                                     "BANKNIFTY",
                                                     "G",
                                                     "GO",
                                                     "GOLD",
                                                     "nifty 2",
                                                     "nifty 25",
                                                     "nifty 250",
                                                     "nifty 2500",
                                                     "nifty 25000",
                                                     "nifty 25000 c",
                                                     "nifty 25000 ce",
                                                     "ce 25000 nifty dec",
                                                     "banknifty fut",
                                                     "reliance",
                                                     "reliance fut",
                                                     "tcs",
                                                     "infy",
                                                     "hdfc",
                                                     "sbin",
                                                     "tata",
                                                     "tata steel",
                                                     "crudeoil",
                                                     "silver",
                                                     "usdinr",
                                                     "finnifty",
                                                     "midcpnifty",
                                                     "sensex",
                                                     "nifty pe",
                                                     "banknifty 59000 pe",
                                                     "r",
                                                     "re",
                                                     "rel"};
    return queries;
}

void BM_Search(benchmark::State &state)
{
    const Fixture &fx = fixture();
    const auto &queries = typeaheadQueries();
    const std::string &q = queries[static_cast<std::size_t>(state.range(0))];
    SearchRequest request;
    request.text = q;
    request.limit = 20;
    request.today = asOfDay();
    for (auto _ : state) {
        auto hits = fx.snapshot->search(request);
        benchmark::DoNotOptimize(hits.data());
    }
    state.SetLabel(q);
}
BENCHMARK(BM_Search)->DenseRange(0, 39)->Unit(benchmark::kMicrosecond);

// Median and p99 over the whole typeahead set: each query timed individually, many rounds.
void BM_SearchDistribution(benchmark::State &state)
{
    const Fixture &fx = fixture();
    const auto &queries = typeaheadQueries();
    std::vector<double> samples;
    for (auto _ : state) {
        for (const auto &q : queries) {
            SearchRequest request;
            request.text = q;
            request.limit = 20;
            request.today = asOfDay();
            QElapsedTimer t;
            t.start();
            auto hits = fx.snapshot->search(request);
            benchmark::DoNotOptimize(hits.data());
            samples.push_back(static_cast<double>(t.nsecsElapsed()) / 1000.0);
        }
    }
    std::sort(samples.begin(), samples.end());
    auto pct = [&](double p) {
        return samples[std::min(samples.size() - 1,
                                static_cast<std::size_t>(p * static_cast<double>(samples.size())))];
    };
    state.counters["p50_us"] = pct(0.50);
    state.counters["p90_us"] = pct(0.90);
    state.counters["p99_us"] = pct(0.99);
    state.counters["max_us"] = samples.back();
}
BENCHMARK(BM_SearchDistribution)->Unit(benchmark::kMillisecond)->MinTime(2.0);

// "Did you mean": only run when a search found nothing, and it reads every term.
void BM_Suggest(benchmark::State &state)
{
    const Fixture &fx = fixture();
    static const std::vector<std::string> typos = {"niftty", "bnaknif", "relaince",
                                                   "niftty 25000 ce", "zzzzqq"};
    const std::string &q = typos[static_cast<std::size_t>(state.range(0))];
    SearchRequest request;
    request.text = q;
    request.limit = 20;
    request.today = asOfDay();
    std::string answer;
    for (auto _ : state) {
        auto suggestion = fx.snapshot->suggest(request);
        benchmark::DoNotOptimize(suggestion);
        answer = suggestion.value_or("-");
    }
    state.SetLabel(q + " -> " + answer);
}
BENCHMARK(BM_Suggest)->DenseRange(0, 4)->Unit(benchmark::kMicrosecond);

void BM_NiftyChain(benchmark::State &state)
{
    const Fixture &fx = fixture();
    const auto underlying = fx.snapshot->findUnderlying("NIFTY");
    if (!underlying) {
        state.SkipWithError("no NIFTY in this master");
        return;
    }
    ChainRequest request;
    request.underlying = *underlying;
    request.today = asOfDay();
    request.spot = Price::fromRupees(25960);
    request.strikesAroundAtm = static_cast<int>(state.range(0));
    std::size_t rows = 0;
    for (auto _ : state) {
        auto chain = fx.snapshot->chain(request);
        int itm = 0;
        for (const auto &row : chain->rows) {
            itm += chain->callMoneyness(row) == Moneyness::Itm;
            itm += chain->putMoneyness(row) == Moneyness::Itm;
        }
        benchmark::DoNotOptimize(itm);
        rows = chain->rows.size();
    }
    state.counters["rows"] = static_cast<double>(rows);
}
BENCHMARK(BM_NiftyChain)->Arg(0)->Arg(10);

void BM_Expiries(benchmark::State &state)
{
    const Fixture &fx = fixture();
    const auto underlying = fx.snapshot->findUnderlying("NIFTY");
    for (auto _ : state) {
        auto list = fx.snapshot->expiries(*underlying, asOfDay());
        benchmark::DoNotOptimize(list.data());
    }
}
BENCHMARK(BM_Expiries);

// Peak RSS of one streaming read above the process baseline (VmHWM - VmRSS before), measured
// in this process before anything else is loaded.

void reportReadMemory()
{
    const long baseline = strikeline::testing::processStatusKb("VmRSS");
    std::int64_t rows = 0;
    auto r = readMasterFile(masterPath(), [&rows](InstrumentRecord &&) { ++rows; });
    const long peak = strikeline::testing::processStatusKb("VmHWM");
    std::fprintf(stderr,
                 "read-memory: rows=%lld baseline_rss_kb=%ld peak_rss_kb=%ld "
                 "peak_above_baseline_kb=%ld%s\n",
                 static_cast<long long>(rows), baseline, peak, peak - baseline,
                 r ? "" : " (read failed)");
}

} // namespace

int main(int argc, char **argv)
{
    return strikeline::testing::runBenchmarks(argc, argv, reportReadMemory);
}
