#include "SimMarketState.h"

#include "analytics/Black76.h"
#include "analytics/ImpliedVolatility.h"
#include "common/Price.h"
#include "instruments/InstrumentRepository.h"
#include "marketdata/SimulatedMarket.h"

#include <QDate>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace strikeline::sim {

namespace {

constexpr double MsPerYear = 365.0 * 86400.0 * 1000.0;
constexpr int ExpiryMinuteOfDay = 15 * 60 + 30;
constexpr std::int64_t MinuteMs = 60'000;
constexpr std::int64_t StepMs = 250;          // the feed's realistic interval
constexpr std::int64_t CatchUpAfterMs = 1000; // a book the feed steps is never this stale
constexpr std::int64_t MaxCatchUpSteps = 240; // a minute of steps
constexpr double OiBand = 0.3;                // OI stays within +-30 % of prev_oi

constexpr int hm(int hour, int minute)
{
    return hour * 60 + minute;
}

std::uint64_t fnv1a(std::string_view text)
{
    std::uint64_t h = 1469598103934665603ull;
    for (const char c : text) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ull;
    }
    return h;
}

double uniform(std::mt19937_64 &random, double low, double high)
{
    return std::uniform_real_distribution<double>(low, high)(random);
}

std::int64_t uniformInt(std::mt19937_64 &random, std::int64_t low, std::int64_t high)
{
    return std::uniform_int_distribution<std::int64_t>(low, high)(random);
}

// The nearest multiple of the tick, computed on Price's fixed-point scale so the double is the
// one nearest the decimal (26098.3, not 26098.300000000003 as clients would print it).
double onTick(double value, double tick)
{
    const auto tickRaw = std::llround(tick * Price::Scale);
    const auto ticks = std::llround(value * Price::Scale / static_cast<double>(tickRaw));
    return static_cast<double>(ticks * tickRaw) / static_cast<double>(Price::Scale);
}

double ticksUp(double value, double tick)
{
    const auto tickRaw = std::llround(tick * Price::Scale);
    const auto raw = std::llround(value * Price::Scale);
    const auto ticks = (raw + tickRaw - 1) / tickRaw;
    return static_cast<double>(ticks * tickRaw) / static_cast<double>(Price::Scale);
}

double ticksDown(double value, double tick)
{
    const auto tickRaw = std::llround(tick * Price::Scale);
    const auto ticks = std::llround(value * Price::Scale) / tickRaw;
    return static_cast<double>(ticks * tickRaw) / static_cast<double>(Price::Scale);
}

} // namespace

SessionStatus sessionStatus(std::string_view segment, IstMoment now)
{
    const QDate date = toQDate(now.day());
    if (date.dayOfWeek() >= 6)
        return SessionStatus::NormalClose;
    const int m = now.minuteOfDay();
    if (segment == "MCX_FO" || segment == "MCX_INDEX" || segment == "NSE_COM")
        return m >= hm(9, 0) && m < hm(23, 30) ? SessionStatus::NormalOpen
                                               : SessionStatus::NormalClose;
    if (segment == "NCD_FO" || segment == "BCD_FO")
        return m >= hm(9, 0) && m < hm(17, 0) ? SessionStatus::NormalOpen
                                              : SessionStatus::NormalClose;
    const bool cash = segment == "NSE_EQ" || segment == "BSE_EQ";
    const bool known = cash || segment == "NSE_FO" || segment == "BSE_FO" ||
                       segment == "NSE_INDEX" || segment == "BSE_INDEX";
    if (!known)
        return SessionStatus::NormalClose;
    // Equities have a pre-open auction; so do NSE futures since 8 Dec 2025 (§4.1).
    const bool preOpen =
        cash || (segment == "NSE_FO" && now.day() >= fromQDate(QDate(2025, 12, 8)));
    if (preOpen && m >= hm(9, 0) && m < hm(9, 8))
        return SessionStatus::PreOpenStart;
    if (preOpen && m >= hm(9, 8) && m < hm(9, 15))
        return SessionStatus::PreOpenEnd;
    if (m >= hm(9, 15) && m < hm(15, 30))
        return SessionStatus::NormalOpen;
    if (cash && m >= hm(15, 40) && m < hm(16, 0))
        return SessionStatus::ClosingStart; // the closing session
    if (cash && m >= hm(16, 0) && m < hm(23, 59))
        return SessionStatus::ClosingEnd;
    return SessionStatus::NormalClose;
}

SimMarketState::SimMarketState(const InstrumentRepository &instruments,
                               const SimulatedMarket &market, const Clock &clock,
                               std::uint64_t seed)
    : m_instruments(instruments)
    , m_market(market)
    , m_clock(clock)
    , m_seed(seed)
    , m_random(seed)
{}

SimMarketState::~SimMarketState() = default;

bool SimMarketState::knows(std::string_view instrumentKey) const
{
    if (m_books.contains(std::string(instrumentKey)))
        return true;
    return m_market.quote(instrumentKey).has_value();
}

bool SimMarketState::isOpen(std::string_view instrumentKey) const
{
    const std::size_t bar = instrumentKey.find('|');
    return sessionStatus(instrumentKey.substr(0, bar), m_clock.now()) == SessionStatus::NormalOpen;
}

const InstrumentBook *SimMarketState::find(const std::string &instrumentKey) const
{
    const auto it = m_books.find(instrumentKey);
    return it == m_books.end() ? nullptr : it->second.get();
}

const InstrumentBook *SimMarketState::read(const std::string &instrumentKey)
{
    InstrumentBook *book = bookFor(instrumentKey);
    if (book)
        catchUp(*book);
    return book;
}

InstrumentBook *SimMarketState::bookFor(const std::string &instrumentKey)
{
    const IstMoment now = m_clock.now();
    const std::int64_t dayStartMs = IstMoment::fromDay(now.day()).epochMs;
    if (const auto it = m_books.find(instrumentKey); it != m_books.end()) {
        if (it->second->dayStartMs == dayStartMs)
            return it->second.get();
        m_books.erase(it); // a new day: a new prev_oi, volume from zero
    }
    const std::optional<Quote> quote = m_market.quote(instrumentKey);
    const SnapshotPtr snapshot = m_instruments.snapshot();
    const std::optional<InstrumentId> id = snapshot->findByKey(instrumentKey);
    if (!quote || !id)
        return nullptr;
    const InstrumentView contract = snapshot->instrument(*id);

    auto book = std::make_unique<InstrumentBook>();
    InstrumentBook &b = *book;
    b.key = instrumentKey;
    b.underlying = std::string(contract.underlyingSymbol());
    b.segment = std::string(segmentName(contract.segment()));
    b.kind = contract.kind();
    b.strike = contract.strike().toDouble();
    b.expiry = contract.expiry();
    b.tick = contract.tickSize().isPositive() ? contract.tickSize().toDouble() : 0.05;
    b.lot = std::max<std::int64_t>(1, contract.lotSize());

    // Everything the market does not model starts from the seed and the key alone, so a key's
    // book does not depend on which keys were asked for before it; prev_oi from the day too.
    const std::uint64_t keyHash = fnv1a(instrumentKey);
    std::mt19937_64 own(m_seed ^ keyHash);
    b.dayStartMs = dayStartMs;
    b.touchedMs = now.epochMs;
    refreshPrice(b, false);
    b.dayOpen = onTick(b.cp > 0 ? b.cp : b.ltp, b.tick);
    b.dayHigh = onTick(std::max(b.dayOpen, b.ltp) * (1 + uniform(own, 0, 0.004)), b.tick);
    b.dayLow = onTick(std::min(b.dayOpen, b.ltp) * (1 - uniform(own, 0, 0.004)), b.tick);
    if (b.upperCircuit > 0)
        b.dayHigh = std::min(b.dayHigh, b.upperCircuit);
    if (b.lowerCircuit > 0)
        b.dayLow = std::max(b.dayLow, b.lowerCircuit);
    b.dayLow = std::max(b.dayLow, b.tick);
    b.ltt = now.epochMs - uniformInt(own, 0, 2000);
    b.bar.startMs = now.epochMs - now.epochMs % MinuteMs;
    b.bar.open = b.bar.high = b.bar.low = b.bar.close = b.ltp;

    if (b.hasBook()) {
        // The share of the session gone by: volume so far grows through the day.
        const double session = std::clamp((now.minuteOfDay() - hm(9, 15)) / 375.0, 0.05, 1.0);
        const double lots = b.lot > 1 ? uniform(own, 200, 20000) : uniform(own, 10'000, 2'000'000);
        b.vtt = static_cast<std::int64_t>(lots * session) * b.lot;
        b.turnover = static_cast<double>(b.vtt) * (b.dayOpen + b.ltp) / 2.0;
        b.ltq = b.lot * uniformInt(own, 1, 10);
        b.bar.volume = b.ltq * uniformInt(own, 1, 20);
        if (b.hasOi()) {
            std::mt19937_64 daily(m_seed ^ keyHash ^ (static_cast<std::uint64_t>(now.day()) << 20));
            b.prevOi = b.lot * uniformInt(daily, 500, 50000);
            // OI so far today: a slow wave per contract, within +-20 % of yesterday's.
            const double phase = uniform(own, 0, 2 * std::numbers::pi);
            const int minutes = std::clamp(now.minuteOfDay() - hm(9, 15), 0, 375);
            const auto oiAt = [&](int minute) -> std::int64_t {
                const double change = 0.1 * (std::sin(phase + minute / 60.0) - std::sin(phase));
                return b.lot * std::llround(static_cast<double>(b.prevOi / b.lot) * (1 + change));
            };
            b.oi = oiAt(minutes);
            b.oiDayHigh = std::max(b.prevOi, b.oi);
            b.oiDayLow = std::min(b.prevOi, b.oi);
            for (int minute = 0; minute < minutes; minute += 15) {
                b.oiDayHigh = std::max(b.oiDayHigh, oiAt(minute));
                b.oiDayLow = std::min(b.oiDayLow, oiAt(minute));
            }
        }
        rebuildDepth(b);
        double resting = 0, offered = 0;
        for (int i = 0; i < InstrumentBook::DepthLevels; ++i) {
            resting += static_cast<double>(b.bids[i].quantity);
            offered += static_cast<double>(b.asks[i].quantity);
        }
        b.tbq = std::round(resting * uniform(own, 5, 30));
        b.tsq = std::round(offered * uniform(own, 5, 30));
    }
    InstrumentBook *raw = book.get();
    m_books.emplace(instrumentKey, std::move(book));
    return raw;
}

void SimMarketState::catchUp(InstrumentBook &b)
{
    const std::int64_t nowMs = m_clock.now().epochMs;
    const std::int64_t stale = nowMs - b.touchedMs;
    if (stale < CatchUpAfterMs || !isOpen(b.key))
        return;
    // The missed trades and OI moves; the price, the greeks and the book once, as of now.
    const std::int64_t steps = std::min(stale / StepMs, MaxCatchUpSteps);
    bool traded = false;
    for (std::int64_t i = 0; i < steps; ++i)
        traded = stepBook(b, false, true) == TapeEvent::Trade || traded;
    refreshPrice(b, traded);
    if (b.hasBook()) {
        rebuildDepth(b);
        jiggleDepth(b);
    }
    b.touchedMs = nowMs;
}

TapeEvent SimMarketState::step(const std::string &instrumentKey, bool forceActivity)
{
    InstrumentBook *book = bookFor(instrumentKey);
    if (!book)
        return TapeEvent::None;
    book->touchedMs = m_clock.now().epochMs;
    return stepBook(*book, forceActivity, false);
}

TapeEvent SimMarketState::stepBook(InstrumentBook &b, bool forceActivity, bool catchingUp)
{
    b.oiChanged = false;
    const double draw = uniform(m_random, 0, 1);
    if (b.isIndex()) {
        if (catchingUp)
            return TapeEvent::None;
        // An index has no trades and no book: its value moves with the market.
        const double before = b.ltp;
        refreshPrice(b, true);
        return forceActivity || b.ltp != before || draw < 0.3 ? TapeEvent::Trade : TapeEvent::None;
    }
    const TapeEvent event = draw < 0.45                   ? TapeEvent::Trade
                            : draw < 0.8 || forceActivity ? TapeEvent::Quote
                                                          : TapeEvent::None;
    if (event == TapeEvent::Trade) {
        if (!catchingUp)
            refreshPrice(b, true);
        b.ltq = b.lot > 1 ? b.lot * uniformInt(m_random, 1, 10) : uniformInt(m_random, 1, 500);
        b.vtt += b.ltq;
        b.bar.volume += b.ltq;
        b.turnover += static_cast<double>(b.ltq) * b.ltp;
        if (b.hasOi() && uniform(m_random, 0, 1) < 0.3)
            moveOi(b);
        if (!catchingUp)
            rebuildDepth(b);
    }
    if (event != TapeEvent::None && !catchingUp)
        jiggleDepth(b);
    return event;
}

void SimMarketState::moveOi(InstrumentBook &b)
{
    // A few lots at a time (more for a contract with a large OI), never outside the band.
    const std::int64_t lots = b.prevOi / b.lot;
    const std::int64_t reach = 1 + lots / 20000;
    const std::int64_t low = std::max<std::int64_t>(
        1, static_cast<std::int64_t>(std::ceil(static_cast<double>(lots) * (1 - OiBand))));
    const std::int64_t high =
        static_cast<std::int64_t>(std::floor(static_cast<double>(lots) * (1 + OiBand)));
    const std::int64_t next =
        std::clamp(b.oi / b.lot + uniformInt(m_random, -20 * reach, 20 * reach), low, high) * b.lot;
    b.oiChanged = next != b.oi;
    b.oi = next;
    b.oiDayHigh = std::max(b.oiDayHigh, b.oi);
    b.oiDayLow = std::min(b.oiDayLow, b.oi);
}

void SimMarketState::refreshPrice(InstrumentBook &b, bool trade) const
{
    const IstMoment now = m_clock.now();
    if (const std::optional<Quote> quote = m_market.quote(b.key)) {
        b.cp = quote->previousClose.toDouble();
        b.lowerCircuit = quote->lowerCircuit ? quote->lowerCircuit->toDouble() : 0.0;
        b.upperCircuit = quote->upperCircuit ? quote->upperCircuit->toDouble() : 0.0;
        const double close = b.cp > 0 ? b.cp : quote->last.toDouble();
        if (b.hasBook() && (b.lowerCircuit <= 0 || b.upperCircuit <= 0) && close > 0) {
            // The simulated market bands futures only; options and equities get NSE-like bands
            // around the previous close (options -50 % / +50 %, equities 20 %), at least a tick.
            const double band = isOption(b.kind) ? 0.5 : 0.2;
            b.lowerCircuit = std::max(b.tick, ticksUp(close * (1 - band), b.tick));
            b.upperCircuit = std::max(b.tick * 2, ticksDown(close * (1 + band), b.tick));
        }
        double price = quote->last.toDouble();
        if (b.upperCircuit > 0)
            price = std::min(price, b.upperCircuit);
        if (b.lowerCircuit > 0)
            price = std::max(price, b.lowerCircuit);
        b.ltp = price;
    }
    if (trade) {
        b.ltt = now.epochMs;
        b.dayHigh = std::max(b.dayHigh, b.ltp);
        b.dayLow = std::min(b.dayLow, b.ltp);
        const std::int64_t minute = now.epochMs - now.epochMs % MinuteMs;
        if (minute != b.bar.startMs) {
            b.previousBar = b.bar;
            b.bar = MinuteBar{minute, b.ltp, b.ltp, b.ltp, b.ltp, 0};
        }
        b.bar.high = std::max(b.bar.high, b.ltp);
        b.bar.low = std::min(b.bar.low, b.ltp);
        b.bar.close = b.ltp;
    }
    if (!isOption(b.kind))
        return;

    // Greeks and IV on the forward the market prices the option from.
    const double years =
        b.expiry == NoDay
            ? 0.0
            : std::max(0.0,
                       static_cast<double>(IstMoment::fromDay(b.expiry, ExpiryMinuteOfDay).epochMs -
                                           now.epochMs) /
                           MsPerYear);
    const std::optional<Price> spot = m_market.underlyingPrice(b.underlying);
    const double rate = m_market.carryRate();
    if (!spot || years <= 0 || b.strike <= 0) {
        b.delta = b.gamma = b.theta = b.vega = b.rho = b.iv = 0;
        return;
    }
    const OptionRight right = b.kind == InstrumentKind::Call ? OptionRight::Call : OptionRight::Put;
    Black76Input in;
    in.forward = spot->toDouble() * std::exp(rate * years);
    in.strike = b.strike;
    in.years = years;
    in.rate = rate;
    // IV: the volatility that gives the traded price (core's solver, as the terminal's own
    // analytics use); a price with no time value left keeps the market's volatility for the
    // greeks and sends IV 0, as Upstox does for deep ITM legs.
    const ImpliedVolatility implied = impliedVolatility(right, in, b.ltp);
    b.iv = implied.ok() ? implied.volatility : 0;
    in.volatility = b.iv > 0 ? b.iv : m_market.optionVolatility();
    const Greeks g = black76Greeks(right, in);
    b.delta = g.delta;
    b.gamma = g.gamma;
    b.vega = g.vega;
    b.theta = g.theta;
    b.rho = g.rho;
}

void SimMarketState::rebuildDepth(InstrumentBook &b)
{
    // Quotes straddle the last price, one or two ticks apart, inside the circuit band; a side
    // beyond the band is empty (nobody sells above the upper circuit).
    const std::int64_t gap = uniformInt(m_random, 1, 2);
    double bid = onTick(b.ltp - static_cast<double>(gap) * b.tick, b.tick);
    double ask = onTick(b.ltp + static_cast<double>(gap) * b.tick, b.tick);
    if (b.upperCircuit > 0 && b.ltp >= b.upperCircuit)
        bid = b.upperCircuit; // locked at the upper circuit: buyers only
    if (b.lowerCircuit > 0 && b.ltp <= b.lowerCircuit)
        ask = b.lowerCircuit;
    for (int i = 0; i < InstrumentBook::DeepDepthLevels; ++i) {
        const auto level = [&](double price) {
            const std::int64_t quantity =
                b.lot > 1 ? b.lot * uniformInt(m_random, 1, 40) : uniformInt(m_random, 1, 2000);
            const std::int64_t lots = quantity / b.lot;
            return BookLevel{
                price, quantity,
                static_cast<int>(uniformInt(
                    m_random, 1, std::min<std::int64_t>(12, std::max<std::int64_t>(1, lots))))};
        };
        const bool bidInBand = bid >= b.tick && (b.lowerCircuit <= 0 || bid >= b.lowerCircuit);
        const bool askInBand = b.upperCircuit <= 0 || ask <= b.upperCircuit;
        b.bids[i] = bidInBand ? level(bid) : BookLevel{};
        b.asks[i] = askInBand ? level(ask) : BookLevel{};
        const double step = b.tick * static_cast<double>(uniformInt(m_random, 1, 2));
        bid = onTick(bid - step, b.tick);
        ask = onTick(ask + step, b.tick);
    }
}

void SimMarketState::jiggleDepth(InstrumentBook &b)
{
    const std::int64_t changes = uniformInt(m_random, 1, 3);
    for (std::int64_t c = 0; c < changes; ++c) {
        const auto level =
            static_cast<std::size_t>(uniformInt(m_random, 0, InstrumentBook::DepthLevels - 1));
        BookLevel &l = uniformInt(m_random, 0, 1) == 0 ? b.bids[level] : b.asks[level];
        if (l.price <= 0)
            continue;
        const std::int64_t unit = b.lot > 1 ? b.lot : 10;
        l.quantity = std::max<std::int64_t>(unit, l.quantity + unit * uniformInt(m_random, -5, 5));
        l.orders = std::clamp<int>(l.orders + static_cast<int>(uniformInt(m_random, -1, 1)), 1,
                                   static_cast<int>(std::max<std::int64_t>(1, l.quantity / unit)));
    }
    b.tbq = std::max(0.0, b.tbq + static_cast<double>(b.lot * uniformInt(m_random, -50, 50)));
    b.tsq = std::max(0.0, b.tsq + static_cast<double>(b.lot * uniformInt(m_random, -50, 50)));
}

} // namespace strikeline::sim
