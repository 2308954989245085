#include "SessionManager.h"

#include "common/Logging.h"

#include <spdlog/spdlog.h>

namespace strikeline::session {

QString stateName(SessionState state)
{
    switch (state) {
    case SessionState::LoggedOut:
        return QStringLiteral("logged out");
    case SessionState::LoggingIn:
        return QStringLiteral("logging in");
    case SessionState::Active:
        return QStringLiteral("active");
    case SessionState::Expiring:
        return QStringLiteral("expiring");
    case SessionState::Expired:
        return QStringLiteral("expired");
    }
    return {};
}

SessionManager::SessionManager(const Clock &clock, QObject *parent, std::chrono::minutes warning)
    : QObject(parent)
    , m_clock(clock)
    , m_warning(warning)
{
    m_timer.setInterval(std::chrono::seconds(15));
    connect(&m_timer, &QTimer::timeout, this, &SessionManager::tick);
}

void SessionManager::setTickInterval(std::chrono::milliseconds interval)
{
    m_timer.setInterval(interval);
}

std::optional<upstox::UpstoxToken> SessionManager::token() const
{
    return m_token;
}

std::optional<std::int64_t> SessionManager::secondsLeft() const
{
    if (!m_token)
        return std::nullopt;
    return (m_token->expiresAt.epochMs - m_clock.now().epochMs) / 1000;
}

QString SessionManager::countdown() const
{
    const auto left = secondsLeft();
    if (!left)
        return {};
    const std::int64_t minutes = std::abs(*left) / 60;
    const QString span = minutes >= 60 ? QStringLiteral("%1 h %2 min")
                                             .arg(minutes / 60)
                                             .arg(minutes % 60, 2, 10, QLatin1Char('0'))
                                       : QStringLiteral("%1 min").arg(minutes);
    if (*left >= 0)
        return span + QStringLiteral(" left");
    return QStringLiteral("expired ") + span + QStringLiteral(" ago");
}

void SessionManager::beginLogin()
{
    if (m_state == SessionState::LoggingIn)
        return;
    m_beforeLogin = m_state;
    setState(SessionState::LoggingIn, QStringLiteral("waiting for the Upstox login"));
}

void SessionManager::loginFailed(const QString &message)
{
    if (m_state != SessionState::LoggingIn)
        return;
    // Back where it was: a failed login changes nothing (a live token stays live).
    setState(m_beforeLogin, message);
    tick();
}

void SessionManager::activate(const upstox::UpstoxToken &token)
{
    if (token.accessToken.isEmpty())
        return;
    logging::addSecret(QString::fromUtf8(token.accessToken));
    m_token = token;
    {
        QMutexLocker lock(&m_mutex);
        m_accessToken = token.accessToken;
    }
    setState(SessionState::Active, QStringLiteral("logged in as %1").arg(token.userId));
    tick();
    m_timer.start();
}

void SessionManager::logout()
{
    m_token.reset();
    {
        QMutexLocker lock(&m_mutex);
        m_accessToken.clear();
    }
    m_timer.stop();
    setState(SessionState::LoggedOut, QStringLiteral("logged out"));
}

void SessionManager::tick()
{
    if (!m_token || m_state == SessionState::LoggingIn || m_state == SessionState::LoggedOut)
        return;
    if (m_state == SessionState::Expired && m_accessToken.isEmpty())
        return; // refused by Upstox: only a new login brings it back
    const std::int64_t left = *secondsLeft();
    if (left <= 0) {
        if (m_state != SessionState::Expired)
            setState(SessionState::Expired,
                     QStringLiteral("the daily token expired at 03:30 IST: log in again"));
        return;
    }
    const std::int64_t warning = std::chrono::seconds(m_warning).count();
    if (left <= warning) {
        if (m_state != SessionState::Expiring)
            setState(SessionState::Expiring,
                     QStringLiteral("the token expires at 03:30 IST (%1)").arg(countdown()));
        return;
    }
    if (m_state != SessionState::Active)
        setState(SessionState::Active, QStringLiteral("logged in as %1").arg(m_token->userId));
}

QByteArray SessionManager::accessToken() const
{
    QMutexLocker lock(&m_mutex);
    return m_accessToken;
}

void SessionManager::tokenRejected(const QByteArray &token)
{
    QMetaObject::invokeMethod(
        this, [this, token] { rejectedOnOwnerThread(token); }, Qt::QueuedConnection);
}

void SessionManager::rejectedOnOwnerThread(const QByteArray &token)
{
    {
        QMutexLocker lock(&m_mutex);
        if (m_accessToken.isEmpty() || m_accessToken != token)
            return; // an old token's refusal, after a new login
        m_accessToken.clear();
    }
    m_timer.stop();
    setState(SessionState::Expired, QStringLiteral("Upstox refused the token (401): log in again"));
}

void SessionManager::setState(SessionState state, const QString &reason)
{
    const bool changed = state != m_state || reason != m_reason;
    m_state = state;
    m_reason = reason;
    if (changed) {
        spdlog::info("upstox session: {} ({})", stateName(state).toStdString(),
                     reason.toStdString());
        Q_EMIT stateChanged(state, reason);
    }
}

} // namespace strikeline::session
