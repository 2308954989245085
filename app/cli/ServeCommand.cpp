// serve: the local HTTP API (docs/api.md) over a snapshot hydrated once at start.

#include "CliCommon.h"
#include "api/ApiServer.h"
#include "api/ApiToken.h"
#include "instruments/InstrumentRepository.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QUrl>

namespace strikeline::cli {

namespace {

constexpr quint16 DefaultPort = api::DefaultApiPort;

} // namespace

int runServe(const QStringList &arguments)
{
    const QString command = QStringLiteral("serve");
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Serve the instruments over a local HTTP API (see docs/api.md)."));
    const QCommandLineOption master(QStringLiteral("master"),
                                    QStringLiteral("Serve this master file (json.gz, json, "
                                                   "csv.gz) instead of the database."),
                                    QStringLiteral("FILE"));
    const QCommandLineOption db(QStringLiteral("db"),
                                QStringLiteral("Database URL (default: the embedded SQLite "
                                               "database)."),
                                QStringLiteral("URL"));
    const QCommandLineOption port(QStringLiteral("port"),
                                  QStringLiteral("TCP port (default %1; 0: any free port, "
                                                 "printed at start).")
                                      .arg(DefaultPort),
                                  QStringLiteral("N"), QString::number(DefaultPort));
    const QCommandLineOption bind(QStringLiteral("bind"),
                                  QStringLiteral("Address to listen on (default 127.0.0.1)."),
                                  QStringLiteral("ADDR"), QStringLiteral("127.0.0.1"));
    const QCommandLineOption allowRemote(
        QStringLiteral("allow-remote"),
        QStringLiteral("Allow --bind to a non-loopback address (plain HTTP on the network)."));
    parser.addOptions({master, db, port, bind, allowRemote});
    parser.addHelpOption();
    if (auto stop = parseCommandLine(parser, command, arguments, Positional::Forbidden))
        return *stop;

    bool ok = false;
    const uint portNumber = parser.value(port).toUInt(&ok);
    if (!ok || portNumber > 65535)
        return fail(command, QStringLiteral("--port must be a number from 0 to 65535"), ExitUsage);
    QHostAddress address;
    const QString bindText = parser.value(bind);
    if (bindText == QLatin1String("localhost"))
        address = QHostAddress(QHostAddress::LocalHost);
    else if (!address.setAddress(bindText))
        return fail(command, QStringLiteral("--bind '%1' is not an IP address").arg(bindText),
                    ExitUsage);
    const bool remote = !address.isLoopback();
    if (remote && !parser.isSet(allowRemote)) {
        return fail(command,
                    QStringLiteral("--bind %1 would serve the API to the network (plain HTTP); "
                                   "add --allow-remote if that is really wanted")
                        .arg(bindText),
                    ExitUsage);
    }

    // The token first: a configuration problem should not wait for a 124k-row hydration.
    auto token = api::loadOrCreateToken(api::defaultTokenDirectory());
    if (!token)
        return fail(command, token.error());
    auto snapshot = loadSnapshot(parser, master, db, command);
    if (!snapshot)
        return fail(command, snapshot.error());
    const SystemClock clock;
    warnIfStale(**snapshot, clock.now().day(), false, command);

    InstrumentRepository repository;
    repository.publish(*snapshot);
    api::ApiServerConfig config;
    config.address = address;
    config.port = static_cast<quint16>(portNumber);
    config.token = token->token;
    config.allowNonLoopback = remote;
    api::ApiServer server(repository, clock, config);
    const StopSignals signals;
    if (!signals.ok())
        return fail(command, QStringLiteral("cannot install the SIGINT/SIGTERM handlers"));
    const auto listening = server.listen();
    if (!listening)
        return fail(command, listening.error());

    if (remote) {
        err() << "strikeline-cli serve: warning: listening on " << address.toString()
              << ", reachable from the network over plain HTTP; anyone with the token can use "
                 "it"
              << Qt::endl;
    }
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(address.toString());
    url.setPort(*listening);
    url.setPath(QStringLiteral("/api/v1/"));
    const QString base = url.toString();
    out() << "Serving " << (*snapshot)->size() << " instruments from "
          << (*snapshot)->info().description << '\n'
          << "API: " << base << '\n'
          << "Token file: " << token->path << (token->created ? " (created)" : "") << '\n'
          << "Try: curl -H \"Authorization: Bearer $(cat '" << token->path << "')\" " << base
          << "health\n"
          << "Stop with Ctrl+C (SIGINT) or SIGTERM." << Qt::endl;

    QCoreApplication::exec();
    server.close();
    out() << "Stopped." << Qt::endl;
    return ExitOk;
}

} // namespace strikeline::cli
