#pragma once

#include "common/IstTime.h"
#include "instruments/InstrumentSnapshot.h"

#include <QMainWindow>

#include <optional>

class QFormLayout;
class QLabel;
class QLineEdit;
class QProgressBar;
class QStackedWidget;
class QTabWidget;
class QTableView;

namespace strikeline {
class InstrumentRepository;
}

namespace strikeline::ui {

class OptionChainView;
class SearchResultsModel;

// The terminal's first window: typeahead search over the instrument snapshot, the results as a
// table and the chosen contract's trading rules. Searching runs on the UI thread against the
// held snapshot (microseconds); loading happens elsewhere and arrives as snapshotPublished.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
public:
    MainWindow(InstrumentRepository &repository, const Clock &clock, QWidget *parent = nullptr);
    ~MainWindow() override;

    // Sets the search text as if typed (smoke test, screenshots).
    void setQuery(const QString &text);
    const SearchResultsModel &results() const { return *m_results; }
    // Null until the first snapshot arrives.
    const SnapshotPtr &snapshot() const { return m_snapshot; }
    // Shows a result row in the contract panel and selects it.
    void showResult(int row);
    // Switches to the option chain tab with `symbol` open (screenshots).
    void openChain(const QString &symbol, EpochDay expiry = NoDay);

public Q_SLOTS:
    // Loader feedback, wired by the composition root. `stage` is a short lower-case phrase
    // ("reading complete.json.gz"); a total of 0 means the progress is unknown (busy).
    void showLoadStage(const QString &stage);
    void showLoadProgress(qint64 bytesConsumed, qint64 bytesTotal);
    void showLoadFinished(bool ok, const QString &message, qint64 elapsedMs);

Q_SIGNALS:
    // A published snapshot is now the one searched and shown.
    void snapshotApplied();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void buildUi();
    QWidget *buildContractPanel();
    void applySnapshot(const SnapshotPtr &snapshot);
    void runSearch();
    void showContract(std::optional<InstrumentId> id);
    void updateStatus();
    void updateResultsArea();
    void focusSearch();
    void moveIntoResults();
    void activateResult(int row);
    void focusChain();

    InstrumentRepository &m_repository;
    const Clock &m_clock;
    SnapshotPtr m_snapshot;
    SearchResultsModel *m_results = nullptr;
    bool m_loading = false;
    QString m_loadStage;
    QString m_loadError;
    qint64 m_loadElapsedMs = -1;
    double m_lastSearchMicros = 0;

    QLineEdit *m_searchEdit = nullptr;
    QLabel *m_searchInfo = nullptr;
    QStackedWidget *m_resultsStack = nullptr;
    QLabel *m_resultsMessage = nullptr;
    QTableView *m_resultsView = nullptr;

    QTabWidget *m_tabs = nullptr;
    OptionChainView *m_chainView = nullptr;

    QLabel *m_contractHint = nullptr;
    struct ContractLabels
    {
        QLabel *symbol = nullptr;
        QLabel *name = nullptr;
        QLabel *key = nullptr;
        QLabel *segment = nullptr;
        QLabel *type = nullptr;
        QLabel *underlying = nullptr;
        QLabel *expiry = nullptr;
        QLabel *strike = nullptr;
        QLabel *lotSize = nullptr;
        QLabel *tickSize = nullptr;
        QLabel *freeze = nullptr;
        QLabel *quantityUnit = nullptr;
    } m_contract;
    struct MasterLabels
    {
        QLabel *source = nullptr;
        QLabel *asOf = nullptr;
        QLabel *instruments = nullptr;
        QLabel *underlyings = nullptr;
        QLabel *memory = nullptr;
        QLabel *loadTime = nullptr;
    } m_master;

    QLabel *m_statusLabel = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_staleLabel = nullptr;
    QLabel *m_demoLabel = nullptr;
};

} // namespace strikeline::ui
