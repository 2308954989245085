#include "SerialExecutor.h"

#include <pthread.h>

namespace strikeline {

SerialExecutor::SerialExecutor(std::string name)
    : m_name(std::move(name))
    , m_thread([this] { run(); })
{}

SerialExecutor::~SerialExecutor()
{
    stop();
}

bool SerialExecutor::post(Task task)
{
    return postAfter(std::chrono::milliseconds(0), std::move(task));
}

bool SerialExecutor::postAfter(std::chrono::milliseconds delay, Task task)
{
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping)
            return false;
        m_tasks.emplace(std::pair{std::chrono::steady_clock::now() + delay, m_posted++},
                        std::move(task));
    }
    m_wake.notify_one();
    return true;
}

std::size_t SerialExecutor::pending() const
{
    std::lock_guard lock(m_mutex);
    return m_tasks.size();
}

void SerialExecutor::stop()
{
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping && !m_thread.joinable())
            return;
        m_stopping = true;
    }
    m_wake.notify_one();
    if (m_thread.joinable())
        m_thread.join();
}

void SerialExecutor::run()
{
    // Linux limits a thread's name to 15 characters.
    pthread_setname_np(pthread_self(), m_name.substr(0, 15).c_str());
    std::unique_lock lock(m_mutex);
    for (;;) {
        const auto now = std::chrono::steady_clock::now();
        if (!m_tasks.empty() && m_tasks.begin()->first.first <= now) {
            Task task = std::move(m_tasks.begin()->second);
            m_tasks.erase(m_tasks.begin());
            lock.unlock();
            task();
            task = nullptr; // what it captured goes outside the lock too
            lock.lock();
            continue;
        }
        if (m_stopping)
            return; // what is left is not due yet: dropped
        if (m_tasks.empty())
            m_wake.wait(lock);
        else
            m_wake.wait_until(lock, m_tasks.begin()->first.first);
    }
}

} // namespace strikeline
