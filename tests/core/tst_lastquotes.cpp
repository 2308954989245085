// The book's last known values on disk (core/marketdata/LastQuotes.h): every field comes back
// as written, marked restored (shown, never traded on: QuoteBook::quote answers nothing), a
// newer value already in the book is kept, old values are dropped, and a damaged, truncated or
// foreign file is an error that changes nothing in the book.

#include "marketdata/LastQuotes.h"
#include "marketdata/QuoteBook.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <string>

using namespace strikeline;
using marketdata::LiveQuote;
using marketdata::QuoteBook;

namespace {

constexpr std::int64_t NowMs = 1'787'300'000'000; // 2026-08-21, about
constexpr std::int64_t MaxAgeMs = marketdata::LastQuotesMaxAgeMs;

LiveQuote sample(std::int64_t n, std::int64_t receivedMs)
{
    LiveQuote q;
    q.fields = LiveQuote::Ltp | LiveQuote::Close | LiveQuote::Depth | LiveQuote::Volume |
               LiveQuote::Oi | LiveQuote::Iv | LiveQuote::Greeks | LiveQuote::DayOhlc;
    q.mode = 2;
    q.ltp = Price::fromRaw(n * 5);
    q.close = Price::fromRaw(n * 7);
    q.lastQuantity = n;
    q.lastTradeMs = receivedMs - 10;
    q.depthLevels = 3;
    for (std::size_t i = 0; i < 3; ++i) {
        q.depth[i].bid = Price::fromRaw(n * 5 - static_cast<std::int64_t>(i) - 1);
        q.depth[i].ask = Price::fromRaw(n * 5 + static_cast<std::int64_t>(i) + 1);
        q.depth[i].bidQuantity = 75 * static_cast<std::int64_t>(i + 1);
        q.depth[i].askQuantity = 150 * static_cast<std::int64_t>(i + 1);
    }
    q.volume = n * 3;
    q.oi = n * 13;
    q.averagePrice = Price::fromRaw(n * 4);
    q.totalBuy = 1.5 * static_cast<double>(n);
    q.totalSell = 2.5 * static_cast<double>(n);
    q.iv = 0.1425;
    q.delta = 0.52;
    q.gamma = 0.0011;
    q.theta = -12.5;
    q.vega = 9.75;
    q.rho = 1.25;
    q.open = Price::fromRaw(n * 6);
    q.high = Price::fromRaw(n * 8);
    q.low = Price::fromRaw(n * 2);
    q.exchangeMs = receivedMs - 5;
    q.receivedNs = receivedMs * 1'000'000;
    return q;
}

void put(QuoteBook &book, const std::string &key, const LiveQuote &q)
{
    QuoteBook::Writer writer(book);
    const QuoteBook::SlotId id = writer.slot(key);
    writer.shadow(id) = q;
    writer.publish(id);
}

bool sameValues(const LiveQuote &a, const LiveQuote &b)
{
    bool same = a.fields == b.fields && a.depthLevels == b.depthLevels && a.mode == b.mode &&
                a.ltp == b.ltp && a.close == b.close && a.lastQuantity == b.lastQuantity &&
                a.lastTradeMs == b.lastTradeMs && a.volume == b.volume && a.oi == b.oi &&
                a.averagePrice == b.averagePrice && a.totalBuy == b.totalBuy &&
                a.totalSell == b.totalSell && a.iv == b.iv && a.delta == b.delta &&
                a.gamma == b.gamma && a.theta == b.theta && a.vega == b.vega && a.rho == b.rho &&
                a.open == b.open && a.high == b.high && a.low == b.low &&
                a.exchangeMs == b.exchangeMs && a.receivedNs == b.receivedNs;
    for (std::size_t i = 0; i < a.depth.size(); ++i)
        same = same && a.depth[i].bid == b.depth[i].bid && a.depth[i].ask == b.depth[i].ask &&
               a.depth[i].bidQuantity == b.depth[i].bidQuantity &&
               a.depth[i].askQuantity == b.depth[i].askQuantity;
    return same;
}

} // namespace

class tst_LastQuotes : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void roundTripMarksRestored();
    void newerValuesInTheBookWin();
    void oldValuesAreDropped();
    void missingFileIsNothing();
    void badFilesChangeNothing_data();
    void badFilesChangeNothing();

private:
    QString saved(QTemporaryDir &dir)
    {
        QuoteBook book;
        put(book, "NSE_FO|1", sample(100, NowMs - 60'000));
        put(book, "NSE_FO|2", sample(200, NowMs - 30'000));
        book.slot("NSE_FO|3"); // a slot never written: not kept
        const QString path = dir.filePath(QStringLiteral("last-quotes.bin"));
        const auto stats = marketdata::saveLastQuotes(book, path, NowMs, MaxAgeMs);
        if (!stats || stats->instruments != 2)
            return {};
        return path;
    }
};

void tst_LastQuotes::roundTripMarksRestored()
{
    QTemporaryDir dir;
    const QString path = saved(dir);
    QVERIFY(!path.isEmpty());

    QuoteBook book;
    const auto loaded = marketdata::loadLastQuotes(book, path, NowMs, MaxAgeMs);
    QVERIFY2(loaded, loaded ? "" : qPrintable(loaded.error().message));
    QCOMPARE(loaded->instruments, 2);
    QCOMPARE(loaded->skipped, 0);
    QCOMPARE(loaded->newestNs, (NowMs - 30'000) * 1'000'000);
    const std::optional<LiveQuote> one = book.read("NSE_FO|1");
    QVERIFY(one);
    QVERIFY(sameValues(*one, sample(100, NowMs - 60'000)));
    QCOMPARE(one->origin, LiveQuote::Restored);
    QVERIFY(!book.find("NSE_FO|3"));
    // Shown, never traded on: the order path and the panels see no price.
    QVERIFY(!book.quote("NSE_FO|1"));

    // The first packet of this run replaces the mark.
    put(book, "NSE_FO|1", sample(101, NowMs));
    QCOMPARE(book.read("NSE_FO|1")->origin, LiveQuote::Received);
    QVERIFY(book.quote("NSE_FO|1"));

    // Saved again, a restored value that was never refreshed is kept (offline two days running).
    const QString again = dir.filePath(QStringLiteral("again.bin"));
    QVERIFY(marketdata::saveLastQuotes(book, again, NowMs, MaxAgeMs));
    QuoteBook next;
    QCOMPARE(marketdata::loadLastQuotes(next, again, NowMs, MaxAgeMs)->instruments, 2);
    QVERIFY(sameValues(*next.read("NSE_FO|2"), sample(200, NowMs - 30'000)));
}

void tst_LastQuotes::newerValuesInTheBookWin()
{
    QTemporaryDir dir;
    const QString path = saved(dir);
    QVERIFY(!path.isEmpty());
    QuoteBook book;
    const LiveQuote fresh = sample(999, NowMs); // the feed came first
    put(book, "NSE_FO|2", fresh);
    const auto loaded = marketdata::loadLastQuotes(book, path, NowMs, MaxAgeMs);
    QVERIFY(loaded);
    QCOMPARE(loaded->instruments, 1);
    QCOMPARE(loaded->skipped, 1);
    QVERIFY(sameValues(*book.read("NSE_FO|2"), fresh));
    QCOMPARE(book.read("NSE_FO|2")->origin, LiveQuote::Received);
}

void tst_LastQuotes::oldValuesAreDropped()
{
    QTemporaryDir dir;
    const QString path = saved(dir);
    QVERIFY(!path.isEmpty());
    // Eight days later: a week is the limit.
    QuoteBook book;
    const std::int64_t later = NowMs + 8LL * 24 * 3600 * 1000;
    const auto loaded = marketdata::loadLastQuotes(book, path, later, MaxAgeMs);
    QVERIFY(loaded);
    QCOMPARE(loaded->instruments, 0);
    QCOMPARE(loaded->skipped, 2);
    QCOMPARE(book.size(), std::size_t{0});
    // And not written again either.
    QuoteBook old;
    put(old, "NSE_FO|9", sample(5, NowMs));
    const auto kept =
        marketdata::saveLastQuotes(old, dir.filePath(QStringLiteral("o.bin")), later, MaxAgeMs);
    QVERIFY(kept);
    QCOMPARE(kept->instruments, 0);
    QCOMPARE(kept->skipped, 1);
}

void tst_LastQuotes::missingFileIsNothing()
{
    QTemporaryDir dir;
    QuoteBook book;
    const auto loaded =
        marketdata::loadLastQuotes(book, dir.filePath(QStringLiteral("none.bin")), NowMs, MaxAgeMs);
    QVERIFY(loaded);
    QCOMPARE(loaded->instruments, 0);
}

void tst_LastQuotes::badFilesChangeNothing_data()
{
    QTest::addColumn<int>("cut");          // keep this many bytes (-1: all)
    QTest::addColumn<QByteArray>("patch"); // written over the start (empty: none)
    QTest::addColumn<QString>("says");
    QTest::newRow("truncated in the last quote") << -40 << QByteArray() << "damaged at quote 2";
    QTest::newRow("truncated in the header") << 6 << QByteArray() << "not a file of last quotes";
    QTest::newRow("foreign file") << -1 << QByteArray("{\"json\":1}") << "not a file of last";
    QTest::newRow("newer format") << -1 << QByteArray("SLQB\0\0\0\x09", 8) << "format 9";
    QTest::newRow("absurd count") << -1 << QByteArray("SLQB\0\0\0\x01\x7f\xff\xff\xff", 12)
                                  << "claims";
}

void tst_LastQuotes::badFilesChangeNothing()
{
    QFETCH(int, cut);
    QFETCH(QByteArray, patch);
    QFETCH(QString, says);
    QTemporaryDir dir;
    const QString path = saved(dir);
    QVERIFY(!path.isEmpty());
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QByteArray bytes = file.readAll();
    file.close();
    if (cut > 0)
        bytes.truncate(cut);
    else if (cut < -1)
        bytes.chop(-cut);
    if (!patch.isEmpty())
        bytes.replace(0, patch.size(), patch);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(bytes);
    file.close();

    QuoteBook book;
    put(book, "NSE_FO|7", sample(7, NowMs));
    const auto loaded = marketdata::loadLastQuotes(book, path, NowMs, MaxAgeMs);
    QVERIFY(!loaded);
    QVERIFY2(loaded.error().message.contains(says), qPrintable(loaded.error().message));
    QCOMPARE(book.size(), std::size_t{1}); // nothing of the file went in
    QVERIFY(!book.find("NSE_FO|1"));
}

QTEST_GUILESS_MAIN(tst_LastQuotes)
#include "tst_lastquotes.moc"
