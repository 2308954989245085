// The desktop's speed promises (docs/PERFORMANCE.md, part 3 and "The live market"):
//  - launch to interactive search from SQLite on the real 124k master: a real
//    `strikeline --smoke-test` process, timed from QProcess::start to the line it prints once
//    the first search results are painted;
//  - keystroke to results painted: in process, a key event into the search box, the search,
//    the model reset and a synchronous repaint of the whole window (offscreen raster);
//  - the live market: a window with NIFTY's live chain (ATM +- 20) and 2,000 further
//    instruments subscribed, against a real simulator process at --tick-rate 10, for a fixed
//    wall time: the longest GUI-thread stall, this process's CPU, and tick received -> cell
//    repainted.

#include "SimLiveMarket.h"
#include "Watchdog.h"
#include "chain/OptionChainModel.h"
#include "chain/OptionChainView.h"
#include "instruments/InstrumentRepository.h"
#include "instruments/MasterReader.h"
#include "mainwindow/MainWindow.h"
#include "storage/Database.h"
#include "sync/InstrumentSync.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QLineEdit>
#include <QPaintEvent>
#include <QProcess>
#include <QRegion>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>
#include <memory>
#include <mutex>
#include <sys/resource.h>
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

bool setUp(Fixture &f);

// The 124k master synced into SQLite and read as a snapshot, once, by the first benchmark that
// needs it (the live-market benchmark does not).
Fixture *fixture()
{
    static std::unique_ptr<Fixture> f;
    static bool tried = false;
    if (!tried) {
        tried = true;
        f = std::make_unique<Fixture>();
        if (!setUp(*f))
            f.reset();
    }
    return f.get();
}

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
    Fixture *f = fixture();
    if (!f) {
        state.SkipWithError("cannot set up the 124k master");
        return;
    }
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
                      {QStringLiteral("--smoke-test"), QStringLiteral("--db"), f->dbUrl});
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
    Fixture *f = fixture();
    if (!f) {
        state.SkipWithError("cannot set up the 124k master");
        return;
    }
    SystemClock clock;
    InstrumentRepository repository;
    ui::MainWindow window(repository, clock);
    window.resize(1366, 740);
    window.show();
    repository.publish(f->snapshot);
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

// --- The live market (issue 12) ---

// QApplication that tells a hook after a widget has handled an event: after a QEvent::Paint
// the widget has painted (an event filter only sees the event before).
class BenchApplication final : public QApplication
{
public:
    using QApplication::QApplication;
    std::function<void(QObject *receiver, QEvent *event)> afterPaint;

    bool notify(QObject *receiver, QEvent *event) override
    {
        const bool handled = QApplication::notify(receiver, event);
        if (afterPaint && event->type() == QEvent::Paint)
            afterPaint(receiver, event);
        return handled;
    }
};

BenchApplication *g_app = nullptr;

using strikeline::testing::Watchdog;

// Runs the GUI thread's event loop for `ms`. Not QTest::qWait: it sleeps 10 ms between
// batches of events, which the watchdog would report as stalls.
void runEventLoop(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

double processCpuSeconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage); // this process's threads; not the simulator (a child)
    const auto seconds = [](const timeval &t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1.0e6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double threadCpuSeconds()
{
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1.0e9;
}

std::int64_t epochNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Tick received -> cell repainted. A frame's receive time is taken on the feed thread after it
// was decoded into the book. When the chain model signals changed cells, every frame its live
// chain has consumed (received no later than its newest tick) waits for a paint; the first
// completed paint of the table's viewport that covers a changed cell ends their wait.
class RepaintLatency final : public QObject
{
public:
    RepaintLatency(const ui::OptionChainModel &model, QTableView &table)
        : m_model(model)
        , m_table(table)
    {
        connect(&model, &QAbstractItemModel::dataChanged, this,
                [this](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
                    if (!m_recording)
                        return;
                    const std::int64_t newestMs = m_model.liveChain().newestTickMs;
                    {
                        std::lock_guard lock(m_mutex);
                        const auto shown = std::stable_partition(
                            m_arrived.begin(), m_arrived.end(),
                            [newestMs](std::int64_t ns) { return ns / 1'000'000 > newestMs; });
                        m_consumed.insert(m_consumed.end(), shown, m_arrived.end());
                        m_arrived.erase(shown, m_arrived.end());
                    }
                    m_dirty += m_table.visualRect(topLeft).united(m_table.visualRect(bottomRight));
                    if (m_updatedNs == 0)
                        m_updatedNs = epochNs();
                });
    }

    // On the feed thread.
    void frameReceived(std::int64_t receivedNs)
    {
        std::lock_guard lock(m_mutex);
        if (m_recording)
            m_arrived.push_back(receivedNs);
    }
    // On the GUI thread, after a widget painted.
    void painted(QObject *receiver, QEvent *event)
    {
        // Every update that changed cells ends here, with new frames or without (a flash that
        // ended, a leg going stale).
        if (receiver != m_table.viewport() || m_updatedNs == 0)
            return;
        if (!static_cast<QPaintEvent *>(event)->region().intersects(m_dirty))
            return;
        const std::int64_t now = epochNs();
        for (const std::int64_t ns : m_consumed)
            m_latencyMs.push_back(static_cast<double>(now - ns) / 1.0e6);
        m_updateToPaintMs.push_back(static_cast<double>(now - m_updatedNs) / 1.0e6);
        m_consumed.clear();
        m_dirty = QRegion();
        m_updatedNs = 0;
    }
    void setRecording(bool on)
    {
        std::lock_guard lock(m_mutex);
        m_recording = on;
        m_arrived.clear();
        m_consumed.clear();
        m_dirty = QRegion();
        m_updatedNs = 0;
    }
    // Frame received -> painted.
    const std::vector<double> &latencyMs() const { return m_latencyMs; }
    // The model's first changed cell of an update -> painted: the GUI thread's part.
    const std::vector<double> &updateToPaintMs() const { return m_updateToPaintMs; }

private:
    const ui::OptionChainModel &m_model;
    QTableView &m_table;
    std::mutex m_mutex; // m_arrived and m_recording: the feed thread writes them
    bool m_recording = false;
    std::vector<std::int64_t> m_arrived;
    std::vector<std::int64_t> m_consumed; // GUI thread only
    QRegion m_dirty;
    std::int64_t m_updatedNs = 0;
    std::vector<double> m_latencyMs;
    std::vector<double> m_updateToPaintMs;
};

// NSE_FO contracts of other underlyings than NIFTY (whose chain the window shows), live on the
// day, in the master's order.
QStringList otherContracts(const InstrumentSnapshot &snapshot, EpochDay today, int count)
{
    QStringList keys;
    for (InstrumentId id = 0; id < snapshot.size() && keys.size() < count; ++id) {
        const auto instrument = snapshot.instrument(id);
        if (instrument.segment() != Segment::NseFo || instrument.isExpiredAt(today) ||
            instrument.underlyingSymbol() == "NIFTY")
            continue;
        const std::string_view key = instrument.instrumentKey();
        keys << QString::fromUtf8(key.data(), static_cast<qsizetype>(key.size()));
    }
    return keys;
}

// The load: NIFTY's live chain, ATM +- 20 on screen (41 strikes, 82 legs in
// option_greeks, the index and the future in ltpc), plus 2,000 instruments: 1,000 in full (what
// the watch list asks for) and 1,000 in ltpc (what positions ask for), within Upstox's mixed-mode
// limits (full 1,500, ltpc 2,000). The simulator sends --tick-rate 10 frames a second, every
// subscribed key in each: 10 ticks a second for each of ~2,080 keys. The master is the complete
// NSE file of the simulated day (82,798 rows): the fixture subset has 935. Arg: 1 = the trader
// types in the search box meanwhile (30 ms a key).
void BM_LiveChainAnd2000Instruments(benchmark::State &state)
{
    const bool typing = state.range(0) != 0;
    const QByteArray secondsEnv = qgetenv("STRIKELINE_BENCH_LIVE_SECONDS");
    const int seconds = secondsEnv.isEmpty() ? 20 : secondsEnv.toInt();
    const QString master = QStringLiteral(STRIKELINE_REAL_DATA_DIR "/NSE-2026-08-21.json.gz");
    const SnapshotPtr snapshot = testing::loadSnapshot(master);
    if (!snapshot) {
        state.SkipWithError("cannot read NSE-2026-08-21.json.gz");
        return;
    }
    constexpr EpochDay SimulatedDay = 20686; // 2026-08-21, the simulator's --at
    FixedClock clock(IstMoment::fromDay(SimulatedDay, 10 * 60));

    InstrumentRepository repository;
    ui::MainWindow window(repository, clock);
    window.resize(1600, 1500); // ATM +- 20 on screen: the view subscribes all 41 strikes
    window.show();
    if (!QTest::qWaitForWindowExposed(&window)) {
        state.SkipWithError("window not exposed");
        return;
    }
    ui::OptionChainView &chain = window.chainView();
    QTableView &table = *chain.table();
    RepaintLatency latency(chain.model(), table);
    g_app->afterPaint = [&latency](QObject *receiver, QEvent *event) {
        latency.painted(receiver, event);
    };

    testing::SimProcess::Options sim;
    sim.master = master;
    sim.extra = {QStringLiteral("--tick-rate"), QStringLiteral("10")};
    marketdata::LiveMarket::Options options;
    options.clock = &clock;
    options.frameHook = [&latency](const QByteArray &, std::int64_t receivedNs) {
        latency.frameReceived(receivedNs);
    };
    testing::SimLiveMarket live;
    // The view lets go of the market before it goes; the hook of the window before it goes.
    const auto detach = qScopeGuard([&chain] {
        g_app->afterPaint = nullptr;
        chain.setLiveMarket(nullptr);
    });
    if (!live.start(sim, std::move(options))) {
        state.SkipWithError(qPrintable(live.errorString()));
        return;
    }

    QSignalSpy applied(&window, &ui::MainWindow::snapshotApplied);
    repository.publish(snapshot);
    if (applied.count() == 0)
        applied.wait(10000);
    chain.setStrikeWindow(20);
    window.openChain(QStringLiteral("NIFTY"));
    chain.setLiveMarket(&live.market());
    marketdata::UpstoxMarketFeed &feed = live.market().feed();
    const QStringList others = otherContracts(*snapshot, SimulatedDay, 2000);
    const auto full = feed.acquire(QStringLiteral("bench-watch"), others.mid(0, 1000),
                                   marketdata::FeedMode::Full);
    const auto ltpc = feed.acquire(QStringLiteral("bench-positions"), others.mid(1000),
                                   marketdata::FeedMode::Ltpc);
    if (others.size() < 2000 || !full || !ltpc) {
        state.SkipWithError(!full   ? qPrintable(full.error().message)
                            : !ltpc ? qPrintable(ltpc.error().message)
                                    : "fewer than 2,000 other contracts");
        return;
    }
    QDeadlineTimer liveBy(60000);
    while (chain.marketState() != QStringLiteral("LIVE") && !liveBy.hasExpired())
        QTest::qWait(50);
    // Every key ticked at least once (the subscription took, the backfill is done).
    QTest::qWait(3000);
    if (chain.marketState() != QStringLiteral("LIVE")) {
        state.SkipWithError("the chain never went LIVE");
        return;
    }

    QTimer typist;
    if (typing) {
        auto *search = window.findChild<QLineEdit *>(QStringLiteral("searchEdit"));
        typist.setInterval(30);
        QObject::connect(&typist, &QTimer::timeout, search, [search, typed = 0]() mutable {
            const QString query = QStringLiteral("banknifty 55000 pe");
            if (typed == query.size()) {
                search->clear();
                typed = 0;
            }
            QTest::keyClick(search, query.at(typed++).toLatin1());
        });
    }

    for (auto _ : state) {
        const auto framesBefore = feed.counters().frames;
        const auto bytesBefore = feed.counters().bytes;
        const auto ticksBefore = live.market().decoder().stats().ticks;
        const std::uint64_t updatesBefore = chain.liveUpdates();
        Watchdog watchdog;
        const double cpuBefore = processCpuSeconds();
        const double guiBefore = threadCpuSeconds();
        QElapsedTimer wall;
        wall.start();
        latency.setRecording(true);
        watchdog.start();
        if (typing)
            typist.start();
        runEventLoop(seconds * 1000);
        typist.stop();
        watchdog.stop();
        latency.setRecording(false);
        const double wallSeconds = static_cast<double>(wall.nsecsElapsed()) / 1.0e9;
        const double cpu = processCpuSeconds() - cpuBefore;
        const double gui = threadCpuSeconds() - guiBefore;
        state.SetIterationTime(wallSeconds);

        const std::vector<double> &samples = latency.latencyMs();
        state.counters["keys"] = static_cast<double>(feed.wantedKeys().size());
        state.counters["chain_keys"] =
            static_cast<double>(feed.wantedKeys(QStringLiteral("chain-view")).size());
        state.counters["frames_per_s"] =
            static_cast<double>(feed.counters().frames - framesBefore) / wallSeconds;
        state.counters["MB_per_s"] =
            static_cast<double>(feed.counters().bytes - bytesBefore) / 1.0e6 / wallSeconds;
        state.counters["ticks_per_s"] =
            static_cast<double>(live.market().decoder().stats().ticks - ticksBefore) / wallSeconds;
        state.counters["chain_updates_per_s"] =
            static_cast<double>(chain.liveUpdates() - updatesBefore) / wallSeconds;
        state.counters["stall_max_ms"] = watchdog.longestMs();
        state.counters["stalls_over_16ms"] = watchdog.over16();
        state.counters["cpu_pct"] = 100.0 * cpu / wallSeconds;
        state.counters["gui_thread_cpu_pct"] = 100.0 * gui / wallSeconds;
        state.counters["repaints_timed"] = static_cast<double>(samples.size());
        if (!samples.empty()) {
            state.counters["tick_to_paint_p50_ms"] = percentile(samples, 0.5);
            state.counters["tick_to_paint_p99_ms"] = percentile(samples, 0.99);
            state.counters["tick_to_paint_max_ms"] = percentile(samples, 1.0);
            state.counters["update_to_paint_p50_ms"] = percentile(latency.updateToPaintMs(), 0.5);
            state.counters["update_to_paint_p99_ms"] = percentile(latency.updateToPaintMs(), 0.99);
        }
    }
}
BENCHMARK(BM_LiveChainAnd2000Instruments)
    ->ArgName("typing")
    ->Arg(0)
    ->Arg(1)
    ->UseManualTime()
    ->Iterations(1)
    ->Unit(benchmark::kSecond);

// The baseline of the stall figures: the same window and chain with no feed (no simulator, no
// live market), the same watchdog for the same wall time. What it reports is the machine (the
// scheduler, other processes), not the live market.
void BM_ChainWindowWithoutFeed(benchmark::State &state)
{
    const QByteArray secondsEnv = qgetenv("STRIKELINE_BENCH_LIVE_SECONDS");
    const int seconds = secondsEnv.isEmpty() ? 20 : secondsEnv.toInt();
    const SnapshotPtr snapshot =
        testing::loadSnapshot(QStringLiteral(STRIKELINE_REAL_DATA_DIR "/NSE-2026-08-21.json.gz"));
    if (!snapshot) {
        state.SkipWithError("cannot read NSE-2026-08-21.json.gz");
        return;
    }
    FixedClock clock(IstMoment::fromDay(20686, 10 * 60));
    InstrumentRepository repository;
    ui::MainWindow window(repository, clock);
    window.resize(1600, 1500);
    window.show();
    if (!QTest::qWaitForWindowExposed(&window)) {
        state.SkipWithError("window not exposed");
        return;
    }
    QSignalSpy applied(&window, &ui::MainWindow::snapshotApplied);
    repository.publish(snapshot);
    if (applied.count() == 0)
        applied.wait(10000);
    window.chainView().setStrikeWindow(20);
    window.openChain(QStringLiteral("NIFTY"));
    QTest::qWait(1000);
    for (auto _ : state) {
        Watchdog watchdog;
        const double cpuBefore = processCpuSeconds();
        QElapsedTimer wall;
        wall.start();
        watchdog.start();
        runEventLoop(seconds * 1000);
        watchdog.stop();
        const double wallSeconds = static_cast<double>(wall.nsecsElapsed()) / 1.0e9;
        state.SetIterationTime(wallSeconds);
        state.counters["stall_max_ms"] = watchdog.longestMs();
        state.counters["stalls_over_16ms"] = watchdog.over16();
        state.counters["cpu_pct"] = 100.0 * (processCpuSeconds() - cpuBefore) / wallSeconds;
    }
}
BENCHMARK(BM_ChainWindowWithoutFeed)->UseManualTime()->Iterations(1)->Unit(benchmark::kSecond);

} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    BenchApplication app(argc, argv);
    g_app = &app;
    QStandardPaths::setTestModeEnabled(true);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
