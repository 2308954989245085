#include "DatabaseConfig.h"

#include <QDir>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QUrl>

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
        c.path = QDir::cleanPath(QUrl::fromPercentEncoding(rest.toUtf8()));
        return c;
    }
    const QUrl u(trimmed, QUrl::StrictMode);
    const QString scheme = u.scheme().toLower();
    if (scheme == QLatin1String("postgresql") || scheme == QLatin1String("postgres")) {
        if (!u.isValid()) // Qt's own message quotes the raw URL, password and all: not used
            return invalid(trimmed, QStringLiteral("not a valid URL (check the port and any "
                                                   "special characters in the password)"));
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
