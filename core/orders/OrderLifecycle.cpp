#include "OrderLifecycle.h"

namespace strikeline {

static_assert(nextOrderStatus(OrderStatus::New, OrderEventKind::Validated) ==
              OrderStatus::Validated);
static_assert(!nextOrderStatus(OrderStatus::Filled, OrderEventKind::Cancelled));

Result<OrderStatus> applyOrderEvent(OrderStatus from, OrderEventKind event)
{
    if (const auto to = nextOrderStatus(from, event))
        return *to;
    const auto name = [](std::string_view s) {
        return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
    };
    return Error::make(ErrorCode::Validation,
                       QStringLiteral("illegal order transition: event \"%1\" in status \"%2\"")
                           .arg(name(orderEventKindName(event)), name(orderStatusName(from))));
}

} // namespace strikeline
