#include "OrderTicket.h"

#include "marketdata/MarketData.h"
#include "search/SearchResultsModel.h"
#include "theme/Theme.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace strikeline::ui {

namespace {

// Every request the ticket makes is one the validator allows at most 25 slices of.
constexpr int MaxLots = 1'000'000;

QString fromUtf8(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

QString quantityText(std::int64_t quantity, QuantityUnit unit)
{
    return unit == QuantityUnit::Lots ? QStringLiteral("%1 lots").arg(quantity)
                                      : QStringLiteral("%1 units").arg(quantity);
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
    revalidate();
}

OrderTicket::~OrderTicket() = default;

void OrderTicket::buildUi()
{
    const InstrumentView view = m_snapshot->instrument(m_contract);
    const ContractInfo info = m_snapshot->contractInfo(m_contract);
    setWindowTitle(fromUtf8(info.tradingSymbol) + QStringLiteral(" — order"));

    auto *symbol = new QLabel(QStringLiteral("<b>%1</b>").arg(fromUtf8(info.tradingSymbol)));
    symbol->setObjectName(QStringLiteral("ticketSymbol"));
    QFont big = symbol->font();
    big.setPointSizeF(big.pointSizeF() * 1.25);
    symbol->setFont(big);
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

    m_buyButton = new QPushButton(QStringLiteral("&Buy"));
    m_sellButton = new QPushButton(QStringLiteral("&Sell"));
    m_buyButton->setObjectName(QStringLiteral("ticketBuy"));
    m_sellButton->setObjectName(QStringLiteral("ticketSell"));
    for (QPushButton *b : {m_buyButton, m_sellButton}) {
        b->setCheckable(true);
        b->setAutoDefault(false);
        b->setMinimumWidth(90);
    }
    connect(m_buyButton, &QPushButton::clicked, this, [this] { setSide(Side::Buy); });
    connect(m_sellButton, &QPushButton::clicked, this, [this] { setSide(Side::Sell); });
    auto *sides = new QHBoxLayout;
    sides->addWidget(m_buyButton);
    sides->addWidget(m_sellButton);
    sides->addStretch(1);
    sides->addWidget(m_ltp);

    m_lots = new QSpinBox;
    m_lots->setObjectName(QStringLiteral("ticketLots"));
    m_lots->setRange(1, MaxLots);
    m_lots->setValue(1);
    m_lots->setSuffix(m_unit == QuantityUnit::Lots ? QStringLiteral(" lots")
                                                   : QStringLiteral(" lot(s)"));
    m_units = new QLabel;
    m_units->setObjectName(QStringLiteral("ticketUnits"));
    auto *quantityRow = new QHBoxLayout;
    quantityRow->addWidget(m_lots);
    quantityRow->addWidget(m_units, 1);

    m_type = new QComboBox;
    m_type->setObjectName(QStringLiteral("ticketType"));
    for (OrderType t :
         {OrderType::Limit, OrderType::Market, OrderType::StopLimit, OrderType::StopMarket})
        m_type->addItem(fromUtf8(orderTypeName(t)), static_cast<int>(t));

    const auto priceEdit = [](const char *name) {
        auto *edit = new QLineEdit;
        edit->setObjectName(QLatin1String(name));
        edit->setAlignment(Qt::AlignRight);
        edit->setPlaceholderText(QStringLiteral("price in Rs"));
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

    auto *form = new QFormLayout;
    form->addRow(QStringLiteral("Quantity"), quantityRow);
    form->addRow(QStringLiteral("Type"), m_type);
    form->addRow(QStringLiteral("Price"), priceRow);
    form->addRow(QStringLiteral("Trigger"), m_trigger);
    form->addRow(QStringLiteral("Product"), m_product);
    form->addRow(QStringLiteral("Validity"), m_validity);

    m_slices = new QLabel;
    m_slices->setObjectName(QStringLiteral("ticketSlices"));
    m_slices->setWordWrap(true);
    m_problems = new QLabel;
    m_problems->setObjectName(QStringLiteral("ticketProblems"));
    m_problems->setWordWrap(true);
    m_problems->setTextFormat(Qt::RichText);
    m_problems->setMinimumHeight(fontMetrics().height() * 3);
    m_problems->setAlignment(Qt::AlignTop | Qt::AlignLeft);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    m_buttons->button(QDialogButtonBox::Ok)->setObjectName(QStringLiteral("ticketSubmit"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &OrderTicket::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &OrderTicket::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(symbol);
    layout->addWidget(rules);
    layout->addLayout(sides);
    layout->addLayout(form);
    layout->addWidget(m_slices);
    layout->addWidget(m_problems, 1);
    layout->addWidget(m_buttons);

    // Start at the last price on the tick grid, so a limit order is one Enter away.
    if (m_market) {
        if (const std::optional<Quote> quote = m_market->quote(view.instrumentKey())) {
            m_ltp->setText(QStringLiteral("LTP %1%2")
                               .arg(quote->last.toQString(2),
                                    quote->simulated ? QStringLiteral(" (simulated)") : QString()));
            m_price->setText(
                (m_tick.isPositive() ? quote->last.roundDownTo(m_tick) : quote->last).toQString(2));
        }
    }

    for (QLineEdit *edit : {m_price, m_trigger})
        connect(edit, &QLineEdit::textChanged, this, [this] { revalidate(); });
    m_price->installEventFilter(this);
    connect(m_lots, &QSpinBox::valueChanged, this, [this] { revalidate(); });
    for (QComboBox *combo : {m_type, m_product, m_validity})
        connect(combo, &QComboBox::currentIndexChanged, this, [this] { revalidate(); });
    m_lots->setFocus();
    m_lots->selectAll();
}

void OrderTicket::setSide(Side side)
{
    m_side = side;
    updateSideLook();
    revalidate();
}

void OrderTicket::setLots(int lots)
{
    m_lots->setValue(lots);
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
    if (!m_tick.isPositive())
        return;
    const Price current = parsedPrice(m_price).value_or(Price());
    // Off-grid text snaps to the grid first (in the direction of the step), then moves.
    Price next = ticks > 0 ? current.roundDownTo(m_tick) : current.roundUpTo(m_tick);
    next = next + m_tick * ticks;
    if (!next.isPositive())
        next = m_tick;
    m_price->setText(next.toQString(2));
}

void OrderTicket::updateSideLook()
{
    const ThemeColors colors = themeColors(themeOf(palette()));
    m_buyButton->setChecked(m_side == Side::Buy);
    m_sellButton->setChecked(m_side == Side::Sell);
    const QString on = QStringLiteral("QPushButton { background: %1; color: white; "
                                      "font-weight: bold; }");
    m_buyButton->setStyleSheet(m_side == Side::Buy ? on.arg(colors.positive) : QString());
    m_sellButton->setStyleSheet(m_side == Side::Sell ? on.arg(colors.negative) : QString());
    m_buttons->button(QDialogButtonBox::Ok)
        ->setText(m_side == Side::Buy ? QStringLiteral("Submit BUY")
                                      : QStringLiteral("Submit SELL"));
}

std::optional<Price> OrderTicket::parsedPrice(const QLineEdit *edit) const
{
    const QString text = edit->text().trimmed().remove(QLatin1Char(','));
    if (text.isEmpty())
        return Price();
    const QByteArray utf8 = text.toUtf8();
    return Price::parse(std::string_view(utf8.constData(), static_cast<std::size_t>(utf8.size())));
}

std::optional<OrderRequest> OrderTicket::request() const
{
    OrderRequest r;
    r.instrumentKey = std::string(m_snapshot->instrument(m_contract).instrumentKey());
    r.side = m_side;
    r.type = static_cast<OrderType>(m_type->currentData().toInt());
    r.product = static_cast<Product>(m_product->currentData().toInt());
    r.validity = static_cast<Validity>(m_validity->currentData().toInt());
    r.quantity = m_unit == QuantityUnit::Lots ? m_lots->value()
                                              : static_cast<std::int64_t>(m_lots->value()) * m_lot;
    const std::optional<Price> price = parsedPrice(m_price);
    const std::optional<Price> trigger = parsedPrice(m_trigger);
    if ((needsLimitPrice(r.type) && !price) || (needsTrigger(r.type) && !trigger))
        return std::nullopt;
    r.price = needsLimitPrice(r.type) ? *price : Price();
    r.trigger = needsTrigger(r.type) ? *trigger : Price();
    return r;
}

void OrderTicket::revalidate()
{
    const auto type = static_cast<OrderType>(m_type->currentData().toInt());
    const bool hasPrice = needsLimitPrice(type);
    m_price->setEnabled(hasPrice);
    m_priceDown->setEnabled(hasPrice);
    m_priceUp->setEnabled(hasPrice);
    m_trigger->setEnabled(needsTrigger(type));

    const std::int64_t units = static_cast<std::int64_t>(m_lots->value()) * m_lot;
    m_units->setText(m_unit == QuantityUnit::Lots
                         ? QStringLiteral("= %1 units (MCX: quantity in lots)").arg(units)
                         : QStringLiteral("= %1 units").arg(units));

    const ThemeColors colors = themeColors(themeOf(palette()));
    QStringList lines;
    const std::optional<OrderRequest> r = request();
    m_parseError = !r;
    if (!r) {
        m_verdict = {};
        const bool badPrice = hasPrice && !parsedPrice(m_price);
        lines << QStringLiteral("<span style='color:%1'>%2</span>")
                     .arg(colors.negative,
                          (badPrice ? QStringLiteral("Price “%1”") : QStringLiteral("Trigger “%1”"))
                                  .arg((badPrice ? m_price : m_trigger)->text().toHtmlEscaped()) +
                              QStringLiteral(" is not a price in rupees (e.g. 101.05)."));
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
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(!m_parseError && m_verdict.ok());
}

bool OrderTicket::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_price && event->type() == QEvent::KeyPress) {
        const int key = static_cast<QKeyEvent *>(event)->key();
        if (key == Qt::Key_Up || key == Qt::Key_Down) {
            stepPrice(key == Qt::Key_Up ? 1 : -1);
            return true;
        }
    }
    return QDialog::eventFilter(watched, event);
}

QString OrderTicket::problemText() const
{
    QStringList lines;
    for (const ValidationIssue &issue : m_verdict.issues)
        lines << issue.message;
    if (m_parseError)
        lines << QStringLiteral("a price does not parse");
    return lines.join(QLatin1Char('\n'));
}

void OrderTicket::accept()
{
    revalidate(); // the clock or the price may have moved since the last keystroke
    const std::optional<OrderRequest> r = request();
    if (!r || !m_verdict.ok())
        return;
    if (r->type == OrderType::Market || r->type == OrderType::StopMarket) {
        const QString question =
            QStringLiteral("%1 %2 of %3 at MARKET%4?\n\nA market order fills at whatever price "
                           "the book offers.")
                .arg(m_side == Side::Buy ? QStringLiteral("BUY") : QStringLiteral("SELL"),
                     quantityText(r->quantity, m_unit),
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
