#pragma once

// The order path: ticket -> RAM lookup -> validate -> journal -> broker -> acknowledgement ->
// database in the background. The caller never waits on the database; by default it waits on
// one group-committed fdatasync of the journal before the order is sent (the write-ahead rule,
// docs/orders-flow.md). Today's orders live in RAM (the book) for the UI.

#include "orders/PaperBroker.h"
#include "orders/OrderEvent.h"
#include "orders/OrderJournal.h"
#include "orders/OrderPersister.h"
#include "orders/PositionBook.h"
#include "storage/DatabaseConfig.h"

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace strikeline {

class Clock;
class InstrumentRepository;
class MarketData;

using ContractLookup = std::function<std::optional<ContractIdentity>(std::string_view key)>;
using ValidateOrder = std::function<Verdict(const OrderRequest &)>;

// The contract identity from the current instrument snapshot (a RAM lookup).
ContractLookup contractLookupFor(const InstrumentRepository &repository);

enum class DurabilityRule : std::uint8_t {
    // The accepted order is on disk before it reaches the broker: after a crash the journal
    // knows every order the broker may have. Costs one fdatasync (group-committed) per submit.
    JournalBeforeSend,
    // Send first, journal in the background: the broker acknowledges sooner, but an order sent
    // just before a crash exists only at the broker (reconcile by client order id / tag).
    SendThenJournal,
};

struct OrderServiceConfig
{
    QString journalDirectory;
    DatabaseConfig database;
    DurabilityRule durability = DurabilityRule::JournalBeforeSend;
    PersisterOptions persister;
};

// One order as the UI sees it: the book's row.
struct OrderState
{
    std::string clientOrderId;
    std::string parentClientOrderId;
    int sliceIndex = 0;
    std::vector<std::string> children; // a sliced parent's child ids
    OrderRequest request;
    ContractIdentity contract;
    OrderStatus status = OrderStatus::New;
    std::vector<std::string> brokerOrderIds;
    std::int64_t filledQuantity = 0;
    Price averagePrice;
    std::string reason; // rejection / cancellation
    std::int64_t createdAtMs = 0;
    std::int64_t updatedAtMs = 0;
    std::uint64_t lastSequence = 0;
};

struct SubmitOutcome
{
    std::string clientOrderId;
    OrderStatus status = OrderStatus::New; // Rejected: see issues / reason
    std::vector<std::string> brokerOrderIds;
    std::vector<ValidationIssue> issues; // the validator's findings (warnings when accepted)
    QString reason;                      // why it was rejected
    bool duplicate = false;              // the client order id was known: nothing new placed
};

struct OrderServiceCallbacks
{
    // Events once they are durable in the journal, in order; on the journal thread (a Qt UI
    // queues them to its thread). An order is "acknowledged" to the trader from here.
    std::function<void(const std::vector<OrderEvent> &)> durableEvents;
    // Persistence health ("persistence delayed"); on the persister thread.
    std::function<void(const PersistenceState &)> persistence;
};

struct RecoveryReport
{
    std::size_t journalFiles = 0;
    std::size_t eventsReplayed = 0; // handed to the persister (the stored ones are skipped)
    std::size_t ordersInBook = 0;   // today's
    std::size_t awaitingAcknowledgement = 0; // sent before a crash, never acknowledged
    qint64 tornBytesCut = 0;
};

class OrderService final
{
public:
    struct Dependencies
    {
        ContractLookup lookup;
        ValidateOrder validator;
        SyncGateway &gateway;
        const Clock &clock;
    };

    // The composition point. Opens today's journal, rebuilds the book from it, starts the
    // persister and hands it every journaled event of every day (recovery: the stored ones
    // are skipped by journal sequence).
    static Result<std::unique_ptr<OrderService>> open(Dependencies dependencies,
                                                      OrderServiceConfig config,
                                                      OrderServiceCallbacks callbacks = {},
                                                      RecoveryReport *report = nullptr);
    ~OrderService();

    // Places an order. Idempotent on request.clientOrderId: a known id returns that order and
    // places nothing (an order still waiting for its acknowledgement after a failed send is
    // sent again with the same id, which the broker deduplicates). An error means nothing was
    // accepted (unknown contract, malformed id, journal failure).
    Result<SubmitOutcome> submit(OrderRequest request);
    Result<void> cancel(const std::string &clientOrderId);

    std::optional<OrderState> order(const std::string &clientOrderId) const;
    std::vector<OrderState> orders() const; // today's, in creation order
    // Positions folded from the journaled fills: today's, plus carry-forward (product D)
    // positions of contracts not yet expired from earlier days' journals. Rebuilt by open(), so
    // the same after a restart or a crash. Priced by `market` when given.
    std::vector<Position> positions(const MarketData *market = nullptr) const;
    PersistenceState persistence() const;
    // Blocks until every event appended so far is durable in the journal and stored in the
    // database, or `timeout` passes. For shutdown, tests and benchmarks; never on the UI path.
    bool waitPersisted(std::chrono::milliseconds timeout);
    JournalStats journalStats() const;
    OrderPersister &persister() { return *m_persister; }
    OrderJournal &journal() { return *m_journal; }

    OrderService(const OrderService &) = delete;
    OrderService &operator=(const OrderService &) = delete;

private:
    OrderService(Dependencies dependencies, OrderServiceConfig config,
                 OrderServiceCallbacks callbacks);
    Result<std::uint64_t> appendLocked(OrderEvent &event);
    Result<std::uint64_t> stepLocked(OrderState &order, OrderEvent event);
    void applyToBook(const OrderEvent &event);
    void onBrokerEvent(const BrokerEvent &event);
    void applyBrokerEventLocked(const BrokerEvent &event);
    void settleParentLocked(const std::string &parentId);
    void onDurable(const std::vector<JournalRecord> &batch);
    Result<SubmitOutcome> send(const std::string &clientOrderId);
    SubmitOutcome outcomeLocked(const OrderState &order) const;

    Dependencies m_deps;
    const OrderServiceConfig m_config;
    const OrderServiceCallbacks m_callbacks;
    std::unique_ptr<OrderJournal> m_journal;
    std::unique_ptr<OrderPersister> m_persister;

    mutable std::mutex m_mutex;
    std::unordered_map<std::string, OrderState> m_book;
    std::vector<std::string> m_bookOrder;
    PositionBook m_positions;            // from the fills applied to the book
    std::deque<OrderEvent> m_notDurable; // appended, waiting for the journal's sync
    std::unordered_map<std::string, std::vector<BrokerEvent>> m_early; // before their ack
};

} // namespace strikeline
