#include "DatabaseConfig.h"

#include <QDir>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QUrl>

#include <algorithm>

namespace strikeline {

namespace {
// The URL as it may appear in a message: any password replaced, whatever else is wrong with it
// (up to the last '@', so a password holding an unencoded '@' or '/' goes whole).
QString redactUrl(const QString &url)
{
    static const QRegularExpression password(
        QStringLiteral("^([a-zA-Z][a-zA-Z0-9+.-]*://[^:@/]*):\\S*@"));
    QString out = url;
    out.replace(password, QStringLiteral("\\1:***@"));
    return out;
}

// Where a '?' query or '#' fragment starts, or -1.
qsizetype firstParameter(const QString &url)
{
    const qsizetype query = url.indexOf(QLatin1Char('?'));
    const qsizetype fragment = url.indexOf(QLatin1Char('#'));
    if (query < 0)
        return fragment;
    return fragment < 0 ? query : std::min(query, fragment);
}

Error invalid(const QString &url, const QString &why)
{
    return Error::make(ErrorCode::InvalidArgument,
                       QStringLiteral("bad database URL '%1': %2").arg(redactUrl(url), why));
}
} // namespace

Result<DatabaseConfig> DatabaseConfig::parse(const QString &url)
{
    DatabaseConfig c;
    const QString trimmed = url.trimmed();
    if (trimmed.startsWith(QLatin1String("sqlite:"), Qt::CaseInsensitive)) {
        c.backend = DatabaseBackend::Sqlite;
        QString rest = trimmed.mid(7);
        if (rest == QLatin1String(":memory:")) {
            c.path = rest;
            return c;
        }
        // sqlite:///abs/path -> /abs/path; sqlite://relative -> relative; sqlite:file -> file
        if (rest.startsWith(QLatin1String("//")))
            rest = rest.mid(2);
        if (rest.isEmpty())
            return invalid(trimmed, QStringLiteral("no file path (use sqlite:///path/file.db)"));
        if (const qsizetype extra = firstParameter(trimmed); extra >= 0) {
            // Never a file named "x.db?password=...": SQLite takes no parameters.
            return invalid(trimmed.left(extra) + QStringLiteral("..."),
                           QStringLiteral("SQLite takes no parameters ('?...' or '#...'; a "
                                          "password means nothing to it). A '?' or '#' in the "
                                          "file name is written %3F or %23."));
        }
        c.path = QDir::cleanPath(QUrl::fromPercentEncoding(rest.toUtf8()));
        return c;
    }
    const QUrl u(trimmed, QUrl::StrictMode);
    const QString scheme = u.scheme().toLower();
    if (scheme == QLatin1String("postgresql") || scheme == QLatin1String("postgres")) {
        if (!u.isValid()) // Qt's own message quotes the raw URL, password and all: not used
            return invalid(trimmed, QStringLiteral("not a valid URL (check the port and any "
                                                   "special characters in the password)"));
        if (u.hasQuery() || u.hasFragment()) {
            // Quoted from its parsed parts: no user, password or parameter value in a message.
            return invalid(QStringLiteral("%1://%2%3?...").arg(scheme, u.host(), u.path()),
                           QStringLiteral("parameters ('?...') are not supported: libpq reads "
                                          "its environment variables (PGSSLMODE, PGPASSWORD, "
                                          "...) and ~/.pgpass"));
        }
        c.backend = DatabaseBackend::Postgres;
        c.host = u.host();
        if (c.host.isEmpty())
            return invalid(trimmed, QStringLiteral("no host"));
        c.port = u.port(5432);
        if (c.port <= 0 || c.port > 65535)
            return invalid(trimmed, QStringLiteral("bad port"));
        c.user = u.userName();
        c.password = u.password();
        c.database = u.path().mid(1);
        if (c.database.isEmpty() || c.database.contains(QLatin1Char('/')))
            return invalid(trimmed, QStringLiteral("no database name (use "
                                                   "postgresql://user@host:port/database)"));
        return c;
    }
    return invalid(trimmed, QStringLiteral("use sqlite:///path/file.db or "
                                           "postgresql://user@host:port/database"));
}

DatabaseConfig DatabaseConfig::defaultSqlite()
{
    DatabaseConfig c;
    c.backend = DatabaseBackend::Sqlite;
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    c.path = QDir(dir).filePath(QStringLiteral("strikeline.db"));
    return c;
}

QString DatabaseConfig::redacted() const
{
    if (backend == DatabaseBackend::Sqlite)
        return path == QLatin1String(":memory:") ? QStringLiteral("sqlite::memory:")
                                                 : QStringLiteral("sqlite://") + path;
    QString auth = user;
    if (!password.isEmpty())
        auth += QStringLiteral(":***");
    return QStringLiteral("postgresql://%1%2%3:%4/%5")
        .arg(auth, auth.isEmpty() ? QString() : QStringLiteral("@"), host)
        .arg(port)
        .arg(database);
}

} // namespace strikeline
