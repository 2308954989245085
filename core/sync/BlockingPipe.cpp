#include "BlockingPipe.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <utility>

namespace strikeline {

namespace {

constexpr qint64 MinimumCapacity = 64 * 1024;
// How often a blocked reader looks at the cancel flag.
constexpr auto CancelPollInterval = std::chrono::milliseconds(50);

} // namespace

BlockingPipe::BlockingPipe(qint64 capacity, const std::atomic_bool *cancel)
    : m_capacity(std::max(capacity, MinimumCapacity))
    , m_cancel(cancel)
{
    // Unbuffered: QIODevice must not keep a second copy of the bytes, so bytesAvailable() and
    // the bound stay honest.
    open(QIODevice::ReadOnly | QIODevice::Unbuffered);
}

BlockingPipe::~BlockingPipe() = default;

bool BlockingPipe::atEnd() const
{
    std::lock_guard lock(m_mutex);
    return m_state == State::Ended && m_size == 0 && QIODevice::bytesAvailable() == 0;
}

qint64 BlockingPipe::bytesAvailable() const
{
    std::lock_guard lock(m_mutex);
    return m_size + QIODevice::bytesAvailable();
}

bool BlockingPipe::waitLocked(std::unique_lock<std::mutex> &lock, int msecs)
{
    const auto ready = [this] { return m_size > 0 || m_state != State::Open || cancelled(); };
    if (msecs < 0) {
        while (!ready())
            m_readable.wait_for(lock, CancelPollInterval);
        return true;
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(msecs);
    while (!ready()) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline)
            return false;
        m_readable.wait_for(lock, std::min<std::chrono::steady_clock::duration>(
                                      deadline - now, CancelPollInterval));
    }
    return true;
}

bool BlockingPipe::waitForReadyRead(int msecs)
{
    QString error;
    {
        std::unique_lock lock(m_mutex);
        if (m_size > 0)
            return true;
        if (waitLocked(lock, msecs) && m_size > 0)
            return true;
        if (cancelled())
            error = QStringLiteral("download cancelled");
        else if (m_state == State::Failed || m_state == State::Discarded)
            error = m_failure;
    }
    if (!error.isEmpty())
        setErrorString(error);
    return false;
}

qint64 BlockingPipe::takeLocked(char *data, qint64 maxSize)
{
    qint64 copied = 0;
    while (copied < maxSize && !m_chunks.empty()) {
        QByteArray &front = m_chunks.front();
        const qint64 n = std::min(maxSize - copied, front.size() - m_headOffset);
        std::memcpy(data + copied, front.constData() + m_headOffset, static_cast<size_t>(n));
        copied += n;
        m_headOffset += n;
        if (m_headOffset == front.size()) {
            m_chunks.pop_front();
            m_headOffset = 0;
        }
    }
    m_size -= copied;
    // Wake the producer once a useful amount is free, not after every small read.
    if (m_producerWaiting && m_capacity - m_size >= m_capacity / 4) {
        m_producerWaiting = false;
        if (m_spaceListener)
            m_spaceListener();
    }
    return copied;
}

qint64 BlockingPipe::readData(char *data, qint64 maxSize)
{
    if (maxSize <= 0)
        return 0;
    QString error;
    {
        std::unique_lock lock(m_mutex);
        waitLocked(lock, -1);
        if (cancelled()) {
            error = QStringLiteral("download cancelled");
        } else if (m_state == State::Failed || m_state == State::Discarded) {
            error = m_failure;
        } else if (m_size > 0) {
            return takeLocked(data, maxSize);
        } else {
            return 0; // State::Ended: the end of the stream
        }
    }
    setErrorString(error);
    return -1;
}

void BlockingPipe::discard()
{
    std::lock_guard lock(m_mutex);
    if (m_state == State::Ended && m_size == 0)
        return; // everything was read: nothing to drop, reads keep saying "end"
    if (m_state == State::Open || m_state == State::Ended) {
        m_state = State::Discarded;
        m_failure = QStringLiteral("the rest of the download was discarded unread");
    }
    m_chunks.clear();
    m_headOffset = 0;
    m_size = 0;
    if (m_producerWaiting) {
        m_producerWaiting = false;
        if (m_spaceListener)
            m_spaceListener();
    }
    m_readable.notify_all();
}

qint64 BlockingPipe::reserve()
{
    std::lock_guard lock(m_mutex);
    if (m_state != State::Open)
        return m_capacity; // nobody reads any more: appends are dropped
    const qint64 space = m_capacity - m_size;
    if (space <= 0)
        m_producerWaiting = true;
    return std::max<qint64>(space, 0);
}

void BlockingPipe::append(QByteArray bytes)
{
    if (bytes.isEmpty())
        return;
    std::lock_guard lock(m_mutex);
    if (m_state != State::Open)
        return;
    m_size += bytes.size();
    m_chunks.push_back(std::move(bytes));
    m_highWater = std::max(m_highWater, m_size);
    m_readable.notify_all();
}

void BlockingPipe::finishWriting()
{
    std::lock_guard lock(m_mutex);
    if (m_state == State::Open)
        m_state = State::Ended;
    m_readable.notify_all();
}

void BlockingPipe::fail(const QString &reason)
{
    std::lock_guard lock(m_mutex);
    if (m_state == State::Open || m_state == State::Ended) {
        m_state = State::Failed;
        m_failure = reason;
    }
    m_chunks.clear();
    m_headOffset = 0;
    m_size = 0;
    m_readable.notify_all();
}

void BlockingPipe::setSpaceListener(std::function<void()> listener)
{
    std::lock_guard lock(m_mutex);
    m_spaceListener = std::move(listener);
}

qint64 BlockingPipe::highWater() const
{
    std::lock_guard lock(m_mutex);
    return m_highWater;
}

} // namespace strikeline
