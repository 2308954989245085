#pragma once

// The local API's order routes (docs/api.md, "Orders"), internal to strikeline_api:
//
//   POST   /api/v1/orders        place (JSON body: the CLI's names; idempotent on "tag")
//   GET    /api/v1/orders        today's orders (?venue=paper|upstox)
//   GET    /api/v1/orders/{id}   one order
//   PUT    /api/v1/orders/{id}   modify (qty, price, trigger, type, validity)
//   DELETE /api/v1/orders/{id}   cancel
//   GET    /api/v1/positions     paper positions (?live=true: Upstox's)
//   GET    /api/v1/funds         Upstox's funds and margin
//
// Nothing here blocks the server's thread: a place, modify or cancel is handed to the order
// service and answered from its callback (journaled and sent, or refused), posted back to the
// server's thread through a Mailbox; broker account calls answer on that thread themselves.

#include "api/ApiCommon.h"
#include "api/ApiTrading.h"

#include <QHttpServerRequest>
#include <QObject>

#include <functional>
#include <memory>
#include <mutex>

namespace strikeline {
class InstrumentRepository;
}

namespace strikeline::api::detail {

enum class TradingRoute { Orders, Order, Positions, Funds };

// Runs work on a QObject's thread from any thread, for as long as that object is open: after
// close() (called in the object's thread before it dies) nothing more is posted, and what was
// posted but not run dies with the object's event queue.
class Mailbox final
{
public:
    explicit Mailbox(QObject *target)
        : m_target(target)
    {}
    void post(std::function<void()> work);
    void close();

private:
    std::mutex m_mutex;
    QObject *m_target = nullptr;
};

using Respond = std::function<void(Reply)>; // on the server's thread, once

// Answers one request of a trading route, now or later, through `respond`.
void handleTrading(const ApiTrading &trading, const InstrumentRepository &repository,
                   TradingRoute route, const QString &orderId, QHttpServerRequest::Method method,
                   const QByteArray &body, const QUrl &url, QObject *context,
                   const std::shared_ptr<Mailbox> &mailbox, Respond respond);

} // namespace strikeline::api::detail
