// The local HTTP API over real HTTP on loopback: every endpoint, the errors (400, 401, 404,
// 405, 413, 503), malformed and oversized requests, connection handling (keep-alive, close,
// idle timeout, a full house of idle connections), a snapshot swapped under a running server,
// the server on a worker thread, and the token file.

#undef QT_NO_CAST_FROM_ASCII

#include "api/ApiServer.h"
#include "api/ApiToken.h"
#include "instruments/InstrumentJson.h"
#include "instruments/InstrumentQueries.h"
#include "instruments/InstrumentRepository.h"
#include "instruments/MasterGenerator.h"
#include "instruments/MasterReader.h"

#include <QBuffer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <chrono>
#include <memory>
#include <vector>

using namespace strikeline;
using namespace std::chrono_literals;
using namespace strikeline::api;

namespace {

const EpochDay MasterDay = fromQDate(QDate(2025, 12, 9));

SnapshotPtr generatedSnapshot(std::int64_t rows, std::uint64_t seed)
{
    QBuffer buffer;
    buffer.open(QIODevice::ReadWrite);
    GeneratorOptions options;
    options.rows = rows;
    options.seed = seed;
    options.asOf = MasterDay;
    options.gzip = false;
    if (!generateMaster(buffer, options))
        qFatal("generateMaster failed");
    buffer.seek(0);
    SnapshotBuilder builder;
    if (!readMaster(buffer, [&builder](InstrumentRecord &&r) { builder.add(std::move(r)); }))
        qFatal("readMaster failed");
    MasterInfo info;
    info.description = QStringLiteral("generated %1 rows").arg(rows);
    info.masterTimeMs = IstMoment::fromDay(MasterDay, 8 * 60).epochMs;
    return builder.build(info);
}

struct Reply
{
    int status = 0;
    QJsonObject json;
    QByteArray body;
    QList<QNetworkReply::RawHeaderPair> headers;
    QByteArray header(const QByteArray &name) const
    {
        for (const auto &[n, v] : headers) {
            if (n.compare(name, Qt::CaseInsensitive) == 0)
                return v;
        }
        return {};
    }
};

QByteArray rawExchange(quint16 port, const QByteArray &data, bool waitForAnswer = true)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(5000))
        return "(no connection)";
    // Written in pieces: the server may cut the connection half-way, which is the point.
    for (qsizetype at = 0; at < data.size() && socket.state() == QAbstractSocket::ConnectedState;
         at += 64 * 1024) {
        socket.write(data.mid(at, 64 * 1024));
        socket.waitForBytesWritten(5000);
    }
    if (!waitForAnswer) {
        socket.abort();
        return {};
    }
    QByteArray answer;
    while (socket.state() == QAbstractSocket::ConnectedState && socket.waitForReadyRead(5000))
        answer += socket.readAll();
    if (socket.isOpen())
        answer += socket.readAll();
    return answer;
}

// One response off a raw connection: the head (status line and headers), then as many body
// bytes as its Content-Length says. Empty when the connection closed or went quiet first.
struct RawResponse
{
    QByteArray head;
    QByteArray body;
    QByteArray header(const QByteArray &name) const
    {
        for (const QByteArray &line : head.split('\n')) {
            const qsizetype colon = line.indexOf(':');
            if (colon > 0 && line.left(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
                return line.mid(colon + 1).trimmed();
        }
        return {};
    }
};

RawResponse readResponse(QTcpSocket &socket)
{
    QByteArray data;
    qsizetype headEnd = -1;
    auto more = [&socket, &data] {
        if (socket.bytesAvailable() == 0 && !socket.waitForReadyRead(10000))
            return false;
        data += socket.readAll();
        return true;
    };
    while ((headEnd = data.indexOf("\r\n\r\n")) < 0) {
        if (!more())
            return {};
    }
    RawResponse r;
    r.head = data.left(headEnd);
    const qsizetype length = r.header("Content-Length").toLongLong();
    while (data.size() - headEnd - 4 < length) {
        if (!more())
            return {};
    }
    r.body = data.mid(headEnd + 4, length);
    return r;
}

// GET /api/v1/health over HTTP/1.1 with the token, and its response.
RawResponse askHealth(QTcpSocket &socket, const QByteArray &token)
{
    socket.write("GET /api/v1/health HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token +
                 "\r\n\r\n");
    return readResponse(socket);
}

std::unique_ptr<QTcpSocket> connectedSocket(quint16 port)
{
    auto socket = std::make_unique<QTcpSocket>();
    socket->connectToHost(QHostAddress::LocalHost, port);
    if (!socket->waitForConnected(10000))
        return nullptr;
    return socket;
}

// An ApiServer of its own on a worker thread, as the desktop runs it; stopped and deleted in
// that thread when this goes.
class ThreadedServer
{
public:
    ThreadedServer(InstrumentRepository &repository, const Clock &clock, ApiServerConfig config)
    {
        m_thread.setObjectName("api-extra");
        m_thread.start();
        m_server = new ApiServer(repository, clock, std::move(config));
        m_server->moveToThread(&m_thread);
        QMetaObject::invokeMethod(
            m_server, [this] { return m_server->listen(); }, Qt::BlockingQueuedConnection, &m_port);
    }
    ~ThreadedServer()
    {
        QMetaObject::invokeMethod(
            m_server, [this] { delete m_server; }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }
    ThreadedServer(const ThreadedServer &) = delete;
    ThreadedServer &operator=(const ThreadedServer &) = delete;

    const Result<quint16> &port() const { return m_port; }

private:
    QThread m_thread;
    ApiServer *m_server = nullptr;
    Result<quint16> m_port = Error{};
};

} // namespace

class tst_ApiServer : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void health();
    void searchIsTheCoreRanking();
    void searchDecodesPlusAndPercent();
    void chainAroundSpot();
    void chainDefaultsToNearestExpiry();
    void chainUnknownUnderlyingIs404();
    void contractInfo();
    void unknownInstrumentIs404();
    void badRequests_data();
    void badRequests();
    void headerNamesAndSchemeAnyCase();
    void authentication_data();
    void authentication();
    void unknownPathAndWrongMethod();
    void noCors();
    void malformedRequestsDoNotHurtTheServer_data();
    void malformedRequestsDoNotHurtTheServer();
    void stalledHalfRequestIsDropped();
    void connectionCloseAndHttp10_data();
    void connectionCloseAndHttp10();
    void idleConnectionIsClosedAfterTheTimeout();
    void idleConnectionsNeverLockClientsOut();
    void snapshotSwapWhileServing();
    void notLoadedYetIs503();
    void listenErrors();
    void runsOnAWorkerThread();
    void tokenFileIsCreatedOwnerOnly();
    void tokenFileErrors();
    void tokenCompare();

private:
    Reply get(const QString &pathAndQuery, const QByteArray &verb = "GET",
              std::optional<QByteArray> token = {}, quint16 port = 0,
              const QList<QPair<QByteArray, QByteArray>> &extraHeaders = {});

    QTemporaryDir m_dir;
    SnapshotPtr m_snapshot;
    InstrumentRepository m_repository;
    FixedClock m_clock{IstMoment::fromDay(MasterDay, 10 * 60)};
    QByteArray m_token;
    // The main server runs on its own thread, as in the desktop; the raw-socket tests block
    // this thread while writing megabytes, which an in-thread server could not read.
    QThread m_serverThread;
    ApiServer *m_server = nullptr;
    quint16 m_port = 0;
    QNetworkAccessManager m_network;
};

Reply tst_ApiServer::get(const QString &pathAndQuery, const QByteArray &verb,
                         std::optional<QByteArray> token, quint16 port,
                         const QList<QPair<QByteArray, QByteArray>> &extraHeaders)
{
    QNetworkRequest request(
        QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(port ? port : m_port).arg(pathAndQuery),
             QUrl::StrictMode));
    const QByteArray bearer = token.value_or(m_token);
    if (!bearer.isEmpty())
        request.setRawHeader("Authorization", bearer.startsWith("Basic") || bearer.contains(' ')
                                                  ? bearer
                                                  : "Bearer " + bearer);
    for (const auto &[name, value] : extraHeaders)
        request.setRawHeader(name, value);
    QNetworkReply *reply = m_network.sendCustomRequest(request, verb);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    if (!reply->isFinished())
        finished.wait(10000);
    Reply r;
    r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    r.body = reply->readAll();
    r.json = QJsonDocument::fromJson(r.body).object();
    r.headers = reply->rawHeaderPairs();
    reply->deleteLater();
    return r;
}

void tst_ApiServer::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_network.setProxy(QNetworkProxy::NoProxy);
    m_snapshot = generatedSnapshot(6000, 7);
    m_repository.publish(m_snapshot);
    auto token = loadOrCreateToken(m_dir.filePath("config"));
    QVERIFY2(token, qPrintable(token ? QString() : token.error().message));
    m_token = token->token;
    ApiServerConfig config;
    config.token = m_token;
    m_serverThread.setObjectName("api");
    m_serverThread.start();
    m_server = new ApiServer(m_repository, m_clock, config);
    m_server->moveToThread(&m_serverThread);
    Result<quint16> port = Error{};
    QMetaObject::invokeMethod(
        m_server, [this] { return m_server->listen(); }, Qt::BlockingQueuedConnection, &port);
    QVERIFY2(port, qPrintable(port ? QString() : port.error().message));
    QVERIFY(*port != 0);
    m_port = *port;
    QCOMPARE(m_server->port(), m_port);
    QVERIFY(m_server->isListening());
}

void tst_ApiServer::cleanupTestCase()
{
    if (m_server) {
        QMetaObject::invokeMethod(
            m_server, [this] { delete m_server; }, Qt::BlockingQueuedConnection);
    }
    m_serverThread.quit();
    m_serverThread.wait();
}

void tst_ApiServer::health()
{
    const Reply r = get("/api/v1/health");
    QCOMPARE(r.status, 200);
    QCOMPARE(r.header("Content-Type"), QByteArray("application/json"));
    QCOMPARE(r.json.value("status").toString(), QString("ok"));
    QCOMPARE(r.json.value("loaded").toBool(), true);
    QCOMPARE(r.json.value("rows").toInteger(), qint64(m_snapshot->size()));
    QCOMPARE(r.json.value("master_date").toString(), QString("2025-12-09"));
    QCOMPARE(r.json.value("master_time").toString(), QString("2025-12-09T08:00:00+05:30"));
    QVERIFY(r.json.value("hydrated_at").toString().endsWith("+05:30"));
    QCOMPARE(r.json.value("as_of").toString(), QString("2025-12-09"));
    QCOMPARE(r.json.value("stale").toBool(), false);
    QCOMPARE(r.json.value("description").toString(), QString("generated 6000 rows"));

    // A later as-of date makes the same master stale.
    const Reply later = get("/api/v1/health?at=2026-03-01");
    QCOMPARE(later.status, 200);
    QCOMPARE(later.json.value("as_of").toString(), QString("2026-03-01"));
    QCOMPARE(later.json.value("stale").toBool(), true);
    QVERIFY(later.json.value("expired_contracts").toInteger() > 0);
}

void tst_ApiServer::searchIsTheCoreRanking()
{
    const Reply r = get("/api/v1/instruments/search?q=NIFTY&limit=20");
    QCOMPARE(r.status, 200);
    const QJsonArray results = r.json.value("results").toArray();
    QCOMPARE(results.size(), 20);
    // Futures first, then near-month options, exactly as the core ranks them (and as the CLI's
    // --json prints them: the same function makes both).
    QCOMPARE(results.first().toObject().value("instrument_type").toString(), QString("FUT"));
    QCOMPARE(results.first().toObject().value("underlying_symbol").toString(), QString("NIFTY"));
    SearchRequest request;
    request.text = "NIFTY";
    request.limit = 20;
    request.today = MasterDay;
    QCOMPARE(r.json, json::searchResults(*m_snapshot, m_snapshot->search(request)));

    const Reply five = get("/api/v1/instruments/search?q=banknifty&limit=5");
    QCOMPARE(five.status, 200);
    QCOMPARE(five.json.value("results").toArray().size(), 5);
    const Reply none = get("/api/v1/instruments/search?q=ZZZQQQXX");
    QCOMPARE(none.status, 200);
    QCOMPARE(none.json.value("results").toArray().size(), 0);
    QVERIFY(none.json.contains("suggestion"));
    QVERIFY(none.json.value("suggestion").isNull());
    // No results but a close symbol: the same suggestion as the CLI's --json.
    const Reply typo = get("/api/v1/instruments/search?q=niftty+fut");
    QCOMPARE(typo.status, 200);
    QCOMPARE(typo.json.value("suggestion").toString(), QString("NIFTY FUT"));
    request.text = "niftty fut";
    QCOMPARE(typo.json, json::searchResults(*m_snapshot, {}, m_snapshot->suggest(request)));
}

void tst_ApiServer::searchDecodesPlusAndPercent()
{
    const Reply plus = get("/api/v1/instruments/search?q=nifty+fut&limit=3");
    const Reply percent = get("/api/v1/instruments/search?q=nifty%20fut&limit=3");
    QCOMPARE(plus.status, 200);
    QCOMPARE(plus.json, percent.json);
    const QJsonArray results = plus.json.value("results").toArray();
    QVERIFY(!results.isEmpty());
    for (const QJsonValue &v : results)
        QCOMPARE(v.toObject().value("instrument_type").toString(), QString("FUT"));
}

void tst_ApiServer::chainAroundSpot()
{
    const auto underlying = m_snapshot->findUnderlying("NIFTY");
    QVERIFY(underlying);
    const auto expiries = m_snapshot->expiries(*underlying, MasterDay);
    QVERIFY(expiries.size() >= 2);
    const QString expiry = formatIsoDay(expiries[1].day);
    // A spot between strikes: ATM is the nearest strike.
    ChainRequest probe;
    probe.underlying = *underlying;
    probe.expiry = expiries[1].day;
    probe.today = MasterDay;
    const auto all = m_snapshot->chain(probe);
    QVERIFY(all);
    const auto &mid = all->rows[all->rows.size() / 2];
    const Price spot = Price::fromRaw(mid.strike + 10000); // Rs 1 above a strike
    const Reply r =
        get(QStringLiteral("/api/v1/instruments/chain/NIFTY?expiry=%1&spot=%2&strikes=2")
                .arg(expiry, spot.toQString()));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json.value("underlying").toString(), QString("NIFTY"));
    QCOMPARE(r.json.value("expiry").toString(), expiry);
    QCOMPARE(r.json.value("atm_strike").toDouble(), Price::fromRaw(mid.strike).toDouble());
    const QJsonArray rows = r.json.value("rows").toArray();
    QCOMPARE(rows.size(), 5);
    double previous = 0;
    for (int i = 0; i < rows.size(); ++i) {
        const QJsonObject row = rows[i].toObject();
        const double strike = row.value("strike_price").toDouble();
        QVERIFY(strike > previous);
        previous = strike;
        const QString call = row.value("call").toObject().value("moneyness").toString();
        const QString put = row.value("put").toObject().value("moneyness").toString();
        if (i < 2) {
            QCOMPARE(call, QString("ITM"));
            QCOMPARE(put, QString("OTM"));
        } else if (i == 2) {
            QCOMPARE(call, QString("ATM"));
            QCOMPARE(put, QString("ATM"));
        } else {
            QCOMPARE(call, QString("OTM"));
            QCOMPARE(put, QString("ITM"));
        }
        QCOMPARE(row.value("call").toObject().value("instrument_type").toString(), QString("CE"));
    }
    QVERIFY(!r.json.value("expiries").toArray().isEmpty());

    // Field for field what the CLI's --json prints for the same question.
    ChainQuery query;
    query.underlying = "NIFTY";
    query.expiry = expiries[1].day;
    query.spot = spot;
    query.strikesAroundAtm = 2;
    query.today = MasterDay;
    const auto answer = answerChain(*m_snapshot, query);
    QVERIFY(answer);
    QCOMPARE(r.json, json::chain(*m_snapshot, answer->chain, answer->expiries, MasterDay));
    // Without a spot, moneyness is null on both sides.
    const Reply noSpot = get("/api/v1/instruments/chain/NIFTY?strikes=1");
    query.expiry = NoDay;
    query.spot.reset();
    query.strikesAroundAtm = 1;
    const auto plain = answerChain(*m_snapshot, query);
    QVERIFY(plain);
    QCOMPARE(noSpot.json, json::chain(*m_snapshot, plain->chain, plain->expiries, MasterDay));
    QVERIFY(noSpot.json.value("rows")
                .toArray()
                .first()
                .toObject()
                .value("call")
                .toObject()
                .value("moneyness")
                .isNull());
}

void tst_ApiServer::chainDefaultsToNearestExpiry()
{
    const auto underlying = m_snapshot->findUnderlying("NIFTY");
    const auto expiries = m_snapshot->expiries(*underlying, MasterDay);
    const Reply r = get("/api/v1/instruments/chain/NIFTY");
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json.value("expiry").toString(), formatIsoDay(expiries.front().day));
    QVERIFY(r.json.value("spot").isNull());
    QCOMPARE(r.json.value("rows").toArray().size(), expiries.front().strikeCount);
    // `at` moves "nearest": a day after the first expiry, the second is the nearest.
    const Reply later = get(QStringLiteral("/api/v1/instruments/chain/nifty?at=%1")
                                .arg(formatIsoDay(expiries.front().day + 1)));
    QCOMPARE(later.status, 200);
    QCOMPARE(later.json.value("expiry").toString(), formatIsoDay(expiries[1].day));
}

void tst_ApiServer::chainUnknownUnderlyingIs404()
{
    const Reply r = get("/api/v1/instruments/chain/NOSUCHTHING");
    QCOMPARE(r.status, 404);
    QCOMPARE(r.json.value("error").toString(), QString("not_found"));
    QVERIFY(r.json.value("message").toString().contains("NOSUCHTHING"));
    const Reply day = get("/api/v1/instruments/chain/NIFTY?expiry=2025-12-10");
    QCOMPARE(day.status, 404);
}

void tst_ApiServer::contractInfo()
{
    const auto underlying = m_snapshot->findUnderlying("NIFTY");
    const InstrumentId future = m_snapshot->futures(*underlying).front();
    const InstrumentView v = m_snapshot->instrument(future);
    const QString key = QString::fromUtf8(v.instrumentKey().data(),
                                          static_cast<qsizetype>(v.instrumentKey().size()));
    const Reply r = get("/api/v1/instruments/" + QString::fromLatin1(QUrl::toPercentEncoding(key)));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json, json::instrument(v));
    QCOMPARE(r.json.value("instrument_key").toString(), key);
    QCOMPARE(r.json.value("lot_size").toInt(), v.lotSize());
    QCOMPARE(r.json.value("tick_size").toDouble(), v.tickSize().toDouble());
    QCOMPARE(r.json.value("freeze_quantity").toInt(), v.freezeQuantity());
    QVERIFY(r.json.contains("max_lots_per_order"));
    QVERIFY(r.json.contains("quantity_unit"));
}

void tst_ApiServer::unknownInstrumentIs404()
{
    const Reply r = get("/api/v1/instruments/NSE_FO%7C999999999");
    QCOMPARE(r.status, 404);
    QCOMPARE(r.json.value("error").toString(), QString("not_found"));
    QCOMPARE(r.json.value("status").toInt(), 404);
    QVERIFY(r.json.value("message").toString().contains("NSE_FO|999999999"));
    // An encoded slash stays part of the key instead of making a new path segment.
    QCOMPARE(get("/api/v1/instruments/NSE_FO%2F1").status, 404);
}

void tst_ApiServer::badRequests_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("messageHas");
    QTest::newRow("search without q") << "/api/v1/instruments/search"
                                      << "q=";
    QTest::newRow("search empty q") << "/api/v1/instruments/search?q=+"
                                    << "q=";
    QTest::newRow("limit zero") << "/api/v1/instruments/search?q=NIFTY&limit=0"
                                << "limit";
    QTest::newRow("limit text") << "/api/v1/instruments/search?q=NIFTY&limit=lots"
                                << "limit";
    QTest::newRow("limit huge") << "/api/v1/instruments/search?q=NIFTY&limit=1001"
                                << "limit";
    QTest::newRow("q too long") << QString("/api/v1/instruments/search?q=" + QString(300, 'A'))
                                << "q is";
    QTest::newRow("bad at") << "/api/v1/instruments/search?q=NIFTY&at=yesterday"
                            << "at";
    QTest::newRow("bad calendar at") << "/api/v1/health?at=2025-02-30"
                                     << "calendar";
    QTest::newRow("unknown parameter") << "/api/v1/instruments/search?q=NIFTY&strike=5"
                                       << "unknown parameter 'strike'";
    QTest::newRow("repeated parameter") << "/api/v1/instruments/search?q=NIFTY&q=BANKNIFTY"
                                        << "twice";
    QTest::newRow("bad include_expired")
        << "/api/v1/instruments/search?q=NIFTY&include_expired=maybe"
        << "include_expired";
    QTest::newRow("bad expiry") << "/api/v1/instruments/chain/NIFTY?expiry=2025-13-40"
                                << "expiry";
    QTest::newRow("negative spot") << "/api/v1/instruments/chain/NIFTY?spot=-5"
                                   << "spot";
    QTest::newRow("text spot") << "/api/v1/instruments/chain/NIFTY?spot=abc"
                               << "spot";
    QTest::newRow("zero strikes") << "/api/v1/instruments/chain/NIFTY?strikes=0"
                                  << "strikes";
    QTest::newRow("bad segment") << "/api/v1/instruments/chain/NIFTY?segment=NYSE"
                                 << "segment";
    QTest::newRow("info takes no parameters") << "/api/v1/instruments/NSE_FO%7C1?at=2025-12-09"
                                              << "takes none";
}

void tst_ApiServer::badRequests()
{
    QFETCH(QString, path);
    QFETCH(QString, messageHas);
    const Reply r = get(path);
    QCOMPARE(r.status, 400);
    QCOMPARE(r.header("Content-Type"), QByteArray("application/json"));
    QCOMPARE(r.json.value("error").toString(), QString("bad_request"));
    QCOMPARE(r.json.value("status").toInt(), 400);
    QVERIFY2(r.json.value("message").toString().contains(messageHas),
             qPrintable(r.json.value("message").toString()));
}

void tst_ApiServer::headerNamesAndSchemeAnyCase()
{
    // HTTP header names and the auth scheme are case-insensitive (RFC 9110).
    const Reply lower =
        get("/api/v1/health", "GET", QByteArray(), 0, {{"authorization", "bearer " + m_token}});
    QCOMPARE(lower.status, 200);
    const Reply upper =
        get("/api/v1/health", "GET", QByteArray(), 0, {{"AUTHORIZATION", "BEARER " + m_token}});
    QCOMPARE(upper.status, 200);
}

void tst_ApiServer::authentication_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("authorization");
    const QString health = "/api/v1/health";
    QTest::newRow("no token") << health << QByteArray();
    QTest::newRow("wrong token") << health << QByteArray("Bearer " + QByteArray(64, 'a'));
    QTest::newRow("token prefix") << health << QByteArray("Bearer " + m_token.left(63));
    QTest::newRow("token plus a byte") << health << QByteArray("Bearer " + m_token + "0");
    QTest::newRow("basic scheme") << health << QByteArray("Basic " + m_token);
    QTest::newRow("no scheme") << health << QByteArray(m_token.right(10) + " " + m_token);
    QTest::newRow("unknown path too") << "/nothing/here" << QByteArray();
    QTest::newRow("search") << "/api/v1/instruments/search?q=NIFTY" << QByteArray();
    QTest::newRow("bad parameters are not looked at")
        << "/api/v1/instruments/search?limit=x" << QByteArray();
}

void tst_ApiServer::authentication()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, authorization);
    const Reply r = get(path, "GET", authorization.isEmpty() ? QByteArray() : authorization);
    QCOMPARE(r.status, 401);
    QCOMPARE(r.json.value("error").toString(), QString("unauthorized"));
    QVERIFY(r.header("WWW-Authenticate").startsWith("Bearer"));
    QVERIFY(!r.body.contains(m_token));
}

void tst_ApiServer::unknownPathAndWrongMethod()
{
    for (const char *path :
         {"/", "/api/v1", "/api/v1/", "/api/v2/health", "/api/v1/healthz", "/api/v1/instruments",
          "/api/v1/instruments/chain", "/api/v1/instruments/chain/NIFTY/x"}) {
        const Reply r = get(QString::fromLatin1(path));
        QVERIFY2(r.status == 404, path);
        QCOMPARE(r.json.value("error").toString(), QString("not_found"));
    }
    for (const QByteArray verb : {"POST", "PUT", "DELETE", "PATCH", "HEAD"}) {
        const Reply r = get("/api/v1/health", verb);
        QVERIFY2(r.status == 405, verb.constData());
        QCOMPARE(r.header("Allow"), QByteArray("GET"));
    }
}

void tst_ApiServer::noCors()
{
    const Reply r = get("/api/v1/health", "GET", {}, 0, {{"Origin", "https://evil.example"}});
    QCOMPARE(r.status, 200);
    const Reply preflight = get("/api/v1/health", "OPTIONS", QByteArray(), 0,
                                {{"Origin", "https://evil.example"},
                                 {"Access-Control-Request-Method", "GET"},
                                 {"Access-Control-Request-Headers", "authorization"}});
    QCOMPARE(preflight.status, 401);
    for (const Reply *reply : {&r, &preflight}) {
        for (const auto &[name, value] : reply->headers)
            QVERIFY2(!name.toLower().startsWith("access-control-"), name.constData());
    }
}

void tst_ApiServer::malformedRequestsDoNotHurtTheServer_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QString>("expect"); // "413", "no 200" or "any"
    const QByteArray auth = "Authorization: Bearer " + m_token + "\r\n";
    QTest::newRow("1 MB URL") << QByteArray("GET /api/v1/health?x=" + QByteArray(1 << 20, 'a') +
                                            " HTTP/1.1\r\nHost: x\r\n\r\n")
                              << "413";
    QTest::newRow("200 kB header")
        << QByteArray("GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Big: " +
                      QByteArray(200 * 1024, 'b') + "\r\n" + auth + "\r\n")
        << "413";
    QTest::newRow("10 MB body") << QByteArray("POST /api/v1/health HTTP/1.1\r\nHost: x\r\n" + auth +
                                              "Content-Length: 10485760\r\n\r\n" +
                                              QByteArray(10 << 20, 'c'))
                                << "413";
    QTest::newRow("garbage bytes") << QByteArray("\x00\xff\x13garbage\r\n\r\n\r\n", 16) << "no 200";
    QTest::newRow("not HTTP") << QByteArray("HELLO WORLD\r\n\r\n") << "no 200";
    QTest::newRow("bad Content-Length")
        << QByteArray("GET /api/v1/health HTTP/1.1\r\nContent-Length: abc\r\n" + auth + "\r\n")
        << "any"; // Qt's parser is lenient here; whatever it makes of it, the server goes on
    QTest::newRow("NUL in path") << QByteArray("GET /api/v1/inst\0ruments HTTP/1.1\r\n\r\n", 38)
                                 << "no 200";
}

void tst_ApiServer::malformedRequestsDoNotHurtTheServer()
{
    QFETCH(QByteArray, request);
    QFETCH(QString, expect);
    const QByteArray answer = rawExchange(m_port, request);
    if (expect == "413") {
        // The server answers 413 and closes; a client still writing may see only the close.
        QVERIFY2(answer.isEmpty() || answer.startsWith("HTTP/1.1 413"),
                 answer.left(100).constData());
    } else if (expect == "no 200") {
        QVERIFY2(!answer.startsWith("HTTP/1.1 200"), answer.left(100).constData());
    }
    // Half a request, then the client vanishes.
    rawExchange(m_port, "GET /api/v1/heal", false);
    // The server is alive and answers the next client.
    const Reply r = get("/api/v1/health");
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json.value("rows").toInteger(), qint64(m_snapshot->size()));
}

void tst_ApiServer::stalledHalfRequestIsDropped()
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_port);
    QVERIFY(socket.waitForConnected(5000));
    socket.write("GET /api/v1/health HTTP/1.1\r\nHost: x\r\n");
    QVERIFY(socket.waitForBytesWritten(5000));
    // The server gives a half request 10 s, then closes the connection.
    QTRY_VERIFY_WITH_TIMEOUT(socket.state() == QAbstractSocket::UnconnectedState, 20000);
    QCOMPARE(get("/api/v1/health").status, 200);
}

void tst_ApiServer::connectionCloseAndHttp10_data()
{
    QTest::addColumn<QByteArray>("request"); // without the Authorization header and end
    QTest::addColumn<bool>("closes");
    QTest::addColumn<QByteArray>("connectionHeader"); // in the response
    const QByteArray get = "GET /api/v1/health ";
    QTest::newRow("HTTP/1.1 keeps alive") << get + "HTTP/1.1\r\nHost: x\r\n"
                                          << false << QByteArray();
    QTest::newRow("HTTP/1.1 Connection: close")
        << get + "HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        << true << QByteArray("close");
    QTest::newRow("close among options, any case")
        << get + "HTTP/1.1\r\nHost: x\r\nconnection: Keep-Alive, CLOSE\r\n"
        << true << QByteArray("close");
    QTest::newRow("HTTP/1.0") << get + "HTTP/1.0\r\n" << true << QByteArray("close");
    QTest::newRow("HTTP/1.0 after an empty line") << "\r\n" + get + "HTTP/1.0\r\nHost: x\r\n"
                                                  << true << QByteArray("close");
    QTest::newRow("HTTP/1.0 keep-alive") << get + "HTTP/1.0\r\nConnection: keep-alive\r\n"
                                         << false << QByteArray("keep-alive");
}

void tst_ApiServer::connectionCloseAndHttp10()
{
    QFETCH(QByteArray, request);
    QFETCH(bool, closes);
    QFETCH(QByteArray, connectionHeader);
    const auto socket = connectedSocket(m_port);
    QVERIFY(socket);
    const QByteArray whole = request + "Authorization: Bearer " + m_token + "\r\n\r\n";
    socket->write(whole);
    const RawResponse first = readResponse(*socket);
    QVERIFY2(first.head.startsWith("HTTP/1.1 200"), first.head.constData());
    QCOMPARE(QJsonDocument::fromJson(first.body).object().value("status").toString(),
             QString("ok"));
    QCOMPARE(first.header("Connection").toLower(), connectionHeader);
    if (closes) {
        // The server closes once the response is out, without waiting for the client.
        QVERIFY(socket->state() == QAbstractSocket::UnconnectedState ||
                socket->waitForDisconnected(20000));
    } else {
        // Still open: a second request on the same connection is answered.
        socket->write(whole);
        const RawResponse second = readResponse(*socket);
        QVERIFY2(second.head.startsWith("HTTP/1.1 200"), second.head.constData());
        QCOMPARE(socket->state(), QAbstractSocket::ConnectedState);
    }
}

void tst_ApiServer::idleConnectionIsClosedAfterTheTimeout()
{
    ApiServerConfig config;
    config.token = m_token;
    // Long enough for a loaded machine to get a request across, short enough to wait for.
    config.idleTimeout = 1500ms;
    ThreadedServer server(m_repository, m_clock, config);
    QVERIFY(server.port());

    // A connection that never sends a byte.
    const auto silent = connectedSocket(*server.port());
    QVERIFY(silent);
    // One that was answered, kept alive, then left idle.
    const auto answered = connectedSocket(*server.port());
    QVERIFY(answered);
    const RawResponse r = askHealth(*answered, m_token);
    QVERIFY2(r.head.startsWith("HTTP/1.1 200"), r.head.constData());
    QVERIFY(r.header("Connection").isEmpty()); // kept alive
    for (QTcpSocket *socket : {silent.get(), answered.get()}) {
        QVERIFY(socket->state() == QAbstractSocket::UnconnectedState ||
                socket->waitForDisconnected(20000));
    }
}

void tst_ApiServer::idleConnectionsNeverLockClientsOut()
{
    ApiServerConfig config; // the defaults: 256 connections at most
    config.token = m_token;
    ThreadedServer server(m_repository, m_clock, config);
    QVERIFY(server.port());
    const int held = 300;
    std::vector<std::unique_ptr<QTcpSocket>> idle;
    for (int i = 0; i < held; ++i) {
        idle.push_back(connectedSocket(*server.port()));
        QVERIFY(idle.back());
    }
    // A client with the token still gets its answer, on a connection of its own.
    const auto client = connectedSocket(*server.port());
    QVERIFY(client);
    const RawResponse r = askHealth(*client, m_token);
    QVERIFY2(r.head.startsWith("HTTP/1.1 200"), r.head.constData());
    QCOMPARE(QJsonDocument::fromJson(r.body).object().value("rows").toInteger(),
             qint64(m_snapshot->size()));
    // Room was made by closing the connections idle the longest: the first 300 + 1 - 256 of
    // them, and no other.
    const int evicted = held + 1 - config.maxConnections;
    auto closed = [&idle] {
        int n = 0;
        for (const auto &socket : idle)
            n += socket->state() == QAbstractSocket::UnconnectedState;
        return n;
    };
    QTRY_COMPARE_WITH_TIMEOUT(closed(), evicted, 20000);
    for (int i = 0; i < held; ++i)
        QVERIFY2((idle[static_cast<std::size_t>(i)]->state() ==
                  QAbstractSocket::UnconnectedState) == (i < evicted),
                 qPrintable(QString::number(i)));
    QCOMPARE(client->state(), QAbstractSocket::ConnectedState);
}

void tst_ApiServer::snapshotSwapWhileServing()
{
    const SnapshotPtr smaller = generatedSnapshot(2500, 11);
    QVERIFY(smaller->size() != m_snapshot->size());
    m_repository.publish(smaller);
    const Reply r = get("/api/v1/health");
    QCOMPARE(r.json.value("rows").toInteger(), qint64(smaller->size()));
    SearchRequest request;
    request.text = "NIFTY";
    request.limit = 20;
    request.today = MasterDay;
    QCOMPARE(get("/api/v1/instruments/search?q=NIFTY").json,
             json::searchResults(*smaller, smaller->search(request)));
    // Swap back and forth while a keep-alive client keeps asking: every answer is whole and
    // comes from one of the two snapshots.
    for (int i = 0; i < 20; ++i) {
        m_repository.publish(i % 2 ? m_snapshot : smaller);
        const Reply h = get("/api/v1/health");
        QCOMPARE(h.status, 200);
        QCOMPARE(h.json.value("rows").toInteger(),
                 qint64(i % 2 ? m_snapshot->size() : smaller->size()));
    }
    m_repository.publish(m_snapshot);
    QCOMPARE(get("/api/v1/health").json.value("rows").toInteger(), qint64(m_snapshot->size()));
}

void tst_ApiServer::notLoadedYetIs503()
{
    InstrumentRepository empty;
    ApiServerConfig config;
    config.token = m_token;
    ApiServer server(empty, m_clock, config);
    const auto port = server.listen();
    QVERIFY(port);
    const Reply health = get("/api/v1/health", "GET", {}, *port);
    QCOMPARE(health.status, 200);
    QCOMPARE(health.json.value("loaded").toBool(), false);
    QCOMPARE(health.json.value("status").toString(), QString("loading"));
    const Reply search = get("/api/v1/instruments/search?q=NIFTY", "GET", {}, *port);
    QCOMPARE(search.status, 503);
    QCOMPARE(search.json.value("error").toString(), QString("loading"));
    empty.publish(m_snapshot);
    QCOMPARE(get("/api/v1/instruments/search?q=NIFTY", "GET", {}, *port).status, 200);
    server.close();
    QVERIFY(!server.isListening());
    QCOMPARE(get("/api/v1/health", "GET", {}, *port).status, 0); // connection refused
}

void tst_ApiServer::listenErrors()
{
    {
        ApiServerConfig config;
        config.token = m_token;
        config.address = QHostAddress(QHostAddress::AnyIPv4);
        ApiServer server(m_repository, m_clock, config);
        const auto port = server.listen();
        QVERIFY(!port);
        QCOMPARE(port.error().code, ErrorCode::InvalidArgument);
        QVERIFY(port.error().message.contains("loopback"));
    }
    {
        ApiServer server(m_repository, m_clock, ApiServerConfig{});
        const auto port = server.listen();
        QVERIFY(!port);
        QVERIFY(port.error().message.contains("token"));
    }
    {
        ApiServerConfig config;
        config.token = m_token;
        config.port = m_port; // taken by the main server
        ApiServer server(m_repository, m_clock, config);
        const auto port = server.listen();
        QVERIFY(!port);
        QCOMPARE(port.error().code, ErrorCode::Network);
        QVERIFY(port.error().message.contains(QString::number(m_port)));
    }
    {
        ApiServerConfig config;
        config.token = m_token;
        ApiServer server(m_repository, m_clock, config);
        QVERIFY(server.listen());
        const auto again = server.listen();
        QVERIFY(!again);
        QCOMPARE(again.error().code, ErrorCode::Conflict);
    }
    {
        ApiServerConfig config;
        config.token = m_token;
        config.idleTimeout = 0ms;
        ApiServer server(m_repository, m_clock, config);
        const auto port = server.listen();
        QVERIFY(!port);
        QCOMPARE(port.error().code, ErrorCode::InvalidArgument);
    }
}

void tst_ApiServer::runsOnAWorkerThread()
{
    ApiServerConfig config;
    config.token = m_token;
    quint16 port = 0;
    {
        ThreadedServer server(m_repository, m_clock, config);
        QVERIFY(server.port());
        port = *server.port();
        // Requests are answered by the worker's event loop while this thread waits in get().
        const Reply r = get("/api/v1/instruments/search?q=NIFTY&limit=3", "GET", {}, port);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value("results").toArray().size(), 3);
    }
    QCOMPARE(get("/api/v1/health", "GET", {}, port).status, 0);
}

void tst_ApiServer::tokenFileIsCreatedOwnerOnly()
{
    const QString dir = m_dir.filePath("fresh/nested");
    const auto first = loadOrCreateToken(dir);
    QVERIFY2(first, qPrintable(first ? QString() : first.error().message));
    QVERIFY(first->created);
    QCOMPARE(first->path, QDir(dir).filePath("api-token"));
    QCOMPARE(first->token.size(), 64);
    QCOMPARE(QFile(first->path).permissions(), QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                                   QFileDevice::ReadUser | QFileDevice::WriteUser);
    const auto second = loadOrCreateToken(dir);
    QVERIFY(second);
    QVERIFY(!second->created);
    QCOMPARE(second->token, first->token);
    // Another directory, another random token.
    const auto other = loadOrCreateToken(m_dir.filePath("other"));
    QVERIFY(other);
    QVERIFY(other->token != first->token);
}

void tst_ApiServer::tokenFileErrors()
{
    const QString dir = m_dir.filePath("errors");
    const auto made = loadOrCreateToken(dir);
    QVERIFY(made);
    QFile file(made->path);
    QVERIFY(
        file.setPermissions(file.permissions() | QFileDevice::ReadGroup | QFileDevice::ReadOther));
    auto open = loadOrCreateToken(dir);
    QVERIFY(!open);
    QVERIFY2(open.error().message.contains("chmod 600"), qPrintable(open.error().message));
    QVERIFY(open.error().message.contains("0644"));

    QVERIFY(file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write("short\n");
    file.close();
    auto garbage = loadOrCreateToken(dir);
    QVERIFY(!garbage);
    QVERIFY(garbage.error().message.contains("does not hold a token"));

    const QString dirAsFile = m_dir.filePath("dir-token");
    QVERIFY(QDir().mkpath(dirAsFile + "/api-token"));
    auto notFile = loadOrCreateToken(dirAsFile);
    QVERIFY(!notFile);
    QVERIFY(notFile.error().message.contains("not a regular file"));

    QVERIFY(!loadOrCreateToken(QString()));
}

void tst_ApiServer::tokenCompare()
{
    QVERIFY(tokensEqual("abcdef", "abcdef"));
    QVERIFY(!tokensEqual("abcdef", "abcdeF"));
    QVERIFY(!tokensEqual("abcdef", "abcde"));
    QVERIFY(!tokensEqual("abcdef", "abcdefg"));
    QVERIFY(!tokensEqual("abcdef", ""));
    QVERIFY(!tokensEqual("", ""));
}

QTEST_GUILESS_MAIN(tst_ApiServer)
#include "tst_apiserver.moc"
