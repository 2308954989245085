// The session's states with an injected clock, a 401 as the authority, the secret stores.

#include "NetTestSupport.h"
#include "TestHttpServer.h"
#include "broker/upstox/UpstoxClient.h"
#include "broker/upstox/UpstoxLogin.h"
#include "session/MarketDataTokens.h"
#include "session/SecretStore.h"
#include "session/SessionManager.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace strikeline;
using namespace strikeline::session;
using namespace strikeline::testing;

Q_DECLARE_METATYPE(strikeline::session::SessionState)

namespace {

IstMoment at(const char *text)
{
    return parseIstMoment(QString::fromLatin1(text)).value();
}

upstox::UpstoxToken tokenIssuedAt(IstMoment issued, QByteArray access = "token-one")
{
    upstox::UpstoxToken t;
    t.accessToken = std::move(access);
    t.userId = QStringLiteral("AB1234");
    t.issuedAt = issued;
    t.expiresAt = upstox::tokenExpiry(issued);
    return t;
}

} // namespace

class tst_Session final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void startsLoggedOut();
    void loginToActive();
    void failedLoginChangesNothing();
    void clockCountsDownToExpiry();
    void clockOnlyPrompts();
    void unauthorizedIsAuthoritative();
    void staleRefusalIsIgnored();
    void loginAgainWithoutRestart();
    void logout();
    void expiresAndComesBackWithoutRestart();
    void memoryStore();
    void fileStoreIsOwnerOnly();
    void fileStoreRefusesAReadableFile();
    void environmentTokenIsReadOnly();
    void choiceWithoutKeychain();
    void analyticsTokenDrivesMarketData();
    void analyticsTokenCheckIsAboutThatToken();
};

void tst_Session::initTestCase()
{
    qRegisterMetaType<SessionState>();
}

void tst_Session::startsLoggedOut()
{
    FixedClock clock(at("2026-12-03 10:00"));
    SessionManager session(clock);
    QCOMPARE(session.state(), SessionState::LoggedOut);
    QVERIFY(session.accessToken().isEmpty());
    QVERIFY(!session.secondsLeft());
    QCOMPARE(session.countdown(), QString());
}

void tst_Session::loginToActive()
{
    FixedClock clock(at("2026-12-03 10:00"));
    SessionManager session(clock);
    QSignalSpy changed(&session, &SessionManager::stateChanged);
    session.beginLogin();
    QCOMPARE(session.state(), SessionState::LoggingIn);
    session.activate(tokenIssuedAt(clock.now()));
    QCOMPARE(session.state(), SessionState::Active);
    QCOMPARE(session.accessToken(), QByteArray("token-one"));
    QCOMPARE(*session.secondsLeft(), 17 * 3600 + 30 * 60);
    QCOMPARE(session.countdown(), QStringLiteral("17 h 30 min left"));
    QCOMPARE(changed.size(), 2);
    QCOMPARE(changed.last().first().value<SessionState>(), SessionState::Active);
}

void tst_Session::failedLoginChangesNothing()
{
    FixedClock clock(at("2026-12-03 10:00"));
    SessionManager session(clock);
    session.beginLogin();
    session.loginFailed(QStringLiteral("wrong state"));
    QCOMPARE(session.state(), SessionState::LoggedOut);
    QCOMPARE(session.reason(), QStringLiteral("wrong state"));

    session.activate(tokenIssuedAt(clock.now()));
    session.beginLogin();
    session.loginFailed(QStringLiteral("cancelled"));
    QCOMPARE(session.state(), SessionState::Active); // the live token stays live
    QCOMPARE(session.accessToken(), QByteArray("token-one"));
}

void tst_Session::clockCountsDownToExpiry()
{
    FixedClock clock(at("2026-12-03 10:00"));
    SessionManager session(clock);
    session.activate(tokenIssuedAt(clock.now()));
    clock.set(at("2026-12-04 02:59"));
    session.tick();
    QCOMPARE(session.state(), SessionState::Active);
    clock.set(at("2026-12-04 03:05"));
    session.tick();
    QCOMPARE(session.state(), SessionState::Expiring);
    QCOMPARE(session.countdown(), QStringLiteral("25 min left"));
    QVERIFY(session.reason().contains(QStringLiteral("25 min left")));
    clock.set(at("2026-12-04 03:30"));
    session.tick();
    QCOMPARE(session.state(), SessionState::Expired);
    clock.set(at("2026-12-04 04:42"));
    QCOMPARE(session.countdown(), QStringLiteral("expired 1 h 12 min ago"));
}

void tst_Session::clockOnlyPrompts()
{
    // Past 03:30 the state says "log in again", but the token is still sent: Upstox decides.
    FixedClock clock(at("2026-12-04 00:45"));
    SessionManager session(clock);
    session.activate(tokenIssuedAt(clock.now()));
    clock.set(at("2026-12-04 09:00"));
    session.tick();
    QCOMPARE(session.state(), SessionState::Expired);
    QCOMPARE(session.accessToken(), QByteArray("token-one"));
}

void tst_Session::unauthorizedIsAuthoritative()
{
    // A call refused with 401 ends the session, whatever the clock says.
    TestHttpServer server;
    server.route("/v2/user/profile",
                 TestResponse::json(401, R"({"status":"error","errors":[{"error_code":)"
                                         R"("UDAPI100050","message":"Invalid token"}]})"));
    FixedClock clock(at("2026-12-03 10:00"));
    SessionManager session(clock);
    session.activate(tokenIssuedAt(clock.now()));
    net::HttpClient::Options options;
    options.tokens = &session;
    options.allowLoopbackHttp = true;
    net::HttpClient http(options);
    upstox::UpstoxClient client(http,
                                upstox::UpstoxUrls::fromBase(server.url().toString()).value());
    QSignalSpy changed(&session, &SessionManager::stateChanged);
    const auto profile = waitFor<upstox::UpstoxResult<upstox::UpstoxProfile>>(
        [&](QObject *context, auto done) { client.profile(context, done); });
    QVERIFY(profile && !profile->ok());
    QTRY_COMPARE(session.state(), SessionState::Expired);
    QVERIFY(session.accessToken().isEmpty()); // never sent again
    QVERIFY(session.reason().contains(QStringLiteral("401")));
    QCOMPARE(server.requests().last().header("authorization"), QByteArray("Bearer token-one"));
    session.tick(); // the clock cannot bring it back
    QCOMPARE(session.state(), SessionState::Expired);
}

void tst_Session::staleRefusalIsIgnored()
{
    FixedClock clock(at("2026-12-03 10:00"));
    SessionManager session(clock);
    session.activate(tokenIssuedAt(clock.now(), "new-token"));
    session.tokenRejected("old-token"); // an answer to a call sent before the new login
    QTest::qWait(0);
    QCoreApplication::processEvents();
    QCOMPARE(session.state(), SessionState::Active);
    QCOMPARE(session.accessToken(), QByteArray("new-token"));
    session.tokenRejected("new-token");
    QTRY_COMPARE(session.state(), SessionState::Expired);
}

void tst_Session::loginAgainWithoutRestart()
{
    FixedClock clock(at("2026-12-03 10:00"));
    SessionManager session(clock);
    session.activate(tokenIssuedAt(clock.now()));
    session.tokenRejected("token-one");
    QTRY_COMPARE(session.state(), SessionState::Expired);
    session.beginLogin();
    QCOMPARE(session.state(), SessionState::LoggingIn);
    session.activate(tokenIssuedAt(clock.now(), "token-two"));
    QCOMPARE(session.state(), SessionState::Active);
    QCOMPARE(session.accessToken(), QByteArray("token-two"));
}

void tst_Session::logout()
{
    FixedClock clock(at("2026-12-03 10:00"));
    SessionManager session(clock);
    session.activate(tokenIssuedAt(clock.now()));
    session.logout();
    QCOMPARE(session.state(), SessionState::LoggedOut);
    QVERIFY(session.accessToken().isEmpty());
    QVERIFY(!session.token());
}

// The whole loop against a local Upstox: log in, a call works, Upstox refuses the token (the
// day rolled over), the session says expired and the next call sends nothing stale; a second
// login in the same process and the next call carries the new token.
void tst_Session::expiresAndComesBackWithoutRestart()
{
    TestHttpServer server;
    int issued = 0;
    QByteArray valid;
    server.handle("/v2/login/authorization/token", [&](const TestRequest &) {
        valid = "day-token-" + QByteArray::number(++issued);
        return TestResponse::json(200, R"({"user_id":"AB1234","access_token":")" + valid + R"("})");
    });
    server.handle("/v2/user/profile", [&](const TestRequest &r) {
        if (r.header("authorization") != "Bearer " + valid)
            return TestResponse::json(401, R"({"status":"error","errors":[{"error_code":)"
                                           R"("UDAPI100050","message":"Invalid token"}]})");
        return TestResponse::json(200, R"({"status":"success","data":{"user_id":"AB1234"}})");
    });
    FixedClock clock(at("2026-12-03 10:00"));
    SessionManager session(clock);
    net::HttpClient::Options options;
    options.tokens = &session;
    options.allowLoopbackHttp = true;
    net::HttpClient http(options);
    const auto urls = upstox::UpstoxUrls::fromBase(server.url().toString()).value();
    upstox::UpstoxClient client(http, urls);
    const upstox::UpstoxApp app{QStringLiteral("k"), QStringLiteral("s"),
                                QStringLiteral("http://127.0.0.1:0/cb")};
    auto logIn = [&] {
        session.beginLogin();
        upstox::UpstoxLogin login(http, urls, app, clock);
        QObject::connect(&login, &upstox::UpstoxLogin::succeeded, &session,
                         &SessionManager::activate);
        QObject::connect(&login, &upstox::UpstoxLogin::failed, &session,
                         [&](const upstox::UpstoxError &e) { session.loginFailed(e.toString()); });
        login.exchangeCode(QStringLiteral("code"));
        QTRY_VERIFY(session.state() != SessionState::LoggingIn);
    };
    auto profileOk = [&] {
        const auto profile = waitFor<upstox::UpstoxResult<upstox::UpstoxProfile>>(
            [&](QObject *context, auto done) { client.profile(context, done); });
        return profile && profile->ok();
    };

    logIn();
    QCOMPARE(session.state(), SessionState::Active);
    QVERIFY(profileOk());

    valid = "rolled-over"; // Upstox no longer takes day-token-1
    QVERIFY(!profileOk());
    QTRY_COMPARE(session.state(), SessionState::Expired);
    QVERIFY(!profileOk());
    QVERIFY(!server.requests().last().headers.contains("authorization")); // nothing stale sent

    logIn();
    QCOMPARE(session.state(), SessionState::Active);
    QCOMPARE(session.accessToken(), QByteArray("day-token-2"));
    QVERIFY(profileOk());
    QCOMPARE(server.requests().last().header("authorization"), QByteArray("Bearer day-token-2"));
}

void tst_Session::memoryStore()
{
    MemorySecretStore store;
    QCOMPARE(store.kind(), SecretStoreKind::Memory);
    QVERIFY(store.read(QLatin1String(AccessTokenKey))->has_value() == false);
    QVERIFY(store.write(QLatin1String(AccessTokenKey), "abc").ok());
    QCOMPARE(**store.read(QLatin1String(AccessTokenKey)), QByteArray("abc"));
    QVERIFY(store.remove(QLatin1String(AccessTokenKey)).ok());
    QVERIFY(!store.read(QLatin1String(AccessTokenKey))->has_value());
}

void tst_Session::fileStoreIsOwnerOnly()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("config/secrets.json"));
    {
        FileSecretStore store(path);
        QVERIFY(store.write(QLatin1String(AccessTokenKey), "file-token").ok());
        QVERIFY(store.write(QLatin1String(ClientSecretKey), "file-secret").ok());
    }
    QCOMPARE(QFile::permissions(path) & ~(QFileDevice::ReadUser | QFileDevice::WriteUser),
             QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    QFile raw(path);
    QVERIFY(raw.open(QIODevice::ReadOnly));
    const QByteArray bytes = raw.readAll();
    QVERIFY(!bytes.contains("file-token")); // not greppable as is
    FileSecretStore again(path);
    QCOMPARE(**again.read(QLatin1String(AccessTokenKey)), QByteArray("file-token"));
    QVERIFY(again.remove(QLatin1String(AccessTokenKey)).ok());
    QVERIFY(!again.read(QLatin1String(AccessTokenKey))->has_value());
    QCOMPARE(**again.read(QLatin1String(ClientSecretKey)), QByteArray("file-secret"));
}

void tst_Session::fileStoreRefusesAReadableFile()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("secrets.json"));
    FileSecretStore store(path);
    QVERIFY(store.write(QLatin1String(AccessTokenKey), "t").ok());
    QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                    QFileDevice::ReadOther);
    const auto read = store.read(QLatin1String(AccessTokenKey));
    QVERIFY(!read.ok());
    QVERIFY(read.error().message.contains(QStringLiteral("chmod 600")));
}

void tst_Session::environmentTokenIsReadOnly()
{
    EnvironmentSecretStore store("env-token", std::make_unique<MemorySecretStore>());
    QCOMPARE(**store.read(QLatin1String(AccessTokenKey)), QByteArray("env-token"));
    QVERIFY(!store.write(QLatin1String(AccessTokenKey), "x").ok());
    QVERIFY(store.write(QLatin1String(ClientSecretKey), "s").ok());
    QCOMPARE(**store.read(QLatin1String(ClientSecretKey)), QByteArray("s"));
    QVERIFY(store.describe().contains(QLatin1String(AccessTokenEnvironment)));
}

void tst_Session::choiceWithoutKeychain()
{
    QTemporaryDir dir;
    SecretStoreOptions options;
    options.tryKeychain = false;
    auto choice = chooseSecretStore(options);
    QCOMPARE(choice.store->kind(), SecretStoreKind::Memory);
    options.allowFile = true;
    options.filePath = dir.filePath(QStringLiteral("s.json"));
    choice = chooseSecretStore(options);
    QCOMPARE(choice.store->kind(), SecretStoreKind::File);
    options.environmentToken = "ci-token";
    choice = chooseSecretStore(options);
    QCOMPARE(choice.store->kind(), SecretStoreKind::Environment);
    QCOMPARE(**choice.store->read(QLatin1String(AccessTokenKey)), QByteArray("ci-token"));
}

void tst_Session::analyticsTokenDrivesMarketData()
{
    // Market data goes with the Analytics Token when there is one; a 401 on it drops it (the
    // session stays Active) and the next call carries the daily token; a 401 on that one is
    // the session's.
    TestHttpServer server;
    server.handle("/v3/market-quote/ltp", [](const TestRequest &r) {
        if (r.header("authorization") == "Bearer analytics-old")
            return TestResponse::json(401, R"({"status":"error","errors":[{"error_code":)"
                                           R"("UDAPI100050","message":"Invalid token"}]})");
        return TestResponse::json(200, R"({"status":"success","data":{}})");
    });
    FixedClock clock(at("2026-12-03 10:00"));
    SessionManager session(clock);
    MarketDataTokens tokens(session);
    QCOMPARE(tokens.source(), MarketDataTokens::Source::None);
    session.activate(tokenIssuedAt(clock.now()));
    QCOMPARE(tokens.source(), MarketDataTokens::Source::Session);
    tokens.setAnalyticsToken("analytics-old");
    QCOMPARE(tokens.source(), MarketDataTokens::Source::Analytics);
    int rejected = 0;
    tokens.setOnAnalyticsRejected([&] { ++rejected; });

    net::HttpClient::Options options;
    options.tokens = &tokens;
    options.allowLoopbackHttp = true;
    net::HttpClient http(options);
    upstox::UpstoxClient client(http,
                                upstox::UpstoxUrls::fromBase(server.url().toString()).value());
    auto ltp = [&] {
        return waitFor<upstox::UpstoxResult<QJsonValue>>([&](QObject *context, auto done) {
            client.get(QStringLiteral("/v3/market-quote/ltp"), {}, context, done);
        });
    };
    auto first = ltp();
    QVERIFY(first && !first->ok());
    QCOMPARE(server.requests().last().header("authorization"), QByteArray("Bearer analytics-old"));
    QTRY_COMPARE(rejected, 1);
    QCOMPARE(tokens.source(), MarketDataTokens::Source::Session);
    QVERIFY(tokens.problem().contains(QStringLiteral("Analytics Token")));
    QCOMPARE(session.state(), SessionState::Active); // not the session's token
    tokens.tokenRejected("analytics-old");           // a late answer for the dropped token
    QCOMPARE(session.state(), SessionState::Active);

    auto second = ltp();
    QVERIFY(second && second->ok());
    QCOMPARE(server.requests().last().header("authorization"), QByteArray("Bearer token-one"));

    tokens.tokenRejected("token-one"); // the session's token: the session decides
    QTRY_COMPARE(session.state(), SessionState::Expired);
    QCOMPARE(tokens.source(), MarketDataTokens::Source::None);
    tokens.setAnalyticsToken("analytics-new");
    QCOMPARE(tokens.source(), MarketDataTokens::Source::Analytics);
    QVERIFY(tokens.problem().isEmpty());
}

void tst_Session::analyticsTokenCheckIsAboutThatToken()
{
    // checkAnalyticsToken sends the given token, not the provider's, and its 401 does not end
    // the session.
    TestHttpServer server;
    server.route("/v3/market-quote/ltp",
                 TestResponse::json(401, R"({"status":"error","errors":[{"error_code":)"
                                         R"("UDAPI100050","message":"Invalid token"}]})"));
    FixedClock clock(at("2026-12-03 10:00"));
    SessionManager session(clock);
    session.activate(tokenIssuedAt(clock.now()));
    net::HttpClient::Options options;
    options.tokens = &session;
    options.allowLoopbackHttp = true;
    net::HttpClient http(options);
    upstox::UpstoxClient client(http,
                                upstox::UpstoxUrls::fromBase(server.url().toString()).value());
    auto answer = waitFor<upstox::UpstoxResult<QJsonValue>>([&](QObject *context, auto done) {
        client.checkAnalyticsToken("candidate", context, done);
    });
    QVERIFY(answer && !answer->ok());
    QCOMPARE(answer->error().httpStatus, 401);
    const TestRequest &sent = server.requests().last();
    QCOMPARE(sent.header("authorization"), QByteArray("Bearer candidate"));
    QVERIFY(sent.target.contains("instrument_key=NSE_INDEX"));
    // A refusal would have been queued to the session before the answer was: it is in by now.
    QCoreApplication::processEvents();
    QCOMPARE(session.state(), SessionState::Active);
}

QTEST_GUILESS_MAIN(tst_Session)
#include "tst_session.moc"
