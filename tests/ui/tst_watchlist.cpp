// The market watch: the list model (rows by key, add / remove / move, exactly the changed cells
// on a refresh, staleness, a key the master no longer lists), checked with
// QAbstractItemModelTester; and the panel's named lists, persisted in the settings.

#include "QuoteTable.h"
#include "RecordFactory.h"
#include "marketdata/MarketData.h"
#include "watch/WatchListModel.h"
#include "watch/WatchPanel.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTest>

#include <map>

using namespace strikeline;
using namespace strikeline::testing;
using strikeline::ui::WatchListModel;
using strikeline::ui::WatchPanel;

namespace {

const EpochDay Today = day(2025, 12, 9);

struct Universe
{
    SnapshotPtr snapshot;
    std::string future, call, equity;
};

Universe buildUniverse()
{
    RecordFactory f;
    SnapshotBuilder b;
    Universe u;
    const std::string index = "NSE_INDEX|Nifty 50";
    b.add(f.index("NIFTY", index, "Nifty 50"));
    InstrumentRecord future = f.future("NIFTY", day(2025, 12, 30), 75, Segment::NseFo, index);
    u.future = future.instrumentKey;
    b.add(std::move(future));
    InstrumentRecord call =
        f.option("NIFTY", day(2025, 12, 16), "26000", true, 75, true, Segment::NseFo, index);
    u.call = call.instrumentKey;
    b.add(std::move(call));
    InstrumentRecord equity = f.equity("RELIANCE", "RELIANCE INDUSTRIES LTD");
    u.equity = equity.instrumentKey;
    b.add(std::move(equity));
    u.snapshot = b.build(MasterInfo{});
    return u;
}

QString q(const std::string &s)
{
    return QString::fromStdString(s);
}

} // namespace

class tst_WatchList final : public QObject
{
    Q_OBJECT

    Universe m_u = buildUniverse();
    FixedClock m_clock{IstMoment::fromDay(Today, 10 * 60)};

    Quote quote(std::int64_t lastRupees, std::int64_t closeRupees, std::int64_t ageMs = 0,
                bool simulated = false) const
    {
        Quote quote;
        quote.last = Price::fromRupees(lastRupees);
        quote.previousClose = Price::fromRupees(closeRupees);
        quote.timeMs = m_clock.now().epochMs - ageMs;
        quote.simulated = simulated;
        return quote;
    }

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void init() { QSettings().clear(); }

    void rowsByKey()
    {
        WatchListModel model(m_clock);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSnapshot(m_u.snapshot);
        QSignalSpy keys(&model, &WatchListModel::keysChanged);
        QCOMPARE(model.add(q(m_u.future)), 0);
        QCOMPARE(model.add(q(m_u.call)), 1);
        QCOMPARE(model.add(q(m_u.future)), 0); // already there: not twice
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(keys.count(), 2);
        QCOMPARE(model.index(0, WatchListModel::SymbolColumn).data().toString(),
                 QStringLiteral("NIFTY FUT 30 DEC 25"));
        QVERIFY(model.index(0, 0).data(Qt::ToolTipRole).toString().contains(q(m_u.future)));
        QVERIFY(model.move(0, +1));
        QCOMPARE(model.keys(), (QStringList{q(m_u.call), q(m_u.future)}));
        QVERIFY(!model.move(1, +1)); // the last row goes nowhere further
        QVERIFY(model.move(1, -1));
        QCOMPARE(model.keys(), (QStringList{q(m_u.future), q(m_u.call)}));
        model.remove(0);
        QCOMPARE(model.keys(), QStringList{q(m_u.call)});
        model.setKeys({q(m_u.equity), q(m_u.equity), QString(), q(m_u.future)});
        QCOMPARE(model.keys(), (QStringList{q(m_u.equity), q(m_u.future)}));
    }

    void aRefreshRepaintsOnlyWhatChanged()
    {
        testing::QuoteTable market;
        market.quotes[m_u.future] = quote(26100, 26000);
        market.quotes[m_u.call] = quote(120, 100);
        WatchListModel model(m_clock);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSnapshot(m_u.snapshot);
        model.setMarketData(&market);
        model.setKeys({q(m_u.future), q(m_u.call)});
        QCOMPARE(model.index(0, WatchListModel::LtpColumn).data().toString(),
                 QStringLiteral("26100.00"));
        QCOMPARE(model.index(0, WatchListModel::ChangeColumn).data().toString(),
                 QStringLiteral("+100.00"));
        QCOMPARE(model.index(0, WatchListModel::ChangePercentColumn).data().toString(),
                 QStringLiteral("+0.38%"));
        QCOMPARE(model.index(1, WatchListModel::BidColumn).data().toString(),
                 QStringLiteral("—"));                            // no depth from this source
        QVERIFY(!model.columnHasData(WatchListModel::BidColumn)); // the view collapses it
        QVERIFY(model.columnHasData(WatchListModel::LtpColumn));
        QSignalSpy columns(&model, &WatchListModel::columnsWithDataChanged);

        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        model.refresh(); // nothing moved: nothing to repaint
        QCOMPARE(changed.count(), 0);

        Quote call = quote(90, 100);
        call.bid = Price::fromRupees(89);
        call.bidQuantity = 750;
        call.volume = 52000;
        market.quotes[m_u.call] = call;
        model.refresh();
        QCOMPARE(changed.count(), 1); // one row, one span of cells
        const auto first = changed[0][0].value<QModelIndex>();
        const auto last = changed[0][1].value<QModelIndex>();
        QCOMPARE(first.row(), 1);
        QCOMPARE(last.row(), 1);
        QCOMPARE(first.column(), int(WatchListModel::LtpColumn));
        QCOMPARE(last.column(), int(WatchListModel::VolumeColumn));
        QCOMPARE(reset.count(), 0); // a tick never resets
        QCOMPARE(model.index(1, WatchListModel::ChangeColumn).data().toString(),
                 QStringLiteral("-10.00"));
        QCOMPARE(model.index(1, WatchListModel::BidColumn).data().toString(),
                 QStringLiteral("89.00 × 750"));
        QCOMPARE(model.index(1, WatchListModel::VolumeColumn).data().toString(),
                 QStringLiteral("52,000"));
        QCOMPARE(columns.count(), 1); // bid and volume now have something to show
        QVERIFY(model.columnHasData(WatchListModel::BidColumn));
        QVERIFY(!model.columnHasData(WatchListModel::AskColumn));

        m_clock.set(IstMoment{m_clock.now().epochMs + 5000}); // only the age moves
        changed.clear();
        model.refresh();
        QCOMPARE(changed.count(), 2);
        for (const auto &signal : changed) {
            QCOMPARE(signal[0].value<QModelIndex>().column(), int(WatchListModel::AgeColumn));
            QCOMPARE(signal[1].value<QModelIndex>().column(), int(WatchListModel::AgeColumn));
        }
        QCOMPARE(model.index(0, WatchListModel::AgeColumn).data().toString(), QStringLiteral("5s"));
        m_clock.set(IstMoment::fromDay(Today, 10 * 60));
    }

    void aTinyMoveIsNotANegativeZero()
    {
        testing::QuoteTable market;
        Quote tiny = quote(26100, 26100);
        tiny.last = Price::fromRaw(tiny.last.raw() - 500); // 0.05 below: -0.0002 %
        market.quotes[m_u.future] = tiny;
        WatchListModel model(m_clock);
        model.setSnapshot(m_u.snapshot);
        model.setMarketData(&market);
        model.setKeys({q(m_u.future)});
        QCOMPARE(model.index(0, WatchListModel::ChangeColumn).data().toString(),
                 QStringLiteral("-0.05"));
        QCOMPARE(model.index(0, WatchListModel::ChangePercentColumn).data().toString(),
                 QStringLiteral("0.00%"));
    }

    void aStaleLivePriceGreysItsRow()
    {
        testing::QuoteTable market;
        market.quotes[m_u.future] = quote(26100, 26000, 45'000);
        market.quotes[m_u.call] = quote(120, 100, 45'000, /*simulated=*/true);
        WatchListModel model(m_clock);
        model.setSnapshot(m_u.snapshot);
        model.setMarketData(&market);
        model.setKeys({q(m_u.future), q(m_u.call)});
        const auto grey = [&](int row) {
            return model.index(row, WatchListModel::LtpColumn).data(Qt::ForegroundRole).isValid();
        };
        QVERIFY(grey(0));  // a live price 45 s old is stale
        QVERIFY(!grey(1)); // a simulated one is made on demand: never stale
        QVERIFY(model.index(0, WatchListModel::AgeColumn)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(QLatin1String("stale")));
        QCOMPARE(model.index(0, WatchListModel::AgeColumn).data().toString(),
                 QStringLiteral("45s"));
    }

    void aKeyTheMasterNoLongerListsStays()
    {
        WatchListModel model(m_clock);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSnapshot(m_u.snapshot);
        model.setKeys({QStringLiteral("NSE_FO|99999"), q(m_u.future)});
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.index(0, 0).data().toString(), QStringLiteral("NSE_FO|99999"));
        QVERIFY(model.index(0, 0)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(QLatin1String("not in this master")));
        model.setSnapshot({}); // no master at all: every row waits, none is lost
        QCOMPARE(model.rowCount(), 2);
        model.setSnapshot(m_u.snapshot);
        QCOMPARE(model.index(1, 0).data().toString(), QStringLiteral("NIFTY FUT 30 DEC 25"));
    }

    void namedListsPersist()
    {
        {
            WatchPanel panel(m_clock);
            panel.setSnapshot(m_u.snapshot);
            QCOMPARE(panel.currentList(), QStringLiteral("Watch list 1"));
            QVERIFY(panel.addKey(q(m_u.future)));
            QString why;
            QVERIFY(!panel.addKey(q(m_u.future), &why));
            QVERIFY(why.contains(QLatin1String("already")));
            QVERIFY(panel.createList(QStringLiteral("Weekly options")));
            QVERIFY(!panel.createList(QStringLiteral("weekly OPTIONS"), &why)); // one name once
            QVERIFY(!panel.createList(QStringLiteral("  "), &why));
            QVERIFY(panel.addKey(q(m_u.call)));
            QVERIFY(panel.addKey(q(m_u.equity)));
            QCOMPARE(panel.allKeys(), (QStringList{q(m_u.future), q(m_u.call), q(m_u.equity)}));
            QVERIFY(panel.renameList(QStringLiteral("Weeklies")));
        }
        WatchPanel again(m_clock); // a restart
        again.setSnapshot(m_u.snapshot);
        QCOMPARE(again.currentList(), QStringLiteral("Weeklies"));
        QCOMPARE(again.model().keys(), (QStringList{q(m_u.call), q(m_u.equity)}));
        QVERIFY(again.selectList(QStringLiteral("Watch list 1")));
        QCOMPARE(again.model().keys(), QStringList{q(m_u.future)});
        QVERIFY(again.deleteCurrentList());
        QCOMPARE(again.currentList(), QStringLiteral("Weeklies"));
        QVERIFY(!again.deleteCurrentList()); // there is always one list
    }

    void keysOfTheListRemoveAndReorder()
    {
        WatchPanel panel(m_clock);
        panel.setSnapshot(m_u.snapshot);
        panel.addKey(q(m_u.future));
        panel.addKey(q(m_u.call));
        panel.addKey(q(m_u.equity));
        panel.show();
        panel.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&panel));
        QTableView *view = panel.view();
        view->setFocus();
        view->selectRow(2);
        QTest::keyClick(view, Qt::Key_Up, Qt::ControlModifier);
        QCOMPARE(panel.model().keys(), (QStringList{q(m_u.future), q(m_u.equity), q(m_u.call)}));
        QTest::keyClick(view, Qt::Key_Delete);
        QCOMPARE(panel.model().keys(), (QStringList{q(m_u.future), q(m_u.call)}));
        QCOMPARE(view->currentIndex().row(), 1);
    }

    void unreadableSettingsGiveOneEmptyList()
    {
        QSettings().setValue(QStringLiteral("watch/lists"), QByteArray("{not json"));
        const auto lists = ui::loadWatchLists();
        QCOMPARE(lists.size(), std::size_t(1));
        QVERIFY(lists.front().keys.isEmpty());
    }
};

QTEST_MAIN(tst_WatchList)
#include "tst_watchlist.moc"
