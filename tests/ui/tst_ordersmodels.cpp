// The orders and positions tables: rows as the book says, slices under their parent.

#include "orders/OrdersModel.h"
#include "orders/OrdersPanel.h"

#include <QAbstractItemModelTester>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

using namespace strikeline;
using strikeline::ui::OrdersModel;
using strikeline::ui::PositionsModel;

namespace {

OrderState order(const char *id, OrderStatus status, std::int64_t qty, std::int64_t createdAt,
                 const char *parent = "", int slice = 0)
{
    OrderState o;
    o.clientOrderId = id;
    o.parentClientOrderId = parent;
    o.sliceIndex = slice;
    o.status = status;
    o.request.instrumentKey = "NSE_FO|1";
    o.request.side = Side::Buy;
    o.request.type = OrderType::Limit;
    o.request.quantity = qty;
    o.request.price = Price::fromPaise(10105);
    o.contract.tradingSymbol = "NIFTY 26000 CE 30 DEC 25";
    o.createdAtMs = createdAt;
    return o;
}

} // namespace

class tst_OrdersModels : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void newestFirstWithSlicesUnderTheirParent()
    {
        OrdersModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        std::vector<OrderState> book;
        book.push_back(order("A", OrderStatus::Filled, 75, 1000));
        book.push_back(order("B", OrderStatus::PartiallyFilled, 3750, 2000));
        book.push_back(order("B.02", OrderStatus::Acknowledged, 1800, 2000, "B", 2));
        book.push_back(order("B.01", OrderStatus::Filled, 1800, 2000, "B", 1));
        book.push_back(order("B.03", OrderStatus::Acknowledged, 150, 2000, "B", 3));
        book[1].filledQuantity = 1800;
        book.push_back(order("C", OrderStatus::Rejected, 1, 3000));
        book.back().reason = "Quantity 1 is not a multiple of the lot size 75";
        model.setOrders(book);

        QCOMPARE(model.rowCount(), 6);
        const auto id = [&](int row) {
            return model.index(row, 0).data(OrdersModel::ClientOrderIdRole).toString();
        };
        QCOMPARE(id(0), QStringLiteral("C"));
        QCOMPARE(id(1), QStringLiteral("B"));
        QCOMPARE(id(2), QStringLiteral("B.01"));
        QCOMPARE(id(3), QStringLiteral("B.02"));
        QCOMPARE(id(4), QStringLiteral("B.03"));
        QCOMPARE(id(5), QStringLiteral("A"));
        QCOMPARE(model.index(2, OrdersModel::SymbolColumn).data().toString(),
                 QStringLiteral("  ↳ slice 1"));
        QCOMPARE(model.index(1, OrdersModel::StatusColumn).data().toString(),
                 QStringLiteral("Partially filled"));
        QCOMPARE(model.index(1, OrdersModel::FilledColumn).data().toString(),
                 QStringLiteral("1800 / 3750"));
        QCOMPARE(model.index(0, OrdersModel::ReasonColumn).data().toString(),
                 QStringLiteral("Quantity 1 is not a multiple of the lot size 75"));
        QCOMPARE(model.index(5, OrdersModel::PriceColumn).data().toString(),
                 QStringLiteral("101.05"));
        // Only open orders can be cancelled.
        QVERIFY(model.index(1, 0).data(OrdersModel::OpenRole).toBool());
        QVERIFY(!model.index(0, 0).data(OrdersModel::OpenRole).toBool());
        QVERIFY(!model.index(5, 0).data(OrdersModel::OpenRole).toBool());

        model.setOrders({});
        QCOMPARE(model.rowCount(), 0);
    }

    void ordersUpdateInPlaceNeverReset()
    {
        ui::OrdersModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        OrderState a = order("A", OrderStatus::Sent, 75, 1000);
        a.lastSequence = 1;
        model.setOrders({a});
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy inserts(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy changes(&model, &QAbstractItemModel::dataChanged);
        // A acknowledged, B new (on top), then B's two slices under it.
        a.status = OrderStatus::Acknowledged;
        a.lastSequence = 2;
        OrderState b = order("B", OrderStatus::Sent, 150, 2000);
        b.lastSequence = 3;
        model.setOrders({a, b});
        QCOMPARE(resets.count(), 0);
        QCOMPARE(inserts.count(), 1);
        QCOMPARE(inserts.at(0).at(1).toInt(), 0); // the newest first
        QCOMPARE(changes.count(), 1);
        QCOMPARE(changes.at(0).at(0).toModelIndex().row(), 1); // A moved down one, changed
        QCOMPARE(model.index(1, ui::OrdersModel::StatusColumn).data().toString(),
                 QStringLiteral("Open"));
        OrderState b1 = order("B.01", OrderStatus::Sent, 75, 2000);
        b1.parentClientOrderId = "B";
        b1.sliceIndex = 1;
        OrderState b2 = b1;
        b2.clientOrderId = "B.02";
        b2.sliceIndex = 2;
        model.setOrders({a, b, b1, b2});
        QCOMPARE(resets.count(), 0);
        QCOMPARE(inserts.count(), 2);
        QCOMPARE(inserts.at(1).at(1).toInt(), 1); // right under their parent
        QCOMPARE(inserts.at(1).at(2).toInt(), 2);
        QCOMPARE(model.index(3, ui::OrdersModel::ClientIdColumn).data().toString(),
                 QStringLiteral("A"));
        // Nothing changed: nothing said.
        changes.clear();
        model.setOrders({a, b, b1, b2});
        QCOMPARE(changes.count(), 0);
        // Another day's book (fewer orders): a reset.
        model.setOrders({b});
        QCOMPARE(resets.count(), 1);
        QCOMPARE(model.rowCount(), 1);
    }

    // Paper and live positions in the same contract are two rows, live first and marked; a venue
    // changing under the same contract is new rows (a reset), never a relabelled row.
    void livePositionsAreTheirOwnRows()
    {
        PositionsModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        Position paper;
        paper.instrumentKey = "NSE_FO|1";
        paper.netQuantity = 75;
        paper.averagePrice = Price::fromRupees(100);
        Position live = paper;
        live.venue = Venue::Upstox;
        live.netQuantity = -30;
        model.setPositions({paper, live});
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.index(0, PositionsModel::VenueColumn).data().toString(),
                 QStringLiteral("LIVE"));
        QCOMPARE(model.index(0, PositionsModel::NetQuantityColumn).data().toString(),
                 QStringLiteral("-30"));
        QVERIFY(model.index(0, PositionsModel::VenueColumn).data(Qt::ForegroundRole).isValid());
        QCOMPARE(model.index(1, PositionsModel::VenueColumn).data().toString(),
                 QStringLiteral("PAPER"));
        QVERIFY(!model.index(1, PositionsModel::VenueColumn).data(Qt::ForegroundRole).isValid());
        QCOMPARE(model.headerData(PositionsModel::VenueColumn, Qt::Horizontal).toString(),
                 QStringLiteral("Venue"));
        model.setPositions({paper});
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        model.setPositions({live}); // the same contract, the other venue: not the same row
        QCOMPARE(reset.count(), 1);
        QCOMPARE(model.index(0, PositionsModel::VenueColumn).data().toString(),
                 QStringLiteral("LIVE"));
    }

    void positionsTickInPlace()
    {
        PositionsModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        Position p;
        p.instrumentKey = "NSE_FO|1";
        p.netQuantity = 75;
        p.averagePrice = Price::fromRupees(100);
        p.lastPrice = Price::fromRupees(102);
        p.unrealisedPnl = Money::fromRupees(150);
        model.setPositions({p});
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.index(0, PositionsModel::UnrealisedColumn).data().toString(),
                 QStringLiteral("150.00"));
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        p.lastPrice = Price::fromRupees(99);
        p.unrealisedPnl = Money::fromRupees(-75);
        model.setPositions({p}); // same contracts: a tick, not a reset
        QCOMPARE(reset.count(), 0);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(model.index(0, PositionsModel::UnrealisedColumn).data().toString(),
                 QStringLiteral("-75.00"));
        // The last price says where and when it was made.
        QCOMPARE(model.index(0, PositionsModel::LastPriceColumn).data(Qt::ToolTipRole).toString(),
                 QString());
        p.lastPriceMs = IstMoment::fromDay(20686, 10 * 60).epochMs + 1500; // 10:00:01 IST
        model.setPositions({p});
        QCOMPARE(model.index(0, PositionsModel::LastPriceColumn).data(Qt::ToolTipRole).toString(),
                 QStringLiteral("Last tick at 10:00:01 IST"));
        p.lastPriceSimulated = true;
        model.setPositions({p});
        QCOMPARE(model.index(0, PositionsModel::LastPriceColumn).data(Qt::ToolTipRole).toString(),
                 QStringLiteral("Simulated price at 10:00:01 IST"));
        Position noPrice = p;
        noPrice.lastPrice.reset();
        model.setPositions({noPrice});
        QVERIFY(model.index(0, PositionsModel::LastPriceColumn)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .startsWith(QStringLiteral("No last price")));
        Position q = p;
        q.instrumentKey = "NSE_FO|2";
        model.setPositions({p, q});
        QCOMPARE(reset.count(), 1);
        QCOMPARE(model.rowCount(), 2);
    }

    void quantitiesWithTheirUnitPricesOnTheTick()
    {
        OrdersModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        OrderState crude = order("SL251209-5", OrderStatus::PartiallyFilled, 3, 1000);
        crude.contract.segment = "MCX_FO";
        crude.contract.tradingSymbol = "CRUDEOIL FUT 19 DEC 25";
        crude.contract.tickSize = Price::fromRupees(1);
        crude.request.price = Price::fromRupees(5258);
        crude.filledQuantity = 1;
        crude.averagePrice = Price::fromRupees(5258);
        OrderState usd = order("SL251209-B", OrderStatus::Acknowledged, 4, 2000);
        usd.contract.segment = "NCD_FO";
        usd.contract.tickSize = *Price::parse("0.0025");
        usd.request.price = *Price::parse("88.2525");
        OrderState one = order("SL251209-G", OrderStatus::Acknowledged, 1, 3000);
        one.contract.segment = "MCX_FO";
        model.setOrders({crude, usd, one});
        // Newest first: one, usd, crude.
        QCOMPARE(model.index(2, OrdersModel::QuantityColumn).data().toString(),
                 QStringLiteral("3 lots"));
        QCOMPARE(model.index(0, OrdersModel::QuantityColumn).data().toString(),
                 QStringLiteral("1 lot"));
        QCOMPARE(model.index(2, OrdersModel::FilledColumn).data().toString(),
                 QStringLiteral("1 / 3 lots"));
        QCOMPARE(model.index(2, OrdersModel::PriceColumn).data().toString(),
                 QStringLiteral("5258.00"));
        QCOMPARE(model.index(2, OrdersModel::AveragePriceColumn).data().toString(),
                 QStringLiteral("5258.00"));
        QCOMPARE(model.index(1, OrdersModel::QuantityColumn).data().toString(),
                 QStringLiteral("4")); // currency: units (lot 1)
        QCOMPARE(model.index(1, OrdersModel::PriceColumn).data().toString(),
                 QStringLiteral("88.2525"));
        // Generated ids skip numbers: the table says why.
        const QString why =
            model.index(0, OrdersModel::ClientIdColumn).data(Qt::ToolTipRole).toString();
        QVERIFY2(why.contains(QLatin1String("no order is missing")), qPrintable(why));
        QCOMPARE(model.headerData(OrdersModel::ClientIdColumn, Qt::Horizontal, Qt::ToolTipRole)
                     .toString(),
                 why);
        // Labels sit over their values: numbers right, text left.
        QCOMPARE(
            model.headerData(OrdersModel::QuantityColumn, Qt::Horizontal, Qt::TextAlignmentRole)
                .toInt(),
            model.index(0, OrdersModel::QuantityColumn).data(Qt::TextAlignmentRole).toInt());
        QCOMPARE(
            model.headerData(OrdersModel::BrokerIdColumn, Qt::Horizontal, Qt::TextAlignmentRole)
                .toInt(),
            model.index(0, OrdersModel::BrokerIdColumn).data(Qt::TextAlignmentRole).toInt());
    }

    void positionsInLotsAndIndianRupees()
    {
        PositionsModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        Position crude;
        crude.instrumentKey = "MCX_FO|472789";
        crude.netQuantity = -3;
        crude.qtyMultiplier = 100;
        crude.averagePrice = Price::fromRupees(5258);
        crude.lastPrice = Price::fromRupees(5255);
        crude.unrealisedPnl = Money::fromRupees(900);
        Position big;
        big.instrumentKey = "NSE_FO|1";
        big.netQuantity = 6500;
        big.averagePrice = Price::fromRupees(2000);
        big.realisedPnl = Money::fromRupees(13140000);
        model.setPositions({crude, big});
        QCOMPARE(model.index(0, PositionsModel::NetQuantityColumn).data().toString(),
                 QStringLiteral("-3 lots"));
        QCOMPARE(model.index(0, PositionsModel::UnrealisedColumn).data().toString(),
                 QStringLiteral("900.00"));
        const QString how =
            model.index(0, PositionsModel::UnrealisedColumn).data(Qt::ToolTipRole).toString();
        QVERIFY2(how.contains(QLatin1String("x 100 (qty multiplier)")), qPrintable(how));
        QCOMPARE(model.index(1, PositionsModel::NetQuantityColumn).data().toString(),
                 QStringLiteral("6500"));
        QCOMPARE(model.index(1, PositionsModel::RealisedColumn).data().toString(),
                 QStringLiteral("1,31,40,000.00"));
        QCOMPARE(model.index(1, PositionsModel::RealisedColumn).data(Qt::ToolTipRole).toString(),
                 QStringLiteral("Rs 1.31 Cr"));
    }

    void keyColumnsInViewAt1280()
    {
        // At 1280 px the window gives the tabs about 900 px (the Contract panel takes 340).
        ui::OrdersPanel panel;
        panel.resize(900, 600);
        OrderState rejected = order("SL251209-2K.01", OrderStatus::Rejected, 75, 1000);
        rejected.reason = "Quantity 1 is not a multiple of the lot size 75";
        panel.showOrders({rejected});
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        const QTableView *view = panel.ordersView();
        const int width = view->viewport()->width();
        for (const int column : {int(OrdersModel::ClientIdColumn), int(OrdersModel::StatusColumn)})
            QVERIFY2(view->columnViewportPosition(column) + view->columnWidth(column) <= width,
                     qPrintable(
                         QStringLiteral("column %1 ends at %2 of %3")
                             .arg(column)
                             .arg(view->columnViewportPosition(column) + view->columnWidth(column))
                             .arg(width)));
        // The reason starts in view with room for its first words.
        const int reason = view->columnViewportPosition(OrdersModel::ReasonColumn);
        QVERIFY2(reason >= 0 && reason + 150 <= width,
                 qPrintable(QStringLiteral("reason at %1 of %2").arg(reason).arg(width)));
        // The positions' last column does not stretch its numbers away from their label.
        auto *positions = panel.findChild<QTableView *>(QStringLiteral("positionsView"));
        QVERIFY(positions);
        QVERIFY(!positions->horizontalHeader()->stretchLastSection());
    }

    void panelSaysWhenPersistenceIsDelayedAndCancelsOpenOrders()
    {
        ui::OrdersPanel panel;
        panel.show();
        auto *label = panel.findChild<QLabel *>(QStringLiteral("persistenceLabel"));
        QCOMPARE(label->text(), QStringLiteral("Saved to the database"));
        PersistenceState delayed;
        delayed.kind = PersistenceState::Kind::Delayed;
        delayed.backlog = 12;
        delayed.lastError = QStringLiteral("connection refused");
        panel.showPersistence(delayed);
        QCOMPARE(label->text(), QStringLiteral("⚠ Persistence delayed: 12 events waiting"));
        QVERIFY(label->toolTip().contains(QLatin1String("connection refused")));
        panel.showPersistence({});
        QCOMPARE(label->text(), QStringLiteral("Saved to the database"));

        panel.showOrders({order("A", OrderStatus::Filled, 75, 1000),
                          order("B", OrderStatus::Acknowledged, 75, 2000)});
        auto *cancel = panel.findChild<QPushButton *>(QStringLiteral("cancelOrderButton"));
        QSignalSpy asked(&panel, &ui::OrdersPanel::cancelRequested);
        panel.ordersView()->selectRow(1); // A: filled
        QVERIFY(!cancel->isEnabled());
        panel.ordersView()->selectRow(0); // B: open
        QVERIFY(cancel->isEnabled());
        cancel->click();
        QCOMPARE(asked.count(), 1);
        QCOMPARE(asked.at(0).at(0).toString(), QStringLiteral("B"));
        // A refreshed book keeps the selection on the same order.
        panel.showOrders({order("A", OrderStatus::Filled, 75, 1000),
                          order("B", OrderStatus::Acknowledged, 75, 2000),
                          order("C", OrderStatus::Acknowledged, 75, 3000)});
        QCOMPARE(panel.ordersView()->currentIndex().data(ui::OrdersModel::ClientOrderIdRole),
                 QVariant(QStringLiteral("B")));
    }

    void panelModifiesWithF2AndDoubleClick()
    {
        ui::OrdersPanel panel;
        panel.show();
        OrderState live = order("L", OrderStatus::PendingCancel, 75, 2000);
        live.venue = Venue::Upstox;
        live.brokerStatus = "cancel pending";
        panel.showOrders({order("A", OrderStatus::Filled, 75, 1000), live});
        const ui::OrdersModel &model = panel.ordersModel();
        // Newest first: L, then A. A live order says so, with the broker's own words.
        QCOMPARE(model.index(0, ui::OrdersModel::VenueColumn).data().toString(),
                 QStringLiteral("LIVE"));
        QCOMPARE(model.index(0, ui::OrdersModel::StatusColumn).data().toString(),
                 QStringLiteral("Cancelling…"));
        QVERIFY(model.index(0, ui::OrdersModel::StatusColumn)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(QLatin1String("cancel pending")));
        QCOMPARE(model.index(1, ui::OrdersModel::VenueColumn).data().toString(),
                 QStringLiteral("PAPER"));
        QSignalSpy asked(&panel, &ui::OrdersPanel::modifyRequested);
        QTableView *view = panel.ordersView();
        view->setFocus();
        view->selectRow(1); // filled: nothing to modify
        QTest::keyClick(view, Qt::Key_F2);
        QCOMPARE(asked.count(), 0);
        view->selectRow(0);
        QTest::keyClick(view, Qt::Key_F2);
        QCOMPARE(asked.count(), 1);
        QCOMPARE(asked.at(0).at(0).toString(), QStringLiteral("L"));
        Q_EMIT view->doubleClicked(view->currentIndex());
        QCOMPARE(asked.count(), 2);
        QVERIFY(panel.findChild<QPushButton *>(QStringLiteral("modifyOrderButton"))->isEnabled());
    }
};

QTEST_MAIN(tst_OrdersModels)
#include "tst_ordersmodels.moc"
