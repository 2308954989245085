// strikeline-cli quotes against the real simulator process (docs/cli.md, docs/upstox-sim.md):
// ticks as JSON lines (exactly --count of them), the --stats summary, --record then
// `upstox-sim --replay` of that recording and of the one shipped in tests/data/feed, a refused
// token ending in "log in again", and the usage errors. The real feed client, decoder and quote
// book run inside the CLI.

#include "SimProcess.h"
#include "TestData.h"
#include "marketdata/FeedRecording.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <set>

namespace {

constexpr auto At = "2026-08-21 10:00";
const QString Nifty = QStringLiteral("NSE_INDEX|Nifty 50");
const QString Call = QStringLiteral("NSE_FO|59312");
const QString Put = QStringLiteral("NSE_FO|59313");

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

} // namespace

class tst_QuotesCli final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void jsonTicksStopAtCount();
    void statsIsOneLineSummary();
    void recordThenReplay();
    void shippedRecordingReplays();
    void refusedTokenSaysLogInAgain();
    void usageErrors();

private:
    bool startSim(strikeline::testing::SimProcess &sim, const QStringList &extra = {});
    Run run(const QStringList &args, const QString &url,
            const QString &analyticsToken = QStringLiteral("sim-analytics-token"));

    std::unique_ptr<QTemporaryDir> m_home;
    QString m_master;
};

void tst_QuotesCli::init()
{
    STRIKELINE_REQUIRE_REAL_FILE(master, "fixture-NSE_FO-subset-2026-08-21.json");
    m_master = master;
    m_home = std::make_unique<QTemporaryDir>();
    QVERIFY(m_home->isValid());
}

bool tst_QuotesCli::startSim(strikeline::testing::SimProcess &sim, const QStringList &extra)
{
    if (sim.start(m_master, extra))
        return true;
    qWarning("%s", qPrintable(sim.errorString()));
    return false;
}

Run tst_QuotesCli::run(const QStringList &args, const QString &url, const QString &analyticsToken)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_DATA_HOME"), m_home->filePath(QStringLiteral("data")));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_home->filePath(QStringLiteral("config")));
    env.insert(QStringLiteral("STRIKELINE_UPSTOX_URL"), url);
    env.insert(QStringLiteral("STRIKELINE_KEYCHAIN"), QStringLiteral("off"));
    env.remove(QStringLiteral("UPSTOX_ACCESS_TOKEN"));
    if (analyticsToken.isEmpty())
        env.remove(QStringLiteral("UPSTOX_ANALYTICS_TOKEN"));
    else
        env.insert(QStringLiteral("UPSTOX_ANALYTICS_TOKEN"), analyticsToken);
    p.setProcessEnvironment(env);
    QSignalSpy finished(&p, &QProcess::finished);
    p.start(QStringLiteral(STRIKELINE_CLI_PATH),
            QStringList{QStringLiteral("quotes")} + args +
                QStringList{QStringLiteral("--at"), QString::fromLatin1(At)});
    if (!finished.wait(90000))
        p.kill();
    return Run{p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
}

void tst_QuotesCli::jsonTicksStopAtCount()
{
    strikeline::testing::SimProcess sim;
    QVERIFY(startSim(sim));
    const Run r = run({Call, Put, Nifty, QStringLiteral("--mode"), QStringLiteral("option_greeks"),
                       QStringLiteral("--count"), QStringLiteral("12"), QStringLiteral("--json")},
                      sim.baseUrl());
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QList<QByteArray> lines = r.out.trimmed().split('\n');
    QCOMPARE(lines.size(), 12);
    std::set<QString> keys;
    for (const QByteArray &line : lines) {
        QJsonParseError error{};
        const QJsonObject tick = QJsonDocument::fromJson(line, &error).object();
        QVERIFY2(error.error == QJsonParseError::NoError, line.constData());
        const QString key = tick.value(QLatin1String("key")).toString();
        QVERIFY2(key == Call || key == Put || key == Nifty, line.constData());
        keys.insert(key);
        QVERIFY2(tick.value(QLatin1String("ltp")).toDouble() > 0, line.constData());
        QVERIFY(tick.value(QLatin1String("received_ms")).toInteger() > 0);
        if (key != Nifty) {
            // An option in option_greeks mode: OI and the broker's greeks came with the snapshot.
            QVERIFY2(tick.contains(QLatin1String("oi")), line.constData());
            QVERIFY2(tick.contains(QLatin1String("broker_greeks")), line.constData());
        }
    }
    QCOMPARE(keys.size(), std::size_t(3)); // the first frame is the snapshot of all three
}

void tst_QuotesCli::statsIsOneLineSummary()
{
    strikeline::testing::SimProcess sim;
    QVERIFY(startSim(sim));
    const Run r = run({Call, Nifty, QStringLiteral("--mode"), QStringLiteral("full"),
                       QStringLiteral("--seconds"), QStringLiteral("2"), QStringLiteral("--stats")},
                      sim.baseUrl());
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QList<QByteArray> lines = r.out.trimmed().split('\n');
    QCOMPARE(lines.size(), 1);
    const QJsonObject stats = QJsonDocument::fromJson(lines.first()).object();
    for (const char *key : {"frames", "ticks", "keys", "seconds"})
        QVERIFY2(stats.contains(QLatin1String(key)), lines.first().constData());
    QVERIFY(stats.value(QLatin1String("frames")).toInteger() >= 1);
    QVERIFY(stats.value(QLatin1String("ticks")).toInteger() >=
            stats.value(QLatin1String("frames")).toInteger() - 1); // market_info carries none
    QCOMPARE(stats.value(QLatin1String("keys")).toInteger(), 2);
    QVERIFY(stats.value(QLatin1String("seconds")).toDouble() >= 2.0);
    QCOMPARE(stats.value(QLatin1String("malformed")).toInteger(), 0);
}

void tst_QuotesCli::recordThenReplay()
{
    strikeline::testing::SimProcess sim;
    QVERIFY(startSim(sim));
    const QString dir = m_home->filePath(QStringLiteral("recording"));
    const Run recorded = run({Call, Put, QStringLiteral("--mode"), QStringLiteral("option_greeks"),
                              QStringLiteral("--seconds"), QStringLiteral("2"),
                              QStringLiteral("--stats"), QStringLiteral("--record"), dir},
                             sim.baseUrl());
    QVERIFY2(recorded.exitCode == 0, recorded.err.constData());
    const QJsonObject stats = QJsonDocument::fromJson(recorded.out.trimmed()).object();
    const qint64 frames = stats.value(QLatin1String("frames")).toInteger();
    QVERIFY(frames >= 2);
    QCOMPARE(stats.value(QLatin1String("recorded_frames")).toInteger(), frames);
    const QStringList files =
        QDir(dir).entryList({QStringLiteral("*.slfeed.gz")}, QDir::Files, QDir::Name);
    QCOMPARE(files.size(), 1);
    const QString file = QDir(dir).filePath(files.first());

    // The recording holds every frame as received, in order.
    auto reader = strikeline::marketdata::FeedRecordingReader::open(file);
    QVERIFY(reader.ok());
    qint64 read = 0;
    for (;;) {
        auto frame = (*reader)->next();
        QVERIFY(frame.ok());
        if (!frame->has_value())
            break;
        ++read;
    }
    QCOMPARE(read, frames);

    // Served again by the simulator, the same protocol reaches the same client.
    strikeline::testing::SimProcess replay;
    QVERIFY(startSim(replay, {QStringLiteral("--replay"), file}));
    const Run replayed =
        run({Call, Put, QStringLiteral("--mode"), QStringLiteral("option_greeks"),
             QStringLiteral("--count"), QStringLiteral("2"), QStringLiteral("--json")},
            replay.baseUrl());
    QVERIFY2(replayed.exitCode == 0, replayed.err.constData());
    const QList<QByteArray> lines = replayed.out.trimmed().split('\n');
    QCOMPARE(lines.size(), 2);
    for (const QByteArray &line : lines) {
        const QJsonObject tick = QJsonDocument::fromJson(line).object();
        const QString key = tick.value(QLatin1String("key")).toString();
        QVERIFY2(key == Call || key == Put, line.constData());
        QVERIFY(tick.value(QLatin1String("ltp")).toDouble() > 0);
    }
}

// The recording that ships as test data (tests/data/feed/README.md), served by the simulator to
// the real client: every tick it prints is one of the recorded keys with a live price.
void tst_QuotesCli::shippedRecordingReplays()
{
    const QString file =
        strikeline::testdata::shippedFile(QStringLiteral("feed/sim-nifty-2026-08-21.slfeed.gz"));
    const QStringList keys = {Nifty,
                              QStringLiteral("NSE_FO|58072"),
                              QStringLiteral("NSE_FO|61646"),
                              QStringLiteral("NSE_FO|61647"),
                              QStringLiteral("NSE_FO|61670"),
                              QStringLiteral("NSE_FO|61671")};
    strikeline::testing::SimProcess replay;
    QVERIFY(startSim(replay, {QStringLiteral("--replay"), file, QStringLiteral("--speed"),
                              QStringLiteral("4")}));
    const int count = 20;
    const Run r = run(keys + QStringList{QStringLiteral("--mode"), QStringLiteral("full"),
                                         QStringLiteral("--count"), QString::number(count),
                                         QStringLiteral("--json")},
                      replay.baseUrl());
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QList<QByteArray> lines = r.out.trimmed().split('\n');
    QCOMPARE(lines.size(), count);
    std::set<QString> seen;
    qint64 previousMs = 0;
    for (const QByteArray &line : lines) {
        QJsonParseError error{};
        const QJsonObject tick = QJsonDocument::fromJson(line, &error).object();
        QVERIFY2(error.error == QJsonParseError::NoError, line.constData());
        const QString key = tick.value(QLatin1String("key")).toString();
        QVERIFY2(keys.contains(key), line.constData());
        seen.insert(key);
        QVERIFY2(tick.value(QLatin1String("ltp")).toDouble() > 0, line.constData());
        const qint64 receivedMs = tick.value(QLatin1String("received_ms")).toInteger();
        QVERIFY2(receivedMs >= previousMs, line.constData());
        previousMs = receivedMs;
        if (key.startsWith(QLatin1String("NSE_FO|")))
            QVERIFY2(tick.contains(QLatin1String("oi")), line.constData()); // recorded in full
    }
    QCOMPARE(seen.size(), std::size_t(keys.size())); // the snapshot carries every key
}

void tst_QuotesCli::refusedTokenSaysLogInAgain()
{
    strikeline::testing::SimProcess sim;
    QVERIFY(startSim(sim));
    const Run r = run({Call, QStringLiteral("--seconds"), QStringLiteral("60")}, sim.baseUrl(),
                      QStringLiteral("not-the-analytics-token"));
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("log in again"), r.err.constData());
    QVERIFY(!r.err.contains("not-the-analytics-token")); // a token never reaches output
    QVERIFY(!r.out.contains("not-the-analytics-token"));
}

void tst_QuotesCli::usageErrors()
{
    const QString closed = QStringLiteral("http://127.0.0.1:9");
    const auto exitOf = [&](const QStringList &args) { return run(args, closed).exitCode; };
    QCOMPARE(exitOf({}), 2);
    QCOMPARE(exitOf({QStringLiteral("NIFTY")}), 2);
    QCOMPARE(exitOf({Call, QStringLiteral("--mode"), QStringLiteral("depth")}), 2);
    QCOMPARE(exitOf({Call, QStringLiteral("--count"), QStringLiteral("0")}), 2);
    QCOMPARE(exitOf({Call, QStringLiteral("--count"), QStringLiteral("3"),
                     QStringLiteral("--seconds"), QStringLiteral("3")}),
             2);
    const Run noToken = run({Call, QStringLiteral("--count"), QStringLiteral("1")}, closed, {});
    QCOMPARE(noToken.exitCode, 1);
    QVERIFY2(noToken.err.contains("not logged in"), noToken.err.constData());
}

QTEST_GUILESS_MAIN(tst_QuotesCli)
#include "tst_quotescli.moc"
