#pragma once

// Upstox's put/call option chain, GET /v2/option/chain?instrument_key=…&expiry_date=YYYY-MM-DD
// (upstox-reference.md §3.6): one row per strike with each side's market data (LTP, close,
// best bid/ask, volume, OI and the previous session's OI, `prev_oi`) and Upstox's own greeks.
// Strikeline reads it once per expiry per day for prev_oi (change in OI needs the previous
// close, which the feed does not carry) and as the REST backfill of a chain; prices and greeks
// on screen come from the feed and from our own analytics. Not available for MCX.

#include "broker/upstox/UpstoxClient.h"
#include "common/Price.h"

#include <QDate>
#include <QString>

#include <cstdint>
#include <optional>
#include <vector>

namespace strikeline::upstox {

struct OptionChainLeg
{
    QString instrumentKey;
    std::optional<Price> ltp;
    std::optional<Price> close; // previous close
    std::optional<Price> bid;
    std::optional<Price> ask;
    std::int64_t bidQuantity = 0;
    std::int64_t askQuantity = 0;
    std::int64_t volume = 0;
    std::optional<std::int64_t> oi;     // open interest, as Upstox reports it (units)
    std::optional<std::int64_t> prevOi; // at the previous session's close
    // Upstox's own greeks (often zero or off for deep ITM legs: shown beside ours, never instead).
    std::optional<double> iv; // in %
    std::optional<double> delta, gamma, theta, vega, pop;
};

struct OptionChainRow
{
    Price strike;
    std::optional<OptionChainLeg> call;
    std::optional<OptionChainLeg> put;
    std::optional<double> pcr; // Upstox's per-strike PCR
};

struct OptionChain
{
    QString underlyingKey;
    QDate expiry;
    std::optional<Price> spot;        // underlying_spot_price
    std::vector<OptionChainRow> rows; // ascending strike
};

// The `data` array of an answer. An empty array is an empty chain (Upstox's answer for an expiry
// without contracts); a row without a strike is malformed; a missing side or field is absent,
// never zero.
UpstoxResult<OptionChain> parseOptionChain(const QJsonValue &data);

// GET /v2/option/chain for one underlying (e.g. "NSE_INDEX|Nifty 50") and expiry.
net::RequestId fetchOptionChain(UpstoxClient &client, const QString &underlyingKey, QDate expiry,
                                QObject *context,
                                std::function<void(UpstoxResult<OptionChain>)> done);

} // namespace strikeline::upstox
