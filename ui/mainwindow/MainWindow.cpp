#include "MainWindow.h"

#include "chain/OptionChainView.h"
#include "common/ContractSelection.h"
#include "common/ElidedLabel.h"
#include "common/Money.h"
#include "common/Tables.h"
#include "common/Text.h"
#include "instruments/InstrumentRepository.h"
#include "palette/CommandPalette.h"
#include "search/SearchResultsModel.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QSettings>
#include <QSignalBlocker>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace strikeline::ui {

namespace {

// Enough to scroll through a whole near-month chain side of NIFTY; search cost grows with it
// only logarithmically.
constexpr int SearchLimit = 100;
const QString Dot = QStringLiteral(" · ");
const QString None = QStringLiteral("—");
const QString MasterFilesFilter =
    QStringLiteral("Instrument masters (*.json.gz *.json *.csv.gz *.csv);;All files (*)");
const QString ContractHint =
    QStringLiteral("Pick a contract to see its trading rules: a search result (Down, then Enter), "
                   "a CE or PE cell of the chain, an order or a position. F1 / F2 trade it.");

// "09 Dec 2025 06:02" (or "09 Dec 2025" at midnight) in IST, whatever the machine's time zone.
QString formatIstMinute(std::int64_t epochMs)
{
    const QDateTime ist =
        QDateTime::fromMSecsSinceEpoch(epochMs, Qt::OffsetFromUTC, IstOffsetSeconds);
    // A master known only by its date (a file named for its day) has no time to show.
    if (ist.time() == QTime(0, 0))
        return ist.toString(QStringLiteral("dd MMM yyyy"));
    return ist.toString(QStringLiteral("dd MMM yyyy HH:mm"));
}

QString formatCount(std::int64_t n)
{
    return QLocale(QLocale::English, QLocale::India).toString(static_cast<qlonglong>(n));
}

QLabel *valueLabel(const char *objectName)
{
    auto *label = new QLabel(None);
    label->setObjectName(QLatin1String(objectName));
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setWordWrap(true);
    return label;
}

// A selectable value label added to `form` under `label`.
QLabel *addValueRow(QFormLayout *form, const QString &label, const char *objectName)
{
    QLabel *value = valueLabel(objectName);
    form->addRow(label, value);
    return value;
}

} // namespace

MainWindow::MainWindow(InstrumentRepository &repository, const Clock &clock, QWidget *parent)
    : QMainWindow(parent)
    , m_repository(repository)
    , m_clock(clock)
    , m_results(new SearchResultsModel(this))
    , m_selection(new ContractSelection(this))
    , m_loading(!repository.isLoaded())
{
    setWindowTitle(QStringLiteral("Strikeline"));
    setObjectName(QStringLiteral("mainWindow"));
    buildUi();
    buildActions();
    // Prices move on their own: the results' LTP cells and the contract's last price are read
    // again four times a second (only changed cells are signalled).
    m_priceTimer = new QTimer(this);
    m_priceTimer->setInterval(250);
    connect(m_priceTimer, &QTimer::timeout, this, [this] {
        m_results->refreshPrices();
        showContractPrice();
    });
    m_resultsShownTimer = new QTimer(this);
    m_resultsShownTimer->setSingleShot(true);
    m_resultsShownTimer->setInterval(300);
    connect(m_resultsShownTimer, &QTimer::timeout, this,
            [this] { Q_EMIT searchResultsShown(m_results->keys(SubscribedResults)); });

    // Published from the loader thread: queued, so the snapshot is always taken up between two
    // events of this thread and never in the middle of a search or a paint.
    connect(
        &m_repository, &InstrumentRepository::snapshotPublished, this,
        [this](const SnapshotPtr &snapshot) { applySnapshot(snapshot); }, Qt::QueuedConnection);
    if (m_repository.isLoaded())
        applySnapshot(m_repository.snapshot());

    updateStatus();
    updateResultsArea();
    connect(m_selection, &ContractSelection::changed, this, [this] { showSelection(); });
    showSelection();
    // Fits a 1366x768 laptop with its panel; a saved layout replaces it.
    resize(1280, 700);
    restoreLayout();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildUi()
{
    m_searchEdit = new QLineEdit;
    m_searchEdit->setObjectName(QStringLiteral("searchEdit"));
    m_searchEdit->setPlaceholderText(
        QStringLiteral("Search: NIFTY, nifty 25000 ce, banknifty fut, reliance…"));
    m_searchEdit->setClearButtonEnabled(true);
    m_searchEdit->setToolTip(QStringLiteral("F4 · Down moves into the results · Enter shows the "
                                            "top result · Ctrl+K for instruments and commands"));
    QFont searchFont = m_searchEdit->font();
    searchFont.setPointSizeF(searchFont.pointSizeF() * 1.2);
    m_searchEdit->setFont(searchFont);
    m_searchEdit->installEventFilter(this);
    connect(m_searchEdit, &QLineEdit::textChanged, this, [this] {
        // The rows change under the trader: nothing is picked until a row is chosen again.
        m_selection->clear(QStringLiteral("New search: pick a result (Down, then Enter)"));
        runSearch();
    });
    connect(m_searchEdit, &QLineEdit::returnPressed, this, [this] {
        const QModelIndex current = m_resultsView->currentIndex();
        showResult(current.isValid() ? current.row() : 0);
    });

    m_searchInfo = new QLabel;
    m_searchInfo->setObjectName(QStringLiteral("searchInfo"));
    m_searchInfo->setForegroundRole(QPalette::PlaceholderText);

    auto *searchRow = new QHBoxLayout;
    searchRow->addWidget(m_searchEdit, 1);
    searchRow->addWidget(m_searchInfo);

    m_resultsMessage = new QLabel;
    m_resultsMessage->setObjectName(QStringLiteral("resultsMessage"));
    m_resultsMessage->setAlignment(Qt::AlignCenter);
    m_resultsMessage->setWordWrap(true);
    m_resultsMessage->setForegroundRole(QPalette::PlaceholderText);
    // Framed like the table it stands in for, so the results area keeps its place.
    m_resultsMessage->setFrameShape(QFrame::StyledPanel);
    m_resultsMessage->setBackgroundRole(QPalette::Base);
    m_resultsMessage->setAutoFillBackground(true);
    m_resultsMessage->setMargin(24);
    QFont messageFont = m_resultsMessage->font();
    messageFont.setPointSizeF(messageFont.pointSizeF() * 1.15);
    m_resultsMessage->setFont(messageFont);

    m_resultsView = makeRowTable(m_results);
    m_resultsView->setObjectName(QStringLiteral("resultsView"));
    QHeaderView *header = m_resultsView->horizontalHeader();
    // Fixed widths from typical content: columns that jump on every keystroke are unreadable.
    const QFontMetrics metrics = m_resultsView->fontMetrics();
    const auto widthFor = [&](int column, const char *sample) {
        const QString title = m_results->headerData(column, Qt::Horizontal).toString();
        return std::max(metrics.horizontalAdvance(QLatin1String(sample)),
                        header->fontMetrics().horizontalAdvance(title)) +
               16;
    };
    using Col = SearchResultsModel::Column;
    m_resultsView->setColumnWidth(Col::SymbolColumn,
                                  widthFor(Col::SymbolColumn, "MIDCPNIFTY 13500 CE 30 DEC 25"));
    m_resultsView->setColumnWidth(Col::SegmentColumn, widthFor(Col::SegmentColumn, "NSE_INDEX"));
    m_resultsView->setColumnWidth(Col::TypeColumn, widthFor(Col::TypeColumn, "INDEX"));
    m_resultsView->setColumnWidth(Col::ExpiryColumn,
                                  widthFor(Col::ExpiryColumn, "30 Dec 2025 · 365d"));
    m_resultsView->setColumnWidth(Col::StrikeColumn, widthFor(Col::StrikeColumn, "125000.5"));
    m_resultsView->setColumnWidth(Col::LotColumn, widthFor(Col::LotColumn, "10000"));
    m_resultsView->setColumnWidth(Col::TickColumn, widthFor(Col::TickColumn, "0.0025"));
    m_resultsView->setColumnWidth(Col::FreezeColumn, widthFor(Col::FreezeColumn, "10000 lots"));
    m_resultsView->installEventFilter(this);
    connect(m_resultsView, &QTableView::activated, this,
            [this](const QModelIndex &index) { activateResult(index.row()); });
    m_selection->track(m_resultsView, [this](const QModelIndex &index) {
        return RowContract{
            m_results->index(index.row(), 0).data(SearchResultsModel::InstrumentKeyRole).toString(),
            {}};
    });

    m_resultsStack = new QStackedWidget;
    m_resultsStack->addWidget(m_resultsMessage);
    m_resultsStack->addWidget(m_resultsView);

    auto *searchPane = new QWidget;
    auto *searchLayout = new QVBoxLayout(searchPane);
    searchLayout->setContentsMargins(0, 0, 0, 0);
    searchLayout->addLayout(searchRow);
    searchLayout->addWidget(m_resultsStack, 1);

    m_chainView = new OptionChainView(m_clock);
    m_chainView->setObjectName(QStringLiteral("chainView"));
    m_chainView->openUnderlying(QStringLiteral("NIFTY")); // opens once a snapshot arrives
    installColumnChooser(m_chainView->header());
    // The chain's cursor is the selection while the trader works in it: B/S, Enter and a
    // double-click trade the selection, never a cell of their own.
    m_selection->track(m_chainView->table(),
                       [this](const QModelIndex &index) { return m_chainView->contractAt(index); });
    connect(m_chainView, &OptionChainView::contractActivated, this, [this](const QString &key) {
        m_selection->select(key);
        requestOrderTicket(Side::Buy);
    });
    connect(m_chainView, &OptionChainView::orderRequested, this,
            [this](const QString &, Side side) {
                // B / S act on the cell under the cursor: it becomes the selection (the panel shows
                // it) even if something else was picked since the cursor last moved.
                m_selection->take(m_chainView->contractAt(m_chainView->table()->currentIndex()));
                requestOrderTicket(side);
            });

    // The contract panel stays beside both tabs: a contract picked in either is shown there.
    m_tabs = new QTabWidget;
    m_tabs->setObjectName(QStringLiteral("mainTabs"));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(searchPane, QStringLiteral("Search"));
    m_tabs->addTab(m_chainView, QStringLiteral("Option chain"));

    m_splitter = new QSplitter(Qt::Horizontal);
    m_splitter->setObjectName(QStringLiteral("mainSplitter"));
    m_splitter->setChildrenCollapsible(false);
    m_splitter->addWidget(m_tabs);
    m_splitter->addWidget(buildContractPanel());
    m_splitter->setStretchFactor(0, 1);
    m_splitter->setStretchFactor(1, 0);
    m_splitter->setSizes({900, 340});

    auto *central = new QWidget;
    auto *centralLayout = new QVBoxLayout(central);
    centralLayout->setContentsMargins(8, 8, 8, 4);
    m_demoBanner = new QFrame; // filled in by buildActions(): its buttons are actions
    m_demoBanner->setObjectName(QStringLiteral("demoBanner"));
    m_demoBanner->hide();
    centralLayout->addWidget(m_demoBanner);
    centralLayout->addWidget(m_splitter, 1); // the banner keeps its one line, whatever the height
    setCentralWidget(central);

    m_palette = new CommandPalette(m_clock, this);
    m_palette->hide();
    connect(m_palette, &CommandPalette::instrumentChosen, this,
            [this](const QString &key) { openInstrument(key); });

    // Elided, not clipped, when the window is narrow (1024 px with every badge showing): its
    // whole text and the last load message stay in the tooltip.
    m_statusLabel = new ElidedLabel;
    m_statusLabel->setObjectName(QStringLiteral("statusLabel"));
    m_statusLabel->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Preferred);
    buildStatusMessage();
    m_progress = new QProgressBar;
    m_progress->setObjectName(QStringLiteral("loadProgress"));
    m_progress->setRange(0, 0);
    m_progress->setTextVisible(false);
    m_progress->setMaximumWidth(180);
    m_progress->setMaximumHeight(fontMetrics().height());
    m_staleLabel = new QLabel;
    m_staleLabel->setObjectName(QStringLiteral("staleLabel"));
    m_staleLabel->hide();
    m_demoLabel = new QLabel(QStringLiteral("DEMO DATA"));
    m_demoLabel->setObjectName(QStringLiteral("demoLabel"));
    m_demoLabel->setToolTip(QStringLiteral("Synthetic instruments generated for the demo, not "
                                           "the Upstox master. Never trade from these."));
    m_demoLabel->hide();
    m_syncLabel = new QLabel;
    m_syncLabel->setObjectName(QStringLiteral("syncLabel"));
    m_syncLabel->hide();
    statusBar()->addWidget(m_statusLabel);
    statusBar()->addWidget(m_messageLabel, 1);
    statusBar()->addPermanentWidget(m_syncLabel);
    m_apiLabel = new QLabel;
    m_apiLabel->setObjectName(QStringLiteral("apiLabel"));
    m_apiLabel->hide();
    statusBar()->addPermanentWidget(m_apiLabel);
    m_haltLabel = new QLabel(QStringLiteral("TRADING HALTED"));
    m_haltLabel->setObjectName(QStringLiteral("haltLabel"));
    m_haltLabel->hide();
    statusBar()->addPermanentWidget(m_haltLabel);
    m_orderStreamLabel = new QLabel;
    m_orderStreamLabel->setObjectName(QStringLiteral("orderStreamLabel"));
    m_orderStreamLabel->hide();
    statusBar()->addPermanentWidget(m_orderStreamLabel);
    m_priceSourceLabel = new QLabel;
    m_priceSourceLabel->setObjectName(QStringLiteral("priceSourceLabel"));
    m_priceSourceLabel->hide();
    statusBar()->addPermanentWidget(m_priceSourceLabel);
    m_clockLabel = new QLabel;
    m_clockLabel->setObjectName(QStringLiteral("clockLabel"));
    m_clockLabel->hide();
    statusBar()->addPermanentWidget(m_clockLabel);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_staleLabel);
    statusBar()->addPermanentWidget(m_demoLabel);

    m_searchEdit->setFocus();
}

QWidget *MainWindow::buildContractPanel()
{
    auto *contractBox = new QGroupBox(QStringLiteral("Contract"));
    contractBox->setObjectName(QStringLiteral("contractPanel"));
    auto *contractForm = new QFormLayout(contractBox);
    contractForm->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    contractForm->setRowWrapPolicy(QFormLayout::DontWrapRows);

    m_contractHint = new QLabel(ContractHint);
    m_contractHint->setObjectName(QStringLiteral("contractHint"));
    m_contractHint->setWordWrap(true);
    m_contractHint->setForegroundRole(QPalette::PlaceholderText);
    contractForm->addRow(m_contractHint);

    m_contract.symbol = valueLabel("contractSymbol");
    QFont bold = m_contract.symbol->font();
    bold.setBold(true);
    m_contract.symbol->setFont(bold);
    contractForm->addRow(QStringLiteral("Symbol"), m_contract.symbol);
    m_contract.name = addValueRow(contractForm, QStringLiteral("Name"), "contractName");
    m_contract.key = addValueRow(contractForm, QStringLiteral("Key"), "contractKey");
    m_contract.segment = addValueRow(contractForm, QStringLiteral("Segment"), "contractSegment");
    m_contract.type = addValueRow(contractForm, QStringLiteral("Type"), "contractType");
    m_contract.underlying =
        addValueRow(contractForm, QStringLiteral("Underlying"), "contractUnderlying");
    m_contract.expiry = addValueRow(contractForm, QStringLiteral("Expiry"), "contractExpiry");
    m_contract.strike = addValueRow(contractForm, QStringLiteral("Strike"), "contractStrike");
    m_contract.lotSize = addValueRow(contractForm, QStringLiteral("Lot size"), "contractLotSize");
    m_contract.tickSize =
        addValueRow(contractForm, QStringLiteral("Tick size"), "contractTickSize");
    m_contract.freeze = addValueRow(contractForm, QStringLiteral("Freeze qty"), "contractFreeze");
    m_contract.quantityUnit =
        addValueRow(contractForm, QStringLiteral("Quantity in"), "contractQuantityUnit");
    m_contract.lastSeen =
        addValueRow(contractForm, QStringLiteral("Last seen by"), "contractLastSeen");
    m_contract.lastPrice =
        addValueRow(contractForm, QStringLiteral("Last price"), "contractLastPrice");

    auto *masterBox = new QGroupBox(QStringLiteral("Instrument master"));
    masterBox->setObjectName(QStringLiteral("masterPanel"));
    auto *masterForm = new QFormLayout(masterBox);
    masterForm->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_master.source = addValueRow(masterForm, QStringLiteral("Source"), "masterSource");
    m_master.asOf = addValueRow(masterForm, QStringLiteral("Master as of"), "masterAsOf");
    m_master.imported = addValueRow(masterForm, QStringLiteral("Imported"), "masterImported");
    m_master.instruments =
        addValueRow(masterForm, QStringLiteral("Instruments"), "masterInstruments");
    m_master.underlyings =
        addValueRow(masterForm, QStringLiteral("Underlyings"), "masterUnderlyings");
    m_master.memory = addValueRow(masterForm, QStringLiteral("Memory"), "masterMemory");
    m_master.loadTime = addValueRow(masterForm, QStringLiteral("Loaded in"), "masterLoadTime");

    auto *panel = new QWidget;
    panel->setMinimumWidth(320);
    auto *layout = new QVBoxLayout(panel);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(contractBox);
    layout->addWidget(masterBox);
    layout->addStretch(1);
    return panel;
}

void MainWindow::setQuery(const QString &text)
{
    m_searchEdit->setText(text);
}

void MainWindow::showResult(int row)
{
    const std::optional<InstrumentId> id = m_results->instrumentAt(row);
    if (!id)
        return;
    const QModelIndex index = m_results->index(row, 0);
    if (m_resultsView->currentIndex().row() != row) {
        m_resultsView->selectionModel()->setCurrentIndex(
            index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    }
    m_resultsView->scrollTo(index);
    m_selection->select(index.data(SearchResultsModel::InstrumentKeyRole).toString());
}

void MainWindow::activateResult(int row)
{
    showResult(row);
    if (const std::optional<InstrumentId> id = m_results->instrumentAt(row); id && m_snapshot)
        openInstrument(toQString(m_snapshot->instrument(*id).instrumentKey()));
}

void MainWindow::openInstrument(const QString &instrumentKey)
{
    if (!m_snapshot)
        return;
    const QByteArray utf8 = instrumentKey.toUtf8();
    const std::optional<InstrumentId> id = m_snapshot->findByKey(
        std::string_view(utf8.constData(), static_cast<std::size_t>(utf8.size())));
    if (!id) {
        showStatusMessage(instrumentKey + QStringLiteral(" is not in this instrument master"), true,
                          8000);
        return;
    }
    // An option opens its chain at its expiry with the cursor on its cell, an index its
    // nearest chain; a future or an equity is a contract to look at (its rules are in the
    // panel), not a chain.
    const InstrumentView view = m_snapshot->instrument(*id);
    const bool chainable = isOption(view.kind()) || view.kind() == InstrumentKind::Index;
    const UnderlyingId underlying = isOption(view.kind()) ? view.underlying() : derivativesOf(*id);
    if (chainable && underlying != NoId &&
        !m_snapshot->expiries(underlying, m_clock.now().day()).empty()) {
        openChain(toQString(m_snapshot->underlyingSymbol(underlying)),
                  isOption(view.kind()) ? view.expiry() : NoDay);
        if (isOption(view.kind()) && m_chainView->setCurrentContract(instrumentKey))
            m_chainView->table()->setFocus(Qt::OtherFocusReason);
    }
    // Last: opening the chain moved its cursor, and this is the contract the trader picked.
    m_selection->select(instrumentKey);
}

QString MainWindow::selectedContractKey() const
{
    return m_selection->isEmpty() ? QString() : m_selection->key();
}

void MainWindow::openChain(const QString &symbol, EpochDay expiry)
{
    m_chainView->openUnderlying(symbol, expiry);
    m_tabs->setCurrentWidget(m_chainView);
}

void MainWindow::focusChain()
{
    m_tabs->setCurrentWidget(m_chainView);
    m_chainView->focusUnderlying();
}

void MainWindow::showLoadStage(const QString &stage)
{
    m_loading = true;
    m_loadStage = stage;
    m_loadError.clear();
    updateStatus();
    updateResultsArea();
}

void MainWindow::showLoadProgress(qint64 bytesConsumed, qint64 bytesTotal)
{
    if (bytesTotal <= 0) {
        m_progress->setRange(0, 0); // busy
        return;
    }
    m_progress->setRange(0, 1000);
    m_progress->setValue(
        static_cast<int>(std::clamp<qint64>(bytesConsumed * 1000 / bytesTotal, 0, 1000)));
}

void MainWindow::showLoadFinished(bool ok, const QString &message, qint64 elapsedMs)
{
    m_loading = false;
    m_loadStage.clear();
    if (ok) {
        m_loadError.clear();
        m_loadElapsedMs = elapsedMs;
    } else {
        m_loadError = message;
    }
    m_loadMessage = message;
    updateStatus();
    updateResultsArea();
}

void MainWindow::applySnapshot(const SnapshotPtr &snapshot)
{
    if (!snapshot)
        return;
    m_snapshot = snapshot;
    m_loading = false;
    m_loadError.clear();
    // Instrument ids are only valid within their snapshot: the selection is looked up again.
    m_selection->setSnapshot(snapshot);
    runSearch();
    m_chainView->setSnapshot(snapshot);
    m_palette->setSnapshot(snapshot);
    updateStatus();
    Q_EMIT snapshotApplied();
}

void MainWindow::runSearch()
{
    if (!m_snapshot) {
        updateResultsArea();
        return;
    }
    const QByteArray text = m_searchEdit->text().toUtf8();
    SearchRequest request;
    request.text = std::string_view(text.constData(), static_cast<std::size_t>(text.size()));
    request.limit = SearchLimit;
    request.today = m_clock.now().day();
    QElapsedTimer timer;
    timer.start();
    std::vector<SearchHit> hits = m_snapshot->search(request);
    m_lastSearchMicros = static_cast<double>(timer.nsecsElapsed()) / 1000.0;
    m_results->setResults(m_snapshot, std::move(hits), request.today);
    updateResultsArea();
    m_resultsShownTimer->start();
}

void MainWindow::setHalted(bool halted, const QString &message)
{
    const QSignalBlocker blocker(m_haltAction);
    m_haltAction->setChecked(halted);
    m_haltAction->setText(halted ? QStringLiteral("&Resume trading")
                                 : QStringLiteral("&Halt trading"));
    m_haltLabel->setToolTip(message);
    m_haltLabel->setVisible(halted);
    updateStatus();
}

void MainWindow::setOrderStream(const QString &text, const QString &reason, bool warning,
                                bool shown)
{
    m_orderStreamLabel->setText(text);
    m_orderStreamLabel->setToolTip(reason);
    m_orderStreamLabel->setVisible(shown);
    m_orderStreamWarning = warning;
    updateStatus();
}

void MainWindow::setMarketData(const MarketData *market)
{
    m_market = market;
    m_results->setMarketData(market, &m_clock);
    showContractPrice();
    if (market)
        m_priceTimer->start();
    else
        m_priceTimer->stop();
}

void MainWindow::showContractPrice()
{
    const std::optional<InstrumentId> id = m_selection->id();
    if (!id || !m_snapshot || *id >= m_snapshot->size()) {
        m_contract.lastPrice->setText(None);
        m_contract.lastPrice->setToolTip({});
        return;
    }
    const InstrumentView view = m_snapshot->instrument(*id);
    const std::optional<Quote> quote =
        m_market ? m_market->quote(view.instrumentKey()) : std::nullopt;
    if (!quote) {
        m_contract.lastPrice->setText(m_market ? QStringLiteral("no last price yet") : None);
        m_contract.lastPrice->setToolTip({});
        return;
    }
    const Price tick = view.tickSize().isPositive() ? view.tickSize() : Price::fromRaw(1);
    QString text = QStringLiteral("Rs ") + formatPrice(quote->last, tick);
    if (quote->previousClose.isPositive()) {
        const Price change = quote->last - quote->previousClose;
        // Rounded before it is signed: -0.003 % reads 0.00 %, as the watch list says it.
        const double percent = std::round(10'000.0 * static_cast<double>(change.raw()) /
                                          static_cast<double>(quote->previousClose.raw())) /
                               100.0;
        text += QStringLiteral(" · %1%2 (%3%4%)")
                    .arg(change.isPositive() ? QStringLiteral("+") : QString(),
                         formatPrice(change, tick), percent > 0 ? QStringLiteral("+") : QString())
                    .arg(percent == 0.0 ? 0.0 : percent, 0, 'f', 2);
    }
    QString tip;
    if (quote->timeMs > 0) {
        const std::int64_t age = m_clock.now().epochMs - quote->timeMs;
        text += QStringLiteral(" · ") + tickAgeText(age) + QStringLiteral(" ago");
        tip = (quote->simulated ? QStringLiteral("Simulated price at ")
                                : QStringLiteral("Last tick at ")) +
              istClockText(quote->timeMs);
    }
    if (quote->simulated)
        text += QStringLiteral(" (simulated)");
    if (m_contract.lastPrice->text() != text)
        m_contract.lastPrice->setText(text);
    m_contract.lastPrice->setToolTip(tip);
}

void MainWindow::updateResultsArea()
{
    const int rows = m_results->rowCount();
    const QString query = m_searchEdit->text().trimmed();
    if (rows > 0) {
        m_resultsStack->setCurrentWidget(m_resultsView);
        m_searchInfo->setText(
            QStringLiteral("%1 %2 · %3 ms")
                .arg(rows)
                .arg(rows == 1 ? QStringLiteral("result") : QStringLiteral("results"))
                .arg(m_lastSearchMicros / 1000.0, 0, 'f', 2));
        return;
    }
    m_searchInfo->clear();
    m_resultsStack->setCurrentWidget(m_resultsMessage);
    if (!m_snapshot) {
        m_resultsMessage->setText(
            m_loadError.isEmpty()
                ? QStringLiteral("loading…")
                : QStringLiteral("No instruments loaded.\n\n") + m_loadError +
                      QStringLiteral("\n\nStart Strikeline with --master FILE to load an "
                                     "Upstox master (complete.json.gz), or without it for "
                                     "the demo master."));
    } else if (query.isEmpty()) {
        m_resultsMessage->setText(
            QStringLiteral("Type to search %1 instruments\n\n"
                           "NIFTY · nifty 25000 ce · banknifty fut · reliance · crudeoil dec")
                .arg(formatCount(static_cast<std::int64_t>(m_snapshot->size()))));
    } else {
        QString text = QStringLiteral("No live contracts match “%1”").arg(query);
        if (const QString hint = didYouMeanText(*m_snapshot, query, m_clock.now().day());
            !hint.isEmpty())
            text += QStringLiteral("\n\n") + hint;
        if (m_snapshot->expiredContractsAt(m_clock.now().day()) > 0)
            text += QStringLiteral("\n\nThis master is out of date: contracts that have already "
                                   "expired are hidden. Load today's master.");
        m_resultsMessage->setText(text);
    }
}

void MainWindow::showContract(std::optional<InstrumentId> id)
{
    ContractLabels &c = m_contract;
    const QList<QLabel *> labels = {c.symbol,     c.name,         c.key,     c.segment, c.type,
                                    c.underlying, c.expiry,       c.strike,  c.lotSize, c.tickSize,
                                    c.freeze,     c.quantityUnit, c.lastSeen};
    if (!id || !m_snapshot || *id >= m_snapshot->size()) {
        for (QLabel *label : labels)
            label->setText(None);
        m_contractHint->show();
        return;
    }
    m_contractHint->hide();
    const InstrumentView view = m_snapshot->instrument(*id);
    const ContractInfo info = m_snapshot->contractInfo(*id);
    const EpochDay today = m_clock.now().day();

    c.symbol->setText(toQString(info.tradingSymbol));
    c.name->setText(toQString(view.name()));
    c.key->setText(toQString(info.instrumentKey));
    c.segment->setText(toQString(segmentName(info.segment)));
    const QString kind = toQString(kindName(info.kind));
    const QString typeCode = toQString(view.typeCode());
    c.type->setText(typeCode.isEmpty() || typeCode == kind
                        ? kind
                        : kind + QStringLiteral(" (") + typeCode + QLatin1Char(')'));
    const QString underlyingKey = toQString(view.underlyingKey());
    c.underlying->setText(toQString(info.underlyingSymbol) +
                          (underlyingKey.isEmpty()
                               ? QString()
                               : QStringLiteral(" (") + underlyingKey + QLatin1Char(')')));
    c.expiry->setText(isDerivative(info.kind) ? longExpiryText(info.expiry, today, info.weekly)
                                              : None);
    c.strike->setText(isOption(info.kind) ? QStringLiteral("Rs ") + info.strike.toQString() : None);
    c.lotSize->setText(info.lotSize > 0 ? QString::number(info.lotSize) : None);
    c.tickSize->setText(info.tickSize.isPositive()
                            ? QStringLiteral("Rs ") + info.tickSize.toQString(2)
                            : QStringLiteral("— (an index is not traded)"));
    const bool tradable = info.kind != InstrumentKind::Index;
    if (!tradable) {
        c.freeze->setText(None);
    } else if (info.freezeQuantity <= 0) {
        c.freeze->setText(QStringLiteral("unknown (not in this master)"));
    } else if (info.quantityUnit == QuantityUnit::Lots) {
        c.freeze->setText(lotsText(info.freezeQuantity) + QStringLiteral(" per order"));
    } else {
        c.freeze->setText(unitsText(info.freezeQuantity) + QStringLiteral(" · at most ") +
                          lotsText(info.maxLotsPerOrder) + QStringLiteral(" per order"));
    }
    c.quantityUnit->setText(!tradable ? None
                            : info.quantityUnit == QuantityUnit::Lots
                                ? QStringLiteral("lots (MCX: quantity is a number of lots)")
                                : QStringLiteral("units (a multiple of the lot size)"));
    const MasterInfo &master = m_snapshot->info();
    c.lastSeen->setText(master.syncRunId > 0
                            ? QStringLiteral("sync %1 · %2 IST")
                                  .arg(master.syncRunId)
                                  .arg(formatIstMinute(master.masterTimeMs))
                            : QStringLiteral("not from the database: ") + master.description);
}

void MainWindow::changeEvent(QEvent *event)
{
    QMainWindow::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && m_statusLabel) {
        m_darkThemeAction->setChecked(themeOf(palette()) == Theme::Dark);
        updateStatus();
    }
}

void MainWindow::updateStatus()
{
    const ThemeColors colors = themeColors(themeOf(palette()));
    m_staleLabel->setStyleSheet(
        QStringLiteral("QLabel { color: %1; font-weight: bold; }").arg(colors.negative));
    m_demoLabel->setStyleSheet(
        QStringLiteral("QLabel { background: %1; color: %2; font-weight: bold; padding: 1px 8px; }")
            .arg(colors.badgeBack, colors.badgeText));
    m_haltLabel->setStyleSheet(
        QStringLiteral("QLabel { background: %1; color: white; font-weight: bold; "
                       "padding: 1px 8px; }")
            .arg(colors.negative));
    m_orderStreamLabel->setStyleSheet(
        QStringLiteral("QLabel { border: 1px solid %1; color: %1; font-weight: bold; "
                       "padding: 0px 6px; }")
            .arg(m_orderStreamWarning ? colors.negative : colors.badgeBack));
    m_priceSourceLabel->setStyleSheet(
        QStringLiteral("QLabel { border: 1px solid %1; color: %1; font-weight: bold; "
                       "padding: 0px 6px; }")
            .arg(m_priceSourceWarning ? colors.negative : colors.badgeBack));
    const bool demo = m_snapshot && m_snapshot->info().demo;
    setWindowTitle(demo ? QStringLiteral("Strikeline — DEMO DATA") : QStringLiteral("Strikeline"));
    m_demoLabel->setVisible(demo);
    m_demoBanner->setVisible(demo && !m_demoBannerDismissed);
    m_clockLabel->setStyleSheet(
        QStringLiteral("QLabel { background: %1; color: %2; font-weight: bold; padding: 1px 8px; }")
            .arg(colors.badgeBack, colors.badgeText));
    m_demoBanner->setStyleSheet(
        QStringLiteral("#demoBanner { border: 1px solid %1; }").arg(colors.badgeBack));
    m_progress->setVisible(m_loading);

    QString text;
    if (m_snapshot) {
        const MasterInfo &info = m_snapshot->info();
        // The master's own business day; when it was imported is another fact, shown apart.
        const QString asOf = info.masterDay != NoDay  ? formatDisplayDay(info.masterDay)
                             : info.masterTimeMs != 0 ? formatIstMinute(info.masterTimeMs)
                                                      : QStringLiteral("unknown");
        text = formatCount(static_cast<std::int64_t>(m_snapshot->size())) +
               QStringLiteral(" instruments") + Dot + info.description + Dot +
               QStringLiteral("Master as of ") + asOf;

        m_master.source->setText(info.description);
        m_master.source->setToolTip(info.source);
        m_master.asOf->setText(asOf);
        m_master.imported->setText(
            info.syncRunId > 0 && info.masterTimeMs != 0
                ? QStringLiteral("%1 IST · sync %2")
                      .arg(formatIstMinute(info.masterTimeMs))
                      .arg(info.syncRunId)
                : QStringLiteral("— (read from the file, not the database)"));
        m_master.instruments->setText(formatCount(static_cast<std::int64_t>(m_snapshot->size())));
        m_master.underlyings->setText(
            formatCount(static_cast<std::int64_t>(m_snapshot->underlyingCount())));
        m_master.memory->setText(QStringLiteral("%1 MB").arg(
            static_cast<double>(m_snapshot->memoryBytes()) / 1.0e6, 0, 'f', 1));
        m_master.loadTime->setText(
            m_loadElapsedMs >= 0 ? QStringLiteral("%1 s").arg(
                                       static_cast<double>(m_loadElapsedMs) / 1000.0, 0, 'f', 2)
                                 : None);

        const std::int64_t expired = m_snapshot->expiredContractsAt(m_clock.now().day());
        m_staleLabel->setVisible(expired > 0);
        m_staleLabel->setText(QStringLiteral("⚠ Stale master: %1 contracts already expired")
                                  .arg(formatCount(expired)));
        m_staleLabel->setToolTip(QStringLiteral("This master is older than today (IST). Expired "
                                                "contracts are hidden from search; lot sizes and "
                                                "freeze limits may have changed since. Load "
                                                "today's master."));
    } else {
        m_staleLabel->hide();
    }

    if (m_loading) {
        text =
            QStringLiteral("Loading instruments…") +
            (m_loadStage.isEmpty() ? QString() : QLatin1Char(' ') + m_loadStage) +
            (text.isEmpty() ? QString() : QStringLiteral(" (showing ") + text + QLatin1Char(')'));
    } else if (!m_loadError.isEmpty()) {
        text =
            QStringLiteral("Could not load instruments: ") + m_loadError +
            (text.isEmpty() ? QString() : QStringLiteral(" (showing ") + text + QLatin1Char(')'));
    }
    m_statusLabel->setFullText(text);
    if (!m_loadMessage.isEmpty() && m_loadMessage != text)
        m_statusLabel->setToolTip(text + QLatin1Char('\n') + m_loadMessage);
    m_statusLabel->setStyleSheet(
        m_loadError.isEmpty() || m_loading
            ? QString()
            : QStringLiteral("QLabel { color: %1; }").arg(colors.negative));
}

void MainWindow::buildActions()
{
    const auto make = [this](const QString &text, const QList<QKeySequence> &keys,
                             const QString &tip, const char *objectName) {
        auto *action = new QAction(text, this);
        action->setObjectName(QLatin1String(objectName));
        action->setShortcuts(keys);
        action->setShortcutContext(Qt::WindowShortcut);
        action->setStatusTip(tip);
        action->setToolTip(keys.isEmpty() ? tip
                                          : tip + QStringLiteral(" (") +
                                                keys.first().toString(QKeySequence::NativeText) +
                                                QLatin1Char(')'));
        addAction(action); // shortcuts work even with the menu bar hidden
        return action;
    };

    m_syncAction = make(QStringLiteral("&Sync now"), {QKeySequence(Qt::CTRL | Qt::Key_R)},
                        QStringLiteral("Download today's Upstox instrument master into the "
                                       "database, in the background"),
                        "syncAction");
    connect(m_syncAction, &QAction::triggered, this, &MainWindow::syncRequested);
    m_importAction =
        make(QStringLiteral("&Import instruments file…"), {QKeySequence(Qt::CTRL | Qt::Key_I)},
             QStringLiteral("Import an instrument master file (json.gz, csv) into "
                            "the database"),
             "importAction");
    connect(m_importAction, &QAction::triggered, this, [this] { chooseImportFile(); });
    m_cancelSyncAction = make(QStringLiteral("&Cancel sync"), {},
                              QStringLiteral("Stop the running sync; the "
                                             "current master stays in use"),
                              "cancelSyncAction");
    m_cancelSyncAction->setEnabled(false);
    connect(m_cancelSyncAction, &QAction::triggered, this, &MainWindow::cancelSyncRequested);
    m_quitAction = make(QStringLiteral("&Quit"), {QKeySequence(Qt::CTRL | Qt::Key_Q)},
                        QStringLiteral("Close Strikeline"), "quitAction");
    connect(m_quitAction, &QAction::triggered, this, &QWidget::close);

    m_searchAction = make(QStringLiteral("Search instruments"), {QKeySequence(Qt::Key_F4)},
                          QStringLiteral("Go to the search box"), "searchAction");
    connect(m_searchAction, &QAction::triggered, this, [this] { focusSearch(); });
    m_chainAction = make(QStringLiteral("Option chain"),
                         {QKeySequence(Qt::Key_F6), QKeySequence(Qt::CTRL | Qt::Key_O)},
                         QStringLiteral("Go to the option chain"), "chainAction");
    connect(m_chainAction, &QAction::triggered, this, [this] { focusChain(); });
    m_recentreAction =
        make(QStringLiteral("Centre the chain on ATM"), {QKeySequence(Qt::CTRL | Qt::Key_E)},
             QStringLiteral("Move the chain's strikes so the ATM strike is in the "
                            "middle (they stay still while the price moves)"),
             "recentreAction");
    connect(m_recentreAction, &QAction::triggered, this, [this] {
        m_tabs->setCurrentWidget(m_chainView);
        m_chainView->recentre();
    });
    m_paletteAction = make(QStringLiteral("Command palette"), {QKeySequence(Qt::CTRL | Qt::Key_K)},
                           QStringLiteral("Find any instrument or command"), "paletteAction");
    connect(m_paletteAction, &QAction::triggered, this, [this] {
        m_palette->setSnapshot(m_snapshot);
        m_palette->popup(this);
    });

    m_buyAction = make(QStringLiteral("&Buy"), {QKeySequence(Qt::Key_F1)},
                       QStringLiteral("Buy the selected contract"), "buyAction");
    connect(m_buyAction, &QAction::triggered, this, [this] { requestOrderTicket(Side::Buy); });
    m_sellAction = make(QStringLiteral("S&ell"), {QKeySequence(Qt::Key_F2)},
                        QStringLiteral("Sell the selected contract"), "sellAction");
    connect(m_sellAction, &QAction::triggered, this, [this] { requestOrderTicket(Side::Sell); });
    m_watchAddAction = make(
        QStringLiteral("&Add to watch list"), {QKeySequence(Qt::CTRL | Qt::Key_D)},
        QStringLiteral("Add the selected contract to the market watch's list"), "watchAddAction");
    m_watchAddAction->setEnabled(false); // until a market watch is added
    connect(m_watchAddAction, &QAction::triggered, this, [this] {
        if (m_selection->isEmpty()) {
            showStatusMessage(QStringLiteral("Nothing to add to the watch list: %1.")
                                  .arg(m_selection->reason().isEmpty()
                                           ? QStringLiteral("no contract is selected")
                                           : m_selection->reason()),
                              true, 8000);
            return;
        }
        Q_EMIT watchAddRequested(m_selection->key());
    });
    m_haltAction =
        make(QStringLiteral("&Halt trading"), {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_H)},
             QStringLiteral("The kill switch: refuse every new order (the ticket and "
                            "strikeline-cli) until you resume"),
             "haltAction");
    m_haltAction->setCheckable(true);
    connect(m_haltAction, &QAction::triggered, this,
            [this](bool checked) { Q_EMIT haltRequested(checked); });
    m_ordersAction = make(QStringLiteral("&Orders"), {QKeySequence(Qt::Key_F3)},
                          QStringLiteral("Today's orders and positions"), "ordersAction");
    m_ordersAction->setEnabled(false); // until an orders panel is added

    m_darkThemeAction =
        make(QStringLiteral("&Dark theme"), {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D)},
             QStringLiteral("Switch between the light and the dark theme"), "darkThemeAction");
    m_darkThemeAction->setCheckable(true);
    m_darkThemeAction->setChecked(themeOf(palette()) == Theme::Dark);
    connect(m_darkThemeAction, &QAction::toggled, this,
            [this](bool dark) { Q_EMIT themeChangeRequested(dark ? Theme::Dark : Theme::Light); });
    m_apiAction = make(QStringLiteral("Serve the local &API"), {},
                       QStringLiteral("Answer search, chain and contract questions of scripts on "
                                      "this machine over HTTP (127.0.0.1, bearer token; "
                                      "docs/api.md)"),
                       "apiAction");
    m_apiAction->setCheckable(true);
    connect(m_apiAction, &QAction::toggled, this, &MainWindow::apiServerToggled);
    m_apiLiveAction =
        make(QStringLiteral("Allow &live orders through the API"), {},
             QStringLiteral("Let your own scripts place real orders through Upstox over the "
                            "local API (\"live\": true), checked like the ticket's; off at every "
                            "start"),
             "apiLiveAction");
    m_apiLiveAction->setCheckable(true);
    connect(m_apiLiveAction, &QAction::toggled, this, &MainWindow::apiLiveOrdersToggled);
    m_keysAction = make(QStringLiteral("&Keyboard map"), {},
                        QStringLiteral("The terminal's keyboard shortcuts"), "keysAction");
    connect(m_keysAction, &QAction::triggered, this, [this] { showKeyboardMap(); });

    buildDemoBanner();

    QMenu *file = menuBar()->addMenu(QStringLiteral("&File"));
    file->addAction(m_syncAction);
    file->addAction(m_cancelSyncAction);
    file->addAction(m_importAction);
    file->addSeparator();
    file->addAction(m_quitAction);
    QMenu *trade = menuBar()->addMenu(QStringLiteral("&Trade"));
    trade->addAction(m_buyAction);
    trade->addAction(m_sellAction);
    trade->addAction(m_ordersAction);
    trade->addAction(m_watchAddAction);
    trade->addSeparator();
    trade->addAction(m_haltAction);
    QMenu *view = menuBar()->addMenu(QStringLiteral("&View"));
    view->setObjectName(QStringLiteral("viewMenu"));
    view->addAction(m_searchAction);
    view->addAction(m_chainAction);
    view->addAction(m_recentreAction);
    view->addAction(m_paletteAction);
    QMenu *settingsMenu = menuBar()->addMenu(QStringLiteral("&Settings"));
    settingsMenu->addAction(m_darkThemeAction);
    settingsMenu->addAction(m_apiAction);
    settingsMenu->addAction(m_apiLiveAction);
    QMenu *help = menuBar()->addMenu(QStringLiteral("&Help"));
    help->addAction(m_keysAction);

    QToolBar *toolbar = addToolBar(QStringLiteral("Main"));
    toolbar->setObjectName(QStringLiteral("mainToolbar"));
    toolbar->setMovable(false);
    toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    toolbar->addAction(m_syncAction);
    toolbar->addAction(m_cancelSyncAction);
    toolbar->addAction(m_importAction);
    toolbar->addSeparator();
    toolbar->addAction(m_buyAction);
    toolbar->addAction(m_sellAction);
    toolbar->addAction(m_haltAction);
    toolbar->addSeparator();
    toolbar->addAction(m_paletteAction);

    m_palette->setActions(paletteActions());
}

QList<QAction *> MainWindow::paletteActions() const
{
    QList<QAction *> actions = {m_syncAction,   m_importAction, m_cancelSyncAction,
                                m_searchAction, m_chainAction,  m_recentreAction};
    actions += m_panelActions;
    actions += {m_buyAction, m_sellAction, m_watchAddAction, m_haltAction};
    if (!m_panelActions.contains(m_ordersAction))
        actions += m_ordersAction;
    actions += {m_darkThemeAction, m_apiAction, m_apiLiveAction, m_keysAction, m_quitAction};
    return actions;
}

QWidget *MainWindow::buildDemoBanner()
{
    // First run without a real master: say so where the trader looks, and offer the two ways
    // out. The buttons are the menu's actions, so they are disabled while a sync runs.
    auto *frame = static_cast<QFrame *>(m_demoBanner);
    frame->setFrameShape(QFrame::StyledPanel);
    frame->setAutoFillBackground(true);
    // One line whatever the window: no word wrap (a wrapped label takes a share of the
    // window's height), the text gives way before the buttons do.
    frame->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    auto *text = new QLabel(QStringLiteral("<b>Demo data</b> · generated for trying the terminal "
                                           "out offline, not the Upstox master. Get the real "
                                           "one:"));
    text->setObjectName(QStringLiteral("demoBannerText"));
    text->setWordWrap(false);
    text->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
    text->setMinimumWidth(0);
    text->setToolTip(QStringLiteral("These instruments are generated for trying the terminal out "
                                    "offline; they are not the Upstox master. Never trade from "
                                    "them."));
    auto *sync = new QToolButton;
    sync->setDefaultAction(m_syncAction);
    sync->setToolButtonStyle(Qt::ToolButtonTextOnly);
    auto *import = new QToolButton;
    import->setDefaultAction(m_importAction);
    import->setToolButtonStyle(Qt::ToolButtonTextOnly);
    auto *dismiss = new QToolButton;
    dismiss->setObjectName(QStringLiteral("demoBannerDismiss"));
    dismiss->setText(QStringLiteral("✕"));
    dismiss->setAutoRaise(true);
    dismiss->setToolTip(QStringLiteral("Hide this banner until Strikeline restarts (the DEMO DATA "
                                       "badge and the window title stay)"));
    connect(dismiss, &QToolButton::clicked, this, [this] {
        m_demoBannerDismissed = true;
        m_demoBanner->hide();
    });
    auto *layout = new QHBoxLayout(frame);
    layout->setContentsMargins(10, 2, 4, 2);
    layout->addWidget(text, 1);
    layout->addWidget(sync);
    layout->addWidget(import);
    layout->addWidget(dismiss);
    return frame;
}

void MainWindow::addPanel(QWidget *panel, const QString &title, const QKeySequence &shortcut)
{
    auto *action = new QAction(title, this);
    action->setObjectName(panel->objectName() + QStringLiteral("Action"));
    if (!shortcut.isEmpty())
        action->setShortcut(shortcut);
    action->setStatusTip(QStringLiteral("Go to ") + stripMnemonic(title));
    addAction(action);
    if (QMenu *view = menuBar()->findChild<QMenu *>(QStringLiteral("viewMenu")))
        view->insertAction(m_paletteAction, action);
    addPanel(panel, title, action);
}

void MainWindow::addPanel(QWidget *panel, const QString &title, QAction *goTo)
{
    m_tabs->addTab(panel, title);
    connect(goTo, &QAction::triggered, this, [this, panel] { showPanel(panel); });
    goTo->setEnabled(true);
    m_panelActions.append(goTo);
    m_palette->setActions(paletteActions());
    restoreLayout(); // the saved tab may be this one
}

void MainWindow::showPanel(QWidget *panel)
{
    m_tabs->setCurrentWidget(panel);
}

void MainWindow::requestOrderTicket(Side side)
{
    const QString verb = side == Side::Buy ? QStringLiteral("buy") : QStringLiteral("sell");
    const std::optional<InstrumentId> id = m_selection->id();
    if (!id || !m_snapshot) {
        const QString why = m_selection->reason().isEmpty()
                                ? QStringLiteral("no contract is selected")
                                : m_selection->reason();
        showStatusMessage(QStringLiteral("Nothing to %1: %2. Pick a search result, a CE or PE "
                                         "cell of the chain, an order or a position first.")
                              .arg(verb, why),
                          true, 10000);
        return;
    }
    const InstrumentView view = m_snapshot->instrument(*id);
    if (view.kind() == InstrumentKind::Index || view.kind() == InstrumentKind::Spot) {
        showStatusMessage(untradableText(*id, side), true, 15000);
        return;
    }
    Q_EMIT orderTicketRequested(m_selection->key(), side);
}

UnderlyingId MainWindow::derivativesOf(InstrumentId spot) const
{
    // An index or a spot row is no derivative (its own underlying is none): find the
    // underlying it is the spot of.
    for (UnderlyingId u = 0; u < m_snapshot->underlyingCount(); ++u) {
        if (m_snapshot->underlyingSpot(u) == spot)
            return u;
    }
    return NoId;
}

QString MainWindow::untradableText(InstrumentId id, Side side) const
{
    // Offer what a trader means by "buy NIFTY": its nearest future, or an option of its chain.
    const InstrumentView view = m_snapshot->instrument(id);
    const UnderlyingId underlying = derivativesOf(id);
    const EpochDay today = m_clock.now().day();
    std::optional<InstrumentId> future;
    if (underlying != NoId) {
        for (InstrumentId f : m_snapshot->futures(underlying)) {
            const InstrumentView candidate = m_snapshot->instrument(f);
            if (!candidate.isExpiredAt(today) &&
                (!future || candidate.expiry() < m_snapshot->instrument(*future).expiry()))
                future = f;
        }
    }
    QString text = QStringLiteral("Cannot %1 %2: %3 is not traded.")
                       .arg(side == Side::Buy ? QStringLiteral("buy") : QStringLiteral("sell"),
                            toQString(view.tradingSymbol()),
                            view.kind() == InstrumentKind::Index ? QStringLiteral("an index")
                                                                 : QStringLiteral("a spot price"));
    if (future)
        text += QStringLiteral(" Trade its future %1 (search \"%1\")")
                    .arg(toQString(m_snapshot->instrument(*future).tradingSymbol()));
    const bool options = underlying != NoId && !m_snapshot->expiries(underlying, today).empty();
    if (options)
        text += future ? QStringLiteral(" or an option of its chain (F6).")
                       : QStringLiteral(" Trade an option of its chain (F6).");
    else if (future)
        text += QLatin1Char('.');
    return text;
}

void MainWindow::showSelection()
{
    showContract(m_selection->id());
    showContractPrice();
    m_contractHint->setText(m_selection->reason().isEmpty()
                                ? ContractHint
                                : m_selection->reason() + QStringLiteral(".\n\n") + ContractHint);
}

void MainWindow::buildStatusMessage()
{
    m_messageLabel = new ElidedLabel;
    m_messageLabel->setObjectName(QStringLiteral("statusMessage"));
    m_messageTimer = new QTimer(this);
    m_messageTimer->setSingleShot(true);
    connect(m_messageTimer, &QTimer::timeout, this, [this] { showStatusMessage({}); });
    // QStatusBar::showMessage hides the master line while it shows: whatever still calls it
    // is shown here instead.
    connect(statusBar(), &QStatusBar::messageChanged, this, [this](const QString &text) {
        if (text.isEmpty())
            return;
        const QString message = text; // `text` is the status bar's own, which clearing empties
        statusBar()->clearMessage();
        showStatusMessage(message, false, 8000);
    });
}

void MainWindow::showStatusMessage(const QString &text, bool failed, int timeoutMs)
{
    m_message = text;
    m_messageFailed = failed;
    if (timeoutMs > 0)
        m_messageTimer->start(timeoutMs);
    else
        m_messageTimer->stop();
    paintStatusMessage(text, failed);
}

QString MainWindow::statusMessage() const
{
    return m_message;
}

void MainWindow::paintStatusMessage(const QString &text, bool failed)
{
    const ThemeColors colors = themeColors(themeOf(palette()));
    m_messageLabel->setStyleSheet(
        failed ? QStringLiteral("QLabel { color: %1; }").arg(colors.negative) : QString());
    m_messageLabel->setFullText(text);
}

bool MainWindow::event(QEvent *event)
{
    // A menu or toolbar tip shows while the pointer is on it, beside the master line; the
    // message it covered comes back after.
    if (event->type() == QEvent::StatusTip) {
        const QString tip = static_cast<QStatusTipEvent *>(event)->tip();
        if (tip.isEmpty())
            paintStatusMessage(m_message, m_messageFailed);
        else
            paintStatusMessage(tip, false);
        return true;
    }
    return QMainWindow::event(event);
}

void MainWindow::chooseImportFile()
{
    const QString path = QFileDialog::getOpenFileName(
        this, QStringLiteral("Import instruments file"), QString(), MasterFilesFilter);
    if (!path.isEmpty())
        Q_EMIT importRequested(path);
}

QString MainWindow::keyboardMapText() const
{
    const auto row = [](const QString &keys, const QString &what) -> QString {
        return QStringLiteral("<tr><td><b>") + keys.toHtmlEscaped() +
               QStringLiteral("</b></td><td>") + what.toHtmlEscaped() +
               QStringLiteral("</td></tr>");
    };
    QString rows;
    // Every action's shortcuts, so a new command cannot be missing from the map.
    QList<QAction *> actions = paletteActions();
    for (QAction *action : this->actions()) {
        if (!actions.contains(action))
            actions += action;
    }
    for (const QAction *action : std::as_const(actions)) {
        if (!action || action->shortcuts().isEmpty())
            continue;
        QStringList keys;
        for (const QKeySequence &key : action->shortcuts())
            keys << key.toString(QKeySequence::NativeText);
        const QString what =
            action->statusTip().isEmpty() ? stripMnemonic(action->text()) : action->statusTip();
        rows += row(keys.join(QStringLiteral(", ")), what);
    }
    // Keys of one view (not window actions).
    rows +=
        row(QStringLiteral("B / S"), QStringLiteral("Option chain: buy / sell the CE or PE cell"));
    rows +=
        row(QStringLiteral("Enter"), QStringLiteral("Open the instrument; in a ticket, submit"));
    rows +=
        row(QStringLiteral("Double-click"), QStringLiteral("Option chain: a ticket for the cell"));
    rows += row(QStringLiteral("Down / Up"), QStringLiteral("Search: into the results and back; "
                                                            "ticket: step the price one tick"));
    rows += row(QKeySequence(QKeySequence::Delete).toString(QKeySequence::NativeText),
                QStringLiteral("Orders: cancel the selected open order"));
    rows += row(QStringLiteral("Esc"), QStringLiteral("Close, or back to the search box"));
    return QStringLiteral("<table cellspacing='6'>") + rows + QStringLiteral("</table>");
}

void MainWindow::showKeyboardMap()
{
    QMessageBox box(this);
    box.setWindowTitle(QStringLiteral("Keyboard map"));
    box.setTextFormat(Qt::RichText);
    box.setText(keyboardMapText());
    box.exec();
}

void MainWindow::showSyncRunning(bool running)
{
    m_syncRunning = running;
    m_syncAction->setEnabled(!running);
    m_importAction->setEnabled(!running);
    m_cancelSyncAction->setEnabled(running);
}

void MainWindow::showSyncMessage(const QString &text, bool failed)
{
    const ThemeColors colors = themeColors(themeOf(palette()));
    m_syncLabel->setText(text);
    m_syncLabel->setToolTip(text);
    m_syncLabel->setStyleSheet(failed ? QStringLiteral("QLabel { color: %1; }").arg(colors.negative)
                                      : QString());
    m_syncLabel->setVisible(!text.isEmpty());
}

void MainWindow::showApiStatus(const QString &address, const QString &error)
{
    {
        const QSignalBlocker blocker(m_apiAction); // reflecting the state is not a request
        m_apiAction->setChecked(!address.isEmpty());
    }
    m_apiAddress = address;
    m_apiLabel->setText(QStringLiteral("API ") + address +
                        (m_apiLiveOrders ? QStringLiteral(" \u00b7 LIVE ORDERS") : QString()));
    m_apiLabel->setToolTip(
        QStringLiteral("The local HTTP API is serving on http://") + address +
        QStringLiteral(" (bearer token in the api-token file; docs/api.md)") +
        (m_apiLiveOrders ? QStringLiteral("\nIt takes live orders through Upstox (\"live\": true)")
                         : QStringLiteral("\nPaper orders only (Settings > Allow live orders "
                                          "through the API)")));
    m_apiLabel->setStyleSheet(m_apiLiveOrders && !address.isEmpty()
                                  ? QStringLiteral("QLabel { color: %1; font-weight: bold; }")
                                        .arg(themeColors(themeOf(palette())).negative)
                                  : QString());
    m_apiLabel->setVisible(!address.isEmpty());
    if (!error.isEmpty())
        showStatusMessage(QStringLiteral("Local API not started: ") + error, true, 10000);
}

void MainWindow::setApiLiveOrders(bool allowed)
{
    m_apiLiveOrders = allowed;
    {
        const QSignalBlocker blocker(m_apiLiveAction);
        m_apiLiveAction->setChecked(allowed);
    }
    showApiStatus(m_apiAddress);
}

void MainWindow::setPriceSource(const QString &badge, const QString &toolTip, bool warning)
{
    m_priceSourceWarning = warning;
    m_priceSourceLabel->setText(badge);
    m_priceSourceLabel->setToolTip(toolTip);
    m_priceSourceLabel->setVisible(!badge.isEmpty());
    updateStatus(); // styles it
}

void MainWindow::showPinnedClock(const IstMoment &at)
{
    const QDateTime ist =
        QDateTime::fromMSecsSinceEpoch(at.epochMs, Qt::OffsetFromUTC, IstOffsetSeconds);
    m_clockLabel->setText(QStringLiteral("Clock: ") +
                          ist.toString(QStringLiteral("dd MMM yyyy HH:mm")) +
                          QStringLiteral(" IST"));
    m_clockLabel->setToolTip(QStringLiteral("Started with --at: the terminal's clock is pinned to "
                                            "this moment. Expiries, market hours and \"today's "
                                            "orders\" are those of that day."));
    m_clockLabel->show();
    updateStatus(); // styles it
}

void MainWindow::saveLayout() const
{
    QSettings settings;
    settings.beginGroup(QStringLiteral("mainWindow"));
    settings.setValue(QStringLiteral("geometry"), saveGeometry());
    settings.setValue(QStringLiteral("state"), saveState());
    settings.setValue(QStringLiteral("splitter"), m_splitter->saveState());
    settings.setValue(QStringLiteral("tab"), m_tabs->tabText(m_tabs->currentIndex()));
    settings.setValue(QStringLiteral("resultsColumns"),
                      m_resultsView->horizontalHeader()->saveState());
    settings.setValue(QStringLiteral("chainColumns"), m_chainView->header()->saveState());
    settings.setValue(QStringLiteral("chainWindow"), m_chainView->strikeWindow());
    settings.setValue(QStringLiteral("chainUnderlying"), m_chainView->underlyingSymbol());
    settings.endGroup();
}

void MainWindow::restoreLayout()
{
    QSettings settings;
    settings.beginGroup(QStringLiteral("mainWindow"));
    if (const QByteArray geometry = settings.value(QStringLiteral("geometry")).toByteArray();
        !geometry.isEmpty())
        restoreGeometry(geometry);
    restoreState(settings.value(QStringLiteral("state")).toByteArray());
    m_splitter->restoreState(settings.value(QStringLiteral("splitter")).toByteArray());
    m_resultsView->horizontalHeader()->restoreState(
        settings.value(QStringLiteral("resultsColumns")).toByteArray());
    m_chainView->header()->restoreState(
        settings.value(QStringLiteral("chainColumns")).toByteArray());
    if (settings.contains(QStringLiteral("chainWindow")))
        m_chainView->setStrikeWindow(settings.value(QStringLiteral("chainWindow")).toInt());
    const QString underlying = settings.value(QStringLiteral("chainUnderlying")).toString();
    if (!underlying.isEmpty() && underlying != m_chainView->underlyingSymbol())
        m_chainView->openUnderlying(underlying);
    const QString tab = settings.value(QStringLiteral("tab")).toString();
    for (int i = 0; i < m_tabs->count(); ++i) {
        if (m_tabs->tabText(i) == tab)
            m_tabs->setCurrentIndex(i);
    }
    settings.endGroup();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveLayout();
    QMainWindow::closeEvent(event);
}

void MainWindow::focusSearch()
{
    m_tabs->setCurrentIndex(0); // Search
    m_searchEdit->setFocus(Qt::ShortcutFocusReason);
    m_searchEdit->selectAll();
}

void MainWindow::moveIntoResults()
{
    if (m_results->rowCount() == 0)
        return;
    m_resultsView->setFocus(Qt::OtherFocusReason);
    const QModelIndex current = m_resultsView->currentIndex();
    showResult(current.isValid() ? current.row() : 0);
}

bool MainWindow::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() != QEvent::KeyPress)
        return QMainWindow::eventFilter(watched, event);
    auto *key = static_cast<QKeyEvent *>(event);

    if (watched == m_searchEdit) {
        switch (key->key()) {
        case Qt::Key_Down:
        case Qt::Key_PageDown:
            moveIntoResults();
            return true;
        case Qt::Key_Escape:
            if (m_searchEdit->text().isEmpty())
                break;
            m_searchEdit->clear();
            return true;
        default:
            break;
        }
    } else if (watched == m_resultsView) {
        const bool plain = (key->modifiers() & ~(Qt::ShiftModifier | Qt::KeypadModifier)) == 0;
        if (key->key() == Qt::Key_Escape ||
            (key->key() == Qt::Key_Up && m_resultsView->currentIndex().row() <= 0)) {
            focusSearch();
            return true;
        }
        // Typing in the results goes on with the query instead of jumping between rows.
        if (plain && (key->key() == Qt::Key_Backspace ||
                      (!key->text().isEmpty() && key->text().at(0).isPrint()))) {
            m_searchEdit->setFocus(Qt::OtherFocusReason);
            m_searchEdit->deselect();
            m_searchEdit->end(false);
            QApplication::sendEvent(m_searchEdit, event);
            return true;
        }
    }
    return QMainWindow::eventFilter(watched, event);
}

} // namespace strikeline::ui
