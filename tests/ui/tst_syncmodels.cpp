// Test tables read better with plain string literals.
#undef QT_NO_CAST_FROM_ASCII

// SyncRunsModel and SyncChangesModel present core's runs and changes as they come (texts,
// alignment, roles, resets), each under QAbstractItemModelTester; and the sync wording
// (SyncText) a trader reads in the panel and the status bar.

#include "sync/SyncChangesModel.h"
#include "sync/SyncRunsModel.h"
#include "sync/SyncText.h"

#include <QAbstractItemModelTester>
#include <QBrush>
#include <QSignalSpy>
#include <QTest>

using namespace strikeline;
using namespace strikeline::ui;

namespace {

const EpochDay Today = fromQDate(QDate(2025, 12, 9));
const QString Upstox =
    "https://assets.upstox.com/market-quote/instruments/exchange/complete.json.gz";

QDateTime ist(const QString &text)
{
    return QDateTime::fromMSecsSinceEpoch(parseIstMoment(text)->epochMs, Qt::UTC);
}

std::vector<SyncRunRecord> sampleRuns()
{
    SyncRunRecord failed;
    failed.id = 12;
    failed.startedAt = ist("2025-12-09 07:00");
    failed.finishedAt = failed.startedAt.addMSecs(30250);
    failed.source = Upstox;
    failed.status = SyncStatus::Failed;
    failed.error = "could not download https://assets.upstox.com/…: Connection refused";

    SyncRunRecord ok;
    ok.id = 11;
    ok.startedAt = ist("2025-12-08 06:15");
    ok.finishedAt = ok.startedAt.addMSecs(125400);
    ok.source = Upstox;
    ok.status = SyncStatus::Succeeded;
    ok.rowsRead = 124278;
    ok.rowsInserted = 412;
    ok.rowsUpdated = 1310;
    ok.rowsDeactivated = 2045;
    ok.forced = true;

    SyncRunRecord file;
    file.id = 10;
    file.startedAt = ist("2025-12-01 18:40");
    file.finishedAt = file.startedAt.addMSecs(850);
    file.source = "/home/trader/Downloads/complete-2025-12-01.json.gz";
    file.status = SyncStatus::Unchanged;
    file.rowsRead = 0;

    SyncRunRecord running;
    running.id = 13;
    running.startedAt = ist("2025-12-09 07:30");
    running.source = "/home/trader/.local/share/strikeline/demo-master-2025-12-09.json.gz";
    running.status = SyncStatus::Running;
    return {running, failed, ok, file};
}

} // namespace

class tst_SyncModels : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void runsTexts_data();
    void runsTexts();
    void runsRolesAndLookups();
    void runsResetAndClear();
    void changesTexts();
    void changesResetAndClear();
    void wording_data();
    void wording();
    void failureReasons_data();
    void failureReasons();
    void summaryMessages();
};

void tst_SyncModels::runsTexts_data()
{
    QTest::addColumn<int>("row");
    QTest::addColumn<QStringList>("texts");
    // clang-format off
    QTest::newRow("running demo import")
        << 0 << QStringList{"Today 07:30", "Demo master (generated)", "Running", "", "", "", "",
                            "", ""};
    QTest::newRow("failed download")
        << 1 << QStringList{"Today 07:00", "Upstox", "Failed", "", "", "", "", "30.3 s",
                            "could not download https://assets.upstox.com/…: Connection refused"};
    QTest::newRow("forced import yesterday")
        << 2 << QStringList{"Yesterday 06:15", "Upstox", "Succeeded (forced)", "1,24,278", "412",
                            "1,310", "2,045", "2 min 05 s", ""};
    QTest::newRow("unchanged file, a week ago")
        << 3 << QStringList{"01 Dec 2025 18:40", "complete-2025-12-01.json.gz", "Unchanged", "",
                            "", "", "", "850 ms", ""};
    // clang-format on
}

void tst_SyncModels::runsTexts()
{
    QFETCH(int, row);
    QFETCH(QStringList, texts);
    SyncRunsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRuns(sampleRuns(), Today);
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.columnCount(), int(SyncRunsModel::ColumnCount));
    QStringList got;
    for (int c = 0; c < model.columnCount(); ++c)
        got << model.index(row, c).data().toString();
    QCOMPARE(got, texts);
}

void tst_SyncModels::runsRolesAndLookups()
{
    SyncRunsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRuns(sampleRuns(), Today);
    QCOMPARE(model.index(1, 0).data(SyncRunsModel::RunIdRole).toLongLong(), 12);
    QCOMPARE(model.index(1, 0).data(SyncRunsModel::StatusRole).toInt(), int(SyncStatus::Failed));
    QCOMPARE(model.rowOfRun(11), 2);
    QCOMPARE(model.rowOfRun(99), -1);
    QVERIFY(model.runAt(3).has_value());
    QCOMPARE(model.runAt(3)->id, 10);
    QVERIFY(!model.runAt(4).has_value());
    QVERIFY(!model.runAt(-1).has_value());
    // Numbers right-aligned, words left.
    const auto align = [&](int column) {
        return model.index(2, column).data(Qt::TextAlignmentRole).value<Qt::Alignment>();
    };
    QVERIFY(align(SyncRunsModel::NewColumn) & Qt::AlignRight);
    QVERIFY(align(SyncRunsModel::DurationColumn) & Qt::AlignRight);
    QVERIFY(align(SyncRunsModel::SourceColumn) & Qt::AlignLeft);
    // The full source and the error as tooltips; failures stand out.
    QCOMPARE(model.index(3, SyncRunsModel::SourceColumn).data(Qt::ToolTipRole).toString(),
             "/home/trader/Downloads/complete-2025-12-01.json.gz");
    QVERIFY(model.index(1, SyncRunsModel::ErrorColumn)
                .data(Qt::ToolTipRole)
                .toString()
                .contains("Connection refused"));
    QVERIFY(
        model.index(1, SyncRunsModel::StatusColumn).data(Qt::ForegroundRole).canConvert<QBrush>());
    QVERIFY(!model.index(2, SyncRunsModel::StatusColumn).data(Qt::ForegroundRole).isValid());
    QCOMPARE(model.headerData(SyncRunsModel::WhenColumn, Qt::Horizontal).toString(), "When (IST)");
    QCOMPARE(model.headerData(SyncRunsModel::DeactivatedColumn, Qt::Horizontal).toString(),
             "Deactivated");
}

void tst_SyncModels::runsResetAndClear()
{
    SyncRunsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QCOMPARE(model.rowCount(), 0);
    model.setRuns(sampleRuns(), Today);
    QCOMPARE(resets.size(), 1);
    QCOMPARE(model.rowCount(), 4);
    // Another day: the same run reads differently.
    model.setRuns(sampleRuns(), Today + 1);
    QCOMPARE(model.index(1, 0).data().toString(), "Yesterday 07:00");
    QCOMPARE(model.index(2, 0).data().toString(), "08 Dec 2025 06:15");
    model.clear();
    QCOMPARE(resets.size(), 3);
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(!model.index(0, 0).isValid());
}

void tst_SyncModels::changesTexts()
{
    ChangePage page;
    page.query.runIds = {11};
    page.changes = {
        {11, "NSE_FO|52001", "lot_changed", "NIFTY25DEC26000CE", "75", "65"},
        {11, "NSE_FO|41915", "key_reused", "BANKNIFTY25DEC59000PE", "NIFTY25NOV25000CE",
         "BANKNIFTY25DEC59000PE"},
        {11, "NSE_FO|60000", "new", "NIFTY26JAN26000CE", "", ""},
        {11, "MCX_FO|4410", "deactivated", "SILVER25DECFUT", "", ""},
        {11, "NSE_FO|1", "freeze_changed", "FINNIFTY25DECFUT", "1800", "1200"},
    };
    page.matching = 5;
    SyncChangesModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setPage(page);
    QCOMPARE(model.rowCount(), 5);
    QCOMPARE(model.columnCount(), int(SyncChangesModel::ColumnCount));
    auto row = [&](int r) {
        QStringList out;
        for (int c = 0; c < model.columnCount(); ++c)
            out << model.index(r, c).data().toString();
        return out;
    };
    QCOMPARE(row(0), (QStringList{"Lot size changed", "NIFTY25DEC26000CE", "NSE_FO|52001",
                                  "75 \u2192 65", "#11"}));
    QCOMPARE(row(1),
             (QStringList{"Key now names another contract", "BANKNIFTY25DEC59000PE", "NSE_FO|41915",
                          "NIFTY25NOV25000CE \u2192 BANKNIFTY25DEC59000PE", "#11"}));
    QCOMPARE(row(2), (QStringList{"New contract", "NIFTY26JAN26000CE", "NSE_FO|60000", "", "#11"}));
    QCOMPARE(row(3),
             (QStringList{"Expired / removed", "SILVER25DECFUT", "MCX_FO|4410", "", "#11"}));
    QCOMPARE(row(4).first(), "Freeze quantity changed");
    QCOMPARE(model.index(1, 0).data(SyncChangesModel::ChangeKindRole).toString(), "key_reused");
    QCOMPARE(model.index(1, 0).data(SyncChangesModel::InstrumentKeyRole).toString(),
             "NSE_FO|41915");
    QCOMPARE(model.index(1, 0).data(SyncChangesModel::RunIdRole).toLongLong(), 11);
    QVERIFY(model.index(1, 0).data(Qt::ToolTipRole).toString().contains("reused"));
    QVERIFY(!model.index(0, 0).data(Qt::ToolTipRole).isValid());
    QCOMPARE(model.headerData(SyncChangesModel::ValuesColumn, Qt::Horizontal).toString(),
             "Old \u2192 new");
    QCOMPARE(model.page().matching, 5);
}

void tst_SyncModels::changesResetAndClear()
{
    SyncChangesModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    ChangePage page;
    page.changes.resize(3, InstrumentChange{1, "K", "new", "S", "", ""});
    model.setPage(page);
    QCOMPARE(model.rowCount(), 3);
    model.clear();
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(resets.size(), 2);
    QVERIFY(!model.index(0, 0).isValid());
}

void tst_SyncModels::wording_data()
{
    QTest::addColumn<QString>("got");
    QTest::addColumn<QString>("expected");
    QTest::newRow("lakh grouping") << groupedCount(124278) << "1,24,278";
    QTest::newRow("crore grouping") << groupedCount(12345678) << "1,23,45,678";
    QTest::newRow("ms") << durationText(850) << "850 ms";
    QTest::newRow("seconds") << durationText(12345) << "12.3 s";
    QTest::newRow("minutes") << durationText(125400) << "2 min 05 s";
    QTest::newRow("upstox") << sourceLabel(Upstox) << "Upstox";
    QTest::newRow("other host") << sourceLabel("http://mirror.example:8080/x.json.gz")
                                << "mirror.example";
    QTest::newRow("file") << sourceLabel("/data/complete-2025-12-09.json.gz")
                          << "complete-2025-12-09.json.gz";
    QTest::newRow("demo") << sourceLabel("/d/demo-master-2025-12-09.json.gz")
                          << "Demo master (generated)";
    QTest::newRow("not a demo url")
        << QString::number(isDemoSource("https://x/demo-master-2025-12-09.json.gz")) << "0";
    QTest::newRow("connecting url")
        << stageText(SyncStage::Connecting, Upstox) << "Connecting to Upstox";
    QTest::newRow("opening file") << stageText(SyncStage::Connecting, "/a/b.csv.gz")
                                  << "Opening b.csv.gz";
    QTest::newRow("merging") << stageText(SyncStage::Merging, Upstox)
                             << "Merging: new, expired and changed contracts";
    SyncRunRecord run;
    run.source = "/data/complete-2025-12-09.json.gz";
    run.finishedAt = ist("2025-12-11 07:00");
    QTest::newRow("master of the file's date")
        << masterInUseText(run) << "the master of 09 Dec 2025";
    run.source = Upstox;
    QTest::newRow("master of a download: the day it came")
        << masterInUseText(run) << "the master of 11 Dec 2025";
    run.source = "/d/demo-master-2025-12-09.json.gz";
    QTest::newRow("demo master") << masterInUseText(run) << "the demo master";
    QTest::newRow("no master") << masterInUseText(std::nullopt) << "";
    QTest::newRow("run time across midnight IST")
        << runTimeText(ist("2025-12-09 00:10"), Today) << "Today 00:10";
    QTest::newRow("run time late yesterday")
        << runTimeText(ist("2025-12-08 23:50"), Today) << "Yesterday 23:50";
}

void tst_SyncModels::wording()
{
    QFETCH(QString, got);
    QFETCH(QString, expected);
    QCOMPARE(got, expected);
}

void tst_SyncModels::failureReasons_data()
{
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QString>("source");
    QTest::addColumn<QString>("expected");
    QTest::newRow("refused")
        << int(ErrorCode::Network) << "could not download X: Connection refused" << Upstox
        << "Upstox could not be reached: could not download X: Connection refused";
    QTest::newRow("http status") << int(ErrorCode::Network) << "HTTP 503 Service Unavailable from X"
                                 << Upstox
                                 << "Upstox answered with an error: HTTP 503 Service Unavailable "
                                    "from X";
    QTest::newRow("gzip") << int(ErrorCode::Gzip) << "the gzip stream is truncated"
                          << "/a/complete.json.gz"
                          << "The master from complete.json.gz is damaged: the gzip stream is "
                             "truncated";
    QTest::newRow("too few rows") << int(ErrorCode::Validation) << "the new master has 10" << Upstox
                                  << "The new master was refused: the new master has 10";
    QTest::newRow("io") << int(ErrorCode::Io) << "cannot open"
                        << "/a/b.csv"
                        << "b.csv could not "
                           "be read: cannot "
                           "open";
    QTest::newRow("conflict") << int(ErrorCode::Conflict) << "another sync" << Upstox
                              << "Another sync is running on this database: another sync";
    QTest::newRow("cancelled") << int(ErrorCode::Cancelled) << "the sync was cancelled" << Upstox
                               << "Sync cancelled";
}

void tst_SyncModels::failureReasons()
{
    QFETCH(int, code);
    QFETCH(QString, message);
    QFETCH(QString, source);
    QFETCH(QString, expected);
    QCOMPARE(failureReason(Error::make(static_cast<ErrorCode>(code), message), source), expected);
}

void tst_SyncModels::summaryMessages()
{
    SyncSummary s;
    s.source = Upstox;
    s.outcome = SyncOutcome::Succeeded;
    s.elapsedMs = 8200;
    s.instruments = 124278;
    s.newContracts = 412;
    s.expiredContracts = 1310;
    s.changedContracts = 37;
    QCOMPARE(summaryMessage(s), "Synced from Upstox in 8.2 s: 412 new, 1,310 expired, 37 changed "
                                "contracts (1,24,278 instruments)");
    s.rowsSkipped = 3;
    QVERIFY(summaryMessage(s).endsWith("; 3 invalid rows skipped"));
    s.firstImport = true;
    QCOMPARE(summaryMessage(s), "Imported 1,24,278 instruments from Upstox in 8.2 s (first "
                                "import)");
    s.outcome = SyncOutcome::Failed;
    s.error = "Upstox could not be reached: connection refused";
    s.masterInUse = "the master of 09 Dec 2025";
    QCOMPARE(summaryMessage(s), "Upstox could not be reached: connection refused \u2014 the "
                                "master of 09 Dec 2025 stays in use");
    s.outcome = SyncOutcome::Cancelled;
    s.masterInUse.clear();
    QCOMPARE(summaryMessage(s), "Sync cancelled \u2014 nothing was imported");
    s.outcome = SyncOutcome::Unchanged;
    QCOMPARE(summaryMessage(s), "The master from Upstox is unchanged since the last sync: nothing "
                                "to import");
}

QTEST_MAIN(tst_SyncModels)
#include "tst_syncmodels.moc"
