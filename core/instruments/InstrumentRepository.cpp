#include "InstrumentRepository.h"

namespace strikeline {

InstrumentRepository::InstrumentRepository(QObject *parent)
    : QObject(parent)
    , m_current(SnapshotBuilder().build(MasterInfo{}))
{
    qRegisterMetaType<SnapshotPtr>();
}

InstrumentRepository::~InstrumentRepository() = default;

void InstrumentRepository::publish(SnapshotPtr snapshot)
{
    if (!snapshot)
        return;
    m_current.store(snapshot, std::memory_order_release);
    m_loaded.store(true, std::memory_order_release);
    Q_EMIT snapshotPublished(std::move(snapshot));
}

} // namespace strikeline
