// The quote book and the feed decoder (issue 12, "Performance": decode + merge >= 1,000,000
// option_greeks ticks/s on one core). Frames are built with the vendor's generated classes in
// the shape Upstox (and the simulator) sends: 50 instruments per frame, every packet with LTPC,
// the first depth level, greeks, volume, OI and IV. Figures: docs/PERFORMANCE.md.

#include "MarketDataFeedV3.pb.h"
#include "marketdata/QuoteBook.h"
#include "marketdata/feed/UpstoxFeedDecoder.h"

#include <benchmark/benchmark.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

using namespace strikeline;
using marketdata::LiveQuote;
using marketdata::QuoteBook;
using marketdata::UpstoxFeedDecoder;

namespace pb = com::upstox::marketdatafeederv3udapi::rpc::proto;

namespace {

std::vector<QByteArray> greeksFrames(int frames, int keysPerFrame)
{
    std::vector<QByteArray> out;
    for (int n = 0; n < frames; ++n) {
        pb::FeedResponse response;
        response.set_type(pb::live_feed);
        response.set_currentts(1'755'750'000'000 + n);
        for (int k = 0; k < keysPerFrame; ++k) {
            pb::Feed &feed = (*response.mutable_feeds())["NSE_FO|" + std::to_string(40000 + k)];
            feed.set_requestmode(pb::option_greeks);
            pb::FirstLevelWithGreeks &f = *feed.mutable_firstlevelwithgreeks();
            const double ltp = 100.0 + k + 0.05 * n;
            f.mutable_ltpc()->set_ltp(ltp);
            f.mutable_ltpc()->set_ltt(1'755'749'999'000 + n);
            f.mutable_ltpc()->set_ltq(75);
            f.mutable_ltpc()->set_cp(98.5);
            f.mutable_firstdepth()->set_bidp(ltp - 0.05);
            f.mutable_firstdepth()->set_bidq(1500);
            f.mutable_firstdepth()->set_askp(ltp + 0.05);
            f.mutable_firstdepth()->set_askq(825);
            f.mutable_optiongreeks()->set_delta(0.52);
            f.mutable_optiongreeks()->set_theta(-12.5);
            f.mutable_optiongreeks()->set_gamma(0.0011);
            f.mutable_optiongreeks()->set_vega(9.75);
            f.mutable_optiongreeks()->set_rho(0.9);
            f.set_vtt(150000 + n);
            f.set_oi(2'250'000 + k);
            f.set_iv(14.2);
        }
        std::string bytes;
        response.SerializeToString(&bytes);
        out.push_back(QByteArray::fromStdString(bytes));
    }
    return out;
}

// Decode + merge: the feed thread's whole cost per frame. items = ticks (packets).
void BM_DecodeGreeksFrames(benchmark::State &state)
{
    const int keys = static_cast<int>(state.range(0));
    const auto frames = greeksFrames(64, keys);
    QuoteBook book;
    UpstoxFeedDecoder decoder(book);
    std::size_t i = 0;
    std::int64_t bytes = 0;
    for (auto _ : state) {
        const QByteArray &frame = frames[i++ % frames.size()];
        bytes += frame.size();
        benchmark::DoNotOptimize(decoder.decode(frame, 1));
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * keys);
    state.SetBytesProcessed(bytes);
    state.counters["frame_bytes"] = static_cast<double>(frames[0].size());
}
BENCHMARK(BM_DecodeGreeksFrames)->Arg(1)->Arg(10)->Arg(50)->Arg(200);

// Protobuf parsing alone, for the split between libprotobuf and our merge.
void BM_ParseOnly(benchmark::State &state)
{
    const auto frames = greeksFrames(64, 50);
    google::protobuf::Arena arena;
    std::size_t i = 0;
    for (auto _ : state) {
        const QByteArray &frame = frames[i++ % frames.size()];
        auto *response = google::protobuf::Arena::CreateMessage<pb::FeedResponse>(&arena);
        benchmark::DoNotOptimize(response->ParseFromArray(frame.constData(), int(frame.size())));
        arena.Reset();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 50);
}
BENCHMARK(BM_ParseOnly);

// One reader's seqlock read of a slot, uncontended and while the writer publishes it.
void BM_ReadSlot(benchmark::State &state)
{
    QuoteBook book;
    const auto id = book.slot("NSE_FO|1");
    {
        QuoteBook::Writer writer(book);
        writer.shadow(id).fields = LiveQuote::Ltp;
        writer.publish(id);
    }
    std::atomic<bool> stop{false};
    std::thread writer;
    if (state.range(0) != 0) {
        writer = std::thread([&] {
            while (!stop.load(std::memory_order_relaxed)) {
                QuoteBook::Writer w(book);
                w.shadow(id).volume += 1;
                w.publish(id);
            }
        });
    }
    LiveQuote q;
    for (auto _ : state)
        benchmark::DoNotOptimize(book.read(id, q));
    stop = true;
    if (writer.joinable())
        writer.join();
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_ReadSlot)->Arg(0)->Arg(1)->ArgName("contended");

// A chain model's poll on its cadence: 90 slots (ATM +- 20 calls and puts, the future, the
// index), a tenth of them moved.
void BM_WatchPoll90(benchmark::State &state)
{
    QuoteBook book;
    std::vector<QuoteBook::SlotId> ids;
    for (int i = 0; i < 90; ++i)
        ids.push_back(book.slot("NSE_FO|" + std::to_string(i)));
    marketdata::QuoteWatch watch(book);
    watch.setSlots(ids);
    int n = 0;
    for (auto _ : state) {
        state.PauseTiming();
        {
            QuoteBook::Writer writer(book);
            for (int i = 0; i < 9; ++i)
                writer.publish(ids[static_cast<std::size_t>((n * 9 + i) % 90)]);
        }
        ++n;
        state.ResumeTiming();
        benchmark::DoNotOptimize(watch.poll());
    }
}
BENCHMARK(BM_WatchPoll90);

} // namespace

BENCHMARK_MAIN();
