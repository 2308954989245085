#include "ImpliedVolatility.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace strikeline {

namespace {

constexpr double MinVolatility = 1e-6;
constexpr int MaxEvaluations = 100;

QString rupees(double value)
{
    return QString::number(value, 'f', 2);
}

} // namespace

ImpliedVolatility impliedVolatility(OptionRight right, const Black76Input &market, double price)
{
    ImpliedVolatility out;
    if (!std::isfinite(price) || !std::isfinite(market.forward) || !std::isfinite(market.strike) ||
        !std::isfinite(market.years) || !std::isfinite(market.rate) || price <= 0 ||
        market.forward <= 0 || market.strike <= 0) {
        out.failure = IvFailure::BadInput;
        return out;
    }
    if (market.years <= 0) {
        out.failure = IvFailure::Expired;
        return out;
    }
    const bool call = right == OptionRight::Call;
    const double discount = std::exp(-market.rate * market.years);
    out.lowerBound =
        discount *
        std::max(call ? market.forward - market.strike : market.strike - market.forward, 0.0);
    out.upperBound = discount * (call ? market.forward : market.strike);
    // Prices come in paise: a tolerance of a hundredth of a paisa against the bounds.
    const double tolerance = std::max(1e-10 * price, 1e-4);
    if (price < out.lowerBound - tolerance) {
        out.failure = IvFailure::BelowIntrinsic;
        return out;
    }
    if (price <= out.lowerBound + tolerance) {
        out.failure = IvFailure::NoTimeValue;
        return out;
    }
    if (price >= out.upperBound - tolerance) {
        out.failure = IvFailure::AboveUpperBound;
        return out;
    }

    Black76Input in = market;
    const auto priceAt = [&](double sigma) {
        in.volatility = sigma;
        ++out.iterations;
        return black76Price(right, in);
    };
    double low = MinVolatility;
    double high = MaxVolatility;
    if (priceAt(high) < price) {
        out.failure = IvFailure::TooHigh;
        return out;
    }
    // Brenner-Subrahmanyam: the ATM approximation, a good start anywhere near the money.
    const double sqrtT = std::sqrt(market.years);
    double sigma =
        std::sqrt(2.0 * std::numbers::pi / market.years) * (price / discount) / market.forward;
    sigma = std::clamp(sigma, 0.01, 3.0);
    const double target = std::max(1e-10 * price, 1e-12);
    while (out.iterations < MaxEvaluations) {
        const double value = priceAt(sigma);
        const double error = value - price;
        if (std::abs(error) <= target)
            break;
        (error < 0 ? low : high) = sigma;
        if (high - low <= 1e-12 * high)
            break;
        const double d1 =
            (std::log(market.forward / market.strike) + 0.5 * sigma * sigma * market.years) /
            (sigma * sqrtT);
        const double vega = discount * market.forward * normalPdf(d1) * sqrtT;
        double next = vega > 1e-300 ? sigma - error / vega : low - 1; // forces a bisection
        if (!(next > low && next < high))
            next = 0.5 * (low + high); // Newton left the bracket: halve it instead
        sigma = next;
    }
    out.volatility = sigma;
    return out;
}

QString ivFailureText(const ImpliedVolatility &result, double price)
{
    switch (result.failure) {
    case IvFailure::None:
        return {};
    case IvFailure::BadInput:
        return QStringLiteral("no IV: the forward, the strike and the price must be positive");
    case IvFailure::Expired:
        return QStringLiteral("no IV: the option has expired (no time left)");
    case IvFailure::BelowIntrinsic:
        return QStringLiteral("no IV: the price %1 is below the discounted intrinsic value %2 "
                              "(outside the no-arbitrage range; a stale price?)")
            .arg(rupees(price), rupees(result.lowerBound));
    case IvFailure::NoTimeValue:
        return QStringLiteral("no IV: the price %1 is the intrinsic value, with no time value "
                              "to imply a volatility from")
            .arg(rupees(price));
    case IvFailure::AboveUpperBound:
        return QStringLiteral("no IV: the price %1 is at or above %2, the most the option can be "
                              "worth (outside the no-arbitrage range)")
            .arg(rupees(price), rupees(result.upperBound));
    case IvFailure::TooHigh:
        return QStringLiteral("no IV: the price %1 would need a volatility above %2 %")
            .arg(rupees(price))
            .arg(MaxVolatility * 100, 0, 'f', 0);
    }
    return {};
}

} // namespace strikeline
