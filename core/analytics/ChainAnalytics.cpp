#include "ChainAnalytics.h"

#include <algorithm>
#include <cmath>

namespace strikeline {

std::optional<ForwardEstimate> chainForward(std::optional<double> futurePrice,
                                            std::span<const ChainStrike> strikes, double years,
                                            double rate)
{
    if (futurePrice && std::isfinite(*futurePrice) && *futurePrice > 0)
        return ForwardEstimate{*futurePrice, ForwardEstimate::Source::Future, 0};
    struct Parity
    {
        double gap;     // |C - P|: smallest at the money
        double forward; // K + e^{rT} (C - P)
    };
    std::vector<Parity> parities;
    const double carry = std::exp(rate * std::max(years, 0.0));
    for (const ChainStrike &s : strikes) {
        if (!s.callPrice || !s.putPrice || *s.callPrice <= 0 || *s.putPrice <= 0 || s.strike <= 0)
            continue;
        const double difference = *s.callPrice - *s.putPrice;
        const double forward = s.strike + carry * difference;
        if (forward > 0 && std::isfinite(forward))
            parities.push_back({std::abs(difference), forward});
    }
    if (parities.empty())
        return std::nullopt;
    const std::size_t n = std::min<std::size_t>(3, parities.size());
    std::partial_sort(parities.begin(), parities.begin() + static_cast<std::ptrdiff_t>(n),
                      parities.end(),
                      [](const Parity &a, const Parity &b) { return a.gap < b.gap; });
    std::vector<double> forwards;
    for (std::size_t i = 0; i < n; ++i)
        forwards.push_back(parities[i].forward);
    std::sort(forwards.begin(), forwards.end());
    const double median =
        n % 2 == 1 ? forwards[n / 2] : 0.5 * (forwards[n / 2 - 1] + forwards[n / 2]);
    return ForwardEstimate{median, ForwardEstimate::Source::Synthetic, static_cast<int>(n)};
}

AtmStrike atmStrike(std::span<const double> strikes, std::optional<double> forward, bool fresh)
{
    if (strikes.empty())
        return {std::nullopt, AtmProblem::NoStrikes};
    if (!forward || !std::isfinite(*forward) || *forward <= 0)
        return {std::nullopt, AtmProblem::NoForward};
    if (!fresh)
        return {std::nullopt, AtmProblem::Stale};
    const auto [lowest, highest] = std::minmax_element(strikes.begin(), strikes.end());
    // One strike step of slack at each end: the forward can sit just beyond the last strike.
    double step = 0;
    for (std::size_t i = 1; i < strikes.size(); ++i) {
        const double gap = std::abs(strikes[i] - strikes[i - 1]);
        if (gap > 0 && (step == 0 || gap < step))
            step = gap;
    }
    if (*forward < *lowest - step || *forward > *highest + step)
        return {std::nullopt, AtmProblem::OutsideStrikes};
    double best = strikes.front();
    for (const double k : strikes) {
        const double distance = std::abs(k - *forward);
        const double bestDistance = std::abs(best - *forward);
        if (distance < bestDistance || (distance == bestDistance && k < best))
            best = k;
    }
    return {best, AtmProblem::None};
}

std::optional<double> strikePcr(const ChainStrike &strike)
{
    if (!strike.callOi || *strike.callOi <= 0)
        return std::nullopt;
    return static_cast<double>(strike.putOi.value_or(0)) / static_cast<double>(*strike.callOi);
}

double writersPayout(std::span<const ChainStrike> strikes, double settle)
{
    double payout = 0;
    for (const ChainStrike &s : strikes) {
        if (s.strike < settle)
            payout += (settle - s.strike) * static_cast<double>(s.callOi.value_or(0));
        else if (s.strike > settle)
            payout += (s.strike - settle) * static_cast<double>(s.putOi.value_or(0));
    }
    return payout;
}

ChainTotals chainTotals(std::span<const ChainStrike> strikes)
{
    ChainTotals t;
    for (const ChainStrike &s : strikes) {
        t.callOi += s.callOi.value_or(0);
        t.putOi += s.putOi.value_or(0);
        t.strikesWithOi += s.callOi.value_or(0) > 0 || s.putOi.value_or(0) > 0;
    }
    if (t.callOi > 0)
        t.pcr = static_cast<double>(t.putOi) / static_cast<double>(t.callOi);
    if (t.callOi + t.putOi == 0)
        return t;
    // Payout at strike i, left to right. Calls below S: C(S) = sum (S - K) ce = S*sum(ce) -
    // sum(K ce) over K < S. Puts above S: P(S) = sum(K pe) - S*sum(pe) over K > S.
    double callsOi = 0, callsWeighted = 0; // over strikes below the current one
    double putsOi = 0, putsWeighted = 0;   // over strikes above it: start with all of them
    for (const ChainStrike &s : strikes) {
        putsOi += static_cast<double>(s.putOi.value_or(0));
        putsWeighted += s.strike * static_cast<double>(s.putOi.value_or(0));
    }
    double best = 0;
    bool found = false;
    for (const ChainStrike &s : strikes) {
        const double pe = static_cast<double>(s.putOi.value_or(0));
        putsOi -= pe; // strictly above S from here on
        putsWeighted -= s.strike * pe;
        const double payout =
            (s.strike * callsOi - callsWeighted) + (putsWeighted - s.strike * putsOi);
        if (!found || payout < best) {
            best = payout;
            t.maxPain = s.strike;
            found = true;
        }
        const double ce = static_cast<double>(s.callOi.value_or(0));
        callsOi += ce; // strictly below the next S
        callsWeighted += s.strike * ce;
    }
    return t;
}

} // namespace strikeline
