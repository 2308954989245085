// strikeline-cli login / whoami / logout end to end against a local Upstox: the URL and the
// redirect URI printed, the browser's callback taken on 127.0.0.1, the token kept (in the opt-in
// 0600 file: no keychain under test), whoami's profile, funds and expiry by --at, a 401 that
// says "log in again", a forged state refused, logout.

#include "TestHttpServer.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace strikeline::testing;

namespace {

const QByteArray Token = "eyJhbGciOiJIUzI1NiJ9.session-cli";

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

} // namespace

class tst_SessionCli final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void loginWhoamiLogout();
    void forgedStateIsRefused();
    void secretIsNeeded();

private:
    QProcessEnvironment environment() const;
    Run run(const QStringList &args);
    // Starts `login`, waits for the URL it prints; returns the dialog URL and the redirect URI.
    bool startLogin(QProcess &process, const QStringList &extra, QUrl *dialog, QString *redirect);
    static int browserGet(const QUrl &url);

    std::unique_ptr<QTemporaryDir> m_home;
    std::unique_ptr<TestHttpServer> m_upstox;
    bool m_tokenValid = true;
};

void tst_SessionCli::init()
{
    m_home = std::make_unique<QTemporaryDir>();
    QVERIFY(m_home->isValid());
    m_upstox = std::make_unique<TestHttpServer>();
    m_tokenValid = true;
    m_upstox->handle("/v2/login/authorization/token", [](const TestRequest &r) {
        if (r.form().queryItemValue(QStringLiteral("code")) != QLatin1String("good-code"))
            return TestResponse::json(400, R"({"status":"error","errors":[{"error_code":)"
                                           R"("UDAPI100057","message":"Invalid Auth code"}]})");
        return TestResponse::json(200, R"({"user_id":"AB1234","user_name":"A Trader",)"
                                       R"("access_token":")" +
                                           Token + R"("})");
    });
    auto protectedRoute = [this](QByteArray body) {
        return [this, body](const TestRequest &r) {
            if (!m_tokenValid || r.header("authorization") != "Bearer " + Token)
                return TestResponse::json(401, R"({"status":"error","errors":[{"error_code":)"
                                               R"("UDAPI100050","message":"Invalid token used )"
                                               R"(to access API"}]})");
            return TestResponse::json(200, body);
        };
    };
    m_upstox->handle("/v2/user/profile",
                     protectedRoute(R"({"status":"success","data":{"user_id":"AB1234",)"
                                    R"("user_name":"A Trader","email":"t@example.com",)"
                                    R"("exchanges":["NSE","NFO"],"is_active":true}})"));
    m_upstox->handle("/v2/user/get-funds-and-margin",
                     protectedRoute(R"({"status":"success","data":{"equity":)"
                                    R"({"available_margin":250000.75,"used_margin":1200}}})"));
}

QProcessEnvironment tst_SessionCli::environment() const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_DATA_HOME"), m_home->filePath(QStringLiteral("data")));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_home->filePath(QStringLiteral("config")));
    env.insert(QStringLiteral("STRIKELINE_UPSTOX_URL"), m_upstox->url().toString());
    env.insert(QStringLiteral("STRIKELINE_KEYCHAIN"), QStringLiteral("off"));
    env.remove(QStringLiteral("UPSTOX_ACCESS_TOKEN"));
    env.remove(QStringLiteral("UPSTOX_CLIENT_SECRET"));
    return env;
}

Run tst_SessionCli::run(const QStringList &args)
{
    QProcess p;
    p.setProcessEnvironment(environment());
    QSignalSpy finished(&p, &QProcess::finished);
    p.start(QStringLiteral(STRIKELINE_CLI_PATH), args);
    if (!finished.wait(60000))
        p.kill();
    return Run{p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
}

bool tst_SessionCli::startLogin(QProcess &process, const QStringList &extra, QUrl *dialog,
                                QString *redirect)
{
    process.setProcessEnvironment(environment());
    process.start(QStringLiteral(STRIKELINE_CLI_PATH),
                  QStringList{QStringLiteral("login"), QStringLiteral("--client-id"),
                              QStringLiteral("my-key"), QStringLiteral("--client-secret"),
                              QStringLiteral("my-secret"), QStringLiteral("--redirect-uri"),
                              QStringLiteral("http://127.0.0.1:0/upstox/callback"),
                              QStringLiteral("--timeout"), QStringLiteral("60")} +
                      extra);
    QByteArray out;
    static const QRegularExpression dialogLine(QStringLiteral(R"(\s+(http\S+/dialog\?\S+))"));
    static const QRegularExpression redirectLine(QStringLiteral(R"(exactly:\s+(http\S+))"));
    for (int i = 0; i < 300; ++i) {
        process.waitForReadyRead(200);
        out += process.readAllStandardOutput();
        const auto d = dialogLine.match(QString::fromUtf8(out));
        const auto r = redirectLine.match(QString::fromUtf8(out));
        if (d.hasMatch() && r.hasMatch()) {
            *dialog = QUrl(d.captured(1));
            *redirect = r.captured(1);
            return true;
        }
        if (process.state() == QProcess::NotRunning)
            break;
    }
    qWarning("login printed: %s / %s", out.constData(), process.readAllStandardError().constData());
    return false;
}

int tst_SessionCli::browserGet(const QUrl &url)
{
    QNetworkAccessManager nam;
    QNetworkReply *reply = nam.get(QNetworkRequest(url));
    QSignalSpy finished(reply, &QNetworkReply::finished);
    finished.wait(10000);
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    delete reply;
    return status;
}

void tst_SessionCli::loginWhoamiLogout()
{
    QProcess login;
    QUrl dialog;
    QString redirect;
    QVERIFY(startLogin(
        login,
        {QStringLiteral("--save-file"), QStringLiteral("--at"), QStringLiteral("2026-12-03 10:00")},
        &dialog, &redirect));
    QVERIFY2(redirect.startsWith(QLatin1String("http://127.0.0.1:")), qPrintable(redirect));
    QVERIFY(redirect.endsWith(QLatin1String("/upstox/callback")));
    QCOMPARE(dialog.path(), QStringLiteral("/v2/login/authorization/dialog"));
    const QUrlQuery query(dialog);
    QCOMPARE(query.queryItemValue(QStringLiteral("redirect_uri"), QUrl::FullyDecoded), redirect);
    const QString state = query.queryItemValue(QStringLiteral("state"), QUrl::FullyDecoded);
    QCOMPARE(browserGet(QUrl(redirect + QStringLiteral("?code=good-code&state=") + state)), 200);
    QSignalSpy finished(&login, &QProcess::finished);
    QVERIFY(login.state() == QProcess::NotRunning || finished.wait(30000));
    const QByteArray out = login.readAllStandardOutput();
    QVERIFY2(login.exitCode() == 0, login.readAllStandardError().constData());
    QVERIFY2(out.contains("Logged in as AB1234 (A Trader)"), out.constData());
    QVERIFY2(out.contains("expires 2026-12-04 03:30 IST"), out.constData());
    QVERIFY2(out.contains("a file only you can read"), out.constData());
    QVERIFY(!out.contains(Token));
    const QString secrets =
        m_home->filePath(QStringLiteral("config/Strikeline/strikeline/secrets.json"));
    QVERIFY2(QFile::exists(secrets), qPrintable(secrets));
    QCOMPARE(QFile::permissions(secrets) & (QFileDevice::ReadGroup | QFileDevice::ReadOther), 0);

    Run whoami = run({QStringLiteral("whoami"), QStringLiteral("--json"), QStringLiteral("--at"),
                      QStringLiteral("2026-12-04 01:30")});
    QVERIFY2(whoami.exitCode == 0, whoami.err.constData());
    const QJsonObject o = QJsonDocument::fromJson(whoami.out).object();
    QCOMPARE(o.value(QLatin1String("user_id")).toString(), QStringLiteral("AB1234"));
    QCOMPARE(o.value(QLatin1String("token_expires_at")).toString(),
             QStringLiteral("2026-12-04 03:30 IST"));
    QVERIFY(o.value(QLatin1String("token_seconds_left")).toInteger() <= 2 * 3600);
    QVERIFY(o.value(QLatin1String("token_seconds_left")).toInteger() > 2 * 3600 - 120);
    QCOMPARE(o.value(QLatin1String("funds")).toObject().value(QLatin1String("available_margin")),
             QJsonValue(QStringLiteral("250000.75")));
    whoami = run({QStringLiteral("whoami")});
    QVERIFY2(whoami.out.contains("available 2,50,000.75"), whoami.out.constData());

    m_tokenValid = false; // Upstox says no: the session is over, whatever the clock says
    whoami = run({QStringLiteral("whoami")});
    QCOMPARE(whoami.exitCode, 1);
    QVERIFY2(whoami.err.contains("log in again"), whoami.err.constData());
    QVERIFY2(whoami.err.contains("UDAPI100050"), whoami.err.constData());

    const Run logout = run({QStringLiteral("logout")});
    QVERIFY2(logout.exitCode == 0, logout.err.constData());
    whoami = run({QStringLiteral("whoami")});
    QCOMPARE(whoami.exitCode, 1);
    QVERIFY2(whoami.err.contains("not logged in"), whoami.err.constData());
}

void tst_SessionCli::forgedStateIsRefused()
{
    QProcess login;
    QUrl dialog;
    QString redirect;
    QVERIFY(startLogin(login, {}, &dialog, &redirect));
    QCOMPARE(browserGet(QUrl(redirect + QStringLiteral("?code=good-code&state=forged"))), 400);
    QSignalSpy finished(&login, &QProcess::finished);
    QVERIFY(login.state() == QProcess::NotRunning || finished.wait(30000));
    QCOMPARE(login.exitCode(), 1);
    QVERIFY(login.readAllStandardError().contains("state does not match"));
    QCOMPARE(m_upstox->count("/v2/login/authorization/token"), 0);
}

void tst_SessionCli::secretIsNeeded()
{
    const Run r =
        run({QStringLiteral("login"), QStringLiteral("--client-id"), QStringLiteral("k")});
    QCOMPARE(r.exitCode, 2);
    QVERIFY(r.err.contains("--client-secret"));
}

QTEST_GUILESS_MAIN(tst_SessionCli)
#include "tst_sessioncli.moc"
