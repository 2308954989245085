#include "ExpiryTime.h"

#include <algorithm>

namespace strikeline {

namespace {

constexpr std::int64_t DayMs = 86'400'000;

// 1970-01-01 was a Thursday: day 0 -> weekday 3 with Monday = 0.
bool isWeekend(EpochDay day)
{
    const std::int64_t shifted = static_cast<std::int64_t>(day) + 3;
    const std::int64_t weekday = shifted - 7 * floorDiv(shifted, 7);
    return weekday >= 5;
}

} // namespace

int expiryCloseMinute(Segment segment)
{
    switch (segment) {
    case Segment::McxFo:
    case Segment::McxIndex:
        return 23 * 60 + 30;
    case Segment::NcdFo:
    case Segment::BcdFo:
        return 12 * 60 + 30;
    default:
        return 15 * 60 + 30;
    }
}

double yearsToExpiry(EpochDay expiry, int closeMinute, IstMoment now, TimeBasis basis)
{
    const std::int64_t closeMs = IstMoment::fromDay(expiry, closeMinute).epochMs;
    if (now.epochMs >= closeMs)
        return 0.0;
    const double perYear = basis.daysPerYear > 0 ? basis.daysPerYear : 365.0;
    if (basis.kind == TimeBasis::Kind::Calendar)
        return static_cast<double>(closeMs - now.epochMs) / (perYear * static_cast<double>(DayMs));
    // Trading time: every weekday's share of the span counts in full, weekends not at all.
    std::int64_t tradingMs = 0;
    for (EpochDay day = now.day(); day <= expiry; ++day) {
        if (isWeekend(day))
            continue;
        const std::int64_t start = std::max(IstMoment::fromDay(day, 0).epochMs, now.epochMs);
        const std::int64_t end = std::min(IstMoment::fromDay(day, 0).epochMs + DayMs, closeMs);
        tradingMs += std::max<std::int64_t>(0, end - start);
    }
    return static_cast<double>(tradingMs) / (perYear * static_cast<double>(DayMs));
}

} // namespace strikeline
