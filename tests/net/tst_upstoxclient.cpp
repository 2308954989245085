// The Upstox REST client: URLs (defaults, one base for the simulator, https only), the
// envelope, profile and funds into Money, every UDAPI code told in a trader's words, malformed
// answers, 401 reported to the token provider.

#include "NetTestSupport.h"
#include "TestHttpServer.h"
#include "broker/upstox/UpstoxClient.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace strikeline;
using namespace strikeline::upstox;
using namespace strikeline::testing;

namespace {

const QByteArray ProfileBody =
    R"({"status":"success","data":{"email":"trader@example.com","exchanges":["NSE","NFO","BSE"],)"
    R"("products":["D","I"],"broker":"UPSTOX","user_id":"AB1234","user_name":"A Trader",)"
    R"("order_types":["MARKET","LIMIT","SL","SL-M"],"user_type":"individual","poa":false,)"
    R"("is_active":true}})";

const QByteArray FundsBody =
    R"({"status":"success","data":{"equity":{"used_margin":1234.5,"payin_amount":0,)"
    R"("span_margin":1000.25,"adhoc_margin":0,"notional_cash":0,"available_margin":98765.43,)"
    R"("exposure_margin":234.25},"commodity":{"used_margin":0,"payin_amount":0,"span_margin":0,)"
    R"("adhoc_margin":0,"notional_cash":0,"available_margin":0,"exposure_margin":0}}})";

QByteArray errorBody(const char *code, const char *message)
{
    return QByteArray(R"({"status":"error","errors":[{"error_code":")") + code +
           R"(","message":")" + message + R"(","property_path":null,"invalid_value":null}]})";
}

struct Fixture
{
    TestHttpServer server;
    TestTokens tokens{"daily-token"};
    net::HttpClient http;
    UpstoxClient client;

    Fixture()
        : http([this] {
            net::HttpClient::Options o;
            o.tokens = &tokens;
            o.allowLoopbackHttp = true;
            o.retryBackoff = std::chrono::milliseconds(10);
            return o;
        }())
        , client(http, UpstoxUrls::fromBase(server.url().toString()).value())
    {}
};

} // namespace

class tst_UpstoxClient final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void defaultUrlsAreUpstoxs();
    void oneBaseForEverything();
    void environmentWinsOverSettings();
    void baseMustBeHttpsOrLoopback_data();
    void baseMustBeHttpsOrLoopback();
    void loginDialogUrl();
    void profile();
    void fundsIntoMoney();
    void moneyFromJson_data();
    void moneyFromJson();
    void errors_data();
    void errors();
    void everyKnownCodeHasItsOwnMessage();
    void malformedAnswers_data();
    void malformedAnswers();
    void unauthorizedReachesTheTokenProvider();
    void serverDownIsANetworkError();
    void postGoesToTheOrderHostWithJson();
};

void tst_UpstoxClient::defaultUrlsAreUpstoxs()
{
    // The defaults are Upstox's own hosts (the constants in UpstoxUrls.h); no request goes
    // there from a test: only the URLs are built here.
    const UpstoxUrls urls;
    const QString api = QLatin1String(UpstoxApiBase);
    QCOMPARE(urls.apiUrl(QStringLiteral("/v2/user/profile")).toString(),
             api + QStringLiteral("/v2/user/profile"));
    QCOMPARE(urls.orderUrl(QStringLiteral("/v3/order/place")).toString(),
             QLatin1String(UpstoxOrderBase) + QStringLiteral("/v3/order/place"));
    QCOMPARE(urls.feedUrl(QStringLiteral("/v3/feed/market-data-feed")).toString(),
             QLatin1String(UpstoxFeedBase) + QStringLiteral("/v3/feed/market-data-feed"));
    // Real Upstox: secure schemes, the feed on the api host, orders on a host of their own.
    QCOMPARE(urls.api.scheme(), QStringLiteral("https"));
    QCOMPARE(urls.order.scheme(), QStringLiteral("https"));
    QCOMPARE(urls.feed.scheme(), QStringLiteral("wss"));
    QCOMPARE(urls.feed.host(), urls.api.host());
    QVERIFY(urls.order.host() != urls.api.host());
    QVERIFY(!urls.isLoopbackHttp());
    QSettings settings(QSettings::IniFormat, QSettings::UserScope, QStringLiteral("none"));
    const auto fromNothing = UpstoxUrls::fromSettings(settings, QProcessEnvironment());
    QVERIFY(fromNothing.ok());
    QCOMPARE(fromNothing->api, urls.api);
}

void tst_UpstoxClient::oneBaseForEverything()
{
    const auto urls = UpstoxUrls::fromBase(QStringLiteral("http://127.0.0.1:8080/"));
    QVERIFY(urls.ok());
    QCOMPARE(urls->apiUrl(QStringLiteral("/v2/user/profile")).toString(),
             QStringLiteral("http://127.0.0.1:8080/v2/user/profile"));
    QCOMPARE(urls->orderUrl(QStringLiteral("/v3/order/place")).toString(),
             QStringLiteral("http://127.0.0.1:8080/v3/order/place"));
    QCOMPARE(urls->feedUrl(QStringLiteral("/v3/feed/market-data-feed")).toString(),
             QStringLiteral("ws://127.0.0.1:8080/v3/feed/market-data-feed"));
    QVERIFY(urls->isLoopbackHttp());
    const auto secure = UpstoxUrls::fromBase(QStringLiteral("https://upstox.example.net"));
    QVERIFY(secure.ok());
    QCOMPARE(secure->feed.scheme(), QStringLiteral("wss"));
}

void tst_UpstoxClient::environmentWinsOverSettings()
{
    QTemporaryDir dir;
    QSettings settings(dir.filePath(QStringLiteral("s.ini")), QSettings::IniFormat);
    settings.setValue(QLatin1String(SettingsBaseUrlKey), QStringLiteral("http://127.0.0.1:7000"));
    auto urls = UpstoxUrls::fromSettings(settings, QProcessEnvironment());
    QVERIFY(urls.ok());
    QCOMPARE(urls->api.port(), 7000);
    QProcessEnvironment environment;
    environment.insert(QLatin1String(EnvironmentBaseUrl), QStringLiteral("http://127.0.0.1:9000"));
    urls = UpstoxUrls::fromSettings(settings, environment);
    QVERIFY(urls.ok());
    QCOMPARE(urls->api.port(), 9000);
    QCOMPARE(urls->order.port(), 9000);
    QCOMPARE(urls->feed.port(), 9000);
    environment.insert(QLatin1String(EnvironmentBaseUrl), QStringLiteral("http://evil.example"));
    urls = UpstoxUrls::fromSettings(settings, environment);
    QVERIFY(!urls.ok());
    QVERIFY2(urls.error().message.startsWith(QLatin1String(EnvironmentBaseUrl)),
             qPrintable(urls.error().message));
}

void tst_UpstoxClient::baseMustBeHttpsOrLoopback_data()
{
    QTest::addColumn<QString>("base");
    QTest::addColumn<bool>("ok");
    QTest::newRow("https") << "https://broker.invalid" << true;
    QTest::newRow("loopback http") << "http://127.0.0.1:1" << true;
    QTest::newRow("localhost http") << "http://localhost:1" << true;
    QTest::newRow("ipv6 loopback") << "http://[::1]:1" << true;
    QTest::newRow("http to a host") << "http://broker.invalid" << false;
    QTest::newRow("http to the LAN") << "http://192.168.1.5:8080" << false;
    QTest::newRow("ftp") << "ftp://127.0.0.1" << false;
}

void tst_UpstoxClient::baseMustBeHttpsOrLoopback()
{
    QFETCH(QString, base);
    QFETCH(bool, ok);
    QCOMPARE(UpstoxUrls::fromBase(base).ok(), ok);
}

void tst_UpstoxClient::loginDialogUrl()
{
    const UpstoxUrls urls;
    const QString redirect = QStringLiteral("http://127.0.0.1:5151/upstox/callback?x=1&y=2");
    const QUrl url =
        urls.loginDialogUrl(QStringLiteral("my key"), redirect, QStringLiteral("s+t/a"));
    QCOMPARE(url.host(), urls.api.host());
    QCOMPARE(url.path(), QStringLiteral("/v2/login/authorization/dialog"));
    const QUrlQuery query(url);
    QCOMPARE(query.queryItemValue(QStringLiteral("response_type")), QStringLiteral("code"));
    QCOMPARE(query.queryItemValue(QStringLiteral("client_id"), QUrl::FullyDecoded),
             QStringLiteral("my key"));
    QCOMPARE(query.queryItemValue(QStringLiteral("redirect_uri"), QUrl::FullyDecoded), redirect);
    QCOMPARE(query.queryItemValue(QStringLiteral("state"), QUrl::FullyDecoded),
             QStringLiteral("s+t/a"));
    QVERIFY2(url.toEncoded().contains("redirect_uri=http%3A%2F%2F127.0.0.1%3A5151"),
             url.toEncoded().constData());
    QCOMPARE(urls.tokenUrl().toString(),
             QLatin1String(UpstoxApiBase) + QStringLiteral("/v2/login/authorization/token"));
}

void tst_UpstoxClient::profile()
{
    Fixture f;
    f.server.route("/v2/user/profile", TestResponse::json(200, ProfileBody));
    const auto profile = waitFor<UpstoxResult<UpstoxProfile>>(
        [&](QObject *context, auto done) { f.client.profile(context, done); });
    QVERIFY(profile && profile->ok());
    QCOMPARE(profile->value().userId, QStringLiteral("AB1234"));
    QCOMPARE(profile->value().userName, QStringLiteral("A Trader"));
    QCOMPARE(profile->value().exchanges,
             (QStringList{QStringLiteral("NSE"), QStringLiteral("NFO"), QStringLiteral("BSE")}));
    QCOMPARE(profile->value().orderTypes.size(), 4);
    QVERIFY(profile->value().isActive);
    QCOMPARE(f.server.requests().last().header("authorization"), QByteArray("Bearer daily-token"));
}

void tst_UpstoxClient::fundsIntoMoney()
{
    Fixture f;
    f.server.route("/v2/user/get-funds-and-margin", TestResponse::json(200, FundsBody));
    const auto funds = waitFor<UpstoxResult<UpstoxFunds>>(
        [&](QObject *context, auto done) { f.client.funds(context, done); });
    QVERIFY(funds && funds->ok());
    QCOMPARE(funds->value().equity.availableMargin, Money::fromPaise(9876543));
    QCOMPARE(funds->value().equity.usedMargin, Money::fromPaise(123450));
    QCOMPARE(funds->value().equity.spanMargin, Money::fromPaise(100025));
    QCOMPARE(funds->value().equity.exposureMargin, Money::fromPaise(23425));
    QVERIFY(funds->value().commodity.has_value());
    QCOMPARE(funds->value().commodity->availableMargin, Money());
}

void tst_UpstoxClient::moneyFromJson_data()
{
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<qint64>("raw");
    QTest::newRow("number") << QJsonValue(98765.43) << true << qint64(987654300);
    QTest::newRow("a tenth that is not exact in binary") << QJsonValue(0.1) << true << qint64(1000);
    QTest::newRow("negative") << QJsonValue(-12.5) << true << qint64(-125000);
    QTest::newRow("string") << QJsonValue(QStringLiteral("1500.05")) << true << qint64(15000500);
    QTest::newRow("bad string") << QJsonValue(QStringLiteral("lots")) << false << qint64(0);
    QTest::newRow("null") << QJsonValue(QJsonValue::Null) << false << qint64(0);
    QTest::newRow("huge") << QJsonValue(1e300) << false << qint64(0);
}

void tst_UpstoxClient::moneyFromJson()
{
    QFETCH(QJsonValue, value);
    QFETCH(bool, ok);
    QFETCH(qint64, raw);
    const auto money = upstox::moneyFromJson(value);
    QCOMPARE(money.has_value(), ok);
    if (ok)
        QCOMPARE(money->raw(), raw);
}

void tst_UpstoxClient::errors_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("says");
    using K = UpstoxErrorKind;
    QTest::newRow("token") << 401 << errorBody("UDAPI100050", "Invalid token used to access API")
                           << int(K::Token) << "log in again";
    QTest::newRow("401 with no body") << 401 << QByteArray() << int(K::Token) << "log in again";
    QTest::newRow("rate limit") << 429 << errorBody("UDAPI10005", "Too Many Request Sent")
                                << int(K::RateLimit) << "wait a moment";
    QTest::newRow("static ip") << 403 << errorBody("UDAPI1154", "Static IP not whitelisted")
                               << int(K::StaticIp) << "registered static IP";
    QTest::newRow("funds service hours")
        << 423 << errorBody("UDAPI100072", "The Funds service is accessible from 5:30 AM")
        << int(K::MarketClosed) << "5:30 AM to midnight";
    QTest::newRow("funds, by Upstox's text")
        << 400 << errorBody("UDAPI1999", "Insufficient funds to place the order") << int(K::Funds)
        << "Not enough funds";
    QTest::newRow("market closed, by Upstox's text")
        << 400 << errorBody("UDAPI1998", "Market is closed for the segment") << int(K::MarketClosed)
        << "closed";
    QTest::newRow("redirect uri") << 400 << errorBody("UDAPI100068", "Check your client_id")
                                  << int(K::Input) << "redirect URI";
    QTest::newRow("camelCase code")
        << 401 << QByteArray(R"({"status":"error","errors":[{"errorCode":"UDAPI100050"}]})")
        << int(K::Token) << "log in again";
    QTest::newRow("unknown code keeps Upstox's text")
        << 400 << errorBody("UDAPI4242", "Something odd") << int(K::Input) << "Something odd";
    QTest::newRow("a proxy's page")
        << 502 << QByteArray("<html>Bad Gateway</html>") << int(K::Server) << "HTTP 502";
    QTest::newRow("error inside a 200") << 200 << errorBody("UDAPI100500", "Something went wrong")
                                        << int(K::Server) << "internal error";
}

void tst_UpstoxClient::errors()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(int, kind);
    QFETCH(QString, says);
    Fixture f;
    f.server.route("/v2/user/profile", TestResponse::json(status, body));
    const auto profile = waitFor<UpstoxResult<UpstoxProfile>>(
        [&](QObject *context, auto done) { f.client.profile(context, done); });
    QVERIFY(profile && !profile->ok());
    const UpstoxError &error = profile->error();
    QCOMPARE(int(error.kind), kind);
    QCOMPARE(error.httpStatus, status);
    QVERIFY2(error.toString().contains(says), qPrintable(error.toString()));
    // Upstox's own words are always there too.
    const auto parsed = upstox::parseError(status, body);
    if (!parsed.upstoxMessage.isEmpty())
        QVERIFY(error.toString().contains(parsed.upstoxMessage));
}

void tst_UpstoxClient::everyKnownCodeHasItsOwnMessage()
{
    const char *codes[] = {
        "UDAPI100050", "UDAPI10005",  "UDAPI100067", "UDAPI100036", "UDAPI100038", "UDAPI100500",
        "UDAPI100068", "UDAPI100072", "UDAPI1026",   "UDAPI1052",   "UDAPI1118",   "UDAPI1154",
        "UDAPI1156",   "UDAPI1158",   "UDAPI1161",   "UDAPI1004",   "UDAPI1007",   "UDAPI1055",
        "UDAPI1056",   "UDAPI1023",   "UDAPI100010", "UDAPI100040", "UDAPI100049", "UDAPI1009",
        "UDAPI1011",   "UDAPI1087",   "UDAPI100043"};
    for (const char *code : codes) {
        const auto described = describeCode(QLatin1String(code));
        QVERIFY2(described.has_value(), code);
        QVERIFY(!described->second.isEmpty());
        QVERIFY2(!described->second.contains(QLatin1String("UDAPI")), code); // words, not codes
    }
    QVERIFY(!describeCode(QStringLiteral("UDAPI0")).has_value());
}

void tst_UpstoxClient::malformedAnswers_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("says");
    QTest::newRow("not JSON") << QByteArray("{\"status\":\"succ") << "not JSON";
    QTest::newRow("an array") << QByteArray("[1,2]") << "not JSON";
    QTest::newRow("no status") << QByteArray(R"({"data":{}})") << "status";
    QTest::newRow("no data") << QByteArray(R"({"status":"success"})") << "no \"data\"";
    QTest::newRow("profile without user_id")
        << QByteArray(R"({"status":"success","data":{"user_name":"x"}})") << "user_id";
}

void tst_UpstoxClient::malformedAnswers()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, says);
    Fixture f;
    f.server.route("/v2/user/profile", TestResponse::json(200, body));
    const auto profile = waitFor<UpstoxResult<UpstoxProfile>>(
        [&](QObject *context, auto done) { f.client.profile(context, done); });
    QVERIFY(profile && !profile->ok());
    QCOMPARE(profile->error().kind, UpstoxErrorKind::Malformed);
    QVERIFY2(profile->error().toString().contains(says), qPrintable(profile->error().toString()));

    f.server.route("/v2/user/get-funds-and-margin",
                   TestResponse::json(200, R"({"status":"success","data":{"equity":)"
                                           R"({"used_margin":"lots"}}})"));
    const auto funds = waitFor<UpstoxResult<UpstoxFunds>>(
        [&](QObject *context, auto done) { f.client.funds(context, done); });
    QVERIFY(funds && !funds->ok());
    QCOMPARE(funds->error().kind, UpstoxErrorKind::Malformed);
}

void tst_UpstoxClient::unauthorizedReachesTheTokenProvider()
{
    Fixture f;
    f.server.route("/v2/user/profile",
                   TestResponse::json(401, errorBody("UDAPI100050", "Invalid token")));
    const auto profile = waitFor<UpstoxResult<UpstoxProfile>>(
        [&](QObject *context, auto done) { f.client.profile(context, done); });
    QVERIFY(profile && !profile->ok());
    QCOMPARE(profile->error().kind, UpstoxErrorKind::Token);
    QCOMPARE(f.tokens.rejected(), QList<QByteArray>{"daily-token"});
}

void tst_UpstoxClient::serverDownIsANetworkError()
{
    Fixture f;
    f.server.close();
    const auto profile = waitFor<UpstoxResult<UpstoxProfile>>(
        [&](QObject *context, auto done) { f.client.profile(context, done); });
    QVERIFY(profile && !profile->ok());
    QCOMPARE(profile->error().kind, UpstoxErrorKind::Network);
    QVERIFY2(profile->error().toString().contains(QStringLiteral("could not be reached")),
             qPrintable(profile->error().toString()));
}

void tst_UpstoxClient::postGoesToTheOrderHostWithJson()
{
    Fixture f;
    f.server.route("/v3/order/place",
                   TestResponse::json(200, R"({"status":"success","data":{"order_ids":["1"]}})"));
    const auto placed = waitFor<UpstoxResult<QJsonValue>>([&](QObject *context, auto done) {
        f.client.post(QStringLiteral("/v3/order/place"),
                      QJsonObject{{QStringLiteral("quantity"), 75}}, context, done,
                      UpstoxHost::Order);
    });
    QVERIFY(placed && placed->ok());
    QCOMPARE(placed->value().toObject().value(QLatin1String("order_ids")).toArray().size(), 1);
    QCOMPARE(f.server.requests().last().body, QByteArray(R"({"quantity":75})"));
    QCOMPARE(f.server.requests().last().header("content-type"), QByteArray("application/json"));
}

QTEST_GUILESS_MAIN(tst_UpstoxClient)
#include "tst_upstoxclient.moc"
