#include "SyncSchedule.h"

#include "storage/InstrumentStore.h"

namespace strikeline {

namespace {

constexpr std::int64_t MinuteMs = 60 * 1000;

IstMoment plusMinutes(IstMoment moment, std::int64_t minutes)
{
    return IstMoment{moment.epochMs + minutes * MinuteMs};
}

// "07:12" today, "08 Dec 07:12" another day.
QString shortTime(IstMoment moment, IstMoment now)
{
    const int m = moment.minuteOfDay();
    const QString hhmm = QStringLiteral("%1:%2")
                             .arg(m / 60, 2, 10, QLatin1Char('0'))
                             .arg(m % 60, 2, 10, QLatin1Char('0'));
    if (moment.day() == now.day())
        return hhmm;
    return formatDisplayDay(moment.day()).left(6) + QLatin1Char(' ') + hhmm;
}

IstMoment runMoment(const SyncRunRecord &run)
{
    const QDateTime &when = run.finishedAt.isValid() ? run.finishedAt : run.startedAt;
    return IstMoment{when.toMSecsSinceEpoch()};
}

} // namespace

int SyncSchedule::retryDelayMinutes(int failuresInARow)
{
    if (failuresInARow <= 1)
        return 5;
    if (failuresInARow == 2)
        return 15;
    return 60;
}

IstMoment SyncSchedule::currentPublication(IstMoment now)
{
    const EpochDay day = now.minuteOfDay() >= PublishMinute ? now.day() : now.day() - 1;
    return IstMoment::fromDay(day, PublishMinute);
}

SyncScheduleDecision SyncSchedule::decide(const SyncScheduleFacts &facts, bool online) const
{
    const IstMoment now = m_clock.now();
    const IstMoment publication = currentPublication(now);
    const IstMoment nextPublication = IstMoment::fromDay(publication.day() + 1, PublishMinute);
    const IstMoment settled = IstMoment::fromDay(publication.day(), SettledMinute);
    // A moment in the future (the clock was moved back) counts as now: never wait longer.
    auto clamp = [&now](IstMoment m) { return m.epochMs > now.epochMs ? now : m; };

    SyncScheduleDecision decision;
    if (facts.lastImport && facts.lastImport->epochMs >= publication.epochMs) {
        decision.nextCheck = nextPublication;
        decision.reason =
            QStringLiteral("the master of %1 was synced at %2; next check %3")
                .arg(formatDisplayDay(publication.day()), shortTime(*facts.lastImport, now),
                     shortTime(nextPublication, now));
        return decision;
    }
    if (facts.lastUnchanged && facts.lastUnchanged->epochMs >= settled.epochMs) {
        decision.nextCheck = nextPublication;
        decision.reason =
            QStringLiteral("the master was unchanged at %1; next check %2")
                .arg(shortTime(*facts.lastUnchanged, now), shortTime(nextPublication, now));
        return decision;
    }
    if (facts.failuresInARow > 0 && facts.lastFailure) {
        const IstMoment retry =
            plusMinutes(clamp(*facts.lastFailure), retryDelayMinutes(facts.failuresInARow));
        if (retry.epochMs > now.epochMs) {
            decision.nextCheck = retry;
            decision.reason =
                QStringLiteral("the last sync failed at %1 (%2 in a row); retrying at %3")
                    .arg(shortTime(*facts.lastFailure, now))
                    .arg(facts.failuresInARow)
                    .arg(shortTime(retry, now));
            return decision;
        }
    }
    if (facts.failuresInARow == 0 && facts.lastUnchanged &&
        facts.lastUnchanged->epochMs >= publication.epochMs) {
        const IstMoment recheck = plusMinutes(clamp(*facts.lastUnchanged), UnchangedRecheckMinutes);
        if (recheck.epochMs > now.epochMs) {
            decision.nextCheck = recheck;
            decision.reason =
                QStringLiteral("today's master was not published yet at %1; "
                               "checking again at %2")
                    .arg(shortTime(*facts.lastUnchanged, now), shortTime(recheck, now));
            return decision;
        }
    }
    if (!online) {
        decision.nextCheck = plusMinutes(now, OfflineRecheckMinutes);
        decision.reason = QStringLiteral("offline: the master of %1 will be synced when the "
                                         "network is back")
                              .arg(formatDisplayDay(publication.day()));
        return decision;
    }
    decision.due = true;
    decision.nextCheck = now;
    if (!facts.lastImport && !facts.lastUnchanged)
        decision.reason = QStringLiteral("never synced from this source");
    else
        decision.reason = QStringLiteral("the master of %1 (published 06:00 IST) is not synced "
                                         "yet")
                              .arg(formatDisplayDay(publication.day()));
    return decision;
}

SyncScheduleFacts scheduleFacts(const std::vector<SyncRunRecord> &newestFirst,
                                const QString &source)
{
    SyncScheduleFacts facts;
    bool sawGood = false;
    for (const SyncRunRecord &run : newestFirst) {
        if (run.source != source || run.status == SyncStatus::Running)
            continue;
        const IstMoment when = runMoment(run);
        switch (run.status) {
        case SyncStatus::Failed:
            if (!sawGood) {
                ++facts.failuresInARow;
                if (!facts.lastFailure)
                    facts.lastFailure = when;
            }
            break;
        case SyncStatus::Succeeded:
            sawGood = true;
            if (!facts.lastImport)
                facts.lastImport = when;
            break;
        case SyncStatus::Unchanged:
            sawGood = true;
            if (!facts.lastUnchanged)
                facts.lastUnchanged = when;
            break;
        case SyncStatus::Running:
            break;
        }
        if (facts.lastImport && facts.lastUnchanged && sawGood)
            break;
    }
    return facts;
}

} // namespace strikeline
