#pragma once

// Upstox's order vocabulary in our words, and nowhere else: its status strings, products and
// UDAPI codes become BrokerOrderState, BrokerOrderUpdate, BrokerTrade and a GatewayReply's
// outcome (docs/upstox.md, "Orders through Upstox"). Pure functions, no I/O: the gateway
// (UpstoxOrderGateway.h) and the portfolio stream (UpstoxPortfolioStream.h) call them.

#include "broker/upstox/UpstoxError.h"
#include "orders/BrokerGateway.h"

#include <QJsonObject>
#include <QString>
#include <QStringView>

#include <cstdint>

namespace strikeline::upstox {

// Upstox's status ("open", "trigger pending", "not cancelled" ...; any case, spaces trimmed).
// A status not in the table is Unknown: the caller keeps the string verbatim.
BrokerOrderState orderStateFromStatus(QStringView status);

// An order as Upstox shows it: a row of the order book (/v2/order/retrieve-all), order details,
// one state of the order history, or a portfolio-stream order update; all share these fields.
// The tag becomes clientOrderId. Needs order_id and status; the rest is read when present.
UpstoxResult<BrokerOrderUpdate> parseOrderUpdate(const QJsonObject &order);
// A trade of /v2/order/trades/get-trades-for-day. clientOrderId is left empty (the trade has no
// tag): the gateway fills it from the order.
UpstoxResult<BrokerTrade> parseTrade(const QJsonObject &trade);
// "2026-08-21 10:00:03" (IST, Upstox's order_timestamp / exchange_timestamp) as epoch ms; 0 for
// null, empty or unreadable.
std::int64_t epochMsFromIst(const QJsonValue &timestamp);

// Upstox's market_protection for MARKET and SL-M orders: 0 none, 1..25 per cent, -1 Upstox's
// automatic table (upstox-reference.md §3.3, "Market protection").
inline constexpr int AutomaticMarketProtection = -1;

// The bodies of POST /v3/order/place and PUT /v3/order/modify (upstox-reference.md §3.3).
// is_amo is always false: Upstox infers it from the session; slice only when asked for.
QJsonObject placeOrderBody(const PlaceOrderRequest &request, int marketProtection);
QJsonObject modifyOrderBody(const ModifyOrderRequest &request, int marketProtection);

enum class OrderCall { Place, Modify, Cancel };

// What a failed place/modify/cancel means for the order: Ambiguous when the broker may have it
// (no answer, a 5xx, a 2xx we cannot read), else Refused with its kind. Never a retry.
GatewayReply replyFromError(GatewayRequestId request, const UpstoxError &error, OrderCall call);

} // namespace strikeline::upstox
