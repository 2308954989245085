#include "marketdata/feed/UpstoxMarketFeed.h"

#include "broker/upstox/UpstoxClient.h"
#include "common/Backoff.h"
#include "common/IstTime.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QMutexLocker>
#include <QRandomGenerator>
#include <QThread>
#include <QTimer>
#include <QUuid>
#include <QWebSocket>

#include <algorithm>
#include <atomic>

namespace strikeline::marketdata {

bool nseHoursAt(IstMoment now)
{
    const int weekday = toQDate(now.day()).dayOfWeek(); // 1 = Monday
    const int minute = now.minuteOfDay();
    return weekday <= 5 && minute >= 9 * 60 + 15 && minute < 15 * 60 + 30;
}

using State = UpstoxMarketFeed::State;

struct FeedShared
{
    explicit FeedShared(FeedLimits limits)
        : subscriptions(limits)
    {}

    mutable QMutex mutex; // guards everything below
    FeedSubscriptions subscriptions;
    State state = State::Disconnected;
    QString reason;
    UpstoxMarketFeed::Counters counters;
};

namespace {

bool nseHoursNow()
{
    return nseHoursAt(SystemClock().now());
}

std::int64_t monotonicNs()
{
    static const QElapsedTimer clock = [] {
        QElapsedTimer t;
        t.start();
        return t;
    }();
    return clock.nsecsElapsed();
}

} // namespace

class FeedWorker final : public QObject
{
public:
    FeedWorker(upstox::UpstoxClient &client, UpstoxMarketFeed::Options options,
               UpstoxMarketFeed::Sink sink, std::shared_ptr<FeedShared> shared,
               UpstoxMarketFeed *handle)
        : m_client(client)
        , m_options(std::move(options))
        , m_sink(std::move(sink))
        , m_shared(std::move(shared))
        , m_handle(handle)
    {}

    // All below run on the feed thread.
    void start()
    {
        ensureSetUp();
        if (m_state == State::Connecting || m_state == State::Live ||
            m_state == State::Reconnecting || m_state == State::LoginRequired)
            return; // LoginRequired: only sessionRestored() leaves it
        m_attempt = 0;
        connectNow(State::Connecting, QStringLiteral("connecting"));
    }

    void stop()
    {
        ensureSetUp();
        teardown();
        setState(State::Stopped, QStringLiteral("stopped"));
    }

    void sessionRestored()
    {
        ensureSetUp();
        if (m_state != State::LoginRequired)
            return;
        m_attempt = 0;
        connectNow(State::Connecting, QStringLiteral("session restored: connecting"));
    }

    void scheduleFlush()
    {
        ensureSetUp();
        if (m_state == State::Live && !m_flushTimer->isActive())
            m_flushTimer->start();
    }

private:
    void ensureSetUp()
    {
        if (m_socket)
            return;
        m_socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
        m_socket->setMaxAllowedIncomingMessageSize(64 * 1024 * 1024);
        connect(m_socket, &QWebSocket::connected, this, [this] { onConnected(); });
        connect(m_socket, &QWebSocket::disconnected, this, [this] { onDisconnected(); });
        // A failed handshake (refused, "Unhandled http status code: 401") may come as an error
        // without a disconnected(): handled once either way.
        connect(m_socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
                [this](QAbstractSocket::SocketError) { onSocketError(); });
        connect(m_socket, &QWebSocket::binaryMessageReceived, this,
                [this](const QByteArray &frame) { onFrame(frame); });
        connect(m_socket, &QWebSocket::textMessageReceived, this,
                [this](const QString &text) { onText(text); });
        connect(m_socket, &QWebSocket::pong, this, [this](quint64, const QByteArray &) {
            m_pingOutstanding = false;
            m_lastAliveNs = monotonicNs();
        });

        m_flushTimer = makeTimer(m_options.batchDelay, true, [this] { flush(); });
        m_pingTimer = makeTimer(m_options.pingInterval, false, [this] { ping(); });
        const auto watch = std::max(std::chrono::milliseconds(20),
                                    std::min(m_options.pongDeadline, m_options.muteThreshold) / 5);
        m_watchdog = makeTimer(watch, false, [this] { checkLiveness(); });
        m_retryTimer = makeTimer(std::chrono::milliseconds(0), true, [this] { authorize(); });
        m_connectTimer = makeTimer(m_options.connectTimeout, true, [this] {
            drop(QStringLiteral("the feed handshake timed out"));
        });
    }

    template<typename F>
    QTimer *makeTimer(std::chrono::milliseconds interval, bool singleShot, F f)
    {
        auto *timer = new QTimer(this);
        timer->setInterval(interval);
        timer->setSingleShot(singleShot);
        connect(timer, &QTimer::timeout, this, f);
        return timer;
    }

    void setState(State state, const QString &reason)
    {
        if (m_state == state && m_reason == reason)
            return;
        m_state = state;
        m_reason = reason;
        {
            QMutexLocker lock(&m_shared->mutex);
            m_shared->state = state;
            m_shared->reason = reason;
        }
        QMetaObject::invokeMethod(
            m_handle,
            [handle = m_handle, state, reason] { Q_EMIT handle->stateChanged(state, reason); },
            Qt::QueuedConnection);
    }

    void bump(std::uint64_t UpstoxMarketFeed::Counters::*field, std::uint64_t by = 1)
    {
        QMutexLocker lock(&m_shared->mutex);
        m_shared->counters.*field += by;
    }

    void connectNow(State state, const QString &reason)
    {
        setState(state, reason);
        authorize();
    }

    void authorize()
    {
        if (m_state == State::Stopped || m_state == State::LoginRequired)
            return;
        if (m_everTried)
            bump(&UpstoxMarketFeed::Counters::reconnects);
        m_everTried = true;
        bump(&UpstoxMarketFeed::Counters::authorizes);
        const std::uint64_t generation = ++m_generation;
        m_request = m_client.get(QStringLiteral("/v3/feed/market-data-feed/authorize"), {}, this,
                                 [this, generation](upstox::UpstoxResult<QJsonValue> answer) {
                                     m_request = 0;
                                     if (generation != m_generation || m_state == State::Stopped)
                                         return;
                                     onAuthorized(std::move(answer));
                                 });
    }

    void onAuthorized(upstox::UpstoxResult<QJsonValue> answer)
    {
        if (!answer.ok()) {
            const upstox::UpstoxError &error = answer.error();
            if (error.kind == upstox::UpstoxErrorKind::Token || error.httpStatus == 401) {
                loginRequired(error.toString());
                return;
            }
            scheduleReconnect(QStringLiteral("feed authorize failed: %1").arg(error.toString()));
            return;
        }
        const QUrl url = upstox::authorizedStreamUrl(answer.value());
        if (auto ok = upstox::checkStreamUrl(url, m_client.urls().isLoopbackHttp()); !ok) {
            scheduleReconnect(ok.error().message);
            return;
        }
        m_connectTimer->start();
        m_socket->open(url); // the URL carries a single-use code: never logged
    }

    void loginRequired(const QString &why)
    {
        teardown();
        setState(
            State::LoginRequired,
            QStringLiteral("login required: %1").arg(why.isEmpty() ? QStringLiteral("401") : why));
    }

    void onConnected()
    {
        m_connectTimer->stop();
        m_firstFrameSeen = false;
        m_pingOutstanding = false;
        m_lastAliveNs = monotonicNs();
        m_lastFrameNs = m_lastAliveNs;
        bump(&UpstoxMarketFeed::Counters::connects);
        setState(State::Live, QStringLiteral("live"));
        QStringList keys;
        {
            QMutexLocker lock(&m_shared->mutex);
            m_shared->subscriptions.markAllUnsent();
            keys = m_shared->subscriptions.wantedKeys();
        }
        flush();
        m_pingTimer->start();
        m_watchdog->start();
        QMetaObject::invokeMethod(
            m_handle, [handle = m_handle, keys] { Q_EMIT handle->resubscribed(keys); },
            Qt::QueuedConnection);
    }

    void flush()
    {
        if (m_state != State::Live)
            return;
        std::vector<FeedRequest> requests;
        bool subscribedBefore = false;
        {
            QMutexLocker lock(&m_shared->mutex);
            subscribedBefore = m_shared->subscriptions.sentCount() > 0;
            requests = m_shared->subscriptions.takeRequests();
        }
        if (!subscribedBefore && !requests.empty())
            m_lastFrameNs = monotonicNs(); // the mute clock starts at the first subscription
        for (const FeedRequest &request : requests) {
            const QJsonObject message{
                {QStringLiteral("guid"), QUuid::createUuid().toString(QUuid::WithoutBraces)},
                {QStringLiteral("method"), request.methodName()},
                {QStringLiteral("data"),
                 QJsonObject{{QStringLiteral("mode"), feedModeName(request.mode)},
                             {QStringLiteral("instrumentKeys"),
                              QJsonArray::fromStringList(request.keys)}}}};
            m_socket->sendBinaryMessage(QJsonDocument(message).toJson(QJsonDocument::Compact));
            bump(&UpstoxMarketFeed::Counters::requestsSent);
        }
    }

    void onFrame(const QByteArray &frame)
    {
        const std::int64_t now = monotonicNs();
        m_lastFrameNs = now;
        m_lastAliveNs = now;
        m_pingOutstanding = false;
        if (!m_firstFrameSeen) {
            m_firstFrameSeen = true;
            m_attempt = 0; // the backoff resets after an open and a first frame
        }
        {
            QMutexLocker lock(&m_shared->mutex);
            ++m_shared->counters.frames;
            m_shared->counters.bytes += static_cast<std::uint64_t>(frame.size());
        }
        if (m_sink)
            m_sink(frame, QDateTime::currentMSecsSinceEpoch() * 1'000'000);
    }

    void onText(const QString &text)
    {
        m_lastAliveNs = monotonicNs();
        bump(&UpstoxMarketFeed::Counters::textFrames);
        QMetaObject::invokeMethod(
            m_handle, [handle = m_handle, text] { Q_EMIT handle->serverMessage(text); },
            Qt::QueuedConnection);
    }

    void ping()
    {
        if (m_state != State::Live)
            return;
        if (!m_pingOutstanding) {
            m_pingOutstanding = true;
            m_pingSentNs = monotonicNs();
        }
        m_socket->ping();
    }

    void checkLiveness()
    {
        if (m_state != State::Live)
            return;
        const std::int64_t now = monotonicNs();
        const auto ms = [](std::chrono::milliseconds d) {
            return static_cast<std::int64_t>(d.count()) * 1'000'000;
        };
        if (m_pingOutstanding && now - m_pingSentNs > ms(m_options.pongDeadline) &&
            now - m_lastAliveNs > ms(m_options.pongDeadline)) {
            drop(QStringLiteral("no pong within %1 ms").arg(m_options.pongDeadline.count()));
            return;
        }
        bool subscribed = false;
        {
            QMutexLocker lock(&m_shared->mutex);
            subscribed = m_shared->subscriptions.sentCount() > 0;
        }
        const bool open = m_options.marketOpen ? m_options.marketOpen() : nseHoursNow();
        if (subscribed && open && now - m_lastFrameNs > ms(m_options.muteThreshold))
            drop(QStringLiteral("connected but mute: no data for %1 ms")
                     .arg(m_options.muteThreshold.count()));
    }

    void onSocketError()
    {
        if (m_state == State::Live) {
            if (m_socket->state() == QAbstractSocket::UnconnectedState)
                onDisconnected();
            return; // disconnected() follows
        }
        // The handshake failed (refused, "Unhandled http status code: 401"): Qt 6.4 may leave
        // the socket half-open without a disconnected(), so it is closed here.
        if (m_state == State::Stopped || m_state == State::LoginRequired ||
            m_retryTimer->isActive() || m_closingOnPurpose)
            return;
        const QString error = m_socket->errorString();
        closeSocket();
        if (error.contains(QLatin1String("401")) || error.contains(QLatin1String("403"))) {
            loginRequired(QStringLiteral("the feed refused the token (%1)").arg(error));
            return;
        }
        scheduleReconnect(QStringLiteral("feed connect failed: %1").arg(error));
    }

    void onDisconnected()
    {
        m_connectTimer->stop();
        m_pingTimer->stop();
        m_watchdog->stop();
        if (m_state == State::Stopped || m_state == State::LoginRequired || m_closingOnPurpose ||
            m_retryTimer->isActive())
            return; // a retry pending: this drop is already being handled
        const QString error = m_socket->errorString();
        if (error.contains(QLatin1String("401")) || error.contains(QLatin1String("403"))) {
            loginRequired(QStringLiteral("the feed refused the token (%1)").arg(error));
            return;
        }
        QString why;
        if (m_socket->closeCode() != QWebSocketProtocol::CloseCodeNormal ||
            !m_socket->closeReason().isEmpty())
            why = QStringLiteral("feed closed (%1%2)")
                      .arg(static_cast<int>(m_socket->closeCode()))
                      .arg(m_socket->closeReason().isEmpty()
                               ? QString()
                               : QStringLiteral(": ") + m_socket->closeReason());
        else
            why = QStringLiteral("feed closed by the server");
        scheduleReconnect(why);
    }

    // Closes the socket on purpose and reconnects.
    void drop(const QString &why)
    {
        closeSocket();
        scheduleReconnect(why);
    }

    void closeSocket()
    {
        m_closingOnPurpose = true;
        m_connectTimer->stop();
        m_pingTimer->stop();
        m_watchdog->stop();
        if (m_socket->state() != QAbstractSocket::UnconnectedState)
            m_socket->abort();
        m_closingOnPurpose = false;
    }

    void teardown()
    {
        ++m_generation; // an authorize answer still on its way is ignored
        if (m_request != 0)
            m_client.cancel(m_request);
        m_request = 0;
        m_retryTimer->stop();
        m_flushTimer->stop();
        closeSocket();
    }

    void scheduleReconnect(const QString &why)
    {
        if (m_state == State::Stopped || m_state == State::LoginRequired)
            return;
        const auto delay = static_cast<int>(
            feedBackoffDelay(m_attempt, m_options, QRandomGenerator::global()->generateDouble())
                .count());
        ++m_attempt;
        m_retryTimer->start(delay);
        setState(State::Reconnecting, QStringLiteral("%1; reconnecting in %2 ms (attempt %3)")
                                          .arg(why)
                                          .arg(delay)
                                          .arg(m_attempt));
    }

    upstox::UpstoxClient &m_client;
    UpstoxMarketFeed::Options m_options;
    UpstoxMarketFeed::Sink m_sink;
    std::shared_ptr<FeedShared> m_shared;
    UpstoxMarketFeed *m_handle;

    QWebSocket *m_socket = nullptr;
    QTimer *m_flushTimer = nullptr;
    QTimer *m_pingTimer = nullptr;
    QTimer *m_watchdog = nullptr;
    QTimer *m_retryTimer = nullptr;
    QTimer *m_connectTimer = nullptr;

    State m_state = State::Disconnected;
    QString m_reason;
    int m_attempt = 0;
    bool m_everTried = false;
    bool m_firstFrameSeen = false;
    bool m_pingOutstanding = false;
    bool m_closingOnPurpose = false;
    std::int64_t m_pingSentNs = 0;
    std::int64_t m_lastAliveNs = 0;
    std::int64_t m_lastFrameNs = 0;
    std::uint64_t m_generation = 0;
    std::uint64_t m_request = 0;
};

std::chrono::milliseconds feedBackoffDelay(int attempt, const UpstoxMarketFeed::Options &options,
                                           double unit)
{
    return backoffDelay(attempt, options.backoffInitial, options.backoffMax, options.jitter, unit);
}

UpstoxMarketFeed::UpstoxMarketFeed(upstox::UpstoxClient &client, Options options, Sink sink,
                                   QObject *parent)
    : QObject(parent)
    , m_shared(std::make_shared<FeedShared>(options.limits))
    , m_thread(makeNamedThread(options.threadName))
{
    m_worker = new FeedWorker(client, std::move(options), std::move(sink), m_shared, this);
    m_worker->moveToThread(m_thread.get());
    connect(m_thread.get(), &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread->start();
}

UpstoxMarketFeed::~UpstoxMarketFeed()
{
    m_thread.reset(); // quits and joins; the worker and its socket are deleted on that thread
}

void UpstoxMarketFeed::start()
{
    QMetaObject::invokeMethod(
        m_worker, [w = m_worker] { w->start(); }, Qt::QueuedConnection);
}

void UpstoxMarketFeed::stop()
{
    QMetaObject::invokeMethod(
        m_worker, [w = m_worker] { w->stop(); }, Qt::QueuedConnection);
}

void UpstoxMarketFeed::sessionRestored()
{
    QMetaObject::invokeMethod(
        m_worker, [w = m_worker] { w->sessionRestored(); }, Qt::QueuedConnection);
}

Result<void> UpstoxMarketFeed::acquire(const QString &consumer, const QString &key, FeedMode mode)
{
    return acquire(consumer, QStringList{key}, mode);
}

Result<void> UpstoxMarketFeed::acquire(const QString &consumer, const QStringList &keys,
                                       FeedMode mode)
{
    {
        QMutexLocker lock(&m_shared->mutex);
        if (auto ok = m_shared->subscriptions.acquire(consumer, keys, mode); !ok)
            return ok;
    }
    QMetaObject::invokeMethod(
        m_worker, [w = m_worker] { w->scheduleFlush(); }, Qt::QueuedConnection);
    return {};
}

void UpstoxMarketFeed::release(const QString &consumer, const QString &key)
{
    {
        QMutexLocker lock(&m_shared->mutex);
        m_shared->subscriptions.release(consumer, key);
    }
    QMetaObject::invokeMethod(
        m_worker, [w = m_worker] { w->scheduleFlush(); }, Qt::QueuedConnection);
}

void UpstoxMarketFeed::releaseAll(const QString &consumer)
{
    {
        QMutexLocker lock(&m_shared->mutex);
        m_shared->subscriptions.releaseAll(consumer);
    }
    QMetaObject::invokeMethod(
        m_worker, [w = m_worker] { w->scheduleFlush(); }, Qt::QueuedConnection);
}

QStringList UpstoxMarketFeed::wantedKeys() const
{
    QMutexLocker lock(&m_shared->mutex);
    return m_shared->subscriptions.wantedKeys();
}

QStringList UpstoxMarketFeed::wantedKeys(const QString &consumer) const
{
    QMutexLocker lock(&m_shared->mutex);
    return m_shared->subscriptions.wantedKeys(consumer);
}

UpstoxMarketFeed::State UpstoxMarketFeed::state() const
{
    QMutexLocker lock(&m_shared->mutex);
    return m_shared->state;
}

QString UpstoxMarketFeed::reason() const
{
    QMutexLocker lock(&m_shared->mutex);
    return m_shared->reason;
}

UpstoxMarketFeed::Counters UpstoxMarketFeed::counters() const
{
    QMutexLocker lock(&m_shared->mutex);
    return m_shared->counters;
}

QString UpstoxMarketFeed::stateName(State state)
{
    switch (state) {
    case State::Disconnected:
        return QStringLiteral("disconnected");
    case State::Connecting:
        return QStringLiteral("connecting");
    case State::Live:
        return QStringLiteral("live");
    case State::Reconnecting:
        return QStringLiteral("reconnecting");
    case State::LoginRequired:
        return QStringLiteral("login required");
    case State::Stopped:
        return QStringLiteral("stopped");
    }
    return QStringLiteral("disconnected");
}

} // namespace strikeline::marketdata
