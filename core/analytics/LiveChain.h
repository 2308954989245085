#pragma once

// One expiry's live option chain as numbers (issue 12, "The live option chain";
// docs/analytics.md): per leg the price columns from the quote book, change in OI against the
// previous session's close, and IV and Greeks computed here (Black-76 on the expiry's forward,
// never the broker's values, which are often zero or wrong for deep ITM legs); per chain the
// forward, the guarded ATM, PCR, totals and max pain over the full chain.
//
// Pure: the caller says where quotes, previous OI and the full chain's OI come from, and when
// "now" is. The desktop's chain model and `strikeline-cli chain --live` both compute with it, on
// their cadence, so painting and printing only read the result.

#include "analytics/ChainAnalytics.h"
#include "analytics/ExpiryTime.h"
#include "analytics/ImpliedVolatility.h"
#include "common/Price.h"
#include "marketdata/QuoteBook.h"

#include <QString>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace strikeline {

struct LiveLeg
{
    std::string key; // empty: the exchange lists no such side
    bool quoted = false;
    std::optional<Price> ltp;
    std::optional<Price> change;         // LTP - previous close
    std::optional<double> changePercent; // of the previous close
    std::optional<Price> bid;
    std::optional<Price> ask;
    std::int64_t bidQuantity = 0;
    std::int64_t askQuantity = 0;
    std::optional<std::int64_t> volume; // units
    std::optional<std::int64_t> oi;     // units
    std::optional<std::int64_t> oiChange;
    std::optional<double> iv; // percent (15.2 = 15.2 %)
    std::optional<double> delta;
    std::optional<double> gamma;
    std::optional<double> theta;    // per day of the time basis
    std::optional<double> vega;     // per volatility point
    QString ivProblem;              // why there is no IV (a tooltip's text); empty when there is
    std::optional<double> brokerIv; // as the feed sent them (extra columns)
    std::optional<double> brokerDelta;
    std::int64_t receivedMs = 0; // 0: never ticked
    std::uint64_t version = 0;   // the quote book's change counter of this leg
    bool stale = false;          // no tick for LiveChainInput::staleAfterMs

    bool listed() const { return !key.empty(); }
};

struct LiveStrike
{
    Price strike;
    LiveLeg call;
    LiveLeg put;
    std::optional<double> pcr; // put OI / call OI at this strike
};

struct LiveChainInput
{
    struct Row
    {
        Price strike;
        std::string callKey; // empty when not listed
        std::string putKey;
    };
    Segment segment = Segment::NseFo;
    EpochDay expiry = NoDay;
    std::vector<Row> rows; // the visible window, ascending
    std::string futureKey; // the future of this expiry, when one is listed
    std::string underlyingKey;
    TimeBasis basis = TimeBasis::calendar();
    double rate = 0; // the forward already carries the carry: 0 by default
    std::int64_t staleAfterMs = 60'000;
    // Where the state of a key comes from (the quote book, or the simulated market).
    std::function<std::optional<marketdata::LiveQuote>(const std::string &)> quote;
    // The previous session's closing OI of a key, when known (PreviousOiStore).
    std::function<std::optional<std::int64_t>(const std::string &)> previousOi;
    // The full expiry for totals, PCR and max pain (every strike, ascending); when empty, the
    // visible rows are used and LiveChain::fullChain is false.
    std::vector<ChainStrike> fullChain;
    // The ATM the chain shows now: kept when the forward cannot be trusted.
    std::optional<double> currentAtm;
};

struct LiveChain
{
    std::vector<LiveStrike> rows;
    std::optional<ForwardEstimate> forward;
    AtmStrike atm;                    // atm.strike: the ATM to show (the current one when refused)
    ChainTotals totals;               // over the full chain when given
    bool fullChain = false;           // totals are over every strike, not the window
    double years = 0;                 // to the exchange's close on expiry day
    std::optional<Price> underlying;  // the underlying's LTP
    std::optional<Price> futurePrice; // the future's LTP
    std::int64_t newestTickMs = 0;
    int quotedLegs = 0;
    int listedLegs = 0;
};

// `now` is the market's time (time to expiry); `receivedNowMs` the time on the clock that stamped
// the quotes' receive times (the system's, epoch ms), for staleness: they differ when a
// simulated market runs at another --at. 0: `now`.
LiveChain computeLiveChain(const LiveChainInput &input, IstMoment now,
                           std::int64_t receivedNowMs = 0);

// A Quote of the MarketData interface as the quote book's state (for the simulated market).
marketdata::LiveQuote liveQuoteFrom(const Quote &quote);

} // namespace strikeline
