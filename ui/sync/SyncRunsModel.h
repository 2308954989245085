#pragma once

#include "common/IstTime.h"
#include "storage/InstrumentStore.h"

#include <QAbstractTableModel>

#include <optional>
#include <vector>

namespace strikeline::ui {

// The sync runs as a table, newest first, as core listed them (InstrumentStore::recentRuns).
// Formatting only.
class SyncRunsModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column : int {
        WhenColumn,
        SourceColumn,
        StatusColumn,
        RowsColumn,
        NewColumn,
        UpdatedColumn,
        DeactivatedColumn,
        DurationColumn,
        ErrorColumn,
        ColumnCount
    };
    enum Role : int {
        RunIdRole = Qt::UserRole + 1, // qint64
        StatusRole,                   // int: SyncStatus
    };

    explicit SyncRunsModel(QObject *parent = nullptr);
    ~SyncRunsModel() override;

    // Replaces the rows (one model reset). `today` (IST) makes "Today 07:12" possible.
    void setRuns(std::vector<SyncRunRecord> runs, EpochDay today);
    void clear();
    std::optional<SyncRunRecord> runAt(int row) const;
    int rowOfRun(std::int64_t runId) const; // -1 when not listed

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    static QString statusText(const SyncRunRecord &run);

private:
    QString displayText(const SyncRunRecord &run, int column) const;

    std::vector<SyncRunRecord> m_runs;
    EpochDay m_today = NoDay;
};

} // namespace strikeline::ui
