#pragma once

// A fresh install browses chains offline at once: an empty database gets a generated demo
// master imported (labelled as demo data until a real sync). The desktop's MasterLoader and
// strikeline-cli's default database both go through here.
//
// The demo master is generated on first run rather than shipped in the package: the generator
// dates its contracts from `today` (weeklies, monthlies and quarterlies still to come), so a
// master built at packaging time would already be partly expired when installed, and the
// ~125k rows take a second or two to write.

#include "common/IstTime.h"
#include "common/Result.h"

#include <QString>

#include <atomic>
#include <cstdint>
#include <functional>

namespace strikeline {

class Database;

inline constexpr std::int64_t DemoMasterRows = 125000;
inline constexpr std::uint64_t DemoMasterSeed = 1;

enum class FirstRunStage {
    GeneratingDemo, // writing the demo master file (no byte progress)
    ImportingDemo,  // syncing it into the database (byte progress while reading)
};

struct FirstRunOptions
{
    QString dataDir;        // where demo-master-<today>.json.gz is (or will be) written
    EpochDay today = NoDay; // the demo master's date (from the caller's clock)
    std::int64_t rows = DemoMasterRows;
    const std::atomic_bool *cancel = nullptr;
    std::function<void(FirstRunStage)> stage;                 // on the calling thread
    std::function<void(std::int64_t, std::int64_t)> progress; // bytes read, total bytes
};

struct FirstRunResult
{
    bool importedDemo = false; // the database was empty and now holds the demo master
    std::int64_t activeRows = 0;
    QString demoMasterPath; // set when importedDemo
};

// demo-master-<YYYY-MM-DD>.json.gz in `dataDir`: the name Hydrator recognises as demo data.
QString demoMasterPath(const QString &dataDir, EpochDay today);

// Writes today's demo master unless a file is already there, and removes older days' demo
// masters from the folder. Returns the path.
Result<QString> ensureDemoMasterFile(const FirstRunOptions &options);

// Makes sure `db` holds a master: if it has no active instruments, generates (or reuses) today's
// demo master and imports it with syncInstruments. A demo file that exists but does not import
// (a crash cut it short, an older generator wrote it) is ours: it is made again once. Runs on
// the calling thread; `db` must have been opened there.
Result<FirstRunResult> ensureMaster(Database &db, const FirstRunOptions &options);

} // namespace strikeline
