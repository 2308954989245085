#include "OrderService.h"

#include "common/IstTime.h"
#include "common/SerialExecutor.h"
#include "instruments/InstrumentRepository.h"
#include "instruments/InstrumentSnapshot.h"
#include "orders/OrderLifecycle.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <future>
#include <numeric>

namespace strikeline {

namespace {

QString qs(std::string_view s)
{
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

// "SL251209-2K": the day and the journal sequence of the order's Created event in base 36.
// Unique across restarts and days (the sequence never repeats) and at most 16 characters, so
// a generated id can always be sliced (children add ".NN").
std::string generatedClientOrderId(std::uint64_t sequence)
{
    const QDate date = toQDate(sequenceDay(sequence));
    std::string id = "SL" + date.toString(QStringLiteral("yyMMdd")).toStdString() + "-";
    std::uint32_t n = static_cast<std::uint32_t>(sequence);
    std::string digits;
    do {
        const std::uint32_t d = n % 36;
        digits += static_cast<char>(d < 10 ? '0' + d : 'A' + d - 10);
        n /= 36;
    } while (n > 0);
    id.append(digits.rbegin(), digits.rend());
    return id;
}

// The average after a fill, overflow-checked: quantities and prices are bounded
// (checkOrderBounds), so only a broker report far outside them can fail here.
std::optional<std::int64_t> averageAfter(std::int64_t filledBefore, Price averageBefore,
                                         std::int64_t quantity, Price price)
{
    std::int64_t total = 0;
    std::int64_t before = 0;
    std::int64_t added = 0;
    std::int64_t value = 0;
    if (__builtin_add_overflow(filledBefore, quantity, &total) || total <= 0 ||
        __builtin_mul_overflow(averageBefore.raw(), filledBefore, &before) ||
        __builtin_mul_overflow(price.raw(), quantity, &added) ||
        __builtin_add_overflow(before, added, &value))
        return std::nullopt;
    const std::int64_t q = value / total;
    return 2 * (value % total) >= total ? q + 1 : q; // prices are positive: round half up
}

} // namespace

ContractLookup contractLookupFor(const InstrumentRepository &repository)
{
    return [&repository](std::string_view key) -> std::optional<ContractIdentity> {
        const auto snapshot = repository.snapshot();
        if (!snapshot)
            return std::nullopt;
        const auto id = snapshot->findByKey(key);
        if (!id)
            return std::nullopt;
        const InstrumentView v = snapshot->instrument(*id);
        ContractIdentity c;
        c.instrumentKey = std::string(v.instrumentKey());
        c.tradingSymbol = std::string(v.tradingSymbol());
        c.segment = std::string(segmentName(v.segment()));
        c.optionType = std::string(kindName(v.kind()));
        c.expiry = v.expiry();
        c.strike = v.strike();
        c.lotSize = v.lotSize();
        c.tickSize = v.tickSize();
        c.qtyMultiplier = v.qtyMultiplier();
        return c;
    };
}

OrderStatus OrderState::workingStatus() const
{
    if (filledQuantity > 0)
        return OrderStatus::PartiallyFilled;
    return triggered ? OrderStatus::Triggered : OrderStatus::Acknowledged;
}

// ---- the implementation: everything below runs on the order thread unless it says otherwise --

struct OrderService::Impl
{
    Impl(Dependencies dependencies, OrderServiceConfig configuration,
         OrderServiceCallbacks callbackSet)
        : deps(std::move(dependencies))
        , config(std::move(configuration))
        , callbacks(std::move(callbackSet))
    {
        for (BrokerGateway *g : deps.gateways)
            if (g)
                gateways[g->venue()] = g;
    }

    // What goes out once the journal has made the events before it durable.
    struct Outgoing
    {
        std::uint64_t sequence = 0;
        std::function<void()> send;
        std::function<void(const Error &)> fail;
    };
    // RetryLookup: the tag looked up before a rate-limited place is sent again.
    enum class RequestKind : std::uint8_t { Place, Modify, Cancel, Lookup, Book, RetryLookup };
    struct Request
    {
        RequestKind kind = RequestKind::Place;
        std::string clientOrderId;
        // Lookup: the lookups made before this one. Place, RetryLookup: the sends before it.
        // Book: 1 for a periodic poll (a failure is not retried: the next poll asks again).
        std::size_t attempt = 0;
    };

    Dependencies deps;
    const OrderServiceConfig config;
    const OrderServiceCallbacks callbacks;
    std::map<Venue, BrokerGateway *> gateways;
    std::unique_ptr<OrderJournal> journal;
    std::unique_ptr<OrderPersister> persister;

    // The book: changed on the order thread only, under `mutex`; read by any thread. A batch of
    // gateway events is applied under one hold of it (recursive: the steps lock it too), so a
    // reader never sees an order half-way through one broker answer (acknowledged, but not yet
    // the fill that came with it). It is never held across a disk, a network or the database:
    // journal appends only queue, and gateways return at once.
    mutable std::recursive_mutex mutex;
    mutable std::condition_variable_any changed;
    std::unordered_map<std::string, OrderState> book;
    std::vector<std::string> bookOrder;
    std::unordered_map<std::string, std::string> byBrokerId; // broker order id -> client id
    std::map<Venue, PositionBook> positions;
    std::deque<OrderEvent> notDurable; // appended, waiting for the journal's sync
    std::map<Venue, GatewayStatus> streams;
    std::map<Venue, std::string> bookErrors; // why a venue's last book fetch failed
    OrderServiceStats stats;

    // The order thread's own.
    std::deque<Outgoing> awaitingDurable;
    std::map<std::pair<Venue, GatewayRequestId>, Request> requests;
    std::unordered_map<std::string, std::vector<BrokerOrderUpdate>> early; // by tag, before ack
    std::map<Venue, bool> reconciling;
    std::map<Venue, std::vector<GatewayEvent>> heldWhileReconciling;
    std::set<std::string> lookupsScheduled; // tags with a lookup on its way

    std::unique_ptr<SerialExecutor> exec; // started last, stopped first

    // -- the journal ---------------------------------------------------------------------
    Result<std::uint64_t> appendLocked(OrderEvent &event);
    Result<std::uint64_t> stepLocked(OrderState &order, OrderEvent event);
    void applyToBook(const OrderEvent &event);
    void onDurable(const std::vector<JournalRecord> &batch); // the journal's thread
    void releaseDurable(std::uint64_t upTo);
    void failAwaiting(const Error &error);
    void afterDurable(std::uint64_t sequence, std::function<void()> send,
                      std::function<void(const Error &)> fail);

    // -- requests ------------------------------------------------------------------------
    void submit(OrderRequest request, const SubmitCallback &done);
    void sendPlace(const std::string &parentId, const SubmitCallback &done,
                   std::size_t attempt = 0);
    // A place refused as rate limited: its tag looked up after a pause, then sent again.
    void retryRateLimited(const std::string &parentId, std::size_t attempt);
    void modify(const std::string &id, const OrderModification &change, const SubmitCallback &done);
    void cancel(const std::string &id, const ActionCallback &done);
    std::size_t cancelAll(std::optional<Venue> venue);
    void reconcile(Venue venue, bool poll = false);
    // Every reconcileEvery: the broker venues with working orders are reconciled.
    void pollBooks();
    SubmitOutcome outcomeLocked(const OrderState &order) const;

    // -- the broker's side ---------------------------------------------------------------
    void handle(Venue venue, std::vector<GatewayEvent> &events);
    void onReply(Venue venue, const Request &request, const GatewayReply &reply);
    void onSnapshot(Venue venue, const Request &request, const GatewaySnapshot &snapshot);
    void onStatus(Venue venue, const GatewayStatus &status);
    void acknowledgeLocked(OrderState &parent, const std::vector<std::string> &ids,
                           const std::string &note);
    void releaseEarly(Venue venue, const std::string &tag);
    void scheduleLookup(const std::string &tag, std::size_t attempt);
    void lookUp(const std::string &tag, std::size_t attempt);
    void markLostLocked(OrderState &order, const std::string &why);
    void applyUpdate(Venue venue, const BrokerOrderUpdate &update);
    void applyUpdateTo(OrderState &order, const BrokerOrderUpdate &update);
    void applyTrade(Venue venue, const BrokerTrade &trade);
    OrderState *externalOrderLocked(Venue venue, const BrokerOrderUpdate &update);
    bool fillLocked(OrderState &order, std::int64_t quantity, Price price,
                    const std::string &tradeId, std::int64_t tradedAfter,
                    const std::string &brokerStatus, const std::string &note = {});
    void toParentLocked(const OrderState &child, const OrderEvent &event);
    void settleParentLocked(const std::string &parentId);
    // Applies a broker step if the table allows it; an illegal pair (a duplicate, a stale
    // reorder) is counted and logged, never applied.
    bool tryStepLocked(OrderState &order, OrderEvent event);
    BrokerGateway *gateway(Venue venue) const
    {
        const auto it = gateways.find(venue);
        return it == gateways.end() ? nullptr : it->second;
    }
};

namespace {

std::string text(const QString &s)
{
    return s.toStdString();
}

bool sameTerms(const OrderRequest &a, const BrokerOrderUpdate &u)
{
    return a.type == u.type && a.quantity == u.quantity && a.price == u.price &&
           (!needsTrigger(a.type) || a.trigger == u.trigger);
}

} // namespace

Result<std::uint64_t> OrderService::Impl::appendLocked(OrderEvent &event)
{
    event.timeMs = deps.clock.now().epochMs;
    event.journalId = journal->journalId();
    auto sequence = journal->append([&event](std::uint64_t seq) {
        event.sequence = seq;
        if (event.clientOrderId.empty()) {
            event.clientOrderId = generatedClientOrderId(seq);
            event.request.clientOrderId = event.clientOrderId;
        }
        event.journalPayload = event.encode();
        return event.journalPayload;
    });
    if (!sequence)
        return sequence.error();
    applyToBook(event);
    notDurable.push_back(event);
    return sequence;
}

Result<std::uint64_t> OrderService::Impl::stepLocked(OrderState &order, OrderEvent event)
{
    auto next = applyOrderEvent(order.status, event.kind, order.workingStatus());
    if (!next)
        return Error::make(
            next.error().code,
            QStringLiteral("order %1: %2").arg(qs(order.clientOrderId), next.error().message));
    event.clientOrderId = order.clientOrderId;
    event.statusAfter = next.value();
    if (event.kind != OrderEventKind::PartialFill && event.kind != OrderEventKind::Fill) {
        event.filledQuantity = order.filledQuantity;
        event.averagePrice = order.averagePrice;
    }
    return appendLocked(event);
}

bool OrderService::Impl::tryStepLocked(OrderState &order, OrderEvent event)
{
    const OrderEventKind kind = event.kind;
    if (auto r = stepLocked(order, std::move(event)); !r) {
        ++stats.illegalPairs;
        if (r.error().code == ErrorCode::Validation)
            spdlog::debug("order update not applied: {}", r.error().message.toStdString());
        else
            spdlog::error("order {}: {} not journaled: {}", order.clientOrderId,
                          orderEventKindName(kind), r.error().message.toStdString());
        return false;
    }
    return true;
}

void OrderService::Impl::applyToBook(const OrderEvent &e)
{
    if (e.kind == OrderEventKind::Created) {
        OrderState o;
        o.clientOrderId = e.clientOrderId;
        o.parentClientOrderId = e.parentClientOrderId;
        o.sliceIndex = e.sliceIndex;
        o.request = e.request;
        o.request.venue = e.venue;
        o.contract = e.contract;
        o.venue = e.venue;
        o.external = e.external;
        o.createdAtMs = e.timeMs;
        if (!e.parentClientOrderId.empty()) {
            if (auto p = book.find(e.parentClientOrderId); p != book.end())
                p->second.children.push_back(e.clientOrderId);
        }
        if (book.emplace(e.clientOrderId, std::move(o)).second)
            bookOrder.push_back(e.clientOrderId);
    }
    auto it = book.find(e.clientOrderId);
    if (it == book.end()) {
        spdlog::warn("order event {} for unknown order {}", e.sequence, e.clientOrderId);
        return;
    }
    OrderState &o = it->second;
    o.status = e.statusAfter;
    o.filledQuantity = e.filledQuantity;
    o.averagePrice = e.averagePrice;
    if (!e.brokerOrderIds.empty()) {
        o.brokerOrderIds = e.brokerOrderIds;
        // A sliced parent's ids are its children's: updates are matched to the children.
        if (o.children.empty())
            for (const std::string &id : e.brokerOrderIds)
                byBrokerId[id] = o.clientOrderId;
    }
    if (!e.reason.empty())
        o.reason = e.reason;
    if (!e.brokerStatus.empty())
        o.brokerStatus = e.brokerStatus;
    if (!e.tradeId.empty()) {
        o.tradeIds.insert(e.tradeId);
        o.tradedQuantity = e.tradedAfter;
    }
    switch (e.kind) {
    case OrderEventKind::Triggered:
        o.triggered = true;
        break;
    case OrderEventKind::ModifyRequested:
        o.pendingModification = e.request;
        break;
    case OrderEventKind::Modified:
        o.request.type = e.request.type;
        o.request.validity = e.request.validity;
        o.request.quantity = e.request.quantity;
        o.request.price = e.request.price;
        o.request.trigger = e.request.trigger;
        o.pendingModification.reset();
        break;
    case OrderEventKind::ModifyRefused:
        o.pendingModification.reset();
        break;
    default:
        break;
    }
    o.updatedAtMs = e.timeMs;
    o.lastSequence = e.sequence;
    // A sliced parent's fills repeat its children's: positions count each trade once.
    if ((e.kind == OrderEventKind::PartialFill || e.kind == OrderEventKind::Fill) &&
        o.children.empty() && e.fillQuantity > 0)
        positions[o.venue].applyFill(o.request.instrumentKey, o.request.side, e.fillQuantity,
                                     e.fillPrice, o.contract.qtyMultiplier);
}

// The journal's thread.
void OrderService::Impl::onDurable(const std::vector<JournalRecord> &batch)
{
    std::vector<OrderEvent> durable;
    const std::uint64_t upTo = batch.back().sequence;
    {
        std::lock_guard lock(mutex);
        while (!notDurable.empty() && notDurable.front().sequence <= upTo) {
            durable.push_back(std::move(notDurable.front()));
            notDurable.pop_front();
        }
    }
    if (exec)
        exec->post([this, upTo] { releaseDurable(upTo); });
    if (durable.empty())
        return;
    if (callbacks.durableEvents)
        callbacks.durableEvents(durable);
    persister->enqueue(std::move(durable));
}

void OrderService::Impl::afterDurable(std::uint64_t sequence, std::function<void()> send,
                                      std::function<void(const Error &)> fail)
{
    if (config.durability == DurabilityRule::SendThenJournal ||
        journal->durableSequence() >= sequence) {
        send();
        return;
    }
    if (const auto failure = journal->failure()) {
        fail(*failure);
        return;
    }
    awaitingDurable.push_back({sequence, std::move(send), std::move(fail)});
}

void OrderService::Impl::releaseDurable(std::uint64_t upTo)
{
    while (!awaitingDurable.empty() && awaitingDurable.front().sequence <= upTo) {
        Outgoing next = std::move(awaitingDurable.front());
        awaitingDurable.pop_front();
        next.send();
    }
}

void OrderService::Impl::failAwaiting(const Error &error)
{
    std::deque<Outgoing> failed;
    failed.swap(awaitingDurable);
    for (Outgoing &o : failed)
        o.fail(error);
}

SubmitOutcome OrderService::Impl::outcomeLocked(const OrderState &order) const
{
    SubmitOutcome out;
    out.clientOrderId = order.clientOrderId;
    out.status = order.status;
    out.brokerOrderIds = order.brokerOrderIds;
    out.reason = QString::fromStdString(order.reason);
    return out;
}

// ---- submit -------------------------------------------------------------------------------

void OrderService::Impl::submit(OrderRequest request, const SubmitCallback &done)
{
    const auto reply = [&done](Result<SubmitOutcome> r) {
        if (done)
            done(std::move(r));
    };
    // A trader's id never looks like a slice's ("<parent>.NN"), so the children of a sliced
    // order cannot collide with any order placed under its own id.
    if (!request.clientOrderId.empty()) {
        if (auto valid = checkClientOrderIdForRequest(request.clientOrderId); !valid)
            return reply(valid.error());
    }
    if (auto bounded = checkOrderBounds(request); !bounded)
        return reply(bounded.error());
    if (!request.clientOrderId.empty()) {
        std::lock_guard lock(mutex);
        if (auto it = book.find(request.clientOrderId); it != book.end()) {
            // Known: whatever its state, nothing is placed again. An unanswered one is being
            // looked up by its tag.
            SubmitOutcome out = outcomeLocked(it->second);
            out.duplicate = true;
            return reply(out);
        }
    }
    if (request.quantity <= 0)
        return reply(Error::make(
            ErrorCode::InvalidArgument,
            QStringLiteral("quantity must be positive (got %1)").arg(request.quantity)));
    if (!gateway(request.venue))
        return reply(Error::make(
            ErrorCode::Conflict,
            request.venue == Venue::Upstox
                ? QStringLiteral("live trading is not connected: log in to Upstox first "
                                 "(strikeline-cli login, or Session > Log in)")
                : QStringLiteral("paper trading is not available in this process")));
    const std::optional<ContractIdentity> contract = deps.lookup(request.instrumentKey);
    if (!contract)
        return reply(Error::make(ErrorCode::NotFound,
                                 QStringLiteral("unknown instrument %1")
                                     .arg(QString::fromStdString(request.instrumentKey))));
    Verdict verdict = deps.validator(request);
    if (!verdict.ok()) {
        SubmitOutcome out;
        out.clientOrderId = request.clientOrderId;
        out.status = OrderStatus::Rejected;
        QStringList reasons;
        for (const ValidationIssue &i : verdict.issues)
            if (i.severity == IssueSeverity::Error)
                reasons << i.message;
        out.reason = reasons.join(QStringLiteral("; "));
        out.issues = std::move(verdict.issues);
        return reply(out); // refused in RAM: nothing was written anywhere
    }
    std::vector<std::int64_t> slices = verdict.slices;
    if (slices.empty())
        slices.push_back(request.quantity);
    if (std::accumulate(slices.begin(), slices.end(), std::int64_t{0}) != request.quantity ||
        slices.size() > static_cast<std::size_t>(MaxSlices))
        return reply(Error::make(ErrorCode::Internal,
                                 QStringLiteral("the validator's %1 slices do not add up to the "
                                                "quantity %2")
                                     .arg(slices.size())
                                     .arg(request.quantity)));
    const bool sliced = slices.size() > 1;
    if (sliced && !request.clientOrderId.empty()) {
        if (auto c = childClientOrderId(request.clientOrderId, 1); !c)
            return reply(c.error());
    }

    std::string parentId;
    std::uint64_t last = 0;
    {
        std::lock_guard lock(mutex);
        OrderEvent created;
        created.kind = OrderEventKind::Created;
        created.statusAfter = OrderStatus::New;
        created.clientOrderId = request.clientOrderId;
        created.request = request;
        created.contract = *contract;
        created.venue = request.venue;
        created.sliceCount = sliced ? static_cast<int>(slices.size()) : 0;
        auto seq = appendLocked(created);
        if (!seq)
            return reply(seq.error());
        parentId = created.clientOrderId;
        for (std::size_t i = 0; sliced && i < slices.size(); ++i) {
            // Unreachable through checkClientOrderIdForRequest, unless an older journal holds a
            // tag of that form: refuse before anything is sent rather than merge two orders.
            const std::string child = childClientOrderId(parentId, static_cast<int>(i) + 1).value();
            if (book.contains(child)) {
                OrderEvent rejected;
                rejected.kind = OrderEventKind::Rejected;
                rejected.reason = "slice id " + child + " is already an order of today's journal";
                if (auto r = stepLocked(book.at(parentId), rejected); !r)
                    return reply(r.error());
                return reply(Error::make(ErrorCode::Conflict,
                                         QStringLiteral("order %1 not sent: its slice id %2 is "
                                                        "already an order of today's journal")
                                             .arg(qs(parentId), qs(child))));
            }
        }
        OrderState &parent = book.at(parentId);
        for (const OrderEventKind kind : {OrderEventKind::Validated, OrderEventKind::Sent}) {
            OrderEvent step;
            step.kind = kind;
            auto s = stepLocked(parent, step);
            if (!s)
                return reply(s.error());
            last = s.value();
        }
        for (std::size_t i = 0; sliced && i < slices.size(); ++i) {
            OrderEvent child;
            child.kind = OrderEventKind::Created;
            child.statusAfter = OrderStatus::New;
            child.clientOrderId = childClientOrderId(parentId, static_cast<int>(i) + 1).value();
            child.request = request;
            child.request.quantity = slices[i];
            child.request.clientOrderId = child.clientOrderId;
            child.contract = *contract;
            child.venue = request.venue;
            child.parentClientOrderId = parentId;
            child.sliceIndex = static_cast<int>(i) + 1;
            if (auto c = appendLocked(child); !c)
                return reply(c.error());
            OrderState &state = book.at(child.clientOrderId);
            for (const OrderEventKind kind : {OrderEventKind::Validated, OrderEventKind::Sent}) {
                OrderEvent step;
                step.kind = kind;
                auto s = stepLocked(state, step);
                if (!s)
                    return reply(s.error());
                last = s.value();
            }
        }
    }
    auto warnings = std::make_shared<std::vector<ValidationIssue>>(std::move(verdict.issues));
    afterDurable(
        last,
        [this, parentId, done, warnings] {
            sendPlace(parentId, [done, warnings](Result<SubmitOutcome> r) {
                if (r)
                    r->issues = *warnings; // the warnings the trader confirmed
                if (done)
                    done(std::move(r));
            });
        },
        [this, parentId, done](const Error &failure) {
            // The journal failed before these events were on disk: they are not sent, and they
            // are not on disk either, so the order ends here (in RAM: nothing can be written).
            {
                std::lock_guard lock(mutex);
                if (auto it = book.find(parentId); it != book.end()) {
                    it->second.status = OrderStatus::Rejected;
                    it->second.reason = text(failure.message);
                    for (const std::string &c : it->second.children)
                        book.at(c).status = OrderStatus::Rejected;
                }
            }
            changed.notify_all();
            if (done)
                done(Error::make(
                    ErrorCode::Io,
                    QStringLiteral("order %1 not sent: %2").arg(qs(parentId), failure.message)));
        });
}

void OrderService::Impl::sendPlace(const std::string &parentId, const SubmitCallback &done,
                                   std::size_t attempt)
{
    PlaceOrderRequest place;
    BrokerGateway *g = nullptr;
    {
        std::lock_guard lock(mutex);
        const OrderState &o = book.at(parentId);
        place.order = o.request;
        place.slice = !o.children.empty();
        for (const std::string &child : o.children) {
            place.sliceQuantities.push_back(book.at(child).request.quantity);
            place.childClientOrderIds.push_back(child);
        }
        g = gateway(o.venue);
    }
    const GatewayRequestId id = g->place(place);
    requests[{g->venue(), id}] = {RequestKind::Place, parentId, attempt};
    if (done) {
        std::lock_guard lock(mutex);
        done(outcomeLocked(book.at(parentId)));
    }
}

// ---- modify and cancel --------------------------------------------------------------------

void OrderService::Impl::modify(const std::string &id, const OrderModification &change,
                                const SubmitCallback &done)
{
    const auto reply = [&done](Result<SubmitOutcome> r) {
        if (done)
            done(std::move(r));
    };
    OrderRequest next;
    std::string brokerId;
    Venue venue = Venue::Paper;
    {
        std::lock_guard lock(mutex);
        const auto it = book.find(id);
        if (it == book.end())
            return reply(
                Error::make(ErrorCode::NotFound, QStringLiteral("no order %1 today").arg(qs(id))));
        const OrderState &o = it->second;
        if (!o.children.empty())
            return reply(Error::make(ErrorCode::InvalidArgument,
                                     QStringLiteral("order %1 was sent in %2 slices: modify each "
                                                    "slice (%1.01 ...) on its own")
                                         .arg(qs(id))
                                         .arg(o.children.size())));
        if (o.status == OrderStatus::PendingModify || o.status == OrderStatus::PendingCancel)
            return reply(Error::make(ErrorCode::Conflict,
                                     QStringLiteral("order %1 has a %2 on its way: wait for the "
                                                    "broker's answer")
                                         .arg(qs(id), o.status == OrderStatus::PendingModify
                                                          ? QStringLiteral("modification")
                                                          : QStringLiteral("cancel"))));
        if (!isWorking(o.status) || o.brokerOrderIds.empty())
            return reply(Error::make(ErrorCode::Conflict,
                                     QStringLiteral("order %1 is %2: only a working order can be "
                                                    "modified")
                                         .arg(qs(id), qs(orderStatusName(o.status)))));
        next = o.request;
        brokerId = o.brokerOrderIds.front();
        venue = o.venue;
        if (o.triggered && change.trigger)
            return reply(Error::make(ErrorCode::InvalidArgument,
                                     QStringLiteral("order %1 has triggered: its trigger can no "
                                                    "longer change")
                                         .arg(qs(id))));
        if (change.type)
            next.type = *change.type;
        if (change.validity)
            next.validity = *change.validity;
        if (change.quantity)
            next.quantity = *change.quantity;
        if (change.price)
            next.price = *change.price;
        if (change.trigger)
            next.trigger = *change.trigger;
        if (!needsLimitPrice(next.type))
            next.price = Price();
        if (!needsTrigger(next.type))
            next.trigger = Price();
        if (next.quantity <= o.filledQuantity)
            return reply(Error::make(ErrorCode::InvalidArgument,
                                     QStringLiteral("quantity %1 is not above the %2 already "
                                                    "filled")
                                         .arg(next.quantity)
                                         .arg(o.filledQuantity)));
    }
    if (auto bounded = checkOrderBounds(next); !bounded)
        return reply(bounded.error());
    Verdict verdict = deps.validator(next);
    if (verdict.ok() && verdict.slices.size() > 1)
        verdict.issues.push_back({"modify_needs_slicing", IssueSeverity::Error,
                                  QStringLiteral("quantity %1 is above the freeze quantity: a "
                                                 "modification cannot be sliced")
                                      .arg(next.quantity)});
    if (!verdict.ok()) {
        SubmitOutcome out;
        out.clientOrderId = id;
        out.status = OrderStatus::Rejected; // the modification; the order is as it was
        QStringList reasons;
        for (const ValidationIssue &i : verdict.issues)
            if (i.severity == IssueSeverity::Error)
                reasons << i.message;
        out.reason = reasons.join(QStringLiteral("; "));
        out.issues = std::move(verdict.issues);
        return reply(out);
    }
    std::uint64_t sequence = 0;
    {
        std::lock_guard lock(mutex);
        OrderEvent requested;
        requested.kind = OrderEventKind::ModifyRequested;
        requested.request = next;
        auto r = stepLocked(book.at(id), requested);
        if (!r)
            return reply(r.error());
        sequence = r.value();
    }
    changed.notify_all();
    afterDurable(
        sequence,
        [this, id, next, brokerId, venue, done] {
            BrokerGateway *g = gateway(venue);
            ModifyOrderRequest m{brokerId,      id,         next.type,   next.validity,
                                 next.quantity, next.price, next.trigger};
            const GatewayRequestId rid = g->modify(m);
            requests[{venue, rid}] = {RequestKind::Modify, id, 0};
            if (done) {
                std::lock_guard lock(mutex);
                done(outcomeLocked(book.at(id)));
            }
        },
        [id, done](const Error &failure) {
            if (done)
                done(Error::make(ErrorCode::Io, QStringLiteral("modification of %1 not sent: %2")
                                                    .arg(qs(id), failure.message)));
        });
}

void OrderService::Impl::cancel(const std::string &id, const ActionCallback &done)
{
    const auto reply = [&done](Result<void> r) {
        if (done)
            done(std::move(r));
    };
    std::vector<std::pair<std::string, std::string>> targets; // client id, broker id
    Venue venue = Venue::Paper;
    {
        std::lock_guard lock(mutex);
        auto it = book.find(id);
        if (it == book.end())
            return reply(
                Error::make(ErrorCode::NotFound, QStringLiteral("no order %1 today").arg(qs(id))));
        OrderState &o = it->second;
        venue = o.venue;
        if (o.status == OrderStatus::Sent)
            return reply(Error::make(ErrorCode::Conflict,
                                     QStringLiteral("order %1 is waiting for the broker's answer: "
                                                    "cancel it once it is acknowledged")
                                         .arg(qs(id))));
        std::vector<std::string> ids = o.children;
        if (ids.empty())
            ids.push_back(id);
        bool asked = false;
        for (const std::string &t : ids) {
            OrderState &target = book.at(t);
            if (target.status == OrderStatus::PendingCancel) {
                asked = true; // already on its way
                continue;
            }
            if (!isWorking(target.status) || target.brokerOrderIds.empty())
                continue;
            OrderEvent requested;
            requested.kind = OrderEventKind::CancelRequested;
            if (auto r = stepLocked(target, requested); !r)
                return reply(r.error());
            targets.emplace_back(t, target.brokerOrderIds.front());
        }
        if (targets.empty() && !asked)
            return reply(
                Error::make(ErrorCode::Conflict, QStringLiteral("order %1 is %2: nothing to cancel")
                                                     .arg(qs(id), qs(orderStatusName(o.status)))));
        if (!o.children.empty() && isWorking(o.status) && o.status != OrderStatus::PendingCancel) {
            OrderEvent requested;
            requested.kind = OrderEventKind::CancelRequested;
            if (auto r = stepLocked(o, requested); !r)
                return reply(r.error());
        }
    }
    changed.notify_all();
    // A cancel is sent at once, not after the journal's sync: it only takes risk away, and the
    // broker's answer records it either way.
    BrokerGateway *g = gateway(venue);
    for (const auto &[client, broker] : targets) {
        const GatewayRequestId rid = g->cancel(broker);
        requests[{venue, rid}] = {RequestKind::Cancel, client, 0};
    }
    reply(success());
}

std::size_t OrderService::Impl::cancelAll(std::optional<Venue> venue)
{
    std::vector<std::string> ids;
    {
        std::lock_guard lock(mutex);
        for (const std::string &id : bookOrder) {
            const OrderState &o = book.at(id);
            if (o.parentClientOrderId.empty() && isWorking(o.status) &&
                o.status != OrderStatus::PendingCancel && (!venue || o.venue == *venue))
                ids.push_back(id);
        }
    }
    std::size_t asked = 0;
    for (const std::string &id : ids)
        cancel(id, [&asked](Result<void> r) { asked += r ? 1 : 0; });
    return asked;
}

void OrderService::Impl::reconcile(Venue venue, bool poll)
{
    BrokerGateway *g = gateway(venue);
    if (!g)
        return;
    if (poll && reconciling[venue])
        return; // a fetch is on its way already
    reconciling[venue] = true;
    const GatewayRequestId rid = g->fetchBook();
    requests[{venue, rid}] = {RequestKind::Book, {}, poll ? 1u : 0u};
}

void OrderService::Impl::pollBooks()
{
    std::set<Venue> working;
    {
        std::lock_guard lock(mutex);
        for (const auto &[id, o] : book)
            if (o.venue != Venue::Paper && (isWorking(o.status) || o.status == OrderStatus::Sent))
                working.insert(o.venue);
    }
    for (const Venue venue : working)
        reconcile(venue, true);
    exec->postAfter(config.reconcileEvery, [this] { pollBooks(); });
}

// ---- the broker's side --------------------------------------------------------------------

void OrderService::Impl::handle(Venue venue, std::vector<GatewayEvent> &events)
{
    std::unique_lock lock(mutex);
    for (GatewayEvent &event : events) {
        if (auto *reply = std::get_if<GatewayReply>(&event)) {
            const auto it = requests.find({venue, reply->request});
            if (it == requests.end())
                continue; // a reply to a request from before a restart of the gateway
            const Request request = it->second;
            requests.erase(it);
            onReply(venue, request, *reply);
        } else if (auto *snapshot = std::get_if<GatewaySnapshot>(&event)) {
            const auto it = requests.find({venue, snapshot->request});
            if (it == requests.end())
                continue;
            const Request request = it->second;
            requests.erase(it);
            onSnapshot(venue, request, *snapshot);
        } else if (auto *status = std::get_if<GatewayStatus>(&event)) {
            onStatus(venue, *status);
        } else if (reconciling[venue]) {
            heldWhileReconciling[venue].push_back(std::move(event));
        } else if (auto *update = std::get_if<BrokerOrderUpdate>(&event)) {
            applyUpdate(venue, *update);
        } else if (auto *trade = std::get_if<BrokerTrade>(&event)) {
            applyTrade(venue, *trade);
        }
    }
    lock.unlock();
    changed.notify_all();
}

void OrderService::Impl::onStatus(Venue venue, const GatewayStatus &status)
{
    const bool wasLive = [&] {
        std::lock_guard lock(mutex);
        const auto it = streams.find(venue);
        const bool live = it != streams.end() && it->second.state == StreamState::Live;
        streams[venue] = status;
        return live;
    }();
    if (callbacks.stream)
        callbacks.stream(venue, status);
    // Updates sent while the stream was down are lost (Upstox replays nothing): the book and
    // the trades are fetched and reconciled before the stream's updates are applied again.
    if (status.state == StreamState::Live && !wasLive)
        reconcile(venue);
}

void OrderService::Impl::acknowledgeLocked(OrderState &parent, const std::vector<std::string> &ids,
                                           const std::string &note)
{
    const std::vector<std::string> children = parent.children;
    if ((children.empty() && ids.size() != 1) ||
        (!children.empty() && ids.size() != children.size()))
        spdlog::error("order {}: the broker answered {} order ids for {} slices",
                      parent.clientOrderId, ids.size(), std::max<std::size_t>(1, children.size()));
    OrderEvent acknowledged;
    acknowledged.kind = OrderEventKind::Acknowledged;
    acknowledged.brokerOrderIds = ids;
    acknowledged.reason = note; // "after-market order: waits for ..."
    if (!tryStepLocked(parent, acknowledged))
        return;
    for (std::size_t i = 0; i < children.size() && i < ids.size(); ++i) {
        OrderEvent child;
        child.kind = OrderEventKind::Acknowledged;
        child.brokerOrderIds = {ids[i]};
        child.reason = note;
        tryStepLocked(book.at(children[i]), child);
    }
}

void OrderService::Impl::releaseEarly(Venue venue, const std::string &tag)
{
    std::vector<std::string> tags{tag};
    {
        std::lock_guard lock(mutex);
        if (auto it = book.find(tag); it != book.end())
            tags.insert(tags.end(), it->second.children.begin(), it->second.children.end());
    }
    for (const std::string &t : tags) {
        auto held = early.find(t);
        if (held == early.end())
            continue;
        const std::vector<BrokerOrderUpdate> updates = std::move(held->second);
        early.erase(held);
        for (const BrokerOrderUpdate &u : updates)
            applyUpdate(venue, u);
    }
}

void OrderService::Impl::onReply(Venue venue, const Request &request, const GatewayReply &reply)
{
    const std::string &id = request.clientOrderId;
    std::unique_lock lock(mutex);
    auto it = book.find(id);
    if (it == book.end())
        return;
    OrderState &order = it->second;
    switch (request.kind) {
    case RequestKind::Place:
        switch (reply.outcome) {
        case ReplyOutcome::Accepted:
            if (order.status == OrderStatus::Sent || order.status == OrderStatus::Lost)
                acknowledgeLocked(order, reply.brokerOrderIds, reply.note);
            lock.unlock();
            releaseEarly(venue, id);
            return;
        case ReplyOutcome::Refused: {
            if (order.status != OrderStatus::Sent)
                return;
            if (reply.refusal == RefusalKind::RateLimited &&
                request.attempt < static_cast<std::size_t>(config.rateLimitRetries)) {
                // Not taken (429): sent again after a pause, once its tag is not found.
                const std::size_t attempt = request.attempt + 1;
                ++stats.rateLimitedPlaces;
                OrderEvent note;
                note.kind = OrderEventKind::BrokerStatus;
                note.reason = std::string(venueName(venue)) +
                              " is rate limiting orders: sending it again shortly (attempt " +
                              std::to_string(attempt + 1) + " of " +
                              std::to_string(config.rateLimitRetries + 1) +
                              "), after checking its tag " + id;
                tryStepLocked(order, note);
                lock.unlock();
                exec->postAfter(config.rateLimitRetryDelay * static_cast<int>(attempt),
                                [this, id, attempt] { retryRateLimited(id, attempt); });
                return;
            }
            std::vector<std::string> ids = order.children;
            ids.push_back(id);
            for (const std::string &each : ids) {
                OrderEvent rejected;
                rejected.kind = OrderEventKind::Rejected;
                rejected.reason = reply.message;
                tryStepLocked(book.at(each), rejected);
            }
            return;
        }
        case ReplyOutcome::Ambiguous: {
            OrderEvent note;
            note.kind = OrderEventKind::BrokerStatus;
            note.reason = "no answer: looking it up by its tag " + id +
                          ", never sending it again (" + reply.message + ")";
            tryStepLocked(order, note);
            lock.unlock();
            scheduleLookup(id, 0);
            return;
        }
        }
        return;
    case RequestKind::Modify:
        if (order.status != OrderStatus::PendingModify)
            return; // an update answered first
        if (reply.outcome == ReplyOutcome::Accepted) {
            OrderEvent modified;
            modified.kind = OrderEventKind::Modified;
            modified.request = order.pendingModification.value_or(order.request);
            tryStepLocked(order, modified);
        } else if (reply.outcome == ReplyOutcome::Refused) {
            OrderEvent refused;
            refused.kind = OrderEventKind::ModifyRefused;
            refused.reason = reply.message;
            tryStepLocked(order, refused);
        } else {
            lock.unlock();
            lookUp(order.parentClientOrderId.empty() ? id : order.parentClientOrderId, 0);
        }
        return;
    case RequestKind::Cancel:
        if (reply.outcome == ReplyOutcome::Refused && order.status == OrderStatus::PendingCancel) {
            OrderEvent refused;
            refused.kind = OrderEventKind::CancelRefused;
            refused.reason = reply.message;
            tryStepLocked(order, refused);
            if (!order.parentClientOrderId.empty()) {
                OrderState &parent = book.at(order.parentClientOrderId);
                bool anyPending = false;
                for (const std::string &c : parent.children)
                    anyPending = anyPending || book.at(c).status == OrderStatus::PendingCancel;
                if (parent.status == OrderStatus::PendingCancel && !anyPending) {
                    OrderEvent parentRefused = refused;
                    tryStepLocked(parent, parentRefused);
                }
            }
        } else if (reply.outcome == ReplyOutcome::Ambiguous) {
            lock.unlock();
            lookUp(order.parentClientOrderId.empty() ? id : order.parentClientOrderId, 0);
        }
        return; // accepted: the broker's update confirms it
    case RequestKind::Lookup:
    case RequestKind::Book:
    case RequestKind::RetryLookup:
        return;
    }
}

void OrderService::Impl::retryRateLimited(const std::string &parentId, std::size_t attempt)
{
    Venue venue = Venue::Paper;
    {
        std::lock_guard lock(mutex);
        const auto it = book.find(parentId);
        if (it == book.end() || it->second.status != OrderStatus::Sent)
            return; // an update or a lookup answered meanwhile
        venue = it->second.venue;
    }
    BrokerGateway *g = gateway(venue);
    if (!g)
        return;
    const GatewayRequestId rid = g->findByTag(parentId);
    requests[{venue, rid}] = {RequestKind::RetryLookup, parentId, attempt};
}

void OrderService::Impl::scheduleLookup(const std::string &tag, std::size_t attempt)
{
    if (attempt >= config.tagLookupDelays.size()) {
        std::lock_guard lock(mutex);
        if (auto it = book.find(tag); it != book.end() && it->second.status == OrderStatus::Sent) {
            const auto waited =
                std::accumulate(config.tagLookupDelays.begin(), config.tagLookupDelays.end(),
                                std::chrono::milliseconds(0));
            markLostLocked(it->second,
                           std::string(venueName(it->second.venue)) + " has no order tagged " +
                               tag + " " + std::to_string(waited.count() / 1000.0).substr(0, 4) +
                               " s after its place went unanswered; it was not sent again: "
                               "check the broker's order book before placing it again");
        }
        changed.notify_all();
        return;
    }
    if (!lookupsScheduled.insert(tag).second)
        return;
    exec->postAfter(config.tagLookupDelays[attempt], [this, tag, attempt] {
        lookupsScheduled.erase(tag);
        lookUp(tag, attempt);
    });
}

void OrderService::Impl::lookUp(const std::string &tag, std::size_t attempt)
{
    Venue venue = Venue::Paper;
    {
        std::lock_guard lock(mutex);
        const auto it = book.find(tag);
        if (it == book.end())
            return;
        venue = it->second.venue;
        ++stats.tagLookups;
    }
    BrokerGateway *g = gateway(venue);
    if (!g)
        return;
    const GatewayRequestId rid = g->findByTag(tag);
    requests[{venue, rid}] = {RequestKind::Lookup, tag, attempt};
}

void OrderService::Impl::markLostLocked(OrderState &order, const std::string &why)
{
    std::vector<std::string> ids = order.children;
    ids.push_back(order.clientOrderId);
    for (const std::string &id : ids) {
        OrderEvent lost;
        lost.kind = OrderEventKind::Lost;
        lost.reason = why;
        tryStepLocked(book.at(id), lost);
    }
    ++stats.ordersLost;
    spdlog::error("order {}: {}", order.clientOrderId, why);
}

void OrderService::Impl::onSnapshot(Venue venue, const Request &request,
                                    const GatewaySnapshot &snapshot)
{
    if (request.kind == RequestKind::Book) {
        if (!snapshot.ok) {
            spdlog::warn("{} order book not fetched: {}", venueName(venue), snapshot.message);
            {
                std::lock_guard lock(mutex);
                bookErrors[venue] = snapshot.message;
            }
            if (request.attempt == 1) {
                // A periodic poll: the updates held meanwhile go on; the next poll asks again.
                reconciling[venue] = false;
                std::vector<GatewayEvent> held;
                held.swap(heldWhileReconciling[venue]);
                handle(venue, held);
                return;
            }
            // Try again shortly: updates stay held until the book is known.
            exec->postAfter(std::chrono::seconds(2), [this, venue] { reconcile(venue); });
            return;
        }
        {
            std::lock_guard lock(mutex);
            ++stats.reconciliations;
        }
        reconciling[venue] = false;
        for (const BrokerOrderUpdate &u : snapshot.orders)
            applyUpdate(venue, u);
        for (const BrokerTrade &t : snapshot.trades)
            applyTrade(venue, t);
        // Ours that the broker's book does not have: unanswered ones are looked up by tag
        // (and marked lost after the bounded wait).
        std::vector<std::string> unanswered;
        {
            std::lock_guard lock(mutex);
            for (const std::string &id : bookOrder) {
                const OrderState &o = book.at(id);
                if (o.venue == venue && o.parentClientOrderId.empty() &&
                    o.status == OrderStatus::Sent)
                    unanswered.push_back(id);
            }
        }
        for (const std::string &id : unanswered)
            scheduleLookup(id, 0);
        std::vector<GatewayEvent> held;
        held.swap(heldWhileReconciling[venue]);
        handle(venue, held);
        return;
    }
    // A lookup by tag.
    const std::string &tag = request.clientOrderId;
    if (!snapshot.ok && request.kind == RequestKind::RetryLookup) {
        // Not known whether the broker has it: ask again before anything is sent.
        spdlog::warn("order {}: looking its tag up before sending it again failed ({})", tag,
                     snapshot.message);
        const std::size_t attempt = request.attempt;
        exec->postAfter(config.rateLimitRetryDelay,
                        [this, tag, attempt] { retryRateLimited(tag, attempt); });
        return;
    }
    if (!snapshot.ok) {
        // No answer is not "no such order": a failed lookup (a network fault, a refused token)
        // is tried again at the same step and never counts towards calling the order lost.
        spdlog::warn("order {}: looking its tag up failed ({}); trying again", tag,
                     snapshot.message);
        scheduleLookup(tag, request.attempt);
        return;
    }
    std::unique_lock lock(mutex);
    auto it = book.find(tag);
    if (it == book.end())
        return;
    OrderState &order = it->second;
    if (snapshot.orders.empty()) {
        if (order.status == OrderStatus::Sent) {
            lock.unlock();
            if (request.kind == RequestKind::RetryLookup)
                sendPlace(tag, {}, request.attempt); // the broker has none: send it again
            else
                scheduleLookup(tag, request.attempt + 1);
        }
        return;
    }
    if (order.status == OrderStatus::Sent || order.status == OrderStatus::Lost) {
        // The order reached the broker after all: its ids, children by their own tags where the
        // broker kept them, else in the order the broker numbered them.
        std::vector<BrokerOrderUpdate> found = snapshot.orders;
        std::vector<std::string> ids;
        if (order.children.empty()) {
            ids.push_back(found.front().brokerOrderId);
        } else {
            std::stable_sort(found.begin(), found.end(), [](const auto &a, const auto &b) {
                return a.brokerOrderId < b.brokerOrderId;
            });
            for (const std::string &child : order.children) {
                const auto own = std::find_if(found.begin(), found.end(), [&](const auto &u) {
                    return u.clientOrderId == child;
                });
                if (own != found.end())
                    ids.push_back(own->brokerOrderId);
            }
            if (ids.size() != order.children.size()) {
                ids.clear();
                for (const BrokerOrderUpdate &u : found)
                    ids.push_back(u.brokerOrderId);
            }
        }
        acknowledgeLocked(order, ids,
                          "its place answer was lost; found at the broker by its tag, not sent "
                          "again");
    }
    lock.unlock();
    for (const BrokerOrderUpdate &u : snapshot.orders)
        applyUpdate(venue, u);
    releaseEarly(venue, tag);
}

OrderState *OrderService::Impl::externalOrderLocked(Venue venue, const BrokerOrderUpdate &u)
{
    if (u.brokerOrderId.empty() || u.quantity <= 0)
        return nullptr;
    // "EX" and the broker's id (its last 18 characters: Upstox ids are 15 digits), so the same
    // order is the same row after a restart.
    std::string id = "EX";
    for (const char c :
         u.brokerOrderId.substr(u.brokerOrderId.size() > 18 ? u.brokerOrderId.size() - 18 : 0))
        id += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
    if (auto it = book.find(id); it != book.end())
        return &it->second;
    ContractIdentity contract;
    if (const auto c = deps.lookup(u.instrumentKey))
        contract = *c;
    else
        contract.instrumentKey = contract.tradingSymbol = u.instrumentKey;
    OrderEvent created;
    created.kind = OrderEventKind::Created;
    created.statusAfter = OrderStatus::New;
    created.clientOrderId = id;
    created.external = true;
    created.venue = venue;
    created.contract = contract;
    created.request.instrumentKey = u.instrumentKey;
    created.request.side = u.side;
    created.request.type = u.type;
    created.request.product = u.product;
    created.request.validity = u.validity;
    created.request.quantity = u.quantity;
    created.request.price = u.price;
    created.request.trigger = u.trigger;
    created.request.clientOrderId = id;
    created.request.venue = venue;
    created.reason = "placed outside Strikeline";
    if (auto r = appendLocked(created); !r) {
        spdlog::error("external order {} not journaled: {}", u.brokerOrderId,
                      r.error().message.toStdString());
        return nullptr;
    }
    ++stats.externalOrders;
    OrderState &o = book.at(id);
    OrderEvent acknowledged;
    acknowledged.kind = OrderEventKind::Acknowledged;
    acknowledged.brokerOrderIds = {u.brokerOrderId};
    acknowledged.brokerStatus = u.brokerStatus;
    tryStepLocked(o, acknowledged);
    return &o;
}

void OrderService::Impl::applyUpdate(Venue venue, const BrokerOrderUpdate &u)
{
    bool query = false;
    std::string queryTag;
    {
        std::lock_guard lock(mutex);
        OrderState *order = nullptr;
        if (auto b = byBrokerId.find(u.brokerOrderId); b != byBrokerId.end())
            order = &book.at(b->second);
        if (!order && !u.clientOrderId.empty()) {
            if (auto t = book.find(u.clientOrderId); t != book.end() && t->second.venue == venue) {
                OrderState &tagged = t->second;
                if (tagged.status == OrderStatus::Sent || tagged.status == OrderStatus::Lost ||
                    !tagged.children.empty()) {
                    // Before the place's answer (or of a sliced order not yet mapped): held
                    // until the answer or the tag's lookup gives the ids.
                    early[tagged.clientOrderId].push_back(u);
                    if (tagged.status == OrderStatus::Lost) {
                        query = true;
                        queryTag = tagged.clientOrderId;
                    }
                } else {
                    spdlog::warn("order {}: an update for broker order {}, which is not its own "
                                 "({})",
                                 tagged.clientOrderId, u.brokerOrderId,
                                 tagged.brokerOrderIds.empty() ? "" : tagged.brokerOrderIds[0]);
                    ++stats.updatesIgnored;
                }
                order = nullptr;
                if (!query)
                    return;
            }
        }
        if (!order && !query)
            order = externalOrderLocked(venue, u);
        if (order) {
            const std::uint64_t before = order->lastSequence;
            applyUpdateTo(*order, u);
            // An update that changes nothing is a duplicate or older than what we have.
            ++(order->lastSequence == before ? stats.updatesIgnored : stats.updatesApplied);
        }
        if (order && u.state == BrokerOrderState::Unknown && !order->external) {
            query = true;
            queryTag = order->parentClientOrderId.empty() ? order->clientOrderId
                                                          : order->parentClientOrderId;
        }
    }
    if (query)
        lookUp(queryTag, config.tagLookupDelays.size());
}

bool OrderService::Impl::fillLocked(OrderState &order, std::int64_t quantity, Price price,
                                    const std::string &tradeId, std::int64_t tradedAfter,
                                    const std::string &brokerStatus, const std::string &note)
{
    const auto average = averageAfter(order.filledQuantity, order.averagePrice, quantity, price);
    if (!average || quantity <= 0 || !price.isPositive()) {
        spdlog::error("ignoring a fill of {} @ {} for order {}: outside what an order can hold",
                      quantity, price.raw(), order.clientOrderId);
        ++stats.illegalPairs;
        return false;
    }
    OrderEvent event;
    event.fillQuantity = quantity;
    event.fillPrice = price;
    event.tradeId = tradeId;
    event.tradedAfter = tradedAfter;
    event.brokerStatus = brokerStatus;
    event.reason = note; // an after-market order says it filled at the open
    event.filledQuantity = order.filledQuantity + quantity;
    event.averagePrice = Price::fromRaw(*average);
    event.kind = event.filledQuantity >= order.request.quantity ? OrderEventKind::Fill
                                                                : OrderEventKind::PartialFill;
    if (order.triggered || !needsTrigger(order.request.type) ||
        order.status == OrderStatus::PendingModify || order.status == OrderStatus::PendingCancel) {
    } else if (order.status == OrderStatus::Acknowledged) {
        OrderEvent triggered; // a stop order that fills has triggered
        triggered.kind = OrderEventKind::Triggered;
        tryStepLocked(order, triggered);
    }
    if (!tryStepLocked(order, event))
        return false;
    toParentLocked(order, event);
    return true;
}

void OrderService::Impl::applyUpdateTo(OrderState &o, const BrokerOrderUpdate &u)
{
    using BS = BrokerOrderState;
    // The order's terms as the broker has them: ours confirmed, or changed elsewhere.
    const bool terms = u.quantity > 0 && (u.state == BS::Open || u.state == BS::TriggerPending ||
                                          u.state == BS::Modified || u.state == BS::Pending);
    if (terms && isWorking(o.status) && !sameTerms(o.request, u) &&
        (o.status != OrderStatus::PendingModify || !o.pendingModification ||
         sameTerms(*o.pendingModification, u) || u.state == BS::Modified)) {
        OrderEvent modified;
        modified.kind = OrderEventKind::Modified;
        modified.request = o.request;
        modified.request.type = u.type;
        modified.request.quantity = u.quantity;
        modified.request.price = u.price;
        modified.request.trigger = u.trigger;
        modified.request.validity = u.validity;
        modified.brokerStatus = u.brokerStatus;
        if (o.status != OrderStatus::PendingModify)
            modified.reason = "modified at the broker";
        tryStepLocked(o, modified);
    } else if (u.state == BS::Modified && o.status == OrderStatus::PendingModify) {
        OrderEvent modified;
        modified.kind = OrderEventKind::Modified;
        modified.request = o.pendingModification.value_or(o.request);
        modified.brokerStatus = u.brokerStatus;
        tryStepLocked(o, modified);
    }
    // Fills: the broker's cumulative quantity, so a duplicate or a stale update adds nothing.
    if (u.filledQuantity > o.filledQuantity && u.averagePrice.isPositive()) {
        const std::int64_t quantity = u.filledQuantity - o.filledQuantity;
        // This part's price from the two averages: (A' q' - A q) / (q' - q), to the paisa.
        std::int64_t after = 0;
        std::int64_t before = 0;
        Price price = u.averagePrice;
        if (!__builtin_mul_overflow(u.averagePrice.raw(), u.filledQuantity, &after) &&
            !__builtin_mul_overflow(o.averagePrice.raw(), o.filledQuantity, &before) &&
            after > before)
            price = Price::fromRaw((after - before + quantity / 2) / quantity);
        fillLocked(o, quantity, price, {}, o.tradedQuantity, u.brokerStatus, u.message);
    }
    switch (u.state) {
    case BS::Open:
        if (needsTrigger(o.request.type) && !o.triggered &&
            (o.status == OrderStatus::Acknowledged || o.status == OrderStatus::PendingModify ||
             o.status == OrderStatus::PendingCancel)) {
            OrderEvent triggered;
            triggered.kind = OrderEventKind::Triggered;
            triggered.brokerStatus = u.brokerStatus;
            tryStepLocked(o, triggered);
            toParentLocked(o, triggered);
        }
        break;
    case BS::ModifyRefused:
    case BS::CancelRefused: {
        // Upstox's "not modified" / "not cancelled": the request failed, the order stands.
        const bool modify = u.state == BS::ModifyRefused;
        if (o.status != (modify ? OrderStatus::PendingModify : OrderStatus::PendingCancel))
            break;
        OrderEvent refused;
        refused.kind = modify ? OrderEventKind::ModifyRefused : OrderEventKind::CancelRefused;
        refused.reason = !u.message.empty() ? u.message : modify ? "not modified" : "not cancelled";
        refused.brokerStatus = u.brokerStatus;
        tryStepLocked(o, refused);
        break;
    }
    case BS::Complete:
        if (o.filledQuantity < o.request.quantity && u.averagePrice.isPositive() &&
            u.filledQuantity == 0) // complete without the fill's figures: at its average
            fillLocked(o, o.request.quantity - o.filledQuantity, u.averagePrice, {},
                       o.tradedQuantity, u.brokerStatus, u.message);
        break;
    case BS::Rejected:
    case BS::Cancelled:
        if (!isTerminal(o.status)) {
            OrderEvent end;
            end.kind =
                u.state == BS::Rejected ? OrderEventKind::Rejected : OrderEventKind::Cancelled;
            end.reason = u.message.empty()
                             ? std::string(u.state == BS::Rejected ? "rejected" : "cancelled")
                             : u.message;
            end.brokerStatus = u.brokerStatus;
            if (tryStepLocked(o, end))
                toParentLocked(o, end);
        }
        break;
    case BS::Unknown:
        if (u.brokerStatus != o.brokerStatus) {
            OrderEvent note;
            note.kind = OrderEventKind::BrokerStatus;
            note.brokerStatus = u.brokerStatus;
            note.reason = "the broker reports status \"" + u.brokerStatus +
                          "\", which Strikeline does not know: asking for the order's history";
            tryStepLocked(o, note);
        }
        break;
    case BS::Pending:
    case BS::TriggerPending:
    case BS::ModifyPending:
    case BS::Modified:
    case BS::CancelPending:
        break;
    }
    // The broker's own word for a working order when it says something new without a step of
    // ours ("open" after the place answer, "trigger pending"): kept and shown, moves nothing.
    if (u.state != BS::Unknown && !u.brokerStatus.empty() && u.brokerStatus != o.brokerStatus &&
        isWorking(o.status)) {
        OrderEvent note;
        note.kind = OrderEventKind::BrokerStatus;
        note.brokerStatus = u.brokerStatus;
        tryStepLocked(o, note);
    }
}

void OrderService::Impl::applyTrade(Venue venue, const BrokerTrade &t)
{
    std::lock_guard lock(mutex);
    OrderState *order = nullptr;
    if (auto b = byBrokerId.find(t.brokerOrderId); b != byBrokerId.end())
        order = &book.at(b->second);
    if (!order || order->venue != venue || t.tradeId.empty() || t.quantity <= 0)
        return; // the order's own update brings an order we do not know yet
    if (order->tradeIds.contains(t.tradeId)) {
        ++stats.tradesDuplicate;
        return;
    }
    const std::int64_t traded = order->tradedQuantity + t.quantity;
    if (traded > order->filledQuantity) {
        fillLocked(*order, traded - order->filledQuantity, t.price, t.tradeId, traded, {});
        return;
    }
    // Already counted from the order's cumulative figures: the trade id is recorded, so the
    // same trade seen again (a reconciliation) adds nothing either.
    OrderEvent note;
    note.kind = OrderEventKind::BrokerStatus;
    note.tradeId = t.tradeId;
    note.tradedAfter = traded;
    note.fillQuantity = 0;
    tryStepLocked(*order, note);
}

void OrderService::Impl::toParentLocked(const OrderState &child, const OrderEvent &event)
{
    if (child.parentClientOrderId.empty())
        return;
    OrderState &parent = book.at(child.parentClientOrderId);
    if (event.kind == OrderEventKind::PartialFill || event.kind == OrderEventKind::Fill) {
        OrderEvent fill;
        fill.fillQuantity = event.fillQuantity;
        fill.fillPrice = event.fillPrice;
        fill.reason = event.reason;
        fill.filledQuantity = parent.filledQuantity + event.fillQuantity;
        // The children's quantities sum to the parent's: if the child's average fit, this does.
        fill.averagePrice = Price::fromRaw(averageAfter(parent.filledQuantity, parent.averagePrice,
                                                        event.fillQuantity, event.fillPrice)
                                               .value_or(0));
        fill.kind = fill.filledQuantity >= parent.request.quantity ? OrderEventKind::Fill
                                                                   : OrderEventKind::PartialFill;
        tryStepLocked(parent, fill);
    } else if (event.kind == OrderEventKind::Triggered && !parent.triggered) {
        OrderEvent triggered;
        triggered.kind = OrderEventKind::Triggered;
        tryStepLocked(parent, triggered);
    }
    settleParentLocked(parent.clientOrderId);
}

// A sliced parent ends when all its children have: filled if they all filled, otherwise
// cancelled (some quantity may have traded) or rejected (none did and none was cancelled).
void OrderService::Impl::settleParentLocked(const std::string &parentId)
{
    OrderState &parent = book.at(parentId);
    if (isTerminal(parent.status))
        return;
    bool anyCancelled = false;
    std::string firstReason;
    for (const std::string &child : parent.children) {
        const OrderState &c = book.at(child);
        if (!isTerminal(c.status))
            return;
        anyCancelled = anyCancelled || c.status == OrderStatus::Cancelled;
        if (firstReason.empty() && !c.reason.empty())
            firstReason = c.reason;
    }
    OrderEvent end;
    end.kind = (anyCancelled || parent.filledQuantity > 0) ? OrderEventKind::Cancelled
                                                           : OrderEventKind::Rejected;
    end.reason = firstReason.empty() ? "every slice ended" : firstReason;
    tryStepLocked(parent, end);
}

// ---- the public face ----------------------------------------------------------------------

OrderService::OrderService(std::unique_ptr<Impl> impl)
    : d(std::move(impl))
{}

OrderService::~OrderService()
{
    for (const auto &[venue, g] : d->gateways)
        g->setEventSink({});
    if (d->exec)
        d->exec->stop(); // what is due runs; nothing new is sent after this
    d->journal.reset();  // syncs what is pending; its last callbacks feed the persister
    if (d->persister)    // null when open() failed half-way
        d->persister->stop();
}

Result<std::unique_ptr<OrderService>> OrderService::open(Dependencies dependencies,
                                                         OrderServiceConfig config,
                                                         OrderServiceCallbacks callbacks,
                                                         RecoveryReport *report)
{
    RecoveryReport recovery;
    const EpochDay today = dependencies.clock.now().day();
    auto impl =
        std::make_unique<Impl>(std::move(dependencies), std::move(config), std::move(callbacks));
    Impl &s = *impl;
    std::unique_ptr<OrderService> service(new OrderService(std::move(impl)));

    // Earlier days first (read only), then today's journal, opened for appending.
    std::vector<OrderEvent> replayed;
    const QString todayFile = OrderJournal::fileFor(s.config.journalDirectory, today);
    for (const QString &file : OrderJournal::journalFiles(s.config.journalDirectory)) {
        if (file == todayFile)
            continue;
        auto old = OrderJournal::replay(file);
        if (!old)
            return old.error();
        ++recovery.journalFiles;
        for (const JournalRecord &r : old->records) {
            auto e = OrderEvent::decode(r.payload, r.sequence);
            if (!e)
                return e.error();
            e->journalId = old->journalId;
            replayed.push_back(std::move(e.value()));
        }
    }
    for (const Venue venue : {Venue::Paper, Venue::Upstox})
        s.positions[venue].carryForward(replayed, today, venue);
    JournalReplay current;
    auto journal = OrderJournal::open(s.config.journalDirectory, today, &current);
    if (!journal)
        return journal.error();
    s.journal = std::move(journal.value());
    ++recovery.journalFiles;
    recovery.tornBytesCut = current.tornBytes;
    for (const JournalRecord &r : current.records) {
        auto e = OrderEvent::decode(r.payload, r.sequence);
        if (!e)
            return e.error();
        e->journalId = current.journalId;
        s.applyToBook(e.value());
        replayed.push_back(std::move(e.value()));
    }
    recovery.eventsReplayed = replayed.size();
    recovery.ordersInBook = s.book.size();
    std::vector<std::string> unanswered;
    for (const std::string &id : s.bookOrder) {
        const OrderState &order = s.book.at(id);
        if (order.status == OrderStatus::Sent) {
            ++recovery.awaitingAcknowledgement;
            if (order.parentClientOrderId.empty())
                unanswered.push_back(id);
        }
    }

    s.persister = std::make_unique<OrderPersister>(s.config.database, s.config.persister,
                                                   s.callbacks.persistence);
    s.persister->enqueue(std::move(replayed));
    s.persister->start();
    s.exec = std::make_unique<SerialExecutor>("strikeline-orders");
    s.journal->setDurableCallback(
        [&s](const std::vector<JournalRecord> &batch) { s.onDurable(batch); });
    s.journal->setFailureCallback([&s](const Error &error) {
        const Error copy = error;
        s.exec->post([&s, copy] { s.failAwaiting(copy); });
    });
    for (const auto &[venue, g] : s.gateways) {
        const Venue v = venue;
        g->setEventSink([&s, v](std::vector<GatewayEvent> events) {
            s.exec->post([&s, v, events = std::move(events)]() mutable { s.handle(v, events); });
        });
    }
    // Orders sent before a crash and never answered: looked up by tag, never sent again.
    for (const std::string &id : unanswered)
        s.exec->post([&s, id] { s.lookUp(id, 0); });
    if (s.config.reconcileEvery > std::chrono::milliseconds::zero())
        s.exec->postAfter(s.config.reconcileEvery, [&s] { s.pollBooks(); });
    if (recovery.tornBytesCut > 0 || recovery.awaitingAcknowledgement > 0)
        spdlog::warn("order recovery: {} events replayed, {} torn bytes cut, {} orders sent "
                     "but never acknowledged (looked up by tag at their broker)",
                     recovery.eventsReplayed, recovery.tornBytesCut,
                     recovery.awaitingAcknowledgement);
    if (report)
        *report = recovery;
    return service;
}

void OrderService::submitAsync(OrderRequest request, SubmitCallback done)
{
    Impl *impl = d.get();
    if (!impl->exec->post([impl, request = std::move(request), done]() mutable {
            impl->submit(std::move(request), done);
        }) &&
        done)
        done(Error::make(ErrorCode::Cancelled, QStringLiteral("the order service is stopping")));
}

void OrderService::modifyAsync(const std::string &clientOrderId, OrderModification change,
                               SubmitCallback done)
{
    Impl *impl = d.get();
    if (!impl->exec->post(
            [impl, clientOrderId, change, done] { impl->modify(clientOrderId, change, done); }) &&
        done)
        done(Error::make(ErrorCode::Cancelled, QStringLiteral("the order service is stopping")));
}

void OrderService::cancelAsync(const std::string &clientOrderId, ActionCallback done)
{
    Impl *impl = d.get();
    if (!impl->exec->post([impl, clientOrderId, done] { impl->cancel(clientOrderId, done); }) &&
        done)
        done(Error::make(ErrorCode::Cancelled, QStringLiteral("the order service is stopping")));
}

void OrderService::cancelAllAsync(std::optional<Venue> venue,
                                  std::function<void(std::size_t cancelled)> done)
{
    Impl *impl = d.get();
    impl->exec->post([impl, venue, done] {
        const std::size_t n = impl->cancelAll(venue);
        if (done)
            done(n);
    });
}

void OrderService::reconcile(Venue venue)
{
    Impl *impl = d.get();
    impl->exec->post([impl, venue] { impl->reconcile(venue); });
}

Result<void> OrderService::reconcileNow(Venue venue, std::chrono::milliseconds timeout)
{
    if (d->exec->isCurrentThread())
        return Error::make(ErrorCode::Internal,
                           QStringLiteral("a blocking order call from the order thread"));
    if (!hasGateway(venue))
        return Error::make(
            ErrorCode::NotFound,
            QStringLiteral("no %1 gateway").arg(QString::fromUtf8(venueName(venue))));
    std::unique_lock lock(d->mutex);
    const std::uint64_t before = d->stats.reconciliations;
    d->bookErrors.erase(venue);
    lock.unlock();
    reconcile(venue);
    lock.lock();
    // Done when the book is applied, or when a fetch failed: the broker's answer is the error
    // (the fetch goes on being retried in the background).
    const bool answered = d->changed.wait_for(lock, timeout, [&] {
        return d->stats.reconciliations > before || d->bookErrors.count(venue) > 0;
    });
    if (answered && d->stats.reconciliations > before)
        return success();
    const auto error = d->bookErrors.find(venue);
    if (error != d->bookErrors.end())
        return Error::make(ErrorCode::Network,
                           QStringLiteral("%1 order book was not fetched: %2")
                               .arg(venue == Venue::Upstox ? QStringLiteral("Upstox's")
                                                           : QStringLiteral("the paper"),
                                    QString::fromStdString(error->second)));
    return Error::make(
        ErrorCode::Network,
        QStringLiteral("%1 order book was not fetched within %2 s%3")
            .arg(venue == Venue::Upstox ? QStringLiteral("Upstox's") : QStringLiteral("the paper"))
            .arg(std::chrono::duration_cast<std::chrono::seconds>(timeout).count())
            .arg(error == d->bookErrors.end()
                     ? QString()
                     : QStringLiteral(": ") + QString::fromStdString(error->second)));
}

namespace {

// Runs an asynchronous call and waits for its callback (never on the order thread itself).
template<typename T, typename Start>
Result<T> await(const SerialExecutor &exec, Start start)
{
    if (exec.isCurrentThread())
        return Error::make(ErrorCode::Internal,
                           QStringLiteral("a blocking order call from the order thread"));
    auto promise = std::make_shared<std::promise<Result<T>>>();
    auto future = promise->get_future();
    start([promise](Result<T> r) { promise->set_value(std::move(r)); });
    return future.get();
}

} // namespace

Result<SubmitOutcome> OrderService::submit(OrderRequest request,
                                           std::chrono::milliseconds brokerWait)
{
    auto out = await<SubmitOutcome>(
        *d->exec, [&](SubmitCallback done) { submitAsync(std::move(request), std::move(done)); });
    if (!out || out->status == OrderStatus::Rejected)
        return out;
    waitSettled(out->clientOrderId, brokerWait);
    const std::optional<OrderState> now = order(out->clientOrderId);
    if (now) {
        out->status = now->status;
        out->brokerOrderIds = now->brokerOrderIds;
        out->reason = QString::fromStdString(now->reason);
    }
    return out;
}

Result<SubmitOutcome> OrderService::modify(const std::string &clientOrderId,
                                           OrderModification change,
                                           std::chrono::milliseconds brokerWait)
{
    auto out = await<SubmitOutcome>(*d->exec, [&](SubmitCallback done) {
        modifyAsync(clientOrderId, change, std::move(done));
    });
    if (!out || out->status == OrderStatus::Rejected)
        return out;
    waitSettled(clientOrderId, brokerWait);
    if (const std::optional<OrderState> now = order(clientOrderId)) {
        out->status = now->status;
        out->reason = QString::fromStdString(now->reason);
    }
    return out;
}

Result<void> OrderService::cancel(const std::string &clientOrderId,
                                  std::chrono::milliseconds brokerWait)
{
    if (d->exec->isCurrentThread())
        return Error::make(ErrorCode::Internal,
                           QStringLiteral("a blocking order call from the order thread"));
    auto promise = std::make_shared<std::promise<Result<void>>>();
    auto future = promise->get_future();
    cancelAsync(clientOrderId, [promise](Result<void> r) { promise->set_value(std::move(r)); });
    Result<void> r = future.get();
    if (r)
        waitSettled(clientOrderId, brokerWait);
    return r;
}

bool OrderService::waitSettled(const std::string &clientOrderId,
                               std::chrono::milliseconds timeout) const
{
    std::unique_lock lock(d->mutex);
    return d->changed.wait_for(lock, timeout, [&] {
        const auto it = d->book.find(clientOrderId);
        if (it == d->book.end())
            return true;
        const OrderStatus s = it->second.status;
        return s != OrderStatus::New && s != OrderStatus::Validated && s != OrderStatus::Sent &&
               s != OrderStatus::PendingModify && s != OrderStatus::PendingCancel;
    });
}

std::optional<OrderState> OrderService::order(const std::string &clientOrderId) const
{
    std::lock_guard lock(d->mutex);
    const auto it = d->book.find(clientOrderId);
    if (it == d->book.end())
        return std::nullopt;
    return it->second;
}

std::vector<OrderState> OrderService::orders() const
{
    std::lock_guard lock(d->mutex);
    std::vector<OrderState> out;
    out.reserve(d->bookOrder.size());
    for (const std::string &id : d->bookOrder)
        out.push_back(d->book.at(id));
    return out;
}

std::vector<Position> OrderService::positions(const MarketData *market, Venue venue) const
{
    std::lock_guard lock(d->mutex);
    const auto it = d->positions.find(venue);
    if (it == d->positions.end())
        return {};
    // Fills journaled before the multiplier was recorded take today's from the instruments.
    std::vector<Position> out =
        it->second.positions(market, [this](std::string_view key) -> std::int64_t {
            const std::optional<ContractIdentity> c = d->deps.lookup(key);
            return c ? c->qtyMultiplier : 0;
        });
    for (Position &p : out)
        p.venue = venue;
    return out;
}

std::optional<GatewayStatus> OrderService::streamStatus(Venue venue) const
{
    std::lock_guard lock(d->mutex);
    const auto it = d->streams.find(venue);
    if (it == d->streams.end())
        return std::nullopt;
    return it->second;
}

bool OrderService::hasGateway(Venue venue) const
{
    return d->gateway(venue) != nullptr;
}

OrderServiceStats OrderService::stats() const
{
    std::lock_guard lock(d->mutex);
    return d->stats;
}

void OrderService::drain() const
{
    if (d->exec->isCurrentThread())
        return;
    auto promise = std::make_shared<std::promise<void>>();
    auto future = promise->get_future();
    if (d->exec->post([promise] { promise->set_value(); }))
        future.wait();
}

bool OrderService::waitPersisted(std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    drain();
    if (!d->journal->waitDurable(d->journal->lastSequence()))
        return false;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    return left.count() > 0 && d->persister->waitIdle(left);
}

PersistenceState OrderService::persistence() const
{
    return d->persister->state();
}

JournalStats OrderService::journalStats() const
{
    return d->journal->stats();
}

OrderPersister &OrderService::persister()
{
    return *d->persister;
}

OrderJournal &OrderService::journal()
{
    return *d->journal;
}

} // namespace strikeline
