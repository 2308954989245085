// strikeline-cli: the terminal's answers on a headless box. No Widgets here.

#include "CliCommon.h"

#include <QCoreApplication>

#include <functional>
#include <map>

namespace {

using strikeline::cli::err;
using strikeline::cli::out;

void printUsage(QTextStream &stream)
{
    stream << "Usage: strikeline-cli <command> [options]\n"
              "\n"
              "Commands:\n"
              "  search QUERY [--limit N]             instruments ranked by intent\n"
              "  chain UNDERLYING [--expiry YYYY-MM-DD] [--spot PRICE] [--strikes N]\n"
              "                                       an option chain with moneyness\n"
              "  info KEY_OR_SYMBOL                   a contract's rules: lot, tick, freeze\n"
              "  generate-master --rows N --seed S --out FILE [--date YYYY-MM-DD]\n"
              "                                       a synthetic Upstox-format master\n"
              "\n"
              "Common options: --master FILE (json.gz, json, csv.gz), --at \"YYYY-MM-DD[ HH:MM]\"\n"
              "(IST, default now), --json. Run 'strikeline-cli <command> --help' for more.\n"
              "Exit codes: 0 ok, 1 data error or not found, 2 usage.\n";
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
    };
    const auto it = commands.find(command);
    if (it == commands.end()) {
        err() << "strikeline-cli: unknown command '" << command << "'\n\n";
        printUsage(err());
        return strikeline::cli::ExitUsage;
    }
    return it->second(args);
}
