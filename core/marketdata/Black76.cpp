#include "Black76.h"

#include <algorithm>
#include <cmath>

namespace strikeline {

double normalCdf(double x)
{
    return 0.5 * std::erfc(-x / std::sqrt(2.0));
}

double black76Price(OptionRight right, const Black76Input &in)
{
    const double discount = std::exp(-in.rate * std::max(in.years, 0.0));
    if (in.years <= 0 || in.volatility <= 0 || in.forward <= 0 || in.strike <= 0) {
        const double intrinsic =
            right == OptionRight::Call ? in.forward - in.strike : in.strike - in.forward;
        return discount * std::max(intrinsic, 0.0);
    }
    const double stdDev = in.volatility * std::sqrt(in.years);
    const double d1 = (std::log(in.forward / in.strike) + 0.5 * stdDev * stdDev) / stdDev;
    const double d2 = d1 - stdDev;
    if (right == OptionRight::Call)
        return discount * (in.forward * normalCdf(d1) - in.strike * normalCdf(d2));
    return discount * (in.strike * normalCdf(-d2) - in.forward * normalCdf(-d1));
}

} // namespace strikeline
