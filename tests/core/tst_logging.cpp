// Logging: levels from the command line, redaction of every secret on every path into a log or
// onto stderr (in-process and through the real programs), and rotation at the size limit.

#include "TestHttpServer.h"
#include "common/Logging.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

using namespace strikeline;

namespace {

// Every log file under `dir`, concatenated.
QByteArray readLogs(const QString &dir, int *files = nullptr)
{
    QByteArray all;
    int count = 0;
    QDirIterator it(dir, {QStringLiteral("*.log")}, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QFile f(it.next());
        if (f.open(QIODevice::ReadOnly)) {
            all += f.readAll();
            ++count;
        }
    }
    if (files)
        *files = count;
    return all;
}

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run runProgram(const QString &program, const QStringList &args, const QString &home,
               const QStringList &extraEnv = {})
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_DATA_HOME"), home + QStringLiteral("/data"));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), home + QStringLiteral("/config"));
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.remove(QStringLiteral("SPDLOG_LEVEL"));
    for (const QString &kv : extraEnv)
        env.insert(kv.section(QLatin1Char('='), 0, 0), kv.section(QLatin1Char('='), 1));
    p.setProcessEnvironment(env);
    p.start(program, args);
    if (!p.waitForFinished(120000)) {
        p.kill();
        p.waitForFinished();
        return {};
    }
    return Run{p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2,
               p.readAllStandardOutput(), p.readAllStandardError()};
}

void writeSettings(const QString &home, const QByteArray &level)
{
    QDir().mkpath(home + QStringLiteral("/config/Strikeline"));
    QFile f(home + QStringLiteral("/config/Strikeline/strikeline.conf"));
    if (f.open(QIODevice::WriteOnly))
        f.write("[logging]\nlevel=" + level + "\n");
}

const QByteArray Secrets[] = {"s3cret",        "hunter2",    "eyJhbGciOiJIUzI1NiJ9",
                              "abc.def-TOKEN", "Zm9vOmJhcg", "sk_live_51"};

} // namespace

class tst_Logging : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void cleanup();
    void levels_data();
    void levels();
    void logArguments();
    void redaction_data();
    void redaction();
    void fileLogIsRedacted();
    void shownTextKeepsItsParts();
    void rotatesAtTheSizeLimit();
    void unwritableFolderStillLogsToStderr();
    void cliNeverPrintsTheSecret();
    void cliLevelsFromSettingsAndArguments();
    void desktopNeverLogsTheSecret();
    void cliNeverShowsUpstoxSecrets();
};

void tst_Logging::cleanup()
{
    // Leave the process as the test harness had it: a plain stderr logger, Qt's own handler.
    spdlog::set_default_logger(std::make_shared<spdlog::logger>(
        "test", std::make_shared<spdlog::sinks::stderr_color_sink_mt>()));
    qInstallMessageHandler(nullptr);
}

void tst_Logging::levels_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("level"); // -1: rejected
    QTest::newRow("trace") << "trace" << int(spdlog::level::trace);
    QTest::newRow("DEBUG") << "DEBUG" << int(spdlog::level::debug);
    QTest::newRow("info") << " info " << int(spdlog::level::info);
    QTest::newRow("warn") << "warn" << int(spdlog::level::warn);
    QTest::newRow("warning") << "warning" << int(spdlog::level::warn);
    QTest::newRow("error") << "error" << int(spdlog::level::err);
    QTest::newRow("off") << "off" << int(spdlog::level::off);
    QTest::newRow("empty") << "" << -1;
    QTest::newRow("typo") << "debgu" << -1;
    QTest::newRow("number") << "3" << -1;
}

void tst_Logging::levels()
{
    QFETCH(QString, text);
    QFETCH(int, level);
    auto parsed = logging::parseLevel(text);
    if (level < 0) {
        QVERIFY(!parsed);
        QCOMPARE(parsed.error().code, ErrorCode::InvalidArgument);
        QVERIFY(parsed.error().message.contains(QStringLiteral("trace|debug|info")));
    } else {
        QVERIFY(parsed);
        QCOMPARE(int(*parsed), level);
    }
}

void tst_Logging::logArguments()
{
    QStringList args{QStringLiteral("search"), QStringLiteral("--log-level"),
                     QStringLiteral("debug"), QStringLiteral("NIFTY"),
                     QStringLiteral("--log-file")};
    auto taken = logging::takeLogArguments(args);
    QVERIFY(taken);
    QCOMPARE(args, (QStringList{QStringLiteral("search"), QStringLiteral("NIFTY")}));
    QCOMPARE(taken->level, std::optional(spdlog::level::debug));
    QVERIFY(taken->logFile);

    args = {QStringLiteral("--log-level=error"), QStringLiteral("info")};
    taken = logging::takeLogArguments(args);
    QVERIFY(taken);
    QCOMPARE(args, QStringList{QStringLiteral("info")});
    QCOMPARE(taken->level, std::optional(spdlog::level::err));
    QVERIFY(!taken->logFile);

    args = {QStringLiteral("search")};
    taken = logging::takeLogArguments(args);
    QVERIFY(taken);
    QVERIFY(!taken->level);

    args = {QStringLiteral("search"), QStringLiteral("--log-level")};
    taken = logging::takeLogArguments(args);
    QVERIFY(!taken);
    QCOMPARE(taken.error().code, ErrorCode::InvalidArgument);
    QVERIFY(taken.error().message.contains(QStringLiteral("needs a value")));

    args = {QStringLiteral("--log-level"), QStringLiteral("loud")};
    taken = logging::takeLogArguments(args);
    QVERIFY(!taken);
    QVERIFY(taken.error().message.contains(QStringLiteral("'loud'")));
}

void tst_Logging::redaction_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");
    QTest::newRow("pg url") << "cannot open postgresql://trader:s3cret@db.local:5432/strike"
                            << "cannot open postgresql://trader:***@db.local:5432/strike";
    QTest::newRow("pg url, @ in password") << "postgres://u:p@ss:s3cret@h/db"
                                           << "postgres://u:***@h/db";
    QTest::newRow("pg url, / in password") << "bad URL 'postgresql://u:ab/cd@h/x': not valid"
                                           << "bad URL 'postgresql://u:***@h/x': not valid";
    QTest::newRow("https userinfo") << "GET https://me:hunter2@example.com/x.json.gz"
                                    << "GET https://me:***@example.com/x.json.gz";
    QTest::newRow("no password") << "postgresql://trader@db.local/strike"
                                 << "postgresql://trader@db.local/strike";
    QTest::newRow("sqlite path") << "opening sqlite:///home/a/strikeline.db"
                                 << "opening sqlite:///home/a/strikeline.db";
    QTest::newRow("key=value") << "host=h user=u password=s3cret dbname=x"
                               << "host=h user=u password=*** dbname=x";
    QTest::newRow("PGPASSWORD") << "PGPASSWORD=s3cret psql"
                                << "PGPASSWORD=*** psql";
    QTest::newRow("query string") << "/login?client_id=a&client_secret=s3cret&code=1"
                                  << "/login?client_id=a&client_secret=***&code=1";
    QTest::newRow("json token") << R"({"access_token": "abc.def-TOKEN", "user": "x"})"
                                << R"({"access_token": ***, "user": "x"})";
    QTest::newRow("api key") << "api_key: sk_live_51abc"
                             << "api_key: ***";
    QTest::newRow("authorization header") << "Authorization: Basic Zm9vOmJhcg=="
                                          << "Authorization: ***";
    QTest::newRow("bearer") << "sent Bearer abc.def-TOKEN to the API"
                            << "sent Bearer *** to the API";
    QTest::newRow("jwt") << "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sgnAtURE_x expired"
                         << "token *** expired";
    QTest::newRow("exchange token is public") << "exchange_token=26000 lot_size=75"
                                              << "exchange_token=26000 lot_size=75";
    QTest::newRow("plain text") << "Loaded 1,25,000 instruments; 3 tokens left"
                                << "Loaded 1,25,000 instruments; 3 tokens left";
}

void tst_Logging::redaction()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);
    QCOMPARE(logging::redact(text), expected);
    QCOMPARE(QString::fromStdString(logging::redact(text.toStdString())), expected);
}

void tst_Logging::fileLogIsRedacted()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    logging::LogConfig config;
    config.program = "strikeline-test";
    config.level = spdlog::level::trace;
    config.toStderr = false;
    config.directory = dir.filePath(QStringLiteral("logs"));
    QVERIFY(logging::configure(config));

    spdlog::info("connecting to {}", "postgresql://u:s3cret@127.0.0.1:1/x");
    spdlog::debug("libpq options: host=h password=hunter2");
    spdlog::warn("upstox said 401 for Authorization: Bearer abc.def-TOKEN");
    spdlog::error("{}", R"({"access_token":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdefg"})");
    // A secret with no telltale around it is caught once registered.
    logging::addSecret(QStringLiteral("Zm9vOmJhcg"));
    spdlog::info("the broker answered Zm9vOmJhcg twice, also as {}", "Zm9vOmJhcg%3D");
    logging::addSecret(QStringLiteral("sk_live_51 x")); // and its percent-encoded form
    spdlog::info("api key in a URL: ?k=sk_live_51%20x");
    // Qt's own warnings go through the same sinks.
    qWarning("QPSQL: cannot connect with password=hunter2");
    spdlog::default_logger()->flush();

    int files = 0;
    const QByteArray logs = readLogs(config.directory, &files);
    QCOMPARE(files, 1);
    for (const QByteArray &secret : Secrets)
        QVERIFY2(!logs.contains(secret), logs.constData());
    QVERIFY2(logs.contains("connecting to postgresql://u:***@127.0.0.1:1/x"), logs.constData());
    QVERIFY(logs.contains("password=***"));
    QVERIFY(logs.contains("the broker answered *** twice"));
    QVERIFY(logs.contains("QPSQL: cannot connect"));
    QVERIFY(logs.contains("[warning]"));
}

// A password that is also the user's and the database's name: the redacted URL keeps them
// (before, every "strikeline" became ***, host and database included), the secret goes
// everywhere else.
void tst_Logging::shownTextKeepsItsParts()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    logging::LogConfig config;
    config.program = "shown";
    config.toStderr = false;
    config.directory = dir.filePath(QStringLiteral("logs"));
    QVERIFY(logging::configure(config));
    logging::addSecret(QStringLiteral("strikeline"));
    const QString url = QStringLiteral("postgresql://strikeline:***@db.local:5432/strikeline");
    logging::addShownText(url);
    QCOMPARE(logging::redact(QStringLiteral("cannot open %1: user strikeline, password "
                                            "strikeline")
                                 .arg(url)),
             QStringLiteral("cannot open %1: user ***, password ***").arg(url));
    QCOMPARE(logging::redact(
                 QStringLiteral("postgresql://strikeline:strikeline@db.local:5432/strikeline")),
             QStringLiteral("postgresql://***:***@db.local:5432/***"));
    QCOMPARE(logging::redact(url + QStringLiteral(" and ") + url),
             url + QStringLiteral(" and ") + url);
}

void tst_Logging::rotatesAtTheSizeLimit()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    logging::LogConfig config;
    config.program = "rotating";
    config.level = spdlog::level::info;
    config.toStderr = false;
    config.directory = dir.path();
    config.maxFileBytes = 4096;
    config.maxFiles = 3;
    config.captureQtMessages = false;
    QVERIFY(logging::configure(config));
    const std::string filler(80, 'x');
    for (int i = 0; i < 500; ++i)
        spdlog::info("line {} password=hunter2 {}", i, filler);
    spdlog::info("the last line");
    spdlog::default_logger()->flush();

    const QStringList names = QDir(dir.path()).entryList(QDir::Files, QDir::Name);
    QCOMPARE(names, (QStringList{QStringLiteral("rotating.1.log"), QStringLiteral("rotating.2.log"),
                                 QStringLiteral("rotating.log")}));
    for (const QString &name : names) {
        const QFileInfo file(dir.filePath(name));
        QVERIFY2(file.size() <= 4096, qPrintable(name));
        if (name != QLatin1String("rotating.log")) // rotated when full, not early
            QVERIFY2(file.size() > 4096 - 200, qPrintable(name));
    }
    QFile current(dir.filePath(QStringLiteral("rotating.log")));
    QVERIFY(current.open(QIODevice::ReadOnly));
    const QByteArray text = current.readAll();
    QVERIFY(text.contains("the last line"));
    QVERIFY(!readLogs(dir.path()).contains("hunter2"));
    QVERIFY(!readLogs(dir.path()).contains("line 0 ")); // the oldest file went
}

void tst_Logging::unwritableFolderStillLogsToStderr()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile blocker(dir.filePath(QStringLiteral("blocker")));
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    logging::LogConfig config;
    config.toStderr = false;
    config.captureQtMessages = false;
    config.directory = blocker.fileName() + QStringLiteral("/logs");
    auto configured = logging::configure(config);
    QVERIFY(!configured);
    QCOMPARE(configured.error().code, ErrorCode::Io);
    QVERIFY(configured.error().message.contains(QStringLiteral("cannot create the log folder")));
    spdlog::info("still alive"); // the logger works, without a file
}

void tst_Logging::cliNeverPrintsTheSecret()
{
    QTemporaryDir home;
    QVERIFY(home.isValid());
    const QString cli = QStringLiteral(STRIKELINE_CLI_PATH);
    // A connection that fails (nothing listens on port 1), with everything logged.
    const Run r = runProgram(
        cli,
        {QStringLiteral("search"), QStringLiteral("NIFTY"), QStringLiteral("--db"),
         QStringLiteral("postgresql://u:s3cret@127.0.0.1:1/x"), QStringLiteral("--log-level"),
         QStringLiteral("trace"), QStringLiteral("--log-file")},
        home.path(), {QStringLiteral("PGCONNECT_TIMEOUT=5")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("postgresql://u:***@127.0.0.1:1/x"), r.err.constData());
    int files = 0;
    const QByteArray logs = readLogs(home.path(), &files);
    QCOMPARE(files, 1);
    QVERIFY2(logs.contains("search NIFTY --db postgresql://u:***@127.0.0.1:1/x"), logs.constData());
    for (const QByteArray &all : {r.out, r.err, logs})
        QVERIFY2(!all.contains("s3cret"), all.constData());

    // Malformed URLs are quoted in the error message: the password still never shows.
    for (const QString &url : {QStringLiteral("postgresql://u:ab/s3cret@h/x"),
                               QStringLiteral("postgresql://u:p@s3cret@127.0.0.1:1/x"),
                               QStringLiteral("postgresql://u:s3cret@h:port/x")}) {
        const Run bad = runProgram(cli,
                                   {QStringLiteral("search"), QStringLiteral("NIFTY"),
                                    QStringLiteral("--db"), url, QStringLiteral("--log-file"),
                                    QStringLiteral("--log-level"), QStringLiteral("trace")},
                                   home.path());
        QVERIFY2(bad.exitCode == 1 || bad.exitCode == 2, bad.err.constData());
        QVERIFY2(bad.err.contains("postgresql://u:***@"), bad.err.constData());
        for (const QByteArray &all : {bad.out, bad.err, readLogs(home.path())})
            QVERIFY2(!all.contains("s3cret"), all.constData());
    }

    // Usage errors: a clear message and exit code 2, before anything else happens.
    const Run bad = runProgram(cli,
                               {QStringLiteral("search"), QStringLiteral("NIFTY"),
                                QStringLiteral("--log-level"), QStringLiteral("chatty")},
                               home.path());
    QCOMPARE(bad.exitCode, 2);
    QVERIFY2(bad.err.contains("unknown log level 'chatty'"), bad.err.constData());
    const Run missing =
        runProgram(cli, {QStringLiteral("--version"), QStringLiteral("--log-level")}, home.path());
    QCOMPARE(missing.exitCode, 2);
    QVERIFY(missing.err.contains("--log-level needs a value"));
}

void tst_Logging::cliLevelsFromSettingsAndArguments()
{
    QTemporaryDir home;
    QVERIFY(home.isValid());
    const QString cli = QStringLiteral(STRIKELINE_CLI_PATH);
    const QStringList version{QStringLiteral("--version"), QStringLiteral("--log-file")};

    // Default: warnings and up, so the info line about the command is not written.
    QVERIFY(runProgram(cli, version, home.path()).exitCode == 0);
    QVERIFY(!readLogs(home.path()).contains("[info]"));

    // The settings key lowers it ...
    writeSettings(home.path(), "info");
    Run r = runProgram(cli, version, home.path());
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.err.contains("[info] strikeline-cli"));
    // ... --log-level wins over the settings ...
    r = runProgram(cli, version + QStringList{QStringLiteral("--log-level"), QStringLiteral("off")},
                   home.path());
    QVERIFY(r.err.isEmpty());
    // ... and a bad settings value is reported, not fatal.
    writeSettings(home.path(), "loud");
    r = runProgram(cli, version, home.path());
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.err.contains("settings logging/level"), r.err.constData());
    QVERIFY(readLogs(home.path()).contains("unknown log level 'loud'"));
}

void tst_Logging::desktopNeverLogsTheSecret()
{
#ifndef STRIKELINE_DESKTOP_PATH
    QSKIP("the desktop terminal is not built (STRIKELINE_BUILD_UI=OFF)");
#else
    QTemporaryDir home;
    QVERIFY(home.isValid());
    const Run r = runProgram(QStringLiteral(STRIKELINE_DESKTOP_PATH),
                             {QStringLiteral("--smoke-test"), QStringLiteral("--db"),
                              QStringLiteral("postgresql://u:s3cret@127.0.0.1:1/x"),
                              QStringLiteral("--log-level"), QStringLiteral("trace")},
                             home.path(), {QStringLiteral("PGCONNECT_TIMEOUT=5")});
    QCOMPARE(r.exitCode, 1); // the database is unreachable
    int files = 0;
    const QByteArray logs = readLogs(home.path(), &files);
    QCOMPARE(files, 1); // the desktop always writes its log file
    QVERIFY2(logs.contains("postgresql://u:***@127.0.0.1:1/x"), logs.constData());
    QVERIFY(logs.contains("[error] loading instruments failed"));
    for (const QByteArray &all : {r.out, r.err, logs})
        QVERIFY2(!all.contains("s3cret"), all.constData());
#endif
}

// The Upstox login and whoami, through the real program against a local Upstox: the API
// secret, the authorization code and the access token reach neither stdout, stderr nor the log
// file, at the most verbose level.
void tst_Logging::cliNeverShowsUpstoxSecrets()
{
    const QByteArray secret = "UpSecretQ7x9";
    const QByteArray code = "AuthCodeZ4k2";
    const QByteArray token = "AccessTokV8m3.payload";
    testing::TestHttpServer upstox;
    QVERIFY(upstox.isListening());
    upstox.handle("/v2/login/authorization/token", [&](const testing::TestRequest &r) {
        const QUrlQuery form = r.form();
        if (form.queryItemValue(QStringLiteral("client_secret")).toLatin1() != secret ||
            form.queryItemValue(QStringLiteral("code")).toLatin1() != code)
            return testing::TestResponse::json(
                400, R"({"status":"error","errors":[{"error_code":"UDAPI100057",)"
                     R"("message":"Invalid Auth code"}]})");
        return testing::TestResponse::json(
            200,
            R"({"user_id":"AB1234","user_name":"A Trader","access_token":")" + token + R"("})");
    });
    upstox.handle("/v2/user/profile", [&](const testing::TestRequest &r) {
        if (r.header("authorization") != "Bearer " + token)
            return testing::TestResponse::json(
                401, R"({"status":"error","errors":[{"error_code":"UDAPI100050",)"
                     R"("message":"Invalid token used to access API"}]})");
        return testing::TestResponse::json(
            200, R"({"status":"success","data":{"user_id":"AB1234","user_name":"A Trader"}})");
    });
    upstox.route("/v2/user/get-funds-and-margin",
                 testing::TestResponse::json(
                     200, R"({"status":"success","data":{"equity":{"available_margin":1000.5,)"
                          R"("used_margin":0}}})"));

    QTemporaryDir home;
    QVERIFY(home.isValid());
    // The test's own thread serves Upstox, so the program runs without blocking it.
    auto run = [&](const QStringList &args, const QStringList &extraEnv) {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("XDG_DATA_HOME"), home.path() + QStringLiteral("/data"));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.path() + QStringLiteral("/config"));
        env.insert(QStringLiteral("STRIKELINE_UPSTOX_URL"), upstox.url().toString());
        env.insert(QStringLiteral("STRIKELINE_KEYCHAIN"), QStringLiteral("off"));
        env.remove(QStringLiteral("SPDLOG_LEVEL"));
        env.remove(QStringLiteral("UPSTOX_ACCESS_TOKEN"));
        for (const QString &kv : extraEnv)
            env.insert(kv.section(QLatin1Char('='), 0, 0), kv.section(QLatin1Char('='), 1));
        p.setProcessEnvironment(env);
        QSignalSpy finished(&p, &QProcess::finished);
        p.start(QStringLiteral(STRIKELINE_CLI_PATH), args);
        if (!finished.wait(60000))
            p.kill();
        return Run{p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
    };
    const QStringList verbose{QStringLiteral("--log-level"), QStringLiteral("trace"),
                              QStringLiteral("--log-file")};

    // A code pasted by hand, the secret on the command line, --save-file: logged in.
    const Run login = run(QStringList{QStringLiteral("login"), QStringLiteral("--client-id"),
                                      QStringLiteral("my-key"), QStringLiteral("--client-secret"),
                                      QString::fromLatin1(secret), QStringLiteral("--code"),
                                      QString::fromLatin1(code), QStringLiteral("--save-file")} +
                              verbose,
                          {});
    QVERIFY2(login.exitCode == 0, login.err.constData());
    QVERIFY2(login.out.contains("Logged in as AB1234"), login.out.constData());
    // The wrong code: Upstox's message, still no secret.
    const Run refused =
        run(QStringList{QStringLiteral("login"), QStringLiteral("--client-id"),
                        QStringLiteral("my-key"), QStringLiteral("--code=Wr0ngCode77")} +
                verbose,
            {QStringLiteral("UPSTOX_CLIENT_SECRET=") + QString::fromLatin1(secret)});
    QCOMPARE(refused.exitCode, 1);
    QVERIFY2(refused.err.contains("Invalid Auth code"), refused.err.constData());
    // whoami with the kept token, then with one from the environment.
    const Run whoami = run(QStringList{QStringLiteral("whoami")} + verbose, {});
    QVERIFY2(whoami.exitCode == 0, whoami.err.constData());
    QVERIFY2(whoami.out.contains("AB1234"), whoami.out.constData());
    QVERIFY2(whoami.out.contains("1,000.50"), whoami.out.constData());
    const Run fromEnvironment =
        run(QStringList{QStringLiteral("whoami"), QStringLiteral("--json")} + verbose,
            {QStringLiteral("UPSTOX_ACCESS_TOKEN=") + QString::fromLatin1(token)});
    QVERIFY2(fromEnvironment.exitCode == 0, fromEnvironment.err.constData());

    const QByteArray logs = readLogs(home.path());
    QVERIFY(logs.contains("login --client-id my-key --client-secret *** --code ***"));
    for (const Run &r : {login, refused, whoami, fromEnvironment}) {
        for (const QByteArray &all : {r.out, r.err}) {
            for (const QByteArray &hidden : {secret, code, token, QByteArray("Wr0ngCode77")})
                QVERIFY2(!all.contains(hidden), all.constData());
        }
    }
    for (const QByteArray &hidden : {secret, code, token, QByteArray("Wr0ngCode77")})
        QVERIFY2(!logs.contains(hidden), logs.constData());
    // Neither did the settings file get one.
    QDirIterator it(home.path() + QStringLiteral("/config"), {QStringLiteral("*.conf")},
                    QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QFile f(it.next());
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray settings = f.readAll();
        for (const QByteArray &hidden : {secret, code, token})
            QVERIFY2(!settings.contains(hidden), settings.constData());
    }
}

QTEST_GUILESS_MAIN(tst_Logging)
#include "tst_logging.moc"
