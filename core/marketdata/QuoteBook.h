#pragma once

// The quote book: the latest state of every instrument the feed has spoken about (issue 12, "The
// quote book"; docs/quotes.md).
//
// Keyed by instrument key ("NSE_FO|43919"), which is stable across a master rebuild; a
// snapshot's internal ids are not. Each key owns a slot for the life of the book; a slot id never
// changes and never dangles, so a consumer looks its keys up once and then reads by id.
//
// Threads:
// - Writers (the feed thread's decoder, a REST backfill) serialise on one mutex that no reader
//   ever takes. Each slot has a writer-private shadow: a write merges into the shadow, then
//   publishes it.
// - Readers on any thread read a slot without a lock and without tearing: a seqlock whose payload
//   is stored as relaxed atomic words (Boehm, "Can seqlocks get along with programming language
//   memory models?", 2012), so the reader is race-free by the C++ memory model and under TSan. A
//   reader retries while a write is in flight; it never waits on the writer.
// - slot()/find() by key take a short mutex (a hash lookup); read(SlotId) and version(SlotId) take
//   none.
//
// Each slot carries a change counter (version: even, +2 per publish, 0 = never written) and the
// receive time of its newest packet. A UI model polls versions on its cadence (QuoteWatch) and
// re-reads only the slots that moved.

#include "common/Price.h"
#include "marketdata/MarketData.h"

#include <QString>

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace strikeline::marketdata {

// Hashes std::string and std::string_view alike, so a lookup by view allocates nothing.
struct KeyHash
{
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept
    {
        return std::hash<std::string_view>{}(text);
    }
};
using KeyMap = std::unordered_map<std::string, std::uint32_t, KeyHash, std::equal_to<>>;

struct DepthLevel
{
    Price bid;
    Price ask;
    std::int64_t bidQuantity = 0;
    std::int64_t askQuantity = 0;
};

// One instrument's merged state. Plain data, trivially copyable (it travels through the seqlock
// as words). A field is meaningful only when its bit is in `fields`: absent is not zero.
struct LiveQuote
{
    enum Field : std::uint32_t {
        Ltp = 1u << 0,
        Close = 1u << 1, // cp: the previous session's close
        LastQuantity = 1u << 2,
        LastTradeTime = 1u << 3,
        Depth = 1u << 4, // depth[0..depthLevels)
        Volume = 1u << 5,
        Oi = 1u << 6,
        AveragePrice = 1u << 7,
        TotalBuy = 1u << 8,
        TotalSell = 1u << 9,
        Iv = 1u << 10,     // the broker's IV, as sent
        Greeks = 1u << 11, // the broker's delta, gamma, theta, vega, rho, as sent
        DayOhlc = 1u << 12,
    };
    static constexpr int MaxDepth = 5;
    // Where the state came from: this run's feed or REST, or a previous run's file
    // (LastQuotes.h), which is shown but never traded on.
    enum Origin : std::int32_t { Received = 0, Restored = 1 };

    std::uint32_t fields = 0;
    std::int32_t depthLevels = 0;
    std::int32_t mode =
        -1; // the feed's RequestMode of the newest packet (0 ltpc, 1 full, 2 greeks)
    std::int32_t origin = Received; // set by Writer::publish / publishRestored
    Price ltp;
    Price close;
    std::int64_t lastQuantity = 0;
    std::int64_t lastTradeMs = 0; // ltt: epoch ms of the last trade
    std::array<DepthLevel, MaxDepth> depth{};
    std::int64_t volume = 0; // vtt: units traded today
    std::int64_t oi = 0;     // open interest in units
    Price averagePrice;      // atp
    double totalBuy = 0;     // tbq
    double totalSell = 0;    // tsq
    double iv = 0;
    double delta = 0;
    double gamma = 0;
    double theta = 0;
    double vega = 0;
    double rho = 0;
    Price open; // the day's open, high and low ("1d" bar)
    Price high;
    Price low;
    std::int64_t exchangeMs = 0; // currentTs of the frame that carried the newest packet
    std::int64_t receivedNs = 0; // Unix epoch ns when that frame was received
    std::uint64_t version = 0;   // filled by read(): the slot's change counter

    bool has(Field field) const { return (fields & field) != 0; }
};

// A segment's market status from market_info (the feed's first frame and every change).
enum class SegmentStatus { Unknown, PreOpen, PreOpenEnd, Open, Closed, ClosingStart, ClosingEnd };
QString segmentStatusName(SegmentStatus status);

class QuoteBook final : public MarketData
{
public:
    using SlotId = std::uint32_t;
    static constexpr SlotId NoSlot = ~SlotId{0};

    // At most `capacity` keys (rounded up to a whole chunk of 1024); more answers NoSlot.
    explicit QuoteBook(std::size_t capacity = 256 * 1024);
    ~QuoteBook() override;
    QuoteBook(const QuoteBook &) = delete;
    QuoteBook &operator=(const QuoteBook &) = delete;

    // Any thread. The key's slot, created empty when new (NoSlot when the book is full).
    SlotId slot(std::string_view key);
    // Any thread. The key's slot when it has one.
    std::optional<SlotId> find(std::string_view key) const;
    std::string keyOf(SlotId id) const;
    std::size_t size() const;

    // Any thread, lock-free.
    std::uint64_t version(SlotId id) const;
    // The slot's state; false (and `out` untouched) when nothing was ever written to it.
    bool read(SlotId id, LiveQuote &out) const;
    std::optional<LiveQuote> read(std::string_view key) const;

    // MarketData: the last price with depth, volume and OI, for the order path and the UI.
    // A slot restored from a previous run's file has no quote: a price of yesterday is never
    // one to trade on (the chain reads it with read(), as last known values).
    std::optional<Quote> quote(std::string_view instrumentKey) const override;

    // Writing. Take a Writer (it holds the writers' mutex), merge into shadows, publish.
    class Writer
    {
    public:
        explicit Writer(QuoteBook &book);
        // The slot's writer-private state, to merge into; publish(id) makes it visible, as
        // received this run (LiveQuote::Received).
        LiveQuote &shadow(SlotId id);
        void publish(SlotId id);
        // The same for a state read back from a previous run (LiveQuote::Restored).
        void publishRestored(SlotId id);
        // The writer's own key -> slot cache in front of the book's map.
        SlotId slot(std::string_view key);

    private:
        void publishAs(SlotId id);
        QuoteBook &m_book;
        std::unique_lock<std::mutex> m_lock;
    };

    void setSegmentStatus(const QString &segment, SegmentStatus status, std::int64_t atMs);
    SegmentStatus segmentStatus(const QString &segment) const;
    std::map<QString, SegmentStatus> segmentStatuses() const;
    // Bumped by every setSegmentStatus that changed something.
    std::uint64_t segmentVersion() const;

private:
    struct Slot;
    struct Chunk;
    static constexpr std::size_t ChunkSize = 1024;
    static constexpr std::size_t MaxChunks = 1024;

    Slot *slotAt(SlotId id) const;

    std::size_t m_capacity;
    std::array<std::atomic<Chunk *>, MaxChunks> m_chunks{};
    std::atomic<std::uint32_t> m_count{0};

    mutable std::mutex m_keysMutex; // keys -> slots
    KeyMap m_ids;
    std::vector<std::string> m_keys;

    std::mutex m_writeMutex; // writers only; readers never take it
    KeyMap m_cached;         // the writers' cache, under m_writeMutex

    mutable std::mutex m_segmentMutex;
    std::map<QString, SegmentStatus> m_segments;
    std::atomic<std::uint64_t> m_segmentVersion{0};
};

// Which of a fixed list of slots moved since the last poll, for a model on a UI cadence.
class QuoteWatch
{
public:
    explicit QuoteWatch(const QuoteBook &book)
        : m_book(book)
    {}
    void setSlots(std::vector<QuoteBook::SlotId> ids);
    const std::vector<QuoteBook::SlotId> &ids() const { return m_ids; }
    // The indexes (into ids()) whose version changed since the previous poll; lock-free.
    std::vector<int> poll();

private:
    const QuoteBook &m_book;
    std::vector<QuoteBook::SlotId> m_ids;
    std::vector<std::uint64_t> m_seen;
};

} // namespace strikeline::marketdata
