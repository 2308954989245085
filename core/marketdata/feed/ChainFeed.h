#pragma once

// The live side of one option chain (issue 12, "The live option chain"; docs/quotes.md): what
// the feed must carry for it, and the inputs computeLiveChain needs besides the quotes. Shared by
// `strikeline-cli chain --live` and the desktop's chain view, so both subscribe and compute the
// same way.
//
// - Subscriptions, under one consumer name on UpstoxMarketFeed: the underlying and the future of
//   the expiry in ltpc, from setChain(); the visible window's legs (ATM +- N, never the whole
//   chain) in option_greeks (ltpc, the best bid/ask, OI, volume, the broker's greeks), from
//   setWindow(). A new window changes only the keys that moved; the destructor lets go of all.
// - Reference data, from GET /v2/option/chain once per chain and then every fullChainRefresh:
//   every strike's OI (totals, PCR and max pain are over the full chain, not the window) and the
//   previous session's OI (`prev_oi`, change in OI). The previous OI is kept on disk per
//   (underlying, expiry, trading day) (PreviousOiStore), read back first, so a restart the same
//   day, or an Upstox that does not answer, still has it. The store's disk I/O runs on the
//   global thread pool, never on the caller's thread.
// - input() builds the LiveChainInput of the window, reading the quote book lock-free through
//   slot ids it looked up once.
//
// Lives on one thread (the GUI's, or the CLI's main thread); the feed and the client may live on
// others (their APIs are thread-safe and answer on this object's thread).

#include "analytics/LiveChain.h"
#include "common/Result.h"
#include "instruments/InstrumentSnapshot.h"
#include "marketdata/PreviousOi.h"
#include "marketdata/QuoteBook.h"
#include "marketdata/feed/FeedSubscriptions.h"

#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace strikeline::upstox {
class UpstoxClient;
}

namespace strikeline::marketdata {

class UpstoxMarketFeed;

class ChainFeed final : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        QString consumer = QStringLiteral("chain");
        FeedMode legMode = FeedMode::OptionGreeks;
        FeedMode referenceMode = FeedMode::Ltpc; // the underlying and the future
        QString previousOiDirectory;             // empty: previous OI is not kept on disk
        std::chrono::milliseconds fullChainRefresh{60'000}; // 0: fetched once per chain
    };

    // `client` and `book` outlive this object; `feed` should (when it goes first, nothing is
    // released).
    ChainFeed(UpstoxMarketFeed &feed, upstox::UpstoxClient &client, QuoteBook &book,
              Options options, QObject *parent = nullptr);
    ~ChainFeed() override;

    // A new chain: `chain.rows` is the expiry's whole ladder (the snapshot keeps it alive).
    // Subscribes its underlying and future, forgets the old window's legs, asks for the reference
    // data. `tradingDay` is the IST day the previous OI is the base of. An error (a feed limit)
    // leaves the previous chain's subscriptions released and says why.
    Result<void> setChain(SnapshotPtr snapshot, const OptionChain &chain, EpochDay tradingDay);
    // The visible window [begin, end) of the ladder; its legs become the subscriptions. An error
    // (a limit the window would exceed) keeps the previous window.
    Result<void> setWindow(std::size_t begin, std::size_t end);
    void clear();

    bool hasChain() const { return m_snapshot != nullptr; }
    std::size_t windowBegin() const { return m_begin; }
    std::size_t windowEnd() const { return m_end; }
    const QString &underlyingKey() const { return m_underlyingKey; }
    const QString &futureKey() const { return m_futureKey; } // empty when none is listed
    QStringList legKeys() const;                             // the window's, subscribed

    // The inputs for computeLiveChain over the window (quotes from the book, previous OI, the full
    // chain's OI). Rebuilt per call: cheap (the window's keys and a copy of the full chain). Its
    // functions read this object: use the input before this object goes.
    LiveChainInput input() const;
    // The same over any rows [begin, end) of the ladder (a view shows more than it subscribes:
    // rows outside the subscribed window show what the book last had, if anything).
    LiveChainInput input(std::size_t begin, std::size_t end) const;
    // Which chain this is (to tell whether a view's chain is still the one subscribed).
    const SnapshotPtr &snapshot() const { return m_snapshot; }
    UnderlyingId underlying() const { return m_underlying; }
    EpochDay expiry() const { return m_expiry; }

    // The underlying's and the future's LTP in the book (for centring before legs are quoted).
    std::optional<Price> underlyingPrice() const;
    std::optional<Price> futurePrice() const;

    bool previousOiKnown() const { return !m_previousOi.empty(); }
    bool fullChainKnown() const { return !m_fullChain.empty(); }
    // Why reference data is missing or old ("" when fine): for a tooltip or stderr.
    const QString &referenceProblem() const { return m_referenceProblem; }

Q_SIGNALS:
    // The previous OI or the full chain's OI arrived (or failed: referenceProblem()).
    void referenceChanged();

private:
    void requestReference();
    void loadPreviousOi();
    void savePreviousOi();
    QuoteBook::SlotId slotFor(const std::string &key) const;
    std::optional<Price> lastPrice(const QString &key) const;

    QPointer<UpstoxMarketFeed> m_feed; // a feed that went first is let go of, never touched
    upstox::UpstoxClient &m_client;
    QuoteBook &m_book;
    Options m_options;

    SnapshotPtr m_snapshot;
    UnderlyingId m_underlying = NoId;
    Segment m_segment = Segment::NseFo;
    EpochDay m_expiry = NoDay;
    EpochDay m_tradingDay = NoDay;
    std::vector<LiveChainInput::Row> m_ladder; // every strike of the expiry
    std::size_t m_begin = 0;
    std::size_t m_end = 0;
    QString m_underlyingKey; // the feed's key of the underlying (its spot/index)
    QString m_restKey;       // the key /v2/option/chain is asked by (the legs' underlying_key)
    QString m_futureKey;
    QStringList m_legKeys; // subscribed

    std::map<std::string, std::int64_t> m_previousOi;
    std::vector<ChainStrike> m_fullChain;
    QString m_referenceProblem;
    bool m_previousOiFromDisk = false;
    std::uint64_t m_generation = 0; // bumped per chain: a late answer of an old chain is ignored
    QTimer m_refresh;
    mutable std::map<std::string, QuoteBook::SlotId> m_slots;
};

} // namespace strikeline::marketdata
