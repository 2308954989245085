#include "UpstoxClient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

namespace strikeline::upstox {

std::optional<Money> moneyFromJson(const QJsonValue &value)
{
    if (value.isString())
        return Money::parse(value.toString().trimmed().toStdString());
    if (!value.isDouble())
        return std::nullopt;
    const double rupees = value.toDouble();
    if (!std::isfinite(rupees) || std::abs(rupees) > 9.0e14)
        return std::nullopt;
    return Money::fromRaw(std::llround(rupees * static_cast<double>(Money::Scale)));
}

std::optional<Price> priceFromJson(const QJsonValue &value)
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

std::optional<double> numberFromJson(const QJsonValue &value)
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

std::optional<std::int64_t> countFromJson(const QJsonValue &value)
{
    const auto d = numberFromJson(value);
    if (!d || *d < 0 || *d > 9.0e18)
        return std::nullopt;
    return std::llround(*d);
}

UpstoxResult<QJsonValue> readEnvelope(const net::HttpResponse &response)
{
    if (!response.isSuccess())
        return parseError(response.status, response.body);
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(response.body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject())
        return malformed(QStringLiteral("not JSON (%1 at byte %2)")
                             .arg(parseError.errorString())
                             .arg(parseError.offset));
    const QJsonObject object = document.object();
    const QString status = object.value(QLatin1String("status")).toString();
    if (status == QLatin1String("error"))
        return upstox::parseError(response.status, response.body);
    if (status != QLatin1String("success"))
        return malformed(QStringLiteral("no \"status\":\"success\""));
    if (!object.contains(QLatin1String("data")))
        return malformed(QStringLiteral("no \"data\""));
    return object.value(QLatin1String("data"));
}

namespace {

QStringList strings(const QJsonValue &value)
{
    QStringList list;
    for (const QJsonValue &v : value.toArray())
        list << v.toString();
    return list;
}

std::optional<FundsSegment> parseSegment(const QJsonObject &o, QString *missing)
{
    FundsSegment s;
    const std::pair<const char *, Money *> fields[] = {
        {"available_margin", &s.availableMargin}, {"used_margin", &s.usedMargin},
        {"payin_amount", &s.payinAmount},         {"span_margin", &s.spanMargin},
        {"adhoc_margin", &s.adhocMargin},         {"notional_cash", &s.notionalCash},
        {"exposure_margin", &s.exposureMargin},
    };
    for (const auto &[name, target] : fields) {
        const QJsonValue v = o.value(QLatin1String(name));
        if (v.isUndefined() || v.isNull()) {
            if (target == &s.availableMargin) { // the one a trader cannot do without
                *missing = QLatin1String(name);
                return std::nullopt;
            }
            continue;
        }
        const auto money = moneyFromJson(v);
        if (!money) {
            *missing = QLatin1String(name);
            return std::nullopt;
        }
        *target = *money;
    }
    return s;
}

} // namespace

UpstoxResult<UpstoxProfile> parseProfile(const QJsonValue &data)
{
    const QJsonObject o = data.toObject();
    UpstoxProfile p;
    p.userId = o.value(QLatin1String("user_id")).toString();
    if (p.userId.isEmpty())
        return malformed(QStringLiteral("the profile has no user_id"));
    p.userName = o.value(QLatin1String("user_name")).toString();
    p.email = o.value(QLatin1String("email")).toString();
    p.broker = o.value(QLatin1String("broker")).toString();
    p.userType = o.value(QLatin1String("user_type")).toString();
    p.exchanges = strings(o.value(QLatin1String("exchanges")));
    p.products = strings(o.value(QLatin1String("products")));
    p.orderTypes = strings(o.value(QLatin1String("order_types")));
    p.isActive = o.value(QLatin1String("is_active")).toBool();
    return p;
}

UpstoxResult<UpstoxFunds> parseFunds(const QJsonValue &data)
{
    const QJsonObject o = data.toObject();
    if (!o.value(QLatin1String("equity")).isObject())
        return malformed(QStringLiteral("funds without \"equity\""));
    QString missing;
    const auto equity = parseSegment(o.value(QLatin1String("equity")).toObject(), &missing);
    if (!equity)
        return malformed(QStringLiteral("funds: equity.%1 missing or not a number").arg(missing));
    UpstoxFunds funds;
    funds.equity = *equity;
    if (o.value(QLatin1String("commodity")).isObject()) {
        const auto commodity =
            parseSegment(o.value(QLatin1String("commodity")).toObject(), &missing);
        if (!commodity)
            return malformed(
                QStringLiteral("funds: commodity.%1 missing or not a number").arg(missing));
        funds.commodity = *commodity;
    }
    return funds;
}

UpstoxClient::UpstoxClient(net::HttpClient &http, UpstoxUrls urls)
    : m_http(http)
    , m_urls(std::move(urls))
{
    m_http.addRateLimit(QLatin1String(StandardLimit), standardRateLimit());
    m_http.addRateLimit(QLatin1String(MultiOrderLimit), multiOrderRateLimit());
}

QUrl UpstoxClient::url(UpstoxHost host, const QString &path, const QUrlQuery &query) const
{
    return host == UpstoxHost::Order ? m_urls.orderUrl(path, query) : m_urls.apiUrl(path, query);
}

net::RequestId UpstoxClient::send(net::HttpRequest request, QObject *context, DataCallback done)
{
    return m_http.send(std::move(request), context,
                       [done = std::move(done)](Result<net::HttpResponse> answer) {
                           if (!answer.ok()) {
                               done(fromTransport(answer.error()));
                               return;
                           }
                           done(readEnvelope(answer.value()));
                       });
}

net::RequestId UpstoxClient::get(const QString &path, const QUrlQuery &query, QObject *context,
                                 DataCallback done, UpstoxHost host)
{
    net::HttpRequest request;
    request.method = net::HttpMethod::Get;
    request.url = url(host, path, query);
    request.rateLimit = QLatin1String(StandardLimit);
    return send(std::move(request), context, std::move(done));
}

net::RequestId UpstoxClient::checkAnalyticsToken(const QByteArray &token, QObject *context,
                                                 DataCallback done)
{
    net::HttpRequest request;
    request.method = net::HttpMethod::Get;
    request.url =
        url(UpstoxHost::Api, QStringLiteral("/v3/market-quote/ltp"),
            QUrlQuery{{QStringLiteral("instrument_key"), QStringLiteral("NSE_INDEX|Nifty 50")}});
    request.rateLimit = QLatin1String(StandardLimit);
    request.bearer = false; // not the provider's token: its 401 says nothing of the session
    request.headers.append({QByteArrayLiteral("Authorization"), "Bearer " + token});
    return send(std::move(request), context, std::move(done));
}

namespace {

QByteArray jsonBytes(const QJsonValue &body)
{
    if (body.isArray())
        return QJsonDocument(body.toArray()).toJson(QJsonDocument::Compact);
    return QJsonDocument(body.toObject()).toJson(QJsonDocument::Compact);
}

} // namespace

net::RequestId UpstoxClient::post(const QString &path, const QJsonValue &body, QObject *context,
                                  DataCallback done, UpstoxHost host, const char *rateLimit)
{
    net::HttpRequest request;
    request.method = net::HttpMethod::Post;
    request.url = url(host, path, {});
    request.body = jsonBytes(body);
    request.contentType = "application/json";
    request.rateLimit = QLatin1String(rateLimit);
    return send(std::move(request), context, std::move(done));
}

net::RequestId UpstoxClient::put(const QString &path, const QJsonValue &body, QObject *context,
                                 DataCallback done, UpstoxHost host)
{
    net::HttpRequest request;
    request.method = net::HttpMethod::Put;
    request.url = url(host, path, {});
    request.body = jsonBytes(body);
    request.contentType = "application/json";
    request.rateLimit = QLatin1String(StandardLimit);
    return send(std::move(request), context, std::move(done));
}

net::RequestId UpstoxClient::del(const QString &path, const QUrlQuery &query, QObject *context,
                                 DataCallback done, UpstoxHost host)
{
    net::HttpRequest request;
    request.method = net::HttpMethod::Delete;
    request.url = url(host, path, query);
    request.rateLimit = QLatin1String(StandardLimit);
    return send(std::move(request), context, std::move(done));
}

net::RequestId UpstoxClient::profile(QObject *context,
                                     std::function<void(UpstoxResult<UpstoxProfile>)> done)
{
    return get(QStringLiteral("/v2/user/profile"), {}, context,
               parsedBy(&parseProfile, std::move(done)));
}

net::RequestId UpstoxClient::funds(QObject *context,
                                   std::function<void(UpstoxResult<UpstoxFunds>)> done)
{
    return get(QStringLiteral("/v2/user/get-funds-and-margin"), {}, context,
               parsedBy(&parseFunds, std::move(done)));
}

} // namespace strikeline::upstox
