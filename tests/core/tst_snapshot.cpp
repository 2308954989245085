// The snapshot's lookups, tree, chains and contract info, and the repository's publication.

#undef QT_NO_CAST_FROM_ASCII

#include "RecordFactory.h"
#include "instruments/InstrumentRepository.h"
#include "instruments/InstrumentSnapshot.h"

#include <QSignalSpy>
#include <QTest>

#include <atomic>
#include <thread>

using namespace strikeline;
using namespace strikeline::testing;

namespace {

const EpochDay Today = day(2025, 12, 8);
const EpochDay Near = day(2025, 12, 9);
const EpochDay Month = day(2025, 12, 30);

const std::string NiftyKey = "NSE_INDEX|Nifty 50";

// The NIFTY index and its month future, added; returns the future's record.
InstrumentRecord addNiftyAndFuture(RecordFactory &f, SnapshotBuilder &b)
{
    b.add(f.index("NIFTY", NiftyKey, "Nifty 50"));
    InstrumentRecord future = f.future("NIFTY", Month, 75, Segment::NseFo, NiftyKey);
    b.add(InstrumentRecord(future));
    return future;
}

SnapshotPtr buildUniverse(BuildReport *report = nullptr)
{
    RecordFactory f;
    SnapshotBuilder b;
    const std::string &key = NiftyKey;
    const InstrumentRecord future = addNiftyAndFuture(f, b);
    // Strikes added in descending order: the tree must sort them.
    for (int strike = 26200; strike >= 25800; strike -= 100) {
        b.add(f.option("NIFTY", Near, std::to_string(strike), true, 75, true, Segment::NseFo, key));
        if (strike != 26200) // one strike with a call only
            b.add(f.option("NIFTY", Near, std::to_string(strike), false, 75, true, Segment::NseFo,
                           key));
    }
    b.add(f.option("NIFTY", Month, "26000", true, 75, false, Segment::NseFo, key));
    b.add(f.option("NIFTY", Month, "26000", false, 75, false, Segment::NseFo, key));
    InstrumentRecord mcx = f.future("SILVER", Month, 30, Segment::McxFo);
    mcx.freezeQuantity = 20; // in lots
    b.add(std::move(mcx));
    b.add(f.future("USDINR", Month, 1, Segment::NcdFo));
    b.add(f.future("USDINR", Month, 1, Segment::BcdFo));
    b.add(f.option("USDINR", Month, "83.25", true, 1, false, Segment::BcdFo));
    b.add(f.equity("RELIANCE", "RELIANCE INDUSTRIES LTD"));
    b.add(InstrumentRecord(future)); // the future's row again, the same: one instrument
    MasterInfo info;
    info.description = QStringLiteral("test universe");
    return b.build(info, report);
}

} // namespace

class tst_Snapshot : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { m_s = buildUniverse(&m_report); }
    void lookups();
    void identicalDuplicateIsOneInstrument();
    void conflictingDuplicatesAreLeftOut();
    void resolveKeySymbolAndSegment_data();
    void resolveKeySymbolAndSegment();
    void contractInfo();
    void recordRoundTrip();
    void underlyingsAndSpot();
    void expiries();
    void chainSortedWithMoneyness_data();
    void chainSortedWithMoneyness();
    void chainWindowAndMissingSides();
    void chainErrors();
    void staleness();
    void emptySnapshot();
    void repositoryPublishesWhileReadersRead();

private:
    SnapshotPtr m_s;
    BuildReport m_report;
};

void tst_Snapshot::lookups()
{
    const auto fut = m_s->findByKey("NSE_FO|1002");
    QVERIFY(fut);
    QCOMPARE(m_s->instrument(*fut).tradingSymbol(), std::string_view("NIFTY FUT 30 DEC 25"));
    const std::uint32_t token = m_s->instrument(*fut).exchangeToken();
    QCOMPARE(m_s->findByToken(Segment::NseFo, token), fut);
    QVERIFY(!m_s->findByToken(Segment::BseFo, token));
    QCOMPARE(m_s->findBySymbol(Segment::NseFo, "NIFTY FUT 30 DEC 25"), fut);
    QVERIFY(!m_s->findByKey("NSE_FO|999999"));
    QVERIFY(!m_s->findByKey(""));
    // Same symbol, two segments: two instruments.
    const auto ncd = m_s->findBySymbol(Segment::NcdFo, "USDINR FUT 30 DEC 25");
    const auto bcd = m_s->findBySymbol(Segment::BcdFo, "USDINR FUT 30 DEC 25");
    QVERIFY(ncd && bcd && *ncd != *bcd);
}

void tst_Snapshot::identicalDuplicateIsOneInstrument()
{
    QCOMPARE(m_report.duplicateKeys, 1);
    QCOMPARE(m_report.duplicateExamples.front(), std::string("NSE_FO|1002"));
    QCOMPARE(m_report.conflictingKeys, 0);
    QCOMPARE(m_s->instrument(*m_s->findByKey("NSE_FO|1002")).kind(), InstrumentKind::Future);
    QCOMPARE(std::int64_t(m_s->size()), m_report.instruments);
}

// A key listed twice with different data (three times the lot, another contract): which row is
// right cannot be told, so neither is used. Everything else is indexed as if it had never been
// there: lookups, underlyings, chains.
void tst_Snapshot::conflictingDuplicatesAreLeftOut()
{
    RecordFactory f;
    SnapshotBuilder b;
    const std::string &key = NiftyKey;
    const InstrumentRecord future = addNiftyAndFuture(f, b);
    b.add(f.option("NIFTY", Near, "26000", true, 75, true, Segment::NseFo, key));
    b.add(f.option("NIFTY", Near, "26000", false, 75, true, Segment::NseFo, key));
    InstrumentRecord tripled = future;
    tripled.lotSize = 225;
    b.add(std::move(tripled));
    b.add(InstrumentRecord(future)); // a third time, as the first: still conflicting
    // The only contract of an underlying, conflicting: the underlying goes too.
    const InstrumentRecord silver = f.future("SILVER", Month, 30, Segment::McxFo);
    b.add(InstrumentRecord(silver));
    InstrumentRecord otherSilver = silver;
    otherSilver.tradingSymbol = "SILVER FUT 31 DEC 25";
    b.add(std::move(otherSilver));
    b.add(f.equity("RELIANCE", "RELIANCE INDUSTRIES LTD"));
    BuildReport report;
    const SnapshotPtr s = b.build(MasterInfo{}, &report);
    QCOMPARE(report.duplicateKeys, 3);
    QCOMPARE(report.conflictingKeys, 2);
    QCOMPARE(report.conflictingExamples,
             (std::vector<std::string>{future.instrumentKey, silver.instrumentKey}));
    QCOMPARE(s->size(), std::size_t(4)); // index, CE, PE, equity
    QCOMPARE(report.instruments, 4);
    QVERIFY(!s->findByKey(future.instrumentKey));
    QVERIFY(!s->findByKey(silver.instrumentKey));
    QVERIFY(!s->findBySymbol(Segment::McxFo, silver.tradingSymbol));
    const auto nifty = s->findByKey(key);
    QVERIFY(nifty);
    QVERIFY(s->findBySymbol(Segment::NseEq, "RELIANCE"));
    const InstrumentRecord call = f.option("NIFTY", Near, "26000", true, 75, true);
    const auto callId = s->findBySymbol(Segment::NseFo, call.tradingSymbol);
    QVERIFY(callId);
    ChainRequest request;
    request.underlying = s->instrument(*callId).underlying();
    request.expiry = Near;
    request.today = Today;
    auto chain = s->chain(request);
    QVERIFY2(chain, qPrintable(chain ? QString() : chain.error().message));
    QCOMPARE(chain->rows.size(), std::size_t(1));
    QVERIFY(chain->rows[0].call != NoId && chain->rows[0].put != NoId);
    for (std::size_t i = 0; i < s->size(); ++i) {
        const InstrumentView v = s->instrument(static_cast<InstrumentId>(i));
        QCOMPARE(s->findByKey(v.instrumentKey()), std::optional<InstrumentId>(v.id()));
    }
}

void tst_Snapshot::resolveKeySymbolAndSegment_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("symbol");
    QTest::addColumn<QString>("segment");
    QTest::newRow("key") << "NSE_FO|1002"
                         << "NIFTY FUT 30 DEC 25"
                         << "NSE_FO";
    QTest::newRow("symbol") << "NIFTY FUT 30 DEC 25"
                            << "NIFTY FUT 30 DEC 25"
                            << "NSE_FO";
    QTest::newRow("lower case") << "nifty fut 30 dec 25"
                                << "NIFTY FUT 30 DEC 25"
                                << "NSE_FO";
    QTest::newRow("NSE first") << "USDINR FUT 30 DEC 25"
                               << "USDINR FUT 30 DEC 25"
                               << "NCD_FO";
    QTest::newRow("segment prefix") << "BCD_FO:usdinr fut 30 dec 25"
                                    << "USDINR FUT 30 DEC 25"
                                    << "BCD_FO";
    QTest::newRow("unknown") << "NOPE"
                             << ""
                             << "";
}

void tst_Snapshot::resolveKeySymbolAndSegment()
{
    QFETCH(QString, text);
    QFETCH(QString, symbol);
    QFETCH(QString, segment);
    const auto id = m_s->resolve(text.toStdString());
    QCOMPARE(id.has_value(), !symbol.isEmpty());
    if (id) {
        const auto v = m_s->instrument(*id);
        QCOMPARE(QString::fromStdString(std::string(v.tradingSymbol())), symbol);
        QCOMPARE(QString::fromStdString(std::string(segmentName(v.segment()))), segment);
    }
}

void tst_Snapshot::contractInfo()
{
    const auto id = *m_s->findBySymbol(Segment::NseFo, "NIFTY 26000 CE 09 DEC 25");
    const ContractInfo info = m_s->contractInfo(id);
    QCOMPARE(info.lotSize, 75);
    QCOMPARE(info.freezeQuantity, 75 * 24);
    QCOMPARE(info.maxLotsPerOrder, 24);
    QCOMPARE(info.tickSize, *Price::parse("0.05"));
    QCOMPARE(info.strike, Price::fromRupees(26000));
    QCOMPARE(info.expiry, Near);
    QCOMPARE(info.kind, InstrumentKind::Call);
    QCOMPARE(info.underlyingSymbol, std::string_view("NIFTY"));
    QCOMPARE(info.quantityUnit, QuantityUnit::Units);
    QVERIFY(info.weekly);
    // MCX: freeze in lots, so max lots per order is the freeze itself.
    const ContractInfo silver =
        m_s->contractInfo(*m_s->findBySymbol(Segment::McxFo, "SILVER FUT 30 DEC 25"));
    QCOMPARE(silver.quantityUnit, QuantityUnit::Lots);
    QCOMPARE(silver.maxLotsPerOrder, 20);
    // Currency strikes keep four decimals.
    const auto usd = m_s->findBySymbol(Segment::BcdFo, "USDINR 83.25 CE 30 DEC 25");
    QCOMPARE(m_s->instrument(*usd).strike().toString(), std::string("83.25"));
}

void tst_Snapshot::recordRoundTrip()
{
    RecordFactory f;
    InstrumentRecord r = f.option("BANKNIFTY", Month, "59000.5", false, 35, false, Segment::NseFo,
                                  "NSE_INDEX|Nifty Bank");
    r.qtyMultiplier = 1;
    SnapshotBuilder b;
    b.add(InstrumentRecord(r));
    const auto s = b.build(MasterInfo{});
    QCOMPARE(s->instrument(0).toRecord(), r);
}

void tst_Snapshot::underlyingsAndSpot()
{
    const auto nifty = m_s->findUnderlying("nifty");
    QVERIFY(nifty);
    QCOMPARE(m_s->underlyingSymbol(*nifty), std::string_view("NIFTY"));
    QCOMPARE(m_s->underlyingSegment(*nifty), Segment::NseFo);
    const auto spot = m_s->underlyingSpot(*nifty);
    QVERIFY(spot);
    QCOMPARE(m_s->instrument(*spot).instrumentKey(), std::string_view("NSE_INDEX|Nifty 50"));
    QCOMPARE(m_s->futures(*nifty).size(), std::size_t(1));
    // USDINR: BCD_FO has more contracts here (future + option), so it is the default.
    QCOMPARE(m_s->underlyingSegment(*m_s->findUnderlying("USDINR")), Segment::BcdFo);
    QCOMPARE(m_s->underlyingSegment(*m_s->findUnderlying("USDINR", Segment::NcdFo)),
             Segment::NcdFo);
    QCOMPARE(m_s->underlyingSegment(*m_s->findUnderlying("NCD_FO:USDINR")), Segment::NcdFo);
    QVERIFY(!m_s->findUnderlying("RELIANCE")); // an equity without derivatives here
    QVERIFY(!m_s->findUnderlying("NIFTY", Segment::BseFo));
}

void tst_Snapshot::expiries()
{
    const auto nifty = *m_s->findUnderlying("NIFTY");
    auto list = m_s->expiries(nifty, Today);
    QCOMPARE(list.size(), std::size_t(2));
    QCOMPARE(list[0].day, Near);
    QVERIFY(list[0].weekly);
    QCOMPARE(list[0].strikeCount, 5);
    QCOMPARE(list[1].day, Month);
    QVERIFY(!list[1].weekly);
    QCOMPARE(m_s->expiries(nifty, day(2025, 12, 10)).size(), std::size_t(1));
    QCOMPARE(m_s->expiries(nifty, day(2025, 12, 10), true).size(), std::size_t(2));
    QCOMPARE(daysToExpiry(Near, Today), 1);
}

void tst_Snapshot::chainSortedWithMoneyness_data()
{
    QTest::addColumn<QString>("spot");
    QTest::addColumn<QString>("atm");
    QTest::addColumn<QStringList>("callMoneyness");
    QTest::newRow("between, nearer above")
        << "26060"
        << "26100" << QStringList{"ITM", "ITM", "ITM", "ATM", "OTM"};
    QTest::newRow("tie takes the lower")
        << "26050"
        << "26000" << QStringList{"ITM", "ITM", "ATM", "OTM", "OTM"};
    QTest::newRow("exactly on a strike")
        << "25900"
        << "25900" << QStringList{"ITM", "ATM", "OTM", "OTM", "OTM"};
    QTest::newRow("below all strikes") << "25000"
                                       << "25800" << QStringList{"ATM", "OTM", "OTM", "OTM", "OTM"};
    QTest::newRow("above all strikes") << "27000"
                                       << "26200" << QStringList{"ITM", "ITM", "ITM", "ITM", "ATM"};
}

void tst_Snapshot::chainSortedWithMoneyness()
{
    QFETCH(QString, spot);
    QFETCH(QString, atm);
    QFETCH(QStringList, callMoneyness);
    ChainRequest req;
    req.underlying = *m_s->findUnderlying("NIFTY");
    req.today = Today;
    req.spot = Price::parse(spot.toStdString());
    const auto chain = m_s->chain(req);
    QVERIFY(chain);
    QCOMPARE(chain->expiry, Near);
    QCOMPARE(chain->rows.size(), std::size_t(5));
    QCOMPARE(chain->atmStrike->toQString(), atm);
    for (std::size_t i = 0; i < chain->rows.size(); ++i) {
        const auto &row = chain->rows[i];
        if (i > 0)
            QVERIFY(row.strike > chain->rows[i - 1].strike);
        QCOMPARE(QString::fromLatin1(moneynessName(*chain->callMoneyness(row)).data()),
                 callMoneyness.at(int(i)));
        // The put side mirrors the call side around ATM.
        const auto put = *chain->putMoneyness(row);
        const QString c = callMoneyness.at(int(i));
        QCOMPARE(QString::fromLatin1(moneynessName(put).data()),
                 c == QLatin1String("ATM")   ? QStringLiteral("ATM")
                 : c == QLatin1String("ITM") ? QStringLiteral("OTM")
                                             : QStringLiteral("ITM"));
    }
}

void tst_Snapshot::chainWindowAndMissingSides()
{
    ChainRequest req;
    req.underlying = *m_s->findUnderlying("NIFTY");
    req.today = Today;
    req.spot = Price::fromRupees(26000);
    req.strikesAroundAtm = 1;
    auto chain = m_s->chain(req);
    QCOMPARE(chain->rows.size(), std::size_t(3));
    QCOMPARE(chain->rows.front().strike, Price::fromRupees(25900).raw());
    // At the edge the window is cut, not shifted.
    req.spot = Price::fromRupees(26200);
    req.strikesAroundAtm = 2;
    chain = m_s->chain(req);
    QCOMPARE(chain->rows.size(), std::size_t(3));
    QCOMPARE(chain->rows.back().put, NoId); // 26200 has only a call
    QVERIFY(chain->rows.back().call != NoId);
    // No spot: no ATM, no moneyness, window around the median strike.
    req.spot.reset();
    req.strikesAroundAtm = 1;
    chain = m_s->chain(req);
    QVERIFY(!chain->atmStrike);
    QCOMPARE(chain->referenceStrike, Price::fromRupees(26000));
    QCOMPARE(chain->rows.size(), std::size_t(3));
    QVERIFY(!chain->callMoneyness(chain->rows.front()));
    // An explicit expiry.
    req.expiry = Month;
    req.strikesAroundAtm = 0;
    chain = m_s->chain(req);
    QCOMPARE(chain->expiry, Month);
    QCOMPARE(chain->rows.size(), std::size_t(1));
    QVERIFY(!chain->weekly);
}

void tst_Snapshot::chainErrors()
{
    ChainRequest req;
    req.underlying = *m_s->findUnderlying("NIFTY");
    req.expiry = day(2025, 12, 16);
    auto chain = m_s->chain(req);
    QVERIFY(!chain);
    QCOMPARE(chain.error().code, ErrorCode::NotFound);
    QVERIFY(chain.error().message.contains(QStringLiteral("2025-12-16")));
    req.expiry = NoDay;
    req.today = day(2026, 1, 1);
    QVERIFY(!m_s->chain(req));
    req.underlying = 9999;
    QVERIFY(!m_s->chain(req));
    // Futures only: no option expiry.
    req.underlying = *m_s->findUnderlying("SILVER");
    req.today = Today;
    QVERIFY(!m_s->chain(req));
}

void tst_Snapshot::staleness()
{
    QCOMPARE(m_s->earliestExpiry(), Near);
    QCOMPARE(m_s->expiredContractsAt(Today), 0);
    QCOMPARE(m_s->expiredContractsAt(Near), 0); // expiry day itself is still live
    QCOMPARE(m_s->expiredContractsAt(day(2025, 12, 10)), 9);
    QCOMPARE(m_s->info().description, QStringLiteral("test universe"));
}

void tst_Snapshot::emptySnapshot()
{
    const auto s = SnapshotBuilder().build(MasterInfo{});
    QCOMPARE(s->size(), std::size_t(0));
    QVERIFY(!s->findByKey("X"));
    QVERIFY(!s->findUnderlying("NIFTY"));
    SearchRequest r;
    r.text = "nifty";
    QVERIFY(s->search(r).empty());
    QCOMPARE(s->earliestExpiry(), NoDay);
}

void tst_Snapshot::repositoryPublishesWhileReadersRead()
{
    InstrumentRepository repo;
    QVERIFY(!repo.isLoaded());
    QCOMPARE(repo.snapshot()->size(), std::size_t(0));
    QSignalSpy spy(&repo, &InstrumentRepository::snapshotPublished);

    // Readers look up and search continuously while snapshots are swapped underneath them.
    std::atomic_bool stop{false};
    std::atomic<long> lookups{0};
    std::atomic<long> inconsistent{0};
    std::vector<std::thread> readers;
    for (int t = 0; t < 2; ++t) {
        readers.emplace_back([&] {
            while (!stop.load()) {
                const SnapshotPtr s = repo.snapshot();
                const auto id = s->findByKey("NSE_FO|1002");
                // A snapshot is either empty or complete: never half built.
                if (s->size() != 0 && (!id || s->instrument(*id).lotSize() != 75))
                    ++inconsistent;
                SearchRequest r;
                r.text = "nifty";
                r.today = Today;
                if (s->size() != 0 && s->search(r).empty())
                    ++inconsistent;
                ++lookups;
            }
        });
    }
    for (int i = 0; i < 20; ++i)
        repo.publish(buildUniverse());
    while (lookups.load() < 1000)
        std::this_thread::yield();
    stop = true;
    for (auto &t : readers)
        t.join();
    QCOMPARE(inconsistent.load(), 0L);
    QVERIFY(repo.isLoaded());
    QCOMPARE(spy.count(), 20);
    repo.publish(nullptr); // ignored
    QCOMPARE(spy.count(), 20);
}

QTEST_GUILESS_MAIN(tst_Snapshot)
#include "tst_snapshot.moc"
