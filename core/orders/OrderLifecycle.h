#pragma once

// The order lifecycle: ONE explicit table of legal (status, event) -> status steps. Anything not
// in the table is an error, never a silent change. See docs/orders-flow.md for the diagram.

#include "OrderEvent.h"
#include "common/Result.h"

#include <array>

namespace strikeline {

struct OrderTransition
{
    OrderStatus from;
    OrderEventKind event;
    OrderStatus to;
};

// `Created` is not in the table: it makes an order (status New) rather than moving one.
inline constexpr std::array<OrderTransition, 16> OrderTransitions = {{
    {OrderStatus::New, OrderEventKind::Validated, OrderStatus::Validated},
    {OrderStatus::New, OrderEventKind::Rejected, OrderStatus::Rejected}, // validator said no
    {OrderStatus::Validated, OrderEventKind::Sent, OrderStatus::Sent},
    {OrderStatus::Validated, OrderEventKind::Rejected, OrderStatus::Rejected},
    {OrderStatus::Sent, OrderEventKind::Acknowledged, OrderStatus::Acknowledged},
    // The gateway refused it or the request failed for good (no order id exists).
    {OrderStatus::Sent, OrderEventKind::Rejected, OrderStatus::Rejected},
    {OrderStatus::Acknowledged, OrderEventKind::PartialFill, OrderStatus::PartiallyFilled},
    {OrderStatus::Acknowledged, OrderEventKind::Fill, OrderStatus::Filled},
    // RMS / exchange rejection after the broker gave an order id (Upstox reports it so).
    {OrderStatus::Acknowledged, OrderEventKind::Rejected, OrderStatus::Rejected},
    {OrderStatus::Acknowledged, OrderEventKind::Cancelled, OrderStatus::Cancelled},
    {OrderStatus::PartiallyFilled, OrderEventKind::PartialFill, OrderStatus::PartiallyFilled},
    {OrderStatus::PartiallyFilled, OrderEventKind::Fill, OrderStatus::Filled},
    // The unfilled remainder is cancelled; the filled part stays filled (filledQuantity).
    {OrderStatus::PartiallyFilled, OrderEventKind::Cancelled, OrderStatus::Cancelled},
    // An IOC remainder the exchange kills is reported as cancelled too.
    {OrderStatus::PartiallyFilled, OrderEventKind::Rejected, OrderStatus::Cancelled},
    // A sliced parent whose children all failed before any was acknowledged.
    {OrderStatus::Sent, OrderEventKind::Cancelled, OrderStatus::Cancelled},
    {OrderStatus::Validated, OrderEventKind::Cancelled, OrderStatus::Cancelled},
}};

// The status after `event`, or a Validation error naming the illegal pair.
Result<OrderStatus> applyOrderEvent(OrderStatus from, OrderEventKind event);
// The same, as a constant expression for tests and switch-free callers.
constexpr std::optional<OrderStatus> nextOrderStatus(OrderStatus from, OrderEventKind event)
{
    for (const OrderTransition &t : OrderTransitions)
        if (t.from == from && t.event == event)
            return t.to;
    return std::nullopt;
}

} // namespace strikeline
