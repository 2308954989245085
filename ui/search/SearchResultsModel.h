#pragma once

#include "common/IstTime.h"
#include "instruments/InstrumentSnapshot.h"
#include "marketdata/MarketData.h"

#include <QAbstractTableModel>

#include <optional>
#include <string_view>
#include <vector>

namespace strikeline::ui {

// The search results as a table: one row per hit, in the order core ranked them. The model only
// presents; it never filters or sorts (InstrumentSnapshot::search does).
//
// The LTP column reads the terminal's price source (MarketPrices: the live book, or the
// simulated market): refreshPrices(), on the window's cadence, formats each row's price once
// and signals only the cells whose text changed; data() only reads.
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
        LtpColumn, // the last price and its age (tooltip) from the terminal's price source
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

    // Where the LTP column reads from (null: no prices, the column says "—"); `clock` stamps
    // the ages. Both outlive the model. Refreshes the column.
    void setMarketData(const MarketData *market, const Clock *clock);
    // Re-reads every row's quote; dataChanged for the LTP cells whose text or state changed.
    void refreshPrices();
    // The keys of the first `count` rows (the ones a trader reads; the feed subscribes them).
    QStringList keys(int count) const;

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
    struct PriceCell
    {
        QString text;    // "123.45", or "—"
        QString toolTip; // "Last tick at 10:00:01 IST · 2s ago", "Simulated price at …"
        bool stale = false;
        bool operator==(const PriceCell &) const = default;
    };
    PriceCell priceCell(const InstrumentView &instrument) const;

    SnapshotPtr m_snapshot;
    std::vector<SearchHit> m_hits;
    std::vector<PriceCell> m_prices; // by row
    EpochDay m_today = NoDay;
    const MarketData *m_market = nullptr;
    const Clock *m_clock = nullptr;
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
