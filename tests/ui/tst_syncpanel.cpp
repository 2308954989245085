// Test tables read better with plain string literals.
#undef QT_NO_CAST_FROM_ASCII

// SyncPanel: what it asks for (sync, import, cancel, changes), what it shows for progress, a
// result, a history with or without the demo master, the changes of a run or of today, empty
// states; that it fits a 1366x768 screen; and that it works wired to a real SyncController the
// way the main window wires it.

#include "instruments/MasterGenerator.h"
#include "storage/DatabaseConfig.h"
#include "sync/SyncChangesModel.h"
#include "sync/SyncController.h"
#include "sync/SyncPanel.h"
#include "sync/SyncRunsModel.h"

#include <QComboBox>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace strikeline;
using namespace strikeline::ui;

namespace {

const EpochDay Today = fromQDate(QDate(2025, 12, 9));

QDateTime ist(const QString &text)
{
    return QDateTime::fromMSecsSinceEpoch(parseIstMoment(text)->epochMs, Qt::UTC);
}

SyncRunRecord makeRun(std::int64_t id, const QString &source, SyncStatus status,
                      const QString &when, std::int64_t inserted = 0)
{
    SyncRunRecord r;
    r.id = id;
    r.source = source;
    r.status = status;
    r.startedAt = ist(when);
    r.finishedAt = r.startedAt.addSecs(5);
    r.rowsRead = inserted;
    r.rowsInserted = inserted;
    return r;
}

const QString Demo = "/home/t/.local/share/strikeline/demo-master-2025-12-09.json.gz";
const QString Upstox =
    "https://assets.upstox.com/market-quote/instruments/exchange/complete.json.gz";

SyncHistory demoHistory()
{
    SyncHistory h;
    h.today = Today;
    h.runs = {makeRun(1, Demo, SyncStatus::Succeeded, "2025-12-09 09:00", 125000)};
    h.todaysRunIds = {1};
    h.todaysChanges.query.runIds = {1};
    h.lastImport = h.runs.front();
    h.activeInstruments = 125000;
    return h;
}

SyncHistory realHistory()
{
    SyncHistory h;
    h.today = Today;
    h.runs = {makeRun(3, Upstox, SyncStatus::Failed, "2025-12-09 07:00"),
              makeRun(2, Upstox, SyncStatus::Succeeded, "2025-12-09 06:10", 412),
              makeRun(1, Demo, SyncStatus::Succeeded, "2025-12-08 09:00", 125000)};
    h.runs[0].error = "could not download: Connection refused";
    h.todaysRunIds = {3, 2};
    h.todaysChanges.query.runIds = {3, 2};
    h.todaysChanges.changes = {{2, "NSE_FO|1", "new", "NIFTY26JAN26000CE", "", ""},
                               {2, "NSE_FO|2", "lot_changed", "NIFTY25DEC26000CE", "75", "65"}};
    h.todaysChanges.counts.added = 412;
    h.todaysChanges.counts.lotChanged = 1;
    h.todaysChanges.counts.contractsChanged = 1;
    h.todaysChanges.matching = 413;
    h.lastImport = h.runs[1];
    h.activeInstruments = 124278;
    return h;
}

template<typename T>
T *child(QWidget &w, const char *name)
{
    T *found = w.findChild<T *>(QString::fromLatin1(name));
    if (!found)
        qFatal("no child %s", name);
    return found;
}

} // namespace

class tst_SyncPanel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initialState();
    void buttonsAsk();
    void importNeedsAChosenFile();
    void runningAndResult();
    void progressShowsBytesAndRows();
    void demoHistory();
    void emptyDatabase();
    void realHistoryAndTodaysChanges();
    void selectingARunAsksForItsChanges();
    void stalePagesAreIgnored();
    void cappedPageSaysSo();
    void fitsALaptopScreen();
    void wiredToAController();
};

void tst_SyncPanel::initialState()
{
    SyncPanel panel;
    QVERIFY(child<QPushButton>(panel, "syncNowButton")->isEnabled());
    QVERIFY(child<QPushButton>(panel, "importFileButton")->isEnabled());
    QVERIFY(!child<QPushButton>(panel, "cancelSyncButton")->isEnabled());
    QVERIFY(child<QProgressBar>(panel, "syncProgress")->isHidden());
    QVERIFY(child<QLabel>(panel, "syncDemoBanner")->isHidden());
    QCOMPARE(SyncPanel::fileFilter(), "Instrument masters (*.json.gz *.json *.csv.gz *.csv)");
}

void tst_SyncPanel::buttonsAsk()
{
    SyncPanel panel;
    QSignalSpy sync(&panel, &SyncPanel::syncRequested);
    QSignalSpy cancel(&panel, &SyncPanel::cancelRequested);
    QTest::mouseClick(child<QPushButton>(panel, "syncNowButton"), Qt::LeftButton);
    QCOMPARE(sync.size(), 1);
    panel.showStarted(Upstox);
    auto *cancelButton = child<QPushButton>(panel, "cancelSyncButton");
    QVERIFY(cancelButton->isEnabled());
    QTest::mouseClick(cancelButton, Qt::LeftButton);
    QCOMPARE(cancel.size(), 1);
    QVERIFY(!cancelButton->isEnabled()); // asked once; the sync stops at its next check
    QCOMPARE(child<QLabel>(panel, "syncStage")->text(), "Cancelling\u2026");
}

void tst_SyncPanel::importNeedsAChosenFile()
{
    SyncPanel panel;
    QSignalSpy import(&panel, &SyncPanel::importRequested);
    QString chosen;
    int asked = 0;
    panel.setFileChooser([&](QWidget *parent) {
        ++asked;
        return parent == &panel ? chosen : QString();
    });
    QTest::mouseClick(child<QPushButton>(panel, "importFileButton"), Qt::LeftButton);
    QCOMPARE(asked, 1);
    QCOMPARE(import.size(), 0); // the dialog was cancelled
    chosen = "/data/complete-2025-12-09.json.gz";
    QTest::mouseClick(child<QPushButton>(panel, "importFileButton"), Qt::LeftButton);
    QCOMPARE(import.size(), 1);
    QCOMPARE(import.first().at(0).toString(), chosen);
}

void tst_SyncPanel::runningAndResult()
{
    SyncPanel panel;
    panel.showStarted(Upstox);
    QVERIFY(!child<QPushButton>(panel, "syncNowButton")->isEnabled());
    QVERIFY(!child<QPushButton>(panel, "importFileButton")->isEnabled());
    QVERIFY(!child<QProgressBar>(panel, "syncProgress")->isHidden());
    QCOMPARE(child<QLabel>(panel, "syncStage")->text(), "Connecting to Upstox");

    SyncSummary failed;
    failed.outcome = SyncOutcome::Failed;
    failed.error = "Upstox could not be reached: Connection refused";
    failed.message = failed.error + " \u2014 the master of 09 Dec 2025 stays in use";
    panel.showSummary(failed);
    QVERIFY(child<QPushButton>(panel, "syncNowButton")->isEnabled());
    QVERIFY(!child<QPushButton>(panel, "cancelSyncButton")->isEnabled());
    QVERIFY(child<QProgressBar>(panel, "syncProgress")->isHidden());
    QCOMPARE(panel.resultText(), failed.message);
    QVERIFY(!child<QLabel>(panel, "syncResult")->styleSheet().isEmpty()); // shown as an error

    SyncSummary ok;
    ok.outcome = SyncOutcome::Succeeded;
    ok.message = "Synced from Upstox in 8.2 s: 1 new, 0 expired, 0 changed contracts";
    panel.showStarted(Upstox);
    QVERIFY(panel.resultText().isEmpty()); // the old result goes when a new sync starts
    panel.showSummary(ok);
    QCOMPARE(panel.resultText(), ok.message);
    QVERIFY(child<QLabel>(panel, "syncResult")->styleSheet().isEmpty());
}

void tst_SyncPanel::progressShowsBytesAndRows()
{
    SyncPanel panel;
    panel.showStarted(Upstox);
    auto *bar = child<QProgressBar>(panel, "syncProgress");
    QCOMPARE(bar->maximum(), 0); // busy: the size is not known yet
    panel.showProgress("Downloading and reading instruments", 450, 1000, 56000);
    QCOMPARE(bar->maximum(), 1000);
    QCOMPARE(bar->value(), 450);
    QCOMPARE(child<QLabel>(panel, "syncStage")->text(),
             "Downloading and reading instruments \u00b7 45% \u00b7 56,000 rows");
    panel.showProgress("Merging: new, expired and changed contracts", 1000, 1000, 124278);
    QCOMPARE(child<QLabel>(panel, "syncStage")->text(),
             "Merging: new, expired and changed contracts \u00b7 1,24,278 rows");
    panel.showProgress("Downloading and reading instruments", 5000, -1, 0);
    QCOMPARE(bar->maximum(), 0); // no Content-Length
}

void tst_SyncPanel::demoHistory()
{
    SyncPanel panel;
    panel.showHistory(::demoHistory());
    QVERIFY(panel.isShowingDemo());
    QVERIFY(!child<QLabel>(panel, "syncDemoBanner")->isHidden());
    QCOMPARE(child<QLabel>(panel, "syncDemoBanner")->text(),
             "No syncs yet \u2014 this database holds the demo master (generated data, not "
             "Upstox's). Sync now or import a file.");
    QCOMPARE(panel.masterText(), "Demo data: 1,25,000 generated instruments, not Upstox's");
    QCOMPARE(panel.runsModel()->rowCount(), 1);
    // The demo import was today's only run, a first import: no change rows to list.
    QCOMPARE(panel.changesModel()->rowCount(), 0);
    const auto labels = panel.findChildren<QLabel *>();
    QVERIFY(std::any_of(labels.begin(), labels.end(), [](QLabel *l) {
        return l->text() == "Today's syncs changed no contracts.";
    }));
}

void tst_SyncPanel::emptyDatabase()
{
    SyncPanel panel;
    SyncHistory h;
    h.today = Today;
    panel.showHistory(h);
    QCOMPARE(panel.masterText(), "No instruments in the database yet.");
    QVERIFY(child<QLabel>(panel, "syncDemoBanner")->isHidden());
    const auto labels = panel.findChildren<QLabel *>();
    const bool saysSyncNow = std::any_of(labels.begin(), labels.end(), [](QLabel *l) {
        return l->text() == "No syncs yet \u2014 the database is empty. Sync now to fetch "
                            "Upstox's master, or import a file.";
    });
    QVERIFY(saysSyncNow);
    const bool saysNoSyncsToday = std::any_of(labels.begin(), labels.end(), [](QLabel *l) {
        return l->text() == "No syncs today. Select a run above to see what it changed.";
    });
    QVERIFY(saysNoSyncsToday);
}

void tst_SyncPanel::realHistoryAndTodaysChanges()
{
    SyncPanel panel;
    QSignalSpy asked(&panel, &SyncPanel::changesRequested);
    panel.showHistory(realHistory());
    QVERIFY(!panel.isShowingDemo());
    QVERIFY(child<QLabel>(panel, "syncDemoBanner")->isHidden());
    QCOMPARE(panel.masterText(), "1,24,278 active instruments \u00b7 the master of 09 Dec 2025 "
                                 "from Upstox, imported Today 06:10");
    QCOMPARE(panel.runsModel()->rowCount(), 3);
    // Today's changes came with the history: nothing to ask for.
    QCOMPARE(asked.size(), 0);
    QCOMPARE(panel.changesModel()->rowCount(), 2);
    QCOMPARE(child<QLabel>(panel, "syncChangesHeader")->text(),
             "<b>Changes today</b>: 412 new \u00b7 0 expired \u00b7 1 changed");
    auto *filter = child<QComboBox>(panel, "syncKindFilter");
    QCOMPARE(filter->itemText(1), "New contract (412)");
}

void tst_SyncPanel::selectingARunAsksForItsChanges()
{
    SyncPanel panel;
    panel.showHistory(realHistory());
    QSignalSpy asked(&panel, &SyncPanel::changesRequested);
    // A current index without a selection (what focusing the table does) chooses nothing.
    panel.runsView()->selectionModel()->setCurrentIndex(panel.runsModel()->index(0, 0),
                                                        QItemSelectionModel::NoUpdate);
    QCOMPARE(asked.size(), 0);
    QCOMPARE(panel.changesModel()->rowCount(), 2);
    panel.runsView()->selectRow(1); // run 2
    QCOMPARE(asked.size(), 1);
    auto query = asked.last().at(0).value<ChangeQuery>();
    QCOMPARE(query.runIds, std::vector<std::int64_t>{2});
    QVERIFY(query.kind.isEmpty());
    // Today's counts and rows are not this run's: none until its page comes.
    QCOMPARE(child<QLabel>(panel, "syncChangesHeader")->text(), "<b>Changes in sync #2</b>");
    QCOMPARE(panel.changesModel()->rowCount(), 0);

    auto *filter = child<QComboBox>(panel, "syncKindFilter");
    filter->setCurrentIndex(filter->findData(QStringLiteral("lot_changed")));
    QCOMPARE(asked.size(), 2);
    query = asked.last().at(0).value<ChangeQuery>();
    QCOMPARE(query.runIds, std::vector<std::int64_t>{2});
    QCOMPARE(query.kind, "lot_changed");

    // The answer shows; a failed run explains its empty list.
    ChangePage page;
    page.query = query;
    page.changes = {{2, "NSE_FO|2", "lot_changed", "NIFTY25DEC26000CE", "75", "65"}};
    page.matching = 1;
    panel.showChanges(page);
    QCOMPARE(panel.changesModel()->rowCount(), 1);

    filter->setCurrentIndex(0);
    panel.runsView()->selectRow(0); // the failed run 3
    query = asked.last().at(0).value<ChangeQuery>();
    QCOMPARE(query.runIds, std::vector<std::int64_t>{3});
    ChangePage none;
    none.query = query;
    panel.showChanges(none);
    QCOMPARE(panel.changesModel()->rowCount(), 0);
    const auto labels = panel.findChildren<QLabel *>();
    QVERIFY(std::any_of(labels.begin(), labels.end(), [](QLabel *l) {
        return l->text() == "Sync #3 failed: it changed nothing.";
    }));

    // Back to today's: all of today's runs.
    auto *today = child<QPushButton>(panel, "todaysChangesButton");
    QVERIFY(today->isEnabled());
    QTest::mouseClick(today, Qt::LeftButton);
    query = asked.last().at(0).value<ChangeQuery>();
    QCOMPARE(query.runIds, (std::vector<std::int64_t>{3, 2}));
    QVERIFY(!today->isEnabled());

    // A history refresh keeps the selected run selected.
    panel.runsView()->selectRow(1);
    const auto before = asked.size();
    panel.showHistory(realHistory());
    QCOMPARE(panel.runsView()->currentIndex().row(), 1);
    QCOMPARE(asked.size(), before + 1); // its changes again, fresh
    QCOMPARE(asked.last().at(0).value<ChangeQuery>().runIds, std::vector<std::int64_t>{2});
}

void tst_SyncPanel::stalePagesAreIgnored()
{
    SyncPanel panel;
    panel.showHistory(realHistory());
    panel.runsView()->selectRow(1); // run 2 asked for
    ChangePage stale;
    stale.query.runIds = {3};
    stale.changes = {
        {3, "X", "new", "Y", "", ""}, {3, "Z", "new", "W", "", ""}, {3, "Q", "new", "R", "", ""}};
    panel.showChanges(stale);
    QVERIFY(panel.changesModel()->rowCount() != 3);
}

void tst_SyncPanel::cappedPageSaysSo()
{
    SyncPanel panel;
    SyncHistory h = realHistory();
    h.todaysChanges.matching = 30000;
    h.todaysChanges.counts.deactivated = 30000 - 413;
    panel.showHistory(h);
    auto *note = child<QLabel>(panel, "syncChangesNote");
    QVERIFY(!note->isHidden());
    QCOMPARE(note->text(), "Showing the first 2 of 30,000 changes; filter by kind to see others.");
}

void tst_SyncPanel::fitsALaptopScreen()
{
    SyncPanel panel;
    panel.showHistory(realHistory());
    const QSize hint = panel.minimumSizeHint();
    QVERIFY2(hint.width() <= 1366 && hint.height() <= 700,
             qPrintable(QStringLiteral("%1x%2").arg(hint.width()).arg(hint.height())));
    panel.resize(1366, 700); // a maximised window on 1366x768, less the title and status bar
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    auto *runs = panel.runsView();
    auto *changes = child<QTableView>(panel, "syncChangesView");
    QVERIFY2(runs->height() >= 5 * runs->verticalHeader()->defaultSectionSize(),
             qPrintable(QString::number(runs->height())));
    QVERIFY2(changes->height() >= 8 * changes->verticalHeader()->defaultSectionSize(),
             qPrintable(QString::number(changes->height())));
    // Every column of the runs shows without a horizontal scroll bar at this width.
    int width = 0;
    for (int c = 0; c < panel.runsModel()->columnCount() - 1; ++c)
        width += runs->columnWidth(c);
    QVERIFY2(width < runs->viewport()->width(), qPrintable(QString::number(width)));
}

void tst_SyncPanel::wiredToAController()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString master = dir.filePath("complete-2025-12-09.json.gz");
    GeneratorOptions o;
    o.rows = 3000;
    o.asOf = Today;
    QVERIFY(generateMasterFile(master, o));
    auto config = DatabaseConfig::parse("sqlite://" + dir.filePath("s.db"));
    QVERIFY(config);
    FixedClock clock(IstMoment::fromDay(Today, 10 * 60));

    // As the main window wires them.
    SyncController controller(clock);
    SyncPanel panel;
    connect(&panel, &SyncPanel::importRequested, &controller, [&](const QString &path) {
        controller.start(SyncRequest{path, false, *config});
    });
    connect(&panel, &SyncPanel::cancelRequested, &controller, &SyncController::cancel);
    connect(&panel, &SyncPanel::changesRequested, &controller,
            [&](const ChangeQuery &q) { controller.loadChanges(*config, q); });
    connect(&controller, &SyncController::started, &panel, &SyncPanel::showStarted);
    connect(&controller, &SyncController::progress, &panel, &SyncPanel::showProgress);
    connect(&controller, &SyncController::finished, &panel, &SyncPanel::showSummary);
    connect(&controller, &SyncController::historyLoaded, &panel, &SyncPanel::showHistory);
    connect(&controller, &SyncController::changesLoaded, &panel, &SyncPanel::showChanges);
    connect(&controller, &SyncController::historyFailed, &panel, &SyncPanel::showHistoryError);

    panel.setFileChooser([&](QWidget *) { return master; });
    QSignalSpy history(&controller, &SyncController::historyLoaded);
    QTest::mouseClick(child<QPushButton>(panel, "importFileButton"), Qt::LeftButton);
    QVERIFY(controller.isRunning());
    QVERIFY(!child<QPushButton>(panel, "importFileButton")->isEnabled());
    QVERIFY(history.wait(60000));
    QVERIFY2(panel.resultText().startsWith("Imported 3,000 instruments from "
                                           "complete-2025-12-09.json.gz"),
             qPrintable(panel.resultText()));
    QCOMPARE(panel.runsModel()->rowCount(), 1);
    QCOMPARE(panel.runsModel()->index(0, SyncRunsModel::StatusColumn).data().toString(),
             "Succeeded");
    // Generated, though named like Upstox's: the panel says so (the run kept it).
    QCOMPARE(panel.masterText(), "Demo data: 3,000 generated instruments, not Upstox's");
    QVERIFY(!child<QLabel>(panel, "syncDemoBanner")->isHidden());
    QVERIFY2(child<QLabel>(panel, "syncDemoBanner")->text().contains("synthetic"),
             qPrintable(child<QLabel>(panel, "syncDemoBanner")->text()));

    // Selecting the run asks the controller, whose answer lands in the panel.
    QSignalSpy pages(&controller, &SyncController::changesLoaded);
    panel.runsView()->selectRow(0);
    QVERIFY(pages.wait(60000));
    QCOMPARE(panel.changesModel()->rowCount(), 0);
    const auto labels = panel.findChildren<QLabel *>();
    QVERIFY(std::any_of(labels.begin(), labels.end(), [](QLabel *l) {
        return l->text().startsWith("Sync #1 was the first import into an empty database");
    }));
}

QTEST_MAIN(tst_SyncPanel)
#include "tst_syncpanel.moc"
