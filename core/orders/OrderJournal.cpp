#include "OrderJournal.h"

#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QtEndian>

#include <spdlog/spdlog.h>
#include <zlib.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace strikeline {

namespace {

constexpr char Magic[] = "SLORDJ02";
constexpr char MagicWithoutId[] = "SLORDJ01"; // written before journal ids
constexpr qint64 MagicSize = 8;
constexpr qint64 IdSize = 16;
constexpr qint64 FileHeaderSize = MagicSize + IdSize;
constexpr qint64 HeaderSize = 8; // length + crc

std::uint32_t crcOf(const char *data, qint64 size)
{
    return static_cast<std::uint32_t>(
        crc32(0L, reinterpret_cast<const Bytef *>(data), static_cast<uInt>(size)));
}

Error ioError(const QString &what, int err)
{
    return Error::make(ErrorCode::Io,
                       QStringLiteral("%1: %2").arg(what, QString::fromLocal8Bit(strerror(err))));
}

Result<void> writeAll(int fd, const char *data, qint64 size, const QString &path)
{
    while (size > 0) {
        const ssize_t n = ::write(fd, data, static_cast<size_t>(size));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return ioError(QStringLiteral("cannot write the order journal %1").arg(path), errno);
        }
        data += n;
        size -= n;
    }
    return success();
}

Result<void> syncDirectory(const QString &dir)
{
    const int fd = ::open(QFile::encodeName(dir).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return ioError(QStringLiteral("cannot open %1").arg(dir), errno);
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    if (rc != 0)
        return ioError(QStringLiteral("cannot sync %1").arg(dir), err);
    return success();
}

} // namespace

QString OrderJournal::fileFor(const QString &directory, EpochDay day)
{
    return QDir(directory).filePath(QStringLiteral("orders-%1.journal").arg(formatIsoDay(day)));
}

QStringList OrderJournal::journalFiles(const QString &directory)
{
    QStringList out;
    const QDir dir(directory);
    for (const QString &name :
         dir.entryList({QStringLiteral("orders-*.journal")}, QDir::Files, QDir::Name))
        out << dir.filePath(name);
    return out;
}

Result<JournalReplay> OrderJournal::replay(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error::make(
            ErrorCode::Io,
            QStringLiteral("cannot read the order journal %1: %2").arg(path, file.errorString()));
    const QByteArray data = file.readAll();
    JournalReplay out;
    const qint64 size = data.size();
    const bool withId = size >= MagicSize && std::memcmp(data.constData(), Magic, MagicSize) == 0;
    const qint64 recordsStart = withId ? FileHeaderSize : MagicSize;
    if (size < recordsStart) {
        // Created but never completed its header: nothing was ever appended.
        out.tornBytes = size;
        return out;
    }
    if (!withId && std::memcmp(data.constData(), MagicWithoutId, MagicSize) != 0)
        return Error::make(ErrorCode::Parse,
                           QStringLiteral("%1 is not an order journal (bad magic)").arg(path));
    if (withId)
        out.journalId = QString::fromLatin1(data.mid(MagicSize, IdSize).toHex());
    const auto corrupt = [&path](qint64 offset, const QString &why) {
        return Error::make(ErrorCode::Parse,
                           QStringLiteral("order journal %1 is damaged at byte %2 (%3), with "
                                          "intact data after it: refusing to guess; restore the "
                                          "file or move it aside")
                               .arg(path)
                               .arg(offset)
                               .arg(why));
    };
    qint64 offset = recordsStart;
    std::uint64_t previous = 0;
    while (offset < size) {
        const qint64 remaining = size - offset;
        const char *p = data.constData() + offset;
        if (remaining < HeaderSize) {
            out.tornBytes = remaining;
            break;
        }
        const qint64 length = qFromLittleEndian<quint32>(p);
        const std::uint32_t crc = qFromLittleEndian<quint32>(p + 4);
        if (length < 8 || length > MaxRecordBytes) {
            // Zeros to the end are a torn tail (a file extended but never written).
            bool allZero = true;
            for (qint64 i = 0; i < remaining && allZero; ++i)
                allZero = p[i] == 0;
            if (allZero) {
                out.tornBytes = remaining;
                break;
            }
            return corrupt(offset, QStringLiteral("record length %1").arg(length));
        }
        if (HeaderSize + length > remaining) {
            out.tornBytes = remaining;
            break;
        }
        if (crcOf(p + HeaderSize, length) != crc) {
            if (HeaderSize + length == remaining) {
                out.tornBytes = remaining;
                break;
            }
            return corrupt(offset, QStringLiteral("checksum mismatch"));
        }
        const std::uint64_t sequence = qFromLittleEndian<quint64>(p + HeaderSize);
        if (sequence <= previous)
            return corrupt(offset,
                           QStringLiteral("sequence %1 after %2").arg(sequence).arg(previous));
        previous = sequence;
        out.records.push_back(
            {sequence, QByteArray(p + HeaderSize + 8, static_cast<qsizetype>(length - 8))});
        offset += HeaderSize + length;
    }
    out.validBytes = size - out.tornBytes;
    return out;
}

bool OrderJournal::isJournalDay(EpochDay day)
{
    return day >= 0;
}

Result<std::unique_ptr<OrderJournal>> OrderJournal::open(const QString &directory, EpochDay day,
                                                         JournalReplay *replayed)
{
    if (!isJournalDay(day))
        return Error::make(ErrorCode::InvalidArgument,
                           QStringLiteral("an order journal cannot be kept for %1 (before "
                                          "1970-01-01)")
                               .arg(formatIsoDay(day)));
    if (!QDir().mkpath(directory))
        return Error::make(ErrorCode::Io,
                           QStringLiteral("cannot create the journal directory %1").arg(directory));
    const QString path = fileFor(directory, day);
    const int fd =
        ::open(QFile::encodeName(path).constData(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return ioError(QStringLiteral("cannot open the order journal %1").arg(path), errno);
    const auto fail = [fd](Error e) -> Result<std::unique_ptr<OrderJournal>> {
        ::close(fd); // also releases the lock
        return e;
    };
    // One writer per journal: the terminal and `strikeline-cli order` share the default folder,
    // and two appenders would repeat sequence numbers. The lock lives as long as the descriptor.
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int error = errno;
        if (error == EWOULDBLOCK)
            return fail(Error::make(ErrorCode::Conflict,
                                    QStringLiteral("the order journal %1 is in use by another "
                                                   "Strikeline (the terminal or strikeline-cli "
                                                   "order); close it first")
                                        .arg(path)));
        return fail(ioError(QStringLiteral("cannot lock the order journal %1").arg(path), error));
    }
    // Read only now, under the lock: what is on disk is final until we append.
    JournalReplay existing;
    struct stat info
    {};
    if (::fstat(fd, &info) != 0)
        return fail(ioError(QStringLiteral("cannot stat %1").arg(path), errno));
    bool fresh = info.st_size == 0;
    if (!fresh) {
        auto r = replay(path);
        if (!r)
            return fail(r.error());
        existing = std::move(r.value());
        fresh = existing.validBytes == 0;
    }
    if (fresh) {
        if (::ftruncate(fd, 0) != 0)
            return fail(ioError(QStringLiteral("cannot truncate %1").arg(path), errno));
        QByteArray header(Magic, MagicSize);
        QByteArray id(IdSize, Qt::Uninitialized);
        QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(id.data()), IdSize / 4);
        header += id;
        if (auto w = writeAll(fd, header.constData(), header.size(), path); !w)
            return fail(w.error());
        if (::fdatasync(fd) != 0)
            return fail(ioError(QStringLiteral("cannot sync %1").arg(path), errno));
        if (auto s = syncDirectory(directory); !s)
            return fail(s.error());
        existing = JournalReplay{};
        existing.journalId = QString::fromLatin1(id.toHex());
        existing.validBytes = header.size();
    } else if (existing.tornBytes > 0) {
        spdlog::warn("order journal {}: cutting off a torn last record ({} bytes, a crash "
                     "mid-write)",
                     path.toStdString(), existing.tornBytes);
        if (::ftruncate(fd, existing.validBytes) != 0 || ::fdatasync(fd) != 0)
            return fail(ioError(QStringLiteral("cannot truncate %1").arg(path), errno));
    }
    if (::lseek(fd, existing.validBytes, SEEK_SET) < 0)
        return fail(ioError(QStringLiteral("cannot seek %1").arg(path), errno));
    std::uint64_t last = sequenceBase(day);
    if (!existing.records.empty()) {
        last = existing.records.back().sequence;
        if (last < sequenceBase(day))
            return fail(Error::make(ErrorCode::Parse,
                                    QStringLiteral("order journal %1 holds sequences of another "
                                                   "day")
                                        .arg(path)));
    }
    const QString journalId = existing.journalId;
    const qint64 durableBytes = existing.validBytes;
    if (replayed)
        *replayed = std::move(existing);
    return std::unique_ptr<OrderJournal>(
        new OrderJournal(path, journalId, day, fd, last, durableBytes));
}

std::uint64_t OrderJournal::sequenceBase(EpochDay day)
{
    return static_cast<std::uint64_t>(static_cast<std::uint32_t>(day)) << 32;
}

OrderJournal::OrderJournal(QString path, QString journalId, EpochDay day, int fd,
                           std::uint64_t lastSequence, qint64 durableBytes)
    : m_path(std::move(path))
    , m_journalId(std::move(journalId))
    , m_day(day)
    , m_fd(fd)
    , m_lastSequence(lastSequence)
    , m_durableSequence(lastSequence)
    , m_durableBytes(durableBytes)
{
    m_thread = std::thread([this] { run(); });
}

OrderJournal::~OrderJournal()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    m_thread.join();
    ::close(m_fd);
}

void OrderJournal::setDurableCallback(DurableCallback callback)
{
    std::lock_guard lock(m_mutex);
    m_callback = std::move(callback);
}

void OrderJournal::setFailureCallback(std::function<void(const Error &)> callback)
{
    std::lock_guard lock(m_mutex);
    m_failureCallback = std::move(callback);
}

Result<std::uint64_t>
OrderJournal::append(const std::function<QByteArray(std::uint64_t sequence)> &encode)
{
    std::unique_lock lock(m_mutex);
    if (m_failure)
        return *m_failure;
    if (m_stopping)
        return Error::make(ErrorCode::Internal, QStringLiteral("the order journal is closing"));
    const std::uint64_t sequence = m_lastSequence + 1;
    QByteArray payload = encode(sequence);
    const qint64 length = 8 + payload.size();
    if (length > MaxRecordBytes)
        return Error::make(
            ErrorCode::InvalidArgument,
            QStringLiteral("order journal record of %1 bytes is too large").arg(length));
    char header[HeaderSize + 8];
    qToLittleEndian<quint32>(static_cast<quint32>(length), header);
    qToLittleEndian<quint64>(sequence, header + HeaderSize);
    std::uint32_t crc = crcOf(header + HeaderSize, 8);
    crc =
        static_cast<std::uint32_t>(crc32(crc, reinterpret_cast<const Bytef *>(payload.constData()),
                                         static_cast<uInt>(payload.size())));
    qToLittleEndian<quint32>(crc, header + 4);
    m_pendingBytes.append(header, sizeof header);
    m_pendingBytes.append(payload);
    m_pendingRecords.push_back({sequence, std::move(payload)});
    m_lastSequence = sequence;
    const bool wasIdle = m_pendingRecords.size() == 1;
    lock.unlock();
    if (wasIdle)
        m_wake.notify_one();
    return sequence;
}

bool OrderJournal::waitDurable(std::uint64_t sequence)
{
    std::unique_lock lock(m_mutex);
    m_durable.wait(lock, [&] { return m_durableSequence >= sequence || m_failure.has_value(); });
    return m_durableSequence >= sequence;
}

std::uint64_t OrderJournal::durableSequence() const
{
    std::lock_guard lock(m_mutex);
    return m_durableSequence;
}

std::uint64_t OrderJournal::lastSequence() const
{
    std::lock_guard lock(m_mutex);
    return m_lastSequence;
}

std::optional<Error> OrderJournal::failure() const
{
    std::lock_guard lock(m_mutex);
    return m_failure;
}

JournalStats OrderJournal::stats() const
{
    std::lock_guard lock(m_mutex);
    return m_stats;
}

void OrderJournal::run()
{
    for (;;) {
        QByteArray bytes;
        std::vector<JournalRecord> records;
        DurableCallback callback;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [&] { return !m_pendingRecords.empty() || m_stopping; });
            if (m_pendingRecords.empty() || m_failure)
                return; // stopping with nothing (more) to write
            bytes.swap(m_pendingBytes);
            records.swap(m_pendingRecords);
            callback = m_callback;
        }
        const auto start = std::chrono::steady_clock::now();
        Result<void> written = writeAll(m_fd, bytes.constData(), bytes.size(), m_path);
        if (written && ::fdatasync(m_fd) != 0)
            written =
                ioError(QStringLiteral("cannot sync the order journal %1").arg(m_path), errno);
        const std::int64_t nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                       std::chrono::steady_clock::now() - start)
                                       .count();
        if (written) {
            m_durableBytes += bytes.size();
        } else {
            // A short write (ENOSPC) or a failed sync leaves some of the batch on disk: cut it
            // off again, so the next start does not replay records whose appends were reported
            // as failed. If even that fails, say so: the next start may find them.
            const int cut = ::ftruncate(m_fd, m_durableBytes) == 0 ? ::fdatasync(m_fd) : -1;
            if (cut != 0) {
                const Error e = ioError(QStringLiteral("%1; and its unwritten records could not "
                                                       "be cut off again (the next start may "
                                                       "replay them)")
                                            .arg(written.error().message),
                                        errno);
                written = e;
            }
        }
        // The callback first: once waitDurable returns, the batch has been handed on too.
        if (written && callback)
            callback(records);
        {
            std::lock_guard lock(m_mutex);
            if (!written) {
                // Fail-stop: the failed batch was cut off the file (above), and nothing more is
                // accepted that we could not make durable.
                m_failure = written.error();
                spdlog::error("{}", written.error().message.toStdString());
            } else {
                m_durableSequence = records.back().sequence;
                ++m_stats.batches;
                m_stats.records += records.size();
                m_stats.bytes += static_cast<std::uint64_t>(bytes.size());
                m_stats.largestBatch =
                    std::max<std::uint64_t>(m_stats.largestBatch, records.size());
                m_stats.syncNanosTotal += nanos;
                m_stats.syncNanosMax = std::max(m_stats.syncNanosMax, nanos);
            }
        }
        m_durable.notify_all();
        if (!written) {
            std::function<void(const Error &)> failed;
            {
                std::lock_guard lock(m_mutex);
                failed = m_failureCallback;
            }
            if (failed)
                failed(written.error());
            return;
        }
    }
}

} // namespace strikeline
