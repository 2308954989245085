#pragma once

#include <QByteArray>
#include <QIODevice>
#include <QString>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>

namespace strikeline {

// A bounded, blocking byte pipe between a producer thread (the network) and one reader thread.
// The reader sees a read-only sequential QIODevice whose read() blocks until bytes, the end of
// the stream, a failure or a cancel; the producer never holds more than capacity() bytes in it.
//
// Producer protocol: reserve() says how many bytes may be appended now; when it says 0 the pipe
// remembers that the producer is waiting and calls the space listener (on the reader's thread,
// under the pipe's lock: it must only post, e.g. QMetaObject::invokeMethod queued) once the
// reader has freed a useful amount. The producer then calls reserve() again.
//
// std::mutex rather than QMutex: QMutex's futex fast path is invisible to ThreadSanitizer.
class BlockingPipe final : public QIODevice
{
public:
    explicit BlockingPipe(qint64 capacity, const std::atomic_bool *cancel = nullptr);
    ~BlockingPipe() override;

    // The reader's side (one thread).
    bool isSequential() const override { return true; }
    bool atEnd() const override; // only after a clean end of stream with nothing left to read
    qint64 bytesAvailable() const override;
    bool waitForReadyRead(int msecs) override;
    // Drops unread bytes and everything appended later; reads then fail. Lets the producer run
    // to its end when the reader has stopped reading.
    void discard();

    // The producer's side (any one thread).
    qint64 reserve();
    void append(QByteArray bytes);    // at most what the last reserve() allowed
    void finishWriting();             // end of stream after the bytes already appended
    void fail(const QString &reason); // reads fail from now on; unread bytes are dropped
    void setSpaceListener(std::function<void()> listener);

    qint64 capacity() const { return m_capacity; }
    qint64 highWater() const; // the most bytes the pipe ever held (tests, diagnostics)

protected:
    qint64 readData(char *data, qint64 maxSize) override;
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    enum class State { Open, Ended, Failed, Discarded };

    // Waits (lock held) until bytes, an end, a failure or cancel; false on timeout.
    bool waitLocked(std::unique_lock<std::mutex> &lock, int msecs);
    bool cancelled() const { return m_cancel && m_cancel->load(std::memory_order_relaxed); }
    qint64 takeLocked(char *data, qint64 maxSize);

    const qint64 m_capacity;
    const std::atomic_bool *const m_cancel;

    mutable std::mutex m_mutex;
    std::condition_variable m_readable;
    std::deque<QByteArray> m_chunks;
    qint64 m_headOffset = 0; // bytes of m_chunks.front() already read
    qint64 m_size = 0;
    qint64 m_highWater = 0;
    State m_state = State::Open;
    QString m_failure;
    bool m_producerWaiting = false;
    std::function<void()> m_spaceListener;
};

} // namespace strikeline
