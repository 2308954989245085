#pragma once

// The local HTTP API: the in-memory repository's answers (search, chain, contract info,
// health) as JSON over HTTP, for spreadsheets, notebooks and bots beside the terminal, and with
// setTrading() the order routes (orders, positions, funds: api/ApiTrading.h) through the same
// validator, journal and order service as the ticket.
// Endpoints, parameters and errors: docs/api.md. The JSON is the CLI's --json, field for field
// (InstrumentJson.h).
//
// Threads: an ApiServer lives in one thread and serves every connection there. Construct it,
// moveToThread() it if it should not run where it was made, then call listen() and close() --
// and destroy it -- in that thread (e.g. QMetaObject::invokeMethod(server, [server] { return
// server->listen(); }, Qt::BlockingQueuedConnection, &result), and deleteLater() or a blocking
// invoke of `delete` at the end); the HTTP server and its sockets are created by listen(), so
// they belong to whatever thread calls it. tst_apiserver runs it this way. Each request takes the
// repository's current snapshot once, so publishing a new one under a running server is safe:
// requests in flight finish on the old one.

#include "api/ApiTrading.h"
#include "common/IstTime.h"
#include "common/Result.h"

#include <QByteArray>
#include <QHostAddress>
#include <QObject>

#include <chrono>
#include <memory>

namespace strikeline {
class InstrumentRepository;
}

namespace strikeline::api {

// The port `strikeline-cli serve` and the desktop's API server use unless told otherwise.
inline constexpr quint16 DefaultApiPort = 8731;

struct ApiServerConfig
{
    QHostAddress address = QHostAddress(QHostAddress::LocalHost);
    quint16 port = 0; // 0: any free port (listen() says which)
    QByteArray token; // required: requests without "Authorization: Bearer <token>" get 401
    // Binding anything but a loopback address exposes the API to the network (the token
    // still guards it, but over plain HTTP): it has to be asked for.
    bool allowNonLoopback = false;
    // A connection that has no request in progress (new, or answered and kept alive) is closed
    // after this long. Clients with keep-alive (Python's requests, curl) reconnect by themselves.
    std::chrono::milliseconds idleTimeout{60'000};
    // Open connections at most. A newcomer beyond it closes the connection that has been idle
    // longest (else the oldest unfinished request) instead of being refused.
    int maxConnections = 256;
};

class ApiServer final : public QObject
{
    Q_OBJECT
public:
    ApiServer(InstrumentRepository &repository, const Clock &clock, ApiServerConfig config,
              QObject *parent = nullptr);
    ~ApiServer() override;

    // Starts listening; returns the port. Fails with a clear error when the address is not
    // loopback and that was not allowed, there is no token, or the port cannot be bound.
    Result<quint16> listen();
    // Stops listening and drops every connection. listen() may be called again.
    void close();
    // The order routes. parts (api/ApiTrading.h); without them those routes answer 503. Call
    // before listen(), in the server's thread.
    void setTrading(ApiTrading trading);

    bool isListening() const;
    quint16 port() const;
    QHostAddress address() const { return m_config.address; }

private:
    class HttpServer;

    InstrumentRepository &m_repository;
    const Clock &m_clock;
    ApiServerConfig m_config;
    ApiTrading m_trading;
    HttpServer *m_http = nullptr; // owned (child); exists while listening
    quint16 m_port = 0;
};

} // namespace strikeline::api
