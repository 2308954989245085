#include "OrderFeedback.h"

namespace strikeline::ui {

namespace {

QString fromUtf8(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

QuantityUnit unitOf(const OrderState &order)
{
    const std::optional<Segment> segment = parseSegment(order.contract.segment);
    return segment ? quantityUnitFor(*segment) : QuantityUnit::Units;
}

// Where a resting order waits: "at 200.00", "trigger 210.00, limit 211.00", "at market".
QString restingPrice(const OrderRequest &r)
{
    const QString limit =
        needsLimitPrice(r.type) ? QStringLiteral("at ") + r.price.toQString(2) : QString();
    if (!needsTrigger(r.type))
        return limit.isEmpty() ? QStringLiteral("at market") : limit;
    const QString trigger = QStringLiteral("trigger ") + r.trigger.toQString(2);
    if (limit.isEmpty())
        return trigger + QStringLiteral(", then at market");
    return trigger + QStringLiteral(", then ") + limit;
}

} // namespace

QString lotsText(std::int64_t quantity, std::int32_t lotSize, QuantityUnit unit)
{
    if (unit == QuantityUnit::Lots)
        return quantity == 1 ? QStringLiteral("1 lot") : QStringLiteral("%1 lots").arg(quantity);
    if (lotSize > 0 && quantity % lotSize == 0)
        return QStringLiteral("%1 × %2").arg(quantity / lotSize).arg(lotSize);
    return quantity == 1 ? QStringLiteral("1 unit") : QStringLiteral("%1 units").arg(quantity);
}

QString orderFeedbackText(const OrderState &order)
{
    const OrderRequest &r = order.request;
    const QuantityUnit unit = unitOf(order);
    const std::int32_t lot = order.contract.lotSize;
    const QString what = fromUtf8(sideName(r.side)) + QLatin1Char(' ') +
                         (order.contract.tradingSymbol.empty()
                              ? QString::fromStdString(r.instrumentKey)
                              : QString::fromStdString(order.contract.tradingSymbol));
    const QString ordered = lotsText(r.quantity, lot, unit);
    const QString filled = lotsText(order.filledQuantity, lot, unit) + QStringLiteral(" at ") +
                           order.averagePrice.toQString(2);
    const QString reason = QString::fromStdString(order.reason);
    QString outcome;
    switch (order.status) {
    case OrderStatus::New:
    case OrderStatus::Validated:
    case OrderStatus::Sent:
        outcome =
            QStringLiteral("sent %1 %2, waiting for the broker").arg(ordered, restingPrice(r));
        if (!reason.isEmpty()) // "no answer: looking it up by its tag ..."
            outcome += QStringLiteral(": ") + reason;
        break;
    case OrderStatus::Triggered:
        outcome = QStringLiteral("triggered: %1 working %2").arg(ordered, restingPrice(r));
        break;
    case OrderStatus::PendingModify:
        outcome = QStringLiteral("modification sent, waiting for the broker (works %1 meanwhile)")
                      .arg(restingPrice(r));
        break;
    case OrderStatus::PendingCancel:
        outcome = QStringLiteral("cancel sent, waiting for the broker");
        break;
    case OrderStatus::Lost:
        outcome = QStringLiteral("LOST: ") + reason;
        break;
    case OrderStatus::Acknowledged:
        outcome = QStringLiteral("open: %1 %2, nothing filled yet").arg(ordered, restingPrice(r));
        break;
    case OrderStatus::PartiallyFilled:
        outcome = QStringLiteral("partially filled %1 of %2; the rest is open %3")
                      .arg(filled, ordered, restingPrice(r));
        break;
    case OrderStatus::Filled:
        outcome = QStringLiteral("filled ") + filled;
        break;
    case OrderStatus::Cancelled:
        outcome = order.filledQuantity > 0
                      ? QStringLiteral("cancelled after filling ") + filled
                      : QStringLiteral("cancelled, nothing filled (%1)").arg(ordered);
        if (!reason.isEmpty())
            outcome += QStringLiteral(": ") + reason;
        break;
    case OrderStatus::Rejected:
        outcome = QStringLiteral("rejected") +
                  (reason.isEmpty() ? QString() : QStringLiteral(": ") + reason);
        break;
    }
    return what + QStringLiteral(": ") + outcome;
}

} // namespace strikeline::ui
