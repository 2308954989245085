#include "CliCommon.h"

#include "common/IstTime.h"
#include "common/Logging.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QSet>

#include <cerrno>
#include <sys/socket.h>
#include <unistd.h>

namespace strikeline::cli {

Result<std::unique_ptr<Clock>> runningClock(const QCommandLineParser &parser,
                                            const QCommandLineOption &at)
{
    if (!parser.isSet(at))
        return std::unique_ptr<Clock>(std::make_unique<SystemClock>());
    auto moment = parseIstMoment(parser.value(at));
    if (!moment)
        return Error::make(ErrorCode::InvalidArgument, moment.error().message);
    return std::unique_ptr<Clock>(std::make_unique<ShiftedClock>(*moment));
}

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

namespace {
int g_stopSignalWriteFd = -1;

extern "C" void onStopSignal(int)
{
    const int saved = errno;
    const char byte = 1;
    [[maybe_unused]] const auto written = ::write(g_stopSignalWriteFd, &byte, 1);
    errno = saved;
}
} // namespace

StopSignals::StopSignals()
{
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, m_fds) != 0)
        return;
    g_stopSignalWriteFd = m_fds[0];
    m_notifier = std::make_unique<QSocketNotifier>(m_fds[1], QSocketNotifier::Read);
    QObject::connect(m_notifier.get(), &QSocketNotifier::activated, QCoreApplication::instance(),
                     [this] {
                         char byte = 0;
                         [[maybe_unused]] const auto read = ::read(m_fds[1], &byte, 1);
                         QCoreApplication::quit();
                     });
    struct sigaction action = {};
    action.sa_handler = onStopSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    ::sigaction(SIGINT, &action, &m_oldInt);
    ::sigaction(SIGTERM, &action, &m_oldTerm);
    m_installed = true;
}

StopSignals::~StopSignals()
{
    if (m_installed) {
        ::sigaction(SIGINT, &m_oldInt, nullptr);
        ::sigaction(SIGTERM, &m_oldTerm, nullptr);
    }
    m_notifier.reset();
    g_stopSignalWriteFd = -1;
    if (m_fds[0] >= 0) {
        ::close(m_fds[0]);
        ::close(m_fds[1]);
    }
}

} // namespace strikeline::cli
