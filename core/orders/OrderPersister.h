#pragma once

// The writer thread between the order journal and the database. It owns its own connection
// (opened in its thread), takes journaled events from a queue and writes them in batches, one
// transaction each. The UI never waits on it: when the database is away it keeps the backlog in
// memory (the journal on disk holds it too, so a dying process loses nothing), reports
// Delayed{backlog, lastError}, retries with backoff and drains when the database returns.

#include "orders/OrderEvent.h"
#include "storage/DatabaseConfig.h"

#include <QString>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace strikeline {

struct PersistenceState
{
    enum class Kind : std::uint8_t { Healthy, Delayed };
    Kind kind = Kind::Healthy;
    std::size_t backlog = 0; // events not yet in the database
    QString lastError;       // why, while Delayed

    bool operator==(const PersistenceState &) const = default;
};

struct PersisterOptions
{
    std::size_t maxBatch = 2000;
    std::chrono::milliseconds firstRetry{50};
    std::chrono::milliseconds maxRetry{2000};
    // Connection name suffix in logs and pg_stat_activity.
    QString purpose = QStringLiteral("orders");
};

struct PersisterStats
{
    std::uint64_t eventsWritten = 0;
    std::uint64_t eventsSkipped = 0; // already stored (a replay)
    std::uint64_t batches = 0;
    std::uint64_t failures = 0;
};

class OrderPersister final
{
public:
    using StateCallback = std::function<void(const PersistenceState &)>;

    // The callback runs on the persister thread on every change of kind (and of lastError).
    OrderPersister(DatabaseConfig config, PersisterOptions options, StateCallback onState);
    ~OrderPersister(); // stops the thread; a backlog left is in the journal for the next start

    void start();
    // Stops after the batch in progress. Waits up to `drain` for the backlog to empty first.
    void stop(std::chrono::milliseconds drain = std::chrono::milliseconds(0));

    // Thread-safe; events must come in journal order.
    void enqueue(std::vector<OrderEvent> events);
    // Blocks until everything enqueued so far is in the database or `timeout` passes. Returns
    // false at once while the database refuses the backlog as conflicting (an event identity
    // stored with other content): waiting would not help; state().lastError says why.
    bool waitIdle(std::chrono::milliseconds timeout);

    PersistenceState state() const;
    PersisterStats stats() const;
    bool conflicted() const; // the last batch was refused as conflicting (see waitIdle)

    OrderPersister(const OrderPersister &) = delete;
    OrderPersister &operator=(const OrderPersister &) = delete;

private:
    void run();
    void setState(PersistenceState state);

    const DatabaseConfig m_config;
    const PersisterOptions m_options;
    const StateCallback m_onState;

    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_idle;
    std::deque<OrderEvent> m_queue;
    bool m_busy = false;       // a batch is being written
    bool m_conflicted = false; // the last batch failed with a Conflict (retried all the same)
    bool m_stopping = false;
    PersistenceState m_state;
    PersisterStats m_stats;
    std::thread m_thread;
};

} // namespace strikeline
