// The paper broker, the order service end to end (journal -> broker -> database) and
// persistence while the database is away (SQLite locked, PostgreSQL refusing connections).

#include "OrderTestSupport.h"
#include "TestPostgres.h"
#include "orders/OrderStore.h"
#include "orders/PaperBroker.h"
#include "storage/Database.h"

#include <QScopeGuard>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <mutex>

using namespace strikeline;
using namespace strikeline::ordertest;
using namespace std::chrono_literals;

namespace {

DatabaseConfig sqliteAt(const QString &path)
{
    DatabaseConfig c;
    c.backend = DatabaseBackend::Sqlite;
    c.path = path;
    return c;
}

// Counts rows with a connection of its own (the persister's is on its thread).
qlonglong countRows(const DatabaseConfig &config, const QString &sql)
{
    auto db = Database::open(config, QStringLiteral("test-check"));
    if (!db)
        return -1;
    auto v = db.value()->scalar(sql);
    return v ? v->toLongLong() : -1;
}

struct Recorder
{
    std::mutex mutex;
    std::vector<OrderEvent> durable;
    std::vector<PersistenceState> states;

    OrderServiceCallbacks callbacks()
    {
        return {[this](const std::vector<OrderEvent> &events) {
                    std::lock_guard lock(mutex);
                    durable.insert(durable.end(), events.begin(), events.end());
                },
                [this](const PersistenceState &s) {
                    std::lock_guard lock(mutex);
                    states.push_back(s);
                }};
    }
    bool sawDelayed()
    {
        std::lock_guard lock(mutex);
        for (const PersistenceState &s : states)
            if (s.kind == PersistenceState::Kind::Delayed && s.backlog > 0 &&
                !s.lastError.isEmpty())
                return true;
        return false;
    }
    bool healthyAtEnd()
    {
        std::lock_guard lock(mutex);
        return !states.empty() && states.back().kind == PersistenceState::Kind::Healthy;
    }
};

// A scratch folder with an order journal and an SQLite database in it.
struct Scratch
{
    QTemporaryDir dir;
    QString journal = dir.filePath(QStringLiteral("journal"));
    DatabaseConfig db = sqliteAt(dir.filePath(QStringLiteral("orders.db")));
};

struct Harness
{
    SettableMarket market;
    FixedClock clock{tradingMoment()};
    PaperBroker broker{market, clock};
    Recorder recorder;
    std::unique_ptr<OrderService> service;

    Result<void> open(const QString &journalDir, const DatabaseConfig &db, std::int64_t freeze = 0)
    {
        OrderServiceConfig config;
        config.journalDirectory = journalDir;
        config.database = db;
        config.persister.firstRetry = 20ms;
        config.persister.maxRetry = 200ms;
        auto s = OrderService::open({testLookup(), acceptingValidator(freeze), broker, clock},
                                    config, recorder.callbacks());
        if (!s)
            return s.error();
        service = std::move(s.value());
        return success();
    }
    // The NIFTY call priced at `call`, the service over `scratch`.
    Result<void> openOn(const Scratch &scratch, Price call, std::int64_t freeze = 0)
    {
        market.set(NiftyCall, call);
        return open(scratch.journal, scratch.db, freeze);
    }
};

} // namespace

class tst_OrderFlow : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void openFailsCleanlyOnABusyJournal();
    void paperMarketFillsAtLast();
    void paperMarketWithoutPriceIsRejected();
    void paperLimitFillsWhenPriceCrosses();
    void paperStopTriggers();
    void paperIocNotMarketableIsCancelled();
    void paperIsIdempotentOnClientId();
    void paperPositionsAndPnl();
    void paperSlices();

    void serviceMarketOrderEndToEnd();
    void serviceRefusalsWriteNothing();
    void serviceDuplicateClientIdPlacesOnce();
    void serviceSlicedOrder();
    void serviceLimitThenCancel();
    void serviceRecoversBookFromJournal();
    void sqliteLockedThenReleased();
    void postgresAwayThenBack();
};

void tst_OrderFlow::paperMarketFillsAtLast()
{
    SettableMarket market;
    FixedClock clock(tradingMoment());
    PaperBroker broker(market, clock);
    std::vector<BrokerEvent> events;
    broker.setEventHandler([&](const BrokerEvent &e) { events.push_back(e); });
    market.set(NiftyCall, Price::fromRupees(120));
    OrderRequest r = marketBuy(75);
    r.clientOrderId = "m1";
    auto ack = broker.placeOrder({r, false, {}, {}});
    QVERIFY(ack.ok());
    QCOMPARE(ack->brokerOrderIds.size(), 1u);
    QCOMPARE(events.size(), 1u);
    QCOMPARE(events[0].kind, BrokerEventKind::Fill);
    QCOMPARE(events[0].quantity, 75);
    QCOMPARE(events[0].price, Price::fromRupees(120));
    QCOMPARE(events[0].upstoxStatus, std::string("complete"));
    QCOMPARE(broker.order(ack->brokerOrderIds[0])->upstoxStatus, std::string("complete"));
}

void tst_OrderFlow::paperMarketWithoutPriceIsRejected()
{
    SettableMarket market;
    FixedClock clock(tradingMoment());
    PaperBroker broker(market, clock);
    std::vector<BrokerEvent> events;
    broker.setEventHandler([&](const BrokerEvent &e) { events.push_back(e); });
    OrderRequest r = marketBuy(75, NoPriceKey);
    r.clientOrderId = "m2";
    auto ack = broker.placeOrder({r, false, {}, {}});
    QVERIFY(ack.ok()); // acknowledged, then rejected like an RMS rejection
    QCOMPARE(events.size(), 1u);
    QCOMPARE(events[0].kind, BrokerEventKind::Rejected);
    QVERIFY(QString::fromStdString(events[0].reason).contains(QLatin1String("no last price")));
    QVERIFY(broker.positions().empty());
    // Bad requests are refused outright.
    OrderRequest noId = marketBuy(75);
    QCOMPARE(broker.placeOrder({noId, false, {}, {}}).error().code, ErrorCode::InvalidArgument);
    OrderRequest zero = marketBuy(0);
    zero.clientOrderId = "z";
    QCOMPARE(broker.placeOrder({zero, false, {}, {}}).error().code, ErrorCode::InvalidArgument);
}

void tst_OrderFlow::paperLimitFillsWhenPriceCrosses()
{
    SettableMarket market;
    FixedClock clock(tradingMoment());
    PaperBroker broker(market, clock);
    std::vector<BrokerEvent> events;
    broker.setEventHandler([&](const BrokerEvent &e) { events.push_back(e); });
    market.set(NiftyCall, Price::fromRupees(120));
    OrderRequest buy = limitOrder(Side::Buy, 75, Price::fromRupees(110));
    buy.clientOrderId = "l1";
    OrderRequest sell = limitOrder(Side::Sell, 75, Price::fromRupees(130));
    sell.clientOrderId = "l2";
    QVERIFY(broker.placeOrder({buy, false, {}, {}}).ok());
    QVERIFY(broker.placeOrder({sell, false, {}, {}}).ok());
    QVERIFY(events.empty());
    market.set(NiftyCall, Price::fromRupees(111));
    broker.onPrices();
    QVERIFY(events.empty());                        // not crossed yet
    market.set(NiftyCall, Price::fromRaw(1099500)); // 109.95: the buy limit is crossed
    broker.onPrices();
    QCOMPARE(events.size(), 1u);
    QCOMPARE(events[0].clientOrderId, std::string("l1"));
    QCOMPARE(events[0].price, Price::fromRaw(1099500));
    market.set(NiftyCall, Price::fromRupees(130));
    broker.onPrices();
    QCOMPARE(events.size(), 2u);
    QCOMPARE(events[1].clientOrderId, std::string("l2"));
    broker.onPrices();
    QCOMPARE(events.size(), 2u); // filled orders are not filled again
}

void tst_OrderFlow::paperStopTriggers()
{
    SettableMarket market;
    FixedClock clock(tradingMoment());
    PaperBroker broker(market, clock);
    std::vector<BrokerEvent> events;
    broker.setEventHandler([&](const BrokerEvent &e) { events.push_back(e); });
    market.set(NiftyCall, Price::fromRupees(100));
    OrderRequest stop = marketBuy(75);
    stop.type = OrderType::StopMarket;
    stop.side = Side::Sell;
    stop.trigger = Price::fromRupees(90);
    stop.clientOrderId = "s1";
    auto ack = broker.placeOrder({stop, false, {}, {}});
    QVERIFY(ack.ok());
    QCOMPARE(broker.order(ack->brokerOrderIds[0])->upstoxStatus, std::string("trigger pending"));
    market.set(NiftyCall, Price::fromRupees(89));
    broker.onPrices();
    QCOMPARE(events.size(), 1u);
    QCOMPARE(events[0].price, Price::fromRupees(89));
}

void tst_OrderFlow::paperIocNotMarketableIsCancelled()
{
    SettableMarket market;
    FixedClock clock(tradingMoment());
    PaperBroker broker(market, clock);
    std::vector<BrokerEvent> events;
    broker.setEventHandler([&](const BrokerEvent &e) { events.push_back(e); });
    market.set(NiftyCall, Price::fromRupees(100));
    OrderRequest ioc = limitOrder(Side::Buy, 75, Price::fromRupees(90));
    ioc.validity = Validity::Ioc;
    ioc.clientOrderId = "i1";
    QVERIFY(broker.placeOrder({ioc, false, {}, {}}).ok());
    QCOMPARE(events.size(), 1u);
    QCOMPARE(events[0].kind, BrokerEventKind::Cancelled);
}

void tst_OrderFlow::paperIsIdempotentOnClientId()
{
    SettableMarket market;
    FixedClock clock(tradingMoment());
    PaperBroker broker(market, clock);
    int fills = 0;
    broker.setEventHandler([&](const BrokerEvent &) { ++fills; });
    market.set(NiftyCall, Price::fromRupees(100));
    OrderRequest r = marketBuy(75);
    r.clientOrderId = "dup";
    auto first = broker.placeOrder({r, false, {}, {}});
    auto second = broker.placeOrder({r, false, {}, {}});
    QVERIFY(first.ok() && second.ok());
    QVERIFY(!first->duplicate);
    QVERIFY(second->duplicate);
    QCOMPARE(second->brokerOrderIds, first->brokerOrderIds);
    QCOMPARE(broker.orderCount(), 1u);
    QCOMPARE(fills, 1);
    QCOMPARE(broker.positions().at(0).netQuantity, 75);
}

void tst_OrderFlow::paperPositionsAndPnl()
{
    SettableMarket market;
    FixedClock clock(tradingMoment());
    PaperBroker broker(market, clock);
    const auto place = [&](Side side, std::int64_t qty, Price at, const char *id) {
        market.set(NiftyFut, at);
        OrderRequest r = marketBuy(qty, NiftyFut);
        r.side = side;
        r.clientOrderId = id;
        QVERIFY(broker.placeOrder({r, false, {}, {}}).ok());
    };
    place(Side::Buy, 75, Price::fromRupees(100), "p1");
    place(Side::Buy, 75, Price::fromRupees(110), "p2");  // average 105
    place(Side::Sell, 75, Price::fromRupees(120), "p3"); // realise (120-105)*75 = 1125
    market.set(NiftyFut, Price::fromRupees(101));
    auto positions = broker.positions();
    QCOMPARE(positions.size(), 1u);
    QCOMPARE(positions[0].netQuantity, 75);
    QCOMPARE(positions[0].averagePrice, Price::fromRupees(105));
    QCOMPARE(positions[0].realisedPnl, Price::fromRupees(1125));
    QCOMPARE(positions[0].unrealisedPnl, Price::fromRupees(-300)); // (101-105)*75
    // Sell through zero: close 75 at 100 (realise -375), open 75 short at 100.
    place(Side::Sell, 150, Price::fromRupees(100), "p4");
    positions = broker.positions();
    QCOMPARE(positions[0].netQuantity, -75);
    QCOMPARE(positions[0].averagePrice, Price::fromRupees(100));
    QCOMPARE(positions[0].realisedPnl, Price::fromRupees(750));
    market.set(NiftyFut, Price::fromRupees(98));
    QCOMPARE(broker.positions()[0].unrealisedPnl, Price::fromRupees(150)); // short gains
}

void tst_OrderFlow::paperSlices()
{
    SettableMarket market;
    FixedClock clock(tradingMoment());
    PaperBroker broker(market, clock);
    std::vector<BrokerEvent> events;
    broker.setEventHandler([&](const BrokerEvent &e) { events.push_back(e); });
    market.set(NiftyCall, Price::fromRupees(100));
    OrderRequest r = marketBuy(3600);
    r.clientOrderId = "big";
    auto ack = broker.placeOrder({r, true, {1800, 1800}, {"big.01", "big.02"}});
    QVERIFY(ack.ok());
    QCOMPARE(ack->brokerOrderIds.size(), 2u);
    QCOMPARE(events.size(), 2u);
    QCOMPARE(events[0].clientOrderId, std::string("big.01"));
    QCOMPARE(events[1].quantity, 1800);
    QCOMPARE(broker.positions()[0].netQuantity, 3600);
    QVERIFY(!broker.placeOrder({r, true, {1800}, {}}).ok());
}

void tst_OrderFlow::serviceMarketOrderEndToEnd()
{
    const Scratch scratch;
    const DatabaseConfig &db = scratch.db;
    Harness h;
    QVERIFY(h.openOn(scratch, Price::fromRaw(1203500)).ok());
    auto out = h.service->submit(marketBuy(150));
    QVERIFY2(out.ok(), qPrintable(out.ok() ? QString() : out.error().message));
    QCOMPARE(out->status, OrderStatus::Filled);
    QCOMPARE(out->brokerOrderIds.size(), 1u);
    QVERIFY(QString::fromStdString(out->clientOrderId).startsWith(QLatin1String("SL251209-")));
    const auto state = h.service->order(out->clientOrderId);
    QVERIFY(state);
    QCOMPARE(state->filledQuantity, 150);
    QCOMPARE(state->averagePrice, Price::fromRaw(1203500));
    QVERIFY(h.service->waitPersisted(10s));
    {
        std::lock_guard lock(h.recorder.mutex);
        QCOMPARE(h.recorder.durable.size(), 5u); // created, validated, sent, ack, fill
        QCOMPARE(h.recorder.durable.back().kind, OrderEventKind::Fill);
    }
    auto check = Database::open(db, QStringLiteral("check"));
    QVERIFY(check.ok());
    auto stored = OrderStore::loadOrder(*check.value(), out->clientOrderId);
    QVERIFY(stored.ok() && stored->has_value());
    const StoredOrder &o = **stored;
    QCOMPARE(o.status, OrderStatus::Filled);
    QCOMPARE(o.filledQuantity, 150);
    QCOMPARE(o.averagePrice, Price::fromRaw(1203500));
    QCOMPARE(o.brokerOrderIds, out->brokerOrderIds);
    QCOMPARE(o.contract, contractFor(NiftyCall));
    QCOMPARE(o.request.type, OrderType::Market);
    QCOMPARE(check.value()->scalar(QStringLiteral("SELECT count(*) FROM order_events"))->toInt(),
             5);
    // Replaying the same events again writes nothing.
    std::vector<OrderEvent> again;
    {
        std::lock_guard lock(h.recorder.mutex);
        again = h.recorder.durable;
    }
    auto replay = OrderStore::applyBatch(*check.value(), again);
    QVERIFY(replay.ok());
    QCOMPARE(replay->eventsWritten, 0u);
    QCOMPARE(replay->eventsSkipped, 5u);
    QCOMPARE(OrderStore::maxSequence(*check.value(), fromQDate(QDate(2025, 12, 9))).value(),
             again.back().sequence);
}

void tst_OrderFlow::serviceRefusalsWriteNothing()
{
    const Scratch scratch;
    const DatabaseConfig &db = scratch.db;
    Harness h;
    QVERIFY(h.openOn(scratch, Price::fromRupees(100)).ok());
    auto lot = h.service->submit(marketBuy(100)); // not a lot multiple
    QVERIFY(lot.ok());
    QCOMPARE(lot->status, OrderStatus::Rejected);
    QVERIFY(lot->reason.contains(QLatin1String("lot size 75")));
    QCOMPARE(lot->issues.size(), 1u);
    auto unknown = h.service->submit(marketBuy(75, "NSE_FO|0"));
    QCOMPARE(unknown.error().code, ErrorCode::NotFound);
    OrderRequest badId = marketBuy(75);
    badId.clientOrderId = "no spaces allowed";
    QCOMPARE(h.service->submit(badId).error().code, ErrorCode::InvalidArgument);
    OrderRequest zero = marketBuy(0);
    QCOMPARE(h.service->submit(zero).error().code, ErrorCode::InvalidArgument);
    OrderRequest longSliced = marketBuy(75);
    longSliced.clientOrderId = "abcdefghijklmnopqr"; // 18: fine alone ...
    Harness sliced;
    QTemporaryDir dir2;
    QVERIFY(sliced
                .open(dir2.filePath(QStringLiteral("journal")),
                      sqliteAt(dir2.filePath(QStringLiteral("o.db"))), 75)
                .ok());
    longSliced.quantity = 150; // ... but not as the parent of slices
    QCOMPARE(sliced.service->submit(longSliced).error().code, ErrorCode::InvalidArgument);
    QVERIFY(sliced.service->orders().empty());

    QVERIFY(h.service->orders().empty());
    QCOMPARE(h.service->journal().lastSequence(), sequenceFor(fromQDate(QDate(2025, 12, 9)), 0));
    QCOMPARE(h.broker.orderCount(), 0u);
    QVERIFY(h.service->waitPersisted(5s));
    QCOMPARE(countRows(db, QStringLiteral("SELECT count(*) FROM orders")), 0);
}

void tst_OrderFlow::serviceDuplicateClientIdPlacesOnce()
{
    const Scratch scratch;
    const DatabaseConfig &db = scratch.db;
    Harness h;
    QVERIFY(h.openOn(scratch, Price::fromRupees(100)).ok());
    OrderRequest r = marketBuy(75);
    r.clientOrderId = "ticket-17";
    auto first = h.service->submit(r);
    auto second = h.service->submit(r);
    QVERIFY(first.ok() && second.ok());
    QVERIFY(!first->duplicate);
    QVERIFY(second->duplicate);
    QCOMPARE(second->brokerOrderIds, first->brokerOrderIds);
    QCOMPARE(h.broker.orderCount(), 1u);
    QCOMPARE(h.service->orders().size(), 1u);
    QVERIFY(h.service->waitPersisted(10s));
    QCOMPARE(countRows(db, QStringLiteral("SELECT count(*) FROM orders")), 1);
    QCOMPARE(countRows(db, QStringLiteral("SELECT count(*) FROM order_events WHERE kind = "
                                          "'created'")),
             1);
}

void tst_OrderFlow::serviceSlicedOrder()
{
    const Scratch scratch;
    const DatabaseConfig &db = scratch.db;
    Harness h;
    QVERIFY(h.openOn(scratch, Price::fromRupees(100), 1800).ok());
    OrderRequest r = marketBuy(4500);
    r.clientOrderId = "big-1";
    auto out = h.service->submit(r);
    QVERIFY2(out.ok(), qPrintable(out.ok() ? QString() : out.error().message));
    QCOMPARE(out->brokerOrderIds.size(), 3u);
    QCOMPARE(out->status, OrderStatus::Filled);
    const auto parent = h.service->order("big-1");
    QCOMPARE(parent->children, (std::vector<std::string>{"big-1.01", "big-1.02", "big-1.03"}));
    QCOMPARE(parent->filledQuantity, 4500);
    QCOMPARE(h.service->order("big-1.03")->request.quantity, 900);
    QCOMPARE(h.service->order("big-1.03")->status, OrderStatus::Filled);
    QCOMPARE(h.broker.orderCount(), 3u);
    QVERIFY(h.service->waitPersisted(10s));
    QCOMPARE(countRows(db, QStringLiteral("SELECT count(*) FROM orders WHERE "
                                          "parent_client_order_id = 'big-1' AND status = "
                                          "'filled'")),
             3);
    QCOMPARE(countRows(db, QStringLiteral("SELECT slice_count FROM orders WHERE "
                                          "client_order_id = 'big-1'")),
             3);
}

void tst_OrderFlow::serviceLimitThenCancel()
{
    const Scratch scratch;
    const DatabaseConfig &db = scratch.db;
    Harness h;
    QVERIFY(h.openOn(scratch, Price::fromRupees(100)).ok());
    auto out = h.service->submit(limitOrder(Side::Buy, 75, Price::fromRupees(95)));
    QVERIFY(out.ok());
    QCOMPARE(out->status, OrderStatus::Acknowledged);
    QVERIFY(h.service->cancel(out->clientOrderId).ok());
    QCOMPARE(h.service->order(out->clientOrderId)->status, OrderStatus::Cancelled);
    QCOMPARE(h.service->cancel(out->clientOrderId).error().code, ErrorCode::Conflict);
    QCOMPARE(h.service->cancel("nope").error().code, ErrorCode::NotFound);
    // A price that later crosses does not fill a cancelled order.
    h.market.set(NiftyCall, Price::fromRupees(90));
    h.broker.onPrices();
    QCOMPARE(h.service->order(out->clientOrderId)->status, OrderStatus::Cancelled);
    // A resting limit fills on a later price.
    auto resting = h.service->submit(limitOrder(Side::Sell, 75, Price::fromRupees(99)));
    QCOMPARE(resting->status, OrderStatus::Acknowledged);
    h.market.set(NiftyCall, Price::fromRupees(99));
    h.broker.onPrices();
    QCOMPARE(h.service->order(resting->clientOrderId)->status, OrderStatus::Filled);
    QVERIFY(h.service->waitPersisted(10s));
    QCOMPARE(countRows(db, QStringLiteral("SELECT count(*) FROM orders WHERE status IN "
                                          "('cancelled', 'filled')")),
             2);
}

void tst_OrderFlow::serviceRecoversBookFromJournal()
{
    QTemporaryDir dir;
    const QString journal = dir.filePath(QStringLiteral("journal"));
    const DatabaseConfig db = sqliteAt(dir.filePath(QStringLiteral("orders.db")));
    std::string id;
    {
        Harness h;
        h.market.set(NiftyCall, Price::fromRupees(100));
        QVERIFY(h.open(journal, db).ok());
        id = h.service->submit(marketBuy(75))->clientOrderId;
        QVERIFY(h.service->submit(limitOrder(Side::Buy, 75, Price::fromRupees(50))).ok());
    }
    QFile::remove(db.path); // the database lost everything: the journal has it
    Harness h;
    RecoveryReport report;
    OrderServiceConfig config;
    config.journalDirectory = journal;
    config.database = db;
    auto s = OrderService::open({testLookup(), acceptingValidator(), h.broker, h.clock}, config, {},
                                &report);
    QVERIFY(s.ok());
    QCOMPARE(report.ordersInBook, 2u);
    QCOMPARE(report.eventsReplayed, 9u);
    QCOMPARE(s.value()->order(id)->status, OrderStatus::Filled);
    QVERIFY(s.value()->waitPersisted(10s));
    QCOMPARE(countRows(db, QStringLiteral("SELECT count(*) FROM orders")), 2);
    QCOMPARE(countRows(db, QStringLiteral("SELECT count(*) FROM order_events")), 9);
    // New ids continue after the replayed ones.
    auto next = s.value()->submit(marketBuy(75));
    QVERIFY(next.ok());
    QVERIFY(next->clientOrderId != id);
}

void tst_OrderFlow::sqliteLockedThenReleased()
{
    const Scratch scratch;
    const DatabaseConfig &db = scratch.db;
    Harness h;
    QVERIFY(h.openOn(scratch, Price::fromRupees(100)).ok());
    QVERIFY(h.service->submit(marketBuy(75)).ok());
    QVERIFY(h.service->waitPersisted(10s));

    // Another process-like connection holds the write lock: every write attempt fails
    // ("database is locked") after the busy timeout.
    auto locker = Database::open(db, QStringLiteral("locker"));
    QVERIFY(locker.ok());
    QVERIFY(locker.value()->exec(QStringLiteral("BEGIN EXCLUSIVE")).ok());
    std::vector<std::string> ids;
    for (int i = 0; i < 20; ++i) {
        auto out = h.service->submit(marketBuy(75));
        QVERIFY(out.ok());
        QCOMPARE(out->status, OrderStatus::Filled); // orders keep flowing
        ids.push_back(out->clientOrderId);
    }
    QTRY_VERIFY_WITH_TIMEOUT(h.recorder.sawDelayed(), 30000);
    QCOMPARE(h.service->persistence().kind, PersistenceState::Kind::Delayed);
    QVERIFY(h.service->persistence().backlog > 0);
    QVERIFY(h.service->persistence().lastError.contains(QLatin1String("locked")));
    QVERIFY(locker.value()->exec(QStringLiteral("ROLLBACK")).ok());
    locker.value().reset();
    QVERIFY(h.service->waitPersisted(30s));
    QTRY_VERIFY_WITH_TIMEOUT(h.recorder.healthyAtEnd(), 10000);
    QCOMPARE(countRows(db, QStringLiteral("SELECT count(*) FROM orders")), 21);
    QCOMPARE(countRows(db, QStringLiteral("SELECT count(*) FROM order_events")), 21 * 5);
    QCOMPARE(countRows(db, QStringLiteral("SELECT count(*) FROM orders WHERE status = 'filled'")),
             21);
}

void tst_OrderFlow::postgresAwayThenBack()
{
    STRIKELINE_REQUIRE_POSTGRES(baseUrl);
    QString error;
    const auto scratch =
        testpg::createScratchDatabase(baseUrl, QStringLiteral("orders_down"), &error);
    QVERIFY2(scratch, qPrintable(error));
    const auto dropDb = qScopeGuard([&] {
        testpg::execOnce(baseUrl, QStringLiteral("ALTER DATABASE %1 ALLOW_CONNECTIONS true")
                                      .arg(testpg::quoteIdentifier(scratch->name)));
        testpg::dropScratchDatabase(baseUrl, scratch->name);
    });
    const DatabaseConfig db = DatabaseConfig::parse(scratch->url).value();
    QTemporaryDir dir;
    Harness h;
    h.market.set(NiftyCall, Price::fromRupees(100));
    QVERIFY(h.open(dir.filePath(QStringLiteral("journal")), db).ok());
    for (int i = 0; i < 10; ++i)
        QVERIFY(h.service->submit(marketBuy(75)).ok());
    QVERIFY(h.service->waitPersisted(20s));
    QCOMPARE(countRows(db, QStringLiteral("SELECT count(*) FROM orders")), 10);

    // The database goes away: new connections are refused and the persister's is killed.
    QVERIFY2(testpg::execOnce(baseUrl,
                              QStringLiteral("ALTER DATABASE %1 ALLOW_CONNECTIONS false")
                                  .arg(testpg::quoteIdentifier(scratch->name)),
                              {}, &error),
             qPrintable(error));
    QVERIFY(testpg::terminateConnections(baseUrl, scratch->name, &error) >= 0);
    for (int i = 0; i < 40; ++i) {
        auto out = h.service->submit(marketBuy(75));
        QVERIFY(out.ok());
        QCOMPARE(out->status, OrderStatus::Filled); // orders keep flowing to the paper broker
    }
    QTRY_VERIFY_WITH_TIMEOUT(h.recorder.sawDelayed(), 30000);
    const PersistenceState delayed = h.service->persistence();
    QCOMPARE(delayed.kind, PersistenceState::Kind::Delayed);
    QVERIFY(delayed.backlog > 0);
    QVERIFY(!delayed.lastError.isEmpty());

    QVERIFY(testpg::execOnce(baseUrl, QStringLiteral("ALTER DATABASE %1 ALLOW_CONNECTIONS true")
                                          .arg(testpg::quoteIdentifier(scratch->name))));
    QVERIFY(h.service->waitPersisted(60s));
    QTRY_VERIFY_WITH_TIMEOUT(h.recorder.healthyAtEnd(), 10000);
    QCOMPARE(countRows(db, QStringLiteral("SELECT count(*) FROM orders")), 50);
    QCOMPARE(countRows(db, QStringLiteral("SELECT count(DISTINCT client_order_id) FROM orders")),
             50);
    QCOMPARE(countRows(db, QStringLiteral("SELECT count(*) FROM order_events")), 250);
    QCOMPARE(countRows(db, QStringLiteral("SELECT count(*) FROM orders WHERE status = 'filled' "
                                          "AND filled_quantity = 75 AND average_price_raw = "
                                          "1000000")),
             50);
}

void tst_OrderFlow::openFailsCleanlyOnABusyJournal()
{
    // A second service on the same journal (another terminal) is refused, not crashed.
    const Scratch scratch;
    Harness first;
    QVERIFY(first.open(scratch.journal, scratch.db).ok());
    Harness second;
    OrderServiceConfig config;
    config.journalDirectory = scratch.journal;
    config.database = scratch.db;
    auto s = OrderService::open({testLookup(), acceptingValidator(), second.broker, second.clock},
                                config);
    QVERIFY(!s.ok());
    QCOMPARE(s.error().code, ErrorCode::Conflict);
}

QTEST_GUILESS_MAIN(tst_OrderFlow)
#include "tst_orderflow.moc"
