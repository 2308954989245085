#pragma once

// The desktop terminal's services, built and wired together in one place (the composition
// root; main.cpp only parses options). Owns them for the life of the window.

#include "common/IstTime.h"
#include "common/Result.h"
#include "common/WorkerThread.h"
#include "instruments/InstrumentRepository.h"
#include "marketdata/MarketPrices.h"
#include "marketdata/SimulatedMarket.h"
#include "marketdata/feed/FeedSubscriptions.h"
#include "orders/BrokerGateway.h"
#include "orders/KillSwitch.h"
#include "orders/Order.h"
#include "orders/PositionBook.h"
#include "session/SessionController.h"
#include "storage/DatabaseConfig.h"
#include "sync/SyncSchedule.h"

#include <QFileSystemWatcher>
#include <QObject>
#include <QSet>
#include <QString>
#include <QThread>
#include <QThreadPool>
#include <QTimer>

#include <atomic>
#include <map>
#include <memory>

namespace strikeline {
namespace marketdata {
class LiveMarket;
}
class OrderService;
struct SubmitOutcome;
class OrderValidator;
class PaperGateway;
namespace upstox {
class UpstoxOrderGateway;
} // namespace upstox
struct OrderRequest;
struct Verdict;
} // namespace strikeline

namespace strikeline::ui {
class MainWindow;
class OrdersPanel;
class OrderTicket;
class WatchPanel;
class MasterLoader;
class SyncController;
class SyncPanel;
class SessionController;
class SessionIndicator;
class SessionPage;
struct SyncSummary;
} // namespace strikeline::ui

namespace strikeline {
struct SyncHistory;
namespace api {
class ApiServer;
}
} // namespace strikeline

namespace strikeline::desktop {

struct TerminalOptions
{
    DatabaseConfig database;  // where syncs go and the terminal hydrates from
    QString masterFile;       // when set: start on this file instead of the database
    QString syncSource;       // the Upstox master URL (or a file) "Sync now" fetches
    bool autoSync = true;     // once a day after 06:00 IST (off for smoke tests, screenshots)
    int marketTickMs = 1000;  // how often simulated prices move
    QString journalDirectory; // the order journal (durable before send); empty: no orders
    bool serveApi = false;    // the local HTTP API (a setting, off by default)
    quint16 apiPort = 0;      // 0: the default port
    ui::SessionControllerOptions upstox; // Upstox's address (STRIKELINE_UPSTOX_URL), secrets
    // The Upstox feed drives the chain while market data has a token (an Analytics Token or a
    // session); off: the simulated market only.
    bool liveMarket = true;
    // Whether live orders (Upstox) can exist at all; off for the smoke test and screenshots.
    bool liveOrders = true;
    // The kill switch's file (shared with `strikeline-cli halt`); empty: defaultHaltFile().
    QString haltFile;
};

class Terminal final : public QObject
{
    Q_OBJECT
public:
    Terminal(const Clock &clock, TerminalOptions options, QObject *parent = nullptr);
    ~Terminal() override;

    // Shows the window and starts loading the instruments.
    void start();

    ui::MainWindow &window() { return *m_window; }
    marketdata::LiveMarket *liveMarket() { return m_live.get(); }
    ui::MasterLoader &loader() { return *m_loader; }
    ui::SyncPanel &syncPanel() { return *m_syncPanel; }
    SimulatedMarket &market() { return m_market; }
    // What the watch list, the ticket, positions, the validator and paper fills price from.
    const marketdata::MarketPrices &prices() const { return m_prices; }

    // Starts a sync from `source` (URL or file) into the database; false while one runs.
    bool startSync(const QString &source, bool automatic = false);
    // Starts or stops the local HTTP API on its own thread; the window shows the outcome.
    void setApiServing(bool on);
    quint16 apiPort() const { return m_apiPort; }

    // F1/F2, B/S, double-click: the ticket for one contract (non-modal; submit places it).
    void openTicket(const QString &instrumentKey, Side side);
    // Places an order from a ticket; the outcome goes to the status bar and the orders panel.
    void submitOrder(const OrderRequest &request);
    void onSubmitted(const Result<SubmitOutcome> &outcome);
    // F2 / double-click in the orders panel: the modify dialog for a working order.
    void openModify(const std::string &clientOrderId);
    // The ticket's "what happens if I send this": Upstox's margin for its terms, funds free.
    void showMargin(ui::OrderTicket *ticket);
    // Asks before the first live order of each day (replaceable for tests: true to send).
    void setLiveConfirm(std::function<bool(QWidget *, const QString &)> confirm)
    {
        m_confirmLive = std::move(confirm);
    }
    bool liveTradingAvailable(QString *why = nullptr) const;
    void followSession(session::SessionState state);
    void showOrderStream(const GatewayStatus &status);
    OrderService *orders() { return m_orders.get(); }
    // The kill switch: `halt` refuses every new order from here on (and offers to cancel the
    // open ones when `askToCancel`), or resumes; the file is written off this thread.
    void setHalted(bool halt, bool askToCancel = true);
    const KillSwitch &killSwitch() const { return m_killSwitch; }
    ui::OrdersPanel &ordersPanel() { return *m_ordersPanel; }
    ui::WatchPanel &watchPanel() { return *m_watchPanel; }
    // The Upstox session (the status-bar indicator, the Upstox page).
    ui::SessionController &upstox() { return *m_upstox; }
    ui::SessionPage &upstoxPage() { return *m_upstoxPage; }
    void openUpstoxPage();

private:
    void wireLoader();
    void wireMarket();
    void wireSync();
    void stopApi();
    void openOrders();
    void refreshOrders();
    // Paper positions, and Upstox's folded from the journaled live fills, priced by the quotes.
    std::vector<Position> allPositions() const;
    void wireSelection();
    void wireUpstox();
    void updateLiveMarket();
    void wireKillSwitch();
    // Reads the kill switch's file on the thread pool and applies it here.
    void readHaltFile();
    void applyHalt(const HaltState &state);
    // The status bar's badge: simulated, or the live feed's state and reason.
    void showPriceSource();
    // Feed subscriptions of the panels that are not the chain (which holds its own):
    // `consumer` wants `keys` in `mode`, replacing what it wanted. No feed: nothing to do.
    void subscribe(const QString &consumer, const QStringList &keys, marketdata::FeedMode mode);
    void subscribeWatchList();
    void subscribeOrders();
    void subscribeBrowsing();
    // Asks the REST full quote for the bands of `keys` not known or older than five minutes.
    void refreshCircuitLimits(const QStringList &keys);
    // The last order placed from this window, in the status bar as it is now.
    void showOrderFeedback();
    Verdict validateOrder(const OrderRequest &request) const;
    void onSyncFinished(const ui::SyncSummary &summary);
    void onHistory(const SyncHistory &history);
    void scheduleAutoSyncCheck(qint64 inMs);
    bool online() const;

    const Clock &m_clock;
    const TerminalOptions m_options;
    InstrumentRepository m_repository;
    // The simulated market (offline, labelled) and the one source every panel prices from:
    // the live book while the feed runs, the simulated market otherwise.
    SimulatedMarket m_market;
    KillSwitch m_killSwitch; // read by the validator on any thread
    QString m_haltFile;
    QFileSystemWatcher m_haltWatcher;
    std::uint64_t m_haltGeneration = 0; // bumped by every halt or resume from this window
    marketdata::MarketPrices m_prices{m_market};
    SyncSchedule m_schedule;
    std::unique_ptr<ui::MainWindow> m_window;
    ui::SyncPanel *m_syncPanel = nullptr; // a tab of the window
    QTimer m_marketTimer;
    QTimer m_autoSyncTimer;
    bool m_automaticRun = false;
    quint16 m_apiPort = 0;
    ui::OrdersPanel *m_ordersPanel = nullptr; // a tab of the window
    ui::WatchPanel *m_watchPanel = nullptr;   // a tab of the window
    std::unique_ptr<PaperGateway> m_broker;
    // Live orders: the Upstox gateway on a thread of its own (it owns the portfolio stream),
    // deleted there when the thread ends. Null when Upstox's address is not usable.
    upstox::UpstoxOrderGateway *m_liveGateway = nullptr;
    ThreadPtr m_liveGatewayThread;
    EpochDay m_liveConfirmedDay = NoDay; // the first live order of a day asks first
    std::function<bool(QWidget *, const QString &)> m_confirmLive;
    std::unique_ptr<OrderValidator> m_validator;
    std::unique_ptr<OrderService> m_orders; // before the broker it sends to: destroyed first
    QString m_ordersUnavailable;
    std::string m_reportedOrderId; // whose outcome the status bar shows
    QString m_reportedText;
    api::ApiServer *m_api = nullptr; // lives in m_apiThread
    std::unique_ptr<QThread> m_apiThread;
    // Settings > Allow live orders through the API (per run); read by the API's thread.
    std::shared_ptr<std::atomic<bool>> m_apiLiveOrders = std::make_shared<std::atomic<bool>>(false);
    // Whether a live order can go now, for the API's thread: kept by followSession().
    std::shared_ptr<std::atomic<bool>> m_liveSession = std::make_shared<std::atomic<bool>>(false);
    ui::SessionPage *m_upstoxPage = nullptr;           // a tab of the window
    ui::SessionIndicator *m_upstoxIndicator = nullptr; // in the status bar
    // Threads last: destroyed (cancelled and joined) before what they report to.
    QThreadPool m_haltIo; // the kill switch's file, one read or write at a time, in order
    std::unique_ptr<ui::SyncController> m_sync;
    std::unique_ptr<ui::MasterLoader> m_loader;
    std::unique_ptr<ui::SessionController> m_upstox;
    std::unique_ptr<marketdata::LiveMarket> m_live; // while market data has a token
    std::map<QString, QString> m_ticketKeys;        // an open ticket's consumer -> its key
    int m_nextTicket = 0;
    QStringList m_subscribedOpen; // the keys of open orders and of open positions subscribed
    QStringList m_subscribedHeld;
    QStringList m_searchKeys;                // the first search results (ltpc)
    QString m_selectedKey;                   // the contract panel's (full)
    std::uint64_t m_shownSegmentVersion = 0; // the market_info the badge's tooltip shows
    QSet<QString> m_circuitsInFlight;        // keys whose bands are being asked for
};

} // namespace strikeline::desktop
