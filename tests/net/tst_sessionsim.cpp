// strikeline-cli login / whoami / logout against the real simulator (`strikeline-cli
// upstox-sim` as a process, docs/upstox-sim.md): the login dialog's redirect followed as a
// browser would, the token exchanged with the simulator's own checks, whoami's profile and funds,
// the token expiring on the simulator (a 401 is the authority) and a second login, a wrong
// secret refused with Upstox's message, logout revoking the token at the simulator.

#include "SimProcess.h"
#include "TestData.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

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

class tst_SessionSim final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void loginExpireLoginAgainLogout();
    void wrongSecretIsUpstoxsMessage();
    void analyticsTokenForMarketDataOnly();

private:
    // Runs a command with `input` on stdin and extra environment.
    Run runWith(const QStringList &args, const QByteArray &input,
                const QList<QPair<QString, QString>> &extraEnv = {});
    int httpGet(const QString &path, const QByteArray &token);
    QProcessEnvironment environment() const;
    Run run(const QStringList &args);
    // Runs `login` with `secret`, plays the browser (the dialog's 302 to the callback) and
    // returns the finished login's output.
    Run login(const QString &secret);
    bool postFault(const QByteArray &name);

    std::unique_ptr<QTemporaryDir> m_home;
    strikeline::testing::SimProcess m_sim;
    QUrl m_simUrl;
    QString m_redirectUri; // registered with the simulator, as with Upstox: exactly this string
};

void tst_SessionSim::init()
{
    STRIKELINE_REQUIRE_REAL_FILE(master, "fixture-NSE_FO-subset-2026-08-21.json");
    m_home = std::make_unique<QTemporaryDir>();
    QVERIFY(m_home->isValid());
    {
        // A free port for login's callback listener: the simulator, like Upstox, only accepts
        // the redirect URI registered with it, so the port must be known before either starts.
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        m_redirectUri =
            QStringLiteral("http://127.0.0.1:%1/upstox/callback").arg(probe.serverPort());
    }
    QVERIFY2(m_sim.start(master, {QStringLiteral("--redirect-uri"), m_redirectUri}),
             qPrintable(m_sim.errorString()));
    m_simUrl = m_sim.url();
}

void tst_SessionSim::cleanup()
{
    m_sim.stop();
}

QProcessEnvironment tst_SessionSim::environment() const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_DATA_HOME"), m_home->filePath(QStringLiteral("data")));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_home->filePath(QStringLiteral("config")));
    env.insert(QStringLiteral("STRIKELINE_UPSTOX_URL"), m_simUrl.toString());
    env.insert(QStringLiteral("STRIKELINE_KEYCHAIN"), QStringLiteral("off"));
    env.remove(QStringLiteral("UPSTOX_ACCESS_TOKEN"));
    return env;
}

Run tst_SessionSim::run(const QStringList &args)
{
    QProcess p;
    p.setProcessEnvironment(environment());
    QSignalSpy finished(&p, &QProcess::finished);
    p.start(QStringLiteral(STRIKELINE_CLI_PATH), args);
    if (!finished.wait(60000))
        p.kill();
    return Run{p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
}

Run tst_SessionSim::runWith(const QStringList &args, const QByteArray &input,
                            const QList<QPair<QString, QString>> &extraEnv)
{
    QProcess p;
    QProcessEnvironment env = environment();
    for (const auto &[name, value] : extraEnv)
        env.insert(name, value);
    p.setProcessEnvironment(env);
    QSignalSpy finished(&p, &QProcess::finished);
    p.start(QStringLiteral(STRIKELINE_CLI_PATH), args);
    p.write(input);
    p.closeWriteChannel();
    if (!finished.wait(60000))
        p.kill();
    return Run{p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
}

int tst_SessionSim::httpGet(const QString &path, const QByteArray &token)
{
    QNetworkAccessManager nam;
    QNetworkRequest request(m_simUrl.resolved(QUrl(path)));
    request.setRawHeader("Authorization", "Bearer " + token);
    QNetworkReply *reply = nam.get(request);
    QSignalSpy done(reply, &QNetworkReply::finished);
    done.wait(10000);
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    delete reply;
    return status;
}

Run tst_SessionSim::login(const QString &secret)
{
    QProcess p;
    p.setProcessEnvironment(environment());
    p.start(QStringLiteral(STRIKELINE_CLI_PATH),
            {QStringLiteral("login"), QStringLiteral("--client-id"),
             QStringLiteral("strikeline-sim"), QStringLiteral("--client-secret"), secret,
             QStringLiteral("--redirect-uri"), m_redirectUri, QStringLiteral("--save-file"),
             QStringLiteral("--at"), QString::fromLatin1(At), QStringLiteral("--timeout"),
             QStringLiteral("60")});
    static const QRegularExpression dialogLine(QStringLiteral(R"(\s+(http\S+/dialog\?\S+))"));
    QByteArray out;
    QUrl dialog;
    for (int i = 0; i < 300 && dialog.isEmpty() && p.state() != QProcess::NotRunning; ++i) {
        p.waitForReadyRead(200);
        out += p.readAllStandardOutput();
        if (const auto m = dialogLine.match(QString::fromUtf8(out)); m.hasMatch())
            dialog = QUrl(m.captured(1));
    }
    if (!dialog.isEmpty()) {
        // The browser: the dialog answers 302 to redirect_uri?code=..&state=.., followed.
        QNetworkAccessManager nam;
        QNetworkRequest request(dialog);
        request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                             QNetworkRequest::NoLessSafeRedirectPolicy);
        QNetworkReply *reply = nam.get(request);
        QSignalSpy done(reply, &QNetworkReply::finished);
        done.wait(20000);
        delete reply;
    }
    QSignalSpy finished(&p, &QProcess::finished);
    if (p.state() != QProcess::NotRunning && !finished.wait(60000))
        p.kill();
    return Run{p.exitCode(), out + p.readAllStandardOutput(), p.readAllStandardError()};
}

bool tst_SessionSim::postFault(const QByteArray &name)
{
    QNetworkAccessManager nam;
    QNetworkRequest request(m_simUrl.resolved(QUrl(QStringLiteral("/sim/fault"))));
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    QNetworkReply *reply = nam.post(request, QByteArray(R"({"name":")" + name + R"("})"));
    QSignalSpy done(reply, &QNetworkReply::finished);
    done.wait(10000);
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    delete reply;
    return status == 200;
}

void tst_SessionSim::loginExpireLoginAgainLogout()
{
    Run r = login(QStringLiteral("sim-secret"));
    QVERIFY2(r.exitCode == 0, QByteArray(r.out + r.err).constData());
    QVERIFY2(r.out.contains("Logged in as SL1234"), r.out.constData());
    QVERIFY2(r.out.contains("expires 2026-08-22 03:30 IST"), r.out.constData());
    QVERIFY(!r.out.contains("sim-secret") && !r.err.contains("sim-secret"));

    Run whoami = run({QStringLiteral("whoami"), QStringLiteral("--json"), QStringLiteral("--at"),
                      QString::fromLatin1(At)});
    QVERIFY2(whoami.exitCode == 0, whoami.err.constData());
    const QJsonObject o = QJsonDocument::fromJson(whoami.out).object();
    QCOMPARE(o.value(QLatin1String("user_id")).toString(), QStringLiteral("SL1234"));
    QCOMPARE(o.value(QLatin1String("token_expires_at")).toString(),
             QStringLiteral("2026-08-22 03:30 IST"));
    QCOMPARE(o.value(QLatin1String("funds")).toObject().value(QLatin1String("available_margin")),
             QJsonValue(QStringLiteral("10000000.00")));

    // The simulator ends the session (as 03:30 would): the next call's 401 is the authority.
    QVERIFY(postFault("expire-token"));
    whoami = run({QStringLiteral("whoami")});
    QCOMPARE(whoami.exitCode, 1);
    QVERIFY2(whoami.err.contains("log in again"), whoami.err.constData());
    QVERIFY2(whoami.err.contains("UDAPI100050"), whoami.err.constData());
    QVERIFY(postFault("clear"));

    // ...and comes back with a second login, no restart of anything.
    r = login(QStringLiteral("sim-secret"));
    QVERIFY2(r.exitCode == 0, QByteArray(r.out + r.err).constData());
    whoami = run({QStringLiteral("whoami")});
    QVERIFY2(whoami.exitCode == 0, whoami.err.constData());
    QVERIFY2(whoami.out.contains("available 1,00,00,000.00"), whoami.out.constData());

    const Run logout = run({QStringLiteral("logout")});
    QVERIFY2(logout.exitCode == 0, logout.err.constData());
    QVERIFY2(logout.out.contains("revoked at Upstox"), logout.out.constData());
    whoami = run({QStringLiteral("whoami")});
    QCOMPARE(whoami.exitCode, 1);
    QVERIFY2(whoami.err.contains("not logged in"), whoami.err.constData());
}

void tst_SessionSim::wrongSecretIsUpstoxsMessage()
{
    const Run r = login(QStringLiteral("not-the-secret"));
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("UDAPI100016"), r.err.constData());
    QVERIFY(!r.out.contains("not-the-secret") && !r.err.contains("not-the-secret"));
    const Run whoami = run({QStringLiteral("whoami")});
    QCOMPARE(whoami.exitCode, 1);
    QVERIFY2(whoami.err.contains("not logged in"), whoami.err.constData());
}

void tst_SessionSim::analyticsTokenForMarketDataOnly()
{
    // The simulator opens market data to its Analytics Token and nothing else.
    const QByteArray analytics = "sim-analytics-token";
    QCOMPARE(httpGet(QStringLiteral("/v3/market-quote/ltp?instrument_key=NSE_INDEX%7CNifty%2050"),
                     analytics),
             200);
    QCOMPARE(httpGet(QStringLiteral("/v2/user/profile"), analytics), 401);
    QCOMPARE(httpGet(QStringLiteral("/v2/order/retrieve-all"), analytics), 401);
    QCOMPARE(httpGet(QStringLiteral("/v2/feed/portfolio-stream-feed/authorize"), analytics), 401);
    QCOMPARE(httpGet(QStringLiteral("/v3/feed/market-data-feed/authorize"), analytics), 200);

    const QStringList analyticsLogin{QStringLiteral("login"), QStringLiteral("--analytics-token"),
                                     QStringLiteral("--save-file")};

    // A token Upstox refuses: Upstox's message, exit 1, nothing kept.
    Run wrong = runWith(analyticsLogin, "not-the-token\n");
    QCOMPARE(wrong.exitCode, 1);
    QVERIFY2(wrong.err.contains("refused the Analytics Token"), wrong.err.constData());
    QVERIFY(!wrong.out.contains("not-the-token") && !wrong.err.contains("not-the-token"));
    Run who = run({QStringLiteral("whoami")});
    QCOMPARE(who.exitCode, 1);
    QVERIFY2(!who.err.contains("Analytics Token is kept"), who.err.constData());

    // Without a keychain or --save-file it would die with the command: refused, says how.
    Run memory =
        runWith({QStringLiteral("login"), QStringLiteral("--analytics-token")}, analytics + '\n');
    QCOMPARE(memory.exitCode, 1);
    QVERIFY2(memory.err.contains("--save-file"), memory.err.constData());

    // From the environment (scripts): checked at Upstox, kept in the 0600 file, never printed.
    Run good = runWith(analyticsLogin + QStringList{QStringLiteral("--json")}, {},
                       {{QStringLiteral("UPSTOX_ANALYTICS_TOKEN"), QString::fromUtf8(analytics)}});
    QVERIFY2(good.exitCode == 0, good.err.constData());
    QCOMPARE(QJsonDocument::fromJson(good.out).object().value(QStringLiteral("analytics_token")),
             QJsonValue(true));
    QVERIFY(!good.out.contains(analytics) && !good.err.contains(analytics));

    // No daily login yet: whoami says so, and that market data has its token.
    who = run({QStringLiteral("whoami")});
    QCOMPARE(who.exitCode, 1);
    QVERIFY2(who.err.contains("an Analytics Token is kept for market data"), who.err.constData());

    // After the daily login, whoami reports both; the token itself never appears.
    Run logged = login(QStringLiteral("sim-secret"));
    QVERIFY2(logged.exitCode == 0, logged.err.constData());
    who = run({QStringLiteral("whoami"), QStringLiteral("--json"), QStringLiteral("--at"),
               QString::fromLatin1(At)});
    QVERIFY2(who.exitCode == 0, who.err.constData());
    QCOMPARE(QJsonDocument::fromJson(who.out).object().value(QStringLiteral("analytics_token")),
             QJsonValue(true));
    QVERIFY(!who.out.contains(analytics));

    // logout --analytics-token forgets only it; the daily session stays.
    Run forget = run({QStringLiteral("logout"), QStringLiteral("--analytics-token")});
    QVERIFY2(forget.exitCode == 0, forget.err.constData());
    QVERIFY2(forget.out.contains("is gone"), forget.out.constData());
    who = run({QStringLiteral("whoami"), QStringLiteral("--json"), QStringLiteral("--at"),
               QString::fromLatin1(At)});
    QVERIFY2(who.exitCode == 0, who.err.constData());
    QCOMPARE(QJsonDocument::fromJson(who.out).object().value(QStringLiteral("analytics_token")),
             QJsonValue(false));
}

QTEST_GUILESS_MAIN(tst_SessionSim)
#include "tst_sessionsim.moc"
