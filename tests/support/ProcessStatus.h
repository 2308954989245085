#pragma once

// Reading this process's memory figures from /proc/self/status (Linux), for the benchmarks'
// peak-RSS lines.

#include <QByteArray>
#include <QFile>

namespace strikeline::testing {

// A "Vm…:" field of /proc/self/status in kB (VmRSS, VmHWM …), or -1 if unavailable.
inline long processStatusKb(const char *field)
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray name = QByteArray(field) + ':';
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith(name))
            return line.mid(name.size()).trimmed().split(' ').front().toLong();
    }
    return -1;
}

} // namespace strikeline::testing
