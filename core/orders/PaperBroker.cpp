#include "PaperBroker.h"

#include "common/IstTime.h"
#include "orders/OrderValidator.h"

#include <QRandomGenerator>

#include <chrono>

namespace strikeline {

namespace {

// The segment an instrument key names ("MCX_FO|..."); nullopt when it names none we know.
std::optional<Segment> segmentOf(const std::string &instrumentKey)
{
    return parseSegment(std::string_view(instrumentKey).substr(0, instrumentKey.find('|')));
}

QString text(const std::string &s)
{
    return QString::fromStdString(s);
}

// The first order id of a broker: 19 digits, the wall clock's milliseconds (never the injected
// clock: `--at` pins that one, and two runs "at" the same minute must not share ids) followed by
// a random six-digit offset, so two brokers started in the same millisecond (two processes, or
// two in one) draw apart too. Ids then count up from there.
std::uint64_t firstOrderId()
{
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    return static_cast<std::uint64_t>(std::max<std::int64_t>(ms, 0)) * 1'000'000 +
           QRandomGenerator::system()->bounded(1'000'000U);
}

} // namespace

PaperBroker::PaperBroker(const MarketData &market, const Clock &clock)
    : m_market(market)
    , m_clock(clock)
    // A broker order id is not reused by a later run (a restarted terminal, the next
    // `strikeline-cli order`, whatever its --at says): see firstOrderId.
    , m_nextId(firstOrderId())
{}

void PaperBroker::setEventHandler(EventHandler handler)
{
    std::lock_guard lock(m_mutex);
    m_handler = std::move(handler);
}

Result<PlaceOrderAck> PaperBroker::placeOrder(const PlaceOrderRequest &request)
{
    const OrderRequest &o = request.order;
    if (o.clientOrderId.empty())
        return Error::make(ErrorCode::InvalidArgument,
                           QStringLiteral("the paper broker needs a client order id (tag)"));
    if (o.quantity <= 0)
        return Error::make(ErrorCode::InvalidArgument,
                           QStringLiteral("quantity must be positive (got %1)").arg(o.quantity));
    if (request.slice && (request.sliceQuantities.empty() ||
                          request.sliceQuantities.size() != request.childClientOrderIds.size()))
        return Error::make(ErrorCode::InvalidArgument,
                           QStringLiteral("a sliced order needs one client id per slice"));
    std::vector<BrokerEvent> events;
    PlaceOrderAck ack;
    {
        std::lock_guard lock(m_mutex);
        if (auto it = m_byClientId.find(o.clientOrderId); it != m_byClientId.end()) {
            PlaceOrderAck duplicate = it->second;
            duplicate.duplicate = true;
            return duplicate;
        }
        ++m_placeRequests;
        const IstMoment now = m_clock.now();
        if (const auto segment = segmentOf(o.instrumentKey);
            segment && !isMarketOpen(*segment, now) && o.validity != Validity::Ioc)
            ack.note = afterMarketNote(*segment, now).toStdString();
        const std::size_t children = request.slice ? request.sliceQuantities.size() : 1;
        std::vector<std::string> ids;
        for (std::size_t i = 0; i < children; ++i) {
            PaperOrder child;
            child.brokerOrderId = std::to_string(m_nextId++);
            child.request = o;
            if (request.slice) {
                child.clientOrderId = request.childClientOrderIds[i];
                child.parentClientOrderId = o.clientOrderId;
                child.request.quantity = request.sliceQuantities[i];
                child.request.clientOrderId = child.clientOrderId;
            } else {
                child.clientOrderId = o.clientOrderId;
            }
            child.upstoxStatus = needsTrigger(o.type) ? "trigger pending" : "open";
            ack.brokerOrderIds.push_back(child.brokerOrderId);
            ids.push_back(child.brokerOrderId);
            m_orders.emplace(child.brokerOrderId, std::move(child));
        }
        m_byClientId.emplace(o.clientOrderId, ack);
        for (const std::string &id : ids)
            check(m_orders.at(id), true, events);
    }
    emit(events);
    return ack;
}

bool PaperBroker::restore(PaperOrder order)
{
    std::lock_guard lock(m_mutex);
    if (order.brokerOrderId.empty() || m_orders.count(order.brokerOrderId) > 0)
        return false;
    PlaceOrderAck ack;
    ack.brokerOrderIds.push_back(order.brokerOrderId);
    m_byClientId.emplace(order.clientOrderId, ack);
    const std::string id = order.brokerOrderId;
    m_orders.emplace(id, std::move(order));
    return true;
}

Result<PaperBroker::PaperOrder *> PaperBroker::workingOrderLocked(const std::string &brokerOrderId,
                                                                  const char *action)
{
    auto it = m_orders.find(brokerOrderId);
    if (it == m_orders.end())
        return Error::make(ErrorCode::NotFound,
                           QStringLiteral("no paper order %1").arg(text(brokerOrderId)));
    PaperOrder &order = it->second;
    if (order.upstoxStatus != "open" && order.upstoxStatus != "trigger pending")
        return Error::make(
            ErrorCode::Conflict,
            QStringLiteral("order %1 is %2 and cannot be %3")
                .arg(text(brokerOrderId), text(order.upstoxStatus), QLatin1String(action)));
    return &order;
}

Result<void> PaperBroker::cancelOrder(const std::string &brokerOrderId)
{
    std::vector<BrokerEvent> events;
    {
        std::lock_guard lock(m_mutex);
        auto working = workingOrderLocked(brokerOrderId, "cancelled");
        if (!working)
            return working.error();
        PaperOrder &order = **working;
        order.upstoxStatus = "cancelled";
        events.push_back({BrokerEventKind::Cancelled, order.clientOrderId, order.brokerOrderId, 0,
                          Price(), "cancelled by the trader", order.upstoxStatus,
                          m_clock.now().epochMs});
    }
    emit(events);
    return success();
}

Result<void> PaperBroker::modifyOrder(const std::string &brokerOrderId, OrderType type,
                                      std::int64_t quantity, Price price, Price trigger)
{
    std::vector<BrokerEvent> events;
    {
        std::lock_guard lock(m_mutex);
        auto working = workingOrderLocked(brokerOrderId, "modified");
        if (!working)
            return working.error();
        PaperOrder &order = **working;
        if (quantity <= order.filledQuantity)
            return Error::make(ErrorCode::InvalidArgument,
                               QStringLiteral("quantity %1 is not above the %2 filled")
                                   .arg(quantity)
                                   .arg(order.filledQuantity));
        order.request.type = type;
        order.request.quantity = quantity;
        order.request.price = price;
        order.request.trigger = trigger;
        if (!needsTrigger(type)) {
            order.triggered = false;
            order.upstoxStatus = "open";
        } else if (!order.triggered) {
            order.upstoxStatus = "trigger pending";
        }
        check(order, false, events);
    }
    emit(events);
    return success();
}

std::vector<PaperBroker::PaperOrder> PaperBroker::orders() const
{
    std::lock_guard lock(m_mutex);
    std::vector<PaperOrder> out;
    out.reserve(m_orders.size());
    for (const auto &[id, order] : m_orders)
        out.push_back(order);
    return out;
}

void PaperBroker::onPrices()
{
    std::vector<BrokerEvent> events;
    {
        std::lock_guard lock(m_mutex);
        for (auto &[id, order] : m_orders)
            if (order.upstoxStatus == "open" || order.upstoxStatus == "trigger pending")
                check(order, false, events);
    }
    emit(events);
}

void PaperBroker::check(PaperOrder &order, bool atPlacement, std::vector<BrokerEvent> &events)
{
    const OrderRequest &r = order.request;
    const std::optional<Quote> quote = m_market.quote(r.instrumentKey);
    const bool buy = r.side == Side::Buy;
    if (const auto segment = segmentOf(r.instrumentKey);
        segment && !isMarketOpen(*segment, m_clock.now())) {
        if (atPlacement && r.validity == Validity::Ioc) {
            order.upstoxStatus = "cancelled";
            events.push_back({BrokerEventKind::Cancelled, order.clientOrderId, order.brokerOrderId,
                              0, Price(), "IOC order outside market hours: cancelled",
                              order.upstoxStatus, m_clock.now().epochMs});
            return;
        }
        order.afterMarket = true;
        return; // an after-market order: onPrices() looks again once the segment is open
    }
    const auto reject = [&](std::string reason) {
        order.upstoxStatus = "rejected";
        events.push_back({BrokerEventKind::Rejected, order.clientOrderId, order.brokerOrderId, 0,
                          Price(), std::move(reason), order.upstoxStatus, m_clock.now().epochMs});
    };
    if (needsTrigger(r.type) && !order.triggered) {
        if (quote && (buy ? quote->last >= r.trigger : quote->last <= r.trigger)) {
            order.triggered = true;
            order.upstoxStatus = "open";
        } else {
            return;
        }
    }
    // The price this order would trade at now: the best offer for a buy and the best bid for a
    // sell when the source has depth (a live feed), else the last price (the simulated market).
    std::optional<Price> touch;
    if (quote) {
        const std::optional<Price> &side = buy ? quote->ask : quote->bid;
        touch = side && side->isPositive() ? *side : quote->last;
    }
    if (r.type == OrderType::Market || r.type == OrderType::StopMarket) {
        if (!touch) {
            reject("no last price for " + r.instrumentKey + ": a MARKET order cannot be filled");
            return;
        }
        fill(order, *touch, events);
        return;
    }
    const bool crosses = touch && (buy ? *touch <= r.price : *touch >= r.price);
    if (crosses) {
        fill(order, *touch, events);
    } else if (atPlacement && r.validity == Validity::Ioc) {
        order.upstoxStatus = "cancelled";
        events.push_back({BrokerEventKind::Cancelled, order.clientOrderId, order.brokerOrderId, 0,
                          Price(), "IOC order not marketable: cancelled by the exchange",
                          order.upstoxStatus, m_clock.now().epochMs});
    }
}

void PaperBroker::fill(PaperOrder &order, Price price, std::vector<BrokerEvent> &events)
{
    const std::int64_t quantity = order.request.quantity - order.filledQuantity;
    order.filledQuantity += quantity;
    order.upstoxStatus = "complete";
    events.push_back(
        {BrokerEventKind::Fill, order.clientOrderId, order.brokerOrderId, quantity, price,
         order.afterMarket ? "after-market order: filled after the open" : std::string(),
         order.upstoxStatus, m_clock.now().epochMs});
}

void PaperBroker::emit(const std::vector<BrokerEvent> &events)
{
    EventHandler handler;
    {
        std::lock_guard lock(m_mutex);
        handler = m_handler;
    }
    if (!handler)
        return;
    for (const BrokerEvent &e : events)
        handler(e);
}

std::optional<PaperBroker::PaperOrder> PaperBroker::order(const std::string &brokerOrderId) const
{
    std::lock_guard lock(m_mutex);
    const auto it = m_orders.find(brokerOrderId);
    if (it == m_orders.end())
        return std::nullopt;
    return it->second;
}

std::size_t PaperBroker::orderCount() const
{
    std::lock_guard lock(m_mutex);
    return m_orders.size();
}

std::size_t PaperBroker::placeRequestCount() const
{
    std::lock_guard lock(m_mutex);
    return m_placeRequests;
}

} // namespace strikeline
