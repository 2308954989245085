// The orders and positions tables: rows as the book says, slices under their parent.

#include "orders/OrdersModel.h"
#include "orders/OrdersPanel.h"

#include <QAbstractItemModelTester>
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
        p.unrealisedPnl = Price::fromRupees(150);
        model.setPositions({p});
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.index(0, PositionsModel::UnrealisedColumn).data().toString(),
                 QStringLiteral("150.00"));
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        p.lastPrice = Price::fromRupees(99);
        p.unrealisedPnl = Price::fromRupees(-75);
        model.setPositions({p}); // same contracts: a tick, not a reset
        QCOMPARE(reset.count(), 0);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(model.index(0, PositionsModel::UnrealisedColumn).data().toString(),
                 QStringLiteral("-75.00"));
        Position q = p;
        q.instrumentKey = "NSE_FO|2";
        model.setPositions({p, q});
        QCOMPARE(reset.count(), 1);
        QCOMPARE(model.rowCount(), 2);
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
};

QTEST_MAIN(tst_OrdersModels)
#include "tst_ordersmodels.moc"
