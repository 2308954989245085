#pragma once

// The Upstox feed v3 decoder (issue 12; upstox-live.md §0 row 4, §1; docs/quotes.md): a binary
// frame (protobuf FeedResponse, MarketDataFeedV3.proto) -> the quote book.
//
// Packets are incremental. Each is merged into the instrument's last state sub-message by
// sub-message; proto3 scalars have no presence, so a zero scalar is "not sent" and never
// overwrites a value (an Upstox zero oi/vtt/iv is indistinguishable from absence). A depth
// message that is present replaces the depth it carries (its zeros are empty levels). `type`
// (initial_feed / live_feed) is not used to spot a snapshot: a snapshot is merged like any tick.
// market_info sets each segment's status in the book. Unknown fields are ignored (libprotobuf
// keeps them aside); a frame that does not parse changes nothing and is counted.
//
// One decoder per feed: decode() runs on the feed thread (the writer); stats() from any thread.
// The generated protobuf code stays inside the .cpp (strikeline_core links it privately).

#include "marketdata/QuoteBook.h"

#include <QByteArray>
#include <QString>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>

namespace strikeline::marketdata {

class UpstoxFeedDecoder
{
public:
    struct Stats
    {
        std::uint64_t frames = 0;      // frames decoded
        std::uint64_t ticks = 0;       // instrument packets merged
        std::uint64_t marketInfos = 0; // market_info frames
        std::uint64_t malformed = 0;   // frames that are not a FeedResponse
        std::uint64_t unknownKeys = 0; // packets dropped because the book was full
        std::uint64_t bytes = 0;
    };

    // Runs on the decoding thread after each merged packet, with the published state.
    using TickObserver = std::function<void(QuoteBook::SlotId, const LiveQuote &)>;

    explicit UpstoxFeedDecoder(QuoteBook &book);
    ~UpstoxFeedDecoder();
    UpstoxFeedDecoder(const UpstoxFeedDecoder &) = delete;
    UpstoxFeedDecoder &operator=(const UpstoxFeedDecoder &) = delete;

    // One binary frame received at `receivedNs` (Unix epoch ns). False when it does not parse:
    // the book is untouched and lastError() says why.
    bool decode(const char *data, std::size_t size, std::int64_t receivedNs);
    bool decode(const QByteArray &frame, std::int64_t receivedNs)
    {
        return decode(frame.constData(), static_cast<std::size_t>(frame.size()), receivedNs);
    }

    void setTickObserver(TickObserver observer);

    Stats stats() const;
    QString lastError() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace strikeline::marketdata
