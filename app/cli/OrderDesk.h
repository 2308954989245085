#pragma once

// What every order-book command of strikeline-cli opens (order, orders, modify, cancel,
// positions): the journal folder checked and locked against other runs, the database checked,
// the gateways (paper always; Upstox with --live, on its own thread, on the session token), and
// the order service over them, which replays the journal and looks up any order a crash left
// unanswered. Working paper orders of earlier runs are handed back to the paper broker, so a
// later run can modify, cancel or fill them.
//
// The desk is the composition point of these commands: it is torn down in the order that lets
// nothing dangle (the service first, then the Upstox gateway and its thread, then the client).

#include "instruments/InstrumentSnapshot.h" // SnapshotPtr
#include "orders/KillSwitch.h"
#include "orders/OrderService.h"
#include "orders/PaperGateway.h"

#include <QStringList>

#include <chrono>
#include <memory>

class QCommandLineOption;
class QCommandLineParser;
class QJsonObject;
class QLockFile;
class QThread;

namespace strikeline {
class InstrumentRepository;
class OrderValidator;
class SimulatedMarket;
namespace upstox {
class UpstoxClient;
class UpstoxOrderGateway;
} // namespace upstox
} // namespace strikeline

namespace strikeline::cli {

struct TradingAccess;

// The app-data folder's journal/, where the terminal keeps its journal too.
QString defaultJournalDirectory();

struct OrderDeskOptions
{
    QString journalDirectory;
    DatabaseConfig database;
    bool live = false; // an Upstox gateway too, on the session token
};

class OrderDesk final
{
public:
    // `repository`, `market` and `clock` outlive the desk. `validate` may use the desk's
    // service once open() has returned (positions, as the terminal does).
    static Result<std::unique_ptr<OrderDesk>> open(const OrderDeskOptions &options,
                                                   const InstrumentRepository &repository,
                                                   const MarketData &market, const Clock &clock,
                                                   ValidateOrder validate);
    ~OrderDesk();

    OrderService &service() { return *m_service; }
    PaperGateway &paper() { return *m_paper; }
    bool live() const { return m_gateway != nullptr; }
    // Upstox's client (live desks only), for account calls beside the orders.
    upstox::UpstoxClient *client();
    // Upstox's portfolio stream: order updates as they happen (live desks only; a one-shot
    // command reconciles with the book instead).
    void startStream();
    // The redacted database URL, for messages.
    const QString &databaseName() const { return m_databaseName; }
    // Locks of runs that are gone (kill -9), taken over; for the trader to see.
    const QStringList &takenOver() const { return m_takenOver; }

    OrderDesk(const OrderDesk &) = delete;
    OrderDesk &operator=(const OrderDesk &) = delete;

private:
    OrderDesk();

    std::unique_ptr<QLockFile> m_writer;
    QStringList m_takenOver;
    QString m_databaseName;
    std::unique_ptr<TradingAccess> m_access;
    QThread *m_gatewayThread = nullptr;
    upstox::UpstoxOrderGateway *m_gateway = nullptr; // lives on m_gatewayThread
    std::unique_ptr<PaperGateway> m_paper;
    std::unique_ptr<OrderService> m_service;
};

// Everything an order-book command (or serve --orders) runs on, torn down in reverse: the
// contracts, the clock, the paper broker's simulated prices, the terminal's checks (the kill
// switch as `halt` left it, the contract's rules, the journal's positions of the order's venue;
// a live order is never checked against simulated prices), and the desk.
struct DeskRun
{
    static Result<std::unique_ptr<DeskRun>> open(SnapshotPtr snapshot,
                                                 const OrderDeskOptions &options,
                                                 std::unique_ptr<Clock> clock,
                                                 const QString &command);
    ~DeskRun();

    SnapshotPtr snapshot;
    std::unique_ptr<InstrumentRepository> repository;
    std::unique_ptr<Clock> clock;
    std::unique_ptr<SimulatedMarket> simulated; // the paper broker's prices only
    std::unique_ptr<OrderValidator> validator;
    KillSwitch killSwitch;
    std::unique_ptr<OrderDesk> desk;
};

// The order commands' shared reading and printing.
std::optional<Price> parsePriceOption(const QString &text);
// --price / --trigger: a positive amount in rupees within what an exchange accepts, or an error
// that says which of those it is not.
Result<Price> readOrderPrice(const QString &option, const QString &text);
// The kill switch as `halt` / `resume` (or the desktop) left it; an unreadable file is the safe
// side, halted, with the reason (printed).
HaltState haltStateFromFile(const QString &command);
int printJson(const QJsonObject &object, int code);
// The contracts: --master when given, else the database (--db is where the orders go too).
Result<SnapshotPtr> loadDeskInstruments(const QCommandLineParser &parser,
                                        const QCommandLineOption &master,
                                        const QCommandLineOption &db, const QString &command);

// How long a command waits for the broker's book (reconcile) or answer.
inline constexpr std::chrono::seconds BrokerWait{15};
// How long a live order without an answer is waited for: the place's own timeout, then the
// lookups of its tag (OrderServiceConfig::tagLookupDelays) that find it or call it lost.
inline constexpr std::chrono::seconds LiveAnswerWait{45};

} // namespace strikeline::cli
