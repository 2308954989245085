#pragma once

// Background threads owned so that no worker outlives its owner: the desktop's (instrument
// loading, sync, sync history) and the headless services' (the network client's). Core, not ui:
// the CLI and the local API use them too.

#include <QString>

#include <memory>

class QThread;

namespace strikeline {

// Quits a worker thread's event loop and waits for it before deleting it, so no worker outlives
// its owner (qBittorrent's Utils::Thread::UniquePtr).
struct ThreadDeleter
{
    void operator()(QThread *thread) const;
};
using ThreadPtr = std::unique_ptr<QThread, ThreadDeleter>;

// Names a thread: its objectName, which Qt hands to the operating system when the thread starts
// (so top -H, gdb and perf show "strikeline-net", not "QThread"). Before start() only.
void nameThread(QThread &thread, const QString &name);

// A new, named, not yet started thread.
ThreadPtr makeNamedThread(const QString &name);

// Starts `thread` so that it (and the threads it starts: a download's, the snapshot builder's)
// yields to the GUI thread when the cores are busy. QThread::LowPriority does nothing under
// Linux's default scheduler (SCHED_OTHER has one static priority); a thread's nice value does,
// so the thread raises its own as the first thing it does.
void startBackgroundThread(QThread &thread);

} // namespace strikeline
