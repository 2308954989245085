#include "SimMarketView.h"

#include "SimContext.h"
#include "analytics/Black76.h"
#include "common/IstTime.h"
#include "marketdata/SimulatedMarket.h"

#include <QByteArray>

#include <algorithm>
#include <cmath>
#include <string_view>

namespace strikeline::sim {

namespace {

// FNV-1a: stable across runs and platforms (std::hash is neither).
std::uint64_t stableHash(std::string_view text, std::uint64_t seed)
{
    std::uint64_t h = 1469598103934665603ULL ^ (seed * 0x9E3779B97F4A7C15ULL);
    for (const char c : text) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ULL;
    }
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 32;
    return h;
}

constexpr int OpenMinute = 9 * 60 + 15;
constexpr int SessionMinutes = 375; // 09:15-15:30

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
    ContractMarket m;
    m.quote = *quote;
    const IstMoment now = m_context.clock.now();
    const std::uint64_t h = stableHash(v.instrumentKey(), m_context.seed);
    const int minutes = std::clamp(now.minuteOfDay() - OpenMinute, 0, SessionMinutes);
    const std::int64_t lot = std::max<std::int64_t>(1, v.lotSize());
    const bool tradable = v.kind() != InstrumentKind::Index && v.tickSize().isPositive();

    const Price last = quote->last;
    const Price close = quote->previousClose.isPositive() ? quote->previousClose : last;
    m.open = close;
    m.high = std::max(close, last);
    m.low = std::min(close, last);
    if (tradable && (!m.quote.lowerCircuit || !m.quote.upperCircuit)) {
        // The simulated market bands futures only; options and equities get NSE-like bands
        // around the previous close here (options: -50 % / +50 % and at least one tick).
        const double band = isOption(v.kind()) ? 0.5 : 0.2;
        const Price tick = v.tickSize();
        const auto lower =
            Price::parse(QByteArray::number(close.toDouble() * (1 - band), 'f', 2).toStdString());
        const auto upper =
            Price::parse(QByteArray::number(close.toDouble() * (1 + band), 'f', 2).toStdString());
        if (lower && upper) {
            m.quote.lowerCircuit = std::max(tick, lower->roundUpTo(tick));
            m.quote.upperCircuit = std::max(tick * 2, upper->roundDownTo(tick));
        }
    }
    if (tradable) {
        const std::int64_t lotsPerMinute = 5 + static_cast<std::int64_t>(h % 400);
        m.volume = lot * lotsPerMinute * minutes;
        m.lastQuantity = minutes > 0 ? lot * (1 + static_cast<std::int64_t>((h >> 8) % 10)) : 0;
        m.averagePrice = (close.toDouble() + last.toDouble()) / 2.0;
        const Price tick = v.tickSize();
        for (int i = 0; i < 5; ++i) {
            const std::uint64_t hb = stableHash(v.instrumentKey(), h + 2 * i + 1 + minutes);
            const std::uint64_t ha = stableHash(v.instrumentKey(), h + 2 * i + 2 + minutes);
            const Price bid = last - tick * (i + 1);
            if (bid.isPositive())
                m.bids[static_cast<std::size_t>(i)] = {
                    bid, lot * (1 + static_cast<std::int64_t>(hb % 40)),
                    1 + static_cast<int>((hb >> 16) % 12)};
            m.asks[static_cast<std::size_t>(i)] = {last + tick * (i + 1),
                                                   lot * (1 + static_cast<std::int64_t>(ha % 40)),
                                                   1 + static_cast<int>((ha >> 16) % 12)};
            m.totalBuyQuantity += m.bids[static_cast<std::size_t>(i)].quantity * 7;
            m.totalSellQuantity += m.asks[static_cast<std::size_t>(i)].quantity * 7;
        }
    }
    if (isDerivative(v.kind())) {
        m.prevOi = lot * (200 + static_cast<std::int64_t>((h >> 20) % 60000));
        // OI drifts through the session: up to +-25 % of yesterday's, a slow wave per contract.
        const double phase = static_cast<double>((h >> 40) % 628) / 100.0;
        const auto oiAt = [&](int minute) {
            const double change = 0.25 * std::sin(phase + minute / 60.0) - 0.25 * std::sin(phase);
            return lot * std::max<std::int64_t>(
                             1, std::llround(static_cast<double>(m.prevOi / lot) * (1 + change)));
        };
        m.oi = oiAt(minutes);
        m.oiDayHigh = m.prevOi;
        m.oiDayLow = m.prevOi;
        for (int minute = 0; minute <= minutes; minute += 15) {
            m.oiDayHigh = std::max(m.oiDayHigh, oiAt(minute));
            m.oiDayLow = std::min(m.oiDayLow, oiAt(minute));
        }
        m.oiDayHigh = std::max(m.oiDayHigh, m.oi);
        m.oiDayLow = std::min(m.oiDayLow, m.oi);
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
