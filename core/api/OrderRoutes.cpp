#include "api/OrderRoutes.h"

#include "instruments/InstrumentRepository.h"
#include "orders/OrderJson.h"
#include "orders/OrderService.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QMetaObject>

#include <cmath>
#include <set>

namespace strikeline::api::detail {

void Mailbox::post(std::function<void()> work)
{
    std::lock_guard lock(m_mutex);
    if (m_target)
        QMetaObject::invokeMethod(m_target, std::move(work), Qt::QueuedConnection);
}

void Mailbox::close()
{
    std::lock_guard lock(m_mutex);
    m_target = nullptr;
}

namespace {

QString text(std::string_view s)
{
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

Reply unprocessable(const QString &message, const std::vector<ValidationIssue> &issues,
                    const std::optional<OrderState> &order)
{
    return {Status::UnprocessableEntity,
            toJson(QJsonObject{{QStringLiteral("error"), QStringLiteral("rejected")},
                               {QStringLiteral("status"), 422},
                               {QStringLiteral("message"), message},
                               {QStringLiteral("reasons"), issuesJson(issues)},
                               {QStringLiteral("order"),
                                order ? QJsonValue(orderStateJson(*order)) : QJsonValue()}})};
}

QJsonArray warningsOf(const std::vector<ValidationIssue> &issues)
{
    QJsonArray warnings;
    for (const ValidationIssue &i : issues)
        if (i.severity == IssueSeverity::Warning)
            warnings.append(QJsonObject{{QStringLiteral("code"), text(i.code)},
                                        {QStringLiteral("message"), i.message}});
    return warnings;
}

Reply methodNotAllowed(const char *allow)
{
    Reply r = error(Status::MethodNotAllowed, "method_not_allowed",
                    QStringLiteral("this path takes %1").arg(QLatin1String(allow)));
    r.allow = QByteArray(allow);
    return r;
}

// The body: one JSON object whose names are all among `allowed` (a typo is a 400, never a
// default silently taken).
Result<QJsonObject> bodyObject(const QByteArray &body, std::initializer_list<const char *> allowed)
{
    QJsonParseError parseError{};
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        return Error::make(ErrorCode::InvalidArgument,
                           body.trimmed().isEmpty()
                               ? QStringLiteral("the body must be a JSON object")
                               : QStringLiteral("the body is not a JSON object: %1")
                                     .arg(parseError.error != QJsonParseError::NoError
                                              ? parseError.errorString()
                                              : QStringLiteral("not an object")));
    }
    const QJsonObject object = document.object();
    for (auto it = object.begin(); it != object.end(); ++it) {
        bool known = false;
        for (const char *a : allowed)
            known = known || it.key() == QLatin1String(a);
        if (!known) {
            QStringList names;
            for (const char *a : allowed)
                names << QLatin1String(a);
            return Error::make(ErrorCode::InvalidArgument,
                               QStringLiteral("unknown field '%1' (this takes %2)")
                                   .arg(it.key(), names.join(QStringLiteral(", "))));
        }
    }
    return object;
}

Result<QString> textField(const QJsonObject &o, const char *name)
{
    const QJsonValue v = o.value(QLatin1String(name));
    if (!v.isString())
        return Error::make(ErrorCode::InvalidArgument,
                           QStringLiteral("'%1' must be a string").arg(QLatin1String(name)));
    return v.toString();
}

// A price in rupees: a number or a string ("101.05"), positive, at most Price::Decimals
// decimals, at most MaxOrderPrice.
Result<Price> priceField(const QJsonObject &o, const char *name)
{
    const QJsonValue v = o.value(QLatin1String(name));
    std::optional<Price> price;
    const auto bad = [&](const QString &why) {
        return Error::make(ErrorCode::InvalidArgument,
                           QStringLiteral("'%1' %2").arg(QLatin1String(name), why));
    };
    if (v.isString()) {
        price = Price::parse(v.toString().trimmed().toStdString());
    } else if (v.isDouble()) {
        const double d = v.toDouble();
        price = Price::parse(QString::number(d, 'f', Price::Decimals).toStdString());
        if (price && std::abs(price->toDouble() - d) > 1e-9)
            return bad(QStringLiteral("has more than %1 decimals").arg(Price::Decimals));
    } else {
        return bad(QStringLiteral("must be a price in rupees (a number, or a string like "
                                  "\"101.05\")"));
    }
    if (!price)
        return bad(QStringLiteral("is not a price in rupees"));
    if (!price->isPositive())
        return bad(QStringLiteral("must be positive"));
    if (*price > MaxOrderPrice)
        return bad(QStringLiteral("is above Rs %1, more than any exchange accepts")
                       .arg(MaxOrderPrice.toQString(0)));
    return *price;
}

Result<std::int64_t> quantityField(const QJsonObject &o, const char *name)
{
    const QJsonValue v = o.value(QLatin1String(name));
    const double d = v.toDouble(-1);
    if (!v.isDouble() || d != std::floor(d) || d < 1 || d > double(MaxOrderQuantity))
        return Error::make(ErrorCode::InvalidArgument,
                           QStringLiteral("'%1' must be a whole number from 1 to %2")
                               .arg(QLatin1String(name))
                               .arg(MaxOrderQuantity));
    return static_cast<std::int64_t>(d);
}

template<typename T, typename Parse>
Result<T> choiceField(const QJsonObject &o, const char *name, Parse parse, const char *choices)
{
    auto value = textField(o, name);
    if (!value)
        return value.error();
    const std::optional<T> parsed = parse(value->trimmed().toStdString());
    if (!parsed)
        return Error::make(ErrorCode::InvalidArgument,
                           QStringLiteral("'%1' must be %2, not '%3'")
                               .arg(QLatin1String(name), QLatin1String(choices), *value));
    return *parsed;
}

// POST /api/v1/orders: the request, checked for form; the service validates it.
Result<OrderRequest> placeRequest(const QJsonObject &o, const InstrumentRepository &repository)
{
    for (const char *required : {"key", "side", "qty"})
        if (!o.contains(QLatin1String(required)))
            return Error::make(ErrorCode::InvalidArgument,
                               QStringLiteral("'%1' is required").arg(QLatin1String(required)));
    OrderRequest r;
    auto key = textField(o, "key");
    if (!key)
        return key.error();
    r.instrumentKey = key->trimmed().toStdString();
    if (const SnapshotPtr snapshot = repository.snapshot()) {
        if (const auto id = snapshot->resolve(r.instrumentKey)) // a trading symbol too
            r.instrumentKey = std::string(snapshot->instrument(*id).instrumentKey());
    }
    auto side = choiceField<Side>(o, "side", parseSide, "buy or sell");
    if (!side)
        return side.error();
    r.side = *side;
    auto qty = quantityField(o, "qty");
    if (!qty)
        return qty.error();
    r.quantity = *qty;
    r.type = OrderType::Limit;
    if (o.contains(QLatin1String("type"))) {
        auto type = choiceField<OrderType>(o, "type", parseOrderType, "market, limit, sl or sl-m");
        if (!type)
            return type.error();
        r.type = *type;
    }
    for (const auto &[name, target] : {std::pair{"price", &r.price}, {"trigger", &r.trigger}}) {
        if (!o.contains(QLatin1String(name)) || o.value(QLatin1String(name)).isNull())
            continue;
        auto price = priceField(o, name);
        if (!price)
            return price.error();
        *target = *price;
    }
    if (o.contains(QLatin1String("product"))) {
        auto product = choiceField<Product>(o, "product", parseProduct, "I or D");
        if (!product)
            return product.error();
        r.product = *product;
    }
    if (o.contains(QLatin1String("validity"))) {
        auto validity = choiceField<Validity>(o, "validity", parseValidity, "day or ioc");
        if (!validity)
            return validity.error();
        r.validity = *validity;
    }
    if (o.contains(QLatin1String("tag"))) {
        auto tag = textField(o, "tag");
        if (!tag)
            return tag.error();
        r.clientOrderId = tag->toStdString();
        if (!isValidClientOrderId(r.clientOrderId))
            return Error::make(ErrorCode::InvalidArgument,
                               QStringLiteral("'tag' must be 1-%1 characters of A-Z a-z 0-9 - _ .")
                                   .arg(MaxClientOrderIdLength));
        if (isReservedForSlices(r.clientOrderId))
            return Error::make(ErrorCode::InvalidArgument,
                               QStringLiteral("'tag' ends in \".NN\", which names the slices of "
                                              "a sliced order: choose another"));
    }
    if (o.contains(QLatin1String("live"))) {
        const QJsonValue live = o.value(QLatin1String("live"));
        if (!live.isBool())
            return Error::make(ErrorCode::InvalidArgument,
                               QStringLiteral("'live' must be true or false"));
        r.venue = live.toBool() ? Venue::Upstox : Venue::Paper;
    }
    return r;
}

Result<OrderModification> modification(const QJsonObject &o)
{
    OrderModification change;
    if (o.contains(QLatin1String("qty"))) {
        auto qty = quantityField(o, "qty");
        if (!qty)
            return qty.error();
        change.quantity = *qty;
    }
    if (o.contains(QLatin1String("price"))) {
        auto price = priceField(o, "price");
        if (!price)
            return price.error();
        change.price = *price;
    }
    if (o.contains(QLatin1String("trigger"))) {
        auto trigger = priceField(o, "trigger");
        if (!trigger)
            return trigger.error();
        change.trigger = *trigger;
    }
    if (o.contains(QLatin1String("type"))) {
        auto type = choiceField<OrderType>(o, "type", parseOrderType, "market, limit, sl or sl-m");
        if (!type)
            return type.error();
        change.type = *type;
    }
    if (o.contains(QLatin1String("validity"))) {
        auto validity = choiceField<Validity>(o, "validity", parseValidity, "day or ioc");
        if (!validity)
            return validity.error();
        change.validity = *validity;
    }
    if (!change.quantity && !change.price && !change.trigger && !change.type && !change.validity)
        return Error::make(ErrorCode::InvalidArgument,
                           QStringLiteral("nothing to change: give qty, price, trigger, type or "
                                          "validity"));
    return change;
}

Reply orderReply(Status status, const OrderState &order, const QJsonObject &extra = {})
{
    QJsonObject o = extra;
    o.insert(QStringLiteral("order"), orderStateJson(order));
    return {status, toJson(o)};
}

// Why a live order cannot go (an error reply), or nothing when it can.
std::optional<Reply> liveRefusal(const ApiTrading &trading)
{
    if (!trading.allowLive || !trading.allowLive())
        return error(Status::Forbidden, "live_orders_disabled",
                     QStringLiteral("this API does not take live orders: enable them in the "
                                    "terminal (Settings > Local API > Allow live orders) or "
                                    "start 'strikeline-cli serve --orders --live'"));
    if (!trading.orders->hasGateway(Venue::Upstox))
        return error(Status::Conflict, "live_unavailable",
                     QStringLiteral("live trading is not connected here: log in to Upstox"));
    if (trading.liveUnavailable)
        if (const std::optional<QString> why = trading.liveUnavailable())
            return error(Status::Conflict, "live_unavailable", *why);
    return std::nullopt;
}

void place(const ApiTrading &trading, const InstrumentRepository &repository,
           const QByteArray &body, const std::shared_ptr<Mailbox> &mailbox, const Respond &respond)
{
    auto object = bodyObject(body, {"key", "side", "qty", "type", "price", "trigger", "product",
                                    "validity", "tag", "live"});
    if (!object)
        return respond(fromError(object.error()));
    auto request = placeRequest(*object, repository);
    if (!request)
        return respond(fromError(request.error()));
    if (request->venue == Venue::Upstox)
        if (auto refused = liveRefusal(trading))
            return respond(*refused);
    OrderService *orders = trading.orders;
    orders->submitAsync(*request, [orders, mailbox, respond](Result<SubmitOutcome> outcome) {
        // The order thread: the reply is made here, written on the server's thread.
        Reply reply;
        if (!outcome) {
            reply = fromError(outcome.error());
        } else {
            const std::optional<OrderState> state = orders->order(outcome->clientOrderId);
            if (outcome->status == OrderStatus::Rejected && !outcome->duplicate) {
                reply = unprocessable(outcome->reason.isEmpty()
                                          ? QStringLiteral("the order was refused")
                                          : outcome->reason,
                                      outcome->issues, state);
            } else if (!state) {
                reply = error(Status::InternalServerError, "internal",
                              QStringLiteral("the order is not in the book"));
            } else {
                reply = orderReply(outcome->duplicate ? Status::Ok : Status::Created, *state,
                                   {{QStringLiteral("duplicate"), outcome->duplicate},
                                    {QStringLiteral("warnings"), warningsOf(outcome->issues)}});
            }
        }
        mailbox->post([respond, reply] { respond(reply); });
    });
}

void modify(const ApiTrading &trading, const QString &id, const QByteArray &body,
            const std::shared_ptr<Mailbox> &mailbox, const Respond &respond)
{
    auto object = bodyObject(body, {"qty", "price", "trigger", "type", "validity"});
    if (!object)
        return respond(fromError(object.error()));
    auto change = modification(*object);
    if (!change)
        return respond(fromError(change.error()));
    OrderService *orders = trading.orders;
    const std::string clientOrderId = id.toStdString();
    const std::optional<OrderState> before = orders->order(clientOrderId);
    if (!before)
        return respond(notFound(QStringLiteral("no order %1 today").arg(id)));
    if (before->venue == Venue::Upstox)
        if (auto refused = liveRefusal(trading))
            return respond(*refused);
    orders->modifyAsync(
        clientOrderId, *change,
        [orders, clientOrderId, mailbox, respond](Result<SubmitOutcome> outcome) {
            Reply reply;
            const std::optional<OrderState> state = orders->order(clientOrderId);
            if (!outcome)
                reply = fromError(outcome.error());
            else if (outcome->status == OrderStatus::Rejected)
                reply = unprocessable(QStringLiteral("the modification was refused: the order "
                                                     "is as it was"),
                                      outcome->issues, state);
            else if (state)
                reply = orderReply(Status::Accepted, *state,
                                   {{QStringLiteral("warnings"), warningsOf(outcome->issues)}});
            else
                reply = notFound(
                    QStringLiteral("no order %1 today").arg(QString::fromStdString(clientOrderId)));
            mailbox->post([respond, reply] { respond(reply); });
        });
}

void cancel(const ApiTrading &trading, const QString &id, const std::shared_ptr<Mailbox> &mailbox,
            const Respond &respond)
{
    OrderService *orders = trading.orders;
    const std::string clientOrderId = id.toStdString();
    const std::optional<OrderState> before = orders->order(clientOrderId);
    if (!before)
        return respond(notFound(QStringLiteral("no order %1 today").arg(id)));
    // A cancel is never refused for want of a session's opt-in: taking risk off stays possible
    // (the broker still needs the session, and says so).
    orders->cancelAsync(
        clientOrderId, [orders, clientOrderId, mailbox, respond](Result<void> cancelled) {
            Reply reply;
            const std::optional<OrderState> state = orders->order(clientOrderId);
            if (!cancelled)
                reply = fromError(cancelled.error());
            else if (state)
                reply = orderReply(Status::Accepted, *state);
            else
                reply = notFound(
                    QStringLiteral("no order %1 today").arg(QString::fromStdString(clientOrderId)));
            mailbox->post([respond, reply] { respond(reply); });
        });
}

Reply listOrders(const ApiTrading &trading, const QUrl &url)
{
    const auto params = Params::parse(url, {"venue"});
    if (!params)
        return fromError(params.error());
    std::optional<Venue> venue;
    if (const QString *v = params->find("venue")) {
        if (*v == QLatin1String("paper"))
            venue = Venue::Paper;
        else if (*v == QLatin1String("upstox"))
            venue = Venue::Upstox;
        else
            return badRequest(QStringLiteral("venue must be paper or upstox, not '%1'").arg(*v));
    }
    std::vector<OrderState> orders = trading.orders->orders();
    if (venue)
        std::erase_if(orders, [&](const OrderState &o) { return o.venue != *venue; });
    return {Status::Ok, toJson(QJsonObject{{QStringLiteral("orders"), orderStatesJson(orders)}})};
}

Result<bool> liveParam(const QUrl &url)
{
    const auto params = Params::parse(url, {"live"});
    if (!params)
        return params.error();
    const QString *flag = params->find("live");
    if (!flag || *flag == QLatin1String("false") || *flag == QLatin1String("0"))
        return false;
    if (flag->isEmpty() || *flag == QLatin1String("true") || *flag == QLatin1String("1"))
        return true;
    return Error::make(ErrorCode::InvalidArgument,
                       QStringLiteral("live must be true or false, not '%1'").arg(*flag));
}

void brokerCall(const std::function<void(QObject *, ApiTrading::JsonAnswer)> &call,
                QObject *context, const char *key, const Respond &respond)
{
    if (!call)
        return respond(error(Status::Conflict, "live_unavailable",
                             QStringLiteral("Upstox is not connected here: log in to Upstox")));
    call(context, [respond, key](Result<QJsonValue> answer) {
        if (!answer)
            return respond(fromError(answer.error()));
        QJsonObject o;
        if (answer->isObject())
            o = answer->toObject();
        else
            o.insert(QLatin1String(key), *answer);
        o.insert(QStringLiteral("venue"), QStringLiteral("upstox"));
        respond({Status::Ok, toJson(o)});
    });
}

} // namespace

void handleTrading(const ApiTrading &trading, const InstrumentRepository &repository,
                   TradingRoute route, const QString &orderId, QHttpServerRequest::Method method,
                   const QByteArray &body, const QUrl &url, QObject *context,
                   const std::shared_ptr<Mailbox> &mailbox, Respond respond)
{
    using Method = QHttpServerRequest::Method;
    if (route == TradingRoute::Funds) {
        if (method != Method::Get && method != Method::Head)
            return respond(methodNotAllowed("GET"));
        if (const auto params = Params::parse(url, {}); !params)
            return respond(fromError(params.error()));
        return brokerCall(trading.funds, context, "funds", respond);
    }
    if (!trading.orders)
        return respond(error(Status::ServiceUnavailable, "orders_unavailable",
                             QStringLiteral("orders are not served here: use the terminal's API, "
                                            "or start 'strikeline-cli serve --orders'")));
    switch (route) {
    case TradingRoute::Orders:
        if (method == Method::Post)
            return place(trading, repository, body, mailbox, respond);
        if (method == Method::Get || method == Method::Head)
            return respond(listOrders(trading, url));
        return respond(methodNotAllowed("GET, POST"));
    case TradingRoute::Order: {
        if (method == Method::Put)
            return modify(trading, orderId, body, mailbox, respond);
        if (method == Method::Delete)
            return cancel(trading, orderId, mailbox, respond);
        if (method != Method::Get && method != Method::Head)
            return respond(methodNotAllowed("GET, PUT, DELETE"));
        if (const auto params = Params::parse(url, {}); !params)
            return respond(fromError(params.error()));
        const std::optional<OrderState> state = trading.orders->order(orderId.toStdString());
        return respond(state ? orderReply(Status::Ok, *state)
                             : notFound(QStringLiteral("no order %1 today").arg(orderId)));
    }
    case TradingRoute::Positions: {
        if (method != Method::Get && method != Method::Head)
            return respond(methodNotAllowed("GET"));
        const auto live = liveParam(url);
        if (!live)
            return respond(fromError(live.error()));
        if (*live)
            return brokerCall(trading.livePositions, context, "positions", respond);
        QJsonArray positions;
        for (const Position &p : trading.orders->positions(trading.paperPrices, Venue::Paper))
            positions.append(positionJson(p, Venue::Paper));
        return respond(
            {Status::Ok, toJson(QJsonObject{{QStringLiteral("venue"), QStringLiteral("paper")},
                                            {QStringLiteral("positions"), positions}})});
    }
    case TradingRoute::Funds:
        break;
    }
}

} // namespace strikeline::api::detail
