#include "common/Price.h"

#include <QTest>

using namespace strikeline;

class tst_Price : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parse_data();
    void parse();
    void paise();
    void rounding();
    void formatting();
};

void tst_Price::parse_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<qint64>("raw");
    QTest::newRow("integer") << "26250" << true << qint64(262500000);
    QTest::newRow("float strike") << "26250.0" << true << qint64(262500000);
    QTest::newRow("half strike") << "167.5" << true << qint64(1675000);
    QTest::newRow("currency tick") << "0.0025" << true << qint64(25);
    QTest::newRow("five decimals") << "0.00251" << false << qint64(0);
    QTest::newRow("trailing zeros beyond scale") << "0.050000" << true << qint64(500);
    QTest::newRow("negative") << "-1.5" << true << qint64(-15000);
    QTest::newRow("exponent") << "5e-2" << true << qint64(500);
    QTest::newRow("big exponent") << "1.5E3" << true << qint64(15000000);
    QTest::newRow("whitespace") << " 12.5\n" << true << qint64(125000);
    QTest::newRow("empty") << "" << false << qint64(0);
    QTest::newRow("text") << "abc" << false << qint64(0);
    QTest::newRow("two dots") << "1.2.3" << false << qint64(0);
    QTest::newRow("dangling exponent") << "1e" << false << qint64(0);
    QTest::newRow("overflow") << "99999999999999999999" << false << qint64(0);
    QTest::newRow("lone dot") << "." << false << qint64(0);
}

void tst_Price::parse()
{
    QFETCH(QString, text);
    QFETCH(bool, ok);
    QFETCH(qint64, raw);
    const std::string s = text.toStdString();
    const auto p = Price::parse(s);
    QCOMPARE(p.has_value(), ok);
    if (ok)
        QCOMPARE(p->raw(), raw);
}

void tst_Price::paise()
{
    QCOMPARE(Price::parsePaise("5.0")->raw(), Price::parse("0.05")->raw());
    QCOMPARE(Price::parsePaise("0.25")->raw(), 25); // Rs 0.0025
    QCOMPARE(Price::parsePaise("20.0")->toString(), std::string("0.2"));
    QVERIFY(!Price::parsePaise("0.001").has_value()); // Rs 0.00001: not representable
}

void tst_Price::rounding()
{
    const Price tick = *Price::parse("0.05");
    const Price p = *Price::parse("101.07");
    QCOMPARE(p.roundDownTo(tick), *Price::parse("101.05"));
    QCOMPARE(p.roundUpTo(tick), *Price::parse("101.10"));
    QVERIFY(!p.isMultipleOf(tick));
    QVERIFY(Price::parse("101.10")->isMultipleOf(tick));
    QCOMPARE(Price::parse("-0.03")->roundDownTo(tick), *Price::parse("-0.05"));
    QCOMPARE((*Price::parse("0.05") * 75).toString(), std::string("3.75"));
}

void tst_Price::formatting()
{
    QCOMPARE(Price::parse("26250")->toString(), std::string("26250"));
    QCOMPARE(Price::parse("26250")->toString(2), std::string("26250.00"));
    QCOMPARE(Price::parse("0.0025")->toString(), std::string("0.0025"));
    QCOMPARE(Price::parse("-83.25")->toString(), std::string("-83.25"));
    QCOMPARE(Price::fromRaw(std::numeric_limits<std::int64_t>::min()).toString().substr(0, 2),
             std::string("-9"));
}

QTEST_GUILESS_MAIN(tst_Price)
#include "tst_price.moc"
