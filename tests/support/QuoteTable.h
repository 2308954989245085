#pragma once

// Quotes a UI test sets by hand, by instrument key: a model's price source standing in for the
// terminal's MarketPrices (the quote book or the simulated market). GUI thread only.

#include "marketdata/MarketData.h"

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace strikeline::testing {

class QuoteTable final : public MarketData
{
public:
    std::optional<Quote> quote(std::string_view key) const override
    {
        const auto it = quotes.find(std::string(key));
        if (it == quotes.end())
            return std::nullopt;
        return it->second;
    }
    std::map<std::string, Quote> quotes;
};

} // namespace strikeline::testing
