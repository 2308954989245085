// sync and history: the master into the database, and what each sync changed.

#include "CliCommon.h"
#include "storage/Database.h"
#include "storage/InstrumentStore.h"
#include "sync/InstrumentSync.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>

#include <atomic>
#include <csignal>
#include <signal.h>

namespace strikeline::cli {

namespace {

const QString DefaultSource = upstoxMasterUrl();

std::atomic_bool interrupted{false};
std::atomic_int interruptSignal{0};

extern "C" void onInterrupt(int signal)
{
    interruptSignal = signal;
    interrupted = true;
}

// SIGINT and SIGTERM cancel the sync (every phase polls `interrupted`), which then records the
// run as failed and exits. SA_RESETHAND: a second signal is not caught, so it ends the process
// at once (the run is then found abandoned by the next sync or history).
void catchInterrupts(bool on)
{
    struct sigaction action
    {};
    sigemptyset(&action.sa_mask);
    if (on) {
        action.sa_handler = onInterrupt;
        action.sa_flags = SA_RESETHAND;
    } else {
        action.sa_handler = SIG_DFL;
    }
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

QString number(std::int64_t n)
{
    return QLocale::c().toString(static_cast<qlonglong>(n));
}

QString keyList(const std::vector<std::string> &keys)
{
    QStringList names;
    for (const std::string &key : keys)
        names << QString::fromStdString(key);
    return names.join(QStringLiteral(", "));
}

QJsonObject runJson(const SyncRunRecord &r)
{
    return QJsonObject{
        {QStringLiteral("id"), static_cast<qint64>(r.id)},
        {QStringLiteral("started_at"), r.startedAt.toString(Qt::ISODateWithMs)},
        {QStringLiteral("finished_at"), r.finishedAt.isValid()
                                            ? QJsonValue(r.finishedAt.toString(Qt::ISODateWithMs))
                                            : QJsonValue()},
        {QStringLiteral("source"), r.source},
        {QStringLiteral("status"), syncStatusName(r.status)},
        {QStringLiteral("etag"), r.etag.isEmpty() ? QJsonValue() : QJsonValue(r.etag)},
        {QStringLiteral("checksum"), r.checksum.isEmpty() ? QJsonValue() : QJsonValue(r.checksum)},
        {QStringLiteral("bytes"), static_cast<qint64>(r.bytes)},
        {QStringLiteral("rows_read"), static_cast<qint64>(r.rowsRead)},
        {QStringLiteral("rows_skipped"), static_cast<qint64>(r.rowsSkipped)},
        {QStringLiteral("rows_inserted"), static_cast<qint64>(r.rowsInserted)},
        {QStringLiteral("rows_updated"), static_cast<qint64>(r.rowsUpdated)},
        {QStringLiteral("rows_unchanged"), static_cast<qint64>(r.rowsUnchanged)},
        {QStringLiteral("rows_deactivated"), static_cast<qint64>(r.rowsDeactivated)},
        {QStringLiteral("rows_duplicate"), static_cast<qint64>(r.rowsDuplicate)},
        {QStringLiteral("keys_conflicting"), static_cast<qint64>(r.keysConflicting)},
        {QStringLiteral("rows_kept"), static_cast<qint64>(r.rowsKept)},
        {QStringLiteral("forced"), r.forced},
        {QStringLiteral("error"), r.error.isEmpty() ? QJsonValue() : QJsonValue(r.error)},
    };
}

} // namespace

int runSync(const QStringList &arguments)
{
    const QString command = QStringLiteral("sync");
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Sync the instrument master into the database: streamed, validated, "
                       "merged in one transaction (the previous master stays intact on failure)."));
    parser.addHelpOption();
    QCommandLineOption source(
        QStringLiteral("source"),
        QStringLiteral("URL or file (json.gz, json, csv.gz). Default: %1").arg(DefaultSource),
        QStringLiteral("URL|FILE"), DefaultSource);
    QCommandLineOption db(QStringLiteral("db"),
                          QStringLiteral("Database URL (default: the embedded SQLite database)."),
                          QStringLiteral("URL"));
    QCommandLineOption force(QStringLiteral("force"),
                             QStringLiteral("Import even if unchanged, or far smaller than the "
                                            "last sync."));
    QCommandLineOption minRows(QStringLiteral("min-rows"),
                               QStringLiteral("Refuse a master with fewer rows than this percent "
                                              "of the last sync (default 50)."),
                               QStringLiteral("PERCENT"), QStringLiteral("50"));
    QCommandLineOption timeout(QStringLiteral("timeout"),
                               QStringLiteral("Seconds of network silence before giving up "
                                              "(default 30)."),
                               QStringLiteral("SECONDS"), QStringLiteral("30"));
    QCommandLineOption quiet(QStringLiteral("quiet"), QStringLiteral("No progress on stderr."));
    QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print the run as JSON."));
    parser.addOptions({source, db, force, minRows, timeout, quiet, json});
    if (auto stop = parseCommandLine(parser, command, arguments, Positional::Forbidden))
        return *stop;

    bool ok = false;
    const double minPercent = parser.value(minRows).toDouble(&ok);
    if (!ok || minPercent < 0 || minPercent > 100)
        return fail(command, QStringLiteral("--min-rows must be a percentage from 0 to 100"),
                    ExitUsage);
    const int timeoutSeconds = parser.value(timeout).toInt(&ok);
    if (!ok || timeoutSeconds <= 0)
        return fail(command, QStringLiteral("--timeout must be a positive number of seconds"),
                    ExitUsage);
    auto config = databaseConfig(parser, db);
    if (!config)
        return fail(command, config.error().message, ExitUsage);
    auto database = Database::open(*config, QStringLiteral("sync"));
    if (!database)
        return fail(command, database.error().message);

    catchInterrupts(true);
    SyncOptions options;
    options.source = parser.value(source);
    options.force = parser.isSet(force);
    options.minRowFraction = minPercent / 100.0;
    options.download.stallTimeoutMs = timeoutSeconds * 1000;
    options.download.connectTimeoutMs = timeoutSeconds * 1000;
    options.cancel = &interrupted;
    const bool showProgress = !parser.isSet(quiet) && !parser.isSet(json);
    int lastDecile = -1;
    options.progress = [&](const SyncProgress &p) {
        if (!showProgress)
            return;
        static const char *const stages[] = {"connecting", "reading", "validating", "merging",
                                             "done"};
        if (p.stage == SyncStage::Reading && p.totalBytes > 0) {
            const int decile = static_cast<int>(p.bytes * 10 / p.totalBytes);
            if (decile == lastDecile)
                return;
            lastDecile = decile;
            err() << "  reading " << decile * 10 << "% (" << number(p.bytes) << " of "
                  << number(p.totalBytes) << " bytes, " << number(p.rows) << " rows)" << Qt::endl;
        } else if (p.stage != SyncStage::Reading) {
            err() << "  " << stages[static_cast<int>(p.stage)] << Qt::endl;
        }
    };
    auto result = syncInstruments(**database, options);
    catchInterrupts(false);
    if (!result) {
        QString message = result.error().message;
        if (result.error().code == ErrorCode::Cancelled && interruptSignal != 0)
            message += interruptSignal == SIGINT ? QStringLiteral(" (SIGINT)")
                                                 : QStringLiteral(" (SIGTERM)");
        return fail(command, message + QStringLiteral(" (the previous master is unchanged)"));
    }
    const SyncRunRecord &run = result->run;
    if (parser.isSet(json)) {
        QJsonObject o = runJson(run);
        o.insert(QStringLiteral("elapsed_ms"), static_cast<qint64>(result->elapsedMs));
        o.insert(QStringLiteral("keys_reused"), static_cast<qint64>(result->counts.keysReused));
        o.insert(QStringLiteral("duplicates"), static_cast<qint64>(result->counts.duplicates));
        out() << QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Indented));
        out().flush();
        return ExitOk;
    }
    if (result->unchanged) {
        out() << "sync " << run.id << ": the master is unchanged since the last sync; nothing "
              << "imported (use --force to import it again)" << Qt::endl;
        return ExitOk;
    }
    out() << "sync " << run.id << " succeeded in " << result->elapsedMs
          << " ms: " << number(result->counts.staged) << " instruments from " << number(run.bytes)
          << " bytes; " << number(run.rowsInserted) << " new, " << number(run.rowsUpdated)
          << " updated, " << number(run.rowsUnchanged) << " unchanged, "
          << number(run.rowsDeactivated) << " deactivated, " << number(result->counts.keysReused)
          << " keys now naming a different contract" << Qt::endl;
    if (run.rowsSkipped > 0) {
        out() << "  skipped " << number(run.rowsSkipped)
              << " invalid row(s); first: " << result->issues.front().toString() << Qt::endl;
    }
    if (run.rowsDuplicate > 0) {
        out() << "  " << number(run.rowsDuplicate)
              << " row(s) repeat an instrument_key; identical repeats count once";
        if (run.keysConflicting > 0)
            out() << ", " << number(run.keysConflicting)
                  << " key(s) listed with different data were not imported, e.g. "
                  << keyList(result->counts.conflictingKeys);
        out() << Qt::endl;
    }
    if (run.rowsKept > 0) {
        out() << "  kept " << number(run.rowsKept)
              << " contract(s) from the previous master (this master's row is invalid or "
                 "conflicting): "
              << keyList(result->counts.keptKeys) << Qt::endl;
    }
    return ExitOk;
}

int runHistory(const QStringList &arguments)
{
    const QString command = QStringLiteral("history");
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Sync runs, newest first, and what one changed."));
    parser.addHelpOption();
    QCommandLineOption db(QStringLiteral("db"),
                          QStringLiteral("Database URL (default: the embedded SQLite database)."),
                          QStringLiteral("URL"));
    QCommandLineOption limit(QStringLiteral("limit"), QStringLiteral("How many (default 20)."),
                             QStringLiteral("N"), QStringLiteral("20"));
    QCommandLineOption changes(QStringLiteral("changes"),
                               QStringLiteral("List the changes of this sync run."),
                               QStringLiteral("RUN"));
    QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print JSON."));
    parser.addOptions({db, limit, changes, json});
    if (auto stop = parseCommandLine(parser, command, arguments, Positional::Forbidden))
        return *stop;
    bool ok = false;
    const int n = parser.value(limit).toInt(&ok);
    if (!ok || n <= 0)
        return fail(command, QStringLiteral("--limit must be a positive number"), ExitUsage);
    auto config = databaseConfig(parser, db);
    if (!config)
        return fail(command, config.error().message, ExitUsage);
    auto database =
        Database::open(*config, QStringLiteral("history"), Database::OpenMode::Existing);
    if (!database)
        return fail(command, database.error().message);
    InstrumentStore store(**database);

    if (parser.isSet(changes)) {
        const qint64 runId = parser.value(changes).toLongLong(&ok);
        if (!ok)
            return fail(command, QStringLiteral("--changes takes a sync run id"), ExitUsage);
        auto list = store.changes(runId, n);
        if (!list)
            return fail(command, list.error().message);
        if (parser.isSet(json)) {
            QJsonArray a;
            for (const auto &c : *list) {
                a.append(
                    QJsonObject{{QStringLiteral("instrument_key"), c.instrumentKey},
                                {QStringLiteral("change"), c.change},
                                {QStringLiteral("trading_symbol"), c.tradingSymbol},
                                {QStringLiteral("old_value"),
                                 c.oldValue.isEmpty() ? QJsonValue() : QJsonValue(c.oldValue)},
                                {QStringLiteral("new_value"),
                                 c.newValue.isEmpty() ? QJsonValue() : QJsonValue(c.newValue)}});
            }
            out() << QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("changes"), a}})
                                           .toJson(QJsonDocument::Indented));
            out().flush();
            return ExitOk;
        }
        for (const auto &c : *list) {
            out() << QStringLiteral("%1  %2  %3")
                         .arg(c.change, -15)
                         .arg(c.instrumentKey, -22)
                         .arg(c.tradingSymbol);
            if (!c.oldValue.isEmpty() || !c.newValue.isEmpty())
                out() << "  (" << c.oldValue << " -> " << c.newValue << ")";
            out() << '\n';
        }
        if (list->empty())
            out() << "(no changes recorded for sync " << runId << ")\n";
        out().flush();
        return ExitOk;
    }

    // A run left 'running' by a process that is gone is shown (and recorded) as failed.
    auto runs = store.recentRunsSettled(n);
    if (!runs)
        return fail(command, runs.error().message);
    if (parser.isSet(json)) {
        QJsonArray a;
        for (const auto &r : *runs)
            a.append(runJson(r));
        out() << QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("runs"), a}})
                                       .toJson(QJsonDocument::Indented));
        out().flush();
        return ExitOk;
    }
    out() << QStringLiteral("%1  %2  %3  %4  %5  %6  %7  %8\n")
                 .arg(QStringLiteral("RUN"), 4)
                 .arg(QStringLiteral("STARTED (UTC)"), -19)
                 .arg(QStringLiteral("STATUS"), -9)
                 .arg(QStringLiteral("ROWS"), 8)
                 .arg(QStringLiteral("NEW"), 7)
                 .arg(QStringLiteral("UPDATED"), 7)
                 .arg(QStringLiteral("DEACT"), 7)
                 .arg(QStringLiteral("SOURCE / ERROR"));
    for (const auto &r : *runs) {
        out() << QStringLiteral("%1  %2  %3  %4  %5  %6  %7  %8\n")
                     .arg(r.id, 4)
                     .arg(r.startedAt.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")), -19)
                     .arg(syncStatusName(r.status), -9)
                     .arg(number(r.rowsRead), 8)
                     .arg(number(r.rowsInserted), 7)
                     .arg(number(r.rowsUpdated), 7)
                     .arg(number(r.rowsDeactivated), 7)
                     .arg(r.error.isEmpty() ? r.source : r.error);
    }
    if (runs->empty())
        out() << "(no syncs yet: run 'strikeline-cli sync')\n";
    out().flush();
    return ExitOk;
}

} // namespace strikeline::cli
