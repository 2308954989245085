#pragma once

// The quote book's last known state on disk, so a chain can be browsed OFFLINE after a restart
// (issue 12: "OFFLINE: last known values with their 'as of' time, kept so a chain can be browsed
// offline after the market closes"). docs/quotes.md, "Last known values".
//
// One file (the terminal's data folder, `last-quotes.bin`), written atomically (QSaveFile) with
// every slot that was ever written, field by field in a versioned binary layout (a new build
// reads an old file, a truncated or foreign file is an error that loses nothing).
//
// Restored values are for reading, never for trading: loadLastQuotes() marks every slot it fills
// LiveQuote::Restored, which QuoteBook::quote() (the order path, the watch list, the ticket)
// answers as "no price", while the chain shows them with their age. The first packet or REST
// backfill for the key replaces the mark. A slot the book already has (newer) is left alone.
//
// Disk I/O: call both from a worker thread, never the GUI thread.

#include "common/Result.h"

#include <QString>

#include <cstdint>

namespace strikeline::marketdata {

class QuoteBook;

struct LastQuotesStats
{
    int instruments = 0;       // slots written (save) or filled (load)
    int skipped = 0;           // load: older than maxAgeMs, or the book already had something newer
    std::int64_t newestNs = 0; // the newest receive time among them (epoch ns)
};

// Every written slot of `book` whose receive time is within `maxAgeMs` of `nowMs`.
Result<LastQuotesStats> saveLastQuotes(const QuoteBook &book, const QString &path,
                                       std::int64_t nowMs, std::int64_t maxAgeMs);
// Fills the slots the book has not written yet (or has older values for), marked Restored.
// A missing file is not an error (zero instruments).
Result<LastQuotesStats> loadLastQuotes(QuoteBook &book, const QString &path, std::int64_t nowMs,
                                       std::int64_t maxAgeMs);

// A week: a chain of last week is still worth browsing; older keys are mostly expired.
inline constexpr std::int64_t LastQuotesMaxAgeMs = 7LL * 24 * 3600 * 1000;

} // namespace strikeline::marketdata
