#pragma once

// The REST client every live part shares (issue 11): one QNetworkAccessManager on a named
// worker thread ("strikeline-net"), never the GUI thread.
//
// - The bearer token is read from the TokenProvider when each attempt is sent; a 401 is
//   reported back to it (the session layer decides what that means).
// - Rate limits: a request names a limiter ("standard", "multi-order"); over the limit it waits
//   in that limiter's queue, in order, instead of failing.
// - Timeouts per attempt. Retries only for idempotent GETs: on a transport failure, 429, 502,
//   503, 504, with Retry-After honoured (capped) on 429/503, else exponential backoff.
// - https only, except http to a loopback address when allowLoopbackHttp is set (the simulator).
// - No redirect is followed: a 3xx comes back as it is (a bearer token must not travel to a
//   host nobody chose).
// - Non-idempotent requests (POST, PUT, DELETE) are sent at most once. Qt 6.4 re-sends a request
//   by itself when the connection dies before any byte of the answer (docs/ARCHITECTURE.md,
//   "The network layer"); their body goes through a device that cannot be rewound, so such a
//   re-send fails (ContentReSendError) instead of placing an order twice. They go over HTTP/1.1.
// - The answer is delivered on the thread of the `context` object given to send(), as a queued
//   call; if `context` is destroyed first the callback is dropped. An HTTP error status is an
//   answer (status + body), not an error: the broker layer reads the body. Errors are transport
//   failures: Network (refused, timed out, closed, TLS), InvalidArgument (URL not allowed),
//   Cancelled.

#include "common/Result.h"
#include "common/WorkerThread.h"
#include "net/RateLimiter.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPair>
#include <QUrl>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

namespace strikeline::net {

class TokenProvider;

enum class HttpMethod { Get, Post, Put, Delete };

QString methodName(HttpMethod method);

struct HttpRequest
{
    HttpMethod method = HttpMethod::Get;
    QUrl url;
    QByteArray body;
    QByteArray contentType;                       // with a body: "application/json", a form...
    QList<QPair<QByteArray, QByteArray>> headers; // extra headers
    bool bearer = true;                           // send "Authorization: Bearer <token>"
    QString rateLimit;                            // a limiter added with addRateLimit; empty: none
    std::chrono::milliseconds timeout{15000};     // per attempt, from sending to the last byte
    int maxAttempts = 3;                          // GET only; everything else is sent once
};

struct HttpResponse
{
    int status = 0;
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers; // as received
    int attempts = 1;

    QByteArray header(const QByteArray &name) const; // case-insensitive; empty when absent
    bool isSuccess() const { return status >= 200 && status < 300; }
};

using HttpCallback = std::function<void(Result<HttpResponse>)>;
using RequestId = std::uint64_t;

class HttpWorker;

class HttpClient final : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        TokenProvider *tokens = nullptr; // outlives the client; may be null (no bearer)
        bool allowLoopbackHttp = false;  // http://127.0.0.1 (the simulator); never for Upstox
        QString threadName = QStringLiteral("strikeline-net");
        std::chrono::milliseconds maxRetryAfter{30000}; // a longer Retry-After is not waited for
        std::chrono::milliseconds retryBackoff{250};    // first retry; doubles each time
    };

    explicit HttpClient(Options options, QObject *parent = nullptr);
    // Stops the network thread; answers not yet delivered are dropped.
    ~HttpClient() override;

    // Thread-safe. Limits apply to requests whose rateLimit names them.
    void addRateLimit(const QString &name, std::vector<RateWindow> windows);

    // Thread-safe. `done` runs on `context`'s thread, exactly once unless `context` dies first.
    // A null `context` is refused (nothing is sent, 0 returned).
    RequestId send(HttpRequest request, QObject *context, HttpCallback done);
    // Thread-safe. The request is aborted (or taken out of its queue); its callback gets a
    // Cancelled error. Unknown or finished ids are ignored.
    void cancel(RequestId id);

    // Checks the URL rule (https, or loopback http when allowed); the error says why not.
    Result<void> checkUrl(const QUrl &url) const;

    QString threadName() const;

private:
    Options m_options;
    ThreadPtr m_thread;
    HttpWorker *m_worker = nullptr; // lives on m_thread, deleted there
    std::atomic<RequestId> m_nextId{1};
};

} // namespace strikeline::net
