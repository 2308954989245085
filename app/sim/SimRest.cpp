#include "SimRest.h"

#include "SimAuth.h"
#include "SimContext.h"
#include "SimOrders.h"
#include "common/IstTime.h"
#include "instruments/InstrumentRepository.h"
#include "marketdata/SimulatedMarket.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

#include <chrono>
#include <cmath>

namespace strikeline::sim {

namespace {

double round2(double v)
{
    return std::round(v * 100.0) / 100.0;
}

double round4(double v)
{
    return std::round(v * 10000.0) / 10000.0;
}

QString qs(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

ApiError badRequest(const QString &code, const QString &message, const QString &property = {},
                    const QJsonValue &value = QJsonValue::Null)
{
    return {400, code, message, property, value};
}

ApiError methodNotAllowed()
{
    return {405,
            QStringLiteral("UDAPI100060"),
            QStringLiteral("Method not allowed"),
            {},
            QJsonValue::Null};
}

// {"status":"success","data":...,"metadata":{"latency":N}}: the v3 order answers.
HttpResponse withLatency(const QJsonObject &data, std::chrono::steady_clock::time_point start)
{
    const auto latency = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - start)
                             .count();
    return HttpResponse::json(
        {{QStringLiteral("status"), QStringLiteral("success")},
         {QStringLiteral("data"), data},
         {QStringLiteral("metadata"),
          QJsonObject{{QStringLiteral("latency"), static_cast<double>(latency)}}}});
}

std::optional<QJsonObject> jsonBody(const HttpRequest &request, ApiError &error)
{
    QJsonParseError parse;
    const QJsonDocument doc = QJsonDocument::fromJson(request.body, &parse);
    if (parse.error != QJsonParseError::NoError || !doc.isObject()) {
        error = badRequest(QStringLiteral("UDAPI100038"),
                           QStringLiteral("Invalid request body: %1")
                               .arg(parse.error != QJsonParseError::NoError
                                        ? parse.errorString()
                                        : QStringLiteral("expected a JSON object")));
        return std::nullopt;
    }
    return doc.object();
}

QJsonObject depthJson(const ContractMarket &m)
{
    QJsonArray buy;
    QJsonArray sell;
    for (const DepthLevel &l : m.bids)
        buy.append(QJsonObject{{QStringLiteral("quantity"), static_cast<double>(l.quantity)},
                               {QStringLiteral("price"), l.price.toDouble()},
                               {QStringLiteral("orders"), l.orders}});
    for (const DepthLevel &l : m.asks)
        sell.append(QJsonObject{{QStringLiteral("quantity"), static_cast<double>(l.quantity)},
                                {QStringLiteral("price"), l.price.toDouble()},
                                {QStringLiteral("orders"), l.orders}});
    return {{QStringLiteral("buy"), buy}, {QStringLiteral("sell"), sell}};
}

std::optional<Segment> derivativeSegmentFor(Segment spot)
{
    switch (spot) {
    case Segment::NseEq:
    case Segment::NseIndex:
        return Segment::NseFo;
    case Segment::BseEq:
    case Segment::BseIndex:
        return Segment::BseFo;
    case Segment::McxIndex:
        return Segment::McxFo;
    default:
        return std::nullopt;
    }
}

} // namespace

SimRest::SimRest(SimContext &context, const SimUser &user, SimOrders &orders)
    : m_context(context)
    , m_user(user)
    , m_orders(orders)
    , m_view(context)
{}

bool SimRest::isOrderEndpoint(const QString &path)
{
    return path == QLatin1String("/v3/order/place") || path == QLatin1String("/v3/order/modify") ||
           path == QLatin1String("/v3/order/cancel") || path == QLatin1String("/v2/order/place") ||
           path == QLatin1String("/v2/order/modify") || path == QLatin1String("/v2/order/cancel");
}

std::optional<HttpResponse> SimRest::handle(const HttpRequest &r)
{
    const QString &p = r.path;
    const bool get = r.method == "GET";
    const auto only = [&](const char *method, auto &&handler) -> HttpResponse {
        if (r.method != method)
            return methodNotAllowed().toResponse();
        return handler();
    };
    if (p == QLatin1String("/v2/user/profile"))
        return only("GET", [&] { return profile(); });
    if (p == QLatin1String("/v2/user/get-funds-and-margin"))
        return only("GET", [&] { return funds(r); });
    if (p == QLatin1String("/v2/market-quote/quotes"))
        return only("GET", [&] { return quotes(r); });
    if (p == QLatin1String("/v3/market-quote/ltp"))
        return only("GET", [&] { return ltp(r); });
    if (p == QLatin1String("/v3/market-quote/option-greek"))
        return only("GET", [&] { return optionGreeks(r); });
    if (p == QLatin1String("/v2/option/chain"))
        return only("GET", [&] { return optionChain(r); });
    if (p == QLatin1String("/v2/option/contract"))
        return only("GET", [&] { return optionContracts(r); });
    if (p.startsWith(QLatin1String("/v2/market/timings/")))
        return only("GET", [&] { return marketTimings(p.mid(19)); });
    if (p == QLatin1String("/v2/market/holidays") ||
        p.startsWith(QLatin1String("/v2/market/holidays/")))
        return only("GET", [&] { return holidays(); });
    if (p == QLatin1String("/v3/order/place"))
        return only("POST", [&] { return place(r); });
    if (p == QLatin1String("/v3/order/modify"))
        return only("PUT", [&] { return modify(r); });
    if (p == QLatin1String("/v3/order/cancel"))
        return only("DELETE", [&] { return cancel(r); });
    // The v2 order API (deprecated by Upstox, still in the SDKs): the same orders, one id.
    if (p == QLatin1String("/v2/order/place"))
        return only("POST", [&] { return placeV2(r); });
    if (p == QLatin1String("/v2/order/modify"))
        return only("PUT", [&] { return modify(r); });
    if (p == QLatin1String("/v2/order/cancel"))
        return only("DELETE", [&] { return cancel(r); });
    if (p == QLatin1String("/v2/order/trades"))
        return only("GET", [&] { return orderTrades(r); });
    if (p == QLatin1String("/v2/order/retrieve-all"))
        return only("GET", [&] { return upstoxSuccess(m_orders.orderBook()); });
    if (p == QLatin1String("/v2/order/details"))
        return only("GET", [&] { return orderDetails(r); });
    if (p == QLatin1String("/v2/order/history"))
        return only("GET", [&] { return orderHistory(r); });
    if (p == QLatin1String("/v2/order/trades/get-trades-for-day"))
        return only("GET", [&] { return upstoxSuccess(m_orders.tradesForDay()); });
    if (p == QLatin1String("/v2/portfolio/short-term-positions"))
        return only("GET", [&] { return upstoxSuccess(m_orders.positions()); });
    if (p == QLatin1String("/v2/charges/margin"))
        return only("POST", [&] { return margin(r); });
    Q_UNUSED(get);
    return std::nullopt;
}

HttpResponse SimRest::profile() const
{
    return upstoxSuccess(m_user.profileJson());
}

HttpResponse SimRest::funds(const HttpRequest &r) const
{
    const QString segment = r.query.queryItemValue(QStringLiteral("segment"));
    if (!segment.isEmpty() && segment != QLatin1String("SEC") && segment != QLatin1String("COM"))
        return badRequest(QStringLiteral("UDAPI100036"),
                          QStringLiteral("segment must be SEC or COM"), QStringLiteral("segment"),
                          segment)
            .toResponse();
    // Since 2025-07-19 the equity object holds the combined funds; commodity reads zero.
    QJsonObject commodity;
    for (const char *field : {"used_margin", "payin_amount", "span_margin", "adhoc_margin",
                              "notional_cash", "available_margin", "exposure_margin"})
        commodity.insert(QLatin1String(field), 0);
    QJsonObject data;
    if (segment != QLatin1String("COM"))
        data.insert(QStringLiteral("equity"), m_orders.equityFunds());
    if (segment != QLatin1String("SEC"))
        data.insert(QStringLiteral("commodity"), commodity);
    return upstoxSuccess(data);
}

std::variant<std::vector<InstrumentId>, ApiError> SimRest::keys(const HttpRequest &r,
                                                                int limit) const
{
    // Upstox documents instrument_key; the Node SDK's v2 quote calls send `symbol` (the SDK
    // wins: both are read, docs/upstox-sim.md).
    const QString raw =
        r.query.hasQueryItem(QStringLiteral("instrument_key"))
            ? r.query.queryItemValue(QStringLiteral("instrument_key"), QUrl::FullyDecoded)
            : r.query.queryItemValue(QStringLiteral("symbol"), QUrl::FullyDecoded);
    if (raw.trimmed().isEmpty())
        return badRequest(QStringLiteral("UDAPI1009"), QStringLiteral("instrument_key is required"),
                          QStringLiteral("instrument_key"));
    const QStringList list = raw.split(u',', Qt::SkipEmptyParts);
    if (list.size() > limit)
        return badRequest(QStringLiteral("UDAPI1087"),
                          QStringLiteral("Maximum %1 instrument keys are allowed (got %2)")
                              .arg(limit)
                              .arg(list.size()),
                          QStringLiteral("instrument_key"));
    const SnapshotPtr snapshot = m_context.instruments.snapshot();
    std::vector<InstrumentId> ids;
    for (const QString &key : list) {
        const auto id = snapshot->findByKey(key.trimmed().toStdString());
        if (!id)
            return badRequest(QStringLiteral("UDAPI1011"),
                              QStringLiteral("Invalid Instrument key: %1").arg(key),
                              QStringLiteral("instrument_key"), key);
        ids.push_back(*id);
    }
    return ids;
}

QString SimRest::quoteKey(InstrumentId id) const
{
    const InstrumentView v = m_context.instruments.snapshot()->instrument(id);
    return qs(segmentName(v.segment())) + u':' + qs(v.tradingSymbol());
}

HttpResponse SimRest::quotes(const HttpRequest &r) const
{
    const auto ids = keys(r, 500);
    if (const auto *error = std::get_if<ApiError>(&ids))
        return error->toResponse();
    const SnapshotPtr snapshot = m_context.instruments.snapshot();
    QJsonObject data;
    for (const InstrumentId id : std::get<std::vector<InstrumentId>>(ids)) {
        const auto m = m_view.contract(*snapshot, id);
        if (!m)
            continue; // no price (an index without options to take a level from)
        const InstrumentView v = snapshot->instrument(id);
        const double last = m->quote.last.toDouble();
        const double close = m->quote.previousClose.toDouble();
        data.insert(
            quoteKey(id),
            QJsonObject{
                {QStringLiteral("ohlc"), QJsonObject{{QStringLiteral("open"), m->open.toDouble()},
                                                     {QStringLiteral("high"), m->high.toDouble()},
                                                     {QStringLiteral("low"), m->low.toDouble()},
                                                     {QStringLiteral("close"), close}}},
                {QStringLiteral("depth"), depthJson(*m)},
                {QStringLiteral("timestamp"),
                 QDateTime::fromMSecsSinceEpoch(m_context.clock.now().epochMs, Qt::OffsetFromUTC,
                                                IstOffsetSeconds)
                     .toString(Qt::ISODateWithMs)},
                {QStringLiteral("instrument_token"), qs(v.instrumentKey())},
                {QStringLiteral("symbol"), qs(v.tradingSymbol())},
                {QStringLiteral("last_price"), last},
                {QStringLiteral("volume"), static_cast<double>(m->volume)},
                {QStringLiteral("average_price"), round2(m->averagePrice)},
                {QStringLiteral("oi"), static_cast<double>(m->oi)},
                {QStringLiteral("net_change"), round2(last - close)},
                {QStringLiteral("total_buy_quantity"), static_cast<double>(m->totalBuyQuantity)},
                {QStringLiteral("total_sell_quantity"), static_cast<double>(m->totalSellQuantity)},
                {QStringLiteral("lower_circuit_limit"),
                 m->quote.lowerCircuit ? QJsonValue(m->quote.lowerCircuit->toDouble())
                                       : QJsonValue(0.0)},
                {QStringLiteral("upper_circuit_limit"),
                 m->quote.upperCircuit ? QJsonValue(m->quote.upperCircuit->toDouble())
                                       : QJsonValue(0.0)},
                {QStringLiteral("last_trade_time"), QString::number(m->quote.timeMs)},
                {QStringLiteral("oi_day_high"), static_cast<double>(m->oiDayHigh)},
                {QStringLiteral("oi_day_low"), static_cast<double>(m->oiDayLow)},
            });
    }
    return upstoxSuccess(data);
}

HttpResponse SimRest::ltp(const HttpRequest &r) const
{
    const auto ids = keys(r, 500);
    if (const auto *error = std::get_if<ApiError>(&ids))
        return error->toResponse();
    const SnapshotPtr snapshot = m_context.instruments.snapshot();
    QJsonObject data;
    for (const InstrumentId id : std::get<std::vector<InstrumentId>>(ids)) {
        const auto m = m_view.contract(*snapshot, id);
        if (!m)
            continue;
        data.insert(quoteKey(id),
                    QJsonObject{{QStringLiteral("last_price"), m->quote.last.toDouble()},
                                {QStringLiteral("instrument_token"),
                                 qs(snapshot->instrument(id).instrumentKey())},
                                {QStringLiteral("ltq"), static_cast<double>(m->lastQuantity)},
                                {QStringLiteral("volume"), static_cast<double>(m->volume)},
                                {QStringLiteral("cp"), m->quote.previousClose.toDouble()}});
    }
    return upstoxSuccess(data);
}

HttpResponse SimRest::optionGreeks(const HttpRequest &r) const
{
    const auto ids = keys(r, 50);
    if (const auto *error = std::get_if<ApiError>(&ids))
        return error->toResponse();
    const SnapshotPtr snapshot = m_context.instruments.snapshot();
    QJsonObject data;
    for (const InstrumentId id : std::get<std::vector<InstrumentId>>(ids)) {
        const auto m = m_view.contract(*snapshot, id);
        if (!m)
            continue;
        const OptionGreeksView g = m->greeks.value_or(OptionGreeksView{});
        data.insert(quoteKey(id),
                    QJsonObject{{QStringLiteral("last_price"), m->quote.last.toDouble()},
                                {QStringLiteral("instrument_token"),
                                 qs(snapshot->instrument(id).instrumentKey())},
                                {QStringLiteral("ltq"), static_cast<double>(m->lastQuantity)},
                                {QStringLiteral("volume"), static_cast<double>(m->volume)},
                                {QStringLiteral("cp"), m->quote.previousClose.toDouble()},
                                {QStringLiteral("iv"), round2(g.iv)},
                                {QStringLiteral("vega"), round4(g.vega)},
                                {QStringLiteral("gamma"), round4(g.gamma)},
                                {QStringLiteral("theta"), round4(g.theta)},
                                {QStringLiteral("delta"), round4(g.delta)},
                                {QStringLiteral("oi"), static_cast<double>(m->oi)}});
    }
    return upstoxSuccess(data);
}

namespace {

// The underlying an option request names by its spot's instrument_key (an index or an equity):
// Upstox's 400 for an unknown key; no underlying (an empty answer) when it has no derivatives.
struct OptionUnderlying
{
    std::optional<ApiError> error;
    InstrumentId spot = 0; // valid without an error
    std::optional<UnderlyingId> id;
};

OptionUnderlying optionUnderlying(const InstrumentSnapshot &snapshot, const QString &key)
{
    const auto spotId = snapshot.findByKey(key.toStdString());
    if (!spotId)
        return {badRequest(QStringLiteral("UDAPI1011"),
                           QStringLiteral("Invalid Instrument key: %1").arg(key),
                           QStringLiteral("instrument_key"), key),
                0, std::nullopt};
    const InstrumentView spot = snapshot.instrument(*spotId);
    const auto segment = derivativeSegmentFor(spot.segment());
    if (!segment)
        return {std::nullopt, *spotId, std::nullopt};
    return {std::nullopt, *spotId,
            snapshot.findUnderlying(spot.underlyingSymbol().empty() ? spot.tradingSymbol()
                                                                    : spot.underlyingSymbol(),
                                    segment)};
}

} // namespace

HttpResponse SimRest::optionChain(const HttpRequest &r) const
{
    const SnapshotPtr snapshot = m_context.instruments.snapshot();
    const QString key =
        r.query.queryItemValue(QStringLiteral("instrument_key"), QUrl::FullyDecoded);
    const QString expiryText = r.query.queryItemValue(QStringLiteral("expiry_date"));
    if (key.isEmpty())
        return badRequest(QStringLiteral("UDAPI1009"), QStringLiteral("instrument_key is required"),
                          QStringLiteral("instrument_key"))
            .toResponse();
    if (expiryText.isEmpty())
        return badRequest(QStringLiteral("UDAPI100036"), QStringLiteral("expiry_date is required"),
                          QStringLiteral("expiry_date"))
            .toResponse();
    const QDate expiryDate = QDate::fromString(expiryText, Qt::ISODate);
    if (!expiryDate.isValid())
        return badRequest(QStringLiteral("UDAPI100036"),
                          QStringLiteral("expiry_date must be YYYY-MM-DD"),
                          QStringLiteral("expiry_date"), expiryText)
            .toResponse();
    const OptionUnderlying found = optionUnderlying(*snapshot, key);
    if (found.error)
        return found.error->toResponse();
    const InstrumentView spot = snapshot->instrument(found.spot);
    const std::optional<UnderlyingId> &underlying = found.id;
    QJsonArray rows;
    if (!underlying)
        return upstoxSuccess(rows);
    ChainRequest request;
    request.underlying = *underlying;
    request.expiry = fromQDate(expiryDate);
    request.today = m_context.clock.now().day();
    const auto chain = snapshot->chain(request);
    if (!chain || chain->expiry != request.expiry)
        return upstoxSuccess(rows); // Upstox answers an expiry with no contracts with an empty list
    const auto spotQuote = m_context.market.quote(spot.instrumentKey());
    const double spotPrice = spotQuote ? spotQuote->last.toDouble() : 0.0;
    const auto side = [&](InstrumentId id, std::int64_t &oi) -> QJsonValue {
        if (id == NoId)
            return QJsonValue::Null;
        const auto m = m_view.contract(*snapshot, id);
        if (!m)
            return QJsonValue::Null;
        oi = m->oi;
        const OptionGreeksView g = m->greeks.value_or(OptionGreeksView{});
        return QJsonObject{
            {QStringLiteral("instrument_key"), qs(snapshot->instrument(id).instrumentKey())},
            {QStringLiteral("market_data"),
             QJsonObject{{QStringLiteral("ltp"), m->quote.last.toDouble()},
                         {QStringLiteral("volume"), static_cast<double>(m->volume)},
                         {QStringLiteral("oi"), static_cast<double>(m->oi)},
                         {QStringLiteral("close_price"), m->quote.previousClose.toDouble()},
                         {QStringLiteral("bid_price"), m->bids[0].price.toDouble()},
                         {QStringLiteral("bid_qty"), static_cast<double>(m->bids[0].quantity)},
                         {QStringLiteral("ask_price"), m->asks[0].price.toDouble()},
                         {QStringLiteral("ask_qty"), static_cast<double>(m->asks[0].quantity)},
                         {QStringLiteral("prev_oi"), static_cast<double>(m->prevOi)}}},
            {QStringLiteral("option_greeks"),
             QJsonObject{{QStringLiteral("vega"), round4(g.vega)},
                         {QStringLiteral("theta"), round4(g.theta)},
                         {QStringLiteral("gamma"), round4(g.gamma)},
                         {QStringLiteral("delta"), round4(g.delta)},
                         {QStringLiteral("iv"), round2(g.iv)},
                         {QStringLiteral("pop"), round2(g.pop)}}},
        };
    };
    for (const detail::StrikeRow &row : chain->rows) {
        std::int64_t callOi = 0;
        std::int64_t putOi = 0;
        const QJsonValue call = side(row.call, callOi);
        const QJsonValue put = side(row.put, putOi);
        rows.append(QJsonObject{
            {QStringLiteral("expiry"), expiryText},
            {QStringLiteral("pcr"),
             callOi > 0 ? round4(static_cast<double>(putOi) / static_cast<double>(callOi)) : 0.0},
            {QStringLiteral("strike_price"), Price::fromRaw(row.strike).toDouble()},
            {QStringLiteral("underlying_key"), key},
            {QStringLiteral("underlying_spot_price"), spotPrice},
            {QStringLiteral("call_options"), call},
            {QStringLiteral("put_options"), put},
        });
    }
    return upstoxSuccess(rows);
}

HttpResponse SimRest::optionContracts(const HttpRequest &r) const
{
    const SnapshotPtr snapshot = m_context.instruments.snapshot();
    const QString key =
        r.query.queryItemValue(QStringLiteral("instrument_key"), QUrl::FullyDecoded);
    if (key.isEmpty())
        return badRequest(QStringLiteral("UDAPI1009"), QStringLiteral("instrument_key is required"),
                          QStringLiteral("instrument_key"))
            .toResponse();
    const QString expiryText = r.query.queryItemValue(QStringLiteral("expiry_date"));
    const QDate expiryDate = QDate::fromString(expiryText, Qt::ISODate);
    if (!expiryText.isEmpty() && !expiryDate.isValid())
        return badRequest(QStringLiteral("UDAPI100036"),
                          QStringLiteral("expiry_date must be YYYY-MM-DD"),
                          QStringLiteral("expiry_date"), expiryText)
            .toResponse();
    const OptionUnderlying found = optionUnderlying(*snapshot, key);
    if (found.error)
        return found.error->toResponse();
    const InstrumentView spot = snapshot->instrument(found.spot);
    const std::optional<UnderlyingId> &underlying = found.id;
    QJsonArray out;
    if (!underlying)
        return upstoxSuccess(out);
    const EpochDay today = m_context.clock.now().day();
    const auto contractJson = [&](InstrumentId id) {
        const InstrumentView v = snapshot->instrument(id);
        return QJsonObject{
            {QStringLiteral("name"), qs(v.name())},
            {QStringLiteral("segment"), qs(segmentName(v.segment()))},
            {QStringLiteral("exchange"), qs(segmentName(v.segment())).section(u'_', 0, 0)},
            {QStringLiteral("expiry"), formatIsoDay(v.expiry())},
            {QStringLiteral("weekly"), v.weekly()},
            {QStringLiteral("instrument_key"), qs(v.instrumentKey())},
            {QStringLiteral("exchange_token"), QString::number(v.exchangeToken())},
            {QStringLiteral("trading_symbol"), qs(v.tradingSymbol())},
            // Upstox gives tick_size in paise (5.0 = Rs 0.05), as the master does.
            {QStringLiteral("tick_size"), v.tickSize().toDouble() * 100.0},
            {QStringLiteral("lot_size"), v.lotSize()},
            {QStringLiteral("instrument_type"), qs(v.typeCode())},
            {QStringLiteral("freeze_quantity"), v.freezeQuantity()},
            {QStringLiteral("underlying_key"), qs(v.underlyingKey())},
            {QStringLiteral("underlying_type"),
             isIndexSegment(spot.segment()) ? QStringLiteral("INDEX") : QStringLiteral("EQUITY")},
            {QStringLiteral("underlying_symbol"), qs(v.underlyingSymbol())},
            {QStringLiteral("strike_price"), v.strike().toDouble()},
            {QStringLiteral("minimum_lot"), v.lotSize()},
            {QStringLiteral("qty_multiplier"), v.qtyMultiplier()},
        };
    };
    const UnderlyingId underlyingId = *underlying;
    for (const ExpiryInfo &expiry : snapshot->expiries(underlyingId, today)) {
        if (expiryDate.isValid() && expiry.day != fromQDate(expiryDate))
            continue;
        ChainRequest request;
        request.underlying = underlyingId;
        request.expiry = expiry.day;
        request.today = today;
        const auto chain = snapshot->chain(request);
        if (!chain)
            continue;
        for (const detail::StrikeRow &row : chain->rows) {
            if (row.call != NoId)
                out.append(contractJson(row.call));
            if (row.put != NoId)
                out.append(contractJson(row.put));
        }
    }
    return upstoxSuccess(out);
}

HttpResponse SimRest::marketTimings(const QString &dateText) const
{
    const QDate date = QDate::fromString(dateText, Qt::ISODate);
    if (!date.isValid())
        return badRequest(QStringLiteral("UDAPI100036"), QStringLiteral("date must be YYYY-MM-DD"),
                          QStringLiteral("date"), dateText)
            .toResponse();
    QJsonArray out;
    if (date.dayOfWeek() >= 6)
        return upstoxSuccess(out); // a weekend: no session (the simulator knows no other holidays)
    const EpochDay day = fromQDate(date);
    const auto session = [&](const char *exchange, int open, int close) {
        out.append(QJsonObject{
            {QStringLiteral("exchange"), QLatin1String(exchange)},
            {QStringLiteral("start_time"),
             static_cast<double>(IstMoment::fromDay(day, open).epochMs)},
            {QStringLiteral("end_time"),
             static_cast<double>(IstMoment::fromDay(day, close).epochMs)},
        });
    };
    for (const char *exchange : {"NSE", "NFO", "BSE", "BFO"})
        session(exchange, 9 * 60 + 15, 15 * 60 + 30);
    session("MCX", 9 * 60, 23 * 60 + 30);
    session("CDS", 9 * 60, 17 * 60);
    session("BCD", 9 * 60, 17 * 60);
    return upstoxSuccess(out);
}

HttpResponse SimRest::holidays() const
{
    // The simulator trades every weekday, as core's market hours do: it knows no holidays.
    return upstoxSuccess(QJsonArray{});
}

HttpResponse SimRest::place(const HttpRequest &r)
{
    const auto start = std::chrono::steady_clock::now();
    ApiError error;
    const auto body = jsonBody(r, error);
    if (!body)
        return error.toResponse();
    auto result = m_orders.place(*body);
    if (const auto *e = std::get_if<ApiError>(&result))
        return e->toResponse();
    return withLatency(
        {{QStringLiteral("order_ids"), QJsonArray::fromStringList(std::get<QStringList>(result))}},
        start);
}

HttpResponse SimRest::placeV2(const HttpRequest &r)
{
    ApiError error;
    auto body = jsonBody(r, error);
    if (!body)
        return error.toResponse();
    body->remove(QStringLiteral("slice")); // v2 never slices
    auto result = m_orders.place(*body);
    if (const auto *e = std::get_if<ApiError>(&result))
        return e->toResponse();
    return upstoxSuccess(
        QJsonObject{{QStringLiteral("order_id"), std::get<QStringList>(result).value(0)}});
}

HttpResponse SimRest::orderTrades(const HttpRequest &r) const
{
    const QString orderId = r.query.queryItemValue(QStringLiteral("order_id"));
    if (orderId.isEmpty())
        return badRequest(QStringLiteral("UDAPI1023"), QStringLiteral("Order id is required"),
                          QStringLiteral("order_id"))
            .toResponse();
    if (!m_orders.orderDetails(orderId))
        return badRequest(QStringLiteral("UDAPI100010"), QStringLiteral("Order not found"),
                          QStringLiteral("order_id"), orderId)
            .toResponse();
    QJsonArray trades;
    for (const QJsonValue &t : m_orders.tradesForDay())
        if (t.toObject().value(QStringLiteral("order_id")).toString() == orderId)
            trades.append(t);
    return upstoxSuccess(trades);
}

HttpResponse SimRest::modify(const HttpRequest &r)
{
    const auto start = std::chrono::steady_clock::now();
    ApiError error;
    const auto body = jsonBody(r, error);
    if (!body)
        return error.toResponse();
    auto result = m_orders.modify(*body);
    if (const auto *e = std::get_if<ApiError>(&result))
        return e->toResponse();
    return withLatency({{QStringLiteral("order_id"), std::get<QString>(result)}}, start);
}

HttpResponse SimRest::cancel(const HttpRequest &r)
{
    const auto start = std::chrono::steady_clock::now();
    const QString orderId = r.query.queryItemValue(QStringLiteral("order_id"));
    if (const auto e = m_orders.cancel(orderId))
        return e->toResponse();
    return withLatency({{QStringLiteral("order_id"), orderId}}, start);
}

HttpResponse SimRest::orderDetails(const HttpRequest &r) const
{
    const QString orderId = r.query.queryItemValue(QStringLiteral("order_id"));
    if (orderId.isEmpty())
        return badRequest(QStringLiteral("UDAPI1023"), QStringLiteral("Order id is required"),
                          QStringLiteral("order_id"))
            .toResponse();
    const auto order = m_orders.orderDetails(orderId);
    if (!order)
        return badRequest(QStringLiteral("UDAPI100010"), QStringLiteral("Order not found"),
                          QStringLiteral("order_id"), orderId)
            .toResponse();
    return upstoxSuccess(*order);
}

HttpResponse SimRest::orderHistory(const HttpRequest &r) const
{
    const QString orderId = r.query.queryItemValue(QStringLiteral("order_id"));
    const QString tag = r.query.queryItemValue(QStringLiteral("tag"), QUrl::FullyDecoded);
    if (orderId.isEmpty() && tag.isEmpty())
        return badRequest(QStringLiteral("UDAPI1023"),
                          QStringLiteral("Either order_id or tag is required"),
                          QStringLiteral("order_id"))
            .toResponse();
    const QJsonArray history = m_orders.history(orderId, tag);
    if (history.isEmpty())
        return badRequest(QStringLiteral("UDAPI100010"), QStringLiteral("Order not found"),
                          orderId.isEmpty() ? QStringLiteral("tag") : QStringLiteral("order_id"),
                          orderId.isEmpty() ? tag : orderId)
            .toResponse();
    return upstoxSuccess(history);
}

HttpResponse SimRest::margin(const HttpRequest &r) const
{
    ApiError error;
    const auto body = jsonBody(r, error);
    if (!body)
        return error.toResponse();
    const QJsonValue instruments = body->value(QStringLiteral("instruments"));
    if (!instruments.isArray() || instruments.toArray().isEmpty())
        return badRequest(QStringLiteral("UDAPI100036"), QStringLiteral("instruments is required"),
                          QStringLiteral("instruments"))
            .toResponse();
    if (instruments.toArray().size() > 20)
        return badRequest(QStringLiteral("UDAPI100036"),
                          QStringLiteral("At most 20 instruments are allowed"),
                          QStringLiteral("instruments"))
            .toResponse();
    const SnapshotPtr snapshot = m_context.instruments.snapshot();
    QJsonArray margins;
    Money required;
    int index = 0;
    for (const QJsonValue &item : instruments.toArray()) {
        const QString path = QStringLiteral("instruments[%1]").arg(index++);
        const QJsonObject o = item.toObject();
        const QString key = o.value(QStringLiteral("instrument_key")).toString();
        const auto id = snapshot->findByKey(key.toStdString());
        if (!id)
            return badRequest(QStringLiteral("UDAPI1011"),
                              QStringLiteral("Invalid Instrument key: %1").arg(key),
                              path + QStringLiteral(".instrument_key"), key)
                .toResponse();
        const QJsonValue quantity = o.value(QStringLiteral("quantity"));
        const InstrumentView v = snapshot->instrument(*id);
        const auto qty = static_cast<std::int64_t>(quantity.toDouble());
        if (!quantity.isDouble() || qty <= 0 ||
            (v.quantityUnit() == QuantityUnit::Units && v.lotSize() > 0 && qty % v.lotSize() != 0))
            return badRequest(
                       QStringLiteral("UDAPI100036"),
                       QStringLiteral("quantity must be a positive multiple of the lot size %1")
                           .arg(v.lotSize()),
                       path + QStringLiteral(".quantity"), quantity)
                .toResponse();
        const auto side =
            parseSide(o.value(QStringLiteral("transaction_type")).toString().toStdString());
        const auto product =
            parseProduct(o.value(QStringLiteral("product")).toString().toStdString());
        if (!side || !product)
            return badRequest(QStringLiteral("UDAPI100036"),
                              QStringLiteral("transaction_type (BUY/SELL) and product (I/D) are "
                                             "required"),
                              path)
                .toResponse();
        const QJsonValue priceValue = o.value(QStringLiteral("price"));
        const auto price =
            priceValue.isDouble() && priceValue.toDouble() > 0
                ? Price::parse(QByteArray::number(priceValue.toDouble(), 'f', 4).toStdString())
                : std::optional<Price>(Price());
        if (!price)
            return badRequest(QStringLiteral("UDAPI100036"), QStringLiteral("price is not a price"),
                              path + QStringLiteral(".price"), priceValue)
                .toResponse();
        const auto m = m_orders.marginFor(key.toStdString(), qty, *side, *product, *price);
        if (!m)
            continue;
        required += m->total();
        margins.append(QJsonObject{
            {QStringLiteral("span_margin"), round2(m->span.toDouble())},
            {QStringLiteral("exposure_margin"), round2(m->exposure.toDouble())},
            {QStringLiteral("equity_margin"), round2(m->equity.toDouble())},
            {QStringLiteral("net_buy_premium"), round2(m->netBuyPremium.toDouble())},
            {QStringLiteral("additional_margin"), 0},
            {QStringLiteral("total_margin"), round2(m->total().toDouble())},
            {QStringLiteral("tender_margin"), 0},
        });
    }
    return upstoxSuccess(
        QJsonObject{{QStringLiteral("margins"), margins},
                    {QStringLiteral("required_margin"), round2(required.toDouble())},
                    {QStringLiteral("final_margin"), round2(required.toDouble())}});
}

} // namespace strikeline::sim
