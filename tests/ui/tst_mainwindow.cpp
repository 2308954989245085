// The main window end to end on the offscreen platform: loading state, typeahead, keyboard
// navigation into the results, the contract panel and the status bar's warnings; the one
// selected contract that every view writes and every order action trades.

#include "QuoteTable.h"
#include "RecordFactory.h"
#include "chain/OptionChainModel.h"
#include "chain/OptionChainView.h"
#include "common/ContractSelection.h"
#include "common/ElidedLabel.h"
#include "instruments/InstrumentRepository.h"
#include "instruments/MasterGenerator.h"
#include "mainwindow/MainWindow.h"
#include "mainwindow/MasterLoader.h"
#include "palette/CommandPalette.h"
#include "palette/CommandPaletteModel.h"
#include "search/SearchResultsModel.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QHeaderView>
#include <QLabel>
#include <QLayout>
#include <QLineEdit>
#include <QProgressBar>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QToolButton>

#include <map>
#include <memory>

using namespace strikeline;
using namespace strikeline::testing;
using strikeline::ui::ElidedLabel;
using strikeline::ui::MainWindow;
using strikeline::ui::MasterLoader;
using strikeline::ui::SearchResultsModel;

namespace {

const EpochDay Today = day(2025, 12, 8);
const EpochDay Weekly = day(2025, 12, 9);
const EpochDay Monthly = day(2025, 12, 30);
const EpochDay Jan = day(2026, 1, 27);
const EpochDay Expired = day(2025, 12, 2);

SnapshotPtr buildSnapshot(MasterInfo info)
{
    RecordFactory f;
    SnapshotBuilder b;
    const std::string niftyKey = "NSE_INDEX|Nifty 50";
    b.add(f.index("NIFTY", niftyKey, "Nifty 50"));
    b.add(f.future("NIFTY", Jan, 65, Segment::NseFo, niftyKey));
    b.add(f.future("NIFTY", Monthly, 75, Segment::NseFo, niftyKey));
    for (EpochDay e : {Expired, Weekly, Monthly}) {
        for (int strike = 25900; strike <= 26100; strike += 50) {
            for (bool call : {true, false})
                b.add(f.option("NIFTY", e, std::to_string(strike), call, 75, e != Monthly,
                               Segment::NseFo, niftyKey));
        }
    }
    b.add(f.future("BANKNIFTY", Monthly, 35));
    b.add(f.option("BANKNIFTY", Monthly, "59000", true, 35));
    b.add(f.equity("RELIANCE", "RELIANCE INDUSTRIES LTD"));
    return b.build(std::move(info));
}

MasterInfo realMasterInfo()
{
    MasterInfo info;
    info.source = QStringLiteral("/data/complete-2025-12-08.json.gz");
    info.description = QStringLiteral("complete-2025-12-08.json.gz");
    info.masterTimeMs = IstMoment::fromDay(Today).epochMs;
    return info;
}

} // namespace

class tst_MainWindow : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void showsLoadingUntilPublished();
    void typingSearchesThenDownAndEnterShowContract();
    void enterInSearchBoxShowsTopResult();
    void upFromFirstRowReturnsToSearch();
    void enterOnOptionOpensItsChain();
    void staleAndDemoWarnings();
    void loadFailureIsShown();
    void loaderPublishesFromItsOwnThread();
    void loaderReportsMissingFile();
    void enterOnFutureShowsContractNotChain();
    void commandPaletteOpensInstruments();
    void commandPaletteRunsCommands();
    void buyAndSellKeysRequestTheSelectedContract();
    void layoutPersistsAcrossWindows();
    void contractShowsTheSyncThatLastSawIt();
    void paletteOptionPutsTheChainCursorOnIt();
    void chainCursorIsTheSelection();
    void newQueryClearsTheSelection();
    void indexOffersItsFutureOrItsChain();
    void statusBarKeepsTheMasterLine();
    void noResultsSuggestTheClosestSymbol();
    void masterAsOfIsTheMastersOwnDay();
    void demoBannerIsOneLineAndDismissable();
    void pinnedClockIsShown();
    void paletteListsEachCommandOnceAndPlainly();
    void keyboardMapListsEveryShortcut();
    void chainToolbarFits_data();
    void chainToolbarFits();
    void recentreKeyCentresTheChain();
    void resultsAndContractShowTheLastPrice();

private:
    template<typename T>
    T *child(const char *name) const
    {
        T *widget = m_window->findChild<T *>(QLatin1String(name));
        if (!widget)
            qFatal("no child widget '%s'", name);
        return widget;
    }
    // An elided label's whole text: what the trader reads in it when the window is wide enough.
    QString text(const char *labelName) const
    {
        if (auto *elided = qobject_cast<ElidedLabel *>(child<QLabel>(labelName)))
            return elided->fullText();
        return child<QLabel>(labelName)->text();
    }
    void publish(MasterInfo info)
    {
        QSignalSpy applied(m_window.get(), &MainWindow::snapshotApplied);
        m_repository->publish(buildSnapshot(std::move(info)));
        QVERIFY(applied.wait(5000));
    }
    QString resultText(int row, int column) const
    {
        const QAbstractItemModel *model = child<QTableView>("resultsView")->model();
        return model->index(row, column).data().toString();
    }

    std::unique_ptr<FixedClock> m_clock;
    std::unique_ptr<InstrumentRepository> m_repository;
    std::unique_ptr<MainWindow> m_window;
};

void tst_MainWindow::initTestCase()
{
    // QSettings follows QStandardPaths: the trader's own layout is never read or written.
    QStandardPaths::setTestModeEnabled(true);
}

void tst_MainWindow::init()
{
    QSettings().clear();
    m_clock = std::make_unique<FixedClock>(IstMoment::fromDay(Today, 10 * 60));
    m_repository = std::make_unique<InstrumentRepository>();
    m_window = std::make_unique<MainWindow>(*m_repository, *m_clock);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void tst_MainWindow::cleanup()
{
    m_window.reset();
    m_repository.reset();
    m_clock.reset();
}

void tst_MainWindow::showsLoadingUntilPublished()
{
    QVERIFY2(text("statusLabel").startsWith(QStringLiteral("Loading instruments…")),
             qPrintable(text("statusLabel")));
    QVERIFY(child<QProgressBar>("loadProgress")->isVisible());
    QVERIFY(child<QLabel>("resultsMessage")->isVisible());
    QCOMPARE(text("resultsMessage"), QStringLiteral("loading…"));
    QVERIFY(!m_window->snapshot());

    // Typing while loading keeps the text; the search runs once the snapshot arrives.
    QTest::keyClicks(child<QLineEdit>("searchEdit"), QStringLiteral("nifty"));
    QCOMPARE(text("resultsMessage"), QStringLiteral("loading…"));

    m_window->showLoadStage(QStringLiteral("reading complete.json.gz"));
    QCOMPARE(text("statusLabel"), QStringLiteral("Loading instruments… reading complete.json.gz"));

    publish(realMasterInfo());
    QVERIFY(!child<QProgressBar>("loadProgress")->isVisible());
    const QString status = text("statusLabel");
    QVERIFY2(status.startsWith(QStringLiteral("36 instruments · complete-2025-12-08.json.gz · "
                                              "Master as of 08 Dec 2025")),
             qPrintable(status));
    QVERIFY(child<QTableView>("resultsView")->isVisible());
    QCOMPARE(resultText(0, SearchResultsModel::SymbolColumn),
             QStringLiteral("NIFTY FUT 30 DEC 25"));
}

void tst_MainWindow::typingSearchesThenDownAndEnterShowContract()
{
    publish(realMasterInfo());
    auto *search = child<QLineEdit>("searchEdit");
    auto *view = child<QTableView>("resultsView");
    QAbstractItemModelTester tester(view->model(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(search->placeholderText(),
             QStringLiteral("Search: NIFTY, nifty 25000 ce, banknifty fut, reliance…"));

    QTest::keyClicks(search, QStringLiteral("nifty"));
    QVERIFY(view->isVisible());
    QVERIFY(view->model()->rowCount() > 3);
    // Futures first, nearest expiry first; expired contracts are not offered.
    QCOMPARE(resultText(0, SearchResultsModel::SymbolColumn),
             QStringLiteral("NIFTY FUT 30 DEC 25"));
    QCOMPARE(resultText(1, SearchResultsModel::SymbolColumn),
             QStringLiteral("NIFTY FUT 27 JAN 26"));
    for (int row = 0; row < view->model()->rowCount(); ++row)
        QVERIFY(!resultText(row, SearchResultsModel::SymbolColumn)
                     .endsWith(QLatin1String("02 DEC 25")));
    QCOMPARE(text("contractLotSize"), QStringLiteral("—"));

    QTest::keyClick(search, Qt::Key_Down);
    QCOMPARE(view->currentIndex().row(), 0);
    QTRY_VERIFY(view->hasFocus());
    QTest::keyClick(view, Qt::Key_Return);
    QCOMPARE(text("contractSymbol"), QStringLiteral("NIFTY FUT 30 DEC 25"));
    QCOMPARE(text("contractLotSize"), QStringLiteral("75"));
    QCOMPARE(text("contractTickSize"), QStringLiteral("Rs 0.10"));
    QCOMPARE(text("contractFreeze"), QStringLiteral("1800 units · at most 24 lots per order"));
    QCOMPARE(text("contractExpiry"), QStringLiteral("30 Dec 2025 · 22 days left · monthly"));
    QCOMPARE(text("contractUnderlying"), QStringLiteral("NIFTY (NSE_INDEX|Nifty 50)"));

    // Down again: the next future (the new lot size), shown as the selection moves.
    QTest::keyClick(view, Qt::Key_Down);
    QTest::keyClick(view, Qt::Key_Return);
    QCOMPARE(text("contractSymbol"), QStringLiteral("NIFTY FUT 27 JAN 26"));
    QCOMPARE(text("contractLotSize"), QStringLiteral("65"));

    // Typing in the results goes on with the query.
    QTest::keyClicks(view, QStringLiteral(" fut"));
    QCOMPARE(search->text(), QStringLiteral("nifty fut"));
    QCOMPARE(view->model()->rowCount(), 2);
}

void tst_MainWindow::enterInSearchBoxShowsTopResult()
{
    publish(realMasterInfo());
    auto *search = child<QLineEdit>("searchEdit");
    QTest::keyClicks(search, QStringLiteral("banknifty"));
    QTest::keyClick(search, Qt::Key_Return);
    QCOMPARE(text("contractSymbol"), QStringLiteral("BANKNIFTY FUT 30 DEC 25"));
    QCOMPARE(text("contractLotSize"), QStringLiteral("35"));
    QCOMPARE(child<QTableView>("resultsView")->currentIndex().row(), 0);

    // No match: a message instead of an empty table, and nothing selected any more.
    search->clear();
    QTest::keyClicks(search, QStringLiteral("zzzz"));
    QVERIFY(child<QLabel>("resultsMessage")->isVisible());
    QVERIFY2(text("resultsMessage").contains(QStringLiteral("zzzz")),
             qPrintable(text("resultsMessage")));
    QCOMPARE(text("contractLotSize"), QStringLiteral("—"));
}

void tst_MainWindow::upFromFirstRowReturnsToSearch()
{
    publish(realMasterInfo());
    auto *search = child<QLineEdit>("searchEdit");
    auto *view = child<QTableView>("resultsView");
    QTest::keyClicks(search, QStringLiteral("nifty"));
    QTest::keyClick(search, Qt::Key_Down);
    QTRY_VERIFY(view->hasFocus());
    QTest::keyClick(view, Qt::Key_Up);
    QTRY_VERIFY(search->hasFocus());
    QCOMPARE(search->text(), QStringLiteral("nifty"));
}

void tst_MainWindow::enterOnOptionOpensItsChain()
{
    publish(realMasterInfo());
    auto *search = child<QLineEdit>("searchEdit");
    auto *view = child<QTableView>("resultsView");
    auto *tabs = child<QTabWidget>("mainTabs");
    QCOMPARE(tabs->currentIndex(), 0);
    QTest::keyClicks(search, QStringLiteral("nifty 26000 ce"));
    QTest::keyClick(search, Qt::Key_Down);
    QTRY_VERIFY(view->hasFocus());
    const QString symbol = resultText(0, SearchResultsModel::SymbolColumn);
    QVERIFY2(symbol.startsWith(QLatin1String("NIFTY 26000 CE")), qPrintable(symbol));
    QTest::keyClick(view, Qt::Key_Return);

    auto *chain = child<ui::OptionChainView>("chainView");
    QCOMPARE(tabs->currentWidget(), chain);
    QCOMPARE(chain->underlyingSymbol(), QStringLiteral("NIFTY"));
    QCOMPARE(chain->currentExpiry(),
             m_window->snapshot()->instrument(*m_window->results().instrumentAt(0)).expiry());
    QVERIFY(chain->model().rowCount() > 0);
    QCOMPARE(text("contractSymbol"), symbol); // the panel beside the tabs shows it too

    // F4 goes back to the search, F6 to the chain's underlying box.
    QTest::keyClick(m_window.get(), Qt::Key_F4);
    QCOMPARE(tabs->currentIndex(), 0);
    QTest::keyClick(m_window.get(), Qt::Key_F6);
    QCOMPARE(tabs->currentWidget(), chain);
    QTRY_VERIFY(child<QLineEdit>("chainUnderlying")->hasFocus());
}

void tst_MainWindow::staleAndDemoWarnings()
{
    publish(realMasterInfo());
    // The universe holds options that expired on 2 Dec: this master is older than today.
    QVERIFY(child<QLabel>("staleLabel")->isVisible());
    QVERIFY2(text("staleLabel").contains(QStringLiteral("10 contracts already expired")),
             qPrintable(text("staleLabel")));
    QVERIFY(!child<QLabel>("demoLabel")->isVisible());
    QVERIFY(!m_window->windowTitle().contains(QLatin1String("DEMO")));

    MasterInfo demo;
    demo.description = QStringLiteral("demo master (generated)");
    demo.demo = true;
    demo.masterTimeMs = IstMoment::fromDay(Today).epochMs;
    publish(demo);
    QVERIFY(child<QLabel>("demoLabel")->isVisible());
    QCOMPARE(text("demoLabel"), QStringLiteral("DEMO DATA"));
    // The first-run banner offers the two ways to the real master.
    QVERIFY(child<QWidget>("demoBanner")->isVisible());
    QStringList offered;
    for (auto *button : child<QWidget>("demoBanner")->findChildren<QToolButton *>()) {
        if (button->defaultAction()) // the other one dismisses the banner
            offered << button->defaultAction()->objectName();
    }
    QCOMPARE(offered, QStringList({QStringLiteral("syncAction"), QStringLiteral("importAction")}));
    QVERIFY(m_window->windowTitle().contains(QLatin1String("DEMO DATA")));
    QVERIFY(text("statusLabel").contains(QLatin1String("demo master (generated)")));

    // A week before, nothing in the master has expired yet.

    m_clock->set(IstMoment::fromDay(day(2025, 12, 1), 9 * 60 + 15));
    publish(realMasterInfo());
    QVERIFY(!child<QLabel>("staleLabel")->isVisible());
    QVERIFY(!child<QWidget>("demoBanner")->isVisible());
}

void tst_MainWindow::loadFailureIsShown()
{
    m_window->showLoadProgress(500, 1000);
    QCOMPARE(child<QProgressBar>("loadProgress")->value(), 500);
    m_window->showLoadFinished(false, QStringLiteral("cannot open the master '/x.json.gz'"), 3);
    QVERIFY(!child<QProgressBar>("loadProgress")->isVisible());
    QCOMPARE(text("statusLabel"),
             QStringLiteral("Could not load instruments: cannot open the master '/x.json.gz'"));
    QVERIFY(text("resultsMessage").contains(QStringLiteral("cannot open the master")));
}

void tst_MainWindow::loaderPublishesFromItsOwnThread()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("complete.json.gz"));
    GeneratorOptions options;
    options.rows = 2000;
    options.asOf = Today;
    QVERIFY(generateMasterFile(path, options).ok());

    QString publishingThread;
    connect(
        m_repository.get(), &InstrumentRepository::snapshotPublished, this,
        [&publishingThread] { publishingThread = QThread::currentThread()->objectName(); },
        Qt::DirectConnection);

    MasterLoader loader(*m_repository, *m_clock);
    connect(&loader, &MasterLoader::stageChanged, m_window.get(), &MainWindow::showLoadStage);
    connect(&loader, &MasterLoader::progress, m_window.get(), &MainWindow::showLoadProgress);
    connect(&loader, &MasterLoader::finished, m_window.get(), &MainWindow::showLoadFinished);
    QSignalSpy finished(&loader, &MasterLoader::finished);
    QSignalSpy applied(m_window.get(), &MainWindow::snapshotApplied);

    QVERIFY(loader.load(path));
    QVERIFY(loader.isLoading());
    QVERIFY(!loader.load(path)); // one load at a time
    QVERIFY(finished.wait(30000));
    QVERIFY2(finished.at(0).at(0).toBool(), qPrintable(finished.at(0).at(1).toString()));
    QTRY_COMPARE(applied.count(), 1);
    QVERIFY(!loader.isLoading());

    QCOMPARE(publishingThread, QStringLiteral("MasterLoader"));
    QCOMPARE(m_repository->snapshot()->size(), std::size_t(2000));
    QVERIFY2(text("statusLabel").startsWith(QStringLiteral("2,000 instruments · complete.json.gz")),
             qPrintable(text("statusLabel")));
    QVERIFY(!child<QProgressBar>("loadProgress")->isVisible());
    QVERIFY(!child<QLabel>("staleLabel")->isVisible());
    // Generated, so labelled as such though its name looks like Upstox's.
    QVERIFY(child<QLabel>("demoLabel")->isVisible());
}

void tst_MainWindow::loaderReportsMissingFile()
{
    MasterLoader loader(*m_repository, *m_clock);
    connect(&loader, &MasterLoader::finished, m_window.get(), &MainWindow::showLoadFinished);
    QSignalSpy finished(&loader, &MasterLoader::finished);
    QVERIFY(loader.load(QStringLiteral("/nonexistent/complete.json.gz")));
    QVERIFY(finished.wait(10000));
    QCOMPARE(finished.at(0).at(0).toBool(), false);
    QVERIFY(
        finished.at(0).at(1).toString().contains(QStringLiteral("/nonexistent/complete.json.gz")));
    QVERIFY(!m_repository->isLoaded());
    QVERIFY(text("statusLabel").startsWith(QStringLiteral("Could not load instruments")));
}

void tst_MainWindow::enterOnFutureShowsContractNotChain()
{
    publish(realMasterInfo());
    auto *search = child<QLineEdit>("searchEdit");
    auto *tabs = child<QTabWidget>("mainTabs");
    QTest::keyClicks(search, QStringLiteral("banknifty fut"));
    QCOMPARE(resultText(0, SearchResultsModel::TypeColumn), QStringLiteral("FUT"));
    QTest::keyClick(search, Qt::Key_Down);
    QTest::keyClick(child<QTableView>("resultsView"), Qt::Key_Return);
    QCOMPARE(tabs->currentIndex(), 0); // a future is a contract to look at, not a chain
    QVERIFY2(text("contractSymbol").startsWith(QLatin1String("BANKNIFTY")),
             qPrintable(text("contractSymbol")));
}

void tst_MainWindow::commandPaletteOpensInstruments()
{
    publish(realMasterInfo());
    ui::CommandPalette &palette = m_window->commandPalette();
    QVERIFY(!palette.isVisible());
    QTest::keyClick(m_window.get(), Qt::Key_K, Qt::ControlModifier);
    QTRY_VERIFY(palette.isVisible());
    auto *edit = palette.findChild<QLineEdit *>(QStringLiteral("paletteEdit"));
    QVERIFY(edit);
    QTRY_VERIFY(edit->hasFocus());
    QTest::keyClicks(edit, QStringLiteral("nifty 26050 pe"));
    const ui::CommandPaletteModel &model = palette.model();
    QVERIFY(model.rowCount() > 0);
    QCOMPARE(model.kindAt(0), ui::CommandPaletteModel::EntryKind::Instrument);
    const QString first = model.index(0, 0).data().toString();
    QVERIFY2(first.startsWith(QLatin1String("NIFTY 26050 PE")), qPrintable(first));
    QTest::keyClick(edit, Qt::Key_Return);
    QVERIFY(!palette.isVisible());
    auto *chain = child<ui::OptionChainView>("chainView");
    QCOMPARE(child<QTabWidget>("mainTabs")->currentWidget(), chain);
    QCOMPARE(chain->underlyingSymbol(), QStringLiteral("NIFTY"));
    QCOMPARE(text("contractSymbol"), first);

    // Esc closes it without doing anything.
    QTest::keyClick(m_window.get(), Qt::Key_K, Qt::ControlModifier);
    QTRY_VERIFY(palette.isVisible());
    QTest::keyClicks(edit, QStringLiteral("reliance"));
    QTest::keyClick(edit, Qt::Key_Escape);
    QVERIFY(!palette.isVisible());
    QCOMPARE(text("contractSymbol"), first);
}

void tst_MainWindow::commandPaletteRunsCommands()
{
    publish(realMasterInfo());
    ui::CommandPalette &palette = m_window->commandPalette();
    QSignalSpy theme(m_window.get(), &MainWindow::themeChangeRequested);
    QSignalSpy sync(m_window.get(), &MainWindow::syncRequested);
    palette.popup(m_window.get());
    palette.setQuery(QStringLiteral("dark"));
    QCOMPARE(palette.model().kindAt(0), ui::CommandPaletteModel::EntryKind::Action);
    QCOMPARE(palette.model().actionAt(0), m_window->darkThemeAction());
    palette.activateCurrent();
    QCOMPARE(theme.count(), 1);
    QCOMPARE(theme.at(0).at(0).value<ui::Theme>(), ui::Theme::Dark);

    palette.popup(m_window.get());
    palette.setQuery(QStringLiteral("sync"));
    QCOMPARE(palette.model().actionAt(0), m_window->syncAction());
    palette.activateCurrent();
    QCOMPARE(sync.count(), 1);

    // A disabled command is listed but cannot be run.
    m_window->showSyncRunning(true);
    palette.popup(m_window.get());
    palette.setQuery(QStringLiteral("sync now"));
    QCOMPARE(palette.model().actionAt(0), m_window->syncAction());
    palette.activateCurrent();
    QCOMPARE(sync.count(), 1);
    QTest::keyClick(m_window.get(), Qt::Key_R, Qt::ControlModifier);
    QCOMPARE(sync.count(), 1);
    m_window->showSyncRunning(false);
    palette.hide();
    QTest::keyClick(m_window.get(), Qt::Key_R, Qt::ControlModifier);
    QCOMPARE(sync.count(), 2);
}

void tst_MainWindow::buyAndSellKeysRequestTheSelectedContract()
{
    publish(realMasterInfo());
    QSignalSpy ticket(m_window.get(), &MainWindow::orderTicketRequested);
    // Nothing selected: F1 says so and asks for nothing.
    QTest::keyClick(m_window.get(), Qt::Key_F1);
    QCOMPARE(ticket.count(), 0);

    auto *search = child<QLineEdit>("searchEdit");
    QTest::keyClicks(search, QStringLiteral("nifty 26000 ce"));
    QTest::keyClick(search, Qt::Key_Down);
    const QString key = child<QLabel>("contractKey")->text();
    QTest::keyClick(m_window.get(), Qt::Key_F1);
    QCOMPARE(ticket.count(), 1);
    QCOMPARE(ticket.at(0).at(0).toString(), key);
    QCOMPARE(ticket.at(0).at(1).value<Side>(), Side::Buy);

    // In the chain: the CE or PE cell under the cursor; F2 sells it, B buys it.
    m_window->openChain(QStringLiteral("NIFTY"), Monthly);
    auto *table = child<QTableView>("chainTable");
    table->setFocus();
    QTRY_VERIFY(table->hasFocus());
    const int putColumn = ui::OptionChainModel::ColumnCount - 1;
    table->setCurrentIndex(table->model()->index(0, putColumn));
    const QString putKey =
        table->currentIndex().data(ui::OptionChainModel::InstrumentKeyRole).toString();
    QVERIFY(!putKey.isEmpty());
    QTest::keyClick(m_window.get(), Qt::Key_F2);
    QCOMPARE(ticket.count(), 2);
    QCOMPARE(ticket.at(1).at(0).toString(), putKey);
    QCOMPARE(ticket.at(1).at(1).value<Side>(), Side::Sell);
    QTest::keyClick(table, Qt::Key_B);
    QCOMPARE(ticket.count(), 3);
    QCOMPARE(ticket.at(2).at(0).toString(), putKey);
    QCOMPARE(ticket.at(2).at(1).value<Side>(), Side::Buy);
    // The strike column is no contract, and the status bar says so.
    table->setCurrentIndex(table->model()->index(0, ui::OptionChainModel::StrikeColumn));
    QTest::keyClick(table, Qt::Key_S);
    QCOMPARE(ticket.count(), 3);
    QVERIFY2(m_window->statusMessage().contains(QLatin1String("strike")),
             qPrintable(m_window->statusMessage()));
}

void tst_MainWindow::layoutPersistsAcrossWindows()
{
    publish(realMasterInfo());
    auto *results = child<QTableView>("resultsView");
    results->horizontalHeader()->setSectionHidden(SearchResultsModel::TickColumn, true);
    m_window->openChain(QStringLiteral("BANKNIFTY"));
    child<QComboBox>("chainWindow")->setCurrentIndex(child<QComboBox>("chainWindow")->findData(5));
    // A 1366x768 laptop screen must hold the window with room to spare.
    QVERIFY2(m_window->minimumSizeHint().width() <= 1100,
             qPrintable(QString::number(m_window->minimumSizeHint().width())));
    m_window->resize(1100, 650);
    m_window->close(); // saves

    MainWindow again(*m_repository, *m_clock);
    again.show();
    QVERIFY(QTest::qWaitForWindowExposed(&again));
    auto *tabs = again.findChild<QTabWidget *>(QStringLiteral("mainTabs"));
    QCOMPARE(tabs->currentWidget(), &again.chainView());
    QCOMPARE(again.chainView().strikeWindow(), 5);
    QCOMPARE(again.chainView().underlyingSymbol(), QStringLiteral("BANKNIFTY"));
    QVERIFY(again.findChild<QTableView *>(QStringLiteral("resultsView"))
                ->horizontalHeader()
                ->isSectionHidden(SearchResultsModel::TickColumn));
    QCOMPARE(again.size(), QSize(1100, 650));
}

void tst_MainWindow::contractShowsTheSyncThatLastSawIt()
{
    MasterInfo info = realMasterInfo();
    info.syncRunId = 12;
    info.masterTimeMs = IstMoment::fromDay(Today, 6 * 60 + 2).epochMs;
    publish(info);
    QTest::keyClicks(child<QLineEdit>("searchEdit"), QStringLiteral("reliance"));
    QTest::keyClick(child<QLineEdit>("searchEdit"), Qt::Key_Return);
    QCOMPARE(text("contractLastSeen"), QStringLiteral("sync 12 · 08 Dec 2025 06:02 IST"));
    QVERIFY2(text("statusLabel").contains(QLatin1String("Master as of 08 Dec 2025 06:02")),
             qPrintable(text("statusLabel")));
}

void tst_MainWindow::paletteOptionPutsTheChainCursorOnIt()
{
    publish(realMasterInfo());
    QSignalSpy ticket(m_window.get(), &MainWindow::orderTicketRequested);
    QTest::keyClick(m_window.get(), Qt::Key_K, Qt::ControlModifier);
    auto *edit = m_window->commandPalette().findChild<QLineEdit *>(QStringLiteral("paletteEdit"));
    QTRY_VERIFY(edit->hasFocus());
    // Not the middle strike: the cursor must go to the contract, not stay where it was.
    QTest::keyClicks(edit, QStringLiteral("nifty 26050 ce"));
    const QString first = m_window->commandPalette().model().index(0, 0).data().toString();
    QVERIFY2(first.startsWith(QLatin1String("NIFTY 26050 CE")), qPrintable(first));
    QTest::keyClick(edit, Qt::Key_Return);

    auto *table = child<QTableView>("chainTable");
    QCOMPARE(child<QTabWidget>("mainTabs")->currentWidget(),
             child<ui::OptionChainView>("chainView"));
    const QString key = text("contractKey");
    QCOMPARE(text("contractSymbol"), first);
    // The chain's cursor IS that contract's cell, and the keys act on it.
    QCOMPARE(table->currentIndex().data(ui::OptionChainModel::InstrumentKeyRole).toString(), key);
    QCOMPARE(table->currentIndex().column(), int(ui::OptionChainModel::CallLtpColumn));
    QTRY_VERIFY(table->hasFocus());
    QTest::keyClick(m_window.get(), Qt::Key_F1);
    QCOMPARE(ticket.count(), 1);
    QCOMPARE(ticket.at(0).at(0).toString(), key);
    QTest::keyClick(table, Qt::Key_S);
    QCOMPARE(ticket.count(), 2);
    QCOMPARE(ticket.at(1).at(0).toString(), key);
    QCOMPARE(ticket.at(1).at(1).value<Side>(), Side::Sell);
}

void tst_MainWindow::chainCursorIsTheSelection()
{
    publish(realMasterInfo());
    QSignalSpy ticket(m_window.get(), &MainWindow::orderTicketRequested);
    m_window->openChain(QStringLiteral("NIFTY"), Monthly);
    auto *table = child<QTableView>("chainTable");
    const QAbstractItemModel *model = table->model();
    const auto keyAt = [&](int row, int column) {
        return model->index(row, column).data(ui::OptionChainModel::InstrumentKeyRole).toString();
    };
    // Opened without a spot: the cursor waits on the middle strike, which trades nothing (not
    // on the top-left cell the table would pick on its own).
    QVERIFY(table->currentIndex().isValid());
    const int row = table->currentIndex().row();
    QCOMPARE(row, model->rowCount() / 2);
    QCOMPARE(table->currentIndex().column(), int(ui::OptionChainModel::StrikeColumn));

    table->setFocus(Qt::TabFocusReason);
    QTRY_VERIFY(table->hasFocus());
    QCOMPARE(text("contractSymbol"), QStringLiteral("—"));
    QVERIFY2(text("contractHint").contains(QLatin1String("strike")),
             qPrintable(text("contractHint")));
    QTest::keyClick(table, Qt::Key_B);
    QCOMPARE(ticket.count(), 0);
    QVERIFY2(m_window->statusMessage().contains(QLatin1String("strike")),
             qPrintable(m_window->statusMessage()));

    // Keys: left is the call side, right the put side; the panel follows every move.
    QTest::keyClick(table, Qt::Key_Left);
    QCOMPARE(text("contractKey"), keyAt(row, ui::OptionChainModel::CallChangeColumn));
    QVERIFY(text("contractSymbol").endsWith(QLatin1String("CE 30 DEC 25")));
    QTest::keyClick(table, Qt::Key_Right);
    QTest::keyClick(table, Qt::Key_Right);
    QCOMPARE(text("contractKey"), keyAt(row, ui::OptionChainModel::PutChangeColumn));
    QVERIFY(text("contractSymbol").endsWith(QLatin1String("PE 30 DEC 25")));
    QTest::keyClick(m_window.get(), Qt::Key_F2);
    QCOMPARE(ticket.count(), 1);
    QCOMPARE(ticket.at(0).at(0).toString(), keyAt(row, ui::OptionChainModel::PutChangeColumn));

    // The mouse: a click moves the selection, a double-click buys what was clicked.
    const QModelIndex call = model->index(0, ui::OptionChainModel::CallLtpColumn);
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualRect(call).center());
    QCOMPARE(text("contractKey"), keyAt(0, ui::OptionChainModel::CallLtpColumn));
    QTest::mouseDClick(table->viewport(), Qt::LeftButton, {}, table->visualRect(call).center());
    QCOMPARE(ticket.count(), 2);
    QCOMPARE(ticket.at(1).at(0).toString(), keyAt(0, ui::OptionChainModel::CallLtpColumn));
    QCOMPARE(ticket.at(1).at(1).value<Side>(), Side::Buy);
}

void tst_MainWindow::newQueryClearsTheSelection()
{
    publish(realMasterInfo());
    QSignalSpy ticket(m_window.get(), &MainWindow::orderTicketRequested);
    auto *search = child<QLineEdit>("searchEdit");
    QTest::keyClicks(search, QStringLiteral("banknifty"));
    QTest::keyClick(search, Qt::Key_Return);
    QCOMPARE(text("contractSymbol"), QStringLiteral("BANKNIFTY FUT 30 DEC 25"));

    // The rows changed under the trader: nothing is picked, F1 says so and trades nothing.
    QTest::keyClicks(search, QStringLiteral(" 59000"));
    QCOMPARE(text("contractSymbol"), QStringLiteral("—"));
    QCOMPARE(m_window->selectedContractKey(), QString());
    QTest::keyClick(m_window.get(), Qt::Key_F1);
    QCOMPARE(ticket.count(), 0);
    QVERIFY2(m_window->statusMessage().contains(QLatin1String("New search")),
             qPrintable(m_window->statusMessage()));

    QTest::keyClick(search, Qt::Key_Down);
    QVERIFY(text("contractSymbol").startsWith(QLatin1String("BANKNIFTY 59000 CE")));
    QTest::keyClick(m_window.get(), Qt::Key_F1);
    QCOMPARE(ticket.count(), 1);
    QCOMPARE(ticket.at(0).at(0).toString(), text("contractKey"));
}

void tst_MainWindow::indexOffersItsFutureOrItsChain()
{
    publish(realMasterInfo());
    QSignalSpy ticket(m_window.get(), &MainWindow::orderTicketRequested);
    QTest::keyClicks(child<QLineEdit>("searchEdit"), QStringLiteral("nifty"));
    int indexRow = -1;
    for (int row = 0; row < m_window->results().rowCount(); ++row) {
        if (resultText(row, SearchResultsModel::KeyColumn) == QLatin1String("NSE_INDEX|Nifty 50"))
            indexRow = row;
    }
    QVERIFY(indexRow >= 0);
    m_window->showResult(indexRow);
    QCOMPARE(text("contractKey"), QStringLiteral("NSE_INDEX|Nifty 50"));
    QTest::keyClick(m_window.get(), Qt::Key_F1);
    QCOMPARE(ticket.count(), 0); // an index is not traded
    const QString message = m_window->statusMessage();
    QVERIFY2(message.contains(QLatin1String("NIFTY FUT 30 DEC 25")), qPrintable(message));
    QVERIFY2(message.contains(QLatin1String("chain (F6)")), qPrintable(message));
}

void tst_MainWindow::statusBarKeepsTheMasterLine()
{
    publish(realMasterInfo());
    m_window->resize(1024, 700); // the narrowest window we support
    auto *master = child<QLabel>("statusLabel");
    auto *message = child<QLabel>("statusMessage");
    QVERIFY(master->isVisible());
    QTRY_VERIFY(master->width() > 0);
    const QString whole = text("statusLabel");
    QVERIFY(whole.contains(QLatin1String("Master as of")));
    QVERIFY2(master->text() == whole || master->text().contains(QChar(0x2026)),
             qPrintable(master->text())); // whole or elided, never cut off mid-letter
    m_window->resize(1280, 800);
    QTRY_COMPARE(master->text(), whole); // room enough: all of it
    // F1 with nothing selected says why, beside the master line.
    QTest::keyClick(m_window.get(), Qt::Key_F1);
    QVERIFY(master->isVisible());
    QVERIFY(!master->text().isEmpty());
    QVERIFY2(message->toolTip().contains(QLatin1String("no contract is selected")),
             qPrintable(message->toolTip()));
    QVERIFY(!message->text().isEmpty());

    // A long message gives way in the middle; the whole of it is in the tooltip.
    const QString longText = QStringLiteral("Order SL251208-0001 BUY NIFTY 26000 CE 30 DEC 25: ") +
                             QString(300, QLatin1Char('x')) + QStringLiteral(" filled 2 × 75");
    m_window->showStatusMessage(longText);
    QVERIFY(master->isVisible());
    QVERIFY(message->text().contains(QChar(0x2026)));
    QVERIFY(message->text().startsWith(QLatin1String("Order SL251208-0001")));
    QVERIFY2(message->text().endsWith(QStringLiteral("filled 2 × 75")),
             qPrintable(message->text()));
    QCOMPARE(message->toolTip(), longText);

    // Menu tips and anything else that uses the status bar's own messages: the line stays.
    QStatusTipEvent tip(QStringLiteral("Buy the selected contract"));
    QApplication::sendEvent(m_window.get(), &tip);
    QVERIFY(master->isVisible());
    QCOMPARE(message->text(), QStringLiteral("Buy the selected contract"));
    QStatusTipEvent noTip{QString()};
    QApplication::sendEvent(m_window.get(), &noTip);
    QCOMPARE(message->toolTip(), longText);
    m_window->statusBar()->showMessage(QStringLiteral("from elsewhere"));
    QVERIFY(master->isVisible());
    QCOMPARE(message->text(), QStringLiteral("from elsewhere"));
}

void tst_MainWindow::noResultsSuggestTheClosestSymbol()
{
    publish(realMasterInfo());
    auto *search = child<QLineEdit>("searchEdit");
    QTest::keyClicks(search, QStringLiteral("niftty"));
    QVERIFY(child<QLabel>("resultsMessage")->isVisible());
    QVERIFY2(text("resultsMessage").contains(QStringLiteral("Did you mean NIFTY?")),
             qPrintable(text("resultsMessage")));
    // Nothing close: no guess.
    search->clear();
    QTest::keyClicks(search, QStringLiteral("zzzz"));
    QVERIFY(child<QLabel>("resultsMessage")->isVisible());
    QVERIFY2(!text("resultsMessage").contains(QStringLiteral("Did you mean")),
             qPrintable(text("resultsMessage")));
}

void tst_MainWindow::masterAsOfIsTheMastersOwnDay()
{
    // The 2025-12-09 master, imported a year later: its day is the 9th, the import is apart.
    MasterInfo info = realMasterInfo();
    info.syncRunId = 3;
    info.masterDay = day(2025, 12, 9);
    info.masterTimeMs = IstMoment::fromDay(day(2026, 12, 2), 19 * 60 + 41).epochMs;
    publish(info);
    QCOMPARE(text("masterAsOf"), QStringLiteral("09 Dec 2025"));
    QCOMPARE(text("masterImported"), QStringLiteral("02 Dec 2026 19:41 IST · sync 3"));
    QVERIFY2(text("statusLabel").contains(QLatin1String("Master as of 09 Dec 2025")),
             qPrintable(text("statusLabel")));
    QVERIFY2(!text("statusLabel").contains(QLatin1String("2026")), qPrintable(text("statusLabel")));
}

void tst_MainWindow::demoBannerIsOneLineAndDismissable()
{
    MasterInfo demo;
    demo.description = QStringLiteral("demo master (generated)");
    demo.demo = true;
    demo.masterTimeMs = IstMoment::fromDay(Today).epochMs;
    publish(demo);
    auto *banner = child<QWidget>("demoBanner");
    const auto settle = [this] {
        QCoreApplication::sendPostedEvents();
        m_window->centralWidget()->layout()->activate();
    };
    m_window->resize(1280, 700);
    settle();
    QVERIFY(banner->isVisible());
    const int small = banner->height();
    const int line = banner->fontMetrics().height();
    QVERIFY2(small <= 2 * line + 12, qPrintable(QString::number(small)));

    m_window->resize(1920, 1050);
    settle();
    QCOMPARE(banner->height(), small);
    // The contract panel filling does not move it either.
    QTest::keyClicks(child<QLineEdit>("searchEdit"), QStringLiteral("nifty 26000 ce"));
    QTest::keyClick(child<QLineEdit>("searchEdit"), Qt::Key_Return);
    QVERIFY(text("contractSymbol") != QStringLiteral("—"));
    settle();
    QCOMPARE(banner->height(), small);

    // Dismissed for the session: a new snapshot does not bring it back; the badge stays.
    QTest::mouseClick(child<QToolButton>("demoBannerDismiss"), Qt::LeftButton);
    QVERIFY(!banner->isVisible());
    publish(demo);
    QVERIFY(!banner->isVisible());
    QVERIFY(child<QLabel>("demoLabel")->isVisible());
    QVERIFY(m_window->windowTitle().contains(QLatin1String("DEMO DATA")));
}

void tst_MainWindow::pinnedClockIsShown()
{
    publish(realMasterInfo());
    QVERIFY(!child<QLabel>("clockLabel")->isVisible());
    m_window->showPinnedClock(IstMoment::fromDay(day(2025, 12, 9), 10 * 60 + 30));
    QVERIFY(child<QLabel>("clockLabel")->isVisible());
    QCOMPARE(text("clockLabel"), QStringLiteral("Clock: 09 Dec 2025 10:30 IST"));
}

void tst_MainWindow::paletteListsEachCommandOnceAndPlainly()
{
    // As the composition root adds them.
    auto *sync = new QWidget;
    sync->setObjectName(QStringLiteral("syncPanel"));
    m_window->addPanel(sync, QStringLiteral("Sync && data"), QKeySequence(Qt::Key_F7));
    auto *orders = new QWidget;
    orders->setObjectName(QStringLiteral("ordersPanel"));
    m_window->addPanel(orders, QStringLiteral("Orders"), m_window->ordersAction());
    ui::CommandPalette &palette = m_window->commandPalette();
    palette.setQuery(QString());
    QStringList titles;
    for (int row = 0; row < palette.model().rowCount(); ++row)
        titles << palette.model().index(row, 0).data().toString();
    QVERIFY2(titles.contains(QStringLiteral("Sync & data")), qPrintable(titles.join(u'|')));
    QCOMPARE(titles.count(QStringLiteral("Orders")), qsizetype(1));
    QCOMPARE(titles.removeDuplicates(), qsizetype(0));
    for (const QString &title : std::as_const(titles))
        QVERIFY2(!title.contains(QLatin1String("  ")), qPrintable(title));
    // F3 goes to the orders tab.
    QTest::keyClick(m_window.get(), Qt::Key_F3);
    QCOMPARE(child<QTabWidget>("mainTabs")->currentWidget(), orders);
}

void tst_MainWindow::keyboardMapListsEveryShortcut()
{
    auto *sync = new QWidget;
    sync->setObjectName(QStringLiteral("syncPanel"));
    m_window->addPanel(sync, QStringLiteral("Sync && data"), QKeySequence(Qt::Key_F7));
    const QString map = m_window->keyboardMapText();
    for (const QAction *action : m_window->actions()) {
        for (const QKeySequence &key : action->shortcuts())
            QVERIFY2(map.contains(QLatin1String("<b>") +
                                  key.toString(QKeySequence::NativeText).toHtmlEscaped()) ||
                         map.contains(QLatin1String(", ") +
                                      key.toString(QKeySequence::NativeText).toHtmlEscaped()),
                     qPrintable(key.toString()));
    }
    for (const char *key : {"F7", "F3", "Ctrl+E", "Ctrl+Q", "Esc", "B / S"})
        QVERIFY2(map.contains(QLatin1String(key)), key);
    QVERIFY(map.contains(QKeySequence(QKeySequence::Delete).toString(QKeySequence::NativeText)));
    QVERIFY(map.contains(QLatin1String("Go to Sync &amp; data")));
}

void tst_MainWindow::chainToolbarFits_data()
{
    QTest::addColumn<QSize>("size");
    QTest::newRow("1280x800") << QSize(1280, 800);
    QTest::newRow("1600x1000") << QSize(1600, 1000);
    QTest::newRow("1920x1080") << QSize(1920, 1080);
}

void tst_MainWindow::chainToolbarFits()
{
    QFETCH(QSize, size);
    publish(realMasterInfo());
    m_window->resize(size);
    m_window->openChain(QStringLiteral("NIFTY"), Monthly);
    m_window->chainView().setSpotText(QStringLiteral("26010"));
    QCoreApplication::sendPostedEvents();
    m_window->centralWidget()->layout()->activate();
    m_window->chainView().layout()->activate();
    // The label that says ATM is shown whole, inside the chain view.
    QLabel *atm = nullptr;
    for (QLabel *label : m_window->chainView().findChildren<QLabel *>()) {
        if (label->isVisible() && label->text().startsWith(QLatin1String("ATM ")))
            atm = label;
    }
    QVERIFY(atm);
    QCOMPARE(atm->text(), QStringLiteral("ATM 26000"));
    QVERIFY2(atm->width() >= atm->sizeHint().width(),
             qPrintable(QStringLiteral("%1 < %2").arg(atm->width()).arg(atm->sizeHint().width())));
    const QRect inView(atm->mapTo(&m_window->chainView(), QPoint(0, 0)), atm->size());
    QVERIFY(m_window->chainView().rect().contains(inView));
}

void tst_MainWindow::recentreKeyCentresTheChain()
{
    publish(realMasterInfo());
    m_window->openChain(QStringLiteral("NIFTY"), Monthly);
    m_window->chainView().setStrikeWindow(5);
    m_window->chainView().setSpotText(QStringLiteral("26000"));
    const ui::OptionChainModel &model = m_window->chainView().model();
    QCOMPARE(model.rowCount(), 5); // 25900..26100 by 50, all within +- 5
    QVERIFY(model.isCentred());
    // Ctrl+E from the search tab goes to the chain and centres it.
    QTest::keyClick(m_window.get(), Qt::Key_F4);
    QTest::keyClick(m_window.get(), Qt::Key_E, Qt::ControlModifier);
    QCOMPARE(child<QTabWidget>("mainTabs")->currentWidget(), &m_window->chainView());
    QVERIFY(model.isCentred());
    QVERIFY(m_window->recentreAction()->shortcuts().contains(QKeySequence(Qt::CTRL | Qt::Key_E)));
}

void tst_MainWindow::resultsAndContractShowTheLastPrice()
{
    publish(realMasterInfo());
    testing::QuoteTable prices;
    m_window->setMarketData(&prices);
    QSignalSpy shown(m_window.get(), &MainWindow::searchResultsShown);
    QTest::keyClicks(child<QLineEdit>("searchEdit"), QStringLiteral("nifty fut"));
    // Once typing stops, the first results are named once (the terminal subscribes them).
    QVERIFY(shown.wait(5000));
    QCOMPARE(shown.count(), 1);
    const QStringList keys = shown.at(0).at(0).toStringList();
    QCOMPARE(keys.size(), 2); // the two live futures
    QCOMPARE(keys.first(), resultText(0, SearchResultsModel::KeyColumn));
    QCOMPARE(resultText(0, SearchResultsModel::LtpColumn), QStringLiteral("—"));

    m_window->showResult(0);
    QCOMPARE(text("contractLastPrice"), QStringLiteral("no last price yet"));

    // A tick arrives: the results' cell and the panel follow on the cadence, with its age.
    Quote quote;
    quote.last = *Price::parse("26150.1");
    quote.previousClose = *Price::parse("26000");
    quote.timeMs = m_clock->now().epochMs - 3000;
    prices.quotes[keys.first().toStdString()] = quote;
    QTRY_COMPARE(resultText(0, SearchResultsModel::LtpColumn), QStringLiteral("26150.10"));
    QTRY_COMPARE(text("contractLastPrice"),
                 QStringLiteral("Rs 26150.10 · +150.10 (+0.58%) · 3s ago"));
    QCOMPARE(child<QLabel>("contractLastPrice")->toolTip(),
             QStringLiteral("Last tick at 09:59:57 IST"));
    // A change too small for two decimals of a percent is no change of sign.
    prices.quotes[keys.first().toStdString()].last = *Price::parse("25999.3");
    QTRY_COMPARE(text("contractLastPrice"), QStringLiteral("Rs 25999.30 · -0.70 (0.00%) · 3s ago"));

    // No source: no price, and no invented one.
    m_window->setMarketData(nullptr);
    QCOMPARE(text("contractLastPrice"), QStringLiteral("—"));
}

QTEST_MAIN(tst_MainWindow)
#include "tst_mainwindow.moc"
