#include "UpstoxSim.h"

#include "SimContext.h"
#include "SimStreams.h"
#include "common/IstTime.h"
#include "marketdata/SimulatedMarket.h"

#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUrl>
#include <QWebSocket>
#include <QWebSocketServer>

#include <spdlog/spdlog.h>

#include <algorithm>

namespace strikeline::sim {

namespace {

const QString MarketFeedPath = QStringLiteral("/v3/feed/market-data-feed");
const QString PortfolioFeedPath = QStringLiteral("/v2/feed/portfolio-stream-feed");
// Where the handed-out URLs point (Upstox's own look: .../feeds?requestId=..&code=..).
const QString MarketFeederPath =
    QStringLiteral("/market-data-feeder/v3/upstox-developer-api/feeds");
const QString PortfolioFeederPath =
    QStringLiteral("/portfolio-stream-feeder/v2/upstox-developer-api/feeds");

constexpr int UpdateBeforeAckDelayMs = 150;

ApiError notFound()
{
    return {404,
            QStringLiteral("UDAPI100060"),
            QStringLiteral("Resource not Found"),
            {},
            QJsonValue::Null};
}

std::optional<double> parseShare(const QString &value)
{
    bool ok = false;
    QString text = value.trimmed();
    const bool percent = text.endsWith(u'%');
    if (percent)
        text.chop(1);
    double share = text.toDouble(&ok);
    if (!ok)
        return std::nullopt;
    if (percent || share > 1.0)
        share /= 100.0;
    if (share < 0 || share > 1.0)
        return std::nullopt;
    return share;
}

bool isOff(const QString &value)
{
    const QString v = value.trimmed().toLower();
    return v == QLatin1String("off") || v == QLatin1String("false") || v == QLatin1String("0");
}

} // namespace

UpstoxSim::UpstoxSim(SimContext &context, SimStreams *streams, UpstoxSimOptions options,
                     QObject *parent)
    : QObject(parent)
    , m_context(context)
    , m_streams(streams)
    , m_options(std::move(options))
    , m_auth(context.clock, m_options.credentials)
    , m_orders(std::make_unique<SimOrders>(context, m_auth.user().userId))
    , m_rest(std::make_unique<SimRest>(context, m_auth.user(), *m_orders))
    , m_faultRandom(context.seed ^ 0x5EEDFA17ULL)
{
    m_marketTimer.setInterval(m_options.marketIntervalMs);
    connect(&m_marketTimer, &QTimer::timeout, this, &UpstoxSim::onMarketTimer);
}

UpstoxSim::~UpstoxSim()
{
    m_marketTimer.stop();
    if (m_server)
        m_server->close();
}

QStringList UpstoxSim::faultNames()
{
    return {QStringLiteral("drop-ws"),
            QStringLiteral("mute-ws"),
            QStringLiteral("http-429"),
            QStringLiteral("http-5xx"),
            QStringLiteral("slow"),
            QStringLiteral("expire-token"),
            QStringLiteral("expire-token-at"),
            QStringLiteral("static-ip-reject"),
            QStringLiteral("update-before-ack"),
            QStringLiteral("duplicate-updates"),
            QStringLiteral("reorder-updates"),
            QStringLiteral("drop-after-place"),
            QStringLiteral("clear")};
}

Result<quint16> UpstoxSim::start(quint16 port)
{
    for (const QString &fault : m_options.faults) {
        const qsizetype eq = fault.indexOf(u'=');
        auto applied =
            applyFault(eq < 0 ? fault : fault.left(eq), eq < 0 ? QString() : fault.mid(eq + 1));
        if (!applied)
            return applied.error();
    }
    m_server = new QTcpServer(this);
    m_webSockets = new QWebSocketServer(QStringLiteral("strikeline upstox-sim"),
                                        QWebSocketServer::NonSecureMode, this);
    connect(m_webSockets, &QWebSocketServer::newConnection, this, &UpstoxSim::onWebSocketConnected);
    connect(m_server, &QTcpServer::newConnection, this, &UpstoxSim::onNewConnection);
    if (!m_server->listen(QHostAddress::LocalHost, port))
        return Error::make(ErrorCode::Network, QStringLiteral("cannot listen on 127.0.0.1:%1: %2")
                                                   .arg(port)
                                                   .arg(m_server->errorString()));
    m_lastMarketMs = m_context.clock.now().epochMs;
    m_marketTimer.start();
    return m_server->serverPort();
}

quint16 UpstoxSim::port() const
{
    return m_server ? m_server->serverPort() : 0;
}

QString UpstoxSim::httpUrl() const
{
    return QStringLiteral("http://127.0.0.1:%1").arg(port());
}

Result<void> UpstoxSim::applyFault(const QString &rawName, const QString &value)
{
    const QString name = rawName.trimmed().toLower();
    const bool off = isOff(value);
    const auto bad = [&](const QString &why) {
        return Error::make(ErrorCode::InvalidArgument,
                           QStringLiteral("fault %1: %2").arg(rawName, why));
    };
    const auto flag = [&](bool &field) -> Result<void> {
        field = !off;
        return success();
    };
    if (name == QLatin1String("clear")) {
        const bool wasMuted = m_faults.muteWs;
        m_faults = SimFaults();
        m_auth.setForcedExpiry(std::nullopt);
        if (wasMuted)
            Q_EMIT m_context.events.muteWebSockets(false);
        return success();
    }
    if (name == QLatin1String("drop-ws")) {
        if (!off)
            Q_EMIT m_context.events.dropWebSockets();
        return success();
    }
    if (name == QLatin1String("mute-ws")) {
        m_faults.muteWs = !off;
        Q_EMIT m_context.events.muteWebSockets(m_faults.muteWs);
        return success();
    }
    if (name == QLatin1String("http-429") || name == QLatin1String("http-5xx")) {
        double &share = name == QLatin1String("http-429") ? m_faults.http429 : m_faults.http5xx;
        if (value.trimmed().isEmpty()) {
            share = 1.0;
            return success();
        }
        if (value.trimmed().toLower() == QLatin1String("off")) {
            share = 0;
            return success();
        }
        const auto parsed = parseShare(value);
        if (!parsed)
            return bad(QStringLiteral("expected a share of requests, 0..1 or a percentage "
                                      "(got '%1')")
                           .arg(value));
        share = *parsed;
        return success();
    }
    if (name == QLatin1String("slow")) {
        if (value.trimmed().toLower() == QLatin1String("off")) {
            m_faults.slowMs = 0;
            return success();
        }
        bool ok = false;
        const int ms = value.trimmed().toInt(&ok);
        if (!ok || ms < 0 || ms > 600000)
            return bad(QStringLiteral("expected milliseconds, 0..600000 (got '%1')").arg(value));
        m_faults.slowMs = ms;
        return success();
    }
    if (name == QLatin1String("expire-token")) {
        if (!off)
            revoke(m_auth.revokeAll());
        return success();
    }
    if (name == QLatin1String("expire-token-at")) {
        if (value.trimmed().toLower() == QLatin1String("off")) {
            m_faults.expireTokenAtMinute.reset();
            m_auth.setForcedExpiry(std::nullopt);
            return success();
        }
        const QTime time = QTime::fromString(value.trimmed(), QStringLiteral("HH:mm"));
        if (!time.isValid())
            return bad(QStringLiteral("expected HH:MM in IST (got '%1')").arg(value));
        const int minute = time.hour() * 60 + time.minute();
        const IstMoment now = m_context.clock.now();
        IstMoment at = IstMoment::fromDay(now.day(), minute);
        if (at.epochMs <= now.epochMs)
            at = IstMoment::fromDay(now.day() + 1, minute);
        m_faults.expireTokenAtMinute = minute;
        m_auth.setForcedExpiry(at.epochMs);
        return success();
    }
    if (name == QLatin1String("static-ip-reject"))
        return flag(m_faults.staticIpReject);
    if (name == QLatin1String("update-before-ack"))
        return flag(m_faults.updateBeforeAck);
    if (name == QLatin1String("duplicate-updates"))
        return flag(m_faults.duplicateUpdates);
    if (name == QLatin1String("reorder-updates"))
        return flag(m_faults.reorderUpdates);
    if (name == QLatin1String("drop-after-place"))
        return flag(m_faults.dropAfterPlace);
    return bad(
        QStringLiteral("unknown fault; known: %1").arg(faultNames().join(QStringLiteral(", "))));
}

void UpstoxSim::onNewConnection()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        m_connections.insert(socket, {});
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { processSocket(socket); });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
            m_connections.remove(socket);
            socket->deleteLater();
        });
    }
}

void UpstoxSim::processSocket(QTcpSocket *socket)
{
    auto it = m_connections.find(socket);
    if (it == m_connections.end() || it->busy)
        return;
    // Peek, do not read: an upgrade leaves the handshake in the socket for QWebSocketServer.
    const QByteArray buffered =
        socket->peek(std::min<qint64>(socket->bytesAvailable(), MaxHeadBytes + 4));
    HttpRequest request;
    qsizetype headBytes = 0;
    switch (parseRequestHead(buffered, request, headBytes)) {
    case HeadStatus::Incomplete:
        return;
    case HeadStatus::TooLarge:
        respond(socket,
                ApiError{413,
                         QStringLiteral("UDAPI100036"),
                         QStringLiteral("Request head too large"),
                         {},
                         QJsonValue::Null}
                    .toResponse(),
                false, 0);
        return;
    case HeadStatus::Malformed:
        respond(socket,
                ApiError{400,
                         QStringLiteral("UDAPI100036"),
                         QStringLiteral("Malformed HTTP request"),
                         {},
                         QJsonValue::Null}
                    .toResponse(),
                false, 0);
        return;
    case HeadStatus::Complete:
        break;
    }
    const bool upgradeWithCode =
        request.isWebSocketUpgrade() && request.query.hasQueryItem(QStringLiteral("code"));
    if (upgradeWithCode) {
        handleUpgrade(socket, request);
        return;
    }
    const qsizetype length = request.contentLength();
    if (length < 0 || length > MaxBodyBytes) {
        respond(socket,
                ApiError{length < 0 ? 400 : 413,
                         QStringLiteral("UDAPI100036"),
                         QStringLiteral("Bad Content-Length"),
                         {},
                         QJsonValue::Null}
                    .toResponse(),
                false, 0);
        return;
    }
    if (socket->bytesAvailable() < headBytes + length)
        return; // the body is still on its way
    socket->read(headBytes);
    request.body = socket->read(length);
    handleRequest(socket, std::move(request));
}

void UpstoxSim::respond(QTcpSocket *socket, const HttpResponse &response, bool keepAlive,
                        int delayMs)
{
    auto it = m_connections.find(socket);
    if (it == m_connections.end())
        return;
    it->busy = true;
    const QPointer<QTcpSocket> guard(socket);
    const auto write = [this, guard, response, keepAlive] {
        if (!guard)
            return;
        guard->write(serializeResponse(response, keepAlive));
        auto c = m_connections.find(guard.data());
        if (c != m_connections.end())
            c->busy = false;
        if (!keepAlive) {
            guard->disconnectFromHost();
            return;
        }
        if (guard->bytesAvailable() > 0)
            QTimer::singleShot(0, this, [this, guard] {
                if (guard)
                    processSocket(guard.data());
            });
    };
    if (delayMs > 0)
        QTimer::singleShot(delayMs, this, write);
    else
        write();
}

void UpstoxSim::handleRequest(QTcpSocket *socket, HttpRequest request)
{
    const bool keepAlive = request.keepAlive();
    const bool isSim = request.path.startsWith(QLatin1String("/sim/"));
    const bool isFeed = request.path == MarketFeedPath || request.path == PortfolioFeedPath;
    const int delay = isSim ? 0 : m_faults.slowMs;
    spdlog::debug("upstox-sim: {} {}", request.method.toStdString(), request.path.toStdString());

    if (!isSim && !isFeed) {
        // Faults that stand in for Upstox's gateway: a share of requests never reaches it.
        std::uniform_real_distribution<double> draw(0.0, 1.0);
        if (m_faults.http429 > 0 && draw(m_faultRandom) < m_faults.http429) {
            HttpResponse r = ApiError{429,
                                      QStringLiteral("UDAPI10005"),
                                      QStringLiteral("Too Many Request Sent"),
                                      {},
                                      QJsonValue::Null}
                                 .toResponse();
            r.headers.append(qMakePair(QByteArray("Retry-After"), QByteArray("1")));
            respond(socket, r, keepAlive, delay);
            return;
        }
        if (m_faults.http5xx > 0 && draw(m_faultRandom) < m_faults.http5xx) {
            respond(socket,
                    ApiError{500,
                             QStringLiteral("UDAPI100500"),
                             QStringLiteral("Something went wrong, please try again later"),
                             {},
                             QJsonValue::Null}
                        .toResponse(),
                    keepAlive, delay);
            return;
        }
    }
    if (isFeed && request.isWebSocketUpgrade()) {
        handleUpgrade(socket, request);
        return;
    }
    bool isOrderCall = false;
    const HttpResponse response = route(socket, request, isOrderCall);
    if (isOrderCall && response.status == 200 && m_faults.dropAfterPlace &&
        request.path.endsWith(QLatin1String("/order/place"))) {
        // The order is placed, the answer never arrives: the client must reconcile by tag.
        m_connections.remove(socket);
        socket->abort();
        socket->deleteLater();
        flushUpdates();
        return;
    }
    if (m_orders->hasUpdates() && m_faults.updateBeforeAck) {
        flushUpdates();
        respond(socket, response, keepAlive, std::max(delay, UpdateBeforeAckDelayMs));
        return;
    }
    respond(socket, response, keepAlive, delay);
    if (m_orders->hasUpdates()) {
        // After the acknowledgement has been written: the normal order of events.
        QTimer::singleShot(std::max(delay, 0), this, [this] { flushUpdates(); });
    }
}

HttpResponse UpstoxSim::route(QTcpSocket *socket, const HttpRequest &request, bool &isOrderCall)
{
    const QString &path = request.path;
    if (path == QLatin1String("/sim/fault"))
        return faultEndpoint(socket, request);
    if (path == QLatin1String("/v2/login/authorization/dialog")) {
        if (request.method != "GET")
            return ApiError{405,
                            QStringLiteral("UDAPI100060"),
                            QStringLiteral("Method not allowed"),
                            {},
                            QJsonValue::Null}
                .toResponse();
        return m_auth.authorizationDialog(request);
    }
    if (path == QLatin1String("/v2/login/authorization/token")) {
        if (request.method != "POST")
            return ApiError{405,
                            QStringLiteral("UDAPI100060"),
                            QStringLiteral("Method not allowed"),
                            {},
                            QJsonValue::Null}
                .toResponse();
        return m_auth.exchangeToken(request);
    }

    SimAuth::Session session;
    if (const auto error = m_auth.authenticate(request, session))
        return error->toResponse();

    if (path == QLatin1String("/v2/logout")) {
        if (request.method != "DELETE")
            return ApiError{405,
                            QStringLiteral("UDAPI100060"),
                            QStringLiteral("Method not allowed"),
                            {},
                            QJsonValue::Null}
                .toResponse();
        return logout(request);
    }
    if (path == MarketFeedPath + QStringLiteral("/authorize") ||
        path == PortfolioFeedPath + QStringLiteral("/authorize")) {
        const bool market = path.startsWith(MarketFeedPath);
        QStringList types;
        if (!market) {
            auto parsed = updateTypes(request);
            if (const auto *e = std::get_if<ApiError>(&parsed))
                return e->toResponse();
            types = std::get<QStringList>(parsed);
        }
        const QString uri = QString::fromUtf8(webSocketUrl(
            market ? QStringLiteral("market") : QStringLiteral("portfolio"), session, types));
        // Upstox documents authorized_redirect_uri; the Node SDK's model reads
        // authorizedRedirectUri. Both are sent (docs/upstox-sim.md).
        return upstoxSuccess(QJsonObject{{QStringLiteral("authorized_redirect_uri"), uri},
                                         {QStringLiteral("authorizedRedirectUri"), uri}});
    }
    if (path == MarketFeedPath || path == PortfolioFeedPath) {
        // A plain Bearer GET: the redirect the SDKs follow.
        const bool market = path == MarketFeedPath;
        QStringList types;
        if (!market) {
            auto parsed = updateTypes(request);
            if (const auto *e = std::get_if<ApiError>(&parsed))
                return e->toResponse();
            types = std::get<QStringList>(parsed);
        }
        return HttpResponse::redirect(webSocketUrl(
            market ? QStringLiteral("market") : QStringLiteral("portfolio"), session, types));
    }
    if (SimRest::isOrderEndpoint(path)) {
        isOrderCall = true;
        if (m_faults.staticIpReject)
            return ApiError{403,
                            QStringLiteral("UDAPI1154"),
                            QStringLiteral("Order requests are accepted only from a registered "
                                           "static IP. Please whitelist your IP address."),
                            {},
                            QJsonValue::Null}
                .toResponse();
    }
    if (auto response = m_rest->handle(request))
        return *response;
    return notFound().toResponse();
}

HttpResponse UpstoxSim::faultEndpoint(QTcpSocket *socket, const HttpRequest &request)
{
    if (!socket->peerAddress().isLoopback())
        return ApiError{403,
                        QStringLiteral("SIM403"),
                        QStringLiteral("/sim/fault is for loopback clients only"),
                        {},
                        QJsonValue::Null}
            .toResponse();
    if (request.method != "POST")
        return ApiError{405,
                        QStringLiteral("UDAPI100060"),
                        QStringLiteral("Method not allowed"),
                        {},
                        QJsonValue::Null}
            .toResponse();
    QString name;
    QString value;
    if (request.header("content-type").toLower().startsWith("application/json")) {
        QJsonParseError parse;
        const QJsonDocument doc = QJsonDocument::fromJson(request.body, &parse);
        if (parse.error != QJsonParseError::NoError || !doc.isObject())
            return ApiError{
                400,
                QStringLiteral("UDAPI100038"),
                QStringLiteral("Invalid request body: expected {\"name\":..,\"value\":..}"),
                {},
                QJsonValue::Null}
                .toResponse();
        name = doc.object().value(QStringLiteral("name")).toString();
        const QJsonValue v = doc.object().value(QStringLiteral("value"));
        value = v.isString()   ? v.toString()
                : v.isDouble() ? QString::number(v.toDouble())
                : v.isBool()   ? (v.toBool() ? QStringLiteral("on") : QStringLiteral("off"))
                               : QString();
    } else {
        name = request.formValue(QStringLiteral("name"));
        value = request.formValue(QStringLiteral("value"));
    }
    if (name.isEmpty())
        return ApiError{400, QStringLiteral("UDAPI100036"), QStringLiteral("name is required"),
                        QStringLiteral("name"), QJsonValue::Null}
            .toResponse();
    const auto applied = applyFault(name, value);
    if (!applied)
        return ApiError{400, QStringLiteral("UDAPI100036"), applied.error().message,
                        QStringLiteral("name"), name}
            .toResponse();
    return upstoxSuccess(
        QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("value"), value}});
}

HttpResponse UpstoxSim::logout(const HttpRequest &request)
{
    const QByteArray token = request.bearerToken();
    if (m_auth.revoke(token))
        Q_EMIT m_context.events.tokenRevoked(token);
    return HttpResponse::json(
        {{QStringLiteral("status"), QStringLiteral("success")}, {QStringLiteral("data"), true}});
}

std::variant<QStringList, ApiError> UpstoxSim::updateTypes(const HttpRequest &request) const
{
    const QString raw =
        request.query.queryItemValue(QStringLiteral("update_types"), QUrl::FullyDecoded);
    if (raw.trimmed().isEmpty())
        return QStringList{QStringLiteral("order")};
    QStringList types;
    for (const QString &t : raw.split(u',', Qt::SkipEmptyParts)) {
        const QString type = t.trimmed();
        if (type != QLatin1String("order") && type != QLatin1String("position") &&
            type != QLatin1String("holding") && type != QLatin1String("gtt_order"))
            return ApiError{400, QStringLiteral("UDAPI100036"),
                            QStringLiteral("Invalid update_types: %1 (order, position, holding, "
                                           "gtt_order)")
                                .arg(type),
                            QStringLiteral("update_types"), type};
        if (!types.contains(type))
            types.append(type);
    }
    return types;
}

QByteArray UpstoxSim::webSocketUrl(const QString &kind, const SimAuth::Session &session,
                                   const QStringList &updateTypes)
{
    // Forget handed-out URLs nobody used.
    const std::int64_t now = steadyNowMs();
    for (auto it = m_codes.begin(); it != m_codes.end();)
        it = now - it->createdSteadyMs > AuthCodeLifetimeMs ? m_codes.erase(it) : std::next(it);
    const QByteArray code = randomToken(18);
    m_codes.insert(code, {kind, session.userId, session.token, updateTypes, now});
    QByteArray url = "ws://127.0.0.1:" + QByteArray::number(port());
    url += (kind == QLatin1String("market") ? MarketFeederPath : PortfolioFeederPath).toUtf8();
    url += "?requestId=" + randomToken(9) + "&code=" + code;
    if (kind == QLatin1String("portfolio"))
        url += "&update_types=" + QUrl::toPercentEncoding(updateTypes.join(u','));
    return url;
}

void UpstoxSim::refuseUpgrade(QTcpSocket *socket, const ApiError &error)
{
    // The upgrade's bytes are still unread: take them so the socket closes cleanly.
    socket->readAll();
    respond(socket, error.toResponse(), false, 0);
}

void UpstoxSim::handleUpgrade(QTcpSocket *socket, const HttpRequest &request)
{
    const QString code = request.query.queryItemValue(QStringLiteral("code"));
    if (code.isEmpty()) {
        // An upgrade to the feed itself with a Bearer token: the 302 the SDKs follow (Qt's
        // QWebSocket does not; it must call authorize first).
        SimAuth::Session session;
        if (const auto error = m_auth.authenticate(request, session)) {
            refuseUpgrade(socket, *error);
            return;
        }
        const bool market = request.path == MarketFeedPath;
        QStringList types;
        if (!market) {
            auto parsed = updateTypes(request);
            if (const auto *e = std::get_if<ApiError>(&parsed)) {
                refuseUpgrade(socket, *e);
                return;
            }
            types = std::get<QStringList>(parsed);
        }
        socket->readAll();
        respond(
            socket,
            HttpResponse::redirect(webSocketUrl(
                market ? QStringLiteral("market") : QStringLiteral("portfolio"), session, types)),
            request.keepAlive(), m_faults.slowMs);
        return;
    }
    const auto found = m_codes.find(code.toLatin1());
    if (found == m_codes.end() || steadyNowMs() - found->createdSteadyMs > AuthCodeLifetimeMs ||
        (request.path != MarketFeederPath && request.path != PortfolioFeederPath)) {
        if (found != m_codes.end())
            m_codes.erase(found);
        refuseUpgrade(socket, {401,
                               QStringLiteral("UDAPI100050"),
                               QStringLiteral("Invalid or already used WebSocket URL: call "
                                              "authorize again"),
                               {},
                               QJsonValue::Null});
        return;
    }
    const PendingSocket pending = found.value();
    m_codes.erase(found); // single-use, whatever happens next
    if (!m_auth.isValid(pending.token)) {
        refuseUpgrade(socket, {401,
                               QStringLiteral("UDAPI100050"),
                               QStringLiteral("Invalid token used to access API"),
                               {},
                               QJsonValue::Null});
        return;
    }
    if ((pending.kind == QLatin1String("market")) != (request.path == MarketFeederPath)) {
        refuseUpgrade(socket, {401,
                               QStringLiteral("UDAPI100050"),
                               QStringLiteral("This WebSocket URL is for another feed"),
                               {},
                               QJsonValue::Null});
        return;
    }
    if (!m_streams) {
        refuseUpgrade(socket, {503,
                               QStringLiteral("UDAPI100500"),
                               QStringLiteral("This simulator has no WebSocket streams (they "
                                              "were not built in): the feed is unavailable"),
                               {},
                               QJsonValue::Null});
        return;
    }
    if (pending.kind == QLatin1String("market") &&
        m_streams->marketFeedConnections(pending.userId) >= MarketFeedConnectionLimit) {
        refuseUpgrade(socket, {429,
                               QStringLiteral("UDAPI100074"),
                               QStringLiteral("Connection limit exceeded: at most %1 market-data "
                                              "feed connections per user")
                                   .arg(MarketFeedConnectionLimit),
                               {},
                               QJsonValue::Null});
        return;
    }
    // From here the socket is QWebSocketServer's: it reads the handshake we only peeked at.
    m_connections.remove(socket);
    disconnect(socket, nullptr, this, nullptr);
    // Out of the QTcpServer's ownership: the QWebSocket made from it (whose owner the streams
    // become) must not lose its socket when the simulator's server goes first.
    socket->setParent(nullptr);
    m_handover.insert(code.toLatin1(), pending);
    m_webSockets->handleConnection(socket);
}

void UpstoxSim::onWebSocketConnected()
{
    while (QWebSocket *ws = m_webSockets->nextPendingConnection()) {
        const QByteArray code =
            QUrlQuery(ws->requestUrl()).queryItemValue(QStringLiteral("code")).toLatin1();
        const auto it = m_handover.find(code);
        if (it == m_handover.end() || !m_streams) {
            ws->close(QWebSocketProtocol::CloseCodePolicyViolated,
                      QStringLiteral("unknown WebSocket URL"));
            ws->deleteLater();
            continue;
        }
        const PendingSocket pending = it.value();
        m_handover.erase(it);
        if (pending.kind == QLatin1String("market"))
            m_streams->acceptMarketFeed(ws, pending.userId, pending.token);
        else
            m_streams->acceptPortfolioStream(ws, pending.userId, pending.token,
                                             pending.updateTypes);
    }
}

void UpstoxSim::onMarketTimer()
{
    const std::int64_t now = m_context.clock.now().epochMs;
    if (now > m_lastMarketMs) {
        m_context.market.advance(now - m_lastMarketMs);
        m_lastMarketMs = now;
    }
    m_orders->onPrices();
    flushUpdates();
    revoke(m_auth.collectExpired());
}

void UpstoxSim::flushUpdates()
{
    std::vector<SimOrders::Update> updates = m_orders->takeUpdates();
    if (updates.empty())
        return;
    if (m_faults.reorderUpdates) {
        // Order updates out of order (the last state first); position updates stay put.
        std::vector<std::size_t> orderSlots;
        for (std::size_t i = 0; i < updates.size(); ++i)
            if (!updates[i].position)
                orderSlots.push_back(i);
        for (std::size_t a = 0, b = orderSlots.size(); a + 1 < b; ++a, --b)
            std::swap(updates[orderSlots[a]], updates[orderSlots[b - 1]]);
    }
    const QString &user = m_auth.user().userId;
    for (const SimOrders::Update &u : updates) {
        if (u.position) {
            Q_EMIT m_context.events.positionUpdate(user, u.json);
            continue;
        }
        Q_EMIT m_context.events.orderUpdate(user, u.json);
        if (m_faults.duplicateUpdates)
            Q_EMIT m_context.events.orderUpdate(user, u.json);
    }
}

void UpstoxSim::revoke(const QList<QByteArray> &tokens)
{
    for (const QByteArray &token : tokens)
        Q_EMIT m_context.events.tokenRevoked(token);
}

} // namespace strikeline::sim
