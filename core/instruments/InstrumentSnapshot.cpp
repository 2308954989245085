#include "InstrumentSnapshot.h"

#include <absl/hash/hash.h>

#include <algorithm>
#include <cctype>

namespace strikeline {

using detail::CompactInstrument;

// ---- InstrumentView ------------------------------------------------------------------------

InstrumentView::InstrumentView(const InstrumentSnapshot &snapshot, InstrumentId id)
    : m_snapshot(&snapshot)
    , m_c(&snapshot.m_instruments[id])
    , m_id(id)
{}

std::string_view InstrumentView::instrumentKey() const
{
    return m_snapshot->keyText(m_id);
}

std::string_view InstrumentView::tradingSymbol() const
{
    const std::uint64_t loc = m_snapshot->m_keyLocations[m_id];
    return m_snapshot->text(static_cast<std::uint32_t>((loc >> 8) + (loc & 0xFF)),
                            m_c->symbolLength);
}

std::string_view InstrumentView::name() const
{
    return m_snapshot->interned(m_c->nameId);
}

std::string_view InstrumentView::underlyingSymbol() const
{
    if (m_c->underlying != NoId)
        return m_snapshot->underlyingSymbol(m_c->underlying);
    return tradingSymbol();
}

std::string_view InstrumentView::underlyingKey() const
{
    return m_snapshot->interned(m_c->underlyingKeyId);
}

std::string_view InstrumentView::typeCode() const
{
    return m_snapshot->interned(m_c->typeCodeId);
}

std::int32_t InstrumentView::maxLotsPerOrder() const
{
    if (m_c->freeze <= 0 || m_c->lot <= 0)
        return 0;
    return quantityUnit() == QuantityUnit::Lots ? m_c->freeze : m_c->freeze / m_c->lot;
}

InstrumentRecord InstrumentView::toRecord() const
{
    InstrumentRecord r;
    r.instrumentKey = std::string(instrumentKey());
    r.tradingSymbol = std::string(tradingSymbol());
    r.name = std::string(name());
    r.underlyingSymbol = std::string(underlyingSymbol());
    r.underlyingKey = std::string(underlyingKey());
    r.typeCode = std::string(typeCode());
    r.exchangeToken = m_c->exchangeToken;
    r.segment = m_c->segment;
    r.kind = m_c->kind;
    r.weekly = m_c->weekly;
    r.expiry = m_c->expiry();
    r.strike = strike();
    r.tickSize = tickSize();
    r.lotSize = m_c->lot;
    r.freezeQuantity = m_c->freeze;
    r.qtyMultiplier = m_c->qtyMultiplier;
    return r;
}

std::string_view moneynessName(Moneyness m)
{
    switch (m) {
    case Moneyness::Itm:
        return "ITM";
    case Moneyness::Atm:
        return "ATM";
    case Moneyness::Otm:
        return "OTM";
    }
    return "?";
}

// ---- hashing -------------------------------------------------------------------------------

std::size_t InstrumentSnapshot::KeyHash::operator()(InstrumentId id) const
{
    return (*this)(s->keyText(id));
}
std::size_t InstrumentSnapshot::KeyHash::operator()(std::string_view key) const
{
    return absl::Hash<std::string_view>{}(key);
}
bool InstrumentSnapshot::KeyEq::operator()(InstrumentId a, InstrumentId b) const
{
    return a == b || (*this)(a, s->keyText(b));
}
bool InstrumentSnapshot::KeyEq::operator()(InstrumentId a, std::string_view b) const
{
    return s->keyText(a) == b;
}

std::size_t InstrumentSnapshot::TokenHash::operator()(InstrumentId id) const
{
    const auto &c = s->m_instruments[id];
    return (*this)(TokenKey{packToken(c.segment, c.exchangeToken)});
}
std::size_t InstrumentSnapshot::TokenHash::operator()(TokenKey key) const
{
    return absl::Hash<std::uint64_t>{}(key.packed);
}
bool InstrumentSnapshot::TokenEq::operator()(InstrumentId a, InstrumentId b) const
{
    const auto &c = s->m_instruments[b];
    return a == b || (*this)(a, TokenKey{packToken(c.segment, c.exchangeToken)});
}
bool InstrumentSnapshot::TokenEq::operator()(InstrumentId a, TokenKey b) const
{
    const auto &c = s->m_instruments[a];
    return packToken(c.segment, c.exchangeToken) == b.packed;
}

std::size_t InstrumentSnapshot::SymbolHash::operator()(InstrumentId id) const
{
    const auto &c = s->m_instruments[id];
    return (*this)(SymbolKey{c.segment, s->instrument(id).tradingSymbol()});
}
std::size_t InstrumentSnapshot::SymbolHash::operator()(SymbolKey key) const
{
    return absl::Hash<std::pair<int, std::string_view>>{}(
        std::pair<int, std::string_view>(static_cast<int>(key.segment), key.symbol));
}
bool InstrumentSnapshot::SymbolEq::operator()(InstrumentId a, InstrumentId b) const
{
    return a == b ||
           (*this)(a, SymbolKey{s->m_instruments[b].segment, s->instrument(b).tradingSymbol()});
}
bool InstrumentSnapshot::SymbolEq::operator()(InstrumentId a, SymbolKey b) const
{
    return s->m_instruments[a].segment == b.segment && s->instrument(a).tradingSymbol() == b.symbol;
}

// ---- snapshot ------------------------------------------------------------------------------

InstrumentSnapshot::InstrumentSnapshot()
    : m_byKey(0, KeyHash{this}, KeyEq{this})
    , m_byToken(0, TokenHash{this}, TokenEq{this})
    , m_bySymbol(0, SymbolHash{this}, SymbolEq{this})
{}

InstrumentSnapshot::~InstrumentSnapshot() = default;

std::string_view InstrumentSnapshot::interned(std::uint32_t id) const
{
    return {m_strings.data() + m_internOffsets[id], m_internLengths[id]};
}

std::int64_t InstrumentSnapshot::expiredContractsAt(EpochDay today) const
{
    // The last day before `today`: everything up to it has expired.
    const auto it = std::lower_bound(
        m_expiryHistogram.begin(), m_expiryHistogram.end(), today,
        [](const std::pair<EpochDay, std::int64_t> &e, EpochDay d) { return e.first < d; });
    return it == m_expiryHistogram.begin() ? 0 : std::prev(it)->second;
}

std::size_t InstrumentSnapshot::memoryBytes() const
{
    return m_memoryBytes;
}

std::optional<InstrumentId> InstrumentSnapshot::findByKey(std::string_view instrumentKey) const
{
    const auto it = m_byKey.find(instrumentKey);
    if (it == m_byKey.end())
        return std::nullopt;
    return *it;
}

std::optional<InstrumentId> InstrumentSnapshot::findByToken(Segment segment,
                                                            std::uint32_t exchangeToken) const
{
    const auto it = m_byToken.find(TokenKey{packToken(segment, exchangeToken)});
    if (it == m_byToken.end())
        return std::nullopt;
    return *it;
}

std::optional<InstrumentId> InstrumentSnapshot::findBySymbol(Segment segment,
                                                             std::string_view tradingSymbol) const
{
    const auto it = m_bySymbol.find(SymbolKey{segment, tradingSymbol});
    if (it == m_bySymbol.end())
        return std::nullopt;
    return *it;
}

std::optional<InstrumentId> InstrumentSnapshot::resolve(std::string_view keyOrSymbol) const
{
    if (auto id = findByKey(keyOrSymbol))
        return id;
    std::string upper(keyOrSymbol);
    for (char &c : upper)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    // SEGMENT:SYMBOL
    if (const auto colon = upper.find(':'); colon != std::string::npos) {
        if (const auto segment = parseSegment(std::string_view(upper).substr(0, colon)))
            return findBySymbol(*segment, std::string_view(upper).substr(colon + 1));
    }
    for (int s = 0; s < SegmentCount; ++s) {
        if (auto id = findBySymbol(static_cast<Segment>(s), keyOrSymbol))
            return id;
        if (auto id = findBySymbol(static_cast<Segment>(s), upper))
            return id;
    }
    return std::nullopt;
}

ContractInfo InstrumentSnapshot::contractInfo(InstrumentId id) const
{
    const InstrumentView v = instrument(id);
    return ContractInfo{
        v.instrumentKey(), v.tradingSymbol(),  v.underlyingSymbol(), v.segment(),
        v.kind(),          v.expiry(),         v.strike(),           v.tickSize(),
        v.lotSize(),       v.freezeQuantity(), v.maxLotsPerOrder(),  v.quantityUnit(),
        v.weekly()};
}

std::string_view InstrumentSnapshot::underlyingSymbol(UnderlyingId id) const
{
    return interned(m_roots[m_underlyings[id].root].symbolId);
}

std::optional<InstrumentId> InstrumentSnapshot::underlyingSpot(UnderlyingId id) const
{
    const InstrumentId spot = m_underlyings[id].spot;
    if (spot == NoId)
        return std::nullopt;
    return spot;
}

std::optional<UnderlyingId> InstrumentSnapshot::findUnderlying(std::string_view symbol,
                                                               std::optional<Segment> segment) const
{
    std::string upper(symbol);
    for (char &c : upper)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (!segment) {
        if (const auto colon = upper.find(':'); colon != std::string::npos) {
            segment = parseSegment(std::string_view(upper).substr(0, colon));
            if (segment)
                upper.erase(0, colon + 1);
        }
    }
    // The symbol terms are sorted by text: binary search the root.
    const auto it = std::lower_bound(m_terms.begin(), m_terms.end(), std::string_view(upper),
                                     [this](const detail::SearchTerm &t, std::string_view s) {
                                         return interned(t.stringId) < s;
                                     });
    std::optional<UnderlyingId> best;
    for (auto t = it; t != m_terms.end() && interned(t->stringId) == upper; ++t) {
        if (!t->isSymbol)
            continue;
        const auto &root = m_roots[t->root];
        for (std::uint32_t i = 0; i < root.underlyingCount; ++i) {
            const UnderlyingId u = m_rootUnderlyings[root.firstUnderlying + i];
            if (segment && m_underlyings[u].segment != *segment)
                continue;
            if (!best || m_underlyings[u].contractCount > m_underlyings[*best].contractCount)
                best = u;
        }
    }
    return best;
}

std::vector<ExpiryInfo> InstrumentSnapshot::expiries(UnderlyingId id, EpochDay today,
                                                     bool includeExpired) const
{
    std::vector<ExpiryInfo> out;
    const auto &u = m_underlyings[id];
    out.reserve(u.expiryCount);
    for (std::uint32_t i = 0; i < u.expiryCount; ++i) {
        const auto &e = m_expiries[u.firstExpiry + i];
        if (!includeExpired && today != NoDay && e.day < today)
            continue;
        out.push_back(ExpiryInfo{e.day, e.weekly, static_cast<int>(e.rowCount)});
    }
    return out;
}

std::span<const InstrumentId> InstrumentSnapshot::futures(UnderlyingId id) const
{
    const auto &u = m_underlyings[id];
    return {m_futureIds.data() + u.firstFuture, u.futureCount};
}

Result<OptionChain> InstrumentSnapshot::chain(const ChainRequest &request) const
{
    if (request.underlying >= m_underlyings.size())
        return Error::make(ErrorCode::NotFound, QStringLiteral("unknown underlying"));
    const auto &u = m_underlyings[request.underlying];
    const auto *first = m_expiries.data() + u.firstExpiry;
    const auto *last = first + u.expiryCount;
    const detail::ExpiryNode *node = nullptr;
    if (request.expiry == NoDay) {
        node =
            std::lower_bound(first, last, request.today == NoDay ? EpochDay(NoDay) : request.today,
                             [](const detail::ExpiryNode &e, EpochDay d) { return e.day < d; });
        if (node == last) {
            return Error::make(ErrorCode::NotFound,
                               QStringLiteral("%1 has no option expiry on or after %2")
                                   .arg(QString::fromUtf8(underlyingSymbol(request.underlying)),
                                        formatIsoDay(request.today)));
        }
    } else {
        node = std::lower_bound(first, last, request.expiry,
                                [](const detail::ExpiryNode &e, EpochDay d) { return e.day < d; });
        if (node == last || node->day != request.expiry) {
            return Error::make(ErrorCode::NotFound,
                               QStringLiteral("%1 has no options expiring on %2")
                                   .arg(QString::fromUtf8(underlyingSymbol(request.underlying)),
                                        formatIsoDay(request.expiry)));
        }
    }

    OptionChain chain;
    chain.underlying = request.underlying;
    chain.expiry = node->day;
    chain.weekly = node->weekly;
    chain.spot = request.spot;
    const detail::StrikeRow *rows = m_strikeRows.data() + node->firstRow;
    const std::size_t count = node->rowCount;
    std::size_t center = count / 2;
    if (request.spot) {
        const std::int64_t spot = request.spot->raw();
        const auto *it = std::lower_bound(
            rows, rows + count, spot,
            [](const detail::StrikeRow &r, std::int64_t s) { return r.strike < s; });
        std::size_t idx = static_cast<std::size_t>(it - rows);
        if (idx == count) {
            idx = count - 1;
        } else if (idx > 0 && (spot - rows[idx - 1].strike) <= (rows[idx].strike - spot)) {
            idx = idx - 1; // nearer below, or a tie: the lower strike
        }
        center = idx;
        chain.atmStrike = Price::fromRaw(rows[idx].strike);
    }
    chain.referenceStrike = Price::fromRaw(rows[center].strike);
    std::size_t begin = 0;
    std::size_t end = count;
    if (request.strikesAroundAtm > 0) {
        const auto n = static_cast<std::size_t>(request.strikesAroundAtm);
        begin = center > n ? center - n : 0;
        end = std::min(count, center + n + 1);
    }
    chain.rows = std::span<const detail::StrikeRow>(rows + begin, end - begin);
    return chain;
}

std::optional<Moneyness> OptionChain::callMoneyness(const detail::StrikeRow &row) const
{
    if (!spot)
        return std::nullopt;
    if (atmStrike && row.strike == atmStrike->raw())
        return Moneyness::Atm;
    return row.strike < spot->raw() ? Moneyness::Itm : Moneyness::Otm;
}

std::optional<Moneyness> OptionChain::putMoneyness(const detail::StrikeRow &row) const
{
    if (!spot)
        return std::nullopt;
    if (atmStrike && row.strike == atmStrike->raw())
        return Moneyness::Atm;
    return row.strike > spot->raw() ? Moneyness::Itm : Moneyness::Otm;
}

} // namespace strikeline
