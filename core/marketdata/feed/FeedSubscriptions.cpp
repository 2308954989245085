#include "marketdata/feed/FeedSubscriptions.h"

#include <algorithm>
#include <array>

namespace strikeline::marketdata {

QString feedModeName(FeedMode mode)
{
    switch (mode) {
    case FeedMode::Ltpc:
        return QStringLiteral("ltpc");
    case FeedMode::OptionGreeks:
        return QStringLiteral("option_greeks");
    case FeedMode::Full:
        return QStringLiteral("full");
    }
    return QStringLiteral("ltpc");
}

std::optional<FeedMode> feedModeFromName(QStringView name)
{
    if (name == QLatin1String("ltpc"))
        return FeedMode::Ltpc;
    if (name == QLatin1String("option_greeks"))
        return FeedMode::OptionGreeks;
    if (name == QLatin1String("full"))
        return FeedMode::Full;
    return std::nullopt;
}

QString FeedRequest::methodName() const
{
    switch (method) {
    case Method::Sub:
        return QStringLiteral("sub");
    case Method::ChangeMode:
        return QStringLiteral("change_mode");
    case Method::Unsub:
        return QStringLiteral("unsub");
    }
    return QStringLiteral("sub");
}

FeedMode FeedSubscriptions::Wanted::mode() const
{
    FeedMode richest = FeedMode::Ltpc;
    for (const auto &[consumer, mode] : byConsumer)
        richest = std::max(richest, mode);
    return richest;
}

FeedSubscriptions::FeedSubscriptions(FeedLimits limits)
    : m_limits(limits)
{}

Result<void> FeedSubscriptions::acquire(const QString &consumer, const QString &key, FeedMode mode)
{
    return acquire(consumer, QStringList{key}, mode);
}

Result<void> FeedSubscriptions::acquire(const QString &consumer, const QStringList &keys,
                                        FeedMode mode)
{
    // The effective mode of every touched key once this consumer holds it in `mode`.
    std::map<QString, FeedMode> changes;
    for (const QString &key : keys) {
        if (key.trimmed().isEmpty())
            return Error::make(ErrorCode::InvalidArgument,
                               QStringLiteral("An empty instrument key cannot be subscribed"));
        FeedMode next = mode;
        if (const auto it = m_wanted.find(key); it != m_wanted.end()) {
            for (const auto &[who, held] : it->second.byConsumer)
                if (who != consumer)
                    next = std::max(next, held);
        }
        changes[key] = next;
    }
    if (auto ok = checkLimits(changes); !ok)
        return ok;
    for (const QString &key : keys)
        m_wanted[key].byConsumer[consumer] = mode;
    return {};
}

Result<void> FeedSubscriptions::checkLimits(const std::map<QString, FeedMode> &changes) const
{
    std::array<int, 3> counts{0, 0, 0};
    for (const auto &[key, wanted] : m_wanted)
        if (!changes.contains(key))
            ++counts[static_cast<int>(wanted.mode())];
    for (const auto &[key, mode] : changes)
        ++counts[static_cast<int>(mode)];
    const bool mixed = (counts[0] > 0) + (counts[1] > 0) + (counts[2] > 0) > 1;
    const std::array<int, 3> alone{m_limits.ltpc, m_limits.optionGreeks, m_limits.full};
    const std::array<int, 3> together{m_limits.ltpcMixed, m_limits.optionGreeksMixed,
                                      m_limits.fullMixed};
    for (int i = 0; i < 3; ++i) {
        const int limit = mixed ? together[i] : alone[i];
        if (counts[i] <= limit)
            continue;
        const QString name = feedModeName(static_cast<FeedMode>(i));
        return Error::make(
            ErrorCode::InvalidArgument,
            mixed ? QStringLiteral("Upstox allows at most %1 instruments in %2 mode when modes "
                                   "are mixed on one feed connection; this would make %3")
                        .arg(limit)
                        .arg(name)
                        .arg(counts[i])
                  : QStringLiteral("Upstox allows at most %1 instruments in %2 mode on one feed "
                                   "connection; this would make %3")
                        .arg(limit)
                        .arg(name)
                        .arg(counts[i]));
    }
    return {};
}

void FeedSubscriptions::release(const QString &consumer, const QString &key)
{
    const auto it = m_wanted.find(key);
    if (it == m_wanted.end())
        return;
    it->second.byConsumer.erase(consumer);
    if (it->second.byConsumer.empty())
        m_wanted.erase(it);
}

void FeedSubscriptions::releaseAll(const QString &consumer)
{
    for (auto it = m_wanted.begin(); it != m_wanted.end();) {
        it->second.byConsumer.erase(consumer);
        if (it->second.byConsumer.empty())
            it = m_wanted.erase(it);
        else
            ++it;
    }
}

std::optional<FeedMode> FeedSubscriptions::wantedMode(const QString &key) const
{
    const auto it = m_wanted.find(key);
    if (it == m_wanted.end())
        return std::nullopt;
    return it->second.mode();
}

int FeedSubscriptions::consumers(const QString &key) const
{
    const auto it = m_wanted.find(key);
    return it == m_wanted.end() ? 0 : static_cast<int>(it->second.byConsumer.size());
}

int FeedSubscriptions::wantedCount(FeedMode mode) const
{
    return static_cast<int>(std::count_if(m_wanted.begin(), m_wanted.end(), [mode](const auto &w) {
        return w.second.mode() == mode;
    }));
}

QStringList FeedSubscriptions::wantedKeys() const
{
    QStringList keys;
    keys.reserve(static_cast<qsizetype>(m_wanted.size()));
    for (const auto &[key, wanted] : m_wanted)
        keys.append(key);
    return keys;
}

QStringList FeedSubscriptions::wantedKeys(const QString &consumer) const
{
    QStringList keys;
    for (const auto &[key, wanted] : m_wanted)
        if (wanted.byConsumer.contains(consumer))
            keys.append(key);
    return keys;
}

bool FeedSubscriptions::hasPending() const
{
    if (m_wanted.size() != m_sent.size())
        return true;
    auto sent = m_sent.begin();
    for (const auto &[key, wanted] : m_wanted) {
        if (sent->first != key || sent->second != wanted.mode())
            return true;
        ++sent;
    }
    return false;
}

std::vector<FeedRequest> FeedSubscriptions::takeRequests()
{
    std::array<QStringList, 3> subs;
    std::array<QStringList, 3> changes;
    QStringList unsubs;
    for (const auto &[key, wanted] : m_wanted) {
        const FeedMode mode = wanted.mode();
        const auto sent = m_sent.find(key);
        if (sent == m_sent.end())
            subs[static_cast<int>(mode)].append(key);
        else if (sent->second != mode)
            changes[static_cast<int>(mode)].append(key);
    }
    for (const auto &[key, mode] : m_sent)
        if (!m_wanted.contains(key))
            unsubs.append(key);

    std::vector<FeedRequest> requests;
    if (!unsubs.isEmpty())
        requests.push_back({FeedRequest::Method::Unsub, FeedMode::Ltpc, unsubs});
    for (int i = 2; i >= 0; --i) {
        if (!changes[i].isEmpty())
            requests.push_back(
                {FeedRequest::Method::ChangeMode, static_cast<FeedMode>(i), changes[i]});
    }
    for (int i = 2; i >= 0; --i) {
        if (!subs[i].isEmpty())
            requests.push_back({FeedRequest::Method::Sub, static_cast<FeedMode>(i), subs[i]});
    }
    m_sent.clear();
    for (const auto &[key, wanted] : m_wanted)
        m_sent.emplace(key, wanted.mode());
    return requests;
}

void FeedSubscriptions::markAllUnsent()
{
    m_sent.clear();
}

} // namespace strikeline::marketdata
