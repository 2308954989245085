#include "PortfolioStreamServer.h"

#include <QJsonDocument>
#include <QTimer>
#include <QWebSocket>

#include <algorithm>

namespace strikeline::sim {

PortfolioStreamServer::PortfolioStreamServer(const SimContext &context, QObject *parent)
    : QObject(parent)
{
    connect(&context.events, &SimEventBus::orderUpdate, this,
            [this](const QString &userId, const QJsonObject &update) {
                publish(userId, QStringLiteral("order"), update);
            });
    connect(&context.events, &SimEventBus::positionUpdate, this,
            [this](const QString &userId, const QJsonObject &update) {
                publish(userId, QStringLiteral("position"), update);
            });
    connect(&context.events, &SimEventBus::muteWebSockets, this,
            [this](bool muted) { m_muted = muted; });
    connect(&context.events, &SimEventBus::dropWebSockets, this, [this] {
        std::vector<QPointer<QWebSocket>> sockets;
        for (const auto &c : m_connections)
            sockets.push_back(c->socket);
        for (const QPointer<QWebSocket> &socket : sockets) {
            if (socket)
                socket->abort();
        }
    });
    connect(&context.events, &SimEventBus::tokenRevoked, this, [this](const QByteArray &token) {
        std::vector<QPointer<QWebSocket>> sockets;
        for (const auto &c : m_connections) {
            if (c->token == token)
                sockets.push_back(c->socket);
        }
        for (const QPointer<QWebSocket> &socket : sockets) {
            if (socket)
                socket->close(QWebSocketProtocol::CloseCodePolicyViolated,
                              QStringLiteral("Invalid token used to access API"));
        }
    });
}

PortfolioStreamServer::~PortfolioStreamServer()
{
    for (const auto &c : m_connections) {
        if (!c->socket)
            continue;
        c->socket->disconnect(this);
        c->socket->close(QWebSocketProtocol::CloseCodeGoingAway,
                         QStringLiteral("simulator shutting down"));
    }
}

void PortfolioStreamServer::accept(QWebSocket *socket, const QString &userId,
                                   const QByteArray &accessToken, const QStringList &updateTypes)
{
    if (!socket)
        return;
    socket->setParent(this);
    if (socket->state() != QAbstractSocket::ConnectedState) {
        socket->deleteLater(); // gone before it reached us: no disconnected() will come
        return;
    }
    socket->setMaxAllowedIncomingMessageSize(64 * 1024); // clients send nothing here
    auto connection = std::make_unique<Connection>();
    Connection *c = connection.get();
    c->socket = socket;
    c->userId = userId;
    c->token = accessToken;
    for (const QString &type : updateTypes) {
        const QString trimmed = type.trimmed();
        if (!trimmed.isEmpty() && !c->updateTypes.contains(trimmed))
            c->updateTypes.push_back(trimmed);
    }
    if (c->updateTypes.isEmpty())
        c->updateTypes.push_back(QStringLiteral("order")); // Upstox's default
    m_connections.push_back(std::move(connection));
    connect(socket, &QWebSocket::disconnected, this, [this, c] { forget(c); });
}

int PortfolioStreamServer::connectionCount() const
{
    return static_cast<int>(std::count_if(m_connections.begin(), m_connections.end(),
                                          [](const auto &c) { return c->socket != nullptr; }));
}

void PortfolioStreamServer::forget(Connection *connection)
{
    // Only marked here: forget() can run inside a send (a write error disconnects at once)
    // while a loop over the connections is running; the entry goes at the next event.
    if (!connection->socket)
        return;
    connection->socket->disconnect(this);
    connection->socket->deleteLater();
    connection->socket = nullptr;
    QTimer::singleShot(0, this, [this] {
        std::erase_if(m_connections, [](const auto &c) { return c->socket == nullptr; });
    });
}

void PortfolioStreamServer::publish(const QString &userId, const QString &updateType,
                                    const QJsonObject &update)
{
    if (m_muted)
        return;
    const QString frame = QString::fromUtf8(QJsonDocument(update).toJson(QJsonDocument::Compact));
    for (const auto &c : m_connections) {
        if (c->socket && c->userId == userId && c->updateTypes.contains(updateType))
            c->socket->sendTextMessage(frame);
    }
}

} // namespace strikeline::sim
