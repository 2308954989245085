#pragma once

// Search is a member of InstrumentSnapshot (InstrumentSnapshot::search); its ranking rules are
// documented in docs/search.md and implemented in Search.cpp. This header exposes the query
// tokenizer for tests and tools.

#include "common/Price.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strikeline::search {

// What a query token can mean at the contract level.
enum class TypeFilter : std::uint8_t { None, Call, Put, Future, Option };

struct QueryToken
{
    std::string text; // upper case
    TypeFilter type = TypeFilter::None;
    int month = 0; // 1..12 when the token names a month ("dec", "december")
    bool numeric = false;
    std::optional<Price> number; // numeric value, exact
    std::int64_t integer = -1;   // the digits as an integer when the token is all digits
    int digits = 0;

    bool contractLevel() const { return type != TypeFilter::None || month != 0 || numeric; }
};

std::vector<QueryToken> tokenize(std::string_view query, std::size_t maxTokens = 8);

} // namespace strikeline::search
