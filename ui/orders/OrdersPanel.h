#pragma once

#include "instruments/InstrumentSnapshot.h"
#include "orders/OrderPersister.h"
#include "orders/OrderService.h"
#include "orders/PositionBook.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QTableView;

namespace strikeline::ui {

class OrdersModel;
class PositionsModel;

// F3: today's orders (sliced children under their parent) with status, fills and rejection
// reasons; the positions with P&L; and whether the database is keeping up ("persistence
// delayed" while it is away -- the journal on disk holds everything meanwhile).
class OrdersPanel final : public QWidget
{
    Q_OBJECT
public:
    explicit OrdersPanel(QWidget *parent = nullptr);
    ~OrdersPanel() override;

    const OrdersModel &ordersModel() const { return *m_orders; }
    const PositionsModel &positionsModel() const { return *m_positions; }
    QTableView *ordersView() const { return m_ordersView; }
    QTableView *positionsView() const { return m_positionsView; }

public Q_SLOTS:
    void showOrders(std::vector<strikeline::OrderState> orders);
    void showPositions(std::vector<strikeline::Position> positions,
                       strikeline::SnapshotPtr snapshot);
    void showPersistence(const strikeline::PersistenceState &state);
    // Orders cannot be placed at all (the journal could not be opened): say why.
    void showUnavailable(const QString &why);

Q_SIGNALS:
    void cancelRequested(const QString &clientOrderId);
    // F2 or a double-click on a working order: the trader wants to change its terms.
    void modifyRequested(const QString &clientOrderId);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void updateCancelButton();
    void requestModify();

    OrdersModel *m_orders = nullptr;
    PositionsModel *m_positions = nullptr;
    QTableView *m_ordersView = nullptr;
    QTableView *m_positionsView = nullptr;
    QLabel *m_persistence = nullptr;
    QLabel *m_summary = nullptr;
    QPushButton *m_cancel = nullptr;
    QPushButton *m_modify = nullptr;
};

} // namespace strikeline::ui
