#include "OrdersPanel.h"

#include "OrdersModel.h"
#include "common/Tables.h"
#include "theme/Theme.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QPushButton>
#include <QShortcut>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

namespace strikeline::ui {

namespace {

QTableView *makeTable(QAbstractItemModel *model, const char *name)
{
    QTableView *view = makeRowTable(model);
    view->setObjectName(QLatin1String(name));
    return view;
}

QLabel *heading(const QString &text)
{
    auto *label = new QLabel(text);
    QFont bold = label->font();
    bold.setBold(true);
    label->setFont(bold);
    return label;
}

} // namespace

OrdersPanel::OrdersPanel(QWidget *parent)
    : QWidget(parent)
    , m_orders(new OrdersModel(this))
    , m_positions(new PositionsModel(this))
{
    m_persistence = new QLabel;
    m_persistence->setObjectName(QStringLiteral("persistenceLabel"));
    m_summary = new QLabel;
    m_summary->setObjectName(QStringLiteral("ordersSummary"));
    m_summary->setForegroundRole(QPalette::PlaceholderText);
    m_cancel = new QPushButton(QStringLiteral("Cancel order"));
    m_cancel->setObjectName(QStringLiteral("cancelOrderButton"));
    m_cancel->setToolTip(QStringLiteral("Cancel the selected open order (Delete)"));
    m_cancel->setEnabled(false);
    m_modify = new QPushButton(QStringLiteral("Modify…"));
    m_modify->setObjectName(QStringLiteral("modifyOrderButton"));
    m_modify->setToolTip(QStringLiteral("Change the selected open order's price, quantity or "
                                        "trigger (F2, or double-click it)"));
    m_modify->setEnabled(false);

    m_ordersView = makeTable(m_orders, "ordersView");
    const QFontMetrics fm = m_ordersView->fontMetrics();
    m_ordersView->setColumnWidth(OrdersModel::TimeColumn,
                                 fm.horizontalAdvance(QStringLiteral("Time (IST)")) + 16);
    m_ordersView->setColumnWidth(OrdersModel::SymbolColumn,
                                 fm.horizontalAdvance(QStringLiteral("NIFTY 26000 CE 30 DEC 25")) +
                                     16);
    m_ordersView->setColumnWidth(OrdersModel::SideColumn,
                                 fm.horizontalAdvance(QStringLiteral("SELL")) + 16);
    m_ordersView->setColumnWidth(OrdersModel::QuantityColumn,
                                 fm.horizontalAdvance(QStringLiteral("20 lots")) + 16);
    m_ordersView->setColumnWidth(OrdersModel::FilledColumn,
                                 fm.horizontalAdvance(QStringLiteral("10 / 20 lots")) + 16);
    m_ordersView->setColumnWidth(OrdersModel::AveragePriceColumn,
                                 fm.horizontalAdvance(QStringLiteral("Avg price")) + 16);
    m_ordersView->setColumnWidth(OrdersModel::TypeColumn,
                                 fm.horizontalAdvance(QStringLiteral("MARKET D")) + 16);
    // A typical limit; a stop's "(trg ...)" elides, its tooltip-free text is short enough.
    m_ordersView->setColumnWidth(OrdersModel::PriceColumn,
                                 fm.horizontalAdvance(QStringLiteral("26250.05 (trg")) + 16);
    m_ordersView->setColumnWidth(OrdersModel::StatusColumn,
                                 fm.horizontalAdvance(QStringLiteral("Partially filled")) + 16);
    m_ordersView->setColumnWidth(OrdersModel::ClientIdColumn,
                                 fm.horizontalAdvance(QStringLiteral("SL251209-2K.01")) + 16);
    m_ordersView->setColumnWidth(
        OrdersModel::ReasonColumn,
        fm.horizontalAdvance(QStringLiteral("after-market order: waits for the 09:15")) + 16);
    m_positionsView = makeTable(m_positions, "positionsView");
    // Numbers stay under their (right-aligned) labels instead of drifting to the far edge.
    m_positionsView->horizontalHeader()->setStretchLastSection(false);
    for (int c = PositionsModel::NetQuantityColumn; c < PositionsModel::ColumnCount; ++c)
        m_positionsView->setColumnWidth(
            c, std::max(fm.horizontalAdvance(QStringLiteral("-1,23,45,678.00")),
                        fm.horizontalAdvance(QStringLiteral("Unrealised (Rs)"))) +
                   16);
    m_positionsView->setColumnWidth(
        PositionsModel::KeyColumn,
        fm.horizontalAdvance(QStringLiteral("NIFTY 26000 CE 30 DEC 25")) + 16);

    connect(m_ordersView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            [this] { updateCancelButton(); });
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        const QModelIndex current = m_ordersView->currentIndex();
        if (current.isValid() && current.data(OrdersModel::OpenRole).toBool())
            Q_EMIT cancelRequested(current.data(OrdersModel::ClientOrderIdRole).toString());
    });
    connect(m_modify, &QPushButton::clicked, this, [this] { requestModify(); });
    connect(m_ordersView, &QTableView::doubleClicked, this, [this] { requestModify(); });
    // F2 opens a sell ticket everywhere else; on the orders table it modifies the order under
    // the cursor (the table takes the key before the window's shortcut sees it).
    m_ordersView->installEventFilter(this);
    auto *del = new QShortcut(QKeySequence::Delete, m_ordersView);
    del->setContext(Qt::WidgetShortcut);
    connect(del, &QShortcut::activated, m_cancel, &QPushButton::click);

    auto *top = new QHBoxLayout;
    top->addWidget(heading(QStringLiteral("Today's orders")));
    top->addWidget(m_summary, 1);
    top->addWidget(m_persistence);
    top->addWidget(m_modify);
    top->addWidget(m_cancel);

    auto *ordersBox = new QWidget;
    auto *ordersLayout = new QVBoxLayout(ordersBox);
    ordersLayout->setContentsMargins(0, 0, 0, 0);
    ordersLayout->addLayout(top);
    ordersLayout->addWidget(m_ordersView, 1);
    auto *positionsBox = new QWidget;
    auto *positionsLayout = new QVBoxLayout(positionsBox);
    positionsLayout->setContentsMargins(0, 0, 0, 0);
    positionsLayout->addWidget(heading(QStringLiteral("Positions")));
    positionsLayout->addWidget(m_positionsView, 1);

    auto *splitter = new QSplitter(Qt::Vertical);
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(ordersBox);
    splitter->addWidget(positionsBox);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->addWidget(splitter);
    showPersistence({});
}

OrdersPanel::~OrdersPanel() = default;

void OrdersPanel::showOrders(std::vector<OrderState> orders)
{
    const QString selected =
        m_ordersView->currentIndex().data(OrdersModel::ClientOrderIdRole).toString();
    int open = 0;
    int filled = 0;
    int rejected = 0;
    for (const OrderState &o : orders) {
        if (!o.parentClientOrderId.empty())
            continue;
        open += isWorking(o.status);
        filled += o.status == OrderStatus::Filled;
        rejected += o.status == OrderStatus::Rejected;
    }
    m_orders->setOrders(std::move(orders));
    m_summary->setText(
        QStringLiteral(" · %1 open · %2 filled · %3 rejected").arg(open).arg(filled).arg(rejected));
    for (int row = 0; row < m_orders->rowCount() && !selected.isEmpty(); ++row) {
        if (m_orders->index(row, 0).data(OrdersModel::ClientOrderIdRole).toString() == selected)
            m_ordersView->selectRow(row);
    }
    updateCancelButton();
}

void OrdersPanel::showPositions(std::vector<Position> positions, SnapshotPtr snapshot)
{
    m_positions->setPositions(std::move(positions), std::move(snapshot));
}

void OrdersPanel::showPersistence(const PersistenceState &state)
{
    const ThemeColors colors = themeColors(themeOf(palette()));
    if (state.kind == PersistenceState::Kind::Healthy) {
        m_persistence->setText(QStringLiteral("Saved to the database"));
        m_persistence->setToolTip(QString());
        m_persistence->setStyleSheet(QString());
        return;
    }
    m_persistence->setText(QStringLiteral("⚠ Persistence delayed: %1 events waiting")
                               .arg(static_cast<qulonglong>(state.backlog)));
    m_persistence->setToolTip(state.lastError +
                              QStringLiteral("\n\nOrders keep flowing; every event is in "
                                             "the journal on disk and reaches the database "
                                             "when it is back."));
    m_persistence->setStyleSheet(
        QStringLiteral("QLabel { color: %1; font-weight: bold; }").arg(colors.negative));
}

void OrdersPanel::showUnavailable(const QString &why)
{
    m_persistence->setText(QStringLiteral("⚠ Orders unavailable"));
    m_persistence->setToolTip(why);
    m_summary->setText(QStringLiteral(" · ") + why);
}

void OrdersPanel::updateCancelButton()
{
    const QModelIndex current = m_ordersView->currentIndex();
    const bool open = current.isValid() && current.data(OrdersModel::OpenRole).toBool();
    m_cancel->setEnabled(open);
    m_modify->setEnabled(open);
}

void OrdersPanel::requestModify()
{
    const QModelIndex current = m_ordersView->currentIndex();
    if (current.isValid() && current.data(OrdersModel::OpenRole).toBool())
        Q_EMIT modifyRequested(current.data(OrdersModel::ClientOrderIdRole).toString());
}

bool OrdersPanel::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_ordersView &&
        (event->type() == QEvent::ShortcutOverride || event->type() == QEvent::KeyPress)) {
        auto *key = static_cast<QKeyEvent *>(event);
        if (key->key() == Qt::Key_F2 && key->modifiers() == Qt::NoModifier) {
            event->accept();
            if (event->type() == QEvent::KeyPress)
                requestModify();
            return event->type() == QEvent::KeyPress;
        }
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace strikeline::ui
