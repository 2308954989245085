// validate and order: one order described on the command line, checked by the pre-trade
// validator (validate) or placed through the order service and the paper broker (order).
// Both read the same options into the same OrderRequest (readOrderInput) and print the
// validator's findings the same way.

#include "CliCommon.h"
#include "OrderDesk.h"
#include "instruments/InstrumentQueries.h"
#include "instruments/InstrumentRepository.h"
#include "marketdata/MarketData.h"
#include "marketdata/SimulatedMarket.h"
#include "orders/AccountView.h"
#include "orders/ContractValue.h"
#include "orders/KillSwitch.h"
#include "orders/OrderJournal.h"
#include "orders/OrderJson.h"
#include "orders/OrderService.h"
#include "orders/OrderValidator.h"
#include "orders/PaperGateway.h"
#include "storage/Database.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLockFile>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QSysInfo>
#include <QTemporaryFile>
#include <QThread>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <optional>

namespace strikeline::cli {

namespace {

// How long `order` waits for its events to reach the journal and the database before it says
// the database is behind (the journal still holds them: the next start stores them).
constexpr std::chrono::seconds PersistTimeout{30};
// How long `order` waits for another `order` run on the same journal folder to finish.

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

// The days --at may name: the journal's sequences need a day on or after 1970-01-01, and a
// trading day far outside these years is a typo.
constexpr int FirstAtYear = 2000;
constexpr int LastAtYear = 2099;

// The options that describe one order, shared by validate and order.
struct OrderOptions
{
    QCommandLineOption key{QStringLiteral("key"),
                           QStringLiteral("instrument_key (NSE_FO|41915) or trading symbol."),
                           QStringLiteral("K")};
    QCommandLineOption side{QStringLiteral("side"), QStringLiteral("buy or sell."),
                            QStringLiteral("SIDE")};
    QCommandLineOption qty{
        QStringLiteral("qty"),
        QStringLiteral("Quantity: units (a multiple of the lot), or lots on MCX."),
        QStringLiteral("N")};
    QCommandLineOption type{QStringLiteral("type"),
                            QStringLiteral("market, limit, sl or sl-m (default limit)."),
                            QStringLiteral("TYPE"), QStringLiteral("limit")};
    QCommandLineOption price{QStringLiteral("price"),
                             QStringLiteral("Limit price (limit and sl orders)."),
                             QStringLiteral("P")};
    QCommandLineOption trigger{QStringLiteral("trigger"),
                               QStringLiteral("Stop trigger price (sl and sl-m orders)."),
                               QStringLiteral("T")};
    QCommandLineOption product{QStringLiteral("product"),
                               QStringLiteral("I (intraday) or D (carry forward; default)."),
                               QStringLiteral("I|D"), QStringLiteral("D")};
    QCommandLineOption validity{QStringLiteral("validity"), QStringLiteral("day (default) or ioc."),
                                QStringLiteral("V"), QStringLiteral("day")};
    QCommandLineOption ltp{QStringLiteral("ltp"),
                           QStringLiteral("The contract's last price; enables the stop-side and "
                                          "limit-price-protection checks."),
                           QStringLiteral("P")};
    QCommandLineOption position{
        QStringLiteral("position"),
        QStringLiteral("Your net open quantity in this contract (negative = short)."),
        QStringLiteral("N")};
    QCommandLineOption margin{QStringLiteral("margin"),
                              QStringLiteral("Available margin in rupees (enables the estimated "
                                             "margin check)."),
                              QStringLiteral("RUPEES")};
    QCommandLineOption maxValue{
        QStringLiteral("max-value"),
        QStringLiteral("Largest order value in rupees (default 50000000, 0 = no limit)."),
        QStringLiteral("RUPEES")};
    QCommandLineOption tag{QStringLiteral("tag"),
                           QStringLiteral("Client order id (Upstox tag, max 20 chars)."),
                           QStringLiteral("TAG")};
    QCommandLineOption master{QStringLiteral("master"),
                              QStringLiteral("Read this master file instead of the database."),
                              QStringLiteral("FILE")};
    QCommandLineOption db{QStringLiteral("db"),
                          QStringLiteral("Database URL (default: the embedded SQLite)."),
                          QStringLiteral("URL")};
    QCommandLineOption at{
        QStringLiteral("at"),
        QStringLiteral("The order's time in IST, \"YYYY-MM-DD[ HH:MM]\" (default: now)."),
        QStringLiteral("TIME")};
    QCommandLineOption json{QStringLiteral("json"), QStringLiteral("Print JSON.")};

    void addTo(QCommandLineParser &parser) const
    {
        parser.addOptions({key, side, qty, type, price, trigger, product, validity, ltp, position,
                           margin, maxValue, tag, master, db, at, json});
    }
};

// One order as the command line describes it, checked for form; nothing is loaded yet.
struct OrderInput
{
    OrderRequest request; // instrumentKey: as typed until resolveContract()
    std::optional<Price> lastPrice;
    std::int64_t netPosition = 0;
    bool useAccount = false; // --position or --margin given
    AccountSnapshot account; // the margin; the position joins in resolveContract()
    ValidationLimits limits;
    std::optional<IstMoment> at;
};

Error usageError(const QString &message)
{
    return Error::make(ErrorCode::InvalidArgument, message);
}

// Reads the shared options. A malformed one is an InvalidArgument error (a usage error).
Result<OrderInput> readOrderInput(const QCommandLineParser &parser, const OrderOptions &o)
{
    for (const QCommandLineOption *required : {&o.key, &o.side, &o.qty}) {
        if (!parser.isSet(*required))
            return usageError(
                QStringLiteral("--%1 is required").arg(required->names().constFirst()));
    }
    OrderInput in;
    OrderRequest &request = in.request;
    const auto parsedSide = parseSide(parser.value(o.side).toStdString());
    if (!parsedSide)
        return usageError(
            QStringLiteral("--side must be buy or sell, not '%1'").arg(parser.value(o.side)));
    request.side = *parsedSide;
    const auto parsedType = parseOrderType(parser.value(o.type).toStdString());
    if (!parsedType) {
        return usageError(QStringLiteral("--type must be market, limit, sl or sl-m, not '%1'")
                              .arg(parser.value(o.type)));
    }
    request.type = *parsedType;
    const auto parsedProduct = parseProduct(parser.value(o.product).toStdString());
    if (!parsedProduct) {
        return usageError(
            QStringLiteral("--product must be I (intraday) or D (carry forward), not '%1'")
                .arg(parser.value(o.product)));
    }
    request.product = *parsedProduct;
    const auto parsedValidity = parseValidity(parser.value(o.validity).toStdString());
    if (!parsedValidity) {
        return usageError(QStringLiteral("--validity must be day or ioc, not '%1'")
                              .arg(parser.value(o.validity)));
    }
    request.validity = *parsedValidity;
    bool ok = false;
    const QString qtyText = parser.value(o.qty).trimmed();
    request.quantity = qtyText.toLongLong(&ok);
    static const QRegularExpression wholeNumber(QStringLiteral(R"(^[+-]?\d+$)"));
    if ((!ok && wholeNumber.match(qtyText).hasMatch()) ||
        (ok && request.quantity > MaxOrderQuantity))
        return usageError(QStringLiteral("--qty %1 is above %2, more than any exchange accepts "
                                         "in one order")
                              .arg(qtyText)
                              .arg(MaxOrderQuantity));
    if (!ok)
        return usageError(
            QStringLiteral("--qty must be a whole number, not '%1'").arg(parser.value(o.qty)));
    for (const auto &[option, target] :
         {std::pair{&o.price, &request.price}, std::pair{&o.trigger, &request.trigger}}) {
        if (!parser.isSet(*option))
            continue;
        auto parsed = readOrderPrice(option->names().constFirst(), parser.value(*option));
        if (!parsed)
            return parsed.error();
        *target = *parsed;
    }
    if (parser.isSet(o.ltp)) {
        in.lastPrice = parsePriceOption(parser.value(o.ltp));
        if (!in.lastPrice || !in.lastPrice->isPositive()) {
            return usageError(QStringLiteral("--ltp '%1' is not a positive price in rupees")
                                  .arg(parser.value(o.ltp)));
        }
    }
    in.useAccount = parser.isSet(o.position) || parser.isSet(o.margin);
    if (parser.isSet(o.position)) {
        in.netPosition = parser.value(o.position).trimmed().toLongLong(&ok);
        if (!ok) {
            return usageError(QStringLiteral("--position must be a whole number, not '%1'")
                                  .arg(parser.value(o.position)));
        }
    }
    if (parser.isSet(o.margin)) {
        const auto parsed = Money::parse(parser.value(o.margin).trimmed().toStdString());
        if (!parsed || parsed->isNegative()) {
            return usageError(QStringLiteral("--margin '%1' is not an amount in rupees")
                                  .arg(parser.value(o.margin)));
        }
        in.account.setAvailableMargin(*parsed);
    }
    if (parser.isSet(o.maxValue)) {
        const auto parsed = Money::parse(parser.value(o.maxValue).trimmed().toStdString());
        if (!parsed || parsed->isNegative()) {
            return usageError(QStringLiteral("--max-value '%1' is not an amount in rupees")
                                  .arg(parser.value(o.maxValue)));
        }
        in.limits.maxOrderValue = *parsed;
    }
    request.clientOrderId = parser.value(o.tag).toStdString();
    request.instrumentKey = parser.value(o.key).trimmed().toStdString();
    if (request.instrumentKey.size() > MaxInstrumentKeyLength) {
        return usageError(QStringLiteral("--key is %1 characters long; an instrument_key or "
                                         "trading symbol has at most %2")
                              .arg(request.instrumentKey.size())
                              .arg(MaxInstrumentKeyLength));
    }
    if (parser.isSet(o.at)) {
        auto parsed = parseIstMoment(parser.value(o.at));
        if (!parsed)
            return usageError(parsed.error().message);
        const int year = toQDate(parsed->day()).year();
        if (year < FirstAtYear || year > LastAtYear) {
            return usageError(QStringLiteral("--at '%1' is outside the years %2-%3")
                                  .arg(parser.value(o.at))
                                  .arg(FirstAtYear)
                                  .arg(LastAtYear));
        }
        in.at = *parsed;
    }
    return in;
}

// Turns a trading symbol into the contract's instrument_key (an unknown key is left as typed:
// the validator names it) and puts --position on that key.
std::optional<InstrumentId> resolveContract(const InstrumentSnapshot &snapshot, OrderInput &in)
{
    const auto resolved = snapshot.resolve(in.request.instrumentKey);
    if (resolved)
        in.request.instrumentKey = std::string(snapshot.instrument(*resolved).instrumentKey());
    in.account.setPosition(in.request.instrumentKey, in.netPosition);
    return resolved;
}

Result<SnapshotPtr> loadOrderInstruments(const QCommandLineParser &parser, const OrderOptions &o,
                                         const QString &command)
{
    return loadDeskInstruments(parser, o.master, o.db, command);
}

// The market --ltp describes (after resolveContract), or none.
std::optional<SingleQuote> lastPriceQuote(const OrderInput &in, IstMoment when)
{
    if (!in.lastPrice)
        return std::nullopt;
    Quote q;
    q.last = *in.lastPrice;
    q.timeMs = when.epochMs;
    return SingleQuote(in.request.instrumentKey, q);
}

// "NIFTY 26000 CE 16 DEC 25  BUY 150 LIMIT @ 101.05  D DAY  at 2025-12-09 10:00 IST"
void printOrderLine(QTextStream &o, const QString &symbol, const OrderRequest &request,
                    IstMoment when)
{
    o << symbol << "  " << str(sideName(request.side)) << ' ' << request.quantity << ' '
      << str(orderTypeName(request.type));
    if (!request.trigger.isZero())
        o << " trigger " << request.trigger.toQString(2);
    if (!request.price.isZero())
        o << " @ " << request.price.toQString(2);
    o << "  " << str(productName(request.product)) << ' ' << str(validityName(request.validity))
      << "  at " << when.toString() << '\n';
}

void printOrderLine(QTextStream &o, const InstrumentSnapshot &s,
                    const std::optional<InstrumentId> &resolved, const OrderRequest &request,
                    IstMoment when)
{
    printOrderLine(
        o, resolved ? str(s.instrument(*resolved).tradingSymbol()) : str(request.instrumentKey),
        request, when);
}

void printIssues(QTextStream &o, const std::vector<ValidationIssue> &issues)
{
    for (const ValidationIssue &i : issues) {
        o << "  " << (i.severity == IssueSeverity::Error ? "error  " : "warning") << "  "
          << str(i.code) << ": " << i.message << '\n';
    }
}

QString slicesText(const std::vector<std::int64_t> &slices)
{
    QStringList parts;
    for (const std::int64_t q : slices)
        parts << QString::number(q);
    return parts.join(u" + ");
}

QJsonArray reasonsJson(const std::vector<ValidationIssue> &issues)
{
    return issuesJson(issues);
}

QJsonArray quantitiesJson(const std::vector<std::int64_t> &slices)
{
    QJsonArray array;
    for (const std::int64_t q : slices)
        array.append(static_cast<qint64>(q));
    return array;
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
    const OrderOptions options;
    options.addTo(parser);
    parser.addHelpOption();
    if (auto stop = parseCommandLine(parser, command, arguments, Positional::Forbidden))
        return *stop;

    // ---- the request, checked for form before anything is loaded --------------------------
    auto input = readOrderInput(parser, options);
    if (!input)
        return fail(command, input.error());
    OrderInput &in = *input;
    const IstMoment when = in.at.value_or(SystemClock().now());

    // ---- the instruments -------------------------------------------------------------------
    auto snapshot = loadSnapshot(parser, options.master, options.db, command);
    if (!snapshot)
        return fail(command, snapshot.error());
    const InstrumentSnapshot &s = **snapshot;
    const auto resolved = resolveContract(s, in);
    const OrderRequest &request = in.request;

    const std::optional<SingleQuote> market = lastPriceQuote(in, when);
    const FixedClock clock(when);
    OrderValidator validator(clock, in.limits);
    KillSwitch killSwitch;
    killSwitch.set(haltStateFromFile(command));
    validator.setKillSwitch(&killSwitch);
    const Verdict verdict = validator.validate(request, s, market ? &*market : nullptr,
                                               in.useAccount ? &in.account : nullptr);

    // ---- the answer --------------------------------------------------------------------------
    const int code = verdict.ok() ? ExitOk : ExitRejected;
    if (parser.isSet(options.json)) {
        QJsonObject object{
            {QStringLiteral("ok"), verdict.ok()},
            {QStringLiteral("instrumentKey"), QString::fromStdString(request.instrumentKey)},
            {QStringLiteral("afterMarket"), verdict.afterMarket},
            {QStringLiteral("reasons"), reasonsJson(verdict.issues)},
            {QStringLiteral("slices"), quantitiesJson(verdict.slices)},
        };
        if (resolved) {
            object.insert(QStringLiteral("tradingSymbol"),
                          str(s.instrument(*resolved).tradingSymbol()));
        }
        return printJson(object, code);
    }

    QTextStream &o = out();
    printOrderLine(o, s, resolved, request, when);
    if (verdict.ok()) {
        o << "OK";
        if (verdict.slices.size() > 1) {
            o << ": sliced into " << verdict.slices.size() << " orders ("
              << slicesText(verdict.slices) << ")";
        }
        o << '\n';
    } else {
        o << "REJECTED\n";
    }
    printIssues(o, verdict.issues);
    o.flush();
    return code;
}

namespace {

// What `order` prints: the service's outcome and the book's row after the fills.
struct OrderAnswer
{
    bool ok = false;
    bool duplicate = false;
    std::string clientOrderId;
    // The order answered about: the one placed, or for a duplicate the one placed before.
    OrderRequest request;
    QString tradingSymbol;
    std::int64_t createdAtMs = 0;
    OrderStatus status = OrderStatus::Rejected;
    std::vector<std::string> brokerOrderIds;
    std::int64_t filledQuantity = 0;
    Price averagePrice;
    std::optional<Money> filledValue;    // average x filled x qty_multiplier (ContractValue.h)
    std::int64_t quantity = 0;           // the order's (0 when it was refused before the book)
    std::vector<ValidationIssue> issues; // the validator's, or one for a broker rejection
    std::vector<OrderState> children;    // a sliced order's slices
    QString reason;                      // why it was rejected or cancelled
    QString persistedTo;                 // the redacted database URL, once stored
    Venue venue = Venue::Paper;
};

// A live order sent whose answer never came (still Sent after the wait) or that the broker's
// history does not have (Lost): neither placed nor refused as far as anyone knows.
bool unresolved(OrderStatus status)
{
    return status == OrderStatus::Sent || status == OrderStatus::Lost;
}

QJsonObject answerJson(const OrderAnswer &a)
{
    QJsonArray brokerIds;
    for (const std::string &id : a.brokerOrderIds)
        brokerIds.append(QString::fromStdString(id));
    std::vector<std::int64_t> quantities;
    QJsonArray children;
    if (a.children.empty() && a.status != OrderStatus::Rejected && a.quantity > 0)
        quantities.push_back(a.quantity); // as validate says it: one order, not sliced
    for (const OrderState &c : a.children) {
        quantities.push_back(c.request.quantity);
        children.append(QJsonObject{
            {QStringLiteral("client_order_id"), QString::fromStdString(c.clientOrderId)},
            {QStringLiteral("quantity"), static_cast<qint64>(c.request.quantity)},
            {QStringLiteral("status"), str(orderStatusName(c.status))},
            {QStringLiteral("broker_order_id"),
             c.brokerOrderIds.empty() ? QJsonValue()
                                      : QString::fromStdString(c.brokerOrderIds.front())},
            {QStringLiteral("filled_quantity"), static_cast<qint64>(c.filledQuantity)},
        });
    }
    return QJsonObject{
        {QStringLiteral("ok"), a.ok},
        {QStringLiteral("duplicate"), a.duplicate},
        {QStringLiteral("client_order_id"),
         a.clientOrderId.empty() ? QJsonValue() : QString::fromStdString(a.clientOrderId)},
        {QStringLiteral("side"), str(sideName(a.request.side))},
        {QStringLiteral("instrument_key"), QString::fromStdString(a.request.instrumentKey)},
        {QStringLiteral("trading_symbol"),
         a.tradingSymbol.isEmpty() ? QJsonValue() : QJsonValue(a.tradingSymbol)},
        {QStringLiteral("quantity"), static_cast<qint64>(a.request.quantity)},
        {QStringLiteral("order_type"), str(orderTypeName(a.request.type))},
        {QStringLiteral("price"),
         a.request.price.isZero() ? QJsonValue() : QJsonValue(a.request.price.toDouble())},
        {QStringLiteral("status"), str(orderStatusName(a.status))},
        {QStringLiteral("broker_order_ids"), brokerIds},
        {QStringLiteral("filled_quantity"), static_cast<qint64>(a.filledQuantity)},
        {QStringLiteral("average_price"),
         a.filledQuantity > 0 ? QJsonValue(a.averagePrice.toDouble()) : QJsonValue()},
        {QStringLiteral("filled_value"),
         a.filledValue ? QJsonValue(a.filledValue->toDouble()) : QJsonValue()},
        {QStringLiteral("reasons"), reasonsJson(a.issues)},
        {QStringLiteral("reason"), a.reason.isEmpty() ? QJsonValue() : QJsonValue(a.reason)},
        {QStringLiteral("slices"), quantitiesJson(quantities)},
        {QStringLiteral("children"), children},
        {QStringLiteral("persisted_to"),
         a.persistedTo.isEmpty() ? QJsonValue() : QJsonValue(a.persistedTo)},
        {QStringLiteral("venue"), str(venueName(a.venue))},
        {QStringLiteral("simulated"), a.venue == Venue::Paper},
    };
}

void printAnswer(QTextStream &o, const OrderAnswer &a)
{
    if (a.duplicate) {
        o << "DUPLICATE: nothing new was placed. Client order id " << str(a.clientOrderId)
          << " is already today's order:\n  order       ";
        printOrderLine(o, a.tradingSymbol, a.request, IstMoment{a.createdAtMs});
    } else if (unresolved(a.status)) {
        o << (a.status == OrderStatus::Lost ? "LOST" : "NO ANSWER YET")
          << " (Upstox, LIVE): client order id " << str(a.clientOrderId)
          << " was sent; it is looked up by this tag and never sent again. Check Upstox's order "
             "book before placing it again\n";
    } else if (a.ok) {
        if (a.venue == Venue::Upstox)
            o << "ACCEPTED (Upstox, LIVE): client order id " << str(a.clientOrderId) << '\n';
        else
            o << "ACCEPTED (paper broker, simulated prices): client order id "
              << str(a.clientOrderId) << '\n';
    } else {
        o << "REJECTED";
        if (!a.clientOrderId.empty())
            o << ": client order id " << str(a.clientOrderId);
        o << '\n';
    }
    if (!a.clientOrderId.empty() && (a.ok || a.duplicate || !a.brokerOrderIds.empty())) {
        o << "  status      " << str(orderStatusName(a.status)) << '\n';
        QStringList ids;
        for (const std::string &id : a.brokerOrderIds)
            ids << QString::fromStdString(id);
        o << "  broker ids  " << (ids.isEmpty() ? QStringLiteral("(none)") : ids.join(u", "))
          << '\n';
        o << "  filled      " << a.filledQuantity;
        if (a.filledQuantity > 0)
            o << " @ " << a.averagePrice.toQString(2);
        o << '\n';
        if (a.filledValue)
            o << "  value       Rs " << a.filledValue->toIndian(2) << '\n';
        if ((a.status == OrderStatus::Cancelled || a.status == OrderStatus::Acknowledged ||
             unresolved(a.status)) &&
            !a.reason.isEmpty())
            o << "  reason      " << a.reason << '\n'; // an after-market order's note too
    }
    if (!a.children.empty()) {
        std::vector<std::int64_t> quantities;
        for (const OrderState &c : a.children)
            quantities.push_back(c.request.quantity);
        o << "  sliced into " << a.children.size() << " orders (" << slicesText(quantities)
          << ")\n";
        for (const OrderState &c : a.children) {
            o << "    " << str(c.clientOrderId) << "  " << c.request.quantity << "  "
              << str(orderStatusName(c.status)) << "  "
              << (c.brokerOrderIds.empty() ? QStringLiteral("-")
                                           : QString::fromStdString(c.brokerOrderIds.front()))
              << '\n';
        }
    }
    printIssues(o, a.issues);
    if (!a.persistedTo.isEmpty())
        o << "persisted to " << a.persistedTo << '\n';
}

// Whether an order stopped (rejected by the validator or the broker) or stands.
bool standing(OrderStatus status)
{
    return status != OrderStatus::Rejected;
}

} // namespace

int runOrder(const QStringList &arguments)
{
    const QString command = QStringLiteral("order");
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Places one order: the same checks as validate, then the order journal "
                       "(on disk before it is sent), the broker (the paper broker, or Upstox with "
                       "--live), and the database.\n"
                       "Exit codes: 0 placed, 1 data or I/O error (journal, database, network, an "
                       "answer that did not come), 2 usage, 3 rejected, 4 nothing placed: this "
                       "--tag is already today's order."));
    const OrderOptions options;
    options.addTo(parser);
    const QCommandLineOption paper(QStringLiteral("paper"),
                                   QStringLiteral("Trade on paper: the in-process broker at "
                                                  "simulated prices."));
    const QCommandLineOption liveOption(
        QStringLiteral("live"),
        QStringLiteral("Trade for real through Upstox, on the daily session (strikeline-cli "
                       "login). Prices are then only what --ltp says: never simulated ones."));
    const QCommandLineOption journal(
        QStringLiteral("journal"),
        QStringLiteral("The order journal's folder (default: the app-data folder's journal/)."),
        QStringLiteral("DIR"));
    const QCommandLineOption spot(
        QStringLiteral("spot"),
        QStringLiteral("The simulated level of the contract's underlying (default: the median "
                       "strike of its nearest expiry)."),
        QStringLiteral("P"));
    parser.addOptions({paper, liveOption, journal, spot});
    parser.addHelpOption();
    if (auto stop = parseCommandLine(parser, command, arguments, Positional::Forbidden))
        return *stop;

    // ---- the request, checked for form before anything is loaded or written ---------------
    // Where an order goes is never implied: real money is one flag away from paper.
    if (parser.isSet(paper) == parser.isSet(liveOption))
        return fail(command,
                    QStringLiteral("say where the order goes: --paper (the paper broker, "
                                   "simulated prices) or --live (Upstox, for real)"),
                    ExitUsage);
    const bool live = parser.isSet(liveOption);
    auto input = readOrderInput(parser, options);
    if (!input)
        return fail(command, input.error());
    OrderInput &in = *input;
    in.request.venue = live ? Venue::Upstox : Venue::Paper;
    const std::string &tag = in.request.clientOrderId;
    if (!tag.empty() && !isValidClientOrderId(tag)) {
        return fail(command,
                    QStringLiteral("--tag '%1' must be 1-%2 characters of A-Z a-z 0-9 - _ .")
                        .arg(QString::fromStdString(tag))
                        .arg(MaxClientOrderIdLength),
                    ExitUsage);
    }
    if (!tag.empty() && isReservedForSlices(tag)) {
        return fail(command,
                    QStringLiteral("--tag '%1' ends in \".NN\", which names the slices of a sliced "
                                   "order (<parent>.01 ...): choose a tag that does not end in a "
                                   "dot and two digits")
                        .arg(QString::fromStdString(tag)),
                    ExitUsage);
    }
    std::optional<Price> spotLevel;
    if (parser.isSet(spot)) {
        if (live) {
            return fail(command,
                        QStringLiteral("--spot sets a simulated price, which a live order never "
                                       "uses: give --ltp, the contract's last price"),
                        ExitUsage);
        }
        if (in.lastPrice) {
            return fail(command,
                        QStringLiteral("give --ltp (the contract's price) or --spot (its "
                                       "underlying's level), not both"),
                        ExitUsage);
        }
        auto parsed = parseSpotPrice(parser.value(spot), QStringLiteral("--spot"));
        if (!parsed)
            return fail(command, parsed.error());
        spotLevel = *parsed;
    }
    const QString journalDirectory =
        parser.isSet(journal) ? parser.value(journal) : defaultJournalDirectory();
    if (journalDirectory.trimmed().isEmpty())
        return fail(command, QStringLiteral("--journal needs a folder"), ExitUsage);
    auto database = databaseConfig(parser, options.db);
    if (!database)
        return fail(command, database.error());

    // ---- the instruments, the market, the broker ------------------------------------------
    auto snapshot = loadOrderInstruments(parser, options, command);
    if (!snapshot)
        return fail(command, snapshot.error());
    const InstrumentSnapshot &s = **snapshot;
    const auto resolved = resolveContract(s, in);

    // Paper runs at --at exactly (repeatable); a live order's time moves on from it, as the
    // broker's does (the simulator's --at).
    const SystemClock systemClock;
    std::optional<FixedClock> fixedClock;
    std::optional<ShiftedClock> shiftedClock;
    if (in.at && live)
        shiftedClock.emplace(*in.at);
    else if (in.at)
        fixedClock.emplace(*in.at);
    const Clock &clock = fixedClock     ? static_cast<const Clock &>(*fixedClock)
                         : shiftedClock ? static_cast<const Clock &>(*shiftedClock)
                                        : systemClock;

    InstrumentRepository repository;
    repository.publish(*snapshot);
    SimulatedMarket simulated(repository, clock);
    if (spotLevel && resolved)
        simulated.setUnderlyingPrice(s.instrument(*resolved).underlyingSymbol(), *spotLevel);
    const std::optional<SingleQuote> single = lastPriceQuote(in, clock.now());
    const MarketData &market = single ? static_cast<const MarketData &>(*single)
                                      : static_cast<const MarketData &>(simulated);
    // What the validator sees: a live order is checked against the trader's --ltp or against
    // no price, never against the simulated market.
    const MarketData *checkedMarket = live && !single ? nullptr : &market;
    OrderValidator validator(clock, in.limits);
    KillSwitch killSwitch;
    killSwitch.set(haltStateFromFile(command));
    validator.setKillSwitch(&killSwitch);
    // As in the terminal: the account is the positions the journal's fills make (none until
    // the journal is open below) unless --position / --margin describe it.
    const OrderService *journaled = nullptr;
    auto validate = [&](const OrderRequest &request) {
        AccountSnapshot brokerAccount;
        for (const Position &p :
             journaled ? journaled->positions(nullptr, request.venue) : std::vector<Position>())
            brokerAccount.setPosition(p.instrumentKey, p.netQuantity);
        return validator.validate(request, s, checkedMarket,
                                  in.useAccount ? static_cast<const AccountView *>(&in.account)
                                                : &brokerAccount);
    };

    const bool json = parser.isSet(options.json);
    auto answer = [&](const OrderAnswer &a, int code) {
        if (json)
            return printJson(answerJson(a), code);
        QTextStream &o = out();
        if (!a.duplicate) // a duplicate shows the order placed before, not this request
            printOrderLine(o, s, resolved, in.request, clock.now());
        printAnswer(o, a);
        o.flush();
        return code;
    };

    // ---- refused in RAM: nothing is written ------------------------------------------------
    // An order the validator refuses is answered before the journal or the database is
    // opened, unless its --tag may already be in today's journal: then the service decides
    // (a duplicate answers with the original order, whatever the checks say today).
    const Verdict verdict = validate(in.request);
    const bool tagMayBeKnown =
        !tag.empty() &&
        QFileInfo::exists(OrderJournal::fileFor(journalDirectory, clock.now().day()));
    const QString symbol = resolved ? str(s.instrument(*resolved).tradingSymbol()) : QString();
    if (!verdict.ok() && !tagMayBeKnown) {
        OrderAnswer a;
        a.clientOrderId = tag;
        a.request = in.request;
        a.tradingSymbol = symbol;
        a.issues = verdict.issues;
        return answer(a, ExitRejected);
    }
    if (verdict.ok() && verdict.slices.size() > 1 && !tag.empty()) {
        if (auto child = childClientOrderId(tag, 1); !child) {
            return fail(command,
                        QStringLiteral("--tag '%1' is too long for an order sliced into %2: %3")
                            .arg(QString::fromStdString(tag))
                            .arg(verdict.slices.size())
                            .arg(child.error().message),
                        ExitUsage);
        }
    }

    // ---- the journal, the database, the gateways ---------------------------------------------
    OrderDeskOptions deskOptions;
    deskOptions.journalDirectory = journalDirectory;
    deskOptions.database = *database;
    deskOptions.live = live;
    auto desk = OrderDesk::open(deskOptions, repository, market, clock, validate);
    if (!desk)
        return fail(command, desk.error());
    for (const QString &stale : (*desk)->takenOver())
        err() << "strikeline-cli " << command << ": took over the stale lock " << stale << Qt::endl;
    const QString databaseName = (*desk)->databaseName();
    OrderService &service = (*desk)->service();
    PaperBroker &broker = (*desk)->paper().broker();
    journaled = &service;

    // ---- place it ------------------------------------------------------------------------------
    // A live place whose answer is lost is looked up by its tag (OrderServiceConfig's delays)
    // before it is called lost: wait for that too, never send again.
    auto submitted = service.submit(in.request, live ? LiveAnswerWait : BrokerWait);
    if (!submitted) {
        const Error &e = submitted.error();
        return fail(
            command,
            e.code == ErrorCode::InvalidArgument
                ? e
                : Error::make(e.code, QStringLiteral("order not placed: %1").arg(e.message)));
    }
    const SubmitOutcome &outcome = *submitted;
    if (live && !outcome.duplicate && outcome.status != OrderStatus::Rejected &&
        outcome.status != OrderStatus::Sent && outcome.status != OrderStatus::Lost) {
        // The place answer says only "taken": the book says whether it traded already.
        if (auto fetched = service.reconcileNow(Venue::Upstox, BrokerWait); !fetched)
            err() << "strikeline-cli " << command << ": " << fetched.error().message
                  << "; the status shown is the place answer's" << Qt::endl;
    }
    if (!live && !outcome.duplicate && outcome.status != OrderStatus::Rejected &&
        in.request.type == OrderType::Limit) {
        broker.onPrices(); // a limit that crosses the price fills now, as on the next tick
        service.drain();   // and the fill it reports is applied
    }

    OrderAnswer a;
    a.duplicate = outcome.duplicate;
    a.clientOrderId = outcome.clientOrderId;
    a.issues = outcome.issues;
    a.request = in.request;
    a.tradingSymbol = symbol;
    a.createdAtMs = clock.now().epochMs;
    const std::optional<OrderState> state =
        outcome.clientOrderId.empty() ? std::nullopt : service.order(outcome.clientOrderId);
    if (state) {
        a.request = state->request;
        a.tradingSymbol = QString::fromStdString(state->contract.tradingSymbol);
        a.createdAtMs = state->createdAtMs;
        a.status = state->status;
        a.venue = state->venue;
        a.quantity = state->request.quantity;
        a.brokerOrderIds = state->brokerOrderIds;
        a.filledQuantity = state->filledQuantity;
        a.averagePrice = state->averagePrice;
        if (state->filledQuantity > 0)
            a.filledValue = contractValue(state->averagePrice, state->filledQuantity,
                                          state->contract.qtyMultiplier);
        for (const std::string &child : state->children)
            if (auto c = service.order(child))
                a.children.push_back(*c);
        if (a.brokerOrderIds.empty()) {
            for (const OrderState &c : a.children)
                a.brokerOrderIds.insert(a.brokerOrderIds.end(), c.brokerOrderIds.begin(),
                                        c.brokerOrderIds.end());
        }
    } else {
        a.status = outcome.status;
        a.venue = in.request.venue;
        a.brokerOrderIds = outcome.brokerOrderIds;
    }
    a.ok = standing(a.status) && !unresolved(a.status);
    a.reason = state ? QString::fromStdString(state->reason) : outcome.reason;
    if (!a.ok && !unresolved(a.status) && a.issues.empty() && !a.reason.isEmpty())
        a.issues.push_back({std::string_view("broker_rejected"), IssueSeverity::Error, a.reason});

    // ---- durable and stored ------------------------------------------------------------------
    if (!service.waitPersisted(PersistTimeout)) {
        if (const std::optional<Error> failure = service.journal().failure()) {
            // The order was journaled and sent; what followed (acknowledgement, fills) could not
            // be written. Say what the journal holds, not what the broker answered.
            QStringList ids;
            for (const std::string &id : a.brokerOrderIds)
                ids << QString::fromStdString(id);
            return fail(command,
                        QStringLiteral("order %1 was sent to %4 (broker ids %2), "
                                       "but the journal could not record what followed: %3. The "
                                       "journal holds it as sent and not acknowledged; the next "
                                       "start reports it for reconciliation")
                            .arg(QString::fromStdString(a.clientOrderId),
                                 ids.isEmpty() ? QStringLiteral("none") : ids.join(u", "),
                                 failure->message,
                                 a.venue == Venue::Upstox ? QStringLiteral("Upstox")
                                                          : QStringLiteral("the paper broker")));
        }
        const PersistenceState p = service.persistence();
        answer(a, ExitDataError);
        if (service.persister().conflicted()) {
            return fail(command, QStringLiteral("order %1 is in the journal (%2) but %3 refused "
                                                "it: %4")
                                     .arg(QString::fromStdString(a.clientOrderId), journalDirectory,
                                          databaseName, p.lastError));
        }
        return fail(
            command,
            QStringLiteral("order %1 is in the journal (%2) but not yet stored in %3 "
                           "after %4 s%5; it is stored on the next start")
                .arg(QString::fromStdString(a.clientOrderId), journalDirectory, databaseName)
                .arg(PersistTimeout.count())
                .arg(p.lastError.isEmpty() ? QString() : QStringLiteral(": ") + p.lastError));
    }
    if (state)
        a.persistedTo = databaseName;
    if (a.duplicate)
        return answer(a, ExitDuplicate);
    if (unresolved(a.status))
        return answer(a, ExitDataError);
    return answer(a, a.ok ? ExitOk : ExitRejected);
}

namespace {

int runKillSwitch(const QStringList &arguments, bool halt)
{
    const QString command = halt ? QStringLiteral("halt") : QStringLiteral("resume");
    QCommandLineParser parser;
    parser.setApplicationDescription(
        halt ? QStringLiteral("The kill switch: every new order is refused (exit 3, reason "
                              "trading_halted) here and in the desktop terminal, until "
                              "'strikeline-cli resume'. Open orders stay open unless "
                              "--cancel-all is given (as 'cancel --all' does: paper and Upstox; "
                              "not while the terminal holds the journal: there, Trade > Halt "
                              "trading offers to).")
             : QStringLiteral("Turns the kill switch off: orders are checked and sent again."));
    const QCommandLineOption reason(QStringLiteral("reason"),
                                    QStringLiteral("Why (shown with every refused order)."),
                                    QStringLiteral("TEXT"));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Answer in JSON."));
    const QCommandLineOption cancelAll(
        QStringLiteral("cancel-all"),
        QStringLiteral("Then cancel every working order of today (cancel --all)."));
    // What cancel --all needs, passed on to it.
    const QList<QCommandLineOption> forwarded{
        {QStringLiteral("journal"), QStringLiteral("With --cancel-all: the journal's folder."),
         QStringLiteral("DIR")},
        {QStringLiteral("db"), QStringLiteral("With --cancel-all: the orders' database."),
         QStringLiteral("URL")},
        {QStringLiteral("master"), QStringLiteral("With --cancel-all: the contracts' master."),
         QStringLiteral("FILE")},
        {QStringLiteral("at"), QStringLiteral("With --cancel-all: the time (IST)."),
         QStringLiteral("TIME")},
    };
    if (halt) {
        parser.addOption(reason);
        parser.addOption(cancelAll);
        parser.addOptions(forwarded);
    }
    parser.addOption(json);
    parser.addHelpOption();
    if (auto stop = parseCommandLine(parser, command, arguments, Positional::Forbidden))
        return *stop;
    if (halt && parser.isSet(cancelAll) && parser.isSet(json))
        return fail(command,
                    QStringLiteral("--cancel-all answers in text: for JSON run 'halt --json', "
                                   "then 'cancel --all --json'"),
                    ExitUsage);
    if (halt && !parser.isSet(cancelAll))
        for (const QCommandLineOption &o : forwarded)
            if (parser.isSet(o))
                return fail(command,
                            QStringLiteral("--%1 goes with --cancel-all").arg(o.names().first()),
                            ExitUsage);
    HaltState state;
    state.halted = halt;
    state.by = QStringLiteral("CLI");
    state.sinceMs = SystemClock().now().epochMs;
    if (halt)
        state.reason = parser.value(reason).trimmed();
    const QString path = defaultHaltFile();
    if (auto written = writeHaltState(path, state); !written)
        return fail(command, written.error());
    if (parser.isSet(json))
        return printJson(
            QJsonObject{{QStringLiteral("halted"), halt},
                        {QStringLiteral("reason"), state.reason},
                        {QStringLiteral("since_ms"), static_cast<double>(state.sinceMs)},
                        {QStringLiteral("file"), path}},
            ExitOk);
    out() << (halt ? haltedMessage(state) : QStringLiteral("Trading resumed.")) << Qt::endl;
    if (halt && parser.isSet(cancelAll)) {
        QStringList cancelArguments{QStringLiteral("--all")};
        for (const QCommandLineOption &o : forwarded)
            if (parser.isSet(o))
                cancelArguments << QStringLiteral("--") + o.names().first() << parser.value(o);
        return runCancel(cancelArguments);
    }
    return ExitOk;
}

} // namespace

int runHalt(const QStringList &arguments)
{
    return runKillSwitch(arguments, true);
}

int runResume(const QStringList &arguments)
{
    return runKillSwitch(arguments, false);
}

} // namespace strikeline::cli
