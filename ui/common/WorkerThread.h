#pragma once

// The desktop's background threads (instrument loading, sync, sync history): owned so that no
// worker outlives its owner, and polite to the GUI thread when the cores are busy.

#include <memory>

class QThread;

namespace strikeline::ui {

// Quits a worker thread's event loop and waits for it before deleting it, so no worker outlives
// its owner (qBittorrent's Utils::Thread::UniquePtr).
struct ThreadDeleter
{
    void operator()(QThread *thread) const;
};
using ThreadPtr = std::unique_ptr<QThread, ThreadDeleter>;

// Starts `thread` so that it (and the threads it starts: a download's, the snapshot builder's)
// yields to the GUI thread when the cores are busy. QThread::LowPriority does nothing under
// Linux's default scheduler (SCHED_OTHER has one static priority); a thread's nice value does,
// so the thread raises its own as the first thing it does.
void startBackgroundThread(QThread &thread);

} // namespace strikeline::ui
