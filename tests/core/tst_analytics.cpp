// The option maths (core/analytics, docs/analytics.md): Black-76 against a published value and
// put-call parity, the Greeks against finite differences of the price, the implied-volatility
// solver over a grid of strikes, times and volatilities (round trips; a reason, never NaN,
// outside the no-arbitrage range), time to expiry at the exchange's close, the chain's forward,
// the ATM guard, PCR and max pain (hand-worked, and against the brute-force payout).

#include "analytics/Black76.h"
#include "analytics/ChainAnalytics.h"
#include "analytics/ExpiryTime.h"
#include "analytics/ImpliedVolatility.h"

#include <QRandomGenerator>
#include <QTest>

#include <cmath>
#include <vector>

using namespace strikeline;

namespace {

Black76Input input(double forward, double strike, double years, double volatility, double rate = 0)
{
    return Black76Input{forward, strike, years, volatility, rate};
}

bool near(double a, double b, double tolerance)
{
    return std::abs(a - b) <= tolerance;
}

} // namespace

class tst_Analytics final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void black76MatchesHaug()
    {
        // Haug, The Complete Guide to Option Pricing Formulas (2nd ed.), Black-76 example:
        // F = 19, X = 19, T = 0.75, r = 10 %, sigma = 28 %: call = put = 1.7011.
        const Black76Input in = input(19, 19, 0.75, 0.28, 0.10);
        QVERIFY(near(black76Price(OptionRight::Call, in), 1.7011, 5e-5));
        QVERIFY(near(black76Price(OptionRight::Put, in), 1.7011, 5e-5));
    }

    void putCallParity()
    {
        for (const double strike : {20000.0, 25000.0, 26000.0, 31000.0}) {
            for (const double rate : {0.0, 0.065}) {
                const Black76Input in = input(26000, strike, 0.1, 0.18, rate);
                const double parity = std::exp(-rate * 0.1) * (26000 - strike);
                QVERIFY(
                    near(black76Price(OptionRight::Call, in) - black76Price(OptionRight::Put, in),
                         parity, 1e-8 * 26000));
            }
        }
    }

    void greeksAreThePricesDerivatives()
    {
        const double h = 1e-3;
        for (const OptionRight right : {OptionRight::Call, OptionRight::Put}) {
            for (const double strike : {24000.0, 26000.0, 28000.0}) {
                const Black76Input in = input(26000, strike, 30.0 / 365, 0.16, 0.065);
                const Greeks g = black76Greeks(right, in);
                const auto price = [&](Black76Input x) { return black76Price(right, x); };
                Black76Input up = in, down = in;
                up.forward += h;
                down.forward -= h;
                const double delta = (price(up) - price(down)) / (2 * h);
                // Gamma over a rupee: a second difference over 1e-3 is rounding noise.
                up.forward = in.forward + 1;
                down.forward = in.forward - 1;
                const double gamma = (price(up) - 2 * price(in) + price(down));
                QVERIFY2(near(g.delta, delta, 1e-6), qPrintable(QString::number(g.delta)));
                QVERIFY2(near(g.gamma, gamma, 1e-3 * std::abs(gamma) + 1e-9),
                         qPrintable(QString::number(g.gamma)));
                Black76Input volUp = in, volDown = in;
                volUp.volatility += 1e-4;
                volDown.volatility -= 1e-4;
                // Vega per one volatility point: the change for +0.01 of sigma.
                QVERIFY(near(g.vega, (price(volUp) - price(volDown)) / 2e-4 / 100, 1e-6));
                // Theta: the premium's change as time passes (dt small), per calendar day.
                Black76Input later = in;
                later.years -= 1e-6;
                const double theta = (price(later) - price(in)) / 1e-6 / 365;
                QVERIFY2(near(g.theta, theta, 1e-4 * std::abs(theta) + 1e-6),
                         qPrintable(QStringLiteral("%1 vs %2").arg(g.theta).arg(theta)));
                Black76Input rateUp = in, rateDown = in;
                rateUp.rate += 1e-4;
                rateDown.rate -= 1e-4;
                QVERIFY(near(g.rho, (price(rateUp) - price(rateDown)) / 2e-4 / 100, 1e-6));
            }
        }
        // A call's and a put's Greeks at one strike: deltas apart by the discount, the rest
        // shared.
        const Black76Input in = input(26000, 26500, 0.05, 0.2, 0.065);
        const Greeks call = black76Greeks(OptionRight::Call, in);
        const Greeks put = black76Greeks(OptionRight::Put, in);
        QVERIFY(near(call.delta - put.delta, std::exp(-0.065 * 0.05), 1e-12));
        QVERIFY(near(call.gamma, put.gamma, 1e-15));
        QVERIFY(near(call.vega, put.vega, 1e-12));
        // A trading-day basis: theta per trading day.
        const Greeks trading = black76Greeks(OptionRight::Call, in, 252);
        QVERIFY(near(trading.theta, call.theta * 365 / 252, 1e-12));
        // At expiry: the limits, not NaN.
        const Greeks expired = black76Greeks(OptionRight::Put, input(100, 120, 0, 0.2));
        QCOMPARE(expired.delta, -1.0);
        QCOMPARE(expired.gamma, 0.0);
    }

    void impliedVolatilityRoundTrips()
    {
        int solved = 0;
        int worstIterations = 0;
        for (const OptionRight right : {OptionRight::Call, OptionRight::Put}) {
            for (double strike = 18000; strike <= 34000; strike += 1000) {
                for (const double years : {1.0 / (365 * 24), 1.0 / 365, 7.0 / 365, 0.25, 2.0}) {
                    for (const double sigma : {0.05, 0.15, 0.5, 1.5}) {
                        for (const double rate : {0.0, 0.065}) {
                            const Black76Input in = input(26000, strike, years, sigma, rate);
                            const double price = black76Price(right, in);
                            const double intrinsic =
                                std::exp(-rate * years) * std::max(right == OptionRight::Call
                                                                       ? 26000 - strike
                                                                       : strike - 26000,
                                                                   0.0);
                            // A time value under a paisa is no market price: the solver calls it
                            // "no time value", rightly.
                            if (price - intrinsic < 0.01)
                                continue;
                            const ImpliedVolatility iv = impliedVolatility(right, in, price);
                            QVERIFY2(iv.ok(), qPrintable(QStringLiteral("K %1 T %2 s %3: %4")
                                                             .arg(strike)
                                                             .arg(years)
                                                             .arg(sigma)
                                                             .arg(ivFailureText(iv, price))));
                            QVERIFY(std::isfinite(iv.volatility));
                            Black76Input back = in;
                            back.volatility = iv.volatility;
                            QVERIFY2(near(black76Price(right, back), price, 1e-6 * price + 1e-8),
                                     qPrintable(QStringLiteral("K %1 T %2 s %3: iv %4")
                                                    .arg(strike)
                                                    .arg(years)
                                                    .arg(sigma)
                                                    .arg(iv.volatility)));
                            worstIterations = std::max(worstIterations, iv.iterations);
                            ++solved;
                        }
                    }
                }
            }
        }
        qInfo("%d prices solved, at most %d evaluations each", solved, worstIterations);
        QVERIFY(solved > 500);
        QVERIFY2(worstIterations <= 100, qPrintable(QString::number(worstIterations)));
    }

    void noImpliedVolatilitySaysWhy_data()
    {
        QTest::addColumn<int>("right");
        QTest::addColumn<double>("forward");
        QTest::addColumn<double>("strike");
        QTest::addColumn<double>("years");
        QTest::addColumn<double>("price");
        QTest::addColumn<int>("failure");
        QTest::addColumn<QString>("says");
        const int call = int(OptionRight::Call);
        const int put = int(OptionRight::Put);
        QTest::newRow("below intrinsic")
            << call << 26000.0 << 25000.0 << 0.02 << 950.0 << int(IvFailure::BelowIntrinsic)
            << QStringLiteral("below the discounted intrinsic value 1000.00");
        QTest::newRow("at intrinsic")
            << put << 26000.0 << 27000.0 << 0.02 << 1000.0 << int(IvFailure::NoTimeValue)
            << QStringLiteral("no time value");
        QTest::newRow("above forward")
            << call << 26000.0 << 25000.0 << 0.02 << 26000.0 << int(IvFailure::AboveUpperBound)
            << QStringLiteral("the most the option can be worth");
        QTest::newRow("above strike")
            << put << 26000.0 << 100.0 << 0.02 << 150.0 << int(IvFailure::AboveUpperBound)
            << QStringLiteral("above 100.00");
        QTest::newRow("expired") << call << 26000.0 << 25000.0 << 0.0 << 1000.0
                                 << int(IvFailure::Expired) << QStringLiteral("expired");
        QTest::newRow("zero price") << call << 26000.0 << 25000.0 << 0.02 << 0.0
                                    << int(IvFailure::BadInput) << QStringLiteral("positive");
        QTest::newRow("zero forward") << call << 0.0 << 25000.0 << 0.02 << 10.0
                                      << int(IvFailure::BadInput) << QStringLiteral("positive");
        QTest::newRow("NaN price") << put << 26000.0 << 25000.0 << 0.02 << std::nan("")
                                   << int(IvFailure::BadInput) << QStringLiteral("positive");
        QTest::newRow("needs 1000 %") << call << 26000.0 << 26000.0 << 1.0 / 365 / 24 << 20000.0
                                      << int(IvFailure::TooHigh) << QStringLiteral("above 1000 %");
    }
    void noImpliedVolatilitySaysWhy()
    {
        QFETCH(int, right);
        QFETCH(double, forward);
        QFETCH(double, strike);
        QFETCH(double, years);
        QFETCH(double, price);
        QFETCH(int, failure);
        QFETCH(QString, says);
        const ImpliedVolatility iv =
            impliedVolatility(OptionRight(right), input(forward, strike, years, 0), price);
        QCOMPARE(int(iv.failure), failure);
        QCOMPARE(iv.volatility, 0.0); // never NaN
        QVERIFY2(ivFailureText(iv, price).contains(says), qPrintable(ivFailureText(iv, price)));
    }

    void timeToExpiryEndsAtTheClose()
    {
        const EpochDay expiry = fromQDate(QDate(2025, 12, 16)); // a Tuesday
        const int nse = expiryCloseMinute(Segment::NseFo);
        QCOMPARE(nse, 15 * 60 + 30);
        QCOMPARE(expiryCloseMinute(Segment::BseFo), 15 * 60 + 30);
        QCOMPARE(expiryCloseMinute(Segment::McxFo), 23 * 60 + 30);
        QCOMPARE(expiryCloseMinute(Segment::NcdFo), 12 * 60 + 30);
        // 09:15 on expiry day: 6 h 15 m left, not the master's 23:59:59.
        const double morning = yearsToExpiry(expiry, nse, IstMoment::fromDay(expiry, 9 * 60 + 15));
        QVERIFY(near(morning, 6.25 / (365.0 * 24), 1e-15));
        QCOMPARE(yearsToExpiry(expiry, nse, IstMoment::fromDay(expiry, 15 * 60 + 30)), 0.0);
        QCOMPARE(yearsToExpiry(expiry, nse, IstMoment::fromDay(expiry, 16 * 60)), 0.0);
        // A week before, to the second.
        const double week =
            yearsToExpiry(expiry, nse, IstMoment::fromDay(expiry - 7, 15 * 60 + 30));
        QVERIFY(near(week, 7.0 / 365, 1e-15));
        // Trading time: Friday's close to Monday's is one trading day, the weekend does not pass.
        const EpochDay monday = fromQDate(QDate(2025, 12, 15));
        const double weekend = yearsToExpiry(
            monday, nse, IstMoment::fromDay(monday - 3, 15 * 60 + 30), TimeBasis::trading());
        QVERIFY2(near(weekend, 1.0 / 252, 1e-12), qPrintable(QString::number(weekend * 252)));
        const double calendar =
            yearsToExpiry(monday, nse, IstMoment::fromDay(monday - 3, 15 * 60 + 30));
        QVERIFY(near(calendar, 3.0 / 365, 1e-15));
    }

    void forwardFromTheFutureOrFromParity()
    {
        const double years = 10.0 / 365;
        const double rate = 0.065;
        const double forward = 26043.7;
        std::vector<ChainStrike> chain;
        for (double k = 25000; k <= 27000; k += 100) {
            ChainStrike s;
            s.strike = k;
            s.callPrice = black76Price(OptionRight::Call, input(forward, k, years, 0.14, rate));
            s.putPrice = black76Price(OptionRight::Put, input(forward, k, years, 0.14, rate));
            chain.push_back(s);
        }
        chain[3].putPrice.reset(); // a leg without a price is skipped
        const auto future = chainForward(26050.0, chain, years, rate);
        QVERIFY(future);
        QCOMPARE(future->source, ForwardEstimate::Source::Future);
        QCOMPARE(future->forward, 26050.0);
        for (const std::optional<double> none :
             {std::optional<double>(), std::optional<double>(0.0)}) {
            const auto synthetic = chainForward(none, chain, years, rate);
            QVERIFY(synthetic);
            QCOMPARE(synthetic->source, ForwardEstimate::Source::Synthetic);
            QCOMPARE(synthetic->strikesUsed, 3);
            QVERIFY2(near(synthetic->forward, forward, 1e-6),
                     qPrintable(QString::number(synthetic->forward, 'f', 6)));
        }
        // Nothing priced on both sides: no forward, rather than a wrong one.
        for (ChainStrike &s : chain)
            s.putPrice.reset();
        QVERIFY(!chainForward(std::nullopt, chain, years, rate));
    }

    void atmFollowsTheForwardWithAGuard()
    {
        const std::vector<double> strikes{25800, 25900, 26000, 26100, 26200};
        QCOMPARE(*atmStrike(strikes, 26040.0).strike, 26000.0);
        QCOMPARE(*atmStrike(strikes, 26050.0).strike, 26000.0); // a tie goes to the lower
        QCOMPARE(*atmStrike(strikes, 26260.0).strike, 26200.0); // just past the last strike
        // The holiday bug: an underlying of 0 must not put ATM at the lowest strike.
        QCOMPARE(atmStrike(strikes, 0.0).problem, AtmProblem::NoForward);
        QVERIFY(!atmStrike(strikes, 0.0).strike);
        QCOMPARE(atmStrike(strikes, std::nullopt).problem, AtmProblem::NoForward);
        QCOMPARE(atmStrike(strikes, 26040.0, /*fresh=*/false).problem, AtmProblem::Stale);
        QCOMPARE(atmStrike(strikes, 1250.0).problem, AtmProblem::OutsideStrikes);
        QCOMPARE(atmStrike(strikes, 52000.0).problem, AtmProblem::OutsideStrikes);
        QCOMPARE(atmStrike({}, 26000.0).problem, AtmProblem::NoStrikes);
    }

    void pcrAndMaxPainByHand()
    {
        // Payouts: at 100: puts (110-100)*20 + (120-100)*10 = 400; at 110: calls 10*10 + puts
        // 10*10 = 200; at 120: calls 20*10 + 10*20 = 400. Max pain 110.
        std::vector<ChainStrike> chain(3);
        chain[0] = {100, {}, {}, 10, 30};
        chain[1] = {110, {}, {}, 20, 20};
        chain[2] = {120, {}, {}, 30, 10};
        const ChainTotals t = chainTotals(chain);
        QCOMPARE(t.callOi, std::int64_t(60));
        QCOMPARE(t.putOi, std::int64_t(60));
        QCOMPARE(*t.pcr, 1.0);
        QCOMPARE(*t.maxPain, 110.0);
        QCOMPARE(writersPayout(chain, 110), 200.0);
        QCOMPARE(writersPayout(chain, 100), 400.0);
        QCOMPARE(*strikePcr(chain[0]), 3.0);
        chain[0].callOi.reset();
        QVERIFY(!strikePcr(chain[0])); // no call OI: no ratio, not infinity
        // No OI at all: neither PCR nor max pain.
        std::vector<ChainStrike> empty(2);
        empty[0].strike = 100;
        empty[1].strike = 110;
        const ChainTotals none = chainTotals(empty);
        QVERIFY(!none.pcr && !none.maxPain);
    }

    void maxPainIsTheBruteForceMinimum()
    {
        QRandomGenerator random(42);
        for (int round = 0; round < 20; ++round) {
            std::vector<ChainStrike> chain;
            for (int i = 0; i < 200; ++i) {
                ChainStrike s;
                s.strike = 20000 + 50.0 * i;
                if (random.bounded(10) > 0)
                    s.callOi = random.bounded(1, 2'000'000);
                if (random.bounded(10) > 0)
                    s.putOi = random.bounded(1, 2'000'000);
                chain.push_back(s);
            }
            const ChainTotals t = chainTotals(chain);
            double best = 0;
            double bestStrike = 0;
            for (const ChainStrike &s : chain) {
                const double payout = writersPayout(chain, s.strike);
                if (bestStrike == 0 || payout < best) {
                    best = payout;
                    bestStrike = s.strike;
                }
            }
            QCOMPARE(*t.maxPain, bestStrike);
        }
    }
};

QTEST_GUILESS_MAIN(tst_Analytics)
#include "tst_analytics.moc"
