// The quote book (core/marketdata/QuoteBook.h): slots by key, versions, MarketData answers, and
// the seqlock under contention -- a writer publishes states whose every word is derived from one
// counter while readers on other threads check that no read ever mixes two states. Meant to run
// under the tsan preset too (the payload is atomic words, so TSan has nothing to report).

#include "OrderTestSupport.h"
#include "marketdata/MarketPrices.h"
#include "marketdata/QuoteBook.h"
#include "marketdata/feed/FeedBackfill.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <atomic>
#include <thread>
#include <vector>

using namespace strikeline;
using marketdata::LiveQuote;
using marketdata::QuoteBook;
using marketdata::QuoteWatch;
using marketdata::SegmentStatus;
using ordertest::SettableMarket;

namespace {

// Every field a function of `n`, so a torn read (half of state n, half of n+1) is visible.
void fillFrom(LiveQuote &q, std::int64_t n)
{
    q.fields = LiveQuote::Ltp | LiveQuote::Depth | LiveQuote::Volume | LiveQuote::Oi;
    q.ltp = Price::fromRaw(n * 5);
    q.close = Price::fromRaw(n * 7);
    q.lastQuantity = n;
    q.lastTradeMs = n * 11;
    q.depthLevels = 5;
    for (std::size_t i = 0; i < q.depth.size(); ++i) {
        q.depth[i].bid = Price::fromRaw(n * 5 - static_cast<std::int64_t>(i));
        q.depth[i].ask = Price::fromRaw(n * 5 + static_cast<std::int64_t>(i));
        q.depth[i].bidQuantity = n + static_cast<std::int64_t>(i);
        q.depth[i].askQuantity = n - static_cast<std::int64_t>(i);
    }
    q.volume = n * 3;
    q.oi = n * 13;
    q.delta = static_cast<double>(n) / 3.0;
    q.receivedNs = n * 17;
    q.low = Price::fromRaw(n);
}

bool consistent(const LiveQuote &q)
{
    const std::int64_t n = q.lastQuantity;
    LiveQuote expected;
    fillFrom(expected, n);
    bool same = q.ltp == expected.ltp && q.close == expected.close &&
                q.lastTradeMs == expected.lastTradeMs && q.volume == expected.volume &&
                q.oi == expected.oi && q.delta == expected.delta &&
                q.receivedNs == expected.receivedNs && q.low == expected.low;
    for (std::size_t i = 0; i < q.depth.size(); ++i)
        same = same && q.depth[i].bid == expected.depth[i].bid &&
               q.depth[i].ask == expected.depth[i].ask &&
               q.depth[i].bidQuantity == expected.depth[i].bidQuantity &&
               q.depth[i].askQuantity == expected.depth[i].askQuantity;
    return same;
}

} // namespace

class tst_QuoteBook final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void slotsAreStablePerKey();
    void emptySlotReadsNothing();
    void publishMakesItVisibleAndBumpsTheVersion();
    void quoteAnswersWhatIsKnownOnly();
    void fullBookSaysNoSlot();
    void watchReportsOnlyMovedSlots();
    void segmentStatusChangesAreCounted();
    void readersNeverSeeATornState();
    void marketPricesNeverMixSimulatedIntoALiveSession();
    void circuitLimitsComeFromTheFullQuote();
    void aReaderKeepsTheBookAfterTheFeedStops();
};

void tst_QuoteBook::slotsAreStablePerKey()
{
    QuoteBook book;
    const auto a = book.slot("NSE_FO|1");
    const auto b = book.slot("NSE_FO|2");
    QVERIFY(a != b);
    QCOMPARE(book.slot("NSE_FO|1"), a);
    QCOMPARE(book.find("NSE_FO|2"), std::optional(b));
    QVERIFY(!book.find("NSE_FO|3"));
    QCOMPARE(book.keyOf(b), std::string("NSE_FO|2"));
    QCOMPARE(book.size(), std::size_t(2));
    // Slots across a chunk boundary keep their ids and their data.
    std::vector<QuoteBook::SlotId> ids;
    for (int i = 0; i < 3000; ++i)
        ids.push_back(book.slot("K" + std::to_string(i)));
    {
        QuoteBook::Writer writer(book);
        fillFrom(writer.shadow(ids[2500]), 42);
        writer.publish(ids[2500]);
    }
    LiveQuote q;
    QVERIFY(book.read(ids[2500], q));
    QCOMPARE(q.lastQuantity, std::int64_t(42));
    QCOMPARE(book.slot("K2500"), ids[2500]);
}

void tst_QuoteBook::emptySlotReadsNothing()
{
    QuoteBook book;
    const auto id = book.slot("NSE_EQ|X");
    LiveQuote q;
    q.lastQuantity = 99;
    QVERIFY(!book.read(id, q));
    QCOMPARE(q.lastQuantity, std::int64_t(99)); // untouched
    QCOMPARE(book.version(id), std::uint64_t(0));
    QVERIFY(!book.read(std::string_view("NSE_EQ|X")));
    QVERIFY(!book.quote("NSE_EQ|X"));
    QVERIFY(!book.read(12345, q)); // an id the book never gave
    QCOMPARE(book.version(12345), std::uint64_t(0));
}

void tst_QuoteBook::publishMakesItVisibleAndBumpsTheVersion()
{
    QuoteBook book;
    const auto id = book.slot("NSE_FO|1");
    QuoteBook::Writer writer(book);
    fillFrom(writer.shadow(id), 1);
    // Merged but not published: readers still see nothing.
    LiveQuote q;
    QVERIFY(!book.read(id, q));
    writer.publish(id);
    QVERIFY(book.read(id, q));
    QCOMPARE(q.version, std::uint64_t(2));
    QCOMPARE(book.version(id), std::uint64_t(2));
    QVERIFY(consistent(q));
    writer.shadow(id).volume = 777;
    writer.publish(id);
    QVERIFY(book.read(id, q));
    QCOMPARE(q.version, std::uint64_t(4));
    QCOMPARE(q.volume, std::int64_t(777));
    QCOMPARE(q.ltp, Price::fromRaw(5)); // the rest of the state kept
}

void tst_QuoteBook::quoteAnswersWhatIsKnownOnly()
{
    QuoteBook book;
    const auto id = book.slot("NSE_FO|1");
    {
        QuoteBook::Writer writer(book);
        LiveQuote &q = writer.shadow(id);
        // Depth alone: no last price, so no Quote for the order path.
        q.fields = LiveQuote::Depth;
        q.depthLevels = 1;
        q.depth[0] = {Price::fromRupees(10), Price(), 50, 0};
        q.receivedNs = 5'000'000'000;
        writer.publish(id);
    }
    QVERIFY(!book.quote("NSE_FO|1"));
    {
        QuoteBook::Writer writer(book);
        LiveQuote &q = writer.shadow(id);
        q.fields |= LiveQuote::Ltp;
        q.ltp = Price::fromRupees(11);
        writer.publish(id);
    }
    const auto quote = book.quote("NSE_FO|1");
    QVERIFY(quote);
    QCOMPARE(quote->last, Price::fromRupees(11));
    QVERIFY(!quote->simulated);
    QCOMPARE(quote->bid, std::optional(Price::fromRupees(10)));
    QCOMPARE(quote->bidQuantity, std::int64_t(50));
    QVERIFY(!quote->ask); // an empty side is absent, not zero
    QVERIFY(!quote->volume);
    QVERIFY(!quote->oi);
    QCOMPARE(quote->previousClose, Price());
    QCOMPARE(quote->timeMs, std::int64_t(5000)); // no trade time: the receive time
}

void tst_QuoteBook::fullBookSaysNoSlot()
{
    QuoteBook book(1); // one chunk
    for (int i = 0; i < 1024; ++i)
        QVERIFY(book.slot("K" + std::to_string(i)) != QuoteBook::NoSlot);
    QCOMPARE(book.slot("one too many"), QuoteBook::NoSlot);
    QCOMPARE(book.slot("K5"), QuoteBook::SlotId(5)); // existing keys still answer
}

void tst_QuoteBook::watchReportsOnlyMovedSlots()
{
    QuoteBook book;
    const auto a = book.slot("A");
    const auto b = book.slot("B");
    const auto c = book.slot("C");
    QuoteWatch watch(book);
    watch.setSlots({a, b, c});
    QVERIFY(watch.poll().empty());
    {
        QuoteBook::Writer writer(book);
        fillFrom(writer.shadow(b), 1);
        writer.publish(b);
        fillFrom(writer.shadow(c), 1);
        writer.publish(c);
        writer.publish(c);
    }
    QCOMPARE(watch.poll(), (std::vector<int>{1, 2}));
    QVERIFY(watch.poll().empty());
    {
        QuoteBook::Writer writer(book);
        writer.publish(a);
    }
    QCOMPARE(watch.poll(), (std::vector<int>{0}));
}

void tst_QuoteBook::segmentStatusChangesAreCounted()
{
    QuoteBook book;
    QCOMPARE(book.segmentStatus(QStringLiteral("NSE_FO")), SegmentStatus::Unknown);
    book.setSegmentStatus(QStringLiteral("NSE_FO"), SegmentStatus::Open, 1);
    book.setSegmentStatus(QStringLiteral("MCX_FO"), SegmentStatus::Closed, 1);
    QCOMPARE(book.segmentVersion(), std::uint64_t(2));
    book.setSegmentStatus(QStringLiteral("NSE_FO"), SegmentStatus::Open, 2); // no change
    QCOMPARE(book.segmentVersion(), std::uint64_t(2));
    QCOMPARE(book.segmentStatus(QStringLiteral("NSE_FO")), SegmentStatus::Open);
    QCOMPARE(book.segmentStatuses().size(), std::size_t(2));
    QCOMPARE(marketdata::segmentStatusName(SegmentStatus::Closed), QStringLiteral("closed"));
}

void tst_QuoteBook::readersNeverSeeATornState()
{
    QuoteBook book;
    constexpr int Keys = 8;
    std::vector<QuoteBook::SlotId> ids;
    for (int i = 0; i < Keys; ++i)
        ids.push_back(book.slot("K" + std::to_string(i)));
    std::atomic<bool> done{false};
    std::atomic<std::int64_t> reads{0};
    std::atomic<std::int64_t> torn{0};
    std::atomic<std::int64_t> backwards{0};

    std::vector<std::thread> readers;
    for (int r = 0; r < 2; ++r) {
        readers.emplace_back([&, r] {
            std::vector<std::uint64_t> last(Keys, 0);
            LiveQuote q;
            std::int64_t mine = 0;
            while (!done.load(std::memory_order_relaxed) || mine < 1000) {
                const auto k = static_cast<std::size_t>((mine + r) % Keys);
                if (book.read(ids[k], q)) {
                    if (!consistent(q))
                        torn.fetch_add(1);
                    if (q.version < last[k])
                        backwards.fetch_add(1);
                    last[k] = q.version;
                }
                ++mine;
            }
            reads.fetch_add(mine);
        });
    }
    // A second writer (a REST backfill) contends with the feed's writer on the writers' mutex.
    std::thread backfill([&] {
        for (std::int64_t n = 1; n <= 20000; ++n) {
            QuoteBook::Writer writer(book);
            const auto k = static_cast<std::size_t>(n % Keys);
            fillFrom(writer.shadow(ids[k]), n * 2 + 1);
            writer.publish(ids[k]);
        }
    });
    for (std::int64_t n = 1; n <= 200000; ++n) {
        QuoteBook::Writer writer(book);
        const auto k = static_cast<std::size_t>(n % Keys);
        fillFrom(writer.shadow(ids[k]), n * 2);
        writer.publish(ids[k]);
    }
    backfill.join();
    done = true;
    for (auto &reader : readers)
        reader.join();
    QCOMPARE(torn.load(), std::int64_t(0));
    QCOMPARE(backwards.load(), std::int64_t(0));
    QVERIFY(reads.load() >= 2000);
    std::uint64_t total = 0;
    for (const auto id : ids)
        total += book.version(id) / 2;
    QCOMPARE(total, std::uint64_t(220000)); // every publish counted once
}

namespace {

// A simulated market that prices the test's keys at 100.
void priceAt100(SettableMarket &market)
{
    market.set("NSE_FO|1", Price::fromRupees(100));
    market.set("NSE_FO|2", Price::fromRupees(100));
}

void publishLtp(QuoteBook &book, std::string_view key, Price ltp)
{
    QuoteBook::Writer writer(book);
    const auto id = writer.slot(key);
    LiveQuote &q = writer.shadow(id);
    q.ltp = ltp;
    q.fields |= LiveQuote::Ltp;
    q.receivedNs = 1'700'000'000'000'000'000;
    writer.publish(id);
}

} // namespace

void tst_QuoteBook::marketPricesNeverMixSimulatedIntoALiveSession()
{
    SettableMarket simulated;
    priceAt100(simulated);
    marketdata::MarketPrices prices(simulated);
    QVERIFY(!prices.isLive());
    QVERIFY(prices.quote("NSE_FO|1")->simulated);

    auto book = std::make_shared<QuoteBook>();
    publishLtp(*book, "NSE_FO|1", Price::fromRupees(123));
    prices.setLive(book);
    QVERIFY(prices.isLive());
    const auto live = prices.quote("NSE_FO|1");
    QVERIFY(live);
    QVERIFY(!live->simulated);
    QCOMPARE(live->last, Price::fromRupees(123));
    // A key the feed has not priced has no price at all, not the simulated 100.
    QVERIFY(!prices.quote("NSE_FO|2"));

    prices.setLive(nullptr);
    QVERIFY(prices.quote("NSE_FO|2")->simulated);
}

void tst_QuoteBook::circuitLimitsComeFromTheFullQuote()
{
    // The shape of GET /v2/market-quote/quotes (reference §3.5): keyed by "SEGMENT:symbol",
    // the key we asked by in instrument_token; an index has zero limits.
    const QJsonObject data = QJsonDocument::fromJson(R"({
        "NSE_FO:NIFTY25DEC26000CE": {"instrument_token": "NSE_FO|1", "last_price": 120.5,
            "lower_circuit_limit": 0.05, "upper_circuit_limit": 402.3},
        "NSE_INDEX:Nifty 50": {"instrument_token": "NSE_INDEX|Nifty 50", "last_price": 26000,
            "lower_circuit_limit": 0, "upper_circuit_limit": 0},
        "NSE_FO:BAD": {"instrument_token": "NSE_FO|9", "lower_circuit_limit": 50,
            "upper_circuit_limit": 10},
        "NSE_FO:NOKEY": {"lower_circuit_limit": 1, "upper_circuit_limit": 2}
    })")
                                 .object();
    const auto limits = marketdata::parseCircuitLimits(data, 5000);
    QCOMPARE(limits.size(), std::size_t(1));
    QCOMPARE(limits[0].instrumentKey, std::string("NSE_FO|1"));
    QCOMPARE(limits[0].lower, Price::fromRaw(500));
    QCOMPARE(limits[0].upper, Price::fromRaw(4023000));
    QCOMPARE(limits[0].fetchedMs, std::int64_t(5000));

    SettableMarket simulated;
    priceAt100(simulated);
    marketdata::MarketPrices prices(simulated);
    auto book = std::make_shared<QuoteBook>();
    publishLtp(*book, "NSE_FO|1", Price::fromRupees(123));
    prices.setLive(book);
    QVERIFY(!prices.quote("NSE_FO|1")->upperCircuit);
    prices.setCircuitLimits(limits);
    const auto quote = prices.quote("NSE_FO|1");
    QCOMPARE(quote->lowerCircuit, std::optional(Price::fromRaw(500)));
    QCOMPARE(quote->upperCircuit, std::optional(Price::fromRaw(4023000)));
    // Fresh for five minutes, then asked for again; an unknown key is always asked for.
    const std::vector<std::string> keys{"NSE_FO|1", "NSE_FO|2"};
    QCOMPARE(prices.staleCircuitLimits(keys, 5000 + 60'000), std::vector<std::string>{"NSE_FO|2"});
    QCOMPARE(prices.staleCircuitLimits(keys, 5000 + 6 * 60'000), keys);
    // A new source forgets the old one's limits.
    prices.setLive(std::make_shared<QuoteBook>());
    QVERIFY(!prices.circuitLimits("NSE_FO|1"));
}

void tst_QuoteBook::aReaderKeepsTheBookAfterTheFeedStops()
{
    // A reader on another thread (the paper broker) may hold the book while the GUI thread
    // turns the live market off: the book outlives its owner until the reader lets go.
    SettableMarket simulated;
    priceAt100(simulated);
    marketdata::MarketPrices prices(simulated);
    std::atomic<bool> stop{false};
    std::atomic<int> liveReads{0};
    std::thread reader([&] {
        while (!stop.load()) {
            if (const auto q = prices.quote("NSE_FO|1"); q && !q->simulated)
                liveReads.fetch_add(1);
        }
    });
    for (int round = 0; round < 200; ++round) {
        auto book = std::make_shared<QuoteBook>();
        publishLtp(*book, "NSE_FO|1", Price::fromRupees(round + 1));
        prices.setLive(std::move(book)); // the previous book dies here unless a reader has it
        std::this_thread::yield();
        prices.setLive(nullptr);
    }
    stop.store(true);
    reader.join();
    QVERIFY(!prices.isLive());
}

QTEST_GUILESS_MAIN(tst_QuoteBook)
#include "tst_quotebook.moc"
