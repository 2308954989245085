// Each ranking rule of docs/search.md, on a small universe the test controls completely.

#include "RecordFactory.h"
#include "instruments/InstrumentSnapshot.h"
#include "instruments/Search.h"

#include <QTest>

using namespace strikeline;
using namespace strikeline::testing;

namespace {

const EpochDay Today = day(2025, 12, 8);    // a Monday
const EpochDay Weekly1 = day(2025, 12, 9);  // nearest NIFTY expiry (weekly)
const EpochDay Monthly = day(2025, 12, 30); // NIFTY monthly
const EpochDay Jan = day(2026, 1, 27);
const EpochDay Feb = day(2026, 2, 24);
const EpochDay Expired = day(2025, 12, 2);

SnapshotPtr buildUniverse()
{
    RecordFactory f;
    SnapshotBuilder b;
    const std::string niftyKey = "NSE_INDEX|Nifty 50";
    b.add(f.index("NIFTY", niftyKey, "Nifty 50"));
    // Futures added out of expiry order on purpose.
    b.add(f.future("NIFTY", Feb, 65, Segment::NseFo, niftyKey));
    b.add(f.future("NIFTY", Monthly, 75, Segment::NseFo, niftyKey));
    b.add(f.future("NIFTY", Jan, 65, Segment::NseFo, niftyKey));
    for (EpochDay e : {Expired, Weekly1, Monthly}) {
        for (int strike = 24800; strike <= 25200; strike += 50) {
            for (bool call : {true, false})
                b.add(f.option("NIFTY", e, std::to_string(strike), call, 75, e != Monthly,
                               Segment::NseFo, niftyKey));
        }
    }
    b.add(f.index("NIFTYNXT50", "NSE_INDEX|Nifty Next 50", "Nifty Next 50"));
    b.add(f.future("NIFTYNXT50", Monthly, 25));
    b.add(f.option("NIFTYNXT50", Monthly, "25000", true, 25));
    b.add(f.future("BANKNIFTY", Monthly, 35));
    b.add(f.future("BANKNIFTY", Jan, 30));
    b.add(f.option("BANKNIFTY", Monthly, "59000", true, 35));
    b.add(f.option("BANKNIFTY", Monthly, "59000", false, 35));
    b.add(f.equity("RELIANCE", "RELIANCE INDUSTRIES LTD", Segment::BseEq));
    b.add(f.equity("RELIANCE", "RELIANCE INDUSTRIES LTD", Segment::NseEq));
    b.add(f.future("RELIANCE", Monthly, 500));
    b.add(f.option("RELIANCE", Monthly, "1540", true, 500));
    b.add(f.option("RELIANCE", Monthly, "1540", false, 500));
    b.add(f.equity("TATASTEEL", "TATA STEEL LIMITED"));
    b.add(f.future("TATASTEEL", Monthly, 5500));
    b.add(f.equity("TATAMOTORS", "TATA MOTORS LIMITED"));
    b.add(f.equity("CESC", "CESC LTD"));
    b.add(f.future("USDINR", Monthly, 1, Segment::NcdFo));
    b.add(f.future("USDINR", Monthly, 1, Segment::BcdFo));
    return b.build(MasterInfo{});
}

} // namespace

class tst_Search : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { m_snapshot = buildUniverse(); }

    void tokenizer_data();
    void tokenizer();
    void futuresFirstThenIndexThenNearMonthOptions();
    void exactRootBeatsPrefixRoot();
    void prefixRootsRankByActivity();
    void indexRootsOnNseBeforeBse();
    void tokensInAnyOrderAndCase_data();
    void tokensInAnyOrderAndCase();
    void typeTokenFilters();
    void strikeExactBeatsStrikePrefix();
    void nearMonthOptionsClosestToPriceFirst();
    void withoutPriceMedianStrikeIsTheReference();
    void equitiesRankByExactSymbolNseFirst();
    void nameWordsFindTheCompany();
    void monthTokenFiltersExpiry();
    void expiredHiddenUnlessAsked();
    void fullTradingSymbolFindsTheContract();
    void ambiguousTokenPrefersTheContractMeaning();
    void sameSymbolInTwoSegments();
    void limitAndEmptyQueries();

private:
    QStringList symbols(const std::vector<SearchHit> &hits) const
    {
        QStringList out;
        for (const auto &h : hits) {
            const auto v = m_snapshot->instrument(h.id);
            out << QString::fromStdString(std::string(v.tradingSymbol())) + QLatin1Char('@') +
                       QString::fromStdString(std::string(segmentName(v.segment())));
        }
        return out;
    }
    std::vector<SearchHit> search(const char *text, int limit = 20, bool includeExpired = false,
                                  std::optional<Price> spot = {}) const
    {
        SearchRequest r;
        r.text = text;
        r.limit = limit;
        r.today = Today;
        r.includeExpired = includeExpired;
        if (spot)
            r.spot = [spot](std::string_view) { return spot; };
        return m_snapshot->search(r);
    }
    InstrumentView view(const SearchHit &h) const { return m_snapshot->instrument(h.id); }

    SnapshotPtr m_snapshot;
};

void tst_Search::tokenizer_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("count");
    QTest::addColumn<bool>("firstNumeric");
    QTest::addColumn<int>("firstMonth");
    QTest::addColumn<int>("firstType");
    QTest::newRow("strike") << "25000" << 1 << true << 0 << int(search::TypeFilter::None);
    QTest::newRow("month") << "dec" << 1 << false << 12 << int(search::TypeFilter::None);
    QTest::newRow("month full") << "December" << 1 << false << 12 << int(search::TypeFilter::None);
    QTest::newRow("call") << "ce" << 1 << false << 0 << int(search::TypeFilter::Call);
    QTest::newRow("call word") << "CALL" << 1 << false << 0 << int(search::TypeFilter::Call);
    QTest::newRow("put prefix") << "p" << 1 << false << 0 << int(search::TypeFilter::Put);
    QTest::newRow("future") << "fut" << 1 << false << 0 << int(search::TypeFilter::Future);
    QTest::newRow("symbol") << "nifty" << 1 << false << 0 << int(search::TypeFilter::None);
    QTest::newRow("spaces and commas")
        << "  nifty,  25000 | ce " << 3 << false << 0 << int(search::TypeFilter::None);
    QTest::newRow("decimal strike") << "167.5" << 1 << true << 0 << int(search::TypeFilter::None);
    QTest::newRow("empty") << "   " << 0 << false << 0 << int(search::TypeFilter::None);
}

void tst_Search::tokenizer()
{
    QFETCH(QString, text);
    QFETCH(int, count);
    QFETCH(bool, firstNumeric);
    QFETCH(int, firstMonth);
    QFETCH(int, firstType);
    const auto tokens = search::tokenize(text.toStdString());
    QCOMPARE(int(tokens.size()), count);
    if (count > 0) {
        QCOMPARE(tokens.front().numeric, firstNumeric);
        QCOMPARE(tokens.front().month, firstMonth);
        QCOMPARE(int(tokens.front().type), firstType);
    }
}

void tst_Search::futuresFirstThenIndexThenNearMonthOptions()
{
    const auto hits = search("NIFTY", 10);
    QCOMPARE(hits.size(), std::size_t(10));
    // Futures, nearest expiry first.
    QCOMPARE(view(hits[0]).kind(), InstrumentKind::Future);
    QCOMPARE(view(hits[0]).expiry(), Monthly);
    QCOMPARE(view(hits[1]).expiry(), Jan);
    QCOMPARE(view(hits[2]).expiry(), Feb);
    // Then the index (not tradable, but it opens the chain).
    QCOMPARE(view(hits[3]).kind(), InstrumentKind::Index);
    // Then options of the nearest expiry (the weekly), never the expired one.
    for (std::size_t i = 4; i < hits.size(); ++i) {
        QVERIFY(isOption(view(hits[i]).kind()));
        QCOMPARE(view(hits[i]).expiry(), Weekly1);
    }
}

void tst_Search::exactRootBeatsPrefixRoot()
{
    const auto hits = search("NIFTY", 100);
    bool seenNext50 = false;
    for (const auto &h : hits) {
        const bool isNext50 = view(h).underlyingSymbol() == "NIFTYNXT50";
        if (seenNext50)
            QVERIFY2(isNext50, "a NIFTY contract ranked after a NIFTYNXT50 one");
        seenNext50 = seenNext50 || isNext50;
    }
    QVERIFY(seenNext50);
}

void tst_Search::prefixRootsRankByActivity()
{
    // "N" is a prefix of NIFTY and NIFTYNXT50: the root with more contracts leads.
    const auto hits = search("N", 3);
    QCOMPARE(view(hits[0]).underlyingSymbol(), std::string_view("NIFTY"));
    // "TATA": both TATASTEEL (has F&O) and TATAMOTORS (cash only) match by prefix.
    const auto tata = search("TATA", 5);
    QCOMPARE(view(tata[0]).underlyingSymbol(), std::string_view("TATASTEEL"));
    QCOMPARE(symbols(tata).last(), QStringLiteral("TATAMOTORS@NSE_EQ"));
}

void tst_Search::indexRootsOnNseBeforeBse()
{
    // BANKEX (BSE) lists more strikes than BANKNIFTY (NSE), yet "bank" means BANKNIFTY.
    RecordFactory f;
    SnapshotBuilder b;
    const std::string bankNifty = "NSE_INDEX|Nifty Bank";
    const std::string bankex = "BSE_INDEX|BANKEX";
    b.add(f.index("BANKNIFTY", bankNifty, "Nifty Bank"));
    b.add(f.future("BANKNIFTY", Monthly, 35, Segment::NseFo, bankNifty));
    b.add(f.option("BANKNIFTY", Monthly, "59000", true, 35, false, Segment::NseFo, bankNifty));
    b.add(f.index("BANKEX", bankex, "BANKEX", Segment::BseIndex));
    b.add(f.future("BANKEX", Monthly, 30, Segment::BseFo, bankex));
    for (int strike = 60000; strike <= 66000; strike += 100)
        b.add(f.option("BANKEX", Monthly, std::to_string(strike), true, 30, false, Segment::BseFo,
                       bankex));
    const SnapshotPtr snapshot = b.build(MasterInfo{});
    SearchRequest r;
    r.text = "bank";
    r.limit = 5;
    r.today = Today;
    const std::vector<SearchHit> hits = snapshot->search(r);
    QVERIFY(!hits.empty());
    QCOMPARE(snapshot->instrument(hits[0].id).underlyingSymbol(), std::string_view("BANKNIFTY"));
    QCOMPARE(snapshot->instrument(hits[0].id).kind(), InstrumentKind::Future);
    // Typed out, BANKEX is still found first.
    r.text = "bankex";
    QCOMPARE(snapshot->instrument(snapshot->search(r)[0].id).underlyingSymbol(),
             std::string_view("BANKEX"));
}

void tst_Search::tokensInAnyOrderAndCase_data()
{
    QTest::addColumn<QString>("query");
    QTest::newRow("natural") << "nifty 25000 ce";
    QTest::newRow("shuffled") << "ce 25000 nifty";
    QTest::newRow("upper") << "NIFTY 25000 CE";
    QTest::newRow("mixed") << "Nifty CE 25000";
    QTest::newRow("call word") << "nifty call 25000";
}

void tst_Search::tokensInAnyOrderAndCase()
{
    QFETCH(QString, query);
    const auto hits = search(query.toStdString().c_str(), 5);
    // Weekly and monthly NIFTY (the expired one is hidden), then the prefix root NIFTYNXT50.
    QCOMPARE(symbols(hits), QStringList({QStringLiteral("NIFTY 25000 CE 09 DEC 25@NSE_FO"),
                                         QStringLiteral("NIFTY 25000 CE 30 DEC 25@NSE_FO"),
                                         QStringLiteral("NIFTYNXT50 25000 CE 30 DEC 25@NSE_FO")}));
}

void tst_Search::typeTokenFilters()
{
    const auto fut = search("banknifty fut");
    QCOMPARE(symbols(fut), QStringList({QStringLiteral("BANKNIFTY FUT 30 DEC 25@NSE_FO"),
                                        QStringLiteral("BANKNIFTY FUT 27 JAN 26@NSE_FO")}));
    const auto puts = search("reliance pe");
    QCOMPARE(puts.size(), std::size_t(1));
    QCOMPARE(view(puts[0]).kind(), InstrumentKind::Put);
}

void tst_Search::strikeExactBeatsStrikePrefix()
{
    // "2500" is a prefix of 25000..25009 and no exact strike; "25000" is exact.
    const auto prefix = search("nifty 2505", 4);
    QVERIFY(!prefix.empty());
    for (const auto &h : prefix)
        QCOMPARE(view(h).strike(), *Price::parse("25050"));
    const auto mixed = search("nifty 25 ce", 40);
    // Strike prefix matches (cost 1) before contracts that only match by date ("25" = 2025).
    QVERIFY(view(mixed.front()).strike().raw() / Price::Scale / 1000 == 25);
}

void tst_Search::nearMonthOptionsClosestToPriceFirst()
{
    const auto hits = search("nifty ce", 3, false, *Price::parse("25120"));
    // Weekly CEs nearest 25120: 25100, 25150, 25050.
    QCOMPARE(symbols(hits), QStringList({QStringLiteral("NIFTY 25100 CE 09 DEC 25@NSE_FO"),
                                         QStringLiteral("NIFTY 25150 CE 09 DEC 25@NSE_FO"),
                                         QStringLiteral("NIFTY 25050 CE 09 DEC 25@NSE_FO")}));
}

void tst_Search::withoutPriceMedianStrikeIsTheReference()
{
    // Strikes 24800..25200: the median is 25000.
    const auto hits = search("nifty pe", 1);
    QCOMPARE(view(hits[0]).strike(), *Price::parse("25000"));
    QCOMPARE(view(hits[0]).expiry(), Weekly1);
}

void tst_Search::equitiesRankByExactSymbolNseFirst()
{
    const auto hits = search("reliance", 5);
    QCOMPARE(symbols(hits).mid(0, 3),
             QStringList({QStringLiteral("RELIANCE@NSE_EQ"), QStringLiteral("RELIANCE@BSE_EQ"),
                          QStringLiteral("RELIANCE FUT 30 DEC 25@NSE_FO")}));
}

void tst_Search::nameWordsFindTheCompany()
{
    const auto hits = search("tata steel", 3);
    QCOMPARE(symbols(hits).first(), QStringLiteral("TATASTEEL@NSE_EQ"));
    for (const auto &h : hits)
        QCOMPARE(view(h).underlyingSymbol(), std::string_view("TATASTEEL"));
    const auto motors = search("motors");
    QCOMPARE(symbols(motors), QStringList({QStringLiteral("TATAMOTORS@NSE_EQ")}));
}

void tst_Search::monthTokenFiltersExpiry()
{
    const auto jan = search("nifty jan");
    QCOMPARE(symbols(jan), QStringList({QStringLiteral("NIFTY FUT 27 JAN 26@NSE_FO")}));
    const auto dec = search("ce 25000 nifty dec", 10);
    QCOMPARE(symbols(dec), QStringList({QStringLiteral("NIFTY 25000 CE 09 DEC 25@NSE_FO"),
                                        QStringLiteral("NIFTY 25000 CE 30 DEC 25@NSE_FO"),
                                        QStringLiteral("NIFTYNXT50 25000 CE 30 DEC 25@NSE_FO")}));
    QVERIFY(search("nifty 25000 ce jan").empty());
}

void tst_Search::expiredHiddenUnlessAsked()
{
    for (const auto &h : search("nifty", 200))
        QVERIFY(!view(h).isExpiredAt(Today));
    const auto all = search("nifty 24800 ce", 10, true);
    QCOMPARE(all.size(), std::size_t(3));
    QVERIFY(search("nifty 24800 ce", 10, false).size() == 2);
    QCOMPARE(view(all.back()).expiry(), Expired); // live contracts rank before expired ones
}

void tst_Search::fullTradingSymbolFindsTheContract()
{
    const auto hits = search("NIFTY 25150 PE 30 DEC 25", 3);
    QCOMPARE(symbols(hits).first(), QStringLiteral("NIFTY 25150 PE 30 DEC 25@NSE_FO"));
}

void tst_Search::ambiguousTokenPrefersTheContractMeaning()
{
    // "ce" alone is a prefix of the CESC symbol.
    QCOMPARE(symbols(search("ce", 1)), QStringList({QStringLiteral("CESC@NSE_EQ")}));
    // With a root, "c" means calls (cost 0) rather than a prefix of the root (cost 1).
    const auto hits = search("reliance c", 1);
    QCOMPARE(view(hits[0]).kind(), InstrumentKind::Call);
}

void tst_Search::sameSymbolInTwoSegments()
{
    const auto hits = search("usdinr");
    QCOMPARE(symbols(hits), QStringList({QStringLiteral("USDINR FUT 30 DEC 25@NCD_FO"),
                                         QStringLiteral("USDINR FUT 30 DEC 25@BCD_FO")}));
}

void tst_Search::limitAndEmptyQueries()
{
    QCOMPARE(search("nifty", 7).size(), std::size_t(7));
    QVERIFY(search("").empty());
    QVERIFY(search("   ").empty());
    QVERIFY(search("zzzz").empty());
    QVERIFY(search("nifty", 0).empty());
    QVERIFY(search("nifty 99999").empty());
}

QTEST_GUILESS_MAIN(tst_Search)
#include "tst_search.moc"
