// The desktop terminal while orders flow (docs/PERFORMANCE.md, "Live trading"):
//
//   BM_OrdersAt50PerSecond   app/desktop/Terminal on the fixture master, paper trading: a GUI
//                            timer submits an order every 20 ms (50/s) through
//                            Terminal::submitOrder, as the ticket does, for 10 s: MARKET buys
//                            that fill at once and, every fifth, a LIMIT sell a tick above the
//                            market that fills on a later market tick (fills streaming). The
//                            event-loop watchdog gives the longest GUI-thread stall and the gaps
//                            over one frame; the orders panel follows every durable batch.
//
// Offscreen (QT_QPA_PLATFORM=offscreen), no network: live market and live orders off.

#include "Terminal.h"
#include "Watchdog.h"
#include "instruments/InstrumentSnapshot.h"
#include "mainwindow/MainWindow.h"
#include "orders/OrderService.h"
#include "orders/OrdersModel.h"
#include "orders/OrdersPanel.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>

#include <benchmark/benchmark.h>

using namespace strikeline;
using namespace std::chrono_literals;

namespace {

void BM_OrdersAt50PerSecond(benchmark::State &state)
{
    QTemporaryDir dir;
    FixedClock clock(IstMoment::fromDay(fromQDate(QDate(2026, 8, 21)), 10 * 60 + 30));
    desktop::TerminalOptions options;
    options.database = *DatabaseConfig::parse(QStringLiteral("sqlite://") +
                                              dir.filePath(QStringLiteral("strikeline.db")));
    options.masterFile =
        QStringLiteral(STRIKELINE_REAL_DATA_DIR "/fixture-NSE_FO-subset-2026-08-21.json");
    options.autoSync = false;
    options.liveMarket = false;
    options.liveOrders = false;
    options.journalDirectory = dir.filePath(QStringLiteral("journal"));
    options.upstox.secrets.tryKeychain = false;
    options.upstox.secrets.filePath = dir.filePath(QStringLiteral("secrets.json"));
    options.haltFile = dir.filePath(QStringLiteral("halt.json"));
    desktop::Terminal terminal(clock, options);
    QSignalSpy applied(&terminal.window(), &ui::MainWindow::snapshotApplied);
    terminal.start();
    if (!applied.wait(60000)) {
        state.SkipWithError("the master did not load");
        return;
    }
    const SnapshotPtr snapshot = terminal.window().snapshot();
    std::optional<InstrumentView> future;
    for (InstrumentId id = 0; id < snapshot->size() && !future; ++id) {
        const InstrumentView v = snapshot->instrument(id);
        if (v.kind() == InstrumentKind::Future && v.underlyingSymbol() == "NIFTY" &&
            !v.isExpiredAt(clock.now().day()))
            future = v;
    }
    if (!future || !terminal.orders()) {
        state.SkipWithError("no NIFTY future or no order service");
        return;
    }
    terminal.window().showPanel(&terminal.ordersPanel()); // the panel on screen follows
    const std::string key(future->instrumentKey());
    const std::int32_t lot = future->lotSize();
    const Price tick = future->tickSize();
    for (auto _ : state) {
        testing::Watchdog watchdog;
        QTimer submitter;
        submitter.setTimerType(Qt::PreciseTimer);
        int submitted = 0;
        QObject::connect(&submitter, &QTimer::timeout, &terminal, [&] {
            OrderRequest r;
            r.instrumentKey = key;
            r.product = Product::Intraday;
            r.quantity = lot;
            if (submitted % 5 == 4) {
                const std::optional<Quote> q = terminal.prices().quote(key);
                r.side = Side::Sell;
                r.type = OrderType::Limit;
                r.price = (q ? q->last : Price::fromRupees(25000)) + tick;
            } else {
                r.side = Side::Buy;
                r.type = OrderType::Market;
            }
            terminal.submitOrder(r);
            ++submitted;
        });
        QElapsedTimer wall;
        watchdog.start();
        wall.start();
        submitter.start(20);
        QEventLoop loop;
        QTimer::singleShot(10s, &loop, &QEventLoop::quit);
        loop.exec();
        submitter.stop();
        const double seconds = static_cast<double>(wall.elapsed()) / 1000.0;
        // Let the last answers arrive, then count.
        QTimer::singleShot(1s, &loop, &QEventLoop::quit);
        loop.exec();
        watchdog.stop();
        std::size_t filled = 0;
        std::size_t answered = 0;
        for (const OrderState &o : terminal.orders()->orders()) {
            filled += o.status == OrderStatus::Filled;
            answered += o.status != OrderStatus::Sent && o.status != OrderStatus::New;
        }
        state.SetIterationTime(seconds);
        state.counters["orders_per_s"] = submitted / seconds;
        state.counters["orders"] = submitted;
        state.counters["answered"] = static_cast<double>(answered);
        state.counters["filled"] = static_cast<double>(filled);
        state.counters["rows_shown"] = terminal.ordersPanel().ordersModel().rowCount();
        state.counters["longest_stall_ms"] = watchdog.longestMs();
        state.counters["gaps_over_16ms"] = watchdog.over16();
    }
    terminal.orders()->waitPersisted(60s);
}
BENCHMARK(BM_OrdersAt50PerSecond)->UseManualTime()->Iterations(1)->Unit(benchmark::kSecond);

} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QStandardPaths::setTestModeEnabled(true);
    QApplication app(argc, argv);
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
