#pragma once

// Where orders go, asynchronously: the paper gateway (orders/PaperGateway.h) and Upstox's v3
// order API (broker/upstox/UpstoxOrderGateway.h). Every request returns at once with a request
// id; what the broker answers arrives later as events, in batches, on any thread. The order
// service (orders/OrderService.h) is the only caller: it journals before it sends, so a gateway
// never decides whether an order exists.
//
// Idempotency is ours, not the broker's: Upstox has no idempotency key. The client order id
// travels as the broker's `tag`; a place whose answer was lost (timeout, dropped connection) is
// reported as Ambiguous and resolved by findByTag(), never by placing again.
//
// The broker's vocabulary (Upstox's status strings, products, UDAPI codes) stays inside each
// gateway: what crosses this interface is ours (BrokerOrderState, the plain message).

#include "common/Price.h"
#include "orders/Order.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace strikeline {

using GatewayRequestId = std::uint64_t;

struct PlaceOrderRequest
{
    OrderRequest order; // clientOrderId is required: it is the broker's `tag`
    // Upstox v3 `slice`: the broker splits the quantity at the freeze limit and answers with one
    // order id per child. We know the split in advance (the validator's Verdict::slices), so the
    // children's quantities and client ids travel along for gateways that need them (paper) and
    // for matching updates to children (Upstox tags every child with the parent's tag).
    bool slice = false;
    std::vector<std::int64_t> sliceQuantities;    // empty unless slice
    std::vector<std::string> childClientOrderIds; // one per slice
};

// A modification of a working order (Upstox's PUT /v3/order/modify). Every field is the value
// the order should have afterwards; quantity is the order's total quantity.
struct ModifyOrderRequest
{
    std::string brokerOrderId;
    std::string clientOrderId;
    OrderType type = OrderType::Limit;
    Validity validity = Validity::Day;
    std::int64_t quantity = 0;
    Price price;
    Price trigger;
};

// The broker's view of one order, mapped to our words by the gateway.
enum class BrokerOrderState : std::uint8_t {
    Pending,        // received, not yet working (validation, "open pending", after-market)
    Open,           // working at the exchange
    TriggerPending, // a stop order waiting for its trigger
    ModifyPending,  // a modification is on its way
    Modified,       // a modification took effect
    ModifyRefused,  // not modified: the order is as it was
    CancelPending,  // a cancel is on its way
    CancelRefused,  // not cancelled: the order is as it was
    Complete,
    Rejected,
    Cancelled,
    Unknown, // a status the gateway's mapping does not know: kept verbatim, shown, queried
};
std::string_view brokerOrderStateName(BrokerOrderState state); // "open", "trigger_pending" ...

struct BrokerOrderUpdate
{
    std::string brokerOrderId;
    std::string clientOrderId; // the tag (a slice's own id when the gateway can tell); may be empty
    BrokerOrderState state = BrokerOrderState::Unknown;
    std::string brokerStatus; // the broker's own status string, verbatim, for the trader
    std::string message;      // the broker's reason (a rejection, a cancellation)
    // The order as the broker has it now. filledQuantity and averagePrice are cumulative, so a
    // duplicate or a stale update cannot add a fill twice.
    std::string instrumentKey;
    Side side = Side::Buy;
    OrderType type = OrderType::Limit;
    Product product = Product::Delivery;
    Validity validity = Validity::Day;
    std::int64_t quantity = 0;
    std::int64_t filledQuantity = 0;
    Price averagePrice;
    Price price;
    Price trigger;
    std::string parentBrokerOrderId; // set for an order the broker sliced, when it says so
    std::int64_t timeMs = 0;         // the broker's time of this state (0 when unknown)
};

struct BrokerTrade
{
    std::string tradeId; // the exchange's: fills are deduplicated by it
    std::string brokerOrderId;
    std::string clientOrderId;
    std::int64_t quantity = 0;
    Price price;
    std::int64_t timeMs = 0;
};

// The answer to place / modify / cancel.
enum class ReplyOutcome : std::uint8_t {
    Accepted,  // the broker took the request
    Refused,   // it did not, and nothing changed at the broker
    Ambiguous, // no answer (timeout, dropped connection): the broker may or may not have it
};
// Why a request was refused, in our words, so the trader reads a plain message and scripts can
// branch on the kind.
enum class RefusalKind : std::uint8_t {
    None,
    Rejected,          // the broker or its risk checks refused the order itself
    NotModifiable,     // a modify/cancel of an order that is complete, cancelled or unknown
    RateLimited,       // too many requests: try again in a moment
    StaticIpRequired,  // the broker requires orders from a registered static IP
    MarketClosed,      // outside market hours (and not an after-market order)
    InsufficientFunds, // the margin the order needs is not available
    SessionExpired,    // log in again
    Network,           // the request never reached the broker (refused before sending)
};
std::string_view refusalKindName(RefusalKind kind); // "rate_limited" ...

struct GatewayReply
{
    GatewayRequestId request = 0;
    ReplyOutcome outcome = ReplyOutcome::Accepted;
    RefusalKind refusal = RefusalKind::None;
    std::vector<std::string> brokerOrderIds; // place: one per child, in slice order
    std::string message;                     // a refusal's or ambiguity's plain text
    std::string brokerCode;                  // the broker's own error code, for the log
    std::string note;                        // place: "after-market order: waits for the open"
};

// The answer to findByTag / fetchBook.
struct GatewaySnapshot
{
    GatewayRequestId request = 0;
    bool ok = false;
    bool wholeBook = false; // fetchBook: every order and trade of the day
    std::string message;    // when !ok
    std::vector<BrokerOrderUpdate> orders;
    std::vector<BrokerTrade> trades;
};

// The state of the gateway's update stream (Upstox's portfolio stream), for the trader.
enum class StreamState : std::uint8_t { Connecting, Live, Reconnecting, StandingDown, Stopped };
struct GatewayStatus
{
    StreamState state = StreamState::Connecting;
    std::string reason;
};

using GatewayEvent =
    std::variant<GatewayReply, BrokerOrderUpdate, BrokerTrade, GatewaySnapshot, GatewayStatus>;

class BrokerGateway
{
public:
    // Batches of events in the order the gateway learned them, on any thread. Updates may
    // arrive before the reply to the place that caused them, twice, or out of order: the order
    // service copes with all three.
    using EventSink = std::function<void(std::vector<GatewayEvent>)>;

    virtual ~BrokerGateway() = default;
    virtual Venue venue() const = 0;

    // Each returns at once; the reply arrives as a GatewayReply with the returned id.
    virtual GatewayRequestId place(const PlaceOrderRequest &request) = 0;
    virtual GatewayRequestId modify(const ModifyOrderRequest &request) = 0;
    virtual GatewayRequestId cancel(const std::string &brokerOrderId) = 0;
    // Every order of the day with this tag (a sliced order's children all carry it), with their
    // current state: a GatewaySnapshot.
    virtual GatewayRequestId findByTag(const std::string &tag) = 0;
    // The day's order book and trades: a GatewaySnapshot with wholeBook set.
    virtual GatewayRequestId fetchBook() = 0;

    // No event is delivered after setEventSink({}) has returned.
    virtual void setEventSink(EventSink sink) = 0;
};

} // namespace strikeline
