#pragma once

// What the local API trades with (ApiServer::setTrading; routes in api/OrderRoutes.cpp,
// docs/api.md "Orders"): the composition's order service -- the same validator, journal and
// gateways as the ticket -- and the broker account calls. Everything here may be called from
// the API server's thread; the order service's calls return at once.

#include "common/Result.h"

#include <QJsonValue>
#include <QString>

#include <functional>
#include <optional>

class QObject;

namespace strikeline {
class MarketData;
class OrderService;
} // namespace strikeline

namespace strikeline::api {

struct ApiTrading
{
    OrderService *orders = nullptr;          // null: the order routes answer 503
    const MarketData *paperPrices = nullptr; // prices paper positions (may be null)
    // A live order ("live": true) is refused (403) unless the API's owner opted in: a script
    // that reads quotes must not be able to trade real money by surprise. Asked per request
    // (any thread), so the owner can change its mind without restarting the server; empty: no.
    std::function<bool()> allowLive;
    // Why a live order cannot go right now ("log in to Upstox"), or nothing when it can.
    std::function<std::optional<QString>()> liveUnavailable;
    // Upstox's account, answered on `context`'s thread (never after it is gone); empty: not
    // available here (409).
    using JsonAnswer = std::function<void(Result<QJsonValue>)>;
    std::function<void(QObject *context, JsonAnswer done)> funds;
    std::function<void(QObject *context, JsonAnswer done)> livePositions;
};

} // namespace strikeline::api
