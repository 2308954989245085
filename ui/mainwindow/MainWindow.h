#pragma once

#include "common/IstTime.h"
#include "instruments/InstrumentSnapshot.h"
#include "orders/Order.h"
#include "theme/Theme.h"

#include <QMainWindow>

#include <optional>

class QAction;
class QFormLayout;
class QHeaderView;
class QSplitter;
class QLabel;
class QLineEdit;
class QProgressBar;
class QStackedWidget;
class QTabWidget;
class QTableView;
class QTimer;

namespace strikeline {
class InstrumentRepository;
class MarketData;
} // namespace strikeline

namespace strikeline::ui {

class CommandPalette;
class ContractSelection;
class ElidedLabel;
class OptionChainView;
class SearchResultsModel;

// The terminal's first window: typeahead search over the instrument snapshot, the results as a
// table and the chosen contract's trading rules. Searching runs on the UI thread against the
// held snapshot (microseconds); loading happens elsewhere and arrives as snapshotPublished.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
public:
    MainWindow(InstrumentRepository &repository, const Clock &clock, QWidget *parent = nullptr);
    ~MainWindow() override;

    // Sets the search text as if typed (smoke test, screenshots).
    void setQuery(const QString &text);
    const SearchResultsModel &results() const { return *m_results; }
    // Null until the first snapshot arrives.
    const SnapshotPtr &snapshot() const { return m_snapshot; }
    // Shows a result row in the contract panel and selects it.
    void showResult(int row);
    // Switches to the option chain tab with `symbol` open (screenshots).
    void openChain(const QString &symbol, EpochDay expiry = NoDay);
    OptionChainView &chainView() const { return *m_chainView; }
    // Opens what a trader means by picking this contract: the chain for an option or an
    // underlying with derivatives, the contract panel for a future or an equity.
    void openInstrument(const QString &instrumentKey);
    // The one contract the window is on (selection()): the panel shows it, F1/F2, B/S and a
    // double-click trade it. Empty when none.
    QString selectedContractKey() const;
    // Written by every view's current row or cell; the composition root adds its panels'
    // tables (orders, positions, sync changes) with ContractSelection::track.
    ContractSelection &selection() const { return *m_selection; }
    // The status bar's message (beside the master line, which stays): `failed` shows it as an
    // error; a timeout of 0 keeps it until the next one.
    void showStatusMessage(const QString &text, bool failed = false, int timeoutMs = 0);
    QString statusMessage() const;

    // Tabs beside Search and Option chain (Sync & data, Orders), added by the composition root.
    void addPanel(QWidget *panel, const QString &title, const QKeySequence &shortcut);
    // The same with an existing action ("Orders", F3) going to it: one command, listed once.
    void addPanel(QWidget *panel, const QString &title, QAction *goTo);
    void showPanel(QWidget *panel);
    CommandPalette &commandPalette() const { return *m_palette; }

    // The actions of the menus, toolbar and command palette.
    QAction *syncAction() const { return m_syncAction; }
    QAction *importAction() const { return m_importAction; }
    QAction *cancelSyncAction() const { return m_cancelSyncAction; }
    QAction *buyAction() const { return m_buyAction; }
    QAction *sellAction() const { return m_sellAction; }
    QAction *ordersAction() const { return m_ordersAction; }
    // Ctrl+D: the selected contract into the market watch (enabled once one is added).
    QAction *watchAddAction() const { return m_watchAddAction; }
    QAction *darkThemeAction() const { return m_darkThemeAction; }
    QAction *apiAction() const { return m_apiAction; }
    QAction *apiLiveAction() const { return m_apiLiveAction; }
    QAction *recentreAction() const { return m_recentreAction; }
    // Ctrl+Shift+H: the kill switch (checked while trading is halted).
    QAction *haltAction() const { return m_haltAction; }
    // Shows the kill switch's state: a red TRADING HALTED badge with `message` as its tooltip,
    // the action checked and named "Resume trading". Does not emit haltRequested.
    void setHalted(bool halted, const QString &message);
    // The live order stream's state in the status bar ("ORDERS LIVE", "ORDERS RECONNECTING",
    // "ORDERS: LOG IN AGAIN"), with the reason in its tooltip; hidden while nothing trades live.
    void setOrderStream(const QString &text, const QString &reason, bool warning, bool shown);

    // The keyboard map (Help menu) as rich text: every shortcut of the window's actions and
    // the keys that work in one view.
    QString keyboardMapText() const;

    // Where the search results' LTP column and the contract panel's last price read from (the
    // terminal's MarketPrices; null: none). Outlives the window; read on a 4 Hz cadence.
    void setMarketData(const MarketData *market);
    // The keys the search results show first (what searchResultsShown names).
    static constexpr int SubscribedResults = 20;
    // A permanent badge in the status bar naming where prices come from ("SIMULATED PRICES",
    // "LIVE · UPSTOX FEED"); `warning` colours it as a problem (a feed reconnecting, a login).
    void setPriceSource(const QString &badge, const QString &toolTip, bool warning = false);
    // A permanent badge ("Clock: 09 Dec 2025 10:30 IST") while the clock is pinned (--at).
    void showPinnedClock(const IstMoment &at);

    // Window geometry, splitter, current tab, column layout of every table, chain window.
    void saveLayout() const;
    void restoreLayout();

public Q_SLOTS:
    // Loader feedback, wired by the composition root. `stage` is a short lower-case phrase
    // ("reading complete.json.gz"); a total of 0 means the progress is unknown (busy).
    void showLoadStage(const QString &stage);
    void showLoadProgress(qint64 bytesConsumed, qint64 bytesTotal);
    void showLoadFinished(bool ok, const QString &message, qint64 elapsedMs);

    // A background sync's progress (the composition root forwards its controller's signals).
    void showSyncRunning(bool running);
    // Shown beside the status text until the next sync: "Sync failed: …" or the summary.
    void showSyncMessage(const QString &text, bool failed);
    // The local API server's state: `address` ("127.0.0.1:8731") while serving, empty when
    // off; a failure unticks the toggle and says why.
    void showApiStatus(const QString &address, const QString &error = {});
    // Whether the local API takes live orders ("live": true): the toggle, and the API badge
    // says "LIVE ORDERS" while it does.
    void setApiLiveOrders(bool allowed);

Q_SIGNALS:
    // A published snapshot is now the one searched and shown.
    void snapshotApplied();
    // Menu/toolbar/palette requests; the composition root acts on them.
    void syncRequested();
    void importRequested(const QString &path);
    void cancelSyncRequested();
    void orderTicketRequested(const QString &instrumentKey, strikeline::Side side);
    // The first SubscribedResults keys of the results, once the trader stops typing (300 ms):
    // the composition root subscribes them to the feed. Empty when there are none.
    void searchResultsShown(const QStringList &instrumentKeys);
    // The trader asked to halt (true) or resume (false) trading: the composition root turns the
    // kill switch and answers with setHalted().
    void haltRequested(bool halt);
    // "Add to watch list" (Ctrl+D) on the selected contract.
    void watchAddRequested(const QString &instrumentKey);
    void themeChangeRequested(strikeline::ui::Theme theme);
    // The Settings menu's "Serve the local API" toggle (off by default).
    void apiServerToggled(bool on);
    // "Allow live orders through the API" (off at every start).
    void apiLiveOrdersToggled(bool on);

protected:
    bool event(QEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;
    void closeEvent(QCloseEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void buildUi();
    void buildActions();
    QList<QAction *> paletteActions() const;
    void requestOrderTicket(Side side);
    QString untradableText(InstrumentId id, Side side) const;
    UnderlyingId derivativesOf(InstrumentId spot) const;
    void showSelection();
    void buildStatusMessage();
    void paintStatusMessage(const QString &text, bool failed);
    void chooseImportFile();
    void showKeyboardMap();
    QWidget *buildContractPanel();
    void applySnapshot(const SnapshotPtr &snapshot);
    void runSearch();
    void showContract(std::optional<InstrumentId> id);
    void showContractPrice();
    void updateStatus();
    void updateResultsArea();
    void focusSearch();
    void moveIntoResults();
    void activateResult(int row);
    void focusChain();

    InstrumentRepository &m_repository;
    const Clock &m_clock;
    SnapshotPtr m_snapshot;
    SearchResultsModel *m_results = nullptr;
    ContractSelection *m_selection = nullptr;
    bool m_loading = false;
    QString m_loadStage;
    QString m_loadError;
    qint64 m_loadElapsedMs = -1;
    double m_lastSearchMicros = 0;

    QLineEdit *m_searchEdit = nullptr;
    QLabel *m_searchInfo = nullptr;
    QStackedWidget *m_resultsStack = nullptr;
    QLabel *m_resultsMessage = nullptr;
    QTableView *m_resultsView = nullptr;

    QTabWidget *m_tabs = nullptr;
    OptionChainView *m_chainView = nullptr;

    QLabel *m_contractHint = nullptr;
    struct ContractLabels
    {
        QLabel *symbol = nullptr;
        QLabel *name = nullptr;
        QLabel *key = nullptr;
        QLabel *segment = nullptr;
        QLabel *type = nullptr;
        QLabel *underlying = nullptr;
        QLabel *expiry = nullptr;
        QLabel *strike = nullptr;
        QLabel *lotSize = nullptr;
        QLabel *tickSize = nullptr;
        QLabel *freeze = nullptr;
        QLabel *quantityUnit = nullptr;
        QLabel *lastSeen = nullptr;
        QLabel *lastPrice = nullptr;
    } m_contract;
    const MarketData *m_market = nullptr;
    QTimer *m_priceTimer = nullptr;        // the prices' cadence
    QTimer *m_resultsShownTimer = nullptr; // searchResultsShown, after typing stops
    struct MasterLabels
    {
        QLabel *source = nullptr;
        QLabel *asOf = nullptr;
        QLabel *imported = nullptr;
        QLabel *instruments = nullptr;
        QLabel *underlyings = nullptr;
        QLabel *memory = nullptr;
        QLabel *loadTime = nullptr;
    } m_master;

    ElidedLabel *m_statusLabel = nullptr;
    QString m_loadMessage; // the last load's outcome, in the status line's tooltip
    ElidedLabel *m_messageLabel = nullptr;
    QTimer *m_messageTimer = nullptr;
    QString m_message;
    bool m_messageFailed = false;
    QProgressBar *m_progress = nullptr;
    QLabel *m_staleLabel = nullptr;
    QLabel *m_demoLabel = nullptr;
    QLabel *m_syncLabel = nullptr;
    QLabel *m_priceSourceLabel = nullptr;
    bool m_priceSourceWarning = false;
    QLabel *m_clockLabel = nullptr;
    bool m_demoBannerDismissed = false; // for this session
    QWidget *m_demoBanner = nullptr;
    QWidget *buildDemoBanner();
    QSplitter *m_splitter = nullptr;
    CommandPalette *m_palette = nullptr;
    bool m_syncRunning = false;

    QAction *m_syncAction = nullptr;
    QAction *m_importAction = nullptr;
    QAction *m_cancelSyncAction = nullptr;
    QAction *m_searchAction = nullptr;
    QAction *m_chainAction = nullptr;
    QAction *m_paletteAction = nullptr;
    QAction *m_buyAction = nullptr;
    QAction *m_sellAction = nullptr;
    QAction *m_ordersAction = nullptr;
    QAction *m_watchAddAction = nullptr;
    QAction *m_darkThemeAction = nullptr;
    QAction *m_quitAction = nullptr;
    QAction *m_keysAction = nullptr;
    QAction *m_apiAction = nullptr;
    QAction *m_apiLiveAction = nullptr;
    QString m_apiAddress;
    bool m_apiLiveOrders = false;
    QAction *m_recentreAction = nullptr;
    QAction *m_haltAction = nullptr;
    QLabel *m_haltLabel = nullptr;
    QLabel *m_orderStreamLabel = nullptr;
    bool m_orderStreamWarning = false;
    QLabel *m_apiLabel = nullptr;
    QList<QAction *> m_panelActions;
};

} // namespace strikeline::ui
