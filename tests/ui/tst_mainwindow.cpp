// The main window end to end on the offscreen platform: loading state, typeahead, keyboard
// navigation into the results, the contract panel and the status bar's warnings.

#include "RecordFactory.h"
#include "chain/OptionChainModel.h"
#include "chain/OptionChainView.h"
#include "instruments/InstrumentRepository.h"
#include "instruments/MasterGenerator.h"
#include "mainwindow/MainWindow.h"
#include "mainwindow/MasterLoader.h"
#include "search/SearchResultsModel.h"

#include <QAbstractItemModelTester>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <memory>

using namespace strikeline;
using namespace strikeline::testing;
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

private:
    template<typename T>
    T *child(const char *name) const
    {
        T *widget = m_window->findChild<T *>(QLatin1String(name));
        if (!widget)
            qFatal("no child widget '%s'", name);
        return widget;
    }
    QString text(const char *labelName) const { return child<QLabel>(labelName)->text(); }
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

void tst_MainWindow::init()
{
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

    // No match: a message instead of an empty table, and the panel keeps its contract.
    search->clear();
    QTest::keyClicks(search, QStringLiteral("zzzz"));
    QVERIFY(child<QLabel>("resultsMessage")->isVisible());
    QVERIFY2(text("resultsMessage").contains(QStringLiteral("zzzz")),
             qPrintable(text("resultsMessage")));
    QCOMPARE(text("contractLotSize"), QStringLiteral("35"));
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
    QVERIFY(m_window->windowTitle().contains(QLatin1String("DEMO DATA")));
    QVERIFY(text("statusLabel").contains(QLatin1String("demo master (generated)")));

    // A week before, nothing in the master has expired yet.
    m_clock->set(IstMoment::fromDay(day(2025, 12, 1), 9 * 60 + 15));
    publish(realMasterInfo());
    QVERIFY(!child<QLabel>("staleLabel")->isVisible());
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
    QVERIFY(!child<QLabel>("demoLabel")->isVisible());
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

QTEST_MAIN(tst_MainWindow)
#include "tst_mainwindow.moc"
