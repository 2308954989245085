#include "SyncRunsModel.h"

#include "SyncText.h"

#include <QBrush>
#include <QColor>

namespace strikeline::ui {

SyncRunsModel::SyncRunsModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

SyncRunsModel::~SyncRunsModel() = default;

void SyncRunsModel::setRuns(std::vector<SyncRunRecord> runs, EpochDay today)
{
    beginResetModel();
    m_runs = std::move(runs);
    m_today = today;
    endResetModel();
}

void SyncRunsModel::clear()
{
    setRuns({}, m_today);
}

std::optional<SyncRunRecord> SyncRunsModel::runAt(int row) const
{
    if (row < 0 || row >= rowCount())
        return std::nullopt;
    return m_runs[static_cast<std::size_t>(row)];
}

int SyncRunsModel::rowOfRun(std::int64_t runId) const
{
    for (std::size_t i = 0; i < m_runs.size(); ++i) {
        if (m_runs[i].id == runId)
            return static_cast<int>(i);
    }
    return -1;
}

int SyncRunsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_runs.size());
}

int SyncRunsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString SyncRunsModel::statusText(const SyncRunRecord &run)
{
    QString text;
    switch (run.status) {
    case SyncStatus::Running:
        text = QStringLiteral("Running");
        break;
    case SyncStatus::Succeeded:
        text = QStringLiteral("Succeeded");
        break;
    case SyncStatus::Failed:
        text = QStringLiteral("Failed");
        break;
    case SyncStatus::Unchanged:
        text = QStringLiteral("Unchanged");
        break;
    }
    if (run.forced)
        text += QStringLiteral(" (forced)");
    return text;
}

QString SyncRunsModel::displayText(const SyncRunRecord &run, int column) const
{
    // Counts are only meaningful for a run that imported; elsewhere they are blank, not "0".
    const bool imported = run.status == SyncStatus::Succeeded;
    switch (column) {
    case WhenColumn:
        return runTimeText(run.startedAt, m_today);
    case SourceColumn:
        return sourceLabel(run.source);
    case StatusColumn:
        return statusText(run);
    case RowsColumn:
        return run.rowsRead > 0 ? groupedCount(run.rowsRead) : QString();
    case NewColumn:
        return imported ? groupedCount(run.rowsInserted) : QString();
    case UpdatedColumn:
        return imported ? groupedCount(run.rowsUpdated) : QString();
    case DeactivatedColumn:
        return imported ? groupedCount(run.rowsDeactivated) : QString();
    case DurationColumn:
        if (!run.startedAt.isValid() || !run.finishedAt.isValid())
            return {};
        return durationText(run.startedAt.msecsTo(run.finishedAt));
    case ErrorColumn:
        return run.error;
    default:
        return {};
    }
}

QVariant SyncRunsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const SyncRunRecord &run = m_runs[static_cast<std::size_t>(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        return displayText(run, index.column());
    case Qt::ToolTipRole:
        if (index.column() == SourceColumn)
            return run.source;
        if (index.column() == ErrorColumn || index.column() == StatusColumn)
            return run.error.isEmpty() ? QVariant() : QVariant(run.error);
        return {};
    case Qt::TextAlignmentRole:
        switch (index.column()) {
        case RowsColumn:
        case NewColumn:
        case UpdatedColumn:
        case DeactivatedColumn:
        case DurationColumn:
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        default:
            return QVariant::fromValue(Qt::Alignment(Qt::AlignLeft | Qt::AlignVCenter));
        }
    case Qt::ForegroundRole:
        if (run.status == SyncStatus::Failed &&
            (index.column() == StatusColumn || index.column() == ErrorColumn))
            return QBrush(QColor(0xc6, 0x28, 0x28));
        return {};
    case RunIdRole:
        return QVariant::fromValue<qint64>(run.id);
    case StatusRole:
        return static_cast<int>(run.status);
    default:
        return {};
    }
}

QVariant SyncRunsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case WhenColumn:
        return QStringLiteral("When (IST)");
    case SourceColumn:
        return QStringLiteral("Source");
    case StatusColumn:
        return QStringLiteral("Status");
    case RowsColumn:
        return QStringLiteral("Rows read");
    case NewColumn:
        return QStringLiteral("New");
    case UpdatedColumn:
        return QStringLiteral("Updated");
    case DeactivatedColumn:
        return QStringLiteral("Deactivated");
    case DurationColumn:
        return QStringLiteral("Duration");
    case ErrorColumn:
        return QStringLiteral("Error");
    default:
        return {};
    }
}

} // namespace strikeline::ui
