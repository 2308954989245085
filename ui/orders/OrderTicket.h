#pragma once

#include "common/IstTime.h"
#include "instruments/InstrumentSnapshot.h"
#include "orders/Order.h"

#include <QDialog>
#include <QStringList>

#include <functional>
#include <optional>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace strikeline {
class MarketData;
struct Quote;
} // namespace strikeline

namespace strikeline::ui {

// F1 / F2: one contract's order ticket, its side and symbol in large type at the top. Quantity
// in lots (units shown; empty, zero or text is an error, never a silent 1), price and trigger
// with exact tick stepping (Up/Down one tick, PgUp/PgDn ten), type, product, validity; the
// core validator runs on every change and on every new price (RAM only, microseconds) against
// the LTP shown, and its reasons are shown as they are; the slicing plan is previewed.
// Submit needs an explicit action -- the Submit button (Tab reaches it after the quantity,
// price and trigger) or Ctrl+Enter; Enter in a field sends nothing, so a stray Enter never
// places an order. It is possible only when the validator has no error; a MARKET or SL-M order
// asks for a second confirmation. F1 / F2 flip the side. The ticket only composes the request:
// the caller sends the accepted one (submitted()).
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
    // With a clock the LTP line says how old the price is.
    void setClock(const Clock *clock);

    // The request as the fields say now; nullopt while a field does not parse (quantity or
    // price text).
    std::optional<OrderRequest> request() const;
    const Verdict &verdict() const { return m_verdict; }
    QString problemText() const; // the messages shown, one per line

    // As the trader would: for tests and the palette.
    void setSide(Side side);
    void setLots(int lots);
    void setQuantityText(const QString &text); // as typed: "", "0" and "abc" are errors
    void setOrderType(OrderType type);
    void setPriceText(const QString &text);
    void setTriggerText(const QString &text);
    void stepPrice(int ticks); // the +/- buttons

    // Live or paper: paper unless the trader ticks "Send live to Upstox" (Ctrl+L), which is
    // possible only while `available` (an active Upstox session); `why` says otherwise. A live
    // ticket looks different at once: a red LIVE banner and "Send LIVE" on the button.
    void setLiveAvailable(bool available, const QString &why);
    void setLive(bool live);
    bool isLive() const;

    // "What happens if I send this": the broker's margin for these terms and the funds free,
    // as the caller found them (the ticket asks nothing of a network itself). `short_` colours
    // it as a warning: the funds do not cover it.
    void setMarginText(const QString &text, bool shortOfFunds = false);
    QString marginText() const;

Q_SIGNALS:
    void submitted(const strikeline::OrderRequest &request);
    // The terms parse and changed (quantity, price, type, product, side, live): the caller may
    // ask the broker what they would block. Not emitted while a field does not parse.
    void termsChanged(const strikeline::OrderRequest &request);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;

public Q_SLOTS:
    // Submit / Ctrl+Enter: validates again at the latest price, confirms a market order, emits.
    void accept() override;
    // A new price: the LTP line, its age and the checks follow (the same quote for all).
    void refreshQuote();

private:
    void buildUi();
    void revalidate();
    void updateSideLook();
    void showQuote();
    void stepField(QLineEdit *edit, int ticks);
    void stepLots(int lots);
    std::optional<Price> parsedPrice(const QLineEdit *edit) const;
    std::optional<std::int64_t> parsedLots(QString *error = nullptr) const;

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
    QStringList m_inputErrors; // fields that do not parse, as shown
    const Clock *m_clock = nullptr;

    QLabel *m_header = nullptr;
    QPushButton *m_buyButton = nullptr;
    QPushButton *m_sellButton = nullptr;
    QLineEdit *m_lots = nullptr;
    QLabel *m_lotsUnit = nullptr;
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
    QLabel *m_hint = nullptr;
    QPushButton *m_submit = nullptr;
    QCheckBox *m_live = nullptr;
    QLabel *m_venue = nullptr;  // PAPER / LIVE banner under the header
    QLabel *m_margin = nullptr; // the broker's margin for the terms, funds free
    std::optional<OrderRequest> m_lastTerms;
    QPushButton *m_cancel = nullptr;
};

} // namespace strikeline::ui
