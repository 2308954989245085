// strikeline: the desktop terminal. This file is the composition root: it builds the services,
// wires them together and owns them for the life of the program.

#include "Terminal.h"
#include "chain/OptionChainModel.h"
#include "chain/OptionChainView.h"
#include "common/IstTime.h"
#include "common/Logging.h"
#include "mainwindow/MainWindow.h"
#include "mainwindow/MasterLoader.h"
#include "orders/OrderService.h"
#include "orders/OrdersPanel.h"
#include "palette/CommandPalette.h"
#include "search/SearchResultsModel.h"
#include "sync/InstrumentSync.h"
#include "sync/SyncPanel.h"
#include "theme/Theme.h"
#include "watch/WatchPanel.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDialog>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QIcon>
#include <QPainter>
#include <QPixmap>
#include <QSettings>
#include <QStandardPaths>
#include <QTableView>
#include <QTextStream>
#include <QTimer>

#include <spdlog/spdlog.h>

#include <functional>
#include <memory>

namespace {

using strikeline::ui::MainWindow;
using strikeline::ui::MasterLoader;
using strikeline::ui::SearchResultsModel;

constexpr int LoadTimeoutMs = 60 * 1000;

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

QTextStream &err()
{
    static QTextStream stream(stderr);
    return stream;
}

// Runs `action` once the window shows a snapshot and the loader has reported success;
// a failed load or the timeout ends the program with exit code 1 instead.
void whenLoaded(MainWindow &window, MasterLoader &loader, const QString &what,
                std::function<void(qint64 elapsedMs)> action)
{
    auto elapsed = std::make_shared<qint64>(-1);
    auto done = std::make_shared<bool>(false);
    auto tryRun = [&window, elapsed, done, action] {
        if (*done || *elapsed < 0 || !window.snapshot())
            return;
        *done = true;
        action(*elapsed);
    };
    QObject::connect(&loader, &MasterLoader::finished, &window,
                     [what, elapsed, done, tryRun](bool ok, const QString &message, qint64 ms) {
                         if (!ok) {
                             *done = true;
                             err() << what << " failed: " << message << Qt::endl;
                             QCoreApplication::exit(1);
                             return;
                         }
                         *elapsed = ms;
                         tryRun();
                     });
    QObject::connect(&window, &MainWindow::snapshotApplied, &window, tryRun);
    QTimer::singleShot(LoadTimeoutMs, &window, [what, done] {
        if (*done)
            return;
        *done = true;
        err() << what << " failed: instruments did not finish loading within "
              << LoadTimeoutMs / 1000 << " s" << Qt::endl;
        QCoreApplication::exit(1);
    });
}

void runSmokeTest(MainWindow &window, MasterLoader &loader, const QElapsedTimer &sinceStart)
{
    whenLoaded(
        window, loader, QStringLiteral("smoke test"), [&window, &sinceStart](qint64 elapsedMs) {
            const QString query = QStringLiteral("NIFTY");
            window.setQuery(query);
            const SearchResultsModel &results = window.results();
            if (results.rowCount() == 0) {
                err() << "smoke test failed: no results for '" << query << "' in "
                      << window.snapshot()->size() << " instruments" << Qt::endl;
                QCoreApplication::exit(1);
                return;
            }
            window.showResult(0);
            // Interactive: the results are on screen (painted), measured from main().
            window.repaint();
            const qint64 interactiveMs = sinceStart.elapsed();

            // The chain: the top result's underlying (NIFTY), nearest expiry, sorted strikes.
            window.openChain(query);
            const strikeline::ui::OptionChainModel &chain = window.chainView().model();
            if (chain.rowCount() == 0) {
                err() << "smoke test failed: the option chain of " << query << " is empty"
                      << Qt::endl;
                QCoreApplication::exit(1);
                return;
            }
            const auto &info = window.snapshot()->info();
            out() << "interactive in " << interactiveMs << " ms after start" << Qt::endl;
            out() << "chain ok: " << query << " "
                  << strikeline::formatDisplayDay(window.chainView().currentExpiry()) << ", "
                  << chain.rowCount() << " strikes" << Qt::endl;
            out() << "smoke test ok: " << window.snapshot()->size() << " instruments from "
                  << info.description << (info.demo ? " [demo]" : "") << " loaded in " << elapsedMs
                  << " ms; '" << query << "' -> " << results.rowCount() << " results, first "
                  << results.index(0, SearchResultsModel::SymbolColumn).data().toString() << " ("
                  << results.index(0, SearchResultsModel::KeyColumn).data().toString() << ")"
                  << Qt::endl;
            QCoreApplication::exit(0);
        });
}

#ifdef STRIKELINE_SCREENSHOTS
// strikeline-screenshots only (never the installed terminal): the docs' pictures.
// For the docs only: a few paper orders on the top result of the search (a market buy that
// fills, a limit sell far above the price that rests), then the orders tab -- or the ticket.
void stageOrders(strikeline::desktop::Terminal &terminal, bool ticketOnly)
{
    const QString key = terminal.window()
                            .results()
                            .index(0, 0)
                            .data(SearchResultsModel::InstrumentKeyRole)
                            .toString();
    if (key.isEmpty() || !terminal.orders())
        return;
    if (ticketOnly) {
        terminal.openTicket(key, strikeline::Side::Buy);
        return;
    }
    const strikeline::SnapshotPtr snapshot = terminal.window().snapshot();
    const auto id = snapshot->findByKey(key.toStdString());
    const auto quote = terminal.market().quote(key.toStdString());
    if (!id || !quote)
        return;
    const strikeline::InstrumentView contract = snapshot->instrument(*id);
    strikeline::OrderRequest buy;
    buy.instrumentKey = key.toStdString();
    buy.type = strikeline::OrderType::Market;
    buy.quantity = 2 * contract.lotSize();
    terminal.submitOrder(buy);
    strikeline::OrderRequest sell = buy;
    sell.side = strikeline::Side::Sell;
    sell.type = strikeline::OrderType::Limit;
    sell.quantity = contract.lotSize();
    sell.price = (quote->last + strikeline::Price::fromRaw(quote->last.raw() / 20))
                     .roundDownTo(contract.tickSize());
    terminal.submitOrder(sell);
    terminal.window().showPanel(&terminal.ordersPanel());
}

// For the docs only: the window with a query typed and the top result picked, as a PNG.
void takeScreenshot(strikeline::desktop::Terminal &terminal, const QString &file,
                    const QString &query, const QString &chain, const QString &spot, bool palette,
                    const QString &panel)
{
    MainWindow &window = terminal.window();
    whenLoaded(
        window, terminal.loader(), QStringLiteral("screenshot"),
        [&window, &terminal, file, query, chain, spot, palette, panel](qint64) {
            window.setQuery(query);
            window.showResult(0);
            if (!chain.isEmpty()) {
                window.openChain(chain);
                if (!spot.isEmpty())
                    window.chainView().setSpotText(spot);
            }
            if (panel == QLatin1String("sync")) {
                window.showPanel(&terminal.syncPanel());
                // The newest run's changes, once the history has arrived from the
                // sync thread.
                QTimer::singleShot(700, &window,
                                   [&terminal] { terminal.syncPanel().runsView()->selectRow(0); });
            }
            if (panel == QLatin1String("upstox"))
                terminal.openUpstoxPage();
            if (panel == QLatin1String("watch"))
                window.showPanel(&terminal.watchPanel());
            if (panel == QLatin1String("orders") || panel == QLatin1String("ticket"))
                stageOrders(terminal, panel == QLatin1String("ticket"));
            if (palette) {
                window.commandPalette().popup(&window);
                window.commandPalette().setQuery(query);
            }
            // Let the layout settle and paint once before grabbing (a live chain: its feed
            // connects and the first ticks arrive).
            const int settle = !panel.isEmpty() ? 1500 : terminal.liveMarket() ? 4000 : 300;
            QTimer::singleShot(settle, &window, [&window, file] {
                QDir().mkpath(QFileInfo(file).absolutePath());
                // The palette is a window of its own: paint it onto the main window's
                // picture.
                QPixmap picture = window.grab();
                QPainter painter(&picture);
                if (window.commandPalette().isVisible())
                    painter.drawPixmap(window.mapFromGlobal(window.commandPalette().pos()),
                                       window.commandPalette().grab());
                // Dialogs (the order ticket) are windows of their own too.
                for (QDialog *dialog : window.findChildren<QDialog *>()) {
                    if (dialog->isVisible())
                        painter.drawPixmap(window.mapFromGlobal(dialog->pos()), dialog->grab());
                }
                painter.end();
                if (!picture.save(file, "PNG")) {
                    err() << "cannot write the screenshot to " << file << Qt::endl;
                    QCoreApplication::exit(1);
                    return;
                }
                out() << "screenshot saved to " << file << Qt::endl;
                QCoreApplication::exit(0);
            });
        });
}

#endif // STRIKELINE_SCREENSHOTS

void setApplicationNames()
{
    QCoreApplication::setApplicationName(QStringLiteral("strikeline"));
    QCoreApplication::setOrganizationName(QStringLiteral("Strikeline"));
    QCoreApplication::setApplicationVersion(QStringLiteral(STRIKELINE_VERSION));
}

// Logs go to stderr and to <AppLocalDataLocation>/logs/strikeline.log (rotating), info and up
// unless the settings key logging/level, SPDLOG_LEVEL or --log-level say otherwise; passwords
// and tokens are redacted (common/Logging.h). False after a usage error, already printed.
bool setUpLogging(int argc, char *argv[])
{
    QStringList arguments;
    for (int i = 1; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);
    auto logging = strikeline::logging::setUp(arguments, {"strikeline", spdlog::level::info, true});
    if (!logging && logging.error().code == strikeline::ErrorCode::InvalidArgument) {
        err() << "strikeline: " << logging.error().message << Qt::endl;
        return false;
    }
    spdlog::info("strikeline {} starting", STRIKELINE_VERSION);
    return true;
}

QIcon applicationIcon()
{
    QIcon icon;
    for (int size : {16, 32, 48, 64, 128, 256})
        icon.addFile(QStringLiteral(":/icons/%1/in.strikeline.Strikeline.png").arg(size));
    return icon;
}

} // namespace

int main(int argc, char *argv[])
{
    QElapsedTimer sinceStart;
    sinceStart.start();
    setApplicationNames();
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Strikeline: a desktop trading terminal for NSE/BSE F&O and MCX."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption masterOption(
        QStringLiteral("master"),
        QStringLiteral("Load this Upstox instrument master (.json.gz, .json, .csv.gz, .csv) "
                       "instead of the database."),
        QStringLiteral("FILE"));
    const QCommandLineOption dbOption(
        QStringLiteral("db"),
        QStringLiteral("Database: sqlite:///path/file.db or postgresql://user@host:port/db "
                       "(default: the embedded SQLite database in the app-data folder)."),
        QStringLiteral("URL"));
    const QCommandLineOption smokeOption(
        QStringLiteral("smoke-test"),
        QStringLiteral("Open the window, load the instruments, search for NIFTY, print a "
                       "summary and exit (0 on success)."));
#ifdef STRIKELINE_SCREENSHOTS
    QCommandLineOption screenshotOption(QStringLiteral("screenshot"),
                                        QStringLiteral("Save the window as a PNG and exit."),
                                        QStringLiteral("FILE"));
    screenshotOption.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption queryOption(QStringLiteral("query"),
                                   QStringLiteral("The search text for --screenshot."),
                                   QStringLiteral("TEXT"), QStringLiteral("NIFTY"));
    queryOption.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption chainOption(QStringLiteral("chain"),
                                   QStringLiteral("For --screenshot: show this underlying's "
                                                  "option chain."),
                                   QStringLiteral("SYMBOL"));
    chainOption.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption spotOption(QStringLiteral("spot"),
                                  QStringLiteral("For --screenshot: the chain's spot price."),
                                  QStringLiteral("PRICE"));
    spotOption.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption paletteOption(QStringLiteral("palette"),
                                     QStringLiteral("For --screenshot: show the command palette "
                                                    "with the query typed."));
    paletteOption.setFlags(QCommandLineOption::HiddenFromHelp);
#endif
    const QCommandLineOption themeOption(
        QStringLiteral("theme"), QStringLiteral("light or dark (default: the last one used)."),
        QStringLiteral("THEME"));
    const QCommandLineOption atOption(
        QStringLiteral("at"),
        QStringLiteral("Pin the clock to this IST time (YYYY-MM-DD or \"YYYY-MM-DD HH:MM\"), "
                       "e.g. to trade an old master on paper; the window shows a Clock badge."),
        QStringLiteral("TIME"));
#ifdef STRIKELINE_SCREENSHOTS
    QCommandLineOption sizeOption(
        QStringLiteral("size"), QStringLiteral("For --screenshot: the window size, WIDTHxHEIGHT."),
        QStringLiteral("SIZE"));
    sizeOption.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption panelOption(
        QStringLiteral("panel"),
        QStringLiteral("For --screenshot: show this panel (sync, orders, ticket, upstox, watch)."),
        QStringLiteral("NAME"));
    panelOption.setFlags(QCommandLineOption::HiddenFromHelp);
#endif
    const QCommandLineOption noAutoSyncOption(
        QStringLiteral("no-auto-sync"),
        QStringLiteral("Do not sync the instrument master automatically after 06:00 IST."));
    parser.addOptions(
        {masterOption, dbOption, smokeOption, themeOption, atOption, noAutoSyncOption});
#ifdef STRIKELINE_SCREENSHOTS
    parser.addOptions({screenshotOption, queryOption, chainOption, spotOption, paletteOption,
                       panelOption, sizeOption});
#endif

    parser.addOption(QCommandLineOption(
        QStringLiteral("log-level"),
        QStringLiteral("Log level: %1 (default info).").arg(strikeline::logging::levelNames()),
        QStringLiteral("LEVEL")));

    // --help and --version must work without a display: answer them from a QCoreApplication
    // before QApplication goes looking for one. (A full parse would trip over Qt's own
    // arguments such as -platform, which only QApplication takes out.)
    const QStringList infoArguments = {QStringLiteral("-h"), QStringLiteral("--help"),
                                       QStringLiteral("-?"), QStringLiteral("--help-all"),
                                       QStringLiteral("-v"), QStringLiteral("--version")};
    for (int i = 1; i < argc; ++i) {
        if (infoArguments.contains(QString::fromLocal8Bit(argv[i]))) {
            QCoreApplication core(argc, argv);
            parser.process(core); // prints and exits
            return 0;
        }
    }

    if (!setUpLogging(argc, argv))
        return 2;

    QApplication app(argc, argv);
    QApplication::setWindowIcon(applicationIcon());
    QGuiApplication::setDesktopFileName(QStringLiteral("in.strikeline.Strikeline"));
    parser.process(app);

    using strikeline::ui::Theme;
    QSettings settings;
    const QString themeKey = QStringLiteral("ui/theme");
    Theme theme = strikeline::ui::parseTheme(settings.value(themeKey).toString());
    if (parser.isSet(themeOption)) {
        const QString name = parser.value(themeOption);
        if (name != QLatin1String("light") && name != QLatin1String("dark")) {
            err() << "strikeline: --theme takes light or dark, not '" << name << "'" << Qt::endl;
            return 2;
        }
        theme = strikeline::ui::parseTheme(name);
    }
    strikeline::ui::applyTheme(app, theme);

    strikeline::SystemClock systemClock;
    std::unique_ptr<strikeline::FixedClock> fixedClock;
    if (parser.isSet(atOption)) {
        auto at = strikeline::parseIstMoment(parser.value(atOption));
        if (!at) {
            err() << "strikeline: --at: " << at.error().message << Qt::endl;
            return 2;
        }
        fixedClock = std::make_unique<strikeline::FixedClock>(*at);
    }
    const strikeline::Clock &clock =
        fixedClock ? static_cast<const strikeline::Clock &>(*fixedClock) : systemClock;
    strikeline::DatabaseConfig database = strikeline::DatabaseConfig::defaultSqlite();
    if (parser.isSet(dbOption)) {
        auto parsed = strikeline::DatabaseConfig::parse(parser.value(dbOption));
        if (!parsed) {
            err() << "strikeline: " << parsed.error().message << Qt::endl;
            return 2;
        }
        database = *parsed;
        strikeline::logging::addSecret(database.password);
        strikeline::logging::addShownText(database.redacted());
    }

#ifdef STRIKELINE_SCREENSHOTS
    const bool scripted = true;
#else
    const bool scripted = parser.isSet(smokeOption);
#endif
    strikeline::desktop::TerminalOptions options;
    options.database = database;
    options.masterFile = parser.value(masterOption);
    // The settings key lets a desk point "Sync now" at a mirror of the Upstox file.
    options.syncSource =
        settings.value(QStringLiteral("sync/source"), strikeline::upstoxMasterUrl()).toString();
    options.autoSync = !scripted && !parser.isSet(noAutoSyncOption) &&
                       settings.value(QStringLiteral("sync/automatic"), true).toBool();
    options.journalDirectory = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
                               QStringLiteral("/journal");
    options.serveApi = settings.value(QStringLiteral("api/enabled"), false).toBool();
    options.apiPort = static_cast<quint16>(settings.value(QStringLiteral("api/port"), 0).toUInt());
    // Smoke tests and screenshots leave the user's keychain alone (a file store they opted in
    // to, or memory, as STRIKELINE_KEYCHAIN=off asks for).
    options.upstox.secrets.tryKeychain = !scripted;
    // A smoke test and a screenshot never reach a live gateway: no Upstox order path exists in
    // them, whatever session a keychain or the environment holds.
    options.liveOrders = !scripted;
    strikeline::desktop::Terminal terminal(clock, options);
    QObject::connect(&terminal.window(), &MainWindow::apiServerToggled, &app,
                     [](bool on) { QSettings().setValue(QStringLiteral("api/enabled"), on); });
    MainWindow &window = terminal.window();
    if (fixedClock)
        window.showPinnedClock(fixedClock->now());
#ifdef STRIKELINE_SCREENSHOTS
    if (parser.isSet(sizeOption)) {
        const QStringList parts = parser.value(sizeOption).split(QLatin1Char('x'));
        const int width = parts.size() == 2 ? parts[0].toInt() : 0;
        const int height = parts.size() == 2 ? parts[1].toInt() : 0;
        if (width <= 0 || height <= 0) {
            err() << "strikeline: --size takes WIDTHxHEIGHT, e.g. 1280x800" << Qt::endl;
            return 2;
        }
        window.resize(width, height);
    }
#endif

    QObject::connect(&window, &MainWindow::themeChangeRequested, &app,
                     [&app, themeKey](Theme chosen) {
                         strikeline::ui::applyTheme(app, chosen);
                         QSettings().setValue(themeKey, strikeline::ui::themeName(chosen));
                     });

    if (parser.isSet(smokeOption))
        runSmokeTest(window, terminal.loader(), sinceStart);
#ifdef STRIKELINE_SCREENSHOTS
    else if (parser.isSet(screenshotOption))
        takeScreenshot(terminal, parser.value(screenshotOption), parser.value(queryOption),
                       parser.value(chainOption), parser.value(spotOption),
                       parser.isSet(paletteOption), parser.value(panelOption));
#endif

    terminal.start();
    return QApplication::exec();
}
