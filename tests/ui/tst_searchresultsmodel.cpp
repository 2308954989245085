// SearchResultsModel presents core's hits as they come: texts, alignment, the key role, resets.

#include "QuoteTable.h"
#include "RecordFactory.h"
#include "instruments/InstrumentSnapshot.h"
#include "search/SearchResultsModel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

#include <map>
#include <memory>

using namespace strikeline;
using namespace strikeline::testing;
using strikeline::ui::SearchResultsModel;

namespace {

const EpochDay Today = day(2025, 12, 8);
const EpochDay Weekly = day(2025, 12, 9);
const EpochDay Monthly = day(2025, 12, 30);
const EpochDay SilverExpiry = day(2026, 2, 27);

// The rows of the results, in this order.
enum Row : int { FutureRow, CallRow, IndexRow, EquityRow, SilverRow, RowCount };

struct Universe
{
    SnapshotPtr snapshot;
    std::vector<InstrumentRecord> records; // indexed by Row
    std::vector<SearchHit> hits;           // one per Row
};

Universe buildUniverse()
{
    RecordFactory f;
    const std::string niftyKey = "NSE_INDEX|Nifty 50";
    Universe u;
    u.records.resize(RowCount);
    u.records[FutureRow] = f.future("NIFTY", Monthly, 75, Segment::NseFo, niftyKey);
    u.records[CallRow] =
        f.option("NIFTY", Weekly, "25000", true, 75, true, Segment::NseFo, niftyKey);
    u.records[IndexRow] = f.index("NIFTY", niftyKey, "Nifty 50");
    u.records[EquityRow] = f.equity("RELIANCE", "RELIANCE INDUSTRIES LTD");
    u.records[SilverRow] = f.future("SILVER", SilverExpiry, 30, Segment::McxFo);
    u.records[SilverRow].tickSize = Price::fromRupees(1);
    u.records[SilverRow].freezeQuantity = 20; // MCX counts the freeze in lots

    SnapshotBuilder builder;
    for (InstrumentRecord record : u.records)
        builder.add(std::move(record));
    builder.add(f.option("NIFTY", Weekly, "25000", false, 75, true, Segment::NseFo, niftyKey));
    u.snapshot = builder.build(MasterInfo{});
    for (const InstrumentRecord &record : u.records)
        u.hits.push_back(SearchHit{*u.snapshot->findByKey(record.instrumentKey)});
    return u;
}

} // namespace

class tst_SearchResultsModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { m_universe = buildUniverse(); }
    void init();
    void cleanup();

    void startsEmpty();
    void headers();
    void displayText_data();
    void displayText();
    void numbersAlignRight();
    void keyRoleAndToolTip();
    void resetWithNewResults();
    void expiryTextRelativeToToday();
    void ltpFromThePriceSource();

private:
    Universe m_universe;
    std::unique_ptr<SearchResultsModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
};

void tst_SearchResultsModel::init()
{
    m_model = std::make_unique<SearchResultsModel>();
    m_tester = std::make_unique<QAbstractItemModelTester>(
        m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
}

void tst_SearchResultsModel::cleanup()
{
    m_tester.reset();
    m_model.reset();
}

void tst_SearchResultsModel::startsEmpty()
{
    QCOMPARE(m_model->rowCount(), 0);
    QCOMPARE(m_model->columnCount(), int(SearchResultsModel::ColumnCount));
    QCOMPARE(m_model->columnCount(), 10);
    QVERIFY(!m_model->instrumentAt(0));
    QVERIFY(!m_model->index(0, 0).isValid());
}

void tst_SearchResultsModel::headers()
{
    QStringList titles;
    for (int c = 0; c < m_model->columnCount(); ++c)
        titles << m_model->headerData(c, Qt::Horizontal).toString();
    QCOMPARE(titles, QStringList({QStringLiteral("Symbol"), QStringLiteral("Segment"),
                                  QStringLiteral("Type"), QStringLiteral("Expiry"),
                                  QStringLiteral("Strike"), QStringLiteral("LTP"),
                                  QStringLiteral("Lot"), QStringLiteral("Tick (Rs)"),
                                  QStringLiteral("Freeze"), QStringLiteral("Key")}));
    QVERIFY(!m_model->headerData(0, Qt::Vertical).isValid());
}

void tst_SearchResultsModel::displayText_data()
{
    QTest::addColumn<int>("row");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("text");

    using M = SearchResultsModel;
    const auto row = [](const char *name, Row r, M::Column c, const char *text) {
        QTest::newRow(name) << int(r) << int(c) << QString::fromUtf8(text);
    };
    row("future symbol", FutureRow, M::SymbolColumn, "NIFTY FUT 30 DEC 25");
    row("future segment", FutureRow, M::SegmentColumn, "NSE_FO");
    row("future type", FutureRow, M::TypeColumn, "FUT");
    row("future expiry", FutureRow, M::ExpiryColumn, "30 Dec 2025 · 22d");
    row("future has no strike", FutureRow, M::StrikeColumn, "");
    row("future lot", FutureRow, M::LotColumn, "75");
    row("future tick", FutureRow, M::TickColumn, "0.10");
    row("future freeze", FutureRow, M::FreezeColumn, "1800");
    row("call type", CallRow, M::TypeColumn, "CE");
    row("call strike", CallRow, M::StrikeColumn, "25000");
    row("call tick", CallRow, M::TickColumn, "0.05");
    row("call weekly expiry", CallRow, M::ExpiryColumn, "09 Dec 2025 · 1d");
    row("index type", IndexRow, M::TypeColumn, "INDEX");
    row("index key", IndexRow, M::KeyColumn, "NSE_INDEX|Nifty 50");
    row("index has no lot", IndexRow, M::LotColumn, "");
    row("index has no tick", IndexRow, M::TickColumn, "");
    row("index has no expiry", IndexRow, M::ExpiryColumn, "");
    row("equity tick", EquityRow, M::TickColumn, "0.05");
    row("equity lot", EquityRow, M::LotColumn, "1");
    row("mcx segment", SilverRow, M::SegmentColumn, "MCX_FO");
    row("mcx tick", SilverRow, M::TickColumn, "1.00");
    row("mcx freeze in lots", SilverRow, M::FreezeColumn, "20 lots");
}

void tst_SearchResultsModel::displayText()
{
    QFETCH(int, row);
    QFETCH(int, column);
    QFETCH(QString, text);

    m_model->setResults(m_universe.snapshot, m_universe.hits, Today);
    QCOMPARE(m_model->data(m_model->index(row, column)).toString(), text);
}

void tst_SearchResultsModel::numbersAlignRight()
{
    m_model->setResults(m_universe.snapshot, m_universe.hits, Today);
    const auto alignment = [this](int column) {
        return Qt::Alignment(m_model->index(FutureRow, column).data(Qt::TextAlignmentRole).toInt());
    };
    for (int column : {SearchResultsModel::StrikeColumn, SearchResultsModel::LtpColumn,
                       SearchResultsModel::LotColumn, SearchResultsModel::TickColumn,
                       SearchResultsModel::FreezeColumn})
        QVERIFY2(alignment(column) & Qt::AlignRight, qPrintable(QString::number(column)));
    for (int column : {SearchResultsModel::SymbolColumn, SearchResultsModel::ExpiryColumn,
                       SearchResultsModel::KeyColumn})
        QVERIFY2(alignment(column) & Qt::AlignLeft, qPrintable(QString::number(column)));
}

void tst_SearchResultsModel::keyRoleAndToolTip()
{
    m_model->setResults(m_universe.snapshot, m_universe.hits, Today);
    QCOMPARE(m_model->rowCount(), int(RowCount));
    for (int row = 0; row < RowCount; ++row) {
        const std::string &key = m_universe.records[static_cast<std::size_t>(row)].instrumentKey;
        // The role answers for every column: the row's instrument, whichever cell was picked.
        QCOMPARE(m_model->index(row, SearchResultsModel::SymbolColumn)
                     .data(SearchResultsModel::InstrumentKeyRole)
                     .toString(),
                 QString::fromStdString(key));
        QCOMPARE(m_model->index(row, SearchResultsModel::KeyColumn).data().toString(),
                 QString::fromStdString(key));
    }
    QCOMPARE(*m_model->instrumentAt(CallRow), m_universe.hits[CallRow].id);

    const QString tip = m_model->index(FutureRow, 0).data(Qt::ToolTipRole).toString();
    QVERIFY2(tip.contains(QStringLiteral("NIFTY FUT 30 DEC 25")), qPrintable(tip));
    QVERIFY2(tip.contains(QStringLiteral("22 days left")), qPrintable(tip));
    QVERIFY2(tip.contains(QStringLiteral("at most 24 lots per order")), qPrintable(tip));
}

void tst_SearchResultsModel::resetWithNewResults()
{
    QSignalSpy aboutToReset(m_model.get(), &QAbstractItemModel::modelAboutToBeReset);
    QSignalSpy reset(m_model.get(), &QAbstractItemModel::modelReset);

    m_model->setResults(m_universe.snapshot, m_universe.hits, Today);
    QCOMPARE(m_model->rowCount(), int(RowCount));

    m_model->setResults(m_universe.snapshot,
                        {m_universe.hits[EquityRow], m_universe.hits[SilverRow]}, Today);
    QCOMPARE(aboutToReset.count(), 2);
    QCOMPARE(reset.count(), 2);
    QCOMPARE(m_model->rowCount(), 2);
    QCOMPARE(m_model->index(0, SearchResultsModel::SymbolColumn).data().toString(),
             QStringLiteral("RELIANCE"));
    QCOMPARE(m_model->index(1, SearchResultsModel::SymbolColumn).data().toString(),
             QStringLiteral("SILVER FUT 27 FEB 26"));
    QCOMPARE(m_model->snapshot(), m_universe.snapshot);

    m_model->clear();
    QCOMPARE(reset.count(), 3);
    QCOMPARE(m_model->rowCount(), 0);
    QVERIFY(!m_model->snapshot());

    // Hits without a snapshot to read them from are dropped rather than read from nowhere.
    m_model->setResults(nullptr, m_universe.hits, Today);
    QCOMPARE(m_model->rowCount(), 0);
}

void tst_SearchResultsModel::expiryTextRelativeToToday()
{
    m_model->setResults(m_universe.snapshot, m_universe.hits, Weekly);
    QCOMPARE(m_model->index(CallRow, SearchResultsModel::ExpiryColumn).data().toString(),
             QStringLiteral("09 Dec 2025 · today"));
    m_model->setResults(m_universe.snapshot, m_universe.hits, Monthly);
    QCOMPARE(m_model->index(CallRow, SearchResultsModel::ExpiryColumn).data().toString(),
             QStringLiteral("09 Dec 2025 · expired"));
    m_model->setResults(m_universe.snapshot, m_universe.hits); // no as-of day: the date alone
    QCOMPARE(m_model->index(CallRow, SearchResultsModel::ExpiryColumn).data().toString(),
             QStringLiteral("09 Dec 2025"));
}

void tst_SearchResultsModel::ltpFromThePriceSource()
{
    using M = SearchResultsModel;
    const IstMoment now = IstMoment::fromDay(Today, 10 * 60);
    FixedClock clock(now);
    m_model->setResults(m_universe.snapshot, m_universe.hits, Today);
    // No source: a dash, no tooltip about ages.
    QCOMPARE(m_model->index(FutureRow, M::LtpColumn).data().toString(), QStringLiteral("—"));

    testing::QuoteTable prices;
    const std::string future = m_universe.records[FutureRow].instrumentKey;
    const std::string silver = m_universe.records[SilverRow].instrumentKey;
    Quote live;
    live.last = *Price::parse("26150.5");
    live.timeMs = now.epochMs - 2000;
    prices.quotes[future] = live;
    Quote simulated;
    simulated.last = Price::fromRupees(71234);
    simulated.timeMs = now.epochMs;
    simulated.simulated = true;
    prices.quotes[silver] = simulated;
    m_model->setMarketData(&prices, &clock);
    QCOMPARE(m_model->index(FutureRow, M::LtpColumn).data().toString(), QStringLiteral("26150.50"));
    QCOMPARE(m_model->index(FutureRow, M::LtpColumn).data(Qt::ToolTipRole).toString(),
             QStringLiteral("Last tick at 09:59:58 IST · 2s ago"));
    QVERIFY(!m_model->index(FutureRow, M::LtpColumn).data(Qt::ForegroundRole).isValid());
    QCOMPARE(m_model->index(SilverRow, M::LtpColumn).data().toString(), QStringLiteral("71234.00"));
    QVERIFY(m_model->index(SilverRow, M::LtpColumn)
                .data(Qt::ToolTipRole)
                .toString()
                .startsWith(QStringLiteral("Simulated price")));
    QCOMPARE(m_model->index(CallRow, M::LtpColumn).data().toString(), QStringLiteral("—"));
    QCOMPARE(m_model->index(CallRow, M::LtpColumn).data(Qt::ToolTipRole).toString(),
             QStringLiteral("No last price yet"));

    // One price moves: one cell is signalled, none when nothing moved.
    QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
    m_model->refreshPrices();
    QCOMPARE(changed.count(), 0);
    prices.quotes[future].last = *Price::parse("26151");
    prices.quotes[future].timeMs = now.epochMs;
    m_model->refreshPrices();
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed[0][0].toModelIndex(), m_model->index(FutureRow, M::LtpColumn));
    QCOMPARE(changed[0][1].toModelIndex(), m_model->index(FutureRow, M::LtpColumn));
    QCOMPARE(m_model->index(FutureRow, M::LtpColumn).data().toString(), QStringLiteral("26151.00"));

    // A live tick older than 30 s greys out.
    prices.quotes[future].timeMs = now.epochMs - 45'000;
    m_model->refreshPrices();
    QVERIFY(m_model->index(FutureRow, M::LtpColumn).data(Qt::ForegroundRole).isValid());
    QVERIFY(m_model->index(FutureRow, M::LtpColumn)
                .data(Qt::ToolTipRole)
                .toString()
                .endsWith(QStringLiteral(": stale")));

    // The first rows' keys, for the feed.
    QCOMPARE(m_model->keys(2),
             (QStringList{QString::fromStdString(future),
                          QString::fromStdString(m_universe.records[CallRow].instrumentKey)}));
    QCOMPARE(m_model->keys(100).size(), int(RowCount));
    m_model->setMarketData(nullptr, nullptr);
    QCOMPARE(m_model->index(FutureRow, M::LtpColumn).data().toString(), QStringLiteral("—"));
}

QTEST_GUILESS_MAIN(tst_SearchResultsModel)
#include "tst_searchresultsmodel.moc"
