#pragma once

// `strikeline-cli upstox-sim`: a local Upstox on 127.0.0.1 (docs/upstox-sim.md). The front
// door is a QTcpServer that reads each request's head itself: plain HTTP/1.1 goes to the
// simulator's own router (login, REST, /sim/fault), a WebSocket upgrade to a URL this
// simulator handed out goes to a QWebSocketServer (NonSecureMode, never listening itself) and
// then to the streams (SimStreams). Qt 6.4's QHttpServer cannot hand an upgrade over, and
// Qt's QWebSocket does not follow the 302 Upstox answers on /v3/feed/market-data-feed, so both
// halves are ours. Everything runs on the thread that owns the UpstoxSim.

#include "SimAuth.h"
#include "SimHttp.h"
#include "SimOrders.h"
#include "SimRest.h"
#include "common/Result.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <cstdint>
#include <memory>
#include <optional>
#include <random>

class QTcpServer;
class QTcpSocket;
class QWebSocketServer;

namespace strikeline::sim {

struct SimContext;
class SimStreams;

struct UpstoxSimOptions
{
    SimCredentials credentials;
    // --fault NAME[=VALUE], applied in order at start (see UpstoxSim::applyFault).
    QStringList faults;
    // How often (real ms) the market moves and open orders are matched against it.
    int marketIntervalMs = 1000;
};

// The faults a test can turn on (`--fault`, POST /sim/fault). Actions (drop-ws, expire-token)
// act at once; the others stay until cleared.
struct SimFaults
{
    double http429 = 0; // share of REST requests answered 429
    double http5xx = 0; // share answered 500
    int slowMs = 0;     // every response this late
    bool muteWs = false;
    bool staticIpReject = false;
    bool updateBeforeAck = false;
    bool duplicateUpdates = false;
    bool reorderUpdates = false;
    bool dropAfterPlace = false;
    std::optional<int> expireTokenAtMinute; // minute of the IST day
};

class UpstoxSim final : public QObject
{
    Q_OBJECT
public:
    // Upstox's market-data feed connection limit per user (upstox-reference.md §3.7).
    static constexpr int MarketFeedConnectionLimit = 2;

    // `streams` may be null: WebSocket upgrades are then refused with a clear error.
    UpstoxSim(SimContext &context, SimStreams *streams, UpstoxSimOptions options = {},
              QObject *parent = nullptr);
    ~UpstoxSim() override;

    // Listens on 127.0.0.1:port (0: any free port) and applies the start faults. Returns the
    // port, or why it could not listen (or which --fault was bad).
    Result<quint16> start(quint16 port);
    quint16 port() const;
    QString httpUrl() const; // "http://127.0.0.1:PORT"

    // One fault by name: "http-429" with "0.3", "slow" with "250", "drop-ws" ... A value of
    // "off" (or "0" for the shares) clears a fault; the name "clear" clears all of them.
    Result<void> applyFault(const QString &name, const QString &value);
    const SimFaults &faults() const { return m_faults; }
    static QStringList faultNames();

    SimAuth &auth() { return m_auth; }
    SimOrders &orders() { return *m_orders; }

private:
    struct Connection
    {
        bool busy = false; // a response is pending (slow fault): later requests wait
    };
    struct PendingSocket
    {
        QString kind; // "market" or "portfolio"
        QString userId;
        QByteArray token;
        QStringList updateTypes;
        std::int64_t createdSteadyMs = 0;
    };

    void onNewConnection();
    void processSocket(QTcpSocket *socket);
    void handleRequest(QTcpSocket *socket, HttpRequest request);
    void handleUpgrade(QTcpSocket *socket, const HttpRequest &request);
    void onWebSocketConnected();
    void respond(QTcpSocket *socket, const HttpResponse &response, bool keepAlive, int delayMs);
    void refuseUpgrade(QTcpSocket *socket, const ApiError &error);

    HttpResponse route(QTcpSocket *socket, const HttpRequest &request, bool &isOrderCall);
    HttpResponse faultEndpoint(QTcpSocket *socket, const HttpRequest &request);
    HttpResponse logout(const HttpRequest &request);
    // A fresh single-use WebSocket URL for the session.
    QByteArray webSocketUrl(const QString &kind, const SimAuth::Session &session,
                            const QStringList &updateTypes);
    std::variant<QStringList, ApiError> updateTypes(const HttpRequest &request) const;

    void onMarketTimer();
    void flushUpdates();
    void revoke(const QList<QByteArray> &tokens);

    SimContext &m_context;
    SimStreams *m_streams;
    UpstoxSimOptions m_options;
    SimAuth m_auth;
    std::unique_ptr<SimOrders> m_orders;
    std::unique_ptr<SimRest> m_rest;
    QTcpServer *m_server = nullptr;
    QWebSocketServer *m_webSockets = nullptr;
    QHash<QTcpSocket *, Connection> m_connections;
    QHash<QByteArray, PendingSocket> m_codes;    // handed out, not yet used
    QHash<QByteArray, PendingSocket> m_handover; // used: the upgrade is in progress
    SimFaults m_faults;
    std::mt19937_64 m_faultRandom;
    QTimer m_marketTimer;
    std::int64_t m_lastMarketMs = 0;
};

} // namespace strikeline::sim
