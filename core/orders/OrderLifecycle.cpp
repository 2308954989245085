#include "OrderLifecycle.h"

namespace strikeline {

static_assert(nextOrderStatus(OrderStatus::New, OrderEventKind::Validated) ==
              OrderStatus::Validated);
static_assert(!nextOrderStatus(OrderStatus::Filled, OrderEventKind::Cancelled));
static_assert(nextOrderStatus(OrderStatus::PendingCancel, OrderEventKind::CancelRefused,
                              OrderStatus::PartiallyFilled) == OrderStatus::PartiallyFilled);

// No (status, event) pair is listed twice: the table is a function.
static_assert([] {
    for (std::size_t i = 0; i < OrderTransitions.size(); ++i)
        for (std::size_t j = i + 1; j < OrderTransitions.size(); ++j)
            if (OrderTransitions[i].from == OrderTransitions[j].from &&
                OrderTransitions[i].event == OrderTransitions[j].event)
                return false;
    return true;
}());

Result<OrderStatus> applyOrderEvent(OrderStatus from, OrderEventKind event, OrderStatus working)
{
    if (const auto to = nextOrderStatus(from, event, working))
        return *to;
    const auto name = [](std::string_view s) {
        return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
    };
    return Error::make(ErrorCode::Validation,
                       QStringLiteral("illegal order transition: event \"%1\" in status \"%2\"")
                           .arg(name(orderEventKindName(event)), name(orderStatusName(from))));
}

} // namespace strikeline
