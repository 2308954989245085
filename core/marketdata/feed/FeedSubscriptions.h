#pragma once

// Who wants which instrument on the Upstox market-data feed, and what the feed must send to get
// there (issue 12, "Subscriptions"; upstox-live.md §1.4, §1.5 item 4). Pure logic: no I/O, no
// Qt event loop, not thread-safe (UpstoxMarketFeed guards it with a mutex).
//
// - Consumers (a chain window, a ticket, a watch list...) acquire (consumer, key, mode) and
//   release it; a consumer asking again for a key it holds changes its mode.
// - One mode per key on the wire, the richest anyone asks for: full > option_greeks > ltpc
//   (Upstox holds exactly one mode per key).
// - takeRequests() is the diff between what is wanted and what the server was last told: `sub`
//   for new keys, `change_mode` for keys whose mode moved (a downgrade while anyone still wants
//   the key is a change_mode, never an unsub), `unsub` when the last consumer let go. One
//   request per (method, mode), keys sorted, so a burst of acquires costs one message.
// - Upstox's limits (FeedLimits) are enforced locally: an acquire that would take the wanted set
//   beyond them changes nothing and returns an error naming the limit.
// - markAllUnsent() forgets what the server holds (a new socket holds nothing): the next
//   takeRequests() re-subscribes the exact wanted set, grouped by mode.

#include "common/Result.h"

#include <QString>
#include <QStringList>

#include <map>
#include <optional>
#include <vector>

namespace strikeline::marketdata {

// Wire names "ltpc", "option_greeks", "full"; ordered poorest to richest.
enum class FeedMode { Ltpc = 0, OptionGreeks = 1, Full = 2 };

QString feedModeName(FeedMode mode);
std::optional<FeedMode> feedModeFromName(QStringView name);

// Upstox's limits for one feed connection, Standard plan ([V3DOC] in upstox-live.md §1.4); the
// simulator enforces the same struct. "Mixed" applies when more than one mode is in use on the
// connection.
struct FeedLimits
{
    int connectionsPerUser = 2;
    int ltpc = 5000;
    int optionGreeks = 3000;
    int full = 2000;
    int ltpcMixed = 2000;
    int optionGreeksMixed = 2000;
    int fullMixed = 1500;
    int fullD30 = 50; // Plus plan's full_d30 (the simulator serves it; the client never asks)
};

struct FeedRequest
{
    enum class Method { Sub, ChangeMode, Unsub };
    Method method = Method::Sub;
    FeedMode mode = FeedMode::Ltpc; // ignored by Upstox for unsub; sent anyway
    QStringList keys;               // sorted

    QString methodName() const; // "sub", "change_mode", "unsub"
    bool operator==(const FeedRequest &) const = default;
};

class FeedSubscriptions
{
public:
    explicit FeedSubscriptions(FeedLimits limits = {});

    const FeedLimits &limits() const { return m_limits; }

    // Error (InvalidArgument) when the key is empty or the wanted set would exceed a limit;
    // nothing changes then.
    Result<void> acquire(const QString &consumer, const QString &key, FeedMode mode);
    // All-or-nothing for a batch (a chain window's legs).
    Result<void> acquire(const QString &consumer, const QStringList &keys, FeedMode mode);
    // Unknown pairs are ignored.
    void release(const QString &consumer, const QString &key);
    void releaseAll(const QString &consumer);

    // The mode the key is wanted in; nullopt when nobody wants it.
    std::optional<FeedMode> wantedMode(const QString &key) const;
    int consumers(const QString &key) const;
    int wantedCount() const { return static_cast<int>(m_wanted.size()); }
    int wantedCount(FeedMode mode) const;
    // The wanted keys, sorted.
    QStringList wantedKeys() const;
    // The keys `consumer` holds, sorted.
    QStringList wantedKeys(const QString &consumer) const;

    // What the server must be told to hold the wanted set; afterwards it is considered told.
    std::vector<FeedRequest> takeRequests();
    bool hasPending() const;
    void markAllUnsent();
    int sentCount() const { return static_cast<int>(m_sent.size()); }

private:
    struct Wanted
    {
        std::map<QString, FeedMode> byConsumer;
        FeedMode mode() const;
    };

    Result<void> checkLimits(const std::map<QString, FeedMode> &changes) const;

    FeedLimits m_limits;
    std::map<QString, Wanted> m_wanted;
    std::map<QString, FeedMode> m_sent; // what the server holds
};

} // namespace strikeline::marketdata
