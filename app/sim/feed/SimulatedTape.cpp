#include "SimulatedTape.h"

#include "common/IstTime.h"

#include <array>
#include <cmath>

namespace strikeline::sim {

namespace {

// The segments market_info lists (the order of Upstox's own sample, upstox-live.md §1.4).
constexpr std::array<std::string_view, 11> InfoSegments = {
    "NSE_COM", "NCD_FO", "NSE_FO",    "BSE_EQ",    "BCD_FO",    "BSE_FO",
    "NSE_EQ",  "MCX_FO", "MCX_INDEX", "NSE_INDEX", "BSE_INDEX",
};

upstoxpb::MarketStatus statusAt(std::string_view segment, IstMoment now)
{
    switch (sessionStatus(segment, now)) {
    case SessionStatus::PreOpenStart:
        return upstoxpb::PRE_OPEN_START;
    case SessionStatus::PreOpenEnd:
        return upstoxpb::PRE_OPEN_END;
    case SessionStatus::NormalOpen:
        return upstoxpb::NORMAL_OPEN;
    case SessionStatus::ClosingStart:
        return upstoxpb::CLOSING_START;
    case SessionStatus::ClosingEnd:
        return upstoxpb::CLOSING_END;
    case SessionStatus::NormalClose:
        break;
    }
    return upstoxpb::NORMAL_CLOSE;
}

using Book = InstrumentBook;

void fillLtpc(upstoxpb::LTPC &ltpc, const Book &b)
{
    ltpc.set_ltp(b.ltp);
    ltpc.set_ltt(b.ltt);
    ltpc.set_ltq(b.ltq);
    ltpc.set_cp(b.cp);
}

void fillDepth(upstoxpb::MarketLevel &level, const Book &b, FeedMode mode)
{
    const int levels = mode == FeedMode::FullD30 ? Book::DeepDepthLevels : Book::DepthLevels;
    for (int i = 0; i < levels; ++i) {
        upstoxpb::Quote *q = level.add_bidaskquote();
        q->set_bidq(b.bids[i].quantity);
        q->set_bidp(b.bids[i].price);
        q->set_askq(b.asks[i].quantity);
        q->set_askp(b.asks[i].price);
    }
}

void fillOhlc(upstoxpb::MarketOHLC &ohlc, const Book &b)
{
    upstoxpb::OHLC *day = ohlc.add_ohlc();
    day->set_interval("1d");
    day->set_open(b.dayOpen);
    day->set_high(b.dayHigh);
    day->set_low(b.dayLow);
    day->set_close(b.ltp);
    day->set_vol(b.vtt);
    day->set_ts(b.dayStartMs);
    for (const MinuteBar *bar : {&b.previousBar, &b.bar}) {
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

void fillGreeks(upstoxpb::OptionGreeks &greeks, const Book &b)
{
    greeks.set_delta(b.delta);
    greeks.set_theta(b.theta);
    greeks.set_gamma(b.gamma);
    greeks.set_vega(b.vega);
    greeks.set_rho(b.rho);
}

void fillFull(upstoxpb::Feed &feed, const Book &b, FeedMode mode, bool snapshot, TapeEvent event)
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
                f.set_oi(static_cast<double>(b.oi));
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
            f.set_atp(std::round(b.averagePrice() * 100.0) / 100.0);
        f.set_vtt(b.vtt);
        if (b.hasOi() && (snapshot || b.oiChanged))
            f.set_oi(static_cast<double>(b.oi));
        if (isOption(b.kind)) {
            fillGreeks(*f.mutable_optiongreeks(), b);
            f.set_iv(b.iv);
        }
    }
    fillDepth(*f.mutable_marketlevel(), b, mode);
    f.set_tbq(b.tbq);
    f.set_tsq(b.tsq);
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

SimulatedTape::SimulatedTape(SimMarketState &state)
    : m_state(state)
{}

SimulatedTape::SimulatedTape(const InstrumentRepository &instruments, const SimulatedMarket &market,
                             const Clock &clock, std::uint64_t seed)
    : m_ownState(std::make_unique<SimMarketState>(instruments, market, clock, seed))
    , m_state(*m_ownState)
{}

SimulatedTape::~SimulatedTape() = default;

bool SimulatedTape::knows(std::string_view instrumentKey) const
{
    return m_state.knows(instrumentKey);
}

upstoxpb::MarketStatus SimulatedTape::segmentStatus(std::string_view segment) const
{
    return statusAt(segment, m_state.clock().now());
}

bool SimulatedTape::isOpen(std::string_view instrumentKey) const
{
    return m_state.isOpen(instrumentKey);
}

upstoxpb::FeedResponse SimulatedTape::marketInfo() const
{
    const IstMoment now = m_state.clock().now();
    upstoxpb::FeedResponse response;
    response.set_type(upstoxpb::market_info);
    response.set_currentts(now.epochMs);
    auto &statuses = *response.mutable_marketinfo()->mutable_segmentstatus();
    for (const std::string_view segment : InfoSegments)
        statuses[std::string(segment)] = statusAt(segment, now);
    return response;
}

TapeEvent SimulatedTape::step(const std::string &instrumentKey, bool forceActivity)
{
    return m_state.step(instrumentKey, forceActivity);
}

bool SimulatedTape::addSnapshot(upstoxpb::FeedResponse &response, const std::string &instrumentKey,
                                FeedMode mode)
{
    const Book *book = m_state.read(instrumentKey);
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
    const Book *book = m_state.find(instrumentKey);
    if (!book)
        return false;
    fillFull((*response.mutable_feeds())[instrumentKey], *book, mode, false, event);
    return true;
}

} // namespace strikeline::sim
