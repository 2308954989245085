#pragma once

// Where last prices come from. A simulated market implements it today (always labelled
// simulated); the live Upstox feed will implement the same interface later. Read from the
// order path and the UI thread: implementations must be safe to call from any thread and must
// not block on I/O.

#include "common/Price.h"

#include <cstdint>
#include <optional>
#include <string_view>

namespace strikeline {

struct Quote
{
    Price last;                        // last traded (or simulated) price
    Price previousClose;               // for "change"; zero when unknown
    std::optional<Price> lowerCircuit; // the exchange's price band, when known
    std::optional<Price> upperCircuit;
    std::int64_t timeMs = 0; // when the price was made (epoch ms)
    bool simulated = false;  // true for every price of the simulated market
    // What a live feed adds (absent when the source has none: the simulated market).
    std::optional<Price> bid; // best bid and ask, with their quantities
    std::optional<Price> ask;
    std::int64_t bidQuantity = 0;
    std::int64_t askQuantity = 0;
    std::optional<std::int64_t> volume; // traded today (units)
    std::optional<std::int64_t> oi;     // open interest (units)
};

class MarketData
{
public:
    virtual ~MarketData() = default;
    // The latest quote of one contract (or index), or nullopt when none is known.
    virtual std::optional<Quote> quote(std::string_view instrumentKey) const = 0;
};

} // namespace strikeline
