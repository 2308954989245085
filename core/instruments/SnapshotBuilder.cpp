#include "InstrumentSnapshot.h"

#include <QDateTime>
#include <QElapsedTimer>

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>

#include <algorithm>
#include <cctype>
#include <limits>
#include <numeric>
#include <thread>

namespace strikeline {

using detail::CompactInstrument;

struct SnapshotBuilder::State
{
    std::unique_ptr<InstrumentSnapshot> snapshot{new InstrumentSnapshot()};
    absl::flat_hash_map<std::string, std::uint32_t> interned;
    std::vector<std::uint32_t> rootSymbolOf; // per instrument: interned underlying symbol
    absl::flat_hash_map<std::uint64_t, UnderlyingId> underlyingOf; // (segment, symbol id)
    std::vector<std::uint32_t> underlyingSymbol;                   // per underlying: symbol id
    std::vector<Segment> underlyingSegment;                        // per underlying
    std::vector<InstrumentId> underlyingFirst;                     // per underlying: a contract
    std::vector<std::uint32_t> underlyingContracts;                // per underlying: how many
    BuildReport report;

    std::uint32_t internedCount() const { return static_cast<std::uint32_t>(interned.size()); }

    // Masters list a contract's siblings together, so the previous row's strings usually repeat:
    // a one-entry cache per field skips most hash lookups.
    struct LastInterned
    {
        std::string text;
        std::uint32_t id = 0;
        bool valid = false;
    };
    std::uint32_t internCached(LastInterned &last, std::string_view s)
    {
        if (last.valid && last.text == s)
            return last.id;
        last.text.assign(s);
        last.id = intern(s);
        last.valid = true;
        return last.id;
    }
    LastInterned lastName, lastUnderlyingKey, lastTypeCode, lastSymbol;

    // Instruments whose key came again with different data: dropped before the build.
    absl::flat_hash_set<InstrumentId> conflicting;

    // Whether `r` is what instrument `id` was added from (as far as the snapshot keeps it).
    bool sameRecord(InstrumentId id, const InstrumentRecord &r) const
    {
        const InstrumentSnapshot &snap = *snapshot;
        const CompactInstrument &c = snap.m_instruments[id];
        auto internedIs = [&](std::uint32_t stored, const std::string &text) {
            return snap.interned(stored) == std::string_view(text).substr(0, 0xFFFF);
        };
        const std::uint64_t loc = snap.m_keyLocations[id];
        const std::string_view symbol =
            snap.text(static_cast<std::uint32_t>((loc >> 8) + (loc & 0xFF)), c.symbolLength);
        CompactInstrument probe{};
        probe.setExpiry(r.expiry);
        return symbol == std::string_view(r.tradingSymbol).substr(0, 255) &&
               internedIs(c.nameId, r.name) && internedIs(c.underlyingKeyId, r.underlyingKey) &&
               internedIs(c.typeCodeId, r.typeCode) &&
               internedIs(rootSymbolOf[id], r.underlyingSymbol) && c.strike == r.strike.raw() &&
               c.exchangeToken == r.exchangeToken &&
               c.tick == static_cast<std::int32_t>(r.tickSize.raw()) && c.lot == r.lotSize &&
               c.freeze == r.freezeQuantity && c.qtyMultiplier == r.qtyMultiplier &&
               c.expiryDays == probe.expiryDays && c.segment == r.segment && c.kind == r.kind &&
               c.weekly == r.weekly;
    }

    // Removes the conflicting instruments: ids, underlyings and the key table are renumbered
    // from the rows that remain. Rare (a broken master), so a plain rebuild.
    void dropConflicting()
    {
        InstrumentSnapshot &snap = *snapshot;
        const auto n = static_cast<InstrumentId>(snap.m_instruments.size());
        InstrumentId kept = 0;
        for (InstrumentId id = 0; id < n; ++id) {
            if (conflicting.contains(id))
                continue;
            snap.m_instruments[kept] = snap.m_instruments[id];
            snap.m_keyLocations[kept] = snap.m_keyLocations[id];
            rootSymbolOf[kept] = rootSymbolOf[id];
            ++kept;
        }
        snap.m_instruments.resize(kept);
        snap.m_keyLocations.resize(kept);
        rootSymbolOf.resize(kept);
        underlyingOf.clear();
        underlyingSymbol.clear();
        underlyingSegment.clear();
        underlyingFirst.clear();
        underlyingContracts.clear();
        snap.m_byKey.clear();
        for (InstrumentId id = 0; id < kept; ++id) {
            snap.m_byKey.insert(id);
            CompactInstrument &c = snap.m_instruments[id];
            if (!isDerivative(c.kind))
                continue;
            const std::uint64_t key =
                (static_cast<std::uint64_t>(c.segment) << 32) | rootSymbolOf[id];
            auto [it, inserted] =
                underlyingOf.try_emplace(key, static_cast<UnderlyingId>(underlyingSymbol.size()));
            if (inserted) {
                underlyingSymbol.push_back(rootSymbolOf[id]);
                underlyingSegment.push_back(c.segment);
                underlyingFirst.push_back(id);
                underlyingContracts.push_back(0);
            }
            c.underlying = it->second;
            ++underlyingContracts[c.underlying];
        }
        conflicting.clear();
    }

    std::uint32_t intern(std::string_view s)
    {
        if (const auto found = interned.find(absl::string_view(s.data(), s.size()));
            found != interned.end())
            return found->second;
        auto [it, inserted] = interned.try_emplace(std::string(s), 0);
        if (inserted) {
            auto &snap = *snapshot;
            it->second = static_cast<std::uint32_t>(snap.m_internOffsets.size());
            snap.m_internOffsets.push_back(static_cast<std::uint32_t>(snap.m_strings.size()));
            snap.m_internLengths.push_back(
                static_cast<std::uint16_t>(std::min<std::size_t>(s.size(), 0xFFFF)));
            snap.m_strings.append(s.substr(0, 0xFFFF));
        }
        return it->second;
    }
};

SnapshotBuilder::SnapshotBuilder()
    : m_state(std::make_unique<State>())
{
    m_state->intern({}); // id 0: the empty string
}

SnapshotBuilder::~SnapshotBuilder() = default;

void SnapshotBuilder::reserve(std::size_t instruments)
{
    auto &snap = *m_state->snapshot;
    snap.m_instruments.reserve(instruments);
    snap.m_keyLocations.reserve(instruments);
    snap.m_arena.reserve(instruments * 40);
    snap.m_byKey.reserve(instruments);
    m_state->rootSymbolOf.reserve(instruments);
}

std::size_t SnapshotBuilder::size() const
{
    return m_state->snapshot->m_instruments.size();
}

void SnapshotBuilder::add(InstrumentRecord &&r)
{
    State &st = *m_state;
    InstrumentSnapshot &snap = *st.snapshot;
    const auto id = static_cast<InstrumentId>(snap.m_instruments.size());
    CompactInstrument &c = snap.m_instruments.emplace_back();
    const auto textOffset = static_cast<std::uint32_t>(snap.m_arena.size());
    const auto keyLength =
        static_cast<std::uint8_t>(std::min<std::size_t>(r.instrumentKey.size(), 255));
    c.symbolLength = static_cast<std::uint8_t>(std::min<std::size_t>(r.tradingSymbol.size(), 255));
    snap.m_arena.append(r.instrumentKey, 0, keyLength);
    snap.m_keyLocations.push_back((static_cast<std::uint64_t>(textOffset) << 8) | keyLength);
    // Insert the key first and undo on a duplicate: one hash of the key per row, not two.
    if (!snap.m_byKey.insert(id).second) {
        const InstrumentId existing =
            *snap.m_byKey.find(std::string_view(r.instrumentKey).substr(0, keyLength));
        snap.m_instruments.pop_back();
        snap.m_keyLocations.pop_back();
        snap.m_arena.resize(textOffset);
        ++st.report.duplicateKeys;
        if (st.report.duplicateExamples.size() < 10)
            st.report.duplicateExamples.push_back(r.instrumentKey);
        if (!st.sameRecord(existing, r) && st.conflicting.insert(existing).second) {
            ++st.report.conflictingKeys;
            if (st.report.conflictingExamples.size() < 10)
                st.report.conflictingExamples.push_back(r.instrumentKey);
        }
        return;
    }
    snap.m_arena.append(r.tradingSymbol, 0, c.symbolLength);
    c.strike = r.strike.raw();
    c.nameId = st.internCached(st.lastName, r.name);
    c.underlyingKeyId = st.internCached(st.lastUnderlyingKey, r.underlyingKey);
    c.typeCodeId = static_cast<std::uint16_t>(st.internCached(st.lastTypeCode, r.typeCode));
    c.exchangeToken = r.exchangeToken;
    c.tick = static_cast<std::int32_t>(r.tickSize.raw());
    c.lot = r.lotSize;
    c.freeze = r.freezeQuantity;
    c.qtyMultiplier = r.qtyMultiplier;
    c.setExpiry(r.expiry);
    c.segment = r.segment;
    c.kind = r.kind;
    c.weekly = r.weekly;
    c.underlying = NoId;
    const std::uint32_t symbolId = st.internCached(st.lastSymbol, r.underlyingSymbol);
    if (isDerivative(r.kind)) {
        const std::uint64_t key = (static_cast<std::uint64_t>(r.segment) << 32) | symbolId;
        auto [it, inserted] =
            st.underlyingOf.try_emplace(key, static_cast<UnderlyingId>(st.underlyingSymbol.size()));
        if (inserted) {
            st.underlyingSymbol.push_back(symbolId);
            st.underlyingSegment.push_back(r.segment);
            st.underlyingFirst.push_back(id);
            st.underlyingContracts.push_back(0);
        }
        c.underlying = it->second;
        ++st.underlyingContracts[c.underlying];
    }
    st.rootSymbolOf.push_back(symbolId);
}

namespace {

bool isStopWord(std::string_view w)
{
    static constexpr std::string_view stop[] = {
        "LTD", "LIMITED", "THE", "OF", "AND", "CO", "INC", "CORP", "CORPORATION", "COMPANY", "&"};
    return std::find(std::begin(stop), std::end(stop), w) != std::end(stop);
}

// Upper-case words of a name: "Tata Steel Limited" -> TATA, STEEL. The views point into
// `buffer`, which is rebuilt on every call.
void nameWords(std::string_view name, std::string_view symbol, std::vector<std::string_view> &out,
               std::string &buffer)
{
    out.clear();
    buffer.clear();
    buffer.reserve(name.size() + 1);
    std::size_t start = 0;
    auto flush = [&] {
        const std::string_view w(buffer.data() + start, buffer.size() - start);
        if (w.size() >= 2 && !isStopWord(w) && w != symbol &&
            std::find(out.begin(), out.end(), w) == out.end())
            out.push_back(w);
        else
            buffer.resize(start);
        start = buffer.size();
    };
    for (char ch : name) {
        const auto u = static_cast<unsigned char>(ch);
        if (std::isalnum(u) || ch == '&' || ch == '-')
            buffer.push_back(static_cast<char>(std::toupper(u)));
        else
            flush();
    }
    flush();
}

} // namespace

namespace {

// The tree of one snapshot: underlying -> futures by expiry, expiries -> strike rows.
// Reads only the instruments; writes only the tree arrays and the expiry histogram.
void buildTree(const std::vector<CompactInstrument> &ins, std::uint32_t underlyingCount,
               const std::vector<Segment> &underlyingSegment,
               const std::vector<std::uint32_t> &underlyingContracts,
               std::vector<detail::UnderlyingNode> &nodes, std::vector<InstrumentId> &futureIds,
               std::vector<detail::ExpiryNode> &expiries,
               std::vector<detail::StrikeRow> &strikeRows,
               std::vector<std::pair<EpochDay, std::int64_t>> &expiryHistogram)
{
    const auto n = static_cast<std::uint32_t>(ins.size());

    // Sort on extracted keys, not through the instrument table: far fewer cache misses.
    struct SortKey
    {
        std::uint64_t major; // underlying << 32 | biased expiry
        std::int64_t strike;
        std::uint32_t kind;
        InstrumentId id;
        bool operator<(const SortKey &o) const
        {
            return std::tie(major, strike, kind, id) < std::tie(o.major, o.strike, o.kind, o.id);
        }
    };
    std::vector<SortKey> futures;
    std::vector<SortKey> options;
    absl::flat_hash_map<EpochDay, std::int64_t> perDay;
    for (InstrumentId id = 0; id < n; ++id) {
        const auto &c = ins[id];
        if (!isDerivative(c.kind))
            continue;
        ++perDay[c.expiry()];
        const auto biasedExpiry = static_cast<std::uint32_t>(static_cast<std::int64_t>(c.expiry()) -
                                                             std::numeric_limits<EpochDay>::min());
        const SortKey key{(static_cast<std::uint64_t>(c.underlying) << 32) | biasedExpiry,
                          c.kind == InstrumentKind::Future ? 0 : c.strike,
                          static_cast<std::uint32_t>(c.kind), id};
        (c.kind == InstrumentKind::Future ? futures : options).push_back(key);
    }
    std::sort(futures.begin(), futures.end());
    std::sort(options.begin(), options.end());
    expiryHistogram.assign(perDay.begin(), perDay.end());
    std::sort(expiryHistogram.begin(), expiryHistogram.end());
    std::int64_t cumulative = 0;
    for (auto &[day, count] : expiryHistogram) {
        cumulative += count;
        count = cumulative; // contracts expiring on or before `day`
    }

    nodes.assign(underlyingCount, detail::UnderlyingNode{});
    for (UnderlyingId u = 0; u < underlyingCount; ++u) {
        nodes[u].segment = underlyingSegment[u];
        nodes[u].contractCount = underlyingContracts[u];
        nodes[u].spot = NoId;
        nodes[u].root = NoId;
    }
    futureIds.reserve(futures.size());
    for (std::size_t i = 0; i < futures.size();) {
        const auto u = static_cast<UnderlyingId>(futures[i].major >> 32);
        nodes[u].firstFuture = static_cast<std::uint32_t>(i);
        for (; i < futures.size() && static_cast<UnderlyingId>(futures[i].major >> 32) == u; ++i)
            futureIds.push_back(futures[i].id);
        nodes[u].futureCount = static_cast<std::uint32_t>(futureIds.size()) - nodes[u].firstFuture;
    }
    strikeRows.reserve(options.size() / 2 + 16);
    for (std::size_t i = 0; i < options.size();) {
        const auto u = static_cast<UnderlyingId>(options[i].major >> 32);
        auto &node = nodes[u];
        node.firstExpiry = static_cast<std::uint32_t>(expiries.size());
        while (i < options.size() && static_cast<UnderlyingId>(options[i].major >> 32) == u) {
            const std::uint64_t major = options[i].major;
            detail::ExpiryNode e{};
            e.day = ins[options[i].id].expiry();
            e.firstRow = static_cast<std::uint32_t>(strikeRows.size());
            for (; i < options.size() && options[i].major == major; ++i) {
                const auto &c = ins[options[i].id];
                e.weekly = e.weekly || c.weekly;
                if (strikeRows.size() == e.firstRow || strikeRows.back().strike != c.strike)
                    strikeRows.push_back(detail::StrikeRow{c.strike, NoId, NoId});
                auto &row = strikeRows.back();
                InstrumentId &slot = c.kind == InstrumentKind::Call ? row.call : row.put;
                if (slot == NoId)
                    slot = options[i].id; // a second CE at one strike would be a broken master
            }
            e.rowCount = static_cast<std::uint32_t>(strikeRows.size()) - e.firstRow;
            e.midStrike = strikeRows[e.firstRow + e.rowCount / 2].strike;
            expiries.push_back(e);
            ++node.expiryCount;
        }
    }
}

// Upper-case ASCII, in place.
void toUpper(std::string &s)
{
    for (char &ch : s)
        ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
}

} // namespace

SnapshotPtr SnapshotBuilder::build(MasterInfo info, BuildReport *report)
{
    QElapsedTimer timer;
    timer.start();
    State &st = *m_state;
    InstrumentSnapshot &snap = *st.snapshot;
    if (!st.conflicting.empty())
        st.dropConflicting();
    const auto &ins = snap.m_instruments;
    const auto n = static_cast<std::uint32_t>(ins.size());
    const auto underlyingCount = static_cast<std::uint32_t>(st.underlyingSymbol.size());

    // Two independent halves on two cores. The worker builds the token and symbol tables and
    // the chain tree: it reads the instruments and their text, which no longer change, and
    // writes only its own arrays. This thread builds the roots and search terms, the only part
    // that interns new strings. Nothing is shared between them until join().
    std::vector<detail::UnderlyingNode> nodes;
    std::vector<InstrumentId> futureIds;
    std::vector<detail::ExpiryNode> expiries;
    std::vector<detail::StrikeRow> strikeRows;
    std::vector<std::pair<EpochDay, std::int64_t>> histogram;
    std::exception_ptr workerFailed;
    std::thread worker([&] {
        try {
            snap.m_byToken.reserve(n);
            snap.m_bySymbol.reserve(n);
            for (InstrumentId id = 0; id < n; ++id) {
                if (snap.m_instruments[id].exchangeToken != 0)
                    snap.m_byToken.insert(id);
                snap.m_bySymbol.insert(id);
            }
            buildTree(snap.m_instruments, underlyingCount, st.underlyingSegment,
                      st.underlyingContracts, nodes, futureIds, expiries, strikeRows, histogram);
        } catch (...) {
            workerFailed = std::current_exception();
        }
    });

    // --- roots: one per symbol, across segments ---------------------------------------------
    // Symbol ids are dense interned ids: index arrays by them instead of hashing.
    std::vector<std::uint32_t> rootOfSymbol(st.internedCount(), NoId);
    struct TempRoot
    {
        std::uint32_t symbolId;
        std::uint32_t contractCount = 0;
        std::uint32_t nameId = 0;
        bool hasIndexUnderlying = false;
        bool tradesOnNse = false; // has NSE F&O contracts: the country's deep derivatives market
    };
    std::vector<TempRoot> roots;
    auto rootFor = [&](std::uint32_t symbolId) {
        std::uint32_t &slot = rootOfSymbol[symbolId];
        if (slot == NoId) {
            slot = static_cast<std::uint32_t>(roots.size());
            roots.push_back(TempRoot{symbolId});
        }
        return slot;
    };
    std::vector<std::uint32_t> underlyingRoot(underlyingCount);
    for (UnderlyingId u = 0; u < underlyingCount; ++u) {
        underlyingRoot[u] = rootFor(st.underlyingSymbol[u]);
        roots[underlyingRoot[u]].contractCount += st.underlyingContracts[u];
        if (st.underlyingSegment[u] == Segment::NseFo && st.underlyingContracts[u] > 0)
            roots[underlyingRoot[u]].tradesOnNse = true;
    }
    // Spots (equities, indices, commodity spot rows) by root, NSE before BSE.
    struct SpotEntry
    {
        std::uint32_t root;
        Segment segment;
        InstrumentId id;
        bool operator<(const SpotEntry &o) const
        {
            return std::tie(root, segment, id) < std::tie(o.root, o.segment, o.id);
        }
    };
    std::vector<SpotEntry> spots;
    for (InstrumentId id = 0; id < n; ++id) {
        const auto &c = ins[id];
        if (isDerivative(c.kind))
            continue;
        const std::uint32_t root = rootFor(st.rootSymbolOf[id]);
        spots.push_back(SpotEntry{root, c.segment, id});
        if (roots[root].nameId == 0)
            roots[root].nameId = c.nameId;
    }
    std::sort(spots.begin(), spots.end());
    std::vector<std::uint32_t> firstSpotOfRoot(roots.size() + 1, 0);
    for (const SpotEntry &e : spots)
        ++firstSpotOfRoot[e.root + 1];
    for (std::size_t r = 1; r < firstSpotOfRoot.size(); ++r)
        firstSpotOfRoot[r] += firstSpotOfRoot[r - 1];

    // The spot of each underlying: the instrument its underlying_key names when that is an
    // equity or index (MCX options name their future instead), else the same-symbol one.
    std::vector<InstrumentId> underlyingSpot(underlyingCount, NoId);
    for (UnderlyingId u = 0; u < underlyingCount; ++u) {
        const auto &first = ins[st.underlyingFirst[u]];
        TempRoot &root = roots[underlyingRoot[u]];
        if (root.nameId == 0)
            root.nameId = first.nameId;
        const std::string_view key = snap.interned(first.underlyingKeyId);
        if (!key.empty()) {
            if (auto spot = snap.findByKey(key); spot && !isDerivative(ins[*spot].kind))
                underlyingSpot[u] = *spot;
        }
        if (underlyingSpot[u] == NoId) {
            for (std::uint32_t i = firstSpotOfRoot[underlyingRoot[u]];
                 i < firstSpotOfRoot[underlyingRoot[u] + 1]; ++i) {
                const InstrumentKind kind = ins[spots[i].id].kind;
                if (kind == InstrumentKind::Index || kind == InstrumentKind::Equity) {
                    underlyingSpot[u] = spots[i].id;
                    break;
                }
            }
        }
        if (underlyingSpot[u] != NoId && ins[underlyingSpot[u]].kind == InstrumentKind::Index)
            root.hasIndexUnderlying = true;
    }

    // Rank roots: derivatives first (index F&O before stocks; among index roots, NSE's before
    // BSE's: "bank" means BANKNIFTY, not BANKEX, though BANKEX lists more strikes), then by
    // contract count (a proxy for how much is traded), shorter symbols, then alphabetically.
    // Root ids follow rank.
    std::vector<std::uint32_t> order(roots.size());
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
        const TempRoot &x = roots[a];
        const TempRoot &y = roots[b];
        const bool dx = x.contractCount > 0;
        const bool dy = y.contractCount > 0;
        if (dx != dy)
            return dx;
        if (x.hasIndexUnderlying != y.hasIndexUnderlying)
            return x.hasIndexUnderlying;
        if (x.hasIndexUnderlying && x.tradesOnNse != y.tradesOnNse)
            return x.tradesOnNse;
        if (x.contractCount != y.contractCount)
            return x.contractCount > y.contractCount;
        const std::string_view sx = snap.interned(x.symbolId);
        const std::string_view sy = snap.interned(y.symbolId);
        if (sx.size() != sy.size())
            return sx.size() < sy.size();
        return sx < sy;
    });
    std::vector<RootId> rankOf(roots.size());
    for (std::uint32_t rank = 0; rank < order.size(); ++rank)
        rankOf[order[rank]] = rank;
    // Underlyings of each root, in rank order.
    std::vector<std::pair<RootId, UnderlyingId>> rootUnderlyings(underlyingCount);
    for (UnderlyingId u = 0; u < underlyingCount; ++u)
        rootUnderlyings[u] = {rankOf[underlyingRoot[u]], u};
    std::sort(rootUnderlyings.begin(), rootUnderlyings.end());

    snap.m_roots.resize(roots.size());
    snap.m_rootSpots.reserve(spots.size());
    snap.m_rootUnderlyings.reserve(underlyingCount);
    snap.m_terms.reserve(roots.size() * 3);
    std::size_t nextUnderlying = 0;
    std::string upper;
    std::vector<std::string_view> words;
    std::string wordBuffer;
    for (std::uint32_t rank = 0; rank < order.size(); ++rank) {
        const std::uint32_t temp = order[rank];
        const TempRoot &t = roots[temp];
        detail::RootNode &r = snap.m_roots[rank];
        r.symbolId = t.symbolId;
        r.contractCount = t.contractCount;
        r.firstUnderlying = static_cast<std::uint32_t>(snap.m_rootUnderlyings.size());
        for (; nextUnderlying < rootUnderlyings.size() &&
               rootUnderlyings[nextUnderlying].first == rank;
             ++nextUnderlying)
            snap.m_rootUnderlyings.push_back(rootUnderlyings[nextUnderlying].second);
        r.underlyingCount =
            static_cast<std::uint32_t>(snap.m_rootUnderlyings.size()) - r.firstUnderlying;
        r.firstSpot = static_cast<std::uint32_t>(snap.m_rootSpots.size());
        for (std::uint32_t i = firstSpotOfRoot[temp]; i < firstSpotOfRoot[temp + 1]; ++i)
            snap.m_rootSpots.push_back(spots[i].id);
        r.spotCount = static_cast<std::uint32_t>(snap.m_rootSpots.size()) - r.firstSpot;

        // Search terms: the symbol (upper-cased) and the words of the name.
        const std::string_view symbol = snap.interned(t.symbolId);
        upper.assign(symbol);
        toUpper(upper);
        const std::uint32_t symbolTerm = upper == symbol ? t.symbolId : st.intern(upper);
        snap.m_terms.push_back(detail::SearchTerm{symbolTerm, rank, true});
        r.firstNameWord = static_cast<std::uint32_t>(snap.m_nameWordIds.size());
        // Copy the name: interning its words may move the string buffer it lives in.
        const std::string name(snap.interned(t.nameId));
        nameWords(name, upper, words, wordBuffer);
        for (std::string_view w : words) {
            const std::uint32_t id = st.intern(w);
            snap.m_nameWordIds.push_back(id);
            snap.m_terms.push_back(detail::SearchTerm{id, rank, false});
        }
        r.nameWordCount = static_cast<std::uint32_t>(words.size());
    }
    {
        struct TermKey
        {
            std::string_view text;
            detail::SearchTerm term;
        };
        std::vector<TermKey> keys;
        keys.reserve(snap.m_terms.size());
        for (const auto &t : snap.m_terms)
            keys.push_back(TermKey{snap.interned(t.stringId), t});
        std::sort(keys.begin(), keys.end(), [](const TermKey &a, const TermKey &b) {
            if (a.text != b.text)
                return a.text < b.text;
            if (a.term.isSymbol != b.term.isSymbol)
                return a.term.isSymbol;
            return a.term.root < b.term.root;
        });
        for (std::size_t i = 0; i < keys.size(); ++i)
            snap.m_terms[i] = keys[i].term;
    }

    worker.join();
    if (workerFailed)
        std::rethrow_exception(workerFailed); // out of memory: on the caller's thread
    for (UnderlyingId u = 0; u < underlyingCount; ++u) {
        nodes[u].root = rankOf[underlyingRoot[u]];
        nodes[u].spot = underlyingSpot[u];
    }
    snap.m_underlyings = std::move(nodes);
    snap.m_futureIds = std::move(futureIds);
    snap.m_expiries = std::move(expiries);
    snap.m_strikeRows = std::move(strikeRows);
    snap.m_expiryHistogram = std::move(histogram);
    snap.m_earliestExpiry =
        snap.m_expiryHistogram.empty() ? NoDay : snap.m_expiryHistogram.front().first;

    // --- finish: release slack, account memory ----------------------------------------------
    snap.m_arena.shrink_to_fit();
    snap.m_strings.shrink_to_fit();
    snap.m_instruments.shrink_to_fit();
    snap.m_keyLocations.shrink_to_fit();
    snap.m_strikeRows.shrink_to_fit();
    snap.m_terms.shrink_to_fit();
    snap.m_internOffsets.shrink_to_fit();
    snap.m_internLengths.shrink_to_fit();
    snap.m_nameWordIds.shrink_to_fit();
    auto bytes = [](const auto &v) {
        return v.capacity() * sizeof(typename std::decay_t<decltype(v)>::value_type);
    };
    auto setBytes = [](const auto &s) { return s.capacity() * (sizeof(InstrumentId) + 1); };
    snap.m_memoryBytes =
        sizeof(InstrumentSnapshot) + snap.m_arena.capacity() + snap.m_strings.capacity() +
        bytes(snap.m_internOffsets) + bytes(snap.m_internLengths) + bytes(snap.m_instruments) +
        bytes(snap.m_keyLocations) + bytes(snap.m_underlyings) + bytes(snap.m_expiries) +
        bytes(snap.m_strikeRows) + bytes(snap.m_futureIds) + bytes(snap.m_roots) +
        bytes(snap.m_rootUnderlyings) + bytes(snap.m_rootSpots) + bytes(snap.m_nameWordIds) +
        bytes(snap.m_terms) + bytes(snap.m_expiryHistogram) + setBytes(snap.m_byKey) +
        setBytes(snap.m_byToken) + setBytes(snap.m_bySymbol);

    if (info.loadedAtMs == 0)
        info.loadedAtMs = QDateTime::currentMSecsSinceEpoch();
    snap.m_info = std::move(info);
    st.report.instruments = n;
    st.report.buildMicros = timer.nsecsElapsed() / 1000;
    if (report)
        *report = st.report;

    SnapshotPtr result(st.snapshot.release());
    m_state = std::make_unique<State>();
    m_state->intern({});
    return result;
}

} // namespace strikeline
