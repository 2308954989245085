#pragma once

// The simulator's own small HTTP/1.1: a request head parsed from the bytes a socket has so far,
// a response serialised, and Upstox's error body. Only what Upstox's clients send: no chunked
// request bodies, no multipart, no TLS (docs/upstox-sim.md, "Why a hand-written front door").

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QPair>
#include <QString>
#include <QUrlQuery>

namespace strikeline::sim {

inline constexpr qsizetype MaxHeadBytes = 64 * 1024;
inline constexpr qsizetype MaxBodyBytes = 4 * 1024 * 1024;

struct HttpRequest
{
    QByteArray method;  // "GET"
    QByteArray target;  // "/v2/order/details?order_id=1"
    QByteArray version; // "HTTP/1.1"
    QString path;       // percent-decoded path: "/v2/market/timings/2025-12-09"
    QUrlQuery query;
    QList<QPair<QByteArray, QByteArray>> headers; // names lower-cased
    QByteArray body;

    QByteArray header(const QByteArray &lowerName) const;
    bool keepAlive() const;          // HTTP/1.1 unless "Connection: close" (1.0: only keep-alive)
    bool isWebSocketUpgrade() const; // "Upgrade: websocket" with "Connection: upgrade"
    qsizetype contentLength() const; // -1 when the header is malformed; 0 when absent
    // The bearer token of "Authorization: Bearer X"; empty when there is none.
    QByteArray bearerToken() const;
    // A query or form parameter (form bodies: application/x-www-form-urlencoded).
    QString formValue(const QString &name) const;
};

enum class HeadStatus { Incomplete, Complete, Malformed, TooLarge };

// Parses the request head at the start of `buffer`. On Complete, `request` has everything but
// the body and `headBytes` is the head's length including the blank line.
HeadStatus parseRequestHead(const QByteArray &buffer, HttpRequest &request, qsizetype &headBytes);

struct HttpResponse
{
    int status = 200;
    QByteArray contentType = "application/json";
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers; // extra headers (Location, Retry-After ...)

    static HttpResponse json(const QJsonObject &object, int status = 200);
    static HttpResponse redirect(const QByteArray &location);
};

QByteArray reasonPhrase(int status);
QByteArray serializeResponse(const HttpResponse &response, bool keepAlive);

// Upstox's error body: {"status":"error","errors":[{"error_code","message","property_path",
// "invalid_value"}]} (upstox-reference.md §3.9; the SDK's Problem model reads both spellings,
// the camelCase ones deprecated).
struct ApiError
{
    int status = 400;
    QString code;    // "UDAPI100050"
    QString message; // Upstox's own wording where known
    QString propertyPath;
    QJsonValue invalidValue = QJsonValue::Null;

    HttpResponse toResponse() const;
};

// {"status":"success","data":...}
HttpResponse upstoxSuccess(const QJsonValue &data, int status = 200);

} // namespace strikeline::sim
