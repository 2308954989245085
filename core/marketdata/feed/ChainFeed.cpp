#include "marketdata/feed/ChainFeed.h"

#include "broker/upstox/UpstoxOptionChain.h"
#include "marketdata/feed/UpstoxMarketFeed.h"

#include <QThreadPool>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

namespace strikeline::marketdata {

namespace {

std::string keyOf(const InstrumentSnapshot &s, InstrumentId id)
{
    return id == NoId ? std::string() : std::string(s.instrument(id).instrumentKey());
}

QString qs(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

std::optional<double> priceOf(const std::optional<Price> &p)
{
    return p && p->isPositive() ? std::optional<double>(p->toDouble()) : std::nullopt;
}

// A price to take parity from: the mid when both sides are quoted, else the LTP.
std::optional<double> parityPrice(const upstox::OptionChainLeg &leg)
{
    if (leg.bid && leg.ask && leg.bid->isPositive() && leg.ask->isPositive() &&
        *leg.ask >= *leg.bid)
        return (leg.bid->toDouble() + leg.ask->toDouble()) / 2;
    return priceOf(leg.ltp);
}

} // namespace

ChainFeed::ChainFeed(UpstoxMarketFeed &feed, upstox::UpstoxClient &client, QuoteBook &book,
                     Options options, QObject *parent)
    : QObject(parent)
    , m_feed(&feed)
    , m_client(client)
    , m_book(book)
    , m_options(std::move(options))
{
    m_refresh.setSingleShot(false);
    connect(&m_refresh, &QTimer::timeout, this, &ChainFeed::requestReference);
}

ChainFeed::~ChainFeed()
{
    if (m_feed)
        m_feed->releaseAll(m_options.consumer);
}

void ChainFeed::clear()
{
    if (m_feed)
        m_feed->releaseAll(m_options.consumer);
    m_refresh.stop();
    ++m_generation;
    m_snapshot.reset();
    m_underlying = NoId;
    m_ladder.clear();
    m_begin = m_end = 0;
    m_underlyingKey.clear();
    m_restKey.clear();
    m_futureKey.clear();
    m_legKeys.clear();
    m_previousOi.clear();
    m_fullChain.clear();
    m_referenceProblem.clear();
    m_previousOiFromDisk = false;
}

Result<void> ChainFeed::setChain(SnapshotPtr snapshot, const OptionChain &chain,
                                 EpochDay tradingDay)
{
    clear();
    if (!snapshot || chain.rows.empty())
        return Error::make(ErrorCode::InvalidArgument, QStringLiteral("the chain has no strikes"));
    const InstrumentSnapshot &s = *snapshot;
    m_underlying = chain.underlying;
    m_expiry = chain.expiry;
    m_tradingDay = tradingDay;
    m_segment = s.underlyingSegment(chain.underlying);
    m_ladder.reserve(chain.rows.size());
    for (const detail::StrikeRow &row : chain.rows) {
        m_ladder.push_back({Price::fromRaw(row.strike), keyOf(s, row.call), keyOf(s, row.put)});
        if (m_restKey.isEmpty()) {
            const InstrumentId leg = row.call != NoId ? row.call : row.put;
            if (leg != NoId)
                m_restKey = qs(s.instrument(leg).underlyingKey());
        }
    }
    if (const auto spot = s.underlyingSpot(chain.underlying))
        m_underlyingKey = qs(s.instrument(*spot).instrumentKey());
    else
        m_underlyingKey = m_restKey; // the legs' underlying_key is the index's or equity's key
    for (const InstrumentId id : s.futures(chain.underlying)) {
        if (s.instrument(id).expiry() == chain.expiry) {
            m_futureKey = qs(s.instrument(id).instrumentKey());
            break;
        }
    }
    m_snapshot = std::move(snapshot);

    QStringList reference;
    if (!m_underlyingKey.isEmpty())
        reference << m_underlyingKey;
    if (!m_futureKey.isEmpty())
        reference << m_futureKey;
    if (!m_feed)
        return Error::make(ErrorCode::InvalidArgument, QStringLiteral("the feed is gone"));
    if (!reference.isEmpty()) {
        if (auto acquired = m_feed->acquire(m_options.consumer, reference, m_options.referenceMode);
            !acquired)
            return acquired;
    }
    loadPreviousOi();
    requestReference();
    if (m_options.fullChainRefresh.count() > 0)
        m_refresh.start(m_options.fullChainRefresh);
    return {};
}

Result<void> ChainFeed::setWindow(std::size_t begin, std::size_t end)
{
    end = std::min(end, m_ladder.size());
    begin = std::min(begin, end);
    QStringList keys;
    for (std::size_t i = begin; i < end; ++i) {
        for (const std::string *key : {&m_ladder[i].callKey, &m_ladder[i].putKey})
            if (!key->empty())
                keys << QString::fromStdString(*key);
    }
    // New keys first (all or nothing), then let go of the ones that left the window: a key in
    // both windows is never unsubscribed in between.
    const std::set<QString> old(m_legKeys.cbegin(), m_legKeys.cend());
    QStringList added;
    for (const QString &key : keys)
        if (!old.contains(key))
            added << key;
    if (!m_feed)
        return Error::make(ErrorCode::InvalidArgument, QStringLiteral("the feed is gone"));
    if (!added.isEmpty()) {
        if (auto acquired = m_feed->acquire(m_options.consumer, added, m_options.legMode);
            !acquired)
            return acquired;
    }
    const std::set<QString> now(keys.cbegin(), keys.cend());
    for (const QString &key : std::as_const(m_legKeys))
        if (!now.contains(key) && key != m_underlyingKey && key != m_futureKey)
            m_feed->release(m_options.consumer, key);
    m_legKeys = keys;
    m_begin = begin;
    m_end = end;
    return {};
}

QStringList ChainFeed::legKeys() const
{
    return m_legKeys;
}

QuoteBook::SlotId ChainFeed::slotFor(const std::string &key) const
{
    const auto it = m_slots.find(key);
    if (it != m_slots.end())
        return it->second;
    const QuoteBook::SlotId id = m_book.slot(key);
    m_slots.emplace(key, id);
    return id;
}

LiveChainInput ChainFeed::input() const
{
    return input(m_begin, m_end);
}

LiveChainInput ChainFeed::input(std::size_t begin, std::size_t end) const
{
    end = std::min(end, m_ladder.size());
    begin = std::min(begin, end);
    LiveChainInput in;
    in.segment = m_segment;
    in.expiry = m_expiry;
    in.rows.assign(m_ladder.begin() + static_cast<std::ptrdiff_t>(begin),
                   m_ladder.begin() + static_cast<std::ptrdiff_t>(end));
    in.futureKey = m_futureKey.toStdString();
    in.underlyingKey = m_underlyingKey.toStdString();
    in.quote = [this](const std::string &key) -> std::optional<LiveQuote> {
        const QuoteBook::SlotId id = slotFor(key);
        LiveQuote q;
        if (id == QuoteBook::NoSlot || !m_book.read(id, q))
            return std::nullopt;
        return q;
    };
    in.previousOi = [this](const std::string &key) -> std::optional<std::int64_t> {
        const auto it = m_previousOi.find(key);
        return it == m_previousOi.end() ? std::nullopt : std::optional<std::int64_t>(it->second);
    };
    in.fullChain = m_fullChain;
    return in;
}

std::optional<Price> ChainFeed::lastPrice(const QString &key) const
{
    if (key.isEmpty())
        return std::nullopt;
    const QuoteBook::SlotId id = slotFor(key.toStdString());
    LiveQuote q;
    if (id == QuoteBook::NoSlot || !m_book.read(id, q) || !q.has(LiveQuote::Ltp) ||
        !q.ltp.isPositive())
        return std::nullopt;
    return q.ltp;
}

std::optional<Price> ChainFeed::underlyingPrice() const
{
    return lastPrice(m_underlyingKey);
}

std::optional<Price> ChainFeed::futurePrice() const
{
    return lastPrice(m_futureKey);
}

void ChainFeed::loadPreviousOi()
{
    if (m_options.previousOiDirectory.isEmpty() || m_restKey.isEmpty())
        return;
    const QPointer<ChainFeed> self(this);
    const std::uint64_t generation = m_generation;
    QThreadPool::globalInstance()->start([self, generation,
                                          directory = m_options.previousOiDirectory,
                                          key = m_restKey, expiry = m_expiry, day = m_tradingDay] {
        const PreviousOiStore store(directory);
        auto loaded = store.load(key, expiry, day);
        QMetaObject::invokeMethod(
            self.data(),
            [self, generation, loaded = std::move(loaded)]() mutable {
                if (!self || self->m_generation != generation)
                    return;
                if (!loaded) {
                    spdlog::warn("chain: the kept previous OI cannot be read: {}",
                                 loaded.error().message.toStdString());
                    return;
                }
                if (!*loaded || !self->m_previousOi.empty())
                    return; // nothing kept, or Upstox answered first (its values are the same)
                self->m_previousOi = std::move((*loaded)->oi);
                self->m_previousOiFromDisk = true;
                Q_EMIT self->referenceChanged();
            },
            Qt::QueuedConnection);
    });
}

void ChainFeed::savePreviousOi()
{
    if (m_options.previousOiDirectory.isEmpty() || m_previousOi.empty())
        return;
    PreviousOi previous;
    previous.underlyingKey = m_restKey;
    previous.expiry = m_expiry;
    previous.tradingDay = m_tradingDay;
    previous.oi = m_previousOi;
    QThreadPool::globalInstance()->start(
        [directory = m_options.previousOiDirectory, previous = std::move(previous)] {
            const PreviousOiStore store(directory);
            if (auto saved = store.save(previous); !saved)
                spdlog::warn("chain: the previous OI could not be kept: {}",
                             saved.error().message.toStdString());
            store.forgetBefore(previous.tradingDay);
        });
}

void ChainFeed::requestReference()
{
    if (m_restKey.isEmpty() || m_expiry == NoDay)
        return;
    const std::uint64_t generation = m_generation;
    upstox::fetchOptionChain(
        m_client, m_restKey, toQDate(m_expiry), this,
        [this, generation](upstox::UpstoxResult<upstox::OptionChain> answer) {
            if (generation != m_generation)
                return;
            if (!answer) {
                m_referenceProblem = QStringLiteral("Upstox's option chain (OI of every strike, "
                                                    "previous OI) is not available: %1")
                                         .arg(answer.error().toString());
                Q_EMIT referenceChanged();
                return;
            }
            std::vector<ChainStrike> full;
            full.reserve(answer->rows.size());
            std::map<std::string, std::int64_t> previous;
            for (const upstox::OptionChainRow &row : answer->rows) {
                ChainStrike strike;
                strike.strike = row.strike.toDouble();
                if (row.call) {
                    strike.callPrice = parityPrice(*row.call);
                    strike.callOi = row.call->oi;
                    if (row.call->prevOi)
                        previous[row.call->instrumentKey.toStdString()] = *row.call->prevOi;
                }
                if (row.put) {
                    strike.putPrice = parityPrice(*row.put);
                    strike.putOi = row.put->oi;
                    if (row.put->prevOi)
                        previous[row.put->instrumentKey.toStdString()] = *row.put->prevOi;
                }
                full.push_back(strike);
            }
            m_fullChain = std::move(full);
            m_referenceProblem = m_fullChain.empty()
                                     ? QStringLiteral("Upstox's option chain for this expiry is "
                                                      "empty: totals are over the visible strikes")
                                     : QString();
            // The previous close does not move during the day: keep the first answer's, and
            // write it down once, so a restart today has it without asking.
            if (!previous.empty() && (m_previousOi.empty() || m_previousOiFromDisk)) {
                const bool fresh = m_previousOi.empty();
                m_previousOi = std::move(previous);
                m_previousOiFromDisk = false;
                if (fresh)
                    savePreviousOi();
            }
            Q_EMIT referenceChanged();
        });
}

} // namespace strikeline::marketdata
