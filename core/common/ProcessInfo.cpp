#include "ProcessInfo.h"

#include <QByteArray>
#include <QFile>
#include <QSysInfo>

#include <cerrno>
#include <csignal>
#include <optional>
#include <sys/types.h>
#include <unistd.h>

namespace strikeline {

namespace {

QByteArray readProcFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

struct ProcStat
{
    char state = '?';
    std::optional<QDateTime> started; // UTC
};

// /proc/<pid>/stat: "pid (comm) state ppid ... starttime(22) ...". comm may hold spaces and
// parentheses: the fields after it start after the last ')'.
std::optional<ProcStat> procStat(std::int64_t pid)
{
    const QByteArray stat = readProcFile(QStringLiteral("/proc/%1/stat").arg(pid));
    const auto close = stat.lastIndexOf(')');
    if (close < 0)
        return std::nullopt;
    const QList<QByteArray> fields = stat.mid(close + 2).split(' ');
    if (fields.size() < 20)
        return std::nullopt;
    ProcStat out;
    out.state = fields[0].isEmpty() ? '?' : fields[0][0];
    // fields[0] is field 3 (state), so starttime (field 22) is fields[19], in clock ticks
    // since boot; the boot time is /proc/stat's "btime" in seconds since the epoch.
    bool ok = false;
    const qint64 ticks = fields[19].toLongLong(&ok);
    const long hz = ::sysconf(_SC_CLK_TCK);
    if (ok && hz > 0) {
        for (const QByteArray &line : readProcFile(QStringLiteral("/proc/stat")).split('\n')) {
            if (!line.startsWith("btime "))
                continue;
            const qint64 boot = line.mid(6).trimmed().toLongLong(&ok);
            if (ok) {
                out.started =
                    QDateTime::fromMSecsSinceEpoch(boot * 1000 + ticks * 1000 / hz, Qt::UTC);
            }
        }
    }
    return out;
}

} // namespace

QString thisHostName()
{
    return QSysInfo::machineHostName();
}

std::int64_t thisProcessId()
{
    return static_cast<std::int64_t>(::getpid());
}

bool processIsGone(std::int64_t pid, const QDateTime &ownedSince)
{
    if (pid <= 0)
        return false; // not a process id we recorded: cannot tell
    if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)
        return true;
    const std::optional<ProcStat> stat = procStat(pid);
    if (!stat)
        return false; // alive (or another user's process /proc does not show): in doubt
    if (stat->state == 'Z' || stat->state == 'X')
        return true; // exited, not yet reaped by its parent
    // /proc's start time is only as exact as the boot time (whole seconds) and the clock tick:
    // allow a few seconds before calling it a different process.
    return stat->started && ownedSince.isValid() && *stat->started > ownedSince.addSecs(5);
}

} // namespace strikeline
