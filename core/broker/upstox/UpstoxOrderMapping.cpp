#include "UpstoxOrderMapping.h"

#include "broker/upstox/UpstoxClient.h"
#include "common/IstTime.h"

#include <array>
#include <utility>

namespace strikeline::upstox {

namespace {

using S = BrokerOrderState;

// Every status of Upstox's appendix (upstox-reference.md §3.3, "Order statuses"), in the
// lifecycle order of upstox-live.md §4.2.
constexpr std::array<std::pair<std::string_view, BrokerOrderState>, 17> StatusTable = {{
    {"put order req received", S::Pending},
    {"validation pending", S::Pending},
    {"open pending", S::Pending},
    {"after market order req received", S::Pending},
    {"open", S::Open},
    {"trigger pending", S::TriggerPending},
    {"modify validation pending", S::ModifyPending},
    {"modify pending", S::ModifyPending},
    // A modification of an after-market order, accepted and waiting for the open with it.
    {"modify after market order req received", S::ModifyPending},
    {"modified", S::Modified},
    // A refused request, not an order state: the order stays as it was (upstox-live.md §4.2).
    {"not modified", S::ModifyRefused},
    {"cancel pending", S::CancelPending},
    {"not cancelled", S::CancelRefused},
    {"cancelled", S::Cancelled},
    {"cancelled after market order", S::Cancelled},
    {"complete", S::Complete},
    {"rejected", S::Rejected},
}};

std::string text(const QJsonObject &o, const char *name)
{
    const QJsonValue v = o.value(QLatin1String(name));
    if (v.isString())
        return v.toString().toStdString();
    if (v.isDouble()) // ids sometimes come as numbers
        return QString::number(v.toDouble(), 'f', 0).toStdString();
    return {};
}

Price priceOr0(const QJsonObject &o, const char *name)
{
    return priceFromJson(o.value(QLatin1String(name))).value_or(Price());
}

std::int64_t countOr0(const QJsonObject &o, const char *name)
{
    return countFromJson(o.value(QLatin1String(name))).value_or(0);
}

} // namespace

BrokerOrderState orderStateFromStatus(QStringView status)
{
    const std::string wanted = status.trimmed().toString().toLower().toStdString();
    for (const auto &[name, state] : StatusTable)
        if (name == wanted)
            return state;
    return BrokerOrderState::Unknown;
}

std::int64_t epochMsFromIst(const QJsonValue &timestamp)
{
    if (!timestamp.isString() || timestamp.toString().trimmed().isEmpty())
        return 0;
    const auto moment = parseIstMoment(timestamp.toString().trimmed());
    return moment ? moment->epochMs : 0;
}

UpstoxResult<BrokerOrderUpdate> parseOrderUpdate(const QJsonObject &o)
{
    BrokerOrderUpdate u;
    u.brokerOrderId = text(o, "order_id");
    if (u.brokerOrderId.empty())
        return malformed(QStringLiteral("an order without order_id"));
    const QJsonValue status = o.value(QLatin1String("status"));
    if (!status.isString())
        return malformed(QStringLiteral("order %1 without a status")
                             .arg(QString::fromStdString(u.brokerOrderId)));
    u.brokerStatus = status.toString().toStdString();
    u.state = orderStateFromStatus(status.toString());
    u.clientOrderId = text(o, "tag");
    u.message = text(o, "status_message");
    if (u.message.empty())
        u.message = text(o, "status_message_raw");
    u.instrumentKey = text(o, "instrument_token");
    if (u.instrumentKey.empty())
        u.instrumentKey = text(o, "instrument_key");
    u.side = parseSide(text(o, "transaction_type")).value_or(Side::Buy);
    u.type = parseOrderType(text(o, "order_type")).value_or(OrderType::Limit);
    u.product = parseProduct(text(o, "product")).value_or(Product::Delivery);
    u.validity = parseValidity(text(o, "validity")).value_or(Validity::Day);
    u.quantity = countOr0(o, "quantity");
    u.filledQuantity = countOr0(o, "filled_quantity");
    u.averagePrice = priceOr0(o, "average_price");
    u.price = priceOr0(o, "price");
    u.trigger = priceOr0(o, "trigger_price");
    u.parentBrokerOrderId = text(o, "parent_order_id");
    u.timeMs = epochMsFromIst(o.value(QLatin1String("exchange_timestamp")));
    if (u.timeMs == 0)
        u.timeMs = epochMsFromIst(o.value(QLatin1String("order_timestamp")));
    return u;
}

UpstoxResult<BrokerTrade> parseTrade(const QJsonObject &o)
{
    BrokerTrade t;
    t.tradeId = text(o, "trade_id");
    t.brokerOrderId = text(o, "order_id");
    if (t.tradeId.empty() || t.brokerOrderId.empty())
        return malformed(QStringLiteral("a trade without trade_id or order_id"));
    const auto quantity = countFromJson(o.value(QLatin1String("quantity")));
    const auto price = priceFromJson(o.value(QLatin1String("average_price")));
    if (!quantity || !price)
        return malformed(QStringLiteral("trade %1 without quantity or price")
                             .arg(QString::fromStdString(t.tradeId)));
    t.quantity = *quantity;
    t.price = *price;
    t.timeMs = epochMsFromIst(o.value(QLatin1String("exchange_timestamp")));
    if (t.timeMs == 0)
        t.timeMs = epochMsFromIst(o.value(QLatin1String("order_timestamp")));
    return t;
}

namespace {

QString name(std::string_view n)
{
    return QString::fromLatin1(n.data(), static_cast<qsizetype>(n.size()));
}

void addMarketProtection(QJsonObject &body, OrderType type, int marketProtection)
{
    if (type == OrderType::Market || type == OrderType::StopMarket)
        body.insert(QStringLiteral("market_protection"), marketProtection);
}

} // namespace

QJsonObject placeOrderBody(const PlaceOrderRequest &request, int marketProtection)
{
    const OrderRequest &r = request.order;
    QJsonObject body{
        {QStringLiteral("quantity"), static_cast<double>(r.quantity)},
        {QStringLiteral("product"), name(productName(r.product))},
        {QStringLiteral("validity"), name(validityName(r.validity))},
        {QStringLiteral("price"), needsLimitPrice(r.type) ? r.price.toDouble() : 0.0},
        {QStringLiteral("tag"), QString::fromStdString(r.clientOrderId)},
        {QStringLiteral("instrument_token"), QString::fromStdString(r.instrumentKey)},
        {QStringLiteral("order_type"), name(orderTypeName(r.type))},
        {QStringLiteral("transaction_type"), name(sideName(r.side))},
        {QStringLiteral("disclosed_quantity"), 0},
        {QStringLiteral("trigger_price"), needsTrigger(r.type) ? r.trigger.toDouble() : 0.0},
        {QStringLiteral("is_amo"), false},
        {QStringLiteral("slice"), request.slice},
    };
    addMarketProtection(body, r.type, marketProtection);
    return body;
}

QJsonObject modifyOrderBody(const ModifyOrderRequest &request, int marketProtection)
{
    // disclosed_quantity is left out: "if provided, must be non-zero".
    QJsonObject body{
        {QStringLiteral("order_id"), QString::fromStdString(request.brokerOrderId)},
        {QStringLiteral("quantity"), static_cast<double>(request.quantity)},
        {QStringLiteral("validity"), name(validityName(request.validity))},
        {QStringLiteral("price"), needsLimitPrice(request.type) ? request.price.toDouble() : 0.0},
        {QStringLiteral("order_type"), name(orderTypeName(request.type))},
        {QStringLiteral("trigger_price"),
         needsTrigger(request.type) ? request.trigger.toDouble() : 0.0},
    };
    addMarketProtection(body, request.type, marketProtection);
    return body;
}

namespace {

bool isAmbiguous(const UpstoxError &error)
{
    if (error.httpStatus >= 500)
        return true;
    switch (error.kind) {
    case UpstoxErrorKind::Network:
    case UpstoxErrorKind::Server:
    case UpstoxErrorKind::Malformed: // a 2xx we cannot read: the broker did answer something
    case UpstoxErrorKind::Cancelled: // we do not know whether it had been sent
        return true;
    default:
        return false;
    }
}

bool isClosedOrUnknownOrder(const UpstoxError &error)
{
    return error.kind == UpstoxErrorKind::NotFound || error.code == QLatin1String("UDAPI100040") ||
           error.code == QLatin1String("UDAPI1055") || error.code == QLatin1String("UDAPI100010");
}

RefusalKind refusalOf(const UpstoxError &error, OrderCall call)
{
    if (call != OrderCall::Place && isClosedOrUnknownOrder(error))
        return RefusalKind::NotModifiable;
    switch (error.kind) {
    case UpstoxErrorKind::Token:
        return RefusalKind::SessionExpired;
    case UpstoxErrorKind::RateLimit:
        return RefusalKind::RateLimited;
    case UpstoxErrorKind::StaticIp:
        return RefusalKind::StaticIpRequired;
    case UpstoxErrorKind::MarketClosed:
        return RefusalKind::MarketClosed;
    case UpstoxErrorKind::Funds:
        return RefusalKind::InsufficientFunds;
    case UpstoxErrorKind::Input:
        // No HTTP status: HttpClient refused the URL, nothing was sent.
        return error.httpStatus == 0 ? RefusalKind::Network : RefusalKind::Rejected;
    default:
        return RefusalKind::Rejected;
    }
}

QString ambiguityText(OrderCall call)
{
    switch (call) {
    case OrderCall::Place:
        return QStringLiteral("Upstox did not answer the order: it may or may not have been "
                              "placed. It is looked up by its tag, never placed again");
    case OrderCall::Modify:
        return QStringLiteral("Upstox did not answer the modification: it may or may not have "
                              "taken effect");
    case OrderCall::Cancel:
        return QStringLiteral("Upstox did not answer the cancel: the order may or may not be "
                              "cancelled");
    }
    return {};
}

} // namespace

GatewayReply replyFromError(GatewayRequestId request, const UpstoxError &error, OrderCall call)
{
    GatewayReply reply;
    reply.request = request;
    reply.brokerCode = error.code.toStdString();
    if (isAmbiguous(error)) {
        reply.outcome = ReplyOutcome::Ambiguous;
        const QString message =
            ambiguityText(call) + QStringLiteral(" (") + error.toString() + QLatin1Char(')');
        reply.message = message.toStdString();
        return reply;
    }
    reply.outcome = ReplyOutcome::Refused;
    reply.refusal = refusalOf(error, call);
    reply.message = error.toString().toStdString();
    return reply;
}

} // namespace strikeline::upstox
