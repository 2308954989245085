#pragma once

// What the parts of the Upstox simulator (`strikeline-cli upstox-sim`, docs/upstox-sim.md)
// share: the instruments and the simulated market behind it, its clock, and the events that
// cross from the REST side (orders, faults) to the WebSocket side (the market-data feed and the
// portfolio stream), and the per-instrument market state both sides read. Built once by the
// simulator and outliving every part that reads it. All of it lives on the simulator's one
// thread.

#include <QJsonObject>
#include <QObject>
#include <QString>

#include <cstdint>
#include <memory>

namespace strikeline {
class Clock;
class InstrumentRepository;
class SimulatedMarket;
} // namespace strikeline

namespace strikeline::sim {

class SimMarketState;

// Signals from the REST side (orders, /sim/fault) to the streams.
class SimEventBus final : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

Q_SIGNALS:
    // An order update for `userId`, exactly as the portfolio stream sends it (a JSON text frame,
    // upstox-reference.md §3.8 / upstox-live.md §4.1), already in the order the faults
    // (duplicate-updates, reorder-updates, update-before-ack) want it sent.
    void orderUpdate(const QString &userId, const QJsonObject &update);
    // A position update for `userId` (update_type "position").
    void positionUpdate(const QString &userId, const QJsonObject &update);
    // Fault drop-ws: close every WebSocket now (clients see an abnormal close and reconnect).
    void dropWebSockets();
    // Fault mute-ws: stay connected, send nothing while muted.
    void muteWebSockets(bool muted);
    // A token stopped being valid (expire-token, logout): the streams opened with it close.
    void tokenRevoked(const QByteArray &token);
};

struct SimContext
{
    SimContext(const InstrumentRepository &repository, SimulatedMarket &simulated,
               const Clock &simulatedClock, SimEventBus &bus, int framesPerSecond = 0,
               std::uint64_t marketSeed = 0);

    const InstrumentRepository &instruments;
    SimulatedMarket &market;
    const Clock &clock; // simulated IST: --at, then real time x --speed (ShiftedClock)
    SimEventBus &events;
    // --tick-rate: feed frames per second across all subscriptions; 0 = a realistic market.
    int tickRate = 0;
    std::uint64_t seed = 0; // --seed
    // Volume, OI, prev_oi and the book per instrument, one for the feed and REST alike
    // (SimMarketState.h): the feed's tape steps it, SimMarketView reads it. Shared by copies
    // of the context, never null.
    std::shared_ptr<SimMarketState> state;
};

} // namespace strikeline::sim
