// The simulator's WebSocket streams over real WebSockets on loopback, decoded with the vendor's
// protobuf schema: market_info first, a snapshot then live ticks (partial ones too), the modes,
// change_mode (and the Node SDK's sub-as-change-mode), unsub, Upstox's key and connection
// limits, malformed requests, the drop/mute/revoke faults, the portfolio stream filtered by
// update type and user; and the tape itself: segment statuses, circuits, greeks, determinism.
// The test plays the front door: a QWebSocketServer that hands every socket to the streams.

#undef QT_NO_CAST_FROM_ASCII

#include "FeedReplay.h"
#include "RecordFactory.h"
#include "SimFeedStreams.h"
#include "instruments/InstrumentRepository.h"
#include "marketdata/FeedRecording.h"
#include "marketdata/SimulatedMarket.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkProxy>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>
#include <QWebSocket>
#include <QWebSocketServer>

#include <cmath>
#include <google/protobuf/util/message_differencer.h>
#include <memory>
#include <vector>

using namespace strikeline;
using namespace strikeline::sim;
using namespace strikeline::testing;

namespace {

const EpochDay Today = day(2025, 12, 9); // a Tuesday
const EpochDay Weekly = day(2025, 12, 16);
const EpochDay Month = day(2025, 12, 30);
const std::string NiftyIndex = "NSE_INDEX|Nifty 50";
constexpr int Timeout = 10000;

IstMoment at(EpochDay d, int hour, int minute)
{
    return IstMoment::fromDay(d, hour * 60 + minute);
}

struct Keys
{
    std::string index, future, call, put, equity, mcxFuture;
    std::vector<std::string> many; // 2100 options: enough to cross the full-mode limit
};

SnapshotPtr buildUniverse(Keys &k)
{
    RecordFactory f;
    SnapshotBuilder b;
    auto keep = [&b](InstrumentRecord r, std::string *key = nullptr) {
        if (key)
            *key = r.instrumentKey;
        b.add(std::move(r));
    };
    keep(f.index("NIFTY", NiftyIndex, "Nifty 50"), &k.index);
    keep(f.future("NIFTY", Month, 75, Segment::NseFo, NiftyIndex), &k.future);
    for (int strike = 25500; strike <= 26500; strike += 100) {
        const std::string s = std::to_string(strike);
        keep(f.option("NIFTY", Weekly, s, true, 75, true, Segment::NseFo, NiftyIndex),
             strike == 26000 ? &k.call : nullptr);
        keep(f.option("NIFTY", Weekly, s, false, 75, true, Segment::NseFo, NiftyIndex),
             strike == 26000 ? &k.put : nullptr);
    }
    keep(f.equity("RELIANCE", "RELIANCE INDUSTRIES LTD"), &k.equity);
    InstrumentRecord crude = f.future("CRUDEOIL", Month, 100, Segment::McxFo);
    crude.tickSize = Price::fromRupees(1);
    keep(crude, &k.mcxFuture);
    keep(f.option("CRUDEOIL", Month, "5000", true, 100, false, Segment::McxFo));
    for (int i = 0; i < 1050; ++i) {
        const std::string s = std::to_string(1000 + i * 5);
        for (const bool call : {true, false}) {
            std::string key;
            keep(f.option("BIGCHAIN", Month, s, call, 50, false, Segment::NseFo), &key);
            k.many.push_back(key);
        }
    }
    return b.build(MasterInfo{});
}

upstoxpb::FeedResponse decode(const QByteArray &bytes)
{
    upstoxpb::FeedResponse response;
    if (!response.ParseFromArray(bytes.constData(), static_cast<int>(bytes.size())))
        qWarning("a frame that is not a FeedResponse");
    return response;
}

QByteArray request(const QString &method, const std::vector<std::string> &keys,
                   const QString &mode = {})
{
    QJsonArray array;
    for (const std::string &key : keys)
        array.append(QString::fromStdString(key));
    QJsonObject data{{"instrumentKeys", array}};
    if (!mode.isEmpty())
        data.insert("mode", mode);
    return QJsonDocument(
               QJsonObject{{"guid", QString("g-" + method)}, {"method", method}, {"data", data}})
        .toJson(QJsonDocument::Compact);
}

// A client of the simulator's streams: keeps every frame.
class Client : public QObject
{
public:
    explicit Client(const QUrl &url)
    {
        socket.setProxy(QNetworkProxy::NoProxy);
        connect(&socket, &QWebSocket::binaryMessageReceived, this,
                [this](const QByteArray &bytes) { frames.push_back(decode(bytes)); });
        connect(&socket, &QWebSocket::textMessageReceived, this,
                [this](const QString &text) { texts.push_back(text); });
        connect(&socket, &QWebSocket::disconnected, this, [this] { closed = true; });
        socket.open(url);
    }
    bool waitOpen()
    {
        return QTest::qWaitFor([this] { return isOpen(); }, Timeout);
    }
    bool isOpen() const { return socket.state() == QAbstractSocket::ConnectedState; }
    void send(const QByteArray &bytes) { socket.sendBinaryMessage(bytes); }
    // The index of the first frame at or after `from` of that type, or -1.
    int find(upstoxpb::Type type, std::size_t from = 0) const
    {
        for (std::size_t i = from; i < frames.size(); ++i) {
            if (frames[i].type() == type)
                return static_cast<int>(i);
        }
        return -1;
    }
    int count(upstoxpb::Type type, std::size_t from = 0) const
    {
        int n = 0;
        for (std::size_t i = from; i < frames.size(); ++i)
            n += frames[i].type() == type;
        return n;
    }
    bool waitFor(upstoxpb::Type type, std::size_t from = 0, int atLeast = 1)
    {
        return QTest::qWaitFor([&] { return count(type, from) >= atLeast; }, Timeout);
    }
    QJsonObject lastText() const
    {
        return texts.isEmpty() ? QJsonObject{}
                               : QJsonDocument::fromJson(texts.last().toUtf8()).object();
    }

    QWebSocket socket;
    std::vector<upstoxpb::FeedResponse> frames;
    QStringList texts;
    bool closed = false;
};

} // namespace

class tst_SimFeed : public QObject
{
    Q_OBJECT

    Keys m_keys;
    InstrumentRepository m_repository;
    FixedClock m_clock{at(Today, 10, 0)};
    std::unique_ptr<SimulatedMarket> m_market;
    std::unique_ptr<SimEventBus> m_events;
    std::unique_ptr<SimContext> m_context;
    std::unique_ptr<SimFeedStreams> m_streams;
    std::unique_ptr<QWebSocketServer> m_server;

    // A simulator with these settings: the front door hands /feed sockets to the market feed
    // and /portfolio sockets to the portfolio stream, user, token and update_types from the
    // query (the real front door takes them from the single-use code).
    void start(int tickRate, MarketFeedServer::Options options = {})
    {
        m_streams.reset();
        m_server.reset();
        m_context.reset();
        m_events = std::make_unique<SimEventBus>();
        m_market = std::make_unique<SimulatedMarket>(m_repository, m_clock);
        m_market->setUnderlyingPrice("RELIANCE", Price::fromRupees(1500)); // no options to
                                                                           // take a level from
        m_context = std::make_unique<SimContext>(
            SimContext{m_repository, *m_market, m_clock, *m_events, tickRate, 7});
        m_streams = std::make_unique<SimFeedStreams>(*m_context, options);
        m_server = std::make_unique<QWebSocketServer>("sim", QWebSocketServer::NonSecureMode);
        QVERIFY(m_server->listen(QHostAddress::LocalHost, 0));
        connect(m_server.get(), &QWebSocketServer::newConnection, this, [this] {
            while (QWebSocket *socket = m_server->nextPendingConnection()) {
                const QUrlQuery query(socket->requestUrl());
                const QString user = query.queryItemValue("user");
                const QByteArray token = query.queryItemValue("token").toUtf8();
                if (socket->requestUrl().path() == "/portfolio") {
                    const QString types = query.queryItemValue("types");
                    m_streams->acceptPortfolioStream(
                        socket, user, token, types.isEmpty() ? QStringList{} : types.split(','));
                } else {
                    m_streams->acceptMarketFeed(socket, user, token);
                }
            }
        });
    }
    QUrl url(const QString &path, const QString &user = "U1", const QString &token = "T1",
             const QString &types = {}) const
    {
        QUrl u(QString("ws://127.0.0.1:%1%2").arg(m_server->serverPort()).arg(path));
        QUrlQuery q;
        q.addQueryItem("user", user);
        q.addQueryItem("token", token);
        if (!types.isEmpty())
            q.addQueryItem("types", types);
        u.setQuery(q);
        return u;
    }
    std::unique_ptr<Client> feed(const QString &user = "U1", const QString &token = "T1")
    {
        auto client = std::make_unique<Client>(url("/feed", user, token));
        if (!client->waitOpen())
            qWarning("feed did not open");
        return client;
    }

private Q_SLOTS:
    void initTestCase() { m_repository.publish(buildUniverse(m_keys)); }
    void init()
    {
        m_clock.set(at(Today, 10, 0));
        start(0);
    }
    void cleanup()
    {
        m_streams.reset();
        m_server.reset();
    }

    void marketInfoComesFirst()
    {
        auto c = feed();
        QVERIFY(c->waitFor(upstoxpb::market_info));
        QCOMPARE(c->frames.front().type(), upstoxpb::market_info);
        const auto &status = c->frames.front().marketinfo().segmentstatus();
        QCOMPARE(status.at("NSE_FO"), upstoxpb::NORMAL_OPEN);
        QCOMPARE(status.at("NSE_EQ"), upstoxpb::NORMAL_OPEN);
        QCOMPARE(status.at("MCX_FO"), upstoxpb::NORMAL_OPEN);
        QCOMPARE(status.size(), 11u);
        QCOMPARE(c->frames.front().currentts(), m_clock.now().epochMs);
        QCOMPARE(m_streams->marketFeedConnections("U1"), 1);
    }

    void snapshotThenLiveTicks()
    {
        start(200); // many frames quickly
        auto c = feed();
        c->send(request("sub", {m_keys.future, m_keys.call, m_keys.index, m_keys.equity}, "full"));
        QVERIFY(c->waitFor(upstoxpb::initial_feed));
        const int snap = c->find(upstoxpb::initial_feed);
        QCOMPARE(c->find(upstoxpb::market_info), 0);
        QVERIFY(snap > 0);
        const upstoxpb::FeedResponse &s = c->frames[snap];
        QCOMPARE(s.feeds_size(), 4);

        // The future: full market record, 5 levels, prices from the simulated market.
        const upstoxpb::Feed &fut = s.feeds().at(m_keys.future);
        QCOMPARE(fut.requestmode(), upstoxpb::full_d5);
        QVERIFY(fut.fullfeed().has_marketff());
        const upstoxpb::MarketFullFeed &ff = fut.fullfeed().marketff();
        const Quote quote = *m_market->quote(m_keys.future);
        QCOMPARE(ff.ltpc().ltp(), quote.last.toDouble());
        QCOMPARE(ff.ltpc().cp(), quote.previousClose.toDouble());
        QCOMPARE(ff.marketlevel().bidaskquote_size(), 5);
        const upstoxpb::Quote &best = ff.marketlevel().bidaskquote(0);
        QVERIFY(best.bidp() < ff.ltpc().ltp() && ff.ltpc().ltp() < best.askp());
        QVERIFY(best.bidq() > 0 && best.bidq() % 75 == 0);
        for (const auto &level : ff.marketlevel().bidaskquote()) {
            // On the 0.10 tick and the double nearest the decimal (what clients print).
            QCOMPARE(level.bidp(), std::round(level.bidp() * 10) / 10);
            QCOMPARE(level.askp(), std::round(level.askp() * 10) / 10);
        }
        for (int i = 1; i < 5; ++i) {
            QVERIFY(ff.marketlevel().bidaskquote(i).bidp() <
                    ff.marketlevel().bidaskquote(i - 1).bidp());
            QVERIFY(ff.marketlevel().bidaskquote(i).askp() >
                    ff.marketlevel().bidaskquote(i - 1).askp());
        }
        QVERIFY(ff.vtt() > 0 && ff.vtt() % 75 == 0);
        QVERIFY(ff.oi() > 0);
        QVERIFY(ff.atp() > 0);
        QVERIFY(ff.tbq() > 0 && ff.tsq() > 0);
        QVERIFY(ff.marketohlc().ohlc_size() >= 2);
        QCOMPARE(ff.marketohlc().ohlc(0).interval(), std::string("1d"));
        QVERIFY(ff.marketohlc().ohlc(0).high() >= ff.marketohlc().ohlc(0).low());
        QVERIFY(!ff.has_optiongreeks());

        // The ATM call: greeks and IV (the market prices it at 15 % flat).
        const upstoxpb::MarketFullFeed &call = s.feeds().at(m_keys.call).fullfeed().marketff();
        QVERIFY(call.has_optiongreeks());
        QVERIFY(call.optiongreeks().delta() > 0.3 && call.optiongreeks().delta() < 0.7);
        QVERIFY(call.optiongreeks().gamma() > 0);
        QVERIFY(call.optiongreeks().theta() < 0);
        QVERIFY(call.optiongreeks().vega() > 0);
        QVERIFY(std::abs(call.iv() - 0.15) < 0.01);

        // The index: indexFF with ltpc and OHLC, no book.
        const upstoxpb::Feed &index = s.feeds().at(m_keys.index);
        QVERIFY(index.fullfeed().has_indexff());
        QVERIFY(index.fullfeed().indexff().ltpc().ltp() > 0);

        // Then live ticks, some of them partial: depth without ltpc.
        QVERIFY(c->waitFor(upstoxpb::live_feed, snap, 40));
        QVERIFY(c->find(upstoxpb::live_feed) > snap);
        bool trade = false, partial = false;
        for (std::size_t i = snap + 1; i < c->frames.size(); ++i) {
            for (const auto &[key, f] : c->frames[i].feeds()) {
                QVERIFY(key == m_keys.future || key == m_keys.call || key == m_keys.index ||
                        key == m_keys.equity);
                if (!f.fullfeed().has_marketff())
                    continue;
                const auto &m = f.fullfeed().marketff();
                trade = trade || (m.has_ltpc() && m.ltpc().ltq() > 0);
                partial = partial || (!m.has_ltpc() && m.has_marketlevel() && !m.has_marketohlc());
            }
        }
        QVERIFY(trade);
        QVERIFY(partial);
    }

    void modes()
    {
        auto c = feed();
        c->send(request("sub", {m_keys.future}, "ltpc"));
        c->send(request("sub", {m_keys.call}, "option_greeks"));
        c->send(request("sub", {m_keys.put})); // no mode: ltpc
        c->send(request("sub", {m_keys.equity, "NSE_FO|NOSUCHKEY"}, "full_d30"));
        QVERIFY(c->waitFor(upstoxpb::initial_feed, 0, 4));
        std::map<std::string, upstoxpb::Feed> seen;
        for (const auto &frame : c->frames) {
            if (frame.type() == upstoxpb::initial_feed)
                for (const auto &[key, f] : frame.feeds())
                    seen[key] = f;
        }
        QCOMPARE(seen.size(), 4u); // the unknown key is ignored
        QCOMPARE(seen[m_keys.future].FeedUnion_case(), upstoxpb::Feed::kLtpc);
        QCOMPARE(seen[m_keys.future].requestmode(), upstoxpb::ltpc);
        QVERIFY(seen[m_keys.future].ltpc().ltp() > 0);
        QCOMPARE(seen[m_keys.put].FeedUnion_case(), upstoxpb::Feed::kLtpc);
        const upstoxpb::Feed &g = seen[m_keys.call];
        QCOMPARE(g.requestmode(), upstoxpb::option_greeks);
        QVERIFY(g.has_firstlevelwithgreeks());
        QVERIFY(g.firstlevelwithgreeks().firstdepth().bidp() > 0);
        QVERIFY(g.firstlevelwithgreeks().optiongreeks().delta() > 0);
        QVERIFY(g.firstlevelwithgreeks().oi() > 0);
        QVERIFY(g.firstlevelwithgreeks().iv() > 0);
        const upstoxpb::Feed &d30 = seen[m_keys.equity];
        QCOMPARE(d30.requestmode(), upstoxpb::full_d30);
        QCOMPARE(d30.fullfeed().marketff().marketlevel().bidaskquote_size(), 30);
        QCOMPARE(d30.fullfeed().marketff().oi(), 0.0); // equities have no OI
        QVERIFY(c->texts.isEmpty());
    }

    void changeModeAndSubAsChangeMode()
    {
        auto c = feed();
        c->send(request("sub", {m_keys.future, m_keys.call}, "ltpc"));
        QVERIFY(c->waitFor(upstoxpb::initial_feed));
        c->send(request("change_mode", {m_keys.future, "NSE_FO|NOTSUBSCRIBED"}, "full"));
        QVERIFY(c->waitFor(upstoxpb::initial_feed, 0, 2));
        const auto &second =
            c->frames[c->find(upstoxpb::initial_feed, c->find(upstoxpb::initial_feed) + 1)];
        QCOMPARE(second.feeds_size(), 1);
        QVERIFY(second.feeds().at(m_keys.future).fullfeed().has_marketff());
        // The Node SDK's changeMode() sends `sub` with the new mode: the key moves mode.
        c->send(request("sub", {m_keys.call}, "option_greeks"));
        QVERIFY(c->waitFor(upstoxpb::initial_feed, 0, 3));
        int third = -1;
        for (std::size_t i = 0; i < c->frames.size(); ++i)
            if (c->frames[i].type() == upstoxpb::initial_feed)
                third = static_cast<int>(i);
        QVERIFY(c->frames[third].feeds().at(m_keys.call).has_firstlevelwithgreeks());
        // change_mode without a mode is refused.
        c->send(request("change_mode", {m_keys.call}));
        QTRY_VERIFY_WITH_TIMEOUT(!c->texts.isEmpty(), Timeout);
        QCOMPARE(c->lastText().value("status").toString(), QString("failed"));
        QCOMPARE(c->lastText().value("method").toString(), QString("change_mode"));

        // Live ticks follow the new modes.
        const std::size_t from = c->frames.size();
        QVERIFY(c->waitFor(upstoxpb::live_feed, from, 3));
        for (std::size_t i = from; i < c->frames.size(); ++i) {
            for (const auto &[key, f] : c->frames[i].feeds()) {
                if (key == m_keys.future)
                    QCOMPARE(f.FeedUnion_case(), upstoxpb::Feed::kFullFeed);
                if (key == m_keys.call)
                    QCOMPARE(f.FeedUnion_case(), upstoxpb::Feed::kFirstLevelWithGreeks);
            }
        }
    }

    void unsubStopsTicks()
    {
        start(200);
        auto c = feed();
        c->send(request("sub", {m_keys.future, m_keys.call}, "full"));
        QVERIFY(c->waitFor(upstoxpb::initial_feed));
        c->send(request("unsub", {m_keys.future}));
        c->send(request("sub", {m_keys.put}, "full")); // its snapshot marks the unsub as done
        QVERIFY(c->waitFor(upstoxpb::initial_feed, 0, 2));
        int marker = -1;
        for (std::size_t i = 0; i < c->frames.size(); ++i)
            if (c->frames[i].type() == upstoxpb::initial_feed &&
                c->frames[i].feeds().contains(m_keys.put))
                marker = static_cast<int>(i);
        QVERIFY(marker > 0);
        QVERIFY(c->waitFor(upstoxpb::live_feed, marker, 30));
        bool call = false;
        for (std::size_t i = marker + 1; i < c->frames.size(); ++i) {
            QVERIFY(!c->frames[i].feeds().contains(m_keys.future));
            call = call || c->frames[i].feeds().contains(m_keys.call);
        }
        QVERIFY(call);
    }

    void tickRateSharesFramesAcrossConnections()
    {
        start(100);
        auto a = feed("U1", "T1");
        auto b = feed("U2", "T2");
        a->send(request("sub", {m_keys.future, m_keys.call}, "full"));
        b->send(request("sub", {m_keys.put}, "ltpc"));
        QVERIFY(a->waitFor(upstoxpb::live_feed, 0, 5));
        QVERIFY(b->waitFor(upstoxpb::live_feed, 0, 5));
        // A load-test frame carries every key of its connection, in that connection's mode.
        for (const auto &frame : a->frames) {
            if (frame.type() != upstoxpb::live_feed)
                continue;
            QCOMPARE(frame.feeds_size(), 2);
            QVERIFY(frame.feeds().at(m_keys.future).has_fullfeed());
        }
        for (const auto &frame : b->frames) {
            if (frame.type() == upstoxpb::live_feed)
                QCOMPARE(frame.feeds().at(m_keys.put).FeedUnion_case(), upstoxpb::Feed::kLtpc);
        }
    }

    void closedSegmentsDoNotTick()
    {
        m_clock.set(at(Today, 16, 0)); // NSE F&O closed, MCX open
        start(0);
        auto c = feed();
        c->send(request("sub", {m_keys.future, m_keys.mcxFuture}, "full"));
        QVERIFY(c->waitFor(upstoxpb::initial_feed));
        QCOMPARE(c->frames[c->find(upstoxpb::initial_feed)].feeds_size(), 2); // snapshots: both
        QVERIFY(c->waitFor(upstoxpb::live_feed, 0, 5));
        for (const auto &frame : c->frames) {
            if (frame.type() == upstoxpb::live_feed) {
                QVERIFY(!frame.feeds().contains(m_keys.future));
                QVERIFY(frame.feeds().contains(m_keys.mcxFuture));
            }
        }
    }

    void keyLimits()
    {
        // Upstox's own limit: 2000 keys in full mode alone.
        auto c = feed();
        std::vector<std::string> keys(m_keys.many.begin(), m_keys.many.begin() + 2001);
        c->send(request("sub", keys, "full"));
        QTRY_VERIFY_WITH_TIMEOUT(!c->texts.isEmpty(), Timeout);
        const QJsonObject error = c->lastText();
        QCOMPARE(error.value("status").toString(), QString("failed"));
        QCOMPARE(error.value("guid").toString(), QString("g-sub"));
        QCOMPARE(error.value("error_code").toString(), QString("UDAPI100036"));
        QVERIFY(error.value("error").toString().contains("full"));
        // 2000 are fine in ltpc; then 1 full key mixes modes: ltpc may hold only 2000 (ok)...
        keys.pop_back();
        c->send(request("sub", keys, "ltpc"));
        QVERIFY(c->waitFor(upstoxpb::initial_feed));
        QCOMPARE(c->frames[c->find(upstoxpb::initial_feed)].feeds_size(), 2000);
        c->send(request("sub", {m_keys.future}, "full"));
        QVERIFY(c->waitFor(upstoxpb::initial_feed, 0, 2));
        // ... and one more ltpc key crosses the combined ltpc limit: refused, nothing changes.
        c->send(request("sub", {m_keys.many[2001]}, "ltpc"));
        QTRY_COMPARE_WITH_TIMEOUT(c->texts.size(), 2, Timeout);
        QVERIFY(c->lastText().value("error").toString().contains("combined"));
        c->send(request("unsub", {m_keys.many[0]}));
        c->send(request("sub", {m_keys.many[2001]}, "ltpc"));
        QVERIFY(c->waitFor(upstoxpb::initial_feed, 0, 3));
        QCOMPARE(c->texts.size(), 2);
    }

    void smallLimitsMixed()
    {
        MarketFeedServer::Options options;
        options.limits.full = 3;
        options.limits.fullMixed = 2;
        start(0, options);
        auto c = feed();
        c->send(request("sub", {m_keys.future, m_keys.call, m_keys.put}, "full"));
        QVERIFY(c->waitFor(upstoxpb::initial_feed));
        c->send(request("sub", {m_keys.equity}, "ltpc")); // now mixed: full allows only 2
        QTRY_VERIFY_WITH_TIMEOUT(!c->texts.isEmpty(), Timeout);
        c->send(request("change_mode", {m_keys.put}, "ltpc"));
        c->send(request("sub", {m_keys.equity}, "ltpc")); // 2 full + 2 ltpc: fine
        QVERIFY(c->waitFor(upstoxpb::initial_feed, 0, 3));
        QCOMPARE(c->texts.size(), 1);
    }

    void connectionLimitPerUser()
    {
        auto a = feed("U1", "T1");
        auto b = feed("U1", "T1");
        QVERIFY(a->waitFor(upstoxpb::market_info) && b->waitFor(upstoxpb::market_info));
        QCOMPARE(m_streams->marketFeedConnections("U1"), 2);
        QCOMPARE(m_streams->marketFeedConnectionLimit(), 2);
        Client third(url("/feed", "U1", "T1"));
        QTRY_VERIFY_WITH_TIMEOUT(third.closed, Timeout);
        QCOMPARE(third.socket.closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
        QVERIFY(third.frames.empty());
        auto other = feed("U2", "T2");
        QVERIFY(other->waitFor(upstoxpb::market_info));
        QCOMPARE(m_streams->marketFeedConnections("U1"), 2);
        QCOMPARE(m_streams->marketFeedConnections("U2"), 1);
        a->socket.close();
        QTRY_COMPARE_WITH_TIMEOUT(m_streams->marketFeedConnections("U1"), 1, Timeout);
    }

    void malformedRequests_data()
    {
        QTest::addColumn<QByteArray>("frame");
        QTest::newRow("not json") << QByteArray("{\"guid\":");
        QTest::newRow("array") << QByteArray("[1,2,3]");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("unknown method")
            << QByteArray(R"({"guid":"x","method":"subscribe","data":{"instrumentKeys":["a"]}})");
        QTest::newRow("no data") << QByteArray(R"({"guid":"x","method":"sub"})");
        QTest::newRow("keys not an array")
            << QByteArray(R"({"guid":"x","method":"sub","data":{"instrumentKeys":"NSE_FO|1"}})");
        QTest::newRow("empty keys")
            << QByteArray(R"({"guid":"x","method":"sub","data":{"instrumentKeys":[]}})");
        QTest::newRow("key not a string")
            << QByteArray(R"({"guid":"x","method":"sub","data":{"instrumentKeys":[7]}})");
        QTest::newRow("bad mode") << QByteArray(
            R"({"guid":"x","method":"sub","data":{"mode":"turbo","instrumentKeys":["a"]}})");
        QTest::newRow("binary junk") << QByteArray("\x00\xff\x13\x37", 4);
    }
    void malformedRequests()
    {
        QFETCH(QByteArray, frame);
        auto c = feed();
        c->send(frame);
        QTRY_VERIFY_WITH_TIMEOUT(!c->texts.isEmpty(), Timeout);
        QCOMPARE(c->lastText().value("status").toString(), QString("failed"));
        QVERIFY(!c->lastText().value("error").toString().isEmpty());
        // Still open and still serving.
        c->send(request("sub", {m_keys.future}, "ltpc"));
        QVERIFY(c->waitFor(upstoxpb::initial_feed));
        QVERIFY(c->isOpen());
    }

    void textFrameRequestIsRefused()
    {
        auto c = feed();
        c->socket.sendTextMessage(QString::fromUtf8(request("sub", {m_keys.future}, "full")));
        QTRY_VERIFY_WITH_TIMEOUT(!c->texts.isEmpty(), Timeout);
        QVERIFY(c->lastText().value("error").toString().contains("binary"));
        QCOMPARE(c->find(upstoxpb::initial_feed), -1);
        QVERIFY(c->isOpen());
    }

    void dropWebSockets()
    {
        auto a = feed();
        Client p(url("/portfolio"));
        QVERIFY(p.waitOpen());
        QVERIFY(a->waitFor(upstoxpb::market_info));
        Q_EMIT m_events->dropWebSockets();
        QTRY_VERIFY_WITH_TIMEOUT(a->closed, Timeout);
        QTRY_VERIFY_WITH_TIMEOUT(p.closed, Timeout);
        // No close frame (the client sees 1006; Qt's client reports no code or reason then).
        QVERIFY(a->socket.closeReason().isEmpty());
        QVERIFY(a->socket.closeCode() != QWebSocketProtocol::CloseCodePolicyViolated);
        QTRY_COMPARE_WITH_TIMEOUT(m_streams->marketFeedConnections("U1"), 0, Timeout);
        QTRY_COMPARE_WITH_TIMEOUT(m_streams->portfolioStream().connectionCount(), 0, Timeout);
        // Clients reconnect: the streams accept them again.
        auto again = feed();
        QVERIFY(again->waitFor(upstoxpb::market_info));
    }

    void muteWebSockets()
    {
        start(200);
        auto c = feed();
        c->send(request("sub", {m_keys.future}, "full"));
        QVERIFY(c->waitFor(upstoxpb::live_feed, 0, 5));
        Q_EMIT m_events->muteWebSockets(true);
        const std::uint64_t sent = m_streams->marketFeed().framesSent();
        c->send(request("sub", {m_keys.call}, "full")); // applied, not answered
        auto late = feed("U2", "T2");                   // opens, hears nothing
        QTest::qWait(400);
        QCOMPARE(m_streams->marketFeed().framesSent(), sent);
        QVERIFY(c->isOpen());
        QVERIFY(late->frames.empty());
        const std::size_t from = c->frames.size();
        Q_EMIT m_events->muteWebSockets(false);
        QVERIFY(late->waitFor(upstoxpb::market_info));
        QVERIFY(c->waitFor(upstoxpb::live_feed, from, 5));
        // The sub sent while muted was applied: its key ticks now.
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (std::size_t i = from; i < c->frames.size(); ++i)
                    if (c->frames[i].feeds().contains(m_keys.call))
                        return true;
                return false;
            }(),
            Timeout);
    }

    void tokenRevokedClosesItsSockets()
    {
        auto a = feed("U1", "T1");
        auto b = feed("U1", "T-other");
        Client p(url("/portfolio", "U1", "T1"));
        QVERIFY(p.waitOpen());
        QVERIFY(a->waitFor(upstoxpb::market_info) && b->waitFor(upstoxpb::market_info));
        Q_EMIT m_events->tokenRevoked("T1");
        QTRY_VERIFY_WITH_TIMEOUT(a->closed, Timeout);
        QTRY_VERIFY_WITH_TIMEOUT(p.closed, Timeout);
        QCOMPARE(a->socket.closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
        QVERIFY(b->isOpen());
        b->send(request("sub", {m_keys.future}, "ltpc"));
        QVERIFY(b->waitFor(upstoxpb::initial_feed));
    }

    void marketInfoOnTransition()
    {
        m_clock.set(at(Today, 15, 29));
        start(0);
        auto c = feed();
        QVERIFY(c->waitFor(upstoxpb::market_info));
        QCOMPARE(c->frames.front().marketinfo().segmentstatus().at("NSE_FO"),
                 upstoxpb::NORMAL_OPEN);
        c->send(request("sub", {m_keys.future}, "full"));
        QVERIFY(c->waitFor(upstoxpb::initial_feed));
        m_clock.set(at(Today, 15, 31));
        QVERIFY(c->waitFor(upstoxpb::market_info, 1));
        const auto &info = c->frames[c->find(upstoxpb::market_info, 1)];
        QCOMPARE(info.marketinfo().segmentstatus().at("NSE_FO"), upstoxpb::NORMAL_CLOSE);
        QCOMPARE(info.marketinfo().segmentstatus().at("MCX_FO"), upstoxpb::NORMAL_OPEN);
    }

    void portfolioStreamFiltersByTypeAndUser()
    {
        Client orders(url("/portfolio", "U1", "T1", "order"));
        Client positions(url("/portfolio", "U1", "T1", "position,holding"));
        Client byDefault(url("/portfolio", "U1", "T1"));
        Client other(url("/portfolio", "U2", "T2", "order,position"));
        QVERIFY(orders.waitOpen() && positions.waitOpen() && byDefault.waitOpen() &&
                other.waitOpen());
        QTRY_COMPARE_WITH_TIMEOUT(m_streams->portfolioStream().connectionCount(), 4, Timeout);
        const QJsonObject order{{"update_type", "order"},
                                {"user_id", "U1"},
                                {"order_id", "240221025997024"},
                                {"status", "open"},
                                {"instrument_token", QString::fromStdString(m_keys.future)},
                                {"quantity", 75},
                                {"average_price", 0}};
        const QJsonObject position{{"update_type", "position"},
                                   {"instrument_token", QString::fromStdString(m_keys.future)},
                                   {"quantity", 75}};
        Q_EMIT m_events->orderUpdate("U1", order);
        Q_EMIT m_events->positionUpdate("U1", position);
        Q_EMIT m_events->orderUpdate("U2",
                                     QJsonObject{{"update_type", "order"}, {"order_id", "9"}});
        QTRY_COMPARE_WITH_TIMEOUT(orders.texts.size(), 1, Timeout);
        QTRY_COMPARE_WITH_TIMEOUT(positions.texts.size(), 1, Timeout);
        QTRY_COMPARE_WITH_TIMEOUT(byDefault.texts.size(), 1, Timeout);
        QTRY_COMPARE_WITH_TIMEOUT(other.texts.size(), 1, Timeout);
        QCOMPARE(QJsonDocument::fromJson(orders.texts[0].toUtf8()).object(), order);
        QCOMPARE(QJsonDocument::fromJson(positions.texts[0].toUtf8()).object(), position);
        QCOMPARE(QJsonDocument::fromJson(byDefault.texts[0].toUtf8()).object(), order);
        QCOMPARE(QJsonDocument::fromJson(other.texts[0].toUtf8()).object().value("order_id"),
                 QJsonValue("9"));
        // A mark that everything before it arrived: nothing else came.
        Q_EMIT m_events->orderUpdate("U1",
                                     QJsonObject{{"update_type", "order"}, {"order_id", "2"}});
        QTRY_COMPARE_WITH_TIMEOUT(orders.texts.size(), 2, Timeout);
        QTRY_COMPARE_WITH_TIMEOUT(byDefault.texts.size(), 2, Timeout);
        QCOMPARE(positions.texts.size(), 1);
        QCOMPARE(other.texts.size(), 1);
        QVERIFY(orders.frames.empty());
        // Muted: updates are lost (no replay), then flow again.
        Q_EMIT m_events->muteWebSockets(true);
        Q_EMIT m_events->orderUpdate("U1",
                                     QJsonObject{{"update_type", "order"}, {"order_id", "3"}});
        Q_EMIT m_events->muteWebSockets(false);
        Q_EMIT m_events->orderUpdate("U1",
                                     QJsonObject{{"update_type", "order"}, {"order_id", "4"}});
        QTRY_COMPARE_WITH_TIMEOUT(orders.texts.size(), 3, Timeout);
        QCOMPARE(QJsonDocument::fromJson(orders.texts[2].toUtf8()).object().value("order_id"),
                 QJsonValue("4"));
    }

    void segmentStatuses_data()
    {
        QTest::addColumn<int>("dayOffset");
        QTest::addColumn<int>("minute");
        QTest::addColumn<QString>("segment");
        QTest::addColumn<int>("status");
        const auto row = [](const char *name, int offset, int h, int m, const char *segment,
                            upstoxpb::MarketStatus status) {
            QTest::newRow(name) << offset << h * 60 + m << QString(segment) << int(status);
        };
        row("eq pre-open", 0, 9, 5, "NSE_EQ", upstoxpb::PRE_OPEN_START);
        row("eq pre-open end", 0, 9, 10, "NSE_EQ", upstoxpb::PRE_OPEN_END);
        row("fut pre-open", 0, 9, 5, "NSE_FO", upstoxpb::PRE_OPEN_START);
        row("fo open", 0, 9, 15, "NSE_FO", upstoxpb::NORMAL_OPEN);
        row("fo close", 0, 15, 30, "NSE_FO", upstoxpb::NORMAL_CLOSE);
        row("eq closing session", 0, 15, 45, "NSE_EQ", upstoxpb::CLOSING_START);
        row("eq closing end", 0, 16, 30, "BSE_EQ", upstoxpb::CLOSING_END);
        row("index open", 0, 11, 0, "NSE_INDEX", upstoxpb::NORMAL_OPEN);
        row("mcx evening", 0, 20, 0, "MCX_FO", upstoxpb::NORMAL_OPEN);
        row("mcx night", 0, 23, 45, "MCX_FO", upstoxpb::NORMAL_CLOSE);
        row("currency", 0, 16, 30, "NCD_FO", upstoxpb::NORMAL_OPEN);
        row("saturday", 4, 11, 0, "NSE_FO", upstoxpb::NORMAL_CLOSE);
        row("early", 0, 7, 0, "NSE_EQ", upstoxpb::NORMAL_CLOSE);
    }
    void segmentStatuses()
    {
        QFETCH(int, dayOffset);
        QFETCH(int, minute);
        QFETCH(QString, segment);
        QFETCH(int, status);
        m_clock.set(IstMoment::fromDay(Today + dayOffset, minute));
        SimulatedTape tape(m_repository, *m_market, m_clock, 7);
        QCOMPARE(int(tape.segmentStatus(segment.toStdString())), status);
        QCOMPARE(int(tape.marketInfo().marketinfo().segmentstatus().at(segment.toStdString())),
                 status);
    }

    void tapeIsDeterministic()
    {
        // (A protobuf map's wire order is not fixed: compare per key.)
        const auto run = [&](std::uint64_t seed) {
            SimulatedTape tape(m_repository, *m_market, m_clock, seed);
            std::string bytes;
            const std::vector<std::string> keys{m_keys.index, m_keys.future, m_keys.call,
                                                m_keys.equity};
            for (const std::string &key : keys) {
                upstoxpb::FeedResponse snapshot;
                if (!tape.addSnapshot(snapshot, key, FeedMode::Full))
                    qWarning("no snapshot for %s", key.c_str());
                bytes += snapshot.SerializeAsString();
            }
            for (int i = 0; i < 50; ++i) {
                upstoxpb::FeedResponse tick;
                for (const std::string &key : keys)
                    tape.addTick(tick, key, FeedMode::Full, tape.step(key));
                // Map order is not part of the bytes' meaning: compare key by key.
                std::map<std::string, std::string> sorted;
                for (const auto &[key, f] : tick.feeds())
                    sorted[key] = f.SerializeAsString();
                for (const auto &[key, f] : sorted)
                    bytes += key + f;
            }
            return bytes;
        };
        const std::string first = run(7);
        QVERIFY(first.size() > 1000);
        QCOMPARE(first, run(7));
        QVERIFY(run(7) != run(8));
    }

    void circuitsBoundTheBook()
    {
        // A wild walk takes NIFTY beyond the future's band (previous close +- 10 %) within the
        // day: the tape caps the price at the circuit and quotes nothing outside the band.
        SimulationParams params;
        params.walkVolatility = 20;
        params.reversionHalfLifeSeconds = 1e9;
        params.seed = 11;
        SimulatedMarket wild(m_repository, m_clock, params);
        wild.advance(1);
        std::optional<Quote> q;
        for (int i = 0; i < 50; ++i) {
            wild.advance(3'600'000);
            q = wild.quote(m_keys.future);
            if (q->last > *q->upperCircuit || q->last < *q->lowerCircuit)
                break;
        }
        QVERIFY(q->last > *q->upperCircuit || q->last < *q->lowerCircuit);
        SimulatedTape tape(m_repository, wild, m_clock, 7);
        upstoxpb::FeedResponse s;
        QVERIFY(tape.addSnapshot(s, m_keys.future, FeedMode::Full));
        const auto &ff = s.feeds().at(m_keys.future).fullfeed().marketff();
        const double upper = q->upperCircuit->toDouble(), lower = q->lowerCircuit->toDouble();
        QVERIFY(ff.ltpc().ltp() == upper || ff.ltpc().ltp() == lower);
        int quoted = 0;
        for (const auto &level : ff.marketlevel().bidaskquote()) {
            if (level.askq() > 0) {
                QVERIFY(level.askp() <= upper);
                ++quoted;
            }
            if (level.bidq() > 0) {
                QVERIFY(level.bidp() >= lower);
                ++quoted;
            }
        }
        QVERIFY(quoted > 0);
        for (int i = 0; i < 20; ++i) {
            tape.step(m_keys.future, true);
            upstoxpb::FeedResponse t;
            tape.addSnapshot(t, m_keys.future, FeedMode::Full);
            const double ltp = t.feeds().at(m_keys.future).fullfeed().marketff().ltpc().ltp();
            QVERIFY(ltp <= upper && ltp >= lower);
        }
    }

    // SimMarketState, the books the tape steps and REST reads (tst_simagreement checks that
    // they agree): prev_oi fixed for the day and the same for the same seed, OI within +-30 %
    // of it however long it trades, and a book nobody steps catching up in session only.
    void marketStateBandsAndCatchUp()
    {
        SimMarketState state(m_repository, *m_market, m_clock, 7);
        const InstrumentBook *call = state.read(m_keys.call);
        QVERIFY(call);
        const std::int64_t prevOi = call->prevOi;
        QVERIFY(prevOi > 0 && prevOi % 75 == 0);
        for (int i = 0; i < 5000; ++i) {
            state.step(m_keys.call, true);
            QVERIFY(call->oi % 75 == 0);
            QVERIFY(call->oi >= 0.7 * static_cast<double>(prevOi));
            QVERIFY(call->oi <= 1.3 * static_cast<double>(prevOi));
        }
        QCOMPARE(call->prevOi, prevOi);
        QVERIFY(call->oiDayLow <= call->oi && call->oi <= call->oiDayHigh);
        QCOMPARE(SimMarketState(m_repository, *m_market, m_clock, 7).read(m_keys.call)->prevOi,
                 prevOi);

        const std::int64_t volume = state.read(m_keys.put)->vtt;
        QCOMPARE(state.read(m_keys.put)->vtt, volume); // no time passed
        m_clock.set(at(Today, 10, 1));
        const std::int64_t later = state.read(m_keys.put)->vtt;
        QVERIFY(later > volume);
        m_clock.set(at(Today, 16, 0)); // closed: nothing trades
        QCOMPARE(state.read(m_keys.put)->vtt, later);
        m_clock.set(at(Today + 1, 10, 0)); // the next day: a new book, volume from the open
        QVERIFY(state.read(m_keys.put)->vtt < later);
    }

    void unknownKeysAreNotKnown()
    {
        SimulatedTape tape(m_repository, *m_market, m_clock, 7);
        QVERIFY(!tape.knows("NSE_FO|NOSUCHKEY"));
        QVERIFY(tape.knows(m_keys.future));
        upstoxpb::FeedResponse r;
        QVERIFY(!tape.addSnapshot(r, "NSE_FO|NOSUCHKEY", FeedMode::Full));
        QCOMPARE(r.feeds_size(), 0);
        QCOMPARE(tape.step("NSE_FO|NOSUCHKEY"), TapeEvent::None);
    }
    // upstox-sim --replay: the simulator's own feed recorded as received (FeedRecorder), then
    // served from the recording: market_info first, the newest recorded packet as a new
    // subscription's snapshot, and the recorded live packets of the keys subscribed, unchanged.
    void replayServesWhatWasRecorded()
    {
        QTemporaryDir dir;
        marketdata::FeedRecorder::Options recording;
        recording.directory = dir.path();
        const std::int64_t t0 = at(Today, 10, 0).epochMs;
        std::vector<upstoxpb::FeedResponse> recorded;
        {
            start(200);
            auto recorder = marketdata::FeedRecorder::open(recording);
            QVERIFY(recorder.ok());
            auto c = std::make_unique<Client>(url("/feed"));
            connect(&c->socket, &QWebSocket::binaryMessageReceived, c.get(),
                    [&](const QByteArray &bytes) {
                        const auto i = static_cast<std::int64_t>(recorded.size());
                        // market_info and the snapshot at t0, the ticks a second later, 10 ms
                        // apart: time for the replay's client to subscribe in between.
                        (*recorder)->record(bytes, i < 2 ? t0 : t0 + 1000 + i * 10);
                        recorded.push_back(decode(bytes));
                    });
            QVERIFY(c->waitOpen());
            c->send(request("sub", {m_keys.future, m_keys.call}, "full"));
            QVERIFY(c->waitFor(upstoxpb::live_feed, 0, 30));
            c->socket.close();
            (*recorder)->flush();
        }
        QCOMPARE(recorded[0].type(), upstoxpb::market_info);
        QCOMPARE(recorded[1].type(), upstoxpb::initial_feed);
        int callTicks = 0;
        for (const auto &frame : recorded)
            callTicks += frame.type() == upstoxpb::live_feed && frame.feeds().contains(m_keys.call);
        QVERIFY(callTicks >= 30);

        const QString path =
            dir.filePath(marketdata::FeedRecorder::fileName(QStringLiteral("feed"), t0));
        auto replay = FeedReplay::open(path);
        QVERIFY2(replay.ok(), qPrintable(replay.ok() ? QString() : replay.error().message));
        QCOMPARE((*replay)->firstFrameMs(), t0);
        MarketFeedServer::Options options;
        options.replay = replay->get();
        start(0, options);
        auto r = feed();
        QVERIFY(r->waitFor(upstoxpb::market_info));
        r->send(request("sub", {m_keys.call}, "full"));
        QVERIFY(r->waitFor(upstoxpb::initial_feed));
        QVERIFY(QTest::qWaitFor([&] { return (*replay)->finished(); }, Timeout));
        QVERIFY(r->waitFor(upstoxpb::live_feed, 0, callTicks));

        // Protobuf maps have no fixed order on the wire: compare messages, not bytes.
        using google::protobuf::util::MessageDifferencer;
        QVERIFY(MessageDifferencer::Equals(r->frames.front(), recorded[0]));
        const auto &snapshot = r->frames[static_cast<std::size_t>(r->find(upstoxpb::initial_feed))];
        QCOMPARE(snapshot.feeds().size(), 1u);
        QVERIFY(MessageDifferencer::Equals(snapshot.feeds().at(m_keys.call),
                                           recorded[1].feeds().at(m_keys.call)));
        std::size_t next = 2;
        for (const auto &frame : r->frames) {
            if (frame.type() != upstoxpb::live_feed)
                continue;
            QCOMPARE(frame.feeds().size(), 1u); // the future was not asked for
            while (next < recorded.size() && !recorded[next].feeds().contains(m_keys.call))
                ++next;
            QVERIFY(next < recorded.size());
            QVERIFY(MessageDifferencer::Equals(frame.feeds().at(m_keys.call),
                                               recorded[next].feeds().at(m_keys.call)));
            QCOMPARE(frame.currentts(), recorded[next].currentts());
            ++next;
        }
        QCOMPARE((*replay)->framesReplayed(), std::uint64_t(recorded.size()));
    }

    void replayRefusesWhatIsNotARecording()
    {
        QTemporaryDir dir;
        QFile file(dir.filePath("not.slfeed.gz"));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("hello");
        file.close();
        auto replay = FeedReplay::open(file.fileName());
        QVERIFY(!replay.ok());
        QVERIFY(replay.error().message.contains("not a Strikeline feed recording"));
    }
};

QTEST_GUILESS_MAIN(tst_SimFeed)
#include "tst_simfeed.moc"
