#include "marketdata/MarketPrices.h"

#include "marketdata/QuoteBook.h"

#include <map>

namespace strikeline::marketdata {

struct MarketPrices::State
{
    std::shared_ptr<const QuoteBook> book;
    std::map<std::string, CircuitLimits, std::less<>> circuits;
};

MarketPrices::MarketPrices(const MarketData &simulated)
    : m_simulated(simulated)
    , m_state(std::make_shared<const State>())
{}

MarketPrices::~MarketPrices() = default;

void MarketPrices::setLive(std::shared_ptr<const QuoteBook> book)
{
    auto next = std::make_shared<State>();
    next->book = std::move(book);
    m_state.store(std::move(next));
}

bool MarketPrices::isLive() const
{
    return m_state.load()->book != nullptr;
}

void MarketPrices::setCircuitLimits(const std::vector<CircuitLimits> &limits)
{
    // Writers are the GUI thread only; copy, change, publish.
    const StatePtr current = m_state.load();
    auto next = std::make_shared<State>(*current);
    for (const CircuitLimits &l : limits)
        next->circuits.insert_or_assign(l.instrumentKey, l);
    m_state.store(std::move(next));
}

std::optional<CircuitLimits> MarketPrices::circuitLimits(std::string_view instrumentKey) const
{
    const StatePtr state = m_state.load();
    if (const auto it = state->circuits.find(instrumentKey); it != state->circuits.end())
        return it->second;
    return std::nullopt;
}

std::vector<std::string> MarketPrices::staleCircuitLimits(const std::vector<std::string> &keys,
                                                          std::int64_t nowMs) const
{
    const StatePtr state = m_state.load();
    std::vector<std::string> stale;
    for (const std::string &key : keys) {
        const auto it = state->circuits.find(key);
        if (it == state->circuits.end() || nowMs - it->second.fetchedMs > CircuitLimitsMaxAgeMs)
            stale.push_back(key);
    }
    return stale;
}

std::optional<Quote> MarketPrices::quote(std::string_view instrumentKey) const
{
    const StatePtr state = m_state.load();
    if (!state->book)
        return m_simulated.quote(instrumentKey);
    std::optional<Quote> quote = state->book->quote(instrumentKey);
    if (!quote)
        return std::nullopt;
    if (const auto it = state->circuits.find(instrumentKey); it != state->circuits.end()) {
        if (it->second.lower.isPositive())
            quote->lowerCircuit = it->second.lower;
        if (it->second.upper.isPositive())
            quote->upperCircuit = it->second.upper;
    }
    return quote;
}

} // namespace strikeline::marketdata
