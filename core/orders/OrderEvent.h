#pragma once

// The order lifecycle's vocabulary: statuses, events and the contract identity an order keeps.
// Events are immutable values: built once by the order service, journaled, then read by the
// persister, the book and the UI. See docs/orders-flow.md.

#include "common/IstTime.h"
#include "common/Price.h"
#include "common/Result.h"
#include "orders/BrokerGateway.h"
#include "orders/Order.h"

#include <QByteArray>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strikeline {

enum class OrderStatus : std::uint8_t {
    New,
    Validated,
    Sent,         // handed to the gateway; no answer yet (or the answer was lost: see Lost)
    Acknowledged, // working at the broker (a stop order: waiting for its trigger)
    Triggered,    // a stop order whose trigger fired: working as a market or limit order
    PartiallyFilled,
    PendingModify, // a modification was sent; the order works as it was until it is confirmed
    PendingCancel, // a cancel was sent; fills may still arrive until it is confirmed
    Filled,
    Rejected,
    Cancelled,
    // Sent, but the broker had no order with its tag after the bounded wait (docs/orders.md):
    // not sent again. Leaves this status if the broker reports it after all.
    Lost,
};
inline constexpr int OrderStatusCount = 12;

enum class OrderEventKind : std::uint8_t {
    Created,         // the request as accepted from the ticket (status New)
    Validated,       // the validator found no error
    Sent,            // handed to the broker gateway (written before the send)
    Acknowledged,    // the broker took it: carries the broker order id(s)
    PartialFill,     // some quantity traded
    Fill,            // the remaining quantity traded
    Rejected,        // by the validator, the broker or the exchange: carries the reason
    Cancelled,       // the unfilled remainder was cancelled
    Triggered,       // a stop order's trigger fired
    ModifyRequested, // the trader asked for a modification: carries the new request
    Modified,        // the modification took effect (or the broker reports one): the new request
    ModifyRefused,   // the broker refused the modification: the order is as it was
    CancelRequested, // the trader asked for a cancel
    CancelRefused,   // the broker refused the cancel: the order is as it was
    BrokerStatus,    // the broker's own status changed without a step of ours (one we do not
                     // know, or a transient one): kept and shown
    Lost,            // no broker order with this tag after the bounded wait
};
inline constexpr int OrderEventKindCount = 16;

std::string_view orderStatusName(OrderStatus status); // "new", "partially_filled" ...
std::optional<OrderStatus> parseOrderStatus(std::string_view name);
std::string_view orderEventKindName(OrderEventKind kind); // "created", "partial_fill" ...
std::optional<OrderEventKind> parseOrderEventKind(std::string_view name);
bool isTerminal(OrderStatus status); // filled, rejected, cancelled

// Working: at the broker and able to trade (acknowledged, triggered, partially filled, or with a
// modify or cancel on its way).
bool isWorking(OrderStatus status);

// Upstox's `tag`: at most 20 characters. We also restrict the alphabet so an id is safe in a
// file name, a URL and a log line.
inline constexpr std::size_t MaxClientOrderIdLength = 20;
inline constexpr int MaxSlices = 25; // Upstox v3: at most 25 orders per sliced request
bool isValidClientOrderId(std::string_view id);
// The child of a sliced order: "<parent>.NN" (NN = 01..25). Deterministic, so a retry of the
// parent derives the same children. Needs a parent of at most 17 characters.
Result<std::string> childClientOrderId(std::string_view parentId, int sliceIndex);
// Ids ending in "." and two digits are the children's namespace: a trader's own id (a tag)
// may not look like one, so no child can ever collide with an order placed under its own id.
bool isReservedForSlices(std::string_view id);
// The id a trader may give an order: valid and not in the children's namespace.
Result<void> checkClientOrderIdForRequest(std::string_view id);

// What an exchange accepts, far above any real order: order value arithmetic (price x quantity,
// averages of two such) stays inside 64 bits with room to spare.
inline constexpr std::int64_t MaxOrderQuantity = 10'000'000;          // units (or MCX lots)
inline constexpr Price MaxOrderPrice = Price::fromRupees(10'000'000); // Rs 1 crore
inline constexpr std::size_t MaxInstrumentKeyLength = 128;            // a key or a trading symbol
// The request's quantity, prices and key within those bounds (InvalidArgument naming the field).
Result<void> checkOrderBounds(const OrderRequest &request);

// What the order knew about its contract when it was placed. Keys are reused across days, so
// the orders table keeps its own copy instead of joining to today's instruments.
struct ContractIdentity
{
    std::string instrumentKey;
    std::string tradingSymbol;
    std::string segment;    // "NSE_FO"
    std::string optionType; // the kind: "CE", "PE", "FUT", "EQ" ...
    EpochDay expiry = NoDay;
    Price strike;
    std::int32_t lotSize = 0;
    Price tickSize;
    // The master's qty_multiplier (value = price x quantity x it, orders/ContractValue.h);
    // 0 in journals written before it was recorded.
    std::int32_t qtyMultiplier = 0;

    bool operator==(const ContractIdentity &) const = default;
};

// One immutable step of one order. `statusAfter`, `filledQuantity` and `averagePrice` are the
// order's state once this event is applied, so a reader (the database) can take the latest
// event of an order without replaying its history.
struct OrderEvent
{
    // Identity: (journalId, sequence). The sequence is the journal's, increasing within one
    // journal (day << 32 | n); the id tells journals apart (OrderJournal.h). Neither is in the
    // payload: the journal file holds them.
    std::uint64_t sequence = 0;
    QString journalId;
    OrderEventKind kind = OrderEventKind::Created;
    std::string clientOrderId;
    std::int64_t timeMs = 0;
    OrderStatus statusAfter = OrderStatus::New;

    // Created only: the request, the contract and, for a slice, its parent.
    OrderRequest request;
    ContractIdentity contract;
    std::string parentClientOrderId; // empty unless this is a slice
    int sliceIndex = 0;              // 1..N for a slice, 0 otherwise
    int sliceCount = 0;              // a parent's number of children (0 = not sliced)
    Venue venue = Venue::Paper;      // the gateway the order goes to
    bool external = false;           // placed elsewhere (the broker's app or web), seen by us
    // ModifyRequested / Modified: `request` carries the order's new type, validity, quantity,
    // price and trigger (the rest is the order's).

    std::vector<std::string> brokerOrderIds; // Acknowledged
    std::int64_t fillQuantity = 0;           // PartialFill / Fill: this trade
    Price fillPrice;
    std::int64_t filledQuantity = 0; // cumulative after this event
    Price averagePrice;              // cumulative after this event
    std::string reason;              // Rejected / Cancelled; a broker note (after-market)
    std::string tradeId;             // a fill's exchange trade id, when the broker gave one
    std::int64_t tradedAfter = 0;    // with a trade id: the order's traded quantity after it
    std::string brokerStatus;        // the broker's own status string, when this came from it

    // The exact bytes journaled for this event (set by the journaling code and by decode), so
    // the database stores them verbatim without encoding again; empty for an unjournaled event.
    QByteArray journalPayload;

    // The journal's payload (compact JSON, without the sequence: the record header has it).
    QByteArray encode() const;
    static Result<OrderEvent> decode(const QByteArray &payload, std::uint64_t sequence);
};

// Journal sequences carry their day, so they never repeat across days' files.
inline constexpr std::uint64_t sequenceFor(EpochDay day, std::uint32_t n)
{
    return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(day)) << 32) | n;
}
inline constexpr EpochDay sequenceDay(std::uint64_t sequence)
{
    return static_cast<EpochDay>(static_cast<std::uint32_t>(sequence >> 32));
}

} // namespace strikeline
