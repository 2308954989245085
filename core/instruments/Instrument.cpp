#include "Instrument.h"

#include <array>

namespace strikeline {

namespace {
constexpr std::array<std::string_view, SegmentCount> segmentNames = {
    "NSE_EQ",    "NSE_INDEX", "NSE_FO", "BSE_EQ", "BSE_INDEX",    "BSE_FO",           "MCX_FO",
    "MCX_INDEX", "NSE_COM",   "NCD_FO", "BCD_FO", "GLOBAL_INDEX", "GLOBAL_INDICATOR",
};
} // namespace

std::string_view segmentName(Segment segment)
{
    return segmentNames[static_cast<std::size_t>(segment)];
}

std::optional<Segment> parseSegment(std::string_view name)
{
    for (std::size_t i = 0; i < segmentNames.size(); ++i) {
        if (segmentNames[i] == name)
            return static_cast<Segment>(i);
    }
    return std::nullopt;
}

bool isDerivativeSegment(Segment segment)
{
    switch (segment) {
    case Segment::NseFo:
    case Segment::BseFo:
    case Segment::McxFo:
    case Segment::NseCom:
    case Segment::NcdFo:
    case Segment::BcdFo:
        return true;
    default:
        return false;
    }
}

bool isIndexSegment(Segment segment)
{
    switch (segment) {
    case Segment::NseIndex:
    case Segment::BseIndex:
    case Segment::McxIndex:
    case Segment::GlobalIndex:
    case Segment::GlobalIndicator:
        return true;
    default:
        return false;
    }
}

std::string_view kindName(InstrumentKind kind)
{
    switch (kind) {
    case InstrumentKind::Equity:
        return "EQ";
    case InstrumentKind::Index:
        return "INDEX";
    case InstrumentKind::Future:
        return "FUT";
    case InstrumentKind::Call:
        return "CE";
    case InstrumentKind::Put:
        return "PE";
    case InstrumentKind::Spot:
        return "COM";
    }
    return "?";
}

std::int32_t InstrumentRecord::maxLotsPerOrder() const
{
    if (freezeQuantity <= 0 || lotSize <= 0)
        return 0;
    return quantityUnit() == QuantityUnit::Lots ? freezeQuantity : freezeQuantity / lotSize;
}

} // namespace strikeline
