#pragma once

// The simulator's WebSocket streams as the front door sees them (docs/upstox-sim.md). The front
// door (UpstoxSim) owns the listening socket, checks the single-use code of a WebSocket URL it
// handed out, completes the upgrade and passes the open socket here; the streams own it from then
// on (parent it, close it on revocation, drop-ws, or shutdown).

#include <QByteArray>
#include <QString>
#include <QStringList>

class QWebSocket;

namespace strikeline::sim {

class SimStreams
{
public:
    virtual ~SimStreams() = default;
    // The market-data feed v3: protobuf FeedResponse frames, binary JSON sub/change_mode/unsub.
    virtual void acceptMarketFeed(QWebSocket *socket, const QString &userId,
                                  const QByteArray &accessToken) = 0;
    // The portfolio stream feed: JSON text frames; updateTypes from the authorize call's
    // `update_types` (order, position, holding, gtt_order; default order).
    virtual void acceptPortfolioStream(QWebSocket *socket, const QString &userId,
                                       const QByteArray &accessToken,
                                       const QStringList &updateTypes) = 0;
    // Upstox's connection limit per user for the market-data feed; the front door refuses the
    // upgrade (HTTP 429-style error body before the upgrade) beyond it.
    virtual int marketFeedConnections(const QString &userId) const = 0;
};

} // namespace strikeline::sim
