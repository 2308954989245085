// strikeline-cli trading through Upstox, against the real simulator process: order --live,
// orders --live (reconciled with the broker's book: orders placed in Upstox's app appear as
// external), modify, cancel and cancel --all (paper orders of an earlier run too), positions
// --live and funds; a place whose answer is lost is found by its tag and never sent twice; no
// session means nothing is sent, a refused token says "log in again". What the CLI says is
// checked against the simulator's own book over its REST API.

#undef QT_NO_CAST_FROM_ASCII

#include "CliProcess.h"
#include "SimProcess.h"
#include "SimSession.h"
#include "TestData.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcess>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

#include <cmath>
#include <memory>

using strikeline::testing::CliRun;
using strikeline::testing::finished;
using strikeline::testing::runCli;

namespace {

constexpr auto At = "2026-08-21 10:00";
const QString Call = QStringLiteral("NSE_FO|59047"); // BANKNIFTY 56300 CE 25 AUG 26, lot 30

} // namespace

class tst_CliLive final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void placeListModifyCancel();
    void marketOrderFillsAndShowsInPositions();
    void orderPlacedInUpstoxAppIsExternal();
    void lostAnswerIsFoundByTagNeverSentTwice();
    void cancelAllCancelsLiveAndEarlierPaperOrders();
    void withoutSessionNothingIsSent();
    void serveTakesOrdersOverHttp();
    void killedWithOrdersInFlightEveryOrderOnce();
    void rateLimitBurstLosesNothing();
    void haltCancelAllTakesRiskOff();
    void usageErrors();

private:
    CliRun cli(const QStringList &args, const QString &token = QStringLiteral("(session)"));
    QStringList common() const;
    // GET on the simulator with the session token: the `data` of its envelope.
    QJsonValue simGet(const QString &path, const QUrlQuery &query = {});
    // A limit price that rests (below the market, within the band), as text.
    QString restingBuyPrice();
    QJsonArray brokerOrdersTagged(const QString &tag);
    // `serve --orders --live` on the simulator, up and listening: its API base URL (".../api/v1/")
    // and token, or empty on failure (the test then fails on it).
    std::pair<QString, QByteArray> startServe(QProcess &server);
    // POSTs a live resting buy of one lot tagged `tag` to a server; the reply is the caller's.
    static QNetworkReply *postLive(QNetworkAccessManager &nam, const QString &base,
                                   const QByteArray &bearer, const QString &tag,
                                   const QString &price);

    std::unique_ptr<QTemporaryDir> m_home;
    strikeline::testing::SimProcess m_sim;
    QString m_master;
    QByteArray m_token;
};

void tst_CliLive::init()
{
    STRIKELINE_REQUIRE_REAL_FILE(master, "fixture-NSE_FO-subset-2026-08-21.json");
    m_master = master;
    m_home = std::make_unique<QTemporaryDir>();
    QVERIFY(m_home->isValid());
    QVERIFY2(m_sim.start(m_master), qPrintable(m_sim.errorString()));
    m_token = strikeline::testing::simLogin(m_sim.url());
    QVERIFY(!m_token.isEmpty());
}

void tst_CliLive::cleanup()
{
    m_sim.stop();
}

CliRun tst_CliLive::cli(const QStringList &args, const QString &token)
{
    QMap<QString, QString> env{
        {QStringLiteral("STRIKELINE_UPSTOX_URL"), m_sim.baseUrl()},
        {QStringLiteral("STRIKELINE_KEYCHAIN"), QStringLiteral("off")},
        {QStringLiteral("UPSTOX_ANALYTICS_TOKEN"), QString()},
        {QStringLiteral("UPSTOX_ACCESS_TOKEN"),
         token == QLatin1String("(session)") ? QString::fromLatin1(m_token) : token},
    };
    return runCli(m_home->path(), args, 120000, env);
}

QStringList tst_CliLive::common() const
{
    return {
        QStringLiteral("--master"), m_master,
        QStringLiteral("--at"),     QString::fromLatin1(At),
        QStringLiteral("--db"),     QStringLiteral("sqlite://") + m_home->filePath("orders.db")};
}

QJsonValue tst_CliLive::simGet(const QString &path, const QUrlQuery &query)
{
    QUrl url = m_sim.url().resolved(QUrl(path));
    url.setQuery(query);
    QNetworkRequest request(url);
    request.setRawHeader("Authorization", "Bearer " + m_token);
    QNetworkAccessManager nam;
    const auto reply = finished(nam.get(request));
    return QJsonDocument::fromJson(reply->readAll()).object().value(QLatin1String("data"));
}

QString tst_CliLive::restingBuyPrice()
{
    const QJsonObject quotes =
        simGet(QStringLiteral("/v2/market-quote/quotes"), QUrlQuery{{"instrument_key", Call}})
            .toObject();
    if (quotes.isEmpty())
        return {};
    const QJsonObject q = quotes.begin()->toObject();
    const double ltp = q.value(QLatin1String("last_price")).toDouble();
    const double lower = q.value(QLatin1String("lower_circuit_limit")).toDouble();
    const double price = std::max(lower + 1.0, std::floor(ltp * 0.8));
    return QString::number(price, 'f', 2);
}

QJsonArray tst_CliLive::brokerOrdersTagged(const QString &tag)
{
    // The order history by tag: every state of every order with it, oldest first.
    QJsonArray orders;
    QStringList seen;
    for (const QJsonValue &v :
         simGet(QStringLiteral("/v2/order/history"), QUrlQuery{{"tag", tag}}).toArray()) {
        const QString id = v.toObject().value(QLatin1String("order_id")).toString();
        if (!seen.contains(id)) {
            seen << id;
            orders.append(v);
        }
    }
    return orders;
}

std::pair<QString, QByteArray> tst_CliLive::startServe(QProcess &server)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("XDG_DATA_HOME", m_home->filePath("data"));
    env.insert("XDG_CONFIG_HOME", m_home->filePath("config"));
    env.insert("STRIKELINE_UPSTOX_URL", m_sim.baseUrl());
    env.insert("STRIKELINE_KEYCHAIN", "off");
    env.insert("UPSTOX_ACCESS_TOKEN", QString::fromLatin1(m_token));
    env.remove("UPSTOX_ANALYTICS_TOKEN");
    server.setProcessEnvironment(env);
    server.start(QStringLiteral(STRIKELINE_CLI_PATH),
                 QStringList{"serve", "--port", "0", "--orders", "--live"} + common());
    if (!server.waitForStarted())
        return {};
    QByteArray out;
    const QRegularExpression urlLine("API: (http://127\\.0\\.0\\.1:\\d+/api/v1/)");
    const QRegularExpression tokenLine("Token file: (\\S+)");
    QRegularExpressionMatch url;
    QRegularExpressionMatch token;
    while (!(url = urlLine.match(QString::fromUtf8(out))).hasMatch() ||
           !(token = tokenLine.match(QString::fromUtf8(out))).hasMatch() ||
           !out.contains("Orders: journal")) {
        if (!server.waitForReadyRead(60000)) {
            qWarning("serve: %s", server.readAllStandardError().constData());
            return {};
        }
        out += server.readAllStandardOutput();
    }
    if (!out.contains("LIVE through Upstox"))
        return {};
    QFile tokenFile(token.captured(1));
    if (!tokenFile.open(QIODevice::ReadOnly))
        return {};
    return {url.captured(1), tokenFile.readAll().trimmed()};
}

QNetworkReply *tst_CliLive::postLive(QNetworkAccessManager &nam, const QString &base,
                                     const QByteArray &bearer, const QString &tag,
                                     const QString &price)
{
    QNetworkRequest request(QUrl(base + "orders"));
    request.setRawHeader("Authorization", "Bearer " + bearer);
    request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
    return nam.post(request, QJsonDocument(QJsonObject{{"key", Call},
                                                       {"side", "buy"},
                                                       {"qty", 30},
                                                       {"price", price.toDouble()},
                                                       {"tag", tag},
                                                       {"live", true}})
                                 .toJson());
}

void tst_CliLive::placeListModifyCancel()
{
    const QString price = restingBuyPrice();
    QVERIFY(!price.isEmpty());
    const CliRun placed =
        cli(QStringList{"order", "--live", "--key", Call, "--side", "buy", "--qty", "60", "--type",
                        "limit", "--price", price, "--tag", "LV1", "--json"} +
            common());
    QVERIFY2(placed.exitCode == 0, placed.err.constData());
    const QJsonObject a = placed.json();
    QCOMPARE(a.value("venue").toString(), QStringLiteral("upstox"));
    QCOMPARE(a.value("simulated").toBool(), false);
    QCOMPARE(a.value("status").toString(), QStringLiteral("acknowledged"));
    const QString brokerId = a.value("broker_order_ids").toArray().first().toString();
    QVERIFY(!brokerId.isEmpty());
    QCOMPARE(brokerOrdersTagged("LV1").size(), 1);

    const CliRun listed = cli(QStringList{"orders", "--live", "--json"} + common());
    QVERIFY2(listed.exitCode == 0, listed.err.constData());
    QCOMPARE(listed.json().value("reconciled").toBool(), true);
    const QJsonArray orders = listed.json().value("orders").toArray();
    QCOMPARE(orders.size(), 1);
    QCOMPARE(orders.first().toObject().value("client_order_id").toString(), QStringLiteral("LV1"));
    QCOMPARE(orders.first().toObject().value("broker_status").toString(), QStringLiteral("open"));
    // The paper list does not mix them in.
    const CliRun paper = cli(QStringList{"orders", "--json"} + common());
    QVERIFY2(paper.exitCode == 0, paper.err.constData());
    QVERIFY(paper.json().value("orders").toArray().isEmpty());

    const QString newPrice = QString::number(price.toDouble() - 5.0, 'f', 2);
    const CliRun modified =
        cli(QStringList{"modify", "LV1", "--price", newPrice, "--qty", "90", "--json"} + common());
    QVERIFY2(modified.exitCode == 0, QByteArray(modified.out + modified.err).constData());
    QCOMPARE(modified.json().value("price").toDouble(), newPrice.toDouble());
    QCOMPARE(modified.json().value("quantity").toInteger(), 90);
    const QJsonObject atBroker =
        simGet(QStringLiteral("/v2/order/details"), QUrlQuery{{"order_id", brokerId}}).toObject();
    QCOMPARE(atBroker.value("price").toDouble(), newPrice.toDouble());
    QCOMPARE(atBroker.value("quantity").toInteger(), 90);

    // A modification the checks refuse is not sent: the order is as it was.
    const CliRun refused = cli(QStringList{"modify", "LV1", "--qty", "100"} + common());
    QCOMPARE(refused.exitCode, 3);
    QVERIFY2(refused.out.contains("REFUSED"), refused.out.constData());

    const CliRun cancelled = cli(QStringList{"cancel", "LV1"} + common());
    QVERIFY2(cancelled.exitCode == 0, QByteArray(cancelled.out + cancelled.err).constData());
    QVERIFY(cancelled.out.startsWith("CANCELLED"));
    QCOMPARE(simGet(QStringLiteral("/v2/order/details"), QUrlQuery{{"order_id", brokerId}})
                 .toObject()
                 .value("status")
                 .toString(),
             QStringLiteral("cancelled"));
    // Nothing left to cancel: said so, exit 1, nothing sent.
    const CliRun again = cli(QStringList{"cancel", "LV1"} + common());
    QCOMPARE(again.exitCode, 1);
    QVERIFY2(again.err.contains("nothing to cancel"), again.err.constData());
    const CliRun unknown = cli(QStringList{"cancel", "NOPE"} + common());
    QCOMPARE(unknown.exitCode, 1);
    QVERIFY2(unknown.err.contains("no order NOPE today"), unknown.err.constData());
}

void tst_CliLive::marketOrderFillsAndShowsInPositions()
{
    const CliRun placed =
        cli(QStringList{"order", "--live", "--key", Call, "--side", "buy", "--qty", "30", "--type",
                        "market", "--tag", "MK1", "--json"} +
            common());
    QVERIFY2(placed.exitCode == 0, placed.err.constData());
    QCOMPARE(placed.json().value("status").toString(), QStringLiteral("filled"));
    QCOMPARE(placed.json().value("filled_quantity").toInteger(), 30);
    QVERIFY(placed.json().value("average_price").toDouble() > 0);

    const CliRun positions = cli({"positions", "--live", "--json"});
    QVERIFY2(positions.exitCode == 0, positions.err.constData());
    const QJsonArray rows = positions.json().value("positions").toArray();
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows.first().toObject().value("instrument_key").toString(), Call);
    QCOMPARE(rows.first().toObject().value("quantity").toInteger(), 30);
    QCOMPARE(rows.first().toObject().value("simulated").toBool(), false);
    // Paper positions are their own: none here.
    const CliRun paper = cli(QStringList{"positions", "--json"} + common());
    QVERIFY2(paper.exitCode == 0, paper.err.constData());
    QVERIFY(paper.json().value("positions").toArray().isEmpty());

    const CliRun funds = cli({"funds", "--json"});
    QVERIFY2(funds.exitCode == 0, funds.err.constData());
    const QJsonObject equity = funds.json().value("equity").toObject();
    QVERIFY(equity.value("available_margin").toDouble() > 0);
    QVERIFY(equity.value("used_margin").toDouble() > 0); // the premium paid
    const CliRun text = cli({"funds"});
    QVERIFY2(text.out.contains("available Rs"), text.out.constData());
}

void tst_CliLive::orderPlacedInUpstoxAppIsExternal()
{
    // Placed "in Upstox's app": straight at the simulator, with a tag we never issued.
    QNetworkAccessManager nam;
    QNetworkRequest request(m_sim.url().resolved(QUrl(QStringLiteral("/v3/order/place"))));
    request.setRawHeader("Authorization", "Bearer " + m_token);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    const QJsonObject body{{"instrument_token", Call},
                           {"quantity", 30},
                           {"product", "D"},
                           {"validity", "DAY"},
                           {"price", 0},
                           {"tag", "APP"},
                           {"order_type", "MARKET"},
                           {"transaction_type", "BUY"},
                           {"disclosed_quantity", 0},
                           {"trigger_price", 0},
                           {"is_amo", false},
                           {"slice", false},
                           {"market_protection", -1}};
    const auto reply = finished(nam.post(request, QJsonDocument(body).toJson()));
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);

    const CliRun listed = cli(QStringList{"orders", "--live", "--json"} + common());
    QVERIFY2(listed.exitCode == 0, listed.err.constData());
    const QJsonArray orders = listed.json().value("orders").toArray();
    QCOMPARE(orders.size(), 1);
    const QJsonObject o = orders.first().toObject();
    QCOMPARE(o.value("external").toBool(), true);
    QVERIFY(o.value("client_order_id").toString().startsWith(QLatin1String("EX")));
    QCOMPARE(o.value("status").toString(), QStringLiteral("filled"));
    // Known from now on: the next run finds it in the journal, not twice.
    const CliRun again = cli(QStringList{"orders", "--live", "--json"} + common());
    QCOMPARE(again.json().value("orders").toArray().size(), 1);
}

void tst_CliLive::lostAnswerIsFoundByTagNeverSentTwice()
{
    const QString price = restingBuyPrice();
    QVERIFY(strikeline::testing::simFault(m_sim.url(), QStringLiteral("drop-after-place")));
    const CliRun placed =
        cli(QStringList{"order", "--live", "--key", Call, "--side", "buy", "--qty", "60", "--type",
                        "limit", "--price", price, "--tag", "AMB", "--json"} +
            common());
    QVERIFY(strikeline::testing::simFault(m_sim.url(), QStringLiteral("clear")));
    QVERIFY2(placed.exitCode == 0, QByteArray(placed.out + placed.err).constData());
    QCOMPARE(placed.json().value("status").toString(), QStringLiteral("acknowledged"));
    QVERIFY2(placed.json().value("reason").toString().contains(QLatin1String("found at the broker "
                                                                             "by its tag")),
             placed.out.constData());
    QCOMPARE(brokerOrdersTagged("AMB").size(), 1);
    // The same tag again places nothing, whatever the network does.
    const CliRun duplicate =
        cli(QStringList{"order", "--live", "--key", Call, "--side", "buy", "--qty", "60", "--type",
                        "limit", "--price", price, "--tag", "AMB"} +
            common());
    QCOMPARE(duplicate.exitCode, 4);
    QCOMPARE(brokerOrdersTagged("AMB").size(), 1);
}

void tst_CliLive::cancelAllCancelsLiveAndEarlierPaperOrders()
{
    const QString price = restingBuyPrice();
    // A paper order that rests, from one run...
    const CliRun paper =
        cli(QStringList{"order", "--paper", "--key", Call, "--side", "buy", "--qty", "30", "--type",
                        "limit", "--price", "1", "--tag", "PP1"} +
            common());
    QVERIFY2(paper.exitCode == 0, QByteArray(paper.out + paper.err).constData());
    // ...modified by the next (the paper broker gets its working orders back from the journal)
    const CliRun paperModified =
        cli(QStringList{"modify", "PP1", "--price", "2", "--json"} + common());
    QVERIFY2(paperModified.exitCode == 0,
             QByteArray(paperModified.out + paperModified.err).constData());
    QCOMPARE(paperModified.json().value("price").toDouble(), 2.0);
    // ...and two live ones.
    for (const char *tag : {"CA1", "CA2"}) {
        const CliRun live = cli(QStringList{"order", "--live", "--key", Call, "--side", "buy",
                                            "--qty", "30", "--type", "limit", "--price", price,
                                            "--tag", QString::fromLatin1(tag)} +
                                common());
        QVERIFY2(live.exitCode == 0, QByteArray(live.out + live.err).constData());
    }
    const CliRun all = cli(QStringList{"cancel", "--all", "--json"} + common());
    QVERIFY2(all.exitCode == 0, QByteArray(all.out + all.err).constData());
    QCOMPARE(all.json().value("asked").toInteger(), 3);
    for (const QJsonValue &o : all.json().value("orders").toArray())
        QCOMPARE(o.toObject().value("status").toString(), QStringLiteral("cancelled"));
    for (const char *tag : {"CA1", "CA2"}) {
        const QJsonArray atBroker = brokerOrdersTagged(QString::fromLatin1(tag));
        QCOMPARE(atBroker.size(), 1);
        const QString id = atBroker.first().toObject().value("order_id").toString();
        QCOMPARE(simGet(QStringLiteral("/v2/order/details"), QUrlQuery{{"order_id", id}})
                     .toObject()
                     .value("status")
                     .toString(),
                 QStringLiteral("cancelled"));
    }
    const CliRun none = cli(QStringList{"cancel", "--all"} + common());
    QCOMPARE(none.exitCode, 0);
    QVERIFY(none.out.contains("No working orders"));
}

void tst_CliLive::withoutSessionNothingIsSent()
{
    const QStringList order{"order", "--live", "--key",  Call,     "--side", "buy",
                            "--qty", "30",     "--type", "market", "--tag",  "NS1"};
    const CliRun noSession = cli(order + common(), QString());
    QCOMPARE(noSession.exitCode, 1);
    QVERIFY2(noSession.err.contains("not logged in to Upstox"), noSession.err.constData());
    QVERIFY(!QFileInfo::exists(m_home->filePath("orders.db"))); // nothing opened
    QCOMPARE(cli({"funds"}, QString()).exitCode, 1);
    QCOMPARE(cli({"positions", "--live"}, QString()).exitCode, 1);

    // A token Upstox refuses: the order is refused (not sent again), and the message says what
    // to do; the secret never shows.
    const QString bogus = QStringLiteral("not-a-real-token-123456");
    const CliRun refused = cli(order + common(), bogus);
    QCOMPARE(refused.exitCode, 3);
    QVERIFY2(refused.out.contains("log in again"), refused.out.constData());
    QVERIFY(!refused.out.contains(bogus.toUtf8()) && !refused.err.contains(bogus.toUtf8()));
    QCOMPARE(brokerOrdersTagged("NS1").size(), 0);
    const CliRun funds = cli({"funds"}, bogus);
    QCOMPARE(funds.exitCode, 1);
    QVERIFY2(funds.err.contains("log in again"), funds.err.constData());
    const CliRun listed = cli(QStringList{"orders", "--live"} + common(), bogus);
    QCOMPARE(listed.exitCode, 1);
    QVERIFY2(listed.err.contains("not reconciled"), listed.err.constData());
}

// `serve --orders --live`: a script's orders over HTTP, paper by default and live when it says
// so, through the same desk as `order`; Upstox's funds; what it placed is in the journal for the
// next command.
void tst_CliLive::serveTakesOrdersOverHttp()
{
    QProcess server;
    const auto [base, bearer] = startServe(server);
    QVERIFY(!base.isEmpty());
    QNetworkAccessManager nam;
    const auto call = [&](const QByteArray &verb, const QString &path, const QJsonObject &body) {
        QNetworkRequest request(QUrl(base + path));
        request.setRawHeader("Authorization", "Bearer " + bearer);
        request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
        const auto reply = finished(nam.sendCustomRequest(
            request, verb, body.isEmpty() ? QByteArray() : QJsonDocument(body).toJson()));
        return std::pair{reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(),
                         QJsonDocument::fromJson(reply->readAll()).object()};
    };
    const QString price = restingBuyPrice();
    const auto [paperStatus, paper] =
        call("POST", "orders",
             {{"key", Call}, {"side", "buy"}, {"qty", 30}, {"price", 1}, {"tag", "SRVP"}});
    QCOMPARE(paperStatus, 201);
    QCOMPARE(paper.value("order").toObject().value("venue").toString(), QStringLiteral("paper"));
    const auto [liveStatus, live] = call("POST", "orders",
                                         {{"key", Call},
                                          {"side", "buy"},
                                          {"qty", 30},
                                          {"price", price.toDouble()},
                                          {"tag", "SRVL"},
                                          {"live", true}});
    QCOMPARE(liveStatus, 201);
    QCOMPARE(live.value("order").toObject().value("venue").toString(), QStringLiteral("upstox"));
    // The portfolio stream runs in serve: the order's state arrives without asking.
    QTRY_COMPARE_WITH_TIMEOUT(
        call("GET", "orders/SRVL", {}).second.value("order").toObject().value("status").toString(),
        QStringLiteral("acknowledged"), 15000);
    QCOMPARE(brokerOrdersTagged("SRVL").size(), 1);
    const auto [fundsStatus, funds] = call("GET", "funds", {});
    QCOMPARE(fundsStatus, 200);
    QVERIFY(funds.value("equity").toObject().value("available_margin").toDouble() > 0);
    const auto [cancelStatus, cancelled] = call("DELETE", "orders/SRVL", {});
    QCOMPARE(cancelStatus, 202);
    QTRY_COMPARE_WITH_TIMEOUT(
        call("GET", "orders/SRVL", {}).second.value("order").toObject().value("status").toString(),
        QStringLiteral("cancelled"), 15000);
    server.terminate();
    QVERIFY(server.waitForFinished(15000));
    QCOMPARE(server.exitCode(), 0);
    // And afterwards every order is in it, once.
    const CliRun listed = cli(QStringList{"orders", "--live", "--json"} + common());
    QVERIFY2(listed.exitCode == 0, listed.err.constData());
    QCOMPARE(listed.json().value("orders").toArray().size(), 1);
    QCOMPARE(listed.json().value("orders").toArray().first().toObject().value("status").toString(),
             QStringLiteral("cancelled"));
}

// kill -9 of a server with live orders in flight (the simulator answers slowly), then a restart:
// every order the journal took is at the broker exactly once, or is called lost after the bounded
// lookups; none is sent twice; the database has one row for each; what never reached the
// journal is nowhere.
void tst_CliLive::killedWithOrdersInFlightEveryOrderOnce()
{
    QProcess server;
    const auto [base, bearer] = startServe(server);
    QVERIFY(!base.isEmpty());
    const QString price = restingBuyPrice();
    QVERIFY(
        strikeline::testing::simFault(m_sim.url(), QStringLiteral("slow"), QStringLiteral("400")));

    // Twelve orders at once; the server is killed while their answers are on their way.
    QNetworkAccessManager nam;
    std::vector<QNetworkReply *> posts;
    QStringList tags;
    for (int i = 1; i <= 12; ++i) {
        const QString tag = QStringLiteral("K%1").arg(i);
        tags << tag;
        posts.push_back(postLive(nam, base, bearer, tag, price));
    }
    QTRY_VERIFY_WITH_TIMEOUT(std::count_if(posts.begin(), posts.end(),
                                           [](QNetworkReply *r) { return r->isFinished(); }) >= 3,
                             20000);
    server.kill(); // SIGKILL: no flush, no goodbye
    QVERIFY(server.waitForFinished(10000));
    for (QNetworkReply *r : posts)
        r->deleteLater();
    QVERIFY(strikeline::testing::simFault(m_sim.url(), QStringLiteral("clear")));

    // The restart: Upstox's book reconciled, the unanswered looked up by tag.
    const CliRun listed = cli(QStringList{"orders", "--live", "--json"} + common());
    QVERIFY2(listed.exitCode == 0, listed.err.constData());
    QMap<QString, QString> journaled; // tag -> status
    for (const QJsonValue &v : listed.json().value("orders").toArray()) {
        const QJsonObject o = v.toObject();
        QVERIFY2(!o.value("external").toBool(), qPrintable(o.value("client_order_id").toString()));
        journaled.insert(o.value("client_order_id").toString(), o.value("status").toString());
    }
    QVERIFY(!journaled.isEmpty());
    int atBroker = 0;
    for (const QString &tag : tags) {
        const qsizetype sent = brokerOrdersTagged(tag).size();
        QVERIFY2(sent <= 1, qPrintable(tag)); // never twice
        atBroker += int(sent);
        if (sent == 1) {
            QVERIFY2(journaled.contains(tag), qPrintable(tag)); // the journal took it first
            QCOMPARE(journaled.value(tag), QStringLiteral("acknowledged"));
        } else if (journaled.contains(tag)) {
            QCOMPARE(journaled.value(tag), QStringLiteral("lost")); // journaled, never arrived
        }
    }
    QVERIFY(atBroker >= 3);
    // The database: one row per journaled order, the same status.
    {
        QSqlDatabase db = QSqlDatabase::addDatabase("QSQLITE", "check");
        db.setDatabaseName(m_home->filePath("orders.db"));
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec("SELECT client_order_id, status FROM orders"));
        QMap<QString, QString> stored;
        while (q.next()) {
            QVERIFY2(!stored.contains(q.value(0).toString()), qPrintable(q.value(0).toString()));
            stored.insert(q.value(0).toString(), q.value(1).toString());
        }
        QCOMPARE(stored, journaled);
    }
    QSqlDatabase::removeDatabase("check");
    qInfo("killed with 12 in flight: %lld journaled, %d at the broker once each, none twice",
          static_cast<long long>(journaled.size()), atBroker);
}

// A burst of orders while Upstox answers 429 to 15% of the requests: every refused place is
// looked up by its tag and sent again, so every order is taken, each exactly once. (An order is
// given up after six refusals in a row: at 15% that is 1 in 90,000 per order.)
void tst_CliLive::rateLimitBurstLosesNothing()
{
    QProcess server;
    const auto [base, bearer] = startServe(server);
    QVERIFY(!base.isEmpty());
    const QString price = restingBuyPrice();
    QVERIFY(strikeline::testing::simFault(m_sim.url(), QStringLiteral("http-429"),
                                          QStringLiteral("0.15")));
    QNetworkAccessManager nam;
    std::vector<QNetworkReply *> posts;
    constexpr int Orders = 40;
    for (int i = 1; i <= Orders; ++i)
        posts.push_back(postLive(nam, base, bearer, QString("RB%1").arg(i), price));
    QTRY_VERIFY_WITH_TIMEOUT(
        std::all_of(posts.begin(), posts.end(), [](QNetworkReply *r) { return r->isFinished(); }),
        30000);
    for (QNetworkReply *r : posts) {
        QCOMPARE(r->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 201);
        r->deleteLater();
    }
    // Every one taken in the end (the lookups and the sends again go through the 429s too).
    const auto status = [&](int i) {
        QNetworkRequest request(QUrl(base + QString("orders/RB%1").arg(i)));
        request.setRawHeader("Authorization", "Bearer " + bearer);
        const auto reply = finished(nam.get(request));
        return QJsonDocument::fromJson(reply->readAll())
            .object()
            .value("order")
            .toObject()
            .value("status")
            .toString();
    };
    for (int i = 1; i <= Orders; ++i)
        QTRY_COMPARE_WITH_TIMEOUT(status(i), QStringLiteral("acknowledged"), 60000);
    QVERIFY(strikeline::testing::simFault(m_sim.url(), QStringLiteral("clear")));
    for (int i = 1; i <= Orders; ++i)
        QCOMPARE(brokerOrdersTagged(QString("RB%1").arg(i)).size(), 1);
    server.terminate();
    QVERIFY(server.waitForFinished(15000));
}

// The kill switch from a shell: halt --cancel-all refuses every new order and cancels what is
// working, paper and live; resume lets orders through again.
void tst_CliLive::haltCancelAllTakesRiskOff()
{
    const QString price = restingBuyPrice();
    QCOMPARE(cli(QStringList{"order", "--live", "--key", Call, "--side", "buy", "--qty", "30",
                             "--type", "limit", "--price", price, "--tag", "H1"} +
                 common())
                 .exitCode,
             0);
    QCOMPARE(cli(QStringList{"order", "--paper", "--key", Call, "--side", "buy", "--qty", "30",
                             "--type", "limit", "--price", "1", "--tag", "H2"} +
                 common())
                 .exitCode,
             0);
    const CliRun halted = cli(QStringList{"halt", "--reason", "news", "--cancel-all"} + common());
    QVERIFY2(halted.exitCode == 0, QByteArray(halted.out + halted.err).constData());
    QVERIFY2(halted.out.contains("H1  cancelled") && halted.out.contains("H2  cancelled"),
             halted.out.constData());
    const QJsonArray atBroker = brokerOrdersTagged("H1");
    QCOMPARE(atBroker.size(), 1);
    QCOMPARE(
        simGet(QStringLiteral("/v2/order/details"),
               QUrlQuery{{"order_id", atBroker.first().toObject().value("order_id").toString()}})
            .toObject()
            .value("status")
            .toString(),
        QStringLiteral("cancelled"));
    const QStringList order{"order",  "--live", "--key",   Call,  "--side", "buy", "--qty", "30",
                            "--type", "limit",  "--price", price, "--tag",  "H3",  "--json"};
    const CliRun refused = cli(order + common());
    QCOMPARE(refused.exitCode, 3);
    QVERIFY(refused.reasonCodes().contains("trading_halted"));
    QCOMPARE(brokerOrdersTagged("H3").size(), 0);
    QCOMPARE(cli(QStringList{"halt", "--cancel-all", "--json"}).exitCode, 2);
    QCOMPARE(cli(QStringList{"halt", "--journal", "/tmp"}).exitCode, 2);
    QCOMPARE(cli({"resume"}).exitCode, 0);
    QCOMPARE(cli(order + common()).exitCode, 0);
}

void tst_CliLive::usageErrors()
{
    QCOMPARE(cli(QStringList{"order", "--paper", "--live", "--key", Call, "--side", "buy", "--qty",
                             "30", "--type", "market"} +
                 common())
                 .exitCode,
             2);
    const CliRun spot = cli(QStringList{"order", "--live", "--key", Call, "--side", "buy", "--qty",
                                        "30", "--type", "market", "--spot", "56000"} +
                            common());
    QCOMPARE(spot.exitCode, 2);
    QVERIFY2(spot.err.contains("simulated"), spot.err.constData());
    QCOMPARE(cli(QStringList{"modify", "X1"} + common()).exitCode, 2);
    QCOMPARE(cli(QStringList{"modify", "X1", "--qty", "ten"} + common()).exitCode, 2);
    QCOMPARE(cli(QStringList{"modify", "X1", "--price", "-3"} + common()).exitCode, 2);
    QCOMPARE(cli(QStringList{"cancel"} + common()).exitCode, 2);
    QCOMPARE(cli(QStringList{"cancel", "X1", "--all"} + common()).exitCode, 2);
    QCOMPARE(cli({"serve", "--live"}).exitCode, 2); // --live goes with --orders
}

QTEST_GUILESS_MAIN(tst_CliLive)
#include "tst_cli_live.moc"
