// UpstoxMarketFeed's liveness and reconnect rules against in-process fakes, for what the
// simulator cannot do (Qt's WebSocket server always answers pings): a server that completes the
// handshake and then answers nothing (the pong deadline), one that never finishes the handshake
// (the connect timeout), authorize answering 429/500 (backoff, not a stop), 401 (LoginRequired,
// one request, no storm) and a URL the feed must not open (ws:// to a non-loopback host).

#include "NetTestSupport.h"
#include "TestHttpServer.h"
#include "broker/upstox/UpstoxClient.h"
#include "marketdata/feed/UpstoxMarketFeed.h"

#include <QCryptographicHash>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <memory>

using namespace strikeline;
using namespace strikeline::testing;
using marketdata::FeedMode;
using marketdata::UpstoxMarketFeed;
using State = UpstoxMarketFeed::State;

namespace {

// A WebSocket server by hand: reads the upgrade, answers 101 (unless `answerHandshake` is
// false), sends one binary frame, then stays silent: no pong, no close.
class DeafWebSocketServer final : public QObject
{
public:
    bool answerHandshake = true;
    int handshakes = 0;

    DeafWebSocketServer()
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                socket->setParent(this);
                connect(socket, &QTcpSocket::readyRead, this, [this, socket] { read(socket); });
            }
        });
    }
    quint16 port() const { return m_server.serverPort(); }

private:
    void read(QTcpSocket *socket)
    {
        QByteArray &buffer = m_buffers[socket];
        if (buffer == "done") {
            socket->readAll(); // pings and requests: ignored
            return;
        }
        buffer += socket->readAll();
        const qsizetype end = buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        ++handshakes;
        QByteArray key;
        for (const QByteArray &line : buffer.left(end).split('\n'))
            if (line.toLower().startsWith("sec-websocket-key:"))
                key = line.mid(18).trimmed();
        buffer = "done";
        if (!answerHandshake)
            return;
        const QByteArray accept =
            QCryptographicHash::hash(QByteArray(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"),
                                     QCryptographicHash::Sha1)
                .toBase64();
        socket->write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                      "Connection: Upgrade\r\nSec-WebSocket-Accept: " +
                      accept + "\r\n\r\n");
        socket->write(QByteArray("\x82\x03"
                                 "abc",
                                 5)); // one binary frame, unmasked
    }

    QTcpServer m_server;
    QHash<QTcpSocket *, QByteArray> m_buffers;
};

QByteArray authorizeBody(const QString &url)
{
    return QStringLiteral(R"({"status":"success","data":{"authorized_redirect_uri":"%1"}})")
        .arg(url)
        .toUtf8();
}

const QByteArray AuthorizePath = "/v3/feed/market-data-feed/authorize";

} // namespace

class tst_FeedLiveness final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void noPongIsADrop();
    void handshakeTimeoutIsADrop();
    void authorizeFailuresBackOff();
    void authorize401IsLoginRequiredWithoutStorm();
    void nonLoopbackWsRefused();
    void handshake401IsLoginRequired();

private:
    void makeFeed();
    bool sawReason(const QSignalSpy &states, State state, QLatin1String text) const;

    std::unique_ptr<TestHttpServer> m_rest;
    std::unique_ptr<DeafWebSocketServer> m_ws;
    std::unique_ptr<TestTokens> m_tokens;
    std::unique_ptr<net::HttpClient> m_http;
    std::unique_ptr<upstox::UpstoxClient> m_client;
    std::unique_ptr<UpstoxMarketFeed> m_feed;
};

void tst_FeedLiveness::init()
{
    m_rest = std::make_unique<TestHttpServer>();
    m_ws = std::make_unique<DeafWebSocketServer>();
    m_tokens = std::make_unique<TestTokens>("feed-token");
    net::HttpClient::Options o;
    o.tokens = m_tokens.get();
    o.allowLoopbackHttp = true;
    o.maxRetryAfter = std::chrono::milliseconds(100);
    o.retryBackoff = std::chrono::milliseconds(10);
    m_http = std::make_unique<net::HttpClient>(o);
    m_client = std::make_unique<upstox::UpstoxClient>(
        *m_http, upstox::UpstoxUrls::fromBase(m_rest->url().toString()).value());
    m_rest->route(
        AuthorizePath,
        TestResponse::json(
            200, authorizeBody(QStringLiteral("ws://127.0.0.1:%1/feed").arg(m_ws->port()))));
}

void tst_FeedLiveness::cleanup()
{
    m_feed.reset();
    m_client.reset();
    m_http.reset();
    m_ws.reset();
    m_rest.reset();
}

void tst_FeedLiveness::makeFeed()
{
    UpstoxMarketFeed::Options o;
    o.pingInterval = std::chrono::milliseconds(100);
    o.pongDeadline = std::chrono::milliseconds(600);
    o.muteThreshold = std::chrono::milliseconds(60000);
    o.marketOpen = [] { return false; }; // the mute detector stays out of these
    o.backoffInitial = std::chrono::milliseconds(50);
    o.backoffMax = std::chrono::milliseconds(200);
    o.connectTimeout = std::chrono::milliseconds(800);
    m_feed = std::make_unique<UpstoxMarketFeed>(*m_client, o, nullptr);
    QVERIFY(m_feed->acquire(QStringLiteral("t"), QStringLiteral("NSE_FO|1"), FeedMode::Ltpc).ok());
}

bool tst_FeedLiveness::sawReason(const QSignalSpy &states, State state, QLatin1String text) const
{
    for (const auto &change : states)
        if (change.at(0).value<State>() == state && change.at(1).toString().contains(text))
            return true;
    return false;
}

void tst_FeedLiveness::noPongIsADrop()
{
    makeFeed();
    QSignalSpy states(m_feed.get(), &UpstoxMarketFeed::stateChanged);
    m_feed->start();
    QTRY_VERIFY_WITH_TIMEOUT(sawReason(states, State::Live, QLatin1String("live")), 20000);
    QTRY_VERIFY_WITH_TIMEOUT(sawReason(states, State::Reconnecting, QLatin1String("no pong")),
                             20000);
    QTRY_VERIFY_WITH_TIMEOUT(m_rest->count(AuthorizePath) >= 2, 20000); // a fresh URL each time
    QTRY_VERIFY_WITH_TIMEOUT(m_ws->handshakes >= 2, 20000);
    QVERIFY(m_feed->counters().frames >= 1);
    QVERIFY(m_feed->counters().reconnects >= 1);
}

void tst_FeedLiveness::handshakeTimeoutIsADrop()
{
    m_ws->answerHandshake = false;
    makeFeed();
    QSignalSpy states(m_feed.get(), &UpstoxMarketFeed::stateChanged);
    m_feed->start();
    QTRY_VERIFY_WITH_TIMEOUT(
        sawReason(states, State::Reconnecting, QLatin1String("handshake timed out")), 20000);
    QTRY_VERIFY_WITH_TIMEOUT(m_ws->handshakes >= 2, 20000);
    QVERIFY(!sawReason(states, State::Live, QLatin1String("live")));
}

void tst_FeedLiveness::authorizeFailuresBackOff()
{
    int calls = 0;
    m_rest->handle(AuthorizePath, [&](const TestRequest &) {
        ++calls;
        if (calls <= 3)
            return TestResponse::json(
                500, R"({"status":"error","errors":[{"error_code":"UDAPI100500","message":"x"}]})");
        if (calls <= 6)
            return TestResponse::json(
                       429,
                       R"({"status":"error","errors":[{"error_code":"UDAPI10005","message":"y"}]})")
                .withHeader("Retry-After", "0");
        return TestResponse::json(
            200, authorizeBody(QStringLiteral("ws://127.0.0.1:%1/feed").arg(m_ws->port())));
    });
    makeFeed();
    QSignalSpy states(m_feed.get(), &UpstoxMarketFeed::stateChanged);
    m_feed->start();
    QTRY_VERIFY_WITH_TIMEOUT(sawReason(states, State::Live, QLatin1String("live")), 30000);
    QVERIFY(sawReason(states, State::Reconnecting, QLatin1String("feed authorize failed")));
    QVERIFY(!sawReason(states, State::LoginRequired, QLatin1String("")));
    QVERIFY(calls >= 7);
}

void tst_FeedLiveness::authorize401IsLoginRequiredWithoutStorm()
{
    m_rest->route(AuthorizePath,
                  TestResponse::json(401, R"({"status":"error","errors":[{"error_code":)"
                                          R"("UDAPI100050","message":"Invalid token used to )"
                                          R"(access API"}]})"));
    makeFeed();
    m_feed->start();
    QTRY_COMPARE_WITH_TIMEOUT(m_feed->state(), State::LoginRequired, 20000);
    QVERIFY(!m_feed->reason().contains(QLatin1String("feed-token")));
    QCOMPARE(m_tokens->rejected(), QList<QByteArray>{"feed-token"});
    QTest::qWait(1000); // 20 backoff periods: nothing more is asked
    QCOMPARE(m_rest->count(AuthorizePath), 1);
    QCOMPARE(m_ws->handshakes, 0);

    m_feed->start(); // start() is not a way around it either
    QTest::qWait(200);
    QCOMPARE(m_rest->count(AuthorizePath), 1);

    m_rest->route(
        AuthorizePath,
        TestResponse::json(
            200, authorizeBody(QStringLiteral("ws://127.0.0.1:%1/feed").arg(m_ws->port()))));
    m_tokens->set("new-token");
    m_feed->sessionRestored();
    QTRY_VERIFY_WITH_TIMEOUT(m_ws->handshakes >= 1, 20000);
    QCOMPARE(m_rest->count(AuthorizePath), 2);
}

void tst_FeedLiveness::nonLoopbackWsRefused()
{
    m_rest->route(
        AuthorizePath,
        TestResponse::json(200, authorizeBody(QStringLiteral("ws://feed.example.com/x"))));
    makeFeed();
    QSignalSpy states(m_feed.get(), &UpstoxMarketFeed::stateChanged);
    m_feed->start();
    QTRY_VERIFY_WITH_TIMEOUT(sawReason(states, State::Reconnecting, QLatin1String("wss://")),
                             20000);
    QTRY_VERIFY_WITH_TIMEOUT(m_rest->count(AuthorizePath) >= 2, 20000); // retried, not stopped
    QCOMPARE(m_ws->handshakes, 0);
}

// The upgrade itself refused with 401 (a feed permission missing, upstox-live.md §1.4): Qt 6.4
// says "Unhandled http status code: 401" and the feed stops for a login, not a retry loop.
void tst_FeedLiveness::handshake401IsLoginRequired()
{
    QString feed = m_rest->url(QStringLiteral("/feed")).toString();
    feed.replace(QLatin1String("http://"), QLatin1String("ws://"));
    m_rest->route(AuthorizePath, TestResponse::json(200, authorizeBody(feed)));
    m_rest->route("/feed", TestResponse::json(401, R"({"status":"error","errors":[]})"));
    makeFeed();
    m_feed->start();
    QTRY_COMPARE_WITH_TIMEOUT(m_feed->state(), State::LoginRequired, 20000);
    QVERIFY2(m_feed->reason().contains(QLatin1String("401")), qPrintable(m_feed->reason()));
    QTest::qWait(500);
    QCOMPARE(m_rest->count(AuthorizePath), 1);
    QCOMPARE(m_rest->count("/feed"), 1);
}

QTEST_GUILESS_MAIN(tst_FeedLiveness)
#include "tst_feedliveness.moc"
