#include "SimulatedTape.h"

#include "analytics/Black76.h"
#include "analytics/ImpliedVolatility.h"
#include "common/IstTime.h"
#include "common/Price.h"
#include "instruments/InstrumentRepository.h"
#include "marketdata/SimulatedMarket.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace strikeline::sim {

namespace {

constexpr double MsPerYear = 365.0 * 86400.0 * 1000.0;
constexpr int ExpiryMinuteOfDay = 15 * 60 + 30;
constexpr int DepthLevels = 5;
constexpr int DeepDepthLevels = 30;
constexpr std::int64_t MinuteMs = 60'000;

constexpr int hm(int hour, int minute)
{
    return hour * 60 + minute;
}

// The segments market_info lists (the order of Upstox's own sample, upstox-live.md §1.4).
constexpr std::array<std::string_view, 11> InfoSegments = {
    "NSE_COM", "NCD_FO", "NSE_FO",    "BSE_EQ",    "BCD_FO",    "BSE_FO",
    "NSE_EQ",  "MCX_FO", "MCX_INDEX", "NSE_INDEX", "BSE_INDEX",
};

// The sessions, in IST minutes (upstox-reference.md §3.10, §4.1). Holidays are not known here:
// every weekday trades.
upstoxpb::MarketStatus statusAt(std::string_view segment, IstMoment now)
{
    const QDate date = toQDate(now.day());
    if (date.dayOfWeek() >= 6)
        return upstoxpb::NORMAL_CLOSE;
    const int m = now.minuteOfDay();
    if (segment == "MCX_FO" || segment == "MCX_INDEX" || segment == "NSE_COM")
        return m >= hm(9, 0) && m < hm(23, 30) ? upstoxpb::NORMAL_OPEN : upstoxpb::NORMAL_CLOSE;
    if (segment == "NCD_FO" || segment == "BCD_FO")
        return m >= hm(9, 0) && m < hm(17, 0) ? upstoxpb::NORMAL_OPEN : upstoxpb::NORMAL_CLOSE;
    const bool cash = segment == "NSE_EQ" || segment == "BSE_EQ";
    // Equities have a pre-open auction; so do NSE futures since 8 Dec 2025 (§4.1).
    const bool preOpen =
        cash || (segment == "NSE_FO" && now.day() >= fromQDate(QDate(2025, 12, 8)));
    if (preOpen && m >= hm(9, 0) && m < hm(9, 8))
        return upstoxpb::PRE_OPEN_START;
    if (preOpen && m >= hm(9, 8) && m < hm(9, 15))
        return upstoxpb::PRE_OPEN_END;
    if (m >= hm(9, 15) && m < hm(15, 30))
        return upstoxpb::NORMAL_OPEN;
    if (cash && m >= hm(15, 40) && m < hm(16, 0))
        return upstoxpb::CLOSING_START; // the closing session
    if (cash && m >= hm(16, 0) && m < hm(23, 59))
        return upstoxpb::CLOSING_END;
    return upstoxpb::NORMAL_CLOSE;
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

} // namespace

std::optional<FeedMode> parseFeedMode(std::string_view name)
{
    if (name == "ltpc")
        return FeedMode::Ltpc;
    if (name == "option_greeks")
        return FeedMode::OptionGreeks;
    if (name == "full")
        return FeedMode::Full;
    if (name == "full_d30")
        return FeedMode::FullD30;
    return std::nullopt;
}

std::string_view feedModeName(FeedMode mode)
{
    switch (mode) {
    case FeedMode::Ltpc:
        return "ltpc";
    case FeedMode::OptionGreeks:
        return "option_greeks";
    case FeedMode::Full:
        return "full";
    case FeedMode::FullD30:
        return "full_d30";
    }
    return "ltpc";
}

upstoxpb::RequestMode requestModeOf(FeedMode mode)
{
    switch (mode) {
    case FeedMode::Ltpc:
        return upstoxpb::ltpc;
    case FeedMode::OptionGreeks:
        return upstoxpb::option_greeks;
    case FeedMode::Full:
        return upstoxpb::full_d5;
    case FeedMode::FullD30:
        return upstoxpb::full_d30;
    }
    return upstoxpb::ltpc;
}

struct SimulatedTape::Book
{
    std::string key;
    std::string underlying;
    std::string segment;
    InstrumentKind kind = InstrumentKind::Equity;
    double strike = 0;
    EpochDay expiry = NoDay;
    double tick = 0.05;
    std::int64_t lot = 1;

    double ltp = 0;
    double cp = 0;
    std::int64_t ltt = 0;
    std::int64_t ltq = 0;
    double lowerCircuit = 0; // 0: none known
    double upperCircuit = 0;

    double dayOpen = 0, dayHigh = 0, dayLow = 0;
    std::int64_t dayStartMs = 0;
    Bar bar, previousBar;

    std::int64_t vtt = 0;
    double turnover = 0;
    double oi = 0;
    bool oiChanged = false;
    std::array<Level, DeepDepthLevels> bids{}, asks{};
    double tbq = 0, tsq = 0;

    double delta = 0, gamma = 0, theta = 0, vega = 0, rho = 0, iv = 0;

    bool isIndex() const { return kind == InstrumentKind::Index; }
    bool hasBook() const { return !isIndex(); }
    bool hasOi() const { return isDerivative(kind); }
};

SimulatedTape::SimulatedTape(const InstrumentRepository &instruments, const SimulatedMarket &market,
                             const Clock &clock, std::uint64_t seed)
    : m_instruments(instruments)
    , m_market(market)
    , m_clock(clock)
    , m_seed(seed)
    , m_random(seed)
{}

SimulatedTape::~SimulatedTape() = default;

bool SimulatedTape::knows(std::string_view instrumentKey) const
{
    if (m_books.contains(std::string(instrumentKey)))
        return true;
    return m_market.quote(instrumentKey).has_value();
}

upstoxpb::MarketStatus SimulatedTape::segmentStatus(std::string_view segment) const
{
    return statusAt(segment, m_clock.now());
}

bool SimulatedTape::isOpen(std::string_view instrumentKey) const
{
    const std::size_t bar = instrumentKey.find('|');
    return segmentStatus(instrumentKey.substr(0, bar)) == upstoxpb::NORMAL_OPEN;
}

upstoxpb::FeedResponse SimulatedTape::marketInfo() const
{
    const IstMoment now = m_clock.now();
    upstoxpb::FeedResponse response;
    response.set_type(upstoxpb::market_info);
    response.set_currentts(now.epochMs);
    auto &statuses = *response.mutable_marketinfo()->mutable_segmentstatus();
    for (const std::string_view segment : InfoSegments)
        statuses[std::string(segment)] = statusAt(segment, now);
    return response;
}

SimulatedTape::Book *SimulatedTape::bookFor(const std::string &instrumentKey)
{
    if (const auto it = m_books.find(instrumentKey); it != m_books.end())
        return it->second.get();
    const std::optional<Quote> quote = m_market.quote(instrumentKey);
    const SnapshotPtr snapshot = m_instruments.snapshot();
    const std::optional<InstrumentId> id = snapshot->findByKey(instrumentKey);
    if (!quote || !id)
        return nullptr;
    const InstrumentView contract = snapshot->instrument(*id);

    auto book = std::make_unique<Book>();
    Book &b = *book;
    b.key = instrumentKey;
    b.underlying = std::string(contract.underlyingSymbol());
    b.segment = std::string(segmentName(contract.segment()));
    b.kind = contract.kind();
    b.strike = contract.strike().toDouble();
    b.expiry = contract.expiry();
    b.tick = contract.tickSize().isPositive() ? contract.tickSize().toDouble() : 0.05;
    b.lot = std::max<std::int64_t>(1, contract.lotSize());

    // Everything the market does not model starts from the seed and the key alone, so a key's
    // snapshot does not depend on which keys were asked for before it.
    std::mt19937_64 own(m_seed ^ fnv1a(instrumentKey));
    const IstMoment now = m_clock.now();
    b.dayStartMs = IstMoment::fromDay(now.day()).epochMs;
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
            double nearness = 1.0;
            if (isOption(b.kind)) {
                const std::optional<Price> spot = m_market.underlyingPrice(b.underlying);
                if (spot && spot->isPositive())
                    nearness = 1.0 / (1.0 + 50.0 * std::abs(b.strike / spot->toDouble() - 1.0));
            }
            b.oi = static_cast<double>(
                static_cast<std::int64_t>(uniform(own, 500, 50000) * nearness + 1) * b.lot);
        }
        rebuildDepth(b);
        double resting = 0, offered = 0;
        for (int i = 0; i < DepthLevels; ++i) {
            resting += static_cast<double>(b.bids[i].quantity);
            offered += static_cast<double>(b.asks[i].quantity);
        }
        b.tbq = std::round(resting * uniform(own, 5, 30));
        b.tsq = std::round(offered * uniform(own, 5, 30));
    }
    Book *raw = book.get();
    m_books.emplace(instrumentKey, std::move(book));
    return raw;
}

void SimulatedTape::refreshPrice(Book &b, bool trade)
{
    const IstMoment now = m_clock.now();
    if (const std::optional<Quote> quote = m_market.quote(b.key)) {
        b.lowerCircuit = quote->lowerCircuit ? quote->lowerCircuit->toDouble() : 0.0;
        b.upperCircuit = quote->upperCircuit ? quote->upperCircuit->toDouble() : 0.0;
        double price = quote->last.toDouble();
        if (b.upperCircuit > 0)
            price = std::min(price, b.upperCircuit);
        if (b.lowerCircuit > 0)
            price = std::max(price, b.lowerCircuit);
        b.ltp = price;
        b.cp = quote->previousClose.toDouble();
    }
    if (trade) {
        b.ltt = now.epochMs;
        b.dayHigh = std::max(b.dayHigh, b.ltp);
        b.dayLow = std::min(b.dayLow, b.ltp);
        const std::int64_t minute = now.epochMs - now.epochMs % MinuteMs;
        if (minute != b.bar.startMs) {
            b.previousBar = b.bar;
            b.bar = Bar{minute, b.ltp, b.ltp, b.ltp, b.ltp, 0};
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

void SimulatedTape::rebuildDepth(Book &b)
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
    for (int i = 0; i < DeepDepthLevels; ++i) {
        const auto size = [&] {
            return b.lot > 1 ? b.lot * uniformInt(m_random, 1, 40) : uniformInt(m_random, 1, 2000);
        };
        const bool bidInBand = bid >= b.tick && (b.lowerCircuit <= 0 || bid >= b.lowerCircuit);
        const bool askInBand = b.upperCircuit <= 0 || ask <= b.upperCircuit;
        b.bids[i] = bidInBand ? Level{bid, size()} : Level{};
        b.asks[i] = askInBand ? Level{ask, size()} : Level{};
        const double step = b.tick * static_cast<double>(uniformInt(m_random, 1, 2));
        bid = onTick(bid - step, b.tick);
        ask = onTick(ask + step, b.tick);
    }
}

void SimulatedTape::jiggleDepth(Book &b)
{
    const std::int64_t changes = uniformInt(m_random, 1, 3);
    for (std::int64_t c = 0; c < changes; ++c) {
        const auto level = static_cast<std::size_t>(uniformInt(m_random, 0, DepthLevels - 1));
        Level &l = uniformInt(m_random, 0, 1) == 0 ? b.bids[level] : b.asks[level];
        if (l.price <= 0)
            continue;
        const std::int64_t unit = b.lot > 1 ? b.lot : 10;
        l.quantity = std::max<std::int64_t>(unit, l.quantity + unit * uniformInt(m_random, -5, 5));
    }
    b.tbq = std::max(0.0, b.tbq + static_cast<double>(b.lot * uniformInt(m_random, -50, 50)));
    b.tsq = std::max(0.0, b.tsq + static_cast<double>(b.lot * uniformInt(m_random, -50, 50)));
}

TapeEvent SimulatedTape::step(const std::string &instrumentKey, bool forceActivity)
{
    Book *book = bookFor(instrumentKey);
    if (!book)
        return TapeEvent::None;
    Book &b = *book;
    b.oiChanged = false;
    const double draw = uniform(m_random, 0, 1);
    if (b.isIndex()) {
        // An index has no trades and no book: its value moves with the market.
        const double before = b.ltp;
        refreshPrice(b, true);
        return forceActivity || b.ltp != before || draw < 0.3 ? TapeEvent::Trade : TapeEvent::None;
    }
    const TapeEvent event = draw < 0.45                   ? TapeEvent::Trade
                            : draw < 0.8 || forceActivity ? TapeEvent::Quote
                                                          : TapeEvent::None;
    if (event == TapeEvent::Trade) {
        refreshPrice(b, true);
        b.ltq = b.lot > 1 ? b.lot * uniformInt(m_random, 1, 10) : uniformInt(m_random, 1, 500);
        b.vtt += b.ltq;
        b.bar.volume += b.ltq;
        b.turnover += static_cast<double>(b.ltq) * b.ltp;
        if (b.hasOi() && uniform(m_random, 0, 1) < 0.3) {
            const double next = b.oi + static_cast<double>(b.lot * uniformInt(m_random, -20, 20));
            b.oiChanged = next != b.oi && next >= static_cast<double>(b.lot);
            if (b.oiChanged)
                b.oi = next;
        }
        rebuildDepth(b);
        jiggleDepth(b);
    } else if (event == TapeEvent::Quote) {
        jiggleDepth(b);
    }
    return event;
}

void SimulatedTape::fillLtpc(upstoxpb::LTPC &ltpc, const Book &b) const
{
    ltpc.set_ltp(b.ltp);
    ltpc.set_ltt(b.ltt);
    ltpc.set_ltq(b.ltq);
    ltpc.set_cp(b.cp);
}

void SimulatedTape::fillDepth(upstoxpb::MarketLevel &level, const Book &b, FeedMode mode) const
{
    const int levels = mode == FeedMode::FullD30 ? DeepDepthLevels : DepthLevels;
    for (int i = 0; i < levels; ++i) {
        upstoxpb::Quote *q = level.add_bidaskquote();
        q->set_bidq(b.bids[i].quantity);
        q->set_bidp(b.bids[i].price);
        q->set_askq(b.asks[i].quantity);
        q->set_askp(b.asks[i].price);
    }
}

void SimulatedTape::fillOhlc(upstoxpb::MarketOHLC &ohlc, const Book &b) const
{
    upstoxpb::OHLC *day = ohlc.add_ohlc();
    day->set_interval("1d");
    day->set_open(b.dayOpen);
    day->set_high(b.dayHigh);
    day->set_low(b.dayLow);
    day->set_close(b.ltp);
    day->set_vol(b.vtt);
    day->set_ts(b.dayStartMs);
    for (const Bar *bar : {&b.previousBar, &b.bar}) {
        if (bar->startMs == 0)
            continue;
        upstoxpb::OHLC *minute = ohlc.add_ohlc();
        minute->set_interval("I1");
        minute->set_open(bar->open);
        minute->set_high(bar->high);
        minute->set_low(bar->low);
        minute->set_close(bar->close);
        minute->set_vol(bar->volume);
        minute->set_ts(bar->startMs);
    }
}

void SimulatedTape::fillGreeks(upstoxpb::OptionGreeks &greeks, const Book &b) const
{
    greeks.set_delta(b.delta);
    greeks.set_theta(b.theta);
    greeks.set_gamma(b.gamma);
    greeks.set_vega(b.vega);
    greeks.set_rho(b.rho);
}

void SimulatedTape::fillFull(upstoxpb::Feed &feed, const Book &b, FeedMode mode, bool snapshot,
                             TapeEvent event) const
{
    const bool traded = snapshot || event == TapeEvent::Trade;
    feed.set_requestmode(requestModeOf(mode));
    switch (mode) {
    case FeedMode::Ltpc:
        fillLtpc(*feed.mutable_ltpc(), b);
        return;
    case FeedMode::OptionGreeks: {
        upstoxpb::FirstLevelWithGreeks &f = *feed.mutable_firstlevelwithgreeks();
        if (traded) {
            fillLtpc(*f.mutable_ltpc(), b);
            if (isOption(b.kind)) {
                fillGreeks(*f.mutable_optiongreeks(), b);
                f.set_iv(b.iv);
            }
            f.set_vtt(b.vtt);
            if (b.hasOi() && (snapshot || b.oiChanged))
                f.set_oi(b.oi);
        }
        if (b.hasBook()) {
            upstoxpb::Quote &q = *f.mutable_firstdepth();
            q.set_bidq(b.bids[0].quantity);
            q.set_bidp(b.bids[0].price);
            q.set_askq(b.asks[0].quantity);
            q.set_askp(b.asks[0].price);
        }
        return;
    }
    case FeedMode::Full:
    case FeedMode::FullD30:
        break;
    }
    if (b.isIndex()) {
        upstoxpb::IndexFullFeed &f = *feed.mutable_fullfeed()->mutable_indexff();
        fillLtpc(*f.mutable_ltpc(), b);
        fillOhlc(*f.mutable_marketohlc(), b);
        return;
    }
    upstoxpb::MarketFullFeed &f = *feed.mutable_fullfeed()->mutable_marketff();
    if (traded) {
        fillLtpc(*f.mutable_ltpc(), b);
        fillOhlc(*f.mutable_marketohlc(), b);
        if (b.vtt > 0)
            f.set_atp(std::round(b.turnover / static_cast<double>(b.vtt) * 100.0) / 100.0);
        f.set_vtt(b.vtt);
        if (b.hasOi() && (snapshot || b.oiChanged))
            f.set_oi(b.oi);
        if (isOption(b.kind)) {
            fillGreeks(*f.mutable_optiongreeks(), b);
            f.set_iv(b.iv);
        }
    }
    fillDepth(*f.mutable_marketlevel(), b, mode);
    f.set_tbq(b.tbq);
    f.set_tsq(b.tsq);
}

bool SimulatedTape::addSnapshot(upstoxpb::FeedResponse &response, const std::string &instrumentKey,
                                FeedMode mode)
{
    const Book *book = bookFor(instrumentKey);
    if (!book)
        return false;
    fillFull((*response.mutable_feeds())[instrumentKey], *book, mode, true, TapeEvent::Trade);
    return true;
}

bool SimulatedTape::addTick(upstoxpb::FeedResponse &response, const std::string &instrumentKey,
                            FeedMode mode, TapeEvent event)
{
    if (event == TapeEvent::None)
        return false;
    if (event == TapeEvent::Quote && mode == FeedMode::Ltpc)
        return false;
    const auto it = m_books.find(instrumentKey);
    if (it == m_books.end())
        return false;
    fillFull((*response.mutable_feeds())[instrumentKey], *it->second, mode, false, event);
    return true;
}

} // namespace strikeline::sim
