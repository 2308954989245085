// Test tables read better with plain string literals.
#undef QT_NO_CAST_FROM_ASCII

// SyncSchedule: when the automatic daily sync is due, and when to look again. Times are IST
// wall-clock strings; 2025-12-09 is a Tuesday, 2025-12-13/14 a weekend.

#include "common/IstTime.h"
#include "storage/InstrumentStore.h"
#include "sync/SyncSchedule.h"

#include <QTest>

#include <optional>
#include <vector>

using namespace strikeline;

namespace {

IstMoment at(const QString &text)
{
    auto m = parseIstMoment(text);
    if (!m)
        qFatal("bad moment in test table: %s", qPrintable(text));
    return *m;
}

std::optional<IstMoment> maybeAt(const QString &text)
{
    if (text.isEmpty())
        return std::nullopt;
    return at(text);
}

QDateTime utc(const QString &istText)
{
    return QDateTime::fromMSecsSinceEpoch(at(istText).epochMs, Qt::UTC);
}

const QString Upstox =
    "https://assets.upstox.com/market-quote/instruments/exchange/complete.json.gz";

SyncRunRecord run(std::int64_t id, const QString &source, SyncStatus status,
                  const QString &finishedIst)
{
    SyncRunRecord r;
    r.id = id;
    r.source = source;
    r.status = status;
    r.startedAt = utc(finishedIst).addSecs(-30);
    if (status != SyncStatus::Running)
        r.finishedAt = utc(finishedIst);
    return r;
}

QString text(const std::optional<IstMoment> &m)
{
    return m ? m->toString() : QStringLiteral("-");
}

} // namespace

class tst_SyncSchedule : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void decide_data();
    void decide();
    void retryDelays();
    void factsFromRuns();
    void factsIgnoreOtherSourcesAndRunning();
    void factsOfAnEmptyHistory();
    void reasonIsReadable();
};

void tst_SyncSchedule::decide_data()
{
    QTest::addColumn<QString>("now");
    QTest::addColumn<QString>("lastImport");
    QTest::addColumn<QString>("lastUnchanged");
    QTest::addColumn<QString>("lastFailure");
    QTest::addColumn<int>("failures");
    QTest::addColumn<bool>("online");
    QTest::addColumn<bool>("due");
    QTest::addColumn<QString>("nextCheck"); // when not due

    // clang-format off
    QTest::newRow("never synced, morning")
        << "2025-12-09 10:00" << "" << "" << "" << 0 << true << true << "";
    QTest::newRow("never synced, before 06:00: yesterday's master is there")
        << "2025-12-09 03:00" << "" << "" << "" << 0 << true << true << "";
    QTest::newRow("synced yesterday, 05:59 today: wait for 06:00")
        << "2025-12-09 05:59" << "2025-12-08 07:00" << "" << "" << 0 << true << false
        << "2025-12-09 06:00";
    QTest::newRow("synced yesterday, 06:00 today: due")
        << "2025-12-09 06:00" << "2025-12-08 07:00" << "" << "" << 0 << true << true << "";
    QTest::newRow("synced yesterday, 06:01 today: due")
        << "2025-12-09 06:01" << "2025-12-08 07:00" << "" << "" << 0 << true << true << "";
    QTest::newRow("synced today 06:05: next is tomorrow 06:00")
        << "2025-12-09 14:00" << "2025-12-09 06:05" << "" << "" << 0 << true << false
        << "2025-12-10 06:00";
    QTest::newRow("synced today 05:50, before the publication: due at 06:00")
        << "2025-12-09 06:00" << "2025-12-09 05:50" << "" << "" << 0 << true << true << "";
    QTest::newRow("synced two days ago, 02:00: yesterday's master was missed")
        << "2025-12-09 02:00" << "2025-12-07 09:00" << "" << "" << 0 << true << true << "";
    QTest::newRow("across midnight: synced 23:50, now 00:10")
        << "2025-12-10 00:10" << "2025-12-09 23:50" << "" << "" << 0 << true << false
        << "2025-12-10 06:00";
    QTest::newRow("across midnight: synced 23:50, now 06:00 next day")
        << "2025-12-10 06:00" << "2025-12-09 23:50" << "" << "" << 0 << true << true << "";
    QTest::newRow("saturday is a day like any other")
        << "2025-12-13 07:00" << "2025-12-12 06:30" << "" << "" << 0 << true << true << "";
    QTest::newRow("sunday synced: monday 06:00 next")
        << "2025-12-14 11:00" << "2025-12-14 06:10" << "" << "" << 0 << true << false
        << "2025-12-15 06:00";

    QTest::newRow("unchanged at 06:02 (too early?): recheck at 06:17")
        << "2025-12-09 06:05" << "2025-12-08 06:30" << "2025-12-09 06:02" << "" << 0 << true
        << false << "2025-12-09 06:17";
    QTest::newRow("unchanged at 06:02, now 06:17: due again")
        << "2025-12-09 06:17" << "2025-12-08 06:30" << "2025-12-09 06:02" << "" << 0 << true
        << true << "";
    QTest::newRow("unchanged at 08:30: today's is fetched")
        << "2025-12-09 12:00" << "2025-12-08 06:30" << "2025-12-09 08:30" << "" << 0 << true
        << false << "2025-12-10 06:00";
    QTest::newRow("unchanged yesterday evening: due after 06:00")
        << "2025-12-09 06:30" << "2025-12-07 06:30" << "2025-12-08 20:00" << "" << 0 << true
        << true << "";

    QTest::newRow("failed 2 minutes ago: retry 5 minutes after it")
        << "2025-12-09 07:02" << "2025-12-08 06:30" << "" << "2025-12-09 07:00" << 1 << true
        << false << "2025-12-09 07:05";
    QTest::newRow("failed once, 5 minutes passed: due")
        << "2025-12-09 07:05" << "2025-12-08 06:30" << "" << "2025-12-09 07:00" << 1 << true
        << true << "";
    QTest::newRow("failed twice: 15 minutes")
        << "2025-12-09 07:10" << "2025-12-08 06:30" << "" << "2025-12-09 07:00" << 2 << true
        << false << "2025-12-09 07:15";
    QTest::newRow("failed three times: 60 minutes")
        << "2025-12-09 07:30" << "2025-12-08 06:30" << "" << "2025-12-09 07:00" << 3 << true
        << false << "2025-12-09 08:00";
    QTest::newRow("failed nine times: still hourly")
        << "2025-12-09 07:59" << "2025-12-08 06:30" << "" << "2025-12-09 07:00" << 9 << true
        << false << "2025-12-09 08:00";
    QTest::newRow("failed three times, an hour passed: due")
        << "2025-12-09 08:00" << "2025-12-08 06:30" << "" << "2025-12-09 07:00" << 3 << true
        << true << "";
    QTest::newRow("failed at 23:58, retry across midnight")
        << "2025-12-10 00:01" << "2025-12-08 06:30" << "" << "2025-12-09 23:58" << 1 << true
        << false << "2025-12-10 00:03";
    QTest::newRow("failure before today's import does not matter")
        << "2025-12-09 07:02" << "2025-12-09 07:01" << "" << "2025-12-09 07:00" << 0 << true
        << false << "2025-12-10 06:00";
    QTest::newRow("failure in the future (clock moved back): wait from now")
        << "2025-12-09 07:00" << "2025-12-08 06:30" << "" << "2025-12-09 09:00" << 1 << true
        << false << "2025-12-09 07:05";
    QTest::newRow("failed after an early unchanged: failure backoff wins")
        << "2025-12-09 06:20" << "2025-12-08 06:30" << "2025-12-09 06:02" << "2025-12-09 06:18"
        << 1 << true << false << "2025-12-09 06:23";

    QTest::newRow("offline and due: look again in 5 minutes")
        << "2025-12-09 07:00" << "2025-12-08 06:30" << "" << "" << 0 << false << false
        << "2025-12-09 07:05";
    QTest::newRow("offline but synced today: tomorrow")
        << "2025-12-09 07:00" << "2025-12-09 06:30" << "" << "" << 0 << false << false
        << "2025-12-10 06:00";
    QTest::newRow("offline during a backoff: the backoff")
        << "2025-12-09 07:02" << "2025-12-08 06:30" << "" << "2025-12-09 07:00" << 1 << false
        << false << "2025-12-09 07:05";
    // clang-format on
}

void tst_SyncSchedule::decide()
{
    QFETCH(QString, now);
    QFETCH(QString, lastImport);
    QFETCH(QString, lastUnchanged);
    QFETCH(QString, lastFailure);
    QFETCH(int, failures);
    QFETCH(bool, online);
    QFETCH(bool, due);
    QFETCH(QString, nextCheck);

    FixedClock clock(at(now));
    SyncScheduleFacts facts;
    facts.lastImport = maybeAt(lastImport);
    facts.lastUnchanged = maybeAt(lastUnchanged);
    facts.lastFailure = maybeAt(lastFailure);
    facts.failuresInARow = failures;
    const SyncScheduleDecision decision = SyncSchedule(clock).decide(facts, online);

    QVERIFY2(decision.due == due, qPrintable(decision.reason));
    QVERIFY(!decision.reason.isEmpty());
    if (due) {
        QCOMPARE(decision.nextCheck.toString(), at(now).toString());
    } else {
        QCOMPARE(decision.nextCheck.toString(), at(nextCheck).toString());
        QVERIFY2(decision.nextCheck.epochMs > at(now).epochMs, qPrintable(decision.reason));
    }
}

void tst_SyncSchedule::retryDelays()
{
    QCOMPARE(SyncSchedule::retryDelayMinutes(1), 5);
    QCOMPARE(SyncSchedule::retryDelayMinutes(2), 15);
    QCOMPARE(SyncSchedule::retryDelayMinutes(3), 60);
    QCOMPARE(SyncSchedule::retryDelayMinutes(50), 60);
    QCOMPARE(SyncSchedule::currentPublication(at("2025-12-09 05:59")).toString(),
             at("2025-12-08 06:00").toString());
    QCOMPARE(SyncSchedule::currentPublication(at("2025-12-09 06:00")).toString(),
             at("2025-12-09 06:00").toString());
}

void tst_SyncSchedule::factsFromRuns()
{
    // Newest first, as recentRuns lists them.
    const std::vector<SyncRunRecord> runs{
        run(9, Upstox, SyncStatus::Failed, "2025-12-09 07:20"),
        run(8, Upstox, SyncStatus::Failed, "2025-12-09 07:05"),
        run(7, Upstox, SyncStatus::Unchanged, "2025-12-09 06:10"),
        run(6, Upstox, SyncStatus::Failed, "2025-12-09 06:01"), // before a good run: forgotten
        run(5, Upstox, SyncStatus::Succeeded, "2025-12-08 06:40"),
        run(4, Upstox, SyncStatus::Succeeded, "2025-12-07 06:40"),
    };
    const SyncScheduleFacts facts = scheduleFacts(runs, Upstox);
    QCOMPARE(facts.failuresInARow, 2);
    QCOMPARE(text(facts.lastFailure), at("2025-12-09 07:20").toString());
    QCOMPARE(text(facts.lastUnchanged), at("2025-12-09 06:10").toString());
    QCOMPARE(text(facts.lastImport), at("2025-12-08 06:40").toString());

    // And what the schedule makes of them at 07:30: two failures, wait until 07:35.
    FixedClock clock(at("2025-12-09 07:30"));
    const SyncScheduleDecision decision = SyncSchedule(clock).decide(facts);
    QVERIFY(!decision.due);
    QCOMPARE(decision.nextCheck.toString(), at("2025-12-09 07:35").toString());
}

void tst_SyncSchedule::factsIgnoreOtherSourcesAndRunning()
{
    const std::vector<SyncRunRecord> runs{
        run(5, Upstox, SyncStatus::Running, "2025-12-09 07:30"),
        run(4, "/home/t/demo-master-2025-12-09.json.gz", SyncStatus::Succeeded, "2025-12-09 07:00"),
        run(3, "/home/t/complete.json.gz", SyncStatus::Failed, "2025-12-09 06:50"),
        run(2, Upstox, SyncStatus::Succeeded, "2025-12-08 06:40"),
    };
    const SyncScheduleFacts facts = scheduleFacts(runs, Upstox);
    QCOMPARE(facts.failuresInARow, 0);
    QVERIFY(!facts.lastFailure);
    QVERIFY(!facts.lastUnchanged);
    QCOMPARE(text(facts.lastImport), at("2025-12-08 06:40").toString());
    // The demo import this morning does not stand for today's Upstox master.
    FixedClock clock(at("2025-12-09 07:31"));
    QVERIFY(SyncSchedule(clock).decide(facts).due);
}

void tst_SyncSchedule::factsOfAnEmptyHistory()
{
    const SyncScheduleFacts facts = scheduleFacts({}, Upstox);
    QVERIFY(!facts.lastImport && !facts.lastUnchanged && !facts.lastFailure);
    QCOMPARE(facts.failuresInARow, 0);
    FixedClock clock(at("2025-12-09 01:00"));
    const SyncScheduleDecision decision = SyncSchedule(clock).decide(facts);
    QVERIFY(decision.due);
    QCOMPARE(decision.reason, QStringLiteral("never synced from this source"));
}

void tst_SyncSchedule::reasonIsReadable()
{
    FixedClock clock(at("2025-12-09 07:02"));
    SyncScheduleFacts facts;
    facts.lastImport = at("2025-12-08 06:30");
    facts.lastFailure = at("2025-12-09 07:00");
    facts.failuresInARow = 1;
    QCOMPARE(SyncSchedule(clock).decide(facts).reason,
             QStringLiteral("the last sync failed at 07:00 (1 in a row); retrying at 07:05"));
    facts = {};
    facts.lastImport = at("2025-12-09 06:30");
    QCOMPARE(SyncSchedule(clock).decide(facts).reason,
             QStringLiteral("the master of 09 Dec 2025 was synced at 06:30; next check "
                            "10 Dec 06:00"));
}

QTEST_GUILESS_MAIN(tst_SyncSchedule)
#include "tst_syncschedule.moc"
