#include "analytics/LiveChain.h"

#include "analytics/Black76.h"

#include <cmath>

namespace strikeline {

namespace {

using marketdata::LiveQuote;

// The price parity and IV are taken from: the LTP. (A mid would move with every requote of a
// wide book; the street's chains show IV of the last trade.)
std::optional<double> legPrice(const LiveLeg &leg)
{
    return leg.ltp && leg.ltp->isPositive() ? std::optional(leg.ltp->toDouble()) : std::nullopt;
}

LiveLeg readLeg(const LiveChainInput &input, const std::string &key, std::int64_t nowMs)
{
    LiveLeg leg;
    leg.key = key;
    if (key.empty() || !input.quote)
        return leg;
    const std::optional<LiveQuote> q = input.quote(key);
    if (input.previousOi)
        if (const auto previous = input.previousOi(key); previous && q && q->has(LiveQuote::Oi))
            leg.oiChange = q->oi - *previous;
    if (!q)
        return leg;
    leg.quoted = q->has(LiveQuote::Ltp);
    leg.version = q->version;
    leg.receivedMs = q->receivedNs / 1'000'000;
    leg.stale = leg.receivedMs == 0 || nowMs - leg.receivedMs > input.staleAfterMs;
    if (q->has(LiveQuote::Ltp))
        leg.ltp = q->ltp;
    if (leg.ltp && q->has(LiveQuote::Close) && q->close.isPositive()) {
        leg.change = *leg.ltp - q->close;
        leg.changePercent = (leg.ltp->toDouble() / q->close.toDouble() - 1.0) * 100.0;
    }
    if (q->has(LiveQuote::Depth) && q->depthLevels > 0) {
        if (q->depth[0].bid.isPositive()) {
            leg.bid = q->depth[0].bid;
            leg.bidQuantity = q->depth[0].bidQuantity;
        }
        if (q->depth[0].ask.isPositive()) {
            leg.ask = q->depth[0].ask;
            leg.askQuantity = q->depth[0].askQuantity;
        }
    }
    if (q->has(LiveQuote::Volume))
        leg.volume = q->volume;
    if (q->has(LiveQuote::Oi))
        leg.oi = q->oi;
    if (q->has(LiveQuote::Iv))
        leg.brokerIv = q->iv;
    if (q->has(LiveQuote::Greeks))
        leg.brokerDelta = q->delta;
    return leg;
}

void solveLeg(LiveLeg &leg, OptionRight right, double strike, const LiveChainInput &input,
              std::optional<double> forward, double years)
{
    if (!leg.listed() || !leg.quoted)
        return;
    const std::optional<double> price = legPrice(leg);
    if (!forward) {
        leg.ivProblem = QStringLiteral("no forward: neither the future nor put-call parity "
                                       "gives one yet");
        return;
    }
    if (!price) {
        leg.ivProblem = QStringLiteral("no traded price");
        return;
    }
    Black76Input market{*forward, strike, years, 0.0, input.rate};
    const ImpliedVolatility iv = impliedVolatility(right, market, *price);
    if (!iv.ok()) {
        leg.ivProblem = ivFailureText(iv, *price);
        return;
    }
    market.volatility = iv.volatility;
    const Greeks g = black76Greeks(right, market, input.basis.daysPerYear);
    leg.iv = iv.volatility * 100.0;
    leg.delta = g.delta;
    leg.gamma = g.gamma;
    leg.theta = g.theta;
    leg.vega = g.vega;
}

std::optional<Price> ltpOf(const LiveChainInput &input, const std::string &key, std::int64_t nowMs,
                           bool *fresh)
{
    if (key.empty() || !input.quote)
        return std::nullopt;
    const auto q = input.quote(key);
    if (!q || !q->has(LiveQuote::Ltp) || !q->ltp.isPositive())
        return std::nullopt;
    if (fresh)
        *fresh = q->receivedNs != 0 && nowMs - q->receivedNs / 1'000'000 <= input.staleAfterMs;
    return q->ltp;
}

} // namespace

LiveChain computeLiveChain(const LiveChainInput &input, IstMoment now, std::int64_t receivedNowMs)
{
    LiveChain chain;
    const std::int64_t nowMs = receivedNowMs != 0 ? receivedNowMs : now.epochMs;
    chain.years = yearsToExpiry(input.expiry, expiryCloseMinute(input.segment), now, input.basis);

    std::vector<ChainStrike> window;
    chain.rows.reserve(input.rows.size());
    window.reserve(input.rows.size());
    for (const LiveChainInput::Row &row : input.rows) {
        LiveStrike strike;
        strike.strike = row.strike;
        strike.call = readLeg(input, row.callKey, nowMs);
        strike.put = readLeg(input, row.putKey, nowMs);
        for (const LiveLeg *leg : {&strike.call, &strike.put}) {
            if (!leg->listed())
                continue;
            ++chain.listedLegs;
            if (leg->quoted)
                ++chain.quotedLegs;
            chain.newestTickMs = std::max(chain.newestTickMs, leg->receivedMs);
        }
        ChainStrike numbers;
        numbers.strike = row.strike.toDouble();
        numbers.callPrice = legPrice(strike.call);
        numbers.putPrice = legPrice(strike.put);
        numbers.callOi = strike.call.oi;
        numbers.putOi = strike.put.oi;
        strike.pcr = strikePcr(numbers);
        window.push_back(numbers);
        chain.rows.push_back(std::move(strike));
    }

    bool futureFresh = false;
    chain.futurePrice = ltpOf(input, input.futureKey, nowMs, &futureFresh);
    chain.underlying = ltpOf(input, input.underlyingKey, nowMs, nullptr);
    const std::optional<double> future = chain.futurePrice && futureFresh
                                             ? std::optional(chain.futurePrice->toDouble())
                                             : std::nullopt;
    chain.forward = chainForward(future, window, chain.years, input.rate);
    const std::optional<double> forward =
        chain.forward ? std::optional(chain.forward->forward) : std::nullopt;

    // The forward is fresh when its source is: the future's tick, or the legs parity used.
    bool forwardFresh = chain.forward.has_value();
    if (chain.forward && chain.forward->source == ForwardEstimate::Source::Synthetic)
        forwardFresh = chain.newestTickMs != 0 && nowMs - chain.newestTickMs <= input.staleAfterMs;
    // ATM over every strike when the full chain is known (a window would refuse a forward that
    // has simply moved past its edge).
    std::vector<double> strikes;
    for (const ChainStrike &s : input.fullChain.empty() ? window : input.fullChain)
        strikes.push_back(s.strike);
    chain.atm = atmStrike(strikes, forward, forwardFresh);
    if (!chain.atm.strike)
        chain.atm.strike = input.currentAtm;

    for (std::size_t i = 0; i < chain.rows.size(); ++i) {
        LiveStrike &s = chain.rows[i];
        solveLeg(s.call, OptionRight::Call, window[i].strike, input, forward, chain.years);
        solveLeg(s.put, OptionRight::Put, window[i].strike, input, forward, chain.years);
    }

    chain.fullChain = !input.fullChain.empty();
    if (chain.fullChain) {
        // The window's live OI over the full chain's (REST) values, so the totals move with ticks.
        std::vector<ChainStrike> full = input.fullChain;
        for (const ChainStrike &live : window) {
            const auto it = std::lower_bound(
                full.begin(), full.end(), live.strike,
                [](const ChainStrike &a, double strike) { return a.strike < strike; });
            if (it == full.end() || it->strike != live.strike)
                continue;
            if (live.callOi)
                it->callOi = live.callOi;
            if (live.putOi)
                it->putOi = live.putOi;
        }
        chain.totals = chainTotals(full);
    } else {
        chain.totals = chainTotals(window);
    }
    return chain;
}

marketdata::LiveQuote liveQuoteFrom(const Quote &quote)
{
    LiveQuote q;
    q.fields = LiveQuote::Ltp;
    q.ltp = quote.last;
    if (quote.previousClose.isPositive()) {
        q.close = quote.previousClose;
        q.fields |= LiveQuote::Close;
    }
    if (quote.bid || quote.ask) {
        q.fields |= LiveQuote::Depth;
        q.depthLevels = 1;
        q.depth[0].bid = quote.bid.value_or(Price());
        q.depth[0].ask = quote.ask.value_or(Price());
        q.depth[0].bidQuantity = quote.bidQuantity;
        q.depth[0].askQuantity = quote.askQuantity;
    }
    if (quote.volume) {
        q.volume = *quote.volume;
        q.fields |= LiveQuote::Volume;
    }
    if (quote.oi) {
        q.oi = *quote.oi;
        q.fields |= LiveQuote::Oi;
    }
    q.lastTradeMs = quote.timeMs;
    q.receivedNs = quote.timeMs * 1'000'000;
    return q;
}

} // namespace strikeline
