#pragma once

// Client-side rate limits as sliding windows: "at most `count` requests in any `windowMs`",
// several at once (Upstox: 50 per second and 500 per minute and 2000 per 30 minutes). Requests
// over a limit are not refused: the limiter says how long to wait, the caller queues.
// Time is injected (milliseconds on any monotonic clock), so the arithmetic is tested without
// waiting. Not thread-safe: one limiter belongs to one thread (the network thread).

#include <QString>

#include <cstdint>
#include <deque>
#include <vector>

namespace strikeline::net {

struct RateWindow
{
    int count = 0;
    std::int64_t windowMs = 0;
};

class RateLimiter final
{
public:
    RateLimiter() = default; // no limits: every request goes at once
    explicit RateLimiter(std::vector<RateWindow> windows);

    // Milliseconds from `nowMs` until the next request may go (0: now).
    std::int64_t delayMs(std::int64_t nowMs) const;
    // Takes a slot when one is free now: true and recorded, or false and nothing changes.
    bool tryAcquire(std::int64_t nowMs);
    // Requests recorded in the last `windowMs` up to `nowMs`.
    int recentCount(std::int64_t nowMs, std::int64_t windowMs) const;

    const std::vector<RateWindow> &windows() const { return m_windows; }
    // "50/s, 500/min, 2000/30 min"
    QString describe() const;

private:
    void forget(std::int64_t nowMs);

    std::vector<RateWindow> m_windows;
    std::int64_t m_longestWindowMs = 0;
    std::size_t m_largestCount = 0;
    std::deque<std::int64_t> m_sent; // times of the recorded requests, oldest first
};

} // namespace strikeline::net
