#include "OptionChainView.h"

#include "analytics/LiveChain.h"
#include "chain/OptionChainModel.h"
#include "common/Text.h"
#include "marketdata/MarketData.h"
#include "marketdata/feed/ChainFeed.h"
#include "marketdata/feed/LiveMarket.h"
#include "marketdata/feed/UpstoxMarketFeed.h"
#include "theme/Theme.h"

#include <QApplication>
#include <QComboBox>
#include <QCompleter>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHash>
#include <QHeaderView>
#include <QKeyEvent>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QScrollBar>
#include <QSettings>
#include <QSignalBlocker>
#include <QStackedWidget>
#include <QStaticText>
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
// Every chain cell. A chain repaints most of its 41 x 25 cells ten times a second, and
// QStyledItemDelegate lays each text out again on every paint (QTextEngine, HarfBuzz: most of the
// GUI thread's time, docs/PERFORMANCE.md). This one draws the same thing (background, OI bar,
// text in the model's colour and alignment, elided when it does not fit) from QStaticText kept
// per text, so an unchanged cell costs a blit. A selected or focused cell goes the style's way.
class ChainCellDelegate : public QStyledItemDelegate
{
public:
    explicit ChainCellDelegate(QObject *parent)
        : QStyledItemDelegate(parent)
    {}

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override
    {
        QStyleOptionViewItem opt = option;
        initStyleOption(&opt, index);
        if (opt.state & (QStyle::State_Selected | QStyle::State_HasFocus)) {
            paintBar(painter, opt, index);
            QStyledItemDelegate::paint(painter, option, index);
            return;
        }
        if (opt.backgroundBrush.style() != Qt::NoBrush)
            painter->fillRect(opt.rect, opt.backgroundBrush);
        paintBar(painter, opt, index);
        if (opt.text.isEmpty())
            return;
        const QWidget *widget = opt.widget;
        QStyle *style = widget ? widget->style() : QApplication::style();
        const int margin = style->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, widget) + 1;
        const QRect box = opt.rect.adjusted(margin, 0, -margin, 0);
        const QStaticText &text = staticText(opt, box.width());
        const QSizeF size = text.size();
        qreal x = box.left();
        if (opt.displayAlignment & Qt::AlignRight)
            x = box.right() + 1 - size.width();
        else if (opt.displayAlignment & Qt::AlignHCenter)
            x = box.left() + (box.width() - size.width()) / 2;
        const qreal y = box.top() + (box.height() - size.height()) / 2;
        const QPalette::ColorGroup group =
            opt.state & QStyle::State_Enabled ? QPalette::Normal : QPalette::Disabled;
        painter->save();
        painter->setFont(opt.font);
        painter->setPen(opt.palette.color(group, QPalette::Text));
        painter->setClipRect(opt.rect);
        painter->drawStaticText(QPointF(x, y), text);
        painter->restore();
    }

protected:
    virtual void paintBar(QPainter *, const QStyleOptionViewItem &, const QModelIndex &) const {}

private:
    // The text laid out once, elided to `width`; the cache forgets everything when it is full or
    // the font changes (a theme or zoom), so it stays a few hundred kB at most.
    const QStaticText &staticText(const QStyleOptionViewItem &opt, int width) const
    {
        if (opt.font != m_font) {
            m_cache.clear();
            m_font = opt.font;
        }
        QString shown = opt.text;
        if (opt.fontMetrics.horizontalAdvance(shown) > width)
            shown = opt.fontMetrics.elidedText(shown, Qt::ElideRight, width);
        auto it = m_cache.find(shown);
        if (it == m_cache.end()) {
            if (m_cache.size() > 8192)
                m_cache.clear();
            QStaticText text(shown);
            text.setTextFormat(Qt::PlainText);
            text.prepare(QTransform(), opt.font);
            it = m_cache.insert(shown, text);
        }
        return *it;
    }

    mutable QHash<QString, QStaticText> m_cache;
    mutable QFont m_font;
};

class StrikeDelegate final : public ChainCellDelegate
{
public:
    using ChainCellDelegate::ChainCellDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override
    {
        ChainCellDelegate::initStyleOption(option, index);
        option->font.setBold(true);
        option->fontMetrics = QFontMetrics(option->font); // elided by the bold width
        option->displayAlignment = Qt::AlignCenter;
        if (option->backgroundBrush.style() == Qt::NoBrush)
            option->backgroundBrush = QColor(128, 128, 128, 28);
    }
};

// OI as a bar behind the number: where open interest sits, at a glance.
class OiBarDelegate final : public ChainCellDelegate
{
public:
    OiBarDelegate(Qt::Alignment anchor, QObject *parent)
        : ChainCellDelegate(parent)
        , m_anchor(anchor)
    {}

protected:
    void paintBar(QPainter *painter, const QStyleOptionViewItem &option,
                  const QModelIndex &index) const override
    {
        const double share = index.data(OptionChainModel::OiShareRole).toDouble();
        if (share <= 0)
            return;
        QRect bar = option.rect.adjusted(1, 3, -1, -3);
        const int width = static_cast<int>(bar.width() * std::min(1.0, share));
        if (m_anchor == Qt::AlignRight)
            bar.setLeft(bar.right() - width);
        else
            bar.setWidth(width);
        painter->fillRect(bar, QColor(64, 160, 255, 60));
    }

private:
    Qt::Alignment m_anchor; // the bar grows from the strike outwards
};

// CALLS | PUTS over the two halves of the columns, following the header as it resizes and
// scrolls.
class ColumnGroups final : public QWidget
{
public:
    explicit ColumnGroups(QHeaderView *header)
        : m_header(header)
    {
        setObjectName(QStringLiteral("chainGroups"));
        setFixedHeight(fontMetrics().height() + 6);
        connect(header, &QHeaderView::sectionResized, this, [this] { update(); });
        connect(header, &QHeaderView::geometriesChanged, this, [this] { update(); });
        connect(header, &QHeaderView::sectionCountChanged, this, [this] { update(); });
    }

protected:
    void paintEvent(QPaintEvent *) override
    {
        QPainter painter(this);
        QFont bold = font();
        bold.setBold(true);
        painter.setFont(bold);
        painter.setPen(palette().color(QPalette::PlaceholderText));
        // The header is a sibling's child: compare on the screen.
        const int offset = m_header->mapToGlobal(QPoint(0, 0)).x() - mapToGlobal(QPoint(0, 0)).x();
        const int strikeLeft =
            m_header->sectionViewportPosition(OptionChainModel::StrikeColumn) + offset;
        const int strikeRight = strikeLeft + m_header->sectionSize(OptionChainModel::StrikeColumn);
        const QRect calls(0, 0, std::max(0, strikeLeft), height());
        const QRect puts(strikeRight, 0, std::max(0, width() - strikeRight), height());
        painter.drawText(calls, Qt::AlignCenter, QStringLiteral("CALLS (CE)"));
        painter.drawText(puts, Qt::AlignCenter, QStringLiteral("PUTS (PE)"));
        painter.setPen(palette().color(QPalette::Mid));
        painter.drawLine(strikeLeft, height() - 1, strikeLeft, height() / 3);
        painter.drawLine(strikeRight, height() - 1, strikeRight, height() / 3);
    }

private:
    QHeaderView *m_header;
};

const QString ColumnPresetKey = QStringLiteral("chain/columnPreset");
const QString OiUnitKey = QStringLiteral("chain/oiUnit");

// The fields a preset shows, on both sides.
std::vector<OptionChainModel::Field> presetFields(const QString &preset)
{
    using F = OptionChainModel::Field;
    if (preset == QLatin1String("prices"))
        return {F::Oi, F::Volume, F::Bid, F::Ask, F::Ltp, F::Change};
    if (preset == QLatin1String("greeks"))
        return {F::Vega, F::Theta, F::Gamma, F::Delta, F::Iv, F::Ltp};
    if (preset == QLatin1String("oi"))
        return {F::Oi, F::OiChange, F::Volume, F::Ltp, F::Change};
    if (preset == QLatin1String("all")) {
        std::vector<F> all;
        for (int f = 0; f < OptionChainModel::FieldCount; ++f)
            all.push_back(static_cast<F>(f));
        return all;
    }
    return {F::Oi, F::OiChange, F::Volume, F::Iv, F::Delta, F::Ltp, F::Change}; // standard
}

// A quote of the MarketData interface (the simulated market) as the book's state, received now.
std::optional<marketdata::LiveQuote> simulatedQuote(const MarketData &market,
                                                    const std::string &key, std::int64_t nowMs)
{
    const std::optional<Quote> quote = market.quote(key);
    if (!quote)
        return std::nullopt;
    marketdata::LiveQuote q = liveQuoteFrom(*quote);
    q.receivedNs = nowMs * 1'000'000;
    return q;
}

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

    m_state = new QLabel;
    m_state->setObjectName(QStringLiteral("chainState"));
    m_state->setTextFormat(Qt::RichText);
    m_analytics = new QLabel;
    m_analytics->setObjectName(QStringLiteral("chainAnalytics"));
    m_analytics->setTextFormat(Qt::PlainText);
    m_analytics->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_analytics->setMinimumWidth(0);
    m_columnsCombo = new QComboBox;
    m_columnsCombo->setObjectName(QStringLiteral("chainColumns"));
    m_columnsCombo->setToolTip(QStringLiteral("Which columns the chain shows (kept)"));
    m_columnsCombo->addItem(QStringLiteral("Standard"), QStringLiteral("standard"));
    m_columnsCombo->addItem(QStringLiteral("Prices"), QStringLiteral("prices"));
    m_columnsCombo->addItem(QStringLiteral("Greeks"), QStringLiteral("greeks"));
    m_columnsCombo->addItem(QStringLiteral("OI"), QStringLiteral("oi"));
    m_columnsCombo->addItem(QStringLiteral("All columns"), QStringLiteral("all"));
    m_oiUnitCombo = new QComboBox;
    m_oiUnitCombo->setObjectName(QStringLiteral("chainOiUnit"));
    m_oiUnitCombo->setToolTip(QStringLiteral("OI and change in OI in units (as Upstox reports "
                                             "them) or in contracts (lots)"));
    m_oiUnitCombo->addItem(QStringLiteral("OI in units"), 0);
    m_oiUnitCombo->addItem(QStringLiteral("OI in lots"), 1);

    auto *bar2 = new QHBoxLayout;
    bar2->addWidget(m_state);
    bar2->addWidget(m_analytics, 1);
    bar2->addWidget(m_columnsCombo);
    bar2->addWidget(m_oiUnitCombo);

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
    m_table->setItemDelegate(new ChainCellDelegate(m_table));
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
    header->setMinimumSectionSize(metrics.horizontalAdvance(QStringLiteral("-12.34L")) + 12);
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
    for (int column : {int(OptionChainModel::CallOiColumn), int(OptionChainModel::PutOiColumn)})
        m_table->setItemDelegateForColumn(
            column, new OiBarDelegate(column == OptionChainModel::CallOiColumn ? Qt::AlignRight
                                                                               : Qt::AlignLeft,
                                      m_table));

    m_groups = new ColumnGroups(header);
    auto *tablePage = new QWidget;
    auto *tableLayout = new QVBoxLayout(tablePage);
    tableLayout->setContentsMargins(0, 0, 0, 0);
    tableLayout->setSpacing(0);
    tableLayout->addWidget(m_groups);
    tableLayout->addWidget(m_table, 1);
    connect(m_table->horizontalScrollBar(), &QScrollBar::valueChanged, m_groups,
            [this] { m_groups->update(); });

    m_stack = new QStackedWidget;
    m_stack->addWidget(m_message);
    m_stack->addWidget(tablePage);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addLayout(bar2);
    layout->addWidget(m_stack, 1);

    const QSettings settings;
    const int preset =
        m_columnsCombo->findData(settings.value(ColumnPresetKey, QStringLiteral("standard")));
    m_columnsCombo->setCurrentIndex(std::max(0, preset));
    connect(m_columnsCombo, &QComboBox::currentIndexChanged, this, [this] {
        QSettings().setValue(ColumnPresetKey, m_columnsCombo->currentData());
        applyColumnPreset();
    });
    connect(m_model, &OptionChainModel::fieldsWithDataChanged, this,
            &OptionChainView::applyColumnPreset);
    applyColumnPreset();
    m_oiUnitCombo->setCurrentIndex(settings.value(OiUnitKey, 0).toInt() == 1 ? 1 : 0);
    m_model->setOiUnit(m_oiUnitCombo->currentData().toInt() == 1
                           ? OptionChainModel::OiUnit::Contracts
                           : OptionChainModel::OiUnit::Units);
    connect(m_oiUnitCombo, &QComboBox::currentIndexChanged, this, [this] {
        const bool lots = m_oiUnitCombo->currentData().toInt() == 1;
        QSettings().setValue(OiUnitKey, lots ? 1 : 0);
        m_model->setOiUnit(lots ? OptionChainModel::OiUnit::Contracts
                                : OptionChainModel::OiUnit::Units);
    });

    // The UI cadence: live numbers recomputed and pushed at most 10 times a second.
    m_liveTimer.setInterval(100);
    connect(&m_liveTimer, &QTimer::timeout, this, [this] { updateLive(); });
    m_liveTimer.start();
}

QStringList OptionChainView::columnPresets()
{
    return {QStringLiteral("standard"), QStringLiteral("prices"), QStringLiteral("greeks"),
            QStringLiteral("oi"), QStringLiteral("all")};
}

QString OptionChainView::columnPreset() const
{
    return m_columnsCombo->currentData().toString();
}

void OptionChainView::setColumnPreset(const QString &preset)
{
    const int index = m_columnsCombo->findData(preset);
    if (index >= 0)
        m_columnsCombo->setCurrentIndex(index);
}

void OptionChainView::applyColumnPreset()
{
    const std::vector<OptionChainModel::Field> fields = presetFields(columnPreset());
    for (int column = 0; column < OptionChainModel::ColumnCount; ++column) {
        const auto field = OptionChainModel::fieldOf(column);
        // A column the preset names and some row has a number in (columns without data
        // collapse, and come back when the source fills them: no depth in the simulated
        // market, no greeks from a feed in ltpc).
        const bool shown =
            !field || (std::find(fields.begin(), fields.end(), *field) != fields.end() &&
                       m_model->fieldHasData(*field));
        m_table->setColumnHidden(column, !shown);
    }
    if (m_groups)
        m_groups->update();
}

QString OptionChainView::currentContractKey() const
{
    if (m_stack->currentWidget() != m_table->parentWidget())
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
    m_stack->setCurrentWidget(m_table->parentWidget());
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
    if (m_chainFeed && m_liveMarket) { // the live numbers follow on the view's own cadence
        updateLive();
        return;
    }
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
    updateLive();
}

void OptionChainView::setLiveMarket(marketdata::LiveMarket *market,
                                    const QString &previousOiDirectory)
{
    m_chainFeed.reset(); // lets go of the old market's subscriptions
    m_liveMarket = market;
    m_previousOiDirectory = previousOiDirectory;
    if (market) {
        marketdata::ChainFeed::Options options;
        options.consumer = QStringLiteral("chain-view");
        options.previousOiDirectory = previousOiDirectory;
        m_chainFeed = std::make_unique<marketdata::ChainFeed>(market->feed(), market->client(),
                                                              market->book(), options);
    } else {
        m_model->clearLive();
    }
    updateLive();
}

void OptionChainView::syncSubscriptions()
{
    if (!m_chainFeed || m_model->rowCount() == 0 || !m_snapshot)
        return;
    const OptionChain &chain = m_model->chain();
    if (m_chainFeed->snapshot() != m_model->snapshot() ||
        m_chainFeed->underlying() != chain.underlying || m_chainFeed->expiry() != chain.expiry) {
        if (auto set = m_chainFeed->setChain(m_model->snapshot(), chain, m_clock.now().day());
            !set) {
            m_marketStateReason = set.error().message;
            return;
        }
    }
    // The rows on screen (and a few around them), never more than ATM +- 20: the feed's limits
    // are shared with the watch lists, the ticket and the positions.
    constexpr int Margin = 3;
    constexpr int MostStrikes = 41;
    const int rows = m_model->rowCount();
    int top = m_table->rowAt(0);
    int bottom = m_table->rowAt(m_table->viewport()->height() - 1);
    if (top < 0)
        top = 0;
    if (bottom < 0)
        bottom = rows - 1;
    top = std::max(0, top - Margin);
    bottom = std::min(rows - 1, bottom + Margin);
    if (bottom - top + 1 > MostStrikes) {
        const int middle = (top + bottom) / 2;
        top = middle - MostStrikes / 2;
        bottom = top + MostStrikes - 1;
    }
    const std::size_t begin = m_model->windowBegin() + static_cast<std::size_t>(top);
    const std::size_t end = m_model->windowBegin() + static_cast<std::size_t>(bottom) + 1;
    if (begin == m_chainFeed->windowBegin() && end == m_chainFeed->windowEnd())
        return;
    if (auto window = m_chainFeed->setWindow(begin, end); !window)
        m_marketStateReason = window.error().message;
}

void OptionChainView::updateLive()
{
    if (m_model->rowCount() == 0 || !m_snapshot)
        return;
    const std::int64_t nowMs = QDateTime::currentMSecsSinceEpoch();
    const bool live = m_chainFeed && m_liveMarket;
    LiveChainInput input;
    if (live) {
        syncSubscriptions();
        input = m_chainFeed->input(m_model->windowBegin(), m_model->windowEnd());
    } else if (m_market) {
        const OptionChain &chain = m_model->chain();
        input.segment = m_snapshot->underlyingSegment(chain.underlying);
        input.expiry = chain.expiry;
        for (const detail::StrikeRow &row : m_model->rows()) {
            const auto key = [this](InstrumentId id) {
                return id == NoId ? std::string()
                                  : std::string(m_snapshot->instrument(id).instrumentKey());
            };
            input.rows.push_back({Price::fromRaw(row.strike), key(row.call), key(row.put)});
        }
        if (const auto spot = m_snapshot->underlyingSpot(chain.underlying))
            input.underlyingKey = std::string(m_snapshot->instrument(*spot).instrumentKey());
        for (const InstrumentId id : m_snapshot->futures(chain.underlying))
            if (m_snapshot->instrument(id).expiry() == chain.expiry)
                input.futureKey = std::string(m_snapshot->instrument(id).instrumentKey());
        const MarketData *market = m_market;
        input.quote = [market, nowMs](const std::string &key) {
            return simulatedQuote(*market, key, nowMs);
        };
    } else {
        m_model->clearLive(); // no source: no numbers, rather than the last ones frozen
        showMarketState(LiveChain{}, nowMs, false);
        return;
    }
    if (const auto atm = m_model->chain().atmStrike)
        input.currentAtm = atm->toDouble();
    const LiveChain chain = computeLiveChain(input, m_clock.now(), nowMs);
    ++m_liveUpdates;
    m_model->setLiveChain(chain, nowMs);
    if (live && chain.underlying) {
        m_live->setVisible(true);
        const QString text = QStringLiteral("<b>%1</b> live").arg(chain.underlying->toQString(2));
        if (m_live->text() != text) {
            m_live->setText(text);
            m_live->setToolTip(QStringLiteral("The underlying's last price from the Upstox feed. "
                                              "ATM and moneyness follow the expiry's forward."));
        }
    }
    if (live && chain.atm.strike && chain.atm.problem == AtmProblem::None && chain.forward) {
        // The ATM follows the forward, guarded: a missing or stale price never moves it.
        const Price forward = Price::fromRaw(std::llround(chain.forward->forward * Price::Scale));
        if (m_model->spot() != forward && !m_spotEdit->hasFocus()) {
            m_model->setSpot(forward);
            updateInfo();
        }
    }
    showMarketState(chain, nowMs, !live);
}

void OptionChainView::showMarketState(const LiveChain &live, std::int64_t nowMs, bool simulated)
{
    const ThemeColors colors = themeColors(themeOf(palette()));
    QString state;
    QString colour;
    QString reason;
    const auto asOf = [&](std::int64_t ms) {
        if (ms <= 0)
            return QStringLiteral("no tick yet");
        const IstMoment at{ms};
        const std::int64_t second = (at.epochMs / 1000 + IstOffsetSeconds) % 86400;
        // Another day's values (kept from a previous run) say which day.
        const QString day = at.day() == IstMoment{nowMs}.day()
                                ? QString()
                                : formatDisplayDay(at.day()) + QLatin1Char(' ');
        return QStringLiteral("as of %4%1:%2:%3 IST")
            .arg(second / 3600, 2, 10, QLatin1Char('0'))
            .arg(second / 60 % 60, 2, 10, QLatin1Char('0'))
            .arg(second % 60, 2, 10, QLatin1Char('0'))
            .arg(day);
    };
    if (simulated) {
        state = QStringLiteral("SIMULATED");
        colour = colors.badgeBack;
        reason = QStringLiteral("Prices from the simulated market (no Upstox session or Analytics "
                                "Token): for practice, never for a decision.");
    } else if (m_chainFeed && m_liveMarket) {
        const auto feedState = m_liveMarket->feed().state();
        const std::int64_t age = live.newestTickMs > 0 ? nowMs - live.newestTickMs : -1;
        const bool connected = feedState == marketdata::UpstoxMarketFeed::State::Live;
        const auto segment = m_liveMarket->book().segmentStatus(
            fromUtf8(segmentName(m_snapshot->underlyingSegment(m_model->chain().underlying))));
        const bool closed = segment == marketdata::SegmentStatus::Closed ||
                            segment == marketdata::SegmentStatus::ClosingEnd;
        if (!connected) {
            state = QStringLiteral("OFFLINE");
            colour = colors.negative;
            reason = QStringLiteral("The feed is %1: %2. Last known values, %3.")
                         .arg(marketdata::UpstoxMarketFeed::stateName(feedState).toLower(),
                              m_liveMarket->feed().reason(), asOf(live.newestTickMs));
        } else if (closed) {
            state = QStringLiteral("OFFLINE");
            colour = colors.negative;
            reason = QStringLiteral("The market is closed: last known values, %1.")
                         .arg(asOf(live.newestTickMs));
        } else if (age < 0 || age > 60'000) {
            state = QStringLiteral("STALE");
            colour = colors.negative;
            reason = QStringLiteral("Connected, but no tick for a minute (%1).")
                         .arg(asOf(live.newestTickMs));
        } else if (age > 5'000) {
            state = QStringLiteral("DELAYED");
            colour = colors.badgeBack;
            reason = QStringLiteral("The newest tick is %1 s old.").arg(age / 1000);
        } else {
            state = QStringLiteral("LIVE");
            colour = colors.positive;
            reason = QStringLiteral("Upstox feed: %1 of %2 legs on screen quoted, %3.")
                         .arg(live.quotedLegs)
                         .arg(live.listedLegs)
                         .arg(asOf(live.newestTickMs));
        }
        if (!m_chainFeed->referenceProblem().isEmpty())
            reason += QStringLiteral("\n") + m_chainFeed->referenceProblem();
        else if (!m_chainFeed->previousOiKnown())
            reason += QStringLiteral("\nNo previous OI yet: change in OI shows —.");
    }
    if (!m_marketStateReason.isEmpty() && !simulated)
        reason += QStringLiteral("\n") + m_marketStateReason;
    if (state != m_marketState || m_state->toolTip() != reason) {
        m_marketState = state;
        m_state->setVisible(!state.isEmpty());
        m_state->setText(
            QStringLiteral(
                "<span style=\"background:%1;color:white;font-weight:600;\">&nbsp;%2&nbsp;</span>")
                .arg(colour, state));
        m_state->setToolTip(reason);
    }
    QStringList parts;
    if (live.forward)
        parts << QStringLiteral("Fwd %1 (%2)")
                     .arg(QString::number(live.forward->forward, 'f', 2),
                          live.forward->source == ForwardEstimate::Source::Future
                              ? QStringLiteral("future")
                              : QStringLiteral("parity"));
    if (live.totals.pcr)
        parts << QStringLiteral("PCR %1").arg(*live.totals.pcr, 0, 'f', 2);
    if (live.totals.maxPain)
        parts << QStringLiteral("Max pain %1").arg(*live.totals.maxPain, 0, 'f', 0);
    if (live.totals.callOi > 0 || live.totals.putOi > 0)
        parts << QStringLiteral("Call OI %1 · Put OI %2")
                     .arg(compactCount(live.totals.callOi), compactCount(live.totals.putOi));
    if (!parts.isEmpty() && !live.fullChain)
        parts << QStringLiteral("(strikes on screen)");
    const QString text = parts.join(Dot);
    if (m_analytics->text() != text) {
        m_analytics->setText(text);
        m_analytics->setToolTip(
            live.fullChain ? QStringLiteral("PCR, max pain and totals over every strike of the "
                                            "expiry (Upstox's option chain, live OI on screen)")
                           : QStringLiteral("PCR, max pain and totals over the strikes on screen "
                                            "only"));
    }
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
