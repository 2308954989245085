#include "Database.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSqlDriver>
#include <QSqlError>
#include <QThread>

#include <algorithm>
#include <atomic>
#include <libpq-fe.h>
#include <sqlite3.h>

namespace strikeline {

namespace {

std::atomic_int connectionCounter{0};

// Splits a migration file into statements: each ends with ';' at the end of a line, and
// full-line comments are dropped. (Our migrations hold no procedural code with inner ';'.)
QStringList statementsOf(const QString &script)
{
    QStringList statements;
    QString current;
    for (const QString &line : script.split(QLatin1Char('\n'))) {
        const QString trimmed = line.trimmed();
        if (trimmed.isEmpty() || trimmed.startsWith(QLatin1String("--")))
            continue;
        current += line + QLatin1Char('\n');
        if (trimmed.endsWith(QLatin1Char(';'))) {
            statements << current.trimmed().chopped(1);
            current.clear();
        }
    }
    if (!current.trimmed().isEmpty())
        statements << current.trimmed();
    return statements;
}

struct Migration
{
    int version;
    QString name;
    QString path;
};

QList<Migration> migrationsFor(DatabaseBackend backend)
{
    const QString dir = backend == DatabaseBackend::Sqlite ? QStringLiteral(":/sql/sqlite")
                                                           : QStringLiteral(":/sql/postgres");
    QList<Migration> out;
    const QStringList files =
        QDir(dir).entryList({QStringLiteral("*.sql")}, QDir::Files, QDir::Name);
    for (const QString &file : files) {
        bool ok = false;
        const int version = file.section(QLatin1Char('_'), 0, 0).toInt(&ok);
        if (ok)
            out.push_back(
                {version, file.section(QLatin1Char('.'), 0, 0), dir + QLatin1Char('/') + file});
    }
    return out;
}

} // namespace

Database::Database(DatabaseConfig config)
    : m_config(std::move(config))
{}

Database::~Database()
{
    if (m_db.isValid()) {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_connectionName);
    }
}

Error Database::error(const QString &what, const QSqlError &sqlError)
{
    QString detail = sqlError.databaseText().trimmed();
    if (detail.isEmpty())
        detail = sqlError.driverText().trimmed();
    if (detail.isEmpty())
        detail = sqlError.text().trimmed();
    return Error::make(ErrorCode::Database, what + QStringLiteral(": ") + detail);
}

Result<std::unique_ptr<Database>> Database::open(const DatabaseConfig &config,
                                                 const QString &purpose, OpenMode mode)
{
    std::unique_ptr<Database> db(new Database(config));
    if (auto c = db->connect(purpose, mode); !c)
        return c.error();
    if (auto m = db->migrate(mode); !m)
        return m.error();
    return db;
}

Result<void> Database::connect(const QString &purpose, OpenMode mode)
{
    m_connectionName =
        QStringLiteral("strikeline-%1-%2").arg(purpose).arg(connectionCounter.fetch_add(1) + 1);
    if (m_config.backend == DatabaseBackend::Sqlite) {
        if (m_config.path != QLatin1String(":memory:") && mode == OpenMode::Existing) {
            const QFileInfo info(m_config.path);
            if (!info.exists())
                return Error::make(ErrorCode::NotFound,
                                   QStringLiteral("there is no database at %1 (a command that only "
                                                  "reads creates none: check the path, or sync "
                                                  "into it first)")
                                       .arg(m_config.redacted()));
            if (!info.isFile())
                return Error::make(
                    ErrorCode::NotFound,
                    QStringLiteral("%1 is not a database file").arg(m_config.redacted()));
        } else if (m_config.path != QLatin1String(":memory:")) {
            const QFileInfo info(m_config.path);
            if (!QDir().mkpath(info.absolutePath())) {
                return Error::make(
                    ErrorCode::Database,
                    QStringLiteral("cannot create the directory for %1").arg(m_config.redacted()));
            }
        }
        m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
        m_db.setDatabaseName(m_config.path);
        // A writer holds the lock for a whole sync; readers never wait (WAL), other writers
        // wait this long before giving up with "database is locked".
        m_db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    } else {
        m_db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), m_connectionName);
        m_db.setHostName(m_config.host);
        m_db.setPort(m_config.port);
        m_db.setDatabaseName(m_config.database);
        if (!m_config.user.isEmpty())
            m_db.setUserName(m_config.user);
        if (!m_config.password.isEmpty())
            m_db.setPassword(m_config.password);
        m_db.setConnectOptions(
            QStringLiteral("connect_timeout=10;application_name=strikeline-%1").arg(purpose));
    }
    if (!m_db.isValid()) {
        return Error::make(ErrorCode::Database,
                           QStringLiteral("the Qt SQL driver for %1 is not installed")
                               .arg(m_config.backend == DatabaseBackend::Sqlite
                                        ? QStringLiteral("SQLite (libqt6sql6-sqlite)")
                                        : QStringLiteral("PostgreSQL (libqt6sql6-psql)")));
    }
    if (!m_db.open())
        return error(QStringLiteral("cannot open %1").arg(m_config.redacted()), m_db.lastError());
    if (m_config.backend == DatabaseBackend::Postgres) {
        // A sync's staging and diff tables are temporary tables of ~30 MB: with the default
        // 8 MB of temp_buffers they would spill to disk. Only settable before the session first
        // touches a temporary table, hence here; the memory is used only when needed.
        if (auto r = exec(QStringLiteral("SET temp_buffers = '64MB'")); !r)
            return r;
    }
    if (m_config.backend == DatabaseBackend::Sqlite) {
        for (const char *pragma :
             {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON"}) {
            if (auto r = exec(QString::fromLatin1(pragma)); !r)
                return r;
        }
    }
    return success();
}

Result<void> Database::exec(const QString &statement)
{
    QSqlQuery q(m_db);
    if (!q.exec(statement))
        return error(QStringLiteral("query failed (%1)").arg(statement.left(60).simplified()),
                     q.lastError());
    return success();
}

Result<QSqlQuery> Database::query(const QString &statement, const QVariantList &values)
{
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    if (!q.prepare(statement))
        return error(QStringLiteral("cannot prepare (%1)").arg(statement.left(60).simplified()),
                     q.lastError());
    for (const QVariant &v : values)
        q.addBindValue(v);
    if (!q.exec())
        return error(QStringLiteral("query failed (%1)").arg(statement.left(60).simplified()),
                     q.lastError());
    return q;
}

Result<QVariant> Database::scalar(const QString &statement, const QVariantList &values)
{
    auto q = query(statement, values);
    if (!q)
        return q.error();
    if (!q->next())
        return QVariant();
    return q->value(0);
}

Result<void> Database::begin()
{
    // SQLite: take the write lock now, so two writers fail fast instead of deadlocking later.
    if (m_config.backend == DatabaseBackend::Sqlite)
        return exec(QStringLiteral("BEGIN IMMEDIATE"));
    if (!m_db.transaction())
        return error(QStringLiteral("cannot begin a transaction"), m_db.lastError());
    return success();
}

Result<void> Database::beginSnapshot()
{
    return exec(m_config.backend == DatabaseBackend::Sqlite
                    ? QStringLiteral("BEGIN")
                    : QStringLiteral("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"));
}

Result<void> Database::commit()
{
    if (m_config.backend == DatabaseBackend::Sqlite)
        return exec(QStringLiteral("COMMIT"));
    if (!m_db.commit())
        return error(QStringLiteral("cannot commit"), m_db.lastError());
    return success();
}

void Database::rollback()
{
    if (m_config.backend == DatabaseBackend::Sqlite)
        (void)exec(QStringLiteral("ROLLBACK"));
    else
        m_db.rollback();
}

sqlite3 *Database::sqliteHandle() const
{
    const QVariant v = m_db.driver()->handle();
    if (m_config.backend != DatabaseBackend::Sqlite || !v.isValid() ||
        qstrcmp(v.typeName(), "sqlite3*") != 0)
        return nullptr;
    return *static_cast<sqlite3 *const *>(v.data());
}

pg_conn *Database::postgresHandle() const
{
    const QVariant v = m_db.driver()->handle();
    if (m_config.backend != DatabaseBackend::Postgres || !v.isValid() ||
        (qstrcmp(v.typeName(), "PGconn*") != 0 && qstrcmp(v.typeName(), "pg_conn*") != 0))
        return nullptr;
    return *static_cast<pg_conn *const *>(v.data());
}

Result<void> Database::migrate(OpenMode mode)
{
    const bool sqlite = m_config.backend == DatabaseBackend::Sqlite;
    const QList<Migration> migrations = migrationsFor(m_config.backend);
    if (migrations.isEmpty())
        return Error::make(ErrorCode::Internal, QStringLiteral("no migrations are built in"));
    // Read first, write only if needed: an up-to-date database is opened without taking a
    // write lock, so opening it while a sync holds SQLite's write lock does not wait.
    {
        auto exists =
            scalar(sqlite ? QStringLiteral("SELECT count(*) FROM sqlite_master WHERE "
                                           "type = 'table' AND name = 'schema_version'")
                          : QStringLiteral("SELECT count(*) FROM information_schema.tables "
                                           "WHERE table_schema = current_schema() AND "
                                           "table_name = 'schema_version'"));
        if (!exists)
            return exists.error();
        if (exists->toInt() == 0 && mode == OpenMode::Existing) {
            return Error::make(ErrorCode::NotFound,
                               QStringLiteral("%1 holds no Strikeline data (a command that only "
                                              "reads creates none: sync into it first)")
                                   .arg(m_config.redacted()));
        }
        if (exists->toInt() > 0) {
            // Every built-in version, not only the highest: migrations written on parallel
            // branches may land with a lower number than one already applied.
            auto applied = query(QStringLiteral("SELECT version FROM schema_version"));
            if (!applied)
                return applied.error();
            QList<int> versions;
            while (applied->next())
                versions << applied->value(0).toInt();
            const bool upToDate =
                std::all_of(migrations.begin(), migrations.end(),
                            [&](const Migration &m) { return versions.contains(m.version); });
            if (upToDate) {
                m_schemaVersion = *std::max_element(versions.begin(), versions.end());
                return success();
            }
        }
    }
    if (auto r = exec(sqlite ? QStringLiteral("CREATE TABLE IF NOT EXISTS schema_version ("
                                              "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                                              "applied_at TEXT NOT NULL)")
                             : QStringLiteral("CREATE TABLE IF NOT EXISTS schema_version ("
                                              "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                                              "applied_at TIMESTAMPTZ NOT NULL)"));
        !r)
        return r;
    for (const Migration &m : migrations) {
        if (auto b = begin(); !b)
            return b;
        // Two terminals opening one PostgreSQL database at once: one migrates, the other
        // waits here and then finds the version applied.
        if (!sqlite) {
            if (auto l = exec(QStringLiteral("SELECT pg_advisory_xact_lock(7210001)")); !l) {
                rollback();
                return l;
            }
        }
        auto applied = scalar(
            QStringLiteral("SELECT count(*) FROM schema_version WHERE version = ?"), {m.version});
        if (!applied) {
            rollback();
            return applied.error();
        }
        if (applied->toInt() > 0) {
            rollback();
            m_schemaVersion = m.version;
            continue;
        }
        QFile file(m.path);
        if (!file.open(QIODevice::ReadOnly)) {
            rollback();
            return Error::make(ErrorCode::Internal,
                               QStringLiteral("cannot read migration %1").arg(m.path));
        }
        for (const QString &statement : statementsOf(QString::fromUtf8(file.readAll()))) {
            if (auto r = exec(statement); !r) {
                rollback();
                return Error::make(
                    ErrorCode::Database,
                    QStringLiteral("migration %1 failed: %2").arg(m.name, r.error().message));
            }
        }
        auto recorded =
            query(QStringLiteral("INSERT INTO schema_version (version, name, applied_at) "
                                 "VALUES (?, ?, ?)"),
                  {m.version, m.name, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)});
        if (!recorded) {
            rollback();
            return recorded.error();
        }
        if (auto c = commit(); !c)
            return c;
        m_schemaVersion = m.version;
    }
    return success();
}

} // namespace strikeline
