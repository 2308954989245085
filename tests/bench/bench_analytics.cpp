// The option analytics (core/analytics, issue 12): one implied-volatility solve, one set of
// Greeks, and everything the live chain computes for a 200-strike expiry — the synthetic
// forward, the guarded ATM, totals, PCR, max pain, and IV plus Greeks for all 400 legs.
// Inputs are Black-76 prices (rounded to the 0.05 tick, as quotes are) of a NIFTY-like chain:
// forward 26,000, strikes 50 apart, a week to expiry, a mild smile.

#include "BenchmarkMain.h"
#include "analytics/Black76.h"
#include "analytics/ChainAnalytics.h"
#include "analytics/ImpliedVolatility.h"

#include <cmath>
#include <cstdint>
#include <vector>

using namespace strikeline;

namespace {

constexpr double Forward = 26000.0;
constexpr double Years = 7.0 / 365.0;

double smile(double strike)
{
    const double m = std::log(strike / Forward);
    return 0.13 - 0.10 * m + 0.60 * m * m;
}

double tickPrice(OptionRight right, double strike)
{
    const double raw = black76Price(right, {Forward, strike, Years, smile(strike), 0.0});
    return std::max(0.05, std::round(raw / 0.05) * 0.05);
}

// ATM, 500 in the money, 500 out of the money: the solver's path differs with moneyness.
double strikeFor(std::int64_t which)
{
    return which == 0 ? Forward : which == 1 ? Forward - 500.0 : Forward + 500.0;
}

void BM_ImpliedVolatility(benchmark::State &state)
{
    const double strike = strikeFor(state.range(0));
    const Black76Input market{Forward, strike, Years, 0.0, 0.0};
    const double price = black76Price(OptionRight::Call, {Forward, strike, Years, 0.15, 0.0});
    int iterations = 0;
    for (auto _ : state) {
        const ImpliedVolatility iv = impliedVolatility(OptionRight::Call, market, price);
        iterations = iv.iterations;
        benchmark::DoNotOptimize(iv);
    }
    state.counters["evaluations"] = iterations;
    state.SetLabel(state.range(0) == 0 ? "ATM" : state.range(0) == 1 ? "ITM 500" : "OTM 500");
}
BENCHMARK(BM_ImpliedVolatility)->Arg(0)->Arg(1)->Arg(2);

void BM_Black76Greeks(benchmark::State &state)
{
    const Black76Input input{Forward, 26100.0, Years, 0.14, 0.0};
    for (auto _ : state) {
        benchmark::DoNotOptimize(black76Greeks(OptionRight::Call, input));
    }
}
BENCHMARK(BM_Black76Greeks);

void BM_Black76Price(benchmark::State &state)
{
    const Black76Input input{Forward, 26100.0, Years, 0.14, 0.0};
    for (auto _ : state) {
        benchmark::DoNotOptimize(black76Price(OptionRight::Call, input));
    }
}
BENCHMARK(BM_Black76Price);

struct Chain
{
    std::vector<ChainStrike> rows;
    std::vector<double> strikes;

    explicit Chain(int n)
    {
        const double first = Forward - 50.0 * (n / 2);
        for (int i = 0; i < n; ++i) {
            const double k = first + 50.0 * i;
            ChainStrike row;
            row.strike = k;
            row.callPrice = tickPrice(OptionRight::Call, k);
            row.putPrice = tickPrice(OptionRight::Put, k);
            // OI piles up near the money, calls above it and puts below.
            const double distance = std::abs(k - Forward) / 50.0;
            const auto base = static_cast<std::int64_t>(2'000'000.0 / (1.0 + 0.1 * distance));
            row.callOi = k >= Forward ? base : base / 3;
            row.putOi = k <= Forward ? base : base / 3;
            rows.push_back(row);
            strikes.push_back(k);
        }
    }
};

void BM_ChainAnalytics200(benchmark::State &state)
{
    const Chain chain(200);
    std::int64_t withIv = 0;
    for (auto _ : state) {
        const auto forward = chainForward(std::nullopt, chain.rows, Years);
        const AtmStrike atm =
            atmStrike(chain.strikes, forward ? std::optional(forward->forward) : std::nullopt);
        const ChainTotals totals = chainTotals(chain.rows);
        double pcrSum = 0;
        for (const ChainStrike &row : chain.rows)
            pcrSum += strikePcr(row).value_or(0.0);
        const double payout =
            writersPayout(chain.rows, totals.maxPain.value_or(atm.strike.value_or(Forward)));
        const double f = forward ? forward->forward : Forward;
        withIv = 0;
        double deltaSum = 0;
        for (const ChainStrike &row : chain.rows) {
            const Black76Input market{f, row.strike, Years, 0.0, 0.0};
            for (const auto &[right, price] : {std::pair{OptionRight::Call, *row.callPrice},
                                               std::pair{OptionRight::Put, *row.putPrice}}) {
                const ImpliedVolatility iv = impliedVolatility(right, market, price);
                if (!iv.ok())
                    continue;
                ++withIv;
                Black76Input at = market;
                at.volatility = iv.volatility;
                deltaSum += black76Greeks(right, at).delta;
            }
        }
        benchmark::DoNotOptimize(atm);
        benchmark::DoNotOptimize(pcrSum);
        benchmark::DoNotOptimize(payout);
        benchmark::DoNotOptimize(deltaSum);
    }
    state.counters["legs"] = 2.0 * static_cast<double>(chain.rows.size());
    state.counters["legs with IV"] = static_cast<double>(withIv);
}
BENCHMARK(BM_ChainAnalytics200)->Unit(benchmark::kMicrosecond);

} // namespace

int main(int argc, char **argv)
{
    return strikeline::testing::runBenchmarks(argc, argv, nullptr);
}
