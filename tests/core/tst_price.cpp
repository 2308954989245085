#include "common/Money.h"
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
    void moneyIndianGrouping();
    void pricesOnTheirTick();
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

void tst_Price::moneyIndianGrouping()
{
    QCOMPARE(Money::fromRupees(13140000).toIndian(), QStringLiteral("1,31,40,000.00"));
    QCOMPARE(Money::fromRupees(13140000).toIndian(0), QStringLiteral("1,31,40,000"));
    QCOMPARE(Money::fromRupees(-900).toIndian(), QStringLiteral("-900.00"));
    QCOMPARE(Money::fromRupees(1577400).toIndian(), QStringLiteral("15,77,400.00"));
    QCOMPARE(Money::fromRupees(123456789012).toIndian(), QStringLiteral("1,23,45,67,89,012.00"));
    QCOMPARE(Money::fromRaw(125).toIndian(), QStringLiteral("0.01")); // Rs 0.0125, half up
    QCOMPARE(Money::fromRaw(-125).toIndian(), QStringLiteral("-0.01"));
    QCOMPARE(Money::fromRaw(-49).toIndian(), QStringLiteral("0.00")); // no "-0.00"
    QCOMPARE(Money::fromRupees(13140000).toCompact(), QStringLiteral("1.31 Cr"));
    QCOMPARE(Money::fromRupees(-450000).toCompact(), QStringLiteral("-4.50 L"));
    QCOMPARE(Money::fromRupees(99999).toCompact(), QStringLiteral("99,999.00"));
    QCOMPARE(Money::fromRupees(5'00'00'00'000).toCompact(), QStringLiteral("500.00 Cr"));
    // A margin rate in basis points, exact and rounded half away from zero.
    QCOMPARE(Money::fromRupees(100000).basisPoints(1200), Money::fromRupees(12000));
    QCOMPARE(Money::fromRaw(5).basisPoints(5000), Money::fromRaw(3));
    QCOMPARE(Money::fromRaw(-5).basisPoints(5000), Money::fromRaw(-3));
    QCOMPARE(Money::parse("1500000.05").value(), Money::fromPaise(150000005));
    QVERIFY(!Money::parse("1.00001"));
}

void tst_Price::pricesOnTheirTick()
{
    QCOMPARE(formatPrice(Price::fromRupees(5258), Price::fromRupees(1)), QStringLiteral("5258.00"));
    QCOMPARE(formatPrice(*Price::parse("101.05"), Price::fromPaise(5)), QStringLiteral("101.05"));
    QCOMPARE(formatPrice(*Price::parse("88.25"), *Price::parse("0.0025")),
             QStringLiteral("88.2500"));
    QCOMPARE(formatPrice(*Price::parse("88.2525"), *Price::parse("0.0025")),
             QStringLiteral("88.2525"));
    QCOMPARE(formatPrice(*Price::parse("101.025"), Price::fromPaise(5)),
             QStringLiteral("101.025")); // an average off the tick keeps its digits
}

QTEST_GUILESS_MAIN(tst_Price)
#include "tst_price.moc"
