#pragma once

// The wait before a reconnect: capped exponential backoff with jitter, never giving up (the
// market feed and the portfolio stream, upstox-live.md §1.5).

#include <algorithm>
#include <chrono>
#include <cmath>

namespace strikeline {

// min(max, initial * 2^attempt) * (1 + jitter * (2 * unit - 1)); attempt 0 is the first retry,
// unit a uniform draw in [0, 1).
inline std::chrono::milliseconds backoffDelay(int attempt, std::chrono::milliseconds initial,
                                              std::chrono::milliseconds max, double jitter,
                                              double unit)
{
    const double base =
        static_cast<double>(initial.count()) * std::pow(2.0, std::clamp(attempt, 0, 30));
    const double capped = std::min(base, static_cast<double>(max.count()));
    const double spread = jitter * (2 * std::clamp(unit, 0.0, 1.0) - 1);
    return std::chrono::milliseconds(std::llround(std::max(0.0, capped * (1 + spread))));
}

} // namespace strikeline
