// The local API's order routes over real HTTP on loopback, with a real order service (journal,
// SQLite, the paper broker on simulated prices) behind them: a place idempotent on its tag, the
// checks' refusals (422) and malformed bodies (400) that write nothing, modify and cancel,
// positions and funds, and live orders: refused without the owner's opt-in (403) or a
// session (409), and answered as soon as they are journaled and sent even when the broker never
// answers -- the API's thread never waits on a broker.

#undef QT_NO_CAST_FROM_ASCII

#include "TestData.h"
#include "api/ApiServer.h"
#include "instruments/InstrumentRepository.h"
#include "instruments/MasterReader.h"
#include "marketdata/SimulatedMarket.h"
#include "orders/OrderService.h"
#include "orders/OrderValidator.h"
#include "orders/PaperGateway.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <memory>

using namespace strikeline;
using namespace std::chrono_literals;

namespace {

const QString Call = QStringLiteral("NSE_FO|59047"); // BANKNIFTY 56300 CE 25 AUG 26, lot 30
const QByteArray Token = QByteArrayLiteral("test-token-0123456789");

// An Upstox-like gateway that takes every request and never answers: a broker that is slow,
// or a network that dropped the answer.
class SilentGateway final : public BrokerGateway
{
public:
    Venue venue() const override { return Venue::Upstox; }
    GatewayRequestId place(const PlaceOrderRequest &) override { return ++places; }
    GatewayRequestId modify(const ModifyOrderRequest &) override { return next(); }
    GatewayRequestId cancel(const std::string &) override { return next(); }
    GatewayRequestId findByTag(const std::string &) override { return next(); }
    GatewayRequestId fetchBook() override { return next(); }
    void setEventSink(EventSink) override {}
    std::atomic<GatewayRequestId> places{0};

private:
    GatewayRequestId next() { return 1000 + ++m_other; }
    std::atomic<GatewayRequestId> m_other{0};
};

struct Answer
{
    int status = 0;
    QJsonObject json;
    QByteArray allow;
};

} // namespace

class tst_ApiOrders final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void placeIsIdempotentOnTag();
    void refusedOrderIsUnprocessable();
    void malformedBodiesWriteNothing();
    void modifyAndCancel();
    void positionsAndFunds();
    void liveNeedsOptInAndSession();
    void liveOrderIsAnsweredWithoutTheBroker();
    void withoutOrdersTheRoutesSaySo();

private:
    // The order service (paper; with the silent live gateway too) and the server over it.
    void start(bool withLive = false, bool serveOrders = true);
    Answer call(const QByteArray &verb, const QString &path, const QByteArray &body = {});
    Answer post(const QJsonObject &body)
    {
        return call("POST", QStringLiteral("/api/v1/orders"),
                    QJsonDocument(body).toJson(QJsonDocument::Compact));
    }

    SnapshotPtr m_snapshot;
    std::unique_ptr<InstrumentRepository> m_repository;
    std::unique_ptr<FixedClock> m_clock;
    std::unique_ptr<SimulatedMarket> m_market;
    std::unique_ptr<OrderValidator> m_validator;
    std::unique_ptr<PaperGateway> m_paper;
    std::unique_ptr<SilentGateway> m_live;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<OrderService> m_orders;
    std::unique_ptr<api::ApiServer> m_server;
    api::ApiTrading m_trading;
    QNetworkAccessManager m_nam;
};

void tst_ApiOrders::initTestCase()
{
    m_nam.setProxy(QNetworkProxy::NoProxy);
    STRIKELINE_REQUIRE_REAL_FILE(master, "fixture-NSE_FO-subset-2026-08-21.json");
    SnapshotBuilder builder;
    auto read = readMasterFile(master, [&](InstrumentRecord &&r) { builder.add(std::move(r)); });
    QVERIFY2(read, read ? "" : qPrintable(read.error().message));
    m_snapshot = builder.build(MasterInfo{});
}

void tst_ApiOrders::init()
{
    m_repository = std::make_unique<InstrumentRepository>();
    m_repository->publish(m_snapshot);
    m_clock = std::make_unique<FixedClock>(
        IstMoment::fromDay(fromQDate(QDate(2026, 8, 21)), 10 * 60)); // a Friday, 10:00 IST
    m_market = std::make_unique<SimulatedMarket>(*m_repository, *m_clock);
    m_validator = std::make_unique<OrderValidator>(*m_clock);
    m_paper = std::make_unique<PaperGateway>(*m_market, *m_clock);
    m_live = std::make_unique<SilentGateway>();
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_trading = {};
}

void tst_ApiOrders::cleanup()
{
    if (m_server)
        m_server->close();
    m_server.reset();
    m_orders.reset();
}

void tst_ApiOrders::start(bool withLive, bool serveOrders)
{
    std::vector<BrokerGateway *> gateways{m_paper.get()};
    if (withLive)
        gateways.push_back(m_live.get());
    OrderServiceConfig config;
    config.journalDirectory = m_dir->filePath("journal");
    config.database =
        *DatabaseConfig::parse(QStringLiteral("sqlite://") + m_dir->filePath("orders.db"));
    config.tagLookupDelays = {60s}; // the silent broker is never asked within a test
    auto opened = OrderService::open(
        OrderService::Dependencies{
            contractLookupFor(*m_repository),
            [this](const OrderRequest &r) {
                return m_validator->validate(
                    r, *m_snapshot, r.venue == Venue::Paper ? m_market.get() : nullptr, nullptr);
            },
            gateways, *m_clock},
        config);
    QVERIFY2(opened, opened ? "" : qPrintable(opened.error().message));
    m_orders = std::move(*opened);
    m_trading.orders = serveOrders ? m_orders.get() : nullptr;
    m_trading.paperPrices = m_market.get();
    api::ApiServerConfig serverConfig;
    serverConfig.token = Token;
    m_server = std::make_unique<api::ApiServer>(*m_repository, *m_clock, serverConfig);
    m_server->setTrading(m_trading);
    auto port = m_server->listen();
    QVERIFY2(port, port ? "" : qPrintable(port.error().message));
}

Answer tst_ApiOrders::call(const QByteArray &verb, const QString &path, const QByteArray &body)
{
    QNetworkRequest request(
        QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_server->port()).arg(path)));
    request.setRawHeader("Authorization", "Bearer " + Token);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    QNetworkReply *reply = m_nam.sendCustomRequest(request, verb, body);
    QSignalSpy done(reply, &QNetworkReply::finished);
    if (!reply->isFinished())
        done.wait(20000);
    Answer a;
    a.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    a.json = QJsonDocument::fromJson(reply->readAll()).object();
    a.allow = reply->rawHeader("Allow");
    reply->deleteLater();
    return a;
}

void tst_ApiOrders::placeIsIdempotentOnTag()
{
    start();
    const QJsonObject order{{"key", Call},     {"side", "buy"}, {"qty", 30},
                            {"type", "limit"}, {"price", 1.05}, {"tag", "API1"}};
    const Answer placed = post(order);
    QCOMPARE(placed.status, 201);
    QCOMPARE(placed.json.value("duplicate").toBool(), false);
    const QJsonObject o = placed.json.value("order").toObject();
    QCOMPARE(o.value("client_order_id").toString(), QStringLiteral("API1"));
    QCOMPARE(o.value("venue").toString(), QStringLiteral("paper"));
    QCOMPARE(o.value("simulated").toBool(), true);
    QCOMPARE(o.value("price").toDouble(), 1.05);
    // The same tag again: the order placed before, nothing new, whatever the body says now.
    QJsonObject again = order;
    again.insert("qty", 60);
    const Answer duplicate = post(again);
    QCOMPARE(duplicate.status, 200);
    QCOMPARE(duplicate.json.value("duplicate").toBool(), true);
    QCOMPARE(duplicate.json.value("order").toObject().value("quantity").toInteger(), 30);
    QCOMPARE(m_paper->broker().placeRequestCount(), std::size_t(1));

    // A trading symbol works as a key, and a tag is made when none is given.
    const Answer bySymbol = post(
        {{"key", "BANKNIFTY 56300 CE 25 AUG 26"}, {"side", "BUY"}, {"qty", 30}, {"price", "1.10"}});
    QCOMPARE(bySymbol.status, 201);
    const QJsonObject made = bySymbol.json.value("order").toObject();
    QCOMPARE(made.value("instrument_key").toString(), Call);
    QVERIFY(!made.value("client_order_id").toString().isEmpty());

    const Answer listed = call("GET", "/api/v1/orders");
    QCOMPARE(listed.status, 200);
    QCOMPARE(listed.json.value("orders").toArray().size(), 2);
    QCOMPARE(call("GET", "/api/v1/orders?venue=upstox").json.value("orders").toArray().size(), 0);
    QCOMPARE(call("GET", "/api/v1/orders?venue=nyse").status, 400);
    QCOMPARE(call("GET", "/api/v1/orders/API1").json.value("order").toObject().value("status"),
             QJsonValue("acknowledged"));
    QCOMPARE(call("GET", "/api/v1/orders/NOPE").status, 404);
    QVERIFY(m_orders->waitPersisted(10s));
}

void tst_ApiOrders::refusedOrderIsUnprocessable()
{
    start();
    const Answer refused = post({{"key", Call}, {"side", "buy"}, {"qty", 31}, {"price", 1}});
    QCOMPARE(refused.status, 422);
    QCOMPARE(refused.json.value("error").toString(), QStringLiteral("rejected"));
    const QJsonArray reasons = refused.json.value("reasons").toArray();
    QVERIFY(!reasons.isEmpty());
    QCOMPARE(reasons.first().toObject().value("code").toString(),
             QStringLiteral("qty_not_lot_multiple"));
    QCOMPARE(m_paper->broker().placeRequestCount(), std::size_t(0));
}

void tst_ApiOrders::malformedBodiesWriteNothing()
{
    start();
    const QList<QByteArray> bodies{
        "",
        "not json",
        "[1,2]",
        R"({"key":"NSE_FO|59047","side":"buy"})",                          // no qty
        R"({"key":"NSE_FO|59047","side":"buy","qty":"30"})",               // qty as text
        R"({"key":"NSE_FO|59047","side":"buy","qty":30.5})",               // not whole
        R"({"key":"NSE_FO|59047","side":"hold","qty":30})",                // side
        R"({"key":"NSE_FO|59047","side":"buy","qty":30,"price":1.00005})", // 5 decimals
        R"({"key":"NSE_FO|59047","side":"buy","qty":30,"price":-2})",      // negative
        R"({"key":"NSE_FO|59047","side":"buy","qty":30,"prize":2})",       // a typo
        R"({"key":"NSE_FO|59047","side":"buy","qty":30,"live":"yes"})",    // live
        R"({"key":"NSE_FO|59047","side":"buy","qty":30,"tag":"a b"})",     // tag alphabet
        R"({"key":"NSE_FO|59047","side":"buy","qty":30,"tag":"X.01"})",    // a slice's name
        R"({"key":"NSE_FO|59047","side":"buy","qty":30,"type":"stop"})",   // type
        R"({"key":42,"side":"buy","qty":30})",                             // key
    };
    for (const QByteArray &body : bodies) {
        const Answer a = call("POST", "/api/v1/orders", body);
        QVERIFY2(a.status == 400, body.constData());
        QCOMPARE(a.json.value("error").toString(), QStringLiteral("bad_request"));
        QVERIFY(!a.json.value("message").toString().isEmpty());
    }
    QVERIFY(m_orders->orders().empty());
    QCOMPARE(m_paper->broker().placeRequestCount(), std::size_t(0));
}

void tst_ApiOrders::modifyAndCancel()
{
    start();
    QCOMPARE(
        post({{"key", Call}, {"side", "buy"}, {"qty", 30}, {"price", 1}, {"tag", "M1"}}).status,
        201);
    const Answer modified = call("PUT", "/api/v1/orders/M1", R"({"price":2,"qty":60})");
    QCOMPARE(modified.status, 202);
    QTRY_COMPARE(m_orders->order("M1")->request.price, Price::fromRupees(2));
    QCOMPARE(m_orders->order("M1")->request.quantity, 60);
    QCOMPARE(call("PUT", "/api/v1/orders/M1", "{}").status, 400);
    QCOMPARE(call("PUT", "/api/v1/orders/M1", R"({"qty":61})").status, 422); // not a lot multiple
    QCOMPARE(m_orders->order("M1")->request.quantity, 60);                   // as it was
    QCOMPARE(call("PUT", "/api/v1/orders/NOPE", R"({"price":2})").status, 404);

    const Answer cancelled = call("DELETE", "/api/v1/orders/M1");
    QCOMPARE(cancelled.status, 202);
    QTRY_COMPARE(m_orders->order("M1")->status, OrderStatus::Cancelled);
    const Answer again = call("DELETE", "/api/v1/orders/M1");
    QCOMPARE(again.status, 409);
    QVERIFY(again.json.value("message").toString().contains("nothing to cancel"));
    QCOMPARE(call("PUT", "/api/v1/orders/M1", R"({"price":3})").status, 409);
    const Answer wrong = call("PATCH", "/api/v1/orders/M1", "{}");
    QCOMPARE(wrong.status, 405);
    QCOMPARE(wrong.allow, QByteArray("GET, PUT, DELETE"));
    QCOMPARE(call("DELETE", "/api/v1/orders").status, 405);
}

void tst_ApiOrders::positionsAndFunds()
{
    std::atomic<int> fundsAsked{0};
    m_trading.funds = [&fundsAsked](QObject *context, api::ApiTrading::JsonAnswer done) {
        ++fundsAsked;
        // Answered later, on the server's thread: as a broker call does.
        QMetaObject::invokeMethod(
            context,
            [done] {
                done(QJsonValue(QJsonObject{
                    {"equity", QJsonObject{{"available_margin", 12345.5}}},
                }));
            },
            Qt::QueuedConnection);
    };
    m_trading.livePositions = [](QObject *, api::ApiTrading::JsonAnswer done) {
        done(Error::make(ErrorCode::Network, QStringLiteral("Upstox could not be reached")));
    };
    start();
    const Answer bought =
        post({{"key", Call}, {"side", "buy"}, {"qty", 30}, {"type", "market"}, {"tag", "P1"}});
    QCOMPARE(bought.status, 201);
    QTRY_COMPARE(m_orders->order("P1")->status, OrderStatus::Filled);
    const Answer positions = call("GET", "/api/v1/positions");
    QCOMPARE(positions.status, 200);
    QCOMPARE(positions.json.value("venue").toString(), QStringLiteral("paper"));
    const QJsonArray rows = positions.json.value("positions").toArray();
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows.first().toObject().value("quantity").toInteger(), 30);
    QCOMPARE(rows.first().toObject().value("simulated").toBool(), true);
    QCOMPARE(call("GET", "/api/v1/positions?live=maybe").status, 400);
    const Answer live = call("GET", "/api/v1/positions?live=true");
    QCOMPARE(live.status, 502);
    QCOMPARE(live.json.value("error").toString(), QStringLiteral("broker_unreachable"));

    const Answer funds = call("GET", "/api/v1/funds");
    QCOMPARE(funds.status, 200);
    QCOMPARE(funds.json.value("venue").toString(), QStringLiteral("upstox"));
    QCOMPARE(funds.json.value("equity").toObject().value("available_margin").toDouble(), 12345.5);
    QCOMPARE(fundsAsked.load(), 1);
    QCOMPARE(call("POST", "/api/v1/funds").status, 405);
}

void tst_ApiOrders::liveNeedsOptInAndSession()
{
    const QJsonObject order{{"key", Call},  {"side", "buy"}, {"qty", 30},
                            {"price", 300}, {"live", true},  {"tag", "L1"}};
    std::atomic<bool> allowed{false};
    m_trading.allowLive = [&allowed] { return allowed.load(); };
    start(false);
    const Answer optIn = post(order);
    QCOMPARE(optIn.status, 403);
    QCOMPARE(optIn.json.value("error").toString(), QStringLiteral("live_orders_disabled"));
    allowed = true; // the owner's choice is asked per request: no restart of the server
    const Answer noGateway = post(order);
    QCOMPARE(noGateway.status, 409);
    QCOMPARE(noGateway.json.value("error").toString(), QStringLiteral("live_unavailable"));
    // Funds without a session to ask with.
    QCOMPARE(call("GET", "/api/v1/funds").status, 409);
    QVERIFY(m_orders->orders().empty());
    QCOMPARE(m_live->places.load(), GatewayRequestId(0));
}

void tst_ApiOrders::liveOrderIsAnsweredWithoutTheBroker()
{
    m_trading.allowLive = [] { return true; };
    std::atomic<bool> loggedIn{false};
    m_trading.liveUnavailable = [&loggedIn]() -> std::optional<QString> {
        if (loggedIn)
            return std::nullopt;
        return QStringLiteral("Log in to Upstox to trade live (Session > Log in)");
    };
    start(true);
    const QJsonObject order{{"key", Call},  {"side", "buy"}, {"qty", 30},
                            {"price", 300}, {"live", true},  {"tag", "L2"}};
    const Answer notLoggedIn = post(order);
    QCOMPARE(notLoggedIn.status, 409);
    QVERIFY(notLoggedIn.json.value("message").toString().contains("Log in to Upstox"));
    QCOMPARE(m_live->places.load(), GatewayRequestId(0));

    loggedIn = true;
    // The broker never answers: the API answers once the order is journaled and sent.
    const Answer sent = post(order);
    QCOMPARE(sent.status, 201);
    const QJsonObject o = sent.json.value("order").toObject();
    QCOMPARE(o.value("status").toString(), QStringLiteral("sent"));
    QCOMPARE(o.value("venue").toString(), QStringLiteral("upstox"));
    QCOMPARE(o.value("simulated").toBool(), false);
    QCOMPARE(m_live->places.load(), GatewayRequestId(1));
    // Asked again while the first answer is outstanding: the same order, never a second send.
    const Answer again = post(order);
    QCOMPARE(again.status, 200);
    QCOMPARE(again.json.value("duplicate").toBool(), true);
    QCOMPARE(m_live->places.load(), GatewayRequestId(1));
    // A cancel of a live order whose place is unanswered is refused plainly, not queued blind.
    const Answer cancel = call("DELETE", "/api/v1/orders/L2");
    QCOMPARE(cancel.status, 409);
}

void tst_ApiOrders::withoutOrdersTheRoutesSaySo()
{
    start(false, false);
    for (const auto &[verb, path] : {std::pair{"POST", "/api/v1/orders"},
                                     {"GET", "/api/v1/orders"},
                                     {"DELETE", "/api/v1/orders/X"},
                                     {"GET", "/api/v1/positions"}}) {
        const Answer a = call(verb, QString::fromLatin1(path), "{}");
        QCOMPARE(a.status, 503);
        QCOMPARE(a.json.value("error").toString(), QStringLiteral("orders_unavailable"));
    }
    QCOMPARE(call("GET", "/api/v1/health").status, 200); // the rest still serves
}

QTEST_GUILESS_MAIN(tst_ApiOrders)
#include "tst_apiorders.moc"
