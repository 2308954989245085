#include "SyncController.h"

#include "SyncText.h"
#include "storage/Database.h"
#include "storage/InstrumentStore.h"
#include "sync/InstrumentSync.h"

#include <QElapsedTimer>
#include <QThread>

#ifdef Q_OS_LINUX
#endif

#include <cerrno>
#include <cstring>
#include <exception>
#include <mutex>
#include <optional>

namespace strikeline::ui {

namespace {

QString internalError(const char *what)
{
    return QStringLiteral("internal error: ") + QString::fromLocal8Bit(what);
}

} // namespace

// The latest progress of the running sync. The syncing thread overwrites it for every chunk it
// reads; the GUI thread takes it at most every ProgressIntervalMs (and at once when a new
// stage begins), so the GUI never has a queue of stale progress events to work through.
struct SyncProgressSlot
{
    std::mutex mutex;
    SyncProgress latest;
    QString source;
    bool fresh = false;

    void put(const SyncProgress &p)
    {
        std::lock_guard lock(mutex);
        latest = p;
        fresh = true;
    }
    std::optional<SyncProgress> take()
    {
        std::lock_guard lock(mutex);
        if (!fresh)
            return std::nullopt;
        fresh = false;
        return latest;
    }
};

// The work of SyncController, on one of its threads. Every request ends in exactly one signal.
class SyncWorker final : public QObject
{
    Q_OBJECT
public:
    SyncWorker(const std::atomic_bool &cancel, std::shared_ptr<SyncProgressSlot> progress)
        : m_cancel(cancel)
        , m_progress(std::move(progress))
    {}

    void runSync(const SyncRequest &request)
    {
        QElapsedTimer timer;
        timer.start();
        SyncSummary summary;
        summary.source = request.source;
        // Nothing may escape into the event loop (bad_alloc on a huge file, say).
        try {
            sync(request, summary);
        } catch (const std::exception &e) {
            summary.outcome = SyncOutcome::Failed;
            summary.error = failureReason(Error::make(ErrorCode::Internal, internalError(e.what())),
                                          request.source);
        } catch (...) {
            summary.outcome = SyncOutcome::Failed;
            summary.error =
                failureReason(Error::make(ErrorCode::Internal, internalError("unknown exception")),
                              request.source);
        }
        summary.elapsedMs = timer.elapsed();
        summary.message = summaryMessage(summary);
        Q_EMIT syncFinished(summary);
    }

    void loadHistory(const DatabaseConfig &database, EpochDay today)
    {
        const QString failure =
            readFromDatabase(database, [this, today](Database &db) -> std::optional<QString> {
                auto history = loadSyncHistory(db, today);
                if (!history)
                    return history.error().message;
                Q_EMIT historyLoaded(*history);
                return std::nullopt;
            });
        if (!failure.isEmpty())
            Q_EMIT historyFailed(QStringLiteral("The sync history could not be read: ") + failure);
    }

    void loadPage(const DatabaseConfig &database, const ChangeQuery &query)
    {
        const QString failure =
            readFromDatabase(database, [this, &query](Database &db) -> std::optional<QString> {
                auto page = loadChanges(db, query);
                if (!page)
                    return page.error().message;
                Q_EMIT changesLoaded(*page);
                return std::nullopt;
            });
        if (!failure.isEmpty())
            Q_EMIT historyFailed(QStringLiteral("The changes could not be read: ") + failure);
    }

private:
    // Opens a connection in this thread and runs `read` on it; the failure in words, empty on
    // success. No exception leaves the worker (it would cross the event loop).
    template<typename Read>
    static QString readFromDatabase(const DatabaseConfig &database, Read &&read)
    {
        try {
            auto db = Database::open(database, QStringLiteral("sync-history"));
            if (!db)
                return db.error().message;
            return read(**db).value_or(QString());
        } catch (const std::exception &e) {
            return internalError(e.what());
        } catch (...) {
            return internalError("unknown exception");
        }
    }

Q_SIGNALS:
    void stageEntered();
    void syncFinished(const strikeline::ui::SyncSummary &summary);
    void historyLoaded(const strikeline::SyncHistory &history);
    void changesLoaded(const strikeline::ChangePage &page);
    void historyFailed(const QString &message);

private:
    void sync(const SyncRequest &request, SyncSummary &summary)
    {
        auto fail = [&](const Error &error) {
            const bool cancelled = error.code == ErrorCode::Cancelled || m_cancel.load();
            summary.outcome = cancelled ? SyncOutcome::Cancelled : SyncOutcome::Failed;
            summary.error = failureReason(error, request.source);
        };
        auto db = Database::open(request.database, QStringLiteral("sync"));
        if (!db) {
            fail(Error::make(db.error().code,
                             QStringLiteral("cannot open the database: ") + db.error().message));
            return;
        }
        InstrumentStore store(**db);
        // What stays in use if this sync fails, for the trader's sentence.
        if (auto previous = store.lastSucceededRun(); previous)
            summary.masterInUse = masterInUseText(*previous);

        SyncOptions options;
        options.source = request.source;
        options.force = request.force;
        options.cancel = &m_cancel;
        std::optional<SyncStage> lastStage;
        options.progress = [&](const SyncProgress &p) {
            m_progress->put(p);
            if (lastStage != p.stage) {
                lastStage = p.stage;
                Q_EMIT stageEntered();
            }
        };
        auto result = syncInstruments(**db, options);
        if (!result) {
            fail(result.error());
            return;
        }
        const SyncRunRecord &run = result->run;
        summary.runId = run.id;
        summary.rowsSkipped = run.rowsSkipped;
        if (result->unchanged) {
            summary.outcome = SyncOutcome::Unchanged;
            return;
        }
        summary.outcome = SyncOutcome::Succeeded;
        summary.instruments = result->counts.staged;
        ChangeQuery query;
        query.runIds = {run.id};
        query.limit = 0; // the counts only
        auto page = loadChanges(**db, query);
        if (!page) {
            // The master is committed; only the counts are missing. Say so, do not fail.
            summary.error =
                QStringLiteral("the changes could not be counted: ") + page.error().message;
            summary.newContracts = run.rowsInserted;
            summary.expiredContracts = run.rowsDeactivated;
            return;
        }
        summary.changes = page->counts;
        // A first import into an empty table lists no 'new' rows: every row it inserted is new.
        summary.firstImport = run.rowsInserted > 0 && page->counts.added == 0;
        summary.newContracts = summary.firstImport ? run.rowsInserted : page->counts.added;
        summary.expiredContracts = page->counts.deactivated;
        summary.changedContracts = page->counts.contractsChanged;
    }

    const std::atomic_bool &m_cancel;
    std::shared_ptr<SyncProgressSlot> m_progress;
};

SyncController::SyncController(const Clock &clock, QObject *parent)
    : QObject(parent)
    , m_clock(clock)
    , m_progress(std::make_shared<SyncProgressSlot>())
    , m_syncWorker(new SyncWorker(m_cancel, m_progress))
    , m_historyWorker(new SyncWorker(m_cancel, m_progress))
    , m_historyThread(new QThread)
    , m_syncThread(new QThread)
{
    qRegisterMetaType<SyncSummary>();
    qRegisterMetaType<SyncHistory>();
    qRegisterMetaType<ChangePage>();
    qRegisterMetaType<ChangeQuery>();

    nameThread(*m_syncThread, QStringLiteral("SyncWorker"));
    nameThread(*m_historyThread, QStringLiteral("SyncHistory"));
    m_syncWorker->moveToThread(m_syncThread.get());
    m_historyWorker->moveToThread(m_historyThread.get());
    connect(m_syncThread.get(), &QThread::finished, m_syncWorker, &QObject::deleteLater);
    connect(m_historyThread.get(), &QThread::finished, m_historyWorker, &QObject::deleteLater);

    // Queued into this (the GUI) thread.
    m_progressTimer.setInterval(ProgressIntervalMs);
    connect(&m_progressTimer, &QTimer::timeout, this, &SyncController::flushProgress);
    connect(m_syncWorker, &SyncWorker::stageEntered, this, [this] {
        // A new stage is news at once; the timer restarts so the interval still holds.
        flushProgress();
        if (m_running)
            m_progressTimer.start();
    });
    connect(m_syncWorker, &SyncWorker::syncFinished, this, [this](const SyncSummary &summary) {
        flushProgress();
        m_progressTimer.stop();
        m_running = false;
        Q_EMIT finished(summary);
        if (summary.masterChanged())
            Q_EMIT masterChanged();
        refreshHistory(m_lastDatabase);
    });
    connect(m_historyWorker, &SyncWorker::historyLoaded, this, &SyncController::historyLoaded);
    connect(m_historyWorker, &SyncWorker::changesLoaded, this, &SyncController::changesLoaded);
    connect(m_historyWorker, &SyncWorker::historyFailed, this, &SyncController::historyFailed);

    startBackgroundThread(*m_syncThread);
    startBackgroundThread(*m_historyThread);
}

SyncController::~SyncController()
{
    m_cancel.store(true);
    m_syncThread.reset();
    m_historyThread.reset();
}

bool SyncController::start(const SyncRequest &request)
{
    if (m_running)
        return false;
    m_cancel.store(false);
    m_running = true;
    m_lastDatabase = request.database;
    m_progressSource = request.source;
    (void)m_progress->take(); // nothing left over from the last sync
    m_progressTimer.start();
    QMetaObject::invokeMethod(
        m_syncWorker, [worker = m_syncWorker, request] { worker->runSync(request); },
        Qt::QueuedConnection);
    Q_EMIT started(request.source);
    return true;
}

void SyncController::flushProgress()
{
    if (!m_running)
        return;
    if (const auto p = m_progress->take()) {
        Q_EMIT progress(stageText(p->stage, m_progressSource), p->bytes, p->totalBytes, p->rows);
    }
}

void SyncController::cancel()
{
    if (m_running)
        m_cancel.store(true);
}

void SyncController::refreshHistory(const DatabaseConfig &database)
{
    // The clock is asked here, on the GUI thread; the worker gets plain values.
    const EpochDay today = m_clock.now().day();
    QMetaObject::invokeMethod(
        m_historyWorker,
        [worker = m_historyWorker, database, today] { worker->loadHistory(database, today); },
        Qt::QueuedConnection);
}

void SyncController::loadChanges(const DatabaseConfig &database, const ChangeQuery &query)
{
    QMetaObject::invokeMethod(
        m_historyWorker,
        [worker = m_historyWorker, database, query] { worker->loadPage(database, query); },
        Qt::QueuedConnection);
}

} // namespace strikeline::ui

#include "SyncController.moc"
