#include "api/ApiServer.h"

#include "api/ApiCommon.h"
#include "api/ApiToken.h"
#include "api/OrderRoutes.h"
#include "instruments/InstrumentJson.h"
#include "instruments/InstrumentQueries.h"
#include "instruments/InstrumentRepository.h"

#include <QAbstractHttpServer>
#include <QDateTime>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QUrl>

#include <absl/container/flat_hash_map.h>
#include <spdlog/spdlog.h>

#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <string_view>
#include <unistd.h>
#include <utility>
#include <vector>

namespace strikeline::api {

namespace {

using namespace detail;

constexpr qsizetype MaxQueryText = 200;
// Every request this API answers fits in a few hundred bytes. Qt 6.4's HTTP server has no
// limits of its own: it keeps a whole request (URL, headers, body) in memory until it is
// complete, before any handler -- or the token check -- sees it, and it never closes a
// connection. So the sockets count what arrives and cut a request off at this size, a half
// request after a stall and an idle connection after ApiServerConfig::idleTimeout; the server
// keeps at most ApiServerConfig::maxConnections open.
constexpr qint64 MaxRequestBytes = 64 * 1024;
constexpr std::chrono::milliseconds StalledRequestMs{10'000};
// The longest a deferred answer (an order route, a broker call with its retries) is waited for.
constexpr std::chrono::milliseconds AnswerTimeoutMs{60'000};
// Enough of a request line's end to read its version (" HTTP/1.1").
constexpr qsizetype RequestLineTail = 16;

QString istTimestamp(std::int64_t epochMs)
{
    return QDateTime::fromMSecsSinceEpoch(epochMs, Qt::OffsetFromUTC, IstOffsetSeconds)
        .toString(Qt::ISODate);
}

// The compact JSON of instruments already asked for, for one snapshot. Building an instrument
// object through QJsonObject and serialising it costs about 10 µs, against 2 µs for the whole
// search that found it: without this, a 20-result search spends nearly all its time making
// JSON. The bytes come from json::instrument itself, so the shape stays the CLI's. Used on the
// server's thread only; bounded, and emptied when a new snapshot is published (ids belong to
// one snapshot).
class InstrumentJsonCache
{
public:
    const QByteArray &get(const SnapshotPtr &snapshot, InstrumentId id)
    {
        // A weak pointer and the address: no old snapshot is kept alive by the cache, and a new
        // one allocated where a dead one was is still noticed.
        if (snapshot.get() != m_address || m_snapshot.expired() || m_entries.size() >= MaxEntries) {
            m_entries.clear();
            m_snapshot = snapshot;
            m_address = snapshot.get();
        }
        auto [it, inserted] = m_entries.try_emplace(id);
        if (inserted)
            it->second = toJson(json::instrument(snapshot->instrument(id)));
        return it->second;
    }

private:
    static constexpr std::size_t MaxEntries = 20'000; // ~8 MB of JSON at most
    std::weak_ptr<const InstrumentSnapshot> m_snapshot;
    const InstrumentSnapshot *m_address = nullptr;
    absl::flat_hash_map<InstrumentId, QByteArray> m_entries;
};

// `at` (default: the clock's today, IST) and `include_expired` (default false).
struct AsOf
{
    EpochDay today = NoDay;
    bool includeExpired = false;
};

Result<AsOf> asOf(const Params &params, const Clock &clock)
{
    AsOf result;
    if (const QString *at = params.find("at")) {
        const auto day = parseDay(*at);
        if (!day)
            return Error::make(ErrorCode::InvalidArgument,
                               QStringLiteral("at: ") + day.error().message);
        result.today = *day;
    } else {
        result.today = clock.now().day();
    }
    if (const QString *flag = params.find("include_expired")) {
        if (flag->isEmpty() || *flag == QLatin1String("true") || *flag == QLatin1String("1"))
            result.includeExpired = true;
        else if (*flag == QLatin1String("false") || *flag == QLatin1String("0"))
            result.includeExpired = false;
        else
            return Error::make(
                ErrorCode::InvalidArgument,
                QStringLiteral("include_expired must be true or false, not '%1'").arg(*flag));
    }
    return result;
}

Reply health(const InstrumentRepository &repository, const Params &params, const Clock &clock)
{
    const auto when = asOf(params, clock);
    if (!when)
        return fromError(when.error());
    const SnapshotPtr snapshot = repository.snapshot();
    const MasterInfo &info = snapshot->info();
    const bool loaded = repository.isLoaded();
    const std::int64_t expired = snapshot->expiredContractsAt(when->today);
    auto dayOrNull = [](EpochDay day) {
        return day == NoDay ? QJsonValue() : QJsonValue(formatIsoDay(day));
    };
    QJsonObject o;
    o.insert(QStringLiteral("status"), loaded ? QStringLiteral("ok") : QStringLiteral("loading"));
    o.insert(QStringLiteral("loaded"), loaded);
    o.insert(QStringLiteral("rows"), static_cast<qint64>(snapshot->size()));
    o.insert(QStringLiteral("master_date"), info.masterTimeMs > 0
                                                ? dayOrNull(istDayFromEpochMs(info.masterTimeMs))
                                                : QJsonValue());
    o.insert(QStringLiteral("master_time"),
             info.masterTimeMs > 0 ? QJsonValue(istTimestamp(info.masterTimeMs)) : QJsonValue());
    o.insert(QStringLiteral("hydrated_at"),
             loaded ? QJsonValue(istTimestamp(info.loadedAtMs)) : QJsonValue());
    o.insert(QStringLiteral("source"), info.source);
    o.insert(QStringLiteral("description"), info.description);
    o.insert(QStringLiteral("demo"), info.demo);
    o.insert(QStringLiteral("as_of"), formatIsoDay(when->today));
    o.insert(QStringLiteral("earliest_expiry"), dayOrNull(snapshot->earliestExpiry()));
    o.insert(QStringLiteral("expired_contracts"), static_cast<qint64>(expired));
    o.insert(QStringLiteral("stale"), expired > 0);
    o.insert(QStringLiteral("memory_bytes"), static_cast<qint64>(snapshot->memoryBytes()));
    return {Status::Ok, toJson(o)};
}

Reply search(const SnapshotPtr &snapshot, const Params &params, const Clock &clock,
             InstrumentJsonCache &cache)
{
    const auto when = asOf(params, clock);
    if (!when)
        return fromError(when.error());
    const QString *q = params.find("q");
    if (!q || q->trimmed().isEmpty())
        return badRequest(QStringLiteral("give a query: q=NIFTY"));
    if (q->size() > MaxQueryText)
        return badRequest(QStringLiteral("q is longer than %1 characters").arg(MaxQueryText));
    int limit = 20;
    if (const QString *text = params.find("limit")) {
        const auto n = parseSearchLimit(*text, QStringLiteral("limit"));
        if (!n)
            return fromError(n.error());
        limit = *n;
    }
    const std::string text = q->toStdString();
    SearchRequest request;
    request.text = text;
    request.limit = limit;
    request.today = when->today;
    request.includeExpired = when->includeExpired;
    // json::searchResults' shape, {"results": [instrument, ...], "suggestion": ...}, from the
    // cached objects.
    const std::vector<SearchHit> hits = snapshot->search(request);
    QByteArray body = QByteArrayLiteral("{\"results\":[");
    bool first = true;
    for (const SearchHit &hit : hits) {
        if (!first)
            body += ',';
        body += cache.get(snapshot, hit.id);
        first = false;
    }
    body += "],\"suggestion\":";
    const std::optional<std::string> suggestion =
        hits.empty() ? snapshot->suggest(request) : std::nullopt;
    if (suggestion) {
        // A JSON string, escaped by Qt: ["..."] without its brackets.
        const QByteArray quoted = QJsonDocument(QJsonArray{QString::fromStdString(*suggestion)})
                                      .toJson(QJsonDocument::Compact);
        body += QByteArrayView(quoted).sliced(1, quoted.size() - 2);
    } else {
        body += "null";
    }
    body += '}';
    return {Status::Ok, body};
}

// json::chain's shape with the instrument objects from the cache: json::chain itself writes
// everything but the rows (the expiry list, spot, ATM...), and the rows are spliced into its
// "rows":[] -- each {"strike_price", "call", "put"}, a side being the instrument object plus
// "moneyness". tst_apiserver compares the result with json::chain's, field for field.
QByteArray chainJson(const SnapshotPtr &snapshot, const ChainAnswer &answer, EpochDay today,
                     InstrumentJsonCache &cache)
{
    OptionChain outer = answer.chain;
    outer.rows = {};
    QByteArray body = toJson(json::chain(*snapshot, outer, answer.expiries, today));
    static const QByteArray emptyRows = QByteArrayLiteral("\"rows\":[]");
    const qsizetype at = body.indexOf(emptyRows);
    Q_ASSERT(at >= 0);
    QByteArray rows;
    rows.reserve(static_cast<qsizetype>(answer.chain.rows.size()) * 900);
    auto side = [&](InstrumentId id, std::optional<Moneyness> m) {
        if (id == NoId) {
            rows += "null";
            return;
        }
        const QByteArray &object = cache.get(snapshot, id);
        rows += QByteArrayView(object).chopped(1); // without its closing brace
        rows += ",\"moneyness\":";
        if (m) {
            rows += '"';
            rows += QByteArrayView(moneynessName(*m));
            rows += '"';
        } else {
            rows += "null";
        }
        rows += '}';
    };
    bool first = true;
    for (const auto &row : answer.chain.rows) {
        rows += first ? "{\"call\":" : ",{\"call\":";
        first = false;
        side(row.call, answer.chain.callMoneyness(row));
        rows += ",\"put\":";
        side(row.put, answer.chain.putMoneyness(row));
        rows += ",\"strike_price\":";
        rows += Price::fromRaw(row.strike).toQString().toLatin1();
        rows += '}';
    }
    body.insert(at + emptyRows.size() - 1, rows);
    return body;
}

Reply chain(const SnapshotPtr &snapshot, const QString &underlying, const Params &params,
            const Clock &clock, InstrumentJsonCache &cache)
{
    const auto when = asOf(params, clock);
    if (!when)
        return fromError(when.error());
    ChainQuery query;
    query.underlying = underlying.toStdString();
    query.today = when->today;
    query.includeExpired = when->includeExpired;
    if (const QString *text = params.find("expiry")) {
        const auto day = parseDay(*text);
        if (!day)
            return badRequest(QStringLiteral("expiry: ") + day.error().message);
        query.expiry = *day;
    }
    if (const QString *text = params.find("spot")) {
        const auto price = parseSpotPrice(*text, QStringLiteral("spot"));
        if (!price)
            return fromError(price.error());
        query.spot = *price;
    }
    if (const QString *text = params.find("strikes")) {
        const auto n = parseStrikeCount(*text, QStringLiteral("strikes"));
        if (!n)
            return fromError(n.error());
        query.strikesAroundAtm = *n;
    }
    if (const QString *text = params.find("segment")) {
        const auto segment = parseSegmentName(*text);
        if (!segment)
            return fromError(segment.error());
        query.segment = *segment;
    }
    const auto answer = answerChain(*snapshot, query);
    if (!answer)
        return fromError(answer.error());
    return {Status::Ok, chainJson(snapshot, *answer, query.today, cache)};
}

Reply contract(const SnapshotPtr &snapshot, const QString &key, InstrumentJsonCache &cache)
{
    const std::string wanted = key.toStdString();
    const auto id = snapshot->resolve(wanted);
    if (!id)
        return notFound(QStringLiteral("no instrument '%1' in this master").arg(key));
    return {Status::Ok, cache.get(snapshot, *id)};
}

enum class Route { Health, Search, Chain, Contract, Orders, Order, Positions, Funds, Unknown };

struct Target
{
    Route route = Route::Unknown;
    QString argument; // the underlying or the instrument key, decoded
};

// /api/v1/health, /api/v1/instruments/search, /api/v1/instruments/chain/{underlying},
// /api/v1/instruments/{key}, and the order routes (OrderRoutes.h): /api/v1/orders[/{id}],
// /api/v1/positions, /api/v1/funds. The path is split while still percent-encoded, so an encoded
// '/' stays inside its segment.
Target target(const QUrl &url)
{
    const QString path = url.path(QUrl::FullyEncoded);
    const QStringView rest = QStringView(path);
    const QLatin1String prefix("/api/v1/");
    if (!rest.startsWith(prefix))
        return {};
    const QList<QStringView> parts = rest.mid(prefix.size()).split(QLatin1Char('/'));
    auto decoded = [](QStringView s) { return QUrl::fromPercentEncoding(s.toUtf8()); };
    if (parts.size() == 1 && parts[0] == QLatin1String("health"))
        return {Route::Health, {}};
    if (parts.size() == 1 && parts[0] == QLatin1String("positions"))
        return {Route::Positions, {}};
    if (parts.size() == 1 && parts[0] == QLatin1String("funds"))
        return {Route::Funds, {}};
    if (parts[0] == QLatin1String("orders")) {
        if (parts.size() == 1)
            return {Route::Orders, {}};
        if (parts.size() == 2 && !parts[1].isEmpty())
            return {Route::Order, decoded(parts[1])};
        return {};
    }
    if (parts.size() < 2 || parts[0] != QLatin1String("instruments"))
        return {};
    if (parts.size() == 2 && parts[1] == QLatin1String("search"))
        return {Route::Search, {}};
    if (parts.size() == 3 && parts[1] == QLatin1String("chain") && !parts[2].isEmpty())
        return {Route::Chain, decoded(parts[2])};
    if (parts.size() == 2 && !parts[1].isEmpty() && parts[1] != QLatin1String("chain"))
        return {Route::Contract, decoded(parts[1])};
    return {};
}

Reply answer(const InstrumentRepository &repository, const Clock &clock, const Target &t,
             const QUrl &url, InstrumentJsonCache &cache)
{
    auto parse = [&url](std::initializer_list<const char *> allowed) {
        return Params::parse(url, allowed);
    };
    if (t.route == Route::Health) {
        const auto params = parse({"at"});
        return params ? health(repository, *params, clock) : fromError(params.error());
    }
    if (!repository.isLoaded())
        return error(Status::ServiceUnavailable, "loading",
                     QStringLiteral("the instruments are not loaded yet"));
    const SnapshotPtr snapshot = repository.snapshot(); // one snapshot for the whole request
    switch (t.route) {
    case Route::Search: {
        const auto params = parse({"q", "limit", "at", "include_expired"});
        return params ? search(snapshot, *params, clock, cache) : fromError(params.error());
    }
    case Route::Chain: {
        const auto params =
            parse({"expiry", "spot", "strikes", "segment", "at", "include_expired"});
        return params ? chain(snapshot, t.argument, *params, clock, cache)
                      : fromError(params.error());
    }
    case Route::Contract: {
        const auto params = parse({});
        return params ? contract(snapshot, t.argument, cache) : fromError(params.error());
    }
    default:
        break;
    }
    return notFound(QStringLiteral("no such endpoint"));
}

std::optional<QByteArray> bearerToken(const QHttpServerRequest &request)
{
    const QByteArray header = request.value(QByteArrayLiteral("Authorization")).trimmed();
    const qsizetype space = header.indexOf(' ');
    if (space <= 0 || header.left(space).toLower() != "bearer")
        return std::nullopt;
    return header.mid(space + 1).trimmed();
}

enum class HttpVersion { Unknown, Http10, Http11 };

// "GET /x HTTP/1.0" -> Http10. The request line's last word; anything else is Unknown.
HttpVersion versionOf(QByteArray line)
{
    line = line.trimmed();
    const QByteArray version = line.mid(line.lastIndexOf(' ') + 1);
    if (version == "HTTP/1.0")
        return HttpVersion::Http10;
    if (version == "HTTP/1.1")
        return HttpVersion::Http11;
    return HttpVersion::Unknown;
}

// RFC 9112 section 9.3: a "close" option ends the connection after this response; HTTP/1.1
// (and a version we did not see) persists by default, HTTP/1.0 only when it asks for
// "keep-alive". Header names and options are case-insensitive; Connection may be repeated.
bool keepsAlive(const QHttpServerRequest &request, HttpVersion version)
{
    bool close = false;
    bool keepAlive = false;
    for (const auto &[name, value] : request.headers()) {
        if (name.compare("Connection", Qt::CaseInsensitive) != 0)
            continue;
        for (const QByteArray &option : value.split(',')) {
            const QByteArray o = option.trimmed().toLower();
            close = close || o == "close";
            keepAlive = keepAlive || o == "keep-alive";
        }
    }
    if (close)
        return false;
    return version != HttpVersion::Http10 || keepAlive;
}

class GuardedTcpServer;

// A connection that counts the bytes of the request being received (the budget is reset when
// a request has been answered), drops requests that are too large or stall half-way, notes the
// HTTP version of each request line, and closes itself after idling too long. Qt 6.4's HTTP
// server does none of this: an idle keep-alive connection would stay open for ever.
class GuardedSocket final : public QTcpSocket
{
public:
    GuardedSocket(GuardedTcpServer &server, std::chrono::milliseconds idleTimeout);

    // The request received has been answered: the next byte starts a new one, and until it
    // comes the connection idles.
    void requestAnswered();
    // The request is complete and its answer comes later (an order route): the connection
    // waits for it, up to AnswerTimeoutMs, instead of timing out as a stalled request.
    void awaitingAnswer() { m_deadline.start(AnswerTimeoutMs); }
    // The response just written was the last (Connection: close, HTTP/1.0): it is flushed,
    // then the connection closes; nothing more is read.
    void closeAfterResponse();
    // The version on the request line of the request being answered.
    HttpVersion requestVersion() const { return m_version; }
    // No request in progress: new, answered and kept alive, or on its way out.
    bool idle() const { return m_rejected || m_closing || m_requestBytes == 0; }
    // When it became idle, or when its request started: the server evicts the smallest first.
    quint64 since() const { return m_since; }

private:
    void becomeIdle();
    void onReadyRead();
    void noteRequestLine(qint64 available);
    void reject();

    GuardedTcpServer &m_server;
    std::chrono::milliseconds m_idleTimeout;
    QTimer m_deadline; // idle timeout, or the stall timeout while a request is arriving
    qint64 m_requestBytes = 0;
    quint64 m_since = 0;
    QByteArray m_line; // the request line so far (its tail: only the version is wanted)
    bool m_lineDone = false;
    HttpVersion m_version = HttpVersion::Unknown;
    bool m_rejected = false;
    bool m_closing = false;
};

// Hands Qt's HTTP server GuardedSockets, and keeps at most `maxConnections` open: a newcomer
// beyond that closes the connection idle the longest (else the one whose request started
// first), so no number of idle or dribbling clients can lock a new one out.
class GuardedTcpServer final : public QTcpServer
{
public:
    GuardedTcpServer(int maxConnections, std::chrono::milliseconds idleTimeout)
        : m_maxConnections(maxConnections)
        , m_idleTimeout(idleTimeout)
    {}

    // A counter, not a clock: the eviction order is exact even for sockets opened within
    // the same microsecond.
    quint64 tick() { return ++m_ticks; }

protected:
    void incomingConnection(qintptr descriptor) override
    {
        auto *socket = new GuardedSocket(*this, m_idleTimeout);
        if (!socket->setSocketDescriptor(descriptor)) {
            delete socket;
            ::close(static_cast<int>(descriptor));
            return;
        }
        while (static_cast<int>(m_sockets.size()) >= m_maxConnections)
            evictOne();
        m_sockets.push_back(socket);
        QObject::connect(socket, &QAbstractSocket::disconnected, this,
                         [this, socket] { forget(socket); });
        QObject::connect(socket, &QObject::destroyed, this, [this, socket] { forget(socket); });
        addPendingConnection(socket);
    }

private:
    void evictOne()
    {
        GuardedSocket *victim = nullptr;
        for (GuardedSocket *s : m_sockets) {
            if (!victim ||
                std::pair(!s->idle(), s->since()) < std::pair(!victim->idle(), victim->since()))
                victim = s;
        }
        if (victim->idle()) {
            spdlog::debug("API server: {} connections open, closing the one idle longest",
                          m_sockets.size());
        } else {
            spdlog::warn("API server: {} connections open and none idle, closing the oldest "
                         "unfinished request",
                         m_sockets.size());
        }
        forget(victim);
        victim->abort(); // Qt's HTTP server deletes it on `disconnected`
    }

    void forget(GuardedSocket *socket) { std::erase(m_sockets, socket); }

    const int m_maxConnections;
    const std::chrono::milliseconds m_idleTimeout;
    std::vector<GuardedSocket *> m_sockets; // open ones, children of this server
    quint64 m_ticks = 0;
};

GuardedSocket::GuardedSocket(GuardedTcpServer &server, std::chrono::milliseconds idleTimeout)
    : QTcpSocket(&server)
    , m_server(server)
    , m_idleTimeout(idleTimeout)
{
    m_deadline.setSingleShot(true);
    QObject::connect(&m_deadline, &QTimer::timeout, this, [this] { abort(); });
    // Connected before Qt's HTTP server connects its parser, so this runs first and sees
    // only the bytes that arrived since the parser's last read.
    QObject::connect(this, &QTcpSocket::readyRead, this, [this] { onReadyRead(); });
    becomeIdle();
}

void GuardedSocket::requestAnswered()
{
    becomeIdle();
}

void GuardedSocket::closeAfterResponse()
{
    m_closing = true;
    // Flushes the response first; a client that never reads it is cut off by the idle
    // deadline, which keeps running.
    disconnectFromHost();
}

void GuardedSocket::becomeIdle()
{
    m_requestBytes = 0;
    m_since = m_server.tick();
    m_deadline.start(m_idleTimeout);
}

void GuardedSocket::onReadyRead()
{
    if (m_rejected)
        return;
    const qint64 available = bytesAvailable();
    if (m_closing) {
        // After the last response nothing is answered (RFC 9112 section 9.6): the parser,
        // which runs next, gets nothing.
        skip(available);
        return;
    }
    if (available <= 0)
        return;
    if (m_requestBytes == 0) { // a new request starts
        m_since = m_server.tick();
        m_line.clear();
        m_lineDone = false;
    }
    noteRequestLine(available);
    m_requestBytes += available;
    if (m_requestBytes > MaxRequestBytes) {
        reject();
        return;
    }
    m_deadline.start(StalledRequestMs);
}

void GuardedSocket::noteRequestLine(qint64 available)
{
    if (m_lineDone)
        return;
    const QByteArray bytes = peek(available);
    qsizetype from = 0;
    // Empty lines before a request line are ignored (RFC 9112 section 2.2).
    while (m_line.isEmpty() && from < bytes.size() && (bytes[from] == '\r' || bytes[from] == '\n'))
        ++from;
    const qsizetype end = bytes.indexOf('\n', from);
    m_line += bytes.mid(from, end < 0 ? -1 : end - from);
    if (m_line.size() > RequestLineTail)
        m_line = m_line.right(RequestLineTail);
    if (end >= 0) {
        m_lineDone = true;
        m_version = versionOf(m_line);
    }
}

void GuardedSocket::reject()
{
    m_rejected = true;
    m_deadline.stop();
    // Qt's parser must not see this request: cutting its connection here also skips it
    // for the current signal emission.
    QObject::disconnect(this, &QTcpSocket::readyRead, nullptr, nullptr);
    QObject::connect(this, &QTcpSocket::readyRead, this, [this] { skip(bytesAvailable()); });
    if (isTransactionStarted())
        commitTransaction();
    readAll();
    const QByteArray body = toJson(
        QJsonObject{{QStringLiteral("error"), QStringLiteral("too_large")},
                    {QStringLiteral("status"), 413},
                    {QStringLiteral("message"),
                     QStringLiteral("the request is larger than %1 bytes").arg(MaxRequestBytes)}});
    write("HTTP/1.1 413 Payload Too Large\r\nContent-Type: application/json\r\n"
          "Connection: close\r\nContent-Length: " +
          QByteArray::number(body.size()) + "\r\n\r\n" + body);
    disconnectFromHost();
}

// Where a response goes: the connection and what its request asked for (keep-alive, HEAD).
struct ResponseTarget
{
    QPointer<QTcpSocket> socket; // a deferred answer finds it gone when the client left
    QPointer<GuardedSocket> guarded;
    bool keepAlive = true;
    HttpVersion version = HttpVersion::Unknown;
    bool head = false;
};

QByteArray reasonPhrase(Status status)
{
    switch (status) {
    case Status::Ok:
        return QByteArrayLiteral("OK");
    case Status::Created:
        return QByteArrayLiteral("Created");
    case Status::Accepted:
        return QByteArrayLiteral("Accepted");
    case Status::BadRequest:
        return QByteArrayLiteral("Bad Request");
    case Status::Unauthorized:
        return QByteArrayLiteral("Unauthorized");
    case Status::Forbidden:
        return QByteArrayLiteral("Forbidden");
    case Status::NotFound:
        return QByteArrayLiteral("Not Found");
    case Status::MethodNotAllowed:
        return QByteArrayLiteral("Method Not Allowed");
    case Status::Conflict:
        return QByteArrayLiteral("Conflict");
    case Status::UnprocessableEntity:
        return QByteArrayLiteral("Unprocessable Entity");
    case Status::InternalServerError:
        return QByteArrayLiteral("Internal Server Error");
    case Status::BadGateway:
        return QByteArrayLiteral("Bad Gateway");
    case Status::ServiceUnavailable:
        return QByteArrayLiteral("Service Unavailable");
    default:
        return QByteArrayLiteral("Status");
    }
}

// Writes one response, now or (an order route) once its answer came. One writer for both, so
// a deferred answer keeps the connection's rules (keep-alive, close, idle timeout) exactly.
void writeResponse(const ResponseTarget &to, Reply reply,
                   std::initializer_list<std::pair<const char *, QByteArray>> extra = {})
{
    if (!to.socket)
        return; // the client went away before its answer
    if (to.guarded)
        to.guarded->requestAnswered();
    if (to.head) // HEAD gets the headers only: a body would be read as the next response
        reply.body.clear();
    QByteArray out;
    out.reserve(reply.body.size() + 256);
    out += "HTTP/1.1 " + QByteArray::number(static_cast<int>(reply.status)) + ' ' +
           reasonPhrase(reply.status) + "\r\n";
    out += "Content-Type: application/json\r\nCache-Control: no-store\r\n";
    for (const auto &[name, value] : extra)
        out += QByteArray(name) + ": " + value + "\r\n";
    if (!reply.allow.isEmpty())
        out += "Allow: " + reply.allow + "\r\n";
    if (!to.keepAlive)
        out += "Connection: close\r\n";
    else if (to.version == HttpVersion::Http10)
        out += "Connection: keep-alive\r\n";
    out += "Content-Length: " + QByteArray::number(reply.body.size()) + "\r\n\r\n";
    out += reply.body;
    to.socket->write(out);
    if (!to.keepAlive) {
        if (to.guarded)
            to.guarded->closeAfterResponse();
        else
            to.socket->disconnectFromHost();
    }
}

detail::TradingRoute tradingRoute(Route route)
{
    switch (route) {
    case Route::Orders:
        return detail::TradingRoute::Orders;
    case Route::Order:
        return detail::TradingRoute::Order;
    case Route::Positions:
        return detail::TradingRoute::Positions;
    default:
        return detail::TradingRoute::Funds;
    }
}

bool isTrading(Route route)
{
    return route == Route::Orders || route == Route::Order || route == Route::Positions ||
           route == Route::Funds;
}

} // namespace

// Qt's HTTP server (parsing, keep-alive); the routing and the responses are ours: a few fixed
// paths do not need QHttpServer's regular-expression router, handling every request here gives
// one place for authentication, 404 and 405, and an order route is answered later (the order
// service's callback) on the same connection.
class ApiServer::HttpServer final : public QAbstractHttpServer
{
public:
    explicit HttpServer(ApiServer &owner)
        : QAbstractHttpServer(&owner)
        , m_owner(owner)
        , m_mailbox(std::make_shared<detail::Mailbox>(this))
    {}
    ~HttpServer() override { m_mailbox->close(); }

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override
    {
        auto *guarded = dynamic_cast<GuardedSocket *>(socket);
        ResponseTarget to;
        to.socket = socket;
        to.guarded = guarded;
        to.version = guarded ? guarded->requestVersion() : HttpVersion::Unknown;
        to.keepAlive = keepsAlive(request, to.version);
        to.head = request.method() == QHttpServerRequest::Method::Head;
        const auto token = bearerToken(request);
        if (!token || !tokensEqual(m_owner.m_config.token, *token)) {
            writeResponse(to,
                          error(Status::Unauthorized, "unauthorized",
                                token ? QStringLiteral("wrong token")
                                      : QStringLiteral("send 'Authorization: Bearer <token>'; "
                                                       "the token is in the file api-token of "
                                                       "the terminal's configuration folder")),
                          {{"WWW-Authenticate", QByteArrayLiteral("Bearer realm=\"strikeline\"")}});
            return true;
        }
        const Target t = target(request.url());
        if (t.route == Route::Unknown) {
            writeResponse(to, notFound(QStringLiteral("no such endpoint: %1")
                                           .arg(request.url().path(QUrl::FullyEncoded))));
        } else if (isTrading(t.route)) {
            // Answered later, on this connection. A client that pipelines (sends the next
            // request before this answer) could see a later instant answer first; curl, Python's
            // requests and browsers do not pipeline.
            if (guarded)
                guarded->awaitingAnswer();
            detail::handleTrading(m_owner.m_trading, m_owner.m_repository, tradingRoute(t.route),
                                  t.argument, request.method(), request.body(), request.url(), this,
                                  m_mailbox,
                                  [to](Reply reply) { writeResponse(to, std::move(reply)); });
        } else if (request.method() != QHttpServerRequest::Method::Get) {
            Reply reply = error(Status::MethodNotAllowed, "method_not_allowed",
                                QStringLiteral("only GET is served here"));
            reply.allow = QByteArrayLiteral("GET");
            writeResponse(to, reply);
        } else {
            writeResponse(to,
                          answer(m_owner.m_repository, m_owner.m_clock, t, request.url(), m_cache));
        }
        return true;
    }

    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override
    {
        // handleRequest answers everything; this is only here because the base requires it.
        makeResponder(request, socket)
            .write(error(Status::NotFound, "not_found", QStringLiteral("no such endpoint")).body,
                   QByteArrayLiteral("application/json"), Status::NotFound);
    }

private:
    ApiServer &m_owner;
    InstrumentJsonCache m_cache;
    std::shared_ptr<detail::Mailbox> m_mailbox;
};

ApiServer::ApiServer(InstrumentRepository &repository, const Clock &clock, ApiServerConfig config,
                     QObject *parent)
    : QObject(parent)
    , m_repository(repository)
    , m_clock(clock)
    , m_config(std::move(config))
{}

ApiServer::~ApiServer()
{
    close();
}

Result<quint16> ApiServer::listen()
{
    if (m_http)
        return Error::make(ErrorCode::Conflict, QStringLiteral("the API server is already "
                                                               "listening on port %1")
                                                    .arg(m_port));
    if (m_config.token.isEmpty())
        return Error::make(ErrorCode::InvalidArgument,
                           QStringLiteral("the API server needs a token"));
    if (!m_config.address.isLoopback() && !m_config.allowNonLoopback) {
        return Error::make(ErrorCode::InvalidArgument,
                           QStringLiteral("%1 is not a loopback address: serving the API to the "
                                          "network has to be allowed explicitly")
                               .arg(m_config.address.toString()));
    }
    if (m_config.idleTimeout <= std::chrono::milliseconds::zero() || m_config.maxConnections < 1)
        return Error::make(ErrorCode::InvalidArgument,
                           QStringLiteral("the API server needs a positive idle timeout and "
                                          "connection limit"));
    auto *tcp = new GuardedTcpServer(m_config.maxConnections, m_config.idleTimeout);
    if (!tcp->listen(m_config.address, m_config.port)) {
        const QString reason = tcp->errorString();
        delete tcp;
        return Error::make(ErrorCode::Network, QStringLiteral("cannot listen on %1 port %2: %3")
                                                   .arg(m_config.address.toString())
                                                   .arg(m_config.port)
                                                   .arg(reason));
    }
    m_http = new HttpServer(*this);
    tcp->setParent(m_http);
    m_http->bind(tcp);
    m_port = tcp->serverPort();
    spdlog::info("API server listening on {}:{}", m_config.address.toString().toStdString(),
                 m_port);
    return m_port;
}

void ApiServer::setTrading(ApiTrading trading)
{
    m_trading = std::move(trading);
}

void ApiServer::close()
{
    // Deleting the HTTP server deletes its TCP server (a child) and its open sockets.
    delete m_http;
    m_http = nullptr;
    m_port = 0;
}

bool ApiServer::isListening() const
{
    return m_http != nullptr;
}

quint16 ApiServer::port() const
{
    return m_port;
}

} // namespace strikeline::api
