// `strikeline-cli serve` as a user runs it: a real process on a free port, its printed URL and
// token file, a real HTTP request, and a clean exit on SIGTERM.

#undef QT_NO_CAST_FROM_ASCII

#include "instruments/MasterGenerator.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace strikeline;

class tst_ServeCli : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void servesUntilSigterm();
    void servesFromTheDatabase();
    void refusesNonLoopbackWithoutFlag();
    void refusesATokenFileOthersCanRead();
    void badArguments_data();
    void badArguments();

private:
    void start(QProcess &process, const QStringList &args);

    QTemporaryDir m_dir;
    QString m_master;
};

void tst_ServeCli::start(QProcess &process, const QStringList &args)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("XDG_DATA_HOME", m_dir.filePath("home/data"));
    env.insert("XDG_CONFIG_HOME", m_dir.filePath("home/config"));
    process.setProcessEnvironment(env);
    process.start(QStringLiteral(STRIKELINE_CLI_PATH), args);
}

void tst_ServeCli::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_master = m_dir.filePath("master.json.gz");
    GeneratorOptions options;
    options.rows = 3000;
    options.asOf = fromQDate(QDate(2025, 12, 9));
    QVERIFY(generateMasterFile(m_master, options));
}

void tst_ServeCli::servesUntilSigterm()
{
    QProcess server;
    start(server, {"serve", "--port", "0", "--master", m_master});
    QVERIFY(server.waitForStarted());
    // Read stdout until the server says where it listens and where its token is.
    QByteArray out;
    QRegularExpression urlLine("API: (http://127\\.0\\.0\\.1:(\\d+)/api/v1/)");
    QRegularExpression tokenLine("Token file: (\\S+)");
    QRegularExpressionMatch url;
    QRegularExpressionMatch token;
    while (!(url = urlLine.match(QString::fromUtf8(out))).hasMatch() ||
           !(token = tokenLine.match(QString::fromUtf8(out))).hasMatch()) {
        QVERIFY2(server.waitForReadyRead(60000), server.readAllStandardError().constData());
        out += server.readAllStandardOutput();
    }
    QVERIFY(url.captured(2).toInt() > 0);
    QCOMPARE(token.captured(1), m_dir.filePath("home/config/Strikeline/strikeline/api-token"));
    QFile tokenFile(token.captured(1));
    QVERIFY(tokenFile.open(QIODevice::ReadOnly));
    QCOMPARE(tokenFile.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther),
             QFileDevice::Permissions());
    const QByteArray bearer = tokenFile.readAll().trimmed();

    QNetworkAccessManager network;
    network.setProxy(QNetworkProxy::NoProxy);
    auto fetch = [&](const QByteArray &authorization) {
        QNetworkRequest request(QUrl(url.captured(1) + "health"));
        if (!authorization.isEmpty())
            request.setRawHeader("Authorization", authorization);
        QNetworkReply *reply = network.get(request);
        QSignalSpy done(reply, &QNetworkReply::finished);
        if (!reply->isFinished())
            done.wait(10000);
        reply->deleteLater();
        return std::make_pair(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(),
                              QJsonDocument::fromJson(reply->readAll()).object());
    };
    const auto [status, health] = fetch("Bearer " + bearer);
    QCOMPARE(status, 200);
    QCOMPARE(health.value("rows").toInteger(), 3000);
    QCOMPARE(health.value("loaded").toBool(), true);
    QCOMPARE(fetch(QByteArray()).first, 401);

    server.terminate(); // SIGTERM
    QVERIFY(server.waitForFinished(10000));
    QCOMPARE(server.exitStatus(), QProcess::NormalExit);
    QCOMPARE(server.exitCode(), 0);
    QVERIFY(server.readAllStandardOutput().contains("Stopped."));

    // The second start reuses the token.
    QProcess again;
    start(again, {"serve", "--port", "0", "--master", m_master});
    QVERIFY(again.waitForStarted());
    QByteArray out2;
    while (!out2.contains("Stop with")) {
        QVERIFY(again.waitForReadyRead(60000));
        out2 += again.readAllStandardOutput();
    }
    QVERIFY(!out2.contains("(created)"));
    tokenFile.seek(0);
    QCOMPARE(tokenFile.readAll().trimmed(), bearer);
    ::kill(static_cast<pid_t>(again.processId()), SIGINT);
    QVERIFY(again.waitForFinished(10000));
    QCOMPARE(again.exitStatus(), QProcess::NormalExit);
    QCOMPARE(again.exitCode(), 0);
}

void tst_ServeCli::servesFromTheDatabase()
{
    // The default source, as for every CLI command: a database filled by `sync`.
    const QString url = "sqlite://" + m_dir.filePath("served.db");
    QProcess sync;
    start(sync, {"sync", "--source", m_master, "--db", url});
    QVERIFY(sync.waitForFinished(120000));
    QVERIFY2(sync.exitCode() == 0, sync.readAllStandardError().constData());

    QProcess server;
    start(server, {"serve", "--port", "0", "--db", url});
    QVERIFY(server.waitForStarted());
    QByteArray out;
    while (!out.contains("Stop with")) {
        QVERIFY2(server.waitForReadyRead(60000), server.readAllStandardError().constData());
        out += server.readAllStandardOutput();
    }
    const auto base = QRegularExpression("API: (\\S+)").match(QString::fromUtf8(out)).captured(1);
    const auto tokenPath =
        QRegularExpression("Token file: (\\S+)").match(QString::fromUtf8(out)).captured(1);
    QFile tokenFile(tokenPath);
    QVERIFY(tokenFile.open(QIODevice::ReadOnly));
    QNetworkAccessManager network;
    network.setProxy(QNetworkProxy::NoProxy);
    QNetworkRequest request(QUrl(base + "health"));
    request.setRawHeader("Authorization", "Bearer " + tokenFile.readAll().trimmed());
    QNetworkReply *reply = network.get(request);
    QSignalSpy done(reply, &QNetworkReply::finished);
    QVERIFY(reply->isFinished() || done.wait(10000));
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    const QJsonObject health = QJsonDocument::fromJson(reply->readAll()).object();
    reply->deleteLater();
    QCOMPARE(health.value("rows").toInteger(), 3000);
    QVERIFY(!health.value("master_date").toString().isEmpty()); // the sync's time
    QVERIFY(health.value("description").toString().contains("sync"));
    server.terminate();
    QVERIFY(server.waitForFinished(10000));
    QCOMPARE(server.exitCode(), 0);
}

void tst_ServeCli::refusesNonLoopbackWithoutFlag()
{
    QProcess server;
    start(server, {"serve", "--port", "0", "--bind", "0.0.0.0", "--master", m_master});
    QVERIFY(server.waitForFinished(60000));
    QCOMPARE(server.exitCode(), 2);
    QVERIFY(server.readAllStandardError().contains("--allow-remote"));
}

void tst_ServeCli::refusesATokenFileOthersCanRead()
{
    const QString path = m_dir.filePath("home/config/Strikeline/strikeline/api-token");
    QVERIFY(QDir().mkpath(QFileInfo(path).path()));
    if (!QFile::exists(path)) {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(64, 'f'));
    }
    const auto saved = QFile(path).permissions();
    QVERIFY(QFile(path).setPermissions(saved | QFileDevice::ReadOther));
    QProcess server;
    start(server, {"serve", "--port", "0", "--master", m_master});
    QVERIFY(server.waitForFinished(60000));
    QVERIFY(QFile(path).setPermissions(saved));
    QCOMPARE(server.exitCode(), 1);
    const QByteArray err = server.readAllStandardError();
    QVERIFY2(err.contains("chmod 600"), err.constData());
}

void tst_ServeCli::badArguments_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("stderrHas");
    QTest::newRow("bad port") << QStringList{"serve", "--port", "70000"} << "--port";
    QTest::newRow("text port") << QStringList{"serve", "--port", "http"} << "--port";
    QTest::newRow("bad bind") << QStringList{"serve", "--bind", "not-an-ip"} << "--bind";
    QTest::newRow("positional") << QStringList{"serve", "NIFTY"} << "unexpected argument";
    QTest::newRow("master and db")
        << QStringList{"serve", "--port", "0", "--master", "x", "--db", "sqlite:///tmp/x.db"}
        << "not both";
}

void tst_ServeCli::badArguments()
{
    QFETCH(QStringList, args);
    QFETCH(QString, stderrHas);
    QProcess server;
    start(server, args);
    QVERIFY(server.waitForFinished(60000));
    QCOMPARE(server.exitCode(), 2);
    const QString err = QString::fromUtf8(server.readAllStandardError());
    QVERIFY2(err.contains(stderrHas), qPrintable(err));
}

QTEST_GUILESS_MAIN(tst_ServeCli)
#include "tst_servecli.moc"
