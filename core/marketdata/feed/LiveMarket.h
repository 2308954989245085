#pragma once

// The live market of one process (issue 12; docs/quotes.md): the Upstox feed client, the decoder
// and the quote book wired together, with the REST backfill after every (re)connect. The CLI's
// `quotes` and `chain --live` and the desktop each hold one.
//
// - Every frame is decoded into the book on the feed thread (and handed to the frame hook, e.g.
//   a recorder, as received).
// - After every connect the feed says which keys it re-subscribed; their latest values are asked
//   for over REST (LTP v3 for all, option-greek v3 for the options) and merged without ever
//   overwriting a newer tick (mergeBackfill), so nothing stays stale until its next tick.
// - A silent feed is suspicious while market_info says NSE_FO is open, else in NSE hours by the
//   given clock (the simulator runs at another --at than the system's).
//
// Lives on the thread it was made on; the feed runs on its own.

#include "marketdata/QuoteBook.h"
#include "marketdata/feed/UpstoxFeedDecoder.h"
#include "marketdata/feed/UpstoxMarketFeed.h"

#include <QObject>
#include <QTimer>

#include <chrono>
#include <functional>
#include <memory>

namespace strikeline {
class Clock;
}

namespace strikeline::marketdata {

class LiveMarket final : public QObject
{
    Q_OBJECT
public:
    using FrameHook = std::function<void(const QByteArray &frame, std::int64_t receivedNs)>;
    struct Options
    {
        UpstoxMarketFeed::Options feed;
        // For the market-hours fallback; null: the system clock. Must outlive this object.
        const Clock *clock = nullptr;
        bool backfill = true;
        // Whether a key is an option (its backfill asks option-greek v3 too); null: none is.
        std::function<bool(const QString &key)> isOption;
        // Runs on the feed thread after each frame was decoded (a recorder); cheap, no throw.
        FrameHook frameHook;
        // The book's last known values on disk (LastQuotes.h): read back into the book at
        // start() (marked restored: shown by the chain, never traded on), written every
        // `saveInterval` and when this object goes, all on the thread pool. Empty: neither.
        QString lastQuotesPath;
        std::chrono::milliseconds saveInterval = std::chrono::seconds(60);
    };

    // `client` outlives this object.
    LiveMarket(upstox::UpstoxClient &client, Options options, QObject *parent = nullptr);
    ~LiveMarket() override;

    QuoteBook &book() { return *m_book; }
    const QuoteBook &book() const { return *m_book; }
    // The book, shared: a reader on another thread that took it keeps it after this is gone.
    std::shared_ptr<const QuoteBook> sharedBook() const { return m_book; }
    UpstoxFeedDecoder &decoder() { return m_decoder; }
    UpstoxMarketFeed &feed() { return *m_feed; }
    upstox::UpstoxClient &client() { return m_client; }

    void start();
    void stop();

    struct BackfillStats
    {
        int requests = 0; // backfills asked for
        int merged = 0;   // instruments updated by them
        int failures = 0; // backfills that failed (the feed's ticks still come)
        QString lastProblem;
    };
    BackfillStats backfillStats() const { return m_backfillStats; }

Q_SIGNALS:
    void backfilled(int instruments);
    // The last known values were read back: `instruments` slots, the newest received at
    // `newestMs` (epoch ms).
    void restored(int instruments, qint64 newestMs);

private:
    void backfill(const QStringList &keys);
    void restoreLastQuotes();
    // Writes the book on the thread pool; a save that finds a newer one already written skips.
    void saveLastQuotes();
    struct SaveState;

    upstox::UpstoxClient &m_client;
    Options m_options;
    std::shared_ptr<QuoteBook> m_book;
    UpstoxFeedDecoder m_decoder;
    std::unique_ptr<UpstoxMarketFeed> m_feed;
    BackfillStats m_backfillStats;
    std::shared_ptr<SaveState> m_saves;
    QTimer *m_saveTimer = nullptr;
    bool m_restoreStarted = false;
};

} // namespace strikeline::marketdata
