#pragma once

// Implied volatility under Black-76: the sigma at which the model's premium equals a price.
// Robust by construction: the price is checked against the no-arbitrage range first (a call is
// worth between its discounted intrinsic value and the discounted forward, a put between its
// discounted intrinsic value and the discounted strike), then a safeguarded Newton iteration
// runs inside a bracket that bisection keeps shrinking, so the answer is a number or a reason,
// never NaN (docs/analytics.md).

#include "analytics/Black76.h"

#include <QString>

namespace strikeline {

enum class IvFailure {
    None,
    BadInput,        // forward, strike or price not positive, or not finite
    Expired,         // no time left: nothing to imply
    BelowIntrinsic,  // below the discounted intrinsic value: an arbitrage (or a stale price)
    NoTimeValue,     // at the intrinsic value: any volatility near zero fits
    AboveUpperBound, // at or above the discounted forward (call) / strike (put)
    TooHigh,         // would need more than MaxVolatility
};

struct ImpliedVolatility
{
    double volatility = 0; // annualised (0.15 = 15 %); 0 when failure != None
    IvFailure failure = IvFailure::None;
    int iterations = 0;
    double lowerBound = 0; // the no-arbitrage range the price was checked against
    double upperBound = 0;

    bool ok() const { return failure == IvFailure::None; }
};

inline constexpr double MaxVolatility = 10.0; // 1000 %: beyond it no quote is an option price

// `market.volatility` is ignored. Converges to 1e-10 of the price (or of one paisa, whichever is
// larger) in a handful of Newton steps; at most 100 evaluations.
ImpliedVolatility impliedVolatility(OptionRight right, const Black76Input &market, double price);

// Why there is no IV, for a tooltip or the CLI: "the price 12.00 is below the discounted
// intrinsic value 15.30".
QString ivFailureText(const ImpliedVolatility &result, double price);

} // namespace strikeline
