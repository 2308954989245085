#pragma once

#include "instruments/InstrumentSnapshot.h"

#include <QAbstractTableModel>
#include <QList>
#include <QPointer>

#include <optional>
#include <vector>

class QAction;

namespace strikeline::ui {

// The command palette's rows for one query: matching actions first (menu commands, by
// commandMatchScore), then instruments as the core search ranks them. Presents only.
class CommandPaletteModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column : int { TitleColumn, DetailColumn, ColumnCount };
    enum Role : int {
        KindRole = Qt::UserRole + 1, // int: EntryKind
        InstrumentKeyRole,           // QString, instruments only
    };
    enum class EntryKind { Action, Instrument };

    static constexpr int MaxActions = 8;
    static constexpr int MaxInstruments = 25;

    explicit CommandPaletteModel(QObject *parent = nullptr);
    ~CommandPaletteModel() override;

    // The commands on offer (disabled ones are listed but greyed out). The actions must outlive
    // the model or be removed first; a deleted action drops out at the next query.
    void setActions(const QList<QAction *> &actions);
    // Recomputes the rows (one model reset). Without a snapshot only actions are listed.
    void setQuery(const QString &text, SnapshotPtr snapshot, EpochDay today);

    EntryKind kindAt(int row) const;
    QAction *actionAt(int row) const;                        // null for instruments
    std::optional<InstrumentId> instrumentAt(int row) const; // in snapshot()
    const SnapshotPtr &snapshot() const { return m_snapshot; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

private:
    struct Entry
    {
        EntryKind kind;
        QPointer<QAction> action;
        InstrumentId instrument = NoId;
    };

    QList<QPointer<QAction>> m_actions;
    std::vector<Entry> m_entries;
    SnapshotPtr m_snapshot;
    EpochDay m_today = NoDay;
};

} // namespace strikeline::ui
