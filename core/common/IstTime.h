#pragma once

#include "Result.h"

#include <QDate>
#include <QDateTime>
#include <QString>

#include <cstdint>
#include <limits>

namespace strikeline {

// India has one time zone and no daylight saving: IST is UTC+05:30 all year. We use the fixed
// offset instead of the tz database so that dates are right on machines without tzdata.
inline constexpr int IstOffsetSeconds = 5 * 3600 + 30 * 60;

// A calendar date in IST as days since 1970-01-01. Compact (4 bytes) and ordered.
using EpochDay = std::int32_t;
inline constexpr EpochDay NoDay = std::numeric_limits<EpochDay>::min();

constexpr std::int64_t floorDiv(std::int64_t a, std::int64_t b)
{
    const std::int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

constexpr EpochDay istDayFromEpochMs(std::int64_t epochMs)
{
    return static_cast<EpochDay>(floorDiv(floorDiv(epochMs, 1000) + IstOffsetSeconds, 86400));
}

// The epoch ms of 23:59:59 IST on that day: how the master writes every expiry.
constexpr std::int64_t expiryEpochMs(EpochDay day)
{
    return (static_cast<std::int64_t>(day) * 86400 + 86399 - IstOffsetSeconds) * 1000;
}

QDate toQDate(EpochDay day);
EpochDay fromQDate(QDate date);
// "2025-12-09"; empty for NoDay.
QString formatIsoDay(EpochDay day);
// "09 Dec 2025"
QString formatDisplayDay(EpochDay day);

// A moment, as IST wall-clock: the date plus minutes since midnight IST.
struct IstMoment
{
    std::int64_t epochMs = 0;

    EpochDay day() const { return istDayFromEpochMs(epochMs); }
    int minuteOfDay() const
    {
        const std::int64_t s = floorDiv(epochMs, 1000) + IstOffsetSeconds;
        return static_cast<int>((s - floorDiv(s, 86400) * 86400) / 60);
    }
    static IstMoment fromDay(EpochDay day, int minuteOfDay = 0)
    {
        return {(static_cast<std::int64_t>(day) * 86400 + minuteOfDay * 60 - IstOffsetSeconds) *
                1000};
    }
    QString toString() const; // "2025-12-09 10:30 IST"
};

// Parses "YYYY-MM-DD", "YYYY-MM-DD HH:MM" or "YYYY-MM-DD HH:MM:SS" (also with a 'T'), read as IST.
Result<IstMoment> parseIstMoment(const QString &text);

// The injected clock: core never asks the system for the time on its own.
class Clock
{
public:
    virtual ~Clock() = default;
    virtual IstMoment now() const = 0;
};

class SystemClock final : public Clock
{
public:
    IstMoment now() const override;
};

class FixedClock final : public Clock
{
public:
    explicit FixedClock(IstMoment moment)
        : m_moment(moment)
    {}
    IstMoment now() const override { return m_moment; }
    void set(IstMoment moment) { m_moment = moment; }

private:
    IstMoment m_moment;
};

// A clock that starts at a chosen moment and then runs, `speed` times as fast as real time:
// what `--at` means for anything that lives long enough to see time pass (the desktop, the
// Upstox simulator, a login waiting for its callback). Thread-safe: now() reads only what the
// constructor set and a monotonic clock.
class ShiftedClock final : public Clock
{
public:
    explicit ShiftedClock(IstMoment start, double speed = 1.0);
    IstMoment now() const override;
    double speed() const { return m_speed; }

private:
    IstMoment m_start;
    double m_speed;
    std::int64_t m_steadyStartNs;
};

} // namespace strikeline
