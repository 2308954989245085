#include "marketdata/feed/UpstoxFeedDecoder.h"

#include "MarketDataFeedV3.pb.h"

#include <cmath>
#include <google/protobuf/arena.h>
#include <mutex>

namespace strikeline::marketdata {

namespace pb = com::upstox::marketdatafeederv3udapi::rpc::proto;

namespace {

// A feed double in rupees as an exact Price (rounded to 1/10000 rupee); nullopt for 0 ("not
// sent"), NaN or absurd values.
std::optional<Price> sentPrice(double rupees)
{
    if (rupees == 0 || !std::isfinite(rupees) || std::abs(rupees) > 9.0e14)
        return std::nullopt;
    return Price::fromRaw(std::llround(rupees * static_cast<double>(Price::Scale)));
}

void mergeLtpc(LiveQuote &q, const pb::LTPC &ltpc)
{
    if (const auto ltp = sentPrice(ltpc.ltp())) {
        q.ltp = *ltp;
        q.fields |= LiveQuote::Ltp;
    }
    if (const auto close = sentPrice(ltpc.cp())) {
        q.close = *close;
        q.fields |= LiveQuote::Close;
    }
    if (ltpc.ltt() != 0) {
        q.lastTradeMs = ltpc.ltt();
        q.fields |= LiveQuote::LastTradeTime;
    }
    if (ltpc.ltq() != 0) {
        q.lastQuantity = ltpc.ltq();
        q.fields |= LiveQuote::LastQuantity;
    }
}

DepthLevel levelOf(const pb::Quote &quote)
{
    DepthLevel level;
    level.bid = sentPrice(quote.bidp()).value_or(Price());
    level.ask = sentPrice(quote.askp()).value_or(Price());
    level.bidQuantity = quote.bidq();
    level.askQuantity = quote.askq();
    return level;
}

void mergeDepth(LiveQuote &q, const pb::MarketLevel &level)
{
    const int levels = std::min(level.bidaskquote_size(), LiveQuote::MaxDepth);
    for (int i = 0; i < levels; ++i)
        q.depth[static_cast<std::size_t>(i)] = levelOf(level.bidaskquote(i));
    for (int i = levels; i < LiveQuote::MaxDepth; ++i)
        q.depth[static_cast<std::size_t>(i)] = DepthLevel{};
    q.depthLevels = levels;
    q.fields |= LiveQuote::Depth;
}

void mergeFirstDepth(LiveQuote &q, const pb::Quote &quote)
{
    q.depth[0] = levelOf(quote);
    q.depthLevels = std::max(q.depthLevels, 1);
    q.fields |= LiveQuote::Depth;
}

void mergeGreeks(LiveQuote &q, const pb::OptionGreeks &greeks)
{
    // Sent greeks are all set together; a zero one (an unsent proto3 scalar) keeps its value.
    const auto take = [](double &to, double value) {
        if (value != 0 && std::isfinite(value))
            to = value;
    };
    take(q.delta, greeks.delta());
    take(q.gamma, greeks.gamma());
    take(q.theta, greeks.theta());
    take(q.vega, greeks.vega());
    take(q.rho, greeks.rho());
    if (greeks.delta() != 0 || greeks.gamma() != 0 || greeks.theta() != 0 || greeks.vega() != 0)
        q.fields |= LiveQuote::Greeks;
}

void mergeOhlc(LiveQuote &q, const pb::MarketOHLC &ohlc)
{
    for (const pb::OHLC &bar : ohlc.ohlc()) {
        if (bar.interval() != "1d")
            continue;
        const auto open = sentPrice(bar.open());
        const auto high = sentPrice(bar.high());
        const auto low = sentPrice(bar.low());
        if (open)
            q.open = *open;
        if (high)
            q.high = *high;
        if (low)
            q.low = *low;
        if (open || high || low)
            q.fields |= LiveQuote::DayOhlc;
    }
}

void mergeVolume(LiveQuote &q, std::int64_t vtt)
{
    if (vtt != 0) {
        q.volume = vtt;
        q.fields |= LiveQuote::Volume;
    }
}

void mergeOi(LiveQuote &q, double oi)
{
    if (oi != 0 && std::isfinite(oi)) {
        q.oi = std::llround(oi);
        q.fields |= LiveQuote::Oi;
    }
}

void mergeIv(LiveQuote &q, double iv)
{
    if (iv != 0 && std::isfinite(iv)) {
        q.iv = iv;
        q.fields |= LiveQuote::Iv;
    }
}

void mergeFeed(LiveQuote &q, const pb::Feed &feed)
{
    switch (feed.FeedUnion_case()) {
    case pb::Feed::kLtpc:
        mergeLtpc(q, feed.ltpc());
        break;
    case pb::Feed::kFirstLevelWithGreeks: {
        const pb::FirstLevelWithGreeks &f = feed.firstlevelwithgreeks();
        if (f.has_ltpc())
            mergeLtpc(q, f.ltpc());
        if (f.has_firstdepth())
            mergeFirstDepth(q, f.firstdepth());
        if (f.has_optiongreeks())
            mergeGreeks(q, f.optiongreeks());
        mergeVolume(q, f.vtt());
        mergeOi(q, f.oi());
        mergeIv(q, f.iv());
        break;
    }
    case pb::Feed::kFullFeed: {
        const pb::FullFeed &full = feed.fullfeed();
        if (full.has_indexff()) {
            const pb::IndexFullFeed &f = full.indexff();
            if (f.has_ltpc())
                mergeLtpc(q, f.ltpc());
            if (f.has_marketohlc())
                mergeOhlc(q, f.marketohlc());
        } else if (full.has_marketff()) {
            const pb::MarketFullFeed &f = full.marketff();
            if (f.has_ltpc())
                mergeLtpc(q, f.ltpc());
            if (f.has_marketlevel())
                mergeDepth(q, f.marketlevel());
            if (f.has_optiongreeks())
                mergeGreeks(q, f.optiongreeks());
            if (f.has_marketohlc())
                mergeOhlc(q, f.marketohlc());
            if (const auto atp = sentPrice(f.atp())) {
                q.averagePrice = *atp;
                q.fields |= LiveQuote::AveragePrice;
            }
            mergeVolume(q, f.vtt());
            mergeOi(q, f.oi());
            mergeIv(q, f.iv());
            if (f.tbq() != 0) {
                q.totalBuy = f.tbq();
                q.fields |= LiveQuote::TotalBuy;
            }
            if (f.tsq() != 0) {
                q.totalSell = f.tsq();
                q.fields |= LiveQuote::TotalSell;
            }
        }
        break;
    }
    case pb::Feed::FEEDUNION_NOT_SET:
        break;
    }
    q.mode = static_cast<std::int32_t>(feed.requestmode());
}

SegmentStatus statusOf(pb::MarketStatus status)
{
    switch (status) {
    case pb::PRE_OPEN_START:
        return SegmentStatus::PreOpen;
    case pb::PRE_OPEN_END:
        return SegmentStatus::PreOpenEnd;
    case pb::NORMAL_OPEN:
        return SegmentStatus::Open;
    case pb::NORMAL_CLOSE:
        return SegmentStatus::Closed;
    case pb::CLOSING_START:
        return SegmentStatus::ClosingStart;
    case pb::CLOSING_END:
        return SegmentStatus::ClosingEnd;
    default:
        return SegmentStatus::Unknown;
    }
}

struct Counter
{
    std::atomic<std::uint64_t> value{0};
    void add(std::uint64_t n)
    {
        value.store(value.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
    std::uint64_t get() const { return value.load(std::memory_order_relaxed); }
};

} // namespace

struct UpstoxFeedDecoder::Impl
{
    explicit Impl(QuoteBook &b)
        : book(b)
        , arena(arenaOptions())
    {}

    static google::protobuf::ArenaOptions arenaOptions()
    {
        google::protobuf::ArenaOptions options;
        options.start_block_size = 64 * 1024;
        options.max_block_size = 1024 * 1024;
        return options;
    }

    QuoteBook &book;
    google::protobuf::Arena arena; // reset after every frame: a frame allocates nothing new
    TickObserver observer;
    Counter frames, ticks, marketInfos, malformed, unknownKeys, bytes;
    mutable std::mutex errorMutex;
    QString lastError;
};

UpstoxFeedDecoder::UpstoxFeedDecoder(QuoteBook &book)
    : m_impl(std::make_unique<Impl>(book))
{}

UpstoxFeedDecoder::~UpstoxFeedDecoder() = default;

void UpstoxFeedDecoder::setTickObserver(TickObserver observer)
{
    m_impl->observer = std::move(observer);
}

bool UpstoxFeedDecoder::decode(const char *data, std::size_t size, std::int64_t receivedNs)
{
    Impl &d = *m_impl;
    d.bytes.add(size);
    auto *response = google::protobuf::Arena::CreateMessage<pb::FeedResponse>(&d.arena);
    if (size > static_cast<std::size_t>(std::numeric_limits<int>::max()) ||
        !response->ParseFromArray(data, static_cast<int>(size))) {
        d.arena.Reset();
        d.malformed.add(1);
        const std::lock_guard lock(d.errorMutex);
        d.lastError = QStringLiteral("a feed frame of %1 bytes is not a FeedResponse").arg(size);
        return false;
    }
    d.frames.add(1);
    if (response->has_marketinfo()) {
        d.marketInfos.add(1);
        for (const auto &[segment, status] : response->marketinfo().segmentstatus())
            d.book.setSegmentStatus(QString::fromStdString(segment), statusOf(status),
                                    response->currentts());
    }
    if (!response->feeds().empty()) {
        QuoteBook::Writer writer(d.book);
        std::uint64_t merged = 0;
        for (const auto &[key, feed] : response->feeds()) {
            const QuoteBook::SlotId id = writer.slot(key);
            if (id == QuoteBook::NoSlot) {
                d.unknownKeys.add(1);
                continue;
            }
            LiveQuote &q = writer.shadow(id);
            mergeFeed(q, feed);
            if (response->currentts() != 0)
                q.exchangeMs = response->currentts();
            q.receivedNs = receivedNs;
            writer.publish(id);
            ++merged;
            if (d.observer)
                d.observer(id, q);
        }
        d.ticks.add(merged);
    }
    d.arena.Reset();
    return true;
}

UpstoxFeedDecoder::Stats UpstoxFeedDecoder::stats() const
{
    const Impl &d = *m_impl;
    return Stats{d.frames.get(),    d.ticks.get(),       d.marketInfos.get(),
                 d.malformed.get(), d.unknownKeys.get(), d.bytes.get()};
}

QString UpstoxFeedDecoder::lastError() const
{
    const std::lock_guard lock(m_impl->errorMutex);
    return m_impl->lastError;
}

} // namespace strikeline::marketdata
