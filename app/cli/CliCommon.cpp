#include "CliCommon.h"

#include "common/Logging.h"

#include <QCommandLineParser>

namespace strikeline::cli {

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

QTextStream &err()
{
    static QTextStream stream(stderr);
    return stream;
}

int fail(const QString &command, const QString &message, int code)
{
    // Messages may quote what the user typed (a database URL): never echo a password.
    err() << "strikeline-cli " << command << ": " << logging::redact(message) << Qt::endl;
    return code;
}

int fail(const QString &command, const Error &error)
{
    return fail(command, error.message,
                error.code == ErrorCode::InvalidArgument ? ExitUsage : ExitDataError);
}

std::optional<int> parseCommandLine(QCommandLineParser &parser, const QString &command,
                                    const QStringList &arguments, Positional positional)
{
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    if (!parser.parse(QStringList{QStringLiteral("strikeline-cli ") + command} + arguments))
        return fail(command, parser.errorText(), ExitUsage);
    if (parser.isSet(QStringLiteral("help"))) {
        out() << parser.helpText();
        return ExitOk;
    }
    if (positional == Positional::Forbidden && !parser.positionalArguments().isEmpty()) {
        return fail(command,
                    QStringLiteral("unexpected argument '%1'")
                        .arg(parser.positionalArguments().constFirst()),
                    ExitUsage);
    }
    return std::nullopt;
}

} // namespace strikeline::cli
