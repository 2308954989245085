#include "OptionChainModel.h"

#include "common/Text.h"
#include "theme/Theme.h"

#include <QColor>
#include <QDateTime>
#include <QGuiApplication>
#include <QLocale>
#include <QPalette>

#include <algorithm>
#include <cmath>
#include <tuple>

namespace strikeline::ui {

namespace {

// Translucent so the base colour of a light or a dark palette shows through: a warm tint that
// reads as "in the money" on white and on the dark theme's near-black alike.
const QColor ItmShade(234, 179, 8, 46);
const QColor AtmHighlight(64, 160, 255, 72);

// A market column without a value (no tick yet, or nothing to compute from).
const QString NoData = QStringLiteral("—");

// An int, not Qt::Alignment: Qt 6.4's delegates read this role with toInt().
QVariant alignmentFor(int column)
{
    return static_cast<int>(
        (column == OptionChainModel::StrikeColumn ? Qt::AlignHCenter : Qt::AlignRight) |
        Qt::AlignVCenter);
}

QString fieldTitle(OptionChainModel::Field field)
{
    using F = OptionChainModel::Field;
    switch (field) {
    case F::Oi:
        return QStringLiteral("OI");
    case F::OiChange:
        return QStringLiteral("Chg OI");
    case F::Volume:
        return QStringLiteral("Volume");
    case F::Vega:
        return QStringLiteral("Vega");
    case F::Theta:
        return QStringLiteral("Θ");
    case F::Gamma:
        return QStringLiteral("Γ");
    case F::Delta:
        return QStringLiteral("Δ");
    case F::Iv:
        return QStringLiteral("IV");
    case F::Bid:
        return QStringLiteral("Bid");
    case F::Ask:
        return QStringLiteral("Ask");
    case F::Ltp:
        return QStringLiteral("LTP");
    case F::Change:
        return QStringLiteral("Chg");
    case F::Count:
        break;
    }
    return {};
}

QString fieldDescription(OptionChainModel::Field field)
{
    using F = OptionChainModel::Field;
    switch (field) {
    case F::Oi:
        return QStringLiteral("Open interest (bar: against the largest on screen)");
    case F::OiChange:
        return QStringLiteral("Change in OI since the previous session's close");
    case F::Volume:
        return QStringLiteral("Volume traded today");
    case F::Vega:
        return QStringLiteral("Vega: change in price per volatility point");
    case F::Theta:
        return QStringLiteral("Theta: change in price per calendar day");
    case F::Gamma:
        return QStringLiteral("Gamma: change in delta per point of the underlying");
    case F::Delta:
        return QStringLiteral("Delta: change in price per point of the underlying");
    case F::Iv:
        return QStringLiteral("Implied volatility in % (Black-76 on the expiry's forward, "
                              "computed here)");
    case F::Bid:
        return QStringLiteral("Best bid (quantity in the tooltip)");
    case F::Ask:
        return QStringLiteral("Best ask (quantity in the tooltip)");
    case F::Ltp:
        return QStringLiteral("Last traded price");
    case F::Change:
        return QStringLiteral("Change from the previous close");
    case F::Count:
        break;
    }
    return {};
}

QString columnTitle(int column)
{
    if (const auto field = OptionChainModel::fieldOf(column))
        return fieldTitle(*field);
    return QStringLiteral("Strike");
}

QString grouped(std::int64_t value)
{
    return QLocale(QLocale::English, QLocale::India).toString(static_cast<qlonglong>(value));
}

QString compact(std::int64_t value)
{
    return compactCount(value);
}

// A change in OI with its sign: in lakh from 10,000 on ("+0.97L"), so a five-digit change
// with its sign fits the column as the OI beside it does (the exact figure is in the tooltip).
QString signedCompact(std::int64_t value)
{
    const QString sign = value > 0 ? QStringLiteral("+") : QString();
    if (std::abs(value) >= 10'000 && std::abs(value) < 100'000)
        return sign + QStringLiteral("%1L").arg(static_cast<double>(value) / 1e5, 0, 'f', 2);
    return sign + compact(value);
}

QString ageText(std::int64_t ms)
{
    if (ms < 1000)
        return QStringLiteral("%1 ms").arg(ms);
    if (ms < 120'000)
        return QStringLiteral("%1 s").arg(static_cast<double>(ms) / 1000.0, 0, 'f', 1);
    if (ms < 7'200'000)
        return QStringLiteral("%1 min").arg(ms / 60'000);
    return QStringLiteral("%1 h").arg(ms / 3'600'000);
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
    m_live = LiveChain{};
    m_cells.clear();
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
    updateFieldsWithData();
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
    m_live = LiveChain{};
    m_cells.clear();
    m_snapshot.reset();
    m_request = ChainRequest{};
    m_begin = m_end = 0;
    adopt(OptionChain{});
    m_lastError.clear();
    endResetModel();
    updateFieldsWithData();
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

std::optional<OptionChainModel::Field> OptionChainModel::fieldOf(int column)
{
    if (column >= CallOiColumn && column < StrikeColumn)
        return static_cast<Field>(column);
    if (column > StrikeColumn && column < ColumnCount)
        return static_cast<Field>(ColumnCount - 1 - column);
    return std::nullopt;
}

int OptionChainModel::columnOf(ChainSide side, Field field)
{
    const int f = static_cast<int>(field);
    return side == ChainSide::Call ? f : ColumnCount - 1 - f;
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
    const LegCells *cells = side && id ? legCells(row, *side) : nullptr;
    const std::optional<Field> field = fieldOf(column);
    switch (role) {
    case Qt::DisplayRole:
        if (column == StrikeColumn)
            return strikeAt(row)->toQString();
        if (!id)
            return QString(); // a side the exchange does not list stays blank
        return cells ? cells->text[static_cast<std::size_t>(*field)] : NoData;
    case Qt::ForegroundRole: {
        if (!cells)
            return {};
        const bool gui = qobject_cast<QGuiApplication *>(QCoreApplication::instance());
        const ThemeColors colors =
            themeColors(gui ? themeOf(QGuiApplication::palette()) : Theme::Light);
        if (cells->stale) // greyed: the newest tick is too old to trade on
            return gui ? QGuiApplication::palette().color(QPalette::Disabled, QPalette::Text)
                       : QColor(Qt::gray);
        if (*field == Field::Change && cells->changeSign != 0)
            return QColor(cells->changeSign > 0 ? colors.positive : colors.negative);
        return {};
    }
    case Qt::ToolTipRole:
        return toolTip(row, column);
    case Qt::TextAlignmentRole:
        return alignmentFor(column);
    case MoneynessRole:
        if (const std::optional<Moneyness> m = moneynessAt(row, column))
            return fromUtf8(moneynessName(*m));
        return {};
    case InstrumentKeyRole:
        return id ? fromUtf8(m_snapshot->instrument(*id).instrumentKey()) : QString();
    case OiShareRole:
        if (cells && field == Field::Oi)
            return cells->oiShare;
        return {};
    case StaleRole:
        return cells ? QVariant(cells->stale) : QVariant();
    case Qt::BackgroundRole:
        if (cells && field == Field::Ltp && cells->flash != 0) {
            const bool gui = qobject_cast<QGuiApplication *>(QCoreApplication::instance());
            const ThemeColors colors =
                themeColors(gui ? themeOf(QGuiApplication::palette()) : Theme::Light);
            QColor flash(cells->flash > 0 ? colors.positive : colors.negative);
            flash.setAlpha(70);
            return flash;
        }
        return background(row, column);
    default:
        return {};
    }
}

QVariant OptionChainModel::toolTip(int row, int column) const
{
    const std::optional<ChainSide> side = sideOf(column);
    if (!side)
        return {};
    const std::optional<InstrumentId> id = instrumentAt(row, *side);
    if (!id)
        return {};
    const LegCells *cells = legCells(row, *side);
    const QString key = fromUtf8(m_snapshot->instrument(*id).tradingSymbol());
    if (!cells || !cells->quoted)
        return QStringLiteral("%1: no tick yet").arg(key);
    QStringList lines{key};
    const Field field = *fieldOf(column);
    if (field == Field::Iv && !cells->ivProblem.isEmpty())
        lines << QStringLiteral("No IV: %1").arg(cells->ivProblem);
    const LiveStrike *strike = nullptr;
    const Price price = *strikeAt(row);
    for (const LiveStrike &s : m_live.rows)
        if (s.strike == price)
            strike = &s;
    if (strike && (field == Field::Bid || field == Field::Ask)) {
        const LiveLeg &leg = *side == ChainSide::Call ? strike->call : strike->put;
        lines << QStringLiteral("Bid %1 × %2  ·  Ask %3 × %4")
                     .arg(leg.bid ? leg.bid->toQString(2) : NoData, grouped(leg.bidQuantity),
                          leg.ask ? leg.ask->toQString(2) : NoData, grouped(leg.askQuantity));
    }
    if (strike) {
        const LiveLeg &leg = *side == ChainSide::Call ? strike->call : strike->put;
        if ((field == Field::Oi || field == Field::OiChange) && leg.oi)
            lines << QStringLiteral("OI %1 units%2")
                         .arg(grouped(*leg.oi),
                              leg.oiChange ? QStringLiteral(" (%1 since the previous close)")
                                                 .arg(leg.oiChange > 0 ? QStringLiteral("+") +
                                                                             grouped(*leg.oiChange)
                                                                       : grouped(*leg.oiChange))
                                           : QString());
        if (field == Field::Volume && leg.volume)
            lines << QStringLiteral("Volume %1 units").arg(grouped(*leg.volume));
        if (field == Field::Change && leg.changePercent)
            lines
                << QStringLiteral("%1% from the previous close").arg(*leg.changePercent, 0, 'f', 2);
        if (field == Field::Oi && strike->pcr)
            lines << QStringLiteral("PCR at this strike %1").arg(*strike->pcr, 0, 'f', 2);
    }
    if (cells->receivedMs > 0) {
        const std::int64_t age = QDateTime::currentMSecsSinceEpoch() - cells->receivedMs;
        lines << QStringLiteral("Newest tick %1 ago%2")
                     .arg(ageText(std::max<std::int64_t>(0, age)),
                          cells->stale ? QStringLiteral(" (stale)") : QString());
    }
    return lines.join(QLatin1Char('\n'));
}

const OptionChainModel::LegCells *OptionChainModel::legCells(int row, ChainSide side) const
{
    const std::optional<Price> strike = strikeAt(row);
    if (!strike)
        return nullptr;
    const auto it = m_cells.find(strike->raw());
    if (it == m_cells.end())
        return nullptr;
    return side == ChainSide::Call ? &it->second.call : &it->second.put;
}

OptionChainModel::LegCells OptionChainModel::formatLeg(const LiveLeg &leg, const LegCells *previous,
                                                       std::int64_t nowMs, std::int64_t maxOi,
                                                       std::int32_t lot) const
{
    LegCells c;
    c.quoted = leg.quoted;
    c.stale = leg.stale;
    c.receivedMs = leg.receivedMs;
    c.ivProblem = leg.ivProblem;
    c.ltp = leg.ltp;
    const auto text = [&c](Field f) -> QString & { return c.text[static_cast<std::size_t>(f)]; };
    for (QString &t : c.text)
        t = NoData;
    const auto number = [](const std::optional<double> &v, int decimals) {
        if (!v)
            return NoData;
        // A value that rounds to zero reads 0.00, not -0.00 (a deep OTM put's delta).
        const double scale = std::pow(10.0, decimals);
        const double rounded = std::round(*v * scale) / scale;
        return QString::number(rounded == 0.0 ? 0.0 : rounded, 'f', decimals);
    };
    const auto oiText = [&](std::int64_t units, bool sign) {
        const std::int64_t value = m_oiUnit == OiUnit::Contracts && lot > 0 ? units / lot : units;
        return sign ? signedCompact(value) : compact(value);
    };
    if (leg.oi) {
        text(Field::Oi) = oiText(*leg.oi, false);
        c.oiShare = maxOi > 0 ? static_cast<double>(*leg.oi) / static_cast<double>(maxOi) : 0.0;
    }
    if (leg.oiChange)
        text(Field::OiChange) = oiText(*leg.oiChange, true);
    if (leg.volume)
        text(Field::Volume) = compact(*leg.volume);
    text(Field::Vega) = number(leg.vega, 2);
    text(Field::Theta) = number(leg.theta, 2);
    text(Field::Gamma) = number(leg.gamma, 4);
    text(Field::Delta) = number(leg.delta, 2);
    text(Field::Iv) = number(leg.iv, 1);
    if (leg.bid)
        text(Field::Bid) = leg.bid->toQString(2);
    if (leg.ask)
        text(Field::Ask) = leg.ask->toQString(2);
    if (leg.ltp)
        text(Field::Ltp) = leg.ltp->toQString(2);
    if (leg.change) {
        const Price delta = *leg.change;
        c.changeSign = delta.isPositive() ? 1 : delta.isZero() ? 0 : -1;
        text(Field::Change) =
            (delta.isPositive() ? QStringLiteral("+") : QString()) + delta.toQString(2);
    }
    // A changed LTP flashes green up, red down, for FlashMs.
    if (previous && previous->ltp && leg.ltp && *previous->ltp != *leg.ltp) {
        c.flash = *leg.ltp > *previous->ltp ? 1 : -1;
        c.flashUntilMs = nowMs + FlashMs;
    } else if (previous && previous->flash != 0 && nowMs < previous->flashUntilMs) {
        c.flash = previous->flash;
        c.flashUntilMs = previous->flashUntilMs;
    }
    return c;
}

void OptionChainModel::setLiveChain(const LiveChain &live, std::int64_t nowMs)
{
    m_live = live;
    std::int64_t maxOi = 0;
    for (const LiveStrike &row : live.rows)
        for (const LiveLeg *leg : {&row.call, &row.put})
            if (leg->oi)
                maxOi = std::max(maxOi, *leg->oi);
    std::unordered_map<std::int64_t, const LiveStrike *> byStrike;
    byStrike.reserve(live.rows.size());
    for (const LiveStrike &row : live.rows)
        byStrike.emplace(row.strike.raw(), &row);

    const auto same = [](const LegCells &a, const LegCells &b) {
        return a.text == b.text && a.flash == b.flash && a.stale == b.stale &&
               a.changeSign == b.changeSign && std::abs(a.oiShare - b.oiShare) < 0.005 &&
               a.ivProblem == b.ivProblem;
    };
    const int shown = rowCount();
    for (int r = 0; r < shown; ++r) {
        const detail::StrikeRow &strikeRow = rows()[static_cast<std::size_t>(r)];
        const auto found = byStrike.find(strikeRow.strike);
        auto cellsIt = m_cells.find(strikeRow.strike);
        if (found == byStrike.end()) {
            if (cellsIt != m_cells.end()) {
                m_cells.erase(cellsIt);
                Q_EMIT dataChanged(index(r, 0), index(r, ColumnCount - 1));
            }
            continue;
        }
        const LiveStrike &liveRow = *found->second;
        const RowCells *previous = cellsIt == m_cells.end() ? nullptr : &cellsIt->second;
        const auto lotOf = [this](InstrumentId id) {
            return id == NoId ? 0 : m_snapshot->instrument(id).lotSize();
        };
        RowCells next{formatLeg(liveRow.call, previous ? &previous->call : nullptr, nowMs, maxOi,
                                lotOf(strikeRow.call)),
                      formatLeg(liveRow.put, previous ? &previous->put : nullptr, nowMs, maxOi,
                                lotOf(strikeRow.put))};
        int first = ColumnCount;
        int last = -1;
        const auto changedSide = [&](ChainSide side, const LegCells &a, const LegCells *b) {
            for (int f = 0; f < FieldCount; ++f) {
                const auto fi = static_cast<std::size_t>(f);
                const bool changed =
                    !b || a.text[fi] != b->text[fi] || a.stale != b->stale ||
                    (f == static_cast<int>(Field::Ltp) && a.flash != b->flash) ||
                    (f == static_cast<int>(Field::Change) && a.changeSign != b->changeSign) ||
                    (f == static_cast<int>(Field::Oi) &&
                     std::abs(a.oiShare - b->oiShare) >= 0.005) ||
                    (f == static_cast<int>(Field::Iv) && a.ivProblem != b->ivProblem);
                if (changed) {
                    const int c = columnOf(side, static_cast<Field>(f));
                    first = std::min(first, c);
                    last = std::max(last, c);
                }
            }
        };
        if (previous && same(next.call, previous->call) && same(next.put, previous->put))
            continue;
        changedSide(ChainSide::Call, next.call, previous ? &previous->call : nullptr);
        changedSide(ChainSide::Put, next.put, previous ? &previous->put : nullptr);
        m_cells[strikeRow.strike] = std::move(next);
        if (last >= 0)
            Q_EMIT dataChanged(index(r, first), index(r, last),
                               {Qt::DisplayRole, Qt::ForegroundRole, Qt::BackgroundRole,
                                Qt::ToolTipRole, OiShareRole, StaleRole});
    }
    updateFieldsWithData();
}

bool OptionChainModel::fieldHasData(Field field) const
{
    return (m_fieldsWithData >> static_cast<unsigned>(field)) & 1u;
}

void OptionChainModel::updateFieldsWithData()
{
    unsigned mask = 0;
    bool any = false;
    const int shown = rowCount();
    for (int r = 0; r < shown; ++r) {
        const auto cells = m_cells.find(rows()[static_cast<std::size_t>(r)].strike);
        if (cells == m_cells.end())
            continue;
        for (const LegCells *leg : {&cells->second.call, &cells->second.put}) {
            for (int f = 0; f < FieldCount; ++f) {
                const QString &text = leg->text[static_cast<std::size_t>(f)];
                if (!text.isEmpty() && text != NoData) {
                    mask |= 1u << static_cast<unsigned>(f);
                    any = true;
                }
            }
        }
    }
    if (!any)
        mask = ~0u; // nothing live yet (connecting, or no feed): the preset as it is
    if (mask == m_fieldsWithData)
        return;
    m_fieldsWithData = mask;
    Q_EMIT fieldsWithDataChanged();
}

void OptionChainModel::clearLive()
{
    m_live = LiveChain{};
    if (!m_cells.empty()) {
        m_cells.clear();
        if (rowCount() > 0)
            Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
    }
    updateFieldsWithData();
}

void OptionChainModel::setOiUnit(OiUnit unit)
{
    if (unit == m_oiUnit)
        return;
    m_oiUnit = unit;
    const LiveChain live = m_live;
    m_cells.clear(); // re-formatted in the new unit
    setLiveChain(live, QDateTime::currentMSecsSinceEpoch());
    Q_EMIT headerDataChanged(Qt::Horizontal, 0, ColumnCount - 1);
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
            const QString prefix = *side == ChainSide::Call ? QStringLiteral("Call (CE): ")
                                                            : QStringLiteral("Put (PE): ");
            QString text = prefix + fieldDescription(*fieldOf(section));
            const Field field = *fieldOf(section);
            if (field == Field::Oi || field == Field::OiChange)
                text += m_oiUnit == OiUnit::Contracts ? QStringLiteral(", in contracts (lots)")
                                                      : QStringLiteral(", in units");
            return text;
        }
        return QStringLiteral("Strike price (Rs)");
    default:
        return {};
    }
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
