// login, logout, whoami: the Upstox session from a headless box (issue 11, docs/cli.md).
//
//   login   the authorization dialog's URL to open, the exact redirect URI to register, then
//           waits on 127.0.0.1 for the browser's callback (or exchanges --code CODE)
//   logout  revokes the token at Upstox (DELETE /v2/logout) and forgets it
//   whoami  profile, funds and the token's expiry, from the stored token
//
// Where things live: the API key and redirect URI in the settings (upstox/clientId,
// upstox/redirectUri); the secret and the token in the system keychain, else (after --save-file,
// remembered as upstox/secretsFile) a 0600 file in the config folder, else nowhere beyond this
// process. UPSTOX_ACCESS_TOKEN overrides the stored token (scripts, CI). Neither the secret nor
// the token nor the code is ever printed. STRIKELINE_UPSTOX_URL points everything at one base
// (the simulator).

#include "CliCommon.h"
#include "UpstoxAccess.h"
#include "broker/upstox/UpstoxClient.h"
#include "broker/upstox/UpstoxLogin.h"
#include "common/Logging.h"
#include "session/SecretStore.h"
#include "session/SessionManager.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QSettings>
#include <QTimer>

#include <spdlog/spdlog.h>

#include <csignal>
#include <memory>

namespace strikeline::cli {

namespace {

constexpr char ClientIdKey[] = "upstox/clientId";
constexpr char RedirectUriKey[] = "upstox/redirectUri";
constexpr char SecretsFileKey[] = "upstox/secretsFile";
constexpr char UserIdKey[] = "upstox/userId";
constexpr char UserNameKey[] = "upstox/userName";
constexpr char IssuedAtKey[] = "upstox/tokenIssuedAt"; // epoch ms; the token itself is a secret
constexpr char ClientSecretEnvironment[] = "UPSTOX_CLIENT_SECRET";

struct SessionOptions
{
    QCommandLineOption at{QStringLiteral("at"),
                          QStringLiteral("The time in IST, \"YYYY-MM-DD[ HH:MM]\", then running "
                                         "(default: now); match the simulator's --at."),
                          QStringLiteral("TIME")};
    QCommandLineOption json{QStringLiteral("json"), QStringLiteral("Print JSON for scripts.")};
    QCommandLineOption saveFile{
        QStringLiteral("save-file"),
        QStringLiteral("Without a working keychain, keep the secret and the token in a file "
                       "only you can read (remembered)."),
    };
};

session::SecretStoreChoice secretStore(const QSettings &settings, bool saveFile)
{
    session::SecretStoreOptions options;
    options.allowFile = saveFile || settings.value(QLatin1String(SecretsFileKey)).toBool();
    options.probeTimeout = std::chrono::seconds(3);
    options.tryKeychain = qEnvironmentVariable("STRIKELINE_KEYCHAIN") != QLatin1String("off");
    options.environmentToken = qgetenv(session::AccessTokenEnvironment);
    auto choice = session::chooseSecretStore(options);
    spdlog::info("secrets: {} ({})", choice.store->describe().toStdString(),
                 choice.reason.toStdString());
    return choice;
}

// Runs the event loop until `done` is set or SIGINT asks to stop.
volatile std::sig_atomic_t g_interrupted = 0;
extern "C" void onLoginInterrupt(int)
{
    g_interrupted = 1;
}

struct Network
{
    upstox::UpstoxUrls urls;
    std::unique_ptr<net::HttpClient> http;
    std::unique_ptr<upstox::UpstoxClient> client;
};

Result<Network> network(net::TokenProvider *tokens)
{
    QSettings settings;
    auto urls = upstox::UpstoxUrls::fromSettings(settings);
    if (!urls)
        return urls.error();
    Network n;
    n.urls = *urls;
    net::HttpClient::Options options;
    options.tokens = tokens;
    options.allowLoopbackHttp = n.urls.isLoopbackHttp();
    n.http = std::make_unique<net::HttpClient>(options);
    n.client = std::make_unique<upstox::UpstoxClient>(*n.http, n.urls);
    return n;
}

// A token provider over a fixed token, for one command's calls.
class FixedToken final : public net::TokenProvider
{
public:
    explicit FixedToken(QByteArray token)
        : m_token(std::move(token))
    {}
    QByteArray accessToken() const override { return m_token; }
    void tokenRejected(const QByteArray &) override { m_rejected = true; }
    bool rejected() const { return m_rejected; }

private:
    QByteArray m_token;
    std::atomic<bool> m_rejected{false};
};

QString istText(IstMoment moment)
{
    return moment.toString();
}

} // namespace

namespace {

// The Analytics Token, from UPSTOX_ANALYTICS_TOKEN or one line on stdin (never argv: other users
// see argv in ps). Empty when neither gave one.
QByteArray readAnalyticsToken()
{
    QByteArray token = qgetenv(session::AnalyticsTokenEnvironment).trimmed();
    if (token.isEmpty()) {
        err() << "Paste your Upstox Analytics Token and press Enter:" << Qt::endl;
        QTextStream in(stdin);
        token = in.readLine().trimmed().toUtf8();
    }
    if (!token.isEmpty())
        logging::addSecret(QString::fromUtf8(token));
    return token;
}

// login --analytics-token: checks the token on a market-data call, then keeps it in the store.
int runAnalyticsLogin(const QString &command, QSettings &settings, bool saveFile, bool json)
{
    const QByteArray token = readAnalyticsToken();
    if (token.isEmpty())
        return fail(command,
                    QStringLiteral("no Analytics Token given (set UPSTOX_ANALYTICS_TOKEN or paste "
                                   "it on stdin)"),
                    ExitUsage);
    auto store = secretStore(settings, saveFile);
    if (store.store->kind() == session::SecretStoreKind::Memory)
        return fail(command, QStringLiteral("the Analytics Token would not outlive this command "
                                            "(%1): use --save-file for a file only you can "
                                            "read, or set UPSTOX_ANALYTICS_TOKEN for each "
                                            "command")
                                 .arg(store.reason));
    auto net = network(nullptr);
    if (!net)
        return fail(command, net.error());
    QObject context;
    QEventLoop loop;
    std::optional<upstox::UpstoxError> refused;
    net->client->checkAnalyticsToken(token, &context, [&](upstox::UpstoxResult<QJsonValue> r) {
        if (!r.ok())
            refused = r.error();
        loop.quit();
    });
    loop.exec();
    if (refused)
        return fail(
            command,
            refused->httpStatus == 401
                ? QStringLiteral("Upstox refused the Analytics Token (%1)").arg(refused->toString())
                : QStringLiteral("could not check the Analytics Token: %1")
                      .arg(refused->toString()));
    if (auto saved = store.store->write(QLatin1String(session::AnalyticsTokenKey), token); !saved)
        return fail(command, saved.error());
    if (saveFile)
        settings.setValue(QLatin1String(SecretsFileKey), true);
    if (json) {
        out() << QJsonDocument(
                     QJsonObject{{QStringLiteral("analytics_token"), true},
                                 {QStringLiteral("secret_store"), store.store->describe()}})
                     .toJson(QJsonDocument::Compact)
              << Qt::endl;
    } else {
        out() << "Analytics Token accepted by Upstox; market data (feed, quotes, option chain) "
                 "uses it without the daily login.\nKept in: "
              << store.store->describe() << Qt::endl;
    }
    return ExitOk;
}

} // namespace

void registerSecretArguments(const QStringList &arguments)
{
    for (qsizetype i = 0; i < arguments.size(); ++i) {
        for (const QString &option :
             {QStringLiteral("--client-secret"), QStringLiteral("--code")}) {
            if (arguments[i] == option && i + 1 < arguments.size())
                logging::addSecret(arguments[i + 1]);
            else if (arguments[i].startsWith(option + u'='))
                logging::addSecret(arguments[i].mid(option.size() + 1));
        }
    }
}

int runLogin(const QStringList &arguments)
{
    const QString command = QStringLiteral("login");
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Log in to Upstox with your own API app: prints the URL to open and the "
                       "redirect URI to register, then waits for the browser's callback."));
    SessionOptions common;
    QCommandLineOption clientId{QStringLiteral("client-id"),
                                QStringLiteral("Your Upstox app's API key (remembered)."),
                                QStringLiteral("ID")};
    QCommandLineOption clientSecret{
        QStringLiteral("client-secret"),
        QStringLiteral("Your app's API secret (kept in the keychain; or set "
                       "UPSTOX_CLIENT_SECRET, which other users cannot see in ps)."),
        QStringLiteral("SECRET")};
    QCommandLineOption redirectUri{
        QStringLiteral("redirect-uri"),
        QStringLiteral("The redirect URI registered in your app (default "
                       "http://127.0.0.1:%1/upstox/callback; remembered).")
            .arg(upstox::DefaultCallbackPort),
        QStringLiteral("URI")};
    QCommandLineOption code{QStringLiteral("code"),
                            QStringLiteral("Exchange this authorization code (pasted from the "
                                           "browser) instead of waiting for the callback."),
                            QStringLiteral("CODE")};
    QCommandLineOption timeout{QStringLiteral("timeout"),
                               QStringLiteral("Give up waiting for the callback after this many "
                                              "seconds (default 300)."),
                               QStringLiteral("SECONDS"), QStringLiteral("300")};
    QCommandLineOption analytics{
        QStringLiteral("analytics-token"),
        QStringLiteral("Instead of the daily login, keep your one-year read-only Analytics Token "
                       "for market data (read from UPSTOX_ANALYTICS_TOKEN or stdin).")};
    parser.addOptions({clientId, clientSecret, redirectUri, code, timeout, analytics, common.at,
                       common.json, common.saveFile});
    parser.addHelpOption();
    if (const auto stop = parseCommandLine(parser, command, arguments, Positional::Forbidden))
        return *stop;
    if (parser.isSet(analytics)) {
        for (const auto *o : {&clientId, &clientSecret, &redirectUri, &code})
            if (parser.isSet(*o))
                return fail(command,
                            QStringLiteral("--analytics-token takes no --%1").arg(o->names()[0]),
                            ExitUsage);
        QSettings settings;
        return runAnalyticsLogin(command, settings, parser.isSet(common.saveFile),
                                 parser.isSet(common.json));
    }
    auto clock = runningClock(parser, common.at);
    if (!clock)
        return fail(command, clock.error());
    bool timeoutOk = false;
    const int timeoutSeconds = parser.value(timeout).toInt(&timeoutOk);
    if (!timeoutOk || timeoutSeconds <= 0)
        return fail(command, QStringLiteral("--timeout must be a number of seconds"), ExitUsage);

    QSettings settings;
    upstox::UpstoxApp app;
    app.clientId = parser.isSet(clientId) ? parser.value(clientId).trimmed()
                                          : settings.value(QLatin1String(ClientIdKey)).toString();
    app.redirectUri =
        parser.isSet(redirectUri)
            ? parser.value(redirectUri).trimmed()
            : settings.value(QLatin1String(RedirectUriKey), upstox::defaultRedirectUri())
                  .toString();
    auto store = secretStore(settings, parser.isSet(common.saveFile));
    if (parser.isSet(clientSecret))
        app.clientSecret = parser.value(clientSecret);
    else if (qEnvironmentVariableIsSet(ClientSecretEnvironment))
        app.clientSecret = qEnvironmentVariable(ClientSecretEnvironment);
    else if (auto stored = store.store->read(QLatin1String(session::ClientSecretKey));
             stored.ok() && stored->has_value())
        app.clientSecret = QString::fromUtf8(**stored);
    if (!app.clientSecret.isEmpty())
        logging::addSecret(app.clientSecret);
    if (app.clientId.isEmpty() || app.clientSecret.isEmpty())
        return fail(command,
                    QStringLiteral("the API key and secret of your Upstox app are needed: "
                                   "--client-id ID --client-secret S (or UPSTOX_CLIENT_SECRET)"),
                    ExitUsage);

    auto net = network(nullptr);
    if (!net)
        return fail(command, net.error());
    upstox::UpstoxLogin login(*net->http, net->urls, app, **clock);
    std::optional<upstox::UpstoxToken> token;
    std::optional<upstox::UpstoxError> failure;
    QEventLoop loop;
    QObject::connect(&login, &upstox::UpstoxLogin::succeeded, &loop,
                     [&](const upstox::UpstoxToken &t) {
                         token = t;
                         loop.quit();
                     });
    QObject::connect(&login, &upstox::UpstoxLogin::failed, &loop,
                     [&](const upstox::UpstoxError &e) {
                         failure = e;
                         loop.quit();
                     });
    QObject::connect(&login, &upstox::UpstoxLogin::callbackReceived, &loop,
                     [] { err() << "Callback received; exchanging the code..." << Qt::endl; });
    // Ctrl+C cancels the login cleanly (the listener closes, a pending exchange is aborted).
    g_interrupted = 0;
    auto previous = std::signal(SIGINT, onLoginInterrupt);
    QTimer interruptPoll;
    QObject::connect(&interruptPoll, &QTimer::timeout, &loop, [&] {
        if (g_interrupted) {
            g_interrupted = 0;
            login.cancel();
        }
    });
    interruptPoll.start(100);

    if (parser.isSet(code)) {
        login.exchangeCode(parser.value(code));
    } else {
        auto url = login.start(std::chrono::seconds(timeoutSeconds));
        if (!url) {
            std::signal(SIGINT, previous);
            return fail(command, url.error());
        }
        out() << "Register this redirect URI in your Upstox app, exactly:\n  "
              << login.redirectUri() << "\nOpen this URL in your browser to log in:\n  "
              << url->toString(QUrl::FullyEncoded) << Qt::endl;
        err() << "Waiting for the login on 127.0.0.1:" << login.listeningPort()
              << " (Ctrl+C to cancel)..." << Qt::endl;
    }
    if (!token && !failure)
        loop.exec();
    std::signal(SIGINT, previous);
    if (failure)
        return fail(command, failure->toString());

    settings.setValue(QLatin1String(ClientIdKey), app.clientId);
    settings.setValue(QLatin1String(RedirectUriKey), login.redirectUri());
    settings.setValue(QLatin1String(UserIdKey), token->userId);
    settings.setValue(QLatin1String(UserNameKey), token->userName);
    settings.setValue(QLatin1String(IssuedAtKey), QString::number(token->issuedAt.epochMs));
    if (parser.isSet(common.saveFile))
        settings.setValue(QLatin1String(SecretsFileKey), true);
    QString kept = store.store->describe();
    if (auto saved = store.store->write(QLatin1String(session::AccessTokenKey), token->accessToken);
        !saved)
        kept = QStringLiteral("not kept (%1)").arg(saved.error().message);
    if (store.store->kind() != session::SecretStoreKind::Memory &&
        store.store->kind() != session::SecretStoreKind::Environment)
        (void)store.store->write(QLatin1String(session::ClientSecretKey),
                                 app.clientSecret.toUtf8());
    if (store.store->kind() == session::SecretStoreKind::Memory)
        kept = QStringLiteral("not kept beyond this command (%1; use --save-file for a file "
                              "only you can read)")
                   .arg(store.reason);

    if (parser.isSet(common.json)) {
        QJsonObject o{{QStringLiteral("user_id"), token->userId},
                      {QStringLiteral("user_name"), token->userName},
                      {QStringLiteral("expires_at"), istText(token->expiresAt)},
                      {QStringLiteral("secret_store"), kept}};
        out() << QJsonDocument(o).toJson(QJsonDocument::Compact) << Qt::endl;
    } else {
        out() << "Logged in as " << token->userId << " (" << token->userName << "); the token "
              << "expires " << istText(token->expiresAt) << ".\nToken kept in: " << kept
              << Qt::endl;
    }
    return ExitOk;
}

int runLogout(const QStringList &arguments)
{
    const QString command = QStringLiteral("logout");
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Revoke the Upstox token at Upstox and forget it here."));
    SessionOptions common;
    QCommandLineOption analytics{
        QStringLiteral("analytics-token"),
        QStringLiteral("Forget the Analytics Token instead (revoke it in Upstox's developer "
                       "dashboard).")};
    parser.addOptions({common.at, analytics});
    parser.addHelpOption();
    if (const auto stop = parseCommandLine(parser, command, arguments, Positional::Forbidden))
        return *stop;
    QSettings settings;
    auto store = secretStore(settings, false);
    if (parser.isSet(analytics)) {
        auto had = store.store->read(QLatin1String(session::AnalyticsTokenKey));
        if (auto removed = store.store->remove(QLatin1String(session::AnalyticsTokenKey)); !removed)
            return fail(command, removed.error());
        out() << (had && had->has_value() ? "The Analytics Token is gone from "
                                          : "No Analytics Token was kept in ")
              << store.store->describe() << '.' << Qt::endl;
        return ExitOk;
    }
    if (store.store->kind() == session::SecretStoreKind::Environment)
        return fail(command, QStringLiteral("the token comes from UPSTOX_ACCESS_TOKEN: unset it"));
    // Revoke the token at Upstox first (DELETE /v2/logout), then forget it here whatever Upstox
    // said: a token we cannot revoke (Upstox down, already expired) must still leave this machine.
    QString revoked = QStringLiteral("no token was stored");
    if (auto stored = store.store->read(QLatin1String(session::AccessTokenKey));
        stored && stored->has_value() && !(*stored)->isEmpty()) {
        logging::addSecret(QString::fromUtf8(**stored));
        FixedToken tokens(**stored);
        auto net = network(&tokens);
        if (!net) {
            revoked = QStringLiteral("not revoked at Upstox: %1").arg(net.error().message);
        } else {
            QObject context;
            QEventLoop loop;
            net->client->del(
                QStringLiteral("/v2/logout"), {}, &context,
                [&](upstox::UpstoxResult<QJsonValue> r) {
                    revoked =
                        r.ok() ? QStringLiteral("revoked at Upstox")
                        : tokens.rejected()
                            ? QStringLiteral("Upstox had already ended it")
                            : QStringLiteral("not revoked at Upstox: %1").arg(r.error().toString());
                    loop.quit();
                });
            loop.exec();
        }
    }
    if (auto removed = store.store->remove(QLatin1String(session::AccessTokenKey)); !removed)
        return fail(command, removed.error());
    settings.remove(QLatin1String(IssuedAtKey));
    out() << "Logged out: " << revoked << "; the token is gone from " << store.store->describe()
          << '.' << Qt::endl;
    return ExitOk;
}

int runWhoami(const QStringList &arguments)
{
    const QString command = QStringLiteral("whoami");
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Who is logged in to Upstox: profile, funds and the token's expiry."));
    SessionOptions common;
    parser.addOptions({common.at, common.json});
    parser.addHelpOption();
    if (const auto stop = parseCommandLine(parser, command, arguments, Positional::Forbidden))
        return *stop;
    auto clock = runningClock(parser, common.at);
    if (!clock)
        return fail(command, clock.error());
    QSettings settings;
    auto store = secretStore(settings, false);
    auto stored = store.store->read(QLatin1String(session::AccessTokenKey));
    if (!stored)
        return fail(command, stored.error());
    const auto analyticsStored = store.store->read(QLatin1String(session::AnalyticsTokenKey));
    const bool hasAnalytics =
        !qgetenv(session::AnalyticsTokenEnvironment).trimmed().isEmpty() ||
        (analyticsStored && analyticsStored->has_value() && !(*analyticsStored)->isEmpty());
    if (!stored->has_value() || (*stored)->isEmpty())
        return fail(command, QStringLiteral("not logged in: run 'strikeline-cli login' (looked "
                                            "in %1: %2)%3")
                                 .arg(store.store->describe(), store.reason,
                                      hasAnalytics ? QStringLiteral("; an Analytics Token is "
                                                                    "kept for market data")
                                                   : QString()));
    const QByteArray accessToken = **stored;
    logging::addSecret(QString::fromUtf8(accessToken));

    // The expiry by the clock: from when the token was issued (03:30 IST after it), if known.
    const bool fromEnvironment = store.store->kind() == session::SecretStoreKind::Environment;
    std::optional<IstMoment> expiresAt;
    if (!fromEnvironment && settings.contains(QLatin1String(IssuedAtKey)))
        expiresAt = upstox::tokenExpiry(
            IstMoment{settings.value(QLatin1String(IssuedAtKey)).toString().toLongLong()});

    FixedToken tokens(accessToken);
    auto net = network(&tokens);
    if (!net)
        return fail(command, net.error());
    QObject context;
    QEventLoop loop;
    std::optional<upstox::UpstoxResult<upstox::UpstoxProfile>> profile;
    std::optional<upstox::UpstoxResult<upstox::UpstoxFunds>> funds;
    auto maybeQuit = [&] {
        if (profile && funds)
            loop.quit();
    };
    net->client->profile(&context, [&](upstox::UpstoxResult<upstox::UpstoxProfile> r) {
        profile.emplace(std::move(r));
        maybeQuit();
    });
    net->client->funds(&context, [&](upstox::UpstoxResult<upstox::UpstoxFunds> r) {
        funds.emplace(std::move(r));
        maybeQuit();
    });
    loop.exec();
    if (!profile->ok())
        return fail(command, profile->error().toString());

    const IstMoment now = (*clock)->now();
    // 0 without a known expiry (then never printed).
    const std::int64_t secondsLeft = expiresAt ? (expiresAt->epochMs - now.epochMs) / 1000 : 0;
    if (parser.isSet(common.json)) {
        const upstox::UpstoxProfile &p = profile->value();
        QJsonObject o{{QStringLiteral("user_id"), p.userId},
                      {QStringLiteral("user_name"), p.userName},
                      {QStringLiteral("email"), p.email},
                      {QStringLiteral("broker"), p.broker},
                      {QStringLiteral("exchanges"), QJsonArray::fromStringList(p.exchanges)},
                      {QStringLiteral("products"), QJsonArray::fromStringList(p.products)},
                      {QStringLiteral("is_active"), p.isActive},
                      {QStringLiteral("token_source"), store.store->describe()},
                      {QStringLiteral("analytics_token"), hasAnalytics}};
        if (expiresAt) {
            o.insert(QStringLiteral("token_expires_at"), istText(*expiresAt));
            o.insert(QStringLiteral("token_seconds_left"), static_cast<qint64>(secondsLeft));
        }
        if (funds->ok()) {
            const auto &e = funds->value().equity;
            o.insert(
                QStringLiteral("funds"),
                QJsonObject{{QStringLiteral("available_margin"), e.availableMargin.toQString(2)},
                            {QStringLiteral("used_margin"), e.usedMargin.toQString(2)},
                            {QStringLiteral("payin_amount"), e.payinAmount.toQString(2)}});
        } else {
            o.insert(QStringLiteral("funds_error"), funds->error().toString());
        }
        out() << QJsonDocument(o).toJson(QJsonDocument::Compact) << Qt::endl;
        return ExitOk;
    }
    const upstox::UpstoxProfile &p = profile->value();
    out() << p.userId << "  " << p.userName;
    if (!p.email.isEmpty())
        out() << "  <" << p.email << '>';
    out() << "\nExchanges: " << p.exchanges.join(QStringLiteral(", ")) << '\n';
    if (funds->ok()) {
        const auto &e = funds->value().equity;
        out() << "Funds: available " << e.availableMargin.toIndian() << ", used "
              << e.usedMargin.toIndian() << '\n';
    } else {
        out() << "Funds: " << funds->error().toString() << '\n';
    }
    if (expiresAt) {
        const std::int64_t minutes = std::abs(secondsLeft) / 60;
        out() << "Token: expires " << istText(*expiresAt) << " ("
              << (secondsLeft >= 0 ? QStringLiteral("%1 h %2 min left")
                                         .arg(minutes / 60)
                                         .arg(minutes % 60, 2, 10, QLatin1Char('0'))
                                   : QStringLiteral("past; Upstox still accepted it"))
              << ")\n";
    } else {
        out() << "Token: from " << store.store->describe() << ", expiry unknown (03:30 IST)\n";
    }
    out() << "Analytics Token: "
          << (hasAnalytics ? "kept (market data runs without the daily login)" : "none") << '\n';
    out().flush();
    return ExitOk;
}

Result<std::unique_ptr<MarketDataAccess>> marketDataAccess()
{
    QSettings settings;
    auto store = secretStore(settings, false);
    const auto readStored = [&](const char *key) -> QByteArray {
        const auto value = store.store->read(QLatin1String(key));
        return value && value->has_value() ? (*value)->trimmed() : QByteArray();
    };
    QByteArray analytics = qgetenv(session::AnalyticsTokenEnvironment).trimmed();
    if (analytics.isEmpty())
        analytics = readStored(session::AnalyticsTokenKey);
    const QByteArray sessionToken = readStored(session::AccessTokenKey);
    if (analytics.isEmpty() && sessionToken.isEmpty())
        return Error::make(ErrorCode::NotFound,
                           QStringLiteral("not logged in: run 'strikeline-cli login' (or 'login "
                                          "--analytics-token' for market data without the daily "
                                          "login); looked in %1: %2")
                               .arg(store.store->describe(), store.reason));
    auto access = std::make_unique<MarketDataAccess>();
    if (!sessionToken.isEmpty())
        logging::addSecret(QString::fromUtf8(sessionToken));
    access->session = std::make_unique<FixedToken>(sessionToken);
    access->tokens = std::make_unique<session::MarketDataTokens>(*access->session);
    if (!analytics.isEmpty())
        access->tokens->setAnalyticsToken(analytics); // registers it as a secret
    access->source = analytics.isEmpty() ? QStringLiteral("the session token")
                                         : QStringLiteral("the Analytics Token");
    auto net = network(access->tokens.get());
    if (!net)
        return net.error();
    access->http = std::move(net->http);
    access->client = std::move(net->client);
    return access;
}

Result<std::unique_ptr<TradingAccess>> tradingAccess()
{
    QSettings settings;
    auto store = secretStore(settings, false);
    const auto stored = store.store->read(QLatin1String(session::AccessTokenKey));
    if (!stored)
        return stored.error();
    const QByteArray token = stored->has_value() ? (*stored)->trimmed() : QByteArray();
    if (token.isEmpty()) {
        return Error::make(ErrorCode::NotFound,
                           QStringLiteral("not logged in to Upstox: run 'strikeline-cli login' "
                                          "(trading needs the daily session; an Analytics Token "
                                          "cannot trade); looked in %1: %2")
                               .arg(store.store->describe(), store.reason));
    }
    logging::addSecret(QString::fromUtf8(token));
    auto access = std::make_unique<TradingAccess>();
    access->session = std::make_unique<FixedToken>(token);
    auto net = network(access->session.get());
    if (!net)
        return net.error();
    access->http = std::move(net->http);
    access->client = std::move(net->client);
    return access;
}

} // namespace strikeline::cli
