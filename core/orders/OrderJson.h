#pragma once

// The JSON of an order and a position, as the CLI (--json) and the local API answer them
// (docs/cli.md, docs/api.md): one shape for both, so a script reads either the same way.
// Prices and money are numbers in rupees; a value that is not known is null, never zero.

#include "orders/OrderService.h"
#include "orders/PositionBook.h"

#include <QJsonArray>
#include <QJsonObject>

namespace strikeline {

QJsonObject orderStateJson(const OrderState &order);
QJsonArray orderStatesJson(const std::vector<OrderState> &orders);
QJsonObject positionJson(const Position &position, Venue venue);
// The validator's findings: [{"code", "severity": "error"|"warning", "message"}].
QJsonArray issuesJson(const std::vector<ValidationIssue> &issues);

} // namespace strikeline
