#pragma once

#include "instruments/Instrument.h"
#include "orders/OrderService.h"

#include <QString>

#include <cstdint>

namespace strikeline::ui {

// A quantity as the trader counts it: "2 × 65" (lots × lot size) in units, "3 lots" on MCX,
// "130 units" when it is not a whole number of lots.
QString lotsText(std::int64_t quantity, std::int32_t lotSize, QuantityUnit unit);

// What happened to an order, for the status bar: "BUY NIFTY 26000 CE 30 DEC 25: filled 2 × 65
// at 202.75", "… open: 2 × 65 at 200.00, nothing filled yet", "… cancelled after filling
// 1 × 65 at 202.75", "… rejected: <reason>".
QString orderFeedbackText(const OrderState &order);

} // namespace strikeline::ui
