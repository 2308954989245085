#include "OptionChainView.h"

#include "chain/OptionChainModel.h"
#include "marketdata/MarketData.h"

#include <QComboBox>
#include <QCompleter>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QScrollBar>
#include <QSignalBlocker>
#include <QStackedWidget>
#include <QStringListModel>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

namespace strikeline::ui {

namespace {

constexpr int DefaultWindow = 10;
constexpr int CompletionCount = 8;
const QString Dot = QStringLiteral(" · ");

QString fromUtf8(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

// The strike is the spine of the chain: bold, centred, on its own shade unless the model
// highlights the row (ATM).
class StrikeDelegate final : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        option->font.setBold(true);
        option->displayAlignment = Qt::AlignCenter;
        if (option->backgroundBrush.style() == Qt::NoBrush)
            option->backgroundBrush = QColor(128, 128, 128, 28);
    }
};

} // namespace

QString expiryChoiceText(const ExpiryInfo &expiry, EpochDay today)
{
    return formatDisplayDay(expiry.day) + Dot + QStringLiteral("%1d").arg(expiry.day - today) +
           Dot + (expiry.weekly ? QStringLiteral("W") : QStringLiteral("M"));
}

OptionChainView::OptionChainView(const Clock &clock, QWidget *parent)
    : QWidget(parent)
    , m_clock(clock)
    , m_model(new OptionChainModel(this))
{
    buildUi();
    keepCursorAcrossResets();
    showMessage(QStringLiteral("loading…"));
}

OptionChainView::~OptionChainView() = default;

void OptionChainView::buildUi()
{
    m_underlyingEdit = new QLineEdit;
    m_underlyingEdit->setObjectName(QStringLiteral("chainUnderlying"));
    m_underlyingEdit->setPlaceholderText(QStringLiteral("NIFTY"));
    m_underlyingEdit->setToolTip(QStringLiteral("Underlying symbol (F6 or Ctrl+O) · Enter opens "
                                                "its chain"));
    m_underlyingEdit->setFixedWidth(
        m_underlyingEdit->fontMetrics().horizontalAdvance(QStringLiteral("MIDCPNIFTY")) + 24);
    connect(m_underlyingEdit, &QLineEdit::returnPressed, this,
            [this] { openUnderlying(resolveUnderlying(m_underlyingEdit->text())); });
    // Completes the way search ranks ("bank" -> BANKNIFTY first), not alphabetically.
    m_completer = new QCompleter(new QStringListModel(this), this);
    m_completer->setCompletionMode(QCompleter::UnfilteredPopupCompletion);
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_underlyingEdit->setCompleter(m_completer);
    connect(m_underlyingEdit, &QLineEdit::textEdited, this,
            [this](const QString &text) { updateCompletions(text); });

    m_expiryCombo = new QComboBox;
    m_expiryCombo->setObjectName(QStringLiteral("chainExpiry"));
    m_expiryCombo->setToolTip(QStringLiteral("Expiry · days left · W weekly, M monthly"));
    m_expiryCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_expiryCombo->setMinimumContentsLength(18);
    connect(m_expiryCombo, &QComboBox::currentIndexChanged, this, [this] { reloadChain(); });

    m_spotEdit = new QLineEdit;
    m_spotEdit->setObjectName(QStringLiteral("chainSpot"));
    m_spotEdit->setPlaceholderText(QStringLiteral("e.g. 26040.5"));
    m_spotEdit->setToolTip(QStringLiteral("The underlying's price, e.g. 26040.5 · Enter applies it "
                                          "and centres the strikes on its ATM"));
    m_spotEdit->setClearButtonEnabled(true);
    m_spotEdit->setFixedWidth(
        m_spotEdit->fontMetrics().horizontalAdvance(QStringLiteral("125000.25")) + 40);
    // Applied when the trader is done typing, never halfway through a number.
    connect(m_spotEdit, &QLineEdit::editingFinished, this, [this] { applySpotText(); });

    m_windowCombo = new QComboBox;
    m_windowCombo->setObjectName(QStringLiteral("chainWindow"));
    m_windowCombo->setToolTip(QStringLiteral("Strikes shown around the ATM strike"));
    for (int n : {5, 10, 15, 20})
        m_windowCombo->addItem(QStringLiteral("ATM ± %1").arg(n), n);
    m_windowCombo->addItem(QStringLiteral("All strikes"), 0);
    m_windowCombo->setCurrentIndex(m_windowCombo->findData(DefaultWindow));
    connect(m_windowCombo, &QComboBox::currentIndexChanged, this, [this] { reloadChain(); });

    m_atm = new QLabel;
    m_atm->setObjectName(QStringLiteral("chainAtm"));
    m_atm->setTextFormat(Qt::PlainText);

    m_info = new QLabel;
    m_info->setObjectName(QStringLiteral("chainInfo"));
    m_info->setForegroundRole(QPalette::PlaceholderText);
    // Informative, not essential: it gives way (clipped) before the pickers do on a small
    // screen, so the window still fits a 1366x768 laptop with the contract panel open.
    m_info->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_info->setMinimumWidth(0);

    m_live = new QLabel;
    m_live->setObjectName(QStringLiteral("chainLive"));
    m_live->hide();

    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(QStringLiteral("Underlying")));
    bar->addWidget(m_underlyingEdit);
    bar->addSpacing(8);
    bar->addWidget(new QLabel(QStringLiteral("Expiry")));
    bar->addWidget(m_expiryCombo);
    bar->addSpacing(8);
    bar->addWidget(new QLabel(QStringLiteral("Spot")));
    bar->addWidget(m_spotEdit);
    bar->addWidget(m_live);
    bar->addSpacing(8);
    bar->addWidget(m_windowCombo);
    bar->addWidget(m_atm);
    bar->addWidget(m_info, 1);

    m_message = new QLabel;
    m_message->setObjectName(QStringLiteral("chainMessage"));
    m_message->setAlignment(Qt::AlignCenter);
    m_message->setWordWrap(true);
    m_message->setForegroundRole(QPalette::PlaceholderText);
    m_message->setFrameShape(QFrame::StyledPanel);
    m_message->setBackgroundRole(QPalette::Base);
    m_message->setAutoFillBackground(true);
    m_message->setMargin(24);

    m_table = new QTableView;
    m_table->setObjectName(QStringLiteral("chainTable"));
    m_table->setModel(m_model);
    m_table->setItemDelegateForColumn(OptionChainModel::StrikeColumn, new StrikeDelegate(m_table));
    m_table->setSelectionBehavior(QAbstractItemView::SelectItems);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setTabKeyNavigation(false);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 8);
    QHeaderView *header = m_table->horizontalHeader();
    header->setHighlightSections(false);
    // Both sides share the width evenly; the strike keeps a width that fits any strike.
    const QFontMetrics metrics = m_table->fontMetrics();
    header->setMinimumSectionSize(metrics.horizontalAdvance(QStringLiteral("Chg OI")) + 20);
    header->setSectionResizeMode(QHeaderView::Stretch);
    header->setSectionResizeMode(OptionChainModel::StrikeColumn, QHeaderView::Fixed);
    QFont bold = m_table->font();
    bold.setBold(true);
    m_table->setColumnWidth(OptionChainModel::StrikeColumn,
                            QFontMetrics(bold).horizontalAdvance(QStringLiteral("125000.25")) + 28);
    connect(m_table, &QTableView::doubleClicked, this, [this](const QModelIndex &index) {
        const QString key = index.data(OptionChainModel::InstrumentKeyRole).toString();
        if (!key.isEmpty())
            Q_EMIT contractActivated(key);
    });

    m_table->installEventFilter(this);

    m_stack = new QStackedWidget;
    m_stack->addWidget(m_message);
    m_stack->addWidget(m_table);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_stack, 1);
}

QString OptionChainView::currentContractKey() const
{
    if (m_stack->currentWidget() != m_table)
        return {};
    return m_table->currentIndex().data(OptionChainModel::InstrumentKeyRole).toString();
}

QHeaderView *OptionChainView::header() const
{
    return m_table->horizontalHeader();
}

int OptionChainView::strikeWindow() const
{
    return m_windowCombo->currentData().toInt();
}

void OptionChainView::setStrikeWindow(int strikes)
{
    const int index = m_windowCombo->findData(strikes);
    if (index >= 0)
        m_windowCombo->setCurrentIndex(index);
}

void OptionChainView::setSpotText(const QString &text)
{
    m_spotEdit->setText(text);
    applySpotText();
}

bool OptionChainView::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_table && event->type() == QEvent::KeyPress) {
        const auto *key = static_cast<QKeyEvent *>(event);
        const bool plain = (key->modifiers() & ~(Qt::ShiftModifier | Qt::KeypadModifier)) == 0;
        if (plain && (key->key() == Qt::Key_B || key->key() == Qt::Key_S)) {
            // Also on a strike cell: the window says why nothing can be traded there.
            Q_EMIT orderRequested(currentContractKey(),
                                  key->key() == Qt::Key_B ? Side::Buy : Side::Sell);
            return true;
        }
        if (key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) {
            const QString contract = currentContractKey();
            if (!contract.isEmpty())
                Q_EMIT contractActivated(contract);
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void OptionChainView::setSnapshot(SnapshotPtr snapshot)
{
    if (!snapshot)
        return;
    m_snapshot = std::move(snapshot);
    const EpochDay expiry = currentExpiry();
    m_model->clear();
    loadUnderlying(expiry);
}

void OptionChainView::openUnderlying(const QString &symbol, EpochDay expiry)
{
    const QString wanted = symbol.trimmed().toUpper();
    if (wanted != m_openSymbol) {
        // A NIFTY spot says nothing about BANKNIFTY.
        m_spot.reset();
        m_spotEdit->clear();
        m_spotEdit->setStyleSheet(QString());
        m_spotEdit->setToolTip(QString());
        m_segment.reset();
    }
    m_underlyingEdit->setText(wanted);
    loadUnderlying(expiry);
}

void OptionChainView::focusUnderlying()
{
    m_underlyingEdit->setFocus(Qt::ShortcutFocusReason);
    m_underlyingEdit->selectAll();
}

EpochDay OptionChainView::currentExpiry() const
{
    const QVariant day = m_expiryCombo->currentData();
    return day.isValid() ? day.toInt() : NoDay;
}

QString OptionChainView::underlyingSymbol() const
{
    return m_underlying == NoId || !m_snapshot
               ? QString()
               : fromUtf8(m_snapshot->underlyingSymbol(m_underlying));
}

void OptionChainView::loadUnderlying(EpochDay expiry)
{
    m_underlying = NoId;
    m_info->clear();
    {
        const QSignalBlocker blocker(m_expiryCombo);
        m_expiryCombo->clear();
    }
    m_model->clear();
    const QString symbol = m_underlyingEdit->text().trimmed().toUpper();
    m_openSymbol = symbol;
    if (!m_snapshot) {
        showMessage(QStringLiteral("loading…"));
        return;
    }
    if (symbol.isEmpty()) {
        showMessage(QStringLiteral("Type an underlying (NIFTY, BANKNIFTY, RELIANCE…) and press "
                                   "Enter to open its option chain"));
        return;
    }
    const QByteArray utf8 = symbol.toUtf8();
    const std::string_view text(utf8.constData(), static_cast<std::size_t>(utf8.size()));
    std::optional<UnderlyingId> id = m_snapshot->findUnderlying(text, m_segment);
    if (!id && m_segment)
        id = m_snapshot->findUnderlying(text);
    if (!id) {
        showMessage(QStringLiteral("“%1” has no derivatives in this master").arg(symbol));
        return;
    }
    const EpochDay today = m_clock.now().day();
    std::vector<ExpiryInfo> expiries = m_snapshot->expiries(*id, today);
    std::erase_if(expiries, [](const ExpiryInfo &e) { return e.strikeCount <= 0; });
    if (expiries.empty()) {
        showMessage(QStringLiteral("%1 has no live option expiries").arg(symbol));
        return;
    }
    std::sort(expiries.begin(), expiries.end(),
              [](const ExpiryInfo &a, const ExpiryInfo &b) { return a.day < b.day; });
    m_underlying = *id;
    m_segment = m_snapshot->underlyingSegment(*id);
    {
        const QSignalBlocker blocker(m_expiryCombo);
        for (const ExpiryInfo &e : expiries) {
            m_expiryCombo->addItem(expiryChoiceText(e, today), e.day);
            m_expiryCombo->setItemData(
                m_expiryCombo->count() - 1,
                QStringLiteral("%1 strikes · %2")
                    .arg(e.strikeCount)
                    .arg(e.weekly ? QStringLiteral("weekly") : QStringLiteral("monthly")),
                Qt::ToolTipRole);
        }
        const int wanted = m_expiryCombo->findData(expiry);
        m_expiryCombo->setCurrentIndex(wanted >= 0 ? wanted : 0);
    }
    reloadChain();
}

void OptionChainView::reloadChain()
{
    if (!m_snapshot || m_underlying == NoId || currentExpiry() == NoDay)
        return;
    const int window = m_windowCombo->currentData().toInt();
    m_model->setChain(m_snapshot, m_underlying, currentExpiry(), m_clock.now().day(),
                      effectiveSpot(), window);
    refreshQuotes();
    showChain();
}

void OptionChainView::showChain()
{
    if (m_model->rowCount() == 0) {
        showMessage(m_model->lastError().isEmpty() ? QStringLiteral("No strikes for this expiry")
                                                   : m_model->lastError());
        return;
    }
    updateInfo();
    m_stack->setCurrentWidget(m_table);
    scrollToReference();
}

void OptionChainView::updateInfo()
{
    if (m_model->rowCount() == 0 || !m_snapshot)
        return;
    const OptionChain &chain = m_model->chain();
    const QString recentreKey =
        QKeySequence(Qt::CTRL | Qt::Key_E).toString(QKeySequence::NativeText);
    if (!chain.atmStrike) {
        m_atm->setText(QStringLiteral("no spot"));
        m_atm->setToolTip(QStringLiteral("Without a spot the window is centred on the middle "
                                         "strike. Type the spot to mark ATM, ITM and OTM."));
    } else if (m_model->isCentred()) {
        m_atm->setText(QStringLiteral("ATM ") + chain.atmStrike->toQString());
        m_atm->setToolTip(QStringLiteral("The strike nearest the underlying's price. The strikes "
                                         "stay still as the price moves; %1 centres them on ATM.")
                              .arg(recentreKey));
    } else {
        // The price has moved on: say where ATM is now and how to bring it to the middle.
        const bool above = m_model->atmRow() < 0 && m_model->rowCount() > 0 &&
                           *chain.atmStrike > *m_model->strikeAt(m_model->rowCount() - 1);
        const bool below = m_model->atmRow() < 0 && !above;
        m_atm->setText(QStringLiteral("ATM ") + chain.atmStrike->toQString() +
                       (above   ? QStringLiteral(" ↑")
                        : below ? QStringLiteral(" ↓")
                                : QString()) +
                       QStringLiteral(" · ") + recentreKey);
        m_atm->setToolTip(QStringLiteral("ATM has moved off the middle of the strikes; %1 centres "
                                         "them on it.")
                              .arg(recentreKey));
    }
    const QString segment = fromUtf8(segmentName(m_snapshot->underlyingSegment(m_underlying)));
    m_info->setText(QStringLiteral("%1 strikes").arg(m_model->rowCount()) + Dot + segment);
}

namespace {

// The underlyings of what search finds for `text`, in its order, without repeats.
std::vector<QString> underlyingCandidates(const InstrumentSnapshot &snapshot, const QString &text,
                                          EpochDay today)
{
    std::vector<QString> out;
    const QByteArray utf8 = text.trimmed().toUtf8();
    if (utf8.isEmpty())
        return out;
    SearchRequest request;
    request.text = std::string_view(utf8.constData(), static_cast<std::size_t>(utf8.size()));
    request.limit = 200; // many contracts per underlying: enough to see several of them
    request.today = today;
    for (const SearchHit &hit : snapshot.search(request)) {
        const UnderlyingId id = snapshot.instrument(hit.id).underlying();
        if (id == NoId)
            continue;
        QString symbol = fromUtf8(snapshot.underlyingSymbol(id));
        if (std::find(out.begin(), out.end(), symbol) == out.end())
            out.push_back(std::move(symbol));
        if (out.size() >= static_cast<std::size_t>(CompletionCount))
            break;
    }
    return out;
}

} // namespace

void OptionChainView::updateCompletions(const QString &text)
{
    QStringList symbols;
    if (m_snapshot) {
        for (QString &symbol : underlyingCandidates(*m_snapshot, text, m_clock.now().day()))
            symbols << std::move(symbol);
    }
    static_cast<QStringListModel *>(m_completer->model())->setStringList(symbols);
}

QString OptionChainView::resolveUnderlying(const QString &text) const
{
    const QString wanted = text.trimmed().toUpper();
    if (!m_snapshot || wanted.isEmpty())
        return wanted;
    const QByteArray utf8 = wanted.toUtf8();
    if (m_snapshot->findUnderlying(
            std::string_view(utf8.constData(), static_cast<std::size_t>(utf8.size()))))
        return wanted;
    // Not an underlying itself: what search ranks first for it ("bank" -> BANKNIFTY).
    const std::vector<QString> candidates =
        underlyingCandidates(*m_snapshot, wanted, m_clock.now().day());
    return candidates.empty() ? wanted : candidates.front();
}

void OptionChainView::applySpotText()
{
    const QString text = m_spotEdit->text().trimmed();
    std::optional<Price> spot;
    if (!text.isEmpty()) {
        const QByteArray utf8 = text.toUtf8();
        spot =
            Price::parse(std::string_view(utf8.constData(), static_cast<std::size_t>(utf8.size())));
        if (!spot || !spot->isPositive()) {
            markSpotInvalid(QStringLiteral("“%1” is not a price. Type the underlying's price in "
                                           "rupees, e.g. 26040.5 (at most 4 decimals).")
                                .arg(text));
            return;
        }
    }
    m_spotEdit->setStyleSheet(QString());
    m_spotEdit->setToolTip(QString());
    if (spot == m_spot)
        return;
    m_spot = spot;
    if (m_underlying != NoId)
        Q_EMIT underlyingPriceSet(underlyingSymbol(), spot.value_or(Price()));
    if (m_model->rowCount() == 0) {
        reloadChain();
        return;
    }
    // The trader asked for this price: the strikes centre on its ATM (a moving quote never
    // moves them).
    m_model->setSpot(effectiveSpot());
    m_model->recentre();
    refreshQuotes();
    showChain();
}

void OptionChainView::recentre()
{
    if (m_model->rowCount() == 0)
        return;
    m_model->recentre();
    updateInfo();
    scrollToReference();
}

void OptionChainView::setMarketData(const MarketData *market, const QString &label)
{
    m_market = market;
    m_marketLabel = label;
    m_model->setMarketData(market);
    refreshQuotes();
}

std::optional<Price> OptionChainView::quotedLevel() const
{
    if (!m_market || !m_snapshot || m_underlying == NoId)
        return std::nullopt;
    const std::optional<InstrumentId> spot = m_snapshot->underlyingSpot(m_underlying);
    if (!spot)
        return std::nullopt;
    const std::optional<Quote> quote =
        m_market->quote(m_snapshot->instrument(*spot).instrumentKey());
    if (!quote || !quote->last.isPositive())
        return std::nullopt;
    return quote->last;
}

std::optional<Price> OptionChainView::effectiveSpot() const
{
    if (const std::optional<Price> level = quotedLevel())
        return level;
    return m_spot;
}

void OptionChainView::refreshQuotes()
{
    const std::optional<Price> level = quotedLevel();
    m_live->setVisible(level.has_value());
    if (level) {
        m_live->setText(QStringLiteral("<b>%1</b> %2").arg(level->toQString(2), m_marketLabel));
        m_live->setToolTip(QStringLiteral("The underlying's level from %1. Type a spot to move "
                                          "it; moneyness follows it.")
                               .arg(m_marketLabel));
        if (m_model->rowCount() > 0 && m_model->spot() != level) {
            // The ladder stays still under the mouse: only the shading and the label move.
            m_model->setSpot(level);
            updateInfo();
        }
    }
    m_model->refreshQuotes();
}

void OptionChainView::markSpotInvalid(const QString &why)
{
    m_spotEdit->setStyleSheet(QStringLiteral("QLineEdit { border: 1px solid #b91c1c; }"));
    m_spotEdit->setToolTip(why);
}

void OptionChainView::showMessage(const QString &text)
{
    m_message->setText(text);
    m_stack->setCurrentWidget(m_message);
}

void OptionChainView::scrollToReference()
{
    int row = m_model->atmRow();
    if (row < 0)
        row = m_model->referenceRow();
    if (row < 0)
        return;
    // The rows were just replaced: lay them out first, or the scroll range is still the old
    // window's and "All strikes" would open at the lowest strike.
    m_table->doItemsLayout();
    // Vertically only: the calls' side must stay in view.
    const int left = m_table->horizontalScrollBar()->value();
    m_table->scrollTo(m_model->index(row, OptionChainModel::StrikeColumn),
                      QAbstractItemView::PositionAtCenter);
    m_table->horizontalScrollBar()->setValue(left);
}

RowContract OptionChainView::contractAt(const QModelIndex &index) const
{
    if (!index.isValid())
        return {};
    const QString key = index.data(OptionChainModel::InstrumentKeyRole).toString();
    if (!key.isEmpty())
        return {key, {}};
    const std::optional<Price> strike = m_model->strikeAt(index.row());
    const QString strikeText = strike ? strike->toQString() : QString();
    if (const std::optional<ChainSide> side = OptionChainModel::sideOf(index.column()))
        return {{},
                QStringLiteral("strike %1 has no %2 in this expiry")
                    .arg(strikeText,
                         *side == ChainSide::Call ? QStringLiteral("CE") : QStringLiteral("PE"))};
    return {{},
            QStringLiteral("the strike cell %1 is not a contract: its CE is the left half of the "
                           "row, its PE the right half")
                .arg(strikeText)};
}

QModelIndex OptionChainView::cellOf(const QString &instrumentKey, int column) const
{
    if (!m_snapshot || instrumentKey.isEmpty())
        return {};
    const QByteArray utf8 = instrumentKey.toUtf8();
    const std::optional<InstrumentId> id = m_snapshot->findByKey(
        std::string_view(utf8.constData(), static_cast<std::size_t>(utf8.size())));
    if (!id)
        return {};
    for (int row = 0; row < m_model->rowCount(); ++row) {
        for (ChainSide side : {ChainSide::Call, ChainSide::Put}) {
            if (m_model->instrumentAt(row, side) != id)
                continue;
            const bool sameSide = column >= 0 && OptionChainModel::sideOf(column) == side;
            return m_model->index(row, sameSide                  ? column
                                       : side == ChainSide::Call ? OptionChainModel::CallLtpColumn
                                                                 : OptionChainModel::PutLtpColumn);
        }
    }
    return {};
}

bool OptionChainView::setCurrentContract(const QString &instrumentKey)
{
    QModelIndex cell = cellOf(instrumentKey);
    if (!cell.isValid() && strikeWindow() != 0 && m_model->rowCount() > 0) {
        setStrikeWindow(0); // a far strike of this chain: show them all
        cell = cellOf(instrumentKey);
    }
    if (!cell.isValid())
        return false;
    m_table->setCurrentIndex(cell);
    m_table->scrollTo(cell, QAbstractItemView::PositionAtCenter);
    return true;
}

void OptionChainView::keepCursorAcrossResets()
{
    // New rows (another window, a new spot or snapshot) would leave no cursor, and the table
    // would put it on its top-left cell once it gets the focus: a contract nobody picked. The
    // cursor stays on its contract (or strike) when the new rows list it, else it goes to the
    // ATM strike, which trades nothing.
    connect(m_model, &QAbstractItemModel::modelAboutToBeReset, this, [this] {
        // A load clears the rows before it sets the new ones: the cursor of the last rows counts.
        if (const QModelIndex current = m_table->currentIndex(); current.isValid())
            m_cursor = {current.data(OptionChainModel::InstrumentKeyRole).toString(),
                        m_model->strikeAt(current.row()), current.column()};
    });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        if (m_model->rowCount() == 0)
            return;
        QModelIndex cell = cellOf(m_cursor.key, m_cursor.column);
        for (int row = 0; !cell.isValid() && m_cursor.key.isEmpty() && m_cursor.strike &&
                          row < m_model->rowCount();
             ++row) {
            if (m_model->strikeAt(row) == m_cursor.strike)
                cell = m_model->index(row, m_cursor.column);
        }
        if (!cell.isValid()) {
            // Without a spot the window is centred on its middle strike.
            const int atm = m_model->atmRow();
            cell = m_model->index(atm >= 0 ? atm : m_model->rowCount() / 2,
                                  OptionChainModel::StrikeColumn);
        }
        m_table->setCurrentIndex(cell);
    });
}

} // namespace strikeline::ui
