#pragma once

// Feed frames as they were received, kept to replay a session (issue 12, "Record and replay").
//
// A recording is a folder of one file per IST day, `<prefix>-YYYY-MM-DD.slfeed.gz`: gzip
// (zlib's gz* streams; a restart the same day appends a new gzip member, which readers take as
// one stream), holding a magic line and then, per frame, a little-endian u32 length, a
// little-endian i64 receive time (epoch ms) and the frame's bytes exactly as they came off the
// socket. A frame is never decoded here: a recording replays what Upstox sent, including what a
// later decoder may read differently.
//
// Recording never blocks the feed thread on the disk: record() copies the frame into a bounded
// queue that a thread of the recorder's own writes out; a full queue (a disk slower than the
// feed) or a day past its size cap drops frames and counts them, and stats() says so.

#include "common/Result.h"

#include <QByteArray>
#include <QString>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace strikeline::marketdata {

struct RecordedFrame
{
    std::int64_t receivedMs = 0;
    QByteArray payload;
};

struct FeedRecorderStats
{
    std::uint64_t framesWritten = 0;
    std::uint64_t framesDropped = 0; // queue full, size cap reached, or a write failed
    std::uint64_t bytesWritten = 0;  // uncompressed frame bytes
    QString currentFile;
    QString problem; // the last reason frames were dropped; empty while all is well
};

class FeedRecorder final
{
public:
    struct Options
    {
        QString directory;
        QString prefix = QStringLiteral("feed");
        std::int64_t maxFileBytes = 512LL * 1024 * 1024;  // compressed, per day
        std::int64_t maxQueuedBytes = 32LL * 1024 * 1024; // frames waiting for the disk
        int compressionLevel = 1;                         // zlib: speed over size
    };

    // Creates the folder when needed and starts the writer thread.
    static Result<std::unique_ptr<FeedRecorder>> open(Options options);
    ~FeedRecorder(); // writes what is queued, closes the file, joins the thread

    FeedRecorder(const FeedRecorder &) = delete;
    FeedRecorder &operator=(const FeedRecorder &) = delete;

    // Any thread; never waits on the disk (only on the queue's mutex, held for a move).
    void record(const QByteArray &frame, std::int64_t receivedMs);
    // Waits until every frame recorded so far is handed to zlib and flushed to the file.
    void flush();
    FeedRecorderStats stats() const;

    static QString fileName(const QString &prefix, std::int64_t receivedMs);

private:
    explicit FeedRecorder(Options options);
    void run();
    void write(const RecordedFrame &frame);
    void closeFile();
    void drop(const QString &reason);

    Options m_options;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_drained;
    std::deque<RecordedFrame> m_queue;
    std::int64_t m_queuedBytes = 0;
    std::uint64_t m_flushRequested = 0;
    std::uint64_t m_flushDone = 0;
    bool m_stopping = false;
    FeedRecorderStats m_stats; // under m_mutex

    // Writer thread only.
    void *m_file = nullptr; // gzFile
    QString m_filePath;
    std::int64_t m_fileDay = 0;
    bool m_dayFull = false;
    std::thread m_thread;
};

class FeedRecordingReader final
{
public:
    static Result<std::unique_ptr<FeedRecordingReader>> open(const QString &path);
    ~FeedRecordingReader();

    FeedRecordingReader(const FeedRecordingReader &) = delete;
    FeedRecordingReader &operator=(const FeedRecordingReader &) = delete;

    // The next frame; nullopt at the end. A file cut short (the process was killed while
    // writing) ends at its last whole frame and truncated() says so; a frame whose length
    // makes no sense is an error.
    Result<std::optional<RecordedFrame>> next();
    bool truncated() const { return m_truncated; }
    const QString &path() const { return m_path; }

private:
    FeedRecordingReader() = default;

    void *m_file = nullptr; // gzFile
    QString m_path;
    bool m_truncated = false;
    std::uint64_t m_frames = 0;
};

} // namespace strikeline::marketdata
