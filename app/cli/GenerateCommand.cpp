// generate-master: writes a synthetic Upstox-format instrument master.

#include "CliCommon.h"
#include "common/IstTime.h"
#include "instruments/MasterGenerator.h"

#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>

namespace strikeline::cli {

int runGenerateMaster(const QStringList &arguments)
{
    const QString command = QStringLiteral("generate-master");
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Writes a synthetic, deterministic Upstox-format instrument master. The "
                       "format follows the file name: .json.gz, .json, .csv.gz or .csv."));
    const QCommandLineOption rowsOption(QStringLiteral("rows"),
                                        QStringLiteral("Exact number of rows (default 125000)."),
                                        QStringLiteral("N"), QStringLiteral("125000"));
    const QCommandLineOption seedOption(QStringLiteral("seed"),
                                        QStringLiteral("Seed; the same seed gives the same bytes "
                                                       "(default 1)."),
                                        QStringLiteral("S"), QStringLiteral("1"));
    const QCommandLineOption outOption(QStringLiteral("out"), QStringLiteral("File to write."),
                                       QStringLiteral("FILE"));
    const QCommandLineOption dateOption(QStringLiteral("date"),
                                        QStringLiteral("The master's BOD date (default: today "
                                                       "in IST)."),
                                        QStringLiteral("YYYY-MM-DD"));
    const QCommandLineOption jsonOption(QStringLiteral("json"),
                                        QStringLiteral("Print the summary as JSON."));
    parser.addOptions({rowsOption, seedOption, outOption, dateOption, jsonOption});
    parser.addHelpOption();

    if (auto stop = parseCommandLine(parser, command, arguments, Positional::Forbidden))
        return *stop;

    GeneratorOptions options;
    bool ok = false;
    options.rows = parser.value(rowsOption).toLongLong(&ok);
    if (!ok || options.rows <= 0) {
        return fail(command,
                    QStringLiteral("--rows must be a positive whole number, got '%1'")
                        .arg(parser.value(rowsOption)),
                    ExitUsage);
    }
    options.seed = parser.value(seedOption).toULongLong(&ok);
    if (!ok) {
        return fail(command,
                    QStringLiteral("--seed must be a non-negative whole number, got '%1'")
                        .arg(parser.value(seedOption)),
                    ExitUsage);
    }
    const QString path = parser.value(outOption);
    if (path.isEmpty())
        return fail(command, QStringLiteral("--out FILE is required"), ExitUsage);
    if (parser.isSet(dateOption)) {
        auto date = parseIstMoment(parser.value(dateOption));
        if (!date)
            return fail(command, QStringLiteral("--date: ") + date.error().message, ExitUsage);
        options.asOf = date->day();
    } else {
        options.asOf = SystemClock().now().day();
    }

    QElapsedTimer timer;
    timer.start();
    auto summary = generateMasterFile(path, options);
    if (!summary) {
        const int code =
            summary.error().code == ErrorCode::InvalidArgument ? ExitUsage : ExitDataError;
        return fail(command, summary.error().message, code);
    }
    const qint64 elapsedMs = timer.elapsed();

    if (parser.isSet(jsonOption)) {
        QJsonObject segments;
        for (int i = 0; i < SegmentCount; ++i) {
            const auto segment = static_cast<Segment>(i);
            if (summary->rowsIn(segment) > 0)
                segments.insert(QLatin1String(segmentName(segment)),
                                qint64{summary->rowsIn(segment)});
        }
        const QJsonObject json{
            {QStringLiteral("file"), QDir::toNativeSeparators(path)},
            {QStringLiteral("date"), formatIsoDay(options.asOf)},
            {QStringLiteral("seed"), QString::number(options.seed)},
            {QStringLiteral("rows"), qint64{summary->rows}},
            {QStringLiteral("bytes"), qint64{summary->bytesWritten}},
            {QStringLiteral("textBytes"), qint64{summary->textBytes}},
            {QStringLiteral("milliseconds"), elapsedMs},
            {QStringLiteral("segments"), segments},
        };
        out() << QJsonDocument(json).toJson(QJsonDocument::Compact) << Qt::endl;
        return ExitOk;
    }
    out() << "wrote " << summary->rows << " rows, " << summary->bytesWritten << " bytes to "
          << QDir::toNativeSeparators(path) << " (BOD " << formatIsoDay(options.asOf) << ", seed "
          << options.seed << ", " << elapsedMs << " ms; " << summary->segmentBreakdown() << ")"
          << Qt::endl;
    return ExitOk;
}

} // namespace strikeline::cli
