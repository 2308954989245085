// Order flow benchmarks (docs/PERFORMANCE.md, "Part 4 — order flow").
//
//   BM_SubmitToPaperAck/<rule>   one thread submits MARKET orders; the time from submit() to
//                                the paper broker's acknowledgement (submit returns with the ids).
//                                rule 0 = JournalBeforeSend (waits one group-committed
//                                fdatasync), 1 = SendThenJournal. The validator is replaced by a
//                                trivial function (one slice) and the contract lookup by a
//                                fixed contract: only the order path is measured.
//   BM_SubmitToWire              submitAsync() as the ticket calls it: what the caller pays (it
//                                returns before the journal's sync) and the time until the
//                                order reaches the gateway, journaled first.
//   BM_Sustained/<backend>/<rule> 50,000 orders from 32 submitting threads through the journal
//                                and the persister into SQLite (0) or PostgreSQL (1), until
//                                every row is in the database; rows and events are counted
//                                afterwards (zero loss) and the fsync cost per journal batch is
//                                reported. rule as above.
//
// The journal lives on the real disk (the current directory unless STRIKELINE_BENCH_DIR is
// set), never on a tmpfs. STRIKELINE_BENCH_PG_URL=postgresql://... adds the PostgreSQL run.

#include "BenchmarkMain.h"
#include "common/IstTime.h"
#include "marketdata/MarketData.h"
#include "orders/OrderService.h"
#include "orders/PaperGateway.h"
#include "storage/Database.h"

#include <QDir>
#include <QTemporaryDir>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

using namespace strikeline;
using namespace std::chrono_literals;
using strikeline::testing::benchDir;

namespace {

const std::string Key = "NSE_FO|41915";

class FixedMarket final : public MarketData
{
public:
    std::optional<Quote> quote(std::string_view) const override
    {
        Quote q;
        q.last = Price::fromRupees(100);
        q.simulated = true;
        return q;
    }
};

ContractLookup fixedLookup()
{
    ContractIdentity c;
    c.instrumentKey = Key;
    c.tradingSymbol = "NIFTY 26250 CE 30 DEC 25";
    c.segment = "NSE_FO";
    c.optionType = "CE";
    c.expiry = fromQDate(QDate(2025, 12, 30));
    c.strike = Price::fromRupees(26250);
    c.lotSize = 75;
    c.tickSize = Price::fromPaise(5);
    return [c](std::string_view) { return std::optional<ContractIdentity>(c); };
}

ValidateOrder trivialValidator()
{
    return [](const OrderRequest &r) {
        Verdict v;
        v.slices.push_back(r.quantity);
        return v;
    };
}

OrderRequest marketOrder()
{
    OrderRequest r;
    r.instrumentKey = Key;
    r.type = OrderType::Market;
    r.product = Product::Intraday;
    r.quantity = 75;
    return r;
}

std::int64_t percentile(std::vector<std::int64_t> &samples, double p)
{
    const std::size_t i = std::min(
        samples.size() - 1, static_cast<std::size_t>(p * static_cast<double>(samples.size())));
    std::nth_element(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(i),
                     samples.end());
    return samples[i];
}

void reportJournal(benchmark::State &state, const JournalStats &j)
{
    state.counters["journal_batches"] = static_cast<double>(j.batches);
    state.counters["orders_per_batch"] =
        j.batches ? static_cast<double>(j.records) / 5.0 / static_cast<double>(j.batches) : 0;
    state.counters["events_per_batch"] =
        j.batches ? static_cast<double>(j.records) / static_cast<double>(j.batches) : 0;
    state.counters["largest_batch"] = static_cast<double>(j.largestBatch);
    state.counters["fsync_us_avg"] =
        j.batches ? static_cast<double>(j.syncNanosTotal) / 1000.0 / static_cast<double>(j.batches)
                  : 0;
    state.counters["fsync_us_max"] = static_cast<double>(j.syncNanosMax) / 1000.0;
}

void BM_SubmitToPaperAck(benchmark::State &state)
{
    QTemporaryDir dir(benchDir() + QStringLiteral("/bench-orders-XXXXXX"));
    FixedMarket market;
    FixedClock clock(IstMoment::fromDay(fromQDate(QDate(2025, 12, 9)), 630));
    PaperGateway gateway(market, clock);
    OrderServiceConfig config;
    config.journalDirectory = dir.filePath(QStringLiteral("journal"));
    config.database.path = dir.filePath(QStringLiteral("orders.db"));
    config.durability =
        state.range(0) == 0 ? DurabilityRule::JournalBeforeSend : DurabilityRule::SendThenJournal;
    auto service =
        OrderService::open({fixedLookup(), trivialValidator(), {&gateway}, clock}, config);
    if (!service) {
        state.SkipWithError(qPrintable(service.error().message));
        return;
    }
    std::vector<std::int64_t> nanos;
    nanos.reserve(200000);
    for (auto _ : state) {
        const auto start = std::chrono::steady_clock::now();
        auto out = service.value()->submit(marketOrder());
        const auto end = std::chrono::steady_clock::now();
        if (!out || out->brokerOrderIds.empty()) {
            state.SkipWithError("submit failed");
            return;
        }
        nanos.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(end - start).count());
    }
    state.counters["median_us"] = static_cast<double>(percentile(nanos, 0.5)) / 1000.0;
    state.counters["p99_us"] = static_cast<double>(percentile(nanos, 0.99)) / 1000.0;
    state.counters["max_us"] = static_cast<double>(percentile(nanos, 1.0)) / 1000.0;
    reportJournal(state, service.value()->journalStats());
    service.value()->waitPersisted(120s);
}
BENCHMARK(BM_SubmitToPaperAck)->Arg(0)->Arg(1)->Iterations(20000)->Unit(benchmark::kMicrosecond);

// The paper gateway, stamping the moment the order service hands it an order: for a broker
// over a network that is when the request goes on the wire (the gateway queues it to its socket
// at once). Everything else goes straight through.
class StampingGateway final : public BrokerGateway
{
public:
    explicit StampingGateway(PaperGateway &inner)
        : m_inner(inner)
    {}
    Venue venue() const override { return m_inner.venue(); }
    GatewayRequestId place(const PlaceOrderRequest &request) override
    {
        {
            std::lock_guard lock(m_mutex);
            m_stamp = std::chrono::steady_clock::now();
            ++m_places;
        }
        m_placed.notify_all();
        return m_inner.place(request);
    }
    GatewayRequestId modify(const ModifyOrderRequest &r) override { return m_inner.modify(r); }
    GatewayRequestId cancel(const std::string &id) override { return m_inner.cancel(id); }
    GatewayRequestId findByTag(const std::string &tag) override { return m_inner.findByTag(tag); }
    GatewayRequestId fetchBook() override { return m_inner.fetchBook(); }
    void setEventSink(EventSink sink) override { m_inner.setEventSink(std::move(sink)); }

    // Waits for the next place after `count` of them; its time.
    std::chrono::steady_clock::time_point waitPlace(std::uint64_t count)
    {
        std::unique_lock lock(m_mutex);
        m_placed.wait(lock, [&] { return m_places > count; });
        return m_stamp;
    }

private:
    PaperGateway &m_inner;
    std::mutex m_mutex;
    std::condition_variable m_placed;
    std::chrono::steady_clock::time_point m_stamp;
    std::uint64_t m_places = 0;
};

// The ticket's path: submitAsync() from the caller's thread (what the GUI thread pays), and the
// time until the order reaches the gateway after its events are durable in the journal
// (JournalBeforeSend: one group-committed fdatasync on the real disk).
void BM_SubmitToWire(benchmark::State &state)
{
    QTemporaryDir dir(benchDir() + QStringLiteral("/bench-orders-XXXXXX"));
    FixedMarket market;
    FixedClock clock(IstMoment::fromDay(fromQDate(QDate(2025, 12, 9)), 630));
    PaperGateway paper(market, clock);
    StampingGateway gateway(paper);
    OrderServiceConfig config;
    config.journalDirectory = dir.filePath(QStringLiteral("journal"));
    config.database.path = dir.filePath(QStringLiteral("orders.db"));
    auto service =
        OrderService::open({fixedLookup(), trivialValidator(), {&gateway}, clock}, config);
    if (!service) {
        state.SkipWithError(qPrintable(service.error().message));
        return;
    }
    std::vector<std::int64_t> caller;
    std::vector<std::int64_t> wire;
    caller.reserve(20000);
    wire.reserve(20000);
    std::uint64_t placed = 0;
    for (auto _ : state) {
        const auto start = std::chrono::steady_clock::now();
        service.value()->submitAsync(marketOrder());
        const auto returned = std::chrono::steady_clock::now();
        const auto sent = gateway.waitPlace(placed++);
        caller.push_back(
            std::chrono::duration_cast<std::chrono::nanoseconds>(returned - start).count());
        wire.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(sent - start).count());
    }
    state.counters["caller_p50_us"] = static_cast<double>(percentile(caller, 0.5)) / 1000.0;
    state.counters["caller_p99_us"] = static_cast<double>(percentile(caller, 0.99)) / 1000.0;
    state.counters["wire_p50_us"] = static_cast<double>(percentile(wire, 0.5)) / 1000.0;
    state.counters["wire_p99_us"] = static_cast<double>(percentile(wire, 0.99)) / 1000.0;
    state.counters["wire_max_us"] = static_cast<double>(percentile(wire, 1.0)) / 1000.0;
    reportJournal(state, service.value()->journalStats());
    service.value()->waitPersisted(120s);
}
BENCHMARK(BM_SubmitToWire)->Iterations(5000)->Unit(benchmark::kMicrosecond);

void BM_Sustained(benchmark::State &state)
{
    const bool postgres = state.range(0) == 1;
    if (postgres && qEnvironmentVariableIsEmpty("STRIKELINE_BENCH_PG_URL")) {
        state.SkipWithError("set STRIKELINE_BENCH_PG_URL for the PostgreSQL run");
        return;
    }
    constexpr int Orders = 50000;
    constexpr int Threads = 32;
    for (auto _ : state) {
        state.PauseTiming();
        QTemporaryDir dir(benchDir() + QStringLiteral("/bench-orders-XXXXXX"));
        DatabaseConfig db;
        db.path = dir.filePath(QStringLiteral("orders.db"));
        if (postgres) {
            db = DatabaseConfig::parse(qEnvironmentVariable("STRIKELINE_BENCH_PG_URL")).value();
            auto conn = Database::open(db, QStringLiteral("bench-reset"));
            if (!conn || !conn.value()->exec(QStringLiteral("TRUNCATE orders, order_events"))) {
                state.SkipWithError("cannot reset the PostgreSQL tables");
                return;
            }
        }
        FixedMarket market;
        FixedClock clock(IstMoment::fromDay(fromQDate(QDate(2025, 12, 9)), 630));
        PaperGateway gateway(market, clock);
        OrderServiceConfig config;
        config.journalDirectory = dir.filePath(QStringLiteral("journal"));
        config.database = db;
        config.durability = state.range(1) == 0 ? DurabilityRule::JournalBeforeSend
                                                : DurabilityRule::SendThenJournal;
        auto service =
            OrderService::open({fixedLookup(), trivialValidator(), {&gateway}, clock}, config);
        if (!service) {
            state.SkipWithError(qPrintable(service.error().message));
            return;
        }
        OrderService &s = *service.value();
        std::atomic<int> next{0};
        std::atomic<int> failures{0};
        state.ResumeTiming();
        const auto start = std::chrono::steady_clock::now();
        std::vector<std::thread> threads;
        for (int t = 0; t < Threads; ++t)
            threads.emplace_back([&] {
                while (next.fetch_add(1) < Orders)
                    if (!s.submit(marketOrder()))
                        ++failures;
            });
        for (std::thread &t : threads)
            t.join();
        const auto submitted = std::chrono::steady_clock::now();
        const bool drained = s.waitPersisted(600s);
        const auto stored = std::chrono::steady_clock::now();
        state.PauseTiming();
        auto check = Database::open(db, QStringLiteral("bench-check"));
        const qlonglong rows =
            check
                ? check.value()->scalar(QStringLiteral("SELECT count(*) FROM orders"))->toLongLong()
                : -1;
        const qlonglong events =
            check ? check.value()
                        ->scalar(QStringLiteral("SELECT count(*) FROM order_events"))
                        ->toLongLong()
                  : -1;
        if (!drained || failures.load() != 0 || rows != Orders || events != 5LL * Orders) {
            state.SkipWithError(qPrintable(QStringLiteral("LOSS: %1 rows, %2 events, %3 failed "
                                                          "submits")
                                               .arg(rows)
                                               .arg(events)
                                               .arg(failures.load())));
            return;
        }
        const double submitSeconds = std::chrono::duration<double>(submitted - start).count();
        const double storedSeconds = std::chrono::duration<double>(stored - start).count();
        state.counters["orders"] = Orders;
        state.counters["rows_counted"] = static_cast<double>(rows);
        state.counters["submit_orders_per_s"] = Orders / submitSeconds;
        state.counters["stored_orders_per_s"] = Orders / storedSeconds;
        state.counters["db_lag_ms"] = (storedSeconds - submitSeconds) * 1000.0;
        const PersisterStats p = s.persister().stats();
        state.counters["db_batches"] = static_cast<double>(p.batches);
        reportJournal(state, s.journalStats());
        service.value().reset();
        if (postgres && check)
            (void)check.value()->exec(QStringLiteral("TRUNCATE orders, order_events"));
        state.ResumeTiming();
    }
}
BENCHMARK(BM_Sustained)
    ->Args({0, 0})
    ->Args({1, 0})
    ->Args({0, 1})
    ->Args({1, 1})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

} // namespace

int main(int argc, char **argv)
{
    return strikeline::testing::runBenchmarks(argc, argv, nullptr);
}
