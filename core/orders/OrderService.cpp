#include "OrderService.h"

#include "common/IstTime.h"
#include "instruments/InstrumentRepository.h"
#include "instruments/InstrumentSnapshot.h"
#include "orders/OrderLifecycle.h"

#include <spdlog/spdlog.h>

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

OrderService::OrderService(Dependencies dependencies, OrderServiceConfig config,
                           OrderServiceCallbacks callbacks)
    : m_deps(std::move(dependencies))
    , m_config(std::move(config))
    , m_callbacks(std::move(callbacks))
{}

OrderService::~OrderService()
{
    m_deps.gateway.setEventHandler({});
    m_journal.reset(); // syncs what is pending; its last callbacks feed the persister
    if (m_persister)   // null when open() failed half-way
        m_persister->stop();
}

Result<std::unique_ptr<OrderService>> OrderService::open(Dependencies dependencies,
                                                         OrderServiceConfig config,
                                                         OrderServiceCallbacks callbacks,
                                                         RecoveryReport *report)
{
    RecoveryReport recovery;
    const EpochDay today = dependencies.clock.now().day();
    std::unique_ptr<OrderService> service(
        new OrderService(std::move(dependencies), std::move(config), std::move(callbacks)));
    OrderService &s = *service;

    // Earlier days first (read only), then today's journal, opened for appending.
    std::vector<OrderEvent> replayed;
    const QString todayFile = OrderJournal::fileFor(s.m_config.journalDirectory, today);
    for (const QString &file : OrderJournal::journalFiles(s.m_config.journalDirectory)) {
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
    s.m_positions.carryForward(replayed, today);
    JournalReplay current;
    auto journal = OrderJournal::open(s.m_config.journalDirectory, today, &current);
    if (!journal)
        return journal.error();
    s.m_journal = std::move(journal.value());
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
    recovery.ordersInBook = s.m_book.size();
    for (const auto &[id, order] : s.m_book)
        if (order.status == OrderStatus::Sent)
            ++recovery.awaitingAcknowledgement;

    s.m_persister = std::make_unique<OrderPersister>(s.m_config.database, s.m_config.persister,
                                                     s.m_callbacks.persistence);
    s.m_persister->enqueue(std::move(replayed));
    s.m_persister->start();
    s.m_journal->setDurableCallback(
        [&s](const std::vector<JournalRecord> &batch) { s.onDurable(batch); });
    s.m_deps.gateway.setEventHandler([&s](const BrokerEvent &e) { s.onBrokerEvent(e); });
    if (recovery.tornBytesCut > 0 || recovery.awaitingAcknowledgement > 0)
        spdlog::warn("order recovery: {} events replayed, {} torn bytes cut, {} orders sent "
                     "but never acknowledged (reconcile them with the broker by client id)",
                     recovery.eventsReplayed, recovery.tornBytesCut,
                     recovery.awaitingAcknowledgement);
    if (report)
        *report = recovery;
    return service;
}

void OrderService::applyToBook(const OrderEvent &e)
{
    if (e.kind == OrderEventKind::Created) {
        OrderState o;
        o.clientOrderId = e.clientOrderId;
        o.parentClientOrderId = e.parentClientOrderId;
        o.sliceIndex = e.sliceIndex;
        o.request = e.request;
        o.contract = e.contract;
        o.createdAtMs = e.timeMs;
        if (!e.parentClientOrderId.empty()) {
            if (auto p = m_book.find(e.parentClientOrderId); p != m_book.end())
                p->second.children.push_back(e.clientOrderId);
        }
        if (m_book.emplace(e.clientOrderId, std::move(o)).second)
            m_bookOrder.push_back(e.clientOrderId);
    }
    auto it = m_book.find(e.clientOrderId);
    if (it == m_book.end()) {
        spdlog::warn("order event {} for unknown order {}", e.sequence, e.clientOrderId);
        return;
    }
    OrderState &o = it->second;
    o.status = e.statusAfter;
    o.filledQuantity = e.filledQuantity;
    o.averagePrice = e.averagePrice;
    if (!e.brokerOrderIds.empty())
        o.brokerOrderIds = e.brokerOrderIds;
    if (!e.reason.empty())
        o.reason = e.reason;
    o.updatedAtMs = e.timeMs;
    o.lastSequence = e.sequence;
    // A sliced parent's fills repeat its children's: positions count each trade once.
    if ((e.kind == OrderEventKind::PartialFill || e.kind == OrderEventKind::Fill) &&
        o.children.empty())
        m_positions.applyFill(o.request.instrumentKey, o.request.side, e.fillQuantity, e.fillPrice,
                              o.contract.qtyMultiplier);
}

Result<std::uint64_t> OrderService::appendLocked(OrderEvent &event)
{
    event.timeMs = m_deps.clock.now().epochMs;
    event.journalId = m_journal->journalId();
    auto sequence = m_journal->append([&event](std::uint64_t seq) {
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
    m_notDurable.push_back(event);
    return sequence;
}

Result<std::uint64_t> OrderService::stepLocked(OrderState &order, OrderEvent event)
{
    auto next = applyOrderEvent(order.status, event.kind);
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

SubmitOutcome OrderService::outcomeLocked(const OrderState &order) const
{
    SubmitOutcome out;
    out.clientOrderId = order.clientOrderId;
    out.status = order.status;
    out.brokerOrderIds = order.brokerOrderIds;
    out.reason = QString::fromStdString(order.reason);
    return out;
}

Result<SubmitOutcome> OrderService::submit(OrderRequest request)
{
    // A trader's id never looks like a slice's ("<parent>.NN"), so the children of a sliced
    // order cannot collide with any order placed under its own id.
    if (!request.clientOrderId.empty()) {
        if (auto valid = checkClientOrderIdForRequest(request.clientOrderId); !valid)
            return valid.error();
    }
    if (auto bounded = checkOrderBounds(request); !bounded)
        return bounded.error();
    if (!request.clientOrderId.empty()) {
        std::unique_lock lock(m_mutex);
        if (auto it = m_book.find(request.clientOrderId); it != m_book.end()) {
            if (it->second.status == OrderStatus::Sent) {
                lock.unlock();
                return send(request.clientOrderId); // a retry: the broker deduplicates
            }
            SubmitOutcome out = outcomeLocked(it->second);
            out.duplicate = true;
            return out;
        }
    }
    if (request.quantity <= 0)
        return Error::make(
            ErrorCode::InvalidArgument,
            QStringLiteral("quantity must be positive (got %1)").arg(request.quantity));
    const std::optional<ContractIdentity> contract = m_deps.lookup(request.instrumentKey);
    if (!contract)
        return Error::make(ErrorCode::NotFound,
                           QStringLiteral("unknown instrument %1")
                               .arg(QString::fromStdString(request.instrumentKey)));
    Verdict verdict = m_deps.validator(request);
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
        return out; // refused in RAM: nothing was written anywhere
    }
    std::vector<std::int64_t> slices = verdict.slices;
    if (slices.empty())
        slices.push_back(request.quantity);
    if (std::accumulate(slices.begin(), slices.end(), std::int64_t{0}) != request.quantity ||
        slices.size() > static_cast<std::size_t>(MaxSlices))
        return Error::make(ErrorCode::Internal,
                           QStringLiteral("the validator's %1 slices do not add up to the "
                                          "quantity %2")
                               .arg(slices.size())
                               .arg(request.quantity));
    const bool sliced = slices.size() > 1;
    if (sliced && !request.clientOrderId.empty()) {
        if (auto c = childClientOrderId(request.clientOrderId, 1); !c)
            return c.error();
    }

    std::string parentId;
    std::uint64_t last = 0;
    {
        std::lock_guard lock(m_mutex);
        OrderEvent created;
        created.kind = OrderEventKind::Created;
        created.statusAfter = OrderStatus::New;
        created.clientOrderId = request.clientOrderId;
        created.request = request;
        created.contract = *contract;
        created.sliceCount = sliced ? static_cast<int>(slices.size()) : 0;
        auto seq = appendLocked(created);
        if (!seq)
            return seq.error();
        parentId = created.clientOrderId;
        for (std::size_t i = 0; sliced && i < slices.size(); ++i) {
            // Unreachable through checkClientOrderIdForRequest, unless an older journal holds a
            // tag of that form: refuse before anything is sent rather than merge two orders.
            const std::string child = childClientOrderId(parentId, static_cast<int>(i) + 1).value();
            if (m_book.contains(child)) {
                OrderEvent rejected;
                rejected.kind = OrderEventKind::Rejected;
                rejected.reason = "slice id " + child + " is already an order of today's journal";
                if (auto r = stepLocked(m_book.at(parentId), rejected); !r)
                    return r.error();
                return Error::make(ErrorCode::Conflict,
                                   QStringLiteral("order %1 not sent: its slice id %2 is already "
                                                  "an order of today's journal")
                                       .arg(qs(parentId), qs(child)));
            }
        }
        OrderState &parent = m_book.at(parentId);
        for (const OrderEventKind kind : {OrderEventKind::Validated, OrderEventKind::Sent}) {
            OrderEvent step;
            step.kind = kind;
            auto s = stepLocked(parent, step);
            if (!s)
                return s.error();
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
            child.parentClientOrderId = parentId;
            child.sliceIndex = static_cast<int>(i) + 1;
            if (auto c = appendLocked(child); !c)
                return c.error();
            OrderState &state = m_book.at(child.clientOrderId);
            for (const OrderEventKind kind : {OrderEventKind::Validated, OrderEventKind::Sent}) {
                OrderEvent step;
                step.kind = kind;
                auto s = stepLocked(state, step);
                if (!s)
                    return s.error();
                last = s.value();
            }
        }
    }
    if (m_config.durability == DurabilityRule::JournalBeforeSend && !m_journal->waitDurable(last)) {
        const Error failure = m_journal->failure().value_or(
            Error::make(ErrorCode::Io, QStringLiteral("the order journal failed")));
        return Error::make(
            ErrorCode::Io,
            QStringLiteral("order %1 not sent: %2").arg(qs(parentId), failure.message));
    }
    Result<SubmitOutcome> out = send(parentId);
    if (out)
        out->issues = std::move(verdict.issues); // the warnings the trader confirmed
    return out;
}

Result<SubmitOutcome> OrderService::send(const std::string &clientOrderId)
{
    PlaceOrderRequest place;
    {
        std::lock_guard lock(m_mutex);
        const OrderState &o = m_book.at(clientOrderId);
        place.order = o.request;
        place.slice = !o.children.empty();
        for (const std::string &child : o.children) {
            place.sliceQuantities.push_back(m_book.at(child).request.quantity);
            place.childClientOrderIds.push_back(child);
        }
    }
    Result<PlaceOrderAck> ack = m_deps.gateway.placeOrder(place);

    std::lock_guard lock(m_mutex);
    OrderState &parent = m_book.at(clientOrderId);
    if (!ack) {
        if (ack.error().code == ErrorCode::Network) {
            // Unknown whether the broker has it: stays Sent; submitting the same client id
            // again retries safely.
            return Error::make(ErrorCode::Network,
                               QStringLiteral("order %1 may not have reached the broker (%2); "
                                              "submit it again with the same client id to retry")
                                   .arg(qs(clientOrderId), ack.error().message));
        }
        std::vector<std::string> ids = parent.children;
        ids.push_back(clientOrderId);
        for (const std::string &id : ids) {
            OrderEvent rejected;
            rejected.kind = OrderEventKind::Rejected;
            rejected.reason = ack.error().message.toStdString();
            if (auto r = stepLocked(m_book.at(id), rejected); !r)
                return r.error();
        }
        return outcomeLocked(m_book.at(clientOrderId));
    }
    if (parent.status == OrderStatus::Sent) {
        const std::vector<std::string> &ids = ack->brokerOrderIds;
        const std::vector<std::string> children = parent.children;
        if ((children.empty() && ids.size() != 1) ||
            (!children.empty() && ids.size() != children.size()))
            spdlog::error("order {}: the broker answered {} order ids for {} slices", clientOrderId,
                          ids.size(), std::max<std::size_t>(1, children.size()));
        OrderEvent acknowledged;
        acknowledged.kind = OrderEventKind::Acknowledged;
        acknowledged.brokerOrderIds = ids;
        acknowledged.reason = ack->note; // "after-market order: waits for ..."
        if (auto r = stepLocked(parent, acknowledged); !r)
            return r.error();
        for (std::size_t i = 0; i < children.size() && i < ids.size(); ++i) {
            OrderEvent child;
            child.kind = OrderEventKind::Acknowledged;
            child.brokerOrderIds = {ids[i]};
            child.reason = ack->note;
            if (auto r = stepLocked(m_book.at(children[i]), child); !r)
                return r.error();
        }
        // Updates that overtook the acknowledgement.
        std::vector<std::string> targets = children;
        targets.push_back(clientOrderId);
        for (const std::string &id : targets) {
            auto early = m_early.find(id);
            if (early == m_early.end())
                continue;
            const std::vector<BrokerEvent> events = std::move(early->second);
            m_early.erase(early);
            for (const BrokerEvent &e : events)
                applyBrokerEventLocked(e);
        }
    }
    SubmitOutcome out = outcomeLocked(m_book.at(clientOrderId));
    out.duplicate = ack->duplicate;
    return out;
}

void OrderService::onBrokerEvent(const BrokerEvent &event)
{
    std::lock_guard lock(m_mutex);
    auto it = m_book.find(event.clientOrderId);
    if (it != m_book.end() && it->second.status == OrderStatus::Sent) {
        m_early[event.clientOrderId].push_back(event);
        return;
    }
    applyBrokerEventLocked(event);
}

void OrderService::applyBrokerEventLocked(const BrokerEvent &e)
{
    auto it = m_book.find(e.clientOrderId);
    if (it == m_book.end()) {
        spdlog::warn("broker update for unknown order {} (broker id {})", e.clientOrderId,
                     e.brokerOrderId);
        return;
    }
    OrderState &order = it->second;
    OrderEvent event;
    switch (e.kind) {
    case BrokerEventKind::Fill: {
        const auto average =
            averageAfter(order.filledQuantity, order.averagePrice, e.quantity, e.price);
        if (!average || e.quantity <= 0) {
            spdlog::error("ignoring a fill of {} @ {} for order {}: outside what an order can "
                          "hold",
                          e.quantity, e.price.raw(), e.clientOrderId);
            return;
        }
        event.fillQuantity = e.quantity;
        event.fillPrice = e.price;
        event.reason = e.reason; // an after-market order says it filled at the open
        event.filledQuantity = order.filledQuantity + e.quantity;
        event.averagePrice = Price::fromRaw(*average);
        event.kind = event.filledQuantity >= order.request.quantity ? OrderEventKind::Fill
                                                                    : OrderEventKind::PartialFill;
        break;
    }
    case BrokerEventKind::Rejected:
        event.kind = OrderEventKind::Rejected;
        event.reason = e.reason;
        break;
    case BrokerEventKind::Cancelled:
        event.kind = OrderEventKind::Cancelled;
        event.reason = e.reason;
        break;
    }
    if (auto r = stepLocked(order, event); !r) {
        spdlog::warn("ignoring broker update: {}", r.error().message.toStdString());
        return;
    }
    const std::string parentId = m_book.at(e.clientOrderId).parentClientOrderId;
    if (parentId.empty())
        return;
    OrderState &parent = m_book.at(parentId);
    if (e.kind == BrokerEventKind::Fill) {
        OrderEvent fill;
        fill.fillQuantity = e.quantity;
        fill.fillPrice = e.price;
        fill.reason = e.reason;
        fill.filledQuantity = parent.filledQuantity + e.quantity;
        // The children's quantities sum to the parent's: if the child's average fit, this does.
        fill.averagePrice = Price::fromRaw(
            averageAfter(parent.filledQuantity, parent.averagePrice, e.quantity, e.price)
                .value_or(0));
        fill.kind = fill.filledQuantity >= parent.request.quantity ? OrderEventKind::Fill
                                                                   : OrderEventKind::PartialFill;
        if (auto r = stepLocked(parent, fill); !r)
            spdlog::warn("{}", r.error().message.toStdString());
    }
    settleParentLocked(parentId);
}

// A sliced parent ends when all its children have: filled if they all filled, otherwise
// cancelled (some quantity may have traded) or rejected (none did and none was cancelled).
void OrderService::settleParentLocked(const std::string &parentId)
{
    OrderState &parent = m_book.at(parentId);
    if (isTerminal(parent.status))
        return;
    bool anyCancelled = false;
    std::string firstReason;
    for (const std::string &child : parent.children) {
        const OrderState &c = m_book.at(child);
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
    if (auto r = stepLocked(parent, end); !r)
        spdlog::warn("{}", r.error().message.toStdString());
}

Result<void> OrderService::cancel(const std::string &clientOrderId)
{
    std::vector<std::string> brokerIds;
    {
        std::lock_guard lock(m_mutex);
        auto it = m_book.find(clientOrderId);
        if (it == m_book.end())
            return Error::make(ErrorCode::NotFound,
                               QStringLiteral("no order %1 today").arg(qs(clientOrderId)));
        const OrderState &o = it->second;
        std::vector<std::string> targets = o.children;
        if (targets.empty())
            targets.push_back(clientOrderId);
        for (const std::string &id : targets) {
            const OrderState &t = m_book.at(id);
            if (!isTerminal(t.status) && !t.brokerOrderIds.empty())
                brokerIds.push_back(t.brokerOrderIds.front());
        }
        if (brokerIds.empty())
            return Error::make(ErrorCode::Conflict,
                               QStringLiteral("order %1 is %2: nothing to cancel")
                                   .arg(qs(clientOrderId), qs(orderStatusName(o.status))));
    }
    for (const std::string &id : brokerIds)
        if (auto r = m_deps.gateway.cancelOrder(id); !r)
            return r;
    return success();
}

void OrderService::onDurable(const std::vector<JournalRecord> &batch)
{
    std::vector<OrderEvent> durable;
    {
        std::lock_guard lock(m_mutex);
        const std::uint64_t upTo = batch.back().sequence;
        while (!m_notDurable.empty() && m_notDurable.front().sequence <= upTo) {
            durable.push_back(std::move(m_notDurable.front()));
            m_notDurable.pop_front();
        }
    }
    if (durable.empty())
        return;
    if (m_callbacks.durableEvents)
        m_callbacks.durableEvents(durable);
    m_persister->enqueue(std::move(durable));
}

std::optional<OrderState> OrderService::order(const std::string &clientOrderId) const
{
    std::lock_guard lock(m_mutex);
    const auto it = m_book.find(clientOrderId);
    if (it == m_book.end())
        return std::nullopt;
    return it->second;
}

std::vector<OrderState> OrderService::orders() const
{
    std::lock_guard lock(m_mutex);
    std::vector<OrderState> out;
    out.reserve(m_bookOrder.size());
    for (const std::string &id : m_bookOrder)
        out.push_back(m_book.at(id));
    return out;
}

std::vector<Position> OrderService::positions(const MarketData *market) const
{
    std::lock_guard lock(m_mutex);
    // Fills journaled before the multiplier was recorded take today's from the instruments.
    return m_positions.positions(market, [this](std::string_view key) -> std::int64_t {
        const std::optional<ContractIdentity> c = m_deps.lookup(key);
        return c ? c->qtyMultiplier : 0;
    });
}

bool OrderService::waitPersisted(std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    if (!m_journal->waitDurable(m_journal->lastSequence()))
        return false;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    return left.count() > 0 && m_persister->waitIdle(left);
}

PersistenceState OrderService::persistence() const
{
    return m_persister->state();
}

JournalStats OrderService::journalStats() const
{
    return m_journal->stats();
}

} // namespace strikeline
