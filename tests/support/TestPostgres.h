#pragma once

// A real, throwaway PostgreSQL server for storage tests.
//
// Contract. ctest starts one server per build directory through the `postgres` fixture
// (tests/support/pg-test-server.sh; register a test with strikeline_use_postgres(<test>) in
// CMake) and runs each registered test with
//   STRIKELINE_TEST_PG_DIR=<build>/pg-test  whose `url` file holds
//                                           postgresql://strikeline@127.0.0.1:PORT/strikeline_test
//   STRIKELINE_REQUIRE_POSTGRES=1           no usable server is a failure, not a skip
// `strikeline` is a superuser (trust auth, loopback only), so tests may create databases and
// terminate backends. Leave strikeline_test itself empty: give every test case its own
// database (createScratchDatabase) so suites running in parallel never see each other's rows.
//
// Running a test binary by hand without STRIKELINE_TEST_PG_DIR skips these tests. To run them
// by hand: tests/support/pg-test-server.sh start /tmp/pg, then
// STRIKELINE_TEST_PG_DIR=/tmp/pg ./tst_x, then tests/support/pg-test-server.sh stop /tmp/pg.

#include "storage/DatabaseConfig.h"

#include <QAtomicInt>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QString>
#include <QTest>
#include <QVariant>

#include <optional>

namespace strikeline::testpg {

inline QString testPostgresDir()
{
    return QString::fromLocal8Bit(qgetenv("STRIKELINE_TEST_PG_DIR"));
}

// The test server's URL from $STRIKELINE_TEST_PG_DIR/url, or nullopt when none is configured.
inline std::optional<QString> testPostgresUrl()
{
    const QString dir = testPostgresDir();
    if (dir.isEmpty())
        return std::nullopt;
    QFile f(QDir(dir).filePath(QStringLiteral("url")));
    if (!f.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QString url = QString::fromUtf8(f.readAll()).trimmed();
    if (url.isEmpty())
        return std::nullopt;
    return url;
}

inline bool postgresRequired()
{
    return qgetenv("STRIKELINE_REQUIRE_POSTGRES") == "1";
}

// Why PostgreSQL tests cannot run here, or an empty string when they can.
inline QString postgresUnavailableReason()
{
    const QString dir = testPostgresDir();
    if (dir.isEmpty())
        return QStringLiteral("STRIKELINE_TEST_PG_DIR is not set (ctest sets it and starts a "
                              "throwaway server; by hand: tests/support/pg-test-server.sh start "
                              "DIR and export STRIKELINE_TEST_PG_DIR=DIR)");
    if (!testPostgresUrl())
        return QStringLiteral("no server URL in %1/url (did the postgres_start fixture fail? see "
                              "its output and %1/server.log)")
            .arg(dir);
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL")))
        return QStringLiteral("the Qt QPSQL driver is not installed (libqt6sql6-psql; make deps "
                              "installs it)");
    return {};
}

// Opens a QPSQL connection named `connectionName` to `url`. Check db.isOpen(); on failure
// *error says why. Remove the connection afterwards (ScopedConnection does both).
inline QSqlDatabase openPostgres(const QString &url, const QString &connectionName,
                                 QString *error = nullptr)
{
    const Result<DatabaseConfig> cfg = DatabaseConfig::parse(url);
    if (!cfg || cfg->backend != DatabaseBackend::Postgres) {
        if (error)
            *error =
                cfg ? QStringLiteral("not a PostgreSQL URL: %1").arg(url) : cfg.error().message;
        return {};
    }
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), connectionName);
    db.setHostName(cfg->host);
    db.setPort(cfg->port);
    db.setUserName(cfg->user);
    db.setPassword(cfg->password);
    db.setDatabaseName(cfg->database);
    db.setConnectOptions(QStringLiteral("connect_timeout=10;application_name=strikeline_tests"));
    if (!db.open() && error)
        *error =
            QStringLiteral("cannot connect to %1: %2").arg(cfg->redacted(), db.lastError().text());
    return db;
}

// A unique QSqlDatabase connection name with the given prefix.
inline QString uniqueConnectionName(const QString &prefix)
{
    static QAtomicInt counter;
    return QStringLiteral("%1_%2").arg(prefix).arg(counter.fetchAndAddRelaxed(1));
}

// An open connection that is closed and removed when it goes out of scope. Declare
// QSqlQuery objects after it (they must die first).
class ScopedConnection
{
public:
    explicit ScopedConnection(const QString &url,
                              const QString &prefix = QStringLiteral("strikeline_testpg"))
        : m_name(uniqueConnectionName(prefix))
    {
        openPostgres(url, m_name, &m_error);
    }
    ~ScopedConnection()
    {
        if (QSqlDatabase::contains(m_name)) {
            QSqlDatabase::database(m_name, false).close();
            QSqlDatabase::removeDatabase(m_name);
        }
    }
    ScopedConnection(const ScopedConnection &) = delete;
    ScopedConnection &operator=(const ScopedConnection &) = delete;

    QSqlDatabase db() const { return QSqlDatabase::database(m_name, false); }
    bool isOpen() const { return QSqlDatabase::contains(m_name) && db().isOpen(); }
    QString error() const { return m_error; }
    QString name() const { return m_name; }

private:
    QString m_name;
    QString m_error;
};

// Runs one statement on a short-lived connection to `url`; returns the first column of the
// first row (an invalid QVariant for statements without rows), or nullopt and *error.
inline std::optional<QVariant> execOnce(const QString &url, const QString &sql,
                                        const QVariantList &bindings = {}, QString *error = nullptr)
{
    const ScopedConnection conn(url, QStringLiteral("strikeline_testpg_admin"));
    if (!conn.isOpen()) {
        if (error)
            *error = conn.error();
        return std::nullopt;
    }
    QSqlQuery q(conn.db());
    bool ok = bindings.isEmpty() ? q.exec(sql) : q.prepare(sql);
    if (ok && !bindings.isEmpty()) {
        for (const QVariant &v : bindings)
            q.addBindValue(v);
        ok = q.exec();
    }
    if (!ok) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(sql, q.lastError().text());
        return std::nullopt;
    }
    return q.next() ? q.value(0) : QVariant();
}

inline QString quoteIdentifier(const QString &name)
{
    QString quoted = name;
    quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

// A database name derived from `hint` (lower-case letters, digits, _), made unique across
// processes and calls, within PostgreSQL's 63-byte limit.
inline QString uniqueDatabaseName(const QString &hint)
{
    static QAtomicInt counter;
    QString base;
    for (const QChar c : hint.toLower()) {
        const bool plain = (c >= QLatin1Char('a') && c <= QLatin1Char('z')) ||
                           (c >= QLatin1Char('0') && c <= QLatin1Char('9'));
        base += plain ? c : QLatin1Char('_');
    }
    const QString suffix =
        QStringLiteral("_%1_%2_%3")
            .arg(QCoreApplication::applicationPid())
            .arg(counter.fetchAndAddRelaxed(1))
            .arg(QRandomGenerator::global()->bounded(0x10000), 4, 16, QLatin1Char('0'));
    return QStringLiteral("t_") + base.left(63 - 2 - int(suffix.size())) + suffix;
}

struct ScratchDatabase
{
    QString name; // as created (already unique)
    QString url;  // postgresql://... of the new database
};

// Creates a fresh, empty database named after `hint` (made unique; see uniqueDatabaseName) on
// the server of `baseUrl`. Drop it with dropScratchDatabase, e.g. from a qScopeGuard.
inline std::optional<ScratchDatabase>
createScratchDatabase(const QString &baseUrl, const QString &hint, QString *error = nullptr)
{
    Result<DatabaseConfig> cfg = DatabaseConfig::parse(baseUrl);
    if (!cfg) {
        if (error)
            *error = cfg.error().message;
        return std::nullopt;
    }
    const QString name = uniqueDatabaseName(hint);
    if (!execOnce(baseUrl, QStringLiteral("CREATE DATABASE ") + quoteIdentifier(name), {}, error))
        return std::nullopt;
    QString auth = cfg->user;
    if (!cfg->password.isEmpty())
        auth += QLatin1Char(':') + cfg->password;
    const QString url = QStringLiteral("postgresql://%1%2%3:%4/%5")
                            .arg(auth, auth.isEmpty() ? QString() : QStringLiteral("@"), cfg->host)
                            .arg(cfg->port)
                            .arg(name);
    return ScratchDatabase{name, url};
}

// Drops `name` (if it exists) even while connections to it are open (WITH (FORCE)).
inline bool dropScratchDatabase(const QString &baseUrl, const QString &name,
                                QString *error = nullptr)
{
    return execOnce(
               baseUrl,
               QStringLiteral("DROP DATABASE IF EXISTS %1 WITH (FORCE)").arg(quoteIdentifier(name)),
               {}, error)
        .has_value();
}

// The server process id behind an open connection (for terminateBackend), or -1.
inline int backendPid(const QSqlDatabase &db)
{
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("SELECT pg_backend_pid()")) || !q.next())
        return -1;
    return q.value(0).toInt();
}

// Terminates every other session connected to database `dbName` (e.g. to kill a connection
// mid-sync) and waits up to 5 s for each to exit. Returns how many were terminated, or -1.
inline int terminateConnections(const QString &baseUrl, const QString &dbName,
                                QString *error = nullptr)
{
    const std::optional<QVariant> n = execOnce(
        baseUrl,
        QStringLiteral("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) "
                       "FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()"),
        {dbName}, error);
    return n ? n->toInt() : -1;
}

// Terminates the one session with server process id `pid` (see backendPid) and waits up to
// 5 s for it to exit. Returns whether it was terminated.
inline bool terminateBackend(const QString &baseUrl, int pid, QString *error = nullptr)
{
    const std::optional<QVariant> ok =
        execOnce(baseUrl, QStringLiteral("SELECT pg_terminate_backend(?, 5000)"), {pid}, error);
    return ok && ok->toBool();
}

} // namespace strikeline::testpg

// Use inside a void test function: declares `const QString var` holding the test server's URL,
// or skips (by hand, no server configured) / fails (under ctest: STRIKELINE_REQUIRE_POSTGRES=1).
#define STRIKELINE_REQUIRE_POSTGRES(var)                                                           \
    const QString var = strikeline::testpg::testPostgresUrl().value_or(QString());                 \
    do {                                                                                           \
        const QString whyNoPostgres_ = strikeline::testpg::postgresUnavailableReason();            \
        if (!whyNoPostgres_.isEmpty()) {                                                           \
            if (strikeline::testpg::postgresRequired())                                            \
                QFAIL(                                                                             \
                    qPrintable(QStringLiteral("PostgreSQL test server required but unusable: ") +  \
                               whyNoPostgres_));                                                   \
            QSKIP(qPrintable(QStringLiteral("no PostgreSQL test server: ") + whyNoPostgres_));     \
        }                                                                                          \
    } while (false)
