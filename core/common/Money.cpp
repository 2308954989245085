#include "Money.h"

#include <algorithm>
#include <cstdlib>

namespace strikeline {

namespace {

constexpr std::int64_t pow10(int n)
{
    std::int64_t p = 1;
    while (n-- > 0)
        p *= 10;
    return p;
}

// Groups the digits of a non-negative whole number the Indian way: the last three, then pairs.
QString indianGrouping(std::uint64_t whole)
{
    const QString digits = QString::number(whole);
    if (digits.size() <= 3)
        return digits;
    QString head = digits.left(digits.size() - 3);
    QString out;
    while (head.size() > 2) {
        out.prepend(QLatin1Char(',') + head.right(2));
        head.chop(2);
    }
    return head + out + QLatin1Char(',') + digits.right(3);
}

// |raw| rounded half away from zero to `decimals` (0-4), in units of 10^-decimals rupee.
std::uint64_t roundedMagnitude(std::int64_t raw, int decimals)
{
    const std::uint64_t magnitude =
        raw < 0 ? 0 - static_cast<std::uint64_t>(raw) : static_cast<std::uint64_t>(raw);
    const auto step = static_cast<std::uint64_t>(pow10(Price::Decimals - decimals));
    return (magnitude + step / 2) / step;
}

} // namespace

std::optional<Money> Money::parse(std::string_view text)
{
    const std::optional<Price> p = Price::parse(text);
    if (!p)
        return std::nullopt;
    return Money::fromRaw(p->raw());
}

std::optional<Money> Money::basisPoints(std::int64_t bp) const
{
    std::int64_t product = 0;
    if (__builtin_mul_overflow(m_raw, bp, &product))
        return std::nullopt;
    const std::int64_t q = product / 10000;
    const std::int64_t r = product % 10000;
    if (2 * std::llabs(r) >= 10000)
        return Money(product < 0 ? q - 1 : q + 1);
    return Money(q);
}

std::string Money::toString(int minDecimals) const
{
    return Price::fromRaw(m_raw).toString(minDecimals);
}

QString Money::toQString(int minDecimals) const
{
    return QString::fromStdString(toString(minDecimals));
}

QString Money::toIndian(int decimals) const
{
    decimals = std::clamp(decimals, 0, Price::Decimals);
    const std::uint64_t units = roundedMagnitude(m_raw, decimals);
    const auto perRupee = static_cast<std::uint64_t>(pow10(decimals));
    QString text = indianGrouping(units / perRupee);
    if (decimals > 0)
        text += QLatin1Char('.') +
                QStringLiteral("%1").arg(units % perRupee, decimals, 10, QLatin1Char('0'));
    if (units != 0 && m_raw < 0)
        text.prepend(QLatin1Char('-'));
    return text;
}

QString Money::toCompact() const
{
    constexpr std::int64_t Lakh = 100'000;
    constexpr std::int64_t Crore = 100 * Lakh;
    const std::uint64_t paise = roundedMagnitude(m_raw, 2);
    const char *suffix = nullptr;
    std::uint64_t divisor = 0;
    if (paise >= static_cast<std::uint64_t>(Crore) * 100) {
        suffix = " Cr";
        divisor = Crore;
    } else if (paise >= static_cast<std::uint64_t>(Lakh) * 100) {
        suffix = " L";
        divisor = Lakh;
    } else {
        return toIndian(2);
    }
    // Two decimals of crores/lakhs, rounded half up on the magnitude.
    const std::uint64_t hundredths = (paise + divisor / 2) / divisor;
    QString text = indianGrouping(hundredths / 100) + QLatin1Char('.') +
                   QStringLiteral("%1").arg(hundredths % 100, 2, 10, QLatin1Char('0')) +
                   QLatin1String(suffix);
    if (m_raw < 0)
        text.prepend(QLatin1Char('-'));
    return text;
}

QString formatPrice(Price price, Price tick)
{
    int decimals = 2;
    for (std::int64_t raw = tick.raw();
         raw > 0 && decimals < Price::Decimals && raw % pow10(Price::Decimals - decimals) != 0;)
        ++decimals;
    return price.toQString(decimals);
}

} // namespace strikeline
