#include "SimOrders.h"

#include "SimContext.h"
#include "SimMarketView.h"
#include "common/IstTime.h"
#include "instruments/InstrumentRepository.h"
#include "marketdata/SimulatedMarket.h"
#include "orders/OrderValidator.h"

#include <QDateTime>
#include <QJsonDocument>

#include <cmath>

namespace strikeline::sim {

QString istTimestamp(std::int64_t epochMs)
{
    return QDateTime::fromMSecsSinceEpoch(epochMs, Qt::OffsetFromUTC, IstOffsetSeconds)
        .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

QString exchangeOf(std::string_view instrumentKey)
{
    const auto segment = parseSegment(instrumentKey.substr(0, instrumentKey.find('|')));
    if (!segment)
        return {};
    switch (*segment) {
    case Segment::NseEq:
    case Segment::NseIndex:
        return QStringLiteral("NSE");
    case Segment::NseFo:
        return QStringLiteral("NFO");
    case Segment::BseEq:
    case Segment::BseIndex:
        return QStringLiteral("BSE");
    case Segment::BseFo:
        return QStringLiteral("BFO");
    case Segment::McxFo:
    case Segment::McxIndex:
        return QStringLiteral("MCX");
    case Segment::NseCom:
        return QStringLiteral("NSE");
    case Segment::NcdFo:
        return QStringLiteral("CDS");
    case Segment::BcdFo:
        return QStringLiteral("BCD");
    case Segment::GlobalIndex:
    case Segment::GlobalIndicator:
        return QStringLiteral("GLOBAL");
    }
    return {};
}

namespace {

double round2(double v)
{
    return std::round(v * 100.0) / 100.0;
}

// Rupees with two decimals for the JSON answer (the arithmetic stays fixed-point).
double rupees(Money m)
{
    return round2(m.toDouble());
}
double rupees(Price p)
{
    return round2(p.toDouble());
}

// price x units, exact.
Money valueOf(Price price, std::int64_t units)
{
    return Money::fromRaw(price.raw() * units);
}

// value / units rounded half away from zero to 1/10000 rupee; zero for no units.
Price averageOf(Money value, std::int64_t units)
{
    if (units <= 0)
        return Price();
    const std::int64_t raw = value.raw();
    const std::int64_t half = units / 2;
    return Price::fromRaw(raw >= 0 ? (raw + half) / units : -((-raw + half) / units));
}

ApiError invalid(const QString &code, const QString &message, const QString &property,
                 const QJsonValue &value = QJsonValue::Null)
{
    return {400, code, message, property, value};
}

bool isWholeNumber(const QJsonValue &v)
{
    return v.isDouble() && std::floor(v.toDouble()) == v.toDouble();
}

} // namespace

SimOrders::SimOrders(SimContext &context, QString userId)
    : m_context(context)
    , m_userId(std::move(userId))
    , m_broker(context.market, context.clock)
{
    m_orderIdPrefix = toQDate(context.clock.now().day()).toString(QStringLiteral("yyMMdd"));
    m_broker.setEventHandler([this](const BrokerEvent &event) { onBrokerEvent(event); });
}

QString SimOrders::nextOrderId()
{
    return m_orderIdPrefix + QStringLiteral("%1").arg(++m_orderSequence, 9, 10, QLatin1Char('0'));
}

Price SimOrders::lastPrice(const std::string &instrumentKey) const
{
    const auto quote = m_context.market.quote(instrumentKey);
    return quote ? quote->last : Price();
}

std::int32_t SimOrders::multiplier(const std::string &instrumentKey) const
{
    const SnapshotPtr snapshot = m_context.instruments.snapshot();
    const auto id = snapshot->findByKey(instrumentKey);
    return id ? std::max(1, snapshot->instrument(*id).qtyMultiplier()) : 1;
}

std::optional<ApiError> SimOrders::validate(const QJsonObject &body, OrderRequest &request,
                                            std::int64_t &disclosed) const
{
    const SnapshotPtr snapshot = m_context.instruments.snapshot();
    const QJsonValue key = body.value(QStringLiteral("instrument_token"));
    if (!key.isString() || key.toString().isEmpty())
        return invalid(QStringLiteral("UDAPI1026"), QStringLiteral("Instrument key is required"),
                       QStringLiteral("instrument_token"));
    const auto id = snapshot->findByKey(key.toString().toStdString());
    if (!id)
        return invalid(QStringLiteral("UDAPI1011"),
                       QStringLiteral("Invalid instrument key: %1").arg(key.toString()),
                       QStringLiteral("instrument_token"), key);
    const InstrumentView contract = snapshot->instrument(*id);
    if (contract.kind() == InstrumentKind::Index || !contract.tickSize().isPositive())
        return invalid(QStringLiteral("UDAPI100036"),
                       QStringLiteral("%1 is an index and cannot be traded").arg(key.toString()),
                       QStringLiteral("instrument_token"), key);
    request.instrumentKey = key.toString().toStdString();

    const QJsonValue quantity = body.value(QStringLiteral("quantity"));
    if (!isWholeNumber(quantity))
        return invalid(QStringLiteral("UDAPI100036"),
                       QStringLiteral("quantity is required and must be a whole number"),
                       QStringLiteral("quantity"), quantity);
    request.quantity = static_cast<std::int64_t>(quantity.toDouble());
    if (request.quantity <= 0)
        return invalid(QStringLiteral("UDAPI1052"),
                       QStringLiteral("Quantity should be greater than 0"),
                       QStringLiteral("quantity"), quantity);
    if (contract.quantityUnit() == QuantityUnit::Units && contract.lotSize() > 0 &&
        request.quantity % contract.lotSize() != 0)
        return invalid(QStringLiteral("UDAPI100036"),
                       QStringLiteral("Quantity %1 is not a multiple of the lot size %2")
                           .arg(request.quantity)
                           .arg(contract.lotSize()),
                       QStringLiteral("quantity"), quantity);

    const auto text = [&](const char *name) {
        return body.value(QLatin1String(name)).toString().toStdString();
    };
    const auto side = parseSide(text("transaction_type"));
    if (!side || !body.value(QStringLiteral("transaction_type")).isString())
        return invalid(
            QStringLiteral("UDAPI100036"), QStringLiteral("transaction_type must be BUY or SELL"),
            QStringLiteral("transaction_type"), body.value(QStringLiteral("transaction_type")));
    request.side = *side;
    const auto type = parseOrderType(text("order_type"));
    if (!type || !body.value(QStringLiteral("order_type")).isString())
        return invalid(QStringLiteral("UDAPI100036"),
                       QStringLiteral("order_type must be MARKET, LIMIT, SL or SL-M"),
                       QStringLiteral("order_type"), body.value(QStringLiteral("order_type")));
    request.type = *type;
    const QString productText = body.value(QStringLiteral("product")).toString();
    const auto product = parseProduct(productText.toStdString());
    if (!product)
        return invalid(QStringLiteral("UDAPI100036"),
                       productText == QLatin1String("OCO")
                           ? QStringLiteral("Product type OCO is not allowed")
                           : QStringLiteral("product must be I or D"),
                       QStringLiteral("product"), body.value(QStringLiteral("product")));
    request.product = *product;
    const auto validity = parseValidity(text("validity"));
    if (!validity)
        return invalid(QStringLiteral("UDAPI100036"), QStringLiteral("validity must be DAY or IOC"),
                       QStringLiteral("validity"), body.value(QStringLiteral("validity")));
    request.validity = *validity;

    const auto priceField = [&](const char *name, Price &out) -> std::optional<ApiError> {
        const QJsonValue v = body.value(QLatin1String(name));
        if (v.isUndefined() || v.isNull()) {
            out = Price();
            return std::nullopt;
        }
        if (!v.isDouble() || v.toDouble() < 0)
            return invalid(
                QStringLiteral("UDAPI100036"),
                QStringLiteral("%1 must be a non-negative number").arg(QLatin1String(name)),
                QLatin1String(name), v);
        const auto parsed = Price::parse(QByteArray::number(v.toDouble(), 'f', 4).toStdString());
        if (!parsed)
            return invalid(QStringLiteral("UDAPI100036"),
                           QStringLiteral("%1 is not a price").arg(QLatin1String(name)),
                           QLatin1String(name), v);
        out = *parsed;
        return std::nullopt;
    };
    if (auto e = priceField("price", request.price))
        return e;
    if (auto e = priceField("trigger_price", request.trigger))
        return e;
    if (needsLimitPrice(request.type)) {
        if (!request.price.isPositive())
            return invalid(QStringLiteral("UDAPI100036"),
                           QStringLiteral("price is required for a %1 order")
                               .arg(QString::fromUtf8(orderTypeName(request.type).data())),
                           QStringLiteral("price"), body.value(QStringLiteral("price")));
        if (!request.price.isMultipleOf(contract.tickSize()))
            return invalid(QStringLiteral("UDAPI100036"),
                           QStringLiteral("Price %1 is not a multiple of the tick size %2")
                               .arg(QString::fromStdString(request.price.toString()),
                                    QString::fromStdString(contract.tickSize().toString())),
                           QStringLiteral("price"), body.value(QStringLiteral("price")));
    } else {
        request.price = Price();
    }
    if (needsTrigger(request.type)) {
        if (!request.trigger.isPositive())
            return invalid(QStringLiteral("UDAPI100036"),
                           QStringLiteral("trigger_price is required for a stop-loss order"),
                           QStringLiteral("trigger_price"),
                           body.value(QStringLiteral("trigger_price")));
    } else {
        request.trigger = Price();
    }
    disclosed =
        static_cast<std::int64_t>(body.value(QStringLiteral("disclosed_quantity")).toDouble());
    return std::nullopt;
}

std::variant<QStringList, ApiError> SimOrders::place(const QJsonObject &body)
{
    OrderRequest request;
    std::int64_t disclosed = 0;
    if (auto error = validate(body, request, disclosed))
        return *error;
    const QJsonValue tag = body.value(QStringLiteral("tag"));
    if (!tag.isUndefined() && !tag.isNull() && (!tag.isString() || tag.toString().size() > 40))
        return invalid(QStringLiteral("UDAPI100036"),
                       QStringLiteral("tag must be text of at most 40 characters"),
                       QStringLiteral("tag"), tag);
    const QJsonValue slice = body.value(QStringLiteral("slice"));
    if (!slice.isUndefined() && !slice.isNull() && !slice.isBool())
        return invalid(QStringLiteral("UDAPI100036"), QStringLiteral("slice must be true or false"),
                       QStringLiteral("slice"), slice);

    const SnapshotPtr snapshot = m_context.instruments.snapshot();
    const InstrumentView contract =
        snapshot->instrument(*snapshot->findByKey(request.instrumentKey));
    std::vector<std::int64_t> quantities{request.quantity};
    const std::int64_t maxLots = contract.maxLotsPerOrder();
    if (maxLots > 0) {
        const std::int64_t perOrder = contract.quantityUnit() == QuantityUnit::Lots
                                          ? maxLots
                                          : maxLots * std::max(1, contract.lotSize());
        if (request.quantity > perOrder) {
            if (!slice.toBool())
                return invalid(QStringLiteral("UDAPI100036"),
                               QStringLiteral("Quantity %1 is above the freeze quantity %2 of %3: "
                                              "place it with slice=true")
                                   .arg(request.quantity)
                                   .arg(perOrder)
                                   .arg(QString::fromUtf8(contract.tradingSymbol().data(),
                                                          contract.tradingSymbol().size())),
                               QStringLiteral("quantity"), body.value(QStringLiteral("quantity")));
            quantities.clear();
            for (std::int64_t left = request.quantity; left > 0; left -= perOrder)
                quantities.push_back(std::min(left, perOrder));
            if (quantities.size() > 25)
                return invalid(QStringLiteral("UDAPI1118"),
                               QStringLiteral("Maximum 25 orders can be placed with slicing; "
                                              "this quantity needs %1")
                                   .arg(quantities.size()),
                               QStringLiteral("quantity"), body.value(QStringLiteral("quantity")));
        }
    }

    const std::uint64_t sequence = ++m_sequence;
    PlaceOrderRequest paper;
    paper.order = request;
    paper.order.clientOrderId = "p" + std::to_string(sequence);
    paper.slice = quantities.size() > 1;
    const IstMoment now = m_context.clock.now();
    const auto segment = parseSegment(
        std::string_view(request.instrumentKey).substr(0, request.instrumentKey.find('|')));
    const bool amo = segment && !isMarketOpen(*segment, now);
    const std::size_t first = m_orders.size();
    const QString requestId = QString::fromLatin1(QByteArray::number(sequence));
    for (std::size_t i = 0; i < quantities.size(); ++i) {
        SimOrder order;
        order.orderId = nextOrderId();
        order.requestId = requestId;
        order.paperClientId = paper.slice ? paper.order.clientOrderId + "-" + std::to_string(i)
                                          : paper.order.clientOrderId;
        order.tag = tag.toString();
        order.instrumentKey = request.instrumentKey;
        order.tradingSymbol =
            QString::fromUtf8(contract.tradingSymbol().data(), contract.tradingSymbol().size());
        order.exchange = exchangeOf(request.instrumentKey);
        order.request = request;
        order.request.quantity = quantities[i];
        order.disclosedQuantity = disclosed;
        order.amo = amo;
        order.placedMs = now.epochMs;
        order.exchangeMs = now.epochMs;
        order.exchangeOrderId =
            QStringLiteral("1100000%1").arg(m_orderSequence, 9, 10, QLatin1Char('0'));
        order.status = amo ? QStringLiteral("after market order req received")
                       : needsTrigger(request.type) ? QStringLiteral("trigger pending")
                                                    : QStringLiteral("open");
        if (paper.slice) {
            paper.sliceQuantities.push_back(quantities[i]);
            paper.childClientOrderIds.push_back(order.paperClientId);
        }
        m_byClient[order.paperClientId] = m_orders.size();
        m_orders.push_back(std::move(order));
    }
    // The broker's RMS: an order the funds cannot carry is accepted and then rejected, as
    // Upstox does (200 with the order ids, then a "rejected" update).
    const auto needed = marginFor(request.instrumentKey, request.quantity, request.side,
                                  request.product, request.price);
    const Money available = funds().available();
    QString rejection;
    if (needed && needed->total() > available)
        rejection = QStringLiteral("RMS:Margin Exceeds, Required:%1, Available:%2")
                        .arg(needed->total().toQString(2), available.toQString(2));
    // The exchange's price band: a limit price outside the circuit limits is rejected.
    if (rejection.isEmpty() && needsLimitPrice(request.type)) {
        const SimMarketView view(m_context);
        const auto market = view.contract(*snapshot, *snapshot->findByKey(request.instrumentKey));
        if (market && market->quote.lowerCircuit && market->quote.upperCircuit &&
            (request.price < *market->quote.lowerCircuit ||
             request.price > *market->quote.upperCircuit))
            rejection = QStringLiteral("Price %1 is outside the circuit limits %2 - %3")
                            .arg(QString::fromStdString(request.price.toString(2)),
                                 QString::fromStdString(market->quote.lowerCircuit->toString(2)),
                                 QString::fromStdString(market->quote.upperCircuit->toString(2)));
    }
    if (!rejection.isEmpty()) {
        QStringList ids;
        for (std::size_t i = first; i < m_orders.size(); ++i) {
            SimOrder &order = m_orders[i];
            record(order);
            order.status = QStringLiteral("rejected");
            order.statusMessage = rejection;
            m_byClient.erase(order.paperClientId);
            record(order);
            ids.append(order.orderId);
        }
        return ids;
    }
    for (std::size_t i = first; i < m_orders.size(); ++i)
        record(m_orders[i]);
    const auto ack = m_broker.placeOrder(paper);
    if (!ack) {
        // Nothing was placed: forget the records and their updates.
        for (std::size_t i = first; i < m_orders.size(); ++i)
            m_byClient.erase(m_orders[i].paperClientId);
        m_orders.resize(first);
        m_updates.clear();
        return ApiError{
            500, QStringLiteral("UDAPI100500"), ack.error().message, {}, QJsonValue::Null};
    }
    QStringList ids;
    for (std::size_t i = first; i < m_orders.size(); ++i) {
        if (i - first < ack->brokerOrderIds.size())
            m_orders[i].paperId = ack->brokerOrderIds[i - first];
        ids.append(m_orders[i].orderId);
    }
    return ids;
}

std::variant<QString, ApiError> SimOrders::modify(const QJsonObject &body)
{
    const QString orderId = body.value(QStringLiteral("order_id")).toString();
    if (orderId.isEmpty())
        return invalid(QStringLiteral("UDAPI1023"), QStringLiteral("Order id is required"),
                       QStringLiteral("order_id"));
    auto it = std::find_if(m_orders.begin(), m_orders.end(),
                           [&](const SimOrder &o) { return o.orderId == orderId; });
    if (it == m_orders.end())
        return invalid(QStringLiteral("UDAPI100010"), QStringLiteral("Order not found"),
                       QStringLiteral("order_id"), orderId);
    const auto paperOrder = m_broker.order(it->paperId);
    if (!paperOrder ||
        (paperOrder->upstoxStatus != "open" && paperOrder->upstoxStatus != "trigger pending"))
        return invalid(QStringLiteral("UDAPI1055"),
                       QStringLiteral("Order cannot be modified as it is %1").arg(it->status),
                       QStringLiteral("order_id"), orderId);
    QJsonObject full = body;
    full.insert(QStringLiteral("instrument_token"), QString::fromStdString(it->instrumentKey));
    full.insert(QStringLiteral("transaction_type"),
                QString::fromUtf8(sideName(it->request.side).data()));
    full.insert(QStringLiteral("product"),
                QString::fromUtf8(productName(it->request.product).data()));
    if (!full.contains(QStringLiteral("quantity")) ||
        full.value(QStringLiteral("quantity")).toDouble() == 0)
        full.insert(QStringLiteral("quantity"), static_cast<double>(it->request.quantity));
    for (const char *required : {"order_type", "validity"})
        if (!body.value(QLatin1String(required)).isString())
            return invalid(QStringLiteral("UDAPI100036"),
                           QStringLiteral("%1 is required").arg(QLatin1String(required)),
                           QLatin1String(required));
    OrderRequest request;
    std::int64_t disclosed = 0;
    if (auto error = validate(full, request, disclosed))
        return *error;

    const std::size_t index = static_cast<std::size_t>(it - m_orders.begin());
    m_suppressCancelOf = m_orders[index].paperId;
    const auto cancelled = m_broker.cancelOrder(m_orders[index].paperId);
    m_suppressCancelOf.clear();
    if (!cancelled)
        return invalid(QStringLiteral("UDAPI1055"), cancelled.error().message,
                       QStringLiteral("order_id"), orderId);
    SimOrder &order = m_orders[index];
    order.request = request;
    order.disclosedQuantity = disclosed;
    order.status = QStringLiteral("modified");
    record(order);
    order.status =
        needsTrigger(request.type) ? QStringLiteral("trigger pending") : QStringLiteral("open");
    PlaceOrderRequest paper;
    paper.order = request;
    paper.order.clientOrderId = "m" + std::to_string(++m_sequence);
    m_byClient.erase(order.paperClientId);
    order.paperClientId = paper.order.clientOrderId;
    m_byClient[order.paperClientId] = index;
    record(order);
    const auto ack = m_broker.placeOrder(paper);
    if (!ack || ack->brokerOrderIds.empty())
        return ApiError{500,
                        QStringLiteral("UDAPI100500"),
                        ack ? QStringLiteral("modify placed nothing") : ack.error().message,
                        {},
                        QJsonValue::Null};
    m_orders[index].paperId = ack->brokerOrderIds.front();
    return orderId;
}

std::optional<ApiError> SimOrders::cancel(const QString &orderId)
{
    if (orderId.isEmpty())
        return invalid(QStringLiteral("UDAPI1023"), QStringLiteral("Order id is required"),
                       QStringLiteral("order_id"));
    auto it = std::find_if(m_orders.begin(), m_orders.end(),
                           [&](const SimOrder &o) { return o.orderId == orderId; });
    if (it == m_orders.end())
        return invalid(QStringLiteral("UDAPI100010"), QStringLiteral("Order not found"),
                       QStringLiteral("order_id"), orderId);
    const auto result = m_broker.cancelOrder(it->paperId);
    if (!result)
        return invalid(QStringLiteral("UDAPI100040"),
                       QStringLiteral("Cancellation of %1 order is not allowed").arg(it->status),
                       QStringLiteral("order_id"), orderId);
    return std::nullopt;
}

void SimOrders::onPrices()
{
    m_broker.onPrices();
}

void SimOrders::onBrokerEvent(const BrokerEvent &event)
{
    if (event.kind == BrokerEventKind::Cancelled && event.brokerOrderId == m_suppressCancelOf)
        return;
    const auto found = m_byClient.find(event.clientOrderId);
    if (found == m_byClient.end())
        return;
    SimOrder &order = m_orders[found->second];
    order.exchangeMs = event.timeMs;
    switch (event.kind) {
    case BrokerEventKind::Fill: {
        const Price price = event.price;
        order.filledQuantity += event.quantity;
        order.filledValue += valueOf(price, event.quantity);
        order.status = order.filledQuantity >= order.request.quantity ? QStringLiteral("complete")
                                                                      : QStringLiteral("open");
        order.statusMessage.clear();
        m_trades.push_back({QStringLiteral("%1").arg(++m_tradeSequence, 8, 10, QLatin1Char('0')),
                            order.orderId, event.quantity, price, event.timeMs});
        auto pos = std::find_if(m_positions.begin(), m_positions.end(), [&](const Position &p) {
            return p.instrumentKey == order.instrumentKey && p.product == order.request.product;
        });
        if (pos == m_positions.end()) {
            m_positions.push_back({order.instrumentKey, order.request.product, 0, {}, 0, {}});
            pos = m_positions.end() - 1;
        }
        const Money value = valueOf(price, event.quantity * multiplier(order.instrumentKey));
        if (order.request.side == Side::Buy) {
            pos->buyQuantity += event.quantity;
            pos->buyValue += value;
        } else {
            pos->sellQuantity += event.quantity;
            pos->sellValue += value;
        }
        record(order);
        m_updates.push_back({true, positionJson(*pos)});
        return;
    }
    case BrokerEventKind::Rejected:
        order.status = QStringLiteral("rejected");
        order.statusMessage = QString::fromStdString(event.reason);
        break;
    case BrokerEventKind::Cancelled:
        order.status = QStringLiteral("cancelled");
        order.statusMessage = event.reason == "cancelled by the trader"
                                  ? QString()
                                  : QString::fromStdString(event.reason);
        break;
    }
    record(order);
}

void SimOrders::record(SimOrder &order)
{
    QJsonObject json = orderJson(order);
    order.history.push_back(json);
    json.insert(QStringLiteral("update_type"), QStringLiteral("order"));
    json.insert(QStringLiteral("user_id"), m_userId);
    json.insert(QStringLiteral("instrument_key"), QString::fromStdString(order.instrumentKey));
    m_updates.push_back({false, json});
}

QJsonObject SimOrders::orderJson(const SimOrder &o) const
{
    const OrderRequest &r = o.request;
    return {
        {QStringLiteral("exchange"), o.exchange},
        {QStringLiteral("product"), QString::fromUtf8(productName(r.product).data())},
        {QStringLiteral("price"), r.price.toDouble()},
        {QStringLiteral("quantity"), static_cast<double>(r.quantity)},
        {QStringLiteral("status"), o.status},
        {QStringLiteral("guid"), QJsonValue::Null},
        {QStringLiteral("tag"), o.tag.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(o.tag)},
        {QStringLiteral("instrument_token"), QString::fromStdString(o.instrumentKey)},
        {QStringLiteral("placed_by"), m_userId},
        {QStringLiteral("trading_symbol"), o.tradingSymbol},
        {QStringLiteral("tradingsymbol"), o.tradingSymbol},
        {QStringLiteral("order_type"), QString::fromUtf8(orderTypeName(r.type).data())},
        {QStringLiteral("validity"), QString::fromUtf8(validityName(r.validity).data())},
        {QStringLiteral("trigger_price"), r.trigger.toDouble()},
        {QStringLiteral("disclosed_quantity"), static_cast<double>(o.disclosedQuantity)},
        {QStringLiteral("transaction_type"), QString::fromUtf8(sideName(r.side).data())},
        {QStringLiteral("average_price"), rupees(averageOf(o.filledValue, o.filledQuantity))},
        {QStringLiteral("filled_quantity"), static_cast<double>(o.filledQuantity)},
        {QStringLiteral("pending_quantity"),
         o.status == QLatin1String("cancelled") || o.status == QLatin1String("rejected")
             ? 0.0
             : static_cast<double>(r.quantity - o.filledQuantity)},
        {QStringLiteral("status_message"),
         o.statusMessage.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(o.statusMessage)},
        {QStringLiteral("status_message_raw"),
         o.statusMessage.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(o.statusMessage)},
        {QStringLiteral("exchange_order_id"), o.exchangeOrderId},
        {QStringLiteral("parent_order_id"), QJsonValue::Null},
        {QStringLiteral("order_id"), o.orderId},
        {QStringLiteral("variety"), QStringLiteral("SIMPLE")},
        {QStringLiteral("order_timestamp"), istTimestamp(o.placedMs)},
        {QStringLiteral("exchange_timestamp"), istTimestamp(o.exchangeMs)},
        {QStringLiteral("is_amo"), o.amo},
        {QStringLiteral("order_request_id"), o.requestId},
        {QStringLiteral("order_ref_id"), QStringLiteral("SIM-%1").arg(o.requestId)},
    };
}

QJsonObject SimOrders::positionJson(const Position &p) const
{
    const SnapshotPtr snapshot = m_context.instruments.snapshot();
    const auto id = snapshot->findByKey(p.instrumentKey);
    const QString symbol = id ? QString::fromUtf8(snapshot->instrument(*id).tradingSymbol().data(),
                                                  snapshot->instrument(*id).tradingSymbol().size())
                              : QString();
    const std::int64_t mult = multiplier(p.instrumentKey);
    const Price last = lastPrice(p.instrumentKey);
    const auto quote = m_context.market.quote(p.instrumentKey);
    const double close = quote ? quote->previousClose.toDouble() : 0.0;
    const Price buyPrice = averageOf(p.buyValue, p.buyQuantity * mult);
    const Price sellPrice = averageOf(p.sellValue, p.sellQuantity * mult);
    const std::int64_t net = p.buyQuantity - p.sellQuantity;
    const std::int64_t closed = std::min(p.buyQuantity, p.sellQuantity);
    const Money realised = valueOf(sellPrice - buyPrice, closed * mult);
    const Money unrealised = net > 0   ? valueOf(last - buyPrice, net * mult)
                             : net < 0 ? valueOf(sellPrice - last, -net * mult)
                                       : Money();
    const Price average = net > 0 ? buyPrice : net < 0 ? sellPrice : Price();
    return {
        {QStringLiteral("update_type"), QStringLiteral("position")},
        {QStringLiteral("exchange"), exchangeOf(p.instrumentKey)},
        {QStringLiteral("multiplier"), static_cast<double>(mult)},
        {QStringLiteral("value"), rupees(p.sellValue - p.buyValue)},
        {QStringLiteral("pnl"), rupees(realised + unrealised)},
        {QStringLiteral("product"), QString::fromUtf8(productName(p.product).data())},
        {QStringLiteral("instrument_token"), QString::fromStdString(p.instrumentKey)},
        {QStringLiteral("instrument_key"), QString::fromStdString(p.instrumentKey)},
        {QStringLiteral("average_price"), rupees(average)},
        {QStringLiteral("buy_value"), rupees(p.buyValue)},
        {QStringLiteral("overnight_quantity"), 0},
        {QStringLiteral("day_buy_value"), rupees(p.buyValue)},
        {QStringLiteral("day_buy_price"), rupees(buyPrice)},
        {QStringLiteral("overnight_buy_amount"), 0},
        {QStringLiteral("overnight_buy_quantity"), 0},
        {QStringLiteral("day_buy_quantity"), static_cast<double>(p.buyQuantity)},
        {QStringLiteral("day_sell_value"), rupees(p.sellValue)},
        {QStringLiteral("day_sell_price"), rupees(sellPrice)},
        {QStringLiteral("overnight_sell_amount"), 0},
        {QStringLiteral("overnight_sell_quantity"), 0},
        {QStringLiteral("day_sell_quantity"), static_cast<double>(p.sellQuantity)},
        {QStringLiteral("quantity"), static_cast<double>(net)},
        {QStringLiteral("last_price"), last.toDouble()},
        {QStringLiteral("unrealised"), rupees(unrealised)},
        {QStringLiteral("realised"), rupees(realised)},
        {QStringLiteral("sell_value"), rupees(p.sellValue)},
        {QStringLiteral("trading_symbol"), symbol},
        {QStringLiteral("tradingsymbol"), symbol},
        {QStringLiteral("close_price"), close},
        {QStringLiteral("buy_price"), rupees(buyPrice)},
        {QStringLiteral("sell_price"), rupees(sellPrice)},
    };
}

QJsonArray SimOrders::orderBook() const
{
    QJsonArray book;
    for (const SimOrder &o : m_orders)
        book.append(orderJson(o));
    return book;
}

std::optional<QJsonObject> SimOrders::orderDetails(const QString &orderId) const
{
    for (const SimOrder &o : m_orders)
        if (o.orderId == orderId)
            return orderJson(o);
    return std::nullopt;
}

QJsonArray SimOrders::history(const QString &orderId, const QString &tag) const
{
    QJsonArray out;
    for (const SimOrder &o : m_orders) {
        if ((!orderId.isEmpty() && o.orderId != orderId) || (!tag.isEmpty() && o.tag != tag))
            continue;
        for (const QJsonObject &state : o.history)
            out.append(state);
    }
    return out;
}

QJsonArray SimOrders::tradesForDay() const
{
    QJsonArray out;
    for (const Trade &t : m_trades) {
        const auto order = std::find_if(m_orders.begin(), m_orders.end(),
                                        [&](const SimOrder &o) { return o.orderId == t.orderId; });
        const OrderRequest &r = order->request;
        out.append(QJsonObject{
            {QStringLiteral("exchange"), order->exchange},
            {QStringLiteral("product"), QString::fromUtf8(productName(r.product).data())},
            {QStringLiteral("trading_symbol"), order->tradingSymbol},
            {QStringLiteral("tradingsymbol"), order->tradingSymbol},
            {QStringLiteral("instrument_token"), QString::fromStdString(order->instrumentKey)},
            {QStringLiteral("order_type"), QString::fromUtf8(orderTypeName(r.type).data())},
            {QStringLiteral("transaction_type"), QString::fromUtf8(sideName(r.side).data())},
            {QStringLiteral("quantity"), static_cast<double>(t.quantity)},
            {QStringLiteral("exchange_order_id"), order->exchangeOrderId},
            {QStringLiteral("order_id"), t.orderId},
            {QStringLiteral("exchange_timestamp"), istTimestamp(t.timeMs)},
            {QStringLiteral("average_price"), t.price.toDouble()},
            {QStringLiteral("trade_id"), t.tradeId},
            {QStringLiteral("order_ref_id"), QStringLiteral("SIM-%1").arg(order->requestId)},
            {QStringLiteral("order_timestamp"), istTimestamp(order->placedMs)},
        });
    }
    return out;
}

QJsonArray SimOrders::positions() const
{
    QJsonArray out;
    for (const Position &p : m_positions) {
        QJsonObject json = positionJson(p);
        json.remove(QStringLiteral("update_type"));
        json.remove(QStringLiteral("instrument_key"));
        out.append(json);
    }
    return out;
}

std::optional<MarginFigures> SimOrders::marginFor(const std::string &instrumentKey,
                                                  std::int64_t quantity, Side side, Product product,
                                                  Price price) const
{
    const SnapshotPtr snapshot = m_context.instruments.snapshot();
    const auto id = snapshot->findByKey(instrumentKey);
    if (!id)
        return std::nullopt;
    const InstrumentView v = snapshot->instrument(*id);
    const Price at = price.isPositive() ? price : lastPrice(instrumentKey);
    const std::int64_t units =
        quantity * (v.quantityUnit() == QuantityUnit::Lots ? std::max(1, v.lotSize()) : 1) *
        std::max(1, v.qtyMultiplier());
    const auto rate = [](Money amount, std::int64_t bp) {
        return amount.basisPoints(bp).value_or(Money());
    };
    MarginFigures m;
    if (v.kind() == InstrumentKind::Future || (isOption(v.kind()) && side == Side::Sell)) {
        Money notional = valueOf(at, units);
        if (isOption(v.kind())) {
            const auto level = m_context.market.underlyingPrice(v.underlyingSymbol());
            notional = valueOf(level ? *level : v.strike(), units);
        }
        m.span = rate(notional, 1200);    // 12 %
        m.exposure = rate(notional, 300); //  3 %
    } else if (isOption(v.kind())) {
        m.netBuyPremium = valueOf(at, units);
    } else {
        m.equity = rate(valueOf(at, units), product == Product::Intraday ? 2000 : 10000);
    }
    return m;
}

SimOrders::Funds SimOrders::funds() const
{
    Funds f;
    for (const Position &p : m_positions) {
        const std::int64_t mult = multiplier(p.instrumentKey);
        const Price buyPrice = averageOf(p.buyValue, p.buyQuantity * mult);
        const Price sellPrice = averageOf(p.sellValue, p.sellQuantity * mult);
        f.realised += valueOf(sellPrice - buyPrice, std::min(p.buyQuantity, p.sellQuantity) * mult);
        const std::int64_t net = p.buyQuantity - p.sellQuantity;
        if (net == 0)
            continue;
        const auto m = marginFor(p.instrumentKey, std::abs(net), net > 0 ? Side::Buy : Side::Sell,
                                 p.product, net > 0 ? buyPrice : sellPrice);
        if (!m)
            continue;
        f.used += m->total();
        f.span += m->span;
        f.exposure += m->exposure;
    }
    return f;
}

QJsonObject SimOrders::equityFunds() const
{
    const Funds f = funds();
    return {
        {QStringLiteral("used_margin"), rupees(f.used)},
        {QStringLiteral("payin_amount"), 0},
        {QStringLiteral("span_margin"), rupees(f.span)},
        {QStringLiteral("adhoc_margin"), 0},
        {QStringLiteral("notional_cash"), 0},
        {QStringLiteral("available_margin"), rupees(f.available())},
        {QStringLiteral("exposure_margin"), rupees(f.exposure)},
    };
}

std::vector<SimOrders::Update> SimOrders::takeUpdates()
{
    std::vector<Update> out;
    out.swap(m_updates);
    return out;
}

} // namespace strikeline::sim
