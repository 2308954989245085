// The desktop terminal on a live feed, end to end: app/desktop/Terminal against a real
// `strikeline-cli upstox-sim` process on its Analytics Token, offscreen. Every panel that is not
// the chain prices from MarketPrices (the live book while the feed runs): the watch list's rows
// are feed subscriptions and show the book's numbers, depth included (the simulated market has
// none); an open ticket subscribes its contract and fetches its circuit limits from the REST
// full quote, and the validator refuses a price outside that band; the paper broker fills
// against the live touch; closing the ticket lets its subscription go; a feed that is dropped
// says so in the status bar and comes back.
//
// No live order: the orders go to the paper broker, the prices come from the simulator.

#include "SimProcess.h"
#include "SimSession.h"
#include "Terminal.h"
#include "TestData.h"
#include "Watchdog.h"
#include "api/ApiToken.h"
#include "broker/upstox/UpstoxUrls.h"
#include "chain/OptionChainModel.h"
#include "chain/OptionChainView.h"
#include "common/IstTime.h"
#include "mainwindow/MainWindow.h"
#include "marketdata/MarketPrices.h"
#include "marketdata/QuoteBook.h"
#include "marketdata/feed/LiveMarket.h"
#include "orders/ContractValue.h"
#include "orders/ModifyOrderDialog.h"
#include "orders/OrderTicket.h"
#include "orders/OrderValidator.h"
#include "orders/OrdersModel.h"
#include "orders/OrdersPanel.h"
#include "session/SecretStore.h"
#include "watch/WatchListModel.h"
#include "watch/WatchPanel.h"

#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QScopeGuard>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>

#include <memory>

using namespace strikeline;
using strikeline::desktop::Terminal;
using strikeline::desktop::TerminalOptions;

namespace {

const EpochDay SimDay = 20686; // 2026-08-21, the fixture's day

// POST /sim/fault on the simulator (docs/upstox-sim.md, "Faults").
bool simFault(const QUrl &base, const QString &name)
{
    QNetworkAccessManager nam;
    QNetworkRequest request(base.resolved(QUrl(QStringLiteral("/sim/fault"))));
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    std::unique_ptr<QNetworkReply> reply(nam.post(
        request,
        QJsonDocument(QJsonObject{{QStringLiteral("name"), name}}).toJson(QJsonDocument::Compact)));
    QEventLoop loop;
    QObject::connect(reply.get(), &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(20000, &loop, &QEventLoop::quit);
    if (!reply->isFinished())
        loop.exec();
    return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 200;
}

bool hasIssue(const Verdict &verdict, std::string_view code)
{
    for (const ValidationIssue &issue : verdict.issues)
        if (issue.code == code)
            return true;
    return false;
}

QString badgeOf(ui::MainWindow &window)
{
    const auto *label = window.findChild<QLabel *>(QStringLiteral("priceSourceLabel"));
    return label ? label->text() : QString();
}

} // namespace

class tst_TerminalLive : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void watchListAndTicketPriceFromTheFeed();
    void aDroppedFeedIsShownAndComesBack();
    void lastValuesAreBrowsableOfflineAfterARestart();
    void liveOrderGoesToUpstoxModifiedAndCancelled();
    void scriptsTradeThroughTheTerminalsApi();
    void cleanupTestCase();

private:
    TerminalOptions options() const
    {
        TerminalOptions o;
        o.database = *DatabaseConfig::parse(QStringLiteral("sqlite://") +
                                            m_dir.filePath(QStringLiteral("strikeline.db")));
        o.masterFile = m_master;
        o.autoSync = false;
        o.journalDirectory = m_dir.filePath(QStringLiteral("journal"));
        o.upstox.urls = *upstox::UpstoxUrls::fromBase(m_sim.baseUrl());
        o.upstox.secrets.tryKeychain = false;
        o.upstox.secrets.filePath = m_dir.filePath(QStringLiteral("secrets.json"));
        return o;
    }
    // The terminal, started, with its instruments shown and the feed live.
    std::unique_ptr<Terminal> startTerminal();
    // The first unexpired contract of `kind` on NIFTY in the window's snapshot.
    QString niftyKey(const Terminal &terminal, InstrumentKind kind) const;

    QTemporaryDir m_dir;
    QString m_master;
    testing::SimProcess m_sim;
    FixedClock m_clock{IstMoment::fromDay(SimDay, 10 * 60)};
};

void tst_TerminalLive::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
    STRIKELINE_REQUIRE_REAL_FILE(master, "fixture-NSE_FO-subset-2026-08-21.json");
    m_master = master;
    testing::SimProcess::Options sim;
    sim.master = m_master;
    sim.at = QStringLiteral("2026-08-21 10:00");
    QVERIFY2(m_sim.start(sim), qPrintable(m_sim.errorString()));
    // The simulator's Analytics Token: market data without a daily login (issue 11).
    qputenv(session::AnalyticsTokenEnvironment, "sim-analytics-token");
    QSettings().remove(QStringLiteral("watch"));
}

void tst_TerminalLive::cleanupTestCase()
{
    qunsetenv(session::AnalyticsTokenEnvironment);
    m_sim.stop();
}

std::unique_ptr<Terminal> tst_TerminalLive::startTerminal()
{
    auto terminal = std::make_unique<Terminal>(m_clock, options());
    QSignalSpy applied(&terminal->window(), &ui::MainWindow::snapshotApplied);
    terminal->start();
    if (!applied.wait(60000))
        return nullptr;
    return terminal;
}

QString tst_TerminalLive::niftyKey(const Terminal &terminal, InstrumentKind kind) const
{
    const SnapshotPtr snapshot = const_cast<Terminal &>(terminal).window().snapshot();
    for (InstrumentId id = 0; snapshot && id < snapshot->size(); ++id) {
        const InstrumentView v = snapshot->instrument(id);
        if (v.kind() == kind && v.underlyingSymbol() == "NIFTY" && !v.isExpiredAt(SimDay))
            return QString::fromStdString(std::string(v.instrumentKey()));
    }
    return {};
}

void tst_TerminalLive::watchListAndTicketPriceFromTheFeed()
{
    std::unique_ptr<Terminal> terminal = startTerminal();
    QVERIFY(terminal);
    ui::MainWindow &window = terminal->window();
    QTRY_VERIFY_WITH_TIMEOUT(terminal->liveMarket() != nullptr, 20000);
    QTRY_COMPARE_WITH_TIMEOUT(badgeOf(window), QStringLiteral("LIVE · UPSTOX FEED"), 20000);
    QVERIFY(terminal->prices().isLive());
    marketdata::LiveMarket &live = *terminal->liveMarket();
    // Upstox's market_info per segment, in the badge's tooltip.
    const auto *badge = window.findChild<QLabel *>(QStringLiteral("priceSourceLabel"));
    QTRY_VERIFY2_WITH_TIMEOUT(badge->toolTip().contains(QStringLiteral("NSE_FO open")),
                              qPrintable(badge->toolTip()), 10000);

    // A watch row is a feed subscription, and shows the book's numbers.
    const QString future = niftyKey(*terminal, InstrumentKind::Future);
    QVERIFY(!future.isEmpty());
    ui::WatchListModel &watch = terminal->watchPanel().model();
    window.showPanel(&terminal->watchPanel()); // the list refreshes while it is on screen
    watch.add(future);
    QTRY_VERIFY_WITH_TIMEOUT(live.feed().wantedKeys(QStringLiteral("watch")).contains(future),
                             10000);
    QTRY_VERIFY_WITH_TIMEOUT(terminal->prices().quote(future.toStdString()).has_value(), 20000);
    const std::optional<Quote> quote = terminal->prices().quote(future.toStdString());
    QVERIFY(!quote->simulated);
    QVERIFY(quote->bid && quote->ask); // depth: the simulated market has none
    const int row = watch.keys().indexOf(future);
    QVERIFY(row >= 0);
    QTRY_VERIFY_WITH_TIMEOUT(watch.columnHasData(ui::WatchListModel::BidColumn), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(watch.index(row, ui::WatchListModel::BidColumn).data().toString() !=
                                 QStringLiteral("—"),
                             10000);
    QVERIFY(watch.index(row, ui::WatchListModel::LtpColumn).data().toString() !=
            QStringLiteral("—"));

    // A ticket on an option: its contract in full and its band from the REST full quote.
    const QString option = niftyKey(*terminal, InstrumentKind::Call);
    QVERIFY(!option.isEmpty());
    Q_EMIT window.orderTicketRequested(option, Side::Buy);
    QPointer<ui::OrderTicket> ticket = window.findChild<ui::OrderTicket *>();
    QVERIFY(ticket);
    QTRY_VERIFY_WITH_TIMEOUT(terminal->prices().circuitLimits(option.toStdString()).has_value(),
                             20000);
    QStringList ticketConsumers;
    for (const QString &consumer : {QStringLiteral("ticket:1"), QStringLiteral("ticket:2")})
        if (live.feed().wantedKeys(consumer).contains(option))
            ticketConsumers.append(consumer);
    QCOMPARE(ticketConsumers.size(), 1);
    QTRY_VERIFY_WITH_TIMEOUT(terminal->prices().quote(option.toStdString()).has_value(), 20000);
    const marketdata::CircuitLimits band = *terminal->prices().circuitLimits(option.toStdString());
    QVERIFY(band.lower.raw() > 0 && band.upper > band.lower);
    const std::optional<Quote> optionQuote = terminal->prices().quote(option.toStdString());
    QCOMPARE(optionQuote->upperCircuit, std::optional<Price>(band.upper));
    QCOMPARE(optionQuote->lowerCircuit, std::optional<Price>(band.lower));

    // The validator checks the ticket's price against that band.
    ticket->setOrderType(OrderType::Limit);
    ticket->setPriceText(QString::fromStdString(band.upper.toString()));
    QVERIFY2(!hasIssue(ticket->verdict(), issue::PriceOutsideCircuit),
             qPrintable(ticket->problemText()));
    const Price above = band.upper + Price::fromRupees(100);
    ticket->setPriceText(QString::fromStdString(above.toString()));
    QVERIFY2(hasIssue(ticket->verdict(), issue::PriceOutsideCircuit),
             qPrintable(ticket->problemText()));

    // A paper market order fills at the live touch.
    ticket->setConfirm([](QWidget *, const QString &) { return true; });
    ticket->setOrderType(OrderType::Market);
    QVERIFY2(ticket->verdict().ok(), qPrintable(ticket->problemText()));
    const ui::OrdersModel &orders = terminal->ordersPanel().ordersModel();
    const int before = orders.rowCount();
    ticket->accept();
    QTRY_COMPARE_WITH_TIMEOUT(orders.rowCount(), before + 1, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(orders.index(0, ui::OrdersModel::StatusColumn).data().toString(),
                              QStringLiteral("Filled"), 10000);

    // The ticket is gone: its subscription too (the order's key stays: positions hold it).
    QTRY_VERIFY(ticket.isNull());
    QTRY_VERIFY_WITH_TIMEOUT(live.feed().wantedKeys(ticketConsumers.first()).isEmpty(), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(live.feed().wantedKeys(QStringLiteral("positions")).contains(option),
                             10000);
}

// The one place a desktop test sends a live order: to the simulator, on a session the test
// logged in for (STRIKELINE's Upstox address is the simulator's, never a real host).
void tst_TerminalLive::liveOrderGoesToUpstoxModifiedAndCancelled()
{
    const QUrl sim(m_sim.baseUrl());
    QCOMPARE(sim.host(), QStringLiteral("127.0.0.1"));
    const QByteArray token = testing::simLogin(sim);
    QVERIFY(!token.isEmpty());
    qputenv(session::AccessTokenEnvironment, token);
    const auto unset = qScopeGuard([] { qunsetenv(session::AccessTokenEnvironment); });
    std::unique_ptr<Terminal> terminal = startTerminal();
    QVERIFY(terminal);
    ui::MainWindow &window = terminal->window();
    // The order stream's state is on screen.
    const auto *stream = window.findChild<QLabel *>(QStringLiteral("orderStreamLabel"));
    QVERIFY(stream);
    QTRY_COMPARE_WITH_TIMEOUT(stream->text(), QStringLiteral("ORDERS LIVE"), 20000);
    QVERIFY(stream->isVisible());
    int confirmations = 0;
    terminal->setLiveConfirm([&confirmations](QWidget *, const QString &question) {
        ++confirmations;
        return question.contains(QLatin1String("LIVE"));
    });

    const QString option = niftyKey(*terminal, InstrumentKind::Call);
    const auto sendLive = [&](int lots) -> QString {
        Q_EMIT window.orderTicketRequested(option, Side::Buy);
        QPointer<ui::OrderTicket> ticket = window.findChild<ui::OrderTicket *>();
        if (!ticket)
            return QStringLiteral("no ticket");
        if (!QTest::qWaitFor(
                [&] { return terminal->prices().circuitLimits(option.toStdString()).has_value(); },
                20000))
            return QStringLiteral("no price band");
        const Price resting = terminal->prices().circuitLimits(option.toStdString())->lower;
        ticket->setLive(true);
        if (!ticket->isLive())
            return QStringLiteral("live not offered");
        ticket->setLots(lots);
        ticket->setOrderType(OrderType::Limit);
        ticket->setPriceText(QString::fromStdString(resting.toString())); // rests: below market
        if (!ticket->verdict().ok())
            return ticket->problemText();
        // What it would block, from /v2/charges/margin, and the funds free.
        if (!QTest::qWaitFor([&] { return ticket->marginText().contains(QLatin1String(" free")); },
                             10000))
            return QStringLiteral("no margin: ") + ticket->marginText();
        // A long option blocks its premium (the simulator's model): the terms shown, not the
        // ticket's first ones.
        const std::int32_t lot = ticket->request()->quantity / lots;
        const QString premium =
            contractValue(resting, std::int64_t{lots} * lot, 1).value_or(Money()).toIndian();
        if (!ticket->marginText().startsWith(QStringLiteral("Upstox margin Rs ") + premium))
            return ticket->marginText() + QStringLiteral(" (expected Rs ") + premium +
                   QLatin1Char(')');
        ticket->accept();
        return {};
    };
    const ui::OrdersModel &orders = terminal->ordersPanel().ordersModel();
    const int before = orders.rowCount();
    QCOMPARE(sendLive(1), QString());
    QTRY_COMPARE_WITH_TIMEOUT(orders.rowCount(), before + 1, 10000);
    QCOMPARE(orders.index(0, ui::OrdersModel::VenueColumn).data().toString(),
             QStringLiteral("LIVE"));
    QTRY_COMPARE_WITH_TIMEOUT(orders.index(0, ui::OrdersModel::StatusColumn).data().toString(),
                              QStringLiteral("Open"), 10000);
    QVERIFY(!orders.index(0, ui::OrdersModel::BrokerIdColumn).data().toString().isEmpty());
    const std::string id =
        orders.index(0, 0).data(ui::OrdersModel::ClientOrderIdRole).toString().toStdString();
    QCOMPARE(confirmations, 1);
    // The second live order of the day does not ask again.
    QCOMPARE(sendLive(1), QString());
    QTRY_COMPARE_WITH_TIMEOUT(orders.rowCount(), before + 2, 10000);
    QCOMPARE(confirmations, 1);

    // F2: a new price, confirmed by Upstox.
    const Price was = terminal->orders()->order(id)->request.price;
    terminal->openModify(id);
    QPointer<ui::ModifyOrderDialog> dialog = window.findChild<ui::ModifyOrderDialog *>();
    QVERIFY(dialog);
    const Price lower = was + Price::fromPaise(5);
    dialog->setPriceText(QString::fromStdString(lower.toString()));
    dialog->accept();
    QTRY_COMPARE_WITH_TIMEOUT(terminal->orders()->order(id)->request.price, lower, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(terminal->orders()->order(id)->status, OrderStatus::Acknowledged,
                              10000);

    // Delete in the panel: cancelled at Upstox.
    Q_EMIT terminal->ordersPanel().cancelRequested(QString::fromStdString(id));
    QTRY_COMPARE_WITH_TIMEOUT(terminal->orders()->order(id)->status, OrderStatus::Cancelled, 10000);
    // Exactly one order at the broker for that tag: nothing was sent twice.
    QNetworkAccessManager nam;
    QUrl history = sim.resolved(QUrl(QStringLiteral("/v2/order/history")));
    history.setQuery(QStringLiteral("tag=") + QString::fromStdString(id));
    QNetworkRequest request(history);
    request.setRawHeader("Authorization", "Bearer " + token);
    const auto reply = testing::finished(nam.get(request));
    const QJsonArray states =
        QJsonDocument::fromJson(reply->readAll()).object().value(QLatin1String("data")).toArray();
    QSet<QString> brokerIds;
    for (const QJsonValue &state : states)
        brokerIds.insert(state.toObject().value(QLatin1String("order_id")).toString());
    QCOMPARE(brokerIds.size(), 1);
    QVERIFY(terminal->orders()->waitPersisted(std::chrono::seconds(30)));
}

// A trader's own script through the terminal's local API: paper by default, live only once the
// trader allowed it (Settings), then through the same order service, journal and Upstox
// gateway as the ticket; funds and positions from Upstox. The GUI thread's longest stall while
// the script trades is printed (the event-loop watchdog; docs/PERFORMANCE.md).
void tst_TerminalLive::scriptsTradeThroughTheTerminalsApi()
{
    const QUrl sim(m_sim.baseUrl());
    const QByteArray token = testing::simLogin(sim);
    QVERIFY(!token.isEmpty());
    qputenv(session::AccessTokenEnvironment, token);
    const auto unset = qScopeGuard([] { qunsetenv(session::AccessTokenEnvironment); });
    quint16 port = 0;
    {
        QTcpServer probe; // a free port for the API
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    }
    TerminalOptions o = options();
    o.serveApi = true;
    o.apiPort = port;
    auto terminal = std::make_unique<Terminal>(m_clock, o);
    QSignalSpy applied(&terminal->window(), &ui::MainWindow::snapshotApplied);
    terminal->start();
    QVERIFY(applied.wait(60000));
    ui::MainWindow &window = terminal->window();
    const auto *stream = window.findChild<QLabel *>(QStringLiteral("orderStreamLabel"));
    QTRY_COMPARE_WITH_TIMEOUT(stream->text(), QStringLiteral("ORDERS LIVE"), 20000);
    QCOMPARE(terminal->apiPort(), port);
    auto apiToken = api::loadOrCreateToken(api::defaultTokenDirectory());
    QVERIFY(apiToken);

    QNetworkAccessManager nam;
    const auto call = [&](const QByteArray &verb, const QString &path,
                          const QJsonObject &body = {}) {
        QNetworkRequest request(QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(port).arg(path)));
        request.setRawHeader("Authorization", "Bearer " + apiToken->token);
        request.setHeader(QNetworkRequest::ContentTypeHeader,
                          QByteArrayLiteral("application/json"));
        const auto reply = testing::finished(nam.sendCustomRequest(
            request, verb,
            body.isEmpty() ? QByteArray() : QJsonDocument(body).toJson(QJsonDocument::Compact)));
        return std::pair{reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(),
                         QJsonDocument::fromJson(reply->readAll()).object()};
    };
    // A price that rests: the band's floor, from the simulator's quote.
    const QString option = niftyKey(*terminal, InstrumentKind::Call);
    QUrl quotes = sim.resolved(QUrl(QStringLiteral("/v2/market-quote/quotes")));
    quotes.setQuery(QStringLiteral("instrument_key=") + option);
    QNetworkRequest quoteRequest(quotes);
    quoteRequest.setRawHeader("Authorization", "Bearer " + token);
    const QJsonObject quoted =
        QJsonDocument::fromJson(testing::finished(nam.get(quoteRequest))->readAll())
            .object()
            .value(QLatin1String("data"))
            .toObject();
    QVERIFY(!quoted.isEmpty());
    const double floor =
        quoted.begin()->toObject().value(QLatin1String("lower_circuit_limit")).toDouble();
    QVERIFY(floor > 0);
    const SnapshotPtr snapshot = window.snapshot();
    const auto id = snapshot->resolve(option.toStdString());
    QVERIFY(id);
    const qint64 lot = snapshot->instrument(*id).lotSize();
    const QJsonObject order{
        {QStringLiteral("key"), option}, {QStringLiteral("side"), QStringLiteral("buy")},
        {QStringLiteral("qty"), lot},    {QStringLiteral("price"), floor},
        {QStringLiteral("live"), true},  {QStringLiteral("tag"), QStringLiteral("SCRIPT1")}};

    testing::Watchdog watchdog;
    watchdog.start();
    // Not allowed yet: refused, nothing sent.
    auto [refusedStatus, refused] = call("POST", QStringLiteral("/api/v1/orders"), order);
    QCOMPARE(refusedStatus, 403);
    QCOMPARE(refused.value(QLatin1String("error")).toString(),
             QStringLiteral("live_orders_disabled"));
    QVERIFY(!terminal->orders()->order("SCRIPT1"));
    // The trader allows it: the badge says so.
    window.apiLiveAction()->setChecked(true);
    const auto *badge = window.findChild<QLabel *>(QStringLiteral("apiLabel"));
    QVERIFY(badge);
    QVERIFY2(badge->text().contains(QLatin1String("LIVE ORDERS")), qPrintable(badge->text()));
    QCOMPARE(terminal->apiPort(), port);
    auto [placedStatus, placed] = call("POST", QStringLiteral("/api/v1/orders"), order);
    QCOMPARE(placedStatus, 201);
    QCOMPARE(placed.value(QLatin1String("order")).toObject().value(QLatin1String("venue")),
             QJsonValue(QStringLiteral("upstox")));
    QTRY_COMPARE_WITH_TIMEOUT(terminal->orders()->order("SCRIPT1")->status,
                              OrderStatus::Acknowledged, 10000);
    // On the trader's screen like a ticket's.
    const ui::OrdersModel &orders = terminal->ordersPanel().ordersModel();
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (int row = 0; row < orders.rowCount(); ++row)
                if (orders.index(row, 0).data(ui::OrdersModel::ClientOrderIdRole).toString() ==
                    QLatin1String("SCRIPT1"))
                    return true;
            return false;
        }(),
        10000);
    auto [fundsStatus, funds] = call("GET", QStringLiteral("/api/v1/funds"));
    QCOMPARE(fundsStatus, 200);
    QVERIFY(funds.value(QLatin1String("equity")).toObject().contains(QLatin1String("used_margin")));
    auto [positionsStatus, positions] = call("GET", QStringLiteral("/api/v1/positions?live=true"));
    QCOMPARE(positionsStatus, 200);
    QVERIFY(positions.value(QLatin1String("positions")).isArray());
    // A live MARKET order fills at Upstox: its position is on screen, marked LIVE, apart from
    // any paper one, priced by the feed's quotes.
    QJsonObject market = order;
    market.insert(QStringLiteral("type"), QStringLiteral("market"));
    market.remove(QStringLiteral("price"));
    market.insert(QStringLiteral("tag"), QStringLiteral("SCRIPT2"));
    QCOMPARE(call("POST", QStringLiteral("/api/v1/orders"), market).first, 201);
    QTRY_COMPARE_WITH_TIMEOUT(terminal->orders()->order("SCRIPT2")->status, OrderStatus::Filled,
                              15000);
    const ui::PositionsModel &held = terminal->ordersPanel().positionsModel();
    QTRY_VERIFY_WITH_TIMEOUT(held.rowCount() >= 1 &&
                                 held.index(0, ui::PositionsModel::VenueColumn).data().toString() ==
                                     QLatin1String("LIVE"),
                             10000);
    QCOMPARE(held.index(0, 0).data(ui::PositionsModel::InstrumentKeyRole).toString(), option);
    auto [cancelStatus, cancelled] = call("DELETE", QStringLiteral("/api/v1/orders/SCRIPT1"));
    QCOMPARE(cancelStatus, 202);
    QTRY_COMPARE_WITH_TIMEOUT(terminal->orders()->order("SCRIPT1")->status, OrderStatus::Cancelled,
                              10000);
    qInfo("GUI thread while a script traded through the API: longest stall %.1f ms, %d over "
          "16 ms",
          watchdog.longestMs(), watchdog.over16());
    QVERIFY(terminal->orders()->waitPersisted(std::chrono::seconds(30)));
}

void tst_TerminalLive::aDroppedFeedIsShownAndComesBack()
{
    std::unique_ptr<Terminal> terminal = startTerminal();
    QVERIFY(terminal);
    ui::MainWindow &window = terminal->window();
    QTRY_COMPARE_WITH_TIMEOUT(badgeOf(window), QStringLiteral("LIVE · UPSTOX FEED"), 20000);

    // The server drops every socket: the badge says so (a warning), then the feed is back.
    QSignalSpy states(&terminal->liveMarket()->feed(), &marketdata::UpstoxMarketFeed::stateChanged);
    QVERIFY(simFault(m_sim.url(), QStringLiteral("drop-ws")));
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (const QList<QVariant> &s : states)
                if (s.at(0).value<marketdata::UpstoxMarketFeed::State>() ==
                    marketdata::UpstoxMarketFeed::State::Reconnecting)
                    return true;
            return false;
        }(),
        20000);
    QTRY_COMPARE_WITH_TIMEOUT(badgeOf(window), QStringLiteral("LIVE · UPSTOX FEED"), 60000);
}

void tst_TerminalLive::lastValuesAreBrowsableOfflineAfterARestart()
{
    const QString file = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
                         QStringLiteral("/last-quotes.bin");
    QThreadPool::globalInstance()->waitForDone(); // the earlier cases' saves
    QFile::remove(file);
    QString leg;
    {
        std::unique_ptr<Terminal> terminal = startTerminal();
        QVERIFY(terminal);
        QTRY_COMPARE_WITH_TIMEOUT(badgeOf(terminal->window()), QStringLiteral("LIVE · UPSTOX FEED"),
                                  20000);
        terminal->window().openChain(QStringLiteral("NIFTY"));
        const ui::OptionChainModel &chain = terminal->window().chainView().model();
        QTRY_VERIFY_WITH_TIMEOUT(chain.liveChain().quotedLegs >= 20, 20000);
        leg = chain.index(chain.referenceRow(), ui::OptionChainModel::CallLtpColumn)
                  .data(ui::OptionChainModel::InstrumentKeyRole)
                  .toString();
        QVERIFY(!leg.isEmpty());
    } // the terminal goes: its last values are written on the thread pool
    QThreadPool::globalInstance()->waitForDone();
    QVERIFY(QFile::exists(file));

    // The next start cannot reach Upstox: the chain says OFFLINE and shows the last values.
    TerminalOptions offline = options();
    offline.upstox.urls = *upstox::UpstoxUrls::fromBase(QStringLiteral("http://127.0.0.1:9"));
    Terminal terminal(m_clock, offline);
    QSignalSpy applied(&terminal.window(), &ui::MainWindow::snapshotApplied);
    terminal.start();
    QVERIFY(applied.wait(60000));
    QTRY_VERIFY_WITH_TIMEOUT(terminal.liveMarket() != nullptr, 20000);
    terminal.window().openChain(QStringLiteral("NIFTY"));
    const ui::OptionChainModel &chain = terminal.window().chainView().model();
    QTRY_VERIFY_WITH_TIMEOUT(chain.liveChain().quotedLegs >= 20, 20000);
    const auto *state = terminal.window().findChild<QLabel *>(QStringLiteral("chainState"));
    QVERIFY(state);
    QTRY_VERIFY_WITH_TIMEOUT(state->text().contains(QStringLiteral("&nbsp;OFFLINE&nbsp;")), 10000);
    QVERIFY2(state->toolTip().contains(QStringLiteral("Last known values, as of")),
             qPrintable(state->toolTip()));
    // Shown, never traded on: yesterday's price is no price for the ticket or the validator.
    QVERIFY(terminal.liveMarket()->book().read(leg.toStdString()));
    QVERIFY(!terminal.prices().quote(leg.toStdString()));
}

QTEST_MAIN(tst_TerminalLive)
#include "tst_terminallive.moc"
