#include "InstrumentSnapshot.h"

#include <QDateTime>
#include <QElapsedTimer>

#include <absl/container/flat_hash_map.h>

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
    BuildReport report;

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
    c.textOffset = static_cast<std::uint32_t>(snap.m_arena.size());
    c.keyLength = static_cast<std::uint8_t>(std::min<std::size_t>(r.instrumentKey.size(), 255));
    c.symbolLength = static_cast<std::uint8_t>(std::min<std::size_t>(r.tradingSymbol.size(), 255));
    snap.m_arena.append(r.instrumentKey, 0, c.keyLength);
    // Insert the key first and undo on a duplicate: one hash of the key per row, not two.
    if (!snap.m_byKey.insert(id).second) {
        const std::uint32_t textOffset = c.textOffset;
        snap.m_instruments.pop_back();
        snap.m_arena.resize(textOffset);
        ++st.report.duplicateKeys;
        if (st.report.duplicateExamples.size() < 10)
            st.report.duplicateExamples.push_back(r.instrumentKey);
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
    c.expiry = r.expiry;
    c.segment = r.segment;
    c.kind = r.kind;
    c.weekly = r.weekly;
    c.underlying = NoId;
    const std::uint32_t symbolId = st.internCached(st.lastSymbol, r.underlyingSymbol);
    if (isDerivative(r.kind)) {
        const std::uint64_t key = (static_cast<std::uint64_t>(r.segment) << 32) | symbolId;
        auto [it, inserted] =
            st.underlyingOf.try_emplace(key, static_cast<UnderlyingId>(st.underlyingSymbol.size()));
        if (inserted)
            st.underlyingSymbol.push_back(symbolId);
        c.underlying = it->second;
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

// Upper-case words of a name: "Tata Steel Limited" -> TATA, STEEL.
std::vector<std::string> nameWords(std::string_view name, std::string_view symbol)
{
    std::vector<std::string> words;
    std::string current;
    auto flush = [&] {
        if (current.size() >= 2 && !isStopWord(current) && current != symbol &&
            std::find(words.begin(), words.end(), current) == words.end())
            words.push_back(current);
        current.clear();
    };
    for (char ch : name) {
        const auto u = static_cast<unsigned char>(ch);
        if (std::isalnum(u) || ch == '&' || ch == '-')
            current.push_back(static_cast<char>(std::toupper(u)));
        else
            flush();
    }
    flush();
    return words;
}

} // namespace

SnapshotPtr SnapshotBuilder::build(MasterInfo info, BuildReport *report)
{
    QElapsedTimer timer;
    timer.start();
    State &st = *m_state;
    InstrumentSnapshot &snap = *st.snapshot;
    auto &ins = snap.m_instruments;
    const auto n = static_cast<std::uint32_t>(ins.size());

    // The token and symbol tables need only the instruments and their text, which no longer
    // change: build them on a second core while this one builds the tree and the terms.
    std::exception_ptr tablesFailed;
    std::thread tables([&snap, &tablesFailed, n] {
        try {
            snap.m_byToken.reserve(n);
            snap.m_bySymbol.reserve(n);
            for (InstrumentId id = 0; id < n; ++id) {
                if (snap.m_instruments[id].exchangeToken != 0)
                    snap.m_byToken.insert(id);
                snap.m_bySymbol.insert(id);
            }
        } catch (...) {
            tablesFailed = std::current_exception();
        }
    });

    // --- underlyings: futures by expiry; options by (expiry, strike) into strike rows -------
    const auto underlyingCount = static_cast<std::uint32_t>(st.underlyingSymbol.size());
    std::vector<InstrumentId> futures;
    std::vector<InstrumentId> options;
    std::vector<EpochDay> expiries;
    for (InstrumentId id = 0; id < n; ++id) {
        const auto &c = ins[id];
        if (c.kind == InstrumentKind::Future)
            futures.push_back(id);
        else if (isOption(c.kind))
            options.push_back(id);
        if (isDerivative(c.kind))
            expiries.push_back(c.expiry);
    }
    std::sort(expiries.begin(), expiries.end());
    snap.m_sortedExpiries = std::move(expiries);
    snap.m_earliestExpiry = snap.m_sortedExpiries.empty() ? NoDay : snap.m_sortedExpiries.front();

    // Sort on extracted keys, not through the instrument table: far fewer cache misses.
    struct SortKey
    {
        std::uint64_t major; // underlying << 32 | biased expiry
        std::int64_t strike;
        std::uint32_t minor; // kind << 24 is not needed: CE < PE by id tie-break below
        InstrumentId id;
        bool operator<(const SortKey &o) const
        {
            return std::tie(major, strike, minor, id) < std::tie(o.major, o.strike, o.minor, o.id);
        }
    };
    auto sortByKey = [&](std::vector<InstrumentId> &ids, bool withStrike) {
        std::vector<SortKey> keys;
        keys.reserve(ids.size());
        for (InstrumentId id : ids) {
            const auto &c = ins[id];
            const auto biasedExpiry = static_cast<std::uint32_t>(
                static_cast<std::int64_t>(c.expiry) - std::numeric_limits<EpochDay>::min());
            keys.push_back(SortKey{(static_cast<std::uint64_t>(c.underlying) << 32) | biasedExpiry,
                                   withStrike ? c.strike : 0, static_cast<std::uint32_t>(c.kind),
                                   id});
        }
        std::sort(keys.begin(), keys.end());
        for (std::size_t i = 0; i < ids.size(); ++i)
            ids[i] = keys[i].id;
    };
    sortByKey(futures, false);
    sortByKey(options, true);

    snap.m_underlyings.assign(underlyingCount, detail::UnderlyingNode{});
    for (UnderlyingId u = 0; u < underlyingCount; ++u) {
        auto &node = snap.m_underlyings[u];
        node.spot = NoId;
        node.root = NoId;
    }
    for (InstrumentId id = 0; id < n; ++id) {
        const auto &c = ins[id];
        if (c.underlying != NoId) {
            auto &node = snap.m_underlyings[c.underlying];
            node.segment = c.segment;
            ++node.contractCount;
        }
    }
    snap.m_futureIds = futures;
    for (std::size_t i = 0; i < futures.size();) {
        const UnderlyingId u = ins[futures[i]].underlying;
        std::size_t j = i;
        while (j < futures.size() && ins[futures[j]].underlying == u)
            ++j;
        snap.m_underlyings[u].firstFuture = static_cast<std::uint32_t>(i);
        snap.m_underlyings[u].futureCount = static_cast<std::uint32_t>(j - i);
        i = j;
    }
    snap.m_strikeRows.reserve(options.size() / 2 + 16);
    for (std::size_t i = 0; i < options.size();) {
        const UnderlyingId u = ins[options[i]].underlying;
        auto &node = snap.m_underlyings[u];
        node.firstExpiry = static_cast<std::uint32_t>(snap.m_expiries.size());
        while (i < options.size() && ins[options[i]].underlying == u) {
            const EpochDay day = ins[options[i]].expiry;
            detail::ExpiryNode e{};
            e.day = day;
            e.firstRow = static_cast<std::uint32_t>(snap.m_strikeRows.size());
            while (i < options.size() && ins[options[i]].underlying == u &&
                   ins[options[i]].expiry == day) {
                const auto &c = ins[options[i]];
                e.weekly = e.weekly || c.weekly;
                if (snap.m_strikeRows.size() == e.firstRow ||
                    snap.m_strikeRows.back().strike != c.strike)
                    snap.m_strikeRows.push_back(detail::StrikeRow{c.strike, NoId, NoId});
                auto &row = snap.m_strikeRows.back();
                InstrumentId &slot = c.kind == InstrumentKind::Call ? row.call : row.put;
                if (slot == NoId)
                    slot = options[i]; // a second CE at one strike would be a broken master
                ++i;
            }
            e.rowCount = static_cast<std::uint32_t>(snap.m_strikeRows.size()) - e.firstRow;
            e.midStrike = snap.m_strikeRows[e.firstRow + e.rowCount / 2].strike;
            snap.m_expiries.push_back(e);
            ++node.expiryCount;
        }
    }

    // --- roots: one per symbol, across segments ---------------------------------------------
    // Temporary root per interned symbol id.
    absl::flat_hash_map<std::uint32_t, std::uint32_t> rootOfSymbol;
    struct TempRoot
    {
        std::uint32_t symbolId;
        std::vector<UnderlyingId> underlyings;
        std::vector<InstrumentId> spots;
        std::uint32_t contractCount = 0;
        bool hasIndexUnderlying = false;
        std::uint32_t nameId = 0;
    };
    std::vector<TempRoot> roots;
    auto rootFor = [&](std::uint32_t symbolId) -> TempRoot & {
        auto [it, inserted] =
            rootOfSymbol.try_emplace(symbolId, static_cast<std::uint32_t>(roots.size()));
        if (inserted)
            roots.push_back(TempRoot{symbolId, {}, {}, 0, false, 0});
        return roots[it->second];
    };
    for (UnderlyingId u = 0; u < underlyingCount; ++u) {
        TempRoot &root = rootFor(st.underlyingSymbol[u]);
        root.underlyings.push_back(u);
        root.contractCount += snap.m_underlyings[u].contractCount;
    }
    for (InstrumentId id = 0; id < n; ++id) {
        const auto &c = ins[id];
        if (isDerivative(c.kind))
            continue;
        TempRoot &root = rootFor(st.rootSymbolOf[id]);
        root.spots.push_back(id);
        if (root.nameId == 0)
            root.nameId = c.nameId;
    }
    // Spot of each underlying: the instrument its underlying_key names, when that is an equity
    // or index (MCX options name their future instead), else the same-symbol equity/index.
    for (UnderlyingId u = 0; u < underlyingCount; ++u) {
        auto &node = snap.m_underlyings[u];
        InstrumentId first = NoId;
        if (node.futureCount > 0)
            first = snap.m_futureIds[node.firstFuture];
        else if (node.expiryCount > 0) {
            const auto &row = snap.m_strikeRows[snap.m_expiries[node.firstExpiry].firstRow];
            first = row.call != NoId ? row.call : row.put;
        }
        if (first != NoId) {
            const std::string_view key = snap.interned(ins[first].underlyingKeyId);
            if (!key.empty()) {
                if (auto spot = snap.findByKey(key); spot && !isDerivative(ins[*spot].kind))
                    node.spot = *spot;
            }
            if (roots[rootOfSymbol[st.underlyingSymbol[u]]].nameId == 0)
                roots[rootOfSymbol[st.underlyingSymbol[u]]].nameId = ins[first].nameId;
        }
        TempRoot &root = roots[rootOfSymbol[st.underlyingSymbol[u]]];
        if (node.spot == NoId) {
            for (InstrumentId s : root.spots) {
                if (ins[s].kind == InstrumentKind::Index || ins[s].kind == InstrumentKind::Equity) {
                    node.spot = s;
                    break;
                }
            }
        }
        if (node.spot != NoId && ins[node.spot].kind == InstrumentKind::Index)
            root.hasIndexUnderlying = true;
    }

    // Rank roots: derivatives first (index F&O before stocks), then by contract count (a
    // proxy for how much is traded), shorter symbols, then alphabetically. Root ids follow rank.
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
        if (x.contractCount != y.contractCount)
            return x.contractCount > y.contractCount;
        const std::string_view sx = snap.interned(x.symbolId);
        const std::string_view sy = snap.interned(y.symbolId);
        if (sx.size() != sy.size())
            return sx.size() < sy.size();
        return sx < sy;
    });
    snap.m_roots.resize(roots.size());
    for (std::uint32_t rank = 0; rank < order.size(); ++rank) {
        TempRoot &t = roots[order[rank]];
        detail::RootNode &r = snap.m_roots[rank];
        r.symbolId = t.symbolId;
        r.contractCount = t.contractCount;
        r.firstUnderlying = static_cast<std::uint32_t>(snap.m_rootUnderlyings.size());
        r.underlyingCount = static_cast<std::uint32_t>(t.underlyings.size());
        for (UnderlyingId u : t.underlyings) {
            snap.m_rootUnderlyings.push_back(u);
            snap.m_underlyings[u].root = rank;
        }
        // Spots in segment order: NSE_EQ before BSE_EQ.
        std::sort(t.spots.begin(), t.spots.end(), [&](InstrumentId a, InstrumentId b) {
            return std::tie(ins[a].segment, a) < std::tie(ins[b].segment, b);
        });
        r.firstSpot = static_cast<std::uint32_t>(snap.m_rootSpots.size());
        r.spotCount = static_cast<std::uint32_t>(t.spots.size());
        snap.m_rootSpots.insert(snap.m_rootSpots.end(), t.spots.begin(), t.spots.end());
        const std::string_view symbol = snap.interned(t.symbolId);
        r.firstNameWord = static_cast<std::uint32_t>(snap.m_nameWordIds.size());
        std::vector<std::string> words = nameWords(snap.interned(t.nameId), symbol);
        r.nameWordCount = static_cast<std::uint32_t>(words.size());
        for (const auto &w : words)
            snap.m_nameWordIds.push_back(st.intern(w));
    }

    // --- search terms: every root's symbol and name words, sorted by text ------------------
    snap.m_terms.reserve(snap.m_roots.size() * 3);
    for (RootId id = 0; id < snap.m_roots.size(); ++id) {
        const auto &r = snap.m_roots[id];
        std::string upper(snap.interned(r.symbolId));
        for (char &ch : upper)
            ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        snap.m_terms.push_back(detail::SearchTerm{st.intern(upper), id, true});
        for (std::uint32_t w = 0; w < r.nameWordCount; ++w)
            snap.m_terms.push_back(
                detail::SearchTerm{snap.m_nameWordIds[r.firstNameWord + w], id, false});
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

    tables.join();
    if (tablesFailed)
        std::rethrow_exception(tablesFailed); // out of memory: on the caller's thread

    // --- finish: release slack, account memory ----------------------------------------------
    snap.m_arena.shrink_to_fit();
    snap.m_instruments.shrink_to_fit();
    snap.m_strikeRows.shrink_to_fit();
    snap.m_expiries.shrink_to_fit();
    snap.m_terms.shrink_to_fit();
    snap.m_sortedExpiries.shrink_to_fit();
    snap.m_internOffsets.shrink_to_fit();
    snap.m_internLengths.shrink_to_fit();
    auto bytes = [](const auto &v) {
        return v.capacity() * sizeof(typename std::decay_t<decltype(v)>::value_type);
    };
    auto setBytes = [](const auto &s) { return s.capacity() * (sizeof(InstrumentId) + 1); };
    snap.m_strings.shrink_to_fit();
    snap.m_memoryBytes =
        sizeof(InstrumentSnapshot) + snap.m_arena.capacity() + snap.m_strings.capacity() +
        bytes(snap.m_internOffsets) + bytes(snap.m_internLengths) + bytes(snap.m_instruments) +
        bytes(snap.m_underlyings) + bytes(snap.m_expiries) + bytes(snap.m_strikeRows) +
        bytes(snap.m_futureIds) + bytes(snap.m_roots) + bytes(snap.m_rootUnderlyings) +
        bytes(snap.m_rootSpots) + bytes(snap.m_nameWordIds) + bytes(snap.m_terms) +
        bytes(snap.m_sortedExpiries) + setBytes(snap.m_byKey) + setBytes(snap.m_byToken) +
        setBytes(snap.m_bySymbol);

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
