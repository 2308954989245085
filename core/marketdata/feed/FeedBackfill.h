#pragma once

// The REST backfill after a (re)connect (issue 12, "Staying alive"; upstox-live.md §1.5 item 5):
// the feed's resubscribed(keys) says which instruments may have missed ticks; this asks Upstox
// for their latest values so nothing stays stale until its next tick.
//
//   GET /v3/market-quote/ltp?instrument_key=K1,K2,...           at most 500 keys a call
//   GET /v3/market-quote/option-greek?instrument_key=K1,...     at most 50 keys a call
//
// Both answer a map keyed by "SEGMENT:symbol" whose values carry instrument_token (the key we
// subscribed by). Values absent from the answer stay absent here (never zero). Units as Upstox
// sends them: iv as the endpoint gives it (upstox-live.md §0 row 5: fraction on Upstox's sample,
// percent on the simulator), theta per day, vega per vol point, oi and volume in units.

#include "broker/upstox/UpstoxClient.h"
#include "common/Price.h"
#include "marketdata/MarketPrices.h"
#include "marketdata/QuoteBook.h"

#include <QJsonValue>
#include <QObject>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace strikeline::marketdata {

struct BackfillQuote
{
    QString instrumentKey;
    std::optional<Price> ltp;
    std::optional<Price> close; // cp: the previous session's close
    std::optional<std::int64_t> volume;
    std::optional<std::int64_t> lastQuantity;
    std::optional<std::int64_t> oi; // option-greek only
    std::optional<double> iv;
    std::optional<double> delta;
    std::optional<double> gamma;
    std::optional<double> theta;
    std::optional<double> vega;
};

inline constexpr int LtpBackfillBatch = 500;
inline constexpr int GreeksBackfillBatch = 50;

// One answer's `data` (either endpoint) as quotes; entries without instrument_token are skipped.
std::vector<BackfillQuote> parseBackfill(const QJsonValue &data);

using BackfillCallback = std::function<void(upstox::UpstoxResult<std::vector<BackfillQuote>>)>;

// LTP v3 for `ltpKeys` and option-greek v3 for `greekKeys`, in batches within the limits; `done`
// runs once on `context`'s thread with every quote (LTP first, then greeks: a key in both lists
// appears twice) or with the first error. No keys: `done` is called at once with nothing.
void backfillQuotes(upstox::UpstoxClient &client, const QStringList &ltpKeys,
                    const QStringList &greekKeys, QObject *context, BackfillCallback done);

// The backfill into the quote book (a writer, from any thread): each value fills its field only
// when the instrument has had no feed packet since `requestedNs` (the Unix epoch ns the backfill
// was asked for), so an answer never overwrites a newer tick. Returns the instruments updated.
int mergeBackfill(QuoteBook &book, const std::vector<BackfillQuote> &quotes,
                  std::int64_t requestedNs);

// The price bands of `keys` from the REST full quote (GET /v2/market-quote/quotes, at most
// FullQuoteBatch keys a call): the feed carries none, and they are the only documented
// per-contract band (reference §3.5). A key without a positive band (an index) is left out.
// `done` runs once on `context`'s thread with every contract's limits or the first error.
inline constexpr int FullQuoteBatch = 500;
std::vector<CircuitLimits> parseCircuitLimits(const QJsonValue &data, std::int64_t fetchedMs);
using CircuitLimitsCallback = std::function<void(upstox::UpstoxResult<std::vector<CircuitLimits>>)>;
void fetchCircuitLimits(upstox::UpstoxClient &client, const QStringList &keys, std::int64_t nowMs,
                        QObject *context, CircuitLimitsCallback done);

} // namespace strikeline::marketdata
