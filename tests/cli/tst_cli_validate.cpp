// strikeline-cli validate as a user runs it: a real process, exit codes, text and JSON.

#undef QT_NO_CAST_FROM_ASCII

#include "CliProcess.h"
#include "TestData.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

namespace {

struct Run : strikeline::testing::CliRun
{
    QStringList codes() const { return reasonCodes(); }
    QList<qint64> slices() const
    {
        QList<qint64> list;
        for (const QJsonValue &s : json().value("slices").toArray())
            list << s.toInteger();
        return list;
    }
};

Run cli(const QString &home, const QStringList &args)
{
    return Run{strikeline::testing::runCli(home, QStringList{"validate"} + args)};
}

// NIFTY index, a December future, a 16 DEC 25 weekly call (lot 75, freeze 1800, tick 0.05)
// and an MCX CRUDEOIL future (lot 100, freeze 20 lots, multiplier 100, tick 1).
QByteArray master()
{
    return R"([{"segment":"NSE_INDEX","name":"Nifty 50","exchange":"NSE","instrument_type":"INDEX","instrument_key":"NSE_INDEX|Nifty 50","exchange_token":"26000","trading_symbol":"NIFTY"},
{"weekly":false,"segment":"NSE_FO","name":"NIFTY","exchange":"NSE","expiry":1767117599000,"instrument_type":"FUT","asset_symbol":"NIFTY","underlying_symbol":"NIFTY","instrument_key":"NSE_FO|52168","lot_size":75,"freeze_quantity":1800.0,"exchange_token":"52168","minimum_lot":75,"asset_key":"NSE_INDEX|Nifty 50","underlying_key":"NSE_INDEX|Nifty 50","tick_size":10.0,"asset_type":"INDEX","underlying_type":"INDEX","trading_symbol":"NIFTY FUT 30 DEC 25","strike_price":0.0,"qty_multiplier":1.0},
{"weekly":true,"segment":"NSE_FO","name":"NIFTY","exchange":"NSE","expiry":1765909799000,"instrument_type":"CE","asset_symbol":"NIFTY","underlying_symbol":"NIFTY","instrument_key":"NSE_FO|48224","lot_size":75,"freeze_quantity":1800.0,"exchange_token":"48224","minimum_lot":75,"asset_key":"NSE_INDEX|Nifty 50","underlying_key":"NSE_INDEX|Nifty 50","tick_size":5.0,"asset_type":"INDEX","underlying_type":"INDEX","trading_symbol":"NIFTY 26000 CE 16 DEC 25","strike_price":26000.0,"qty_multiplier":1.0},
{"segment":"MCX_FO","name":"CRUDE OIL","exchange":"MCX","expiry":1773917999000,"instrument_type":"FUT","asset_symbol":"CRUDEOIL","underlying_symbol":"CRUDEOIL","instrument_key":"MCX_FO|472789","lot_size":100,"freeze_quantity":20.0,"exchange_token":"472789","asset_key":"MCX_COM|294","underlying_key":"MCX_COM|294","tick_size":100.0,"asset_type":"COM","underlying_type":"COM","trading_symbol":"CRUDEOIL FUT 19 MAR 26","strike_price":0.0,"qty_multiplier":100.0}])";
}

const QString Call = "NSE_FO|48224";
const QString Future = "NSE_FO|52168";
const QString Crude = "MCX_FO|472789";
const QString Morning = "2025-12-09 10:00";

} // namespace

class tst_CliValidate : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_master;

    Run validate(const QStringList &args)
    {
        return cli(m_dir.filePath("home"), QStringList{"--master", m_master} + args);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_master = m_dir.filePath("master.json");
        QFile f(m_master);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(master());
    }

    void acceptedJson()
    {
        const Run r = validate({"--key", Call, "--side", "buy", "--qty", "150", "--type", "limit",
                                "--price", "101.05", "--at", Morning, "--json"});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject o = r.json();
        QCOMPARE(o.value("ok").toBool(), true);
        QCOMPARE(o.value("reasons").toArray().size(), 0);
        QCOMPARE(r.slices(), QList<qint64>{150});
        QCOMPARE(o.value("tradingSymbol").toString(), QString("NIFTY 26000 CE 16 DEC 25"));
        QCOMPARE(o.value("afterMarket").toBool(), false);
    }

    void acceptedText()
    {
        const Run r = validate({"--key",      "NIFTY 26000 CE 16 DEC 25",
                                "--side",     "sell",
                                "--qty",      "75",
                                "--type",     "sl",
                                "--price",    "99",
                                "--trigger",  "99.50",
                                "--product",  "I",
                                "--validity", "day",
                                "--ltp",      "100",
                                "--at",       Morning});
        QCOMPARE(r.exitCode, 0);
        const QString out = QString::fromUtf8(r.out);
        QVERIFY2(out.contains("NIFTY 26000 CE 16 DEC 25  SELL 75 SL trigger 99.50 @ 99.00  I DAY"),
                 qPrintable(out));
        QVERIFY2(out.contains("\nOK\n"), qPrintable(out));
    }

    void rejectedWithReasons()
    {
        Run r = validate({"--key", Call, "--side", "buy", "--qty", "100", "--type", "limit",
                          "--price", "101.03", "--at", Morning, "--json"});
        QCOMPARE(r.exitCode, 3);
        QCOMPARE(r.json().value("ok").toBool(), false);
        QCOMPARE(r.codes(), (QStringList{"qty_not_lot_multiple", "price_off_tick"}));
        QVERIFY(r.slices().isEmpty());
        const QJsonObject first = r.json().value("reasons").toArray().first().toObject();
        QCOMPARE(first.value("severity").toString(), QString("error"));
        QCOMPARE(first.value("message").toString(),
                 QString("Quantity 100 is not a multiple of the lot size 75 (1 lot = 75 units; "
                         "try 75 or 150)"));

        r = validate(
            {"--key", Call, "--side", "buy", "--qty", "100", "--price", "101.03", "--at", Morning});
        QCOMPARE(r.exitCode, 3);
        const QString out = QString::fromUtf8(r.out);
        QVERIFY(out.contains("REJECTED"));
        QVERIFY(out.contains("price_off_tick: Price 101.03 is not a multiple of the tick 0.05: "
                             "nearest valid 101.00 or 101.05"));
    }

    void slicedAndTooMany()
    {
        Run r = validate({"--key", Call, "--side", "buy", "--qty", "1875", "--price", "10", "--at",
                          Morning, "--json"});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.slices(), (QList<qint64>{1800, 75}));
        r = validate(
            {"--key", Call, "--side", "buy", "--qty", "1875", "--price", "10", "--at", Morning});
        QVERIFY2(r.out.contains("OK: sliced into 2 orders (1800 + 75)"), r.out.constData());
        r = validate({"--key", Call, "--side", "buy", "--qty", QString::number(25 * 1800 + 75),
                      "--price", "10", "--at", Morning, "--json"});
        QCOMPARE(r.exitCode, 3);
        QCOMPARE(r.codes(), QStringList{"too_many_slices"});
    }

    void mcxInLots()
    {
        Run r = validate({"--key", Crude, "--side", "buy", "--qty", "45", "--price", "5000", "--at",
                          "2025-12-09 20:00", "--max-value", "0", "--json"});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.slices(), (QList<qint64>{20, 20, 5}));
        r = validate({"--key", Crude, "--side", "buy", "--qty", "45", "--price", "5000", "--at",
                      "2025-12-09 20:00", "--json"}); // 45 x 100 x 5000 = Rs 2.25 crore: fine
        QCOMPARE(r.exitCode, 0);
        r = validate({"--key", Crude, "--side", "buy", "--qty", "45", "--price", "5000", "--at",
                      "2025-12-09 20:00", "--max-value", "10000000", "--json"});
        QCOMPARE(r.exitCode, 3);
        QCOMPARE(r.codes(), QStringList{"order_value_too_large"});
    }

    void warningsKeepExitZero()
    {
        const Run r = validate({"--key", Future, "--side", "buy", "--qty", "75", "--price", "27000",
                                "--ltp", "26000", "--at", "2025-12-09 15:31", "--json"});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.codes(), (QStringList{"price_outside_lpp", "after_market"}));
        QCOMPARE(r.json().value("afterMarket").toBool(), true);
        const QJsonArray reasons = r.json().value("reasons").toArray();
        for (const QJsonValue &v : reasons)
            QCOMPARE(v.toObject().value("severity").toString(), QString("warning"));
    }

    void positionAndMargin()
    {
        Run r = validate({"--key", Call, "--side", "sell", "--qty", "150", "--type", "sl-m",
                          "--trigger", "90", "--ltp", "100", "--position", "75", "--at", Morning,
                          "--json"});
        QCOMPARE(r.exitCode, 3);
        QCOMPARE(r.codes(), QStringList{"stop_exceeds_position"});
        r = validate({"--key", Call, "--side", "buy", "--qty", "75", "--price", "100", "--margin",
                      "7499.95", "--at", Morning, "--json"});
        QCOMPARE(r.exitCode, 3);
        QCOMPARE(r.codes(), QStringList{"insufficient_margin"});
        r = validate({"--key", Call, "--side", "buy", "--qty", "75", "--price", "100", "--margin",
                      "7500", "--at", Morning, "--json"});
        QCOMPARE(r.exitCode, 0);
    }

    void verdictsOnBadOrders_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("code");
        QTest::newRow("unknown key")
            << QStringList{"--key", "NSE_FO|1", "--side", "buy", "--qty", "75", "--price", "1"}
            << "unknown_instrument";
        QTest::newRow("index") << QStringList{"--key",   "NSE_INDEX|Nifty 50",
                                              "--side",  "buy",
                                              "--qty",   "1",
                                              "--price", "1"}
                               << "not_tradable";
        QTest::newRow("limit without price")
            << QStringList{"--key", Call, "--side", "buy", "--qty", "75"} << "price_required";
        QTest::newRow("sl without trigger")
            << QStringList{"--key", Call,     "--side", "buy",     "--qty",
                           "75",    "--type", "sl",     "--price", "10"}
            << "trigger_required";
        QTest::newRow("ioc after hours")
            << QStringList{"--key",   Call, "--side",     "buy", "--qty", "75",
                           "--price", "10", "--validity", "IOC", "--at",  "2025-12-09 08:00"}
            << "ioc_after_market";
        QTest::newRow("expired") << QStringList{"--key",   Call,
                                                "--side",  "buy",
                                                "--qty",   "75",
                                                "--price", "10",
                                                "--at",    "2025-12-17 10:00"}
                                 << "contract_expired";
    }
    void verdictsOnBadOrders()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, code);
        if (!args.contains("--at"))
            args << "--at" << Morning;
        const Run r = validate(args + QStringList{"--json"});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.codes().contains(code), r.out.constData());
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        const QStringList base{"--key", Call, "--side", "buy", "--qty", "75"};
        QTest::newRow("qty abc") << QStringList{"--key", Call, "--side", "buy", "--qty", "abc"}
                                 << "--qty must be a whole number, not 'abc'";
        QTest::newRow("price 1.23456") << base + QStringList{"--price", "1.23456"}
                                       << "--price '1.23456' has more than 4 decimals";
        QTest::newRow("trigger x") << base + QStringList{"--type", "sl-m", "--trigger", "x"}
                                   << "--trigger 'x' is not a price";
        QTest::newRow("no key") << QStringList{"--side", "buy", "--qty", "75"}
                                << "--key is required";
        QTest::newRow("no side") << QStringList{"--key", Call, "--qty", "75"}
                                 << "--side is required";
        QTest::newRow("side hold") << QStringList{"--key", Call, "--side", "hold", "--qty", "75"}
                                   << "--side must be buy or sell";
        QTest::newRow("type stop")
            << base + QStringList{"--type", "stop"} << "--type must be market, limit, sl or sl-m";
        QTest::newRow("product mtf")
            << base + QStringList{"--product", "MTF"} << "--product must be I";
        QTest::newRow("validity gtc")
            << base + QStringList{"--validity", "gtc"} << "--validity must be day or ioc";
        QTest::newRow("ltp negative")
            << base + QStringList{"--ltp", "-1"} << "--ltp '-1' is not a positive price";
        QTest::newRow("bad time") << base + QStringList{"--at", "yesterday"} << "yesterday";
        QTest::newRow("positional") << base + QStringList{"extra"} << "unexpected argument";
        QTest::newRow("unknown option") << base + QStringList{"--colour"} << "colour";
    }
    void usageErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const Run r = validate(args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
        QVERIFY(r.out.isEmpty());
    }

    void dataError()
    {
        const Run r =
            cli(m_dir.filePath("home"), {"--master", m_dir.filePath("missing.json"), "--key", Call,
                                         "--side", "buy", "--qty", "75", "--price", "1"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.contains("missing.json"));
    }

    void help()
    {
        const Run r = cli(m_dir.filePath("home"), {"--help"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("--trigger"));
        QVERIFY(r.out.contains("3 rejected"));
    }

    void realMaster()
    {
        STRIKELINE_REQUIRE_REAL_FILE(path, "complete-2025-12-09.json.gz");
        const Run r =
            cli(m_dir.filePath("home"),
                {"--master", path, "--key", "NIFTY 26000 CE 16 DEC 25", "--side", "buy", "--qty",
                 "1875", "--price", "101.05", "--ltp", "100", "--at", Morning, "--json"});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.slices(), (QList<qint64>{1800, 75}));
        QCOMPARE(r.json().value("instrumentKey").toString(), QString("NSE_FO|48224"));
    }
};

QTEST_GUILESS_MAIN(tst_CliValidate)
#include "tst_cli_validate.moc"
