#include "FeedRecording.h"

#include "common/IstTime.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <zlib.h>

#include <array>
#include <chrono>
#include <cstring>
#include <pthread.h>

namespace strikeline::marketdata {

namespace {

constexpr char Magic[] = "STRIKELINE-FEED 1\n";
constexpr std::size_t MagicSize = sizeof(Magic) - 1;
constexpr std::size_t HeaderSize = 12;                    // u32 length + i64 receive time
constexpr std::uint32_t MaxFrameBytes = 16 * 1024 * 1024; // far above any Upstox frame
// A crash loses at most this much of a recording: the writer syncs zlib's stream to the file
// when it has been idle, at most this often.
constexpr auto FlushInterval = std::chrono::seconds(1);

gzFile asGz(void *file)
{
    return static_cast<gzFile>(file);
}

void putLe(unsigned char *out, std::uint64_t value, int bytes)
{
    for (int i = 0; i < bytes; ++i)
        out[i] = static_cast<unsigned char>(value >> (8 * i));
}

std::uint64_t getLe(const unsigned char *in, int bytes)
{
    std::uint64_t value = 0;
    for (int i = 0; i < bytes; ++i)
        value |= static_cast<std::uint64_t>(in[i]) << (8 * i);
    return value;
}

QString gzMessage(gzFile file)
{
    int code = Z_OK;
    const char *message = gzerror(file, &code);
    return QString::fromUtf8(message ? message : "unknown zlib error");
}

} // namespace

QString FeedRecorder::fileName(const QString &prefix, std::int64_t receivedMs)
{
    return prefix + QLatin1Char('-') + formatIsoDay(istDayFromEpochMs(receivedMs)) +
           QStringLiteral(".slfeed.gz");
}

Result<std::unique_ptr<FeedRecorder>> FeedRecorder::open(Options options)
{
    if (options.directory.isEmpty())
        return Error::make(ErrorCode::InvalidArgument,
                           QStringLiteral("feed recording: no folder given"));
    if (!QDir().mkpath(options.directory))
        return Error::make(
            ErrorCode::Io,
            QStringLiteral("feed recording: cannot create %1").arg(options.directory));
    if (!QFileInfo(options.directory).isWritable())
        return Error::make(
            ErrorCode::Io,
            QStringLiteral("feed recording: %1 is not writable").arg(options.directory));
    std::unique_ptr<FeedRecorder> recorder(new FeedRecorder(std::move(options)));
    recorder->m_thread = std::thread([r = recorder.get()] { r->run(); });
    return recorder;
}

FeedRecorder::FeedRecorder(Options options)
    : m_options(std::move(options))
{}

FeedRecorder::~FeedRecorder()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_one();
    if (m_thread.joinable())
        m_thread.join();
}

void FeedRecorder::record(const QByteArray &frame, std::int64_t receivedMs)
{
    {
        std::lock_guard lock(m_mutex);
        const auto size = static_cast<std::int64_t>(frame.size());
        if (m_stopping)
            return;
        if (m_queuedBytes + size > m_options.maxQueuedBytes) {
            ++m_stats.framesDropped;
            m_stats.problem = QStringLiteral(
                "the disk is slower than the feed: frames dropped from the recording");
            return;
        }
        m_queuedBytes += size;
        m_queue.push_back(RecordedFrame{receivedMs, frame}); // implicitly shared: no copy
    }
    m_wake.notify_one();
}

void FeedRecorder::flush()
{
    std::unique_lock lock(m_mutex);
    const std::uint64_t ticket = ++m_flushRequested;
    m_wake.notify_one();
    m_drained.wait(lock, [&] { return m_flushDone >= ticket || m_stopping; });
}

FeedRecorderStats FeedRecorder::stats() const
{
    std::lock_guard lock(m_mutex);
    return m_stats;
}

void FeedRecorder::drop(const QString &reason)
{
    std::lock_guard lock(m_mutex);
    ++m_stats.framesDropped;
    m_stats.problem = reason;
}

void FeedRecorder::run()
{
    pthread_setname_np(pthread_self(), "strikeline-rec");
    auto lastSync = std::chrono::steady_clock::now();
    bool dirty = false;
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_wake.wait_for(lock, FlushInterval, [&] {
            return m_stopping || !m_queue.empty() || m_flushRequested > m_flushDone;
        });
        std::deque<RecordedFrame> batch;
        batch.swap(m_queue);
        m_queuedBytes = 0;
        const std::uint64_t flushTicket = m_flushRequested;
        const bool stopping = m_stopping;
        lock.unlock();

        for (const RecordedFrame &frame : batch)
            write(frame);
        dirty = dirty || !batch.empty();
        const auto now = std::chrono::steady_clock::now();
        const bool wantFlush = flushTicket > m_flushDone || stopping;
        if (m_file && dirty && (wantFlush || (batch.empty() && now - lastSync >= FlushInterval))) {
            gzflush(asGz(m_file), Z_SYNC_FLUSH);
            lastSync = now;
            dirty = false;
        }
        if (stopping)
            closeFile();

        lock.lock();
        m_flushDone = std::max(m_flushDone, flushTicket);
        m_drained.notify_all();
        if (stopping && m_queue.empty())
            return;
    }
}

void FeedRecorder::write(const RecordedFrame &frame)
{
    const EpochDay day = istDayFromEpochMs(frame.receivedMs);
    if (m_file && day != m_fileDay)
        closeFile(); // a new IST day: a new file
    if (m_dayFull && day == m_fileDay) {
        drop(QStringLiteral("today's recording reached its size cap (%1 MB): frames dropped")
                 .arg(m_options.maxFileBytes / (1024 * 1024)));
        return;
    }
    if (!m_file) {
        m_dayFull = false;
        m_fileDay = day;
        m_filePath =
            QDir(m_options.directory).filePath(fileName(m_options.prefix, frame.receivedMs));
        const bool fresh = !QFileInfo::exists(m_filePath) || QFileInfo(m_filePath).size() == 0;
        if (!fresh && QFileInfo(m_filePath).size() >= m_options.maxFileBytes) {
            m_dayFull = true;
            drop(QStringLiteral("today's recording reached its size cap: frames dropped"));
            return;
        }
        const QByteArray mode = "ab" + QByteArray::number(m_options.compressionLevel);
        m_file = gzopen(QFile::encodeName(m_filePath).constData(), mode.constData());
        if (!m_file) {
            drop(QStringLiteral("cannot open %1 for the recording").arg(m_filePath));
            return;
        }
        gzbuffer(asGz(m_file), 128 * 1024);
        if (fresh && gzwrite(asGz(m_file), Magic, MagicSize) != static_cast<int>(MagicSize)) {
            drop(QStringLiteral("cannot write %1: %2").arg(m_filePath, gzMessage(asGz(m_file))));
            closeFile();
            return;
        }
        std::lock_guard lock(m_mutex);
        m_stats.currentFile = m_filePath;
    }
    const auto size = static_cast<std::uint32_t>(frame.payload.size());
    std::array<unsigned char, HeaderSize> header{};
    putLe(header.data(), size, 4);
    putLe(header.data() + 4, static_cast<std::uint64_t>(frame.receivedMs), 8);
    if (gzwrite(asGz(m_file), header.data(), HeaderSize) != static_cast<int>(HeaderSize) ||
        (size > 0 &&
         gzwrite(asGz(m_file), frame.payload.constData(), size) != static_cast<int>(size))) {
        drop(QStringLiteral("cannot write %1: %2").arg(m_filePath, gzMessage(asGz(m_file))));
        closeFile();
        return;
    }
    {
        std::lock_guard lock(m_mutex);
        ++m_stats.framesWritten;
        m_stats.bytesWritten += size;
    }
    if (gzoffset(asGz(m_file)) >= m_options.maxFileBytes) {
        closeFile();
        m_dayFull = true;
    }
}

void FeedRecorder::closeFile()
{
    if (!m_file)
        return;
    gzclose(asGz(m_file));
    m_file = nullptr;
}

Result<std::unique_ptr<FeedRecordingReader>> FeedRecordingReader::open(const QString &path)
{
    gzFile file = gzopen(QFile::encodeName(path).constData(), "rb");
    if (!file)
        return Error::make(ErrorCode::Io, QStringLiteral("cannot open %1").arg(path));
    std::unique_ptr<FeedRecordingReader> reader(new FeedRecordingReader);
    reader->m_file = file;
    reader->m_path = path;
    std::array<char, MagicSize> magic{};
    if (gzread(file, magic.data(), MagicSize) != static_cast<int>(MagicSize) ||
        std::memcmp(magic.data(), Magic, MagicSize) != 0)
        return Error::make(ErrorCode::Parse,
                           QStringLiteral("%1 is not a Strikeline feed recording").arg(path));
    return reader;
}

FeedRecordingReader::~FeedRecordingReader()
{
    if (m_file)
        gzclose(asGz(m_file));
}

Result<std::optional<RecordedFrame>> FeedRecordingReader::next()
{
    if (!m_file)
        return std::optional<RecordedFrame>();
    // Reads `size` bytes; false at a clean end (nothing read) or a cut-off tail (truncated).
    const auto readAll = [this](void *out, unsigned size, bool atFrameStart) -> Result<bool> {
        const int got = gzread(asGz(m_file), out, size);
        if (got == static_cast<int>(size))
            return true;
        int code = Z_OK;
        gzerror(asGz(m_file), &code);
        if (got == 0 && atFrameStart && code == Z_OK)
            return false; // the end
        if (got >= 0 || code == Z_BUF_ERROR) {
            m_truncated = true; // the writer was stopped mid-frame or mid-stream
            return false;
        }
        return Error::make(ErrorCode::Gzip, QStringLiteral("%1: frame %2: %3")
                                                .arg(m_path)
                                                .arg(m_frames + 1)
                                                .arg(gzMessage(asGz(m_file))));
    };
    std::array<unsigned char, HeaderSize> header{};
    auto gotHeader = readAll(header.data(), HeaderSize, true);
    if (!gotHeader)
        return gotHeader.error();
    if (!*gotHeader)
        return std::optional<RecordedFrame>();
    const auto size = static_cast<std::uint32_t>(getLe(header.data(), 4));
    if (size > MaxFrameBytes)
        return Error::make(ErrorCode::Parse,
                           QStringLiteral("%1: frame %2 claims %3 bytes: not a recording frame")
                               .arg(m_path)
                               .arg(m_frames + 1)
                               .arg(size));
    RecordedFrame frame;
    frame.receivedMs = static_cast<std::int64_t>(getLe(header.data() + 4, 8));
    frame.payload.resize(static_cast<qsizetype>(size));
    if (size > 0) {
        auto gotPayload = readAll(frame.payload.data(), size, false);
        if (!gotPayload)
            return gotPayload.error();
        if (!*gotPayload)
            return std::optional<RecordedFrame>();
    }
    ++m_frames;
    return std::optional<RecordedFrame>(std::move(frame));
}

} // namespace strikeline::marketdata
