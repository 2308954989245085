#pragma once

#include "instruments/InstrumentSnapshot.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>
#include <optional>

class QAbstractItemView;
class QModelIndex;

namespace strikeline::ui {

// What one row or cell of a view names: a contract's key, or none and why ("strike 26000 is
// not a contract: its CE is on the left, its PE on the right").
struct RowContract
{
    QString key;
    QString reason;
};

// The one contract the window is on. The views write it as the trader moves onto a row or a
// cell (search results, chain cells, orders, positions, sync changes); the contract panel shows
// it and every order action (F1/F2, B/S, double-click) trades it, so what the panel names is
// what gets traded. Held by key: a new snapshot keeps it while the master still lists it.
class ContractSelection final : public QObject
{
    Q_OBJECT
public:
    using ContractOf = std::function<RowContract(const QModelIndex &)>;

    explicit ContractSelection(QObject *parent = nullptr);
    ~ContractSelection() override;

    void setSnapshot(SnapshotPtr snapshot);
    // Selects the contract of `instrumentKey`; a key this master does not list selects nothing.
    void select(const QString &instrumentKey);
    // Nothing is selected; `reason` (may be empty) says why, for the panel and for an action.
    void clear(const QString &reason = {});
    void take(const RowContract &contract);

    // The rows (or cells) of `view` select what `contractOf` says they name when the trader
    // moves onto them: keys or mouse while the view has the focus, a click, or tabbing into the
    // view. Changes the program makes while the trader is elsewhere (a refreshed table putting
    // its current row back) select nothing.
    void track(QAbstractItemView *view, ContractOf contractOf);

    const QString &key() const { return m_key; }
    std::optional<InstrumentId> id() const { return m_id; }
    const QString &reason() const { return m_reason; }
    bool isEmpty() const { return !m_id; }

Q_SIGNALS:
    void changed();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    struct Tracked
    {
        QPointer<QAbstractItemView> view;
        ContractOf contractOf;
    };
    void takeFrom(const Tracked &tracked, const QModelIndex &index);
    void set(QString key, std::optional<InstrumentId> id, QString reason);

    SnapshotPtr m_snapshot;
    QString m_key;
    std::optional<InstrumentId> m_id;
    QString m_reason;
    QList<Tracked> m_tracked;
};

} // namespace strikeline::ui
