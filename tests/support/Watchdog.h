#pragma once

// The event-loop watchdog: a 5 ms timer on the thread it lives on (the GUI thread) records the
// longest gap between two of its ticks, and how many gaps were over one frame (16 ms). A gap is
// time the thread spent on something else: the figure tst_responsiveness prints and
// bench_desktop reports (docs/PERFORMANCE.md). Not an assertion of speed by itself.

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <algorithm>

namespace strikeline::testing {

class Watchdog final : public QObject
{
public:
    Watchdog()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(5);
        connect(&m_timer, &QTimer::timeout, this, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            const qint64 gap = now - m_lastNs;
            m_longestNs = std::max(m_longestNs, gap);
            if (gap > 16'000'000)
                ++m_over16;
            m_lastNs = now;
            ++m_ticks;
        });
    }
    // Starts (again) from nothing.
    void start()
    {
        m_longestNs = 0;
        m_ticks = 0;
        m_over16 = 0;
        m_lastNs = 0;
        m_clock.start();
        m_timer.start();
    }
    void stop() { m_timer.stop(); }
    double longestMs() const { return static_cast<double>(m_longestNs) / 1.0e6; }
    int ticks() const { return m_ticks; }
    int over16() const { return m_over16; }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_lastNs = 0;
    qint64 m_longestNs = 0;
    int m_ticks = 0;
    int m_over16 = 0;
};

} // namespace strikeline::testing
