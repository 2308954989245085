#pragma once

// What a quantity of a contract is worth: the one place that turns a price and a quantity into
// money, for the validator's order value and margin estimate, positions and their P&L, the
// orders and positions tables and the CLI. See docs/orders.md ("Quantity, lot and multiplier").
//
// Upstox's masters (measured on /work/shared/data/upstox):
// * quantity is in the contract's QuantityUnit: units (a multiple of lot_size) on NSE/BSE F&O,
//   equities, currency and NSE_COM; lots on MCX_FO;
// * `qty_multiplier` is how many units of the price quote one quantity step is: 1 on NSE_FO and
//   equities (absent on BSE_FO: 1), 1000 on NCD_FO/BCD_FO (USDINR: 1 lot = USD 1000, lot_size
//   1), per commodity on MCX_FO and NSE_COM (CRUDEOIL 100 barrels, SILVER 30 kg, GOLD 100 x
//   10 g, GOLDTEN 1 x 10 g);
// * so value = price x quantity x qty_multiplier in every segment. lot_size on MCX_FO is the
//   lot in the commodity's physical unit (GOLDTEN lot_size 10 g, qty_multiplier 1, because the
//   price is per 10 g) and never enters the value.

#include "common/Money.h"
#include "common/Price.h"
#include "instruments/Instrument.h"

#include <QString>

#include <cstdint>
#include <optional>

namespace strikeline {

// The master's qty_multiplier as a factor: zero or missing (BSE_FO, old journals) is 1.
constexpr std::int64_t valueMultiplier(std::int64_t qtyMultiplier)
{
    return qtyMultiplier > 0 ? qtyMultiplier : 1;
}

// price x quantity x valueMultiplier(qtyMultiplier): an order's notional, or with a price
// difference (last - average) and a signed quantity, a P&L. Nullopt when it does not fit in
// Money (far beyond any real order).
std::optional<Money> contractValue(Price price, std::int64_t quantity, std::int64_t qtyMultiplier);

// A quantity as the trader types it, with its unit: "3 lots" / "1 lot" on MCX, "650" elsewhere
// (units, the contract's own count). Negative quantities keep their sign.
QString quantityText(std::int64_t quantity, QuantityUnit unit);
// The same for a segment name as an order records it ("MCX_FO").
QString quantityText(std::int64_t quantity, std::string_view segment);

} // namespace strikeline
