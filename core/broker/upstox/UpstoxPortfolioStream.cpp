#include "UpstoxPortfolioStream.h"

#include "broker/upstox/UpstoxClient.h"
#include "broker/upstox/UpstoxOrderMapping.h"
#include "common/Backoff.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QMutexLocker>
#include <QRandomGenerator>
#include <QTimer>
#include <QUrlQuery>
#include <QWebSocket>

namespace strikeline::upstox {

namespace {

std::int64_t steadyMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

bool refusesToken(const QString &socketError)
{
    return socketError.contains(QLatin1String("401")) || socketError.contains(QLatin1String("403"));
}

} // namespace

struct UpstoxPortfolioStream::Shared
{
    mutable QMutex mutex;
    StreamState state = StreamState::Stopped;
    QString reason = QStringLiteral("not started");
    Counters counters;
};

UpstoxPortfolioStream::UpstoxPortfolioStream(UpstoxClient &client, Options options,
                                             Listener listener, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_options(std::move(options))
    , m_listener(std::move(listener))
    , m_shared(std::make_unique<Shared>())
{}

UpstoxPortfolioStream::~UpstoxPortfolioStream()
{
    if (m_request != 0)
        m_client.cancel(m_request);
}

void UpstoxPortfolioStream::start()
{
    QMetaObject::invokeMethod(
        this, [this] { doStart(); }, Qt::QueuedConnection);
}

void UpstoxPortfolioStream::stop()
{
    QMetaObject::invokeMethod(
        this, [this] { doStop(); }, Qt::QueuedConnection);
}

void UpstoxPortfolioStream::sessionRestored()
{
    QMetaObject::invokeMethod(
        this, [this] { doSessionRestored(); }, Qt::QueuedConnection);
}

StreamState UpstoxPortfolioStream::state() const
{
    QMutexLocker lock(&m_shared->mutex);
    return m_shared->state;
}

QString UpstoxPortfolioStream::reason() const
{
    QMutexLocker lock(&m_shared->mutex);
    return m_shared->reason;
}

UpstoxPortfolioStream::Counters UpstoxPortfolioStream::counters() const
{
    QMutexLocker lock(&m_shared->mutex);
    return m_shared->counters;
}

// The socket and timers are made on this object's thread, the first time it is started (the
// object may have been moved to its thread after construction).
void UpstoxPortfolioStream::ensureSetUp()
{
    if (m_socket)
        return;
    m_socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    connect(m_socket, &QWebSocket::connected, this, [this] { onConnected(); });
    connect(m_socket, &QWebSocket::disconnected, this, [this] { onDisconnected(); });
    connect(m_socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
            [this](QAbstractSocket::SocketError) { onSocketError(); });
    connect(m_socket, &QWebSocket::textMessageReceived, this,
            [this](const QString &text) { onText(text); });
    connect(m_socket, &QWebSocket::pong, this, [this](quint64, const QByteArray &) {
        m_pingOutstanding = false;
        m_attempt = 0; // a connection that answers is a good one: the backoff starts over
    });
    m_pingTimer = new QTimer(this);
    m_pingTimer->setInterval(m_options.pingInterval);
    connect(m_pingTimer, &QTimer::timeout, this, [this] {
        checkPong();
        ping();
    });
    m_retryTimer = new QTimer(this);
    m_retryTimer->setSingleShot(true);
    connect(m_retryTimer, &QTimer::timeout, this, [this] { authorize(); });
    m_connectTimer = new QTimer(this);
    m_connectTimer->setSingleShot(true);
    m_connectTimer->setInterval(m_options.connectTimeout);
    connect(m_connectTimer, &QTimer::timeout, this, [this] {
        closeSocket();
        scheduleReconnect(QStringLiteral("the portfolio stream handshake timed out"));
    });
}

void UpstoxPortfolioStream::setState(StreamState state, const QString &reason)
{
    if (m_state == state && reason == this->reason())
        return;
    m_state = state;
    {
        QMutexLocker lock(&m_shared->mutex);
        m_shared->state = state;
        m_shared->reason = reason;
    }
    if (m_listener.state)
        m_listener.state(state, reason);
}

void UpstoxPortfolioStream::doStart()
{
    ensureSetUp();
    if (m_started)
        return; // running, or standing down: only sessionRestored() leaves that
    m_started = true;
    m_attempt = 0;
    setState(StreamState::Connecting, QStringLiteral("connecting"));
    authorize();
}

void UpstoxPortfolioStream::doStop()
{
    ensureSetUp();
    m_started = false;
    teardown();
    setState(StreamState::Stopped, QStringLiteral("stopped"));
}

void UpstoxPortfolioStream::doSessionRestored()
{
    ensureSetUp();
    if (m_state != StreamState::StandingDown)
        return;
    m_attempt = 0;
    setState(StreamState::Connecting, QStringLiteral("session restored: connecting"));
    authorize();
}

void UpstoxPortfolioStream::authorize()
{
    if (!m_started || m_state == StreamState::StandingDown)
        return;
    {
        QMutexLocker lock(&m_shared->mutex);
        ++m_shared->counters.authorizes;
    }
    const std::uint64_t generation = ++m_generation;
    const QUrlQuery query{
        {QStringLiteral("update_types"), m_options.updateTypes.join(QLatin1Char(','))}};
    m_request = m_client.get(QStringLiteral("/v2/feed/portfolio-stream-feed/authorize"), query,
                             this, [this, generation](UpstoxResult<QJsonValue> answer) {
                                 m_request = 0;
                                 if (generation == m_generation && m_started)
                                     onAuthorized(std::move(answer));
                             });
}

void UpstoxPortfolioStream::onAuthorized(UpstoxResult<QJsonValue> answer)
{
    if (!answer.ok()) {
        const UpstoxError &error = answer.error();
        if (error.kind == UpstoxErrorKind::Token || error.httpStatus == 401) {
            standDown(error.toString());
            return;
        }
        scheduleReconnect(
            QStringLiteral("portfolio stream authorize failed: %1").arg(error.toString()));
        return;
    }
    const QUrl url = authorizedStreamUrl(answer.value());
    if (auto ok = checkStreamUrl(url, m_client.urls().isLoopbackHttp()); !ok) {
        scheduleReconnect(ok.error().message);
        return;
    }
    m_connectTimer->start();
    m_socket->open(url); // the URL carries a single-use code: never logged
}

void UpstoxPortfolioStream::onConnected()
{
    m_connectTimer->stop();
    m_pingOutstanding = false;
    {
        QMutexLocker lock(&m_shared->mutex);
        ++m_shared->counters.connects;
    }
    m_pingTimer->start();
    setState(StreamState::Live, QStringLiteral("live"));
}

void UpstoxPortfolioStream::onText(const QString &text)
{
    m_pingOutstanding = false; // anything received proves the connection
    const auto handOn = [this](auto parsed, std::uint64_t Counters::*counter, const auto &to) {
        {
            QMutexLocker lock(&m_shared->mutex);
            ++(parsed ? m_shared->counters.*counter : m_shared->counters.unreadable);
        }
        if (parsed && to)
            to(std::move(parsed).value());
    };
    const QJsonObject message = QJsonDocument::fromJson(text.toUtf8()).object();
    const QString type = message.value(QLatin1String("update_type")).toString();
    // An older shape of the order update has no update_type (upstox-live.md §4.1).
    if (type == QLatin1String("order") ||
        (type.isEmpty() && message.contains(QLatin1String("order_id"))))
        handOn(parseOrderUpdate(message), &Counters::orders, m_listener.order);
    else if (type == QLatin1String("position"))
        handOn(parsePosition(message), &Counters::positions, m_listener.position);
    else {
        QMutexLocker lock(&m_shared->mutex);
        ++m_shared->counters.unreadable; // holdings, GTT orders, anything new
    }
}

void UpstoxPortfolioStream::ping()
{
    if (m_state != StreamState::Live)
        return;
    if (!m_pingOutstanding) {
        m_pingOutstanding = true;
        m_pingSentMs = steadyMs();
    }
    m_socket->ping();
}

void UpstoxPortfolioStream::checkPong()
{
    if (m_state != StreamState::Live || !m_pingOutstanding ||
        steadyMs() - m_pingSentMs <= m_options.pongDeadline.count())
        return;
    closeSocket();
    scheduleReconnect(QStringLiteral("no pong within %1 ms").arg(m_options.pongDeadline.count()));
}

void UpstoxPortfolioStream::onSocketError()
{
    if (m_state == StreamState::Live) {
        if (m_socket->state() == QAbstractSocket::UnconnectedState)
            onDisconnected();
        return; // disconnected() follows
    }
    // A failed handshake may leave Qt 6.4's socket half-open without a disconnected().
    if (!m_started || m_state == StreamState::StandingDown || m_retryTimer->isActive() ||
        m_closingOnPurpose)
        return;
    const QString error = m_socket->errorString();
    closeSocket();
    if (refusesToken(error)) {
        standDown(QStringLiteral("the portfolio stream refused the token (%1)").arg(error));
        return;
    }
    scheduleReconnect(QStringLiteral("portfolio stream connect failed: %1").arg(error));
}

void UpstoxPortfolioStream::onDisconnected()
{
    m_connectTimer->stop();
    m_pingTimer->stop();
    if (!m_started || m_state == StreamState::StandingDown || m_closingOnPurpose ||
        m_retryTimer->isActive())
        return;
    const QString error = m_socket->errorString();
    const auto code = m_socket->closeCode();
    const QString reason = m_socket->closeReason();
    if (code == QWebSocketProtocol::CloseCodePolicyViolated || refusesToken(error)) {
        standDown(QStringLiteral("the portfolio stream closed on the token (%1%2)")
                      .arg(static_cast<int>(code))
                      .arg(reason.isEmpty() ? QString() : QStringLiteral(": ") + reason));
        return;
    }
    scheduleReconnect(code != QWebSocketProtocol::CloseCodeNormal || !reason.isEmpty()
                          ? QStringLiteral("portfolio stream closed (%1%2)")
                                .arg(static_cast<int>(code))
                                .arg(reason.isEmpty() ? QString() : QStringLiteral(": ") + reason)
                          : QStringLiteral("portfolio stream closed by the server"));
}

void UpstoxPortfolioStream::standDown(const QString &why)
{
    teardown();
    setState(StreamState::StandingDown, QStringLiteral("login required: %1").arg(why));
}

void UpstoxPortfolioStream::scheduleReconnect(const QString &why)
{
    if (!m_started || m_state == StreamState::StandingDown)
        return;
    const auto delay = backoffDelay(m_attempt, m_options.backoffInitial, m_options.backoffMax,
                                    m_options.jitter, QRandomGenerator::global()->generateDouble());
    ++m_attempt;
    m_retryTimer->start(delay);
    setState(StreamState::Reconnecting, QStringLiteral("%1; reconnecting in %2 ms (attempt %3)")
                                            .arg(why)
                                            .arg(delay.count())
                                            .arg(m_attempt));
}

void UpstoxPortfolioStream::closeSocket()
{
    m_closingOnPurpose = true;
    m_connectTimer->stop();
    m_pingTimer->stop();
    if (m_socket->state() != QAbstractSocket::UnconnectedState)
        m_socket->abort();
    m_closingOnPurpose = false;
}

void UpstoxPortfolioStream::teardown()
{
    ++m_generation; // an authorize answer still on its way is ignored
    if (m_request != 0)
        m_client.cancel(m_request);
    m_request = 0;
    m_retryTimer->stop();
    closeSocket();
}

} // namespace strikeline::upstox
