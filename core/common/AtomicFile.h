#pragma once

// Writes a whole file so that a reader sees the old bytes or the new, never half (QSaveFile: a
// temporary beside it, renamed over it on commit), creating its folder. Disk I/O: a worker
// thread's job in the desktop.

#include "common/Result.h"

#include <QByteArray>
#include <QString>

namespace strikeline {

Result<void> writeFileAtomically(const QString &path, const QByteArray &bytes);

} // namespace strikeline
