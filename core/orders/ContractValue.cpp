#include "ContractValue.h"

namespace strikeline {

std::optional<Money> contractValue(Price price, std::int64_t quantity, std::int64_t qtyMultiplier)
{
    std::int64_t raw = 0;
    if (__builtin_mul_overflow(price.raw(), quantity, &raw) ||
        __builtin_mul_overflow(raw, valueMultiplier(qtyMultiplier), &raw))
        return std::nullopt;
    return Money::fromRaw(raw);
}

QString quantityText(std::int64_t quantity, QuantityUnit unit)
{
    if (unit == QuantityUnit::Lots) {
        return (quantity == 1 || quantity == -1) ? QStringLiteral("%1 lot").arg(quantity)
                                                 : QStringLiteral("%1 lots").arg(quantity);
    }
    return QString::number(quantity);
}

QString quantityText(std::int64_t quantity, std::string_view segment)
{
    const std::optional<Segment> s = parseSegment(segment);
    return quantityText(quantity, s ? quantityUnitFor(*s) : QuantityUnit::Units);
}

} // namespace strikeline
