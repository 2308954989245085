// The simulator's market-data feed: what one FeedResponse costs to make and encode for N keys
// (a live_feed frame in full mode: one tape step per key, the partial packets, protobuf
// serialisation), and a full-mode snapshot of N keys. items/s = frames per second one
// simulator thread can produce; bytes/s = encoded bytes.

#include "BenchmarkMain.h"
#include "RecordFactory.h"
#include "SimulatedTape.h"
#include "instruments/InstrumentRepository.h"
#include "marketdata/FeedRecording.h"
#include "marketdata/SimulatedMarket.h"

#include <QFileInfo>
#include <QTemporaryDir>

#include <chrono>
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

// Recording the feed (core/marketdata/FeedRecording.h): N real 50-key full-mode frames recorded
// and written to a gzip file. Time per iteration = recording 1000 frames and waiting until the
// writer thread has compressed them to the file (flush), so items/s is the disk side's
// sustained rate; "record ns" is what record() costs the feed thread per frame.
void BM_RecordFrames(benchmark::State &state)
{
    Universe &u = universe();
    SimulatedTape tape(u.repository, *u.market, u.clock, 7);
    std::vector<std::string> keys(u.keys.begin(), u.keys.begin() + 50);
    std::vector<QByteArray> frames;
    for (int i = 0; i < 64; ++i) {
        upstoxpb::FeedResponse response;
        response.set_type(upstoxpb::live_feed);
        for (const std::string &key : keys)
            tape.addTick(response, key, FeedMode::Full, tape.step(key, true));
        std::string out;
        response.SerializeToString(&out);
        frames.push_back(QByteArray::fromStdString(out));
    }
    QTemporaryDir dir;
    marketdata::FeedRecorder::Options options;
    options.directory = dir.path();
    options.maxFileBytes = std::int64_t(1) << 40;
    auto recorder = marketdata::FeedRecorder::open(options);
    if (!recorder) {
        state.SkipWithError("cannot open the recorder");
        return;
    }
    std::int64_t bytes = 0;
    double recordNs = 0;
    const std::int64_t t0 = u.clock.now().epochMs;
    for (auto _ : state) {
        const auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < 1000; ++i) {
            const QByteArray &frame = frames[static_cast<std::size_t>(i) % frames.size()];
            (*recorder)->record(frame, t0 + i);
            bytes += frame.size();
        }
        recordNs += static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                            std::chrono::steady_clock::now() - start)
                                            .count()) /
                    1000.0;
        (*recorder)->flush();
    }
    const auto stats = (*recorder)->stats();
    state.SetItemsProcessed(state.iterations() * 1000);
    state.SetBytesProcessed(bytes);
    state.counters["record ns"] = recordNs / static_cast<double>(state.iterations());
    state.counters["dropped"] = static_cast<double>(stats.framesDropped);
    state.counters["gz bytes/frame"] =
        static_cast<double>(QFileInfo(stats.currentFile).size()) /
        static_cast<double>(std::max<std::uint64_t>(1, stats.framesWritten));
}
BENCHMARK(BM_RecordFrames)->Unit(benchmark::kMillisecond)->UseRealTime();

} // namespace

int main(int argc, char **argv)
{
    return runBenchmarks(argc, argv, nullptr);
}
