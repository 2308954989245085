#pragma once

#include "Instrument.h"
#include "MasterReader.h"
#include "common/IstTime.h"
#include "common/Result.h"

#include <QString>

#include <array>
#include <cstdint>

class QIODevice;

namespace strikeline {

// Writes a synthetic instrument master in Upstox's formats, for tests, benchmarks and demos
// without the real (large, daily-changing, not redistributable) files.
//
// The universe is modelled on the real complete.json of 2025-12-09 and laid out relative to
// `asOf`: NSE index F&O (NIFTY with Tuesday weeklies, monthlies and long-dated quarterly and
// half-yearly contracts on the old lot; BANKNIFTY, FINNIFTY, MIDCPNIFTY, NIFTYNXT50), BSE index
// F&O (SENSEX with Thursday weeklies, BANKEX, SENSEX50), 208 real-looking F&O stocks with their
// NSE_EQ/BSE_EQ rows, MCX commodities, NSE and BSE currency F&O, and then as many synthetic
// companies (STOCK0000, ...: first cash-only listings, then F&O stocks) as `rows` needs.
// Ticks, lots, freeze quantities, key sets and key order per segment, trading symbols and
// epoch-ms expiries follow the real files (docs: upstox-reference.md, sections 1 and 4).
//
// Rows are written in a fixed order (each underlying's index or equity row first, then its
// contracts by expiry, each chain from the money outwards as CE/PE pairs) and generation stops
// after exactly `rows` rows, so a small master is the start of a large one and is still a
// coherent universe. Output is streamed (bounded memory whatever `rows` is) and deterministic:
// the same options give the same bytes (for one zlib build when gzip is on), never depending on
// the clock, hash order or the standard library's random distributions.
struct GeneratorOptions
{
    std::int64_t rows = 125000; // exact number of rows written
    std::uint64_t seed = 1;     // varies spots, strike ranges, tokens, lots, names
    EpochDay asOf = NoDay;      // the master's BOD date; NoDay is an error (the caller decides)
    MasterFormat format = MasterFormat::Json; // Json (Upstox BOD JSON) or Csv (legacy CSV)
    bool gzip = true;
    int gzipLevel = 6; // zlib level 1..9
};

struct GeneratorSummary
{
    std::int64_t rows = 0;
    std::int64_t bytesWritten = 0; // to the device: the gzip size when gzip is on
    std::int64_t textBytes = 0;    // the JSON or CSV text before compression
    std::array<std::int64_t, SegmentCount> rowsPerSegment{};

    std::int64_t rowsIn(Segment segment) const
    {
        return rowsPerSegment[static_cast<std::size_t>(segment)];
    }
    // "NSE_FO 52110, MCX_FO 25020, ...": the segments that have rows, largest first.
    QString segmentBreakdown() const;
};

// Streams a master into `out`, which must be open for writing.
Result<GeneratorSummary> generateMaster(QIODevice &out, const GeneratorOptions &options);

// Same into a file, choosing format and compression from the name: .json.gz, .json, .csv.gz or
// .csv (options.format and options.gzip are ignored). Writes a temporary file and renames it
// into place (QSaveFile), so a failure never leaves a partial master behind.
Result<GeneratorSummary> generateMasterFile(const QString &path, GeneratorOptions options);

} // namespace strikeline
