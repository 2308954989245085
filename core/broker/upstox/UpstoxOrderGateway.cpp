#include "UpstoxOrderGateway.h"

#include "broker/upstox/UpstoxClient.h"

#include <QJsonArray>
#include <QUrlQuery>

#include <algorithm>
#include <memory>

namespace strikeline::upstox {

UpstoxOrderGateway::UpstoxOrderGateway(UpstoxClient &client, Options options, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_options(std::move(options))
{
    UpstoxPortfolioStream::Listener listener;
    listener.order = [this](BrokerOrderUpdate update) { onUpdate(std::move(update)); };
    listener.position = m_options.onPosition;
    listener.state = [this](StreamState state, const QString &reason) {
        deliver({GatewayStatus{state, reason.toStdString()}});
    };
    m_stream = new UpstoxPortfolioStream(client, m_options.stream, std::move(listener), this);
}

UpstoxOrderGateway::~UpstoxOrderGateway()
{
    setEventSink({});
}

void UpstoxOrderGateway::setEventSink(EventSink sink)
{
    std::lock_guard lock(m_sinkMutex);
    m_sink = std::move(sink);
}

void UpstoxOrderGateway::deliver(std::vector<GatewayEvent> events)
{
    std::lock_guard lock(m_sinkMutex);
    if (!m_sink)
        return;
    const EventSink sink = m_sink; // the sink may replace itself while it runs
    sink(std::move(events));
}

void UpstoxOrderGateway::startStream()
{
    m_stream->start();
}

void UpstoxOrderGateway::stopStream()
{
    m_stream->stop();
}

void UpstoxOrderGateway::sessionRestored()
{
    m_stream->sessionRestored();
}

GatewayRequestId UpstoxOrderGateway::place(const PlaceOrderRequest &request)
{
    const GatewayRequestId id = m_nextRequest.fetch_add(1);
    QMetaObject::invokeMethod(
        this, [this, id, request] { doPlace(id, request); }, Qt::QueuedConnection);
    return id;
}

GatewayRequestId UpstoxOrderGateway::modify(const ModifyOrderRequest &request)
{
    const GatewayRequestId id = m_nextRequest.fetch_add(1);
    QMetaObject::invokeMethod(
        this, [this, id, request] { doModify(id, request); }, Qt::QueuedConnection);
    return id;
}

GatewayRequestId UpstoxOrderGateway::cancel(const std::string &brokerOrderId)
{
    const GatewayRequestId id = m_nextRequest.fetch_add(1);
    QMetaObject::invokeMethod(
        this, [this, id, brokerOrderId] { doCancel(id, brokerOrderId); }, Qt::QueuedConnection);
    return id;
}

GatewayRequestId UpstoxOrderGateway::findByTag(const std::string &tag)
{
    const GatewayRequestId id = m_nextRequest.fetch_add(1);
    QMetaObject::invokeMethod(
        this, [this, id, tag] { doFindByTag(id, tag); }, Qt::QueuedConnection);
    return id;
}

GatewayRequestId UpstoxOrderGateway::fetchBook()
{
    const GatewayRequestId id = m_nextRequest.fetch_add(1);
    QMetaObject::invokeMethod(
        this, [this, id] { doFetchBook(id); }, Qt::QueuedConnection);
    return id;
}

void UpstoxOrderGateway::doPlace(GatewayRequestId id, const PlaceOrderRequest &request)
{
    if (request.slice && !request.childClientOrderIds.empty())
        m_sliceChildren[request.order.clientOrderId] = request.childClientOrderIds;
    m_client.post(
        QStringLiteral("/v3/order/place"), placeOrderBody(request, m_options.marketProtection),
        this,
        [this, id, request](UpstoxResult<QJsonValue> answer) {
            onPlaced(id, request, std::move(answer));
        },
        UpstoxHost::Order);
}

void UpstoxOrderGateway::onPlaced(GatewayRequestId id, const PlaceOrderRequest &request,
                                  UpstoxResult<QJsonValue> answer)
{
    if (!answer.ok()) {
        deliver({replyFromError(id, answer.error(), OrderCall::Place)});
        return;
    }
    GatewayReply reply;
    reply.request = id;
    for (const QJsonValue &v :
         answer.value().toObject().value(QLatin1String("order_ids")).toArray())
        if (!v.toString().isEmpty())
            reply.brokerOrderIds.push_back(v.toString().toStdString());
    if (reply.brokerOrderIds.empty()) {
        deliver({replyFromError(id, malformed(QStringLiteral("the place answer has no order_ids")),
                                OrderCall::Place)});
        return;
    }
    if (request.slice)
        for (std::size_t i = 0;
             i < std::min(reply.brokerOrderIds.size(), request.childClientOrderIds.size()); ++i)
            m_childIds[reply.brokerOrderIds[i]] = request.childClientOrderIds[i];
    deliver({std::move(reply)});
}

void UpstoxOrderGateway::doModify(GatewayRequestId id, const ModifyOrderRequest &request)
{
    m_client.put(
        QStringLiteral("/v3/order/modify"), modifyOrderBody(request, m_options.marketProtection),
        this,
        [this, id](UpstoxResult<QJsonValue> answer) {
            onOrderChanged(id, OrderCall::Modify, std::move(answer));
        },
        UpstoxHost::Order);
}

void UpstoxOrderGateway::doCancel(GatewayRequestId id, const std::string &brokerOrderId)
{
    m_client.del(
        QStringLiteral("/v3/order/cancel"),
        QUrlQuery{{QStringLiteral("order_id"), QString::fromStdString(brokerOrderId)}}, this,
        [this, id](UpstoxResult<QJsonValue> answer) {
            onOrderChanged(id, OrderCall::Cancel, std::move(answer));
        },
        UpstoxHost::Order);
}

void UpstoxOrderGateway::onOrderChanged(GatewayRequestId id, OrderCall call,
                                        UpstoxResult<QJsonValue> answer)
{
    if (!answer.ok()) {
        deliver({replyFromError(id, answer.error(), call)});
        return;
    }
    GatewayReply reply;
    reply.request = id;
    const QString orderId = answer.value().toObject().value(QLatin1String("order_id")).toString();
    if (!orderId.isEmpty())
        reply.brokerOrderIds.push_back(orderId.toStdString());
    deliver({std::move(reply)});
}

void UpstoxOrderGateway::attachChildId(BrokerOrderUpdate &update) const
{
    const auto child = m_childIds.find(update.brokerOrderId);
    if (child != m_childIds.end())
        update.clientOrderId = child->second;
}

void UpstoxOrderGateway::onUpdate(BrokerOrderUpdate update)
{
    attachChildId(update);
    deliver({std::move(update)});
}

namespace {

// The latest state of each order in `rows` (the order history is oldest first; the book has
// one row per order), in the order the orders first appear.
std::vector<BrokerOrderUpdate> latestPerOrder(const QJsonArray &rows, QString *unreadable)
{
    std::vector<BrokerOrderUpdate> orders;
    std::map<std::string, std::size_t> index;
    for (const QJsonValue &row : rows) {
        auto order = parseOrderUpdate(row.toObject());
        if (!order) {
            *unreadable = order.error().toString();
            continue;
        }
        const auto [it, added] = index.try_emplace(order->brokerOrderId, orders.size());
        if (added)
            orders.push_back(std::move(order).value());
        else
            orders[it->second] = std::move(order).value();
    }
    return orders;
}

GatewaySnapshot failedSnapshot(GatewayRequestId id, bool wholeBook, const UpstoxError &error)
{
    GatewaySnapshot snapshot;
    snapshot.request = id;
    snapshot.wholeBook = wholeBook;
    snapshot.message = error.toString().toStdString();
    return snapshot;
}

} // namespace

void UpstoxOrderGateway::doFindByTag(GatewayRequestId id, const std::string &tag)
{
    m_client.get(
        QStringLiteral("/v2/order/history"),
        QUrlQuery{{QStringLiteral("tag"), QString::fromStdString(tag)}}, this,
        [this, id, tag](UpstoxResult<QJsonValue> answer) {
            // Upstox answers a tag it has no order with as an unknown order: a definite "none".
            const bool none = !answer.ok() && (answer.error().kind == UpstoxErrorKind::NotFound ||
                                               answer.error().code == QLatin1String("UDAPI100010"));
            if (!answer.ok() && !none) {
                deliver({failedSnapshot(id, false, answer.error())});
                return;
            }
            GatewaySnapshot snapshot;
            snapshot.request = id;
            snapshot.ok = true;
            QString unreadable;
            if (!none)
                snapshot.orders = latestPerOrder(answer.value().toArray(), &unreadable);
            // A sliced order whose place answer was lost: its children in the order Upstox
            // numbered them are the slices in order.
            const auto children = m_sliceChildren.find(tag);
            if (children != m_sliceChildren.end() &&
                snapshot.orders.size() == children->second.size()) {
                std::vector<std::string> ids;
                for (const BrokerOrderUpdate &order : snapshot.orders)
                    ids.push_back(order.brokerOrderId);
                std::sort(ids.begin(), ids.end(), [](const std::string &a, const std::string &b) {
                    return a.size() != b.size() ? a.size() < b.size() : a < b;
                });
                for (std::size_t i = 0; i < ids.size(); ++i)
                    m_childIds.try_emplace(ids[i], children->second[i]);
            }
            for (BrokerOrderUpdate &order : snapshot.orders)
                attachChildId(order);
            if (!unreadable.isEmpty())
                snapshot.message = unreadable.toStdString();
            deliver({std::move(snapshot)});
        });
}

void UpstoxOrderGateway::doFetchBook(GatewayRequestId id)
{
    struct Fetch
    {
        std::optional<UpstoxResult<QJsonValue>> book;
        std::optional<UpstoxResult<QJsonValue>> trades;
    };
    auto fetch = std::make_shared<Fetch>();
    const auto finish = [this, id, fetch] {
        if (!fetch->book || !fetch->trades)
            return;
        for (const auto *part : {&*fetch->book, &*fetch->trades})
            if (!part->ok()) {
                deliver({failedSnapshot(id, true, part->error())});
                return;
            }
        GatewaySnapshot snapshot;
        snapshot.request = id;
        snapshot.ok = true;
        snapshot.wholeBook = true;
        QString unreadable;
        snapshot.orders = latestPerOrder(fetch->book->value().toArray(), &unreadable);
        std::map<std::string, std::string> clientIds;
        for (BrokerOrderUpdate &order : snapshot.orders) {
            attachChildId(order);
            clientIds[order.brokerOrderId] = order.clientOrderId;
        }
        for (const QJsonValue &row : fetch->trades->value().toArray()) {
            auto trade = parseTrade(row.toObject());
            if (!trade) {
                unreadable = trade.error().toString();
                continue;
            }
            const auto client = clientIds.find(trade->brokerOrderId);
            if (client != clientIds.end())
                trade.value().clientOrderId = client->second;
            snapshot.trades.push_back(std::move(trade).value());
        }
        if (!unreadable.isEmpty())
            snapshot.message = unreadable.toStdString();
        deliver({std::move(snapshot)});
    };
    m_client.get(QStringLiteral("/v2/order/retrieve-all"), {}, this,
                 [fetch, finish](UpstoxResult<QJsonValue> answer) {
                     fetch->book.emplace(std::move(answer));
                     finish();
                 });
    m_client.get(QStringLiteral("/v2/order/trades/get-trades-for-day"), {}, this,
                 [fetch, finish](UpstoxResult<QJsonValue> answer) {
                     fetch->trades.emplace(std::move(answer));
                     finish();
                 });
}

} // namespace strikeline::upstox
