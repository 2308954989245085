#include "orders/KillSwitch.h"

#include "common/AtomicFile.h"
#include "common/IstTime.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>

namespace strikeline {

QString defaultHaltFile()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
           QStringLiteral("/halt.json");
}

Result<HaltState> readHaltState(const QString &path)
{
    QFile file(path);
    if (!file.exists())
        return HaltState{};
    if (!file.open(QIODevice::ReadOnly))
        return Error::make(ErrorCode::Io,
                           QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(file.read(64 * 1024), &parseError);
    const QJsonObject o = doc.object();
    if (parseError.error != QJsonParseError::NoError || !o.value(QLatin1String("halted")).isBool())
        return Error::make(ErrorCode::Parse,
                           QStringLiteral("%1 is damaged: delete it or run strikeline-cli "
                                          "halt / resume to write it again")
                               .arg(path));
    HaltState state;
    state.halted = o.value(QLatin1String("halted")).toBool();
    state.reason = o.value(QLatin1String("reason")).toString();
    state.by = o.value(QLatin1String("by")).toString();
    state.sinceMs = static_cast<std::int64_t>(o.value(QLatin1String("since_ms")).toDouble());
    return state;
}

Result<void> writeHaltState(const QString &path, const HaltState &state)
{
    const QJsonObject o{{QStringLiteral("halted"), state.halted},
                        {QStringLiteral("reason"), state.reason},
                        {QStringLiteral("by"), state.by},
                        {QStringLiteral("since_ms"), static_cast<double>(state.sinceMs)}};
    return writeFileAtomically(path, QJsonDocument(o).toJson(QJsonDocument::Indented));
}

KillSwitch::KillSwitch()
    : m_state(std::make_shared<const HaltState>())
{}

HaltState KillSwitch::state() const
{
    return *m_state.load(std::memory_order_acquire);
}

void KillSwitch::set(HaltState state)
{
    m_state.store(std::make_shared<const HaltState>(std::move(state)), std::memory_order_release);
}

QString haltedMessage(const HaltState &state)
{
    QString since;
    if (state.sinceMs > 0) {
        const std::int64_t s = floorDiv(state.sinceMs, 1000) + IstOffsetSeconds;
        const std::int64_t inDay = s - floorDiv(s, 86400) * 86400;
        since = QStringLiteral("since %1:%2 IST")
                    .arg(inDay / 3600, 2, 10, QLatin1Char('0'))
                    .arg(inDay / 60 % 60, 2, 10, QLatin1Char('0'));
    }
    QStringList details;
    if (!since.isEmpty())
        details << since;
    if (!state.by.isEmpty())
        details << QStringLiteral("from the ") + state.by;
    QString text = QStringLiteral("Trading is halted");
    if (!details.isEmpty())
        text += QStringLiteral(" (") + details.join(QStringLiteral(", ")) +
                (state.reason.isEmpty() ? QString() : QStringLiteral(": ") + state.reason) +
                QLatin1Char(')');
    else if (!state.reason.isEmpty())
        text += QStringLiteral(" (") + state.reason + QLatin1Char(')');
    return text + QStringLiteral(". Resume first: Trade > Resume trading (Ctrl+Shift+H), or "
                                 "strikeline-cli resume.");
}

} // namespace strikeline
