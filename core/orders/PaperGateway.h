#pragma once

// Paper trading behind the same asynchronous interface as Upstox: the paper broker's matching
// (orders/PaperBroker.h) answers every request with a GatewayReply and reports what it does as
// Upstox would, an order update with cumulative figures and one trade per fill. Always labelled
// paper (Venue::Paper); it never talks to a network.

#include "orders/BrokerGateway.h"
#include "orders/PaperBroker.h"

#include <atomic>
#include <mutex>

namespace strikeline {

struct OrderState;

class PaperGateway final : public BrokerGateway
{
public:
    PaperGateway(const MarketData &market, const Clock &clock);
    ~PaperGateway() override;

    Venue venue() const override { return Venue::Paper; }
    GatewayRequestId place(const PlaceOrderRequest &request) override;
    GatewayRequestId modify(const ModifyOrderRequest &request) override;
    GatewayRequestId cancel(const std::string &brokerOrderId) override;
    GatewayRequestId findByTag(const std::string &tag) override;
    GatewayRequestId fetchBook() override;
    void setEventSink(EventSink sink) override;

    // Re-checks the open orders against the market (fills crossed limits, triggers stops).
    void onPrices() { m_broker.onPrices(); }
    PaperBroker &broker() { return m_broker; }
    // Gives the paper broker the working paper orders of the book an order service rebuilt
    // from the journal (OrderService::orders()): a restart, or the next CLI run, can modify,
    // cancel and fill them. Returns how many were taken.
    std::size_t restore(const std::vector<OrderState> &orders);

private:
    void onBrokerEvent(const BrokerEvent &event);
    BrokerOrderUpdate updateFor(const PaperBroker::PaperOrder &order) const;
    void deliver(std::vector<GatewayEvent> events);

    PaperBroker m_broker;
    const Clock &m_clock;
    std::atomic<GatewayRequestId> m_nextRequest{1};
    std::mutex m_mutex; // the sink, the trades
    EventSink m_sink;
    std::uint64_t m_nextTrade = 1;
    std::vector<BrokerTrade> m_trades;
    std::map<std::string, Price> m_averages; // by broker order id: paper fills all at once
};

} // namespace strikeline
