// The option chain widget on the offscreen platform: expiry picker, strike rows, the typed spot
// (exact parse, rejected text never applied), the strike window and double-click activation;
// the cursor (the window's selected contract) across reloads, and what a strike cell trades.

#include "RecordFactory.h"
#include "chain/OptionChainModel.h"
#include "chain/OptionChainView.h"
#include "instruments/InstrumentRepository.h"
#include "instruments/InstrumentSnapshot.h"
#include "marketdata/SimulatedMarket.h"

#include <QAbstractItemModelTester>
#include <QAbstractItemView>
#include <QComboBox>
#include <QCompleter>
#include <QLabel>
#include <QLineEdit>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

#include <memory>

using namespace strikeline;
using namespace strikeline::testing;
using strikeline::ui::OptionChainModel;
using strikeline::ui::OptionChainView;

namespace {

const EpochDay Today = day(2025, 12, 8);
const EpochDay Weekly = day(2025, 12, 9);
const EpochDay Monthly = day(2025, 12, 30);
const std::string NiftyKey = "NSE_INDEX|Nifty 50";

struct Universe
{
    SnapshotPtr snapshot;
    std::string weekly26000CallKey;
};

Universe buildUniverse()
{
    RecordFactory f;
    Universe u;
    SnapshotBuilder b;
    b.add(f.index("NIFTY", NiftyKey, "Nifty 50"));
    // The later expiry added first: the picker sorts, it does not trust the input order.
    for (int strike = 25500; strike <= 26500; strike += 100) {
        for (bool call : {true, false})
            b.add(f.option("NIFTY", Monthly, std::to_string(strike), call, 75, false,
                           Segment::NseFo, NiftyKey));
    }
    for (int strike = 25400; strike <= 26600; strike += 100) {
        for (bool call : {true, false}) {
            InstrumentRecord r = f.option("NIFTY", Weekly, std::to_string(strike), call, 75, true,
                                          Segment::NseFo, NiftyKey);
            if (strike == 26000 && call)
                u.weekly26000CallKey = r.instrumentKey;
            b.add(std::move(r));
        }
    }
    // "bank" finds both: the index ranks first, as in search.
    for (const char *root : {"BANKBARODA", "BANKNIFTY"}) {
        for (bool call : {true, false})
            b.add(f.option(root, Monthly, "250", call, 35));
    }
    u.snapshot = b.build(MasterInfo{});
    return u;
}

} // namespace

class tst_OptionChainView : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void loadingUntilSnapshot();
    void opensNiftyNearestExpiryFirst();
    void typedSpotMovesAtm();
    void invalidSpotIsNotApplied();
    void laterExpiryReloadsRows();
    void doubleClickOnCallEmitsKey();
    void cursorStaysOnItsContractAcrossReloads();
    void strikeCellTradesNothingAndSaysWhy();
    void farContractShowsAllStrikes();
    void movingPriceKeepsTheLadderStill();
    void allStrikesOpensCentredOnAtm();
    void columnsWithoutDataCollapse();
    void underlyingCompletesLikeSearch();

private:
    template<typename T>
    T *child(const char *name) const
    {
        T *widget = m_view->findChild<T *>(QLatin1String(name));
        if (!widget)
            qFatal("no child widget '%s'", name);
        return widget;
    }
    QList<QString> strikes() const
    {
        QList<QString> out;
        const OptionChainModel &model = m_view->model();
        for (int row = 0; row < model.rowCount(); ++row)
            out << model.index(row, OptionChainModel::StrikeColumn).data().toString();
        return out;
    }
    void typeSpot(const QString &text)
    {
        auto *spot = child<QLineEdit>("chainSpot");
        spot->clear();
        QTest::keyClicks(spot, text);
        QTest::keyClick(spot, Qt::Key_Return);
    }
    void openNifty()
    {
        m_view->setSnapshot(m_u.snapshot);
        m_view->openUnderlying(QStringLiteral("NIFTY"));
    }

    Universe m_u = buildUniverse();
    std::unique_ptr<FixedClock> m_clock;
    std::unique_ptr<OptionChainView> m_view;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
};

void tst_OptionChainView::init()
{
    m_clock = std::make_unique<FixedClock>(IstMoment::fromDay(Today, 10 * 60));
    m_view = std::make_unique<OptionChainView>(*m_clock);
    m_tester = std::make_unique<QAbstractItemModelTester>(
        child<QTableView>("chainTable")->model(),
        QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_view->resize(1100, 600);
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
}

void tst_OptionChainView::cleanup()
{
    m_tester.reset();
    m_view.reset();
    m_clock.reset();
}

void tst_OptionChainView::loadingUntilSnapshot()
{
    m_view->openUnderlying(QStringLiteral("nifty"));
    QVERIFY(child<QLabel>("chainMessage")->isVisible());
    QCOMPARE(child<QLabel>("chainMessage")->text(), QStringLiteral("loading…"));
    // The request is kept and honoured once the snapshot arrives.
    m_view->setSnapshot(m_u.snapshot);
    QVERIFY(child<QTableView>("chainTable")->isVisible());
    QCOMPARE(m_view->underlyingSymbol(), QStringLiteral("NIFTY"));
}

void tst_OptionChainView::opensNiftyNearestExpiryFirst()
{
    openNifty();
    auto *expiry = child<QComboBox>("chainExpiry");
    QCOMPARE(expiry->count(), 2);
    QCOMPARE(expiry->itemText(0), QStringLiteral("09 Dec 2025 · 1d · W"));
    QCOMPARE(expiry->itemText(1), QStringLiteral("30 Dec 2025 · 22d · M"));
    QCOMPARE(expiry->currentIndex(), 0);
    QCOMPARE(m_view->currentExpiry(), Weekly);

    QVERIFY(child<QTableView>("chainTable")->isVisible());
    QCOMPARE(child<QComboBox>("chainWindow")->currentText(), QStringLiteral("ATM ± 10"));
    QCOMPARE(m_view->model().rowCount(), 13);
    QCOMPARE(strikes().first(), QStringLiteral("25400"));
    QCOMPARE(strikes().at(1), QStringLiteral("25500"));
    QCOMPARE(strikes().last(), QStringLiteral("26600"));
    QCOMPARE(m_view->model().atmRow(), -1); // no spot yet
}

void tst_OptionChainView::typedSpotMovesAtm()
{
    openNifty();
    typeSpot(QStringLiteral("26040"));
    QCOMPARE(m_view->model().spot(), std::optional<Price>(*Price::parse("26040")));
    const int atm = m_view->model().atmRow();
    QVERIFY(atm >= 0);
    QCOMPARE(m_view->model().strikeAt(atm), std::optional<Price>(*Price::parse("26000")));
    QVERIFY(child<QLineEdit>("chainSpot")->styleSheet().isEmpty());

    // A narrower window keeps the ATM in the middle.
    child<QComboBox>("chainWindow")->setCurrentIndex(0); // ATM ± 5
    QCOMPARE(m_view->model().rowCount(), 11);
    QCOMPARE(strikes().first(), QStringLiteral("25500"));
    QCOMPARE(m_view->model().strikeAt(m_view->model().atmRow()),
             std::optional<Price>(*Price::parse("26000")));
}

void tst_OptionChainView::invalidSpotIsNotApplied()
{
    openNifty();
    typeSpot(QStringLiteral("26040"));
    typeSpot(QStringLiteral("abc"));
    auto *spot = child<QLineEdit>("chainSpot");
    QVERIFY(spot->styleSheet().contains(QLatin1String("border")));
    QVERIFY2(spot->toolTip().contains(QLatin1String("not a price")), qPrintable(spot->toolTip()));
    QCOMPARE(m_view->model().spot(), std::optional<Price>(*Price::parse("26040")));

    // Fixing the text clears the mark.
    typeSpot(QStringLiteral("25910.5"));
    QVERIFY(spot->styleSheet().isEmpty());
    QCOMPARE(m_view->model().strikeAt(m_view->model().atmRow()),
             std::optional<Price>(*Price::parse("25900")));
}

void tst_OptionChainView::laterExpiryReloadsRows()
{
    openNifty();
    child<QComboBox>("chainWindow")->setCurrentIndex(child<QComboBox>("chainWindow")->count() - 1);
    QCOMPARE(m_view->model().rowCount(), 13);
    child<QComboBox>("chainExpiry")->setCurrentIndex(1);
    QCOMPARE(m_view->currentExpiry(), Monthly);
    QCOMPARE(m_view->model().expiry(), Monthly);
    QCOMPARE(m_view->model().rowCount(), 11);
    QCOMPARE(strikes().first(), QStringLiteral("25500"));
    QCOMPARE(strikes().last(), QStringLiteral("26500"));

    // Opening with an explicit expiry selects it.
    m_view->openUnderlying(QStringLiteral("NIFTY"), Weekly);
    QCOMPARE(child<QComboBox>("chainExpiry")->currentIndex(), 0);
    QCOMPARE(m_view->model().expiry(), Weekly);
}

void tst_OptionChainView::doubleClickOnCallEmitsKey()
{
    openNifty();
    QSignalSpy activated(m_view.get(), &OptionChainView::contractActivated);
    auto *table = child<QTableView>("chainTable");
    const int row = static_cast<int>(strikes().indexOf(QStringLiteral("26000")));
    QVERIFY(row >= 0);
    const QModelIndex call = m_view->model().index(row, OptionChainModel::CallLtpColumn);
    table->scrollTo(call);
    // The view only takes a double-click on the cell the first press went to.
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualRect(call).center());
    QTest::mouseDClick(table->viewport(), Qt::LeftButton, {}, table->visualRect(call).center());
    QCOMPARE(activated.count(), 1);
    QCOMPARE(activated.at(0).at(0).toString(), QString::fromStdString(m_u.weekly26000CallKey));

    // The strike column belongs to both sides: nothing to open.
    const QModelIndex strike = m_view->model().index(row, OptionChainModel::StrikeColumn);
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualRect(strike).center());
    QTest::mouseDClick(table->viewport(), Qt::LeftButton, {}, table->visualRect(strike).center());
    QCOMPARE(activated.count(), 1);
}

void tst_OptionChainView::cursorStaysOnItsContractAcrossReloads()
{
    openNifty();
    auto *table = child<QTableView>("chainTable");
    const QString key = QString::fromStdString(m_u.weekly26000CallKey);
    QVERIFY(m_view->setCurrentContract(key));
    QCOMPARE(table->currentIndex().data(OptionChainModel::InstrumentKeyRole).toString(), key);
    QCOMPARE(m_view->currentContractKey(), key);

    // New rows (a narrower window, a spot): the cursor is still on the same contract.
    child<QComboBox>("chainWindow")->setCurrentIndex(0); // ATM ± 5
    QCOMPARE(m_view->currentContractKey(), key);
    typeSpot(QStringLiteral("25480"));
    QCOMPARE(m_view->currentContractKey(), key);
    // Another expiry does not list it: the cursor goes to the strike at the centre, which trades
    // nothing -- never to a contract nobody picked.
    child<QComboBox>("chainExpiry")->setCurrentIndex(1);
    QVERIFY(table->currentIndex().isValid());
    QCOMPARE(table->currentIndex().column(), int(OptionChainModel::StrikeColumn));
    QCOMPARE(m_view->currentContractKey(), QString());
    QCOMPARE(table->currentIndex().row(), m_view->model().atmRow());
}

void tst_OptionChainView::strikeCellTradesNothingAndSaysWhy()
{
    openNifty();
    auto *table = child<QTableView>("chainTable");
    const int row = static_cast<int>(strikes().indexOf(QStringLiteral("26000")));
    const ui::RowContract strike =
        m_view->contractAt(m_view->model().index(row, OptionChainModel::StrikeColumn));
    QVERIFY(strike.key.isEmpty());
    QVERIFY2(strike.reason.contains(QLatin1String("26000")), qPrintable(strike.reason));
    const ui::RowContract call =
        m_view->contractAt(m_view->model().index(row, OptionChainModel::CallOiColumn));
    QCOMPARE(call.key, QString::fromStdString(m_u.weekly26000CallKey));

    // B on the strike still asks, with no contract: the window explains instead of doing
    // nothing.
    QSignalSpy orders(m_view.get(), &OptionChainView::orderRequested);
    table->setCurrentIndex(m_view->model().index(row, OptionChainModel::StrikeColumn));
    QTest::keyClick(table, Qt::Key_B);
    QCOMPARE(orders.count(), 1);
    QCOMPARE(orders.at(0).at(0).toString(), QString());
    // Enter on the strike opens nothing.
    QSignalSpy activated(m_view.get(), &OptionChainView::contractActivated);
    QTest::keyClick(table, Qt::Key_Return);
    QCOMPARE(activated.count(), 0);
}

void tst_OptionChainView::farContractShowsAllStrikes()
{
    openNifty();
    child<QComboBox>("chainWindow")->setCurrentIndex(0); // ATM ± 5: 25500 .. 26500
    typeSpot(QStringLiteral("26000"));
    QVERIFY(!strikes().contains(QStringLiteral("25400")));
    const auto id = m_u.snapshot->findBySymbol(Segment::NseFo, "NIFTY 25400 PE 09 DEC 25");
    QVERIFY(id);
    const std::string_view raw = m_u.snapshot->instrument(*id).instrumentKey();
    const QString key = QString::fromUtf8(raw.data(), static_cast<qsizetype>(raw.size()));
    QVERIFY(m_view->setCurrentContract(key));
    QCOMPARE(m_view->strikeWindow(), 0);
    QCOMPARE(m_view->currentContractKey(), key);
    QCOMPARE(child<QTableView>("chainTable")->currentIndex().column(),
             int(OptionChainModel::PutLtpColumn));
}

void tst_OptionChainView::movingPriceKeepsTheLadderStill()
{
    InstrumentRepository repository;
    repository.publish(m_u.snapshot);
    SimulatedMarket market(repository, *m_clock);
    market.setUnderlyingPrice("NIFTY", *Price::parse("26040"));
    m_view->setMarketData(&market, QStringLiteral("simulated"));
    m_view->setStrikeWindow(5);
    openNifty();
    auto *table = child<QTableView>("chainTable");
    auto *atm = child<QLabel>("chainAtm");
    QCOMPARE(strikes().first(), QStringLiteral("25500")); // 26000 +- 5
    QCOMPARE(atm->text(), QStringLiteral("ATM 26000"));

    // The row under the mouse, before the price moves.
    const QPoint mouse = table->visualRect(m_view->model().index(3, 1)).center();
    const QString underMouse =
        table->indexAt(mouse).siblingAtColumn(OptionChainModel::StrikeColumn).data().toString();
    const int scroll = table->verticalScrollBar()->value();

    // Two strikes up: the rows do not move, the highlight and the label do.
    market.setUnderlyingPrice("NIFTY", *Price::parse("26190"));
    m_view->refreshQuotes();
    QCOMPARE(strikes().first(), QStringLiteral("25500"));
    QCOMPARE(
        table->indexAt(mouse).siblingAtColumn(OptionChainModel::StrikeColumn).data().toString(),
        underMouse);
    QCOMPARE(table->verticalScrollBar()->value(), scroll);
    QCOMPARE(m_view->model().strikeAt(m_view->model().atmRow()),
             std::optional<Price>(*Price::parse("26200")));
    QVERIFY2(atm->text().startsWith(QStringLiteral("ATM 26200")), qPrintable(atm->text()));
    QVERIFY2(atm->text().contains(QStringLiteral("Ctrl+E")), qPrintable(atm->text()));

    // Asked for, the window centres on the new ATM.
    m_view->recentre();
    QCOMPARE(strikes().first(), QStringLiteral("25700"));
    QCOMPARE(atm->text(), QStringLiteral("ATM 26200"));
    m_view->setMarketData(nullptr, QString());
}

void tst_OptionChainView::columnsWithoutDataCollapse()
{
    using M = OptionChainModel;
    auto *table = child<QTableView>("chainTable");
    m_view->setColumnPreset(QStringLiteral("prices"));
    m_view->setStrikeWindow(5);
    openNifty();
    // No numbers yet: the preset's columns, each saying "—".
    QVERIFY(!table->isColumnHidden(M::CallBidColumn));
    QVERIFY(!table->isColumnHidden(M::PutAskColumn));
    QVERIFY(table->isColumnHidden(M::CallDeltaColumn)); // not in the preset

    // The simulated market has prices but no book: bid and ask collapse, LTP stays.
    InstrumentRepository repository;
    repository.publish(m_u.snapshot);
    SimulatedMarket market(repository, *m_clock);
    market.setUnderlyingPrice("NIFTY", *Price::parse("26040"));
    m_view->setMarketData(&market, QStringLiteral("simulated"));
    m_view->refreshQuotes();
    QVERIFY(table->isColumnHidden(M::CallBidColumn));
    QVERIFY(table->isColumnHidden(M::PutAskColumn));
    QVERIFY(!table->isColumnHidden(M::CallLtpColumn));
    QVERIFY(!table->isColumnHidden(M::PutLtpColumn));
    QVERIFY(!table->isColumnHidden(M::StrikeColumn));

    // The source goes: the preset as chosen again.
    m_view->setMarketData(nullptr, QString());
    QVERIFY(!table->isColumnHidden(M::CallBidColumn));
    m_view->setColumnPreset(QStringLiteral("standard"));
}

void tst_OptionChainView::allStrikesOpensCentredOnAtm()
{
    m_view->resize(1100, 220); // fewer rows fit than the chain has
    m_view->setStrikeWindow(5);
    openNifty();
    typeSpot(QStringLiteral("26480"));
    m_view->setStrikeWindow(0); // All strikes
    QCOMPARE(m_view->model().rowCount(), 13);
    auto *table = child<QTableView>("chainTable");
    const int atm = m_view->model().atmRow();
    QCOMPARE(m_view->model().strikeAt(atm), std::optional<Price>(*Price::parse("26500")));
    const QRect cell =
        table->visualRect(m_view->model().index(atm, OptionChainModel::StrikeColumn));
    QVERIFY2(table->viewport()->rect().contains(cell),
             qPrintable(QStringLiteral("ATM row at y %1, viewport height %2")
                            .arg(cell.y())
                            .arg(table->viewport()->height())));
    QVERIFY(table->verticalScrollBar()->value() > 0); // not at the lowest strike
}

void tst_OptionChainView::underlyingCompletesLikeSearch()
{
    m_view->setSnapshot(m_u.snapshot);
    auto *edit = child<QLineEdit>("chainUnderlying");
    edit->clear();
    edit->setFocus();
    QTest::keyClicks(edit, QStringLiteral("bank"));
    const QAbstractItemModel *completions = edit->completer()->model();
    QVERIFY(completions->rowCount() >= 2);
    QCOMPARE(completions->index(0, 0).data().toString(), QStringLiteral("BANKNIFTY"));
    QCOMPARE(completions->index(1, 0).data().toString(), QStringLiteral("BANKBARODA"));
    edit->completer()->popup()->hide();
    QTest::keyClick(edit, Qt::Key_Return); // what search ranks first
    QCOMPARE(m_view->underlyingSymbol(), QStringLiteral("BANKNIFTY"));
    QVERIFY(child<QTableView>("chainTable")->isVisible());
}

QTEST_MAIN(tst_OptionChainView)
#include "tst_optionchainview.moc"
