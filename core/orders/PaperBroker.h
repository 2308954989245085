#pragma once

// A broker in process, for paper trading and for tests: acknowledges at once, fills MARKET at
// the touch (the best ask for a buy, the best bid for a sell, when the market data has depth as
// a live feed does; else the last price) and LIMIT when the touch is at or better than the limit,
// at the touch (at placement and whenever onPrices() is called: deterministic), and triggers
// SL/SL-M when the last price crosses the trigger (as the exchange does). Outside the segment's
// session (the validator's market hours) an order is an after-market order: acknowledged with a
// note, it waits for the open. Positions are not kept here: the order service folds them from the
// journaled fills. Prices are labelled by the MarketData they come from (MarketPrices: live or
// simulated).

#include "common/Result.h"
#include "marketdata/MarketData.h"
#include "orders/BrokerGateway.h"

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace strikeline {

// The paper broker's own synchronous interface (its matching engine, shared with the
// simulator's SimOrders); orders/PaperGateway.h puts it behind the asynchronous BrokerGateway.
struct PlaceOrderAck
{
    // One per child, in slice order (one element for an order that is not sliced).
    std::vector<std::string> brokerOrderIds;
    bool duplicate = false; // the client order id was placed before: these are its ids
    // What the trader should know about the accepted order, for the book's message column:
    // "after-market order: waits for the NSE_FO open at 09:15 IST". Empty when nothing.
    std::string note;
};

enum class BrokerEventKind : std::uint8_t { Fill, Rejected, Cancelled };

// An asynchronous update about one (child) order, after its acknowledgement.
struct BrokerEvent
{
    BrokerEventKind kind = BrokerEventKind::Fill;
    std::string clientOrderId; // the child's id for a slice
    std::string brokerOrderId;
    std::int64_t quantity = 0; // Fill: this trade
    Price price;               // Fill: this trade's price
    std::string reason;        // Rejected / Cancelled; a note on a Fill (after-market)
    std::string upstoxStatus;  // the broker's own status string after the update
    std::int64_t timeMs = 0;
};

class SyncGateway
{
public:
    using EventHandler = std::function<void(const BrokerEvent &)>;
    virtual ~SyncGateway() = default;
    virtual Result<PlaceOrderAck> placeOrder(const PlaceOrderRequest &request) = 0;
    virtual Result<void> cancelOrder(const std::string &brokerOrderId) = 0;
    virtual void setEventHandler(EventHandler handler) = 0;
};

class Clock;

class PaperBroker final : public SyncGateway
{
public:
    PaperBroker(const MarketData &market, const Clock &clock);

    Result<PlaceOrderAck> placeOrder(const PlaceOrderRequest &request) override;
    Result<void> cancelOrder(const std::string &brokerOrderId) override;
    // Changes a working order's terms (type, quantity, price, trigger) and checks it against the
    // market again, as the exchange does: a modified limit that now crosses fills at once.
    Result<void> modifyOrder(const std::string &brokerOrderId, OrderType type,
                             std::int64_t quantity, Price price, Price trigger);
    void setEventHandler(EventHandler handler) override;

    // Re-checks every open order against the current prices (fills crossed limits, triggers
    // stops). Call it when prices change.
    void onPrices();

    struct PaperOrder
    {
        std::string brokerOrderId;
        std::string clientOrderId;
        std::string parentClientOrderId; // the request's id for a slice
        OrderRequest request;            // quantity is this child's
        bool triggered = false;
        bool afterMarket = false; // placed while the segment was closed
        std::int64_t filledQuantity = 0;
        std::string upstoxStatus; // "open", "trigger pending", "complete", "rejected", "cancelled"
    };
    // A working order of an earlier run (from the journal: the paper broker itself keeps
    // nothing), so that it can be modified, cancelled and filled again. Nothing is reported;
    // false when the broker id is known already.
    bool restore(PaperOrder order);
    std::optional<PaperOrder> order(const std::string &brokerOrderId) const;
    std::vector<PaperOrder> orders() const; // every order, by broker id
    std::size_t orderCount() const;
    std::size_t placeRequestCount() const; // requests that created orders (not duplicates)

private:
    // The open (or trigger-pending) order with this id, or why there is none.
    Result<PaperOrder *> workingOrderLocked(const std::string &brokerOrderId, const char *action);
    // Returns the events of this check; the caller emits them outside the lock.
    void check(PaperOrder &order, bool atPlacement, std::vector<BrokerEvent> &events);
    void fill(PaperOrder &order, Price price, std::vector<BrokerEvent> &events);
    void emit(const std::vector<BrokerEvent> &events);

    const MarketData &m_market;
    const Clock &m_clock;
    mutable std::mutex m_mutex;
    EventHandler m_handler;
    std::uint64_t m_nextId = 1; // from the wall clock and a random offset: unique across runs
    std::size_t m_placeRequests = 0;
    std::map<std::string, PaperOrder> m_orders; // by broker order id (ordered: deterministic)
    std::unordered_map<std::string, PlaceOrderAck> m_byClientId; // the request's client id
};

} // namespace strikeline
