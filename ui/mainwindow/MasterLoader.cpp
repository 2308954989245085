#include "MasterLoader.h"

#include "instruments/InstrumentRepository.h"
#include "instruments/MasterReader.h"
#include "storage/Database.h"
#include "sync/FirstRun.h"
#include "sync/Hydrator.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QLocale>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QThread>

#include <algorithm>
#include <exception>

namespace strikeline::ui {

namespace {

struct LoadRequest
{
    QString path; // the master to read; for the demo, where it is (or will be) generated
    bool demo = false;
    EpochDay today = NoDay;
    std::optional<DatabaseConfig> database; // hydrate from here (demo master if it is empty)
};

// Lakh grouping (1,24,278): how the traders this is for read counts.
QString formatCount(std::int64_t n)
{
    return QLocale(QLocale::English, QLocale::India).toString(static_cast<qlonglong>(n));
}

// The master's own day: the date in its file name ("complete-2025-12-09.json.gz"), else the
// day the file was last written (a fresh download is named just "complete.json.gz").
std::int64_t masterTimeOf(const QFileInfo &file)
{
    static const QRegularExpression datePattern(QStringLiteral("(\\d{4}-\\d{2}-\\d{2})"));
    const QRegularExpressionMatch match = datePattern.match(file.fileName());
    if (match.hasMatch()) {
        const QDate date = QDate::fromString(match.captured(1), Qt::ISODate);
        if (date.isValid())
            return IstMoment::fromDay(fromQDate(date)).epochMs;
    }
    const QDateTime modified = file.lastModified();
    return modified.isValid() ? modified.toMSecsSinceEpoch() : 0;
}

Error cancelledError()
{
    return Error::make(ErrorCode::Cancelled, QStringLiteral("loading was cancelled"));
}

} // namespace

// Does the loading on the "MasterLoader" thread. Every run ends in exactly one finished().
class MasterLoadWorker final : public QObject
{
    Q_OBJECT
public:
    MasterLoadWorker(InstrumentRepository &repository, const std::atomic_bool &cancel)
        : m_repository(repository)
        , m_cancel(cancel)
    {}

    void run(const LoadRequest &request)
    {
        QElapsedTimer timer;
        timer.start();
        bool ok = false;
        QString message;
        // Exceptions (bad_alloc on a huge file, say) must not escape into the event loop.
        try {
            Result<QString> result = load(request);
            ok = result.ok();
            message = ok ? *result : result.error().message;
        } catch (const std::exception &e) {
            message = QStringLiteral("internal error while loading instruments: ") +
                      QString::fromLocal8Bit(e.what());
        } catch (...) {
            message = QStringLiteral("internal error while loading instruments");
        }
        Q_EMIT finished(ok, message, timer.elapsed());
    }

Q_SIGNALS:
    void stageChanged(const QString &text);
    void progress(qint64 bytesConsumed, qint64 bytesTotal);
    void finished(bool ok, const QString &message, qint64 elapsedMs);

private:
    Result<QString> load(const LoadRequest &request)
    {
        if (request.database)
            return loadDatabase(request);
        bool generated = false;
        if (request.demo && !QFileInfo::exists(request.path)) {
            if (Result<void> made = generateDemo(request); !made)
                return made.error();
            generated = true;
        }
        QString notes;
        Result<SnapshotPtr> snapshot = readSnapshot(request, &notes);
        if (!snapshot && request.demo && !generated &&
            snapshot.error().code != ErrorCode::Cancelled) {
            // Today's demo file exists but does not read (an older generator wrote it, or a
            // crash cut it short): it is ours to throw away, so make it again.
            QFile::remove(request.path);
            if (Result<void> made = generateDemo(request); !made)
                return made.error();
            notes.clear();
            snapshot = readSnapshot(request, &notes);
        }
        if (!snapshot)
            return snapshot.error();
        if (m_cancel.load())
            return cancelledError();

        const SnapshotPtr &loaded = *snapshot;
        m_repository.publish(loaded);
        return QString(QStringLiteral("Loaded %1 instruments from %2")
                           .arg(formatCount(static_cast<std::int64_t>(loaded->size())),
                                loaded->info().description) +
                       notes);
    }

    // The embedded default: hydrate from the database, which holds the last good master. A
    // first run finds it empty and imports the generated demo master, labelled as such, so
    // the terminal works offline at once.
    Result<QString> loadDatabase(const LoadRequest &request)
    {
        Q_EMIT stageChanged(QStringLiteral("opening %1").arg(request.database->redacted()));
        Q_EMIT progress(0, 0);
        auto db = Database::open(*request.database, QStringLiteral("hydrate"));
        if (!db)
            return db.error();
        // A first run finds the database empty: core imports the demo master (sync/FirstRun.h).
        auto ensured = ensureMaster(**db, firstRunOptions(request));
        if (!ensured)
            return ensured.error();
        QString notes;
        if (ensured->importedDemo)
            notes = QStringLiteral("; the database was empty, so it now holds the demo master "
                                   "until a real sync");
        if (m_cancel.load())
            return cancelledError();
        Q_EMIT stageChanged(QStringLiteral("loading instruments from the database"));
        Q_EMIT progress(0, 0);
        auto hydrated = hydrate(**db);
        if (!hydrated)
            return hydrated.error();
        if (m_cancel.load())
            return cancelledError();
        m_repository.publish(hydrated->snapshot);
        return QString(QStringLiteral("Loaded %1 instruments from %2 in %3 ms")
                           .arg(formatCount(hydrated->rows), request.database->redacted())
                           .arg(hydrated->elapsedMs) +
                       notes);
    }

    Result<void> generateDemo(const LoadRequest &request)
    {
        Result<QString> made = ensureDemoMasterFile(firstRunOptions(request));
        if (!made)
            return made.error();
        return success();
    }

    // The shared first-run code reports its stages; the window shows them in these words.
    FirstRunOptions firstRunOptions(const LoadRequest &request)
    {
        FirstRunOptions options;
        options.dataDir = QFileInfo(request.path).absolutePath();
        options.today = request.today;
        options.cancel = &m_cancel;
        options.stage = [this](FirstRunStage stage) {
            switch (stage) {
            case FirstRunStage::GeneratingDemo:
                Q_EMIT stageChanged(QStringLiteral("generating the demo master (%1 rows)")
                                        .arg(formatCount(DemoMasterRows)));
                break;
            case FirstRunStage::ImportingDemo:
                Q_EMIT stageChanged(QStringLiteral("importing the demo master into the database"));
                break;
            }
            Q_EMIT progress(0, 0);
        };
        options.progress = [this](std::int64_t bytes, std::int64_t total) {
            Q_EMIT progress(bytes, total);
        };
        return options;
    }

    Result<SnapshotPtr> readSnapshot(const LoadRequest &request, QString *notes)
    {
        const QFileInfo file(request.path);
        MasterInfo info;
        info.source = file.absoluteFilePath();
        info.demo = request.demo;
        if (request.demo) {
            info.description = QStringLiteral("demo master (generated)");
            info.masterTimeMs = IstMoment::fromDay(request.today).epochMs;
            info.masterDay = request.today;
        } else {
            info.description = file.fileName();
            info.masterTimeMs = masterTimeOf(file);
            if (info.masterTimeMs != 0)
                info.masterDay = IstMoment{info.masterTimeMs}.day();
        }

        Q_EMIT stageChanged(QStringLiteral("reading %1").arg(file.fileName()));
        const qint64 total = file.size();
        Q_EMIT progress(0, total);

        SnapshotBuilder builder;
        ReadOptions options;
        options.cancel = &m_cancel;
        int reportedPermille = 0;
        options.progress = [this, total, &reportedPermille](std::int64_t consumed) {
            if (total <= 0)
                return;
            // At most ~200 updates however small the read chunks are.
            const auto permille =
                static_cast<int>(std::clamp<std::int64_t>(consumed * 1000 / total, 0, 1000));
            if (permille >= reportedPermille + 5) {
                reportedPermille = permille;
                Q_EMIT progress(consumed, total);
            }
        };
        Result<ReadSummary> summary = readMasterFile(
            request.path, [&builder](InstrumentRecord &&record) { builder.add(std::move(record)); },
            options);
        if (!summary) {
            return Error::make(
                summary.error().code,
                QStringLiteral("cannot load %1: %2")
                    .arg(QDir::toNativeSeparators(request.path), summary.error().message));
        }
        if (m_cancel.load())
            return cancelledError();

        info.demo = info.demo || summary->synthetic; // generated, whatever the file is called
        Q_EMIT stageChanged(QStringLiteral("indexing %1 instruments")
                                .arg(formatCount(static_cast<std::int64_t>(builder.size()))));
        Q_EMIT progress(0, 0);
        BuildReport report;
        SnapshotPtr snapshot = builder.build(std::move(info), &report);

        if (summary->rowsSkipped > 0) {
            *notes +=
                QStringLiteral("; skipped %1 bad rows").arg(formatCount(summary->rowsSkipped));
            if (!summary->issues.empty())
                *notes += QStringLiteral(" (first: ") + summary->issues.front().toString() +
                          QLatin1Char(')');
        }
        if (report.duplicateKeys > 0)
            *notes += QStringLiteral("; ignored %1 rows with a repeated instrument key")
                          .arg(formatCount(report.duplicateKeys));
        if (report.conflictingKeys > 0)
            *notes += QStringLiteral("; left out %1 keys listed with different data")
                          .arg(formatCount(report.conflictingKeys));
        return snapshot;
    }

    InstrumentRepository &m_repository;
    const std::atomic_bool &m_cancel;
};

MasterLoader::MasterLoader(InstrumentRepository &repository, const Clock &clock, QObject *parent)
    : QObject(parent)
    , m_clock(clock)
    , m_worker(new MasterLoadWorker(repository, m_cancel))
    , m_thread(new QThread)
{
    nameThread(*m_thread, QStringLiteral("MasterLoader"));
    m_worker->moveToThread(m_thread.get());
    connect(m_thread.get(), &QThread::finished, m_worker, &QObject::deleteLater);

    // The worker's signals cross into this (the UI) thread as queued calls.
    connect(m_worker, &MasterLoadWorker::stageChanged, this, &MasterLoader::stageChanged);
    connect(m_worker, &MasterLoadWorker::progress, this, &MasterLoader::progress);
    connect(m_worker, &MasterLoadWorker::finished, this,
            [this](bool ok, const QString &message, qint64 elapsedMs) {
                m_loading = false;
                Q_EMIT finished(ok, message, elapsedMs);
            });
    startBackgroundThread(*m_thread);
}

MasterLoader::~MasterLoader()
{
    m_cancel.store(true);
    m_thread.reset();
}

bool MasterLoader::loadDatabase(const DatabaseConfig &database)
{
    if (m_loading)
        return false;
    LoadRequest request;
    request.today = m_clock.now().day();
    request.demo = true; // only used when the database is empty
    request.path = demoMasterPath(request.today);
    request.database = database;
    m_cancel.store(false);
    m_loading = true;
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, request] { worker->run(request); }, Qt::QueuedConnection);
    return true;
}

bool MasterLoader::load(const QString &source)
{
    if (m_loading)
        return false;
    LoadRequest request;
    // The clock and QStandardPaths are asked here, on the caller's thread; the worker only gets
    // plain values.
    request.today = m_clock.now().day();
    request.demo = source == demoSource();
    request.path = request.demo ? demoMasterPath(request.today) : source;
    m_cancel.store(false);
    m_loading = true;
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, request] { worker->run(request); }, Qt::QueuedConnection);
    return true;
}

void MasterLoader::cancel()
{
    if (m_loading)
        m_cancel.store(true);
}

QString MasterLoader::demoMasterPath(EpochDay today)
{
    return strikeline::demoMasterPath(
        QStandardPaths::writableLocation(QStandardPaths::AppDataLocation), today);
}

} // namespace strikeline::ui

#include "MasterLoader.moc"
