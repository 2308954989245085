// The desktop's composition root (app/desktop/Terminal) end to end, offscreen: "Sync now" from
// the menu imports a master into the database and the window re-hydrates it; the Settings
// menu's API toggle starts and stops a real local HTTP server on its own thread.

#include "Terminal.h"
#include "api/ApiToken.h"
#include "common/ContractSelection.h"
#include "instruments/MasterGenerator.h"
#include "mainwindow/MainWindow.h"
#include "mainwindow/MasterLoader.h"
#include "orders/KillSwitch.h"
#include "orders/OrderService.h"
#include "orders/OrderTicket.h"
#include "orders/OrdersModel.h"
#include "orders/OrdersPanel.h"
#include "watch/WatchListModel.h"
#include "watch/WatchPanel.h"

#include <QAction>
#include <QEventLoop>
#include <QFile>
#include <QLabel>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace strikeline;
using strikeline::desktop::Terminal;
using strikeline::desktop::TerminalOptions;

namespace {

const EpochDay Today = 20431; // 2025-12-09

quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

// GET with the bearer token; the HTTP status, or -1 when nothing answered.
int getStatus(quint16 port, const QByteArray &token)
{
    QNetworkAccessManager network;
    QNetworkRequest request(QUrl(QStringLiteral("http://127.0.0.1:%1/api/v1/health").arg(port)));
    request.setRawHeader("Authorization", "Bearer " + token);
    std::unique_ptr<QNetworkReply> reply(network.get(request));
    QEventLoop loop;
    QObject::connect(reply.get(), &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(10000, &loop, &QEventLoop::quit);
    loop.exec();
    const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    return status.isValid() ? status.toInt() : -1;
}

} // namespace

class tst_Terminal : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void syncNowImportsAndRehydrates();
    void apiToggleServesAndStops();
    void apiToggleReportsABusyPort();
    void ticketPlacesAPaperOrder();
    void ordersSurviveARestart();
    void feedbackFollowsTheOrderAndRowsSelect();
    void watchListTakesTheSelectionAndTrades();
    void killSwitchRefusesOrdersAndFollowsTheCli();

private:
    TerminalOptions options() const
    {
        TerminalOptions o;
        o.database = *DatabaseConfig::parse(QStringLiteral("sqlite://") +
                                            m_dir.filePath(QStringLiteral("strikeline.db")));
        o.syncSource = m_master;
        o.autoSync = false;
        o.journalDirectory = m_dir.filePath(QStringLiteral("journal"));
        return o;
    }

    QTemporaryDir m_dir;
    QString m_master;
    QString m_smallMaster;
    FixedClock m_clock{IstMoment::fromDay(Today, 10 * 60)};
};

void tst_Terminal::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true); // settings, demo master and api-token
    QVERIFY(m_dir.isValid());
    m_master = m_dir.filePath(QStringLiteral("complete-2025-12-09.json.gz"));
    GeneratorOptions g;
    g.rows = 80000;
    g.asOf = Today;
    g.seed = 7;
    QVERIFY(generateMasterFile(m_master, g));
    m_smallMaster = m_dir.filePath(QStringLiteral("small-2025-12-09.json.gz"));
    g.rows = 4000;
    QVERIFY(generateMasterFile(m_smallMaster, g));
}

void tst_Terminal::syncNowImportsAndRehydrates()
{
    Terminal terminal(m_clock, options());
    ui::MainWindow &window = terminal.window();
    QSignalSpy applied(&window, &ui::MainWindow::snapshotApplied);
    terminal.start();
    // The empty database gets the demo master first (first run).
    QVERIFY(applied.wait(60000));
    QVERIFY(window.snapshot()->info().demo);

    // A master far smaller than the one in use is refused (a truncated download looks like
    // that): the sync says why and the demo master stays in use.
    QVERIFY(terminal.startSync(m_smallMaster));
    QTRY_VERIFY_WITH_TIMEOUT(window.syncAction()->isEnabled(), 60000);
    const auto *syncLabel = window.findChild<QLabel *>(QStringLiteral("syncLabel"));
    QVERIFY2(syncLabel->text().contains(QLatin1String("stays in use")),
             qPrintable(syncLabel->text()));
    QVERIFY(window.snapshot()->info().demo);

    // Sync now (Ctrl+R): the generated "Upstox" master replaces the demo one in RAM.
    applied.clear();
    QVERIFY(window.syncAction()->isEnabled());
    window.syncAction()->trigger();
    QVERIFY(!window.syncAction()->isEnabled()); // one sync at a time
    QVERIFY(window.cancelSyncAction()->isEnabled());
    QVERIFY(applied.wait(60000));
    QCOMPARE(window.snapshot()->size(), 80000u);
    // Generated, it keeps the DEMO label though its name is Upstox's.
    QVERIFY(window.snapshot()->info().demo);
    QVERIFY2(window.snapshot()->info().description.contains(QLatin1String("synthetic")),
             qPrintable(window.snapshot()->info().description));
    QCOMPARE(window.snapshot()->info().masterDay, Today);
    QVERIFY(window.snapshot()->info().syncRunId > 0);
    QTRY_VERIFY(window.syncAction()->isEnabled());
    QVERIFY2(syncLabel->text().startsWith(QLatin1String("Sync: ")), qPrintable(syncLabel->text()));

    // The same file again: nothing new, no re-hydration, the master stays.
    applied.clear();
    window.syncAction()->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(window.syncAction()->isEnabled(), 60000);
    QVERIFY(!applied.wait(500));
    QCOMPARE(window.snapshot()->size(), 80000u);
}

void tst_Terminal::apiToggleServesAndStops()
{
    TerminalOptions o = options();
    o.apiPort = freePort();
    Terminal terminal(m_clock, o);
    QSignalSpy applied(&terminal.window(), &ui::MainWindow::snapshotApplied);
    terminal.start();
    QVERIFY(applied.wait(60000));
    auto token = api::loadOrCreateToken(api::defaultTokenDirectory());

    QAction *toggle = terminal.window().apiAction();
    QVERIFY(!toggle->isChecked()); // off by default
    QCOMPARE(getStatus(o.apiPort, token ? token->token : QByteArray()), -1);

    toggle->setChecked(true);
    QCOMPARE(terminal.apiPort(), o.apiPort);
    token = api::loadOrCreateToken(api::defaultTokenDirectory());
    QVERIFY(token);
    QCOMPARE(getStatus(o.apiPort, token->token), 200);
    QCOMPARE(getStatus(o.apiPort, "wrong"), 401);
    const auto *label = terminal.window().findChild<QLabel *>(QStringLiteral("apiLabel"));
    QVERIFY(label->isVisible());
    QCOMPARE(label->text(), QStringLiteral("API 127.0.0.1:%1").arg(o.apiPort));

    toggle->setChecked(false);
    QCOMPARE(terminal.apiPort(), quint16(0));
    QCOMPARE(getStatus(o.apiPort, token->token), -1);
    QVERIFY(!label->isVisible());
}

void tst_Terminal::apiToggleReportsABusyPort()
{
    QTcpServer squatter;
    QVERIFY(squatter.listen(QHostAddress::LocalHost, 0));
    TerminalOptions o = options();
    o.apiPort = squatter.serverPort();
    Terminal terminal(m_clock, o);
    terminal.start();
    QAction *toggle = terminal.window().apiAction();
    toggle->setChecked(true);
    QVERIFY(!toggle->isChecked()); // unticked again: it is not serving
    QCOMPARE(terminal.apiPort(), quint16(0));
}

void tst_Terminal::ticketPlacesAPaperOrder()
{
    Terminal terminal(m_clock, options());
    QSignalSpy applied(&terminal.window(), &ui::MainWindow::snapshotApplied);
    terminal.start();
    QVERIFY(applied.wait(60000));
    QVERIFY(terminal.orders());
    const SnapshotPtr snapshot = terminal.window().snapshot();
    // A live NIFTY future: the simulated market prices it, the paper broker fills it.
    std::string key;
    for (InstrumentId id = 0; id < snapshot->size() && key.empty(); ++id) {
        const InstrumentView v = snapshot->instrument(id);
        if (v.kind() == InstrumentKind::Future && v.underlyingSymbol() == "NIFTY" &&
            !v.isExpiredAt(Today))
            key = std::string(v.instrumentKey());
    }
    QVERIFY(!key.empty());
    const int before = terminal.ordersPanel().ordersModel().rowCount();

    // F1 on a contract opens its ticket; a market order asks twice, then goes.
    Q_EMIT terminal.window().orderTicketRequested(QString::fromStdString(key), Side::Buy);
    auto *ticket = terminal.window().findChild<ui::OrderTicket *>();
    QVERIFY(ticket);
    QTRY_VERIFY(ticket->isVisible());
    ticket->setConfirm([](QWidget *, const QString &) { return true; });
    ticket->setOrderType(OrderType::Market);
    QVERIFY2(ticket->verdict().ok(), qPrintable(ticket->problemText()));
    ticket->accept();

    const ui::OrdersModel &orders = terminal.ordersPanel().ordersModel();
    QTRY_COMPARE(orders.rowCount(), before + 1);
    QTRY_COMPARE(orders.index(0, ui::OrdersModel::StatusColumn).data().toString(),
                 QStringLiteral("Filled"));
    QTRY_VERIFY(terminal.ordersPanel().positionsModel().rowCount() >= 1);
    QVERIFY(terminal.orders()->waitPersisted(std::chrono::seconds(30)));

    // A refused order never reaches the book.
    OrderRequest bad;
    bad.instrumentKey = key;
    bad.type = OrderType::Limit;
    bad.quantity = 1; // not a multiple of the lot
    bad.price = Price::fromRupees(100);
    terminal.submitOrder(bad); // validated on the order thread: the answer comes back queued
    QTRY_VERIFY2(terminal.window().statusMessage().contains(QLatin1String("rejected")),
                 qPrintable(terminal.window().statusMessage()));
}

void tst_Terminal::ordersSurviveARestart()
{
    // The previous test's orders are in the journal: a new terminal shows them again.
    Terminal terminal(m_clock, options());
    QVERIFY(terminal.orders());
    QVERIFY(terminal.ordersPanel().ordersModel().rowCount() >= 1);
    // The filled order's position too, at once (before the master loads): from the journal's
    // fills, not from the previous process's paper broker.
    QCOMPARE(terminal.ordersPanel().positionsModel().rowCount(), 1);
    QVERIFY(terminal.ordersPanel()
                .positionsModel()
                .index(0, ui::PositionsModel::NetQuantityColumn)
                .data()
                .toString()
                .toLongLong() > 0);
    bool filled = false;
    for (int row = 0; row < terminal.ordersPanel().ordersModel().rowCount(); ++row)
        filled |= terminal.ordersPanel()
                      .ordersModel()
                      .index(row, ui::OrdersModel::StatusColumn)
                      .data()
                      .toString() == QStringLiteral("Filled");
    QVERIFY(filled);
}

void tst_Terminal::feedbackFollowsTheOrderAndRowsSelect()
{
    Terminal terminal(m_clock, options());
    QSignalSpy applied(&terminal.window(), &ui::MainWindow::snapshotApplied);
    terminal.start();
    QVERIFY(applied.wait(60000));
    ui::MainWindow &window = terminal.window();
    const SnapshotPtr snapshot = window.snapshot();
    InstrumentId future = NoId;
    for (InstrumentId id = 0; id < snapshot->size() && future == NoId; ++id) {
        const InstrumentView v = snapshot->instrument(id);
        if (v.kind() == InstrumentKind::Future && v.underlyingSymbol() == "NIFTY" &&
            !v.isExpiredAt(Today))
            future = id;
    }
    QVERIFY(future != NoId);
    const InstrumentView contract = snapshot->instrument(future);
    const std::string key(contract.instrumentKey());
    const QString symbol = QString::fromUtf8(
        contract.tradingSymbol().data(), static_cast<qsizetype>(contract.tradingSymbol().size()));
    const Price last = terminal.market().quote(key)->last;

    // What happened, in numbers: "filled 2 × 75 at 26012.30".
    OrderRequest buy;
    buy.instrumentKey = key;
    buy.type = OrderType::Market;
    buy.quantity = 2 * contract.lotSize();
    terminal.submitOrder(buy);
    const QString filled = QStringLiteral("filled 2 × %1 at ").arg(contract.lotSize());
    QTRY_VERIFY2(window.statusMessage().contains(filled), qPrintable(window.statusMessage()));
    QVERIFY(window.statusMessage().contains(symbol));

    // A resting order: open, then cancelled -- the message follows the order.
    OrderRequest sell = buy;
    sell.side = Side::Sell;
    sell.type = OrderType::Limit;
    sell.quantity = contract.lotSize();
    sell.price = (last + Price::fromRaw(last.raw() / 20)).roundDownTo(contract.tickSize());
    terminal.submitOrder(sell);
    QTRY_VERIFY2(window.statusMessage().contains(QStringLiteral("open: 1 × ")),
                 qPrintable(window.statusMessage()));
    const ui::OrdersModel &orders = terminal.ordersPanel().ordersModel();
    QTRY_VERIFY(orders.rowCount() > 0 &&
                orders.index(0, 0).data(ui::OrdersModel::OpenRole).toBool());
    const QString id = orders.index(0, 0).data(ui::OrdersModel::ClientOrderIdRole).toString();
    Q_EMIT terminal.ordersPanel().cancelRequested(id);
    QTRY_VERIFY2(window.statusMessage().contains(QLatin1String("cancelled")),
                 qPrintable(window.statusMessage()));
    QVERIFY(!window.statusMessage().contains(QLatin1String("open:")));

    // The rows of the orders and positions select their contract: F1 trades it.
    window.showPanel(&terminal.ordersPanel());
    window.selection().clear();
    QTableView *positions = terminal.ordersPanel().positionsView();
    QTRY_VERIFY(positions->model()->rowCount() > 0);
    int row = -1;
    for (int r = 0; r < positions->model()->rowCount(); ++r) {
        if (positions->model()->index(r, 0).data(Qt::ToolTipRole).toString() ==
            QString::fromStdString(key))
            row = r;
    }
    QVERIFY(row >= 0);
    const QModelIndex cell = positions->model()->index(row, 0);
    QTest::mouseClick(positions->viewport(), Qt::LeftButton, {},
                      positions->visualRect(cell).center());
    QCOMPARE(window.selectedContractKey(), QString::fromStdString(key));
    window.selection().clear();
    QTableView *ordersView = terminal.ordersPanel().ordersView();
    const QModelIndex order = ordersView->model()->index(0, 0);
    QTest::mouseClick(ordersView->viewport(), Qt::LeftButton, {},
                      ordersView->visualRect(order).center());
    QCOMPARE(window.selectedContractKey(), QString::fromStdString(key));
    window.buyAction()->trigger();
    auto *ticket = window.findChild<ui::OrderTicket *>();
    QVERIFY(ticket);
    QVERIFY(ticket->findChild<QLabel *>(QStringLiteral("ticketSymbol"))->text().contains(symbol));
    ticket->reject();
}

void tst_Terminal::killSwitchRefusesOrdersAndFollowsTheCli()
{
    TerminalOptions o = options();
    o.haltFile = m_dir.filePath(QStringLiteral("kill/halt.json"));
    Terminal terminal(m_clock, o);
    QSignalSpy applied(&terminal.window(), &ui::MainWindow::snapshotApplied);
    terminal.start();
    QVERIFY(applied.wait(60000));
    QVERIFY(!terminal.killSwitch().halted());
    auto *badge = terminal.window().findChild<QLabel *>(QStringLiteral("haltLabel"));
    QVERIFY(badge);
    QVERIFY(!badge->isVisible());

    // Ctrl+Shift+H (no open orders to offer to cancel): halted at once, kept on disk.
    terminal.window().haltAction()->trigger();
    QVERIFY(terminal.killSwitch().halted());
    QVERIFY(terminal.window().haltAction()->isChecked());
    QVERIFY(badge->isVisible());
    QTRY_VERIFY(QFile::exists(o.haltFile));
    QTRY_VERIFY(readHaltState(o.haltFile).value().halted);

    // Every order is refused before it is journaled.
    const SnapshotPtr snapshot = terminal.window().snapshot();
    std::string key;
    for (InstrumentId id = 0; id < snapshot->size() && key.empty(); ++id) {
        const InstrumentView v = snapshot->instrument(id);
        if (v.kind() == InstrumentKind::Future && !v.isExpiredAt(Today))
            key = std::string(v.instrumentKey());
    }
    OrderRequest request;
    request.instrumentKey = key;
    request.type = OrderType::Market;
    request.quantity = snapshot->instrument(*snapshot->findByKey(key)).lotSize();
    const int before = terminal.ordersPanel().ordersModel().rowCount();
    terminal.submitOrder(request);
    QVERIFY2(terminal.window().statusMessage().contains(QLatin1String("halted")),
             qPrintable(terminal.window().statusMessage()));
    QCOMPARE(terminal.ordersPanel().ordersModel().rowCount(), before);

    // `strikeline-cli resume` in a shell (the same file): the terminal follows.
    HaltState resumed;
    resumed.by = QStringLiteral("CLI");
    QVERIFY(writeHaltState(o.haltFile, resumed));
    QTRY_VERIFY_WITH_TIMEOUT(!terminal.killSwitch().halted(), 10000);
    QVERIFY(!badge->isVisible());
    QVERIFY(!terminal.window().haltAction()->isChecked());
    // And `strikeline-cli halt` stops it again.
    QVERIFY(writeHaltState(
        o.haltFile, HaltState{true, QStringLiteral("from a script"), QStringLiteral("CLI"), 0}));
    QTRY_VERIFY_WITH_TIMEOUT(terminal.killSwitch().halted(), 10000);
    QVERIFY(badge->toolTip().contains(QStringLiteral("from a script")));
    terminal.setHalted(false);
    QVERIFY(!terminal.killSwitch().halted());

    // Quick toggles from the window end as the trader left them, in RAM and on disk (the
    // file's writes run in order; a read from before a toggle is not applied after it).
    terminal.setHalted(true, false);
    terminal.setHalted(false, false);
    terminal.setHalted(true, false);
    QVERIFY(terminal.killSwitch().halted());
    QTRY_VERIFY(readHaltState(o.haltFile).value().halted);
    QTest::qWait(300); // let the watcher's reads of those writes come back
    QVERIFY(terminal.killSwitch().halted());
    terminal.setHalted(false, false);
    QTRY_VERIFY(!readHaltState(o.haltFile).value().halted);
    QTest::qWait(300);
    QVERIFY(!terminal.killSwitch().halted());
}

QTEST_MAIN(tst_Terminal)
#include "tst_terminal.moc"

// Ctrl+D puts the selected contract into the market watch; the watch's row then is what F1
// trades, and its price comes from the simulated market, labelled so.
void tst_Terminal::watchListTakesTheSelectionAndTrades()
{
    QSettings().remove(QStringLiteral("watch"));
    Terminal terminal(m_clock, options());
    QSignalSpy applied(&terminal.window(), &ui::MainWindow::snapshotApplied);
    terminal.start();
    QVERIFY(applied.wait(60000));
    ui::MainWindow &window = terminal.window();
    window.setQuery(QStringLiteral("nifty fut"));
    window.showResult(0);
    const QString key = window.selection().key();
    QVERIFY(!key.isEmpty());

    window.watchAddAction()->trigger();
    const ui::WatchListModel &watch = terminal.watchPanel().model();
    QCOMPARE(watch.keys(), QStringList{key});
    QVERIFY2(window.statusMessage().startsWith(QLatin1String("Added ")),
             qPrintable(window.statusMessage()));
    window.watchAddAction()->trigger(); // twice is once
    QCOMPARE(watch.rowCount(), 1);
    QVERIFY2(window.statusMessage().contains(QLatin1String("already")),
             qPrintable(window.statusMessage()));
    QVERIFY(watch.index(0, ui::WatchListModel::LtpColumn).data().toString() != QStringLiteral("—"));

    // The row selects its contract: F1 opens the ticket on it.
    window.showPanel(&terminal.watchPanel());
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    QTableView *view = terminal.watchPanel().view();
    view->setFocus();
    view->selectRow(0);
    QTest::keyClick(view, Qt::Key_Down); // moving in the view is what selects
    view->selectRow(0);
    QCOMPARE(window.selection().key(), key);
    QSignalSpy ticket(&window, &ui::MainWindow::orderTicketRequested);
    QTest::keyClick(&window, Qt::Key_F1);
    QCOMPARE(ticket.count(), 1);
    QCOMPARE(ticket[0][0].toString(), key);

    // A restart keeps the list.
    QCOMPARE(QSettings().value(QStringLiteral("watch/current")).toString(),
             terminal.watchPanel().currentList());
}
