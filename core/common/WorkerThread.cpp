#include "WorkerThread.h"

#include <QThread>

#ifdef Q_OS_LINUX
#include <cerrno>
#include <cstring>
#include <sys/resource.h>
#include <unistd.h>
#endif

namespace strikeline {

namespace {

void yieldToTheGuiThread()
{
#ifdef Q_OS_LINUX
    errno = 0;
    if (setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 10) != 0)
        qWarning("could not lower the priority of the thread '%s': %s",
                 qPrintable(QThread::currentThread()->objectName()), strerror(errno));
#endif
}

} // namespace

void ThreadDeleter::operator()(QThread *thread) const
{
    thread->quit();
    thread->wait();
    delete thread;
}

void nameThread(QThread &thread, const QString &name)
{
    thread.setObjectName(name);
}

ThreadPtr makeNamedThread(const QString &name)
{
    ThreadPtr thread(new QThread);
    nameThread(*thread, name);
    return thread;
}

void startBackgroundThread(QThread &thread)
{
    QObject::connect(&thread, &QThread::started, &thread, &yieldToTheGuiThread,
                     Qt::DirectConnection);
    thread.start(QThread::LowPriority);
}

} // namespace strikeline
