// Test tables read better with plain string literals.
#undef QT_NO_CAST_FROM_ASCII

// SyncController end to end on a scratch SQLite database: generated masters from files and
// from a local HTTP server, the counts of a summary against counts computed here from the
// masters themselves, failures and cancel leaving the instruments exactly as they were, the
// progress throttle, the history, and the GUI thread staying free while the real 124k master
// syncs.

#include "FaultyHttpServer.h"
#include "TestData.h"
#include "TestPostgres.h"
#include "instruments/InstrumentRepository.h"
#include "instruments/MasterGenerator.h"
#include "instruments/MasterReader.h"
#include "mainwindow/MasterLoader.h"
#include "storage/Database.h"
#include "storage/DatabaseConfig.h"
#include "sync/SyncController.h"
#include "sync/SyncText.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <map>
#include <memory>
#include <set>
#include <string>

using namespace strikeline;
using namespace strikeline::ui;
using strikeline::testing::FaultyHttpServer;
using strikeline::testing::HttpRoute;

namespace {

constexpr int WaitMs = 120000; // a hang guard, not a speed expectation

const EpochDay MasterDay = fromQDate(QDate(2025, 12, 9));

// A master read independently of the sync: the first row of each key, as the sync keeps.
using Master = std::map<std::string, InstrumentRecord>;

Master readMasterRecords(const QString &path)
{
    Master m;
    auto summary = readMasterFile(path, [&m](InstrumentRecord &&r) {
        const std::string key = r.instrumentKey;
        m.emplace(key, std::move(r));
    });
    if (!summary)
        qFatal("cannot read %s: %s", qPrintable(path), qPrintable(summary.error().message));
    return m;
}

struct ExpectedCounts
{
    std::int64_t added = 0;
    std::int64_t expired = 0;
    std::int64_t changedContracts = 0;
    std::map<QString, std::int64_t> perKind;
};

// What syncing `next` over `previous` must report, from the masters alone.
ExpectedCounts expectChanges(const Master &previous, const Master &next)
{
    ExpectedCounts e;
    for (const auto &[key, record] : next) {
        const auto it = previous.find(key);
        if (it == previous.end()) {
            ++e.added;
            ++e.perKind["new"];
            continue;
        }
        const InstrumentRecord &old = it->second;
        const bool sameContract = old.tradingSymbol == record.tradingSymbol &&
                                  old.expiry == record.expiry && old.strike == record.strike &&
                                  old.kind == record.kind && old.segment == record.segment;
        bool changed = false;
        if (!sameContract) {
            ++e.perKind["key_reused"];
            changed = true;
        } else {
            if (old.lotSize != record.lotSize) {
                ++e.perKind["lot_changed"];
                changed = true;
            }
            if (old.tickSize != record.tickSize) {
                ++e.perKind["tick_changed"];
                changed = true;
            }
            if (old.freezeQuantity != record.freezeQuantity) {
                ++e.perKind["freeze_changed"];
                changed = true;
            }
        }
        e.changedContracts += changed ? 1 : 0;
    }
    for (const auto &[key, record] : previous) {
        if (!next.contains(key)) {
            ++e.expired;
            ++e.perKind["deactivated"];
        }
    }
    return e;
}

// Every row of instruments and the number of recorded changes: what a failed sync must not
// touch. Read on the test's thread with a connection of its own.
QString digestOf(const DatabaseConfig &config)
{
    auto db = Database::open(config, "test-digest");
    if (!db)
        return "cannot open: " + db.error().message;
    auto q = (*db)->query("SELECT instrument_key, trading_symbol, lot_size, freeze_quantity, "
                          "tick_size, is_active, first_seen_sync, last_seen_sync FROM "
                          "instruments ORDER BY instrument_key");
    if (!q)
        return "cannot query: " + q.error().message;
    QCryptographicHash hash(QCryptographicHash::Sha256);
    int rows = 0;
    int active = 0;
    while (q->next()) {
        ++rows;
        active += q->value(5).toBool() ? 1 : 0;
        for (int i = 0; i < 8; ++i) {
            hash.addData(q->value(i).toString().toUtf8());
            hash.addData(QByteArrayView("|"));
        }
    }
    auto changes = (*db)->scalar("SELECT count(*) FROM instrument_changes");
    return QStringLiteral("%1 rows, %2 active, %3 changes, %4")
        .arg(rows)
        .arg(active)
        .arg(changes ? changes->toLongLong() : -1)
        .arg(QString::fromLatin1(hash.result().toHex().left(16)));
}

std::map<QString, std::int64_t> recordedKinds(const DatabaseConfig &config, std::int64_t runId)
{
    std::map<QString, std::int64_t> out;
    auto db = Database::open(config, "test-kinds");
    if (!db)
        return out;
    auto q = (*db)->query("SELECT change, count(*) FROM instrument_changes WHERE sync_run_id = ? "
                          "GROUP BY change",
                          {QVariant::fromValue<qint64>(runId)});
    while (q && q->next())
        out[q->value(0).toString()] = q->value(1).toLongLong();
    return out;
}

QString kindsText(const std::map<QString, std::int64_t> &kinds)
{
    QStringList parts;
    for (const auto &[kind, n] : kinds) {
        if (n != 0)
            parts << QStringLiteral("%1=%2").arg(kind).arg(n);
    }
    return parts.join(", ");
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

SyncSummary summaryOf(const QSignalSpy &spy)
{
    return spy.isEmpty() ? SyncSummary{} : spy.last().at(0).value<SyncSummary>();
}

} // namespace

class tst_SyncController : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void firstImportFromFile();
    void secondMasterCountsMatchChanges_data();
    void secondMasterCountsMatchChanges();
    void sameFileIsUnchanged();
    void failureLeavesMaster_data();
    void failureLeavesMaster();
    void failureOnAnEmptyDatabase();
    void cancelStalledDownload();
    void secondStartRefusedWhileRunning();
    void progressIsThrottled();
    void historyAndChangePages_data();
    void historyAndChangePages();
    void destroyWhileRunning();
    void guiThreadStaysFreeDuringRealSync();

private:
    // Switches this test case to a scratch PostgreSQL database for the "postgres" row.
    bool useBackend(const QString &backend, QString *why);
    // Runs one sync to its end through the controller; the summary.
    SyncSummary syncNow(SyncController &controller, const QString &source, bool force = false);
    QString generated(const QString &name) const { return m_dir.filePath(name); }

    QTemporaryDir m_dir;
    QString m_base;      // complete-2025-12-09.json.gz: generated, seed 1, 6,000 rows
    QString m_next;      // complete-2025-12-10.json.gz: seed 2 (tokens, lots, strikes differ)
    QString m_truncated; // the first half of m_next's bytes
    QString m_big;       // seed 3, 40,000 rows, for the throttle
    std::unique_ptr<QTemporaryDir> m_dbDir;
    DatabaseConfig m_config;
    std::unique_ptr<FixedClock> m_clock;
    QString m_pgBase; // the test server and the scratch database of this test case, if any
    QString m_pgName;
};

void tst_SyncController::initTestCase()
{
    QVERIFY2(m_dir.isValid(), qPrintable(m_dir.errorString()));
    auto generate = [this](const QString &name, std::int64_t rows, std::uint64_t seed) {
        GeneratorOptions o;
        o.rows = rows;
        o.seed = seed;
        o.asOf = MasterDay;
        const QString path = generated(name);
        auto summary = generateMasterFile(path, o);
        return summary && summary->rows == rows ? path : QString();
    };
    m_base = generate("complete-2025-12-09.json.gz", 6000, 1);
    m_next = generate("complete-2025-12-10.json.gz", 6000, 2);
    m_big = generate("big-40000.json.gz", 40000, 3);
    QVERIFY(!m_base.isEmpty() && !m_next.isEmpty() && !m_big.isEmpty());
    const QByteArray bytes = readAll(m_next);
    m_truncated = generated("truncated-2025-12-10.json.gz");
    QFile out(m_truncated);
    QVERIFY(out.open(QIODevice::WriteOnly));
    QVERIFY(out.write(bytes.left(bytes.size() / 2)) > 0);
}

void tst_SyncController::init()
{
    m_dbDir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dbDir->isValid());
    auto config = DatabaseConfig::parse("sqlite://" + m_dbDir->filePath("strikeline.db"));
    QVERIFY2(config, config ? "" : qPrintable(config.error().message));
    m_config = *config;
    m_clock = std::make_unique<FixedClock>(IstMoment::fromDay(MasterDay, 10 * 60));
}

void tst_SyncController::cleanup()
{
    if (!m_pgName.isEmpty())
        testpg::dropScratchDatabase(m_pgBase, m_pgName);
    m_pgName.clear();
    m_dbDir.reset();
}

bool tst_SyncController::useBackend(const QString &backend, QString *why)
{
    if (backend == "sqlite")
        return true;
    if (const QString reason = testpg::postgresUnavailableReason(); !reason.isEmpty()) {
        *why = reason;
        return false;
    }
    m_pgBase = *testpg::testPostgresUrl();
    const auto scratch = testpg::createScratchDatabase(m_pgBase, "syncui", why);
    if (!scratch)
        return false;
    m_pgName = scratch->name;
    auto config = DatabaseConfig::parse(scratch->url);
    if (!config) {
        *why = config.error().message;
        return false;
    }
    m_config = *config;
    return true;
}

#define USE_BACKEND()                                                                              \
    do {                                                                                           \
        QFETCH(QString, backend);                                                                  \
        QString why;                                                                               \
        if (!useBackend(backend, &why)) {                                                          \
            if (testpg::postgresRequired())                                                        \
                QFAIL(qPrintable(why));                                                            \
            QSKIP(qPrintable(why));                                                                \
        }                                                                                          \
    } while (false)

static void addBackendRows()
{
    QTest::addColumn<QString>("backend");
    QTest::newRow("sqlite") << QStringLiteral("sqlite");
    QTest::newRow("postgres") << QStringLiteral("postgres");
}

SyncSummary tst_SyncController::syncNow(SyncController &controller, const QString &source,
                                        bool force)
{
    auto failure = [&source](const QString &why) {
        SyncSummary s;
        s.source = source;
        s.error = s.message = why;
        return s;
    };
    QSignalSpy finished(&controller, &SyncController::finished);
    if (!controller.start(SyncRequest{source, force, m_config}))
        return failure("start() refused");
    if (!finished.wait(WaitMs))
        return failure("no finished() in time");
    return summaryOf(finished);
}

void tst_SyncController::firstImportFromFile()
{
    SyncController controller(*m_clock);
    QSignalSpy started(&controller, &SyncController::started);
    QSignalSpy masterChanged(&controller, &SyncController::masterChanged);
    QSignalSpy history(&controller, &SyncController::historyLoaded);

    const SyncSummary s = syncNow(controller, m_base);
    QVERIFY2(s.outcome == SyncOutcome::Succeeded, qPrintable(s.message));
    QCOMPARE(started.size(), 1);
    QCOMPARE(started.first().at(0).toString(), m_base);
    QVERIFY(!controller.isRunning());

    const Master base = readMasterRecords(m_base);
    QVERIFY(s.firstImport);
    QVERIFY(s.runId > 0);
    QCOMPARE(s.instruments, std::int64_t(base.size()));
    QCOMPARE(s.newContracts, std::int64_t(base.size())); // from sync_runs: no 'new' rows listed
    QCOMPARE(s.expiredContracts, 0);
    QCOMPARE(s.changedContracts, 0);
    QCOMPARE(s.changes.total(), 0);
    QVERIFY(s.masterInUse.isEmpty()); // the database was empty
    QVERIFY(s.error.isEmpty());
    QCOMPARE(s.message,
             QStringLiteral("Imported %1 instruments from complete-2025-12-09.json.gz "
                            "in %2 (first import)")
                 .arg(groupedCount(std::int64_t(base.size())), durationText(s.elapsedMs)));
    QCOMPARE(masterChanged.size(), 1);

    // The history follows every sync by itself.
    QTRY_VERIFY_WITH_TIMEOUT(!history.isEmpty(), WaitMs);
    const auto h = history.last().at(0).value<SyncHistory>();
    QCOMPARE(h.runs.size(), std::size_t(1));
    QCOMPARE(h.runs.front().id, s.runId);
    QCOMPARE(h.activeInstruments, std::int64_t(base.size()));
    QVERIFY(h.lastImport);
    QCOMPARE(h.lastImport->id, s.runId);
}

void tst_SyncController::secondMasterCountsMatchChanges_data()
{
    addBackendRows();
}

void tst_SyncController::secondMasterCountsMatchChanges()
{
    USE_BACKEND();
    SyncController controller(*m_clock);
    QVERIFY(syncNow(controller, m_base).outcome == SyncOutcome::Succeeded);
    const SyncSummary s = syncNow(controller, m_next);
    QVERIFY2(s.outcome == SyncOutcome::Succeeded, qPrintable(s.message));
    QVERIFY(!s.firstImport);

    const Master base = readMasterRecords(m_base);
    const Master next = readMasterRecords(m_next);
    const ExpectedCounts e = expectChanges(base, next);
    // The generated masters differ in every way a real next day does.
    QVERIFY(e.added > 0 && e.expired > 0 && e.changedContracts > 0);
    QCOMPARE(s.instruments, std::int64_t(next.size()));
    QCOMPARE(s.newContracts, e.added);
    QCOMPARE(s.expiredContracts, e.expired);
    QCOMPARE(s.changedContracts, e.changedContracts);
    // Per kind: as computed here, and as instrument_changes holds them.
    const auto recorded = recordedKinds(m_config, s.runId);
    QCOMPARE(kindsText(recorded), kindsText(e.perKind));
    for (const QString &kind : changeKinds())
        QCOMPARE(s.changes.of(kind), recorded.contains(kind) ? recorded.at(kind) : 0);
    QCOMPARE(s.masterInUse, QStringLiteral("the master of 09 Dec 2025"));
    QVERIFY2(s.message.startsWith(QStringLiteral("Synced from complete-2025-12-10.json.gz in ")),
             qPrintable(s.message));
    QVERIFY2(s.message.contains(QStringLiteral("%1 new, %2 expired, %3 changed contracts")
                                    .arg(groupedCount(e.added), groupedCount(e.expired),
                                         groupedCount(e.changedContracts))),
             qPrintable(s.message));
}

void tst_SyncController::sameFileIsUnchanged()
{
    SyncController controller(*m_clock);
    QVERIFY(syncNow(controller, m_base).outcome == SyncOutcome::Succeeded);
    QSignalSpy masterChanged(&controller, &SyncController::masterChanged);
    const SyncSummary s = syncNow(controller, m_base);
    QVERIFY2(s.outcome == SyncOutcome::Unchanged, qPrintable(s.message));
    QVERIFY(s.ok());
    QCOMPARE(masterChanged.size(), 0);
    QCOMPARE(s.message, QStringLiteral("The master from complete-2025-12-09.json.gz is unchanged "
                                       "since the last sync: nothing to import"));
    // Forced, it imports again (nothing changes in the data).
    const SyncSummary forced = syncNow(controller, m_base, true);
    QVERIFY2(forced.outcome == SyncOutcome::Succeeded, qPrintable(forced.message));
    QCOMPARE(forced.newContracts + forced.expiredContracts + forced.changedContracts, 0);
}

void tst_SyncController::failureLeavesMaster_data()
{
    QTest::addColumn<QString>("fault");
    QTest::addColumn<QString>("reason"); // the start of the trader's sentence
    QTest::newRow("missing file") << "missing"
                                  << "missing.json.gz could not be read: ";
    QTest::newRow("truncated gzip file")
        << "truncated"
        << "The master from truncated-2025-12-10.json.gz is damaged: ";
    QTest::newRow("HTTP 500") << "500"
                              << "127.0.0.1 answered with an error: HTTP 500";
    QTest::newRow("connection refused") << "refused"
                                        << "127.0.0.1 could not be reached: ";
    QTest::newRow("connection closed mid-body") << "close"
                                                << "127.0.0.1 could not be reached: ";
}

void tst_SyncController::failureLeavesMaster()
{
    QFETCH(QString, fault);
    QFETCH(QString, reason);
    SyncController controller(*m_clock);
    QVERIFY(syncNow(controller, m_base).outcome == SyncOutcome::Succeeded);
    const QString before = digestOf(m_config);

    FaultyHttpServer server;
    QVERIFY(server.isListening());
    QString source;
    if (fault == "missing") {
        source = generated("missing.json.gz");
    } else if (fault == "truncated") {
        source = m_truncated;
    } else if (fault == "500") {
        server.setRoute("/complete.json.gz", HttpRoute::withStatus(500));
        source = server.url("/complete.json.gz").toString();
    } else if (fault == "refused") {
        // A port nobody listens on: the server's, after it is gone.
        quint16 port = 0;
        {
            FaultyHttpServer gone;
            port = gone.port();
        }
        source = QStringLiteral("http://127.0.0.1:%1/complete.json.gz").arg(port);
    } else if (fault == "close") {
        HttpRoute route = HttpRoute::ok(readAll(m_next));
        route.closeAfter = route.body.size() / 2;
        server.setRoute("/complete.json.gz", route);
        source = server.url("/complete.json.gz").toString();
    }

    QSignalSpy masterChanged(&controller, &SyncController::masterChanged);
    const SyncSummary s = syncNow(controller, source);
    QVERIFY2(s.outcome == SyncOutcome::Failed, qPrintable(s.message));
    QVERIFY(!s.ok());
    QVERIFY2(s.error.startsWith(reason), qPrintable(s.error));
    QVERIFY2(s.message.endsWith(QStringLiteral(" \u2014 the master of 09 Dec 2025 stays in use")),
             qPrintable(s.message));
    QCOMPARE(masterChanged.size(), 0);
    QCOMPARE(digestOf(m_config), before);
}

void tst_SyncController::failureOnAnEmptyDatabase()
{
    SyncController controller(*m_clock);
    const SyncSummary s = syncNow(controller, m_truncated);
    QVERIFY2(s.outcome == SyncOutcome::Failed, qPrintable(s.message));
    QVERIFY2(s.message.endsWith(QStringLiteral(" \u2014 nothing was imported")),
             qPrintable(s.message));

    // A database that cannot be opened: said so, nothing else happens.
    auto bad = DatabaseConfig::parse("sqlite://" + m_truncated + "/not-a-dir/strikeline.db");
    QVERIFY(bad);
    QSignalSpy finished(&controller, &SyncController::finished);
    QVERIFY(controller.start(SyncRequest{m_base, false, *bad}));
    QVERIFY(finished.wait(WaitMs));
    const SyncSummary failed = summaryOf(finished);
    QVERIFY(failed.outcome == SyncOutcome::Failed);
    QVERIFY2(failed.error.contains(QStringLiteral("cannot open the database")),
             qPrintable(failed.error));
}

void tst_SyncController::cancelStalledDownload()
{
    SyncController controller(*m_clock);
    QVERIFY(syncNow(controller, m_base).outcome == SyncOutcome::Succeeded);
    const QString before = digestOf(m_config);

    FaultyHttpServer server;
    HttpRoute route = HttpRoute::ok(readAll(m_next));
    route.stallAfter = route.body.size() / 2; // then silence, connection open
    server.setRoute("/complete.json.gz", route);

    QSignalSpy progress(&controller, &SyncController::progress);
    QSignalSpy finished(&controller, &SyncController::finished);
    QVERIFY(
        controller.start(SyncRequest{server.url("/complete.json.gz").toString(), false, m_config}));
    // Wait until bytes are flowing, then cancel in the stall.
    QTRY_VERIFY_WITH_TIMEOUT(
        std::any_of(progress.begin(), progress.end(),
                    [](const QList<QVariant> &args) { return args.at(1).toLongLong() > 0; }),
        WaitMs);
    QVERIFY(controller.isRunning());
    controller.cancel();
    QVERIFY(finished.wait(WaitMs));
    const SyncSummary s = summaryOf(finished);
    QVERIFY2(s.outcome == SyncOutcome::Cancelled, qPrintable(s.message));
    QCOMPARE(s.message, QStringLiteral("Sync cancelled \u2014 the master of 09 Dec 2025 stays in "
                                       "use"));
    QVERIFY(!controller.isRunning());
    QCOMPARE(digestOf(m_config), before);

    // And the next sync runs normally.
    const SyncSummary again = syncNow(controller, m_next);
    QVERIFY2(again.outcome == SyncOutcome::Succeeded, qPrintable(again.message));
}

void tst_SyncController::secondStartRefusedWhileRunning()
{
    SyncController controller(*m_clock);
    FaultyHttpServer server;
    HttpRoute route = HttpRoute::ok(readAll(m_base));
    route.stallAfter = 1000;
    server.setRoute("/complete.json.gz", route);
    QSignalSpy started(&controller, &SyncController::started);
    QSignalSpy finished(&controller, &SyncController::finished);
    QVERIFY(
        controller.start(SyncRequest{server.url("/complete.json.gz").toString(), false, m_config}));
    QVERIFY(controller.isRunning());
    QVERIFY(!controller.start(SyncRequest{m_base, false, m_config}));
    QCOMPARE(started.size(), 1);
    controller.cancel();
    QVERIFY(finished.wait(WaitMs));
    QCOMPARE(finished.size(), 1);
    QVERIFY(summaryOf(finished).outcome == SyncOutcome::Cancelled);
    // Nothing was ever imported: the refused start did not run behind the first.
    QTest::qWait(50);
    QCOMPARE(finished.size(), 1);
    QVERIFY(controller.start(SyncRequest{m_base, false, m_config}));
    QVERIFY(finished.wait(WaitMs));
    QVERIFY(summaryOf(finished).outcome == SyncOutcome::Succeeded);
}

void tst_SyncController::progressIsThrottled()
{
    // A download trickling in small pieces: the reader reports every piece it gets, many
    // times more often than the GUI should hear about it.
    FaultyHttpServer server;
    HttpRoute route = HttpRoute::ok(readAll(m_big));
    route.trickleBytes = 8 * 1024;
    route.trickleIntervalMs = 2;
    server.setRoute("/complete.json.gz", route);
    const auto pieces = route.body.size() / route.trickleBytes;

    SyncController controller(*m_clock);
    QSignalSpy progress(&controller, &SyncController::progress);
    QElapsedTimer timer;
    timer.start();
    const SyncSummary s = syncNow(controller, server.url("/complete.json.gz").toString());
    const qint64 elapsed = timer.elapsed();
    QVERIFY2(s.outcome == SyncOutcome::Succeeded, qPrintable(s.message));

    QVERIFY(progress.size() >= 2);
    const QString reading = QStringLiteral("Downloading and reading instruments");
    QStringList stages;
    qint64 readBytes = 0;
    for (const QList<QVariant> &args : progress) {
        const QString stage = args.at(0).toString();
        if (stages.isEmpty() || stages.last() != stage)
            stages << stage;
        if (stage == reading) {
            QVERIFY(args.at(1).toLongLong() >= readBytes); // never backwards
            readBytes = args.at(1).toLongLong();
            QCOMPARE(args.at(2).toLongLong(), qint64(route.body.size()));
        }
    }
    QVERIFY2(stages.contains(reading), qPrintable(stages.join(" / ")));
    QVERIFY(readBytes > 0);
    QCOMPARE(stages.last(), QStringLiteral("Done")); // the final state is never dropped
    // The throttle: one signal per stage change plus at most one per ProgressIntervalMs of
    // the sync's wall time (not a speed expectation: a bound on the count whatever the speed).
    const qint64 bound = elapsed / SyncController::ProgressIntervalMs + 7;
    qInfo("%lld progress signals in %lld ms for %lld pieces of download",
          qlonglong(progress.size()), elapsed, qlonglong(pieces));
    QVERIFY2(progress.size() <= bound,
             qPrintable(QStringLiteral("%1 signals > %2").arg(progress.size()).arg(bound)));
}

void tst_SyncController::historyAndChangePages_data()
{
    addBackendRows();
}

void tst_SyncController::historyAndChangePages()
{
    USE_BACKEND();
    SyncController controller(*m_clock);
    const SyncSummary first = syncNow(controller, m_base);
    const SyncSummary second = syncNow(controller, m_next);
    const SyncSummary failed = syncNow(controller, m_truncated);
    QVERIFY(first.ok() && second.ok() && failed.outcome == SyncOutcome::Failed);

    // "Today" is the day the runs were stamped (the store stamps real time).
    // The answer for the day asked about. The refresh the controller starts after each sync may
    // still be on its way, for the day the clock said then -- and the one after the second sync
    // may have read the database before the third run was recorded (it once arrived here with
    // two runs). The worker answers in order, so the newest answer is eventually ours: wait for
    // an answer that has all three runs.
    QSignalSpy history(&controller, &SyncController::historyLoaded);
    auto historyFor = [&](EpochDay day) {
        history.clear();
        controller.refreshHistory(m_config);
        QTRY_VERIFY_WITH_TIMEOUT(!history.isEmpty() &&
                                     history.last().at(0).value<SyncHistory>().today == day &&
                                     history.last().at(0).value<SyncHistory>().runs.size() == 3,
                                 WaitMs);
    };
    historyFor(MasterDay);
    if (QTest::currentTestFailed())
        return;
    auto h = history.last().at(0).value<SyncHistory>();
    QCOMPARE(h.runs.size(), std::size_t(3));
    const QDateTime stamped = h.runs.front().startedAt;
    m_clock->set(IstMoment{stamped.toMSecsSinceEpoch()});
    historyFor(IstMoment{stamped.toMSecsSinceEpoch()}.day());
    if (QTest::currentTestFailed())
        return;
    h = history.last().at(0).value<SyncHistory>();
    QCOMPARE(h.runs.size(), std::size_t(3));
    QCOMPARE(h.runs[0].id, failed.runId == 0 ? h.runs[0].id : failed.runId);
    QCOMPARE(h.runs[0].status, SyncStatus::Failed);
    QCOMPARE(h.runs[1].id, second.runId);
    QCOMPARE(h.runs[2].id, first.runId);
    QVERIFY(h.lastImport && h.lastImport->id == second.runId);
    // The three ran within seconds; unless midnight IST fell between them, all are today's.
    if (std::all_of(h.runs.begin(), h.runs.end(),
                    [&](const SyncRunRecord &r) { return istDayOf(r.startedAt) == h.today; })) {
        QCOMPARE(h.todaysRunIds.size(), std::size_t(3));
        QCOMPARE(h.todaysChanges.counts, second.changes);
        QCOMPARE(h.todaysChanges.matching, second.changes.total());
    }

    // A page of one kind of one run, capped.
    QSignalSpy pages(&controller, &SyncController::changesLoaded);
    ChangeQuery query;
    query.runIds = {second.runId};
    query.kind = "deactivated";
    query.limit = 10;
    controller.loadChanges(m_config, query);
    QVERIFY(pages.wait(WaitMs));
    const auto page = pages.last().at(0).value<ChangePage>();
    QCOMPARE(page.query.kind, QStringLiteral("deactivated"));
    QCOMPARE(page.matching, second.expiredContracts);
    QCOMPARE(page.changes.size(), std::size_t(std::min<std::int64_t>(10, second.expiredContracts)));
    for (const InstrumentChange &c : page.changes) {
        QCOMPARE(c.change, QStringLiteral("deactivated"));
        QCOMPARE(c.syncRunId, second.runId);
    }
    QCOMPARE(page.counts, second.changes);

    // A kind that does not exist is an error the panel hears about.
    QSignalSpy failures(&controller, &SyncController::historyFailed);
    query.kind = "exploded";
    controller.loadChanges(m_config, query);
    QVERIFY(failures.wait(WaitMs));
    QVERIFY(failures.last().at(0).toString().contains("unknown change kind"));
}

void tst_SyncController::destroyWhileRunning()
{
    QVERIFY(SyncController(*m_clock).isRunning() == false);
    {
        SyncController seed(*m_clock);
        QVERIFY(syncNow(seed, m_base).ok());
    }
    const QString before = digestOf(m_config);
    FaultyHttpServer server;
    HttpRoute route = HttpRoute::ok(readAll(m_next));
    route.stallAfter = route.body.size() / 3;
    server.setRoute("/complete.json.gz", route);

    auto controller = std::make_unique<SyncController>(*m_clock);
    QSignalSpy progress(controller.get(), &SyncController::progress);
    QVERIFY(controller->start(
        SyncRequest{server.url("/complete.json.gz").toString(), false, m_config}));
    QTRY_VERIFY_WITH_TIMEOUT(progress.size() > 0, WaitMs);
    controller.reset(); // cancels, joins both threads
    QCOMPARE(digestOf(m_config), before);
}

void tst_SyncController::guiThreadStaysFreeDuringRealSync()
{
    STRIKELINE_REQUIRE_REAL_FILE(real, "complete-2025-12-09.json.gz");
    SyncController controller(*m_clock);

    // The event-loop watchdog: a 5 ms timer on this (the GUI) thread; the longest gap between
    // two ticks is how long the GUI thread was unable to run its event loop.
    QElapsedTimer sinceTick;
    qint64 longestGap = 0;
    QTimer watchdog;
    watchdog.setInterval(5);
    connect(&watchdog, &QTimer::timeout, this, [&] {
        if (sinceTick.isValid())
            longestGap = std::max(longestGap, sinceTick.elapsed());
        sinceTick.start();
    });
    watchdog.start();

    QSignalSpy finished(&controller, &SyncController::finished);
    QSignalSpy progress(&controller, &SyncController::progress);
    QSignalSpy history(&controller, &SyncController::historyLoaded);
    QVERIFY(controller.start(SyncRequest{real, false, m_config}));
    QVERIFY(finished.wait(WaitMs * 5));
    const SyncSummary s = summaryOf(finished);
    QTRY_VERIFY_WITH_TIMEOUT(!history.isEmpty(), WaitMs); // the refresh after it, too

    QVERIFY2(s.outcome == SyncOutcome::Succeeded, qPrintable(s.message));
    QCOMPARE(s.instruments, std::int64_t(124278));
    const qint64 syncGap = longestGap;

    // Then what the window does on masterChanged(): hydrate the new master (MasterLoader).
    longestGap = 0;
    sinceTick.invalidate();
    InstrumentRepository repository;
    MasterLoader loader(repository, *m_clock);
    QSignalSpy loaded(&loader, &MasterLoader::finished);
    QVERIFY(loader.loadDatabase(m_config));
    QVERIFY(loaded.wait(WaitMs * 5));
    watchdog.stop();
    QVERIFY2(loaded.last().at(0).toBool(), qPrintable(loaded.last().at(1).toString()));
    QCOMPARE(repository.snapshot()->size(), std::size_t(124278));
    const qint64 hydrateGap = longestGap;
    longestGap = std::max(syncGap, hydrateGap);

    qInfo("real master (124,278 rows) synced in %lld ms via the controller; %lld progress "
          "signals; longest GUI event-loop stall %lld ms while syncing, %lld ms while hydrating "
          "(%lld ms)",
          qlonglong(s.elapsedMs), qlonglong(progress.size()), qlonglong(syncGap),
          qlonglong(hydrateGap), qlonglong(loaded.last().at(2).toLongLong()));
    // No timing assertions here (they flake on a shared machine; speed belongs to benchmarks).
    // The target is < 100 ms and the figure above is what to look at. This bound only catches
    // the regression that matters: the sync (seconds of work) running on the GUI thread, which
    // would stall the loop for the whole sync.
    QVERIFY2(longestGap < 2000,
             qPrintable(QStringLiteral("GUI thread blocked for %1 ms").arg(longestGap)));
}

QTEST_MAIN(tst_SyncController)
#include "tst_synccontroller.moc"
