#pragma once

#include "instruments/InstrumentSnapshot.h"
#include "orders/OrderService.h"
#include "orders/PositionBook.h"

#include <QAbstractTableModel>

#include <vector>

namespace strikeline::ui {

// Today's orders from the order service's book (RAM, never the database): newest parent first,
// a sliced order's children right under it. Presents only: quantities with their unit (lots on
// MCX), prices on the contract's tick (core's formatters, orders/ContractValue.h, Money.h).
class OrdersModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    // Left to right by what a trader scans for first: at 1280 px (about 900 px for the tab)
    // everything up to the reason is in view without scrolling (tst_ordersmodels). The price
    // column already says MKT / SL-M, so the type and product can sit further right.
    enum Column : int {
        TimeColumn,
        SymbolColumn,
        SideColumn,
        QuantityColumn,
        PriceColumn,
        StatusColumn,
        ClientIdColumn,
        ReasonColumn,
        FilledColumn,
        AveragePriceColumn,
        TypeColumn,
        VenueColumn,    // PAPER, LIVE, or LIVE (external: placed in the broker's app)
        BrokerIdColumn, // last: stretched, left-aligned under a left-aligned label
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
    void applyRows(std::vector<OrderState> rows);
    QString text(const OrderState &order, int column) const;

    std::vector<OrderState> m_rows; // display order
};

// Positions folded from the journaled fills (OrderService::positions), paper and live apart (a
// row per venue and contract: Venue column), with P&L in rupees (Indian grouping); quantities in
// lots on MCX.
class PositionsModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column : int {
        KeyColumn,
        VenueColumn,
        NetQuantityColumn,
        AveragePriceColumn,
        LastPriceColumn,
        UnrealisedColumn,
        RealisedColumn,
        ColumnCount
    };
    // Every cell of a row answers its contract's instrument key (what the selection reads).
    static constexpr int InstrumentKeyRole = Qt::UserRole + 1;

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

// Why generated client order ids skip numbers (the tooltip of the client id column).
QString clientOrderIdExplanation();

// "Filled", "Partially filled", ... as a trader reads an order status.
QString orderStatusText(OrderStatus status);

} // namespace strikeline::ui
