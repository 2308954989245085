#include "WatchListModel.h"

#include "common/Money.h"
#include "common/Text.h"
#include "theme/Theme.h"

#include <QBrush>
#include <QColor>
#include <QLocale>
#include <QPalette>

#include <cmath>

namespace strikeline::ui {

namespace {

const QString None = QStringLiteral("—");

QString count(std::int64_t value)
{
    return QLocale(QLocale::English).toString(static_cast<qlonglong>(value));
}

} // namespace

WatchListModel::WatchListModel(const Clock &clock, QObject *parent)
    : QAbstractTableModel(parent)
    , m_clock(clock)
{}

void WatchListModel::setSnapshot(SnapshotPtr snapshot)
{
    m_snapshot = std::move(snapshot);
    for (Row &row : m_rows)
        describe(row);
    if (!m_rows.empty())
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
    refresh();
}

void WatchListModel::setMarketData(const MarketData *market)
{
    m_market = market;
    refresh();
}

void WatchListModel::describe(Row &row) const
{
    row.id.reset();
    row.known = false;
    if (m_snapshot)
        row.id = m_snapshot->findByKey(row.key.toStdString());
    if (!row.id) {
        row.text[SymbolColumn] = row.key;
        row.toolTip = QStringLiteral("%1 is not in this master (expired or delisted): delete it "
                                     "from the list (Del)")
                          .arg(row.key);
        return;
    }
    const InstrumentView view = m_snapshot->instrument(*row.id);
    row.known = true;
    row.tick = view.tickSize().isPositive() ? view.tickSize() : Price::fromPaise(5);
    row.text[SymbolColumn] = QString::fromUtf8(view.tradingSymbol().data(),
                                               static_cast<qsizetype>(view.tradingSymbol().size()));
    row.toolTip = QStringLiteral("%1\n%2").arg(
        QString::fromUtf8(view.name().data(), static_cast<qsizetype>(view.name().size())), row.key);
}

bool WatchListModel::update(Row &row, int &firstColumn, int &lastColumn) const
{
    std::array<QString, ColumnCount> text;
    text[SymbolColumn] = row.text[SymbolColumn];
    for (int c = LtpColumn; c < ColumnCount; ++c)
        text[static_cast<std::size_t>(c)] = None;
    Direction direction = Direction::Flat;
    bool stale = false;
    QString ageToolTip;
    const std::optional<Quote> quote =
        m_market && row.known ? m_market->quote(row.key.toStdString()) : std::nullopt;
    if (quote) {
        text[LtpColumn] = formatPrice(quote->last, row.tick);
        if (!quote->previousClose.isZero()) {
            const Price delta = quote->last - quote->previousClose;
            direction = delta.isPositive()   ? Direction::Up
                        : delta.isNegative() ? Direction::Down
                                             : Direction::Flat;
            text[ChangeColumn] = (delta.isPositive() ? QStringLiteral("+") : QString()) +
                                 formatPrice(delta, row.tick);
            const double percent =
                100.0 * delta.toDouble() / std::abs(quote->previousClose.toDouble());
            // Signed only when it shows: a move of 0.001 % is "0.00%", not "-0.00%".
            const double shown = std::round(percent * 100.0) / 100.0;
            text[ChangePercentColumn] = (shown > 0 ? QStringLiteral("+") : QString()) +
                                        QString::number(shown == 0 ? 0.0 : shown, 'f', 2) +
                                        QLatin1Char('%');
        }
        if (quote->bid)
            text[BidColumn] =
                formatPrice(*quote->bid, row.tick) +
                (quote->bidQuantity > 0 ? QStringLiteral(" × ") + count(quote->bidQuantity)
                                        : QString());
        if (quote->ask)
            text[AskColumn] =
                formatPrice(*quote->ask, row.tick) +
                (quote->askQuantity > 0 ? QStringLiteral(" × ") + count(quote->askQuantity)
                                        : QString());
        if (quote->volume)
            text[VolumeColumn] = count(*quote->volume);
        if (quote->oi)
            text[OiColumn] = count(*quote->oi);
        if (quote->timeMs > 0) {
            const std::int64_t age = m_clock.now().epochMs - quote->timeMs;
            text[AgeColumn] = tickAgeText(age);
            stale = !quote->simulated && age > StaleAfterMs;
            ageToolTip = QStringLiteral("%1 at %2%3")
                             .arg(quote->simulated ? QStringLiteral("Simulated price")
                                                   : QStringLiteral("Last tick"),
                                  istClockText(quote->timeMs),
                                  stale ? QStringLiteral(": stale") : QString());
        }
    }
    firstColumn = ColumnCount;
    lastColumn = -1;
    const bool restyled = direction != row.direction || stale != row.stale;
    for (int c = 0; c < ColumnCount; ++c) {
        const auto i = static_cast<std::size_t>(c);
        const bool colourMoved =
            restyled && (c == ChangeColumn || c == ChangePercentColumn || stale != row.stale);
        if (text[i] != row.text[i] || colourMoved) {
            firstColumn = std::min(firstColumn, c);
            lastColumn = std::max(lastColumn, c);
        }
    }
    row.text = std::move(text);
    row.direction = direction;
    row.stale = stale;
    row.ageToolTip = ageToolTip;
    return lastColumn >= 0;
}

WatchListModel::Row WatchListModel::makeRow(const QString &key) const
{
    Row row;
    row.key = key;
    describe(row);
    int first = 0;
    int last = 0;
    update(row, first, last);
    return row;
}

void WatchListModel::refresh()
{
    for (std::size_t r = 0; r < m_rows.size(); ++r) {
        int first = 0;
        int last = 0;
        if (update(m_rows[r], first, last))
            Q_EMIT dataChanged(index(static_cast<int>(r), first), index(static_cast<int>(r), last),
                               {Qt::DisplayRole, Qt::ForegroundRole, Qt::ToolTipRole});
    }
    updateColumnsWithData();
}

void WatchListModel::updateColumnsWithData()
{
    unsigned mask = 1u << SymbolColumn;
    for (const Row &row : m_rows) {
        for (int c = LtpColumn; c < ColumnCount; ++c) {
            if (row.text[static_cast<std::size_t>(c)] != None)
                mask |= 1u << c;
        }
    }
    if (mask == m_columnsWithData)
        return;
    m_columnsWithData = mask;
    Q_EMIT columnsWithDataChanged();
}

bool WatchListModel::columnHasData(int column) const
{
    return column >= 0 && column < ColumnCount && (m_columnsWithData >> column) & 1u;
}

void WatchListModel::setKeys(const QStringList &keys)
{
    beginResetModel(); // a whole other list: the one reset, never per tick
    m_rows.clear();
    for (const QString &key : keys) {
        if (key.isEmpty() ||
            std::any_of(m_rows.begin(), m_rows.end(), [&](const Row &r) { return r.key == key; }))
            continue;
        m_rows.push_back(makeRow(key));
    }
    endResetModel();
    updateColumnsWithData();
    Q_EMIT keysChanged();
}

QStringList WatchListModel::keys() const
{
    QStringList keys;
    keys.reserve(static_cast<qsizetype>(m_rows.size()));
    for (const Row &row : m_rows)
        keys.append(row.key);
    return keys;
}

int WatchListModel::add(const QString &key)
{
    for (std::size_t r = 0; r < m_rows.size(); ++r) {
        if (m_rows[r].key == key)
            return static_cast<int>(r);
    }
    Row row = makeRow(key);
    const int at = rowCount();
    beginInsertRows({}, at, at);
    m_rows.push_back(std::move(row));
    endInsertRows();
    updateColumnsWithData();
    Q_EMIT keysChanged();
    return at;
}

void WatchListModel::remove(int row)
{
    if (row < 0 || row >= rowCount())
        return;
    beginRemoveRows({}, row, row);
    m_rows.erase(m_rows.begin() + row);
    endRemoveRows();
    updateColumnsWithData();
    Q_EMIT keysChanged();
}

bool WatchListModel::move(int row, int delta)
{
    const int to = row + delta;
    if (row < 0 || row >= rowCount() || to < 0 || to >= rowCount() || delta == 0)
        return false;
    // beginMoveRows names the row the moved one goes before: one further when moving down.
    if (!beginMoveRows({}, row, row, {}, delta > 0 ? to + 1 : to))
        return false;
    std::swap(m_rows[static_cast<std::size_t>(row)], m_rows[static_cast<std::size_t>(to)]);
    endMoveRows();
    Q_EMIT keysChanged();
    return true;
}

QString WatchListModel::keyAt(int row) const
{
    if (row < 0 || row >= rowCount())
        return {};
    return m_rows[static_cast<std::size_t>(row)].key;
}

int WatchListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int WatchListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant WatchListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= ColumnCount)
        return {};
    const Row &row = m_rows[static_cast<std::size_t>(index.row())];
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return row.text[static_cast<std::size_t>(column)];
    case Qt::ToolTipRole:
        if (column == SymbolColumn)
            return row.toolTip;
        if (column == AgeColumn && !row.ageToolTip.isEmpty())
            return row.ageToolTip;
        return {};
    case Qt::TextAlignmentRole:
        return column == SymbolColumn ? QVariant(Qt::AlignLeft | Qt::AlignVCenter)
                                      : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::ForegroundRole:
        if (!row.known || row.stale)
            return QBrush(QPalette().color(QPalette::Disabled, QPalette::Text));
        if (column == ChangeColumn || column == ChangePercentColumn) {
            const ThemeColors colors = themeColors(themeOf(QPalette()));
            if (row.direction == Direction::Up)
                return QBrush(QColor(colors.positive));
            if (row.direction == Direction::Down)
                return QBrush(QColor(colors.negative));
        }
        return {};
    default:
        return {};
    }
}

QVariant WatchListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case SymbolColumn:
        return QStringLiteral("Symbol");
    case LtpColumn:
        return QStringLiteral("LTP");
    case ChangeColumn:
        return QStringLiteral("Chg");
    case ChangePercentColumn:
        return QStringLiteral("Chg %");
    case BidColumn:
        return QStringLiteral("Bid × qty");
    case AskColumn:
        return QStringLiteral("Ask × qty");
    case VolumeColumn:
        return QStringLiteral("Volume");
    case OiColumn:
        return QStringLiteral("OI");
    case AgeColumn:
        return QStringLiteral("Age");
    default:
        return {};
    }
}

} // namespace strikeline::ui
