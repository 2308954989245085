// The daily login: state from the system's random source and checked in constant time, a
// listener on 127.0.0.1 only, the token form, flat and wrapped answers, and every way it fails
// (wrong state, reused code, Upstox's error, no callback, cancel) ending in one failed signal.

#include "NetTestSupport.h"
#include "TestHttpServer.h"
#include "broker/upstox/UpstoxLogin.h"

#include <QNetworkAccessManager>
#include <QNetworkInterface>
#include <QNetworkReply>
#include <QSet>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

using namespace strikeline;
using namespace strikeline::upstox;
using namespace strikeline::testing;
using namespace std::chrono_literals;

namespace {

const QByteArray TokenBody =
    R"({"email":"trader@example.com","exchanges":["NSE","NFO"],"products":["D","I"],)"
    R"("broker":"UPSTOX","user_id":"AB1234","user_name":"A Trader","order_types":["MARKET"],)"
    R"("user_type":"individual","poa":false,"is_active":true,)"
    R"("access_token":"eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.daily","extended_token":null})";

// 2026-12-03 10:00 IST
IstMoment tenAm()
{
    return parseIstMoment(QStringLiteral("2026-12-03 10:00")).value();
}

// A fake Upstox token endpoint: checks the form like Upstox does and burns each code once.
struct FakeUpstox
{
    TestHttpServer server;
    QSet<QString> validCodes{QStringLiteral("good-code")};
    QSet<QString> usedCodes;
    QString redirectUri;
    QByteArray answer = TokenBody;

    FakeUpstox()
    {
        server.handle("/v2/login/authorization/token", [this](const TestRequest &r) {
            const QUrlQuery form = r.form();
            const QString code = form.queryItemValue(QStringLiteral("code"), QUrl::FullyDecoded);
            if (r.method != "POST" ||
                r.header("content-type") != "application/x-www-form-urlencoded" ||
                form.queryItemValue(QStringLiteral("grant_type")) !=
                    QLatin1String("authorization_code"))
                return TestResponse::json(400, error("UDAPI100036", "Invalid request"));
            if (form.queryItemValue(QStringLiteral("client_id")) != QLatin1String("my-key") ||
                form.queryItemValue(QStringLiteral("client_secret"), QUrl::FullyDecoded) !=
                    QLatin1String("s3cr+t/secret") ||
                form.queryItemValue(QStringLiteral("redirect_uri"), QUrl::FullyDecoded) !=
                    redirectUri)
                return TestResponse::json(
                    401, error("UDAPI100016", "Invalid Credentials: client_id or secret"));
            if (usedCodes.contains(code) || !validCodes.contains(code))
                return TestResponse::json(400, error("UDAPI100057", "Invalid Auth code"));
            usedCodes.insert(code); // single-use, even on failure
            return TestResponse::json(200, answer);
        });
    }

    static QByteArray error(const char *code, const char *message)
    {
        return QByteArray(R"({"status":"error","errors":[{"error_code":")") + code +
               R"(","message":")" + message + R"("}]})";
    }
};

struct Fixture
{
    FakeUpstox upstox;
    net::HttpClient http;
    FixedClock clock{tenAm()};

    Fixture()
        : http([] {
            net::HttpClient::Options o;
            o.allowLoopbackHttp = true;
            return o;
        }())
    {}

    UpstoxApp app(QString secret = QStringLiteral("s3cr+t/secret"))
    {
        return {QStringLiteral("my-key"), std::move(secret),
                QStringLiteral("http://127.0.0.1:0/upstox/callback")};
    }
    UpstoxUrls urls() { return UpstoxUrls::fromBase(upstox.server.url().toString()).value(); }
};

// What the browser does after the dialog: GET the redirect URI with Upstox's query.
int browserCallback(const QString &redirectUri, const QString &query)
{
    QNetworkAccessManager nam;
    QNetworkReply *reply = nam.get(QNetworkRequest(QUrl(redirectUri + u'?' + query)));
    QSignalSpy finished(reply, &QNetworkReply::finished);
    finished.wait(10000);
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    delete reply;
    return status;
}

QString stateOf(const QUrl &url)
{
    return QUrlQuery(url).queryItemValue(QStringLiteral("state"), QUrl::FullyDecoded);
}

} // namespace

class tst_UpstoxLogin final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void tokenExpiry_data();
    void tokenExpiry();
    void constantTimeEquals();
    void parsesFlatAndWrapped_data();
    void parsesFlatAndWrapped();
    void fullLogin();
    void stateIsRandomAndLong();
    void listensOnLoopbackOnly();
    void wrongState();
    void reusedCode();
    void wrongSecretShowsUpstoxsMessage();
    void upstoxSaysNoInTheCallback();
    void callbackNeverArrives();
    void cancel();
    void pastedCode();
    void otherPathsKeepWaiting();
    void redirectThatCannotBeListenedFor();
    void missingCredentials();
    void upstoxDown();
};

void tst_UpstoxLogin::initTestCase()
{
    qRegisterMetaType<UpstoxToken>();
    qRegisterMetaType<UpstoxError>();
}

void tst_UpstoxLogin::tokenExpiry_data()
{
    QTest::addColumn<QString>("issued");
    QTest::addColumn<QString>("expires");
    QTest::newRow("morning") << "2026-12-03 10:00"
                             << "2026-12-04 03:30";
    QTest::newRow("just before midnight") << "2026-12-03 23:59"
                                          << "2026-12-04 03:30";
    QTest::newRow("after midnight, before 03:30") << "2026-12-04 02:30"
                                                  << "2026-12-04 03:30";
    QTest::newRow("at 03:30") << "2026-12-04 03:30"
                              << "2026-12-05 03:30";
}

void tst_UpstoxLogin::tokenExpiry()
{
    QFETCH(QString, issued);
    QFETCH(QString, expires);
    QCOMPARE(upstox::tokenExpiry(parseIstMoment(issued).value()).epochMs,
             parseIstMoment(expires).value().epochMs);
}

void tst_UpstoxLogin::constantTimeEquals()
{
    QVERIFY(upstox::constantTimeEquals("abc", "abc"));
    QVERIFY(!upstox::constantTimeEquals("abc", "abd"));
    QVERIFY(!upstox::constantTimeEquals("abc", "ab"));
    QVERIFY(!upstox::constantTimeEquals("", "a"));
    QVERIFY(upstox::constantTimeEquals("", ""));
}

void tst_UpstoxLogin::parsesFlatAndWrapped_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("ok");
    QTest::newRow("flat (the docs)") << TokenBody << true;
    QTest::newRow("wrapped in data")
        << QByteArray(R"({"status":"success","data":)") + TokenBody + '}' << true;
    QTest::newRow("no access_token") << QByteArray(R"({"user_id":"AB1234"})") << false;
    QTest::newRow("not JSON") << QByteArray("<html>") << false;
    QTest::newRow("error body") << FakeUpstox::error("UDAPI100057", "Invalid Auth code") << false;
}

void tst_UpstoxLogin::parsesFlatAndWrapped()
{
    QFETCH(QByteArray, body);
    QFETCH(bool, ok);
    const auto token = parseTokenResponse(body, tenAm());
    QCOMPARE(token.ok(), ok);
    if (ok) {
        QCOMPARE(token->accessToken, QByteArray("eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.daily"));
        QCOMPARE(token->userId, QStringLiteral("AB1234"));
        QCOMPARE(token->expiresAt.epochMs,
                 parseIstMoment(QStringLiteral("2026-12-04 03:30"))->epochMs);
        QVERIFY(token->extendedToken.isEmpty());
    }
}

void tst_UpstoxLogin::fullLogin()
{
    Fixture f;
    UpstoxLogin login(f.http, f.urls(), f.app(), f.clock);
    QSignalSpy received(&login, &UpstoxLogin::callbackReceived);
    QSignalSpy succeeded(&login, &UpstoxLogin::succeeded);
    QSignalSpy failed(&login, &UpstoxLogin::failed);
    const auto url = login.start(10s);
    QVERIFY2(url.ok(), url.ok() ? "" : qPrintable(url.error().message));
    QVERIFY(login.listeningPort() != 0);
    f.upstox.redirectUri = login.redirectUri();
    QCOMPARE(login.redirectUri(),
             QStringLiteral("http://127.0.0.1:%1/upstox/callback").arg(login.listeningPort()));
    QCOMPARE(url->path(), QStringLiteral("/v2/login/authorization/dialog"));
    const QUrlQuery query(*url);
    QCOMPARE(query.queryItemValue(QStringLiteral("client_id")), QStringLiteral("my-key"));
    QCOMPARE(query.queryItemValue(QStringLiteral("redirect_uri"), QUrl::FullyDecoded),
             login.redirectUri());

    QCOMPARE(browserCallback(login.redirectUri(),
                             QStringLiteral("code=good-code&state=") + stateOf(*url)),
             200);
    QTRY_COMPARE(succeeded.size() + failed.size(), 1);
    QVERIFY2(failed.isEmpty(),
             failed.isEmpty() ? ""
                              : qPrintable(failed.first().first().value<UpstoxError>().toString()));
    QCOMPARE(received.size(), 1);
    const auto token = succeeded.first().first().value<UpstoxToken>();
    QCOMPARE(token.accessToken, QByteArray("eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.daily"));
    QCOMPARE(token.userName, QStringLiteral("A Trader"));
    QCOMPARE(token.expiresAt.epochMs, parseIstMoment(QStringLiteral("2026-12-04 03:30"))->epochMs);
    QVERIFY(!login.isListening()); // closed once the callback came
    QCOMPARE(f.upstox.server.count("/v2/login/authorization/token"), 1);
    // The token form carried no bearer.
    QVERIFY(!f.upstox.server.requests().last().headers.contains("authorization"));
}

void tst_UpstoxLogin::stateIsRandomAndLong()
{
    Fixture f;
    QSet<QString> states;
    for (int i = 0; i < 5; ++i) {
        UpstoxLogin login(f.http, f.urls(), f.app(), f.clock);
        const auto url = login.start(10s);
        QVERIFY(url.ok());
        const QString state = stateOf(*url);
        QCOMPARE(QByteArray::fromBase64(state.toLatin1(), QByteArray::Base64UrlEncoding).size(),
                 32);
        states.insert(state);
    }
    QCOMPARE(states.size(), 5);
}

void tst_UpstoxLogin::listensOnLoopbackOnly()
{
    Fixture f;
    UpstoxApp app = f.app();
    app.redirectUri = QStringLiteral("http://localhost:0/cb"); // localhost too binds 127.0.0.1
    UpstoxLogin login(f.http, f.urls(), app, f.clock);
    QVERIFY(login.start(10s).ok());
    QCOMPARE(login.listeningAddress(), QHostAddress(QHostAddress::LocalHost));

    // And it is not reachable on this machine's other addresses (QtNetworkAuth 6.4 would be).
    QHostAddress other;
    for (const QHostAddress &address : QNetworkInterface::allAddresses()) {
        if (!address.isLoopback() && address.protocol() == QAbstractSocket::IPv4Protocol) {
            other = address;
            break;
        }
    }
    if (other.isNull())
        QSKIP("this machine has no address but loopback");
    QTcpSocket probe;
    probe.connectToHost(other, login.listeningPort());
    QVERIFY(!probe.waitForConnected(3000));
    QTcpSocket loopback;
    loopback.connectToHost(QHostAddress::LocalHost, login.listeningPort());
    QVERIFY(loopback.waitForConnected(3000));
}

void tst_UpstoxLogin::wrongState()
{
    Fixture f;
    UpstoxLogin login(f.http, f.urls(), f.app(), f.clock);
    QSignalSpy succeeded(&login, &UpstoxLogin::succeeded);
    QSignalSpy failed(&login, &UpstoxLogin::failed);
    const auto url = login.start(10s);
    QVERIFY(url.ok());
    QString forged = stateOf(*url);
    forged[0] = forged[0] == u'A' ? u'B' : u'A';
    QCOMPARE(browserCallback(login.redirectUri(), QStringLiteral("code=good-code&state=") + forged),
             400);
    QTRY_COMPARE(failed.size(), 1);
    QVERIFY(succeeded.isEmpty());
    QVERIFY(failed.first().first().value<UpstoxError>().toString().contains(
        QStringLiteral("state does not match")));
    QCOMPARE(f.upstox.server.count("/v2/login/authorization/token"), 0); // the code was not used
    QVERIFY(!login.isListening());
}

void tst_UpstoxLogin::reusedCode()
{
    Fixture f;
    f.upstox.usedCodes.insert(QStringLiteral("good-code"));
    UpstoxLogin login(f.http, f.urls(), f.app(), f.clock);
    QSignalSpy failed(&login, &UpstoxLogin::failed);
    const auto url = login.start(10s);
    QVERIFY(url.ok());
    f.upstox.redirectUri = login.redirectUri();
    browserCallback(login.redirectUri(), QStringLiteral("code=good-code&state=") + stateOf(*url));
    QTRY_COMPARE(failed.size(), 1);
    const auto error = failed.first().first().value<UpstoxError>();
    QCOMPARE(error.code, QStringLiteral("UDAPI100057"));
    QVERIFY2(error.toString().contains(QStringLiteral("Invalid Auth code")),
             qPrintable(error.toString()));
}

void tst_UpstoxLogin::wrongSecretShowsUpstoxsMessage()
{
    Fixture f;
    UpstoxLogin login(f.http, f.urls(), f.app(QStringLiteral("wrong")), f.clock);
    QSignalSpy failed(&login, &UpstoxLogin::failed);
    const auto url = login.start(10s);
    QVERIFY(url.ok());
    f.upstox.redirectUri = login.redirectUri();
    browserCallback(login.redirectUri(), QStringLiteral("code=good-code&state=") + stateOf(*url));
    QTRY_COMPARE(failed.size(), 1);
    const auto error = failed.first().first().value<UpstoxError>();
    QCOMPARE(error.httpStatus, 401);
    QVERIFY2(error.toString().contains(QStringLiteral("Invalid Credentials")),
             qPrintable(error.toString()));
}

void tst_UpstoxLogin::upstoxSaysNoInTheCallback()
{
    Fixture f;
    UpstoxLogin login(f.http, f.urls(), f.app(), f.clock);
    QSignalSpy failed(&login, &UpstoxLogin::failed);
    const auto url = login.start(10s);
    QVERIFY(url.ok());
    browserCallback(login.redirectUri(),
                    QStringLiteral("error=access_denied&error_description=User%20denied&state=") +
                        stateOf(*url));
    QTRY_COMPARE(failed.size(), 1);
    const auto error = failed.first().first().value<UpstoxError>();
    QVERIFY2(error.toString().contains(QStringLiteral("User denied")),
             qPrintable(error.toString()));
    QCOMPARE(f.upstox.server.count("/v2/login/authorization/token"), 0);
}

void tst_UpstoxLogin::callbackNeverArrives()
{
    Fixture f;
    UpstoxLogin login(f.http, f.urls(), f.app(), f.clock);
    QSignalSpy failed(&login, &UpstoxLogin::failed);
    QVERIFY(login.start(300ms).ok());
    QVERIFY(failed.wait(10000));
    QCOMPARE(failed.size(), 1);
    QVERIFY(
        failed.first().first().value<UpstoxError>().toString().contains(QStringLiteral("in time")));
    QVERIFY(!login.isListening());
}

void tst_UpstoxLogin::cancel()
{
    Fixture f;
    UpstoxLogin login(f.http, f.urls(), f.app(), f.clock);
    QSignalSpy failed(&login, &UpstoxLogin::failed);
    QVERIFY(login.start(10s).ok());
    login.cancel();
    QCOMPARE(failed.size(), 1);
    QCOMPARE(failed.first().first().value<UpstoxError>().kind, UpstoxErrorKind::Cancelled);
    QVERIFY(!login.isListening());

    // Cancel while the token request hangs: it is aborted, the login ends.
    f.upstox.server.route("/v2/login/authorization/token", TestResponse::silent());
    UpstoxLogin hanging(f.http, f.urls(), f.app(), f.clock);
    QSignalSpy hangingFailed(&hanging, &UpstoxLogin::failed);
    hanging.exchangeCode(QStringLiteral("good-code"));
    QTRY_COMPARE(f.upstox.server.count("/v2/login/authorization/token"), 1);
    hanging.cancel();
    QTRY_COMPARE(hangingFailed.size(), 1);
    QCOMPARE(hangingFailed.first().first().value<UpstoxError>().kind, UpstoxErrorKind::Cancelled);
}

void tst_UpstoxLogin::pastedCode()
{
    Fixture f;
    UpstoxApp app = f.app();
    app.redirectUri = QStringLiteral("https://example.com/my-registered-callback");
    f.upstox.redirectUri = app.redirectUri;
    UpstoxLogin login(f.http, f.urls(), app, f.clock);
    QSignalSpy succeeded(&login, &UpstoxLogin::succeeded);
    login.exchangeCode(QStringLiteral(" good-code\n"));
    QTRY_COMPARE(succeeded.size(), 1);
}

void tst_UpstoxLogin::otherPathsKeepWaiting()
{
    Fixture f;
    UpstoxLogin login(f.http, f.urls(), f.app(), f.clock);
    QSignalSpy failed(&login, &UpstoxLogin::failed);
    QSignalSpy succeeded(&login, &UpstoxLogin::succeeded);
    const auto url = login.start(10s);
    QVERIFY(url.ok());
    f.upstox.redirectUri = login.redirectUri();
    const QString root = QStringLiteral("http://127.0.0.1:%1").arg(login.listeningPort());
    QCOMPARE(browserCallback(root + QStringLiteral("/favicon.ico"), {}), 404);
    QVERIFY(login.isListening());
    QVERIFY(failed.isEmpty());
    browserCallback(login.redirectUri(), QStringLiteral("code=good-code&state=") + stateOf(*url));
    QTRY_COMPARE(succeeded.size(), 1);
}

void tst_UpstoxLogin::redirectThatCannotBeListenedFor()
{
    Fixture f;
    UpstoxApp app = f.app();
    app.redirectUri = QStringLiteral("https://example.com/callback");
    UpstoxLogin login(f.http, f.urls(), app, f.clock);
    const auto url = login.start(10s);
    QVERIFY(!url.ok());
    QVERIFY(url.error().message.contains(QStringLiteral("--code")));
    app.redirectUri = QStringLiteral("http://0.0.0.0:5151/callback"); // every interface: never
    UpstoxLogin everywhere(f.http, f.urls(), app, f.clock);
    QVERIFY(!everywhere.start(10s).ok());
}

void tst_UpstoxLogin::missingCredentials()
{
    Fixture f;
    UpstoxLogin login(f.http, f.urls(), f.app(QString()), f.clock);
    const auto url = login.start(10s);
    QVERIFY(!url.ok());
    QCOMPARE(url.error().code, ErrorCode::InvalidArgument);
}

void tst_UpstoxLogin::upstoxDown()
{
    Fixture f;
    const UpstoxUrls urls = f.urls();
    f.upstox.server.close();
    UpstoxLogin login(f.http, urls, f.app(), f.clock);
    QSignalSpy failed(&login, &UpstoxLogin::failed);
    login.exchangeCode(QStringLiteral("good-code"));
    QTRY_COMPARE(failed.size(), 1);
    QCOMPARE(failed.first().first().value<UpstoxError>().kind, UpstoxErrorKind::Network);
}

QTEST_GUILESS_MAIN(tst_UpstoxLogin)
#include "tst_upstoxlogin.moc"
