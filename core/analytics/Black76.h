#pragma once

// Black-76: European options on a forward (Fischer Black, 1976). Index and stock options in
// India are priced off the future of their expiry, so both the simulated market and the live
// chain's analytics (docs/analytics.md) use it. Plain doubles: this is maths; callers round
// prices to the contract's tick and choose the units they show.

namespace strikeline {

enum class OptionRight { Call, Put };

struct Black76Input
{
    double forward = 0;    // F, the future's price for the option's expiry
    double strike = 0;     // K
    double years = 0;      // time to expiry in years (see analytics/ExpiryTime.h)
    double volatility = 0; // annualised, 0.15 = 15 %
    double rate = 0;       // continuously compounded discount rate, 0.065 = 6.5 %
};

// The sensitivities, in the units a trader reads (docs/analytics.md):
//   delta  per 1 rupee of the forward
//   gamma  delta's change per 1 rupee of the forward
//   theta  premium change per day of the time basis (a calendar day by default) passing
//   vega   premium change per 1 volatility point (0.01 of sigma)
//   rho    premium change per 1 percentage point of the rate, the forward held
struct Greeks
{
    double delta = 0;
    double gamma = 0;
    double theta = 0;
    double vega = 0;
    double rho = 0;
};

double normalCdf(double x);
double normalPdf(double x);
// The option's premium. At or after expiry (years <= 0) or with zero volatility: the
// discounted intrinsic value.
double black76Price(OptionRight right, const Black76Input &input);
// The Greeks at `input` (volatility and years > 0; otherwise the limits at expiry: delta the
// discounted in-the-money indicator, the rest zero). `daysPerYear` turns the yearly theta into
// one per day of the time basis: 365 for calendar time, 252 for trading days.
Greeks black76Greeks(OptionRight right, const Black76Input &input, double daysPerYear = 365.0);

} // namespace strikeline
