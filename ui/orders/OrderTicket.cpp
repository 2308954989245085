#include "OrderTicket.h"

#include "marketdata/MarketData.h"
#include "search/SearchResultsModel.h"
#include "theme/Theme.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QShortcut>
#include <QVBoxLayout>

#include <algorithm>

namespace strikeline::ui {

namespace {

// Every request the ticket makes is one the validator allows at most 25 slices of.
constexpr int MaxLots = 1'000'000;
// PgUp / PgDn in a price or the quantity.
constexpr int BigStep = 10;
// A price this old is called out in the LTP line.
constexpr std::int64_t StaleQuoteMs = 5'000;

const QString EnterHint = QStringLiteral("Submit or Ctrl+Enter sends · Esc closes");
const QString StrayEnterHint =
    QStringLiteral("Enter does not send: press Ctrl+Enter, or Tab to Submit");

QString fromUtf8(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

QString quantityText(std::int64_t quantity, QuantityUnit unit)
{
    const bool one = quantity == 1;
    return unit == QuantityUnit::Lots
               ? (one ? QStringLiteral("1 lot") : QStringLiteral("%1 lots").arg(quantity))
               : (one ? QStringLiteral("1 unit") : QStringLiteral("%1 units").arg(quantity));
}

QString sideWord(Side side)
{
    return side == Side::Buy ? QStringLiteral("BUY") : QStringLiteral("SELL");
}

} // namespace

OrderTicket::OrderTicket(SnapshotPtr snapshot, InstrumentId contract, Side side, Validate validate,
                         const MarketData *market, QWidget *parent)
    : QDialog(parent)
    , m_snapshot(std::move(snapshot))
    , m_contract(contract)
    , m_validate(std::move(validate))
    , m_market(market)
    , m_confirm([](QWidget *where, const QString &question) {
        return QMessageBox::question(where, QStringLiteral("Confirm market order"), question,
                                     QMessageBox::Yes | QMessageBox::No,
                                     QMessageBox::No) == QMessageBox::Yes;
    })
    , m_side(side)
{
    setObjectName(QStringLiteral("orderTicket"));
    const InstrumentView view = m_snapshot->instrument(m_contract);
    m_lot = std::max<std::int32_t>(1, view.lotSize());
    m_unit = quantityUnitFor(view.segment());
    m_tick = view.tickSize();
    buildUi();
    updateSideLook();
    showQuote();
    revalidate();
}

OrderTicket::~OrderTicket() = default;

void OrderTicket::buildUi()
{
    const InstrumentView view = m_snapshot->instrument(m_contract);
    const ContractInfo info = m_snapshot->contractInfo(m_contract);
    setWindowTitle(fromUtf8(info.tradingSymbol) + QStringLiteral(" — order"));

    // The contract the order is for, in the largest type of the window: what is traded is
    // never a guess.
    m_header = new QLabel;
    m_header->setObjectName(QStringLiteral("ticketSymbol"));
    m_header->setTextFormat(Qt::RichText);
    QFont big = m_header->font();
    big.setPointSizeF(big.pointSizeF() * 1.6);
    big.setBold(true);
    m_header->setFont(big);
    m_header->setAutoFillBackground(true);
    m_header->setMargin(6);
    auto *rules = new QLabel(QStringLiteral("%1 · lot %2 · tick %3 · freeze %4")
                                 .arg(fromUtf8(info.instrumentKey))
                                 .arg(info.lotSize)
                                 .arg(info.tickSize.toQString(2))
                                 .arg(info.freezeQuantity > 0
                                          ? freezeText(info.freezeQuantity, info.quantityUnit)
                                          : QStringLiteral("unknown")));
    rules->setForegroundRole(QPalette::PlaceholderText);
    m_ltp = new QLabel;
    m_ltp->setObjectName(QStringLiteral("ticketLtp"));

    m_buyButton = new QPushButton(QStringLiteral("&Buy (F1)"));
    m_sellButton = new QPushButton(QStringLiteral("&Sell (F2)"));
    m_buyButton->setObjectName(QStringLiteral("ticketBuy"));
    m_sellButton->setObjectName(QStringLiteral("ticketSell"));
    for (QPushButton *b : {m_buyButton, m_sellButton}) {
        b->setCheckable(true);
        b->setAutoDefault(false);
        b->setFocusPolicy(Qt::NoFocus); // F1 / F2; Tab walks the fields that are typed
        b->setMinimumWidth(90);
    }
    connect(m_buyButton, &QPushButton::clicked, this, [this] { setSide(Side::Buy); });
    connect(m_sellButton, &QPushButton::clicked, this, [this] { setSide(Side::Sell); });
    auto *sides = new QHBoxLayout;
    sides->addWidget(m_buyButton);
    sides->addWidget(m_sellButton);
    sides->addStretch(1);
    sides->addWidget(m_ltp);

    m_lots = new QLineEdit(QStringLiteral("1"));
    m_lots->setObjectName(QStringLiteral("ticketLots"));
    m_lots->setAlignment(Qt::AlignRight);
    m_lots->setPlaceholderText(QStringLiteral("lots"));
    m_lots->setToolTip(QStringLiteral("Whole lots · Up/Down one lot, PgUp/PgDn ten"));
    m_lots->setMaximumWidth(m_lots->fontMetrics().horizontalAdvance(QStringLiteral("0000000")) +
                            24);
    m_lotsUnit = new QLabel;
    m_lotsUnit->setObjectName(QStringLiteral("ticketLotsUnit"));
    m_units = new QLabel;
    m_units->setObjectName(QStringLiteral("ticketUnits"));
    auto *quantityRow = new QHBoxLayout;
    quantityRow->addWidget(m_lots);
    quantityRow->addWidget(m_lotsUnit);
    quantityRow->addWidget(m_units, 1);

    m_type = new QComboBox;
    m_type->setObjectName(QStringLiteral("ticketType"));
    for (OrderType t :
         {OrderType::Limit, OrderType::Market, OrderType::StopLimit, OrderType::StopMarket})
        m_type->addItem(fromUtf8(orderTypeName(t)), static_cast<int>(t));

    const auto priceEdit = [this](const char *name) {
        auto *edit = new QLineEdit;
        edit->setObjectName(QLatin1String(name));
        edit->setAlignment(Qt::AlignRight);
        edit->setPlaceholderText(QStringLiteral("price in Rs"));
        edit->setToolTip(QStringLiteral("Up/Down one tick (Rs %1), PgUp/PgDn ten ticks")
                             .arg(m_tick.toQString(2)));
        return edit;
    };
    m_price = priceEdit("ticketPrice");
    m_trigger = priceEdit("ticketTrigger");
    m_priceDown = new QPushButton(QStringLiteral("−"));
    m_priceUp = new QPushButton(QStringLiteral("+"));
    m_priceDown->setObjectName(QStringLiteral("ticketPriceDown"));
    m_priceUp->setObjectName(QStringLiteral("ticketPriceUp"));
    for (QPushButton *b : {m_priceDown, m_priceUp}) {
        b->setAutoDefault(false);
        b->setFocusPolicy(Qt::NoFocus);
        b->setFixedWidth(32);
        b->setToolTip(QStringLiteral("One tick (Rs %1); Up/Down in the price box do the same")
                          .arg(m_tick.toQString(2)));
    }
    connect(m_priceDown, &QPushButton::clicked, this, [this] { stepPrice(-1); });
    connect(m_priceUp, &QPushButton::clicked, this, [this] { stepPrice(1); });
    auto *priceRow = new QHBoxLayout;
    priceRow->addWidget(m_priceDown);
    priceRow->addWidget(m_price, 1);
    priceRow->addWidget(m_priceUp);

    m_product = new QComboBox;
    m_product->setObjectName(QStringLiteral("ticketProduct"));
    m_product->addItem(QStringLiteral("D · carry forward (NRML)"),
                       static_cast<int>(Product::Delivery));
    m_product->addItem(QStringLiteral("I · intraday (MIS)"), static_cast<int>(Product::Intraday));
    m_validity = new QComboBox;
    m_validity->setObjectName(QStringLiteral("ticketValidity"));
    m_validity->addItem(QStringLiteral("DAY"), static_cast<int>(Validity::Day));
    m_validity->addItem(QStringLiteral("IOC"), static_cast<int>(Validity::Ioc));

    m_live = new QCheckBox(QStringLiteral("Send &live to Upstox"));
    m_live->setObjectName(QStringLiteral("ticketLive"));
    m_live->setEnabled(false);
    m_live->setToolTip(QStringLiteral("Log in to Upstox to trade live (Session > Log in)"));
    connect(m_live, &QCheckBox::toggled, this, [this] {
        updateSideLook();
        revalidate();
    });
    m_margin = new QLabel;
    m_margin->setObjectName(QStringLiteral("ticketMargin"));
    m_margin->setWordWrap(true);
    m_margin->setForegroundRole(QPalette::PlaceholderText);
    m_venue = new QLabel;
    m_venue->setObjectName(QStringLiteral("ticketVenue"));
    m_venue->setAlignment(Qt::AlignCenter);

    auto *form = new QFormLayout;
    form->addRow(QString(), m_live);
    form->addRow(QStringLiteral("Quantity"), quantityRow);
    form->addRow(QStringLiteral("Type"), m_type);
    form->addRow(QStringLiteral("Price"), priceRow);
    form->addRow(QStringLiteral("Trigger"), m_trigger);
    form->addRow(QStringLiteral("Product"), m_product);
    form->addRow(QStringLiteral("Validity"), m_validity);

    // The lines below the form keep their height whatever they say, so Submit never moves
    // under the pointer as reasons come and go.
    const int line = fontMetrics().lineSpacing();
    m_slices = new QLabel;
    m_slices->setObjectName(QStringLiteral("ticketSlices"));
    m_slices->setWordWrap(true);
    m_slices->setFixedHeight(line * 2);
    QSizePolicy keep = m_slices->sizePolicy();
    keep.setRetainSizeWhenHidden(true);
    m_slices->setSizePolicy(keep);
    m_problems = new QLabel;
    m_problems->setObjectName(QStringLiteral("ticketProblems"));
    m_problems->setWordWrap(true);
    m_problems->setTextFormat(Qt::RichText);
    m_problems->setFixedHeight(line * 4 + 4);
    m_problems->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_hint = new QLabel(EnterHint);
    m_hint->setObjectName(QStringLiteral("ticketHint"));
    m_hint->setForegroundRole(QPalette::PlaceholderText);
    m_hint->setFixedHeight(line + 2);

    // No default button: Enter in a field must not press Submit (QDialogButtonBox would make
    // its first accept button the default when shown).
    m_submit = new QPushButton;
    m_submit->setObjectName(QStringLiteral("ticketSubmit"));
    m_submit->setAutoDefault(false);
    m_submit->setMinimumWidth(140);
    m_cancel = new QPushButton(QStringLiteral("Cancel"));
    m_cancel->setObjectName(QStringLiteral("ticketCancel"));
    m_cancel->setAutoDefault(false);
    connect(m_submit, &QPushButton::clicked, this, &OrderTicket::accept);
    connect(m_cancel, &QPushButton::clicked, this, &OrderTicket::reject);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_hint, 1);
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_submit);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_header);
    layout->addWidget(m_venue);
    layout->addWidget(rules);
    layout->addLayout(sides);
    layout->addLayout(form);
    layout->addWidget(m_slices);
    layout->addWidget(m_margin);
    layout->addWidget(m_problems);
    layout->addLayout(buttons);
    // Wide enough from the start for what the changing lines can say: the ticket never grows
    // (and Submit never moves) as the quantity, the price or the reasons change.
    const QFontMetrics metrics = fontMetrics();
    m_units->setMinimumWidth(
        metrics.horizontalAdvance(QStringLiteral("= 99999999 units (MCX: quantity in lots)")));
    m_ltp->setMinimumWidth(metrics.horizontalAdvance(
        QStringLiteral("LTP 999999.00 at 00:00:00 · 999 s old (simulated)")));
    m_hint->setMinimumWidth(metrics.horizontalAdvance(StrayEnterHint) + 8);

    auto *buyKey = new QShortcut(QKeySequence(Qt::Key_F1), this);
    connect(buyKey, &QShortcut::activated, this, [this] { setSide(Side::Buy); });
    auto *sellKey = new QShortcut(QKeySequence(Qt::Key_F2), this);
    connect(sellKey, &QShortcut::activated, this, [this] { setSide(Side::Sell); });
    for (const QKeySequence &keys :
         {QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)}) {
        auto *shortcut = new QShortcut(keys, this);
        connect(shortcut, &QShortcut::activated, this, &OrderTicket::accept);
    }
    setTabOrder(m_lots, m_price);
    setTabOrder(m_price, m_trigger);
    setTabOrder(m_trigger, m_submit);
    setTabOrder(m_submit, m_cancel);
    setTabOrder(m_cancel, m_type);
    setTabOrder(m_type, m_product);
    setTabOrder(m_product, m_validity);

    // Start at the last price on the tick grid, so a limit order needs only the quantity.
    if (m_market) {
        if (const std::optional<Quote> quote = m_market->quote(view.instrumentKey()))
            m_price->setText(
                (m_tick.isPositive() ? quote->last.roundDownTo(m_tick) : quote->last).toQString(2));
    }

    for (QLineEdit *edit : {m_lots, m_price, m_trigger}) {
        connect(edit, &QLineEdit::textChanged, this, [this] { revalidate(); });
        edit->installEventFilter(this);
    }
    for (QComboBox *combo : {m_type, m_product, m_validity})
        connect(combo, &QComboBox::currentIndexChanged, this, [this] { revalidate(); });
    m_lots->setFocus();
    m_lots->selectAll();
}

void OrderTicket::setClock(const Clock *clock)
{
    m_clock = clock;
    showQuote();
}

void OrderTicket::setSide(Side side)
{
    m_side = side;
    updateSideLook();
    revalidate();
}

void OrderTicket::setLots(int lots)
{
    m_lots->setText(QString::number(lots));
}

void OrderTicket::setQuantityText(const QString &text)
{
    m_lots->setText(text);
}

void OrderTicket::setOrderType(OrderType type)
{
    m_type->setCurrentIndex(m_type->findData(static_cast<int>(type)));
}

void OrderTicket::setPriceText(const QString &text)
{
    m_price->setText(text);
}

void OrderTicket::setTriggerText(const QString &text)
{
    m_trigger->setText(text);
}

void OrderTicket::stepPrice(int ticks)
{
    stepField(m_price, ticks);
}

void OrderTicket::stepField(QLineEdit *edit, int ticks)
{
    if (!m_tick.isPositive())
        return;
    const Price current = parsedPrice(edit).value_or(Price());
    // Off-grid text snaps to the grid first (in the direction of the step), then moves.
    Price next = ticks > 0 ? current.roundDownTo(m_tick) : current.roundUpTo(m_tick);
    next = next + m_tick * ticks;
    if (!next.isPositive())
        next = m_tick;
    edit->setText(next.toQString(2));
}

void OrderTicket::stepLots(int lots)
{
    const std::int64_t current = parsedLots().value_or(0);
    m_lots->setText(QString::number(std::clamp<std::int64_t>(current + lots, 1, MaxLots)));
}

void OrderTicket::updateSideLook()
{
    const ThemeColors colors = themeColors(themeOf(palette()));
    const QString colour = m_side == Side::Buy ? colors.positive : colors.negative;
    m_buyButton->setChecked(m_side == Side::Buy);
    m_sellButton->setChecked(m_side == Side::Sell);
    const QString on = QStringLiteral("QPushButton { background: %1; color: white; "
                                      "font-weight: bold; }");
    m_buyButton->setStyleSheet(m_side == Side::Buy ? on.arg(colors.positive) : QString());
    m_sellButton->setStyleSheet(m_side == Side::Sell ? on.arg(colors.negative) : QString());
    m_header->setText(
        QStringLiteral("%1&nbsp;&nbsp;%2")
            .arg(sideWord(m_side),
                 fromUtf8(m_snapshot->instrument(m_contract).tradingSymbol()).toHtmlEscaped()));
    m_header->setStyleSheet(QStringLiteral("QLabel { background: %1; color: white; }").arg(colour));
    const bool live = isLive();
    m_venue->setText(live ? QStringLiteral("LIVE · Upstox · real money")
                          : QStringLiteral("PAPER · simulated fills, no broker"));
    m_venue->setStyleSheet(
        live ? QStringLiteral("QLabel { background: %1; color: white; font-weight: bold; "
                              "padding: 2px; }")
                   .arg(colors.negative)
             : QStringLiteral("QLabel { border: 1px dashed %1; color: %1; padding: 2px; }")
                   .arg(colors.badgeBack));
    m_submit->setText((live ? QStringLiteral("Send LIVE ") : QStringLiteral("Submit paper ")) +
                      sideWord(m_side));
    m_submit->setStyleSheet(QStringLiteral("QPushButton:enabled { background: %1; color: white; "
                                           "font-weight: bold; padding: 4px 12px; }")
                                .arg(colour));
}

void OrderTicket::refreshQuote()
{
    showQuote();
    revalidate(); // the checks read the same market, now
}

void OrderTicket::showQuote()
{
    const std::optional<Quote> quote =
        m_market ? m_market->quote(m_snapshot->instrument(m_contract).instrumentKey())
                 : std::nullopt;
    if (!quote) {
        m_ltp->setText(QStringLiteral("no last price"));
        m_ltp->setStyleSheet(QString());
        return;
    }
    QString text = QStringLiteral("LTP <b>%1</b>").arg(quote->last.toQString(2));
    QString style;
    if (quote->timeMs > 0) {
        text += QStringLiteral(" at ") +
                QDateTime::fromMSecsSinceEpoch(quote->timeMs, Qt::OffsetFromUTC, IstOffsetSeconds)
                    .toString(QStringLiteral("HH:mm:ss"));
        const std::int64_t age = m_clock ? m_clock->now().epochMs - quote->timeMs : 0;
        if (age >= StaleQuoteMs) {
            text += QStringLiteral(" · %1 s old").arg(age / 1000);
            style = QStringLiteral("QLabel { color: %1; }")
                        .arg(themeColors(themeOf(palette())).negative);
        }
    }
    if (quote->simulated)
        text += QStringLiteral(" (simulated)");
    m_ltp->setText(text);
    m_ltp->setStyleSheet(style);
}

std::optional<Price> OrderTicket::parsedPrice(const QLineEdit *edit) const
{
    const QString text = edit->text().trimmed().remove(QLatin1Char(','));
    if (text.isEmpty())
        return Price();
    const QByteArray utf8 = text.toUtf8();
    return Price::parse(std::string_view(utf8.constData(), static_cast<std::size_t>(utf8.size())));
}

std::optional<std::int64_t> OrderTicket::parsedLots(QString *error) const
{
    const QString text = m_lots->text().trimmed();
    QString why;
    bool ok = false;
    const qlonglong lots = text.toLongLong(&ok);
    if (text.isEmpty())
        why = QStringLiteral("Enter a quantity: the number of lots.");
    else if (!ok)
        why = QStringLiteral("Quantity “%1” is not a whole number of lots (e.g. 2).").arg(text);
    else if (lots <= 0)
        why = QStringLiteral("Quantity %1: an order is at least 1 lot.").arg(lots);
    else if (lots > MaxLots)
        why = QStringLiteral("Quantity %1: at most %2 lots in one ticket.").arg(lots).arg(MaxLots);
    if (!why.isEmpty()) {
        if (error)
            *error = why;
        return std::nullopt;
    }
    return lots;
}

std::optional<OrderRequest> OrderTicket::request() const
{
    OrderRequest r;
    r.instrumentKey = std::string(m_snapshot->instrument(m_contract).instrumentKey());
    r.side = m_side;
    r.type = static_cast<OrderType>(m_type->currentData().toInt());
    r.product = static_cast<Product>(m_product->currentData().toInt());
    r.validity = static_cast<Validity>(m_validity->currentData().toInt());
    const std::optional<std::int64_t> lots = parsedLots();
    const std::optional<Price> price = parsedPrice(m_price);
    const std::optional<Price> trigger = parsedPrice(m_trigger);
    if (!lots || (needsLimitPrice(r.type) && !price) || (needsTrigger(r.type) && !trigger))
        return std::nullopt;
    r.quantity = m_unit == QuantityUnit::Lots ? *lots : *lots * m_lot;
    r.price = needsLimitPrice(r.type) ? *price : Price();
    r.trigger = needsTrigger(r.type) ? *trigger : Price();
    r.venue = isLive() ? Venue::Upstox : Venue::Paper;
    return r;
}

void OrderTicket::setMarginText(const QString &text, bool shortOfFunds)
{
    m_margin->setText(text);
    const ThemeColors colors = themeColors(themeOf(palette()));
    m_margin->setStyleSheet(
        shortOfFunds ? QStringLiteral("QLabel { color: %1; }").arg(colors.negative) : QString());
}

QString OrderTicket::marginText() const
{
    return m_margin->text();
}

void OrderTicket::setLiveAvailable(bool available, const QString &why)
{
    m_live->setEnabled(available);
    m_live->setToolTip(available ? QStringLiteral("Ctrl+L: send this order to Upstox, live") : why);
    if (!available && m_live->isChecked())
        m_live->setChecked(false); // a session that ends takes the live choice with it
}

void OrderTicket::setLive(bool live)
{
    m_live->setChecked(live && m_live->isEnabled());
}

bool OrderTicket::isLive() const
{
    return m_live && m_live->isChecked();
}

void OrderTicket::revalidate()
{
    const auto type = static_cast<OrderType>(m_type->currentData().toInt());
    const bool hasPrice = needsLimitPrice(type);
    m_price->setEnabled(hasPrice);
    m_priceDown->setEnabled(hasPrice);
    m_priceUp->setEnabled(hasPrice);
    m_trigger->setEnabled(needsTrigger(type));

    QString quantityError;
    const std::optional<std::int64_t> lots = parsedLots(&quantityError);
    m_lotsUnit->setText(lots == 1 ? QStringLiteral("lot") : QStringLiteral("lots"));
    if (!lots) {
        m_units->setText(QStringLiteral("= ? units"));
    } else {
        const std::int64_t units = *lots * m_lot;
        m_units->setText(m_unit == QuantityUnit::Lots
                             ? QStringLiteral("= %1 (MCX: quantity in lots)")
                                   .arg(quantityText(units, QuantityUnit::Units))
                             : QStringLiteral("= ") + quantityText(units, QuantityUnit::Units));
    }

    m_inputErrors.clear();
    if (!quantityError.isEmpty())
        m_inputErrors << quantityError;
    for (QLineEdit *edit : {m_price, m_trigger}) {
        const bool used = edit == m_price ? hasPrice : needsTrigger(type);
        if (used && !parsedPrice(edit))
            m_inputErrors << (edit == m_price ? QStringLiteral("Price “%1”")
                                              : QStringLiteral("Trigger “%1”"))
                                     .arg(edit->text()) +
                                 QStringLiteral(" is not a price in rupees (e.g. 101.05).");
    }

    const ThemeColors colors = themeColors(themeOf(palette()));
    QStringList lines;
    const std::optional<OrderRequest> r = request();
    m_parseError = !r;
    if (!r) {
        m_verdict = {};
        for (const QString &error : std::as_const(m_inputErrors))
            lines << QStringLiteral("<span style='color:%1'>✖ %2</span>")
                         .arg(colors.negative, error.toHtmlEscaped());
    } else {
        m_verdict = m_validate ? m_validate(*r) : Verdict{};
        for (const ValidationIssue &issue : m_verdict.issues) {
            const bool error = issue.severity == IssueSeverity::Error;
            lines << QStringLiteral("<span style='color:%1'>%2 %3</span>")
                         .arg(error ? colors.negative : colors.badgeBack,
                              error ? QStringLiteral("✖") : QStringLiteral("⚠"),
                              issue.message.toHtmlEscaped());
        }
    }
    m_problems->setText(lines.join(QStringLiteral("<br>")));
    m_problems->setToolTip(problemText());
    if (r) {
        const bool same = m_lastTerms && m_lastTerms->quantity == r->quantity &&
                          m_lastTerms->price == r->price && m_lastTerms->type == r->type &&
                          m_lastTerms->side == r->side && m_lastTerms->product == r->product &&
                          m_lastTerms->venue == r->venue;
        if (!same) {
            m_lastTerms = r;
            Q_EMIT termsChanged(*r);
        }
    }

    const std::vector<std::int64_t> &slices = m_verdict.slices;
    if (slices.size() > 1) {
        QStringList parts;
        for (std::int64_t q : slices)
            parts << QString::number(q);
        m_slices->setText(QStringLiteral("Sent as %1 orders (freeze limit): %2 %3")
                              .arg(slices.size())
                              .arg(parts.join(QStringLiteral(" + ")),
                                   m_unit == QuantityUnit::Lots ? QStringLiteral("lots")
                                                                : QStringLiteral("units")));
    } else {
        m_slices->clear();
    }
    m_slices->setVisible(slices.size() > 1);
    m_submit->setEnabled(!m_parseError && m_verdict.ok());
}

bool OrderTicket::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::KeyPress &&
        (watched == m_lots || watched == m_price || watched == m_trigger)) {
        const int key = static_cast<QKeyEvent *>(event)->key();
        int step = 0;
        if (key == Qt::Key_Up || key == Qt::Key_Down)
            step = key == Qt::Key_Up ? 1 : -1;
        else if (key == Qt::Key_PageUp || key == Qt::Key_PageDown)
            step = key == Qt::Key_PageUp ? BigStep : -BigStep;
        if (step != 0) {
            if (watched == m_lots)
                stepLots(step);
            else
                stepField(static_cast<QLineEdit *>(watched), step);
            return true;
        }
    }
    return QDialog::eventFilter(watched, event);
}

void OrderTicket::keyPressEvent(QKeyEvent *event)
{
    // Enter reaches the dialog from a field (or from Submit, which has no default behaviour of
    // its own). Only the focused Submit button (or Ctrl+Enter) sends; anywhere else it says how.
    if (event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter) {
        if (focusWidget() == m_submit || (event->modifiers() & Qt::ControlModifier))
            accept();
        else
            m_hint->setText(StrayEnterHint);
        event->accept();
        return;
    }
    if (event->key() == Qt::Key_L && event->modifiers() == Qt::ControlModifier) {
        if (m_live->isEnabled())
            m_live->toggle(); // Ctrl+L: live or paper, from any field
        event->accept();
        return;
    }
    QDialog::keyPressEvent(event);
}

QString OrderTicket::problemText() const
{
    QStringList lines;
    for (const ValidationIssue &issue : m_verdict.issues)
        lines << issue.message;
    lines << m_inputErrors;
    return lines.join(QLatin1Char('\n'));
}

void OrderTicket::accept()
{
    refreshQuote(); // the clock or the price may have moved since the last keystroke
    const std::optional<OrderRequest> r = request();
    if (!r || !m_verdict.ok())
        return;
    if (r->type == OrderType::Market || r->type == OrderType::StopMarket) {
        const QString question =
            QStringLiteral("%1 %2 of %3 at MARKET%4?\n\nA market order fills at whatever price "
                           "the book offers.")
                .arg(sideWord(m_side), quantityText(r->quantity, m_unit),
                     fromUtf8(m_snapshot->instrument(m_contract).tradingSymbol()),
                     r->type == OrderType::StopMarket
                         ? QStringLiteral(" once the price reaches ") + r->trigger.toQString(2)
                         : QString());
        if (!m_confirm(this, question))
            return;
    }
    Q_EMIT submitted(*r);
    QDialog::accept();
}

} // namespace strikeline::ui
