#pragma once

// Time to expiry for the option maths (docs/analytics.md). An option stops trading at its
// exchange's close on expiry day — 15:30 IST for NSE and BSE F&O, 12:30 for currency options
// (the RBI reference rate), 23:30 for MCX (its close in the summer months; 23:55 in winter) —
// not at the master's 23:59:59. Time is calendar seconds / (365 x 86,400) by default, as
// OpenAlgo and most of the street count; or trading time / 252 days (Sensibull, Kite), where a
// weekend does not pass (holidays are not known here and count as trading days).

#include "common/IstTime.h"
#include "instruments/Instrument.h"

namespace strikeline {

struct TimeBasis
{
    enum class Kind { Calendar, Trading };
    Kind kind = Kind::Calendar;
    double daysPerYear = 365.0; // 365 for calendar time; 252 is the street's trading year

    static TimeBasis calendar() { return {Kind::Calendar, 365.0}; }
    static TimeBasis trading(double days = 252.0) { return {Kind::Trading, days}; }
};

// The minute of the IST day an option of `segment` stops trading on its expiry day.
int expiryCloseMinute(Segment segment);

// The years from `now` to `expiry` at `closeMinute` on that day, in `basis`; 0 once past.
double yearsToExpiry(EpochDay expiry, int closeMinute, IstMoment now,
                     TimeBasis basis = TimeBasis::calendar());

} // namespace strikeline
