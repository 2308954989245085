// The day's orders and what to do with them: orders, modify, cancel, positions, funds. Every
// command that touches orders opens the journal through an OrderDesk (OrderDesk.h), so what it
// does is journaled before it is sent, exactly as from the terminal's ticket; positions --live
// and funds only ask Upstox.

#include "CliCommon.h"
#include "OrderDesk.h"
#include "UpstoxAccess.h"
#include "broker/upstox/UpstoxPortfolio.h"
#include "marketdata/SimulatedMarket.h"
#include "orders/OrderEvent.h"
#include "orders/OrderJournal.h"
#include "orders/OrderJson.h"

#include <QCommandLineParser>
#include <QEventLoop>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <map>
#include <optional>

namespace strikeline::cli {

namespace {

QString str(std::string_view s)
{
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

// The options every order-book command shares.
struct DeskCommandOptions
{
    QCommandLineOption journal{
        QStringLiteral("journal"),
        QStringLiteral("The order journal's folder (default: the app-data folder's journal/)."),
        QStringLiteral("DIR")};
    QCommandLineOption db{QStringLiteral("db"),
                          QStringLiteral("Database URL (default: the embedded SQLite)."),
                          QStringLiteral("URL")};
    QCommandLineOption master{QStringLiteral("master"),
                              QStringLiteral("Read the contracts from this master file instead "
                                             "of the database."),
                              QStringLiteral("FILE")};
    QCommandLineOption at{QStringLiteral("at"),
                          QStringLiteral("The time in IST, \"YYYY-MM-DD[ HH:MM]\", then running "
                                         "(default: now); match the simulator's --at."),
                          QStringLiteral("TIME")};
    QCommandLineOption json{QStringLiteral("json"), QStringLiteral("Print JSON.")};
    QCommandLineOption live{QStringLiteral("live"),
                            QStringLiteral("Upstox's, for real, on the daily session (default: "
                                           "the paper broker's).")};

    void addTo(QCommandLineParser &parser, bool withLive) const
    {
        parser.addOptions({journal, db, master, at, json});
        if (withLive)
            parser.addOption(live);
    }
};

QString journalDirectoryOf(const QCommandLineParser &parser, const DeskCommandOptions &o)
{
    return parser.isSet(o.journal) ? parser.value(o.journal) : defaultJournalDirectory();
}

Result<std::unique_ptr<DeskRun>> openDesk(const QCommandLineParser &parser,
                                          const DeskCommandOptions &o, const QString &command,
                                          bool live)
{
    auto clock = runningClock(parser, o.at);
    if (!clock)
        return clock.error();
    OrderDeskOptions options;
    options.journalDirectory = journalDirectoryOf(parser, o);
    if (options.journalDirectory.trimmed().isEmpty())
        return Error::make(ErrorCode::InvalidArgument, QStringLiteral("--journal needs a folder"));
    auto database = databaseConfig(parser, o.db);
    if (!database)
        return database.error();
    options.database = *database;
    options.live = live;
    auto snapshot = loadDeskInstruments(parser, o.master, o.db, command);
    if (!snapshot)
        return snapshot.error();
    return DeskRun::open(*snapshot, options, std::move(*clock), command);
}

// The venue today's journal records for an order, read without opening it for writing: a
// command decides from it whether it needs the Upstox session before it opens the desk.
Result<std::optional<Venue>> journaledVenue(const QString &directory, EpochDay day,
                                            const std::string &clientOrderId)
{
    const QString file = OrderJournal::fileFor(directory, day);
    if (!QFileInfo::exists(file))
        return std::optional<Venue>();
    auto replayed = OrderJournal::replay(file);
    if (!replayed) {
        return Error::make(ErrorCode::Io, QStringLiteral("the order journal %1 is damaged: %2")
                                              .arg(file, replayed.error().message));
    }
    for (const JournalRecord &record : replayed->records) {
        auto event = OrderEvent::decode(record.payload, record.sequence);
        if (event && event->kind == OrderEventKind::Created &&
            event->clientOrderId == clientOrderId)
            return std::optional<Venue>(event->venue);
    }
    return std::optional<Venue>();
}

// Today's working orders of a venue, per today's journal (for cancel --all).
Result<bool> journalHasWorking(const QString &directory, EpochDay day, Venue venue)
{
    const QString file = OrderJournal::fileFor(directory, day);
    if (!QFileInfo::exists(file))
        return false;
    auto replayed = OrderJournal::replay(file);
    if (!replayed) {
        return Error::make(ErrorCode::Io, QStringLiteral("the order journal %1 is damaged: %2")
                                              .arg(file, replayed.error().message));
    }
    for (const JournalRecord &record : replayed->records) {
        auto event = OrderEvent::decode(record.payload, record.sequence);
        if (event && event->kind == OrderEventKind::Created && event->venue == venue)
            return true; // it may be working: the desk tells
    }
    return false;
}

// The desk for one of today's orders: with the Upstox session when the order is Upstox's, and
// then its book reconciled first (an order that traded meanwhile is not modified or cancelled
// on stale knowledge).
Result<std::unique_ptr<DeskRun>> openDeskFor(const QCommandLineParser &parser,
                                             const DeskCommandOptions &o, const QString &command,
                                             const std::string &id, EpochDay today)
{
    auto venue = journaledVenue(journalDirectoryOf(parser, o), today, id);
    if (!venue)
        return venue.error();
    if (!*venue)
        return Error::make(ErrorCode::NotFound,
                           QStringLiteral("no order %1 today (strikeline-cli orders lists them)")
                               .arg(QString::fromStdString(id)));
    const bool live = **venue == Venue::Upstox;
    auto run = openDesk(parser, o, command, live);
    if (!run)
        return run.error();
    if (live)
        if (auto fetched = (*run)->desk->service().reconcileNow(Venue::Upstox, BrokerWait);
            !fetched)
            return fetched.error();
    return run;
}

QString priceText(Price p)
{
    return p.isZero() ? QStringLiteral("-") : p.toQString(2);
}

void printOrders(QTextStream &o, const std::vector<OrderState> &orders,
                 const QString &none = QStringLiteral("No orders today."))
{
    if (orders.empty()) {
        o << none << '\n';
        return;
    }
    o << QStringLiteral("%1  %2  %3  %4  %5  %6  %7  %8  %9")
             .arg(QStringLiteral("CLIENT ID"), -20)
             .arg(QStringLiteral("VENUE"), -6)
             .arg(QStringLiteral("CONTRACT"), -30)
             .arg(QStringLiteral("SIDE"), -4)
             .arg(QStringLiteral("QTY"), 6)
             .arg(QStringLiteral("TYPE"), -5)
             .arg(QStringLiteral("PRICE"), 9)
             .arg(QStringLiteral("STATUS"), -16)
             .arg(QStringLiteral("FILLED"))
      << '\n';
    for (const OrderState &s : orders) {
        QString status = str(orderStatusName(s.status));
        if (s.external)
            status += QStringLiteral(" (ext)");
        QString filled = QString::number(s.filledQuantity);
        if (s.filledQuantity > 0)
            filled += QStringLiteral(" @ ") + s.averagePrice.toQString(2);
        QString line =
            QStringLiteral("%1  %2  %3  %4  %5  %6  %7  %8  %9")
                .arg(QString::fromStdString(s.parentClientOrderId.empty() ? s.clientOrderId
                                                                          : "  " + s.clientOrderId),
                     -20)
                .arg(s.venue == Venue::Upstox ? QStringLiteral("LIVE") : QStringLiteral("paper"),
                     -6)
                .arg(QString::fromStdString(s.contract.tradingSymbol.empty()
                                                ? s.request.instrumentKey
                                                : s.contract.tradingSymbol),
                     -30)
                .arg(str(sideName(s.request.side)), -4)
                .arg(s.request.quantity, 6)
                .arg(str(orderTypeName(s.request.type)), -5)
                .arg(priceText(s.request.price), 9)
                .arg(status, -16)
                .arg(filled);
        if (!s.brokerOrderIds.empty())
            line += QStringLiteral("  #") + QString::fromStdString(s.brokerOrderIds.front());
        if (!s.reason.empty())
            line += QStringLiteral("  ") + QString::fromStdString(s.reason);
        o << line << '\n';
    }
}

// A live modify or cancel the broker accepted is confirmed by an order update; the CLI runs no
// portfolio stream, so Upstox's book is asked instead (one fetch, reconciled and journaled).
void confirmFromBook(OrderService &service, const std::string &id, const QString &command)
{
    const std::optional<OrderState> state = service.order(id);
    if (!state || state->venue != Venue::Upstox ||
        (state->status != OrderStatus::PendingCancel &&
         state->status != OrderStatus::PendingModify))
        return;
    if (auto fetched = service.reconcileNow(Venue::Upstox, BrokerWait); !fetched)
        err() << "strikeline-cli " << command << ": " << fetched.error().message << Qt::endl;
}

int answerOrder(const OrderState &state, bool json, const QString &headline, int code)
{
    if (json)
        return printJson(orderStateJson(state), code);
    out() << headline << '\n';
    printOrders(out(), {state});
    out().flush();
    return code;
}

} // namespace

int runOrders(const QStringList &arguments)
{
    const QString command = QStringLiteral("orders");
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Today's orders from the order journal: the paper broker's, or with "
                       "--live Upstox's, reconciled with Upstox's order book and trades first "
                       "(orders placed in Upstox's app or web show as external).\n"
                       "Exit codes: 0 ok, 1 data error (the journal, or Upstox's book could not "
                       "be fetched: the journal's view is shown), 2 usage."));
    const DeskCommandOptions o;
    o.addTo(parser, true);
    parser.addHelpOption();
    if (auto stop = parseCommandLine(parser, command, arguments, Positional::Forbidden))
        return *stop;
    const bool live = parser.isSet(o.live);
    auto run = openDesk(parser, o, command, live);
    if (!run)
        return fail(command, run.error());
    OrderService &service = (*run)->desk->service();
    std::optional<Error> reconcileError;
    if (live) {
        if (auto fetched = service.reconcileNow(Venue::Upstox, BrokerWait); !fetched)
            reconcileError = fetched.error();
    }
    if (live && !reconcileError) {
        // Orders sent before a crash and never answered are being looked up by their tags:
        // say what the broker has (or that they are lost), not "sent".
        for (const OrderState &s : service.orders())
            if (s.venue == Venue::Upstox && s.status == OrderStatus::Sent)
                service.waitSettled(s.clientOrderId, LiveAnswerWait);
    }
    std::vector<OrderState> orders;
    const Venue venue = live ? Venue::Upstox : Venue::Paper;
    for (OrderState &s : service.orders())
        if (s.venue == venue)
            orders.push_back(std::move(s));
    service.waitPersisted(std::chrono::seconds(10)); // what reconciliation journaled, stored
    const int code = reconcileError ? ExitDataError : ExitOk;
    if (parser.isSet(o.json)) {
        QJsonObject answer{{QStringLiteral("venue"), str(venueName(venue))},
                           {QStringLiteral("orders"), orderStatesJson(orders)}};
        if (live) {
            answer.insert(QStringLiteral("reconciled"), !reconcileError);
            if (reconcileError)
                answer.insert(QStringLiteral("reconcile_error"), reconcileError->message);
        }
        printJson(answer, code);
    } else {
        printOrders(out(), orders,
                    live ? QStringLiteral("No Upstox orders today.")
                         : QStringLiteral("No paper orders today (--live: Upstox's)."));
        out().flush();
    }
    if (reconcileError)
        return fail(command, reconcileError->message + QStringLiteral("; shown: the journal's "
                                                                      "view, not reconciled"));
    return code;
}

int runModify(const QStringList &arguments)
{
    const QString command = QStringLiteral("modify");
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Modifies one working order of today (paper or Upstox, as it was placed): "
                       "the new terms are checked like a new order, journaled, then sent; the "
                       "order works as it was until the broker confirms.\n"
                       "Exit codes: 0 modified, 1 data error or no answer, 2 usage, 3 refused "
                       "(by the checks or the broker: the order stays as it was)."));
    parser.addPositionalArgument(QStringLiteral("ID"), QStringLiteral("The client order id."));
    const DeskCommandOptions o;
    o.addTo(parser, false);
    const QCommandLineOption price(QStringLiteral("price"), QStringLiteral("New limit price."),
                                   QStringLiteral("P"));
    const QCommandLineOption qty(QStringLiteral("qty"), QStringLiteral("New total quantity."),
                                 QStringLiteral("N"));
    const QCommandLineOption trigger(QStringLiteral("trigger"),
                                     QStringLiteral("New trigger price."), QStringLiteral("T"));
    const QCommandLineOption type(QStringLiteral("type"),
                                  QStringLiteral("New type: market, limit, sl or sl-m."),
                                  QStringLiteral("TYPE"));
    const QCommandLineOption validity(QStringLiteral("validity"),
                                      QStringLiteral("New validity: day or ioc."),
                                      QStringLiteral("V"));
    parser.addOptions({price, qty, trigger, type, validity});
    parser.addHelpOption();
    if (auto stop = parseCommandLine(parser, command, arguments, Positional::Allowed))
        return *stop;
    if (parser.positionalArguments().size() != 1)
        return fail(command, QStringLiteral("give one client order id"), ExitUsage);
    const std::string id = parser.positionalArguments().constFirst().trimmed().toStdString();

    OrderModification change;
    if (parser.isSet(price)) {
        auto p = readOrderPrice(QStringLiteral("price"), parser.value(price));
        if (!p)
            return fail(command, p.error());
        change.price = *p;
    }
    if (parser.isSet(trigger)) {
        auto p = readOrderPrice(QStringLiteral("trigger"), parser.value(trigger));
        if (!p)
            return fail(command, p.error());
        change.trigger = *p;
    }
    if (parser.isSet(qty)) {
        bool ok = false;
        const qint64 n = parser.value(qty).trimmed().toLongLong(&ok);
        if (!ok || n <= 0 || n > MaxOrderQuantity)
            return fail(command,
                        QStringLiteral("--qty must be a whole number from 1 to %1, not '%2'")
                            .arg(MaxOrderQuantity)
                            .arg(parser.value(qty)),
                        ExitUsage);
        change.quantity = n;
    }
    if (parser.isSet(type)) {
        const auto t = parseOrderType(parser.value(type).toStdString());
        if (!t)
            return fail(command,
                        QStringLiteral("--type must be market, limit, sl or sl-m, not '%1'")
                            .arg(parser.value(type)),
                        ExitUsage);
        change.type = *t;
    }
    if (parser.isSet(validity)) {
        const auto v = parseValidity(parser.value(validity).toStdString());
        if (!v)
            return fail(command,
                        QStringLiteral("--validity must be day or ioc, not '%1'")
                            .arg(parser.value(validity)),
                        ExitUsage);
        change.validity = *v;
    }
    if (!change.price && !change.trigger && !change.quantity && !change.type && !change.validity)
        return fail(command,
                    QStringLiteral("nothing to change: give --price, --qty, --trigger, --type or "
                                   "--validity"),
                    ExitUsage);

    auto clock = runningClock(parser, o.at);
    if (!clock)
        return fail(command, clock.error());
    auto run = openDeskFor(parser, o, command, id, (*clock)->now().day());
    if (!run)
        return fail(command, run.error());
    OrderService &service = (*run)->desk->service();
    const bool json = parser.isSet(o.json);
    auto modified = service.modify(id, change, BrokerWait);
    confirmFromBook(service, id, command);
    service.waitPersisted(std::chrono::seconds(10));
    if (!modified)
        return fail(command, modified.error());
    const std::optional<OrderState> state = service.order(id);
    if (!state)
        return fail(command, QStringLiteral("no order %1").arg(QString::fromStdString(id)));
    if (modified->status == OrderStatus::Rejected) {
        // Refused by the checks: nothing was sent, the order is as it was.
        if (json) {
            QJsonObject answer = orderStateJson(*state);
            QJsonArray reasons;
            for (const ValidationIssue &i : modified->issues)
                reasons.append(QJsonObject{{QStringLiteral("code"), str(i.code)},
                                           {QStringLiteral("message"), i.message}});
            answer.insert(QStringLiteral("refused"), reasons);
            return printJson(answer, ExitRejected);
        }
        out() << "REFUSED: the order is as it was\n";
        for (const ValidationIssue &i : modified->issues)
            out() << "  " << str(i.code) << ": " << i.message << '\n';
        out().flush();
        return ExitRejected;
    }
    if (state->status == OrderStatus::PendingModify)
        return answerOrder(
            *state, json,
            QStringLiteral("SENT: the broker has not confirmed the modification "
                           "yet; 'strikeline-cli orders%1' shows when it does")
                .arg(state->venue == Venue::Upstox ? QStringLiteral(" --live") : QString()),
            ExitDataError);
    // Confirmed: the order works on the new terms. Refused by the broker: as it was.
    const OrderRequest &now = state->request;
    const bool applied = (!change.price || now.price == *change.price) &&
                         (!change.trigger || now.trigger == *change.trigger) &&
                         (!change.quantity || now.quantity == *change.quantity) &&
                         (!change.type || now.type == *change.type) &&
                         (!change.validity || now.validity == *change.validity);
    if (!applied)
        return answerOrder(*state, json,
                           QStringLiteral("REFUSED by the broker%1; the order is as it was")
                               .arg(modified->reason.isEmpty()
                                        ? QString()
                                        : QStringLiteral(": ") + modified->reason),
                           ExitRejected);
    return answerOrder(*state, json, QStringLiteral("MODIFIED"), ExitOk);
}

int runCancel(const QStringList &arguments)
{
    const QString command = QStringLiteral("cancel");
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Cancels one working order of today (a sliced one: all its working "
                       "slices), or with --all every working order, paper and Upstox. Fills that "
                       "come before the broker confirms still count.\n"
                       "Exit codes: 0 cancelled, 1 data error or no answer, 2 usage, 3 refused "
                       "by the broker (it had already traded, for one)."));
    parser.addPositionalArgument(QStringLiteral("ID"), QStringLiteral("The client order id."),
                                 QStringLiteral("[ID]"));
    const DeskCommandOptions o;
    o.addTo(parser, false);
    const QCommandLineOption all(QStringLiteral("all"),
                                 QStringLiteral("Every working order of today."));
    parser.addOption(all);
    parser.addHelpOption();
    if (auto stop = parseCommandLine(parser, command, arguments, Positional::Allowed))
        return *stop;
    const QStringList ids = parser.positionalArguments();
    if (parser.isSet(all) == (ids.size() == 1) || ids.size() > 1)
        return fail(command, QStringLiteral("give one client order id, or --all"), ExitUsage);
    auto clock = runningClock(parser, o.at);
    if (!clock)
        return fail(command, clock.error());
    const QString directory = journalDirectoryOf(parser, o);
    const EpochDay today = (*clock)->now().day();
    const bool json = parser.isSet(o.json);

    if (parser.isSet(all)) {
        auto anyLive = journalHasWorking(directory, today, Venue::Upstox);
        if (!anyLive)
            return fail(command, anyLive.error());
        auto run = openDesk(parser, o, command, *anyLive);
        if (!run)
            return fail(command, run.error());
        OrderService &service = (*run)->desk->service();
        if (*anyLive)
            if (auto fetched = service.reconcileNow(Venue::Upstox, BrokerWait); !fetched)
                return fail(command, fetched.error());
        std::vector<std::string> asked;
        for (const OrderState &s : service.orders())
            if (s.parentClientOrderId.empty() && isWorking(s.status))
                asked.push_back(s.clientOrderId);
        std::map<std::string, QString> failures;
        bool livePending = false;
        for (const std::string &id : asked) {
            if (auto cancelled = service.cancel(id, BrokerWait); !cancelled)
                failures[id] = cancelled.error().message;
            const std::optional<OrderState> state = service.order(id);
            livePending |= state && state->venue == Venue::Upstox &&
                           state->status == OrderStatus::PendingCancel;
        }
        if (livePending) // confirmed by Upstox's book, once for all of them
            if (auto fetched = service.reconcileNow(Venue::Upstox, BrokerWait); !fetched)
                err() << "strikeline-cli " << command << ": " << fetched.error().message
                      << Qt::endl;
        QJsonArray answers;
        int code = ExitOk;
        for (const std::string &id : asked) {
            const std::optional<OrderState> state = service.order(id);
            QString outcome = QStringLiteral("cancelled");
            if (const auto failed = failures.find(id); failed != failures.end()) {
                outcome = failed->second;
                code = ExitDataError;
            } else if (state && state->status != OrderStatus::Cancelled) {
                outcome = state->status == OrderStatus::PendingCancel
                              ? QStringLiteral("sent, not confirmed yet")
                              : QStringLiteral("not cancelled: %1")
                                    .arg(str(orderStatusName(state->status)));
                code = ExitDataError;
            }
            if (state)
                answers.append(orderStateJson(*state));
            if (!json)
                out() << QString::fromStdString(id) << "  " << outcome << '\n';
        }
        service.waitPersisted(std::chrono::seconds(10));
        if (json)
            return printJson(
                QJsonObject{{QStringLiteral("asked"), static_cast<qint64>(asked.size())},
                            {QStringLiteral("orders"), answers}},
                code);
        if (asked.empty())
            out() << "No working orders.\n";
        out().flush();
        return code;
    }

    const std::string id = ids.constFirst().trimmed().toStdString();
    auto run = openDeskFor(parser, o, command, id, today);
    if (!run)
        return fail(command, run.error());
    OrderService &service = (*run)->desk->service();
    auto cancelled = service.cancel(id, BrokerWait);
    confirmFromBook(service, id, command);
    service.waitPersisted(std::chrono::seconds(10));
    if (!cancelled)
        return fail(command, cancelled.error());
    const std::optional<OrderState> state = service.order(id);
    if (!state)
        return fail(command, QStringLiteral("no order %1").arg(QString::fromStdString(id)));
    switch (state->status) {
    case OrderStatus::Cancelled:
        return answerOrder(*state, json, QStringLiteral("CANCELLED"), ExitOk);
    case OrderStatus::PendingCancel:
        return answerOrder(*state, json,
                           QStringLiteral("SENT: the broker has not confirmed the cancel yet"),
                           ExitDataError);
    default:
        return answerOrder(*state, json,
                           QStringLiteral("NOT CANCELLED: the order is %1%2")
                               .arg(str(orderStatusName(state->status)),
                                    state->reason.empty()
                                        ? QString()
                                        : QStringLiteral(" (") +
                                              QString::fromStdString(state->reason) +
                                              QStringLiteral(")")),
                           ExitRejected);
    }
}

int runPositions(const QStringList &arguments)
{
    const QString command = QStringLiteral("positions");
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Open positions: the paper broker's, folded from the journal's fills "
                       "(carry-forward ones included), or with --live Upstox's day positions "
                       "with its P&L.\nExit codes: 0 ok, 1 data or network error, 2 usage."));
    const DeskCommandOptions o;
    o.addTo(parser, true);
    parser.addHelpOption();
    if (auto stop = parseCommandLine(parser, command, arguments, Positional::Forbidden))
        return *stop;
    const bool json = parser.isSet(o.json);
    if (!parser.isSet(o.live)) {
        auto run = openDesk(parser, o, command, false);
        if (!run)
            return fail(command, run.error());
        const std::vector<Position> positions =
            (*run)->desk->service().positions((*run)->simulated.get(), Venue::Paper);
        if (json) {
            QJsonArray array;
            for (const Position &p : positions)
                array.append(positionJson(p, Venue::Paper));
            return printJson(QJsonObject{{QStringLiteral("venue"), QStringLiteral("paper")},
                                         {QStringLiteral("positions"), array}},
                             ExitOk);
        }
        if (positions.empty())
            out() << "No paper positions.\n";
        for (const Position &p : positions) {
            out() << QStringLiteral("%1  %2 @ %3  realised %4  unrealised %5 (simulated)")
                         .arg(QString::fromStdString(p.instrumentKey), -20)
                         .arg(p.netQuantity, 7)
                         .arg(priceText(p.averagePrice))
                         .arg(p.realisedPnl.toIndian(2))
                         .arg(p.lastPrice ? p.unrealisedPnl.toIndian(2) : QStringLiteral("-"))
                  << '\n';
        }
        out().flush();
        return ExitOk;
    }
    auto access = tradingAccess();
    if (!access)
        return fail(command, access.error());
    QObject context;
    QEventLoop loop;
    std::optional<upstox::UpstoxResult<std::vector<upstox::UpstoxPosition>>> answer;
    upstox::fetchPositions(*(*access)->client, &context, [&](auto r) {
        answer.emplace(std::move(r));
        loop.quit();
    });
    if (!answer)
        loop.exec();
    if (!answer->ok())
        return fail(command, answer->error().toString());
    const std::vector<upstox::UpstoxPosition> &positions = answer->value();
    if (json) {
        QJsonArray array;
        for (const upstox::UpstoxPosition &p : positions)
            array.append(upstox::positionJson(p));
        return printJson(QJsonObject{{QStringLiteral("venue"), QStringLiteral("upstox")},
                                     {QStringLiteral("positions"), array}},
                         ExitOk);
    }
    if (positions.empty())
        out() << "No Upstox positions today.\n";
    for (const upstox::UpstoxPosition &p : positions) {
        out() << QStringLiteral("%1  %2  %3 @ %4  LTP %5  P&L %6 (realised %7)")
                     .arg(p.tradingSymbol.isEmpty() ? p.instrumentKey : p.tradingSymbol, -26)
                     .arg(str(productName(p.product)))
                     .arg(p.quantity, 7)
                     .arg(priceText(p.averagePrice))
                     .arg(priceText(p.lastPrice))
                     .arg(p.pnl.toIndian(2))
                     .arg(p.realised.toIndian(2))
              << '\n';
    }
    out().flush();
    return ExitOk;
}

int runFunds(const QStringList &arguments)
{
    const QString command = QStringLiteral("funds");
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Upstox's funds and margin: available, used, pay-in, SPAN and exposure.\n"
                       "Exit codes: 0 ok, 1 not logged in or a network error, 2 usage."));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print JSON."));
    parser.addOption(json);
    parser.addHelpOption();
    if (auto stop = parseCommandLine(parser, command, arguments, Positional::Forbidden))
        return *stop;
    auto access = tradingAccess();
    if (!access)
        return fail(command, access.error());
    QObject context;
    QEventLoop loop;
    std::optional<upstox::UpstoxResult<upstox::UpstoxFunds>> answer;
    (*access)->client->funds(&context, [&](upstox::UpstoxResult<upstox::UpstoxFunds> r) {
        answer.emplace(std::move(r));
        loop.quit();
    });
    if (!answer)
        loop.exec();
    if (!answer->ok())
        return fail(command, answer->error().toString());
    const upstox::UpstoxFunds &f = answer->value();
    if (parser.isSet(json))
        return printJson(upstox::fundsJson(f), ExitOk);
    const auto print = [](const char *name, const upstox::FundsSegment &s) {
        out() << name << ": available Rs " << s.availableMargin.toIndian(2) << ", used Rs "
              << s.usedMargin.toIndian(2) << " (SPAN " << s.spanMargin.toIndian(2) << ", exposure "
              << s.exposureMargin.toIndian(2) << "), pay-in Rs " << s.payinAmount.toIndian(2)
              << '\n';
    };
    print("Equity and F&O", f.equity);
    if (f.commodity)
        print("Commodity", *f.commodity);
    out().flush();
    return ExitOk;
}

} // namespace strikeline::cli
