// upstox-sim: a local Upstox on 127.0.0.1 for rehearsals and tests (docs/upstox-sim.md).

#include "CliCommon.h"
#include "common/IstTime.h"
#include "common/Logging.h"
#include "instruments/InstrumentRepository.h"
#include "marketdata/SimulatedMarket.h"
#include "sim/SimContext.h"
#include "sim/UpstoxSim.h"
#include "sim/feed/FeedReplay.h"
#include "sim/feed/SimFeedStreams.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <cmath>

namespace strikeline::cli {

int runUpstoxSim(const QStringList &arguments)
{
    const QString command = QStringLiteral("upstox-sim");
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("A local Upstox on 127.0.0.1: login, REST and WebSockets over a simulated "
                       "market (docs/upstox-sim.md)."));
    const sim::SimCredentials defaults;
    const QCommandLineOption master(QStringLiteral("master"),
                                    QStringLiteral("The instrument master to trade (json.gz, "
                                                   "json, csv.gz)."),
                                    QStringLiteral("FILE"));
    const QCommandLineOption db(QStringLiteral("db"),
                                QStringLiteral("Take the instruments from this database instead."),
                                QStringLiteral("URL"));
    const QCommandLineOption port(QStringLiteral("port"),
                                  QStringLiteral("TCP port on 127.0.0.1 (0: any free port)."),
                                  QStringLiteral("N"));
    const QCommandLineOption at(QStringLiteral("at"),
                                QStringLiteral("Simulated IST clock at start, \"YYYY-MM-DD "
                                               "HH:MM\" (default now); it then runs."),
                                QStringLiteral("TIME"));
    const QCommandLineOption seed(QStringLiteral("seed"),
                                  QStringLiteral("Seed of the simulated market (default 1)."),
                                  QStringLiteral("S"), QStringLiteral("1"));
    const QCommandLineOption speed(QStringLiteral("speed"),
                                   QStringLiteral("How much faster than real time the simulated "
                                                  "clock runs (default 1)."),
                                   QStringLiteral("X"), QStringLiteral("1"));
    const QCommandLineOption clientId(
        QStringLiteral("client-id"),
        QStringLiteral("The API key to accept (default %1).").arg(defaults.clientId),
        QStringLiteral("ID"), defaults.clientId);
    const QCommandLineOption clientSecret(
        QStringLiteral("client-secret"),
        QStringLiteral("The API secret to accept (default %1).").arg(defaults.clientSecret),
        QStringLiteral("S"), defaults.clientSecret);
    const QCommandLineOption redirectUri(QStringLiteral("redirect-uri"),
                                         QStringLiteral("The registered redirect URI (default "
                                                        "%1).")
                                             .arg(defaults.redirectUri),
                                         QStringLiteral("URI"), defaults.redirectUri);
    const QCommandLineOption analyticsToken(
        QStringLiteral("analytics-token"),
        QStringLiteral("The read-only Analytics Token to accept for market data (default %1; "
                       "empty: none).")
            .arg(QString::fromUtf8(defaults.analyticsToken)),
        QStringLiteral("T"), QString::fromUtf8(defaults.analyticsToken));
    const QCommandLineOption fault(
        QStringLiteral("fault"),
        QStringLiteral("Turn a fault on at start: %1 (repeatable).")
            .arg(sim::UpstoxSim::faultNames().join(QStringLiteral(", "))),
        QStringLiteral("NAME[=VALUE]"));
    const QCommandLineOption tickRate(QStringLiteral("tick-rate"),
                                      QStringLiteral("Feed frames per second across all "
                                                     "subscriptions (default 0: a realistic "
                                                     "market)."),
                                      QStringLiteral("N"), QStringLiteral("0"));
    const QCommandLineOption replay(
        QStringLiteral("replay"),
        QStringLiteral("Serve this feed recording (a .slfeed.gz file) instead of the simulated "
                       "ticks, --speed times faster; the clock starts at its first frame unless "
                       "--at is given."),
        QStringLiteral("FILE"));
    parser.addOptions({master, db, port, at, seed, speed, clientId, clientSecret, redirectUri,
                       analyticsToken, fault, tickRate, replay});
    parser.addHelpOption();
    // --fault may repeat; every other option may not (parseCommandLine refuses repeats, so the
    // faults are taken out first and put back as one list).
    QStringList rest;
    QStringList faults;
    for (qsizetype i = 0; i < arguments.size(); ++i) {
        const QString &a = arguments[i];
        if (a == QLatin1String("--fault")) {
            if (i + 1 >= arguments.size())
                return fail(command, QStringLiteral("--fault needs NAME[=VALUE]"), ExitUsage);
            faults.append(arguments[++i]);
        } else if (a.startsWith(QLatin1String("--fault="))) {
            faults.append(a.mid(8));
        } else {
            rest.append(a);
        }
    }
    if (auto stop = parseCommandLine(parser, command, rest, Positional::Forbidden))
        return *stop;
    if (parser.isSet(master) == parser.isSet(db))
        return fail(command, QStringLiteral("give the instruments: --master FILE or --db URL"),
                    ExitUsage);
    if (!parser.isSet(port))
        return fail(command, QStringLiteral("--port N is required (0: any free port)"), ExitUsage);
    bool ok = false;
    const uint portNumber = parser.value(port).toUInt(&ok);
    if (!ok || portNumber > 65535)
        return fail(command, QStringLiteral("--port must be a number from 0 to 65535"), ExitUsage);
    const std::uint64_t seedValue = parser.value(seed).toULongLong(&ok);
    if (!ok)
        return fail(command, QStringLiteral("--seed must be a non-negative whole number"),
                    ExitUsage);
    const double speedValue = parser.value(speed).toDouble(&ok);
    if (!ok || !(speedValue > 0) || speedValue > 100000 || !std::isfinite(speedValue))
        return fail(command, QStringLiteral("--speed must be a number above 0 (at most 100000)"),
                    ExitUsage);
    const int tickRateValue = parser.value(tickRate).toInt(&ok);
    if (!ok || tickRateValue < 0 || tickRateValue > 1'000'000)
        return fail(command, QStringLiteral("--tick-rate must be a whole number from 0 to 1000000"),
                    ExitUsage);
    std::unique_ptr<sim::FeedReplay> recording;
    if (parser.isSet(replay)) {
        auto opened = sim::FeedReplay::open(parser.value(replay));
        if (!opened)
            return fail(command, QStringLiteral("--replay: %1").arg(opened.error().message));
        recording = std::move(*opened);
    }
    IstMoment start = recording ? IstMoment{recording->firstFrameMs()} : SystemClock().now();
    if (parser.isSet(at)) {
        auto parsed = parseIstMoment(parser.value(at));
        if (!parsed)
            return fail(command, QStringLiteral("--at: %1").arg(parsed.error().message), ExitUsage);
        start = *parsed;
    }
    sim::UpstoxSimOptions options;
    options.credentials.clientId = parser.value(clientId);
    options.credentials.clientSecret = parser.value(clientSecret);
    options.credentials.redirectUri = parser.value(redirectUri);
    options.credentials.analyticsToken = parser.value(analyticsToken).toUtf8();
    if (options.credentials.clientId.isEmpty() || options.credentials.clientSecret.isEmpty() ||
        !QUrl(options.credentials.redirectUri, QUrl::StrictMode).isValid() ||
        QUrl(options.credentials.redirectUri).scheme().isEmpty())
        return fail(command,
                    QStringLiteral("--client-id and --client-secret must not be empty and "
                                   "--redirect-uri must be an absolute URL"),
                    ExitUsage);
    options.faults = faults;
    // The secret the simulator accepts never reaches a log from here on.
    logging::addSecret(options.credentials.clientSecret);
    if (!options.credentials.analyticsToken.isEmpty())
        logging::addSecret(QString::fromUtf8(options.credentials.analyticsToken));

    auto snapshot = loadSnapshot(parser, master, db, command);
    if (!snapshot)
        return fail(command, snapshot.error());
    const ShiftedClock clock(start, speedValue);
    InstrumentRepository repository;
    repository.publish(*snapshot);
    SimulationParams params;
    params.seed = seedValue;
    SimulatedMarket market(repository, clock, params);
    sim::SimEventBus events;
    sim::SimContext context{repository, market, clock, events, tickRateValue, seedValue};
    // The market-data feed and the portfolio stream behind the front door. UpstoxSim advances
    // the simulated market (once a second); the feed reads it, so prices move once, not twice.
    sim::MarketFeedServer::Options feedOptions;
    feedOptions.advanceMarket = false;
    feedOptions.replay = recording.get();
    feedOptions.replaySpeed = speedValue;
    sim::SimFeedStreams streams(context, feedOptions);
    sim::UpstoxSim simulator(context, &streams, options);
    const StopSignals signals;
    if (!signals.ok())
        return fail(command, QStringLiteral("cannot install the SIGINT/SIGTERM handlers"));
    const auto listening = simulator.start(static_cast<quint16>(portNumber));
    if (!listening)
        return fail(command, listening.error());
    out() << "listening on " << simulator.httpUrl() << Qt::endl;
    QCoreApplication::exec();
    return ExitOk;
}

} // namespace strikeline::cli
