#pragma once

#include <QDateTime>
#include <QString>

#include <cstdint>

namespace strikeline {

// This machine's name and this process's id, as recorded by whatever a process owns for a
// while (a sync run): another process on the same machine can then tell whether the owner is
// still alive.
QString thisHostName();
std::int64_t thisProcessId();

// True when no live process `pid` on this machine can be the one that started owning something
// at `ownedSince`: there is no such process, it is a zombie, or (Linux) it started after
// `ownedSince`, so the id was reused. False when in doubt.
bool processIsGone(std::int64_t pid, const QDateTime &ownedSince);

} // namespace strikeline
