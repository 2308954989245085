#include "SimMarketView.h"

#include "SimContext.h"
#include "SimMarketState.h"
#include "analytics/Black76.h"
#include "common/IstTime.h"
#include "marketdata/SimulatedMarket.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace strikeline::sim {

namespace {

double yearsToExpiry(EpochDay expiry, std::int64_t nowMs)
{
    const std::int64_t expiryMs = IstMoment::fromDay(expiry, 15 * 60 + 30).epochMs;
    return std::max(0.0, static_cast<double>(expiryMs - nowMs) / (365.0 * 86400.0 * 1000.0));
}

} // namespace

SimMarketView::SimMarketView(const SimContext &context)
    : m_context(context)
{}

std::optional<ContractMarket> SimMarketView::contract(const InstrumentSnapshot &snapshot,
                                                      InstrumentId id) const
{
    const InstrumentView v = snapshot.instrument(id);
    const auto quote = m_context.market.quote(v.instrumentKey());
    if (!quote)
        return std::nullopt;
    const InstrumentBook *book = m_context.state->read(std::string(v.instrumentKey()));
    if (!book)
        return std::nullopt;
    const InstrumentBook &b = *book;
    const auto toPrice = [](double value) {
        return Price::fromRaw(std::llround(value * static_cast<double>(Price::Scale)));
    };
    ContractMarket m;
    m.quote = *quote;
    const IstMoment now = m_context.clock.now();
    if (b.lowerCircuit > 0 && b.upperCircuit > 0) {
        m.quote.lowerCircuit = toPrice(b.lowerCircuit);
        m.quote.upperCircuit = toPrice(b.upperCircuit);
    }
    m.quote.timeMs = b.ltt;
    const Price last = quote->last;
    m.open = toPrice(b.dayOpen);
    m.high = std::max(toPrice(b.dayHigh), last);
    m.low = std::min(toPrice(b.dayLow), last);
    if (b.hasBook()) {
        m.volume = b.vtt;
        m.lastQuantity = b.ltq;
        m.averagePrice = b.averagePrice();
        for (std::size_t i = 0; i < m.bids.size(); ++i) {
            m.bids[i] = {toPrice(b.bids[i].price), b.bids[i].quantity, b.bids[i].orders};
            m.asks[i] = {toPrice(b.asks[i].price), b.asks[i].quantity, b.asks[i].orders};
        }
        m.totalBuyQuantity = std::llround(b.tbq);
        m.totalSellQuantity = std::llround(b.tsq);
    }
    if (b.hasOi()) {
        m.oi = b.oi;
        m.prevOi = b.prevOi;
        m.oiDayHigh = b.oiDayHigh;
        m.oiDayLow = b.oiDayLow;
    }
    if (isOption(v.kind())) {
        const auto level = m_context.market.underlyingPrice(v.underlyingSymbol());
        const double years = yearsToExpiry(v.expiry(), now.epochMs);
        const double vol = m_context.market.optionVolatility();
        const double rate = m_context.market.carryRate();
        const OptionRight right =
            v.kind() == InstrumentKind::Call ? OptionRight::Call : OptionRight::Put;
        const double strike = v.strike().toDouble();
        if (level && level->isPositive()) {
            const double spot = level->toDouble();
            const auto price = [&](double s, double sigma, double t, double r) {
                return black76Price(right, {s * std::exp(r * t), strike, t, sigma, r});
            };
            OptionGreeksView g;
            const double ds = spot * 0.001;
            const double p0 = price(spot, vol, years, rate);
            const double up = price(spot + ds, vol, years, rate);
            const double down = price(spot - ds, vol, years, rate);
            g.delta = (up - down) / (2 * ds);
            g.gamma = (up - 2 * p0 + down) / (ds * ds);
            g.vega =
                (price(spot, vol + 0.005, years, rate) - price(spot, vol - 0.005, years, rate));
            const double dayYears = 1.0 / 365.0;
            g.theta = years > dayYears ? price(spot, vol, years - dayYears, rate) - p0 : -p0;
            g.rho = (price(spot, vol, years, rate + 0.005) - price(spot, vol, years, rate - 0.005));
            g.iv = vol * 100.0;
            const double forward = spot * std::exp(rate * years);
            const double premium = last.toDouble();
            const double breakeven =
                right == OptionRight::Call ? strike + premium : std::max(strike - premium, 1e-9);
            const double sd = vol * std::sqrt(std::max(years, 1e-9));
            const double d = (std::log(forward / breakeven) - sd * sd / 2) / sd;
            g.pop = 100.0 * (right == OptionRight::Call ? normalCdf(d) : normalCdf(-d));
            m.greeks = g;
        }
    }
    return m;
}

} // namespace strikeline::sim
