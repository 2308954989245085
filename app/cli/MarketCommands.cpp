// quotes: live ticks from the Upstox market-data feed v3 (issue 12, docs/cli.md).
//
//   strikeline-cli quotes KEY... [--mode ltpc|option_greeks|full] [--count N | --seconds S]
//                        [--json] [--stats] [--record DIR] [--at T]
//
// Connects the real feed client (authorize, single-use URL, subscribe) with the Analytics Token
// when one is configured, else the session token; decodes every frame into a quote book on the
// feed thread and prints each merged tick (one JSON object per line with --json). --stats prints
// only one JSON line at the end: frames, ticks, keys, seconds (plus bytes, malformed frames and
// the process's CPU seconds, for the comparison with the official SDK in docs/PERFORMANCE.md).
// Ctrl-C ends it like --count does. A 401 ends it with "log in again" (exit 1).

#include "CliCommon.h"
#include "UpstoxAccess.h"
#include "analytics/LiveChain.h"
#include "common/IstTime.h"
#include "marketdata/FeedRecording.h"
#include "marketdata/QuoteBook.h"
#include "marketdata/feed/ChainFeed.h"
#include "marketdata/feed/LiveMarket.h"
#include "marketdata/feed/UpstoxFeedDecoder.h"
#include "marketdata/feed/UpstoxMarketFeed.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QTimer>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <csignal>
#include <ctime>
#include <memory>
#include <mutex>
#include <set>

namespace strikeline::cli {

namespace {

using marketdata::FeedMode;
using marketdata::LiveQuote;
using marketdata::QuoteBook;
using marketdata::UpstoxFeedDecoder;
using marketdata::UpstoxMarketFeed;

volatile std::sig_atomic_t g_stop = 0;
extern "C" void onQuotesInterrupt(int)
{
    g_stop = 1;
}

double processCpuSeconds()
{
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

QJsonValue priceValue(Price price)
{
    return QJsonValue(price.toDouble());
}

QJsonObject tickJson(const std::string &key, const LiveQuote &q)
{
    QJsonObject o{{QStringLiteral("key"), QString::fromStdString(key)}};
    if (q.has(LiveQuote::Ltp))
        o.insert(QStringLiteral("ltp"), priceValue(q.ltp));
    if (q.has(LiveQuote::Close)) {
        o.insert(QStringLiteral("close"), priceValue(q.close));
        if (q.has(LiveQuote::Ltp))
            o.insert(QStringLiteral("change"), priceValue(q.ltp - q.close));
    }
    if (q.has(LiveQuote::LastTradeTime))
        o.insert(QStringLiteral("ltt"), static_cast<qint64>(q.lastTradeMs));
    if (q.has(LiveQuote::LastQuantity))
        o.insert(QStringLiteral("ltq"), static_cast<qint64>(q.lastQuantity));
    if (q.has(LiveQuote::Depth) && q.depthLevels > 0) {
        const auto &top = q.depth[0];
        if (top.bid.isPositive()) {
            o.insert(QStringLiteral("bid"), priceValue(top.bid));
            o.insert(QStringLiteral("bid_qty"), static_cast<qint64>(top.bidQuantity));
        }
        if (top.ask.isPositive()) {
            o.insert(QStringLiteral("ask"), priceValue(top.ask));
            o.insert(QStringLiteral("ask_qty"), static_cast<qint64>(top.askQuantity));
        }
    }
    if (q.has(LiveQuote::Volume))
        o.insert(QStringLiteral("volume"), static_cast<qint64>(q.volume));
    if (q.has(LiveQuote::Oi))
        o.insert(QStringLiteral("oi"), static_cast<qint64>(q.oi));
    if (q.has(LiveQuote::Iv))
        o.insert(QStringLiteral("broker_iv"), q.iv);
    if (q.has(LiveQuote::Greeks))
        o.insert(QStringLiteral("broker_greeks"), QJsonObject{{QStringLiteral("delta"), q.delta},
                                                              {QStringLiteral("gamma"), q.gamma},
                                                              {QStringLiteral("theta"), q.theta},
                                                              {QStringLiteral("vega"), q.vega}});
    o.insert(QStringLiteral("received_ms"), static_cast<qint64>(q.receivedNs / 1'000'000));
    return o;
}

QString tickLine(const std::string &key, const LiveQuote &q)
{
    const auto cell = [](bool has, const QString &text, int width) {
        return (has ? text : QStringLiteral("-")).rightJustified(width);
    };
    const bool depth = q.has(LiveQuote::Depth) && q.depthLevels > 0;
    const IstMoment at{q.receivedNs / 1'000'000};
    const std::int64_t secondOfDay = (at.epochMs / 1000 + IstOffsetSeconds) % 86400;
    const QString time = QStringLiteral("%1:%2:%3.%4")
                             .arg(secondOfDay / 3600, 2, 10, QLatin1Char('0'))
                             .arg(secondOfDay / 60 % 60, 2, 10, QLatin1Char('0'))
                             .arg(secondOfDay % 60, 2, 10, QLatin1Char('0'))
                             .arg(at.epochMs % 1000, 3, 10, QLatin1Char('0'));
    return QStringLiteral("%1  %2 %3 %4 %5 %6 %7")
        .arg(time, QString::fromStdString(key).leftJustified(22))
        .arg(cell(q.has(LiveQuote::Ltp), q.ltp.toQString(2), 11))
        .arg(cell(depth && q.depth[0].bid.isPositive(), q.depth[0].bid.toQString(2), 11))
        .arg(cell(depth && q.depth[0].ask.isPositive(), q.depth[0].ask.toQString(2), 11))
        .arg(cell(q.has(LiveQuote::Volume), QString::number(q.volume), 12))
        .arg(cell(q.has(LiveQuote::Oi), QString::number(q.oi), 12));
}

// Lines made on the feed thread, written by the main thread (stdout never blocks the feed).
struct Printer
{
    std::mutex mutex;
    QByteArray pending;
    std::uint64_t printed = 0; // ticks accepted for printing
    std::uint64_t limit = 0;   // 0: no limit
    bool full() const { return limit != 0 && printed >= limit; }
};

} // namespace

int runQuotes(const QStringList &arguments)
{
    const QString command = QStringLiteral("quotes");
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Live ticks from the Upstox market-data feed v3, one line per tick."));
    parser.addPositionalArgument(QStringLiteral("KEY"),
                                 QStringLiteral("Instrument keys, e.g. \"NSE_FO|43919\" or "
                                                "\"NSE_INDEX|Nifty 50\"."),
                                 QStringLiteral("KEY..."));
    const QCommandLineOption mode(QStringLiteral("mode"),
                                  QStringLiteral("ltpc (default), option_greeks or full."),
                                  QStringLiteral("MODE"), QStringLiteral("ltpc"));
    const QCommandLineOption count(QStringLiteral("count"), QStringLiteral("Stop after N ticks."),
                                   QStringLiteral("N"));
    const QCommandLineOption seconds(QStringLiteral("seconds"),
                                     QStringLiteral("Stop after S seconds."), QStringLiteral("S"));
    const QCommandLineOption json(QStringLiteral("json"),
                                  QStringLiteral("One JSON object per tick and line."));
    const QCommandLineOption stats(
        QStringLiteral("stats"),
        QStringLiteral("Print only a one-line JSON summary at the end: frames, ticks, keys, "
                       "seconds."));
    const QCommandLineOption record(QStringLiteral("record"),
                                    QStringLiteral("Also record every frame, as received, into "
                                                   "DIR (replay: upstox-sim --replay FILE)."),
                                    QStringLiteral("DIR"));
    const QCommandLineOption at(QStringLiteral("at"),
                                QStringLiteral("The time in IST, \"YYYY-MM-DD[ HH:MM]\", then "
                                               "running (default: now); match the simulator's."),
                                QStringLiteral("TIME"));
    parser.addOptions({mode, count, seconds, json, stats, record, at});
    parser.addHelpOption();
    if (const auto stop = parseCommandLine(parser, command, arguments, Positional::Allowed))
        return *stop;
    if (const auto stop = refuseRepeatedOptions(parser, command))
        return *stop;

    const QStringList keys = parser.positionalArguments();
    if (keys.isEmpty())
        return fail(
            command,
            QStringLiteral("give at least one instrument key, e.g. quotes \"NSE_INDEX|Nifty "
                           "50\""),
            ExitUsage);
    for (const QString &key : keys)
        if (key.indexOf(QLatin1Char('|')) <= 0 || key.endsWith(QLatin1Char('|')))
            return fail(command,
                        QStringLiteral("'%1' is not an instrument key (SEGMENT|token, e.g. "
                                       "\"NSE_FO|43919\"; 'strikeline-cli search' finds them)")
                            .arg(key),
                        ExitUsage);
    const auto feedMode = marketdata::feedModeFromName(parser.value(mode));
    if (!feedMode)
        return fail(command,
                    QStringLiteral("--mode must be ltpc, option_greeks or full, not '%1'")
                        .arg(parser.value(mode)),
                    ExitUsage);
    if (parser.isSet(count) && parser.isSet(seconds))
        return fail(command, QStringLiteral("give --count or --seconds, not both"), ExitUsage);
    std::uint64_t countLimit = 0;
    if (parser.isSet(count)) {
        bool ok = false;
        countLimit = parser.value(count).toULongLong(&ok);
        if (!ok || countLimit == 0)
            return fail(command, QStringLiteral("--count must be a positive whole number"),
                        ExitUsage);
    }
    double secondsLimit = 0;
    if (parser.isSet(seconds)) {
        bool ok = false;
        secondsLimit = parser.value(seconds).toDouble(&ok);
        if (!ok || !(secondsLimit > 0) || secondsLimit > 86400 * 7)
            return fail(command, QStringLiteral("--seconds must be a positive number"), ExitUsage);
    }
    std::unique_ptr<Clock> clock = std::make_unique<SystemClock>();
    if (parser.isSet(at)) {
        auto moment = parseIstMoment(parser.value(at));
        if (!moment)
            return fail(command, moment.error().message, ExitUsage);
        clock = std::make_unique<ShiftedClock>(*moment);
    }

    auto access = marketDataAccess();
    if (!access)
        return fail(command, access.error());
    std::unique_ptr<marketdata::FeedRecorder> recorder;
    if (parser.isSet(record)) {
        marketdata::FeedRecorder::Options options;
        options.directory = parser.value(record);
        auto opened = marketdata::FeedRecorder::open(options);
        if (!opened)
            return fail(command, opened.error());
        recorder = std::move(*opened);
    }

    marketdata::LiveMarket::Options marketOptions;
    marketOptions.clock = clock.get();
    marketOptions.backfill = false; // a stream of the feed's ticks, as they come
    if (recorder)
        marketOptions.frameHook = [&recorder](const QByteArray &frame, std::int64_t receivedNs) {
            recorder->record(frame, receivedNs / 1'000'000);
        };
    marketdata::LiveMarket market(*(*access)->client, std::move(marketOptions));
    QuoteBook &book = market.book();
    UpstoxFeedDecoder &decoder = market.decoder();
    const bool statsOnly = parser.isSet(stats);
    const bool asJson = parser.isSet(json);
    Printer printer;
    printer.limit = countLimit;
    decoder.setTickObserver([&](QuoteBook::SlotId id, const LiveQuote &q) {
        if (statsOnly) {
            const std::lock_guard lock(printer.mutex);
            if (!printer.full())
                ++printer.printed;
            return;
        }
        const std::string key = book.keyOf(id);
        QByteArray line = asJson ? QJsonDocument(tickJson(key, q)).toJson(QJsonDocument::Compact)
                                 : tickLine(key, q).toUtf8();
        line.append('\n');
        const std::lock_guard lock(printer.mutex);
        if (printer.full())
            return;
        ++printer.printed;
        printer.pending.append(line);
    });

    UpstoxMarketFeed &feed = market.feed();
    if (auto acquired = feed.acquire(command, keys, *feedMode); !acquired)
        return fail(command, acquired.error().message, ExitUsage);

    int exitCode = ExitOk;
    QString failure;
    QObject context;
    QObject::connect(&feed, &UpstoxMarketFeed::stateChanged, &context,
                     [&](UpstoxMarketFeed::State state, const QString &reason) {
                         spdlog::info("quotes: feed {}: {}",
                                      UpstoxMarketFeed::stateName(state).toStdString(),
                                      reason.toStdString());
                         if (state == UpstoxMarketFeed::State::LoginRequired) {
                             failure = QStringLiteral("log in again: %1").arg(reason);
                             exitCode = ExitDataError;
                             QCoreApplication::exit(0);
                         } else if (state == UpstoxMarketFeed::State::Reconnecting && !statsOnly) {
                             err() << "quotes: " << reason << Qt::endl;
                         }
                     });
    QObject::connect(&feed, &UpstoxMarketFeed::serverMessage, &context, [](const QString &text) {
        err() << "quotes: the feed said: " << text.left(300) << Qt::endl;
    });

    const auto flush = [&] {
        QByteArray lines;
        {
            const std::lock_guard lock(printer.mutex);
            lines.swap(printer.pending);
        }
        if (!lines.isEmpty()) {
            out() << QString::fromUtf8(lines);
            out().flush();
        }
    };
    g_stop = 0;
    std::signal(SIGINT, onQuotesInterrupt);
    std::signal(SIGTERM, onQuotesInterrupt);
    QElapsedTimer elapsed;
    elapsed.start();
    const double cpuBefore = processCpuSeconds();
    QTimer pump;
    pump.setInterval(20);
    QObject::connect(&pump, &QTimer::timeout, &context, [&] {
        flush();
        bool done = g_stop != 0;
        {
            const std::lock_guard lock(printer.mutex);
            done = done || printer.full();
        }
        if (secondsLimit > 0 && static_cast<double>(elapsed.elapsed()) >= secondsLimit * 1000)
            done = true;
        if (done)
            QCoreApplication::exit(0);
    });
    pump.start();
    if (!statsOnly && !asJson) {
        out() << QStringLiteral("%1  %2 %3 %4 %5 %6 %7")
                     .arg(QStringLiteral("received").leftJustified(12),
                          QStringLiteral("key").leftJustified(22),
                          QStringLiteral("ltp").rightJustified(11),
                          QStringLiteral("bid").rightJustified(11),
                          QStringLiteral("ask").rightJustified(11),
                          QStringLiteral("volume").rightJustified(12),
                          QStringLiteral("oi").rightJustified(12))
              << Qt::endl;
    }
    feed.start();
    QCoreApplication::exec();
    feed.stop();
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    flush();
    const double wall = static_cast<double>(elapsed.nsecsElapsed()) / 1e9;
    const double cpu = processCpuSeconds() - cpuBefore;
    if (recorder)
        recorder->flush();

    const UpstoxFeedDecoder::Stats s = decoder.stats();
    if (statsOnly) {
        QJsonObject summary{{QStringLiteral("frames"), static_cast<qint64>(s.frames)},
                            {QStringLiteral("ticks"), static_cast<qint64>(s.ticks)},
                            {QStringLiteral("keys"), static_cast<qint64>(book.size())},
                            {QStringLiteral("seconds"), std::round(wall * 1000) / 1000},
                            {QStringLiteral("bytes"), static_cast<qint64>(s.bytes)},
                            {QStringLiteral("malformed"), static_cast<qint64>(s.malformed)},
                            {QStringLiteral("cpu_seconds"), std::round(cpu * 1000) / 1000}};
        if (recorder) {
            const auto r = recorder->stats();
            summary.insert(QStringLiteral("recorded_frames"), static_cast<qint64>(r.framesWritten));
            summary.insert(QStringLiteral("recorded_file"), r.currentFile);
        }
        out() << QJsonDocument(summary).toJson(QJsonDocument::Compact) << Qt::endl;
    }
    if (recorder && recorder->stats().framesDropped > 0)
        err() << "quotes: the recording dropped " << recorder->stats().framesDropped
              << " frames: " << recorder->stats().problem << Qt::endl;
    if (!failure.isEmpty())
        return fail(command, failure, exitCode);
    if (s.frames == 0 && !statsOnly)
        err() << "quotes: no frame arrived (" << feed.reason() << ")" << Qt::endl;
    return ExitOk;
}

} // namespace strikeline::cli

// ---- chain UNDERLYING --live ------------------------------------------------------------------

namespace strikeline::cli {

namespace {

using marketdata::ChainFeed;
using marketdata::LiveMarket;

QString text(std::string_view value)
{
    return QString::fromUtf8(value.data(), static_cast<qsizetype>(value.size()));
}

QJsonValue optionalNumber(const std::optional<double> &value)
{
    return value ? QJsonValue(*value) : QJsonValue(QJsonValue::Null);
}

QJsonValue optionalPrice(const std::optional<Price> &value)
{
    return value ? QJsonValue(value->toDouble()) : QJsonValue(QJsonValue::Null);
}

QJsonValue optionalCount(const std::optional<std::int64_t> &value)
{
    return value ? QJsonValue(static_cast<qint64>(*value)) : QJsonValue(QJsonValue::Null);
}

QJsonValue legJson(const LiveLeg &leg, std::int64_t nowMs)
{
    if (!leg.listed())
        return QJsonValue::Null;
    return QJsonObject{
        {QStringLiteral("key"), QString::fromStdString(leg.key)},
        {QStringLiteral("ltp"), optionalPrice(leg.ltp)},
        {QStringLiteral("change"), optionalPrice(leg.change)},
        {QStringLiteral("change_percent"), optionalNumber(leg.changePercent)},
        {QStringLiteral("bid"), optionalPrice(leg.bid)},
        {QStringLiteral("bid_qty"), static_cast<qint64>(leg.bidQuantity)},
        {QStringLiteral("ask"), optionalPrice(leg.ask)},
        {QStringLiteral("ask_qty"), static_cast<qint64>(leg.askQuantity)},
        {QStringLiteral("volume"), optionalCount(leg.volume)},
        {QStringLiteral("oi"), optionalCount(leg.oi)},
        {QStringLiteral("oi_change"), optionalCount(leg.oiChange)},
        {QStringLiteral("iv"), optionalNumber(leg.iv)},
        {QStringLiteral("delta"), optionalNumber(leg.delta)},
        {QStringLiteral("gamma"), optionalNumber(leg.gamma)},
        {QStringLiteral("theta"), optionalNumber(leg.theta)},
        {QStringLiteral("vega"), optionalNumber(leg.vega)},
        {QStringLiteral("iv_problem"),
         leg.ivProblem.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(leg.ivProblem)},
        {QStringLiteral("broker_iv"), optionalNumber(leg.brokerIv)},
        {QStringLiteral("age_ms"), leg.receivedMs > 0
                                       ? QJsonValue(static_cast<qint64>(nowMs - leg.receivedMs))
                                       : QJsonValue(QJsonValue::Null)},
        {QStringLiteral("stale"), leg.stale},
    };
}

QString forwardSourceName(const ForwardEstimate &forward)
{
    return forward.source == ForwardEstimate::Source::Future
               ? QStringLiteral("future")
               : QStringLiteral("synthetic (put-call parity at %1 strikes)")
                     .arg(forward.strikesUsed);
}

QString number(const std::optional<double> &value, int decimals)
{
    return value ? QString::number(*value, 'f', decimals) : QStringLiteral("-");
}

QString priceCell(const std::optional<Price> &value)
{
    return value ? value->toQString(2) : QStringLiteral("-");
}

QString countCell(const std::optional<std::int64_t> &value)
{
    return value ? QString::number(*value) : QStringLiteral("-");
}

// One side's cells, nearest the strike last (calls) or first (puts, mirrored).
QStringList legCells(const LiveLeg &leg)
{
    if (!leg.listed())
        return QStringList(12, QString());
    return {countCell(leg.oi),    countCell(leg.oiChange), countCell(leg.volume),
            number(leg.iv, 2),    number(leg.delta, 3),    number(leg.gamma, 5),
            number(leg.theta, 2), number(leg.vega, 2),     priceCell(leg.bid),
            priceCell(leg.ask),   priceCell(leg.ltp),      priceCell(leg.change)};
}

const std::array<int, 12> LegWidths{10, 9, 10, 6, 6, 8, 7, 6, 9, 9, 9, 8};
const QStringList LegHeaders{
    QStringLiteral("OI"),    QStringLiteral("dOI"),   QStringLiteral("VOLUME"),
    QStringLiteral("IV"),    QStringLiteral("DELTA"), QStringLiteral("GAMMA"),
    QStringLiteral("THETA"), QStringLiteral("VEGA"),  QStringLiteral("BID"),
    QStringLiteral("ASK"),   QStringLiteral("LTP"),   QStringLiteral("CHG")};

QString sideText(const QStringList &cells, bool mirrored)
{
    QStringList parts;
    for (int i = 0; i < 12; ++i) {
        const int c = mirrored ? 11 - i : i;
        parts << cells[c].rightJustified(LegWidths[static_cast<std::size_t>(c)]);
    }
    return parts.join(QLatin1Char(' '));
}

void printLiveChain(const InstrumentSnapshot &s, const OptionChain &ladder, const LiveChain &live,
                    const QString &source, EpochDay today)
{
    QTextStream &o = out();
    o << text(s.underlyingSymbol(ladder.underlying)) << " ("
      << text(segmentName(s.underlyingSegment(ladder.underlying))) << ")  expiry "
      << formatDisplayDay(ladder.expiry) << " (" << (ladder.weekly ? "weekly" : "monthly") << ", "
      << (ladder.expiry - today) << " days)  LIVE via " << source << '\n';
    o << "underlying " << priceCell(live.underlying) << "  future " << priceCell(live.futurePrice)
      << "  forward "
      << (live.forward
              ? QStringLiteral("%1 (%2)").arg(QString::number(live.forward->forward, 'f', 2),
                                              forwardSourceName(*live.forward))
              : QStringLiteral("- (no future or parity price yet)"))
      << "  ATM " << number(live.atm.strike, 2) << '\n';
    o << "call OI " << live.totals.callOi << "  put OI " << live.totals.putOi << "  PCR "
      << number(live.totals.pcr, 2) << "  max pain " << number(live.totals.maxPain, 2) << "  ("
      << (live.fullChain ? QStringLiteral("the full chain")
                         : QStringLiteral("visible strikes only"))
      << ", " << live.quotedLegs << " of " << live.listedLegs
      << " legs quoted; IV %, theta per day, vega per vol point)\n\n";
    o << sideText(LegHeaders, false) << " | " << QStringLiteral("STRIKE").rightJustified(9) << " | "
      << sideText(LegHeaders, true) << '\n';
    for (const LiveStrike &row : live.rows) {
        const bool atm =
            live.atm.strike && std::abs(row.strike.toDouble() - *live.atm.strike) < 1e-9;
        o << sideText(legCells(row.call), false) << " | "
          << QString(row.strike.toQString(2) + (atm ? QLatin1Char('*') : QLatin1Char(' ')))
                 .rightJustified(9)
          << " | " << sideText(legCells(row.put), true) << '\n';
    }
    o.flush();
}

} // namespace

int runLiveChain(const LiveChainRequest &request)
{
    const QString command = QStringLiteral("chain");
    const InstrumentSnapshot &s = *request.snapshot;
    const OptionChain &ladder = request.chain;

    auto access = marketDataAccess();
    if (!access)
        return fail(command, access.error());
    std::unique_ptr<Clock> clock;
    if (request.atGiven)
        clock = std::make_unique<ShiftedClock>(request.asOf);
    else
        clock = std::make_unique<SystemClock>();

    auto legKeys = std::make_shared<std::set<QString>>();
    for (const detail::StrikeRow &row : ladder.rows)
        for (const InstrumentId id : {row.call, row.put})
            if (id != NoId)
                legKeys->insert(text(s.instrument(id).instrumentKey()));
    LiveMarket::Options marketOptions;
    marketOptions.clock = clock.get();
    marketOptions.isOption = [legKeys](const QString &key) { return legKeys->contains(key); };
    LiveMarket market(*(*access)->client, std::move(marketOptions));

    ChainFeed::Options feedOptions;
    feedOptions.consumer = command;
    feedOptions.previousOiDirectory =
        QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
        QStringLiteral("/previous-oi");
    feedOptions.fullChainRefresh = std::chrono::milliseconds(0);
    ChainFeed chain(market.feed(), *(*access)->client, market.book(), feedOptions);
    if (auto set = chain.setChain(request.snapshot, ladder, clock->now().day()); !set)
        return fail(command, set.error());

    QString failure;
    QObject context;
    QEventLoop loop;
    QObject::connect(&market.feed(), &UpstoxMarketFeed::stateChanged, &context,
                     [&](UpstoxMarketFeed::State state, const QString &reason) {
                         spdlog::info("chain: feed {}: {}",
                                      UpstoxMarketFeed::stateName(state).toStdString(),
                                      reason.toStdString());
                         if (state == UpstoxMarketFeed::State::LoginRequired) {
                             failure = QStringLiteral("log in again: %1").arg(reason);
                             loop.quit();
                         }
                     });
    bool referenceAnswered = false;
    QObject::connect(&chain, &ChainFeed::referenceChanged, &context, [&] {
        referenceAnswered = chain.fullChainKnown() || !chain.referenceProblem().isEmpty();
    });
    // Runs the loop until `done` holds, `limitMs` passed or the session was refused.
    const auto waitUntil = [&](const std::function<bool()> &done, int limitMs) {
        QElapsedTimer waited;
        waited.start();
        QTimer poll;
        poll.setInterval(25);
        QObject::connect(&poll, &QTimer::timeout, &context, [&] {
            if (done() || waited.elapsed() >= limitMs)
                loop.quit();
        });
        poll.start();
        if (!done() && failure.isEmpty())
            loop.exec();
        return done();
    };
    market.start();

    // 1. Where the money is: the future of the expiry, else the underlying.
    const bool priced = waitUntil(
        [&] { return chain.futurePrice().has_value() || chain.underlyingPrice().has_value(); },
        request.underlyingWaitMs);
    if (!failure.isEmpty())
        return fail(command, failure, ExitDataError);
    std::vector<double> strikes;
    strikes.reserve(ladder.rows.size());
    for (const detail::StrikeRow &row : ladder.rows)
        strikes.push_back(Price::fromRaw(row.strike).toDouble());
    std::size_t centre = strikes.size() / 2; // the median strike without a price
    if (priced) {
        const Price reference =
            chain.futurePrice().value_or(chain.underlyingPrice().value_or(Price{}));
        const AtmStrike atm = atmStrike(strikes, reference.toDouble());
        if (atm.strike) {
            centre = static_cast<std::size_t>(
                std::lower_bound(strikes.begin(), strikes.end(), *atm.strike - 1e-9) -
                strikes.begin());
        }
    } else {
        err() << "strikeline-cli chain: no price of " << chain.underlyingKey()
              << (chain.futureKey().isEmpty() ? QString()
                                              : QStringLiteral(" or ") + chain.futureKey())
              << " within " << request.underlyingWaitMs / 1000
              << " s: the window is centred on the median strike" << Qt::endl;
    }
    const std::size_t n = static_cast<std::size_t>(request.strikesAround);
    const std::size_t begin = centre > n ? centre - n : 0;
    const std::size_t end = std::min(strikes.size(), centre + n + 1);
    if (auto window = chain.setWindow(begin, end); !window)
        return fail(command, window.error());

    // 2. Every visible leg's first tick, and Upstox's chain for the totals and the previous OI.
    const auto allQuoted = [&] {
        const LiveChainInput in = chain.input();
        for (const LiveChainInput::Row &row : in.rows)
            for (const std::string *key : {&row.callKey, &row.putKey})
                if (!key->empty() && !in.quote(*key))
                    return false;
        return referenceAnswered;
    };
    waitUntil(allQuoted, request.legWaitMs);
    if (!failure.isEmpty())
        return fail(command, failure, ExitDataError);

    LiveChainInput input = chain.input();
    const std::int64_t nowMs = QDateTime::currentMSecsSinceEpoch();
    const LiveChain live = computeLiveChain(input, clock->now(), nowMs);
    market.stop();
    if (live.quotedLegs < live.listedLegs)
        err() << "strikeline-cli chain: " << live.listedLegs - live.quotedLegs << " of "
              << live.listedLegs << " legs had no tick within " << request.legWaitMs / 1000
              << " s: they show '-'" << Qt::endl;
    if (!chain.referenceProblem().isEmpty())
        err() << "strikeline-cli chain: " << chain.referenceProblem() << Qt::endl;
    else if (!chain.previousOiKnown())
        err() << "strikeline-cli chain: Upstox sent no previous OI: change in OI is '-'"
              << Qt::endl;

    if (!request.json) {
        printLiveChain(s, ladder, live, (*access)->source, clock->now().day());
        return ExitOk;
    }
    QJsonArray rows;
    for (const LiveStrike &row : live.rows)
        rows.append(QJsonObject{{QStringLiteral("strike"), row.strike.toDouble()},
                                {QStringLiteral("pcr"), optionalNumber(row.pcr)},
                                {QStringLiteral("call"), legJson(row.call, nowMs)},
                                {QStringLiteral("put"), legJson(row.put, nowMs)}});
    QJsonObject object{
        {QStringLiteral("underlying"), text(s.underlyingSymbol(ladder.underlying))},
        {QStringLiteral("segment"), text(segmentName(s.underlyingSegment(ladder.underlying)))},
        {QStringLiteral("expiry"), formatIsoDay(ladder.expiry)},
        {QStringLiteral("source"), QStringLiteral("live")},
        {QStringLiteral("token"), (*access)->source},
        {QStringLiteral("underlying_key"), chain.underlyingKey()},
        {QStringLiteral("underlying_ltp"), optionalPrice(live.underlying)},
        {QStringLiteral("future_key"), chain.futureKey().isEmpty() ? QJsonValue(QJsonValue::Null)
                                                                   : QJsonValue(chain.futureKey())},
        {QStringLiteral("future_ltp"), optionalPrice(live.futurePrice)},
        {QStringLiteral("forward"),
         live.forward ? QJsonValue(live.forward->forward) : QJsonValue(QJsonValue::Null)},
        {QStringLiteral("forward_source"),
         live.forward ? QJsonValue(live.forward->source == ForwardEstimate::Source::Future
                                       ? QStringLiteral("future")
                                       : QStringLiteral("synthetic"))
                      : QJsonValue(QJsonValue::Null)},
        {QStringLiteral("atm_strike"), optionalNumber(live.atm.strike)},
        {QStringLiteral("pcr"), optionalNumber(live.totals.pcr)},
        {QStringLiteral("max_pain"), optionalNumber(live.totals.maxPain)},
        {QStringLiteral("call_oi"), static_cast<qint64>(live.totals.callOi)},
        {QStringLiteral("put_oi"), static_cast<qint64>(live.totals.putOi)},
        {QStringLiteral("full_chain"), live.fullChain},
        {QStringLiteral("years_to_expiry"), live.years},
        {QStringLiteral("quoted_legs"), live.quotedLegs},
        {QStringLiteral("listed_legs"), live.listedLegs},
        {QStringLiteral("previous_oi"), chain.previousOiKnown()},
        {QStringLiteral("strikes"), rows},
    };
    out() << QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Indented));
    out().flush();
    return ExitOk;
}

} // namespace strikeline::cli
