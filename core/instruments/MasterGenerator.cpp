// A synthetic Upstox instrument master. The shapes below (chain widths, expiry calendars, lots,
// ticks, key order) were measured on the real complete.json of 2025-12-09 and NSE.json of
// 2026-08-21; the numbers in the tables are what those files held, rounded. See MasterGenerator.h
// for the contract and docs/upstox-reference.md (sections 1 and 4) for the rules.

#include "MasterGenerator.h"

#include <QDate>
#include <QDir>
#include <QIODevice>
#include <QSaveFile>
#include <QStringList>

#include <zlib.h>

#include <algorithm>
#include <charconv>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strikeline {

namespace {

using namespace std::string_view_literals;
using namespace std::string_literals;

// ---------------------------------------------------------------------------------------------
// Randomness: our own generator so the output is the same on every platform and library.

std::uint64_t splitMix64(std::uint64_t &state)
{
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

std::uint64_t stableHash(std::string_view text) // FNV-1a: fixed, unlike std::hash
{
    std::uint64_t h = 0xCBF29CE484222325ULL;
    for (const char c : text) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001B3ULL;
    }
    return h;
}

// xoshiro256**, seeded through splitmix64.
class Rng
{
public:
    explicit Rng(std::uint64_t seed)
    {
        for (auto &s : m_s)
            s = splitMix64(seed);
    }

    std::uint64_t next()
    {
        const std::uint64_t result = rotl(m_s[1] * 5, 7) * 9;
        const std::uint64_t t = m_s[1] << 17;
        m_s[2] ^= m_s[0];
        m_s[3] ^= m_s[1];
        m_s[1] ^= m_s[2];
        m_s[0] ^= m_s[3];
        m_s[2] ^= t;
        m_s[3] = rotl(m_s[3], 45);
        return result;
    }

    // Uniform in [lo, hi]. The modulo bias is below 2^-50 for our small ranges.
    std::int64_t between(std::int64_t lo, std::int64_t hi)
    {
        return lo + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(hi - lo + 1));
    }
    bool percent(int p) { return between(0, 99) < p; }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

    std::array<std::uint64_t, 4> m_s{};
};

// An independent stream per purpose, so that changing one underlying leaves the others alone.
Rng streamFor(std::uint64_t seed, std::string_view purpose, std::uint64_t salt = 0)
{
    std::uint64_t state = seed ^ stableHash(purpose);
    state = splitMix64(state) ^ salt;
    return Rng(splitMix64(state));
}

// ---------------------------------------------------------------------------------------------
// Calendar (proleptic Gregorian, days since 1970-01-01; see Howard Hinnant's date algorithms).

struct YearMonth
{
    int year = 1970;
    int month = 1; // 1..12

    YearMonth plus(int months) const
    {
        const int index = year * 12 + (month - 1) + months;
        return {index / 12, index % 12 + 1};
    }
};

struct Ymd
{
    int year;
    int month;
    int day;
};

constexpr EpochDay daysFromCivil(int y, int m, int d)
{
    y -= m <= 2 ? 1 : 0;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

constexpr Ymd civilFromDays(EpochDay z)
{
    z += 719468;
    const int era = (z >= 0 ? z : z - 146096) / 146097;
    const int doe = z - era * 146097;
    const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int mp = (5 * doy + 2) / 153;
    const int d = doy - (153 * mp + 2) / 5 + 1;
    const int m = mp < 10 ? mp + 3 : mp - 9;
    return {yoe + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

enum Weekday : int { Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday };

constexpr int weekdayOf(EpochDay day) // 1970-01-01 was a Thursday
{
    return static_cast<int>(((static_cast<std::int64_t>(day) % 7) + 7 + Thursday) % 7);
}

YearMonth yearMonthOf(EpochDay day)
{
    const Ymd ymd = civilFromDays(day);
    return {ymd.year, ymd.month};
}

EpochDay lastDayOfMonth(YearMonth ym)
{
    const YearMonth next = ym.plus(1);
    return daysFromCivil(next.year, next.month, 1) - 1;
}

EpochDay lastWeekdayOfMonth(YearMonth ym, int weekday)
{
    const EpochDay last = lastDayOfMonth(ym);
    return last - (weekdayOf(last) - weekday + 7) % 7;
}

EpochDay firstWeekdayOnOrAfter(EpochDay day, int weekday)
{
    return day + (weekday - weekdayOf(day) + 7) % 7;
}

// The exchanges close on these dates every year; an expiry that falls on one moves to the
// trading day before, as in the real files (SENSEX 25 -> 24 Dec 2025, NIFTY 25 -> 24 Dec 2029).
// The moving holidays (Holi, Diwali, ...) are left out.
bool isHoliday(EpochDay day)
{
    const Ymd d = civilFromDays(day);
    return (d.month == 1 && d.day == 26) || (d.month == 5 && d.day == 1) ||
           (d.month == 8 && d.day == 15) || (d.month == 10 && d.day == 2) ||
           (d.month == 12 && d.day == 25);
}

bool isTradingDay(EpochDay day)
{
    return weekdayOf(day) < Saturday && !isHoliday(day);
}

EpochDay tradingDayOnOrBefore(EpochDay day)
{
    while (!isTradingDay(day))
        --day;
    return day;
}

EpochDay tradingDaysBefore(EpochDay day, int count)
{
    for (int i = 0; i < count; ++i)
        day = tradingDayOnOrBefore(day - 1);
    return day;
}

EpochDay dayInMonth(YearMonth ym, int day) // day 0 = the last trading day
{
    if (day <= 0)
        return tradingDayOnOrBefore(lastDayOfMonth(ym));
    return tradingDayOnOrBefore(daysFromCivil(ym.year, ym.month, day));
}

// ---------------------------------------------------------------------------------------------
// Text.

constexpr std::array<std::string_view, 12> MonthNames{"JAN"sv, "FEB"sv, "MAR"sv, "APR"sv,
                                                      "MAY"sv, "JUN"sv, "JUL"sv, "AUG"sv,
                                                      "SEP"sv, "OCT"sv, "NOV"sv, "DEC"sv};
// Weekly contracts' compact symbols use one character for the month.
constexpr std::string_view MonthCodes = "123456789OND"sv;

void appendInt(std::string &out, std::int64_t value)
{
    std::array<char, 24> buffer{};
    const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    out.append(buffer.data(), result.ptr);
}

void appendTwoDigits(std::string &out, int value)
{
    out += static_cast<char>('0' + value / 10 % 10);
    out += static_cast<char>('0' + value % 10);
}

// A fixed-point number (1/10000 units), trailing zeros trimmed down to minDecimals:
// 26250 -> "26250.0" (minDecimals 1) or "26250" (0), 1675000 -> "167.5", 871250 -> "87.125".
void appendDecimal(std::string &out, std::int64_t raw, int minDecimals)
{
    if (raw < 0) {
        out += '-';
        raw = -raw;
    }
    appendInt(out, raw / Price::Scale);
    std::int64_t fraction = raw % Price::Scale;
    int decimals = Price::Decimals;
    while (decimals > minDecimals && fraction % 10 == 0) {
        fraction /= 10;
        --decimals;
    }
    if (decimals == 0)
        return;
    out += '.';
    std::array<char, Price::Decimals> digits{};
    for (int i = decimals - 1; i >= 0; --i) {
        digits[static_cast<std::size_t>(i)] = static_cast<char>('0' + fraction % 10);
        fraction /= 10;
    }
    out.append(digits.data(), static_cast<std::size_t>(decimals));
}

void appendJsonString(std::string &out, std::string_view text)
{
    out += '"';
    for (const char c : text) {
        switch (c) {
        case '"':
            out += "\\\""sv;
            break;
        case '\\':
            out += "\\\\"sv;
            break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                static constexpr std::string_view hex = "0123456789abcdef"sv;
                out += "\\u00"sv;
                out += hex[static_cast<unsigned char>(c) >> 4];
                out += hex[static_cast<unsigned char>(c) & 0xF];
            } else {
                out += c;
            }
        }
    }
    out += '"';
}

// "RELIANCE INDUSTRIES LTD" -> "Reliance Industries" (the master's short_name style).
std::string shortNameOf(std::string_view name)
{
    std::string out;
    std::size_t at = 0;
    while (at < name.size()) {
        std::size_t end = name.find(' ', at);
        if (end == std::string_view::npos)
            end = name.size();
        const std::string_view word = name.substr(at, end - at);
        at = end + 1;
        if (word.empty() || word == "LTD"sv || word == "LTD."sv || word == "LIMITED"sv)
            continue;
        if (!out.empty())
            out += ' ';
        bool first = true;
        for (const char c : word) {
            out += first || c < 'A' || c > 'Z' ? c : static_cast<char>(c - 'A' + 'a');
            first = false;
        }
    }
    return out;
}

// An ISIN-shaped identifier with a valid check digit: INE + issuer (3 digits, 1 letter) +
// security code + serial + check, e.g. "INE002A01018".
std::string makeIsin(std::int64_t company, std::uint64_t seed)
{
    constexpr std::int64_t Issuers = 26000; // 000A .. 999Z
    // 7919 is prime and does not divide 26000: a permutation of the issuer codes.
    const auto offset = static_cast<std::int64_t>(seed % static_cast<std::uint64_t>(Issuers));
    const std::int64_t issuer = (company % Issuers * 7919 + offset) % Issuers;
    const std::int64_t serial = 1 + company / Issuers % 99;
    std::string isin = "INE"s;
    appendInt(isin, issuer % 1000 / 100);
    appendTwoDigits(isin, static_cast<int>(issuer % 100));
    isin += static_cast<char>('A' + issuer / 1000);
    isin += "01"sv;
    appendTwoDigits(isin, static_cast<int>(serial));
    // Check digit: letters become 10..35, then Luhn from the right.
    std::string digits;
    for (const char c : isin) {
        if (c >= 'A' && c <= 'Z')
            appendInt(digits, c - 'A' + 10);
        else
            digits += c;
    }
    int sum = 0;
    bool doubled = true;
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
        int d = *it - '0';
        if (doubled) {
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
        doubled = !doubled;
    }
    isin += static_cast<char>('0' + (10 - sum % 10) % 10);
    return isin;
}

// ---------------------------------------------------------------------------------------------
// Money and market rules. Prices are Price raws (1/10000 rupee) throughout.

constexpr std::int64_t rupees(std::int64_t r)
{
    return r * Price::Scale;
}
constexpr std::int64_t paise(std::int64_t p)
{
    return p * (Price::Scale / 100);
}

std::int64_t roundToMultiple(std::int64_t value, std::int64_t step)
{
    return (value + step / 2) / step * step;
}

// value * (1 +- spreadPerMille/1000), on the tick.
std::int64_t jitter(std::int64_t value, Rng &rng, int spreadPerMille, std::int64_t tick)
{
    const std::int64_t moved = value / 1000 * (1000 + rng.between(-spreadPerMille, spreadPerMille));
    return std::max(tick, roundToMultiple(moved, tick));
}

// NSE tick for stocks and stock futures by price (from 15 Apr 2025; section 4.4).
std::int64_t equityTick(std::int64_t spot)
{
    if (spot < rupees(250))
        return paise(1);
    if (spot < rupees(1000))
        return paise(5);
    if (spot < rupees(5000))
        return paise(10);
    if (spot < rupees(10000))
        return paise(50);
    if (spot < rupees(20000))
        return rupees(1);
    return rupees(5);
}

// NSE index futures tick by index level.
std::int64_t indexFutureTick(std::int64_t level)
{
    if (level < rupees(15000))
        return paise(5);
    if (level < rupees(30000))
        return paise(10);
    return paise(20);
}

// Stock option strike interval by price, as NSE lists them.
std::int64_t stockStrikeStep(std::int64_t spot)
{
    struct Band
    {
        std::int64_t below;
        std::int64_t step;
    };
    static constexpr std::array<Band, 9> bands{{
        {rupees(10), paise(50)},
        {rupees(100), rupees(1)},
        {rupees(250), paise(250)},
        {rupees(500), rupees(5)},
        {rupees(1000), rupees(10)},
        {rupees(2500), rupees(20)},
        {rupees(5000), rupees(50)},
        {rupees(10000), rupees(100)},
        {rupees(20000), rupees(250)},
    }};
    for (const Band &band : bands) {
        if (spot < band.below)
            return band.step;
    }
    return rupees(500);
}

// Lots so that one contract is worth 5-10 lakh, in the round numbers NSE uses.
std::int32_t stockLot(std::int64_t spot, Rng &rng)
{
    const std::int64_t value = rupees(rng.between(500'000, 1'000'000));
    const std::int64_t units = std::max<std::int64_t>(1, value / spot);
    const std::int64_t round = units < 100 ? 5 : units < 1000 ? 25 : 50;
    return static_cast<std::int32_t>(std::max(round, units / round * round));
}

std::int32_t freezeForLimit(std::int32_t limit, std::int32_t lot) // rounded down to whole lots
{
    return std::max(lot, limit / lot * lot);
}

std::int64_t isqrt(std::int64_t n)
{
    std::int64_t r = 0;
    std::int64_t bit = std::int64_t{1} << 62;
    while (bit > n)
        bit >>= 2;
    while (bit != 0) {
        if (n >= r + bit) {
            n -= r + bit;
            r = (r >> 1) + bit;
        } else {
            r >>= 1;
        }
        bit >>= 2;
    }
    return r;
}

// A plausible last price for the CSV (the JSON has none): intrinsic value plus a time value that
// fades away from the money. Integer arithmetic only, so it is the same everywhere.
std::int64_t optionPrice(std::int64_t spot, std::int64_t strike, bool call, int days, int volPct,
                         std::int64_t tick)
{
    const std::int64_t s = spot / 100; // work in 1/100 rupee
    const std::int64_t k = strike / 100;
    const std::int64_t sqrtYears = isqrt((std::max(days, 0) + 1) * 1'000'000LL / 365); // x1000
    const std::int64_t width = std::max<std::int64_t>(1, s * volPct * sqrtYears / 100'000);
    const std::int64_t distance = s > k ? s - k : k - s;
    const std::int64_t r = std::min<std::int64_t>(distance * 1000 / width, 100'000);
    const std::int64_t timeValue = width * 4 / 10 * 1'000'000 / (1'000'000 + r * r);
    const std::int64_t intrinsic = std::max<std::int64_t>(0, call ? s - k : k - s);
    return std::max(tick, roundToMultiple((intrinsic + timeValue) * 100, tick));
}

std::int64_t futurePrice(std::int64_t spot, int days, std::int64_t tick) // ~7% a year of carry
{
    return roundToMultiple(spot + spot / 36500 * 7 * std::max(days, 0), tick);
}

// ---------------------------------------------------------------------------------------------
// Output: text is built in a buffer and pushed through deflate (gzip wrapper) to the device.

class Output
{
public:
    Output(QIODevice &device, bool gzip, int level)
        : m_device(device)
        , m_gzip(gzip)
        , m_level(level)
    {
        m_text.reserve(FlushAt + 64 * 1024);
    }
    ~Output()
    {
        if (m_zsInit)
            deflateEnd(&m_zs);
    }
    Output(const Output &) = delete;
    Output &operator=(const Output &) = delete;

    Result<void> start()
    {
        if (!m_gzip)
            return success();
        // windowBits 15 + 16: a gzip wrapper. memLevel 8 is zlib's default.
        if (deflateInit2(&m_zs, m_level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
            return Error::make(ErrorCode::Internal, QStringLiteral("zlib failed to start"));
        m_zsInit = true;
        // A fixed header (no time stamp, OS "Unix") so the bytes do not depend on the platform,
        // with the comment that marks the file as synthetic wherever it is imported.
        m_header = gz_header{};
        m_header.os = 3;
        std::copy(std::begin(SyntheticMasterComment), std::end(SyntheticMasterComment),
                  std::begin(m_comment));
        m_header.comment = reinterpret_cast<Bytef *>(m_comment);
        if (deflateSetHeader(&m_zs, &m_header) != Z_OK)
            return Error::make(ErrorCode::Internal, QStringLiteral("zlib refused the header"));
        return success();
    }

    std::string &text() { return m_text; }
    bool failed() const { return m_error.has_value(); }
    const Error &error() const { return *m_error; }
    std::int64_t bytesWritten() const { return m_written; }
    std::int64_t textBytes() const { return m_textBytes; }

    // Hands the buffered text on once there is enough of it; false after an error.
    bool maybeFlush()
    {
        if (m_text.size() < FlushAt)
            return !failed();
        return flush(false);
    }
    bool finish() { return flush(true); }

private:
    static constexpr std::size_t FlushAt = 256 * 1024;
    static constexpr std::size_t OutChunk = 128 * 1024;

    bool flush(bool last)
    {
        if (failed())
            return false;
        m_textBytes += static_cast<std::int64_t>(m_text.size());
        if (!m_gzip) {
            const bool ok = writeDevice(m_text.data(), m_text.size());
            m_text.clear();
            return ok;
        }
        if (!m_out)
            m_out = std::make_unique<char[]>(OutChunk);
        m_zs.next_in = reinterpret_cast<Bytef *>(m_text.data());
        m_zs.avail_in = static_cast<uInt>(m_text.size());
        const int mode = last ? Z_FINISH : Z_NO_FLUSH;
        for (;;) {
            m_zs.next_out = reinterpret_cast<Bytef *>(m_out.get());
            m_zs.avail_out = static_cast<uInt>(OutChunk);
            const int rc = deflate(&m_zs, mode);
            if (rc == Z_STREAM_ERROR) {
                m_error = Error::make(ErrorCode::Gzip, QStringLiteral("zlib failed to compress"));
                return false;
            }
            if (!writeDevice(m_out.get(), OutChunk - m_zs.avail_out))
                return false;
            if (last ? rc == Z_STREAM_END : m_zs.avail_out != 0)
                break;
        }
        m_text.clear();
        return true;
    }

    bool writeDevice(const char *data, std::size_t size)
    {
        if (size == 0)
            return true;
        const qint64 n = m_device.write(data, static_cast<qint64>(size));
        if (n != static_cast<qint64>(size)) {
            m_error = Error::make(ErrorCode::Io, QStringLiteral("could not write the master: %1")
                                                     .arg(m_device.errorString().isEmpty()
                                                              ? QStringLiteral("short write")
                                                              : m_device.errorString()));
            return false;
        }
        m_written += n;
        return true;
    }

    QIODevice &m_device;
    bool m_gzip;
    int m_level;
    std::string m_text;
    std::unique_ptr<char[]> m_out;
    z_stream m_zs{};
    gz_header m_header{};
    char m_comment[sizeof(SyntheticMasterComment)] = {};
    bool m_zsInit = false;
    std::optional<Error> m_error;
    std::int64_t m_written = 0;
    std::int64_t m_textBytes = 0;
};

// ---------------------------------------------------------------------------------------------
// Rows and their two spellings.

// One row, format-neutral. Views point into the generator's tables and per-underlying strings.
struct Row
{
    Segment segment = Segment::NseFo;
    InstrumentKind kind = InstrumentKind::Future;
    std::string_view exchange;       // NSE, BSE, MCX
    std::string_view name;           // JSON name (also the CSV name)
    std::string_view typeCode;       // JSON instrument_type: CE, PE, FUT, EQ, A, INDEX
    std::string_view csvType;        // CSV instrument_type: OPTIDX, FUTSTK, FUTCOM, EQUITY, ...
    std::string_view symbol;         // root of a derivative, ticker of an equity
    std::string_view keyId;          // instrument_key after "SEG|"; empty: the token
    std::string_view underlyingKey;  // derivatives; empty on currency rows (the key is absent)
    std::string_view underlyingType; // INDEX, EQUITY, COM, CUR
    std::string_view isin;           // equities
    std::string_view shortName;      // equities; empty: absent
    std::string_view securityType;   // NSE_EQ
    std::string_view quoteUnit;      // MCX price_quote_unit
    std::uint32_t token = 0;
    EpochDay expiry = NoDay;
    bool weekly = false;
    std::int64_t strike = 0;
    std::int64_t tick = 0;
    std::int64_t lastPrice = 0; // CSV only
    std::int32_t lot = 0;
    std::int32_t freeze = 0;
    std::int32_t qtyMultiplier = 1;
    std::int64_t mtfBracket = -1; // NSE_EQ: < 0 means absent
};

void appendKey(std::string &out, const Row &row)
{
    out += segmentName(row.segment);
    out += '|';
    if (row.keyId.empty())
        appendInt(out, row.token);
    else
        out += row.keyId;
}

// "NIFTY 26250 CE 09 DEC 25", "NIFTY FUT 30 DEC 25"; tickers and index symbols as they are.
void appendTradingSymbol(std::string &out, const Row &row)
{
    out += row.symbol;
    if (!isDerivative(row.kind))
        return;
    out += ' ';
    if (isOption(row.kind)) {
        appendDecimal(out, row.strike, 0);
        out += row.kind == InstrumentKind::Call ? " CE "sv : " PE "sv;
    } else {
        out += "FUT "sv;
    }
    const Ymd d = civilFromDays(row.expiry);
    appendTwoDigits(out, d.day);
    out += ' ';
    out += MonthNames[static_cast<std::size_t>(d.month - 1)];
    out += ' ';
    appendTwoDigits(out, d.year % 100);
}

// The legacy CSV's exchange-style symbol: NIFTY25DEC26250CE, NIFTY25D0926250CE (weekly),
// BANKNIFTY26OCTFUT, USDINR26O01FUT.
void appendCompactSymbol(std::string &out, const Row &row)
{
    out += row.symbol;
    if (!isDerivative(row.kind))
        return;
    const Ymd d = civilFromDays(row.expiry);
    appendTwoDigits(out, d.year % 100);
    if (row.weekly) {
        out += MonthCodes[static_cast<std::size_t>(d.month - 1)];
        appendTwoDigits(out, d.day);
    } else {
        out += MonthNames[static_cast<std::size_t>(d.month - 1)];
    }
    if (isOption(row.kind)) {
        appendDecimal(out, row.strike, 0);
        out += row.kind == InstrumentKind::Call ? "CE"sv : "PE"sv;
    } else {
        out += "FUT"sv;
    }
}

void appendIsoDate(std::string &out, EpochDay day)
{
    const Ymd d = civilFromDays(day);
    appendInt(out, d.year);
    out += '-';
    appendTwoDigits(out, d.month);
    out += '-';
    appendTwoDigits(out, d.day);
}

class RowWriter
{
public:
    RowWriter(Output &output, std::int64_t limit)
        : m_output(output)
        , m_limit(limit)
    {}
    virtual ~RowWriter() = default;
    RowWriter(const RowWriter &) = delete;
    RowWriter &operator=(const RowWriter &) = delete;

    virtual void begin() = 0;
    virtual void end() = 0;

    // Writes the row; false once the last wanted row is written or output failed.
    bool write(const Row &row)
    {
        if (m_rows >= m_limit || m_output.failed())
            return false;
        format(row);
        ++m_rows;
        ++m_perSegment[static_cast<std::size_t>(row.segment)];
        return m_output.maybeFlush() && m_rows < m_limit;
    }

    std::int64_t rows() const { return m_rows; }
    const std::array<std::int64_t, SegmentCount> &perSegment() const { return m_perSegment; }

protected:
    virtual void format(const Row &row) = 0;
    std::string &text() { return m_output.text(); }

private:
    Output &m_output;
    std::int64_t m_limit;
    std::int64_t m_rows = 0;
    std::array<std::int64_t, SegmentCount> m_perSegment{};
};

// The BOD JSON: one minified array; per segment the real file's key set and key order.
class JsonWriter final : public RowWriter
{
public:
    using RowWriter::RowWriter;

    void begin() override { text() += '['; }
    void end() override { text() += ']'; }

protected:
    void format(const Row &row) override
    {
        std::string &o = text();
        o += m_first ? "{"sv : ",{"sv;
        m_first = false;
        m_fields = 0;
        if (row.kind == InstrumentKind::Index)
            index(row);
        else if (row.kind == InstrumentKind::Equity)
            equity(row);
        else
            derivative(row);
        o += '}';
    }

private:
    void key(std::string_view name)
    {
        std::string &o = text();
        if (m_fields++ != 0)
            o += ',';
        o += '"';
        o += name;
        o += "\":"sv;
    }
    void string(std::string_view name, std::string_view value)
    {
        key(name);
        appendJsonString(text(), value);
    }
    void integer(std::string_view name, std::int64_t value)
    {
        key(name);
        appendInt(text(), value);
    }
    void number(std::string_view name, std::int64_t raw) // a JSON float: 1800.0, 167.5
    {
        key(name);
        appendDecimal(text(), raw, 1);
    }
    void boolean(std::string_view name, bool value)
    {
        key(name);
        text() += value ? "true"sv : "false"sv;
    }
    void instrumentKey(const Row &row)
    {
        key("instrument_key"sv);
        std::string &o = text();
        o += '"';
        appendKey(o, row);
        o += '"';
    }
    void token(const Row &row)
    {
        key("exchange_token"sv);
        std::string &o = text();
        o += '"';
        appendInt(o, row.token);
        o += '"';
    }
    void tradingSymbol(const Row &row)
    {
        key("trading_symbol"sv);
        std::string &o = text();
        o += '"';
        appendTradingSymbol(o, row);
        o += '"';
    }
    void tickPaise(const Row &row) { number("tick_size"sv, row.tick * 100); }

    void index(const Row &row)
    {
        string("segment"sv, segmentName(row.segment));
        string("name"sv, row.name);
        string("exchange"sv, row.exchange);
        string("instrument_type"sv, "INDEX"sv);
        instrumentKey(row);
        token(row);
        tradingSymbol(row);
    }

    void equity(const Row &row)
    {
        const bool nse = row.segment == Segment::NseEq;
        string("segment"sv, segmentName(row.segment));
        string("name"sv, row.name);
        string("exchange"sv, row.exchange);
        string("isin"sv, row.isin);
        string("instrument_type"sv, row.typeCode);
        instrumentKey(row);
        integer("lot_size"sv, row.lot);
        number("freeze_quantity"sv, rupees(row.freeze));
        token(row);
        tickPaise(row);
        tradingSymbol(row);
        if (!row.shortName.empty())
            string("short_name"sv, row.shortName);
        number("qty_multiplier"sv, rupees(row.qtyMultiplier));
        if (nse && row.mtfBracket >= 0) {
            boolean("mtf_enabled"sv, true);
            number("mtf_bracket"sv, row.mtfBracket);
        }
        if (nse)
            string("security_type"sv, row.securityType);
    }

    void derivative(const Row &row)
    {
        const bool mcx = row.segment == Segment::McxFo;
        const bool currency = row.segment == Segment::NcdFo || row.segment == Segment::BcdFo;
        if (!mcx)
            boolean("weekly"sv, row.weekly);
        string("segment"sv, segmentName(row.segment));
        string("name"sv, row.name);
        string("exchange"sv, row.exchange);
        integer("expiry"sv, expiryEpochMs(row.expiry));
        string("instrument_type"sv, row.typeCode);
        string("asset_symbol"sv, row.symbol);
        string("underlying_symbol"sv, row.symbol);
        instrumentKey(row);
        integer("lot_size"sv, row.lot);
        number("freeze_quantity"sv, rupees(row.freeze));
        token(row);
        if (!mcx)
            integer("minimum_lot"sv, row.lot);
        if (!currency) {
            string("asset_key"sv, row.underlyingKey);
            string("underlying_key"sv, row.underlyingKey);
        }
        tickPaise(row);
        string("asset_type"sv, row.underlyingType);
        string("underlying_type"sv, row.underlyingType);
        tradingSymbol(row);
        number("strike_price"sv, row.strike);
        if (mcx) {
            integer("last_trading_date"sv, expiryEpochMs(row.expiry));
            string("price_quote_unit"sv, row.quoteUnit);
        }
        if (row.segment != Segment::BseFo)
            number("qty_multiplier"sv, rupees(row.qtyMultiplier));
    }

    bool m_first = true;
    int m_fields = 0;
};

// The deprecated CSV, as Upstox wrote it in 2026: every field quoted, LF line ends, the tick in
// rupees on NSE_EQ/NSE_FO/BSE_EQ/BSE_FO and in paise (the JSON's number) on the other segments.
class CsvWriter final : public RowWriter
{
public:
    using RowWriter::RowWriter;

    void begin() override
    {
        text() += "\"instrument_key\",\"exchange_token\",\"tradingsymbol\",\"name\","
                  "\"last_price\",\"expiry\",\"strike\",\"tick_size\",\"lot_size\","
                  "\"instrument_type\",\"option_type\",\"exchange\"\n"sv;
    }
    void end() override {}

protected:
    void format(const Row &row) override
    {
        std::string &o = text();
        o += '"';
        appendKey(o, row);
        o += "\",\""sv;
        appendInt(o, row.token);
        o += "\",\""sv;
        if (isDerivative(row.kind))
            appendCompactSymbol(o, row);
        else
            appendTradingSymbol(o, row);
        o += "\","sv;
        quoted(row.name);
        o += ",\""sv;
        appendDecimal(o, row.lastPrice, 1);
        o += "\",\""sv;
        if (isDerivative(row.kind)) {
            appendIsoDate(o, row.expiry);
            o += "\",\""sv;
            appendDecimal(o, row.strike, 1);
            o += "\",\""sv;
        } else {
            o += "\",\"\",\""sv;
        }
        if (row.kind != InstrumentKind::Index) {
            const bool inPaise = row.segment == Segment::NcdFo || row.segment == Segment::BcdFo ||
                                 row.segment == Segment::McxFo;
            appendDecimal(o, inPaise ? row.tick * 100 : row.tick, 1);
            o += "\",\""sv;
            appendInt(o, row.lot);
        } else {
            o += "\",\""sv;
        }
        o += "\",\""sv;
        o += row.csvType;
        o += "\",\""sv;
        switch (row.kind) {
        case InstrumentKind::Index:
            o += "INDEX"sv;
            break;
        case InstrumentKind::Call:
            o += "CE"sv;
            break;
        case InstrumentKind::Put:
            o += "PE"sv;
            break;
        case InstrumentKind::Future:
            o += "FF"sv;
            break;
        default:
            break;
        }
        o += "\",\""sv;
        o += segmentName(row.segment);
        o += "\"\n"sv;
    }

private:
    void quoted(std::string_view value)
    {
        std::string &o = text();
        o += '"';
        for (const char c : value) {
            if (c == '"')
                o += '"';
            o += c;
        }
        o += '"';
    }
};

// ---------------------------------------------------------------------------------------------
// The universe.

struct IndexSpec
{
    std::string_view symbol;    // the F&O root and the index row's trading_symbol: NIFTY
    std::string_view indexName; // the index row's name: Nifty 50
    std::string_view indexId;   // its key after "NSE_INDEX|": Nifty 50
    std::uint32_t indexToken = 0;
    bool bse = false;
    std::int64_t level = 0; // rupees, before the seed's jitter
    std::int64_t step = 0;  // strike interval, rupees
    std::int32_t lot = 0;
    std::int32_t freezeLimit = 0;  // exchange limit in units; the master rounds it down to lots
    std::int32_t longDatedLot = 0; // long-dated contracts listed before the lot revision
    int weeklies = 0;
    int quarterlies = 0;
    int halfYearlies = 0;
    int weeklyHalf = 0;  // strikes each side of the money, weekly chains
    int monthlyHalf = 0; // near monthly chain
    int wingStep = 0;    // coarse strikes beyond the near range (multiple of step), rupees
    int wingCount = 0;
    int longStep = 0; // long-dated chains
    int longHalf = 0;
};

// Levels and lots as in December 2025 (NSE circular of 3 Oct 2025; section 4.5).
constexpr std::array<IndexSpec, 5> NseIndices{{
    {.symbol = "NIFTY"sv,
     .indexName = "Nifty 50"sv,
     .indexId = "Nifty 50"sv,
     .indexToken = 26000,
     .level = 25000,
     .step = 50,
     .lot = 65,
     .freezeLimit = 1800,
     .longDatedLot = 75,
     .weeklies = 4,
     .quarterlies = 3,
     .halfYearlies = 8,
     .weeklyHalf = 42,
     .monthlyHalf = 46,
     .wingStep = 500,
     .wingCount = 8,
     .longStep = 1000,
     .longHalf = 7},
    {.symbol = "BANKNIFTY"sv,
     .indexName = "Nifty Bank"sv,
     .indexId = "Nifty Bank"sv,
     .indexToken = 26009,
     .level = 57000,
     .step = 100,
     .lot = 30,
     .freezeLimit = 600,
     .longDatedLot = 35,
     .quarterlies = 3,
     .monthlyHalf = 66,
     .wingStep = 500,
     .wingCount = 6,
     .longStep = 1500,
     .longHalf = 7},
    {.symbol = "FINNIFTY"sv,
     .indexName = "Nifty Fin Service"sv,
     .indexId = "Nifty Fin Service"sv,
     .indexToken = 26037,
     .level = 27000,
     .step = 50,
     .lot = 60,
     .freezeLimit = 1200,
     .monthlyHalf = 40,
     .wingStep = 500,
     .wingCount = 4},
    {.symbol = "MIDCPNIFTY"sv,
     .indexName = "NIFTY MID SELECT"sv,
     .indexId = "NIFTY MID SELECT"sv,
     .indexToken = 26074,
     .level = 13500,
     .step = 25,
     .lot = 120,
     .freezeLimit = 2800,
     .monthlyHalf = 56,
     .wingStep = 100,
     .wingCount = 8},
    {.symbol = "NIFTYNXT50"sv,
     .indexName = "Nifty Next 50"sv,
     .indexId = "Nifty Next 50"sv,
     .indexToken = 26013,
     .level = 68000,
     .step = 100,
     .lot = 25,
     .freezeLimit = 600,
     .monthlyHalf = 56,
     .wingStep = 500,
     .wingCount = 10},
}};

// BSE index derivatives expire on Thursdays; every BSE_FO tick is Rs 0.05.
constexpr std::array<IndexSpec, 3> BseIndices{{
    {.symbol = "SENSEX"sv,
     .indexName = "BSE SENSEX"sv,
     .indexId = "SENSEX"sv,
     .indexToken = 1,
     .bse = true,
     .level = 84000,
     .step = 100,
     .lot = 20,
     .freezeLimit = 1000,
     .weeklies = 6,
     .quarterlies = 3,
     .halfYearlies = 8,
     .weeklyHalf = 85,
     .monthlyHalf = 95,
     .longStep = 2000,
     .longHalf = 7},
    {.symbol = "BANKEX"sv,
     .indexName = "BSE BANKEX"sv,
     .indexId = "BANKEX"sv,
     .indexToken = 12,
     .bse = true,
     .level = 63000,
     .step = 100,
     .lot = 30,
     .freezeLimit = 900,
     .monthlyHalf = 90},
    {.symbol = "SENSEX50"sv,
     .indexName = "BSE SENSEX 50"sv,
     .indexId = "SENSEX50"sv,
     .indexToken = 47,
     .bse = true,
     .level = 27000,
     .step = 50,
     .lot = 75,
     .freezeLimit = 1800,
     .monthlyHalf = 36},
}};

struct StockSpec
{
    std::string_view ticker;
    std::string_view name;
    std::int64_t spotPaise; // around December 2025
};

// NSE's F&O stock list (December 2025), biggest first, then alphabetical.
constexpr StockSpec Stocks[] = {
    {"RELIANCE"sv, "RELIANCE INDUSTRIES LTD"sv, 151500},
    {"HDFCBANK"sv, "HDFC BANK LTD"sv, 99500},
    {"TCS"sv, "TATA CONSULTANCY SERV LT"sv, 314000},
    {"BHARTIARTL"sv, "BHARTI AIRTEL LIMITED"sv, 208000},
    {"ICICIBANK"sv, "ICICI BANK LTD."sv, 136000},
    {"INFY"sv, "INFOSYS LIMITED"sv, 154000},
    {"SBIN"sv, "STATE BANK OF INDIA"sv, 95500},
    {"LICI"sv, "LIFE INSURA CORP OF INDIA"sv, 89000},
    {"HINDUNILVR"sv, "HINDUSTAN UNILEVER LTD."sv, 231000},
    {"ITC"sv, "ITC LTD"sv, 41000},
    {"LT"sv, "LARSEN & TOUBRO LTD."sv, 395000},
    {"BAJFINANCE"sv, "BAJAJ FINANCE LIMITED"sv, 102000},
    {"KOTAKBANK"sv, "KOTAK MAHINDRA BANK LTD"sv, 211000},
    {"HCLTECH"sv, "HCL TECHNOLOGIES LTD"sv, 161000},
    {"SUNPHARMA"sv, "SUN PHARMACEUTICAL IND L"sv, 177000},
    {"MARUTI"sv, "MARUTI SUZUKI INDIA LTD."sv, 1590000},
    {"M&M"sv, "MAHINDRA & MAHINDRA LTD"sv, 360000},
    {"AXISBANK"sv, "AXIS BANK LIMITED"sv, 126000},
    {"ULTRACEMCO"sv, "ULTRATECH CEMENT LIMITED"sv, 1180000},
    {"NTPC"sv, "NTPC LTD"sv, 33125},
    {"TITAN"sv, "TITAN COMPANY LIMITED"sv, 384000},
    {"ONGC"sv, "OIL AND NATURAL GAS CORP."sv, 24650},
    {"ADANIPORTS"sv, "ADANI PORT & SEZ LTD"sv, 148000},
    {"POWERGRID"sv, "POWER GRID CORP. LTD."sv, 28000},
    {"TATASTEEL"sv, "TATA STEEL LIMITED"sv, 17500},
    {"WIPRO"sv, "WIPRO LTD"sv, 25000},
    {"COALINDIA"sv, "COAL INDIA LTD"sv, 38000},
    {"BAJAJFINSV"sv, "BAJAJ FINSERV LTD."sv, 207000},
    {"ASIANPAINT"sv, "ASIAN PAINTS LIMITED"sv, 280000},
    {"JSWSTEEL"sv, "JSW STEEL LIMITED"sv, 116500},
    {"NESTLEIND"sv, "NESTLE INDIA LIMITED"sv, 124500},
    {"ADANIENT"sv, "ADANI ENTERPRISES LIMITED"sv, 232338},
    {"TECHM"sv, "TECH MAHINDRA LIMITED"sv, 152000},
    {"HINDALCO"sv, "HINDALCO INDUSTRIES LTD"sv, 81000},
    {"GRASIM"sv, "GRASIM INDUSTRIES LTD"sv, 278000},
    {"TMPV"sv, "TATA MOTORS PASS VEH LTD"sv, 38500},
    {"SBILIFE"sv, "SBI LIFE INSURANCE CO LTD"sv, 199000},
    {"CIPLA"sv, "CIPLA LTD"sv, 155000},
    {"DRREDDY"sv, "DR. REDDY S LABORATORIES"sv, 124000},
    {"BEL"sv, "BHARAT ELECTRONICS LTD"sv, 40500},
    {"TRENT"sv, "TRENT LTD"sv, 445000},
    {"INDUSINDBK"sv, "INDUSIND BANK LIMITED"sv, 85500},
    {"EICHERMOT"sv, "EICHER MOTORS LTD"sv, 697500},
    {"HEROMOTOCO"sv, "HERO MOTOCORP LIMITED"sv, 587500},
    {"BRITANNIA"sv, "BRITANNIA INDUSTRIES LTD"sv, 595000},
    {"APOLLOHOSP"sv, "APOLLO HOSPITALS ENTER. L"sv, 735000},
    {"SHRIRAMFIN"sv, "SHRIRAM FINANCE LIMITED"sv, 80000},
    {"TATACONSUM"sv, "TATA CONSUMER PRODUCT LTD"sv, 117000},
    {"BAJAJ-AUTO"sv, "BAJAJ AUTO LIMITED"sv, 900000},
    {"HDFCLIFE"sv, "HDFC LIFE INS CO LTD"sv, 76000},
    {"360ONE"sv, "360 ONE WAM LIMITED"sv, 112000},
    {"ABB"sv, "ABB INDIA LIMITED"sv, 510000},
    {"ABCAPITAL"sv, "ADITYA BIRLA CAPITAL LTD."sv, 33250},
    {"ADANIENSOL"sv, "ADANI ENERGY SOLUTION LTD"sv, 98500},
    {"ADANIGREEN"sv, "ADANI GREEN ENERGY LTD"sv, 107000},
    {"ALKEM"sv, "ALKEM LABORATORIES LTD."sv, 567500},
    {"AMBER"sv, "AMBER ENTERPRISES (I) LTD"sv, 690000},
    {"AMBUJACEM"sv, "AMBUJA CEMENTS LTD"sv, 55250},
    {"ANGELONE"sv, "ANGEL ONE LIMITED"sv, 265000},
    {"APLAPOLLO"sv, "APL APOLLO TUBES LTD"sv, 175000},
    {"ASHOKLEY"sv, "ASHOK LEYLAND LTD"sv, 15150},
    {"ASTRAL"sv, "ASTRAL LIMITED"sv, 148000},
    {"AUBANK"sv, "AU SMALL FINANCE BANK LTD"sv, 91000},
    {"AUROPHARMA"sv, "AUROBINDO PHARMA LTD"sv, 120000},
    {"BANDHANBNK"sv, "BANDHAN BANK LIMITED"sv, 15250},
    {"BANKBARODA"sv, "BANK OF BARODA"sv, 28875},
    {"BANKINDIA"sv, "BANK OF INDIA"sv, 14300},
    {"BDL"sv, "BHARAT DYNAMICS LIMITED"sv, 150000},
    {"BHARATFORG"sv, "BHARAT FORGE LTD"sv, 139000},
    {"BHEL"sv, "BHEL"sv, 27750},
    {"BIOCON"sv, "BIOCON LIMITED."sv, 39500},
    {"BLUESTARCO"sv, "BLUE STAR LIMITED"sv, 175000},
    {"BOSCHLTD"sv, "BOSCH LIMITED"sv, 3700000},
    {"BPCL"sv, "BHARAT PETROLEUM CORP LT"sv, 36125},
    {"BSE"sv, "BSE LIMITED"sv, 267500},
    {"CAMS"sv, "COMPUTER AGE MNGT SER LTD"sv, 77000},
    {"CANBK"sv, "CANARA BANK"sv, 14150},
    {"CDSL"sv, "CENTRAL DEPO SER (I) LTD"sv, 159000},
    {"CGPOWER"sv, "CG POWER AND IND SOL LTD"sv, 69500},
    {"CHOLAFIN"sv, "CHOLAMANDALAM IN & FIN CO"sv, 169000},
    {"COFORGE"sv, "COFORGE LIMITED"sv, 186000},
    {"COLPAL"sv, "COLGATE PALMOLIVE LTD."sv, 219000},
    {"CONCOR"sv, "CONTAINER CORP OF IND LTD"sv, 52250},
    {"CROMPTON"sv, "CROMPT GREA CON ELEC LTD"sv, 27000},
    {"CUMMINSIND"sv, "CUMMINS INDIA LTD"sv, 437500},
    {"CYIENT"sv, "CYIENT LIMITED"sv, 116000},
    {"DABUR"sv, "DABUR INDIA LTD"sv, 51000},
    {"DALBHARAT"sv, "DALMIA BHARAT LIMITED"sv, 205000},
    {"DELHIVERY"sv, "DELHIVERY LIMITED"sv, 43500},
    {"DIVISLAB"sv, "DIVI S LABORATORIES LTD"sv, 650000},
    {"DIXON"sv, "DIXON TECHNO (INDIA) LTD"sv, 1462500},
    {"DLF"sv, "DLF LIMITED"sv, 73000},
    {"DMART"sv, "AVENUE SUPERMARTS LIMITED"sv, 402500},
    {"ETERNAL"sv, "ETERNAL LIMITED"sv, 31250},
    {"EXIDEIND"sv, "EXIDE INDUSTRIES LTD"sv, 37000},
    {"FEDERALBNK"sv, "FEDERAL BANK LTD"sv, 24500},
    {"FORTIS"sv, "FORTIS HEALTHCARE LTD"sv, 95000},
    {"GAIL"sv, "GAIL (INDIA) LTD"sv, 17500},
    {"GLENMARK"sv, "GLENMARK PHARMACEUTICALS"sv, 190000},
    {"GMRAIRPORT"sv, "GMR AIRPORTS LIMITED"sv, 10000},
    {"GODREJCP"sv, "GODREJ CONSUMER PRODUCTS"sv, 114000},
    {"GODREJPROP"sv, "GODREJ PROPERTIES LTD"sv, 211000},
    {"HAL"sv, "HINDUSTAN AERONAUTICS LTD"sv, 457500},
    {"HAVELLS"sv, "HAVELLS INDIA LIMITED"sv, 146000},
    {"HDFCAMC"sv, "HDFC AMC LIMITED"sv, 265000},
    {"HFCL"sv, "HFCL LIMITED"sv, 7250},
    {"HINDPETRO"sv, "HINDUSTAN PETROLEUM CORP"sv, 46500},
    {"HINDZINC"sv, "HINDUSTAN ZINC LIMITED"sv, 48000},
    {"HUDCO"sv, "HSG & URBAN DEV CORPN LTD"sv, 22875},
    {"ICICIGI"sv, "ICICI LOMBARD GIC LIMITED"sv, 200000},
    {"ICICIPRULI"sv, "ICICI PRU LIFE INS CO LTD"sv, 62000},
    {"IDEA"sv, "VODAFONE IDEA LIMITED"sv, 1050},
    {"IDFCFIRSTB"sv, "IDFC FIRST BANK LIMITED"sv, 7900},
    {"IEX"sv, "INDIAN ENERGY EXC LTD"sv, 14125},
    {"IIFL"sv, "IIFL FINANCE LIMITED"sv, 55500},
    {"INDHOTEL"sv, "THE INDIAN HOTELS CO. LTD"sv, 73500},
    {"INDIANB"sv, "INDIAN BANK"sv, 83000},
    {"INDIGO"sv, "INTERGLOBE AVIATION LTD"sv, 540000},
    {"INDUSTOWER"sv, "INDUS TOWERS LIMITED"sv, 39250},
    {"INOXWIND"sv, "INOX WIND LIMITED"sv, 13750},
    {"IOC"sv, "INDIAN OIL CORP LTD"sv, 16750},
    {"IRCTC"sv, "INDIAN RAIL TOUR CORP LTD"sv, 69500},
    {"IREDA"sv, "INDIAN RENEWABLE ENERGY"sv, 14125},
    {"IRFC"sv, "INDIAN RAILWAY FIN CORP L"sv, 11750},
    {"JINDALSTEL"sv, "JINDAL STEEL LIMITED"sv, 104000},
    {"JIOFIN"sv, "JIO FIN SERVICES LTD"sv, 30500},
    {"JSWENERGY"sv, "JSW ENERGY LIMITED"sv, 50500},
    {"JUBLFOOD"sv, "JUBILANT FOODWORKS LTD"sv, 60000},
    {"KALYANKJIL"sv, "KALYAN JEWELLERS IND LTD"sv, 50000},
    {"KAYNES"sv, "KAYNES TECHNOLOGY IND LTD"sv, 525000},
    {"KEI"sv, "KEI INDUSTRIES LTD."sv, 412500},
    {"KFINTECH"sv, "KFIN TECHNOLOGIES LIMITED"sv, 109000},
    {"KPITTECH"sv, "KPIT TECHNOLOGIES LIMITED"sv, 122000},
    {"LAURUSLABS"sv, "LAURUS LABS LIMITED"sv, 99000},
    {"LICHSGFIN"sv, "LIC HOUSING FINANCE LTD"sv, 55000},
    {"LODHA"sv, "LODHA DEVELOPERS LIMITED"sv, 115000},
    {"LTF"sv, "L&T FINANCE LIMITED"sv, 29250},
    {"LTIM"sv, "LTIMINDTREE LIMITED"sv, 600000},
    {"LUPIN"sv, "LUPIN LIMITED"sv, 205000},
    {"MANAPPURAM"sv, "MANAPPURAM FINANCE LTD"sv, 27875},
    {"MANKIND"sv, "MANKIND PHARMA LIMITED"sv, 225000},
    {"MARICO"sv, "MARICO LIMITED"sv, 73500},
    {"MAXHEALTH"sv, "MAX HEALTHCARE INS LTD"sv, 114000},
    {"MAZDOCK"sv, "MAZAGON DOCK SHIPBUIL LTD"sv, 260000},
    {"MCX"sv, "MULTI COMMODITY EXCHANGE"sv, 970000},
    {"MFSL"sv, "MAX FINANCIAL SERV LTD"sv, 167000},
    {"MOTHERSON"sv, "SAMVRDHNA MTHRSN INTL LTD"sv, 11200},
    {"MPHASIS"sv, "MPHASIS LIMITED"sv, 282500},
    {"MUTHOOTFIN"sv, "MUTHOOT FINANCE LIMITED"sv, 352500},
    {"NATIONALUM"sv, "NATIONAL ALUMINIUM CO LTD"sv, 25125},
    {"NAUKRI"sv, "INFO EDGE (I) LTD"sv, 136000},
    {"NBCC"sv, "NBCC (INDIA) LIMITED"sv, 11350},
    {"NCC"sv, "NCC LIMITED"sv, 18750},
    {"NHPC"sv, "NHPC LTD"sv, 8000},
    {"NMDC"sv, "NMDC LTD."sv, 7500},
    {"NUVAMA"sv, "NUVAMA WEALTH MANAGE LTD"sv, 725000},
    {"NYKAA"sv, "FSN E COMMERCE VENTURES"sv, 25750},
    {"OBEROIRLTY"sv, "OBEROI REALTY LIMITED"sv, 168000},
    {"OFSS"sv, "ORACLE FIN SERV SOFT LTD."sv, 815000},
    {"OIL"sv, "OIL INDIA LTD"sv, 41750},
    {"PAGEIND"sv, "PAGE INDUSTRIES LTD"sv, 3900000},
    {"PATANJALI"sv, "PATANJALI FOODS LIMITED"sv, 55500},
    {"PAYTM"sv, "ONE 97 COMMUNICATIONS LTD"sv, 132000},
    {"PERSISTENT"sv, "PERSISTENT SYSTEMS LTD"sv, 615000},
    {"PETRONET"sv, "PETRONET LNG LIMITED"sv, 27550},
    {"PFC"sv, "POWER FIN CORP LTD."sv, 37500},
    {"PGEL"sv, "PG ELECTROPLAST LTD"sv, 55500},
    {"PHOENIXLTD"sv, "THE PHOENIX MILLS LTD"sv, 173000},
    {"PIDILITIND"sv, "PIDILITE INDUSTRIES LTD"sv, 147000},
    {"PIIND"sv, "PI INDUSTRIES LTD"sv, 350000},
    {"PNB"sv, "PUNJAB NATIONAL BANK"sv, 11800},
    {"PNBHOUSING"sv, "PNB HOUSING FIN LTD."sv, 90500},
    {"POLICYBZR"sv, "PB FINTECH LIMITED"sv, 183000},
    {"POLYCAB"sv, "POLYCAB INDIA LIMITED"sv, 725000},
    {"POWERINDIA"sv, "HITACHI ENERGY INDIA LTD"sv, 2062500},
    {"PPLPHARMA"sv, "PIRAMAL PHARMA LIMITED"sv, 18750},
    {"PRESTIGE"sv, "PRESTIGE ESTATE LTD"sv, 167000},
    {"RBLBANK"sv, "RBL BANK LIMITED"sv, 31250},
    {"RECLTD"sv, "REC LIMITED"sv, 36500},
    {"RVNL"sv, "RAIL VIKAS NIGAM LIMITED"sv, 32500},
    {"SAIL"sv, "STEEL AUTHORITY OF INDIA"sv, 13700},
    {"SAMMAANCAP"sv, "SAMMAAN CAPITAL LIMITED"sv, 16375},
    {"SBICARD"sv, "SBI CARDS & PAY SER LTD"sv, 88000},
    {"SHREECEM"sv, "SHREE CEMENT LIMITED"sv, 2725000},
    {"SIEMENS"sv, "SIEMENS LTD"sv, 320000},
    {"SOLARINDS"sv, "SOLAR INDUSTRIES (I) LTD"sv, 1337500},
    {"SONACOMS"sv, "SONA BLW PRECISION FRGS L"sv, 49750},
    {"SRF"sv, "SRF LTD"sv, 292500},
    {"SUPREMEIND"sv, "SUPREME INDUSTRIES LTD"sv, 352500},
    {"SUZLON"sv, "SUZLON ENERGY LIMITED"sv, 5500},
    {"SYNGENE"sv, "SYNGENE INTERNATIONAL LTD"sv, 64000},
    {"TATAELXSI"sv, "TATA ELXSI LIMITED"sv, 530000},
    {"TATAPOWER"sv, "TATA POWER CO LTD"sv, 39000},
    {"TATATECH"sv, "TATA TECHNOLOGIES LIMITED"sv, 68000},
    {"TIINDIA"sv, "TUBE INVEST OF INDIA LTD"sv, 282500},
    {"TITAGARH"sv, "TITAGARH RAIL SYSTEMS LTD"sv, 83000},
    {"TORNTPHARM"sv, "TORRENT PHARMACEUTICALS L"sv, 370000},
    {"TORNTPOWER"sv, "TORRENT POWER LTD"sv, 129000},
    {"TVSMOTOR"sv, "TVS MOTOR COMPANY LTD"sv, 352500},
    {"UNIONBANK"sv, "UNION BANK OF INDIA"sv, 14875},
    {"UNITDSPR"sv, "UNITED SPIRITS LIMITED"sv, 145000},
    {"UNOMINDA"sv, "UNO MINDA LIMITED"sv, 128000},
    {"UPL"sv, "UPL LIMITED"sv, 74000},
    {"VBL"sv, "VARUN BEVERAGES LIMITED"sv, 47250},
    {"VEDL"sv, "VEDANTA LIMITED"sv, 51500},
    {"VOLTAS"sv, "VOLTAS LTD"sv, 134000},
    {"YESBANK"sv, "YES BANK LIMITED"sv, 2300},
    {"ZYDUSLIFE"sv, "ZYDUS LIFESCIENCES LTD"sv, 96000},
};

enum class OptionCalendar {
    None,
    BeforeEachFuture, // a series a few business days before each of the first futures
    MonthEnd,         // a series every month a few business days before its last one
};

struct CommoditySpec
{
    std::string_view symbol;
    std::string_view name; // the commodity group: GOLD for GOLDM, CRUDE OIL for CRUDEOIL
    std::string_view quoteUnit;
    int commodityId = 0; // the futures' underlying: MCX_COM|id
    std::int32_t lot = 0;
    std::int32_t qtyMultiplier = 1;
    std::int32_t freezeLots = 0; // MCX freezes in lots
    std::int64_t futureTickPaise = 0;
    std::int64_t optionTickPaise = 0;
    std::int64_t price = 0;     // rupees
    std::int64_t stepPaise = 0; // strike interval
    int futureDay = 0;          // day of month (0: the last trading day), moved off holidays
    int futureEvery = 1;        // months between futures: 1 or 2
    int futureParity = 0;       // with 2: 0 even months, 1 odd months
    int futures = 5;
    OptionCalendar options = OptionCalendar::None;
    int optionSeries = 0;
    int optionLead = 0; // trading days before the future / the month's last trading day
    int optionHalf = 0; // strikes each side of the money in the first series
};

// MCX as in December 2025.
constexpr std::array<CommoditySpec, 14> Commodities{{
    {.symbol = "GOLD"sv,
     .name = "GOLD"sv,
     .quoteUnit = "GRMS"sv,
     .commodityId = 114,
     .lot = 1,
     .qtyMultiplier = 100,
     .freezeLots = 100,
     .futureTickPaise = 100,
     .optionTickPaise = 50,
     .price = 128000,
     .stepPaise = 10000,
     .futureDay = 5,
     .futureEvery = 2,
     .futures = 5,
     .options = OptionCalendar::MonthEnd,
     .optionSeries = 10,
     .optionLead = 2,
     .optionHalf = 270},
    {.symbol = "SILVER"sv,
     .name = "SILVER"sv,
     .quoteUnit = "KGS"sv,
     .commodityId = 115,
     .lot = 30,
     .qtyMultiplier = 30,
     .freezeLots = 20,
     .futureTickPaise = 100,
     .optionTickPaise = 50,
     .price = 175000,
     .stepPaise = 25000,
     .futureDay = 5,
     .futureEvery = 2,
     .futureParity = 1,
     .futures = 5,
     .options = OptionCalendar::MonthEnd,
     .optionSeries = 9,
     .optionLead = 3,
     .optionHalf = 210},
    {.symbol = "SILVERM"sv,
     .name = "SILVER"sv,
     .quoteUnit = "KGS"sv,
     .commodityId = 122,
     .lot = 5,
     .qtyMultiplier = 5,
     .freezeLots = 120,
     .futureTickPaise = 100,
     .optionTickPaise = 50,
     .price = 175000,
     .stepPaise = 25000,
     .futureDay = 0,
     .futureEvery = 2,
     .futures = 5,
     .options = OptionCalendar::MonthEnd,
     .optionSeries = 9,
     .optionLead = 4,
     .optionHalf = 210},
    {.symbol = "GOLDM"sv,
     .name = "GOLD"sv,
     .quoteUnit = "GRMS"sv,
     .commodityId = 117,
     .lot = 100,
     .qtyMultiplier = 10,
     .freezeLots = 100,
     .futureTickPaise = 100,
     .optionTickPaise = 50,
     .price = 128000,
     .stepPaise = 10000,
     .futureDay = 5,
     .futures = 6,
     .options = OptionCalendar::MonthEnd,
     .optionSeries = 3,
     .optionLead = 2,
     .optionHalf = 110},
    {.symbol = "CRUDEOIL"sv,
     .name = "CRUDE OIL"sv,
     .quoteUnit = "BBL"sv,
     .commodityId = 294,
     .lot = 100,
     .qtyMultiplier = 100,
     .freezeLots = 100,
     .futureTickPaise = 100,
     .optionTickPaise = 10,
     .price = 5200,
     .stepPaise = 5000,
     .futureDay = 19,
     .futures = 6,
     .options = OptionCalendar::BeforeEachFuture,
     .optionSeries = 3,
     .optionLead = 2,
     .optionHalf = 30},
    {.symbol = "CRUDEOILM"sv,
     .name = "CRUDE OIL"sv,
     .quoteUnit = "BBL"sv,
     .commodityId = 556,
     .lot = 10,
     .qtyMultiplier = 10,
     .freezeLots = 1000,
     .futureTickPaise = 100,
     .optionTickPaise = 5,
     .price = 5200,
     .stepPaise = 5000,
     .futureDay = 19,
     .futures = 6,
     .options = OptionCalendar::BeforeEachFuture,
     .optionSeries = 3,
     .optionLead = 2,
     .optionHalf = 30},
    {.symbol = "NATURALGAS"sv,
     .name = "NATURALGAS"sv,
     .quoteUnit = "mmBtu"sv,
     .commodityId = 401,
     .lot = 1250,
     .qtyMultiplier = 1250,
     .freezeLots = 48,
     .futureTickPaise = 10,
     .optionTickPaise = 5,
     .price = 400,
     .stepPaise = 500,
     .futureDay = 26,
     .futures = 6,
     .options = OptionCalendar::BeforeEachFuture,
     .optionSeries = 3,
     .optionLead = 3,
     .optionHalf = 28},
    {.symbol = "NATGASMINI"sv,
     .name = "NATURALGAS"sv,
     .quoteUnit = "mmBtu"sv,
     .commodityId = 596,
     .lot = 250,
     .qtyMultiplier = 250,
     .freezeLots = 240,
     .futureTickPaise = 10,
     .optionTickPaise = 5,
     .price = 400,
     .stepPaise = 500,
     .futureDay = 26,
     .futures = 6,
     .options = OptionCalendar::BeforeEachFuture,
     .optionSeries = 3,
     .optionLead = 3,
     .optionHalf = 28},
    {.symbol = "COPPER"sv,
     .name = "COPPER"sv,
     .quoteUnit = "KGS"sv,
     .commodityId = 152,
     .lot = 2500,
     .qtyMultiplier = 2500,
     .freezeLots = 28,
     .futureTickPaise = 5,
     .optionTickPaise = 1,
     .price = 1050,
     .stepPaise = 500,
     .options = OptionCalendar::BeforeEachFuture,
     .optionSeries = 4,
     .optionLead = 6,
     .optionHalf = 25},
    {.symbol = "ZINC"sv,
     .name = "ZINC"sv,
     .quoteUnit = "KGS"sv,
     .commodityId = 378,
     .lot = 5,
     .qtyMultiplier = 5000,
     .freezeLots = 20,
     .futureTickPaise = 5,
     .optionTickPaise = 1,
     .price = 300,
     .stepPaise = 250,
     .options = OptionCalendar::BeforeEachFuture,
     .optionSeries = 4,
     .optionLead = 6,
     .optionHalf = 15},
    {.symbol = "ALUMINIUM"sv,
     .name = "ALUMINIUM"sv,
     .quoteUnit = "KGS"sv,
     .commodityId = 358,
     .lot = 5,
     .qtyMultiplier = 5000,
     .freezeLots = 30,
     .futureTickPaise = 5,
     .price = 270},
    {.symbol = "LEAD"sv,
     .name = "LEAD"sv,
     .quoteUnit = "KGS"sv,
     .commodityId = 383,
     .lot = 5,
     .qtyMultiplier = 5000,
     .freezeLots = 20,
     .futureTickPaise = 5,
     .price = 185},
    {.symbol = "NICKEL"sv,
     .name = "NICKEL"sv,
     .quoteUnit = "KGS"sv,
     .commodityId = 153,
     .lot = 250,
     .qtyMultiplier = 250,
     .freezeLots = 96,
     .futureTickPaise = 10,
     .price = 1400,
     .futureDay = 17},
    {.symbol = "MENTHAOIL"sv,
     .name = "MENTHAOIL"sv,
     .quoteUnit = "KGS"sv,
     .commodityId = 320,
     .lot = 360,
     .qtyMultiplier = 360,
     .freezeLots = 50,
     .futureTickPaise = 10,
     .price = 950,
     .futures = 6},
}};

struct CurrencySpec
{
    std::string_view pair;
    std::int64_t rate; // Price raw (JPYINR per 100 yen)
    int weeklyHalf;
    int monthlyHalf;
};

constexpr std::array<CurrencySpec, 4> Currencies{{
    {"USDINR"sv, 885000, 36, 40},
    {"EURINR"sv, 1030000, 22, 30},
    {"GBPINR"sv, 1180000, 24, 30},
    {"JPYINR"sv, 570000, 20, 24},
}};

// Words for synthetic company names.
constexpr std::array<std::string_view, 30> NameFirst{
    "ADITYA"sv,   "BHARAT"sv,   "CHAMBAL"sv, "DEEPAK"sv,   "EVEREST"sv, "GANESH"sv,
    "HIMALAYA"sv, "INDO"sv,     "JAYANT"sv,  "KAVERI"sv,   "LAKSHMI"sv, "MAHALAXMI"sv,
    "NARMADA"sv,  "OMKAR"sv,    "PRAKASH"sv, "RAJSHREE"sv, "SHREE"sv,   "TRIVENI"sv,
    "UTTAM"sv,    "VARDHMAN"sv, "VINAYAK"sv, "YAMUNA"sv,   "ZENITH"sv,  "SUPREME"sv,
    "NAVKAR"sv,   "SAGAR"sv,    "SURYA"sv,   "KRISHNA"sv,  "GLOBAL"sv,  "UNITED"sv};
constexpr std::array<std::string_view, 27> NameSecond{
    "AGRO"sv,        "AUTO COMP"sv, "CABLES"sv,   "CEMENT"sv,   "CHEMICALS"sv,  "CERAMICS"sv,
    "ENGINEERING"sv, "FINANCE"sv,   "FOODS"sv,    "INFRA"sv,    "INDUSTRIES"sv, "LOGISTICS"sv,
    "METALS"sv,      "MILLS"sv,     "PAPER"sv,    "PHARMA"sv,   "PLASTICS"sv,   "POLYMERS"sv,
    "POWER"sv,       "REALTY"sv,    "SOFTWARE"sv, "SPINNERS"sv, "STEELS"sv,     "SUGARS"sv,
    "TEXTILES"sv,    "TUBES"sv,     "VENTURES"sv};

// Price points for synthetic companies, rupees: roughly log-spaced like the listed market.
constexpr std::array<std::int64_t, 16> PricePoints{12,  25,  40,   60,   90,   140,  220,  330,
                                                   500, 750, 1100, 1700, 2600, 4000, 7000, 15000};

// The synthetic section starts with this many cash-only listings (the real master has ~8,500
// NSE_EQ and ~12,500 BSE_EQ rows); after them every synthetic company has F&O.
constexpr std::int64_t CashOnlyCompanies = 12000;

// Strikes: the near range at `step`, then `wingCount` coarse strikes each side at `wingStep`,
// all within [low, high]. Ascending, unique, positive.
std::vector<std::int64_t> makeStrikes(std::int64_t atm, std::int64_t step, int half,
                                      std::int64_t wingStep, int wingCount, std::int64_t low,
                                      std::int64_t high)
{
    std::vector<std::int64_t> strikes;
    strikes.reserve(static_cast<std::size_t>(2 * (half + wingCount) + 1));
    low = std::max(low, step);
    for (int i = -half; i <= half; ++i) {
        const std::int64_t k = atm + i * step;
        if (k >= low && k <= high)
            strikes.push_back(k);
    }
    if (wingStep > 0 && wingCount > 0) {
        std::int64_t up = ((atm + half * step) / wingStep + 1) * wingStep;
        std::int64_t down = ((atm - half * step - 1) / wingStep) * wingStep;
        for (int i = 0; i < wingCount; ++i, up += wingStep, down -= wingStep) {
            if (up <= high)
                strikes.push_back(up);
            if (down >= low)
                strikes.push_back(down);
        }
    }
    std::sort(strikes.begin(), strikes.end());
    strikes.erase(std::unique(strikes.begin(), strikes.end()), strikes.end());
    return strikes;
}

enum class ExpiryClass { Weekly, Monthly, LongDated };

struct Expiry
{
    EpochDay day;
    ExpiryClass cls;
    int serial; // monthly: 0 (near), 1, 2; weekly: 0, 1, ...; long-dated: 0, 1, ...
};

// NSE/BSE index and stock derivatives: weeklies on `weekday`, three serial monthlies (the
// month's last `weekday`), then quarterly and half-yearly long-dated contracts; each moved off
// holidays.
std::vector<Expiry> exchangeExpiries(EpochDay asOf, int weekday, int weeklies, int quarterlies,
                                     int halfYearlies)
{
    auto monthly = [weekday](YearMonth ym) {
        return tradingDayOnOrBefore(lastWeekdayOfMonth(ym, weekday));
    };
    std::vector<Expiry> out;
    YearMonth first = yearMonthOf(asOf);
    if (monthly(first) < asOf)
        first = first.plus(1);
    for (int i = 0; i < 3; ++i)
        out.push_back({monthly(first.plus(i)), ExpiryClass::Monthly, i});
    EpochDay day = firstWeekdayOnOrAfter(asOf, weekday);
    for (int w = 0; w < weeklies; day += 7) {
        const EpochDay expiry = tradingDayOnOrBefore(day);
        if (day != lastWeekdayOfMonth(yearMonthOf(day), weekday) && expiry >= asOf)
            out.push_back({expiry, ExpiryClass::Weekly, w++});
    }
    YearMonth month = first.plus(3);
    int serial = 0;
    for (int q = 0; q < quarterlies; month = month.plus(1)) {
        if (month.month % 3 == 0) {
            out.push_back({monthly(month), ExpiryClass::LongDated, serial++});
            ++q;
        }
    }
    for (int h = 0; h < halfYearlies; month = month.plus(1)) {
        if (month.month % 6 == 0) {
            out.push_back({monthly(month), ExpiryClass::LongDated, serial++});
            ++h;
        }
    }
    std::sort(out.begin(), out.end(),
              [](const Expiry &a, const Expiry &b) { return a.day < b.day; });
    return out;
}

// Currency derivatives: Friday weeklies for eleven weeks and twelve monthlies two business days
// before each month's last business day.
std::vector<Expiry> currencyExpiries(EpochDay asOf)
{
    std::vector<Expiry> out;
    YearMonth month = yearMonthOf(asOf);
    for (int m = 0; m < 12; month = month.plus(1)) {
        const EpochDay day = tradingDaysBefore(tradingDayOnOrBefore(lastDayOfMonth(month)), 2);
        if (day >= asOf) {
            out.push_back({day, ExpiryClass::Monthly, m});
            ++m;
        }
    }
    const std::size_t monthlies = out.size();
    EpochDay friday = firstWeekdayOnOrAfter(asOf, Friday);
    for (int w = 0; w < 11; ++w, friday += 7) {
        const EpochDay day = tradingDayOnOrBefore(friday);
        const bool monthly =
            std::any_of(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(monthlies),
                        [day](const Expiry &e) { return e.day == day; });
        if (!monthly && day >= asOf)
            out.push_back({day, ExpiryClass::Weekly, w});
    }
    std::sort(out.begin(), out.end(),
              [](const Expiry &a, const Expiry &b) { return a.day < b.day; });
    return out;
}

// Exchange tokens: ascending with small random gaps from a seeded start, so unique per segment.
class TokenSequence
{
public:
    TokenSequence(Rng rng, std::uint32_t first, int maxGap)
        : m_rng(rng)
        , m_next(first)
        , m_maxGap(maxGap)
    {}
    std::uint32_t next()
    {
        const std::uint32_t token = m_next;
        m_next += 1;
        if (m_rng.percent(25))
            m_next += static_cast<std::uint32_t>(m_rng.between(1, m_maxGap));
        return token;
    }

private:
    Rng m_rng;
    std::uint32_t m_next;
    int m_maxGap;
};

// A listed company, real-looking or synthetic.
struct Company
{
    std::string ticker;
    std::string name;
    std::string shortName;
    std::string isin;
    std::string equityKey; // NSE_EQ|<isin>: the underlying of its F&O
    std::int64_t spot = 0;
    bool nse = true;
    bool bse = true;
    bool fno = false;
    std::string_view nseType = "EQ"sv;
    std::string_view securityType = "NORMAL"sv;
    std::int32_t nseLot = 1;
    std::string_view bseGroup = "A"sv;
    std::int64_t mtfBracket = -1;
};

class Universe
{
public:
    Universe(const GeneratorOptions &options, RowWriter &writer)
        : m_seed(options.seed)
        , m_asOf(options.asOf)
        , m_csv(options.format == MasterFormat::Csv)
        , m_writer(writer)
        , m_nseFo(streamFor(m_seed, "tokens NSE_FO"sv), token(35000, 9999), 4)
        , m_bseFo(streamFor(m_seed, "tokens BSE_FO"sv), token(820000, 99999), 6)
        , m_mcxFo(streamFor(m_seed, "tokens MCX_FO"sv), token(440000, 19999), 3)
        , m_ncdFo(streamFor(m_seed, "tokens NCD_FO"sv), token(1001, 999), 3)
        , m_bcdFo(streamFor(m_seed, "tokens BCD_FO"sv), token(1002000, 9999), 5)
        , m_nseEq(streamFor(m_seed, "tokens NSE_EQ"sv), token(10, 89), 40)
        , m_bseEq(streamFor(m_seed, "tokens BSE_EQ"sv), token(500002, 97), 30)
        , m_stockExpiries(exchangeExpiries(m_asOf, Tuesday, 0, 0, 0))
    {}

    void run()
    {
        (void)(nseIndices() && bseIndices() && realStocks() && commodities() && currencies() &&
               syntheticCompanies());
    }

private:
    std::uint32_t token(std::uint32_t base, std::int64_t spread)
    {
        Rng rng = streamFor(m_seed, "token starts"sv, base);
        return base + static_cast<std::uint32_t>(rng.between(0, spread));
    }

    bool emit(const Row &row) { return m_writer.write(row); }

    int daysTo(EpochDay day) const { return day - m_asOf; }

    // A chain's CE/PE pairs from the money outwards, so a cut-off master keeps a centred chain.
    bool chain(Row &row, const std::vector<std::int64_t> &strikes, std::int64_t spot, int volPct)
    {
        if (strikes.empty())
            return true;
        const auto n = static_cast<std::ptrdiff_t>(strikes.size());
        auto at = [&strikes](std::ptrdiff_t i) { return strikes[static_cast<std::size_t>(i)]; };
        std::ptrdiff_t atm =
            std::lower_bound(strikes.begin(), strikes.end(), spot) - strikes.begin();
        if (atm == n || (atm > 0 && spot - at(atm - 1) < at(atm) - spot))
            --atm;
        auto pair = [&](std::ptrdiff_t i) {
            row.strike = at(i);
            for (const InstrumentKind kind : {InstrumentKind::Call, InstrumentKind::Put}) {
                row.kind = kind;
                row.typeCode = kind == InstrumentKind::Call ? "CE"sv : "PE"sv;
                row.token = m_tokens->next();
                if (m_csv)
                    row.lastPrice = optionPrice(spot, row.strike, kind == InstrumentKind::Call,
                                                daysTo(row.expiry), volPct, row.tick);
                if (!emit(row))
                    return false;
            }
            return true;
        };
        if (!pair(atm))
            return false;
        for (std::ptrdiff_t k = 1; atm + k < n || atm - k >= 0; ++k) {
            if (atm + k < n && !pair(atm + k))
                return false;
            if (atm - k >= 0 && !pair(atm - k))
                return false;
        }
        return true;
    }

    bool future(Row &row, std::int64_t spot)
    {
        row.kind = InstrumentKind::Future;
        row.typeCode = "FUT"sv;
        row.strike = 0;
        row.token = m_tokens->next();
        if (m_csv)
            row.lastPrice = futurePrice(spot, daysTo(row.expiry), row.tick);
        return emit(row);
    }

    bool indexRow(Segment segment, std::string_view exchange, std::string_view name,
                  std::string_view id, std::string_view symbol, std::uint32_t token,
                  std::int64_t level)
    {
        Row row;
        row.segment = segment;
        row.kind = InstrumentKind::Index;
        row.exchange = exchange;
        row.name = name;
        row.typeCode = "INDEX"sv;
        row.csvType = "INDEX"sv;
        row.symbol = symbol;
        row.keyId = id;
        row.token = token;
        row.lastPrice = level;
        return emit(row);
    }

    bool indexGroup(const IndexSpec &spec)
    {
        Rng rng = streamFor(m_seed, spec.symbol);
        const std::int64_t level = jitter(rupees(spec.level), rng, 40, paise(5));
        const Segment indexSegment = spec.bse ? Segment::BseIndex : Segment::NseIndex;
        const std::string_view exchange = spec.bse ? "BSE"sv : "NSE"sv;
        if (!indexRow(indexSegment, exchange, spec.indexName, spec.indexId, spec.symbol,
                      spec.indexToken, level))
            return false;

        std::string underlyingKey(segmentName(indexSegment));
        underlyingKey += '|';
        underlyingKey += spec.indexId;
        Row row;
        row.segment = spec.bse ? Segment::BseFo : Segment::NseFo;
        row.exchange = exchange;
        row.name = spec.symbol;
        row.symbol = spec.symbol;
        row.underlyingKey = underlyingKey;
        row.underlyingType = "INDEX"sv;
        m_tokens = spec.bse ? &m_bseFo : &m_nseFo;

        const std::int64_t step = rupees(spec.step);
        const std::int64_t atm = roundToMultiple(level, step);
        const int weekday = spec.bse ? Thursday : Tuesday;
        for (const Expiry &e : exchangeExpiries(m_asOf, weekday, spec.weeklies, spec.quarterlies,
                                                spec.halfYearlies)) {
            row.expiry = e.day;
            row.weekly = e.cls == ExpiryClass::Weekly;
            const bool longDated = e.cls == ExpiryClass::LongDated;
            row.lot = longDated && spec.longDatedLot != 0 ? spec.longDatedLot : spec.lot;
            row.freeze = freezeForLimit(spec.freezeLimit, row.lot);
            std::vector<std::int64_t> strikes;
            switch (e.cls) {
            case ExpiryClass::Weekly: {
                const int half =
                    spec.weeklyHalf - 2 * e.serial + static_cast<int>(rng.between(-2, 2));
                strikes = makeStrikes(atm, step, half, 0, 0, level / 2, level * 2);
                break;
            }
            case ExpiryClass::Monthly: {
                const int half =
                    spec.monthlyHalf * (10 - e.serial) / 10 + static_cast<int>(rng.between(-3, 3));
                const int wings = spec.wingCount >> e.serial;
                strikes = makeStrikes(atm, step, half, rupees(spec.wingStep), wings, level / 2,
                                      level * 2);
                break;
            }
            case ExpiryClass::LongDated: {
                const std::int64_t longStep = rupees(spec.longStep);
                const int half = spec.longHalf + static_cast<int>(rng.between(-1, 2));
                strikes = makeStrikes(roundToMultiple(level, longStep), longStep, half, 0, 0,
                                      level / 3, level * 2);
                break;
            }
            }
            if (e.cls == ExpiryClass::Monthly) {
                row.csvType = "FUTIDX"sv;
                row.tick = spec.bse ? paise(5) : indexFutureTick(level);
                if (!future(row, level))
                    return false;
            }
            row.csvType = "OPTIDX"sv;
            row.tick = paise(5);
            if (!chain(row, strikes, level, 14))
                return false;
        }
        return true;
    }

    bool nseIndices()
    {
        for (const IndexSpec &spec : NseIndices) {
            if (!indexGroup(spec))
                return false;
        }
        Rng rng = streamFor(m_seed, "INDIA VIX"sv);
        return indexRow(Segment::NseIndex, "NSE"sv, "India VIX"sv, "India VIX"sv, "INDIA VIX"sv,
                        26017, jitter(rupees(12), rng, 200, paise(1)));
    }

    bool bseIndices()
    {
        for (const IndexSpec &spec : BseIndices) {
            if (!indexGroup(spec))
                return false;
        }
        return true;
    }

    void newCompany(Company &c)
    {
        c.isin = makeIsin(m_companies++, m_seed);
        c.equityKey = "NSE_EQ|"s + c.isin;
        c.shortName = shortNameOf(c.name);
    }

    bool company(const Company &c, Rng &rng)
    {
        Row eq;
        eq.kind = InstrumentKind::Equity;
        eq.name = c.name;
        eq.csvType = "EQUITY"sv;
        eq.symbol = c.ticker;
        eq.keyId = c.isin;
        eq.isin = c.isin;
        eq.lastPrice = c.spot;
        eq.freeze = 100000;
        if (c.nse) {
            eq.segment = Segment::NseEq;
            eq.exchange = "NSE"sv;
            eq.typeCode = c.nseType;
            eq.securityType = c.securityType;
            eq.shortName = c.fno || rng.percent(25) ? std::string_view(c.shortName) : ""sv;
            eq.mtfBracket = c.mtfBracket;
            eq.lot = c.nseLot;
            eq.tick = equityTick(c.spot);
            eq.token = m_nseEq.next();
            if (!emit(eq))
                return false;
        }
        if (c.bse) {
            eq.segment = Segment::BseEq;
            eq.exchange = "BSE"sv;
            eq.typeCode = c.bseGroup;
            eq.securityType = {};
            eq.shortName = c.fno ? std::string_view(c.ticker) : ""sv;
            eq.mtfBracket = -1;
            eq.lot = 1;
            eq.tick = c.spot < rupees(100) ? paise(1) : paise(5);
            eq.token = m_bseEq.next();
            if (!emit(eq))
                return false;
        }
        if (!c.fno)
            return true;

        Row row;
        row.segment = Segment::NseFo;
        row.exchange = "NSE"sv;
        row.name = c.name;
        row.symbol = c.ticker;
        row.underlyingKey = c.equityKey;
        row.underlyingType = "EQUITY"sv;
        row.lot = stockLot(c.spot, rng);
        static constexpr std::array<std::int32_t, 10> freezeLots{20, 30, 30, 30, 40,
                                                                 40, 40, 40, 50, 50};
        row.freeze = row.lot * freezeLots[static_cast<std::size_t>(rng.between(0, 9))];
        m_tokens = &m_nseFo;
        const std::int64_t step = stockStrikeStep(c.spot);
        const std::int64_t atm = roundToMultiple(c.spot, step);
        const int nearHalf = static_cast<int>(rng.between(12, 22));
        for (const Expiry &e : m_stockExpiries) {
            row.expiry = e.day;
            row.weekly = false;
            row.csvType = "FUTSTK"sv;
            row.tick = equityTick(c.spot);
            if (!future(row, c.spot))
                return false;
            const int half = e.serial == 0   ? nearHalf
                             : e.serial == 1 ? nearHalf * 85 / 100
                                             : nearHalf / 2;
            const auto strikes =
                makeStrikes(atm, step, half, 0, 0, c.spot * 45 / 100, c.spot * 170 / 100);
            row.csvType = "OPTSTK"sv;
            row.tick = c.spot < rupees(250) ? paise(1) : paise(5);
            if (!chain(row, strikes, c.spot, 30))
                return false;
        }
        return true;
    }

    bool realStocks()
    {
        for (const StockSpec &spec : Stocks) {
            Rng rng = streamFor(m_seed, spec.ticker);
            Company c;
            c.ticker = spec.ticker;
            c.name = spec.name;
            const std::int64_t base = paise(spec.spotPaise);
            c.spot = jitter(base, rng, 80, equityTick(base));
            c.fno = true;
            static constexpr std::array<std::int64_t, 6> brackets{250000, 265000, 282600,
                                                                  300000, 350000, 420000};
            c.mtfBracket = brackets[static_cast<std::size_t>(rng.between(0, 5))];
            newCompany(c);
            if (!company(c, rng))
                return false;
        }
        return true;
    }

    bool syntheticCompanies()
    {
        for (std::int64_t k = 0;; ++k) {
            Rng rng = streamFor(m_seed, "synthetic company"sv, static_cast<std::uint64_t>(k));
            Company c;
            c.ticker = "STOCK"s;
            if (k < 1000)
                c.ticker += '0';
            if (k < 100)
                c.ticker += '0';
            if (k < 10)
                c.ticker += '0';
            appendInt(c.ticker, k);
            c.name =
                std::string(
                    NameFirst[static_cast<std::size_t>(rng.between(0, NameFirst.size() - 1))]) +
                ' ' +
                std::string(
                    NameSecond[static_cast<std::size_t>(rng.between(0, NameSecond.size() - 1))]) +
                (rng.percent(60) ? " LIMITED"s : " LTD"s);
            c.fno = k >= CashOnlyCompanies;
            const std::size_t point =
                static_cast<std::size_t>(c.fno ? rng.between(3, PricePoints.size() - 1)
                                               : rng.between(0, PricePoints.size() - 3));
            const std::int64_t base = rupees(PricePoints[point]);
            c.spot = jitter(base, rng, 300, equityTick(base));
            c.spot = roundToMultiple(c.spot, equityTick(c.spot));
            if (c.fno) {
                c.mtfBracket = 300000;
            } else {
                // A third list on BSE only; NSE series and BSE groups in the real mix.
                c.nse = k % 3 != 2;
                if (rng.percent(6)) {
                    c.nseType = "SM"sv;
                    c.securityType = "SME"sv;
                    static constexpr std::array<std::int32_t, 4> smeLots{800, 1000, 1200, 2000};
                    c.nseLot = smeLots[static_cast<std::size_t>(rng.between(0, 3))];
                } else if (rng.percent(4)) {
                    c.nseType = "BE"sv;
                } else if (rng.percent(1)) {
                    c.securityType = "PCA"sv;
                }
                static constexpr std::array<std::string_view, 10> groups{
                    "B"sv, "B"sv, "B"sv, "X"sv, "X"sv, "X"sv, "T"sv, "M"sv, "XT"sv, "A"sv};
                c.bseGroup = groups[static_cast<std::size_t>(rng.between(0, 9))];
            }
            newCompany(c);
            if (!company(c, rng))
                return false;
        }
    }

    bool commodity(const CommoditySpec &spec)
    {
        Rng rng = streamFor(m_seed, spec.symbol);
        const std::int64_t futureTick = paise(spec.futureTickPaise);
        const std::int64_t price = jitter(rupees(spec.price), rng, 30, futureTick);

        std::vector<EpochDay> futureDays;
        for (YearMonth month = yearMonthOf(m_asOf);
             static_cast<int>(futureDays.size()) < spec.futures; month = month.plus(1)) {
            if (spec.futureEvery == 2 && month.month % 2 != (spec.futureParity == 0 ? 0 : 1))
                continue;
            const EpochDay day = dayInMonth(month, spec.futureDay);
            if (day >= m_asOf)
                futureDays.push_back(day);
        }

        std::string comKey = "MCX_COM|"s;
        appendInt(comKey, spec.commodityId);
        Row row;
        row.segment = Segment::McxFo;
        row.exchange = "MCX"sv;
        row.name = spec.name;
        row.symbol = spec.symbol;
        row.underlyingType = "COM"sv;
        row.quoteUnit = spec.quoteUnit;
        row.lot = spec.lot;
        row.qtyMultiplier = spec.qtyMultiplier;
        row.freeze = spec.freezeLots;
        row.csvType = "FUTCOM"sv;
        row.underlyingKey = comKey;
        row.tick = futureTick;
        m_tokens = &m_mcxFo;
        std::vector<std::uint32_t> futureTokens;
        for (const EpochDay day : futureDays) {
            row.expiry = day;
            if (!future(row, price))
                return false;
            futureTokens.push_back(row.token);
        }

        // Option series, each on the first future expiring after it.
        std::vector<EpochDay> optionDays;
        if (spec.options == OptionCalendar::BeforeEachFuture) {
            for (const EpochDay day : futureDays) {
                const EpochDay option = tradingDaysBefore(day, spec.optionLead);
                if (option >= m_asOf && static_cast<int>(optionDays.size()) < spec.optionSeries)
                    optionDays.push_back(option);
            }
        } else if (spec.options == OptionCalendar::MonthEnd) {
            for (YearMonth month = yearMonthOf(m_asOf);
                 static_cast<int>(optionDays.size()) < spec.optionSeries; month = month.plus(1)) {
                const EpochDay option = tradingDaysBefore(dayInMonth(month, 0), spec.optionLead);
                if (option > futureDays.back())
                    break;
                if (option >= m_asOf)
                    optionDays.push_back(option);
            }
        }
        std::string futureKey;
        row.tick = paise(spec.optionTickPaise);
        const std::int64_t step = paise(spec.stepPaise);
        for (std::size_t j = 0; j < optionDays.size(); ++j) {
            const auto next = std::upper_bound(futureDays.begin(), futureDays.end(), optionDays[j]);
            if (next == futureDays.end())
                break;
            futureKey = "MCX_FO|"s;
            appendInt(futureKey, futureTokens[static_cast<std::size_t>(next - futureDays.begin())]);
            row.underlyingKey = futureKey;
            row.expiry = optionDays[j];
            const int half = spec.optionHalf * (100 - 7 * static_cast<int>(j)) / 100 +
                             static_cast<int>(rng.between(-2, 2));
            const auto strikes =
                makeStrikes(roundToMultiple(price, step), step, half, 0, 0, price / 3, price * 2);
            if (!chain(row, strikes, price, 20))
                return false;
        }
        return true;
    }

    bool commodities()
    {
        for (const CommoditySpec &spec : Commodities) {
            if (!commodity(spec))
                return false;
        }
        return true;
    }

    bool currency(const CurrencySpec &spec, Segment segment)
    {
        Rng rng = streamFor(m_seed, spec.pair, static_cast<std::uint64_t>(segment));
        const std::int64_t step = paise(25);
        const std::int64_t rate = jitter(spec.rate, rng, 20, 25);
        Row row;
        row.segment = segment;
        row.exchange = segment == Segment::NcdFo ? "NSE"sv : "BSE"sv;
        row.name = spec.pair;
        row.symbol = spec.pair;
        row.underlyingType = "CUR"sv;
        row.lot = 1;
        row.qtyMultiplier = 1000;
        row.freeze = 10000;
        row.tick = 25; // Rs 0.0025
        m_tokens = segment == Segment::NcdFo ? &m_ncdFo : &m_bcdFo;
        for (const Expiry &e : m_currencyExpiries) {
            row.expiry = e.day;
            row.weekly = e.cls == ExpiryClass::Weekly;
            row.csvType = "FUTCUR"sv;
            if (!future(row, rate))
                return false;
            int half = row.weekly ? spec.weeklyHalf : spec.monthlyHalf;
            if (e.cls == ExpiryClass::Monthly && e.serial >= 3)
                half = half * 6 / 10;
            half += static_cast<int>(rng.between(-2, 2));
            const auto strikes = makeStrikes(roundToMultiple(rate, step), step, half, 0, 0,
                                             rate * 8 / 10, rate * 12 / 10);
            row.csvType = "OPTCUR"sv;
            if (!chain(row, strikes, rate, 5))
                return false;
        }
        return true;
    }

    bool currencies()
    {
        m_currencyExpiries = currencyExpiries(m_asOf);
        for (const Segment segment : {Segment::NcdFo, Segment::BcdFo}) {
            for (const CurrencySpec &spec : Currencies) {
                if (!currency(spec, segment))
                    return false;
            }
        }
        return true;
    }

    std::uint64_t m_seed;
    EpochDay m_asOf;
    bool m_csv;
    RowWriter &m_writer;
    TokenSequence m_nseFo, m_bseFo, m_mcxFo, m_ncdFo, m_bcdFo, m_nseEq, m_bseEq;
    TokenSequence *m_tokens = nullptr; // the segment being written
    std::vector<Expiry> m_stockExpiries;
    std::vector<Expiry> m_currencyExpiries;
    std::int64_t m_companies = 0;
};

Error invalid(const QString &message)
{
    return Error::make(ErrorCode::InvalidArgument, message);
}

std::optional<Error> checkOptions(const GeneratorOptions &options)
{
    if (options.rows <= 0)
        return invalid(
            QStringLiteral("the number of rows must be positive, got %1").arg(options.rows));
    if (options.asOf == NoDay)
        return invalid(QStringLiteral("the master's date (asOf) is not set"));
    // Long-dated contracts run ~5.5 years out; the reader accepts expiries up to 2100.
    if (options.asOf < fromQDate(QDate(2000, 1, 1)) ||
        options.asOf > fromQDate(QDate(2090, 12, 31)))
        return invalid(QStringLiteral("the master's date %1 is outside 2000..2090")
                           .arg(formatIsoDay(options.asOf)));
    if (options.format != MasterFormat::Json && options.format != MasterFormat::Csv)
        return invalid(QStringLiteral("the master's format must be JSON or CSV"));
    if (options.gzip && (options.gzipLevel < 1 || options.gzipLevel > 9))
        return invalid(
            QStringLiteral("the gzip level must be 1..9, got %1").arg(options.gzipLevel));
    return std::nullopt;
}

} // namespace

QString GeneratorSummary::segmentBreakdown() const
{
    std::array<std::size_t, SegmentCount> order{};
    for (std::size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::stable_sort(order.begin(), order.end(), [this](std::size_t a, std::size_t b) {
        return rowsPerSegment[a] > rowsPerSegment[b];
    });
    QStringList parts;
    for (const std::size_t i : order) {
        if (rowsPerSegment[i] == 0)
            continue;
        parts.append(QLatin1String(segmentName(static_cast<Segment>(i))) + QLatin1Char(' ') +
                     QString::number(rowsPerSegment[i]));
    }
    return parts.join(QStringLiteral(", "));
}

Result<GeneratorSummary> generateMaster(QIODevice &out, const GeneratorOptions &options)
{
    if (auto bad = checkOptions(options))
        return *bad;
    if (!out.isOpen() || !out.isWritable())
        return Error::make(ErrorCode::Io, QStringLiteral("the output is not open for writing"));

    Output output(out, options.gzip, options.gzipLevel);
    if (auto started = output.start(); !started)
        return started.error();
    std::unique_ptr<RowWriter> writer;
    if (options.format == MasterFormat::Csv)
        writer = std::make_unique<CsvWriter>(output, options.rows);
    else
        writer = std::make_unique<JsonWriter>(output, options.rows);
    writer->begin();
    Universe(options, *writer).run();
    if (output.failed())
        return output.error();
    writer->end();
    if (!output.finish())
        return output.error();
    if (writer->rows() != options.rows) {
        return Error::make(ErrorCode::Internal,
                           QStringLiteral("the generator produced %1 of %2 rows")
                               .arg(writer->rows())
                               .arg(options.rows));
    }

    GeneratorSummary summary;
    summary.rows = writer->rows();
    summary.bytesWritten = output.bytesWritten();
    summary.textBytes = output.textBytes();
    summary.rowsPerSegment = writer->perSegment();
    return summary;
}

Result<GeneratorSummary> generateMasterFile(const QString &path, GeneratorOptions options)
{
    const QString lower = path.toLower();
    if (lower.endsWith(QLatin1String(".json.gz"))) {
        options.format = MasterFormat::Json;
        options.gzip = true;
    } else if (lower.endsWith(QLatin1String(".json"))) {
        options.format = MasterFormat::Json;
        options.gzip = false;
    } else if (lower.endsWith(QLatin1String(".csv.gz"))) {
        options.format = MasterFormat::Csv;
        options.gzip = true;
    } else if (lower.endsWith(QLatin1String(".csv"))) {
        options.format = MasterFormat::Csv;
        options.gzip = false;
    } else {
        return invalid(QStringLiteral("cannot tell the format of '%1': name it .json.gz, .json, "
                                      ".csv.gz or .csv")
                           .arg(QDir::toNativeSeparators(path)));
    }
    if (auto bad = checkOptions(options)) // before touching the file system
        return *bad;

    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        return Error::make(ErrorCode::Io,
                           QStringLiteral("cannot write '%1': %2")
                               .arg(QDir::toNativeSeparators(path), file.errorString()));
    }
    auto result = generateMaster(file, options);
    if (!result) {
        file.cancelWriting();
        return Error::make(result.error().code, QDir::toNativeSeparators(path) +
                                                    QStringLiteral(": ") + result.error().message);
    }
    if (!file.commit()) {
        return Error::make(ErrorCode::Io,
                           QStringLiteral("cannot write '%1': %2")
                               .arg(QDir::toNativeSeparators(path), file.errorString()));
    }
    return result;
}

} // namespace strikeline
