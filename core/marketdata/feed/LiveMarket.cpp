#include "marketdata/feed/LiveMarket.h"

#include "common/IstTime.h"
#include "marketdata/LastQuotes.h"
#include "marketdata/feed/FeedBackfill.h"

#include <QDateTime>
#include <QPointer>
#include <QThreadPool>

#include <spdlog/spdlog.h>

#include <chrono>
#include <mutex>

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

struct LiveMarket::SaveState
{
    std::mutex mutex;            // one save or read of the file at a time
    std::uint64_t issued = 0;    // the owner's thread only
    std::uint64_t committed = 0; // under mutex: the newest save written
};

LiveMarket::~LiveMarket()
{
    m_feed->stop(); // the sink uses the decoder and the book: the feed thread ends first
    // The values as they are now, for the next start (the pool finishes it; the task holds
    // the book). Never waited for here.
    saveLastQuotes();
}

void LiveMarket::start()
{
    restoreLastQuotes();
    m_feed->start();
}

void LiveMarket::restoreLastQuotes()
{
    if (m_options.lastQuotesPath.isEmpty() || m_restoreStarted)
        return;
    m_restoreStarted = true;
    m_saves = std::make_shared<SaveState>();
    m_saveTimer = new QTimer(this);
    m_saveTimer->setInterval(m_options.saveInterval);
    connect(m_saveTimer, &QTimer::timeout, this, &LiveMarket::saveLastQuotes);
    m_saveTimer->start();
    const QPointer<LiveMarket> self(this);
    QThreadPool::globalInstance()->start([self, book = m_book, path = m_options.lastQuotesPath,
                                          saves = m_saves] {
        // Under the saves' mutex: a save of this run never races the read of the last.
        const std::lock_guard lock(saves->mutex);
        const auto loaded =
            loadLastQuotes(*book, path, QDateTime::currentMSecsSinceEpoch(), LastQuotesMaxAgeMs);
        if (!loaded) {
            spdlog::warn("feed: the last known values are not read back: {}",
                         loaded.error().message.toStdString());
            return;
        }
        if (loaded->instruments == 0)
            return;
        spdlog::info("feed: {} last known values read back ({} skipped)", loaded->instruments,
                     loaded->skipped);
        const int instruments = loaded->instruments;
        const qint64 newestMs = loaded->newestNs / 1'000'000;
        QMetaObject::invokeMethod(
            self.data(),
            [self, instruments, newestMs] {
                if (self)
                    Q_EMIT self->restored(instruments, newestMs);
            },
            Qt::QueuedConnection);
    });
}

void LiveMarket::saveLastQuotes()
{
    if (!m_saves || m_book->size() == 0)
        return;
    const std::uint64_t sequence = ++m_saves->issued;
    QThreadPool::globalInstance()->start(
        [book = m_book, path = m_options.lastQuotesPath, saves = m_saves, sequence] {
            const std::lock_guard lock(saves->mutex);
            if (saves->committed > sequence)
                return; // a later save already wrote a newer book
            const auto saved = marketdata::saveLastQuotes(
                *book, path, QDateTime::currentMSecsSinceEpoch(), LastQuotesMaxAgeMs);
            if (!saved) {
                spdlog::warn("feed: the last known values are not kept: {}",
                             saved.error().message.toStdString());
                return;
            }
            saves->committed = sequence;
        });
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
