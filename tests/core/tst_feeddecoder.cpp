// The Upstox feed v3 decoder (core/marketdata/feed/UpstoxFeedDecoder.h) into the quote book:
// frames built here with the vendor's generated classes, the merge rules of upstox-live.md §0
// row 4 (incremental packets, zero = not sent, depth replaced, `type` not trusted), market_info,
// unknown fields, malformed frames, and the REST backfill that must not overwrite a newer tick.

#include "MarketDataFeedV3.pb.h"
#include "marketdata/QuoteBook.h"
#include "marketdata/feed/FeedBackfill.h"
#include "marketdata/feed/UpstoxFeedDecoder.h"

#include <QTest>

#include <string>

using namespace strikeline;
using marketdata::LiveQuote;
using marketdata::QuoteBook;
using marketdata::SegmentStatus;
using marketdata::UpstoxFeedDecoder;

namespace pb = com::upstox::marketdatafeederv3udapi::rpc::proto;

namespace {

const std::string Call = "NSE_FO|59312";
const std::string Nifty = "NSE_INDEX|Nifty 50";
const std::string Future = "NSE_FO|59000";

QByteArray bytesOf(const pb::FeedResponse &response)
{
    std::string out;
    response.SerializeToString(&out);
    return QByteArray::fromStdString(out);
}

pb::FeedResponse greeksTick(double ltp, double cp, std::int64_t vtt, double oi, double iv)
{
    pb::FeedResponse response;
    response.set_type(pb::live_feed);
    response.set_currentts(1'755'750'000'000);
    pb::Feed &feed = (*response.mutable_feeds())[Call];
    feed.set_requestmode(pb::option_greeks);
    pb::FirstLevelWithGreeks &f = *feed.mutable_firstlevelwithgreeks();
    if (ltp != 0) {
        f.mutable_ltpc()->set_ltp(ltp);
        f.mutable_ltpc()->set_cp(cp);
        f.mutable_ltpc()->set_ltt(1'755'749'999'000);
        f.mutable_ltpc()->set_ltq(75);
    }
    f.set_vtt(vtt);
    f.set_oi(oi);
    f.set_iv(iv);
    return response;
}

LiveQuote readOrFail(const QuoteBook &book, const std::string &key)
{
    const auto q = book.read(key);
    if (!q)
        qFatal("no state for %s", key.c_str());
    return *q;
}

} // namespace

class tst_FeedDecoder final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void optionGreeksPacketFillsTheSlot();
    void partialTicksNeverEraseWhatWasKnown();
    void fullPacketReplacesDepthAndReadsTheDay();
    void indexFullFeedAndLtpcMode();
    void snapshotTypeIsNotTrusted();
    void marketInfoSetsSegmentStatus();
    void unknownFieldsAreIgnored();
    void malformedFrameChangesNothing();
    void observerSeesEachMergedPacket();
    void backfillNeverOverwritesANewerTick();
};

void tst_FeedDecoder::optionGreeksPacketFillsTheSlot()
{
    QuoteBook book;
    UpstoxFeedDecoder decoder(book);
    pb::FeedResponse response = greeksTick(101.25, 98.5, 150000, 2'250'000, 14.2);
    pb::FirstLevelWithGreeks &f = *(*response.mutable_feeds())[Call].mutable_firstlevelwithgreeks();
    f.mutable_firstdepth()->set_bidp(101.2);
    f.mutable_firstdepth()->set_bidq(1500);
    f.mutable_firstdepth()->set_askp(101.3);
    f.mutable_firstdepth()->set_askq(825);
    f.mutable_optiongreeks()->set_delta(0.52);
    f.mutable_optiongreeks()->set_gamma(0.0011);
    f.mutable_optiongreeks()->set_theta(-12.5);
    f.mutable_optiongreeks()->set_vega(9.75);
    QVERIFY(decoder.decode(bytesOf(response), 123'000'000'000));

    const LiveQuote q = readOrFail(book, Call);
    QCOMPARE(q.ltp, Price::parse("101.25").value());
    QCOMPARE(q.close, Price::parse("98.5").value());
    QCOMPARE(q.lastQuantity, std::int64_t(75));
    QCOMPARE(q.lastTradeMs, std::int64_t(1'755'749'999'000));
    QCOMPARE(q.volume, std::int64_t(150000));
    QCOMPARE(q.oi, std::int64_t(2'250'000));
    QCOMPARE(q.iv, 14.2);
    QCOMPARE(q.delta, 0.52);
    QCOMPARE(q.theta, -12.5);
    QVERIFY(q.has(LiveQuote::Greeks));
    QCOMPARE(q.depthLevels, 1);
    QCOMPARE(q.depth[0].bid, Price::parse("101.2").value());
    QCOMPARE(q.depth[0].askQuantity, std::int64_t(825));
    QCOMPARE(q.mode, static_cast<std::int32_t>(pb::option_greeks));
    QCOMPARE(q.exchangeMs, std::int64_t(1'755'750'000'000));
    QCOMPARE(q.receivedNs, std::int64_t(123'000'000'000));

    const auto quote = book.quote(Call);
    QVERIFY(quote);
    QCOMPARE(quote->bid, std::optional(Price::parse("101.2").value()));
    QCOMPARE(quote->oi, std::optional<std::int64_t>(2'250'000));
    QCOMPARE(quote->timeMs, std::int64_t(1'755'749'999'000));

    const auto stats = decoder.stats();
    QCOMPARE(stats.frames, std::uint64_t(1));
    QCOMPARE(stats.ticks, std::uint64_t(1));
    QCOMPARE(stats.malformed, std::uint64_t(0));
}

void tst_FeedDecoder::partialTicksNeverEraseWhatWasKnown()
{
    QuoteBook book;
    UpstoxFeedDecoder decoder(book);
    QVERIFY(decoder.decode(bytesOf(greeksTick(100, 98, 1000, 5000, 15)), 1));
    // A packet with only the depth (OpenAlgo saw these): LTP, volume, OI and IV stay.
    pb::FeedResponse depthOnly;
    pb::Feed &feed = (*depthOnly.mutable_feeds())[Call];
    feed.set_requestmode(pb::option_greeks);
    feed.mutable_firstlevelwithgreeks()->mutable_firstdepth()->set_bidp(99.5);
    feed.mutable_firstlevelwithgreeks()->mutable_firstdepth()->set_bidq(10);
    QVERIFY(decoder.decode(bytesOf(depthOnly), 2));
    LiveQuote q = readOrFail(book, Call);
    QCOMPARE(q.ltp, Price::fromRupees(100));
    QCOMPARE(q.volume, std::int64_t(1000));
    QCOMPARE(q.oi, std::int64_t(5000));
    QCOMPARE(q.iv, 15.0);
    QCOMPARE(q.depth[0].bid, Price::parse("99.5").value());
    QCOMPARE(q.receivedNs, std::int64_t(2));
    // A trade without OI (proto3 sends no zero): OI stays, LTP and volume move.
    QVERIFY(decoder.decode(bytesOf(greeksTick(101, 98, 1075, 0, 0)), 3));
    q = readOrFail(book, Call);
    QCOMPARE(q.ltp, Price::fromRupees(101));
    QCOMPARE(q.volume, std::int64_t(1075));
    QCOMPARE(q.oi, std::int64_t(5000));
    QCOMPARE(q.iv, 15.0);
    QCOMPARE(q.depth[0].bid, Price::parse("99.5").value()); // depth not sent: kept
    QCOMPARE(q.version, std::uint64_t(6));
}

void tst_FeedDecoder::fullPacketReplacesDepthAndReadsTheDay()
{
    QuoteBook book;
    UpstoxFeedDecoder decoder(book);
    const auto fullWithLevels = [](int levels) {
        pb::FeedResponse response;
        pb::Feed &feed = (*response.mutable_feeds())[Future];
        feed.set_requestmode(pb::full_d5);
        pb::MarketFullFeed &f = *feed.mutable_fullfeed()->mutable_marketff();
        for (int i = 0; i < levels; ++i) {
            pb::Quote *level = f.mutable_marketlevel()->add_bidaskquote();
            level->set_bidp(24000 - i);
            level->set_bidq(75 * (i + 1));
            level->set_askp(24001 + i);
            level->set_askq(150 * (i + 1));
        }
        return response;
    };
    pb::FeedResponse first = fullWithLevels(5);
    pb::MarketFullFeed &f =
        *(*first.mutable_feeds())[Future].mutable_fullfeed()->mutable_marketff();
    f.mutable_ltpc()->set_ltp(24000.5);
    f.set_atp(23990.15);
    f.set_vtt(987654);
    f.set_oi(12'000'000);
    f.set_tbq(50000);
    f.set_tsq(60000);
    pb::OHLC *minute = f.mutable_marketohlc()->add_ohlc();
    minute->set_interval("I1");
    minute->set_open(1);
    pb::OHLC *day = f.mutable_marketohlc()->add_ohlc();
    day->set_interval("1d");
    day->set_open(23900);
    day->set_high(24100);
    day->set_low(23850.05);
    QVERIFY(decoder.decode(bytesOf(first), 1));
    LiveQuote q = readOrFail(book, Future);
    QCOMPARE(q.depthLevels, 5);
    QCOMPARE(q.depth[4].bid, Price::fromRupees(23996));
    QCOMPARE(q.depth[4].askQuantity, std::int64_t(750));
    QCOMPARE(q.averagePrice, Price::parse("23990.15").value());
    QCOMPARE(q.totalBuy, 50000.0);
    QCOMPARE(q.open, Price::fromRupees(23900)); // the day's bar, not the minute's
    QCOMPARE(q.low, Price::parse("23850.05").value());
    QVERIFY(q.has(LiveQuote::DayOhlc));
    QCOMPARE(q.mode, static_cast<std::int32_t>(pb::full_d5));

    // A thinner book: the levels it no longer has are empty, not left over.
    QVERIFY(decoder.decode(bytesOf(fullWithLevels(2)), 2));
    q = readOrFail(book, Future);
    QCOMPARE(q.depthLevels, 2);
    QCOMPARE(q.depth[1].ask, Price::fromRupees(24002));
    QCOMPARE(q.depth[4].bid, Price());
    QCOMPARE(q.depth[4].askQuantity, std::int64_t(0));
    QCOMPARE(q.ltp, Price::parse("24000.5").value()); // LTP not in this packet: kept
    QCOMPARE(q.oi, std::int64_t(12'000'000));
}

void tst_FeedDecoder::indexFullFeedAndLtpcMode()
{
    QuoteBook book;
    UpstoxFeedDecoder decoder(book);
    pb::FeedResponse response;
    pb::Feed &index = (*response.mutable_feeds())[Nifty];
    index.set_requestmode(pb::full_d5);
    pb::IndexFullFeed &f = *index.mutable_fullfeed()->mutable_indexff();
    f.mutable_ltpc()->set_ltp(24012.35);
    f.mutable_ltpc()->set_cp(23950);
    pb::OHLC *day = f.mutable_marketohlc()->add_ohlc();
    day->set_interval("1d");
    day->set_high(24050);
    pb::Feed &ltpc = (*response.mutable_feeds())[Call];
    ltpc.set_requestmode(pb::ltpc);
    ltpc.mutable_ltpc()->set_ltp(88.05);
    QVERIFY(decoder.decode(bytesOf(response), 9));
    const LiveQuote n = readOrFail(book, Nifty);
    QCOMPARE(n.ltp, Price::parse("24012.35").value());
    QCOMPARE(n.close, Price::fromRupees(23950));
    QCOMPARE(n.high, Price::fromRupees(24050));
    QVERIFY(!n.has(LiveQuote::Depth));
    QVERIFY(!n.has(LiveQuote::Volume));
    const LiveQuote c = readOrFail(book, Call);
    QCOMPARE(c.ltp, Price::parse("88.05").value());
    QVERIFY(!c.has(LiveQuote::Close));
    QCOMPARE(decoder.stats().ticks, std::uint64_t(2));
}

void tst_FeedDecoder::snapshotTypeIsNotTrusted()
{
    // An initial_feed after live ticks (a resubscribe) carries less than we know: it merges.
    QuoteBook book;
    UpstoxFeedDecoder decoder(book);
    QVERIFY(decoder.decode(bytesOf(greeksTick(100, 98, 1000, 5000, 15)), 1));
    pb::FeedResponse snapshot = greeksTick(102, 0, 0, 0, 0);
    snapshot.set_type(pb::initial_feed);
    QVERIFY(decoder.decode(bytesOf(snapshot), 2));
    const LiveQuote q = readOrFail(book, Call);
    QCOMPARE(q.ltp, Price::fromRupees(102));
    QCOMPARE(q.close, Price::fromRupees(98));
    QCOMPARE(q.oi, std::int64_t(5000));
}

void tst_FeedDecoder::marketInfoSetsSegmentStatus()
{
    QuoteBook book;
    UpstoxFeedDecoder decoder(book);
    pb::FeedResponse info;
    info.set_type(pb::market_info);
    info.set_currentts(1'755'750'000'000);
    auto &segments = *info.mutable_marketinfo()->mutable_segmentstatus();
    segments["NSE_FO"] = pb::NORMAL_OPEN;
    segments["MCX_FO"] = pb::PRE_OPEN_START;
    segments["BSE_FO"] = pb::NORMAL_CLOSE;
    QVERIFY(decoder.decode(bytesOf(info), 1));
    QCOMPARE(book.segmentStatus(QStringLiteral("NSE_FO")), SegmentStatus::Open);
    QCOMPARE(book.segmentStatus(QStringLiteral("MCX_FO")), SegmentStatus::PreOpen);
    QCOMPARE(book.segmentStatus(QStringLiteral("BSE_FO")), SegmentStatus::Closed);
    QCOMPARE(book.size(), std::size_t(0));
    QCOMPARE(decoder.stats().marketInfos, std::uint64_t(1));
    segments["NSE_FO"] = pb::CLOSING_END;
    QVERIFY(decoder.decode(bytesOf(info), 2));
    QCOMPARE(book.segmentStatus(QStringLiteral("NSE_FO")), SegmentStatus::ClosingEnd);
}

void tst_FeedDecoder::unknownFieldsAreIgnored()
{
    // A newer server adds fields: field 99 (varint) on the response and field 40 (length-
    // delimited) inside a packet. The known fields still decode.
    std::string known;
    greeksTick(100, 98, 1000, 5000, 15).SerializeToString(&known);
    std::string unknown;
    const auto varint = [&unknown](std::uint64_t v) {
        while (v >= 0x80) {
            unknown.push_back(static_cast<char>(v | 0x80));
            v >>= 7;
        }
        unknown.push_back(static_cast<char>(v));
    };
    varint((99u << 3) | 0); // field 99, varint
    varint(123456);
    varint((98u << 3) | 2); // field 98, length-delimited
    varint(3);
    unknown += "abc";
    QuoteBook book;
    UpstoxFeedDecoder decoder(book);
    QVERIFY(decoder.decode(QByteArray::fromStdString(unknown + known + unknown), 1));
    QCOMPARE(readOrFail(book, Call).ltp, Price::fromRupees(100));
}

void tst_FeedDecoder::malformedFrameChangesNothing()
{
    QuoteBook book;
    UpstoxFeedDecoder decoder(book);
    QVERIFY(decoder.decode(bytesOf(greeksTick(100, 98, 1000, 5000, 15)), 1));
    const std::uint64_t before = book.version(*book.find(Call));
    // A frame cut in the middle of the packet, and text that is not protobuf.
    const QByteArray whole = bytesOf(greeksTick(105, 98, 2000, 6000, 16));
    const QByteArray cut = whole.left(whole.size() / 2);
    QVERIFY(!decoder.decode(cut, 2));
    QVERIFY(!decoder.decode(QByteArrayLiteral("{\"status\":\"error\"}"), 3));
    QCOMPARE(book.version(*book.find(Call)), before);
    QCOMPARE(readOrFail(book, Call).ltp, Price::fromRupees(100));
    const auto stats = decoder.stats();
    QCOMPARE(stats.malformed, std::uint64_t(2));
    QCOMPARE(stats.frames, std::uint64_t(1));
    QVERIFY(decoder.lastError().contains(QLatin1String("not a FeedResponse")));
    // And the next good frame decodes.
    QVERIFY(decoder.decode(bytesOf(greeksTick(106, 98, 2000, 6000, 16)), 4));
    QCOMPARE(readOrFail(book, Call).ltp, Price::fromRupees(106));
}

void tst_FeedDecoder::observerSeesEachMergedPacket()
{
    QuoteBook book;
    UpstoxFeedDecoder decoder(book);
    std::vector<std::pair<std::string, Price>> seen;
    decoder.setTickObserver([&](QuoteBook::SlotId id, const LiveQuote &q) {
        seen.emplace_back(book.keyOf(id), q.ltp);
    });
    QVERIFY(decoder.decode(bytesOf(greeksTick(100, 98, 1000, 5000, 15)), 1));
    QVERIFY(decoder.decode(bytesOf(greeksTick(0, 0, 1001, 0, 0)), 2));
    QCOMPARE(seen.size(), std::size_t(2));
    QCOMPARE(seen[1].first, Call);
    QCOMPARE(seen[1].second, Price::fromRupees(100)); // the merged state, not the packet
}

void tst_FeedDecoder::backfillNeverOverwritesANewerTick()
{
    QuoteBook book;
    UpstoxFeedDecoder decoder(book);
    QVERIFY(decoder.decode(bytesOf(greeksTick(100, 98, 1000, 5000, 15)), 1000));
    marketdata::BackfillQuote stale;
    stale.instrumentKey = QString::fromStdString(Call);
    stale.ltp = Price::fromRupees(90);
    stale.oi = 4000;
    marketdata::BackfillQuote fresh;
    fresh.instrumentKey = QString::fromStdString(Nifty);
    fresh.ltp = Price::fromRupees(24000);
    fresh.close = Price::fromRupees(23900);
    // Asked at 500 ns: the call ticked at 1000, after the question; the index never did.
    QCOMPARE(marketdata::mergeBackfill(book, {stale, fresh}, 500), 1);
    QCOMPARE(readOrFail(book, Call).ltp, Price::fromRupees(100));
    QCOMPARE(readOrFail(book, Nifty).ltp, Price::fromRupees(24000));
    QCOMPARE(readOrFail(book, Nifty).close, Price::fromRupees(23900));
    QVERIFY(!readOrFail(book, Nifty).has(LiveQuote::Oi)); // absent in the answer: absent here
    // Asked after the tick: it fills.
    QCOMPARE(marketdata::mergeBackfill(book, {stale}, 2000), 1);
    QCOMPARE(readOrFail(book, Call).ltp, Price::fromRupees(90));
    QCOMPARE(readOrFail(book, Call).volume, std::int64_t(1000)); // not in the answer: kept
}

QTEST_GUILESS_MAIN(tst_FeedDecoder)
#include "tst_feeddecoder.moc"
