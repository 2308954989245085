#pragma once

#include "instruments/InstrumentSnapshot.h"

#include <QAbstractTableModel>

#include <optional>
#include <string_view>
#include <vector>

namespace strikeline::ui {

// The search results as a table: one row per hit, in the order core ranked them. The model only
// presents; it never filters or sorts (InstrumentSnapshot::search does).
class SearchResultsModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column : int {
        SymbolColumn,
        SegmentColumn,
        TypeColumn,
        ExpiryColumn,
        StrikeColumn,
        LotColumn,
        TickColumn,
        FreezeColumn,
        KeyColumn,
        ColumnCount
    };
    enum Role : int {
        InstrumentKeyRole = Qt::UserRole + 1, // QString: "NSE_FO|41915"
    };

    explicit SearchResultsModel(QObject *parent = nullptr);
    ~SearchResultsModel() override;

    // Replaces the rows (one model reset). The hits must come from `snapshot`; `today` is the
    // day they were searched for and drives the days-left text (NoDay: dates only).
    void setResults(SnapshotPtr snapshot, std::vector<SearchHit> hits, EpochDay today = NoDay);
    void clear();

    const SnapshotPtr &snapshot() const { return m_snapshot; }
    std::optional<InstrumentId> instrumentAt(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QString displayText(const InstrumentView &instrument, int column) const;
    QString toolTip(const InstrumentView &instrument) const;

    SnapshotPtr m_snapshot;
    std::vector<SearchHit> m_hits;
    EpochDay m_today = NoDay;
};

// Text shared by the results table and the contract panel, so both say the same thing.
QString toQString(std::string_view text);
// "30 Dec 2025 · 22d", "09 Dec 2025 · today", "02 Dec 2025 · expired"; empty without expiry.
QString shortExpiryText(EpochDay expiry, EpochDay today);
// "30 Dec 2025 · 22 days left · monthly"
QString longExpiryText(EpochDay expiry, EpochDay today, bool weekly);
// "1800", or "20 lots" where the exchange counts quantity in lots (MCX); empty when unknown.
QString freezeText(std::int32_t freeze, QuantityUnit unit);
// For a query that found nothing: "Did you mean NIFTY?" when core has a correction
// (InstrumentSnapshot::suggest), else empty.
QString didYouMeanText(const InstrumentSnapshot &snapshot, const QString &query, EpochDay today);

} // namespace strikeline::ui
