// The desktop's two speed promises on the real 124k master (docs/PERFORMANCE.md, part 3):
//  - launch to interactive search from SQLite: a real `strikeline --smoke-test` process, timed
//    from QProcess::start to the line it prints once the first search results are painted;
//  - keystroke to results painted: in process, a key event into the search box, the search,
//    the model reset and a synchronous repaint of the whole window (offscreen raster).

#include "instruments/InstrumentRepository.h"
#include "instruments/MasterReader.h"
#include "mainwindow/MainWindow.h"
#include "storage/Database.h"
#include "sync/InstrumentSync.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <vector>

using namespace strikeline;

namespace {

QString realMaster()
{
    const QByteArray env = qgetenv("STRIKELINE_BENCH_MASTER");
    return env.isEmpty() ? QStringLiteral(STRIKELINE_DEFAULT_BENCH_MASTER)
                         : QString::fromLocal8Bit(env);
}

struct Fixture
{
    QTemporaryDir dir;
    QString dbUrl;
    SnapshotPtr snapshot;
};

Fixture *g_fixture = nullptr; // set up once in main(), before the benchmarks run

bool setUp(Fixture &f)
{
    if (!f.dir.isValid())
        return false;
    f.dbUrl = QStringLiteral("sqlite://") + f.dir.filePath(QStringLiteral("strikeline.db"));
    auto config = DatabaseConfig::parse(f.dbUrl);
    auto db = config ? Database::open(*config, QStringLiteral("bench")) : config.error();
    if (!db) {
        std::fprintf(stderr, "cannot open %s\n", qPrintable(f.dbUrl));
        return false;
    }
    SyncOptions options;
    options.source = realMaster();
    auto synced = syncInstruments(**db, options);
    if (!synced) {
        std::fprintf(stderr, "cannot sync %s: %s\n", qPrintable(options.source),
                     qPrintable(synced.error().message));
        return false;
    }
    SnapshotBuilder builder;
    auto read = readMasterFile(realMaster(),
                               [&builder](InstrumentRecord &&r) { builder.add(std::move(r)); });
    if (!read)
        return false;
    f.snapshot = builder.build(MasterInfo{});
    return true;
}

double percentile(std::vector<double> values, double p)
{
    std::sort(values.begin(), values.end());
    const auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1));
    return values[index];
}

void BM_LaunchToInteractive(benchmark::State &state)
{
    std::vector<double> insideMs;
    for (auto _ : state) {
        QTemporaryDir home; // a trader's first launch on this database: no saved layout
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), home.filePath(QStringLiteral("data")));
        QProcess process;
        process.setProcessEnvironment(env);
        QElapsedTimer timer;
        timer.start();
        process.start(QStringLiteral(STRIKELINE_DESKTOP_BINARY),
                      {QStringLiteral("--smoke-test"), QStringLiteral("--db"), g_fixture->dbUrl});
        double wallMs = -1;
        QByteArray output;
        while (wallMs < 0 && process.waitForReadyRead(30000)) {
            output += process.readAllStandardOutput();
            const qsizetype at = output.indexOf("interactive in ");
            if (at >= 0 && output.indexOf('\n', at) > 0) {
                wallMs = static_cast<double>(timer.nsecsElapsed()) / 1.0e6;
                insideMs.push_back(output.mid(at + 15).split(' ').first().toDouble());
            }
        }
        process.waitForFinished(30000);
        if (wallMs < 0 || process.exitCode() != 0) {
            state.SkipWithError("strikeline --smoke-test failed");
            return;
        }
        state.SetIterationTime(wallMs / 1000.0);
    }
    state.counters["main_to_interactive_ms"] = percentile(insideMs, 0.5);
}
BENCHMARK(BM_LaunchToInteractive)->UseManualTime()->Iterations(7)->Unit(benchmark::kMillisecond);

void BM_KeystrokeToPaint(benchmark::State &state)
{
    SystemClock clock;
    InstrumentRepository repository;
    ui::MainWindow window(repository, clock);
    window.resize(1366, 740);
    window.show();
    repository.publish(g_fixture->snapshot);
    QCoreApplication::processEvents();
    auto *search = window.findChild<QLineEdit *>(QStringLiteral("searchEdit"));
    const QStringList queries = {
        QStringLiteral("nifty 26000 ce"),  QStringLiteral("banknifty fut"),
        QStringLiteral("reliance"),        QStringLiteral("crudeoil dec"),
        QStringLiteral("sensex 85000 pe"), QStringLiteral("hdfcbank 1000"),
        QStringLiteral("finnifty"),        QStringLiteral("gold"),
    };
    std::vector<double> samples;
    qsizetype q = 0;
    qsizetype c = 0;
    for (auto _ : state) {
        const QString &query = queries[q];
        if (c == 0)
            search->clear();
        const char key = query.at(c).toLatin1();
        QElapsedTimer timer;
        timer.start();
        QTest::keyClick(search, key); // textChanged -> search -> model reset
        window.repaint();             // every widget that changed, painted now
        const double ms = static_cast<double>(timer.nsecsElapsed()) / 1.0e6;
        state.SetIterationTime(ms / 1000.0);
        samples.push_back(ms);
        if (++c == query.size()) {
            c = 0;
            q = (q + 1) % queries.size();
        }
    }
    state.counters["p50_ms"] = percentile(samples, 0.5);
    state.counters["p99_ms"] = percentile(samples, 0.99);
    state.counters["max_ms"] = percentile(samples, 1.0);
}
BENCHMARK(BM_KeystrokeToPaint)->UseManualTime()->Iterations(400)->Unit(benchmark::kMillisecond);

} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true);
    Fixture fixture;
    if (!setUp(fixture))
        return 1;
    g_fixture = &fixture;
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
