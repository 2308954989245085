// The legacy Upstox CSV master (complete.csv.gz, NSE.csv.gz; deprecated in favour of the JSON
// master). Streamed through libcsv, a callback parser: we feed it one decoded chunk at a time
// and it hands back fields and row ends, so memory stays at one chunk plus one row.
//
// Columns are found by name from the header row (any order; unknown extra columns are ignored).
// What the CSV lacks compared with the JSON (freeze_quantity, underlying_key, weekly,
// qty_multiplier) is left unknown or derived from the compact exchange-style trading symbol.
//
// Measured on the two real files (complete-2024-09-05.csv.gz: 78,715 rows; NSE-2026-08-04.csv.gz:
// 76,745 rows), and what the rules below are built on:
//  * Every row has the header's 12 fields; no field contains a quote, CR or LF. Empty fields are
//    written both unquoted (,,) and quoted ("").
//  * `exchange` carries the segment (NSE_FO, BCD_FO, MCX_INDEX, ...). Futures have option_type
//    FF; 2026 index rows have option_type INDEX; NSE_COM spot rows have instrument_type "" and
//    option_type COM. MCX options say instrument_type FUTCOM with option_type CE/PE, NSE_COM
//    options say OPTFUT -- so the kind follows option_type, not instrument_type.
//  * tick_size is in rupees for NSE_EQ/NSE_FO/BSE_EQ/BSE_FO but in paise (the JSON's number) for
//    NCD_FO, BCD_FO, MCX_FO and NSE_COM (0.25 on every currency row, 1.0..1000.0 on MCX/NSE_COM).
//    Cross-checked on the 65,053 derivative contracts that NSE-2026-08-04.csv and the JSON
//    NSE-2026-08-21 have in common: tick, lot, root and weekly all agree.
//  * `name` is NOT the underlying symbol: it is empty on every NSE_FO, NCD_FO and BSE_FO row of
//    2024 (44,586 rows); in 2026 it is the company name on stock F&O (26,032 rows, e.g.
//    "ORACLE FIN SERV SOFT LTD." for OFSS), and on MCX it is the commodity group (2,533 rows,
//    e.g. "GOLD" for GOLDM, "NATURALGAS" for NATGASMINI, "CRUDE OIL" for CRUDEOIL). The JSON's
//    underlying_symbol is the symbol root (OFSS, GOLDM, NATGASMINI) on all of them. So the root is
//    always derived from the trading symbol (below); `name` is kept as the display name only.
//  * The trading symbol is root + YY + MMM (monthly) or root + YY + M + DD (weekly; M = 1..9, O,
//    N, D) + strike + CE/PE, or + FUT. Roots may end in digits (NIFTYNXT50, SENSEX50) or start
//    with them (667GS2035), so the root is what remains after stripping the suffix rebuilt from
//    the row's own expiry, strike and type. This succeeds on every derivative row of both files
//    except 16 exchange test contracts in 2024 (011NSETEST36DECFUT ... expiring 2036-11-27, a
//    NOV date under a DEC symbol), which are skipped as inconsistent.
//  * Data defect in 2024: 9,182 of the 9,274 BCD_FO rows are options (USDINR24SEP83.2CE, strike
//    83.2) mislabelled instrument_type FUTCUR / option_type FF. Skipping them would fail the whole
//    file (11.7% bad rows); believing FF would create futures with strikes. A row marked FF with
//    a positive strike is therefore read as the option its symbol names -- but only when the
//    symbol is exactly root + expiry + that strike + CE/PE; anything else is skipped.
//  * Index rows have no tick and no lot; 2024 index rows have no trading symbol (the index's
//    name, e.g. "Nifty 50", stands in) and 35 have no exchange_token (-> 0).

#include "MasterReaderInternal.h"

#include <QDate>
#include <QStringList>

#include <csv.h>

#include <array>
#include <charconv>
#include <cstring>
#include <vector>

namespace strikeline::detail {

namespace {

using namespace std::string_view_literals;

// A real row is ~130 bytes and 12 fields; anything far beyond means this is not a master.
constexpr std::size_t MaxRowBytes = 64 * 1024;
constexpr std::size_t MaxFields = 256;
constexpr std::size_t MaxFieldBytes = 1 << 20; // libcsv's buffer for one (quoted) field

enum Column : std::size_t {
    InstrumentKey,
    ExchangeToken,
    TradingSymbol,
    Name,
    Expiry,
    Strike,
    TickSize,
    LotSize,
    InstrumentType,
    OptionType,
    Exchange,
    ColumnCount
};

// The columns we need. last_price (the 12th) is optional: a master is not a quote feed.
constexpr std::array<std::string_view, ColumnCount> ColumnNames{
    "instrument_key"sv,  "exchange_token"sv, "tradingsymbol"sv, "name"sv,
    "expiry"sv,          "strike"sv,         "tick_size"sv,     "lot_size"sv,
    "instrument_type"sv, "option_type"sv,    "exchange"sv,
};

constexpr std::size_t NoColumn = static_cast<std::size_t>(-1);

QString text(std::string_view s)
{
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

// A row problem: the row is skipped and reported.
struct RowError
{
    std::string field;
    QString message;
};

RowError missing(std::string_view field)
{
    return RowError{std::string(field), QStringLiteral("is missing")};
}

// Segments whose CSV tick_size is the JSON's paise number rather than rupees (measured).
bool tickInPaise(Segment segment)
{
    switch (segment) {
    case Segment::NcdFo:
    case Segment::BcdFo:
    case Segment::McxFo:
    case Segment::NseCom:
        return true;
    default:
        return false;
    }
}

struct Ymd
{
    int year = 0;
    int month = 0;
    int day = 0;
};

// Strict "yyyy-MM-dd" (what QDate::fromString(Qt::ISODate) reads, without its leniency).
std::optional<Ymd> parseIsoDate(std::string_view s)
{
    if (s.size() != 10 || s[4] != '-' || s[7] != '-')
        return std::nullopt;
    auto number = [&s](std::size_t from, std::size_t len, int &out) {
        const char *first = s.data() + from;
        const char *last = first + len;
        for (const char *c = first; c != last; ++c) {
            if (*c < '0' || *c > '9')
                return false;
        }
        return std::from_chars(first, last, out).ec == std::errc();
    };
    Ymd d;
    if (!number(0, 4, d.year) || !number(5, 2, d.month) || !number(8, 2, d.day))
        return std::nullopt;
    if (!QDate(d.year, d.month, d.day).isValid())
        return std::nullopt;
    return d;
}

std::optional<RowError> integerField(std::string_view field, std::string_view value,
                                     std::int64_t minValue, std::int64_t maxValue,
                                     std::int32_t &out)
{
    // Accept 75 and 75.0, nothing fractional.
    const auto parsed = Price::parse(value);
    if (!parsed || parsed->raw() % Price::Scale != 0) {
        return RowError{std::string(field),
                        QStringLiteral("expected a whole number, got '%1'").arg(text(value))};
    }
    const std::int64_t whole = parsed->raw() / Price::Scale;
    if (whole < minValue || whole > maxValue) {
        return RowError{
            std::string(field),
            QStringLiteral("%1 is out of range (%2..%3)").arg(whole).arg(minValue).arg(maxValue)};
    }
    out = static_cast<std::int32_t>(whole);
    return std::nullopt;
}

struct SymbolParts
{
    std::string_view root;
    bool weekly = false;
};

// Splits a compact exchange symbol into its root, checking the suffix against the row's own
// expiry, strike and type: monthly root+YY+MMM[strike](CE|PE|FUT), weekly root+YY+M+DD[...].
std::optional<SymbolParts> splitCompactSymbol(std::string_view symbol, const Ymd &expiry,
                                              InstrumentKind kind, Price strike)
{
    static constexpr std::array<std::string_view, 12> months{
        "JAN"sv, "FEB"sv, "MAR"sv, "APR"sv, "MAY"sv, "JUN"sv,
        "JUL"sv, "AUG"sv, "SEP"sv, "OCT"sv, "NOV"sv, "DEC"sv,
    };
    static constexpr std::string_view monthCodes = "123456789OND"sv;
    const auto month = static_cast<std::size_t>(expiry.month - 1);
    const std::array<char, 2> yy{static_cast<char>('0' + expiry.year % 100 / 10),
                                 static_cast<char>('0' + expiry.year % 10)};
    const std::array<char, 2> dd{static_cast<char>('0' + expiry.day / 10),
                                 static_cast<char>('0' + expiry.day % 10)};
    std::string tail;
    if (isOption(kind)) {
        tail = strike.toString();
        tail += kind == InstrumentKind::Call ? "CE"sv : "PE"sv;
    } else {
        tail = "FUT"sv;
    }

    std::string suffix(yy.data(), yy.size());
    suffix += months[month];
    suffix += tail;
    if (symbol.size() > suffix.size() && symbol.ends_with(suffix))
        return SymbolParts{symbol.substr(0, symbol.size() - suffix.size()), false};

    suffix.assign(yy.data(), yy.size());
    suffix += monthCodes[month];
    suffix.append(dd.data(), dd.size());
    suffix += tail;
    if (symbol.size() > suffix.size() && symbol.ends_with(suffix))
        return SymbolParts{symbol.substr(0, symbol.size() - suffix.size()), true};
    return std::nullopt;
}

using Fields = std::array<std::string_view, ColumnCount>;

std::optional<RowError> normalize(const Fields &f, InstrumentRecord &r)
{
    const std::string_view exchange = f[Exchange];
    if (exchange.empty())
        return missing(ColumnNames[Exchange]);
    const auto segment = parseSegment(exchange);
    if (!segment)
        return RowError{"exchange", QStringLiteral("unknown segment '%1'").arg(text(exchange))};
    if (f[InstrumentKey].empty())
        return missing(ColumnNames[InstrumentKey]);
    r.segment = *segment;
    r.instrumentKey.assign(f[InstrumentKey]);

    // The kind: from the segment, then option_type (instrument_type is not reliable, see top).
    const std::string_view itype = f[InstrumentType];
    const std::string_view otype = f[OptionType];
    if (isIndexSegment(r.segment)) {
        if (!otype.empty() && otype != "INDEX"sv)
            return RowError{"option_type", QStringLiteral("'%1' on an index row").arg(text(otype))};
        r.kind = InstrumentKind::Index;
    } else if (isDerivativeSegment(r.segment)) {
        if (otype == "CE"sv) {
            r.kind = InstrumentKind::Call;
        } else if (otype == "PE"sv) {
            r.kind = InstrumentKind::Put;
        } else if (otype == "FF"sv || otype == "XX"sv || otype.empty()) {
            if (!itype.starts_with("FUT"sv))
                return RowError{"instrument_type",
                                QStringLiteral("'%1' with option_type '%2' is neither an option "
                                               "(CE, PE) nor a future (FUT...)")
                                    .arg(text(itype), text(otype))};
            r.kind = InstrumentKind::Future;
        } else if (otype == "COM"sv && r.segment == Segment::NseCom) {
            r.kind = InstrumentKind::Spot;
        } else {
            return RowError{"option_type",
                            QStringLiteral("'%1' is not a contract type of %2 "
                                           "(CE, PE, FF)")
                                .arg(text(otype), QLatin1String(segmentName(r.segment)))};
        }
    } else {
        if (!otype.empty())
            return RowError{"option_type",
                            QStringLiteral("'%1' on an equity row").arg(text(otype))};
        r.kind = InstrumentKind::Equity;
    }
    if (itype.empty() && r.kind != InstrumentKind::Spot)
        return missing(ColumnNames[InstrumentType]);
    // Verbatim; the spot rows carry their type ("COM") in option_type only.
    r.typeCode.assign(itype.empty() ? otype : itype);

    r.exchangeToken = 0;
    if (const std::string_view token = f[ExchangeToken]; !token.empty()) {
        std::uint32_t value = 0;
        const auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
        if (ec != std::errc() || ptr != token.data() + token.size())
            return RowError{
                "exchange_token",
                QStringLiteral("'%1' is not a numeric exchange token").arg(text(token))};
        r.exchangeToken = value;
    } else if (r.kind != InstrumentKind::Index) {
        return missing(ColumnNames[ExchangeToken]);
    }

    const std::string_view symbol = f[TradingSymbol];
    if (r.kind == InstrumentKind::Index) {
        // 2024 index rows have no trading symbol: the index's name stands in.
        const std::string_view shown = !symbol.empty() ? symbol : f[Name];
        if (shown.empty())
            return RowError{"tradingsymbol",
                            QStringLiteral("an index row needs a tradingsymbol or a name")};
        r.tradingSymbol.assign(shown);
    } else {
        if (symbol.empty())
            return missing(ColumnNames[TradingSymbol]);
        r.tradingSymbol.assign(symbol);
    }
    r.name.assign(f[Name]);
    r.underlyingKey.clear();
    r.freezeQuantity = 0; // the CSV has no freeze quantity: unknown
    r.qtyMultiplier = 1;

    r.strike = Price();
    if (const std::string_view strike = f[Strike]; !strike.empty()) {
        const auto value = Price::parse(strike);
        if (!value)
            return RowError{
                "strike",
                QStringLiteral("'%1' is not an exact price (max 4 decimals)").arg(text(strike))};
        r.strike = *value;
    } else if (isOption(r.kind)) {
        return missing(ColumnNames[Strike]);
    }

    r.expiry = NoDay;
    r.weekly = false;
    if (isDerivative(r.kind)) {
        const std::string_view expiryText = f[Expiry];
        if (expiryText.empty())
            return missing(ColumnNames[Expiry]);
        const auto ymd = parseIsoDate(expiryText);
        if (!ymd)
            return RowError{"expiry",
                            QStringLiteral("'%1' is not a yyyy-MM-dd date").arg(text(expiryText))};
        r.expiry = fromQDate(QDate(ymd->year, ymd->month, ymd->day));

        if (r.kind == InstrumentKind::Future && r.strike.isPositive()) {
            // The 2024 BCD_FO defect (see top): an "FF" row with a strike. Read it as the
            // option its symbol names; splitCompactSymbol below confirms the whole symbol.
            if (symbol.ends_with("CE"sv))
                r.kind = InstrumentKind::Call;
            else if (symbol.ends_with("PE"sv))
                r.kind = InstrumentKind::Put;
            else
                return RowError{"strike",
                                QStringLiteral("a future (option_type '%1') with strike %2")
                                    .arg(text(otype), r.strike.toQString())};
        }
        if (isOption(r.kind) && !r.strike.isPositive())
            return RowError{"strike", QStringLiteral("an option needs a positive strike, got %1")
                                          .arg(r.strike.toQString())};
        const auto parts = splitCompactSymbol(symbol, *ymd, r.kind, r.strike);
        if (!parts) {
            return RowError{"tradingsymbol",
                            QStringLiteral("'%1' does not match the row's expiry %2, strike %3 "
                                           "and type %4")
                                .arg(text(symbol), text(expiryText), r.strike.toQString(),
                                     QLatin1String(kindName(r.kind)))};
        }
        r.underlyingSymbol.assign(parts->root);
        r.weekly = parts->weekly;
    } else if (r.kind == InstrumentKind::Spot) {
        // name is the commodity's root (SILVERMIC for "SILVERMICRO"), as its futures use it.
        r.underlyingSymbol.assign(!f[Name].empty() ? f[Name] : symbol);
    } else {
        r.underlyingSymbol = r.tradingSymbol;
    }

    // Indices are not tradable: no tick, no lot.
    r.tickSize = Price();
    r.lotSize = 0;
    if (r.kind != InstrumentKind::Index) {
        const std::string_view tick = f[TickSize];
        if (tick.empty())
            return missing(ColumnNames[TickSize]);
        const bool paise = tickInPaise(r.segment);
        const auto value = paise ? Price::parsePaise(tick) : Price::parse(tick);
        if (!value)
            return RowError{
                "tick_size",
                QStringLiteral("'%1' %2 is not an exact tick (max 4 decimals in "
                               "rupees)")
                    .arg(text(tick), paise ? QStringLiteral("paise") : QStringLiteral("rupees"))};
        r.tickSize = *value;

        const std::string_view lot = f[LotSize];
        if (lot.empty())
            return missing(ColumnNames[LotSize]);
        if (auto e = integerField("lot_size"sv, lot, 1, 100'000'000, r.lotSize))
            return e;
    }
    return std::nullopt;
}

// Receives libcsv's callbacks: collects one row's fields, then checks the header or turns the
// row into a record.
class CsvRows
{
public:
    explicit CsvRows(RowCollector &rows)
        : m_rows(rows)
    {
        m_spans.reserve(32);
        m_buffer.reserve(1024);
    }

    static void onField(void *data, std::size_t len, void *self)
    {
        static_cast<CsvRows *>(self)->field(static_cast<const char *>(data), len);
    }
    static void onRowEnd(int /*terminator*/, void *self) { static_cast<CsvRows *>(self)->rowEnd(); }

    const std::optional<Error> &error() const { return m_error; }
    bool sawHeader() const { return m_sawHeader; }
    // What to call the row libcsv is in, for messages.
    QString currentRow() const
    {
        return m_sawHeader ? QStringLiteral("row %1").arg(m_rows.rowsSoFar() + 1)
                           : QStringLiteral("the header row");
    }

private:
    void field(const char *data, std::size_t len)
    {
        if (m_error || m_oversized)
            return;
        if (m_spans.size() >= MaxFields || m_buffer.size() + len > MaxRowBytes) {
            m_oversized = true;
            return;
        }
        m_spans.push_back({m_buffer.size(), len});
        if (len != 0)
            m_buffer.append(data, len);
    }

    void rowEnd()
    {
        if (!m_error) {
            if (m_oversized) {
                m_error = Error::make(ErrorCode::Parse,
                                      QStringLiteral("%1 is larger than %2 bytes or %3 fields: "
                                                     "this is not an Upstox CSV master")
                                          .arg(currentRow())
                                          .arg(MaxRowBytes)
                                          .arg(MaxFields));
            } else if (m_spans.size() == 1 && m_spans[0].second == 0) {
                // A line of blanks: not a row.
            } else if (!m_sawHeader) {
                header();
            } else {
                row();
            }
        }
        m_spans.clear();
        m_buffer.clear();
        m_oversized = false;
    }

    std::string_view fieldAt(std::size_t i) const
    {
        std::string_view v(m_buffer.data() + m_spans[i].first, m_spans[i].second);
        // libcsv trims blanks around unquoted fields only; be as lenient inside quotes.
        while (!v.empty() && (v.front() == ' ' || v.front() == '\t'))
            v.remove_prefix(1);
        while (!v.empty() && (v.back() == ' ' || v.back() == '\t'))
            v.remove_suffix(1);
        return v;
    }

    void header()
    {
        m_sawHeader = true;
        m_headerFields = m_spans.size();
        m_columns.fill(NoColumn);
        std::size_t known = 0;
        for (std::size_t i = 0; i < m_spans.size(); ++i) {
            const std::string_view name = fieldAt(i);
            for (std::size_t c = 0; c < ColumnCount; ++c) {
                if (name != ColumnNames[c])
                    continue;
                if (m_columns[c] != NoColumn) {
                    m_error = Error::make(ErrorCode::Parse,
                                          QStringLiteral("the CSV header names the column '%1' "
                                                         "twice")
                                              .arg(text(name)));
                    return;
                }
                m_columns[c] = i;
                ++known;
            }
        }
        if (known == 0) {
            // Text that is neither the JSON array nor this header: say what it is.
            QStringList fields;
            for (std::size_t i = 0; i < m_spans.size() && i < 8; ++i)
                fields << text(fieldAt(i));
            QString first = fields.join(QLatin1Char(',')).simplified();
            if (first.size() > 60)
                first = first.left(60) + QStringLiteral("...");
            m_error = Error::make(ErrorCode::Parse,
                                  QStringLiteral("the data is neither an Upstox JSON master nor "
                                                 "its CSV: the first line is \"%1\", not the CSV "
                                                 "header (columns such as instrument_key, "
                                                 "tradingsymbol, exchange, ...)")
                                      .arg(first));
            return;
        }
        QStringList absent;
        for (std::size_t c = 0; c < ColumnCount; ++c) {
            if (m_columns[c] == NoColumn)
                absent.append(text(ColumnNames[c]));
        }
        if (!absent.isEmpty()) {
            m_error = Error::make(ErrorCode::Parse,
                                  QStringLiteral("the CSV header lacks the required column%1 %2")
                                      .arg(absent.size() > 1 ? QStringLiteral("s") : QString(),
                                           absent.join(QStringLiteral(", "))));
        }
    }

    void row()
    {
        const std::int64_t rowNumber = m_rows.rowsSoFar() + 1;
        if (m_spans.size() != m_headerFields) {
            const std::size_t keyColumn = m_columns[InstrumentKey];
            std::string key;
            if (keyColumn < m_spans.size())
                key.assign(fieldAt(keyColumn));
            m_rows.skip(RowIssue{rowNumber,
                                 std::move(key),
                                 {},
                                 QStringLiteral("has %1 fields, the header has %2")
                                     .arg(m_spans.size())
                                     .arg(m_headerFields)});
            return;
        }
        Fields fields;
        for (std::size_t c = 0; c < ColumnCount; ++c)
            fields[c] = fieldAt(m_columns[c]);
        if (auto bad = normalize(fields, m_record)) {
            m_rows.skip(RowIssue{rowNumber, std::string(fields[InstrumentKey]),
                                 std::move(bad->field), std::move(bad->message)});
        } else if (auto invalid = validateRecord(m_record)) {
            invalid->row = rowNumber;
            m_rows.skip(std::move(*invalid));
        } else {
            m_rows.accept(std::move(m_record));
            m_record = InstrumentRecord{};
        }
    }

    RowCollector &m_rows;
    // The current row: its fields' bytes back to back, and (offset, length) per field.
    std::string m_buffer;
    std::vector<std::pair<std::size_t, std::size_t>> m_spans;
    bool m_oversized = false;
    bool m_sawHeader = false;
    std::size_t m_headerFields = 0;
    std::array<std::size_t, ColumnCount> m_columns{};
    InstrumentRecord m_record;
    std::optional<Error> m_error;
};

struct CsvParserGuard
{
    csv_parser *parser;
    ~CsvParserGuard() { csv_free(parser); }
};

} // namespace

Result<void> parseCsvMaster(DecodedStream &stream, std::string_view prefix, RowCollector &rows,
                            const ReadOptions &options)
{
    csv_parser parser;
    // STRICT: a stray quote is an error; STRICT_FINI: so is a quote left open at the end.
    if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
        return Error::make(ErrorCode::Internal, QStringLiteral("libcsv failed to start"));
    CsvParserGuard guard{&parser};
    CsvRows handler(rows);

    std::int64_t offset = 0; // decoded bytes handed to libcsv, for messages
    if (prefix.starts_with("\xEF\xBB\xBF"sv)) {
        prefix.remove_prefix(3); // UTF-8 BOM
        offset = 3;
    }

    auto feed = [&](const char *data, std::size_t len) -> Result<void> {
        const std::size_t used =
            csv_parse(&parser, data, len, &CsvRows::onField, &CsvRows::onRowEnd, &handler);
        if (handler.error())
            return *handler.error();
        if (used != len || csv_error(&parser) != CSV_SUCCESS) {
            return Error::make(ErrorCode::Parse,
                               QStringLiteral("malformed CSV in %1, at byte %2: %3")
                                   .arg(handler.currentRow())
                                   .arg(offset + static_cast<std::int64_t>(used))
                                   .arg(QString::fromUtf8(csv_strerror(csv_error(&parser)))));
        }
        if (csv_get_buffer_size(&parser) > MaxFieldBytes) {
            return Error::make(ErrorCode::Parse,
                               QStringLiteral("%1 has a field larger than %2 bytes (an "
                                              "unterminated quote?)")
                                   .arg(handler.currentRow())
                                   .arg(MaxFieldBytes));
        }
        offset += static_cast<std::int64_t>(len);
        return success();
    };

    if (!prefix.empty()) {
        if (auto fed = feed(prefix.data(), prefix.size()); !fed)
            return fed.error();
    }
    auto buffer = std::make_unique<char[]>(ChunkSize);
    for (;;) {
        if (options.cancel && options.cancel->load(std::memory_order_relaxed))
            return Error::make(ErrorCode::Cancelled,
                               QStringLiteral("reading the master was cancelled"));
        auto n = stream.read(std::span<char>(buffer.get(), ChunkSize));
        if (!n)
            return n.error();
        if (*n == 0)
            break;
        if (auto fed = feed(buffer.get(), *n); !fed)
            return fed.error();
    }

    if (csv_fini(&parser, &CsvRows::onField, &CsvRows::onRowEnd, &handler) != 0) {
        if (handler.error())
            return *handler.error();
        return Error::make(ErrorCode::Parse,
                           QStringLiteral("the master ends inside a quoted field of %1 (a "
                                          "truncated file?)")
                               .arg(handler.currentRow()));
    }
    if (handler.error())
        return *handler.error();
    if (!handler.sawHeader())
        return Error::make(ErrorCode::Parse,
                           QStringLiteral("the CSV master is empty: it has no header row"));
    return success();
}

} // namespace strikeline::detail
