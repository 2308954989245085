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
//
// The server is tests/support/TestHttpServer.h on the benchmark's thread; the simulator
// (strikeline-cli upstox-sim) is a separate process and would only add its own time.

#include "BenchmarkMain.h"
#include "TestHttpServer.h"
#include "broker/upstox/UpstoxClient.h"
#include "net/HttpClient.h"
#include "net/RateLimiter.h"

#include <QElapsedTimer>
#include <QEventLoop>

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

} // namespace

int main(int argc, char **argv)
{
    return runBenchmarks(argc, argv, nullptr);
}
