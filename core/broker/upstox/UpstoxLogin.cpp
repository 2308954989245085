#include "UpstoxLogin.h"

#include "common/Logging.h"

#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUrlQuery>

#include <spdlog/spdlog.h>

namespace strikeline::upstox {

QString defaultRedirectUri(quint16 port)
{
    return QStringLiteral("http://127.0.0.1:%1%2")
        .arg(port)
        .arg(QLatin1String(DefaultCallbackPath));
}

IstMoment tokenExpiry(IstMoment issued)
{
    constexpr int expiryMinute = 3 * 60 + 30;
    const EpochDay day = issued.minuteOfDay() < expiryMinute ? issued.day() : issued.day() + 1;
    return IstMoment::fromDay(day, expiryMinute);
}

bool constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    unsigned char difference = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        difference |= static_cast<unsigned char>(a[i] ^ b[i]);
    return difference == 0;
}

UpstoxResult<UpstoxToken> parseTokenResponse(const QByteArray &body, IstMoment now)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(body, &error);
    if (!document.isObject())
        return malformed(QStringLiteral("the token answer is not JSON"));
    QJsonObject o = document.object();
    if (o.value(QLatin1String("status")).toString() == QLatin1String("error"))
        return parseError(200, body);
    if (o.value(QLatin1String("data")).isObject())
        o = o.value(QLatin1String("data")).toObject();
    UpstoxToken token;
    token.accessToken = o.value(QLatin1String("access_token")).toString().toUtf8();
    if (token.accessToken.isEmpty())
        return malformed(QStringLiteral("the token answer has no access_token"));
    logging::addSecret(QString::fromUtf8(token.accessToken));
    token.extendedToken = o.value(QLatin1String("extended_token")).toString().toUtf8();
    if (!token.extendedToken.isEmpty())
        logging::addSecret(QString::fromUtf8(token.extendedToken));
    token.userId = o.value(QLatin1String("user_id")).toString();
    token.userName = o.value(QLatin1String("user_name")).toString();
    token.email = o.value(QLatin1String("email")).toString();
    token.issuedAt = now;
    token.expiresAt = tokenExpiry(now);
    return token;
}

UpstoxLogin::UpstoxLogin(net::HttpClient &http, UpstoxUrls urls, UpstoxApp app, const Clock &clock,
                         QObject *parent)
    : QObject(parent)
    , m_http(http)
    , m_urls(std::move(urls))
    , m_app(std::move(app))
    , m_clock(clock)
{
    if (!m_app.clientSecret.isEmpty())
        logging::addSecret(m_app.clientSecret);
    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this, [this] {
        fail(QStringLiteral("no login came back from the browser in time: start the login "
                            "again"),
             UpstoxErrorKind::Network);
    });
}

UpstoxLogin::~UpstoxLogin()
{
    if (m_tokenRequest != 0)
        m_http.cancel(m_tokenRequest);
}

bool UpstoxLogin::isListening() const
{
    return m_server && m_server->isListening();
}

quint16 UpstoxLogin::listeningPort() const
{
    return isListening() ? m_server->serverPort() : 0;
}

QHostAddress UpstoxLogin::listeningAddress() const
{
    return isListening() ? m_server->serverAddress() : QHostAddress();
}

Result<QUrl> UpstoxLogin::start(std::chrono::milliseconds timeout)
{
    if (m_app.clientId.isEmpty() || m_app.clientSecret.isEmpty() || m_app.redirectUri.isEmpty())
        return Error::make(ErrorCode::InvalidArgument,
                           QStringLiteral("the API key, the secret and the redirect URI of your "
                                          "Upstox app are all needed"));
    const QUrl redirect(m_app.redirectUri);
    const QString host = redirect.host();
    if (redirect.scheme() != QLatin1String("http") ||
        (host != QLatin1String("127.0.0.1") && host != QLatin1String("localhost")) ||
        redirect.port() < 0)
        return Error::make(ErrorCode::InvalidArgument,
                           QStringLiteral("cannot listen for '%1': the redirect URI must be "
                                          "http://127.0.0.1:<port>/<path> (or paste the code "
                                          "with --code)")
                               .arg(m_app.redirectUri));

    // 32 bytes from the operating system's cryptographic source, as URL-safe text.
    quint32 words[8];
    QRandomGenerator::system()->fillRange(words);
    m_state = QByteArray(reinterpret_cast<const char *>(words), sizeof(words))
                  .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    logging::addSecret(QString::fromLatin1(m_state));

    delete m_server;
    m_server = new QTcpServer(this);
    if (!m_server->listen(QHostAddress::LocalHost, static_cast<quint16>(redirect.port())))
        return Error::make(ErrorCode::Io,
                           QStringLiteral("cannot listen on 127.0.0.1:%1 for the login: %2")
                               .arg(redirect.port())
                               .arg(m_server->errorString()));
    if (redirect.port() == 0) {
        QUrl actual = redirect;
        actual.setPort(m_server->serverPort());
        m_app.redirectUri = actual.toString();
    }
    m_callbackPath = redirect.path().isEmpty() ? QStringLiteral("/") : redirect.path();
    connect(m_server, &QTcpServer::newConnection, this, &UpstoxLogin::onConnection);
    m_done = false;
    m_timeout.start(timeout);
    spdlog::info("upstox login: waiting for the callback on 127.0.0.1:{}", m_server->serverPort());
    return m_urls.loginDialogUrl(m_app.clientId, m_app.redirectUri, QString::fromLatin1(m_state));
}

void UpstoxLogin::onConnection()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        socket->setParent(this);
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        auto buffer = std::make_shared<QByteArray>();
        connect(socket, &QTcpSocket::readyRead, socket, [this, socket, buffer] {
            *buffer += socket->readAll();
            if (buffer->size() > 16 * 1024) {
                reply(socket, 431, QStringLiteral("Request too large."));
                return;
            }
            const auto lineEnd = buffer->indexOf("\r\n");
            if (lineEnd < 0 || !buffer->contains("\r\n\r\n"))
                return;
            const QList<QByteArray> parts = buffer->left(lineEnd).split(' ');
            buffer->clear();
            if (parts.size() < 2 || parts[0] != "GET") {
                reply(socket, 405, QStringLiteral("Only GET is answered here."));
                return;
            }
            onCallback(socket, parts[1]);
        });
    }
}

void UpstoxLogin::onCallback(QTcpSocket *socket, const QByteArray &target)
{
    const QUrl url(QString::fromLatin1(target));
    if (url.path() != m_callbackPath) {
        reply(socket, 404, QStringLiteral("Not the login callback."));
        return; // a browser's favicon request, say: keep waiting
    }
    if (m_done) {
        reply(socket, 409, QStringLiteral("This login is already finished."));
        return;
    }
    const QUrlQuery query(url);
    const QString code = query.queryItemValue(QStringLiteral("code"), QUrl::FullyDecoded);
    const QByteArray state =
        query.queryItemValue(QStringLiteral("state"), QUrl::FullyDecoded).toLatin1();
    if (!code.isEmpty())
        logging::addSecret(code);
    if (!constantTimeEquals(state, m_state)) {
        reply(socket, 400,
              QStringLiteral("This login did not come from Strikeline (its state does not "
                             "match). Start the login again from Strikeline."));
        fail(QStringLiteral("the login callback's state does not match the one Strikeline sent "
                            "(a stale or forged login): nothing was changed; start again"));
        return;
    }
    const QString upstoxError = query.queryItemValue(QStringLiteral("error"), QUrl::FullyDecoded);
    if (code.isEmpty()) {
        const QString description =
            query.queryItemValue(QStringLiteral("error_description"), QUrl::FullyDecoded);
        reply(socket, 400, QStringLiteral("Upstox did not log you in. Return to Strikeline."));
        UpstoxError error;
        error.kind = UpstoxErrorKind::Permission;
        error.code = upstoxError;
        error.upstoxMessage = description;
        error.message = QStringLiteral("Upstox did not grant the login");
        fail(error);
        return;
    }
    reply(socket, 200,
          QStringLiteral("Strikeline received your Upstox login. You can close this tab."));
    stopListening();
    Q_EMIT callbackReceived();
    exchangeCode(code);
}

void UpstoxLogin::reply(QTcpSocket *socket, int status, const QString &text)
{
    const QByteArray html = "<!doctype html><meta charset=utf-8><title>Strikeline</title><p>" +
                            text.toHtmlEscaped().toUtf8() + "</p>\n";
    QByteArray head = "HTTP/1.1 " + QByteArray::number(status) + " Strikeline\r\n";
    head += "Content-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\n";
    head += "Connection: close\r\nContent-Length: " + QByteArray::number(html.size()) + "\r\n\r\n";
    socket->write(head + html);
    socket->flush(); // now: a CLI may end its event loop (and the process) on the next signal
    socket->disconnectFromHost();
}

void UpstoxLogin::exchangeCode(const QString &code)
{
    if (code.trimmed().isEmpty()) {
        fail(QStringLiteral("the authorization code is empty"));
        return;
    }
    logging::addSecret(code.trimmed());
    m_timeout.stop();
    m_done = true;
    auto field = [](const char *name, const QString &value) -> QByteArray {
        return QByteArray(name) + '=' + QUrl::toPercentEncoding(value);
    };
    net::HttpRequest request;
    request.method = net::HttpMethod::Post;
    request.url = m_urls.tokenUrl();
    request.bearer = false;
    request.contentType = "application/x-www-form-urlencoded";
    request.body = field("code", code.trimmed()) + '&' + field("client_id", m_app.clientId) + '&' +
                   field("client_secret", m_app.clientSecret) + '&' +
                   field("redirect_uri", m_app.redirectUri) + '&' +
                   field("grant_type", QStringLiteral("authorization_code"));
    request.rateLimit = QLatin1String(StandardLimit);
    m_tokenRequest = m_http.send(std::move(request), this, [this](Result<net::HttpResponse> r) {
        m_tokenRequest = 0;
        if (!r.ok()) {
            fail(fromTransport(r.error()));
            return;
        }
        if (!r->isSuccess()) {
            fail(parseError(r->status, r->body));
            return;
        }
        auto token = parseTokenResponse(r->body, m_clock.now());
        if (!token.ok()) {
            fail(token.error());
            return;
        }
        spdlog::info("upstox login: logged in as {}", token->userId.toStdString());
        Q_EMIT succeeded(token.value());
    });
}

void UpstoxLogin::cancel()
{
    if (m_tokenRequest != 0) {
        m_http.cancel(m_tokenRequest); // its Cancelled answer ends the login
        return;
    }
    UpstoxError error;
    error.kind = UpstoxErrorKind::Cancelled;
    error.message = QStringLiteral("the login was cancelled");
    fail(error);
}

void UpstoxLogin::stopListening()
{
    if (m_server)
        m_server->close();
}

void UpstoxLogin::fail(const QString &message, UpstoxErrorKind kind)
{
    UpstoxError error;
    error.kind = kind;
    error.message = message;
    fail(error);
}

void UpstoxLogin::fail(UpstoxError error)
{
    m_timeout.stop();
    stopListening();
    m_done = true;
    spdlog::warn("upstox login failed: {}", error.toString().toStdString());
    Q_EMIT failed(error);
}

} // namespace strikeline::upstox
