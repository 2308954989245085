#pragma once

// The order path: ticket -> RAM lookup -> validate -> journal -> gateway -> broker's answer ->
// database in the background. The service runs on a thread of its own ("strikeline-orders"):
// submit, modify and cancel post there and return at once; what follows arrives as callbacks
// (the outcome once the order is journaled and handed to its gateway) and as batches of durable
// events (durableEvents). Nothing a caller does waits on a disk, a network or the database.
// The write-ahead rule: an order is on disk before it reaches a gateway (docs/orders-flow.md).
//
// Gateways are asynchronous (orders/BrokerGateway.h): their replies, order updates and trades
// come back as events and are applied on the service's thread through the lifecycle table
// (orders/OrderLifecycle.h). Idempotency is ours: the client order id is the broker's tag; a
// place without an answer is looked up by tag, a bounded number of times, and then marked lost:
// never sent again. After a gateway's stream (re)connects, its book and trades are fetched and
// reconciled before further updates are applied.

#include "orders/BrokerGateway.h"
#include "orders/OrderEvent.h"
#include "orders/OrderJournal.h"
#include "orders/OrderPersister.h"
#include "orders/PositionBook.h"
#include "storage/DatabaseConfig.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
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
    // A place whose answer was lost is looked up by tag after each of these delays; when the
    // last lookup still finds nothing the order is marked lost (never sent again).
    std::vector<std::chrono::milliseconds> tagLookupDelays{
        std::chrono::seconds(1), std::chrono::seconds(3), std::chrono::seconds(10)};
    // A place the broker refused as rate limited (429: not taken) is sent again, at most this
    // many times, each after its delay (growing: the n-th waits n x the delay) and only once a
    // lookup of its tag found nothing: never blind.
    int rateLimitRetries = 5;
    std::chrono::milliseconds rateLimitRetryDelay{std::chrono::seconds(1)};
    // While a broker venue has working orders, its book and trades are fetched and reconciled
    // this often (0: never): an update stream can go quiet while still answering pings (a mute
    // server cannot be told from a quiet account), and this bounds how long a missed fill or
    // cancel stays unseen. Updates are held while the book is fetched, as on a reconnect.
    std::chrono::milliseconds reconcileEvery{std::chrono::seconds(30)};
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
    Venue venue = Venue::Paper;
    bool external = false;  // placed elsewhere (the broker's app or web)
    bool triggered = false; // a stop order whose trigger fired
    std::string
        brokerStatus; // the broker's own status string, verbatim (may be one we do not know)
    // A modification on its way (PendingModify): the order's new type, validity, quantity,
    // price and trigger. The order works as `request` until the broker confirms it.
    std::optional<OrderRequest> pendingModification;
    std::set<std::string> tradeIds;  // the exchange trade ids seen: a trade counts once
    std::int64_t tradedQuantity = 0; // the quantity of those trades
    std::int64_t createdAtMs = 0;
    std::int64_t updatedAtMs = 0;
    std::uint64_t lastSequence = 0;

    // Where a confirmed or refused modify or cancel goes back to (OrderTransition::toWorking).
    OrderStatus workingStatus() const;
};

// What a modification changes; absent fields stay as they are.
struct OrderModification
{
    std::optional<OrderType> type;
    std::optional<Validity> validity;
    std::optional<std::int64_t> quantity;
    std::optional<Price> price;
    std::optional<Price> trigger;
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
    // A gateway's update stream changed state (LIVE, RECONNECTING ...); on the order thread.
    std::function<void(Venue, const GatewayStatus &)> stream;
};

struct OrderServiceStats
{
    std::uint64_t updatesApplied = 0;
    std::uint64_t updatesIgnored = 0; // changed nothing: duplicates, updates older than ours
    std::uint64_t illegalPairs = 0;   // a step the lifecycle table does not allow (logged)
    std::uint64_t tradesDuplicate = 0;
    std::uint64_t tagLookups = 0;
    std::uint64_t ordersLost = 0;
    std::uint64_t externalOrders = 0;
    std::uint64_t reconciliations = 0;
    std::uint64_t rateLimitedPlaces =
        0; // places refused as rate limited, then looked up and resent
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
        // One per venue; the paper gateway at least. Each outlives the service.
        std::vector<BrokerGateway *> gateways;
        const Clock &clock;
    };
    using SubmitCallback = std::function<void(Result<SubmitOutcome>)>;
    using ActionCallback = std::function<void(Result<void>)>;

    // The composition point. Opens today's journal, rebuilds the book from it, starts the
    // persister and hands it every journaled event of every day (recovery: the stored ones are
    // skipped by journal sequence), starts the order thread and, for every order the journal
    // sent that was never answered, looks its tag up at its gateway.
    static Result<std::unique_ptr<OrderService>> open(Dependencies dependencies,
                                                      OrderServiceConfig config,
                                                      OrderServiceCallbacks callbacks = {},
                                                      RecoveryReport *report = nullptr);
    ~OrderService();

    // Places an order, from any thread; returns at once. `done` runs on the order thread once
    // the order is journaled and handed to its gateway (status Sent), or refused (Rejected with
    // the validator's issues; an error when nothing was accepted: unknown contract, malformed
    // id, journal failure, no gateway for its venue). Idempotent on request.clientOrderId: a
    // known id returns that order and places nothing, ever (a lost answer is resolved by tag).
    void submitAsync(OrderRequest request, SubmitCallback done = {});
    // Modifies a working order (F2 in the orders panel): validated like a new order, journaled,
    // then sent. `done` as for submitAsync (the order is then PendingModify).
    void modifyAsync(const std::string &clientOrderId, OrderModification change,
                     SubmitCallback done = {});
    // Cancels a working order (a sliced one: all its working slices). `done` once the cancel is
    // journaled and sent (PendingCancel); the broker confirms it as an event.
    void cancelAsync(const std::string &clientOrderId, ActionCallback done = {});
    // Cancels every working order (of one venue, or all); `done` with how many were asked.
    void cancelAllAsync(std::optional<Venue> venue,
                        std::function<void(std::size_t cancelled)> done = {});
    // Fetches a gateway's book and trades and reconciles them with the journal.
    void reconcile(Venue venue);
    // The same, blocking until the book and trades are applied; an error with the broker's
    // answer when the fetch failed, or when nothing came within `timeout` (the fetch is then
    // retried in the background). For the CLI; never from the GUI thread or the order thread.
    Result<void> reconcileNow(Venue venue,
                              std::chrono::milliseconds timeout = std::chrono::seconds(15));

    // The same, blocking until the broker answered (or `brokerWait` passed: the order may still
    // be Sent). For the CLI, scripts and tests; never from the GUI thread or the order thread.
    Result<SubmitOutcome> submit(OrderRequest request,
                                 std::chrono::milliseconds brokerWait = std::chrono::seconds(15));
    Result<SubmitOutcome> modify(const std::string &clientOrderId, OrderModification change,
                                 std::chrono::milliseconds brokerWait = std::chrono::seconds(15));
    Result<void> cancel(const std::string &clientOrderId,
                        std::chrono::milliseconds brokerWait = std::chrono::seconds(15));
    // Blocks until the order has an answer for what was last asked of it (it is not Sent,
    // PendingModify or PendingCancel), or `timeout` passes. False on timeout.
    bool waitSettled(const std::string &clientOrderId, std::chrono::milliseconds timeout) const;

    std::optional<OrderState> order(const std::string &clientOrderId) const;
    std::vector<OrderState> orders() const; // today's, in creation order
    // Positions folded from the journaled fills of one venue: today's, plus carry-forward
    // (product D) positions of contracts not yet expired from earlier days' journals. Rebuilt by
    // open(), so the same after a restart or a crash. Priced by `market` when given.
    std::vector<Position> positions(const MarketData *market = nullptr,
                                    Venue venue = Venue::Paper) const;
    std::optional<GatewayStatus> streamStatus(Venue venue) const;
    bool hasGateway(Venue venue) const;
    PersistenceState persistence() const;
    OrderServiceStats stats() const;
    // Blocks until every event appended so far is durable in the journal and stored in the
    // database, or `timeout` passes. For shutdown, tests and benchmarks; never on the UI path.
    bool waitPersisted(std::chrono::milliseconds timeout);
    // Blocks until the order thread has run everything posted before this call.
    void drain() const;
    JournalStats journalStats() const;
    OrderPersister &persister();
    OrderJournal &journal();

    OrderService(const OrderService &) = delete;
    OrderService &operator=(const OrderService &) = delete;

private:
    struct Impl;
    explicit OrderService(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> d;
};

} // namespace strikeline
