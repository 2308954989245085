#pragma once

#include "SyncTypes.h"
#include "common/IstTime.h"
#include "common/WorkerThread.h"

#include <QObject>
#include <QString>
#include <QTimer>

#include <atomic>
#include <memory>

namespace strikeline::ui {

class SyncWorker;
struct SyncProgressSlot;

// Runs instrument syncs and reads the sync history off the GUI thread. Lives on the GUI
// thread; owns two worker threads: "SyncWorker" runs syncInstruments (download, gunzip, parse,
// merge) with a database connection it opens itself, "SyncHistory" reads runs and changes
// (with its own connection, so the history can be read while a sync writes). The GUI thread
// never touches the database or the network: it only sends requests and receives signals.
//
// Destroying the controller cancels a running sync and waits for both threads.
class SyncController final : public QObject
{
    Q_OBJECT
public:
    // At most one progress signal per this many ms (plus one per stage change). The latest
    // value is never lost: a download that stalls still shows the bytes it got.
    static constexpr int ProgressIntervalMs = 50;

    explicit SyncController(const Clock &clock, QObject *parent = nullptr);
    ~SyncController() override;

    // Starts a sync; false (and nothing happens) while one is running.
    bool start(const SyncRequest &request);
    // Asks a running sync to stop; it then finishes with SyncOutcome::Cancelled and the
    // database exactly as it was.
    void cancel();
    bool isRunning() const { return m_running; }

    // Loads the recent runs, today's runs' changes and the master in use (historyLoaded).
    // Also done after every sync, for the sync's database.
    void refreshHistory(const DatabaseConfig &database);
    // Loads one page of changes (changesLoaded): of a run the trader selected, or filtered.
    void loadChanges(const DatabaseConfig &database, const strikeline::ChangeQuery &query);

Q_SIGNALS:
    void started(const QString &source);
    // stage: the stage in words; totalBytes -1 while unknown; rows read so far.
    void progress(const QString &stage, qint64 bytes, qint64 totalBytes, qint64 rows);
    void finished(const strikeline::ui::SyncSummary &summary);
    // A new master was committed: re-hydrate the repository (MasterLoader::loadDatabase).
    void masterChanged();
    void historyLoaded(const strikeline::SyncHistory &history);
    void changesLoaded(const strikeline::ChangePage &page);
    void historyFailed(const QString &message);

private:
    void flushProgress();

    const Clock &m_clock;
    std::atomic_bool m_cancel{false};
    bool m_running = false;
    DatabaseConfig m_lastDatabase; // of the running sync: its history is refreshed after it
    QString m_progressSource;
    std::shared_ptr<SyncProgressSlot> m_progress; // written by the sync thread, read here
    QTimer m_progressTimer;
    SyncWorker *m_syncWorker = nullptr;    // lives in m_syncThread
    SyncWorker *m_historyWorker = nullptr; // lives in m_historyThread
    ThreadPtr m_historyThread;             // declared last: joined before the members above die
    ThreadPtr m_syncThread;
};

} // namespace strikeline::ui
