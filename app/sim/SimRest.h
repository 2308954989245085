#pragma once

// The simulator's REST endpoints behind the bearer check: user, funds, quotes, option chain and
// contracts, market timings, orders, trades, positions and the margin calculator, in Upstox's
// shapes (upstox-reference.md §3, the Node SDK's models: docs/upstox-sim.md). Faults, login and
// the WebSocket URLs are the front door's (UpstoxSim).

#include "SimHttp.h"
#include "SimMarketView.h"

namespace strikeline::sim {

struct SimContext;
struct SimUser;
class SimOrders;

class SimRest
{
public:
    SimRest(SimContext &context, const SimUser &user, SimOrders &orders);

    // nullopt when no endpoint has that path (the front door answers 404).
    std::optional<HttpResponse> handle(const HttpRequest &request);
    // An order endpoint (place, modify, cancel): what static-ip-reject and drop-after-place hit.
    static bool isOrderEndpoint(const QString &path);

private:
    HttpResponse profile() const;
    HttpResponse funds(const HttpRequest &request) const;
    HttpResponse quotes(const HttpRequest &request) const;
    HttpResponse ltp(const HttpRequest &request) const;
    HttpResponse optionGreeks(const HttpRequest &request) const;
    HttpResponse optionChain(const HttpRequest &request) const;
    HttpResponse optionContracts(const HttpRequest &request) const;
    HttpResponse marketTimings(const QString &date) const;
    HttpResponse holidays() const;
    HttpResponse place(const HttpRequest &request);
    HttpResponse placeV2(const HttpRequest &request);
    HttpResponse orderTrades(const HttpRequest &request) const;
    HttpResponse modify(const HttpRequest &request);
    HttpResponse cancel(const HttpRequest &request);
    HttpResponse orderDetails(const HttpRequest &request) const;
    HttpResponse orderHistory(const HttpRequest &request) const;
    HttpResponse margin(const HttpRequest &request) const;

    // The instrument_key list of a quote call: the ids, or the 400.
    std::variant<std::vector<InstrumentId>, ApiError> keys(const HttpRequest &request,
                                                           int limit) const;
    // "NSE_FO:NIFTY 26250 CE 09 DEC 25": the key of a quote's response map.
    QString quoteKey(InstrumentId id) const;

    SimContext &m_context;
    const SimUser &m_user;
    SimOrders &m_orders;
    SimMarketView m_view;
};

} // namespace strikeline::sim
