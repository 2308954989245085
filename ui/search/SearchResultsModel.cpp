#include "SearchResultsModel.h"

#include "common/Text.h"

namespace strikeline::ui {

namespace {

const QString Dot = QStringLiteral(" · ");

bool isNumericColumn(int column)
{
    switch (column) {
    case SearchResultsModel::StrikeColumn:
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
    endResetModel();
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
        return displayText(instrument, index.column());
    case Qt::TextAlignmentRole:
        return alignmentFor(index.column());
    case Qt::ToolTipRole:
        return toolTip(instrument);
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
