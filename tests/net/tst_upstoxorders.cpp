// UpstoxOrderGateway and its portfolio stream against the real simulator process
// (`strikeline-cli upstox-sim`, docs/upstox-sim.md), logged in as a trader would be: LIMIT and
// MARKET orders (one placed from a thread of its own), a sliced order whose children map to
// their own client ids, modify, cancel, a cancel of a complete order, the faults that make a
// place ambiguous (drop-after-place, then findByTag) or refused (static-ip-reject, http-429:
// never placed twice), fetchBook with the day's trades, the stream's Live / Reconnecting /
// StandingDown, the event sink's reset, positions and margin. Waits are QTRY bounds on what the
// gateway delivers, never sleeps.

#include "NetTestSupport.h"
#include "SimProcess.h"
#include "SimSession.h"
#include "TestData.h"
#include "broker/upstox/UpstoxClient.h"
#include "broker/upstox/UpstoxOrderGateway.h"
#include "broker/upstox/UpstoxPortfolio.h"
#include "common/WorkerThread.h"
#include "net/HttpClient.h"

#include <QDeadlineTimer>
#include <QMutex>
#include <QMutexLocker>
#include <QTest>
#include <QThread>

#include <memory>
#include <thread>

using namespace strikeline;
using upstox::UpstoxOrderGateway;

namespace {

// NIFTY 22200 CE 01 SEP 26: lot 65, freeze 1755, trading near Rs 2000 in the fixture's market.
const std::string Option = "NSE_FO|46913";

// Everything the gateway delivered, in order, from whichever thread.
class EventLog final
{
public:
    void add(std::vector<GatewayEvent> batch)
    {
        QMutexLocker lock(&m_mutex);
        ++m_batches;
        for (GatewayEvent &event : batch)
            m_events.push_back(std::move(event));
    }
    std::vector<GatewayEvent> events() const
    {
        QMutexLocker lock(&m_mutex);
        return m_events;
    }
    std::size_t size() const
    {
        QMutexLocker lock(&m_mutex);
        return m_events.size();
    }

    template<typename T>
    std::vector<T> all() const
    {
        std::vector<T> out;
        for (const GatewayEvent &event : events())
            if (const T *t = std::get_if<T>(&event))
                out.push_back(*t);
        return out;
    }
    std::optional<GatewayReply> reply(GatewayRequestId id) const
    {
        for (const GatewayReply &r : all<GatewayReply>())
            if (r.request == id)
                return r;
        return std::nullopt;
    }
    std::optional<GatewaySnapshot> snapshot(GatewayRequestId id) const
    {
        for (const GatewaySnapshot &s : all<GatewaySnapshot>())
            if (s.request == id)
                return s;
        return std::nullopt;
    }
    std::vector<BrokerOrderUpdate> updates(const std::string &brokerOrderId) const
    {
        std::vector<BrokerOrderUpdate> out;
        for (const BrokerOrderUpdate &u : all<BrokerOrderUpdate>())
            if (u.brokerOrderId == brokerOrderId)
                out.push_back(u);
        return out;
    }
    bool sawUpdate(const std::string &brokerOrderId, BrokerOrderState state) const
    {
        for (const BrokerOrderUpdate &u : updates(brokerOrderId))
            if (u.state == state)
                return true;
        return false;
    }
    // The stream states seen, in order.
    std::vector<StreamState> states() const
    {
        std::vector<StreamState> out;
        for (const GatewayStatus &s : all<GatewayStatus>())
            out.push_back(s.state);
        return out;
    }
    std::size_t count(StreamState state) const
    {
        const auto seen = states();
        return static_cast<std::size_t>(std::count(seen.begin(), seen.end(), state));
    }

private:
    mutable QMutex m_mutex;
    std::vector<GatewayEvent> m_events;
    int m_batches = 0;
};

// Runs the event loop until `done` holds, at most `limitMs` (QTRY's way, usable in helpers).
template<typename F>
bool waitUntil(F done, int limitMs = 30000)
{
    const QDeadlineTimer deadline(limitMs);
    while (!done() && !deadline.hasExpired())
        QTest::qWait(10);
    return done();
}

PlaceOrderRequest order(OrderType type, std::int64_t quantity, const std::string &tag,
                        Price price = {})
{
    PlaceOrderRequest r;
    r.order.instrumentKey = Option;
    r.order.side = Side::Buy;
    r.order.type = type;
    r.order.product = Product::Delivery;
    r.order.quantity = quantity;
    r.order.price = price;
    r.order.clientOrderId = tag;
    return r;
}

// The stream's timeouts shrunk so a drop is seen in a second.
UpstoxOrderGateway::Options fastOptions()
{
    UpstoxOrderGateway::Options options;
    options.stream.pingInterval = std::chrono::milliseconds(300);
    options.stream.pongDeadline = std::chrono::milliseconds(3000);
    options.stream.backoffInitial = std::chrono::milliseconds(100);
    options.stream.backoffMax = std::chrono::milliseconds(1000);
    return options;
}

// Far below the market: rests open.
const Price Resting = Price::fromRupees(1500);

std::optional<BrokerOrderUpdate> withTag(const std::vector<BrokerOrderUpdate> &orders,
                                         const std::string &tag)
{
    for (const BrokerOrderUpdate &o : orders)
        if (o.clientOrderId == tag)
            return o;
    return std::nullopt;
}

} // namespace

class tst_UpstoxOrders final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void limitAndMarketFromAnyThread();
    void slicedChildrenMapToTheirIds();
    void modifyPrice();
    void cancelAndCancelOfComplete();
    void droppedPlaceIsAmbiguousThenFoundByTag();
    void unknownTagIsADefiniteNone();
    void staticIpRequired();
    void rateLimitedIsNotRetried();
    void fetchBookHasTrades();
    void fetchBookFailsOnServerErrors();
    void streamReconnectsAfterDrop();
    void streamStandsDownOnExpiredToken();
    void noEventAfterSinkReset();
    void positionsAndMargin();
    void gatewayOnAThreadOfItsOwn();

private:
    // A sent request's reply, once it has come.
    GatewayReply replyOf(GatewayRequestId id);
    GatewaySnapshot snapshotOf(GatewayRequestId id);
    void startStreamLive();
    std::string placeAccepted(const PlaceOrderRequest &request);

    testing::SimProcess m_sim;
    testing::TestTokens m_tokens;
    std::unique_ptr<net::HttpClient> m_http;
    std::unique_ptr<upstox::UpstoxClient> m_client;
    std::unique_ptr<UpstoxOrderGateway> m_gateway;
    std::shared_ptr<EventLog> m_log;
    std::shared_ptr<std::vector<upstox::UpstoxPosition>> m_positions;
};

void tst_UpstoxOrders::init()
{
    STRIKELINE_REQUIRE_REAL_FILE(master, "fixture-NSE_FO-subset-2026-08-21.json");
    QVERIFY2(m_sim.start(master), qPrintable(m_sim.errorString()));
    const QByteArray token = testing::simLogin(m_sim.url());
    QVERIFY(!token.isEmpty());
    m_tokens.set(token);

    net::HttpClient::Options http;
    http.tokens = &m_tokens;
    http.allowLoopbackHttp = true;
    http.retryBackoff = std::chrono::milliseconds(50);
    m_http = std::make_unique<net::HttpClient>(http);
    auto urls = upstox::UpstoxUrls::fromBase(m_sim.baseUrl());
    QVERIFY(urls.ok());
    m_client = std::make_unique<upstox::UpstoxClient>(*m_http, urls.value());

    m_positions = std::make_shared<std::vector<upstox::UpstoxPosition>>();
    UpstoxOrderGateway::Options options = fastOptions();
    options.onPosition = [positions = m_positions](upstox::UpstoxPosition p) {
        positions->push_back(std::move(p)); // the gateway's thread: this one
    };
    m_gateway = std::make_unique<UpstoxOrderGateway>(*m_client, options);
    QCOMPARE(m_gateway->venue(), Venue::Upstox);
    m_log = std::make_shared<EventLog>();
    m_gateway->setEventSink([log = m_log](std::vector<GatewayEvent> batch) {
        QVERIFY(!batch.empty());
        log->add(std::move(batch));
    });
}

void tst_UpstoxOrders::cleanup()
{
    m_gateway.reset();
    m_client.reset();
    m_http.reset();
    m_sim.stop();
}

GatewayReply tst_UpstoxOrders::replyOf(GatewayRequestId id)
{
    const bool came = waitUntil([&] { return m_log->reply(id).has_value(); });
    if (!came)
        qWarning("no reply to request %llu", static_cast<unsigned long long>(id));
    if (came)
        return *m_log->reply(id);
    GatewayReply none;
    none.outcome = ReplyOutcome::Refused;
    none.message = "no reply";
    return none;
}

GatewaySnapshot tst_UpstoxOrders::snapshotOf(GatewayRequestId id)
{
    if (!waitUntil([&] { return m_log->snapshot(id).has_value(); })) {
        GatewaySnapshot none;
        none.message = "no snapshot";
        return none;
    }
    return *m_log->snapshot(id);
}

void tst_UpstoxOrders::startStreamLive()
{
    m_gateway->startStream();
    QVERIFY2(waitUntil([&] { return m_log->count(StreamState::Live) == 1; }),
             qPrintable(m_gateway->stream().reason()));
    QCOMPARE(m_log->states().front(), StreamState::Connecting);
}

std::string tst_UpstoxOrders::placeAccepted(const PlaceOrderRequest &request)
{
    const GatewayReply reply = replyOf(m_gateway->place(request));
    if (reply.outcome != ReplyOutcome::Accepted || reply.brokerOrderIds.size() != 1) {
        qWarning("place refused: %s", reply.message.c_str());
        return {};
    }
    return reply.brokerOrderIds.front();
}

void tst_UpstoxOrders::limitAndMarketFromAnyThread()
{
    startStreamLive();
    const std::string limit = placeAccepted(order(OrderType::Limit, 65, "lim-1", Resting));
    QVERIFY(!limit.empty());
    QTRY_VERIFY_WITH_TIMEOUT(m_log->sawUpdate(limit, BrokerOrderState::Open), 20000);
    const BrokerOrderUpdate open = m_log->updates(limit).back();
    QCOMPARE(open.clientOrderId, std::string("lim-1"));
    QCOMPARE(open.brokerStatus, std::string("open"));
    QCOMPARE(open.price, Resting);
    QCOMPARE(open.quantity, 65);
    QCOMPARE(open.instrumentKey, Option);

    // The order service calls from its own std::thread: the id comes back at once.
    GatewayRequestId marketId = 0;
    std::thread caller(
        [&] { marketId = m_gateway->place(order(OrderType::Market, 130, "mkt-1")); });
    caller.join();
    QVERIFY(marketId != 0);
    const GatewayReply market = replyOf(marketId);
    QCOMPARE(market.outcome, ReplyOutcome::Accepted);
    QCOMPARE(market.brokerOrderIds.size(), 1u);
    const std::string id = market.brokerOrderIds.front();
    QTRY_VERIFY_WITH_TIMEOUT(m_log->sawUpdate(id, BrokerOrderState::Complete), 20000);
    const BrokerOrderUpdate done = m_log->updates(id).back();
    QCOMPARE(done.clientOrderId, std::string("mkt-1"));
    QCOMPARE(done.filledQuantity, 130);
    QVERIFY(done.averagePrice.isPositive());
    QVERIFY(done.timeMs > 0);
}

void tst_UpstoxOrders::slicedChildrenMapToTheirIds()
{
    startStreamLive();
    PlaceOrderRequest sliced = order(OrderType::Market, 1755 * 2 + 65, "big-1");
    sliced.slice = true;
    sliced.sliceQuantities = {1755, 1755, 65};
    sliced.childClientOrderIds = {"big-1.1", "big-1.2", "big-1.3"};
    const GatewayReply reply = replyOf(m_gateway->place(sliced));
    QCOMPARE(reply.outcome, ReplyOutcome::Accepted);
    QCOMPARE(reply.brokerOrderIds.size(), 3u);

    // Updates that came before the reply carry the parent's tag; every other one its child's.
    for (std::size_t i = 0; i < 3; ++i) {
        const std::string &child = reply.brokerOrderIds[i];
        QTRY_VERIFY_WITH_TIMEOUT(m_log->sawUpdate(child, BrokerOrderState::Complete), 20000);
        for (const BrokerOrderUpdate &u : m_log->updates(child))
            QVERIFY2(u.clientOrderId == sliced.childClientOrderIds[i] || u.clientOrderId == "big-1",
                     u.clientOrderId.c_str());
        QCOMPARE(m_log->updates(child).back().quantity, sliced.sliceQuantities[i]);
    }
    const GatewaySnapshot book = snapshotOf(m_gateway->fetchBook());
    QVERIFY2(book.ok, book.message.c_str());
    for (std::size_t i = 0; i < 3; ++i) {
        const auto child = withTag(book.orders, sliced.childClientOrderIds[i]);
        QVERIFY(child);
        QCOMPARE(child->brokerOrderId, reply.brokerOrderIds[i]);
        QCOMPARE(child->filledQuantity, sliced.sliceQuantities[i]);
    }
    std::int64_t traded = 0;
    for (const BrokerTrade &t : book.trades) {
        QVERIFY(t.clientOrderId.rfind("big-1.", 0) == 0);
        traded += t.quantity;
    }
    QCOMPARE(traded, 3575);
}

void tst_UpstoxOrders::modifyPrice()
{
    startStreamLive();
    const std::string id = placeAccepted(order(OrderType::Limit, 65, "mod-1", Resting));
    QVERIFY(!id.empty());
    ModifyOrderRequest change;
    change.brokerOrderId = id;
    change.clientOrderId = "mod-1";
    change.type = OrderType::Limit;
    change.quantity = 65;
    change.price = Price::fromRaw(15000500); // 1500.05
    const GatewayReply reply = replyOf(m_gateway->modify(change));
    QCOMPARE(reply.outcome, ReplyOutcome::Accepted);
    QCOMPARE(reply.brokerOrderIds, std::vector<std::string>{id});
    QTRY_VERIFY_WITH_TIMEOUT(m_log->sawUpdate(id, BrokerOrderState::Modified), 20000);
    QTRY_COMPARE_WITH_TIMEOUT(m_log->updates(id).back().price, change.price, 20000);

    const GatewaySnapshot found = snapshotOf(m_gateway->findByTag("mod-1"));
    QVERIFY2(found.ok, found.message.c_str());
    QVERIFY(!found.wholeBook);
    QCOMPARE(found.orders.size(), 1u); // the latest state of the one order, not its history
    QCOMPARE(found.orders.front().state, BrokerOrderState::Open);
    QCOMPARE(found.orders.front().price, change.price);
}

void tst_UpstoxOrders::cancelAndCancelOfComplete()
{
    startStreamLive();
    const std::string resting = placeAccepted(order(OrderType::Limit, 65, "can-1", Resting));
    QVERIFY(!resting.empty());
    const GatewayReply cancelled = replyOf(m_gateway->cancel(resting));
    QCOMPARE(cancelled.outcome, ReplyOutcome::Accepted);
    QTRY_VERIFY_WITH_TIMEOUT(m_log->sawUpdate(resting, BrokerOrderState::Cancelled), 20000);

    const std::string filled = placeAccepted(order(OrderType::Market, 65, "can-2"));
    QVERIFY(!filled.empty());
    QTRY_VERIFY_WITH_TIMEOUT(m_log->sawUpdate(filled, BrokerOrderState::Complete), 20000);
    const GatewayReply late = replyOf(m_gateway->cancel(filled));
    QCOMPARE(late.outcome, ReplyOutcome::Refused);
    QCOMPARE(late.refusal, RefusalKind::NotModifiable);
    QCOMPARE(late.brokerCode, std::string("UDAPI100040"));
    QVERIFY(!late.message.empty());

    ModifyOrderRequest change;
    change.brokerOrderId = filled;
    change.type = OrderType::Limit;
    change.quantity = 65;
    change.price = Resting;
    const GatewayReply lateModify = replyOf(m_gateway->modify(change));
    QCOMPARE(lateModify.outcome, ReplyOutcome::Refused);
    QCOMPARE(lateModify.refusal, RefusalKind::NotModifiable);
    const GatewayReply unknown = replyOf(m_gateway->cancel("999999999999999"));
    QCOMPARE(unknown.refusal, RefusalKind::NotModifiable);
}

void tst_UpstoxOrders::droppedPlaceIsAmbiguousThenFoundByTag()
{
    QVERIFY(testing::simFault(m_sim.url(), QStringLiteral("drop-after-place")));
    const GatewayReply lost =
        replyOf(m_gateway->place(order(OrderType::Limit, 65, "amb-1", Resting)));
    QCOMPARE(lost.outcome, ReplyOutcome::Ambiguous);
    QVERIFY(lost.brokerOrderIds.empty());
    QVERIFY(!lost.message.empty());
    QVERIFY(testing::simFault(m_sim.url(), QStringLiteral("clear")));

    const GatewaySnapshot found = snapshotOf(m_gateway->findByTag("amb-1"));
    QVERIFY2(found.ok, found.message.c_str());
    QCOMPARE(found.orders.size(), 1u);
    QCOMPARE(found.orders.front().clientOrderId, std::string("amb-1"));
    QCOMPARE(found.orders.front().state, BrokerOrderState::Open);
    // Placed once, never again.
    const GatewaySnapshot book = snapshotOf(m_gateway->fetchBook());
    QVERIFY(book.ok);
    QCOMPARE(std::count_if(book.orders.begin(), book.orders.end(),
                           [](const BrokerOrderUpdate &o) { return o.clientOrderId == "amb-1"; }),
             1);
}

void tst_UpstoxOrders::unknownTagIsADefiniteNone()
{
    const GatewaySnapshot none = snapshotOf(m_gateway->findByTag("never-placed"));
    QVERIFY2(none.ok, none.message.c_str());
    QVERIFY(none.orders.empty());
}

void tst_UpstoxOrders::staticIpRequired()
{
    QVERIFY(testing::simFault(m_sim.url(), QStringLiteral("static-ip-reject")));
    const GatewayReply placed =
        replyOf(m_gateway->place(order(OrderType::Limit, 65, "ip-1", Resting)));
    QCOMPARE(placed.outcome, ReplyOutcome::Refused);
    QCOMPARE(placed.refusal, RefusalKind::StaticIpRequired);
    QCOMPARE(placed.brokerCode, std::string("UDAPI1154"));
    const GatewayReply cancelled = replyOf(m_gateway->cancel("260821000000001"));
    QCOMPARE(cancelled.refusal, RefusalKind::StaticIpRequired);
}

void tst_UpstoxOrders::rateLimitedIsNotRetried()
{
    QVERIFY(testing::simFault(m_sim.url(), QStringLiteral("http-429")));
    const GatewayReply placed =
        replyOf(m_gateway->place(order(OrderType::Limit, 65, "rl-1", Resting)));
    QCOMPARE(placed.outcome, ReplyOutcome::Refused);
    QCOMPARE(placed.refusal, RefusalKind::RateLimited);
    QCOMPARE(placed.brokerCode, std::string("UDAPI10005"));
    QVERIFY(testing::simFault(m_sim.url(), QStringLiteral("clear")));
    const GatewaySnapshot book = snapshotOf(m_gateway->fetchBook());
    QVERIFY2(book.ok, book.message.c_str());
    QVERIFY(!withTag(book.orders, "rl-1")); // refused, and not sent again behind our back
}

void tst_UpstoxOrders::fetchBookHasTrades()
{
    const std::string id = placeAccepted(order(OrderType::Market, 65, "bk-1"));
    QVERIFY(!id.empty());
    QVERIFY(!placeAccepted(order(OrderType::Limit, 65, "bk-2", Resting)).empty());
    GatewaySnapshot book;
    // The fill is the simulator's (at once for a MARKET order, or on its next second).
    QVERIFY(waitUntil([&] {
        book = snapshotOf(m_gateway->fetchBook());
        return book.ok && !book.trades.empty();
    }));
    QVERIFY(book.wholeBook);
    QCOMPARE(book.orders.size(), 2u);
    QCOMPARE(withTag(book.orders, "bk-1")->state, BrokerOrderState::Complete);
    QCOMPARE(withTag(book.orders, "bk-2")->state, BrokerOrderState::Open);
    QCOMPARE(book.trades.size(), 1u);
    const BrokerTrade &trade = book.trades.front();
    QCOMPARE(trade.brokerOrderId, id);
    QCOMPARE(trade.clientOrderId, std::string("bk-1"));
    QCOMPARE(trade.quantity, 65);
    QVERIFY(!trade.tradeId.empty());
    QVERIFY(trade.price.isPositive());
    QVERIFY(trade.timeMs > 0);
}

void tst_UpstoxOrders::fetchBookFailsOnServerErrors()
{
    QVERIFY(testing::simFault(m_sim.url(), QStringLiteral("http-5xx")));
    const GatewaySnapshot book = snapshotOf(m_gateway->fetchBook());
    QVERIFY(!book.ok);
    QVERIFY(book.wholeBook);
    QVERIFY(!book.message.empty());
    const GatewayReply placed =
        replyOf(m_gateway->place(order(OrderType::Limit, 65, "5xx", Resting)));
    QCOMPARE(placed.outcome, ReplyOutcome::Ambiguous);
}

void tst_UpstoxOrders::streamReconnectsAfterDrop()
{
    startStreamLive();
    QVERIFY(testing::simFault(m_sim.url(), QStringLiteral("drop-ws")));
    QTRY_VERIFY_WITH_TIMEOUT(m_log->count(StreamState::Reconnecting) >= 1, 20000);
    QTRY_VERIFY_WITH_TIMEOUT(m_log->count(StreamState::Live) == 2, 20000);
    QCOMPARE(m_gateway->stream().counters().connects, 2u);
    // Updates flow on the new connection.
    const std::string id = placeAccepted(order(OrderType::Limit, 65, "rc-1", Resting));
    QVERIFY(!id.empty());
    QTRY_VERIFY_WITH_TIMEOUT(m_log->sawUpdate(id, BrokerOrderState::Open), 20000);
    m_gateway->stopStream();
    QTRY_VERIFY_WITH_TIMEOUT(m_log->states().back() == StreamState::Stopped, 20000);
}

void tst_UpstoxOrders::streamStandsDownOnExpiredToken()
{
    startStreamLive();
    QVERIFY(testing::simFault(m_sim.url(), QStringLiteral("expire-token")));
    QTRY_VERIFY_WITH_TIMEOUT(m_log->count(StreamState::StandingDown) == 1, 20000);
    const auto authorizes = m_gateway->stream().counters().authorizes;
    // Standing down means no retry storm against a dead token.
    QTest::qWait(1500);
    QCOMPARE(m_gateway->stream().counters().authorizes, authorizes);
    QCOMPARE(m_log->states().back(), StreamState::StandingDown);
    const GatewayReply refused =
        replyOf(m_gateway->place(order(OrderType::Limit, 65, "ex-1", Resting)));
    QCOMPARE(refused.refusal, RefusalKind::SessionExpired);

    m_tokens.set(testing::simLogin(m_sim.url()));
    m_gateway->sessionRestored();
    QTRY_VERIFY_WITH_TIMEOUT(m_log->count(StreamState::Live) == 2, 20000);
}

void tst_UpstoxOrders::noEventAfterSinkReset()
{
    startStreamLive();
    const std::string id = placeAccepted(order(OrderType::Limit, 65, "sink-1", Resting));
    QVERIFY(!id.empty());
    m_gateway->setEventSink({});
    const std::size_t before = m_log->size();
    const GatewayRequestId cancel = m_gateway->cancel(id);
    // The cancel happens (the broker says so over REST), but nothing reaches the old sink.
    upstox::UpstoxClient &client = *m_client;
    QVERIFY(waitUntil([&] {
        auto answer =
            testing::waitFor<upstox::UpstoxResult<QJsonValue>>([&](QObject *context, auto done) {
                client.get(QStringLiteral("/v2/order/details"),
                           QUrlQuery{{QStringLiteral("order_id"), QString::fromStdString(id)}},
                           context, done);
            });
        return answer && answer->ok() &&
               answer->value().toObject().value(QLatin1String("status")).toString() ==
                   QLatin1String("cancelled");
    }));
    QTest::qWait(200); // let the stream's update for it arrive, if it were going to be sent
    QCOMPARE(m_log->size(), before);
    QVERIFY(!m_log->reply(cancel));
}

void tst_UpstoxOrders::positionsAndMargin()
{
    startStreamLive();
    const std::string id = placeAccepted(order(OrderType::Market, 130, "pos-1"));
    QVERIFY(!id.empty());
    QTRY_VERIFY_WITH_TIMEOUT(m_log->sawUpdate(id, BrokerOrderState::Complete), 20000);
    QTRY_VERIFY_WITH_TIMEOUT(!m_positions->empty(), 20000); // the stream's position update
    QCOMPARE(m_positions->back().instrumentKey, QString::fromStdString(Option));

    const auto positions =
        testing::waitFor<upstox::UpstoxResult<std::vector<upstox::UpstoxPosition>>>(
            [&](QObject *context, auto done) { upstox::fetchPositions(*m_client, context, done); });
    QVERIFY(positions && positions->ok());
    QCOMPARE(positions->value().size(), 1u);
    const upstox::UpstoxPosition &p = positions->value().front();
    QCOMPARE(p.instrumentKey, QString::fromStdString(Option));
    QCOMPARE(p.tradingSymbol, QStringLiteral("NIFTY 22200 CE 01 SEP 26"));
    QCOMPARE(p.exchange, QStringLiteral("NFO"));
    QCOMPARE(p.product, Product::Delivery);
    QCOMPARE(p.quantity, 130);
    QCOMPARE(p.buyQuantity, 130);
    QCOMPARE(p.sellQuantity, 0);
    QVERIFY(p.buyValue.isPositive());
    QVERIFY(p.averagePrice.isPositive());
    QVERIFY(p.lastPrice.isPositive());
    QCOMPARE(p.realised, Money());

    upstox::MarginLeg leg;
    leg.instrumentKey = Option;
    leg.quantity = 65;
    leg.side = Side::Sell;
    const auto margin = testing::waitFor<upstox::UpstoxResult<upstox::MarginRequirement>>(
        [&](QObject *context, auto done) {
            upstox::requiredMargin(*m_client, {leg}, context, done);
        });
    QVERIFY(margin && margin->ok());
    QCOMPARE(margin->value().legs.size(), 1u);
    QVERIFY(margin->value().legs.front().span.isPositive());
    QVERIFY(margin->value().legs.front().exposure.isPositive());
    QVERIFY(margin->value().required.isPositive());
    QCOMPARE(margin->value().final, margin->value().required); // the simulator: no hedge benefit

    const auto none = testing::waitFor<upstox::UpstoxResult<upstox::MarginRequirement>>(
        [&](QObject *context, auto done) { upstox::requiredMargin(*m_client, {}, context, done); });
    QVERIFY(none && !none->ok());
}

// What the composition root does: the gateway on a worker thread with an event loop, made
// there by moveToThread (the stream's socket is made on that thread when it starts), called
// from this one, deleted on its own thread when that thread finishes.
void tst_UpstoxOrders::gatewayOnAThreadOfItsOwn()
{
    m_gateway.reset();
    ThreadPtr thread = makeNamedThread(QStringLiteral("test-orders"));
    auto *gateway = new UpstoxOrderGateway(*m_client, fastOptions());
    gateway->moveToThread(thread.get());
    connect(thread.get(), &QThread::finished, gateway, &QObject::deleteLater);
    auto log = std::make_shared<EventLog>();
    std::atomic<bool> offThisThread{true};
    QThread *test = QThread::currentThread();
    gateway->setEventSink([log, test, &offThisThread](std::vector<GatewayEvent> batch) {
        if (QThread::currentThread() == test)
            offThisThread = false;
        log->add(std::move(batch));
    });
    thread->start();
    gateway->startStream();
    QTRY_VERIFY_WITH_TIMEOUT(log->count(StreamState::Live) == 1, 20000);
    const GatewayRequestId id = gateway->place(order(OrderType::Limit, 65, "thr-1", Resting));
    QTRY_VERIFY_WITH_TIMEOUT(log->reply(id).has_value(), 20000);
    QCOMPARE(log->reply(id)->outcome, ReplyOutcome::Accepted);
    const std::string brokerId = log->reply(id)->brokerOrderIds.front();
    QTRY_VERIFY_WITH_TIMEOUT(log->sawUpdate(brokerId, BrokerOrderState::Open), 20000);
    QVERIFY(offThisThread);
    gateway->setEventSink({});
    thread.reset(); // quits, joins; the gateway and its socket go with the thread
}

QTEST_GUILESS_MAIN(tst_UpstoxOrders)
#include "tst_upstoxorders.moc"
