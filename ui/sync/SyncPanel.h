#pragma once

#include "SyncTypes.h"

#include <QString>
#include <QWidget>

#include <functional>
#include <vector>

class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QStackedWidget;
class QTableView;

namespace strikeline::ui {

class SyncChangesModel;
class SyncRunsModel;

// "Sync & data": the master in use, Sync now / Import / Cancel with the progress of a running
// sync and the result of the last one, the history of sync runs, and the changes of the
// selected run (by default: of today's runs), filtered by kind.
//
// The panel only shows and asks: it never runs a sync or reads the database. Whoever owns it
// connects its requests to a SyncController and the controller's signals to its slots.
class SyncPanel final : public QWidget
{
    Q_OBJECT
public:
    // How the file is chosen; the default opens a QFileDialog (tests replace it).
    using FileChooser = std::function<QString(QWidget *parent)>;
    static QString fileFilter()
    {
        return QStringLiteral("Instrument masters (*.json.gz *.json *.csv.gz *.csv)");
    }

    explicit SyncPanel(QWidget *parent = nullptr);
    ~SyncPanel() override;

    void setFileChooser(FileChooser chooser) { m_chooseFile = std::move(chooser); }

    SyncRunsModel *runsModel() const { return m_runsModel; }
    SyncChangesModel *changesModel() const { return m_changesModel; }
    QTableView *runsView() const { return m_runsView; }
    QTableView *changesView() const { return m_changesView; }
    // The text of the master line and of the last result (for the status bar, and tests).
    QString masterText() const;
    QString resultText() const;
    bool isShowingDemo() const { return m_demo; }

public Q_SLOTS:
    void showStarted(const QString &source);
    void showProgress(const QString &stage, qint64 bytes, qint64 totalBytes, qint64 rows);
    void showSummary(const strikeline::ui::SyncSummary &summary);
    void showHistory(const strikeline::SyncHistory &history);
    void showChanges(const strikeline::ChangePage &page);
    void showHistoryError(const QString &message);

Q_SIGNALS:
    void syncRequested();
    void importRequested(const QString &path);
    void cancelRequested();
    // The changes to list: a run was selected, the selection cleared, or the filter changed.
    void changesRequested(const strikeline::ChangeQuery &query);

private:
    void setRunning(bool running);
    void chooseAndImport();
    void requestChanges();
    void updateChangesHeader();
    QString selectedKind() const;

    FileChooser m_chooseFile;
    SyncRunsModel *m_runsModel;
    SyncChangesModel *m_changesModel;

    QLabel *m_master;
    QLabel *m_demoBanner;
    QPushButton *m_syncButton;
    QPushButton *m_importButton;
    QPushButton *m_cancelButton;
    QLabel *m_stage;
    QProgressBar *m_progress;
    QLabel *m_result;
    QStackedWidget *m_runsStack;
    QLabel *m_runsEmpty;
    QTableView *m_runsView;
    QLabel *m_changesHeader;
    QComboBox *m_kindFilter;
    QPushButton *m_todayButton;
    QStackedWidget *m_changesStack;
    QLabel *m_changesEmpty;
    QTableView *m_changesView;
    QLabel *m_changesNote;

    bool m_running = false;
    bool m_demo = false;
    std::vector<std::int64_t> m_todaysRunIds;
    std::int64_t m_selectedRun = 0; // 0: today's runs
    ChangeCounts m_counts;          // of the runs listed, all kinds
};

} // namespace strikeline::ui
