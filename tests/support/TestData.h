#pragma once

// Locating the real Upstox masters (../shared/data/upstox) and generated fixtures in tests.
// On a machine without the real files, tests that need them skip with a clear message; with
// STRIKELINE_REQUIRE_REAL_DATA=1 (CI) they fail instead.

#include <QDir>
#include <QFileInfo>
#include <QString>
#include <QTest>

namespace strikeline::testdata {

inline QString realDataDir()
{
    const QByteArray dir = qgetenv("STRIKELINE_REAL_DATA_DIR");
    return dir.isEmpty() ? QString() : QString::fromLocal8Bit(dir);
}

inline bool realDataRequired()
{
    return qgetenv("STRIKELINE_REQUIRE_REAL_DATA") == "1";
}

inline QString realFile(const QString &name)
{
    return QDir(realDataDir()).filePath(name);
}

} // namespace strikeline::testdata

// Use inside a test function: resolves `var` to the real file's path or skips/fails.
#define STRIKELINE_REQUIRE_REAL_FILE(var, name)                                                    \
    const QString var = strikeline::testdata::realFile(QStringLiteral(name));                      \
    do {                                                                                           \
        if (!QFileInfo::exists(var)) {                                                             \
            if (strikeline::testdata::realDataRequired())                                          \
                QFAIL(qPrintable(QStringLiteral("real master missing (required): ") + var));       \
            QSKIP(qPrintable(QStringLiteral("real master not on this machine: ") + var));          \
        }                                                                                          \
    } while (false)
