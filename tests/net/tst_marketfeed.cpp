// UpstoxMarketFeed against the real simulator process (`strikeline-cli upstox-sim`,
// docs/upstox-sim.md): authorize + connect + subscribe -> frames arrive; drop-ws -> reconnects
// and re-subscribes; mute-ws -> detected and recovered; expire-token -> LoginRequired with no
// retry storm, then back after a new login; a subscription over Upstox's limit refused locally;
// slow=MS answers do not break it. Timeouts are shrunk through Options; waits are generous
// QSignalSpy/QTRY bounds, never timing assertions.

#include "MarketDataFeedV3.pb.h"
#include "NetTestSupport.h"
#include "SimProcess.h"
#include "SimSession.h"
#include "TestData.h"
#include "broker/upstox/UpstoxClient.h"
#include "marketdata/feed/FeedBackfill.h"
#include "marketdata/feed/UpstoxMarketFeed.h"
#include "net/HttpClient.h"

#include <QDeadlineTimer>
#include <QMutex>
#include <QMutexLocker>
#include <QSignalSpy>
#include <QTest>

#include <atomic>
#include <memory>
#include <set>

using namespace strikeline;
using marketdata::FeedMode;
using marketdata::UpstoxMarketFeed;
using State = UpstoxMarketFeed::State;

namespace {

const QByteArray AnalyticsToken = QByteArrayLiteral("sim-analytics-token");
const QString Nifty = QStringLiteral("NSE_INDEX|Nifty 50");
const QString Call = QStringLiteral("NSE_FO|59312");
const QString Put = QStringLiteral("NSE_FO|59313");

namespace pb = com::upstox::marketdatafeederv3udapi::rpc::proto;

// What the sink saw: frames, and the instrument keys the frames carried (decoded here only to
// prove which subscriptions the server holds; the real decoder is another part's).
struct SinkLog
{
    std::atomic<int> frames{0};
    mutable QMutex mutex;
    std::set<std::string> keys;

    void add(const QByteArray &frame)
    {
        pb::FeedResponse response;
        if (response.ParseFromArray(frame.constData(), static_cast<int>(frame.size()))) {
            QMutexLocker lock(&mutex);
            for (const auto &[key, feed] : response.feeds())
                keys.insert(key);
        }
        frames.fetch_add(1);
    }
    void clearKeys()
    {
        QMutexLocker lock(&mutex);
        keys.clear();
    }
    bool sawAll(const QStringList &wanted) const
    {
        QMutexLocker lock(&mutex);
        for (const QString &key : wanted)
            if (!keys.contains(key.toStdString()))
                return false;
        return true;
    }
    int load() const { return frames.load(); }
};

UpstoxMarketFeed::Options fastOptions()
{
    UpstoxMarketFeed::Options o;
    o.pingInterval = std::chrono::milliseconds(300);
    o.pongDeadline = std::chrono::milliseconds(2000);
    o.muteThreshold = std::chrono::milliseconds(3000);
    o.backoffInitial = std::chrono::milliseconds(100);
    o.backoffMax = std::chrono::milliseconds(1000);
    o.batchDelay = std::chrono::milliseconds(20);
    o.connectTimeout = std::chrono::milliseconds(10000);
    o.marketOpen = [] { return true; }; // the simulator's clock says 10:00, the wall clock may not
    return o;
}

} // namespace

class tst_MarketFeed final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void connectSubscribeFramesArrive();
    void dropReconnectsAndResubscribes();
    void muteIsDetectedAndRecovered();
    void expiredTokenIsLoginRequiredThenBack();
    void limitExceededRefusedLocally();
    void slowAnswersStillConnect();
    void backfillAfterResubscribe();

private:
    bool postFault(const QString &name, const QString &value = {});
    QByteArray loginToken();
    void makeFeed(UpstoxMarketFeed::Options options = fastOptions());
    bool waitForState(State state, int timeoutMs = 30000);

    testing::SimProcess m_sim;
    QUrl m_simUrl;
    testing::TestTokens m_tokens;
    std::unique_ptr<net::HttpClient> m_http;
    std::unique_ptr<upstox::UpstoxClient> m_client;
    std::unique_ptr<UpstoxMarketFeed> m_feed;
    std::shared_ptr<SinkLog> m_sinkFrames;
};

void tst_MarketFeed::init()
{
    STRIKELINE_REQUIRE_REAL_FILE(master, "fixture-NSE_FO-subset-2026-08-21.json");
    QVERIFY2(m_sim.start(master), qPrintable(m_sim.errorString()));
    m_simUrl = m_sim.url();

    m_tokens.set(AnalyticsToken);
    net::HttpClient::Options http;
    http.tokens = &m_tokens;
    http.allowLoopbackHttp = true;
    http.retryBackoff = std::chrono::milliseconds(50);
    m_http = std::make_unique<net::HttpClient>(http);
    auto urls = upstox::UpstoxUrls::fromBase(m_simUrl.toString());
    QVERIFY(urls.ok());
    m_client = std::make_unique<upstox::UpstoxClient>(*m_http, urls.value());
    m_sinkFrames = std::make_shared<SinkLog>();
}

void tst_MarketFeed::cleanup()
{
    m_feed.reset();
    m_client.reset();
    m_http.reset();
    m_sim.stop();
}

void tst_MarketFeed::makeFeed(UpstoxMarketFeed::Options options)
{
    auto frames = m_sinkFrames;
    m_feed = std::make_unique<UpstoxMarketFeed>(
        *m_client, std::move(options), [frames](const QByteArray &frame, std::int64_t receivedNs) {
            if (!frame.isEmpty() && receivedNs > 0)
                frames->add(frame);
        });
}

bool tst_MarketFeed::waitForState(State state, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (m_feed->state() != state && !deadline.hasExpired())
        QTest::qWait(20);
    if (m_feed->state() != state)
        qWarning("waited for %s, still %s: %s", qPrintable(UpstoxMarketFeed::stateName(state)),
                 qPrintable(UpstoxMarketFeed::stateName(m_feed->state())),
                 qPrintable(m_feed->reason()));
    return m_feed->state() == state;
}

bool tst_MarketFeed::postFault(const QString &name, const QString &value)
{
    return testing::simFault(m_simUrl, name, value);
}

QByteArray tst_MarketFeed::loginToken()
{
    return testing::simLogin(m_simUrl);
}

void tst_MarketFeed::connectSubscribeFramesArrive()
{
    makeFeed();
    QSignalSpy states(m_feed.get(), &UpstoxMarketFeed::stateChanged);
    QVERIFY(m_feed->acquire(QStringLiteral("chain"), QStringList{Call, Put}, FeedMode::OptionGreeks)
                .ok());
    QVERIFY(m_feed->acquire(QStringLiteral("watch"), Nifty, FeedMode::Ltpc).ok());
    m_feed->start();
    QVERIFY(waitForState(State::Live));
    // market_info, the snapshot of the subscribed keys, then live ticks.
    QTRY_VERIFY_WITH_TIMEOUT(m_sinkFrames->load() >= 5, 30000);
    QTRY_VERIFY_WITH_TIMEOUT(m_sinkFrames->sawAll({Call, Put, Nifty}), 30000);
    const auto counters = m_feed->counters();
    QVERIFY(counters.frames >= 5);
    QVERIFY(counters.bytes > counters.frames);
    QCOMPARE(counters.connects, 1u);
    QCOMPARE(counters.reconnects, 0u);
    QVERIFY(counters.requestsSent >= 2); // one sub per mode
    QCOMPARE(counters.textFrames, 0u);   // nothing refused by the server
    QTRY_VERIFY_WITH_TIMEOUT(!states.isEmpty(), 5000);
    QCOMPARE(states.first().at(0).value<State>(), State::Connecting);

    m_feed->stop();
    QVERIFY(waitForState(State::Stopped));
}

void tst_MarketFeed::dropReconnectsAndResubscribes()
{
    makeFeed();
    QSignalSpy resubscribed(m_feed.get(), &UpstoxMarketFeed::resubscribed);
    QVERIFY(m_feed->acquire(QStringLiteral("chain"), QStringList{Call, Put}, FeedMode::Full).ok());
    m_feed->start();
    QVERIFY(waitForState(State::Live));
    QTRY_VERIFY_WITH_TIMEOUT(resubscribed.size() == 1, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(m_sinkFrames->load() >= 3, 30000);
    // Acquired while live: goes out batched, and is part of the set replayed after the drop.
    QVERIFY(m_feed->acquire(QStringLiteral("watch"), Nifty, FeedMode::Ltpc).ok());

    QSignalSpy states(m_feed.get(), &UpstoxMarketFeed::stateChanged);
    QVERIFY(postFault(QStringLiteral("drop-ws")));
    QTRY_VERIFY_WITH_TIMEOUT(resubscribed.size() >= 2, 30000);
    m_sinkFrames->clearKeys();
    QVERIFY(waitForState(State::Live));
    bool sawReconnecting = false;
    for (const auto &change : states)
        sawReconnecting |= change.at(0).value<State>() == State::Reconnecting;
    QVERIFY(sawReconnecting);
    QCOMPARE(resubscribed.last().at(0).toStringList(), (QStringList{Call, Put, Nifty}));
    QVERIFY(m_feed->counters().reconnects >= 1);
    QVERIFY(m_feed->counters().connects >= 2);
    // After the new socket's market_info, the re-subscribed keys' snapshot and ticks flow again.
    // The new socket holds the exact set: every key's snapshot or ticks come again.
    QTRY_VERIFY_WITH_TIMEOUT(m_sinkFrames->sawAll({Call, Put, Nifty}), 30000);
    QCOMPARE(m_feed->counters().textFrames, 0u);
}

void tst_MarketFeed::muteIsDetectedAndRecovered()
{
    makeFeed();
    QVERIFY(m_feed->acquire(QStringLiteral("chain"), QStringList{Call, Put}, FeedMode::Full).ok());
    QVERIFY(m_feed->acquire(QStringLiteral("watch"), Nifty, FeedMode::Ltpc).ok());
    QSignalSpy states(m_feed.get(), &UpstoxMarketFeed::stateChanged);
    m_feed->start();
    QVERIFY(waitForState(State::Live));
    QTRY_VERIFY_WITH_TIMEOUT(m_sinkFrames->load() >= 3, 30000);

    QVERIFY(postFault(QStringLiteral("mute-ws")));
    // Pongs still come (Qt answers pings while muted): only the mute detector can see it.
    const auto sawMute = [&] {
        for (const auto &change : states)
            if (change.at(0).value<State>() == State::Reconnecting &&
                change.at(1).toString().contains(QLatin1String("mute")))
                return true;
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(sawMute(), 30000);
    QVERIFY(postFault(QStringLiteral("mute-ws"), QStringLiteral("off")));
    m_sinkFrames->clearKeys();
    QVERIFY(waitForState(State::Live));
    QTRY_VERIFY_WITH_TIMEOUT(m_sinkFrames->sawAll({Call, Put, Nifty}), 30000);
    QVERIFY(m_feed->counters().reconnects >= 1);
}

void tst_MarketFeed::expiredTokenIsLoginRequiredThenBack()
{
    const QByteArray first = loginToken();
    QVERIFY(!first.isEmpty());
    m_tokens.set(first);
    makeFeed();
    QVERIFY(m_feed->acquire(QStringLiteral("chain"), Call, FeedMode::Full).ok());
    m_feed->start();
    QVERIFY(waitForState(State::Live));
    QTRY_VERIFY_WITH_TIMEOUT(m_sinkFrames->load() >= 2, 30000);

    QVERIFY(postFault(QStringLiteral("expire-token")));
    QVERIFY(waitForState(State::LoginRequired));
    QVERIFY2(m_feed->reason().contains(QLatin1String("login required")),
             qPrintable(m_feed->reason()));
    QVERIFY(!m_feed->reason().contains(QString::fromUtf8(first))); // no secret in the reason
    QVERIFY(!m_tokens.rejected().isEmpty());
    // No retry storm: nothing more is asked while the login is missing (3 s, ~30 backoff cycles).
    const auto authorizes = m_feed->counters().authorizes;
    QTest::qWait(3000);
    QCOMPARE(m_feed->counters().authorizes, authorizes);
    QCOMPARE(m_feed->state(), State::LoginRequired);

    const QByteArray second = loginToken();
    QVERIFY(!second.isEmpty());
    QVERIFY(second != first);
    m_tokens.set(second);
    QSignalSpy resubscribed(m_feed.get(), &UpstoxMarketFeed::resubscribed);
    m_feed->sessionRestored();
    QVERIFY(waitForState(State::Live));
    QTRY_VERIFY_WITH_TIMEOUT(!resubscribed.isEmpty(), 10000);
    QCOMPARE(resubscribed.first().at(0).toStringList(), QStringList{Call});
    m_sinkFrames->clearKeys();
    QTRY_VERIFY_WITH_TIMEOUT(m_sinkFrames->sawAll({Call}), 30000);
}

void tst_MarketFeed::limitExceededRefusedLocally()
{
    makeFeed();
    QVERIFY(m_feed->acquire(QStringLiteral("chain"), Call, FeedMode::Full).ok());
    m_feed->start();
    QVERIFY(waitForState(State::Live));
    QStringList many;
    for (int i = 0; i < 2000; ++i)
        many.append(QStringLiteral("NSE_FO|%1").arg(900000 + i));
    const auto refused = m_feed->acquire(QStringLiteral("scanner"), many, FeedMode::Full);
    QVERIFY(!refused.ok());
    QVERIFY2(refused.error().message.contains(QLatin1String("at most 2000 instruments in full")),
             qPrintable(refused.error().message));
    QCOMPARE(m_feed->wantedKeys(), QStringList{Call});
    // Nothing was sent for it: the server never answered with a refusal, the feed stays live.
    QTRY_VERIFY_WITH_TIMEOUT(m_sinkFrames->load() >= 3, 30000);
    QCOMPARE(m_feed->counters().textFrames, 0u);
    QCOMPARE(m_feed->state(), State::Live);
}

void tst_MarketFeed::slowAnswersStillConnect()
{
    QVERIFY(postFault(QStringLiteral("slow"), QStringLiteral("800")));
    makeFeed();
    QVERIFY(m_feed->acquire(QStringLiteral("chain"), QStringList{Call, Put}, FeedMode::OptionGreeks)
                .ok());
    m_feed->start();
    QVERIFY(waitForState(State::Live));
    QTRY_VERIFY_WITH_TIMEOUT(m_sinkFrames->load() >= 3, 30000);
    QVERIFY(postFault(QStringLiteral("drop-ws")));
    QTRY_VERIFY_WITH_TIMEOUT(m_feed->counters().connects >= 2, 30000);
    QVERIFY(waitForState(State::Live));
    QCOMPARE(m_feed->counters().textFrames, 0u);
}

void tst_MarketFeed::backfillAfterResubscribe()
{
    makeFeed();
    QSignalSpy resubscribed(m_feed.get(), &UpstoxMarketFeed::resubscribed);
    QVERIFY(m_feed->acquire(QStringLiteral("chain"), QStringList{Call, Put}, FeedMode::OptionGreeks)
                .ok());
    QVERIFY(m_feed->acquire(QStringLiteral("watch"), Nifty, FeedMode::Ltpc).ok());
    m_feed->start();
    QTRY_VERIFY_WITH_TIMEOUT(!resubscribed.isEmpty(), 30000);
    const QStringList keys = resubscribed.first().at(0).toStringList();
    QCOMPARE(keys, (QStringList{Call, Put, Nifty}));

    const auto answer =
        testing::waitFor<upstox::UpstoxResult<std::vector<marketdata::BackfillQuote>>>(
            [&](QObject *context, auto done) {
                marketdata::backfillQuotes(*m_client, keys, QStringList{Call, Put}, context, done);
            });
    QVERIFY(answer.has_value());
    QVERIFY2(answer->ok(), answer->ok() ? "" : qPrintable(answer->error().toString()));
    const auto &quotes = answer->value();
    QCOMPARE(quotes.size(), std::size_t(5)); // three LTPs, then two greeks
    QCOMPARE(quotes[3].instrumentKey.startsWith(QLatin1String("NSE_FO|")), true);
    for (std::size_t i = 0; i < quotes.size(); ++i) {
        QVERIFY(keys.contains(quotes[i].instrumentKey));
        QVERIFY(quotes[i].ltp.has_value());
        QVERIFY(quotes[i].ltp->raw() > 0);
        QCOMPARE(quotes[i].delta.has_value(), i >= 3); // LTP v3 carries no greeks: absent, not 0
    }
    QVERIFY(quotes[3].oi.has_value());

    // A key Upstox does not know (an expired contract in a watch list) refuses its whole
    // request: the others are asked again without it, and still come back.
    const QString unknown = QStringLiteral("BSE_FO|1102290");
    const auto partly =
        testing::waitFor<upstox::UpstoxResult<std::vector<marketdata::BackfillQuote>>>(
            [&](QObject *context, auto done) {
                marketdata::backfillQuotes(*m_client, QStringList{Call, unknown, Put, Nifty},
                                           QStringList{unknown, Call}, context, done);
            });
    QVERIFY(partly.has_value());
    QVERIFY2(partly->ok(), partly->ok() ? "" : qPrintable(partly->error().toString()));
    QStringList answered;
    for (const auto &q : partly->value())
        answered.append(q.instrumentKey);
    answered.sort();
    QStringList expected{Call, Put, Nifty, Call};
    expected.sort();
    QCOMPARE(answered, expected);

    // Nothing asked: answered at once with nothing.
    bool called = false;
    QObject context;
    marketdata::backfillQuotes(*m_client, {}, {}, &context,
                               [&](upstox::UpstoxResult<std::vector<marketdata::BackfillQuote>> r) {
                                   called = r.ok() && r.value().empty();
                               });
    QVERIFY(called);
}

QTEST_GUILESS_MAIN(tst_MarketFeed)
#include "tst_marketfeed.moc"
