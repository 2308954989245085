#include "UpstoxOptionChain.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QUrlQuery>

#include <algorithm>
#include <cmath>

namespace strikeline::upstox {

namespace {

// A JSON number (or numeric string) as a price, to Price's four decimals; absent for null,
// missing, or not a number.
std::optional<Price> priceFrom(const QJsonValue &value)
{
    if (value.isString())
        return Price::parse(value.toString().trimmed().toStdString());
    if (!value.isDouble())
        return std::nullopt;
    const double rupees = value.toDouble();
    if (!std::isfinite(rupees) || std::abs(rupees) > 9.0e14)
        return std::nullopt;
    return Price::fromRaw(std::llround(rupees * static_cast<double>(Price::Scale)));
}

std::optional<double> numberFrom(const QJsonValue &value)
{
    if (value.isDouble() && std::isfinite(value.toDouble()))
        return value.toDouble();
    if (value.isString()) {
        bool ok = false;
        const double d = value.toString().toDouble(&ok);
        if (ok && std::isfinite(d))
            return d;
    }
    return std::nullopt;
}

std::optional<std::int64_t> countFrom(const QJsonValue &value)
{
    const auto d = numberFrom(value);
    if (!d || *d < 0 || *d > 9.0e18)
        return std::nullopt;
    return std::llround(*d);
}

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
    leg.ltp = priceFrom(m.value(QLatin1String("ltp")));
    leg.close = priceFrom(m.value(QLatin1String("close_price")));
    leg.bid = priceFrom(m.value(QLatin1String("bid_price")));
    leg.ask = priceFrom(m.value(QLatin1String("ask_price")));
    leg.bidQuantity = countFrom(m.value(QLatin1String("bid_qty"))).value_or(0);
    leg.askQuantity = countFrom(m.value(QLatin1String("ask_qty"))).value_or(0);
    leg.volume = countFrom(m.value(QLatin1String("volume"))).value_or(0);
    leg.oi = countFrom(m.value(QLatin1String("oi")));
    leg.prevOi = countFrom(m.value(QLatin1String("prev_oi")));
    const QJsonObject g = side.value(QLatin1String("option_greeks")).toObject();
    leg.iv = numberFrom(g.value(QLatin1String("iv")));
    leg.delta = numberFrom(g.value(QLatin1String("delta")));
    leg.gamma = numberFrom(g.value(QLatin1String("gamma")));
    leg.theta = numberFrom(g.value(QLatin1String("theta")));
    leg.vega = numberFrom(g.value(QLatin1String("vega")));
    leg.pop = numberFrom(g.value(QLatin1String("pop")));
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
        const auto strike = priceFrom(row.value(QLatin1String("strike_price")));
        if (!strike || !strike->isPositive())
            return malformed(QStringLiteral("option chain row %1 has no strike_price").arg(i + 1));
        if (chain.underlyingKey.isEmpty())
            chain.underlyingKey = row.value(QLatin1String("underlying_key")).toString();
        if (!chain.expiry.isValid())
            chain.expiry =
                QDate::fromString(row.value(QLatin1String("expiry")).toString(), Qt::ISODate);
        if (!chain.spot) {
            const auto spot = priceFrom(row.value(QLatin1String("underlying_spot_price")));
            if (spot && spot->isPositive())
                chain.spot = spot;
        }
        OptionChainRow out;
        out.strike = *strike;
        out.call = legFrom(row.value(QLatin1String("call_options")));
        out.put = legFrom(row.value(QLatin1String("put_options")));
        out.pcr = numberFrom(row.value(QLatin1String("pcr")));
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
