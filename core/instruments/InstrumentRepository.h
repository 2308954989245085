#pragma once

#include "InstrumentSnapshot.h"

#include <QObject>

#include <atomic>
#include <memory>

namespace strikeline {

// Holds the current snapshot. Readers take a SnapshotPtr (one atomic load) and then work on an
// immutable object with no locks; a rebuild publishes a whole new snapshot in one atomic store,
// so no reader ever sees half of one. Old snapshots die with their last reader.
class InstrumentRepository final : public QObject
{
    Q_OBJECT
public:
    explicit InstrumentRepository(QObject *parent = nullptr);
    ~InstrumentRepository() override;

    // Never null: an empty snapshot until the first publish.
    SnapshotPtr snapshot() const { return m_current.load(std::memory_order_acquire); }
    bool isLoaded() const { return m_loaded.load(std::memory_order_acquire); }

    // Thread-safe; emits snapshotPublished (queued to receivers in other threads).
    void publish(SnapshotPtr snapshot);

Q_SIGNALS:
    void snapshotPublished(strikeline::SnapshotPtr snapshot);

private:
    std::atomic<SnapshotPtr> m_current;
    std::atomic_bool m_loaded{false};
};

} // namespace strikeline

Q_DECLARE_METATYPE(strikeline::SnapshotPtr)
