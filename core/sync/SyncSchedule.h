#pragma once

#include "common/IstTime.h"

#include <QString>

#include <optional>
#include <vector>

namespace strikeline {

struct SyncRunRecord;

// What the sync history says about one source (the Upstox URL of the automatic sync).
struct SyncScheduleFacts
{
    std::optional<IstMoment> lastImport;    // newest run that imported a changed master
    std::optional<IstMoment> lastUnchanged; // newest run that found the master unchanged
    std::optional<IstMoment> lastFailure;   // newest failed run after the last good one
    int failuresInARow = 0;                 // failed runs since the last good one
};

struct SyncScheduleDecision
{
    bool due = false;
    IstMoment nextCheck; // ask again at this moment (when due: now)
    QString reason;      // for the log and the status bar
};

// "Automatically once a day after 06:00 IST, when online."
//
// Upstox refreshes the master files "daily at around 6 AM" [upstox-reference.md 1.1], every
// calendar day: we do not skip weekends or holidays, because a master can change on any day
// (contracts listed for Monday, a freeze quantity revised) and a day without changes costs a
// 304 (ETag) or one checksum, not an import. The master of the last 06:00 IST before now is
// "today's":
//
// - it counts as fetched when a run imported a master after that 06:00, or found it unchanged
//   at or after 08:30 IST (by then the file has settled; the market pre-opens at 09:00);
// - a run that found it unchanged before 08:30 may simply have been too early ("around 6 AM"):
//   check again 15 minutes later;
// - after failed runs, wait 5, 15, then 60 minutes (and hourly from then on) after the last
//   failure before trying again, so a dead network or a broken file is not hammered;
// - offline, nothing is due; the caller asks again when the network is back (and in 5 minutes
//   at the latest).
//
// Pure logic: the clock is injected, the facts come from sync_runs (scheduleFacts below).
class SyncSchedule
{
public:
    static constexpr int PublishMinute = 6 * 60;       // 06:00 IST
    static constexpr int SettledMinute = 8 * 60 + 30;  // 08:30 IST
    static constexpr int UnchangedRecheckMinutes = 15; // before SettledMinute
    static constexpr int OfflineRecheckMinutes = 5;

    explicit SyncSchedule(const Clock &clock)
        : m_clock(clock)
    {}

    SyncScheduleDecision decide(const SyncScheduleFacts &facts, bool online = true) const;

    // Minutes to wait after the n-th failure in a row (n >= 1): 5, 15, then 60.
    static int retryDelayMinutes(int failuresInARow);
    // The 06:00 IST publication that is current at `now` (today's, or yesterday's before 6).
    static IstMoment currentPublication(IstMoment now);

private:
    const Clock &m_clock;
};

// The facts for `source` from sync runs listed newest first (InstrumentStore::recentRuns).
// Runs of other sources (a file import, the demo master) do not count: they say nothing about
// whether today's Upstox master has been fetched. Runs still running are ignored.
SyncScheduleFacts scheduleFacts(const std::vector<SyncRunRecord> &newestFirst,
                                const QString &source);

} // namespace strikeline
