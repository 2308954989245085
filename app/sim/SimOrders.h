#pragma once

// The simulated account's orders, trades and positions in Upstox's shapes. Matching is the
// paper broker's (core/orders/PaperBroker: MARKET at the last price, LIMIT when the last price
// crosses, SL/SL-M when it crosses the trigger, after-market orders wait for the open); this
// class keeps what Upstox reports on top of it: the order book with its status strings and
// history, v3 auto-slicing at the freeze quantity, modify (a cancel and a re-place in the paper
// broker under the same Upstox order id), trades, day positions and funds. Every change queues
// the portfolio-stream update it causes; the front door sends them (takeUpdates) when the
// response and the faults say so.

#include "SimHttp.h"
#include "common/Money.h"
#include "orders/Order.h"
#include "orders/PaperBroker.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace strikeline::sim {

struct SimContext;

// The margin model behind funds and /v2/charges/margin (docs/upstox-sim.md): futures and short
// options 12 % SPAN + 3 % exposure of the notional, long options the premium, equity 20 %
// intraday and 100 % delivery.
struct MarginFigures
{
    Money span;
    Money exposure;
    Money equity;
    Money netBuyPremium;
    Money total() const { return span + exposure + equity + netBuyPremium; }
};

class SimOrders
{
public:
    SimOrders(SimContext &context, QString userId);
    SimOrders(const SimOrders &) = delete;
    SimOrders &operator=(const SimOrders &) = delete;

    // POST /v3/order/place: the ids of the (child) orders, or the 400 error.
    std::variant<QStringList, ApiError> place(const QJsonObject &body);
    // PUT /v3/order/modify: the order id, or the error.
    std::variant<QString, ApiError> modify(const QJsonObject &body);
    // DELETE /v3/order/cancel.
    std::optional<ApiError> cancel(const QString &orderId);
    // Re-checks open orders against the market (the simulator's market timer).
    void onPrices();

    QJsonArray orderBook() const;
    std::optional<QJsonObject> orderDetails(const QString &orderId) const;
    // Every state the order went through, oldest first; by tag: every order with that tag.
    QJsonArray history(const QString &orderId, const QString &tag) const;
    QJsonArray tradesForDay() const;
    QJsonArray positions() const;
    QJsonObject equityFunds() const;

    // The margin one order would block (price 0: at the market).
    std::optional<MarginFigures> marginFor(const std::string &instrumentKey, std::int64_t quantity,
                                           Side side, Product product, Price price) const;

    struct Update
    {
        bool position = false; // else an order update
        QJsonObject json;      // exactly as the portfolio stream sends it
    };
    std::vector<Update> takeUpdates();
    bool hasUpdates() const { return !m_updates.empty(); }

    static constexpr Money StartingCash = Money::fromRupees(10'000'000); // Rs 1 crore

private:
    struct SimOrder
    {
        QString orderId;
        QString requestId;
        std::string paperClientId; // the paper broker's client order id of the live child
        std::string paperId;       // the paper broker's order id
        QString tag;
        std::string instrumentKey;
        QString tradingSymbol;
        QString exchange;
        QString parentOrderId;
        OrderRequest request;
        std::int64_t disclosedQuantity = 0;
        std::int64_t filledQuantity = 0;
        Money filledValue; // price x quantity over the fills (average = value / quantity)
        QString status;
        QString statusMessage;
        bool amo = false;
        std::int64_t placedMs = 0;
        std::int64_t exchangeMs = 0;
        QString exchangeOrderId;
        std::vector<QJsonObject> history;
    };
    struct Trade
    {
        QString tradeId;
        QString orderId;
        std::int64_t quantity = 0;
        Price price;
        std::int64_t timeMs = 0;
    };
    struct Position
    {
        std::string instrumentKey;
        Product product = Product::Delivery;
        std::int64_t buyQuantity = 0;
        Money buyValue;
        std::int64_t sellQuantity = 0;
        Money sellValue;
    };

    void onBrokerEvent(const BrokerEvent &event);
    void record(SimOrder &order); // history + the order update
    QJsonObject orderJson(const SimOrder &order) const;
    QJsonObject positionJson(const Position &position) const;
    std::optional<ApiError> validate(const QJsonObject &body, OrderRequest &request,
                                     std::int64_t &disclosed) const;
    Price lastPrice(const std::string &instrumentKey) const;
    struct Funds
    {
        Money used;
        Money span;
        Money exposure;
        Money realised;
        Money available() const { return StartingCash + realised - used; }
    };
    Funds funds() const;
    std::int32_t multiplier(const std::string &instrumentKey) const;
    QString nextOrderId();

    SimContext &m_context;
    QString m_userId;
    PaperBroker m_broker;
    std::vector<SimOrder> m_orders;                // placement order
    std::map<std::string, std::size_t> m_byClient; // paper client id -> m_orders index
    std::vector<Trade> m_trades;
    std::vector<Position> m_positions;
    std::vector<Update> m_updates;
    std::string m_suppressCancelOf; // the paper order a modify is replacing
    std::uint64_t m_sequence = 0;
    std::uint64_t m_orderSequence = 0;
    std::uint64_t m_tradeSequence = 0;
    QString m_orderIdPrefix;
};

// "2025-12-09 10:30:00" IST: Upstox's order and trade timestamps.
QString istTimestamp(std::int64_t epochMs);
// "NFO" for NSE_FO: the exchange as the order book names it.
QString exchangeOf(std::string_view instrumentKey);

} // namespace strikeline::sim
