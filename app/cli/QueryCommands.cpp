// search, chain and info: answered from an in-memory snapshot of the master.

#include "CliCommon.h"
#include "common/Logging.h"
#include "instruments/InstrumentJson.h"
#include "instruments/InstrumentQueries.h"
#include "instruments/InstrumentSnapshot.h"
#include "instruments/MasterReader.h"
#include "storage/Database.h"
#include "sync/FirstRun.h"
#include "sync/Hydrator.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QJsonDocument>
#include <QStandardPaths>

#include <optional>

namespace strikeline::cli {

namespace {

QString str(std::string_view s)
{
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

// Options every query command shares.
struct CommonOptions
{
    QCommandLineOption master{QStringLiteral("master"),
                              QStringLiteral("Read this master file (json.gz, json, csv.gz) "
                                             "instead of the database."),
                              QStringLiteral("FILE")};
    QCommandLineOption db{QStringLiteral("db"),
                          QStringLiteral("Database URL: sqlite:///path/file.db or "
                                         "postgresql://user@host:port/db (default: the embedded "
                                         "SQLite database)."),
                          QStringLiteral("URL")};
    QCommandLineOption at{
        QStringLiteral("at"),
        QStringLiteral("As-of time in IST, \"YYYY-MM-DD[ HH:MM]\" (default: now)."),
        QStringLiteral("TIME")};
    QCommandLineOption json{QStringLiteral("json"), QStringLiteral("Print JSON for scripts.")};
    QCommandLineOption includeExpired{QStringLiteral("include-expired"),
                                      QStringLiteral("Also show contracts already expired.")};

    void addTo(QCommandLineParser &parser)
    {
        parser.addOptions({master, db, at, json, includeExpired});
        parser.addHelpOption();
    }
};

struct Context
{
    SnapshotPtr snapshot;
    IstMoment asOf;
    EpochDay today = NoDay;
    bool json = false;
    bool includeExpired = false;
};

Result<SnapshotPtr> loadMasterFile(const QString &path, const QString &command)
{
    SnapshotBuilder builder;
    builder.reserve(130000);
    auto read =
        readMasterFile(path, [&builder](InstrumentRecord &&r) { builder.add(std::move(r)); });
    if (!read)
        return read.error();
    if (read->rowsSkipped > 0) {
        err() << "strikeline-cli " << command << ": warning: skipped " << read->rowsSkipped
              << " invalid row(s) of " << read->rowsRead
              << "; first: " << read->issues.front().toString() << Qt::endl;
    }
    MasterInfo info;
    info.source = path;
    info.description = QFileInfo(path).fileName();
    BuildReport report;
    SnapshotPtr snapshot = builder.build(info, &report);
    if (report.duplicateKeys > 0) {
        err() << "strikeline-cli " << command << ": warning: " << report.duplicateKeys
              << " row(s) repeat an instrument_key already seen, e.g. "
              << QString::fromStdString(report.duplicateExamples.front());
        if (report.conflictingKeys > 0) {
            err() << "; " << report.conflictingKeys
                  << " key(s) are listed with different data and were left out (which row is "
                     "right cannot be told), e.g. "
                  << QString::fromStdString(report.conflictingExamples.front());
        } else {
            err() << " (the same rows again: counted once)";
        }
        err() << Qt::endl;
    }
    return snapshot;
}

// The embedded default database on a fresh install is empty: like the desktop, import the
// generated demo master (sync/FirstRun.h) so the first search answers offline at once.
Result<void> ensureDefaultMaster(Database &db, const QString &command)
{
    FirstRunOptions options;
    options.dataDir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    options.today = SystemClock().now().day(); // the demo is "now", whatever --at says
    options.stage = [&command](FirstRunStage stage) {
        if (stage == FirstRunStage::GeneratingDemo)
            err() << "strikeline-cli " << command
                  << ": the default database is empty: generating the demo master ("
                  << DemoMasterRows << " rows) ..." << Qt::endl;
    };
    auto ensured = ensureMaster(db, options);
    if (!ensured)
        return ensured.error();
    if (ensured->importedDemo) {
        err() << "strikeline-cli " << command << ": imported the demo master ("
              << ensured->activeRows << " instruments) into " << db.config().redacted() << Qt::endl;
    }
    return success();
}

Result<SnapshotPtr> loadDatabase(const DatabaseConfig &config, bool isDefault,
                                 const QString &command)
{
    // Only the embedded default database is made on first use (with the demo master, as the
    // desktop does); a database named with --db must exist: a query never creates one.
    auto db = Database::open(config, QStringLiteral("cli"),
                             isDefault ? Database::OpenMode::Create : Database::OpenMode::Existing);
    if (!db)
        return db.error();
    if (isDefault) {
        if (auto ensured = ensureDefaultMaster(**db, command); !ensured)
            return ensured.error();
    }
    auto hydrated = hydrate(**db);
    if (!hydrated)
        return hydrated.error();
    if (hydrated->rows == 0) {
        return Error::make(ErrorCode::NotFound,
                           QStringLiteral("the database %1 holds no instruments yet: run "
                                          "'strikeline-cli sync' (or pass --master FILE)")
                               .arg(config.redacted()));
    }
    if (hydrated->snapshot->info().demo) {
        err() << "strikeline-cli " << command
              << ": using DEMO DATA (generated instruments, not a real master) until a real "
                 "sync: run 'strikeline-cli sync'"
              << Qt::endl;
    }
    return hydrated->snapshot;
}

} // namespace

Result<DatabaseConfig> databaseConfig(const QCommandLineParser &parser,
                                      const QCommandLineOption &option)
{
    if (!parser.isSet(option))
        return DatabaseConfig::defaultSqlite();
    auto config = DatabaseConfig::parse(parser.value(option));
    if (config) {
        logging::addSecret(config->password);      // whatever prints it later, the log will not
        logging::addShownText(config->redacted()); // ... yet its host and database stay
    }
    return config;
}

Result<SnapshotPtr> loadSnapshot(const QCommandLineParser &parser, const QCommandLineOption &master,
                                 const QCommandLineOption &db, const QString &command)
{
    if (parser.isSet(master) && parser.isSet(db)) {
        return Error::make(ErrorCode::InvalidArgument,
                           QStringLiteral("give either --master FILE or --db URL, not both"));
    }
    if (parser.isSet(master))
        return loadMasterFile(parser.value(master), command);
    auto config = databaseConfig(parser, db);
    if (!config)
        return config.error();
    return loadDatabase(*config, !parser.isSet(db), command);
}

void warnIfStale(const InstrumentSnapshot &snapshot, EpochDay today, bool includeExpired,
                 const QString &command)
{
    const std::int64_t expired = snapshot.expiredContractsAt(today);
    if (expired > 0) {
        err() << "strikeline-cli " << command << ": warning: this master is stale for "
              << formatIsoDay(today) << ": " << expired
              << " of its contracts had expired by then (earliest expiry "
              << formatIsoDay(snapshot.earliestExpiry()) << ")"
              << (includeExpired ? QString() : QStringLiteral("; they are hidden"))
              << ". Sync a fresh master." << Qt::endl;
    }
}

namespace {

Result<Context> loadContext(const QCommandLineParser &parser, const CommonOptions &options,
                            const QString &command)
{
    Context ctx;
    ctx.json = parser.isSet(options.json);
    ctx.includeExpired = parser.isSet(options.includeExpired);
    if (parser.isSet(options.at)) {
        auto at = parseIstMoment(parser.value(options.at));
        if (!at)
            return Error::make(ErrorCode::InvalidArgument, at.error().message);
        ctx.asOf = *at;
    } else {
        ctx.asOf = SystemClock().now();
    }
    ctx.today = ctx.asOf.day();

    auto loaded = loadSnapshot(parser, options.master, options.db, command);
    if (!loaded)
        return loaded.error();
    ctx.snapshot = *loaded;
    warnIfStale(*ctx.snapshot, ctx.today, ctx.includeExpired, command);
    return ctx;
}

int printJson(const QJsonObject &object)
{
    out() << QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Indented));
    out().flush();
    return ExitOk;
}

QString expiryText(EpochDay day)
{
    return day == NoDay ? QStringLiteral("-") : formatIsoDay(day);
}

QString quantityText(std::int32_t value, QuantityUnit unit)
{
    if (value <= 0)
        return QStringLiteral("-");
    return unit == QuantityUnit::Lots ? QStringLiteral("%1 lots").arg(value)
                                      : QString::number(value);
}

void printInstrumentTable(const InstrumentSnapshot &s, const std::vector<SearchHit> &hits,
                          EpochDay today)
{
    QTextStream &o = out();
    o << qSetFieldWidth(0) << Qt::left;
    const QString header = QStringLiteral("%1  %2  %3  %4  %5  %6  %7  %8  %9")
                               .arg(QStringLiteral("#"), 3)
                               .arg(QStringLiteral("TRADING SYMBOL"), -28)
                               .arg(QStringLiteral("SEGMENT"), -9)
                               .arg(QStringLiteral("EXPIRY"), -10)
                               .arg(QStringLiteral("DTE"), 4)
                               .arg(QStringLiteral("LOT"), 6)
                               .arg(QStringLiteral("TICK"), 7)
                               .arg(QStringLiteral("FREEZE"), 9)
                               .arg(QStringLiteral("KEY"));
    o << header << '\n';
    int n = 0;
    for (const SearchHit &hit : hits) {
        const InstrumentView v = s.instrument(hit.id);
        const bool tradable = v.kind() != InstrumentKind::Index;
        o << QStringLiteral("%1  %2  %3  %4  %5  %6  %7  %8  %9")
                 .arg(++n, 3)
                 .arg(str(v.tradingSymbol()), -28)
                 .arg(str(segmentName(v.segment())), -9)
                 .arg(expiryText(v.expiry()), -10)
                 .arg(v.expiry() == NoDay ? QStringLiteral("-")
                                          : QString::number(daysToExpiry(v.expiry(), today)),
                      4)
                 .arg(tradable ? QString::number(v.lotSize()) : QStringLiteral("-"), 6)
                 .arg(tradable ? v.tickSize().toQString(2) : QStringLiteral("-"), 7)
                 .arg(quantityText(v.freezeQuantity(), v.quantityUnit()), 9)
                 .arg(str(v.instrumentKey()))
          << '\n';
    }
    if (hits.empty())
        o << "(no matches)\n";
    o.flush();
}

} // namespace

int runSearch(const QStringList &arguments)
{
    const QString command = QStringLiteral("search");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Find instruments, ranked by intent."));
    CommonOptions common;
    common.addTo(parser);
    QCommandLineOption limit(QStringLiteral("limit"),
                             QStringLiteral("How many results (default 20)."), QStringLiteral("N"),
                             QStringLiteral("20"));
    parser.addOption(limit);
    parser.addPositionalArgument(QStringLiteral("query"),
                                 QStringLiteral("e.g. \"nifty 25000 ce\", \"banknifty fut\""));
    if (auto stop = parseCommandLine(parser, command, arguments))
        return *stop;
    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty())
        return fail(command, QStringLiteral("give a query, e.g. strikeline-cli search NIFTY"),
                    ExitUsage);
    const auto n = parseSearchLimit(parser.value(limit), QStringLiteral("--limit"));
    if (!n)
        return fail(command, n.error());

    auto ctx = loadContext(parser, common, command);
    if (!ctx)
        return fail(command, ctx.error());
    const std::string query = positional.join(QLatin1Char(' ')).toStdString();
    SearchRequest request;
    request.text = query;
    request.limit = *n;
    request.today = ctx->today;
    request.includeExpired = ctx->includeExpired;
    const auto hits = ctx->snapshot->search(request);
    const std::optional<std::string> suggestion =
        hits.empty() ? ctx->snapshot->suggest(request) : std::nullopt;
    if (ctx->json)
        return printJson(json::searchResults(*ctx->snapshot, hits, suggestion));
    printInstrumentTable(*ctx->snapshot, hits, ctx->today);
    if (suggestion) {
        out() << "Did you mean " << QString::fromStdString(*suggestion) << "?\n";
        out().flush();
    }
    return hits.empty() ? ExitDataError : ExitOk;
}

int runChain(const QStringList &arguments)
{
    const QString command = QStringLiteral("chain");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("An option chain with moneyness."));
    CommonOptions common;
    common.addTo(parser);
    QCommandLineOption expiry(QStringLiteral("expiry"),
                              QStringLiteral("Expiry date (default: the nearest on or after the "
                                             "as-of date)."),
                              QStringLiteral("YYYY-MM-DD"));
    QCommandLineOption spot(QStringLiteral("spot"),
                            QStringLiteral("The underlying's price: sets ATM and moneyness."),
                            QStringLiteral("PRICE"));
    QCommandLineOption strikes(QStringLiteral("strikes"),
                               QStringLiteral("Strikes on each side of ATM (default: all)."),
                               QStringLiteral("N"));
    QCommandLineOption segment(QStringLiteral("segment"),
                               QStringLiteral("Segment when the underlying trades in several "
                                              "(e.g. BCD_FO for USDINR)."),
                               QStringLiteral("SEGMENT"));
    QCommandLineOption live(QStringLiteral("live"),
                            QStringLiteral("Live prices, OI, IV and Greeks from the Upstox feed "
                                           "for ATM +- --strikes (default 10), with PCR and max "
                                           "pain over the full chain."));
    parser.addOptions({expiry, spot, strikes, segment, live});
    parser.addPositionalArgument(QStringLiteral("underlying"), QStringLiteral("e.g. NIFTY"));
    if (auto stop = parseCommandLine(parser, command, arguments))
        return *stop;
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1)
        return fail(command, QStringLiteral("give one underlying, e.g. strikeline-cli chain NIFTY"),
                    ExitUsage);

    ChainQuery query;
    query.underlying = positional.front().toStdString();
    if (parser.isSet(expiry)) {
        const auto day = parseDay(parser.value(expiry));
        if (!day)
            return fail(command, day.error());
        query.expiry = *day;
    }
    if (parser.isSet(spot)) {
        const auto price = parseSpotPrice(parser.value(spot), QStringLiteral("--spot"));
        if (!price)
            return fail(command, price.error());
        query.spot = *price;
    }
    if (parser.isSet(strikes)) {
        const auto n = parseStrikeCount(parser.value(strikes), QStringLiteral("--strikes"));
        if (!n)
            return fail(command, n.error());
        query.strikesAroundAtm = *n;
    }
    const bool isLive = parser.isSet(live);
    if (isLive && parser.isSet(spot))
        return fail(command,
                    QStringLiteral("--live takes the price from the feed: leave out --spot"),
                    ExitUsage);
    LiveChainRequest liveRequest;
    if (isLive) {
        liveRequest.strikesAround = parser.isSet(strikes) ? query.strikesAroundAtm : 10;
        query.strikesAroundAtm = 0; // the whole ladder: the window is centred on the live price
    }
    if (parser.isSet(segment)) {
        const auto parsed = parseSegmentName(parser.value(segment));
        if (!parsed)
            return fail(command, parsed.error());
        query.segment = *parsed;
    }

    auto ctx = loadContext(parser, common, command);
    if (!ctx)
        return fail(command, ctx.error());
    const InstrumentSnapshot &s = *ctx->snapshot;
    query.today = ctx->today;
    query.includeExpired = ctx->includeExpired;
    auto answer = answerChain(s, query);
    if (!answer)
        return fail(command, answer.error().message);
    const OptionChain *chain = &answer->chain;
    const std::vector<ExpiryInfo> &expiryList = answer->expiries;
    if (isLive) {
        liveRequest.snapshot = ctx->snapshot;
        liveRequest.chain = *chain;
        liveRequest.asOf = ctx->asOf;
        liveRequest.atGiven = parser.isSet(common.at);
        liveRequest.json = ctx->json;
        return runLiveChain(liveRequest);
    }
    if (ctx->json)
        return printJson(json::chain(s, *chain, expiryList, ctx->today));

    QTextStream &o = out();
    o << str(s.underlyingSymbol(chain->underlying)) << " ("
      << str(segmentName(s.underlyingSegment(chain->underlying))) << ")  expiry "
      << formatDisplayDay(chain->expiry) << " (" << (chain->weekly ? "weekly" : "monthly") << ", "
      << daysToExpiry(chain->expiry, ctx->today) << " days)";
    if (chain->spot)
        o << "  spot " << chain->spot->toQString() << "  ATM " << chain->atmStrike->toQString();
    else
        o << "  (no spot: pass --spot PRICE for ATM and moneyness)";
    o << "\nexpiries:";
    for (const ExpiryInfo &e : expiryList)
        o << ' ' << formatIsoDay(e.day) << (e.weekly ? "(W)" : "(M)");
    o << "\n\n";
    o << QStringLiteral("%1 %2 %3 | %4 | %5 %6 %7\n")
             .arg(QStringLiteral("CALL KEY"), -16)
             .arg(QStringLiteral("LOT"), 5)
             .arg(QStringLiteral("CE"), -3)
             .arg(QStringLiteral("STRIKE"), 10)
             .arg(QStringLiteral("PE"), -3)
             .arg(QStringLiteral("LOT"), 5)
             .arg(QStringLiteral("PUT KEY"));
    for (const auto &row : chain->rows) {
        auto side = [&](InstrumentId id) {
            return id == NoId ? QString() : str(s.instrument(id).instrumentKey());
        };
        auto lot = [&](InstrumentId id) {
            return id == NoId ? QString() : QString::number(s.instrument(id).lotSize());
        };
        auto m = [](std::optional<Moneyness> x) { return x ? str(moneynessName(*x)) : QString(); };
        o << QStringLiteral("%1 %2 %3 | %4 | %5 %6 %7\n")
                 .arg(side(row.call), -16)
                 .arg(lot(row.call), 5)
                 .arg(row.call == NoId ? QString() : m(chain->callMoneyness(row)), -3)
                 .arg(Price::fromRaw(row.strike).toQString(), 10)
                 .arg(row.put == NoId ? QString() : m(chain->putMoneyness(row)), -3)
                 .arg(lot(row.put), 5)
                 .arg(side(row.put));
    }
    o.flush();
    return ExitOk;
}

int runInfo(const QStringList &arguments)
{
    const QString command = QStringLiteral("info");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("A contract's rules."));
    CommonOptions common;
    common.addTo(parser);
    parser.addPositionalArgument(QStringLiteral("key"),
                                 QStringLiteral("instrument_key (NSE_FO|41915) or trading symbol"));
    if (auto stop = parseCommandLine(parser, command, arguments))
        return *stop;
    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty())
        return fail(command, QStringLiteral("give an instrument key or trading symbol"), ExitUsage);
    auto ctx = loadContext(parser, common, command);
    if (!ctx)
        return fail(command, ctx.error());
    const std::string wanted = positional.join(QLatin1Char(' ')).toStdString();
    const auto id = ctx->snapshot->resolve(wanted);
    if (!id)
        return fail(command, QStringLiteral("no instrument '%1' in this master")
                                 .arg(QString::fromStdString(wanted)));
    const InstrumentView v = ctx->snapshot->instrument(*id);
    if (ctx->json)
        return printJson(json::instrument(v));

    QTextStream &o = out();
    const bool tradable = v.kind() != InstrumentKind::Index;
    auto line = [&o](const char *label, const QString &value) {
        o << QStringLiteral("%1 %2\n").arg(QLatin1String(label), -20).arg(value);
    };
    line("Trading symbol", str(v.tradingSymbol()));
    line("Instrument key", str(v.instrumentKey()));
    line("Name", str(v.name()));
    line("Segment", str(segmentName(v.segment())));
    line("Type", str(v.typeCode()));
    line("Underlying",
         str(v.underlyingSymbol()) + (v.underlyingKey().empty()
                                          ? QString()
                                          : QStringLiteral("  (%1)").arg(str(v.underlyingKey()))));
    if (v.expiry() != NoDay) {
        const int dte = daysToExpiry(v.expiry(), ctx->today);
        line("Expiry", QStringLiteral("%1 (%2, %3)")
                           .arg(formatDisplayDay(v.expiry()),
                                v.weekly() ? QStringLiteral("weekly") : QStringLiteral("monthly"),
                                dte < 0 ? QStringLiteral("EXPIRED %1 days ago").arg(-dte)
                                        : QStringLiteral("%1 days left").arg(dte)));
    }
    if (isOption(v.kind()))
        line("Strike", v.strike().toQString());
    if (tradable) {
        const bool lots = v.quantityUnit() == QuantityUnit::Lots;
        line("Lot size",
             QString::number(v.lotSize()) +
                 (v.qtyMultiplier() > 1 ? QStringLiteral(" (x%1 per unit)").arg(v.qtyMultiplier())
                                        : QString()));
        line("Tick size", QStringLiteral("Rs %1").arg(v.tickSize().toQString(2)));
        line("Freeze quantity",
             v.freezeQuantity() > 0
                 ? QStringLiteral("%1 %2")
                       .arg(v.freezeQuantity())
                       .arg(lots ? QStringLiteral("lots") : QStringLiteral("units"))
                 : QStringLiteral("unknown (not in this master)"));
        line("Max lots per order",
             v.maxLotsPerOrder() > 0 ? QString::number(v.maxLotsPerOrder()) : QStringLiteral("-"));
        line("Quantity in",
             lots ? QStringLiteral("lots (MCX)") : QStringLiteral("units (a multiple of the lot)"));
    } else {
        line("Tradable", QStringLiteral("no (an index: the underlying of its derivatives)"));
    }
    line("Exchange token",
         v.exchangeToken() ? QString::number(v.exchangeToken()) : QStringLiteral("-"));
    o.flush();
    return ExitOk;
}

} // namespace strikeline::cli
