#pragma once

// The daily Upstox login (OAuth authorization code, upstox-live.md §3): not QtNetworkAuth, whose
// 6.4 release swallows token-endpoint errors, listens on every interface and seeds `state` from
// the time. Here:
//
//   start()  a 32-byte state from the system's cryptographic source; a listener on 127.0.0.1
//            only (never every interface), on the redirect URI's port; the URL to open
//   callback GET <redirect path>?code=…&state=… -> state compared in constant time, a small page
//            for the browser, the listener closed
//   token    POST /v2/login/authorization/token (form: code, client_id, client_secret,
//            redirect_uri, grant_type) -> the token, flat or wrapped in "data"
//
// Every failure is one `failed` signal carrying Upstox's own message where there is one: a wrong
// state, an error in the callback, a refused code (codes are single-use), a timeout with no
// callback, cancel(). Nothing hangs. The code, the state and the token never reach a log (each
// is registered with logging::addSecret the moment it is known).

#include "broker/upstox/UpstoxError.h"
#include "broker/upstox/UpstoxUrls.h"
#include "common/IstTime.h"
#include "net/HttpClient.h"

#include <QByteArray>
#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

#include <chrono>

class QTcpServer;
class QTcpSocket;

namespace strikeline::upstox {

inline constexpr quint16 DefaultCallbackPort = 5151;
inline constexpr char DefaultCallbackPath[] = "/upstox/callback";

// "http://127.0.0.1:<port>/upstox/callback": the string to register in the Upstox app.
QString defaultRedirectUri(quint16 port = DefaultCallbackPort);

// The user's own Upstox API app (one per user since April 2026).
struct UpstoxApp
{
    QString clientId;     // the API key
    QString clientSecret; // never logged, never in settings
    QString redirectUri;  // exactly as registered
};

struct UpstoxToken
{
    QByteArray accessToken;
    QByteArray extendedToken; // the optional read-only one-year token, when Upstox sends it
    QString userId;
    QString userName;
    QString email;
    IstMoment issuedAt;
    IstMoment expiresAt; // 03:30 IST after issuedAt (the clock only prompts; a 401 decides)
};

// 03:30 IST on the day of `issued` when issued before 03:30, else on the next day
// (upstox-reference.md §3.2: a token created at 02:30 expires at 03:30 the same day).
IstMoment tokenExpiry(IstMoment issued);

// The token endpoint's answer, flat (the docs) or wrapped in "data" (some clients' reading).
UpstoxResult<UpstoxToken> parseTokenResponse(const QByteArray &body, IstMoment now);

// Equal in time that depends only on the lengths, not on where the first difference is.
bool constantTimeEquals(const QByteArray &a, const QByteArray &b);

class UpstoxLogin final : public QObject
{
    Q_OBJECT
public:
    // `http`, `clock` outlive the login.
    UpstoxLogin(net::HttpClient &http, UpstoxUrls urls, UpstoxApp app, const Clock &clock,
                QObject *parent = nullptr);
    ~UpstoxLogin() override;

    // Listens for the callback and returns the authorization dialog's URL to open. A redirect
    // URI that is not http://127.0.0.1|localhost:<port>/<path> cannot be listened for: use
    // exchangeCode() with a code pasted by hand. Port 0 picks a free port (tests); redirectUri()
    // then tells which.
    Result<QUrl> start(std::chrono::milliseconds timeout = std::chrono::minutes(5));
    // Exchanges a code the user pasted (from the browser's address bar). No state to check.
    void exchangeCode(const QString &code);
    void cancel();

    QString redirectUri() const { return m_app.redirectUri; }
    bool isListening() const;
    quint16 listeningPort() const;
    QHostAddress listeningAddress() const; // 127.0.0.1 while listening

Q_SIGNALS:
    void callbackReceived(); // the code came back; it is being exchanged
    void succeeded(const strikeline::upstox::UpstoxToken &token);
    void failed(const strikeline::upstox::UpstoxError &error);

private:
    void onConnection();
    void onCallback(QTcpSocket *socket, const QByteArray &target);
    void reply(QTcpSocket *socket, int status, const QString &text);
    void fail(UpstoxError error);
    void fail(const QString &message, UpstoxErrorKind kind = UpstoxErrorKind::Input);
    void stopListening();

    net::HttpClient &m_http;
    UpstoxUrls m_urls;
    UpstoxApp m_app;
    const Clock &m_clock;
    QByteArray m_state;
    QString m_callbackPath;
    QTcpServer *m_server = nullptr;
    QTimer m_timeout;
    net::RequestId m_tokenRequest = 0;
    bool m_done = false;
};

} // namespace strikeline::upstox

Q_DECLARE_METATYPE(strikeline::upstox::UpstoxToken)
Q_DECLARE_METATYPE(strikeline::upstox::UpstoxError)
