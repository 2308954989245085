#include "PaperGateway.h"

#include "common/IstTime.h"
#include "orders/OrderService.h"

namespace strikeline {

namespace {

BrokerOrderState stateOf(const std::string &status)
{
    if (status == "open")
        return BrokerOrderState::Open;
    if (status == "trigger pending")
        return BrokerOrderState::TriggerPending;
    if (status == "complete")
        return BrokerOrderState::Complete;
    if (status == "rejected")
        return BrokerOrderState::Rejected;
    if (status == "cancelled")
        return BrokerOrderState::Cancelled;
    return BrokerOrderState::Unknown;
}

GatewayReply refusal(GatewayRequestId id, const Error &error, RefusalKind kind)
{
    GatewayReply reply;
    reply.request = id;
    reply.outcome = ReplyOutcome::Refused;
    reply.refusal = kind;
    reply.message = error.message.toStdString();
    return reply;
}

} // namespace

PaperGateway::PaperGateway(const MarketData &market, const Clock &clock)
    : m_broker(market, clock)
    , m_clock(clock)
{
    m_broker.setEventHandler([this](const BrokerEvent &e) { onBrokerEvent(e); });
}

PaperGateway::~PaperGateway()
{
    m_broker.setEventHandler({});
}

void PaperGateway::setEventSink(EventSink sink)
{
    std::lock_guard lock(m_mutex);
    m_sink = std::move(sink);
}

void PaperGateway::deliver(std::vector<GatewayEvent> events)
{
    EventSink sink;
    {
        std::lock_guard lock(m_mutex);
        sink = m_sink;
    }
    if (sink && !events.empty())
        sink(std::move(events));
}

std::size_t PaperGateway::restore(const std::vector<OrderState> &orders)
{
    std::size_t taken = 0;
    for (const OrderState &o : orders) {
        // A sliced parent works through its children, which are orders of their own here.
        if (o.venue != Venue::Paper || !o.children.empty() || o.brokerOrderIds.empty() ||
            !isWorking(o.status))
            continue;
        PaperBroker::PaperOrder order;
        order.brokerOrderId = o.brokerOrderIds.front();
        order.clientOrderId = o.clientOrderId;
        order.parentClientOrderId = o.parentClientOrderId;
        order.request = o.request;
        order.triggered = o.triggered || o.status == OrderStatus::Triggered;
        order.filledQuantity = o.filledQuantity;
        order.upstoxStatus =
            needsTrigger(o.request.type) && !order.triggered ? "trigger pending" : "open";
        if (m_broker.restore(std::move(order)))
            ++taken;
    }
    return taken;
}

BrokerOrderUpdate PaperGateway::updateFor(const PaperBroker::PaperOrder &o) const
{
    BrokerOrderUpdate u;
    u.brokerOrderId = o.brokerOrderId;
    u.clientOrderId = o.clientOrderId;
    u.brokerStatus = o.upstoxStatus;
    u.state = stateOf(o.upstoxStatus);
    u.instrumentKey = o.request.instrumentKey;
    u.side = o.request.side;
    u.type = o.request.type;
    u.product = o.request.product;
    u.validity = o.request.validity;
    u.quantity = o.request.quantity;
    u.filledQuantity = o.filledQuantity;
    u.price = o.request.price;
    u.trigger = o.request.trigger;
    u.timeMs = m_clock.now().epochMs;
    return u;
}

void PaperGateway::onBrokerEvent(const BrokerEvent &e)
{
    const std::optional<PaperBroker::PaperOrder> order = m_broker.order(e.brokerOrderId);
    if (!order)
        return;
    BrokerOrderUpdate update = updateFor(*order);
    std::vector<GatewayEvent> events;
    {
        std::lock_guard lock(m_mutex);
        if (e.kind == BrokerEventKind::Fill) {
            // The paper broker fills an order's whole remainder at once: one trade, at one price.
            m_averages[e.brokerOrderId] = e.price;
            BrokerTrade trade;
            trade.tradeId = "PT" + std::to_string(m_nextTrade++);
            trade.brokerOrderId = e.brokerOrderId;
            trade.clientOrderId = e.clientOrderId;
            trade.quantity = e.quantity;
            trade.price = e.price;
            trade.timeMs = e.timeMs;
            m_trades.push_back(trade);
            events.emplace_back(trade);
        }
        update.message = e.reason; // a fill's note too: "filled after the open"
        if (const auto it = m_averages.find(e.brokerOrderId); it != m_averages.end())
            update.averagePrice = it->second;
    }
    events.emplace(events.begin(), update); // the order's update, then its trade
    deliver(std::move(events));
}

GatewayRequestId PaperGateway::place(const PlaceOrderRequest &request)
{
    const GatewayRequestId id = m_nextRequest++;
    GatewayReply reply;
    reply.request = id;
    Result<PlaceOrderAck> ack = m_broker.placeOrder(request);
    if (!ack) {
        reply = refusal(id, ack.error(), RefusalKind::Rejected);
    } else {
        reply.brokerOrderIds = ack->brokerOrderIds;
        reply.note = ack->note;
    }
    deliver({reply});
    return id;
}

GatewayRequestId PaperGateway::modify(const ModifyOrderRequest &request)
{
    const GatewayRequestId id = m_nextRequest++;
    Result<void> done = m_broker.modifyOrder(request.brokerOrderId, request.type, request.quantity,
                                             request.price, request.trigger);
    std::vector<GatewayEvent> events;
    if (!done) {
        events.emplace_back(refusal(id, done.error(),
                                    done.error().code == ErrorCode::InvalidArgument
                                        ? RefusalKind::Rejected
                                        : RefusalKind::NotModifiable));
    } else {
        if (const auto order = m_broker.order(request.brokerOrderId);
            order && order->upstoxStatus != "complete") {
            BrokerOrderUpdate update = updateFor(*order);
            update.state = BrokerOrderState::Modified;
            events.emplace_back(update);
        }
        GatewayReply reply;
        reply.request = id;
        events.emplace_back(reply);
    }
    deliver(std::move(events));
    return id;
}

GatewayRequestId PaperGateway::cancel(const std::string &brokerOrderId)
{
    const GatewayRequestId id = m_nextRequest++;
    Result<void> done = m_broker.cancelOrder(brokerOrderId);
    GatewayReply reply;
    reply.request = id;
    if (!done)
        reply = refusal(id, done.error(), RefusalKind::NotModifiable);
    deliver({reply});
    return id;
}

GatewayRequestId PaperGateway::findByTag(const std::string &tag)
{
    const GatewayRequestId id = m_nextRequest++;
    GatewaySnapshot snapshot;
    snapshot.request = id;
    snapshot.ok = true;
    for (const PaperBroker::PaperOrder &o : m_broker.orders())
        if (o.clientOrderId == tag || o.parentClientOrderId == tag) {
            snapshot.orders.push_back(updateFor(o));
            std::lock_guard lock(m_mutex);
            if (const auto it = m_averages.find(o.brokerOrderId); it != m_averages.end())
                snapshot.orders.back().averagePrice = it->second;
        }
    deliver({snapshot});
    return id;
}

GatewayRequestId PaperGateway::fetchBook()
{
    const GatewayRequestId id = m_nextRequest++;
    GatewaySnapshot snapshot;
    snapshot.request = id;
    snapshot.ok = true;
    snapshot.wholeBook = true;
    for (const PaperBroker::PaperOrder &o : m_broker.orders())
        snapshot.orders.push_back(updateFor(o));
    {
        std::lock_guard lock(m_mutex);
        for (BrokerOrderUpdate &u : snapshot.orders)
            if (const auto it = m_averages.find(u.brokerOrderId); it != m_averages.end())
                u.averagePrice = it->second;
        snapshot.trades = m_trades;
    }
    deliver({snapshot});
    return id;
}

} // namespace strikeline
