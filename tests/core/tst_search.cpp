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

// The index roots the desk's shorthand names, beside stocks that shorthand is a prefix of.
SnapshotPtr buildIndexUniverse()
{
    RecordFactory f;
    SnapshotBuilder b;
    b.add(f.future("NIFTY", Monthly, 75));
    for (EpochDay e : {Weekly1, Monthly}) {
        for (const char *strike : {"24950", "25000", "25050"}) {
            for (bool call : {true, false})
                b.add(f.option("NIFTY", e, strike, call, 75, e == Weekly1));
        }
    }
    b.add(f.future("BANKNIFTY", Monthly, 35));
    for (const char *strike : {"51900", "52000", "52100"}) {
        for (bool call : {true, false})
            b.add(f.option("BANKNIFTY", Monthly, strike, call, 35));
    }
    b.add(f.future("FINNIFTY", Monthly, 65));
    b.add(f.future("MIDCPNIFTY", Monthly, 140));
    b.add(f.future("SENSEX", Monthly, 20, Segment::BseFo));
    b.add(f.future("NIFTYNXT50", Monthly, 25));
    b.add(f.option("NIFTYNXT50", Monthly, "25000", true, 25));
    b.add(f.future("CRUDEOIL", Monthly, 100, Segment::McxFo));
    b.add(f.equity("BNRSEC", "BNR SECURITIES"));
    b.add(f.equity("NFL", "NATIONAL FERTILIZERS"));
    b.add(f.equity("FINCABLES", "FINOLEX CABLES"));
    b.add(f.equity("MNC", "MNC INFRA"));
    b.add(f.equity("TATASTEEL", "TATA STEEL LIMITED"));
    b.add(f.equity("RELIANCE", "RELIANCE INDUSTRIES LTD"));
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
    void aliasesNameTheirIndex_data();
    void aliasesNameTheirIndex();
    void compactSymbolsReadAsTheirParts_data();
    void compactSymbolsReadAsTheirParts();
    void symbolsWithDigitsAreNeverSplit();
    void noResultsSuggestTheClosestSymbol_data();
    void noResultsSuggestTheClosestSymbol();

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
    static SearchRequest request(const std::string &text, int limit = 20)
    {
        SearchRequest r;
        r.text = text;
        r.limit = limit;
        r.today = Today;
        return r;
    }
    static QStringList symbolsIn(const InstrumentSnapshot &snapshot,
                                 const std::vector<SearchHit> &hits)
    {
        QStringList out;
        for (const auto &h : hits)
            out << QString::fromStdString(std::string(snapshot.instrument(h.id).tradingSymbol()));
        return out;
    }

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

void tst_Search::aliasesNameTheirIndex_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("first");     // the first result
    QTest::addColumn<QString>("alsoFound"); // a stock the alias is a prefix of, still found
    QTest::newRow("bn") << "bn"
                        << "BANKNIFTY FUT 30 DEC 25"
                        << "BNRSEC";
    QTest::newRow("bnf") << "BNF"
                         << "BANKNIFTY FUT 30 DEC 25"
                         << "";
    QTest::newRow("nf") << "nf"
                        << "NIFTY FUT 30 DEC 25"
                        << "NFL";
    QTest::newRow("fin") << "fin"
                         << "FINNIFTY FUT 30 DEC 25"
                         << "FINCABLES";
    QTest::newRow("mn") << "mn"
                        << "MIDCPNIFTY FUT 30 DEC 25"
                        << "MNC";
    QTest::newRow("midcp") << "midcp"
                           << "MIDCPNIFTY FUT 30 DEC 25"
                           << "";
    QTest::newRow("sx") << "sx"
                        << "SENSEX FUT 30 DEC 25"
                        << "";
    QTest::newRow("with contract words") << "bn 52000 pe"
                                         << "BANKNIFTY 52000 PE 30 DEC 25"
                                         << "";
}

void tst_Search::aliasesNameTheirIndex()
{
    QFETCH(QString, query);
    QFETCH(QString, first);
    QFETCH(QString, alsoFound);
    const SnapshotPtr snapshot = buildIndexUniverse();
    const std::string text = query.toStdString();
    const QStringList hits = symbolsIn(*snapshot, snapshot->search(request(text, 50)));
    QVERIFY2(!hits.isEmpty(), qPrintable(query));
    QCOMPARE(hits.first(), first);
    if (!alsoFound.isEmpty()) {
        // The alias adds a meaning; its prefix meaning stays, ranked after (cost 1, not 0).
        QVERIFY2(hits.contains(alsoFound), qPrintable(hits.join(QStringLiteral(", "))));
        QCOMPARE(hits.last(), alsoFound);
    }
}

void tst_Search::compactSymbolsReadAsTheirParts_data()
{
    QTest::addColumn<QString>("compact");
    QTest::addColumn<QString>("spelledOut"); // the same results
    QTest::newRow("symbol strike type") << "nifty25000ce"
                                        << "nifty 25000 ce";
    QTest::newRow("upper case") << "NIFTY25000PE"
                                << "nifty 25000 pe";
    QTest::newRow("typed half-way") << "nifty2500"
                                    << "nifty 2500";
    QTest::newRow("thousands") << "nifty 25k ce"
                               << "nifty 25000 ce";
    QTest::newRow("thousands glued") << "nifty25kce"
                                     << "nifty 25000 ce";
    QTest::newRow("decimal thousands") << "nifty 24.95k"
                                       << "nifty 24950";
    QTest::newRow("banknifty") << "banknifty52000pe"
                               << "banknifty 52000 pe";
    QTest::newRow("alias") << "bnf52000pe"
                           << "banknifty 52000 pe";
    QTest::newRow("strike and type") << "25000ce nifty"
                                     << "nifty 25000 ce";
    QTest::newRow("monthly code") << "nifty25dec25000ce"
                                  << "nifty 25 dec 25000 ce";
    QTest::newRow("weekly code") << "NIFTY25D0925000CE"
                                 << "nifty 25000 ce 09 dec 25";
    QTest::newRow("future") << "niftyfut"
                            << "nifty fut";
    QTest::newRow("future with month") << "crudeoil25decfut"
                                       << "crudeoil 25 dec fut";
    QTest::newRow("digits in the symbol") << "niftynxt5025000ce"
                                          << "niftynxt50 25000 ce";
}

void tst_Search::compactSymbolsReadAsTheirParts()
{
    QFETCH(QString, compact);
    QFETCH(QString, spelledOut);
    const SnapshotPtr snapshot = buildIndexUniverse();
    const std::string a = compact.toStdString();
    const std::string b = spelledOut.toStdString();
    const QStringList expected = symbolsIn(*snapshot, snapshot->search(request(b)));
    QVERIFY2(!expected.isEmpty(), qPrintable(spelledOut));
    QCOMPARE(symbolsIn(*snapshot, snapshot->search(request(a))), expected);
}

void tst_Search::symbolsWithDigitsAreNeverSplit()
{
    // NIFTYNXT50 names a symbol as typed: it is not NIFTY with a strike starting 50.
    const auto hits = search("niftynxt50", 50);
    QVERIFY(!hits.empty());
    for (const auto &h : hits)
        QCOMPARE(view(h).underlyingSymbol(), std::string_view("NIFTYNXT50"));
    // A word that names nothing and is not a compact symbol stays a word: no results.
    QVERIFY(search("nifty25zz").empty());
}

void tst_Search::noResultsSuggestTheClosestSymbol_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("suggestion"); // empty: none
    QTest::newRow("extra letter") << "niftty"
                                  << "NIFTY";
    QTest::newRow("swapped letters") << "relaince"
                                     << "RELIANCE";
    QTest::newRow("typed half-way, misspelt") << "bnaknif"
                                              << "BANKNIFTY";
    QTest::newRow("with contract words") << "niftty 25000 ce"
                                         << "NIFTY 25000 CE";
    QTest::newRow("compact") << "niftty25000ce"
                             << "NIFTY 25000 CE";
    QTest::newRow("a word of the name") << "tata steell"
                                        << "TATA STEEL";
    QTest::newRow("nothing close") << "zzzz"
                                   << "";
    QTest::newRow("short words are not guessed") << "xq"
                                                 << "";
    QTest::newRow("every word names something") << "nifty 99999"
                                                << "";
    QTest::newRow("the correction finds nothing either") << "niftty jan 99999"
                                                         << "";
}

void tst_Search::noResultsSuggestTheClosestSymbol()
{
    QFETCH(QString, query);
    QFETCH(QString, suggestion);
    const SnapshotPtr snapshot = buildIndexUniverse();
    const std::string text = query.toStdString();
    QVERIFY(snapshot->search(request(text)).empty());
    const auto got = snapshot->suggest(request(text));
    QCOMPARE(got ? QString::fromStdString(*got) : QString(), suggestion);
    if (got) {
        // The suggestion is a query that finds something.
        QVERIFY(!snapshot->search(request(*got)).empty());
    }
}

QTEST_GUILESS_MAIN(tst_Search)
#include "tst_search.moc"
