#include "UpstoxPortfolio.h"

#include <QJsonArray>

namespace strikeline::upstox {

namespace {

Money moneyOr0(const QJsonObject &o, const char *name)
{
    return moneyFromJson(o.value(QLatin1String(name))).value_or(Money());
}

Price priceOr0(const QJsonObject &o, const char *name)
{
    return priceFromJson(o.value(QLatin1String(name))).value_or(Price());
}

// Signed: a net position is negative when short (countFromJson is for counts only).
std::int64_t quantityOr0(const QJsonObject &o, const char *name)
{
    const auto n = numberFromJson(o.value(QLatin1String(name)));
    return n && std::abs(*n) < 9.0e18 ? std::llround(*n) : 0;
}

} // namespace

QJsonObject positionJson(const UpstoxPosition &p)
{
    return QJsonObject{
        {QStringLiteral("instrument_key"), p.instrumentKey},
        {QStringLiteral("trading_symbol"), p.tradingSymbol},
        {QStringLiteral("venue"), QStringLiteral("upstox")},
        {QStringLiteral("simulated"), false},
        {QStringLiteral("product"), QString::fromLatin1(productName(p.product).data(),
                                                        qsizetype(productName(p.product).size()))},
        {QStringLiteral("quantity"), static_cast<qint64>(p.quantity)},
        {QStringLiteral("overnight_quantity"), static_cast<qint64>(p.overnightQuantity)},
        {QStringLiteral("multiplier"), static_cast<qint64>(p.multiplier)},
        {QStringLiteral("average_price"), p.averagePrice.toDouble()},
        {QStringLiteral("last_price"), p.lastPrice.toDouble()},
        {QStringLiteral("realised"), p.realised.toDouble()},
        {QStringLiteral("unrealised"), p.unrealised.toDouble()},
        {QStringLiteral("pnl"), p.pnl.toDouble()},
    };
}

QJsonObject fundsJson(const UpstoxFunds &f)
{
    const auto segment = [](const FundsSegment &s) {
        return QJsonObject{{QStringLiteral("available_margin"), s.availableMargin.toDouble()},
                           {QStringLiteral("used_margin"), s.usedMargin.toDouble()},
                           {QStringLiteral("payin_amount"), s.payinAmount.toDouble()},
                           {QStringLiteral("span_margin"), s.spanMargin.toDouble()},
                           {QStringLiteral("exposure_margin"), s.exposureMargin.toDouble()}};
    };
    return QJsonObject{
        {QStringLiteral("equity"), segment(f.equity)},
        {QStringLiteral("commodity"),
         f.commodity ? QJsonValue(segment(*f.commodity)) : QJsonValue()},
    };
}

UpstoxResult<UpstoxPosition> parsePosition(const QJsonObject &o)
{
    UpstoxPosition p;
    p.instrumentKey = o.value(QLatin1String("instrument_token")).toString();
    if (p.instrumentKey.isEmpty())
        p.instrumentKey = o.value(QLatin1String("instrument_key")).toString();
    if (p.instrumentKey.isEmpty())
        return malformed(QStringLiteral("a position without instrument_token"));
    if (!numberFromJson(o.value(QLatin1String("quantity"))))
        return malformed(QStringLiteral("position %1 without a quantity").arg(p.instrumentKey));
    p.tradingSymbol = o.value(QLatin1String("trading_symbol")).toString();
    if (p.tradingSymbol.isEmpty())
        p.tradingSymbol = o.value(QLatin1String("tradingsymbol")).toString();
    p.exchange = o.value(QLatin1String("exchange")).toString();
    p.product = parseProduct(o.value(QLatin1String("product")).toString().toStdString())
                    .value_or(Product::Delivery);
    p.quantity = quantityOr0(o, "quantity");
    p.overnightQuantity = quantityOr0(o, "overnight_quantity");
    p.buyQuantity = quantityOr0(o, "day_buy_quantity") + quantityOr0(o, "overnight_buy_quantity");
    p.sellQuantity =
        quantityOr0(o, "day_sell_quantity") + quantityOr0(o, "overnight_sell_quantity");
    p.buyValue = moneyOr0(o, "buy_value");
    p.sellValue = moneyOr0(o, "sell_value");
    p.averagePrice = priceOr0(o, "average_price");
    p.lastPrice = priceOr0(o, "last_price");
    p.closePrice = priceOr0(o, "close_price");
    p.realised = moneyOr0(o, "realised");
    p.unrealised = moneyOr0(o, "unrealised");
    p.pnl = moneyOr0(o, "pnl");
    p.multiplier =
        static_cast<std::int32_t>(std::max<std::int64_t>(1, quantityOr0(o, "multiplier")));
    return p;
}

UpstoxResult<std::vector<UpstoxPosition>> parsePositions(const QJsonValue &data)
{
    if (!data.isArray() && !data.isNull())
        return malformed(QStringLiteral("positions are not a list"));
    std::vector<UpstoxPosition> out;
    for (const QJsonValue &row : data.toArray()) {
        auto position = parsePosition(row.toObject());
        if (!position)
            return position.error();
        out.push_back(std::move(position).value());
    }
    return out;
}

net::RequestId fetchPositions(UpstoxClient &client, QObject *context,
                              std::function<void(UpstoxResult<std::vector<UpstoxPosition>>)> done)
{
    return client.get(QStringLiteral("/v2/portfolio/short-term-positions"), {}, context,
                      parsedBy(&parsePositions, std::move(done)));
}

QJsonObject marginRequestBody(const std::vector<MarginLeg> &legs)
{
    QJsonArray instruments;
    for (const MarginLeg &leg : legs)
        instruments.append(QJsonObject{
            {QStringLiteral("instrument_key"), QString::fromStdString(leg.instrumentKey)},
            {QStringLiteral("quantity"), static_cast<double>(leg.quantity)},
            {QStringLiteral("transaction_type"), QString::fromUtf8(sideName(leg.side).data())},
            {QStringLiteral("product"), QString::fromUtf8(productName(leg.product).data())},
            {QStringLiteral("price"), leg.price.toDouble()},
        });
    return {{QStringLiteral("instruments"), instruments}};
}

UpstoxResult<MarginRequirement> parseMargin(const QJsonValue &data)
{
    const QJsonObject o = data.toObject();
    const auto required = moneyFromJson(o.value(QLatin1String("required_margin")));
    const auto final = moneyFromJson(o.value(QLatin1String("final_margin")));
    if (!required || !final)
        return malformed(QStringLiteral("margin without required_margin or final_margin"));
    MarginRequirement m;
    m.required = *required;
    m.final = *final;
    for (const QJsonValue &v : o.value(QLatin1String("margins")).toArray()) {
        const QJsonObject leg = v.toObject();
        m.legs.push_back({moneyOr0(leg, "span_margin"), moneyOr0(leg, "exposure_margin"),
                          moneyOr0(leg, "equity_margin"), moneyOr0(leg, "net_buy_premium"),
                          moneyOr0(leg, "additional_margin"), moneyOr0(leg, "total_margin"),
                          moneyOr0(leg, "tender_margin")});
    }
    return m;
}

net::RequestId requiredMargin(UpstoxClient &client, const std::vector<MarginLeg> &legs,
                              QObject *context,
                              std::function<void(UpstoxResult<MarginRequirement>)> done)
{
    if (legs.empty() || legs.size() > MaxMarginLegs) {
        UpstoxError error;
        error.kind = UpstoxErrorKind::Input;
        error.message = QStringLiteral("A margin request takes 1 to %1 instruments, not %2")
                            .arg(MaxMarginLegs)
                            .arg(legs.size());
        done(error);
        return 0;
    }
    return client.post(QStringLiteral("/v2/charges/margin"), marginRequestBody(legs), context,
                       parsedBy(&parseMargin, std::move(done)));
}

void fetchPositionsJson(UpstoxClient &client, QObject *context,
                        std::function<void(Result<QJsonValue>)> done)
{
    fetchPositions(client, context,
                   [done = std::move(done)](UpstoxResult<std::vector<UpstoxPosition>> r) {
                       if (!r.ok())
                           return done(Error::make(ErrorCode::Network, r.error().toString()));
                       QJsonArray positions;
                       for (const UpstoxPosition &p : r.value())
                           positions.append(positionJson(p));
                       done(QJsonValue(positions));
                   });
}

void fetchFundsJson(UpstoxClient &client, QObject *context,
                    std::function<void(Result<QJsonValue>)> done)
{
    client.funds(context, [done = std::move(done)](UpstoxResult<UpstoxFunds> r) {
        if (!r.ok())
            return done(Error::make(ErrorCode::Network, r.error().toString()));
        done(QJsonValue(fundsJson(r.value())));
    });
}

} // namespace strikeline::upstox
