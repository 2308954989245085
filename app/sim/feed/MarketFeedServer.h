#pragma once

// The simulator's market-data feed v3 (upstox-reference.md §3.7, upstox-live.md §1.4,
// docs/upstox-sim.md, "The WebSocket streams"). Each accepted socket gets market_info first (a
// protobuf FeedResponse of type market_info, re-sent whenever a segment's status changes), then
// answers binary JSON requests:
//   {"guid":"…","method":"sub","data":{"mode":"full","instrumentKeys":["NSE_FO|…"]}}
// `sub` (mode ltpc when none is given; a key already subscribed moves to the new mode, which is
// how the Node SDK's changeMode() works), `change_mode`, `unsub`. A `sub` or `change_mode` is
// answered with a snapshot of its keys (type initial_feed, full records); then live_feed ticks
// follow, partial as Upstox's (SimulatedTape.h): by default one frame per connection every
// 250 ms with the keys that traded or requoted, only while their segment is open; with
// SimContext::tickRate = N, N frames per second across all connections, market hours ignored
// (a load test).
//
// Upstox's limits (Standard plan, [V3DOC] in upstox-live.md §1.4) are enforced per connection:
// ltpc 5000, option_greeks 3000, full 2000 keys when one mode is used; 2000/2000/1500 when
// modes are mixed; full_d30 50. A request that would exceed them changes nothing and is
// answered with a JSON text frame
//   {"guid":…,"method":…,"status":"failed","error_code":"UDAPI100036","error":"…"}
// (Upstox's own text for this is NOT FOUND; the shape is the one OpenAlgo's client handles).
// Malformed requests get the same answer and the socket stays open. Unknown or expired keys are
// ignored (no feed, not counted).
//
// Faults (SimEventBus): dropWebSockets aborts every socket (the client sees 1006, no close
// frame), muteWebSockets keeps them open and sends nothing (requests are still applied),
// tokenRevoked closes the sockets opened with that token (1008).
//
// Who moves the market: with Options::advanceMarket the server advances SimulatedMarket by the
// simulated time that passed at every pump; the composition root turns it off when something
// else (one timer for REST and feed) already does.

#include "SimContext.h"
#include "SimulatedTape.h"
#include "marketdata/feed/FeedSubscriptions.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

#include <map>
#include <memory>
#include <vector>

class QWebSocket;

namespace strikeline::sim {

class FeedReplay;

// Upstox's limits, the client's own struct (core/marketdata/feed/FeedSubscriptions.h).
using FeedLimits = marketdata::FeedLimits;

class MarketFeedServer final : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        bool advanceMarket = true;
        int realisticIntervalMs = 250;
        int pingIntervalMs = 10'000; // Upstox sends standard pings (interval not documented)
        FeedLimits limits;
        // --replay: frames from a recording instead of the simulated tape (not owned; outlives
        // the server), at the recorded spacing divided by replaySpeed.
        FeedReplay *replay = nullptr;
        double replaySpeed = 1.0;
    };

    MarketFeedServer(const SimContext &context, Options options, QObject *parent = nullptr);
    explicit MarketFeedServer(const SimContext &context, QObject *parent = nullptr);
    ~MarketFeedServer() override;

    // Takes the open socket (parents it); closes it with 1008 when the user already has
    // limits.connectionsPerUser feeds open (the front door should have refused the upgrade).
    void accept(QWebSocket *socket, const QString &userId, const QByteArray &accessToken);
    int connections(const QString &userId) const;
    int connectionCount() const;
    const FeedLimits &limits() const { return m_options.limits; }
    // Frames sent so far (market_info, snapshots, ticks): for tests and the load benchmark.
    std::uint64_t framesSent() const { return m_framesSent; }

    SimulatedTape &tape() { return m_tape; }

private:
    struct Connection
    {
        QPointer<QWebSocket> socket; // null once closed (the entry goes soon after)
        QString userId;
        QByteArray token;
        std::map<std::string, FeedMode> subscriptions; // sorted: a deterministic tape
        bool greeted = false;                          // market_info sent
    };

    void onBinaryMessage(Connection *connection, const QByteArray &message);
    void onTextMessage(Connection *connection, const QString &message);
    void fail(Connection *connection, const QString &guid, const QString &method,
              const QString &message);
    bool withinLimits(const std::map<std::string, FeedMode> &subscriptions, QString &error) const;
    void sendSnapshot(Connection *connection, const std::vector<std::string> &keys);
    void send(Connection *connection, const upstoxpb::FeedResponse &response);
    void pump();
    void replayPump();
    std::int64_t replayNowMs() const;
    upstoxpb::FeedResponse currentMarketInfo() const;
    void sendTicks(Connection *connection, bool forced);
    void forget(Connection *connection);
    void dropAll();
    void revoke(const QByteArray &token);

    const SimContext &m_context;
    Options m_options;
    SimulatedTape m_tape;
    std::vector<std::unique_ptr<Connection>> m_connections;
    QTimer m_timer;
    QTimer m_pingTimer;
    QElapsedTimer m_elapsed;
    double m_framesOwed = 0;
    std::size_t m_nextConnection = 0;
    std::int64_t m_lastSimMs = 0;
    std::string m_lastStatuses;
    bool m_muted = false;
    std::uint64_t m_framesSent = 0;
    QElapsedTimer m_replayClock; // started by the first connection
    bool m_replayEndReported = false;
};

} // namespace strikeline::sim
