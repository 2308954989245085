#pragma once

// Upstox's portfolio stream (upstox-reference.md §3.8, upstox-live.md §4): one WebSocket of JSON
// text frames with the account's order and position updates, whoever placed the orders.
//
// Before every (re)connect it asks GET /v2/feed/portfolio-stream-feed/authorize through
// UpstoxClient (the token is read at that moment) and opens the single-use URL it returns
// (Qt 6.4's QWebSocket does not follow the 302). Nothing is replayed after a drop: whoever
// listens reconciles over REST on every Live (the order service calls fetchBook()).
//
// Reconnect: capped exponential backoff with jitter, never giving up; a server close is a drop.
// A 401 from authorize or the handshake, or a close with 1008 (the token died): StandingDown,
// nothing more is tried until sessionRestored(). Liveness: Upstox sends no heartbeat and a quiet
// account sends nothing, so silence proves nothing; a client ping every pingInterval with a pong
// deadline finds a dead connection (a server that answers pings but drops updates cannot be
// told from a quiet account).
//
// Lives on the thread it was created on (or moved to), which must run an event loop; start(),
// stop() and sessionRestored() may be called from any thread. The listener's callbacks run on
// this object's thread.

#include "broker/upstox/UpstoxPortfolio.h"
#include "orders/BrokerGateway.h"

#include <QObject>
#include <QString>
#include <QStringList>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

class QTimer;
class QWebSocket;

namespace strikeline::upstox {

class UpstoxClient;

class UpstoxPortfolioStream final : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        QStringList updateTypes{QStringLiteral("order"), QStringLiteral("position")};
        std::chrono::milliseconds pingInterval{15000};
        std::chrono::milliseconds pongDeadline{45000};
        std::chrono::milliseconds backoffInitial{500};
        std::chrono::milliseconds backoffMax{30000};
        double jitter = 0.2;
        std::chrono::milliseconds connectTimeout{15000}; // the WebSocket handshake
    };

    struct Listener
    {
        std::function<void(BrokerOrderUpdate)> order;
        std::function<void(UpstoxPosition)> position;
        std::function<void(StreamState, const QString &reason)> state;
    };

    struct Counters
    {
        std::uint64_t connects = 0;   // sockets opened
        std::uint64_t authorizes = 0; // authorize requests sent
        std::uint64_t orders = 0;     // order updates handed on
        std::uint64_t positions = 0;  // position updates handed on
        std::uint64_t unreadable = 0; // frames that were not an update we can read
    };

    // `client` outlives the stream.
    UpstoxPortfolioStream(UpstoxClient &client, Options options, Listener listener,
                          QObject *parent = nullptr);
    ~UpstoxPortfolioStream() override;

    void start();
    void stop();
    // The session is back (a new login): leave StandingDown and connect again.
    void sessionRestored();

    // Thread-safe.
    StreamState state() const;
    QString reason() const;
    Counters counters() const;

private:
    struct Shared;

    void ensureSetUp();
    void doStart();
    void doStop();
    void doSessionRestored();
    void authorize();
    void onAuthorized(UpstoxResult<QJsonValue> answer);
    void onConnected();
    void onDisconnected();
    void onSocketError();
    void onText(const QString &text);
    void ping();
    void checkPong();
    void standDown(const QString &why);
    void scheduleReconnect(const QString &why);
    void closeSocket();
    void teardown();
    void setState(StreamState state, const QString &reason);

    UpstoxClient &m_client;
    Options m_options;
    Listener m_listener;
    std::unique_ptr<Shared> m_shared;

    QWebSocket *m_socket = nullptr;
    QTimer *m_pingTimer = nullptr;
    QTimer *m_retryTimer = nullptr;
    QTimer *m_connectTimer = nullptr;

    StreamState m_state = StreamState::Stopped;
    bool m_started = false;
    bool m_closingOnPurpose = false;
    bool m_pingOutstanding = false;
    int m_attempt = 0;
    std::int64_t m_pingSentMs = 0;
    std::uint64_t m_generation = 0;
    std::uint64_t m_request = 0;
};

} // namespace strikeline::upstox
