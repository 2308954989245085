// RateLimiter: sliding windows over injected time (no waiting), and Upstox's own limits.

#include "broker/upstox/UpstoxUrls.h"
#include "net/RateLimiter.h"

#include <QTest>

using namespace strikeline;
using namespace strikeline::net;

class tst_RateLimiter final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void noLimitsLetsEverythingGo();
    void oneWindow();
    void slidingNotFixedWindows();
    void theStrictestWindowDecides();
    void upstoxStandard();
    void upstoxMultiOrder();
    void describe();
    void invalidWindowsAreIgnored();
};

void tst_RateLimiter::noLimitsLetsEverythingGo()
{
    RateLimiter limiter;
    for (int i = 0; i < 10000; ++i)
        QVERIFY(limiter.tryAcquire(0));
    QCOMPARE(limiter.delayMs(0), 0);
}

void tst_RateLimiter::oneWindow()
{
    RateLimiter limiter({{3, 1000}});
    QVERIFY(limiter.tryAcquire(0));
    QVERIFY(limiter.tryAcquire(10));
    QVERIFY(limiter.tryAcquire(20));
    QVERIFY(!limiter.tryAcquire(30)); // full: refused, nothing recorded
    QCOMPARE(limiter.delayMs(30), 970);
    QCOMPARE(limiter.recentCount(30, 1000), 3);
    QVERIFY(!limiter.tryAcquire(999));
    QVERIFY(limiter.tryAcquire(1000)); // the request at 0 has left the window
    QCOMPARE(limiter.delayMs(1000), 10);
}

void tst_RateLimiter::slidingNotFixedWindows()
{
    // A fixed window would let 3 go at 999 and 3 more at 1000; a sliding one does not.
    RateLimiter limiter({{3, 1000}});
    QVERIFY(limiter.tryAcquire(997));
    QVERIFY(limiter.tryAcquire(998));
    QVERIFY(limiter.tryAcquire(999));
    QVERIFY(!limiter.tryAcquire(1000));
    QCOMPARE(limiter.delayMs(1000), 997);
    QVERIFY(limiter.tryAcquire(1997));
}

void tst_RateLimiter::theStrictestWindowDecides()
{
    RateLimiter limiter({{2, 100}, {3, 1000}});
    QVERIFY(limiter.tryAcquire(0));
    QVERIFY(limiter.tryAcquire(1));
    QCOMPARE(limiter.delayMs(2), 98); // the 100 ms window
    QVERIFY(limiter.tryAcquire(100));
    // 3 in the last second now: the 1000 ms window holds the next one until 1000.
    QCOMPARE(limiter.delayMs(200), 800);
    QVERIFY(!limiter.tryAcquire(999));
    QVERIFY(limiter.tryAcquire(1000));
}

void tst_RateLimiter::upstoxStandard()
{
    RateLimiter limiter(upstox::standardRateLimit());
    // 50 in the first second, then wait for the next second.
    std::int64_t now = 0;
    int sent = 0;
    for (; sent < 50; ++sent)
        QVERIFY(limiter.tryAcquire(now));
    QVERIFY(!limiter.tryAcquire(now));
    QCOMPARE(limiter.delayMs(now), 1000);
    // Sending as fast as allowed for a minute: 500, not 50 x 60.
    int inFirstMinute = 50;
    while (now < 60000) {
        now += limiter.delayMs(now);
        if (now >= 60000)
            break;
        QVERIFY(limiter.tryAcquire(now));
        ++inFirstMinute;
    }
    QCOMPARE(inFirstMinute, 500);
    // And 2000 in 30 minutes.
    int inHalfHour = inFirstMinute;
    while (true) {
        now += limiter.delayMs(now);
        if (now >= 30 * 60000)
            break;
        QVERIFY(limiter.tryAcquire(now));
        ++inHalfHour;
    }
    QCOMPARE(inHalfHour, 2000);
}

void tst_RateLimiter::upstoxMultiOrder()
{
    RateLimiter limiter(upstox::multiOrderRateLimit());
    std::int64_t now = 0;
    int perSecond = 0;
    while (limiter.tryAcquire(now))
        ++perSecond;
    QCOMPARE(perSecond, 4);
    int perMinute = perSecond;
    while (true) {
        now += limiter.delayMs(now);
        if (now >= 60000)
            break;
        QVERIFY(limiter.tryAcquire(now));
        ++perMinute;
    }
    QCOMPARE(perMinute, 40);
    int perHalfHour = perMinute;
    while (true) {
        now += limiter.delayMs(now);
        if (now >= 30 * 60000)
            break;
        QVERIFY(limiter.tryAcquire(now));
        ++perHalfHour;
    }
    QCOMPARE(perHalfHour, 160);
}

void tst_RateLimiter::describe()
{
    QCOMPARE(RateLimiter(upstox::standardRateLimit()).describe(),
             QStringLiteral("50/s, 500/min, 2000/30 min"));
    QCOMPARE(RateLimiter(upstox::multiOrderRateLimit()).describe(),
             QStringLiteral("4/s, 40/min, 160/30 min"));
    QCOMPARE(RateLimiter().describe(), QStringLiteral("unlimited"));
}

void tst_RateLimiter::invalidWindowsAreIgnored()
{
    RateLimiter limiter({{0, 1000}, {5, 0}, {-1, -1}});
    QVERIFY(limiter.windows().empty());
    for (int i = 0; i < 100; ++i)
        QVERIFY(limiter.tryAcquire(0));
}

QTEST_GUILESS_MAIN(tst_RateLimiter)
#include "tst_ratelimiter.moc"
