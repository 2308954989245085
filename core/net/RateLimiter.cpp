#include "RateLimiter.h"

#include <QStringList>

#include <algorithm>

namespace strikeline::net {

RateLimiter::RateLimiter(std::vector<RateWindow> windows)
    : m_windows(std::move(windows))
{
    std::erase_if(m_windows, [](const RateWindow &w) { return w.count <= 0 || w.windowMs <= 0; });
    for (const RateWindow &w : m_windows) {
        m_longestWindowMs = std::max(m_longestWindowMs, w.windowMs);
        m_largestCount = std::max(m_largestCount, static_cast<std::size_t>(w.count));
    }
}

void RateLimiter::forget(std::int64_t nowMs)
{
    // Older than every window, or beyond the largest count (the count-th newest decides).
    while (!m_sent.empty() &&
           (m_sent.front() <= nowMs - m_longestWindowMs || m_sent.size() > m_largestCount))
        m_sent.pop_front();
}

std::int64_t RateLimiter::delayMs(std::int64_t nowMs) const
{
    std::int64_t wait = 0;
    const auto size = static_cast<std::int64_t>(m_sent.size());
    for (const RateWindow &w : m_windows) {
        if (size < w.count)
            continue;
        // The window is full while the count-th newest request is inside it: the next one may
        // go once that request is `windowMs` old.
        const std::int64_t decisive = m_sent[static_cast<std::size_t>(size - w.count)];
        wait = std::max(wait, decisive + w.windowMs - nowMs);
    }
    return std::max<std::int64_t>(wait, 0);
}

bool RateLimiter::tryAcquire(std::int64_t nowMs)
{
    forget(nowMs);
    if (delayMs(nowMs) > 0)
        return false;
    if (!m_windows.empty())
        m_sent.push_back(nowMs);
    return true;
}

int RateLimiter::recentCount(std::int64_t nowMs, std::int64_t windowMs) const
{
    return static_cast<int>(std::count_if(m_sent.cbegin(), m_sent.cend(), [&](std::int64_t t) {
        return t > nowMs - windowMs && t <= nowMs;
    }));
}

QString RateLimiter::describe() const
{
    QStringList parts;
    for (const RateWindow &w : m_windows) {
        QString unit;
        if (w.windowMs % 60000 == 0)
            unit = w.windowMs == 60000
                       ? QStringLiteral("min")
                       : QString::number(w.windowMs / 60000) + QStringLiteral(" min");
        else if (w.windowMs % 1000 == 0)
            unit = w.windowMs == 1000 ? QStringLiteral("s")
                                      : QString::number(w.windowMs / 1000) + QStringLiteral(" s");
        else
            unit = QString::number(w.windowMs) + QStringLiteral(" ms");
        parts << QString::number(w.count) + u'/' + unit;
    }
    return parts.isEmpty() ? QStringLiteral("unlimited") : parts.join(QStringLiteral(", "));
}

} // namespace strikeline::net
