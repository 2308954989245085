#include "OrderPersister.h"

#include "orders/OrderStore.h"
#include "storage/Database.h"

#include <spdlog/spdlog.h>

namespace strikeline {

OrderPersister::OrderPersister(DatabaseConfig config, PersisterOptions options,
                               StateCallback onState)
    : m_config(std::move(config))
    , m_options(std::move(options))
    , m_onState(std::move(onState))
{}

OrderPersister::~OrderPersister()
{
    stop();
}

void OrderPersister::start()
{
    std::lock_guard lock(m_mutex);
    if (m_thread.joinable())
        return;
    m_stopping = false;
    m_thread = std::thread([this] { run(); });
}

void OrderPersister::stop(std::chrono::milliseconds drain)
{
    if (drain.count() > 0)
        (void)waitIdle(drain);
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

void OrderPersister::enqueue(std::vector<OrderEvent> events)
{
    if (events.empty())
        return;
    {
        std::lock_guard lock(m_mutex);
        for (OrderEvent &e : events)
            m_queue.push_back(std::move(e));
        if (m_state.kind == PersistenceState::Kind::Delayed)
            m_state.backlog = m_queue.size();
    }
    m_wake.notify_one();
}

bool OrderPersister::waitIdle(std::chrono::milliseconds timeout)
{
    std::unique_lock lock(m_mutex);
    m_idle.wait_for(lock, timeout, [&] { return (m_queue.empty() && !m_busy) || m_conflicted; });
    return m_queue.empty() && !m_busy;
}

PersistenceState OrderPersister::state() const
{
    std::lock_guard lock(m_mutex);
    return m_state;
}

bool OrderPersister::conflicted() const
{
    std::lock_guard lock(m_mutex);
    return m_conflicted;
}

PersisterStats OrderPersister::stats() const
{
    std::lock_guard lock(m_mutex);
    return m_stats;
}

void OrderPersister::setState(PersistenceState state)
{
    bool changed = false;
    {
        std::lock_guard lock(m_mutex);
        changed = state.kind != m_state.kind || state.lastError != m_state.lastError;
        m_state = state;
    }
    if (changed) {
        if (state.kind == PersistenceState::Kind::Delayed)
            spdlog::warn("order persistence delayed ({} events waiting): {}", state.backlog,
                         state.lastError.toStdString());
        else
            spdlog::info("order persistence healthy again");
        if (m_onState)
            m_onState(state);
    }
}

void OrderPersister::run()
{
    std::unique_ptr<Database> db;
    std::chrono::milliseconds backoff = m_options.firstRetry;
    for (;;) {
        std::vector<OrderEvent> batch;
        {
            std::unique_lock lock(m_mutex);
            m_busy = false;
            if (m_queue.empty())
                m_idle.notify_all();
            m_wake.wait(lock, [&] { return !m_queue.empty() || m_stopping; });
            if (m_stopping)
                return;
            const std::size_t n = std::min(m_options.maxBatch, m_queue.size());
            batch.assign(m_queue.begin(), m_queue.begin() + static_cast<std::ptrdiff_t>(n));
            m_busy = true;
        }
        Result<StoreBatchResult> written = Error::make(ErrorCode::Database, QString());
        if (!db) {
            auto opened = Database::open(m_config, m_options.purpose);
            if (opened)
                db = std::move(opened.value());
            else
                written = opened.error();
        }
        if (db) {
            written = OrderStore::applyBatch(*db, batch);
            if (!written)
                db.reset(); // a dead connection is reopened on the next try
        }
        if (written) {
            std::size_t backlog = 0;
            {
                std::lock_guard lock(m_mutex);
                m_queue.erase(m_queue.begin(),
                              m_queue.begin() + static_cast<std::ptrdiff_t>(batch.size()));
                backlog = m_queue.size();
                ++m_stats.batches;
                m_conflicted = false;
                m_stats.eventsWritten += written->eventsWritten;
                m_stats.eventsSkipped += written->eventsSkipped;
            }
            backoff = m_options.firstRetry;
            if (state().kind == PersistenceState::Kind::Delayed && backlog == 0)
                setState({PersistenceState::Kind::Healthy, 0, {}});
            else if (state().kind == PersistenceState::Kind::Delayed)
                setState({PersistenceState::Kind::Delayed, backlog, state().lastError});
            continue;
        }
        std::size_t backlog = 0;
        const bool conflicted = written.error().code == ErrorCode::Conflict;
        {
            std::lock_guard lock(m_mutex);
            ++m_stats.failures;
            backlog = m_queue.size();
        }
        setState({PersistenceState::Kind::Delayed, backlog, written.error().message});
        {
            std::lock_guard lock(m_mutex);
            m_conflicted = conflicted; // after setState: a waiter woken by it reads lastError
        }
        if (conflicted)
            m_idle.notify_all();
        std::unique_lock lock(m_mutex);
        m_wake.wait_for(lock, backoff, [&] { return m_stopping; });
        if (m_stopping)
            return;
        backoff = std::min(backoff * 2, m_options.maxRetry);
    }
}

} // namespace strikeline
