#include "ModifyOrderDialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace strikeline::ui {

ModifyOrderDialog::ModifyOrderDialog(const OrderState &order, QWidget *parent)
    : QDialog(parent)
    , m_order(order)
{
    setObjectName(QStringLiteral("modifyOrderDialog"));
    setWindowTitle(QStringLiteral("Modify %1").arg(QString::fromStdString(order.clientOrderId)));
    const OrderRequest &r = order.request;
    auto *what = new QLabel(
        QStringLiteral("<b>%1 %2</b> · %3 · %4 filled of %5")
            .arg(QString::fromUtf8(sideName(r.side).data()),
                 QString::fromStdString(order.contract.tradingSymbol).toHtmlEscaped(),
                 order.venue == Venue::Upstox ? QStringLiteral("LIVE") : QStringLiteral("paper"))
            .arg(order.filledQuantity)
            .arg(r.quantity));
    m_price = new QLineEdit(needsLimitPrice(r.type) ? r.price.toQString(2) : QString());
    m_price->setObjectName(QStringLiteral("modifyPrice"));
    m_price->setEnabled(needsLimitPrice(r.type));
    m_quantity = new QLineEdit(QString::number(r.quantity));
    m_quantity->setObjectName(QStringLiteral("modifyQuantity"));
    m_trigger = new QLineEdit(needsTrigger(r.type) ? r.trigger.toQString(2) : QString());
    m_trigger->setObjectName(QStringLiteral("modifyTrigger"));
    m_trigger->setEnabled(needsTrigger(r.type) && !order.triggered);
    m_problem = new QLabel;
    m_problem->setObjectName(QStringLiteral("modifyProblem"));
    m_problem->setWordWrap(true);
    auto *form = new QFormLayout;
    form->addRow(QStringLiteral("Price"), m_price);
    form->addRow(order.contract.segment == "MCX_FO" ? QStringLiteral("Quantity (lots)")
                                                    : QStringLiteral("Quantity (units)"),
                 m_quantity);
    form->addRow(QStringLiteral("Trigger"), m_trigger);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons->button(QDialogButtonBox::Ok)->setText(QStringLiteral("Send modification"));
    connect(buttons, &QDialogButtonBox::accepted, this, &ModifyOrderDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &ModifyOrderDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(what);
    layout->addLayout(form);
    layout->addWidget(m_problem);
    layout->addWidget(buttons);
}

void ModifyOrderDialog::setPriceText(const QString &text)
{
    m_price->setText(text);
}

void ModifyOrderDialog::setQuantityText(const QString &text)
{
    m_quantity->setText(text);
}

void ModifyOrderDialog::setTriggerText(const QString &text)
{
    m_trigger->setText(text);
}

std::optional<OrderModification> ModifyOrderDialog::modification(QString *error) const
{
    const auto fail = [error](const QString &why) -> std::optional<OrderModification> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    OrderModification m;
    const OrderRequest &r = m_order.request;
    if (m_price->isEnabled()) {
        const std::optional<Price> price = Price::parse(m_price->text().trimmed().toStdString());
        if (!price || !price->isPositive())
            return fail(QStringLiteral("Price \"%1\" is not a price").arg(m_price->text()));
        if (*price != r.price)
            m.price = *price;
    }
    if (m_trigger->isEnabled()) {
        const std::optional<Price> trigger =
            Price::parse(m_trigger->text().trimmed().toStdString());
        if (!trigger || !trigger->isPositive())
            return fail(QStringLiteral("Trigger \"%1\" is not a price").arg(m_trigger->text()));
        if (*trigger != r.trigger)
            m.trigger = *trigger;
    }
    bool ok = false;
    const qlonglong quantity = m_quantity->text().trimmed().toLongLong(&ok);
    if (!ok || quantity <= 0)
        return fail(QStringLiteral("Quantity \"%1\" is not a whole number above 0")
                        .arg(m_quantity->text()));
    if (quantity != r.quantity)
        m.quantity = quantity;
    if (!m.price && !m.trigger && !m.quantity)
        return fail(QStringLiteral("Nothing changed"));
    return m;
}

void ModifyOrderDialog::accept()
{
    QString error;
    if (!modification(&error)) {
        m_problem->setText(error);
        return;
    }
    QDialog::accept();
}

} // namespace strikeline::ui
