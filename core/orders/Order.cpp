#include "Order.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace strikeline {

namespace {

bool equalsIgnoreCase(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

template<typename Enum, std::size_t N>
std::optional<Enum> parseNamed(std::string_view text,
                               const std::array<std::pair<std::string_view, Enum>, N> &names)
{
    for (const auto &[name, value] : names)
        if (equalsIgnoreCase(text, name))
            return value;
    return std::nullopt;
}

} // namespace

std::string_view sideName(Side side)
{
    return side == Side::Buy ? "BUY" : "SELL";
}

std::string_view orderTypeName(OrderType type)
{
    switch (type) {
    case OrderType::Market:
        return "MARKET";
    case OrderType::Limit:
        return "LIMIT";
    case OrderType::StopLimit:
        return "SL";
    case OrderType::StopMarket:
        return "SL-M";
    }
    return "?";
}

std::string_view productName(Product product)
{
    return product == Product::Intraday ? "I" : "D";
}

std::string_view validityName(Validity validity)
{
    return validity == Validity::Day ? "DAY" : "IOC";
}

std::optional<Side> parseSide(std::string_view text)
{
    static constexpr std::array<std::pair<std::string_view, Side>, 2> names{{
        {"BUY", Side::Buy},
        {"SELL", Side::Sell},
    }};
    return parseNamed(text, names);
}

std::optional<OrderType> parseOrderType(std::string_view text)
{
    // Upstox's names plus the spellings people type ("SLM", "SL-L", "STOP").
    static constexpr std::array<std::pair<std::string_view, OrderType>, 7> names{{
        {"MARKET", OrderType::Market},
        {"LIMIT", OrderType::Limit},
        {"SL", OrderType::StopLimit},
        {"SL-L", OrderType::StopLimit},
        {"SL-M", OrderType::StopMarket},
        {"SLM", OrderType::StopMarket},
        {"SL_M", OrderType::StopMarket},
    }};
    return parseNamed(text, names);
}

std::optional<Product> parseProduct(std::string_view text)
{
    static constexpr std::array<std::pair<std::string_view, Product>, 5> names{{
        {"I", Product::Intraday},
        {"INTRADAY", Product::Intraday},
        {"D", Product::Delivery},
        {"DELIVERY", Product::Delivery},
        {"NRML", Product::Delivery},
    }};
    return parseNamed(text, names);
}

std::optional<Validity> parseValidity(std::string_view text)
{
    static constexpr std::array<std::pair<std::string_view, Validity>, 2> names{{
        {"DAY", Validity::Day},
        {"IOC", Validity::Ioc},
    }};
    return parseNamed(text, names);
}

std::string_view venueName(Venue venue)
{
    return venue == Venue::Upstox ? "upstox" : "paper";
}

std::optional<Venue> parseVenue(std::string_view name)
{
    if (name == "paper")
        return Venue::Paper;
    if (name == "upstox")
        return Venue::Upstox;
    return std::nullopt;
}

} // namespace strikeline
