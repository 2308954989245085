#pragma once

// Black-76: European options on a forward (Fischer Black, 1976). Index and stock options in
// India are priced off the future, so the simulated market prices every option this way.
// Plain doubles: this is maths; callers round the result to the contract's tick.

namespace strikeline {

enum class OptionRight { Call, Put };

struct Black76Input
{
    double forward = 0;    // F, the future's price for the option's expiry
    double strike = 0;     // K
    double years = 0;      // time to expiry in years (ACT/365)
    double volatility = 0; // annualised, 0.15 = 15 %
    double rate = 0;       // continuously compounded discount rate, 0.065 = 6.5 %
};

double normalCdf(double x);
// The option's premium. At or after expiry (years <= 0) or with zero volatility: the
// discounted intrinsic value.
double black76Price(OptionRight right, const Black76Input &input);

} // namespace strikeline
