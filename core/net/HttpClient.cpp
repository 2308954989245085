#include "HttpClient.h"

#include "net/TokenProvider.h"

#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>
#include <QIODevice>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QThread>
#include <QTimer>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <deque>
#include <optional>
#include <unordered_map>

namespace strikeline::net {

QString methodName(HttpMethod method)
{
    switch (method) {
    case HttpMethod::Get:
        return QStringLiteral("GET");
    case HttpMethod::Post:
        return QStringLiteral("POST");
    case HttpMethod::Put:
        return QStringLiteral("PUT");
    case HttpMethod::Delete:
        return QStringLiteral("DELETE");
    }
    return QStringLiteral("GET");
}

QByteArray HttpResponse::header(const QByteArray &name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

namespace {

bool isLoopbackHost(const QString &host)
{
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

// A request body that can be read once and never rewound: what makes Qt's own re-send of a
// non-idempotent request fail (ContentReSendError) instead of sending it a second time.
class OneShotBody final : public QIODevice
{
public:
    explicit OneShotBody(QByteArray bytes, QObject *parent)
        : QIODevice(parent)
        , m_bytes(std::move(bytes))
    {
        open(QIODevice::ReadOnly);
    }
    bool isSequential() const override { return true; }
    bool reset() override { return false; }
    bool seek(qint64) override { return false; }
    qint64 bytesAvailable() const override
    {
        return (m_bytes.size() - m_pos) + QIODevice::bytesAvailable();
    }
    bool atEnd() const override { return m_pos >= m_bytes.size(); }
    qint64 size() const override { return m_bytes.size(); }

protected:
    qint64 readData(char *data, qint64 maxSize) override
    {
        const qint64 n = std::min<qint64>(maxSize, m_bytes.size() - m_pos);
        if (n <= 0)
            return m_pos >= m_bytes.size() ? -1 : 0;
        std::copy_n(m_bytes.constData() + m_pos, n, data);
        m_pos += n;
        return n;
    }
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    QByteArray m_bytes;
    qint64 m_pos = 0;
};

bool isRetryableStatus(int status)
{
    return status == 429 || status == 502 || status == 503 || status == 504;
}

// Retry-After in seconds ("120"); the HTTP-date form is not used by Upstox and is ignored.
std::optional<std::chrono::milliseconds> retryAfter(const QByteArray &value)
{
    bool ok = false;
    const qint64 seconds = value.trimmed().toLongLong(&ok);
    if (!ok || seconds < 0)
        return std::nullopt;
    return std::chrono::milliseconds(seconds * 1000);
}

} // namespace

// One answer on its way to the caller's thread. The signal is connected to the caller's context
// object (auto-disconnected when it dies, thread-safely), the result travels in shared state.
struct DeliverySlot
{
    std::optional<Result<HttpResponse>> result;
};

class Delivery final : public QObject
{
    Q_OBJECT
public:
    // Shared with the receiving lambda: the Delivery itself is deleted right after ready().
    const std::shared_ptr<DeliverySlot> slot = std::make_shared<DeliverySlot>();

    void deliver(Result<HttpResponse> result)
    {
        slot->result = std::move(result);
        Q_EMIT ready();
        delete this;
    }
Q_SIGNALS:
    void ready();
};

class HttpWorker final : public QObject
{
public:
    explicit HttpWorker(HttpClient::Options options)
        : m_options(std::move(options))
    {
        m_clock.start();
    }
    ~HttpWorker() override
    {
        for (auto &[id, call] : m_calls)
            delete call->delivery; // never delivered: the client is going away
    }

    void addLimit(const QString &name, std::vector<RateWindow> windows)
    {
        Bucket &bucket = m_buckets[name];
        bucket.limiter = RateLimiter(std::move(windows));
    }

    void submit(RequestId id, HttpRequest request, Delivery *delivery)
    {
        auto call = std::make_unique<Call>();
        call->id = id;
        call->request = std::move(request);
        call->delivery = delivery;
        m_calls.emplace(id, std::move(call));
        schedule(id);
    }

    void cancel(RequestId id)
    {
        Call *call = find(id);
        if (!call)
            return;
        for (Bucket &bucket : m_buckets)
            std::erase(bucket.queue, id);
        if (call->retryTimer)
            call->retryTimer->stop();
        if (call->reply) {
            call->cancelled = true;
            call->reply->abort(); // finished() follows and ends the call as cancelled
            return;
        }
        finish(id, Error::make(ErrorCode::Cancelled, QStringLiteral("cancelled")));
    }

private:
    struct Call
    {
        RequestId id = 0;
        HttpRequest request;
        Delivery *delivery = nullptr;
        int attempt = 0;
        QNetworkReply *reply = nullptr;
        QTimer *attemptTimer = nullptr;
        QTimer *retryTimer = nullptr;
        QByteArray tokenUsed;
        bool timedOut = false;
        bool cancelled = false;
    };
    struct Bucket
    {
        RateLimiter limiter;
        std::deque<RequestId> queue;
        QTimer *timer = nullptr;
    };

    Call *find(RequestId id)
    {
        const auto it = m_calls.find(id);
        return it == m_calls.end() ? nullptr : it->second.get();
    }

    QNetworkAccessManager &nam()
    {
        if (!m_nam) {
            m_nam = new QNetworkAccessManager(this); // created here: it lives on this thread
            m_nam->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
            m_nam->setAutoDeleteReplies(false);
        }
        return *m_nam;
    }

    // Through the call's rate limiter (in order, behind whatever waits there), then sent.
    void schedule(RequestId id)
    {
        Call *call = find(id);
        if (!call)
            return;
        if (call->request.rateLimit.isEmpty()) {
            dispatch(*call);
            return;
        }
        const auto it = m_buckets.find(call->request.rateLimit);
        if (it == m_buckets.end()) {
            dispatch(*call); // an unknown limiter limits nothing (added later, or a typo)
            return;
        }
        Bucket &bucket = it.value();
        bucket.queue.push_back(id);
        pump(call->request.rateLimit);
    }

    void pump(const QString &name)
    {
        Bucket &bucket = m_buckets[name];
        while (!bucket.queue.empty() && bucket.limiter.tryAcquire(m_clock.elapsed())) {
            const RequestId next = bucket.queue.front();
            bucket.queue.pop_front();
            if (Call *call = find(next))
                dispatch(*call);
        }
        if (bucket.queue.empty())
            return;
        if (!bucket.timer) {
            bucket.timer = new QTimer(this);
            bucket.timer->setSingleShot(true);
            bucket.timer->setTimerType(Qt::PreciseTimer);
            connect(bucket.timer, &QTimer::timeout, this, [this, name] { pump(name); });
        }
        const auto wait = bucket.limiter.delayMs(m_clock.elapsed());
        bucket.timer->start(static_cast<int>(std::max<std::int64_t>(wait, 1)));
    }

    void dispatch(Call &call)
    {
        ++call.attempt;
        call.timedOut = false;
        const HttpRequest &r = call.request;
        QNetworkRequest request(r.url);
        request.setRawHeader("Accept", "application/json");
        request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                             QNetworkRequest::ManualRedirectPolicy);
        // Read now, not when the request was made: it may have waited in a queue or a backoff.
        call.tokenUsed.clear();
        if (r.bearer && m_options.tokens) {
            call.tokenUsed = m_options.tokens->accessToken();
            if (!call.tokenUsed.isEmpty())
                request.setRawHeader("Authorization", "Bearer " + call.tokenUsed);
        }
        for (const auto &[name, value] : r.headers)
            request.setRawHeader(name, value);
        if (!r.contentType.isEmpty())
            request.setHeader(QNetworkRequest::ContentTypeHeader, r.contentType);

        QNetworkReply *reply = nullptr;
        if (r.method == HttpMethod::Get) {
            reply = nam().get(request);
        } else {
            request.setHeader(QNetworkRequest::ContentLengthHeader, r.body.size());
            request.setAttribute(QNetworkRequest::DoNotBufferUploadDataAttribute, true);
            // HTTP/1.1 only: the one-shot body is what stops Qt's re-send there (tested); an
            // HTTP/2 stream's retry rules are Qt's own and not ours to rely on.
            request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
            auto *body = new OneShotBody(r.body, nullptr);
            reply = nam().sendCustomRequest(request, methodName(r.method).toLatin1(), body);
            body->setParent(reply);
        }
        call.reply = reply;
        const RequestId id = call.id;
        connect(reply, &QNetworkReply::finished, this, [this, id] { onFinished(id); });

        if (!call.attemptTimer) {
            call.attemptTimer = new QTimer(this);
            call.attemptTimer->setSingleShot(true);
            connect(call.attemptTimer, &QTimer::timeout, this, [this, id] {
                if (Call *c = find(id); c && c->reply) {
                    c->timedOut = true;
                    c->reply->abort();
                }
            });
        }
        call.attemptTimer->start(r.timeout);
        spdlog::debug("http {} {} (attempt {})", methodName(r.method).toStdString(),
                      r.url.toDisplayString(QUrl::RemoveQuery).toStdString(), call.attempt);
    }

    void onFinished(RequestId id)
    {
        Call *call = find(id);
        if (!call || !call->reply)
            return;
        call->attemptTimer->stop();
        QNetworkReply *reply = call->reply;
        call->reply = nullptr;
        reply->deleteLater();

        const HttpRequest &r = call->request;
        const QString what = methodName(r.method) + u' ' + r.url.toDisplayString(QUrl::RemoveQuery);
        if (call->cancelled) {
            finish(id, Error::make(ErrorCode::Cancelled, what + QStringLiteral(": cancelled")));
            return;
        }
        const QVariant statusAttribute = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
        const bool idempotent = r.method == HttpMethod::Get;
        if (!statusAttribute.isValid() || call->timedOut) {
            QString reason;
            if (call->timedOut)
                reason = QStringLiteral("no answer within %1 s").arg(r.timeout.count() / 1000.0);
            else if (reply->error() == QNetworkReply::ContentReSendError)
                reason = QStringLiteral("the connection closed before the answer");
            else
                reason = reply->errorString();
            if (!idempotent && reply->error() != QNetworkReply::ConnectionRefusedError &&
                reply->error() != QNetworkReply::HostNotFoundError)
                reason += QStringLiteral(" (the request may have reached the server: not sent "
                                         "again)");
            if (idempotent && call->attempt < r.maxAttempts) {
                retryLater(*call, backoff(call->attempt));
                return;
            }
            finish(id, Error::make(ErrorCode::Network, what + QStringLiteral(": ") + reason));
            return;
        }

        HttpResponse response;
        response.status = statusAttribute.toInt();
        response.body = reply->readAll();
        response.attempts = call->attempt;
        for (const auto &pair : reply->rawHeaderPairs())
            response.headers.append(pair);

        if (response.status == 401 && !call->tokenUsed.isEmpty() && m_options.tokens)
            m_options.tokens->tokenRejected(call->tokenUsed);

        if (idempotent && isRetryableStatus(response.status) && call->attempt < r.maxAttempts) {
            auto wait = backoff(call->attempt);
            if (response.status == 429 || response.status == 503) {
                if (const auto asked = retryAfter(response.header("Retry-After"))) {
                    if (*asked > m_options.maxRetryAfter) {
                        finish(id, std::move(response)); // too long to wait for: say so now
                        return;
                    }
                    wait = std::max(wait, *asked);
                }
            }
            retryLater(*call, wait);
            return;
        }
        finish(id, std::move(response));
    }

    std::chrono::milliseconds backoff(int attempt) const
    {
        return m_options.retryBackoff * (1 << std::min(attempt - 1, 6));
    }

    void retryLater(Call &call, std::chrono::milliseconds wait)
    {
        if (!call.retryTimer) {
            call.retryTimer = new QTimer(this);
            call.retryTimer->setSingleShot(true);
            const RequestId id = call.id;
            connect(call.retryTimer, &QTimer::timeout, this, [this, id] { schedule(id); });
        }
        call.retryTimer->start(wait);
    }

    void finish(RequestId id, Result<HttpResponse> result)
    {
        const auto it = m_calls.find(id);
        if (it == m_calls.end())
            return;
        std::unique_ptr<Call> call = std::move(it->second);
        m_calls.erase(it);
        // Later, not now: finish() may run inside one of these timers' own timeout signal.
        for (QTimer *timer : {call->attemptTimer, call->retryTimer}) {
            if (timer) {
                timer->stop();
                timer->deleteLater();
            }
        }
        if (!result.ok())
            spdlog::debug("http: {}", result.error().message.toStdString());
        call->delivery->deliver(std::move(result));
    }

    HttpClient::Options m_options;
    QNetworkAccessManager *m_nam = nullptr;
    std::unordered_map<RequestId, std::unique_ptr<Call>> m_calls;
    QHash<QString, Bucket> m_buckets;
    QElapsedTimer m_clock;
};

HttpClient::HttpClient(Options options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_thread(makeNamedThread(m_options.threadName))
{
    m_worker = new HttpWorker(m_options);
    m_worker->moveToThread(m_thread.get());
    connect(m_thread.get(), &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread->start();
}

HttpClient::~HttpClient()
{
    m_thread.reset(); // quits and joins; the worker and its replies are deleted on that thread
}

void HttpClient::addRateLimit(const QString &name, std::vector<RateWindow> windows)
{
    QMetaObject::invokeMethod(
        m_worker,
        [worker = m_worker, name, windows = std::move(windows)]() mutable {
            worker->addLimit(name, std::move(windows));
        },
        Qt::QueuedConnection);
}

Result<void> HttpClient::checkUrl(const QUrl &url) const
{
    if (!url.isValid() || url.host().isEmpty())
        return Error::make(ErrorCode::InvalidArgument,
                           QStringLiteral("not a valid URL: '%1'").arg(url.toDisplayString()));
    const QString scheme = url.scheme().toLower();
    if (scheme == QLatin1String("https"))
        return success();
    if (scheme == QLatin1String("http") && m_options.allowLoopbackHttp &&
        isLoopbackHost(url.host()))
        return success();
    if (scheme == QLatin1String("http") && isLoopbackHost(url.host()))
        return Error::make(ErrorCode::InvalidArgument,
                           QStringLiteral("refusing plain http to %1: http is allowed only for "
                                          "the local simulator (STRIKELINE_UPSTOX_URL)")
                               .arg(url.toDisplayString(QUrl::RemoveQuery)));
    return Error::make(ErrorCode::InvalidArgument,
                       QStringLiteral("refusing %1: only https is allowed")
                           .arg(url.toDisplayString(QUrl::RemoveQuery)));
}

RequestId HttpClient::send(HttpRequest request, QObject *context, HttpCallback done)
{
    if (!context) {
        // Nowhere to answer: a programming error, refused rather than sent blind.
        spdlog::error("http: {} sent without a context object; not sent",
                      request.url.toDisplayString(QUrl::RemoveQuery).toStdString());
        return 0;
    }
    const RequestId id = m_nextId.fetch_add(1);
    auto *delivery = new Delivery;
    connect(
        delivery, &Delivery::ready, context,
        [slot = delivery->slot, done = std::move(done)] { done(std::move(*slot->result)); },
        Qt::QueuedConnection);
    delivery->moveToThread(m_thread.get());
    Result<void> allowed = checkUrl(request.url);
    QMetaObject::invokeMethod(
        m_worker,
        [worker = m_worker, id, request = std::move(request), delivery,
         allowed = std::move(allowed)]() mutable {
            if (!allowed.ok()) {
                delivery->deliver(allowed.error());
                return;
            }
            worker->submit(id, std::move(request), delivery);
        },
        Qt::QueuedConnection);
    return id;
}

void HttpClient::cancel(RequestId id)
{
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, id] { worker->cancel(id); }, Qt::QueuedConnection);
}

QString HttpClient::threadName() const
{
    return m_thread->objectName();
}

} // namespace strikeline::net

#include "HttpClient.moc"
