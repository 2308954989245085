// Black-76 and the simulated market: known values, parity, carry, ticks, determinism, days.

#undef QT_NO_CAST_FROM_ASCII

#include "RecordFactory.h"
#include "analytics/Black76.h"
#include "instruments/InstrumentRepository.h"
#include "marketdata/SimulatedMarket.h"

#include <QTest>

#include <atomic>
#include <cmath>
#include <thread>

using namespace strikeline;
using namespace strikeline::testing;

namespace {

const EpochDay Today = day(2025, 12, 9);
const EpochDay Weekly = day(2025, 12, 16);
const EpochDay Month = day(2025, 12, 30);
const std::string NiftyIndex = "NSE_INDEX|Nifty 50";

IstMoment at(EpochDay d, int hour, int minute)
{
    return IstMoment::fromDay(d, hour * 60 + minute);
}

struct Keys
{
    std::string index, future, call26000, put26000, call26200, expired, mcxFuture, equity;
};

SnapshotPtr buildUniverse(Keys &k)
{
    RecordFactory f;
    SnapshotBuilder b;
    auto keep = [&b](InstrumentRecord r, std::string *key = nullptr) {
        if (key)
            *key = r.instrumentKey;
        b.add(std::move(r));
    };
    keep(f.index("NIFTY", NiftyIndex, "Nifty 50"), &k.index);
    keep(f.future("NIFTY", Month, 65, Segment::NseFo, NiftyIndex), &k.future);
    for (int strike = 25800; strike <= 26200; strike += 100) {
        const std::string s = std::to_string(strike);
        keep(f.option("NIFTY", Weekly, s, true, 65, true, Segment::NseFo, NiftyIndex),
             strike == 26000   ? &k.call26000
             : strike == 26200 ? &k.call26200
                               : nullptr);
        keep(f.option("NIFTY", Weekly, s, false, 65, true, Segment::NseFo, NiftyIndex),
             strike == 26000 ? &k.put26000 : nullptr);
    }
    keep(f.option("NIFTY", day(2025, 12, 2), "26000", true, 65, true, Segment::NseFo, NiftyIndex),
         &k.expired);
    InstrumentRecord crude = f.future("CRUDEOIL", Month, 100, Segment::McxFo);
    crude.tickSize = Price::fromRupees(1);
    keep(crude, &k.mcxFuture);
    keep(f.option("CRUDEOIL", Month, "5000", true, 100, false, Segment::McxFo));
    keep(f.option("CRUDEOIL", Month, "5200", true, 100, false, Segment::McxFo));
    keep(f.option("CRUDEOIL", Month, "5400", true, 100, false, Segment::McxFo));
    keep(f.equity("RELIANCE", "RELIANCE INDUSTRIES LTD"), &k.equity);
    return b.build(MasterInfo{});
}

double years(EpochDay expiry, IstMoment now)
{
    return static_cast<double>(IstMoment::fromDay(expiry, 15 * 60 + 30).epochMs - now.epochMs) /
           (365.0 * 86400.0 * 1000.0);
}

Price nearestTick(double value, const char *tick)
{
    const Price t = *Price::parse(tick);
    return Price::fromRaw(std::llround(value * Price::Scale / static_cast<double>(t.raw())) *
                          t.raw());
}

} // namespace

class tst_SimulatedMarket : public QObject
{
    Q_OBJECT

    Keys m_keys;
    InstrumentRepository m_repository;
    FixedClock m_clock{at(Today, 10, 0)};

private Q_SLOTS:
    void initTestCase() { m_repository.publish(buildUniverse(m_keys)); }
    void init() { m_clock.set(at(Today, 10, 0)); }

    void black76KnownValues()
    {
        QCOMPARE(normalCdf(0), 0.5);
        QVERIFY(std::abs(normalCdf(1.96) - 0.9750021049) < 1e-9);
        // Hull, Options, Futures and Other Derivatives: a put on a future, F = K = 20,
        // r = 9 %, sigma = 25 %, T = 4 months: 1.12.
        Black76Input in{20, 20, 4.0 / 12.0, 0.25, 0.09};
        QVERIFY(std::abs(black76Price(OptionRight::Put, in) - 1.1166414566) < 1e-8);
        in = {26000, 26200, 7.0 / 365.0, 0.15, 0.065};
        QVERIFY(std::abs(black76Price(OptionRight::Call, in) - 130.6782493470) < 1e-7);
    }

    void black76PutCallParity_data()
    {
        QTest::addColumn<double>("forward");
        QTest::addColumn<double>("strike");
        QTest::addColumn<double>("years");
        QTest::addColumn<double>("vol");
        QTest::addColumn<double>("rate");
        QTest::newRow("atm") << 26000.0 << 26000.0 << 0.1 << 0.15 << 0.065;
        QTest::newRow("deep itm call") << 26000.0 << 20000.0 << 0.5 << 0.2 << 0.07;
        QTest::newRow("deep otm call") << 26000.0 << 32000.0 << 0.02 << 0.12 << 0.05;
        QTest::newRow("currency") << 90.1 << 89.5 << 0.25 << 0.05 << 0.065;
    }
    void black76PutCallParity()
    {
        QFETCH(double, forward);
        QFETCH(double, strike);
        QFETCH(double, years);
        QFETCH(double, vol);
        QFETCH(double, rate);
        const Black76Input in{forward, strike, years, vol, rate};
        const double lhs = black76Price(OptionRight::Call, in) - black76Price(OptionRight::Put, in);
        const double rhs = std::exp(-rate * years) * (forward - strike);
        QVERIFY2(std::abs(lhs - rhs) < 1e-9 * forward, qPrintable(QString::number(lhs - rhs)));
    }

    void black76AtExpiryIsIntrinsic()
    {
        const Black76Input in{26100, 26000, 0, 0.15, 0.065};
        QCOMPARE(black76Price(OptionRight::Call, in), 100.0);
        QCOMPARE(black76Price(OptionRight::Put, in), 0.0);
    }

    void defaultLevelIsTheMedianStrike()
    {
        const SimulatedMarket market(m_repository, m_clock);
        QCOMPARE(market.underlyingPrice("NIFTY"), Price::fromRupees(26000));
        QCOMPARE(market.underlyingPrice("nifty"), Price::fromRupees(26000));
        const auto q = market.quote(m_keys.index);
        QVERIFY(q);
        QCOMPARE(q->last, Price::fromRupees(26000));
        QVERIFY(q->simulated);
        QCOMPARE(q->timeMs, m_clock.now().epochMs);
        QVERIFY(!market.underlyingPrice("NOSUCH"));
    }

    void futuresCarry()
    {
        SimulatedMarket market(m_repository, m_clock);
        market.setUnderlyingPrice("NIFTY", Price::fromRupees(26000));
        const auto q = market.quote(m_keys.future);
        QVERIFY(q);
        const double expected = 26000 * std::exp(0.065 * years(Month, m_clock.now()));
        QCOMPARE(q->last, nearestTick(expected, "0.10"));
        QVERIFY(q->last > Price::fromRupees(26000));
        // The band: previous close +- 10 %, inside after rounding to the tick.
        QVERIFY(q->lowerCircuit && q->upperCircuit);
        QVERIFY(q->lowerCircuit->toDouble() >= q->previousClose.toDouble() * 0.9);
        QVERIFY(q->upperCircuit->toDouble() <= q->previousClose.toDouble() * 1.1);
        QVERIFY(q->upperCircuit->toDouble() > q->previousClose.toDouble() * 1.1 - 0.10);
        market.setCarryRate(0);
        QCOMPARE(market.quote(m_keys.future)->last, Price::fromRupees(26000));
    }

    void optionsAreBlack76OnTheFuture()
    {
        SimulatedMarket market(m_repository, m_clock);
        market.setUnderlyingPrice("NIFTY", Price::fromRupees(26000));
        const double t = years(Weekly, m_clock.now());
        const double forward = 26000 * std::exp(0.065 * t);
        for (const auto &[key, right, strike] :
             {std::tuple{m_keys.call26000, OptionRight::Call, 26000.0},
              std::tuple{m_keys.put26000, OptionRight::Put, 26000.0},
              std::tuple{m_keys.call26200, OptionRight::Call, 26200.0}}) {
            const auto q = market.quote(key);
            QVERIFY(q);
            const double expected = black76Price(right, {forward, strike, t, 0.15, 0.065});
            QCOMPARE(q->last, nearestTick(expected, "0.05"));
            QVERIFY(q->last.isMultipleOf(*Price::parse("0.05")));
            QVERIFY(!q->lowerCircuit && !q->upperCircuit);
        }
        market.setOptionVolatility(0.30);
        QVERIFY(market.quote(m_keys.call26000)->last > market.quote(m_keys.put26000)->last);
        QCOMPARE(market.optionVolatility(), 0.30);
    }

    void neverBelowOneTick()
    {
        SimulatedMarket market(m_repository, m_clock);
        market.setUnderlyingPrice("NIFTY", Price::fromRupees(10000));
        QCOMPARE(market.quote(m_keys.call26200)->last, *Price::parse("0.05"));
        market.setUnderlyingPrice("CRUDEOIL", Price::fromRupees(5123));
        const auto crude = market.quote(m_keys.mcxFuture);
        QVERIFY(crude && crude->last.isMultipleOf(Price::fromRupees(1)));
    }

    void noQuoteForExpiredOrUnknown()
    {
        const SimulatedMarket market(m_repository, m_clock);
        QVERIFY(!market.quote(m_keys.expired));
        QVERIFY(!market.quote("NSE_FO|424242"));
        QVERIFY(!market.quote(m_keys.equity)); // no derivatives, no set price: nothing to go by
        m_clock.set(at(day(2025, 12, 2), 10, 0));
        QVERIFY(market.quote(m_keys.expired)); // live on its expiry day
    }

    void equityTakesTheSetPrice()
    {
        SimulatedMarket market(m_repository, m_clock);
        market.setUnderlyingPrice("RELIANCE", *Price::parse("1400.02"));
        QCOMPARE(market.quote(m_keys.equity)->last, Price::fromRupees(1400)); // tick 0.05
    }

    void walkIsDeterministicPerSeed()
    {
        SimulationParams p;
        p.seed = 7;
        SimulatedMarket a(m_repository, m_clock, p);
        SimulatedMarket b(m_repository, m_clock, p);
        p.seed = 8;
        SimulatedMarket c(m_repository, m_clock, p);
        for (int i = 0; i < 50; ++i) {
            a.advance(1000);
            b.advance(1000);
            c.advance(1000);
        }
        QCOMPARE(a.underlyingPrice("NIFTY"), b.underlyingPrice("NIFTY"));
        QCOMPARE(a.quote(m_keys.call26000)->last, b.quote(m_keys.call26000)->last);
        QCOMPARE(a.quote(m_keys.mcxFuture)->last, b.quote(m_keys.mcxFuture)->last);
        QVERIFY(a.underlyingPrice("NIFTY") != c.underlyingPrice("NIFTY"));
        QVERIFY(a.underlyingPrice("NIFTY") != Price::fromRupees(26000)); // it moved
    }

    void walkRevertsToTheSetPrice()
    {
        SimulatedMarket market(m_repository, m_clock);
        market.setUnderlyingPrice("NIFTY", Price::fromRupees(26000));
        double furthest = 0;
        for (int i = 0; i < 2000; ++i) { // 2000 s: over a half-life
            market.advance(1000);
            furthest = std::max(
                furthest, std::abs(market.underlyingPrice("NIFTY")->toDouble() / 26000.0 - 1));
        }
        QVERIFY(furthest > 0);
        // Stationary deviation is ~0.23 %; 2 % would be a broken reversion.
        QVERIFY2(furthest < 0.02, qPrintable(QString::number(furthest)));
        market.setUnderlyingPrice("NIFTY", Price::fromRupees(24000));
        QCOMPARE(market.underlyingPrice("NIFTY"), Price::fromRupees(24000));
        market.advance(60'000);
        QVERIFY(std::abs(market.underlyingPrice("NIFTY")->toDouble() - 24000) < 240);
        market.setUnderlyingPrice("NIFTY", Price()); // back to the default anchor
        for (int i = 0; i < 50; ++i)
            market.advance(3'600'000);
        QVERIFY(std::abs(market.underlyingPrice("NIFTY")->toDouble() - 26000) < 260);
    }

    void previousCloseIsTheDaysStart()
    {
        SimulatedMarket market(m_repository, m_clock);
        market.setUnderlyingPrice("NIFTY", Price::fromRupees(26000));
        auto q = market.quote(m_keys.future);
        QCOMPARE(q->previousClose, q->last);
        const Price startOfDay = q->previousClose;
        for (int i = 0; i < 30; ++i)
            market.advance(10'000);
        q = market.quote(m_keys.future);
        QCOMPARE(q->previousClose, startOfDay);
        QVERIFY(q->last != startOfDay);
        // Next morning, before any step: yesterday's last level is the reference.
        const Price yesterdayLevel = *market.underlyingPrice("NIFTY");
        m_clock.set(at(Today + 1, 9, 15));
        market.setCarryRate(0);
        q = market.quote(m_keys.future);
        QCOMPARE(q->previousClose, nearestTick(yesterdayLevel.toDouble(), "0.10"));
    }

    void quotesWhileAdvancing()
    {
        SimulatedMarket market(m_repository, m_clock);
        std::atomic<bool> stop{false};
        std::atomic<int> bad{0};
        std::thread reader([&] {
            while (!stop.load()) {
                const auto q = market.quote(m_keys.call26000);
                if (!q || !q->last.isPositive() || !q->simulated)
                    bad.fetch_add(1);
            }
        });
        for (int i = 0; i < 500; ++i) {
            market.advance(250);
            if (i % 100 == 0)
                market.setUnderlyingPrice("NIFTY", Price::fromRupees(26000 + i));
        }
        stop = true;
        reader.join();
        QCOMPARE(bad.load(), 0);
    }
};

QTEST_GUILESS_MAIN(tst_SimulatedMarket)
#include "tst_simulatedmarket.moc"
