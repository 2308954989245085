#include "SyncChangesModel.h"

#include "SyncText.h"

namespace strikeline::ui {

SyncChangesModel::SyncChangesModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

SyncChangesModel::~SyncChangesModel() = default;

void SyncChangesModel::setPage(ChangePage page)
{
    beginResetModel();
    m_page = std::move(page);
    endResetModel();
}

void SyncChangesModel::clear()
{
    setPage({});
}

int SyncChangesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_page.changes.size());
}

int SyncChangesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SyncChangesModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const InstrumentChange &change = m_page.changes[static_cast<std::size_t>(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case KindColumn:
            return changeKindText(change.change);
        case SymbolColumn:
            return change.tradingSymbol;
        case KeyColumn:
            return change.instrumentKey;
        case ValuesColumn:
            return changeValuesText(change);
        case RunColumn:
            return QStringLiteral("#%1").arg(change.syncRunId);
        default:
            return {};
        }
    case Qt::ToolTipRole:
        if (index.column() == KindColumn && change.change == QLatin1String("key_reused"))
            return QStringLiteral("The exchange reused this key (token) for a different "
                                  "contract: anything saved under the old contract must be "
                                  "looked up again.");
        return {};
    case Qt::TextAlignmentRole:
        return QVariant::fromValue(Qt::Alignment(Qt::AlignLeft | Qt::AlignVCenter));
    case ChangeKindRole:
        return change.change;
    case InstrumentKeyRole:
        return change.instrumentKey;
    case RunIdRole:
        return QVariant::fromValue<qint64>(change.syncRunId);
    default:
        return {};
    }
}

QVariant SyncChangesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case KindColumn:
        return QStringLiteral("Change");
    case SymbolColumn:
        return QStringLiteral("Trading symbol");
    case KeyColumn:
        return QStringLiteral("Instrument key");
    case ValuesColumn:
        return QStringLiteral("Old \u2192 new");
    case RunColumn:
        return QStringLiteral("Sync");
    default:
        return {};
    }
}

} // namespace strikeline::ui
