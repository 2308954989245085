#pragma once

#include "common/IstTime.h"
#include "instruments/InstrumentSnapshot.h"

#include <QFrame>

class QAction;
class QLineEdit;
class QTableView;

namespace strikeline::ui {

class CommandPaletteModel;

// Ctrl+K: one box for every instrument and every command. Type, move with Up/Down, Enter runs
// the command or opens the instrument, Esc closes. A popup: a click elsewhere closes it too.
class CommandPalette final : public QFrame
{
    Q_OBJECT
public:
    CommandPalette(const Clock &clock, QWidget *parent);
    ~CommandPalette() override;

    void setActions(const QList<QAction *> &actions);
    void setSnapshot(SnapshotPtr snapshot);
    // Shows the palette centred near the top of `anchor`, empty and focused.
    void popup(QWidget *anchor);
    void setQuery(const QString &text); // as if typed (tests)
    const CommandPaletteModel &model() const { return *m_model; }
    // Runs the current row, as Enter does.
    void activateCurrent();

Q_SIGNALS:
    void instrumentChosen(const QString &instrumentKey);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void refresh();
    void activateRow(int row);
    void selectRow(int row);
    int firstSelectableFrom(int row, int step) const;

    const Clock &m_clock;
    SnapshotPtr m_snapshot;
    CommandPaletteModel *m_model = nullptr;
    QLineEdit *m_edit = nullptr;
    QTableView *m_view = nullptr;
};

} // namespace strikeline::ui
