#pragma once

#include "common/Result.h"

#include <QByteArray>
#include <QString>
#include <QUrl>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>

class QIODevice;

namespace strikeline {

// What the previous successful download of the same URL said, for a conditional GET.
struct HttpValidators
{
    QString etag;         // sent as If-None-Match
    QString lastModified; // sent as If-Modified-Since
};

struct DownloadOptions
{
    int connectTimeoutMs = 30000;       // until the response headers arrive
    int stallTimeoutMs = 30000;         // longest silence allowed while the body streams
    std::int64_t bufferBytes = 4 << 20; // bytes held between the network and the reader
    // Called on the network thread (not the reader's) after each chunk; total -1: unknown.
    // It must not block, and must not throw (an exception fails the download).
    std::function<void(std::int64_t received, std::int64_t total)> progress;
    const std::atomic_bool *cancel = nullptr; // polled by both threads; fails with Cancelled
};

// A master being downloaded, streamed to its reader as it arrives. The network runs on a
// thread of its own (one QNetworkAccessManager, created and destroyed there); body() is a
// blocking, sequential QIODevice for the reader's thread, holding at most bufferBytes.
// A network failure, a stall or a cancel shows up as a read error on body() and in finish().
class MasterDownload
{
public:
    ~MasterDownload(); // aborts a transfer still running, joins the network thread

    // Sends the GET (conditional when validators are given) and waits for the response
    // headers. Fails with ErrorCode::Network on connection errors, timeouts and any HTTP status
    // other than 200 and 304, with a message naming the URL and the status; Cancelled when
    // options.cancel is set first; InvalidArgument for a URL that is not http(s).
    static Result<std::unique_ptr<MasterDownload>>
    start(const QUrl &url, const HttpValidators &previous, const DownloadOptions &options = {});

    bool notModified() const;           // 304: the master is unchanged since `previous`
    HttpValidators validators() const;  // what this response said (ETag, Last-Modified)
    std::int64_t contentLength() const; // -1 when the server did not say
    QIODevice &body();                  // the bytes as they arrive; empty for a 304

    // Waits for the transfer to end. ok only when every byte arrived (and, when the server
    // gave a Content-Length, exactly that many). Bytes body() still holds unread, and any that
    // arrive later, are discarded: call it after reading body() to its end.
    Result<void> finish();
    std::int64_t bytesReceived() const;

    MasterDownload(const MasterDownload &) = delete;
    MasterDownload &operator=(const MasterDownload &) = delete;

private:
    MasterDownload();
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace strikeline
