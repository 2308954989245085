#pragma once

// F5: the market watch. Named watch lists (NEST / Kite style), one shown at a time: a row per
// contract with LTP, change, % change, bid / ask, volume, OI and age. Add with Ctrl+D from
// search, the chain or the palette (MainWindow's "Add to watch list"), Del removes,
// Ctrl+Up / Ctrl+Down reorder; F1 / F2 (B / S) open the ticket on the row, as everywhere.
// The lists persist in the settings (`watch/lists`, `watch/current`). Their keys are what the
// feed should carry for them (keys(), keysChanged()).

#include "common/IstTime.h"
#include "instruments/InstrumentSnapshot.h"

#include <QStringList>
#include <QWidget>

#include <vector>

class QComboBox;
class QLabel;
class QPushButton;
class QTableView;
class QTimer;

namespace strikeline {
class MarketData;
}

namespace strikeline::ui {

class WatchListModel;

struct WatchList
{
    QString name;
    QStringList keys;
};

// The lists as the settings keep them; an empty or unreadable setting gives one empty
// "Watch list 1".
std::vector<WatchList> loadWatchLists();
void saveWatchLists(const std::vector<WatchList> &lists, const QString &current);

class WatchPanel final : public QWidget
{
    Q_OBJECT
public:
    explicit WatchPanel(const Clock &clock, QWidget *parent = nullptr);
    ~WatchPanel() override;

    void setSnapshot(SnapshotPtr snapshot);
    void setMarketData(const MarketData *market, const QString &sourceLabel);

    // Adds a contract to the list on screen; false (and why) when it cannot.
    bool addKey(const QString &key, QString *why = nullptr);
    // Every key of every list: what the feed should carry for the watch.
    QStringList allKeys() const;
    QString currentList() const;
    bool selectList(const QString &name);
    bool createList(const QString &name, QString *why = nullptr);
    bool renameList(const QString &name, QString *why = nullptr);
    bool deleteCurrentList();

    WatchListModel &model() { return *m_model; }
    QTableView *view() const { return m_view; }

Q_SIGNALS:
    void keysChanged();
    void status(const QString &text, bool failed);

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void showList(int index);
    void storeCurrent();
    void fillCombo();
    void updateSummary();
    void removeSelected();
    void moveSelected(int delta);
    void askNewList();
    void askRename();

    WatchListModel *m_model = nullptr;
    QTableView *m_view = nullptr;
    QComboBox *m_lists = nullptr;
    QLabel *m_summary = nullptr;
    QPushButton *m_new = nullptr;
    QPushButton *m_rename = nullptr;
    QPushButton *m_delete = nullptr;
    QTimer *m_cadence = nullptr;
    std::vector<WatchList> m_data;
    int m_current = 0;
    QString m_source;
};

} // namespace strikeline::ui
