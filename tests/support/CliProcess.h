#pragma once

// strikeline-cli as a user runs it, for the CLI tests: a real process whose XDG data and config
// folders point into a scratch home, so no test ever touches a real user's database, settings
// or order journal. The test target defines STRIKELINE_CLI_PATH.

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QProcess>
#include <QString>
#include <QStringList>

namespace strikeline::testing {

struct CliRun
{
    int exitCode = -1; // -2: crashed; -1: did not finish in time
    QByteArray out;
    QByteArray err;

    QJsonObject json() const { return QJsonDocument::fromJson(out).object(); }
    // The stable codes of a verdict's "reasons" (validate, order).
    QStringList reasonCodes() const
    {
        QStringList codes;
        for (const QJsonValue &r : json().value(QLatin1String("reasons")).toArray())
            codes << r.toObject().value(QLatin1String("code")).toString();
        return codes;
    }
};

// Runs `strikeline-cli <args>`; `home` empty keeps the caller's XDG folders. `environment`
// adds to (an empty value: removes from) the caller's environment.
inline CliRun runCli(const QString &home, const QStringList &args, int timeoutMs = 120000,
                     const QMap<QString, QString> &environment = {})
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (auto it = environment.begin(); it != environment.end(); ++it) {
        if (it.value().isEmpty())
            env.remove(it.key());
        else
            env.insert(it.key(), it.value());
    }
    if (!home.isEmpty()) {
        env.insert(QStringLiteral("XDG_DATA_HOME"), home + QStringLiteral("/data"));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), home + QStringLiteral("/config"));
    }
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(STRIKELINE_CLI_PATH), args);
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        return {};
    }
    return CliRun{p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2,
                  p.readAllStandardOutput(), p.readAllStandardError()};
}

} // namespace strikeline::testing
