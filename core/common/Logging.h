#pragma once

// Logging for both programs: spdlog's default logger, set up once at the top of main().
//
//   level     default (desktop info, CLI warn) < settings key "logging/level" < SPDLOG_LEVEL
//             < --log-level (trace|debug|info|warn|error|critical|off)
//   stderr    always (the CLI's stdout is for answers and JSON)
//   file      <AppLocalDataLocation>/logs/<program>.log, rotating at 5 MB, 5 files kept: the
//             desktop always, the CLI only with --log-file
//
// Every sink sits behind a redacting sink: a message never reaches a console or a file with a
// password or token in it, whoever wrote it (our code, Qt's warnings, a library). Redacted:
// URL passwords (postgresql://user:***@host), key=value / "key": value for password, secret,
// token, api key and the like, Authorization headers, Bearer tokens, JWTs, and every string
// registered with addSecret() wherever it appears.

#include "common/Result.h"

#include <QString>
#include <QStringList>

#include <spdlog/common.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace strikeline::logging {

// "trace|debug|info|warn|error|critical|off", for usage messages.
QString levelNames();
// A level name (case-insensitive; "warning" too); anything else is an InvalidArgument error.
Result<spdlog::level::level_enum> parseLevel(const QString &text);

// The logging options a program's command line carries, wherever they are on it.
struct LogArguments
{
    std::optional<spdlog::level::level_enum> level; // --log-level LEVEL, --log-level=LEVEL
    bool logFile = false;                           // --log-file
};

// Takes --log-level and --log-file out of `arguments` (so a subcommand's parser never sees
// them). A missing or unknown level is an InvalidArgument error naming the valid ones.
Result<LogArguments> takeLogArguments(QStringList &arguments);

// <AppLocalDataLocation>/logs, e.g. ~/.local/share/Strikeline/strikeline/logs on Linux.
QString defaultLogDirectory();

struct LogConfig
{
    std::string program = "strikeline"; // logger name; the file is <program>.log
    spdlog::level::level_enum level = spdlog::level::info;
    bool toStderr = true;
    QString directory; // rotating log files here; empty: no file
    std::size_t maxFileBytes = 5 * 1024 * 1024;
    std::size_t maxFiles = 5;      // <program>.log plus .1 ... .(maxFiles - 1)
    bool captureQtMessages = true; // qDebug/qWarning/... go through the same (redacting) sinks
};

// Replaces spdlog's default logger. On error (a log folder that cannot be created), logging
// still goes to stderr and the error says why the file is missing.
Result<void> configure(const LogConfig &config);

struct ProgramDefaults
{
    std::string program;
    spdlog::level::level_enum level = spdlog::level::info;
    bool fileByDefault = false; // the desktop logs to a file without being asked
};

// What a main() calls first (after the application's names are set): takes the logging options
// out of `arguments`, reads the settings key and SPDLOG_LEVEL, and configures the logger. An
// InvalidArgument error is a usage error for the caller to print (exit 2); any other error is
// a warning already logged (logging to stderr still works).
Result<LogConfig> setUp(QStringList &arguments, const ProgramDefaults &defaults);

// Registers a secret (a password, an API token) to be redacted from every message from now on,
// wherever it appears. Strings shorter than 3 characters are covered by the patterns only.
void addSecret(const QString &secret);
// Registers text that is already safe to show and is kept whole wherever it appears, even where
// a registered secret occurs inside it: a database URL as DatabaseConfig::redacted() gives it,
// whose user, host or database may happen to equal the password. The patterns still apply.
void addShownText(const QString &text);

// The redaction itself (patterns and registered secrets), for text that is shown rather than
// logged, such as strikeline-cli's error messages.
std::string redact(std::string_view text);
QString redact(const QString &text);

} // namespace strikeline::logging
