#pragma once

// The streams behind the simulator's front door: the market-data feed v3 and the portfolio
// stream, one object the front door (UpstoxSim) calls through SimStreams.

#include "MarketFeedServer.h"
#include "PortfolioStreamServer.h"
#include "SimStreams.h"

#include <QObject>

namespace strikeline::sim {

class SimFeedStreams final
    : public QObject
    , public SimStreams
{
    Q_OBJECT
public:
    SimFeedStreams(const SimContext &context, MarketFeedServer::Options options,
                   QObject *parent = nullptr);
    explicit SimFeedStreams(const SimContext &context, QObject *parent = nullptr);

    void acceptMarketFeed(QWebSocket *socket, const QString &userId,
                          const QByteArray &accessToken) override;
    void acceptPortfolioStream(QWebSocket *socket, const QString &userId,
                               const QByteArray &accessToken,
                               const QStringList &updateTypes) override;
    int marketFeedConnections(const QString &userId) const override;
    // Upstox's per-user limit the front door compares marketFeedConnections() with.
    int marketFeedConnectionLimit() const { return m_market.limits().connectionsPerUser; }

    MarketFeedServer &marketFeed() { return m_market; }
    PortfolioStreamServer &portfolioStream() { return m_portfolio; }

private:
    MarketFeedServer m_market;
    PortfolioStreamServer m_portfolio;
};

} // namespace strikeline::sim
