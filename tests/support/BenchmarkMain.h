#pragma once

// The main() of our Google Benchmark programs: a QCoreApplication (Qt SQL and QStandardPaths
// want one), a measurement that must run first in a fresh process, then the benchmarks.

#include <QCoreApplication>

#include <benchmark/benchmark.h>

namespace strikeline::testing {

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
