#include "InstrumentJson.h"

namespace strikeline::json {

namespace {
QString str(std::string_view s)
{
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

QJsonValue price(Price p)
{
    return QJsonValue(p.toDouble());
}
} // namespace

QJsonObject instrument(const InstrumentView &v)
{
    const bool tradable = v.kind() != InstrumentKind::Index;
    QJsonObject o;
    o.insert(QStringLiteral("instrument_key"), str(v.instrumentKey()));
    o.insert(QStringLiteral("trading_symbol"), str(v.tradingSymbol()));
    o.insert(QStringLiteral("name"), str(v.name()));
    o.insert(QStringLiteral("segment"), str(segmentName(v.segment())));
    o.insert(QStringLiteral("exchange_token"),
             v.exchangeToken() ? QJsonValue(QString::number(v.exchangeToken())) : QJsonValue());
    o.insert(QStringLiteral("underlying_symbol"), str(v.underlyingSymbol()));
    o.insert(QStringLiteral("underlying_key"),
             v.underlyingKey().empty() ? QJsonValue() : QJsonValue(str(v.underlyingKey())));
    o.insert(QStringLiteral("instrument_type"), str(v.typeCode()));
    o.insert(QStringLiteral("expiry"),
             v.expiry() == NoDay ? QJsonValue() : QJsonValue(formatIsoDay(v.expiry())));
    o.insert(QStringLiteral("strike_price"), price(v.strike()));
    o.insert(QStringLiteral("lot_size"), tradable ? QJsonValue(v.lotSize()) : QJsonValue());
    o.insert(QStringLiteral("tick_size"), tradable ? price(v.tickSize()) : QJsonValue());
    o.insert(QStringLiteral("freeze_quantity"),
             v.freezeQuantity() > 0 ? QJsonValue(v.freezeQuantity()) : QJsonValue());
    o.insert(QStringLiteral("max_lots_per_order"),
             v.maxLotsPerOrder() > 0 ? QJsonValue(v.maxLotsPerOrder()) : QJsonValue());
    o.insert(QStringLiteral("quantity_unit"), v.quantityUnit() == QuantityUnit::Lots
                                                  ? QStringLiteral("lots")
                                                  : QStringLiteral("units"));
    o.insert(QStringLiteral("weekly"), v.weekly());
    return o;
}

QJsonObject searchResults(const InstrumentSnapshot &snapshot, const std::vector<SearchHit> &hits,
                          const std::optional<std::string> &suggestion)
{
    QJsonArray results;
    for (const SearchHit &hit : hits)
        results.append(instrument(snapshot.instrument(hit.id)));
    return QJsonObject{
        {QStringLiteral("results"), results},
        {QStringLiteral("suggestion"),
         suggestion ? QJsonValue(QString::fromStdString(*suggestion)) : QJsonValue()}};
}

QJsonArray expiries(const std::vector<ExpiryInfo> &list, EpochDay today)
{
    QJsonArray out;
    for (const ExpiryInfo &e : list) {
        out.append(QJsonObject{
            {QStringLiteral("expiry"), formatIsoDay(e.day)},
            {QStringLiteral("days_to_expiry"), daysToExpiry(e.day, today)},
            {QStringLiteral("weekly"), e.weekly},
            {QStringLiteral("strikes"), e.strikeCount},
        });
    }
    return out;
}

QJsonObject chain(const InstrumentSnapshot &snapshot, const OptionChain &chain,
                  const std::vector<ExpiryInfo> &expiryList, EpochDay today)
{
    QJsonArray rows;
    for (const auto &row : chain.rows) {
        QJsonObject r;
        r.insert(QStringLiteral("strike_price"), price(Price::fromRaw(row.strike)));
        auto side = [&](InstrumentId id, std::optional<Moneyness> m) -> QJsonValue {
            if (id == NoId)
                return QJsonValue();
            QJsonObject o = instrument(snapshot.instrument(id));
            o.insert(QStringLiteral("moneyness"),
                     m ? QJsonValue(str(moneynessName(*m))) : QJsonValue());
            return o;
        };
        r.insert(QStringLiteral("call"), side(row.call, chain.callMoneyness(row)));
        r.insert(QStringLiteral("put"), side(row.put, chain.putMoneyness(row)));
        rows.append(r);
    }
    QJsonObject o;
    o.insert(QStringLiteral("underlying"), str(snapshot.underlyingSymbol(chain.underlying)));
    o.insert(QStringLiteral("segment"),
             str(segmentName(snapshot.underlyingSegment(chain.underlying))));
    o.insert(QStringLiteral("expiry"), formatIsoDay(chain.expiry));
    o.insert(QStringLiteral("days_to_expiry"), daysToExpiry(chain.expiry, today));
    o.insert(QStringLiteral("weekly"), chain.weekly);
    o.insert(QStringLiteral("spot"), chain.spot ? price(*chain.spot) : QJsonValue());
    o.insert(QStringLiteral("atm_strike"),
             chain.atmStrike ? price(*chain.atmStrike) : QJsonValue());
    o.insert(QStringLiteral("expiries"), expiries(expiryList, today));
    o.insert(QStringLiteral("rows"), rows);
    return o;
}

} // namespace strikeline::json
