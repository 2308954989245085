#include "SessionController.h"

#include "common/Logging.h"

#include <QDesktopServices>
#include <QSettings>
#include <QThread>
#include <QUrlQuery>

#include <spdlog/spdlog.h>

namespace strikeline::ui {

namespace {

// The CLI's keys (app/cli/SessionCommands.cpp): `login` there and here share one session.
constexpr char ClientIdKey[] = "upstox/clientId";
constexpr char RedirectUriKey[] = "upstox/redirectUri";
constexpr char SecretsFileKey[] = "upstox/secretsFile";
constexpr char UserIdKey[] = "upstox/userId";
constexpr char UserNameKey[] = "upstox/userName";
constexpr char IssuedAtKey[] = "upstox/tokenIssuedAt"; // epoch ms; the token itself is a secret

// The terminal's way with money: "Rs 1,00,00,000.00" (Tick (Rs), "Rs 26000" elsewhere).
QString rupees(const Money &money)
{
    return QStringLiteral("Rs ") + money.toIndian(2);
}

} // namespace

SessionController::SessionController(const Clock &clock, SessionControllerOptions options,
                                     QObject *parent)
    : QObject(parent)
    , m_clock(clock)
    , m_options(std::move(options))
    , m_session(std::make_unique<session::SessionManager>(clock))
    , m_marketTokens(std::make_unique<session::MarketDataTokens>(*m_session))
    , m_store(std::make_shared<std::unique_ptr<session::SecretStore>>())
{
    QSettings settings;
    if (m_options.urls) {
        m_urls = *m_options.urls;
    } else if (auto urls = upstox::UpstoxUrls::fromSettings(settings)) {
        m_urls = *urls;
    } else {
        m_urlError = urls.error().message;
    }
    if (qEnvironmentVariable("STRIKELINE_KEYCHAIN") == QLatin1String("off"))
        m_options.secrets.tryKeychain = false;
    if (settings.value(QLatin1String(SecretsFileKey)).toBool())
        m_options.secrets.allowFile = true;
    if (m_options.secrets.environmentToken.isEmpty())
        m_options.secrets.environmentToken = qgetenv(session::AccessTokenEnvironment);
    if (!m_options.chooseStore)
        m_options.chooseStore = [](const session::SecretStoreOptions &o) {
            return session::chooseSecretStore(o);
        };
    if (!m_options.openUrl)
        m_options.openUrl = [](const QUrl &url) { QDesktopServices::openUrl(url); };
    m_clientId = settings.value(QLatin1String(ClientIdKey)).toString();
    m_redirectUri =
        settings.value(QLatin1String(RedirectUriKey), upstox::defaultRedirectUri()).toString();

    if (m_urls) {
        net::HttpClient::Options http;
        http.tokens = m_session.get();
        http.allowLoopbackHttp = m_urls->isLoopbackHttp();
        m_http = std::make_unique<net::HttpClient>(http);
        m_client = std::make_unique<upstox::UpstoxClient>(*m_http, *m_urls);
        net::HttpClient::Options market = http;
        market.tokens = m_marketTokens.get();
        m_marketHttp = std::make_unique<net::HttpClient>(market);
        m_marketClient = std::make_unique<upstox::UpstoxClient>(*m_marketHttp, *m_urls);
    }

    connect(m_session.get(), &session::SessionManager::stateChanged, this,
            [this](session::SessionState state, const QString &) {
                if (state == session::SessionState::Expired) {
                    // Whatever the account showed is from a session that is over.
                    m_accountError.clear();
                }
                Q_EMIT changed();
            });
    // A refused Analytics Token (seen on the network thread) is said on this one.
    m_marketTokens->setOnAnalyticsRejected([this] {
        QMetaObject::invokeMethod(
            this,
            [this] {
                m_analyticsState = AnalyticsState::Refused;
                m_analyticsProblem = m_marketTokens->problem();
                Q_EMIT changed();
            },
            Qt::QueuedConnection);
    });
    if (const QByteArray fromEnvironment = qgetenv(session::AnalyticsTokenEnvironment).trimmed();
        !fromEnvironment.isEmpty()) {
        m_analyticsFromEnvironment = true;
        m_marketTokens->setAnalyticsToken(fromEnvironment);
        m_analyticsState = AnalyticsState::InUse;
    }
    m_minuteTimer.setInterval(std::chrono::seconds(20));
    connect(&m_minuteTimer, &QTimer::timeout, this, [this] {
        m_session->tick();
        Q_EMIT changed();
    });
    m_minuteTimer.start();

    m_thread = makeNamedThread(QStringLiteral("strikeline-secrets"));
    m_worker = new QObject;
    m_worker->moveToThread(m_thread.get());
    connect(m_thread.get(), &QThread::finished, m_worker, &QObject::deleteLater);
    startBackgroundThread(*m_thread);
}

bool SessionController::marketDataAvailable() const
{
    return m_marketClient && m_marketTokens->source() != session::MarketDataTokens::Source::None;
}

SessionController::~SessionController()
{
    // The login and the client use the network thread: they go before it, and it before the
    // session whose token it reads.
    m_login.reset();
    m_marketClient.reset();
    m_marketHttp.reset();
    m_client.reset();
    m_http.reset();
    m_thread.reset(); // joins the secret store's thread; its answers to us are dropped
}

void SessionController::start()
{
    probeStore();
    restoreToken();
}

void SessionController::withStore(std::function<void(session::SecretStore &)> work)
{
    auto holder = m_store;
    QMetaObject::invokeMethod(
        m_worker,
        [holder, work = std::move(work)] {
            if (*holder)
                work(**holder);
        },
        Qt::QueuedConnection);
}

void SessionController::probeStore()
{
    const int generation = ++m_probeGeneration;
    auto holder = m_store;
    const session::SecretStoreOptions options = m_options.secrets;
    const auto choose = m_options.chooseStore;
    QMetaObject::invokeMethod(
        m_worker,
        [this, holder, options, choose, generation] {
            session::SecretStoreChoice choice = choose(options); // blocks up to its timeout
            const session::SecretStoreKind kind = choice.store->kind();
            const QString description = choice.store->describe();
            *holder = std::move(choice.store);
            const QString reason = choice.reason;
            QMetaObject::invokeMethod(
                this,
                [this, kind, description, reason, generation] {
                    if (generation != m_probeGeneration)
                        return;
                    m_storeKind = kind;
                    m_storeDescription = description;
                    m_storeReason = reason;
                    spdlog::info("upstox secrets: {} ({})", description.toStdString(),
                                 reason.toStdString());
                    Q_EMIT changed();
                },
                Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}

void SessionController::restoreToken()
{
    QSettings settings;
    const QString userId = settings.value(QLatin1String(UserIdKey)).toString();
    const QString userName = settings.value(QLatin1String(UserNameKey)).toString();
    const QString issued = settings.value(QLatin1String(IssuedAtKey)).toString();
    withStore([this, userId, userName, issued](session::SecretStore &store) {
        QByteArray secret;
        if (auto s = store.read(QLatin1String(session::ClientSecretKey)); s.ok() && s->has_value())
            secret = **s;
        QByteArray token;
        if (auto t = store.read(QLatin1String(session::AccessTokenKey)); t.ok() && t->has_value())
            token = **t;
        QByteArray analytics;
        if (auto a = store.read(QLatin1String(session::AnalyticsTokenKey));
            a.ok() && a->has_value())
            analytics = **a;
        if (!analytics.isEmpty()) {
            logging::addSecret(QString::fromUtf8(analytics));
            QMetaObject::invokeMethod(
                this,
                [this, analytics] {
                    if (m_analyticsFromEnvironment || m_analyticsState == AnalyticsState::Checking)
                        return;
                    m_marketTokens->setAnalyticsToken(analytics);
                    m_analyticsState = AnalyticsState::InUse;
                    Q_EMIT changed();
                },
                Qt::QueuedConnection);
        }
        const bool fromEnvironment = store.kind() == session::SecretStoreKind::Environment;
        if (!secret.isEmpty())
            logging::addSecret(QString::fromUtf8(secret));
        if (!token.isEmpty())
            logging::addSecret(QString::fromUtf8(token));
        QMetaObject::invokeMethod(
            this,
            [this, secret, token, fromEnvironment, userId, userName, issued] {
                m_storedSecret = QString::fromUtf8(secret);
                if (token.isEmpty() || m_session->token()) {
                    Q_EMIT changed();
                    return;
                }
                upstox::UpstoxToken restored;
                restored.accessToken = token;
                restored.userId = fromEnvironment ? QString() : userId;
                restored.userName = fromEnvironment ? QString() : userName;
                restored.issuedAt = !fromEnvironment && !issued.isEmpty()
                                        ? IstMoment{issued.toLongLong()}
                                        : m_clock.now();
                restored.expiresAt = upstox::tokenExpiry(restored.issuedAt);
                m_session->activate(restored);
                m_session->tick(); // a token from yesterday says expired at once
                refreshAccount();  // and a refused one says so on the first call (401)
            },
            Qt::QueuedConnection);
    });
}

void SessionController::setAnalyticsToken(const QString &text)
{
    const QByteArray token = text.trimmed().toUtf8();
    if (token.isEmpty()) {
        Q_EMIT analyticsTokenFailed(QStringLiteral("Paste the Analytics Token first."));
        return;
    }
    logging::addSecret(QString::fromUtf8(token));
    if (!m_client) {
        Q_EMIT analyticsTokenFailed(m_urlError);
        return;
    }
    m_analyticsState = AnalyticsState::Checking;
    m_analyticsProblem.clear();
    Q_EMIT changed();
    m_client->checkAnalyticsToken(token, this, [this, token](upstox::UpstoxResult<QJsonValue> r) {
        if (!r.ok()) {
            m_analyticsState =
                m_marketTokens->hasAnalyticsToken() ? AnalyticsState::InUse : AnalyticsState::None;
            const QString message = r.error().httpStatus == 401
                                        ? QStringLiteral("Upstox refused the Analytics Token: %1")
                                              .arg(r.error().toString())
                                        : QStringLiteral("Could not check the Analytics Token: %1")
                                              .arg(r.error().toString());
            Q_EMIT analyticsTokenFailed(message);
            Q_EMIT changed();
            return;
        }
        m_marketTokens->setAnalyticsToken(token);
        m_analyticsState = AnalyticsState::InUse;
        m_analyticsProblem.clear();
        spdlog::info("market data: the Analytics Token is in use");
        withStore([this, token](session::SecretStore &store) {
            auto saved = store.write(QLatin1String(session::AnalyticsTokenKey), token);
            if (saved)
                return;
            const QString problem =
                QStringLiteral("the Analytics Token is not kept: ") + saved.error().message;
            QMetaObject::invokeMethod(
                this,
                [this, problem] {
                    m_analyticsProblem = problem;
                    Q_EMIT changed();
                },
                Qt::QueuedConnection);
        });
        Q_EMIT changed();
    });
}

void SessionController::forgetAnalyticsToken()
{
    m_marketTokens->setAnalyticsToken({});
    m_analyticsState = AnalyticsState::None;
    m_analyticsProblem.clear();
    m_analyticsFromEnvironment = false;
    withStore([](session::SecretStore &store) {
        (void)store.remove(QLatin1String(session::AnalyticsTokenKey));
    });
    Q_EMIT changed();
}

QString SessionController::analyticsText() const
{
    switch (m_analyticsState) {
    case AnalyticsState::None:
        return QStringLiteral("None: market data uses the daily login.");
    case AnalyticsState::Checking:
        return QStringLiteral("Checking the token at Upstox...");
    case AnalyticsState::Refused:
        return m_analyticsProblem;
    case AnalyticsState::InUse:
        break;
    }
    QString where = m_analyticsFromEnvironment ? QStringLiteral("from UPSTOX_ANALYTICS_TOKEN")
                                               : m_storeDescription;
    QString text = QStringLiteral("In use for market data (%1).").arg(where);
    if (!m_analyticsProblem.isEmpty())
        text += QStringLiteral(" ") + m_analyticsProblem + QStringLiteral(".");
    return text;
}

void SessionController::allowSecretsFile(bool allow)
{
    if (allow == m_options.secrets.allowFile)
        return;
    m_options.secrets.allowFile = allow;
    QSettings settings;
    if (allow)
        settings.setValue(QLatin1String(SecretsFileKey), true);
    else
        settings.remove(QLatin1String(SecretsFileKey));
    if (!allow && m_storeKind == session::SecretStoreKind::File) {
        // No longer wanted: the file keeps nothing (the session goes on in the next store).
        withStore([](session::SecretStore &store) {
            (void)store.remove(QLatin1String(session::AccessTokenKey));
            (void)store.remove(QLatin1String(session::ClientSecretKey));
        });
    }
    m_storeKind.reset();
    Q_EMIT changed();
    probeStore();
    // What the session holds now goes to the new store.
    if (const auto token = m_session->token()) {
        const QByteArray access = token->accessToken;
        const QByteArray secret = m_storedSecret.toUtf8();
        withStore([access, secret](session::SecretStore &store) {
            (void)store.write(QLatin1String(session::AccessTokenKey), access);
            if (!secret.isEmpty())
                (void)store.write(QLatin1String(session::ClientSecretKey), secret);
        });
    }
}

quint16 SessionController::listeningPort() const
{
    return m_login && m_login->isListening() ? m_login->listeningPort() : 0;
}

bool SessionController::begin(const QString &clientId, const QString &clientSecret,
                              const QString &redirectUri, QString &error)
{
    if (!m_client) {
        error = QStringLiteral("Upstox's address is not usable: ") + m_urlError;
        return false;
    }
    upstox::UpstoxApp app;
    app.clientId = clientId.trimmed();
    app.clientSecret = clientSecret.isEmpty() ? m_storedSecret : clientSecret;
    app.redirectUri =
        redirectUri.trimmed().isEmpty() ? upstox::defaultRedirectUri() : redirectUri.trimmed();
    if (!app.clientSecret.isEmpty())
        logging::addSecret(app.clientSecret);
    if (app.clientId.isEmpty() || app.clientSecret.isEmpty()) {
        error = QStringLiteral("The API key and the API secret of your Upstox app are needed "
                               "(developer apps at account.upstox.com).");
        return false;
    }
    dropLogin();
    m_pendingApp = app;
    m_login = std::make_unique<upstox::UpstoxLogin>(*m_http, *m_urls, app, m_clock);
    using upstox::UpstoxLogin;
    connect(m_login.get(), &UpstoxLogin::callbackReceived, this, [this] {
        m_phase = Phase::Exchanging;
        Q_EMIT changed();
    });
    connect(m_login.get(), &UpstoxLogin::succeeded, this,
            [this](const upstox::UpstoxToken &token) { onSucceeded(token); });
    connect(m_login.get(), &UpstoxLogin::failed, this,
            [this](const upstox::UpstoxError &e) { onFailed(e); });
    m_lastError.clear();
    m_session->beginLogin();
    return true;
}

bool SessionController::login(const QString &clientId, const QString &clientSecret,
                              const QString &redirectUri)
{
    QString error;
    if (!begin(clientId, clientSecret, redirectUri, error)) {
        fail(error);
        return false;
    }
    auto url = m_login->start(m_options.loginTimeout);
    if (!url) {
        fail(url.error().message);
        dropLogin();
        return false;
    }
    m_loginUrl = *url;
    m_phase = Phase::WaitingForBrowser;
    rememberApp(m_pendingApp);
    spdlog::info("upstox login: waiting for the browser on 127.0.0.1:{}", m_login->listeningPort());
    Q_EMIT changed();
    m_options.openUrl(*url);
    return true;
}

bool SessionController::exchangeCode(const QString &clientId, const QString &clientSecret,
                                     const QString &redirectUri, const QString &code)
{
    QString pasted = code.trimmed();
    // A whole address pasted from the browser: the code is its query item.
    if (pasted.contains(QLatin1String("code="))) {
        const QUrl url(pasted);
        const QString item = QUrlQuery(url).queryItemValue(QStringLiteral("code"));
        if (!item.isEmpty())
            pasted = item;
    }
    if (pasted.isEmpty()) {
        fail(QStringLiteral("Paste the code from the browser's address bar (…?code=XXXX)."));
        return false;
    }
    logging::addSecret(pasted);
    QString error;
    if (!begin(clientId, clientSecret, redirectUri, error)) {
        fail(error);
        return false;
    }
    rememberApp(m_pendingApp);
    m_phase = Phase::Exchanging;
    m_loginUrl.clear();
    Q_EMIT changed();
    m_login->exchangeCode(pasted);
    return true;
}

void SessionController::cancelLogin()
{
    if (m_login)
        m_login->cancel(); // -> failed (Cancelled)
}

void SessionController::rememberApp(const upstox::UpstoxApp &app)
{
    QSettings settings;
    m_clientId = app.clientId;
    m_redirectUri = app.redirectUri;
    settings.setValue(QLatin1String(ClientIdKey), app.clientId);
    settings.setValue(QLatin1String(RedirectUriKey), app.redirectUri);
}

void SessionController::onSucceeded(const upstox::UpstoxToken &token)
{
    m_phase = Phase::Idle;
    m_loginUrl.clear();
    const QString secret = m_pendingApp.clientSecret;
    m_pendingApp.clientSecret.clear();
    m_storedSecret = secret;
    dropLogin();
    QSettings settings;
    settings.setValue(QLatin1String(UserIdKey), token.userId);
    settings.setValue(QLatin1String(UserNameKey), token.userName);
    settings.setValue(QLatin1String(IssuedAtKey), QString::number(token.issuedAt.epochMs));
    m_profile.reset();
    m_funds.reset();
    m_accountError.clear();
    m_session->activate(token);
    const QByteArray access = token.accessToken;
    const QByteArray secretBytes = secret.toUtf8();
    withStore([this, access, secretBytes](session::SecretStore &store) {
        QString problem;
        if (auto saved = store.write(QLatin1String(session::AccessTokenKey), access); !saved)
            problem = QStringLiteral("the token is not kept: ") + saved.error().message;
        if (store.kind() != session::SecretStoreKind::Environment)
            (void)store.write(QLatin1String(session::ClientSecretKey), secretBytes);
        if (!problem.isEmpty())
            QMetaObject::invokeMethod(
                this,
                [this, problem] {
                    spdlog::warn("upstox secrets: {}", problem.toStdString());
                    m_storeReason = problem;
                    Q_EMIT changed();
                },
                Qt::QueuedConnection);
    });
    spdlog::info("upstox login: logged in as {}", token.userId.toStdString());
    Q_EMIT loggedIn();
    Q_EMIT changed();
    refreshAccount();
}

void SessionController::onFailed(const upstox::UpstoxError &error)
{
    m_phase = Phase::Idle;
    m_loginUrl.clear();
    m_pendingApp.clientSecret.clear();
    dropLogin();
    fail(error.kind == upstox::UpstoxErrorKind::Cancelled ? QStringLiteral("Login cancelled.")
                                                          : error.toString());
}

void SessionController::fail(const QString &message)
{
    m_lastError = message;
    spdlog::warn("upstox login failed: {}", message.toStdString());
    m_session->loginFailed(message);
    Q_EMIT loginFailed(message);
    Q_EMIT changed();
}

void SessionController::dropLogin()
{
    if (!m_login)
        return;
    disconnect(m_login.get(), nullptr, this, nullptr);
    m_login->cancel();
    // Possibly inside one of its own signals: deleted once that returns, unless this goes first
    // (then the destructor deletes it before the network it uses).
    QObject *old = m_login.release();
    QTimer::singleShot(0, this, [old] { delete old; });
}

void SessionController::logout()
{
    if (m_login) {
        dropLogin();
        m_phase = Phase::Idle;
        m_loginUrl.clear();
        m_session->loginFailed(QStringLiteral("logged out"));
    }
    // Upstox is told too (DELETE /v2/logout, best effort: the token is forgotten here whatever
    // it answers). The token goes in the request itself: the session forgets it right below.
    if (const QByteArray token = m_session->accessToken(); !token.isEmpty() && m_http) {
        net::HttpRequest request;
        request.method = net::HttpMethod::Delete;
        request.url = m_urls->apiUrl(QStringLiteral("/v2/logout"));
        request.bearer = false;
        request.headers.append({QByteArrayLiteral("Authorization"), "Bearer " + token});
        request.headers.append(
            {QByteArrayLiteral("Accept"), QByteArrayLiteral("application/json")});
        request.rateLimit = QLatin1String(upstox::StandardLimit);
        m_http->send(std::move(request), this, [](Result<net::HttpResponse> answer) {
            if (!answer)
                spdlog::warn("upstox logout not confirmed: {}",
                             answer.error().message.toStdString());
            else if (!answer->isSuccess())
                spdlog::warn(
                    "upstox logout not confirmed: {}",
                    upstox::parseError(answer->status, answer->body).toString().toStdString());
        });
    }
    m_session->logout();
    m_profile.reset();
    m_funds.reset();
    m_accountError.clear();
    m_lastError.clear();
    QSettings().remove(QLatin1String(IssuedAtKey));
    withStore([](session::SecretStore &store) {
        (void)store.remove(QLatin1String(session::AccessTokenKey));
    });
    spdlog::info("upstox: logged out");
    Q_EMIT changed();
}

void SessionController::refreshAccount()
{
    if (!m_client || m_session->accessToken().isEmpty())
        return;
    m_client->profile(this, [this](upstox::UpstoxResult<upstox::UpstoxProfile> r) {
        if (r.ok()) {
            m_profile = r.value();
        } else {
            m_accountError = QStringLiteral("Profile: ") + r.error().toString();
        }
        Q_EMIT changed();
    });
    m_client->funds(this, [this](upstox::UpstoxResult<upstox::UpstoxFunds> r) {
        if (r.ok()) {
            m_funds = r.value();
        } else {
            m_accountError = QStringLiteral("Funds: ") + r.error().toString();
        }
        Q_EMIT changed();
    });
}

QString SessionController::spanText(std::int64_t seconds)
{
    const std::int64_t minutes = std::max<std::int64_t>(0, seconds) / 60;
    if (minutes >= 60)
        return QStringLiteral("%1h %2m").arg(minutes / 60).arg(minutes % 60);
    return QStringLiteral("%1m").arg(minutes);
}

QString SessionController::indicatorText() const
{
    using session::SessionState;
    const QString prefix = QStringLiteral("Upstox: ");
    switch (m_session->state()) {
    case SessionState::LoggedOut:
        return prefix + QStringLiteral("logged out");
    case SessionState::LoggingIn:
        return prefix + (m_phase == Phase::Exchanging ? QStringLiteral("logging in (code)…")
                                                      : QStringLiteral("logging in…"));
    case SessionState::Expired:
        return prefix + QStringLiteral("expired — log in again");
    case SessionState::Active:
    case SessionState::Expiring:
        break;
    }
    const auto token = m_session->token();
    // Short: the status bar is shared (the name and the exact funds are on hover and the page).
    const QString who = m_profile ? m_profile->userId : (token ? token->userId : QString());
    const std::int64_t left = m_session->secondsLeft().value_or(0);
    QString text = prefix + who + QStringLiteral(" · ");
    text += m_session->state() == SessionState::Expiring
                ? QStringLiteral("expiring ") + spanText(left)
                : spanText(left) + QStringLiteral(" left");
    if (m_funds)
        text += QStringLiteral(" · Rs ") + m_funds->equity.availableMargin.toCompact() +
                QStringLiteral(" free");
    return text;
}

QString SessionController::indicatorToolTip() const
{
    QStringList lines;
    lines << m_session->reason();
    if (m_profile && m_session->state() != session::SessionState::LoggedOut)
        lines << QStringLiteral("%1 (%2)").arg(m_profile->userName, m_profile->userId);
    if (const auto token = m_session->token()) {
        lines << QStringLiteral("Token expires %1 (%2)")
                     .arg(token->expiresAt.toString(), m_session->countdown());
    }
    if (m_funds)
        lines << QStringLiteral("Funds: %1 available, %2 used")
                     .arg(rupees(m_funds->equity.availableMargin),
                          rupees(m_funds->equity.usedMargin));
    if (!m_accountError.isEmpty())
        lines << m_accountError;
    if (!m_lastError.isEmpty() && m_lastError != m_session->reason())
        lines << QStringLiteral("Last login: ") + m_lastError;
    if (storeReady())
        lines << QStringLiteral("Secrets: %1 (%2)").arg(m_storeDescription, m_storeReason);
    lines << QStringLiteral("Click to open the Upstox page.");
    lines.removeAll(QString());
    return lines.join(u'\n');
}

} // namespace strikeline::ui
