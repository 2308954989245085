#pragma once

// The desktop's Upstox session (issue 11, "The session"): one object on the GUI thread that owns
// the SessionManager (state, countdown), the UpstoxLogin of the login in progress and the
// UpstoxClient (profile, funds) over an HttpClient on its own network thread. The secret store
// is probed, read and written on a worker thread of its own ("strikeline-secrets"): keychain
// calls block up to their timeout, so the GUI thread never waits on the keychain, a file or the
// network; every answer comes back as a queued call.
//
// Where things live (the same keys as `strikeline-cli login`): the API key, the redirect URI,
// the user and when the token was issued in the settings (upstox/clientId, upstox/redirectUri,
// upstox/userId, upstox/userName, upstox/tokenIssuedAt, upstox/secretsFile); the secret and the
// token in the secret store only. Nothing secret is logged or written to the settings.

#include "broker/upstox/UpstoxClient.h"
#include "broker/upstox/UpstoxLogin.h"
#include "common/IstTime.h"
#include "common/WorkerThread.h"
#include "session/MarketDataTokens.h"
#include "session/SecretStore.h"
#include "session/SessionManager.h"

#include <QObject>
#include <QString>
#include <QTimer>
#include <QUrl>

#include <functional>
#include <memory>
#include <optional>

namespace strikeline::ui {

struct SessionControllerOptions
{
    // Where Upstox is; nullopt: UpstoxUrls::fromSettings (STRIKELINE_UPSTOX_URL, then settings).
    std::optional<upstox::UpstoxUrls> urls;
    // Secret store choice; tryKeychain is forced off by STRIKELINE_KEYCHAIN=off, allowFile also
    // follows the settings key upstox/secretsFile.
    session::SecretStoreOptions secrets;
    // How long the browser has to come back.
    std::chrono::milliseconds loginTimeout = std::chrono::minutes(5);
    // Opens the authorization dialog; default QDesktopServices::openUrl (tests simulate it).
    std::function<void(const QUrl &)> openUrl;
    // Picks the store, on the worker thread; default session::chooseSecretStore (tests give a
    // slow one).
    std::function<session::SecretStoreChoice(const session::SecretStoreOptions &)> chooseStore;
};

class SessionController final : public QObject
{
    Q_OBJECT
public:
    enum class Phase { Idle, WaitingForBrowser, Exchanging };

    SessionController(const Clock &clock, SessionControllerOptions options,
                      QObject *parent = nullptr);
    ~SessionController() override;

    // Probes the secret store (worker thread), then restores a stored token, if any.
    void start();

    const session::SessionManager &session() const { return *m_session; }
    session::SessionManager &session() { return *m_session; }
    Phase phase() const { return m_phase; }

    // The settings the page starts from.
    QString clientId() const { return m_clientId; }
    QString redirectUri() const { return m_redirectUri; }
    bool hasStoredSecret() const { return !m_storedSecret.isEmpty(); }

    // Which store holds the secret and the token, and why that one ("" until probed).
    QString storeDescription() const { return m_storeDescription; }
    QString storeReason() const { return m_storeReason; }
    std::optional<session::SecretStoreKind> storeKind() const { return m_storeKind; }
    bool storeReady() const { return m_storeKind.has_value(); }
    // The user said yes to a 0600 file (remembered): the store is probed again.
    void allowSecretsFile(bool allow);
    bool secretsFileAllowed() const { return m_options.secrets.allowFile; }

    // Starts the login: listens on the redirect URI, opens the browser on the dialog. An empty
    // secret uses the stored one. False (and loginFailed) when it cannot start.
    bool login(const QString &clientId, const QString &clientSecret, const QString &redirectUri);
    // Exchanges a code pasted from the browser's address bar (with or without a login running).
    bool exchangeCode(const QString &clientId, const QString &clientSecret,
                      const QString &redirectUri, const QString &code);
    void cancelLogin();
    void logout();
    // Profile and funds again (after login and on request).
    void refreshAccount();

    // The optional one-year read-only Analytics Token (market data without the daily login):
    // checked at Upstox first (a market-data call with it), then kept in the secret store.
    // UPSTOX_ANALYTICS_TOKEN, when set, is used and never written.
    enum class AnalyticsState { None, Checking, InUse, Refused };
    void setAnalyticsToken(const QString &token);
    void forgetAnalyticsToken();
    AnalyticsState analyticsState() const { return m_analyticsState; }
    // "In use for market data (the system keychain)", "Upstox refused it: ...", ...
    QString analyticsText() const;
    // What market data (the feed, quotes, the chain) reads its token from.
    session::MarketDataTokens &marketDataTokens() { return *m_marketTokens; }
    // The client market data goes through: the Analytics Token when one is in use, else the
    // session's; null when Upstox's address is not usable (urlError()).
    upstox::UpstoxClient *marketDataClient() { return m_marketClient.get(); }
    // The client orders go through: always the session's token (never the read-only Analytics
    // Token); null when Upstox's address is not usable (urlError()).
    upstox::UpstoxClient *tradingClient() { return m_client.get(); }
    // Whether market data has a token now (an Analytics Token, or an active session).
    bool marketDataAvailable() const;
    QString urlError() const { return m_urlError; }

    QUrl loginUrl() const { return m_loginUrl; } // the dialog opened
    quint16 listeningPort() const;               // 0 when not listening
    const std::optional<upstox::UpstoxProfile> &profile() const { return m_profile; }
    const std::optional<upstox::UpstoxFunds> &funds() const { return m_funds; }
    QString accountError() const { return m_accountError; } // profile/funds failure
    QString lastError() const { return m_lastError; }       // the last login failure

    // The status bar's words: "Upstox: SL1234 · 5h 12m left · Rs 1.00 L free".
    QString indicatorText() const;
    QString indicatorToolTip() const;

    // "5h 12m", "14m": a span of seconds, as the indicator says it.
    static QString spanText(std::int64_t seconds);

Q_SIGNALS:
    // Anything the indicator or the page shows changed.
    void changed();
    void loginFailed(const QString &message);
    void loggedIn();
    void analyticsTokenFailed(const QString &message);

private:
    void probeStore();
    void restoreToken();
    bool begin(const QString &clientId, const QString &clientSecret, const QString &redirectUri,
               QString &error);
    void onSucceeded(const upstox::UpstoxToken &token);
    void onFailed(const upstox::UpstoxError &error);
    void fail(const QString &message);
    void dropLogin();
    void rememberApp(const upstox::UpstoxApp &app);
    // Runs `work` against the store on the worker thread (after the probe, in order); it posts
    // its answer back with QMetaObject::invokeMethod(this, ...).
    void withStore(std::function<void(session::SecretStore &)> work);

    const Clock &m_clock;
    SessionControllerOptions m_options;
    std::optional<upstox::UpstoxUrls> m_urls;
    QString m_urlError;
    std::unique_ptr<session::SessionManager> m_session; // before the client reading its token
    std::unique_ptr<session::MarketDataTokens> m_marketTokens;
    AnalyticsState m_analyticsState = AnalyticsState::None;
    QString m_analyticsProblem;
    bool m_analyticsFromEnvironment = false;
    std::unique_ptr<net::HttpClient> m_http;
    std::unique_ptr<upstox::UpstoxClient> m_client;
    std::unique_ptr<net::HttpClient> m_marketHttp; // its tokens: m_marketTokens
    std::unique_ptr<upstox::UpstoxClient> m_marketClient;
    std::unique_ptr<upstox::UpstoxLogin> m_login;
    Phase m_phase = Phase::Idle;
    QUrl m_loginUrl;
    upstox::UpstoxApp m_pendingApp;

    QString m_clientId;
    QString m_redirectUri;
    QString m_storedSecret; // read from the store; registered with logging::addSecret

    std::optional<session::SecretStoreKind> m_storeKind;
    QString m_storeDescription;
    QString m_storeReason;
    // The store itself, touched on the worker thread only (the holder is shared with it).
    std::shared_ptr<std::unique_ptr<session::SecretStore>> m_store;
    int m_probeGeneration = 0;

    std::optional<upstox::UpstoxProfile> m_profile;
    std::optional<upstox::UpstoxFunds> m_funds;
    QString m_accountError;
    QString m_lastError;
    QTimer m_minuteTimer; // the countdown's words change every minute

    ThreadPtr m_thread;          // last but one: joined before the rest goes
    QObject *m_worker = nullptr; // lives on m_thread, deleted there
};

} // namespace strikeline::ui
