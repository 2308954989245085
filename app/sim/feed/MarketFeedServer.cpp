#include "MarketFeedServer.h"

#include "FeedReplay.h"
#include "common/IstTime.h"
#include "marketdata/SimulatedMarket.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>
#include <QWebSocket>

#include <algorithm>
#include <cmath>

namespace strikeline::sim {

namespace {

// Upstox's "invalid input" code (upstox-reference.md §3.9): the nearest documented one.
constexpr auto InvalidInput = "UDAPI100036";
// A sub of 5000 keys is about 150 kB of JSON; anything far bigger is not a request.
constexpr quint64 MaxRequestBytes = 4 * 1024 * 1024;

// The segment statuses of a market_info, in a fixed order.
std::string fingerprint(const upstoxpb::FeedResponse &info)
{
    const auto &map = info.marketinfo().segmentstatus();
    const std::map<std::string, int> sorted(map.begin(), map.end()); // a map's order is not fixed
    std::string statuses;
    for (const auto &[segment, status] : sorted)
        statuses += segment + '=' + std::to_string(status) + ';';
    return statuses;
}

QString text(const char *latin1)
{
    return QString::fromLatin1(latin1);
}

} // namespace

MarketFeedServer::MarketFeedServer(const SimContext &context, Options options, QObject *parent)
    : QObject(parent)
    , m_context(context)
    , m_options(options)
    , m_tape(*context.state)
{
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(options.replay         ? 10 // a recording's own spacing, to 10 ms
                        : context.tickRate > 0 ? std::max(1, 1000 / context.tickRate)
                                               : std::max(1, options.realisticIntervalMs));
    connect(&m_timer, &QTimer::timeout, this, &MarketFeedServer::pump);
    m_pingTimer.setInterval(std::max(100, options.pingIntervalMs));
    connect(&m_pingTimer, &QTimer::timeout, this, [this] {
        if (m_muted)
            return;
        for (const auto &c : m_connections) {
            if (c->socket)
                c->socket->ping();
        }
    });
    if (options.pingIntervalMs > 0)
        m_pingTimer.start();
    connect(&context.events, &SimEventBus::dropWebSockets, this, &MarketFeedServer::dropAll);
    connect(&context.events, &SimEventBus::muteWebSockets, this, [this](bool muted) {
        m_muted = muted;
        if (muted)
            return;
        // Sockets that opened while muted have not had their market_info yet.
        const upstoxpb::FeedResponse info = currentMarketInfo();
        for (const auto &c : m_connections) {
            if (!c->greeted)
                send(c.get(), info);
        }
    });
    connect(&context.events, &SimEventBus::tokenRevoked, this, &MarketFeedServer::revoke);
}

MarketFeedServer::MarketFeedServer(const SimContext &context, QObject *parent)
    : MarketFeedServer(context, Options{}, parent)
{}

MarketFeedServer::~MarketFeedServer()
{
    for (const auto &c : m_connections) {
        if (!c->socket)
            continue;
        c->socket->disconnect(this);
        c->socket->close(QWebSocketProtocol::CloseCodeGoingAway, text("simulator shutting down"));
    }
}

int MarketFeedServer::connections(const QString &userId) const
{
    return static_cast<int>(
        std::count_if(m_connections.begin(), m_connections.end(),
                      [&](const auto &c) { return c->socket && c->userId == userId; }));
}

void MarketFeedServer::accept(QWebSocket *socket, const QString &userId,
                              const QByteArray &accessToken)
{
    if (!socket)
        return;
    socket->setParent(this);
    if (socket->state() != QAbstractSocket::ConnectedState) {
        socket->deleteLater(); // gone before it reached us: no disconnected() will come
        return;
    }
    socket->setMaxAllowedIncomingMessageSize(MaxRequestBytes);
    if (connections(userId) >= m_options.limits.connectionsPerUser) {
        connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
        socket->close(QWebSocketProtocol::CloseCodePolicyViolated,
                      text("connection limit exceeded"));
        return;
    }
    auto connection = std::make_unique<Connection>();
    Connection *c = connection.get();
    c->socket = socket;
    c->userId = userId;
    c->token = accessToken;
    m_connections.push_back(std::move(connection));

    connect(socket, &QWebSocket::binaryMessageReceived, this,
            [this, c](const QByteArray &message) { onBinaryMessage(c, message); });
    connect(socket, &QWebSocket::textMessageReceived, this,
            [this, c](const QString &message) { onTextMessage(c, message); });
    connect(socket, &QWebSocket::disconnected, this, [this, c] { forget(c); });

    if (m_options.replay) {
        if (!m_replayClock.isValid())
            m_replayClock.start();
        // Whatever was due while nobody was connected is not sent late in a burst: it only
        // becomes the state a snapshot and the market_info come from.
        if (!m_timer.isActive())
            m_options.replay->advanceTo(replayNowMs(), [](const upstoxpb::FeedResponse &) {});
    }
    const upstoxpb::FeedResponse info = currentMarketInfo();
    if (!m_muted)
        send(c, info);
    if (!m_timer.isActive()) {
        m_lastStatuses = fingerprint(info);
        m_elapsed.start();
        m_lastSimMs = m_context.clock.now().epochMs;
        m_framesOwed = 0;
        m_timer.start();
    }
}

int MarketFeedServer::connectionCount() const
{
    return static_cast<int>(std::count_if(m_connections.begin(), m_connections.end(),
                                          [](const auto &c) { return c->socket != nullptr; }));
}

void MarketFeedServer::forget(Connection *connection)
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
    if (std::none_of(m_connections.begin(), m_connections.end(),
                     [](const auto &c) { return c->socket != nullptr; }))
        m_timer.stop();
}

void MarketFeedServer::dropAll()
{
    std::vector<QPointer<QWebSocket>> sockets;
    for (const auto &c : m_connections)
        sockets.push_back(c->socket);
    for (const QPointer<QWebSocket> &socket : sockets) {
        if (socket)
            socket->abort(); // no close frame: the client sees an abnormal close (1006)
    }
}

void MarketFeedServer::revoke(const QByteArray &token)
{
    std::vector<QPointer<QWebSocket>> sockets;
    for (const auto &c : m_connections) {
        if (c->token == token)
            sockets.push_back(c->socket);
    }
    for (const QPointer<QWebSocket> &socket : sockets) {
        if (socket)
            socket->close(QWebSocketProtocol::CloseCodePolicyViolated,
                          text("Invalid token used to access API"));
    }
}

void MarketFeedServer::send(Connection *connection, const upstoxpb::FeedResponse &response)
{
    if (!connection->socket || m_muted)
        return;
    QByteArray bytes(static_cast<qsizetype>(response.ByteSizeLong()), Qt::Uninitialized);
    if (!response.SerializeToArray(bytes.data(), static_cast<int>(bytes.size())))
        return;
    connection->socket->sendBinaryMessage(bytes);
    connection->greeted = connection->greeted || response.type() == upstoxpb::market_info;
    ++m_framesSent;
}

void MarketFeedServer::fail(Connection *connection, const QString &guid, const QString &method,
                            const QString &message)
{
    if (!connection->socket || m_muted)
        return;
    const QJsonObject body{{QStringLiteral("guid"), guid},
                           {QStringLiteral("method"), method},
                           {QStringLiteral("status"), QStringLiteral("failed")},
                           {QStringLiteral("error_code"), text(InvalidInput)},
                           {QStringLiteral("error"), message}};
    connection->socket->sendTextMessage(
        QString::fromUtf8(QJsonDocument(body).toJson(QJsonDocument::Compact)));
}

void MarketFeedServer::onTextMessage(Connection *connection, const QString &)
{
    // Upstox: requests "should be sent in binary format, not as a text message".
    fail(connection, {}, {}, QStringLiteral("Requests must be sent as binary frames"));
}

bool MarketFeedServer::withinLimits(const std::map<std::string, FeedMode> &subscriptions,
                                    QString &error) const
{
    int ltpc = 0, greeks = 0, full = 0, d30 = 0;
    for (const auto &[key, mode] : subscriptions) {
        switch (mode) {
        case FeedMode::Ltpc:
            ++ltpc;
            break;
        case FeedMode::OptionGreeks:
            ++greeks;
            break;
        case FeedMode::Full:
            ++full;
            break;
        case FeedMode::FullD30:
            ++d30;
            break;
        }
    }
    const FeedLimits &l = m_options.limits;
    const bool mixed = (ltpc > 0) + (greeks > 0) + (full > 0) + (d30 > 0) > 1;
    const auto check = [&](int count, int alone, int together, const char *mode) {
        const int limit = mixed ? together : alone;
        if (count <= limit)
            return true;
        error = QStringLiteral("Subscription limit exceeded for mode %1: %2 instrument keys, at "
                               "most %3%4")
                    .arg(text(mode))
                    .arg(count)
                    .arg(limit)
                    .arg(mixed ? QStringLiteral(" when modes are combined") : QString());
        return false;
    };
    return check(ltpc, l.ltpc, l.ltpcMixed, "ltpc") &&
           check(greeks, l.optionGreeks, l.optionGreeksMixed, "option_greeks") &&
           check(full, l.full, l.fullMixed, "full") && check(d30, l.fullD30, l.fullD30, "full_d30");
}

void MarketFeedServer::onBinaryMessage(Connection *connection, const QByteArray &message)
{
    QJsonParseError parseError{};
    const QJsonDocument document = QJsonDocument::fromJson(message, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        fail(connection, {}, {}, QStringLiteral("Invalid request: not a JSON object"));
        return;
    }
    const QJsonObject request = document.object();
    const QString guid = request.value(QStringLiteral("guid")).toString();
    const QString method = request.value(QStringLiteral("method")).toString();
    const QJsonValue data = request.value(QStringLiteral("data"));
    if (method != QStringLiteral("sub") && method != QStringLiteral("change_mode") &&
        method != QStringLiteral("unsub")) {
        fail(connection, guid, method,
             QStringLiteral("Invalid method: expected sub, change_mode or unsub"));
        return;
    }
    const QJsonValue keysValue = data.toObject().value(QStringLiteral("instrumentKeys"));
    if (!data.isObject() || !keysValue.isArray() || keysValue.toArray().isEmpty()) {
        fail(connection, guid, method, QStringLiteral("Invalid request: data.instrumentKeys"));
        return;
    }
    std::vector<std::string> keys;
    for (const QJsonValue &key : keysValue.toArray()) {
        if (!key.isString()) {
            fail(connection, guid, method,
                 QStringLiteral("Invalid request: instrument keys must be strings"));
            return;
        }
        keys.push_back(key.toString().toStdString());
    }

    if (method == QStringLiteral("unsub")) {
        for (const std::string &key : keys)
            connection->subscriptions.erase(key);
        return;
    }

    const QJsonValue modeValue = data.toObject().value(QStringLiteral("mode"));
    std::optional<FeedMode> mode;
    if (modeValue.isUndefined() && method == QStringLiteral("sub"))
        mode = FeedMode::Ltpc;
    else
        mode = parseFeedMode(modeValue.toString().toStdString());
    if (!mode) {
        fail(connection, guid, method, QStringLiteral("Invalid mode"));
        return;
    }

    std::map<std::string, FeedMode> next = connection->subscriptions;
    std::vector<std::string> changed;
    for (const std::string &key : keys) {
        if (method == QStringLiteral("change_mode")) {
            const auto it = next.find(key);
            if (it == next.end())
                continue; // not subscribed: nothing to change
            it->second = *mode;
        } else {
            if (!next.contains(key) && !m_options.replay && !m_tape.knows(key))
                continue; // unknown or expired keys get no feed (a replay serves what it has)
            next[key] = *mode;
        }
        changed.push_back(key);
    }
    QString error;
    if (!withinLimits(next, error)) {
        fail(connection, guid, method, error);
        return;
    }
    connection->subscriptions = std::move(next);
    if (!changed.empty())
        sendSnapshot(connection, changed);
}

void MarketFeedServer::sendSnapshot(Connection *connection, const std::vector<std::string> &keys)
{
    upstoxpb::FeedResponse response;
    response.set_type(upstoxpb::initial_feed);
    response.set_currentts(m_context.clock.now().epochMs);
    for (const std::string &key : keys) {
        const auto it = connection->subscriptions.find(key);
        if (it == connection->subscriptions.end())
            continue;
        if (m_options.replay)
            m_options.replay->addSnapshot(response, key);
        else
            m_tape.addSnapshot(response, key, it->second);
    }
    if (response.feeds_size() > 0)
        send(connection, response);
}

void MarketFeedServer::sendTicks(Connection *connection, bool forced)
{
    upstoxpb::FeedResponse response;
    response.set_type(upstoxpb::live_feed);
    response.set_currentts(m_context.clock.now().epochMs);
    for (const auto &[key, mode] : connection->subscriptions) {
        if (!forced && !m_tape.isOpen(key))
            continue;
        m_tape.addTick(response, key, mode, m_tape.step(key, forced));
    }
    if (response.feeds_size() > 0)
        send(connection, response);
}

std::int64_t MarketFeedServer::replayNowMs() const
{
    return m_options.replay->firstFrameMs() +
           static_cast<std::int64_t>(static_cast<double>(m_replayClock.elapsed()) *
                                     m_options.replaySpeed);
}

upstoxpb::FeedResponse MarketFeedServer::currentMarketInfo() const
{
    if (m_options.replay && m_options.replay->marketInfo())
        return *m_options.replay->marketInfo();
    return m_tape.marketInfo();
}

void MarketFeedServer::replayPump()
{
    FeedReplay &replay = *m_options.replay;
    replay.advanceTo(replayNowMs(), [this](const upstoxpb::FeedResponse &frame) {
        if (m_muted)
            return; // a muted feed loses what it would have sent, as a real one does
        if (frame.feeds_size() == 0) { // market_info
            for (const auto &c : m_connections)
                send(c.get(), frame);
            return;
        }
        for (const auto &c : m_connections) {
            if (!c->socket || c->subscriptions.empty())
                continue;
            upstoxpb::FeedResponse out;
            out.set_type(frame.type());
            out.set_currentts(frame.currentts());
            for (const auto &[key, feed] : frame.feeds()) {
                if (c->subscriptions.contains(key))
                    (*out.mutable_feeds())[key] = feed;
            }
            if (out.feeds_size() > 0)
                send(c.get(), out);
        }
    });
    if (replay.finished() && !m_replayEndReported) {
        m_replayEndReported = true;
        qInfo("upstox-sim: the recording ended after %llu frames%s%s",
              static_cast<unsigned long long>(replay.framesReplayed()),
              replay.error().isEmpty() ? "" : ": ", qPrintable(replay.error()));
    }
}

void MarketFeedServer::pump()
{
    if (m_options.replay) {
        replayPump();
        return;
    }
    const std::int64_t nowMs = m_context.clock.now().epochMs;
    if (m_options.advanceMarket && nowMs > m_lastSimMs)
        m_context.market.advance(nowMs - m_lastSimMs);
    m_lastSimMs = nowMs;

    // market_info again whenever a segment opens or closes.
    const upstoxpb::FeedResponse info = m_tape.marketInfo();
    const std::string statuses = fingerprint(info);
    const bool transition = !m_lastStatuses.empty() && statuses != m_lastStatuses;
    m_lastStatuses = statuses;
    if (m_muted)
        return;
    if (transition) {
        for (const auto &c : m_connections)
            send(c.get(), info);
    }

    std::vector<Connection *> active;
    for (const auto &c : m_connections) {
        if (c->socket && !c->subscriptions.empty())
            active.push_back(c.get());
    }
    if (active.empty()) {
        m_framesOwed = 0;
        m_elapsed.restart();
        return;
    }
    if (m_context.tickRate <= 0) {
        for (Connection *c : active)
            sendTicks(c, false);
        return;
    }
    // N frames a second in total, round robin over the connections that subscribed; never more
    // than one second's worth at once (a stalled loop does not burst).
    m_framesOwed = std::min(m_framesOwed + static_cast<double>(m_elapsed.restart()) *
                                               m_context.tickRate / 1000.0,
                            static_cast<double>(m_context.tickRate));
    const auto frames = static_cast<std::int64_t>(std::floor(m_framesOwed));
    m_framesOwed -= static_cast<double>(frames);
    for (std::int64_t i = 0; i < frames; ++i)
        sendTicks(active[m_nextConnection++ % active.size()], true);
}

} // namespace strikeline::sim
