#pragma once

// Which token market data goes with (issue 11, "the Analytics Token"; upstox-live.md §0 row 7):
// the optional one-year read-only Analytics Token when the trader configured one, else the
// daily session token. The feed, quotes, option chain and greeks use this provider; orders,
// funds and the portfolio stream use the session's token only.
//
// A 401 on the Analytics Token drops it (until the trader sets one again) and says so through
// problem(); market data falls back to the session token at the next call. A 401 on the
// session token is passed on to the session, which owns that decision. Thread-safe: the network
// thread reads it at send time; the holder sets it from any thread.

#include "net/TokenProvider.h"

#include <QByteArray>
#include <QMutex>
#include <QString>

#include <functional>

namespace strikeline::session {

class MarketDataTokens final : public net::TokenProvider
{
public:
    enum class Source { Analytics, Session, None };

    explicit MarketDataTokens(net::TokenProvider &session);

    // Empty: none. Clears a previous problem. The token is registered as a secret for logging.
    void setAnalyticsToken(const QByteArray &token);
    bool hasAnalyticsToken() const;
    // Which token the next market-data call carries.
    Source source() const;
    // Why the Analytics Token is not in use ("" when it is, or none was set).
    QString problem() const;
    // Called (on the thread that saw the 401) after the Analytics Token was refused and dropped.
    void setOnAnalyticsRejected(std::function<void()> callback);

    QByteArray accessToken() const override;
    void tokenRejected(const QByteArray &token) override;

private:
    net::TokenProvider &m_session;
    mutable QMutex m_mutex;
    QByteArray m_analytics;
    QByteArray m_rejected; // the last Analytics Token refused
    QString m_problem;
    std::function<void()> m_onRejected;
};

} // namespace strikeline::session
