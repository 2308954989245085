#include "CommandPaletteModel.h"

#include "common/CommandMatch.h"
#include "common/Text.h"
#include "search/SearchResultsModel.h"

#include <QAction>
#include <QPalette>

#include <algorithm>

namespace strikeline::ui {

namespace {

// "&Sync now…" -> "Sync now…", "Sync && data" -> "Sync & data"
QString plainText(const QAction &action)
{
    return stripMnemonic(action.text());
}

} // namespace

CommandPaletteModel::CommandPaletteModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

CommandPaletteModel::~CommandPaletteModel() = default;

void CommandPaletteModel::setActions(const QList<QAction *> &actions)
{
    beginResetModel();
    m_actions.clear();
    for (QAction *action : actions)
        m_actions.append(action);
    m_entries.clear();
    endResetModel();
}

void CommandPaletteModel::setQuery(const QString &text, SnapshotPtr snapshot, EpochDay today)
{
    beginResetModel();
    m_entries.clear();
    m_snapshot = std::move(snapshot);
    m_today = today;

    struct Scored
    {
        int score;
        qsizetype order;
        QAction *action;
    };
    std::vector<Scored> scored;
    for (qsizetype i = 0; i < m_actions.size(); ++i) {
        QAction *action = m_actions[i];
        if (!action || !action->isVisible())
            continue;
        const int score = commandMatchScore(text, plainText(*action));
        if (score >= 0)
            scored.push_back({score, i, action});
    }
    // Equal scores keep the order the actions were given in (menu order).
    std::stable_sort(scored.begin(), scored.end(),
                     [](const Scored &a, const Scored &b) { return a.score > b.score; });
    const bool queryEmpty = text.trimmed().isEmpty();
    const std::size_t actionLimit =
        queryEmpty ? scored.size() : std::min<std::size_t>(scored.size(), MaxActions);
    for (std::size_t i = 0; i < actionLimit; ++i)
        m_entries.push_back({EntryKind::Action, scored[i].action, NoId});

    if (m_snapshot && !queryEmpty) {
        const QByteArray utf8 = text.toUtf8();
        SearchRequest request;
        request.text = std::string_view(utf8.constData(), static_cast<std::size_t>(utf8.size()));
        request.limit = MaxInstruments;
        request.today = today;
        for (const SearchHit &hit : m_snapshot->search(request))
            m_entries.push_back({EntryKind::Instrument, nullptr, hit.id});
    }
    endResetModel();
}

CommandPaletteModel::EntryKind CommandPaletteModel::kindAt(int row) const
{
    return m_entries.at(static_cast<std::size_t>(row)).kind;
}

QAction *CommandPaletteModel::actionAt(int row) const
{
    if (row < 0 || static_cast<std::size_t>(row) >= m_entries.size())
        return nullptr;
    return m_entries[static_cast<std::size_t>(row)].action.data();
}

std::optional<InstrumentId> CommandPaletteModel::instrumentAt(int row) const
{
    if (row < 0 || static_cast<std::size_t>(row) >= m_entries.size())
        return std::nullopt;
    const Entry &entry = m_entries[static_cast<std::size_t>(row)];
    if (entry.kind != EntryKind::Instrument)
        return std::nullopt;
    return entry.instrument;
}

int CommandPaletteModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_entries.size());
}

int CommandPaletteModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant CommandPaletteModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    Q_ASSERT(checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid));
    const Entry &entry = m_entries[static_cast<std::size_t>(index.row())];
    if (role == KindRole)
        return static_cast<int>(entry.kind);

    if (entry.kind == EntryKind::Action) {
        const QAction *action = entry.action.data();
        if (!action)
            return {};
        switch (role) {
        case Qt::DisplayRole:
            return index.column() == TitleColumn
                       ? plainText(*action)
                       : action->shortcut().toString(QKeySequence::NativeText);
        case Qt::DecorationRole:
            return index.column() == TitleColumn ? QVariant(action->icon()) : QVariant();
        case Qt::ToolTipRole:
            return action->statusTip().isEmpty() ? action->toolTip() : action->statusTip();
        case Qt::ForegroundRole:
            if (index.column() == DetailColumn || !action->isEnabled())
                return QPalette().brush(QPalette::PlaceholderText);
            return {};
        default:
            return {};
        }
    }

    if (!m_snapshot || entry.instrument >= m_snapshot->size())
        return {};
    const InstrumentView view = m_snapshot->instrument(entry.instrument);
    switch (role) {
    case Qt::DisplayRole:
        if (index.column() == TitleColumn)
            return toQString(view.tradingSymbol());
        {
            QString detail = toQString(segmentName(view.segment()));
            const QString expiry = shortExpiryText(view.expiry(), m_today);
            if (!expiry.isEmpty())
                detail += QStringLiteral(" · ") + expiry;
            return detail;
        }
    case InstrumentKeyRole:
        return toQString(view.instrumentKey());
    case Qt::ToolTipRole:
        return toQString(view.name());
    case Qt::ForegroundRole:
        return index.column() == DetailColumn
                   ? QVariant(QPalette().brush(QPalette::PlaceholderText))
                   : QVariant();
    default:
        return {};
    }
}

Qt::ItemFlags CommandPaletteModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    Q_ASSERT(checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid));
    const Entry &entry = m_entries[static_cast<std::size_t>(index.row())];
    if (entry.kind == EntryKind::Action && (!entry.action || !entry.action->isEnabled()))
        return Qt::ItemNeverHasChildren; // listed, not selectable
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren;
}

} // namespace strikeline::ui
