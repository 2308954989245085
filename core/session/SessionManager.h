#pragma once

// The Upstox session's state (issue 11):
//
//   LoggedOut --beginLogin--> LoggingIn --activate--> Active --clock: < warning left--> Expiring
//        ^                        |                      |                               |
//        |                    loginFailed                +---- 401 / UDAPI100050 --------+-->
//        Expired
//        +------ logout ----------+---- (from any state) ----------- clock: past 03:30 --+
//
// A 401 from any call is authoritative: the token is dropped, the state is Expired. The clock
// only prompts: past 03:30 IST the state says Expired ("log in again") but the token is still
// sent until Upstox refuses it (tokens have been seen to outlive 03:30, upstox-live.md row 0.8).
// Logging in again from Expired needs no restart: activate() with the new token and every later
// call carries it (HttpClient reads accessToken() at send time).
//
// The session lives on its owner's thread (the GUI's); accessToken() and tokenRejected() are
// called on the network thread and are thread-safe.

#include "broker/upstox/UpstoxLogin.h"
#include "common/IstTime.h"
#include "net/TokenProvider.h"

#include <QMutex>
#include <QObject>
#include <QTimer>

#include <chrono>
#include <optional>

namespace strikeline::session {

enum class SessionState { LoggedOut, LoggingIn, Active, Expiring, Expired };

QString stateName(SessionState state); // "logged out", "logging in", "active", ...

class SessionManager final
    : public QObject
    , public net::TokenProvider
{
    Q_OBJECT
public:
    // `clock` outlives the session. `warning`: how long before expiry Active becomes Expiring.
    explicit SessionManager(const Clock &clock, QObject *parent = nullptr,
                            std::chrono::minutes warning = std::chrono::minutes(30));

    SessionState state() const { return m_state; }
    QString reason() const { return m_reason; } // why the state is what it is, for the status bar
    std::optional<upstox::UpstoxToken> token() const;
    // Seconds until the token's 03:30 IST expiry by the clock; nullopt without a token.
    std::optional<std::int64_t> secondsLeft() const;
    // "2 h 05 min left", "expired 12 min ago", "" without a token.
    QString countdown() const;

    void beginLogin();
    void loginFailed(const QString &message);
    void activate(const upstox::UpstoxToken &token);
    void logout();
    // Re-reads the clock (a timer does it every `tickInterval`; tests call it).
    void tick();
    void setTickInterval(std::chrono::milliseconds interval);

    // net::TokenProvider, thread-safe.
    QByteArray accessToken() const override;
    void tokenRejected(const QByteArray &token) override;

Q_SIGNALS:
    void stateChanged(strikeline::session::SessionState state, const QString &reason);

private:
    void rejectedOnOwnerThread(const QByteArray &token);
    void setState(SessionState state, const QString &reason);

    const Clock &m_clock;
    std::chrono::minutes m_warning;
    SessionState m_state = SessionState::LoggedOut;
    SessionState m_beforeLogin = SessionState::LoggedOut;
    QString m_reason;
    std::optional<upstox::UpstoxToken> m_token; // owner thread
    mutable QMutex m_mutex;
    QByteArray m_accessToken; // under m_mutex: what the network thread reads
    QTimer m_timer;
};

} // namespace strikeline::session
