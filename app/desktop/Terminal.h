#pragma once

// The desktop terminal's services, built and wired together in one place (the composition
// root; main.cpp only parses options). Owns them for the life of the window.

#include "common/IstTime.h"
#include "instruments/InstrumentRepository.h"
#include "marketdata/SimulatedMarket.h"
#include "storage/DatabaseConfig.h"
#include "sync/SyncSchedule.h"

#include <QObject>
#include <QString>
#include <QThread>
#include <QTimer>

#include <memory>

namespace strikeline::ui {
class MainWindow;
class MasterLoader;
class SyncController;
class SyncPanel;
struct SyncSummary;
} // namespace strikeline::ui

namespace strikeline {
struct SyncHistory;
namespace api {
class ApiServer;
}
} // namespace strikeline

namespace strikeline::desktop {

struct TerminalOptions
{
    DatabaseConfig database; // where syncs go and the terminal hydrates from
    QString masterFile;      // when set: start on this file instead of the database
    QString syncSource;      // the Upstox master URL (or a file) "Sync now" fetches
    bool autoSync = true;    // once a day after 06:00 IST (off for smoke tests, screenshots)
    int marketTickMs = 1000; // how often simulated prices move
    bool serveApi = false;   // the local HTTP API (a setting, off by default)
    quint16 apiPort = 0;     // 0: the default port
};

class Terminal final : public QObject
{
    Q_OBJECT
public:
    Terminal(const Clock &clock, TerminalOptions options, QObject *parent = nullptr);
    ~Terminal() override;

    // Shows the window and starts loading the instruments.
    void start();

    ui::MainWindow &window() { return *m_window; }
    ui::MasterLoader &loader() { return *m_loader; }
    ui::SyncPanel &syncPanel() { return *m_syncPanel; }
    SimulatedMarket &market() { return m_market; }

    // Starts a sync from `source` (URL or file) into the database; false while one runs.
    bool startSync(const QString &source, bool automatic = false);
    // Starts or stops the local HTTP API on its own thread; the window shows the outcome.
    void setApiServing(bool on);
    quint16 apiPort() const { return m_apiPort; }

private:
    void wireLoader();
    void wireMarket();
    void wireSync();
    void stopApi();
    void onSyncFinished(const ui::SyncSummary &summary);
    void onHistory(const SyncHistory &history);
    void scheduleAutoSyncCheck(qint64 inMs);
    bool online() const;

    const Clock &m_clock;
    const TerminalOptions m_options;
    InstrumentRepository m_repository;
    // No live feed yet: every price comes from the simulated market, labelled as such.
    SimulatedMarket m_market;
    SyncSchedule m_schedule;
    std::unique_ptr<ui::MainWindow> m_window;
    ui::SyncPanel *m_syncPanel = nullptr; // a tab of the window
    QTimer m_marketTimer;
    QTimer m_autoSyncTimer;
    bool m_automaticRun = false;
    quint16 m_apiPort = 0;
    api::ApiServer *m_api = nullptr; // lives in m_apiThread
    std::unique_ptr<QThread> m_apiThread;
    // Threads last: destroyed (cancelled and joined) before what they report to.
    std::unique_ptr<ui::SyncController> m_sync;
    std::unique_ptr<ui::MasterLoader> m_loader;
};

} // namespace strikeline::desktop
