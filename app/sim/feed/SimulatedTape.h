#pragma once

// The simulator's tape: what the market-data feed v3 says about each instrument, in Upstox's
// protobuf (MarketDataFeedV3.proto). Prices, previous close and circuit limits come from the
// simulated market; what that market does not model (traded volume, open interest, the five
// (or thirty) best bids and offers with their quantities, total buy/sell quantity, the day's and
// the minute's OHLC, average traded price, greeks and IV) is the simulator's SimMarketState,
// the one the REST quotes and option chain read too: the tape steps its books and renders them,
// so the feed and REST agree. The same seed gives the same tape.
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
#include "SimMarketState.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

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

class SimulatedTape final
{
public:
    // The tape of the simulator's shared state (SimContext::state): what the REST side reads.
    explicit SimulatedTape(SimMarketState &state);
    // A tape with a state of its own (benchmarks, tests of the tape alone).
    SimulatedTape(const InstrumentRepository &instruments, const SimulatedMarket &market,
                  const Clock &clock, std::uint64_t seed);
    ~SimulatedTape();

    // Whether the feed knows the key (a live contract of the current master).
    bool knows(std::string_view instrumentKey) const;

    // market_info: every segment's status now, from the simulated clock (sessionStatus()).
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
    std::unique_ptr<SimMarketState> m_ownState; // only without a shared one
    SimMarketState &m_state;
};

} // namespace strikeline::sim
