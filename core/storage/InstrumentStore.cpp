#include "InstrumentStore.h"

#include "common/ProcessInfo.h"

#include <QElapsedTimer>
#include <QFile>
#include <QSqlError>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fcntl.h>
#include <libpq-fe.h>
#include <set>
#include <sqlite3.h>
#include <string>
#include <sys/file.h>
#include <unistd.h>
#include <unordered_set>

namespace strikeline {

namespace {

// PostgreSQL session advisory locks (RunLockClass, run id) mark the runs in progress. (7210001
// guards migrations, 7210002 the sync itself.)
constexpr int RunLockClass = 7210003;

// The instrument's data columns, in the order staging, upsert and hydration use them.
constexpr const char *DataColumns =
    "instrument_key, trading_symbol, name, segment, exchange_token, instrument_type, kind, "
    "underlying_symbol, underlying_key, expiry, strike_price, tick_size, lot_size, "
    "freeze_quantity, qty_multiplier, weekly";
constexpr int DataColumnCount = 16;
constexpr const char *DataColumnNames[DataColumnCount] = {
    "instrument_key", "trading_symbol",  "name",           "segment",
    "exchange_token", "instrument_type", "kind",           "underlying_symbol",
    "underlying_key", "expiry",          "strike_price",   "tick_size",
    "lot_size",       "freeze_quantity", "qty_multiplier", "weekly"};

// Columns (other than the key) whose change makes an existing row "updated".
constexpr const char *ComparedColumns[] = {"trading_symbol",
                                           "name",
                                           "segment",
                                           "exchange_token",
                                           "instrument_type",
                                           "kind",
                                           "underlying_symbol",
                                           "underlying_key",
                                           "expiry",
                                           "strike_price",
                                           "tick_size",
                                           "lot_size",
                                           "freeze_quantity",
                                           "qty_multiplier",
                                           "weekly"};

QString sqlList(const char *const *columns, std::size_t count, const QString &pattern,
                const QString &separator)
{
    QStringList parts;
    for (std::size_t i = 0; i < count; ++i)
        parts << QString(pattern).replace(QStringLiteral("{c}"), QLatin1String(columns[i]));
    return parts.join(separator);
}

QDateTime toDateTime(const QVariant &v)
{
    if (v.isNull())
        return {};
    if (v.metaType().id() == QMetaType::QDateTime)
        return v.toDateTime().toUTC();
    QDateTime dt = QDateTime::fromString(v.toString(), Qt::ISODateWithMs);
    if (!dt.isValid())
        dt = QDateTime::fromString(v.toString(), Qt::ISODate);
    return dt.toUTC();
}

std::optional<InstrumentKind> parseKind(std::string_view s)
{
    for (InstrumentKind k : {InstrumentKind::Equity, InstrumentKind::Index, InstrumentKind::Future,
                             InstrumentKind::Call, InstrumentKind::Put, InstrumentKind::Spot}) {
        if (kindName(k) == s)
            return k;
    }
    return std::nullopt;
}

EpochDay parseIsoDay(std::string_view s)
{
    // YYYY-MM-DD
    if (s.size() != 10 || s[4] != '-' || s[7] != '-')
        return NoDay;
    int y = 0, m = 0, d = 0;
    if (std::from_chars(s.data(), s.data() + 4, y).ec != std::errc() ||
        std::from_chars(s.data() + 5, s.data() + 7, m).ec != std::errc() ||
        std::from_chars(s.data() + 8, s.data() + 10, d).ec != std::errc())
        return NoDay;
    return fromQDate(QDate(y, m, d));
}

template<typename Int>
bool parseInt(std::string_view s, Int &out)
{
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
}

// Builds a record from the 16 data columns as text (NULL = nullopt). Returns the bad column's
// name on failure.
using Column = std::optional<std::string_view>;
const char *recordFromColumns(const Column *col, InstrumentRecord &r)
{
    const char *const *names = DataColumnNames;
    auto text = [&](int i) { return col[i].value_or(std::string_view()); };
    r.instrumentKey.assign(text(0));
    r.tradingSymbol.assign(text(1));
    r.name.assign(text(2));
    const auto segment = parseSegment(text(3));
    if (!segment)
        return names[3];
    r.segment = *segment;
    r.exchangeToken = 0;
    if (col[4] && !parseInt(*col[4], r.exchangeToken))
        return names[4];
    r.typeCode.assign(text(5));
    const auto kind = parseKind(text(6));
    if (!kind)
        return names[6];
    r.kind = *kind;
    r.underlyingSymbol.assign(text(7));
    r.underlyingKey.assign(text(8));
    r.expiry = col[9] ? parseIsoDay(*col[9]) : NoDay;
    if (col[9] && r.expiry == NoDay)
        return names[9];
    const auto strike = Price::parse(text(10));
    if (!strike)
        return names[10];
    r.strike = *strike;
    const auto tick = Price::parse(text(11));
    if (!tick)
        return names[11];
    r.tickSize = *tick;
    if (!parseInt(text(12), r.lotSize))
        return names[12];
    if (!parseInt(text(13), r.freezeQuantity))
        return names[13];
    if (!parseInt(text(14), r.qtyMultiplier))
        return names[14];
    const std::string_view w = text(15);
    r.weekly = w == "1" || w == "t" || w == "true";
    return nullptr;
}

// PostgreSQL COPY text format: backslash escapes for the characters that frame it.
void appendCopyField(std::string &out, std::string_view value)
{
    for (char c : value) {
        switch (c) {
        case '\\':
            out += "\\\\";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        default:
            out.push_back(c);
        }
    }
}

// Undoes COPY text escaping in place; returns the field's view into `buf`.
std::string_view unescapeCopyField(char *begin, char *end)
{
    char *w = begin;
    for (char *r = begin; r < end; ++r) {
        if (*r != '\\' || r + 1 == end) {
            *w++ = *r;
            continue;
        }
        ++r;
        switch (*r) {
        case 't':
            *w++ = '\t';
            break;
        case 'n':
            *w++ = '\n';
            break;
        case 'r':
            *w++ = '\r';
            break;
        case 'b':
            *w++ = '\b';
            break;
        case 'f':
            *w++ = '\f';
            break;
        case 'v':
            *w++ = '\v';
            break;
        default:
            *w++ = *r; // \\ and any other escaped character
        }
    }
    return {begin, static_cast<std::size_t>(w - begin)};
}

Error anotherSyncError()
{
    return Error::make(ErrorCode::Conflict,
                       QStringLiteral("another instrument sync is running on this database (from "
                                      "another terminal?); try again when it finishes"));
}

QString pgError(pg_conn *conn)
{
    return QString::fromUtf8(PQerrorMessage(conn)).trimmed();
}

} // namespace

QString syncStatusName(SyncStatus status)
{
    switch (status) {
    case SyncStatus::Running:
        return QStringLiteral("running");
    case SyncStatus::Succeeded:
        return QStringLiteral("succeeded");
    case SyncStatus::Failed:
        return QStringLiteral("failed");
    case SyncStatus::Unchanged:
        return QStringLiteral("unchanged");
    }
    return {};
}

// Keys of invalid rows a sync remembers at most: a real master has a handful, and the reader
// refuses a file with more than 1 % of its rows invalid anyway. Bounds memory on hostile input.
constexpr std::size_t MaxInvalidKeys = 100000;
// Kept and conflicting keys named in a sync's report.
constexpr int ExampleKeys = 5;

struct InstrumentStore::Private
{
    bool sqlite = true;
    // SQLite staging
    sqlite3_stmt *insert = nullptr;
    sqlite3_stmt *sameRow = nullptr; // is this exact row already staged?
    std::int64_t staged = 0;
    std::int64_t duplicates = 0;
    int syncLockFd = -1; // SQLite: the flock()ed sync lock file
    // Keys imported from none of their rows: invalid rows, and keys whose rows disagree.
    std::unordered_set<std::string> invalidKeys;
    std::set<std::string> conflictingKeys;
    std::int64_t conflicting = 0;
    // PostgreSQL staging
    bool copying = false;
    std::string copyBuffer;
    // PostgreSQL: the run whose session lock (RunLockClass, id) this connection holds
    std::int64_t lockedRun = 0;

    ~Private()
    {
        if (insert)
            sqlite3_finalize(insert);
        if (sameRow)
            sqlite3_finalize(sameRow);
        if (syncLockFd >= 0)
            ::close(syncLockFd); // releases the flock
    }
};

InstrumentStore::InstrumentStore(Database &db)
    : m_db(db)
    , d(std::make_unique<Private>())
{
    d->sqlite = db.backend() == DatabaseBackend::Sqlite;
}

InstrumentStore::~InstrumentStore()
{
    // A COPY left open (the sync failed while staging) must be ended before the connection
    // can do anything else, including the caller's ROLLBACK.
    if (d->copying) {
        pg_conn *conn = m_db.postgresHandle();
        if (conn) {
            PQputCopyEnd(conn, "sync aborted");
            while (PGresult *res = PQgetResult(conn))
                PQclear(res);
        }
    }
}

// ---- sync runs ---------------------------------------------------------------------------

Result<std::int64_t> InstrumentStore::beginRun(const QString &source, bool forced)
{
    const QString now = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    const QVariant host = thisHostName();
    const QVariant pid = QVariant::fromValue<qint64>(thisProcessId());
    if (d->sqlite) {
        auto q = m_db.query(
            QStringLiteral("INSERT INTO sync_runs (started_at, source, status, forced, host, pid) "
                           "VALUES (?, ?, 'running', ?, ?, ?)"),
            {now, source, forced ? 1 : 0, host, pid});
        if (!q)
            return q.error();
        return q->lastInsertId().toLongLong();
    }
    // The lock is taken by the statement that inserts the row, so no other session ever sees
    // the run without its lock (and takes it for abandoned).
    auto id = m_db.scalar(
        QStringLiteral("WITH run AS (INSERT INTO sync_runs (started_at, source, status, forced, "
                       "host, pid) VALUES (?, ?, 'running', ?, ?, ?) RETURNING id) "
                       "SELECT id, pg_try_advisory_lock(%1, id::integer) FROM run")
            .arg(RunLockClass),
        {now, source, forced, host, pid});
    if (!id)
        return id.error();
    d->lockedRun = id->toLongLong();
    return d->lockedRun;
}

Result<void> InstrumentStore::finishRun(const SyncRunRecord &run)
{
    const QString finished = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    auto q = m_db.query(
        QStringLiteral("UPDATE sync_runs SET finished_at = ?, etag = ?, last_modified = ?, "
                       "checksum = ?, bytes = ?, rows_read = ?, rows_skipped = ?, "
                       "rows_inserted = ?, rows_updated = ?, rows_unchanged = ?, "
                       "rows_deactivated = ?, rows_duplicate = ?, keys_conflicting = ?, "
                       "rows_kept = ?, status = ?, error = ?, synthetic = ? WHERE id = ?"),
        {finished, run.etag.isEmpty() ? QVariant() : QVariant(run.etag),
         run.lastModified.isEmpty() ? QVariant() : QVariant(run.lastModified),
         run.checksum.isEmpty() ? QVariant() : QVariant(run.checksum),
         QVariant::fromValue<qint64>(run.bytes), QVariant::fromValue<qint64>(run.rowsRead),
         QVariant::fromValue<qint64>(run.rowsSkipped),
         QVariant::fromValue<qint64>(run.rowsInserted),
         QVariant::fromValue<qint64>(run.rowsUpdated),
         QVariant::fromValue<qint64>(run.rowsUnchanged),
         QVariant::fromValue<qint64>(run.rowsDeactivated),
         QVariant::fromValue<qint64>(run.rowsDuplicate),
         QVariant::fromValue<qint64>(run.keysConflicting),
         QVariant::fromValue<qint64>(run.rowsKept), syncStatusName(run.status),
         run.error.isEmpty() ? QVariant() : QVariant(run.error),
         d->sqlite ? QVariant(run.synthetic ? 1 : 0) : QVariant(run.synthetic),
         QVariant::fromValue<qint64>(run.id)});
    if (!q)
        return q.error();
    if (d->lockedRun == run.id && run.status != SyncStatus::Running) {
        d->lockedRun = 0;
        (void)m_db.exec(
            QStringLiteral("SELECT pg_advisory_unlock(%1, %2)").arg(RunLockClass).arg(run.id));
    }
    return success();
}

namespace {
constexpr const char *RunColumns =
    "id, started_at, finished_at, source, etag, last_modified, checksum, bytes, rows_read, "
    "rows_skipped, rows_inserted, rows_updated, rows_unchanged, rows_deactivated, status, "
    "forced, error, rows_duplicate, keys_conflicting, rows_kept, synthetic";

SyncRunRecord runFromQuery(const QSqlQuery &q)
{
    SyncRunRecord r;
    r.id = q.value(0).toLongLong();
    r.startedAt = toDateTime(q.value(1));
    r.finishedAt = toDateTime(q.value(2));
    r.source = q.value(3).toString();
    r.etag = q.value(4).toString();
    r.lastModified = q.value(5).toString();
    r.checksum = q.value(6).toString();
    r.bytes = q.value(7).toLongLong();
    r.rowsRead = q.value(8).toLongLong();
    r.rowsSkipped = q.value(9).toLongLong();
    r.rowsInserted = q.value(10).toLongLong();
    r.rowsUpdated = q.value(11).toLongLong();
    r.rowsUnchanged = q.value(12).toLongLong();
    r.rowsDeactivated = q.value(13).toLongLong();
    const QString status = q.value(14).toString();
    r.status = status == QLatin1String("succeeded")   ? SyncStatus::Succeeded
               : status == QLatin1String("failed")    ? SyncStatus::Failed
               : status == QLatin1String("unchanged") ? SyncStatus::Unchanged
                                                      : SyncStatus::Running;
    r.forced = q.value(15).toBool();
    r.error = q.value(16).toString();
    r.rowsDuplicate = q.value(17).toLongLong();
    r.keysConflicting = q.value(18).toLongLong();
    r.rowsKept = q.value(19).toLongLong();
    r.synthetic = q.value(20).toBool();
    return r;
}
} // namespace

Result<std::optional<SyncRunRecord>> InstrumentStore::run(std::int64_t id)
{
    auto q = m_db.query(
        QStringLiteral("SELECT %1 FROM sync_runs WHERE id = ?").arg(QLatin1String(RunColumns)),
        {QVariant::fromValue<qint64>(id)});
    if (!q)
        return q.error();
    if (!q->next())
        return std::optional<SyncRunRecord>();
    return std::optional<SyncRunRecord>(runFromQuery(*q));
}

Result<std::vector<AbandonedRun>> InstrumentStore::abandonedRuns()
{
    std::vector<AbandonedRun> out;
    if (!d->sqlite) {
        // A session advisory lock lives exactly as long as its connection: a run whose lock
        // nobody holds has lost the process that ran it, wherever that was.
        auto q = m_db.query(
            QStringLiteral(
                "SELECT s.id, s.host, s.pid FROM sync_runs s WHERE s.status = 'running' AND "
                "NOT EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND "
                "l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = "
                "current_database()) AND l.classid = %1 AND l.objid::text::bigint = s.id AND "
                "l.objsubid = 2) ORDER BY s.id")
                .arg(RunLockClass));
        if (!q)
            return q.error();
        while (q->next()) {
            const QString owner = q->value(1).isNull() ? QStringLiteral("its process")
                                                       : QStringLiteral("process %1 on %2")
                                                             .arg(q->value(2).toLongLong())
                                                             .arg(q->value(1).toString());
            out.push_back({q->value(0).toLongLong(),
                           QStringLiteral("interrupted: %1 ended (its database connection is "
                                          "gone) before the sync finished")
                               .arg(owner)});
        }
        return out;
    }
    auto q = m_db.query(QStringLiteral("SELECT id, host, pid, started_at FROM sync_runs "
                                       "WHERE status = 'running' AND host = ? ORDER BY id"),
                        {thisHostName()});
    if (!q)
        return q.error();
    while (q->next()) {
        const std::int64_t pid = q->value(2).toLongLong();
        if (!processIsGone(pid, toDateTime(q->value(3))))
            continue;
        out.push_back({q->value(0).toLongLong(),
                       QStringLiteral("interrupted: process %1 on %2 ended before the sync "
                                      "finished")
                           .arg(pid)
                           .arg(q->value(1).toString())});
    }
    return out;
}

Result<std::int64_t> InstrumentStore::markAbandonedRuns()
{
    auto abandoned = abandonedRuns();
    if (!abandoned)
        return abandoned.error();
    const QString now = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    std::int64_t marked = 0;
    for (const AbandonedRun &a : *abandoned) {
        // Still 'running' only: the owner may have finished it since we looked.
        auto q = m_db.query(QStringLiteral("UPDATE sync_runs SET status = 'failed', "
                                           "finished_at = ?, error = ? "
                                           "WHERE id = ? AND status = 'running'"),
                            {now, a.reason, QVariant::fromValue<qint64>(a.id)});
        if (!q)
            return q.error();
        marked += q->numRowsAffected() > 0 ? 1 : 0;
    }
    return marked;
}

Result<std::int64_t> InstrumentStore::markUnjudgedRunsAbandoned(std::int64_t current)
{
    if (!d->sqlite)
        return std::int64_t{0}; // PostgreSQL's run locks judge every run
    auto q = m_db.query(
        QStringLiteral("UPDATE sync_runs SET status = 'failed', finished_at = ?, "
                       "error = 'interrupted: the process ended before the sync finished' "
                       "WHERE status = 'running' AND id <> ? AND (host IS NULL OR host <> ?)"),
        {QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs),
         QVariant::fromValue<qint64>(current), thisHostName()});
    if (!q)
        return q.error();
    return static_cast<std::int64_t>(std::max(q->numRowsAffected(), 0));
}

Result<std::optional<SyncRunRecord>> InstrumentStore::lastSucceededRun(const QString &source)
{
    const QString sql = QStringLiteral("SELECT %1 FROM sync_runs WHERE status = 'succeeded'%2 "
                                       "ORDER BY id DESC LIMIT 1")
                            .arg(QLatin1String(RunColumns),
                                 source.isEmpty() ? QString() : QStringLiteral(" AND source = ?"));
    auto q = m_db.query(sql, source.isEmpty() ? QVariantList() : QVariantList{source});
    if (!q)
        return q.error();
    if (!q->next())
        return std::optional<SyncRunRecord>();
    return std::optional<SyncRunRecord>(runFromQuery(*q));
}

Result<std::vector<SyncRunRecord>> InstrumentStore::recentRuns(int limit)
{
    auto q = m_db.query(QStringLiteral("SELECT %1 FROM sync_runs ORDER BY id DESC LIMIT ?")
                            .arg(QLatin1String(RunColumns)),
                        {limit});
    if (!q)
        return q.error();
    std::vector<SyncRunRecord> runs;
    while (q->next())
        runs.push_back(runFromQuery(*q));
    return runs;
}

Result<std::vector<SyncRunRecord>> InstrumentStore::recentRunsSettled(int limit)
{
    std::vector<AbandonedRun> abandoned;
    if (auto marked = markAbandonedRuns(); !marked) {
        spdlog::debug("could not record abandoned sync runs: {}",
                      marked.error().message.toStdString());
        if (auto found = abandonedRuns())
            abandoned = std::move(*found);
    }
    auto runs = recentRuns(limit);
    if (!runs)
        return runs.error();
    for (SyncRunRecord &r : *runs) {
        for (const AbandonedRun &a : abandoned) {
            if (a.id == r.id && r.status == SyncStatus::Running) {
                r.status = SyncStatus::Failed;
                r.error = a.reason;
            }
        }
    }
    return runs;
}

Result<std::vector<InstrumentChange>> InstrumentStore::changes(std::int64_t syncRunId, int limit)
{
    auto q =
        m_db.query(QStringLiteral("SELECT sync_run_id, instrument_key, change, trading_symbol, "
                                  "old_value, new_value FROM instrument_changes "
                                  "WHERE sync_run_id = ? ORDER BY id LIMIT ?"),
                   {QVariant::fromValue<qint64>(syncRunId), limit});
    if (!q)
        return q.error();
    std::vector<InstrumentChange> out;
    while (q->next()) {
        out.push_back(InstrumentChange{q->value(0).toLongLong(), q->value(1).toString(),
                                       q->value(2).toString(), q->value(3).toString(),
                                       q->value(4).toString(), q->value(5).toString()});
    }
    return out;
}

Result<std::int64_t> InstrumentStore::activeCount()
{
    auto n = m_db.scalar(
        d->sqlite ? QStringLiteral("SELECT count(*) FROM instruments WHERE is_active = 1")
                  : QStringLiteral("SELECT count(*) FROM instruments WHERE is_active"));
    if (!n)
        return n.error();
    return n->toLongLong();
}

// ---- staging ------------------------------------------------------------------------------

Result<void> InstrumentStore::lockForSync()
{
    if (d->sqlite) {
        const QString path = m_db.config().path;
        if (path == QLatin1String(":memory:") || d->syncLockFd >= 0)
            return success(); // a private database, or held already
        const QString lockPath = path + QStringLiteral(".sync-lock");
        const int fd =
            ::open(QFile::encodeName(lockPath).constData(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
            return Error::make(ErrorCode::Io,
                               QStringLiteral("cannot open the sync lock %1: %2")
                                   .arg(lockPath, QString::fromLocal8Bit(std::strerror(errno))));
        if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
            const int error = errno;
            ::close(fd);
            if (error == EWOULDBLOCK)
                return anotherSyncError();
            return Error::make(ErrorCode::Io,
                               QStringLiteral("cannot lock %1: %2")
                                   .arg(lockPath, QString::fromLocal8Bit(std::strerror(error))));
        }
        d->syncLockFd = fd;
        return success();
    }
    // The merge joins and anti-joins ~125k rows a few times: let them hash in memory (for this
    // transaction only) instead of the default 4 MB's batches on disk.
    if (auto r = m_db.exec(QStringLiteral("SET LOCAL work_mem = '64MB'")); !r)
        return r;
    auto got = m_db.scalar(QStringLiteral("SELECT pg_try_advisory_xact_lock(7210002)"));
    if (!got)
        return got.error();
    if (!got->toBool())
        return anotherSyncError();
    return success();
}

Result<void> InstrumentStore::createStaging()
{
    d->staged = 0;
    d->duplicates = 0;
    d->conflicting = 0;
    d->invalidKeys.clear();
    d->conflictingKeys.clear();
    if (d->sqlite) {
        // The staging writes touch only the connection's temp database, so this transaction
        // takes no lock on the database itself: readers, the order persister and a second
        // sync (refused by the sync lock) are not held up by a long download. The write lock
        // is taken for the merge only (the caller's BEGIN IMMEDIATE after finishStaging).
        if (auto r = m_db.exec(QStringLiteral("BEGIN")); !r)
            return r;
        for (const char *table : {"temp.sync_staging", "temp.sync_kept", "temp.sync_diff"}) {
            if (auto r =
                    m_db.exec(QStringLiteral("DROP TABLE IF EXISTS %1").arg(QLatin1String(table)));
                !r)
                return r;
        }
        if (auto r = m_db.exec(QStringLiteral(
                "CREATE TEMP TABLE sync_staging (instrument_key TEXT PRIMARY KEY, "
                "trading_symbol TEXT NOT NULL, name TEXT NOT NULL, segment TEXT NOT NULL, "
                "exchange_token INTEGER, instrument_type TEXT NOT NULL, kind TEXT NOT NULL, "
                "underlying_symbol TEXT NOT NULL, underlying_key TEXT, expiry TEXT, "
                "strike_price TEXT NOT NULL, tick_size TEXT NOT NULL, lot_size INTEGER NOT NULL, "
                "freeze_quantity INTEGER NOT NULL, qty_multiplier INTEGER NOT NULL, "
                "weekly INTEGER NOT NULL) WITHOUT ROWID"));
            !r)
            return r;
        sqlite3 *h = m_db.sqliteHandle();
        if (!h)
            return Error::make(ErrorCode::Internal, QStringLiteral("no native SQLite handle"));
        if (d->insert) {
            sqlite3_finalize(d->insert);
            d->insert = nullptr;
        }
        const QByteArray sql = QStringLiteral("INSERT OR IGNORE INTO temp.sync_staging (%1) VALUES "
                                              "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
                                   .arg(QLatin1String(DataColumns))
                                   .toUtf8();
        if (sqlite3_prepare_v2(h, sql.constData(), -1, &d->insert, nullptr) != SQLITE_OK) {
            return Error::make(ErrorCode::Database, QStringLiteral("cannot prepare staging: %1")
                                                        .arg(QString::fromUtf8(sqlite3_errmsg(h))));
        }
        if (d->sameRow) {
            sqlite3_finalize(d->sameRow);
            d->sameRow = nullptr;
        }
        // Same placeholders as the insert, so one binding serves both.
        QStringList same;
        for (int i = 0; i < DataColumnCount; ++i)
            same << QStringLiteral("%1 IS ?%2").arg(QLatin1String(DataColumnNames[i])).arg(i + 1);
        const QByteArray sameSql = QStringLiteral("SELECT 1 FROM temp.sync_staging WHERE %1")
                                       .arg(same.join(QStringLiteral(" AND ")))
                                       .toUtf8();
        if (sqlite3_prepare_v2(h, sameSql.constData(), -1, &d->sameRow, nullptr) != SQLITE_OK) {
            return Error::make(ErrorCode::Database, QStringLiteral("cannot prepare staging: %1")
                                                        .arg(QString::fromUtf8(sqlite3_errmsg(h))));
        }
        return success();
    }
    if (auto r = m_db.exec(QStringLiteral(
            "CREATE TEMP TABLE sync_staging ("
            "instrument_key TEXT NOT NULL, trading_symbol TEXT NOT NULL, name TEXT NOT NULL, "
            "segment TEXT NOT NULL, exchange_token BIGINT, instrument_type TEXT NOT NULL, "
            "kind TEXT NOT NULL, underlying_symbol TEXT NOT NULL, underlying_key TEXT, "
            "expiry DATE, strike_price NUMERIC(18,4) NOT NULL, tick_size NUMERIC(18,4) NOT NULL, "
            "lot_size INTEGER NOT NULL, freeze_quantity INTEGER NOT NULL, "
            "qty_multiplier INTEGER NOT NULL, weekly BOOLEAN NOT NULL) ON COMMIT DROP"));
        !r)
        return r;
    pg_conn *conn = m_db.postgresHandle();
    if (!conn)
        return Error::make(ErrorCode::Internal, QStringLiteral("no native PostgreSQL handle"));
    const QByteArray sql = QStringLiteral("COPY sync_staging (%1) FROM STDIN")
                               .arg(QLatin1String(DataColumns))
                               .toUtf8();
    PGresult *res = PQexec(conn, sql.constData());
    const bool ok = PQresultStatus(res) == PGRES_COPY_IN;
    PQclear(res);
    if (!ok)
        return Error::make(ErrorCode::Database,
                           QStringLiteral("cannot start COPY: %1").arg(pgError(conn)));
    d->copying = true;
    d->copyBuffer.clear();
    d->copyBuffer.reserve(1 << 20);
    return success();
}

Result<void> InstrumentStore::stage(const InstrumentRecord &r)
{
    const std::string strike = r.strike.toString();
    const std::string tick = r.tickSize.toString();
    const std::string_view kind = kindName(r.kind);
    const QString expiry = formatIsoDay(r.expiry);
    if (d->sqlite) {
        const QByteArray expiryUtf8 = expiry.toUtf8();
        auto bind = [&](sqlite3_stmt *s) {
            auto text = [s](int i, std::string_view v) {
                sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
            };
            text(1, r.instrumentKey);
            text(2, r.tradingSymbol);
            text(3, r.name);
            text(4, segmentName(r.segment));
            if (r.exchangeToken)
                sqlite3_bind_int64(s, 5, r.exchangeToken);
            else
                sqlite3_bind_null(s, 5);
            text(6, r.typeCode);
            text(7, kind);
            text(8, r.underlyingSymbol);
            if (r.underlyingKey.empty())
                sqlite3_bind_null(s, 9);
            else
                text(9, r.underlyingKey);
            if (r.expiry == NoDay)
                sqlite3_bind_null(s, 10);
            else
                text(10, std::string_view(expiryUtf8.constData(), expiryUtf8.size()));
            text(11, strike);
            text(12, tick);
            sqlite3_bind_int(s, 13, r.lotSize);
            sqlite3_bind_int(s, 14, r.freezeQuantity);
            sqlite3_bind_int(s, 15, r.qtyMultiplier);
            sqlite3_bind_int(s, 16, r.weekly ? 1 : 0);
        };
        auto failed = [&] {
            return Error::make(ErrorCode::Database,
                               QStringLiteral("cannot stage %1: %2")
                                   .arg(QString::fromStdString(r.instrumentKey),
                                        QString::fromUtf8(sqlite3_errmsg(m_db.sqliteHandle()))));
        };
        bind(d->insert);
        const int rc = sqlite3_step(d->insert);
        sqlite3_reset(d->insert);
        if (rc != SQLITE_DONE)
            return failed();
        if (sqlite3_changes(m_db.sqliteHandle()) != 0) {
            ++d->staged;
            return success();
        }
        // A repeated key (rare): the very same row again is one row; a different one makes
        // the key conflicting (finishStaging drops it).
        ++d->duplicates;
        bind(d->sameRow);
        const int found = sqlite3_step(d->sameRow);
        sqlite3_reset(d->sameRow);
        if (found != SQLITE_ROW && found != SQLITE_DONE)
            return failed();
        if (found == SQLITE_DONE)
            d->conflictingKeys.insert(r.instrumentKey);
        return success();
    }

    std::string &b = d->copyBuffer;
    auto field = [&b](std::string_view v) {
        appendCopyField(b, v);
        b.push_back('\t');
    };
    auto nullable = [&](bool isNull, std::string_view v) {
        if (isNull)
            b += "\\N\t";
        else
            field(v);
    };
    field(r.instrumentKey);
    field(r.tradingSymbol);
    field(r.name);
    field(segmentName(r.segment));
    nullable(r.exchangeToken == 0, std::to_string(r.exchangeToken));
    field(r.typeCode);
    field(kind);
    field(r.underlyingSymbol);
    nullable(r.underlyingKey.empty(), r.underlyingKey);
    nullable(r.expiry == NoDay, expiry.toStdString());
    field(strike);
    field(tick);
    field(std::to_string(r.lotSize));
    field(std::to_string(r.freezeQuantity));
    field(std::to_string(r.qtyMultiplier));
    b += r.weekly ? "t\n" : "f\n";
    ++d->staged;
    if (b.size() >= (1u << 20)) {
        pg_conn *conn = m_db.postgresHandle();
        if (PQputCopyData(conn, b.data(), static_cast<int>(b.size())) != 1)
            return Error::make(
                ErrorCode::Database,
                QStringLiteral("COPY to the database failed: %1").arg(pgError(conn)));
        b.clear();
    }
    return success();
}

Result<void> InstrumentStore::markInvalid(std::string_view key)
{
    // A key no database could hold (NUL, broken UTF-8) names no stored contract either.
    if (key.empty() || key.find('\0') != std::string_view::npos ||
        !QByteArrayView(key.data(), static_cast<qsizetype>(key.size())).isValidUtf8())
        return success();
    if (d->invalidKeys.size() >= MaxInvalidKeys && !d->invalidKeys.contains(std::string(key)))
        return Error::make(ErrorCode::TooManyBadRows,
                           QStringLiteral("more than %1 rows of the master are invalid: this is "
                                          "not a usable master")
                               .arg(MaxInvalidKeys));
    d->invalidKeys.emplace(key);
    return success();
}

Result<std::int64_t> InstrumentStore::finishStaging()
{
    // Every key of an invalid or conflicting row: none of its rows is imported, and the merge
    // keeps the stored version as it is.
    std::vector<std::string> notImported(d->invalidKeys.begin(), d->invalidKeys.end());
    if (d->sqlite) {
        sqlite3_finalize(d->insert);
        d->insert = nullptr;
        sqlite3_finalize(d->sameRow);
        d->sameRow = nullptr;
        notImported.insert(notImported.end(), d->conflictingKeys.begin(), d->conflictingKeys.end());
        if (auto r = m_db.exec(QStringLiteral("CREATE TEMP TABLE sync_kept (instrument_key TEXT "
                                              "PRIMARY KEY) WITHOUT ROWID"));
            !r)
            return r.error();
        sqlite3 *h = m_db.sqliteHandle();
        sqlite3_stmt *insert = nullptr;
        if (sqlite3_prepare_v2(h, "INSERT OR IGNORE INTO temp.sync_kept VALUES (?)", -1, &insert,
                               nullptr) != SQLITE_OK)
            return Error::make(ErrorCode::Database, QStringLiteral("cannot prepare staging: %1")
                                                        .arg(QString::fromUtf8(sqlite3_errmsg(h))));
        for (const std::string &key : notImported) {
            sqlite3_bind_text(insert, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
            const int rc = sqlite3_step(insert);
            sqlite3_reset(insert);
            if (rc != SQLITE_DONE) {
                const QString message = QString::fromUtf8(sqlite3_errmsg(h));
                sqlite3_finalize(insert);
                return Error::make(
                    ErrorCode::Database,
                    QStringLiteral("cannot stage the invalid keys: %1").arg(message));
            }
        }
        sqlite3_finalize(insert);
        auto dropped = m_db.query(QStringLiteral(
            "DELETE FROM temp.sync_staging WHERE instrument_key IN (SELECT instrument_key FROM "
            "temp.sync_kept)"));
        if (!dropped)
            return dropped.error();
        d->staged -= dropped->numRowsAffected();
        dropped->finish();
        d->conflicting = static_cast<std::int64_t>(d->conflictingKeys.size());
        // The staging transaction touched only the temp database (see createStaging).
        if (auto r = m_db.exec(QStringLiteral("COMMIT")); !r)
            return r.error();
        return d->staged;
    }
    pg_conn *conn = m_db.postgresHandle();
    d->copying = false;
    if (!d->copyBuffer.empty() &&
        PQputCopyData(conn, d->copyBuffer.data(), static_cast<int>(d->copyBuffer.size())) != 1) {
        return Error::make(ErrorCode::Database,
                           QStringLiteral("COPY to the database failed: %1").arg(pgError(conn)));
    }
    d->copyBuffer.clear();
    d->copyBuffer.shrink_to_fit();
    if (auto r = endCopy(); !r)
        return r.error();
    // COPY cannot skip a repeated key. A real master has none, so try the primary key first
    // and only on a clash look at the repeats: the same row again is one row; keys whose rows
    // differ are not imported at all (like an invalid row).
    if (auto r = m_db.exec(QStringLiteral("SAVEPOINT staging_key")); !r)
        return r.error();
    if (auto r =
            m_db.exec(QStringLiteral("ALTER TABLE sync_staging ADD PRIMARY KEY (instrument_key)"));
        !r) {
        if (auto back = m_db.exec(QStringLiteral("ROLLBACK TO SAVEPOINT staging_key")); !back)
            return back.error();
        auto conflicts = m_db.query(
            QStringLiteral("SELECT instrument_key FROM (SELECT DISTINCT * FROM sync_staging) d "
                           "GROUP BY instrument_key HAVING count(*) > 1"));
        if (!conflicts)
            return conflicts.error();
        while (conflicts->next())
            d->conflictingKeys.insert(conflicts->value(0).toString().toStdString());
        conflicts->finish();
        auto dups = m_db.scalar(QStringLiteral(
            "WITH gone AS (DELETE FROM sync_staging a USING sync_staging b "
            "WHERE a.instrument_key = b.instrument_key AND a.ctid > b.ctid RETURNING 1) "
            "SELECT count(*) FROM gone"));
        if (!dups)
            return dups.error();
        d->duplicates = dups->toLongLong();
        d->staged -= d->duplicates;
        if (auto again = m_db.exec(QStringLiteral("ALTER TABLE sync_staging ADD PRIMARY KEY "
                                                  "(instrument_key)"));
            !again)
            return again.error();
    }
    if (auto r = m_db.exec(QStringLiteral("RELEASE SAVEPOINT staging_key")); !r)
        return r.error();
    d->conflicting = static_cast<std::int64_t>(d->conflictingKeys.size());
    notImported.insert(notImported.end(), d->conflictingKeys.begin(), d->conflictingKeys.end());
    if (auto r = m_db.exec(QStringLiteral("CREATE TEMP TABLE sync_kept (instrument_key TEXT "
                                          "PRIMARY KEY) ON COMMIT DROP"));
        !r)
        return r.error();
    if (!notImported.empty()) {
        std::sort(notImported.begin(), notImported.end());
        notImported.erase(std::unique(notImported.begin(), notImported.end()), notImported.end());
        PGresult *res = PQexec(conn, "COPY sync_kept (instrument_key) FROM STDIN");
        const bool ok = PQresultStatus(res) == PGRES_COPY_IN;
        PQclear(res);
        if (!ok)
            return Error::make(ErrorCode::Database,
                               QStringLiteral("cannot start COPY: %1").arg(pgError(conn)));
        std::string keys;
        for (const std::string &key : notImported) {
            appendCopyField(keys, key);
            keys.push_back('\n');
        }
        d->copying = true;
        if (PQputCopyData(conn, keys.data(), static_cast<int>(keys.size())) != 1)
            return Error::make(
                ErrorCode::Database,
                QStringLiteral("COPY to the database failed: %1").arg(pgError(conn)));
        d->copying = false;
        if (auto r = endCopy(); !r)
            return r.error();
        auto dropped = m_db.query(QStringLiteral("DELETE FROM sync_staging s USING sync_kept k "
                                                 "WHERE s.instrument_key = k.instrument_key"));
        if (!dropped)
            return dropped.error();
        d->staged -= dropped->numRowsAffected();
    }
    if (auto r = m_db.exec(QStringLiteral("ANALYZE sync_staging")); !r)
        return r.error();
    return d->staged;
}

Result<void> InstrumentStore::endCopy()
{
    pg_conn *conn = m_db.postgresHandle();
    if (PQputCopyEnd(conn, nullptr) != 1)
        return Error::make(ErrorCode::Database,
                           QStringLiteral("COPY to the database failed: %1").arg(pgError(conn)));
    QString failure;
    while (PGresult *res = PQgetResult(conn)) {
        if (PQresultStatus(res) != PGRES_COMMAND_OK && failure.isEmpty())
            failure = QString::fromUtf8(PQresultErrorMessage(res)).trimmed();
        PQclear(res);
    }
    if (!failure.isEmpty())
        return Error::make(ErrorCode::Database,
                           QStringLiteral("COPY to the database failed: %1").arg(failure));
    if (PQstatus(conn) != CONNECTION_OK)
        return Error::make(
            ErrorCode::Database,
            QStringLiteral("the database connection was lost: %1").arg(pgError(conn)));
    return success();
}

Result<MergeCounts> InstrumentStore::merge(std::int64_t runId)
{
    const bool sqlite = d->sqlite;
    const QString ne = sqlite ? QStringLiteral("IS NOT") : QStringLiteral("IS DISTINCT FROM");
    const QString yes = sqlite ? QStringLiteral("1") : QStringLiteral("TRUE");
    const QString no = sqlite ? QStringLiteral("0") : QStringLiteral("FALSE");
    const QString run = QString::number(runId);
    const QString staging =
        sqlite ? QStringLiteral("temp.sync_staging") : QStringLiteral("sync_staging");
    const QString kept = sqlite ? QStringLiteral("temp.sync_kept") : QStringLiteral("sync_kept");
    const QString asInt = sqlite ? QStringLiteral("%1") : QStringLiteral("(%1)::int");
    auto differs = [&](const char *column) {
        return QStringLiteral("s.%1 %2 i.%1").arg(QLatin1String(column), ne);
    };
    QElapsedTimer step;
    step.start();
    auto timed = [&](const char *what, Result<void> r) {
        spdlog::debug("merge: {} took {} ms", what, step.restart());
        return r;
    };

    MergeCounts counts;
    counts.staged = d->staged;
    counts.duplicates = d->duplicates;
    counts.conflicting = d->conflicting;

    // 1. One pass over the staged rows: how each relates to what is stored. Everything below
    //    reads this small table instead of joining again.
    const QString identityDiffers =
        QStringLiteral("(%1 OR %2 OR %3 OR %4 OR %5)")
            .arg(differs("trading_symbol"), differs("expiry"), differs("strike_price"),
                 differs("kind"), differs("segment"));
    const QString dataDiffers =
        sqlList(ComparedColumns, std::size(ComparedColumns),
                QStringLiteral("s.{c} ") + ne + QStringLiteral(" i.{c}"), QStringLiteral(" OR "));
    if (auto r = timed(
            "diff",
            m_db.exec(
                QStringLiteral(
                    "CREATE TEMP TABLE sync_diff %1 AS SELECT s.instrument_key, "
                    "s.trading_symbol, "
                    "i.instrument_key IS NULL AS is_new, "
                    "i.instrument_key IS NOT NULL AND %2 AS reused, "
                    "i.instrument_key IS NOT NULL AND i.is_active = %3 AS was_inactive, "
                    "i.instrument_key IS NOT NULL AND (%4) AS data_changed, "
                    "i.trading_symbol AS old_symbol, "
                    "i.lot_size AS old_lot, s.lot_size AS new_lot, "
                    "i.tick_size AS old_tick, s.tick_size AS new_tick, "
                    "i.freeze_quantity AS old_freeze, s.freeze_quantity AS new_freeze "
                    "FROM %5 s LEFT JOIN instruments i ON i.instrument_key = s.instrument_key")
                    .arg(sqlite ? QString() : QStringLiteral("ON COMMIT DROP"), identityDiffers, no,
                         dataDiffers, staging)));
        !r)
        return r.error();
    if (auto r =
            m_db.exec(QStringLiteral("CREATE INDEX %1sync_diff_key ON sync_diff (instrument_key)")
                          .arg(sqlite ? QStringLiteral("temp.") : QString()));
        !r)
        return r.error();
    if (!sqlite) {
        // A temp table has no statistics until analysed: without them the planner picks
        // nested loops for the updates below (seconds instead of milliseconds).
        if (auto r = m_db.exec(QStringLiteral("ANALYZE sync_diff")); !r)
            return r.error();
    }

    // 2. The changes a trader reads, before the upsert overwrites the old values. The very
    //    first import is not a change: its rows are not listed one by one as 'new'.
    auto stored = m_db.scalar(QStringLiteral("SELECT EXISTS (SELECT 1 FROM instruments)"));
    if (!stored)
        return stored.error();
    const bool initialImport = !stored->toBool();
    const QString numberText =
        sqlite ? QStringLiteral("%1") : QStringLiteral("trim_scale(%1)::text");
    const QString intText =
        sqlite ? QStringLiteral("CAST(%1 AS TEXT)") : QStringLiteral("%1::text");
    const QString same = QStringLiteral("NOT is_new AND NOT reused");
    const QString changes =
        QStringLiteral(
            "INSERT INTO instrument_changes (sync_run_id, instrument_key, change, "
            "trading_symbol, old_value, new_value) "
            "SELECT %1, instrument_key, 'new', trading_symbol, NULL, NULL FROM sync_diff "
            "WHERE is_new AND %9 "
            "UNION ALL SELECT %1, instrument_key, 'key_reused', trading_symbol, old_symbol, "
            "trading_symbol "
            "FROM sync_diff WHERE reused "
            "UNION ALL SELECT %1, instrument_key, 'reactivated', trading_symbol, NULL, NULL "
            "FROM sync_diff WHERE was_inactive AND NOT reused "
            "UNION ALL SELECT %1, instrument_key, 'lot_changed', trading_symbol, %3, %4 "
            "FROM sync_diff WHERE %2 AND old_lot <> new_lot "
            "UNION ALL SELECT %1, instrument_key, 'tick_changed', trading_symbol, %5, %6 "
            "FROM sync_diff WHERE %2 AND old_tick <> new_tick "
            "UNION ALL SELECT %1, instrument_key, 'freeze_changed', trading_symbol, %7, %8 "
            "FROM sync_diff WHERE %2 AND old_freeze <> new_freeze")
            .arg(run, same, intText.arg(QStringLiteral("old_lot")),
                 intText.arg(QStringLiteral("new_lot")), numberText.arg(QStringLiteral("old_tick")),
                 numberText.arg(QStringLiteral("new_tick")),
                 intText.arg(QStringLiteral("old_freeze")),
                 intText.arg(QStringLiteral("new_freeze")), initialImport ? no : yes);
    if (auto r = timed("changes", m_db.exec(changes)); !r)
        return r.error();
    if (auto r = timed(
            "deactivated changes",
            m_db.exec(QStringLiteral(
                          "INSERT INTO instrument_changes (sync_run_id, instrument_key, "
                          "change, trading_symbol, old_value, new_value) "
                          "SELECT %1, i.instrument_key, 'deactivated', i.trading_symbol, "
                          "NULL, NULL FROM instruments i WHERE i.is_active = %2 AND NOT "
                          "EXISTS (SELECT 1 FROM %3 s WHERE s.instrument_key = i.instrument_key) "
                          "AND NOT EXISTS (SELECT 1 FROM %4 k WHERE k.instrument_key = "
                          "i.instrument_key)")
                          .arg(run, yes, staging, kept)));
        !r)
        return r.error();
    // Listed, but only by invalid or conflicting rows: the stored contract stays as it is.
    auto keptRows = m_db.query(
        QStringLiteral("SELECT i.instrument_key FROM instruments i JOIN %1 k ON "
                       "k.instrument_key = i.instrument_key WHERE i.is_active = %2 ORDER BY 1")
            .arg(kept, yes));
    if (!keptRows)
        return keptRows.error();
    while (keptRows->next()) {
        if (counts.kept++ < ExampleKeys)
            counts.keptKeys.push_back(keptRows->value(0).toString().toStdString());
    }
    keptRows->finish();
    for (const std::string &key : d->conflictingKeys) {
        if (static_cast<int>(counts.conflictingKeys.size()) == ExampleKeys)
            break;
        counts.conflictingKeys.push_back(key);
    }

    auto sums = m_db.query(QStringLiteral("SELECT sum(%1), sum(%2), sum(%3) FROM sync_diff")
                               .arg(asInt.arg(QStringLiteral("is_new")),
                                    asInt.arg(QStringLiteral("reused")),
                                    asInt.arg(QStringLiteral("data_changed OR was_inactive"))));
    if (!sums)
        return sums.error();
    if (sums->next()) {
        counts.inserted = sums->value(0).toLongLong();
        counts.keysReused = sums->value(1).toLongLong();
        counts.updated = sums->value(2).toLongLong();
    }
    sums->finish(); // SQLite: an open read cursor would lock the tables dropped below
    auto deactivated = m_db.scalar(QStringLiteral("SELECT count(*) FROM instrument_changes WHERE "
                                                  "sync_run_id = %1 AND change = 'deactivated'")
                                       .arg(run));
    if (!deactivated)
        return deactivated.error();
    counts.deactivated = deactivated->toLongLong();
    counts.unchanged = counts.staged - counts.inserted - counts.updated;

    // 3. Writes, each touching only what it must. New rows:
    if (auto r =
            timed("insert new",
                  m_db.exec(QStringLiteral(
                                "INSERT INTO instruments (%1, is_active, first_seen_sync, "
                                "last_seen_sync) SELECT %2, %3, %4, %4 FROM %5 s JOIN sync_diff d "
                                "ON d.instrument_key = s.instrument_key WHERE d.is_new")
                                .arg(QLatin1String(DataColumns),
                                     QStringLiteral("s.instrument_key, ") +
                                         sqlList(ComparedColumns, std::size(ComparedColumns),
                                                 QStringLiteral("s.{c}"), QStringLiteral(", ")),
                                     yes, run, staging)));
        !r)
        return r.error();
    // Changed or reactivated rows: every column; a reused key starts a new life.
    if (auto r =
            timed("update changed",
                  m_db.exec(QStringLiteral(
                                "UPDATE instruments SET %1, is_active = %2, "
                                "first_seen_sync = CASE WHEN d.reused THEN %3 ELSE "
                                "instruments.first_seen_sync END, last_seen_sync = %3 "
                                "FROM %4 s JOIN sync_diff d ON d.instrument_key = s.instrument_key "
                                "WHERE s.instrument_key = instruments.instrument_key AND "
                                "(d.data_changed OR d.was_inactive)")
                                .arg(sqlList(ComparedColumns, std::size(ComparedColumns),
                                             QStringLiteral("{c} = s.{c}"), QStringLiteral(", ")),
                                     yes, run, staging)));
        !r)
        return r.error();
    // Unchanged rows: only the run that last saw them (no indexed column: cheap, HOT in PG).
    if (auto r = timed(
            "touch unchanged",
            m_db.exec(QStringLiteral("UPDATE instruments SET last_seen_sync = %1 FROM sync_diff d "
                                     "WHERE d.instrument_key = instruments.instrument_key AND NOT "
                                     "d.is_new AND NOT d.data_changed AND NOT d.was_inactive")
                          .arg(run)));
        !r)
        return r.error();
    // Soft delete: whatever today's file no longer lists (found above). Never a DELETE.
    if (auto r = timed("soft delete",
                       m_db.exec(QStringLiteral("UPDATE instruments SET is_active = %1 FROM "
                                                "instrument_changes c WHERE c.sync_run_id = %2 AND "
                                                "c.change = 'deactivated' AND "
                                                "c.instrument_key = instruments.instrument_key")
                                     .arg(no, run)));
        !r)
        return r.error();
    if (sqlite) {
        if (auto r = m_db.exec(QStringLiteral("DROP TABLE temp.sync_staging")); !r)
            return r.error();
        if (auto r = m_db.exec(QStringLiteral("DROP TABLE temp.sync_diff")); !r)
            return r.error();
        if (auto r = m_db.exec(QStringLiteral("DROP TABLE temp.sync_kept")); !r)
            return r.error();
    }
    return counts;
}

// ---- hydration ----------------------------------------------------------------------------

Result<std::int64_t>
InstrumentStore::loadActive(const std::function<void(InstrumentRecord &&)> &sink)
{
    std::int64_t rows = 0;
    InstrumentRecord record;
    Column cols[DataColumnCount];
    auto bad = [](std::string_view key, const char *column) {
        return Error::make(
            ErrorCode::Database,
            QStringLiteral("the instruments table holds an unreadable row (%1, "
                           "column %2): the database is damaged or was edited by hand")
                .arg(QString::fromUtf8(key.data(), static_cast<int>(key.size())),
                     QLatin1String(column)));
    };
    if (d->sqlite) {
        sqlite3 *h = m_db.sqliteHandle();
        if (!h)
            return Error::make(ErrorCode::Internal, QStringLiteral("no native SQLite handle"));
        sqlite3_stmt *s = nullptr;
        const QByteArray sql = QStringLiteral("SELECT %1 FROM instruments WHERE is_active = 1")
                                   .arg(QLatin1String(DataColumns))
                                   .toUtf8();
        if (sqlite3_prepare_v2(h, sql.constData(), -1, &s, nullptr) != SQLITE_OK)
            return Error::make(ErrorCode::Database, QStringLiteral("cannot read instruments: %1")
                                                        .arg(QString::fromUtf8(sqlite3_errmsg(h))));
        int rc;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            for (int i = 0; i < DataColumnCount; ++i) {
                const auto *text = reinterpret_cast<const char *>(sqlite3_column_text(s, i));
                if (text)
                    cols[i] = std::string_view(
                        text, static_cast<std::size_t>(sqlite3_column_bytes(s, i)));
                else
                    cols[i].reset();
            }
            if (const char *column = recordFromColumns(cols, record)) {
                const Error e = bad(cols[0].value_or(std::string_view()), column);
                sqlite3_finalize(s);
                return e;
            }
            sink(std::move(record));
            record = InstrumentRecord{};
            ++rows;
        }
        const QString message = QString::fromUtf8(sqlite3_errmsg(h));
        sqlite3_finalize(s);
        if (rc != SQLITE_DONE)
            return Error::make(ErrorCode::Database,
                               QStringLiteral("reading instruments failed: %1").arg(message));
        return rows;
    }

    pg_conn *conn = m_db.postgresHandle();
    if (!conn)
        return Error::make(ErrorCode::Internal, QStringLiteral("no native PostgreSQL handle"));
    const QByteArray sql =
        QStringLiteral("COPY (SELECT %1 FROM instruments WHERE is_active) TO STDOUT")
            .arg(QLatin1String(DataColumns))
            .toUtf8();
    PGresult *res = PQexec(conn, sql.constData());
    const bool ok = PQresultStatus(res) == PGRES_COPY_OUT;
    PQclear(res);
    if (!ok)
        return Error::make(ErrorCode::Database,
                           QStringLiteral("cannot read instruments: %1").arg(pgError(conn)));
    std::optional<Error> failure;
    for (;;) {
        char *line = nullptr;
        const int len = PQgetCopyData(conn, &line, 0);
        if (len < 0)
            break;
        if (!failure) {
            char *p = line;
            char *end = line + len;
            if (end > p && end[-1] == '\n')
                --end;
            for (int i = 0; i < DataColumnCount; ++i) {
                char *tab =
                    static_cast<char *>(std::memchr(p, '\t', static_cast<std::size_t>(end - p)));
                char *fieldEnd = tab ? tab : end;
                if (fieldEnd - p == 2 && p[0] == '\\' && p[1] == 'N')
                    cols[i].reset();
                else
                    cols[i] = unescapeCopyField(p, fieldEnd);
                p = tab ? tab + 1 : end;
            }
            if (const char *column = recordFromColumns(cols, record)) {
                failure = bad(cols[0].value_or(std::string_view()), column);
            } else {
                sink(std::move(record));
                record = InstrumentRecord{};
                ++rows;
            }
        }
        PQfreemem(line);
    }
    QString resultError;
    while (PGresult *r = PQgetResult(conn)) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK && resultError.isEmpty())
            resultError = QString::fromUtf8(PQresultErrorMessage(r)).trimmed();
        PQclear(r);
    }
    if (failure)
        return *failure;
    if (!resultError.isEmpty() || PQstatus(conn) != CONNECTION_OK)
        return Error::make(ErrorCode::Database,
                           QStringLiteral("reading instruments failed: %1")
                               .arg(resultError.isEmpty() ? pgError(conn) : resultError));
    return rows;
}

} // namespace strikeline
