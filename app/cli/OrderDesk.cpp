#include "OrderDesk.h"

#include "CliCommon.h"
#include "UpstoxAccess.h"
#include "broker/upstox/UpstoxOrderGateway.h"
#include "instruments/InstrumentRepository.h"
#include "marketdata/SimulatedMarket.h"
#include "orders/AccountView.h"
#include "orders/KillSwitch.h"
#include "orders/OrderJournal.h"
#include "orders/OrderValidator.h"
#include "storage/Database.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLockFile>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QSysInfo>
#include <QTemporaryFile>
#include <QThread>

#include <spdlog/spdlog.h>

#include <cerrno>
#include <csignal>

namespace strikeline::cli {

namespace {

// How long a run waits for another run on the same journal folder to finish.
constexpr std::chrono::seconds JournalLockTimeout{30};

// The journal folder can hold a new file, and every journal in it reads back intact (the
// service replays them all when it opens).
Result<void> checkJournalDirectory(const QString &directory)
{
    if (!QDir().mkpath(directory)) {
        return Error::make(
            ErrorCode::Io,
            QStringLiteral("cannot create the order journal folder %1").arg(directory));
    }
    QTemporaryFile probe(QDir(directory).filePath(QStringLiteral(".write-check-XXXXXX")));
    if (!probe.open()) {
        return Error::make(ErrorCode::Io, QStringLiteral("cannot write in the order journal "
                                                         "folder %1: %2")
                                              .arg(directory, probe.errorString()));
    }
    for (const QString &file : OrderJournal::journalFiles(directory)) {
        if (auto replayed = OrderJournal::replay(file); !replayed) {
            return Error::make(ErrorCode::Io, QStringLiteral("the order journal %1 is damaged: %2")
                                                  .arg(file, replayed.error().message));
        }
    }
    return success();
}

// The process that wrote a QLockFile (`path`) is gone: the file names a process of this machine
// that no longer exists. QLockFile's own check also compares the machine's unique id and boot
// time and otherwise waits out the stale-lock time (30 s); a killed `order` run must not stall
// the trader's next one that long.
bool lockOwnerIsGone(QLockFile &lock, const QString &path, qint64 *pid)
{
    if (!QFileInfo::exists(path))
        return false;
    QString host;
    QString app;
    if (!lock.getLockInfo(pid, &host, &app) || *pid <= 0) {
        // Unreadable: being written this very moment, or left empty by a process killed between
        // creating and writing it. Only the second is still unreadable a second later.
        *pid = 0;
        const QDateTime modified = QFileInfo(path).lastModified();
        return modified.isValid() && modified.secsTo(QDateTime::currentDateTime()) >= 2;
    }
    if (host != QSysInfo::machineHostName())
        return false; // another machine's process: cannot tell, leave it to the stale time
    return ::kill(static_cast<pid_t>(*pid), 0) != 0 && errno == ESRCH;
}

// Takes the `order` runs' lock on the journal folder. A lock (or QLockFile's removal lock,
// "<lock>.rmlock") left by a process that is gone (kill -9) is removed at once; a live owner is
// waited for up to `timeout`. Returns what was taken over, for the trader to see.
Result<QStringList> takeJournalLock(QLockFile &writer, const QString &path,
                                    std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    const QString removalPath = path + QStringLiteral(".rmlock");
    QStringList takenOver;
    for (;;) {
        // Our own check first: QLockFile's tryLock would wait out the stale time on a lock it
        // cannot attribute to this machine.
        QLockFile removal(removalPath);
        for (const auto &[lock, lockPath] :
             {std::pair{&writer, path}, std::pair{&removal, removalPath}}) {
            qint64 pid = 0;
            if (lockOwnerIsGone(*lock, lockPath, &pid) && lock->removeStaleLockFile()) {
                takenOver << (pid > 0 ? QStringLiteral("%1 (process %2, gone)")
                                            .arg(QFileInfo(lockPath).fileName())
                                            .arg(pid)
                                      : QStringLiteral("%1 (left empty)")
                                            .arg(QFileInfo(lockPath).fileName()));
            }
        }
        if (writer.tryLock(0))
            return takenOver;
        if (writer.error() != QLockFile::LockFailedError) {
            return Error::make(ErrorCode::Io,
                               QStringLiteral("cannot create the lock file %1").arg(path));
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            qint64 pid = 0;
            QString host;
            QString app;
            writer.getLockInfo(&pid, &host, &app);
            return Error::make(ErrorCode::Conflict,
                               QStringLiteral("the order journal in %1 is in use by process %2 "
                                              "(%3); try again when it has finished")
                                   .arg(QFileInfo(path).absolutePath())
                                   .arg(pid)
                                   .arg(app));
        }
        QThread::msleep(50);
    }
}

} // namespace

std::optional<Price> parsePriceOption(const QString &text)
{
    return Price::parse(text.trimmed().toStdString());
}

// --price / --trigger: a positive amount in rupees within what an exchange accepts, or an error
// that says which of those it is not.
Result<Price> readOrderPrice(const QString &option, const QString &text)
{
    const auto bad = [&](const QString &why) {
        return Error::make(ErrorCode::InvalidArgument,
                           QStringLiteral("--%1 '%2' %3").arg(option, text, why));
    };
    static const QRegularExpression decimal(QStringLiteral(R"(^\s*[+-]?(\d*)(?:\.(\d*))?\s*$)"));
    const QRegularExpressionMatch m = decimal.match(text);
    if (!m.hasMatch() || (m.captured(1).isEmpty() && m.captured(2).isEmpty()))
        return bad(QStringLiteral("is not a price in rupees (e.g. 101.05)"));
    const auto parsed = parsePriceOption(text);
    if (!parsed) {
        if (m.captured(2).size() > Price::Decimals)
            return bad(QStringLiteral("has more than %1 decimals").arg(Price::Decimals));
        return bad(QStringLiteral("is above Rs %1, more than any exchange accepts")
                       .arg(MaxOrderPrice.toQString(0)));
    }
    if (!parsed->isPositive())
        return bad(QStringLiteral("must be a positive price in rupees"));
    if (*parsed > MaxOrderPrice)
        return bad(QStringLiteral("is above Rs %1, more than any exchange accepts")
                       .arg(MaxOrderPrice.toQString(0)));
    return *parsed;
}

// The kill switch as `halt` / `resume` (or the desktop) left it; an unreadable file is the safe
// side, halted, with the reason.
HaltState haltStateFromFile(const QString &command)
{
    Result<HaltState> read = readHaltState(defaultHaltFile());
    if (read)
        return read.value();
    err() << "strikeline-cli " << command << ": " << read.error().message << Qt::endl;
    HaltState unknown;
    unknown.halted = true;
    unknown.reason = read.error().message;
    return unknown;
}

int printJson(const QJsonObject &object, int code)
{
    out() << QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Indented));
    out().flush();
    return code;
}

// For `order`, --db is where the orders go, and the instruments come from --master when it is
// given (loadSnapshot itself takes one source or the other, so it sees only --master then).
Result<SnapshotPtr> loadDeskInstruments(const QCommandLineParser &parser,
                                        const QCommandLineOption &master,
                                        const QCommandLineOption &db, const QString &command)
{
    if (!parser.isSet(master))
        return loadSnapshot(parser, master, db, command);
    QCommandLineParser masterOnly;
    masterOnly.addOptions({master, db});
    if (!masterOnly.parse({command, QStringLiteral("--master"), parser.value(master)}))
        return Error::make(ErrorCode::InvalidArgument, masterOnly.errorText());
    return loadSnapshot(masterOnly, master, db, command);
}

QString defaultJournalDirectory()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
           QStringLiteral("/journal");
}

OrderDesk::OrderDesk() = default;

upstox::UpstoxClient *OrderDesk::client()
{
    return m_access ? m_access->client.get() : nullptr;
}

void OrderDesk::startStream()
{
    if (m_gateway)
        m_gateway->startStream();
}

DeskRun::~DeskRun()
{
    desk.reset(); // the service first: it uses the validator, the prices and the repository
}

Result<std::unique_ptr<DeskRun>> DeskRun::open(SnapshotPtr snapshot,
                                               const OrderDeskOptions &options,
                                               std::unique_ptr<Clock> clock, const QString &command)
{
    auto run = std::make_unique<DeskRun>();
    run->snapshot = std::move(snapshot);
    run->clock = std::move(clock);
    run->repository = std::make_unique<InstrumentRepository>();
    run->repository->publish(run->snapshot);
    run->simulated = std::make_unique<SimulatedMarket>(*run->repository, *run->clock);
    run->validator = std::make_unique<OrderValidator>(*run->clock);
    run->killSwitch.set(haltStateFromFile(command));
    run->validator->setKillSwitch(&run->killSwitch);
    DeskRun *r = run.get();
    auto validate = [r](const OrderRequest &request) {
        AccountSnapshot account;
        if (r->desk) {
            for (const Position &p : r->desk->service().positions(nullptr, request.venue))
                account.setPosition(p.instrumentKey, p.netQuantity);
        }
        const MarketData *market = request.venue == Venue::Paper
                                       ? static_cast<const MarketData *>(r->simulated.get())
                                       : nullptr;
        return r->validator->validate(request, *r->snapshot, market, &account);
    };
    auto desk = OrderDesk::open(options, *run->repository, *run->simulated, *run->clock, validate);
    if (!desk)
        return desk.error();
    run->desk = std::move(*desk);
    for (const QString &stale : run->desk->takenOver())
        err() << "strikeline-cli " << command << ": took over the stale lock " << stale << Qt::endl;
    return run;
}

OrderDesk::~OrderDesk()
{
    m_service.reset(); // stops sending, detaches from the gateways
    if (m_gatewayThread) {
        // The gateway is deleted on its own thread as that thread's loop ends.
        m_gatewayThread->quit();
        m_gatewayThread->wait();
        delete m_gatewayThread;
    }
    m_paper.reset();
    m_access.reset(); // the client, then the network thread
}

Result<std::unique_ptr<OrderDesk>> OrderDesk::open(const OrderDeskOptions &options,
                                                   const InstrumentRepository &repository,
                                                   const MarketData &market, const Clock &clock,
                                                   ValidateOrder validate)
{
    std::unique_ptr<OrderDesk> desk(new OrderDesk());
    // The session first: without one nothing is locked or opened.
    if (options.live) {
        auto access = tradingAccess();
        if (!access)
            return access.error();
        desk->m_access = std::move(*access);
    }
    // The journal and the database are checked before anything is placed: an order must not
    // stand at a broker with nowhere to be recorded. (The journal check also keeps a bad folder
    // or a damaged journal away from OrderService::open, whose failure paths are not safe to
    // unwind today.)
    if (auto usable = checkJournalDirectory(options.journalDirectory); !usable)
        return usable.error();
    // The journal has one writer at a time: another run waits here. (The journal file itself is
    // flock'ed by OrderJournal, which keeps the terminal out.)
    const QString lockPath = QDir(options.journalDirectory).filePath(QStringLiteral("orders.lock"));
    desk->m_writer = std::make_unique<QLockFile>(lockPath);
    auto locked = takeJournalLock(*desk->m_writer, lockPath, JournalLockTimeout);
    if (!locked)
        return locked.error();
    desk->m_takenOver = *locked;
    desk->m_databaseName = options.database.redacted();
    if (auto check = Database::open(options.database, QStringLiteral("order-check")); !check) {
        return Error::make(check.error().code,
                           QStringLiteral("cannot open the database %1: %2")
                               .arg(desk->m_databaseName, check.error().message));
    }

    desk->m_paper = std::make_unique<PaperGateway>(market, clock);
    std::vector<BrokerGateway *> gateways{desk->m_paper.get()};
    if (desk->m_access) {
        desk->m_gatewayThread = new QThread();
        desk->m_gatewayThread->setObjectName(QStringLiteral("strikeline-orders-net"));
        desk->m_gateway = new upstox::UpstoxOrderGateway(*desk->m_access->client, {});
        desk->m_gateway->moveToThread(desk->m_gatewayThread);
        QObject::connect(desk->m_gatewayThread, &QThread::finished, desk->m_gateway,
                         &QObject::deleteLater);
        desk->m_gatewayThread->start();
        gateways.push_back(desk->m_gateway);
    }
    OrderServiceConfig config;
    config.journalDirectory = options.journalDirectory;
    config.database = options.database;
    auto opened =
        OrderService::open(OrderService::Dependencies{contractLookupFor(repository),
                                                      std::move(validate), gateways, clock},
                           config);
    if (!opened) {
        return Error::make(opened.error().code,
                           QStringLiteral("cannot open the order journal in %1: %2")
                               .arg(options.journalDirectory, opened.error().message));
    }
    desk->m_service = std::move(*opened);
    const std::size_t restored = desk->m_paper->restore(desk->m_service->orders());
    if (restored > 0)
        spdlog::info("paper broker: {} working orders of earlier runs restored", restored);
    return desk;
}

} // namespace strikeline::cli
