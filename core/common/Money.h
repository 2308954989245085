#pragma once

#include "Price.h"

#include <QString>

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace strikeline {

// An exact amount of money in rupees (a notional, a P&L, a margin), stored like Price as an
// integer count of 1/10000 rupee, but a different type: a price is per unit of a contract, an
// amount of money is what a quantity of it is worth (contractValue, core/orders/ContractValue.h).
// The compiler keeps the two apart: no implicit conversion either way, no Price + Money.
//
// | operation               | result          | exact?                                 |
// |-------------------------|-----------------|----------------------------------------|
// | Money +/- Money         | Money           | yes (int64, +/- 9.2e14 rupees)         |
// | Money * int64           | Money           | yes while |raw * n| < 9.2e18           |
// | basisPoints(bp)         | Money           | rounded to 1/10000 rupee, half away    |
// | toIndian / toCompact    | QString         | display only: 1,31,40,000.00 / 1.31 Cr |
// | toDouble()              | double          | no: only for display/JSON output       |
class Money
{
public:
    static constexpr std::int64_t Scale = Price::Scale;

    constexpr Money() = default;

    static constexpr Money fromRaw(std::int64_t raw) { return Money(raw); }
    static constexpr Money fromRupees(std::int64_t rupees) { return Money(rupees * Scale); }
    static constexpr Money fromPaise(std::int64_t paise) { return Money(paise * (Scale / 100)); }
    // Parses a decimal amount in rupees ("1500000", "0.05"); nullopt for more than 4 decimals.
    static std::optional<Money> parse(std::string_view text);

    constexpr std::int64_t raw() const { return m_raw; }
    constexpr bool isZero() const { return m_raw == 0; }
    constexpr bool isPositive() const { return m_raw > 0; }
    constexpr bool isNegative() const { return m_raw < 0; }

    constexpr Money operator+(Money o) const { return Money(m_raw + o.m_raw); }
    constexpr Money operator-(Money o) const { return Money(m_raw - o.m_raw); }
    constexpr Money operator-() const { return Money(-m_raw); }
    constexpr Money &operator+=(Money o)
    {
        m_raw += o.m_raw;
        return *this;
    }
    constexpr Money operator*(std::int64_t n) const { return Money(m_raw * n); }
    constexpr auto operator<=>(const Money &) const = default;

    // This amount x basisPoints / 10000 (a margin rate: 1200 bp = 12 %), rounded half away
    // from zero to 1/10000 rupee; nullopt on overflow.
    std::optional<Money> basisPoints(std::int64_t bp) const;

    // Exact text in rupees, trailing zeros trimmed but at least minDecimals: 900, 0.05.
    std::string toString(int minDecimals = 0) const;
    QString toQString(int minDecimals = 0) const;
    // Indian digit grouping, rounded (half away from zero) to `decimals` (0-4):
    // 13140000 -> "1,31,40,000.00", -900 -> "-900.00".
    QString toIndian(int decimals = 2) const;
    // For narrow cells: crores and lakhs with two decimals from one lakh up ("1.31 Cr",
    // "-4.50 L"), toIndian(2) below.
    QString toCompact() const;
    double toDouble() const { return static_cast<double>(m_raw) / Scale; }

private:
    constexpr explicit Money(std::int64_t raw)
        : m_raw(raw)
    {}

    std::int64_t m_raw = 0;
};

// A price as a trader reads it on a contract whose tick is `tick`: as many decimals as the tick
// needs, at least two (26250.05, 83.2525, 5258.00). No grouping: prices line up in columns.
QString formatPrice(Price price, Price tick);

} // namespace strikeline
