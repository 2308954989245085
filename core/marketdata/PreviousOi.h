#pragma once

// The previous session's open interest of every leg of one expiry (Upstox's `prev_oi`, from
// GET /v2/option/chain), kept with the IST day it is the previous close *for*: change in OI is
// OI now minus this, and a restart the same day reads it back instead of asking Upstox again
// (issue 12: "fetched once per expiry per day and kept with that day's date").
//
// One small JSON file per (underlying, expiry, day) in a folder of its own, written atomically
// (QSaveFile). Disk I/O: call it from a worker thread, never the GUI thread.

#include "common/IstTime.h"
#include "common/Result.h"

#include <QString>

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace strikeline::marketdata {

struct PreviousOi
{
    QString underlyingKey; // "NSE_INDEX|Nifty 50"
    EpochDay expiry = NoDay;
    EpochDay tradingDay = NoDay;            // the day whose change in OI this is the base of
    std::map<std::string, std::int64_t> oi; // instrument key -> OI at the previous close
};

class PreviousOiStore final
{
public:
    explicit PreviousOiStore(QString directory);

    // nullopt when nothing was kept for that day (an older day's file is not this day's base).
    Result<std::optional<PreviousOi>> load(const QString &underlyingKey, EpochDay expiry,
                                           EpochDay tradingDay) const;
    Result<void> save(const PreviousOi &previous) const;
    // Deletes the files of trading days before `day`; returns how many went.
    int forgetBefore(EpochDay day) const;

    QString filePath(const QString &underlyingKey, EpochDay expiry, EpochDay tradingDay) const;

private:
    QString m_directory;
};

} // namespace strikeline::marketdata
