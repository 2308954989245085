#include "OptionChainModel.h"

#include "marketdata/MarketData.h"
#include "theme/Theme.h"

#include <QColor>
#include <QGuiApplication>
#include <QPalette>

#include <algorithm>
#include <tuple>

namespace strikeline::ui {

namespace {

// Translucent so the base colour of a light or a dark palette shows through: a warm tint that
// reads as "in the money" on white and on the dark theme's near-black alike.
const QColor ItmShade(234, 179, 8, 46);
const QColor AtmHighlight(64, 160, 255, 72);

// Shown in the market-data columns: the chain has no quotes wired in yet (a later step).
const QString NoData = QStringLiteral("—");

// An int, not Qt::Alignment: Qt 6.4's delegates read this role with toInt().
QVariant alignmentFor(int column)
{
    return static_cast<int>(
        (column == OptionChainModel::StrikeColumn ? Qt::AlignHCenter : Qt::AlignRight) |
        Qt::AlignVCenter);
}

QString columnTitle(int column)
{
    switch (column) {
    case OptionChainModel::CallOiColumn:
    case OptionChainModel::PutOiColumn:
        return QStringLiteral("OI");
    case OptionChainModel::CallOiChangeColumn:
    case OptionChainModel::PutOiChangeColumn:
        return QStringLiteral("Chg OI");
    case OptionChainModel::CallVolumeColumn:
    case OptionChainModel::PutVolumeColumn:
        return QStringLiteral("Volume");
    case OptionChainModel::CallIvColumn:
    case OptionChainModel::PutIvColumn:
        return QStringLiteral("IV");
    case OptionChainModel::CallLtpColumn:
    case OptionChainModel::PutLtpColumn:
        return QStringLiteral("LTP");
    case OptionChainModel::CallChangeColumn:
    case OptionChainModel::PutChangeColumn:
        return QStringLiteral("Chg");
    case OptionChainModel::StrikeColumn:
        return QStringLiteral("Strike");
    default:
        return {};
    }
}

QString fromUtf8(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

bool sameRows(std::span<const detail::StrikeRow> a, std::span<const detail::StrikeRow> b)
{
    return a.data() == b.data() && a.size() == b.size();
}

} // namespace

OptionChainModel::OptionChainModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

OptionChainModel::~OptionChainModel() = default;

void OptionChainModel::setChain(SnapshotPtr snapshot, UnderlyingId underlying, EpochDay expiry,
                                EpochDay today, std::optional<Price> spot, int strikesAround)
{
    beginResetModel();
    m_snapshot = std::move(snapshot);
    // The whole ladder: the window is the model's, so a moving spot never moves it.
    m_request = ChainRequest{underlying, expiry, today, spot, 0};
    m_strikesAround = std::max(0, strikesAround);
    m_begin = m_end = 0;
    adopt(OptionChain{});
    m_lastError.clear();
    if (!m_snapshot) {
        m_lastError = QStringLiteral("no instruments loaded");
    } else if (Result<OptionChain> chain = m_snapshot->chain(m_request); chain) {
        adopt(std::move(chain).value());
        m_request.expiry = m_chain.expiry; // a later spot keeps this expiry, even past `today`
        std::tie(m_begin, m_end) = windowAround(static_cast<std::size_t>(referenceIndex()));
        adopt(m_chain);
    } else {
        m_lastError = chain.error().message;
    }
    endResetModel();
}

void OptionChainModel::setSpot(std::optional<Price> spot)
{
    m_request.spot = spot;
    if (!m_snapshot || !m_lastError.isEmpty())
        return; // nothing shown: the spot is kept for the next successful chain
    Result<OptionChain> next = m_snapshot->chain(m_request);
    if (!next) {
        beginResetModel();
        m_begin = m_end = 0;
        adopt(OptionChain{});
        m_lastError = next.error().message;
        endResetModel();
        return;
    }
    if (!sameRows(m_chain.rows, next->rows)) { // not for one snapshot and expiry; kept safe
        beginResetModel();
        adopt(std::move(next).value());
        std::tie(m_begin, m_end) = windowAround(static_cast<std::size_t>(referenceIndex()));
        adopt(m_chain);
        endResetModel();
        return;
    }

    // Same ladder, same window: only the shading moved. Signal the span of shown rows whose
    // moneyness changed.
    const OptionChain previous = m_chain;
    adopt(std::move(next).value());
    int first = -1;
    int last = -1;
    for (std::size_t i = m_begin; i < m_end; ++i) {
        const detail::StrikeRow &row = m_chain.rows[i];
        if (previous.callMoneyness(row) == m_chain.callMoneyness(row) &&
            previous.putMoneyness(row) == m_chain.putMoneyness(row))
            continue;
        if (first < 0)
            first = static_cast<int>(i - m_begin);
        last = static_cast<int>(i - m_begin);
    }
    if (first >= 0) {
        Q_EMIT dataChanged(index(first, 0), index(last, ColumnCount - 1),
                           {Qt::BackgroundRole, MoneynessRole});
    }
}

bool OptionChainModel::recentre()
{
    if (m_chain.rows.empty())
        return false;
    const auto [begin, end] = windowAround(static_cast<std::size_t>(referenceIndex()));
    if (begin == m_begin && end == m_end)
        return false;
    moveWindow(begin, end);
    return true;
}

bool OptionChainModel::isCentred() const
{
    return m_chain.rows.empty() || windowAround(static_cast<std::size_t>(referenceIndex())) ==
                                       std::make_pair(m_begin, m_end);
}

void OptionChainModel::moveWindow(std::size_t begin, std::size_t end)
{
    if (begin >= m_end || end <= m_begin) { // nothing in common
        beginResetModel();
        m_begin = begin;
        m_end = end;
        adopt(m_chain);
        endResetModel();
        return;
    }
    // The top edge, then the bottom one; the rows both windows share stay as they are.
    if (begin < m_begin) {
        beginInsertRows({}, 0, static_cast<int>(m_begin - begin) - 1);
        m_begin = begin;
        adopt(m_chain);
        endInsertRows();
    } else if (begin > m_begin) {
        beginRemoveRows({}, 0, static_cast<int>(begin - m_begin) - 1);
        m_begin = begin;
        adopt(m_chain);
        endRemoveRows();
    }
    const int shown = static_cast<int>(m_end - m_begin);
    if (end > m_end) {
        beginInsertRows({}, shown, shown + static_cast<int>(end - m_end) - 1);
        m_end = end;
        adopt(m_chain);
        endInsertRows();
    } else if (end < m_end) {
        beginRemoveRows({}, static_cast<int>(end - m_begin), shown - 1);
        m_end = end;
        adopt(m_chain);
        endRemoveRows();
    }
}

std::pair<std::size_t, std::size_t> OptionChainModel::windowAround(std::size_t centre) const
{
    const std::size_t count = m_chain.rows.size();
    if (m_strikesAround <= 0 || count == 0)
        return {0, count};
    const auto n = static_cast<std::size_t>(m_strikesAround);
    // At an edge of the ladder the window is clipped, not shifted: the centre stays central.
    return {centre > n ? centre - n : 0, std::min(count, centre + n + 1)};
}

int OptionChainModel::referenceIndex() const
{
    const std::int64_t strike = m_chain.referenceStrike.raw();
    const auto it =
        std::lower_bound(m_chain.rows.begin(), m_chain.rows.end(), strike,
                         [](const detail::StrikeRow &r, std::int64_t s) { return r.strike < s; });
    const auto index = static_cast<int>(it - m_chain.rows.begin());
    return std::min(index, static_cast<int>(m_chain.rows.size()) - 1);
}

int OptionChainModel::referenceRow() const
{
    if (m_chain.rows.empty())
        return -1;
    const int row = referenceIndex() - static_cast<int>(m_begin);
    return row >= 0 && row < rowCount() ? row : -1;
}

std::span<const detail::StrikeRow> OptionChainModel::rows() const
{
    return m_chain.rows.subspan(m_begin, m_end - m_begin);
}

void OptionChainModel::clear()
{
    beginResetModel();
    m_snapshot.reset();
    m_request = ChainRequest{};
    m_begin = m_end = 0;
    adopt(OptionChain{});
    m_lastError.clear();
    endResetModel();
}

void OptionChainModel::adopt(OptionChain chain)
{
    m_chain = std::move(chain);
    m_end = std::min(m_end, m_chain.rows.size());
    m_begin = std::min(m_begin, m_end);
    m_atmRow = -1;
    if (!m_chain.atmStrike)
        return;
    for (std::size_t i = m_begin; i < m_end; ++i) {
        if (m_chain.rows[i].strike == m_chain.atmStrike->raw()) {
            m_atmRow = static_cast<int>(i - m_begin);
            break;
        }
    }
}

std::optional<Price> OptionChainModel::strikeAt(int row) const
{
    if (row < 0 || row >= rowCount())
        return std::nullopt;
    return Price::fromRaw(rows()[static_cast<std::size_t>(row)].strike);
}

std::optional<InstrumentId> OptionChainModel::instrumentAt(int row, ChainSide side) const
{
    if (row < 0 || row >= rowCount())
        return std::nullopt;
    const detail::StrikeRow &r = rows()[static_cast<std::size_t>(row)];
    const InstrumentId id = side == ChainSide::Call ? r.call : r.put;
    if (id == NoId)
        return std::nullopt;
    return id;
}

std::optional<ChainSide> OptionChainModel::sideOf(int column)
{
    if (column >= CallOiColumn && column < StrikeColumn)
        return ChainSide::Call;
    if (column > StrikeColumn && column < ColumnCount)
        return ChainSide::Put;
    return std::nullopt;
}

int OptionChainModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_end - m_begin);
}

int OptionChainModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant OptionChainModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int row = index.row();
    const int column = index.column();
    const std::optional<ChainSide> side = sideOf(column);
    const std::optional<InstrumentId> id =
        side ? instrumentAt(row, *side) : std::optional<InstrumentId>{};
    switch (role) {
    case Qt::DisplayRole:
        if (column == StrikeColumn)
            return strikeAt(row)->toQString();
        if (!id)
            return QString(); // a side the exchange does not list stays blank
        return quoteText(*id, column);
    case Qt::ForegroundRole:
        if (id && (column == CallChangeColumn || column == PutChangeColumn) && m_market) {
            const QString text = quoteText(*id, column).toString();
            if (text.startsWith(QLatin1Char('+')) || text.startsWith(QLatin1Char('-'))) {
                const bool gui = qobject_cast<QGuiApplication *>(QCoreApplication::instance());
                const ThemeColors colors =
                    themeColors(gui ? themeOf(QGuiApplication::palette()) : Theme::Light);
                return QColor(text.startsWith(QLatin1Char('+')) ? colors.positive
                                                                : colors.negative);
            }
        }
        return {};
    case Qt::TextAlignmentRole:
        return alignmentFor(column);
    case MoneynessRole:
        if (const std::optional<Moneyness> m = moneynessAt(row, column))
            return fromUtf8(moneynessName(*m));
        return {};
    case InstrumentKeyRole:
        return id ? fromUtf8(m_snapshot->instrument(*id).instrumentKey()) : QString();
    case Qt::BackgroundRole:
        return background(row, column);
    default:
        return {};
    }
}

QVariant OptionChainModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    switch (role) {
    case Qt::DisplayRole:
        return columnTitle(section);
    case Qt::TextAlignmentRole:
        return alignmentFor(section);
    case Qt::ToolTipRole:
        if (const std::optional<ChainSide> side = sideOf(section)) {
            const QString prefix = *side == ChainSide::Call ? QStringLiteral("Call (CE) ")
                                                            : QStringLiteral("Put (PE) ");
            return QString(prefix + columnTitle(section));
        }
        return QStringLiteral("Strike price (Rs)");
    default:
        return {};
    }
}

void OptionChainModel::setMarketData(const MarketData *market)
{
    m_market = market;
    refreshQuotes();
}

void OptionChainModel::refreshQuotes()
{
    if (rowCount() == 0)
        return;
    const int last = rowCount() - 1;
    for (int column : {CallLtpColumn, CallChangeColumn, PutChangeColumn, PutLtpColumn})
        Q_EMIT dataChanged(index(0, column), index(last, column),
                           {Qt::DisplayRole, Qt::ForegroundRole});
}

QVariant OptionChainModel::quoteText(InstrumentId id, int column) const
{
    const bool ltp = column == CallLtpColumn || column == PutLtpColumn;
    const bool change = column == CallChangeColumn || column == PutChangeColumn;
    if (!m_market || (!ltp && !change))
        return NoData; // OI, volume, IV: no source yet
    const std::optional<Quote> quote = m_market->quote(m_snapshot->instrument(id).instrumentKey());
    if (!quote)
        return NoData;
    if (ltp)
        return quote->last.toQString(2);
    if (quote->previousClose.isZero())
        return NoData;
    const Price delta = quote->last - quote->previousClose;
    return QString((delta.isPositive() ? QStringLiteral("+") : QString()) + delta.toQString(2));
}

std::optional<Moneyness> OptionChainModel::moneynessAt(int row, int column) const
{
    const detail::StrikeRow &r = rows()[static_cast<std::size_t>(row)];
    const std::optional<ChainSide> side = sideOf(column);
    if (!side) // the strike column belongs to both sides: only the ATM row has a common answer
        return row == atmRow() ? std::optional<Moneyness>(Moneyness::Atm) : std::nullopt;
    if ((*side == ChainSide::Call ? r.call : r.put) == NoId)
        return std::nullopt;
    return *side == ChainSide::Call ? m_chain.callMoneyness(r) : m_chain.putMoneyness(r);
}

QVariant OptionChainModel::background(int row, int column) const
{
    if (row == atmRow())
        return AtmHighlight;
    if (moneynessAt(row, column) == Moneyness::Itm)
        return ItmShade;
    return {};
}

} // namespace strikeline::ui
