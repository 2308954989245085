#include "FeedReplay.h"

namespace strikeline::sim {

Result<std::unique_ptr<FeedReplay>> FeedReplay::open(const QString &path)
{
    auto reader = marketdata::FeedRecordingReader::open(path);
    if (!reader)
        return reader.error();
    std::unique_ptr<FeedReplay> replay(new FeedReplay);
    replay->m_reader = std::move(*reader);
    if (!replay->readNext()) {
        return Error::make(ErrorCode::Parse, replay->m_error.isEmpty()
                                                 ? QStringLiteral("%1 holds no frames").arg(path)
                                                 : replay->m_error);
    }
    replay->m_firstMs = replay->m_next->receivedMs;
    return replay;
}

bool FeedReplay::readNext()
{
    auto next = m_reader->next();
    if (!next) {
        m_error = next.error().message;
        m_next.reset();
        return false;
    }
    m_next = std::move(*next);
    return m_next.has_value();
}

bool FeedReplay::advanceTo(std::int64_t recordedMs,
                           const std::function<void(const upstoxpb::FeedResponse &)> &deliver)
{
    upstoxpb::FeedResponse response;
    while (m_next && m_next->receivedMs <= recordedMs) {
        const QByteArray &bytes = m_next->payload;
        if (response.ParseFromArray(bytes.constData(), static_cast<int>(bytes.size()))) {
            ++m_frames;
            if (response.has_marketinfo())
                m_marketInfo = response;
            for (const auto &[key, feed] : response.feeds())
                m_latest[key] = feed;
            deliver(response);
        } else {
            ++m_skipped; // a text frame (a request's error) or damage: not for replay
        }
        readNext();
    }
    m_finished = !m_next.has_value();
    return !m_finished;
}

bool FeedReplay::addSnapshot(upstoxpb::FeedResponse &response, const std::string &key) const
{
    const auto it = m_latest.find(key);
    if (it == m_latest.end())
        return false;
    (*response.mutable_feeds())[key] = it->second;
    return true;
}

} // namespace strikeline::sim
