#pragma once

// The order domain shared by the validator, the order service, the brokers and the UI.
// Plain values: no Qt object, no allocation beyond the strings a request carries.

#include "common/Price.h"

#include <QMetaType>
#include <QString>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strikeline {

enum class Side : std::uint8_t { Buy, Sell };
// Upstox's order_type: MARKET, LIMIT, SL (trigger + limit price), SL-M (trigger, market).
enum class OrderType : std::uint8_t { Market, Limit, StopLimit, StopMarket };
// Upstox's product: I (intraday), D (delivery / carry-forward NRML for F&O).
enum class Product : std::uint8_t { Intraday, Delivery };
enum class Validity : std::uint8_t { Day, Ioc };
// Which gateway an order goes to (orders/BrokerGateway.h). Recorded with the order (its Created
// event), so a restart knows which broker to reconcile it with.
enum class Venue : std::uint8_t { Paper, Upstox };
std::string_view venueName(Venue venue); // "paper", "upstox"
std::optional<Venue> parseVenue(std::string_view name);

std::string_view sideName(Side side);             // "BUY", "SELL"
std::string_view orderTypeName(OrderType type);   // "MARKET", "LIMIT", "SL", "SL-M"
std::string_view productName(Product product);    // "I", "D"
std::string_view validityName(Validity validity); // "DAY", "IOC"
// Case-insensitive parsers for the CLI and the API: "buy", "sl-m", "i", "ioc" ...
std::optional<Side> parseSide(std::string_view text);
std::optional<OrderType> parseOrderType(std::string_view text);
std::optional<Product> parseProduct(std::string_view text);
std::optional<Validity> parseValidity(std::string_view text);

inline constexpr bool needsLimitPrice(OrderType t)
{
    return t == OrderType::Limit || t == OrderType::StopLimit;
}
inline constexpr bool needsTrigger(OrderType t)
{
    return t == OrderType::StopLimit || t == OrderType::StopMarket;
}

// What the trader asks for. Quantity is in the contract's QuantityUnit, exactly as Upstox takes
// it: units (a multiple of the lot) for NSE/BSE F&O and equities, lots for MCX.
struct OrderRequest
{
    std::string instrumentKey; // "NSE_FO|41915"
    Side side = Side::Buy;
    OrderType type = OrderType::Limit;
    Product product = Product::Delivery;
    Validity validity = Validity::Day;
    std::int64_t quantity = 0;
    Price price;   // limit price; zero for MARKET and SL-M
    Price trigger; // stop trigger; zero for MARKET and LIMIT
    // Idempotency key, sent to Upstox as `tag` (at most 20 characters). A retry carries the
    // same id, so an order can never be placed twice.
    std::string clientOrderId;
    // Where it goes: the paper gateway unless the trader chose live (orders/BrokerGateway.h).
    Venue venue = Venue::Paper;
};

// ---- the validator's verdict -------------------------------------------------------------

enum class IssueSeverity : std::uint8_t {
    Error,   // the order must not be sent
    Warning, // the trader must see it (and may confirm): after-market, limit-price protection
};

struct ValidationIssue
{
    // Stable machine-readable code ("qty_not_lot_multiple", "price_off_tick" ...): scripts and
    // tests branch on it; it never changes once released. The list is in docs/orders.md.
    std::string_view code;
    IssueSeverity severity = IssueSeverity::Error;
    QString message; // for a trader: "Quantity 100 is not a multiple of the lot size 65 ..."
};

struct Verdict
{
    std::vector<ValidationIssue> issues;
    // The quantities of the child orders the request will be sent as: one element (the whole
    // quantity) when it is within the freeze quantity, N <= 25 elements when it must be sliced,
    // empty when the request is refused.
    std::vector<std::int64_t> slices;
    bool afterMarket = false; // outside 09:15-15:30 IST for NSE/BSE F&O (a warning, not an error)

    bool ok() const
    {
        for (const ValidationIssue &issue : issues)
            if (issue.severity == IssueSeverity::Error)
                return false;
        return true;
    }
};

} // namespace strikeline
Q_DECLARE_METATYPE(strikeline::OrderRequest)
