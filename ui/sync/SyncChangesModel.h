#pragma once

#include "sync/SyncReport.h"

#include <QAbstractTableModel>

namespace strikeline::ui {

// One page of instrument changes (core's loadChanges: filtered, ordered and capped there).
// Formatting only.
class SyncChangesModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column : int { KindColumn, SymbolColumn, KeyColumn, ValuesColumn, RunColumn, ColumnCount };
    enum Role : int {
        ChangeKindRole = Qt::UserRole + 1, // QString as stored: "lot_changed"
        InstrumentKeyRole,                 // QString
        RunIdRole,                         // qint64
    };

    explicit SyncChangesModel(QObject *parent = nullptr);
    ~SyncChangesModel() override;

    void setPage(ChangePage page); // one model reset
    void clear();
    const ChangePage &page() const { return m_page; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    ChangePage m_page;
};

} // namespace strikeline::ui
