#pragma once

// What a trader reads off a whole option chain (docs/analytics.md): the expiry's forward (the
// future of that expiry when there is one, else the synthetic forward from put-call parity at
// the strikes nearest the money), the ATM strike that follows it — with a guard, so a zero,
// missing or stale underlying never re-centres the chain (OpenAlgo's holiday bug put ATM at the
// lowest strike) — PCR by OI for the expiry and per strike, total call and put OI, and max pain
// over the full chain, never a visible window. Pure functions on plain rows.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace strikeline {

struct ChainStrike
{
    double strike = 0;
    std::optional<double> callPrice; // a price to take parity from: mid when quoted, else LTP
    std::optional<double> putPrice;
    std::optional<std::int64_t> callOi;
    std::optional<std::int64_t> putOi;
};

struct ForwardEstimate
{
    enum class Source { Future, Synthetic };
    double forward = 0;
    Source source = Source::Future;
    int strikesUsed = 0; // for a synthetic forward: the strikes whose parity was taken
};

// The future's price when it is positive; else the median of K + e^{rT} (C - P) over the (up to
// three) strikes where both sides have a positive price and |C - P| is smallest: the strikes
// nearest the money, found without the spot. Nullopt when neither is possible.
std::optional<ForwardEstimate> chainForward(std::optional<double> futurePrice,
                                            std::span<const ChainStrike> strikes, double years,
                                            double rate = 0.0);

enum class AtmProblem { None, NoForward, Stale, OutsideStrikes, NoStrikes };

struct AtmStrike
{
    std::optional<double> strike; // nullopt: keep the ATM the chain already has
    AtmProblem problem = AtmProblem::None;
};

// The strike nearest `forward` (ties go to the lower). Refuses — leaving the chain where it
// is — a forward that is missing or not positive, stale (`fresh` false), or outside the chain's
// strikes by more than one strike step (a wrong underlying, not a market move).
AtmStrike atmStrike(std::span<const double> strikes, std::optional<double> forward,
                    bool fresh = true);

struct ChainTotals
{
    std::int64_t callOi = 0;
    std::int64_t putOi = 0;
    std::optional<double> pcr;      // put OI / call OI; nullopt without call OI
    std::optional<double> maxPain;  // nullopt without any OI
    std::int64_t strikesWithOi = 0; // strikes with OI on either side
};

// Totals and max pain over every strike given (pass the full chain). Max pain: the strike S
// minimising sum_{K<S} (S-K) CE_OI(K) + sum_{K>S} (K-S) PE_OI(K), the writers' payout at expiry
// (ties go to the lower strike); O(n) with running sums. Strikes must be ascending.
ChainTotals chainTotals(std::span<const ChainStrike> strikes);

// Per strike: put OI / call OI, nullopt without call OI.
std::optional<double> strikePcr(const ChainStrike &strike);

// The writers' payout at expiry if the underlying settled at `settle`: what max pain minimises.
double writersPayout(std::span<const ChainStrike> strikes, double settle);

} // namespace strikeline
