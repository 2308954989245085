#include "OrderJson.h"

#include "orders/ContractValue.h"

namespace strikeline {

namespace {

QString text(std::string_view s)
{
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

QJsonValue priceOrNull(Price price)
{
    return price.isZero() ? QJsonValue() : QJsonValue(price.toDouble());
}

QJsonObject termsJson(const OrderRequest &r)
{
    return QJsonObject{
        {QStringLiteral("order_type"), text(orderTypeName(r.type))},
        {QStringLiteral("quantity"), static_cast<qint64>(r.quantity)},
        {QStringLiteral("price"), priceOrNull(r.price)},
        {QStringLiteral("trigger"), priceOrNull(r.trigger)},
        {QStringLiteral("validity"), text(validityName(r.validity))},
    };
}

} // namespace

QJsonObject orderStateJson(const OrderState &o)
{
    QJsonArray brokerIds;
    for (const std::string &id : o.brokerOrderIds)
        brokerIds.append(QString::fromStdString(id));
    QJsonArray children;
    for (const std::string &id : o.children)
        children.append(QString::fromStdString(id));
    QJsonObject json = termsJson(o.request);
    json.insert(QStringLiteral("client_order_id"), QString::fromStdString(o.clientOrderId));
    json.insert(QStringLiteral("parent_client_order_id"),
                o.parentClientOrderId.empty() ? QJsonValue()
                                              : QString::fromStdString(o.parentClientOrderId));
    json.insert(QStringLiteral("children"), children);
    json.insert(QStringLiteral("venue"), text(venueName(o.venue)));
    json.insert(QStringLiteral("simulated"), o.venue == Venue::Paper);
    json.insert(QStringLiteral("external"), o.external);
    json.insert(QStringLiteral("instrument_key"), QString::fromStdString(o.request.instrumentKey));
    json.insert(QStringLiteral("trading_symbol"),
                o.contract.tradingSymbol.empty()
                    ? QJsonValue()
                    : QString::fromStdString(o.contract.tradingSymbol));
    json.insert(QStringLiteral("side"), text(sideName(o.request.side)));
    json.insert(QStringLiteral("product"), text(productName(o.request.product)));
    json.insert(QStringLiteral("status"), text(orderStatusName(o.status)));
    json.insert(QStringLiteral("broker_status"),
                o.brokerStatus.empty() ? QJsonValue() : QString::fromStdString(o.brokerStatus));
    json.insert(QStringLiteral("broker_order_ids"), brokerIds);
    json.insert(QStringLiteral("filled_quantity"), static_cast<qint64>(o.filledQuantity));
    json.insert(QStringLiteral("average_price"),
                o.filledQuantity > 0 ? QJsonValue(o.averagePrice.toDouble()) : QJsonValue());
    const std::optional<Money> value =
        o.filledQuantity > 0
            ? contractValue(o.averagePrice, o.filledQuantity, o.contract.qtyMultiplier)
            : std::nullopt;
    json.insert(QStringLiteral("filled_value"),
                value ? QJsonValue(value->toDouble()) : QJsonValue());
    json.insert(QStringLiteral("triggered"), o.triggered);
    json.insert(QStringLiteral("pending_modification"),
                o.pendingModification ? QJsonValue(termsJson(*o.pendingModification))
                                      : QJsonValue());
    json.insert(QStringLiteral("reason"),
                o.reason.empty() ? QJsonValue() : QString::fromStdString(o.reason));
    json.insert(QStringLiteral("created_at_ms"), static_cast<qint64>(o.createdAtMs));
    json.insert(QStringLiteral("updated_at_ms"), static_cast<qint64>(o.updatedAtMs));
    return json;
}

QJsonArray orderStatesJson(const std::vector<OrderState> &orders)
{
    QJsonArray array;
    for (const OrderState &o : orders)
        array.append(orderStateJson(o));
    return array;
}

QJsonArray issuesJson(const std::vector<ValidationIssue> &issues)
{
    QJsonArray array;
    for (const ValidationIssue &i : issues) {
        array.append(QJsonObject{
            {QStringLiteral("code"), text(i.code)},
            {QStringLiteral("severity"), i.severity == IssueSeverity::Error
                                             ? QStringLiteral("error")
                                             : QStringLiteral("warning")},
            {QStringLiteral("message"), i.message},
        });
    }
    return array;
}

QJsonObject positionJson(const Position &p, Venue venue)
{
    return QJsonObject{
        {QStringLiteral("instrument_key"), QString::fromStdString(p.instrumentKey)},
        {QStringLiteral("venue"), text(venueName(venue))},
        {QStringLiteral("simulated"), venue == Venue::Paper},
        {QStringLiteral("quantity"), static_cast<qint64>(p.netQuantity)},
        {QStringLiteral("multiplier"), static_cast<qint64>(p.qtyMultiplier)},
        {QStringLiteral("average_price"), priceOrNull(p.averagePrice)},
        {QStringLiteral("last_price"),
         p.lastPrice ? QJsonValue(p.lastPrice->toDouble()) : QJsonValue()},
        {QStringLiteral("last_price_simulated"), p.lastPrice ? p.lastPriceSimulated : false},
        {QStringLiteral("realised"), p.realisedPnl.toDouble()},
        {QStringLiteral("unrealised"),
         p.lastPrice ? QJsonValue(p.unrealisedPnl.toDouble()) : QJsonValue()},
    };
}

} // namespace strikeline
