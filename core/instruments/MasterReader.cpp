#include "MasterReader.h"

#include "MasterReaderInternal.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStringList>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>

namespace strikeline {

QString RowIssue::toString() const
{
    QString text = QStringLiteral("row %1").arg(row);
    if (!instrumentKey.empty())
        text += QStringLiteral(" (%1)").arg(QString::fromStdString(instrumentKey));
    if (!field.empty())
        text += QStringLiteral(", field '%1'").arg(QString::fromStdString(field));
    return text + QStringLiteral(": ") + message;
}

namespace detail {

namespace {
constexpr std::size_t InputChunkSize = 256 * 1024;
} // namespace

DecodedStream::DecodedStream(QIODevice &device, const ReadOptions &options)
    : m_device(device)
    , m_options(options)
    , m_in(new char[InputChunkSize])
{}

DecodedStream::~DecodedStream()
{
    if (m_zsInit)
        inflateEnd(&m_zs);
}

bool DecodedStream::isSynthetic() const
{
    return m_gzip && m_header.done == 1 && m_header.comment != nullptr &&
           std::string_view(m_comment) == std::string_view(SyntheticMasterComment);
}

Result<void> DecodedStream::checkCancel() const
{
    if (m_options.cancel && m_options.cancel->load(std::memory_order_relaxed))
        return Error::make(ErrorCode::Cancelled,
                           QStringLiteral("reading the master was cancelled"));
    return success();
}

Result<std::size_t> DecodedStream::fillInput()
{
    if (auto c = checkCancel(); !c)
        return c.error();
    if (m_inBegin < m_inEnd)
        return m_inEnd - m_inBegin;
    m_inBegin = m_inEnd = 0;
    if (m_deviceEof)
        return std::size_t{0};
    const qint64 n = m_device.read(m_in.get(), static_cast<qint64>(InputChunkSize));
    if (n < 0) {
        return Error::make(
            ErrorCode::Io,
            QStringLiteral("could not read the master: %1").arg(m_device.errorString()));
    }
    if (n == 0) {
        // A sequential device (a network reply) may have nothing *yet*; callers that stream from
        // the network hand us a device that blocks (waitForReadyRead) or is complete.
        if (m_device.isSequential() && !m_device.atEnd() && m_device.waitForReadyRead(30000))
            return fillInput();
        m_deviceEof = true;
        return std::size_t{0};
    }
    m_inEnd = static_cast<std::size_t>(n);
    m_consumed += n;
    if (m_options.progress)
        m_options.progress(m_consumed);
    return m_inEnd;
}

Result<std::size_t> DecodedStream::read(std::span<char> out)
{
    if (out.empty())
        return std::size_t{0};
    if (!m_sniffed) {
        auto have = fillInput();
        if (!have)
            return have.error();
        m_sniffed = true;
        const auto *bytes = reinterpret_cast<const unsigned char *>(m_in.get());
        m_gzip = *have >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
        if (m_gzip) {
            // 15 + 16: a gzip wrapper only (raw JSON that happens to start 1f 8b is not JSON).
            if (inflateInit2(&m_zs, 15 + 16) != Z_OK)
                return Error::make(ErrorCode::Internal, QStringLiteral("zlib failed to start"));
            m_zsInit = true;
            // The first member's header, for its comment (a synthetic master says so there).
            m_header.comment = reinterpret_cast<Bytef *>(m_comment);
            m_header.comm_max = sizeof(m_comment) - 1;
            inflateGetHeader(&m_zs, &m_header);
        }
    }

    if (!m_gzip) {
        std::size_t written = 0;
        while (written < out.size()) {
            auto have = fillInput();
            if (!have)
                return have.error();
            if (*have == 0)
                break;
            const std::size_t n = std::min(*have, out.size() - written);
            std::memcpy(out.data() + written, m_in.get() + m_inBegin, n);
            m_inBegin += n;
            written += n;
        }
        m_decoded += static_cast<std::int64_t>(written);
        return written;
    }

    std::size_t written = 0;
    while (written < out.size()) {
        auto have = fillInput();
        if (!have)
            return have.error();
        if (*have == 0) {
            if (!m_streamEnded) {
                return Error::make(ErrorCode::Gzip,
                                   QStringLiteral("the gzip stream is truncated: it ends after "
                                                  "%1 compressed bytes without its trailer "
                                                  "(an interrupted download?)")
                                       .arg(m_consumed));
            }
            break;
        }
        if (m_streamEnded) {
            // Another gzip member follows, or trailing garbage. The magic is two bytes: make
            // sure both are in the buffer even when a member ends on a chunk's last byte.
            if (*have == 1 && !m_deviceEof) {
                m_in[0] = m_in[m_inBegin];
                m_inBegin = 0;
                m_inEnd = 1;
                const qint64 n =
                    m_device.read(m_in.get() + 1, static_cast<qint64>(InputChunkSize - 1));
                if (n < 0)
                    return Error::make(ErrorCode::Io,
                                       QStringLiteral("could not read the master: %1")
                                           .arg(m_device.errorString()));
                if (n == 0)
                    m_deviceEof = true;
                m_inEnd += static_cast<std::size_t>(n);
                m_consumed += n;
                *have = m_inEnd;
            }
            const auto *bytes = reinterpret_cast<const unsigned char *>(m_in.get() + m_inBegin);
            if (*have >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b) {
                inflateReset(&m_zs);
                m_streamEnded = false;
            } else {
                bool allZero = true;
                for (std::size_t i = 0; i < *have; ++i)
                    allZero = allZero && bytes[i] == 0;
                if (!allZero) {
                    return Error::make(ErrorCode::Gzip,
                                       QStringLiteral("unexpected data after the end of the gzip "
                                                      "stream at compressed byte %1")
                                           .arg(m_consumed - static_cast<std::int64_t>(*have)));
                }
                m_inBegin = m_inEnd; // zero padding from some tools: ignore
                continue;
            }
        }
        m_zs.next_in = reinterpret_cast<Bytef *>(m_in.get() + m_inBegin);
        m_zs.avail_in = static_cast<uInt>(*have);
        m_zs.next_out = reinterpret_cast<Bytef *>(out.data() + written);
        m_zs.avail_out = static_cast<uInt>(out.size() - written);
        const int rc = inflate(&m_zs, Z_NO_FLUSH);
        const std::size_t used = *have - m_zs.avail_in;
        m_inBegin += used;
        written = out.size() - m_zs.avail_out;
        if (rc == Z_STREAM_END) {
            m_streamEnded = true;
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            const char *why = m_zs.msg ? m_zs.msg : "unknown error";
            return Error::make(ErrorCode::Gzip,
                               QStringLiteral("the gzip data is corrupt near compressed byte "
                                              "%1: %2")
                                   .arg(m_consumed - static_cast<std::int64_t>(m_inEnd - m_inBegin))
                                   .arg(QString::fromUtf8(why)));
        }
    }
    m_decoded += static_cast<std::int64_t>(written);
    return written;
}

Result<void> RowCollector::finish() const
{
    const std::int64_t skipped = m_summary.rowsSkipped;
    const auto allowed =
        std::max<std::int64_t>(m_options.skippedRowsFloor,
                               static_cast<std::int64_t>(m_options.maxSkippedFraction *
                                                         static_cast<double>(m_summary.rowsRead)));
    if (skipped > allowed) {
        QString first = m_summary.issues.empty() ? QString() : m_summary.issues.front().toString();
        return Error::make(ErrorCode::TooManyBadRows,
                           QStringLiteral("%1 of %2 rows are invalid (more than the %3 allowed), "
                                          "so this does not look like a usable master; first: %4")
                               .arg(skipped)
                               .arg(m_summary.rowsRead)
                               .arg(allowed)
                               .arg(first));
    }
    if (m_summary.rowsAccepted == 0)
        return Error::make(ErrorCode::Validation,
                           QStringLiteral("the master contains no usable instruments"));
    return success();
}

std::optional<RowIssue> validateRecord(const InstrumentRecord &r)
{
    auto issue = [&r](const char *field, QString message) {
        return RowIssue{0, r.instrumentKey, field, std::move(message)};
    };
    if (r.instrumentKey.empty())
        return issue("instrument_key", QStringLiteral("is empty"));
    // Text no database stores as it is: PostgreSQL refuses NUL and broken UTF-8 (the JSON
    // parser validates UTF-8, a CSV may hold anything), SQLite would store it.
    for (const auto &[field, text] :
         {std::pair<const char *, const std::string *>{"instrument_key", &r.instrumentKey},
          {"trading_symbol", &r.tradingSymbol},
          {"name", &r.name},
          {"instrument_type", &r.typeCode},
          {"underlying_symbol", &r.underlyingSymbol},
          {"underlying_key", &r.underlyingKey}}) {
        if (text->find('\0') != std::string::npos)
            return issue(field, QStringLiteral("contains a NUL character"));
        if (!QByteArrayView(text->data(), static_cast<qsizetype>(text->size())).isValidUtf8())
            return issue(field, QStringLiteral("is not valid UTF-8"));
    }
    if (r.tradingSymbol.empty() && !isIndexSegment(r.segment))
        return issue("trading_symbol", QStringLiteral("is empty"));
    const bool tradable = r.kind != InstrumentKind::Index;
    if (tradable) {
        if (r.lotSize <= 0)
            return issue("lot_size",
                         QStringLiteral("must be a positive whole number, got %1").arg(r.lotSize));
        if (!r.tickSize.isPositive())
            return issue("tick_size",
                         QStringLiteral("must be positive, got Rs %1").arg(r.tickSize.toQString()));
        if (r.tickSize > Price::fromRupees(10000))
            return issue(
                "tick_size",
                QStringLiteral("Rs %1 is not a plausible tick").arg(r.tickSize.toQString()));
    }
    if (r.tickSize.isNegative())
        return issue("tick_size", QStringLiteral("must not be negative"));
    if (r.lotSize < 0)
        return issue("lot_size", QStringLiteral("must not be negative"));
    if (!isOption(r.kind) && !r.strike.isZero())
        return issue("strike_price",
                     QStringLiteral("a %1 has no strike, got %2")
                         .arg(QLatin1String(kindName(r.kind)), r.strike.toQString()));
    if (r.freezeQuantity < 0)
        return issue("freeze_quantity",
                     QStringLiteral("must not be negative, got %1").arg(r.freezeQuantity));
    if (isDerivative(r.kind)) {
        if (r.expiry == NoDay)
            return issue(
                "expiry",
                QStringLiteral("is missing on a %1 contract").arg(QLatin1String(kindName(r.kind))));
        // 2000-01-01 .. 2100-01-01: anything else is a unit mistake (seconds vs ms) or garbage.
        if (r.expiry < 10957 || r.expiry > 47482)
            return issue(
                "expiry",
                QStringLiteral("%1 is not a plausible expiry date").arg(formatIsoDay(r.expiry)));
        if (r.underlyingSymbol.empty())
            return issue("underlying_symbol", QStringLiteral("is missing on a derivative"));
    }
    if (isOption(r.kind) && !r.strike.isPositive())
        return issue(
            "strike_price",
            QStringLiteral("an option needs a positive strike, got %1").arg(r.strike.toQString()));
    if (r.strike.isNegative())
        return issue("strike_price", QStringLiteral("must not be negative"));
    return std::nullopt;
}

} // namespace detail

namespace {

// Enough of the decoded start to tell what the bytes are (an HTML page's <title> included).
constexpr std::size_t SniffBytes = 4096;

QString hexBytes(std::string_view bytes, std::size_t count)
{
    QStringList hex;
    for (std::size_t i = 0; i < std::min(count, bytes.size()); ++i)
        hex << QStringLiteral("%1").arg(static_cast<unsigned char>(bytes[i]), 2, 16,
                                        QLatin1Char('0'));
    return hex.join(QLatin1Char(' '));
}

// The first characters of a text, on one line, for a message.
QString excerpt(std::string_view text, qsizetype length = 60)
{
    QString s = QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size())).simplified();
    if (s.size() > length)
        s = s.left(length) + QStringLiteral("...");
    return s;
}

bool startsWithCaseless(std::string_view text, std::string_view word)
{
    if (text.size() < word.size())
        return false;
    for (std::size_t i = 0; i < word.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(text[i])) != word[i])
            return false;
    }
    return true;
}

// What the start of the data is when it is clearly no master (neither the JSON array nor
// text that could be a CSV header), said the way a person would describe it; nullopt when it
// may be a master. `text` starts at the first non-blank byte; `whole` is true when the data
// ends within the sniffed bytes.
std::optional<QString> notAMaster(std::string_view text, bool gzip, bool whole)
{
    const QString notIt = gzip ? QStringLiteral(" (inside the gzip)") : QString();
    struct Magic
    {
        std::string_view bytes;
        const char *what;
    };
    static constexpr Magic magics[] = {
        {"\x1f\x8b", "gzip data again: the master was compressed twice"},
        {"PK\x03\x04", "a ZIP archive"},
        {"BZh", "bzip2 data"},
        {"\xfd"
         "7zXZ",
         "xz data"},
        {"\x28\xb5\x2f\xfd", "zstd data"},
        {"%PDF", "a PDF document"},
    };
    for (const Magic &m : magics) {
        if (text.starts_with(m.bytes))
            return QStringLiteral("the data%1 is %2, not an instrument master")
                .arg(notIt, QLatin1String(m.what));
    }
    std::size_t control = 0;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u == 0)
            control += text.size(); // one NUL: never text
        else if ((u < 0x20 && u != '\t' && u != '\n' && u != '\r') || u == 0x7f)
            ++control;
    }
    if (control * 20 > text.size()) { // more than 5 %: not text in any encoding a master uses
        return QStringLiteral("the data%1 is binary, not an instrument master (it starts with "
                              "the bytes %2)")
            .arg(notIt, hexBytes(text, 8));
    }
    if (text.front() == '<') {
        const QByteArray lower =
            QByteArray(text.data(), static_cast<qsizetype>(text.size())).toLower();
        const bool html = startsWithCaseless(text, "<!doctype html") ||
                          startsWithCaseless(text, "<html") || lower.contains("<body");
        QString title;
        const auto open = lower.indexOf("<title");
        const auto begin = open < 0 ? -1 : lower.indexOf('>', open);
        const auto end = begin < 0 ? -1 : lower.indexOf("</title", begin);
        if (end > begin + 1)
            title = excerpt(text.substr(static_cast<std::size_t>(begin + 1),
                                        static_cast<std::size_t>(end - begin - 1)));
        QString what = html ? QStringLiteral("an HTML page") : QStringLiteral("XML or HTML");
        if (!title.isEmpty())
            what += QStringLiteral(" titled \"%1\"").arg(title);
        else
            what += QStringLiteral(" (\"%1\")").arg(excerpt(text));
        return QStringLiteral("the data%1 is %2, not an instrument master: an error, login or "
                              "maintenance page instead of the file?")
            .arg(notIt, what);
    }
    if (text.front() == '{') {
        return QStringLiteral("the data%1 is a JSON object (\"%2\"), not the JSON array of "
                              "instruments a master is: an error answer instead of the file?")
            .arg(notIt, excerpt(text));
    }
    if (whole) {
        std::string_view trimmed = text;
        while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back())))
            trimmed.remove_suffix(1);
        if (trimmed == "null" || trimmed == "true" || trimmed == "false" ||
            (std::isdigit(static_cast<unsigned char>(trimmed.front())) &&
             trimmed.find_first_not_of("0123456789.eE+-") == std::string_view::npos)) {
            return QStringLiteral("the data%1 is the JSON value %2, not the JSON array of "
                                  "instruments a master is")
                .arg(notIt, excerpt(trimmed));
        }
    }
    return std::nullopt;
}

QString fileKind(mode_t mode)
{
    if (S_ISFIFO(mode))
        return QStringLiteral("a named pipe (FIFO)");
    if (S_ISCHR(mode))
        return QStringLiteral("a character device");
    if (S_ISBLK(mode))
        return QStringLiteral("a block device");
    if (S_ISDIR(mode))
        return QStringLiteral("a directory");
    if (S_ISSOCK(mode))
        return QStringLiteral("a socket");
    return QStringLiteral("not a regular file");
}

Error notARegularFile(const QString &path, mode_t mode)
{
    return Error::make(ErrorCode::Io,
                       QStringLiteral("cannot open the master '%1': it is %2, not a file (give a "
                                      "master file, .json.gz, .json, .csv.gz or .csv, or an "
                                      "http(s) URL)")
                           .arg(QDir::toNativeSeparators(path), fileKind(mode)));
}

Error cannotOpen(const QString &path, int error)
{
    return Error::make(ErrorCode::Io, QStringLiteral("cannot open the master '%1': %2")
                                          .arg(QDir::toNativeSeparators(path),
                                               QString::fromLocal8Bit(std::strerror(error))));
}

} // namespace

Result<void> openMasterFile(QFile &file, const QString &path)
{
    const QByteArray name = QFile::encodeName(path);
    // stat() first: a FIFO is refused without being opened at all (opening it would wake a
    // writer waiting for a reader).
    struct stat st
    {};
    if (::stat(name.constData(), &st) != 0)
        return cannotOpen(path, errno);
    if (!S_ISREG(st.st_mode))
        return notARegularFile(path, st.st_mode);
    // O_NONBLOCK: if the path was swapped for a FIFO since, open() still returns at once, and
    // fstat() below refuses it. (On a regular file the flag changes nothing.)
    const int fd = ::open(name.constData(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return cannotOpen(path, errno);
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        const int error = errno;
        ::close(fd);
        return S_ISREG(st.st_mode) ? cannotOpen(path, error) : notARegularFile(path, st.st_mode);
    }
    (void)::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    file.setFileName(path);
    if (!file.open(fd, QIODevice::ReadOnly, QFileDevice::AutoCloseHandle)) {
        ::close(fd);
        return Error::make(ErrorCode::Io,
                           QStringLiteral("cannot open the master '%1': %2")
                               .arg(QDir::toNativeSeparators(path), file.errorString()));
    }
    return success();
}

Result<ReadSummary> readMaster(QIODevice &device, const RecordSink &sink,
                               const ReadOptions &options, ReadSummary *partial)
{
    if (!device.isOpen() || !device.isReadable())
        return Error::make(ErrorCode::Io, QStringLiteral("the master's source is not open for "
                                                         "reading"));
    ReadSummary summary;
    detail::DecodedStream stream(device, options);
    detail::RowCollector rows(sink, options, summary);
    auto done = [&](Result<void> outcome) -> Result<ReadSummary> {
        summary.gzip = stream.isGzip();
        summary.synthetic = stream.isSynthetic();
        summary.bytesConsumed = stream.bytesConsumed();
        summary.bytesDecoded = stream.bytesDecoded();
        if (partial)
            *partial = summary;
        if (!outcome)
            return outcome.error();
        return summary;
    };

    // Sniff the format from the first decoded bytes.
    std::string prefix(SniffBytes, '\0');
    std::size_t got = 0;
    while (got < prefix.size()) {
        auto n = stream.read(std::span<char>(prefix.data() + got, prefix.size() - got));
        if (!n)
            return done(n.error());
        if (*n == 0)
            break;
        got += *n;
    }
    const bool whole = got < prefix.size();
    prefix.resize(got);
    MasterFormat format = options.format;
    if (format == MasterFormat::Auto) {
        std::size_t i = 0;
        if (prefix.size() >= 3 && static_cast<unsigned char>(prefix[0]) == 0xEF &&
            static_cast<unsigned char>(prefix[1]) == 0xBB &&
            static_cast<unsigned char>(prefix[2]) == 0xBF)
            i = 3; // UTF-8 BOM
        while (i < prefix.size() && std::isspace(static_cast<unsigned char>(prefix[i])))
            ++i;
        if (i == prefix.size())
            return done(Error::make(ErrorCode::Parse, QStringLiteral("the master is empty")));
        const std::string_view start = std::string_view(prefix).substr(i);
        if (auto what = notAMaster(start, stream.isGzip(), whole))
            return done(Error::make(ErrorCode::Parse, *what));
        format = prefix[i] == '[' ? MasterFormat::Json : MasterFormat::Csv;
    }
    summary.format = format;

    Result<void> parsed = format == MasterFormat::Json
                              ? detail::parseJsonMaster(stream, prefix, rows, options)
                              : detail::parseCsvMaster(stream, prefix, rows, options);
    if (!parsed)
        return done(parsed);
    return done(rows.finish());
}

Result<ReadSummary> readMasterFile(const QString &path, const RecordSink &sink,
                                   const ReadOptions &options)
{
    QFile file;
    if (auto opened = openMasterFile(file, path); !opened)
        return opened.error();
    auto result = readMaster(file, sink, options);
    if (!result) {
        return Error::make(result.error().code, QFileInfo(path).fileName() + QStringLiteral(": ") +
                                                    result.error().message);
    }
    return result;
}

} // namespace strikeline
