#pragma once

#include "common/ContractSelection.h"
#include "common/IstTime.h"
#include "instruments/InstrumentSnapshot.h"
#include "orders/Order.h"

#include <QPointer>
#include <QTimer>
#include <QWidget>

#include <memory>
#include <optional>

class QComboBox;
class QCompleter;
class QHeaderView;
class QLabel;
class QLineEdit;
class QStackedWidget;
class QTableView;

namespace strikeline {
class MarketData;
struct LiveChain;
namespace marketdata {
class ChainFeed;
class LiveMarket;
} // namespace marketdata
} // namespace strikeline

namespace strikeline::ui {

class OptionChainModel;

// One underlying's option chain with its pickers: underlying, expiry, the trader's spot and the
// strike window around ATM. Until market data arrives the spot is what the trader types; it is
// applied only when it parses exactly as a price.
class OptionChainView final : public QWidget
{
    Q_OBJECT
public:
    explicit OptionChainView(const Clock &clock, QWidget *parent = nullptr);
    ~OptionChainView() override;

    // A new snapshot keeps the open underlying (looked up again: ids belong to one snapshot).
    void setSnapshot(SnapshotPtr snapshot);
    // `expiry` NoDay: the nearest live expiry. Before a snapshot arrives the request is kept.
    void openUnderlying(const QString &symbol, EpochDay expiry = NoDay);
    void focusUnderlying();

    const OptionChainModel &model() const { return *m_model; }
    // The expiry shown, NoDay when no chain is open.
    EpochDay currentExpiry() const;
    QString underlyingSymbol() const;
    // The CE or PE contract of the current cell; empty on the strike column or without a chain.
    QString currentContractKey() const;
    // What a cell trades: the CE side its call, the PE side its put, the strike nothing (why).
    RowContract contractAt(const QModelIndex &index) const;
    // Puts the cursor on the contract's cell (its LTP) and scrolls to it; a strike outside the
    // window shows all strikes. False when the open chain does not list it.
    bool setCurrentContract(const QString &instrumentKey);
    // The cells: its cursor is what the trader is on (the window's selection follows it).
    QTableView *table() const { return m_table; }
    QHeaderView *header() const;
    // Strikes each side of ATM (0: all), as picked in the window selector.
    int strikeWindow() const;
    void setStrikeWindow(int strikes);
    // The spot typed by the trader (applied as if Enter was pressed).
    void setSpotText(const QString &text);
    // Prices for the LTP and change columns and the underlying's level (null: none). With a
    // source, moneyness follows the underlying's quoted level; the typed spot sets that level
    // (underlyingPriceSet). Without one, moneyness follows the typed spot.
    void setMarketData(const MarketData *market, const QString &label);
    // The live market (the Upstox feed and its quote book), or null: the chain then shows the
    // simulated market of setMarketData, labelled SIMULATED. With one, the visible strikes (at
    // most ATM +- 20 of them) become feed subscriptions, Upstox's option chain gives the
    // previous OI and the full chain's OI, and the header says LIVE, DELAYED, STALE or OFFLINE.
    // `previousOiDirectory`: where the previous OI is kept per day (empty: not kept).
    void setLiveMarket(marketdata::LiveMarket *market, const QString &previousOiDirectory = {});
    // New prices arrived: the level, the shading and the market columns follow (the live
    // numbers are also recomputed on the view's own 10 Hz cadence).
    void refreshQuotes();
    // The market state the header shows: "LIVE", "DELAYED", "STALE", "OFFLINE", "SIMULATED" or
    // "" (no market at all), and why.
    QString marketState() const { return m_marketState; }
    QString marketStateReason() const { return m_marketStateReason; }
    // Column presets: "standard", "prices", "greeks", "oi", "all"; kept in the settings.
    static QStringList columnPresets();
    QString columnPreset() const;
    void setColumnPreset(const QString &preset);
    // How many times the live numbers were recomputed (for tests and the benchmark).
    std::uint64_t liveUpdates() const { return m_liveUpdates; }
    // The price moneyness is judged by now: the quoted level, else the typed spot.
    std::optional<Price> effectiveSpot() const;
    // Moves the strike window onto the ATM strike and scrolls to it. A moving price never
    // does (the rows stay under the mouse); opening a chain, another expiry or window, or a
    // typed spot does.
    void recentre();

Q_SIGNALS:
    // A CE or PE cell was double-clicked.
    void contractActivated(const QString &instrumentKey);
    // B or S pressed in the cells: the CE or PE cell's contract, empty on a strike cell.
    void orderRequested(const QString &instrumentKey, strikeline::Side side);
    // The trader typed (or cleared: price zero) the underlying's price.
    void underlyingPriceSet(const QString &symbol, strikeline::Price price);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void buildUi();
    void loadUnderlying(EpochDay expiry);
    void reloadChain();
    void showChain();
    void updateInfo();
    void updateCompletions(const QString &text);
    QString resolveUnderlying(const QString &text) const;
    void applySpotText();
    void markSpotInvalid(const QString &why);
    void showMessage(const QString &text);
    void scrollToReference();
    void keepCursorAcrossResets();
    QModelIndex cellOf(const QString &instrumentKey, int column = -1) const;
    void updateLive();
    void syncSubscriptions();
    void showMarketState(const LiveChain &live, std::int64_t nowMs, bool simulated);
    void applyColumnPreset();

    const Clock &m_clock;
    SnapshotPtr m_snapshot;
    OptionChainModel *m_model = nullptr;
    UnderlyingId m_underlying = NoId;
    std::optional<Segment> m_segment; // of the open underlying, to find it again
    std::optional<Price> m_spot;
    QString m_openSymbol;

    QLineEdit *m_underlyingEdit = nullptr;
    QComboBox *m_expiryCombo = nullptr;
    QLineEdit *m_spotEdit = nullptr;
    QComboBox *m_windowCombo = nullptr;
    QLabel *m_atm = nullptr;  // "ATM 26000": never clipped
    QLabel *m_info = nullptr; // strikes and segment: gives way on a narrow window
    QCompleter *m_completer = nullptr;
    QLabel *m_live = nullptr;
    QLabel *m_state = nullptr;     // LIVE / DELAYED / STALE / OFFLINE / SIMULATED
    QLabel *m_analytics = nullptr; // forward, PCR, max pain, totals
    QComboBox *m_columnsCombo = nullptr;
    QComboBox *m_oiUnitCombo = nullptr;
    QWidget *m_groups = nullptr; // CALLS | PUTS over the columns
    const MarketData *m_market = nullptr;
    QPointer<marketdata::LiveMarket> m_liveMarket;
    std::unique_ptr<marketdata::ChainFeed> m_chainFeed;
    QString m_previousOiDirectory;
    QTimer m_liveTimer;
    QString m_marketState;
    QString m_marketStateReason;
    std::uint64_t m_liveUpdates = 0;
    QString m_marketLabel;
    std::optional<Price> quotedLevel() const;
    QStackedWidget *m_stack = nullptr;
    QLabel *m_message = nullptr;
    QTableView *m_table = nullptr;
    // The cursor while the rows are rebuilt: its contract (or strike) and column.
    struct Cursor
    {
        QString key;
        std::optional<Price> strike;
        int column = -1;
    } m_cursor;
};

// "09 Dec 2025 · 0d · W": the expiry picker's text (W weekly, M monthly).
QString expiryChoiceText(const ExpiryInfo &expiry, EpochDay today);

} // namespace strikeline::ui
