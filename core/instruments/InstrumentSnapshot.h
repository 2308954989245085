#pragma once

#include "Instrument.h"
#include "common/Result.h"

#include <QString>

#include <absl/container/flat_hash_set.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace strikeline {

using InstrumentId = std::uint32_t; // index into the snapshot; valid for that snapshot only
using UnderlyingId = std::uint32_t; // one (segment, underlying symbol): the chain's owner
using RootId = std::uint32_t;       // one symbol across segments ("USDINR" on NCD and BCD)
inline constexpr std::uint32_t NoId = 0xFFFFFFFFu;

// Where the instruments came from, for the status bar and staleness warnings.
struct MasterInfo
{
    QString source;                // file path or URL
    QString description;           // "complete-2025-12-09.json.gz", "demo master (generated)"
    bool demo = false;             // generated data, never to be mistaken for the real master
    std::int64_t loadedAtMs = 0;   // when the snapshot was built (epoch ms)
    std::int64_t masterTimeMs = 0; // when the master was published/synced, 0 if unknown
    EpochDay masterDay = NoDay;    // the master's own business (BOD) day; NoDay if unknown
    std::int64_t syncRunId = 0;    // the sync run that last saw every active row; 0: not a DB
};

// ---- compact storage (internal layout, exposed so views stay inline) ----------------------

namespace detail {
// 48 bytes. The key and trading symbol live in the arena at m_keyLocations[id].
struct CompactInstrument
{
    std::int64_t strike;           // Price raw
    std::uint32_t nameId;          // interned
    std::uint32_t underlyingKeyId; // interned
    std::uint32_t exchangeToken;
    std::int32_t tick; // Price raw
    std::int32_t lot;
    std::int32_t freeze;
    std::int32_t qtyMultiplier;
    UnderlyingId underlying;  // NoId for equities/indices without derivatives
    std::uint16_t expiryDays; // days since 1970-01-01 (to 2149); NoExpiry when none
    std::uint16_t typeCodeId; // interned
    std::uint8_t symbolLength;
    Segment segment;
    InstrumentKind kind;
    bool weekly;

    static constexpr std::uint16_t NoExpiry = 0xFFFF;
    EpochDay expiry() const { return expiryDays == NoExpiry ? NoDay : EpochDay(expiryDays); }
    void setExpiry(EpochDay day)
    {
        expiryDays = day >= 0 && day < NoExpiry ? static_cast<std::uint16_t>(day) : NoExpiry;
    }
};
static_assert(sizeof(CompactInstrument) == 48);

struct StrikeRow
{
    std::int64_t strike; // Price raw
    InstrumentId call;   // NoId when only the put exists
    InstrumentId put;
};

struct ExpiryNode
{
    EpochDay day;
    bool weekly;
    std::uint32_t firstRow; // into strikeRows
    std::uint32_t rowCount;
    std::int64_t midStrike; // median strike: the ATM proxy when no price is known
};

struct UnderlyingNode
{
    Segment segment;
    RootId root;
    InstrumentId spot;         // the equity/index this derives from, if in the master
    std::uint32_t firstFuture; // into futureIds, sorted by expiry
    std::uint32_t futureCount;
    std::uint32_t firstExpiry; // into expiries, sorted by day
    std::uint32_t expiryCount;
    std::uint32_t contractCount;
};

struct RootNode
{
    std::uint32_t symbolId;        // interned
    std::uint32_t firstUnderlying; // into rootUnderlyings
    std::uint32_t underlyingCount;
    std::uint32_t firstSpot; // into rootSpots: equities/indices with this trading symbol
    std::uint32_t spotCount;
    std::uint32_t contractCount;
    std::uint32_t firstNameWord; // into nameWordIds: words of the company/index name
    std::uint32_t nameWordCount;
};

struct SearchTerm
{
    std::uint32_t stringId; // interned, upper case
    RootId root;
    bool isSymbol; // the root's symbol itself, else a word of its name
};
} // namespace detail

// ---- read-only views ------------------------------------------------------------------------

class InstrumentSnapshot;

// A cheap handle to one instrument of one snapshot. Keep the snapshot alive while using it.
class InstrumentView
{
public:
    InstrumentView(const InstrumentSnapshot &snapshot, InstrumentId id);

    InstrumentId id() const { return m_id; }
    std::string_view instrumentKey() const;
    std::string_view tradingSymbol() const;
    std::string_view name() const;
    std::string_view underlyingSymbol() const;
    std::string_view underlyingKey() const;
    std::string_view typeCode() const;
    std::uint32_t exchangeToken() const { return m_c->exchangeToken; }
    Segment segment() const { return m_c->segment; }
    InstrumentKind kind() const { return m_c->kind; }
    bool weekly() const { return m_c->weekly; }
    EpochDay expiry() const { return m_c->expiry(); }
    Price strike() const { return Price::fromRaw(m_c->strike); }
    Price tickSize() const { return Price::fromRaw(m_c->tick); }
    std::int32_t lotSize() const { return m_c->lot; }
    std::int32_t freezeQuantity() const { return m_c->freeze; }
    std::int32_t qtyMultiplier() const { return m_c->qtyMultiplier; }
    QuantityUnit quantityUnit() const { return quantityUnitFor(m_c->segment); }
    std::int32_t maxLotsPerOrder() const;
    UnderlyingId underlying() const { return m_c->underlying; }
    bool isExpiredAt(EpochDay today) const
    {
        return m_c->expiry() != NoDay && m_c->expiry() < today;
    }

    InstrumentRecord toRecord() const;

private:
    const InstrumentSnapshot *m_snapshot;
    const detail::CompactInstrument *m_c;
    InstrumentId m_id;
};

// Everything a trader checks before an order, as plain values.
struct ContractInfo
{
    std::string_view instrumentKey;
    std::string_view tradingSymbol;
    std::string_view underlyingSymbol;
    Segment segment;
    InstrumentKind kind;
    EpochDay expiry;
    Price strike;
    Price tickSize;
    std::int32_t lotSize;
    std::int32_t freezeQuantity;
    std::int32_t maxLotsPerOrder;
    QuantityUnit quantityUnit;
    bool weekly;
};

// One expiry of an underlying, for expiry pickers.
struct ExpiryInfo
{
    EpochDay day;
    bool weekly;
    int strikeCount;
};

enum class Moneyness : std::uint8_t { Itm, Atm, Otm };
std::string_view moneynessName(Moneyness m); // "ITM", "ATM", "OTM"

// Gives a price for an underlying (e.g. from market data or the trader's input), if known.
using SpotLookup = std::function<std::optional<Price>(std::string_view underlyingSymbol)>;

struct SearchRequest
{
    std::string_view text;
    int limit = 20;
    EpochDay today = NoDay; // as-of day: expired contracts are hidden, "near" is relative
    bool includeExpired = false;
    SpotLookup spot; // optional: ranks strikes by distance from the price
};

struct SearchHit
{
    InstrumentId id;
};

struct ChainRequest
{
    UnderlyingId underlying = NoId;
    EpochDay expiry = NoDay; // NoDay: the nearest expiry on or after `today`
    EpochDay today = NoDay;
    std::optional<Price> spot; // the underlying's price, if known: drives moneyness and ATM
    int strikesAroundAtm = 0;  // 0: every strike; N: ATM +- N strikes
};

// An option chain: a window of strike rows (ascending) for one expiry, CE and PE side by side.
struct OptionChain
{
    UnderlyingId underlying = NoId;
    EpochDay expiry = NoDay;
    bool weekly = false;
    std::optional<Price> spot;
    std::optional<Price> atmStrike; // strike nearest the spot (lower on a tie)
    Price referenceStrike;          // ATM, or the median strike when no spot is known
    std::span<const detail::StrikeRow> rows;

    // CE is ITM below the spot, PE above; the ATM row is ATM on both sides.
    std::optional<Moneyness> callMoneyness(const detail::StrikeRow &row) const;
    std::optional<Moneyness> putMoneyness(const detail::StrikeRow &row) const;
};

struct BuildReport
{
    std::int64_t instruments = 0;
    std::int64_t duplicateKeys = 0; // later rows with an already-seen key (skipped)
    std::vector<std::string> duplicateExamples;
    // Keys whose rows disagree: none of them is in the snapshot (which one is right cannot be
    // told), as if the rows were invalid. The identical repeats only count in duplicateKeys.
    std::int64_t conflictingKeys = 0;
    std::vector<std::string> conflictingExamples;
    std::int64_t buildMicros = 0;
};

// An immutable, fully indexed set of instruments. Built once (SnapshotBuilder), then shared by
// any number of reader threads without locks. All lookups are O(1), search touches only the
// roots that match, a chain is a slice of a presorted array.
class InstrumentSnapshot
{
public:
    ~InstrumentSnapshot();
    InstrumentSnapshot(const InstrumentSnapshot &) = delete;
    InstrumentSnapshot &operator=(const InstrumentSnapshot &) = delete;

    std::size_t size() const { return m_instruments.size(); }
    const MasterInfo &info() const { return m_info; }
    // Earliest expiry among derivatives: a master published on day D has none before D.
    EpochDay earliestExpiry() const { return m_earliestExpiry; }
    // Derivatives already expired on `today`: non-zero means the master is older than today's.
    std::int64_t expiredContractsAt(EpochDay today) const;
    std::size_t memoryBytes() const; // what the snapshot allocated, measured by its allocator

    InstrumentView instrument(InstrumentId id) const { return {*this, id}; }
    std::optional<InstrumentId> findByKey(std::string_view instrumentKey) const;
    std::optional<InstrumentId> findByToken(Segment segment, std::uint32_t exchangeToken) const;
    std::optional<InstrumentId> findBySymbol(Segment segment, std::string_view tradingSymbol) const;
    // A key, or else a trading symbol in any segment (NSE first), or SEGMENT:SYMBOL.
    std::optional<InstrumentId> resolve(std::string_view keyOrSymbol) const;
    ContractInfo contractInfo(InstrumentId id) const;

    // Underlyings: "NIFTY" -> NSE_FO NIFTY. A symbol traded in several segments (USDINR on
    // NCD_FO and BCD_FO) resolves to the one with the most contracts unless a segment is given.
    std::optional<UnderlyingId> findUnderlying(std::string_view symbol,
                                               std::optional<Segment> segment = {}) const;
    std::size_t underlyingCount() const { return m_underlyings.size(); }
    std::string_view underlyingSymbol(UnderlyingId id) const;
    Segment underlyingSegment(UnderlyingId id) const { return m_underlyings[id].segment; }
    std::optional<InstrumentId> underlyingSpot(UnderlyingId id) const;
    std::vector<ExpiryInfo> expiries(UnderlyingId id, EpochDay today,
                                     bool includeExpired = false) const;
    std::span<const InstrumentId> futures(UnderlyingId id) const;
    // The option chain; NotFound when the underlying has no options expiring that day.
    Result<OptionChain> chain(const ChainRequest &request) const;

    std::vector<SearchHit> search(const SearchRequest &request) const;
    // For a query search() found nothing for: the query with each word that names no symbol
    // corrected to the closest one ("niftty 25000 ce" -> "NIFTY 25000 CE"), when the corrected
    // query finds something; else nothing. Slower than search (it reads every term): call it
    // only when there are no results.
    std::optional<std::string> suggest(const SearchRequest &request) const;

private:
    friend class SnapshotBuilder;
    friend class InstrumentView;
    friend class SearchEngine;
    InstrumentSnapshot();

    std::string_view text(std::uint32_t offset, std::uint32_t length) const
    {
        return {m_arena.data() + offset, length};
    }
    std::string_view interned(std::uint32_t id) const;
    // The key lookup's compare reads this 8-byte-per-instrument array (about 1 MB, cache
    // resident) instead of the 64-byte records: one cache miss fewer per lookup.
    std::string_view keyText(InstrumentId id) const
    {
        const std::uint64_t loc = m_keyLocations[id];
        return {m_arena.data() + (loc >> 8), static_cast<std::size_t>(loc & 0xFF)};
    }

    // Transparent hashing over instrument ids: the tables hold 4-byte ids, not keys.
    struct KeyHash
    {
        using is_transparent = void;
        const InstrumentSnapshot *s;
        std::size_t operator()(InstrumentId id) const;
        std::size_t operator()(std::string_view key) const;
    };
    struct KeyEq
    {
        using is_transparent = void;
        const InstrumentSnapshot *s;
        // Two ids are equal when their keys are: that is how a duplicate key is detected.
        bool operator()(InstrumentId a, InstrumentId b) const;
        bool operator()(InstrumentId a, std::string_view b) const;
        bool operator()(std::string_view a, InstrumentId b) const { return (*this)(b, a); }
    };
    struct TokenKey
    {
        std::uint64_t packed;
    };
    struct TokenHash
    {
        using is_transparent = void;
        const InstrumentSnapshot *s;
        std::size_t operator()(InstrumentId id) const;
        std::size_t operator()(TokenKey key) const;
    };
    struct TokenEq
    {
        using is_transparent = void;
        const InstrumentSnapshot *s;
        bool operator()(InstrumentId a, InstrumentId b) const;
        bool operator()(InstrumentId a, TokenKey b) const;
        bool operator()(TokenKey a, InstrumentId b) const { return (*this)(b, a); }
    };
    struct SymbolKey
    {
        Segment segment;
        std::string_view symbol;
    };
    struct SymbolHash
    {
        using is_transparent = void;
        const InstrumentSnapshot *s;
        std::size_t operator()(InstrumentId id) const;
        std::size_t operator()(SymbolKey key) const;
    };
    struct SymbolEq
    {
        using is_transparent = void;
        const InstrumentSnapshot *s;
        bool operator()(InstrumentId a, InstrumentId b) const;
        bool operator()(InstrumentId a, SymbolKey b) const;
        bool operator()(SymbolKey a, InstrumentId b) const { return (*this)(b, a); }
    };
    static std::uint64_t packToken(Segment segment, std::uint32_t token)
    {
        return (static_cast<std::uint64_t>(segment) << 32) | token;
    }

    MasterInfo m_info;
    std::string m_arena;                        // keys and trading symbols
    std::string m_strings;                      // interned strings
    std::vector<std::uint32_t> m_internOffsets; // interned id -> arena offset
    std::vector<std::uint16_t> m_internLengths;
    std::vector<detail::CompactInstrument> m_instruments;
    std::vector<std::uint64_t> m_keyLocations; // arena offset << 8 | key length
    std::vector<detail::UnderlyingNode> m_underlyings;
    std::vector<detail::ExpiryNode> m_expiries;
    std::vector<detail::StrikeRow> m_strikeRows;
    std::vector<InstrumentId> m_futureIds;
    std::vector<detail::RootNode> m_roots; // sorted by rank: id 0 ranks first
    std::vector<UnderlyingId> m_rootUnderlyings;
    std::vector<InstrumentId> m_rootSpots;
    std::vector<std::uint32_t> m_nameWordIds;
    std::vector<detail::SearchTerm> m_terms; // sorted by text
    // (expiry day, derivatives expiring on or before it), ascending by day.
    std::vector<std::pair<EpochDay, std::int64_t>> m_expiryHistogram;
    EpochDay m_earliestExpiry = NoDay;
    absl::flat_hash_set<InstrumentId, KeyHash, KeyEq> m_byKey;
    absl::flat_hash_set<InstrumentId, TokenHash, TokenEq> m_byToken;
    absl::flat_hash_set<InstrumentId, SymbolHash, SymbolEq> m_bySymbol;
    std::size_t m_memoryBytes = 0;
};

using SnapshotPtr = std::shared_ptr<const InstrumentSnapshot>;

// Collects records (from a reader or a database) and builds a snapshot. Not thread-safe; use it
// on one thread (the hydration worker), then publish the result.
class SnapshotBuilder
{
public:
    SnapshotBuilder();
    ~SnapshotBuilder();
    SnapshotBuilder(const SnapshotBuilder &) = delete;
    SnapshotBuilder &operator=(const SnapshotBuilder &) = delete;

    void reserve(std::size_t instruments);
    // Adds one record. A key seen before: the same record again is skipped and counted; a
    // different one drops the key from the snapshot (BuildReport::conflictingKeys).
    void add(InstrumentRecord &&record);
    std::size_t size() const;

    // Builds the indexes. The builder is empty afterwards.
    SnapshotPtr build(MasterInfo info, BuildReport *report = nullptr);

private:
    struct State;
    std::unique_ptr<State> m_state;
};

} // namespace strikeline
