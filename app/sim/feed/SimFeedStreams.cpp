#include "SimFeedStreams.h"

namespace strikeline::sim {

SimFeedStreams::SimFeedStreams(const SimContext &context, MarketFeedServer::Options options,
                               QObject *parent)
    : QObject(parent)
    , m_market(context, options)
    , m_portfolio(context)
{}

SimFeedStreams::SimFeedStreams(const SimContext &context, QObject *parent)
    : SimFeedStreams(context, MarketFeedServer::Options{}, parent)
{}

void SimFeedStreams::acceptMarketFeed(QWebSocket *socket, const QString &userId,
                                      const QByteArray &accessToken)
{
    m_market.accept(socket, userId, accessToken);
}

void SimFeedStreams::acceptPortfolioStream(QWebSocket *socket, const QString &userId,
                                           const QByteArray &accessToken,
                                           const QStringList &updateTypes)
{
    m_portfolio.accept(socket, userId, accessToken, updateTypes);
}

int SimFeedStreams::marketFeedConnections(const QString &userId) const
{
    return m_market.connections(userId);
}

} // namespace strikeline::sim
