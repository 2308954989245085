#pragma once

// `upstox-sim --replay FILE [--speed X]`: a recorded session (core/marketdata/FeedRecording.h)
// served through the feed instead of the simulated tape. Frames come out at their recorded
// spacing divided by --speed, from the first subscription on; each connection gets the recorded
// feeds of the keys it subscribed, whatever mode it asked for (a recording holds what Upstox
// sent, in the modes the recorder had). A new subscription's snapshot is the newest recorded
// packet of each key so far. At the end of the recording the feed goes quiet and stays
// connected.

#include "SimulatedTape.h" // upstoxpb
#include "common/Result.h"
#include "marketdata/FeedRecording.h"

#include <QString>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace strikeline::sim {

class FeedReplay final
{
public:
    // Opens the file and reads its first frame (a file with none is an error).
    static Result<std::unique_ptr<FeedReplay>> open(const QString &path);

    // The receive time of the first frame: where the simulator's clock starts without --at.
    std::int64_t firstFrameMs() const { return m_firstMs; }
    // Hands every frame recorded up to `recordedMs` to `deliver`, in order; false once the
    // recording has ended (or a frame could not be read: error() says why).
    bool advanceTo(std::int64_t recordedMs,
                   const std::function<void(const upstoxpb::FeedResponse &)> &deliver);
    // The newest recorded feed of `key` so far into `response` (as an initial_feed entry).
    bool addSnapshot(upstoxpb::FeedResponse &response, const std::string &key) const;
    // The newest market_info so far, if the recording had one.
    const std::optional<upstoxpb::FeedResponse> &marketInfo() const { return m_marketInfo; }

    std::uint64_t framesReplayed() const { return m_frames; }
    std::uint64_t framesSkipped() const { return m_skipped; } // not a FeedResponse
    const QString &error() const { return m_error; }
    bool finished() const { return m_finished; }

private:
    FeedReplay() = default;
    bool readNext();

    std::unique_ptr<marketdata::FeedRecordingReader> m_reader;
    std::optional<marketdata::RecordedFrame> m_next;
    std::int64_t m_firstMs = 0;
    std::map<std::string, upstoxpb::Feed> m_latest;
    std::optional<upstoxpb::FeedResponse> m_marketInfo;
    std::uint64_t m_frames = 0;
    std::uint64_t m_skipped = 0;
    QString m_error;
    bool m_finished = false;
};

} // namespace strikeline::sim
