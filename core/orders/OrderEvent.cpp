#include "OrderEvent.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <array>

namespace strikeline {

namespace {

constexpr std::array<std::string_view, OrderStatusCount> StatusNames = {
    "new",       "validated",        "sent",           "acknowledged",
    "triggered", "partially_filled", "pending_modify", "pending_cancel",
    "filled",    "rejected",         "cancelled",      "lost"};
constexpr std::array<std::string_view, OrderEventKindCount> KindNames = {"created",
                                                                         "validated",
                                                                         "sent",
                                                                         "acknowledged",
                                                                         "partial_fill",
                                                                         "fill",
                                                                         "rejected",
                                                                         "cancelled",
                                                                         "triggered",
                                                                         "modify_requested",
                                                                         "modified",
                                                                         "modify_refused",
                                                                         "cancel_requested",
                                                                         "cancel_refused",
                                                                         "broker_status",
                                                                         "lost"};

template<typename Enum, std::size_t N>
std::optional<Enum> parseFrom(const std::array<std::string_view, N> &names, std::string_view name)
{
    for (std::size_t i = 0; i < N; ++i)
        if (names[i] == name)
            return static_cast<Enum>(i);
    return std::nullopt;
}

QString str(std::string_view s)
{
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}
std::string stdString(const QJsonValue &v)
{
    return v.toString().toStdString();
}

// JSON numbers are doubles: integers beyond 2^53 (raw prices never are, sequences are not
// in the payload) would lose bits, so 64-bit values travel as decimal strings.
QJsonValue i64(std::int64_t v)
{
    return QString::number(v);
}
std::optional<std::int64_t> readI64(const QJsonObject &o, QLatin1String key)
{
    const QJsonValue v = o.value(key);
    if (v.isUndefined())
        return std::int64_t{0};
    bool ok = false;
    const qlonglong n = v.toString().toLongLong(&ok);
    if (!ok)
        return std::nullopt;
    return n;
}

// The request's enums are written with Order.h's names ("BUY", "SL-M", "I", "DAY") and read
// back with its parsers.
template<typename Enum>
std::optional<Enum> enumOf(std::optional<Enum> (*parse)(std::string_view), const QJsonValue &v)
{
    return parse(v.toString().toStdString());
}

} // namespace

std::string_view orderStatusName(OrderStatus status)
{
    return StatusNames[static_cast<std::size_t>(status)];
}
std::optional<OrderStatus> parseOrderStatus(std::string_view name)
{
    return parseFrom<OrderStatus>(StatusNames, name);
}
std::string_view orderEventKindName(OrderEventKind kind)
{
    return KindNames[static_cast<std::size_t>(kind)];
}
std::optional<OrderEventKind> parseOrderEventKind(std::string_view name)
{
    return parseFrom<OrderEventKind>(KindNames, name);
}
bool isTerminal(OrderStatus status)
{
    return status == OrderStatus::Filled || status == OrderStatus::Rejected ||
           status == OrderStatus::Cancelled || status == OrderStatus::Lost;
}

bool isWorking(OrderStatus status)
{
    switch (status) {
    case OrderStatus::Acknowledged:
    case OrderStatus::Triggered:
    case OrderStatus::PartiallyFilled:
    case OrderStatus::PendingModify:
    case OrderStatus::PendingCancel:
        return true;
    default:
        return false;
    }
}

bool isValidClientOrderId(std::string_view id)
{
    if (id.empty() || id.size() > MaxClientOrderIdLength)
        return false;
    for (const char c : id) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
        if (!ok)
            return false;
    }
    return true;
}

Result<std::string> childClientOrderId(std::string_view parentId, int sliceIndex)
{
    if (sliceIndex < 1 || sliceIndex > MaxSlices)
        return Error::make(
            ErrorCode::InvalidArgument,
            QStringLiteral("slice %1 is outside 1..%2").arg(sliceIndex).arg(MaxSlices));
    if (!isValidClientOrderId(parentId) || parentId.size() > MaxClientOrderIdLength - 3)
        return Error::make(ErrorCode::InvalidArgument,
                           QStringLiteral("client order id \"%1\" cannot be sliced: a sliced "
                                          "order's id must be at most %2 characters "
                                          "(children add \".NN\")")
                               .arg(str(parentId))
                               .arg(MaxClientOrderIdLength - 3));
    std::string child(parentId);
    child += '.';
    child += static_cast<char>('0' + sliceIndex / 10);
    child += static_cast<char>('0' + sliceIndex % 10);
    return child;
}

bool isReservedForSlices(std::string_view id)
{
    const std::size_t n = id.size();
    return n >= 3 && id[n - 3] == '.' && id[n - 2] >= '0' && id[n - 2] <= '9' && id[n - 1] >= '0' &&
           id[n - 1] <= '9';
}

Result<void> checkClientOrderIdForRequest(std::string_view id)
{
    if (!isValidClientOrderId(id))
        return Error::make(ErrorCode::InvalidArgument,
                           QStringLiteral("client order id \"%1\" must be 1-%2 characters of "
                                          "A-Z a-z 0-9 - _ .")
                               .arg(str(id))
                               .arg(MaxClientOrderIdLength));
    if (isReservedForSlices(id))
        return Error::make(ErrorCode::InvalidArgument,
                           QStringLiteral("client order id \"%1\" ends in \".NN\", which names "
                                          "the slices of a sliced order: choose an id that does "
                                          "not end in a dot and two digits")
                               .arg(str(id)));
    return success();
}

Result<void> checkOrderBounds(const OrderRequest &request)
{
    if (request.instrumentKey.size() > MaxInstrumentKeyLength)
        return Error::make(ErrorCode::InvalidArgument,
                           QStringLiteral("the instrument key is %1 characters long; a key or "
                                          "trading symbol has at most %2")
                               .arg(request.instrumentKey.size())
                               .arg(MaxInstrumentKeyLength));
    if (request.quantity > MaxOrderQuantity)
        return Error::make(ErrorCode::InvalidArgument,
                           QStringLiteral("quantity %1 is above %2, more than any exchange "
                                          "accepts in one order")
                               .arg(request.quantity)
                               .arg(MaxOrderQuantity));
    for (const auto &[value, what] :
         {std::pair{request.price, "price"}, std::pair{request.trigger, "trigger"}}) {
        if (value > MaxOrderPrice)
            return Error::make(
                ErrorCode::InvalidArgument,
                QStringLiteral("%1 %2 is above Rs %3, more than any exchange "
                               "accepts")
                    .arg(QLatin1String(what), value.toQString(2), MaxOrderPrice.toQString(0)));
    }
    return success();
}

QByteArray OrderEvent::encode() const
{
    QJsonObject o;
    o.insert(QLatin1String("k"), str(orderEventKindName(kind)));
    o.insert(QLatin1String("id"), str(clientOrderId));
    o.insert(QLatin1String("t"), i64(timeMs));
    o.insert(QLatin1String("s"), str(orderStatusName(statusAfter)));
    switch (kind) {
    case OrderEventKind::Created: {
        QJsonObject r;
        r.insert(QLatin1String("key"), str(request.instrumentKey));
        r.insert(QLatin1String("side"), str(sideName(request.side)));
        r.insert(QLatin1String("type"), str(orderTypeName(request.type)));
        r.insert(QLatin1String("product"), str(productName(request.product)));
        r.insert(QLatin1String("validity"), str(validityName(request.validity)));
        r.insert(QLatin1String("qty"), i64(request.quantity));
        r.insert(QLatin1String("price"), i64(request.price.raw()));
        r.insert(QLatin1String("trigger"), i64(request.trigger.raw()));
        o.insert(QLatin1String("req"), r);
        QJsonObject c;
        c.insert(QLatin1String("key"), str(contract.instrumentKey));
        c.insert(QLatin1String("symbol"), str(contract.tradingSymbol));
        c.insert(QLatin1String("segment"), str(contract.segment));
        c.insert(QLatin1String("otype"), str(contract.optionType));
        c.insert(QLatin1String("expiry"), contract.expiry);
        c.insert(QLatin1String("strike"), i64(contract.strike.raw()));
        c.insert(QLatin1String("lot"), contract.lotSize);
        c.insert(QLatin1String("tick"), i64(contract.tickSize.raw()));
        if (contract.qtyMultiplier > 0)
            c.insert(QLatin1String("mult"), contract.qtyMultiplier);
        o.insert(QLatin1String("contract"), c);
        if (!parentClientOrderId.empty()) {
            o.insert(QLatin1String("parent"), str(parentClientOrderId));
            o.insert(QLatin1String("slice"), sliceIndex);
        }
        if (sliceCount > 0)
            o.insert(QLatin1String("slices"), sliceCount);
        if (venue != Venue::Paper)
            o.insert(QLatin1String("venue"), str(venueName(venue)));
        if (external)
            o.insert(QLatin1String("ext"), true);
        break;
    }
    case OrderEventKind::ModifyRequested:
    case OrderEventKind::Modified: {
        QJsonObject m;
        m.insert(QLatin1String("type"), str(orderTypeName(request.type)));
        m.insert(QLatin1String("validity"), str(validityName(request.validity)));
        m.insert(QLatin1String("qty"), i64(request.quantity));
        m.insert(QLatin1String("price"), i64(request.price.raw()));
        m.insert(QLatin1String("trigger"), i64(request.trigger.raw()));
        o.insert(QLatin1String("mod"), m);
        if (!reason.empty())
            o.insert(QLatin1String("reason"), str(reason));
        break;
    }
    case OrderEventKind::Acknowledged: {
        QJsonArray ids;
        for (const std::string &id : brokerOrderIds)
            ids.append(str(id));
        o.insert(QLatin1String("broker"), ids);
        if (!reason.empty()) // the broker's note: an after-market order waits for the open
            o.insert(QLatin1String("reason"), str(reason));
        break;
    }
    case OrderEventKind::PartialFill:
    case OrderEventKind::Fill:
        o.insert(QLatin1String("fq"), i64(fillQuantity));
        o.insert(QLatin1String("fp"), i64(fillPrice.raw()));
        if (!reason.empty())
            o.insert(QLatin1String("reason"), str(reason));
        break;
    case OrderEventKind::Rejected:
    case OrderEventKind::Cancelled:
        o.insert(QLatin1String("reason"), str(reason));
        break;
    case OrderEventKind::Triggered:
    case OrderEventKind::ModifyRefused:
    case OrderEventKind::CancelRequested:
    case OrderEventKind::CancelRefused:
    case OrderEventKind::BrokerStatus:
    case OrderEventKind::Lost:
        if (!reason.empty())
            o.insert(QLatin1String("reason"), str(reason));
        break;
    case OrderEventKind::Validated:
    case OrderEventKind::Sent:
        break;
    }
    if (!brokerStatus.empty())
        o.insert(QLatin1String("bs"), str(brokerStatus));
    if (!tradeId.empty()) {
        o.insert(QLatin1String("tid"), str(tradeId));
        o.insert(QLatin1String("tq"), i64(tradedAfter));
    }
    if (filledQuantity != 0) {
        o.insert(QLatin1String("filled"), i64(filledQuantity));
        o.insert(QLatin1String("avg"), i64(averagePrice.raw()));
    }
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

Result<OrderEvent> OrderEvent::decode(const QByteArray &payload, std::uint64_t sequence)
{
    const auto bad = [sequence](const QString &why) {
        return Error::make(ErrorCode::Parse,
                           QStringLiteral("journal event %1: %2").arg(sequence).arg(why));
    };
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(payload, &parseError);
    if (!doc.isObject())
        return bad(QStringLiteral("not a JSON object (%1)").arg(parseError.errorString()));
    const QJsonObject o = doc.object();
    OrderEvent e;
    e.sequence = sequence;
    e.journalPayload = payload;
    const auto kind = parseOrderEventKind(stdString(o.value(QLatin1String("k"))));
    const auto status = parseOrderStatus(stdString(o.value(QLatin1String("s"))));
    const auto time = readI64(o, QLatin1String("t"));
    if (!kind || !status || !time)
        return bad(QStringLiteral("unknown kind or status"));
    e.kind = *kind;
    e.statusAfter = *status;
    e.timeMs = *time;
    e.clientOrderId = stdString(o.value(QLatin1String("id")));
    if (!isValidClientOrderId(e.clientOrderId))
        return bad(QStringLiteral("invalid client order id"));
    if (e.kind == OrderEventKind::Created) {
        const QJsonObject r = o.value(QLatin1String("req")).toObject();
        const QJsonObject c = o.value(QLatin1String("contract")).toObject();
        const auto side = enumOf(parseSide, r.value(QLatin1String("side")));
        const auto type = enumOf(parseOrderType, r.value(QLatin1String("type")));
        const auto product = enumOf(parseProduct, r.value(QLatin1String("product")));
        const auto validity = enumOf(parseValidity, r.value(QLatin1String("validity")));
        const auto qty = readI64(r, QLatin1String("qty"));
        const auto price = readI64(r, QLatin1String("price"));
        const auto trigger = readI64(r, QLatin1String("trigger"));
        const auto strike = readI64(c, QLatin1String("strike"));
        const auto tick = readI64(c, QLatin1String("tick"));
        if (!side || !type || !product || !validity || !qty || !price || !trigger || !strike ||
            !tick)
            return bad(QStringLiteral("malformed request or contract"));
        e.request.instrumentKey = stdString(r.value(QLatin1String("key")));
        e.request.side = *side;
        e.request.type = *type;
        e.request.product = *product;
        e.request.validity = *validity;
        e.request.quantity = *qty;
        e.request.price = Price::fromRaw(*price);
        e.request.trigger = Price::fromRaw(*trigger);
        e.request.clientOrderId = e.clientOrderId;
        e.contract.instrumentKey = stdString(c.value(QLatin1String("key")));
        e.contract.tradingSymbol = stdString(c.value(QLatin1String("symbol")));
        e.contract.segment = stdString(c.value(QLatin1String("segment")));
        e.contract.optionType = stdString(c.value(QLatin1String("otype")));
        e.contract.expiry = c.value(QLatin1String("expiry")).toInt(NoDay);
        e.contract.strike = Price::fromRaw(*strike);
        e.contract.lotSize = c.value(QLatin1String("lot")).toInt();
        e.contract.tickSize = Price::fromRaw(*tick);
        e.contract.qtyMultiplier = c.value(QLatin1String("mult")).toInt(); // 0: not recorded
        e.parentClientOrderId = stdString(o.value(QLatin1String("parent")));
        e.sliceIndex = o.value(QLatin1String("slice")).toInt();
        e.sliceCount = o.value(QLatin1String("slices")).toInt();
        const QJsonValue venue = o.value(QLatin1String("venue"));
        const auto v =
            venue.isUndefined() ? std::optional<Venue>(Venue::Paper) : parseVenue(stdString(venue));
        if (!v)
            return bad(QStringLiteral("unknown venue"));
        e.venue = *v;
        e.request.venue = *v;
        e.external = o.value(QLatin1String("ext")).toBool();
    }
    if (e.kind == OrderEventKind::ModifyRequested || e.kind == OrderEventKind::Modified) {
        const QJsonObject m = o.value(QLatin1String("mod")).toObject();
        const auto type = enumOf(parseOrderType, m.value(QLatin1String("type")));
        const auto validity = enumOf(parseValidity, m.value(QLatin1String("validity")));
        const auto qty = readI64(m, QLatin1String("qty"));
        const auto price = readI64(m, QLatin1String("price"));
        const auto trigger = readI64(m, QLatin1String("trigger"));
        if (!type || !validity || !qty || !price || !trigger)
            return bad(QStringLiteral("malformed modification"));
        e.request.type = *type;
        e.request.validity = *validity;
        e.request.quantity = *qty;
        e.request.price = Price::fromRaw(*price);
        e.request.trigger = Price::fromRaw(*trigger);
    }
    e.tradeId = stdString(o.value(QLatin1String("tid")));
    const auto traded = readI64(o, QLatin1String("tq"));
    if (!traded)
        return bad(QStringLiteral("malformed trade"));
    e.tradedAfter = *traded;
    e.brokerStatus = stdString(o.value(QLatin1String("bs")));
    for (const QJsonValue &id : o.value(QLatin1String("broker")).toArray())
        e.brokerOrderIds.push_back(stdString(id));
    const auto fq = readI64(o, QLatin1String("fq"));
    const auto fp = readI64(o, QLatin1String("fp"));
    const auto filled = readI64(o, QLatin1String("filled"));
    const auto avg = readI64(o, QLatin1String("avg"));
    if (!fq || !fp || !filled || !avg)
        return bad(QStringLiteral("malformed fill"));
    e.fillQuantity = *fq;
    e.fillPrice = Price::fromRaw(*fp);
    e.filledQuantity = *filled;
    e.averagePrice = Price::fromRaw(*avg);
    e.reason = stdString(o.value(QLatin1String("reason")));
    return e;
}

} // namespace strikeline
