#include "InstrumentQueries.h"

namespace strikeline {

Result<int> parseSearchLimit(const QString &text, const QString &name)
{
    bool ok = false;
    const int n = text.toInt(&ok);
    if (!ok || n <= 0 || n > MaxSearchLimit)
        return Error::make(
            ErrorCode::InvalidArgument,
            QStringLiteral("%1 must be a number from 1 to %2").arg(name).arg(MaxSearchLimit));
    return n;
}

Result<Price> parseSpotPrice(const QString &text, const QString &name)
{
    const auto price = Price::parse(text.toStdString());
    if (!price || !price->isPositive())
        return Error::make(ErrorCode::InvalidArgument,
                           QStringLiteral("%1 '%2' is not a positive price").arg(name, text));
    return *price;
}

Result<int> parseStrikeCount(const QString &text, const QString &name)
{
    bool ok = false;
    const int n = text.toInt(&ok);
    if (!ok || n <= 0)
        return Error::make(ErrorCode::InvalidArgument,
                           QStringLiteral("%1 must be a positive number").arg(name));
    return n;
}

Result<Segment> parseSegmentName(const QString &text)
{
    const auto segment = parseSegment(text.toUpper().toStdString());
    if (!segment)
        return Error::make(ErrorCode::InvalidArgument,
                           QStringLiteral("unknown segment '%1'").arg(text));
    return *segment;
}

Result<EpochDay> parseDay(const QString &text)
{
    auto moment = parseIstMoment(text);
    if (!moment)
        return moment.error();
    return moment->day();
}

Result<ChainAnswer> answerChain(const InstrumentSnapshot &snapshot, const ChainQuery &query)
{
    const auto underlying = snapshot.findUnderlying(query.underlying, query.segment);
    if (!underlying)
        return Error::make(ErrorCode::NotFound,
                           QStringLiteral("no derivatives on '%1' in this master")
                               .arg(QString::fromStdString(query.underlying)));
    ChainRequest request;
    request.underlying = *underlying;
    request.expiry = query.expiry;
    request.spot = query.spot;
    request.strikesAroundAtm = query.strikesAroundAtm;
    request.today = query.includeExpired ? NoDay : query.today;
    auto chain = snapshot.chain(request);
    if (!chain)
        return chain.error();
    return ChainAnswer{*chain, snapshot.expiries(*underlying, query.today, query.includeExpired)};
}

} // namespace strikeline
