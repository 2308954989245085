// Nothing lost: a child places orders and is killed with SIGKILL at random points, several
// times over the same journal and database. After recovery every order it reported as
// acknowledged is in the database exactly once, its row agrees with its events, and no event
// is stored twice. The seed is printed; STRIKELINE_CRASH_SEED=<n> replays a run.

#include "OrderTestSupport.h"
#include "orders/OrderJournal.h"
#include "orders/OrderStore.h"
#include "orders/PaperGateway.h"
#include "storage/Database.h"

#include <QProcess>
#include <QRandomGenerator>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace strikeline;
using namespace strikeline::ordertest;
using namespace std::chrono_literals;

class tst_OrderCrash : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void killedAtRandomPoints();
};

void tst_OrderCrash::killedAtRandomPoints()
{
    const QByteArray fixedSeed = qgetenv("STRIKELINE_CRASH_SEED");
    const quint32 seed =
        fixedSeed.isEmpty() ? QRandomGenerator::global()->generate() : fixedSeed.toUInt();
    qInfo("crash test seed %u (STRIKELINE_CRASH_SEED=%u replays it)", seed, seed);
    QRandomGenerator random(seed);

    QTemporaryDir dir;
    const QString journal = dir.filePath(QStringLiteral("journal"));
    const QString dbPath = dir.filePath(QStringLiteral("orders.db"));
    QSet<QString> acknowledged;
    constexpr int Rounds = 6;
    int completedRounds = 0;
    for (int round = 0; round < Rounds; ++round) {
        QProcess child;
        child.setProcessChannelMode(QProcess::SeparateChannels);
        child.start(QStringLiteral(ORDER_CRASH_CHILD),
                    {journal, dbPath, QString::number(random.generate()), QStringLiteral("3000")});
        QVERIFY2(child.waitForStarted(10000), qPrintable(child.errorString()));
        // The last round runs to the end: recovery of a clean exit is checked too.
        const bool kill = round < Rounds - 1;
        const int delayMs = 100 + static_cast<int>(random.bounded(1500));
        if (kill) {
            QTest::qWait(delayMs);
            const qint64 pid = child.processId(); // 0 once it has exited: never kill(0, ...)
            if (child.state() == QProcess::Running && pid > 0)
                ::kill(static_cast<pid_t>(pid), SIGKILL);
        }
        if (child.state() != QProcess::NotRunning)
            QVERIFY(child.waitForFinished(120000));
        const QList<QByteArray> lines = child.readAllStandardOutput().split('\n');
        int acks = 0;
        bool done = false;
        for (const QByteArray &line : lines) {
            if (line.startsWith("ACK ")) {
                acknowledged.insert(QString::fromUtf8(line.mid(4)));
                ++acks;
            }
            done = done || line == "DONE";
        }
        if (done)
            ++completedRounds;
        const QByteArray err = child.readAllStandardError();
        QVERIFY2(!err.contains("submit:") && !err.contains("open:"), err.constData());
        qInfo("round %d: %s after %d ms, %d acknowledgements", round, kill ? "killed" : "finished",
              kill ? delayMs : 0, acks);
    }
    QVERIFY(completedRounds >= 1); // the last round; a killed one may have finished first
    QVERIFY(acknowledged.size() > 0);

    // Recovery in this process: replay the journal into the database.
    SettableMarket market;
    FixedClock clock(tradingMoment());
    PaperGateway gateway(market, clock);
    OrderServiceConfig config;
    config.journalDirectory = journal;
    config.database.path = dbPath;
    RecoveryReport report;
    auto service = OrderService::open({testLookup(), acceptingValidator(), {&gateway}, clock},
                                      config, {}, &report);
    QVERIFY2(service.ok(), qPrintable(service.ok() ? QString() : service.error().message));
    QVERIFY(service.value()->waitPersisted(60s));
    qInfo("recovery: %zu events replayed, %lld torn bytes cut, %zu orders sent but never "
          "acknowledged",
          report.eventsReplayed, report.tornBytesCut, report.awaitingAcknowledgement);

    std::size_t journaled = 0;
    for (const QString &file : OrderJournal::journalFiles(journal)) {
        auto replay = OrderJournal::replay(file);
        QVERIFY(replay.ok());
        journaled += replay->records.size();
    }
    auto db = Database::open(config.database, QStringLiteral("check"));
    QVERIFY(db.ok());
    Database &d = *db.value();
    // Every journaled event is stored, once.
    QCOMPARE(d.scalar(QStringLiteral("SELECT count(*) FROM order_events"))->toULongLong(),
             static_cast<qulonglong>(journaled));
    // No order has a lifecycle step twice (a replay that re-journaled would show here).
    QCOMPARE(d.scalar(QStringLiteral(
                          "SELECT count(*) FROM (SELECT client_order_id, kind FROM order_events "
                          "WHERE kind IN ('created', 'validated', 'sent', 'acknowledged', "
                          "'fill') GROUP BY client_order_id, kind HAVING count(*) > 1)"))
                 ->toInt(),
             0);
    // Every row agrees with its newest event.
    QCOMPARE(d.scalar(QStringLiteral(
                          "SELECT count(*) FROM orders o WHERE o.last_sequence <> (SELECT "
                          "max(journal_sequence) FROM order_events e WHERE e.client_order_id = "
                          "o.client_order_id) OR o.status <> (SELECT status_after FROM "
                          "order_events e WHERE e.journal_sequence = o.last_sequence)"))
                 ->toInt(),
             0);
    // Every acknowledged order is there exactly once, acknowledged or beyond.
    for (const QString &id : std::as_const(acknowledged)) {
        auto n = d.scalar(
            QStringLiteral("SELECT count(*) FROM orders WHERE client_order_id = ? AND status IN "
                           "('acknowledged', 'partially_filled', 'filled', 'cancelled')"),
            {id});
        QVERIFY(n.ok());
        QVERIFY2(n->toInt() == 1, qPrintable(QStringLiteral("acknowledged order %1 missing or "
                                                            "in a wrong state")
                                                 .arg(id)));
    }
    auto stored = OrderStore::loadOrders(d);
    QVERIFY(stored.ok());
    QCOMPARE(stored->size(), service.value()->orders().size());
    // Positions after the kills are the journal's fills: per contract, what the stored orders
    // (leaves: unsliced orders and slices) say was filled, bought minus sold.
    const std::vector<Position> positions = service.value()->positions();
    QVERIFY(!positions.empty());
    for (const Position &p : positions) {
        auto net = d.scalar(QStringLiteral("SELECT COALESCE(SUM(CASE side WHEN 'BUY' THEN "
                                           "filled_quantity ELSE -filled_quantity END), 0) FROM "
                                           "orders WHERE instrument_key = ? AND slice_count = 0"),
                            {QString::fromStdString(p.instrumentKey)});
        QVERIFY(net.ok());
        QCOMPARE(p.netQuantity, net->toLongLong());
    }
    qInfo("%lld acknowledged orders checked, %zu orders stored, %zu events", acknowledged.size(),
          stored->size(), journaled);
}

QTEST_GUILESS_MAIN(tst_OrderCrash)
#include "tst_ordercrash.moc"
