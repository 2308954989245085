// The Upstox simulator in process (docs/upstox-sim.md): login, the bearer check, every REST
// endpoint's shape, a sliced order and its fill, the faults, the feed's 302 and the WebSocket
// handover to the streams (a test double here).

#include "TestData.h"
#include "common/IstTime.h"
#include "instruments/InstrumentRepository.h"
#include "instruments/InstrumentSnapshot.h"
#include "instruments/MasterReader.h"
#include "marketdata/SimulatedMarket.h"
#include "sim/SimContext.h"
#include "sim/SimStreams.h"
#include "sim/UpstoxSim.h"

#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>
#include <QUrlQuery>
#include <QWebSocket>

#include <memory>

using namespace strikeline;
using namespace strikeline::sim;

namespace {

const QString Redirect = QStringLiteral("http://127.0.0.1:5055/upstox/callback");

// The streams' seam, as a double: accepts every socket and echoes what it is sent.
class EchoStreams final : public SimStreams
{
public:
    void acceptMarketFeed(QWebSocket *socket, const QString &userId,
                          const QByteArray &accessToken) override
    {
        accept(socket, QStringLiteral("market"), userId, accessToken, {});
        ++market;
    }
    void acceptPortfolioStream(QWebSocket *socket, const QString &userId,
                               const QByteArray &accessToken,
                               const QStringList &updateTypes) override
    {
        accept(socket, QStringLiteral("portfolio"), userId, accessToken, updateTypes);
    }
    int marketFeedConnections(const QString &) const override { return reportedConnections; }

    int market = 0;
    int reportedConnections = 0;
    QString lastKind;
    QString lastUser;
    QByteArray lastToken;
    QStringList lastTypes;

private:
    void accept(QWebSocket *socket, const QString &kind, const QString &userId,
                const QByteArray &token, const QStringList &types)
    {
        lastKind = kind;
        lastUser = userId;
        lastToken = token;
        lastTypes = types;
        socket->setParent(&m_owner);
        QObject::connect(socket, &QWebSocket::textMessageReceived, socket,
                         [socket, kind](const QString &text) {
                             socket->sendTextMessage(kind + QLatin1Char(':') + text);
                         });
    }
    QObject m_owner;
};

struct Reply
{
    int status = 0;
    QByteArray body;
    QJsonObject json;
    QByteArray location;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;

    QString errorCode() const
    {
        return json.value(QStringLiteral("errors"))
            .toArray()
            .at(0)
            .toObject()
            .value(QStringLiteral("error_code"))
            .toString();
    }
    QJsonObject data() const { return json.value(QStringLiteral("data")).toObject(); }
    QJsonArray dataArray() const { return json.value(QStringLiteral("data")).toArray(); }
};

} // namespace

class TestUpstoxSim : public QObject
{
    Q_OBJECT

private:
    Reply call(const QByteArray &method, const QString &pathAndQuery, const QByteArray &body = {},
               const QByteArray &contentType = "application/json",
               std::optional<QByteArray> token = std::nullopt)
    {
        QNetworkRequest request(
            QUrl((m_base.isEmpty() ? m_sim->httpUrl() : m_base) + pathAndQuery));
        request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                             QNetworkRequest::ManualRedirectPolicy);
        const QByteArray bearer = token.value_or(m_token);
        if (!bearer.isEmpty())
            request.setRawHeader("Authorization", "Bearer " + bearer);
        if (!body.isEmpty())
            request.setHeader(QNetworkRequest::ContentTypeHeader, contentType);
        QNetworkReply *reply = m_network.sendCustomRequest(request, method, body);
        QEventLoop loop;
        connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        QTimer::singleShot(20000, &loop, &QEventLoop::quit); // a hang fails below, not here
        if (!reply->isFinished())
            loop.exec();
        Reply r;
        r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        r.body = reply->readAll();
        r.json = QJsonDocument::fromJson(r.body).object();
        r.location = reply->rawHeader("Location");
        r.error = reply->error();
        reply->deleteLater();
        return r;
    }
    Reply get(const QString &path, std::optional<QByteArray> token = std::nullopt)
    {
        return call("GET", path, {}, {}, token);
    }
    QByteArray authCode(const QString &state = QStringLiteral("s1"))
    {
        const Reply r = get(QStringLiteral("/v2/login/authorization/dialog?response_type=code&"
                                           "client_id=strikeline-sim&redirect_uri=%1&state=%2")
                                .arg(QString::fromLatin1(QUrl::toPercentEncoding(Redirect)), state),
                            QByteArray());
        return QUrlQuery(QUrl(QString::fromUtf8(r.location)))
            .queryItemValue(QStringLiteral("code"))
            .toLatin1();
    }
    Reply exchange(const QByteArray &code, const QString &secret = QStringLiteral("sim-secret"),
                   const QString &redirect = Redirect)
    {
        QUrlQuery form;
        form.addQueryItem(QStringLiteral("code"), QString::fromLatin1(code));
        form.addQueryItem(QStringLiteral("client_id"), QStringLiteral("strikeline-sim"));
        form.addQueryItem(QStringLiteral("client_secret"), secret);
        form.addQueryItem(QStringLiteral("redirect_uri"), redirect);
        form.addQueryItem(QStringLiteral("grant_type"), QStringLiteral("authorization_code"));
        return call("POST", QStringLiteral("/v2/login/authorization/token"),
                    form.toString(QUrl::FullyEncoded).toUtf8(), "application/x-www-form-urlencoded",
                    QByteArray());
    }
    QByteArray login()
    {
        const Reply r = exchange(authCode());
        return r.json.value(QStringLiteral("access_token")).toString().toLatin1();
    }
    Reply fault(const QString &name, const QString &value = {})
    {
        return call("POST", QStringLiteral("/sim/fault"),
                    QJsonDocument(QJsonObject{{QStringLiteral("name"), name},
                                              {QStringLiteral("value"), value}})
                        .toJson(),
                    "application/json", QByteArray());
    }
    Reply place(const QJsonObject &order)
    {
        return call("POST", QStringLiteral("/v3/order/place"), QJsonDocument(order).toJson());
    }
    QJsonObject marketOrder(const QString &key, int quantity, const QString &tag, bool slice)
    {
        return {{QStringLiteral("quantity"), quantity},
                {QStringLiteral("product"), QStringLiteral("D")},
                {QStringLiteral("validity"), QStringLiteral("DAY")},
                {QStringLiteral("price"), 0},
                {QStringLiteral("tag"), tag},
                {QStringLiteral("instrument_token"), key},
                {QStringLiteral("order_type"), QStringLiteral("MARKET")},
                {QStringLiteral("transaction_type"), QStringLiteral("BUY")},
                {QStringLiteral("disclosed_quantity"), 0},
                {QStringLiteral("trigger_price"), 0},
                {QStringLiteral("is_amo"), false},
                {QStringLiteral("slice"), slice}};
    }

    // NIFTY 22200 CE 01 SEP 26 of the fixture: lot 65, freeze 1755 (27 lots per order).
    const QString m_option = QStringLiteral("NSE_FO|46913");
    std::unique_ptr<InstrumentRepository> m_repository;
    std::unique_ptr<FixedClock> m_clock;
    std::unique_ptr<SimulatedMarket> m_market;
    std::unique_ptr<SimEventBus> m_events;
    std::unique_ptr<SimContext> m_context;
    EchoStreams m_streams;
    std::unique_ptr<UpstoxSim> m_sim;
    QNetworkAccessManager m_network;
    QByteArray m_token;
    IstMoment m_start;
    QString m_base; // another simulator's URL; empty: the suite's

private Q_SLOTS:
    void initTestCase()
    {
        STRIKELINE_REQUIRE_REAL_FILE(path, "fixture-NSE_FO-subset-2026-08-21.json");
        SnapshotBuilder builder;
        auto read = readMasterFile(path, [&](InstrumentRecord &&r) { builder.add(std::move(r)); });
        QVERIFY2(read.ok(), read.ok() ? "" : qPrintable(read.error().message));
        m_repository = std::make_unique<InstrumentRepository>();
        m_repository->publish(builder.build({}, nullptr));
        m_start = *parseIstMoment(QStringLiteral("2026-08-21 10:30"));
        m_clock = std::make_unique<FixedClock>(m_start);
        SimulationParams params;
        params.seed = 7;
        m_market = std::make_unique<SimulatedMarket>(*m_repository, *m_clock, params);
        m_events = std::make_unique<SimEventBus>();
        m_context = std::make_unique<SimContext>(
            SimContext{*m_repository, *m_market, *m_clock, *m_events, 0, 7});
        m_sim = std::make_unique<UpstoxSim>(*m_context, &m_streams);
        const auto port = m_sim->start(0);
        QVERIFY2(port.ok(), port.ok() ? "" : qPrintable(port.error().message));
        QVERIFY(*port > 0);
        m_token = login();
        QVERIFY(!m_token.isEmpty());
    }

    void cleanup()
    {
        m_clock->set(m_start);
        QCOMPARE(fault(QStringLiteral("clear")).status, 200);
    }

    void oauthHappyPath()
    {
        const Reply dialog =
            get(QStringLiteral("/v2/login/authorization/dialog?response_type=code&"
                               "client_id=strikeline-sim&redirect_uri=%1&state=a%20b")
                    .arg(QString::fromLatin1(QUrl::toPercentEncoding(Redirect))),
                QByteArray());
        QCOMPARE(dialog.status, 302);
        const QUrl location(QString::fromUtf8(dialog.location));
        QCOMPARE(location.toString(QUrl::RemoveQuery), Redirect);
        QCOMPARE(QUrlQuery(location).queryItemValue(QStringLiteral("state"), QUrl::FullyDecoded),
                 QStringLiteral("a b"));
        const QByteArray code =
            QUrlQuery(location).queryItemValue(QStringLiteral("code")).toLatin1();
        QVERIFY(!code.isEmpty());
        const Reply token = exchange(code);
        QCOMPARE(token.status, 200);
        for (const char *field :
             {"email", "exchanges", "products", "broker", "user_id", "user_name", "order_types",
              "user_type", "poa", "is_active", "access_token", "extended_token"})
            QVERIFY2(token.json.contains(QLatin1String(field)), field);
        QCOMPARE(token.json.value(QStringLiteral("broker")).toString(), QStringLiteral("UPSTOX"));
        const QByteArray access =
            token.json.value(QStringLiteral("access_token")).toString().toLatin1();
        const Reply profile = get(QStringLiteral("/v2/user/profile"), access);
        QCOMPARE(profile.status, 200);
        QCOMPARE(profile.data().value(QStringLiteral("user_id")).toString(),
                 token.json.value(QStringLiteral("user_id")).toString());
    }

    void wrongSecretSpendsTheCode()
    {
        const QByteArray code = authCode();
        const Reply wrong = exchange(code, QStringLiteral("not-the-secret"));
        QCOMPARE(wrong.status, 400);
        QCOMPARE(wrong.errorCode(), QStringLiteral("UDAPI100016"));
        QVERIFY(!wrong.body.contains("access_token"));
        const Reply retry = exchange(code); // single-use even on failure
        QCOMPARE(retry.status, 400);
        QCOMPARE(retry.errorCode(), QStringLiteral("UDAPI100057"));
    }

    void wrongRedirect()
    {
        const Reply dialog =
            get(QStringLiteral("/v2/login/authorization/dialog?client_id="
                               "strikeline-sim&redirect_uri=http%3A%2F%2Fevil.example%2F"),
                QByteArray());
        QCOMPARE(dialog.status, 400);
        QCOMPARE(dialog.errorCode(), QStringLiteral("UDAPI100068"));
        const Reply wrongClient =
            get(QStringLiteral("/v2/login/authorization/dialog?client_id=x&"
                               "redirect_uri=%1")
                    .arg(QString::fromLatin1(QUrl::toPercentEncoding(Redirect))),
                QByteArray());
        QCOMPARE(wrongClient.errorCode(), QStringLiteral("UDAPI100068"));
        const Reply token = exchange(authCode(), QStringLiteral("sim-secret"),
                                     QStringLiteral("http://127.0.0.1:5055/other"));
        QCOMPARE(token.status, 400);
        QVERIFY(!token.json.contains(QStringLiteral("access_token")));
    }

    void reusedCode()
    {
        const QByteArray code = authCode();
        QCOMPARE(exchange(code).status, 200);
        const Reply again = exchange(code);
        QCOMPARE(again.status, 400);
        QCOMPARE(again.errorCode(), QStringLiteral("UDAPI100057"));
        const Reply missing = exchange(QByteArray());
        QCOMPARE(missing.status, 400);
    }

    void badTokenIs401()
    {
        for (const QByteArray &token : {QByteArray("not-a-token"), QByteArray()}) {
            const Reply r = get(QStringLiteral("/v2/user/profile"), token);
            QCOMPARE(r.status, 401);
            QCOMPARE(r.errorCode(), QStringLiteral("UDAPI100050"));
            QCOMPARE(r.json.value(QStringLiteral("status")).toString(), QStringLiteral("error"));
        }
        QCOMPARE(get(QStringLiteral("/v2/order/retrieve-all"), QByteArray("x")).status, 401);
    }

    void tokenDiesAt0330()
    {
        const QByteArray token = login();
        m_clock->set(IstMoment::fromDay(m_start.day() + 1, 3 * 60 + 29));
        QCOMPARE(get(QStringLiteral("/v2/user/profile"), token).status, 200);
        m_clock->set(IstMoment::fromDay(m_start.day() + 1, 3 * 60 + 30));
        QCOMPARE(get(QStringLiteral("/v2/user/profile"), token).status, 401);
        QCOMPARE(SimAuth::expiryFor(IstMoment::fromDay(10, 2 * 60 + 30).epochMs),
                 IstMoment::fromDay(10, 3 * 60 + 30).epochMs);
    }

    void clockExpiryIsAnnounced()
    {
        const QByteArray token = login();
        QSignalSpy revoked(m_events.get(), &SimEventBus::tokenRevoked);
        m_clock->set(IstMoment::fromDay(m_start.day() + 1, 3 * 60 + 30));
        // The simulator's market timer notices the 03:30 expiry and tells the streams.
        QTRY_VERIFY_WITH_TIMEOUT(revoked.count() >= 1, 10000);
        bool announced = false;
        for (const QList<QVariant> &args : revoked)
            announced = announced || args.first().toByteArray() == token;
        QVERIFY(announced);
        m_clock->set(m_start);
        m_token = login(); // the suite's token died with it
    }

    void logoutRevokes()
    {
        const QByteArray token = login();
        QSignalSpy revoked(m_events.get(), &SimEventBus::tokenRevoked);
        const Reply r = call("DELETE", QStringLiteral("/v2/logout"), {}, {}, token);
        QCOMPARE(r.status, 200);
        QCOMPARE(revoked.count(), 1);
        QCOMPARE(revoked.first().first().toByteArray(), token);
        QCOMPARE(get(QStringLiteral("/v2/user/profile"), token).status, 401);
        QCOMPARE(get(QStringLiteral("/v2/user/profile")).status, 200); // other tokens live on
    }

    void fundsShape()
    {
        const Reply r = get(QStringLiteral("/v2/user/get-funds-and-margin"));
        QCOMPARE(r.status, 200);
        const QJsonObject equity = r.data().value(QStringLiteral("equity")).toObject();
        for (const char *field : {"used_margin", "payin_amount", "span_margin", "adhoc_margin",
                                  "notional_cash", "available_margin", "exposure_margin"})
            QVERIFY2(equity.contains(QLatin1String(field)), field);
        QVERIFY(equity.value(QStringLiteral("available_margin")).toDouble() > 0);
        QVERIFY(r.data().contains(QStringLiteral("commodity")));
        QCOMPARE(get(QStringLiteral("/v2/user/get-funds-and-margin?segment=XYZ")).status, 400);
    }

    void quotesShape()
    {
        const Reply r = get(QStringLiteral("/v2/market-quote/quotes?instrument_key=NSE_FO%7C46913,"
                                           "NSE_INDEX%7CNifty%2050"));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.data().size(), 2);
        const QJsonObject q =
            r.data().value(QStringLiteral("NSE_FO:NIFTY 22200 CE 01 SEP 26")).toObject();
        QCOMPARE(q.value(QStringLiteral("instrument_token")).toString(), m_option);
        QVERIFY(q.value(QStringLiteral("last_price")).toDouble() > 0);
        const double lower = q.value(QStringLiteral("lower_circuit_limit")).toDouble();
        const double upper = q.value(QStringLiteral("upper_circuit_limit")).toDouble();
        QVERIFY(lower > 0 && lower < q.value(QStringLiteral("last_price")).toDouble());
        QVERIFY(upper > q.value(QStringLiteral("last_price")).toDouble());
        const QJsonObject depth = q.value(QStringLiteral("depth")).toObject();
        QCOMPARE(depth.value(QStringLiteral("buy")).toArray().size(), 5);
        QCOMPARE(depth.value(QStringLiteral("sell")).toArray().size(), 5);
        const QJsonObject bestBid = depth.value(QStringLiteral("buy")).toArray().first().toObject();
        const QJsonObject bestAsk =
            depth.value(QStringLiteral("sell")).toArray().first().toObject();
        QVERIFY(bestBid.value(QStringLiteral("price")).toDouble() <
                bestAsk.value(QStringLiteral("price")).toDouble());
        QVERIFY(bestBid.value(QStringLiteral("quantity")).toDouble() > 0);
        QVERIFY(q.value(QStringLiteral("oi")).toDouble() > 0);
        QVERIFY(q.value(QStringLiteral("volume")).toDouble() > 0);
        for (const char *field :
             {"ohlc", "timestamp", "symbol", "average_price", "net_change", "total_buy_quantity",
              "total_sell_quantity", "last_trade_time", "oi_day_high", "oi_day_low"})
            QVERIFY2(q.contains(QLatin1String(field)), field);

        const Reply unknown =
            get(QStringLiteral("/v2/market-quote/quotes?instrument_key=NSE_FO%7C1"));
        QCOMPARE(unknown.status, 400);
        QCOMPARE(unknown.errorCode(), QStringLiteral("UDAPI1011"));
        const Reply missing = get(QStringLiteral("/v2/market-quote/quotes"));
        QCOMPARE(missing.status, 400);
        QCOMPARE(missing.errorCode(), QStringLiteral("UDAPI1009"));
    }

    void ltpAndGreeks()
    {
        const Reply ltp = get(QStringLiteral("/v3/market-quote/ltp?instrument_key=NSE_FO%7C46913"));
        QCOMPARE(ltp.status, 200);
        const QJsonObject l =
            ltp.data().value(QStringLiteral("NSE_FO:NIFTY 22200 CE 01 SEP 26")).toObject();
        for (const char *field : {"last_price", "instrument_token", "ltq", "volume", "cp"})
            QVERIFY2(l.contains(QLatin1String(field)), field);
        const Reply greeks =
            get(QStringLiteral("/v3/market-quote/option-greek?instrument_key=NSE_FO%7C46913"));
        QCOMPARE(greeks.status, 200);
        const QJsonObject g = greeks.data().begin()->toObject();
        QVERIFY(g.value(QStringLiteral("delta")).toDouble() > 0.5); // deep in the money
        QVERIFY(g.value(QStringLiteral("iv")).toDouble() > 0);
        QVERIFY(g.value(QStringLiteral("theta")).toDouble() < 0);
        // Same seed, same clock: same numbers.
        QCOMPARE(get(QStringLiteral("/v3/market-quote/ltp?instrument_key=NSE_FO%7C46913")).body,
                 ltp.body);
    }

    void optionChainAndContracts()
    {
        const Reply chain =
            get(QStringLiteral("/v2/option/chain?instrument_key=NSE_INDEX%7CNifty%2050"
                               "&expiry_date=2026-08-25"));
        QCOMPARE(chain.status, 200);
        QVERIFY(!chain.dataArray().isEmpty());
        const QJsonObject row = chain.dataArray().first().toObject();
        QCOMPARE(row.value(QStringLiteral("expiry")).toString(), QStringLiteral("2026-08-25"));
        const QJsonObject call = row.value(QStringLiteral("call_options")).toObject();
        const QJsonObject md = call.value(QStringLiteral("market_data")).toObject();
        QVERIFY(md.contains(QStringLiteral("prev_oi")));
        QVERIFY(md.value(QStringLiteral("prev_oi")).toDouble() > 0);
        QVERIFY(md.value(QStringLiteral("oi")).toDouble() > 0);
        QVERIFY(
            call.value(QStringLiteral("option_greeks")).toObject().contains(QStringLiteral("pop")));
        QVERIFY(row.value(QStringLiteral("underlying_spot_price")).toDouble() > 0);
        const Reply none =
            get(QStringLiteral("/v2/option/chain?instrument_key=NSE_INDEX%7CNifty%2050"
                               "&expiry_date=2026-08-26"));
        QCOMPARE(none.status, 200);
        QVERIFY(none.dataArray().isEmpty());
        QCOMPARE(
            get(QStringLiteral("/v2/option/chain?instrument_key=NSE_INDEX%7CNifty%2050")).status,
            400);

        const Reply contracts = get(QStringLiteral("/v2/option/contract?instrument_key=NSE_INDEX%7C"
                                                   "Nifty%2050&expiry_date=2026-08-25"));
        QCOMPARE(contracts.status, 200);
        QCOMPARE(contracts.dataArray().size(), chain.dataArray().size() * 2);
        const QJsonObject c = contracts.dataArray().first().toObject();
        QCOMPARE(c.value(QStringLiteral("expiry")).toString(), QStringLiteral("2026-08-25"));
        QCOMPARE(c.value(QStringLiteral("lot_size")).toInt(), 65);
        QCOMPARE(c.value(QStringLiteral("underlying_symbol")).toString(), QStringLiteral("NIFTY"));
    }

    void timingsAndHolidays()
    {
        const Reply t = get(QStringLiteral("/v2/market/timings/2026-08-21"));
        QCOMPARE(t.status, 200);
        bool sawNfo = false;
        for (const QJsonValue &v : t.dataArray()) {
            const QJsonObject o = v.toObject();
            if (o.value(QStringLiteral("exchange")).toString() == QLatin1String("NFO")) {
                sawNfo = true;
                QCOMPARE(static_cast<qint64>(o.value(QStringLiteral("start_time")).toDouble()),
                         IstMoment::fromDay(m_start.day(), 9 * 60 + 15).epochMs);
            }
        }
        QVERIFY(sawNfo);
        QVERIFY(get(QStringLiteral("/v2/market/timings/2026-08-22")).dataArray().isEmpty());
        QCOMPARE(get(QStringLiteral("/v2/market/timings/not-a-date")).status, 400);
        const Reply h = get(QStringLiteral("/v2/market/holidays"));
        QCOMPARE(h.status, 200);
        QVERIFY(h.json.value(QStringLiteral("data")).isArray());
    }

    void slicedOrderFills()
    {
        QSignalSpy updates(m_events.get(), &SimEventBus::orderUpdate);
        QSignalSpy positions(m_events.get(), &SimEventBus::positionUpdate);
        const Reply r =
            place(marketOrder(m_option, 1755 * 2 + 65, QStringLiteral("slice-1"), true));
        QCOMPARE(r.status, 200);
        const QJsonArray ids = r.data().value(QStringLiteral("order_ids")).toArray();
        QCOMPARE(ids.size(), 3);
        QVERIFY(r.json.value(QStringLiteral("metadata"))
                    .toObject()
                    .contains(QStringLiteral("latency")));
        QTRY_VERIFY(updates.count() >= 6); // open + complete for each child

        const Reply book = get(QStringLiteral("/v2/order/retrieve-all"));
        QCOMPARE(book.status, 200);
        int complete = 0;
        qint64 filled = 0;
        for (const QJsonValue &v : book.dataArray()) {
            const QJsonObject o = v.toObject();
            if (o.value(QStringLiteral("tag")).toString() != QLatin1String("slice-1"))
                continue;
            complete += o.value(QStringLiteral("status")).toString() == QLatin1String("complete");
            filled += static_cast<qint64>(o.value(QStringLiteral("filled_quantity")).toDouble());
            QCOMPARE(o.value(QStringLiteral("exchange")).toString(), QStringLiteral("NFO"));
        }
        QCOMPARE(complete, 3);
        QCOMPARE(filled, 3575);

        const Reply details =
            get(QStringLiteral("/v2/order/details?order_id=") + ids[2].toString());
        QCOMPARE(details.data().value(QStringLiteral("quantity")).toInt(), 65);
        const Reply history = get(QStringLiteral("/v2/order/history?tag=slice-1"));
        QCOMPARE(history.dataArray().size(), 6);
        const Reply byId = get(QStringLiteral("/v2/order/history?order_id=") + ids[0].toString());
        QCOMPARE(byId.dataArray().last().toObject().value(QStringLiteral("status")).toString(),
                 QStringLiteral("complete"));
        const Reply trades = get(QStringLiteral("/v2/order/trades/get-trades-for-day"));
        QVERIFY(trades.dataArray().size() >= 3);
        const Reply pos = get(QStringLiteral("/v2/portfolio/short-term-positions"));
        bool found = false;
        for (const QJsonValue &v : pos.dataArray())
            if (v.toObject().value(QStringLiteral("instrument_token")).toString() == m_option) {
                found = true;
                QVERIFY(v.toObject().value(QStringLiteral("quantity")).toInt() >= 3575);
            }
        QVERIFY(found);
        QVERIFY(positions.count() >= 3);
        const QJsonObject update = updates.first().at(1).toJsonObject();
        QCOMPARE(update.value(QStringLiteral("update_type")).toString(), QStringLiteral("order"));
        QCOMPARE(updates.first().at(0).toString(), QStringLiteral("SL1234"));
        const Reply funds = get(QStringLiteral("/v2/user/get-funds-and-margin"));
        QVERIFY(funds.data()
                    .value(QStringLiteral("equity"))
                    .toObject()
                    .value(QStringLiteral("used_margin"))
                    .toDouble() > 0);
    }

    void orderRefusals()
    {
        QCOMPARE(place(marketOrder(m_option, 1755 + 65, QStringLiteral("noslice"), false)).status,
                 400);
        const Reply lot = place(marketOrder(m_option, 64, QStringLiteral("lot"), false));
        QCOMPARE(lot.status, 400);
        QCOMPARE(lot.json.value(QStringLiteral("errors"))
                     .toArray()
                     .first()
                     .toObject()
                     .value(QStringLiteral("property_path"))
                     .toString(),
                 QStringLiteral("quantity"));
        QCOMPARE(place(marketOrder(m_option, 0, QStringLiteral("zero"), false)).errorCode(),
                 QStringLiteral("UDAPI1052"));
        QCOMPARE(place(marketOrder(QStringLiteral("NSE_FO|1"), 65, QStringLiteral("k"), false))
                     .errorCode(),
                 QStringLiteral("UDAPI1011"));
        QJsonObject missing = marketOrder(m_option, 65, QStringLiteral("m"), false);
        missing.remove(QStringLiteral("transaction_type"));
        QCOMPARE(place(missing).status, 400);
        const Reply bad = call("POST", QStringLiteral("/v3/order/place"), "{not json");
        QCOMPARE(bad.status, 400);
        QCOMPARE(bad.errorCode(), QStringLiteral("UDAPI100038"));
        QCOMPARE(get(QStringLiteral("/v2/order/details?order_id=42")).errorCode(),
                 QStringLiteral("UDAPI100010"));
        QCOMPARE(get(QStringLiteral("/v2/no/such/thing")).status, 404);
        QCOMPARE(get(QStringLiteral("/v3/order/place")).status, 405);
    }

    void limitModifyCancel()
    {
        QJsonObject order = marketOrder(m_option, 65, QStringLiteral("lmc"), false);
        order.insert(QStringLiteral("order_type"), QStringLiteral("LIMIT"));
        order.insert(QStringLiteral("price"), 1500.0); // far below the market: rests
        const Reply placed = place(order);
        QCOMPARE(placed.status, 200);
        const QString id =
            placed.data().value(QStringLiteral("order_ids")).toArray().first().toString();
        QCOMPARE(get(QStringLiteral("/v2/order/details?order_id=") + id)
                     .data()
                     .value(QStringLiteral("status"))
                     .toString(),
                 QStringLiteral("open"));
        const QJsonObject modify{{QStringLiteral("order_id"), id},
                                 {QStringLiteral("order_type"), QStringLiteral("LIMIT")},
                                 {QStringLiteral("validity"), QStringLiteral("DAY")},
                                 {QStringLiteral("price"), 1500.05},
                                 {QStringLiteral("trigger_price"), 0},
                                 {QStringLiteral("quantity"), 130}};
        const Reply modified =
            call("PUT", QStringLiteral("/v3/order/modify"), QJsonDocument(modify).toJson());
        QCOMPARE(modified.status, 200);
        QCOMPARE(modified.data().value(QStringLiteral("order_id")).toString(), id);
        const QJsonObject after = get(QStringLiteral("/v2/order/details?order_id=") + id).data();
        QCOMPARE(after.value(QStringLiteral("price")).toDouble(), 1500.05);
        QCOMPARE(after.value(QStringLiteral("quantity")).toInt(), 130);
        QCOMPARE(after.value(QStringLiteral("status")).toString(), QStringLiteral("open"));
        const Reply cancelled = call("DELETE", QStringLiteral("/v3/order/cancel?order_id=") + id);
        QCOMPARE(cancelled.status, 200);
        QCOMPARE(get(QStringLiteral("/v2/order/details?order_id=") + id)
                     .data()
                     .value(QStringLiteral("status"))
                     .toString(),
                 QStringLiteral("cancelled"));
        const Reply again = call("DELETE", QStringLiteral("/v3/order/cancel?order_id=") + id);
        QCOMPARE(again.status, 400);
        QCOMPARE(again.errorCode(), QStringLiteral("UDAPI100040"));
        const Reply late =
            call("PUT", QStringLiteral("/v3/order/modify"), QJsonDocument(modify).toJson());
        QCOMPARE(late.status, 400);
    }

    void marginCalculator()
    {
        const QJsonObject body{
            {QStringLiteral("instruments"),
             QJsonArray{QJsonObject{{QStringLiteral("instrument_key"), m_option},
                                    {QStringLiteral("quantity"), 65},
                                    {QStringLiteral("transaction_type"), QStringLiteral("SELL")},
                                    {QStringLiteral("product"), QStringLiteral("D")},
                                    {QStringLiteral("price"), 0}}}}};
        const Reply r =
            call("POST", QStringLiteral("/v2/charges/margin"), QJsonDocument(body).toJson());
        QCOMPARE(r.status, 200);
        QCOMPARE(r.data().value(QStringLiteral("margins")).toArray().size(), 1);
        QVERIFY(r.data().value(QStringLiteral("required_margin")).toDouble() > 0);
        QVERIFY(r.data().contains(QStringLiteral("final_margin")));
        QCOMPARE(call("POST", QStringLiteral("/v2/charges/margin"), "{}").status, 400);
    }

    void fault429And5xx()
    {
        QCOMPARE(fault(QStringLiteral("http-429"), QStringLiteral("1")).status, 200);
        const Reply limited = get(QStringLiteral("/v2/user/profile"));
        QCOMPARE(limited.status, 429);
        QCOMPARE(limited.errorCode(), QStringLiteral("UDAPI10005"));
        QCOMPARE(fault(QStringLiteral("http-429"), QStringLiteral("off")).status, 200);
        QCOMPARE(get(QStringLiteral("/v2/user/profile")).status, 200);
        QCOMPARE(fault(QStringLiteral("http-5xx"), QStringLiteral("100%")).status, 200);
        const Reply broken = get(QStringLiteral("/v2/user/profile"));
        QCOMPARE(broken.status, 500);
        QCOMPARE(broken.errorCode(), QStringLiteral("UDAPI100500"));
        QCOMPARE(fault(QStringLiteral("http-5xx"), QStringLiteral("150")).status, 400); // > 100 %
        QCOMPARE(fault(QStringLiteral("no-such-fault")).status, 400);
    }

    void faultShareIsAShare()
    {
        QCOMPARE(fault(QStringLiteral("http-429"), QStringLiteral("0.5")).status, 200);
        int limited = 0;
        for (int i = 0; i < 40; ++i)
            limited += get(QStringLiteral("/v2/user/profile")).status == 429;
        QVERIFY(limited > 0 && limited < 40);
    }

    void faultSlowStillAnswers()
    {
        QCOMPARE(fault(QStringLiteral("slow"), QStringLiteral("200")).status, 200);
        QCOMPARE(m_sim->faults().slowMs, 200);
        const Reply r = get(QStringLiteral("/v2/user/profile"));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.data().value(QStringLiteral("user_id")).toString(), QStringLiteral("SL1234"));
        QCOMPARE(fault(QStringLiteral("slow"), QStringLiteral("soon")).status, 400);
    }

    void faultExpireToken()
    {
        const QByteArray token = login();
        QSignalSpy revoked(m_events.get(), &SimEventBus::tokenRevoked);
        QCOMPARE(fault(QStringLiteral("expire-token")).status, 200);
        QVERIFY(revoked.count() >= 2); // this one and the suite's
        QCOMPARE(get(QStringLiteral("/v2/user/profile"), token).status, 401);
        m_token = login();
        QCOMPARE(get(QStringLiteral("/v2/user/profile")).status, 200);

        QCOMPARE(fault(QStringLiteral("expire-token-at"), QStringLiteral("11:00")).status, 200);
        QCOMPARE(get(QStringLiteral("/v2/user/profile")).status, 200);
        m_clock->set(IstMoment::fromDay(m_start.day(), 11 * 60));
        QCOMPARE(get(QStringLiteral("/v2/user/profile")).status, 401);
        QCOMPARE(fault(QStringLiteral("expire-token-at"), QStringLiteral("25:99")).status, 400);
        QCOMPARE(fault(QStringLiteral("clear")).status, 200);
        QCOMPARE(get(QStringLiteral("/v2/user/profile")).status, 200);
    }

    void faultStaticIpReject()
    {
        QCOMPARE(fault(QStringLiteral("static-ip-reject")).status, 200);
        const Reply r = place(marketOrder(m_option, 65, QStringLiteral("ip"), false));
        QCOMPARE(r.status, 403);
        QCOMPARE(r.errorCode(), QStringLiteral("UDAPI1154"));
        QCOMPARE(get(QStringLiteral("/v2/order/history?tag=ip")).status, 400); // nothing placed
    }

    void faultDropAfterPlace()
    {
        QCOMPARE(fault(QStringLiteral("drop-after-place")).status, 200);
        const Reply r = place(marketOrder(m_option, 65, QStringLiteral("dropped"), false));
        QVERIFY(r.error != QNetworkReply::NoError);
        QCOMPARE(r.status, 0);
        QCOMPARE(fault(QStringLiteral("clear")).status, 200);
        // The order exists all the same: a client reconciles by tag.
        const Reply history = get(QStringLiteral("/v2/order/history?tag=dropped"));
        QCOMPARE(history.status, 200);
        QCOMPARE(history.dataArray().last().toObject().value(QStringLiteral("status")).toString(),
                 QStringLiteral("complete"));
    }

    void faultUpdateOrdering()
    {
        QSignalSpy updates(m_events.get(), &SimEventBus::orderUpdate);
        QCOMPARE(fault(QStringLiteral("duplicate-updates")).status, 200);
        QCOMPARE(place(marketOrder(m_option, 65, QStringLiteral("dup"), false)).status, 200);
        QTRY_COMPARE(updates.count(), 4); // open, open, complete, complete
        QCOMPARE(fault(QStringLiteral("duplicate-updates"), QStringLiteral("off")).status, 200);
        updates.clear();
        QCOMPARE(fault(QStringLiteral("reorder-updates")).status, 200);
        QCOMPARE(place(marketOrder(m_option, 65, QStringLiteral("reord"), false)).status, 200);
        QTRY_COMPARE(updates.count(), 2);
        QCOMPARE(updates.at(0).at(1).toJsonObject().value(QStringLiteral("status")).toString(),
                 QStringLiteral("complete"));
        QCOMPARE(updates.at(1).at(1).toJsonObject().value(QStringLiteral("status")).toString(),
                 QStringLiteral("open"));
        updates.clear();
        QCOMPARE(fault(QStringLiteral("clear")).status, 200);
        QCOMPARE(fault(QStringLiteral("update-before-ack")).status, 200);
        // The updates go out before the answer is written: they are there when it arrives.
        QCOMPARE(place(marketOrder(m_option, 65, QStringLiteral("early"), false)).status, 200);
        QCOMPARE(updates.count(), 2);
    }

    void faultWebSocketSignals()
    {
        QSignalSpy drop(m_events.get(), &SimEventBus::dropWebSockets);
        QSignalSpy mute(m_events.get(), &SimEventBus::muteWebSockets);
        QCOMPARE(fault(QStringLiteral("drop-ws")).status, 200);
        QCOMPARE(drop.count(), 1);
        QCOMPARE(fault(QStringLiteral("mute-ws")).status, 200);
        QCOMPARE(mute.count(), 1);
        QCOMPARE(mute.first().first().toBool(), true);
        QCOMPARE(fault(QStringLiteral("mute-ws"), QStringLiteral("off")).status, 200);
        QCOMPARE(mute.last().first().toBool(), false);
    }

    void faultByForm()
    {
        const Reply r = call("POST", QStringLiteral("/sim/fault"), "name=slow&value=5",
                             "application/x-www-form-urlencoded", QByteArray());
        QCOMPARE(r.status, 200);
        QCOMPARE(m_sim->faults().slowMs, 5);
        QCOMPARE(
            call("POST", QStringLiteral("/sim/fault"), "{bad", "application/json", QByteArray())
                .status,
            400);
        QCOMPARE(call("GET", QStringLiteral("/sim/fault"), {}, {}, QByteArray()).status, 405);
    }

    void feedRedirect302()
    {
        const Reply r = get(QStringLiteral("/v3/feed/market-data-feed"));
        QCOMPARE(r.status, 302);
        const QUrl location(QString::fromUtf8(r.location));
        QCOMPARE(location.scheme(), QStringLiteral("ws"));
        QCOMPARE(location.host(), QStringLiteral("127.0.0.1"));
        QCOMPARE(location.port(), int(m_sim->port()));
        QVERIFY(!QUrlQuery(location).queryItemValue(QStringLiteral("code")).isEmpty());
        QCOMPARE(get(QStringLiteral("/v3/feed/market-data-feed"), QByteArray("bad")).status, 401);
        const Reply portfolio =
            get(QStringLiteral("/v2/feed/portfolio-stream-feed?update_types=order%2Cposition"));
        QCOMPARE(portfolio.status, 302);
        QCOMPARE(QUrlQuery(QUrl(QString::fromUtf8(portfolio.location)))
                     .queryItemValue(QStringLiteral("update_types"), QUrl::FullyDecoded),
                 QStringLiteral("order,position"));
    }

    void webSocketHandover()
    {
        const Reply auth = get(QStringLiteral("/v3/feed/market-data-feed/authorize"));
        QCOMPARE(auth.status, 200);
        const QString uri = auth.data().value(QStringLiteral("authorized_redirect_uri")).toString();
        QCOMPARE(auth.data().value(QStringLiteral("authorizedRedirectUri")).toString(), uri);
        QWebSocket client;
        QSignalSpy connected(&client, &QWebSocket::connected);
        QSignalSpy messages(&client, &QWebSocket::textMessageReceived);
        client.open(QUrl(uri));
        QTRY_COMPARE(connected.count(), 1);
        client.sendTextMessage(QStringLiteral("hello"));
        QTRY_COMPARE(messages.count(), 1);
        QCOMPARE(messages.first().first().toString(), QStringLiteral("market:hello"));
        QCOMPARE(m_streams.lastUser, QStringLiteral("SL1234"));
        QCOMPARE(m_streams.lastToken, m_token);

        // The URL was single-use.
        QWebSocket second;
        QSignalSpy secondError(&second,
                               qOverload<QAbstractSocket::SocketError>(&QWebSocket::error));
        QSignalSpy secondConnected(&second, &QWebSocket::connected);
        second.open(QUrl(uri));
        QTRY_VERIFY(secondError.count() >= 1);
        QCOMPARE(secondConnected.count(), 0);

        const Reply pauth = get(
            QStringLiteral("/v2/feed/portfolio-stream-feed/authorize?update_types=order,position"));
        QCOMPARE(pauth.status, 200);
        QWebSocket portfolio;
        QSignalSpy pconnected(&portfolio, &QWebSocket::connected);
        portfolio.open(
            QUrl(pauth.data().value(QStringLiteral("authorized_redirect_uri")).toString()));
        QTRY_COMPARE(pconnected.count(), 1);
        QTRY_COMPARE(m_streams.lastKind, QStringLiteral("portfolio"));
        QCOMPARE(m_streams.lastTypes,
                 (QStringList{QStringLiteral("order"), QStringLiteral("position")}));
        QCOMPARE(get(QStringLiteral("/v2/feed/portfolio-stream-feed/authorize?update_types=bogus"))
                     .status,
                 400);
    }

    void webSocketConnectionLimit()
    {
        m_streams.reportedConnections = UpstoxSim::MarketFeedConnectionLimit;
        const int before = m_streams.market;
        const Reply auth = get(QStringLiteral("/v3/feed/market-data-feed/authorize"));
        QWebSocket client;
        QSignalSpy error(&client, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error));
        client.open(QUrl(auth.data().value(QStringLiteral("authorized_redirect_uri")).toString()));
        QTRY_VERIFY(error.count() >= 1);
        QCOMPARE(m_streams.market, before);
        m_streams.reportedConnections = 0;
    }

    void withoutStreamsUpgradesAreRefused()
    {
        UpstoxSim bare(*m_context, nullptr);
        QVERIFY(bare.start(0).ok());
        m_base = bare.httpUrl();
        const QByteArray token = login();
        const Reply auth = get(QStringLiteral("/v3/feed/market-data-feed/authorize"), token);
        m_base.clear();
        QCOMPARE(auth.status, 200);
        QWebSocket client;
        QSignalSpy error(&client, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error));
        QSignalSpy connected(&client, &QWebSocket::connected);
        client.open(QUrl(auth.data().value(QStringLiteral("authorized_redirect_uri")).toString()));
        QTRY_VERIFY(error.count() >= 1);
        QCOMPARE(connected.count(), 0);
    }

    void sdkQuoteParameter()
    {
        // The Node SDK's v2 quote call sends `symbol`, not the documented instrument_key.
        const Reply r = get(QStringLiteral("/v2/market-quote/quotes?symbol=NSE_FO%7C46913"));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.data().size(), 1);
    }

    void rmsAndCircuitRejections()
    {
        QSignalSpy updates(m_events.get(), &SimEventBus::orderUpdate);
        // 25 slices of a Rs 2000 option: far beyond the funds. Accepted, then rejected.
        const Reply big = place(marketOrder(m_option, 1755 * 25, QStringLiteral("rms"), true));
        QCOMPARE(big.status, 200);
        QCOMPARE(big.data().value(QStringLiteral("order_ids")).toArray().size(), 25);
        const QJsonObject first =
            get(QStringLiteral("/v2/order/details?order_id=") +
                big.data().value(QStringLiteral("order_ids")).toArray().at(0).toString())
                .data();
        QCOMPARE(first.value(QStringLiteral("status")).toString(), QStringLiteral("rejected"));
        QVERIFY(first.value(QStringLiteral("status_message"))
                    .toString()
                    .startsWith(QStringLiteral("RMS:Margin Exceeds")));
        QCOMPARE(get(QStringLiteral("/v2/order/trades?order_id=") +
                     first.value(QStringLiteral("order_id")).toString())
                     .dataArray()
                     .size(),
                 0);

        const QJsonObject quote =
            get(QStringLiteral("/v2/market-quote/quotes?instrument_key=NSE_FO%7C46913"))
                .data()
                .begin()
                ->toObject();
        QJsonObject above = marketOrder(m_option, 65, QStringLiteral("band"), false);
        above.insert(QStringLiteral("order_type"), QStringLiteral("LIMIT"));
        above.insert(QStringLiteral("price"),
                     quote.value(QStringLiteral("upper_circuit_limit")).toDouble() + 1.0);
        const Reply banded = place(above);
        QCOMPARE(banded.status, 200);
        const QJsonObject rejected =
            get(QStringLiteral("/v2/order/details?order_id=") +
                banded.data().value(QStringLiteral("order_ids")).toArray().at(0).toString())
                .data();
        QCOMPARE(rejected.value(QStringLiteral("status")).toString(), QStringLiteral("rejected"));
        QVERIFY(rejected.value(QStringLiteral("status_message"))
                    .toString()
                    .contains(QStringLiteral("circuit")));
        QTRY_VERIFY(updates.count() >= 52);
    }

    void v2OrderApi()
    {
        const Reply r =
            call("POST", QStringLiteral("/v2/order/place"),
                 QJsonDocument(marketOrder(m_option, 65, QStringLiteral("v2"), true)).toJson());
        QCOMPARE(r.status, 200);
        const QString id = r.data().value(QStringLiteral("order_id")).toString();
        QVERIFY(!id.isEmpty());
        const Reply trades = get(QStringLiteral("/v2/order/trades?order_id=") + id);
        QCOMPARE(trades.dataArray().size(), 1);
        QCOMPARE(trades.dataArray().at(0).toObject().value(QStringLiteral("quantity")).toInt(), 65);
        QCOMPARE(get(QStringLiteral("/v2/order/trades?order_id=nope")).status, 400);
    }

    void upgradeWithBearerIsRedirected()
    {
        // What Node's `ws` sends first: an upgrade with the token and no code.
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_sim->port());
        QTRY_COMPARE(socket.state(), QAbstractSocket::ConnectedState);
        socket.write("GET /v3/feed/market-data-feed HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                     "Authorization: Bearer " +
                     m_token + "\r\n\r\n");
        QByteArray answer;
        QTRY_VERIFY((answer += socket.readAll()).contains("\r\n\r\n"));
        QVERIFY2(answer.startsWith("HTTP/1.1 302"), answer.constData());
        QVERIFY(answer.contains("Location: ws://127.0.0.1:"));
        QVERIFY(answer.contains("code="));

        QTcpSocket anonymous;
        anonymous.connectToHost(QHostAddress::LocalHost, m_sim->port());
        QTRY_COMPARE(anonymous.state(), QAbstractSocket::ConnectedState);
        anonymous.write(
            "GET /v3/feed/market-data-feed HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        QByteArray refused;
        QTRY_VERIFY((refused += anonymous.readAll()).contains("UDAPI100050"));
        QVERIFY(refused.startsWith("HTTP/1.1 401"));
    }

    void malformedRequests()
    {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_sim->port());
        QTRY_COMPARE(socket.state(), QAbstractSocket::ConnectedState);
        socket.write("NONSENSE\r\n\r\n");
        QByteArray answer;
        QTRY_VERIFY((answer += socket.readAll()).contains("\r\n\r\n"));
        QVERIFY(answer.startsWith("HTTP/1.1 400"));
        QTRY_COMPARE(socket.state(), QAbstractSocket::UnconnectedState);
    }

    void sessionKeepAlive()
    {
        // Several requests on one connection (QNetworkAccessManager reuses it).
        for (int i = 0; i < 5; ++i)
            QCOMPARE(get(QStringLiteral("/v2/user/profile")).status, 200);
    }
};

QTEST_GUILESS_MAIN(TestUpstoxSim)
#include "tst_upstoxsim.moc"
