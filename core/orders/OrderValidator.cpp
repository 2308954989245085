#include "OrderValidator.h"

#include "AccountView.h"
#include "ContractValue.h"
#include "instruments/InstrumentSnapshot.h"
#include "marketdata/MarketData.h"
#include "orders/KillSwitch.h"
#include "orders/OrderEvent.h"

#include <algorithm>
#include <cmath>
#include <optional>

namespace strikeline {

namespace {

constexpr int hms(int h, int m, int s = 0)
{
    return h * 3600 + m * 60 + s;
}

int secondOfDay(IstMoment moment)
{
    const std::int64_t s = floorDiv(moment.epochMs, 1000) + IstOffsetSeconds;
    return static_cast<int>(s - floorDiv(s, 86400) * 86400);
}

// 1970-01-01 was a Thursday.
bool isWeekend(EpochDay day)
{
    const std::int64_t weekday = (static_cast<std::int64_t>(day) % 7 + 7 + 3) % 7; // 0 = Monday
    return weekday >= 5;
}

QString str(std::string_view s)
{
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

QString num(std::int64_t n)
{
    return QString::number(n);
}

QString rupees(Price p)
{
    return p.toQString(2);
}

QString clockText(int second)
{
    return QStringLiteral("%1:%2")
        .arg(second / 3600, 2, 10, QLatin1Char('0'))
        .arg(second / 60 % 60, 2, 10, QLatin1Char('0'));
}

QString money(Money m)
{
    return QStringLiteral("Rs ") + m.toIndian(2);
}

// A margin rate (0.12) as basis points (1200), the exact form Money takes.
std::int64_t basisPointsOf(double rate)
{
    return std::llround(rate * 10000);
}

enum class MarginClass { IndexDerivative, StockDerivative, Commodity, Currency, Equity };

MarginClass marginClass(const InstrumentView &c)
{
    switch (c.segment()) {
    case Segment::McxFo:
    case Segment::NseCom:
        return MarginClass::Commodity;
    case Segment::NcdFo:
    case Segment::BcdFo:
        return MarginClass::Currency;
    case Segment::NseEq:
    case Segment::BseEq:
        return MarginClass::Equity;
    default:
        break;
    }
    const std::string_view u = c.underlyingKey();
    return u.starts_with("NSE_INDEX|") || u.starts_with("BSE_INDEX|")
               ? MarginClass::IndexDerivative
               : MarginClass::StockDerivative;
}

class Checker
{
public:
    explicit Checker(Verdict &verdict)
        : m_v(verdict)
    {}
    void error(std::string_view code, QString message)
    {
        m_v.issues.push_back({code, IssueSeverity::Error, std::move(message)});
    }
    void warning(std::string_view code, QString message)
    {
        m_v.issues.push_back({code, IssueSeverity::Warning, std::move(message)});
    }

private:
    Verdict &m_v;
};

} // namespace

TradingSession tradingSession(Segment segment)
{
    switch (segment) {
    case Segment::McxFo:
    case Segment::McxIndex:
    case Segment::NseCom:
        return {hms(9, 0), hms(23, 30)};
    case Segment::NcdFo:
    case Segment::BcdFo:
        return {hms(9, 0), hms(17, 0)};
    default:
        return {hms(9, 15), hms(15, 30)};
    }
}

bool isMarketOpen(Segment segment, IstMoment moment)
{
    if (isWeekend(moment.day()))
        return false;
    const TradingSession session = tradingSession(segment);
    const int second = secondOfDay(moment);
    return second >= session.openSecond && second <= session.closeSecond;
}

IstMoment nextSessionOpen(Segment segment, IstMoment moment)
{
    const TradingSession session = tradingSession(segment);
    EpochDay day = moment.day();
    if (isWeekend(day) || secondOfDay(moment) >= session.openSecond) {
        do
            ++day;
        while (isWeekend(day));
    }
    return IstMoment::fromDay(day, session.openSecond / 60);
}

QString afterMarketNote(Segment segment, IstMoment moment)
{
    const IstMoment open = nextSessionOpen(segment, moment);
    const QString when =
        clockText(tradingSession(segment).openSecond) + QStringLiteral(" IST open");
    QString day;
    if (open.day() != moment.day())
        day = QStringLiteral(" on ") + toQDate(open.day()).toString(QStringLiteral("ddd dd MMM"));
    return QStringLiteral("after-market order: waits for the %1%2 (%3)")
        .arg(when, day, str(segmentName(segment)));
}

OrderValidator::OrderValidator(const Clock &clock, ValidationLimits limits)
    : m_clock(clock)
    , m_limits(limits)
{}

Verdict OrderValidator::validate(const OrderRequest &request, const InstrumentSnapshot &snapshot,
                                 const MarketData *market, const AccountView *account) const
{
    Verdict verdict;
    Checker check(verdict);
    const IstMoment now = m_clock.now();

    // The kill switch decides before anything else: nothing goes while it is on.
    if (m_killSwitch) {
        if (const HaltState halt = m_killSwitch->state(); halt.halted) {
            check.error(issue::TradingHalted, haltedMessage(halt));
            return verdict;
        }
    }

    const std::optional<InstrumentId> id = snapshot.findByKey(request.instrumentKey);
    if (!id) {
        check.error(issue::UnknownInstrument,
                    QStringLiteral("No contract with key %1 in today's instrument master (unknown, "
                                   "or no longer active)")
                        .arg(str(request.instrumentKey)));
        return verdict;
    }
    const InstrumentView c = snapshot.instrument(*id);
    auto symbol = [&c] { return str(c.tradingSymbol()); }; // only on the error paths
    if (c.kind() == InstrumentKind::Index || c.kind() == InstrumentKind::Spot ||
        !c.tickSize().isPositive() || c.lotSize() <= 0) {
        check.error(issue::NotTradable,
                    QStringLiteral("%1 is %2, not a tradable contract")
                        .arg(symbol(), c.kind() == InstrumentKind::Index
                                           ? QStringLiteral("an index")
                                           : QStringLiteral("a reference price")));
        return verdict;
    }

    const TradingSession session = tradingSession(c.segment());
    const EpochDay today = now.day();
    const int nowSecond = secondOfDay(now);
    if (c.expiry() != NoDay &&
        (c.expiry() < today || (c.expiry() == today && nowSecond > session.closeSecond))) {
        check.error(issue::ContractExpired,
                    QStringLiteral("%1 expired on %2 (trading ended at %3 IST)")
                        .arg(symbol(), formatIsoDay(c.expiry()), clockText(session.closeSecond)));
        return verdict;
    }

    if (request.clientOrderId.size() > 20) {
        check.error(issue::ClientOrderIdTooLong,
                    QStringLiteral("The order tag '%1' is %2 characters; Upstox takes at most 20")
                        .arg(str(request.clientOrderId))
                        .arg(request.clientOrderId.size()));
    }

    // ---- quantity and slicing --------------------------------------------------------------
    const bool inLots = c.quantityUnit() == QuantityUnit::Lots;
    const std::int64_t lot = c.lotSize();
    const std::int64_t qty = request.quantity;
    bool qtyValid = false;
    std::int64_t perSlice = 0; // 0: no freeze known, one order
    std::int64_t sliceCount = 1;
    if (qty <= 0) {
        check.error(issue::QtyNotPositive,
                    inLots ? QStringLiteral("Quantity %1 is not valid: on %2 the quantity is in "
                                            "lots, at least 1 (1 lot = %3 units)")
                                 .arg(num(qty), str(segmentName(c.segment())), num(lot))
                           : QStringLiteral("Quantity %1 is not valid: at least 1 lot (%2 units)")
                                 .arg(num(qty), num(lot)));
    } else if (qty > MaxOrderQuantity) {
        // Before any arithmetic on it: the suggestions below must not overflow.
        check.error(issue::QtyTooLarge,
                    QStringLiteral("Quantity %1 is above %2, more than any exchange accepts in one "
                                   "order")
                        .arg(num(qty), num(MaxOrderQuantity)));
    } else if (!inLots && qty % lot != 0) {
        const std::int64_t below = qty / lot * lot;
        const std::int64_t above = below + lot;
        const QString options =
            below > 0 ? QStringLiteral("%1 or %2").arg(num(below), num(above)) : num(above);
        check.error(issue::QtyNotLotMultiple,
                    QStringLiteral("Quantity %1 is not a multiple of the lot size %2 (1 lot = %2 "
                                   "units; try %3)")
                        .arg(num(qty), num(lot), options));
    } else {
        qtyValid = true;
        const std::int64_t maxLots = c.maxLotsPerOrder();
        if (maxLots > 0) {
            perSlice = inLots ? maxLots : maxLots * lot;
            sliceCount = (qty + perSlice - 1) / perSlice;
            if (sliceCount > m_limits.maxSlices) {
                auto amount = [inLots](std::int64_t q) {
                    return inLots ? QStringLiteral("%1 lots").arg(q)
                                  : QStringLiteral("%1 units").arg(q);
                };
                check.error(issue::TooManySlices,
                            QStringLiteral("Quantity %1 would need %2 orders of at most %3 (the "
                                           "freeze quantity); at most %4 orders can be sent at "
                                           "once: reduce it to %5 or less")
                                .arg(amount(qty), num(sliceCount), amount(perSlice),
                                     num(m_limits.maxSlices),
                                     amount(perSlice * m_limits.maxSlices)));
                qtyValid = false;
            }
        }
    }

    // ---- price and trigger -------------------------------------------------------------------
    const Price tick = c.tickSize();
    const std::string_view typeName = orderTypeName(request.type);
    auto checkPrice = [&](Price value, bool required, std::string_view missingCode,
                          std::string_view notAllowedCode, std::string_view notPositiveCode,
                          std::string_view offTickCode, const QString &what) {
        if (!required) {
            if (!value.isZero()) {
                check.error(notAllowedCode, QStringLiteral("A %1 order takes no %2 (got %3)")
                                                .arg(str(typeName), what.toLower(), rupees(value)));
            }
            return false;
        }
        if (value.isZero()) {
            check.error(missingCode,
                        QStringLiteral("A %1 order needs a %2").arg(str(typeName), what.toLower()));
            return false;
        }
        if (value.isNegative()) {
            check.error(notPositiveCode,
                        QStringLiteral("%1 %2 must be positive").arg(what, rupees(value)));
            return false;
        }
        if (value > MaxOrderPrice) {
            check.error(issue::PriceTooLarge,
                        QStringLiteral("%1 %2 is above %3, more than any exchange accepts")
                            .arg(what, rupees(value), rupees(MaxOrderPrice)));
            return false;
        }
        if (!value.isMultipleOf(tick)) {
            const Price down = value.roundDownTo(tick);
            const Price up = value.roundUpTo(tick);
            check.error(offTickCode,
                        down.isPositive()
                            ? QStringLiteral("%1 %2 is not a multiple of the tick %3: nearest "
                                             "valid %4 or %5")
                                  .arg(what, rupees(value), rupees(tick), rupees(down), rupees(up))
                            : QStringLiteral("%1 %2 is not a multiple of the tick %3: nearest "
                                             "valid %4")
                                  .arg(what, rupees(value), rupees(tick), rupees(up)));
            return false;
        }
        return true;
    };
    const bool priceValid = checkPrice(
        request.price, needsLimitPrice(request.type), issue::PriceRequired, issue::PriceNotAllowed,
        issue::PriceNotPositive, issue::PriceOffTick, QStringLiteral("Price"));
    const bool triggerValid =
        checkPrice(request.trigger, needsTrigger(request.type), issue::TriggerRequired,
                   issue::TriggerNotAllowed, issue::TriggerNotPositive, issue::TriggerOffTick,
                   QStringLiteral("Trigger"));
    const bool buy = request.side == Side::Buy;

    if (request.type == OrderType::StopLimit && priceValid && triggerValid) {
        if (buy && request.price < request.trigger) {
            check.error(issue::LimitWrongSideOfTrigger,
                        QStringLiteral("A buy stop-loss's limit %1 is below its trigger %2: the "
                                       "limit must be at or above the trigger")
                            .arg(rupees(request.price), rupees(request.trigger)));
        } else if (!buy && request.price > request.trigger) {
            check.error(issue::LimitWrongSideOfTrigger,
                        QStringLiteral("A sell stop-loss's limit %1 is above its trigger %2: the "
                                       "limit must be at or below the trigger")
                            .arg(rupees(request.price), rupees(request.trigger)));
        }
    }

    // ---- against the last price ------------------------------------------------------------
    const std::optional<Quote> quote =
        market ? market->quote(request.instrumentKey) : std::optional<Quote>();
    const bool haveLast = quote && quote->last.isPositive();
    if (quote) {
        auto band = [&](Price value, std::string_view code, const QString &what) {
            if ((quote->lowerCircuit && value < *quote->lowerCircuit) ||
                (quote->upperCircuit && value > *quote->upperCircuit)) {
                check.error(code, QStringLiteral("%1 %2 is outside the price band %3 - %4")
                                      .arg(what, rupees(value),
                                           quote->lowerCircuit ? rupees(*quote->lowerCircuit)
                                                               : QStringLiteral("(none)"),
                                           quote->upperCircuit ? rupees(*quote->upperCircuit)
                                                               : QStringLiteral("(none)")));
            }
        };
        if (priceValid)
            band(request.price, issue::PriceOutsideCircuit, QStringLiteral("Price"));
        if (triggerValid)
            band(request.trigger, issue::TriggerOutsideCircuit, QStringLiteral("Trigger"));
    }
    if (haveLast && triggerValid) {
        const Price last = quote->last;
        if (buy && request.trigger <= last) {
            check.error(issue::TriggerWrongSideOfLtp,
                        QStringLiteral("A buy stop's trigger %1 must be above the last price %2 "
                                       "(at or below it, it would trigger at once)")
                            .arg(rupees(request.trigger), rupees(last)));
        } else if (!buy && request.trigger >= last) {
            check.error(issue::TriggerWrongSideOfLtp,
                        QStringLiteral("A sell stop's trigger %1 must be below the last price %2 "
                                       "(at or above it, it would trigger at once)")
                            .arg(rupees(request.trigger), rupees(last)));
        }
    }
    if (haveLast && priceValid && isDerivative(c.kind())) {
        // Limit price protection: options within Rs 20 of an LTP up to Rs 50, else 40 %;
        // futures 3 %. Only a buy above / a sell below the range is refused by the exchange.
        const Price last = quote->last;
        Price width;
        QString rule;
        if (isOption(c.kind()) && last <= Price::fromRupees(50)) {
            width = Price::fromRupees(20);
            rule = QStringLiteral("Rs 20 for options up to Rs 50");
        } else if (isOption(c.kind())) {
            width = Price::fromRaw(last.raw() * 40 / 100);
            rule = QStringLiteral("40% for options above Rs 50");
        } else {
            width = Price::fromRaw(last.raw() * 3 / 100);
            rule = QStringLiteral("3% for futures");
        }
        const Price upper = last + width;
        const Price lower = std::max(last - width, Price());
        if ((buy && request.price > upper) || (!buy && request.price < lower)) {
            check.warning(issue::PriceOutsideLpp,
                          QStringLiteral("%1 limit %2 is outside the limit-price-protection range "
                                         "%3 - %4 around the last price %5 (%6): the exchange "
                                         "may reject it")
                              .arg(buy ? QStringLiteral("Buy") : QStringLiteral("Sell"),
                                   rupees(request.price), rupees(lower), rupees(upper),
                                   rupees(last), rule));
        }
    }

    // ---- market hours --------------------------------------------------------------------------
    if (!isMarketOpen(c.segment(), now)) {
        verdict.afterMarket = true;
        check.warning(issue::AfterMarket,
                      QStringLiteral("The %1 market is closed at %2 (open %3-%4 IST on "
                                     "weekdays): this becomes an after-market order")
                          .arg(str(segmentName(c.segment())), now.toString(),
                               clockText(session.openSecond), clockText(session.closeSecond)));
        if (request.validity == Validity::Ioc) {
            check.error(issue::IocAfterMarket,
                        QStringLiteral("An IOC order cannot wait for the market to open: use "
                                       "DAY validity for an after-market order"));
        }
    }

    // ---- value, position and margin ----------------------------------------------------------
    // The price the order is expected to trade at: its limit, else the last price, else the
    // stop trigger.
    std::optional<Price> reference;
    if (priceValid)
        reference = request.price;
    else if (haveLast)
        reference = quote->last;
    else if (triggerValid)
        reference = request.trigger;
    const std::int64_t multiplier = valueMultiplier(c.qtyMultiplier());

    if (qtyValid && reference && m_limits.maxOrderValue.isPositive()) {
        const std::optional<Money> value = contractValue(*reference, qty, multiplier);
        if (!value || *value > m_limits.maxOrderValue) {
            check.error(issue::OrderValueTooLarge,
                        QStringLiteral("Order value %1 (%2 x %3) exceeds the limit of %4 per "
                                       "order")
                            .arg(value ? money(*value) : QStringLiteral("(too large to compute)"),
                                 num(qty * multiplier), rupees(*reference),
                                 money(m_limits.maxOrderValue)));
        }
    }

    if (account && qtyValid) {
        const std::int64_t net = account->netQuantity(request.instrumentKey);
        const std::int64_t opposite =
            buy ? std::max<std::int64_t>(0, -net) : std::max<std::int64_t>(0, net);
        const std::int64_t closing = std::min(qty, opposite);
        const std::int64_t opening = qty - closing;
        auto posText = [net] {
            return net > 0 ? QStringLiteral("long %1").arg(num(net))
                           : QStringLiteral("short %1").arg(num(-net));
        };
        if (needsTrigger(request.type) && closing > 0 && opening > 0) {
            check.error(issue::StopExceedsPosition,
                        QStringLiteral("This stop-loss %1 of %2 exceeds your open position (%3): "
                                       "if triggered it would open %4 %5. Use a quantity of %6")
                            .arg(buy ? QStringLiteral("buy") : QStringLiteral("sell"), num(qty),
                                 posText(), num(opening),
                                 buy ? QStringLiteral("long") : QStringLiteral("short"),
                                 num(closing)));
        } else if (closing > 0 && opening > 0) {
            check.warning(issue::PositionReversal,
                          QStringLiteral("This order closes your position (%1) and opens %2 %3")
                              .arg(posText(), num(opening),
                                   buy ? QStringLiteral("long") : QStringLiteral("short")));
        }

        const std::optional<Money> available = account->availableMargin();
        if (available && opening > 0) {
            const MarginModel &m = m_limits.margin;
            const MarginClass cls = marginClass(c);
            double rate = 0;
            switch (cls) {
            case MarginClass::IndexDerivative:
                rate = m.indexDerivatives;
                break;
            case MarginClass::StockDerivative:
                rate = m.stockDerivatives;
                break;
            case MarginClass::Commodity:
                rate = m.commodityDerivatives;
                break;
            case MarginClass::Currency:
                rate = m.currencyDerivatives;
                break;
            case MarginClass::Equity:
                rate = request.product == Product::Intraday ? m.equityIntraday : m.equityDelivery;
                break;
            }
            std::optional<Money> required;
            Price basisPrice; // what the estimate multiplies
            bool premium = false;
            if (isOption(c.kind()) && buy) {
                premium = true;
                if (reference) {
                    basisPrice = *reference;
                    required = contractValue(*reference, opening, multiplier);
                }
            } else if (isOption(c.kind())) {
                // A short option: the rate on the strike's notional (the underlying is not
                // priced here).
                basisPrice = c.strike();
                if (const auto n = contractValue(basisPrice, opening, multiplier))
                    required = n->basisPoints(basisPointsOf(rate));
            } else if (reference) {
                basisPrice = *reference;
                if (const auto n = contractValue(basisPrice, opening, multiplier))
                    required = n->basisPoints(basisPointsOf(rate));
            }
            auto basis = [&] {
                const QString units = num(opening * multiplier);
                if (premium)
                    return QStringLiteral("premium %1 x %2").arg(rupees(basisPrice), units);
                return QStringLiteral("%1% of %2 %3 x %4")
                    .arg(QString::number(rate * 100, 'g', 4),
                         isOption(c.kind()) ? QStringLiteral("strike notional")
                                            : QStringLiteral("notional"),
                         rupees(basisPrice), units);
            };
            if (!required) {
                check.warning(issue::MarginNotEstimated,
                              QStringLiteral("Margin not checked: no price is known for this "
                                             "%1 order (give a limit price or a last price)")
                                  .arg(str(typeName)));
            } else if (*required > *available) {
                check.error(issue::InsufficientMargin,
                            QStringLiteral("Estimated margin %1 (%2; an estimate, not the "
                                           "exchange's SPAN) exceeds the available %3")
                                .arg(money(*required), basis(), money(*available)));
            }
        }
    }

    if (qtyValid && verdict.ok()) {
        verdict.slices.reserve(static_cast<std::size_t>(sliceCount));
        if (perSlice <= 0) {
            verdict.slices.push_back(qty);
        } else {
            for (std::int64_t left = qty; left > 0; left -= perSlice)
                verdict.slices.push_back(std::min(left, perSlice));
        }
    }
    return verdict;
}

} // namespace strikeline
