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
#include "broker/upstox/UpstoxOrderGateway.h"
#include "common/IstTime.h"
#include "instruments/InstrumentRepository.h"
#include "instruments/InstrumentSnapshot.h"
#include "instruments/MasterReader.h"
#include "marketdata/SimulatedMarket.h"
#include "net/HttpClient.h"
#include "net/RateLimiter.h"
#include "net/TokenProvider.h"
#include "orders/OrderService.h"
#include "orders/PaperGateway.h"
#include "sim/SimContext.h"
#include "sim/UpstoxSim.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>
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

// The simulator in this process, on this thread's event loop, over the fixture master at
// 10:30 IST on its day, and a session token from its OAuth dance (as a browser and UpstoxLogin
// do it). Check `error` before use.
struct InProcessSim
{
    InProcessSim()
    {
        const QString path =
            QStringLiteral(STRIKELINE_REAL_DATA_DIR "/fixture-NSE_FO-subset-2026-08-21.json");
        SnapshotBuilder builder;
        if (auto read =
                readMasterFile(path, [&](InstrumentRecord &&r) { builder.add(std::move(r)); });
            !read) {
            error = read.error().message;
            return;
        }
        repository.publish(builder.build({}, nullptr));
        market = std::make_unique<SimulatedMarket>(repository, clock, params());
        context = std::make_unique<sim::SimContext>(repository, *market, clock, events, 0, 7);
        simulator = std::make_unique<sim::UpstoxSim>(*context, nullptr);
        if (auto port = simulator->start(0); !port) {
            error = port.error().message;
            return;
        }
        net::HttpClient::Options options = loopback();
        options.tokens = &tokens;
        http = std::make_unique<net::HttpClient>(options);
        urls = upstox::UpstoxUrls::fromBase(simulator->httpUrl()).value();
        const sim::SimCredentials &app = simulator->auth().credentials();
        net::HttpRequest dialog;
        QUrlQuery q;
        q.addQueryItem(QStringLiteral("response_type"), QStringLiteral("code"));
        q.addQueryItem(QStringLiteral("client_id"), app.clientId);
        q.addQueryItem(QStringLiteral("redirect_uri"), app.redirectUri);
        q.addQueryItem(QStringLiteral("state"), QStringLiteral("bench"));
        dialog.url = urls.apiUrl(QStringLiteral("/v2/login/authorization/dialog"));
        dialog.url.setQuery(q);
        dialog.bearer = false;
        auto redirected = await(*http, dialog);
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
        auto token = await(*http, exchange);
        if (!token || !token.value().isSuccess()) {
            error = QStringLiteral("cannot log in to the simulator");
            return;
        }
        tokens.token = QJsonDocument::fromJson(token.value().body)
                           .object()
                           .value(QLatin1String("access_token"))
                           .toString()
                           .toUtf8();
    }
    static SimulationParams params()
    {
        SimulationParams p;
        p.seed = 7;
        return p;
    }

    QString error;
    InstrumentRepository repository;
    const FixedClock clock{*parseIstMoment(QStringLiteral("2026-08-21 10:30"))};
    std::unique_ptr<SimulatedMarket> market;
    sim::SimEventBus events;
    std::unique_ptr<sim::SimContext> context;
    std::unique_ptr<sim::UpstoxSim> simulator;
    FixedToken tokens;
    std::unique_ptr<net::HttpClient> http;
    upstox::UpstoxUrls urls;
};

void BM_SimRoundTrip(benchmark::State &state)
{
    InProcessSim sim;
    if (!sim.error.isEmpty()) {
        state.SkipWithError(qPrintable(sim.error));
        return;
    }
    net::HttpClient &http = *sim.http;
    const upstox::UpstoxUrls &urls = sim.urls;
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

// Upstox's order rate limit saturated: `orders` live orders handed to the order service at once
// (more than the 500 a minute the standard limit allows, so the last wait for the next minute),
// through the real Upstox gateway and client to the simulator, which answers 429 to `share`
// percent of requests. Zero loss: every order taken exactly once (a refused place is looked up
// by its tag, then sent again), none rejected, none twice in the broker's book. Reports how
// long until the last was taken and the rate held.
void BM_OrderRateSaturated(benchmark::State &state)
{
    const int orders = static_cast<int>(state.range(0));
    const double share = static_cast<double>(state.range(1)) / 100.0;
    for (auto _ : state) {
        InProcessSim sim;
        if (!sim.error.isEmpty()) {
            state.SkipWithError(qPrintable(sim.error));
            return;
        }
        if (share > 0)
            (void)sim.simulator->applyFault(QStringLiteral("http-429"), QString::number(share));
        upstox::UpstoxClient client(*sim.http, sim.urls);
        QThread gatewayThread;
        auto *gateway = new upstox::UpstoxOrderGateway(client, {});
        gateway->moveToThread(&gatewayThread);
        QObject::connect(&gatewayThread, &QThread::finished, gateway, &QObject::deleteLater);
        gatewayThread.start();
        PaperGateway paper(*sim.market, sim.clock);
        QTemporaryDir dir(benchDir() + QStringLiteral("/bench-rate-XXXXXX"));
        OrderServiceConfig config;
        config.journalDirectory = dir.filePath(QStringLiteral("journal"));
        config.database.path = dir.filePath(QStringLiteral("orders.db"));
        config.rateLimitRetries = 20;
        auto service = OrderService::open({contractLookupFor(sim.repository),
                                           [](const OrderRequest &r) {
                                               Verdict v;
                                               v.slices.push_back(r.quantity);
                                               return v;
                                           },
                                           {&paper, gateway},
                                           sim.clock},
                                          config);
        if (!service) {
            state.SkipWithError(qPrintable(service.error().message));
            return;
        }
        OrderService &s = **service;
        QElapsedTimer timer;
        timer.start();
        std::atomic<int> refusedLocally{0};
        for (int i = 0; i < orders; ++i) {
            OrderRequest r;
            r.instrumentKey = "NSE_FO|59047";
            r.side = Side::Buy;
            r.type = OrderType::Market;
            r.quantity = 30;
            r.venue = Venue::Upstox;
            r.clientOrderId = "RS" + std::to_string(i);
            s.submitAsync(r, [&refusedLocally](Result<SubmitOutcome> out) {
                if (!out || out->status == OrderStatus::Rejected)
                    ++refusedLocally;
            });
        }
        const double handedMs = static_cast<double>(timer.nsecsElapsed()) / 1e6;
        // The simulator answers on this thread: run its loop until every order has an answer.
        int taken = 0;
        int rejected = 0;
        QEventLoop loop;
        QTimer poll;
        QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
            taken = rejected = 0;
            for (const OrderState &o : s.orders()) {
                taken += isWorking(o.status) || o.status == OrderStatus::Filled ? 1 : 0;
                rejected += o.status == OrderStatus::Rejected || o.status == OrderStatus::Lost;
            }
            if (taken + rejected >= orders || timer.elapsed() > 300'000)
                loop.quit();
        });
        poll.start(50);
        loop.exec();
        const double seconds = static_cast<double>(timer.nsecsElapsed()) / 1e9;
        // The broker's book: each tag once.
        std::map<QString, int> perTag;
        for (const QJsonValue &o : sim.simulator->orders().orderBook())
            ++perTag[o.toObject().value(QLatin1String("tag")).toString()];
        int twice = 0;
        for (const auto &[tag, n] : perTag)
            twice += n > 1 ? 1 : 0;
        const int atBroker = static_cast<int>(perTag.size());
        state.counters["orders"] = orders;
        state.counters["taken"] = taken;
        state.counters["rejected_or_lost"] = rejected;
        state.counters["at_broker"] = atBroker;
        state.counters["twice_at_broker"] = twice;
        state.counters["handed_ms"] = handedMs;
        state.counters["seconds_to_last"] = seconds;
        state.counters["orders_per_s"] = orders / seconds;
        state.counters["rate_limited_places"] = static_cast<double>(s.stats().rateLimitedPlaces);
        if (taken != orders || twice != 0 || atBroker != orders || refusedLocally.load() != 0)
            state.SkipWithError(qPrintable(QStringLiteral("LOSS: %1 of %2 taken, %3 at the broker, "
                                                          "%4 twice")
                                               .arg(taken)
                                               .arg(orders)
                                               .arg(atBroker)
                                               .arg(twice)));
        service->reset();
        gatewayThread.quit();
        gatewayThread.wait();
    }
}
BENCHMARK(BM_OrderRateSaturated)
    ->Args({600, 0})
    ->Args({600, 10})
    ->Unit(benchmark::kSecond)
    ->Iterations(1)
    ->UseRealTime();

} // namespace

int main(int argc, char **argv)
{
    return runBenchmarks(argc, argv, nullptr);
}
