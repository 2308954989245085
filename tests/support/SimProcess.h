#pragma once

// `strikeline-cli upstox-sim` as a child process, for tests that need the simulator over the
// network (docs/upstox-sim.md). start() runs it on a free port and waits for the "listening on
// URL" line it prints; the destructor (or stop()) ends it with SIGTERM, then SIGKILL if it has
// not exited. The test target defines STRIKELINE_CLI_PATH.
//
//     testing::SimProcess sim;
//     QVERIFY2(sim.start(master, {QStringLiteral("--replay"), file}),
//              qPrintable(sim.errorString()));
//     env.insert(QStringLiteral("STRIKELINE_UPSTOX_URL"), sim.baseUrl());
//
// Its --at and --seed default to what the tests of the fixture master
// (fixture-NSE_FO-subset-2026-08-21.json) use; start(Options) changes them.

#include <QByteArray>
#include <QDeadlineTimer>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <memory>

namespace strikeline::testing {

class SimProcess final
{
public:
    struct Options
    {
        QString master;                                  // --master FILE (required)
        QString at = QStringLiteral("2026-08-21 10:00"); // --at: the simulated exchange clock
        int seed = 7;                                    // --seed: the simulated prices
        QStringList extra;                               // e.g. --replay FILE, --redirect-uri URI
        int startupMs = 60000;                           // a hang is a failure, not a wait
    };

    SimProcess() = default;
    ~SimProcess() { stop(); }
    SimProcess(SimProcess &&) noexcept = default;
    SimProcess &operator=(SimProcess &&other) noexcept
    {
        if (this != &other) {
            stop();
            m_process = std::move(other.m_process);
            m_url = std::move(other.m_url);
            m_error = std::move(other.m_error);
        }
        return *this;
    }
    SimProcess(const SimProcess &) = delete;
    SimProcess &operator=(const SimProcess &) = delete;

    // Starts the simulator (stopping one this object already ran). False, with errorString()
    // saying what it printed, when it did not come up listening.
    bool start(const QString &master, const QStringList &extra = {})
    {
        Options options;
        options.master = master;
        options.extra = extra;
        return start(options);
    }
    bool start(const Options &options)
    {
        stop();
        m_process = std::make_unique<QProcess>();
        m_process->start(QStringLiteral(STRIKELINE_CLI_PATH),
                         QStringList{QStringLiteral("upstox-sim"), QStringLiteral("--master"),
                                     options.master, QStringLiteral("--port"), QStringLiteral("0"),
                                     QStringLiteral("--at"), options.at, QStringLiteral("--seed"),
                                     QString::number(options.seed)} +
                             options.extra);
        if (!m_process->waitForStarted()) {
            m_error = QStringLiteral("upstox-sim did not start: ") + m_process->errorString();
            return false;
        }
        const QDeadlineTimer deadline(options.startupMs);
        while (!m_process->canReadLine() && m_process->state() == QProcess::Running &&
               !deadline.hasExpired())
            m_process->waitForReadyRead(100);
        const QString line = QString::fromUtf8(m_process->readLine()).trimmed();
        const QLatin1String prefix("listening on ");
        if (!line.startsWith(prefix)) {
            m_error = QStringLiteral("upstox-sim: ") + line + QLatin1Char(' ') +
                      QString::fromUtf8(m_process->readAllStandardError());
            stop();
            return false;
        }
        m_url = QUrl(line.mid(prefix.size()));
        m_error.clear();
        return true;
    }

    // SIGTERM (the simulator exits cleanly on it), then SIGKILL after `graceMs`.
    void stop(int graceMs = 10000)
    {
        if (m_process && m_process->state() != QProcess::NotRunning) {
            m_process->terminate();
            if (!m_process->waitForFinished(graceMs)) {
                m_process->kill();
                m_process->waitForFinished();
            }
        }
        m_process.reset();
        m_url.clear();
    }

    bool isRunning() const { return m_process && m_process->state() == QProcess::Running; }
    // The simulator's http://127.0.0.1:PORT, empty unless started: what STRIKELINE_UPSTOX_URL
    // or UpstoxUrls::fromBase take.
    QUrl url() const { return m_url; }
    QString baseUrl() const { return m_url.toString(); }
    QString errorString() const { return m_error; }

private:
    std::unique_ptr<QProcess> m_process;
    QUrl m_url;
    QString m_error;
};

} // namespace strikeline::testing
