// serve: the local HTTP API (docs/api.md) over a snapshot hydrated once at start; with
// --orders also the order routes, through an OrderDesk (the journal, the paper broker, and with
// --live Upstox on the session, its portfolio stream running).

#include "CliCommon.h"
#include "OrderDesk.h"
#include "UpstoxAccess.h"
#include "api/ApiServer.h"
#include "api/ApiToken.h"
#include "broker/upstox/UpstoxPortfolio.h"
#include "instruments/InstrumentRepository.h"
#include "marketdata/SimulatedMarket.h"
#include "orders/KillSwitch.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QJsonArray>
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
    const QCommandLineOption orders(
        QStringLiteral("orders"),
        QStringLiteral("Serve the order routes too (POST/PUT/DELETE /api/v1/orders, positions, "
                       "funds) on the paper broker, through the order journal; the journal is "
                       "this process's while it serves."));
    const QCommandLineOption live(
        QStringLiteral("live"),
        QStringLiteral("With --orders: take live orders (\"live\": true) through Upstox, on the "
                       "daily session (strikeline-cli login), and serve its positions and "
                       "funds."));
    const QCommandLineOption journal(
        QStringLiteral("journal"),
        QStringLiteral("With --orders: the order journal's folder (default: the app-data "
                       "folder's journal/)."),
        QStringLiteral("DIR"));
    const QCommandLineOption at(QStringLiteral("at"),
                                QStringLiteral("The time in IST, \"YYYY-MM-DD[ HH:MM]\", then "
                                               "running (default: now); match the simulator's "
                                               "--at."),
                                QStringLiteral("TIME"));
    parser.addOptions({master, db, port, bind, allowRemote, orders, live, journal, at});
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
    if ((parser.isSet(live) || parser.isSet(journal)) && !parser.isSet(orders))
        return fail(command, QStringLiteral("--live and --journal go with --orders"), ExitUsage);
    const bool remote = !address.isLoopback();
    if (remote && parser.isSet(orders))
        return fail(command,
                    QStringLiteral("--orders is served on a loopback address only: orders over "
                                   "plain HTTP on the network are not offered"),
                    ExitUsage);
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
    // With --orders, --db is where the orders go (as for `order`), and --master, when given,
    // is where the contracts come from.
    auto snapshot = parser.isSet(orders) ? loadDeskInstruments(parser, master, db, command)
                                         : loadSnapshot(parser, master, db, command);
    if (!snapshot)
        return fail(command, snapshot.error());
    auto running = runningClock(parser, at);
    if (!running)
        return fail(command, running.error());
    const Clock &clock = **running;
    warnIfStale(**snapshot, clock.now().day(), false, command);

    InstrumentRepository repository;
    repository.publish(*snapshot);
    api::ApiServerConfig config;
    config.address = address;
    config.port = static_cast<quint16>(portNumber);
    config.token = token->token;
    config.allowNonLoopback = remote;
    api::ApiServer server(repository, clock, config);

    // The order routes: the same desk as `strikeline-cli order`, kept open while serving.
    std::unique_ptr<DeskRun> desk;
    QFileSystemWatcher haltWatcher;
    if (parser.isSet(orders)) {
        OrderDeskOptions options;
        options.journalDirectory =
            parser.isSet(journal) ? parser.value(journal) : defaultJournalDirectory();
        auto database = databaseConfig(parser, db);
        if (!database)
            return fail(command, database.error());
        options.database = *database;
        options.live = parser.isSet(live);
        auto deskClock = runningClock(parser, at); // its own, the same time
        if (!deskClock)
            return fail(command, deskClock.error());
        auto opened = DeskRun::open(*snapshot, options, std::move(*deskClock), command);
        if (!opened)
            return fail(command, opened.error());
        desk = std::move(*opened);
        // `halt` / `resume` from another shell reach the running server.
        const QString haltFile = defaultHaltFile();
        haltWatcher.addPath(QFileInfo(haltFile).absolutePath());
        QObject::connect(&haltWatcher, &QFileSystemWatcher::directoryChanged, &haltWatcher,
                         [&desk, command] { desk->killSwitch.set(haltStateFromFile(command)); });
        api::ApiTrading trading;
        trading.orders = &desk->desk->service();
        trading.paperPrices = desk->simulated.get();
        trading.allowLive = [live = options.live] { return live; };
        if (upstox::UpstoxClient *client = desk->desk->client()) {
            trading.funds = [client](QObject *context, api::ApiTrading::JsonAnswer done) {
                upstox::fetchFundsJson(*client, context, std::move(done));
            };
            trading.livePositions = [client](QObject *context, api::ApiTrading::JsonAnswer done) {
                upstox::fetchPositionsJson(*client, context, std::move(done));
            };
            desk->desk->startStream();
        }
        server.setTrading(std::move(trading));
    }
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
    if (desk) {
        out() << "Orders: journal "
              << (parser.isSet(journal) ? parser.value(journal) : defaultJournalDirectory())
              << (desk->desk->live() ? ", paper and LIVE through Upstox (\"live\": true)"
                                     : ", paper only")
              << Qt::endl;
    }

    QCoreApplication::exec();
    server.close();
    if (desk)
        desk->desk->service().waitPersisted(std::chrono::seconds(10));
    out() << "Stopped." << Qt::endl;
    return ExitOk;
}

} // namespace strikeline::cli
