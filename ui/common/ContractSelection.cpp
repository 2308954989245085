#include "ContractSelection.h"

#include <QAbstractItemView>
#include <QFocusEvent>
#include <QItemSelectionModel>

namespace strikeline::ui {

namespace {

std::optional<InstrumentId> lookUp(const SnapshotPtr &snapshot, const QString &key)
{
    if (!snapshot || key.isEmpty())
        return std::nullopt;
    const QByteArray utf8 = key.toUtf8();
    return snapshot->findByKey(
        std::string_view(utf8.constData(), static_cast<std::size_t>(utf8.size())));
}

} // namespace

ContractSelection::ContractSelection(QObject *parent)
    : QObject(parent)
{}

ContractSelection::~ContractSelection() = default;

void ContractSelection::setSnapshot(SnapshotPtr snapshot)
{
    m_snapshot = std::move(snapshot);
    if (m_key.isEmpty()) {
        Q_EMIT changed(); // ids of the old snapshot mean nothing in the new one
        return;
    }
    const std::optional<InstrumentId> id = lookUp(m_snapshot, m_key);
    if (!id) {
        set({}, std::nullopt, QStringLiteral("%1 is not in the new instrument master").arg(m_key));
        return;
    }
    m_id = id;
    Q_EMIT changed();
}

void ContractSelection::select(const QString &instrumentKey)
{
    const std::optional<InstrumentId> id = lookUp(m_snapshot, instrumentKey);
    if (!id) {
        set({}, std::nullopt,
            instrumentKey.isEmpty()
                ? QString()
                : QStringLiteral("%1 is not in this instrument master").arg(instrumentKey));
        return;
    }
    set(instrumentKey, id, {});
}

void ContractSelection::clear(const QString &reason)
{
    set({}, std::nullopt, reason);
}

void ContractSelection::take(const RowContract &contract)
{
    if (contract.key.isEmpty())
        clear(contract.reason);
    else
        select(contract.key);
}

void ContractSelection::set(QString key, std::optional<InstrumentId> id, QString reason)
{
    if (key == m_key && id == m_id && reason == m_reason)
        return;
    m_key = std::move(key);
    m_id = id;
    m_reason = std::move(reason);
    Q_EMIT changed();
}

void ContractSelection::track(QAbstractItemView *view, ContractOf contractOf)
{
    m_tracked.append({view, std::move(contractOf)});
    const int at = static_cast<int>(m_tracked.size()) - 1;
    connect(view->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this, at](const QModelIndex &current) {
                const Tracked &t = m_tracked[at];
                if (t.view && t.view->hasFocus())
                    takeFrom(t, current);
            });
    // A click on the row that is already current moves nothing, yet it is the trader's pick.
    connect(view, &QAbstractItemView::pressed, this,
            [this, at](const QModelIndex &index) { takeFrom(m_tracked[at], index); });
    view->installEventFilter(this);
}

void ContractSelection::takeFrom(const Tracked &tracked, const QModelIndex &index)
{
    if (index.isValid())
        take(tracked.contractOf(index));
}

bool ContractSelection::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::FocusIn) {
        // The trader came to this view (Tab, a click, a tab switch): its current row is the
        // pick again. Focus coming back from a popup or another window changes nothing.
        const Qt::FocusReason reason = static_cast<QFocusEvent *>(event)->reason();
        const bool trader = reason != Qt::ActiveWindowFocusReason &&
                            reason != Qt::PopupFocusReason && reason != Qt::MenuBarFocusReason;
        for (const Tracked &t : std::as_const(m_tracked)) {
            if (trader && t.view == watched)
                takeFrom(t, t.view->currentIndex());
        }
    }
    return QObject::eventFilter(watched, event);
}

} // namespace strikeline::ui
