#pragma once

// Upstox's REST API over HttpClient: the envelope ({"status":"success","data":…} or the error
// body), the hosts (api or the order host), the rate limiters, and the two calls the session
// needs (profile, funds). Later parts add theirs on get/post/put/del. Every answer arrives on the
// context object's thread; errors are UpstoxErrors a trader can read.

#include "broker/upstox/UpstoxError.h"
#include "broker/upstox/UpstoxUrls.h"
#include "common/Money.h"
#include "common/Price.h"
#include "net/HttpClient.h"

#include <QJsonValue>
#include <QStringList>

#include <functional>
#include <optional>

namespace strikeline::upstox {

struct UpstoxProfile
{
    QString userId;
    QString userName;
    QString email;
    QString broker;
    QString userType;
    QStringList exchanges;
    QStringList products;
    QStringList orderTypes;
    bool isActive = false;
};

struct FundsSegment
{
    Money availableMargin;
    Money usedMargin;
    Money payinAmount;
    Money spanMargin;
    Money adhocMargin;
    Money notionalCash;
    Money exposureMargin;
};

struct UpstoxFunds
{
    FundsSegment equity; // since 2025-07-19 equity and commodity combined (reference §3.4)
    std::optional<FundsSegment> commodity;
};

enum class UpstoxHost { Api, Order };

// A JSON number or string as money, rounded to 1/10000 rupee at this boundary.
std::optional<Money> moneyFromJson(const QJsonValue &value);
// The same as a price (four decimals), a finite number, and a non-negative count: Upstox sends
// numbers, sometimes as strings; null, missing or anything else is absent, never zero.
std::optional<Price> priceFromJson(const QJsonValue &value);
std::optional<double> numberFromJson(const QJsonValue &value);
std::optional<std::int64_t> countFromJson(const QJsonValue &value);
UpstoxResult<UpstoxProfile> parseProfile(const QJsonValue &data);
UpstoxResult<UpstoxFunds> parseFunds(const QJsonValue &data);
// The envelope of an answer: its `data` on success, else Upstox's error.
UpstoxResult<QJsonValue> readEnvelope(const net::HttpResponse &response);

// A DataCallback that hands `done` what `parse` makes of the data, or the error as it came.
template<typename T>
std::function<void(UpstoxResult<QJsonValue>)> parsedBy(UpstoxResult<T> (*parse)(const QJsonValue &),
                                                       std::function<void(UpstoxResult<T>)> done)
{
    return [parse, done = std::move(done)](UpstoxResult<QJsonValue> data) {
        if (!data.ok()) {
            done(data.error());
            return;
        }
        done(parse(data.value()));
    };
}

class UpstoxClient final
{
public:
    using DataCallback = std::function<void(UpstoxResult<QJsonValue>)>;

    // Adds Upstox's two limiters to `http`; both outlive nothing: `http` outlives the client.
    UpstoxClient(net::HttpClient &http, UpstoxUrls urls);

    const UpstoxUrls &urls() const { return m_urls; }

    net::RequestId get(const QString &path, const QUrlQuery &query, QObject *context,
                       DataCallback done, UpstoxHost host = UpstoxHost::Api);
    net::RequestId post(const QString &path, const QJsonValue &body, QObject *context,
                        DataCallback done, UpstoxHost host = UpstoxHost::Api,
                        const char *rateLimit = StandardLimit);
    net::RequestId put(const QString &path, const QJsonValue &body, QObject *context,
                       DataCallback done, UpstoxHost host = UpstoxHost::Api);
    net::RequestId del(const QString &path, const QUrlQuery &query, QObject *context,
                       DataCallback done, UpstoxHost host = UpstoxHost::Api);
    void cancel(net::RequestId id) { m_http.cancel(id); }

    net::RequestId profile(QObject *context, std::function<void(UpstoxResult<UpstoxProfile>)> done);
    net::RequestId funds(QObject *context, std::function<void(UpstoxResult<UpstoxFunds>)> done);
    // Tries an Analytics Token (not the provider's token) on a market-data call it opens: the
    // LTP of the NIFTY 50 index (GET /v3/market-quote/ltp). A 401 here is about that token
    // only: it is not reported to the client's TokenProvider.
    net::RequestId checkAnalyticsToken(const QByteArray &token, QObject *context,
                                       DataCallback done);

private:
    net::RequestId send(net::HttpRequest request, QObject *context, DataCallback done);
    QUrl url(UpstoxHost host, const QString &path, const QUrlQuery &query) const;

    net::HttpClient &m_http;
    UpstoxUrls m_urls;
};

} // namespace strikeline::upstox
