#include "Price.h"

#include <array>
#include <limits>

namespace strikeline {

std::optional<Price> Price::parseScaled(std::string_view text, int shift)
{
    // Trim the whitespace a raw JSON token may carry.
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' ||
                             text.back() == '\n'))
        text.remove_suffix(1);
    if (text.empty())
        return std::nullopt;

    std::size_t i = 0;
    bool negative = false;
    if (text[i] == '-' || text[i] == '+') {
        negative = text[i] == '-';
        ++i;
    }
    // Collect significant digits and the decimal exponent they carry.
    std::uint64_t mantissa = 0;
    int exponent = 0;
    int digits = 0;
    bool sawDigit = false;
    constexpr std::uint64_t mantissaLimit = std::numeric_limits<std::uint64_t>::max() / 10 - 10;
    auto addDigit = [&](char c, bool fractional) -> bool {
        sawDigit = true;
        const unsigned d = static_cast<unsigned>(c - '0');
        if (mantissa == 0 && d == 0) {
            if (fractional)
                --exponent;
            return true;
        }
        if (mantissa > mantissaLimit) {
            // Beyond 19 significant digits only zeros may follow (exactness).
            if (d != 0)
                return false;
            if (!fractional)
                ++exponent;
            return true;
        }
        mantissa = mantissa * 10 + d;
        ++digits;
        if (fractional)
            --exponent;
        return true;
    };
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
        if (!addDigit(text[i], false))
            return std::nullopt;
    }
    if (i < text.size() && text[i] == '.') {
        ++i;
        for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
            if (!addDigit(text[i], true))
                return std::nullopt;
        }
    }
    if (!sawDigit)
        return std::nullopt;
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        bool expNegative = false;
        if (i < text.size() && (text[i] == '-' || text[i] == '+')) {
            expNegative = text[i] == '-';
            ++i;
        }
        int e = 0;
        bool sawExpDigit = false;
        for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
            sawExpDigit = true;
            if (e < 10000)
                e = e * 10 + (text[i] - '0');
        }
        if (!sawExpDigit)
            return std::nullopt;
        exponent += expNegative ? -e : e;
    }
    if (i != text.size())
        return std::nullopt;

    // value = mantissa * 10^(exponent + shift + Decimals) in raw units.
    int scale = exponent + shift + Decimals;
    while (scale < 0) {
        if (mantissa % 10 != 0)
            return std::nullopt; // needs more than four decimals
        mantissa /= 10;
        ++scale;
    }
    constexpr std::uint64_t rawLimit =
        static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    for (; scale > 0; --scale) {
        if (mantissa > rawLimit / 10)
            return std::nullopt;
        mantissa *= 10;
    }
    if (mantissa > rawLimit)
        return std::nullopt;
    const auto raw = static_cast<std::int64_t>(mantissa);
    return Price(negative ? -raw : raw);
}

std::optional<Price> Price::parse(std::string_view text)
{
    return parseScaled(text, 0);
}

std::optional<Price> Price::parsePaise(std::string_view text)
{
    return parseScaled(text, -2);
}

std::string Price::toString(int minDecimals) const
{
    const bool negative = m_raw < 0;
    // Work in unsigned to survive INT64_MIN.
    const std::uint64_t magnitude =
        negative ? 0 - static_cast<std::uint64_t>(m_raw) : static_cast<std::uint64_t>(m_raw);
    const std::uint64_t whole = magnitude / Scale;
    std::uint64_t fraction = magnitude % Scale;
    std::string out;
    if (negative)
        out.push_back('-');
    out += std::to_string(whole);
    std::array<char, Decimals> frac{};
    for (int i = Decimals - 1; i >= 0; --i) {
        frac[static_cast<std::size_t>(i)] = static_cast<char>('0' + fraction % 10);
        fraction /= 10;
    }
    int keep = Decimals;
    while (keep > minDecimals && frac[static_cast<std::size_t>(keep - 1)] == '0')
        --keep;
    if (keep > 0) {
        out.push_back('.');
        out.append(frac.data(), static_cast<std::size_t>(keep));
    }
    return out;
}

QString Price::toQString(int minDecimals) const
{
    return QString::fromStdString(toString(minDecimals));
}

} // namespace strikeline
