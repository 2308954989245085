#include "Terminal.h"

#include "api/ApiServer.h"
#include "api/ApiToken.h"
#include "broker/upstox/UpstoxOrderGateway.h"
#include "broker/upstox/UpstoxPortfolio.h"
#include "chain/OptionChainView.h"
#include "common/ContractSelection.h"
#include "mainwindow/MainWindow.h"
#include "mainwindow/MasterLoader.h"
#include "marketdata/feed/FeedBackfill.h"
#include "marketdata/feed/LiveMarket.h"
#include "orders/AccountView.h"
#include "orders/ModifyOrderDialog.h"
#include "orders/OrderFeedback.h"
#include "orders/OrderService.h"
#include "orders/OrderTicket.h"
#include "orders/OrderValidator.h"
#include "orders/OrdersModel.h"
#include "orders/OrdersPanel.h"
#include "orders/PaperGateway.h"
#include "session/SessionController.h"
#include "session/SessionIndicator.h"
#include "session/SessionPage.h"
#include "sync/InstrumentSync.h"
#include "sync/SyncChangesModel.h"
#include "sync/SyncController.h"
#include "sync/SyncPanel.h"
#include "sync/SyncTypes.h"
#include "watch/WatchListModel.h"
#include "watch/WatchPanel.h"

#include <QAction>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QLocale>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QNetworkInformation>
#include <QPointer>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QThreadPool>

#include <spdlog/spdlog.h>

#include <algorithm>

namespace strikeline::desktop {

namespace {

constexpr qint64 MinuteMs = 60 * 1000;

const QString SimulatedPricesTip =
    QStringLiteral("No live market feed (no Upstox session or Analytics Token): last prices come "
                   "from a simulated market (Black-76 options around the underlying's level). "
                   "Type a spot in the chain to move an underlying.");

QString megabytes(qint64 bytes)
{
    return QLocale(QLocale::English).toString(static_cast<double>(bytes) / 1.0e6, 'f', 1) +
           QStringLiteral(" MB");
}

} // namespace

Terminal::Terminal(const Clock &clock, TerminalOptions options, QObject *parent)
    : QObject(parent)
    , m_clock(clock)
    , m_options(std::move(options))
    , m_market(m_repository, clock)
    , m_schedule(clock)
    , m_window(std::make_unique<ui::MainWindow>(m_repository, clock))
    , m_sync(std::make_unique<ui::SyncController>(clock))
    , m_loader(std::make_unique<ui::MasterLoader>(m_repository, clock))
    , m_upstox(std::make_unique<ui::SessionController>(clock, m_options.upstox))
{
    m_haltIo.setMaxThreadCount(1);
    m_syncPanel = new ui::SyncPanel;
    m_syncPanel->setObjectName(QStringLiteral("syncPanel"));
    m_window->addPanel(m_syncPanel, QStringLiteral("Sync && data"), QKeySequence(Qt::Key_F7));
    m_ordersPanel = new ui::OrdersPanel;
    m_ordersPanel->setObjectName(QStringLiteral("ordersPanel"));
    // F3 ("Orders" in the Trade menu) goes to it: one command, not two of the same name.
    m_window->addPanel(m_ordersPanel, QStringLiteral("Orders"), m_window->ordersAction());
    m_watchPanel = new ui::WatchPanel(clock);
    m_window->addPanel(m_watchPanel, QStringLiteral("&Watch"), QKeySequence(Qt::Key_F5));
    m_window->watchAddAction()->setEnabled(true);
    wireLoader();
    wireMarket();
    wireSync();
    openOrders();
    wireSelection();
    wireUpstox();
    connect(m_window.get(), &ui::MainWindow::apiServerToggled, this,
            [this](bool on) { setApiServing(on); });
    connect(m_window.get(), &ui::MainWindow::apiLiveOrdersToggled, this, [this](bool on) {
        m_apiLiveOrders->store(on); // the server asks per request: no restart, no file read
        m_window->setApiLiveOrders(on);
    });
}

Terminal::~Terminal()
{
    // Open tickets release their subscriptions while the maps and the feed they release into
    // still exist (the window, their parent, outlives every other member).
    qDeleteAll(m_window->findChildren<ui::OrderTicket *>());
    // Stop the workers while the window they report to still exists.
    stopApi();
    // The chain lets go of its subscriptions, then the feed thread ends, before the client the
    // feed authorizes through goes with the session controller.
    m_window->chainView().setLiveMarket(nullptr);
    m_prices.setLive(nullptr);
    m_live.reset();
    m_orders.reset(); // joins the journal and persister threads
    // Then the live gateway (its sink is gone): its thread ends and deletes it there, before
    // the session's client it sends through.
    m_liveGatewayThread.reset();
    m_liveGateway = nullptr;
    m_loader.reset();
    m_sync.reset();
    delete m_upstoxIndicator; // reads the controller on every repaint of its theme
    m_upstoxIndicator = nullptr;
    m_upstox.reset(); // joins the secret store's and the network's threads
}

void Terminal::start()
{
    wireKillSwitch();
    if (m_options.autoSync)
        QNetworkInformation::loadBackendByFeatures(QNetworkInformation::Feature::Reachability);
    m_window->show();
    m_upstox->start(); // probes the secret store off this thread, restores a stored token
    if (m_options.serveApi)
        setApiServing(true);
    if (!m_options.masterFile.isEmpty())
        m_loader->load(m_options.masterFile);
    else
        m_loader->loadDatabase(m_options.database);
}

void Terminal::wireKillSwitch()
{
    m_haltFile = m_options.haltFile.isEmpty() ? defaultHaltFile() : m_options.haltFile;
    connect(m_window.get(), &ui::MainWindow::haltRequested, this,
            [this](bool halt) { setHalted(halt); });
    // `strikeline-cli halt` in a shell stops this terminal too: the folder is watched (the file
    // may not exist yet, and QSaveFile replaces it by a rename). The first read, on the pool,
    // makes the folder; the watch starts when it is back.
    connect(&m_haltWatcher, &QFileSystemWatcher::directoryChanged, this,
            [this] { readHaltFile(); });
    readHaltFile();
}

void Terminal::readHaltFile()
{
    const QPointer<Terminal> self(this);
    const std::uint64_t generation = m_haltGeneration;
    m_haltIo.start([self, generation, path = m_haltFile] {
        const QString folder = QFileInfo(path).absolutePath();
        QDir().mkpath(folder);
        Result<HaltState> read = readHaltState(path);
        QMetaObject::invokeMethod(
            self.data(),
            [self, generation, folder, read = std::move(read)] {
                if (!self)
                    return;
                // A read asked for before the trader's own halt or resume is older than it.
                if (generation != self->m_haltGeneration)
                    return;
                if (!self->m_haltWatcher.directories().contains(folder))
                    self->m_haltWatcher.addPath(folder);
                if (!read) {
                    // Unreadable: the safe side is halted, saying why.
                    spdlog::error("kill switch: {}", read.error().message.toStdString());
                    HaltState unknown;
                    unknown.halted = true;
                    unknown.reason = read.error().message;
                    self->applyHalt(unknown);
                    return;
                }
                self->applyHalt(read.value());
            },
            Qt::QueuedConnection);
    });
}

void Terminal::applyHalt(const HaltState &state)
{
    if (state == m_killSwitch.state())
        return;
    m_killSwitch.set(state);
    m_window->setHalted(state.halted, state.halted ? haltedMessage(state) : QString());
    spdlog::warn("kill switch: trading {}{}", state.halted ? "halted" : "resumed",
                 state.by.isEmpty() ? std::string() : " from the " + state.by.toStdString());
    m_window->showStatusMessage(state.halted ? haltedMessage(state)
                                             : QStringLiteral("Trading resumed."),
                                state.halted, 10000);
}

void Terminal::setHalted(bool halt, bool askToCancel)
{
    HaltState state;
    state.halted = halt;
    state.by = QStringLiteral("desktop");
    state.sinceMs = m_clock.now().epochMs;
    if (halt)
        state.reason = QStringLiteral("halted from the terminal");
    // In RAM first: the next order is refused now, whatever the disk does. The file's reads and
    // writes run in order on one thread, so a quick halt-resume-halt ends as the trader left it.
    ++m_haltGeneration;
    applyHalt(state);
    m_haltIo.start([path = m_haltFile, state] {
        if (auto written = writeHaltState(path, state); !written)
            spdlog::error("kill switch: not kept on disk: {}",
                          written.error().message.toStdString());
    });
    if (!halt || !askToCancel || !m_orders)
        return;
    std::vector<std::string> open;
    for (const OrderState &o : m_orders->orders())
        if (!isTerminal(o.status) && o.children.empty())
            open.push_back(o.request.clientOrderId);
    if (open.empty())
        return;
    const auto answer = QMessageBox::question(
        m_window.get(), QStringLiteral("Trading halted"),
        QStringLiteral("No new order will be sent. Also cancel the %1 open order%2?")
            .arg(open.size())
            .arg(open.size() == 1 ? QString() : QStringLiteral("s")),
        QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
    if (answer != QMessageBox::Yes)
        return;
    // On the order thread: the answer comes back here, the window never waits for it.
    const std::size_t asked = open.size();
    m_orders->cancelAllAsync(std::nullopt, [this, asked](std::size_t cancelled) {
        QMetaObject::invokeMethod(
            this,
            [this, asked, cancelled] {
                refreshOrders();
                if (cancelled < asked)
                    m_window->showStatusMessage(
                        QStringLiteral("Trading halted; %1 of %2 open orders could not be "
                                       "cancelled: see the orders panel.")
                            .arg(asked - cancelled)
                            .arg(asked),
                        true, 15000);
            },
            Qt::QueuedConnection);
    });
}

void Terminal::wireLoader()
{
    using ui::MainWindow;
    using ui::MasterLoader;
    connect(m_loader.get(), &MasterLoader::stageChanged, m_window.get(),
            &MainWindow::showLoadStage);
    connect(m_loader.get(), &MasterLoader::progress, m_window.get(), &MainWindow::showLoadProgress);
    connect(m_loader.get(), &MasterLoader::finished, m_window.get(), &MainWindow::showLoadFinished);
    connect(m_loader.get(), &MasterLoader::finished, this,
            [this](bool ok, const QString &message, qint64 elapsedMs) {
                if (ok)
                    spdlog::info("{} ({} ms)", message.toStdString(), elapsedMs);
                else
                    spdlog::error("loading instruments failed: {}", message.toStdString());
                // The history (and with it the automatic sync's schedule) once the database
                // is known to be there.
                if (m_options.masterFile.isEmpty() || ok)
                    m_sync->refreshHistory(m_options.database);
            });
}

void Terminal::wireMarket()
{
    ui::OptionChainView &chain = m_window->chainView();
    chain.setMarketData(&m_market, QStringLiteral("simulated"));
    showPriceSource();
    connect(&chain, &ui::OptionChainView::underlyingPriceSet, this,
            [this](const QString &symbol, Price price) {
                m_market.setUnderlyingPrice(symbol.toStdString(), price);
            });
    m_watchPanel->setMarketData(&m_prices, QStringLiteral("simulated"));
    // The search results' LTP and the contract panel's last price: the same source.
    m_window->setMarketData(&m_prices);
    connect(m_window.get(), &ui::MainWindow::searchResultsShown, this,
            [this](const QStringList &keys) {
                m_searchKeys = keys;
                subscribeBrowsing();
            });
    connect(&m_window->selection(), &ui::ContractSelection::changed, this, [this] {
        const QString key = m_window->selectedContractKey();
        if (key == m_selectedKey)
            return;
        m_selectedKey = key;
        subscribeBrowsing();
    });
    connect(m_watchPanel, &ui::WatchPanel::keysChanged, this, [this] { subscribeWatchList(); });
    connect(m_window.get(), &ui::MainWindow::snapshotApplied, m_watchPanel,
            [this] { m_watchPanel->setSnapshot(m_window->snapshot()); });
    connect(
        m_window.get(), &ui::MainWindow::watchAddRequested, m_watchPanel,
        [this](const QString &key) {
            QString why;
            const bool added = m_watchPanel->addKey(key, &why);
            QString name = key;
            if (const SnapshotPtr &snapshot = m_window->snapshot()) {
                if (const auto id = snapshot->findByKey(key.toStdString()))
                    name = QString::fromStdString(
                        std::string(snapshot->instrument(*id).tradingSymbol()));
            }
            m_window->showStatusMessage(
                added
                    ? QStringLiteral("Added %1 to %2 (F5).").arg(name, m_watchPanel->currentList())
                    : QStringLiteral("%1 not added: %2.").arg(name, why),
                !added, 6000);
        });
    connect(m_watchPanel, &ui::WatchPanel::status, m_window.get(),
            [this](const QString &text, bool failed) {
                m_window->showStatusMessage(text, failed, 8000);
            });
    connect(&m_marketTimer, &QTimer::timeout, this, [this] {
        m_market.advance(m_options.marketTickMs);
        if (m_live && m_live->book().segmentVersion() != m_shownSegmentVersion)
            showPriceSource(); // a segment opened or closed: the badge's tooltip says so
        m_window->chainView().refreshQuotes();
        if (m_broker && m_orders) {
            m_broker->onPrices(); // resting limits that the new prices cross fill now
            m_ordersPanel->showPositions(allPositions(), m_repository.snapshot());
        }
    });
    m_marketTimer.start(m_options.marketTickMs);
}

void Terminal::wireSync()
{
    using ui::MainWindow;
    using ui::SyncController;
    using ui::SyncPanel;
    const QString upstox = m_options.syncSource;
    connect(m_window.get(), &MainWindow::syncRequested, this,
            [this, upstox] { startSync(upstox); });
    connect(m_syncPanel, &SyncPanel::syncRequested, this, [this, upstox] { startSync(upstox); });
    connect(m_window.get(), &MainWindow::importRequested, this,
            [this](const QString &path) { startSync(path); });
    connect(m_syncPanel, &SyncPanel::importRequested, this,
            [this](const QString &path) { startSync(path); });
    connect(m_window.get(), &MainWindow::cancelSyncRequested, m_sync.get(),
            &SyncController::cancel);
    connect(m_syncPanel, &SyncPanel::cancelRequested, m_sync.get(), &SyncController::cancel);
    connect(m_syncPanel, &SyncPanel::changesRequested, this,
            [this](const ChangeQuery &query) { m_sync->loadChanges(m_options.database, query); });

    connect(m_sync.get(), &SyncController::started, m_syncPanel, &SyncPanel::showStarted);
    connect(m_sync.get(), &SyncController::started, m_window.get(), [this](const QString &source) {
        m_window->showSyncRunning(true);
        m_window->showSyncMessage(QStringLiteral("Syncing ") + source + QStringLiteral("…"), false);
    });
    connect(m_sync.get(), &SyncController::progress, m_syncPanel, &SyncPanel::showProgress);
    connect(m_sync.get(), &SyncController::progress, m_window.get(),
            [this](const QString &stage, qint64 bytes, qint64 totalBytes, qint64) {
                QString text = QStringLiteral("Sync: ") + stage;
                if (bytes > 0)
                    text += QStringLiteral(" · ") + megabytes(bytes) +
                            (totalBytes > 0 ? QStringLiteral(" of ") + megabytes(totalBytes)
                                            : QString());
                m_window->showSyncMessage(text, false);
            });
    connect(m_sync.get(), &SyncController::finished, m_syncPanel, &SyncPanel::showSummary);
    connect(m_sync.get(), &SyncController::finished, this,
            [this](const ui::SyncSummary &summary) { onSyncFinished(summary); });
    connect(m_sync.get(), &SyncController::historyLoaded, m_syncPanel, &SyncPanel::showHistory);
    connect(m_sync.get(), &SyncController::historyLoaded, this,
            [this](const SyncHistory &history) { onHistory(history); });
    connect(m_sync.get(), &SyncController::changesLoaded, m_syncPanel, &SyncPanel::showChanges);
    connect(m_sync.get(), &SyncController::historyFailed, m_syncPanel,
            &SyncPanel::showHistoryError);

    m_autoSyncTimer.setSingleShot(true);
    connect(&m_autoSyncTimer, &QTimer::timeout, this,
            [this] { m_sync->refreshHistory(m_options.database); });
}

void Terminal::wireUpstox()
{
    // The page is a tab; "Log in to Upstox…" (Settings menu, command palette) goes to it, as
    // does a click on the status bar's indicator (an expired session logs in again there).
    m_upstoxPage = new ui::SessionPage(*m_upstox);
    auto *goTo = new QAction(QStringLiteral("Log in to &Upstox…"), m_window.get());
    goTo->setObjectName(QStringLiteral("upstoxAction"));
    goTo->setStatusTip(QStringLiteral("Your Upstox app, the daily login, the session"));
    m_window->addAction(goTo);
    for (QAction *menu : m_window->menuBar()->actions()) {
        if (menu->menu() && menu->text() == QLatin1String("&Settings")) {
            menu->menu()->insertAction(menu->menu()->actions().value(0), goTo);
            menu->menu()->insertSeparator(menu->menu()->actions().value(1));
        }
    }
    m_window->addPanel(m_upstoxPage, QStringLiteral("Upstox"), goTo);
    m_upstoxIndicator = new ui::SessionIndicator(*m_upstox);
    m_window->statusBar()->addPermanentWidget(m_upstoxIndicator);
    connect(m_upstoxIndicator, &QToolButton::clicked, this, [this] { openUpstoxPage(); });
    connect(m_upstox.get(), &ui::SessionController::loginFailed, m_window.get(),
            [this](const QString &message) {
                m_window->showStatusMessage(QStringLiteral("Upstox login: ") + message, true);
            });
    connect(m_upstox.get(), &ui::SessionController::loggedIn, m_window.get(), [this] {
        m_window->showStatusMessage(QStringLiteral("Logged in to Upstox"), false, 10000);
        if (m_live)
            m_live->feed().sessionRestored(); // a feed that stood down on a 401 connects again
    });
    connect(m_upstox.get(), &ui::SessionController::changed, this, [this] { updateLiveMarket(); });
    updateLiveMarket();
}

void Terminal::updateLiveMarket()
{
    // The live market runs while market data has a token (an Analytics Token or a session);
    // without one the chain shows the simulated market, labelled SIMULATED.
    const bool wanted = m_options.liveMarket && m_upstox->marketDataAvailable();
    if (wanted == (m_live != nullptr))
        return;
    ui::OptionChainView &chain = m_window->chainView();
    if (!wanted) {
        chain.setLiveMarket(nullptr);
        m_prices.setLive(nullptr); // every panel back on the simulated market, labelled
        m_watchPanel->setMarketData(&m_prices, QStringLiteral("simulated"));
        m_circuitsInFlight.clear();
        m_subscribedOpen.clear();
        m_subscribedHeld.clear();
        m_live.reset();
        showPriceSource();
        spdlog::info("live market: off (no market-data token)");
        return;
    }
    marketdata::LiveMarket::Options options;
    options.clock = &m_clock;
    options.isOption = [this](const QString &key) {
        const SnapshotPtr snapshot = m_repository.snapshot();
        if (!snapshot)
            return false;
        const auto id = snapshot->findByKey(key.toStdString());
        if (!id)
            return false;
        const InstrumentKind kind = snapshot->instrument(*id).kind();
        return kind == InstrumentKind::Call || kind == InstrumentKind::Put;
    };
    // The last known values of the previous run come back (the chain can be browsed OFFLINE
    // after a restart; they are never traded on) and this run's are kept for the next.
    options.lastQuotesPath = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
                             QStringLiteral("/last-quotes.bin");
    m_live =
        std::make_unique<marketdata::LiveMarket>(*m_upstox->marketDataClient(), std::move(options));
    connect(&m_live->feed(), &marketdata::UpstoxMarketFeed::stateChanged, this,
            [this] { showPriceSource(); });
    m_live->start();
    chain.setLiveMarket(m_live.get(),
                        QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
                            QStringLiteral("/previous-oi"));
    // From here every panel prices from the feed: the watch list, open tickets, positions,
    // the validator and paper fills.
    m_prices.setLive(m_live->sharedBook());
    m_watchPanel->setMarketData(&m_prices, QStringLiteral("Upstox feed"));
    subscribeWatchList();
    subscribeOrders();
    subscribeBrowsing();
    for (const auto &[consumer, key] : m_ticketKeys) {
        subscribe(consumer, {key}, marketdata::FeedMode::Full);
        refreshCircuitLimits({key});
    }
    showPriceSource();
    spdlog::info("live market: on");
}

void Terminal::showPriceSource()
{
    using State = marketdata::UpstoxMarketFeed::State;
    if (!m_live) {
        m_window->setPriceSource(QStringLiteral("SIMULATED PRICES"), SimulatedPricesTip);
        return;
    }
    const State state = m_live->feed().state();
    const QString reason = m_live->feed().reason();
    const QString what =
        QStringLiteral("Prices come from the Upstox market-data feed: the option chain, the watch "
                       "list, the order ticket, positions, the order checks and paper fills. A "
                       "contract the feed has not priced yet shows no price (never a simulated "
                       "one).");
    const QString why = reason.isEmpty() ? QString() : QStringLiteral("\n\n") + reason;
    // Upstox's market_info, per segment, as the feed last said it.
    m_shownSegmentVersion = m_live->book().segmentVersion();
    QStringList segments;
    for (const auto &[segment, status] : m_live->book().segmentStatuses())
        segments.append(segment + QLatin1Char(' ') + marketdata::segmentStatusName(status));
    const QString markets = segments.isEmpty()
                                ? QString()
                                : QStringLiteral("\n\nMarkets: ") +
                                      segments.join(QStringLiteral(" · ")) + QLatin1Char('.');
    switch (state) {
    case State::Live:
        m_window->setPriceSource(QStringLiteral("LIVE · UPSTOX FEED"),
                                 what + QStringLiteral("\n\nFeed: connected.") + markets);
        return;
    case State::Connecting:
    case State::Disconnected:
        m_window->setPriceSource(QStringLiteral("FEED CONNECTING"),
                                 what + QStringLiteral("\n\nFeed: connecting.") + why, true);
        return;
    case State::Reconnecting:
        m_window->setPriceSource(
            QStringLiteral("FEED RECONNECTING"),
            what +
                QStringLiteral("\n\nFeed: dropped, reconnecting; prices on screen age until "
                               "it is back (rows grey out).") +
                why,
            true);
        return;
    case State::LoginRequired:
        m_window->setPriceSource(
            QStringLiteral("FEED: LOG IN AGAIN"),
            what +
                QStringLiteral("\n\nUpstox refused the token: log in again (Upstox page, "
                               "Ctrl+Shift+U).") +
                why,
            true);
        return;
    case State::Stopped:
        m_window->setPriceSource(QStringLiteral("FEED STOPPED"),
                                 what + QStringLiteral("\n\nFeed: stopped.") + why, true);
        return;
    }
}

void Terminal::subscribe(const QString &consumer, const QStringList &keys,
                         marketdata::FeedMode mode)
{
    if (!m_live)
        return;
    marketdata::UpstoxMarketFeed &feed = m_live->feed();
    // Releasing and acquiring in one go costs nothing on the wire: the feed sends the diff.
    feed.releaseAll(consumer);
    if (keys.isEmpty())
        return;
    Result<void> acquired = feed.acquire(consumer, keys, mode);
    if (!acquired && mode != marketdata::FeedMode::Ltpc) {
        // Over the richer mode's limit: last prices are better than nothing.
        acquired = feed.acquire(consumer, keys, marketdata::FeedMode::Ltpc);
    }
    if (!acquired) {
        spdlog::warn("feed: {} not subscribed: {}", consumer.toStdString(),
                     acquired.error().message.toStdString());
        m_window->showStatusMessage(
            QStringLiteral("Live prices for %1 unavailable: %2")
                .arg(consumer.section(QLatin1Char(':'), 0, 0), acquired.error().message),
            true, 10000);
    }
}

void Terminal::subscribeWatchList()
{
    // The list on screen, with depth, volume and OI (its columns): full mode.
    subscribe(QStringLiteral("watch"), m_watchPanel->model().keys(), marketdata::FeedMode::Full);
}

void Terminal::subscribeBrowsing()
{
    // What the trader is looking at: the first search results in ltpc (their LTP column), the
    // contract in the panel in full (its last price; a ticket opened on it starts warm).
    subscribe(QStringLiteral("search"), m_searchKeys, marketdata::FeedMode::Ltpc);
    subscribe(QStringLiteral("contract"),
              m_selectedKey.isEmpty() ? QStringList{} : QStringList{m_selectedKey},
              marketdata::FeedMode::Full);
}

void Terminal::subscribeOrders()
{
    if (!m_orders || !m_live)
        return;
    // Open orders in full (the paper broker fills at the touch), open positions in ltpc (their
    // P&L needs the last price only).
    QStringList open;
    for (const OrderState &o : m_orders->orders()) {
        const QString key = QString::fromStdString(o.request.instrumentKey);
        if (!isTerminal(o.status) && o.children.empty() && !open.contains(key))
            open.append(key);
    }
    QStringList held;
    for (const Position &p : allPositions()) {
        const QString key = QString::fromStdString(p.instrumentKey);
        if (p.netQuantity != 0 && !held.contains(key))
            held.append(key);
    }
    // Only when the sets moved: refreshOrders runs on every order event.
    std::sort(open.begin(), open.end());
    std::sort(held.begin(), held.end());
    static const QString OpenOrders = QStringLiteral("open-orders");
    static const QString Positions = QStringLiteral("positions");
    if (open != m_subscribedOpen) {
        m_subscribedOpen = open;
        subscribe(OpenOrders, open, marketdata::FeedMode::Full);
        refreshCircuitLimits(open);
    }
    if (held != m_subscribedHeld) {
        m_subscribedHeld = held;
        subscribe(Positions, held, marketdata::FeedMode::Ltpc);
    }
}

void Terminal::refreshCircuitLimits(const QStringList &keys)
{
    if (!m_live || keys.isEmpty())
        return;
    std::vector<std::string> wanted;
    for (const QString &key : keys)
        if (!m_circuitsInFlight.contains(key))
            wanted.push_back(key.toStdString());
    const std::int64_t now = m_clock.now().epochMs;
    QStringList ask;
    for (const std::string &key : m_prices.staleCircuitLimits(wanted, now))
        ask.append(QString::fromStdString(key));
    if (ask.isEmpty())
        return;
    for (const QString &key : ask)
        m_circuitsInFlight.insert(key);
    marketdata::fetchCircuitLimits(
        m_live->client(), ask, now, this,
        [this, ask](upstox::UpstoxResult<std::vector<marketdata::CircuitLimits>> answer) {
            for (const QString &key : ask)
                m_circuitsInFlight.remove(key);
            if (!answer.ok()) {
                // The checks still run on the LTP; the band check says it had no band.
                spdlog::warn("circuit limits for {} contracts not fetched: {}", ask.size(),
                             answer.error().message.toStdString());
                return;
            }
            if (m_live)
                m_prices.setCircuitLimits(answer.value());
        });
}

void Terminal::openUpstoxPage()
{
    m_window->showPanel(m_upstoxPage);
}

bool Terminal::startSync(const QString &source, bool automatic)
{
    if (m_sync->isRunning())
        return false;
    m_automaticRun = automatic;
    spdlog::info("{} sync from {}", automatic ? "automatic" : "manual", source.toStdString());
    return m_sync->start(ui::SyncRequest{source, false, m_options.database});
}

void Terminal::onSyncFinished(const ui::SyncSummary &summary)
{
    m_window->showSyncRunning(false);
    const QString prefix =
        m_automaticRun ? QStringLiteral("Automatic sync: ") : QStringLiteral("Sync: ");
    m_window->showSyncMessage(prefix + summary.message, !summary.ok());
    if (summary.ok())
        spdlog::info("sync finished: {}", summary.message.toStdString());
    else
        spdlog::warn("sync did not complete: {}", summary.message.toStdString());
    // The old master stays in RAM until the new one is hydrated; readers never wait.
    if (summary.masterChanged())
        m_loader->loadDatabase(m_options.database);
    m_automaticRun = false;
}

void Terminal::onHistory(const SyncHistory &history)
{
    if (!m_options.autoSync)
        return;
    const SyncScheduleDecision decision =
        m_schedule.decide(scheduleFacts(history.runs, m_options.syncSource), online());
    if (decision.due && !m_sync->isRunning() && !m_loader->isLoading()) {
        spdlog::info("automatic sync due: {}", decision.reason.toStdString());
        startSync(m_options.syncSource, true);
        return;
    }
    const qint64 wait = decision.nextCheck.epochMs - m_clock.now().epochMs;
    scheduleAutoSyncCheck(std::clamp<qint64>(wait, MinuteMs, 6 * 60 * MinuteMs));
}

void Terminal::scheduleAutoSyncCheck(qint64 inMs)
{
    m_autoSyncTimer.start(static_cast<int>(inMs));
}

void Terminal::openOrders()
{
    using ui::MainWindow;
    connect(m_window.get(), &MainWindow::orderTicketRequested, this,
            [this](const QString &key, Side side) { openTicket(key, side); });
    connect(m_ordersPanel, &ui::OrdersPanel::modifyRequested, this,
            [this](const QString &id) { openModify(id.toStdString()); });
    connect(m_ordersPanel, &ui::OrdersPanel::cancelRequested, this, [this](const QString &id) {
        if (!m_orders)
            return;
        m_reportedOrderId = id.toStdString(); // what the status bar follows now
        m_orders->cancelAsync(id.toStdString(), [this](Result<void> cancelled) {
            if (cancelled)
                return; // the durable events refresh the panel
            QMetaObject::invokeMethod(
                this,
                [this, message = cancelled.error().message] {
                    m_window->showStatusMessage(QStringLiteral("Cancel failed: ") + message, true);
                },
                Qt::QueuedConnection);
        });
    });

    if (m_options.journalDirectory.isEmpty()) {
        m_ordersUnavailable = QStringLiteral("no order journal configured");
        m_ordersPanel->showUnavailable(m_ordersUnavailable);
        return;
    }
    m_broker = std::make_unique<PaperGateway>(m_prices, m_clock);
    std::vector<BrokerGateway *> gateways{m_broker.get()};
    upstox::UpstoxClient *client = m_options.liveOrders ? m_upstox->tradingClient() : nullptr;
    if (client) {
        m_liveGatewayThread = makeNamedThread(QStringLiteral("strikeline-orders-net"));
        m_liveGateway = new upstox::UpstoxOrderGateway(*client, {});
        m_liveGateway->moveToThread(m_liveGatewayThread.get());
        connect(m_liveGatewayThread.get(), &QThread::finished, m_liveGateway,
                &QObject::deleteLater);
        m_liveGatewayThread->start();
        gateways.push_back(m_liveGateway);
        // The portfolio stream runs while the session is active: it stands down without one
        // and is asked back once the trader has logged in again.
        connect(&m_upstox->session(), &session::SessionManager::stateChanged, this,
                [this](session::SessionState state) { followSession(state); });
    }
    m_validator = std::make_unique<OrderValidator>(m_clock);
    m_validator->setKillSwitch(&m_killSwitch);
    OrderServiceConfig config;
    config.journalDirectory = m_options.journalDirectory;
    config.database = m_options.database;
    OrderServiceCallbacks callbacks;
    // Both arrive on worker threads: hop to this (the GUI) thread.
    callbacks.durableEvents = [this](const std::vector<OrderEvent> &) {
        QMetaObject::invokeMethod(
            this, [this] { refreshOrders(); }, Qt::QueuedConnection);
    };
    callbacks.stream = [this](Venue, const GatewayStatus &status) {
        QMetaObject::invokeMethod(
            this, [this, status] { showOrderStream(status); }, Qt::QueuedConnection);
    };
    callbacks.persistence = [this](const PersistenceState &state) {
        QMetaObject::invokeMethod(
            this, [this, state] { m_ordersPanel->showPersistence(state); }, Qt::QueuedConnection);
    };
    RecoveryReport report;
    auto service = OrderService::open(
        OrderService::Dependencies{contractLookupFor(m_repository),
                                   [this](const OrderRequest &r) { return validateOrder(r); },
                                   gateways, m_clock},
        config, callbacks, &report);
    if (!service) {
        m_ordersUnavailable = service.error().message;
        spdlog::error("orders unavailable: {}", m_ordersUnavailable.toStdString());
        m_ordersPanel->showUnavailable(m_ordersUnavailable);
        m_broker.reset();
        return;
    }
    m_orders = std::move(service.value());
    // The paper broker keeps nothing across a restart: today's working paper orders go back to
    // it, so they can still fill, be modified and be cancelled.
    if (const std::size_t restored = m_broker->restore(m_orders->orders()); restored > 0)
        spdlog::info("paper broker: {} working orders restored from the journal", restored);
    spdlog::info("orders: journal {} ({} files, {} events replayed, {} orders today)",
                 m_options.journalDirectory.toStdString(), report.journalFiles,
                 report.eventsReplayed, report.ordersInBook);
    if (m_liveGateway)
        followSession(m_upstox->session().state());
    refreshOrders();
}

void Terminal::followSession(session::SessionState state)
{
    using session::SessionState;
    if (!m_liveGateway)
        return;
    const bool active = state == SessionState::Active || state == SessionState::Expiring;
    m_liveSession->store(active);
    if (active) {
        m_liveGateway->sessionRestored(); // a stream that stood down on a 401 comes back
        m_liveGateway->startStream();
    } else {
        m_liveGateway->stopStream();
        GatewayStatus off;
        off.state = StreamState::Stopped;
        off.reason = state == SessionState::Expired ? "the Upstox session expired: log in again"
                                                    : "not logged in to Upstox";
        showOrderStream(off);
    }
    for (ui::OrderTicket *ticket : m_window->findChildren<ui::OrderTicket *>()) {
        QString why;
        const bool available = liveTradingAvailable(&why);
        ticket->setLiveAvailable(available, why);
    }
}

bool Terminal::liveTradingAvailable(QString *why) const
{
    using session::SessionState;
    const auto say = [why](const QString &text) {
        if (why)
            *why = text;
        return false;
    };
    if (!m_orders || !m_liveGateway)
        return say(QStringLiteral("Live trading needs Upstox's address (see the Upstox page)"));
    const SessionState state = m_upstox->session().state();
    if (state != SessionState::Active && state != SessionState::Expiring)
        return say(QStringLiteral("Log in to Upstox to trade live (Session > Log in)"));
    return true;
}

void Terminal::showOrderStream(const GatewayStatus &status)
{
    const QString reason = QString::fromStdString(status.reason);
    switch (status.state) {
    case StreamState::Live:
        m_window->setOrderStream(QStringLiteral("ORDERS LIVE"),
                                 QStringLiteral("Upstox's order stream is connected: order "
                                                "updates arrive as they happen"),
                                 false, true);
        return;
    case StreamState::Connecting:
        m_window->setOrderStream(QStringLiteral("ORDERS CONNECTING"), reason, false, true);
        return;
    case StreamState::Reconnecting:
        m_window->setOrderStream(QStringLiteral("ORDERS RECONNECTING"),
                                 reason + QStringLiteral("\nOrders still go out; their updates "
                                                         "are fetched from the order book once "
                                                         "the stream is back."),
                                 true, true);
        return;
    case StreamState::StandingDown:
        m_window->setOrderStream(QStringLiteral("ORDERS: LOG IN AGAIN"), reason, true, true);
        return;
    case StreamState::Stopped:
        m_window->setOrderStream(QString(), reason, false, false);
        return;
    }
}

Verdict Terminal::validateOrder(const OrderRequest &request) const
{
    const SnapshotPtr snapshot = m_repository.snapshot();
    if (!snapshot) {
        Verdict verdict;
        verdict.issues.push_back({issue::UnknownInstrument, IssueSeverity::Error,
                                  QStringLiteral("The instruments are still loading.")});
        return verdict;
    }
    AccountSnapshot account; // the order's venue's positions from the journaled fills, in RAM
    if (m_orders) {
        for (const Position &p : m_orders->positions(nullptr, request.venue))
            account.setPosition(p.instrumentKey, p.netQuantity);
    }
    return m_validator->validate(request, *snapshot, &m_prices, &account);
}

void Terminal::openTicket(const QString &instrumentKey, Side side)
{
    const SnapshotPtr snapshot = m_repository.snapshot();
    if (!m_orders) {
        m_window->showStatusMessage(
            QStringLiteral("Orders are unavailable: ") + m_ordersUnavailable, true);
        return;
    }
    const QByteArray key = instrumentKey.toUtf8();
    const std::optional<InstrumentId> id =
        snapshot ? snapshot->findByKey(
                       std::string_view(key.constData(), static_cast<std::size_t>(key.size())))
                 : std::nullopt;
    if (!id) {
        m_window->showStatusMessage(
            snapshot ? instrumentKey + QStringLiteral(" is not in this instrument master")
                     : QStringLiteral("No ticket yet: the instruments are still loading"),
            true, 10000);
        return;
    }
    auto *ticket = new ui::OrderTicket(
        snapshot, *id, side, [this](const OrderRequest &r) { return validateOrder(r); }, &m_prices,
        m_window.get());
    ticket->setAttribute(Qt::WA_DeleteOnClose);
    ticket->setClock(&m_clock);
    // The LTP it shows and checks against moves with the market while it is open.
    connect(&m_marketTimer, &QTimer::timeout, ticket, &ui::OrderTicket::refreshQuote);
    // Live: the ticket's contract in full (LTP, touch) and its price band from the full quote,
    // for as long as the ticket is open.
    const QString consumer = QStringLiteral("ticket:%1").arg(++m_nextTicket);
    m_ticketKeys[consumer] = instrumentKey;
    subscribe(consumer, {instrumentKey}, marketdata::FeedMode::Full);
    refreshCircuitLimits({instrumentKey});
    connect(ticket, &QObject::destroyed, this, [this, consumer] {
        m_ticketKeys.erase(consumer);
        subscribe(consumer, {}, marketdata::FeedMode::Full);
    });
    QString liveWhy;
    const bool live = liveTradingAvailable(&liveWhy);
    ticket->setLiveAvailable(live, liveWhy);
    // What the broker would block for these terms: asked 300 ms after they stop changing.
    auto *marginTimer = new QTimer(ticket);
    marginTimer->setSingleShot(true);
    marginTimer->setInterval(300);
    connect(ticket, &ui::OrderTicket::termsChanged, marginTimer, [this, ticket, marginTimer] {
        if (liveTradingAvailable()) // the figure shown is for the old terms: say so at once
            ticket->setMarginText(QStringLiteral("Margin: asking Upstox…"));
        marginTimer->start();
    });
    connect(marginTimer, &QTimer::timeout, ticket, [this, ticket] { showMargin(ticket); });
    showMargin(ticket);
    connect(ticket, &ui::OrderTicket::submitted, this,
            [this](const OrderRequest &request) { submitOrder(request); });
    ticket->open();
}

void Terminal::submitOrder(const OrderRequest &request)
{
    if (!m_orders)
        return;
    if (request.venue == Venue::Upstox) {
        QString why;
        if (!liveTradingAvailable(&why)) {
            m_window->showStatusMessage(QStringLiteral("Live order not sent: ") + why, true);
            return;
        }
        // The first live order of the day asks: a paper habit must not become a real order.
        const EpochDay today = m_clock.now().day();
        if (m_liveConfirmedDay != today) {
            const QString question =
                QStringLiteral("This is today's first LIVE order: it goes to Upstox and trades "
                               "real money.\n\n%1 %2 × %3\n\nSend it live?")
                    .arg(QString::fromUtf8(sideName(request.side).data()),
                         QString::fromStdString(request.instrumentKey))
                    .arg(request.quantity);
            const bool yes =
                m_confirmLive ? m_confirmLive(m_window.get(), question)
                              : QMessageBox::question(m_window.get(), QStringLiteral("Live order"),
                                                      question, QMessageBox::Yes | QMessageBox::No,
                                                      QMessageBox::No) == QMessageBox::Yes;
            if (!yes) {
                m_window->showStatusMessage(QStringLiteral("Live order not sent."), false);
                return;
            }
            m_liveConfirmedDay = today;
        }
    }
    // Validated, journaled and handed to the gateway on the order thread; the answer comes back
    // here as a queued call. The window never waits on the journal's sync or the broker.
    m_orders->submitAsync(request, [this](Result<SubmitOutcome> outcome) {
        QMetaObject::invokeMethod(
            this, [this, outcome = std::move(outcome)] { onSubmitted(outcome); },
            Qt::QueuedConnection);
    });
}

void Terminal::showMargin(ui::OrderTicket *ticket)
{
    QString why;
    upstox::UpstoxClient *client = m_upstox->tradingClient();
    const std::optional<OrderRequest> request = ticket->request();
    if (!client || !liveTradingAvailable(&why)) {
        ticket->setMarginText(QStringLiteral("Margin: log in to Upstox to see what this order "
                                             "would block"));
        return;
    }
    if (!request)
        return;
    upstox::MarginLeg leg;
    leg.instrumentKey = request->instrumentKey;
    leg.quantity = request->quantity;
    leg.side = request->side;
    leg.product = request->product;
    leg.price = needsLimitPrice(request->type) ? request->price : Price();
    ticket->setMarginText(QStringLiteral("Margin: asking Upstox…"));
    upstox::requiredMargin(
        *client, {leg}, ticket,
        [this, ticket, asked = *request](upstox::UpstoxResult<upstox::MarginRequirement> margin) {
            const std::optional<OrderRequest> now = ticket->request();
            if (!now || now->quantity != asked.quantity || now->price != asked.price ||
                now->side != asked.side || now->product != asked.product || now->type != asked.type)
                return; // an answer for terms the ticket no longer shows: the next one comes
            if (!margin) {
                ticket->setMarginText(QStringLiteral("Margin not known: ") + margin.error().message,
                                      true);
                return;
            }
            QString text = QStringLiteral("Upstox margin Rs %1").arg(margin->final.toIndian());
            if (margin->final != margin->required)
                text += QStringLiteral(" (Rs %1 before hedge benefit)")
                            .arg(margin->required.toIndian());
            bool shortOfFunds = false;
            if (const auto &funds = m_upstox->funds()) {
                const Money available = funds->equity.availableMargin;
                text += QStringLiteral(" · Rs %1 free").arg(available.toIndian());
                shortOfFunds = available < margin->final;
                if (shortOfFunds)
                    text += QStringLiteral(": not enough for this order");
            }
            ticket->setMarginText(text, shortOfFunds);
        });
}

void Terminal::openModify(const std::string &clientOrderId)
{
    if (!m_orders)
        return;
    const std::optional<OrderState> order = m_orders->order(clientOrderId);
    if (!order || !isWorking(order->status))
        return;
    if (order->venue == Venue::Upstox) {
        QString why;
        if (!liveTradingAvailable(&why)) {
            m_window->showStatusMessage(QStringLiteral("Cannot modify a live order: ") + why, true);
            return;
        }
    }
    auto *dialog = new ui::ModifyOrderDialog(*order, m_window.get());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        const std::optional<OrderModification> change = dialog->modification();
        if (!change)
            return;
        const std::string id = dialog->clientOrderId();
        m_reportedOrderId = id;
        m_orders->modifyAsync(id, *change, [this](Result<SubmitOutcome> outcome) {
            QMetaObject::invokeMethod(
                this,
                [this, outcome = std::move(outcome)] {
                    if (!outcome)
                        m_window->showStatusMessage(
                            QStringLiteral("Not modified: ") + outcome.error().message, true);
                    else if (outcome->status == OrderStatus::Rejected)
                        m_window->showStatusMessage(
                            QStringLiteral("Not modified: ") + outcome->reason, true);
                },
                Qt::QueuedConnection);
        });
    });
    dialog->open();
}

void Terminal::onSubmitted(const Result<SubmitOutcome> &outcome)
{
    if (!outcome) {
        m_reportedOrderId.clear();
        m_window->showStatusMessage(QStringLiteral("Order not placed: ") + outcome.error().message,
                                    true);
        return;
    }
    m_reportedOrderId = outcome->clientOrderId;
    m_reportedText.clear();
    if (outcome->status == OrderStatus::Rejected) {
        // Refused before it reached the book: the validator's reason is the whole story.
        m_window->showStatusMessage(
            QStringLiteral("Order %1 rejected: %2")
                .arg(QString::fromStdString(outcome->clientOrderId), outcome->reason),
            true);
    }
    refreshOrders();
}

std::vector<Position> Terminal::allPositions() const
{
    if (!m_orders)
        return {};
    std::vector<Position> all = m_orders->positions(&m_prices, Venue::Paper);
    if (m_liveGateway) {
        std::vector<Position> live = m_orders->positions(&m_prices, Venue::Upstox);
        all.insert(all.end(), live.begin(), live.end());
    }
    return all;
}

void Terminal::refreshOrders()
{
    if (!m_orders)
        return;
    m_ordersPanel->showOrders(m_orders->orders());
    m_ordersPanel->showPositions(allPositions(), m_repository.snapshot());
    subscribeOrders();
    showOrderFeedback();
}

void Terminal::showOrderFeedback()
{
    if (m_reportedOrderId.empty() || !m_orders)
        return;
    for (const OrderState &order : m_orders->orders()) {
        if (order.clientOrderId != m_reportedOrderId)
            continue;
        const QString text =
            QStringLiteral("Order %1 %2 (%3)")
                .arg(QString::fromStdString(order.clientOrderId), ui::orderFeedbackText(order),
                     order.venue == Venue::Upstox ? QStringLiteral("LIVE, Upstox")
                                                  : QStringLiteral("paper"));
        if (text != m_reportedText) { // a new state is news, the same one again is not
            m_reportedText = text;
            m_window->showStatusMessage(text, order.status == OrderStatus::Rejected);
        }
        return;
    }
}

void Terminal::wireSelection()
{
    // Every table that names contracts selects the one under the trader's cursor, so F1 on an
    // order or a position trades that contract (and the contract panel says so).
    ui::ContractSelection &selection = m_window->selection();
    const ui::OrdersModel &orders = m_ordersPanel->ordersModel();
    selection.track(m_ordersPanel->ordersView(), [&orders](const QModelIndex &index) {
        const OrderState *order = orders.orderAt(index.row());
        return ui::RowContract{
            order ? QString::fromStdString(order->request.instrumentKey) : QString(), {}};
    });
    selection.track(m_ordersPanel->positionsView(), [](const QModelIndex &index) {
        return ui::RowContract{index.data(ui::PositionsModel::InstrumentKeyRole).toString(), {}};
    });
    const ui::WatchListModel &watch = m_watchPanel->model();
    selection.track(m_watchPanel->view(), [&watch](const QModelIndex &index) {
        return ui::RowContract{watch.keyAt(index.row()), {}};
    });
    selection.track(m_syncPanel->changesView(), [](const QModelIndex &index) {
        return ui::RowContract{index.data(ui::SyncChangesModel::InstrumentKeyRole).toString(), {}};
    });
}

void Terminal::setApiServing(bool on)
{
    stopApi();
    if (!on) {
        m_window->showApiStatus({});
        return;
    }
    auto token = api::loadOrCreateToken(api::defaultTokenDirectory());
    if (!token) {
        spdlog::error("local API: {}", token.error().message.toStdString());
        m_window->showApiStatus({}, token.error().message);
        return;
    }
    api::ApiServerConfig config;
    config.port = m_options.apiPort != 0 ? m_options.apiPort : api::DefaultApiPort;
    config.token = token->token;
    // Its own thread: a busy script never competes with the window's event loop.
    m_apiThread = std::make_unique<QThread>();
    m_apiThread->setObjectName(QStringLiteral("ApiServer"));
    m_apiThread->start();
    m_api = new api::ApiServer(m_repository, m_clock, config);
    if (m_orders) {
        // Scripts trade through the same validator, journal and order service as the ticket.
        api::ApiTrading trading;
        trading.orders = m_orders.get();
        trading.paperPrices = &m_prices;
        trading.allowLive = [allowed = m_apiLiveOrders, live = m_liveGateway != nullptr] {
            return live && allowed->load();
        };
        trading.liveUnavailable = [live = m_liveSession]() -> std::optional<QString> {
            if (live->load())
                return std::nullopt;
            return QStringLiteral("not logged in to Upstox: log in in the terminal (Session > "
                                  "Log in)");
        };
        if (upstox::UpstoxClient *client = m_liveGateway ? m_upstox->tradingClient() : nullptr) {
            trading.funds = [client](QObject *context, api::ApiTrading::JsonAnswer done) {
                upstox::fetchFundsJson(*client, context, std::move(done));
            };
            trading.livePositions = [client](QObject *context, api::ApiTrading::JsonAnswer done) {
                upstox::fetchPositionsJson(*client, context, std::move(done));
            };
        }
        m_api->setTrading(std::move(trading));
    }
    m_api->moveToThread(m_apiThread.get());
    std::optional<Result<quint16>> listening;
    QMetaObject::invokeMethod(
        m_api, [this, &listening] { listening = m_api->listen(); }, Qt::BlockingQueuedConnection);
    if (!listening || !*listening) {
        const QString why = listening ? listening->error().message : QStringLiteral("no answer");
        spdlog::error("local API not started: {}", why.toStdString());
        stopApi();
        m_window->showApiStatus({}, why);
        return;
    }
    m_apiPort = listening->value();
    const QString address = QStringLiteral("127.0.0.1:%1").arg(m_apiPort);
    spdlog::info("local API serving on http://{} (token in {})", address.toStdString(),
                 token->path.toStdString());
    m_window->showApiStatus(address);
}

void Terminal::stopApi()
{
    if (!m_apiThread)
        return;
    if (m_api) {
        api::ApiServer *server = m_api;
        QMetaObject::invokeMethod(
            server,
            [server] {
                server->close();
                delete server; // in its own thread, with its sockets
            },
            Qt::BlockingQueuedConnection);
        m_api = nullptr;
    }
    m_apiThread->quit();
    m_apiThread->wait();
    m_apiThread.reset();
    m_apiPort = 0;
}

bool Terminal::online() const
{
    // Where the platform reports reachability (NetworkManager, Windows, macOS) an offline
    // machine does not even try; elsewhere a failed attempt backs off (SyncSchedule).
    const QNetworkInformation *info = QNetworkInformation::instance();
    if (!info || !info->supports(QNetworkInformation::Feature::Reachability))
        return true;
    return info->reachability() != QNetworkInformation::Reachability::Disconnected;
}

} // namespace strikeline::desktop
