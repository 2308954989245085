#pragma once

// A scriptable HTTP/1.1 server on 127.0.0.1 (an ephemeral port) for the network layer's tests.
// It lives on the thread that creates it, the test's, so handlers read and change test state
// without locks; the client under test runs on its own thread (HttpClient's "strikeline-net").
// A path answers from a fixed response or a handler called per request; a response may be
// late, never come (silent), or be a connection closed before any byte of the answer (the
// "connection died" case that Qt re-sends by itself). Requests keep their body (Content-Length
// framing only). A test fixture, not a server.

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QPair>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QUrl>
#include <QUrlQuery>

#include <functional>
#include <utility>

namespace strikeline::testing {

struct TestRequest
{
    QByteArray method;
    QByteArray target; // as sent: path and query
    QByteArray path;   // without the query
    QUrlQuery query;
    QHash<QByteArray, QByteArray> headers; // names in lower case
    QByteArray body;
    int connection = 0; // 1 for the first connection accepted, 2 ...

    QByteArray header(const QByteArray &name) const { return headers.value(name.toLower()); }
    // The body as a form (application/x-www-form-urlencoded), '+' read as a space.
    QUrlQuery form() const
    {
        QByteArray text = body;
        text.replace('+', ' ');
        return QUrlQuery(QString::fromUtf8(text));
    }
};

struct TestResponse
{
    enum class Action {
        Answer,
        Close,  // close the connection after reading the request, without a byte of answer
        Silent, // read the request, never answer (the connection stays open)
    };

    int status = 200;
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers;
    int delayMs = 0;
    Action action = Action::Answer;

    static TestResponse json(int status, QByteArray body)
    {
        TestResponse r;
        r.status = status;
        r.body = std::move(body);
        r.headers.append(qMakePair(QByteArray("Content-Type"), QByteArray("application/json")));
        return r;
    }
    static TestResponse closed()
    {
        TestResponse r;
        r.action = Action::Close;
        return r;
    }
    static TestResponse silent()
    {
        TestResponse r;
        r.action = Action::Silent;
        return r;
    }
    TestResponse &withHeader(QByteArray name, QByteArray value)
    {
        headers.append(qMakePair(std::move(name), std::move(value)));
        return *this;
    }
};

class TestHttpServer final : public QObject
{
public:
    using Handler = std::function<TestResponse(const TestRequest &)>;

    explicit TestHttpServer(QObject *parent = nullptr)
        : QObject(parent)
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        QObject::connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection())
                accept(socket);
        });
    }

    bool isListening() const { return m_server.isListening(); }
    quint16 port() const { return m_server.serverPort(); }
    QUrl url(const QString &pathAndQuery = {}) const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(port()).arg(pathAndQuery));
    }
    // Stops listening and drops every open connection: "the server is down".
    void close()
    {
        m_server.close();
        for (const QPointer<QTcpSocket> &socket : std::as_const(m_sockets)) {
            if (socket)
                socket->abort();
        }
    }

    void route(const QByteArray &path, TestResponse response)
    {
        m_handlers.insert(path, [response](const TestRequest &) { return response; });
    }
    void handle(const QByteArray &path, Handler handler)
    {
        m_handlers.insert(path, std::move(handler));
    }

    const QList<TestRequest> &requests() const { return m_requests; }
    int count(const QByteArray &path) const
    {
        int n = 0;
        for (const TestRequest &r : m_requests)
            n += r.path == path ? 1 : 0;
        return n;
    }
    int connections() const { return m_connections; }

private:
    void accept(QTcpSocket *socket)
    {
        socket->setParent(this);
        m_sockets.append(socket);
        const int id = ++m_connections;
        auto buffer = std::make_shared<QByteArray>();
        auto busy = std::make_shared<bool>(false);
        QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket, id, buffer, busy] {
            *buffer += socket->readAll();
            serve(socket, id, *buffer, *busy);
        });
    }

    void serve(QTcpSocket *socket, int id, QByteArray &buffer, bool &busy)
    {
        while (!busy) {
            const auto end = buffer.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            TestRequest request;
            request.connection = id;
            const QList<QByteArray> lines = buffer.left(end).split('\n');
            const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
            request.method = first.value(0);
            request.target = first.value(1);
            for (qsizetype i = 1; i < lines.size(); ++i) {
                const auto colon = lines[i].indexOf(':');
                if (colon > 0)
                    request.headers.insert(lines[i].left(colon).trimmed().toLower(),
                                           lines[i].mid(colon + 1).trimmed());
            }
            const qint64 length = request.header("content-length").toLongLong();
            if (buffer.size() < end + 4 + length)
                return; // the body is still on its way
            request.body = buffer.mid(end + 4, length);
            buffer.remove(0, end + 4 + length);
            const auto question = request.target.indexOf('?');
            request.path = question < 0 ? request.target : request.target.left(question);
            if (question >= 0)
                request.query = QUrlQuery(QString::fromUtf8(request.target.mid(question + 1)));
            m_requests.append(request);

            const auto it = m_handlers.constFind(request.path);
            const TestResponse response =
                it == m_handlers.cend()
                    ? TestResponse::json(
                          404, R"({"status":"error","errors":[{"error_code":"UDAPI100060",)"
                               R"("message":"Resource not Found."}]})")
                    : (*it)(request);
            if (response.action == TestResponse::Action::Close) {
                socket->abort();
                return;
            }
            busy = true;
            if (response.action == TestResponse::Action::Silent)
                return;
            QByteArray head = "HTTP/1.1 " + QByteArray::number(response.status) + " Status\r\n";
            for (const auto &[name, value] : response.headers)
                head += name + ": " + value + "\r\n";
            head += "Content-Length: " + QByteArray::number(response.body.size()) + "\r\n\r\n";
            const QByteArray bytes = head + response.body;
            QPointer<QTcpSocket> guard(socket);
            auto send = [this, guard, bytes, id, &buffer, &busy] {
                if (!guard)
                    return;
                guard->write(bytes);
                busy = false;
                serve(guard, id, buffer, busy); // keep-alive: the next request, if any
            };
            if (response.delayMs > 0) {
                QTimer::singleShot(response.delayMs, socket, send);
                return;
            }
            send();
        }
    }

    QTcpServer m_server;
    QHash<QByteArray, Handler> m_handlers;
    QList<TestRequest> m_requests;
    QList<QPointer<QTcpSocket>> m_sockets;
    int m_connections = 0;
};

} // namespace strikeline::testing
