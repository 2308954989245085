#pragma once

class QAbstractItemModel;
class QHeaderView;
class QTableView;
class QWidget;

namespace strikeline::ui {

// A read-only table of rows as the terminal shows them everywhere: whole-row single selection,
// alternating rows, no grid, no word wrap, compact rows, the last column stretched, and a
// header context menu to hide and show columns (installColumnChooser).
QTableView *makeRowTable(QAbstractItemModel *model, QWidget *parent = nullptr);

// Lets the trader hide and show a table's columns from its header's context menu; the choice
// is part of the header's saveState().
void installColumnChooser(QHeaderView *header);

} // namespace strikeline::ui
