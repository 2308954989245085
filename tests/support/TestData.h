#pragma once

// Locating the real Upstox masters (../shared/data/upstox) and generated fixtures in tests.
// On a machine without the real files, tests that need them skip with a clear message; with
// STRIKELINE_REQUIRE_REAL_DATA=1 (CI) they fail instead. Data small enough to ship with the
// project lives in tests/data (its README says how each file was made): a test that uses it is
// declared with strikeline_use_test_data() and finds it with shippedFile(), on every clone.

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

#ifdef STRIKELINE_TEST_DATA_DIR
inline QString shippedFile(const QString &relativePath)
{
    return QDir(QStringLiteral(STRIKELINE_TEST_DATA_DIR)).filePath(relativePath);
}
#endif

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
