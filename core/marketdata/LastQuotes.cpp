#include "marketdata/LastQuotes.h"

#include "common/AtomicFile.h"
#include "marketdata/QuoteBook.h"

#include <QDataStream>
#include <QFile>

#include <string>
#include <utility>
#include <vector>

namespace strikeline::marketdata {

namespace {

constexpr quint32 Magic = 0x534C5142; // "SLQB"
constexpr quint32 Version = 1;
// A book holds at most a few thousand subscribed keys; anything far beyond is not our file.
constexpr quint32 MaxRecords = 1'000'000;

void writePrice(QDataStream &out, Price p)
{
    out << static_cast<qint64>(p.raw());
}

Price readPrice(QDataStream &in)
{
    qint64 raw = 0;
    in >> raw;
    return Price::fromRaw(raw);
}

// Field by field, never the struct's bytes: the layout in memory may change, the file's not.
void writeQuote(QDataStream &out, const LiveQuote &q)
{
    out << static_cast<quint32>(q.fields) << static_cast<qint32>(q.depthLevels)
        << static_cast<qint32>(q.mode);
    writePrice(out, q.ltp);
    writePrice(out, q.close);
    out << static_cast<qint64>(q.lastQuantity) << static_cast<qint64>(q.lastTradeMs);
    for (const DepthLevel &level : q.depth) {
        writePrice(out, level.bid);
        writePrice(out, level.ask);
        out << static_cast<qint64>(level.bidQuantity) << static_cast<qint64>(level.askQuantity);
    }
    out << static_cast<qint64>(q.volume) << static_cast<qint64>(q.oi);
    writePrice(out, q.averagePrice);
    out << q.totalBuy << q.totalSell << q.iv << q.delta << q.gamma << q.theta << q.vega << q.rho;
    writePrice(out, q.open);
    writePrice(out, q.high);
    writePrice(out, q.low);
    out << static_cast<qint64>(q.exchangeMs) << static_cast<qint64>(q.receivedNs);
}

bool readQuote(QDataStream &in, LiveQuote &q)
{
    quint32 fields = 0;
    qint32 depthLevels = 0;
    qint32 mode = 0;
    in >> fields >> depthLevels >> mode;
    q.fields = fields;
    q.depthLevels = depthLevels;
    q.mode = mode;
    q.ltp = readPrice(in);
    q.close = readPrice(in);
    qint64 v = 0;
    in >> v;
    q.lastQuantity = v;
    in >> v;
    q.lastTradeMs = v;
    for (DepthLevel &level : q.depth) {
        level.bid = readPrice(in);
        level.ask = readPrice(in);
        in >> v;
        level.bidQuantity = v;
        in >> v;
        level.askQuantity = v;
    }
    in >> v;
    q.volume = v;
    in >> v;
    q.oi = v;
    q.averagePrice = readPrice(in);
    in >> q.totalBuy >> q.totalSell >> q.iv >> q.delta >> q.gamma >> q.theta >> q.vega >> q.rho;
    q.open = readPrice(in);
    q.high = readPrice(in);
    q.low = readPrice(in);
    in >> v;
    q.exchangeMs = v;
    in >> v;
    q.receivedNs = v;
    return in.status() == QDataStream::Ok && depthLevels >= 0 &&
           depthLevels <= LiveQuote::MaxDepth && q.receivedNs > 0;
}

bool tooOld(std::int64_t receivedNs, std::int64_t nowMs, std::int64_t maxAgeMs)
{
    return maxAgeMs > 0 && receivedNs / 1'000'000 < nowMs - maxAgeMs;
}

} // namespace

Result<LastQuotesStats> saveLastQuotes(const QuoteBook &book, const QString &path,
                                       std::int64_t nowMs, std::int64_t maxAgeMs)
{
    std::vector<std::pair<std::string, LiveQuote>> kept;
    const std::size_t count = book.size();
    kept.reserve(count);
    LastQuotesStats stats;
    for (std::size_t i = 0; i < count; ++i) {
        const auto id = static_cast<QuoteBook::SlotId>(i);
        LiveQuote q;
        if (!book.read(id, q) || q.receivedNs <= 0)
            continue;
        if (tooOld(q.receivedNs, nowMs, maxAgeMs)) {
            ++stats.skipped;
            continue;
        }
        stats.newestNs = std::max(stats.newestNs, q.receivedNs);
        kept.emplace_back(book.keyOf(id), q);
    }
    QByteArray bytes;
    QDataStream out(&bytes, QIODevice::WriteOnly);
    out.setVersion(QDataStream::Qt_6_4);
    out << Magic << Version << static_cast<quint32>(kept.size());
    for (const auto &[key, q] : kept) {
        out << QByteArray(key.data(), static_cast<qsizetype>(key.size()));
        writeQuote(out, q);
    }
    if (auto written = writeFileAtomically(path, bytes); !written)
        return written.error();
    stats.instruments = static_cast<int>(kept.size());
    return stats;
}

Result<LastQuotesStats> loadLastQuotes(QuoteBook &book, const QString &path, std::int64_t nowMs,
                                       std::int64_t maxAgeMs)
{
    LastQuotesStats stats;
    QFile file(path);
    if (!file.exists())
        return stats;
    if (!file.open(QIODevice::ReadOnly))
        return Error::make(ErrorCode::Io,
                           QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    QDataStream in(&file);
    in.setVersion(QDataStream::Qt_6_4);
    quint32 magic = 0;
    quint32 version = 0;
    quint32 records = 0;
    in >> magic >> version >> records;
    if (in.status() != QDataStream::Ok || magic != Magic)
        return Error::make(ErrorCode::Parse,
                           QStringLiteral("%1 is not a file of last quotes").arg(path));
    if (version != Version)
        return Error::make(ErrorCode::Parse,
                           QStringLiteral("%1 is of format %2; this build reads %3")
                               .arg(path)
                               .arg(version)
                               .arg(Version));
    if (records > MaxRecords)
        return Error::make(ErrorCode::Parse,
                           QStringLiteral("%1 claims %2 quotes").arg(path).arg(records));

    // The whole file first: a truncated one changes nothing in the book.
    std::vector<std::pair<QByteArray, LiveQuote>> read;
    read.reserve(records);
    for (quint32 i = 0; i < records; ++i) {
        QByteArray key;
        in >> key;
        LiveQuote q;
        if (in.status() != QDataStream::Ok || key.isEmpty() || !readQuote(in, q))
            return Error::make(ErrorCode::Parse, QStringLiteral("%1 is damaged at quote %2 of %3")
                                                     .arg(path)
                                                     .arg(i + 1)
                                                     .arg(records));
        read.emplace_back(std::move(key), q);
    }

    QuoteBook::Writer writer(book);
    for (auto &[key, q] : read) {
        if (tooOld(q.receivedNs, nowMs, maxAgeMs)) {
            ++stats.skipped;
            continue;
        }
        const QuoteBook::SlotId id =
            writer.slot(std::string_view(key.constData(), static_cast<std::size_t>(key.size())));
        if (id == QuoteBook::NoSlot) {
            ++stats.skipped;
            continue;
        }
        LiveQuote &shadow = writer.shadow(id);
        if (shadow.receivedNs >= q.receivedNs) { // the book is newer (the feed came first)
            ++stats.skipped;
            continue;
        }
        shadow = q;
        writer.publishRestored(id);
        ++stats.instruments;
        stats.newestNs = std::max(stats.newestNs, q.receivedNs);
    }
    return stats;
}

} // namespace strikeline::marketdata
