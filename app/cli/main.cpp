// strikeline-cli: the terminal's answers on a headless box. No Widgets here.

#include "CliCommon.h"
#include "common/Logging.h"

#include <QCoreApplication>

#include <spdlog/spdlog.h>

#include <functional>
#include <map>

namespace strikeline::cli {
int runUpstoxSim(const QStringList &arguments); // SimCommand.cpp
} // namespace strikeline::cli

namespace {

using strikeline::cli::err;
using strikeline::cli::out;

void printUsage(QTextStream &stream)
{
    stream
        << "Usage: strikeline-cli <command> [options]\n"
           "\n"
           "Commands:\n"
           "  search QUERY [--limit N]             instruments ranked by intent\n"
           "  chain UNDERLYING [--expiry YYYY-MM-DD] [--spot PRICE] [--strikes N]\n"
           "                                       an option chain with moneyness\n"
           "  info KEY_OR_SYMBOL                   a contract's rules: lot, tick, freeze\n"
           "  generate-master --rows N --seed S --out FILE [--date YYYY-MM-DD]\n"
           "                                       a synthetic Upstox-format master\n"
           "  sync [--source URL|FILE] [--force]   the master into the database\n"
           "  history [--changes RUN]              sync runs and what they changed\n"
           "  validate --key K --side buy|sell --qty N --type market|limit|sl|sl-m\n"
           "           [--price P] [--trigger T] [--product I|D] [--validity day|ioc] [--ltp P]\n"
           "                                       pre-trade checks of one order\n"
           "  order (validate's options) --paper|--live [--tag ID] [--journal DIR]\n"
           "                                       place one order: paper, or Upstox for real\n"
           "  orders [--live] [--json]             today's orders (--live: reconciled with\n"
           "                                       Upstox's book first)\n"
           "  modify ID [--price P] [--qty N] [--trigger T] [--type TYPE]\n"
           "                                       change a working order\n"
           "  cancel ID | --all                    cancel one working order, or every one\n"
           "  positions [--live] [--json]          open positions (paper, or Upstox's)\n"
           "  funds [--json]                       Upstox's funds and margin\n"
           "  halt [--reason TEXT] [--cancel-all] | resume\n"
           "                                       the kill switch: refuse every new order\n"
           "                                       (here, in the terminal, its API) or not\n"
           "  serve [--port N] [--bind ADDR] [--orders [--live]]\n"
           "                                       the local HTTP API (docs/api.md)\n"
           "  login [--client-id ID --client-secret S --redirect-uri URI] [--code CODE]\n"
           "                                       log in to Upstox (your own API app)\n"
           "  logout                               forget the Upstox token\n"
           "  whoami [--json]                      profile, funds and token expiry\n"
           "  quotes KEY... [--mode ltpc|option_greeks|full] [--count N|--seconds S] [--stats]\n"
           "                                       live ticks from the Upstox feed\n"
           "  upstox-sim --master FILE|--db URL --port N [--at T] [--seed S] [--fault F]\n"
           "                                       a local Upstox (docs/upstox-sim.md)\n"
           "  greeks --type CE|PE --forward F --strike K --price P --expiry YYYY-MM-DD\n"
           "         [--at T] [--rate R] [--basis calendar|trading] [--segment SEG] [--json]\n"
           "                                       IV and Greeks of one option (Black-76)\n"
           "\n"
           "Common options: --db URL (sqlite:///file.db or postgresql://user@host/db; default\n"
           "the embedded SQLite database), --master FILE (read a file instead of the database),\n"
           "--at \"YYYY-MM-DD[ HH:MM]\" (IST, default now), --json.\n"
           "Logging: --log-level trace|debug|info|warn|error|off (default warn, or the\n"
           "settings key logging/level, or SPDLOG_LEVEL) to stderr; --log-file also writes\n"
           "the log to the log folder (see docs/install.md).\n"
           "Run 'strikeline-cli <command> --help' for more.\n"
           "Exit codes: 0 ok, 1 data error or not found, 2 usage, 3 order rejected, 4 order\n"
           "already placed under that --tag (nothing new placed).\n";
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("strikeline"));
    QCoreApplication::setOrganizationName(QStringLiteral("Strikeline"));
    QCoreApplication::setApplicationVersion(QStringLiteral(STRIKELINE_VERSION));

    QStringList args = QCoreApplication::arguments();
    args.removeFirst();
    // Logs go to stderr (stdout is for answers and JSON), warnings and up unless --log-level,
    // SPDLOG_LEVEL or the settings ask for more; passwords and tokens are redacted.
    if (auto logging = strikeline::logging::setUp(args, {"strikeline-cli", spdlog::level::warn});
        !logging && logging.error().code == strikeline::ErrorCode::InvalidArgument) {
        err() << "strikeline-cli: " << logging.error().message << Qt::endl;
        return strikeline::cli::ExitUsage;
    }
    strikeline::cli::registerSecretArguments(args);
    spdlog::info("strikeline-cli {}: {}", STRIKELINE_VERSION, args.join(u' ').toStdString());
    if (args.isEmpty()) {
        printUsage(err());
        return strikeline::cli::ExitUsage;
    }
    const QString command = args.takeFirst();
    if (command == QLatin1String("--help") || command == QLatin1String("-h") ||
        command == QLatin1String("help")) {
        printUsage(out());
        return strikeline::cli::ExitOk;
    }
    if (command == QLatin1String("--version") || command == QLatin1String("-v")) {
        out() << "strikeline-cli " << QCoreApplication::applicationVersion() << Qt::endl;
        return strikeline::cli::ExitOk;
    }

    const std::map<QString, std::function<int(const QStringList &)>> commands = {
        {QStringLiteral("search"), strikeline::cli::runSearch},
        {QStringLiteral("chain"), strikeline::cli::runChain},
        {QStringLiteral("info"), strikeline::cli::runInfo},
        {QStringLiteral("generate-master"), strikeline::cli::runGenerateMaster},
        {QStringLiteral("sync"), strikeline::cli::runSync},
        {QStringLiteral("history"), strikeline::cli::runHistory},
        {QStringLiteral("validate"), strikeline::cli::runValidate},
        {QStringLiteral("order"), strikeline::cli::runOrder},
        {QStringLiteral("halt"), strikeline::cli::runHalt},
        {QStringLiteral("resume"), strikeline::cli::runResume},
        {QStringLiteral("orders"), strikeline::cli::runOrders},
        {QStringLiteral("modify"), strikeline::cli::runModify},
        {QStringLiteral("cancel"), strikeline::cli::runCancel},
        {QStringLiteral("positions"), strikeline::cli::runPositions},
        {QStringLiteral("funds"), strikeline::cli::runFunds},
        {QStringLiteral("serve"), strikeline::cli::runServe},
        {QStringLiteral("login"), strikeline::cli::runLogin},
        {QStringLiteral("logout"), strikeline::cli::runLogout},
        {QStringLiteral("whoami"), strikeline::cli::runWhoami},
        {QStringLiteral("quotes"), strikeline::cli::runQuotes},
        {QStringLiteral("upstox-sim"), strikeline::cli::runUpstoxSim},
        {QStringLiteral("greeks"), strikeline::cli::runGreeks},
    };
    const auto it = commands.find(command);
    if (it == commands.end()) {
        err() << "strikeline-cli: unknown command '" << command << "'\n\n";
        printUsage(err());
        return strikeline::cli::ExitUsage;
    }
    return it->second(args);
}
