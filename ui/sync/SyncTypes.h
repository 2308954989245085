#pragma once

#include "storage/DatabaseConfig.h"
#include "sync/SyncReport.h"

#include <QMetaType>
#include <QString>

#include <cstdint>

namespace strikeline::ui {

struct SyncRequest
{
    QString source; // http(s) URL or a local file (json.gz, json, csv.gz, csv)
    bool force = false;
    DatabaseConfig database;
};

enum class SyncOutcome { Succeeded, Unchanged, Failed, Cancelled };

// One sync as a trader reads it. Counts come from instrument_changes for the run, except
// `newContracts` of a first import into an empty table, which lists no 'new' rows: that one
// is the run's rows_inserted.
struct SyncSummary
{
    SyncOutcome outcome = SyncOutcome::Failed;
    std::int64_t runId = 0; // 0 when the run is not known (failed before it was recorded)
    QString source;
    bool firstImport = false;
    std::int64_t instruments = 0; // in the new master (after de-duplication)
    std::int64_t rowsSkipped = 0;
    std::int64_t newContracts = 0;
    std::int64_t expiredContracts = 0; // deactivated: no longer in the master
    std::int64_t changedContracts = 0; // lot, tick, freeze changed or key reused (distinct)
    ChangeCounts changes;              // per kind
    std::int64_t elapsedMs = 0;
    QString masterInUse; // before the sync: "the master of 09 Dec 2025", "the demo master", ""
    QString error;       // why it failed, core's message included (failureReason); empty when ok
    QString message;     // one sentence for the trader

    bool ok() const
    {
        return outcome == SyncOutcome::Succeeded || outcome == SyncOutcome::Unchanged;
    }
    // A new master is in the database: the window should hydrate it.
    bool masterChanged() const { return outcome == SyncOutcome::Succeeded; }
};

} // namespace strikeline::ui

Q_DECLARE_METATYPE(strikeline::ui::SyncSummary)
Q_DECLARE_METATYPE(strikeline::SyncHistory)
Q_DECLARE_METATYPE(strikeline::ChangePage)
Q_DECLARE_METATYPE(strikeline::ChangeQuery)
