#include "marketdata/QuoteBook.h"

#include <bit>
#include <type_traits>

namespace strikeline::marketdata {

static_assert(std::is_trivially_copyable_v<LiveQuote>);
static_assert(sizeof(LiveQuote) % sizeof(std::uint64_t) == 0);

namespace {

constexpr std::size_t Words = sizeof(LiveQuote) / sizeof(std::uint64_t);

} // namespace

// alignas keeps two slots off one cache line: a reader of one never slows the writer of another.
struct alignas(64) QuoteBook::Slot
{
    std::atomic<std::uint64_t> sequence{0}; // odd while a write is in flight
    std::array<std::atomic<std::uint64_t>, Words> words{};
    LiveQuote shadow; // the writers' copy, under m_writeMutex; readers never touch it
};

struct QuoteBook::Chunk
{
    std::array<Slot, ChunkSize> slots;
};

QString segmentStatusName(SegmentStatus status)
{
    switch (status) {
    case SegmentStatus::Unknown:
        return QStringLiteral("unknown");
    case SegmentStatus::PreOpen:
        return QStringLiteral("pre-open");
    case SegmentStatus::PreOpenEnd:
        return QStringLiteral("pre-open ended");
    case SegmentStatus::Open:
        return QStringLiteral("open");
    case SegmentStatus::Closed:
        return QStringLiteral("closed");
    case SegmentStatus::ClosingStart:
        return QStringLiteral("closing session");
    case SegmentStatus::ClosingEnd:
        return QStringLiteral("closing session ended");
    }
    return QStringLiteral("unknown");
}

QuoteBook::QuoteBook(std::size_t capacity)
    : m_capacity(
          std::min(MaxChunks * ChunkSize,
                   (std::max<std::size_t>(capacity, 1) + ChunkSize - 1) / ChunkSize * ChunkSize))
{}

QuoteBook::~QuoteBook()
{
    for (auto &chunk : m_chunks)
        delete chunk.load(std::memory_order_relaxed);
}

QuoteBook::Slot *QuoteBook::slotAt(SlotId id) const
{
    if (id >= m_count.load(std::memory_order_acquire))
        return nullptr;
    Chunk *chunk = m_chunks[id / ChunkSize].load(std::memory_order_acquire);
    return chunk ? &chunk->slots[id % ChunkSize] : nullptr;
}

QuoteBook::SlotId QuoteBook::slot(std::string_view key)
{
    const std::lock_guard lock(m_keysMutex);
    if (const auto it = m_ids.find(key); it != m_ids.end())
        return it->second;
    const std::uint32_t id = m_count.load(std::memory_order_relaxed);
    if (id >= m_capacity)
        return NoSlot;
    auto &chunk = m_chunks[id / ChunkSize];
    if (!chunk.load(std::memory_order_relaxed))
        chunk.store(new Chunk, std::memory_order_release);
    m_ids.emplace(std::string(key), id);
    m_keys.emplace_back(key);
    m_count.store(id + 1, std::memory_order_release);
    return id;
}

std::optional<QuoteBook::SlotId> QuoteBook::find(std::string_view key) const
{
    const std::lock_guard lock(m_keysMutex);
    if (const auto it = m_ids.find(key); it != m_ids.end())
        return it->second;
    return std::nullopt;
}

std::string QuoteBook::keyOf(SlotId id) const
{
    const std::lock_guard lock(m_keysMutex);
    return id < m_keys.size() ? m_keys[id] : std::string();
}

std::size_t QuoteBook::size() const
{
    return m_count.load(std::memory_order_acquire);
}

std::uint64_t QuoteBook::version(SlotId id) const
{
    const Slot *slot = slotAt(id);
    if (!slot)
        return 0;
    // An odd sequence is a write in flight: report the version it is leaving.
    return slot->sequence.load(std::memory_order_acquire) & ~std::uint64_t{1};
}

bool QuoteBook::read(SlotId id, LiveQuote &out) const
{
    const Slot *slot = slotAt(id);
    if (!slot)
        return false;
    std::array<std::uint64_t, Words> copy;
    std::uint64_t before = 0;
    for (;;) {
        before = slot->sequence.load(std::memory_order_acquire);
        if (before == 0)
            return false;
        if (before & 1) {
            // A write is in flight; it is a handful of stores long.
            continue;
        }
        for (std::size_t i = 0; i < Words; ++i)
            copy[i] = slot->words[i].load(std::memory_order_relaxed);
        std::atomic_thread_fence(std::memory_order_acquire);
        if (slot->sequence.load(std::memory_order_relaxed) == before)
            break;
    }
    out = std::bit_cast<LiveQuote>(copy);
    out.version = before;
    return true;
}

std::optional<LiveQuote> QuoteBook::read(std::string_view key) const
{
    const auto id = find(key);
    LiveQuote quote;
    if (!id || !read(*id, quote))
        return std::nullopt;
    return quote;
}

std::optional<Quote> QuoteBook::quote(std::string_view instrumentKey) const
{
    const auto live = read(instrumentKey);
    if (!live || !live->has(LiveQuote::Ltp) || live->origin == LiveQuote::Restored)
        return std::nullopt;
    Quote quote;
    quote.last = live->ltp;
    if (live->has(LiveQuote::Close))
        quote.previousClose = live->close;
    quote.timeMs =
        live->has(LiveQuote::LastTradeTime) ? live->lastTradeMs : live->receivedNs / 1'000'000;
    quote.simulated = false;
    if (live->has(LiveQuote::Depth) && live->depthLevels > 0) {
        const DepthLevel &top = live->depth[0];
        if (top.bid.isPositive()) {
            quote.bid = top.bid;
            quote.bidQuantity = top.bidQuantity;
        }
        if (top.ask.isPositive()) {
            quote.ask = top.ask;
            quote.askQuantity = top.askQuantity;
        }
    }
    if (live->has(LiveQuote::Volume))
        quote.volume = live->volume;
    if (live->has(LiveQuote::Oi))
        quote.oi = live->oi;
    return quote;
}

QuoteBook::Writer::Writer(QuoteBook &book)
    : m_book(book)
    , m_lock(book.m_writeMutex)
{}

LiveQuote &QuoteBook::Writer::shadow(SlotId id)
{
    return m_book.slotAt(id)->shadow;
}

void QuoteBook::Writer::publish(SlotId id)
{
    m_book.slotAt(id)->shadow.origin = LiveQuote::Received;
    publishAs(id);
}

void QuoteBook::Writer::publishRestored(SlotId id)
{
    m_book.slotAt(id)->shadow.origin = LiveQuote::Restored;
    publishAs(id);
}

void QuoteBook::Writer::publishAs(SlotId id)
{
    Slot *slot = m_book.slotAt(id);
    const auto copy = std::bit_cast<std::array<std::uint64_t, Words>>(slot->shadow);
    const std::uint64_t sequence = slot->sequence.load(std::memory_order_relaxed);
    slot->sequence.store(sequence + 1, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);
    for (std::size_t i = 0; i < Words; ++i)
        slot->words[i].store(copy[i], std::memory_order_relaxed);
    slot->sequence.store(sequence + 2, std::memory_order_release);
}

QuoteBook::SlotId QuoteBook::Writer::slot(std::string_view key)
{
    // The writers' own cache spares the feed thread the readers' mutex on every packet.
    auto &cache = m_book.m_cached;
    if (const auto it = cache.find(key); it != cache.end())
        return it->second;
    const SlotId id = m_book.slot(key);
    if (id != NoSlot)
        cache.emplace(std::string(key), id);
    return id;
}

void QuoteBook::setSegmentStatus(const QString &segment, SegmentStatus status, std::int64_t)
{
    const std::lock_guard lock(m_segmentMutex);
    auto &current = m_segments[segment];
    if (current != status) {
        current = status;
        m_segmentVersion.fetch_add(1, std::memory_order_release);
    }
}

SegmentStatus QuoteBook::segmentStatus(const QString &segment) const
{
    const std::lock_guard lock(m_segmentMutex);
    const auto it = m_segments.find(segment);
    return it == m_segments.end() ? SegmentStatus::Unknown : it->second;
}

std::map<QString, SegmentStatus> QuoteBook::segmentStatuses() const
{
    const std::lock_guard lock(m_segmentMutex);
    return m_segments;
}

std::uint64_t QuoteBook::segmentVersion() const
{
    return m_segmentVersion.load(std::memory_order_acquire);
}

void QuoteWatch::setSlots(std::vector<QuoteBook::SlotId> ids)
{
    m_ids = std::move(ids);
    m_seen.assign(m_ids.size(), 0);
}

std::vector<int> QuoteWatch::poll()
{
    std::vector<int> changed;
    for (std::size_t i = 0; i < m_ids.size(); ++i) {
        const std::uint64_t now = m_book.version(m_ids[i]);
        if (now != m_seen[i]) {
            m_seen[i] = now;
            changed.push_back(static_cast<int>(i));
        }
    }
    return changed;
}

} // namespace strikeline::marketdata
