#include "Tables.h"

#include <QAction>
#include <QHeaderView>
#include <QMenu>
#include <QTableView>

namespace strikeline::ui {

QTableView *makeRowTable(QAbstractItemModel *model, QWidget *parent)
{
    auto *view = new QTableView(parent);
    view->setModel(model);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->setTabKeyNavigation(false);
    view->setAlternatingRowColors(true);
    view->setShowGrid(false);
    view->setWordWrap(false);
    view->verticalHeader()->hide();
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 8);
    QHeaderView *header = view->horizontalHeader();
    header->setStretchLastSection(true);
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setHighlightSections(false);
    installColumnChooser(header);
    return view;
}

void installColumnChooser(QHeaderView *header)
{
    header->setContextMenuPolicy(Qt::CustomContextMenu);
    QObject::connect(
        header, &QHeaderView::customContextMenuRequested, header, [header](const QPoint &pos) {
            QAbstractItemModel *model = header->model();
            if (!model)
                return;
            QMenu menu(header);
            const int count = header->count();
            int visible = 0;
            for (int i = 0; i < count; ++i)
                visible += header->isSectionHidden(i) ? 0 : 1;
            for (int i = 0; i < count; ++i) {
                const QString title = model->headerData(i, header->orientation()).toString();
                QAction *action = menu.addAction(
                    title.isEmpty() ? QStringLiteral("(column %1)").arg(i + 1) : title);
                action->setCheckable(true);
                action->setChecked(!header->isSectionHidden(i));
                // The last visible column stays: a table without any is useless.
                action->setEnabled(header->isSectionHidden(i) || visible > 1);
                QObject::connect(action, &QAction::toggled, header,
                                 [header, i](bool on) { header->setSectionHidden(i, !on); });
            }
            menu.exec(header->viewport()->mapToGlobal(pos));
        });
}

} // namespace strikeline::ui
