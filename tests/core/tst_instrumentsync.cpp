// Test tables read better with plain string literals.
#undef QT_NO_CAST_FROM_ASCII

// Storage, instrument sync and background hydration, end to end, on both backends: SQLite (a
// file in a temporary directory) and PostgreSQL (a scratch database on ctest's throwaway
// server). Expected numbers are computed here from the masters themselves, never taken from the
// sync's own counters. Faults (truncated gzip, corrupt JSON, a too-small master, cancel, a
// killed connection, HTTP 500, a stalled download, a concurrent sync) must leave the
// instruments exactly as they were, with the failed run recorded in sync_runs.

#include "FaultyHttpServer.h"
#include "TestData.h"
#include "TestPostgres.h"
#include "common/Result.h"
#include "instruments/Instrument.h"
#include "instruments/InstrumentSnapshot.h"
#include "instruments/MasterGenerator.h"
#include "instruments/MasterReader.h"
#include "storage/Database.h"
#include "storage/DatabaseConfig.h"
#include "storage/InstrumentStore.h"
#include "sync/Hydrator.h"
#include "sync/InstrumentSync.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QSemaphore>
#include <QSqlDriver>
#include <QSqlQuery>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <fcntl.h>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <utility>
#include <vector>

using namespace strikeline;
using strikeline::testing::FaultyHttpServer;
using strikeline::testing::HttpRoute;

namespace {

// ---- small helpers --------------------------------------------------------------------------

QString codeName(ErrorCode code)
{
    switch (code) {
    case ErrorCode::InvalidArgument:
        return "InvalidArgument";
    case ErrorCode::NotFound:
        return "NotFound";
    case ErrorCode::Io:
        return "Io";
    case ErrorCode::Gzip:
        return "Gzip";
    case ErrorCode::Parse:
        return "Parse";
    case ErrorCode::Validation:
        return "Validation";
    case ErrorCode::TooManyBadRows:
        return "TooManyBadRows";
    case ErrorCode::Cancelled:
        return "Cancelled";
    case ErrorCode::Database:
        return "Database";
    case ErrorCode::Network:
        return "Network";
    case ErrorCode::Conflict:
        return "Conflict";
    case ErrorCode::Internal:
        return "Internal";
    }
    return "?";
}

template<typename T>
QString describe(const Result<T> &r)
{
    return r ? QStringLiteral("ok") : codeName(r.error().code) + ": " + r.error().message;
}

QByteArray sha256Of(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&f);
    return hash.result().toHex();
}

QString recordText(const InstrumentRecord &r)
{
    return QStringLiteral("%1|%2|%3|%4|%5|%6|%7|%8|%9")
               .arg(QString::fromStdString(r.instrumentKey),
                    QString::fromStdString(r.tradingSymbol), QString::fromStdString(r.name),
                    QString::fromLatin1(segmentName(r.segment)),
                    QString::fromLatin1(kindName(r.kind)), formatIsoDay(r.expiry),
                    QString::fromStdString(r.strike.toString()),
                    QString::fromStdString(r.tickSize.toString()), QString::number(r.lotSize)) +
           QStringLiteral("|freeze %1|mult %2|weekly %3|type %4|under %5|%6|token %7")
               .arg(r.freezeQuantity)
               .arg(r.qtyMultiplier)
               .arg(r.weekly ? 1 : 0)
               .arg(QString::fromStdString(r.typeCode), QString::fromStdString(r.underlyingSymbol),
                    QString::fromStdString(r.underlyingKey))
               .arg(r.exchangeToken);
}

// Empty when equal, else the first difference, for a failure message.
QString firstDifference(const std::vector<InstrumentRecord> &expected,
                        const std::vector<InstrumentRecord> &actual)
{
    const std::size_t n = std::min(expected.size(), actual.size());
    for (std::size_t i = 0; i < n; ++i) {
        if (!(expected[i] == actual[i]))
            return QStringLiteral("row %1: expected %2, got %3")
                .arg(i)
                .arg(recordText(expected[i]), recordText(actual[i]));
    }
    if (expected.size() != actual.size())
        return QStringLiteral("expected %1 records, got %2")
            .arg(expected.size())
            .arg(actual.size());
    return {};
}

std::vector<InstrumentRecord> sortedRecords(const InstrumentSnapshot &snapshot)
{
    std::vector<InstrumentRecord> out;
    out.reserve(snapshot.size());
    for (std::size_t i = 0; i < snapshot.size(); ++i)
        out.push_back(snapshot.instrument(static_cast<InstrumentId>(i)).toRecord());
    std::sort(out.begin(), out.end(), [](const InstrumentRecord &a, const InstrumentRecord &b) {
        return a.instrumentKey < b.instrumentKey;
    });
    return out;
}

// ---- a master read independently of the sync ----------------------------------------------

struct MasterFile
{
    QString path;
    std::map<std::string, InstrumentRecord> records; // the first row of each key, as the sync
    std::int64_t rowsRead = 0;
    std::int64_t rowsSkipped = 0;
    QByteArray sha256;
    // What a snapshot built straight from the file holds, sorted by key.
    std::vector<InstrumentRecord> snapshotRecords;
};

Result<std::shared_ptr<const MasterFile>> loadMaster(const QString &path)
{
    static std::map<QString, std::shared_ptr<const MasterFile>> cache;
    if (const auto it = cache.find(path); it != cache.end())
        return it->second;
    auto file = std::make_shared<MasterFile>();
    file->path = path;
    auto summary = readMasterFile(path, [&](InstrumentRecord &&r) {
        const std::string key = r.instrumentKey;
        file->records.emplace(key, std::move(r));
    });
    if (!summary)
        return summary.error();
    file->rowsRead = summary->rowsRead;
    file->rowsSkipped = summary->rowsSkipped;
    file->sha256 = sha256Of(path);
    SnapshotBuilder builder;
    builder.reserve(file->records.size());
    for (const auto &[key, record] : file->records) {
        InstrumentRecord copy = record;
        builder.add(std::move(copy));
    }
    const SnapshotPtr snapshot = builder.build(MasterInfo{});
    file->snapshotRecords = sortedRecords(*snapshot);
    std::shared_ptr<const MasterFile> shared = std::move(file);
    cache.emplace(path, shared);
    return shared;
}

// ---- the instruments table as the issue defines it, modelled in memory ------------------

struct ModelRow
{
    InstrumentRecord record;
    bool active = true;
    std::int64_t firstSeen = 0;
    std::int64_t lastSeen = 0;
};
using Model = std::map<std::string, ModelRow>;

bool sameIdentity(const InstrumentRecord &a, const InstrumentRecord &b)
{
    return a.tradingSymbol == b.tradingSymbol && a.expiry == b.expiry && a.strike == b.strike &&
           a.kind == b.kind && a.segment == b.segment;
}

struct Expected
{
    std::map<QString, std::set<std::string>> changes; // change -> keys
    std::int64_t inserted = 0;
    std::int64_t updated = 0;
    std::int64_t unchanged = 0;
    std::int64_t deactivated = 0;
    std::int64_t reused = 0;
};

Expected expectSync(const Model &model, const MasterFile &file)
{
    Expected e;
    for (const auto &[key, record] : file.records) {
        const auto it = model.find(key);
        if (it == model.end()) {
            e.changes["new"].insert(key);
            continue;
        }
        const ModelRow &old = it->second;
        if (!sameIdentity(old.record, record)) {
            e.changes["key_reused"].insert(key);
        } else {
            if (!old.active)
                e.changes["reactivated"].insert(key);
            if (old.record.lotSize != record.lotSize)
                e.changes["lot_changed"].insert(key);
            if (old.record.tickSize != record.tickSize)
                e.changes["tick_changed"].insert(key);
            if (old.record.freezeQuantity != record.freezeQuantity)
                e.changes["freeze_changed"].insert(key);
        }
        if (!old.active || !(old.record == record))
            ++e.updated;
    }
    for (const auto &[key, row] : model) {
        if (row.active && !file.records.contains(key))
            e.changes["deactivated"].insert(key);
    }
    e.inserted = static_cast<std::int64_t>(e.changes["new"].size());
    // The very first import into an empty table is not a change: no 'new' rows are listed.
    if (model.empty())
        e.changes.erase("new");
    e.deactivated = static_cast<std::int64_t>(e.changes["deactivated"].size());
    e.reused = static_cast<std::int64_t>(e.changes["key_reused"].size());
    e.unchanged = static_cast<std::int64_t>(file.records.size()) - e.inserted - e.updated;
    return e;
}

void applySync(Model &model, const MasterFile &file, std::int64_t runId)
{
    for (auto &[key, row] : model) {
        if (row.active && !file.records.contains(key))
            row.active = false;
    }
    for (const auto &[key, record] : file.records) {
        auto it = model.find(key);
        if (it == model.end()) {
            model.emplace(key, ModelRow{record, true, runId, runId});
            continue;
        }
        ModelRow &row = it->second;
        if (!sameIdentity(row.record, record))
            row.firstSeen = runId;
        row.record = record;
        row.active = true;
        row.lastSeen = runId;
    }
}

// ---- reading the database back ----------------------------------------------------------

// Every row and column of instruments (sorted, hashed) and the number of recorded changes: a
// failed sync must leave all of it exactly as it was.
struct Digest
{
    std::int64_t rows = -1;
    std::int64_t active = -1;
    std::int64_t changes = -1;
    QByteArray sha256;

    bool operator==(const Digest &) const = default;
    QString toString() const
    {
        return QStringLiteral("%1 rows, %2 active, %3 changes, sha256 %4")
            .arg(rows)
            .arg(active)
            .arg(changes)
            .arg(QString::fromLatin1(sha256.left(16)));
    }
};

// withSyncIds = false: the data only (a forced re-import moves last_seen_sync).
Result<Digest> digestOf(Database &db, bool withSyncIds = true)
{
    auto q = db.query(
        "SELECT instrument_key, trading_symbol, name, segment, exchange_token, instrument_type, "
        "kind, underlying_symbol, underlying_key, expiry, strike_price, tick_size, lot_size, "
        "freeze_quantity, qty_multiplier, weekly, is_active, first_seen_sync, last_seen_sync "
        "FROM instruments");
    if (!q)
        return q.error();
    Digest d;
    d.rows = 0;
    d.active = 0;
    std::vector<QByteArray> lines;
    const int columns = withSyncIds ? 19 : 17;
    while (q->next()) {
        QByteArray line;
        for (int i = 0; i < columns; ++i) {
            const QVariant v = q->value(i);
            if (i == 15 || i == 16)
                line += v.toBool() ? "1" : "0";
            else
                line += v.isNull() ? QByteArray("\\N") : v.toString().toUtf8();
            line += '|';
        }
        if (q->value(16).toBool())
            ++d.active;
        lines.push_back(std::move(line));
    }
    std::sort(lines.begin(), lines.end());
    QCryptographicHash hash(QCryptographicHash::Sha256);
    for (const QByteArray &line : lines) {
        hash.addData(line);
        hash.addData(QByteArrayView("\n"));
    }
    d.rows = static_cast<std::int64_t>(lines.size());
    d.sha256 = hash.result().toHex();
    auto changes = db.scalar("SELECT count(*) FROM instrument_changes");
    if (!changes)
        return changes.error();
    d.changes = changes->toLongLong();
    return d;
}

Result<std::vector<SyncRunRecord>> allRuns(Database &db)
{
    InstrumentStore store(db);
    auto runs = store.recentRuns(1000000);
    if (!runs)
        return runs.error();
    std::vector<SyncRunRecord> out = *runs;
    std::reverse(out.begin(), out.end()); // oldest first
    return out;
}

Result<std::map<QString, std::set<std::string>>> changesOf(Database &db, std::int64_t runId)
{
    auto q = db.query("SELECT change, instrument_key FROM instrument_changes WHERE sync_run_id = ?",
                      {QVariant::fromValue<qint64>(runId)});
    if (!q)
        return q.error();
    std::map<QString, std::set<std::string>> out;
    while (q->next())
        out[q->value(0).toString()].insert(q->value(1).toString().toStdString());
    return out;
}

// Empty when the change sets match; else what differs.
QString compareChanges(const std::map<QString, std::set<std::string>> &expected,
                       const std::map<QString, std::set<std::string>> &actual)
{
    QStringList problems;
    std::set<QString> kinds;
    for (const auto &[k, v] : expected)
        kinds.insert(k);
    for (const auto &[k, v] : actual)
        kinds.insert(k);
    for (const QString &kind : kinds) {
        static const std::set<std::string> none;
        const auto e = expected.find(kind);
        const auto a = actual.find(kind);
        const std::set<std::string> &want = e == expected.end() ? none : e->second;
        const std::set<std::string> &got = a == actual.end() ? none : a->second;
        if (want == got)
            continue;
        std::vector<std::string> missing;
        std::vector<std::string> extra;
        std::set_difference(want.begin(), want.end(), got.begin(), got.end(),
                            std::back_inserter(missing));
        std::set_difference(got.begin(), got.end(), want.begin(), want.end(),
                            std::back_inserter(extra));
        problems << QStringLiteral("%1: expected %2, recorded %3 (missing e.g. %4; extra e.g. %5)")
                        .arg(kind)
                        .arg(want.size())
                        .arg(got.size())
                        .arg(missing.empty() ? QString() : QString::fromStdString(missing.front()),
                             extra.empty() ? QString() : QString::fromStdString(extra.front()));
    }
    return problems.join("; ");
}

// Empty when the instruments table matches the model (symbol, lot, freeze, active, first and
// last seen sync of every key, active or not).
QString compareWithModel(Database &db, const Model &model)
{
    auto q =
        db.query("SELECT instrument_key, trading_symbol, lot_size, freeze_quantity, is_active, "
                 "first_seen_sync, last_seen_sync FROM instruments");
    if (!q)
        return describe(q);
    QStringList problems;
    std::size_t rows = 0;
    while (q->next()) {
        ++rows;
        const std::string key = q->value(0).toString().toStdString();
        const auto it = model.find(key);
        if (it == model.end()) {
            if (problems.size() < 5)
                problems << QStringLiteral("unexpected row %1").arg(QString::fromStdString(key));
            continue;
        }
        const ModelRow &m = it->second;
        const QString got = QStringLiteral("%1 lot %2 freeze %3 active %4 first %5 last %6")
                                .arg(q->value(1).toString())
                                .arg(q->value(2).toInt())
                                .arg(q->value(3).toInt())
                                .arg(q->value(4).toBool() ? 1 : 0)
                                .arg(q->value(5).toLongLong())
                                .arg(q->value(6).toLongLong());
        const QString want = QStringLiteral("%1 lot %2 freeze %3 active %4 first %5 last %6")
                                 .arg(QString::fromStdString(m.record.tradingSymbol))
                                 .arg(m.record.lotSize)
                                 .arg(m.record.freezeQuantity)
                                 .arg(m.active ? 1 : 0)
                                 .arg(m.firstSeen)
                                 .arg(m.lastSeen);
        if (got != want && problems.size() < 5)
            problems << QStringLiteral("%1: expected [%2], got [%3]")
                            .arg(QString::fromStdString(key), want, got);
    }
    if (rows != model.size())
        problems
            << QStringLiteral("%1 rows in instruments, %2 expected").arg(rows).arg(model.size());
    return problems.join("; ");
}

// ---- backends -------------------------------------------------------------------------------

// Wall time per backend over the whole suite, for the report.
std::map<QString, qint64> &backendMillis()
{
    static std::map<QString, qint64> ms;
    return ms;
}

class BackendTimer
{
public:
    explicit BackendTimer(QString backend)
        : m_backend(std::move(backend))
    {
        m_timer.start();
    }
    ~BackendTimer() { backendMillis()[m_backend] += m_timer.elapsed(); }
    BackendTimer(const BackendTimer &) = delete;
    BackendTimer &operator=(const BackendTimer &) = delete;

private:
    QString m_backend;
    QElapsedTimer m_timer;
};

// One test case's own database: a SQLite file in a temporary directory, or a scratch
// PostgreSQL database (dropped at the end, even with connections still open).
class TestDb
{
public:
    TestDb() = default;
    ~TestDb()
    {
        if (!m_pgName.isEmpty())
            testpg::dropScratchDatabase(m_pgBaseUrl, m_pgName);
    }
    TestDb(const TestDb &) = delete;
    TestDb &operator=(const TestDb &) = delete;

    bool initSqlite(QString *error)
    {
        m_dir = std::make_unique<QTemporaryDir>();
        if (!m_dir->isValid()) {
            *error = "cannot create a temporary directory: " + m_dir->errorString();
            return false;
        }
        auto parsed = DatabaseConfig::parse("sqlite://" + m_dir->filePath("strikeline.db"));
        if (!parsed) {
            *error = parsed.error().message;
            return false;
        }
        config = *parsed;
        return true;
    }

    bool initPostgres(const QString &baseUrl, const QString &hint, QString *error)
    {
        const auto scratch = testpg::createScratchDatabase(baseUrl, hint, error);
        if (!scratch)
            return false;
        m_pgBaseUrl = baseUrl;
        m_pgName = scratch->name;
        auto parsed = DatabaseConfig::parse(scratch->url);
        if (!parsed) {
            *error = parsed.error().message;
            return false;
        }
        config = *parsed;
        return true;
    }

    bool isPostgres() const { return config.backend == DatabaseBackend::Postgres; }
    // Every bulk path (staging, merge, hydration) runs on the driver's native handle.
    QString nativeHandleProblem() const
    {
        auto probe = open("probe");
        if (!probe)
            return describe(probe);
        const bool ok = isPostgres() ? (*probe)->postgresHandle() != nullptr
                                     : (*probe)->sqliteHandle() != nullptr;
        return ok ? QString()
                  : QStringLiteral("Database::%1Handle() is null on an open connection (the "
                                   "driver's handle type is '%2')")
                        .arg(isPostgres() ? "postgres" : "sqlite",
                             QString::fromLatin1((*probe)->sql().driver()->handle().typeName()));
    }
    const QString &pgBaseUrl() const { return m_pgBaseUrl; }
    const QString &pgName() const { return m_pgName; }
    Result<std::unique_ptr<Database>> open(const QString &purpose = "test") const
    {
        return Database::open(config, purpose);
    }

    DatabaseConfig config;

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_pgBaseUrl;
    QString m_pgName;
};

void addBackendRows()
{
    QTest::addColumn<QString>("backend");
    QTest::newRow("sqlite") << QStringLiteral("sqlite");
    QTest::newRow("postgres") << QStringLiteral("postgres");
}

SyncOptions fileSync(const QString &path, bool force = false)
{
    SyncOptions o;
    o.source = path;
    o.force = force;
    return o;
}

} // namespace

// Declares `TestDb t` for the current data row's backend (skips or fails without PostgreSQL).
#define INIT_TEST_DB(t)                                                                            \
    QFETCH(QString, backend);                                                                      \
    TestDb t;                                                                                      \
    if (backend == QLatin1String("postgres")) {                                                    \
        STRIKELINE_REQUIRE_POSTGRES(pgBaseUrl_);                                                   \
        QString initError_;                                                                        \
        QVERIFY2(t.initPostgres(pgBaseUrl_,                                                        \
                                QString::fromLatin1(QTest::currentTestFunction()) + "_" +          \
                                    QString::fromLatin1(QTest::currentDataTag()),                  \
                                &initError_),                                                      \
                 qPrintable(initError_));                                                          \
    } else {                                                                                       \
        QString initError_;                                                                        \
        QVERIFY2(t.initSqlite(&initError_), qPrintable(initError_));                               \
    }                                                                                              \
    BackendTimer backendTimer_(backend);                                                           \
    const QString nativeProblem_ = t.nativeHandleProblem();                                        \
    QVERIFY2(nativeProblem_.isEmpty(), qPrintable(nativeProblem_))

// Declares `std::unique_ptr<Database> var`, opened on `t` (or fails the test).
#define OPEN_DB(var, t, purpose)                                                                   \
    auto var##Opened_ = (t).open(purpose);                                                         \
    QVERIFY2(var##Opened_, qPrintable(describe(var##Opened_)));                                    \
    std::unique_ptr<Database> var = std::move(*var##Opened_)

// Declares `Digest var` of `db` (or fails the test).
#define DIGEST(var, db, ...)                                                                       \
    auto var##Result_ = digestOf((db)__VA_OPT__(, ) __VA_ARGS__);                                  \
    QVERIFY2(var##Result_, qPrintable(describe(var##Result_)));                                    \
    const Digest var = *var##Result_

// Declares `std::vector<SyncRunRecord> var` of `db` (or fails the test).
#define RUNS(var, db)                                                                              \
    auto var##Result_ = allRuns(db);                                                               \
    QVERIFY2(var##Result_, qPrintable(describe(var##Result_)));                                    \
    const std::vector<SyncRunRecord> var = *var##Result_

class tst_InstrumentSync : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void configParse_data();
    void configParse();
    void configRejects_data();
    void configRejects();

    void migrationsAreIdempotent_data();
    void migrationsAreIdempotent();

    void realMastersInDateOrder_data();
    void realMastersInDateOrder();

    void sameFileIsUnchangedUnlessForced_data();
    void sameFileIsUnchangedUnlessForced();

    void truncatedGzipLeavesInstruments_data();
    void truncatedGzipLeavesInstruments();
    void corruptJsonLeavesInstruments_data();
    void corruptJsonLeavesInstruments();
    void repeatedKeysAreReported_data();
    void repeatedKeysAreReported();
    void tooFewRowsRefusedUnlessForced_data();
    void tooFewRowsRefusedUnlessForced();
    void cancelFromProgressLeavesInstruments_data();
    void cancelFromProgressLeavesInstruments();
    void databaseErrorInMergeLeavesInstruments_data();
    void databaseErrorInMergeLeavesInstruments();
    void missingFileFailsClearly_data();
    void missingFileFailsClearly();
    void killedConnectionLeavesInstruments_data();
    void killedConnectionLeavesInstruments();
    void httpErrorLeavesInstruments_data();
    void httpErrorLeavesInstruments();

    void httpEtagMakesSecondSyncUnchanged_data();
    void httpEtagMakesSecondSyncUnchanged();

    void concurrentSyncs_data();
    void concurrentSyncs();
    void hydrateDuringSyncSeesPreviousMaster_data();
    void hydrateDuringSyncSeesPreviousMaster();

    void damagedRowFailsHydration_data();
    void damagedRowFailsHydration();

    // Sources, reading and the run's record (issue 16, item 6 and its errors).
    void sourceThatIsNoFileIsRefused_data();
    void sourceThatIsNoFileIsRefused();
    void checksumIsOfTheBytesRead_data();
    void checksumIsOfTheBytesRead();
    void failedReadRecordsWhatWasRead_data();
    void failedReadRecordsWhatWasRead();
    void resultCarriesTheRecordedRun_data();
    void resultCarriesTheRecordedRun();
    void cancelInLaterPhases_data();
    void cancelInLaterPhases();
    void abandonedRunsAreJudged_data();
    void abandonedRunsAreJudged();

    void invalidRowKeepsThePreviousVersion_data();
    void invalidRowKeepsThePreviousVersion();
    void nulInAStringSkipsTheRow_data();
    void nulInAStringSkipsTheRow();
    void olderMasterRefusedUnlessForced_data();
    void olderMasterRefusedUnlessForced();
    void bareNotModifiedIsAnError_data();
    void bareNotModifiedIsAnError();
    void hydrationReadsOneSnapshot_data();
    void hydrationReadsOneSnapshot();
    void readOnlyOpenCreatesNothing_data();
    void readOnlyOpenCreatesNothing();
    void migrationUpgradesAnOlderDatabase_data();
    void migrationUpgradesAnOlderDatabase();

private:
    QString generated(const QString &name) const { return m_dir.filePath(name); }
    // The baseline every fault test starts from: the 20,000-row generated master, synced.
    static Result<SyncResult> syncBaseline(Database &db, const QString &path)
    {
        return syncInstruments(db, fileSync(path));
    }

    QTemporaryDir m_dir;
    QString m_base20k;  // generated, seed 1, 20,000 rows (.json.gz)
    QString m_small5k;  // the first 5,000 rows of the same universe
    QString m_other20k; // seed 2: different tokens, lots, strikes
    QString m_corrupt;  // seed 2 as plain .json with garbage in the middle
    QString m_big100k;  // seed 3, 100,000 rows, for the concurrent syncs
    std::map<QString, std::vector<InstrumentRecord>> m_hydratedDec; // backend -> sorted records
};

void tst_InstrumentSync::initTestCase()
{
    QVERIFY2(m_dir.isValid(), qPrintable(m_dir.errorString()));
    auto generate = [this](const QString &name, std::int64_t rows, std::uint64_t seed) {
        GeneratorOptions o;
        o.rows = rows;
        o.seed = seed;
        o.asOf = fromQDate(QDate(2025, 12, 9));
        const QString path = generated(name);
        auto summary = generateMasterFile(path, o);
        return summary && summary->rows == rows ? path : QString();
    };
    m_base20k = generate("base-20000.json.gz", 20000, 1);
    m_small5k = generate("small-5000.json.gz", 5000, 1);
    m_other20k = generate("other-20000.json.gz", 20000, 2);
    m_corrupt = generate("corrupt-20000.json", 20000, 2);
    m_big100k = generate("big-100000.json.gz", 100000, 3);
    for (const QString *p : {&m_base20k, &m_small5k, &m_other20k, &m_corrupt, &m_big100k})
        QVERIFY2(!p->isEmpty(), "generating a master failed");

    // JSON corrupted mid-file: break the array between two rows in the middle.
    QFile f(m_corrupt);
    QVERIFY(f.open(QIODevice::ReadWrite));
    QByteArray bytes = f.readAll();
    const qsizetype at = bytes.indexOf("},{", bytes.size() / 2);
    QVERIFY2(at > 0, "no row boundary in the middle of the generated JSON");
    bytes.replace(at, 4, "}{,,");
    QVERIFY(f.seek(0));
    QCOMPARE(f.write(bytes), qint64(bytes.size()));
    f.close();
    // The corruption really makes the file unreadable (the sync must agree).
    const auto check = readMasterFile(m_corrupt, [](InstrumentRecord &&) {});
    QVERIFY2(!check, "the corrupted JSON still reads as a master");
}

void tst_InstrumentSync::cleanupTestCase()
{
    for (const auto &[backend, ms] : backendMillis())
        qInfo("wall time on %s: %.1f s", qPrintable(backend), double(ms) / 1000.0);
}

// ---- 1. DatabaseConfig ----------------------------------------------------------------------

void tst_InstrumentSync::configParse_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<int>("backend"); // 0 sqlite, 1 postgres
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("password");
    QTest::addColumn<QString>("database");
    QTest::addColumn<QString>("redacted");

    QTest::newRow("sqlite absolute")
        << "sqlite:///var/lib/strikeline/s.db" << 0 << "/var/lib/strikeline/s.db"
        << "" << 5432 << ""
        << ""
        << ""
        << "sqlite:///var/lib/strikeline/s.db";
    QTest::newRow("sqlite relative") << "sqlite:data/s.db" << 0 << "data/s.db"
                                     << "" << 5432 << ""
                                     << ""
                                     << ""
                                     << "sqlite://data/s.db";
    QTest::newRow("sqlite memory") << "sqlite::memory:" << 0 << ":memory:"
                                   << "" << 5432 << ""
                                   << ""
                                   << ""
                                   << "sqlite::memory:";
    QTest::newRow("postgresql full") << "postgresql://u:secret@h:5433/db" << 1 << ""
                                     << "h" << 5433 << "u"
                                     << "secret"
                                     << "db"
                                     << "postgresql://u:***@h:5433/db";
    QTest::newRow("postgres alias") << "postgres://trader@db.example:6543/strikeline" << 1 << ""
                                    << "db.example" << 6543 << "trader"
                                    << ""
                                    << "strikeline"
                                    << "postgresql://trader@db.example:6543/strikeline";
    QTest::newRow("postgres default port") << "postgres://u:secret@h/db" << 1 << ""
                                           << "h" << 5432 << "u"
                                           << "secret"
                                           << "db"
                                           << "postgresql://u:***@h:5432/db";
    QTest::newRow("password percent-encoded") << "postgresql://u:s%40cr%3At@h:5433/db" << 1 << ""
                                              << "h" << 5433 << "u"
                                              << "s@cr:t"
                                              << "db"
                                              << "postgresql://u:***@h:5433/db";
}

void tst_InstrumentSync::configParse()
{
    QFETCH(QString, url);
    QFETCH(int, backend);
    QFETCH(QString, path);
    QFETCH(QString, host);
    QFETCH(int, port);
    QFETCH(QString, user);
    QFETCH(QString, password);
    QFETCH(QString, database);
    QFETCH(QString, redacted);

    const auto c = DatabaseConfig::parse(url);
    QVERIFY2(c, qPrintable(describe(c)));
    QCOMPARE(c->backend, backend == 0 ? DatabaseBackend::Sqlite : DatabaseBackend::Postgres);
    QCOMPARE(c->path, path);
    if (backend == 1) {
        QCOMPARE(c->host, host);
        QCOMPARE(c->port, port);
        QCOMPARE(c->user, user);
        QCOMPARE(c->password, password);
        QCOMPARE(c->database, database);
    }
    QCOMPARE(c->redacted(), redacted);
    if (!password.isEmpty()) {
        QVERIFY2(!c->redacted().contains(password), qPrintable(c->redacted()));
        QVERIFY(c->redacted().contains("***"));
    }
}

void tst_InstrumentSync::configRejects_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("password"); // must never appear in the message

    QTest::newRow("no host") << "postgresql://u:secret@/db"
                             << "secret";
    QTest::newRow("no database") << "postgresql://u:secret@h:5433/"
                                 << "secret";
    QTest::newRow("no path at all") << "postgresql://u:secret@h:5433"
                                    << "secret";
    QTest::newRow("nested database path") << "postgres://u:secret@h/a/b"
                                          << "secret";
    QTest::newRow("port out of range") << "postgresql://u:secret@h:99999/db"
                                       << "secret";
    QTest::newRow("port not a number") << "postgresql://u:secret@h:54x2/db"
                                       << "secret";
    QTest::newRow("unknown scheme") << "mysql://u:secret@h/db"
                                    << "secret";
    QTest::newRow("sqlite without a path") << "sqlite://"
                                           << "";
    QTest::newRow("sqlite with a password parameter") << "sqlite:///tmp/x.db?password=hunter2"
                                                      << "hunter2";
    QTest::newRow("sqlite with a fragment") << "sqlite:///tmp/x.db#hunter2"
                                            << "hunter2";
    QTest::newRow("postgres parameters") << "postgresql://u:secret@h/db?sslmode=disable"
                                         << "secret";
    QTest::newRow("postgres password parameter") << "postgresql://u@h/db?password=hunter2"
                                                 << "hunter2";
}

void tst_InstrumentSync::configRejects()
{
    QFETCH(QString, url);
    QFETCH(QString, password);
    const auto c = DatabaseConfig::parse(url);
    QVERIFY2(!c, qPrintable(url + " was accepted"));
    QCOMPARE(c.error().code, ErrorCode::InvalidArgument);
    QVERIFY(!c.error().message.isEmpty());
    if (!password.isEmpty())
        QVERIFY2(!c.error().message.contains(password), qPrintable(c.error().message));
}

// ---- 2. migrations ---------------------------------------------------------------------------

void tst_InstrumentSync::migrationsAreIdempotent_data()
{
    addBackendRows();
}

void tst_InstrumentSync::migrationsAreIdempotent()
{
    INIT_TEST_DB(t);
    const QString dir = t.isPostgres() ? ":/sql/postgres" : ":/sql/sqlite";
    std::set<int> expectedVersions;
    for (const QString &file : QDir(dir).entryList({"*.sql"}, QDir::Files))
        expectedVersions.insert(file.section('_', 0, 0).toInt());
    QVERIFY2(expectedVersions.contains(1), qPrintable("no migration 001 in " + dir));

    auto checkSchema = [&](Database &db) -> QString {
        auto q = db.query("SELECT version, count(*) FROM schema_version GROUP BY version");
        if (!q)
            return describe(q);
        std::set<int> versions;
        while (q->next()) {
            if (q->value(1).toInt() != 1)
                return QStringLiteral("version %1 recorded %2 times")
                    .arg(q->value(0).toInt())
                    .arg(q->value(1).toInt());
            versions.insert(q->value(0).toInt());
        }
        if (versions != expectedVersions)
            return QStringLiteral("%1 versions recorded, %2 migrations built in")
                .arg(versions.size())
                .arg(expectedVersions.size());
        auto total = db.scalar("SELECT count(*) FROM schema_version");
        if (!total || total->toLongLong() != static_cast<qint64>(expectedVersions.size()))
            return QStringLiteral("schema_version has %1 rows")
                .arg(total ? total->toLongLong() : -1);
        for (const char *table : {"sync_runs", "instruments", "instrument_changes"}) {
            auto n = db.scalar(QStringLiteral("SELECT count(*) FROM %1").arg(QLatin1String(table)));
            if (!n)
                return QStringLiteral("table %1: %2").arg(QLatin1String(table), describe(n));
        }
        if (db.schemaVersion() != *expectedVersions.rbegin())
            return QStringLiteral("schemaVersion() %1, latest migration %2")
                .arg(db.schemaVersion())
                .arg(*expectedVersions.rbegin());
        return {};
    };

    std::int64_t runId = 0;
    {
        OPEN_DB(db, t, "migrate-1");
        const QString problem = checkSchema(*db);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        InstrumentStore store(*db);
        auto id = store.beginRun("marker", false);
        QVERIFY2(id, qPrintable(describe(id)));
        runId = *id;
    }
    for (int again = 2; again <= 3; ++again) {
        OPEN_DB(db, t, QStringLiteral("migrate-%1").arg(again));
        const QString problem = checkSchema(*db);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        // Re-opening did not re-create anything: the row written before is still there.
        auto source = db->scalar("SELECT source FROM sync_runs WHERE id = ?",
                                 {QVariant::fromValue<qint64>(runId)});
        QVERIFY2(source, qPrintable(describe(source)));
        QCOMPARE(source->toString(), QStringLiteral("marker"));
    }
}

// ---- 3. real masters in date order ------------------------------------------------------

void tst_InstrumentSync::realMastersInDateOrder_data()
{
    addBackendRows();
}

void tst_InstrumentSync::realMastersInDateOrder()
{
    STRIKELINE_REQUIRE_REAL_FILE(jun, "complete-2025-06-12.json.gz");
    STRIKELINE_REQUIRE_REAL_FILE(nov, "complete-2025-11-25.json.gz");
    STRIKELINE_REQUIRE_REAL_FILE(dec, "complete-2025-12-09.json.gz");
    INIT_TEST_DB(t);
    OPEN_DB(db, t, "sync");

    Model model;
    std::vector<std::int64_t> runIds;
    const QStringList paths = {jun, nov, dec};
    for (const QString &path : paths) {
        auto loaded = loadMaster(path);
        QVERIFY2(loaded, qPrintable(describe(loaded)));
        const MasterFile &file = **loaded;
        const Expected want = expectSync(model, file);

        QElapsedTimer timer;
        timer.start();
        auto synced = syncInstruments(*db, fileSync(path));
        QVERIFY2(synced, qPrintable(QFileInfo(path).fileName() + ": " + describe(synced)));
        const qint64 ms = timer.elapsed();
        const SyncResult &r = *synced;
        runIds.push_back(r.run.id);
        const auto changes = [&] {
            QStringList parts;
            for (const auto &[kind, keys] : want.changes)
                parts << QStringLiteral("%1 %2").arg(kind).arg(keys.size());
            return parts.join(", ");
        }();
        qInfo("%s on %s: %zu instruments (%lld rows read, %lld skipped), %lld inserted, "
              "%lld updated, %lld unchanged, %lld deactivated, %lld keys reused [%s] in %lld ms",
              qPrintable(QFileInfo(path).fileName()), qPrintable(backend), file.records.size(),
              static_cast<long long>(file.rowsRead), static_cast<long long>(file.rowsSkipped),
              static_cast<long long>(want.inserted), static_cast<long long>(want.updated),
              static_cast<long long>(want.unchanged), static_cast<long long>(want.deactivated),
              static_cast<long long>(want.reused), qPrintable(changes), static_cast<long long>(ms));

        QVERIFY(!r.unchanged);
        QCOMPARE(r.run.status, SyncStatus::Succeeded);
        QCOMPARE(r.counts.staged, static_cast<std::int64_t>(file.records.size()));
        QCOMPARE(r.counts.inserted, want.inserted);
        QCOMPARE(r.counts.updated, want.updated);
        QCOMPARE(r.counts.unchanged, want.unchanged);
        QCOMPARE(r.counts.deactivated, want.deactivated);
        QCOMPARE(r.counts.keysReused, want.reused);

        // What was recorded in the database, read back through the database.
        InstrumentStore store(*db);
        auto active = store.activeCount();
        QVERIFY2(active, qPrintable(describe(active)));
        QCOMPARE(*active, static_cast<std::int64_t>(file.records.size()));
        auto recorded = changesOf(*db, r.run.id);
        QVERIFY2(recorded, qPrintable(describe(recorded)));
        const QString changeProblems = compareChanges(want.changes, *recorded);
        QVERIFY2(changeProblems.isEmpty(), qPrintable(changeProblems));

        applySync(model, file, r.run.id);
        const QString modelProblems = compareWithModel(*db, model);
        QVERIFY2(modelProblems.isEmpty(), qPrintable(modelProblems));

        RUNS(runs, *db);
        QCOMPARE(runs.size(), runIds.size());
        const SyncRunRecord &run = runs.back();
        QCOMPARE(run.id, r.run.id);
        QCOMPARE(run.status, SyncStatus::Succeeded);
        QVERIFY2(run.error.isEmpty(), qPrintable(run.error));
        QCOMPARE(run.source, QFileInfo(path).absoluteFilePath());
        QCOMPARE(run.rowsRead, file.rowsRead);
        QCOMPARE(run.rowsSkipped, file.rowsSkipped);
        QCOMPARE(run.rowsInserted, want.inserted);
        QCOMPARE(run.rowsUpdated, want.updated);
        QCOMPARE(run.rowsUnchanged, want.unchanged);
        QCOMPARE(run.rowsDeactivated, want.deactivated);
        QCOMPARE(run.bytes, QFileInfo(path).size());
        QCOMPARE(run.checksum.toLatin1(), file.sha256);
        QVERIFY(run.finishedAt.isValid());
        QVERIFY(run.finishedAt >= run.startedAt);
    }
    QCOMPARE(runIds.size(), std::size_t(3));
    const std::int64_t novRun = runIds[1];
    const std::int64_t decRun = runIds[2];

    // Concrete facts, checked by hand against the files.
    struct Row
    {
        QString symbol;
        int lot = 0;
        bool active = false;
        std::int64_t first = 0;
        std::int64_t last = 0;
    };
    auto row = [&](const QString &key) -> std::optional<Row> {
        auto q = db->query("SELECT trading_symbol, lot_size, is_active, first_seen_sync, "
                           "last_seen_sync FROM instruments WHERE instrument_key = ?",
                           {key});
        if (!q || !q->next())
            return std::nullopt;
        return Row{q->value(0).toString(), q->value(1).toInt(), q->value(2).toBool(),
                   q->value(3).toLongLong(), q->value(4).toLongLong()};
    };
    auto change = [&](std::int64_t runId, const QString &key,
                      const QString &kind) -> std::optional<std::pair<QString, QString>> {
        auto q = db->query("SELECT old_value, new_value FROM instrument_changes WHERE sync_run_id "
                           "= ? AND instrument_key = ? AND change = ?",
                           {QVariant::fromValue<qint64>(runId), key, kind});
        if (!q || !q->next())
            return std::nullopt;
        return std::make_pair(q->value(0).toString(), q->value(1).toString());
    };
    // NSE_FO|41915 was HDFCAMC 5450 CE 26 JUN 25 in June; the November master reused it for
    // NIFTY 26250 CE 09 DEC 25, which December still lists: its life began with the Nov sync.
    const auto nifty = row("NSE_FO|41915");
    QVERIFY(nifty);
    QCOMPARE(nifty->symbol, QStringLiteral("NIFTY 26250 CE 09 DEC 25"));
    QVERIFY(nifty->active);
    QCOMPARE(nifty->first, novRun);
    QCOMPARE(nifty->last, decRun);
    const auto reusedInNov = change(novRun, "NSE_FO|41915", "key_reused");
    QVERIFY(reusedInNov);
    QCOMPARE(reusedInNov->first, QStringLiteral("HDFCAMC 5450 CE 26 JUN 25"));
    QCOMPARE(reusedInNov->second, QStringLiteral("NIFTY 26250 CE 09 DEC 25"));
    // CAMS split 1:5 between the November and December masters: NSE_FO|84107 now names a
    // different strike, so its key was reused by the December sync.
    const auto cams = row("NSE_FO|84107");
    QVERIFY(cams);
    QCOMPARE(cams->symbol, QStringLiteral("CAMS 740 PE 30 DEC 25"));
    QVERIFY(cams->active);
    QCOMPARE(cams->first, decRun);
    const auto camsChange = change(decRun, "NSE_FO|84107", "key_reused");
    QVERIFY(camsChange);
    QCOMPARE(camsChange->first, QStringLiteral("CAMS 3700 PE 30 DEC 25"));
    // HDFCAMC's bonus doubled the lot of the same contract.
    const auto hdfcamc = row("NSE_FO|49402");
    QVERIFY(hdfcamc);
    QCOMPARE(hdfcamc->symbol, QStringLiteral("HDFCAMC FUT 27 JAN 26"));
    QCOMPARE(hdfcamc->lot, 300);
    QCOMPARE(hdfcamc->first, novRun);
    const auto lot = change(decRun, "NSE_FO|49402", "lot_changed");
    QVERIFY(lot);
    QCOMPARE(lot->first, QStringLiteral("150"));
    QCOMPARE(lot->second, QStringLiteral("300"));
    // An expired November option: deactivated by December, never deleted, data kept.
    const auto jubl = row("NSE_FO|96294");
    QVERIFY(jubl);
    QCOMPARE(jubl->symbol, QStringLiteral("JUBLFOOD 500 PE 25 NOV 25"));
    QVERIFY(!jubl->active);
    QCOMPARE(jubl->last, novRun);
    QVERIFY(change(decRun, "NSE_FO|96294", "deactivated"));

    // Nothing is ever deleted: every key of every file is still a row.
    std::set<std::string> allKeys;
    for (const QString &path : paths) {
        for (const auto &[key, record] : (*loadMaster(path))->records)
            allKeys.insert(key);
    }
    auto total = db->scalar("SELECT count(*) FROM instruments");
    QVERIFY2(total, qPrintable(describe(total)));
    QCOMPARE(total->toLongLong(), static_cast<qint64>(allKeys.size()));
    qInfo("instruments rows after three syncs: %zu (%zu active)", allKeys.size(),
          (*loadMaster(dec))->records.size());

    // The December file again: unchanged, nothing touched.
    DIGEST(beforeAgain, *db);
    auto again = syncInstruments(*db, fileSync(dec));
    QVERIFY2(again, qPrintable(describe(again)));
    QVERIFY(again->unchanged);
    QCOMPARE(again->run.status, SyncStatus::Unchanged);
    DIGEST(afterAgain, *db);
    QCOMPARE(afterAgain.toString(), beforeAgain.toString());
    QCOMPARE(afterAgain, beforeAgain);

    // Hydrate: the December master, as a snapshot built straight from the file would hold it.
    auto decFile = loadMaster(dec);
    QVERIFY(decFile);
    QElapsedTimer timer;
    timer.start();
    auto hydrated = hydrate(*db);
    QVERIFY2(hydrated, qPrintable(describe(hydrated)));
    qInfo("hydrate on %s: %lld rows in %lld ms", qPrintable(backend),
          static_cast<long long>(hydrated->rows), static_cast<long long>(timer.elapsed()));
    QCOMPARE(hydrated->rows, std::int64_t(124278));
    QVERIFY(!hydrated->snapshot->info().demo); // a real master is never labelled synthetic
    QCOMPARE(hydrated->snapshot->info().masterDay, fromQDate(QDate(2025, 12, 9)));
    QCOMPARE(hydrated->snapshot->size(), std::size_t(124278));
    QCOMPARE(hydrated->snapshot->size(), (*decFile)->records.size());
    const auto id = hydrated->snapshot->findByKey("NSE_FO|41915");
    QVERIFY(id);
    const InstrumentView view = hydrated->snapshot->instrument(*id);
    QCOMPARE(QString::fromUtf8(view.tradingSymbol()), QStringLiteral("NIFTY 26250 CE 09 DEC 25"));
    QCOMPARE(view.kind(), InstrumentKind::Call);
    QCOMPARE(view.strike(), Price::fromRupees(26250));
    QCOMPARE(view.expiry(), fromQDate(QDate(2025, 12, 9)));
    QVERIFY(!hydrated->snapshot->findByKey("NSE_FO|96294")); // inactive rows stay in the db
    std::vector<InstrumentRecord> records = sortedRecords(*hydrated->snapshot);
    const QString diff = firstDifference((*decFile)->snapshotRecords, records);
    QVERIFY2(diff.isEmpty(), qPrintable(diff));

    // SQLite and PostgreSQL hydrate to identical records.
    m_hydratedDec[backend] = std::move(records);
    const QString other = backend == "sqlite" ? "postgres" : "sqlite";
    if (m_hydratedDec.contains(other)) {
        const QString crossDiff = firstDifference(m_hydratedDec[other], m_hydratedDec[backend]);
        QVERIFY2(crossDiff.isEmpty(), qPrintable(other + " vs " + backend + ": " + crossDiff));
        qInfo("sqlite and postgres hydrated identical records (%zu)",
              m_hydratedDec[backend].size());
    }
}

// ---- 4. unchanged source ---------------------------------------------------------------------

void tst_InstrumentSync::sameFileIsUnchangedUnlessForced_data()
{
    addBackendRows();
}

void tst_InstrumentSync::sameFileIsUnchangedUnlessForced()
{
    INIT_TEST_DB(t);
    OPEN_DB(db, t, "sync");
    auto loaded = loadMaster(m_base20k);
    QVERIFY2(loaded, qPrintable(describe(loaded)));
    const auto distinct = static_cast<std::int64_t>((*loaded)->records.size());

    auto first = syncInstruments(*db, fileSync(m_base20k));
    QVERIFY2(first, qPrintable(describe(first)));
    QCOMPARE(first->run.status, SyncStatus::Succeeded);
    QCOMPARE(first->counts.inserted, distinct);
    DIGEST(afterFirst, *db);
    QCOMPARE(afterFirst.rows, distinct);
    QCOMPARE(afterFirst.active, distinct);

    // The same bytes again: recorded as 'unchanged', nothing imported, nothing touched.
    auto second = syncInstruments(*db, fileSync(m_base20k));
    QVERIFY2(second, qPrintable(describe(second)));
    QVERIFY(second->unchanged);
    QCOMPARE(second->run.status, SyncStatus::Unchanged);
    DIGEST(afterSecond, *db);
    QCOMPARE(afterSecond, afterFirst);
    RUNS(runs2, *db);
    QCOMPARE(runs2.size(), std::size_t(2));
    QCOMPARE(runs2[0].status, SyncStatus::Succeeded);
    QCOMPARE(runs2[1].status, SyncStatus::Unchanged);
    QCOMPARE(runs2[1].id, second->run.id);
    QCOMPARE(runs2[1].checksum, runs2[0].checksum);
    QCOMPARE(runs2[1].rowsInserted, std::int64_t(0));
    QVERIFY(runs2[1].error.isEmpty());
    QVERIFY(runs2[1].finishedAt.isValid());
    auto changes2 = changesOf(*db, second->run.id);
    QVERIFY(changes2);
    QVERIFY(changes2->empty());

    // Forced: imported again, but nothing is new, gone or different.
    auto forced = syncInstruments(*db, fileSync(m_base20k, true));
    QVERIFY2(forced, qPrintable(describe(forced)));
    QVERIFY(!forced->unchanged);
    QCOMPARE(forced->run.status, SyncStatus::Succeeded);
    QCOMPARE(forced->counts.inserted, std::int64_t(0));
    QCOMPARE(forced->counts.deactivated, std::int64_t(0));
    QCOMPARE(forced->counts.updated, std::int64_t(0));
    QCOMPARE(forced->counts.keysReused, std::int64_t(0));
    QCOMPARE(forced->counts.unchanged, distinct);
    auto changes3 = changesOf(*db, forced->run.id);
    QVERIFY(changes3);
    QVERIFY2(changes3->empty(), qPrintable(compareChanges({}, *changes3)));
    RUNS(runs3, *db);
    QCOMPARE(runs3.size(), std::size_t(3));
    QCOMPARE(runs3[2].status, SyncStatus::Succeeded);
    QVERIFY(runs3[2].forced);
    QCOMPARE(runs3[2].rowsInserted, std::int64_t(0));
    QCOMPARE(runs3[2].rowsDeactivated, std::int64_t(0));
    DIGEST(afterForcedData, *db, false);
    QCOMPARE(afterForcedData.rows, distinct);
    QCOMPARE(afterForcedData.active, distinct);
    // Only last_seen_sync moved.
    auto lastSeen = db->scalar("SELECT count(*) FROM instruments WHERE last_seen_sync = ?",
                               {QVariant::fromValue<qint64>(forced->run.id)});
    QVERIFY(lastSeen);
    QCOMPARE(lastSeen->toLongLong(), distinct);
    auto firstSeen = db->scalar("SELECT count(*) FROM instruments WHERE first_seen_sync = ?",
                                {QVariant::fromValue<qint64>(first->run.id)});
    QVERIFY(firstSeen);
    QCOMPARE(firstSeen->toLongLong(), distinct);
}

// ---- 5. faults ---------------------------------------------------------------------------------

namespace {

// After a failed sync: the instruments exactly as before, the run recorded as failed.
QString checkFailedRun(Database &db, const Digest &before, std::int64_t runsBefore,
                       const QString &errorMustContain = {})
{
    auto after = digestOf(db);
    if (!after)
        return "digest: " + describe(after);
    if (!(*after == before))
        return "instruments changed: before " + before.toString() + ", after " + after->toString();
    auto runs = allRuns(db);
    if (!runs)
        return "runs: " + describe(runs);
    if (static_cast<std::int64_t>(runs->size()) != runsBefore + 1)
        return QStringLiteral("%1 sync_runs rows, expected %2")
            .arg(runs->size())
            .arg(runsBefore + 1);
    const SyncRunRecord &run = runs->back();
    if (run.status != SyncStatus::Failed)
        return QStringLiteral("last run's status is %1").arg(syncStatusName(run.status));
    if (run.error.trimmed().isEmpty())
        return "the failed run has no error text";
    if (!run.finishedAt.isValid())
        return "the failed run has no finished_at";
    if (!errorMustContain.isEmpty() && !run.error.contains(errorMustContain, Qt::CaseInsensitive))
        return QStringLiteral("the run's error '%1' does not mention '%2'")
            .arg(run.error, errorMustContain);
    return {};
}

} // namespace

#define BASELINE(db, path)                                                                         \
    auto baseline_ = syncBaseline(*(db), path);                                                    \
    QVERIFY2(baseline_, qPrintable(describe(baseline_)));                                          \
    QCOMPARE(baseline_->run.status, SyncStatus::Succeeded);                                        \
    DIGEST(before, *(db));                                                                         \
    QVERIFY(before.active > 0);                                                                    \
    RUNS(runsBefore_, *(db));                                                                      \
    const auto runsBefore = static_cast<std::int64_t>(runsBefore_.size())

void tst_InstrumentSync::truncatedGzipLeavesInstruments_data()
{
    addBackendRows();
}

void tst_InstrumentSync::truncatedGzipLeavesInstruments()
{
    STRIKELINE_REQUIRE_REAL_FILE(dec, "complete-2025-12-09.json.gz");
    INIT_TEST_DB(t);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString half = dir.filePath("complete-2025-12-09-half.json.gz");
    {
        QFile in(dec);
        QVERIFY(in.open(QIODevice::ReadOnly));
        const QByteArray bytes = in.readAll();
        QFile out(half);
        QVERIFY(out.open(QIODevice::WriteOnly));
        QCOMPARE(out.write(bytes.left(bytes.size() / 2)), qint64(bytes.size() / 2));
    }
    OPEN_DB(db, t, "sync");
    BASELINE(db, m_base20k);

    auto r = syncInstruments(*db, fileSync(half));
    QVERIFY2(!r, "a truncated gzip was imported");
    QCOMPARE(codeName(r.error().code), codeName(ErrorCode::Gzip));
    QVERIFY2(r.error().message.contains("truncated", Qt::CaseInsensitive) ||
                 r.error().message.contains("ends", Qt::CaseInsensitive),
             qPrintable(r.error().message));
    const QString problem = checkFailedRun(*db, before, runsBefore);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    // Even forced, a truncated file is never imported.
    auto forced = syncInstruments(*db, fileSync(half, true));
    QVERIFY(!forced);
    const QString problemForced = checkFailedRun(*db, before, runsBefore + 1);
    QVERIFY2(problemForced.isEmpty(), qPrintable(problemForced));
}

void tst_InstrumentSync::corruptJsonLeavesInstruments_data()
{
    addBackendRows();
}

void tst_InstrumentSync::corruptJsonLeavesInstruments()
{
    INIT_TEST_DB(t);
    OPEN_DB(db, t, "sync");
    BASELINE(db, m_base20k);

    auto r = syncInstruments(*db, fileSync(m_corrupt, true));
    QVERIFY2(!r, "a corrupt JSON master was imported");
    QCOMPARE(codeName(r.error().code), codeName(ErrorCode::Parse));
    QVERIFY(!r.error().message.isEmpty());
    const QString problem = checkFailedRun(*db, before, runsBefore, r.error().message.left(20));
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void tst_InstrumentSync::repeatedKeysAreReported_data()
{
    addBackendRows();
}

// A master that lists one key twice is the exchange's or broker's mistake. The same row again is
// one row; rows that disagree (RELIANCE with two tick sizes, three times its lot...) cannot be
// told apart, so the key is treated as invalid: the stored version stays, nothing is picked.
// Both are counted in the result and in sync_runs.
void tst_InstrumentSync::repeatedKeysAreReported()
{
    INIT_TEST_DB(t);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QByteArray row =
        R"({"segment":"NSE_EQ","name":"RELIANCE INDUSTRIES LTD","exchange":"NSE","isin":"INE002A01018","instrument_type":"EQ","instrument_key":"NSE_EQ|INE002A01018","lot_size":1,"freeze_quantity":100000.0,"exchange_token":"2885","tick_size":%1,"trading_symbol":"RELIANCE","qty_multiplier":1.0})";
    const QByteArray other =
        R"({"segment":"NSE_EQ","name":"TATA STEEL LIMITED","exchange":"NSE","isin":"INE081A01020","instrument_type":"EQ","instrument_key":"NSE_EQ|INE081A01020","lot_size":1,"freeze_quantity":100000.0,"exchange_token":"3499","tick_size":1.0,"trading_symbol":"TATASTEEL","qty_multiplier":1.0})";
    auto write = [&](const QString &name, const QByteArray &bytes) {
        const QString path = dir.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size())
            return QString();
        return path;
    };
    const QString clean =
        write("clean.json", "[" + QByteArray(row).replace("%1", "10.0") + "," + other + "]");
    // RELIANCE twice with different ticks, TATASTEEL twice the same.
    const QString repeated =
        write("repeated.json", "[" + QByteArray(row).replace("%1", "10.0") + "," + other + "," +
                                   QByteArray(row).replace("%1", "5.0") + "," + other + "]");
    QVERIFY(!clean.isEmpty() && !repeated.isEmpty());
    OPEN_DB(db, t, "sync");

    // Into an empty database: the conflicting key has no version to keep, so it is not there.
    {
        auto r = syncInstruments(*db, fileSync(repeated));
        QVERIFY2(r, qPrintable(describe(r)));
        QCOMPARE(r->counts.duplicates, std::int64_t(2));
        QCOMPARE(r->counts.conflicting, std::int64_t(1));
        QCOMPARE(r->counts.staged, std::int64_t(1));
        QCOMPARE(r->counts.kept, std::int64_t(0));
        QCOMPARE(r->counts.conflictingKeys, std::vector<std::string>{"NSE_EQ|INE002A01018"});
        auto hydrated = hydrate(*db);
        QVERIFY2(hydrated, qPrintable(describe(hydrated)));
        QCOMPARE(hydrated->rows, std::int64_t(1));
        QVERIFY(!hydrated->snapshot->findByKey("NSE_EQ|INE002A01018"));
        QVERIFY(hydrated->snapshot->findByKey("NSE_EQ|INE081A01020"));
    }
    // Over a clean master: RELIANCE keeps its stored tick (neither 0.05 nor deactivated).
    auto base = syncInstruments(*db, fileSync(clean));
    QVERIFY2(base, qPrintable(describe(base)));
    auto r = syncInstruments(*db, fileSync(repeated));
    QVERIFY2(r, qPrintable(describe(r)));
    QCOMPARE(r->counts.duplicates, std::int64_t(2));
    QCOMPARE(r->counts.conflicting, std::int64_t(1));
    QCOMPARE(r->counts.kept, std::int64_t(1));
    QCOMPARE(r->counts.keptKeys, std::vector<std::string>{"NSE_EQ|INE002A01018"});
    QCOMPARE(r->counts.deactivated, std::int64_t(0));
    QCOMPARE(r->counts.updated, std::int64_t(0));
    auto hydrated = hydrate(*db);
    QVERIFY2(hydrated, qPrintable(describe(hydrated)));
    QCOMPARE(hydrated->rows, std::int64_t(2));
    const auto id = hydrated->snapshot->findByKey("NSE_EQ|INE002A01018");
    QVERIFY(id);
    QCOMPARE(hydrated->snapshot->instrument(*id).tickSize(), *Price::parse("0.10"));
    auto changes = db->scalar("SELECT count(*) FROM instrument_changes WHERE sync_run_id = ?",
                              {QVariant::fromValue<qint64>(r->run.id)});
    QVERIFY2(changes, qPrintable(describe(changes)));
    QCOMPARE(changes->toLongLong(), qint64(0));
    RUNS(runs, *db);
    QCOMPARE(runs.back().id, r->run.id);
    QCOMPARE(runs.back().rowsDuplicate, std::int64_t(2));
    QCOMPARE(runs.back().keysConflicting, std::int64_t(1));
    QCOMPARE(runs.back().rowsKept, std::int64_t(1));
}

void tst_InstrumentSync::tooFewRowsRefusedUnlessForced_data()
{
    QTest::addColumn<QString>("backend");
    QTest::addColumn<bool>("samePath"); // the day's master overwrites the last one's file
    for (const char *backend : {"sqlite", "postgres"}) {
        QTest::addRow("%s new file", backend) << QString::fromLatin1(backend) << false;
        QTest::addRow("%s same path", backend) << QString::fromLatin1(backend) << true;
    }
}

void tst_InstrumentSync::tooFewRowsRefusedUnlessForced()
{
    QFETCH(bool, samePath);
    INIT_TEST_DB(t);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QString bigPath = m_base20k;
    QString smallPath = m_small5k;
    if (samePath) {
        bigPath = smallPath = dir.filePath("complete.json.gz");
        QVERIFY(QFile::copy(m_base20k, bigPath));
    }
    OPEN_DB(db, t, "sync");
    BASELINE(db, bigPath);
    auto small = loadMaster(m_small5k);
    QVERIFY2(small, qPrintable(describe(small)));
    const auto smallCount = static_cast<std::int64_t>((*small)->records.size());
    if (samePath) {
        QVERIFY(QFile::remove(smallPath));
        QVERIFY(QFile::copy(m_small5k, smallPath));
    }

    // 5,000 of 20,000 is under the default minRowFraction (0.5): refused.
    auto refused = syncInstruments(*db, fileSync(smallPath));
    QVERIFY2(!refused, "a master with a quarter of the rows was imported");
    QCOMPARE(codeName(refused.error().code), codeName(ErrorCode::Validation));
    QVERIFY2(refused.error().message.contains(QString::number(smallCount)),
             qPrintable(refused.error().message));
    QVERIFY2(refused.error().message.contains("force"), qPrintable(refused.error().message));
    const QString problem = checkFailedRun(*db, before, runsBefore, "force");
    QVERIFY2(problem.isEmpty(), qPrintable(problem));

    // Forced: accepted; the rest is soft-deleted, never deleted.
    auto forced = syncInstruments(*db, fileSync(smallPath, true));
    QVERIFY2(forced, qPrintable(describe(forced)));
    QCOMPARE(forced->run.status, SyncStatus::Succeeded);
    QVERIFY(forced->run.forced);
    QCOMPARE(forced->counts.inserted, std::int64_t(0)); // the small master is the big one's start
    QCOMPARE(forced->counts.deactivated, before.active - smallCount);
    DIGEST(after, *db);
    QCOMPARE(after.rows, before.rows);
    QCOMPARE(after.active, smallCount);
}

void tst_InstrumentSync::cancelFromProgressLeavesInstruments_data()
{
    addBackendRows();
}

void tst_InstrumentSync::cancelFromProgressLeavesInstruments()
{
    INIT_TEST_DB(t);
    OPEN_DB(db, t, "sync");
    BASELINE(db, m_base20k);

    std::atomic_bool cancel{false};
    bool sawReading = false;
    bool merged = false;
    SyncOptions o = fileSync(m_other20k);
    o.cancel = &cancel;
    o.progress = [&](const SyncProgress &p) {
        if (p.stage == SyncStage::Reading) {
            sawReading = true;
            cancel = true;
        }
        if (p.stage == SyncStage::Merging || p.stage == SyncStage::Done)
            merged = true;
    };
    auto r = syncInstruments(*db, o);
    QVERIFY(sawReading);
    QVERIFY2(!merged, "the sync went on to merge after the cancel");
    QVERIFY2(!r, "a cancelled sync succeeded");
    QCOMPARE(codeName(r.error().code), codeName(ErrorCode::Cancelled));
    QVERIFY2(r.error().message.contains("cancel", Qt::CaseInsensitive),
             qPrintable(r.error().message));
    const QString problem = checkFailedRun(*db, before, runsBefore, "cancel");
    QVERIFY2(problem.isEmpty(), qPrintable(problem));

    // The database is usable afterwards: the same master, not cancelled, goes through.
    auto ok = syncInstruments(*db, fileSync(m_other20k));
    QVERIFY2(ok, qPrintable(describe(ok)));
    QCOMPARE(ok->run.status, SyncStatus::Succeeded);
}

// A database error half-way through the merge (a trigger refuses the first new row, after the
// change rows and the deactivations were already written in the transaction).
void tst_InstrumentSync::databaseErrorInMergeLeavesInstruments_data()
{
    addBackendRows();
}

void tst_InstrumentSync::databaseErrorInMergeLeavesInstruments()
{
    INIT_TEST_DB(t);
    OPEN_DB(db, t, "sync");
    BASELINE(db, m_base20k);
    auto other = loadMaster(m_other20k);
    QVERIFY(other);
    auto base = loadMaster(m_base20k);
    QVERIFY(base);
    const auto fresh =
        std::count_if((*other)->records.begin(), (*other)->records.end(),
                      [&](const auto &kv) { return !(*base)->records.contains(kv.first); });
    QVERIFY(fresh > 0); // the other master has new rows: the trigger will refuse the first

    const QStringList trigger =
        t.isPostgres()
            ? QStringList{"CREATE FUNCTION refuse_insert() RETURNS trigger LANGUAGE plpgsql AS "
                          "$$ BEGIN RAISE EXCEPTION 'injected failure: no new instruments'; END $$",
                          "CREATE TRIGGER refuse_insert BEFORE INSERT ON instruments FOR EACH ROW "
                          "EXECUTE FUNCTION refuse_insert()"}
            : QStringList{"CREATE TRIGGER refuse_insert BEFORE INSERT ON instruments BEGIN "
                          "SELECT RAISE(ABORT, 'injected failure: no new instruments'); END"};
    for (const QString &sql : trigger) {
        auto r = db->exec(sql);
        QVERIFY2(r, qPrintable(describe(r)));
    }
    DIGEST(withTrigger, *db);
    QCOMPARE(withTrigger, before);

    auto r = syncInstruments(*db, fileSync(m_other20k));
    QVERIFY2(!r, "the sync succeeded although the database refused its rows");
    QCOMPARE(codeName(r.error().code), codeName(ErrorCode::Database));
    QVERIFY2(r.error().message.contains("injected failure"), qPrintable(r.error().message));
    const QString problem = checkFailedRun(*db, before, runsBefore, "injected failure");
    QVERIFY2(problem.isEmpty(), qPrintable(problem));

    // Once the database accepts rows again, the same master goes through on the same connection.
    auto dropped =
        db->exec("DROP TRIGGER refuse_insert" + QString(t.isPostgres() ? " ON instruments" : ""));
    QVERIFY2(dropped, qPrintable(describe(dropped)));
    auto ok = syncInstruments(*db, fileSync(m_other20k));
    QVERIFY2(ok, qPrintable(describe(ok)));
    QCOMPARE(ok->run.status, SyncStatus::Succeeded);
    InstrumentStore store(*db);
    auto active = store.activeCount();
    QVERIFY(active);
    QCOMPARE(*active, static_cast<std::int64_t>((*other)->records.size()));
}

void tst_InstrumentSync::missingFileFailsClearly_data()
{
    addBackendRows();
}

void tst_InstrumentSync::missingFileFailsClearly()
{
    INIT_TEST_DB(t);
    OPEN_DB(db, t, "sync");
    BASELINE(db, m_base20k);
    const QString missing = m_dir.filePath("no-such-master.json.gz");
    auto r = syncInstruments(*db, fileSync(missing));
    QVERIFY2(!r, "a missing file synced");
    QCOMPARE(codeName(r.error().code), codeName(ErrorCode::Io));
    QVERIFY2(r.error().message.contains("no-such-master.json.gz"), qPrintable(r.error().message));
    const QString problem = checkFailedRun(*db, before, runsBefore, "no-such-master");
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void tst_InstrumentSync::killedConnectionLeavesInstruments_data()
{
    QTest::addColumn<QString>("backend");
    QTest::newRow("postgres") << QStringLiteral("postgres");
}

void tst_InstrumentSync::killedConnectionLeavesInstruments()
{
    INIT_TEST_DB(t);
    QVERIFY(t.isPostgres());
    Digest before;
    std::int64_t runsBefore = 0;
    {
        OPEN_DB(db, t, "sync");
        auto base = syncInstruments(*db, fileSync(m_base20k));
        QVERIFY2(base, qPrintable(describe(base)));
        DIGEST(d, *db);
        before = d;
        RUNS(runs, *db);
        runsBefore = static_cast<std::int64_t>(runs.size());
    }

    OPEN_DB(db, t, "sync");
    int killed = -1;
    QString killError;
    SyncOptions o = fileSync(m_big100k);
    o.progress = [&](const SyncProgress &p) {
        if (p.stage == SyncStage::Reading && p.rows > 2000 && killed < 0)
            killed = testpg::terminateConnections(t.pgBaseUrl(), t.pgName(), &killError);
    };
    auto r = syncInstruments(*db, o);
    QVERIFY2(killed >= 1,
             qPrintable(QStringLiteral("terminated %1 sessions: %2").arg(killed).arg(killError)));
    QVERIFY2(!r, "the sync succeeded on a killed connection");
    qInfo("killed connection: %s", qPrintable(describe(r)));
    QCOMPARE(codeName(r.error().code), codeName(ErrorCode::Database));
    QVERIFY2(r.error().message.contains("connection", Qt::CaseInsensitive) ||
                 r.error().message.contains("terminat", Qt::CaseInsensitive),
             qPrintable(r.error().message));
    db.reset();

    // Re-read through a fresh connection.
    OPEN_DB(fresh, t, "verify");
    const QString problem = checkFailedRun(*fresh, before, runsBefore);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    RUNS(runs, *fresh);
    QCOMPARE(runs.back().error, r.error().message);
}

void tst_InstrumentSync::httpErrorLeavesInstruments_data()
{
    QTest::addColumn<QString>("backend");
    QTest::addColumn<QString>("fault");
    for (const char *backend : {"sqlite", "postgres"}) {
        for (const char *fault : {"500", "stall", "close early"}) {
            QTest::addRow("%s %s", backend, fault)
                << QString::fromLatin1(backend) << QString::fromLatin1(fault);
        }
    }
}

void tst_InstrumentSync::httpErrorLeavesInstruments()
{
    QFETCH(QString, fault);
    INIT_TEST_DB(t);
    OPEN_DB(db, t, "sync");
    BASELINE(db, m_base20k);

    QFile f(m_other20k);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray body = f.readAll();
    FaultyHttpServer server;
    QVERIFY(server.isListening());
    HttpRoute route = HttpRoute::ok(body, "\"v1\"");
    QString mention;
    if (fault == "500") {
        route = HttpRoute::withStatus(500);
        mention = "500";
    } else if (fault == "stall") {
        route.stallAfter = body.size() / 2;
    } else {
        route.closeAfter = body.size() / 2;
    }
    server.setRoute("/complete.json.gz", route);

    SyncOptions o;
    o.source = server.url("/complete.json.gz").toString();
    o.download.stallTimeoutMs = 500;
    o.download.connectTimeoutMs = 10000;
    auto r = syncInstruments(*db, o);
    QVERIFY2(!r, "a failed download was imported");
    qInfo("%s: %s", qPrintable(fault), qPrintable(describe(r)));
    QCOMPARE(codeName(r.error().code), codeName(ErrorCode::Network));
    QVERIFY2(r.error().message.contains("127.0.0.1"), qPrintable(r.error().message));
    if (!mention.isEmpty())
        QVERIFY2(r.error().message.contains(mention), qPrintable(r.error().message));
    QVERIFY(server.requestCount("/complete.json.gz") >= 1);
    const QString problem = checkFailedRun(*db, before, runsBefore);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    RUNS(runs, *db);
    QCOMPARE(runs.back().source, o.source);
}

// ---- 6. HTTP happy path with ETag ------------------------------------------------------------

void tst_InstrumentSync::httpEtagMakesSecondSyncUnchanged_data()
{
    addBackendRows();
}

void tst_InstrumentSync::httpEtagMakesSecondSyncUnchanged()
{
    INIT_TEST_DB(t);
    OPEN_DB(db, t, "sync");
    auto loaded = loadMaster(m_base20k);
    QVERIFY(loaded);
    const auto distinct = static_cast<std::int64_t>((*loaded)->records.size());
    QFile f(m_base20k);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray body = f.readAll();

    FaultyHttpServer server;
    QVERIFY(server.isListening());
    const QByteArray etag = "\"bod-20251209\"";
    const QByteArray modified = "Tue, 09 Dec 2025 00:31:07 GMT";
    server.setRoute("/complete.json.gz", HttpRoute::ok(body, etag, modified));
    SyncOptions o;
    o.source = server.url("/complete.json.gz").toString();

    auto first = syncInstruments(*db, o);
    QVERIFY2(first, qPrintable(describe(first)));
    QCOMPARE(first->run.status, SyncStatus::Succeeded);
    QCOMPARE(first->counts.inserted, distinct);
    QCOMPARE(first->run.etag.toLatin1(), etag);
    QCOMPARE(first->run.checksum.toLatin1(), (*loaded)->sha256);
    RUNS(runs1, *db);
    QCOMPARE(runs1.size(), std::size_t(1));
    QCOMPARE(runs1[0].etag.toLatin1(), etag);
    QCOMPARE(runs1[0].lastModified.toLatin1(), modified);
    QCOMPARE(runs1[0].bytes, qint64(body.size()));
    QCOMPARE(runs1[0].source, o.source);
    QCOMPARE(server.requests().size(), 1);
    QVERIFY(!server.requests()[0].hasHeader("If-None-Match"));
    DIGEST(afterFirst, *db);
    QCOMPARE(afterFirst.active, distinct);

    auto second = syncInstruments(*db, o);
    QVERIFY2(second, qPrintable(describe(second)));
    QVERIFY(second->unchanged);
    QCOMPARE(second->run.status, SyncStatus::Unchanged);
    QCOMPARE(server.requests().size(), 2);
    QCOMPARE(server.requests()[1].header("If-None-Match"), etag);
    DIGEST(afterSecond, *db);
    QCOMPARE(afterSecond, afterFirst);
    RUNS(runs2, *db);
    QCOMPARE(runs2.size(), std::size_t(2));
    QCOMPARE(runs2[1].status, SyncStatus::Unchanged);
    QVERIFY(runs2[1].error.isEmpty());

    // The next 'unchanged' still uses the ETag of the last *succeeded* run.
    auto third = syncInstruments(*db, o);
    QVERIFY2(third, qPrintable(describe(third)));
    QVERIFY(third->unchanged);
    QCOMPARE(server.requests()[2].header("If-None-Match"), etag);

    // Forced: no validators sent, the full body imported again, nothing new.
    SyncOptions forcedOptions = o;
    forcedOptions.force = true;
    auto forced = syncInstruments(*db, forcedOptions);
    QVERIFY2(forced, qPrintable(describe(forced)));
    QCOMPARE(forced->run.status, SyncStatus::Succeeded);
    QCOMPARE(server.requests().size(), 4);
    QVERIFY(!server.requests()[3].hasHeader("If-None-Match"));
    QCOMPARE(forced->counts.inserted, std::int64_t(0));
    QCOMPARE(forced->counts.deactivated, std::int64_t(0));
    QCOMPARE(forced->counts.unchanged, distinct);
    QCOMPARE(forced->run.etag.toLatin1(), etag);

    // A new master behind a new ETag is imported.
    QFile g(m_other20k);
    QVERIFY(g.open(QIODevice::ReadOnly));
    server.setRoute("/complete.json.gz", HttpRoute::ok(g.readAll(), "\"bod-20251210\""));
    auto fourth = syncInstruments(*db, o);
    QVERIFY2(fourth, qPrintable(describe(fourth)));
    QVERIFY(!fourth->unchanged);
    QCOMPARE(fourth->run.status, SyncStatus::Succeeded);
    QCOMPARE(server.requests()[4].header("If-None-Match"), etag);
    QCOMPARE(fourth->run.etag, QStringLiteral("\"bod-20251210\""));
    auto other = loadMaster(m_other20k);
    QVERIFY(other);
    InstrumentStore store(*db);
    auto active = store.activeCount();
    QVERIFY(active);
    QCOMPARE(*active, static_cast<std::int64_t>((*other)->records.size()));
}

// ---- 7. two syncs at once ----------------------------------------------------------------------

void tst_InstrumentSync::concurrentSyncs_data()
{
    QTest::addColumn<QString>("backend");
    QTest::addColumn<bool>("overlap"); // the second starts while the first holds the lock
    for (const char *backend : {"sqlite", "postgres"}) {
        QTest::addRow("%s race", backend) << QString::fromLatin1(backend) << false;
        QTest::addRow("%s overlap", backend) << QString::fromLatin1(backend) << true;
    }
}

void tst_InstrumentSync::concurrentSyncs()
{
    QFETCH(bool, overlap);
    INIT_TEST_DB(t);
    {
        OPEN_DB(migrated, t, "migrate"); // both threads find the schema in place
    }
    auto loaded = loadMaster(m_big100k);
    QVERIFY2(loaded, qPrintable(describe(loaded)));
    const MasterFile &file = **loaded;
    const auto distinct = static_cast<std::int64_t>(file.records.size());

    struct Outcome
    {
        QString openError;
        std::optional<Result<SyncResult>> result;
    };
    Outcome outcomes[2];
    QSemaphore start;
    QSemaphore firstHoldsLock;
    QSemaphore secondDone;
    std::atomic_bool signalled{false};
    auto worker = [&](int index) {
        Outcome &out = outcomes[index];
        if (!overlap)
            start.acquire();
        auto opened = Database::open(t.config, QStringLiteral("sync-%1").arg(index));
        if (!opened)
            out.openError = describe(opened);
        SyncOptions o = fileSync(m_big100k);
        if (overlap && index == 0) {
            o.progress = [&](const SyncProgress &p) {
                if (p.stage == SyncStage::Reading && !signalled.exchange(true)) {
                    firstHoldsLock.release(); // we are inside the transaction, lock taken
                    // Deadlock guard only: the second sync may be waiting for this one.
                    secondDone.tryAcquire(1, 60000);
                }
            };
        }
        if (overlap && index == 1)
            firstHoldsLock.tryAcquire(1, 120000);
        if (opened)
            out.result = syncInstruments(**opened, o);
        if (overlap && index == 0 && !signalled.exchange(true))
            firstHoldsLock.release(); // never got that far: do not keep the second waiting
        if (overlap && index == 1)
            secondDone.release();
    };
    std::thread a(worker, 0);
    std::thread b(worker, 1);
    if (!overlap)
        start.release(2);
    a.join();
    b.join();

    QStringList outcomeText;
    int succeeded = 0;
    int conflicts = 0;
    int unchanged = 0;
    for (const Outcome &out : outcomes) {
        QVERIFY2(out.openError.isEmpty(), qPrintable(out.openError));
        QVERIFY(out.result);
        const Result<SyncResult> &r = *out.result;
        outcomeText << (r ? syncStatusName(r->run.status) : describe(r));
        if (r && r->run.status == SyncStatus::Succeeded)
            ++succeeded;
        else if (r && r->run.status == SyncStatus::Unchanged)
            ++unchanged;
        else if (!r && r.error().code == ErrorCode::Conflict)
            ++conflicts;
    }
    qInfo("outcomes: %s", qPrintable(outcomeText.join(" | ")));
    if (overlap) {
        // The first holds the sync lock for the whole overlap: it succeeds, the second is
        // refused at once with a clear Conflict, on both backends (SQLite used to wait for its
        // busy timeout, then run after the first or fail unrecorded).
        const Result<SyncResult> &firstResult = *outcomes[0].result;
        const Result<SyncResult> &secondResult = *outcomes[1].result;
        QVERIFY2(firstResult, qPrintable(describe(firstResult)));
        QVERIFY2(!secondResult, "the second sync ran while the first held the sync lock");
        QVERIFY2(secondResult.error().code == ErrorCode::Conflict &&
                     secondResult.error().message.contains("another instrument sync"),
                 qPrintable(describe(secondResult)));
    } else {
        QVERIFY2(succeeded >= 1, qPrintable(outcomeText.join(" | ")));
        QCOMPARE(succeeded + conflicts + unchanged, 2);
    }

    // Nothing corrupt: the state is a single sync's.
    OPEN_DB(db, t, "verify");
    auto total = db->scalar("SELECT count(*) FROM instruments");
    QVERIFY(total);
    QCOMPARE(total->toLongLong(), distinct);
    InstrumentStore store(*db);
    auto active = store.activeCount();
    QVERIFY(active);
    QCOMPARE(*active, distinct);
    // One import into an empty table (no changes listed) and, at most, a second one that found
    // everything unchanged: no change rows, and every row born in the same run.
    auto changeRows = db->scalar("SELECT count(*) FROM instrument_changes");
    QVERIFY(changeRows);
    QCOMPARE(changeRows->toLongLong(), qint64(0));
    auto births = db->scalar("SELECT count(DISTINCT first_seen_sync) FROM instruments");
    QVERIFY(births);
    QCOMPARE(births->toLongLong(), qint64(1));
    RUNS(runs, *db);
    int recordedSucceeded = 0;
    for (const SyncRunRecord &run : runs) {
        QVERIFY2(run.status != SyncStatus::Running,
                 qPrintable(QStringLiteral("run %1 left 'running'").arg(run.id)));
        if (run.status == SyncStatus::Failed)
            QVERIFY2(!run.error.isEmpty(), "a failed run without error text");
        if (run.status == SyncStatus::Succeeded)
            ++recordedSucceeded;
    }
    QCOMPARE(recordedSucceeded, succeeded);
    QCOMPARE(static_cast<int>(runs.size()), 2); // both runs recorded, whatever the outcome
    for (const Outcome &out : outcomes) {
        if (!*out.result) {
            const auto it = std::find_if(runs.begin(), runs.end(), [](const SyncRunRecord &x) {
                return x.status == SyncStatus::Failed;
            });
            QVERIFY(it != runs.end());
            QCOMPARE(it->error, out.result->error().message);
        }
    }
    auto hydrated = hydrate(*db);
    QVERIFY2(hydrated, qPrintable(describe(hydrated)));
    const QString diff = firstDifference(file.snapshotRecords, sortedRecords(*hydrated->snapshot));
    QVERIFY2(diff.isEmpty(), qPrintable(diff));
}

// While a sync is between BEGIN and COMMIT, another connection (the UI's hydration worker, the
// CLI) opens the database and hydrates the previous master, complete and untouched.
void tst_InstrumentSync::hydrateDuringSyncSeesPreviousMaster_data()
{
    addBackendRows();
}

void tst_InstrumentSync::hydrateDuringSyncSeesPreviousMaster()
{
    INIT_TEST_DB(t);
    OPEN_DB(db, t, "sync");
    auto base = syncInstruments(*db, fileSync(m_base20k));
    QVERIFY2(base, qPrintable(describe(base)));
    auto baseFile = loadMaster(m_base20k);
    auto otherFile = loadMaster(m_other20k);
    QVERIFY(baseFile && otherFile);

    bool reached = false;
    QString openError;
    std::optional<Result<HydrationResult>> during;
    SyncOptions o = fileSync(m_other20k);
    o.progress = [&](const SyncProgress &p) {
        if (p.stage != SyncStage::Merging || reached)
            return;
        reached = true; // staged, validated, about to merge: deep inside the transaction
        auto reader = Database::open(t.config, "hydrate");
        if (!reader) {
            openError = describe(reader);
            return;
        }
        during = hydrate(**reader);
    };
    auto r = syncInstruments(*db, o);
    QVERIFY2(r, qPrintable(describe(r)));
    QVERIFY(reached);
    QVERIFY2(openError.isEmpty(), qPrintable(openError));
    QVERIFY(during);
    QVERIFY2(*during, qPrintable(describe(*during)));
    const QString oldDiff =
        firstDifference((*baseFile)->snapshotRecords, sortedRecords(*(*during)->snapshot));
    QVERIFY2(oldDiff.isEmpty(), qPrintable("during the sync: " + oldDiff));

    auto after = hydrate(*db);
    QVERIFY2(after, qPrintable(describe(after)));
    const QString newDiff =
        firstDifference((*otherFile)->snapshotRecords, sortedRecords(*after->snapshot));
    QVERIFY2(newDiff.isEmpty(), qPrintable("after the sync: " + newDiff));
}

// ---- 8. a damaged row --------------------------------------------------------------------------

void tst_InstrumentSync::damagedRowFailsHydration_data()
{
    addBackendRows();
}

void tst_InstrumentSync::damagedRowFailsHydration()
{
    INIT_TEST_DB(t);
    OPEN_DB(db, t, "sync");
    auto base = syncInstruments(*db, fileSync(m_base20k));
    QVERIFY2(base, qPrintable(describe(base)));
    auto key = db->scalar("SELECT min(instrument_key) FROM instruments WHERE kind = 'CE'");
    QVERIFY2(key && !key->toString().isEmpty(), "no option in the generated master");
    const QString victim = key->toString();

    auto ok = hydrate(*db);
    QVERIFY2(ok, qPrintable(describe(ok)));

    // SQLite keeps prices as TEXT: a hand edit can store anything. PostgreSQL's NUMERIC cannot
    // hold 'abc', but nothing stops a bogus segment name.
    const QString column = t.isPostgres() ? "segment" : "strike_price";
    const QString value = t.isPostgres() ? "NSE_BOGUS" : "abc";
    auto edited = db->query(
        QStringLiteral("UPDATE instruments SET %1 = ? WHERE instrument_key = ?").arg(column),
        {value, victim});
    QVERIFY2(edited, qPrintable(describe(edited)));
    QCOMPARE(edited->numRowsAffected(), 1);

    auto r = hydrate(*db);
    QVERIFY2(!r, "a damaged row hydrated");
    QCOMPARE(codeName(r.error().code), codeName(ErrorCode::Database));
    QVERIFY2(r.error().message.contains(victim), qPrintable(r.error().message));
    QVERIFY2(r.error().message.contains(column), qPrintable(r.error().message));
    // The connection is still usable after the failed read.
    InstrumentStore store(*db);
    auto active = store.activeCount();
    QVERIFY2(active, qPrintable(describe(active)));
}

// ---- sources, reading and the run's record -----------------------------------------------------

void tst_InstrumentSync::sourceThatIsNoFileIsRefused_data()
{
    QTest::addColumn<QString>("backend");
    QTest::addColumn<QString>("source");
    QTest::addColumn<QString>("says");
    for (const char *backend : {"sqlite", "postgres"}) {
        QTest::addRow("%s fifo", backend) << backend << "FIFO"
                                          << "named pipe";
        QTest::addRow("%s /dev/zero", backend) << backend << "/dev/zero"
                                               << "character device";
    }
}

void tst_InstrumentSync::sourceThatIsNoFileIsRefused()
{
    QFETCH(QString, source);
    QFETCH(QString, says);
    INIT_TEST_DB(t);
    OPEN_DB(db, t, "sync");
    BASELINE(db, m_base20k);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    if (source == "FIFO") {
        source = dir.filePath("complete.json.gz");
        QCOMPARE(::mkfifo(QFile::encodeName(source).constData(), 0600), 0);
    }
    // Bounded: before the fix the FIFO blocked in open() and /dev/zero was hashed for ever.
    // After a while the FIFO gets a writer (which closes at once) and the sync a cancel.
    std::atomic_bool cancel{false};
    std::atomic_bool done{false};
    std::thread watchdog([&] {
        for (int i = 0; i < 300 && !done; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        if (done)
            return;
        cancel = true;
        const int fd = ::open(QFile::encodeName(source).constData(), O_WRONLY | O_NONBLOCK);
        if (fd >= 0)
            ::close(fd);
    });
    SyncOptions o = fileSync(source);
    o.cancel = &cancel;
    auto r = syncInstruments(*db, o);
    done = true;
    watchdog.join();
    QVERIFY2(!r, "a FIFO or a device synced");
    QCOMPARE(codeName(r.error().code), codeName(ErrorCode::Io));
    QVERIFY2(r.error().message.contains(says), qPrintable(r.error().message));
    QVERIFY(!cancel);
    const QString problem = checkFailedRun(*db, before, runsBefore, says);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void tst_InstrumentSync::checksumIsOfTheBytesRead_data()
{
    addBackendRows();
}

// One pass: the checksum recorded is of the very bytes that were parsed. Before, a first pass
// hashed the whole file and a second one read it; a file that changed in between (a download
// still being written next to it, say) was recorded with the checksum of other bytes.
void tst_InstrumentSync::checksumIsOfTheBytesRead()
{
    INIT_TEST_DB(t);
    OPEN_DB(db, t, "sync");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    GeneratorOptions g;
    g.rows = 20000;
    g.seed = 1;
    g.asOf = fromQDate(QDate(2025, 12, 9));
    const QString path = dir.filePath("complete.json");
    QVERIFY(generateMasterFile(path, g));
    QFile in(path);
    QVERIFY(in.open(QIODevice::ReadOnly));
    const QByteArray original = in.readAll();
    in.close();
    QByteArray changed = original;
    changed.replace("NIFTY", "NIFTX"); // as long, still a valid master
    QVERIFY(changed != original);

    std::int64_t rewrittenAt = -1;
    SyncOptions o = fileSync(path);
    o.progress = [&](const SyncProgress &p) {
        if (p.stage != SyncStage::Reading || p.bytes <= 0 || rewrittenAt >= 0)
            return;
        // The reader has p.bytes of the file: everything after them changes under it.
        rewrittenAt = p.bytes;
        QFile out(path);
        if (out.open(QIODevice::ReadWrite) && out.seek(p.bytes))
            out.write(changed.mid(p.bytes));
    };
    auto r = syncInstruments(*db, o);
    QVERIFY2(r, qPrintable(describe(r)));
    QVERIFY(rewrittenAt > 0 && rewrittenAt < original.size());
    const QByteArray read = original.left(rewrittenAt) + changed.mid(rewrittenAt);
    QCOMPARE(r->run.checksum.toLatin1(),
             QCryptographicHash::hash(read, QCryptographicHash::Sha256).toHex());
    QCOMPARE(r->run.bytes, std::int64_t(original.size()));
}

void tst_InstrumentSync::failedReadRecordsWhatWasRead_data()
{
    addBackendRows();
}

void tst_InstrumentSync::failedReadRecordsWhatWasRead()
{
    INIT_TEST_DB(t);
    OPEN_DB(db, t, "sync");
    BASELINE(db, m_base20k);
    auto r = syncInstruments(*db, fileSync(m_corrupt));
    QVERIFY(!r);
    const QString problem = checkFailedRun(*db, before, runsBefore, "malformed JSON");
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    RUNS(runs, *db);
    // The damage sits in the middle of 20,000 rows: about half were read before it.
    QVERIFY2(runs.back().rowsRead > 5000, qPrintable(QString::number(runs.back().rowsRead)));
    QVERIFY(runs.back().rowsRead < 20000);
    QVERIFY(runs.back().bytes > 0);
    QVERIFY(runs.back().checksum.isEmpty()); // not a master's: nothing to compare with later
}

void tst_InstrumentSync::resultCarriesTheRecordedRun_data()
{
    addBackendRows();
}

void tst_InstrumentSync::resultCarriesTheRecordedRun()
{
    INIT_TEST_DB(t);
    OPEN_DB(db, t, "sync");
    auto first = syncInstruments(*db, fileSync(m_base20k));
    QVERIFY2(first, qPrintable(describe(first)));
    auto again = syncInstruments(*db, fileSync(m_base20k)); // unchanged
    QVERIFY2(again, qPrintable(describe(again)));
    QVERIFY(again->unchanged);
    RUNS(runs, *db);
    QCOMPARE(runs.size(), std::size_t(2));
    for (const auto &[result, recorded] :
         {std::pair{&*first, &runs[0]}, std::pair{&*again, &runs[1]}}) {
        QCOMPARE(result->run.id, recorded->id);
        QVERIFY(result->run.startedAt.isValid());
        QVERIFY(result->run.finishedAt.isValid());
        QCOMPARE(result->run.startedAt, recorded->startedAt);
        QCOMPARE(result->run.finishedAt, recorded->finishedAt);
        QCOMPARE(result->run.status, recorded->status);
        QCOMPARE(result->run.rowsRead, recorded->rowsRead);
        QCOMPARE(result->run.checksum, recorded->checksum);
    }
}

void tst_InstrumentSync::cancelInLaterPhases_data()
{
    QTest::addColumn<QString>("backend");
    QTest::addColumn<int>("stage");
    for (const char *backend : {"sqlite", "postgres"}) {
        QTest::addRow("%s validating", backend) << backend << int(SyncStage::Validating);
        QTest::addRow("%s merging", backend) << backend << int(SyncStage::Merging);
    }
}

// A cancel once the reading is over still ends the run (the statement running is interrupted)
// and leaves the connection fit for the next sync.
void tst_InstrumentSync::cancelInLaterPhases()
{
    QFETCH(int, stage);
    INIT_TEST_DB(t);
    OPEN_DB(db, t, "sync");
    BASELINE(db, m_base20k);
    std::atomic_bool cancel{false};
    SyncOptions o = fileSync(m_other20k);
    o.cancel = &cancel;
    o.progress = [&](const SyncProgress &p) {
        if (static_cast<int>(p.stage) == stage)
            cancel = true;
    };
    auto r = syncInstruments(*db, o);
    QVERIFY2(!r, "a cancelled sync succeeded");
    QCOMPARE(codeName(r.error().code), codeName(ErrorCode::Cancelled));
    QCOMPARE(r.error().message, QStringLiteral("the sync was cancelled"));
    const QString problem = checkFailedRun(*db, before, runsBefore, "cancelled");
    QVERIFY2(problem.isEmpty(), qPrintable(problem));

    // Nothing of the cancel is left on the connection.
    auto ok = syncInstruments(*db, fileSync(m_other20k));
    QVERIFY2(ok, qPrintable(describe(ok)));
    QCOMPARE(ok->run.status, SyncStatus::Succeeded);
}

void tst_InstrumentSync::abandonedRunsAreJudged_data()
{
    addBackendRows();
}

// A run whose process is gone is recorded as failed; a live one never is. SQLite judges by
// this machine's process ids, PostgreSQL by the run's session lock (any machine).
void tst_InstrumentSync::abandonedRunsAreJudged()
{
    INIT_TEST_DB(t);
    OPEN_DB(db, t, "sync");
    InstrumentStore store(*db);
    auto insertRun = [&](const QVariant &host, qint64 pid) -> std::int64_t {
        auto id = db->scalar(
            QStringLiteral("INSERT INTO sync_runs (started_at, source, status, forced, host, pid) "
                           "VALUES (?, 'test', 'running', %1, ?, ?)%2")
                .arg(t.isPostgres() ? "false" : "0", t.isPostgres() ? " RETURNING id" : ""),
            {QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs), host, pid});
        if (t.isPostgres())
            return id ? id->toLongLong() : -1;
        auto last = db->scalar("SELECT max(id) FROM sync_runs");
        return last ? last->toLongLong() : -1;
    };
    auto statusOf = [&](std::int64_t id) {
        auto s = db->scalar("SELECT status FROM sync_runs WHERE id = ?",
                            {QVariant::fromValue<qint64>(id)});
        return s ? s->toString() : QString("?");
    };
    // A process that has ended (and been reaped).
    QProcess gone;
    gone.start("true", {});
    QVERIFY(gone.waitForStarted());
    const qint64 deadPid = gone.processId();
    QVERIFY(gone.waitForFinished());
    const QString host = QSysInfo::machineHostName();

    if (!t.isPostgres()) {
        const std::int64_t dead = insertRun(host, deadPid);
        const std::int64_t alive = insertRun(host, QCoreApplication::applicationPid());
        const std::int64_t elsewhere = insertRun("another-machine", 1);
        auto abandoned = store.abandonedRuns();
        QVERIFY2(abandoned, qPrintable(describe(abandoned)));
        QCOMPARE(abandoned->size(), std::size_t(1));
        QCOMPARE(abandoned->front().id, dead);
        QVERIFY2(abandoned->front().reason.contains(QString::number(deadPid)),
                 qPrintable(abandoned->front().reason));
        auto marked = store.markAbandonedRuns();
        QVERIFY2(marked, qPrintable(describe(marked)));
        QCOMPARE(*marked, std::int64_t(1));
        QCOMPARE(statusOf(dead), QString("failed"));
        QCOMPARE(statusOf(alive), QString("running"));
        QCOMPARE(statusOf(elsewhere), QString("running"));
        // A sync holds the lock: another machine's run cannot be alive then; ours still is.
        auto sync = syncInstruments(*db, fileSync(m_small5k));
        QVERIFY2(sync, qPrintable(describe(sync)));
        QCOMPARE(statusOf(elsewhere), QString("failed"));
        QCOMPARE(statusOf(alive), QString("running"));
        return;
    }

    // PostgreSQL: the lock decides, whatever host and pid say.
    const std::int64_t unlocked = insertRun(host, QCoreApplication::applicationPid());
    const std::int64_t locked = insertRun("another-machine", 1);
    OPEN_DB(owner, t, "owner");
    auto lock =
        owner->scalar(QStringLiteral("SELECT pg_try_advisory_lock(7210003, %1)").arg(locked));
    QVERIFY2(lock && lock->toBool(), qPrintable(describe(lock)));
    auto abandoned = store.abandonedRuns();
    QVERIFY2(abandoned, qPrintable(describe(abandoned)));
    QCOMPARE(abandoned->size(), std::size_t(1));
    QCOMPARE(abandoned->front().id, unlocked);
    auto runs = store.recentRunsSettled(10);
    QVERIFY2(runs, qPrintable(describe(runs)));
    QCOMPARE(statusOf(unlocked), QString("failed"));
    QCOMPARE(statusOf(locked), QString("running"));
    // A sync meanwhile leaves the live run alone.
    auto sync = syncInstruments(*db, fileSync(m_small5k));
    QVERIFY2(sync, qPrintable(describe(sync)));
    QCOMPARE(statusOf(locked), QString("running"));
    // Its owner's connection ends (the process died): the run is found abandoned.
    owner.reset();
    auto settled = [&] {
        (void)store.markAbandonedRuns();
        return statusOf(locked);
    };
    QTRY_COMPARE_WITH_TIMEOUT(settled(), QString("failed"), 30000);
}

// ---- 9. rows the sync cannot take as they are
// ----------------------------------------------------

namespace {

// The fixture with the row of `key` edited: `from` replaced by `to` inside that row only.
QByteArray editRow(QByteArray file, const QByteArray &key, const QByteArray &from,
                   const QByteArray &to)
{
    const qsizetype at = file.indexOf(QByteArray("\"instrument_key\":\"" + key + "\""));
    if (at < 0)
        return {};
    const qsizetype begin = file.lastIndexOf('{', at);
    const qsizetype end = file.indexOf('}', at);
    const qsizetype hit = file.indexOf(from, begin);
    if (begin < 0 || end < 0 || hit < 0 || hit > end)
        return {};
    return file.replace(hit, from.size(), to);
}

Result<QByteArray> readAllOf(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return Error::make(ErrorCode::Io, "cannot read " + path);
    return f.readAll();
}

QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &bytes)
{
    const QString path = dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size())
        return {};
    return path;
}

// The stored row of `key` as text (every column but the sync ids), or empty when absent.
QString storedRow(Database &db, const QString &key)
{
    auto q = db.query("SELECT trading_symbol, lot_size, tick_size, is_active FROM instruments "
                      "WHERE instrument_key = ?",
                      {key});
    if (!q || !q->next())
        return {};
    return QStringLiteral("%1|%2|%3|%4")
        .arg(q->value(0).toString(), q->value(1).toString(),
             Price::parse(q->value(2).toString().toStdString())->toQString(),
             q->value(3).toBool() ? "active" : "inactive");
}

} // namespace

void tst_InstrumentSync::invalidRowKeepsThePreviousVersion_data()
{
    addBackendRows();
}

// A live contract whose row in the new master is invalid stays as it was: not deactivated, not
// listed as a delisting, reported as kept. Two rows: the bad value after the instrument_key
// (lot_size as a string) and before it (weekly as a string: keys come in any order).
void tst_InstrumentSync::invalidRowKeepsThePreviousVersion()
{
    STRIKELINE_REQUIRE_REAL_FILE(fixture, "fixture-NSE_FO-subset-2026-08-21.json");
    INIT_TEST_DB(t);
    auto original = readAllOf(fixture);
    QVERIFY2(original, qPrintable(describe(original)));
    QByteArray bad = editRow(*original, "NSE_FO|58371", "\"lot_size\":500", "\"lot_size\":\"500\"");
    QVERIFY2(!bad.isEmpty(), "no RELIANCE FUT row in the fixture");
    bad = editRow(bad, "NSE_FO|58398", "\"weekly\":false", "\"weekly\":\"false\"");
    QVERIFY2(!bad.isEmpty(), "no TATASTEEL FUT row in the fixture");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString badPath = writeFile(dir, "fixture-NSE_FO-subset-2026-08-21-bad.json", bad);
    QVERIFY(!badPath.isEmpty());

    OPEN_DB(db, t, "sync");
    auto base = syncInstruments(*db, fileSync(fixture));
    QVERIFY2(base, qPrintable(describe(base)));
    const QString reliance = storedRow(*db, "NSE_FO|58371");
    const QString tata = storedRow(*db, "NSE_FO|58398");
    QVERIFY2(reliance.startsWith("RELIANCE FUT 25 AUG 26|500|") && reliance.endsWith("|active"),
             qPrintable(reliance));
    QVERIFY2(tata.startsWith("TATASTEEL FUT 25 AUG 26|2750|") && tata.endsWith("|active"),
             qPrintable(tata));

    auto r = syncInstruments(*db, fileSync(badPath));
    QVERIFY2(r, qPrintable(describe(r)));
    QCOMPARE(r->run.rowsSkipped, std::int64_t(2));
    QCOMPARE(r->counts.deactivated, std::int64_t(0));
    QCOMPARE(r->counts.kept, std::int64_t(2));
    QCOMPARE(r->counts.keptKeys, (std::vector<std::string>{"NSE_FO|58371", "NSE_FO|58398"}));
    QCOMPARE(storedRow(*db, "NSE_FO|58371"), reliance);
    QCOMPARE(storedRow(*db, "NSE_FO|58398"), tata);
    auto delisted = db->scalar("SELECT count(*) FROM instrument_changes WHERE change = "
                               "'deactivated'");
    QVERIFY2(delisted, qPrintable(describe(delisted)));
    QCOMPARE(delisted->toLongLong(), qint64(0));
    RUNS(runs, *db);
    QCOMPARE(runs.back().rowsKept, std::int64_t(2));
    QCOMPARE(runs.back().rowsDeactivated, std::int64_t(0));
    auto hydrated = hydrate(*db);
    QVERIFY2(hydrated, qPrintable(describe(hydrated)));
    QVERIFY(hydrated->snapshot->findByKey("NSE_FO|58371"));
    QVERIFY(hydrated->snapshot->findByKey("NSE_FO|58398"));

    // The next good master updates them as usual: kept is not stuck.
    auto again = syncInstruments(*db, fileSync(fixture));
    QVERIFY2(again, qPrintable(describe(again)));
    QCOMPARE(again->counts.kept, std::int64_t(0));
    QCOMPARE(storedRow(*db, "NSE_FO|58371"), reliance);
}

void tst_InstrumentSync::nulInAStringSkipsTheRow_data()
{
    addBackendRows();
}

// PostgreSQL cannot store a NUL in text; SQLite can. The documented policy for a bad value is
// "skip that row and report it", on both backends alike (the contract already stored stays).
void tst_InstrumentSync::nulInAStringSkipsTheRow()
{
    STRIKELINE_REQUIRE_REAL_FILE(fixture, "fixture-NSE_FO-subset-2026-08-21.json");
    INIT_TEST_DB(t);
    auto original = readAllOf(fixture);
    QVERIFY2(original, qPrintable(describe(original)));
    const QByteArray bad = editRow(*original, "NSE_FO|59312", "\"name\":\"BANKNIFTY\"",
                                   "\"name\":\"BANK\\u0000NIFTY\"");
    QVERIFY2(!bad.isEmpty(), "no NSE_FO|59312 row in the fixture");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString badPath = writeFile(dir, "fixture-nul-2026-08-21.json", bad);
    QVERIFY(!badPath.isEmpty());

    OPEN_DB(db, t, "sync");
    auto r = syncInstruments(*db, fileSync(badPath));
    QVERIFY2(r, qPrintable(describe(r)));
    QCOMPARE(r->run.status, SyncStatus::Succeeded);
    QCOMPARE(r->run.rowsSkipped, std::int64_t(1));
    QCOMPARE(r->issues.size(), std::size_t(1));
    QCOMPARE(QString::fromStdString(r->issues.front().instrumentKey),
             QStringLiteral("NSE_FO|59312"));
    QCOMPARE(QString::fromStdString(r->issues.front().field), QStringLiteral("name"));
    QVERIFY2(r->issues.front().message.contains("NUL"), qPrintable(r->issues.front().message));
    QVERIFY(storedRow(*db, "NSE_FO|59312").isEmpty());

    // Over the clean master: the stored contract is kept.
    auto clean = syncInstruments(*db, fileSync(fixture));
    QVERIFY2(clean, qPrintable(describe(clean)));
    const QString before = storedRow(*db, "NSE_FO|59312");
    QVERIFY(before.endsWith("|active"));
    auto again = syncInstruments(*db, fileSync(badPath));
    QVERIFY2(again, qPrintable(describe(again)));
    QCOMPARE(again->counts.kept, std::int64_t(1));
    QCOMPARE(storedRow(*db, "NSE_FO|59312"), before);
}

void tst_InstrumentSync::olderMasterRefusedUnlessForced_data()
{
    addBackendRows();
}

// The business day of a master is the date in its name (downloads: the day fetched). Syncing
// the June master over December's would deactivate everything listed since: refused, recorded,
// and done only with --force.
void tst_InstrumentSync::olderMasterRefusedUnlessForced()
{
    STRIKELINE_REQUIRE_REAL_FILE(fixture, "fixture-NSE_FO-subset-2026-08-21.json");
    INIT_TEST_DB(t);
    auto bytes = readAllOf(fixture);
    QVERIFY2(bytes, qPrintable(describe(bytes)));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString olderPath = writeFile(dir, "NSE-2026-06-12.json", *bytes + " ");
    const QString undated = writeFile(dir, "undated.json", *bytes + "  ");
    QVERIFY(!olderPath.isEmpty() && !undated.isEmpty());

    OPEN_DB(db, t, "sync");
    BASELINE(db, fixture);
    auto refused = syncInstruments(*db, fileSync(olderPath));
    QVERIFY2(!refused, "an older master replaced a newer one");
    QCOMPARE(codeName(refused.error().code), codeName(ErrorCode::Validation));
    for (const char *word : {"2026-06-12", "2026-08-21", "older", "--force"})
        QVERIFY2(refused.error().message.contains(word), qPrintable(refused.error().message));
    const QString problem = checkFailedRun(*db, before, runsBefore, "older");
    QVERIFY2(problem.isEmpty(), qPrintable(problem));

    // A file without a date in its name has no known day: nothing to compare, imported.
    auto unknown = syncInstruments(*db, fileSync(undated));
    QVERIFY2(unknown, qPrintable(describe(unknown)));
    auto backToDated = syncInstruments(*db, fileSync(fixture));
    QVERIFY2(backToDated, qPrintable(describe(backToDated)));

    auto forced = syncInstruments(*db, fileSync(olderPath, true));
    QVERIFY2(forced, qPrintable(describe(forced)));
    QCOMPARE(forced->run.status, SyncStatus::Succeeded);
    // And now the newer one is welcome again.
    auto newer = syncInstruments(*db, fileSync(fixture));
    QVERIFY2(newer, qPrintable(describe(newer)));
}

void tst_InstrumentSync::bareNotModifiedIsAnError_data()
{
    addBackendRows();
}

// 304 answers a conditional request. To one that sent no ETag and no date it means a broken
// server or proxy, not "unchanged": the sync fails and says so.
void tst_InstrumentSync::bareNotModifiedIsAnError()
{
    INIT_TEST_DB(t);
    OPEN_DB(db, t, "sync");
    FaultyHttpServer server;
    QVERIFY(server.isListening());
    server.setRoute("/complete.json.gz", HttpRoute::withStatus(304));
    SyncOptions o;
    o.source = server.url("/complete.json.gz").toString();
    auto r = syncInstruments(*db, o);
    QVERIFY2(!r, "a bare 304 was taken for 'unchanged'");
    QCOMPARE(codeName(r.error().code), codeName(ErrorCode::Network));
    QVERIFY2(r.error().message.contains("304"), qPrintable(r.error().message));
    QVERIFY(!server.requests().isEmpty());
    QVERIFY(!server.requests()[0].hasHeader("If-None-Match"));
    RUNS(runs, *db);
    QCOMPARE(runs.size(), std::size_t(1));
    QCOMPARE(runs[0].status, SyncStatus::Failed);
    QVERIFY(runs[0].error.contains("304"));
}

void tst_InstrumentSync::hydrationReadsOneSnapshot_data()
{
    addBackendRows();
}

// A sync that commits while a hydration reads must not give the new rows under the old run's
// label (or the reverse): the run and the rows come from one snapshot of the database.
void tst_InstrumentSync::hydrationReadsOneSnapshot()
{
    INIT_TEST_DB(t);
    OPEN_DB(db, t, "sync");
    auto base = syncInstruments(*db, fileSync(m_base20k));
    QVERIFY2(base, qPrintable(describe(base)));
    auto baseFile = loadMaster(m_base20k);
    QVERIFY(baseFile);

    std::optional<Result<SyncResult>> during;
    HydrateOptions options;
    options.progress = [&](std::int64_t rows, std::int64_t) {
        if (during || rows != 0)
            return;
        // The run is read, the rows are not: another terminal's sync commits now.
        auto writer = Database::open(t.config, "sync-during");
        if (!writer) {
            during = writer.error();
            return;
        }
        during = syncInstruments(**writer, fileSync(m_other20k));
    };
    OPEN_DB(reader, t, "hydrate");
    auto hydrated = hydrate(*reader, options);
    QVERIFY2(hydrated, qPrintable(describe(hydrated)));
    QVERIFY(during);
    QVERIFY2(*during, qPrintable(describe(*during)));
    QCOMPARE(hydrated->snapshot->info().syncRunId, base->run.id);
    const QString diff =
        firstDifference((*baseFile)->snapshotRecords, sortedRecords(*hydrated->snapshot));
    QVERIFY2(diff.isEmpty(), qPrintable("the old run's label over other rows: " + diff));

    // The next hydration sees the new master under the new run.
    auto after = hydrate(*reader);
    QVERIFY2(after, qPrintable(describe(after)));
    QCOMPARE(after->snapshot->info().syncRunId, (*during)->run.id);
}

void tst_InstrumentSync::readOnlyOpenCreatesNothing_data()
{
    addBackendRows();
}

// What a read command opens: a missing SQLite file (or folder) is an error and stays missing;
// a database without Strikeline's schema is an error and gets none.
void tst_InstrumentSync::readOnlyOpenCreatesNothing()
{
    INIT_TEST_DB(t);
    if (t.isPostgres()) {
        // The scratch database was migrated by INIT_TEST_DB's probe: forget the schema.
        OPEN_DB(probe, t, "probe");
        auto dropped = probe->exec("DROP TABLE schema_version");
        QVERIFY2(dropped, qPrintable(describe(dropped)));
        auto opened = Database::open(t.config, "read", Database::OpenMode::Existing);
        QVERIFY2(!opened, "a PostgreSQL database without the schema opened for reading");
        QCOMPARE(codeName(opened.error().code), codeName(ErrorCode::NotFound));
        // ... and it wrote none.
        auto tables = probe->scalar("SELECT count(*) FROM information_schema.tables WHERE "
                                    "table_schema = current_schema() AND table_name = "
                                    "'schema_version'");
        QVERIFY2(tables, qPrintable(describe(tables)));
        QCOMPARE(tables->toInt(), 0);
        return;
    }
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    for (const QString &path : {dir.filePath("missing.db"), dir.filePath("no-dir/x.db")}) {
        auto config = DatabaseConfig::parse("sqlite://" + path);
        QVERIFY2(config, qPrintable(describe(config)));
        auto opened = Database::open(*config, "read", Database::OpenMode::Existing);
        QVERIFY2(!opened, qPrintable(path + " opened for reading"));
        QCOMPARE(codeName(opened.error().code), codeName(ErrorCode::NotFound));
        QVERIFY2(opened.error().message.contains(path), qPrintable(opened.error().message));
        QVERIFY2(!QFileInfo::exists(path), qPrintable(path + " was created"));
        QVERIFY(!QFileInfo::exists(dir.filePath("no-dir")));
    }
    // An empty file is no Strikeline database either, and gets no tables.
    const QString empty = dir.filePath("empty.db");
    {
        QFile f(empty);
        QVERIFY(f.open(QIODevice::WriteOnly));
    }
    auto config = DatabaseConfig::parse("sqlite://" + empty);
    QVERIFY(config);
    auto opened = Database::open(*config, "read", Database::OpenMode::Existing);
    QVERIFY2(!opened, "an empty file opened as a database");
    QCOMPARE(codeName(opened.error().code), codeName(ErrorCode::NotFound));
    OPEN_DB(db, t, "sync");
    auto read = Database::open(t.config, "read", Database::OpenMode::Existing);
    QVERIFY2(read, qPrintable(describe(read)));
}

void tst_InstrumentSync::migrationUpgradesAnOlderDatabase_data()
{
    addBackendRows();
}

// A database from before migration 004 (sync_runs without the duplicate/kept counters) is
// brought up to date on open, its runs intact, and syncs record the new counters.
void tst_InstrumentSync::migrationUpgradesAnOlderDatabase()
{
    INIT_TEST_DB(t);
    std::int64_t runId = 0;
    {
        OPEN_DB(db, t, "old");
        auto r = syncInstruments(*db, fileSync(m_small5k));
        QVERIFY2(r, qPrintable(describe(r)));
        runId = r->run.id;
        for (const char *column : {"rows_duplicate", "keys_conflicting", "rows_kept"}) {
            auto dropped = db->exec(
                QStringLiteral("ALTER TABLE sync_runs DROP COLUMN %1").arg(QLatin1String(column)));
            QVERIFY2(dropped, qPrintable(describe(dropped)));
        }
        auto forgotten = db->exec("DELETE FROM schema_version WHERE version = 4");
        QVERIFY2(forgotten, qPrintable(describe(forgotten)));
    }
    OPEN_DB(db, t, "upgraded");
    auto applied = db->scalar("SELECT count(*) FROM schema_version WHERE version = 4");
    QVERIFY2(applied, qPrintable(describe(applied)));
    QCOMPARE(applied->toInt(), 1);
    RUNS(runs, *db);
    QCOMPARE(runs.size(), std::size_t(1));
    QCOMPARE(runs[0].id, runId);
    QCOMPARE(runs[0].rowsKept, std::int64_t(0));
    auto r = syncInstruments(*db, fileSync(m_base20k));
    QVERIFY2(r, qPrintable(describe(r)));
}

QTEST_GUILESS_MAIN(tst_InstrumentSync)

#include "tst_instrumentsync.moc"
