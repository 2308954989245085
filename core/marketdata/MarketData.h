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
};

class MarketData
{
public:
    virtual ~MarketData() = default;
    // The latest quote of one contract (or index), or nullopt when none is known.
    virtual std::optional<Quote> quote(std::string_view instrumentKey) const = 0;
};

} // namespace strikeline
