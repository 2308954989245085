#pragma once

// Where the terminal's prices come from right now (issue 12, "Live prices everywhere else";
// docs/quotes.md): the live quote book while a feed runs, the simulated market otherwise. The
// watch list, the ticket, positions, the validator and the paper broker all read this one
// MarketData, so they agree with each other and with the status bar's badge.
//
// - Live: a key the book has priced answers the book's quote (never simulated) with the circuit
//   limits of the REST full quote when they are known (the feed carries none). A key the feed
//   has not priced yet has no quote: a live session never borrows a simulated price, so the
//   ticket says "no last price", the validator skips its price checks (saying so) and the paper
//   broker refuses a MARKET fill, instead of acting on an invented number.
// - Not live: the simulated market's quote, labelled simulated.
//
// Thread safety: quote() runs on any thread (the order service's workers, the GUI) while
// setLive()/setCircuitLimits() run on the GUI thread. The state is an immutable value behind an
// atomic shared_ptr (as SimulatedMarket's): readers take one pointer, never a lock that I/O
// holds. The book is shared, so a reader that took it keeps it alive after the feed stops.

#include "marketdata/MarketData.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strikeline::marketdata {

class QuoteBook;

// A contract's price band from the REST full quote (lower/upper_circuit_limit), as of when it
// was fetched.
struct CircuitLimits
{
    std::string instrumentKey;
    Price lower;
    Price upper;
    std::int64_t fetchedMs = 0; // epoch ms
};

class MarketPrices final : public MarketData
{
public:
    // How long fetched circuit limits are trusted (NSE moves option bands during the day).
    static constexpr std::int64_t CircuitLimitsMaxAgeMs = 5 * 60 * 1000;

    // `simulated` outlives this object.
    explicit MarketPrices(const MarketData &simulated);
    ~MarketPrices() override;

    // The live book, or null for the simulated market. Forgets the circuit limits when the
    // source changes.
    void setLive(std::shared_ptr<const QuoteBook> book);
    bool isLive() const;

    // Adds or replaces limits (by key).
    void setCircuitLimits(const std::vector<CircuitLimits> &limits);
    std::optional<CircuitLimits> circuitLimits(std::string_view instrumentKey) const;
    // Of `keys`, those whose limits are unknown or older than CircuitLimitsMaxAgeMs at `nowMs`.
    std::vector<std::string> staleCircuitLimits(const std::vector<std::string> &keys,
                                                std::int64_t nowMs) const;

    std::optional<Quote> quote(std::string_view instrumentKey) const override;

private:
    struct State;
    using StatePtr = std::shared_ptr<const State>;

    const MarketData &m_simulated;
    std::atomic<StatePtr> m_state;
};

} // namespace strikeline::marketdata
