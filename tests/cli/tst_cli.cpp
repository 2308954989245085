// strikeline-cli as a user runs it: a real process, real arguments, exit codes and output.

// Test tables read better with plain string literals.
#undef QT_NO_CAST_FROM_ASCII

#include "CliProcess.h"
#include "TestData.h"
#include "analytics/Black76.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

namespace {

using Run = strikeline::testing::CliRun;

// The CLI's default database lives in the app-data folder: point it at a scratch one so tests
// never touch a real user's data.
QString &scratchHome()
{
    static QString home;
    return home;
}

Run cli(const QStringList &args)
{
    return strikeline::testing::runCli(scratchHome(), args);
}

// A tiny valid master: NIFTY index, one future, three strikes of CE/PE expiring 2025-12-09.
QByteArray tinyMaster()
{
    QByteArray rows =
        R"([{"segment":"NSE_INDEX","name":"Nifty 50","exchange":"NSE","instrument_type":"INDEX","instrument_key":"NSE_INDEX|Nifty 50","exchange_token":"26000","trading_symbol":"NIFTY"},
{"weekly":false,"segment":"NSE_FO","name":"NIFTY","exchange":"NSE","expiry":1767117599000,"instrument_type":"FUT","asset_symbol":"NIFTY","underlying_symbol":"NIFTY","instrument_key":"NSE_FO|52168","lot_size":75,"freeze_quantity":1800.0,"exchange_token":"52168","minimum_lot":75,"asset_key":"NSE_INDEX|Nifty 50","underlying_key":"NSE_INDEX|Nifty 50","tick_size":10.0,"asset_type":"INDEX","underlying_type":"INDEX","trading_symbol":"NIFTY FUT 30 DEC 25","strike_price":0.0,"qty_multiplier":1.0})";
    int token = 41900;
    for (int strike : {25900, 26000, 26100}) {
        for (const char *type : {"CE", "PE"}) {
            rows +=
                QStringLiteral(
                    R"(,{"weekly":true,"segment":"NSE_FO","name":"NIFTY","exchange":"NSE","expiry":1765304999000,"instrument_type":"%1","asset_symbol":"NIFTY","underlying_symbol":"NIFTY","instrument_key":"NSE_FO|%2","lot_size":75,"freeze_quantity":1800.0,"exchange_token":"%2","minimum_lot":75,"asset_key":"NSE_INDEX|Nifty 50","underlying_key":"NSE_INDEX|Nifty 50","tick_size":5.0,"asset_type":"INDEX","underlying_type":"INDEX","trading_symbol":"NIFTY %3 %1 09 DEC 25","strike_price":%3.0,"qty_multiplier":1.0})")
                    .arg(QLatin1String(type))
                    .arg(++token)
                    .arg(strike)
                    .toUtf8();
        }
    }
    return rows + "]";
}

} // namespace

class tst_Cli : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void usageErrors_data();
    void usageErrors();
    void dataErrors_data();
    void dataErrors();
    void searchJsonShape();
    void searchTable();
    void searchSuggestsOnNoMatch();
    void chainWithSpot();
    void chainNearestExpiryAndUnknowns();
    void infoByKeyAndSymbol();
    void staleMasterWarnsAndHidesExpired();
    void realMasterGoldens();
    void versionAndHelp();
    void syncIntoDatabaseThenQuery();
    void readCommandsCreateNothing_data();
    void readCommandsCreateNothing();
    void malformedDatabaseUrlsCreateNothing();
    void syncReportsKeptAndRepeatedRows();
    void greeksRoundTrip_data();
    void greeksRoundTrip();
    void greeksTable();
    void greeksTimeBasis();
    void greeksErrors_data();
    void greeksErrors();

private:
    QTemporaryDir m_dir;
    QString m_tiny;
    QString m_truncated;
};

void tst_Cli::initTestCase()
{
    QVERIFY(m_dir.isValid());
    scratchHome() = m_dir.filePath(QStringLiteral("home"));
    m_tiny = m_dir.filePath(QStringLiteral("tiny.json"));
    QFile f(m_tiny);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(tinyMaster());
    f.close();
    m_truncated = m_dir.filePath(QStringLiteral("truncated.json"));
    QFile t(m_truncated);
    QVERIFY(t.open(QIODevice::WriteOnly));
    t.write(tinyMaster().left(900));
}

void tst_Cli::usageErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("stderrHas");
    QTest::newRow("no command") << QStringList() << "Usage";
    QTest::newRow("unknown command") << QStringList{"frobnicate"} << "unknown command";
    QTest::newRow("search without query") << QStringList{"search", "--master", "X"} << "query";
    QTest::newRow("bad limit") << QStringList{"search", "NIFTY", "--limit", "abc", "--master", "X"}
                               << "--limit";
    QTest::newRow("master and db")
        << QStringList{"search", "NIFTY", "--master", "X", "--db", "sqlite:///tmp/x.db"}
        << "not both";
    QTest::newRow("bad db url") << QStringList{"search", "NIFTY", "--db", "mysql://h/db"}
                                << "bad database URL";
    QTest::newRow("sync bad min-rows") << QStringList{"sync", "--min-rows", "150"} << "--min-rows";
    QTest::newRow("history bad limit") << QStringList{"history", "--limit", "x"} << "--limit";
    QTest::newRow("bad at") << QStringList{"search", "NIFTY", "--master", "X", "--at", "yesterday"}
                            << "not a date";
    QTest::newRow("bad spot") << QStringList{"chain", "NIFTY", "--spot", "-5", "--master", "X"}
                              << "--spot";
    QTest::newRow("bad strikes") << QStringList{"chain", "NIFTY", "--strikes", "0", "--master", "X"}
                                 << "--strikes";
    QTest::newRow("unknown option") << QStringList{"info", "--bogus"} << "bogus";
    QTest::newRow("bad expiry") << QStringList{"chain", "NIFTY", "--expiry", "2025-13-40"}
                                << "valid calendar date";
}

void tst_Cli::usageErrors()
{
    QFETCH(QStringList, args);
    QFETCH(QString, stderrHas);
    const Run r = cli(args);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(QString::fromUtf8(r.err).contains(stderrHas), r.err.constData());
}

void tst_Cli::dataErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("stderrHas");
    QTest::newRow("missing file") << QStringList{"search", "NIFTY", "--master",
                                                 "/nonexistent/m.json"}
                                  << "cannot open";
    // Only the embedded default database gets the demo master on first run (tests/packaging).
    QTest::newRow("missing database")
        << QStringList{"search", "NIFTY", "--db", "sqlite:///SCRATCH/empty.db"}
        << "there is no database";
    QTest::newRow("sync missing file") << QStringList{"sync", "--source", "/nonexistent/m.json.gz",
                                                      "--db", "sqlite:///SCRATCH/a.db"}
                                       << "cannot open the master";
    QTest::newRow("sync truncated file")
        << QStringList{"sync", "--source", "TRUNC", "--db", "sqlite:///SCRATCH/b.db"}
        << "previous master is unchanged";
    QTest::newRow("sync unreachable url") << QStringList{"sync",
                                                         "--source",
                                                         "http://127.0.0.1:9/complete.json.gz",
                                                         "--db",
                                                         "sqlite:///SCRATCH/c.db",
                                                         "--timeout",
                                                         "5"}
                                          << "127.0.0.1";
    QTest::newRow("unknown key") << QStringList{"info", "NSE_FO|1", "--master", "TINY"}
                                 << "no instrument";
    QTest::newRow("no such underlying")
        << QStringList{"chain", "BANKNIFTY", "--master", "TINY"} << "no derivatives";
    QTest::newRow("no such expiry")
        << QStringList{"chain", "NIFTY", "--expiry", "2025-12-16", "--master", "TINY"}
        << "no options expiring";
    QTest::newRow("truncated master")
        << QStringList{"search", "NIFTY", "--master", "TRUNC"} << "truncated";
    QTest::newRow("no match") << QStringList{"search", "zzzz", "--master",
                                             "TINY",   "--at", "2025-12-08"}
                              << "";
}

void tst_Cli::dataErrors()
{
    QFETCH(QStringList, args);
    QFETCH(QString, stderrHas);
    args.replaceInStrings(QStringLiteral("TINY"), m_tiny);
    args.replaceInStrings(QStringLiteral("TRUNC"), m_truncated);
    args.replaceInStrings(QStringLiteral("SCRATCH"), m_dir.path());
    const Run r = cli(args);
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(QString::fromUtf8(r.err).contains(stderrHas), r.err.constData());
}

void tst_Cli::searchJsonShape()
{
    const Run r = cli({"search", "nifty", "--master", m_tiny, "--at", "2025-12-08", "--json"});
    QCOMPARE(r.exitCode, 0);
    const QJsonArray results = r.json().value(QStringLiteral("results")).toArray();
    QCOMPARE(results.size(), 8); // future, index, six options
    const QJsonObject fut = results.at(0).toObject();
    QCOMPARE(fut.value(QStringLiteral("trading_symbol")).toString(),
             QStringLiteral("NIFTY FUT 30 DEC 25"));
    QCOMPARE(fut.value(QStringLiteral("instrument_key")).toString(),
             QStringLiteral("NSE_FO|52168"));
    QCOMPARE(fut.value(QStringLiteral("segment")).toString(), QStringLiteral("NSE_FO"));
    QCOMPARE(fut.value(QStringLiteral("exchange_token")).toString(), QStringLiteral("52168"));
    QCOMPARE(fut.value(QStringLiteral("underlying_symbol")).toString(), QStringLiteral("NIFTY"));
    QCOMPARE(fut.value(QStringLiteral("instrument_type")).toString(), QStringLiteral("FUT"));
    QCOMPARE(fut.value(QStringLiteral("expiry")).toString(), QStringLiteral("2025-12-30"));
    QCOMPARE(fut.value(QStringLiteral("strike_price")).toDouble(), 0.0);
    QCOMPARE(fut.value(QStringLiteral("lot_size")).toInt(), 75);
    QCOMPARE(fut.value(QStringLiteral("tick_size")).toDouble(), 0.1);
    QCOMPARE(fut.value(QStringLiteral("freeze_quantity")).toInt(), 1800);
    QCOMPARE(fut.value(QStringLiteral("max_lots_per_order")).toInt(), 24);
    QCOMPARE(fut.value(QStringLiteral("weekly")).toBool(), false);
    // Exact decimals in the JSON text, not 0.10000000000000001.
    QVERIFY2(r.out.contains("\"tick_size\": 0.1,"), r.out.constData());
    QCOMPARE(results.at(1).toObject().value(QStringLiteral("instrument_type")).toString(),
             QStringLiteral("INDEX"));
    QVERIFY(results.at(1).toObject().value(QStringLiteral("lot_size")).isNull());
}

void tst_Cli::searchTable()
{
    const Run r = cli({"search", "nifty", "26000", "ce", "--master", m_tiny, "--at", "2025-12-08"});
    QCOMPARE(r.exitCode, 0);
    const QStringList lines = QString::fromUtf8(r.out).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 2);
    QVERIFY(lines.at(0).contains(QStringLiteral("TRADING SYMBOL")));
    QVERIFY(lines.at(1).contains(QStringLiteral("NIFTY 26000 CE 09 DEC 25")));
    QVERIFY(lines.at(1).contains(QStringLiteral("0.05")));
}

void tst_Cli::searchSuggestsOnNoMatch()
{
    const Run text = cli({"search", "niftty", "--master", m_tiny, "--at", "2025-12-08"});
    QCOMPARE(text.exitCode, 1); // still no matches
    QVERIFY2(text.out.contains("(no matches)"), text.out.constData());
    QVERIFY2(text.out.contains("Did you mean NIFTY?"), text.out.constData());
    const Run json = cli(
        {"search", "niftty", "26000", "ce", "--master", m_tiny, "--at", "2025-12-08", "--json"});
    QCOMPARE(json.exitCode, 0);
    QCOMPARE(json.json().value(QStringLiteral("results")).toArray().size(), 0);
    QCOMPARE(json.json().value(QStringLiteral("suggestion")).toString(),
             QStringLiteral("NIFTY 26000 CE"));
    // With results, or with nothing close, the key is there and null.
    const Run found = cli({"search", "nifty", "--master", m_tiny, "--at", "2025-12-08", "--json"});
    QVERIFY(found.json().contains(QStringLiteral("suggestion")));
    QVERIFY(found.json().value(QStringLiteral("suggestion")).isNull());
    const Run none = cli({"search", "zzzz", "--master", m_tiny, "--at", "2025-12-08", "--json"});
    QVERIFY(none.json().contains(QStringLiteral("suggestion")));
    QVERIFY(none.json().value(QStringLiteral("suggestion")).isNull());
    const Run plain = cli({"search", "zzzz", "--master", m_tiny, "--at", "2025-12-08"});
    QVERIFY(!plain.out.contains("Did you mean"));
}

void tst_Cli::chainWithSpot()
{
    const Run r = cli(
        {"chain", "NIFTY", "--master", m_tiny, "--at", "2025-12-08", "--spot", "26040", "--json"});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject chain = r.json();
    QCOMPARE(chain.value(QStringLiteral("underlying")).toString(), QStringLiteral("NIFTY"));
    QCOMPARE(chain.value(QStringLiteral("expiry")).toString(), QStringLiteral("2025-12-09"));
    QCOMPARE(chain.value(QStringLiteral("spot")).toDouble(), 26040.0);
    QCOMPARE(chain.value(QStringLiteral("atm_strike")).toDouble(), 26000.0);
    const QJsonArray expiries = chain.value(QStringLiteral("expiries")).toArray();
    QCOMPARE(expiries.size(), 1);
    QCOMPARE(expiries.at(0).toObject().value(QStringLiteral("days_to_expiry")).toInt(), 1);
    QCOMPARE(expiries.at(0).toObject().value(QStringLiteral("weekly")).toBool(), true);
    const QJsonArray rows = chain.value(QStringLiteral("rows")).toArray();
    QCOMPARE(rows.size(), 3);
    const QStringList callM = {"ITM", "ATM", "OTM"};
    const QStringList putM = {"OTM", "ATM", "ITM"};
    double last = 0;
    for (int i = 0; i < rows.size(); ++i) {
        const QJsonObject row = rows.at(i).toObject();
        const double strike = row.value(QStringLiteral("strike_price")).toDouble();
        QVERIFY(strike > last);
        last = strike;
        const QJsonObject call = row.value(QStringLiteral("call")).toObject();
        const QJsonObject put = row.value(QStringLiteral("put")).toObject();
        QCOMPARE(call.value(QStringLiteral("instrument_type")).toString(), QStringLiteral("CE"));
        QCOMPARE(put.value(QStringLiteral("instrument_type")).toString(), QStringLiteral("PE"));
        QCOMPARE(call.value(QStringLiteral("moneyness")).toString(), callM.at(i));
        QCOMPARE(put.value(QStringLiteral("moneyness")).toString(), putM.at(i));
    }
    // A window of ATM +- 1 strike.
    const Run w = cli({"chain", "NIFTY", "--master", m_tiny, "--at", "2025-12-08", "--spot",
                       "26100", "--strikes", "1", "--json"});
    QCOMPARE(w.exitCode, 0);
    QCOMPARE(w.json().value(QStringLiteral("rows")).toArray().size(), 2);
}

void tst_Cli::chainNearestExpiryAndUnknowns()
{
    // No spot: no ATM, moneyness null; the table says how to get it.
    const Run r = cli({"chain", "nifty", "--master", m_tiny, "--at", "2025-12-08", "--json"});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.json().value(QStringLiteral("atm_strike")).isNull());
    QVERIFY(r.json()
                .value(QStringLiteral("rows"))
                .toArray()
                .at(0)
                .toObject()
                .value(QStringLiteral("call"))
                .toObject()
                .value(QStringLiteral("moneyness"))
                .isNull());
    const Run table = cli({"chain", "NIFTY", "--master", m_tiny, "--at", "2025-12-08"});
    QCOMPARE(table.exitCode, 0);
    QVERIFY(table.out.contains("--spot"));
    // After the only expiry, nothing is left unless expired contracts are asked for.
    const Run after = cli({"chain", "NIFTY", "--master", m_tiny, "--at", "2025-12-10"});
    QCOMPARE(after.exitCode, 1);
    QVERIFY(after.err.contains("no option expiry on or after 2025-12-10"));
}

void tst_Cli::infoByKeyAndSymbol()
{
    const Run byKey = cli({"info", "NSE_FO|41903", "--master", m_tiny, "--json"});
    QCOMPARE(byKey.exitCode, 0);
    QCOMPARE(byKey.json().value(QStringLiteral("trading_symbol")).toString(),
             QStringLiteral("NIFTY 26000 CE 09 DEC 25"));
    QCOMPARE(byKey.json().value(QStringLiteral("strike_price")).toDouble(), 26000.0);
    const Run bySymbol = cli({"info", "nifty 26000 ce 09 dec 25", "--master", m_tiny, "--json"});
    QCOMPARE(bySymbol.exitCode, 0);
    QCOMPARE(bySymbol.json(), byKey.json());
    const Run table = cli({"info", "NSE_FO|41903", "--master", m_tiny, "--at", "2025-12-08"});
    QCOMPARE(table.exitCode, 0);
    QVERIFY(table.out.contains("Freeze quantity"));
    QVERIFY(table.out.contains("1800 units"));
    QVERIFY(table.out.contains("1 days left"));
}

void tst_Cli::staleMasterWarnsAndHidesExpired()
{
    const Run r = cli({"search", "nifty", "--master", m_tiny, "--at", "2025-12-20", "--json"});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.err.contains("stale"), r.err.constData());
    const QJsonArray results = r.json().value(QStringLiteral("results")).toArray();
    QCOMPARE(results.size(), 2); // the future and the index; the weeklies expired on the 9th
    const Run all = cli({"search", "nifty", "--master", m_tiny, "--at", "2025-12-20",
                         "--include-expired", "--json"});
    QCOMPARE(all.json().value(QStringLiteral("results")).toArray().size(), 8);
}

void tst_Cli::realMasterGoldens()
{
    STRIKELINE_REQUIRE_REAL_FILE(master, "complete-2025-12-09.json.gz");
    const Run search = cli(
        {"search", "NIFTY", "--master", master, "--at", "2025-12-09", "--json", "--limit", "5"});
    QCOMPARE(search.exitCode, 0);
    const QJsonArray results = search.json().value(QStringLiteral("results")).toArray();
    QCOMPARE(results.size(), 5);
    QCOMPARE(results.at(0).toObject().value(QStringLiteral("trading_symbol")).toString(),
             QStringLiteral("NIFTY FUT 30 DEC 25"));
    // The key docs/cli.md's search example shows.
    QCOMPARE(results.at(0).toObject().value(QStringLiteral("instrument_key")).toString(),
             QStringLiteral("NSE_FO|49543"));
    QCOMPARE(results.at(1).toObject().value(QStringLiteral("trading_symbol")).toString(),
             QStringLiteral("NIFTY FUT 27 JAN 26"));
    QCOMPARE(results.at(1).toObject().value(QStringLiteral("lot_size")).toInt(), 65);

    const Run info = cli({"info", "NSE_FO|41915", "--master", master, "--json"});
    QCOMPARE(info.exitCode, 0);
    const QJsonObject i = info.json();
    QCOMPARE(i.value(QStringLiteral("trading_symbol")).toString(),
             QStringLiteral("NIFTY 26250 CE 09 DEC 25"));
    QCOMPARE(i.value(QStringLiteral("lot_size")).toInt(), 75);
    QCOMPARE(i.value(QStringLiteral("freeze_quantity")).toInt(), 1800);
    QCOMPARE(i.value(QStringLiteral("tick_size")).toDouble(), 0.05);
    QCOMPARE(i.value(QStringLiteral("expiry")).toString(), QStringLiteral("2025-12-09"));
    QCOMPARE(i.value(QStringLiteral("weekly")).toBool(), true);

    const Run chain = cli({"chain", "NIFTY", "--master", master, "--at", "2025-12-09", "--spot",
                           "25960", "--strikes", "2", "--json"});
    QCOMPARE(chain.exitCode, 0);
    QCOMPARE(chain.json().value(QStringLiteral("atm_strike")).toDouble(), 25950.0);
    QCOMPARE(chain.json().value(QStringLiteral("rows")).toArray().size(), 5);

    const Run fresh = cli({"search", "NIFTY", "--master", master, "--at", "2025-12-09"});
    QVERIFY2(!fresh.err.contains("stale"), fresh.err.constData());
    const Run stale = cli({"search", "NIFTY", "--master", master, "--at", "2026-11-24", "--json"});
    QVERIFY(stale.err.contains("stale"));
    for (const auto &v : stale.json().value(QStringLiteral("results")).toArray())
        QVERIFY(v.toObject().value(QStringLiteral("expiry")).toString() >=
                    QStringLiteral("2026-11-24") ||
                v.toObject().value(QStringLiteral("expiry")).isNull());

    STRIKELINE_REQUIRE_REAL_FILE(csv, "NSE-2026-08-04.csv.gz");
    const Run csvInfo = cli({"info", "NSE_FO|48699", "--master", csv, "--json"});
    QCOMPARE(csvInfo.exitCode, 0);
    QCOMPARE(csvInfo.json().value(QStringLiteral("tick_size")).toDouble(), 0.2);
    QCOMPARE(csvInfo.json().value(QStringLiteral("lot_size")).toInt(), 30);
    QVERIFY(csvInfo.json().value(QStringLiteral("freeze_quantity")).isNull()); // not in CSV
}

void tst_Cli::versionAndHelp()
{
    const Run v = cli({"--version"});
    QCOMPARE(v.exitCode, 0);
    QVERIFY(v.out.startsWith("strikeline-cli "));
    const Run h = cli({"search", "--help"});
    QCOMPARE(h.exitCode, 0);
    QVERIFY(h.out.contains("--limit"));
}

void tst_Cli::syncIntoDatabaseThenQuery()
{
    const QString db = QStringLiteral("sqlite://") + m_dir.filePath(QStringLiteral("cli.db"));
    const Run first = cli({"sync", "--source", m_tiny, "--db", db, "--json"});
    QCOMPARE(first.exitCode, 0);
    QCOMPARE(first.json().value(QStringLiteral("status")).toString(), QStringLiteral("succeeded"));
    QCOMPARE(first.json().value(QStringLiteral("rows_inserted")).toInt(), 8);
    QCOMPARE(first.json().value(QStringLiteral("checksum")).toString().size(), 64);

    // The same bytes again: not imported twice.
    const Run again = cli({"sync", "--source", m_tiny, "--db", db});
    QCOMPARE(again.exitCode, 0);
    QVERIFY2(again.out.contains("unchanged"), again.out.constData());

    // Queries answer from the database exactly as from the file.
    const Run fromDb = cli({"search", "nifty", "--db", db, "--at", "2025-12-08", "--json"});
    const Run fromFile =
        cli({"search", "nifty", "--master", m_tiny, "--at", "2025-12-08", "--json"});
    QCOMPARE(fromDb.exitCode, 0);
    QCOMPARE(fromDb.json(), fromFile.json());
    const Run chain =
        cli({"chain", "NIFTY", "--db", db, "--at", "2025-12-08", "--spot", "26040", "--json"});
    QCOMPARE(chain.json().value(QStringLiteral("atm_strike")).toDouble(), 26000.0);

    // A failed sync is recorded and leaves the instruments alone.
    const Run failed = cli({"sync", "--source", m_truncated, "--db", db});
    QCOMPARE(failed.exitCode, 1);
    const Run stillThere = cli({"info", "NSE_FO|41903", "--db", db, "--json"});
    QCOMPARE(stillThere.exitCode, 0);

    const Run history = cli({"history", "--db", db, "--json"});
    QCOMPARE(history.exitCode, 0);
    const QJsonArray runs = history.json().value(QStringLiteral("runs")).toArray();
    QCOMPARE(runs.size(), 3);
    QCOMPARE(runs.at(0).toObject().value(QStringLiteral("status")).toString(),
             QStringLiteral("failed"));
    QVERIFY(!runs.at(0).toObject().value(QStringLiteral("error")).toString().isEmpty());
    QCOMPARE(runs.at(1).toObject().value(QStringLiteral("status")).toString(),
             QStringLiteral("unchanged"));
    QCOMPARE(runs.at(2).toObject().value(QStringLiteral("status")).toString(),
             QStringLiteral("succeeded"));
    const Run table = cli({"history", "--db", db});
    QVERIFY(table.out.contains("succeeded"));
    QVERIFY(table.out.contains("truncated"));
}

void tst_Cli::readCommandsCreateNothing_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::newRow("history") << QStringList{"history", "--db", "DB"};
    QTest::newRow("history --changes") << QStringList{"history", "--changes", "1", "--db", "DB"};
    QTest::newRow("search") << QStringList{"search", "NIFTY", "--db", "DB"};
    QTest::newRow("info") << QStringList{"info", "NSE_FO|52168", "--db", "DB"};
    QTest::newRow("chain") << QStringList{"chain", "NIFTY", "--db", "DB"};
    QTest::newRow("validate") << QStringList{"validate", "--key", "NSE_FO|52168", "--side", "buy",
                                             "--qty",    "75",    "--type",       "market", "--db",
                                             "DB"};
}

// A command that only reads never creates a database or its folder: a mistyped path is an
// error that says so, not a fresh empty database.
void tst_Cli::readCommandsCreateNothing()
{
    QFETCH(QStringList, args);
    const QString folder = m_dir.filePath(QStringLiteral("nonexistent-dir"));
    const QString file = folder + QStringLiteral("/x.db");
    args.replaceInStrings(QStringLiteral("DB"), QStringLiteral("sqlite://") + file);
    const Run r = cli(args);
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("there is no database"), r.err.constData());
    QVERIFY2(r.err.contains(file.toUtf8()), r.err.constData());
    QVERIFY2(!QFileInfo::exists(folder), qPrintable(folder + " was created"));
}

// sqlite:///x.db?password=... is not a file named "x.db?password=...": refused, nothing made,
// and the would-be password is not echoed.
void tst_Cli::malformedDatabaseUrlsCreateNothing()
{
    const QString base = m_dir.filePath(QStringLiteral("pw.db"));
    for (const QStringList &args :
         {QStringList{"history", "--db", "sqlite://" + base + "?password=hunter2"},
          QStringList{"search", "NIFTY", "--db", "sqlite://" + base + "?password=hunter2"},
          QStringList{"sync", "--source", m_tiny, "--db", "sqlite://" + base + "?password=hunter2"},
          QStringList{"sync", "--source", m_tiny, "--db", "sqlite://" + base + "#hunter2"}}) {
        const Run r = cli(args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("SQLite takes no parameters"), r.err.constData());
        QVERIFY2(!r.err.contains("hunter2"), r.err.constData());
    }
    const QStringList made = QDir(m_dir.path()).entryList({QStringLiteral("pw.db*")});
    QVERIFY2(made.isEmpty(), qPrintable(made.join(", ")));
}

// What a sync did with rows it could not take: kept contracts and repeated keys, in the text
// output and in history (sync_runs).
void tst_Cli::syncReportsKeptAndRepeatedRows()
{
    const QString db = QStringLiteral("sqlite://") + m_dir.filePath(QStringLiteral("kept.db"));
    QCOMPARE(cli({"sync", "--source", m_tiny, "--db", db}).exitCode, 0);
    QByteArray bytes = tinyMaster();
    // The future's lot as a string: an invalid row. The last option listed twice, differently.
    const QByteArray lot = R"("instrument_key":"NSE_FO|52168","lot_size":75)";
    QVERIFY(bytes.contains(lot));
    bytes.replace(lot, R"("instrument_key":"NSE_FO|52168","lot_size":"75")");
    const qsizetype last = bytes.lastIndexOf(",{");
    QByteArray repeat = bytes.mid(last, bytes.size() - 1 - last);
    repeat.replace(R"("lot_size":75)", R"("lot_size":225)");
    bytes.insert(bytes.size() - 1, repeat);
    const QString path = m_dir.filePath(QStringLiteral("tiny-bad.json"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
    f.close();

    const Run sync = cli({"sync", "--source", path, "--db", db});
    QCOMPARE(sync.exitCode, 0);
    QVERIFY2(sync.out.contains("0 deactivated"), sync.out.constData());
    QVERIFY2(sync.out.contains("kept 2 contract(s) from the previous master"),
             sync.out.constData());
    QVERIFY2(sync.out.contains("NSE_FO|52168"), sync.out.constData());
    QVERIFY2(sync.out.contains("1 row(s) repeat an instrument_key"), sync.out.constData());
    QVERIFY2(sync.out.contains("1 key(s) listed with different data"), sync.out.constData());

    const Run history = cli({"history", "--db", db, "--json"});
    QCOMPARE(history.exitCode, 0);
    const QJsonObject run = history.json().value(QStringLiteral("runs")).toArray().at(0).toObject();
    QCOMPARE(run.value(QStringLiteral("rows_kept")).toInt(), 2);
    QCOMPARE(run.value(QStringLiteral("rows_duplicate")).toInt(), 1);
    QCOMPARE(run.value(QStringLiteral("keys_conflicting")).toInt(), 1);
    QCOMPARE(run.value(QStringLiteral("rows_deactivated")).toInt(), 0);
    const Run info = cli({"info", "NSE_FO|52168", "--db", db, "--json"});
    QCOMPARE(info.exitCode, 0);
    QCOMPARE(info.json().value(QStringLiteral("lot_size")).toInt(), 75);
    const Run changes =
        cli({"history", "--changes", QString::number(run.value("id").toInt()), "--db", db});
    QVERIFY2(!changes.out.contains("deactivated"), changes.out.constData());
}

namespace {

// Black-76 by hand, independent of the CLI's code path: d1, N(d1) and the price.
double normalCdf(double x)
{
    return 0.5 * std::erfc(-x / std::sqrt(2.0));
}

struct HandBlack76
{
    double price = 0;
    double delta = 0;
    double gamma = 0; // per rupee
    double theta = 0; // per calendar day
    double vega = 0;  // per volatility point
};

HandBlack76 handBlack76(bool call, double f, double k, double years, double sigma, double rate)
{
    const double sd = sigma * std::sqrt(years);
    const double d1 = (std::log(f / k) + 0.5 * sigma * sigma * years) / sd;
    const double d2 = d1 - sd;
    const double df = std::exp(-rate * years);
    const double pdf = std::exp(-0.5 * d1 * d1) / std::sqrt(2.0 * M_PI);
    HandBlack76 h;
    h.price = call ? df * (f * normalCdf(d1) - k * normalCdf(d2))
                   : df * (k * normalCdf(-d2) - f * normalCdf(-d1));
    h.delta = call ? df * normalCdf(d1) : -df * normalCdf(-d1);
    h.gamma = df * pdf / (f * sd);
    h.vega = df * f * pdf * std::sqrt(years) / 100.0;
    // dV/dt with the forward held: the decay of the time value plus the rate on the premium.
    h.theta = (-df * f * pdf * sigma / (2.0 * std::sqrt(years)) + rate * h.price) / 365.0;
    return h;
}

// 2025-12-02 09:15 IST to the NSE close on 2025-12-09 (15:30): 7 days 6 h 15 min.
constexpr double RoundTripYears = (7.0 + 6.25 / 24.0) / 365.0;

QString number(double value)
{
    return QString::number(value, 'g', 17);
}

} // namespace

void tst_Cli::greeksRoundTrip_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<double>("forward");
    QTest::addColumn<double>("strike");
    QTest::addColumn<double>("rate");
    QTest::newRow("CE ATM") << "CE" << 26000.0 << 26000.0 << 0.0;
    QTest::newRow("CE OTM") << "CE" << 26000.0 << 26500.0 << 0.0;
    QTest::newRow("CE ITM, rate") << "CE" << 26000.0 << 25500.0 << 0.065;
    QTest::newRow("PE OTM") << "PE" << 26000.0 << 25600.0 << 0.0;
    QTest::newRow("PE ITM, rate") << "PE" << 26000.0 << 26400.0 << 0.065;
}

void tst_Cli::greeksRoundTrip()
{
    QFETCH(QString, type);
    QFETCH(double, forward);
    QFETCH(double, strike);
    QFETCH(double, rate);
    const bool call = type == "CE";
    const HandBlack76 hand = handBlack76(call, forward, strike, RoundTripYears, 0.15, rate);
    // core's own price agrees with the hand-written one: the CLI is fed a true Black-76 price.
    strikeline::Black76Input input{forward, strike, RoundTripYears, 0.15, rate};
    const auto right = call ? strikeline::OptionRight::Call : strikeline::OptionRight::Put;
    const double price = strikeline::black76Price(right, input);
    QVERIFY2(std::abs(price - hand.price) < 1e-8, qPrintable(number(price - hand.price)));

    const Run r = cli({"greeks", "--type", type, "--forward", number(forward), "--strike",
                       number(strike), "--price", number(price), "--expiry", "2025-12-09", "--at",
                       "2025-12-02 09:15", "--rate", number(rate), "--json"});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject o = r.json();
    for (const char *key : {"iv", "delta", "gamma", "theta", "vega"})
        QVERIFY2(o.value(QLatin1String(key)).isDouble(), key);
    QCOMPARE(o.value("type").toString(), type);
    QVERIFY2(std::abs(o.value("years").toDouble() - RoundTripYears) < 1e-12, r.out.constData());
    QVERIFY2(std::abs(o.value("iv").toDouble() - 15.0) < 1e-4, r.out.constData());
    QVERIFY2(std::abs(o.value("delta").toDouble() - hand.delta) < 1e-6, r.out.constData());
    // IV is recovered to ~1e-6 vol points, so the Greeks agree to well under 1e-4 relative.
    const auto close = [&o](const char *key, double expected) {
        const double got = o.value(QLatin1String(key)).toDouble();
        return std::abs(got - expected) < 1e-4 * std::abs(expected);
    };
    QVERIFY2(close("gamma", hand.gamma), r.out.constData());
    QVERIFY2(close("theta", hand.theta), r.out.constData());
    QVERIFY2(close("vega", hand.vega), r.out.constData());
    // Signs a trader expects: theta decays, vega and gamma are positive.
    QVERIFY(o.value("theta").toDouble() < 0);
    QVERIFY(o.value("vega").toDouble() > 0);
    QVERIFY(call ? hand.delta > 0 : hand.delta < 0);
}

void tst_Cli::greeksTable()
{
    const double price = handBlack76(true, 26000, 26000, RoundTripYears, 0.15, 0).price;
    const Run r =
        cli({"greeks", "--type", "ce", "--forward", "26000", "--strike", "26000", "--price",
             number(price), "--expiry", "2025-12-09", "--at", "2025-12-02 09:15"});
    QCOMPARE(r.exitCode, 0);
    const QString text = QString::fromUtf8(r.out);
    QVERIFY2(text.contains(QRegularExpression(R"(IV\s+15\.00\s+%)")), r.out.constData());
    QVERIFY2(text.contains(QRegularExpression(R"(To expiry\s+7\.2604)")), r.out.constData());
    QVERIFY2(text.contains(QRegularExpression(R"(Delta\s+0\.50)")), r.out.constData());
    for (const char *label : {"Gamma", "Theta", "Vega", "No-arb range", "2025-12-09 15:30 IST"})
        QVERIFY2(text.contains(QLatin1String(label)), label);
}

void tst_Cli::greeksTimeBasis()
{
    // Friday 15:30 to Monday's 15:30 close: three calendar days, one trading day.
    const QStringList base{
        "greeks",  "--type", "PE",       "--forward",  "26000", "--strike",         "25900",
        "--price", "60",     "--expiry", "2025-12-08", "--at",  "2025-12-05 15:30", "--json"};
    const Run calendar = cli(base);
    QCOMPARE(calendar.exitCode, 0);
    QVERIFY2(std::abs(calendar.json().value("days").toDouble() - 3.0) < 1e-9,
             calendar.out.constData());
    const Run trading = cli(base + QStringList{"--basis", "trading"});
    QCOMPARE(trading.exitCode, 0);
    QVERIFY2(std::abs(trading.json().value("days").toDouble() - 1.0) < 1e-9,
             trading.out.constData());
    QVERIFY2(std::abs(trading.json().value("years").toDouble() - 1.0 / 252.0) < 1e-12,
             trading.out.constData());
    // The same price over less time needs a higher volatility.
    QVERIFY(trading.json().value("iv").toDouble() > calendar.json().value("iv").toDouble());
}

void tst_Cli::greeksErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("stderrHas");
    const QStringList ok{"--forward", "26000",      "--strike", "25500",
                         "--expiry",  "2025-12-09", "--at",     "2025-12-02 09:15"};
    // A 25500 call on a 26000 forward is worth at least 500.
    QTest::newRow("below intrinsic") << QStringList{"greeks", "--type", "CE", "--price", "450"} + ok
                                     << 1 << "below the discounted intrinsic value 500.00";
    QTest::newRow("above upper bound")
        << QStringList{"greeks", "--type", "PE", "--price", "25600"} + ok << 1
        << "the most the option can be worth";
    QTest::newRow("expired") << QStringList{"greeks",          "--type",     "CE",
                                            "--price",         "520",        "--forward",
                                            "26000",           "--strike",   "25500",
                                            "--expiry",        "2025-12-09", "--at",
                                            "2025-12-09 15:31"}
                             << 1 << "expired";
    QTest::newRow("bad type") << QStringList{"greeks", "--type", "FUT", "--price", "520"} + ok << 2
                              << "--type must be CE or PE";
    QTest::newRow("missing forward")
        << QStringList{"greeks",          "--type", "CE",       "--price",    "520",
                       "--strike",        "25500",  "--expiry", "2025-12-09", "--at",
                       "2025-12-02 09:15"}
        << 2 << "--forward is required";
    QTest::newRow("bad number") << QStringList{"greeks", "--type", "CE", "--price", "abc"} + ok << 2
                                << "--price 'abc' is not a number";
    QTest::newRow("negative price") << QStringList{"greeks", "--type", "CE", "--price", "-5"} + ok
                                    << 2 << "--price must be positive";
    QTest::newRow("bad expiry") << QStringList{"greeks", "--type",    "CE",        "--price",
                                               "520",    "--forward", "26000",     "--strike",
                                               "25500",  "--expiry",  "2025-13-40"}
                                << 2 << "valid calendar date";
    QTest::newRow("bad at") << QStringList{"greeks",  "--type",    "CE",         "--price",
                                           "520",     "--forward", "26000",      "--strike",
                                           "25500",   "--expiry",  "2025-12-09", "--at",
                                           "tomorrow"}
                            << 2 << "not a date";
    QTest::newRow("bad basis") << QStringList{"greeks", "--type",  "CE",    "--price",
                                              "520",    "--basis", "weekly"} +
                                      ok
                               << 2 << "--basis";
    QTest::newRow("repeated option")
        << QStringList{"greeks", "--type", "CE", "--type", "PE", "--price", "520"} + ok << 2
        << "given 2 times";
}

void tst_Cli::greeksErrors()
{
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    QFETCH(QString, stderrHas);
    const Run r = cli(args);
    QCOMPARE(r.exitCode, exitCode);
    QVERIFY2(QString::fromUtf8(r.err).contains(stderrHas), r.err.constData());
    if (exitCode == 1) {
        // In --json mode the reason is also on stdout, as {"error": ...}.
        const Run j = cli(args + QStringList{"--json"});
        QCOMPARE(j.exitCode, 1);
        QVERIFY2(j.json().value("error").toString().contains(stderrHas), j.out.constData());
    }
}

QTEST_GUILESS_MAIN(tst_Cli)
#include "tst_cli.moc"
