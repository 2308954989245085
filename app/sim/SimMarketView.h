#pragma once

// What the simulated market says about one contract beyond its price, in the REST side's
// terms: volume, open interest (and yesterday's, Upstox's prev_oi), a five-level book with
// quantities, the day's OHLC, circuit limits and, for options, the greeks. Volume, OI and the
// book are SimMarketState's, the same books the feed's tape steps, so a REST answer agrees with
// the feed at the same simulated moment; the greeks are Black-76 at the market's volatility.

#include "common/Price.h"
#include "instruments/InstrumentSnapshot.h"
#include "marketdata/MarketData.h"

#include <array>
#include <cstdint>
#include <optional>

namespace strikeline::sim {

struct SimContext;

struct DepthLevel
{
    Price price;
    std::int64_t quantity = 0;
    int orders = 0;
};

struct OptionGreeksView
{
    double delta = 0;
    double gamma = 0;
    double theta = 0; // per calendar day
    double vega = 0;  // per volatility point
    double rho = 0;
    double iv = 0;  // percent, as Upstox quotes it (15.0 = 15 %)
    double pop = 0; // probability of profit for a buyer, percent
};

struct ContractMarket
{
    Quote quote;
    std::int64_t volume = 0; // units traded today
    std::int64_t lastQuantity = 0;
    double averagePrice = 0;
    std::int64_t oi = 0;     // units (Upstox's convention), 0 for equities and indices
    std::int64_t prevOi = 0; // yesterday's close
    std::int64_t oiDayHigh = 0;
    std::int64_t oiDayLow = 0;
    Price open, high, low;
    std::array<DepthLevel, 5> bids{}; // best first; empty (zero) levels for indices
    std::array<DepthLevel, 5> asks{};
    std::int64_t totalBuyQuantity = 0;
    std::int64_t totalSellQuantity = 0;
    std::optional<OptionGreeksView> greeks; // options only
};

class SimMarketView
{
public:
    explicit SimMarketView(const SimContext &context);

    std::optional<ContractMarket> contract(const InstrumentSnapshot &snapshot,
                                           InstrumentId id) const;

private:
    const SimContext &m_context;
};

} // namespace strikeline::sim
