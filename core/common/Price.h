#pragma once

#include <QString>

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace strikeline {

// An exact decimal amount in rupees, stored as an integer count of 1/10000 rupee.
//
// Four decimals hold every tick that trades in India exactly: Rs 0.0025 (currency options,
// 25 raw), Rs 0.01 (100), Rs 0.05 (500), Rs 5.00 (50000). Strikes such as 83.2500 or 167.5 are
// exact too. Arithmetic that could leave the grid (multiplying two prices, dividing) is not
// offered; only what the order path needs: add, subtract, scale by an integer quantity,
// compare and round to a tick.
//
// | operation              | result            | exact?                              |
// |------------------------|-------------------|-------------------------------------|
// | Price +/- Price        | Price             | yes (int64, +/- 9.2e14 rupees)      |
// | Price * int64 quantity | Price             | yes while |raw * q| < 9.2e18         |
// | roundDown/Up(tick)     | Price             | yes, to a multiple of tick          |
// | parse(decimal text)    | optional<Price>   | yes, or nullopt if > 4 decimals     |
// | toDouble()             | double            | no: only for display/JSON output    |
class Price
{
public:
    static constexpr std::int64_t Scale = 10000;
    static constexpr int Decimals = 4;

    constexpr Price() = default;

    static constexpr Price fromRaw(std::int64_t raw) { return Price(raw); }
    static constexpr Price fromRupees(std::int64_t rupees) { return Price(rupees * Scale); }
    static constexpr Price fromPaise(std::int64_t paise) { return Price(paise * (Scale / 100)); }

    // Parses a JSON/CSV decimal number ("26250", "26250.0", "0.05", "-1.5", "5e-2") exactly.
    // Returns nullopt for anything that is not a number or needs more than four decimals.
    static std::optional<Price> parse(std::string_view text);
    // Same, for a number written in paise (the JSON master's tick_size): "5.0" -> Rs 0.05.
    static std::optional<Price> parsePaise(std::string_view text);
    // Scaled parse: the value of text * 10^shift, exact or nullopt.
    static std::optional<Price> parseScaled(std::string_view text, int shift);

    constexpr std::int64_t raw() const { return m_raw; }
    constexpr bool isZero() const { return m_raw == 0; }
    constexpr bool isPositive() const { return m_raw > 0; }
    constexpr bool isNegative() const { return m_raw < 0; }

    constexpr bool isMultipleOf(Price tick) const
    {
        return tick.m_raw > 0 && m_raw % tick.m_raw == 0;
    }
    constexpr Price roundDownTo(Price tick) const
    {
        if (tick.m_raw <= 0)
            return *this;
        std::int64_t q = m_raw / tick.m_raw;
        if (m_raw % tick.m_raw != 0 && m_raw < 0)
            --q;
        return Price(q * tick.m_raw);
    }
    constexpr Price roundUpTo(Price tick) const
    {
        const Price down = roundDownTo(tick);
        return down.m_raw == m_raw ? down : Price(down.m_raw + tick.m_raw);
    }

    constexpr Price operator+(Price o) const { return Price(m_raw + o.m_raw); }
    constexpr Price operator-(Price o) const { return Price(m_raw - o.m_raw); }
    constexpr Price operator-() const { return Price(-m_raw); }
    constexpr Price operator*(std::int64_t quantity) const { return Price(m_raw * quantity); }
    constexpr auto operator<=>(const Price &) const = default;

    // Exact text in rupees, trailing zeros trimmed but at least minDecimals: 0.05, 26250, 83.25.
    std::string toString(int minDecimals = 0) const;
    QString toQString(int minDecimals = 0) const;
    double toDouble() const { return static_cast<double>(m_raw) / Scale; }

private:
    constexpr explicit Price(std::int64_t raw)
        : m_raw(raw)
    {}

    std::int64_t m_raw = 0;
};

} // namespace strikeline
