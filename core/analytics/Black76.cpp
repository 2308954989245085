#include "Black76.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace strikeline {

double normalCdf(double x)
{
    return 0.5 * std::erfc(-x / std::numbers::sqrt2);
}

double normalPdf(double x)
{
    return std::exp(-0.5 * x * x) / std::sqrt(2.0 * std::numbers::pi);
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

Greeks black76Greeks(OptionRight right, const Black76Input &in, double daysPerYear)
{
    Greeks g;
    const double discount = std::exp(-in.rate * std::max(in.years, 0.0));
    const bool call = right == OptionRight::Call;
    if (in.years <= 0 || in.volatility <= 0 || in.forward <= 0 || in.strike <= 0) {
        const bool inTheMoney = call ? in.forward > in.strike : in.strike > in.forward;
        g.delta = inTheMoney ? (call ? discount : -discount) : 0.0;
        return g;
    }
    const double sqrtT = std::sqrt(in.years);
    const double stdDev = in.volatility * sqrtT;
    const double d1 = (std::log(in.forward / in.strike) + 0.5 * stdDev * stdDev) / stdDev;
    const double density = normalPdf(d1);
    const double premium = black76Price(right, in);
    g.delta = call ? discount * normalCdf(d1) : -discount * normalCdf(-d1);
    g.gamma = discount * density / (in.forward * stdDev);
    g.vega = discount * in.forward * density * sqrtT / 100.0;
    // dV/dt as time passes = -dV/dT = r V - e^{-rT} F phi(d1) sigma / (2 sqrt T), per year.
    const double thetaPerYear =
        in.rate * premium - discount * in.forward * density * in.volatility / (2.0 * sqrtT);
    g.theta = thetaPerYear / (daysPerYear > 0 ? daysPerYear : 365.0);
    g.rho = -in.years * premium / 100.0;
    return g;
}

} // namespace strikeline
