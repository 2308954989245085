#include "UpstoxOptionChain.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QUrlQuery>

#include <algorithm>
#include <cmath>

namespace strikeline::upstox {

namespace {

std::optional<OptionChainLeg> legFrom(const QJsonValue &value)
{
    if (!value.isObject())
        return std::nullopt; // null: no contract on that side of this strike
    const QJsonObject side = value.toObject();
    OptionChainLeg leg;
    leg.instrumentKey = side.value(QLatin1String("instrument_key")).toString();
    if (leg.instrumentKey.isEmpty())
        return std::nullopt;
    const QJsonObject m = side.value(QLatin1String("market_data")).toObject();
    leg.ltp = priceFromJson(m.value(QLatin1String("ltp")));
    leg.close = priceFromJson(m.value(QLatin1String("close_price")));
    leg.bid = priceFromJson(m.value(QLatin1String("bid_price")));
    leg.ask = priceFromJson(m.value(QLatin1String("ask_price")));
    leg.bidQuantity = countFromJson(m.value(QLatin1String("bid_qty"))).value_or(0);
    leg.askQuantity = countFromJson(m.value(QLatin1String("ask_qty"))).value_or(0);
    leg.volume = countFromJson(m.value(QLatin1String("volume"))).value_or(0);
    leg.oi = countFromJson(m.value(QLatin1String("oi")));
    leg.prevOi = countFromJson(m.value(QLatin1String("prev_oi")));
    const QJsonObject g = side.value(QLatin1String("option_greeks")).toObject();
    leg.iv = numberFromJson(g.value(QLatin1String("iv")));
    leg.delta = numberFromJson(g.value(QLatin1String("delta")));
    leg.gamma = numberFromJson(g.value(QLatin1String("gamma")));
    leg.theta = numberFromJson(g.value(QLatin1String("theta")));
    leg.vega = numberFromJson(g.value(QLatin1String("vega")));
    leg.pop = numberFromJson(g.value(QLatin1String("pop")));
    return leg;
}

} // namespace

UpstoxResult<OptionChain> parseOptionChain(const QJsonValue &data)
{
    if (!data.isArray())
        return malformed(QStringLiteral("the option chain is not a list"));
    OptionChain chain;
    const QJsonArray rows = data.toArray();
    chain.rows.reserve(static_cast<std::size_t>(rows.size()));
    for (qsizetype i = 0; i < rows.size(); ++i) {
        const QJsonObject row = rows[i].toObject();
        const auto strike = priceFromJson(row.value(QLatin1String("strike_price")));
        if (!strike || !strike->isPositive())
            return malformed(QStringLiteral("option chain row %1 has no strike_price").arg(i + 1));
        if (chain.underlyingKey.isEmpty())
            chain.underlyingKey = row.value(QLatin1String("underlying_key")).toString();
        if (!chain.expiry.isValid())
            chain.expiry =
                QDate::fromString(row.value(QLatin1String("expiry")).toString(), Qt::ISODate);
        if (!chain.spot) {
            const auto spot = priceFromJson(row.value(QLatin1String("underlying_spot_price")));
            if (spot && spot->isPositive())
                chain.spot = spot;
        }
        OptionChainRow out;
        out.strike = *strike;
        out.call = legFrom(row.value(QLatin1String("call_options")));
        out.put = legFrom(row.value(QLatin1String("put_options")));
        out.pcr = numberFromJson(row.value(QLatin1String("pcr")));
        chain.rows.push_back(std::move(out));
    }
    std::sort(chain.rows.begin(), chain.rows.end(),
              [](const OptionChainRow &a, const OptionChainRow &b) { return a.strike < b.strike; });
    return chain;
}

net::RequestId fetchOptionChain(UpstoxClient &client, const QString &underlyingKey, QDate expiry,
                                QObject *context,
                                std::function<void(UpstoxResult<OptionChain>)> done)
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("instrument_key"), underlyingKey);
    query.addQueryItem(QStringLiteral("expiry_date"), expiry.toString(Qt::ISODate));
    return client.get(QStringLiteral("/v2/option/chain"), query, context,
                      [done = std::move(done)](UpstoxResult<QJsonValue> answer) {
                          if (!answer) {
                              done(answer.error());
                              return;
                          }
                          done(parseOptionChain(*answer));
                      });
}

} // namespace strikeline::upstox
