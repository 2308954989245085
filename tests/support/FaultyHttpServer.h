#pragma once

// A small, deliberately misbehaving HTTP/1.1 server for download tests. It listens on
// 127.0.0.1 on an ephemeral port, on a thread of its own, so a test can block in a download
// while the server keeps serving. Each path has a route: the bytes to send and how to
// misbehave (stall, close early, trickle, redirect, 500, no Content-Length, never answer).
// It records every request it parsed. Request parsing is the bare minimum: a request ends at
// the first empty line and has no body. A test fixture, not a server.

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QPair>
#include <QString>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>
#include <QUrl>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <utility>

namespace strikeline::testing {

struct HttpRoute
{
    enum class Framing {
        ContentLength,
        Chunked,        // Transfer-Encoding: chunked
        CloseDelimited, // no length at all: the body ends when the server closes
    };

    int status = 200;
    QByteArray body;
    QByteArray etag;         // sent with 200; a request whose If-None-Match equals it gets 304
    QByteArray lastModified; // sent with 200 and 304
    QByteArray location;     // sent with 3xx
    QList<QPair<QByteArray, QByteArray>> extraHeaders;
    Framing framing = Framing::ContentLength;
    qint64 stallAfter = -1;    // >= 0: send this many body bytes, then nothing; stay connected
    qint64 closeAfter = -1;    // >= 0: send this many body bytes, then close (headers promised all)
    int trickleBytes = 0;      // > 0: send the body this many bytes at a time...
    int trickleIntervalMs = 0; // ...this many milliseconds apart
    bool silent = false;       // read the request, never answer
    int faultyRequests = -1;   // >= 0: stallAfter/closeAfter apply to this many requests only
    int answeredRequests = -1; // >= 0: later requests for the path are read, never answered

    void addHeader(QByteArray name, QByteArray value)
    {
        extraHeaders.append(qMakePair(std::move(name), std::move(value)));
    }

    static HttpRoute ok(QByteArray bytes, QByteArray etagValue = {}, QByteArray modified = {})
    {
        HttpRoute r;
        r.body = std::move(bytes);
        r.etag = std::move(etagValue);
        r.lastModified = std::move(modified);
        return r;
    }
    static HttpRoute withStatus(int code)
    {
        HttpRoute r;
        r.status = code;
        r.body = QByteArray("status ") + QByteArray::number(code) + '\n';
        return r;
    }
    static HttpRoute redirect(QByteArray to, int code = 302)
    {
        HttpRoute r = withStatus(code);
        r.location = std::move(to);
        return r;
    }
};

struct RecordedRequest
{
    QByteArray method;
    QByteArray path;
    QHash<QByteArray, QByteArray> headers; // names in lower case
    int connection = 0;                    // 1 for the first connection accepted, 2 ...

    QByteArray header(const QByteArray &name) const { return headers.value(name.toLower()); }
    bool hasHeader(const QByteArray &name) const { return headers.contains(name.toLower()); }
};

namespace detail {

inline QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 303:
        return "See Other";
    case 304:
        return "Not Modified";
    case 307:
        return "Temporary Redirect";
    case 308:
        return "Permanent Redirect";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Status";
    }
}

// Shared between the test thread and the server thread. std::mutex, not QMutex: visible to
// ThreadSanitizer.
struct ServerState
{
    mutable std::mutex mutex;
    QHash<QByteArray, HttpRoute> routes;
    QList<RecordedRequest> requests;
    int connections = 0; // accepted so far

    HttpRoute route(const QByteArray &path) const
    {
        std::lock_guard lock(mutex);
        const auto it = routes.constFind(path);
        if (it != routes.cend())
            return *it;
        return HttpRoute::withStatus(404);
    }
};

class Connection final : public QObject
{
public:
    Connection(QTcpSocket *socket, ServerState &state, int id, QObject *parent)
        : QObject(parent)
        , m_socket(socket)
        , m_state(state)
        , m_id(id)
    {
        socket->setParent(this);
        connect(socket, &QTcpSocket::readyRead, this, &Connection::onReadable);
        connect(socket, &QTcpSocket::bytesWritten, this, &Connection::sendMore);
        connect(socket, &QTcpSocket::disconnected, this, &QObject::deleteLater);
    }

private:
    enum class After { Finish, Stall, Close };
    static constexpr qint64 PieceBytes = 64 * 1024;
    static constexpr qint64 MaxQueuedBytes = 256 * 1024;

    void onReadable()
    {
        m_in += m_socket->readAll();
        if (!m_responding)
            nextRequest();
    }

    void nextRequest()
    {
        const auto end = m_in.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        const QByteArray head = m_in.left(end);
        m_in.remove(0, end + 4);

        RecordedRequest request;
        request.connection = m_id;
        const QList<QByteArray> lines = head.split('\n');
        const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
        request.method = requestLine.value(0);
        request.path = requestLine.value(1);
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const auto colon = lines[i].indexOf(':');
            if (colon > 0) {
                request.headers.insert(lines[i].left(colon).trimmed().toLower(),
                                       lines[i].mid(colon + 1).trimmed());
            }
        }
        const auto query = request.path.indexOf('?');
        const QByteArray path = query < 0 ? request.path : request.path.left(query);
        int earlier = 0;
        {
            std::lock_guard lock(m_state.mutex);
            for (const RecordedRequest &r : std::as_const(m_state.requests))
                earlier += r.path == request.path ? 1 : 0;
            m_state.requests.append(request);
        }
        HttpRoute route = m_state.route(path);
        if (route.faultyRequests >= 0 && earlier >= route.faultyRequests) {
            route.stallAfter = -1;
            route.closeAfter = -1;
        }
        if (route.answeredRequests >= 0 && earlier >= route.answeredRequests)
            route.silent = true;
        respond(request, route);
    }

    void respond(const RecordedRequest &request, const HttpRoute &route)
    {
        m_responding = true;
        if (route.silent)
            return; // and never again on this connection

        const bool notModified = route.status == 200 && !route.etag.isEmpty() &&
                                 request.header("If-None-Match") == route.etag;
        const int status = notModified ? 304 : route.status;
        QByteArray head =
            "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
        head += "Server: FaultyHttpServer\r\n";
        if (status == 200 || status == 304) {
            if (!route.etag.isEmpty())
                head += "ETag: " + route.etag + "\r\n";
            if (!route.lastModified.isEmpty())
                head += "Last-Modified: " + route.lastModified + "\r\n";
        }
        if (!route.location.isEmpty())
            head += "Location: " + route.location + "\r\n";
        for (const auto &[name, value] : route.extraHeaders)
            head += name + ": " + value + "\r\n";

        m_body = notModified ? QByteArray() : route.body;
        m_pos = 0;
        m_chunked = false;
        m_closeAtEnd = false;
        if (!notModified) {
            switch (route.framing) {
            case HttpRoute::Framing::ContentLength:
                head += "Content-Length: " + QByteArray::number(m_body.size()) + "\r\n";
                break;
            case HttpRoute::Framing::Chunked:
                head += "Transfer-Encoding: chunked\r\n";
                m_chunked = true;
                break;
            case HttpRoute::Framing::CloseDelimited:
                head += "Connection: close\r\n";
                m_closeAtEnd = true;
                break;
            }
        }
        head += "\r\n";
        m_head = head; // goes out with the first piece of the body, as most servers do

        m_limit = m_body.size();
        m_after = After::Finish;
        if (route.stallAfter >= 0 && route.stallAfter < m_limit) {
            m_limit = route.stallAfter;
            m_after = After::Stall;
        } else if (route.closeAfter >= 0 && route.closeAfter < m_limit) {
            m_limit = route.closeAfter;
            m_after = After::Close;
        }
        m_trickleBytes = route.trickleBytes;
        m_trickleIntervalMs = route.trickleIntervalMs;
        m_ended = false;
        sendMore();
    }

    void sendMore()
    {
        if (!m_responding || m_ended || m_trickleWaiting)
            return;
        while (m_pos < m_limit && m_socket->bytesToWrite() < MaxQueuedBytes) {
            qint64 n = std::min(PieceBytes, m_limit - m_pos);
            if (m_trickleBytes > 0)
                n = std::min<qint64>(n, m_trickleBytes);
            const QByteArray piece = m_body.mid(m_pos, n);
            if (m_chunked)
                writeOut(QByteArray(QByteArray::number(n, 16) + "\r\n" + piece + "\r\n"));
            else
                writeOut(piece);
            m_pos += n;
            if (m_trickleBytes > 0 && m_pos < m_limit) {
                m_trickleWaiting = true;
                QTimer::singleShot(m_trickleIntervalMs, this, [this] {
                    m_trickleWaiting = false;
                    sendMore();
                });
                return;
            }
        }
        if (m_pos < m_limit)
            return;   // bytesWritten calls again
        writeOut({}); // the head of a response without a body
        m_ended = true;
        switch (m_after) {
        case After::Stall:
            return; // keep the socket open, say nothing
        case After::Close:
            m_socket->disconnectFromHost(); // after the queued bytes
            return;
        case After::Finish:
            if (m_chunked)
                writeOut("0\r\n\r\n");
            if (m_closeAtEnd) {
                m_socket->disconnectFromHost();
                return;
            }
            m_responding = false;
            m_body.clear();
            nextRequest(); // keep-alive: Qt reuses the connection, e.g. after a redirect
            return;
        }
    }

    void writeOut(const QByteArray &bytes)
    {
        if (!m_head.isEmpty()) {
            m_socket->write(m_head + bytes);
            m_head.clear();
        } else if (!bytes.isEmpty()) {
            m_socket->write(bytes);
        }
    }

    QTcpSocket *m_socket;
    ServerState &m_state;
    QByteArray m_head;
    const int m_id;
    QByteArray m_in;
    bool m_responding = false;
    QByteArray m_body;
    qint64 m_pos = 0;
    qint64 m_limit = 0;
    After m_after = After::Finish;
    bool m_chunked = false;
    bool m_closeAtEnd = false;
    bool m_ended = false;
    int m_trickleBytes = 0;
    int m_trickleIntervalMs = 0;
    bool m_trickleWaiting = false;
};

class ServerThread final : public QThread
{
public:
    explicit ServerThread(ServerState &state)
        : m_state(state)
    {
        setObjectName(QStringLiteral("FaultyHttpServer"));
    }

    // Blocks until the server listens (or failed to); 0 on failure.
    quint16 waitForPort()
    {
        std::unique_lock lock(m_mutex);
        m_ready.wait(lock, [this] { return m_started; });
        return m_port;
    }

protected:
    void run() override
    {
        QTcpServer server;
        const bool listening = server.listen(QHostAddress::LocalHost, 0);
        QObject::connect(&server, &QTcpServer::newConnection, &server, [this, &server] {
            while (QTcpSocket *socket = server.nextPendingConnection()) {
                int id = 0;
                {
                    std::lock_guard lock(m_state.mutex);
                    id = ++m_state.connections;
                }
                new Connection(socket, m_state, id, &server);
            }
        });
        {
            std::lock_guard lock(m_mutex);
            m_port = listening ? server.serverPort() : 0;
            m_started = true;
            m_ready.notify_all();
        }
        if (listening)
            exec();
    } // connections are the server's children: closed and deleted here, on this thread

private:
    ServerState &m_state;
    std::mutex m_mutex;
    std::condition_variable m_ready;
    bool m_started = false;
    quint16 m_port = 0;
};

} // namespace detail

class FaultyHttpServer
{
public:
    FaultyHttpServer()
        : m_thread(m_state)
    {
        m_thread.start();
        m_port = m_thread.waitForPort();
    }
    ~FaultyHttpServer()
    {
        m_thread.quit();
        m_thread.wait();
    }
    FaultyHttpServer(const FaultyHttpServer &) = delete;
    FaultyHttpServer &operator=(const FaultyHttpServer &) = delete;

    bool isListening() const { return m_port != 0; }
    quint16 port() const { return m_port; }
    QUrl url(const QByteArray &path) const
    {
        return QUrl(
            QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(QString::fromLatin1(path)));
    }
    QByteArray absolute(const QByteArray &path) const { return url(path).toEncoded(); }

    void setRoute(const QByteArray &path, HttpRoute route)
    {
        std::lock_guard lock(m_state.mutex);
        m_state.routes.insert(path, std::move(route));
    }
    QList<RecordedRequest> requests() const
    {
        std::lock_guard lock(m_state.mutex);
        return m_state.requests;
    }
    int requestCount(const QByteArray &path) const
    {
        std::lock_guard lock(m_state.mutex);
        return static_cast<int>(
            std::count_if(m_state.requests.cbegin(), m_state.requests.cend(),
                          [&](const RecordedRequest &r) { return r.path == path; }));
    }
    int connectionCount() const
    {
        std::lock_guard lock(m_state.mutex);
        return m_state.connections;
    }

private:
    detail::ServerState m_state;
    detail::ServerThread m_thread;
    quint16 m_port = 0;
};

} // namespace strikeline::testing
