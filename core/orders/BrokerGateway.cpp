#include "BrokerGateway.h"

#include <array>

namespace strikeline {

namespace {

constexpr std::array<std::string_view, 12> StateNames = {
    "pending",  "open",           "trigger_pending", "modify_pending",
    "modified", "modify_refused", "cancel_pending",  "cancel_refused",
    "complete", "rejected",       "cancelled",       "unknown"};
constexpr std::array<std::string_view, 9> RefusalNames = {
    "none",          "rejected",           "not_modifiable",  "rate_limited", "static_ip_required",
    "market_closed", "insufficient_funds", "session_expired", "network"};

} // namespace

std::string_view brokerOrderStateName(BrokerOrderState state)
{
    return StateNames.at(static_cast<std::size_t>(state));
}

std::string_view refusalKindName(RefusalKind kind)
{
    return RefusalNames.at(static_cast<std::size_t>(kind));
}

} // namespace strikeline
