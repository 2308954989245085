#include "OrdersModel.h"

#include "common/Money.h"
#include "common/Text.h"
#include "orders/ContractValue.h"
#include "theme/Theme.h"

#include <QColor>
#include <QDateTime>
#include <QGuiApplication>
#include <QPalette>

#include <algorithm>
#include <unordered_map>

namespace strikeline::ui {

namespace {

QString fromUtf8(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

QString istTime(std::int64_t epochMs)
{
    return QDateTime::fromMSecsSinceEpoch(epochMs, Qt::OffsetFromUTC, IstOffsetSeconds)
        .toString(QStringLiteral("HH:mm:ss"));
}

ThemeColors colors()
{
    const bool gui = qobject_cast<QGuiApplication *>(QCoreApplication::instance());
    return themeColors(gui ? themeOf(QGuiApplication::palette()) : Theme::Light);
}

QVariant signedColour(Money value)
{
    if (value.isZero())
        return {};
    return QColor(value.isPositive() ? colors().positive : colors().negative);
}

// Header labels sit where their values do: left over text, right over numbers.
QVariant headerAlignment(bool numeric)
{
    return static_cast<int>((numeric ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignVCenter);
}

} // namespace

QString clientOrderIdExplanation()
{
    return QStringLiteral(
        "Generated ids are SL<yymmdd>-<n>, n being the journal sequence number of the order's "
        "first event, in base 36. Every step of every order (created, validated, sent, "
        "acknowledged, filled ...) takes the next sequence number, so consecutive orders skip "
        "numbers: no order is missing. Slices add .01, .02 ...");
}

QString orderStatusText(OrderStatus status)
{
    switch (status) {
    case OrderStatus::New:
        return QStringLiteral("New");
    case OrderStatus::Validated:
        return QStringLiteral("Validated");
    case OrderStatus::Sent:
        return QStringLiteral("Sent");
    case OrderStatus::Acknowledged:
        return QStringLiteral("Open");
    case OrderStatus::Triggered:
        return QStringLiteral("Triggered");
    case OrderStatus::PartiallyFilled:
        return QStringLiteral("Partially filled");
    case OrderStatus::PendingModify:
        return QStringLiteral("Modifying…");
    case OrderStatus::PendingCancel:
        return QStringLiteral("Cancelling…");
    case OrderStatus::Lost:
        return QStringLiteral("Lost");
    case OrderStatus::Filled:
        return QStringLiteral("Filled");
    case OrderStatus::Rejected:
        return QStringLiteral("Rejected");
    case OrderStatus::Cancelled:
        return QStringLiteral("Cancelled");
    }
    return QStringLiteral("?");
}

// ---- OrdersModel -----------------------------------------------------------------------------

OrdersModel::OrdersModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

OrdersModel::~OrdersModel() = default;

void OrdersModel::setOrders(std::vector<OrderState> orders)
{
    // Newest parents first; each parent's slices right below it, in slice order.
    std::unordered_map<std::string, std::vector<const OrderState *>> children;
    std::vector<const OrderState *> parents;
    for (const OrderState &o : orders) {
        if (o.parentClientOrderId.empty())
            parents.push_back(&o);
        else
            children[o.parentClientOrderId].push_back(&o);
    }
    std::reverse(parents.begin(), parents.end());
    std::vector<OrderState> rows;
    rows.reserve(orders.size());
    for (const OrderState *p : parents) {
        rows.push_back(*p);
        auto it = children.find(p->clientOrderId);
        if (it == children.end())
            continue;
        std::sort(
            it->second.begin(), it->second.end(),
            [](const OrderState *a, const OrderState *b) { return a->sliceIndex < b->sliceIndex; });
        for (const OrderState *c : it->second)
            rows.push_back(*c);
        children.erase(it);
    }
    for (auto &[parent, orphans] : children) // a child whose parent is not listed: still shown
        for (const OrderState *c : orphans)
            rows.push_back(*c);

    applyRows(std::move(rows));
}

// Orders are only ever added during a day (and change state), so the new rows are the old ones
// in the same order with new ones inserted: one pass inserts the new runs where they belong and
// reports the rows whose state moved, never a reset for an update. Anything else (another day's
// book) resets.
void OrdersModel::applyRows(std::vector<OrderState> rows)
{
    std::size_t oldIndex = 0;
    bool insertOnly = rows.size() >= m_rows.size();
    for (std::size_t i = 0; insertOnly && i < rows.size(); ++i)
        if (oldIndex < m_rows.size() && rows[i].clientOrderId == m_rows[oldIndex].clientOrderId)
            ++oldIndex;
    insertOnly = insertOnly && oldIndex == m_rows.size();
    if (!insertOnly) {
        beginResetModel();
        m_rows = std::move(rows);
        endResetModel();
        return;
    }
    // Insert the new runs, front to back: m_rows becomes rows' id sequence.
    std::vector<bool> inserted(rows.size(), false);
    std::size_t at = 0;
    for (std::size_t i = 0; i < rows.size();) {
        if (at < m_rows.size() && m_rows[at].clientOrderId == rows[i].clientOrderId) {
            ++at;
            ++i;
            continue;
        }
        std::size_t end = i;
        while (end < rows.size() &&
               (at >= m_rows.size() || rows[end].clientOrderId != m_rows[at].clientOrderId))
            ++end;
        beginInsertRows({}, static_cast<int>(at), static_cast<int>(at + (end - i) - 1));
        m_rows.insert(m_rows.begin() + static_cast<std::ptrdiff_t>(at),
                      std::make_move_iterator(rows.begin() + static_cast<std::ptrdiff_t>(i)),
                      std::make_move_iterator(rows.begin() + static_cast<std::ptrdiff_t>(end)));
        endInsertRows();
        std::fill(inserted.begin() + static_cast<std::ptrdiff_t>(i),
                  inserted.begin() + static_cast<std::ptrdiff_t>(end), true);
        at += end - i;
        i = end;
    }
    // The rows whose state moved, as contiguous ranges.
    int first = -1;
    const auto flush = [this, &first](int last) {
        if (first >= 0)
            Q_EMIT dataChanged(index(first, 0), index(last, ColumnCount - 1));
        first = -1;
    };
    for (std::size_t r = 0; r < rows.size(); ++r) {
        if (inserted[r]) { // moved in above, already announced
            flush(static_cast<int>(r) - 1);
            continue;
        }
        OrderState &row = m_rows[r];
        const OrderState &now = rows[r];
        if (row.lastSequence == now.lastSequence && row.updatedAtMs == now.updatedAtMs &&
            row.status == now.status && row.filledQuantity == now.filledQuantity &&
            row.reason == now.reason && row.brokerStatus == now.brokerStatus) {
            flush(static_cast<int>(r) - 1);
            continue;
        }
        row = std::move(rows[r]);
        if (first < 0)
            first = static_cast<int>(r);
    }
    flush(static_cast<int>(rows.size()) - 1);
}

const OrderState *OrdersModel::orderAt(int row) const
{
    if (row < 0 || static_cast<std::size_t>(row) >= m_rows.size())
        return nullptr;
    return &m_rows[static_cast<std::size_t>(row)];
}

int OrdersModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int OrdersModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString OrdersModel::text(const OrderState &o, int column) const
{
    const bool child = !o.parentClientOrderId.empty();
    switch (column) {
    case TimeColumn:
        return child ? QString() : istTime(o.createdAtMs);
    case SymbolColumn:
        return child ? QStringLiteral("  ↳ slice %1").arg(o.sliceIndex)
                     : fromUtf8(o.contract.tradingSymbol);
    case SideColumn:
        return fromUtf8(sideName(o.request.side));
    case TypeColumn:
        return fromUtf8(orderTypeName(o.request.type)) + QLatin1Char(' ') +
               fromUtf8(productName(o.request.product));
    case QuantityColumn:
        return quantityText(o.request.quantity, o.contract.segment);
    case PriceColumn: {
        const Price tick = o.contract.tickSize;
        if (o.request.type == OrderType::Market)
            return QStringLiteral("MKT");
        if (o.request.type == OrderType::StopMarket)
            return QStringLiteral("SL-M @ ") + formatPrice(o.request.trigger, tick);
        if (o.request.type == OrderType::StopLimit)
            return formatPrice(o.request.price, tick) + QStringLiteral(" (trg ") +
                   formatPrice(o.request.trigger, tick) + QLatin1Char(')');
        return formatPrice(o.request.price, tick);
    }
    case StatusColumn:
        return orderStatusText(o.status);
    case FilledColumn:
        return QString::number(o.filledQuantity) + QStringLiteral(" / ") +
               quantityText(o.request.quantity, o.contract.segment);
    case AveragePriceColumn:
        return o.filledQuantity > 0 ? formatPrice(o.averagePrice, o.contract.tickSize) : QString();
    case ClientIdColumn:
        return fromUtf8(o.clientOrderId);
    case BrokerIdColumn: {
        QStringList ids;
        for (const std::string &id : o.brokerOrderIds)
            ids << fromUtf8(id);
        return ids.join(QStringLiteral(", "));
    }
    case ReasonColumn:
        return fromUtf8(o.reason);
    case VenueColumn:
        if (o.venue == Venue::Paper)
            return QStringLiteral("PAPER");
        return o.external ? QStringLiteral("LIVE · external") : QStringLiteral("LIVE");
    default:
        return {};
    }
}

QVariant OrdersModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    Q_ASSERT(checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid));
    const OrderState &o = m_rows[static_cast<std::size_t>(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        return text(o, index.column());
    case Qt::ToolTipRole:
        if (index.column() == ClientIdColumn)
            return clientOrderIdExplanation();
        if (index.column() == StatusColumn && !o.brokerStatus.empty())
            return QString(QStringLiteral("The broker says: ") + fromUtf8(o.brokerStatus));
        if (index.column() == VenueColumn && o.external)
            return QStringLiteral("Placed outside Strikeline (the Upstox app or web); seen on "
                                  "Upstox's order stream or order book");
        return index.column() == ReasonColumn || index.column() == BrokerIdColumn
                   ? QVariant(text(o, index.column()))
                   : QVariant();
    case Qt::TextAlignmentRole:
        switch (index.column()) {
        case QuantityColumn:
        case PriceColumn:
        case FilledColumn:
        case AveragePriceColumn:
            return static_cast<int>(Qt::AlignRight | Qt::AlignVCenter);
        default:
            return static_cast<int>(Qt::AlignLeft | Qt::AlignVCenter);
        }
    case Qt::ForegroundRole:
        if (index.column() == SideColumn)
            return QColor(o.request.side == Side::Buy ? colors().positive : colors().negative);
        if (index.column() == VenueColumn && o.venue == Venue::Upstox)
            return QColor(colors().negative); // real money stands out
        if (index.column() == StatusColumn &&
            (o.status == OrderStatus::Rejected || o.status == OrderStatus::Lost))
            return QColor(colors().negative);
        return {};
    case ClientOrderIdRole:
        return fromUtf8(o.clientOrderId);
    case OpenRole:
        return isWorking(o.status);
    default:
        return {};
    }
}

QVariant OrdersModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::TextAlignmentRole)
        return headerAlignment(section == QuantityColumn || section == PriceColumn ||
                               section == FilledColumn || section == AveragePriceColumn);
    if (role == Qt::ToolTipRole && section == ClientIdColumn)
        return clientOrderIdExplanation();
    if (role != Qt::DisplayRole)
        return {};
    static const char *const titles[ColumnCount] = {
        "Time (IST)", "Contract", "Side",      "Qty",  "Price", "Status",    "Client id",
        "Reason",     "Filled",   "Avg price", "Type", "Venue", "Broker ids"};
    return section >= 0 && section < ColumnCount ? QString::fromLatin1(titles[section])
                                                 : QVariant();
}

// ---- PositionsModel --------------------------------------------------------------------------

PositionsModel::PositionsModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

PositionsModel::~PositionsModel() = default;

void PositionsModel::setPositions(std::vector<Position> positions, SnapshotPtr snapshot)
{
    m_snapshot = std::move(snapshot);
    // Live first (real money), then paper; by contract within each.
    std::sort(positions.begin(), positions.end(), [](const Position &a, const Position &b) {
        return std::pair(a.venue != Venue::Upstox, a.instrumentKey) <
               std::pair(b.venue != Venue::Upstox, b.instrumentKey);
    });
    const bool sameRows =
        positions.size() == m_rows.size() &&
        std::equal(positions.begin(), positions.end(), m_rows.begin(),
                   [](const Position &a, const Position &b) {
                       return a.instrumentKey == b.instrumentKey && a.venue == b.venue;
                   });
    if (!sameRows) {
        beginResetModel();
        m_rows = std::move(positions);
        endResetModel();
        return;
    }
    m_rows = std::move(positions);
    if (!m_rows.empty())
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

int PositionsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int PositionsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PositionsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    Q_ASSERT(checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid));
    const Position &p = m_rows[static_cast<std::size_t>(index.row())];
    if (role == InstrumentKeyRole)
        return fromUtf8(p.instrumentKey);
    if (role == Qt::TextAlignmentRole)
        return static_cast<int>((index.column() == KeyColumn || index.column() == VenueColumn
                                     ? Qt::AlignLeft
                                     : Qt::AlignRight) |
                                Qt::AlignVCenter);
    if (role == Qt::ForegroundRole) {
        if (index.column() == VenueColumn && p.venue == Venue::Upstox)
            return QColor(colors().negative); // real money stands out, as in the orders table
        if (index.column() == UnrealisedColumn)
            return signedColour(p.unrealisedPnl);
        if (index.column() == RealisedColumn)
            return signedColour(p.realisedPnl);
        return {};
    }
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    // The contract as today's instruments know it: its symbol and tick.
    std::optional<InstrumentView> contract;
    if (m_snapshot) {
        if (const auto id = m_snapshot->findByKey(p.instrumentKey))
            contract.emplace(m_snapshot->instrument(*id));
    }
    // The key names the segment ("MCX_FO|..."), and with it the unit, with or without a master.
    const std::string_view key = p.instrumentKey;
    const std::optional<Segment> segment = parseSegment(key.substr(0, key.find('|')));
    const QuantityUnit unit = segment ? quantityUnitFor(*segment) : QuantityUnit::Units;
    const Price tick = contract ? contract->tickSize() : Price();
    if (role == Qt::ToolTipRole) {
        if (index.column() == KeyColumn)
            return fromUtf8(p.instrumentKey);
        if (index.column() == VenueColumn)
            return p.venue == Venue::Upstox
                       ? QStringLiteral("Upstox: from the fills journaled for live orders")
                       : QStringLiteral("Paper: the simulated broker's fills");
        if (index.column() == LastPriceColumn)
            return !p.lastPrice ? QStringLiteral("No last price: the P&L waits for one")
                   : p.lastPriceMs <= 0
                       ? QString()
                       : (p.lastPriceSimulated ? QStringLiteral("Simulated price at ")
                                               : QStringLiteral("Last tick at ")) +
                             istClockText(p.lastPriceMs);
        if (index.column() == UnrealisedColumn && p.lastPrice && p.netQuantity != 0)
            return QStringLiteral("(%1 - %2) x %3 x %4 (qty multiplier) = Rs %5")
                .arg(formatPrice(*p.lastPrice, tick), formatPrice(p.averagePrice, tick),
                     quantityText(p.netQuantity, unit), QString::number(p.qtyMultiplier),
                     p.unrealisedPnl.toIndian(2));
        if (index.column() == UnrealisedColumn || index.column() == RealisedColumn)
            return QString(QStringLiteral("Rs ") + (index.column() == UnrealisedColumn
                                                        ? p.unrealisedPnl.toCompact()
                                                        : p.realisedPnl.toCompact()));
        return {};
    }
    switch (index.column()) {
    case KeyColumn:
        return contract ? fromUtf8(contract->tradingSymbol()) : fromUtf8(p.instrumentKey);
    case VenueColumn:
        return p.venue == Venue::Upstox ? QStringLiteral("LIVE") : QStringLiteral("PAPER");
    case NetQuantityColumn:
        return quantityText(p.netQuantity, unit);
    case AveragePriceColumn:
        return p.netQuantity != 0 ? formatPrice(p.averagePrice, tick) : QString();
    case LastPriceColumn:
        return p.lastPrice ? formatPrice(*p.lastPrice, tick) : QStringLiteral("—");
    case UnrealisedColumn:
        return p.unrealisedPnl.toIndian(2);
    case RealisedColumn:
        return p.realisedPnl.toIndian(2);
    default:
        return {};
    }
}

QVariant PositionsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::TextAlignmentRole)
        return headerAlignment(section != KeyColumn && section != VenueColumn);
    if (role != Qt::DisplayRole)
        return {};
    static const char *const titles[ColumnCount] = {
        "Contract", "Venue", "Net qty", "Avg price", "LTP", "Unrealised (Rs)", "Realised (Rs)"};
    return section >= 0 && section < ColumnCount ? QString::fromLatin1(titles[section])
                                                 : QVariant();
}

} // namespace strikeline::ui
