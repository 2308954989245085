#include "SyncReport.h"

#include "storage/Database.h"

#include <QFileInfo>
#include <QRegularExpression>
#include <QStringList>
#include <QUrl>

#include <algorithm>

namespace strikeline {

namespace {

QString idList(const std::vector<std::int64_t> &ids)
{
    QStringList parts;
    parts.reserve(static_cast<qsizetype>(ids.size()));
    for (std::int64_t id : ids)
        parts << QString::number(id);
    return parts.join(QLatin1Char(','));
}

bool isUrl(const QString &source)
{
    return source.contains(QLatin1String("://"));
}

} // namespace

const std::vector<QString> &changeKinds()
{
    static const std::vector<QString> kinds{
        QStringLiteral("new"),
        QStringLiteral("deactivated"),
        QStringLiteral("lot_changed"),
        QStringLiteral("tick_changed"),
        QStringLiteral("freeze_changed"),
        QStringLiteral("key_reused"),
        QStringLiteral("reactivated"),
    };
    return kinds;
}

std::int64_t ChangeCounts::of(const QString &kind) const
{
    if (kind == QLatin1String("new"))
        return added;
    if (kind == QLatin1String("deactivated"))
        return deactivated;
    if (kind == QLatin1String("reactivated"))
        return reactivated;
    if (kind == QLatin1String("lot_changed"))
        return lotChanged;
    if (kind == QLatin1String("tick_changed"))
        return tickChanged;
    if (kind == QLatin1String("freeze_changed"))
        return freezeChanged;
    if (kind == QLatin1String("key_reused"))
        return keyReused;
    return 0;
}

Result<ChangePage> loadChanges(Database &db, const ChangeQuery &query)
{
    ChangePage page;
    page.query = query;
    if (query.runIds.empty())
        return page;
    if (!query.kind.isEmpty() &&
        std::find(changeKinds().begin(), changeKinds().end(), query.kind) == changeKinds().end())
        return Error::make(ErrorCode::InvalidArgument,
                           QStringLiteral("unknown change kind '%1'").arg(query.kind));
    // The ids are integers we format ourselves: no injection, and one statement for any number.
    const QString runs = idList(query.runIds);
    auto counts = db.query(QStringLiteral("SELECT change, count(*) FROM instrument_changes "
                                          "WHERE sync_run_id IN (%1) GROUP BY change")
                               .arg(runs));
    if (!counts)
        return counts.error();
    while (counts->next()) {
        const QString kind = counts->value(0).toString();
        const std::int64_t n = counts->value(1).toLongLong();
        ChangeCounts &c = page.counts;
        std::int64_t *slot = kind == QLatin1String("new")              ? &c.added
                             : kind == QLatin1String("deactivated")    ? &c.deactivated
                             : kind == QLatin1String("reactivated")    ? &c.reactivated
                             : kind == QLatin1String("lot_changed")    ? &c.lotChanged
                             : kind == QLatin1String("tick_changed")   ? &c.tickChanged
                             : kind == QLatin1String("freeze_changed") ? &c.freezeChanged
                             : kind == QLatin1String("key_reused")     ? &c.keyReused
                                                                       : nullptr;
        if (slot)
            *slot = n;
    }
    counts->finish();
    auto distinct = db.scalar(
        QStringLiteral("SELECT count(DISTINCT instrument_key) FROM instrument_changes WHERE "
                       "sync_run_id IN (%1) AND change IN ('lot_changed', 'tick_changed', "
                       "'freeze_changed', 'key_reused')")
            .arg(runs));
    if (!distinct)
        return distinct.error();
    page.counts.contractsChanged = distinct->toLongLong();
    page.matching = query.kind.isEmpty() ? page.counts.total() : page.counts.of(query.kind);

    QVariantList values;
    QString filter;
    if (!query.kind.isEmpty()) {
        filter = QStringLiteral(" AND change = ?");
        values << query.kind;
    }
    values << std::max(query.limit, 0);
    auto rows = db.query(QStringLiteral("SELECT sync_run_id, instrument_key, change, "
                                        "trading_symbol, old_value, new_value FROM "
                                        "instrument_changes WHERE sync_run_id IN (%1)%2 "
                                        "ORDER BY sync_run_id DESC, id LIMIT ?")
                             .arg(runs, filter),
                         values);
    if (!rows)
        return rows.error();
    while (rows->next()) {
        page.changes.push_back(InstrumentChange{
            rows->value(0).toLongLong(), rows->value(1).toString(), rows->value(2).toString(),
            rows->value(3).toString(), rows->value(4).toString(), rows->value(5).toString()});
    }
    return page;
}

EpochDay istDayOf(const QDateTime &moment)
{
    if (!moment.isValid())
        return NoDay;
    return istDayFromEpochMs(moment.toMSecsSinceEpoch());
}

Result<SyncHistory> loadSyncHistory(Database &db, EpochDay today, int runLimit, int changeLimit)
{
    InstrumentStore store(db);
    SyncHistory history;
    history.today = today;
    auto runs = store.recentRunsSettled(runLimit);
    if (!runs)
        return runs.error();
    history.runs = std::move(*runs);
    for (const SyncRunRecord &run : history.runs) {
        if (istDayOf(run.startedAt) == today)
            history.todaysRunIds.push_back(run.id);
    }
    auto last = store.lastSucceededRun();
    if (!last)
        return last.error();
    history.lastImport = *last;
    auto active = store.activeCount();
    if (!active)
        return active.error();
    history.activeInstruments = *active;
    ChangeQuery query;
    query.runIds = history.todaysRunIds;
    query.limit = changeLimit;
    auto changes = loadChanges(db, query);
    if (!changes)
        return changes.error();
    history.todaysChanges = std::move(*changes);
    return history;
}

std::optional<EpochDay> knownMasterDay(const QString &source, const QDateTime &fetchedAt)
{
    static const QRegularExpression datePattern(QStringLiteral("(\\d{4}-\\d{2}-\\d{2})"));
    const QString path = isUrl(source) ? QUrl(source).path() : source;
    const QString name = QFileInfo(path).fileName();
    const QRegularExpressionMatch match = datePattern.match(name);
    if (match.hasMatch()) {
        const QDate date = QDate::fromString(match.captured(1), Qt::ISODate);
        if (date.isValid())
            return fromQDate(date);
    }
    if (isUrl(source) && fetchedAt.isValid())
        return istDayOf(fetchedAt);
    return std::nullopt;
}

EpochDay masterDayOf(const SyncRunRecord &run)
{
    const QDateTime when = run.finishedAt.isValid() ? run.finishedAt : run.startedAt;
    return knownMasterDay(run.source, when).value_or(istDayOf(when));
}

} // namespace strikeline
