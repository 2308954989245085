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
#include "common/IstTime.h"
#include "marketdata/FeedRecording.h"
#include "marketdata/QuoteBook.h"
#include "marketdata/feed/UpstoxFeedDecoder.h"
#include "marketdata/feed/UpstoxMarketFeed.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

#include <spdlog/spdlog.h>

#include <csignal>
#include <ctime>
#include <memory>
#include <mutex>

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

    QuoteBook book;
    UpstoxFeedDecoder decoder(book);
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

    UpstoxMarketFeed::Options options;
    // A silent feed is suspicious while the exchange says the segment is open (market_info),
    // else in NSE hours by the command's clock.
    const Clock *clockPtr = clock.get();
    options.marketOpen = [&book, clockPtr] {
        const auto status = book.segmentStatus(QStringLiteral("NSE_FO"));
        if (status != marketdata::SegmentStatus::Unknown)
            return status == marketdata::SegmentStatus::Open;
        return marketdata::nseHoursAt(clockPtr->now());
    };
    UpstoxMarketFeed feed(*(*access)->client, options,
                          [&](const QByteArray &frame, std::int64_t receivedNs) {
                              if (!decoder.decode(frame, receivedNs))
                                  spdlog::warn("quotes: {}", decoder.lastError().toStdString());
                              if (recorder)
                                  recorder->record(frame, receivedNs / 1'000'000);
                          });
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
