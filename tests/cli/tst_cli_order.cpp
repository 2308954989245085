// strikeline-cli order --paper as a user runs it: a real process with scratch XDG folders, a
// scratch journal folder and a scratch SQLite database; exit codes, JSON, text, and what was
// (or was not) written.

#undef QT_NO_CAST_FROM_ASCII

#include "CliProcess.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLockFile>
#include <QProcess>
#include <QScopeGuard>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

struct Run : strikeline::testing::CliRun
{
    QStringList brokerIds() const
    {
        QStringList ids;
        for (const QJsonValue &v : json().value("broker_order_ids").toArray())
            ids << v.toString();
        return ids;
    }
    QStringList codes() const { return reasonCodes(); }
};

// A BANKNIFTY chain in Upstox's master format: the index, the December future (tick 0.10) and
// a 30 DEC 25 call (tick 0.05); lot 35, freeze 600 (so 700 is sent as two slices).
QJsonObject contract(const QString &key, const QString &type, const QString &symbol, double strike,
                     double tick)
{
    return QJsonObject{{"segment", "NSE_FO"},
                       {"name", "BANKNIFTY"},
                       {"exchange", "NSE"},
                       {"expiry", 1767117599000.0},
                       {"weekly", false},
                       {"instrument_type", type},
                       {"asset_symbol", "BANKNIFTY"},
                       {"underlying_symbol", "BANKNIFTY"},
                       {"instrument_key", key},
                       {"exchange_token", key.section('|', 1)},
                       {"lot_size", 35},
                       {"minimum_lot", 35},
                       {"freeze_quantity", 600.0},
                       {"asset_key", "NSE_INDEX|Nifty Bank"},
                       {"underlying_key", "NSE_INDEX|Nifty Bank"},
                       {"tick_size", tick},
                       {"asset_type", "INDEX"},
                       {"underlying_type", "INDEX"},
                       {"trading_symbol", symbol},
                       {"strike_price", strike},
                       {"qty_multiplier", 1.0}};
}

QByteArray bankNiftyMaster()
{
    const QJsonArray rows{
        QJsonObject{{"segment", "NSE_INDEX"},
                    {"name", "Nifty Bank"},
                    {"exchange", "NSE"},
                    {"instrument_type", "INDEX"},
                    {"instrument_key", "NSE_INDEX|Nifty Bank"},
                    {"exchange_token", "26009"},
                    {"trading_symbol", "BANKNIFTY"}},
        contract("NSE_FO|52175", "FUT", "BANKNIFTY FUT 30 DEC 25", 0, 10.0),
        contract("NSE_FO|52210", "CE", "BANKNIFTY 59000 CE 30 DEC 25", 59000, 5.0),
    };
    return QJsonDocument(rows).toJson(QJsonDocument::Compact);
}

const QString Call = "NSE_FO|52210";
const QString Future = "NSE_FO|52175";
const QString Morning = "2025-12-09 10:00";

} // namespace

class tst_CliOrder : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_master;
    int m_case = 0;
    QString m_journal; // this test function's
    QString m_dbFile;

    QString dbUrl() const { return "sqlite://" + m_dbFile; }

    Run cli(const QStringList &args) const
    {
        return Run{
            strikeline::testing::runCli(m_dir.filePath("home"), QStringList{"order"} + args)};
    }

    // An order on the call with this test's journal and database.
    Run order(const QStringList &args) const
    {
        return cli(QStringList{"--master", m_master, "--journal", m_journal, "--db", dbUrl(),
                               "--at", Morning} +
                   args);
    }

    // Rows of the orders table (-1 when the database cannot be read).
    qint64 count(const QString &sql) const
    {
        qint64 n = -1;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase("QSQLITE", "check");
            db.setDatabaseName(m_dbFile);
            if (db.open()) {
                QSqlQuery q(db);
                if (q.exec(sql) && q.next())
                    n = q.value(0).toLongLong();
                else
                    qWarning() << sql << q.lastError().text();
            }
        }
        QSqlDatabase::removeDatabase("check");
        return n;
    }

    QStringList journalFiles() const
    {
        return QDir(m_journal).entryList({"orders-*.journal"}, QDir::Files);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_master = m_dir.filePath("master.json");
        QFile f(m_master);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bankNiftyMaster());
    }

    void init()
    {
        ++m_case;
        m_journal = m_dir.filePath(QString("case%1/journal").arg(m_case));
        m_dbFile = m_dir.filePath(QString("case%1/orders.db").arg(m_case));
    }

    void haltRefusesEveryOrderUntilResumed()
    {
        const auto resume = qScopeGuard(
            [this] { strikeline::testing::runCli(m_dir.filePath("home"), {"resume"}); });
        const Run halted = Run{strikeline::testing::runCli(
            m_dir.filePath("home"), {"halt", "--reason", "nervous market", "--json"})};
        QVERIFY2(halted.exitCode == 0, halted.err.constData());
        QCOMPARE(halted.json().value("halted").toBool(), true);
        const QString file = halted.json().value("file").toString();
        QVERIFY2(file.startsWith(m_dir.filePath("home/data")), qPrintable(file));
        QVERIFY(QFileInfo::exists(file));

        // Refused before anything is written, whatever the order.
        const QStringList args{"--paper", "--key",  Call,    "--side",  "buy", "--qty",
                               "35",      "--type", "limit", "--price", "400", "--json"};
        Run r = order(args);
        QCOMPARE(r.exitCode, 3);
        QCOMPARE(r.codes(), QStringList{"trading_halted"});
        QVERIFY2(r.json()
                     .value("reasons")
                     .toArray()
                     .first()
                     .toObject()
                     .value("message")
                     .toString()
                     .contains("nervous market"),
                 r.out.constData());
        QVERIFY(journalFiles().isEmpty());
        // validate says the same: it would be refused.
        const Run v = Run{strikeline::testing::runCli(
            m_dir.filePath("home"),
            {"validate", "--master", m_master, "--at", Morning, "--key", Call, "--side", "buy",
             "--qty", "35", "--type", "limit", "--price", "400", "--json"})};
        QCOMPARE(v.exitCode, 3);
        QCOMPARE(v.codes(), QStringList{"trading_halted"});

        // A damaged file is the safe side: still halted, saying why.
        {
            QFile f(file);
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write("{\"halted\": fal");
        }
        r = order(args);
        QCOMPARE(r.exitCode, 3);
        QCOMPARE(r.codes(), QStringList{"trading_halted"});
        QVERIFY2(r.err.contains("damaged"), r.err.constData());

        const Run resumed = Run{strikeline::testing::runCli(m_dir.filePath("home"), {"resume"})};
        QVERIFY2(resumed.exitCode == 0, resumed.err.constData());
        QVERIFY2(resumed.out.contains("Trading resumed."), resumed.out.constData());
        r = order(args);
        QVERIFY2(r.exitCode == 0, r.out.constData());
        QCOMPARE(journalFiles().size(), 1);
    }

    void marketFillsAtLtp()
    {
        const Run r = order({"--paper", "--key", Call, "--side", "buy", "--qty", "70", "--type",
                             "market", "--ltp", "412.35", "--json"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject o = r.json();
        QCOMPARE(o.value("ok").toBool(), true);
        QCOMPARE(o.value("duplicate").toBool(), false);
        QCOMPARE(o.value("simulated").toBool(), true);
        QCOMPARE(o.value("status").toString(), QString("filled"));
        QCOMPARE(o.value("filled_quantity").toInteger(), 70);
        QCOMPARE(o.value("average_price").toDouble(), 412.35);
        QCOMPARE(r.brokerIds().size(), 1);
        QVERIFY(!r.brokerIds().first().isEmpty());
        QCOMPARE(o.value("slices").toArray(), QJsonArray{70});
        QCOMPARE(o.value("persisted_to").toString(), dbUrl());
        const QString id = o.value("client_order_id").toString();
        QVERIFY2(id.startsWith("SL251209-"), qPrintable(id)); // generated from the journal
        QCOMPARE(count("SELECT COUNT(*) FROM orders"), 1);
        QCOMPARE(count(QString("SELECT COUNT(*) FROM orders WHERE client_order_id = '%1' AND "
                               "status = 'filled' AND filled_quantity = 70 AND "
                               "average_price_raw = 4123500 AND broker_order_ids = '%2'")
                           .arg(id, r.brokerIds().first())),
                 1);
        QCOMPARE(journalFiles(), QStringList{"orders-2025-12-09.journal"});
    }

    void marketFillsAtSimulatedPrice()
    {
        // The future is priced from the --spot level with carry: a little above it.
        const Run r = order({"--paper", "--key", "BANKNIFTY FUT 30 DEC 25", "--side", "sell",
                             "--qty", "35", "--type", "market", "--spot", "59000"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QString out = QString::fromUtf8(r.out);
        QVERIFY2(out.contains("BANKNIFTY FUT 30 DEC 25  SELL 35 MARKET  D DAY  at 2025-12-09 "
                              "10:00 IST\nACCEPTED (paper broker, simulated prices)"),
                 qPrintable(out));
        QVERIFY2(out.contains("  status      filled\n"), qPrintable(out));
        QVERIFY2(out.contains("persisted to " + dbUrl()), qPrintable(out));
        QCOMPARE(count("SELECT COUNT(*) FROM orders WHERE status = 'filled' AND "
                       "instrument_key = 'NSE_FO|52175' AND side = 'SELL' AND "
                       "average_price_raw > 590000000 AND average_price_raw < 595000000"),
                 1);
    }

    void limitFarFromThePriceStaysOpen()
    {
        const Run r =
            order({"--paper", "--key", Call, "--side", "buy", "--qty", "35", "--type", "limit",
                   "--price", "300", "--ltp", "412.35", "--tag", "far-1", "--json"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject o = r.json();
        QCOMPARE(o.value("status").toString(), QString("acknowledged"));
        QCOMPARE(o.value("client_order_id").toString(), QString("far-1"));
        QCOMPARE(o.value("filled_quantity").toInteger(), 0);
        QVERIFY(o.value("average_price").isNull());
        QCOMPARE(r.brokerIds().size(), 1);
        QCOMPARE(count("SELECT COUNT(*) FROM orders WHERE client_order_id = 'far-1' AND "
                       "status = 'acknowledged' AND filled_quantity = 0"),
                 1);
    }

    void crossingLimitFillsAtTheLastPrice()
    {
        const Run r = order({"--paper", "--key", Call, "--side", "buy", "--qty", "35", "--type",
                             "limit", "--price", "420", "--ltp", "412.35", "--json"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(r.json().value("status").toString(), QString("filled"));
        QCOMPARE(r.json().value("average_price").toDouble(), 412.35);
    }

    void slicedAboveTheFreezeQuantity()
    {
        const Run r = order({"--paper", "--key", Call, "--side", "buy", "--qty", "700", "--type",
                             "market", "--ltp", "412.35", "--tag", "big", "--json"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject o = r.json();
        QCOMPARE(o.value("status").toString(), QString("filled"));
        QCOMPARE(o.value("slices").toArray(), (QJsonArray{595, 105}));
        const QJsonArray children = o.value("children").toArray();
        QCOMPARE(children.size(), 2);
        QCOMPARE(children.at(0).toObject().value("client_order_id").toString(), QString("big.01"));
        QCOMPARE(r.brokerIds().size(), 2);
        QCOMPARE(count("SELECT COUNT(*) FROM orders WHERE parent_client_order_id = 'big' AND "
                       "status = 'filled'"),
                 2);
        QCOMPARE(count("SELECT COUNT(*) FROM orders"), 3);
    }

    void rejectedWritesNothing()
    {
        Run r = order({"--paper", "--key", Call, "--side", "buy", "--qty", "35", "--type", "limit",
                       "--price", "412.33", "--tag", "offtick", "--json"});
        QCOMPARE(r.exitCode, 3);
        const QJsonObject o = r.json();
        QCOMPARE(o.value("ok").toBool(), false);
        QCOMPARE(o.value("status").toString(), QString("rejected"));
        QCOMPARE(r.codes(), QStringList{"price_off_tick"});
        QVERIFY(r.brokerIds().isEmpty());
        QVERIFY(o.value("slices").toArray().isEmpty());
        QVERIFY(o.value("persisted_to").isNull());
        QVERIFY2(!QFileInfo::exists(m_journal), "a rejected order created the journal folder");
        QVERIFY2(!QFileInfo::exists(m_dbFile), "a rejected order created the database");

        r = order({"--paper", "--key", Call, "--side", "buy", "--qty", "35", "--price", "412.33"});
        QCOMPARE(r.exitCode, 3);
        const QString out = QString::fromUtf8(r.out);
        QVERIFY2(out.contains("\nREJECTED\n  error    price_off_tick: Price 412.33 is not a "
                              "multiple of the tick 0.05"),
                 qPrintable(out));
        QVERIFY(!QFileInfo::exists(m_journal));
        QVERIFY(!QFileInfo::exists(m_dbFile));
    }

    void withoutAVenueIsAUsageError()
    {
        const Run r = order(
            {"--key", Call, "--side", "buy", "--qty", "35", "--type", "market", "--ltp", "412.35"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("say where the order goes: --paper (the paper broker, simulated "
                                "prices) or --live (Upstox, for real)"),
                 r.err.constData());
        QVERIFY(r.out.isEmpty());
        QVERIFY(!QFileInfo::exists(m_journal));
        QVERIFY(!QFileInfo::exists(m_dbFile));
    }

    void malformedArgumentsAreUsageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("qty") << QStringList{"--qty", "many"} << "--qty must be a whole number";
        QTest::newRow("tag alphabet") << QStringList{"--qty", "35", "--tag", "my order"}
                                      << "--tag 'my order' must be 1-20 characters";
        QTest::newRow("tag too long to slice")
            << QStringList{"--qty", "700", "--tag", "ABCDEFGHIJKLMNOPQR"}
            << "is too long for an order sliced into 2";
        QTest::newRow("ltp and spot") << QStringList{"--qty", "35", "--spot", "59000"}
                                      << "give --ltp (the contract's price) or --spot";
    }

    void malformedArgumentsAreUsageErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const Run r = order(QStringList{"--paper", "--key", Call, "--side", "buy", "--type",
                                        "market", "--ltp", "412.35"} +
                            args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
        QVERIFY(!QFileInfo::exists(m_journal));
        QVERIFY(!QFileInfo::exists(m_dbFile));
    }

    void sameTagTwicePlacesOnce()
    {
        const QStringList args{"--paper", "--key",  Call,    "--side", "buy",   "--qty", "35",
                               "--type",  "market", "--ltp", "412.35", "--tag", "once-1"};
        const Run first = order(args + QStringList{"--json"});
        QVERIFY2(first.exitCode == 0, first.err.constData());
        QCOMPARE(first.json().value("duplicate").toBool(), false);
        const qint64 events = count("SELECT COUNT(*) FROM order_events");
        QVERIFY(events > 0);
        const QFileInfo journal(m_journal + "/orders-2025-12-09.journal");
        const qint64 journalBytes = journal.size();

        // Another process, another paper broker: only the journal knows the order. Exit 4:
        // nothing new was placed; the JSON describes the order placed before.
        const Run second =
            order(QStringList{"--paper", "--key", Future, "--side", "sell", "--qty", "70", "--type",
                              "market", "--ltp", "59000", "--tag", "once-1", "--json"});
        QVERIFY2(second.exitCode == 4, second.err.constData());
        const QJsonObject o = second.json();
        QCOMPARE(o.value("duplicate").toBool(), true);
        QCOMPARE(o.value("client_order_id").toString(), QString("once-1"));
        QCOMPARE(o.value("side").toString(), QString("BUY"));
        QCOMPARE(o.value("instrument_key").toString(), Call);
        QCOMPARE(o.value("trading_symbol").toString(), QString("BANKNIFTY 59000 CE 30 DEC 25"));
        QCOMPARE(o.value("quantity").toInteger(), 35);
        QCOMPARE(o.value("status").toString(), QString("filled"));
        QCOMPARE(second.brokerIds(), first.brokerIds());
        QCOMPARE(o.value("average_price").toDouble(), 412.35);
        QCOMPARE(count("SELECT COUNT(*) FROM orders"), 1);
        QCOMPARE(count("SELECT COUNT(*) FROM order_events"), events);
        QCOMPARE(QFileInfo(journal.filePath()).size(), journalBytes);

        // Even when today's checks would refuse it (a different price), the tag answers.
        const Run third = order({"--paper", "--key", Call, "--side", "buy", "--qty", "35",
                                 "--price", "412.33", "--tag", "once-1"});
        QVERIFY2(third.exitCode == 4, third.err.constData());
        QVERIFY2(third.out.startsWith("DUPLICATE: nothing new was placed. Client order id once-1 "
                                      "is already today's order:\n  order       BANKNIFTY 59000 "
                                      "CE 30 DEC 25  BUY 35 MARKET  D DAY  at 2025-12-09 10:00"),
                 third.out.constData());
        QVERIFY2(!third.out.contains("412.33"), third.out.constData()); // not the new request
        QVERIFY2(QString::fromUtf8(third.out).contains("broker ids  " + first.brokerIds().first()),
                 third.out.constData());
        QCOMPARE(count("SELECT COUNT(*) FROM orders"), 1);
    }

    void unwritableJournalFolder()
    {
        // A folder under a regular file cannot be created (also as root).
        const QString blocker = m_dir.filePath(QString("case%1/blocker").arg(m_case));
        QVERIFY(QDir().mkpath(QFileInfo(blocker).path()));
        QFile f(blocker);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.close();
        m_journal = blocker + "/journal";
        const Run r = order({"--paper", "--key", Call, "--side", "buy", "--qty", "35", "--type",
                             "market", "--ltp", "412.35", "--json"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(QString::fromUtf8(r.err).contains("cannot create the order journal folder " +
                                                   m_journal),
                 r.err.constData());
        QVERIFY(r.out.isEmpty());
        QVERIFY2(!QFileInfo::exists(m_dbFile), "the database was touched before the journal");
    }

    void damagedJournalIsRefused()
    {
        QVERIFY(QDir().mkpath(m_journal));
        QFile f(m_journal + "/orders-2025-12-08.journal");
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray("SLORDJ01") + QByteArray(4, '\x05') + QByteArray(64, 'x'));
        f.close();
        const Run r = order({"--paper", "--key", Call, "--side", "buy", "--qty", "35", "--type",
                             "market", "--ltp", "412.35"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("orders-2025-12-08.journal is damaged"), r.err.constData());
        QCOMPARE(journalFiles(), QStringList{"orders-2025-12-08.journal"});
    }

    void twoJournalsShareTheDatabase()
    {
        // Issue 16's repro: two journals (two terminals) on one database, the same day and
        // the same journal sequences. Both orders are stored; neither is dropped.
        const QString other = m_dir.filePath(QString("case%1/journal-b").arg(m_case));
        const Run a = order({"--paper", "--key", Call, "--side", "buy", "--qty", "35", "--type",
                             "market", "--ltp", "412.35", "--tag", "A-hedge"});
        QVERIFY2(a.exitCode == 0, a.err.constData());
        const Run b =
            cli({"--master", m_master,  "--journal", other,   "--db",   dbUrl(), "--at",
                 Morning,    "--paper", "--key",     Future,  "--side", "sell",  "--qty",
                 "70",       "--type",  "market",    "--ltp", "59000",  "--tag", "B-short"});
        QVERIFY2(b.exitCode == 0, b.err.constData());
        QVERIFY(b.out.contains("persisted to"));
        QCOMPARE(count("SELECT COUNT(*) FROM orders"), 2);
        QCOMPARE(count("SELECT COUNT(*) FROM orders WHERE client_order_id = 'B-short' AND "
                       "side = 'SELL' AND quantity = 70 AND filled_quantity = 70"),
                 1);
        QCOMPARE(count("SELECT COUNT(*) FROM order_events"), 10);
        QCOMPARE(count("SELECT COUNT(DISTINCT journal_id) FROM order_events"), 2);
    }

    void tagReusedOnALaterDay()
    {
        // The same tag the next day is a new order (a tag names an order within one journal
        // day), stored as a row of its own: nothing is merged.
        const Run first = order({"--paper", "--key", Call, "--side", "buy", "--qty", "35", "--type",
                                 "market", "--ltp", "412.35", "--tag", "a1", "--json"});
        QVERIFY2(first.exitCode == 0, first.err.constData());
        const Run second = cli({"--master", m_master, "--journal", m_journal,
                                "--db",     dbUrl(),  "--at",      "2025-12-10 10:00",
                                "--paper",  "--key",  Future,      "--side",
                                "sell",     "--qty",  "700",       "--type",
                                "market",   "--ltp",  "59000",     "--tag",
                                "a1",       "--json"});
        QVERIFY2(second.exitCode == 0, second.err.constData());
        QCOMPARE(second.json().value("duplicate").toBool(), false);
        QCOMPARE(count("SELECT COUNT(*) FROM orders WHERE client_order_id = 'a1'"), 2);
        QCOMPARE(count(QString("SELECT COUNT(*) FROM orders WHERE client_order_id = 'a1' AND "
                               "instrument_key = '%1' AND side = 'BUY' AND quantity = 35 AND "
                               "filled_quantity = 35 AND broker_order_ids = '%2'")
                           .arg(Call, first.brokerIds().first())),
                 1);
        QCOMPARE(count(QString("SELECT COUNT(*) FROM orders WHERE client_order_id = 'a1' AND "
                               "instrument_key = '%1' AND side = 'SELL' AND quantity = 700 AND "
                               "filled_quantity = 700")
                           .arg(Future)),
                 1);
    }

    void sliceIdIsNotATag()
    {
        // "Q.01" would be the first slice of a sliced "Q": refused as a tag, so the sliced
        // order's children are its own.
        const Run lookalike = order({"--paper", "--key", Call, "--side", "sell", "--qty", "35",
                                     "--type", "market", "--ltp", "412.35", "--tag", "Q.01"});
        QCOMPARE(lookalike.exitCode, 2);
        QVERIFY2(lookalike.err.contains("ends in \".NN\", which names the slices"),
                 lookalike.err.constData());
        QVERIFY(journalFiles().isEmpty());
        const Run sliced = order({"--paper", "--key", Call, "--side", "buy", "--qty", "700",
                                  "--type", "market", "--ltp", "412.35", "--tag", "Q", "--json"});
        QVERIFY2(sliced.exitCode == 0, sliced.err.constData());
        QCOMPARE(sliced.json().value("filled_quantity").toInteger(), 700);
        QCOMPARE(count("SELECT COUNT(*) FROM orders WHERE parent_client_order_id = 'Q'"), 2);
        QCOMPARE(count("SELECT SUM(filled_quantity) FROM orders WHERE parent_client_order_id = "
                       "'Q'"),
                 700);
    }

    void paperBrokerIdsDoNotRepeatAcrossRuns()
    {
        // Both runs say --at 10:00: the broker ids must still differ.
        const Run a = order({"--paper", "--key", Call, "--side", "buy", "--qty", "35", "--type",
                             "market", "--ltp", "412.35", "--json"});
        const Run b = order({"--paper", "--key", Call, "--side", "buy", "--qty", "35", "--type",
                             "market", "--ltp", "412.35", "--json"});
        QVERIFY2(a.exitCode == 0 && b.exitCode == 0, QByteArray(a.err + b.err).constData());
        QVERIFY(!a.brokerIds().isEmpty() && !b.brokerIds().isEmpty());
        QVERIFY2(a.brokerIds() != b.brokerIds(), qPrintable(a.brokerIds().join(',')));
        QCOMPARE(count("SELECT COUNT(DISTINCT broker_order_ids) FROM orders"), 2);
    }

    void repeatedOptionsAreRefused_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("order --side") << QStringList{"order", "--paper", "--key", Call,     "--qty",
                                                     "35",    "--side",  "buy",   "--side", "sell"}
                                      << "--side is given 2 times ('buy', 'sell')";
        QTest::newRow("validate --qty")
            << QStringList{"validate", "--key", Call, "--side", "buy", "--qty", "35", "--qty", "70"}
            << "--qty is given 2 times";
        QTest::newRow("order --paper twice")
            << QStringList{"order",  "--paper", "--paper", "--key", Call,
                           "--side", "buy",     "--qty",   "35"}
            << "--paper is given twice";
        QTest::newRow("search --limit")
            << QStringList{"search", "nifty", "--limit", "1", "--limit", "2"}
            << "--limit is given 2 times";
        QTest::newRow("info --json")
            << QStringList{"info", Call, "--json", "--json"} << "--json is given twice";
        QTest::newRow("sync --source")
            << QStringList{"sync", "--source", "a.json", "--source", "b.json"}
            << "--source is given 2 times";
        QTest::newRow("history --db")
            << QStringList{"history", "--db", "sqlite:///a.db", "--db", "sqlite:///b.db"}
            << "--db is given 2 times";
    }

    void repeatedOptionsAreRefused()
    {
        // Every command: the last value silently winning would act on what was not meant.
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const Run r{strikeline::testing::runCli(m_dir.filePath("home"), args)};
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
        QVERIFY(r.out.isEmpty());
    }

    void outOfRangeInputIsRefused_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        const QStringList base{"--paper", "--key", Call, "--side", "buy", "--type", "limit"};
        QTest::newRow("huge qty") << base + QStringList{"--qty", "9223372036854775775", "--price",
                                                        "400",   "--max-value",         "0"}
                                  << "--qty 9223372036854775775 is above 10000000";
        QTest::newRow("qty beyond 64 bits")
            << base + QStringList{"--qty", "99999999999999999999", "--price", "400"}
            << "is above 10000000";
        QTest::newRow("price 0") << base + QStringList{"--qty", "35", "--price", "0"}
                                 << "--price '0' must be a positive price in rupees";
        QTest::newRow("negative trigger")
            << base + QStringList{"--qty", "35", "--price", "400", "--trigger", "-5"}
            << "--trigger '-5' must be a positive price";
        QTest::newRow("price beyond 64 bits")
            << base + QStringList{"--qty", "35", "--price", "9999999999999999999"}
            << "--price '9999999999999999999' is above Rs 10000000";
        QTest::newRow("price above the bound")
            << base + QStringList{"--qty", "35", "--price", "10000001"} << "is above Rs 10000000";
        QTest::newRow("five decimals") << base + QStringList{"--qty", "35", "--price", "1.00001"}
                                       << "--price '1.00001' has more than 4 decimals";
        QTest::newRow("not a number") << base + QStringList{"--qty", "35", "--price", "abc"}
                                      << "--price 'abc' is not a price in rupees";
    }

    void outOfRangeInputIsRefused()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const Run r = order(args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
        QVERIFY(!r.err.contains("needs a price"));
        QVERIFY(!r.err.contains("4 decimals") || message.contains("4 decimals"));
        QVERIFY(!QFileInfo::exists(m_journal));
    }

    void longKeyAndEarlyDateAreRefused()
    {
        const Run key = cli({"--master", m_master, "--journal", m_journal, "--db", dbUrl(), "--at",
                             Morning, "--paper", "--key", QString(10000, 'K'), "--side", "buy",
                             "--qty", "35", "--type", "market"});
        QCOMPARE(key.exitCode, 2);
        QVERIFY2(key.err.contains("--key is 10000 characters long"), key.err.constData());
        QVERIFY(key.err.size() < 1000); // the key is not echoed back
        const Run early = cli({"--master", m_master, "--journal", m_journal, "--db", dbUrl(),
                               "--at", "1969-12-31", "--paper", "--key", Call, "--side", "buy",
                               "--qty", "35", "--type", "market", "--ltp", "412.35"});
        QCOMPARE(early.exitCode, 2);
        QVERIFY2(early.err.contains("--at '1969-12-31' is outside the years 2000-2099"),
                 early.err.constData());
        QVERIFY(!QFileInfo::exists(m_journal));
    }

    void staleLockOfAKilledRunIsTakenOver()
    {
        // A run killed with SIGKILL while it held the journal folder's lock, and while QLockFile
        // was creating its removal lock (".rmlock", still empty: killed between creating and
        // writing it). QLockFile alone waits out its 30 s stale time on that empty file.
        QVERIFY(QDir().mkpath(m_journal));
        const QString lockPath = m_journal + "/orders.lock";
        const pid_t child = ::fork();
        QVERIFY(child >= 0);
        if (child == 0) {
            QLockFile lock(lockPath);
            QFile removal(lockPath + ".rmlock");
            if (!lock.tryLock(0) || !removal.open(QIODevice::WriteOnly))
                ::_exit(3);
            ::kill(::getpid(), SIGKILL);
            ::_exit(4);
        }
        int status = 0;
        QCOMPARE(::waitpid(child, &status, 0), child);
        QVERIFY(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        QVERIFY(QFileInfo::exists(lockPath));
        // The killed run was a while ago: its empty file is not one being written right now.
        QFile removal(lockPath + ".rmlock");
        QVERIFY(removal.open(QIODevice::ReadWrite));
        QVERIFY(removal.setFileTime(QDateTime::currentDateTime().addSecs(-10),
                                    QFileDevice::FileModificationTime));
        removal.close();

        const Run r = order({"--paper", "--key", Call, "--side", "buy", "--qty", "35", "--type",
                             "market", "--ltp", "412.35"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.err.contains(QString("took over the stale lock orders.lock (process %1, gone)")
                                    .arg(child)
                                    .toUtf8()),
                 r.err.constData());
        QVERIFY2(r.err.contains("took over the stale lock orders.lock.rmlock (left empty)"),
                 r.err.constData());
        QVERIFY(!QFileInfo::exists(lockPath + ".rmlock"));
        QVERIFY(!QFileInfo::exists(lockPath)); // released when the run ended
        QCOMPARE(count("SELECT COUNT(*) FROM orders"), 1);
    }

    void orderOnAFullDisk()
    {
        // The journal on a tiny tmpfs that fills up: the write of the order's batch comes back
        // short (ENOSPC). The CLI says the order was not placed, and the journal holds nothing
        // of it: the next start replays no phantom order.
        const QString mountPoint = m_dir.filePath(QString("case%1/tmpfs").arg(m_case));
        QVERIFY(QDir().mkpath(mountPoint));
        if (::mount("tmpfs", QFile::encodeName(mountPoint).constData(), "tmpfs", 0, "size=64k") !=
            0)
            QSKIP(qPrintable(QString("cannot mount a tmpfs here (%1): needs root; "
                                     "tst_orderjournal's failedWriteLeavesNothingToReplay "
                                     "covers the short write without it")
                                 .arg(QString::fromLocal8Bit(strerror(errno)))));
        const auto unmount =
            qScopeGuard([&] { ::umount2(QFile::encodeName(mountPoint).constData(), MNT_DETACH); });
        const QString journal = mountPoint + "/journal";
        const QString journalFile = journal + "/orders-2025-12-09.journal";
        auto place = [&](const QString &tag) {
            return cli({"--master", m_master,  "--journal", journal, "--db",   dbUrl(), "--at",
                        Morning,    "--paper", "--key",     Call,    "--side", "buy",   "--qty",
                        "35",       "--type",  "market",    "--ltp", "412.35", "--tag", tag});
        };
        // Orders until the journal's last page has less room than one order's first batch
        // (created, validated, sent: over 500 bytes; tmpfs hands out 4 KiB pages), then fill
        // every other page but one (the run's lock file takes that one).
        int placed = 0;
        do {
            const Run r = place(QString("fill-%1").arg(placed++));
            QVERIFY2(r.exitCode == 0, r.err.constData());
        } while (4096 - QFileInfo(journalFile).size() % 4096 > 400 && placed < 40);
        QVERIFY(placed < 40);
        {
            QFile filler(mountPoint + "/filler");
            QVERIFY(filler.open(QIODevice::WriteOnly | QIODevice::Unbuffered));
            const QByteArray page(4096, 'f');
            while (filler.write(page) == page.size()) {
            }
            QVERIFY(filler.resize((filler.size() / 4096 - 1) * 4096));
        }
        const qint64 before = QFileInfo(journalFile).size();
        const qint64 storedBefore = count("SELECT COUNT(*) FROM order_events");

        const Run full = place("on-full-disk");
        QCOMPARE(full.exitCode, 1);
        QVERIFY2(full.err.contains("order not placed"), full.err.constData());
        QVERIFY2(full.err.contains("No space left on device"), full.err.constData());
        QCOMPARE(QFileInfo(journalFile).size(), before); // nothing of it stays on disk
        QCOMPARE(count("SELECT COUNT(*) FROM order_events"), storedBefore);

        // Space again: the next start finds no torn tail and no order of the failed run.
        QVERIFY(QFile::remove(mountPoint + "/filler"));
        const Run next = place("after-full-disk");
        QVERIFY2(next.exitCode == 0, next.err.constData());
        QVERIFY2(!next.err.contains("torn") && !next.err.contains("never acknowledged"),
                 next.err.constData());
        QCOMPARE(count("SELECT COUNT(*) FROM orders WHERE client_order_id = 'on-full-disk'"), 0);
        QCOMPARE(count("SELECT COUNT(*) FROM orders"), placed + 1);
    }

    void unreachableDatabase()
    {
        // Port 1 on the loopback: refused at once. The password never reaches the output.
        const Run r =
            cli({"--master", m_master, "--journal", m_journal, "--at", Morning, "--db",
                 "postgresql://trader:hunter2@127.0.0.1:1/orders", "--paper", "--key", Call,
                 "--side", "buy", "--qty", "35", "--type", "market", "--ltp", "412.35"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("cannot open the database postgresql://trader:***@127.0.0.1:1/"
                                "orders"),
                 r.err.constData());
        QVERIFY(!r.err.contains("hunter2"));
        QVERIFY(r.out.isEmpty());
        QVERIFY2(journalFiles().isEmpty(), "an order was journaled without a database");
    }
};

QTEST_GUILESS_MAIN(tst_CliOrder)
#include "tst_cli_order.moc"
