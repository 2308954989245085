#include "IstTime.h"

#include <QRegularExpression>

#include <chrono>

namespace strikeline {

namespace {
const QDate &epochDate()
{
    static const QDate epoch(1970, 1, 1);
    return epoch;
}
} // namespace

QDate toQDate(EpochDay day)
{
    if (day == NoDay)
        return {};
    return epochDate().addDays(day);
}

EpochDay fromQDate(QDate date)
{
    if (!date.isValid())
        return NoDay;
    return static_cast<EpochDay>(epochDate().daysTo(date));
}

QString formatIsoDay(EpochDay day)
{
    if (day == NoDay)
        return {};
    return toQDate(day).toString(Qt::ISODate);
}

QString formatDisplayDay(EpochDay day)
{
    if (day == NoDay)
        return {};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const QDate d = toQDate(day);
    return QStringLiteral("%1 %2 %3")
        .arg(d.day(), 2, 10, QLatin1Char('0'))
        .arg(QLatin1String(months[d.month() - 1]))
        .arg(d.year());
}

QString IstMoment::toString() const
{
    const int m = minuteOfDay();
    return QStringLiteral("%1 %2:%3 IST")
        .arg(formatIsoDay(day()))
        .arg(m / 60, 2, 10, QLatin1Char('0'))
        .arg(m % 60, 2, 10, QLatin1Char('0'));
}

Result<IstMoment> parseIstMoment(const QString &text)
{
    static const QRegularExpression re(QStringLiteral(
        R"(^\s*(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*$)"));
    const auto match = re.match(text);
    if (!match.hasMatch()) {
        return Error::make(ErrorCode::InvalidArgument,
                           QStringLiteral("'%1' is not a date: use YYYY-MM-DD or "
                                          "\"YYYY-MM-DD HH:MM[:SS]\" (IST)")
                               .arg(text));
    }
    const QDate date(match.captured(1).toInt(), match.captured(2).toInt(),
                     match.captured(3).toInt());
    if (!date.isValid())
        return Error::make(ErrorCode::InvalidArgument,
                           QStringLiteral("'%1' is not a valid calendar date").arg(text));
    int minute = 0;
    int second = 0;
    if (match.hasCaptured(4)) {
        const int h = match.captured(4).toInt();
        const int m = match.captured(5).toInt();
        second = match.hasCaptured(6) ? match.captured(6).toInt() : 0;
        if (h > 23 || m > 59 || second > 59)
            return Error::make(ErrorCode::InvalidArgument,
                               QStringLiteral("'%1' has an invalid time of day").arg(text));
        minute = h * 60 + m;
    }
    return IstMoment{IstMoment::fromDay(fromQDate(date), minute).epochMs + second * 1000LL};
}

IstMoment SystemClock::now() const
{
    return {QDateTime::currentMSecsSinceEpoch()};
}

ShiftedClock::ShiftedClock(IstMoment start, double speed)
    : m_start(start)
    , m_speed(speed > 0 ? speed : 1.0)
    , m_steadyStartNs(std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::steady_clock::now().time_since_epoch())
                          .count())
{}

IstMoment ShiftedClock::now() const
{
    const std::int64_t elapsedNs = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                       std::chrono::steady_clock::now().time_since_epoch())
                                       .count() -
                                   m_steadyStartNs;
    const auto elapsedMs =
        static_cast<std::int64_t>(static_cast<double>(elapsedNs) / 1e6 * m_speed);
    return IstMoment{m_start.epochMs + elapsedMs};
}

} // namespace strikeline
