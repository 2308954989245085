// strikeline-cli chain UNDERLYING --live against the real simulator process (docs/cli.md): the
// window ATM +- N centred on the future's live price, every visible leg quoted, IV and Greeks
// solved locally, change in OI against the previous close Upstox's option chain gave (and that
// the command kept on disk for the day), the chain's totals over the full chain; a refused
// token ending in "log in again"; the usage errors.

#include "SimProcess.h"
#include "TestData.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <memory>

namespace {

constexpr auto At = "2026-08-21 10:00";

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

} // namespace

class tst_ChainLive final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanupTestCase();
    void jsonChainIsLiveAndConsistent();
    void tableShowsTheWindowAndAnalytics();
    void refusedTokenSaysLogInAgain();
    void usageErrors();

private:
    Run run(const QStringList &args,
            const QString &analyticsToken = QStringLiteral("sim-analytics-token"));

    strikeline::testing::SimProcess m_sim;
    QString m_master;
    std::unique_ptr<QTemporaryDir> m_home;
};

void tst_ChainLive::initTestCase()
{
    STRIKELINE_REQUIRE_REAL_FILE(master, "fixture-NSE_FO-subset-2026-08-21.json");
    m_master = master;
    QVERIFY2(m_sim.start(m_master), qPrintable(m_sim.errorString()));
}

void tst_ChainLive::init()
{
    m_home = std::make_unique<QTemporaryDir>();
    QVERIFY(m_home->isValid());
}

void tst_ChainLive::cleanupTestCase()
{
    m_sim.stop();
}

Run tst_ChainLive::run(const QStringList &args, const QString &analyticsToken)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_DATA_HOME"), m_home->filePath(QStringLiteral("data")));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_home->filePath(QStringLiteral("config")));
    env.insert(QStringLiteral("STRIKELINE_UPSTOX_URL"), m_sim.baseUrl());
    env.insert(QStringLiteral("STRIKELINE_KEYCHAIN"), QStringLiteral("off"));
    env.remove(QStringLiteral("UPSTOX_ACCESS_TOKEN"));
    env.insert(QStringLiteral("UPSTOX_ANALYTICS_TOKEN"), analyticsToken);
    p.setProcessEnvironment(env);
    QSignalSpy finished(&p, &QProcess::finished);
    p.start(QStringLiteral(STRIKELINE_CLI_PATH),
            QStringList{QStringLiteral("chain"), QStringLiteral("NIFTY"),
                        QStringLiteral("--master"), m_master, QStringLiteral("--at"),
                        QString::fromLatin1(At)} +
                args);
    if (!finished.wait(90000))
        p.kill();
    return Run{p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
}

void tst_ChainLive::jsonChainIsLiveAndConsistent()
{
    const Run r = run({QStringLiteral("--live"), QStringLiteral("--strikes"), QStringLiteral("2"),
                       QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QJsonParseError error{};
    const QJsonObject chain = QJsonDocument::fromJson(r.out, &error).object();
    QVERIFY2(error.error == QJsonParseError::NoError, r.out.constData());

    for (const char *key : {"forward", "atm_strike", "pcr", "max_pain", "call_oi", "put_oi"})
        QVERIFY2(chain.value(QLatin1String(key)).isDouble(), key);
    QCOMPARE(chain.value(QLatin1String("source")).toString(), QStringLiteral("live"));
    QVERIFY(chain.value(QLatin1String("full_chain")).toBool());
    // The fixture lists the expiry's future: the forward is its price.
    QCOMPARE(chain.value(QLatin1String("forward_source")).toString(), QStringLiteral("future"));
    QVERIFY(chain.value(QLatin1String("future_ltp")).toDouble() > 0);
    QVERIFY(chain.value(QLatin1String("underlying_ltp")).toDouble() > 0);
    const double callOi = chain.value(QLatin1String("call_oi")).toDouble();
    const double putOi = chain.value(QLatin1String("put_oi")).toDouble();
    QVERIFY(callOi > 0 && putOi > 0);
    QVERIFY(std::abs(chain.value(QLatin1String("pcr")).toDouble() - putOi / callOi) < 1e-9);

    const QJsonArray strikes = chain.value(QLatin1String("strikes")).toArray();
    QCOMPARE(strikes.size(), 5); // ATM +- 2
    const double atm = chain.value(QLatin1String("atm_strike")).toDouble();
    QCOMPARE(strikes.at(2).toObject().value(QLatin1String("strike")).toDouble(), atm);
    // The window was centred on the forward: ATM is the strike nearest it.
    const double forward = chain.value(QLatin1String("forward")).toDouble();
    const double step = strikes.at(1).toObject().value(QLatin1String("strike")).toDouble() -
                        strikes.at(0).toObject().value(QLatin1String("strike")).toDouble();
    QVERIFY2(std::abs(forward - atm) <= step / 2 + 1e-9, qPrintable(QString::number(forward)));
    QCOMPARE(chain.value(QLatin1String("quoted_legs")).toInt(),
             chain.value(QLatin1String("listed_legs")).toInt());

    // The previous OI the command kept for the day is the base of every change in OI.
    QVERIFY(chain.value(QLatin1String("previous_oi")).toBool());
    const QDir kept(m_home->filePath(QStringLiteral("data/Strikeline/strikeline/previous-oi")));
    const QStringList files = kept.entryList({QStringLiteral("*.json")}, QDir::Files);
    QCOMPARE(files.size(), 1);
    QVERIFY2(files.first().startsWith(QLatin1String("2026-08-21_NSE_INDEX_Nifty_50_")),
             qPrintable(files.first()));
    QFile file(kept.filePath(files.first()));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject previous =
        QJsonDocument::fromJson(file.readAll()).object().value(QLatin1String("prev_oi")).toObject();

    int legs = 0;
    for (const QJsonValue &value : strikes) {
        const QJsonObject row = value.toObject();
        for (const char *side : {"call", "put"}) {
            const QJsonObject leg = row.value(QLatin1String(side)).toObject();
            QVERIFY2(!leg.isEmpty(), side);
            ++legs;
            const QByteArray text = QJsonDocument(leg).toJson(QJsonDocument::Compact);
            for (const char *key : {"ltp", "change", "bid", "ask", "volume", "oi", "oi_change",
                                    "iv", "delta", "gamma", "theta", "vega"})
                QVERIFY2(leg.value(QLatin1String(key)).isDouble(),
                         QByteArray(QByteArray(key) + " " + text).constData());
            QVERIFY(leg.value(QLatin1String("ltp")).toDouble() > 0);
            QVERIFY(leg.value(QLatin1String("bid")).toDouble() <=
                    leg.value(QLatin1String("ask")).toDouble());
            const double iv = leg.value(QLatin1String("iv")).toDouble();
            QVERIFY2(iv > 1 && iv < 200, text.constData()); // percent
            const double delta = leg.value(QLatin1String("delta")).toDouble();
            if (QLatin1String(side) == QLatin1String("call"))
                QVERIFY2(delta > 0 && delta < 1, text.constData());
            else
                QVERIFY2(delta < 0 && delta > -1, text.constData());
            QVERIFY(leg.value(QLatin1String("gamma")).toDouble() > 0);
            QVERIFY(leg.value(QLatin1String("vega")).toDouble() > 0);
            QVERIFY(leg.value(QLatin1String("theta")).toDouble() < 0);
            const QString key = leg.value(QLatin1String("key")).toString();
            QVERIFY2(previous.contains(key), qPrintable(key));
            QCOMPARE(leg.value(QLatin1String("oi_change")).toInteger(),
                     leg.value(QLatin1String("oi")).toInteger() - previous.value(key).toInteger());
        }
    }
    QCOMPARE(legs, 10);
}

void tst_ChainLive::tableShowsTheWindowAndAnalytics()
{
    const Run r = run({QStringLiteral("--live"), QStringLiteral("--strikes"), QStringLiteral("3")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QList<QByteArray> lines = r.out.trimmed().split('\n');
    QVERIFY2(lines.value(0).startsWith("NIFTY (NSE_FO)  expiry "), r.out.constData());
    QVERIFY2(lines.value(0).contains("LIVE via the Analytics Token"), r.out.constData());
    QVERIFY2(lines.value(1).contains("forward") && lines.value(1).contains("(future)"),
             r.out.constData());
    QVERIFY2(lines.value(2).contains("max pain") && lines.value(2).contains("the full chain"),
             r.out.constData());
    QVERIFY2(lines.value(4).contains("STRIKE") && lines.value(4).contains("IV"), r.out.constData());
    QCOMPARE(lines.size(), 5 + 7); // 3 header lines, a blank, the column line, ATM +- 3
    int atmRows = 0;
    for (qsizetype i = 5; i < lines.size(); ++i) {
        QCOMPARE(lines[i].count('|'), 2);
        atmRows += lines[i].contains("* |") ? 1 : 0;
    }
    QCOMPARE(atmRows, 1);
    QVERIFY2(lines[8].contains("* |"), r.out.constData()); // the middle row
}

void tst_ChainLive::refusedTokenSaysLogInAgain()
{
    const Run r = run({QStringLiteral("--live"), QStringLiteral("--strikes"), QStringLiteral("1")},
                      QStringLiteral("not-a-token"));
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("log in again"), r.err.constData());
    QVERIFY2(!r.err.contains("not-a-token"), r.err.constData()); // a token is never printed
    QVERIFY(r.out.isEmpty());
}

void tst_ChainLive::usageErrors()
{
    Run r = run({QStringLiteral("--live"), QStringLiteral("--spot"), QStringLiteral("24000")});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("leave out --spot"), r.err.constData());
    r = run({QStringLiteral("--live"), QStringLiteral("--strikes"), QStringLiteral("0")});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("--strikes must be a positive number"), r.err.constData());
}

QTEST_GUILESS_MAIN(tst_ChainLive)
#include "tst_chainlive.moc"
