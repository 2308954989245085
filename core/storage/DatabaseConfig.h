#pragma once

#include "common/Result.h"

#include <QString>

namespace strikeline {

enum class DatabaseBackend { Sqlite, Postgres };

// Where the records live, parsed from a URL:
//   sqlite:///absolute/path/strikeline.db    (or sqlite:relative.db, sqlite::memory:)
//   postgresql://user[:password]@host[:port]/database   (also postgres://)
// A PostgreSQL password may also come from PGPASSWORD or ~/.pgpass: libpq reads both itself
// when the URL has none. The password is never logged: use redacted() in messages.
struct DatabaseConfig
{
    DatabaseBackend backend = DatabaseBackend::Sqlite;
    QString path; // SQLite file, or ":memory:"
    QString host; // PostgreSQL
    int port = 5432;
    QString user;
    QString password;
    QString database;

    static Result<DatabaseConfig> parse(const QString &url);
    // The embedded default: strikeline.db in the platform's app-data directory.
    static DatabaseConfig defaultSqlite();

    QString redacted() const; // the URL with any password replaced by ***
};

} // namespace strikeline
