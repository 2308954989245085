#include "session/MarketDataTokens.h"

#include "common/Logging.h"

#include <spdlog/spdlog.h>

namespace strikeline::session {

MarketDataTokens::MarketDataTokens(net::TokenProvider &session)
    : m_session(session)
{}

void MarketDataTokens::setAnalyticsToken(const QByteArray &token)
{
    if (!token.isEmpty())
        logging::addSecret(QString::fromUtf8(token));
    QMutexLocker lock(&m_mutex);
    m_analytics = token;
    m_problem.clear();
}

bool MarketDataTokens::hasAnalyticsToken() const
{
    QMutexLocker lock(&m_mutex);
    return !m_analytics.isEmpty();
}

MarketDataTokens::Source MarketDataTokens::source() const
{
    {
        QMutexLocker lock(&m_mutex);
        if (!m_analytics.isEmpty())
            return Source::Analytics;
    }
    return m_session.accessToken().isEmpty() ? Source::None : Source::Session;
}

QString MarketDataTokens::problem() const
{
    QMutexLocker lock(&m_mutex);
    return m_problem;
}

void MarketDataTokens::setOnAnalyticsRejected(std::function<void()> callback)
{
    QMutexLocker lock(&m_mutex);
    m_onRejected = std::move(callback);
}

QByteArray MarketDataTokens::accessToken() const
{
    {
        QMutexLocker lock(&m_mutex);
        if (!m_analytics.isEmpty())
            return m_analytics;
    }
    return m_session.accessToken();
}

void MarketDataTokens::tokenRejected(const QByteArray &token)
{
    std::function<void()> notify;
    {
        QMutexLocker lock(&m_mutex);
        if (!m_rejected.isEmpty() && token == m_rejected)
            return; // a late answer to a call made with the token already dropped
        if (!m_analytics.isEmpty() && token == m_analytics) {
            m_rejected = m_analytics;
            m_analytics.clear();
            m_problem = QStringLiteral("Upstox refused the Analytics Token (expired or revoked): "
                                       "market data uses the daily login until a new one is set");
            notify = m_onRejected;
        }
    }
    if (notify || token.isEmpty()) {
        if (notify) {
            spdlog::warn("market data: the Analytics Token was refused; using the session token");
            notify();
        }
        return;
    }
    m_session.tokenRejected(token);
}

} // namespace strikeline::session
