#include "CommandPalette.h"

#include "CommandPaletteModel.h"

#include <QAction>
#include <QCoreApplication>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLineEdit>
#include <QTableView>
#include <QVBoxLayout>

namespace strikeline::ui {

CommandPalette::CommandPalette(const Clock &clock, QWidget *parent)
    : QFrame(parent, Qt::Popup)
    , m_clock(clock)
    , m_model(new CommandPaletteModel(this))
{
    setObjectName(QStringLiteral("commandPalette"));
    setFrameShape(QFrame::StyledPanel);
    setFrameShadow(QFrame::Raised);

    m_edit = new QLineEdit;
    m_edit->setObjectName(QStringLiteral("paletteEdit"));
    m_edit->setPlaceholderText(QStringLiteral("Instrument or command: nifty 26000 ce, sync, "
                                              "dark theme, chain…"));
    QFont font = m_edit->font();
    font.setPointSizeF(font.pointSizeF() * 1.2);
    m_edit->setFont(font);
    m_edit->installEventFilter(this);
    connect(m_edit, &QLineEdit::textChanged, this, [this] { refresh(); });
    connect(m_edit, &QLineEdit::returnPressed, this, [this] { activateCurrent(); });

    m_view = new QTableView;
    m_view->setObjectName(QStringLiteral("paletteView"));
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setShowGrid(false);
    m_view->setWordWrap(false);
    m_view->setFocusPolicy(Qt::NoFocus); // typing always goes to the box
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 8);
    m_view->horizontalHeader()->setSectionResizeMode(CommandPaletteModel::TitleColumn,
                                                     QHeaderView::Stretch);
    m_view->horizontalHeader()->setSectionResizeMode(CommandPaletteModel::DetailColumn,
                                                     QHeaderView::ResizeToContents);
    connect(m_view, &QTableView::clicked, this,
            [this](const QModelIndex &index) { activateRow(index.row()); });

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->setSpacing(4);
    layout->addWidget(m_edit);
    layout->addWidget(m_view, 1);
}

CommandPalette::~CommandPalette() = default;

void CommandPalette::setActions(const QList<QAction *> &actions)
{
    m_model->setActions(actions);
    refresh();
}

void CommandPalette::setSnapshot(SnapshotPtr snapshot)
{
    m_snapshot = std::move(snapshot);
    if (isVisible())
        refresh();
}

void CommandPalette::popup(QWidget *anchor)
{
    m_edit->clear();
    refresh();
    const QRect area = anchor->rect();
    const int width = std::clamp(area.width() * 3 / 5, 420, 760);
    const int height = std::clamp(area.height() * 3 / 5, 240, 520);
    const QPoint topLeft = anchor->mapToGlobal(
        QPoint(area.center().x() - width / 2, area.top() + std::min(80, area.height() / 8)));
    setGeometry(QRect(topLeft, QSize(width, height)));
    show();
    raise();
    activateWindow();
    m_edit->setFocus(Qt::PopupFocusReason);
}

void CommandPalette::setQuery(const QString &text)
{
    m_edit->setText(text);
}

void CommandPalette::refresh()
{
    m_model->setQuery(m_edit->text(), m_snapshot, m_clock.now().day());
    selectRow(firstSelectableFrom(0, 1));
}

int CommandPalette::firstSelectableFrom(int row, int step) const
{
    for (int r = row; r >= 0 && r < m_model->rowCount(); r += step) {
        if (m_model->flags(m_model->index(r, 0)) & Qt::ItemIsSelectable)
            return r;
    }
    return -1;
}

void CommandPalette::selectRow(int row)
{
    if (row < 0) {
        m_view->selectionModel()->clear();
        return;
    }
    const QModelIndex index = m_model->index(row, 0);
    m_view->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect |
                                                         QItemSelectionModel::Rows);
    m_view->scrollTo(index);
}

void CommandPalette::activateCurrent()
{
    const QModelIndex current = m_view->currentIndex();
    activateRow(current.isValid() ? current.row() : firstSelectableFrom(0, 1));
}

void CommandPalette::activateRow(int row)
{
    if (row < 0 || row >= m_model->rowCount() ||
        !(m_model->flags(m_model->index(row, 0)) & Qt::ItemIsSelectable))
        return;
    if (QAction *action = m_model->actionAt(row)) {
        hide();
        action->trigger();
        return;
    }
    const QString key =
        m_model->index(row, 0).data(CommandPaletteModel::InstrumentKeyRole).toString();
    hide();
    if (!key.isEmpty())
        Q_EMIT instrumentChosen(key);
}

bool CommandPalette::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_edit && event->type() == QEvent::KeyPress) {
        const auto *key = static_cast<QKeyEvent *>(event);
        const int current = m_view->currentIndex().isValid() ? m_view->currentIndex().row() : -1;
        switch (key->key()) {
        case Qt::Key_Down: {
            const int next = firstSelectableFrom(current + 1, 1);
            if (next >= 0)
                selectRow(next);
            return true;
        }
        case Qt::Key_Up: {
            const int previous = current > 0 ? firstSelectableFrom(current - 1, -1) : -1;
            if (previous >= 0)
                selectRow(previous);
            return true;
        }
        case Qt::Key_PageDown:
        case Qt::Key_PageUp:
            QCoreApplication::sendEvent(m_view, event);
            return true;
        case Qt::Key_Escape:
            hide();
            return true;
        default:
            break;
        }
    }
    return QFrame::eventFilter(watched, event);
}

} // namespace strikeline::ui
