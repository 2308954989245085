// First run: an empty database gets the generated demo master, labelled as demo data; anything
// else is left alone. Shared by the desktop's MasterLoader and strikeline-cli's default database.

#include "common/IstTime.h"
#include "instruments/MasterGenerator.h"
#include "storage/Database.h"
#include "storage/DatabaseConfig.h"
#include "storage/InstrumentStore.h"
#include "sync/FirstRun.h"
#include "sync/Hydrator.h"
#include "sync/InstrumentSync.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <vector>

using namespace strikeline;

namespace {

const EpochDay Today = fromQDate(QDate(2025, 12, 8));
constexpr std::int64_t SmallDemo = 3000; // the start of the full demo: a coherent universe

std::unique_ptr<Database> openDb(const QString &file)
{
    auto config = DatabaseConfig::parse(QStringLiteral("sqlite://") + file);
    if (!config)
        return nullptr;
    auto db = Database::open(*config, QStringLiteral("test"));
    return db ? std::move(*db) : nullptr;
}

} // namespace

class tst_FirstRun : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void emptyDatabaseGetsTheDemoOnce();
    void aRealMasterIsLeftAlone();
    void brokenDemoFileIsMadeAgain();
    void olderDemoFilesAreRemoved();
    void unwritableFolderFailsClearly();
    void cancelledBeforeStart();
    void needsADate();

private:
    FirstRunOptions options(std::vector<FirstRunStage> *stages = nullptr) const
    {
        FirstRunOptions o;
        o.dataDir = m_dir->filePath(QStringLiteral("appdata"));
        o.today = Today;
        o.rows = SmallDemo;
        if (stages)
            o.stage = [stages](FirstRunStage s) { stages->push_back(s); };
        return o;
    }
    QString dbFile() const { return m_dir->filePath(QStringLiteral("appdata/strikeline.db")); }

    std::unique_ptr<QTemporaryDir> m_dir;
};

void tst_FirstRun::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void tst_FirstRun::emptyDatabaseGetsTheDemoOnce()
{
    auto db = openDb(dbFile());
    QVERIFY(db);
    std::vector<FirstRunStage> stages;
    std::int64_t lastBytes = -1, total = -1;
    FirstRunOptions o = options(&stages);
    o.progress = [&](std::int64_t bytes, std::int64_t of) {
        lastBytes = bytes;
        total = of;
    };
    auto first = ensureMaster(*db, o);
    QVERIFY2(first, first ? "" : qPrintable(first.error().message));
    QVERIFY(first->importedDemo);
    QCOMPARE(first->activeRows, SmallDemo);
    QCOMPARE(first->demoMasterPath, demoMasterPath(o.dataDir, Today));
    QVERIFY(first->demoMasterPath.endsWith(QStringLiteral("demo-master-2025-12-08.json.gz")));
    QVERIFY(QFile::exists(first->demoMasterPath));
    QCOMPARE(stages, (std::vector{FirstRunStage::GeneratingDemo, FirstRunStage::ImportingDemo}));
    QVERIFY(total > 0);
    QCOMPARE(lastBytes, total);

    // Hydrated, it says what it is.
    auto hydrated = hydrate(*db);
    QVERIFY(hydrated);
    QCOMPARE(hydrated->rows, SmallDemo);
    QVERIFY(hydrated->snapshot->info().demo);
    QCOMPARE(hydrated->snapshot->info().description, QStringLiteral("demo master (generated)"));
    // Its business day is the one in its name, whenever it was imported.
    QCOMPARE(hydrated->snapshot->info().masterDay, Today);

    // The second run finds a master and does nothing.
    stages.clear();
    auto second = ensureMaster(*db, options(&stages));
    QVERIFY(second);
    QVERIFY(!second->importedDemo);
    QCOMPARE(second->activeRows, SmallDemo);
    QVERIFY(stages.empty());
    auto runs = InstrumentStore(*db).recentRuns(10);
    QVERIFY(runs);
    QCOMPARE(runs->size(), std::size_t(1));
}

void tst_FirstRun::aRealMasterIsLeftAlone()
{
    const QString real = m_dir->filePath(QStringLiteral("complete-2025-12-08.json.gz"));
    GeneratorOptions generator;
    generator.rows = 500;
    generator.seed = 7;
    generator.asOf = Today;
    QVERIFY(generateMasterFile(real, generator));
    auto db = openDb(dbFile());
    QVERIFY(db);
    SyncOptions sync;
    sync.source = real;
    QVERIFY(syncInstruments(*db, sync));

    std::vector<FirstRunStage> stages;
    auto ensured = ensureMaster(*db, options(&stages));
    QVERIFY(ensured);
    QVERIFY(!ensured->importedDemo);
    QCOMPARE(ensured->activeRows, std::int64_t(500));
    QVERIFY(stages.empty());
    QVERIFY(!QFile::exists(demoMasterPath(options().dataDir, Today)));
    auto hydrated = hydrate(*db);
    QVERIFY(hydrated);
    // A generated master stays labelled synthetic after a sync, though its name looks real:
    // the master says so itself and the run stored it.
    const MasterInfo &info = hydrated->snapshot->info();
    QVERIFY(info.demo);
    QVERIFY2(info.description.contains(QLatin1String("synthetic")), qPrintable(info.description));
    QCOMPARE(info.masterDay, Today); // its business day, from its name
    auto runs = InstrumentStore(*db).recentRuns(1);
    QVERIFY(runs);
    QVERIFY(runs->front().synthetic);
}

void tst_FirstRun::brokenDemoFileIsMadeAgain()
{
    // A crash cut today's demo file short: it is ours, so it is generated again and imported.
    const FirstRunOptions o = options();
    QVERIFY(QDir().mkpath(o.dataDir));
    QFile broken(demoMasterPath(o.dataDir, Today));
    QVERIFY(broken.open(QIODevice::WriteOnly));
    broken.write("\x1f\x8b\x08\x00 not really gzip");
    broken.close();

    auto db = openDb(dbFile());
    QVERIFY(db);
    auto ensured = ensureMaster(*db, o);
    QVERIFY2(ensured, ensured ? "" : qPrintable(ensured.error().message));
    QVERIFY(ensured->importedDemo);
    QCOMPARE(ensured->activeRows, SmallDemo);
    QVERIFY(QFileInfo(broken.fileName()).size() > 1000);
}

void tst_FirstRun::olderDemoFilesAreRemoved()
{
    const FirstRunOptions o = options();
    QVERIFY(QDir().mkpath(o.dataDir));
    const QString old = QDir(o.dataDir).filePath(QStringLiteral("demo-master-2025-12-01.json.gz"));
    const QString mine = QDir(o.dataDir).filePath(QStringLiteral("complete.json.gz"));
    for (const QString &name : {old, mine}) {
        QFile f(name);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("x");
    }
    auto path = ensureDemoMasterFile(o);
    QVERIFY(path);
    QVERIFY(QFile::exists(*path));
    QVERIFY(!QFile::exists(old));
    QVERIFY(QFile::exists(mine)); // not a demo master: not ours to delete
}

void tst_FirstRun::unwritableFolderFailsClearly()
{
    // The data folder's parent is a plain file: the folder cannot be made.
    QFile blocker(m_dir->filePath(QStringLiteral("blocker")));
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    FirstRunOptions o = options();
    o.dataDir = blocker.fileName() + QStringLiteral("/appdata");

    auto db = openDb(m_dir->filePath(QStringLiteral("elsewhere.db")));
    QVERIFY(db);
    auto ensured = ensureMaster(*db, o);
    QVERIFY(!ensured);
    QCOMPARE(ensured.error().code, ErrorCode::Io);
    QVERIFY2(ensured.error().message.contains(QStringLiteral("cannot create the folder")),
             qPrintable(ensured.error().message));
    auto count = InstrumentStore(*db).activeCount();
    QVERIFY(count);
    QCOMPARE(*count, std::int64_t(0));
}

void tst_FirstRun::cancelledBeforeStart()
{
    std::atomic_bool cancel{true};
    FirstRunOptions o = options();
    o.cancel = &cancel;
    auto db = openDb(dbFile());
    QVERIFY(db);
    auto ensured = ensureMaster(*db, o);
    QVERIFY(!ensured);
    QCOMPARE(ensured.error().code, ErrorCode::Cancelled);
    QVERIFY(!QFile::exists(demoMasterPath(o.dataDir, Today)));
}

void tst_FirstRun::needsADate()
{
    FirstRunOptions o = options();
    o.today = NoDay;
    auto path = ensureDemoMasterFile(o);
    QVERIFY(!path);
    QCOMPARE(path.error().code, ErrorCode::InvalidArgument);
}

QTEST_GUILESS_MAIN(tst_FirstRun)
#include "tst_firstrun.moc"
