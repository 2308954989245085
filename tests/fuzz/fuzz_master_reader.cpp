// libFuzzer target for readMaster(): any bytes, as a gzip or plain, JSON or CSV master.
//
// The reader must never crash, leak or hit UB, whatever the input; and every record it hands to
// the sink must satisfy the record contract (Instrument.h, validateRecord). A violated invariant
// aborts, so the fuzzer reports it as a crash with the input that caused it.
//
// Input layout: if the first byte is one of the selector bytes below (never the first byte of a
// real master: those start with '[', '"', a letter, whitespace, a BOM or the gzip magic), it is
// consumed and picks ReadOptions; otherwise the whole input is read with the default options
// (format sniffing). The seed corpus is made of plain files, so both paths get explored.
//
// Needs no QCoreApplication: readMaster uses QBuffer, QString and QDate only (no event loop, no
// plugins, no timers; waitForReadyRead is only reached for sequential devices, which QBuffer is
// not).

#include "instruments/MasterReader.h"

#include <QBuffer>
#include <QByteArray>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string_view>

namespace {

using namespace strikeline;

[[noreturn]] void violated(const char *what, const InstrumentRecord *record)
{
    std::fprintf(stderr, "fuzz_master_reader: invariant violated: %s\n", what);
    if (record) {
        std::fprintf(stderr,
                     "  key='%s' symbol='%s' segment=%.*s kind=%.*s type='%s' lot=%d tick=%s "
                     "strike=%s expiry=%d freeze=%d mult=%d underlying='%s'\n",
                     record->instrumentKey.c_str(), record->tradingSymbol.c_str(),
                     static_cast<int>(segmentName(record->segment).size()),
                     segmentName(record->segment).data(),
                     static_cast<int>(kindName(record->kind).size()), kindName(record->kind).data(),
                     record->typeCode.c_str(), record->lotSize, record->tickSize.toString().c_str(),
                     record->strike.toString().c_str(), record->expiry, record->freezeQuantity,
                     record->qtyMultiplier, record->underlyingSymbol.c_str());
    }
    std::abort();
}

#define FUZZ_CHECK(cond, record)                                                                   \
    do {                                                                                           \
        if (!(cond))                                                                               \
            violated(#cond, record);                                                               \
    } while (false)

// Folds bytes into a value the optimiser cannot drop, so every field is really read (and ASan
// sees every byte of every string).
std::uint64_t g_sink = 0;

void touch(std::string_view s)
{
    std::uint64_t h = g_sink ^ s.size();
    for (const char c : s)
        h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
    g_sink = h;
}

void touch(std::int64_t v)
{
    g_sink = (g_sink ^ static_cast<std::uint64_t>(v)) * 0x100000001b3ULL;
}

constexpr EpochDay FirstPlausibleExpiry = 10957; // 2000-01-01, as validateRecord
constexpr EpochDay LastPlausibleExpiry = 47482;  // 2100-01-01

void checkRecord(const InstrumentRecord &r)
{
    // Read every field.
    touch(r.instrumentKey);
    touch(r.tradingSymbol);
    touch(r.name);
    touch(r.underlyingSymbol);
    touch(r.underlyingKey);
    touch(r.typeCode);
    touch(r.exchangeToken);
    touch(segmentName(r.segment));
    touch(kindName(r.kind));
    touch(r.weekly ? 1 : 0);
    touch(r.expiry);
    touch(r.strike.raw());
    touch(r.tickSize.raw());
    touch(r.lotSize);
    touch(r.freezeQuantity);
    touch(r.qtyMultiplier);
    touch(static_cast<std::int64_t>(r.quantityUnit()));
    touch(r.maxLotsPerOrder());
    touch(r.strike.toString());
    touch(r.tickSize.toString());

    // The segment is one of the enum's values and agrees with the kind.
    FUZZ_CHECK(static_cast<int>(r.segment) < SegmentCount, &r);
    FUZZ_CHECK(parseSegment(segmentName(r.segment)) == r.segment, &r);
    const bool index = r.kind == InstrumentKind::Index;
    FUZZ_CHECK(index == isIndexSegment(r.segment), &r);
    if (isDerivative(r.kind))
        FUZZ_CHECK(isDerivativeSegment(r.segment), &r);
    if (r.kind == InstrumentKind::Spot)
        FUZZ_CHECK(r.segment == Segment::NseCom, &r);
    if (r.kind == InstrumentKind::Equity)
        FUZZ_CHECK(!isDerivativeSegment(r.segment) && !isIndexSegment(r.segment), &r);

    FUZZ_CHECK(!r.instrumentKey.empty(), &r);
    if (!index)
        FUZZ_CHECK(!r.tradingSymbol.empty(), &r);

    // Tradable rows: a lot and a tick (and a plausible one).
    if (!index) {
        FUZZ_CHECK(r.lotSize > 0, &r);
        FUZZ_CHECK(r.tickSize.isPositive(), &r);
        FUZZ_CHECK(r.tickSize <= Price::fromRupees(10000), &r);
    }
    FUZZ_CHECK(r.lotSize >= 0, &r);
    FUZZ_CHECK(r.freezeQuantity >= 0, &r);
    FUZZ_CHECK(r.qtyMultiplier >= 1, &r);
    FUZZ_CHECK(r.maxLotsPerOrder() >= 0, &r);
    FUZZ_CHECK(!r.strike.isNegative(), &r);

    // Derivatives: an expiry (a plausible date) and an underlying; options: a strike.
    if (isDerivative(r.kind)) {
        FUZZ_CHECK(r.expiry != NoDay, &r);
        FUZZ_CHECK(r.expiry >= FirstPlausibleExpiry && r.expiry <= LastPlausibleExpiry, &r);
        FUZZ_CHECK(!r.underlyingSymbol.empty(), &r);
        touch(formatIsoDay(r.expiry).size());
    }
    if (isOption(r.kind))
        FUZZ_CHECK(r.strike.isPositive(), &r);
}

// STRIKELINE_FUZZ_VERBOSE=1: one line per input with the outcome (for looking at a corpus with
// the replay binary; far too slow for fuzzing).
bool verbose()
{
    static const bool on = std::getenv("STRIKELINE_FUZZ_VERBOSE") != nullptr;
    return on;
}

const char *formatName(MasterFormat f)
{
    switch (f) {
    case MasterFormat::Auto:
        return "auto";
    case MasterFormat::Json:
        return "json";
    case MasterFormat::Csv:
        return "csv";
    }
    return "?";
}

void report(const Result<ReadSummary> &result, const ReadOptions &options)
{
    if (!result) {
        std::fprintf(stderr, "  [%s] error: %s\n", formatName(options.format),
                     result.error().message.toUtf8().constData());
        return;
    }
    std::fprintf(stderr, "  [%s] ok: %s%s, %lld accepted, %lld skipped\n",
                 formatName(options.format), formatName(result->format),
                 result->gzip ? "+gzip" : "", static_cast<long long>(result->rowsAccepted),
                 static_cast<long long>(result->rowsSkipped));
    for (const RowIssue &issue : result->issues)
        std::fprintf(stderr, "    %s\n", issue.toString().toUtf8().constData());
}

struct Selector
{
    ReadOptions options;
    bool consumed = false;
};

// 0x01..0x06: format Auto/Json/Csv x (default policy | strict policy that fails on the first bad
// row and keeps one issue). Anything else: the defaults, input untouched.
Selector pickOptions(const std::uint8_t *data, std::size_t size)
{
    Selector s;
    if (size == 0 || data[0] < 0x01 || data[0] > 0x06)
        return s;
    const int pick = data[0] - 1;
    s.consumed = true;
    switch (pick % 3) {
    case 0:
        s.options.format = MasterFormat::Auto;
        break;
    case 1:
        s.options.format = MasterFormat::Json;
        break;
    default:
        s.options.format = MasterFormat::Csv;
        break;
    }
    if (pick >= 3) {
        s.options.maxSkippedFraction = 0.0;
        s.options.skippedRowsFloor = 0;
        s.options.maxIssuesKept = 1;
    }
    return s;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size > static_cast<std::size_t>(std::numeric_limits<int>::max()))
        return 0;
    Selector selector = pickOptions(data, size);
    if (selector.consumed) {
        ++data;
        --size;
    }
    ReadOptions &options = selector.options;

    std::int64_t lastProgress = 0;
    options.progress = [&lastProgress, size](std::int64_t consumed) {
        FUZZ_CHECK(consumed >= lastProgress, nullptr);
        FUZZ_CHECK(consumed <= static_cast<std::int64_t>(size), nullptr);
        lastProgress = consumed;
    };

    // fromRawData: no copy, so ASan catches a read past the input's end.
    const QByteArray bytes =
        QByteArray::fromRawData(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    QBuffer buffer;
    buffer.setData(bytes);
    if (!buffer.open(QIODevice::ReadOnly))
        std::abort();

    std::int64_t delivered = 0;
    const RecordSink sink = [&delivered](InstrumentRecord &&record) {
        ++delivered;
        checkRecord(record);
        InstrumentRecord taken = std::move(record); // the sink owns what it is given
        touch(taken.instrumentKey);
    };

    const Result<ReadSummary> result = readMaster(buffer, sink, options);
    if (verbose())
        report(result, options);
    if (!result) {
        FUZZ_CHECK(!result.error().message.isEmpty(), nullptr);
        touch(result.error().message.size());
        return 0;
    }

    const ReadSummary &summary = *result;
    FUZZ_CHECK(summary.rowsAccepted == delivered, nullptr);
    FUZZ_CHECK(summary.rowsAccepted > 0, nullptr); // an empty master is an error
    FUZZ_CHECK(summary.rowsRead == summary.rowsAccepted + summary.rowsSkipped, nullptr);
    FUZZ_CHECK(summary.rowsSkipped >= 0, nullptr);
    FUZZ_CHECK(summary.issues.size() <= options.maxIssuesKept, nullptr);
    FUZZ_CHECK(static_cast<std::int64_t>(summary.issues.size()) <= summary.rowsSkipped, nullptr);
    FUZZ_CHECK(summary.format == MasterFormat::Json || summary.format == MasterFormat::Csv,
               nullptr);
    if (options.format != MasterFormat::Auto)
        FUZZ_CHECK(summary.format == options.format, nullptr);
    FUZZ_CHECK(summary.bytesConsumed >= 0 &&
                   summary.bytesConsumed <= static_cast<std::int64_t>(size),
               nullptr);
    if (!summary.gzip)
        FUZZ_CHECK(summary.bytesDecoded == summary.bytesConsumed, nullptr);
    for (const RowIssue &issue : summary.issues) {
        FUZZ_CHECK(issue.row >= 1 && issue.row <= summary.rowsRead, nullptr);
        touch(issue.instrumentKey);
        touch(issue.field);
        touch(issue.toString().size());
    }
    return 0;
}
