#pragma once

// Pieces shared by the JSON and CSV master parsers. Not part of the public API.

#include "MasterReader.h"

#include <zlib.h>

#include <memory>
#include <span>

namespace strikeline::detail {

// The device's bytes, gunzipped when they start with the gzip magic. Reads in chunks; never
// holds more than one input chunk. Handles concatenated gzip members (gzip -c a b > c).
class DecodedStream
{
public:
    DecodedStream(QIODevice &device, const ReadOptions &options);
    ~DecodedStream();
    DecodedStream(const DecodedStream &) = delete;
    DecodedStream &operator=(const DecodedStream &) = delete;

    // Fills up to out.size() bytes; returns 0 only at the clean end of the data.
    Result<std::size_t> read(std::span<char> out);

    bool isGzip() const { return m_gzip; }
    std::int64_t bytesConsumed() const { return m_consumed; }
    std::int64_t bytesDecoded() const { return m_decoded; }
    // The gzip header's comment is SyntheticMasterComment: our generator wrote the file.
    bool isSynthetic() const;

private:
    Result<std::size_t> fillInput();
    Result<void> checkCancel() const;

    QIODevice &m_device;
    const ReadOptions &m_options;
    std::unique_ptr<char[]> m_in;
    std::size_t m_inBegin = 0;
    std::size_t m_inEnd = 0;
    bool m_deviceEof = false;
    bool m_sniffed = false;
    bool m_gzip = false;
    bool m_streamEnded = false; // the current gzip member ended (Z_STREAM_END)
    z_stream m_zs{};
    bool m_zsInit = false;
    gz_header m_header{};
    char m_comment[64] = {};
    std::int64_t m_consumed = 0;
    std::int64_t m_decoded = 0;
};

// Counts rows, applies the skip policy and keeps the first issues.
class RowCollector
{
public:
    RowCollector(const RecordSink &sink, const ReadOptions &options, ReadSummary &summary)
        : m_sink(sink)
        , m_options(options)
        , m_summary(summary)
    {}

    void accept(InstrumentRecord &&record)
    {
        ++m_summary.rowsRead;
        ++m_summary.rowsAccepted;
        m_sink(std::move(record));
    }
    void skip(RowIssue issue)
    {
        ++m_summary.rowsRead;
        ++m_summary.rowsSkipped;
        if (m_options.skipped)
            m_options.skipped(issue);
        if (m_summary.issues.size() < m_options.maxIssuesKept)
            m_summary.issues.push_back(std::move(issue));
    }
    std::int64_t rowsSoFar() const { return m_summary.rowsRead; }
    // Fails once the bad rows are too many for the file to be a master worth using.
    Result<void> finish() const;

private:
    const RecordSink &m_sink;
    const ReadOptions &m_options;
    ReadSummary &m_summary;
};

// Format-specific parsers over the decoded bytes. `prefix` holds bytes already read from the
// stream while sniffing the format; they come before anything read from `stream`.
Result<void> parseJsonMaster(DecodedStream &stream, std::string_view prefix, RowCollector &rows,
                             const ReadOptions &options);
Result<void> parseCsvMaster(DecodedStream &stream, std::string_view prefix, RowCollector &rows,
                            const ReadOptions &options);

// Checks that apply to a record whatever file it came from (lot > 0, tick > 0 on tradables,
// strike on options, expiry on derivatives, freeze >= 0 ...). Returns the first problem.
std::optional<RowIssue> validateRecord(const InstrumentRecord &record);

// Size of one read from the decoded stream. 1 MiB keeps the gunzip/parse loop in cache-friendly
// steps while bounding memory.
inline constexpr std::size_t ChunkSize = 1 << 20;

} // namespace strikeline::detail
