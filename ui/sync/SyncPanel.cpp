#include "SyncPanel.h"

#include "SyncChangesModel.h"
#include "SyncRunsModel.h"
#include "SyncText.h"
#include "common/Tables.h"

#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

namespace strikeline::ui {

namespace {

QTableView *makeTable(QAbstractItemModel *model, QWidget *parent)
{
    QTableView *view = makeRowTable(model, parent);
    view->setTextElideMode(Qt::ElideMiddle);
    return view;
}

QLabel *makeEmptyLabel(QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setAlignment(Qt::AlignCenter);
    label->setWordWrap(true);
    label->setMargin(16);
    label->setEnabled(false); // the palette's muted text
    return label;
}

} // namespace

SyncPanel::SyncPanel(QWidget *parent)
    : QWidget(parent)
    , m_chooseFile([](QWidget *owner) {
        return QFileDialog::getOpenFileName(owner, QStringLiteral("Import instruments file"),
                                            QString(), SyncPanel::fileFilter());
    })
    , m_runsModel(new SyncRunsModel(this))
    , m_changesModel(new SyncChangesModel(this))
{
    setObjectName(QStringLiteral("SyncPanel"));

    // --- top: the master in use, the actions, the progress, the last result ------------------
    m_master = new QLabel(this);
    m_master->setObjectName(QStringLiteral("syncMasterLine"));
    m_master->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_master->setText(QStringLiteral("Reading the sync history\u2026"));
    m_demoBanner = new QLabel(this);
    m_demoBanner->setObjectName(QStringLiteral("syncDemoBanner"));
    m_demoBanner->setWordWrap(true);
    m_demoBanner->setText(QStringLiteral("No syncs yet \u2014 this database holds the demo master "
                                         "(generated data, not Upstox's). Sync now or import a "
                                         "file."));
    m_demoBanner->setStyleSheet(
        QStringLiteral("QLabel { background: #fff4ce; color: #5c4400; border: 1px solid #e0c060; "
                       "border-radius: 3px; padding: 4px 8px; }"));
    m_demoBanner->hide();

    m_syncButton = new QPushButton(QStringLiteral("Sync now"), this);
    m_syncButton->setObjectName(QStringLiteral("syncNowButton"));
    m_syncButton->setToolTip(QStringLiteral("Download today's instrument master from Upstox"));
    m_importButton = new QPushButton(QStringLiteral("Import instruments file\u2026"), this);
    m_importButton->setObjectName(QStringLiteral("importFileButton"));
    m_cancelButton = new QPushButton(QStringLiteral("Cancel"), this);
    m_cancelButton->setObjectName(QStringLiteral("cancelSyncButton"));
    m_cancelButton->setEnabled(false);
    m_stage = new QLabel(this);
    m_stage->setObjectName(QStringLiteral("syncStage"));
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("syncProgress"));
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    m_progress->setTextVisible(false);
    m_progress->setMaximumHeight(m_progress->fontMetrics().height());
    m_progress->hide();
    m_result = new QLabel(this);
    m_result->setObjectName(QStringLiteral("syncResult"));
    m_result->setWordWrap(true);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_syncButton);
    buttons->addWidget(m_importButton);
    buttons->addWidget(m_cancelButton);
    buttons->addSpacing(12);
    buttons->addWidget(m_stage, 1);
    auto *top = new QVBoxLayout;
    top->addWidget(m_master);
    top->addWidget(m_demoBanner);
    top->addLayout(buttons);
    top->addWidget(m_progress);
    top->addWidget(m_result);

    // --- middle: the runs -------------------------------------------------------------------
    m_runsView = makeTable(m_runsModel, this);
    m_runsView->setObjectName(QStringLiteral("syncRunsView"));
    const QFontMetrics fm = m_runsView->fontMetrics();
    const int digits = fm.horizontalAdvance(QStringLiteral("12,34,567")) + 16;
    m_runsView->setColumnWidth(SyncRunsModel::WhenColumn,
                               fm.horizontalAdvance(QStringLiteral("24 Nov 2026 09:57")) + 20);
    m_runsView->setColumnWidth(SyncRunsModel::SourceColumn,
                               fm.horizontalAdvance(QStringLiteral("complete-2025-12-09.json.gz")) +
                                   20);
    m_runsView->setColumnWidth(SyncRunsModel::StatusColumn,
                               fm.horizontalAdvance(QStringLiteral("Succeeded (forced)")) + 12);
    for (int c : {SyncRunsModel::RowsColumn, SyncRunsModel::NewColumn, SyncRunsModel::UpdatedColumn,
                  SyncRunsModel::DeactivatedColumn})
        m_runsView->setColumnWidth(c, digits);
    m_runsView->setColumnWidth(SyncRunsModel::DurationColumn,
                               fm.horizontalAdvance(QStringLiteral("10 min 00 s")) + 12);
    m_runsEmpty = makeEmptyLabel(this);
    m_runsStack = new QStackedWidget(this);
    m_runsStack->addWidget(m_runsEmpty);
    m_runsStack->addWidget(m_runsView);
    auto *runsBox = new QWidget(this);
    auto *runsLayout = new QVBoxLayout(runsBox);
    runsLayout->setContentsMargins(0, 0, 0, 0);
    auto *runsTitle = new QLabel(QStringLiteral("<b>Sync history</b>"), runsBox);
    runsLayout->addWidget(runsTitle);
    runsLayout->addWidget(m_runsStack, 1);

    // --- bottom: the changes ------------------------------------------------------------------
    m_changesHeader = new QLabel(this);
    m_changesHeader->setObjectName(QStringLiteral("syncChangesHeader"));
    m_kindFilter = new QComboBox(this);
    m_kindFilter->setObjectName(QStringLiteral("syncKindFilter"));
    m_kindFilter->addItem(QStringLiteral("All changes"), QString());
    for (const QString &kind : changeKinds())
        m_kindFilter->addItem(changeKindText(kind), kind);
    m_kindFilter->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_todayButton = new QPushButton(QStringLiteral("Today's changes"), this);
    m_todayButton->setObjectName(QStringLiteral("todaysChangesButton"));
    m_todayButton->setToolTip(QStringLiteral("Show the changes of every sync run today"));
    m_todayButton->setEnabled(false);
    m_changesView = makeTable(m_changesModel, this);
    m_changesView->setObjectName(QStringLiteral("syncChangesView"));
    m_changesView->setColumnWidth(SyncChangesModel::KindColumn,
                                  fm.horizontalAdvance(QStringLiteral("Freeze quantity changed")) +
                                      16);
    m_changesView->setColumnWidth(SyncChangesModel::SymbolColumn,
                                  fm.horizontalAdvance(QStringLiteral("BANKNIFTY25DEC60000CE")) +
                                      16);
    m_changesView->setColumnWidth(SyncChangesModel::KeyColumn,
                                  fm.horizontalAdvance(QStringLiteral("NSE_FO|1234567")) + 16);
    m_changesView->setColumnWidth(
        SyncChangesModel::ValuesColumn,
        fm.horizontalAdvance(QStringLiteral("BANKNIFTY25DEC60000CE \u2192 "
                                            "BANKNIFTY25DEC60000CE")));
    m_changesEmpty = makeEmptyLabel(this);
    m_changesStack = new QStackedWidget(this);
    m_changesStack->addWidget(m_changesEmpty);
    m_changesStack->addWidget(m_changesView);
    m_changesNote = new QLabel(this);
    m_changesNote->setObjectName(QStringLiteral("syncChangesNote"));
    m_changesNote->hide();
    auto *changesBox = new QWidget(this);
    auto *changesLayout = new QVBoxLayout(changesBox);
    changesLayout->setContentsMargins(0, 0, 0, 0);
    auto *changesBar = new QHBoxLayout;
    changesBar->addWidget(m_changesHeader, 1);
    changesBar->addWidget(m_todayButton);
    changesBar->addWidget(m_kindFilter);
    changesLayout->addLayout(changesBar);
    changesLayout->addWidget(m_changesStack, 1);
    changesLayout->addWidget(m_changesNote);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(runsBox);
    splitter->addWidget(changesBox);
    splitter->setChildrenCollapsible(false);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 3);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(splitter, 1);

    m_runsEmpty->setText(QStringLiteral("Reading the sync history\u2026"));
    m_changesEmpty->setText(QString());
    updateChangesHeader();

    connect(m_syncButton, &QPushButton::clicked, this, &SyncPanel::syncRequested);
    connect(m_importButton, &QPushButton::clicked, this, &SyncPanel::chooseAndImport);
    connect(m_cancelButton, &QPushButton::clicked, this, [this] {
        m_cancelButton->setEnabled(false); // once is enough; the sync stops at its next check
        m_stage->setText(QStringLiteral("Cancelling\u2026"));
        Q_EMIT cancelRequested();
    });
    // The selection, not the current index: focusing the table makes a current index without
    // the trader choosing anything.
    connect(m_runsView->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        const QModelIndexList rows = m_runsView->selectionModel()->selectedRows();
        const auto run = rows.isEmpty() ? std::nullopt : m_runsModel->runAt(rows.first().row());
        m_selectedRun = run ? run->id : 0;
        m_todayButton->setEnabled(m_selectedRun != 0);
        requestChanges();
    });
    connect(m_todayButton, &QPushButton::clicked, this, [this] {
        {
            const QSignalBlocker blocker(m_runsView->selectionModel());
            m_runsView->selectionModel()->clear();
        }
        m_selectedRun = 0;
        m_todayButton->setEnabled(false);
        requestChanges();
    });
    connect(m_kindFilter, &QComboBox::currentIndexChanged, this, [this] { requestChanges(); });
}

SyncPanel::~SyncPanel() = default;

QString SyncPanel::masterText() const
{
    return m_master->text();
}

QString SyncPanel::resultText() const
{
    return m_result->text();
}

void SyncPanel::setRunning(bool running)
{
    m_running = running;
    m_syncButton->setEnabled(!running);
    m_importButton->setEnabled(!running);
    m_cancelButton->setEnabled(running);
    m_progress->setVisible(running);
    if (!running)
        m_stage->clear();
}

void SyncPanel::chooseAndImport()
{
    const QString path = m_chooseFile ? m_chooseFile(this) : QString();
    if (!path.isEmpty())
        Q_EMIT importRequested(path);
}

void SyncPanel::showStarted(const QString &source)
{
    setRunning(true);
    m_progress->setRange(0, 0); // busy until the size is known
    m_stage->setText(stageText(SyncStage::Connecting, source));
    m_result->clear();
}

void SyncPanel::showProgress(const QString &stage, qint64 bytes, qint64 totalBytes, qint64 rows)
{
    if (!m_running)
        setRunning(true);
    if (totalBytes > 0) {
        m_progress->setRange(0, 1000);
        m_progress->setValue(
            static_cast<int>(std::clamp<qint64>(bytes * 1000 / totalBytes, 0, 1000)));
    } else {
        m_progress->setRange(0, 0);
    }
    QString text = stage;
    if (totalBytes > 0 && bytes < totalBytes)
        text += QStringLiteral(" \u00b7 %1%").arg(bytes * 100 / totalBytes);
    if (rows > 0)
        text += QStringLiteral(" \u00b7 %1 rows").arg(groupedCount(rows));
    m_stage->setText(text);
}

void SyncPanel::showSummary(const SyncSummary &summary)
{
    setRunning(false);
    m_result->setText(summary.message);
    m_result->setToolTip(summary.error);
    const bool failed = !summary.ok();
    m_result->setStyleSheet(failed ? QStringLiteral("QLabel { color: #c62828; }") : QString());
}

void SyncPanel::showHistory(const SyncHistory &history)
{
    m_todaysRunIds = history.todaysRunIds;
    m_demo = history.lastImport &&
             (history.lastImport->synthetic || isDemoSource(history.lastImport->source));

    // The master line.
    if (!history.lastImport) {
        m_master->setText(history.activeInstruments > 0
                              ? QStringLiteral("%1 active instruments")
                                    .arg(groupedCount(history.activeInstruments))
                              : QStringLiteral("No instruments in the database yet."));
    } else if (m_demo) {
        m_master->setText(QStringLiteral("Demo data: %1 generated instruments, not Upstox's")
                              .arg(groupedCount(history.activeInstruments)));
    } else {
        const SyncRunRecord &last = *history.lastImport;
        QString text = QStringLiteral("%1 active instruments \u00b7 %2 from %3")
                           .arg(groupedCount(history.activeInstruments),
                                masterInUseText(history.lastImport), sourceLabel(last.source));
        const QString when = runTimeText(last.finishedAt, history.today);
        if (!when.isEmpty())
            text += QStringLiteral(", imported ") + when;
        m_master->setText(text);
    }
    m_master->setToolTip(history.lastImport ? history.lastImport->source : QString());
    const bool onlyDemo =
        m_demo && std::none_of(history.runs.begin(), history.runs.end(), [](const auto &run) {
            return run.status != SyncStatus::Running && !run.synthetic && !isDemoSource(run.source);
        });
    const bool generatedFile = m_demo && !isDemoSource(history.lastImport->source);
    m_demoBanner->setText(
        generatedFile
            ? QStringLiteral("This database holds a generated (synthetic) master, not Upstox's. "
                             "Sync now or import a real file.")
        : onlyDemo ? QStringLiteral("No syncs yet \u2014 this database holds the demo master "
                                    "(generated data, not Upstox's). Sync now or import a file.")
                   : QStringLiteral("This database holds the demo master (generated data, not "
                                    "Upstox's): the last real sync did not replace it. Sync now "
                                    "or import a file."));
    m_demoBanner->setVisible(m_demo);

    // The runs, keeping the selected one selected.
    const std::int64_t selected = m_selectedRun;
    {
        const QSignalBlocker blocker(m_runsView->selectionModel());
        m_runsModel->setRuns(history.runs, history.today);
        const int row = selected ? m_runsModel->rowOfRun(selected) : -1;
        if (row >= 0) {
            m_runsView->selectionModel()->setCurrentIndex(m_runsModel->index(row, 0),
                                                          QItemSelectionModel::ClearAndSelect |
                                                              QItemSelectionModel::Rows);
        }
        m_selectedRun = row >= 0 ? selected : 0;
        m_todayButton->setEnabled(m_selectedRun != 0);
    }
    if (history.runs.empty()) {
        m_runsEmpty->setText(
            history.activeInstruments > 0
                ? QStringLiteral("No syncs recorded in this database. Sync now or import a file.")
                : QStringLiteral("No syncs yet \u2014 the database is empty. Sync now to fetch "
                                 "Upstox's master, or import a file."));
        m_runsStack->setCurrentWidget(m_runsEmpty);
    } else {
        m_runsStack->setCurrentWidget(m_runsView);
    }

    if (m_selectedRun == 0 && selectedKind().isEmpty())
        showChanges(history.todaysChanges);
    else
        requestChanges();
}

void SyncPanel::showChanges(const ChangePage &page)
{
    // Only the page for what is asked now: an answer to an earlier question is stale.
    const std::vector<std::int64_t> wanted =
        m_selectedRun ? std::vector<std::int64_t>{m_selectedRun} : m_todaysRunIds;
    if (page.query.runIds != wanted || page.query.kind != selectedKind())
        return;
    m_counts = page.counts;
    m_changesModel->setPage(page);
    for (int i = 1; i < m_kindFilter->count(); ++i) {
        const QString kind = m_kindFilter->itemData(i).toString();
        const std::int64_t n = page.counts.of(kind);
        m_kindFilter->setItemText(
            i, n > 0 ? QStringLiteral("%1 (%2)").arg(changeKindText(kind), groupedCount(n))
                     : changeKindText(kind));
    }
    updateChangesHeader();

    if (!page.changes.empty()) {
        m_changesStack->setCurrentWidget(m_changesView);
    } else {
        QString text;
        const auto run =
            m_selectedRun ? m_runsModel->runAt(m_runsModel->rowOfRun(m_selectedRun)) : std::nullopt;
        if (run && run->status == SyncStatus::Failed)
            text = QStringLiteral("Sync #%1 failed: it changed nothing.").arg(run->id);
        else if (run && run->status == SyncStatus::Unchanged)
            text = QStringLiteral("Sync #%1 found the master unchanged.").arg(run->id);
        else if (run && run->status == SyncStatus::Running)
            text = QStringLiteral("Sync #%1 is still running.").arg(run->id);
        else if (run && page.counts.total() == 0 && run->rowsInserted > 0)
            text = QStringLiteral("Sync #%1 was the first import into an empty database: its %2 "
                                  "contracts are not listed one by one.")
                       .arg(run->id)
                       .arg(groupedCount(run->rowsInserted));
        else if (run)
            text = QStringLiteral("Sync #%1 changed nothing%2.")
                       .arg(run->id)
                       .arg(selectedKind().isEmpty() ? QString() : QStringLiteral(" of this kind"));
        else if (m_todaysRunIds.empty())
            text = QStringLiteral("No syncs today. Select a run above to see what it changed.");
        else
            text = selectedKind().isEmpty()
                       ? QStringLiteral("Today's syncs changed no contracts.")
                       : QStringLiteral("Today's syncs made no changes of this kind.");
        m_changesEmpty->setText(text);
        m_changesStack->setCurrentWidget(m_changesEmpty);
    }
    const auto listed = static_cast<std::int64_t>(page.changes.size());
    m_changesNote->setVisible(page.matching > listed);
    if (page.matching > listed)
        m_changesNote->setText(QStringLiteral("Showing the first %1 of %2 changes; filter by kind "
                                              "to see others.")
                                   .arg(groupedCount(listed), groupedCount(page.matching)));
}

void SyncPanel::showHistoryError(const QString &message)
{
    m_runsEmpty->setText(message);
    if (m_runsModel->rowCount() == 0)
        m_runsStack->setCurrentWidget(m_runsEmpty);
    m_changesNote->setText(message);
    m_changesNote->show();
}

QString SyncPanel::selectedKind() const
{
    return m_kindFilter->currentData().toString();
}

void SyncPanel::requestChanges()
{
    ChangeQuery query;
    query.runIds = m_selectedRun ? std::vector<std::int64_t>{m_selectedRun} : m_todaysRunIds;
    query.kind = selectedKind();
    // The counts shown are of the runs listed; for other runs they are unknown until the
    // answer comes (a new kind filter keeps them: they cover every kind).
    if (query.runIds != m_changesModel->page().query.runIds) {
        m_counts = {};
        m_changesModel->clear();
        m_changesNote->hide();
        m_changesEmpty->setText(QStringLiteral("Reading the changes\u2026"));
        m_changesStack->setCurrentWidget(m_changesEmpty);
    }
    updateChangesHeader();
    if (query.runIds.empty()) {
        ChangePage empty;
        empty.query = query;
        showChanges(empty);
        return;
    }
    Q_EMIT changesRequested(query);
}

void SyncPanel::updateChangesHeader()
{
    const QString scope = m_selectedRun ? QStringLiteral("Changes in sync #%1").arg(m_selectedRun)
                                        : QStringLiteral("Changes today");
    QString counts;
    if (m_counts.total() > 0) {
        counts = QStringLiteral(": %1 new \u00b7 %2 expired \u00b7 %3 changed")
                     .arg(groupedCount(m_counts.added), groupedCount(m_counts.deactivated),
                          groupedCount(m_counts.contractsChanged));
    }
    m_changesHeader->setText(QStringLiteral("<b>%1</b>%2").arg(scope, counts.toHtmlEscaped()));
}

} // namespace strikeline::ui
