#pragma once

#include "Instrument.h"
#include "common/Result.h"

#include <QString>

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

class QFile;
class QIODevice;

namespace strikeline {

enum class MasterFormat : std::uint8_t { Auto, Json, Csv };

// One row the reader refused, with enough context to find it in the file.
struct RowIssue
{
    std::int64_t row = 0;      // 1-based position of the row in the file (CSV: data row)
    std::string instrumentKey; // when the row got that far
    std::string field;         // the offending field, e.g. "lot_size"
    QString message;           // "expected a positive integer, got -75"

    QString toString() const;
};

struct ReadOptions
{
    MasterFormat format = MasterFormat::Auto; // Auto: sniff gzip, then '[' vs CSV header
    // Rows with a bad value are skipped and reported. When more than this share of rows (and
    // more than skippedRowsFloor rows) is bad, the file is not a usable master: the read fails.
    double maxSkippedFraction = 0.01;
    std::int64_t skippedRowsFloor = 50;
    std::size_t maxIssuesKept = 200; // the rest are only counted
    // Called with the bytes consumed from the device so far (compressed bytes for gzip).
    std::function<void(std::int64_t bytesConsumed)> progress;
    const std::atomic_bool *cancel = nullptr; // polled between chunks
    // Called for every skipped row, also those beyond maxIssuesKept (a sync keeps the stored
    // version of a contract whose new row is invalid).
    std::function<void(const RowIssue &)> skipped;
};

// The comment generateMaster() writes into the gzip header of a synthetic master: it stays with
// the file (and is invisible to a JSON or CSV reader), so an import of it can say "synthetic".
inline constexpr char SyntheticMasterComment[] = "strikeline synthetic master";

struct ReadSummary
{
    MasterFormat format = MasterFormat::Auto;
    bool gzip = false;
    bool synthetic = false; // written by generateMaster (gzip header comment), not a real master
    std::int64_t bytesConsumed = 0; // from the device
    std::int64_t bytesDecoded = 0;  // after gunzip
    std::int64_t rowsRead = 0;
    std::int64_t rowsAccepted = 0;
    std::int64_t rowsSkipped = 0;
    std::vector<RowIssue> issues; // the first ReadOptions::maxIssuesKept
};

// Receives each normalised record as soon as its row is read; the reader keeps nothing.
using RecordSink = std::function<void(InstrumentRecord &&)>;

// Streams a master (gzip or plain; Upstox JSON array or legacy CSV) from any QIODevice in
// bounded memory. Errors that make the whole file suspect (I/O, truncated or corrupt gzip, JSON
// or CSV syntax, bytes that are no master at all, too many bad rows, cancel) fail the read; a
// row with a bad or missing value is skipped and reported in the summary. `partial`, when
// given, holds the counts so far whatever the outcome: what a failed read did read. See
// docs/ARCHITECTURE.md, "Reading the master".
Result<ReadSummary> readMaster(QIODevice &device, const RecordSink &sink,
                               const ReadOptions &options = {}, ReadSummary *partial = nullptr);
Result<ReadSummary> readMasterFile(const QString &path, const RecordSink &sink,
                                   const ReadOptions &options = {});

// Opens a master file read-only without ever blocking: anything but a regular file (a FIFO,
// which would block in open(), a device such as /dev/zero or /dev/urandom, which never ends, a
// directory, a socket) is refused with an Io error that says what the path is.
Result<void> openMasterFile(QFile &file, const QString &path);

} // namespace strikeline
