#include "SearchResultsModel.h"

#include "common/Money.h"
#include "common/Text.h"

#include <QBrush>
#include <QPalette>

namespace strikeline::ui {

namespace {

const QString Dot = QStringLiteral(" · ");
const QString None = QStringLiteral("—");
// A live tick older than this greys out (as the watch list's).
constexpr std::int64_t StaleAfterMs = 30'000;

bool isNumericColumn(int column)
{
    switch (column) {
    case SearchResultsModel::StrikeColumn:
    case SearchResultsModel::LtpColumn:
    case SearchResultsModel::LotColumn:
    case SearchResultsModel::TickColumn:
    case SearchResultsModel::FreezeColumn:
        return true;
    default:
        return false;
    }
}

// An int, not Qt::Alignment: Qt 6.4's delegates read this role with toInt().
QVariant alignmentFor(int column)
{
    return static_cast<int>((isNumericColumn(column) ? Qt::AlignRight : Qt::AlignLeft) |
                            Qt::AlignVCenter);
}

} // namespace

QString toQString(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

QString shortExpiryText(EpochDay expiry, EpochDay today)
{
    if (expiry == NoDay)
        return {};
    const QString date = formatDisplayDay(expiry);
    if (today == NoDay)
        return date;
    const int days = daysToExpiry(expiry, today);
    if (days < 0)
        return date + Dot + QStringLiteral("expired");
    if (days == 0)
        return date + Dot + QStringLiteral("today");
    return date + Dot + QString::number(days) + QLatin1Char('d');
}

QString longExpiryText(EpochDay expiry, EpochDay today, bool weekly)
{
    if (expiry == NoDay)
        return QStringLiteral("—");
    QString text = formatDisplayDay(expiry);
    if (today != NoDay) {
        const int days = daysToExpiry(expiry, today);
        if (days < 0)
            text += Dot + QStringLiteral("expired %1 days ago").arg(-days);
        else if (days == 0)
            text += Dot + QStringLiteral("expires today");
        else if (days == 1)
            text += Dot + QStringLiteral("1 day left");
        else
            text += Dot + QStringLiteral("%1 days left").arg(days);
    }
    return text + Dot + (weekly ? QStringLiteral("weekly") : QStringLiteral("monthly"));
}

QString freezeText(std::int32_t freeze, QuantityUnit unit)
{
    if (freeze <= 0)
        return {};
    if (unit == QuantityUnit::Lots)
        return lotsText(freeze);
    return QString::number(freeze);
}

QString didYouMeanText(const InstrumentSnapshot &snapshot, const QString &query, EpochDay today)
{
    const QByteArray text = query.toUtf8();
    SearchRequest request;
    request.text = std::string_view(text.constData(), static_cast<std::size_t>(text.size()));
    request.today = today;
    const std::optional<std::string> suggestion = snapshot.suggest(request);
    if (!suggestion)
        return {};
    return QStringLiteral("Did you mean %1?").arg(toQString(*suggestion));
}

SearchResultsModel::SearchResultsModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

SearchResultsModel::~SearchResultsModel() = default;

void SearchResultsModel::setResults(SnapshotPtr snapshot, std::vector<SearchHit> hits,
                                    EpochDay today)
{
    beginResetModel();
    m_snapshot = std::move(snapshot);
    m_hits = m_snapshot ? std::move(hits) : std::vector<SearchHit>{};
    m_today = today;
    m_prices.clear();
    m_prices.reserve(m_hits.size());
    for (const SearchHit &hit : m_hits)
        m_prices.push_back(priceCell(m_snapshot->instrument(hit.id)));
    endResetModel();
}

void SearchResultsModel::setMarketData(const MarketData *market, const Clock *clock)
{
    m_market = market;
    m_clock = clock;
    refreshPrices();
}

void SearchResultsModel::refreshPrices()
{
    int first = -1;
    const auto flush = [this, &first](int end) {
        if (first >= 0)
            Q_EMIT dataChanged(index(first, LtpColumn), index(end - 1, LtpColumn),
                               {Qt::DisplayRole, Qt::ToolTipRole, Qt::ForegroundRole});
        first = -1;
    };
    for (std::size_t r = 0; r < m_hits.size(); ++r) {
        PriceCell cell = priceCell(m_snapshot->instrument(m_hits[r].id));
        const int row = static_cast<int>(r);
        if (cell == m_prices[r]) {
            flush(row);
            continue;
        }
        m_prices[r] = std::move(cell);
        if (first < 0)
            first = row;
    }
    flush(static_cast<int>(m_hits.size()));
}

QStringList SearchResultsModel::keys(int count) const
{
    QStringList keys;
    const std::size_t n = std::min(m_hits.size(), static_cast<std::size_t>(std::max(0, count)));
    for (std::size_t r = 0; r < n; ++r)
        keys.append(toQString(m_snapshot->instrument(m_hits[r].id).instrumentKey()));
    return keys;
}

SearchResultsModel::PriceCell SearchResultsModel::priceCell(const InstrumentView &instrument) const
{
    PriceCell cell{None, {}, false};
    if (!m_market)
        return cell;
    const std::optional<Quote> quote = m_market->quote(instrument.instrumentKey());
    if (!quote) {
        cell.toolTip = QStringLiteral("No last price yet");
        return cell;
    }
    const Price tick =
        instrument.tickSize().isPositive() ? instrument.tickSize() : Price::fromRaw(1);
    cell.text = formatPrice(quote->last, tick);
    if (quote->timeMs > 0) {
        const std::int64_t age = m_clock ? m_clock->now().epochMs - quote->timeMs : 0;
        cell.stale = !quote->simulated && age > StaleAfterMs;
        // Whole seconds: the text changes once a second, not on every refresh.
        cell.toolTip = (quote->simulated ? QStringLiteral("Simulated price at ")
                                         : QStringLiteral("Last tick at ")) +
                       istClockText(quote->timeMs) + Dot + tickAgeText(age) +
                       QStringLiteral(" ago") +
                       (cell.stale ? QStringLiteral(": stale") : QString());
    } else if (quote->simulated) {
        cell.toolTip = QStringLiteral("Simulated price");
    }
    return cell;
}

void SearchResultsModel::clear()
{
    setResults(nullptr, {});
}

std::optional<InstrumentId> SearchResultsModel::instrumentAt(int row) const
{
    if (row < 0 || static_cast<std::size_t>(row) >= m_hits.size())
        return std::nullopt;
    return m_hits[static_cast<std::size_t>(row)].id;
}

int SearchResultsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_hits.size());
}

int SearchResultsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SearchResultsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const InstrumentView instrument = m_snapshot->instrument(*instrumentAt(index.row()));
    switch (role) {
    case Qt::DisplayRole:
        if (index.column() == LtpColumn)
            return m_prices[static_cast<std::size_t>(index.row())].text;
        return displayText(instrument, index.column());
    case Qt::TextAlignmentRole:
        return alignmentFor(index.column());
    case Qt::ToolTipRole:
        if (index.column() == LtpColumn)
            return m_prices[static_cast<std::size_t>(index.row())].toolTip;
        return toolTip(instrument);
    case Qt::ForegroundRole:
        if (index.column() == LtpColumn && m_prices[static_cast<std::size_t>(index.row())].stale)
            return QBrush(QPalette().color(QPalette::PlaceholderText));
        return {};
    case InstrumentKeyRole:
        return toQString(instrument.instrumentKey());
    default:
        return {};
    }
}

QVariant SearchResultsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::TextAlignmentRole)
        return alignmentFor(section);
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case ExpiryColumn:
            return QStringLiteral("Expiry date (IST) and calendar days left");
        case LtpColumn:
            return QStringLiteral("Last traded price (hover a cell for its age; grey: stale)");
        case LotColumn:
            return QStringLiteral("Units per lot");
        case TickColumn:
            return QStringLiteral("Minimum price step in rupees");
        case FreezeColumn:
            return QStringLiteral("Largest quantity one order may carry (MCX: in lots)");
        default:
            return {};
        }
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case SymbolColumn:
        return QStringLiteral("Symbol");
    case SegmentColumn:
        return QStringLiteral("Segment");
    case TypeColumn:
        return QStringLiteral("Type");
    case ExpiryColumn:
        return QStringLiteral("Expiry");
    case StrikeColumn:
        return QStringLiteral("Strike");
    case LtpColumn:
        return QStringLiteral("LTP");
    case LotColumn:
        return QStringLiteral("Lot");
    case TickColumn:
        return QStringLiteral("Tick (Rs)");
    case FreezeColumn:
        return QStringLiteral("Freeze");
    case KeyColumn:
        return QStringLiteral("Key");
    default:
        return {};
    }
}

QString SearchResultsModel::displayText(const InstrumentView &instrument, int column) const
{
    switch (column) {
    case SymbolColumn:
        return toQString(instrument.tradingSymbol());
    case SegmentColumn:
        return toQString(segmentName(instrument.segment()));
    case TypeColumn:
        return toQString(kindName(instrument.kind()));
    case ExpiryColumn:
        return shortExpiryText(instrument.expiry(), m_today);
    case StrikeColumn:
        return isOption(instrument.kind()) ? instrument.strike().toQString() : QString();
    case LotColumn:
        return instrument.lotSize() > 0 ? QString::number(instrument.lotSize()) : QString();
    case TickColumn:
        return instrument.tickSize().isPositive() ? instrument.tickSize().toQString(2) : QString();
    case FreezeColumn:
        return freezeText(instrument.freezeQuantity(), instrument.quantityUnit());
    case KeyColumn:
        return toQString(instrument.instrumentKey());
    default:
        return {};
    }
}

QString SearchResultsModel::toolTip(const InstrumentView &instrument) const
{
    QString text = toQString(instrument.tradingSymbol()) + QStringLiteral(" (") +
                   toQString(instrument.instrumentKey()) + QStringLiteral(")\n") +
                   toQString(instrument.name());
    if (instrument.expiry() != NoDay)
        text += QStringLiteral("\nExpiry ") +
                longExpiryText(instrument.expiry(), m_today, instrument.weekly());
    if (instrument.lotSize() > 0) {
        text += QStringLiteral("\nLot ") + QString::number(instrument.lotSize()) +
                QStringLiteral(" · tick Rs ") + instrument.tickSize().toQString(2);
    }
    if (const int maxLots = instrument.maxLotsPerOrder(); maxLots > 0)
        text += QStringLiteral(" · at most ") + lotsText(maxLots) + QStringLiteral(" per order");
    return text;
}

} // namespace strikeline::ui
