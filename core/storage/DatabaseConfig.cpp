#include "DatabaseConfig.h"

#include <QDir>
#include <QStandardPaths>
#include <QUrl>

namespace strikeline {

namespace {
Error invalid(const QString &url, const QString &why)
{
    // Never echo a password back: redact before quoting the URL.
    QUrl u(url);
    if (!u.password().isEmpty())
        u.setPassword(QStringLiteral("***"));
    return Error::make(ErrorCode::InvalidArgument,
                       QStringLiteral("bad database URL '%1': %2")
                           .arg(u.isValid() ? u.toString() : QStringLiteral("(unparsable)"), why));
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
        if (!u.isValid())
            return invalid(trimmed, u.errorString());
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
