#pragma once

// One market-watch list as a table: a row per contract (or index) the trader added, with its
// LTP, change and % change from the previous close, best bid / ask, volume, OI and the age of
// its last price. Thin and incremental: refresh() (the panel's ~10 Hz cadence) reads each row's
// quote once, formats it once, and emits dataChanged for exactly the cells whose text moved;
// data() only hands out what refresh() made. Rows are kept by instrument key, so a new master
// keeps the list (a key the master no longer lists stays, marked "not in this master").

#include "common/IstTime.h"
#include "instruments/InstrumentSnapshot.h"
#include "marketdata/MarketData.h"

#include <QAbstractTableModel>
#include <QStringList>

#include <array>
#include <optional>
#include <vector>

namespace strikeline::ui {

class WatchListModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        SymbolColumn,
        LtpColumn,
        ChangeColumn,
        ChangePercentColumn,
        BidColumn,
        AskColumn,
        VolumeColumn,
        OiColumn,
        AgeColumn,
        ColumnCount
    };
    // A price older than this greys its row out (a live feed ticks far more often).
    static constexpr std::int64_t StaleAfterMs = 30'000;

    explicit WatchListModel(const Clock &clock, QObject *parent = nullptr);

    void setSnapshot(SnapshotPtr snapshot);
    void setMarketData(const MarketData *market);

    // The list's keys, in order (replaces the rows).
    void setKeys(const QStringList &keys);
    QStringList keys() const;
    // Appends `key` unless the list has it; returns the row it is on.
    int add(const QString &key);
    void remove(int row);
    // Moves a row up (-1) or down (+1); false at an end.
    bool move(int row, int delta);
    QString keyAt(int row) const;

    // Reads every row's quote and emits dataChanged for the cells whose text changed.
    void refresh();
    // Whether any row has something in that column: a source without depth, volume or OI (the
    // simulated market) leaves those columns empty, and the view collapses them.
    bool columnHasData(int column) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void keysChanged();
    void columnsWithDataChanged();

private:
    enum class Direction { Flat, Up, Down };
    struct Row
    {
        QString key;
        std::optional<InstrumentId> id;
        Price tick = Price::fromPaise(5);
        std::array<QString, ColumnCount> text;
        QString toolTip; // the symbol's: name, key
        QString ageToolTip;
        Direction direction = Direction::Flat;
        bool stale = false;
        bool known = false; // listed by the current master
    };

    Row makeRow(const QString &key) const; // described and read once
    void describe(Row &row) const;
    void updateColumnsWithData();
    // The row's cells as of now; true when any text, colour or staleness changed, with the
    // span of columns that did.
    bool update(Row &row, int &firstColumn, int &lastColumn) const;

    const Clock &m_clock;
    SnapshotPtr m_snapshot;
    const MarketData *m_market = nullptr;
    std::vector<Row> m_rows;
    unsigned m_columnsWithData = 1u << SymbolColumn;
};

} // namespace strikeline::ui
