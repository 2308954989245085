#pragma once

// The Upstox market-data feed v3 client (issue 12, "The feed client"; upstox-live.md §1,
// docs/feed.md).
//
// One WebSocket on its own thread ("strikeline-feed"). Before every (re)connect it asks
// GET /v3/feed/market-data-feed/authorize through UpstoxClient (so the token is read from the
// TokenProvider at that moment: the Analytics Token when configured, see MarketDataTokens) and
// opens the single-use authorized_redirect_uri it returns (Qt 6.4's QWebSocket does not follow
// the 302). Requests go out as JSON in binary frames; every binary frame received goes, as it
// is, to the sink on the feed thread (the protobuf decoder and quote book plug in there).
//
// Liveness: a client ping every pingInterval with a pong deadline (Upstox sends no heartbeat);
// and a mute detector: connected, subscribed, market open, no frame for muteThreshold ->
// reconnect. Reconnect: capped exponential backoff with jitter, never giving up; a server close
// is a drop. A 401 from authorize (or the handshake) -> LoginRequired, nothing more is tried
// until sessionRestored(). After every connect the exact wanted set is re-subscribed per mode and
// resubscribed(keys) is emitted so a consumer can backfill over REST (FeedBackfill.h).
//
// Thread-safety: every public method may be called from any thread. Signals are delivered on the
// thread of this object (queued from the feed thread). acquire() answers at once (the limits are
// checked under a mutex); the requests go out batched, batchDelay after the first change.

#include "common/IstTime.h"
#include "common/Result.h"
#include "common/WorkerThread.h"
#include "marketdata/feed/FeedSubscriptions.h"

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QStringList>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

namespace strikeline::upstox {
class UpstoxClient;
}

namespace strikeline::marketdata {

class FeedWorker;
struct FeedShared;

class UpstoxMarketFeed final : public QObject
{
    Q_OBJECT
public:
    enum class State { Disconnected, Connecting, Live, Reconnecting, LoginRequired, Stopped };
    Q_ENUM(State)

    using Sink = std::function<void(const QByteArray &frame, std::int64_t receivedNs)>;

    struct Options
    {
        std::chrono::milliseconds pingInterval{15000};
        std::chrono::milliseconds pongDeadline{45000};  // no pong and no frame this long: dead
        std::chrono::milliseconds muteThreshold{30000}; // subscribed, market open, no frame
        std::chrono::milliseconds backoffInitial{500};
        std::chrono::milliseconds backoffMax{30000};
        double jitter = 0.2;                             // each delay times 1 +- jitter, uniformly
        std::chrono::milliseconds batchDelay{50};        // acquire/release coalesced this long
        std::chrono::milliseconds connectTimeout{15000}; // the WebSocket handshake
        FeedLimits limits;
        // Whether a silent feed is suspicious now. Null: NSE hours (Mon-Fri 09:15-15:30 IST by
        // the system clock); the market_info consumer may know better (holidays). Called on the
        // feed thread: must be thread-safe.
        std::function<bool()> marketOpen;
        QString threadName = QStringLiteral("strikeline-feed");
    };

    struct Counters
    {
        std::uint64_t frames = 0;     // binary frames received
        std::uint64_t bytes = 0;      // their bytes
        std::uint64_t textFrames = 0; // text frames (the server's failure answers)
        std::uint64_t reconnects = 0; // connection attempts after the first
        std::uint64_t connects = 0;   // sockets opened
        std::uint64_t authorizes = 0; // authorize requests sent
        std::uint64_t requestsSent = 0;
    };

    // `client` outlives the feed. `sink` runs on the feed thread for every binary frame; it must
    // be cheap and must not throw.
    UpstoxMarketFeed(upstox::UpstoxClient &client, Options options, Sink sink,
                     QObject *parent = nullptr);
    ~UpstoxMarketFeed() override;

    void start();
    void stop();
    // The session is back (a new login): leave LoginRequired and connect again.
    void sessionRestored();

    Result<void> acquire(const QString &consumer, const QString &key, FeedMode mode);
    Result<void> acquire(const QString &consumer, const QStringList &keys, FeedMode mode);
    void release(const QString &consumer, const QString &key);
    void releaseAll(const QString &consumer);
    QStringList wantedKeys() const;
    // The keys `consumer` holds (sorted): what it asked for and has not let go of.
    QStringList wantedKeys(const QString &consumer) const;

    State state() const;
    QString reason() const;
    Counters counters() const;

    static QString stateName(State state);

Q_SIGNALS:
    void stateChanged(strikeline::marketdata::UpstoxMarketFeed::State state, const QString &reason);
    // After every connect: the keys re-subscribed (all wanted keys), for a REST backfill.
    void resubscribed(const QStringList &keys);
    // A text frame from the server (a refused request): its text.
    void serverMessage(const QString &text);

private:
    std::shared_ptr<FeedShared> m_shared;
    ThreadPtr m_thread;
    FeedWorker *m_worker = nullptr; // lives on m_thread, deleted there
};

// NSE's continuous session at `now`: Mon-Fri 09:15-15:30 IST (holidays are not known here).
bool nseHoursAt(IstMoment now);

// The wait before reconnect attempt `attempt` (0 = the first after a drop):
// min(backoffMax, backoffInitial * 2^attempt) * (1 + jitter * (2 * unit - 1)), unit in [0, 1)
// (a uniform draw; the feed uses QRandomGenerator).
std::chrono::milliseconds feedBackoffDelay(int attempt, const UpstoxMarketFeed::Options &options,
                                           double unit);

} // namespace strikeline::marketdata
