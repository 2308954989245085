#include "PreviousOi.h"

#include "common/AtomicFile.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

namespace strikeline::marketdata {

namespace {

constexpr int FormatVersion = 1;

// "NSE_INDEX|Nifty 50" -> "NSE_INDEX_Nifty_50": a file name on every file system.
QString fileSafe(const QString &key)
{
    QString safe;
    safe.reserve(key.size());
    for (const QChar c : key)
        safe.append(c.isLetterOrNumber() || c == QLatin1Char('-') ? c : QLatin1Char('_'));
    return safe;
}

} // namespace

PreviousOiStore::PreviousOiStore(QString directory)
    : m_directory(std::move(directory))
{}

QString PreviousOiStore::filePath(const QString &underlyingKey, EpochDay expiry,
                                  EpochDay tradingDay) const
{
    return QDir(m_directory)
        .filePath(
            QStringLiteral("%1_%2_%3.json")
                .arg(formatIsoDay(tradingDay), fileSafe(underlyingKey), formatIsoDay(expiry)));
}

Result<std::optional<PreviousOi>> PreviousOiStore::load(const QString &underlyingKey,
                                                        EpochDay expiry, EpochDay tradingDay) const
{
    const QString path = filePath(underlyingKey, expiry, tradingDay);
    QFile file(path);
    if (!file.exists())
        return std::optional<PreviousOi>();
    if (!file.open(QIODevice::ReadOnly))
        return Error::make(ErrorCode::Io,
                           QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    QJsonParseError parseError{};
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    const QJsonObject root = document.object();
    if (parseError.error != QJsonParseError::NoError || !document.isObject() ||
        root.value(QLatin1String("version")).toInt() != FormatVersion)
        return Error::make(ErrorCode::Parse,
                           QStringLiteral("%1 is not a previous-OI file").arg(path));
    // The names inside must agree with the name outside: a file copied or renamed by hand is
    // not taken for another expiry's base.
    if (root.value(QLatin1String("underlying_key")).toString() != underlyingKey ||
        root.value(QLatin1String("expiry")).toString() != formatIsoDay(expiry) ||
        root.value(QLatin1String("trading_day")).toString() != formatIsoDay(tradingDay))
        return Error::make(ErrorCode::Parse,
                           QStringLiteral("%1 holds another expiry or day").arg(path));
    PreviousOi previous;
    previous.underlyingKey = underlyingKey;
    previous.expiry = expiry;
    previous.tradingDay = tradingDay;
    const QJsonObject oi = root.value(QLatin1String("prev_oi")).toObject();
    for (auto it = oi.begin(); it != oi.end(); ++it) {
        const double value = it.value().toDouble(-1);
        if (value < 0)
            return Error::make(ErrorCode::Parse,
                               QStringLiteral("%1: %2 has no OI").arg(path, it.key()));
        previous.oi.emplace(it.key().toStdString(), static_cast<std::int64_t>(value));
    }
    return std::optional<PreviousOi>(std::move(previous));
}

Result<void> PreviousOiStore::save(const PreviousOi &previous) const
{
    if (!QDir().mkpath(m_directory))
        return Error::make(ErrorCode::Io, QStringLiteral("cannot create %1").arg(m_directory));
    QJsonObject oi;
    for (const auto &[key, value] : previous.oi)
        oi.insert(QString::fromStdString(key), static_cast<double>(value));
    const QJsonObject root{
        {QStringLiteral("version"), FormatVersion},
        {QStringLiteral("underlying_key"), previous.underlyingKey},
        {QStringLiteral("expiry"), formatIsoDay(previous.expiry)},
        {QStringLiteral("trading_day"), formatIsoDay(previous.tradingDay)},
        {QStringLiteral("prev_oi"), oi},
    };
    const QString path = filePath(previous.underlyingKey, previous.expiry, previous.tradingDay);
    return writeFileAtomically(path, QJsonDocument(root).toJson(QJsonDocument::Compact));
}

int PreviousOiStore::forgetBefore(EpochDay day) const
{
    const QString cutoff = formatIsoDay(day);
    int removed = 0;
    QDir dir(m_directory);
    // File names start with the ISO trading day: they sort as the days do.
    for (const QString &name : dir.entryList({QStringLiteral("*.json")}, QDir::Files)) {
        if (name.left(10) < cutoff && dir.remove(name))
            ++removed;
    }
    return removed;
}

} // namespace strikeline::marketdata
