#include "OrderStore.h"

#include <QSqlError>
#include <QStringList>

#include <cstdlib>
#include <functional>
#include <libpq-fe.h>
#include <map>
#include <sqlite3.h>
#include <unordered_set>

namespace strikeline {

namespace {

QString qs(std::string_view s)
{
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

QVariant text(const std::string &s)
{
    return QString::fromStdString(s);
}

QVariant nullableText(const std::string &s)
{
    return s.empty() ? QVariant(QMetaType(QMetaType::QString)) : text(s);
}

QVariant i64(std::int64_t v)
{
    return QVariant::fromValue(static_cast<qlonglong>(v));
}

// Rows per multi-row statement. PostgreSQL: one round trip per chunk. SQLite: no round trips,
// but its parser's cost grows with the square of the placeholders, so small chunks.
std::size_t chunkRowsFor(const Database &db)
{
    return db.backend() == DatabaseBackend::Postgres ? 100 : 16;
}

QString rowsOf(const QString &row, std::size_t count);

// One multi-row statement, prepared once per chunk size and reused for every chunk of a batch
// (a batch has at most two sizes: full chunks and the remainder). It runs on the driver's
// native handle (sqlite3 / libpq), as the instrument store's bulk paths do: Qt SQL's per-value
// binding cost more than the database itself (measured in PERFORMANCE.md).
class ChunkedStatement
{
public:
    ChunkedStatement(Database &db, QString head, QString row, QString tail, int columns)
        : m_db(db)
        , m_head(std::move(head))
        , m_row(std::move(row))
        , m_tail(std::move(tail))
        , m_columns(static_cast<std::size_t>(columns))
        , m_chunkRows(chunkRowsFor(db))
    {}
    ~ChunkedStatement()
    {
        if (m_sqlite)
            sqlite3_finalize(m_sqlite);
    }
    ChunkedStatement(const ChunkedStatement &) = delete;
    ChunkedStatement &operator=(const ChunkedStatement &) = delete;

    // `onReturned` receives the first column of every row the statement returns.
    Result<void> run(const QVariantList &values,
                     const std::function<void(std::int64_t)> &onReturned = {})
    {
        const std::size_t rows = static_cast<std::size_t>(values.size()) / m_columns;
        for (std::size_t from = 0; from < rows; from += m_chunkRows) {
            const std::size_t n = std::min(m_chunkRows, rows - from);
            const qsizetype first = static_cast<qsizetype>(from * m_columns);
            const qsizetype count = static_cast<qsizetype>(n * m_columns);
            auto r = m_db.backend() == DatabaseBackend::Postgres
                         ? runPostgres(n, values, first, count, onReturned)
                         : runSqlite(n, values, first, count, onReturned);
            if (!r)
                return r;
        }
        return success();
    }

private:
    QByteArray sqlFor(std::size_t rows, bool numbered) const
    {
        QByteArray sql = (m_head + rowsOf(m_row, rows) + m_tail).toUtf8();
        if (!numbered)
            return sql;
        QByteArray out; // ? -> $1, $2 ... (the statements hold no other '?')
        out.reserve(sql.size() * 2);
        int n = 0;
        for (const char c : sql) {
            if (c == '?')
                out += '$' + QByteArray::number(++n);
            else
                out += c;
        }
        return out;
    }

    Error failure(const char *message) const
    {
        return Error::make(ErrorCode::Database, QStringLiteral("query failed (%1): %2")
                                                    .arg(m_head.left(40).simplified(),
                                                         QString::fromUtf8(message).trimmed()));
    }

    Result<void> runSqlite(std::size_t rows, const QVariantList &values, qsizetype first,
                           qsizetype count, const std::function<void(std::int64_t)> &onReturned)
    {
        sqlite3 *h = m_db.sqliteHandle();
        if (!h)
            return Error::make(ErrorCode::Internal, QStringLiteral("no native SQLite handle"));
        if (rows != m_preparedRows) {
            if (m_sqlite)
                sqlite3_finalize(m_sqlite);
            m_sqlite = nullptr;
            m_preparedRows = 0;
            const QByteArray sql = sqlFor(rows, false);
            if (sqlite3_prepare_v2(h, sql.constData(), -1, &m_sqlite, nullptr) != SQLITE_OK)
                return failure(sqlite3_errmsg(h));
            m_preparedRows = rows;
        }
        sqlite3_reset(m_sqlite);
        for (qsizetype i = 0; i < count; ++i) {
            const QVariant &v = values[first + i];
            const int index = static_cast<int>(i) + 1;
            int rc = SQLITE_OK;
            if (v.isNull()) {
                rc = sqlite3_bind_null(m_sqlite, index);
            } else if (v.typeId() == QMetaType::QString) {
                const QByteArray text = v.toString().toUtf8();
                rc = sqlite3_bind_text(m_sqlite, index, text.constData(), int(text.size()),
                                       SQLITE_TRANSIENT);
            } else {
                rc = sqlite3_bind_int64(m_sqlite, index, v.toLongLong());
            }
            if (rc != SQLITE_OK)
                return failure(sqlite3_errmsg(h));
        }
        for (;;) {
            const int rc = sqlite3_step(m_sqlite);
            if (rc == SQLITE_DONE)
                break;
            if (rc != SQLITE_ROW) {
                const Error e = failure(sqlite3_errmsg(h));
                sqlite3_reset(m_sqlite);
                return e;
            }
            if (onReturned)
                onReturned(sqlite3_column_int64(m_sqlite, 0));
        }
        return success();
    }

    Result<void> runPostgres(std::size_t rows, const QVariantList &values, qsizetype first,
                             qsizetype count, const std::function<void(std::int64_t)> &onReturned)
    {
        pg_conn *conn = m_db.postgresHandle();
        if (!conn)
            return Error::make(ErrorCode::Internal, QStringLiteral("no native PostgreSQL handle"));
        if (rows != m_preparedRows) {
            m_preparedRows = 0;
            const QByteArray sql = sqlFor(rows, true);
            // The unnamed statement: replaced by the next prepare, never leaked.
            PGresult *res = PQprepare(conn, "", sql.constData(), int(count), nullptr);
            const bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
            PQclear(res);
            if (!ok)
                return failure(PQerrorMessage(conn));
            m_preparedRows = rows;
        }
        std::vector<QByteArray> text(static_cast<std::size_t>(count));
        std::vector<const char *> params(static_cast<std::size_t>(count), nullptr);
        for (qsizetype i = 0; i < count; ++i) {
            const QVariant &v = values[first + i];
            if (v.isNull())
                continue;
            const auto k = static_cast<std::size_t>(i);
            text[k] = v.typeId() == QMetaType::QString ? v.toString().toUtf8()
                                                       : QByteArray::number(v.toLongLong());
            params[k] = text[k].constData();
        }
        PGresult *res = PQexecPrepared(conn, "", int(count), params.data(), nullptr, nullptr, 0);
        const ExecStatusType status = PQresultStatus(res);
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
            const Error e = failure(PQresultErrorMessage(res));
            PQclear(res);
            return e;
        }
        if (onReturned)
            for (int r = 0; r < PQntuples(res); ++r)
                onReturned(std::strtoll(PQgetvalue(res, r, 0), nullptr, 10));
        PQclear(res);
        return success();
    }

    Database &m_db;
    const QString m_head, m_row, m_tail;
    const std::size_t m_columns;
    const std::size_t m_chunkRows;
    sqlite3_stmt *m_sqlite = nullptr;
    std::size_t m_preparedRows = 0;
};

QString rowsOf(const QString &row, std::size_t count)
{
    QStringList rows;
    rows.reserve(static_cast<qsizetype>(count));
    for (std::size_t i = 0; i < count; ++i)
        rows << row;
    return rows.join(QLatin1Char(','));
}

// Stored events a batch met again: each must be the same event (a replay), byte for byte. The
// same (journal, sequence) with other content is a journal that lost its tail or a copied
// journal file: an error, never a silent skip.
Result<void> checkReplayed(Database &db, const std::vector<const OrderEvent *> &replayed)
{
    std::map<QString, std::vector<const OrderEvent *>> byJournal;
    for (const OrderEvent *e : replayed)
        byJournal[e->journalId].push_back(e);
    for (const auto &[journalId, events] : byJournal) {
        std::uint64_t from = events.front()->sequence;
        std::uint64_t to = from;
        for (const OrderEvent *e : events) {
            from = std::min(from, e->sequence);
            to = std::max(to, e->sequence);
        }
        auto q = db.query(QStringLiteral("SELECT journal_sequence, payload FROM order_events "
                                         "WHERE journal_id = ? AND journal_sequence >= ? AND "
                                         "journal_sequence <= ?"),
                          {journalId, static_cast<qlonglong>(from), static_cast<qlonglong>(to)});
        if (!q)
            return q.error();
        std::map<std::uint64_t, QString> stored;
        while (q->next())
            stored.emplace(static_cast<std::uint64_t>(q->value(0).toLongLong()),
                           q->value(1).toString());
        for (const OrderEvent *e : events) {
            const auto it = stored.find(e->sequence);
            const QString payload =
                QString::fromUtf8(e->journalPayload.isEmpty() ? e->encode() : e->journalPayload);
            if (it != stored.end() && it->second == payload)
                continue;
            return Error::make(
                ErrorCode::Conflict,
                QStringLiteral("event %1 of journal %2 (order %3) is already stored with other "
                               "content: two journals share an id (a copied journal file) or a "
                               "journal lost records the database has; nothing of this batch "
                               "was stored")
                    .arg(e->sequence)
                    .arg(journalId.isEmpty() ? QStringLiteral("(without id)") : journalId,
                         qs(e->clientOrderId)));
        }
    }
    return success();
}

Result<StoreBatchResult> applyInTransaction(Database &db, const std::vector<OrderEvent> &events)
{
    StoreBatchResult result;
    // The statements report new events by sequence: within one batch a sequence names one event
    // (a service's journals are one per day, and sequences carry the day).
    {
        std::unordered_set<std::uint64_t> seen;
        for (const OrderEvent &e : events)
            if (!seen.insert(e.sequence).second)
                return Error::make(ErrorCode::Internal,
                                   QStringLiteral("journal sequence %1 appears twice in one batch")
                                       .arg(e.sequence));
    }
    // 1. The events. RETURNING names the ones that were not stored yet.
    std::unordered_set<std::uint64_t> fresh;
    {
        QVariantList values;
        values.reserve(static_cast<qsizetype>(events.size() * 7));
        for (const OrderEvent &e : events)
            values << e.journalId << i64(static_cast<std::int64_t>(e.sequence))
                   << text(e.clientOrderId) << qs(orderEventKindName(e.kind))
                   << qs(orderStatusName(e.statusAfter))
                   << QString::fromUtf8(e.journalPayload.isEmpty() ? e.encode() : e.journalPayload)
                   << i64(e.timeMs);
        ChunkedStatement insert(db,
                                QStringLiteral("INSERT INTO order_events (journal_id, "
                                               "journal_sequence, client_order_id, kind, "
                                               "status_after, payload, event_time_ms) VALUES "),
                                QStringLiteral("(?,?,?,?,?,?,?)"),
                                QStringLiteral(" ON CONFLICT (journal_id, journal_sequence) DO "
                                               "NOTHING RETURNING journal_sequence"),
                                7);
        auto r = insert.run(values, [&fresh](std::int64_t sequence) {
            fresh.insert(static_cast<std::uint64_t>(sequence));
        });
        if (!r)
            return r.error();
    }
    result.eventsWritten = fresh.size();
    result.eventsSkipped = events.size() - fresh.size();
    {
        std::vector<const OrderEvent *> replayed;
        for (const OrderEvent &e : events)
            if (!fresh.contains(e.sequence))
                replayed.push_back(&e);
        if (!replayed.empty())
            if (auto c = checkReplayed(db, replayed); !c)
                return c.error();
    }
    if (fresh.empty())
        return result;

    // 2. New orders, as they were created. An order is (journal id, client order id): the same
    // id in another journal (another day's, another terminal's) is another order.
    std::vector<const OrderEvent *> created;
    // Per order: the newest fresh event, and the newest one carrying broker ids / a reason
    // (a fill after the acknowledgement in the same batch must not lose the ids).
    struct Latest
    {
        const OrderEvent *event = nullptr;
        const OrderEvent *broker = nullptr;
        const OrderEvent *reason = nullptr;
        const OrderEvent *status = nullptr;   // the newest with the broker's status string
        const OrderEvent *modified = nullptr; // the newest confirmed modification: the terms
    };
    std::map<std::pair<QString, std::string>, Latest> latest;
    for (const OrderEvent &e : events) { // in sequence order
        if (!fresh.contains(e.sequence))
            continue;
        if (e.kind == OrderEventKind::Created)
            created.push_back(&e);
        Latest &l = latest[{e.journalId, e.clientOrderId}];
        l.event = &e;
        if (!e.brokerOrderIds.empty())
            l.broker = &e;
        if (!e.reason.empty())
            l.reason = &e;
        if (!e.brokerStatus.empty())
            l.status = &e;
        if (e.kind == OrderEventKind::Modified)
            l.modified = &e;
    }
    if (!created.empty()) {
        QVariantList values;
        values.reserve(static_cast<qsizetype>(created.size() * 26));
        for (const OrderEvent *event : created) {
            const OrderEvent &e = *event;
            const ContractIdentity &c = e.contract;
            const OrderRequest &r = e.request;
            values << e.journalId << text(e.clientOrderId) << nullableText(e.parentClientOrderId)
                   << e.sliceIndex << e.sliceCount << text(c.instrumentKey) << text(c.tradingSymbol)
                   << text(c.segment) << text(c.optionType)
                   << (c.expiry == NoDay ? QVariant(QMetaType(QMetaType::QString))
                                         : QVariant(formatIsoDay(c.expiry)))
                   << i64(c.strike.raw()) << c.lotSize << i64(c.tickSize.raw())
                   << qs(sideName(r.side)) << qs(orderTypeName(r.type))
                   << qs(productName(r.product)) << qs(validityName(r.validity)) << i64(r.quantity)
                   << i64(r.price.raw()) << i64(r.trigger.raw())
                   << qs(orderStatusName(e.statusAfter)) << i64(e.timeMs) << i64(e.timeMs)
                   << i64(static_cast<std::int64_t>(e.sequence)) << qs(venueName(e.venue))
                   << e.external;
        }
        // No ON CONFLICT: a second `created` for one order of one journal is a bug upstream,
        // and failing the batch says so instead of moving the first order's row.
        ChunkedStatement insert(
            db,
            QStringLiteral("INSERT INTO orders (journal_id, client_order_id, "
                           "parent_client_order_id, slice_index, slice_count, instrument_key, "
                           "trading_symbol, segment, option_type, expiry, strike_raw, lot_size, "
                           "tick_raw, side, order_type, product, validity, quantity, price_raw, "
                           "trigger_raw, status, created_at_ms, updated_at_ms, last_sequence, "
                           "venue, external) VALUES "),
            QStringLiteral("(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"), QString(), 26);
        if (auto r = insert.run(values); !r)
            return r.error();
    }

    // 3. Every touched order moves to its newest state (never backwards).
    QVariantList values;
    for (const auto &[id, l] : latest) {
        if (l.event->kind == OrderEventKind::Created)
            continue;
        const OrderEvent &e = *l.event;
        QStringList broker;
        if (l.broker)
            for (const std::string &b : l.broker->brokerOrderIds)
                broker << QString::fromStdString(b);
        values << e.journalId << text(e.clientOrderId) << i64(static_cast<std::int64_t>(e.sequence))
               << qs(orderStatusName(e.statusAfter)) << i64(e.filledQuantity)
               << i64(e.averagePrice.raw()) << broker.join(QLatin1Char(','))
               << (l.reason ? text(l.reason->reason) : QVariant(QString())) << i64(e.timeMs)
               << (l.status ? text(l.status->brokerStatus) : QVariant(QString()))
               << (l.modified ? qs(orderTypeName(l.modified->request.type)) : QVariant(QString()))
               << (l.modified ? i64(l.modified->request.quantity) : i64(0))
               << (l.modified ? i64(l.modified->request.price.raw()) : i64(0))
               << (l.modified ? i64(l.modified->request.trigger.raw()) : i64(0));
    }
    ChunkedStatement update(
        db,
        QStringLiteral("WITH v (journal, id, seq, status, filled, average, broker, reason, t, "
                       "bstatus, mtype, mqty, mprice, mtrigger) AS (VALUES "),
        QStringLiteral("(CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS TEXT), "
                       "CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT), "
                       "CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT), "
                       "CAST(? AS BIGINT), CAST(? AS BIGINT))"),
        // A confirmed modification (mtype set) carries the order's new terms.
        QStringLiteral(") UPDATE orders SET status = v.status, filled_quantity = v.filled, "
                       "average_price_raw = v.average, broker_order_ids = "
                       "COALESCE(NULLIF(v.broker, ''), orders.broker_order_ids), reject_reason = "
                       "COALESCE(NULLIF(v.reason, ''), orders.reject_reason), broker_status = "
                       "COALESCE(NULLIF(v.bstatus, ''), orders.broker_status), order_type = "
                       "COALESCE(NULLIF(v.mtype, ''), orders.order_type), quantity = CASE WHEN "
                       "v.mtype = '' THEN orders.quantity ELSE v.mqty END, price_raw = CASE WHEN "
                       "v.mtype = '' THEN orders.price_raw ELSE v.mprice END, trigger_raw = CASE "
                       "WHEN v.mtype = '' THEN orders.trigger_raw ELSE v.mtrigger END, "
                       "updated_at_ms = v.t, last_sequence = v.seq FROM v WHERE orders.journal_id "
                       "= v.journal AND orders.client_order_id = v.id AND orders.last_sequence < "
                       "v.seq"),
        14);
    if (auto r = update.run(values); !r)
        return r.error();
    return result;
}

StoredOrder orderFrom(const QSqlQuery &q)
{
    StoredOrder o;
    o.clientOrderId = q.value(0).toString().toStdString();
    o.parentClientOrderId = q.value(1).toString().toStdString();
    o.sliceIndex = q.value(2).toInt();
    o.sliceCount = q.value(3).toInt();
    for (const QString &b : q.value(4).toString().split(QLatin1Char(','), Qt::SkipEmptyParts))
        o.brokerOrderIds.push_back(b.toStdString());
    o.contract.instrumentKey = q.value(5).toString().toStdString();
    o.contract.tradingSymbol = q.value(6).toString().toStdString();
    o.contract.segment = q.value(7).toString().toStdString();
    o.contract.optionType = q.value(8).toString().toStdString();
    const QString expiry = q.value(9).toString().left(10);
    o.contract.expiry =
        expiry.isEmpty() ? NoDay : fromQDate(QDate::fromString(expiry, Qt::ISODate));
    o.contract.strike = Price::fromRaw(q.value(10).toLongLong());
    o.contract.lotSize = q.value(11).toInt();
    o.contract.tickSize = Price::fromRaw(q.value(12).toLongLong());
    o.request.instrumentKey = o.contract.instrumentKey;
    o.request.clientOrderId = o.clientOrderId;
    o.request.side = q.value(13).toString() == QLatin1String("SELL") ? Side::Sell : Side::Buy;
    const QString type = q.value(14).toString();
    o.request.type = type == QLatin1String("MARKET") ? OrderType::Market
                     : type == QLatin1String("SL")   ? OrderType::StopLimit
                     : type == QLatin1String("SL-M") ? OrderType::StopMarket
                                                     : OrderType::Limit;
    o.request.product =
        q.value(15).toString() == QLatin1String("I") ? Product::Intraday : Product::Delivery;
    o.request.validity =
        q.value(16).toString() == QLatin1String("IOC") ? Validity::Ioc : Validity::Day;
    o.request.quantity = q.value(17).toLongLong();
    o.request.price = Price::fromRaw(q.value(18).toLongLong());
    o.request.trigger = Price::fromRaw(q.value(19).toLongLong());
    o.status = parseOrderStatus(q.value(20).toString().toStdString()).value_or(OrderStatus::New);
    o.filledQuantity = q.value(21).toLongLong();
    o.averagePrice = Price::fromRaw(q.value(22).toLongLong());
    o.rejectReason = q.value(23).toString().toStdString();
    o.createdAtMs = q.value(24).toLongLong();
    o.updatedAtMs = q.value(25).toLongLong();
    o.lastSequence = static_cast<std::uint64_t>(q.value(26).toLongLong());
    o.journalId = q.value(27).toString();
    return o;
}

const QString SelectOrders = QStringLiteral(
    "SELECT client_order_id, parent_client_order_id, slice_index, slice_count, "
    "broker_order_ids, instrument_key, trading_symbol, segment, option_type, expiry, strike_raw, "
    "lot_size, tick_raw, side, order_type, product, validity, quantity, price_raw, trigger_raw, "
    "status, filled_quantity, average_price_raw, reject_reason, created_at_ms, updated_at_ms, "
    "last_sequence, journal_id FROM orders");

} // namespace

namespace OrderStore {

Result<StoreBatchResult> applyBatch(Database &db, const std::vector<OrderEvent> &events)
{
    if (events.empty())
        return StoreBatchResult{};
    if (auto b = db.begin(); !b)
        return b.error();
    auto result = applyInTransaction(db, events);
    if (!result) {
        db.rollback();
        return result.error();
    }
    if (auto c = db.commit(); !c) {
        db.rollback();
        return c.error();
    }
    return result;
}

Result<std::uint64_t> maxSequence(Database &db, const QString &journalId, EpochDay day)
{
    const qlonglong from = static_cast<qlonglong>(sequenceFor(day, 0));
    const qlonglong to = static_cast<qlonglong>(sequenceFor(day + 1, 0));
    auto v = db.scalar(QStringLiteral("SELECT max(journal_sequence) FROM order_events WHERE "
                                      "journal_id = ? AND journal_sequence >= ? AND "
                                      "journal_sequence < ?"),
                       {journalId, from, to});
    if (!v)
        return v.error();
    return v->isNull() ? std::uint64_t{0} : static_cast<std::uint64_t>(v->toLongLong());
}

Result<std::vector<StoredOrder>> loadOrders(Database &db)
{
    auto q = db.query(SelectOrders +
                      QStringLiteral(" ORDER BY created_at_ms, client_order_id, journal_id"));
    if (!q)
        return q.error();
    std::vector<StoredOrder> out;
    while (q->next())
        out.push_back(orderFrom(*q));
    return out;
}

Result<std::optional<StoredOrder>> loadOrder(Database &db, const std::string &clientOrderId)
{
    auto q = db.query(SelectOrders + QStringLiteral(" WHERE client_order_id = ? ORDER BY "
                                                    "created_at_ms DESC, last_sequence DESC"),
                      {QString::fromStdString(clientOrderId)});
    if (!q)
        return q.error();
    if (!q->next())
        return std::optional<StoredOrder>();
    return std::optional<StoredOrder>(orderFrom(*q));
}

} // namespace OrderStore

} // namespace strikeline
