#pragma once

#include "SyncTypes.h"
#include "common/IstTime.h"
#include "common/Result.h"
#include "sync/InstrumentSync.h"

#include <QString>

#include <cstdint>
#include <optional>

namespace strikeline::ui {

// The words the sync side of the window uses, in one place so the panel, its tables and the
// status bar say the same thing.

// Lakh grouping (1,24,278), as the traders this is for read counts.
QString groupedCount(std::int64_t n);
// "850 ms", "12.3 s", "2 min 05 s"
QString durationText(std::int64_t ms);
// "Today 07:12", "Yesterday 18:40", "08 Dec 2025 07:12" (IST); empty for an invalid time.
QString runTimeText(const QDateTime &moment, EpochDay today);
// "Upstox" for Upstox's host, another URL's host, or the file's name.
QString sourceLabel(const QString &source);
// The generated demo master (MasterLoader::demoMasterPath: demo-master-<date>.json.gz).
bool isDemoSource(const QString &source);
// "New contract", "Expired / removed", "Lot size changed", ...
QString changeKindText(const QString &kind);
// "50 → 75", "NIFTY25DEC25000CE → NIFTY26JAN24000PE"; empty when the kind has no values.
QString changeValuesText(const InstrumentChange &change);
// "Connecting to Upstox", "Reading instruments", "Checking the new master", ...
QString stageText(SyncStage stage, const QString &source);
// "the master of 09 Dec 2025", "the demo master"; empty without a master.
QString masterInUseText(const std::optional<SyncRunRecord> &lastImport);
// The trader's sentence for a finished sync (SyncSummary::message), from everything else in it.
QString summaryMessage(const SyncSummary &summary);
// The failed sync's reason in a trader's words, from core's error.
QString failureReason(const Error &error, const QString &source);

} // namespace strikeline::ui
