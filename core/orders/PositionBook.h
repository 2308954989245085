#pragma once

// Positions and their P&L, folded from fills. The order service feeds it every fill it
// journals (and, at start, every fill the journal replays), so positions are what the record
// says, the same after a restart or a crash as before it. See docs/orders-flow.md.

#include "common/IstTime.h"
#include "common/Money.h"
#include "common/Price.h"
#include "orders/Order.h"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strikeline {

class MarketData;
struct OrderEvent;

struct Position
{
    std::string instrumentKey;
    std::int64_t netQuantity = 0;   // + long, - short, in the contract's QuantityUnit
    std::int64_t qtyMultiplier = 1; // the master's, as recorded with the fills (ContractValue.h)
    Price averagePrice;             // of the open quantity; zero when flat
    Money realisedPnl;              // today's: (exit - average) x closed quantity x multiplier
    Money unrealisedPnl;            // (last - average) x net quantity x multiplier; zero without
    std::optional<Price> lastPrice;
    std::int64_t lastPriceMs = 0;    // when that price was made (epoch ms); 0: unknown
    bool lastPriceSimulated = false; // from the simulated market, not a feed
    Venue venue = Venue::Paper;      // whose fills (OrderService::positions says)
};

class PositionBook final
{
public:
    // One trade of `quantity` (> 0) at `price`. qtyMultiplier 0 means not recorded (journals
    // written before it was): positions() asks its lookup then.
    void applyFill(const std::string &instrumentKey, Side side, std::int64_t quantity, Price price,
                   std::int64_t qtyMultiplier);
    // A new trading day: open quantities and their averages stay, realised P&L starts again.
    void startDay();
    // Earlier days' journaled events, oldest first: their carry-forward fills (product D,
    // contract not expired by `today`) become today's opening positions; intraday (I)
    // positions were squared off with their day. Ends with startDay().
    // Only the orders of `venue`: paper and live positions never mix.
    void carryForward(const std::vector<OrderEvent> &earlierDays, EpochDay today,
                      Venue venue = Venue::Paper);

    // Every contract traded (flat ones too, with their realised P&L), by key, priced by
    // `market` when given. `multiplierFor` answers for positions whose fills did not record it.
    std::vector<Position>
    positions(const MarketData *market,
              const std::function<std::int64_t(std::string_view)> &multiplierFor = {}) const;
    std::int64_t netQuantity(std::string_view instrumentKey) const;
    bool empty() const { return m_books.empty(); }

private:
    struct Book
    {
        std::int64_t net = 0;
        std::int64_t averageRaw = 0; // Price raw of the open quantity
        Money realised;              // with the multiplier known at the time, else per unit
        Money realisedPerUnit;       // realised while the multiplier was unknown (x1)
        std::int64_t qtyMultiplier = 0;
    };
    std::map<std::string, Book, std::less<>> m_books;
};

} // namespace strikeline
