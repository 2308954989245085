// The order ticket over the real validator: lots and units, exact tick stepping, live reasons,
// the slicing preview, unparseable prices, and the market order's second confirmation.

#include "RecordFactory.h"
#include "instruments/InstrumentRepository.h"
#include "marketdata/SimulatedMarket.h"
#include "orders/OrderTicket.h"
#include "orders/OrderValidator.h"

#include <QDialogButtonBox>
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

private:
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
    QCOMPARE(submitButton()->text(), QStringLiteral("Submit BUY"));
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

void tst_OrderTicket::limitOrderSubmitsTheRequest()
{
    QSignalSpy submitted(m_ticket.get(), &OrderTicket::submitted);
    m_ticket->setSide(Side::Sell);
    QCOMPARE(submitButton()->text(), QStringLiteral("Submit SELL"));
    m_ticket->setLots(2);
    QTest::keyClick(m_ticket.get(), Qt::Key_Return);
    QCOMPARE(submitted.count(), 1);
    const auto r = submitted.at(0).at(0).value<OrderRequest>();
    QCOMPARE(r.side, Side::Sell);
    QCOMPARE(r.quantity, 150);
    QCOMPARE(r.instrumentKey, std::string(m_snapshot->instrument(m_call).instrumentKey()));
    QVERIFY(!m_ticket->isVisible());
}

QTEST_MAIN(tst_OrderTicket)
#include "tst_orderticket.moc"
