#pragma once

// The simulator's login: Upstox's authorization-code flow for one simulated user. The dialog
// approves at once (there is no password page: docs/upstox-sim.md), codes are single-use even
// when the exchange fails (as Upstox's are), tokens die at 03:30 IST of the simulated clock or
// earlier when a fault or a logout says so. Secrets are compared in constant time and never
// logged.

#include "SimHttp.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QString>

#include <cstdint>
#include <optional>

namespace strikeline {
class Clock;
}

namespace strikeline::sim {

struct SimCredentials
{
    QString clientId = QStringLiteral("strikeline-sim");
    QString clientSecret = QStringLiteral("sim-secret");
    QString redirectUri = QStringLiteral("http://127.0.0.1:5055/upstox/callback");
    // The one-year read-only Analytics Token of the account (Upstox hands it out in the
    // developer dashboard): market quotes, option chain and greeks, the market-data feed. Empty:
    // the simulator has none.
    QByteArray analyticsToken = QByteArrayLiteral("sim-analytics-token");
};

// The one account behind the simulator.
struct SimUser
{
    QString userId = QStringLiteral("SL1234");
    QString userName = QStringLiteral("Strikeline Simulator");
    QString email = QStringLiteral("trader@sim.strikeline.invalid");

    // The account as /v2/user/profile's `data` shows it; the token response carries the same
    // fields (flat) plus the tokens.
    QJsonObject profileJson() const;
};

// Real-time lifetime of an authorization code and of a handed-out WebSocket URL.
inline constexpr std::int64_t AuthCodeLifetimeMs = 10 * 60 * 1000;

class SimAuth
{
public:
    SimAuth(const Clock &clock, SimCredentials credentials, SimUser user = {});

    const SimCredentials &credentials() const { return m_credentials; }
    const SimUser &user() const { return m_user; }

    // GET /v2/login/authorization/dialog: a 302 to redirect_uri?code=..&state=.., or the error.
    HttpResponse authorizationDialog(const HttpRequest &request);
    // POST /v2/login/authorization/token (form body).
    HttpResponse exchangeToken(const HttpRequest &request);

    // The token's user, or the 401 UDAPI100050 error.
    struct Session
    {
        QString userId;
        QByteArray token;
        bool analytics = false; // the read-only Analytics Token (mayUseAnalyticsToken)
    };
    std::optional<ApiError> authenticate(const HttpRequest &request, Session &session) const;
    bool isValid(const QByteArray &token) const;
    // The read-only market-data APIs the Analytics Token opens (upstox-live.md §0 row 7):
    // quotes, LTP, option greeks, the option chain and contracts, market timings and holidays,
    // the market-data feed and its authorize. Everything else refuses it (orders, profile,
    // funds, positions, the portfolio stream).
    static bool mayUseAnalyticsToken(const QString &path);
    // DELETE /v2/logout and the expire-token fault. Returns the tokens that stopped being valid.
    bool revoke(const QByteArray &token);
    QList<QByteArray> revokeAll();
    // Fault expire-token-at: tokens issued before `moment` die at it (nullopt: no such fault).
    void setForcedExpiry(std::optional<std::int64_t> epochMs);
    // Tokens that have expired by the clock since the last call (for tokenRevoked).
    QList<QByteArray> collectExpired();

    // 03:30 IST at or after `issuedMs` (Upstox: "valid until 3:30 AM the following day").
    static std::int64_t expiryFor(std::int64_t issuedMs);

private:
    struct Token
    {
        QString userId;
        std::int64_t issuedMs = 0;
        std::int64_t expiresMs = 0;
        bool revoked = false;
        bool announced = false; // tokenRevoked already sent for it
    };
    struct Code
    {
        QString redirectUri;
        std::int64_t createdSteadyMs = 0;
    };
    bool expired(const Token &token, std::int64_t nowMs) const;

    const Clock &m_clock;
    SimCredentials m_credentials;
    SimUser m_user;
    QHash<QByteArray, Code> m_codes;
    QHash<QByteArray, Token> m_tokens;
    std::optional<std::int64_t> m_forcedExpiryMs;
};

// Random URL-safe text from the system's cryptographic source (codes, tokens, request ids).
QByteArray randomToken(int bytes);
bool constantTimeEquals(const QByteArray &a, const QByteArray &b);
std::int64_t steadyNowMs();

} // namespace strikeline::sim
