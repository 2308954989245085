#pragma once

#include "orders/OrderService.h"

#include <QDialog>

class QLabel;
class QLineEdit;

namespace strikeline::ui {

// F2 on a working order: its price, quantity and trigger, as they are now, to change. The
// fields are typed as exactly as the ticket's (a price to the tick, a quantity as a whole
// number); the order service validates the change like a new order before it is sent.
class ModifyOrderDialog final : public QDialog
{
    Q_OBJECT
public:
    ModifyOrderDialog(const OrderState &order, QWidget *parent = nullptr);

    // What changed, or why the fields do not parse (then nullopt and `error` says so).
    std::optional<OrderModification> modification(QString *error = nullptr) const;
    std::string clientOrderId() const { return m_order.clientOrderId; }

    void setPriceText(const QString &text);
    void setQuantityText(const QString &text);
    void setTriggerText(const QString &text);

public Q_SLOTS:
    void accept() override;

private:
    OrderState m_order;
    QLineEdit *m_price = nullptr;
    QLineEdit *m_quantity = nullptr;
    QLineEdit *m_trigger = nullptr;
    QLabel *m_problem = nullptr;
};

} // namespace strikeline::ui
