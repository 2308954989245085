#include "SyncText.h"

#include <QFileInfo>
#include <QLocale>
#include <QUrl>

namespace strikeline::ui {

namespace {

bool isUrl(const QString &source)
{
    return isUrlSource(source);
}

QString hhmm(int minuteOfDay)
{
    return QStringLiteral("%1:%2")
        .arg(minuteOfDay / 60, 2, 10, QLatin1Char('0'))
        .arg(minuteOfDay % 60, 2, 10, QLatin1Char('0'));
}

} // namespace

QString groupedCount(std::int64_t n)
{
    return QLocale(QLocale::English, QLocale::India).toString(static_cast<qlonglong>(n));
}

QString durationText(std::int64_t ms)
{
    if (ms < 0)
        return {};
    if (ms < 1000)
        return QStringLiteral("%1 ms").arg(ms);
    if (ms < 60 * 1000)
        return QStringLiteral("%1 s").arg(static_cast<double>(ms) / 1000.0, 0, 'f', 1);
    const std::int64_t seconds = ms / 1000;
    return QStringLiteral("%1 min %2 s")
        .arg(seconds / 60)
        .arg(seconds % 60, 2, 10, QLatin1Char('0'));
}

QString runTimeText(const QDateTime &moment, EpochDay today)
{
    if (!moment.isValid())
        return {};
    const IstMoment ist{moment.toMSecsSinceEpoch()};
    const QString time = hhmm(ist.minuteOfDay());
    if (today != NoDay && ist.day() == today)
        return QStringLiteral("Today ") + time;
    if (today != NoDay && ist.day() == today - 1)
        return QStringLiteral("Yesterday ") + time;
    return formatDisplayDay(ist.day()) + QLatin1Char(' ') + time;
}

QString sourceLabel(const QString &source)
{
    if (isUrl(source)) {
        const QString host = QUrl(source).host();
        if (host == QLatin1String("upstox.com") || host.endsWith(QLatin1String(".upstox.com")))
            return QStringLiteral("Upstox");
        return host.isEmpty() ? source : host;
    }
    if (isDemoSource(source))
        return QStringLiteral("Demo master (generated)");
    const QString name = QFileInfo(source).fileName();
    return name.isEmpty() ? source : name;
}

bool isDemoSource(const QString &source)
{
    return !isUrl(source) && QFileInfo(source).fileName().startsWith(QLatin1String("demo-master-"));
}

QString changeKindText(const QString &kind)
{
    if (kind == QLatin1String("new"))
        return QStringLiteral("New contract");
    if (kind == QLatin1String("deactivated"))
        return QStringLiteral("Expired / removed");
    if (kind == QLatin1String("reactivated"))
        return QStringLiteral("Listed again");
    if (kind == QLatin1String("lot_changed"))
        return QStringLiteral("Lot size changed");
    if (kind == QLatin1String("tick_changed"))
        return QStringLiteral("Tick size changed");
    if (kind == QLatin1String("freeze_changed"))
        return QStringLiteral("Freeze quantity changed");
    if (kind == QLatin1String("key_reused"))
        return QStringLiteral("Key now names another contract");
    return kind;
}

QString changeValuesText(const InstrumentChange &change)
{
    if (change.oldValue.isEmpty() && change.newValue.isEmpty())
        return {};
    return change.oldValue + QStringLiteral(" \u2192 ") + change.newValue;
}

QString stageText(SyncStage stage, const QString &source)
{
    switch (stage) {
    case SyncStage::Connecting:
        return isUrl(source) ? QStringLiteral("Connecting to %1").arg(sourceLabel(source))
                             : QStringLiteral("Opening %1").arg(sourceLabel(source));
    case SyncStage::Reading:
        return isUrl(source) ? QStringLiteral("Downloading and reading instruments")
                             : QStringLiteral("Reading instruments");
    case SyncStage::Validating:
        return QStringLiteral("Checking the new master");
    case SyncStage::Merging:
        return QStringLiteral("Merging: new, expired and changed contracts");
    case SyncStage::Done:
        return QStringLiteral("Done");
    }
    return {};
}

QString masterInUseText(const std::optional<SyncRunRecord> &lastImport)
{
    if (!lastImport)
        return {};
    if (isDemoSource(lastImport->source))
        return QStringLiteral("the demo master");
    return QStringLiteral("the master of %1").arg(formatDisplayDay(masterDayOf(*lastImport)));
}

QString failureReason(const Error &error, const QString &source)
{
    const QString where = sourceLabel(source);
    QString headline;
    switch (error.code) {
    case ErrorCode::Network:
        headline = error.message.startsWith(QLatin1String("HTTP "))
                       ? QStringLiteral("%1 answered with an error").arg(where)
                       : QStringLiteral("%1 could not be reached").arg(where);
        break;
    case ErrorCode::Gzip:
    case ErrorCode::Parse:
    case ErrorCode::TooManyBadRows:
        headline = QStringLiteral("The master from %1 is damaged").arg(where);
        break;
    case ErrorCode::Validation:
        headline = QStringLiteral("The new master was refused");
        break;
    case ErrorCode::Io:
    case ErrorCode::NotFound:
        headline = QStringLiteral("%1 could not be read").arg(where);
        break;
    case ErrorCode::Conflict:
        headline = QStringLiteral("Another sync is running on this database");
        break;
    case ErrorCode::Database:
        headline = QStringLiteral("The database reported an error");
        break;
    case ErrorCode::Cancelled:
        headline = QStringLiteral("Sync cancelled");
        break;
    case ErrorCode::InvalidArgument:
    case ErrorCode::Internal:
        headline = QStringLiteral("The sync failed");
        break;
    }
    if (error.code == ErrorCode::Cancelled || error.message.isEmpty())
        return headline;
    return headline + QStringLiteral(": ") + error.message;
}

QString summaryMessage(const SyncSummary &s)
{
    const QString where = sourceLabel(s.source);
    switch (s.outcome) {
    case SyncOutcome::Succeeded: {
        if (s.firstImport) {
            return QStringLiteral("Imported %1 instruments from %2 in %3 (first import)")
                .arg(groupedCount(s.instruments), where, durationText(s.elapsedMs));
        }
        QString text = QStringLiteral("Synced from %1 in %2: %3 new, %4 expired, %5 changed "
                                      "contracts (%6 instruments)")
                           .arg(where, durationText(s.elapsedMs), groupedCount(s.newContracts),
                                groupedCount(s.expiredContracts), groupedCount(s.changedContracts),
                                groupedCount(s.instruments));
        if (s.rowsSkipped > 0)
            text += QStringLiteral("; %1 invalid rows skipped").arg(groupedCount(s.rowsSkipped));
        return text;
    }
    case SyncOutcome::Unchanged:
        return QStringLiteral("The master from %1 is unchanged since the last sync: nothing to "
                              "import")
            .arg(where);
    case SyncOutcome::Failed:
    case SyncOutcome::Cancelled: {
        const QString reason =
            s.outcome == SyncOutcome::Cancelled
                ? QStringLiteral("Sync cancelled")
                : (s.error.isEmpty() ? QStringLiteral("The sync failed") : s.error);
        const QString kept = s.masterInUse.isEmpty()
                                 ? QStringLiteral("nothing was imported")
                                 : s.masterInUse + QStringLiteral(" stays in use");
        return reason + QStringLiteral(" \u2014 ") + kept;
    }
    }
    return {};
}

} // namespace strikeline::ui
