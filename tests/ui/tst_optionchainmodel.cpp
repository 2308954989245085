// OptionChainModel presents core's chain: mirrored columns, strike texts, moneyness per side,
// the ATM row, the keys of each side, the strike window and how a moving spot is signalled.

#include "RecordFactory.h"
#include "chain/OptionChainModel.h"
#include "instruments/InstrumentRepository.h"
#include "instruments/InstrumentSnapshot.h"
#include "marketdata/SimulatedMarket.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

#include <map>
#include <memory>
#include <utility>

using namespace strikeline;
using namespace strikeline::testing;
using strikeline::ui::ChainSide;
using strikeline::ui::OptionChainModel;
using M = OptionChainModel;

namespace {

const EpochDay Today = day(2025, 12, 8);
const EpochDay Expired = day(2025, 12, 2);
const EpochDay Near = day(2025, 12, 30);
const EpochDay Later = day(2026, 1, 27);
const std::string NiftyKey = "NSE_INDEX|Nifty 50";

Price rupees(const char *text)
{
    return *Price::parse(text);
}

struct Universe
{
    SnapshotPtr snapshot;
    UnderlyingId nifty = NoId;
    std::map<std::pair<std::string, bool>, std::string> nearKeys; // (strike, call) -> key
    std::string laterCall26100Key;
};

Universe buildUniverse()
{
    RecordFactory f;
    Universe u;
    SnapshotBuilder builder;
    builder.add(f.index("NIFTY", NiftyKey, "Nifty 50"));
    for (const char *strike : {"25800", "25900", "26000", "26100", "26200"}) {
        for (bool call : {true, false}) {
            InstrumentRecord r =
                f.option("NIFTY", Near, strike, call, 75, false, Segment::NseFo, NiftyKey);
            u.nearKeys[{strike, call}] = r.instrumentKey;
            builder.add(std::move(r));
        }
    }
    // The later expiry: two full strikes and one listed only as a call.
    for (const char *strike : {"25900", "26000"}) {
        builder.add(f.option("NIFTY", Later, strike, true, 75, false, Segment::NseFo, NiftyKey));
        builder.add(f.option("NIFTY", Later, strike, false, 75, false, Segment::NseFo, NiftyKey));
    }
    InstrumentRecord lonely =
        f.option("NIFTY", Later, "26100", true, 75, false, Segment::NseFo, NiftyKey);
    u.laterCall26100Key = lonely.instrumentKey;
    builder.add(std::move(lonely));
    // Already expired on Today: never the "nearest" expiry.
    builder.add(f.option("NIFTY", Expired, "26000", true, 75, true, Segment::NseFo, NiftyKey));
    u.snapshot = builder.build(MasterInfo{});
    u.nifty = *u.snapshot->findUnderlying("NIFTY");
    return u;
}

} // namespace

class tst_OptionChainModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { m_u = buildUniverse(); }
    void init();
    void cleanup();

    void startsEmpty();
    void headersMirrored();
    void rowsAscendingWithStrikeText();
    void atmRow_data();
    void atmRow();
    void moneynessPerSide();
    void backgroundShading();
    void instrumentKeysPerSide();
    void missingSideIsBlank();
    void strikeWindowAroundAtm();
    void setSpotReshadesInPlace();
    void setSpotKeepsTheLadderStill();
    void recentreMovesTheWindowIncrementally();
    void noSpotNoMoneyness();
    void expirySelection();
    void unknownExpiryEmpties();
    void liveCellsChangeOneByOne();
    void fieldsWithoutDataAreReported();

private:
    QString moneyness(int row, int column) const
    {
        return m_model->index(row, column).data(M::MoneynessRole).toString();
    }
    void setNear(std::optional<Price> spot, int around = 0)
    {
        m_model->setChain(m_u.snapshot, m_u.nifty, Near, Today, spot, around);
    }

    Universe m_u;
    std::unique_ptr<OptionChainModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
};

void tst_OptionChainModel::init()
{
    m_model = std::make_unique<OptionChainModel>();
    m_tester = std::make_unique<QAbstractItemModelTester>(
        m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
}

void tst_OptionChainModel::cleanup()
{
    m_tester.reset();
    m_model.reset();
}

void tst_OptionChainModel::startsEmpty()
{
    QCOMPARE(m_model->rowCount(), 0);
    QCOMPARE(m_model->columnCount(), 25);
    QCOMPARE(m_model->atmRow(), -1);
    QVERIFY(!m_model->strikeAt(0));
    QVERIFY(!m_model->instrumentAt(0, ChainSide::Call));
    QVERIFY(m_model->lastError().isEmpty());
}

void tst_OptionChainModel::headersMirrored()
{
    QStringList titles;
    for (int c = 0; c < m_model->columnCount(); ++c)
        titles << m_model->headerData(c, Qt::Horizontal).toString();
    const QStringList calls{
        QStringLiteral("OI"),   QStringLiteral("Chg OI"), QStringLiteral("Volume"),
        QStringLiteral("Vega"), QStringLiteral("Θ"),      QStringLiteral("Γ"),
        QStringLiteral("Δ"),    QStringLiteral("IV"),     QStringLiteral("Bid"),
        QStringLiteral("Ask"),  QStringLiteral("LTP"),    QStringLiteral("Chg")};
    QStringList expected = calls;
    expected << QStringLiteral("Strike");
    for (qsizetype i = calls.size() - 1; i >= 0; --i)
        expected << calls[i]; // the puts mirror the calls around the strike
    QCOMPARE(titles, expected);
    for (int c = 0; c < M::ColumnCount; ++c) {
        if (c == M::StrikeColumn)
            continue;
        QCOMPARE(M::columnOf(*M::sideOf(c), *M::fieldOf(c)), c);
    }
}

void tst_OptionChainModel::rowsAscendingWithStrikeText()
{
    setNear(rupees("26040"));
    QVERIFY(m_model->lastError().isEmpty());
    QCOMPARE(m_model->rowCount(), 5);
    QStringList strikes;
    for (int row = 0; row < m_model->rowCount(); ++row) {
        strikes << m_model->index(row, M::StrikeColumn).data().toString();
        if (row > 0)
            QVERIFY(*m_model->strikeAt(row - 1) < *m_model->strikeAt(row));
    }
    QCOMPARE(strikes,
             QStringList({QStringLiteral("25800"), QStringLiteral("25900"), QStringLiteral("26000"),
                          QStringLiteral("26100"), QStringLiteral("26200")}));
    QCOMPARE(*m_model->strikeAt(2), rupees("26000"));

    // No quotes yet: the market-data cells of a listed contract show a dash.
    QCOMPARE(m_model->index(0, M::CallLtpColumn).data().toString(), QStringLiteral("—"));
    QCOMPARE(m_model->index(0, M::PutOiColumn).data().toString(), QStringLiteral("—"));

    const auto alignment = [this](int column) {
        return Qt::Alignment(m_model->index(0, column).data(Qt::TextAlignmentRole).toInt());
    };
    QVERIFY(alignment(M::CallOiColumn) & Qt::AlignRight);
    QVERIFY(alignment(M::PutLtpColumn) & Qt::AlignRight);
    QVERIFY(alignment(M::StrikeColumn) & Qt::AlignHCenter);
}

void tst_OptionChainModel::atmRow_data()
{
    QTest::addColumn<QString>("spot");
    QTest::addColumn<int>("row");
    QTest::newRow("nearer 26000") << QStringLiteral("26040") << 2;
    QTest::newRow("tie takes the lower strike") << QStringLiteral("26050") << 2;
    QTest::newRow("past the midpoint") << QStringLiteral("26050.05") << 3;
    QTest::newRow("below every strike") << QStringLiteral("25000") << 0;
    QTest::newRow("above every strike") << QStringLiteral("27000") << 4;
}

void tst_OptionChainModel::atmRow()
{
    QFETCH(QString, spot);
    QFETCH(int, row);
    setNear(Price::parse(spot.toStdString()));
    QCOMPARE(m_model->atmRow(), row);
    QCOMPARE(moneyness(row, M::StrikeColumn), QStringLiteral("ATM"));
    QCOMPARE(moneyness(row, M::CallLtpColumn), QStringLiteral("ATM"));
    QCOMPARE(moneyness(row, M::PutLtpColumn), QStringLiteral("ATM"));
}

void tst_OptionChainModel::moneynessPerSide()
{
    setNear(rupees("26040"));
    const QString itm = QStringLiteral("ITM");
    const QString otm = QStringLiteral("OTM");
    for (int column = 0; column < M::ColumnCount; ++column) {
        if (column == M::StrikeColumn)
            continue;
        const bool call = M::sideOf(column) == ChainSide::Call;
        // CE is in the money below the spot, PE above it.
        QCOMPARE(moneyness(0, column), call ? itm : otm);
        QCOMPARE(moneyness(1, column), call ? itm : otm);
        QCOMPARE(moneyness(3, column), call ? otm : itm);
        QCOMPARE(moneyness(4, column), call ? otm : itm);
    }
    // Only the ATM row has a moneyness for the strike itself.
    QVERIFY(!m_model->index(0, M::StrikeColumn).data(M::MoneynessRole).isValid());
}

void tst_OptionChainModel::backgroundShading()
{
    setNear(rupees("26040"));
    const auto colour = [this](int row, int column) {
        return m_model->index(row, column).data(Qt::BackgroundRole);
    };
    const QVariant itm = colour(0, M::CallLtpColumn);
    const QVariant atm = colour(2, M::CallLtpColumn);
    QVERIFY(itm.isValid());
    QVERIFY(atm.isValid());
    QVERIFY(itm != atm);
    QVERIFY(itm.value<QColor>().alpha() < 255); // translucent: works over either theme
    QVERIFY(atm.value<QColor>().alpha() < 255);
    QCOMPARE(colour(2, M::StrikeColumn), atm); // the whole ATM row
    QCOMPARE(colour(2, M::PutOiColumn), atm);
    QVERIFY(!colour(0, M::PutLtpColumn).isValid()); // OTM put: no shading
    QVERIFY(!colour(0, M::StrikeColumn).isValid());
    QCOMPARE(colour(4, M::PutLtpColumn), itm);
    QVERIFY(!colour(4, M::CallLtpColumn).isValid());
}

void tst_OptionChainModel::instrumentKeysPerSide()
{
    setNear(rupees("26040"));
    const char *strikes[] = {"25800", "25900", "26000", "26100", "26200"};
    for (int row = 0; row < 5; ++row) {
        const QString callKey = QString::fromStdString(m_u.nearKeys.at({strikes[row], true}));
        const QString putKey = QString::fromStdString(m_u.nearKeys.at({strikes[row], false}));
        for (int column = 0; column < M::ColumnCount; ++column) {
            const QString key = m_model->index(row, column).data(M::InstrumentKeyRole).toString();
            if (column == M::StrikeColumn)
                QVERIFY(key.isEmpty());
            else
                QCOMPARE(key, M::sideOf(column) == ChainSide::Call ? callKey : putKey);
        }
        const InstrumentId call = *m_model->instrumentAt(row, ChainSide::Call);
        QCOMPARE(std::string(m_u.snapshot->instrument(call).instrumentKey()),
                 callKey.toStdString());
        QCOMPARE(m_u.snapshot->instrument(call).kind(), InstrumentKind::Call);
        QCOMPARE(m_u.snapshot->instrument(*m_model->instrumentAt(row, ChainSide::Put)).kind(),
                 InstrumentKind::Put);
    }
    QVERIFY(!m_model->instrumentAt(5, ChainSide::Call));
    QVERIFY(!m_model->instrumentAt(-1, ChainSide::Put));
}

void tst_OptionChainModel::missingSideIsBlank()
{
    m_model->setChain(m_u.snapshot, m_u.nifty, Later, Today, rupees("26000"), 0);
    QCOMPARE(m_model->rowCount(), 3);
    QCOMPARE(m_model->index(2, M::StrikeColumn).data().toString(), QStringLiteral("26100"));
    QCOMPARE(m_model->index(2, M::CallLtpColumn).data(M::InstrumentKeyRole).toString(),
             QString::fromStdString(m_u.laterCall26100Key));
    QCOMPARE(m_model->index(2, M::CallLtpColumn).data().toString(), QStringLiteral("—"));
    QVERIFY(!m_model->instrumentAt(2, ChainSide::Put));
    for (int column = M::PutChangeColumn; column < M::ColumnCount; ++column) {
        const QModelIndex cell = m_model->index(2, column);
        QCOMPARE(cell.data().toString(), QString());
        QCOMPARE(cell.data(M::InstrumentKeyRole).toString(), QString());
        QVERIFY(!cell.data(M::MoneynessRole).isValid());
        QVERIFY(!cell.data(Qt::BackgroundRole).isValid());
    }
}

void tst_OptionChainModel::strikeWindowAroundAtm()
{
    setNear(rupees("26140"), 1);
    QCOMPARE(m_model->rowCount(), 3);
    QCOMPARE(*m_model->strikeAt(0), rupees("26000"));
    QCOMPARE(*m_model->strikeAt(1), rupees("26100"));
    QCOMPARE(*m_model->strikeAt(2), rupees("26200"));
    QCOMPARE(m_model->atmRow(), 1);

    setNear(rupees("25800"), 1); // at the edge the window is clipped, not shifted
    QCOMPARE(m_model->rowCount(), 2);
    QCOMPARE(m_model->atmRow(), 0);
}

void tst_OptionChainModel::setSpotReshadesInPlace()
{
    setNear(rupees("26040"));
    QSignalSpy reset(m_model.get(), &QAbstractItemModel::modelReset);
    QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
    QCOMPARE(moneyness(3, M::CallLtpColumn), QStringLiteral("OTM"));
    QCOMPARE(moneyness(3, M::PutLtpColumn), QStringLiteral("ITM"));

    m_model->setSpot(rupees("26140")); // crosses 26100: its CE turns ITM, its PE becomes ATM
    QCOMPARE(reset.count(), 0);
    QCOMPARE(changed.count(), 1);
    const QModelIndex topLeft = changed.at(0).at(0).value<QModelIndex>();
    const QModelIndex bottomRight = changed.at(0).at(1).value<QModelIndex>();
    QCOMPARE(topLeft.row(), 2); // 26000 went ATM -> ITM/OTM, 26100 OTM/ITM -> ATM
    QCOMPARE(bottomRight.row(), 3);
    QCOMPARE(topLeft.column(), 0);
    QCOMPARE(bottomRight.column(), M::ColumnCount - 1);
    const auto roles = changed.at(0).at(2).value<QList<int>>();
    QVERIFY(roles.contains(Qt::BackgroundRole));
    QVERIFY(roles.contains(int(M::MoneynessRole)));

    QCOMPARE(m_model->atmRow(), 3);
    QCOMPARE(moneyness(2, M::CallLtpColumn), QStringLiteral("ITM"));
    QCOMPARE(moneyness(2, M::PutLtpColumn), QStringLiteral("OTM"));
    QCOMPARE(*m_model->spot(), rupees("26140"));

    m_model->setSpot(rupees("26130")); // nothing crosses a strike: nothing to repaint
    QCOMPARE(changed.count(), 1);
    QCOMPARE(reset.count(), 0);
}

void tst_OptionChainModel::setSpotKeepsTheLadderStill()
{
    setNear(rupees("26040"), 1); // 25900 26000 26100, ATM 26000 in the middle
    QSignalSpy reset(m_model.get(), &QAbstractItemModel::modelReset);
    QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(m_model.get(), &QAbstractItemModel::rowsRemoved);
    QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
    QVERIFY(m_model->isCentred());

    m_model->setSpot(rupees("26010")); // same ATM, same window
    QCOMPARE(reset.count(), 0);

    // ATM 26100: the rows stay where they are (the one under the mouse is still 26100), only
    // the highlight moves.
    m_model->setSpot(rupees("26090"));
    QCOMPARE(m_model->rowCount(), 3);
    QCOMPARE(*m_model->strikeAt(0), rupees("25900"));
    QCOMPARE(m_model->atmRow(), 2);
    QCOMPARE(moneyness(2, M::CallLtpColumn), QStringLiteral("ATM"));
    QVERIFY(!m_model->isCentred());

    // ATM 26200, outside the window: still no move; the chain still knows the ATM strike.
    m_model->setSpot(rupees("26160"));
    QCOMPARE(m_model->rowCount(), 3);
    QCOMPARE(*m_model->strikeAt(0), rupees("25900"));
    QCOMPARE(*m_model->strikeAt(2), rupees("26100"));
    QCOMPARE(m_model->atmRow(), -1);
    QCOMPARE(m_model->chain().atmStrike, std::optional<Price>(rupees("26200")));
    QCOMPARE(moneyness(2, M::CallLtpColumn), QStringLiteral("ITM")); // 26100 CE below the spot
    QCOMPARE(moneyness(2, M::PutLtpColumn), QStringLiteral("OTM"));
    QCOMPARE(reset.count(), 0);
    QCOMPARE(inserted.count(), 0);
    QCOMPARE(removed.count(), 0);
    QVERIFY(changed.count() >= 2); // the shading, as dataChanged
    QCOMPARE(m_model->expiry(), Near);
}

void tst_OptionChainModel::recentreMovesTheWindowIncrementally()
{
    setNear(rupees("26040"), 1);   // rows 25900 26000 26100 of 25800..26200
    QVERIFY(!m_model->recentre()); // already centred
    m_model->setSpot(rupees("26160"));
    const QPersistentModelIndex row26100 = m_model->index(2, M::CallLtpColumn);
    QSignalSpy reset(m_model.get(), &QAbstractItemModel::modelReset);
    QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(m_model.get(), &QAbstractItemModel::rowsRemoved);

    QVERIFY(m_model->recentre()); // onto 26200, clipped at the top of the ladder
    QCOMPARE(reset.count(), 0);
    QCOMPARE(removed.count(), 1); // 25900 and 26000 leave at the top
    QCOMPARE(removed.at(0).at(1).toInt(), 0);
    QCOMPARE(removed.at(0).at(2).toInt(), 1);
    QCOMPARE(inserted.count(), 1); // 26200 comes in at the bottom
    QCOMPARE(inserted.at(0).at(1).toInt(), 1);
    QCOMPARE(inserted.at(0).at(2).toInt(), 1);
    QCOMPARE(m_model->rowCount(), 2);
    QCOMPARE(*m_model->strikeAt(0), rupees("26100"));
    QCOMPARE(*m_model->strikeAt(1), rupees("26200"));
    QCOMPARE(m_model->atmRow(), 1);
    QVERIFY(m_model->isCentred());
    // The shared row is the same row, moved: a selection on it survives.
    QVERIFY(row26100.isValid());
    QCOMPARE(row26100.row(), 0);

    // Back down past the window: nothing in common with the new one, one reset.
    m_model->setSpot(rupees("25810"));
    QCOMPARE(m_model->atmRow(), -1);
    QVERIFY(m_model->recentre());
    QCOMPARE(reset.count(), 1);
    QCOMPARE(*m_model->strikeAt(0), rupees("25800"));
    QCOMPARE(m_model->rowCount(), 2);
    QCOMPARE(m_model->atmRow(), 0);

    // Every strike shown: there is nothing to move.
    setNear(rupees("26040"));
    m_model->setSpot(rupees("26190"));
    QVERIFY(m_model->isCentred());
    QVERIFY(!m_model->recentre());
    QCOMPARE(m_model->atmRow(), 4);
}

void tst_OptionChainModel::noSpotNoMoneyness()
{
    setNear(std::nullopt);
    QCOMPARE(m_model->rowCount(), 5);
    QCOMPARE(m_model->atmRow(), -1);
    for (int row = 0; row < m_model->rowCount(); ++row) {
        for (int column = 0; column < M::ColumnCount; ++column) {
            QVERIFY(!m_model->index(row, column).data(M::MoneynessRole).isValid());
            QVERIFY(!m_model->index(row, column).data(Qt::BackgroundRole).isValid());
        }
    }

    // A spot arriving on an unwindowed chain keeps the rows and shades them.
    QSignalSpy reset(m_model.get(), &QAbstractItemModel::modelReset);
    QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
    m_model->setSpot(rupees("26000"));
    QCOMPARE(reset.count(), 0);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(m_model->atmRow(), 2);

    m_model->setSpot(std::nullopt);
    QCOMPARE(m_model->atmRow(), -1);
    QVERIFY(!m_model->index(0, M::CallLtpColumn).data(M::MoneynessRole).isValid());
}

void tst_OptionChainModel::expirySelection()
{
    m_model->setChain(m_u.snapshot, m_u.nifty, NoDay, Today, rupees("26000"), 0);
    QVERIFY(m_model->lastError().isEmpty());
    QCOMPARE(m_model->expiry(), Near); // Expired is before Today: skipped
    QCOMPARE(m_model->rowCount(), 5);

    m_model->setChain(m_u.snapshot, m_u.nifty, Later, Today, rupees("26000"), 0);
    QCOMPARE(m_model->expiry(), Later);
    QCOMPARE(m_model->rowCount(), 3);
    QCOMPARE(*m_model->strikeAt(0), rupees("25900"));

    // The nearest expiry is resolved once: a later spot keeps showing it.
    m_model->setChain(m_u.snapshot, m_u.nifty, NoDay, Today, std::nullopt, 0);
    m_model->setSpot(rupees("26000"));
    QCOMPARE(m_model->expiry(), Near);
}

void tst_OptionChainModel::unknownExpiryEmpties()
{
    setNear(rupees("26040"));
    QCOMPARE(m_model->rowCount(), 5);
    QSignalSpy reset(m_model.get(), &QAbstractItemModel::modelReset);

    m_model->setChain(m_u.snapshot, m_u.nifty, day(2026, 1, 1), Today, rupees("26040"), 0);
    QCOMPARE(reset.count(), 1);
    QCOMPARE(m_model->rowCount(), 0);
    QCOMPARE(m_model->atmRow(), -1);
    QVERIFY2(m_model->lastError().contains(QStringLiteral("NIFTY")),
             qPrintable(m_model->lastError()));

    m_model->setSpot(rupees("26100")); // an empty chain stays empty and quiet
    QCOMPARE(m_model->rowCount(), 0);
    QCOMPARE(reset.count(), 1);

    setNear(rupees("26040")); // a good chain clears the error
    QVERIFY(m_model->lastError().isEmpty());

    m_model->setChain(nullptr, m_u.nifty, Near, Today, std::nullopt, 0);
    QCOMPARE(m_model->rowCount(), 0);
    QVERIFY(!m_model->lastError().isEmpty());

    m_model->clear();
    QCOMPARE(m_model->rowCount(), 0);
    QVERIFY(m_model->lastError().isEmpty());
}

namespace {

LiveLeg leg(const std::string &key, double ltp, std::int64_t oi, std::int64_t receivedMs)
{
    LiveLeg l;
    l.key = key;
    l.quoted = true;
    l.ltp = Price::fromRaw(std::llround(ltp * Price::Scale));
    l.change = Price::fromRupees(2);
    l.changePercent = 1.5;
    l.bid = *l.ltp - Price::fromRaw(500);
    l.ask = *l.ltp + Price::fromRaw(500);
    l.bidQuantity = 750;
    l.askQuantity = 1500;
    l.volume = 123456;
    l.oi = oi;
    l.oiChange = -7500;
    l.iv = 14.25;
    l.delta = 0.52;
    l.gamma = 0.0011;
    l.theta = -12.5;
    l.vega = 9.75;
    l.receivedMs = receivedMs;
    return l;
}

} // namespace

void tst_OptionChainModel::liveCellsChangeOneByOne()
{
    setNear(rupees("26000"));
    QCOMPARE(m_model->rowCount(), 5);
    // Before any live numbers every market column says so.
    QCOMPARE(m_model->index(0, M::CallLtpColumn).data().toString(), QStringLiteral("—"));

    constexpr std::int64_t Now = 1'765'000'000'000;
    LiveChain live;
    for (const char *strike : {"25800", "25900", "26000", "26100", "26200"}) {
        LiveStrike row;
        row.strike = rupees(strike);
        row.call = leg(m_u.nearKeys.at({strike, true}), 100, 75'000, Now);
        row.put = leg(m_u.nearKeys.at({strike, false}), 50, 150'000, Now);
        live.rows.push_back(row);
    }
    QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
    m_model->setLiveChain(live, Now);
    QCOMPARE(changed.count(), 5); // one per row, the first time
    QCOMPARE(m_model->index(0, M::CallLtpColumn).data().toString(), QStringLiteral("100.00"));
    QCOMPARE(m_model->index(0, M::CallChangeColumn).data().toString(), QStringLiteral("+2.00"));
    QVERIFY(m_model->index(0, M::CallChangeColumn)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("1.50% from the previous close")));
    QCOMPARE(m_model->index(0, M::CallBidColumn).data().toString(), QStringLiteral("99.95"));
    QCOMPARE(m_model->index(0, M::PutAskColumn).data().toString(), QStringLiteral("50.05"));
    QCOMPARE(m_model->index(0, M::CallVolumeColumn).data().toString(), QStringLiteral("1.23L"));
    QCOMPARE(m_model->index(0, M::CallOiColumn).data().toString(), QStringLiteral("75,000"));
    QCOMPARE(m_model->index(0, M::PutOiChangeColumn).data().toString(), QStringLiteral("-7,500"));
    QCOMPARE(m_model->index(0, M::PutIvColumn).data().toString(), QStringLiteral("14.3"));
    QCOMPARE(m_model->index(0, M::CallDeltaColumn).data().toString(), QStringLiteral("0.52"));
    QCOMPARE(m_model->index(0, M::CallGammaColumn).data().toString(), QStringLiteral("0.0011"));
    QCOMPARE(m_model->index(0, M::CallThetaColumn).data().toString(), QStringLiteral("-12.50"));
    QCOMPARE(m_model->index(0, M::PutVegaColumn).data().toString(), QStringLiteral("9.75"));
    // The OI bar: against the largest OI on screen (the puts' 150,000).
    QCOMPARE(m_model->index(0, M::CallOiColumn).data(M::OiShareRole).toDouble(), 0.5);
    QCOMPARE(m_model->index(0, M::PutOiColumn).data(M::OiShareRole).toDouble(), 1.0);
    QVERIFY(m_model->index(0, M::CallBidColumn)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("Bid 99.95 × 750")));

    // The same numbers again: nothing is signalled.
    changed.clear();
    m_model->setLiveChain(live, Now + 100);
    QCOMPARE(changed.count(), 0);

    // One LTP moves: only that row, only the cells that changed (LTP; its flash), and the LTP
    // flashes until FlashMs has passed.
    live.rows[2].call.ltp = rupees("101.50");
    m_model->setLiveChain(live, Now + 200);
    QCOMPARE(changed.count(), 1);
    const QModelIndex topLeft = changed.first().at(0).toModelIndex();
    const QModelIndex bottomRight = changed.first().at(1).toModelIndex();
    QCOMPARE(topLeft.row(), 2);
    QCOMPARE(bottomRight.row(), 2);
    QCOMPARE(topLeft.column(), int(M::CallLtpColumn));
    QCOMPARE(bottomRight.column(), int(M::CallLtpColumn));
    QCOMPARE(m_model->index(2, M::CallLtpColumn).data().toString(), QStringLiteral("101.50"));
    const QVariant flash = m_model->index(2, M::CallLtpColumn).data(Qt::BackgroundRole);
    QVERIFY(flash.isValid());
    QVERIFY(flash != m_model->index(2, M::CallChangeColumn).data(Qt::BackgroundRole));
    changed.clear();
    m_model->setLiveChain(live, Now + 200 + M::FlashMs + 1); // the flash ends: one more signal
    QCOMPARE(changed.count(), 1);
    QCOMPARE(m_model->index(2, M::CallLtpColumn).data(Qt::BackgroundRole),
             m_model->index(2, M::CallChangeColumn).data(Qt::BackgroundRole));

    // A stale leg is greyed; a leg without IV says why in the tooltip.
    live.rows[1].put.stale = true;
    live.rows[1].put.iv.reset();
    live.rows[1].put.ivProblem = QStringLiteral("the price is below intrinsic value");
    changed.clear();
    m_model->setLiveChain(live, Now + 2000);
    QCOMPARE(changed.count(), 1);
    QVERIFY(m_model->index(1, M::PutLtpColumn).data(M::StaleRole).toBool());
    QVERIFY(m_model->index(1, M::PutLtpColumn).data(Qt::ForegroundRole).isValid());
    QCOMPARE(m_model->index(1, M::PutIvColumn).data().toString(), QStringLiteral("—"));
    QVERIFY(m_model->index(1, M::PutIvColumn)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("below intrinsic")));

    // OI in contracts: units / lot (75).
    m_model->setOiUnit(M::OiUnit::Contracts);
    QCOMPARE(m_model->index(0, M::CallOiColumn).data().toString(), QStringLiteral("1,000"));
    QCOMPARE(m_model->index(0, M::PutOiChangeColumn).data().toString(), QStringLiteral("-100"));
    // Five digits and a sign do not fit the column: from 10,000 on, a change is in lakh.
    m_model->setOiUnit(M::OiUnit::Units);
    live.rows[0].put.oiChange = 96'505;
    live.rows[0].call.oiChange = -1'01'000;
    m_model->setLiveChain(live, Now + 2000);
    QCOMPARE(m_model->index(0, M::PutOiChangeColumn).data().toString(), QStringLiteral("+0.97L"));
    QCOMPARE(m_model->index(0, M::CallOiChangeColumn).data().toString(), QStringLiteral("-1.01L"));
    // A delta that rounds to zero has no sign.
    live.rows[0].put.delta = -0.0004;
    m_model->setLiveChain(live, Now + 2100);
    QCOMPARE(m_model->index(0, M::PutDeltaColumn).data().toString(), QStringLiteral("0.00"));

    // A moved window keeps the cells of the strikes it still shows; clearLive forgets them.
    m_model->clearLive();
    QCOMPARE(m_model->index(0, M::CallLtpColumn).data().toString(), QStringLiteral("—"));
}

void tst_OptionChainModel::fieldsWithoutDataAreReported()
{
    using F = M::Field;
    setNear(rupees("26000"));
    // Nothing live yet: every field counts as having data (the preset shows, with "—").
    for (int f = 0; f < M::FieldCount; ++f)
        QVERIFY(m_model->fieldHasData(static_cast<F>(f)));

    // A feed without depth or greeks (ltpc, or the simulated market): those fields go.
    constexpr std::int64_t Now = 1'765'000'000'000;
    LiveChain live;
    for (const char *strike : {"25800", "25900", "26000", "26100", "26200"}) {
        LiveStrike row;
        row.strike = rupees(strike);
        for (auto [l, call] : {std::pair{&row.call, true}, std::pair{&row.put, false}}) {
            *l = leg(m_u.nearKeys.at({strike, call}), 100, 75'000, Now);
            l->bid.reset();
            l->ask.reset();
            l->bidQuantity = l->askQuantity = 0;
            l->iv.reset();
            l->delta.reset();
            l->gamma.reset();
            l->theta.reset();
            l->vega.reset();
            l->ivProblem = QStringLiteral("no IV");
        }
        live.rows.push_back(row);
    }
    QSignalSpy fields(m_model.get(), &M::fieldsWithDataChanged);
    m_model->setLiveChain(live, Now);
    QCOMPARE(fields.count(), 1);
    for (F f : {F::Ltp, F::Change, F::Volume, F::Oi, F::OiChange})
        QVERIFY(m_model->fieldHasData(f));
    for (F f : {F::Bid, F::Ask, F::Iv, F::Delta, F::Gamma, F::Theta, F::Vega})
        QVERIFY2(!m_model->fieldHasData(f), qPrintable(QString::number(int(f))));

    // One leg with a bid is enough for the column to come back; the same again says nothing.
    live.rows[3].put.bid = rupees("99.00");
    m_model->setLiveChain(live, Now + 100);
    QCOMPARE(fields.count(), 2);
    QVERIFY(m_model->fieldHasData(F::Bid));
    QVERIFY(!m_model->fieldHasData(F::Ask));
    m_model->setLiveChain(live, Now + 200);
    QCOMPARE(fields.count(), 2);

    // The live numbers go (the feed stopped): the preset again.
    m_model->clearLive();
    QCOMPARE(fields.count(), 3);
    QVERIFY(m_model->fieldHasData(F::Iv));
}

QTEST_GUILESS_MAIN(tst_OptionChainModel)
#include "tst_optionchainmodel.moc"
