#include "SimContext.h"

#include "SimMarketState.h"

namespace strikeline::sim {

SimContext::SimContext(const InstrumentRepository &repository, SimulatedMarket &simulated,
                       const Clock &simulatedClock, SimEventBus &bus, int framesPerSecond,
                       std::uint64_t marketSeed)
    : instruments(repository)
    , market(simulated)
    , clock(simulatedClock)
    , events(bus)
    , tickRate(framesPerSecond)
    , seed(marketSeed)
    , state(std::make_shared<SimMarketState>(repository, simulated, simulatedClock, marketSeed))
{}

} // namespace strikeline::sim
