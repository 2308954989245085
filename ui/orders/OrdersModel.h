#pragma once

#include "instruments/InstrumentSnapshot.h"
#include "orders/BrokerGateway.h"
#include "orders/OrderService.h"

#include <QAbstractTableModel>

#include <vector>

namespace strikeline::ui {

// Today's orders from the order service's book (RAM, never the database): newest parent first,
// a sliced order's children right under it. Presents only.
class OrdersModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column : int {
        TimeColumn,
        SymbolColumn,
        SideColumn,
        TypeColumn,
        QuantityColumn,
        PriceColumn,
        StatusColumn,
        FilledColumn,
        AveragePriceColumn,
        ClientIdColumn,
        BrokerIdColumn,
        ReasonColumn,
        ColumnCount
    };
    enum Role : int {
        ClientOrderIdRole = Qt::UserRole + 1, // QString
        OpenRole,                             // bool: can still be cancelled
    };

    explicit OrdersModel(QObject *parent = nullptr);
    ~OrdersModel() override;

    // The book as the service lists it (creation order); one reset.
    void setOrders(std::vector<OrderState> orders);
    const OrderState *orderAt(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QString text(const OrderState &order, int column) const;

    std::vector<OrderState> m_rows; // display order
};

// Positions from the broker, with P&L.
class PositionsModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column : int {
        KeyColumn,
        NetQuantityColumn,
        AveragePriceColumn,
        LastPriceColumn,
        UnrealisedColumn,
        RealisedColumn,
        ColumnCount
    };

    explicit PositionsModel(QObject *parent = nullptr);
    ~PositionsModel() override;

    // Replaces the rows; a changed row count resets, otherwise dataChanged (prices tick).
    // With a snapshot, contracts show as trading symbols (the key in the tooltip).
    void setPositions(std::vector<Position> positions, SnapshotPtr snapshot = {});

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    std::vector<Position> m_rows;
    SnapshotPtr m_snapshot;
};

// "Filled", "Partially filled", ... as a trader reads an order status.
QString orderStatusText(OrderStatus status);

} // namespace strikeline::ui
