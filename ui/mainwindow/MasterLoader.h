#pragma once

#include "common/IstTime.h"
#include "common/WorkerThread.h"
#include "storage/DatabaseConfig.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <memory>

class QThread;

namespace strikeline {
class InstrumentRepository;
}

namespace strikeline::ui {

class MasterLoadWorker;

// Reads an instrument master on a background thread ("MasterLoader"), builds the snapshot there
// and publishes it to the repository; the UI thread only sees signals. The repository must
// outlive the loader; destroying the loader cancels a running read and waits for the thread.
class MasterLoader final : public QObject
{
    Q_OBJECT
public:
    // The source that means "generate (or reuse) today's demo master, then load it".
    static QString demoSource() { return QStringLiteral("demo"); }

    MasterLoader(InstrumentRepository &repository, const Clock &clock, QObject *parent = nullptr);
    ~MasterLoader() override;

    // Starts loading a master file, or the demo master for demoSource(). Returns false (and
    // does nothing) while a load is still running.
    bool load(const QString &source);
    // Hydrates from the database on the worker thread (the connection is opened there); an
    // empty database first gets the demo master imported.
    bool loadDatabase(const DatabaseConfig &database);
    bool isLoading() const { return m_loading; }
    // Asks a running load to stop; it then finishes with ok == false.
    void cancel();

    // Where the demo master for `today` lives: AppDataLocation/demo-master-<date>.json.gz.
    static QString demoMasterPath(EpochDay today);

Q_SIGNALS:
    void stageChanged(const QString &text);
    // Bytes of the file consumed so far (compressed bytes for gzip); total 0 while unknown.
    void progress(qint64 bytesConsumed, qint64 bytesTotal);
    void finished(bool ok, const QString &message, qint64 elapsedMs);

private:
    const Clock &m_clock;
    std::atomic_bool m_cancel{false};
    bool m_loading = false;
    MasterLoadWorker *m_worker = nullptr; // lives in m_thread, deleted when it finishes
    ThreadPtr m_thread;                   // declared last: joined before the members above die
};

} // namespace strikeline::ui
