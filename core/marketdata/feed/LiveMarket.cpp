#include "marketdata/feed/LiveMarket.h"

#include "common/IstTime.h"
#include "marketdata/feed/FeedBackfill.h"

#include <QDateTime>

#include <spdlog/spdlog.h>

#include <chrono>

namespace strikeline::marketdata {

namespace {

std::int64_t nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace

LiveMarket::LiveMarket(upstox::UpstoxClient &client, Options options, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_options(std::move(options))
    , m_book(std::make_shared<QuoteBook>())
    , m_decoder(*m_book)
{
    UpstoxMarketFeed::Options feedOptions = m_options.feed;
    if (!feedOptions.marketOpen) {
        const Clock *clock = m_options.clock;
        feedOptions.marketOpen = [this, clock] {
            const SegmentStatus status = m_book->segmentStatus(QStringLiteral("NSE_FO"));
            if (status != SegmentStatus::Unknown)
                return status == SegmentStatus::Open;
            return nseHoursAt(clock ? clock->now() : SystemClock().now());
        };
    }
    m_feed = std::make_unique<UpstoxMarketFeed>(
        client, std::move(feedOptions), [this](const QByteArray &frame, std::int64_t receivedNs) {
            if (!m_decoder.decode(frame, receivedNs))
                spdlog::warn("feed: a frame was refused: {}", m_decoder.lastError().toStdString());
            if (m_options.frameHook)
                m_options.frameHook(frame, receivedNs);
        });
    connect(m_feed.get(), &UpstoxMarketFeed::resubscribed, this, &LiveMarket::backfill);
}

LiveMarket::~LiveMarket()
{
    m_feed->stop(); // the sink uses the decoder and the book: the feed thread ends first
}

void LiveMarket::start()
{
    m_feed->start();
}

void LiveMarket::stop()
{
    m_feed->stop();
}

void LiveMarket::backfill(const QStringList &keys)
{
    if (!m_options.backfill || keys.isEmpty())
        return;
    QStringList options;
    if (m_options.isOption)
        for (const QString &key : keys)
            if (m_options.isOption(key))
                options << key;
    ++m_backfillStats.requests;
    const std::int64_t requestedNs = nowNs();
    backfillQuotes(m_client, keys, options, this,
                   [this, requestedNs](upstox::UpstoxResult<std::vector<BackfillQuote>> answer) {
                       if (!answer) {
                           ++m_backfillStats.failures;
                           m_backfillStats.lastProblem = answer.error().toString();
                           spdlog::warn("feed: the REST backfill failed: {}",
                                        m_backfillStats.lastProblem.toStdString());
                           return;
                       }
                       // The writers' mutex is only ever held by a decode (CPU, microseconds).
                       const int merged = mergeBackfill(*m_book, *answer, requestedNs);
                       m_backfillStats.merged += merged;
                       Q_EMIT backfilled(merged);
                   });
}

} // namespace strikeline::marketdata
