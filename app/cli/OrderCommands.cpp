// validate: the pre-trade checks of one order, answered from an in-memory snapshot.

#include "CliCommon.h"
#include "marketdata/MarketData.h"
#include "orders/AccountView.h"
#include "orders/OrderValidator.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <optional>

namespace strikeline::cli {

namespace {

QString str(std::string_view s)
{
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

// The one quote --ltp gives: a last price for the order's contract, nothing else.
class SingleQuote final : public MarketData
{
public:
    SingleQuote(std::string key, Quote quote)
        : m_key(std::move(key))
        , m_quote(quote)
    {}
    std::optional<Quote> quote(std::string_view instrumentKey) const override
    {
        return instrumentKey == m_key ? std::optional<Quote>(m_quote) : std::nullopt;
    }

private:
    std::string m_key;
    Quote m_quote;
};

std::optional<Price> parsePriceOption(const QString &text)
{
    return Price::parse(text.trimmed().toStdString());
}

} // namespace

int runValidate(const QStringList &arguments)
{
    const QString command = QStringLiteral("validate");
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Checks one order against the contract's rules, the clock and (with --ltp) "
                       "the last price; prints OK or the reasons it would be rejected.\n"
                       "Exit codes: 0 accepted (warnings may be shown), 1 data error, 2 usage, "
                       "3 rejected."));
    const QCommandLineOption key(QStringLiteral("key"),
                                 QStringLiteral("instrument_key (NSE_FO|41915) or trading symbol."),
                                 QStringLiteral("K"));
    const QCommandLineOption side(QStringLiteral("side"), QStringLiteral("buy or sell."),
                                  QStringLiteral("SIDE"));
    const QCommandLineOption qty(
        QStringLiteral("qty"),
        QStringLiteral("Quantity: units (a multiple of the lot), or lots on MCX."),
        QStringLiteral("N"));
    const QCommandLineOption type(QStringLiteral("type"),
                                  QStringLiteral("market, limit, sl or sl-m (default limit)."),
                                  QStringLiteral("TYPE"), QStringLiteral("limit"));
    const QCommandLineOption price(QStringLiteral("price"),
                                   QStringLiteral("Limit price (limit and sl orders)."),
                                   QStringLiteral("P"));
    const QCommandLineOption trigger(QStringLiteral("trigger"),
                                     QStringLiteral("Stop trigger price (sl and sl-m orders)."),
                                     QStringLiteral("T"));
    const QCommandLineOption product(QStringLiteral("product"),
                                     QStringLiteral("I (intraday) or D (carry forward; default)."),
                                     QStringLiteral("I|D"), QStringLiteral("D"));
    const QCommandLineOption validity(QStringLiteral("validity"),
                                      QStringLiteral("day (default) or ioc."), QStringLiteral("V"),
                                      QStringLiteral("day"));
    const QCommandLineOption ltp(QStringLiteral("ltp"),
                                 QStringLiteral("The contract's last price; enables the stop-side "
                                                "and limit-price-protection checks."),
                                 QStringLiteral("P"));
    const QCommandLineOption position(
        QStringLiteral("position"),
        QStringLiteral("Your net open quantity in this contract (negative = short)."),
        QStringLiteral("N"));
    const QCommandLineOption margin(QStringLiteral("margin"),
                                    QStringLiteral("Available margin in rupees (enables the "
                                                   "estimated margin check)."),
                                    QStringLiteral("RUPEES"));
    const QCommandLineOption maxValue(
        QStringLiteral("max-value"),
        QStringLiteral("Largest order value in rupees (default 50000000, 0 = no limit)."),
        QStringLiteral("RUPEES"));
    const QCommandLineOption tag(QStringLiteral("tag"),
                                 QStringLiteral("Client order id (Upstox tag, max 20 chars)."),
                                 QStringLiteral("TAG"));
    const QCommandLineOption master(QStringLiteral("master"),
                                    QStringLiteral("Read this master file instead of the "
                                                   "database."),
                                    QStringLiteral("FILE"));
    const QCommandLineOption db(QStringLiteral("db"),
                                QStringLiteral("Database URL (default: the embedded SQLite)."),
                                QStringLiteral("URL"));
    const QCommandLineOption at(
        QStringLiteral("at"),
        QStringLiteral("The order's time in IST, \"YYYY-MM-DD[ HH:MM]\" (default: now)."),
        QStringLiteral("TIME"));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print JSON."));
    parser.addOptions({key, side, qty, type, price, trigger, product, validity, ltp, position,
                       margin, maxValue, tag, master, db, at, json});
    parser.addHelpOption();
    if (auto stop = parseCommandLine(parser, command, arguments, Positional::Forbidden))
        return *stop;

    // ---- the request, checked for form before anything is loaded --------------------------
    auto usage = [&command](const QString &message) { return fail(command, message, ExitUsage); };
    for (const QCommandLineOption *required : {&key, &side, &qty}) {
        if (!parser.isSet(*required))
            return usage(QStringLiteral("--%1 is required").arg(required->names().constFirst()));
    }
    OrderRequest request;
    const auto parsedSide = parseSide(parser.value(side).toStdString());
    if (!parsedSide)
        return usage(
            QStringLiteral("--side must be buy or sell, not '%1'").arg(parser.value(side)));
    request.side = *parsedSide;
    const auto parsedType = parseOrderType(parser.value(type).toStdString());
    if (!parsedType) {
        return usage(QStringLiteral("--type must be market, limit, sl or sl-m, not '%1'")
                         .arg(parser.value(type)));
    }
    request.type = *parsedType;
    const auto parsedProduct = parseProduct(parser.value(product).toStdString());
    if (!parsedProduct) {
        return usage(QStringLiteral("--product must be I (intraday) or D (carry forward), not '%1'")
                         .arg(parser.value(product)));
    }
    request.product = *parsedProduct;
    const auto parsedValidity = parseValidity(parser.value(validity).toStdString());
    if (!parsedValidity) {
        return usage(
            QStringLiteral("--validity must be day or ioc, not '%1'").arg(parser.value(validity)));
    }
    request.validity = *parsedValidity;
    bool ok = false;
    request.quantity = parser.value(qty).trimmed().toLongLong(&ok);
    if (!ok)
        return usage(
            QStringLiteral("--qty must be a whole number, not '%1'").arg(parser.value(qty)));
    for (const auto &[option, target] :
         {std::pair{&price, &request.price}, std::pair{&trigger, &request.trigger}}) {
        if (!parser.isSet(*option))
            continue;
        const auto parsed = parsePriceOption(parser.value(*option));
        if (!parsed) {
            return usage(QStringLiteral("--%1 '%2' is not a price in rupees (at most 4 decimals)")
                             .arg(option->names().constFirst(), parser.value(*option)));
        }
        *target = *parsed;
    }
    std::optional<Price> lastPrice;
    if (parser.isSet(ltp)) {
        lastPrice = parsePriceOption(parser.value(ltp));
        if (!lastPrice || !lastPrice->isPositive()) {
            return usage(QStringLiteral("--ltp '%1' is not a positive price in rupees")
                             .arg(parser.value(ltp)));
        }
    }
    AccountSnapshot account;
    const bool useAccount = parser.isSet(position) || parser.isSet(margin);
    std::int64_t netPosition = 0;
    if (parser.isSet(position)) {
        netPosition = parser.value(position).trimmed().toLongLong(&ok);
        if (!ok) {
            return usage(QStringLiteral("--position must be a whole number, not '%1'")
                             .arg(parser.value(position)));
        }
    }
    if (parser.isSet(margin)) {
        const auto parsed = parsePriceOption(parser.value(margin));
        if (!parsed || parsed->isNegative()) {
            return usage(QStringLiteral("--margin '%1' is not an amount in rupees")
                             .arg(parser.value(margin)));
        }
        account.setAvailableMargin(*parsed);
    }
    ValidationLimits limits;
    if (parser.isSet(maxValue)) {
        const auto parsed = parsePriceOption(parser.value(maxValue));
        if (!parsed || parsed->isNegative()) {
            return usage(QStringLiteral("--max-value '%1' is not an amount in rupees")
                             .arg(parser.value(maxValue)));
        }
        limits.maxOrderValue = *parsed;
    }
    request.clientOrderId = parser.value(tag).toStdString();
    IstMoment when = SystemClock().now();
    if (parser.isSet(at)) {
        auto parsed = parseIstMoment(parser.value(at));
        if (!parsed)
            return usage(parsed.error().message);
        when = *parsed;
    }

    // ---- the instruments -------------------------------------------------------------------
    auto snapshot = loadSnapshot(parser, master, db, command);
    if (!snapshot)
        return fail(command, snapshot.error());
    const InstrumentSnapshot &s = **snapshot;
    const std::string wanted = parser.value(key).trimmed().toStdString();
    const auto resolved = s.resolve(wanted);
    request.instrumentKey =
        resolved ? std::string(s.instrument(*resolved).instrumentKey()) : wanted;
    account.setPosition(request.instrumentKey, netPosition);

    std::optional<SingleQuote> market;
    if (lastPrice) {
        Quote q;
        q.last = *lastPrice;
        q.timeMs = when.epochMs;
        market.emplace(request.instrumentKey, q);
    }
    const FixedClock clock(when);
    const OrderValidator validator(clock, limits);
    const Verdict verdict = validator.validate(request, s, market ? &*market : nullptr,
                                               useAccount ? &account : nullptr);

    // ---- the answer --------------------------------------------------------------------------
    const int code = verdict.ok() ? ExitOk : ExitRejected;
    if (parser.isSet(json)) {
        QJsonArray reasons;
        for (const ValidationIssue &i : verdict.issues) {
            reasons.append(QJsonObject{
                {QStringLiteral("code"), str(i.code)},
                {QStringLiteral("severity"), i.severity == IssueSeverity::Error
                                                 ? QStringLiteral("error")
                                                 : QStringLiteral("warning")},
                {QStringLiteral("message"), i.message},
            });
        }
        QJsonArray slices;
        for (const std::int64_t q : verdict.slices)
            slices.append(static_cast<qint64>(q));
        QJsonObject object{
            {QStringLiteral("ok"), verdict.ok()},
            {QStringLiteral("instrumentKey"), QString::fromStdString(request.instrumentKey)},
            {QStringLiteral("afterMarket"), verdict.afterMarket},
            {QStringLiteral("reasons"), reasons},
            {QStringLiteral("slices"), slices},
        };
        if (resolved) {
            object.insert(QStringLiteral("tradingSymbol"),
                          str(s.instrument(*resolved).tradingSymbol()));
        }
        out() << QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Indented));
        out().flush();
        return code;
    }

    QTextStream &o = out();
    o << (resolved ? str(s.instrument(*resolved).tradingSymbol()) : QString::fromStdString(wanted))
      << "  " << str(sideName(request.side)) << ' ' << request.quantity << ' '
      << str(orderTypeName(request.type));
    if (!request.trigger.isZero())
        o << " trigger " << request.trigger.toQString(2);
    if (!request.price.isZero())
        o << " @ " << request.price.toQString(2);
    o << "  " << str(productName(request.product)) << ' ' << str(validityName(request.validity))
      << "  at " << when.toString() << '\n';
    if (verdict.ok()) {
        o << "OK";
        if (verdict.slices.size() > 1) {
            QStringList parts;
            for (const std::int64_t q : verdict.slices)
                parts << QString::number(q);
            o << ": sliced into " << verdict.slices.size() << " orders (" << parts.join(u" + ")
              << ")";
        }
        o << '\n';
    } else {
        o << "REJECTED\n";
    }
    for (const ValidationIssue &i : verdict.issues) {
        o << "  " << (i.severity == IssueSeverity::Error ? "error  " : "warning") << "  "
          << str(i.code) << ": " << i.message << '\n';
    }
    o.flush();
    return code;
}

} // namespace strikeline::cli
