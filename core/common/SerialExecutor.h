#pragma once

// One named thread that runs tasks one at a time, in the order they were posted (delayed tasks
// when they are due). The order service's thread: its state is touched by this thread only, so
// the order path needs no lock held across a disk, a network or a database.
//
// Tasks must not throw (no exception crosses a thread: they return Results). A task posted after
// stop() began is dropped; stop() runs what is already due, then joins.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace strikeline {

class SerialExecutor final
{
public:
    using Task = std::function<void()>;

    explicit SerialExecutor(std::string name);
    ~SerialExecutor(); // stop()
    SerialExecutor(const SerialExecutor &) = delete;
    SerialExecutor &operator=(const SerialExecutor &) = delete;

    // False once stopping (the task was dropped).
    bool post(Task task);
    bool postAfter(std::chrono::milliseconds delay, Task task);
    // Runs the tasks that are due now, drops the delayed ones not yet due, joins the thread.
    // Idempotent; must not be called from the executor's own thread.
    void stop();
    bool isCurrentThread() const { return std::this_thread::get_id() == m_thread.get_id(); }
    // Tasks queued and not yet run (due or delayed), for tests and the status bar.
    std::size_t pending() const;

private:
    void run();

    const std::string m_name;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    // Due time, then post order: tasks with the same due time run in the order posted.
    std::multimap<std::pair<std::chrono::steady_clock::time_point, std::uint64_t>, Task> m_tasks;
    std::uint64_t m_posted = 0;
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace strikeline
