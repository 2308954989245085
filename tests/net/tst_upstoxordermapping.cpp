// Upstox's order vocabulary in our words (broker/upstox/UpstoxOrderMapping.h), pure: every
// documented status string and an unknown one, the order / trade / position shapes the order
// book, the history, the portfolio stream and the simulator send, the request bodies, and what
// each error means for a place, modify or cancel.

#include "broker/upstox/UpstoxOrderMapping.h"
#include "broker/upstox/UpstoxPortfolio.h"

#include <QJsonDocument>
#include <QTest>

using namespace strikeline;
using namespace strikeline::upstox;

Q_DECLARE_METATYPE(strikeline::BrokerOrderState)
Q_DECLARE_METATYPE(strikeline::ReplyOutcome)
Q_DECLARE_METATYPE(strikeline::RefusalKind)
Q_DECLARE_METATYPE(strikeline::upstox::OrderCall)
Q_DECLARE_METATYPE(strikeline::upstox::UpstoxError)

namespace {

QJsonObject json(const char *text)
{
    return QJsonDocument::fromJson(QByteArray(text)).object();
}

// The webhook / portfolio-stream sample of upstox-live.md §4.1, with a tag and a time.
const char *StreamSample = R"({"update_type":"order","user_id":"******","exchange":"NSE",
 "instrument_token":"NSE_EQ|INE848E01016","instrument_key":"NSE_EQ|INE848E01016",
 "trading_symbol":"NHPC-EQ","product":"D","order_type":"MARKET","average_price":0,"price":0,
 "trigger_price":0,"quantity":1,"disclosed_quantity":0,"pending_quantity":1,
 "transaction_type":"BUY","order_ref_id":"57744821658411","exchange_order_id":"",
 "parent_order_id":null,"validity":"DAY","status":"put order req received","is_amo":false,
 "variety":"SIMPLE","tag":"c-42","exchange_timestamp":null,"status_message":"",
 "order_id":"240221025997024","order_request_id":"1","order_timestamp":"2024-02-21 14:40:02",
 "filled_quantity":0,"guid":null,"placed_by":"******","status_message_raw":null})";

UpstoxError error(int status, const char *code, UpstoxErrorKind kind)
{
    UpstoxError e;
    e.httpStatus = status;
    e.code = QString::fromLatin1(code);
    e.kind = kind;
    e.message = QStringLiteral("m");
    return e;
}

} // namespace

class tst_UpstoxOrderMapping final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void status_data();
    void status();
    void streamOrderUpdate();
    void filledBookRow();
    void unreadableOrders();
    void trade();
    void placeBody();
    void modifyBody();
    void errors_data();
    void errors();
    void positionAndMargin();
};

void tst_UpstoxOrderMapping::status_data()
{
    QTest::addColumn<QString>("status");
    QTest::addColumn<BrokerOrderState>("state");
    using S = BrokerOrderState;
    const std::pair<const char *, S> rows[] = {
        {"put order req received", S::Pending},
        {"validation pending", S::Pending},
        {"open pending", S::Pending},
        {"after market order req received", S::Pending},
        {"open", S::Open},
        {"trigger pending", S::TriggerPending},
        {"modify validation pending", S::ModifyPending},
        {"modify pending", S::ModifyPending},
        {"modify after market order req received", S::ModifyPending},
        {"modified", S::Modified},
        {"not modified", S::ModifyRefused},
        {"cancel pending", S::CancelPending},
        {"not cancelled", S::CancelRefused},
        {"cancelled", S::Cancelled},
        {"cancelled after market order", S::Cancelled},
        {"complete", S::Complete},
        {"rejected", S::Rejected},
    };
    for (const auto &[status, state] : rows)
        QTest::newRow(status) << QString::fromLatin1(status) << state;
    QTest::newRow("upper case, spaces")
        << QStringLiteral("  TRIGGER PENDING ") << S::TriggerPending;
    QTest::newRow("unknown") << QStringLiteral("partially executed") << S::Unknown;
    QTest::newRow("empty") << QString() << S::Unknown;
}

void tst_UpstoxOrderMapping::status()
{
    QFETCH(QString, status);
    QFETCH(BrokerOrderState, state);
    QCOMPARE(orderStateFromStatus(status), state);
}

void tst_UpstoxOrderMapping::streamOrderUpdate()
{
    const auto u = parseOrderUpdate(json(StreamSample));
    QVERIFY(u.ok());
    QCOMPARE(u->brokerOrderId, std::string("240221025997024"));
    QCOMPARE(u->clientOrderId, std::string("c-42"));
    QCOMPARE(u->state, BrokerOrderState::Pending);
    QCOMPARE(u->brokerStatus, std::string("put order req received"));
    QCOMPARE(u->instrumentKey, std::string("NSE_EQ|INE848E01016"));
    QCOMPARE(u->type, OrderType::Market);
    QCOMPARE(u->product, Product::Delivery);
    QCOMPARE(u->quantity, 1);
    QCOMPARE(u->filledQuantity, 0);
    QVERIFY(u->parentBrokerOrderId.empty());
    QVERIFY(u->message.empty());
    // exchange_timestamp is null: the order's own time, 14:40:02 IST = 09:10:02 UTC.
    QCOMPARE(u->timeMs,
             QDateTime(QDate(2024, 2, 21), QTime(9, 10, 2), Qt::UTC).toMSecsSinceEpoch());

    // An unknown status keeps its text.
    QJsonObject odd = json(StreamSample);
    odd.insert(QStringLiteral("status"), QStringLiteral("something new"));
    const auto unknown = parseOrderUpdate(odd);
    QVERIFY(unknown.ok());
    QCOMPARE(unknown->state, BrokerOrderState::Unknown);
    QCOMPARE(unknown->brokerStatus, std::string("something new"));
}

void tst_UpstoxOrderMapping::filledBookRow()
{
    // The order book's shape, as the simulator writes it (app/sim/SimOrders.cpp orderJson).
    const auto u = parseOrderUpdate(json(R"({"exchange":"NFO","product":"I","price":101.05,
        "quantity":130,"status":"complete","tag":null,"instrument_token":"NSE_FO|59312",
        "order_type":"SL","validity":"IOC","trigger_price":"100.5","transaction_type":"SELL",
        "average_price":101.0525,"filled_quantity":130,"pending_quantity":0,
        "status_message":null,"status_message_raw":"RMS: fine","parent_order_id":"2608210001",
        "order_id":"260821000000002","order_timestamp":"2026-08-21 10:00:00",
        "exchange_timestamp":"2026-08-21 10:00:03"})"));
    QVERIFY(u.ok());
    QCOMPARE(u->state, BrokerOrderState::Complete);
    QVERIFY(u->clientOrderId.empty());
    QCOMPARE(u->side, Side::Sell);
    QCOMPARE(u->type, OrderType::StopLimit);
    QCOMPARE(u->product, Product::Intraday);
    QCOMPARE(u->validity, Validity::Ioc);
    QCOMPARE(u->filledQuantity, 130);
    QCOMPARE(u->averagePrice, Price::fromRaw(1010525));
    QCOMPARE(u->price, Price::fromRaw(1010500));
    QCOMPARE(u->trigger, Price::fromRaw(1005000));
    QCOMPARE(u->message, std::string("RMS: fine"));
    QCOMPARE(u->parentBrokerOrderId, std::string("2608210001"));
    QCOMPARE(u->timeMs,
             QDateTime(QDate(2026, 8, 21), QTime(4, 30, 3), Qt::UTC).toMSecsSinceEpoch());
}

void tst_UpstoxOrderMapping::unreadableOrders()
{
    QVERIFY(!parseOrderUpdate(json(R"({"status":"open"})")).ok());
    QVERIFY(!parseOrderUpdate(json(R"({"order_id":"1","status":null})")).ok());
    QCOMPARE(parseOrderUpdate(json(R"({"order_id":"","status":"open"})")).error().kind,
             UpstoxErrorKind::Malformed);
    QVERIFY(parseOrderUpdate(json(R"({"order_id":1,"status":"open"})")).ok()); // a numeric id
    QCOMPARE(epochMsFromIst(QJsonValue(QStringLiteral("not a time"))), 0);
    QCOMPARE(epochMsFromIst(QJsonValue(QJsonValue::Null)), 0);
}

void tst_UpstoxOrderMapping::trade()
{
    const auto t = parseTrade(json(R"({"exchange":"NFO","trade_id":"00000007",
        "order_id":"260821000000002","quantity":65,"average_price":99.95,
        "exchange_timestamp":"2026-08-21 10:00:03","order_timestamp":"2026-08-21 10:00:00"})"));
    QVERIFY(t.ok());
    QCOMPARE(t->tradeId, std::string("00000007"));
    QCOMPARE(t->brokerOrderId, std::string("260821000000002"));
    QCOMPARE(t->quantity, 65);
    QCOMPARE(t->price, Price::fromRaw(999500));
    QVERIFY(t->timeMs > 0);
    QVERIFY(!parseTrade(json(R"({"order_id":"1","quantity":1,"average_price":1})")).ok());
    QVERIFY(!parseTrade(json(R"({"trade_id":"1","order_id":"1","average_price":1})")).ok());
}

void tst_UpstoxOrderMapping::placeBody()
{
    PlaceOrderRequest r;
    r.order.instrumentKey = "NSE_FO|59312";
    r.order.side = Side::Sell;
    r.order.type = OrderType::Limit;
    r.order.product = Product::Intraday;
    r.order.quantity = 130;
    r.order.price = Price::fromRaw(1010500);
    r.order.trigger = Price::fromRaw(990000); // not a stop order: sent as 0
    r.order.clientOrderId = "c-1";
    QJsonObject body = placeOrderBody(r, AutomaticMarketProtection);
    QCOMPARE(body.value(QLatin1String("quantity")).toDouble(), 130.0);
    QCOMPARE(body.value(QLatin1String("product")).toString(), QStringLiteral("I"));
    QCOMPARE(body.value(QLatin1String("validity")).toString(), QStringLiteral("DAY"));
    QCOMPARE(body.value(QLatin1String("price")).toDouble(), 101.05);
    QCOMPARE(body.value(QLatin1String("tag")).toString(), QStringLiteral("c-1"));
    QCOMPARE(body.value(QLatin1String("instrument_token")).toString(),
             QStringLiteral("NSE_FO|59312"));
    QCOMPARE(body.value(QLatin1String("order_type")).toString(), QStringLiteral("LIMIT"));
    QCOMPARE(body.value(QLatin1String("transaction_type")).toString(), QStringLiteral("SELL"));
    QCOMPARE(body.value(QLatin1String("disclosed_quantity")).toDouble(), 0.0);
    QCOMPARE(body.value(QLatin1String("trigger_price")).toDouble(), 0.0);
    QCOMPARE(body.value(QLatin1String("is_amo")).toBool(true), false);
    QCOMPARE(body.value(QLatin1String("slice")).toBool(true), false);
    QVERIFY(!body.contains(QLatin1String("market_protection"))); // LIMIT: none

    r.order.type = OrderType::StopMarket;
    r.slice = true;
    body = placeOrderBody(r, AutomaticMarketProtection);
    QCOMPARE(body.value(QLatin1String("order_type")).toString(), QStringLiteral("SL-M"));
    QCOMPARE(body.value(QLatin1String("price")).toDouble(), 0.0);
    QCOMPARE(body.value(QLatin1String("trigger_price")).toDouble(), 99.0);
    QCOMPARE(body.value(QLatin1String("slice")).toBool(), true);
    QCOMPARE(body.value(QLatin1String("market_protection")).toInt(), -1);
}

void tst_UpstoxOrderMapping::modifyBody()
{
    ModifyOrderRequest m;
    m.brokerOrderId = "260821000000002";
    m.type = OrderType::StopLimit;
    m.validity = Validity::Day;
    m.quantity = 65;
    m.price = Price::fromRupees(100);
    m.trigger = Price::fromRaw(1002500);
    const QJsonObject body = modifyOrderBody(m, 5);
    QCOMPARE(body.value(QLatin1String("order_id")).toString(), QStringLiteral("260821000000002"));
    QCOMPARE(body.value(QLatin1String("order_type")).toString(), QStringLiteral("SL"));
    QCOMPARE(body.value(QLatin1String("quantity")).toDouble(), 65.0);
    QCOMPARE(body.value(QLatin1String("price")).toDouble(), 100.0);
    QCOMPARE(body.value(QLatin1String("trigger_price")).toDouble(), 100.25);
    QVERIFY(!body.contains(QLatin1String("disclosed_quantity")));
    QVERIFY(!body.contains(QLatin1String("market_protection")));
    m.type = OrderType::Market;
    QCOMPARE(modifyOrderBody(m, 5).value(QLatin1String("market_protection")).toInt(), 5);
}

void tst_UpstoxOrderMapping::errors_data()
{
    QTest::addColumn<UpstoxError>("error");
    QTest::addColumn<OrderCall>("call");
    QTest::addColumn<ReplyOutcome>("outcome");
    QTest::addColumn<RefusalKind>("refusal");
    using K = UpstoxErrorKind;
    using C = OrderCall;
    using R = RefusalKind;
    const auto refused = ReplyOutcome::Refused;
    const auto ambiguous = ReplyOutcome::Ambiguous;
    QTest::newRow("timeout") << error(0, "", K::Network) << C::Place << ambiguous << R::None;
    QTest::newRow("5xx place") << error(500, "UDAPI100500", K::Server) << C::Place << ambiguous
                               << R::None;
    QTest::newRow("503 cancel") << error(503, "", K::Server) << C::Cancel << ambiguous << R::None;
    QTest::newRow("2xx unreadable")
        << error(200, "", K::Malformed) << C::Place << ambiguous << R::None;
    QTest::newRow("URL refused") << error(0, "", K::Input) << C::Place << refused << R::Network;
    QTest::newRow("429") << error(429, "UDAPI10005", K::RateLimit) << C::Place << refused
                         << R::RateLimited;
    QTest::newRow("static IP") << error(403, "UDAPI1154", K::StaticIp) << C::Modify << refused
                               << R::StaticIpRequired;
    QTest::newRow("token") << error(401, "UDAPI100050", K::Token) << C::Place << refused
                           << R::SessionExpired;
    QTest::newRow("funds") << error(400, "", K::Funds) << C::Place << refused
                           << R::InsufficientFunds;
    QTest::newRow("market closed")
        << error(400, "", K::MarketClosed) << C::Place << refused << R::MarketClosed;
    QTest::newRow("invalid") << error(400, "UDAPI100036", K::Input) << C::Place << refused
                             << R::Rejected;
    QTest::newRow("cancel closed")
        << error(400, "UDAPI100040", K::Order) << C::Cancel << refused << R::NotModifiable;
    QTest::newRow("modify closed")
        << error(400, "UDAPI1055", K::Order) << C::Modify << refused << R::NotModifiable;
    QTest::newRow("cancel unknown")
        << error(400, "UDAPI100010", K::NotFound) << C::Cancel << refused << R::NotModifiable;
    QTest::newRow("place unknown key")
        << error(400, "UDAPI1011", K::Input) << C::Place << refused << R::Rejected;
}

void tst_UpstoxOrderMapping::errors()
{
    QFETCH(UpstoxError, error);
    QFETCH(OrderCall, call);
    QFETCH(ReplyOutcome, outcome);
    QFETCH(RefusalKind, refusal);
    const GatewayReply reply = replyFromError(9, error, call);
    QCOMPARE(reply.request, 9u);
    QCOMPARE(reply.outcome, outcome);
    QCOMPARE(reply.refusal, refusal);
    QCOMPARE(reply.brokerCode, error.code.toStdString());
    QVERIFY(!reply.message.empty());
    QVERIFY(reply.brokerOrderIds.empty());
}

void tst_UpstoxOrderMapping::positionAndMargin()
{
    const auto p = parsePosition(json(R"({"exchange":"NFO","multiplier":1,"value":-1300.5,
        "pnl":-12.25,"product":"D","instrument_token":"NSE_FO|59312","average_price":100.02,
        "buy_value":1300.5,"overnight_quantity":0,"day_buy_quantity":13,"day_sell_quantity":0,
        "overnight_buy_quantity":0,"overnight_sell_quantity":0,"quantity":-13,
        "last_price":99.1,"unrealised":-12.25,"realised":0,"sell_value":0,
        "trading_symbol":"NIFTY 26000 CE","close_price":98})"));
    QVERIFY(p.ok());
    QCOMPARE(p->instrumentKey, QStringLiteral("NSE_FO|59312"));
    QCOMPARE(p->tradingSymbol, QStringLiteral("NIFTY 26000 CE"));
    QCOMPARE(p->quantity, -13);
    QCOMPARE(p->buyQuantity, 13);
    QCOMPARE(p->buyValue, Money::fromRaw(13005000));
    QCOMPARE(p->unrealised, Money::fromRaw(-122500));
    QCOMPARE(p->averagePrice, Price::fromRaw(1000200));
    QVERIFY(!parsePosition(json(R"({"quantity":1})")).ok());

    const auto m = parseMargin(QJsonValue(json(R"({"margins":[{"span_margin":1000.5,
        "exposure_margin":250,"equity_margin":0,"net_buy_premium":0,"additional_margin":0,
        "total_margin":1250.5,"tender_margin":0}],"required_margin":1250.5,
        "final_margin":1200})")));
    QVERIFY(m.ok());
    QCOMPARE(m->legs.size(), 1u);
    QCOMPARE(m->legs[0].span, Money::fromRaw(10005000));
    QCOMPARE(m->legs[0].total, Money::fromRaw(12505000));
    QCOMPARE(m->required, Money::fromRaw(12505000));
    QCOMPARE(m->final, Money::fromRupees(1200));
    QVERIFY(!parseMargin(QJsonValue(json(R"({"margins":[]})"))).ok());
}

QTEST_GUILESS_MAIN(tst_UpstoxOrderMapping)
#include "tst_upstoxordermapping.moc"
