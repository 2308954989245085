#pragma once

// What the validator knows about the trader's account: open positions and margin, from RAM.
// The paper broker (and later the live one) keeps this up to date; the validator only reads it
// and never asks a database or the network. Implementations must be safe to read from the
// thread that validates.

#include "common/Money.h"

#include <absl/container/flat_hash_map.h>
#include <absl/strings/string_view.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace strikeline {

class AccountView
{
public:
    virtual ~AccountView() = default;
    // Net open quantity of one contract, in its QuantityUnit (units; lots on MCX): positive
    // long, negative short, zero flat or unknown.
    virtual std::int64_t netQuantity(std::string_view instrumentKey) const = 0;
    // Margin still available for new positions; nullopt when unknown (no margin check).
    virtual std::optional<Money> availableMargin() const = 0;
};

// A plain, immutable-after-filling account view: what a broker publishes as one value, and
// what tests and the CLI build by hand.
class AccountSnapshot final : public AccountView
{
public:
    void setPosition(std::string_view instrumentKey, std::int64_t netQuantity)
    {
        m_positions[std::string(instrumentKey)] = netQuantity;
    }
    void setAvailableMargin(std::optional<Money> margin) { m_margin = margin; }

    std::int64_t netQuantity(std::string_view instrumentKey) const override
    {
        // Debian's abseil has its own string_view type.
        const auto it =
            m_positions.find(absl::string_view(instrumentKey.data(), instrumentKey.size()));
        return it == m_positions.end() ? 0 : it->second;
    }
    std::optional<Money> availableMargin() const override { return m_margin; }

private:
    absl::flat_hash_map<std::string, std::int64_t> m_positions;
    std::optional<Money> m_margin;
};

} // namespace strikeline
