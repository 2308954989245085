// The order ticket over the real validator: lots and units, exact tick stepping, live reasons,
// the slicing preview, unparseable prices, and the market order's second confirmation; the
// quantity shown is the quantity sent, stray Enters send nothing, the LTP moves while it is
// open; and the status bar's order feedback.

#include "RecordFactory.h"
#include "instruments/InstrumentRepository.h"
#include "marketdata/SimulatedMarket.h"
#include "orders/OrderFeedback.h"
#include "orders/OrderTicket.h"
#include "orders/OrderValidator.h"
#include "theme/Theme.h"

#include <QApplication>
#include <QCheckBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace strikeline;
using namespace strikeline::testing;
using strikeline::ui::OrderTicket;

namespace {

const EpochDay Today = day(2025, 12, 8); // a Monday
const EpochDay Monthly = day(2025, 12, 30);
const std::string NiftyKey = "NSE_INDEX|Nifty 50";

Price rupees(const char *text)
{
    return *Price::parse(text);
}

} // namespace

class tst_OrderTicket : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void startsAtTheLastPriceOnTheTickGrid();
    void lotsBecomeUnits();
    void priceStepsByExactTicks();
    void offTickPriceIsRefusedWithTheReason();
    void unparseablePriceSaysSoAndBlocks();
    void largeOrderShowsItsSlices();
    void marketOrderNeedsASecondConfirmation();
    void limitOrderSubmitsTheRequest();
    void liveIsChosenOnlyWithASessionAndLooksDifferent();
    void badQuantityIsAnErrorNotOneLot_data();
    void badQuantityIsAnErrorNotOneLot();
    void strayEntersNeverSubmit();
    void tabGoesQuantityPriceTriggerSubmit();
    void functionKeysFlipTheSideAndItsColour();
    void pageKeysStepTenTicks();
    void triggerOnlyForStopOrders();
    void submitStaysPutWhateverTheMessages();
    void ltpFollowsTheMarketAndTheChecksUseIt();
    void feedbackSaysWhatHappened_data();
    void feedbackSaysWhatHappened();

private:
    // Types into the quantity field as a trader would (select all, then the text).
    void typeQuantity(const QString &text)
    {
        auto *lots = m_ticket->findChild<QWidget *>(QStringLiteral("ticketLots"));
        QVERIFY(lots);
        lots->setFocus();
        QTest::keyClick(lots, Qt::Key_A, Qt::ControlModifier);
        QTest::keyClick(lots, Qt::Key_Backspace);
        if (!text.isEmpty())
            QTest::keyClicks(lots, text);
    }
    QWidget *focused() const { return QApplication::focusWidget(); }
    bool isField(const char *name) const
    {
        const QWidget *field = m_ticket->findChild<QWidget *>(QLatin1String(name));
        return field && (focused() == field || field->isAncestorOf(focused()));
    }

    QPushButton *submitButton() const
    {
        return m_ticket->findChild<QPushButton *>(QStringLiteral("ticketSubmit"));
    }

    SnapshotPtr m_snapshot;
    InstrumentId m_call = NoId;
    InstrumentRepository m_repository;
    FixedClock m_clock{IstMoment::fromDay(Today, 11 * 60)};
    std::unique_ptr<SimulatedMarket> m_market;
    std::unique_ptr<OrderValidator> m_validator;
    std::unique_ptr<OrderTicket> m_ticket;
};

void tst_OrderTicket::initTestCase()
{
    RecordFactory f;
    SnapshotBuilder b;
    b.add(f.index("NIFTY", NiftyKey, "Nifty 50"));
    for (int strike = 25800; strike <= 26200; strike += 100) {
        InstrumentRecord r = f.option("NIFTY", Monthly, std::to_string(strike), true, 75, false,
                                      Segment::NseFo, NiftyKey);
        r.freezeQuantity = 1800;
        b.add(std::move(r));
    }
    m_snapshot = b.build(MasterInfo{});
    m_repository.publish(m_snapshot);
    m_call = *m_snapshot->findBySymbol(Segment::NseFo, "NIFTY 26000 CE 30 DEC 25");
    m_market = std::make_unique<SimulatedMarket>(m_repository, m_clock);
    m_market->setUnderlyingPrice("NIFTY", rupees("26000"));
    m_validator = std::make_unique<OrderValidator>(m_clock);
}

void tst_OrderTicket::init()
{
    OrderTicket::Validate validate = [this](const OrderRequest &r) {
        return m_validator->validate(r, *m_snapshot, m_market.get());
    };
    m_ticket =
        std::make_unique<OrderTicket>(m_snapshot, m_call, Side::Buy, validate, m_market.get());
    m_ticket->show();
    m_ticket->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_ticket.get()));
}

void tst_OrderTicket::cleanup()
{
    m_ticket.reset();
}

void tst_OrderTicket::startsAtTheLastPriceOnTheTickGrid()
{
    const Quote quote = *m_market->quote(m_snapshot->instrument(m_call).instrumentKey());
    const OrderRequest r = *m_ticket->request();
    QCOMPARE(r.type, OrderType::Limit);
    QCOMPARE(r.price, quote.last.roundDownTo(rupees("0.05")));
    QVERIFY(r.price.isMultipleOf(rupees("0.05")));
    QVERIFY(m_ticket->verdict().ok());
    QVERIFY(submitButton()->isEnabled());
    QCOMPARE(submitButton()->text(), QStringLiteral("Submit paper BUY"));
    QVERIFY(m_ticket->findChild<QLabel *>(QStringLiteral("ticketLtp"))
                ->text()
                .contains(QLatin1String("simulated")));
}

void tst_OrderTicket::lotsBecomeUnits()
{
    m_ticket->setLots(3);
    QCOMPARE(m_ticket->request()->quantity, 225);
    QCOMPARE(m_ticket->findChild<QLabel *>(QStringLiteral("ticketUnits"))->text(),
             QStringLiteral("= 225 units"));
}

void tst_OrderTicket::priceStepsByExactTicks()
{
    m_ticket->setPriceText(QStringLiteral("101.10"));
    m_ticket->stepPrice(1);
    QCOMPARE(m_ticket->request()->price, rupees("101.15"));
    m_ticket->stepPrice(-3);
    QCOMPARE(m_ticket->request()->price, rupees("101"));
    // Off the grid, a step lands on the grid in its direction.
    m_ticket->setPriceText(QStringLiteral("101.03"));
    m_ticket->stepPrice(1);
    QCOMPARE(m_ticket->request()->price, rupees("101.05"));
    m_ticket->setPriceText(QStringLiteral("101.03"));
    m_ticket->stepPrice(-1);
    QCOMPARE(m_ticket->request()->price, rupees("101"));
    // Up and Down in the price box step too.
    auto *price = m_ticket->findChild<QLineEdit *>(QStringLiteral("ticketPrice"));
    QTest::keyClick(price, Qt::Key_Up);
    QCOMPARE(m_ticket->request()->price, rupees("101.05"));
    QTest::keyClick(price, Qt::Key_Down);
    QTest::keyClick(price, Qt::Key_Down);
    QCOMPARE(m_ticket->request()->price, rupees("100.95"));
}

void tst_OrderTicket::offTickPriceIsRefusedWithTheReason()
{
    m_ticket->setPriceText(QStringLiteral("101.03"));
    QVERIFY(!m_ticket->verdict().ok());
    QVERIFY(!submitButton()->isEnabled());
    QVERIFY2(m_ticket->problemText().contains(QLatin1String("101.05")),
             qPrintable(m_ticket->problemText()));
    QSignalSpy submitted(m_ticket.get(), &OrderTicket::submitted);
    m_ticket->accept(); // Enter does nothing either
    QCOMPARE(submitted.count(), 0);
    QVERIFY(m_ticket->isVisible());
}

void tst_OrderTicket::unparseablePriceSaysSoAndBlocks()
{
    m_ticket->setPriceText(QStringLiteral("10l.5"));
    QVERIFY(!m_ticket->request());
    QVERIFY(!submitButton()->isEnabled());
    QVERIFY(m_ticket->findChild<QLabel *>(QStringLiteral("ticketProblems"))
                ->text()
                .contains(QLatin1String("is not a price")));
}

void tst_OrderTicket::largeOrderShowsItsSlices()
{
    m_ticket->setLots(50); // 3750 units, freeze 1800
    QCOMPARE(m_ticket->verdict().slices, std::vector<std::int64_t>({1800, 1800, 150}));
    auto *slices = m_ticket->findChild<QLabel *>(QStringLiteral("ticketSlices"));
    QVERIFY(slices->isVisible());
    QCOMPARE(slices->text(),
             QStringLiteral("Sent as 3 orders (freeze limit): 1800 + 1800 + 150 units"));
}

void tst_OrderTicket::marketOrderNeedsASecondConfirmation()
{
    QSignalSpy submitted(m_ticket.get(), &OrderTicket::submitted);
    QString asked;
    bool answer = false;
    m_ticket->setConfirm([&](QWidget *, const QString &question) {
        asked = question;
        return answer;
    });
    m_ticket->setOrderType(OrderType::Market);
    QCOMPARE(m_ticket->request()->price, Price());
    m_ticket->accept();
    QVERIFY(asked.startsWith(QLatin1String("BUY 75 units of NIFTY 26000 CE 30 DEC 25 at MARKET")));
    QCOMPARE(submitted.count(), 0); // said no
    QVERIFY(m_ticket->isVisible());
    answer = true;
    m_ticket->accept();
    QCOMPARE(submitted.count(), 1);
    QCOMPARE(submitted.at(0).at(0).value<OrderRequest>().type, OrderType::Market);
}

void tst_OrderTicket::liveIsChosenOnlyWithASessionAndLooksDifferent()
{
    auto *live = m_ticket->findChild<QCheckBox *>(QStringLiteral("ticketLive"));
    auto *venue = m_ticket->findChild<QLabel *>(QStringLiteral("ticketVenue"));
    QVERIFY(live && venue);
    // Paper by default, and live cannot be chosen without a session.
    QVERIFY(!live->isEnabled());
    m_ticket->setLive(true);
    QVERIFY(!m_ticket->isLive());
    QCOMPARE(m_ticket->request()->venue, Venue::Paper);
    QVERIFY(venue->text().startsWith(QLatin1String("PAPER")));
    // With one, Ctrl+L ticks it: the banner and the button say LIVE.
    m_ticket->setLiveAvailable(true, {});
    QTest::keyClick(m_ticket.get(), Qt::Key_L, Qt::ControlModifier);
    QVERIFY(m_ticket->isLive());
    QCOMPARE(m_ticket->request()->venue, Venue::Upstox);
    QVERIFY(venue->text().startsWith(QLatin1String("LIVE")));
    QCOMPARE(submitButton()->text(), QStringLiteral("Send LIVE BUY"));
    QSignalSpy submitted(m_ticket.get(), &OrderTicket::submitted);
    // The session ends: the ticket goes back to paper rather than keep a live choice.
    m_ticket->setLiveAvailable(false, QStringLiteral("Log in to Upstox"));
    QVERIFY(!m_ticket->isLive());
    QCOMPARE(live->toolTip(), QStringLiteral("Log in to Upstox"));
    QTest::keyClick(m_ticket.get(), Qt::Key_Return, Qt::ControlModifier);
    QCOMPARE(submitted.count(), 1);
    QCOMPARE(submitted.at(0).at(0).value<OrderRequest>().venue, Venue::Paper);
}

void tst_OrderTicket::limitOrderSubmitsTheRequest()
{
    QSignalSpy submitted(m_ticket.get(), &OrderTicket::submitted);
    m_ticket->setSide(Side::Sell);
    QCOMPARE(submitButton()->text(), QStringLiteral("Submit paper SELL"));
    m_ticket->setLots(2);
    QTest::keyClick(m_ticket.get(), Qt::Key_Return, Qt::ControlModifier); // the explicit send
    QCOMPARE(submitted.count(), 1);
    const auto r = submitted.at(0).at(0).value<OrderRequest>();
    QCOMPARE(r.side, Side::Sell);
    QCOMPARE(r.quantity, 150);
    QCOMPARE(r.instrumentKey, std::string(m_snapshot->instrument(m_call).instrumentKey()));
    QVERIFY(!m_ticket->isVisible());
}

void tst_OrderTicket::badQuantityIsAnErrorNotOneLot_data()
{
    QTest::addColumn<QString>("typed");
    QTest::addColumn<QString>("says");
    QTest::newRow("empty") << QString() << QStringLiteral("Enter a quantity");
    QTest::newRow("zero") << QStringLiteral("0") << QStringLiteral("at least 1 lot");
    QTest::newRow("letters") << QStringLiteral("abc") << QStringLiteral("“abc” is not a whole");
    QTest::newRow("fraction") << QStringLiteral("1.5") << QStringLiteral("“1.5” is not a whole");
}

void tst_OrderTicket::badQuantityIsAnErrorNotOneLot()
{
    QFETCH(QString, typed);
    QFETCH(QString, says);
    QSignalSpy submitted(m_ticket.get(), &OrderTicket::submitted);
    typeQuantity(typed);
    // Nothing is sent in its place: no request, no Submit, the reason on the ticket.
    QVERIFY(!m_ticket->request());
    QVERIFY(!submitButton()->isEnabled());
    const QString problems =
        m_ticket->findChild<QLabel *>(QStringLiteral("ticketProblems"))->text();
    QVERIFY2(problems.contains(says), qPrintable(problems));
    QVERIFY2(!m_ticket->findChild<QLabel *>(QStringLiteral("ticketUnits"))
                  ->text()
                  .contains(QLatin1String("75")),
             "the units of a quantity that is not there");
    QTest::keyClick(m_ticket.get(), Qt::Key_Return, Qt::ControlModifier);
    m_ticket->accept();
    QCOMPARE(submitted.count(), 0);
    // Typing a real quantity again brings it back.
    typeQuantity(QStringLiteral("2"));
    QCOMPARE(m_ticket->request()->quantity, 150);
    QVERIFY(submitButton()->isEnabled());
}

void tst_OrderTicket::strayEntersNeverSubmit()
{
    QSignalSpy submitted(m_ticket.get(), &OrderTicket::submitted);
    QVERIFY(submitButton()->isEnabled()); // a valid limit order, one action away
    QVERIFY2(isField("ticketLots"), "the ticket opens on the quantity");
    QTest::keyClick(focused(), Qt::Key_Return);
    QTest::keyClick(focused(), Qt::Key_Return);
    QTest::keyClick(focused(), Qt::Key_Enter);
    QCOMPARE(submitted.count(), 0);
    QVERIFY(m_ticket->isVisible());
    QVERIFY2(m_ticket->findChild<QLabel *>(QStringLiteral("ticketHint"))
                 ->text()
                 .contains(QLatin1String("Ctrl+Enter")),
             "it says how to send");
    // The explicit ways: Submit focused (Tab to it) and Enter.
    m_ticket->findChild<QWidget *>(QStringLiteral("ticketPrice"))->setFocus();
    QTest::keyClick(focused(), Qt::Key_Tab);
    QCOMPARE(focused(), submitButton());
    QTest::keyClick(focused(), Qt::Key_Return);
    QCOMPARE(submitted.count(), 1);
}

void tst_OrderTicket::tabGoesQuantityPriceTriggerSubmit()
{
    QVERIFY(isField("ticketLots"));
    QTest::keyClick(focused(), Qt::Key_Tab);
    QVERIFY2(isField("ticketPrice"), qPrintable(focused()->objectName()));
    QTest::keyClick(focused(), Qt::Key_Tab); // a limit order has no trigger
    QCOMPARE(focused(), submitButton());

    // A stop order with a valid trigger (Submit enabled: a disabled one is skipped).
    const Price last = m_market->quote(m_snapshot->instrument(m_call).instrumentKey())->last;
    const Price trigger = (last + rupees("1")).roundDownTo(rupees("0.05"));
    m_ticket->setOrderType(OrderType::StopLimit);
    m_ticket->setTriggerText(trigger.toQString(2));
    m_ticket->setPriceText((trigger + rupees("0.5")).toQString(2));
    QVERIFY2(submitButton()->isEnabled(), qPrintable(m_ticket->problemText()));
    m_ticket->findChild<QWidget *>(QStringLiteral("ticketLots"))->setFocus();
    QTest::keyClick(focused(), Qt::Key_Tab);
    QVERIFY(isField("ticketPrice"));
    QTest::keyClick(focused(), Qt::Key_Tab);
    QVERIFY2(isField("ticketTrigger"), qPrintable(focused()->objectName()));
    QTest::keyClick(focused(), Qt::Key_Tab);
    QCOMPARE(focused(), submitButton());
}

void tst_OrderTicket::functionKeysFlipTheSideAndItsColour()
{
    auto *header = m_ticket->findChild<QLabel *>(QStringLiteral("ticketSymbol"));
    QVERIFY(header->text().contains(QLatin1String("BUY")));
    QVERIFY(header->text().contains(QLatin1String("NIFTY 26000 CE 30 DEC 25")));
    // The contract in large type: well above the dialog's own text.
    QVERIFY(header->font().pointSizeF() >= m_ticket->font().pointSizeF() * 1.5);
    const QString buyLook = submitButton()->styleSheet();
    QTest::keyClick(focused(), Qt::Key_F2);
    QCOMPARE(m_ticket->request()->side, Side::Sell);
    QCOMPARE(submitButton()->text(), QStringLiteral("Submit paper SELL"));
    QVERIFY(header->text().contains(QLatin1String("SELL")));
    QVERIFY(submitButton()->styleSheet() != buyLook);
    QVERIFY(
        header->styleSheet().contains(ui::themeColors(ui::themeOf(m_ticket->palette())).negative));
    QTest::keyClick(focused(), Qt::Key_F1);
    QCOMPARE(m_ticket->request()->side, Side::Buy);
    QCOMPARE(submitButton()->styleSheet(), buyLook);
}

void tst_OrderTicket::pageKeysStepTenTicks()
{
    m_ticket->setPriceText(QStringLiteral("101.10"));
    auto *price = m_ticket->findChild<QLineEdit *>(QStringLiteral("ticketPrice"));
    QTest::keyClick(price, Qt::Key_PageUp);
    QCOMPARE(m_ticket->request()->price, rupees("101.60"));
    QTest::keyClick(price, Qt::Key_PageDown);
    QTest::keyClick(price, Qt::Key_PageDown);
    QCOMPARE(m_ticket->request()->price, rupees("100.60"));
    // The quantity steps in lots.
    auto *lots = m_ticket->findChild<QWidget *>(QStringLiteral("ticketLots"));
    QTest::keyClick(lots, Qt::Key_PageUp);
    QCOMPARE(m_ticket->request()->quantity, 11 * 75);
    QTest::keyClick(lots, Qt::Key_Down);
    QCOMPARE(m_ticket->request()->quantity, 10 * 75);
}

void tst_OrderTicket::triggerOnlyForStopOrders()
{
    auto *trigger = m_ticket->findChild<QLineEdit *>(QStringLiteral("ticketTrigger"));
    auto *price = m_ticket->findChild<QLineEdit *>(QStringLiteral("ticketPrice"));
    m_ticket->setOrderType(OrderType::Limit);
    QVERIFY(!trigger->isEnabled());
    QVERIFY(price->isEnabled());
    m_ticket->setOrderType(OrderType::Market);
    QVERIFY(!trigger->isEnabled());
    QVERIFY(!price->isEnabled());
    m_ticket->setOrderType(OrderType::StopLimit);
    QVERIFY(trigger->isEnabled());
    QVERIFY(price->isEnabled());
    m_ticket->setOrderType(OrderType::StopMarket);
    QVERIFY(trigger->isEnabled());
    QVERIFY(!price->isEnabled());
}

void tst_OrderTicket::submitStaysPutWhateverTheMessages()
{
    const auto where = [this] { return submitButton()->mapTo(m_ticket.get(), QPoint(0, 0)); };
    QCoreApplication::processEvents();
    const QPoint clean = where();
    const QSize size = m_ticket->size();
    m_ticket->setLots(50);                            // slices appear
    m_ticket->setPriceText(QStringLiteral("101.03")); // off the tick: a reason appears
    QCoreApplication::processEvents();
    QVERIFY2(!m_ticket->problemText().isEmpty(), "there is something to say");
    QCOMPARE(where(), clean);
    QCOMPARE(m_ticket->size(), size);
    typeQuantity(QStringLiteral("abc"));
    QCoreApplication::processEvents();
    QCOMPARE(where(), clean);
}

void tst_OrderTicket::ltpFollowsTheMarketAndTheChecksUseIt()
{
    auto *ltp = m_ticket->findChild<QLabel *>(QStringLiteral("ticketLtp"));
    const std::string key(m_snapshot->instrument(m_call).instrumentKey());
    const Price before = m_market->quote(key)->last;
    QVERIFY2(ltp->text().contains(before.toQString(2)), qPrintable(ltp->text()));

    // The underlying jumps while the ticket is open.
    m_market->setUnderlyingPrice("NIFTY", rupees("26400"));
    const Price now = m_market->quote(key)->last;
    QVERIFY(now != before);
    m_ticket->refreshQuote();
    QVERIFY2(ltp->text().contains(now.toQString(2)), qPrintable(ltp->text()));
    QVERIFY(!ltp->text().contains(before.toQString(2)));

    // A buy stop below the last price: the reason quotes the LTP the ticket shows.
    m_ticket->setOrderType(OrderType::StopLimit);
    const Price trigger = (now - rupees("5")).roundDownTo(rupees("0.05"));
    m_ticket->setTriggerText(trigger.toQString(2));
    m_ticket->setPriceText((trigger + rupees("1")).toQString(2));
    QVERIFY2(m_ticket->problemText().contains(now.toQString(2)),
             qPrintable(m_ticket->problemText()));
    m_market->setUnderlyingPrice("NIFTY", rupees("26000"));
}

void tst_OrderTicket::feedbackSaysWhatHappened_data()
{
    QTest::addColumn<QString>("segment");
    QTest::addColumn<int>("lot");
    QTest::addColumn<int>("status");
    QTest::addColumn<qint64>("quantity");
    QTest::addColumn<qint64>("filled");
    QTest::addColumn<QString>("expected");
    const QString nifty = QStringLiteral("BUY NIFTY 25000 CE 30 DEC 25: ");
    QTest::newRow("filled NSE") << QStringLiteral("NSE_FO") << 65 << int(OrderStatus::Filled)
                                << qint64(130) << qint64(130)
                                << nifty + QStringLiteral("filled 2 × 65 at 202.75");
    QTest::newRow("open") << QStringLiteral("NSE_FO") << 65 << int(OrderStatus::Acknowledged)
                          << qint64(130) << qint64(0)
                          << nifty + QStringLiteral("open: 2 × 65 at 202.75, nothing filled yet");
    QTest::newRow("partly") << QStringLiteral("NSE_FO") << 65 << int(OrderStatus::PartiallyFilled)
                            << qint64(130) << qint64(65)
                            << nifty + QStringLiteral("partially filled 1 × 65 at 202.75 of "
                                                      "2 × 65; the rest is open at 202.75");
    QTest::newRow("cancelled") << QStringLiteral("NSE_FO") << 65 << int(OrderStatus::Cancelled)
                               << qint64(130) << qint64(0)
                               << nifty + QStringLiteral("cancelled, nothing filled (2 × 65)");
    QTest::newRow("MCX lots") << QStringLiteral("MCX_FO") << 100 << int(OrderStatus::Filled)
                              << qint64(3) << qint64(3)
                              << nifty + QStringLiteral("filled 3 lots at 202.75");
    QTest::newRow("one MCX lot") << QStringLiteral("MCX_FO") << 100 << int(OrderStatus::Filled)
                                 << qint64(1) << qint64(1)
                                 << nifty + QStringLiteral("filled 1 lot at 202.75");
}

void tst_OrderTicket::feedbackSaysWhatHappened()
{
    QFETCH(QString, segment);
    QFETCH(int, lot);
    QFETCH(int, status);
    QFETCH(qint64, quantity);
    QFETCH(qint64, filled);
    QFETCH(QString, expected);
    OrderState o;
    o.request.side = Side::Buy;
    o.request.type = OrderType::Limit;
    o.request.quantity = quantity;
    o.request.price = rupees("202.75");
    o.contract.tradingSymbol = "NIFTY 25000 CE 30 DEC 25";
    o.contract.segment = segment.toStdString();
    o.contract.lotSize = lot;
    o.status = static_cast<OrderStatus>(status);
    o.filledQuantity = filled;
    o.averagePrice = filled > 0 ? rupees("202.75") : Price();
    QCOMPARE(ui::orderFeedbackText(o), expected);
}

QTEST_MAIN(tst_OrderTicket)
#include "tst_orderticket.moc"
