#pragma once

// Live orders through Upstox behind the asynchronous BrokerGateway (orders/BrokerGateway.h):
// place / modify / cancel on the v3 order API (the order host), findByTag over the order
// history, fetchBook over the order book and the day's trades, and the portfolio stream
// (UpstoxPortfolioStream.h) for order updates and the stream's state.
//
// The object lives on a thread that runs an event loop (UpstoxClient answers on it); every
// BrokerGateway call may come from any thread: it takes an id from an atomic counter, queues the
// work onto the gateway's thread and returns the id at once. Events go to the sink from the
// gateway's thread, one batch per thing learnt, and never after setEventSink({}) has returned.
//
// Never a retry of a place: an answer lost (no answer, a dropped connection, a 5xx) is
// Ambiguous and the order service resolves it with findByTag(). What each Upstox error means
// is UpstoxOrderMapping.h's; docs/upstox.md, "Orders through Upstox", has the table.
//
// Slices: Upstox tags every child of a sliced order with the parent's tag. The place answer's
// order_ids are in slice order, so each child's broker id is mapped to its own client id
// (PlaceOrderRequest::childClientOrderIds) and every later update, snapshot and trade of it
// carries that id. Updates that come before the place answer carry the parent's tag.

#include "broker/upstox/UpstoxOrderMapping.h"
#include "broker/upstox/UpstoxPortfolioStream.h"
#include "orders/BrokerGateway.h"

#include <QObject>

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace strikeline::upstox {

class UpstoxClient;

class UpstoxOrderGateway final
    : public QObject
    , public BrokerGateway
{
    Q_OBJECT
public:
    struct Options
    {
        // market_protection sent with MARKET and SL-M orders (UpstoxOrderMapping.h).
        int marketProtection = AutomaticMarketProtection;
        UpstoxPortfolioStream::Options stream;
        // Position updates from the portfolio stream, on the gateway's thread (may be null).
        std::function<void(UpstoxPosition)> onPosition;
    };

    // `client` outlives the gateway.
    UpstoxOrderGateway(UpstoxClient &client, Options options, QObject *parent = nullptr);
    ~UpstoxOrderGateway() override;

    Venue venue() const override { return Venue::Upstox; }
    GatewayRequestId place(const PlaceOrderRequest &request) override;
    GatewayRequestId modify(const ModifyOrderRequest &request) override;
    GatewayRequestId cancel(const std::string &brokerOrderId) override;
    GatewayRequestId findByTag(const std::string &tag) override;
    GatewayRequestId fetchBook() override;
    void setEventSink(EventSink sink) override;

    // The portfolio stream; any thread. GatewayStatus events tell how it goes.
    void startStream();
    void stopStream();
    void sessionRestored();
    UpstoxPortfolioStream &stream() { return *m_stream; }

private:
    void doPlace(GatewayRequestId id, const PlaceOrderRequest &request);
    void doModify(GatewayRequestId id, const ModifyOrderRequest &request);
    void doCancel(GatewayRequestId id, const std::string &brokerOrderId);
    void doFindByTag(GatewayRequestId id, const std::string &tag);
    void doFetchBook(GatewayRequestId id);
    void onPlaced(GatewayRequestId id, const PlaceOrderRequest &request,
                  UpstoxResult<QJsonValue> answer);
    void onOrderChanged(GatewayRequestId id, OrderCall call, UpstoxResult<QJsonValue> answer);
    void onUpdate(BrokerOrderUpdate update);
    // The child's own client id for a sliced order's broker id, when known.
    void attachChildId(BrokerOrderUpdate &update) const;
    void deliver(std::vector<GatewayEvent> events);

    UpstoxClient &m_client;
    Options m_options;
    UpstoxPortfolioStream *m_stream = nullptr; // a child: it moves with the gateway

    std::atomic<GatewayRequestId> m_nextRequest{1};
    std::recursive_mutex m_sinkMutex; // held while the sink runs: a reset waits for it
    EventSink m_sink;

    // On the gateway's thread only.
    std::map<std::string, std::string> m_childIds;                   // broker id -> child id
    std::map<std::string, std::vector<std::string>> m_sliceChildren; // tag -> child ids
};

} // namespace strikeline::upstox
