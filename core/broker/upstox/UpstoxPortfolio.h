#pragma once

// Read-only account calls the CLI and the desktop show: the day's positions
// (GET /v2/portfolio/short-term-positions, also the portfolio stream's "position" updates) and
// the margin a basket needs (POST /v2/charges/margin), upstox-reference.md §3.3 and §3.4.
// Funds are UpstoxClient::funds.

#include "broker/upstox/UpstoxClient.h"
#include "common/Money.h"
#include "common/Price.h"
#include "orders/Order.h"

#include <QJsonObject>
#include <QString>

#include <cstdint>
#include <functional>
#include <vector>

namespace strikeline::upstox {

// One day position. Quantities are Upstox's, in the unit its orders use (units for NSE/BSE F&O,
// lots for MCX: the master's QuantityUnit); value = quantity x price x multiplier.
struct UpstoxPosition
{
    QString instrumentKey;
    QString tradingSymbol;
    QString exchange; // "NFO", as Upstox names it (the stream says "NSE_FO")
    Product product = Product::Delivery;
    std::int64_t quantity = 0; // net: buys minus sells, negative when short
    std::int64_t overnightQuantity = 0;
    std::int64_t buyQuantity = 0; // the day's and the overnight's
    std::int64_t sellQuantity = 0;
    Money buyValue;
    Money sellValue;
    Price averagePrice;
    Price lastPrice;
    Price closePrice;
    Money realised;
    Money unrealised;
    Money pnl;
    std::int32_t multiplier = 1;
};

UpstoxResult<UpstoxPosition> parsePosition(const QJsonObject &position);
// As the CLI (positions --live --json) and the local API (GET /api/v1/positions?live=true)
// answer it; money and prices in rupees.
QJsonObject positionJson(const UpstoxPosition &position);
// {"equity": {...}, "commodity": {...} | null}: as `funds --json` and GET /api/v1/funds.
QJsonObject fundsJson(const UpstoxFunds &funds);
UpstoxResult<std::vector<UpstoxPosition>> parsePositions(const QJsonValue &data);

net::RequestId fetchPositions(UpstoxClient &client, QObject *context,
                              std::function<void(UpstoxResult<std::vector<UpstoxPosition>>)> done);

// The same two calls answered as JSON (positionJson, fundsJson) or a Network error with
// Upstox's words: what the local API's account routes serve (api/ApiTrading.h).
void fetchPositionsJson(UpstoxClient &client, QObject *context,
                        std::function<void(Result<QJsonValue>)> done);
void fetchFundsJson(UpstoxClient &client, QObject *context,
                    std::function<void(Result<QJsonValue>)> done);

// One instrument of a margin request; price zero means at the market.
struct MarginLeg
{
    std::string instrumentKey;
    std::int64_t quantity = 0; // a multiple of the lot, as an order's
    Side side = Side::Buy;
    Product product = Product::Delivery;
    Price price;
};

struct MarginBreakdown
{
    Money span;
    Money exposure;
    Money equity;
    Money netBuyPremium;
    Money additional;
    Money total;
    Money tender;
};

struct MarginRequirement
{
    std::vector<MarginBreakdown> legs; // one per leg asked for, in order
    Money required;                    // the sum of the legs
    Money final;                       // after the basket's hedge benefit
};

// Upstox takes at most this many instruments per request.
inline constexpr std::size_t MaxMarginLegs = 20;

QJsonObject marginRequestBody(const std::vector<MarginLeg> &legs);
UpstoxResult<MarginRequirement> parseMargin(const QJsonValue &data);

// More than MaxMarginLegs legs, or none, are refused here (nothing is sent, 0 is returned and
// `done` is called at once).
net::RequestId requiredMargin(UpstoxClient &client, const std::vector<MarginLeg> &legs,
                              QObject *context,
                              std::function<void(UpstoxResult<MarginRequirement>)> done);

} // namespace strikeline::upstox
