#pragma once

// The simulator's tape: what the market-data feed v3 says about each instrument, in Upstox's
// protobuf (MarketDataFeedV3.proto). Prices, previous close and circuit limits come from the
// simulated market; what that market does not model (traded volume, open interest, the five
// (or thirty) best bids and offers with their quantities, total buy/sell quantity, the day's and
// the minute's OHLC, average traded price, greeks and IV) the tape keeps per instrument here,
// seeded from --seed and the instrument key so that the same seed gives the same tape.
//
// Live ticks are partial, as Upstox's are (upstox-live.md §0 row 4, §1.4): a trade carries
// ltpc, depth, OHLC, volume, ATP (and OI only when it moved, greeks and IV for options); a
// quote change carries the depth and total quantities alone, with no ltpc. A snapshot
// (initial_feed) carries every field.
//
// Greeks are Black-76 on the option's forward (the simulated market prices options that way):
// delta and gamma per rupee of the forward, theta per calendar day, vega per volatility point,
// rho per rate point; IV is the fraction (0.15 = 15 %) implied by the option's traded price.
//
// Not thread-safe: it lives on the simulator's thread.

#include "MarketDataFeedV3.pb.h"

#include <absl/container/flat_hash_map.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace strikeline {
class Clock;
class InstrumentRepository;
class SimulatedMarket;
} // namespace strikeline

namespace strikeline::sim {

namespace upstoxpb = com::upstox::marketdatafeederv3udapi::rpc::proto;

// A subscription mode of the feed, by its request name.
enum class FeedMode { Ltpc, OptionGreeks, Full, FullD30 };

std::optional<FeedMode> parseFeedMode(std::string_view name); // "ltpc", "option_greeks", ...
std::string_view feedModeName(FeedMode mode);
upstoxpb::RequestMode requestModeOf(FeedMode mode);

// What happened to an instrument in one step of the tape.
enum class TapeEvent { None, Trade, Quote };

class SimulatedTape final
{
public:
    SimulatedTape(const InstrumentRepository &instruments, const SimulatedMarket &market,
                  const Clock &clock, std::uint64_t seed);
    ~SimulatedTape();

    // Whether the feed knows the key (a live contract of the current master).
    bool knows(std::string_view instrumentKey) const;

    // market_info: every segment's status now, from the simulated clock (IST hours below).
    upstoxpb::FeedResponse marketInfo() const;
    // The segment's status now ("NSE_FO"), on the same rules; NORMAL_CLOSE for unknown names.
    upstoxpb::MarketStatus segmentStatus(std::string_view segment) const;
    // Whether the instrument's segment trades now (NORMAL_OPEN).
    bool isOpen(std::string_view instrumentKey) const;

    // Adds the full record of a known key in `mode` to `response` (a snapshot); false (and no
    // change) for an unknown key.
    bool addSnapshot(upstoxpb::FeedResponse &response, const std::string &instrumentKey,
                     FeedMode mode);
    // Moves a known key one step: a trade, a quote change or (unless `forceActivity`) nothing.
    TapeEvent step(const std::string &instrumentKey, bool forceActivity = false);
    // Adds what the last step of the key changed, as Upstox sends it in `mode`; false when
    // that mode has nothing to say about it (a quote change in ltpc mode, TapeEvent::None).
    bool addTick(upstoxpb::FeedResponse &response, const std::string &instrumentKey, FeedMode mode,
                 TapeEvent event);

private:
    struct Level
    {
        double price = 0;
        std::int64_t quantity = 0;
    };
    struct Bar
    {
        std::int64_t startMs = 0;
        double open = 0, high = 0, low = 0, close = 0;
        std::int64_t volume = 0;
    };
    struct Book;

    Book *bookFor(const std::string &instrumentKey);
    void refreshPrice(Book &book, bool trade);
    void rebuildDepth(Book &book);
    void jiggleDepth(Book &book);
    void fillLtpc(upstoxpb::LTPC &ltpc, const Book &book) const;
    void fillDepth(upstoxpb::MarketLevel &level, const Book &book, FeedMode mode) const;
    void fillOhlc(upstoxpb::MarketOHLC &ohlc, const Book &book) const;
    void fillGreeks(upstoxpb::OptionGreeks &greeks, const Book &book) const;
    void fillFull(upstoxpb::Feed &feed, const Book &book, FeedMode mode, bool snapshot,
                  TapeEvent event) const;

    const InstrumentRepository &m_instruments;
    const SimulatedMarket &m_market;
    const Clock &m_clock;
    std::uint64_t m_seed;
    std::mt19937_64 m_random;
    absl::flat_hash_map<std::string, std::unique_ptr<Book>> m_books;
};

} // namespace strikeline::sim
