#pragma once

// Where orders go: the paper broker today, Upstox's v3 order API later. Shaped after Upstox:
// one place request carries a `tag` (our client order id) and a `slice` flag and returns one
// broker order id per child; order updates arrive asynchronously (Upstox's portfolio stream)
// and carry the broker order id and the tag.

#include "common/Price.h"
#include "common/Result.h"
#include "orders/Order.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace strikeline {

struct PlaceOrderRequest
{
    OrderRequest order; // clientOrderId is required: it is Upstox's `tag`
    // Upstox v3 `slice`: the broker splits the quantity at the freeze limit and answers with
    // one order id per child. We know the split in advance (the validator's Verdict::slices),
    // so the children's quantities and client ids travel along for brokers that need them
    // (the paper broker) and for matching updates to children.
    bool slice = false;
    std::vector<std::int64_t> sliceQuantities;    // empty unless slice
    std::vector<std::string> childClientOrderIds; // one per slice
};

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

class BrokerGateway
{
public:
    using EventHandler = std::function<void(const BrokerEvent &)>;

    virtual ~BrokerGateway() = default;

    // Places the order (or its slices). Idempotent on order.clientOrderId: placing an id the
    // broker already has returns that order's ids with duplicate = true, never a second order.
    // An error means nothing was placed: InvalidArgument for a request the broker refuses
    // outright, Network for a failure the caller may retry with the same client id.
    virtual Result<PlaceOrderAck> placeOrder(const PlaceOrderRequest &request) = 0;
    virtual Result<void> cancelOrder(const std::string &brokerOrderId) = 0;
    // Updates for placed orders, on any thread. One may arrive before placeOrder has returned
    // the order's ids (a fast order stream; the paper broker fills a MARKET order at once):
    // the caller holds such updates until it has recorded the acknowledgement.
    virtual void setEventHandler(EventHandler handler) = 0;
    // Positions are not asked of the broker: the order service folds them from the fills it
    // journals (orders/PositionBook.h), so they survive a restart.
};

} // namespace strikeline
