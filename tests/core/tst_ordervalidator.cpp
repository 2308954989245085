// OrderValidator: every rule, accepted and refused, at its boundaries; on a hand-made universe
// and on the real master.

#undef QT_NO_CAST_FROM_ASCII

#include "RecordFactory.h"
#include "TestData.h"
#include "instruments/InstrumentSnapshot.h"
#include "instruments/MasterReader.h"
#include "marketdata/MarketData.h"
#include "orders/AccountView.h"
#include "orders/OrderValidator.h"

#include <QTest>

#include <atomic>
#include <cstdlib>
#include <map>
#include <new>

// Counts heap allocations while `g_counting` is set: the accepted path must not allocate
// beyond the verdict's one slice. AddressSanitizer brings its own operator new and checks that
// it is paired with its own delete, so the count is only taken in ordinary builds.
#if defined(__SANITIZE_ADDRESS__)
#define STRIKELINE_COUNT_ALLOCATIONS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define STRIKELINE_COUNT_ALLOCATIONS 0
#endif
#endif
#ifndef STRIKELINE_COUNT_ALLOCATIONS
#define STRIKELINE_COUNT_ALLOCATIONS 1
#endif

namespace {
std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};
} // namespace

#if STRIKELINE_COUNT_ALLOCATIONS
void *operator new(std::size_t size)
{
    if (g_counting.load(std::memory_order_relaxed))
        g_allocations.fetch_add(1, std::memory_order_relaxed);
    if (void *p = std::malloc(size == 0 ? 1 : size))
        return p;
    throw std::bad_alloc();
}
void operator delete(void *p) noexcept
{
    std::free(p);
}
void operator delete(void *p, std::size_t) noexcept
{
    std::free(p);
}
#endif

using namespace strikeline;
using namespace strikeline::testing;

Q_DECLARE_METATYPE(strikeline::IstMoment)
Q_DECLARE_METATYPE(strikeline::Price)
Q_DECLARE_METATYPE(strikeline::OrderType)
Q_DECLARE_METATYPE(strikeline::Side)

namespace {

const EpochDay Today = day(2025, 12, 9); // a Tuesday, NIFTY's weekly expiry
const EpochDay Next = day(2025, 12, 16);
const EpochDay Month = day(2025, 12, 30);
const std::string NiftyIndex = "NSE_INDEX|Nifty 50";

IstMoment at(EpochDay d, int hour, int minute, int second = 0)
{
    return IstMoment{IstMoment::fromDay(d, hour * 60 + minute).epochMs + second * 1000};
}

struct Universe
{
    SnapshotPtr snapshot;
    std::string index, expiringCall, call, put, future, stockFuture, mcx, usdinr, equity, sme;
};

const Universe &universe()
{
    static const Universe u = [] {
        Universe x;
        RecordFactory f;
        SnapshotBuilder b;
        auto keep = [&b](InstrumentRecord r, std::string &key) {
            key = r.instrumentKey;
            b.add(std::move(r));
        };
        keep(f.index("NIFTY", NiftyIndex, "Nifty 50"), x.index);
        InstrumentRecord r =
            f.option("NIFTY", Today, "26000", true, 65, true, Segment::NseFo, NiftyIndex);
        r.freezeQuantity = 1755; // 27 lots, as in the master
        keep(r, x.expiringCall);
        r = f.option("NIFTY", Next, "26000", true, 65, true, Segment::NseFo, NiftyIndex);
        r.freezeQuantity = 1755;
        keep(r, x.call);
        r = f.option("NIFTY", Next, "26000", false, 65, true, Segment::NseFo, NiftyIndex);
        r.freezeQuantity = 1755;
        keep(r, x.put);
        r = f.future("NIFTY", Month, 65, Segment::NseFo, NiftyIndex);
        r.freezeQuantity = 1755;
        keep(r, x.future);
        r = f.future("RELIANCE", Month, 500, Segment::NseFo, "NSE_EQ|INE002A01018");
        r.freezeQuantity = 20000;
        keep(r, x.stockFuture);
        r = f.future("CRUDEOIL", Month, 100, Segment::McxFo);
        r.freezeQuantity = 20; // lots
        r.qtyMultiplier = 100;
        r.tickSize = Price::fromRupees(1);
        keep(r, x.mcx);
        r = f.future("USDINR", Month, 1, Segment::NcdFo);
        r.freezeQuantity = 10000;
        r.qtyMultiplier = 1000;
        r.tickSize = *Price::parse("0.0025");
        keep(r, x.usdinr);
        keep(f.equity("RELIANCE", "RELIANCE INDUSTRIES LTD"), x.equity);
        r = f.equity("PRIZOR", "PRIZOR VIZTECH LIMITED");
        r.lotSize = 400; // SME equities trade in lots
        keep(r, x.sme);
        x.snapshot = b.build(MasterInfo{});
        return x;
    }();
    return u;
}

class FakeMarket final : public MarketData
{
public:
    void set(const std::string &key, Quote q) { m_quotes[key] = q; }
    void setLast(const std::string &key, const char *last)
    {
        Quote q;
        q.last = *Price::parse(last);
        set(key, q);
    }
    std::optional<Quote> quote(std::string_view key) const override
    {
        const auto it = m_quotes.find(std::string(key));
        return it == m_quotes.end() ? std::nullopt : std::optional<Quote>(it->second);
    }

private:
    std::map<std::string, Quote> m_quotes;
};

OrderRequest limitBuy(const std::string &key, std::int64_t qty, const char *price)
{
    OrderRequest r;
    r.instrumentKey = key;
    r.side = Side::Buy;
    r.type = OrderType::Limit;
    r.quantity = qty;
    r.price = *Price::parse(price);
    return r;
}

Price px(const char *text)
{
    return *Price::parse(text);
}

bool has(const Verdict &v, std::string_view code)
{
    for (const ValidationIssue &i : v.issues)
        if (i.code == code)
            return true;
    return false;
}

const ValidationIssue *find(const Verdict &v, std::string_view code)
{
    for (const ValidationIssue &i : v.issues)
        if (i.code == code)
            return &i;
    return nullptr;
}

// Empty when the issue is missing, so a check on its text fails cleanly instead of crashing.
QString messageOf(const Verdict &v, std::string_view code)
{
    const ValidationIssue *i = find(v, code);
    return i ? i->message : QString();
}

std::optional<IssueSeverity> severityOf(const Verdict &v, std::string_view code)
{
    const ValidationIssue *i = find(v, code);
    return i ? std::optional<IssueSeverity>(i->severity) : std::nullopt;
}

QString describe(const Verdict &v)
{
    QString s = v.ok() ? QStringLiteral("OK") : QStringLiteral("REJECTED");
    for (const ValidationIssue &i : v.issues)
        s += QStringLiteral(" [%1: %2]")
                 .arg(QString::fromUtf8(i.code.data(), i.code.size()), i.message);
    return s;
}

} // namespace

class tst_OrderValidator : public QObject
{
    Q_OBJECT

    FixedClock m_clock{at(Today, 10, 0)};

    Verdict run(const OrderRequest &r, const MarketData *market = nullptr,
                const AccountView *account = nullptr, ValidationLimits limits = {})
    {
        return OrderValidator(m_clock, limits).validate(r, *universe().snapshot, market, account);
    }

private Q_SLOTS:
    void init() { m_clock.set(at(Today, 10, 0)); }

    void parsersAndNames()
    {
        QVERIFY(parseSide("buy") == Side::Buy);
        QVERIFY(parseSide("SELL") == Side::Sell);
        QVERIFY(!parseSide("hold"));
        QVERIFY(parseOrderType("sl-m") == OrderType::StopMarket);
        QVERIFY(parseOrderType("SL") == OrderType::StopLimit);
        QVERIFY(parseOrderType("Market") == OrderType::Market);
        QVERIFY(!parseOrderType("stop"));
        QVERIFY(parseProduct("i") == Product::Intraday);
        QVERIFY(parseProduct("D") == Product::Delivery);
        QVERIFY(!parseProduct("MTF"));
        QVERIFY(parseValidity("ioc") == Validity::Ioc);
        QVERIFY(!parseValidity("gtc"));
        QCOMPARE(orderTypeName(OrderType::StopMarket), std::string_view("SL-M"));
        QCOMPARE(productName(Product::Intraday), std::string_view("I"));
        QCOMPARE(validityName(Validity::Ioc), std::string_view("IOC"));
        QCOMPARE(sideName(Side::Sell), std::string_view("SELL"));
        for (OrderType t :
             {OrderType::Market, OrderType::Limit, OrderType::StopLimit, OrderType::StopMarket})
            QVERIFY(parseOrderType(orderTypeName(t)) == t);
    }

    void acceptsAPlainOrder()
    {
        const Verdict v = run(limitBuy(universe().call, 130, "101.05"));
        QVERIFY2(v.ok() && v.issues.empty(), qPrintable(describe(v)));
        QCOMPARE(v.slices, std::vector<std::int64_t>{130});
        QVERIFY(!v.afterMarket);
    }

    void acceptedPathAllocatesOnlyTheSlice()
    {
        if (!STRIKELINE_COUNT_ALLOCATIONS)
            QSKIP("AddressSanitizer build: operator new is the sanitizer's, not counted");
        const OrderRequest r = limitBuy(universe().call, 130, "101.05");
        FakeMarket market;
        market.setLast(universe().call, "100");
        AccountSnapshot account;
        account.setAvailableMargin(Money::fromRupees(1'000'000));
        const OrderValidator validator(m_clock);
        (void)validator.validate(r, *universe().snapshot, &market, &account); // warm up
        g_allocations = 0;
        g_counting = true;
        const Verdict v = validator.validate(r, *universe().snapshot, &market, &account);
        g_counting = false;
        QVERIFY2(v.ok() && v.issues.empty(), qPrintable(describe(v)));
        QCOMPARE(g_allocations.load(), 1L);
    }

    void unknownAndUntradable()
    {
        Verdict v = run(limitBuy("NSE_FO|999999", 65, "100"));
        QVERIFY(!v.ok());
        QVERIFY(has(v, issue::UnknownInstrument));
        QVERIFY(v.issues.front().message.contains("NSE_FO|999999"));
        QVERIFY(v.slices.empty());

        v = run(limitBuy(universe().index, 1, "26000"));
        QVERIFY(!v.ok());
        QVERIFY(has(v, issue::NotTradable));
        QVERIFY(v.issues.front().message.contains("index"));
    }

    void expiry_data()
    {
        QTest::addColumn<IstMoment>("now");
        QTest::addColumn<bool>("expired");
        QTest::newRow("day before") << at(Today - 1, 15, 0) << false;
        QTest::newRow("expiry day 15:29") << at(Today, 15, 29) << false;
        QTest::newRow("expiry day 15:30:00") << at(Today, 15, 30) << false;
        QTest::newRow("expiry day 15:30:01") << at(Today, 15, 30, 1) << true;
        QTest::newRow("next day 09:30") << at(Today + 1, 9, 30) << true;
    }
    void expiry()
    {
        QFETCH(IstMoment, now);
        QFETCH(bool, expired);
        m_clock.set(now);
        const Verdict v = run(limitBuy(universe().expiringCall, 65, "10"));
        QCOMPARE(has(v, issue::ContractExpired), expired);
        QCOMPARE(v.ok(), !expired);
        if (expired) {
            QVERIFY(v.issues.front().message.contains("2025-12-09"));
            QVERIFY(v.slices.empty());
        }
    }

    void quantity_data()
    {
        QTest::addColumn<std::int64_t>("qty");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("text");
        QTest::newRow("zero") << std::int64_t(0) << QString("qty_not_positive")
                              << QString("at least 1 lot (65 units)");
        QTest::newRow("negative") << std::int64_t(-65) << QString("qty_not_positive")
                                  << QString("-65");
        QTest::newRow("100") << std::int64_t(100) << QString("qty_not_lot_multiple")
                             << QString("Quantity 100 is not a multiple of the lot size 65 (1 lot "
                                        "= 65 units; try 65 or 130)");
        QTest::newRow("below one lot")
            << std::int64_t(30) << QString("qty_not_lot_multiple") << QString("try 65)");
        QTest::newRow("one lot") << std::int64_t(65) << QString() << QString();
        // Near 2^63: refused before any arithmetic, no wrapped suggestion (issue 16).
        QTest::newRow("huge") << std::int64_t(9223372036854775775LL) << QString("qty_too_large")
                              << QString("Quantity 9223372036854775775 is above 10000000");
    }
    void quantity()
    {
        QFETCH(std::int64_t, qty);
        QFETCH(QString, code);
        QFETCH(QString, text);
        const Verdict v = run(limitBuy(universe().call, qty, "100"));
        if (code.isEmpty()) {
            QVERIFY2(v.ok() && v.issues.empty(), qPrintable(describe(v)));
            return;
        }
        QVERIFY(!v.ok());
        const ValidationIssue *i = find(v, code.toStdString());
        QVERIFY2(i, qPrintable(describe(v)));
        QVERIFY2(i->message.contains(text), qPrintable(i->message));
        QVERIFY(v.slices.empty());
    }

    void slicing_data()
    {
        QTest::addColumn<std::int64_t>("qty");
        QTest::addColumn<int>("maxSlices");
        QTest::addColumn<std::vector<std::int64_t>>("slices"); // empty: too many slices
        using V = std::vector<std::int64_t>;
        QTest::newRow("exactly freeze") << std::int64_t(1755) << 25 << V{1755};
        QTest::newRow("freeze + 1 lot") << std::int64_t(1820) << 25 << V{1755, 65};
        QTest::newRow("three and a bit")
            << std::int64_t(3 * 1755 + 130) << 25 << V{1755, 1755, 1755, 130};
        QTest::newRow("25 slices") << std::int64_t(25 * 1755) << 25 << V(25, 1755);
        QTest::newRow("26 slices") << std::int64_t(25 * 1755 + 65) << 25 << V{};
        QTest::newRow("configured max 3") << std::int64_t(3 * 1755 + 65) << 3 << V{};
    }
    void slicing()
    {
        QFETCH(std::int64_t, qty);
        QFETCH(int, maxSlices);
        QFETCH(std::vector<std::int64_t>, slices);
        ValidationLimits limits;
        limits.maxSlices = maxSlices;
        const Verdict v = run(limitBuy(universe().call, qty, "1"), nullptr, nullptr, limits);
        QCOMPARE(v.slices, slices);
        QCOMPARE(v.ok(), !slices.empty());
        QCOMPARE(has(v, issue::TooManySlices), slices.empty());
        if (slices.empty()) {
            const QString m = messageOf(v, issue::TooManySlices);
            QVERIFY2(m.contains(QString("at most %1 orders").arg(maxSlices)), qPrintable(m));
            QVERIFY2(m.contains(QString("reduce it to %1 units").arg(maxSlices * 1755)),
                     qPrintable(m));
        }
    }

    // The order value the limit checks is contractValue(): price x quantity x qty_multiplier,
    // the same function the positions' P&L uses (tst_orderflow pnlAppliesTheContractMultiplier).
    void orderValueUsesTheContractMultiplier_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<qint64>("qty");
        QTest::addColumn<QString>("price");
        QTest::addColumn<QString>("value");
        QTest::newRow("MCX CRUDEOIL 3 lots")
            << QString::fromStdString(universe().mcx) << qint64(3) << "5258"
            << "15,77,400.00";
        QTest::newRow("NCD USDINR 4 lots")
            << QString::fromStdString(universe().usdinr) << qint64(4) << "88.2500"
            << "3,53,000.00";
        QTest::newRow("NSE NIFTY 65 units")
            << QString::fromStdString(universe().call) << qint64(65) << "200"
            << "13,000.00";
    }
    void orderValueUsesTheContractMultiplier()
    {
        QFETCH(QString, key);
        QFETCH(qint64, qty);
        QFETCH(QString, price);
        QFETCH(QString, value);
        const auto exact = Money::parse(QString(value).remove(QLatin1Char(',')).toStdString());
        QVERIFY(exact);
        ValidationLimits limits;
        limits.maxOrderValue = *exact; // at the limit: accepted
        Verdict v = run(limitBuy(key.toStdString(), qty, price.toStdString().c_str()), nullptr,
                        nullptr, limits);
        QVERIFY2(!has(v, issue::OrderValueTooLarge), qPrintable(describe(v)));
        limits.maxOrderValue = *exact - Money::fromPaise(1);
        v = run(limitBuy(key.toStdString(), qty, price.toStdString().c_str()), nullptr, nullptr,
                limits);
        QVERIFY2(messageOf(v, issue::OrderValueTooLarge).contains(QStringLiteral("Rs ") + value),
                 qPrintable(describe(v)));
    }

    void orderValueLimit()
    {
        ValidationLimits limits;
        limits.maxOrderValue = Money::fromRupees(13000);
        Verdict v = run(limitBuy(universe().call, 65, "200"), nullptr, nullptr, limits);
        QVERIFY2(v.ok(), qPrintable(describe(v))); // exactly 13,000
        v = run(limitBuy(universe().call, 65, "200.05"), nullptr, nullptr, limits);
        QVERIFY(!v.ok());
        QVERIFY(messageOf(v, issue::OrderValueTooLarge).contains("Rs 13,003.25"));
        limits.maxOrderValue = Money();
        v = run(limitBuy(universe().call, 65 * 20, "100000"), nullptr, nullptr, limits);
        QVERIFY2(v.ok(), qPrintable(describe(v))); // zero disables the limit
    }

    void ticks_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<Price>("price");
        QTest::addColumn<Price>("trigger");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("text");
        const QString call = QString::fromStdString(universe().call);
        const QString fut = QString::fromStdString(universe().future);
        const QString usd = QString::fromStdString(universe().usdinr);
        QTest::newRow("price off 0.05")
            << call << px("101.03") << Price() << QString("price_off_tick")
            << QString("Price 101.03 is not a multiple of the tick 0.05: nearest valid 101.00 or "
                       "101.05");
        QTest::newRow("below one tick")
            << call << px("0.03") << Price() << QString("price_off_tick")
            << QString("nearest valid 0.05");
        QTest::newRow("future tick 0.10")
            << fut << px("26000.05") << Price() << QString("price_off_tick")
            << QString("26000.00 or 26000.10");
        QTest::newRow("currency 0.0025")
            << usd << px("90.001") << Price() << QString("price_off_tick")
            << QString("90.00 or 90.0025");
        QTest::newRow("currency on tick")
            << usd << px("90.0025") << Price() << QString() << QString();
        QTest::newRow("trigger off tick")
            << call << px("101") << px("100.02") << QString("trigger_off_tick")
            << QString("Trigger 100.02 is not a multiple of the tick 0.05: nearest valid 100.00 "
                       "or 100.05");
    }
    void ticks()
    {
        QFETCH(QString, key);
        QFETCH(Price, price);
        QFETCH(Price, trigger);
        QFETCH(QString, code);
        QFETCH(QString, text);
        OrderRequest r = limitBuy(key.toStdString(), 65, "1");
        r.quantity = key.toStdString() == universe().usdinr ? 1 : 65;
        r.price = price;
        r.trigger = trigger;
        if (!trigger.isZero())
            r.type = OrderType::StopLimit;
        const Verdict v = run(r);
        if (code.isEmpty()) {
            QVERIFY2(v.ok(), qPrintable(describe(v)));
            return;
        }
        const ValidationIssue *i = find(v, code.toStdString());
        QVERIFY2(i, qPrintable(describe(v)));
        QCOMPARE(i->severity, IssueSeverity::Error);
        QVERIFY2(i->message.contains(text), qPrintable(i->message));
    }

    void priceAndTriggerByType_data()
    {
        QTest::addColumn<OrderType>("type");
        QTest::addColumn<Price>("price");
        QTest::addColumn<Price>("trigger");
        QTest::addColumn<QString>("code");
        QTest::newRow("market ok") << OrderType::Market << Price() << Price() << QString();
        QTest::newRow("market with price")
            << OrderType::Market << px("100") << Price() << QString("price_not_allowed");
        QTest::newRow("limit without price")
            << OrderType::Limit << Price() << Price() << QString("price_required");
        QTest::newRow("limit negative")
            << OrderType::Limit << px("-5") << Price() << QString("price_not_positive");
        QTest::newRow("limit above any exchange")
            << OrderType::Limit << px("10000000.05") << Price() << QString("price_too_large");
        QTest::newRow("limit with trigger")
            << OrderType::Limit << px("100") << px("99") << QString("trigger_not_allowed");
        QTest::newRow("sl without trigger")
            << OrderType::StopLimit << px("100") << Price() << QString("trigger_required");
        QTest::newRow("sl without price")
            << OrderType::StopLimit << Price() << px("100") << QString("price_required");
        QTest::newRow("sl ok") << OrderType::StopLimit << px("101") << px("100") << QString();
        QTest::newRow("sl-m ok") << OrderType::StopMarket << Price() << px("100") << QString();
        QTest::newRow("sl-m with price")
            << OrderType::StopMarket << px("101") << px("100") << QString("price_not_allowed");
        QTest::newRow("sl-m negative trigger")
            << OrderType::StopMarket << Price() << px("-1") << QString("trigger_not_positive");
    }
    void priceAndTriggerByType()
    {
        QFETCH(OrderType, type);
        QFETCH(Price, price);
        QFETCH(Price, trigger);
        QFETCH(QString, code);
        OrderRequest r = limitBuy(universe().call, 65, "1");
        r.type = type;
        r.price = price;
        r.trigger = trigger;
        const Verdict v = run(r);
        if (code.isEmpty()) {
            QVERIFY2(v.ok() && v.issues.empty(), qPrintable(describe(v)));
            return;
        }
        QVERIFY(!v.ok());
        QVERIFY2(has(v, code.toStdString()), qPrintable(describe(v)));
    }

    void stopSides_data()
    {
        QTest::addColumn<Side>("side");
        QTest::addColumn<OrderType>("type");
        QTest::addColumn<Price>("price");
        QTest::addColumn<Price>("trigger");
        QTest::addColumn<QString>("code"); // LTP is 100
        QTest::newRow("buy trigger above ltp")
            << Side::Buy << OrderType::StopLimit << px("100.10") << px("100.05") << QString();
        QTest::newRow("buy trigger at ltp") << Side::Buy << OrderType::StopLimit << px("100.10")
                                            << px("100") << QString("trigger_wrong_side_of_ltp");
        QTest::newRow("buy trigger below ltp")
            << Side::Buy << OrderType::StopMarket << Price() << px("99.95")
            << QString("trigger_wrong_side_of_ltp");
        QTest::newRow("buy limit below trigger")
            << Side::Buy << OrderType::StopLimit << px("101") << px("101.05")
            << QString("limit_wrong_side_of_trigger");
        QTest::newRow("buy limit equals trigger")
            << Side::Buy << OrderType::StopLimit << px("101") << px("101") << QString();
        QTest::newRow("sell trigger below ltp")
            << Side::Sell << OrderType::StopLimit << px("99.90") << px("99.95") << QString();
        QTest::newRow("sell trigger at ltp") << Side::Sell << OrderType::StopMarket << Price()
                                             << px("100") << QString("trigger_wrong_side_of_ltp");
        QTest::newRow("sell trigger above ltp")
            << Side::Sell << OrderType::StopLimit << px("100") << px("100.05")
            << QString("trigger_wrong_side_of_ltp");
        QTest::newRow("sell limit above trigger")
            << Side::Sell << OrderType::StopLimit << px("99") << px("98.95")
            << QString("limit_wrong_side_of_trigger");
    }
    void stopSides()
    {
        QFETCH(Side, side);
        QFETCH(OrderType, type);
        QFETCH(Price, price);
        QFETCH(Price, trigger);
        QFETCH(QString, code);
        FakeMarket market;
        market.setLast(universe().call, "100");
        OrderRequest r = limitBuy(universe().call, 65, "1");
        r.side = side;
        r.type = type;
        r.price = price;
        r.trigger = trigger;
        const Verdict v = run(r, &market);
        if (code.isEmpty()) {
            QVERIFY2(v.ok() && v.issues.empty(), qPrintable(describe(v)));
            return;
        }
        QVERIFY(!v.ok());
        QVERIFY2(has(v, code.toStdString()), qPrintable(describe(v)));
    }

    void stopSideNeedsALastPrice()
    {
        OrderRequest r = limitBuy(universe().call, 65, "1");
        r.type = OrderType::StopMarket;
        r.price = Price();
        r.trigger = px("1");
        const Verdict v = run(r); // no market data: the trigger can't be compared with an LTP
        QVERIFY2(v.ok() && v.issues.empty(), qPrintable(describe(v)));
    }

    void limitPriceProtection_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<Side>("side");
        QTest::addColumn<Price>("ltp");
        QTest::addColumn<Price>("price");
        QTest::addColumn<bool>("warned");
        const QString call = QString::fromStdString(universe().call);
        const QString fut = QString::fromStdString(universe().future);
        QTest::newRow("ltp 50: buy 70.00") << call << Side::Buy << px("50") << px("70") << false;
        QTest::newRow("ltp 50: buy 70.05") << call << Side::Buy << px("50") << px("70.05") << true;
        QTest::newRow("ltp 50.05: buy 70.05")
            << call << Side::Buy << px("50.05") << px("70.05") << false; // 40 %: up to 70.07
        QTest::newRow("ltp 50.05: buy 70.10")
            << call << Side::Buy << px("50.05") << px("70.10") << true;
        QTest::newRow("ltp 100: sell 60.00")
            << call << Side::Sell << px("100") << px("60") << false;
        QTest::newRow("ltp 100: sell 59.95")
            << call << Side::Sell << px("100") << px("59.95") << true;
        QTest::newRow("ltp 100: buy far below")
            << call << Side::Buy << px("100") << px("10") << false;
        QTest::newRow("ltp 10: sell 0.05") << call << Side::Sell << px("10") << px("0.05")
                                           << false; // the lower bound stops at zero
        QTest::newRow("future: buy +3%") << fut << Side::Buy << px("26000") << px("26780") << false;
        QTest::newRow("future: buy above +3%")
            << fut << Side::Buy << px("26000") << px("26780.10") << true;
    }
    void limitPriceProtection()
    {
        QFETCH(QString, key);
        QFETCH(Side, side);
        QFETCH(Price, ltp);
        QFETCH(Price, price);
        QFETCH(bool, warned);
        FakeMarket market;
        Quote q;
        q.last = ltp;
        market.set(key.toStdString(), q);
        OrderRequest r = limitBuy(key.toStdString(), 65, "1");
        r.side = side;
        r.price = price;
        const Verdict v = run(r, &market);
        QVERIFY2(v.ok(), qPrintable(describe(v))); // a warning never rejects
        QCOMPARE(has(v, issue::PriceOutsideLpp), warned);
        if (warned) {
            const ValidationIssue *i = find(v, issue::PriceOutsideLpp);
            QCOMPARE(i->severity, IssueSeverity::Warning);
            QVERIFY(i->message.contains(ltp.toQString(2)));
        }
    }

    void circuit()
    {
        FakeMarket market;
        Quote q;
        q.last = px("100");
        q.lowerCircuit = px("90");
        q.upperCircuit = px("110");
        market.set(universe().call, q);
        Verdict v = run(limitBuy(universe().call, 65, "110"), &market);
        QVERIFY2(v.ok(), qPrintable(describe(v)));
        v = run(limitBuy(universe().call, 65, "110.05"), &market);
        QVERIFY(!v.ok());
        QVERIFY(messageOf(v, issue::PriceOutsideCircuit).contains("90.00 - 110.00"));
        OrderRequest r = limitBuy(universe().call, 65, "89.95");
        r.side = Side::Sell;
        v = run(r, &market);
        QVERIFY(has(v, issue::PriceOutsideCircuit));
        r = limitBuy(universe().call, 65, "111");
        r.type = OrderType::StopLimit;
        r.trigger = px("110.50");
        v = run(r, &market);
        QVERIFY(has(v, issue::TriggerOutsideCircuit));
        QVERIFY(has(v, issue::PriceOutsideCircuit));
    }

    void marketHours_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<IstMoment>("now");
        QTest::addColumn<bool>("afterMarket");
        const QString call = QString::fromStdString(universe().call);
        const QString mcx = QString::fromStdString(universe().mcx);
        const QString usd = QString::fromStdString(universe().usdinr);
        QTest::newRow("09:14:59") << call << at(Today, 9, 14, 59) << true;
        QTest::newRow("09:15:00") << call << at(Today, 9, 15) << false;
        QTest::newRow("15:30:00") << call << at(Today, 15, 30) << false;
        QTest::newRow("15:30:01") << call << at(Today, 15, 30, 1) << true;
        QTest::newRow("saturday 11:00") << call << at(day(2025, 12, 13), 11, 0) << true;
        QTest::newRow("sunday 11:00") << call << at(day(2025, 12, 14), 11, 0) << true;
        QTest::newRow("monday 11:00") << call << at(day(2025, 12, 15), 11, 0) << false;
        QTest::newRow("mcx 20:00") << mcx << at(Today, 20, 0) << false;
        QTest::newRow("mcx 23:31") << mcx << at(Today, 23, 31) << true;
        QTest::newRow("currency 16:59") << usd << at(Today, 16, 59) << false;
        QTest::newRow("currency 17:01") << usd << at(Today, 17, 1) << true;
    }
    void marketHours()
    {
        QFETCH(QString, key);
        QFETCH(IstMoment, now);
        QFETCH(bool, afterMarket);
        m_clock.set(now);
        OrderRequest r = limitBuy(key.toStdString(), 1, "100");
        if (key.toStdString() == universe().call)
            r.quantity = 65;
        const Verdict v = run(r);
        QVERIFY2(v.ok(), qPrintable(describe(v)));
        QCOMPARE(v.afterMarket, afterMarket);
        QCOMPARE(has(v, issue::AfterMarket), afterMarket);
        if (afterMarket)
            QVERIFY(severityOf(v, issue::AfterMarket) == IssueSeverity::Warning);

        r.validity = Validity::Ioc;
        const Verdict ioc = run(r);
        QCOMPARE(has(ioc, issue::IocAfterMarket), afterMarket);
        QCOMPARE(ioc.ok(), !afterMarket);
    }

    void mcxQuantityIsInLots()
    {
        // CRUDEOIL: lot 100, freeze 20 lots; the quantity counts lots.
        Verdict v = run(limitBuy(universe().mcx, 7, "5000"));
        QVERIFY2(v.ok() && v.issues.empty(), qPrintable(describe(v)));
        QCOMPARE(v.slices, std::vector<std::int64_t>{7});
        v = run(limitBuy(universe().mcx, 20, "5000"));
        QCOMPARE(v.slices, std::vector<std::int64_t>{20});
        v = run(limitBuy(universe().mcx, 45, "5000"));
        QCOMPARE(v.slices, (std::vector<std::int64_t>{20, 20, 5}));
        v = run(limitBuy(universe().mcx, 0, "5000"));
        QVERIFY(!v.ok());
        const QString m = messageOf(v, issue::QtyNotPositive);
        QVERIFY2(m.contains("lots") && m.contains("1 lot = 100 units"), qPrintable(m));
        ValidationLimits limits;
        limits.maxSlices = 2;
        v = run(limitBuy(universe().mcx, 41, "5000"), nullptr, nullptr, limits);
        QVERIFY2(messageOf(v, issue::TooManySlices).contains("reduce it to 40 lots"),
                 qPrintable(describe(v)));
    }

    void equities()
    {
        Verdict v = run(limitBuy(universe().equity, 7, "1400.05"));
        QVERIFY2(v.ok() && v.issues.empty(), qPrintable(describe(v)));
        v = run(limitBuy(universe().sme, 500, "100"));
        QVERIFY(has(v, issue::QtyNotLotMultiple));
        v = run(limitBuy(universe().sme, 800, "100"));
        QVERIFY2(v.ok(), qPrintable(describe(v)));
    }

    void clientOrderId()
    {
        OrderRequest r = limitBuy(universe().call, 65, "100");
        r.clientOrderId = std::string(20, 'a');
        QVERIFY(run(r).ok());
        r.clientOrderId = std::string(21, 'a');
        const Verdict v = run(r);
        QVERIFY(!v.ok());
        QVERIFY(has(v, issue::ClientOrderIdTooLong));
    }

    void positions()
    {
        AccountSnapshot account;
        account.setPosition(universe().call, 65); // long one lot
        OrderRequest stop = limitBuy(universe().call, 130, "90");
        stop.side = Side::Sell;
        stop.type = OrderType::StopLimit;
        stop.trigger = px("90.50");
        Verdict v = run(stop, nullptr, &account);
        QVERIFY(!v.ok());
        const QString m = messageOf(v, issue::StopExceedsPosition);
        QVERIFY2(m.contains("long 65") && m.contains("open 65 short"), qPrintable(m));
        stop.quantity = 65;
        v = run(stop, nullptr, &account);
        QVERIFY2(v.ok() && v.issues.empty(), qPrintable(describe(v)));

        AccountSnapshot flat; // a stop with no position is a stop entry: allowed
        stop.quantity = 130;
        v = run(stop, nullptr, &flat);
        QVERIFY2(v.ok() && v.issues.empty(), qPrintable(describe(v)));

        OrderRequest sell = limitBuy(universe().call, 130, "100");
        sell.side = Side::Sell;
        v = run(sell, nullptr, &account);
        QVERIFY2(v.ok(), qPrintable(describe(v)));
        QVERIFY(severityOf(v, issue::PositionReversal) == IssueSeverity::Warning);

        AccountSnapshot shortOne; // a buy stop against a short
        shortOne.setPosition(universe().call, -65);
        OrderRequest buyStop = limitBuy(universe().call, 195, "110");
        buyStop.type = OrderType::StopMarket;
        buyStop.price = Price();
        buyStop.trigger = px("110");
        v = run(buyStop, nullptr, &shortOne);
        QVERIFY(has(v, issue::StopExceedsPosition));
    }

    void margin_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<Side>("side");
        QTest::addColumn<std::int64_t>("qty");
        QTest::addColumn<Price>("price");
        QTest::addColumn<std::int64_t>("position");
        QTest::addColumn<Price>("required"); // the estimate
        const QString call = QString::fromStdString(universe().call);
        // option buy: premium x units
        QTest::newRow("option buy")
            << call << Side::Buy << std::int64_t(65) << px("100") << std::int64_t(0) << px("6500");
        // option sell: 12 % of strike notional (index)
        QTest::newRow("option sell") << call << Side::Sell << std::int64_t(65) << px("100")
                                     << std::int64_t(0) << px("202800");
        // only the part that opens a position needs margin
        QTest::newRow("sell against a long") << call << Side::Sell << std::int64_t(130) << px("100")
                                             << std::int64_t(65) << px("202800");
        QTest::newRow("index future 12%")
            << QString::fromStdString(universe().future) << Side::Buy << std::int64_t(65)
            << px("26000") << std::int64_t(0) << px("202800");
        QTest::newRow("stock future 20%")
            << QString::fromStdString(universe().stockFuture) << Side::Sell << std::int64_t(500)
            << px("1500") << std::int64_t(0) << px("150000");
        // MCX: 2 lots x multiplier 100 x 5000 x 10 %
        QTest::newRow("mcx 10% with multiplier")
            << QString::fromStdString(universe().mcx) << Side::Buy << std::int64_t(2) << px("5000")
            << std::int64_t(0) << px("100000");
        QTest::newRow("equity delivery 100%")
            << QString::fromStdString(universe().equity) << Side::Buy << std::int64_t(10)
            << px("1400") << std::int64_t(0) << px("14000");
    }
    void margin()
    {
        QFETCH(QString, key);
        QFETCH(Side, side);
        QFETCH(std::int64_t, qty);
        QFETCH(Price, price);
        QFETCH(std::int64_t, position);
        QFETCH(Price, required);
        OrderRequest r = limitBuy(key.toStdString(), qty, "1");
        r.side = side;
        r.price = price;
        AccountSnapshot account;
        account.setPosition(key.toStdString(), position);
        const Money need = Money::fromRaw(required.raw());
        account.setAvailableMargin(need);
        Verdict v = run(r, nullptr, &account);
        QVERIFY2(!has(v, issue::InsufficientMargin), qPrintable(describe(v)));
        account.setAvailableMargin(need - Money::fromPaise(1));
        v = run(r, nullptr, &account);
        QVERIFY(!v.ok());
        const QString m = messageOf(v, issue::InsufficientMargin);
        QVERIFY2(m.contains(QString("Rs %1").arg(need.toIndian(2))) && m.contains("estimate"),
                 qPrintable(m));
    }

    void closingNeedsNoMargin()
    {
        AccountSnapshot account;
        account.setPosition(universe().call, 65);
        account.setAvailableMargin(Money());
        OrderRequest r = limitBuy(universe().call, 65, "100");
        r.side = Side::Sell;
        const Verdict v = run(r, nullptr, &account);
        QVERIFY2(v.ok() && v.issues.empty(), qPrintable(describe(v)));
    }

    void marginWithoutAPrice()
    {
        AccountSnapshot account;
        account.setAvailableMargin(Money::fromRupees(1000));
        OrderRequest r = limitBuy(universe().future, 65, "1");
        r.type = OrderType::Market;
        r.price = Price();
        Verdict v = run(r, nullptr, &account);
        QVERIFY2(v.ok(), qPrintable(describe(v)));
        QVERIFY(has(v, issue::MarginNotEstimated));
        FakeMarket market; // with a last price the estimate uses it
        market.setLast(universe().future, "26000");
        v = run(r, &market, &account);
        QVERIFY(has(v, issue::InsufficientMargin));
    }

    void everyIssueIsDocumented()
    {
        QFile doc(QStringLiteral(STRIKELINE_SOURCE_DIR "/docs/orders.md"));
        QVERIFY(doc.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(doc.readAll());
        for (std::string_view code : {issue::UnknownInstrument,       issue::NotTradable,
                                      issue::ContractExpired,         issue::ClientOrderIdTooLong,
                                      issue::QtyNotPositive,          issue::QtyNotLotMultiple,
                                      issue::TooManySlices,           issue::OrderValueTooLarge,
                                      issue::PriceRequired,           issue::PriceNotAllowed,
                                      issue::PriceNotPositive,        issue::PriceOffTick,
                                      issue::TriggerRequired,         issue::TriggerNotAllowed,
                                      issue::TriggerNotPositive,      issue::TriggerOffTick,
                                      issue::LimitWrongSideOfTrigger, issue::TriggerWrongSideOfLtp,
                                      issue::PriceOutsideCircuit,     issue::TriggerOutsideCircuit,
                                      issue::PriceOutsideLpp,         issue::AfterMarket,
                                      issue::IocAfterMarket,          issue::StopExceedsPosition,
                                      issue::PositionReversal,        issue::InsufficientMargin,
                                      issue::MarginNotEstimated}) {
            const QString quoted = QStringLiteral("`%1`").arg(
                QString::fromUtf8(code.data(), static_cast<qsizetype>(code.size())));
            QVERIFY2(text.contains(quoted), qPrintable(quoted));
        }
    }

    void realMaster()
    {
        STRIKELINE_REQUIRE_REAL_FILE(path, "complete-2025-12-09.json.gz");
        SnapshotBuilder builder;
        auto read =
            readMasterFile(path, [&builder](InstrumentRecord &&r) { builder.add(std::move(r)); });
        QVERIFY2(read.ok(), read.ok() ? "" : qPrintable(read.error().message));
        const SnapshotPtr s = builder.build(MasterInfo{});
        ValidationLimits limits;
        limits.maxOrderValue = Money(); // 101 lots of crude are worth Rs 5 crore
        const OrderValidator validator(m_clock, limits);
        auto key = [&s](const char *symbol) {
            const auto id = s->resolve(symbol);
            return id ? std::string(s->instrument(*id).instrumentKey()) : std::string();
        };
        // December NIFTY: lot 75, freeze 1800 (measured in the master).
        const std::string nifty = key("NIFTY 26000 CE 16 DEC 25");
        QVERIFY(!nifty.empty());
        Verdict v = validator.validate(limitBuy(nifty, 1800, "100"), *s);
        QCOMPARE(v.slices, std::vector<std::int64_t>{1800});
        v = validator.validate(limitBuy(nifty, 1875, "100"), *s);
        QCOMPARE(v.slices, (std::vector<std::int64_t>{1800, 75}));
        v = validator.validate(limitBuy(nifty, 100, "100"), *s);
        QVERIFY(messageOf(v, issue::QtyNotLotMultiple).contains("try 75 or 150"));
        // MCX CRUDEOIL: quantity and freeze in lots.
        const std::string crude = key("CRUDEOIL FUT 19 MAR 26");
        QVERIFY(!crude.empty());
        v = validator.validate(limitBuy(crude, 101, "5000"), *s);
        QVERIFY2(v.ok(), qPrintable(describe(v)));
        QCOMPARE(v.slices, (std::vector<std::int64_t>{100, 1}));
        // The index is not tradable; yesterday's weekly is expired.
        v = validator.validate(limitBuy("NSE_INDEX|Nifty 50", 75, "26000"), *s);
        QVERIFY(has(v, issue::NotTradable));
        m_clock.set(at(Today + 1, 10, 0));
        v = validator.validate(limitBuy(key("NIFTY 26000 CE 09 DEC 25"), 75, "100"), *s);
        QVERIFY(has(v, issue::ContractExpired));
    }
};

QTEST_GUILESS_MAIN(tst_OrderValidator)
#include "tst_ordervalidator.moc"
