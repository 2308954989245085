// Network layer benchmarks (docs/PERFORMANCE.md, "Live wave part 1 — REST").
//
//   BM_RestRoundTrip          one GET /v2/user/profile through HttpClient (its thread, the
//                             envelope and the profile parsed as UpstoxClient does) against a
//                             loopback server, awaited on the caller's thread; p50/p99 in µs.
//                             Without the rate limiter, which would cap it at 50/s.
//   BM_RateLimitedThroughput  200 GETs sent at once through UpstoxClient and Upstox's standard
//                             limiter (50/s): requests per second, all answered (50 go at once,
//                             then 50 per second: 200 in about 3 s).
//   BM_RateLimiterAcquire     the limiter's bookkeeping alone (tryAcquire, no network).
//   BM_SimRoundTrip           the same GET against the Upstox simulator (app/sim, in process on
//                             the benchmark's thread, over the fixture master), logged in by
//                             its OAuth: the bearer check, the profile and the funds as the
//                             simulator builds them. /0 profile, /1 funds-and-margin.
//
// The plain server is tests/support/TestHttpServer.h on the benchmark's thread.

#include "BenchmarkMain.h"
#include "TestHttpServer.h"
#include "broker/upstox/UpstoxClient.h"
#include "common/IstTime.h"
#include "instruments/InstrumentRepository.h"
#include "instruments/InstrumentSnapshot.h"
#include "instruments/MasterReader.h"
#include "marketdata/SimulatedMarket.h"
#include "net/HttpClient.h"
#include "net/RateLimiter.h"
#include "net/TokenProvider.h"
#include "sim/SimContext.h"
#include "sim/UpstoxSim.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrlQuery>

#include <algorithm>
#include <vector>

using namespace strikeline;
using namespace strikeline::testing;

namespace {

const QByteArray ProfileBody =
    R"({"status":"success","data":{"email":"trader@example.com","exchanges":["NSE","NFO"],)"
    R"("products":["D","I"],"broker":"UPSTOX","user_id":"AB1234","user_name":"A Trader",)"
    R"("order_types":["MARKET","LIMIT"],"user_type":"individual","is_active":true}})";

net::HttpClient::Options loopback()
{
    net::HttpClient::Options o;
    o.allowLoopbackHttp = true;
    return o;
}

void BM_RestRoundTrip(benchmark::State &state)
{
    TestHttpServer server;
    server.route("/v2/user/profile", TestResponse::json(200, ProfileBody));
    net::HttpClient http(loopback());
    const upstox::UpstoxUrls urls = upstox::UpstoxUrls::fromBase(server.url().toString()).value();
    net::HttpRequest request;
    request.url = urls.apiUrl(QStringLiteral("/v2/user/profile"));
    // No limiter here: 50/s would make this a measurement of the limiter (see below).
    std::vector<double> micros;
    micros.reserve(10000);
    QObject context;
    int failures = 0;
    for (auto _ : state) {
        QElapsedTimer timer;
        timer.start();
        QEventLoop loop;
        bool done = false;
        http.send(request, &context, [&](Result<net::HttpResponse> r) {
            const bool ok = r.ok() && [&] {
                auto data = upstox::readEnvelope(r.value());
                return data.ok() && upstox::parseProfile(data.value()).ok();
            }();
            failures += ok ? 0 : 1;
            done = true;
            loop.quit();
        });
        if (!done)
            loop.exec();
        micros.push_back(static_cast<double>(timer.nsecsElapsed()) / 1000.0);
    }
    std::sort(micros.begin(), micros.end());
    auto at = [&](double q) {
        return micros.empty() ? 0.0 : micros[static_cast<std::size_t>(q * (micros.size() - 1))];
    };
    state.counters["p50_us"] = at(0.50);
    state.counters["p99_us"] = at(0.99);
    state.counters["failures"] = failures;
}
BENCHMARK(BM_RestRoundTrip)->Unit(benchmark::kMicrosecond)->Iterations(2000)->UseRealTime();

void BM_RateLimitedThroughput(benchmark::State &state)
{
    TestHttpServer server;
    server.route("/v2/user/profile", TestResponse::json(200, ProfileBody));
    net::HttpClient http(loopback());
    upstox::UpstoxClient client(http,
                                upstox::UpstoxUrls::fromBase(server.url().toString()).value());
    constexpr int Requests = 200;
    for (auto _ : state) {
        QObject context;
        QEventLoop loop;
        int answered = 0;
        int failures = 0;
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < Requests; ++i) {
            client.profile(&context, [&](upstox::UpstoxResult<upstox::UpstoxProfile> r) {
                failures += r.ok() ? 0 : 1;
                if (++answered == Requests)
                    loop.quit();
            });
        }
        loop.exec();
        state.counters["requests_per_s"] = Requests * 1000.0 / static_cast<double>(timer.elapsed());
        state.counters["failures"] = failures;
    }
}
BENCHMARK(BM_RateLimitedThroughput)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

void BM_RateLimiterAcquire(benchmark::State &state)
{
    net::RateLimiter limiter(upstox::standardRateLimit());
    std::int64_t now = 0;
    for (auto _ : state) {
        if (!limiter.tryAcquire(now))
            now += limiter.delayMs(now);
        benchmark::DoNotOptimize(now);
    }
}
BENCHMARK(BM_RateLimiterAcquire);

class FixedToken final : public net::TokenProvider
{
public:
    QByteArray token;
    QByteArray accessToken() const override { return token; }
    void tokenRejected(const QByteArray &) override {}
};

// Waits on this thread's event loop (where the simulator runs) for one request.
Result<net::HttpResponse> await(net::HttpClient &http, const net::HttpRequest &request)
{
    QObject context;
    QEventLoop loop;
    std::optional<Result<net::HttpResponse>> answer;
    http.send(request, &context, [&](Result<net::HttpResponse> r) {
        answer.emplace(std::move(r));
        loop.quit();
    });
    if (!answer)
        loop.exec();
    return std::move(*answer);
}

void BM_SimRoundTrip(benchmark::State &state)
{
    const QString path =
        QStringLiteral(STRIKELINE_REAL_DATA_DIR "/fixture-NSE_FO-subset-2026-08-21.json");
    SnapshotBuilder builder;
    if (auto read = readMasterFile(path, [&](InstrumentRecord &&r) { builder.add(std::move(r)); });
        !read) {
        state.SkipWithError(qPrintable(read.error().message));
        return;
    }
    InstrumentRepository repository;
    repository.publish(builder.build({}, nullptr));
    const FixedClock clock(*parseIstMoment(QStringLiteral("2026-08-21 10:30")));
    SimulationParams params;
    params.seed = 7;
    SimulatedMarket market(repository, clock, params);
    sim::SimEventBus events;
    sim::SimContext context{repository, market, clock, events, 0, 7};
    sim::UpstoxSim simulator(context, nullptr);
    if (auto port = simulator.start(0); !port) {
        state.SkipWithError(qPrintable(port.error().message));
        return;
    }
    FixedToken tokens;
    net::HttpClient::Options options = loopback();
    options.tokens = &tokens;
    net::HttpClient http(options);
    const upstox::UpstoxUrls urls = upstox::UpstoxUrls::fromBase(simulator.httpUrl()).value();

    // The OAuth dance, as a browser and UpstoxLogin do it.
    const sim::SimCredentials &app = simulator.auth().credentials();
    net::HttpRequest dialog;
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("response_type"), QStringLiteral("code"));
    q.addQueryItem(QStringLiteral("client_id"), app.clientId);
    q.addQueryItem(QStringLiteral("redirect_uri"), app.redirectUri);
    q.addQueryItem(QStringLiteral("state"), QStringLiteral("bench"));
    dialog.url = urls.apiUrl(QStringLiteral("/v2/login/authorization/dialog"));
    dialog.url.setQuery(q);
    dialog.bearer = false;
    auto redirected = await(http, dialog);
    const QString code =
        redirected ? QUrlQuery(QUrl(QString::fromUtf8(redirected.value().header("location"))))
                         .queryItemValue(QStringLiteral("code"))
                   : QString();
    net::HttpRequest exchange;
    exchange.method = net::HttpMethod::Post;
    exchange.url = urls.apiUrl(QStringLiteral("/v2/login/authorization/token"));
    exchange.bearer = false;
    exchange.contentType = "application/x-www-form-urlencoded";
    QUrlQuery form;
    form.addQueryItem(QStringLiteral("code"), code);
    form.addQueryItem(QStringLiteral("client_id"), app.clientId);
    form.addQueryItem(QStringLiteral("client_secret"), app.clientSecret);
    form.addQueryItem(QStringLiteral("redirect_uri"), app.redirectUri);
    form.addQueryItem(QStringLiteral("grant_type"), QStringLiteral("authorization_code"));
    exchange.body = form.toString(QUrl::FullyEncoded).toUtf8();
    auto token = await(http, exchange);
    if (!token || !token.value().isSuccess()) {
        state.SkipWithError("cannot log in to the simulator");
        return;
    }
    tokens.token = QJsonDocument::fromJson(token.value().body)
                       .object()
                       .value(QLatin1String("access_token"))
                       .toString()
                       .toUtf8();

    net::HttpRequest request;
    request.url =
        urls.apiUrl(state.range(0) == 0 ? QStringLiteral("/v2/user/profile")
                                        : QStringLiteral("/v2/user/get-funds-and-margin"));
    std::vector<double> micros;
    micros.reserve(10000);
    int failures = 0;
    for (auto _ : state) {
        QElapsedTimer timer;
        timer.start();
        auto r = await(http, request);
        failures += r.ok() && r.value().isSuccess() && upstox::readEnvelope(r.value()).ok() ? 0 : 1;
        micros.push_back(static_cast<double>(timer.nsecsElapsed()) / 1000.0);
    }
    std::sort(micros.begin(), micros.end());
    auto at = [&](double quantile) {
        return micros.empty() ? 0.0
                              : micros[static_cast<std::size_t>(
                                    quantile * static_cast<double>(micros.size() - 1))];
    };
    state.counters["p50_us"] = at(0.50);
    state.counters["p99_us"] = at(0.99);
    state.counters["failures"] = failures;
}
BENCHMARK(BM_SimRoundTrip)
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMicrosecond)
    ->Iterations(2000)
    ->UseRealTime();

} // namespace

int main(int argc, char **argv)
{
    return runBenchmarks(argc, argv, nullptr);
}
