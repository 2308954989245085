#pragma once

#include "common/IstTime.h"
#include "instruments/InstrumentSnapshot.h"
#include "orders/Order.h"

#include <QDialog>

#include <functional>
#include <optional>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace strikeline {
class MarketData;
}

namespace strikeline::ui {

// F1 / F2: one contract's order ticket. Quantity in lots (units shown), price and trigger with
// exact tick stepping, type, product, validity; the core validator runs on every change (RAM
// only, microseconds) and its reasons are shown as they are; the slicing plan is previewed.
// Submit (Enter) is possible only when the validator has no error; a MARKET or SL-M order asks
// for an explicit second confirmation. The ticket only composes the request: the caller sends
// the accepted one (submitted()).
class OrderTicket final : public QDialog
{
    Q_OBJECT
public:
    using Validate = std::function<Verdict(const OrderRequest &)>;
    // Asks "are you sure" for a market order; true to send. Replaceable for tests.
    using Confirm = std::function<bool(QWidget *parent, const QString &question)>;

    OrderTicket(SnapshotPtr snapshot, InstrumentId contract, Side side, Validate validate,
                const MarketData *market, QWidget *parent = nullptr);
    ~OrderTicket() override;

    void setConfirm(Confirm confirm) { m_confirm = std::move(confirm); }

    // The request as the fields say now; nullopt while a field does not parse (price text).
    std::optional<OrderRequest> request() const;
    const Verdict &verdict() const { return m_verdict; }
    QString problemText() const; // the messages shown, one per line

    // As the trader would: for tests and the palette.
    void setSide(Side side);
    void setLots(int lots);
    void setOrderType(OrderType type);
    void setPriceText(const QString &text);
    void setTriggerText(const QString &text);
    void stepPrice(int ticks); // the +/- buttons

Q_SIGNALS:
    void submitted(const strikeline::OrderRequest &request);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

public Q_SLOTS:
    void accept() override; // Enter / Submit: validates again, confirms a market order, emits

private:
    void buildUi();
    void revalidate();
    void updateSideLook();
    std::optional<Price> parsedPrice(const QLineEdit *edit) const;

    SnapshotPtr m_snapshot;
    InstrumentId m_contract;
    Validate m_validate;
    const MarketData *m_market;
    Confirm m_confirm;
    Side m_side;
    std::int32_t m_lot = 1;
    QuantityUnit m_unit = QuantityUnit::Units;
    Price m_tick;
    Verdict m_verdict;
    bool m_parseError = false;

    QPushButton *m_buyButton = nullptr;
    QPushButton *m_sellButton = nullptr;
    QSpinBox *m_lots = nullptr;
    QLabel *m_units = nullptr;
    QComboBox *m_type = nullptr;
    QLineEdit *m_price = nullptr;
    QLineEdit *m_trigger = nullptr;
    QPushButton *m_priceDown = nullptr;
    QPushButton *m_priceUp = nullptr;
    QComboBox *m_product = nullptr;
    QComboBox *m_validity = nullptr;
    QLabel *m_ltp = nullptr;
    QLabel *m_slices = nullptr;
    QLabel *m_problems = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace strikeline::ui
