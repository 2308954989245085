#pragma once

// The JSON shape of instruments, chains and searches, shared by `strikeline-cli --json` and the
// local HTTP API. Field names are Upstox's own (snake_case); prices are numbers in rupees.

#include "InstrumentSnapshot.h"

#include <QJsonArray>
#include <QJsonObject>

namespace strikeline::json {

QJsonObject instrument(const InstrumentView &view);
// {"results": [instrument, ...], "suggestion": "NIFTY" or null}; the suggestion is
// InstrumentSnapshot::suggest's, given when there are no results.
QJsonObject searchResults(const InstrumentSnapshot &snapshot, const std::vector<SearchHit> &hits,
                          const std::optional<std::string> &suggestion = std::nullopt);
QJsonArray expiries(const std::vector<ExpiryInfo> &expiries, EpochDay today);
QJsonObject chain(const InstrumentSnapshot &snapshot, const OptionChain &chain,
                  const std::vector<ExpiryInfo> &expiries, EpochDay today);

} // namespace strikeline::json
