#include "WatchPanel.h"

#include "WatchListModel.h"
#include "common/Tables.h"

#include <QAction>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace strikeline::ui {

namespace {

constexpr auto ListsKey = "watch/lists";
constexpr auto CurrentKey = "watch/current";
// The cadence the rows are read at: about 10 Hz, never more than once a frame.
constexpr int CadenceMs = 100;
// More keys than Upstox lets one connection carry in full mode are not a watch list.
constexpr int MaxKeysPerList = 250;

QString defaultName(const std::vector<WatchList> &lists)
{
    for (int n = 1;; ++n) {
        const QString name = QStringLiteral("Watch list %1").arg(n);
        if (std::none_of(lists.begin(), lists.end(),
                         [&](const WatchList &l) { return l.name == name; }))
            return name;
    }
}

} // namespace

std::vector<WatchList> loadWatchLists()
{
    const QSettings settings;
    const QJsonDocument document =
        QJsonDocument::fromJson(settings.value(QLatin1String(ListsKey)).toByteArray());
    std::vector<WatchList> lists;
    for (const QJsonValue &value : document.array()) {
        const QJsonObject object = value.toObject();
        WatchList list;
        list.name = object.value(QLatin1String("name")).toString().trimmed();
        if (list.name.isEmpty() || std::any_of(lists.begin(), lists.end(), [&](const WatchList &l) {
                return l.name == list.name;
            }))
            continue;
        for (const QJsonValue &key : object.value(QLatin1String("keys")).toArray()) {
            if (key.isString() && !key.toString().isEmpty() && !list.keys.contains(key.toString()))
                list.keys.append(key.toString());
        }
        lists.push_back(std::move(list));
    }
    if (lists.empty())
        lists.push_back(WatchList{QStringLiteral("Watch list 1"), {}});
    return lists;
}

void saveWatchLists(const std::vector<WatchList> &lists, const QString &current)
{
    QJsonArray array;
    for (const WatchList &list : lists)
        array.append(QJsonObject{{QStringLiteral("name"), list.name},
                                 {QStringLiteral("keys"), QJsonArray::fromStringList(list.keys)}});
    QSettings settings;
    settings.setValue(QLatin1String(ListsKey), QJsonDocument(array).toJson(QJsonDocument::Compact));
    settings.setValue(QLatin1String(CurrentKey), current);
}

WatchPanel::WatchPanel(const Clock &clock, QWidget *parent)
    : QWidget(parent)
    , m_model(new WatchListModel(clock, this))
{
    setObjectName(QStringLiteral("watchPanel"));
    m_lists = new QComboBox;
    m_lists->setObjectName(QStringLiteral("watchLists"));
    m_lists->setMinimumContentsLength(16);
    m_new = new QPushButton(QStringLiteral("&New list…"));
    m_rename = new QPushButton(QStringLiteral("Re&name…"));
    m_delete = new QPushButton(QStringLiteral("Delete list"));
    m_summary = new QLabel;
    m_summary->setObjectName(QStringLiteral("watchSummary"));

    m_view = makeRowTable(m_model);
    m_view->setObjectName(QStringLiteral("watchView"));
    // Numbers stay next to their symbol: no column is stretched to the window's edge.
    m_view->horizontalHeader()->setStretchLastSection(false);
    m_view->setColumnWidth(WatchListModel::SymbolColumn, 240);
    for (int c = WatchListModel::LtpColumn; c < WatchListModel::ColumnCount; ++c)
        m_view->setColumnWidth(
            c, c == WatchListModel::BidColumn || c == WatchListModel::AskColumn ? 130 : 90);

    auto *top = new QHBoxLayout;
    top->addWidget(m_lists);
    top->addWidget(m_new);
    top->addWidget(m_rename);
    top->addWidget(m_delete);
    top->addWidget(m_summary, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_view, 1);

    // The keys of the view's own: they act only while the list has the focus.
    const auto shortcut = [this](const QKeySequence &keys, auto slot) {
        auto *action = new QAction(m_view);
        action->setShortcut(keys);
        action->setShortcutContext(Qt::WidgetShortcut);
        connect(action, &QAction::triggered, this, slot);
        m_view->addAction(action);
    };
    shortcut(QKeySequence::Delete, [this] { removeSelected(); });
    shortcut(QKeySequence(Qt::CTRL | Qt::Key_Up), [this] { moveSelected(-1); });
    shortcut(QKeySequence(Qt::CTRL | Qt::Key_Down), [this] { moveSelected(+1); });

    connect(m_lists, &QComboBox::activated, this, [this](int index) { showList(index); });
    connect(m_new, &QPushButton::clicked, this, [this] { askNewList(); });
    connect(m_rename, &QPushButton::clicked, this, [this] { askRename(); });
    connect(m_delete, &QPushButton::clicked, this, [this] { deleteCurrentList(); });
    connect(m_model, &WatchListModel::keysChanged, this, [this] {
        storeCurrent();
        updateSummary();
        Q_EMIT keysChanged();
    });

    // Columns no row has anything in collapse (and come back when a source fills them).
    const auto collapse = [this] {
        for (int c = 0; c < WatchListModel::ColumnCount; ++c)
            m_view->setColumnHidden(c, !m_model->columnHasData(c));
    };
    connect(m_model, &WatchListModel::columnsWithDataChanged, this, collapse);

    m_cadence = new QTimer(this);
    m_cadence->setInterval(CadenceMs);
    connect(m_cadence, &QTimer::timeout, m_model, &WatchListModel::refresh);

    m_data = loadWatchLists();
    const QString current = QSettings().value(QLatin1String(CurrentKey)).toString();
    m_current = 0;
    for (std::size_t i = 0; i < m_data.size(); ++i) {
        if (m_data[i].name == current)
            m_current = static_cast<int>(i);
    }
    fillCombo();
    showList(m_current);
    collapse();
}

WatchPanel::~WatchPanel() = default;

void WatchPanel::setSnapshot(SnapshotPtr snapshot)
{
    m_model->setSnapshot(std::move(snapshot));
    updateSummary();
}

void WatchPanel::setMarketData(const MarketData *market, const QString &sourceLabel)
{
    m_source = sourceLabel;
    m_model->setMarketData(market);
    updateSummary();
}

void WatchPanel::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    m_model->refresh();
    m_cadence->start(); // only while it is on screen
}

void WatchPanel::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_cadence->stop();
}

void WatchPanel::fillCombo()
{
    const QSignalBlocker blocker(m_lists);
    m_lists->clear();
    for (const WatchList &list : m_data)
        m_lists->addItem(list.name);
    m_lists->setCurrentIndex(m_current);
    m_delete->setEnabled(m_data.size() > 1);
}

void WatchPanel::showList(int index)
{
    if (index < 0 || index >= static_cast<int>(m_data.size()))
        return;
    m_current = index;
    m_lists->setCurrentIndex(index);
    m_model->setKeys(m_data[static_cast<std::size_t>(index)].keys); // stores and says so
}

void WatchPanel::storeCurrent()
{
    if (m_current >= 0 && m_current < static_cast<int>(m_data.size()))
        m_data[static_cast<std::size_t>(m_current)].keys = m_model->keys();
    saveWatchLists(m_data, currentList());
}

void WatchPanel::updateSummary()
{
    const int rows = m_model->rowCount();
    m_summary->setText(
        QStringLiteral("%1 %2%3")
            .arg(rows)
            .arg(rows == 1 ? QStringLiteral("contract") : QStringLiteral("contracts"))
            .arg(m_source.isEmpty() ? QString() : QStringLiteral(" · prices: ") + m_source));
}

bool WatchPanel::addKey(const QString &key, QString *why)
{
    const QStringList keys = m_model->keys();
    if (keys.contains(key)) {
        m_view->selectRow(static_cast<int>(keys.indexOf(key)));
        if (why)
            *why = QStringLiteral("already in %1").arg(currentList());
        return false;
    }
    if (keys.size() >= MaxKeysPerList) {
        if (why)
            *why = QStringLiteral("%1 is full (%2 contracts): start another list")
                       .arg(currentList())
                       .arg(MaxKeysPerList);
        return false;
    }
    const int row = m_model->add(key);
    m_view->selectRow(row);
    return true;
}

QStringList WatchPanel::allKeys() const
{
    QStringList keys;
    for (std::size_t i = 0; i < m_data.size(); ++i) {
        const QStringList &list =
            static_cast<int>(i) == m_current ? m_model->keys() : m_data[i].keys;
        for (const QString &key : list) {
            if (!keys.contains(key))
                keys.append(key);
        }
    }
    return keys;
}

QString WatchPanel::currentList() const
{
    return m_current >= 0 && m_current < static_cast<int>(m_data.size())
               ? m_data[static_cast<std::size_t>(m_current)].name
               : QString();
}

bool WatchPanel::selectList(const QString &name)
{
    for (std::size_t i = 0; i < m_data.size(); ++i) {
        if (m_data[i].name == name) {
            showList(static_cast<int>(i));
            return true;
        }
    }
    return false;
}

bool WatchPanel::createList(const QString &name, QString *why)
{
    const QString trimmed = name.trimmed();
    if (trimmed.isEmpty() || std::any_of(m_data.begin(), m_data.end(), [&](const WatchList &l) {
            return l.name.compare(trimmed, Qt::CaseInsensitive) == 0;
        })) {
        if (why)
            *why = trimmed.isEmpty() ? QStringLiteral("a list needs a name")
                                     : QStringLiteral("there is a list named %1").arg(trimmed);
        return false;
    }
    storeCurrent();
    m_data.push_back(WatchList{trimmed, {}});
    m_current = static_cast<int>(m_data.size()) - 1;
    fillCombo();
    showList(m_current);
    return true;
}

bool WatchPanel::renameList(const QString &name, QString *why)
{
    const QString trimmed = name.trimmed();
    for (std::size_t i = 0; i < m_data.size(); ++i) {
        if (static_cast<int>(i) != m_current &&
            m_data[i].name.compare(trimmed, Qt::CaseInsensitive) == 0) {
            if (why)
                *why = QStringLiteral("there is a list named %1").arg(trimmed);
            return false;
        }
    }
    if (trimmed.isEmpty()) {
        if (why)
            *why = QStringLiteral("a list needs a name");
        return false;
    }
    m_data[static_cast<std::size_t>(m_current)].name = trimmed;
    fillCombo();
    storeCurrent();
    return true;
}

bool WatchPanel::deleteCurrentList()
{
    if (m_data.size() <= 1)
        return false; // there is always one list
    m_data.erase(m_data.begin() + m_current);
    m_current = std::min(m_current, static_cast<int>(m_data.size()) - 1);
    fillCombo();
    showList(m_current);
    return true;
}

void WatchPanel::askNewList()
{
    bool ok = false;
    const QString name =
        QInputDialog::getText(this, QStringLiteral("New watch list"), QStringLiteral("Name:"),
                              QLineEdit::Normal, defaultName(m_data), &ok);
    QString why;
    if (ok && !createList(name, &why))
        Q_EMIT status(QStringLiteral("No new list: %1.").arg(why), true);
}

void WatchPanel::askRename()
{
    bool ok = false;
    const QString name =
        QInputDialog::getText(this, QStringLiteral("Rename watch list"), QStringLiteral("Name:"),
                              QLineEdit::Normal, currentList(), &ok);
    QString why;
    if (ok && !renameList(name, &why))
        Q_EMIT status(QStringLiteral("Not renamed: %1.").arg(why), true);
}

void WatchPanel::removeSelected()
{
    const QModelIndex current = m_view->currentIndex();
    if (!current.isValid())
        return;
    const int row = current.row();
    m_model->remove(row);
    if (m_model->rowCount() > 0)
        m_view->selectRow(std::min(row, m_model->rowCount() - 1));
}

void WatchPanel::moveSelected(int delta)
{
    const QModelIndex current = m_view->currentIndex();
    if (!current.isValid())
        return;
    if (m_model->move(current.row(), delta))
        m_view->selectRow(current.row() + delta);
}

} // namespace strikeline::ui
