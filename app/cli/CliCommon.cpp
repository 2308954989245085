#include "CliCommon.h"

#include "common/Logging.h"

#include <QCommandLineParser>
#include <QSet>

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

std::optional<int> refuseRepeatedOptions(const QCommandLineParser &parser, const QString &command)
{
    // optionNames() lists every option as typed, a repeated one as often as it was given;
    // values() gathers an option's values under all of its names (--side and an alias alike).
    QSet<QString> seen;
    for (const QString &name : parser.optionNames()) {
        const QStringList values = parser.values(name);
        if (values.size() > 1) {
            return fail(command,
                        QStringLiteral("--%1 is given %2 times ('%3'): give it once")
                            .arg(name)
                            .arg(values.size())
                            .arg(values.join(QStringLiteral("', '"))),
                        ExitUsage);
        }
        if (seen.contains(name))
            return fail(command, QStringLiteral("--%1 is given twice: give it once").arg(name),
                        ExitUsage);
        seen.insert(name);
    }
    return std::nullopt;
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
    if (auto repeated = refuseRepeatedOptions(parser, command))
        return repeated;
    if (positional == Positional::Forbidden && !parser.positionalArguments().isEmpty()) {
        return fail(command,
                    QStringLiteral("unexpected argument '%1'")
                        .arg(parser.positionalArguments().constFirst()),
                    ExitUsage);
    }
    return std::nullopt;
}

} // namespace strikeline::cli
