#undef QT_NO_CAST_FROM_ASCII

// Tests of the streaming master download against FaultyHttpServer on 127.0.0.1: exact bytes,
// the master through readMaster, conditional GET, HTTP errors, stalls, early closes, redirects,
// framing without Content-Length, cancel, the bounded buffer and teardown at awkward moments.
// Timing is only checked against generous limits that prove nothing hangs.

#include "FaultyHttpServer.h"
#include "RealRows.h"
#include "common/Result.h"
#include "instruments/Instrument.h"
#include "instruments/MasterReader.h"
#include "sync/BlockingPipe.h"
#include "sync/HashingReader.h"
#include "sync/MasterDownload.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTest>
#include <QThread>

#include <zlib.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

using namespace strikeline;
using namespace strikeline::testdata;
using strikeline::testing::FaultyHttpServer;
using strikeline::testing::HttpRoute;

namespace {

constexpr char Etag[] = "\"6c1f-63f2a1b4c9d80\"";
constexpr char LastModified[] = "Tue, 09 Dec 2025 00:31:07 GMT";

constexpr int GenerousMs = 15000; // "it did not hang", not a performance claim

QByteArray randomBytes(qint64 size, quint32 seed)
{
    QByteArray bytes(size, Qt::Uninitialized);
    QRandomGenerator generator(seed);
    for (qint64 i = 0; i < size; ++i)
        bytes[i] = static_cast<char>(generator.generate() & 0xff);
    return bytes;
}

// A cheap deterministic body for the very large transfers.
QByteArray patternBytes(qint64 size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    for (qint64 i = 0; i < size; ++i)
        bytes[i] = static_cast<char>((i * 131 + (i >> 12)) & 0xff);
    return bytes;
}

QByteArray gzip(const QByteArray &raw)
{
    z_stream zs{};
    if (deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        return {};
    QByteArray out(static_cast<qsizetype>(deflateBound(&zs, static_cast<uLong>(raw.size()))),
                   Qt::Uninitialized);
    zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(raw.constData()));
    zs.avail_in = static_cast<uInt>(raw.size());
    zs.next_out = reinterpret_cast<Bytef *>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&zs, Z_FINISH);
    out.resize(static_cast<qsizetype>(zs.total_out));
    deflateEnd(&zs);
    return rc == Z_STREAM_END ? out : QByteArray();
}

QByteArray sha256Hex(const QByteArray &bytes)
{
    return QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex();
}

struct Drained
{
    QByteArray bytes;
    bool failed = false;
    QString error;
};

// Reads a blocking device to its end (or failure) in `chunk`-sized reads.
Drained drain(QIODevice &device, qint64 chunk = 1 << 20, int pauseEveryRead = 0)
{
    Drained out;
    QByteArray buffer(chunk, Qt::Uninitialized);
    for (int idleRounds = 0; idleRounds < 100;) {
        const qint64 n = device.read(buffer.data(), chunk);
        if (n < 0) {
            out.failed = true;
            out.error = device.errorString();
            break;
        }
        if (n == 0) {
            if (device.atEnd())
                break;
            ++idleRounds; // a blocking device should never get here
            device.waitForReadyRead(100);
            continue;
        }
        out.bytes.append(buffer.constData(), n);
        if (pauseEveryRead > 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(pauseEveryRead));
    }
    return out;
}

DownloadOptions quickOptions()
{
    DownloadOptions o;
    o.connectTimeoutMs = 10000;
    o.stallTimeoutMs = 10000; // roomy: sanitizer builds are slow; stall tests set 500 ms
    return o;
}

quint16 unusedPort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    const quint16 port = probe.serverPort();
    probe.close();
    return port;
}

} // namespace

class tst_MasterDownload : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void streamsLargeBodyExactly();
    void readsMasterThroughGunzip();
    void gzipBodyIsNotInflated();
    void conditionalGetNotModified();
    void httpErrorStatus_data();
    void httpErrorStatus();
    void stallIsAnErrorNamingTheByteCount();
    void earlyCloseIsAnError();
    void cutOrOversizedResponseIsNamed_data();
    void cutOrOversizedResponseIsNamed();
    void droppedConnectionIsNeverSpliced_data();
    void droppedConnectionIsNeverSpliced();
    void redirectIsFollowed_data();
    void redirectIsFollowed();
    void badRedirects_data();
    void badRedirects();
    void noContentLength_data();
    void noContentLength();
    void trickleReportsProgressOnTheNetworkThread();
    void cancelMidTransfer();
    void cancelWakesABlockedReader();
    void cancelBeforeTheHeaders();
    void throwingProgressFailsTheDownload();
    void boundedBufferWithSlowReader();
    void finishDiscardsUnreadBytes();
    void destroyMidTransfer_data();
    void destroyMidTransfer();
    void connectionRefused();
    void headerTimeout();
    void rejectsNonHttpUrl();
    void hashingReaderHashesWhatItHandsOut();
};

void tst_MasterDownload::streamsLargeBodyExactly()
{
    FaultyHttpServer server;
    QVERIFY(server.isListening());
    const QByteArray source = randomBytes(20 << 20, 20251209);
    server.setRoute("/big.json.gz", HttpRoute::ok(source, Etag, LastModified));

    auto started = MasterDownload::start(server.url("/big.json.gz"), {}, quickOptions());
    QVERIFY2(started.ok(), qPrintable(started.ok() ? QString() : started.error().message));
    MasterDownload &download = **started;
    QVERIFY(!download.notModified());
    QCOMPARE(download.contentLength(), source.size());
    QCOMPARE(download.validators().etag, QString::fromLatin1(Etag));
    QCOMPARE(download.validators().lastModified, QString::fromLatin1(LastModified));
    QVERIFY(download.body().isSequential());

    HashingReader hashing(download.body());
    const Drained got = drain(hashing, 1 << 20);
    QVERIFY2(!got.failed, qPrintable(got.error));
    QCOMPARE(got.bytes.size(), source.size());
    QVERIFY(got.bytes == source);
    QCOMPARE(hashing.sha256Hex(), sha256Hex(source));
    QCOMPARE(hashing.bytesHashed(), source.size());
    QVERIFY(hashing.atEnd());
    QVERIFY(download.body().atEnd());
    QCOMPARE(download.body().bytesAvailable(), 0);

    const Result<void> finished = download.finish();
    QVERIFY2(finished.ok(), qPrintable(finished.ok() ? QString() : finished.error().message));
    QCOMPARE(download.bytesReceived(), source.size());

    const auto requests = server.requests();
    QCOMPARE(requests.size(), 1);
    QCOMPARE(requests[0].method, QByteArray("GET"));
    QCOMPARE(requests[0].header("Accept-Encoding"), QByteArray("identity"));
    QVERIFY(requests[0].header("User-Agent").startsWith("Strikeline/"));
    QVERIFY(!requests[0].hasHeader("If-None-Match"));
    QVERIFY(!requests[0].hasHeader("If-Modified-Since"));
}

void tst_MasterDownload::readsMasterThroughGunzip()
{
    const QByteArray json = QByteArray("[") + NseFoOptionRow + "," + NseFoFutureRow + "," +
                            NseEqRow + "," + NseIndexRow + "]";
    const QByteArray gz = gzip(json);
    QVERIFY(!gz.isEmpty());

    FaultyHttpServer server;
    QVERIFY(server.isListening());
    HttpRoute route = HttpRoute::ok(gz, Etag, LastModified);
    route.addHeader("Content-Type", "application/gzip");
    server.setRoute("/market-quote/instruments/exchange/complete.json.gz", route);

    auto started = MasterDownload::start(
        server.url("/market-quote/instruments/exchange/complete.json.gz"), {}, quickOptions());
    QVERIFY2(started.ok(), qPrintable(started.ok() ? QString() : started.error().message));
    MasterDownload &download = **started;

    HashingReader hashing(download.body());
    std::vector<std::string> keys;
    const auto summary =
        readMaster(hashing, [&](InstrumentRecord &&r) { keys.push_back(r.instrumentKey); });
    QVERIFY2(summary.ok(), qPrintable(summary.ok() ? QString() : summary.error().message));
    QVERIFY(summary->gzip);
    QCOMPARE(summary->rowsAccepted, 4);
    QCOMPARE(summary->bytesConsumed, gz.size());
    QCOMPARE(summary->bytesDecoded, json.size());
    const std::vector<std::string> expected{"NSE_FO|41915", "NSE_FO|49543", "NSE_EQ|INE002A01018",
                                            "NSE_INDEX|Nifty 50"};
    QVERIFY(keys == expected);

    QVERIFY(download.finish().ok());
    QCOMPARE(hashing.sha256Hex(), sha256Hex(gz));
    QCOMPARE(download.bytesReceived(), gz.size());
}

void tst_MasterDownload::gzipBodyIsNotInflated()
{
    // A server that labels the .gz with Content-Encoding: gzip (some S3/CDN set-ups) must still
    // hand us the bytes on the wire: readMaster does the gunzip, and counts compressed bytes.
    const QByteArray gz = gzip(QByteArray("[") + NseEqRow + "]");
    FaultyHttpServer server;
    QVERIFY(server.isListening());
    HttpRoute route = HttpRoute::ok(gz);
    route.addHeader("Content-Encoding", "gzip");
    route.addHeader("Content-Type", "application/json");
    server.setRoute("/encoded.json.gz", route);

    auto started = MasterDownload::start(server.url("/encoded.json.gz"), {}, quickOptions());
    QVERIFY(started.ok());
    const Drained got = drain((*started)->body());
    QVERIFY(!got.failed);
    QVERIFY(got.bytes == gz);
    QVERIFY((*started)->finish().ok());
    QCOMPARE(server.requests().value(0).header("Accept-Encoding"), QByteArray("identity"));
}

void tst_MasterDownload::conditionalGetNotModified()
{
    FaultyHttpServer server;
    QVERIFY(server.isListening());
    const QByteArray source = randomBytes(64 * 1024, 7);
    server.setRoute("/complete.json.gz", HttpRoute::ok(source, Etag, LastModified));

    HttpValidators validators;
    {
        auto first = MasterDownload::start(server.url("/complete.json.gz"), {}, quickOptions());
        QVERIFY(first.ok());
        QVERIFY(!(*first)->notModified());
        QVERIFY(drain((*first)->body()).bytes == source);
        QVERIFY((*first)->finish().ok());
        validators = (*first)->validators();
    }
    QCOMPARE(validators.etag, QString::fromLatin1(Etag));

    auto second =
        MasterDownload::start(server.url("/complete.json.gz"), validators, quickOptions());
    QVERIFY2(second.ok(), qPrintable(second.ok() ? QString() : second.error().message));
    MasterDownload &download = **second;
    QVERIFY(download.notModified());
    QCOMPARE(download.validators().etag, QString::fromLatin1(Etag));
    QCOMPARE(download.validators().lastModified, QString::fromLatin1(LastModified));
    char byte = 0;
    QCOMPARE(download.body().read(&byte, 1), 0);
    QVERIFY(download.body().atEnd());
    QVERIFY(download.finish().ok());
    QCOMPARE(download.bytesReceived(), 0);

    const auto requests = server.requests();
    QCOMPARE(requests.size(), 2);
    QCOMPARE(requests[1].header("If-None-Match"), QByteArray(Etag));
    QCOMPARE(requests[1].header("If-Modified-Since"), QByteArray(LastModified));
}

void tst_MasterDownload::httpErrorStatus_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("expected");
    QTest::newRow("500") << 500 << "HTTP 500 Internal Server Error from ";
    QTest::newRow("404") << 404 << "HTTP 404 Not Found from ";
    QTest::newRow("503") << 503 << "HTTP 503 Service Unavailable from ";
    QTest::newRow("403") << 403 << "HTTP 403 Forbidden from ";
}

void tst_MasterDownload::httpErrorStatus()
{
    QFETCH(int, status);
    QFETCH(QString, expected);
    FaultyHttpServer server;
    QVERIFY(server.isListening());
    server.setRoute("/broken.json.gz", HttpRoute::withStatus(status));

    const QUrl url = server.url("/broken.json.gz");
    auto started = MasterDownload::start(url, {}, quickOptions());
    QVERIFY(!started.ok());
    QCOMPARE(started.error().code, ErrorCode::Network);
    QCOMPARE(started.error().message, expected + url.toDisplayString());
}

void tst_MasterDownload::stallIsAnErrorNamingTheByteCount()
{
    FaultyHttpServer server;
    QVERIFY(server.isListening());
    HttpRoute route = HttpRoute::ok(randomBytes(1 << 20, 3));
    route.stallAfter = 100 * 1024;
    server.setRoute("/stall.json.gz", route);

    DownloadOptions options = quickOptions();
    options.stallTimeoutMs = 500;
    QElapsedTimer clock;
    clock.start();
    auto started = MasterDownload::start(server.url("/stall.json.gz"), {}, options);
    QVERIFY(started.ok());
    MasterDownload &download = **started;

    const Drained got = drain(download.body(), 1 << 20);
    QVERIFY(got.failed);
    QCOMPARE(got.bytes.size(), 100 * 1024);
    QVERIFY2(got.error.contains("stalled after 102,400 bytes: no data for 500 ms"),
             qPrintable(got.error));

    const Result<void> finished = download.finish();
    QVERIFY(!finished.ok());
    QCOMPARE(finished.error().code, ErrorCode::Network);
    QCOMPARE(finished.error().message, got.error);
    QVERIFY(finished.error().message.contains(server.url("/stall.json.gz").toDisplayString()));
    QCOMPARE(download.bytesReceived(), 100 * 1024);
    QVERIFY2(clock.elapsed() < GenerousMs, qPrintable(QString::number(clock.elapsed())));
}

void tst_MasterDownload::earlyCloseIsAnError()
{
    FaultyHttpServer server;
    QVERIFY(server.isListening());
    const QByteArray source = randomBytes(1 << 20, 4);
    HttpRoute route = HttpRoute::ok(source);
    route.closeAfter = 300 * 1024;
    server.setRoute("/short.json.gz", route);

    auto started = MasterDownload::start(server.url("/short.json.gz"), {}, quickOptions());
    QVERIFY(started.ok());
    MasterDownload &download = **started;
    QCOMPARE(download.contentLength(), 1 << 20);

    const Drained got = drain(download.body());
    QVERIFY(got.failed);
    QVERIFY2(got.error.contains("connection closed after 307,200 of 1,048,576 bytes"),
             qPrintable(got.error));
    const Result<void> finished = download.finish();
    QVERIFY(!finished.ok());
    QCOMPARE(finished.error().code, ErrorCode::Network);
    QCOMPARE(finished.error().message, got.error);
    // Qt 6.4 may end such a reply without an error (it takes the close for the end of the
    // body) and may send the GET again on a new connection; neither may pass for success.
    QVERIFY(source.startsWith(got.bytes));
}

void tst_MasterDownload::cutOrOversizedResponseIsNamed_data()
{
    QTest::addColumn<int>("framing");
    QTest::addColumn<qint64>("closeAfter");
    QTest::addColumn<qint64>("headerBytes");
    QTest::addColumn<int>("answered");
    QTest::addColumn<QString>("expected");
    const int length = int(HttpRoute::Framing::ContentLength);
    const int chunked = int(HttpRoute::Framing::Chunked);
    QTest::newRow("body cut, Qt's retry never answered")
        << length << qint64(300 * 1024) << qint64(0) << 1
        << "connection closed after 307,200 of 1,048,576 bytes";
    QTest::newRow("body cut at a piece boundary")
        << length << qint64(256 * 1024) << qint64(0) << -1
        << "connection closed after 262,144 of 1,048,576 bytes";
    // Before, Qt dropped these headers (the framing with them) and the download "stalled"
    // after the whole body.
    QTest::newRow("1 MB header") << length << qint64(-1) << qint64(1 << 20) << -1
                                 << "response headers from";
    QTest::newRow("1 MB header, chunked")
        << chunked << qint64(-1) << qint64(1 << 20) << -1 << "response headers from";
    QTest::newRow("200 KB header")
        << length << qint64(-1) << qint64(200 << 10) << -1 << "response headers from";
    QTest::newRow("64 KB header is fine")
        << length << qint64(-1) << qint64(64 << 10) << -1 << "ok, 1048576 bytes";
}

void tst_MasterDownload::cutOrOversizedResponseIsNamed()
{
    QFETCH(int, framing);
    QFETCH(qint64, closeAfter);
    QFETCH(qint64, headerBytes);
    QFETCH(int, answered);
    QFETCH(QString, expected);
    FaultyHttpServer server;
    QVERIFY(server.isListening());
    const QByteArray source = randomBytes(1 << 20, 21);
    HttpRoute route = HttpRoute::ok(source);
    route.framing = static_cast<HttpRoute::Framing>(framing);
    route.closeAfter = closeAfter;
    route.answeredRequests = answered;
    if (headerBytes > 0)
        route.addHeader("X-Padding", QByteArray(headerBytes, 'a'));
    server.setRoute("/m.json.gz", route);

    // A stall timeout far beyond the bound of the test: only a named failure passes.
    DownloadOptions options = quickOptions();
    options.stallTimeoutMs = 120000;
    options.connectTimeoutMs = 120000;
    auto started = MasterDownload::start(server.url("/m.json.gz"), {}, options);
    QString outcome;
    if (!started.ok()) {
        outcome = started.error().message;
    } else {
        const Drained got = drain((*started)->body());
        const Result<void> finished = (*started)->finish();
        outcome = finished.ok() ? QString("ok, %1 bytes").arg(got.bytes.size())
                                : finished.error().message;
        QVERIFY(source.startsWith(got.bytes) || !finished.ok());
    }
    QVERIFY2(outcome.contains(expected), qPrintable(outcome));
    QVERIFY2(!outcome.contains("stalled"), qPrintable(outcome));
}

void tst_MasterDownload::droppedConnectionIsNeverSpliced_data()
{
    QTest::addColumn<qint64>("bufferBytes");
    QTest::addColumn<int>("readerDelayMs");
    QTest::newRow("reader keeps up") << qint64(8 << 20) << 0;
    QTest::newRow("reader behind, Qt throttled") << qint64(256 * 1024) << 300;
}

void tst_MasterDownload::droppedConnectionIsNeverSpliced()
{
    // The server drops the first connection a quarter of the way in and would serve a retry in
    // full. Whatever Qt does underneath (it may send the GET again on its own), the download
    // must fail, and the reader must only ever see a prefix of the file: never two responses
    // spliced together.
    QFETCH(qint64, bufferBytes);
    QFETCH(int, readerDelayMs);
    FaultyHttpServer server;
    QVERIFY(server.isListening());
    const QByteArray source = randomBytes(4 << 20, 12);
    HttpRoute route = HttpRoute::ok(source);
    route.closeAfter = 1 << 20;
    route.faultyRequests = 1;
    server.setRoute("/flaky", route);

    DownloadOptions options = quickOptions();
    options.bufferBytes = bufferBytes;
    auto started = MasterDownload::start(server.url("/flaky"), {}, options);
    QVERIFY(started.ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(readerDelayMs));
    const Drained got = drain((*started)->body(), 64 * 1024);
    const Result<void> finished = (*started)->finish();
    QVERIFY(got.failed);
    QVERIFY(source.startsWith(got.bytes));
    QVERIFY(!finished.ok());
    QCOMPARE(finished.error().code, ErrorCode::Network);
    QVERIFY2(finished.error().message.contains(" of 4,194,304 bytes"),
             qPrintable(finished.error().message));
    QVERIFY((*started)->bytesReceived() <= 1 << 20);
}

void tst_MasterDownload::redirectIsFollowed_data()
{
    QTest::addColumn<bool>("absolute");
    QTest::addColumn<int>("status");
    QTest::newRow("302 absolute") << true << 302;
    QTest::newRow("301 relative") << false << 301;
    QTest::newRow("307 absolute") << true << 307;
}

void tst_MasterDownload::redirectIsFollowed()
{
    QFETCH(bool, absolute);
    QFETCH(int, status);
    FaultyHttpServer server;
    QVERIFY(server.isListening());
    const QByteArray source = randomBytes(512 * 1024, 5);
    const QByteArray target = "/new/complete.json.gz";
    server.setRoute("/old/complete.json.gz",
                    HttpRoute::redirect(absolute ? server.absolute(target) : target, status));
    server.setRoute(target, HttpRoute::ok(source, Etag));

    HttpValidators previous;
    previous.etag = QStringLiteral("\"stale\"");
    auto started =
        MasterDownload::start(server.url("/old/complete.json.gz"), previous, quickOptions());
    QVERIFY2(started.ok(), qPrintable(started.ok() ? QString() : started.error().message));
    // The final response's headers only: the 3xx's Content-Length must not leak into them.
    QCOMPARE((*started)->contentLength(), source.size());
    QCOMPARE((*started)->validators().etag, QString::fromLatin1(Etag));
    QVERIFY(drain((*started)->body()).bytes == source);
    const Result<void> finished = (*started)->finish();
    QVERIFY2(finished.ok(), qPrintable(finished.ok() ? QString() : finished.error().message));

    const auto requests = server.requests();
    QCOMPARE(requests.size(), 2);
    QCOMPARE(requests[0].path, QByteArray("/old/complete.json.gz"));
    QCOMPARE(requests[1].path, target);
    QCOMPARE(requests[1].header("Accept-Encoding"), QByteArray("identity"));
    QCOMPARE(requests[1].header("If-None-Match"), QByteArray("\"stale\""));
    QVERIFY(requests[1].header("User-Agent").startsWith("Strikeline/"));
}

void tst_MasterDownload::badRedirects_data()
{
    QTest::addColumn<QByteArray>("location");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<int>("expectedRequests");
    QTest::newRow("loop") << QByteArray("/loop") << "more than 10 redirects from " << 11;
    QTest::newRow("no Location") << QByteArray() << "HTTP 302 without a usable Location from " << 1;
    QTest::newRow("not http") << QByteArray("ftp://127.0.0.1/complete.json.gz")
                              << "refusing the redirect from " << 1;
}

void tst_MasterDownload::badRedirects()
{
    QFETCH(QByteArray, location);
    QFETCH(QString, expected);
    QFETCH(int, expectedRequests);
    FaultyHttpServer server;
    QVERIFY(server.isListening());
    server.setRoute("/loop", HttpRoute::redirect(location));

    QElapsedTimer clock;
    clock.start();
    auto started = MasterDownload::start(server.url("/loop"), {}, quickOptions());
    QVERIFY(!started.ok());
    QCOMPARE(started.error().code, ErrorCode::Network);
    QVERIFY2(started.error().message.startsWith(expected), qPrintable(started.error().message));
    QVERIFY2(started.error().message.contains(server.url("/loop").toDisplayString()),
             qPrintable(started.error().message));
    QCOMPARE(server.requestCount("/loop"), expectedRequests);
    QVERIFY(clock.elapsed() < GenerousMs);
}

void tst_MasterDownload::noContentLength_data()
{
    QTest::addColumn<int>("framing");
    QTest::newRow("chunked") << static_cast<int>(HttpRoute::Framing::Chunked);
    QTest::newRow("connection close") << static_cast<int>(HttpRoute::Framing::CloseDelimited);
}

void tst_MasterDownload::noContentLength()
{
    QFETCH(int, framing);
    FaultyHttpServer server;
    QVERIFY(server.isListening());
    const QByteArray source = randomBytes(3 << 20, 6);
    HttpRoute route = HttpRoute::ok(source);
    route.framing = static_cast<HttpRoute::Framing>(framing);
    server.setRoute("/unframed", route);

    auto started = MasterDownload::start(server.url("/unframed"), {}, quickOptions());
    QVERIFY(started.ok());
    QCOMPARE((*started)->contentLength(), -1);
    const Drained got = drain((*started)->body(), 256 * 1024);
    QVERIFY2(!got.failed, qPrintable(got.error));
    QVERIFY(got.bytes == source);
    const Result<void> finished = (*started)->finish();
    QVERIFY2(finished.ok(), qPrintable(finished.ok() ? QString() : finished.error().message));
}

void tst_MasterDownload::trickleReportsProgressOnTheNetworkThread()
{
    FaultyHttpServer server;
    QVERIFY(server.isListening());
    const QByteArray source = randomBytes(256 * 1024, 8);
    HttpRoute route = HttpRoute::ok(source);
    route.trickleBytes = 16 * 1024;
    route.trickleIntervalMs = 20;
    server.setRoute("/trickle", route);

    std::mutex mutex;
    std::vector<std::pair<std::int64_t, std::int64_t>> calls;
    bool allOnNetworkThread = true;
    DownloadOptions options = quickOptions();
    options.stallTimeoutMs = 5000;
    options.progress = [&](std::int64_t received, std::int64_t total) {
        std::lock_guard lock(mutex);
        calls.emplace_back(received, total);
        allOnNetworkThread =
            allOnNetworkThread && QThread::currentThread()->objectName() == "MasterDownload";
    };
    auto started = MasterDownload::start(server.url("/trickle"), {}, options);
    QVERIFY(started.ok());
    QVERIFY(drain((*started)->body(), 4096).bytes == source);
    QVERIFY((*started)->finish().ok());

    std::lock_guard lock(mutex);
    QVERIFY(calls.size() >= 2);
    QVERIFY(allOnNetworkThread);
    for (std::size_t i = 1; i < calls.size(); ++i)
        QVERIFY(calls[i].first > calls[i - 1].first);
    QCOMPARE(calls.back().first, source.size());
    QCOMPARE(calls.back().second, source.size());
}

void tst_MasterDownload::cancelMidTransfer()
{
    FaultyHttpServer server;
    QVERIFY(server.isListening());
    HttpRoute route = HttpRoute::ok(randomBytes(4 << 20, 9));
    route.trickleBytes = 16 * 1024;
    route.trickleIntervalMs = 10;
    server.setRoute("/slow", route);

    std::atomic_bool cancel{false};
    DownloadOptions options = quickOptions();
    options.cancel = &cancel;
    auto started = MasterDownload::start(server.url("/slow"), {}, options);
    QVERIFY(started.ok());
    MasterDownload &download = **started;

    QByteArray buffer(64 * 1024, Qt::Uninitialized);
    qint64 total = 0;
    while (total < 64 * 1024) {
        const qint64 n = download.body().read(buffer.data(), buffer.size());
        QVERIFY(n > 0);
        total += n;
    }
    cancel = true;
    QElapsedTimer clock;
    clock.start();
    const Drained rest = drain(download.body());
    QVERIFY(rest.failed);
    QVERIFY2(rest.error.contains("cancelled"), qPrintable(rest.error));
    const Result<void> finished = download.finish();
    QVERIFY(!finished.ok());
    QCOMPARE(finished.error().code, ErrorCode::Cancelled);
    QVERIFY2(finished.error().message.contains("cancelled after"),
             qPrintable(finished.error().message));
    QVERIFY(clock.elapsed() < GenerousMs);
    QVERIFY(download.bytesReceived() < 4 << 20);
}

void tst_MasterDownload::cancelWakesABlockedReader()
{
    FaultyHttpServer server;
    QVERIFY(server.isListening());
    HttpRoute route = HttpRoute::ok(randomBytes(1 << 20, 10));
    route.stallAfter = 1000;
    server.setRoute("/silent-body", route);

    std::atomic_bool cancel{false};
    DownloadOptions options = quickOptions();
    options.stallTimeoutMs = 60000; // only the cancel can end this
    options.cancel = &cancel;
    auto started = MasterDownload::start(server.url("/silent-body"), {}, options);
    QVERIFY(started.ok());

    QElapsedTimer clock;
    clock.start();
    std::thread canceller([&cancel] {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        cancel = true;
    });
    const Drained got = drain((*started)->body());
    canceller.join();
    QVERIFY(got.failed);
    QCOMPARE(got.bytes.size(), 1000);
    QVERIFY(clock.elapsed() < GenerousMs);
    const Result<void> finished = (*started)->finish();
    QVERIFY(!finished.ok());
    QCOMPARE(finished.error().code, ErrorCode::Cancelled);
}

void tst_MasterDownload::cancelBeforeTheHeaders()
{
    FaultyHttpServer server;
    QVERIFY(server.isListening());
    HttpRoute route;
    route.silent = true;
    server.setRoute("/mute", route);

    std::atomic_bool cancel{false};
    DownloadOptions options = quickOptions();
    options.connectTimeoutMs = 60000; // only the cancel can end this
    options.cancel = &cancel;
    std::thread canceller([&cancel] {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        cancel = true;
    });
    QElapsedTimer clock;
    clock.start();
    auto started = MasterDownload::start(server.url("/mute"), {}, options);
    canceller.join();
    QVERIFY(!started.ok());
    QCOMPARE(started.error().code, ErrorCode::Cancelled);
    QVERIFY(clock.elapsed() < GenerousMs);
}

void tst_MasterDownload::throwingProgressFailsTheDownload()
{
    FaultyHttpServer server;
    QVERIFY(server.isListening());
    server.setRoute("/body", HttpRoute::ok(randomBytes(256 * 1024, 13)));

    DownloadOptions options = quickOptions();
    options.progress = [](std::int64_t, std::int64_t) { throw std::runtime_error("boom"); };
    auto started = MasterDownload::start(server.url("/body"), {}, options);
    QVERIFY(started.ok()); // the headers came before any body bytes
    const Drained got = drain((*started)->body());
    QVERIFY(got.failed);
    const Result<void> finished = (*started)->finish();
    QVERIFY(!finished.ok());
    QCOMPARE(finished.error().code, ErrorCode::Internal);
    QVERIFY2(finished.error().message.contains("progress callback"),
             qPrintable(finished.error().message));
}

void tst_MasterDownload::boundedBufferWithSlowReader()
{
    FaultyHttpServer server;
    QVERIFY(server.isListening());
    const QByteArray source = patternBytes(50 << 20);
    server.setRoute("/huge", HttpRoute::ok(source));

    constexpr qint64 BufferBytes = 1 << 20;
    DownloadOptions options = quickOptions();
    options.bufferBytes = BufferBytes;
    options.stallTimeoutMs = 500; // the reader's pause below is longer: it must not count
    auto started = MasterDownload::start(server.url("/huge"), {}, options);
    QVERIFY(started.ok());
    MasterDownload &download = **started;
    auto *pipe = dynamic_cast<BlockingPipe *>(&download.body());
    QVERIFY(pipe);

    // The server sends as fast as it can while nobody reads: the pipe fills and stays full.
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    QVERIFY(pipe->highWater() > 0);
    QVERIFY(pipe->highWater() <= BufferBytes);
    QVERIFY(download.bytesReceived() <= BufferBytes);

    HashingReader hashing(download.body());
    const Drained got = drain(hashing, 64 * 1024, 1);
    QVERIFY2(!got.failed, qPrintable(got.error));
    QCOMPARE(got.bytes.size(), source.size());
    QCOMPARE(hashing.sha256Hex(), sha256Hex(source));
    QVERIFY(download.finish().ok());
    QVERIFY2(pipe->highWater() <= BufferBytes, qPrintable(QString::number(pipe->highWater())));
}

void tst_MasterDownload::finishDiscardsUnreadBytes()
{
    FaultyHttpServer server;
    QVERIFY(server.isListening());
    const QByteArray source = randomBytes(5 << 20, 11);
    server.setRoute("/partly-read", HttpRoute::ok(source));

    DownloadOptions options = quickOptions();
    options.bufferBytes = 256 * 1024;
    auto started = MasterDownload::start(server.url("/partly-read"), {}, options);
    QVERIFY(started.ok());
    char buffer[4096];
    QVERIFY((*started)->body().read(buffer, sizeof buffer) > 0);
    const Result<void> finished = (*started)->finish();
    QVERIFY2(finished.ok(), qPrintable(finished.ok() ? QString() : finished.error().message));
    QCOMPARE((*started)->bytesReceived(), source.size());
    QCOMPARE((*started)->body().read(buffer, sizeof buffer), -1);
}

void tst_MasterDownload::destroyMidTransfer_data()
{
    QTest::addColumn<QByteArray>("mode");
    QTest::newRow("pipe full, nothing read") << QByteArray("full");
    QTest::newRow("after reading some") << QByteArray("partial");
    QTest::newRow("server stalled") << QByteArray("stalled");
    QTest::newRow("trickling") << QByteArray("trickle");
    QTest::newRow("right after start") << QByteArray("immediate");
}

void tst_MasterDownload::destroyMidTransfer()
{
    QFETCH(QByteArray, mode);
    FaultyHttpServer server;
    QVERIFY(server.isListening());
    HttpRoute route = HttpRoute::ok(patternBytes(20 << 20));
    if (mode == "stalled")
        route.stallAfter = 50 * 1024;
    if (mode == "trickle") {
        route.trickleBytes = 8 * 1024;
        route.trickleIntervalMs = 5;
    }
    server.setRoute("/doomed", route);

    DownloadOptions options = quickOptions();
    options.bufferBytes = 512 * 1024;
    options.progress = [](std::int64_t, std::int64_t) {};
    auto started = MasterDownload::start(server.url("/doomed"), {}, options);
    QVERIFY(started.ok());
    std::unique_ptr<MasterDownload> download = std::move(*started);

    if (mode == "full" || mode == "stalled" || mode == "trickle")
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
    if (mode == "partial" || mode == "trickle") {
        char buffer[16 * 1024];
        QVERIFY(download->body().read(buffer, sizeof buffer) > 0);
    }
    QElapsedTimer clock;
    clock.start();
    download.reset();
    QVERIFY(clock.elapsed() < GenerousMs);
}

void tst_MasterDownload::connectionRefused()
{
    const quint16 port = unusedPort();
    QVERIFY(port != 0);
    const QUrl url(QStringLiteral("http://127.0.0.1:%1/complete.json.gz").arg(port));
    QElapsedTimer clock;
    clock.start();
    auto started = MasterDownload::start(url, {}, quickOptions());
    QVERIFY(!started.ok());
    QCOMPARE(started.error().code, ErrorCode::Network);
    QVERIFY2(started.error().message.startsWith("could not download " + url.toDisplayString()),
             qPrintable(started.error().message));
    QVERIFY2(started.error().message.contains("refused", Qt::CaseInsensitive),
             qPrintable(started.error().message));
    QVERIFY(clock.elapsed() < GenerousMs);
}

void tst_MasterDownload::headerTimeout()
{
    FaultyHttpServer server;
    QVERIFY(server.isListening());
    HttpRoute route;
    route.silent = true;
    server.setRoute("/mute", route);

    DownloadOptions options = quickOptions();
    options.connectTimeoutMs = 500;
    QElapsedTimer clock;
    clock.start();
    auto started = MasterDownload::start(server.url("/mute"), {}, options);
    QVERIFY(!started.ok());
    QCOMPARE(started.error().code, ErrorCode::Network);
    QCOMPARE(started.error().message,
             "no response from " + server.url("/mute").toDisplayString() + " within 500 ms");
    QVERIFY(clock.elapsed() < GenerousMs);
}

void tst_MasterDownload::rejectsNonHttpUrl()
{
    auto started = MasterDownload::start(QUrl("ftp://127.0.0.1/complete.json.gz"), {});
    QVERIFY(!started.ok());
    QCOMPARE(started.error().code, ErrorCode::InvalidArgument);
}

void tst_MasterDownload::hashingReaderHashesWhatItHandsOut()
{
    // InstrumentSync opens the reader again (ReadOnly): it must stay unbuffered, or QIODevice
    // would read ahead and hash bytes nobody has been handed yet.
    const QByteArray source = randomBytes(100 * 1000, 14);
    QBuffer buffer;
    buffer.setData(source);
    QVERIFY(buffer.open(QIODevice::ReadOnly));
    HashingReader hashing(buffer);
    QVERIFY(hashing.open(QIODevice::ReadOnly));
    QVERIFY(!hashing.open(QIODevice::ReadWrite));
    QVERIFY(hashing.isOpen());
    char head[10];
    QCOMPARE(hashing.read(head, sizeof head), qint64(sizeof head));
    QCOMPARE(hashing.bytesHashed(), qint64(sizeof head));
    QCOMPARE(hashing.sha256Hex(), sha256Hex(source.left(sizeof head)));
    QCOMPARE(hashing.bytesAvailable(), source.size() - qint64(sizeof head));
    const QByteArray rest = hashing.readAll();
    QCOMPARE(QByteArray(head, sizeof head) + rest, source);
    QVERIFY(hashing.atEnd());
    QCOMPARE(hashing.sha256Hex(), sha256Hex(source));
}

QTEST_GUILESS_MAIN(tst_MasterDownload)
#include "tst_masterdownload.moc"
