// The simulator's market-data feed: what one FeedResponse costs to make and encode for N keys
// (a live_feed frame in full mode: one tape step per key, the partial packets, protobuf
// serialisation), and a full-mode snapshot of N keys. items/s = frames per second one
// simulator thread can produce; bytes/s = encoded bytes.

#include "BenchmarkMain.h"
#include "RecordFactory.h"
#include "SimulatedTape.h"
#include "instruments/InstrumentRepository.h"
#include "marketdata/SimulatedMarket.h"

#include <memory>
#include <string>
#include <vector>

using namespace strikeline;
using namespace strikeline::sim;
using namespace strikeline::testing;

namespace {

struct Universe
{
    InstrumentRepository repository;
    FixedClock clock{IstMoment::fromDay(day(2025, 12, 9), 10 * 60)};
    std::unique_ptr<SimulatedMarket> market;
    std::vector<std::string> keys; // NIFTY options of two expiries and a future

    Universe()
    {
        RecordFactory f;
        SnapshotBuilder b;
        const std::string index = "NSE_INDEX|Nifty 50";
        b.add(f.index("NIFTY", index, "Nifty 50"));
        auto keep = [&](InstrumentRecord r) {
            keys.push_back(r.instrumentKey);
            b.add(std::move(r));
        };
        keep(f.future("NIFTY", day(2025, 12, 30), 75, Segment::NseFo, index));
        for (const EpochDay expiry : {day(2025, 12, 16), day(2025, 12, 30)}) {
            for (int strike = 20000; strike < 32000; strike += 25) {
                const std::string s = std::to_string(strike);
                keep(f.option("NIFTY", expiry, s, true, 75, true, Segment::NseFo, index));
                keep(f.option("NIFTY", expiry, s, false, 75, true, Segment::NseFo, index));
            }
        }
        repository.publish(b.build(MasterInfo{}));
        market = std::make_unique<SimulatedMarket>(repository, clock);
    }
};

Universe &universe()
{
    static Universe u;
    return u;
}

void BM_LiveFrameFull(benchmark::State &state)
{
    Universe &u = universe();
    const auto n = static_cast<std::size_t>(state.range(0));
    SimulatedTape tape(u.repository, *u.market, u.clock, 7);
    std::vector<std::string> keys(u.keys.begin(), u.keys.begin() + static_cast<long>(n));
    for (const std::string &key : keys) {
        upstoxpb::FeedResponse warm;
        tape.addSnapshot(warm, key, FeedMode::Full);
    }
    std::int64_t bytes = 0;
    std::string out;
    for (auto _ : state) {
        upstoxpb::FeedResponse response;
        response.set_type(upstoxpb::live_feed);
        response.set_currentts(u.clock.now().epochMs);
        for (const std::string &key : keys)
            tape.addTick(response, key, FeedMode::Full, tape.step(key, true));
        response.SerializeToString(&out);
        bytes += static_cast<std::int64_t>(out.size());
        benchmark::DoNotOptimize(out.data());
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(bytes);
    state.counters["bytes/frame"] =
        static_cast<double>(bytes) /
        static_cast<double>(std::max<std::int64_t>(1, state.iterations()));
}
BENCHMARK(BM_LiveFrameFull)->Arg(1)->Arg(50)->Arg(500)->Arg(1500)->Unit(benchmark::kMicrosecond);

void BM_SnapshotFull(benchmark::State &state)
{
    Universe &u = universe();
    const auto n = static_cast<std::size_t>(state.range(0));
    SimulatedTape tape(u.repository, *u.market, u.clock, 7);
    std::vector<std::string> keys(u.keys.begin(), u.keys.begin() + static_cast<long>(n));
    std::int64_t bytes = 0;
    std::string out;
    for (auto _ : state) {
        upstoxpb::FeedResponse response;
        response.set_type(upstoxpb::initial_feed);
        for (const std::string &key : keys)
            tape.addSnapshot(response, key, FeedMode::Full);
        response.SerializeToString(&out);
        bytes += static_cast<std::int64_t>(out.size());
        benchmark::DoNotOptimize(out.data());
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_SnapshotFull)->Arg(50)->Arg(1500)->Unit(benchmark::kMicrosecond);

} // namespace

int main(int argc, char **argv)
{
    return runBenchmarks(argc, argv, nullptr);
}
