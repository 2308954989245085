// The paper broker, the order service end to end (journal -> broker -> database) and
// persistence while the database is away (SQLite locked, PostgreSQL refusing connections).

#include "OrderTestSupport.h"
#include "TestPostgres.h"
#include "orders/ContractValue.h"
#include "orders/OrderStore.h"
#include "orders/OrderValidator.h"
#include "orders/PaperBroker.h"
#include "orders/PaperGateway.h"
#include "orders/PositionBook.h"
#include "storage/Database.h"

#include <QFile>
#include <QScopeGuard>
#include <QSqlDatabase>
#include <QSqlError>
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
                },
                {}};
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
    PaperGateway gateway{market, clock};
    PaperBroker &broker = gateway.broker();
    Recorder recorder;
    std::unique_ptr<OrderService> service;

    Result<void> open(const QString &journalDir, const DatabaseConfig &db, std::int64_t freeze = 0)
    {
        OrderServiceConfig config;
        config.journalDirectory = journalDir;
        config.database = db;
        config.persister.firstRetry = 20ms;
        config.persister.maxRetry = 200ms;
        auto s = OrderService::open({testLookup(), acceptingValidator(freeze), {&gateway}, clock},
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
    void paperFillsAtTheTouchWhenThereIsDepth();
    void paperStopTriggers();
    void paperIocNotMarketableIsCancelled();
    void paperIsIdempotentOnClientId();
    void positionsAndPnlFromFills();
    void pnlAppliesTheContractMultiplier_data();
    void pnlAppliesTheContractMultiplier();
    void paperAfterMarketOrderWaitsForTheOpen();
    void paperSlices();

    void serviceMarketOrderEndToEnd();
    void serviceRefusalsWriteNothing();
    void serviceDuplicateClientIdPlacesOnce();
    void serviceSlicedOrder();
    void serviceLimitThenCancel();
    void serviceRecoversBookFromJournal();
    void servicePositionsSurviveARestart();
    void serviceCarriesDeliveryPositionsToTheNextDay();
    void serviceAfterMarketOrderSaysItWaits();
    void sqliteLockedThenReleased();
    void postgresAwayThenBack();

    // Identity (docs/orders-flow.md): on both backends.
    void twoJournalsShareOneDatabase_data();
    void twoJournalsShareOneDatabase();
    void tagReusedOnALaterDayIsAnotherOrder_data();
    void tagReusedOnALaterDayIsAnotherOrder();
    void conflictingEventIsAnError_data();
    void conflictingEventIsAnError();
    void migrationKeepsExistingRows_data();
    void migrationKeepsExistingRows();
    void sliceIdsCannotBeTags();
    void boundsAreCheckedBeforeAnythingIsWritten();
};

namespace {

// A scratch database of one backend: SQLite in a temporary folder, or a fresh PostgreSQL
// database dropped afterwards.
struct BackendDatabase
{
    QTemporaryDir dir;
    DatabaseConfig config;
    QString baseUrl;
    QString pgName;
    QString pgUrl;
    ~BackendDatabase()
    {
        if (!pgName.isEmpty())
            testpg::dropScratchDatabase(baseUrl, pgName);
    }
};

void addBackendRows()
{
    QTest::addColumn<QString>("backend");
    QTest::newRow("sqlite") << QStringLiteral("sqlite");
    QTest::newRow("postgres") << QStringLiteral("postgres");
}

} // namespace

// Opens `db` for the row's backend, or skips/fails as the PostgreSQL fixture says.
#define OPEN_BACKEND_DATABASE(db)                                                                  \
    QFETCH(QString, backend);                                                                      \
    BackendDatabase db;                                                                            \
    if (backend == QLatin1String("sqlite")) {                                                      \
        db.config = sqliteAt(db.dir.filePath(QStringLiteral("orders.db")));                        \
    } else {                                                                                       \
        STRIKELINE_REQUIRE_POSTGRES(pgUrl_);                                                       \
        QString pgError_;                                                                          \
        const auto scratch_ =                                                                      \
            testpg::createScratchDatabase(pgUrl_, QStringLiteral("orders_identity"), &pgError_);   \
        QVERIFY2(scratch_, qPrintable(pgError_));                                                  \
        db.baseUrl = pgUrl_;                                                                       \
        db.pgName = scratch_->name;                                                                \
        db.pgUrl = scratch_->url;                                                                  \
        db.config = DatabaseConfig::parse(scratch_->url).value();                                  \
    }

void tst_OrderFlow::twoJournalsShareOneDatabase_data()
{
    addBackendRows();
}

void tst_OrderFlow::twoJournalsShareOneDatabase()
{
    // Two terminals (two journals) on one database, the same day: both number their events
    // day << 32 | 1, 2, ... and every event and order of both is stored.
    OPEN_BACKEND_DATABASE(db);
    Harness a;
    Harness b;
    a.market.set(NiftyCall, Price::fromRupees(100));
    b.market.set(NiftyCall, Price::fromRupees(100));
    QVERIFY(a.open(db.dir.filePath(QStringLiteral("journal-a")), db.config).ok());
    QVERIFY(b.open(db.dir.filePath(QStringLiteral("journal-b")), db.config).ok());
    QVERIFY(a.service->journal().journalId() != b.service->journal().journalId());
    OrderRequest hedge = marketBuy(75);
    hedge.clientOrderId = "A-hedge";
    OrderRequest shortSell = marketBuy(1500);
    shortSell.clientOrderId = "B-short";
    shortSell.side = Side::Sell;
    QVERIFY(a.service->submit(hedge).ok());
    QVERIFY(b.service->submit(shortSell).ok());
    // The same generated ids too: both journals derive them from the same sequences.
    const auto generatedA = a.service->submit(marketBuy(150));
    const auto generatedB = b.service->submit(marketBuy(225));
    QVERIFY(generatedA.ok() && generatedB.ok());
    QCOMPARE(generatedA->clientOrderId, generatedB->clientOrderId);
    QVERIFY(a.service->waitPersisted(20s));
    QVERIFY(b.service->waitPersisted(20s));
    QCOMPARE(a.service->journal().lastSequence(), b.service->journal().lastSequence());

    QCOMPARE(countRows(db.config, QStringLiteral("SELECT count(*) FROM orders")), 4);
    QCOMPARE(countRows(db.config, QStringLiteral("SELECT count(*) FROM order_events")), 20);
    QCOMPARE(countRows(db.config, QStringLiteral("SELECT count(*) FROM orders WHERE "
                                                 "client_order_id = 'B-short' AND side = 'SELL' "
                                                 "AND quantity = 1500 AND filled_quantity = "
                                                 "1500")),
             1);
    QCOMPARE(countRows(db.config,
                       QStringLiteral("SELECT count(*) FROM orders WHERE client_order_id = '%1' "
                                      "AND filled_quantity = quantity")
                           .arg(QString::fromStdString(generatedA->clientOrderId))),
             2);
    QCOMPARE(countRows(db.config, QStringLiteral("SELECT count(DISTINCT journal_id) FROM orders")),
             2);
}

void tst_OrderFlow::tagReusedOnALaterDayIsAnotherOrder_data()
{
    addBackendRows();
}

void tst_OrderFlow::tagReusedOnALaterDayIsAnotherOrder()
{
    // "a1" on 9 Dec buys 75 of the call; "a1" on 10 Dec sells 1500 of the future. Two orders,
    // each keeping its own contract, side, quantity, fills and broker id.
    OPEN_BACKEND_DATABASE(db);
    const QString journal = db.dir.filePath(QStringLiteral("journal"));
    QString firstBroker;
    {
        Harness h;
        h.market.set(NiftyCall, Price::fromRupees(100));
        QVERIFY(h.open(journal, db.config).ok());
        OrderRequest r = marketBuy(75);
        r.clientOrderId = "a1";
        const auto out = h.service->submit(r);
        QVERIFY(out.ok());
        QCOMPARE(out->status, OrderStatus::Filled);
        firstBroker = QString::fromStdString(out->brokerOrderIds.front());
        QVERIFY(h.service->waitPersisted(20s));
    }
    {
        Harness h;
        h.clock.set(IstMoment::fromDay(fromQDate(QDate(2025, 12, 10)), 10 * 60 + 30));
        h.market.set(NiftyFut, Price::fromRupees(26000));
        QVERIFY(h.open(journal, db.config).ok());
        OrderRequest r = marketBuy(1500, NiftyFut);
        r.clientOrderId = "a1";
        r.side = Side::Sell;
        const auto out = h.service->submit(r);
        QVERIFY(out.ok());
        QVERIFY(!out->duplicate); // yesterday's a1 is not today's
        QCOMPARE(out->status, OrderStatus::Filled);
        QVERIFY(h.service->waitPersisted(20s));
    }
    auto check = Database::open(db.config, QStringLiteral("test-check"));
    QVERIFY(check.ok());
    auto orders = OrderStore::loadOrders(*check.value());
    QVERIFY(orders.ok());
    QCOMPARE(orders->size(), 2u);
    const StoredOrder &first = orders->at(0);
    const StoredOrder &second = orders->at(1);
    QCOMPARE(first.clientOrderId, std::string("a1"));
    QCOMPARE(second.clientOrderId, std::string("a1"));
    QVERIFY(first.journalId != second.journalId);
    QCOMPARE(first.contract.instrumentKey, NiftyCall);
    QCOMPARE(first.request.side, Side::Buy);
    QCOMPARE(first.request.quantity, 75);
    QCOMPARE(first.filledQuantity, 75);
    QCOMPARE(first.brokerOrderIds, std::vector<std::string>{firstBroker.toStdString()});
    QCOMPARE(second.contract.instrumentKey, NiftyFut);
    QCOMPARE(second.request.side, Side::Sell);
    QCOMPARE(second.request.quantity, 1500);
    QCOMPARE(second.filledQuantity, 1500);
    QVERIFY(second.brokerOrderIds.front() != firstBroker.toStdString());
    // loadOrder answers with the newest order of that tag.
    auto newest = OrderStore::loadOrder(*check.value(), "a1");
    QVERIFY(newest.ok() && newest->has_value());
    QCOMPARE((*newest)->contract.instrumentKey, NiftyFut);
}

void tst_OrderFlow::conflictingEventIsAnError_data()
{
    addBackendRows();
}

void tst_OrderFlow::conflictingEventIsAnError()
{
    // The same (journal, sequence) with other content (a journal that lost its tail and wrote
    // new events under old numbers) is refused as a whole batch, never skipped.
    OPEN_BACKEND_DATABASE(db);
    auto opened = Database::open(db.config, QStringLiteral("test-check"));
    QVERIFY(opened.ok());
    Database &d = *opened.value();
    OrderEvent created;
    created.kind = OrderEventKind::Created;
    created.journalId = QStringLiteral("0123456789abcdef0123456789abcdef");
    created.sequence = sequenceFor(fromQDate(QDate(2025, 12, 9)), 1);
    created.clientOrderId = "lost-1";
    created.request = marketBuy(75);
    created.request.clientOrderId = "lost-1";
    created.contract = contractFor(NiftyCall);
    created.timeMs = tradingMoment().epochMs;
    auto first = OrderStore::applyBatch(d, {created});
    QVERIFY(first.ok());
    QCOMPARE(first->eventsWritten, 1u);
    auto again = OrderStore::applyBatch(d, {created}); // a replay: the same bytes
    QVERIFY(again.ok());
    QCOMPARE(again->eventsSkipped, 1u);

    OrderEvent other = created;
    other.clientOrderId = "new-1";
    other.request.clientOrderId = "new-1";
    OrderEvent next = created;
    next.sequence += 1;
    next.kind = OrderEventKind::Validated;
    next.statusAfter = OrderStatus::Validated;
    auto conflict = OrderStore::applyBatch(d, {other, next});
    QVERIFY(!conflict.ok());
    QCOMPARE(conflict.error().code, ErrorCode::Conflict);
    QVERIFY2(conflict.error().message.contains(QLatin1String("already stored with other content")),
             qPrintable(conflict.error().message));
    QCOMPARE(countRows(db.config, QStringLiteral("SELECT count(*) FROM order_events")), 1);
    QCOMPARE(countRows(db.config, QStringLiteral("SELECT count(*) FROM orders WHERE status = "
                                                 "'new'")),
             1);
    // Another journal with the same sequence is another event.
    other.journalId = QStringLiteral("fedcba9876543210fedcba9876543210");
    auto elsewhere = OrderStore::applyBatch(d, {other});
    QVERIFY(elsewhere.ok());
    QCOMPARE(elsewhere->eventsWritten, 1u);
}

void tst_OrderFlow::migrationKeepsExistingRows_data()
{
    addBackendRows();
}

void tst_OrderFlow::migrationKeepsExistingRows()
{
    // A database at schema 2 with an order in it: 003 moves the rows over with journal_id ''
    // (what a journal written before ids replays as), so the old journal's replay stores
    // nothing twice.
    OPEN_BACKEND_DATABASE(db);
    const bool sqlite = backend == QLatin1String("sqlite");
    {
        QSqlDatabase raw =
            sqlite ? QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("v2"))
                   : testpg::openPostgres(db.pgUrl, QStringLiteral("v2"));
        if (sqlite) {
            raw.setDatabaseName(db.config.path);
            QVERIFY(raw.open());
        }
        QVERIFY2(raw.isOpen(), qPrintable(raw.lastError().text()));
        QSqlQuery q(raw);
        QVERIFY(q.exec(QStringLiteral("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, "
                                      "name TEXT NOT NULL, applied_at TEXT NOT NULL)")));
        const QString dir =
            sqlite ? QStringLiteral(":/sql/sqlite/") : QStringLiteral(":/sql/postgres/");
        int version = 0;
        for (const QString &name :
             {QStringLiteral("001_initial.sql"), QStringLiteral("002_orders.sql")}) {
            QFile f(dir + name);
            QVERIFY(f.open(QIODevice::ReadOnly));
            QString statement;
            for (const QString &line : QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'))) {
                if (line.trimmed().startsWith(QLatin1String("--")))
                    continue;
                statement += line + QLatin1Char('\n');
                if (line.trimmed().endsWith(QLatin1Char(';'))) {
                    QVERIFY2(q.exec(statement), qPrintable(q.lastError().text()));
                    statement.clear();
                }
            }
            q.prepare(QStringLiteral("INSERT INTO schema_version VALUES (?, ?, '2025-12-09')"));
            q.addBindValue(++version);
            q.addBindValue(name);
            QVERIFY(q.exec());
        }
        QVERIFY2(q.exec(QStringLiteral(
                     "INSERT INTO orders (client_order_id, instrument_key, trading_symbol, "
                     "segment, option_type, strike_raw, lot_size, tick_raw, side, order_type, "
                     "product, validity, quantity, price_raw, trigger_raw, status, "
                     "filled_quantity, average_price_raw, created_at_ms, updated_at_ms, "
                     "last_sequence) VALUES ('old-1', 'NSE_FO|41915', 'NIFTY CE', 'NSE_FO', "
                     "'CE', 0, 75, 500, 'BUY', 'MARKET', 'I', 'DAY', 75, 0, 0, 'filled', 75, "
                     "1000000, 1, 2, 3)")),
                 qPrintable(q.lastError().text()));
        QVERIFY2(q.exec(QStringLiteral("INSERT INTO order_events (journal_sequence, "
                                       "client_order_id, kind, status_after, payload, "
                                       "event_time_ms) VALUES (3, 'old-1', 'fill', 'filled', "
                                       "'{}', 2)")),
                 qPrintable(q.lastError().text()));
    }
    QSqlDatabase::removeDatabase(QStringLiteral("v2"));

    auto upgraded = Database::open(db.config, QStringLiteral("test-upgrade"));
    QVERIFY2(upgraded.ok(), upgraded.ok() ? "" : qPrintable(upgraded.error().message));
    auto orders = OrderStore::loadOrders(*upgraded.value());
    QVERIFY(orders.ok());
    QCOMPARE(orders->size(), 1u);
    QCOMPARE(orders->front().clientOrderId, std::string("old-1"));
    QCOMPARE(orders->front().journalId, QString());
    QCOMPARE(orders->front().filledQuantity, 75);
    QCOMPARE(countRows(db.config, QStringLiteral("SELECT count(*) FROM order_events WHERE "
                                                 "journal_id = '' AND journal_sequence = 3")),
             1);
    QCOMPARE(countRows(db.config,
                       QStringLiteral("SELECT count(*) FROM schema_version WHERE version = 3")),
             1);

    // A journal without an id replays as "": its stored event is known, another one is new.
    OrderEvent legacy;
    legacy.kind = OrderEventKind::Validated;
    legacy.statusAfter = OrderStatus::Validated;
    legacy.clientOrderId = "old-2";
    legacy.sequence = 3;
    auto clash = OrderStore::applyBatch(*upgraded.value(), {legacy});
    QVERIFY(!clash.ok());
    QCOMPARE(clash.error().code, ErrorCode::Conflict);
    legacy.sequence = 4;
    auto stored = OrderStore::applyBatch(*upgraded.value(), {legacy});
    QVERIFY2(stored.ok(), stored.ok() ? "" : qPrintable(stored.error().message));
    QCOMPARE(countRows(db.config, QStringLiteral("SELECT count(*) FROM order_events WHERE "
                                                 "journal_id = ''")),
             2);
}

void tst_OrderFlow::sliceIdsCannotBeTags()
{
    // "Q.01" is the first slice of "Q": as a tag of its own it is refused, so a sliced "Q"
    // placed later can never send the old order's quantity under its child id.
    const Scratch scratch;
    Harness h;
    QVERIFY(h.openOn(scratch, Price::fromRupees(100), 1800).ok());
    OrderRequest lookalike = marketBuy(150);
    lookalike.clientOrderId = "Q.01";
    lookalike.side = Side::Sell;
    const auto refused = h.service->submit(lookalike);
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().code, ErrorCode::InvalidArgument);
    QVERIFY(refused.error().message.contains(QLatin1String("slices")));
    QCOMPARE(h.service->journal().lastSequence(), sequenceFor(fromQDate(QDate(2025, 12, 9)), 0));

    OrderRequest sliced = marketBuy(3600 + 75);
    sliced.clientOrderId = "Q";
    const auto out = h.service->submit(sliced);
    QVERIFY(out.ok());
    QCOMPARE(out->status, OrderStatus::Filled);
    const auto parent = h.service->order("Q");
    QVERIFY(parent);
    QCOMPARE(parent->children.size(), 3u);
    QCOMPARE(parent->filledQuantity, 3675);
    QVERIFY(h.service->waitPersisted(20s));
    QCOMPARE(countRows(scratch.db, QStringLiteral("SELECT count(*) FROM orders")), 4);
    QCOMPARE(countRows(scratch.db, QStringLiteral("SELECT sum(quantity) FROM orders WHERE "
                                                  "parent_client_order_id = 'Q'")),
             3675);
}

void tst_OrderFlow::boundsAreCheckedBeforeAnythingIsWritten()
{
    const Scratch scratch;
    Harness h;
    QVERIFY(h.openOn(scratch, Price::fromRupees(100)).ok());
    OrderRequest huge = marketBuy(9223372036854775775LL - 9223372036854775775LL % 75);
    auto r = h.service->submit(huge);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, ErrorCode::InvalidArgument);
    QVERIFY(r.error().message.contains(QLatin1String("more than any exchange accepts")));
    OrderRequest pricey = limitOrder(Side::Buy, 75, Price::fromRaw(9'000'000'000'000'000'000LL));
    r = h.service->submit(pricey);
    QVERIFY(!r.ok());
    QVERIFY(r.error().message.contains(QLatin1String("price")));
    OrderRequest longKey = marketBuy(75, std::string(10000, 'K'));
    r = h.service->submit(longKey);
    QVERIFY(!r.ok());
    QVERIFY(r.error().message.contains(QLatin1String("at most 128")));
    QCOMPARE(h.service->journal().lastSequence(), sequenceFor(fromQDate(QDate(2025, 12, 9)), 0));
    QCOMPARE(h.broker.orderCount(), 0u);
}

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

void tst_OrderFlow::paperFillsAtTheTouchWhenThereIsDepth()
{
    // A live feed's quote has a bid and an ask: a buy trades at the ask and a sell at the bid,
    // not at the last price (which may be minutes old on an illiquid strike).
    SettableMarket market;
    FixedClock clock(tradingMoment());
    PaperBroker broker(market, clock);
    std::vector<BrokerEvent> events;
    broker.setEventHandler([&](const BrokerEvent &e) { events.push_back(e); });
    market.setWithDepth(NiftyCall, Price::fromRupees(120), Price::fromRupees(119),
                        Price::fromRupees(121));
    OrderRequest buy = marketBuy(75);
    buy.clientOrderId = "t1";
    QVERIFY(broker.placeOrder({buy, false, {}, {}}).ok());
    QCOMPARE(events.size(), 1u);
    QCOMPARE(events[0].price, Price::fromRupees(121));
    OrderRequest sell = marketBuy(75);
    sell.side = Side::Sell;
    sell.clientOrderId = "t2";
    QVERIFY(broker.placeOrder({sell, false, {}, {}}).ok());
    QCOMPARE(events.size(), 2u);
    QCOMPARE(events[1].price, Price::fromRupees(119));

    // A buy limit at 120.50 does not cross an ask of 121 although the last price (120) is
    // below it; it fills at the ask once the offer comes down to it.
    OrderRequest limit = limitOrder(Side::Buy, 75, Price::fromRaw(1205000));
    limit.clientOrderId = "t3";
    QVERIFY(broker.placeOrder({limit, false, {}, {}}).ok());
    QCOMPARE(events.size(), 2u);
    market.setWithDepth(NiftyCall, Price::fromRupees(120), Price::fromRupees(119),
                        Price::fromRaw(1203000));
    broker.onPrices();
    QCOMPARE(events.size(), 3u);
    QCOMPARE(events[2].clientOrderId, std::string("t3"));
    QCOMPARE(events[2].price, Price::fromRaw(1203000)); // the ask, better than the limit

    // A sell limit crosses on the bid.
    OrderRequest sellLimit = limitOrder(Side::Sell, 75, Price::fromRupees(119));
    sellLimit.clientOrderId = "t4";
    QVERIFY(broker.placeOrder({sellLimit, false, {}, {}}).ok());
    QCOMPARE(events.size(), 4u);
    QCOMPARE(events[3].price, Price::fromRupees(119));
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
}

void tst_OrderFlow::positionsAndPnlFromFills()
{
    SettableMarket market;
    PositionBook book;
    const auto fill = [&](Side side, std::int64_t qty, Price at) {
        book.applyFill(NiftyFut, side, qty, at, 1);
    };
    fill(Side::Buy, 75, Price::fromRupees(100));
    fill(Side::Buy, 75, Price::fromRupees(110));  // average 105
    fill(Side::Sell, 75, Price::fromRupees(120)); // realise (120-105)*75 = 1125
    market.set(NiftyFut, Price::fromRupees(101));
    auto positions = book.positions(&market);
    QCOMPARE(positions.size(), 1u);
    QCOMPARE(positions[0].netQuantity, 75);
    QCOMPARE(positions[0].averagePrice, Price::fromRupees(105));
    QCOMPARE(positions[0].realisedPnl, Money::fromRupees(1125));
    QCOMPARE(positions[0].unrealisedPnl, Money::fromRupees(-300)); // (101-105)*75
    // Sell through zero: close 75 at 100 (realise -375), open 75 short at 100.
    fill(Side::Sell, 150, Price::fromRupees(100));
    positions = book.positions(&market);
    QCOMPARE(positions[0].netQuantity, -75);
    QCOMPARE(positions[0].averagePrice, Price::fromRupees(100));
    QCOMPARE(positions[0].realisedPnl, Money::fromRupees(750));
    market.set(NiftyFut, Price::fromRupees(98));
    QCOMPARE(book.positions(&market)[0].unrealisedPnl, Money::fromRupees(150)); // short gains
    // A new day keeps the open quantity and its average, not yesterday's realised P&L.
    book.startDay();
    QCOMPARE(book.positions(&market)[0].realisedPnl, Money());
    QCOMPARE(book.positions(&market)[0].netQuantity, -75);
}

void tst_OrderFlow::pnlAppliesTheContractMultiplier_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<int>("side");
    QTest::addColumn<qint64>("qty");
    QTest::addColumn<QString>("average");
    QTest::addColumn<QString>("last");
    QTest::addColumn<qint64>("multiplier");
    QTest::addColumn<QString>("unrealised");
    QTest::addColumn<QString>("notional");
    // The issue's case: short 3 lots of CRUDEOIL (100 bbl a lot) at 5258, LTP 5255: Rs 900.
    QTest::newRow("MCX CRUDEOIL 3 lots short")
        << "MCX_FO|1" << int(Side::Sell) << qint64(3) << "5258"
        << "5255" << qint64(100) << "900"
        << "1577400";
    // SILVER: lot 30 kg, price per kg, qty_multiplier 30.
    QTest::newRow("MCX SILVER 2 lots long") << "MCX_FO|2" << int(Side::Buy) << qint64(2) << "150000"
                                            << "150100" << qint64(30) << "6000"
                                            << "9000000";
    // GOLD: lot_size 1, price per 10 g, qty_multiplier 100 (1 kg a lot).
    QTest::newRow("MCX GOLD 1 lot long") << "MCX_FO|3" << int(Side::Buy) << qint64(1) << "130000"
                                         << "129900" << qint64(100) << "-10000"
                                         << "13000000";
    // USDINR: 1 lot = USD 1000 (lot_size 1, qty_multiplier 1000), tick Rs 0.0025.
    QTest::newRow("NCD USDINR 4 lots long")
        << "NCD_FO|4" << int(Side::Buy) << qint64(4) << "88.2500"
        << "88.2625" << qint64(1000) << "50"
        << "353000";
    // NSE F&O: quantity in units, qty_multiplier 1.
    QTest::newRow("NSE NIFTY 75 units long") << "NSE_FO|5" << int(Side::Buy) << qint64(75) << "100"
                                             << "102" << qint64(1) << "150"
                                             << "7500";
}

void tst_OrderFlow::pnlAppliesTheContractMultiplier()
{
    QFETCH(QString, key);
    QFETCH(int, side);
    QFETCH(qint64, qty);
    QFETCH(QString, average);
    QFETCH(QString, last);
    QFETCH(qint64, multiplier);
    QFETCH(QString, unrealised);
    QFETCH(QString, notional);
    const Price avg = *Price::parse(average.toStdString());
    const Price ltp = *Price::parse(last.toStdString());
    // The notional the validator checks and the P&L the positions show: one function.
    QCOMPARE(contractValue(avg, qty, multiplier).value(),
             Money::parse(notional.toStdString()).value());
    SettableMarket market;
    market.set(key.toStdString(), ltp);
    PositionBook book;
    book.applyFill(key.toStdString(), static_cast<Side>(side), qty, avg, multiplier);
    const std::vector<Position> p = book.positions(&market);
    QCOMPARE(p.size(), 1u);
    QCOMPARE(p[0].unrealisedPnl, Money::parse(unrealised.toStdString()).value());
    QCOMPARE(p[0].qtyMultiplier, multiplier);
    // Closing at the last price realises the same amount.
    book.applyFill(key.toStdString(), static_cast<Side>(side) == Side::Buy ? Side::Sell : Side::Buy,
                   qty, ltp, multiplier);
    QCOMPARE(book.positions(&market)[0].realisedPnl,
             Money::parse(unrealised.toStdString()).value());
    QCOMPARE(book.positions(&market)[0].unrealisedPnl, Money());
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
    QCOMPARE(OrderStore::maxSequence(*check.value(), h.service->journal().journalId(),
                                     fromQDate(QDate(2025, 12, 9)))
                 .value(),
             again.back().sequence);
    QCOMPARE(OrderStore::maxSequence(*check.value(), QStringLiteral("another journal"),
                                     fromQDate(QDate(2025, 12, 9)))
                 .value(),
             0u);
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
    h.service->drain(); // the fills it reports reach the book on the order thread
    QCOMPARE(h.service->order(out->clientOrderId)->status, OrderStatus::Cancelled);
    // A resting limit fills on a later price.
    auto resting = h.service->submit(limitOrder(Side::Sell, 75, Price::fromRupees(99)));
    QCOMPARE(resting->status, OrderStatus::Acknowledged);
    h.market.set(NiftyCall, Price::fromRupees(99));
    h.broker.onPrices();
    h.service->drain(); // the fills it reports reach the book on the order thread
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
    auto s = OrderService::open({testLookup(), acceptingValidator(), {&h.gateway}, h.clock}, config,
                                {}, &report);
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
    auto s = OrderService::open(
        {testLookup(), acceptingValidator(), {&second.gateway}, second.clock}, config);
    QVERIFY(!s.ok());
    QCOMPARE(s.error().code, ErrorCode::Conflict);
}

void tst_OrderFlow::paperAfterMarketOrderWaitsForTheOpen()
{
    SettableMarket market;
    const EpochDay tuesday = fromQDate(QDate(2025, 12, 9));
    FixedClock clock(IstMoment::fromDay(tuesday, 20 * 60)); // 20:00 IST: NSE F&O closed
    PaperBroker broker(market, clock);
    std::vector<BrokerEvent> events;
    broker.setEventHandler([&](const BrokerEvent &e) { events.push_back(e); });
    market.set(NiftyCall, Price::fromRupees(100));
    OrderRequest r = marketBuy(75);
    r.clientOrderId = "amo1";
    auto ack = broker.placeOrder({r, false, {}, {}});
    QVERIFY(ack.ok());
    QCOMPARE(QString::fromStdString(ack->note),
             QStringLiteral("after-market order: waits for the 09:15 IST open on Wed 10 Dec "
                            "(NSE_FO)"));
    QVERIFY(events.empty()); // not filled after the close
    broker.onPrices();
    QVERIFY(events.empty());
    QCOMPARE(broker.order(ack->brokerOrderIds[0])->upstoxStatus, std::string("open"));
    // MCX is still open at 20:00: no note, filled at once.
    market.set(CrudeFut, Price::fromRupees(5258));
    OrderRequest crude = marketBuy(1, CrudeFut);
    crude.clientOrderId = "mcx1";
    auto mcx = broker.placeOrder({crude, false, {}, {}});
    QVERIFY(mcx.ok() && mcx->note.empty());
    QCOMPARE(events.size(), 1u);
    events.clear();
    clock.set(IstMoment::fromDay(tuesday + 1, 9 * 60 + 14)); // still before the open
    broker.onPrices();
    QVERIFY(events.empty());
    clock.set(IstMoment::fromDay(tuesday + 1, 9 * 60 + 15));
    broker.onPrices();
    QCOMPARE(events.size(), 1u);
    QCOMPARE(events[0].kind, BrokerEventKind::Fill);
    QCOMPARE(events[0].quantity, 75);
    QVERIFY(QString::fromStdString(events[0].reason).contains(QLatin1String("after the open")));
    // Friday evening waits for Monday.
    QCOMPARE(afterMarketNote(Segment::NseFo,
                             IstMoment::fromDay(fromQDate(QDate(2025, 12, 12)), 16 * 60)),
             QStringLiteral("after-market order: waits for the 09:15 IST open on Mon 15 Dec "
                            "(NSE_FO)"));
    QCOMPARE(afterMarketNote(Segment::McxFo, IstMoment::fromDay(tuesday, 8 * 60)),
             QStringLiteral("after-market order: waits for the 09:00 IST open (MCX_FO)"));
}

void tst_OrderFlow::servicePositionsSurviveARestart()
{
    // The issue's case: buy CRUDEOIL, quit, start again: the position is still there, from
    // the journal (a new process has a new, empty paper broker).
    const Scratch scratch;
    std::vector<Position> before;
    {
        Harness h;
        h.market.set(CrudeFut, Price::fromRupees(5258));
        QVERIFY(h.open(scratch.journal, scratch.db).ok());
        OrderRequest sell = marketBuy(3, CrudeFut);
        sell.side = Side::Sell;
        QCOMPARE(h.service->submit(sell)->status, OrderStatus::Filled);
        h.market.set(NiftyCall, Price::fromRupees(100));
        QCOMPARE(h.service->submit(marketBuy(150))->status, OrderStatus::Filled);
        h.market.set(CrudeFut, Price::fromRupees(5255));
        h.market.set(NiftyCall, Price::fromRupees(102));
        before = h.service->positions(&h.market);
        QCOMPARE(before.size(), 2u);
        QCOMPARE(before[0].instrumentKey, CrudeFut); // "MCX_FO|..." < "NSE_FO|..."
        QCOMPARE(before[0].netQuantity, -3);
        QCOMPARE(before[0].unrealisedPnl, Money::fromRupees(900)); // 3 x 100 bbl x Rs 3
        QCOMPARE(before[1].unrealisedPnl, Money::fromRupees(300)); // 150 x Rs 2
    }                                                              // the service closes (quit)
    Harness h;
    h.market.set(CrudeFut, Price::fromRupees(5255));
    h.market.set(NiftyCall, Price::fromRupees(102));
    QVERIFY(h.open(scratch.journal, scratch.db).ok());
    const std::vector<Position> after = h.service->positions(&h.market);
    QCOMPARE(after.size(), 2u);
    for (std::size_t i = 0; i < after.size(); ++i) {
        QCOMPARE(after[i].instrumentKey, before[i].instrumentKey);
        QCOMPARE(after[i].netQuantity, before[i].netQuantity);
        QCOMPARE(after[i].averagePrice, before[i].averagePrice);
        QCOMPARE(after[i].unrealisedPnl, before[i].unrealisedPnl);
        QCOMPARE(after[i].realisedPnl, before[i].realisedPnl);
    }
    // Buying the crude back realises the same Rs 900.
    QCOMPARE(h.service->submit(marketBuy(3, CrudeFut))->status, OrderStatus::Filled);
    const std::vector<Position> closed = h.service->positions(&h.market);
    QCOMPARE(closed[0].netQuantity, 0);
    QCOMPARE(closed[0].realisedPnl, Money::fromRupees(900));
}

void tst_OrderFlow::serviceCarriesDeliveryPositionsToTheNextDay()
{
    const Scratch scratch;
    {
        Harness h;
        h.market.set(CrudeFut, Price::fromRupees(5258));
        h.market.set(NiftyCall, Price::fromRupees(100));
        QVERIFY(h.open(scratch.journal, scratch.db).ok());
        OrderRequest carry = marketBuy(2, CrudeFut);
        carry.product = Product::Delivery;
        QCOMPARE(h.service->submit(carry)->status, OrderStatus::Filled);
        OrderRequest closeSome = marketBuy(1, CrudeFut);
        closeSome.product = Product::Delivery;
        closeSome.side = Side::Sell;
        h.market.set(CrudeFut, Price::fromRupees(5260));
        QCOMPARE(h.service->submit(closeSome)->status, OrderStatus::Filled);
        QCOMPARE(h.service->submit(marketBuy(75))->status, OrderStatus::Filled); // intraday
    }
    Harness h;
    h.clock.set(IstMoment::fromDay(tradingMoment().day() + 1, 10 * 60));
    h.market.set(CrudeFut, Price::fromRupees(5270));
    QVERIFY(h.open(scratch.journal, scratch.db).ok());
    const std::vector<Position> p = h.service->positions(&h.market);
    QCOMPARE(p.size(), 1u); // the intraday NIFTY was squared off with its day
    QCOMPARE(p[0].instrumentKey, CrudeFut);
    QCOMPARE(p[0].netQuantity, 1);
    QCOMPARE(p[0].averagePrice, Price::fromRupees(5258));
    QCOMPARE(p[0].realisedPnl, Money());                   // yesterday's Rs 200 is yesterday's
    QCOMPARE(p[0].unrealisedPnl, Money::fromRupees(1200)); // 1 lot x 100 x Rs 12
    // After the contract's expiry nothing is carried.
    Harness later;
    later.clock.set(IstMoment::fromDay(fromQDate(QDate(2025, 12, 22)), 10 * 60));
    h.service.reset();
    QVERIFY(later.open(scratch.journal, scratch.db).ok());
    QVERIFY(later.service->positions().empty());
}

void tst_OrderFlow::serviceAfterMarketOrderSaysItWaits()
{
    const Scratch scratch;
    Harness h;
    h.clock.set(IstMoment::fromDay(tradingMoment().day(), 16 * 60)); // NSE closed at 15:30
    QVERIFY(h.openOn(scratch, Price::fromRupees(100)).ok());
    auto out = h.service->submit(marketBuy(75));
    QVERIFY(out.ok());
    QCOMPARE(out->status, OrderStatus::Acknowledged); // open, not filled after the close
    const auto waiting = h.service->order(out->clientOrderId);
    QCOMPARE(QString::fromStdString(waiting->reason),
             QStringLiteral("after-market order: waits for the 09:15 IST open on Wed 10 Dec "
                            "(NSE_FO)"));
    QVERIFY(h.service->positions().empty());
    // The note is journaled: after a restart the book still says why the order waits.
    h.service.reset();
    QVERIFY(h.open(scratch.journal, scratch.db).ok()); // the same paper broker keeps the order
    QCOMPARE(h.service->order(out->clientOrderId)->reason, waiting->reason);
    h.clock.set(IstMoment::fromDay(tradingMoment().day() + 1, 9 * 60 + 15));
    h.broker.onPrices();
    h.service->drain(); // the fills it reports reach the book on the order thread
    const auto filled = h.service->order(out->clientOrderId);
    QCOMPARE(filled->status, OrderStatus::Filled);
    QCOMPARE(QString::fromStdString(filled->reason),
             QStringLiteral("after-market order: filled after the open"));
    QCOMPARE(h.service->positions().at(0).netQuantity, 75);
}

QTEST_GUILESS_MAIN(tst_OrderFlow)
#include "tst_orderflow.moc"
