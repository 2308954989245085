#include "MasterDownload.h"

#include "BlockingPipe.h"

#include <QLatin1String>
#include <QMetaObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QThread>
#include <QTimer>
#include <QUrl>
#include <QVariant>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <utility>

#ifndef STRIKELINE_VERSION
#define STRIKELINE_VERSION "0.0.0"
#endif

// Thread model
// ------------
// start() creates a QThread named "MasterDownload" whose run() builds a Worker (and with it the
// QNetworkAccessManager) on that thread, sends the GET and runs the thread's event loop; the
// Worker and the manager are destroyed there too, when the loop ends. The caller's thread
// blocks in start() until the Worker publishes the response headers (or a failure) into
// Shared, under Shared::mutex.
//
// The body travels through a BlockingPipe: the Worker appends what the QNetworkReply holds
// while the pipe has room; when it is full the Worker stops reading the reply, so Qt's own
// buffer (setReadBufferSize) fills and Qt stops reading the socket. The reader's reads free
// room, and the pipe posts onSpace() back to the Worker (queued) to resume. Nothing on the
// network thread ever blocks.
//
// Timeouts are the Worker's own QTimers: one until the headers, one for silence while the body
// streams. The stall timer only runs while the Worker wants bytes: while the pipe is full it
// is the reader that is slow, not the server. (QNetworkRequest::setTransferTimeout cannot tell
// the two apart -- its timer restarts only when data reaches the reply, so a reader slower than
// the timeout would abort a healthy transfer.)
//
// Redirects are followed here, not by Qt: each hop is a fresh QNetworkReply. With Qt 6.4's own
// redirect handling the 3xx's headers sometimes leak into the final reply (we saw
// "Content-Length: 11, 524288" after a 302 with an 11-byte body, about one run in 30), which
// would misjudge the length of a good download. The rules are Qt's NoLessSafeRedirectPolicy:
// at most MaxRedirects hops, never from https to http.

namespace strikeline {

namespace {

constexpr qint64 MaxChunkBytes = 256 * 1024;
constexpr int CancelPollMs = 50;
constexpr int MaxRedirects = 10;
constexpr qint64 MaxDroppedBodyBytes = 1 << 20; // of a 3xx or error response

QString groupedNumber(qint64 n)
{
    QString s = QString::number(n);
    const int stop = n < 0 ? 1 : 0;
    for (auto at = s.size() - 3; at > stop; at -= 3)
        s.insert(at, QLatin1Char(','));
    return s;
}

QString duration(int ms)
{
    if (ms % 1000 == 0)
        return QStringLiteral("%1 s").arg(ms / 1000);
    if (ms < 1000)
        return QStringLiteral("%1 ms").arg(ms);
    return QStringLiteral("%1 s").arg(ms / 1000.0, 0, 'f', 1);
}

bool isFollowedRedirect(int status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// Content-Length as sent; nullopt when it is not a number. -1 when absent (chunked or
// close-delimited). Qt joins repeated headers with ", ": equal repeats are accepted.
std::optional<qint64> contentLengthOf(const QNetworkReply &reply)
{
    const QByteArray raw = reply.rawHeader("Content-Length");
    if (raw.isEmpty())
        return -1;
    std::optional<qint64> length;
    for (const QByteArray &part : raw.split(',')) {
        bool ok = false;
        const qint64 value = part.trimmed().toLongLong(&ok);
        if (!ok || value < 0 || (length && *length != value))
            return std::nullopt;
        length = value;
    }
    return length;
}

// What the caller's thread and the network thread share. Owned by MasterDownload::Private,
// which joins the network thread before destroying it.
struct Shared
{
    Shared(const QUrl &u, const HttpValidators &p, const DownloadOptions &o)
        : url(u)
        , previous(p)
        , options(o)
        , pipe(o.bufferBytes, o.cancel)
    {}

    const QUrl url;
    const HttpValidators previous;
    const DownloadOptions options;
    BlockingPipe pipe;
    std::atomic<std::int64_t> received{0};

    std::mutex mutex;
    std::condition_variable changed;
    // Guarded by mutex.
    bool headersKnown = false; // start() may return
    bool done = false;         // the transfer ended, well or not
    std::optional<Error> startError;
    std::optional<Error> transferError;
    bool notModified = false;
    HttpValidators validators;
    std::int64_t contentLength = -1;
};

// Lives on the network thread, from before the request until after the reply is gone.
class Worker final : public QObject
{
public:
    explicit Worker(Shared &shared);
    ~Worker() override;

    void begin();

private:
    void sendRequest(const QUrl &url);
    void followRedirect();
    void onMetaData();
    void onFinished();
    void onSpace();
    void onStall();
    void pump();
    void complete();
    void fail(ErrorCode code, const QString &message);
    void reportProgress();
    QString where() const { return m_shared.url.toDisplayString(); }

    Shared &m_shared;
    QNetworkAccessManager m_manager;
    QNetworkReply *m_reply = nullptr;
    QTimer m_headerTimer;
    QTimer m_stallTimer;
    QTimer m_cancelTimer;
    bool m_headers = false;             // a final (non-redirect) response arrived
    bool m_streaming = false;           // ... with status 200
    bool m_replyFinished = false;       // Qt has the whole body (or gave up)
    bool m_done = false;                // we published the outcome
    std::optional<Error> m_statusError; // a status other than 200/304: fails when its body ends
    std::optional<QUrl> m_redirectTo;   // a 3xx: followed when its body ends
    int m_redirects = 0;
    qint64 m_droppedBodyBytes = 0; // of a 3xx or error response
    qint64 m_received = 0;         // bytes moved into the pipe
    qint64 m_total = -1;
};

Worker::Worker(Shared &shared)
    : m_shared(shared)
{
    m_headerTimer.setSingleShot(true);
    m_stallTimer.setSingleShot(true);
    connect(&m_headerTimer, &QTimer::timeout, this, [this] {
        fail(ErrorCode::Network, QStringLiteral("no response from %1 within %2")
                                     .arg(where(), duration(m_shared.options.connectTimeoutMs)));
    });
    connect(&m_stallTimer, &QTimer::timeout, this, &Worker::onStall);
    connect(&m_cancelTimer, &QTimer::timeout, this, [this] {
        if (m_shared.options.cancel->load()) {
            fail(ErrorCode::Cancelled, QStringLiteral("download of %1 cancelled after %2 bytes")
                                           .arg(where(), groupedNumber(m_received)));
        }
    });
}

Worker::~Worker()
{
    m_shared.pipe.setSpaceListener({});
    if (m_reply) {
        disconnect(m_reply, nullptr, this, nullptr);
        m_reply->abort();
        delete m_reply;
        m_reply = nullptr;
    }
    if (!m_done) {
        m_done = true;
        const QString why = QStringLiteral("download of %1 abandoned").arg(where());
        m_shared.pipe.fail(why);
        std::lock_guard lock(m_shared.mutex);
        if (!m_shared.headersKnown)
            m_shared.startError = Error::make(ErrorCode::Cancelled, why);
        else
            m_shared.transferError = Error::make(ErrorCode::Cancelled, why);
        m_shared.done = true;
        m_shared.changed.notify_all();
    }
}

void Worker::begin()
{
    m_shared.pipe.setSpaceListener([this] {
        // Called on the reader's thread under the pipe's lock: only post.
        QMetaObject::invokeMethod(
            this, [this] { onSpace(); }, Qt::QueuedConnection);
    });
    if (m_shared.options.connectTimeoutMs > 0)
        m_headerTimer.start(m_shared.options.connectTimeoutMs); // covers every redirect hop
    if (m_shared.options.cancel)
        m_cancelTimer.start(CancelPollMs);
    sendRequest(m_shared.url);
}

void Worker::sendRequest(const QUrl &url)
{
    QNetworkRequest request(url);
    request.setRawHeader("User-Agent", QByteArrayLiteral("Strikeline/" STRIKELINE_VERSION));
    // Upstox serves the .gz itself as the body (Content-Type application/gzip). Asking for
    // identity also stops Qt from adding its own Accept-Encoding and then inflating a response
    // that arrives with Content-Encoding: gzip anyway: we always get the bytes on the wire.
    request.setRawHeader("Accept-Encoding", "identity");
    if (!m_shared.previous.etag.isEmpty())
        request.setRawHeader("If-None-Match", m_shared.previous.etag.toLatin1());
    if (!m_shared.previous.lastModified.isEmpty())
        request.setRawHeader("If-Modified-Since", m_shared.previous.lastModified.toLatin1());
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute,
                         QNetworkRequest::AlwaysNetwork);
    request.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    // One large GET gains nothing from HTTP/2, and over HTTP/1.1 the reply's read buffer size
    // is what throttles the socket; HTTP/2 flow control does not follow it the same way.
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);

    m_reply = m_manager.get(request);
    m_reply->setReadBufferSize(
        std::clamp<qint64>(m_shared.options.bufferBytes / 4, 64 * 1024, 1 << 20));
    connect(m_reply, &QNetworkReply::metaDataChanged, this, &Worker::onMetaData);
    connect(m_reply, &QIODevice::readyRead, this, &Worker::pump);
    connect(m_reply, &QNetworkReply::finished, this, &Worker::onFinished);
}

void Worker::followRedirect()
{
    QNetworkReply *previous = std::exchange(m_reply, nullptr);
    disconnect(previous, nullptr, this, nullptr);
    if (previous->isRunning())
        previous->abort();
    previous->deleteLater(); // we may be inside one of its signals
    const QUrl target = *std::exchange(m_redirectTo, std::nullopt);
    m_droppedBodyBytes = 0;
    m_replyFinished = false;
    m_stallTimer.stop();
    sendRequest(target);
}

void Worker::onMetaData()
{
    if (m_headers || m_redirectTo || m_statusError || m_done)
        return;
    const QVariant statusAttribute = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (!statusAttribute.isValid())
        return;
    const int status = statusAttribute.toInt();
    if (isFollowedRedirect(status)) {
        const QByteArray location = m_reply->rawHeader("Location");
        const QUrl from = m_reply->url();
        const QUrl target = from.resolved(QUrl::fromEncoded(location.trimmed()));
        QString refusal;
        if (location.trimmed().isEmpty() || !target.isValid())
            refusal = QStringLiteral("HTTP %1 without a usable Location from %2")
                          .arg(status)
                          .arg(from.toDisplayString());
        else if (++m_redirects > MaxRedirects)
            refusal =
                QStringLiteral("more than %1 redirects from %2").arg(MaxRedirects).arg(where());
        else if (target.scheme() != QLatin1String("https") &&
                 (target.scheme() != QLatin1String("http") ||
                  from.scheme() == QLatin1String("https")))
            refusal = QStringLiteral("refusing the redirect from %1 to %2")
                          .arg(from.toDisplayString(), target.toDisplayString());
        if (!refusal.isEmpty())
            m_statusError = Error::make(ErrorCode::Network, refusal);
        else
            m_redirectTo = target;
        // Either way, let this reply's small body end (see the status errors below).
        if (m_shared.options.stallTimeoutMs > 0)
            m_stallTimer.start(m_shared.options.stallTimeoutMs);
        pump();
        return;
    }
    m_headers = true;
    m_headerTimer.stop();

    HttpValidators said{QString::fromLatin1(m_reply->rawHeader("ETag")),
                        QString::fromLatin1(m_reply->rawHeader("Last-Modified"))};
    if (status == 200 && m_reply->rawHeaderPairs().isEmpty()) {
        // Every server sends some header (Date, Server, a length or chunked framing). Qt 6.4
        // silently drops a header block it cannot take (one over ~100 KB): the framing goes
        // with it, and the body would then look close-delimited and "stall" at its end.
        fail(ErrorCode::Network,
             QStringLiteral("the response headers from %1 could not be read: they are larger "
                            "than the HTTP client accepts (about 100 KB) or malformed")
                 .arg(m_reply->url().toDisplayString()));
        return;
    }
    if (status == 200) {
        const std::optional<qint64> length = contentLengthOf(*m_reply);
        if (!length) {
            fail(ErrorCode::Network,
                 QStringLiteral("unusable Content-Length \"%1\" from %2")
                     .arg(QString::fromLatin1(m_reply->rawHeader("Content-Length")),
                          m_reply->url().toDisplayString()));
            return;
        }
        m_total = *length;
        m_streaming = true;
        if (m_shared.options.stallTimeoutMs > 0)
            m_stallTimer.start(m_shared.options.stallTimeoutMs);
        std::lock_guard lock(m_shared.mutex);
        m_shared.validators = std::move(said);
        m_shared.contentLength = m_total;
        m_shared.headersKnown = true;
        m_shared.changed.notify_all();
        return;
    }
    if (status == 304) {
        // A 304 need not repeat the validators; the previous ones still describe the master.
        if (said.etag.isEmpty())
            said.etag = m_shared.previous.etag;
        if (said.lastModified.isEmpty())
            said.lastModified = m_shared.previous.lastModified;
        m_shared.pipe.finishWriting();
        std::lock_guard lock(m_shared.mutex);
        m_shared.notModified = true;
        m_shared.validators = std::move(said);
        m_shared.contentLength = 0;
        m_shared.headersKnown = true;
        m_shared.changed.notify_all();
        return;
    }
    const QString reason =
        m_reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString().trimmed();
    const QString statusText =
        reason.isEmpty() ? QString::number(status) : QString::number(status) + u' ' + reason;
    m_statusError = Error::make(
        ErrorCode::Network,
        QStringLiteral("HTTP %1 from %2").arg(statusText, m_reply->url().toDisplayString()));
    // Let the (small) error body finish rather than abort: Qt 6.4 still delivers its own queued
    // error for the status after an abort, and warns "this method must only be called once".
    // pump() drops the body; the stall timer and MaxDroppedBodyBytes bound it.
    if (m_shared.options.stallTimeoutMs > 0)
        m_stallTimer.start(m_shared.options.stallTimeoutMs);
    pump();
}

void Worker::onFinished()
{
    if (m_done)
        return;
    m_replyFinished = true;
    m_stallTimer.stop();
    if (!m_headers)
        onMetaData(); // a reply may finish without metaDataChanged having been delivered
    if (m_done)
        return;
    if (m_redirectTo) {
        followRedirect();
        return;
    }
    if (m_statusError) {
        fail(m_statusError->code, m_statusError->message);
        return;
    }
    if (!m_headers) {
        // No usable response at all: refused, DNS, TLS, too many or unsafe redirects...
        const QString why = m_reply->error() != QNetworkReply::NoError
                                ? m_reply->errorString()
                                : QStringLiteral("no HTTP response");
        fail(ErrorCode::Network, QStringLiteral("could not download %1: %2").arg(where(), why));
        return;
    }
    if (!m_streaming) { // 304
        complete();
        return;
    }
    if (m_reply->error() != QNetworkReply::NoError) {
        const qint64 got = m_received + std::max<qint64>(m_reply->bytesAvailable(), 0);
        if (m_total >= 0 && got < m_total) {
            fail(ErrorCode::Network,
                 QStringLiteral("connection closed after %1 of %2 bytes from %3 (%4)")
                     .arg(groupedNumber(got), groupedNumber(m_total), where(),
                          m_reply->errorString()));
        } else {
            fail(ErrorCode::Network, QStringLiteral("download of %1 failed after %2 bytes: %3")
                                         .arg(where(), groupedNumber(got), m_reply->errorString()));
        }
        return;
    }
    pump(); // Qt may still hold bytes the full pipe had no room for; completes when they are in
}

void Worker::onSpace()
{
    if (m_done || !m_streaming)
        return;
    if (!m_replyFinished && m_shared.options.stallTimeoutMs > 0)
        m_stallTimer.start(m_shared.options.stallTimeoutMs);
    pump();
}

void Worker::onStall()
{
    if (m_redirectTo) {
        followRedirect(); // the 3xx's body never ended; its Location is all we need
        return;
    }
    if (m_statusError) {
        fail(m_statusError->code, m_statusError->message);
        return;
    }
    fail(ErrorCode::Network,
         QStringLiteral("download of %1 stalled after %2 bytes: no data for %3")
             .arg(where(), groupedNumber(m_received), duration(m_shared.options.stallTimeoutMs)));
}

void Worker::pump()
{
    if (m_done)
        return;
    if (m_redirectTo || m_statusError) {
        m_droppedBodyBytes += m_reply->skip(m_reply->bytesAvailable());
        if (m_droppedBodyBytes <= MaxDroppedBodyBytes) {
            if (!m_replyFinished && m_shared.options.stallTimeoutMs > 0)
                m_stallTimer.start(m_shared.options.stallTimeoutMs);
        } else if (m_redirectTo) {
            followRedirect();
        } else {
            fail(m_statusError->code, m_statusError->message);
        }
        return;
    }
    if (!m_streaming)
        return;
    while (m_reply->bytesAvailable() > 0) {
        const qint64 space = m_shared.pipe.reserve();
        if (space <= 0) {
            // The reader is behind: not the server's silence. onSpace() resumes.
            m_stallTimer.stop();
            return;
        }
        QByteArray chunk =
            m_reply->read(std::min({m_reply->bytesAvailable(), space, MaxChunkBytes}));
        if (chunk.isEmpty())
            break;
        m_received += chunk.size();
        m_shared.received.store(m_received);
        m_shared.pipe.append(std::move(chunk));
        if (!m_replyFinished && m_shared.options.stallTimeoutMs > 0)
            m_stallTimer.start(m_shared.options.stallTimeoutMs);
        reportProgress();
        if (m_done)
            return;
    }
    if (m_replyFinished)
        complete();
}

void Worker::complete()
{
    if (m_streaming && m_total >= 0 && m_received != m_total) {
        fail(ErrorCode::Network,
             QStringLiteral("connection closed after %1 of %2 bytes from %3")
                 .arg(groupedNumber(m_received), groupedNumber(m_total), where()));
        return;
    }
    m_done = true;
    m_headerTimer.stop();
    m_stallTimer.stop();
    m_cancelTimer.stop();
    m_shared.pipe.finishWriting();
    std::lock_guard lock(m_shared.mutex);
    m_shared.done = true;
    m_shared.changed.notify_all();
}

void Worker::fail(ErrorCode code, const QString &message)
{
    if (m_done)
        return;
    m_done = true;
    m_headerTimer.stop();
    m_stallTimer.stop();
    m_cancelTimer.stop();
    if (m_reply) {
        disconnect(m_reply, nullptr, this, nullptr);
        m_reply->abort();
    }
    m_shared.pipe.fail(message);
    std::lock_guard lock(m_shared.mutex);
    if (!m_shared.headersKnown)
        m_shared.startError = Error::make(code, message);
    else
        m_shared.transferError = Error::make(code, message);
    m_shared.done = true;
    m_shared.changed.notify_all();
}

void Worker::reportProgress()
{
    if (!m_shared.options.progress)
        return;
    try {
        m_shared.options.progress(m_received, m_total);
    } catch (...) {
        // Nothing may unwind through Qt's event loop.
        fail(ErrorCode::Internal, QStringLiteral("the progress callback of the download of %1 "
                                                 "threw an exception")
                                      .arg(where()));
    }
}

class NetworkThread final : public QThread
{
public:
    explicit NetworkThread(Shared &shared)
        : m_shared(shared)
    {
        setObjectName(QStringLiteral("MasterDownload"));
    }

protected:
    void run() override
    {
        Worker worker(m_shared);
        worker.begin();
        exec();
    } // the reply, the manager and the timers go here, on this thread

private:
    Shared &m_shared;
};

} // namespace

struct MasterDownload::Private
{
    std::unique_ptr<Shared> shared;
    std::unique_ptr<NetworkThread> thread;
};

MasterDownload::MasterDownload()
    : d(std::make_unique<Private>())
{}

MasterDownload::~MasterDownload()
{
    if (!d->thread)
        return;
    // Wakes a reader still blocked in body() (on another thread: a misuse, but not a hang).
    d->shared->pipe.fail(
        QStringLiteral("download of %1 abandoned").arg(d->shared->url.toDisplayString()));
    d->thread->quit();
    d->thread->wait();
}

Result<std::unique_ptr<MasterDownload>> MasterDownload::start(const QUrl &url,
                                                              const HttpValidators &previous,
                                                              const DownloadOptions &options)
{
    const QString scheme = url.scheme();
    if (!url.isValid() || (scheme != QLatin1String("http") && scheme != QLatin1String("https"))) {
        return Error::make(ErrorCode::InvalidArgument,
                           QStringLiteral("not an http(s) URL: \"%1\"").arg(url.toDisplayString()));
    }

    std::unique_ptr<MasterDownload> download(new MasterDownload);
    Private &d = *download->d;
    d.shared = std::make_unique<Shared>(url, previous, options);
    d.thread = std::make_unique<NetworkThread>(*d.shared);
    d.thread->start();

    std::unique_lock lock(d.shared->mutex);
    d.shared->changed.wait(lock, [&] { return d.shared->headersKnown || d.shared->done; });
    if (d.shared->startError) {
        Error error = *d.shared->startError;
        lock.unlock();
        return error; // `download` joins the thread on the way out
    }
    lock.unlock();
    return Result<std::unique_ptr<MasterDownload>>(std::move(download));
}

bool MasterDownload::notModified() const
{
    std::lock_guard lock(d->shared->mutex);
    return d->shared->notModified;
}

HttpValidators MasterDownload::validators() const
{
    std::lock_guard lock(d->shared->mutex);
    return d->shared->validators;
}

std::int64_t MasterDownload::contentLength() const
{
    std::lock_guard lock(d->shared->mutex);
    return d->shared->contentLength;
}

QIODevice &MasterDownload::body()
{
    return d->shared->pipe;
}

Result<void> MasterDownload::finish()
{
    d->shared->pipe.discard();
    std::unique_lock lock(d->shared->mutex);
    d->shared->changed.wait(lock, [&] { return d->shared->done; });
    if (d->shared->transferError)
        return *d->shared->transferError;
    return success();
}

std::int64_t MasterDownload::bytesReceived() const
{
    return d->shared->received.load();
}

} // namespace strikeline
