#pragma once

// The local kill switch (issue 13, "a local kill switch"): while it is on, the validator refuses
// every new order (`trading_halted`) before anything is journaled or sent, from the ticket and
// the CLI alike (and from the local API's order routes when part 3 adds them: everything that
// places an order validates through OrderValidator). Cancelling is not an order and still goes.
//
// The state lives in a small JSON file in the data folder, so `strikeline-cli halt` in a shell
// stops the desktop as well. A process reads the file into a KillSwitch: an immutable value
// behind an atomic pointer, which is what the order path reads (never the disk). The file I/O
// (readHaltState, writeHaltState) belongs on a worker thread in the desktop.

#include "common/Result.h"

#include <QString>

#include <atomic>
#include <cstdint>
#include <memory>

namespace strikeline {

struct HaltState
{
    bool halted = false;
    QString reason;           // the trader's words, or "halted from the desktop"
    QString by;               // "desktop", "cli"
    std::int64_t sinceMs = 0; // epoch ms

    bool operator==(const HaltState &) const = default;
};

// `halt.json` in the application's data folder (shared by the desktop and the CLI).
QString defaultHaltFile();
// A missing file is "not halted"; an unreadable or damaged one is an error (and the caller
// stays on the safe side: halted).
Result<HaltState> readHaltState(const QString &path);
// Written atomically (QSaveFile); resuming writes halted = false (the history of who resumed).
Result<void> writeHaltState(const QString &path, const HaltState &state);

class KillSwitch final
{
public:
    KillSwitch();
    // Any thread.
    bool halted() const { return state().halted; }
    HaltState state() const;
    void set(HaltState state);

private:
    std::atomic<std::shared_ptr<const HaltState>> m_state;
};

// "Trading is halted (since 10:02 IST, from the CLI: nervous market). Resume first: ..."
QString haltedMessage(const HaltState &state);

} // namespace strikeline
