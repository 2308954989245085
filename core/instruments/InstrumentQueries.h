#pragma once

// The questions strikeline-cli and the local HTTP API both answer (search, chain, info), with
// the checks of their textual parameters. The two front ends differ only in where the text
// comes from (command-line options or a URL's query) and how an answer is printed, so the
// checks and the chain lookup live here once; `name` is how the front end calls the parameter
// ("--spot" or "spot") and appears in the error message.

#include "InstrumentSnapshot.h"
#include "common/IstTime.h"
#include "common/Result.h"

#include <QString>

#include <optional>
#include <string>
#include <vector>

namespace strikeline {

inline constexpr int MaxSearchLimit = 1000;

// 1..MaxSearchLimit.
Result<int> parseSearchLimit(const QString &text, const QString &name);
// A positive price, exact ("25012.35").
Result<Price> parseSpotPrice(const QString &text, const QString &name);
// Strikes on each side of ATM: a positive number.
Result<int> parseStrikeCount(const QString &text, const QString &name);
// "NSE_FO", case-insensitive.
Result<Segment> parseSegmentName(const QString &text);
// A calendar day "YYYY-MM-DD" (IST).
Result<EpochDay> parseDay(const QString &text);

struct ChainQuery
{
    std::string underlying;         // "NIFTY"
    std::optional<Segment> segment; // when the symbol trades in several segments
    EpochDay expiry = NoDay;        // NoDay: the nearest on or after `today`
    std::optional<Price> spot;
    int strikesAroundAtm = 0; // 0: every strike
    EpochDay today = NoDay;
    bool includeExpired = false;
};

struct ChainAnswer
{
    OptionChain chain;
    std::vector<ExpiryInfo> expiries; // the underlying's expiry list, for pickers
};

// NotFound when the underlying has no derivatives in the snapshot or no options that day.
Result<ChainAnswer> answerChain(const InstrumentSnapshot &snapshot, const ChainQuery &query);

} // namespace strikeline
