#pragma once

// The simulator's portfolio stream feed (upstox-reference.md §3.8, upstox-live.md §4.1): no
// subscribe message, JSON text frames only. Each socket gets the SimEventBus's orderUpdate and
// positionUpdate for its own user, as the bus made them (Upstox's shapes, with their
// `update_type`), when its update types (the authorize call's `update_types`: order, position,
// holding, gtt_order; order when none is given) include that type. Nothing is replayed: an
// update sent while a socket was closed or muted is gone, as on Upstox (reconcile over REST).
//
// Faults as for the market feed: dropWebSockets aborts (1006), muteWebSockets sends nothing,
// tokenRevoked closes the sockets opened with that token (1008).

#include "SimContext.h"

#include <QByteArray>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

class QWebSocket;

namespace strikeline::sim {

class PortfolioStreamServer final : public QObject
{
    Q_OBJECT
public:
    explicit PortfolioStreamServer(const SimContext &context, QObject *parent = nullptr);
    ~PortfolioStreamServer() override;

    // Takes the open socket (parents it). Unknown update types are ignored.
    void accept(QWebSocket *socket, const QString &userId, const QByteArray &accessToken,
                const QStringList &updateTypes);
    int connectionCount() const;

private:
    struct Connection
    {
        QPointer<QWebSocket> socket; // null once closed (the entry goes soon after)
        QString userId;
        QByteArray token;
        QStringList updateTypes;
    };

    void publish(const QString &userId, const QString &updateType, const QJsonObject &update);
    void forget(Connection *connection);

    std::vector<std::unique_ptr<Connection>> m_connections;
    bool m_muted = false;
};

} // namespace strikeline::sim
