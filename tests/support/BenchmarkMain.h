#pragma once

// The main() of our Google Benchmark programs: a QCoreApplication (Qt SQL and QStandardPaths
// want one), a measurement that must run first in a fresh process, then the benchmarks.

#include <QCoreApplication>
#include <QDir>

#include <benchmark/benchmark.h>

namespace strikeline::testing {

// Where a benchmark writes its journals and databases: STRIKELINE_BENCH_DIR (a real disk, for
// honest fsync figures), else the current folder.
inline QString benchDir()
{
    const QString dir = qEnvironmentVariable("STRIKELINE_BENCH_DIR", QDir::currentPath());
    QDir().mkpath(dir);
    return dir;
}

inline int runBenchmarks(int argc, char **argv, void (*beforeBenchmarks)())
{
    QCoreApplication app(argc, argv);
    if (beforeBenchmarks)
        beforeBenchmarks();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}

} // namespace strikeline::testing
