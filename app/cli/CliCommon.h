#pragma once

// Shared conventions of strikeline-cli's subcommands.
//
// Exit codes: 0 ok, 1 data error or not found (a clear message on stderr), 2 usage error,
// 3 an order the validator (or the broker) rejected (`validate`, `order`), 4 `order` placed
// nothing because its --tag names an order already placed today (docs/cli.md).
// Every subcommand gets its own arguments (argv without the program and subcommand name),
// parses them with QCommandLineParser, prints tables for people or JSON with --json.

#include "common/Result.h"
#include "instruments/InstrumentSnapshot.h"
#include "storage/DatabaseConfig.h"

#include <QSocketNotifier>
#include <QStringList>
#include <QTextStream>

#include <csignal>
#include <memory>
#include <optional>

class QCommandLineOption;
class QCommandLineParser;

namespace strikeline {
class Clock;
}

namespace strikeline::cli {

enum ExitCode : int {
    ExitOk = 0,
    ExitDataError = 1,
    ExitUsage = 2,
    ExitRejected = 3,
    ExitDuplicate = 4,
};

QTextStream &out();
QTextStream &err();

// The clock --at asks for: a ShiftedClock running from that moment (the simulator's --at), else
// the system's. A malformed --at is an InvalidArgument error.
Result<std::unique_ptr<Clock>> runningClock(const QCommandLineParser &parser,
                                            const QCommandLineOption &at);

// Prints "strikeline-cli <command>: <message>" to stderr and returns the code.
int fail(const QString &command, const QString &message, int code = ExitDataError);
// The same for a core Error: a bad argument is a usage error (2), anything else a data error (1).
int fail(const QString &command, const Error &error);

enum class Positional { Allowed, Forbidden };

// Parses a subcommand's arguments (long options, --help). Returns the exit code when the
// command should stop here: --help printed (0), or a usage error reported (2), among them an
// option given more than once (refuseRepeatedOptions: every command, as the local API does).
std::optional<int> parseCommandLine(QCommandLineParser &parser, const QString &command,
                                    const QStringList &arguments,
                                    Positional positional = Positional::Allowed);

// A usage error (2) when an option was given more than once (`--side buy --side sell`): the
// last one silently winning would place an order the trader did not mean.
std::optional<int> refuseRepeatedOptions(const QCommandLineParser &parser, const QString &command);

// --db URL, or the embedded default SQLite database when the option is not given.
Result<DatabaseConfig> databaseConfig(const QCommandLineParser &parser,
                                      const QCommandLineOption &option);

// The snapshot a command answers from: the --master file, else the --db database (default: the
// embedded one). Warnings about skipped rows go to stderr, prefixed with the command's name.
Result<SnapshotPtr> loadSnapshot(const QCommandLineParser &parser, const QCommandLineOption &master,
                                 const QCommandLineOption &db, const QString &command);
// Says on stderr when contracts of the snapshot had expired by `today`: the master is stale.
void warnIfStale(const InstrumentSnapshot &snapshot, EpochDay today, bool includeExpired,
                 const QString &command);

// Subcommands: `arguments` excludes the program name and the subcommand itself.
int runGenerateMaster(const QStringList &arguments);
int runSearch(const QStringList &arguments);
int runChain(const QStringList &arguments);
int runInfo(const QStringList &arguments);
int runSync(const QStringList &arguments);
int runHistory(const QStringList &arguments);
int runValidate(const QStringList &arguments); // OrderCommands.cpp
int runOrder(const QStringList &arguments);    // OrderCommands.cpp
int runHalt(const QStringList &arguments);     // OrderCommands.cpp: the kill switch
int runResume(const QStringList &arguments);
int runOrders(const QStringList &arguments); // OrderBookCommands.cpp: the day's orders
int runModify(const QStringList &arguments);
int runCancel(const QStringList &arguments);
int runPositions(const QStringList &arguments);
int runFunds(const QStringList &arguments);
int runServe(const QStringList &arguments);
int runLogin(const QStringList &arguments); // SessionCommands.cpp
// Registers the values of --client-secret and --code as secrets before anything logs the
// command line (SessionCommands.cpp).
void registerSecretArguments(const QStringList &arguments);
int runLogout(const QStringList &arguments); // SessionCommands.cpp
int runWhoami(const QStringList &arguments); // SessionCommands.cpp
int runQuotes(const QStringList &arguments); // MarketCommands.cpp
int runGreeks(const QStringList &arguments); // AnalyticsCommands.cpp

// `chain UNDERLYING --live` (MarketCommands.cpp): `chain` is the expiry's whole ladder.
struct LiveChainRequest
{
    SnapshotPtr snapshot;
    OptionChain chain;
    IstMoment asOf;       // the market's time at the start
    bool atGiven = false; // --at: run a clock from asOf (a simulator), else the system's
    int strikesAround = 10;
    bool json = false;
    int underlyingWaitMs = 10'000; // for the underlying's or the future's first price
    int legWaitMs = 15'000;        // for every visible leg's first tick
};
int runLiveChain(const LiveChainRequest &request);

// SIGINT/SIGTERM -> one byte into a socket pair -> QSocketNotifier -> QCoreApplication::quit():
// the handler does nothing but an async-signal-safe write, the shutdown happens in the event
// loop. For the long-running commands (serve, upstox-sim); one at a time per process.
class StopSignals final
{
public:
    StopSignals();
    ~StopSignals();
    StopSignals(const StopSignals &) = delete;
    StopSignals &operator=(const StopSignals &) = delete;

    bool ok() const { return m_installed; }

private:
    int m_fds[2] = {-1, -1};
    std::unique_ptr<QSocketNotifier> m_notifier;
    struct sigaction m_oldInt = {};
    struct sigaction m_oldTerm = {};
    bool m_installed = false;
};

} // namespace strikeline::cli
