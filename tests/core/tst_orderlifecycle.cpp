// The order service against a broker that misbehaves the ways real ones do: an answer lost
// after the order was placed, updates before the place's answer, twice and out of order, a fill
// racing a cancel, refusals that leave an order as it was, trades seen twice, a status nobody
// documented, an order placed in the broker's own app, a stream that reconnects. The broker is
// a scripted gateway: each test says what the broker answers and when, and checks what the
// service made of it, in RAM, in the journal (after a restart) and in the database.
//
// The real gateways are tested elsewhere: paper in tst_orderflow, Upstox against the simulator
// in tst_upstoxorders.

#include "OrderTestSupport.h"
#include "common/IstTime.h"
#include "orders/BrokerGateway.h"
#include "orders/OrderService.h"
#include "storage/Database.h"

#include <QTemporaryDir>
#include <QTest>

#include <deque>
#include <mutex>

using namespace strikeline;
using namespace strikeline::ordertest;
using namespace std::chrono_literals;

namespace {

// Records every request; answers only when the test says so (deliver), like a broker whose
// answers travel over a network.
class ScriptedGateway final : public BrokerGateway
{
public:
    struct Sent
    {
        enum Kind { Place, Modify, Cancel, FindByTag, FetchBook } kind;
        GatewayRequestId id;
        PlaceOrderRequest place;
        ModifyOrderRequest modify;
        std::string target; // cancel: the broker id; findByTag: the tag
    };

    Venue venue() const override { return Venue::Upstox; }
    GatewayRequestId place(const PlaceOrderRequest &r) override
    {
        return record({Sent::Place, 0, r, {}, {}});
    }
    GatewayRequestId modify(const ModifyOrderRequest &r) override
    {
        return record({Sent::Modify, 0, {}, r, {}});
    }
    GatewayRequestId cancel(const std::string &id) override
    {
        return record({Sent::Cancel, 0, {}, {}, id});
    }
    GatewayRequestId findByTag(const std::string &tag) override
    {
        return record({Sent::FindByTag, 0, {}, {}, tag});
    }
    GatewayRequestId fetchBook() override { return record({Sent::FetchBook, 0, {}, {}, {}}); }
    void setEventSink(EventSink sink) override
    {
        std::lock_guard lock(m_mutex);
        m_sink = std::move(sink);
    }

    void deliver(std::vector<GatewayEvent> events)
    {
        EventSink sink;
        {
            std::lock_guard lock(m_mutex);
            sink = m_sink;
        }
        QVERIFY(sink);
        sink(std::move(events));
    }
    std::vector<Sent> sent() const
    {
        std::lock_guard lock(m_mutex);
        return m_sent;
    }
    std::size_t count(Sent::Kind kind) const
    {
        std::size_t n = 0;
        for (const Sent &s : sent())
            n += s.kind == kind ? 1 : 0;
        return n;
    }
    std::optional<Sent> last(Sent::Kind kind) const
    {
        const std::vector<Sent> all = sent();
        for (auto it = all.rbegin(); it != all.rend(); ++it)
            if (it->kind == kind)
                return *it;
        return std::nullopt;
    }

private:
    GatewayRequestId record(Sent s)
    {
        std::lock_guard lock(m_mutex);
        s.id = ++m_next;
        m_sent.push_back(std::move(s));
        return m_next;
    }

    mutable std::mutex m_mutex;
    EventSink m_sink;
    GatewayRequestId m_next = 0;
    std::vector<Sent> m_sent;
};

using K = ScriptedGateway::Sent::Kind;

GatewayReply accepted(GatewayRequestId id, std::vector<std::string> ids = {})
{
    GatewayReply r;
    r.request = id;
    r.brokerOrderIds = std::move(ids);
    return r;
}

GatewayReply refused(GatewayRequestId id, std::string message)
{
    GatewayReply r;
    r.request = id;
    r.outcome = ReplyOutcome::Refused;
    r.refusal = RefusalKind::NotModifiable;
    r.message = std::move(message);
    return r;
}

BrokerOrderUpdate update(const std::string &brokerId, const std::string &tag,
                         BrokerOrderState state, std::int64_t quantity, std::int64_t filled = 0,
                         Price average = {}, Price price = Price::fromRupees(95))
{
    BrokerOrderUpdate u;
    u.brokerOrderId = brokerId;
    u.clientOrderId = tag;
    u.state = state;
    u.brokerStatus = std::string(brokerOrderStateName(state));
    u.instrumentKey = NiftyCall;
    u.type = OrderType::Limit;
    u.product = Product::Intraday;
    u.quantity = quantity;
    u.filledQuantity = filled;
    u.averagePrice = average;
    u.price = price;
    return u;
}

BrokerTrade trade(const std::string &tradeId, const std::string &brokerId, std::int64_t quantity,
                  Price price)
{
    BrokerTrade t;
    t.tradeId = tradeId;
    t.brokerOrderId = brokerId;
    t.quantity = quantity;
    t.price = price;
    return t;
}

OrderRequest liveLimit(std::string tag, std::int64_t quantity = 150)
{
    OrderRequest r = limitOrder(Side::Buy, quantity, Price::fromRupees(95));
    r.clientOrderId = std::move(tag);
    r.venue = Venue::Upstox;
    return r;
}

// Rejects a price off the 0.05 tick, like the real validator, so a modification is checked.
ValidateOrder tickValidator()
{
    const ValidateOrder base = acceptingValidator();
    return [base](const OrderRequest &r) {
        Verdict v = base(r);
        if (r.price.raw() % Price::fromPaise(5).raw() != 0) {
            v.slices.clear();
            v.issues.push_back({"price_off_tick", IssueSeverity::Error,
                                QStringLiteral("price is not a multiple of the tick 0.05")});
        }
        return v;
    };
}

struct Harness
{
    QTemporaryDir dir;
    SettableMarket market;
    FixedClock clock{tradingMoment()};
    ScriptedGateway gateway;
    std::unique_ptr<OrderService> service;
    std::chrono::milliseconds reconcileEvery{0}; // off: the cases count every book fetch

    DatabaseConfig db() const
    {
        DatabaseConfig c;
        c.backend = DatabaseBackend::Sqlite;
        c.path = dir.filePath(QStringLiteral("orders.db"));
        return c;
    }
    void open()
    {
        OrderServiceConfig config;
        config.journalDirectory = dir.filePath(QStringLiteral("journal"));
        config.database = db();
        config.tagLookupDelays = {20ms, 40ms, 60ms};
        config.rateLimitRetryDelay = 10ms;
        config.rateLimitRetries = 3;
        config.reconcileEvery = reconcileEvery;
        auto s = OrderService::open({testLookup(), tickValidator(), {&gateway}, clock}, config);
        QVERIFY2(s.ok(), qPrintable(s.ok() ? QString() : s.error().message));
        service = std::move(s.value());
    }
    void restart()
    {
        QVERIFY(service->waitPersisted(10s));
        service.reset();
        open();
    }
    // Submits and returns the client id once the place is on its way.
    std::string submit(OrderRequest r)
    {
        auto out = service->submit(std::move(r), 0ms);
        if (!out) {
            qWarning("%s", qPrintable(out.error().message));
            return {};
        }
        return out->clientOrderId;
    }
    OrderState state(const std::string &id) const { return service->order(id).value(); }
    // Delivers and waits until the order thread has applied it.
    void deliver(std::vector<GatewayEvent> events)
    {
        gateway.deliver(std::move(events));
        service->drain();
    }
    qlonglong rows(const QString &sql) const
    {
        auto d = Database::open(db(), QStringLiteral("check"));
        if (!d)
            return -1;
        auto v = d.value()->scalar(sql);
        return v ? v->toLongLong() : -1;
    }
};

} // namespace

class tst_OrderLifecycle : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void placeIsJournaledThenSentOnce();
    void lostAnswerIsResolvedByTagNeverResent();
    void lostAnswerNotFoundEndsLostAndCanTurnUp();
    void failedLookupsNeverMakeAnOrderLost();
    void rateLimitedPlaceIsSentAgainOnlyWhenItsTagIsNotFound();
    void updateBeforeThePlaceAnswer();
    void duplicateAndReorderedUpdates();
    void fillRacesACancel();
    void refusedCancelAndModifyLeaveTheOrderWorking();
    void modifyIsValidatedJournaledAndConfirmed();
    void tradesCountOnceByTradeId();
    void unknownStatusIsKeptShownAndQueried();
    void externalOrderIsShown();
    void reconnectReconcilesBeforeNewUpdates();
    void quietStreamIsCaughtByThePeriodicBook();
    void restartLooksUpWhatWasNeverAnswered();
    void illegalPairsAreReportedNotApplied();
};

void tst_OrderLifecycle::placeIsJournaledThenSentOnce()
{
    Harness h;
    h.open();
    const std::string id = h.submit(liveLimit("T1"));
    QCOMPARE(id, std::string("T1"));
    QCOMPARE(h.state(id).status, OrderStatus::Sent);
    QCOMPARE(h.state(id).venue, Venue::Upstox);
    // On disk before it reached the gateway: the journal has it.
    QVERIFY(h.service->journal().durableSequence() >= h.state(id).lastSequence);
    QCOMPARE(h.gateway.count(K::Place), 1u);
    QCOMPARE(h.gateway.last(K::Place)->place.order.clientOrderId, std::string("T1"));
    // The same tag again places nothing, whatever its state.
    auto again = h.service->submit(liveLimit("T1"), 0ms);
    QVERIFY(again.ok());
    QVERIFY(again->duplicate);
    QCOMPARE(h.gateway.count(K::Place), 1u);
    h.deliver({accepted(h.gateway.last(K::Place)->id, {"B1"})});
    QCOMPARE(h.state(id).status, OrderStatus::Acknowledged);
    QCOMPARE(h.state(id).brokerOrderIds, std::vector<std::string>{"B1"});
}

void tst_OrderLifecycle::lostAnswerIsResolvedByTagNeverResent()
{
    Harness h;
    h.open();
    const std::string id = h.submit(liveLimit("AMB1"));
    GatewayReply lost;
    lost.request = h.gateway.last(K::Place)->id;
    lost.outcome = ReplyOutcome::Ambiguous;
    lost.message = "the connection closed before the answer";
    h.deliver({lost});
    // A visible state: still sent, with the reason, and a lookup by tag on its way.
    QCOMPARE(h.state(id).status, OrderStatus::Sent);
    QVERIFY(QString::fromStdString(h.state(id).reason)
                .contains(QLatin1String("looking it up by its tag")));
    QTRY_COMPARE(h.gateway.count(K::FindByTag), 1u);
    QCOMPARE(h.gateway.last(K::FindByTag)->target, std::string("AMB1"));
    // The broker has it, open, under its tag.
    GatewaySnapshot found;
    found.request = h.gateway.last(K::FindByTag)->id;
    found.ok = true;
    found.orders = {update("B7", "AMB1", BrokerOrderState::Open, 150)};
    h.deliver({found});
    QCOMPARE(h.state(id).status, OrderStatus::Acknowledged);
    QCOMPARE(h.state(id).brokerOrderIds, std::vector<std::string>{"B7"});
    QCOMPARE(h.gateway.count(K::Place), 1u); // never sent twice
    // Its updates from now on find it by the broker id.
    h.deliver({update("B7", "AMB1", BrokerOrderState::Complete, 150, 150, Price::fromRupees(95))});
    QCOMPARE(h.state(id).status, OrderStatus::Filled);
    QCOMPARE(h.service->positions(nullptr, Venue::Upstox).at(0).netQuantity, 150);
    QVERIFY(h.service->positions(nullptr, Venue::Paper).empty()); // paper and live never mix
}

void tst_OrderLifecycle::lostAnswerNotFoundEndsLostAndCanTurnUp()
{
    Harness h;
    h.open();
    const std::string id = h.submit(liveLimit("AMB2"));
    GatewayReply lost;
    lost.request = h.gateway.last(K::Place)->id;
    lost.outcome = ReplyOutcome::Ambiguous;
    lost.message = "timed out";
    h.deliver({lost});
    // Three lookups find nothing: lost, with a message that says what to do.
    for (std::size_t n = 1; n <= 3; ++n) {
        QTRY_COMPARE(h.gateway.count(K::FindByTag), n);
        GatewaySnapshot none;
        none.request = h.gateway.last(K::FindByTag)->id;
        none.ok = true;
        h.deliver({none});
    }
    QTRY_COMPARE(h.state(id).status, OrderStatus::Lost);
    QVERIFY(QString::fromStdString(h.state(id).reason).contains(QLatin1String("not sent again")));
    QCOMPARE(h.gateway.count(K::Place), 1u);
    QCOMPARE(h.service->stats().ordersLost, 1u);
    // The broker reports it after all (a slow exchange): it is looked up and comes back.
    h.deliver({update("B9", "AMB2", BrokerOrderState::Open, 150)});
    QTRY_COMPARE(h.gateway.count(K::FindByTag), 4u);
    GatewaySnapshot found;
    found.request = h.gateway.last(K::FindByTag)->id;
    found.ok = true;
    found.orders = {update("B9", "AMB2", BrokerOrderState::Open, 150)};
    h.deliver({found});
    QCOMPARE(h.state(id).status, OrderStatus::Acknowledged);
    h.restart();
    QCOMPARE(h.state(id).status, OrderStatus::Acknowledged); // the journal has every step
    QCOMPARE(h.rows(QStringLiteral("SELECT count(*) FROM order_events WHERE kind = 'lost'")), 1);
}

// A lookup that itself fails (the network is down, the token was refused) says nothing about
// the order: it is tried again and the order stays Sent, however often that happens.
void tst_OrderLifecycle::failedLookupsNeverMakeAnOrderLost()
{
    Harness h;
    h.open();
    const std::string id = h.submit(liveLimit("AMB3"));
    GatewayReply lost;
    lost.request = h.gateway.last(K::Place)->id;
    lost.outcome = ReplyOutcome::Ambiguous;
    lost.message = "timed out";
    h.deliver({lost});
    for (std::size_t n = 1; n <= 5; ++n) {
        QTRY_COMPARE(h.gateway.count(K::FindByTag), n);
        GatewaySnapshot failed;
        failed.request = h.gateway.last(K::FindByTag)->id;
        failed.ok = false;
        failed.message = "Upstox refused the session token (401): log in again";
        h.deliver({failed});
    }
    QTRY_COMPARE(h.gateway.count(K::FindByTag), 6u); // still asking
    QCOMPARE(h.state(id).status, OrderStatus::Sent);
    QCOMPARE(h.service->stats().ordersLost, 0u);
    QCOMPARE(h.gateway.count(K::Place), 1u);
    // Once a lookup answers, the order is what the broker says.
    GatewaySnapshot found;
    found.request = h.gateway.last(K::FindByTag)->id;
    found.ok = true;
    found.orders = {update("B11", "AMB3", BrokerOrderState::Open, 150)};
    h.deliver({found});
    QCOMPARE(h.state(id).status, OrderStatus::Acknowledged);
}

// A 429 means the broker did not take the order: it is sent again after a pause -- but only once
// a lookup of its tag has found nothing (a 429 that was in fact taken is found, not doubled), and
// at most rateLimitRetries times, after which it is rejected saying why.
void tst_OrderLifecycle::rateLimitedPlaceIsSentAgainOnlyWhenItsTagIsNotFound()
{
    Harness h;
    h.open();
    const auto rateLimited = [](GatewayRequestId id) {
        GatewayReply r;
        r.request = id;
        r.outcome = ReplyOutcome::Refused;
        r.refusal = RefusalKind::RateLimited;
        r.message = "Upstox is rate limiting: too many requests";
        return r;
    };
    const auto nothingTagged = [&h] {
        GatewaySnapshot none;
        none.request = h.gateway.last(K::FindByTag)->id;
        none.ok = true;
        return none;
    };
    // Refused, looked up (nothing), sent again, and taken.
    const std::string id = h.submit(liveLimit("RL1"));
    h.deliver({rateLimited(h.gateway.last(K::Place)->id)});
    QCOMPARE(h.state(id).status, OrderStatus::Sent);
    QVERIFY(QString::fromStdString(h.state(id).reason).contains(QLatin1String("rate limiting")));
    QTRY_COMPARE(h.gateway.count(K::FindByTag), 1u);
    QCOMPARE(h.gateway.count(K::Place), 1u); // nothing sent before the lookup answered
    h.deliver({nothingTagged()});
    QTRY_COMPARE(h.gateway.count(K::Place), 2u);
    h.deliver({accepted(h.gateway.last(K::Place)->id, {"B21"})});
    QCOMPARE(h.state(id).status, OrderStatus::Acknowledged);

    // Refused as rate limited but in fact taken: the lookup finds it; not sent again.
    const std::string taken = h.submit(liveLimit("RL2"));
    const std::size_t placesBefore = h.gateway.count(K::Place);
    h.deliver({rateLimited(h.gateway.last(K::Place)->id)});
    QTRY_COMPARE(h.gateway.count(K::FindByTag), 2u);
    GatewaySnapshot found;
    found.request = h.gateway.last(K::FindByTag)->id;
    found.ok = true;
    found.orders = {update("B22", "RL2", BrokerOrderState::Open, 150)};
    h.deliver({found});
    QCOMPARE(h.state(taken).status, OrderStatus::Acknowledged);
    QTest::qWait(50);
    QCOMPARE(h.gateway.count(K::Place), placesBefore);

    // Rate limited every time: after the retries, rejected with the reason; never more sends.
    const std::string refused = h.submit(liveLimit("RL3"));
    for (int send = 1; send <= 4; ++send) {
        QTRY_COMPARE(h.gateway.last(K::Place)->place.order.clientOrderId, std::string("RL3"));
        const std::size_t lookups = h.gateway.count(K::FindByTag);
        h.deliver({rateLimited(h.gateway.last(K::Place)->id)});
        if (send == 4)
            break;
        QTRY_COMPARE(h.gateway.count(K::FindByTag), lookups + 1);
        const std::size_t places = h.gateway.count(K::Place);
        h.deliver({nothingTagged()});
        QTRY_COMPARE(h.gateway.count(K::Place), places + 1);
    }
    QTRY_COMPARE(h.state(refused).status, OrderStatus::Rejected);
    QVERIFY(QString::fromStdString(h.state(refused).reason).contains(QLatin1String("rate")));
    QCOMPARE(h.service->stats().rateLimitedPlaces, 1u + 1u + 3u);
}

void tst_OrderLifecycle::updateBeforeThePlaceAnswer()
{
    Harness h;
    h.open();
    const std::string id = h.submit(liveLimit("EARLY"));
    // The stream is faster than the REST answer: the fill arrives first.
    h.deliver(
        {update("B2", "EARLY", BrokerOrderState::Complete, 150, 150, Price::fromRupees(94.5))});
    QCOMPARE(h.state(id).status, OrderStatus::Sent); // held until the answer gives the id
    h.deliver({accepted(h.gateway.last(K::Place)->id, {"B2"})});
    const OrderState s = h.state(id);
    QCOMPARE(s.status, OrderStatus::Filled);
    QCOMPARE(s.filledQuantity, 150);
    QCOMPARE(s.averagePrice, Price::fromRupees(94.5));
    QCOMPARE(h.service->positions(nullptr, Venue::Upstox).at(0).netQuantity, 150);
}

void tst_OrderLifecycle::duplicateAndReorderedUpdates()
{
    Harness h;
    h.open();
    const std::string id = h.submit(liveLimit("DUP", 300));
    h.deliver({accepted(h.gateway.last(K::Place)->id, {"B3"})});
    const auto partial =
        update("B3", "DUP", BrokerOrderState::Open, 300, 150, Price::fromRupees(95));
    const auto complete =
        update("B3", "DUP", BrokerOrderState::Complete, 300, 300, Price::fromRupees(94));
    // Reordered: complete first, then the partial and the open before it; then all twice.
    h.deliver({complete, partial, update("B3", "DUP", BrokerOrderState::Open, 300)});
    h.deliver({complete, partial});
    const OrderState s = h.state(id);
    QCOMPARE(s.status, OrderStatus::Filled);
    QCOMPARE(s.filledQuantity, 300);
    QCOMPARE(s.averagePrice, Price::fromRupees(94));
    QCOMPARE(h.service->positions(nullptr, Venue::Upstox).at(0).netQuantity, 300);
    QVERIFY(h.service->stats().updatesIgnored > 0);
    h.restart();
    QCOMPARE(h.state(id).filledQuantity, 300);
    QCOMPARE(h.service->positions(nullptr, Venue::Upstox).at(0).netQuantity, 300);
    QCOMPARE(h.rows(QStringLiteral("SELECT filled_quantity FROM orders WHERE client_order_id = "
                                   "'DUP'")),
             300);
}

void tst_OrderLifecycle::fillRacesACancel()
{
    Harness h;
    h.open();
    const std::string id = h.submit(liveLimit("RACE", 300));
    h.deliver({accepted(h.gateway.last(K::Place)->id, {"B4"})});
    QVERIFY(h.service->cancel(id, 0ms).ok());
    QCOMPARE(h.state(id).status, OrderStatus::PendingCancel);
    QCOMPARE(h.gateway.last(K::Cancel)->target, std::string("B4"));
    // Part of it trades while the cancel travels: still pending, the fill counts.
    h.deliver(
        {update("B4", "RACE", BrokerOrderState::CancelPending, 300, 75, Price::fromRupees(95))});
    QCOMPARE(h.state(id).status, OrderStatus::PendingCancel);
    QCOMPARE(h.state(id).filledQuantity, 75);
    h.deliver({accepted(h.gateway.last(K::Cancel)->id),
               update("B4", "RACE", BrokerOrderState::Cancelled, 300, 75, Price::fromRupees(95))});
    QCOMPARE(h.state(id).status, OrderStatus::Cancelled);
    // A trade the exchange made before the cancel landed, reported after it.
    h.deliver({trade("X1", "B4", 75, Price::fromRupees(95)),
               trade("X2", "B4", 75, Price::fromRupees(94))});
    const OrderState s = h.state(id);
    QCOMPARE(s.status, OrderStatus::Cancelled);
    QCOMPARE(s.filledQuantity, 150);
    QCOMPARE(h.service->positions(nullptr, Venue::Upstox).at(0).netQuantity, 150);
    // Nothing left to cancel.
    QCOMPARE(h.service->cancel(id, 0ms).error().code, ErrorCode::Conflict);
}

void tst_OrderLifecycle::refusedCancelAndModifyLeaveTheOrderWorking()
{
    Harness h;
    h.open();
    const std::string id = h.submit(liveLimit("REF", 300));
    h.deliver({accepted(h.gateway.last(K::Place)->id, {"B5"}),
               update("B5", "REF", BrokerOrderState::Open, 300, 75, Price::fromRupees(95))});
    QCOMPARE(h.state(id).status, OrderStatus::PartiallyFilled);
    QVERIFY(h.service->cancel(id, 0ms).ok());
    h.deliver({refused(h.gateway.last(K::Cancel)->id, "order is being modified")});
    QCOMPARE(h.state(id).status, OrderStatus::PartiallyFilled); // back where it worked
    QCOMPARE(h.state(id).reason, std::string("order is being modified"));
    OrderModification change;
    change.price = Price::fromRupees(96);
    QVERIFY(h.service->modify(id, change, 0ms).ok());
    QCOMPARE(h.state(id).status, OrderStatus::PendingModify);
    // Upstox's "not modified" on the stream: as it was.
    auto notModified =
        update("B5", "REF", BrokerOrderState::ModifyRefused, 300, 75, Price::fromRupees(95));
    notModified.message = "exchange refused the modification";
    h.deliver({notModified});
    QCOMPARE(h.state(id).status, OrderStatus::PartiallyFilled);
    QCOMPARE(h.state(id).request.price, Price::fromRupees(95));
    QVERIFY(!h.state(id).pendingModification);
}

void tst_OrderLifecycle::modifyIsValidatedJournaledAndConfirmed()
{
    Harness h;
    h.open();
    const std::string id = h.submit(liveLimit("MOD"));
    h.deliver({accepted(h.gateway.last(K::Place)->id, {"B6"})});
    // Off the tick: refused locally, nothing sent, the order untouched.
    OrderModification bad;
    bad.price = Price::fromPaise(9603);
    auto refusedHere = h.service->modify(id, bad, 0ms);
    QVERIFY(refusedHere.ok());
    QCOMPARE(refusedHere->status, OrderStatus::Rejected);
    QCOMPARE(refusedHere->issues.at(0).code, std::string_view("price_off_tick"));
    QCOMPARE(h.gateway.count(K::Modify), 0u);
    QCOMPARE(h.state(id).status, OrderStatus::Acknowledged);
    // A good one: pending until the broker confirms it, then the new terms.
    OrderModification change;
    change.price = Price::fromRupees(96);
    change.quantity = 225;
    QVERIFY(h.service->modify(id, change, 0ms).ok());
    const auto sent = h.gateway.last(K::Modify);
    QVERIFY(sent);
    QCOMPARE(sent->modify.brokerOrderId, std::string("B6"));
    QCOMPARE(sent->modify.price, Price::fromRupees(96));
    QCOMPARE(sent->modify.quantity, 225);
    QCOMPARE(h.state(id).request.price, Price::fromRupees(95)); // works as it was meanwhile
    // Two modifies at once are refused: one is on its way.
    QCOMPARE(h.service->modify(id, change, 0ms).error().code, ErrorCode::Conflict);
    h.deliver({accepted(sent->id, {"B6"})});
    QCOMPARE(h.state(id).status, OrderStatus::Acknowledged);
    QCOMPARE(h.state(id).request.price, Price::fromRupees(96));
    QCOMPARE(h.state(id).request.quantity, 225);
    h.restart();
    QCOMPARE(h.state(id).request.price, Price::fromRupees(96));
    QCOMPARE(h.rows(QStringLiteral("SELECT price_raw FROM orders WHERE client_order_id = 'MOD'")),
             Price::fromRupees(96).raw());
    QCOMPARE(h.rows(QStringLiteral("SELECT quantity FROM orders WHERE client_order_id = 'MOD'")),
             225);
}

void tst_OrderLifecycle::tradesCountOnceByTradeId()
{
    Harness h;
    h.open();
    const std::string id = h.submit(liveLimit("TRD", 300));
    h.deliver({accepted(h.gateway.last(K::Place)->id, {"B8"})});
    h.deliver({trade("T-1", "B8", 75, Price::fromRupees(95)),
               trade("T-1", "B8", 75, Price::fromRupees(95))});
    QCOMPARE(h.state(id).filledQuantity, 75);
    // The order's cumulative figures after the same trade add nothing.
    h.deliver({update("B8", "TRD", BrokerOrderState::Open, 300, 75, Price::fromRupees(95))});
    QCOMPARE(h.state(id).filledQuantity, 75);
    // A cumulative update first, then its trade: still once.
    h.deliver({update("B8", "TRD", BrokerOrderState::Open, 300, 150, Price::fromRupees(94.5))});
    h.deliver({trade("T-2", "B8", 75, Price::fromRupees(94))});
    QCOMPARE(h.state(id).filledQuantity, 150);
    h.restart();
    // After a restart (the journal remembers the trade ids) a reconciliation replays them all.
    h.deliver({trade("T-1", "B8", 75, Price::fromRupees(95)),
               trade("T-2", "B8", 75, Price::fromRupees(94))});
    QCOMPARE(h.state(id).filledQuantity, 150);
    QCOMPARE(h.state(id).status, OrderStatus::PartiallyFilled);
    QCOMPARE(h.service->positions(nullptr, Venue::Upstox).at(0).netQuantity, 150);
    QVERIFY(h.service->stats().tradesDuplicate >= 2);
}

void tst_OrderLifecycle::unknownStatusIsKeptShownAndQueried()
{
    Harness h;
    h.open();
    const std::string id = h.submit(liveLimit("UNK"));
    h.deliver({accepted(h.gateway.last(K::Place)->id, {"B10"})});
    auto odd = update("B10", "UNK", BrokerOrderState::Unknown, 150);
    odd.brokerStatus = "pending for exchange risk review";
    h.deliver({odd});
    const OrderState s = h.state(id);
    QCOMPARE(s.status, OrderStatus::Acknowledged); // kept where it was
    QCOMPARE(s.brokerStatus, odd.brokerStatus);    // shown
    QCOMPARE(h.gateway.count(K::FindByTag), 1u);   // queried
    h.restart();
    QCOMPARE(h.state(id).brokerStatus, odd.brokerStatus);
}

void tst_OrderLifecycle::externalOrderIsShown()
{
    Harness h;
    h.open();
    // Placed in the Upstox app: no tag of ours.
    auto theirs = update("B11", "", BrokerOrderState::Open, 75, 0, {}, Price::fromRupees(90));
    h.deliver({theirs});
    const std::vector<OrderState> all = h.service->orders();
    QCOMPARE(all.size(), 1u);
    QVERIFY(all[0].external);
    QCOMPARE(all[0].venue, Venue::Upstox);
    QCOMPARE(all[0].status, OrderStatus::Acknowledged);
    QCOMPARE(all[0].request.price, Price::fromRupees(90));
    h.deliver({update("B11", "", BrokerOrderState::Complete, 75, 75, Price::fromRupees(90))});
    QCOMPARE(h.service->orders().at(0).status, OrderStatus::Filled);
    QCOMPARE(h.service->positions(nullptr, Venue::Upstox).at(0).netQuantity, 75);
    h.restart();
    QCOMPARE(h.service->orders().size(), 1u); // the same row, not a second external order
    h.deliver({theirs});
    QCOMPARE(h.service->orders().size(), 1u);
    QCOMPARE(h.rows(QStringLiteral("SELECT count(*) FROM orders WHERE external")), 1);
}

void tst_OrderLifecycle::reconnectReconcilesBeforeNewUpdates()
{
    Harness h;
    h.open();
    const std::string id = h.submit(liveLimit("REC", 300));
    h.deliver({accepted(h.gateway.last(K::Place)->id, {"B12"})});
    // The stream comes back: the book is fetched; updates that arrive first wait for it.
    GatewayStatus live;
    live.state = StreamState::Live;
    h.deliver({live});
    QCOMPARE(h.gateway.count(K::FetchBook), 1u);
    QCOMPARE(h.service->streamStatus(Venue::Upstox)->state, StreamState::Live);
    h.deliver({update("B12", "REC", BrokerOrderState::Complete, 300, 300, Price::fromRupees(95))});
    QCOMPARE(h.state(id).filledQuantity, 0); // held
    // The book: half of it traded while the stream was down.
    GatewaySnapshot book;
    book.request = h.gateway.last(K::FetchBook)->id;
    book.ok = true;
    book.wholeBook = true;
    book.orders = {update("B12", "REC", BrokerOrderState::Open, 300, 150, Price::fromRupees(95))};
    book.trades = {trade("R1", "B12", 150, Price::fromRupees(95))};
    h.deliver({book});
    const OrderState s = h.state(id);
    QCOMPARE(s.status, OrderStatus::Filled); // the book, then the held update
    QCOMPARE(s.filledQuantity, 300);
    QCOMPARE(h.service->stats().reconciliations, 1u);
}

// A stream that stays connected but says nothing (a mute server answers pings): while live orders
// work, the book is fetched every reconcileEvery, so a fill it never sent is still seen; a poll
// that fails lets held updates through and waits for the next; no poll without working orders.
void tst_OrderLifecycle::quietStreamIsCaughtByThePeriodicBook()
{
    Harness h;
    h.reconcileEvery = 30ms;
    h.open();
    QTest::qWait(100);
    QCOMPARE(h.gateway.count(K::FetchBook), 0u); // nothing working: nothing asked
    const std::string id = h.submit(liveLimit("MUTE", 300));
    h.deliver({accepted(h.gateway.last(K::Place)->id, {"B30"})});
    QTRY_COMPARE(h.gateway.count(K::FetchBook), 1u);
    // This poll fails: an update that came meanwhile is not held for ever.
    h.deliver({update("B30", "MUTE", BrokerOrderState::Open, 300, 100, Price::fromRupees(95))});
    GatewaySnapshot failed;
    failed.request = h.gateway.last(K::FetchBook)->id;
    failed.ok = false;
    failed.message = "Upstox could not be reached";
    h.deliver({failed});
    QCOMPARE(h.state(id).filledQuantity, 100);
    // The next poll's book has the rest traded: seen without the stream saying a word.
    QTRY_COMPARE(h.gateway.count(K::FetchBook), 2u);
    GatewaySnapshot book;
    book.request = h.gateway.last(K::FetchBook)->id;
    book.ok = true;
    book.wholeBook = true;
    book.orders = {
        update("B30", "MUTE", BrokerOrderState::Complete, 300, 300, Price::fromRupees(95))};
    book.trades = {trade("M1", "B30", 100, Price::fromRupees(95)),
                   trade("M2", "B30", 200, Price::fromRupees(95))};
    h.deliver({book});
    QCOMPARE(h.state(id).status, OrderStatus::Filled);
    QCOMPARE(h.state(id).filledQuantity, 300);
    const std::size_t fetched = h.gateway.count(K::FetchBook);
    QTest::qWait(150);
    QCOMPARE(h.gateway.count(K::FetchBook), fetched); // nothing working any more
}

void tst_OrderLifecycle::restartLooksUpWhatWasNeverAnswered()
{
    Harness h;
    h.open();
    const std::string id = h.submit(liveLimit("CRASH"));
    QCOMPARE(h.state(id).status, OrderStatus::Sent);
    h.restart(); // the answer never came (a kill -9, a dropped connection)
    QCOMPARE(h.state(id).status, OrderStatus::Sent);
    QTRY_VERIFY(h.gateway.count(K::FindByTag) >= 1u);
    QCOMPARE(h.gateway.last(K::FindByTag)->target, std::string("CRASH"));
    QCOMPARE(h.gateway.count(K::Place), 1u); // the first process's only
    GatewaySnapshot found;
    found.request = h.gateway.last(K::FindByTag)->id;
    found.ok = true;
    found.orders = {update("B13", "CRASH", BrokerOrderState::Open, 150)};
    h.deliver({found});
    QCOMPARE(h.state(id).status, OrderStatus::Acknowledged);
}

void tst_OrderLifecycle::illegalPairsAreReportedNotApplied()
{
    Harness h;
    h.open();
    const std::string id = h.submit(liveLimit("ILL"));
    h.deliver({accepted(h.gateway.last(K::Place)->id, {"B14"}),
               update("B14", "ILL", BrokerOrderState::Complete, 150, 150, Price::fromRupees(95))});
    const std::uint64_t ignored = h.service->stats().updatesIgnored;
    // A rejection after the fill, a cancel of a filled order: counted, logged, not applied.
    h.deliver({update("B14", "ILL", BrokerOrderState::Rejected, 150, 150, Price::fromRupees(95)),
               update("B14", "ILL", BrokerOrderState::Cancelled, 150, 150, Price::fromRupees(95))});
    QCOMPARE(h.state(id).status, OrderStatus::Filled);
    QVERIFY(h.service->stats().updatesIgnored >= ignored + 2);
    QCOMPARE(h.service->modify(id, {}, 0ms).error().code, ErrorCode::Conflict);
}

QTEST_GUILESS_MAIN(tst_OrderLifecycle)
#include "tst_orderlifecycle.moc"
