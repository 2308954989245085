// strikeline-cli sync and history as a user runs them, against hostile sources and signals: a
// real process, on SQLite and on PostgreSQL (ctest's throwaway server). Sources that are no
// file (a FIFO, /dev/zero), a download stalled mid-body, SIGTERM/SIGINT in each phase, SIGKILL,
// bytes that are no master, and what history then says. Every wait is bounded: a hang shows up
// as a failed comparison, never as a stuck test.

// Test tables read better with plain string literals.
#undef QT_NO_CAST_FROM_ASCII

#include "CliProcess.h"
#include "FaultyHttpServer.h"
#include "TestPostgres.h"
#include "instruments/MasterGenerator.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <zlib.h>

#include <csignal>
#include <memory>
#include <sys/stat.h>
#include <sys/types.h>

using strikeline::testing::FaultyHttpServer;
using strikeline::testing::HttpRoute;
using Run = strikeline::testing::CliRun;

namespace {

// Long enough for any honest answer on a loaded 2-core machine; a hang ends here.
constexpr int BoundMs = 60000;

QString &scratchHome()
{
    static QString home;
    return home;
}

Run cli(const QStringList &args, int timeoutMs = BoundMs)
{
    return strikeline::testing::runCli(scratchHome(), args, timeoutMs);
}

// A CLI process the test can signal while it runs.
class LiveCli
{
public:
    explicit LiveCli(const QStringList &args)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("XDG_DATA_HOME", scratchHome() + "/data");
        env.insert("XDG_CONFIG_HOME", scratchHome() + "/config");
        m_process.setProcessEnvironment(env);
        m_process.start(QStringLiteral(STRIKELINE_CLI_PATH), args);
    }
    ~LiveCli()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished();
        }
    }

    // Waits (bounded) until stderr shows `text`; false if the process ended or time ran out.
    bool waitForStderr(const QByteArray &text)
    {
        QDeadlineTimer deadline(BoundMs);
        while (!m_err.contains(text)) {
            if (m_process.state() == QProcess::NotRunning || deadline.hasExpired())
                return false;
            m_process.waitForReadyRead(100);
            m_err += m_process.readAllStandardError();
        }
        return true;
    }
    void signal(int number) { ::kill(static_cast<pid_t>(m_process.processId()), number); }
    // The exit code (-2 crashed or killed, -1 still running after the bound).
    int finish()
    {
        if (!m_process.waitForFinished(BoundMs))
            return -1;
        m_err += m_process.readAllStandardError();
        return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -2;
    }
    QByteArray err() const { return m_err; }

private:
    QProcess m_process;
    QByteArray m_err;
};

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

QByteArray gzip(const QByteArray &bytes)
{
    z_stream zs{};
    if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return {};
    QByteArray out(static_cast<qsizetype>(deflateBound(&zs, static_cast<uLong>(bytes.size()))),
                   '\0');
    zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(bytes.constData()));
    zs.avail_in = static_cast<uInt>(bytes.size());
    zs.next_out = reinterpret_cast<Bytef *>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&zs, Z_FINISH);
    out.resize(static_cast<qsizetype>(zs.total_out));
    deflateEnd(&zs);
    return rc == Z_STREAM_END ? out : QByteArray();
}

QJsonArray historyRuns(const QString &db)
{
    const Run h = cli({"history", "--db", db, "--json"});
    return h.exitCode == 0 ? h.json().value("runs").toArray() : QJsonArray();
}

// The newest run in history once it is no longer 'running', waiting up to the bound (a killed
// client's PostgreSQL session ends a moment after the process).
QJsonObject settledNewestRun(const QString &db)
{
    QDeadlineTimer deadline(BoundMs);
    QJsonObject newest;
    do {
        newest = historyRuns(db).at(0).toObject();
        if (newest.value("status").toString() != "running")
            return newest;
        QThread::msleep(200);
    } while (!deadline.hasExpired());
    return newest;
}

void addBackendRows()
{
    QTest::addColumn<QString>("backend");
    QTest::newRow("sqlite") << "sqlite";
    QTest::newRow("postgres") << "postgres";
}

} // namespace

// Declares `const QString dbUrl` for the data row's backend: a fresh SQLite file or a fresh
// PostgreSQL scratch database (dropped at the end of the test).
#define SCRATCH_DB(dbUrl)                                                                          \
    QFETCH(QString, backend);                                                                      \
    QString dbUrl##Value_ = "sqlite://" + m_dir.filePath(QStringLiteral("%1-%2.db")                \
                                                             .arg(QTest::currentTestFunction())    \
                                                             .arg(QTest::currentDataTag()));       \
    std::shared_ptr<void> dbUrl##Drop_;                                                            \
    if (backend == "postgres") {                                                                   \
        STRIKELINE_REQUIRE_POSTGRES(pgBase_);                                                      \
        QString error_;                                                                            \
        const auto scratch_ = strikeline::testpg::createScratchDatabase(                           \
            pgBase_, QString::fromLatin1(QTest::currentTestFunction()), &error_);                  \
        QVERIFY2(scratch_, qPrintable(error_));                                                    \
        dbUrl##Value_ = scratch_->url;                                                             \
        const QString name_ = scratch_->name;                                                      \
        dbUrl##Drop_.reset(static_cast<void *>(nullptr), [pgBase_, name_](void *) {                \
            strikeline::testpg::dropScratchDatabase(pgBase_, name_);                               \
        });                                                                                        \
    }                                                                                              \
    const QString dbUrl = dbUrl##Value_

class tst_CliSync : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void refusesSourcesThatAreNoFile_data();
    void refusesSourcesThatAreNoFile();
    void signalEndsEachPhase_data();
    void signalEndsEachPhase();
    void killedSyncIsNotLeftRunning_data();
    void killedSyncIsNotLeftRunning();
    void errorIsPrintedOnceAndSaysWhatTheBytesAre_data();
    void errorIsPrintedOnceAndSaysWhatTheBytesAre();
    void jsonRunHasTheTimesHistoryHas();
    void historyShowsWhatAFailedParseRead();
    void oneRowMasterIsNotZeroPercent();
    void failedPostgresConnectionKeepsHostAndDatabase();

private:
    QTemporaryDir m_dir;
    QString m_master;     // generated, 3,000 rows, .json.gz
    QByteArray m_gzBytes; // its bytes
    QString m_corrupt;    // the same rows as plain JSON, broken in the middle
    std::unique_ptr<FaultyHttpServer> m_server;
};

void tst_CliSync::initTestCase()
{
    QVERIFY(m_dir.isValid());
    scratchHome() = m_dir.filePath("home");
    strikeline::GeneratorOptions o;
    o.rows = 3000;
    o.seed = 7;
    o.asOf = strikeline::fromQDate(QDate(2025, 12, 9));
    m_master = m_dir.filePath("master.json.gz");
    auto generated = strikeline::generateMasterFile(m_master, o);
    QVERIFY2(generated && generated->rows == o.rows, "generating the master failed");
    m_gzBytes = readAll(m_master);
    QVERIFY(!m_gzBytes.isEmpty());

    m_corrupt = m_dir.filePath("corrupt.json");
    QVERIFY(strikeline::generateMasterFile(m_corrupt, o));
    QByteArray plain = readAll(m_corrupt);
    const qsizetype at = plain.indexOf("},{", plain.size() / 2);
    QVERIFY(at > 0);
    plain.replace(at, 3, "}{,");
    QVERIFY(writeFile(m_corrupt, plain));

    m_server = std::make_unique<FaultyHttpServer>();
    QVERIFY(m_server->isListening());
    // Sends its headers and a first piece, then nothing: the sync sits in its reading phase.
    HttpRoute stalled = HttpRoute::ok(m_gzBytes);
    stalled.stallAfter = 4096;
    m_server->setRoute("/stalled.json.gz", stalled);
    // Takes the request and never answers: the sync sits in its connecting phase.
    HttpRoute silent = HttpRoute::ok(m_gzBytes);
    silent.silent = true;
    m_server->setRoute("/silent.json.gz", silent);
}

void tst_CliSync::refusesSourcesThatAreNoFile_data()
{
    QTest::addColumn<QString>("source");
    QTest::addColumn<QString>("what");
    QTest::newRow("fifo") << "FIFO"
                          << "named pipe";
    QTest::newRow("/dev/zero") << "/dev/zero"
                               << "character device";
    QTest::newRow("/dev/urandom") << "/dev/urandom"
                                  << "character device";
    QTest::newRow("directory") << "DIR"
                               << "directory";
}

void tst_CliSync::refusesSourcesThatAreNoFile()
{
    QFETCH(QString, source);
    QFETCH(QString, what);
    if (source == "FIFO") {
        source = m_dir.filePath("master.fifo");
        QFile::remove(source);
        QCOMPARE(::mkfifo(QFile::encodeName(source).constData(), 0600), 0);
    } else if (source == "DIR") {
        source = m_dir.path();
    }
    const QString db = "sqlite://" + m_dir.filePath("refused.db");
    // Before the fix a FIFO blocked in open() and /dev/zero was read for ever, deaf to
    // signals: the bound here ends the process and the comparison fails.
    const Run sync = cli({"sync", "--source", source, "--db", db}, 30000);
    QCOMPARE(sync.exitCode, 1);
    QVERIFY2(sync.err.contains(what.toUtf8()), sync.err.constData());
    QVERIFY2(sync.err.contains("previous master is unchanged"), sync.err.constData());
    const QJsonObject newest = historyRuns(db).at(0).toObject();
    QCOMPARE(newest.value("status").toString(), QStringLiteral("failed"));
    QVERIFY2(newest.value("error").toString().contains(what),
             qPrintable(newest.value("error").toString()));

    // The query commands' --master refuses it the same way.
    const Run search = cli({"search", "NIFTY", "--master", source}, 30000);
    QCOMPARE(search.exitCode, 1);
    QVERIFY2(search.err.contains(what.toUtf8()), search.err.constData());
}

void tst_CliSync::signalEndsEachPhase_data()
{
    QTest::addColumn<QString>("backend");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("phase"); // the progress line that says the phase began
    QTest::addColumn<int>("signal");
    for (const char *backend : {"sqlite", "postgres"}) {
        QTest::addRow("%s, SIGTERM while connecting", backend)
            << QString::fromLatin1(backend) << QByteArray("/silent.json.gz")
            << QByteArray("connecting") << int(SIGTERM);
        QTest::addRow("%s, SIGTERM while reading", backend)
            << QString::fromLatin1(backend) << QByteArray("/stalled.json.gz")
            << QByteArray("reading") << int(SIGTERM);
        QTest::addRow("%s, SIGINT while reading", backend)
            << QString::fromLatin1(backend) << QByteArray("/stalled.json.gz")
            << QByteArray("reading") << int(SIGINT);
    }
}

void tst_CliSync::signalEndsEachPhase()
{
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, phase);
    QFETCH(int, signal);
    SCRATCH_DB(db);
    {
        // A timeout far beyond the bound: only the signal can end this sync in time.
        LiveCli sync(
            {"sync", "--source", m_server->absolute(path), "--db", db, "--timeout", "3600"});
        QVERIFY2(sync.waitForStderr("  " + phase), sync.err().constData());
        sync.signal(signal);
        QCOMPARE(sync.finish(), 1);
        QVERIFY2(sync.err().contains("the sync was cancelled"), sync.err().constData());
        QVERIFY2(sync.err().contains(signal == SIGINT ? "(SIGINT)" : "(SIGTERM)"),
                 sync.err().constData());
    }
    const QJsonObject newest = historyRuns(db).at(0).toObject();
    QCOMPARE(newest.value("status").toString(), QStringLiteral("failed"));
    QVERIFY2(newest.value("error").toString().contains("cancelled"),
             qPrintable(newest.value("error").toString()));
    QVERIFY(!newest.value("finished_at").isNull());
}

void tst_CliSync::killedSyncIsNotLeftRunning_data()
{
    addBackendRows();
}

void tst_CliSync::killedSyncIsNotLeftRunning()
{
    SCRATCH_DB(db);
    {
        LiveCli sync({"sync", "--source", m_server->absolute("/stalled.json.gz"), "--db", db,
                      "--timeout", "3600"});
        QVERIFY2(sync.waitForStderr("  reading"), sync.err().constData());
        sync.signal(SIGKILL);
        QCOMPARE(sync.finish(), -2);
    }
    // Nobody will ever finish that run: history says so (and records it), on either backend.
    const QJsonObject killed = settledNewestRun(db);
    QCOMPARE(killed.value("status").toString(), QStringLiteral("failed"));
    QVERIFY2(killed.value("error").toString().contains("interrupted"),
             qPrintable(killed.value("error").toString()));
    QVERIFY(!killed.value("finished_at").isNull());
    // Recorded, not only shown: the row itself says failed now.
    const QJsonObject again = historyRuns(db).at(0).toObject();
    QCOMPARE(again.value("status").toString(), QStringLiteral("failed"));
    QCOMPARE(again.value("error"), killed.value("error"));

    // And nothing of it is in the way of the next sync.
    const Run next = cli({"sync", "--source", m_master, "--db", db, "--json"});
    QCOMPARE(next.exitCode, 0);
    QCOMPARE(next.json().value("status").toString(), QStringLiteral("succeeded"));
    const QJsonArray runs = historyRuns(db);
    QCOMPARE(runs.size(), 2);
    QCOMPARE(runs.at(1).toObject().value("status").toString(), QStringLiteral("failed"));
}

void tst_CliSync::errorIsPrintedOnceAndSaysWhatTheBytesAre_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("says");
    QTest::newRow("maintenance page")
        << QByteArray("<!DOCTYPE html>\n<html><head><title>Down for maintenance</title></head>"
                      "<body><h1>We'll be back soon</h1></body></html>\n")
        << "an HTML page titled \"Down for maintenance\"";
    QTest::newRow("null") << QByteArray("null\n") << "the JSON value null";
    QTest::newRow("error object") << QByteArray(R"({"status":"error","code":"UDAPI100050"})")
                                  << "a JSON object";
    QByteArray random(64 * 1024, '\0');
    for (char &c : random)
        c = static_cast<char>(QRandomGenerator::global()->bounded(256));
    QTest::newRow("random gzip") << gzip(random) << "binary";
    QTest::newRow("truncated gzip") << m_gzBytes.left(m_gzBytes.size() / 2) << "truncated";
}

void tst_CliSync::errorIsPrintedOnceAndSaysWhatTheBytesAre()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, says);
    QVERIFY(!bytes.isEmpty());
    const QString source =
        m_dir.filePath(QStringLiteral("%1.json.gz")
                           .arg(QString::fromLatin1(QTest::currentDataTag()).replace(' ', '-')));
    QVERIFY(writeFile(source, bytes));
    const Run sync = cli(
        {"sync", "--quiet", "--source", source, "--db", "sqlite://" + m_dir.filePath("bytes.db")});
    QCOMPARE(sync.exitCode, 1);
    QVERIFY2(sync.err.contains(says.toUtf8()), sync.err.constData());
    QVERIFY2(!sync.err.contains("CSV header"), sync.err.constData());
    // One line says it (before, the log's error line said it too).
    QCOMPARE(sync.err.count(says.toUtf8()), 1);
    QCOMPARE(sync.err.trimmed().count('\n'), 0);
}

void tst_CliSync::jsonRunHasTheTimesHistoryHas()
{
    const QString db = "sqlite://" + m_dir.filePath("times.db");
    const Run sync = cli({"sync", "--source", m_master, "--db", db, "--json"});
    QCOMPARE(sync.exitCode, 0);
    const QJsonObject run = sync.json();
    QVERIFY2(!run.value("started_at").toString().isEmpty(), sync.out.constData());
    QVERIFY2(!run.value("finished_at").isNull(), sync.out.constData());
    const QJsonObject recorded = historyRuns(db).at(0).toObject();
    QCOMPARE(run.value("id"), recorded.value("id"));
    QCOMPARE(run.value("started_at"), recorded.value("started_at"));
    QCOMPARE(run.value("finished_at"), recorded.value("finished_at"));
    QCOMPARE(run.value("rows_read"), recorded.value("rows_read"));

    // The same for an unchanged run.
    const Run same = cli({"sync", "--source", m_master, "--db", db, "--json"});
    QCOMPARE(same.exitCode, 0);
    QCOMPARE(same.json().value("status").toString(), QStringLiteral("unchanged"));
    const QJsonObject sameRecorded = historyRuns(db).at(0).toObject();
    QCOMPARE(same.json().value("started_at"), sameRecorded.value("started_at"));
    QCOMPARE(same.json().value("finished_at"), sameRecorded.value("finished_at"));
}

void tst_CliSync::historyShowsWhatAFailedParseRead()
{
    const QString db = "sqlite://" + m_dir.filePath("parse.db");
    const Run sync = cli({"sync", "--source", m_corrupt, "--db", db});
    QCOMPARE(sync.exitCode, 1);
    QVERIFY2(sync.err.contains("malformed JSON"), sync.err.constData());
    const QJsonObject failed = historyRuns(db).at(0).toObject();
    QCOMPARE(failed.value("status").toString(), QStringLiteral("failed"));
    // About half the rows came before the damage.
    QVERIFY2(failed.value("rows_read").toInteger() > 1000,
             qPrintable(QString::number(failed.value("rows_read").toInteger())));
    QVERIFY(failed.value("bytes").toInteger() > 0);
    const Run table = cli({"history", "--db", db});
    QCOMPARE(table.exitCode, 0);
    const QString rows = QLocale::c().toString(failed.value("rows_read").toInteger());
    QVERIFY2(table.out.contains(rows.toUtf8()), table.out.constData());
}

void tst_CliSync::oneRowMasterIsNotZeroPercent()
{
    const QString db = "sqlite://" + m_dir.filePath("one-row.db");
    QCOMPARE(cli({"sync", "--source", m_master, "--db", db}).exitCode, 0);
    const QString one = m_dir.filePath("one-row.json");
    QVERIFY(writeFile(
        one,
        R"([{"weekly":false,"segment":"NSE_FO","name":"NIFTY","exchange":"NSE","expiry":1767117599000,"instrument_type":"FUT","asset_symbol":"NIFTY","underlying_symbol":"NIFTY","instrument_key":"NSE_FO|52168","lot_size":75,"freeze_quantity":1800.0,"exchange_token":"52168","minimum_lot":75,"asset_key":"NSE_INDEX|Nifty 50","underlying_key":"NSE_INDEX|Nifty 50","tick_size":10.0,"asset_type":"INDEX","underlying_type":"INDEX","trading_symbol":"NIFTY FUT 30 DEC 25","strike_price":0.0,"qty_multiplier":1.0}])"));
    const Run sync = cli({"sync", "--quiet", "--source", one, "--db", db});
    QCOMPARE(sync.exitCode, 1);
    QVERIFY2(sync.err.contains("has 1 instrument,"), sync.err.constData());
    QVERIFY2(sync.err.contains("under 1%"), sync.err.constData());
    QVERIFY2(!sync.err.contains(" 0%"), sync.err.constData());
}

void tst_CliSync::failedPostgresConnectionKeepsHostAndDatabase()
{
    // Port 1: nothing listens, the connection is refused at once.
    const Run r = cli({"history", "--db", "postgresql://trader:hunter2@127.0.0.1:1/strikedb"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("postgresql://trader:***@127.0.0.1:1/strikedb"), r.err.constData());
    QVERIFY2(!r.err.contains("hunter2"), r.err.constData());

    // A password that is also the user's and the database's name hides neither (before, the
    // message read "postgresql://***:***@127.0.0.1:1/***").
    const Run same =
        cli({"history", "--db", "postgresql://strikedb:strikedb@127.0.0.1:1/strikedb"});
    QCOMPARE(same.exitCode, 1);
    QVERIFY2(same.err.contains("postgresql://strikedb:***@127.0.0.1:1/strikedb"),
             same.err.constData());
}

QTEST_GUILESS_MAIN(tst_CliSync)
#include "tst_cli_sync.moc"
