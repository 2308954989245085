#include "SimHttp.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QUrl>

namespace strikeline::sim {

QByteArray HttpRequest::header(const QByteArray &lowerName) const
{
    for (const auto &[name, value] : headers)
        if (name == lowerName)
            return value;
    return {};
}

namespace {

bool headerHasToken(const QByteArray &value, const QByteArray &token)
{
    for (const QByteArray &part : value.split(','))
        if (part.trimmed().toLower() == token)
            return true;
    return false;
}

} // namespace

bool HttpRequest::keepAlive() const
{
    const QByteArray connection = header("connection");
    if (version == "HTTP/1.0")
        return headerHasToken(connection, "keep-alive");
    return !headerHasToken(connection, "close");
}

bool HttpRequest::isWebSocketUpgrade() const
{
    return method == "GET" && header("upgrade").trimmed().toLower() == "websocket" &&
           headerHasToken(header("connection"), "upgrade");
}

qsizetype HttpRequest::contentLength() const
{
    const QByteArray value = header("content-length").trimmed();
    if (value.isEmpty())
        return 0;
    bool ok = false;
    const qlonglong length = value.toLongLong(&ok);
    return ok && length >= 0 ? static_cast<qsizetype>(length) : -1;
}

QByteArray HttpRequest::bearerToken() const
{
    const QByteArray value = header("authorization").trimmed();
    const qsizetype space = value.indexOf(' ');
    if (space <= 0 || value.left(space).toLower() != "bearer")
        return {};
    return value.mid(space + 1).trimmed();
}

QString HttpRequest::formValue(const QString &name) const
{
    if (header("content-type").toLower().startsWith("application/x-www-form-urlencoded")) {
        // '+' is a space in a form body (QUrlQuery leaves it alone).
        QByteArray form = body;
        form.replace('+', ' ');
        const QUrlQuery bodyQuery(QString::fromUtf8(form));
        if (bodyQuery.hasQueryItem(name))
            return bodyQuery.queryItemValue(name, QUrl::FullyDecoded);
    }
    return query.queryItemValue(name, QUrl::FullyDecoded);
}

HeadStatus parseRequestHead(const QByteArray &buffer, HttpRequest &request, qsizetype &headBytes)
{
    const qsizetype end = buffer.indexOf("\r\n\r\n");
    if (end < 0)
        return buffer.size() > MaxHeadBytes ? HeadStatus::TooLarge : HeadStatus::Incomplete;
    if (end > MaxHeadBytes)
        return HeadStatus::TooLarge;
    headBytes = end + 4;
    const QList<QByteArray> lines = buffer.left(end).split('\n');
    const QList<QByteArray> requestLine = lines.first().trimmed().split(' ');
    if (requestLine.size() != 3 || !requestLine[2].startsWith("HTTP/1.") ||
        !requestLine[1].startsWith('/'))
        return HeadStatus::Malformed;
    request = HttpRequest();
    request.method = requestLine[0];
    request.target = requestLine[1];
    request.version = requestLine[2];
    const qsizetype question = request.target.indexOf('?');
    const QByteArray rawPath = question < 0 ? request.target : request.target.left(question);
    request.path = QUrl::fromPercentEncoding(rawPath);
    if (question >= 0) {
        // '+' in a query string is a space for the form encoding browsers and SDKs use.
        QByteArray rawQuery = request.target.mid(question + 1);
        rawQuery.replace('+', "%20");
        request.query.setQuery(QString::fromUtf8(rawQuery));
    }
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines[i].trimmed();
        if (line.isEmpty())
            continue;
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            return HeadStatus::Malformed;
        request.headers.append(
            {line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed()});
    }
    return HeadStatus::Complete;
}

HttpResponse HttpResponse::json(const QJsonObject &object, int status)
{
    HttpResponse r;
    r.status = status;
    r.body = QJsonDocument(object).toJson(QJsonDocument::Compact);
    return r;
}

HttpResponse HttpResponse::redirect(const QByteArray &location)
{
    HttpResponse r;
    r.status = 302;
    r.contentType = "text/plain";
    r.headers.append({"Location", location});
    return r;
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 101:
        return "Switching Protocols";
    case 200:
        return "OK";
    case 302:
        return "Found";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 413:
        return "Payload Too Large";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Status";
    }
}

QByteArray serializeResponse(const HttpResponse &response, bool keepAlive)
{
    QByteArray out;
    out.reserve(response.body.size() + 256);
    out += "HTTP/1.1 " + QByteArray::number(response.status) + ' ' + reasonPhrase(response.status) +
           "\r\n";
    out += "Content-Type: " + response.contentType + "\r\n";
    out += "Content-Length: " + QByteArray::number(response.body.size()) + "\r\n";
    for (const auto &[name, value] : response.headers)
        out += name + ": " + value + "\r\n";
    out += keepAlive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
    out += "\r\n";
    out += response.body;
    return out;
}

HttpResponse ApiError::toResponse() const
{
    QJsonObject error{
        {QStringLiteral("error_code"), code},
        {QStringLiteral("message"), message},
        {QStringLiteral("property_path"),
         propertyPath.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(propertyPath)},
        {QStringLiteral("invalid_value"), invalidValue},
    };
    return HttpResponse::json({{QStringLiteral("status"), QStringLiteral("error")},
                               {QStringLiteral("errors"), QJsonArray{error}}},
                              status);
}

HttpResponse upstoxSuccess(const QJsonValue &data, int status)
{
    return HttpResponse::json(
        {{QStringLiteral("status"), QStringLiteral("success")}, {QStringLiteral("data"), data}},
        status);
}

} // namespace strikeline::sim
