// FeedSubscriptions (issue 12, "Subscriptions"): ref counts per key, one mode per key (the
// richest asked for), downgrades by change_mode, unsub when the last consumer lets go, batched
// requests as a diff, Upstox's limits refused locally with a message naming the limit, and the
// exact set re-subscribed after a reconnect.

#include "marketdata/feed/FeedSubscriptions.h"
#include "marketdata/feed/UpstoxMarketFeed.h"

#include <QTest>

using namespace strikeline::marketdata;
using Method = FeedRequest::Method;

namespace {

const QString Chain = QStringLiteral("chain");
const QString Ticket = QStringLiteral("ticket");
const QString Watch = QStringLiteral("watch");
const QString A = QStringLiteral("NSE_FO|1");
const QString B = QStringLiteral("NSE_FO|2");
const QString C = QStringLiteral("NSE_FO|3");

QStringList manyKeys(int n, int from = 0)
{
    QStringList keys;
    for (int i = from; i < from + n; ++i)
        keys.append(QStringLiteral("NSE_FO|%1").arg(i));
    return keys;
}

} // namespace

class tst_Subscriptions final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void modeNames();
    void firstAcquireIsOneSubPerMode();
    void refCountsKeepTheKeyUntilTheLastRelease();
    void richestModeWins();
    void downgradeIsChangeModeNotUnsub();
    void nothingPendingAfterTake();
    void batchingCoalescesABurst();
    void acquireThenReleaseBeforeFlushSendsNothing();
    void perModeLimitRefusedWithMessage();
    void mixedLimitRefusedWithMessage();
    void refusalIsAllOrNothing();
    void upgradeOverTheLimitRefused();
    void markAllUnsentResubscribesTheExactSet();
    void releaseAllDropsOneConsumer();
    void emptyKeyRefused();
    void backoffDoublesToItsCapWithJitter();
};

void tst_Subscriptions::modeNames()
{
    QCOMPARE(feedModeName(FeedMode::Ltpc), QStringLiteral("ltpc"));
    QCOMPARE(feedModeName(FeedMode::OptionGreeks), QStringLiteral("option_greeks"));
    QCOMPARE(feedModeName(FeedMode::Full), QStringLiteral("full"));
    QCOMPARE(feedModeFromName(u"option_greeks"), std::optional(FeedMode::OptionGreeks));
    QVERIFY(!feedModeFromName(u"full_d30").has_value());
}

void tst_Subscriptions::firstAcquireIsOneSubPerMode()
{
    FeedSubscriptions s;
    QVERIFY(s.acquire(Chain, QStringList{B, A}, FeedMode::OptionGreeks).ok());
    QVERIFY(s.acquire(Ticket, C, FeedMode::Full).ok());
    const auto requests = s.takeRequests();
    QCOMPARE(requests.size(), std::size_t(2));
    QCOMPARE(requests[0], (FeedRequest{Method::Sub, FeedMode::Full, {C}}));
    QCOMPARE(requests[1], (FeedRequest{Method::Sub, FeedMode::OptionGreeks, {A, B}}));
    QCOMPARE(requests[1].methodName(), QStringLiteral("sub"));
}

void tst_Subscriptions::refCountsKeepTheKeyUntilTheLastRelease()
{
    FeedSubscriptions s;
    QVERIFY(s.acquire(Chain, A, FeedMode::Ltpc).ok());
    QVERIFY(s.acquire(Watch, A, FeedMode::Ltpc).ok());
    QVERIFY(s.acquire(Watch, A, FeedMode::Ltpc).ok()); // asking twice is still one consumer
    QCOMPARE(s.consumers(A), 2);
    (void)s.takeRequests();

    s.release(Chain, A);
    QCOMPARE(s.consumers(A), 1);
    QVERIFY(!s.hasPending());
    QVERIFY(s.takeRequests().empty());

    s.release(Watch, A);
    QCOMPARE(s.consumers(A), 0);
    const auto requests = s.takeRequests();
    QCOMPARE(requests.size(), std::size_t(1));
    QCOMPARE(requests[0].method, Method::Unsub);
    QCOMPARE(requests[0].keys, QStringList{A});
    QCOMPARE(requests[0].methodName(), QStringLiteral("unsub"));
    s.release(Watch, A); // unknown now: ignored
    QVERIFY(s.takeRequests().empty());
}

void tst_Subscriptions::richestModeWins()
{
    FeedSubscriptions s;
    QVERIFY(s.acquire(Watch, A, FeedMode::Ltpc).ok());
    QVERIFY(s.acquire(Chain, A, FeedMode::OptionGreeks).ok());
    QCOMPARE(s.wantedMode(A), std::optional(FeedMode::OptionGreeks));
    QVERIFY(s.acquire(Ticket, A, FeedMode::Full).ok());
    QCOMPARE(s.wantedMode(A), std::optional(FeedMode::Full));
    const auto requests = s.takeRequests();
    QCOMPARE(requests.size(), std::size_t(1));
    QCOMPARE(requests[0], (FeedRequest{Method::Sub, FeedMode::Full, {A}}));

    QVERIFY(s.acquire(Watch, A, FeedMode::OptionGreeks).ok()); // still below full: no change
    QVERIFY(s.takeRequests().empty());
}

void tst_Subscriptions::downgradeIsChangeModeNotUnsub()
{
    FeedSubscriptions s;
    QVERIFY(s.acquire(Watch, A, FeedMode::Ltpc).ok());
    QVERIFY(s.acquire(Ticket, A, FeedMode::Full).ok());
    (void)s.takeRequests();

    s.release(Ticket, A);
    const auto requests = s.takeRequests();
    QCOMPARE(requests.size(), std::size_t(1));
    QCOMPARE(requests[0], (FeedRequest{Method::ChangeMode, FeedMode::Ltpc, {A}}));
    QCOMPARE(requests[0].methodName(), QStringLiteral("change_mode"));

    QVERIFY(s.acquire(Chain, A, FeedMode::OptionGreeks).ok()); // and up again
    const auto up = s.takeRequests();
    QCOMPARE(up.size(), std::size_t(1));
    QCOMPARE(up[0], (FeedRequest{Method::ChangeMode, FeedMode::OptionGreeks, {A}}));
}

void tst_Subscriptions::nothingPendingAfterTake()
{
    FeedSubscriptions s;
    QVERIFY(!s.hasPending());
    QVERIFY(s.acquire(Chain, A, FeedMode::Ltpc).ok());
    QVERIFY(s.hasPending());
    (void)s.takeRequests();
    QVERIFY(!s.hasPending());
    QCOMPARE(s.sentCount(), 1);
}

void tst_Subscriptions::batchingCoalescesABurst()
{
    FeedSubscriptions s;
    QVERIFY(s.acquire(Chain, manyKeys(3), FeedMode::Ltpc).ok());
    (void)s.takeRequests();
    // A burst between two flushes: two new greeks keys, one released, one upgraded to full.
    QVERIFY(s.acquire(Chain, manyKeys(2, 10), FeedMode::OptionGreeks).ok());
    QVERIFY(s.acquire(Ticket, QStringLiteral("NSE_FO|11"), FeedMode::OptionGreeks).ok());
    s.release(Chain, QStringLiteral("NSE_FO|0"));
    QVERIFY(s.acquire(Ticket, QStringLiteral("NSE_FO|1"), FeedMode::Full).ok());
    const auto requests = s.takeRequests();
    QCOMPARE(requests.size(), std::size_t(3));
    QCOMPARE(requests[0],
             (FeedRequest{Method::Unsub, FeedMode::Ltpc, {QStringLiteral("NSE_FO|0")}}));
    QCOMPARE(requests[1],
             (FeedRequest{Method::ChangeMode, FeedMode::Full, {QStringLiteral("NSE_FO|1")}}));
    QCOMPARE(requests[2], (FeedRequest{Method::Sub, FeedMode::OptionGreeks, manyKeys(2, 10)}));
}

void tst_Subscriptions::acquireThenReleaseBeforeFlushSendsNothing()
{
    FeedSubscriptions s;
    QVERIFY(s.acquire(Chain, A, FeedMode::Full).ok());
    s.release(Chain, A);
    QVERIFY(!s.hasPending());
    QVERIFY(s.takeRequests().empty());
}

void tst_Subscriptions::perModeLimitRefusedWithMessage()
{
    FeedSubscriptions s;
    QVERIFY(s.acquire(Chain, manyKeys(2000), FeedMode::Full).ok());
    const auto refused = s.acquire(Ticket, QStringLiteral("NSE_FO|x"), FeedMode::Full);
    QVERIFY(!refused.ok());
    const QString message = refused.error().message;
    QVERIFY2(message.contains(QLatin1String("at most 2000")), qPrintable(message));
    QVERIFY2(message.contains(QLatin1String("full mode")), qPrintable(message));
    QVERIFY2(message.contains(QLatin1String("2001")), qPrintable(message));
    QCOMPARE(s.wantedCount(), 2000);
    QCOMPARE(s.consumers(QStringLiteral("NSE_FO|x")), 0);

    FeedSubscriptions ltpc;
    QVERIFY(ltpc.acquire(Watch, manyKeys(5000), FeedMode::Ltpc).ok());
    QVERIFY(!ltpc.acquire(Watch, manyKeys(1, 9000), FeedMode::Ltpc).ok());
    FeedSubscriptions greeks;
    QVERIFY(greeks.acquire(Chain, manyKeys(3000), FeedMode::OptionGreeks).ok());
    const auto overGreeks = greeks.acquire(Chain, manyKeys(1, 9000), FeedMode::OptionGreeks);
    QVERIFY(!overGreeks.ok());
    QVERIFY(overGreeks.error().message.contains(QLatin1String("at most 3000 instruments in "
                                                              "option_greeks mode")));
}

void tst_Subscriptions::mixedLimitRefusedWithMessage()
{
    FeedSubscriptions s;
    QVERIFY(s.acquire(Chain, manyKeys(1500), FeedMode::Full).ok());
    QVERIFY(s.acquire(Watch, manyKeys(2000, 5000), FeedMode::Ltpc).ok());
    // Mixed: full is capped at 1500, ltpc at 2000.
    const auto full = s.acquire(Ticket, QStringLiteral("NSE_FO|x"), FeedMode::Full);
    QVERIFY(!full.ok());
    QVERIFY2(full.error().message.contains(QLatin1String("at most 1500 instruments in full mode "
                                                         "when modes are mixed")),
             qPrintable(full.error().message));
    const auto ltpc = s.acquire(Watch, QStringLiteral("NSE_FO|y"), FeedMode::Ltpc);
    QVERIFY(!ltpc.ok());
    QVERIFY(ltpc.error().message.contains(QLatin1String("at most 2000")));

    // 3000 ltpc alone is fine; adding one greeks key makes it mixed and over 2000.
    FeedSubscriptions alone;
    QVERIFY(alone.acquire(Watch, manyKeys(3000), FeedMode::Ltpc).ok());
    const auto mixed = alone.acquire(Chain, QStringLiteral("NSE_FO|g"), FeedMode::OptionGreeks);
    QVERIFY(!mixed.ok());
    QVERIFY(mixed.error().message.contains(QLatin1String("ltpc mode when modes are mixed")));
}

void tst_Subscriptions::refusalIsAllOrNothing()
{
    FeedSubscriptions s;
    QVERIFY(s.acquire(Chain, manyKeys(1999), FeedMode::Full).ok());
    (void)s.takeRequests();
    QVERIFY(!s.acquire(Ticket, manyKeys(2, 5000), FeedMode::Full).ok());
    QCOMPARE(s.wantedCount(), 1999);
    QVERIFY(!s.hasPending());
}

void tst_Subscriptions::upgradeOverTheLimitRefused()
{
    const QString x = QStringLiteral("NSE_EQ|X");
    const QString y = QStringLiteral("NSE_EQ|Y");
    FeedSubscriptions s;
    QVERIFY(s.acquire(Chain, manyKeys(1500), FeedMode::Full).ok());
    QVERIFY(s.acquire(Watch, x, FeedMode::Ltpc).ok()); // mixed: 1500 full is the most
    // Upgrading the one ltpc key makes everything full: 1501 of 2000, allowed (not mixed).
    QVERIFY(s.acquire(Ticket, x, FeedMode::Full).ok());
    QCOMPARE(s.wantedCount(FeedMode::Full), 1501);
    QVERIFY(s.acquire(Ticket, x, FeedMode::Full).ok()); // a key held is not counted twice
    QCOMPARE(s.wantedCount(), 1501);

    // With another ltpc key in the set, the same upgrade is over the mixed full limit.
    FeedSubscriptions mixed;
    QVERIFY(mixed.acquire(Chain, manyKeys(1500), FeedMode::Full).ok());
    QVERIFY(mixed.acquire(Watch, QStringList{x, y}, FeedMode::Ltpc).ok());
    const auto refused = mixed.acquire(Ticket, x, FeedMode::Full);
    QVERIFY(!refused.ok());
    QVERIFY(refused.error().message.contains(QLatin1String("1500")));
    QCOMPARE(mixed.wantedMode(x), std::optional(FeedMode::Ltpc));
    QCOMPARE(mixed.consumers(x), 1);
}

void tst_Subscriptions::markAllUnsentResubscribesTheExactSet()
{
    FeedSubscriptions s;
    QVERIFY(s.acquire(Chain, QStringList{A, B}, FeedMode::OptionGreeks).ok());
    QVERIFY(s.acquire(Ticket, C, FeedMode::Full).ok());
    QVERIFY(s.acquire(Watch, A, FeedMode::Ltpc).ok());
    (void)s.takeRequests();
    s.release(Chain, B);
    (void)s.takeRequests(); // B gone on the old socket

    s.markAllUnsent(); // a new socket holds nothing
    QCOMPARE(s.sentCount(), 0);
    const auto requests = s.takeRequests();
    QCOMPARE(requests.size(), std::size_t(2));
    QCOMPARE(requests[0], (FeedRequest{Method::Sub, FeedMode::Full, {C}}));
    QCOMPARE(requests[1], (FeedRequest{Method::Sub, FeedMode::OptionGreeks, {A}}));
    QCOMPARE(s.wantedKeys(), (QStringList{A, C}));
}

void tst_Subscriptions::releaseAllDropsOneConsumer()
{
    FeedSubscriptions s;
    QVERIFY(s.acquire(Chain, QStringList{A, B}, FeedMode::Full).ok());
    QVERIFY(s.acquire(Watch, B, FeedMode::Ltpc).ok());
    (void)s.takeRequests();
    QCOMPARE(s.wantedKeys(Chain), (QStringList{A, B}));
    QCOMPARE(s.wantedKeys(Watch), (QStringList{B}));
    s.releaseAll(Chain);
    QCOMPARE(s.wantedKeys(Chain), QStringList());
    QCOMPARE(s.wantedKeys(Watch), (QStringList{B}));
    const auto requests = s.takeRequests();
    QCOMPARE(requests.size(), std::size_t(2));
    QCOMPARE(requests[0], (FeedRequest{Method::Unsub, FeedMode::Ltpc, {A}}));
    QCOMPARE(requests[1], (FeedRequest{Method::ChangeMode, FeedMode::Ltpc, {B}}));
}

void tst_Subscriptions::emptyKeyRefused()
{
    FeedSubscriptions s;
    QVERIFY(!s.acquire(Chain, QString(), FeedMode::Ltpc).ok());
    QCOMPARE(s.wantedCount(), 0);
}

// The feed's reconnect delays (docs/feed.md): 0.5, 1, 2, 4, 8, 16, 30, 30 s... +- 20 %.
void tst_Subscriptions::backoffDoublesToItsCapWithJitter()
{
    using std::chrono::milliseconds;
    const UpstoxMarketFeed::Options o;
    const double middle = 0.5; // no jitter
    QCOMPARE(feedBackoffDelay(0, o, middle), milliseconds(500));
    QCOMPARE(feedBackoffDelay(1, o, middle), milliseconds(1000));
    QCOMPARE(feedBackoffDelay(5, o, middle), milliseconds(16000));
    QCOMPARE(feedBackoffDelay(6, o, middle), milliseconds(30000));
    QCOMPARE(feedBackoffDelay(1000, o, middle), milliseconds(30000)); // never gives up, capped
    QCOMPARE(feedBackoffDelay(0, o, 0.0), milliseconds(400));
    QCOMPARE(feedBackoffDelay(6, o, 0.0), milliseconds(24000));
    QVERIFY(feedBackoffDelay(6, o, 0.999999) <= milliseconds(36000));
    QVERIFY(feedBackoffDelay(6, o, 0.999999) > milliseconds(35990));
    QCOMPARE(feedBackoffDelay(-3, o, middle), milliseconds(500));
}

QTEST_GUILESS_MAIN(tst_Subscriptions)
#include "tst_subscriptions.moc"
