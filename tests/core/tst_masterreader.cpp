// Tests of the streaming Upstox JSON master reader: readMaster() over QBuffer and custom
// sequential devices, readMasterFile() over temporary files.
//
// The rows below are verbatim copies of rows in the real masters (complete-2025-12-09.json.gz),
// so the happy path checks the reader against the exact bytes Upstox publishes.

#include "RealRows.h"
#include "common/IstTime.h"
#include "common/Price.h"
#include "common/Result.h"
#include "instruments/Instrument.h"
#include "instruments/MasterReader.h"
#include "instruments/MasterReaderInternal.h"

#include <QBuffer>
#include <QDate>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <string>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <utility>
#include <vector>

using namespace strikeline;
using namespace strikeline::testdata;

Q_DECLARE_METATYPE(strikeline::InstrumentRecord)

namespace {

// ---- verbatim rows (complete-2025-12-09.json.gz) ---------------------------------------------

constexpr char NseFoFuture65Row[] =
    R"({"weekly":false,"segment":"NSE_FO","name":"NIFTY","exchange":"NSE","expiry":1771957799000,)"
    R"("instrument_type":"FUT","asset_symbol":"NIFTY","underlying_symbol":"NIFTY",)"
    R"("instrument_key":"NSE_FO|59182","lot_size":65,"freeze_quantity":1755.0,)"
    R"("exchange_token":"59182","minimum_lot":65,"asset_key":"NSE_INDEX|Nifty 50",)"
    R"("underlying_key":"NSE_INDEX|Nifty 50","tick_size":10.0,"asset_type":"INDEX",)"
    R"("underlying_type":"INDEX","trading_symbol":"NIFTY FUT 24 FEB 26","strike_price":0.0,)"
    R"("qty_multiplier":1.0})";

constexpr char NcdFoRow[] =
    R"({"weekly":false,"segment":"NCD_FO","name":"JPYINR","exchange":"NSE","expiry":1774636199000,)"
    R"("instrument_type":"CE","asset_symbol":"JPYINR","underlying_symbol":"JPYINR",)"
    R"("instrument_key":"NCD_FO|14294","lot_size":1,"freeze_quantity":10000.0,)"
    R"("exchange_token":"14294","minimum_lot":1,"tick_size":0.25,"asset_type":"CUR",)"
    R"("underlying_type":"CUR","trading_symbol":"JPYINR 61 CE 27 MAR 26","strike_price":61.0,)"
    R"("qty_multiplier":1000.0})";

constexpr char McxFoRow[] =
    R"({"segment":"MCX_FO","name":"SILVER","exchange":"MCX","expiry":1772735399000,)"
    R"("instrument_type":"FUT","asset_symbol":"SILVER","underlying_symbol":"SILVER",)"
    R"("instrument_key":"MCX_FO|451666","lot_size":30,"freeze_quantity":20.0,)"
    R"("exchange_token":"451666","asset_key":"MCX_COM|115","underlying_key":"MCX_COM|115",)"
    R"("tick_size":100.0,"asset_type":"COM","underlying_type":"COM",)"
    R"("trading_symbol":"SILVER FUT 05 MAR 26","strike_price":0.0,)"
    R"("last_trading_date":1772735399000,"price_quote_unit":"KGS","qty_multiplier":30.0})";

constexpr char NseComOptionRow[] =
    R"({"segment":"NSE_COM","name":"CRUDEOIL","exchange":"NSE","expiry":1765304999000,)"
    R"("instrument_type":"CE","asset_symbol":"CRUDEOIL","underlying_symbol":"CRUDEOIL",)"
    R"("instrument_key":"NSE_COM|132017","lot_size":1,"freeze_quantity":100.0,)"
    R"("exchange_token":"132017","asset_key":"NSE_COM|126040","underlying_key":"NSE_COM|126040",)"
    R"("tick_size":10.0,"asset_type":"COM","underlying_type":"COM",)"
    R"("trading_symbol":"CRUDEOIL 4300 CE 09 DEC 25","strike_price":4300.0,)"
    R"("last_trading_date":1765304999000,"price_quote_unit":"BBL","qty_multiplier":100.0})";

constexpr char NseComSpotRow[] =
    R"({"segment":"NSE_COM","name":"SILVERMIC","exchange":"NSE","instrument_type":"COM",)"
    R"("instrument_key":"NSE_COM|13","lot_size":1,"freeze_quantity":600.0,"exchange_token":"13",)"
    R"("tick_size":100.0,"trading_symbol":"SILVERMIC","strike_price":0.0,)"
    R"("price_quote_unit":"KG","qty_multiplier":1.0})";

constexpr char BseFoRow[] =
    R"({"weekly":true,"segment":"BSE_FO","name":"SENSEX","exchange":"BSE","expiry":1765477799000,)"
    R"("instrument_type":"CE","asset_symbol":"SENSEX","underlying_symbol":"SENSEX",)"
    R"("instrument_key":"BSE_FO|1135008","lot_size":20,"freeze_quantity":1000.0,)"
    R"("exchange_token":"1135008","minimum_lot":20,"asset_key":"BSE_INDEX|SENSEX",)"
    R"("underlying_key":"BSE_INDEX|SENSEX","tick_size":5.0,"asset_type":"INDEX",)"
    R"("underlying_type":"INDEX","trading_symbol":"SENSEX 77000 CE 11 DEC 25",)"
    R"("strike_price":77000.0})";

// The NSE_FO option row with its keys in a different order (rows of other segments start with
// "segment" or "weekly"; nothing guarantees an order).
constexpr char NseFoOptionShuffledRow[] =
    R"({"qty_multiplier":1.0,"strike_price":26250.0,"trading_symbol":"NIFTY 26250 CE 09 DEC 25",)"
    R"("underlying_type":"INDEX","tick_size":5.0,"exchange_token":"41915","lot_size":75,)"
    R"("instrument_key":"NSE_FO|41915","underlying_key":"NSE_INDEX|Nifty 50",)"
    R"("underlying_symbol":"NIFTY","instrument_type":"CE","expiry":1765304999000,)"
    R"("freeze_quantity":1800.0,"name":"NIFTY","asset_type":"INDEX","minimum_lot":75,)"
    R"("asset_key":"NSE_INDEX|Nifty 50","asset_symbol":"NIFTY","exchange":"NSE",)"
    R"("segment":"NSE_FO","weekly":true})";

// The same row with keys the reader does not know, holding nested values and braces in strings.
constexpr char NseFoOptionExtraKeysRow[] =
    R"({"zzz_first":{"nested":[1,2,{"deep":"}]{["}],"e":[]},"weekly":true,"segment":"NSE_FO",)"
    R"("name":"NIFTY","exchange":"NSE","expiry":1765304999000,"instrument_type":"CE",)"
    R"("asset_symbol":"NIFTY","underlying_symbol":"NIFTY","nothing":null,"flag":false,)"
    R"("instrument_key":"NSE_FO|41915","lot_size":75,"freeze_quantity":1800.0,)"
    R"("exchange_token":"41915","minimum_lot":75,"asset_key":"NSE_INDEX|Nifty 50",)"
    R"("underlying_key":"NSE_INDEX|Nifty 50","tick_size":5.0,"asset_type":"INDEX",)"
    R"("underlying_type":"INDEX","trading_symbol":"NIFTY 26250 CE 09 DEC 25",)"
    R"("quote":"\"}]","big":1e300,"neg":-0.5,)"
    R"("strike_price":26250.0,"qty_multiplier":1.0,"trailing_array":[[[]]]})";

// The same row pretty-printed, as a hand-edited file would be.
constexpr char NseFoOptionPrettyRow[] = "{\n  \"weekly\" : true,\r\n\t\"segment\":\"NSE_FO\",\n"
                                        "  \"name\": \"NIFTY\", \"exchange\" : \"NSE\",\n"
                                        "  \"expiry\" :\n 1765304999000 ,\n"
                                        "  \"instrument_type\":\"CE\",\"underlying_symbol\":"
                                        "\"NIFTY\",\n"
                                        "  \"instrument_key\": \"NSE_FO|41915\",\n"
                                        "  \"lot_size\": 75 ,\"freeze_quantity\": 1800.0 ,\n"
                                        "  \"exchange_token\":\"41915\",\n"
                                        "  \"underlying_key\":\"NSE_INDEX|Nifty 50\",\n"
                                        "  \"tick_size\": 5.0,\n"
                                        "  \"trading_symbol\":\"NIFTY 26250 CE 09 DEC 25\",\n"
                                        "  \"strike_price\": 26250.0,\"qty_multiplier\":1.0\n}";

// ---- helpers ---------------------------------------------------------------------------------

// Days since 1970-01-01, computed with QDate (not with the project's IST helpers).
EpochDay day(int y, int m, int d)
{
    return static_cast<EpochDay>(QDate(1970, 1, 1).daysTo(QDate(y, m, d)));
}

QString isoDay(EpochDay d)
{
    return d == NoDay ? QStringLiteral("(none)")
                      : QDate(1970, 1, 1).addDays(d).toString(Qt::ISODate);
}

QString qs(std::string_view s)
{
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

QString codeName(ErrorCode code)
{
    switch (code) {
    case ErrorCode::InvalidArgument:
        return QStringLiteral("InvalidArgument");
    case ErrorCode::NotFound:
        return QStringLiteral("NotFound");
    case ErrorCode::Io:
        return QStringLiteral("Io");
    case ErrorCode::Gzip:
        return QStringLiteral("Gzip");
    case ErrorCode::Parse:
        return QStringLiteral("Parse");
    case ErrorCode::Validation:
        return QStringLiteral("Validation");
    case ErrorCode::TooManyBadRows:
        return QStringLiteral("TooManyBadRows");
    case ErrorCode::Cancelled:
        return QStringLiteral("Cancelled");
    case ErrorCode::Database:
        return QStringLiteral("Database");
    case ErrorCode::Network:
        return QStringLiteral("Network");
    case ErrorCode::Conflict:
        return QStringLiteral("Conflict");
    case ErrorCode::Internal:
        return QStringLiteral("Internal");
    }
    return QStringLiteral("?");
}

// A JSON row as (key, raw JSON value) pairs in file order, for building bad rows.
class Row
{
public:
    Row &set(const QByteArray &key, const QByteArray &rawValue)
    {
        for (auto &field : m_fields) {
            if (field.first == key) {
                field.second = rawValue;
                return *this;
            }
        }
        m_fields.emplace_back(key, rawValue);
        return *this;
    }
    Row &setString(const QByteArray &key, const QByteArray &text)
    {
        return set(key, QByteArray('"' + text + '"'));
    }
    Row &remove(const QByteArray &key)
    {
        std::erase_if(m_fields, [&key](const auto &field) { return field.first == key; });
        return *this;
    }
    QByteArray json() const
    {
        QByteArray out = "{";
        for (std::size_t i = 0; i < m_fields.size(); ++i) {
            if (i > 0)
                out += ',';
            out += '"' + m_fields[i].first + "\":" + m_fields[i].second;
        }
        out += '}';
        return out;
    }

private:
    std::vector<std::pair<QByteArray, QByteArray>> m_fields;
};

// The verbatim NSE_FO option row (same key order), for any exchange token.
Row nseFoOption(int token = 41915)
{
    const QByteArray t = QByteArray::number(token);
    const QByteArray strike = QByteArray::number(26250 + (token - 41915) * 50);
    Row row;
    row.set("weekly", "true")
        .setString("segment", "NSE_FO")
        .setString("name", "NIFTY")
        .setString("exchange", "NSE")
        .set("expiry", "1765304999000")
        .setString("instrument_type", "CE")
        .setString("asset_symbol", "NIFTY")
        .setString("underlying_symbol", "NIFTY")
        .setString("instrument_key", QByteArray("NSE_FO|" + t))
        .set("lot_size", "75")
        .set("freeze_quantity", "1800.0")
        .setString("exchange_token", t)
        .set("minimum_lot", "75")
        .setString("asset_key", "NSE_INDEX|Nifty 50")
        .setString("underlying_key", "NSE_INDEX|Nifty 50")
        .set("tick_size", "5.0")
        .setString("asset_type", "INDEX")
        .setString("underlying_type", "INDEX")
        .setString("trading_symbol", QByteArray("NIFTY " + strike + " CE 09 DEC 25"))
        .set("strike_price", QByteArray(strike + ".0"))
        .set("qty_multiplier", "1.0");
    return row;
}

QByteArray jsonArray(const std::vector<QByteArray> &rows, const QByteArray &separator = ",")
{
    QByteArray out = "[";
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (i > 0)
            out += separator;
        out += rows[i];
    }
    out += ']';
    return out;
}

struct ReadOutcome
{
    Result<ReadSummary> result = Error{};
    std::vector<InstrumentRecord> records;

    bool ok() const { return result.ok(); }
    QString errorMessage() const { return result.ok() ? QString() : result.error().message; }
    QString errorCode() const
    {
        return result.ok() ? QStringLiteral("(ok)") : codeName(result.error().code);
    }
};

ReadOutcome readDevice(QIODevice &device, const ReadOptions &options = {})
{
    ReadOutcome out;
    out.result = readMaster(
        device, [&out](InstrumentRecord &&r) { out.records.push_back(std::move(r)); }, options);
    return out;
}

ReadOutcome readBytes(const QByteArray &bytes, const ReadOptions &options = {})
{
    QBuffer buffer;
    buffer.setData(bytes);
    buffer.open(QIODevice::ReadOnly);
    return readDevice(buffer, options);
}

ReadOutcome readFile(const QString &path, const ReadOptions &options = {})
{
    ReadOutcome out;
    out.result = readMasterFile(
        path, [&out](InstrumentRecord &&r) { out.records.push_back(std::move(r)); }, options);
    return out;
}

#define REQUIRE_READ_OK(outcome) QVERIFY2((outcome).ok(), qPrintable((outcome).errorMessage()))

std::vector<std::string> keysOf(const std::vector<InstrumentRecord> &records)
{
    std::vector<std::string> keys;
    keys.reserve(records.size());
    for (const auto &r : records)
        keys.push_back(r.instrumentKey);
    return keys;
}

// ---- gzip, written by hand around zlib's raw deflate so tests control every byte -----------

QByteArray rawDeflate(const QByteArray &data, int level = Z_DEFAULT_COMPRESSION)
{
    z_stream zs{};
    if (deflateInit2(&zs, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return {};
    QByteArray in = data; // zlib's next_in is not const
    in.detach();
    QByteArray out;
    out.resize(static_cast<qsizetype>(deflateBound(&zs, static_cast<uLong>(in.size()))) + 64);
    zs.next_in = reinterpret_cast<Bytef *>(in.data());
    zs.avail_in = static_cast<uInt>(in.size());
    zs.next_out = reinterpret_cast<Bytef *>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&zs, Z_FINISH);
    out.resize(static_cast<qsizetype>(zs.total_out));
    deflateEnd(&zs);
    return rc == Z_STREAM_END ? out : QByteArray();
}

void appendLe32(QByteArray &out, std::uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        out.append(static_cast<char>((v >> (8 * i)) & 0xffu));
}

// One gzip member (RFC 1952). With nameLength > 0 the header carries an FNAME field of that
// many bytes: a way to give a member an exact size without touching its data.
QByteArray gzipMember(const QByteArray &data, qsizetype nameLength = 0)
{
    QByteArray out;
    out.append('\x1f').append('\x8b').append('\x08');
    out.append(nameLength > 0 ? '\x08' : '\x00'); // FLG: FNAME
    out.append(4, '\0');                          // MTIME
    out.append('\0');                             // XFL
    out.append('\x03');                           // OS: Unix
    if (nameLength > 0) {
        out.append(nameLength, 'n');
        out.append('\0');
    }
    out += rawDeflate(data);
    const auto crc = crc32(0L, reinterpret_cast<const Bytef *>(data.constData()),
                           static_cast<uInt>(data.size()));
    appendLe32(out, static_cast<std::uint32_t>(crc));
    appendLe32(out, static_cast<std::uint32_t>(data.size()));
    return out;
}

// Deterministic pseudo-random text (a small LCG), so compressed sizes are realistic.
class Noise
{
public:
    QByteArray letters(int n)
    {
        QByteArray out(n, 'A');
        for (int i = 0; i < n; ++i) {
            m_state = m_state * 6364136223846793005ull + 1442695040888963407ull;
            out[i] = static_cast<char>('A' + static_cast<int>((m_state >> 33) % 26));
        }
        return out;
    }

private:
    std::uint64_t m_state = 42;
};

// A valid master of `rows` NSE_FO rows whose names are pseudo-random (compresses ~3:1).
QByteArray noisyMaster(int rows)
{
    Noise noise;
    std::vector<QByteArray> out;
    out.reserve(static_cast<std::size_t>(rows));
    for (int i = 0; i < rows; ++i)
        out.push_back(nseFoOption(100000 + i).setString("name", noise.letters(200)).json());
    return jsonArray(out, ",\n");
}

// Enough noisy rows for a gzip stream of several 256 KiB device reads.
constexpr int NoisyRows = 5000;

// ---- streaming devices -----------------------------------------------------------------------

std::string generatedRow(std::int64_t i)
{
    const std::string token = std::to_string(100000 + i);
    const std::string strike = std::to_string(10000 + (i % 4000) * 50);
    std::string row;
    row.reserve(640);
    row += R"({"weekly":)";
    row += (i % 2 == 0) ? "true" : "false";
    row += R"(,"segment":"NSE_FO","name":"NIFTY","exchange":"NSE","expiry":1765304999000,)"
           R"("instrument_type":")";
    row += (i % 2 == 0) ? "CE" : "PE";
    row += R"(","asset_symbol":"NIFTY","underlying_symbol":"NIFTY","instrument_key":"NSE_FO|)";
    row += token;
    row += R"(","lot_size":75,"freeze_quantity":1800.0,"exchange_token":")";
    row += token;
    row += R"(","minimum_lot":75,"asset_key":"NSE_INDEX|Nifty 50",)"
           R"("underlying_key":"NSE_INDEX|Nifty 50","tick_size":5.0,"asset_type":"INDEX",)"
           R"("underlying_type":"INDEX","trading_symbol":"NIFTY )";
    row += strike;
    row += (i % 2 == 0) ? " CE" : " PE";
    row += R"( 09 DEC 25","strike_price":)";
    row += strike;
    row += R"(.0,"qty_multiplier":1.0})";
    return row;
}

// A sequential device that writes a master of `rows` rows on the fly, one row at a time:
// the master is never held in memory (300k rows are ~170 MB).
class GeneratedMaster : public QIODevice
{
public:
    explicit GeneratedMaster(std::int64_t rows)
        : m_rows(rows)
    {}
    bool isSequential() const override { return true; }
    std::int64_t bytesProduced() const { return m_produced; }
    std::size_t largestPiece() const { return m_largestPiece; }

protected:
    qint64 readData(char *data, qint64 maxSize) override
    {
        qint64 written = 0;
        while (written < maxSize) {
            if (m_pos == m_piece.size() && !nextPiece())
                break;
            const auto n =
                std::min<qint64>(maxSize - written, static_cast<qint64>(m_piece.size() - m_pos));
            std::memcpy(data + written, m_piece.data() + m_pos, static_cast<std::size_t>(n));
            m_pos += static_cast<std::size_t>(n);
            written += n;
        }
        m_produced += written;
        return written;
    }
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    bool nextPiece()
    {
        m_piece.clear();
        m_pos = 0;
        switch (m_state) {
        case State::Start:
            m_piece = "[\n";
            m_state = m_rows > 0 ? State::Rows : State::End;
            break;
        case State::Rows:
            if (m_next > 0)
                m_piece = ",\n";
            m_piece += generatedRow(m_next);
            if (++m_next == m_rows)
                m_state = State::End;
            break;
        case State::End:
            m_piece = "\n]\n";
            m_state = State::Done;
            break;
        case State::Done:
            return false;
        }
        m_largestPiece = std::max(m_largestPiece, m_piece.size());
        return true;
    }

    enum class State { Start, Rows, End, Done };
    std::int64_t m_rows;
    std::int64_t m_next = 0;
    State m_state = State::Start;
    std::string m_piece;
    std::size_t m_pos = 0;
    std::size_t m_largestPiece = 0;
    std::int64_t m_produced = 0;
};

// Gzips another device on the fly (a download that arrives compressed).
class GzipOnTheFly : public QIODevice
{
public:
    explicit GzipOnTheFly(QIODevice &source)
        : m_source(source)
        , m_in(64 * 1024, '\0')
    {
        m_ok = deflateInit2(&m_zs, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
    }
    ~GzipOnTheFly() override
    {
        if (m_ok)
            deflateEnd(&m_zs);
    }
    bool isSequential() const override { return true; }
    std::int64_t bytesProduced() const { return m_produced; }

protected:
    qint64 readData(char *data, qint64 maxSize) override
    {
        if (!m_ok)
            return -1;
        if (m_finished || maxSize <= 0)
            return 0;
        const auto room = static_cast<uInt>(std::min<qint64>(maxSize, 1 << 30));
        m_zs.next_out = reinterpret_cast<Bytef *>(data);
        m_zs.avail_out = room;
        while (m_zs.avail_out > 0 && !m_finished) {
            if (m_zs.avail_in == 0 && !m_sourceDone) {
                const qint64 n = m_source.read(m_in.data(), m_in.size());
                if (n <= 0) {
                    m_sourceDone = true;
                } else {
                    m_zs.next_in = reinterpret_cast<Bytef *>(m_in.data());
                    m_zs.avail_in = static_cast<uInt>(n);
                }
            }
            const int rc = deflate(&m_zs, m_sourceDone ? Z_FINISH : Z_NO_FLUSH);
            if (rc == Z_STREAM_END)
                m_finished = true;
            else if (rc != Z_OK && rc != Z_BUF_ERROR)
                return -1;
        }
        const qint64 written = room - m_zs.avail_out;
        m_produced += written;
        return written;
    }
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    QIODevice &m_source;
    QByteArray m_in;
    z_stream m_zs{};
    bool m_ok = false;
    bool m_sourceDone = false;
    bool m_finished = false;
    std::int64_t m_produced = 0;
};

// A readable device that has nothing at all.
class EmptySequential : public QIODevice
{
public:
    bool isSequential() const override { return true; }

protected:
    qint64 readData(char *, qint64) override { return 0; }
    qint64 writeData(const char *, qint64) override { return -1; }
};

// Compares every field, with readable messages. Check QTest::currentTestFailed() afterwards.
void compareRecord(const InstrumentRecord &actual, const InstrumentRecord &expected)
{
    QCOMPARE(qs(actual.instrumentKey), qs(expected.instrumentKey));
    QCOMPARE(qs(actual.tradingSymbol), qs(expected.tradingSymbol));
    QCOMPARE(qs(actual.name), qs(expected.name));
    QCOMPARE(qs(actual.underlyingSymbol), qs(expected.underlyingSymbol));
    QCOMPARE(qs(actual.underlyingKey), qs(expected.underlyingKey));
    QCOMPARE(qs(actual.typeCode), qs(expected.typeCode));
    QCOMPARE(actual.exchangeToken, expected.exchangeToken);
    QCOMPARE(qs(segmentName(actual.segment)), qs(segmentName(expected.segment)));
    QCOMPARE(qs(kindName(actual.kind)), qs(kindName(expected.kind)));
    QCOMPARE(actual.weekly, expected.weekly);
    QCOMPARE(isoDay(actual.expiry), isoDay(expected.expiry));
    QCOMPARE(actual.strike.raw(), expected.strike.raw());
    QCOMPARE(actual.tickSize.raw(), expected.tickSize.raw());
    QCOMPARE(actual.lotSize, expected.lotSize);
    QCOMPARE(actual.freezeQuantity, expected.freezeQuantity);
    QCOMPARE(actual.qtyMultiplier, expected.qtyMultiplier);
    QVERIFY(actual == expected); // nothing else differs
}

constexpr qsizetype MiB = 1 << 20;
// MasterReader.cpp reads the device in 256 KiB chunks (InputChunkSize, private to that file).
constexpr qsizetype InputChunkSize = 256 * 1024;
// The JSON parser's largest row (MaxObjectSize in JsonMasterParser.cpp): rows up to 1 MiB.
constexpr qsizetype MaxRowBytes = 1 << 20;
static_assert(detail::ChunkSize == 1 << 20, "the boundary tests assume 1 MiB chunks");

} // namespace

class tst_MasterReader : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // happy path
    void happyPath_data();
    void happyPath();
    void wholeFile_data();
    void wholeFile();
    void emptyArray_data();
    void emptyArray();
    void expiryInIst_data();
    void expiryInIst();
    void explicitJsonFormat();

    // rows that are skipped
    void badRowSkipped_data();
    void badRowSkipped();
    void manyIssuesKeptInOrder();
    void tooManyBadRows_data();
    void tooManyBadRows();

    // fatal errors
    void fatalJson_data();
    void fatalJson();
    void topLevelNotArray_data();
    void topLevelNotArray();
    void truncatedGzip_data();
    void truncatedGzip();
    void corruptGzip_data();
    void corruptGzip();
    void dataAfterGzipStream();
    void cancelBeforeReading();
    void cancelWhileReading();
    void deviceNotReadable();
    void fileErrors();
    void saysWhatTheBytesAre_data();
    void saysWhatTheBytesAre();
    void failedReadReportsWhatItRead();
    void refusesWhatIsNoFile_data();
    void refusesWhatIsNoFile();

    // streaming
    void streamsLargeMaster_data();
    void streamsLargeMaster();
    void progressOnBuffer();

    // escapes, chunk boundaries, row sizes
    void escapes();
    void escapeAcrossChunkBoundary_data();
    void escapeAcrossChunkBoundary();
    void rowSizeLimit_data();
    void rowSizeLimit();

    // containers
    void concatenatedGzipMembers_data();
    void concatenatedGzipMembers();
    void gzipMemberBoundaryAtInputChunkEnd_data();
    void gzipMemberBoundaryAtInputChunkEnd();
    void utf8Bom_data();
    void utf8Bom();
    void readMasterFileMatchesBuffer();
};

// ---- happy path ------------------------------------------------------------------------------

void tst_MasterReader::happyPath_data()
{
    QTest::addColumn<QByteArray>("row");
    QTest::addColumn<InstrumentRecord>("expected");
    QTest::addColumn<int>("maxLotsPerOrder");

    const InstrumentRecord nifty26250{
        .instrumentKey = "NSE_FO|41915",
        .tradingSymbol = "NIFTY 26250 CE 09 DEC 25",
        .name = "NIFTY",
        .underlyingSymbol = "NIFTY",
        .underlyingKey = "NSE_INDEX|Nifty 50",
        .typeCode = "CE",
        .exchangeToken = 41915,
        .segment = Segment::NseFo,
        .kind = InstrumentKind::Call,
        .weekly = true,
        .expiry = day(2025, 12, 9),
        .strike = Price::fromRupees(26250),
        .tickSize = Price::fromPaise(5),
        .lotSize = 75,
        .freezeQuantity = 1800,
        .qtyMultiplier = 1,
    };
    QTest::newRow("NSE_FO option, verbatim") << QByteArray(NseFoOptionRow) << nifty26250 << 24;
    QTest::newRow("NSE_FO option, keys shuffled")
        << QByteArray(NseFoOptionShuffledRow) << nifty26250 << 24;
    QTest::newRow("NSE_FO option, unknown keys ignored")
        << QByteArray(NseFoOptionExtraKeysRow) << nifty26250 << 24;
    QTest::newRow("NSE_FO option, pretty-printed")
        << QByteArray(NseFoOptionPrettyRow) << nifty26250 << 24;
    QTest::newRow("NSE_FO option, numeric exchange_token")
        << nseFoOption().set("exchange_token", "41915").json() << nifty26250 << 24;
    QTest::newRow("NSE_FO option, lot and freeze written as integers/floats")
        << nseFoOption().set("lot_size", "75.0").set("freeze_quantity", "1800").json() << nifty26250
        << 24;
    QTest::newRow("NSE_FO option, tick written as 5")
        << nseFoOption().set("tick_size", "5").json() << nifty26250 << 24;

    InstrumentRecord monthly = nifty26250;
    monthly.weekly = false;
    QTest::newRow("NSE_FO option, weekly false")
        << nseFoOption().set("weekly", "false").json() << monthly << 24;
    QTest::newRow("NSE_FO option, weekly absent")
        << nseFoOption().remove("weekly").json() << monthly << 24;

    InstrumentRecord viaAsset = nifty26250;
    QTest::newRow("NSE_FO option, only asset_symbol/asset_key")
        << nseFoOption().remove("underlying_symbol").remove("underlying_key").json() << viaAsset
        << 24;

    QTest::newRow("NSE_FO future, strike 0.0")
        << QByteArray(NseFoFutureRow)
        << InstrumentRecord{
               .instrumentKey = "NSE_FO|49543",
               .tradingSymbol = "NIFTY FUT 30 DEC 25",
               .name = "NIFTY",
               .underlyingSymbol = "NIFTY",
               .underlyingKey = "NSE_INDEX|Nifty 50",
               .typeCode = "FUT",
               .exchangeToken = 49543,
               .segment = Segment::NseFo,
               .kind = InstrumentKind::Future,
               .weekly = false,
               .expiry = day(2025, 12, 30),
               .strike = Price(),
               .tickSize = Price::fromPaise(10),
               .lotSize = 75,
               .freezeQuantity = 1800,
               .qtyMultiplier = 1,
           }
        << 24;
    QTest::newRow("NSE_FO future, lot 65 / freeze 1755")
        << QByteArray(NseFoFuture65Row)
        << InstrumentRecord{
               .instrumentKey = "NSE_FO|59182",
               .tradingSymbol = "NIFTY FUT 24 FEB 26",
               .name = "NIFTY",
               .underlyingSymbol = "NIFTY",
               .underlyingKey = "NSE_INDEX|Nifty 50",
               .typeCode = "FUT",
               .exchangeToken = 59182,
               .segment = Segment::NseFo,
               .kind = InstrumentKind::Future,
               .weekly = false,
               .expiry = day(2026, 2, 24),
               .strike = Price(),
               .tickSize = Price::fromPaise(10),
               .lotSize = 65,
               .freezeQuantity = 1755,
               .qtyMultiplier = 1,
           }
        << 27;
    QTest::newRow("NSE_EQ") << QByteArray(NseEqRow)
                            << InstrumentRecord{
                                   .instrumentKey = "NSE_EQ|INE002A01018",
                                   .tradingSymbol = "RELIANCE",
                                   .name = "RELIANCE INDUSTRIES LTD",
                                   .underlyingSymbol = "RELIANCE",
                                   .underlyingKey = "",
                                   .typeCode = "EQ",
                                   .exchangeToken = 2885,
                                   .segment = Segment::NseEq,
                                   .kind = InstrumentKind::Equity,
                                   .weekly = false,
                                   .expiry = NoDay,
                                   .strike = Price(),
                                   .tickSize = Price::fromPaise(10),
                                   .lotSize = 1,
                                   .freezeQuantity = 100000,
                                   .qtyMultiplier = 1,
                               }
                            << 100000;
    QTest::newRow("NSE_INDEX without lot/tick/freeze")
        << QByteArray(NseIndexRow)
        << InstrumentRecord{
               .instrumentKey = "NSE_INDEX|Nifty 50",
               .tradingSymbol = "NIFTY",
               .name = "Nifty 50",
               .underlyingSymbol = "NIFTY",
               .underlyingKey = "",
               .typeCode = "INDEX",
               .exchangeToken = 26000,
               .segment = Segment::NseIndex,
               .kind = InstrumentKind::Index,
               .weekly = false,
               .expiry = NoDay,
               .strike = Price(),
               .tickSize = Price(),
               .lotSize = 0,
               .freezeQuantity = 0,
               .qtyMultiplier = 1,
           }
        << 0;
    QTest::newRow("NCD_FO tick 0.25 paise = Rs 0.0025")
        << QByteArray(NcdFoRow)
        << InstrumentRecord{
               .instrumentKey = "NCD_FO|14294",
               .tradingSymbol = "JPYINR 61 CE 27 MAR 26",
               .name = "JPYINR",
               .underlyingSymbol = "JPYINR",
               .underlyingKey = "", // absent on NCD_FO rows
               .typeCode = "CE",
               .exchangeToken = 14294,
               .segment = Segment::NcdFo,
               .kind = InstrumentKind::Call,
               .weekly = false,
               .expiry = day(2026, 3, 27),
               .strike = Price::fromRupees(61),
               .tickSize = Price::fromRaw(25),
               .lotSize = 1,
               .freezeQuantity = 10000,
               .qtyMultiplier = 1000,
           }
        << 10000;
    QTest::newRow("MCX_FO freeze in lots")
        << QByteArray(McxFoRow)
        << InstrumentRecord{
               .instrumentKey = "MCX_FO|451666",
               .tradingSymbol = "SILVER FUT 05 MAR 26",
               .name = "SILVER",
               .underlyingSymbol = "SILVER",
               .underlyingKey = "MCX_COM|115",
               .typeCode = "FUT",
               .exchangeToken = 451666,
               .segment = Segment::McxFo,
               .kind = InstrumentKind::Future,
               .weekly = false,
               .expiry = day(2026, 3, 5),
               .strike = Price(),
               .tickSize = Price::fromRupees(1),
               .lotSize = 30,
               .freezeQuantity = 20, // 20 lots, although the lot is 30
               .qtyMultiplier = 30,
           }
        << 20;
    QTest::newRow("NSE_COM option")
        << QByteArray(NseComOptionRow)
        << InstrumentRecord{
               .instrumentKey = "NSE_COM|132017",
               .tradingSymbol = "CRUDEOIL 4300 CE 09 DEC 25",
               .name = "CRUDEOIL",
               .underlyingSymbol = "CRUDEOIL",
               .underlyingKey = "NSE_COM|126040",
               .typeCode = "CE",
               .exchangeToken = 132017,
               .segment = Segment::NseCom,
               .kind = InstrumentKind::Call,
               .weekly = false,
               .expiry = day(2025, 12, 9),
               .strike = Price::fromRupees(4300),
               .tickSize = Price::fromPaise(10),
               .lotSize = 1,
               .freezeQuantity = 100,
               .qtyMultiplier = 100,
           }
        << 100;
    QTest::newRow("NSE_COM spot (COM)") << QByteArray(NseComSpotRow)
                                        << InstrumentRecord{
                                               .instrumentKey = "NSE_COM|13",
                                               .tradingSymbol = "SILVERMIC",
                                               .name = "SILVERMIC",
                                               .underlyingSymbol = "SILVERMIC",
                                               .underlyingKey = "",
                                               .typeCode = "COM",
                                               .exchangeToken = 13,
                                               .segment = Segment::NseCom,
                                               .kind = InstrumentKind::Spot,
                                               .weekly = false,
                                               .expiry = NoDay,
                                               .strike = Price(),
                                               .tickSize = Price::fromRupees(1),
                                               .lotSize = 1,
                                               .freezeQuantity = 600,
                                               .qtyMultiplier = 1,
                                           }
                                        << 600;
    QTest::newRow("BSE_FO weekly, no qty_multiplier")
        << QByteArray(BseFoRow)
        << InstrumentRecord{
               .instrumentKey = "BSE_FO|1135008",
               .tradingSymbol = "SENSEX 77000 CE 11 DEC 25",
               .name = "SENSEX",
               .underlyingSymbol = "SENSEX",
               .underlyingKey = "BSE_INDEX|SENSEX",
               .typeCode = "CE",
               .exchangeToken = 1135008,
               .segment = Segment::BseFo,
               .kind = InstrumentKind::Call,
               .weekly = true,
               .expiry = day(2025, 12, 11),
               .strike = Price::fromRupees(77000),
               .tickSize = Price::fromPaise(5),
               .lotSize = 20,
               .freezeQuantity = 1000,
               .qtyMultiplier = 1,
           }
        << 50;
}

void tst_MasterReader::happyPath()
{
    QFETCH(QByteArray, row);
    QFETCH(InstrumentRecord, expected);
    QFETCH(int, maxLotsPerOrder);

    const QByteArray master = '[' + row + ']';
    const ReadOutcome out = readBytes(master);
    REQUIRE_READ_OK(out);
    const ReadSummary &summary = *out.result;
    QCOMPARE(summary.rowsRead, std::int64_t{1});
    QCOMPARE(summary.rowsAccepted, std::int64_t{1});
    QCOMPARE(summary.rowsSkipped, std::int64_t{0});
    QVERIFY(summary.issues.empty());
    QVERIFY(summary.format == MasterFormat::Json);
    QVERIFY(!summary.gzip);
    QCOMPARE(summary.bytesDecoded, std::int64_t{master.size()});
    QCOMPARE(summary.bytesConsumed, std::int64_t{master.size()});
    QCOMPARE(out.records.size(), std::size_t{1});
    compareRecord(out.records.front(), expected);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(out.records.front().maxLotsPerOrder(), maxLotsPerOrder);
    QVERIFY(out.records.front().quantityUnit() ==
            (expected.segment == Segment::McxFo ? QuantityUnit::Lots : QuantityUnit::Units));

    // The same row, gzipped, gives the same record.
    const ReadOutcome gz = readBytes(gzipMember(master));
    REQUIRE_READ_OK(gz);
    QVERIFY(gz.result->gzip);
    QCOMPARE(gz.records.size(), std::size_t{1});
    QVERIFY(gz.records.front() == out.records.front());
}

void tst_MasterReader::wholeFile_data()
{
    QTest::addColumn<QByteArray>("master");
    const std::vector<QByteArray> rows = {NseIndexRow,    NseEqRow,        NseFoOptionRow,
                                          NseFoFutureRow, NcdFoRow,        McxFoRow,
                                          NseComSpotRow,  NseComOptionRow, BseFoRow};
    QTest::newRow("minified") << jsonArray(rows);
    QTest::newRow("newline between rows") << jsonArray(rows, ",\n");
    QTest::newRow("CRLF and tabs around commas") << jsonArray(rows, "\r\n\t ,\r\n\t ");
    QTest::newRow("whitespace around the array")
        << QByteArray(" \n\t\r\n" + jsonArray(rows, " , ") + "\n\n  \t");
    QByteArray spaced = "[\n   ";
    for (std::size_t i = 0; i < rows.size(); ++i)
        spaced += (i ? "\n   ,\n   " : "") + rows[i];
    spaced += "\n]\n";
    QTest::newRow("one row per line, leading commas") << spaced;
}

void tst_MasterReader::wholeFile()
{
    QFETCH(QByteArray, master);
    const ReadOutcome out = readBytes(master);
    REQUIRE_READ_OK(out);
    QCOMPARE(out.result->rowsRead, std::int64_t{9});
    QCOMPARE(out.result->rowsAccepted, std::int64_t{9});
    QCOMPARE(out.result->bytesDecoded, std::int64_t{master.size()});
    const std::vector<std::string> expectedKeys = {
        "NSE_INDEX|Nifty 50", "NSE_EQ|INE002A01018", "NSE_FO|41915",
        "NSE_FO|49543",       "NCD_FO|14294",        "MCX_FO|451666",
        "NSE_COM|13",         "NSE_COM|132017",      "BSE_FO|1135008"};
    QVERIFY(keysOf(out.records) == expectedKeys); // in file order
    const std::vector<Segment> segments = {Segment::NseIndex, Segment::NseEq,  Segment::NseFo,
                                           Segment::NseFo,    Segment::NcdFo,  Segment::McxFo,
                                           Segment::NseCom,   Segment::NseCom, Segment::BseFo};
    for (std::size_t i = 0; i < segments.size(); ++i)
        QVERIFY(out.records[i].segment == segments[i]);
}

void tst_MasterReader::emptyArray_data()
{
    QTest::addColumn<QByteArray>("master");
    QTest::newRow("[]") << QByteArray("[]");
    QTest::newRow("[ whitespace ]") << QByteArray(" [ \n\t\r\n ] \n");
    QTest::newRow("BOM []") << QByteArray("\xEF\xBB\xBF[]");
    QTest::newRow("gzip []") << gzipMember("[]");
}

void tst_MasterReader::emptyArray()
{
    QFETCH(QByteArray, master);
    const ReadOutcome out = readBytes(master);
    QVERIFY(!out.ok());
    QCOMPARE(out.errorCode(), QStringLiteral("Validation"));
    QVERIFY2(out.errorMessage().contains(QLatin1String("no usable instruments")),
             qPrintable(out.errorMessage()));
    QVERIFY(out.records.empty());
}

void tst_MasterReader::expiryInIst_data()
{
    QTest::addColumn<QByteArray>("expiry");
    QTest::addColumn<QString>("date");
    // The master writes 23:59:59 IST (18:29:59 UTC) of the expiry date.
    QTest::newRow("23:59:59 IST") << QByteArray("1765304999000") << QStringLiteral("2025-12-09");
    QTest::newRow("as a float") << QByteArray("1765304999000.0") << QStringLiteral("2025-12-09");
    QTest::newRow("as an exponent") << QByteArray("1.765304999e12") << QStringLiteral("2025-12-09");
    QTest::newRow("midnight IST starts the next day")
        << QByteArray("1765305000000") << QStringLiteral("2025-12-10");
    QTest::newRow("00:00 IST = 18:30 UTC the day before")
        << QByteArray("1765218600000") << QStringLiteral("2025-12-09");
    QTest::newRow("1 ms before midnight IST")
        << QByteArray("1765218599999") << QStringLiteral("2025-12-08");
    QTest::newRow("a long-dated NIFTY (2029-12-24, a Monday)")
        << QByteArray("1892831399000") << QStringLiteral("2029-12-24");
}

void tst_MasterReader::expiryInIst()
{
    QFETCH(QByteArray, expiry);
    QFETCH(QString, date);
    const ReadOutcome out = readBytes('[' + nseFoOption().set("expiry", expiry).json() + ']');
    REQUIRE_READ_OK(out);
    QCOMPARE(out.records.size(), std::size_t{1});
    QCOMPARE(isoDay(out.records.front().expiry), date);
}

void tst_MasterReader::explicitJsonFormat()
{
    ReadOptions options;
    options.format = MasterFormat::Json;
    const ReadOutcome out = readBytes(jsonArray({NseFoOptionRow, NseEqRow}), options);
    REQUIRE_READ_OK(out);
    QCOMPARE(out.result->rowsAccepted, std::int64_t{2});
    QVERIFY(out.result->format == MasterFormat::Json);
}

// ---- skipped rows ----------------------------------------------------------------------------

void tst_MasterReader::badRowSkipped_data()
{
    QTest::addColumn<QByteArray>("badRow");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("key"); // the issue's instrument key ("" when unknown); found
                                      // even when the bad value comes before it

    const QString k = QStringLiteral("NSE_FO|41915");
    const auto row = [] { return nseFoOption(41915); };
    const auto future = [] {
        return nseFoOption(41915)
            .setString("instrument_type", "FUT")
            .set("strike_price", "0.0")
            .setString("trading_symbol", "NIFTY FUT 30 DEC 25");
    };

    QTest::newRow("negative lot") << row().set("lot_size", "-75").json()
                                  << QStringLiteral("lot_size") << k;
    QTest::newRow("zero lot") << row().set("lot_size", "0").json() << QStringLiteral("lot_size")
                              << k;
    QTest::newRow("fractional lot")
        << row().set("lot_size", "75.5").json() << QStringLiteral("lot_size") << k;
    QTest::newRow("lot as a string")
        << row().set("lot_size", "\"75\"").json() << QStringLiteral("lot_size") << k;
    QTest::newRow("lot null") << row().set("lot_size", "null").json() << QStringLiteral("lot_size")
                              << k;
    QTest::newRow("lot missing") << row().remove("lot_size").json() << QStringLiteral("lot_size")
                                 << k;
    QTest::newRow("future with a strike")
        << future().set("strike_price", "5.0").json() << QStringLiteral("strike_price") << k;
    QTest::newRow("tick out of range (1e400)")
        << row().set("tick_size", "1e400").json() << QStringLiteral("tick_size") << k;
    QTest::newRow("zero tick") << row().set("tick_size", "0.0").json()
                               << QStringLiteral("tick_size") << k;
    QTest::newRow("negative tick")
        << row().set("tick_size", "-5.0").json() << QStringLiteral("tick_size") << k;
    QTest::newRow("tick with too many decimals (0.001 paise)")
        << row().set("tick_size", "0.001").json() << QStringLiteral("tick_size") << k;
    QTest::newRow("implausible tick (Rs 20000)")
        << row().set("tick_size", "2000000.0").json() << QStringLiteral("tick_size") << k;
    QTest::newRow("tick missing") << row().remove("tick_size").json() << QStringLiteral("tick_size")
                                  << k;
    QTest::newRow("missing instrument_key")
        << row().remove("instrument_key").json() << QStringLiteral("instrument_key") << QString();
    QTest::newRow("empty instrument_key") << row().setString("instrument_key", "").json()
                                          << QStringLiteral("instrument_key") << QString();
    QTest::newRow("unknown segment")
        << row().setString("segment", "NSE_XYZ").json() << QStringLiteral("segment") << k;
    QTest::newRow("lower-case segment")
        << row().setString("segment", "nse_fo").json() << QStringLiteral("segment") << k;
    QTest::newRow("missing segment")
        << row().remove("segment").json() << QStringLiteral("segment") << k;
    QTest::newRow("segment a number")
        << row().set("segment", "7").json() << QStringLiteral("segment") << k;
    QTest::newRow("CE without strike")
        << row().remove("strike_price").json() << QStringLiteral("strike_price") << k;
    QTest::newRow("CE with strike 0")
        << row().set("strike_price", "0.0").json() << QStringLiteral("strike_price") << k;
    QTest::newRow("PE with negative strike")
        << row().setString("instrument_type", "PE").set("strike_price", "-100.0").json()
        << QStringLiteral("strike_price") << k;
    QTest::newRow("strike with five decimals")
        << row().set("strike_price", "26250.00001").json() << QStringLiteral("strike_price") << k;
    QTest::newRow("FUT without expiry")
        << future().remove("expiry").json() << QStringLiteral("expiry") << k;
    QTest::newRow("expiry in seconds, not ms")
        << row().set("expiry", "1765304999").json() << QStringLiteral("expiry") << k;
    QTest::newRow("fractional expiry ms")
        << row().set("expiry", "1765304999000.5").json() << QStringLiteral("expiry") << k;
    QTest::newRow("expiry as a string")
        << row().set("expiry", "\"2025-12-09\"").json() << QStringLiteral("expiry") << k;
    QTest::newRow("exchange_token non-numeric") << row().setString("exchange_token", "41A15").json()
                                                << QStringLiteral("exchange_token") << k;
    QTest::newRow("exchange_token negative")
        << row().setString("exchange_token", "-5").json() << QStringLiteral("exchange_token") << k;
    QTest::newRow("exchange_token beyond 32 bits")
        << row().setString("exchange_token", "4294967296").json()
        << QStringLiteral("exchange_token") << k;
    QTest::newRow("exchange_token missing")
        << row().remove("exchange_token").json() << QStringLiteral("exchange_token") << k;
    QTest::newRow("fractional freeze_quantity")
        << row().set("freeze_quantity", "1800.5").json() << QStringLiteral("freeze_quantity") << k;
    QTest::newRow("negative freeze_quantity")
        << row().set("freeze_quantity", "-1.0").json() << QStringLiteral("freeze_quantity") << k;
    QTest::newRow("bogus instrument_type on NSE_FO")
        << row().setString("instrument_type", "OPTIDX").json() << QStringLiteral("instrument_type")
        << k;
    QTest::newRow("COM on NSE_FO (only NSE_COM has spot rows)")
        << row().setString("instrument_type", "COM").json() << QStringLiteral("instrument_type")
        << k;
    QTest::newRow("missing instrument_type")
        << row().remove("instrument_type").json() << QStringLiteral("instrument_type") << k;
    QTest::newRow("missing trading_symbol")
        << row().remove("trading_symbol").json() << QStringLiteral("trading_symbol") << k;
    QTest::newRow("weekly as a string")
        << row().set("weekly", "\"true\"").json() << QStringLiteral("weekly") << k;
    QTest::newRow("name as a number")
        << row().set("name", "42").json() << QStringLiteral("name") << k;
    QTest::newRow("zero qty_multiplier")
        << row().set("qty_multiplier", "0.0").json() << QStringLiteral("qty_multiplier") << k;
}

void tst_MasterReader::badRowSkipped()
{
    QFETCH(QByteArray, badRow);
    QFETCH(QString, field);
    QFETCH(QString, key);

    const QByteArray master =
        jsonArray({nseFoOption(41914).json(), badRow, nseFoOption(41916).json()}, ",\n");
    const ReadOutcome out = readBytes(master);
    REQUIRE_READ_OK(out);
    const ReadSummary &summary = *out.result;
    QCOMPARE(summary.rowsRead, std::int64_t{3});
    QCOMPARE(summary.rowsAccepted, std::int64_t{2});
    QCOMPARE(summary.rowsSkipped, std::int64_t{1});
    QCOMPARE(summary.issues.size(), std::size_t{1});
    const RowIssue &issue = summary.issues.front();
    QCOMPARE(issue.row, std::int64_t{2});
    QCOMPARE(qs(issue.field), field);
    QCOMPARE(qs(issue.instrumentKey), key);
    QVERIFY(!issue.message.isEmpty());
    const QString text = issue.toString();
    QVERIFY2(text.startsWith(QLatin1String("row 2")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("'%1'").arg(field)), qPrintable(text));

    // The good rows around it are still delivered, in order.
    const std::vector<std::string> expectedKeys = {"NSE_FO|41914", "NSE_FO|41916"};
    QVERIFY(keysOf(out.records) == expectedKeys);
    QCOMPARE(out.records[1].lotSize, 75);
}

void tst_MasterReader::manyIssuesKeptInOrder()
{
    std::vector<QByteArray> rows;
    std::vector<std::int64_t> badRows;
    for (int i = 1; i <= 100; ++i) {
        Row row = nseFoOption(50000 + i);
        if (i % 5 == 0) { // 20 bad rows: 5, 10, ..., 100
            row.set("tick_size", "0.0");
            badRows.push_back(i);
        }
        rows.push_back(row.json());
    }
    ReadOptions options;
    options.maxIssuesKept = 3;
    const ReadOutcome out = readBytes(jsonArray(rows), options);
    REQUIRE_READ_OK(out);
    QCOMPARE(out.result->rowsRead, std::int64_t{100});
    QCOMPARE(out.result->rowsSkipped, std::int64_t{20});
    QCOMPARE(out.result->rowsAccepted, std::int64_t{80});
    QCOMPARE(out.records.size(), std::size_t{80});
    QCOMPARE(out.result->issues.size(), std::size_t{3}); // only the first three are kept
    for (std::size_t i = 0; i < 3; ++i) {
        QCOMPARE(out.result->issues[i].row, badRows[i]);
        QCOMPARE(qs(out.result->issues[i].field), QStringLiteral("tick_size"));
        QCOMPARE(qs(out.result->issues[i].instrumentKey),
                 QStringLiteral("NSE_FO|%1").arg(50000 + badRows[i]));
    }
}

void tst_MasterReader::tooManyBadRows_data()
{
    QTest::addColumn<int>("total");
    QTest::addColumn<int>("bad");
    QTest::addColumn<double>("fraction"); // < 0: the default
    QTest::addColumn<int>("floorRows");   // < 0: the default
    QTest::addColumn<QString>("code");    // "(ok)" when the read succeeds

    const QString ok = QStringLiteral("(ok)");
    const QString tooMany = QStringLiteral("TooManyBadRows");
    // Defaults: 1% of the rows, but never fewer than 50.
    QTest::newRow("defaults: 60 of 100 bad") << 100 << 60 << -1.0 << -1 << tooMany;
    QTest::newRow("defaults: 51 of 100 bad") << 100 << 51 << -1.0 << -1 << tooMany;
    QTest::newRow("defaults: 50 of 100 bad (the floor)") << 100 << 50 << -1.0 << -1 << ok;
    QTest::newRow("defaults: 60 of 6000 bad (1%)") << 6000 << 60 << -1.0 << -1 << ok;
    QTest::newRow("defaults: 61 of 6000 bad") << 6000 << 61 << -1.0 << -1 << tooMany;
    QTest::newRow("fraction 0.3, floor 0: 30 of 100") << 100 << 30 << 0.3 << 0 << ok;
    QTest::newRow("fraction 0.3, floor 0: 31 of 100") << 100 << 31 << 0.3 << 0 << tooMany;
    QTest::newRow("fraction 0, floor 10: 10 of 100") << 100 << 10 << 0.0 << 10 << ok;
    QTest::newRow("fraction 0, floor 10: 11 of 100") << 100 << 11 << 0.0 << 10 << tooMany;
    QTest::newRow("fraction 0, floor 0: 1 of 100") << 100 << 1 << 0.0 << 0 << tooMany;
    QTest::newRow("fraction 0, floor 0: none bad") << 100 << 0 << 0.0 << 0 << ok;
    QTest::newRow("all 3 rows bad, under the floor")
        << 3 << 3 << -1.0 << -1 << QStringLiteral("Validation");
}

void tst_MasterReader::tooManyBadRows()
{
    QFETCH(int, total);
    QFETCH(int, bad);
    QFETCH(double, fraction);
    QFETCH(int, floorRows);
    QFETCH(QString, code);

    std::vector<QByteArray> rows;
    int badSoFar = 0;
    for (int i = 0; i < total; ++i) {
        Row row = nseFoOption(60000 + i);
        // Spread the bad rows over the file.
        const bool isBad = (i + 1) * bad / total != i * bad / total;
        if (isBad) {
            row.set("lot_size", "-1");
            ++badSoFar;
        }
        rows.push_back(row.json());
    }
    QCOMPARE(badSoFar, bad);

    ReadOptions options;
    if (fraction >= 0)
        options.maxSkippedFraction = fraction;
    if (floorRows >= 0)
        options.skippedRowsFloor = floorRows;
    const ReadOutcome out = readBytes(jsonArray(rows), options);
    QCOMPARE(out.errorCode(), code);
    if (out.ok()) {
        QCOMPARE(out.result->rowsSkipped, std::int64_t{bad});
        QCOMPARE(out.result->rowsAccepted, std::int64_t{total - bad});
    } else if (code == QLatin1String("TooManyBadRows")) {
        QVERIFY2(out.errorMessage().contains(QStringLiteral("%1 of %2 rows").arg(bad).arg(total)),
                 qPrintable(out.errorMessage()));
        QVERIFY2(out.errorMessage().contains(QLatin1String("lot_size")),
                 qPrintable(out.errorMessage())); // names the first problem
    }
}

// ---- fatal errors ----------------------------------------------------------------------------

void tst_MasterReader::fatalJson_data()
{
    QTest::addColumn<QByteArray>("master");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QStringList>("mentions");

    const QByteArray a = nseFoOption(41914).json();
    const QByteArray b = nseFoOption(41916).json();
    const QString parse = QStringLiteral("Parse");
    const auto n = [](qsizetype v) { return QString::number(v); };

    QTest::newRow("empty input") << QByteArray() << parse << QStringList{QStringLiteral("empty")};
    QTest::newRow("only whitespace")
        << QByteArray(" \n\t\r\n ") << parse << QStringList{QStringLiteral("empty")};
    QTest::newRow("JSON cut mid-row")
        << QByteArray('[' + a + ",\n" + b.left(b.size() / 2)) << parse
        << QStringList{QStringLiteral("middle of row 2"), QStringLiteral("truncated")};
    QTest::newRow("cut inside the first row's string")
        << QByteArray('[' + a.left(30)) << parse << QStringList{QStringLiteral("row 1")};
    QTest::newRow("missing closing ]")
        << QByteArray('[' + a + ',' + b) << parse
        << QStringList{QStringLiteral("after row 2"), QStringLiteral("closing ']'")};
    QTest::newRow("missing closing ] after a comma")
        << QByteArray('[' + a + ",\n") << parse
        << QStringList{QStringLiteral("after row 1"), QStringLiteral("closing ']'")};
    QTest::newRow("only [") << QByteArray("[") << parse
                            << QStringList{QStringLiteral("closing ']'")};
    QTest::newRow("garbage after ]") << QByteArray('[' + a + "]x") << parse
                                     << QStringList{QStringLiteral("after the closing ']'"),
                                                    QStringLiteral("byte %1").arg(n(a.size() + 2))};
    QTest::newRow("a second array after ]")
        << QByteArray('[' + a + "]\n[" + b + ']') << parse
        << QStringList{QStringLiteral("after the closing ']'"),
                       QStringLiteral("byte %1").arg(n(a.size() + 3))};
    QTest::newRow("missing comma between rows")
        << QByteArray('[' + a + ' ' + b + ']') << parse
        << QStringList{QStringLiteral("expected ',' or ']'"),
                       QStringLiteral("byte %1").arg(n(a.size() + 2)),
                       QStringLiteral("after row 1")};
    QTest::newRow("trailing comma") << QByteArray('[' + a + ",]") << parse
                                    << QStringList{QStringLiteral("expected a row object")};
    QTest::newRow("leading comma")
        << QByteArray("[," + a + ']') << parse
        << QStringList{QStringLiteral("expected a row object"), QStringLiteral("byte 1")};
    QTest::newRow("a number as a row")
        << QByteArray('[' + a + ",42]") << parse
        << QStringList{QStringLiteral("expected a row object"), QStringLiteral("after row 1")};
    QTest::newRow("an array as a row") << QByteArray("[[" + a + "]]") << parse
                                       << QStringList{QStringLiteral("expected a row object")};
    QTest::newRow("null as a row")
        << QByteArray("[null]") << parse << QStringList{QStringLiteral("expected a row object")};
    QTest::newRow("double comma inside a row")
        << QByteArray(R"([{"segment":"NSE_FO",,}])") << parse
        << QStringList{QStringLiteral("row 1"), QStringLiteral("malformed JSON")};
    QTest::newRow("double comma in the second row")
        << QByteArray('[' + a + R"(,{"segment":"NSE_FO",,"name":"X"}])") << parse
        << QStringList{QStringLiteral("row 2"), QStringLiteral("malformed JSON")};
    QTest::newRow("missing comma inside a row")
        << QByteArray(R"([{"segment":"NSE_FO" "name":"NIFTY"}])") << parse
        << QStringList{QStringLiteral("row 1")};
    QTest::newRow("missing colon inside a row")
        << QByteArray(R"([{"segment" "NSE_FO"}])") << parse << QStringList{QStringLiteral("row 1")};
    QTest::newRow("unquoted key") << QByteArray(R"([{segment:"NSE_FO"}])") << parse
                                  << QStringList{QStringLiteral("row 1")};
    QTest::newRow("trailing comma inside a row") << QByteArray(R"([{"segment":"NSE_FO",}])")
                                                 << parse << QStringList{QStringLiteral("row 1")};
    QTest::newRow("unterminated string")
        << QByteArray(R"([{"segment":"NSE_FO}])") << parse << QStringList{QStringLiteral("row 1")};
    QTest::newRow("unterminated string, more rows follow")
        << QByteArray('[' + a + R"(,{"name":"NIFTY},)" + b + ']') << parse
        << QStringList{QStringLiteral("row 2")};
    QTest::newRow("invalid UTF-8 in a string")
        << QByteArray('[' + a + ',' + nseFoOption(41917).setString("name", "NI\xff\xfeTY").json() +
                      ']')
        << parse << QStringList{QStringLiteral("row 2")};
    // A number token that is not JSON is a syntax error like any other.
    QTest::newRow("malformed number in lot_size")
        << QByteArray('[' + a + ',' + nseFoOption(41917).set("lot_size", "75x").json() + ']')
        << parse << QStringList{QStringLiteral("row 2")};
    QTest::newRow("malformed literal in weekly")
        << QByteArray('[' + a + ',' + nseFoOption(41917).set("weekly", "tru").json() + ']') << parse
        << QStringList{QStringLiteral("row 2")};
    QTest::newRow("mismatched bracket closes a row")
        << QByteArray(R"([{"segment":"NSE_FO"]])") << parse << QStringList{QStringLiteral("row 1")};
}

void tst_MasterReader::fatalJson()
{
    QFETCH(QByteArray, master);
    QFETCH(QString, code);
    QFETCH(QStringList, mentions);

    const ReadOutcome out = readBytes(master);
    QVERIFY2(!out.ok(), "the read should fail");
    QCOMPARE(out.errorCode(), code);
    for (const QString &m : mentions)
        QVERIFY2(
            out.errorMessage().contains(m),
            qPrintable(QStringLiteral("'%1' does not mention '%2'").arg(out.errorMessage(), m)));

    // Gzipped, the same bytes fail the same way.
    const ReadOutcome gz = readBytes(gzipMember(master));
    QVERIFY(!gz.ok());
    QCOMPARE(gz.errorCode(), code);
    QCOMPARE(gz.errorMessage(), out.errorMessage());
}

void tst_MasterReader::topLevelNotArray_data()
{
    QTest::addColumn<QByteArray>("master");
    QTest::addColumn<qsizetype>("offset");
    QTest::newRow("an object") << QByteArray(NseFoOptionRow) << qsizetype{0};
    QTest::newRow("a number") << QByteArray("42") << qsizetype{0};
    QTest::newRow("a string") << QByteArray("\"[]\"") << qsizetype{0};
    QTest::newRow("whitespace, then an object") << QByteArray("\n  {}") << qsizetype{3};
    QTest::newRow("BOM, then an object") << QByteArray("\xEF\xBB\xBF{}") << qsizetype{3};
}

void tst_MasterReader::topLevelNotArray()
{
    QFETCH(QByteArray, master);
    QFETCH(qsizetype, offset);

    // Told it is JSON, the reader names the problem and where it is.
    ReadOptions json;
    json.format = MasterFormat::Json;
    const ReadOutcome out = readBytes(master, json);
    QVERIFY(!out.ok());
    QCOMPARE(out.errorCode(), QStringLiteral("Parse"));
    QVERIFY2(out.errorMessage().contains(QLatin1String("must be a JSON array")),
             qPrintable(out.errorMessage()));
    QVERIFY2(out.errorMessage().contains(QStringLiteral("at byte %1 ").arg(offset)),
             qPrintable(out.errorMessage()));
    QVERIFY(out.records.empty());

    // Sniffing (Auto) takes anything but '[' for CSV; that must fail too, never crash or
    // deliver instruments.
    const ReadOutcome sniffed = readBytes(master);
    QVERIFY(!sniffed.ok());
    QVERIFY(!sniffed.errorMessage().isEmpty());
    QVERIFY(sniffed.records.empty());
}

void tst_MasterReader::truncatedGzip_data()
{
    QTest::addColumn<QByteArray>("compressed");
    QTest::addColumn<qsizetype>("cut");

    const QByteArray gz = gzipMember(noisyMaster(NoisyRows));
    QVERIFY(gz.size() > 2 * InputChunkSize); // spans several device reads
    QTest::newRow("header only") << gz << qsizetype{10};
    QTest::newRow("a third") << gz << gz.size() / 3;
    QTest::newRow("half") << gz << gz.size() / 2;
    QTest::newRow("at an input chunk boundary") << gz << InputChunkSize;
    QTest::newRow("without the 8-byte trailer") << gz << gz.size() - 8;
    QTest::newRow("last byte missing") << gz << gz.size() - 1;
}

void tst_MasterReader::truncatedGzip()
{
    QFETCH(QByteArray, compressed);
    QFETCH(qsizetype, cut);

    const ReadOutcome whole = readBytes(compressed);
    REQUIRE_READ_OK(whole);
    QCOMPARE(whole.result->rowsAccepted, std::int64_t{NoisyRows});

    const ReadOutcome out = readBytes(compressed.left(cut));
    QVERIFY(!out.ok());
    QCOMPARE(out.errorCode(), QStringLiteral("Gzip"));
    QVERIFY2(out.errorMessage().contains(QLatin1String("truncated")),
             qPrintable(out.errorMessage()));
    QVERIFY2(out.errorMessage().contains(QStringLiteral("after %1 compressed bytes").arg(cut)),
             qPrintable(out.errorMessage()));
    QVERIFY(out.records.size() < std::size_t{NoisyRows});
}

void tst_MasterReader::corruptGzip_data()
{
    QTest::addColumn<QByteArray>("corrupt");
    QTest::addColumn<QStringList>("codes"); // any of these

    const QByteArray gz = gzipMember(noisyMaster(NoisyRows));
    const auto flip = [&gz](qsizetype at, qsizetype count) {
        QByteArray out = gz;
        for (qsizetype i = at; i < at + count && i < out.size(); ++i)
            out[i] = static_cast<char>(~out[i]);
        return out;
    };
    const QStringList gzipOrParse = {QStringLiteral("Gzip"), QStringLiteral("Parse")};
    const QStringList gzipOnly = {QStringLiteral("Gzip")};

    QTest::newRow("16 bytes flipped at 1/2") << flip(gz.size() / 2, 16) << gzipOrParse;
    QTest::newRow("16 bytes flipped at 1/3") << flip(gz.size() / 3, 16) << gzipOrParse;
    QTest::newRow("16 bytes flipped at 2/3") << flip(gz.size() * 2 / 3, 16) << gzipOrParse;
    QTest::newRow("1 byte flipped at 1/2") << flip(gz.size() / 2, 1) << gzipOrParse;
    QTest::newRow("first deflate byte flipped") << flip(10, 1) << gzipOrParse;
    QTest::newRow("4 KiB flipped in the middle") << flip(gz.size() / 2, 4096) << gzipOrParse;
    QTest::newRow("CRC32 wrong") << flip(gz.size() - 8, 1) << gzipOnly;
    QTest::newRow("ISIZE wrong") << flip(gz.size() - 4, 1) << gzipOnly;
    QByteArray method = gz;
    method[2] = '\x07'; // not deflate
    QTest::newRow("unknown compression method") << method << gzipOnly;
    QByteArray flags = gz;
    flags[3] = '\xE0'; // reserved flag bits
    QTest::newRow("reserved header flags") << flags << gzipOnly;
    QByteArray magic = gz;
    magic[1] = '\x8c'; // no longer gzip: read as (binary) plain text
    QTest::newRow("broken magic") << magic << gzipOrParse;
}

void tst_MasterReader::corruptGzip()
{
    QFETCH(QByteArray, corrupt);
    QFETCH(QStringList, codes);
    const ReadOutcome out = readBytes(corrupt);
    QVERIFY2(!out.ok(), "a corrupt gzip must not read as a master");
    QVERIFY2(codes.contains(out.errorCode()),
             qPrintable(out.errorCode() + QStringLiteral(": ") + out.errorMessage()));
    QVERIFY(!out.errorMessage().isEmpty());
    if (out.errorCode() == QLatin1String("Gzip")) // says where
        QVERIFY2(out.errorMessage().contains(QLatin1String("compressed byte")),
                 qPrintable(out.errorMessage()));
}

void tst_MasterReader::dataAfterGzipStream()
{
    const QByteArray master = jsonArray({NseFoOptionRow, NseEqRow});
    const QByteArray gz = gzipMember(master);

    // Zero padding (some tools pad to a block size) is ignored.
    const ReadOutcome padded = readBytes(gz + QByteArray(512, '\0'));
    REQUIRE_READ_OK(padded);
    QCOMPARE(padded.result->rowsAccepted, std::int64_t{2});
    QCOMPARE(padded.result->bytesDecoded, std::int64_t{master.size()});

    // Anything else after the stream is an error naming where it starts.
    const ReadOutcome garbage = readBytes(gz + QByteArray("garbage"));
    QVERIFY(!garbage.ok());
    QCOMPARE(garbage.errorCode(), QStringLiteral("Gzip"));
    QVERIFY2(garbage.errorMessage().contains(QStringLiteral("compressed byte %1").arg(gz.size())),
             qPrintable(garbage.errorMessage()));
}

void tst_MasterReader::cancelBeforeReading()
{
    std::atomic_bool cancel{true};
    ReadOptions options;
    options.cancel = &cancel;
    const ReadOutcome out = readBytes(jsonArray({NseFoOptionRow}), options);
    QVERIFY(!out.ok());
    QCOMPARE(out.errorCode(), QStringLiteral("Cancelled"));
    QVERIFY(out.records.empty());

    const ReadOutcome gz = readBytes(gzipMember(jsonArray({NseFoOptionRow})), options);
    QCOMPARE(gz.errorCode(), QStringLiteral("Cancelled"));

    // A flag that is present but clear changes nothing.
    std::atomic_bool clear{false};
    options.cancel = &clear;
    const ReadOutcome notCancelled = readBytes(jsonArray({NseFoOptionRow}), options);
    REQUIRE_READ_OK(notCancelled);
}

void tst_MasterReader::cancelWhileReading()
{
    constexpr std::int64_t rows = 20000;
    GeneratedMaster device(rows);
    QVERIFY(device.open(QIODevice::ReadOnly | QIODevice::Unbuffered));
    std::atomic_bool cancel{false};
    int progressCalls = 0;
    ReadOptions options;
    options.cancel = &cancel;
    options.progress = [&](std::int64_t) {
        ++progressCalls;
        cancel.store(true); // the user presses Cancel after the first chunk
    };
    const ReadOutcome out = readDevice(device, options);
    QVERIFY(!out.ok());
    QCOMPARE(out.errorCode(), QStringLiteral("Cancelled"));
    QVERIFY(progressCalls >= 1);
    QVERIFY(out.records.size() < static_cast<std::size_t>(rows));
    QVERIFY(device.bytesProduced() < 20 * InputChunkSize); // it stopped reading
}

void tst_MasterReader::deviceNotReadable()
{
    const QByteArray master = jsonArray({NseFoOptionRow});
    QBuffer closed;
    closed.setData(master);
    const ReadOutcome notOpen = readDevice(closed);
    QVERIFY(!notOpen.ok());
    QCOMPARE(notOpen.errorCode(), QStringLiteral("Io"));
    QVERIFY2(notOpen.errorMessage().contains(QLatin1String("not open")),
             qPrintable(notOpen.errorMessage()));

    QBuffer writeOnly;
    QVERIFY(writeOnly.open(QIODevice::WriteOnly));
    const ReadOutcome cannotRead = readDevice(writeOnly);
    QVERIFY(!cannotRead.ok());
    QCOMPARE(cannotRead.errorCode(), QStringLiteral("Io"));

    EmptySequential empty;
    QVERIFY(empty.open(QIODevice::ReadOnly));
    const ReadOutcome nothing = readDevice(empty);
    QVERIFY(!nothing.ok());
    QCOMPARE(nothing.errorCode(), QStringLiteral("Parse"));
    QVERIFY2(nothing.errorMessage().contains(QLatin1String("empty")),
             qPrintable(nothing.errorMessage()));
}

void tst_MasterReader::fileErrors()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());

    const QString missing = dir.filePath(QStringLiteral("no-such-master.json.gz"));
    const ReadOutcome notThere = readFile(missing);
    QVERIFY(!notThere.ok());
    QCOMPARE(notThere.errorCode(), QStringLiteral("Io"));
    QVERIFY2(notThere.errorMessage().contains(QLatin1String("no-such-master.json.gz")),
             qPrintable(notThere.errorMessage()));

    const ReadOutcome directory = readFile(dir.path());
    QVERIFY(!directory.ok());

    // A fatal error from a file is prefixed with the file's name.
    const QString broken = dir.filePath(QStringLiteral("broken.json"));
    {
        QFile f(broken);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray('[' + QByteArray(NseFoOptionRow) + ",{"));
    }
    const ReadOutcome parse = readFile(broken);
    QVERIFY(!parse.ok());
    QCOMPARE(parse.errorCode(), QStringLiteral("Parse"));
    QVERIFY2(parse.errorMessage().startsWith(QLatin1String("broken.json: ")),
             qPrintable(parse.errorMessage()));
    QVERIFY2(parse.errorMessage().contains(QLatin1String("row 2")),
             qPrintable(parse.errorMessage()));

    const QString truncated = dir.filePath(QStringLiteral("truncated.json.gz"));
    const QByteArray gz = gzipMember(noisyMaster(200));
    {
        QFile f(truncated);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(gz.left(gz.size() / 2));
    }
    const ReadOutcome gzip = readFile(truncated);
    QVERIFY(!gzip.ok());
    QCOMPARE(gzip.errorCode(), QStringLiteral("Gzip"));
    QVERIFY2(gzip.errorMessage().startsWith(QLatin1String("truncated.json.gz: ")),
             qPrintable(gzip.errorMessage()));
}

// ---- streaming -------------------------------------------------------------------------------

void tst_MasterReader::streamsLargeMaster_data()
{
    QTest::addColumn<qint64>("rows");
    QTest::addColumn<bool>("gzip");
    QTest::newRow("300k rows, plain, generated on the fly") << qint64{300000} << false;
    QTest::newRow("100k rows, gzipped on the fly") << qint64{100000} << true;
}

void tst_MasterReader::streamsLargeMaster()
{
    QFETCH(qint64, rows);
    QFETCH(bool, gzip);

    GeneratedMaster generated(rows);
    QVERIFY(generated.open(QIODevice::ReadOnly | QIODevice::Unbuffered));
    GzipOnTheFly compressed(generated);
    if (gzip)
        QVERIFY(compressed.open(QIODevice::ReadOnly | QIODevice::Unbuffered));
    QIODevice &device = gzip ? static_cast<QIODevice &>(compressed) : generated;

    std::vector<std::int64_t> progress;
    ReadOptions options;
    options.progress = [&progress](std::int64_t consumed) { progress.push_back(consumed); };

    std::int64_t seen = 0;
    std::int64_t outOfOrder = 0;
    std::int64_t weekly = 0;
    std::string lastKey;
    const Result<ReadSummary> result = readMaster(
        device,
        [&](InstrumentRecord &&r) {
            if (r.exchangeToken != static_cast<std::uint32_t>(100000 + seen))
                ++outOfOrder;
            weekly += r.weekly ? 1 : 0;
            ++seen;
            lastKey = std::move(r.instrumentKey);
        },
        options);
    QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
    const ReadSummary &summary = *result;

    QCOMPARE(seen, std::int64_t{rows});
    QCOMPARE(outOfOrder, std::int64_t{0});
    QCOMPARE(weekly, std::int64_t{(rows + 1) / 2});
    QCOMPARE(qs(lastKey), QStringLiteral("NSE_FO|%1").arg(100000 + rows - 1));
    QCOMPARE(summary.rowsRead, std::int64_t{rows});
    QCOMPARE(summary.rowsAccepted, std::int64_t{rows});
    QCOMPARE(summary.rowsSkipped, std::int64_t{0});
    QCOMPARE(summary.gzip, gzip);
    QCOMPARE(summary.bytesDecoded, generated.bytesProduced());
    QCOMPARE(summary.bytesConsumed, gzip ? compressed.bytesProduced() : generated.bytesProduced());
    QVERIFY(generated.bytesProduced() > rows * 500); // it really was a big master
    QVERIFY(generated.largestPiece() < 1024);        // ... never held in one piece

    // Progress: many calls, strictly increasing, ending at what was consumed.
    QVERIFY(progress.size() >= 2);
    QVERIFY(std::adjacent_find(progress.begin(), progress.end(), std::greater_equal<>()) ==
            progress.end());
    QVERIFY(progress.front() > 0);
    QCOMPARE(progress.back(), summary.bytesConsumed);
}

void tst_MasterReader::progressOnBuffer()
{
    const QByteArray plain = noisyMaster(4000);
    const QByteArray gz = gzipMember(plain);
    for (const QByteArray *bytes : {&plain, &gz}) {
        std::vector<std::int64_t> progress;
        ReadOptions options;
        options.progress = [&progress](std::int64_t consumed) { progress.push_back(consumed); };
        const ReadOutcome out = readBytes(*bytes, options);
        REQUIRE_READ_OK(out);
        QCOMPARE(out.result->bytesConsumed, std::int64_t{bytes->size()});
        QCOMPARE(out.result->bytesDecoded, std::int64_t{plain.size()});
        QVERIFY(!progress.empty());
        QVERIFY(std::adjacent_find(progress.begin(), progress.end(), std::greater_equal<>()) ==
                progress.end());
        QCOMPARE(progress.back(), std::int64_t{bytes->size()});
        QVERIFY(progress.size() >= 2); // both are larger than one device read
    }
}

// ---- escapes and boundaries ------------------------------------------------------------------

void tst_MasterReader::escapes()
{
    const QByteArray escaped =
        nseFoOption(41915)
            .set("name", R"("A \"quoted\" back\\slash caf\u00e9 }]{[ \/ tab\t smile\ud83d\ude00")")
            .setString("trading_symbol", "ODD}] 26250 CE 09 DEC 25")
            .set("instrument_key", R"("NSE_FO\u007c41915")")
            .setString("asset_key", "}}]]")
            .json();
    const QByteArray master =
        jsonArray({nseFoOption(41914).json(), escaped, nseFoOption(41916).json()});
    const ReadOutcome out = readBytes(master);
    REQUIRE_READ_OK(out);
    QCOMPARE(out.records.size(), std::size_t{3});
    const InstrumentRecord &r = out.records[1];
    QCOMPARE(qs(r.name), QString::fromUtf8("A \"quoted\" back\\slash caf\xC3\xA9 }]{[ / tab\t smile"
                                           "\xF0\x9F\x98\x80"));
    QCOMPARE(qs(r.tradingSymbol), QStringLiteral("ODD}] 26250 CE 09 DEC 25"));
    QCOMPARE(qs(r.instrumentKey), QStringLiteral("NSE_FO|41915"));
    QCOMPARE(out.records[0].instrumentKey, std::string("NSE_FO|41914"));
    QCOMPARE(out.records[2].instrumentKey, std::string("NSE_FO|41916"));
}

namespace {

// A master whose escape's backslash sits at decoded byte `target`, with filler rows before it so
// that no row exceeds 1 MiB. Returns the master and the decoded name of the escape row.
std::pair<QByteArray, QByteArray> boundaryMaster(qsizetype target, const QByteArray &escapeJson,
                                                 const QByteArray &escapeText, qsizetype tailLength)
{
    const auto head = [](int id) {
        return QByteArray(R"({"segment":"NSE_EQ","instrument_key":"NSE_EQ|PAD)" +
                          QByteArray::number(id) + R"(","name":")");
    };
    const QByteArray tail = R"(","instrument_type":"EQ","exchange_token":"1",)"
                            R"("trading_symbol":"PAD","lot_size":1,"tick_size":5.0,)"
                            R"("freeze_quantity":100000.0})";
    QByteArray doc = "[";
    int id = 0;
    while (target - doc.size() > 900 * 1024) {
        doc += head(id++) + QByteArray(600 * 1024, 'p') + tail + ",\n";
    }
    const QByteArray h = head(id);
    const qsizetype before = target - doc.size() - h.size();
    const QByteArray after(tailLength, 'y');
    doc += h + QByteArray(before, 'x') + escapeJson + after + tail + ",\n" + head(id + 1) + "z" +
           tail + ']';
    return {doc, QByteArray(QByteArray(before, 'x') + escapeText + after)};
}

} // namespace

void tst_MasterReader::escapeAcrossChunkBoundary_data()
{
    QTest::addColumn<qsizetype>("target");
    QTest::addColumn<QByteArray>("escapeJson");
    QTest::addColumn<QByteArray>("escapeText");
    QTest::addColumn<qsizetype>("tailLength");
    QTest::addColumn<bool>("gzip");

    // The parser's buffer first ends at decoded byte 2 * ChunkSize (its first refill reads up to
    // its 2 MiB capacity after the 64-byte sniff and the '['); 1 MiB is the chunk size itself.
    // Each case puts the backslash just before, on and just after such a boundary.
    struct Escape
    {
        const char *label;
        QByteArray json;
        QByteArray text;
        qsizetype tail;
    };
    // After \" come '}' and ']': if the scanner lost the escape, the quote would end the string
    // and the '}' would end the row early. \\ is the string's last character: if the scanner
    // took the second backslash for an escape, it would swallow the closing quote.
    const Escape escapes[] = {
        {"quote", R"(\"}]{[,)", R"("}]{[,)", 1000},
        {"backslash", R"(\\)", R"(\)", 0},
        {"unicode", R"(\u00e9})", "\xC3\xA9}", 1000},
    };
    const qsizetype boundaries[] = {qsizetype{detail::ChunkSize}, 2 * qsizetype{detail::ChunkSize}};
    for (const Escape &e : escapes) {
        for (qsizetype boundary : boundaries) {
            for (qsizetype delta : {-1, 0, 1}) {
                const QByteArray name = QByteArray(e.label) + " at " +
                                        QByteArray::number(boundary) +
                                        (delta < 0   ? "-1"
                                         : delta > 0 ? "+1"
                                                     : "");
                QTest::newRow(name.constData())
                    << boundary + delta << e.json << e.text << e.tail << false;
            }
        }
        const QByteArray gzName = QByteArray(e.label) + " at 2 MiB, gzip";
        QTest::newRow(gzName.constData())
            << 2 * qsizetype{detail::ChunkSize} << e.json << e.text << e.tail << true;
    }
}

void tst_MasterReader::escapeAcrossChunkBoundary()
{
    QFETCH(qsizetype, target);
    QFETCH(QByteArray, escapeJson);
    QFETCH(QByteArray, escapeText);
    QFETCH(qsizetype, tailLength);
    QFETCH(bool, gzip);

    const auto [master, expectedName] = boundaryMaster(target, escapeJson, escapeText, tailLength);
    QCOMPARE(master.at(target), '\\'); // the fixture puts the backslash where intended

    const ReadOutcome out = readBytes(gzip ? gzipMember(master) : master);
    REQUIRE_READ_OK(out);
    QVERIFY(out.records.size() >= 2);
    QCOMPARE(out.result->rowsAccepted, static_cast<std::int64_t>(out.records.size()));
    QCOMPARE(out.result->bytesDecoded, std::int64_t{master.size()});
    const InstrumentRecord &escaped = out.records[out.records.size() - 2];
    QCOMPARE(escaped.name.size(), static_cast<std::size_t>(expectedName.size()));
    QVERIFY(escaped.name == expectedName.toStdString());
    QCOMPARE(out.records.back().name, std::string("z"));
}

void tst_MasterReader::rowSizeLimit_data()
{
    QTest::addColumn<qsizetype>("rowBytes");
    QTest::addColumn<bool>("accepted");
    QTest::addColumn<QString>("mention");
    QTest::newRow("a 600 KiB row") << qsizetype{600 * 1024} << true << QString();
    QTest::newRow("a row of exactly 1 MiB") << MaxRowBytes << true << QString();
    QTest::newRow("1 MiB + 1 byte") << MaxRowBytes + 1 << false << QStringLiteral("row 2");
    QTest::newRow("a 1.9 MiB row")
        << qsizetype{MaxRowBytes * 19 / 10} << false << QStringLiteral("row 2");
    QTest::newRow("a 5 MiB row") << 5 * MaxRowBytes << false << QStringLiteral("larger than");
    QTest::newRow("a 64 MiB row") << 64 * MaxRowBytes << false << QStringLiteral("larger than");
}

void tst_MasterReader::rowSizeLimit()
{
    QFETCH(qsizetype, rowBytes);
    QFETCH(bool, accepted);
    QFETCH(QString, mention);

    const QByteArray head = R"({"segment":"NSE_EQ","instrument_key":"NSE_EQ|BIG","name":")";
    const QByteArray tail = R"(","instrument_type":"EQ","exchange_token":"1",)"
                            R"("trading_symbol":"BIG","lot_size":1,"tick_size":5.0})";
    const QByteArray big = head + QByteArray(rowBytes - head.size() - tail.size(), 'n') + tail;
    QCOMPARE(big.size(), rowBytes);
    const QByteArray master = jsonArray({NseEqRow, big, NseIndexRow}, ",\n");

    const ReadOutcome out = readBytes(master);
    if (accepted) {
        REQUIRE_READ_OK(out);
        QCOMPARE(out.result->rowsAccepted, std::int64_t{3});
        QCOMPARE(out.records[1].name.size(),
                 static_cast<std::size_t>(rowBytes - head.size() - tail.size()));
    } else {
        QVERIFY(!out.ok());
        QCOMPARE(out.errorCode(), QStringLiteral("Parse"));
        QVERIFY2(out.errorMessage().contains(mention), qPrintable(out.errorMessage()));
        QVERIFY(out.records.size() <= 1);
    }
}

// ---- containers ------------------------------------------------------------------------------

void tst_MasterReader::concatenatedGzipMembers_data()
{
    QTest::addColumn<QByteArray>("plain");
    QTest::addColumn<QList<qsizetype>>("splits"); // member boundaries in the plain text

    const QByteArray escaped = nseFoOption(41916).set("name", R"("split \"here\" ok")").json();
    const QByteArray master = jsonArray({NseFoOptionRow, NseEqRow, escaped, NcdFoRow}, ",\n");
    const qsizetype secondRow = master.indexOf("{\"segment\":\"NSE_EQ\"");
    const qsizetype backslash = master.indexOf("\\\"here");

    QTest::newRow("two members, split between rows") << master << QList<qsizetype>{secondRow};
    QTest::newRow("two members, split mid-row") << master << QList<qsizetype>{secondRow + 40};
    QTest::newRow("two members, split inside an escape")
        << master << QList<qsizetype>{backslash + 1};
    QTest::newRow("two members, split after '['") << master << QList<qsizetype>{1};
    QTest::newRow("three members and an empty one")
        << master << QList<qsizetype>{secondRow, secondRow, backslash};
    QList<qsizetype> every7;
    for (qsizetype at = 7; at < master.size(); at += 7)
        every7.append(at);
    QTest::newRow("a member every 7 bytes") << master << every7;
    const QByteArray noisy = noisyMaster(NoisyRows);
    QTest::newRow("two big members") << noisy << QList<qsizetype>{noisy.size() / 2 + 13};
}

void tst_MasterReader::concatenatedGzipMembers()
{
    QFETCH(QByteArray, plain);
    QFETCH(QList<qsizetype>, splits);

    QByteArray members; // like `gzip -c a b > c`
    qsizetype from = 0;
    for (qsizetype at : splits) {
        members += gzipMember(plain.mid(from, at - from));
        from = at;
    }
    members += gzipMember(plain.mid(from));

    const ReadOutcome reference = readBytes(plain);
    REQUIRE_READ_OK(reference);
    const ReadOutcome out = readBytes(members);
    REQUIRE_READ_OK(out);
    QVERIFY(out.result->gzip);
    QCOMPARE(out.result->bytesConsumed, std::int64_t{members.size()});
    QCOMPARE(out.result->bytesDecoded, std::int64_t{plain.size()});
    QCOMPARE(out.result->rowsAccepted, reference.result->rowsAccepted);
    QCOMPARE(out.records.size(), reference.records.size());
    QVERIFY(out.records == reference.records);
}

void tst_MasterReader::gzipMemberBoundaryAtInputChunkEnd_data()
{
    QTest::addColumn<qsizetype>("firstMemberSize");
    // The reader reads the device in 256 KiB chunks; put the second member's first byte(s) at
    // the end of the first chunk.
    for (qsizetype delta : {-3, -2, -1, 0, 1}) {
        const QByteArray name = "first member ends at 256 KiB" + (delta < 0 ? QByteArray() : "+") +
                                QByteArray::number(delta);
        QTest::newRow(name.constData()) << InputChunkSize + delta;
    }
}

void tst_MasterReader::gzipMemberBoundaryAtInputChunkEnd()
{
    QFETCH(qsizetype, firstMemberSize);

    const QByteArray first = "[" + QByteArray(NseFoOptionRow) + ",";
    const QByteArray second = QByteArray(NseEqRow) + "]";
    const qsizetype unpadded = gzipMember(first).size();
    // FNAME adds nameLength + 1 bytes; it pads the first member to the exact size wanted.
    const QByteArray member1 = gzipMember(first, firstMemberSize - unpadded - 1);
    QCOMPARE(member1.size(), firstMemberSize);
    const QByteArray members = member1 + gzipMember(second);

    const ReadOutcome out = readBytes(members);
    QVERIFY2(out.ok(), qPrintable(out.errorMessage()));
    QCOMPARE(out.result->rowsAccepted, std::int64_t{2});
    QCOMPARE(out.result->bytesConsumed, std::int64_t{members.size()});
}

void tst_MasterReader::utf8Bom_data()
{
    QTest::addColumn<QByteArray>("master");
    QTest::addColumn<bool>("accepted");
    QTest::addColumn<qsizetype>("decoded");
    const QByteArray bom = "\xEF\xBB\xBF";
    const QByteArray json = jsonArray({NseFoOptionRow, NseEqRow});
    QTest::newRow("BOM [") << QByteArray(bom + json) << true << json.size() + 3;
    QTest::newRow("BOM whitespace [")
        << QByteArray(bom + " \r\n\t" + json) << true << json.size() + 7;
    QTest::newRow("BOM [, gzipped") << gzipMember(bom + json) << true << json.size() + 3;
    QTest::newRow("BOM twice") << QByteArray(bom + bom + json) << false << qsizetype{0};
    QTest::newRow("half a BOM") << QByteArray("\xEF\xBB" + json) << false << qsizetype{0};
}

void tst_MasterReader::utf8Bom()
{
    QFETCH(QByteArray, master);
    QFETCH(bool, accepted);
    QFETCH(qsizetype, decoded);
    const ReadOutcome out = readBytes(master);
    if (!accepted) {
        QVERIFY(!out.ok());
        QVERIFY(out.records.empty());
        return;
    }
    REQUIRE_READ_OK(out);
    QCOMPARE(out.result->rowsAccepted, std::int64_t{2});
    QCOMPARE(out.records.front().instrumentKey, std::string("NSE_FO|41915"));
    QCOMPARE(out.result->bytesDecoded, std::int64_t{decoded});
}

void tst_MasterReader::readMasterFileMatchesBuffer()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QByteArray plain = noisyMaster(2500);
    const QByteArray gz = gzipMember(plain);
    const struct
    {
        QString name;
        QByteArray bytes;
        bool gzip;
    } files[] = {
        {QStringLiteral("NSE.json"), plain, false},
        {QStringLiteral("NSE.json.gz"), gz, true},
        {QStringLiteral("plain-but-named.json.gz"), plain, false}, // the reader sniffs
    };
    const ReadOutcome reference = readBytes(plain);
    REQUIRE_READ_OK(reference);
    QCOMPARE(reference.records.size(), std::size_t{2500});
    for (const auto &file : files) {
        const QString path = dir.filePath(file.name);
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            QCOMPARE(f.write(file.bytes), file.bytes.size());
        }
        const ReadOutcome out = readFile(path);
        REQUIRE_READ_OK(out);
        QCOMPARE(out.result->gzip, file.gzip);
        QCOMPARE(out.result->bytesConsumed, std::int64_t{file.bytes.size()});
        QCOMPARE(out.result->bytesDecoded, std::int64_t{plain.size()});
        QVERIFY(out.records == reference.records);
    }
}

// ---- bytes that are no master, and sources that are no file ---------------------------------

void tst_MasterReader::saysWhatTheBytesAre_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("says");
    const QByteArray page = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                            "<title>Site Maintenance</title></head><body>back soon</body></html>";
    QTest::newRow("maintenance page") << page << "an HTML page titled \"Site Maintenance\"";
    QTest::newRow("maintenance page, gzipped")
        << gzipMember(page) << "(inside the gzip) is an HTML page titled \"Site Maintenance\"";
    QTest::newRow("html without a title")
        << QByteArray("<html><body>Access denied</body></html>") << "an HTML page";
    QTest::newRow("xml error") << QByteArray("<?xml version=\"1.0\"?><Error><Code>AccessDenied"
                                             "</Code></Error>")
                               << "XML or HTML";
    QTest::newRow("null") << QByteArray("null") << "the JSON value null";
    QTest::newRow("null and a newline") << QByteArray("  null\n") << "the JSON value null";
    QTest::newRow("true") << QByteArray("true") << "the JSON value true";
    QTest::newRow("a number") << QByteArray("42") << "the JSON value 42";
    QTest::newRow("an error object")
        << QByteArray(R"({"status":"error","errors":[{"message":"Invalid token"}]})")
        << "a JSON object (\"{\"status\":\"error\"";
    QByteArray random(32 * 1024, '\0');
    std::uint32_t x = 12345;
    for (char &c : random) {
        x = x * 1664525u + 1013904223u;
        c = static_cast<char>(x >> 24);
    }
    QTest::newRow("random bytes") << random << "is binary";
    QTest::newRow("random bytes, gzipped") << gzipMember(random) << "(inside the gzip) is binary";
    QTest::newRow("gzipped twice")
        << gzipMember(gzipMember(QByteArray(NseFoOptionRow))) << "compressed twice";
    QTest::newRow("a zip archive")
        << QByteArray("PK\x03\x04\x14\x00\x00\x00", 8) + random << "a ZIP archive";
    QTest::newRow("text with a NUL")
        << QByteArray("instrument_key,name\n\0\0\0", 23) << "is binary";
    QTest::newRow("plain text")
        << QByteArray("Service temporarily unavailable, try later\n")
        << "the first line is \"Service temporarily unavailable,try later\"";
}

void tst_MasterReader::saysWhatTheBytesAre()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, says);
    const ReadOutcome out = readBytes(bytes);
    QVERIFY(!out.ok());
    QCOMPARE(out.errorCode(), QStringLiteral("Parse"));
    QVERIFY2(out.errorMessage().contains(says), qPrintable(out.errorMessage()));
    QVERIFY(out.records.empty());
}

void tst_MasterReader::failedReadReportsWhatItRead()
{
    // Three good rows, then a break in the syntax: the read fails, and says what it had read.
    const QByteArray master = "[" + QByteArray(NseFoOptionRow) + "," + QByteArray(NseEqRow) + "," +
                              QByteArray(NseIndexRow) + ",{\"segment\":";
    QBuffer buffer;
    buffer.setData(master);
    QVERIFY(buffer.open(QIODevice::ReadOnly));
    ReadSummary partial;
    std::int64_t delivered = 0;
    auto result = readMaster(
        buffer, [&](InstrumentRecord &&) { ++delivered; }, {}, &partial);
    QVERIFY(!result);
    QCOMPARE(delivered, std::int64_t(3));
    QCOMPARE(partial.rowsRead, std::int64_t(3));
    QCOMPARE(partial.rowsAccepted, std::int64_t(3));
    QCOMPARE(partial.bytesConsumed, std::int64_t(master.size()));

    // And on success it is the summary itself.
    QVERIFY(buffer.seek(0));
    buffer.close();
    buffer.setData(jsonArray({NseFoOptionRow, NseEqRow}));
    QVERIFY(buffer.open(QIODevice::ReadOnly));
    auto ok = readMaster(
        buffer, [](InstrumentRecord &&) {}, {}, &partial);
    QVERIFY(ok);
    QCOMPARE(partial.rowsRead, ok->rowsRead);
    QCOMPARE(partial.bytesConsumed, ok->bytesConsumed);
}

void tst_MasterReader::refusesWhatIsNoFile_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("says");
    QTest::newRow("fifo") << "FIFO"
                          << "a named pipe (FIFO)";
    QTest::newRow("/dev/zero") << "/dev/zero"
                               << "a character device";
    QTest::newRow("/dev/urandom") << "/dev/urandom"
                                  << "a character device";
    QTest::newRow("directory") << "DIR"
                               << "a directory";
}

void tst_MasterReader::refusesWhatIsNoFile()
{
    QFETCH(QString, path);
    QFETCH(QString, says);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    if (path == QLatin1String("FIFO")) {
        path = dir.filePath(QStringLiteral("master.fifo"));
        QCOMPARE(::mkfifo(QFile::encodeName(path).constData(), 0600), 0);
    } else if (path == QLatin1String("DIR")) {
        path = dir.path();
    }
    // Bounded: a reader that blocks in open() on the FIFO or reads /dev/zero for ever is set
    // free after a while (the FIFO gets a writer that closes at once, the read a cancel), so a
    // regression fails here instead of hanging the suite.
    std::atomic_bool cancel{false};
    std::atomic_bool done{false};
    std::thread watchdog([&] {
        for (int i = 0; i < 300 && !done; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        if (done)
            return;
        cancel = true;
        const int fd = ::open(QFile::encodeName(path).constData(), O_WRONLY | O_NONBLOCK);
        if (fd >= 0)
            ::close(fd);
    });
    ReadOptions options;
    options.cancel = &cancel;
    const ReadOutcome out = readFile(path, options);
    done = true;
    watchdog.join();
    QVERIFY(!out.ok());
    QCOMPARE(out.errorCode(), QStringLiteral("Io"));
    QVERIFY2(out.errorMessage().contains(says), qPrintable(out.errorMessage()));
    QVERIFY2(out.errorMessage().contains(QDir::toNativeSeparators(path)),
             qPrintable(out.errorMessage()));
    QVERIFY(!cancel);

    QFile file;
    auto opened = openMasterFile(file, path);
    QVERIFY(!opened);
    QVERIFY2(opened.error().message.contains(says), qPrintable(opened.error().message));
    QVERIFY(!file.isOpen());
}

QTEST_GUILESS_MAIN(tst_MasterReader)
#include "tst_masterreader.moc"
