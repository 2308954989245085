#pragma once

#include "DatabaseConfig.h"
#include "common/Result.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QVariant>

#include <memory>

struct sqlite3;
struct pg_conn;

namespace strikeline {

// One database connection, owned by the thread that opened it (Qt SQL's rule): open it inside
// the worker that uses it, never share it. Opening applies the schema migrations in sql/.
class Database
{
public:
    ~Database(); // closes the connection and removes it from Qt's registry

    enum class OpenMode {
        Create,   // a SQLite file and its directory are created if missing; any schema migrated
        Existing, // for commands that only read: a missing SQLite file or a database without
                  // Strikeline's schema is a NotFound error, and nothing is created
    };

    // Opens and migrates (an existing schema is brought up to date in either mode). `purpose`
    // names the connection in logs and in pg_stat_activity ("sync", "hydrate", ...).
    static Result<std::unique_ptr<Database>>
    open(const DatabaseConfig &config, const QString &purpose, OpenMode mode = OpenMode::Create);

    DatabaseBackend backend() const { return m_config.backend; }
    const DatabaseConfig &config() const { return m_config; }
    QSqlDatabase &sql() { return m_db; }
    int schemaVersion() const { return m_schemaVersion; }

    Result<void> exec(const QString &statement);
    // Runs a prepared statement with positional values; returns the active query.
    Result<QSqlQuery> query(const QString &statement, const QVariantList &values = {});
    // The first column of the first row, or an invalid QVariant when there is no row.
    Result<QVariant> scalar(const QString &statement, const QVariantList &values = {});

    Result<void> begin();
    // A read-only transaction whose reads all see one snapshot (SQLite: a deferred transaction
    // in WAL; PostgreSQL: REPEATABLE READ). End it with commit() or rollback().
    Result<void> beginSnapshot();
    Result<void> commit();
    void rollback(); // best effort: used on the error path

    // The driver's native handle for the bulk paths (COPY, sqlite3 prepared statements).
    sqlite3 *sqliteHandle() const;
    pg_conn *postgresHandle() const;

    // A Qt SQL error with context, for Result.
    static Error error(const QString &what, const QSqlError &sqlError);

    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

private:
    explicit Database(DatabaseConfig config);
    Result<void> connect(const QString &purpose, OpenMode mode);
    Result<void> migrate(OpenMode mode);

    DatabaseConfig m_config;
    QString m_connectionName;
    QSqlDatabase m_db;
    int m_schemaVersion = 0;
};

} // namespace strikeline
