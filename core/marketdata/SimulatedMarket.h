#pragma once

// Prices without a live feed. Each underlying (NIFTY, BANKNIFTY, RELIANCE, CRUDEOIL ...) has a
// level that the trader may set and that otherwise starts at the median strike of its nearest
// expiry (the snapshot's ATM proxy). advance() moves every level by a seeded, mean-reverting
// random walk around its set price; nothing moves by itself (no timer here), so tests are
// deterministic. Contracts are priced from the level on every quote():
//   equity / index   the level itself
//   future           level * exp(carry * t)
//   option           Black-76 on that forward with one flat volatility, discounted at carry
// with t = time to the expiry day's 15:30 IST from the injected clock, rounded to the tick and
// never below one tick. Every quote says simulated. Details: docs/orders.md.
//
// Thread safety: quote() may run on any thread while advance()/set*() run on another. The
// levels live in an immutable table behind an atomic shared_ptr; writers copy, change and
// publish a new table (serialised by a mutex), readers take one pointer and never lock.

#include "MarketData.h"
#include "common/IstTime.h"

#include <absl/container/flat_hash_map.h>
#include <absl/strings/string_view.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace strikeline {

class InstrumentRepository;
class InstrumentSnapshot;

struct SimulationParams
{
    double optionVolatility = 0.15; // flat implied volatility of every option
    double carryRate = 0.065;       // futures carry and the options' discount rate
    double walkVolatility = 0.15;   // the underlyings' own annualised volatility in the walk
    double reversionHalfLifeSeconds = 1800; // how fast a level drifts back to its set price
    double futuresBand = 0.10; // futures' price band: previous close +- 10 % (NSE's range)
    std::uint64_t seed = 20251209;
};

class SimulatedMarket final : public MarketData
{
public:
    SimulatedMarket(const InstrumentRepository &repository, const Clock &clock,
                    SimulationParams params = {});
    ~SimulatedMarket() override;

    std::optional<Quote> quote(std::string_view instrumentKey) const override;

    // The underlying's current level ("NIFTY", "RELIANCE"), or nullopt when it has neither a set
    // price nor options to take a default from.
    std::optional<Price> underlyingPrice(std::string_view symbol) const;
    // Sets the level the underlying moves around; it jumps there now and the day's reference
    // (previous close) restarts from it. A non-positive price removes the setting.
    void setUnderlyingPrice(std::string_view symbol, Price price);
    void setOptionVolatility(double volatility);
    void setCarryRate(double rate);
    double optionVolatility() const;
    double carryRate() const;

    // Moves every underlying of the current snapshot by elapsedMs of simulated time. Underlyings
    // of a newly published snapshot join here (and at construction); until then quote() takes
    // their default level on the fly.
    void advance(std::int64_t elapsedMs);

private:
    struct Level
    {
        double anchor = 0;  // the set (or default) price the walk reverts to
        double current = 0; // the level now
        double dayOpen = 0; // the level when the IST day began: prices previousClose
        EpochDay openDay = NoDay;
        bool set = false; // set by the trader (else a default from the chain)
    };
    struct State
    {
        std::vector<std::pair<std::string, Level>> levels; // sorted by symbol: a stable walk
        absl::flat_hash_map<std::string, std::uint32_t> index;
        double optionVolatility = 0;
        double carryRate = 0;
    };
    using StatePtr = std::shared_ptr<const State>;

    std::optional<Level> levelFor(const State &state, const InstrumentSnapshot &snapshot,
                                  std::string_view symbol, EpochDay today) const;
    static void addMissingLevels(State &state, const InstrumentSnapshot &snapshot, EpochDay today);
    static std::optional<double> defaultLevel(const InstrumentSnapshot &snapshot,
                                              std::string_view symbol, EpochDay today);
    // Under m_writeMutex: copy the table, let `change` edit it, publish it.
    template<typename Change>
    void update(Change &&change);

    const InstrumentRepository &m_repository;
    const Clock &m_clock;
    SimulationParams m_params;
    std::atomic<StatePtr> m_state;
    std::mutex m_writeMutex;
    std::mt19937_64 m_random; // guarded by m_writeMutex
};

} // namespace strikeline
