// The Upstox JSON master: one array of flat objects, 58 MB for complete.json. simdjson needs a
// whole document in memory, so we frame the array ourselves -- find each top-level object's
// bytes with a small string-aware brace scanner -- and hand every object to simdjson's
// On-Demand parser. Memory stays at one chunk buffer however large the file is.

#include "MasterReaderInternal.h"

#include <simdjson.h>

#include <charconv>
#include <cstring>

namespace strikeline::detail {

namespace {

using namespace std::string_view_literals;

constexpr std::size_t MaxObjectSize = 1 << 20; // a row is ~500 bytes; 1 MiB means garbage

bool isJsonSpace(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

// JSON's number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
bool isJsonNumber(std::string_view t)
{
    std::size_t i = 0;
    auto digits = [&] {
        const std::size_t start = i;
        while (i < t.size() && t[i] >= '0' && t[i] <= '9')
            ++i;
        return i > start;
    };
    if (i < t.size() && t[i] == '-')
        ++i;
    if (i < t.size() && t[i] == '0')
        ++i;
    else if (!digits())
        return false;
    if (i < t.size() && t[i] == '.') {
        ++i;
        if (!digits())
            return false;
    }
    if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
        ++i;
        if (i < t.size() && (t[i] == '+' || t[i] == '-'))
            ++i;
        if (!digits())
            return false;
    }
    return i == t.size();
}

// A failure that ends the whole read, or a row problem that only skips the row.
struct RowError
{
    bool fatal = false;
    std::string field;
    QString message;
};

QString typeName(simdjson::ondemand::json_type t)
{
    switch (t) {
    case simdjson::ondemand::json_type::array:
        return QStringLiteral("an array");
    case simdjson::ondemand::json_type::object:
        return QStringLiteral("an object");
    case simdjson::ondemand::json_type::number:
        return QStringLiteral("a number");
    case simdjson::ondemand::json_type::string:
        return QStringLiteral("a string");
    case simdjson::ondemand::json_type::boolean:
        return QStringLiteral("a boolean");
    case simdjson::ondemand::json_type::null:
        return QStringLiteral("null");
    }
    return QStringLiteral("something else");
}

bool isSyntaxError(simdjson::error_code e)
{
    switch (e) {
    case simdjson::INCORRECT_TYPE:
    case simdjson::NUMBER_ERROR:
    case simdjson::NUMBER_OUT_OF_RANGE:
    case simdjson::NO_SUCH_FIELD:
        return false;
    default:
        return true;
    }
}

// The raw fields of one row, as views into the parser's buffers (valid until the next row).
struct RawRow
{
    std::string_view segment, name, instrumentType, instrumentKey, tradingSymbol, exchangeToken,
        underlyingSymbol, assetSymbol, underlyingKey, assetKey;
    std::string_view lotSize, freezeQuantity, tickSize, strikePrice, qtyMultiplier, expiry;
    std::optional<bool> weekly;
    bool hasExchangeToken = false;
};

class RowParser
{
public:
    // Parses one object's bytes; `capacity` >= len + SIMDJSON_PADDING bytes are readable.
    std::optional<RowError> parse(const char *data, std::size_t len, std::size_t capacity,
                                  RawRow &row)
    {
        row = RawRow{};
        simdjson::ondemand::document doc;
        if (auto e = m_parser.iterate(data, len, capacity).get(doc); e)
            return syntax(e);
        simdjson::ondemand::object object;
        if (auto e = doc.get_object().get(object); e)
            return isSyntaxError(e) ? syntax(e)
                                    : RowError{false, {}, QStringLiteral("not an object")};
        // After a bad value, read on for the instrument_key (keys come in any order): a sync
        // keeps the stored version of the contract an invalid row names.
        std::optional<RowError> firstError;
        for (auto field : object) {
            std::string_view key;
            if (auto e = field.unescaped_key().get(key); e)
                return syntax(e);
            simdjson::ondemand::value value = field.value();
            if (firstError && key != "instrument_key"sv)
                continue;
            if (auto err = assign(key, value, row)) {
                if (err->fatal)
                    return err;
                if (!firstError)
                    firstError = std::move(err);
            }
        }
        return firstError;
    }

private:
    static RowError syntax(simdjson::error_code e)
    {
        return RowError{true,
                        {},
                        QStringLiteral("malformed JSON (%1)")
                            .arg(QString::fromUtf8(simdjson::error_message(e)))};
    }

    static std::optional<RowError> wrongType(std::string_view key, simdjson::ondemand::value &v,
                                             const char *expected)
    {
        simdjson::ondemand::json_type t;
        if (auto e = v.type().get(t); e)
            return syntax(e);
        // The value starts like the type we asked for but did not parse as one ("75x", "tru"):
        // that is broken JSON, not a row with a wrong type.
        const bool malformed = (t == simdjson::ondemand::json_type::number &&
                                std::string_view(expected) == "a number") ||
                               (t == simdjson::ondemand::json_type::boolean &&
                                std::string_view(expected) == "true or false") ||
                               (t == simdjson::ondemand::json_type::string &&
                                std::string_view(expected) == "a string");
        if (malformed) {
            return RowError{true, std::string(key),
                            QStringLiteral("malformed %1 in field '%2'")
                                .arg(typeName(t).mid(2),
                                     QString::fromUtf8(key.data(), static_cast<int>(key.size())))};
        }
        return RowError{
            false, std::string(key),
            QStringLiteral("expected %1, got %2").arg(QLatin1String(expected), typeName(t))};
    }

    static std::optional<RowError> getString(std::string_view key, simdjson::ondemand::value &v,
                                             std::string_view &out)
    {
        auto e = v.get_string().get(out);
        if (!e)
            return std::nullopt;
        if (isSyntaxError(e))
            return syntax(e);
        return wrongType(key, v, "a string");
    }

    static std::optional<RowError> getNumberText(std::string_view key, simdjson::ondemand::value &v,
                                                 std::string_view &out)
    {
        simdjson::ondemand::json_type t;
        if (auto e = v.type().get(t); e)
            return syntax(e);
        if (t != simdjson::ondemand::json_type::number)
            return wrongType(key, v, "a number");
        // raw_json_token does not validate, so check the token against JSON's number grammar
        // ourselves: "75x" is broken JSON (fatal); "1e400" is a number, just not a usable one,
        // which the row's own checks reject later.
        std::string_view token = v.raw_json_token();
        while (!token.empty() && isJsonSpace(token.back()))
            token.remove_suffix(1);
        if (!isJsonNumber(token)) {
            return RowError{true, std::string(key),
                            QStringLiteral("malformed number in field '%1'")
                                .arg(QString::fromUtf8(key.data(), static_cast<int>(key.size())))};
        }
        out = token;
        return std::nullopt;
    }

    static std::optional<RowError> assign(std::string_view key, simdjson::ondemand::value &v,
                                          RawRow &row)
    {
        // Dispatch on the handful of keys we use; everything else is skipped unread.
        switch (key.size()) {
        case 4:
            if (key == "name"sv)
                return getString(key, v, row.name);
            break;
        case 6:
            if (key == "weekly"sv) {
                bool b;
                if (auto e = v.get_bool().get(b); e)
                    return isSyntaxError(e) ? syntax(e) : wrongType(key, v, "true or false");
                row.weekly = b;
                return std::nullopt;
            }
            if (key == "expiry"sv)
                return getNumberText(key, v, row.expiry);
            break;
        case 7:
            if (key == "segment"sv)
                return getString(key, v, row.segment);
            break;
        case 8:
            if (key == "lot_size"sv)
                return getNumberText(key, v, row.lotSize);
            break;
        case 9:
            if (key == "asset_key"sv)
                return getString(key, v, row.assetKey);
            if (key == "tick_size"sv)
                return getNumberText(key, v, row.tickSize);
            break;
        case 12:
            if (key == "asset_symbol"sv)
                return getString(key, v, row.assetSymbol);
            if (key == "strike_price"sv)
                return getNumberText(key, v, row.strikePrice);
            break;
        case 14:
            if (key == "instrument_key"sv)
                return getString(key, v, row.instrumentKey);
            if (key == "exchange_token"sv) {
                row.hasExchangeToken = true;
                simdjson::ondemand::json_type t;
                if (auto e = v.type().get(t); e)
                    return syntax(e);
                if (t == simdjson::ondemand::json_type::number)
                    return getNumberText(key, v, row.exchangeToken);
                return getString(key, v, row.exchangeToken);
            }
            if (key == "trading_symbol"sv)
                return getString(key, v, row.tradingSymbol);
            if (key == "underlying_key"sv)
                return getString(key, v, row.underlyingKey);
            if (key == "qty_multiplier"sv)
                return getNumberText(key, v, row.qtyMultiplier);
            break;
        case 15:
            if (key == "instrument_type"sv)
                return getString(key, v, row.instrumentType);
            if (key == "freeze_quantity"sv)
                return getNumberText(key, v, row.freezeQuantity);
            break;
        case 17:
            if (key == "underlying_symbol"sv)
                return getString(key, v, row.underlyingSymbol);
            break;
        default:
            break;
        }
        return std::nullopt;
    }

    simdjson::ondemand::parser m_parser{MaxObjectSize};
};

std::optional<RowError> integerField(std::string_view field, std::string_view text,
                                     std::int64_t minValue, std::int64_t maxValue,
                                     std::int32_t &out)
{
    // Accept 1800 and 1800.0 (freeze_quantity is written as a float), nothing fractional.
    const auto value = Price::parse(text);
    if (!value || value->raw() % Price::Scale != 0) {
        return RowError{false, std::string(field),
                        QStringLiteral("expected a whole number, got %1")
                            .arg(QString::fromUtf8(text.data(), static_cast<int>(text.size())))};
    }
    const std::int64_t whole = value->raw() / Price::Scale;
    if (whole < minValue || whole > maxValue) {
        return RowError{
            false, std::string(field),
            QStringLiteral("%1 is out of range (%2..%3)").arg(whole).arg(minValue).arg(maxValue)};
    }
    out = static_cast<std::int32_t>(whole);
    return std::nullopt;
}

RowError missing(const char *field)
{
    return RowError{false, field, QStringLiteral("is missing")};
}

std::optional<RowError> normalize(const RawRow &raw, InstrumentRecord &r)
{
    if (raw.segment.empty())
        return missing("segment");
    const auto segment = parseSegment(raw.segment);
    if (!segment) {
        return RowError{
            false, "segment",
            QStringLiteral("unknown segment '%1'")
                .arg(QString::fromUtf8(raw.segment.data(), static_cast<int>(raw.segment.size())))};
    }
    if (raw.instrumentKey.empty())
        return missing("instrument_key");
    if (raw.instrumentType.empty())
        return missing("instrument_type");
    if (raw.tradingSymbol.empty())
        return missing("trading_symbol");
    r.segment = *segment;
    r.instrumentKey.assign(raw.instrumentKey);
    r.tradingSymbol.assign(raw.tradingSymbol);
    r.name.assign(raw.name);
    r.typeCode.assign(raw.instrumentType);

    // The kind follows from segment and instrument_type.
    if (isIndexSegment(r.segment)) {
        r.kind = InstrumentKind::Index;
    } else if (isDerivativeSegment(r.segment)) {
        if (raw.instrumentType == "FUT"sv)
            r.kind = InstrumentKind::Future;
        else if (raw.instrumentType == "CE"sv)
            r.kind = InstrumentKind::Call;
        else if (raw.instrumentType == "PE"sv)
            r.kind = InstrumentKind::Put;
        else if (raw.instrumentType == "COM"sv && r.segment == Segment::NseCom)
            r.kind = InstrumentKind::Spot;
        else
            return RowError{false, "instrument_type",
                            QStringLiteral("'%1' is not a contract type of %2 (FUT, CE, PE)")
                                .arg(QString::fromStdString(r.typeCode),
                                     QLatin1String(segmentName(r.segment)))};
    } else {
        r.kind = InstrumentKind::Equity;
    }

    if (!raw.hasExchangeToken && !isIndexSegment(r.segment))
        return missing("exchange_token");
    r.exchangeToken = 0;
    if (!raw.exchangeToken.empty()) {
        std::uint32_t token = 0;
        std::string_view t = raw.exchangeToken;
        while (!t.empty() && isJsonSpace(t.back()))
            t.remove_suffix(1);
        const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), token);
        if (ec != std::errc() || ptr != t.data() + t.size()) {
            return RowError{false, "exchange_token",
                            QStringLiteral("'%1' is not a numeric exchange token")
                                .arg(QString::fromUtf8(t.data(), static_cast<int>(t.size())))};
        }
        r.exchangeToken = token;
    }

    // Underlying: F&O rows name it; equities and indices are their own root.
    if (isDerivative(r.kind)) {
        std::string_view u = !raw.underlyingSymbol.empty() ? raw.underlyingSymbol
                             : !raw.assetSymbol.empty()    ? raw.assetSymbol
                                                           : raw.name;
        r.underlyingSymbol.assign(u);
        r.underlyingKey.assign(!raw.underlyingKey.empty() ? raw.underlyingKey : raw.assetKey);
    } else {
        r.underlyingSymbol.assign(raw.tradingSymbol);
        r.underlyingKey.clear();
    }

    if (!raw.tickSize.empty()) {
        const auto tick = Price::parsePaise(raw.tickSize);
        if (!tick)
            return RowError{false, "tick_size",
                            QStringLiteral("%1 paise is not an exact tick (max 4 decimals in "
                                           "rupees)")
                                .arg(QString::fromUtf8(raw.tickSize.data(),
                                                       static_cast<int>(raw.tickSize.size())))};
        r.tickSize = *tick;
    } else if (r.kind != InstrumentKind::Index) {
        return missing("tick_size");
    } else {
        r.tickSize = Price();
    }

    r.lotSize = 0;
    if (!raw.lotSize.empty()) {
        if (auto e = integerField("lot_size", raw.lotSize, 1, 100'000'000, r.lotSize))
            return e;
    } else if (r.kind != InstrumentKind::Index) {
        return missing("lot_size");
    }
    r.freezeQuantity = 0;
    if (!raw.freezeQuantity.empty()) {
        if (auto e = integerField("freeze_quantity", raw.freezeQuantity, 0, 2'000'000'000,
                                  r.freezeQuantity))
            return e;
    }
    r.qtyMultiplier = 1;
    if (!raw.qtyMultiplier.empty()) {
        if (auto e =
                integerField("qty_multiplier", raw.qtyMultiplier, 1, 100'000'000, r.qtyMultiplier))
            return e;
    }

    r.strike = Price();
    if (!raw.strikePrice.empty()) {
        const auto strike = Price::parse(raw.strikePrice);
        if (!strike)
            return RowError{false, "strike_price",
                            QStringLiteral("%1 is not an exact price (max 4 decimals)")
                                .arg(QString::fromUtf8(raw.strikePrice.data(),
                                                       static_cast<int>(raw.strikePrice.size())))};
        r.strike = *strike;
    } else if (isOption(r.kind)) {
        return missing("strike_price");
    }

    r.expiry = NoDay;
    if (!raw.expiry.empty()) {
        const auto ms = Price::parse(raw.expiry);
        if (!ms || ms->raw() % Price::Scale != 0)
            return RowError{false, "expiry", QStringLiteral("expected epoch milliseconds")};
        r.expiry = istDayFromEpochMs(ms->raw() / Price::Scale);
    } else if (isDerivative(r.kind)) {
        return missing("expiry");
    }
    r.weekly = raw.weekly.value_or(false);
    return std::nullopt;
}

} // namespace

Result<void> parseJsonMaster(DecodedStream &stream, std::string_view prefix, RowCollector &rows,
                             const ReadOptions &options)
{
    (void)options;
    // buffer: [begin, end) unparsed bytes, plus SIMDJSON_PADDING readable bytes after `end`.
    std::size_t capacity = ChunkSize * 2;
    auto buffer = std::make_unique<char[]>(capacity + simdjson::SIMDJSON_PADDING);
    std::memcpy(buffer.get(), prefix.data(), prefix.size());
    std::size_t begin = 0;
    std::size_t end = prefix.size();
    bool eof = false;
    std::int64_t offsetOfBuffer = 0; // decoded-byte offset of buffer[0], for messages

    enum class State { BeforeArray, FirstElement, AfterElement, Element, AfterArray };
    State state = State::BeforeArray;
    RowParser parser;
    RawRow raw;
    InstrumentRecord record;

    auto syntaxError = [&](std::size_t at, const QString &what) {
        return Error::make(ErrorCode::Parse,
                           QStringLiteral("malformed JSON at byte %1 (after row %2): %3")
                               .arg(offsetOfBuffer + static_cast<std::int64_t>(at))
                               .arg(rows.rowsSoFar())
                               .arg(what));
    };
    // Makes room and reads more; returns false at end of data.
    auto refill = [&]() -> Result<bool> {
        if (eof)
            return false;
        if (begin > 0) {
            std::memmove(buffer.get(), buffer.get() + begin, end - begin);
            offsetOfBuffer += static_cast<std::int64_t>(begin);
            end -= begin;
            begin = 0;
        }
        if (capacity - end < ChunkSize / 2) {
            if (capacity >= MaxObjectSize * 4)
                return Error::make(ErrorCode::Parse,
                                   QStringLiteral("a row of the master is larger than %1 bytes")
                                       .arg(MaxObjectSize));
            auto bigger = std::make_unique<char[]>(capacity * 2 + simdjson::SIMDJSON_PADDING);
            std::memcpy(bigger.get(), buffer.get(), end);
            buffer = std::move(bigger);
            capacity *= 2;
        }
        auto n = stream.read(std::span<char>(buffer.get() + end, capacity - end));
        if (!n)
            return n.error();
        if (*n == 0) {
            eof = true;
            return false;
        }
        end += *n;
        return true;
    };

    for (;;) {
        // Skip whitespace between tokens.
        while (begin < end && isJsonSpace(buffer[begin]))
            ++begin;
        if (begin == end) {
            auto more = refill();
            if (!more)
                return more.error();
            if (!*more)
                break;
            continue;
        }
        const char c = buffer[begin];
        switch (state) {
        case State::BeforeArray:
            if (c == '\xEF' && end - begin >= 3 && buffer[begin + 1] == '\xBB' &&
                buffer[begin + 2] == '\xBF') {
                begin += 3; // UTF-8 BOM
                continue;
            }
            if (c != '[')
                return syntaxError(begin, QStringLiteral("the master must be a JSON array"));
            ++begin;
            state = State::FirstElement;
            continue;
        case State::FirstElement:
            if (c == ']') {
                ++begin;
                state = State::AfterArray;
                continue;
            }
            state = State::Element;
            continue;
        case State::AfterElement:
            if (c == ',') {
                ++begin;
                state = State::Element;
                continue;
            }
            if (c == ']') {
                ++begin;
                state = State::AfterArray;
                continue;
            }
            return syntaxError(begin, QStringLiteral("expected ',' or ']' after a row"));
        case State::AfterArray:
            return syntaxError(begin, QStringLiteral("unexpected data after the closing ']'"));
        case State::Element:
            break;
        }

        if (c != '{')
            return syntaxError(begin, QStringLiteral("expected a row object '{'"));
        // Find the matching '}' outside strings.
        std::size_t scanFrom = begin;
        std::size_t objectEnd = 0;
        int depth = 0;
        bool inString = false;
        for (;;) {
            std::size_t i = scanFrom;
            const char *buf = buffer.get();
            for (; i < end; ++i) {
                const char ch = buf[i];
                if (inString) {
                    if (ch == '\\') {
                        ++i; // skip the escaped character (may run past end: rescanned below)
                    } else if (ch == '"') {
                        inString = false;
                    }
                } else if (ch == '"') {
                    inString = true;
                } else if (ch == '{' || ch == '[') {
                    ++depth;
                } else if (ch == '}' || ch == ']') {
                    if (--depth == 0) {
                        objectEnd = i + 1;
                        break;
                    }
                }
            }
            if (objectEnd != 0)
                break;
            // Incomplete: keep scan state, fetch more. An escape at the very end re-scans from
            // the backslash so it is not lost across the refill.
            std::size_t resumeAt = i > end ? end - 1 : end;
            if (i > end)
                inString = true;
            const std::size_t consumedBefore = begin;
            auto more = refill();
            if (!more)
                return more.error();
            if (!*more) {
                return Error::make(ErrorCode::Parse,
                                   QStringLiteral("the master ends in the middle of row %1 (a "
                                                  "truncated file?)")
                                       .arg(rows.rowsSoFar() + 1));
            }
            scanFrom = resumeAt - consumedBefore;
        }

        const std::int64_t rowNumber = rows.rowsSoFar() + 1;
        const std::size_t len = objectEnd - begin;
        if (auto err = parser.parse(buffer.get() + begin, len,
                                    capacity + simdjson::SIMDJSON_PADDING - begin, raw)) {
            if (err->fatal)
                return syntaxError(begin,
                                   QStringLiteral("row %1: %2").arg(rowNumber).arg(err->message));
            rows.skip(
                RowIssue{rowNumber, std::string(raw.instrumentKey), err->field, err->message});
        } else if (auto bad = normalize(raw, record)) {
            rows.skip(
                RowIssue{rowNumber, std::string(raw.instrumentKey), bad->field, bad->message});
        } else if (auto invalid = validateRecord(record)) {
            invalid->row = rowNumber;
            rows.skip(std::move(*invalid));
        } else {
            rows.accept(std::move(record));
            record = InstrumentRecord{};
        }
        begin = objectEnd;
        state = State::AfterElement;
    }

    if (state != State::AfterArray) {
        return Error::make(ErrorCode::Parse,
                           QStringLiteral("the master ends after row %1 without its closing ']' "
                                          "(a truncated file?)")
                               .arg(rows.rowsSoFar()));
    }
    return success();
}

} // namespace strikeline::detail
