// Intent-ranked instrument search over a snapshot. The rules, in order of precedence, are in
// docs/search.md; each is pinned by a test in tests/core/tst_search.cpp.
//
// Shape of the work: tokens -> candidate roots (binary search in the sorted term list) ->
// roots ordered by the best cost they could reach and their rank -> each root's instruments
// scored -> a bounded max-heap keeps the best `limit`. Roots are visited best-first, so the
// search stops as soon as no remaining root could beat the worst kept result.

#include "Search.h"

#include "InstrumentSnapshot.h"

#include <absl/container/flat_hash_set.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <functional>
#include <limits>

namespace strikeline {

namespace search {

namespace {

bool isPrefixOf(std::string_view prefix, std::string_view word)
{
    return !prefix.empty() && word.size() >= prefix.size() &&
           word.compare(0, prefix.size(), prefix) == 0;
}

constexpr std::array<std::string_view, 12> monthNames = {
    "JANUARY", "FEBRUARY", "MARCH",     "APRIL",   "MAY",      "JUNE",
    "JULY",    "AUGUST",   "SEPTEMBER", "OCTOBER", "NOVEMBER", "DECEMBER"};

} // namespace

std::vector<QueryToken> tokenize(std::string_view query, std::size_t maxTokens)
{
    std::vector<QueryToken> tokens;
    std::size_t i = 0;
    while (i < query.size() && tokens.size() < maxTokens) {
        while (i < query.size() && (std::isspace(static_cast<unsigned char>(query[i])) ||
                                    query[i] == ',' || query[i] == '|'))
            ++i;
        const std::size_t start = i;
        while (i < query.size() && !std::isspace(static_cast<unsigned char>(query[i])) &&
               query[i] != ',' && query[i] != '|')
            ++i;
        if (i == start)
            break;
        QueryToken t;
        t.text.reserve(i - start);
        for (std::size_t k = start; k < i; ++k)
            t.text.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(query[k]))));
        // Numbers: strikes, days, years.
        bool allDigits = true;
        for (char c : t.text)
            allDigits = allDigits && c >= '0' && c <= '9';
        if (auto value = Price::parse(t.text);
            value && !value->isNegative() && t.text.find_first_of("eE+-") == std::string::npos) {
            t.numeric = true;
            t.number = value;
            if (allDigits && t.text.size() <= 12) {
                t.integer = std::stoll(t.text);
                t.digits = static_cast<int>(t.text.size());
            }
        }
        // Contract types, by prefix of their usual names.
        if (!t.numeric) {
            if (isPrefixOf(t.text, "CE") || isPrefixOf(t.text, "CALL"))
                t.type = TypeFilter::Call;
            else if (isPrefixOf(t.text, "PE") || isPrefixOf(t.text, "PUT"))
                t.type = TypeFilter::Put;
            else if (isPrefixOf(t.text, "FUTURES"))
                t.type = TypeFilter::Future;
            else if (t.text.size() >= 2 && isPrefixOf(t.text, "OPTIONS"))
                t.type = TypeFilter::Option;
            // Months: three letters at least ("DEC", "DECEMBER").
            if (t.text.size() >= 3) {
                for (std::size_t m = 0; m < monthNames.size(); ++m) {
                    if (isPrefixOf(t.text, monthNames[m]))
                        t.month = static_cast<int>(m) + 1;
                }
            }
        }
        tokens.push_back(std::move(t));
    }
    return tokens;
}

} // namespace search

namespace {

using search::QueryToken;
using search::TypeFilter;

constexpr int NoMatch = 1000;

bool startsWith(std::string_view word, std::string_view prefix)
{
    return word.size() > prefix.size() && word.compare(0, prefix.size(), prefix) == 0;
}

struct CivilDate
{
    int year;
    int month;
    int day;
};

// Howard Hinnant's civil_from_days: days since 1970-01-01 -> y/m/d, no tables, no QDate.
constexpr CivilDate civilFromDays(std::int64_t z)
{
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    return {static_cast<int>(y + (m <= 2)), static_cast<int>(m), static_cast<int>(d)};
}

int decimalDigits(std::int64_t v)
{
    int d = 1;
    while (v >= 10) {
        v /= 10;
        ++d;
    }
    return d;
}

std::int64_t pow10(int n)
{
    std::int64_t p = 1;
    while (n-- > 0)
        p *= 10;
    return p;
}

// Cost of a token matching a contract's own fields; NoMatch when it does not.
int contractCost(const QueryToken &t, const detail::CompactInstrument &c)
{
    if (!isDerivative(c.kind))
        return NoMatch;
    int best = NoMatch;
    switch (t.type) {
    case TypeFilter::Call:
        if (c.kind == InstrumentKind::Call)
            best = 0;
        break;
    case TypeFilter::Put:
        if (c.kind == InstrumentKind::Put)
            best = 0;
        break;
    case TypeFilter::Future:
        if (c.kind == InstrumentKind::Future)
            best = 0;
        break;
    case TypeFilter::Option:
        if (isOption(c.kind))
            best = 0;
        break;
    case TypeFilter::None:
        break;
    }
    if (best == 0)
        return 0;
    if (t.month != 0 || t.numeric) {
        const CivilDate date = civilFromDays(c.expiry());
        if (t.month != 0 && date.month == t.month)
            return 0;
        if (t.numeric) {
            if (isOption(c.kind)) {
                if (t.number && t.number->raw() == c.strike)
                    return 0;
                if (t.integer >= 0) {
                    const std::int64_t whole = c.strike / Price::Scale;
                    const int digits = decimalDigits(whole);
                    if (digits > t.digits && whole / pow10(digits - t.digits) == t.integer)
                        best = 1;
                }
            }
            if (best > 2 && t.integer >= 0) {
                if (t.digits <= 2 && (date.day == t.integer || date.year % 100 == t.integer))
                    best = 2;
                else if (t.digits == 4 && date.year == t.integer)
                    best = 2;
            }
        }
    }
    return best;
}

struct Key
{
    // Sort order = rank order; see docs/search.md.
    std::uint32_t cost;
    RootId rank;
    std::uint8_t cls;
    EpochDay expiry;
    std::int64_t proximity;
    std::int64_t strike;
    std::uint8_t kind;
    std::uint8_t segment;
    InstrumentId id;

    friend bool operator<(const Key &a, const Key &b)
    {
        return std::tie(a.cost, a.rank, a.cls, a.expiry, a.proximity, a.strike, a.kind, a.segment,
                        a.id) < std::tie(b.cost, b.rank, b.cls, b.expiry, b.proximity, b.strike,
                                         b.kind, b.segment, b.id);
    }
};

// The smallest key any instrument of a group could have: cost floor, root, class, expiry,
// distance; the remaining fields at their minimum.
Key lowerBound(std::uint32_t floor, RootId root, std::uint8_t cls, EpochDay expiry,
               std::int64_t proximity)
{
    return Key{floor, root, cls, expiry, proximity, std::numeric_limits<std::int64_t>::min(),
               0,     0,    0};
}

// Keeps the `limit` smallest keys.
class TopK
{
public:
    explicit TopK(std::size_t limit)
        : m_limit(limit)
    {
        m_heap.reserve(limit + 1);
    }
    bool full() const { return m_heap.size() >= m_limit; }
    const Key &worst() const { return m_heap.front(); }
    bool wouldAccept(const Key &k) const { return !full() || k < worst(); }
    void push(const Key &k)
    {
        if (!wouldAccept(k))
            return;
        m_heap.push_back(k);
        std::push_heap(m_heap.begin(), m_heap.end());
        if (m_heap.size() > m_limit) {
            std::pop_heap(m_heap.begin(), m_heap.end());
            m_heap.pop_back();
        }
    }
    std::vector<Key> sorted()
    {
        std::sort_heap(m_heap.begin(), m_heap.end());
        return std::move(m_heap);
    }

private:
    std::size_t m_limit;
    std::vector<Key> m_heap;
};

} // namespace

class SearchEngine
{
public:
    SearchEngine(const InstrumentSnapshot &snapshot, const SearchRequest &request)
        : s(snapshot)
        , req(request)
        , tokens(search::tokenize(request.text))
    {}

    std::vector<SearchHit> run();

private:
    // Term list range of terms starting with `prefix`.
    std::pair<std::size_t, std::size_t> termRange(std::string_view prefix) const
    {
        const auto &terms = s.m_terms;
        const auto lo = std::lower_bound(terms.begin(), terms.end(), prefix,
                                         [this](const detail::SearchTerm &t, std::string_view p) {
                                             return s.interned(t.stringId) < p;
                                         });
        const auto hi = std::upper_bound(lo, terms.end(), prefix,
                                         [this](std::string_view p, const detail::SearchTerm &t) {
                                             return p < s.interned(t.stringId).substr(0, p.size());
                                         });
        return {static_cast<std::size_t>(lo - terms.begin()),
                static_cast<std::size_t>(hi - terms.begin())};
    }

    // Cost of a token matching the root itself (symbol or name words); NoMatch if not.
    int rootCost(const QueryToken &t, const detail::RootNode &root) const
    {
        const std::string_view symbol = s.interned(root.symbolId);
        if (symbol.size() == t.text.size() && equalsUpper(symbol, t.text))
            return 0;
        if (symbol.size() > t.text.size() && equalsUpper(symbol.substr(0, t.text.size()), t.text))
            return 1;
        int best = NoMatch;
        for (std::uint32_t w = 0; w < root.nameWordCount; ++w) {
            const std::string_view word = s.interned(s.m_nameWordIds[root.firstNameWord + w]);
            if (word == t.text)
                return 2;
            if (startsWith(word, t.text))
                best = 3;
        }
        return best;
    }

    static bool equalsUpper(std::string_view a, std::string_view upper)
    {
        for (std::size_t i = 0; i < a.size(); ++i) {
            if (std::toupper(static_cast<unsigned char>(a[i])) !=
                static_cast<unsigned char>(upper[i]))
                return false;
        }
        return true;
    }

    void scoreRoot(RootId rootId, std::uint32_t floor, const std::vector<int> &rootCosts,
                   TopK &top) const;

    const InstrumentSnapshot &s;
    const SearchRequest &req;
    std::vector<QueryToken> tokens;
};

void SearchEngine::scoreRoot(RootId rootId, std::uint32_t floor, const std::vector<int> &rootCosts,
                             TopK &top) const
{
    const auto &root = s.m_roots[rootId];
    const auto &ins = s.m_instruments;
    const std::size_t nt = tokens.size();
    const EpochDay today = req.today;

    // Spots (equities, indices, commodity spot): only root-level matches apply.
    std::uint32_t spotCost = 0;
    bool spotsMatch = true;
    for (std::size_t t = 0; t < nt; ++t) {
        if (rootCosts[t] >= NoMatch)
            spotsMatch = false;
        else
            spotCost += static_cast<std::uint32_t>(rootCosts[t]);
    }
    if (spotsMatch) {
        for (std::uint32_t i = 0; i < root.spotCount; ++i) {
            const InstrumentId id = s.m_rootSpots[root.firstSpot + i];
            const auto &c = ins[id];
            const std::uint8_t cls = c.kind == InstrumentKind::Equity ? 0 : 2;
            top.push(Key{spotCost, rootId, cls, 0, 0, 0, static_cast<std::uint8_t>(c.kind),
                         static_cast<std::uint8_t>(c.segment), id});
        }
    }

    std::optional<Price> spotPrice;
    if (req.spot)
        spotPrice = req.spot(s.interned(root.symbolId));

    auto costOf = [&](const detail::CompactInstrument &c, std::uint32_t &cost) {
        cost = 0;
        for (std::size_t t = 0; t < nt; ++t) {
            int best = rootCosts[t];
            if (best > 0 && tokens[t].contractLevel())
                best = std::min(best, contractCost(tokens[t], c));
            if (best >= NoMatch)
                return false;
            cost += static_cast<std::uint32_t>(best);
        }
        return true;
    };

    for (std::uint32_t k = 0; k < root.underlyingCount; ++k) {
        const UnderlyingId uid = s.m_rootUnderlyings[root.firstUnderlying + k];
        const auto &u = s.m_underlyings[uid];
        for (std::uint32_t f = 0; f < u.futureCount; ++f) {
            const InstrumentId id = s.m_futureIds[u.firstFuture + f];
            const auto &c = ins[id];
            const bool expired = today != NoDay && c.expiry() < today;
            if (expired && !req.includeExpired)
                continue;
            std::uint32_t cost;
            if (!costOf(c, cost))
                continue;
            top.push(Key{cost, rootId, static_cast<std::uint8_t>(expired ? 6 : 1), c.expiry(), 0, 0,
                         static_cast<std::uint8_t>(c.kind), static_cast<std::uint8_t>(c.segment),
                         id});
        }
        bool nearestSeen = false;
        for (std::uint32_t e = 0; e < u.expiryCount; ++e) {
            const auto &node = s.m_expiries[u.firstExpiry + e];
            const bool expired = today != NoDay && node.day < today;
            if (expired && !req.includeExpired)
                continue;
            std::uint8_t cls = expired ? 8 : 4;
            if (!expired && !nearestSeen) {
                cls = 3;
                nearestSeen = true;
            }
            // Nothing in this expiry (or, expiries being ascending, any later one of the same
            // class) can place: skip it.
            if (top.full() && top.worst() < lowerBound(floor, rootId, cls, node.day, 0)) {
                if (cls == 8)
                    continue; // an expired expiry: later live ones rank higher
                break;
            }
            const std::int64_t reference = spotPrice ? spotPrice->raw() : node.midStrike;
            const detail::StrikeRow *rows = s.m_strikeRows.data() + node.firstRow;
            // Walk outwards from the reference strike, nearest first, so the walk can stop at
            // the first distance that can no longer place.
            std::size_t hi = static_cast<std::size_t>(
                std::lower_bound(
                    rows, rows + node.rowCount, reference,
                    [](const detail::StrikeRow &row, std::int64_t v) { return row.strike < v; }) -
                rows);
            std::size_t lo = hi; // rows [lo, hi) visited; next below is lo-1, next above hi
            while (lo > 0 || hi < node.rowCount) {
                std::size_t r;
                const bool takeLow =
                    lo > 0 && (hi >= node.rowCount ||
                               reference - rows[lo - 1].strike <= rows[hi].strike - reference);
                r = takeLow ? --lo : hi++;
                const auto &row = rows[r];
                const std::int64_t proximity =
                    row.strike > reference ? row.strike - reference : reference - row.strike;
                if (top.full() && top.worst() < lowerBound(floor, rootId, cls, node.day, proximity))
                    break;
                for (InstrumentId id : {row.call, row.put}) {
                    if (id == NoId)
                        continue;
                    const auto &c = ins[id];
                    std::uint32_t cost;
                    if (!costOf(c, cost))
                        continue;
                    top.push(Key{cost, rootId, cls, node.day, proximity, row.strike,
                                 static_cast<std::uint8_t>(c.kind),
                                 static_cast<std::uint8_t>(c.segment), id});
                }
            }
        }
    }
}

std::vector<SearchHit> SearchEngine::run()
{
    if (tokens.empty() || req.limit <= 0 || s.m_roots.empty())
        return {};
    const std::size_t nt = tokens.size();

    // Candidate roots come from the term ranges: of the most selective token that must match a
    // root (it cannot be a contract field), or else of every token.
    std::size_t anchor = nt;
    std::size_t anchorSize = std::numeric_limits<std::size_t>::max();
    std::vector<std::pair<std::size_t, std::size_t>> ranges(nt);
    for (std::size_t t = 0; t < nt; ++t) {
        ranges[t] = termRange(tokens[t].text);
        const std::size_t size = ranges[t].second - ranges[t].first;
        if (!tokens[t].contractLevel() && size < anchorSize) {
            anchor = t;
            anchorSize = size;
        }
    }

    // Each candidate with the lowest cost it could reach: the sum over tokens that can only
    // match a root; tokens that may match a contract field could cost nothing.
    struct Candidate
    {
        std::uint32_t floor;
        RootId root;
        bool operator>(const Candidate &o) const
        {
            return std::tie(floor, root) > std::tie(o.floor, o.root);
        }
    };
    std::vector<Candidate> heap;
    auto addRange = [&](std::size_t owner) {
        const auto [first, last] = ranges[owner];
        for (std::size_t i = first; i < last; ++i) {
            const detail::SearchTerm &term = s.m_terms[i];
            const std::size_t termLength = s.m_internLengths[term.stringId];
            const bool exact = termLength == tokens[owner].text.size();
            std::uint32_t floor = 0;
            if (!tokens[owner].contractLevel())
                floor = term.isSymbol ? (exact ? 0 : 1) : (exact ? 2 : 3);
            bool viable = true;
            for (std::size_t t = 0; t < nt && viable; ++t) {
                if (t == owner || tokens[t].contractLevel())
                    continue;
                const int c = rootCost(tokens[t], s.m_roots[term.root]);
                viable = c < NoMatch;
                floor += static_cast<std::uint32_t>(c);
            }
            if (viable)
                heap.push_back(Candidate{floor, term.root});
        }
    };
    if (anchor < nt) {
        addRange(anchor);
    } else {
        for (std::size_t t = 0; t < nt; ++t)
            addRange(t);
    }
    // A heap, not a sort: a typeahead query usually fills its results from the first few roots.
    std::make_heap(heap.begin(), heap.end(), std::greater<>());

    TopK top(static_cast<std::size_t>(std::min(req.limit, 1000)));
    std::vector<int> rootCosts(nt);
    absl::flat_hash_set<RootId> visited;
    while (!heap.empty()) {
        std::pop_heap(heap.begin(), heap.end(), std::greater<>());
        const Candidate cand = heap.back();
        heap.pop_back();
        if (top.full() && top.worst() < lowerBound(cand.floor, cand.root, 0,
                                                   std::numeric_limits<EpochDay>::min(), 0))
            break; // no later root can place a result
        if (!visited.insert(cand.root).second)
            continue; // seen through another term (symbol and a name word)
        const auto &root = s.m_roots[cand.root];
        for (std::size_t t = 0; t < nt; ++t)
            rootCosts[t] = rootCost(tokens[t], root);
        scoreRoot(cand.root, cand.floor, rootCosts, top);
    }

    std::vector<SearchHit> hits;
    for (const Key &k : top.sorted())
        hits.push_back(SearchHit{k.id});
    return hits;
}

std::vector<SearchHit> InstrumentSnapshot::search(const SearchRequest &request) const
{
    return SearchEngine(*this, request).run();
}

} // namespace strikeline
