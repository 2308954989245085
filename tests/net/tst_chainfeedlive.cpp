// ChainFeed's previous OI and LiveMarket's REST backfill against the real simulator process
// (`strikeline-cli upstox-sim`, SimProcess; docs/quotes.md, docs/upstox-sim.md "Faults"):
//
// - the previous OI an earlier run kept on disk for the day is the base of change in OI when
//   `/v2/option/chain` fails (every REST answer a 500, or a token the REST refuses); a run with
//   nothing kept, or kept for another day, has none;
// - after a feed reconnect (drop-ws) the backfill over REST fills every key the muted feed says
//   nothing about, and when the feed's ticks come first it overwrites none of them.
//
// Waits are generous QTRY bounds, never timing assertions.

#include "SimLiveMarket.h"
#include "TestData.h"
#include "marketdata/feed/ChainFeed.h"

#include <QDir>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>

#include <chrono>
#include <map>
#include <memory>

using namespace strikeline;
using marketdata::ChainFeed;
using marketdata::FeedMode;
using marketdata::LiveQuote;

namespace {

constexpr int WaitMs = 60000;
const QString Token = QStringLiteral("sim-analytics-token");

std::int64_t nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace

class tst_ChainFeedLive final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void previousOiFromDiskWhenTheChainFails_data();
    void previousOiFromDiskWhenTheChainFails();
    void backfillAfterReconnectFillsButNeverOverwrites();

private:
    // NIFTY's nearest expiry on the simulated day, every strike.
    OptionChain niftyChain() const;
    std::unique_ptr<ChainFeed> makeChainFeed(const QString &directory, EpochDay day);
    LiveQuote quote(const QString &key);

    QString m_master;
    SnapshotPtr m_snapshot;
    EpochDay m_today = NoDay;
    testing::SimLiveMarket m_live;
};

void tst_ChainFeedLive::initTestCase()
{
    STRIKELINE_REQUIRE_REAL_FILE(master, "fixture-NSE_FO-subset-2026-08-21.json");
    m_master = master;
    m_snapshot = testing::loadSnapshot(master);
    QVERIFY(m_snapshot);
    m_today = parseIstMoment(QStringLiteral("2026-08-21"))->day();
}

void tst_ChainFeedLive::cleanup()
{
    m_live.stop();
}

OptionChain tst_ChainFeedLive::niftyChain() const
{
    ChainRequest request;
    request.underlying = m_snapshot->findUnderlying("NIFTY").value_or(NoId);
    request.today = m_today;
    auto chain = m_snapshot->chain(request);
    return chain ? *chain : OptionChain{};
}

std::unique_ptr<ChainFeed> tst_ChainFeedLive::makeChainFeed(const QString &directory, EpochDay day)
{
    ChainFeed::Options options;
    options.consumer = QStringLiteral("test-chain");
    options.previousOiDirectory = directory;
    options.fullChainRefresh = std::chrono::milliseconds(0);
    auto feed = std::make_unique<ChainFeed>(m_live.market().feed(), m_live.client(),
                                            m_live.market().book(), options);
    const OptionChain chain = niftyChain();
    if (chain.rows.empty() || !feed->setChain(m_snapshot, chain, day))
        return nullptr;
    return feed;
}

LiveQuote tst_ChainFeedLive::quote(const QString &key)
{
    LiveQuote q;
    marketdata::QuoteBook &book = m_live.market().book();
    const auto id = book.slot(key.toStdString());
    if (id != marketdata::QuoteBook::NoSlot)
        book.read(id, q);
    return q;
}

void tst_ChainFeedLive::previousOiFromDiskWhenTheChainFails_data()
{
    QTest::addColumn<QString>("fault");      // posted to the simulator for the second run
    QTest::addColumn<QByteArray>("refused"); // or: the second run's token, which REST refuses
    QTest::newRow("every REST answer a 500") << QStringLiteral("http-5xx") << QByteArray();
    QTest::newRow("a refused token") << QString() << QByteArrayLiteral("not-a-token");
}

void tst_ChainFeedLive::previousOiFromDiskWhenTheChainFails()
{
    QFETCH(QString, fault);
    QFETCH(QByteArray, refused);
    testing::SimProcess::Options sim;
    sim.master = m_master;
    QVERIFY2(m_live.start(sim, {}, Token.toLatin1(), false), qPrintable(m_live.errorString()));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString kept = dir.filePath(QStringLiteral("previous-oi"));

    // An earlier run today: Upstox's chain answers, its previous OI is written down.
    std::map<std::string, std::int64_t> earlier;
    {
        auto first = makeChainFeed(kept, m_today);
        QVERIFY(first);
        QTRY_VERIFY_WITH_TIMEOUT(first->previousOiKnown() && first->fullChainKnown(), WaitMs);
        QVERIFY2(first->referenceProblem().isEmpty(), qPrintable(first->referenceProblem()));
        const LiveChainInput input = first->input(0, niftyChain().rows.size());
        for (const LiveChainInput::Row &row : input.rows)
            for (const std::string *key : {&row.callKey, &row.putKey})
                if (const auto oi = input.previousOi(*key))
                    earlier[*key] = *oi;
        QVERIFY(earlier.size() > 100); // both sides of the fixture's 121 strikes, nearly all
        QTRY_COMPARE_WITH_TIMEOUT(QDir(kept).entryList({QStringLiteral("*.json")}).size(), 1,
                                  WaitMs);
    }

    // Today's second run, and Upstox's chain fails.
    if (!fault.isEmpty())
        QVERIFY(m_live.fault(fault));
    else
        QVERIFY(m_live.attach({}, refused, false));
    auto second = makeChainFeed(kept, m_today);
    QVERIFY(second);
    QSignalSpy changed(second.get(), &ChainFeed::referenceChanged);
    QTRY_VERIFY_WITH_TIMEOUT(!second->referenceProblem().isEmpty(), WaitMs); // the chain failed
    QTRY_VERIFY_WITH_TIMEOUT(second->previousOiKnown(), WaitMs);
    QVERIFY(!second->fullChainKnown());
    const LiveChainInput input = second->input(0, niftyChain().rows.size());
    std::size_t same = 0;
    for (const auto &[key, oi] : earlier) {
        QCOMPARE(input.previousOi(key).value_or(-1), oi);
        ++same;
    }
    QCOMPARE(same, earlier.size());
    if (!refused.isEmpty())
        QVERIFY(m_live.tokens().rejected() > 0); // refused by the simulator, not skipped

    // Nothing kept (another folder), or kept for another day: no previous OI at all.
    QTemporaryDir empty;
    auto none = makeChainFeed(empty.path(), m_today);
    auto tomorrow = makeChainFeed(kept, m_today + 1);
    QVERIFY(none && tomorrow);
    QTRY_VERIFY_WITH_TIMEOUT(
        !none->referenceProblem().isEmpty() && !tomorrow->referenceProblem().isEmpty(), WaitMs);
    // The disk reads (pool threads) are done and their answers delivered: they found nothing.
    QThreadPool::globalInstance()->waitForDone();
    QCoreApplication::processEvents();
    QVERIFY(!none->previousOiKnown());
    QVERIFY(!tomorrow->previousOiKnown());
}

void tst_ChainFeedLive::backfillAfterReconnectFillsButNeverOverwrites()
{
    // A frame of every subscribed key 20 times a second: after a reconnect every key ticks
    // within a few frames.
    testing::SimProcess::Options sim;
    sim.master = m_master;
    sim.extra = {QStringLiteral("--tick-rate"), QStringLiteral("20")};
    const OptionChain chain = niftyChain();
    QVERIFY(chain.rows.size() > 10);
    QStringList legs;
    const std::size_t middle = chain.rows.size() / 2;
    for (std::size_t i = middle - 2; i <= middle + 2; ++i)
        for (const InstrumentId id : {chain.rows[i].call, chain.rows[i].put})
            if (id != NoId)
                legs << QString::fromStdString(
                    std::string(m_snapshot->instrument(id).instrumentKey()));
    const QString index = QStringLiteral("NSE_INDEX|Nifty 50");
    marketdata::LiveMarket::Options options;
    options.feed = testing::SimLiveMarket::fastFeedOptions();
    options.feed.muteThreshold = std::chrono::milliseconds(600000); // a mute is this test's own
    options.isOption = [legs](const QString &key) { return legs.contains(key); };
    QVERIFY2(m_live.start(sim, options, Token.toLatin1(), false), qPrintable(m_live.errorString()));
    marketdata::LiveMarket &market = m_live.market();
    QVERIFY(market.feed().acquire(QStringLiteral("test"), legs, FeedMode::OptionGreeks).ok());
    QVERIFY(market.feed().acquire(QStringLiteral("test"), index, FeedMode::Ltpc).ok());
    const QStringList keys = legs + QStringList{index};
    const int quotes = static_cast<int>(keys.size() + legs.size()); // LTP v3 all, greeks legs

    QSignalSpy backfilled(&market, &marketdata::LiveMarket::backfilled);
    market.start();
    QTRY_COMPARE_WITH_TIMEOUT(backfilled.size(), 1, WaitMs); // after the first connect
    const auto everyKeyTicked = [&](std::int64_t sinceNs) {
        for (const QString &key : keys) {
            const LiveQuote q = quote(key);
            if (q.receivedNs <= sinceNs || !q.has(LiveQuote::Ltp))
                return false;
        }
        return true;
    };
    QTRY_VERIFY_WITH_TIMEOUT(everyKeyTicked(0), WaitMs);

    // 1. The new socket says nothing (muted): the backfill alone fills every key.
    QVERIFY(m_live.fault(QStringLiteral("mute-ws")));
    QTest::qWait(300); // a frame already on its way is read before the drop
    const std::int64_t droppedNs = nowNs();
    std::map<QString, std::uint64_t> versions;
    for (const QString &key : keys)
        versions[key] = quote(key).version;
    const std::uint64_t connects = market.feed().counters().connects;
    QVERIFY(m_live.fault(QStringLiteral("drop-ws")));
    QTRY_VERIFY_WITH_TIMEOUT(market.feed().counters().connects > connects, WaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(backfilled.size(), 2, WaitMs);
    QCOMPARE(backfilled.at(1).at(0).toInt(), quotes);
    for (const QString &key : keys) {
        const LiveQuote q = quote(key);
        QVERIFY2(q.receivedNs > droppedNs, qPrintable(key)); // written by the backfill
        QVERIFY2(q.version > versions[key], qPrintable(key));
        QVERIFY2(q.has(LiveQuote::Ltp) && q.ltp.isPositive(), qPrintable(key));
        if (legs.contains(key)) {
            QVERIFY2(q.has(LiveQuote::Oi) && q.has(LiveQuote::Iv) && q.has(LiveQuote::Greeks),
                     qPrintable(key));
        }
    }

    // 2. The feed speaks again and REST answers 1.5 s late: by the time the backfill's answer
    // comes, every key has ticked since it was asked for, and none of them is overwritten.
    QVERIFY(m_live.fault(QStringLiteral("mute-ws"), QStringLiteral("off")));
    const std::int64_t unmutedNs = nowNs();
    QTRY_VERIFY_WITH_TIMEOUT(everyKeyTicked(unmutedNs), WaitMs);
    QVERIFY(m_live.fault(QStringLiteral("slow"), QStringLiteral("1500")));
    const auto stats = market.backfillStats();
    QVERIFY(m_live.fault(QStringLiteral("drop-ws")));
    QTRY_COMPARE_WITH_TIMEOUT(backfilled.size(), 3, WaitMs);
    QCOMPARE(backfilled.at(2).at(0).toInt(), 0); // every answer older than the feed's ticks
    QCOMPARE(market.backfillStats().requests, stats.requests + 1);
    QCOMPARE(market.backfillStats().merged, stats.merged);
    QCOMPARE(market.backfillStats().failures, 0);
    QVERIFY(m_live.fault(QStringLiteral("clear")));
}

QTEST_GUILESS_MAIN(tst_ChainFeedLive)
#include "tst_chainfeedlive.moc"
