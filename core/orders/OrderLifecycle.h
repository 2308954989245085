#pragma once

// The order lifecycle: ONE explicit table of legal (status, event) -> status steps, with every
// row a real broker produces: acknowledgements, triggers, partial fills, modifications and
// cancels on their way, refusals of either that leave the order as it was, fills that race a
// cancel (before and after it is confirmed), an order whose answer was lost and turns up later.
// Anything not in the table is an illegal pair: reported (applyOrderEvent's error), never thrown
// and never applied. See docs/orders-flow.md for the diagram.

#include "OrderEvent.h"
#include "common/Result.h"

#include <array>

namespace strikeline {

struct OrderTransition
{
    OrderStatus from;
    OrderEventKind event;
    OrderStatus to;
    // The row's target is the order's working status instead of `to`: partially filled when
    // some quantity traded, triggered when its stop fired, else acknowledged. The rows that end
    // a pending modify or cancel without ending the order (confirmed, refused) go back there.
    bool toWorking = false;
};

namespace lifecycle {
using S = OrderStatus;
using E = OrderEventKind;
inline constexpr bool Working = true;
} // namespace lifecycle

// `Created` is not in the table: it makes an order (status New) rather than moving one.
// `BrokerStatus` (a broker status string we keep and show) never moves an order: it is legal in
// every status (isNote) and not listed here.
inline constexpr auto OrderTransitions = [] {
    using namespace lifecycle;
    return std::to_array<OrderTransition>({
        // Ours, before the broker.
        {S::New, E::Validated, S::Validated},
        {S::New, E::Rejected, S::Rejected}, // the validator said no
        {S::Validated, E::Sent, S::Sent},
        {S::Validated, E::Rejected, S::Rejected},
        {S::Validated, E::Cancelled, S::Cancelled}, // a sliced parent whose children all failed
        // An external order (placed in the broker's app or web): first seen working.
        {S::New, E::Acknowledged, S::Acknowledged},
        // The broker's answer to the place.
        {S::Sent, E::Acknowledged, S::Acknowledged},
        {S::Sent, E::Rejected, S::Rejected}, // refused: no order id exists
        {S::Sent, E::Cancelled, S::Cancelled},
        {S::Sent, E::Lost, S::Lost}, // the answer was lost and the tag is not at the broker
        // A lost order the broker reports after all (a late history, the order stream).
        {S::Lost, E::Acknowledged, S::Acknowledged},
        {S::Lost, E::Rejected, S::Rejected},
        {S::Lost, E::Cancelled, S::Cancelled},
        // Working.
        {S::Acknowledged, E::Triggered, S::Triggered},
        {S::Acknowledged, E::PartialFill, S::PartiallyFilled},
        {S::Acknowledged, E::Fill, S::Filled},
        {S::Acknowledged, E::Rejected, S::Rejected}, // RMS / exchange, after an order id
        {S::Acknowledged, E::Cancelled, S::Cancelled},
        {S::Acknowledged, E::Modified, S::Acknowledged}, // modified elsewhere (the broker's app)
        {S::Acknowledged, E::ModifyRequested, S::PendingModify},
        {S::Acknowledged, E::CancelRequested, S::PendingCancel},
        {S::Triggered, E::PartialFill, S::PartiallyFilled},
        {S::Triggered, E::Fill, S::Filled},
        {S::Triggered, E::Rejected, S::Rejected},
        {S::Triggered, E::Cancelled, S::Cancelled},
        {S::Triggered, E::Modified, S::Triggered},
        {S::Triggered, E::ModifyRequested, S::PendingModify},
        {S::Triggered, E::CancelRequested, S::PendingCancel},
        {S::PartiallyFilled, E::PartialFill, S::PartiallyFilled},
        {S::PartiallyFilled, E::Fill, S::Filled},
        // The unfilled remainder is cancelled; the filled part stays filled (filledQuantity).
        {S::PartiallyFilled, E::Cancelled, S::Cancelled},
        // An IOC remainder the exchange kills is reported as cancelled too.
        {S::PartiallyFilled, E::Rejected, S::Cancelled},
        {S::PartiallyFilled, E::Modified, S::PartiallyFilled},
        {S::PartiallyFilled, E::ModifyRequested, S::PendingModify},
        {S::PartiallyFilled, E::CancelRequested, S::PendingCancel},
        // A modification on its way: the order keeps working as it was.
        {S::PendingModify, E::Modified, S::PendingModify, Working},
        {S::PendingModify, E::ModifyRefused, S::PendingModify, Working},
        {S::PendingModify, E::Triggered, S::PendingModify},
        {S::PendingModify, E::PartialFill, S::PendingModify},
        {S::PendingModify, E::Fill, S::Filled}, // it traded before the modification arrived
        {S::PendingModify, E::Rejected, S::Rejected},
        {S::PendingModify, E::Cancelled, S::Cancelled},
        {S::PendingModify, E::CancelRequested, S::PendingCancel},
        // A cancel on its way: fills still count, and a refusal leaves the order working.
        {S::PendingCancel, E::Cancelled, S::Cancelled},
        {S::PendingCancel, E::CancelRefused, S::PendingCancel, Working},
        {S::PendingCancel, E::PartialFill, S::PendingCancel},
        {S::PendingCancel, E::Fill, S::Filled}, // the fill won the race
        {S::PendingCancel, E::Rejected, S::Cancelled},
        {S::PendingCancel, E::Triggered, S::PendingCancel},
        {S::PendingCancel, E::Modified, S::PendingCancel},      // an earlier modify confirmed
        {S::PendingCancel, E::ModifyRefused, S::PendingCancel}, // an earlier modify refused
        // A fill reported after the cancel was confirmed: it traded before the cancel reached
        // the exchange. Part of it leaves the order cancelled with that part filled; all of it
        // makes it filled.
        {S::Cancelled, E::PartialFill, S::Cancelled},
        {S::Cancelled, E::Fill, S::Filled},
    });
}();

// The events that record something without moving the order (legal in every status).
constexpr bool isNote(OrderEventKind event)
{
    return event == OrderEventKind::BrokerStatus;
}

// The status after `event`, or a Validation error naming the illegal pair. `working` is the
// order's working status, for the rows that go back to it (OrderTransition::toWorking).
Result<OrderStatus> applyOrderEvent(OrderStatus from, OrderEventKind event,
                                    OrderStatus working = OrderStatus::Acknowledged);
// The same, as a constant expression for tests and switch-free callers.
constexpr std::optional<OrderStatus>
nextOrderStatus(OrderStatus from, OrderEventKind event,
                OrderStatus working = OrderStatus::Acknowledged)
{
    if (isNote(event))
        return from;
    for (const OrderTransition &t : OrderTransitions)
        if (t.from == from && t.event == event)
            return t.toWorking ? working : t.to;
    return std::nullopt;
}

} // namespace strikeline
