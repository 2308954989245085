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

// Desk shorthand for the index underlyings (docs/search.md, "Aliases"): a token equal to one
// names that symbol as if it were typed out, and keeps its own prefix meaning too.
struct Alias
{
    std::string_view alias;
    std::string_view symbol;
};
constexpr Alias Aliases[] = {
    {"BN", "BANKNIFTY"},  {"BNF", "BANKNIFTY"}, {"NIFTYBANK", "BANKNIFTY"}, {"NF", "NIFTY"},
    {"NIFTY50", "NIFTY"}, {"FIN", "FINNIFTY"},  {"MN", "MIDCPNIFTY"},       {"MIDCP", "MIDCPNIFTY"},
    {"SX", "SENSEX"},     {"BX", "BANKEX"},
};

std::string_view aliasedSymbol(std::string_view upper)
{
    for (const Alias &a : Aliases) {
        if (a.alias == upper)
            return a.symbol;
    }
    return {};
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

constexpr std::array<std::string_view, 12> monthCodes = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                         "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};

// Letters of a compact symbol after its root, as contract words: "DECFUT" -> DEC, FUT;
// "CE" -> CE. False when they are something else.
bool splitContractWords(std::string_view letters, std::vector<std::string> &out)
{
    // Longest first where one word starts another (CE before C).
    static constexpr std::string_view words[] = {"CALL", "FUT", "PUT", "CE", "PE", "C", "P"};
    std::size_t i = 0;
    while (i < letters.size()) {
        const std::string_view rest = letters.substr(i);
        std::string_view match;
        for (std::string_view m : monthCodes) {
            if (rest.starts_with(m))
                match = m;
        }
        for (std::size_t w = 0; match.empty() && w < std::size(words); ++w) {
            if (rest.starts_with(words[w]))
                match = words[w];
        }
        if (match.empty())
            return false;
        out.emplace_back(match);
        i += match.size();
    }
    return true;
}

// Runs of digits and letters apart: "25DEC25000CE" -> 25, DEC, 25000, CE. A number followed by
// K is in thousands ("25K" -> 25000). With `strict`, every run of letters must be contract
// words, else false; without, other letters are kept as one word.
bool splitFields(std::string_view text, bool strict, std::vector<std::string> &out)
{
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t start = i;
        if (isDigit(text[i])) {
            while (i < text.size() && (isDigit(text[i]) || (text[i] == '.' && i + 1 < text.size() &&
                                                            isDigit(text[i + 1]))))
                ++i;
            std::string number(text.substr(start, i - start));
            if (i < text.size() && text[i] == 'K') {
                if (const auto thousands = Price::parseScaled(number, 3)) {
                    number = thousands->toString();
                    ++i;
                }
            }
            out.push_back(std::move(number));
            continue;
        }
        while (i < text.size() && !isDigit(text[i]))
            ++i;
        const std::string_view letters = text.substr(start, i - start);
        if (!splitContractWords(letters, out)) {
            if (strict)
                return false;
            out.emplace_back(letters);
        }
    }
    return true;
}

// NSE's weekly option code after the root: YY, the month as 1-9 or O/N/D, DD, strike, CE or
// PE ("25D0925000CE" -> 09, DEC, 25, 25000, CE).
bool splitWeeklyCode(std::string_view text, std::vector<std::string> &out)
{
    if (text.size() < 8 || !isDigit(text[0]) || !isDigit(text[1]) || !isDigit(text[3]) ||
        !isDigit(text[4]))
        return false;
    int month = 0;
    if (text[2] >= '1' && text[2] <= '9')
        month = text[2] - '0';
    else if (text[2] == 'O')
        month = 10;
    else if (text[2] == 'N')
        month = 11;
    else if (text[2] == 'D')
        month = 12;
    const int dayOfMonth = (text[3] - '0') * 10 + (text[4] - '0');
    const std::string_view type = text.substr(text.size() - 2);
    const std::string_view strike = text.substr(5, text.size() - 7);
    if (month == 0 || dayOfMonth < 1 || dayOfMonth > 31 || (type != "CE" && type != "PE") ||
        strike.empty() || strike.front() == '0')
        return false;
    for (char c : strike) {
        if (!isDigit(c) && c != '.')
            return false;
    }
    if (!Price::parse(strike))
        return false;
    out.emplace_back(text.substr(3, 2));
    out.emplace_back(monthCodes[static_cast<std::size_t>(month - 1)]);
    out.emplace_back(text.substr(0, 2));
    out.emplace_back(strike);
    out.emplace_back(type);
    return true;
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
    {
        expandCompactTokens();
        aliases.reserve(tokens.size());
        for (const QueryToken &t : tokens)
            aliases.push_back(t.contractLevel() ? NoId : aliasRoot(t.text));
    }

    std::vector<SearchHit> run();
    std::optional<std::string> suggest() const;

private:
    // The root whose symbol is exactly `upper`, else NoId.
    RootId symbolRoot(std::string_view upper) const
    {
        const auto [first, last] = termRange(upper);
        for (std::size_t i = first; i < last; ++i) {
            const detail::SearchTerm &term = s.m_terms[i];
            if (s.m_internLengths[term.stringId] != upper.size())
                break; // the exact text sorts first, its symbol term before name words
            if (term.isSymbol)
                return term.root;
        }
        return NoId;
    }

    RootId aliasRoot(std::string_view upper) const
    {
        const std::string_view symbol = aliasedSymbol(upper);
        return symbol.empty() ? NoId : symbolRoot(symbol);
    }

    bool namesSomething(std::string_view upper) const
    {
        const auto [first, last] = termRange(upper);
        return first != last || aliasRoot(upper) != NoId;
    }

    void expandCompactTokens();
    void splitCompact(std::string_view text, std::vector<std::string> &words) const;
    std::optional<std::string> closestTerm(std::string_view token) const;

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

    // Cost of token `index` matching the root itself (symbol, alias or name words); NoMatch
    // if not.
    int rootCost(std::size_t index, RootId rootId) const
    {
        if (aliases[index] == rootId)
            return 0;
        const QueryToken &t = tokens[index];
        const detail::RootNode &root = s.m_roots[rootId];
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
    std::vector<RootId> aliases; // per token: the root its alias names, else NoId
};

// Tokens that name nothing as typed but read as a compact exchange-style symbol ("nifty25000ce",
// "25k") are replaced by their parts. Tokens that name something are never split, so symbols
// with digits (NIFTYNXT50, SENSEX50) keep working.
void SearchEngine::expandCompactTokens()
{
    // Letters, digits and a decimal point; with a digit, or ending in a contract word or month
    // (NIFTYFUT, NIFTYDEC). Plain words skip the term lookup this costs.
    auto candidate = [](const QueryToken &t) {
        if (t.contractLevel() || t.text.size() < 2)
            return false;
        bool digit = false;
        for (char c : t.text) {
            if (!(isDigit(c) || (c >= 'A' && c <= 'Z') || c == '.'))
                return false;
            digit = digit || isDigit(c);
        }
        if (digit)
            return true;
        const std::string_view text = t.text;
        auto endsWith = [text](std::string_view word) {
            return text.size() > word.size() && text.ends_with(word);
        };
        return endsWith("FUT") || endsWith("CE") || endsWith("PE") ||
               std::any_of(monthCodes.begin(), monthCodes.end(), endsWith);
    };
    bool any = false;
    for (const QueryToken &t : tokens)
        any = any || (candidate(t) && !namesSomething(t.text));
    if (!any)
        return;
    std::vector<std::string> words;
    for (const QueryToken &t : tokens) {
        if (candidate(t) && !namesSomething(t.text))
            splitCompact(t.text, words);
        else
            words.push_back(t.text);
    }
    std::string text;
    for (const std::string &w : words) {
        text += w;
        text += ' ';
    }
    tokens = search::tokenize(text);
}

void SearchEngine::splitCompact(std::string_view text, std::vector<std::string> &words) const
{
    // A symbol (or an alias), then contract fields: NIFTY25000CE, BNF52000PE, NIFTY25DECFUT,
    // NIFTY25D0925000CE. The longest symbol that leaves a readable rest wins (SENSEX50 before
    // SENSEX).
    std::vector<std::string> rest;
    for (std::size_t split = text.size() - 1; split >= 1; --split) {
        rest.clear();
        const std::string_view tail = text.substr(split);
        if (!splitWeeklyCode(tail, rest) && !splitFields(tail, true, rest))
            continue;
        const std::string_view head = text.substr(0, split);
        if (symbolRoot(head) == NoId && aliasRoot(head) == NoId)
            continue;
        words.emplace_back(head);
        words.insert(words.end(), rest.begin(), rest.end());
        return;
    }
    // No known symbol in front: fields alone ("25000CE", "25K"), or a misspelt symbol and its
    // fields, which suggest() may then correct.
    splitFields(text, false, words);
}

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
        const std::size_t size = ranges[t].second - ranges[t].first + (aliases[t] != NoId);
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
    auto addCandidate = [&](std::size_t owner, RootId root, std::uint32_t ownerCost) {
        std::uint32_t floor = tokens[owner].contractLevel() ? 0 : ownerCost;
        for (std::size_t t = 0; t < nt; ++t) {
            if (t == owner || tokens[t].contractLevel())
                continue;
            const int c = rootCost(t, root);
            if (c >= NoMatch)
                return;
            floor += static_cast<std::uint32_t>(c);
        }
        heap.push_back(Candidate{floor, root});
    };
    auto addRange = [&](std::size_t owner) {
        const auto [first, last] = ranges[owner];
        for (std::size_t i = first; i < last; ++i) {
            const detail::SearchTerm &term = s.m_terms[i];
            const std::size_t termLength = s.m_internLengths[term.stringId];
            const bool exact = termLength == tokens[owner].text.size();
            addCandidate(owner, term.root, term.isSymbol ? (exact ? 0 : 1) : (exact ? 2 : 3));
        }
        if (aliases[owner] != NoId)
            addCandidate(owner, aliases[owner], 0);
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
        for (std::size_t t = 0; t < nt; ++t)
            rootCosts[t] = rootCost(t, cand.root);
        scoreRoot(cand.root, cand.floor, rootCosts, top);
    }

    std::vector<SearchHit> hits;
    for (const Key &k : top.sorted())
        hits.push_back(SearchHit{k.id});
    return hits;
}

// Each word that names nothing replaced by the closest symbol or name word, kept only if the
// corrected query finds something (docs/search.md, "No results").
std::optional<std::string> SearchEngine::suggest() const
{
    std::string corrected;
    bool changed = false;
    for (const QueryToken &t : tokens) {
        std::string word = t.text;
        if (!t.contractLevel() && !namesSomething(word)) {
            if (auto closest = closestTerm(word)) {
                word = std::move(*closest);
                changed = true;
            }
        }
        if (!corrected.empty())
            corrected += ' ';
        corrected += word;
    }
    if (!changed)
        return std::nullopt;
    SearchRequest probe = req;
    probe.text = corrected;
    probe.limit = 1;
    if (SearchEngine(s, probe).run().empty())
        return std::nullopt;
    return corrected;
}

// The term (symbol or name word) nearest `token` in Damerau-Levenshtein distance (adjacent
// letters swapped count as one edit): the whole term within 1 edit for up to 5 letters, 2 for
// more; else a prefix of it (a misspelt word typed half-way). Ties: whole before prefix,
// symbols before name words, then root rank. The terms are sorted, so the distance columns of a
// shared prefix are computed once and a prefix out of reach skips every term that starts with it.
std::optional<std::string> SearchEngine::closestTerm(std::string_view token) const
{
    constexpr std::size_t MaxLength = 32;
    const std::size_t m = token.size();
    if (m < 3 || m > MaxLength)
        return std::nullopt;
    const int reach = m <= 5 ? 1 : 2;
    // A term prefix longer than this is more than `reach` edits from the token.
    const std::size_t maxColumns = m + static_cast<std::size_t>(reach);
    // columns[j][i]: distance between the first i letters of the token and the first j of the
    // current term.
    std::vector<std::array<int, MaxLength + 1>> columns(maxColumns + 1);
    for (std::size_t i = 0; i <= m; ++i)
        columns[0][i] = static_cast<int>(i);

    struct Candidate
    {
        int distance;
        bool prefixOnly;
        bool nameWord;
        RootId root;
        std::string_view text;
        auto key() const { return std::tie(distance, prefixOnly, nameWord, root); }
    };
    std::optional<Candidate> best;
    auto consider = [&best](Candidate c) {
        if (!best || c.key() < best->key())
            best = c;
    };
    constexpr int Far = std::numeric_limits<int>::max();
    std::string_view previous; // the term the columns belong to
    std::size_t computed = 0;  // columns 1..computed are valid for `previous`
    std::size_t dead = 0;      // non-zero: column `dead` of `previous` is out of reach
    int prefixBeforeDead = Far;
    for (const detail::SearchTerm &term : s.m_terms) {
        const std::string_view text = s.interned(term.stringId);
        const std::size_t limit = std::min({text.size(), previous.size(), computed});
        std::size_t common = 0;
        while (common < limit && text[common] == previous[common])
            ++common;
        if (dead != 0 && common >= dead) {
            // Starts like `previous` up to a prefix out of reach: only its shorter prefixes
            // (the same as previous's) can match.
            if (prefixBeforeDead <= reach)
                consider({prefixBeforeDead, true, !term.isSymbol, term.root, text});
            continue;
        }
        previous = text;
        computed = common;
        dead = 0;
        const std::size_t n = std::min(text.size(), maxColumns);
        for (std::size_t j = common + 1; j <= n; ++j) {
            auto &column = columns[j];
            const auto &left = columns[j - 1];
            const char letter = text[j - 1];
            column[0] = static_cast<int>(j);
            int lowest = column[0];
            for (std::size_t i = 1; i <= m; ++i) {
                int d = std::min({left[i] + 1, column[i - 1] + 1,
                                  left[i - 1] + (token[i - 1] == letter ? 0 : 1)});
                if (i > 1 && j > 1 && token[i - 1] == text[j - 2] && token[i - 2] == letter)
                    d = std::min(d, columns[j - 2][i - 2] + 1);
                column[i] = d;
                lowest = std::min(lowest, d);
            }
            computed = j;
            if (lowest > reach) {
                dead = j;
                break;
            }
        }
        // Prefix matches: columns shorter than the term (and than a dead one).
        int prefix = Far;
        const std::size_t prefixEnd = dead != 0 ? dead : std::min(computed + 1, text.size());
        for (std::size_t j = 1; j < prefixEnd; ++j)
            prefix = std::min(prefix, columns[j][m]);
        prefixBeforeDead = prefix;
        if (dead == 0 && text.size() <= maxColumns && columns[text.size()][m] <= reach)
            consider({columns[text.size()][m], false, !term.isSymbol, term.root, text});
        else if (prefix <= reach)
            consider({prefix, true, !term.isSymbol, term.root, text});
    }
    if (!best)
        return std::nullopt;
    return std::string(best->text);
}

std::vector<SearchHit> InstrumentSnapshot::search(const SearchRequest &request) const
{
    return SearchEngine(*this, request).run();
}

std::optional<std::string> InstrumentSnapshot::suggest(const SearchRequest &request) const
{
    return SearchEngine(*this, request).suggest();
}

} // namespace strikeline
