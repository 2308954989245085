// The feed recording: frames written by FeedRecorder come back from FeedRecordingReader exactly
// as they went in, a day per file, and the unhappy paths (a file cut short, a file that is not a
// recording, a disk slower than the feed, a day past its size cap) lose nothing silently; and
// the simulator recording shipped in tests/data/feed reads and decodes whole.

#include "TestData.h"
#include "common/IstTime.h"
#include "marketdata/FeedRecording.h"
#include "marketdata/QuoteBook.h"
#include "marketdata/feed/UpstoxFeedDecoder.h"

#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <zlib.h>

#include <map>

using namespace strikeline;
using namespace strikeline::marketdata;

namespace {

// 2025-12-09 10:30 IST, and the same day's last minute.
constexpr std::int64_t Morning = 1765256400000;
constexpr std::int64_t DayMs = 86'400'000;

QByteArray frameBytes(int index, int size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    QRandomGenerator random(static_cast<quint32>(index + 1));
    for (char &c : bytes)
        c = static_cast<char>(random.bounded(256)); // incompressible, like protobuf varints
    return bytes;
}

std::vector<RecordedFrame> readAll(const QString &path, bool *truncated = nullptr)
{
    auto reader = FeedRecordingReader::open(path);
    if (!reader) {
        qWarning() << reader.error().message;
        return {};
    }
    std::vector<RecordedFrame> frames;
    for (;;) {
        auto next = (*reader)->next();
        if (!next) {
            qWarning() << next.error().message;
            break;
        }
        if (!next->has_value())
            break;
        frames.push_back(std::move(**next));
    }
    if (truncated)
        *truncated = (*reader)->truncated();
    return frames;
}

// tests/data/feed/README.md: how the recording was made, and these figures with it.
const QString ShippedRecording = QStringLiteral("feed/sim-nifty-2026-08-21.slfeed.gz");
constexpr std::uint64_t ShippedFrames = 33; // `quotes --stats`: recorded_frames
const char *const ShippedKeys[] = {
    "NSE_INDEX|Nifty 50", // NIFTY
    "NSE_FO|58072",       // NIFTY FUT 25 AUG 26
    "NSE_FO|61646",       // NIFTY 24150 PE 25 AUG 26
    "NSE_FO|61647",       // NIFTY 24200 CE
    "NSE_FO|61670",       // NIFTY 24200 PE
    "NSE_FO|61671",       // NIFTY 24250 CE
};

} // namespace

class TestFeedRecording : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void framesComeBackAsRecorded()
    {
        QTemporaryDir dir;
        FeedRecorder::Options options;
        options.directory = dir.filePath(QStringLiteral("rec"));
        std::vector<RecordedFrame> sent;
        {
            auto recorder = FeedRecorder::open(options);
            QVERIFY2(recorder.ok(),
                     qPrintable(recorder.ok() ? QString() : recorder.error().message));
            for (int i = 0; i < 500; ++i) {
                RecordedFrame f{Morning + i * 7, frameBytes(i, 1 + (i * 37) % 900)};
                (*recorder)->record(f.payload, f.receivedMs);
                sent.push_back(f);
            }
            (*recorder)->record(QByteArray(), Morning + 5000); // an empty frame is a frame
            sent.push_back({Morning + 5000, QByteArray()});
            (*recorder)->flush();
            const FeedRecorderStats stats = (*recorder)->stats();
            QCOMPARE(stats.framesWritten, std::uint64_t(501));
            QCOMPARE(stats.framesDropped, std::uint64_t(0));
            QVERIFY(stats.problem.isEmpty());
            QCOMPARE(QFileInfo(stats.currentFile).fileName(),
                     QStringLiteral("feed-2025-12-09.slfeed.gz"));
        }
        const auto got =
            readAll(QDir(options.directory).filePath(QStringLiteral("feed-2025-12-09.slfeed.gz")));
        QCOMPARE(got.size(), sent.size());
        for (std::size_t i = 0; i < sent.size(); ++i) {
            QCOMPARE(got[i].receivedMs, sent[i].receivedMs);
            QCOMPARE(got[i].payload, sent[i].payload);
        }
    }

    void oneFilePerIstDayAndARestartAppends()
    {
        QTemporaryDir dir;
        FeedRecorder::Options options;
        options.directory = dir.path();
        options.prefix = QStringLiteral("nifty");
        // 23:59:59.999 IST of the 9th is still the 9th; a millisecond later is the 10th.
        const std::int64_t midnight =
            (istDayFromEpochMs(Morning) + 1) * DayMs - IstOffsetSeconds * 1000LL;
        for (int run = 0; run < 2; ++run) {
            auto recorder = FeedRecorder::open(options);
            QVERIFY(recorder.ok());
            (*recorder)->record("a" + QByteArray::number(run), midnight - 1);
            (*recorder)->record("b" + QByteArray::number(run), midnight);
        }
        const auto ninth = readAll(dir.filePath(QStringLiteral("nifty-2025-12-09.slfeed.gz")));
        const auto tenth = readAll(dir.filePath(QStringLiteral("nifty-2025-12-10.slfeed.gz")));
        QCOMPARE(ninth.size(), std::size_t(2));
        QCOMPARE(tenth.size(), std::size_t(2));
        QCOMPARE(ninth[0].payload, QByteArray("a0"));
        QCOMPARE(ninth[1].payload, QByteArray("a1")); // the second run appended, no second magic
        QCOMPARE(tenth[1].payload, QByteArray("b1"));
        QCOMPARE(tenth[1].receivedMs, midnight);
    }

    void aFileCutShortEndsAtItsLastWholeFrame()
    {
        QTemporaryDir dir;
        FeedRecorder::Options options;
        options.directory = dir.path();
        {
            auto recorder = FeedRecorder::open(options);
            QVERIFY(recorder.ok());
            for (int i = 0; i < 200; ++i)
                (*recorder)->record(frameBytes(i, 400), Morning + i);
        }
        const QString path = dir.filePath(FeedRecorder::fileName(QStringLiteral("feed"), Morning));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadWrite));
        QVERIFY(file.resize(file.size() / 2)); // SIGKILL mid-write leaves a torn tail
        file.close();
        bool truncated = false;
        const auto got = readAll(path, &truncated);
        QVERIFY(truncated);
        QVERIFY2(got.size() > 50 && got.size() < 200, qPrintable(QString::number(got.size())));
        for (std::size_t i = 0; i < got.size(); ++i)
            QCOMPARE(got[i].payload, frameBytes(static_cast<int>(i), 400));
    }

    void notARecordingIsAClearError()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("x.slfeed.gz"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"feeds\":{}}");
        file.close();
        auto reader = FeedRecordingReader::open(path);
        QVERIFY(!reader.ok());
        QVERIFY2(reader.error().message.contains(QLatin1String("not a Strikeline feed recording")),
                 qPrintable(reader.error().message));
        QVERIFY(!FeedRecordingReader::open(dir.filePath(QStringLiteral("missing"))).ok());
        FeedRecorder::Options options; // no folder
        QVERIFY(!FeedRecorder::open(options).ok());
    }

    void aFrameWithAnAbsurdLengthIsAnError()
    {
        QTemporaryDir dir;
        FeedRecorder::Options options;
        options.directory = dir.path();
        {
            auto recorder = FeedRecorder::open(options);
            QVERIFY(recorder.ok());
            (*recorder)->record("fine", Morning);
        }
        // Append a member whose frame header claims 1 GB.
        const QString path = dir.filePath(FeedRecorder::fileName(QStringLiteral("feed"), Morning));
        {
            gzFile raw = gzopen(QFile::encodeName(path).constData(), "ab");
            QVERIFY(raw);
            const unsigned char header[12] = {0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0, 0};
            gzwrite(raw, header, sizeof header);
            gzclose(raw);
        }
        auto reader = FeedRecordingReader::open(path);
        QVERIFY(reader.ok());
        auto first = (*reader)->next();
        QVERIFY(first.ok() && first->has_value());
        auto second = (*reader)->next();
        QVERIFY(!second.ok());
        QVERIFY2(second.error().message.contains(QLatin1String("not a recording frame")),
                 qPrintable(second.error().message));
    }

    void aSlowDiskDropsFramesAndSaysSo()
    {
        QTemporaryDir dir;
        FeedRecorder::Options options;
        options.directory = dir.path();
        options.maxQueuedBytes = 500; // a frame bigger than the queue: as if the disk had stalled
        auto recorder = FeedRecorder::open(options);
        QVERIFY(recorder.ok());
        for (int i = 0; i < 100; ++i)
            (*recorder)->record(frameBytes(i, 1000), Morning + i);
        (*recorder)->flush();
        const FeedRecorderStats stats = (*recorder)->stats();
        QCOMPARE(stats.framesDropped, std::uint64_t(100));
        QCOMPARE(stats.framesWritten, std::uint64_t(0));
        (*recorder)->record("small", Morning + 200); // it records again once there is room
        (*recorder)->flush();
        QCOMPARE((*recorder)->stats().framesWritten, std::uint64_t(1));
        QVERIFY(stats.problem.contains(QLatin1String("slower than the feed")));
    }

    void aDayPastItsCapStopsRecordingThatDay()
    {
        QTemporaryDir dir;
        FeedRecorder::Options options;
        options.directory = dir.path();
        options.maxFileBytes = 64 * 1024;
        auto recorder = FeedRecorder::open(options);
        QVERIFY(recorder.ok());
        for (int i = 0; i < 400; ++i) {
            (*recorder)->record(frameBytes(i, 1000), Morning + i);
            if (i % 50 == 0)
                (*recorder)->flush(); // the queue's bound is not what this test is about
        }
        (*recorder)->record("next day", Morning + DayMs);
        (*recorder)->flush();
        const FeedRecorderStats stats = (*recorder)->stats();
        QVERIFY2(stats.framesDropped > 0, qPrintable(QString::number(stats.framesWritten)));
        QVERIFY(stats.problem.contains(QLatin1String("size cap")));
        const QString first = dir.filePath(FeedRecorder::fileName(QStringLiteral("feed"), Morning));
        QVERIFY(QFileInfo(first).size() < 2 * options.maxFileBytes);
        const auto nextDay =
            readAll(dir.filePath(FeedRecorder::fileName(QStringLiteral("feed"), Morning + DayMs)));
        QCOMPARE(nextDay.size(), std::size_t(1)); // a new day records again
        QCOMPARE(readAll(first).size(), std::size_t(stats.framesWritten - 1));
    }

    // The shipped recording, read and decoded as the terminal would: every frame whole and a
    // FeedResponse, in receive order, each key with a live price in the day's session.
    void shippedRecordingDecodesWhole()
    {
        auto reader = FeedRecordingReader::open(testdata::shippedFile(ShippedRecording));
        QVERIFY2(reader.ok(), qPrintable(reader.ok() ? QString() : reader.error().message));
        QuoteBook book;
        UpstoxFeedDecoder decoder(book);
        std::map<std::string, int> packets;
        decoder.setTickObserver(
            [&](QuoteBook::SlotId id, const LiveQuote &) { ++packets[book.keyOf(id)]; });
        std::uint64_t frames = 0;
        std::int64_t previousMs = 0;
        for (;;) {
            auto next = (*reader)->next();
            QVERIFY2(next.ok(), qPrintable(next.ok() ? QString() : next.error().message));
            if (!next->has_value())
                break;
            const RecordedFrame &frame = **next;
            QVERIFY2(frame.receivedMs >= previousMs, qPrintable(QString::number(frames)));
            previousMs = frame.receivedMs;
            QVERIFY2(decoder.decode(frame.payload, frame.receivedMs * 1'000'000),
                     qPrintable(decoder.lastError()));
            ++frames;
        }
        QVERIFY(!(*reader)->truncated());
        QCOMPARE(frames, ShippedFrames);
        const UpstoxFeedDecoder::Stats stats = decoder.stats();
        QCOMPARE(stats.frames, ShippedFrames);
        QCOMPARE(stats.malformed, std::uint64_t(0));
        QCOMPARE(stats.unknownKeys, std::uint64_t(0));
        QVERIFY(stats.marketInfos >= 1); // the feed's first frame
        QCOMPARE(book.segmentStatus(QStringLiteral("NSE_FO")), SegmentStatus::Open);

        QCOMPARE(book.size(), std::size(ShippedKeys)); // exactly the subscribed keys
        // 2026-08-21 09:15 to 15:30 IST, the session the simulator's --at put it in.
        const std::int64_t open = 1787283900000;
        const std::int64_t close = open + (6 * 60 + 15) * 60 * 1000;
        for (const char *key : ShippedKeys) {
            const std::optional<LiveQuote> quote = book.read(key);
            QVERIFY2(quote, key);
            QVERIFY2(quote->has(LiveQuote::Ltp) && quote->ltp.raw() > 0, key);
            QVERIFY2(quote->exchangeMs >= open && quote->exchangeMs <= close, key);
            QVERIFY2(quote->receivedNs > 0 && quote->receivedNs <= previousMs * 1'000'000, key);
            QVERIFY2(packets[key] >= 2, key); // the snapshot, then live ticks
            if (QByteArray(key).startsWith("NSE_FO|")) {
                // Full mode: a derivative's depth, volume and open interest.
                QVERIFY2(quote->has(LiveQuote::Depth) && quote->depthLevels >= 1, key);
                QVERIFY2(quote->has(LiveQuote::Oi) && quote->oi > 0, key);
                QVERIFY2(quote->has(LiveQuote::Volume), key);
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestFeedRecording)
#include "tst_feedrecording.moc"
