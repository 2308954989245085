// Pre-trade validation and simulated quotes on a real master (default:
// complete-2025-12-09.json.gz; STRIKELINE_BENCH_MASTER overrides). Figures: docs/PERFORMANCE.md.
//
//   build/release/tests/bench/strikeline_order_benchmarks [--benchmark_filter=...]

#include "BenchmarkMain.h"
#include "instruments/InstrumentRepository.h"
#include "instruments/InstrumentSnapshot.h"
#include "instruments/MasterReader.h"
#include "marketdata/SimulatedMarket.h"
#include "orders/AccountView.h"
#include "orders/OrderValidator.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
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

// 10:00 IST on the master's day: inside market hours, nothing of that day has expired yet.
IstMoment benchMoment()
{
    const QByteArray env = qgetenv("STRIKELINE_BENCH_AT");
    const IstMoment day =
        *parseIstMoment(env.isEmpty() ? QStringLiteral("2025-12-09") : QString::fromLocal8Bit(env));
    return IstMoment::fromDay(day.day(), 10 * 60);
}

struct Fixture
{
    InstrumentRepository repository;
    FixedClock clock{benchMoment()};
    std::unique_ptr<SimulatedMarket> market;
    AccountSnapshot account;
    // Derivatives the simulated market can price, each with an accepted, a rejected and a
    // sliced request.
    std::vector<OrderRequest> accepted, rejected, sliced;
    std::vector<std::string> quoteKeys;
};

Fixture &fixture()
{
    static Fixture *f = [] {
        auto *fx = new Fixture;
        SnapshotBuilder builder;
        auto read = readMasterFile(masterPath(),
                                   [&builder](InstrumentRecord &&r) { builder.add(std::move(r)); });
        if (!read) {
            std::fprintf(stderr, "cannot read %s: %s\n", qPrintable(masterPath()),
                         qPrintable(read.error().message));
            std::exit(1);
        }
        fx->repository.publish(builder.build(MasterInfo{}));
        fx->market = std::make_unique<SimulatedMarket>(fx->repository, fx->clock);
        fx->account.setAvailableMargin(Money::fromRupees(1'000'000'000));
        const SnapshotPtr s = fx->repository.snapshot();
        const EpochDay today = fx->clock.now().day();
        const OrderValidator check(fx->clock, ValidationLimits{Money(), 25, MarginModel{}});
        std::mt19937_64 rng(42);
        std::vector<InstrumentId> ids;
        for (InstrumentId id = 0; id < s->size(); ++id) {
            const InstrumentView v = s->instrument(id);
            if (v.segment() == Segment::NseFo && isDerivative(v.kind()) && !v.isExpiredAt(today))
                ids.push_back(id);
        }
        std::shuffle(ids.begin(), ids.end(), rng);
        for (const InstrumentId id : ids) {
            if (fx->accepted.size() == 1024)
                break;
            const InstrumentView v = s->instrument(id);
            const auto quote = fx->market->quote(v.instrumentKey());
            if (!quote || v.maxLotsPerOrder() <= 0)
                continue;
            OrderRequest r;
            r.instrumentKey = std::string(v.instrumentKey());
            r.side = Side::Buy;
            r.type = OrderType::Limit;
            r.quantity = v.lotSize();
            r.price = quote->last;
            const Verdict ok = check.validate(r, *s, fx->market.get(), &fx->account);
            if (!ok.ok() || !ok.issues.empty())
                continue; // e.g. a premium beyond the margin: not an "accepted" sample
            fx->accepted.push_back(r);
            OrderRequest bad = r;
            bad.quantity = v.lotSize() + 1;
            bad.price = quote->last + Price::fromRaw(1);
            fx->rejected.push_back(bad);
            OrderRequest big = r;
            big.quantity = (3 * static_cast<std::int64_t>(v.maxLotsPerOrder()) + 1) * v.lotSize();
            fx->sliced.push_back(big);
            fx->quoteKeys.push_back(r.instrumentKey);
        }
        std::fprintf(stderr, "order samples: %zu of %zu live NSE_FO derivatives\n",
                     fx->accepted.size(), ids.size());
        return fx;
    }();
    return *f;
}

void runValidation(benchmark::State &state, const std::vector<OrderRequest> &requests,
                   bool withMarket)
{
    Fixture &fx = fixture();
    const OrderValidator validator(fx.clock, ValidationLimits{Money(), 25, MarginModel{}});
    const SnapshotPtr s = fx.repository.snapshot();
    const MarketData *market = withMarket ? fx.market.get() : nullptr;
    const AccountView *account = withMarket ? &fx.account : nullptr;
    std::size_t i = 0;
    std::vector<double> samples;
    samples.reserve(1 << 20);
    for (auto _ : state) {
        const OrderRequest &r = requests[i++ % requests.size()];
        const auto start = std::chrono::steady_clock::now();
        Verdict v = validator.validate(r, *s, market, account);
        const auto end = std::chrono::steady_clock::now();
        benchmark::DoNotOptimize(v.slices.data());
        if (samples.size() < samples.capacity())
            samples.push_back(std::chrono::duration<double, std::nano>(end - start).count());
    }
    std::sort(samples.begin(), samples.end());
    auto pct = [&](double p) {
        return samples.empty() ? 0.0
                               : samples[std::min(samples.size() - 1,
                                                  static_cast<std::size_t>(
                                                      p * static_cast<double>(samples.size())))];
    };
    // Per-call times include ~20-40 ns of steady_clock overhead; the ns/iteration figure of the
    // benchmark itself includes it too.
    state.counters["p50_ns"] = pct(0.50);
    state.counters["p99_ns"] = pct(0.99);
}

void BM_ValidateAccepted(benchmark::State &state)
{
    runValidation(state, fixture().accepted, state.range(0) != 0);
}
BENCHMARK(BM_ValidateAccepted)->Arg(0)->Arg(1)->MinTime(1.0);

void BM_ValidateRejected(benchmark::State &state)
{
    runValidation(state, fixture().rejected, state.range(0) != 0);
}
BENCHMARK(BM_ValidateRejected)->Arg(0)->Arg(1)->MinTime(1.0);

void BM_ValidateSliced(benchmark::State &state)
{
    runValidation(state, fixture().sliced, state.range(0) != 0);
}
BENCHMARK(BM_ValidateSliced)->Arg(0)->Arg(1)->MinTime(1.0);

void BM_SimulatedQuote(benchmark::State &state)
{
    Fixture &fx = fixture();
    std::size_t i = 0;
    for (auto _ : state) {
        auto q = fx.market->quote(fx.quoteKeys[i++ % fx.quoteKeys.size()]);
        benchmark::DoNotOptimize(q);
    }
}
BENCHMARK(BM_SimulatedQuote)->MinTime(1.0);

// One step of the walk over every underlying of the master (what a UI timer tick costs).
void BM_SimulatedAdvance(benchmark::State &state)
{
    Fixture &fx = fixture();
    for (auto _ : state)
        fx.market->advance(250);
}
BENCHMARK(BM_SimulatedAdvance)->Unit(benchmark::kMicrosecond);

} // namespace

int main(int argc, char **argv)
{
    return strikeline::testing::runBenchmarks(argc, argv, nullptr);
}
