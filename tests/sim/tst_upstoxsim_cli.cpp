// `strikeline-cli upstox-sim` as a process: the one listening line, a request, SIGTERM, and
// clear errors for bad arguments.

#include "TestData.h"

#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>
#include <QTimer>

class TestUpstoxSimCli : public QObject
{
    Q_OBJECT

private:
    static QStringList base(const QString &master)
    {
        return {QStringLiteral("upstox-sim"),
                QStringLiteral("--master"),
                master,
                QStringLiteral("--at"),
                QStringLiteral("2026-08-21 10:30"),
                QStringLiteral("--seed"),
                QStringLiteral("7")};
    }
    static int runToEnd(const QStringList &arguments, QByteArray *stderrText = nullptr)
    {
        QProcess p;
        p.start(QStringLiteral(STRIKELINE_CLI_PATH), arguments);
        if (!p.waitForFinished(60000)) {
            p.kill();
            p.waitForFinished();
            return -1;
        }
        if (stderrText)
            *stderrText = p.readAllStandardError();
        return p.exitCode();
    }

private Q_SLOTS:
    void listensAnswersAndStopsOnSigterm()
    {
        STRIKELINE_REQUIRE_REAL_FILE(master, "fixture-NSE_FO-subset-2026-08-21.json");
        QProcess p;
        p.start(QStringLiteral(STRIKELINE_CLI_PATH),
                base(master) << QStringLiteral("--port") << QStringLiteral("0")
                             << QStringLiteral("--fault") << QStringLiteral("slow=10")
                             << QStringLiteral("--fault") << QStringLiteral("mute-ws"));
        QVERIFY(p.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(p.canReadLine() || p.state() != QProcess::Running, 60000);
        const QString line = QString::fromUtf8(p.readLine()).trimmed();
        const QRegularExpression pattern(
            QStringLiteral("^listening on http://127\\.0\\.0\\.1:(\\d+)$"));
        const auto match = pattern.match(line);
        QVERIFY2(match.hasMatch(), qPrintable(line + QString::fromUtf8(p.readAllStandardError())));

        QNetworkAccessManager network;
        QNetworkReply *reply = network.get(QNetworkRequest(
            QUrl(QStringLiteral("http://127.0.0.1:%1/v2/user/profile").arg(match.captured(1)))));
        QEventLoop loop;
        connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        QTimer::singleShot(20000, &loop, &QEventLoop::quit);
        loop.exec();
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 401);
        QVERIFY(reply->readAll().contains("UDAPI100050"));
        reply->deleteLater();

        p.terminate(); // SIGTERM
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 0);
        QCOMPARE(p.readAllStandardOutput().trimmed(), QByteArray()); // exactly the one line
    }

    void badArguments_data()
    {
        QTest::addColumn<QStringList>("extra");
        QTest::addColumn<QByteArray>("message");
        QTest::newRow("no port") << QStringList{} << QByteArray("--port");
        QTest::newRow("bad port") << QStringList{QStringLiteral("--port"), QStringLiteral("70000")}
                                  << QByteArray("--port");
        QTest::newRow("bad fault")
            << QStringList{QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--fault"),
                           QStringLiteral("explode")}
            << QByteArray("unknown fault");
        QTest::newRow("bad share")
            << QStringList{QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--fault"),
                           QStringLiteral("http-429=lots")}
            << QByteArray("http-429");
        QTest::newRow("bad speed") << QStringList{QStringLiteral("--port"), QStringLiteral("0"),
                                                  QStringLiteral("--speed"), QStringLiteral("-1")}
                                   << QByteArray("--speed");
        QTest::newRow("bad at") << QStringList{QStringLiteral("--port"), QStringLiteral("0"),
                                               QStringLiteral("--at"), QStringLiteral("yesterday")}
                                << QByteArray("--at");
    }
    void badArguments()
    {
        QFETCH(QStringList, extra);
        QFETCH(QByteArray, message);
        STRIKELINE_REQUIRE_REAL_FILE(master, "fixture-NSE_FO-subset-2026-08-21.json");
        QStringList args = base(master);
        if (QTest::currentDataTag() == QByteArrayLiteral("bad at"))
            args = {QStringLiteral("upstox-sim"), QStringLiteral("--master"), master};
        QByteArray errText;
        QCOMPARE(runToEnd(args + extra, &errText), 2);
        QVERIFY2(errText.contains(message), errText.constData());
    }

    void needsInstruments()
    {
        QByteArray errText;
        QCOMPARE(
            runToEnd({QStringLiteral("upstox-sim"), QStringLiteral("--port"), QStringLiteral("0")},
                     &errText),
            2);
        QVERIFY(errText.contains("--master"));
    }
};

QTEST_GUILESS_MAIN(TestUpstoxSimCli)
#include "tst_upstoxsim_cli.moc"
