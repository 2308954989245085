#pragma once

// What the API's routes share (ApiServer.cpp, OrderRoutes.cpp): a reply, the JSON error every
// failure answers with ({"error": code, "status": n, "message": text}, docs/api.md), a core
// error mapped to the status a client can act on, and a query string checked against the
// parameters an endpoint takes. Internal to strikeline_api.

#include "common/Result.h"

#include <QByteArray>
#include <QHttpServerResponder>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>
#include <QUrl>

#include <initializer_list>
#include <utility>
#include <vector>

namespace strikeline::api::detail {

using Status = QHttpServerResponder::StatusCode;

struct Reply
{
    Reply() = default;
    Reply(Status s, QByteArray b)
        : status(s)
        , body(std::move(b))
    {}

    Status status = Status::Ok;
    QByteArray body;
    QByteArray allow; // a 405's Allow header: the methods the path takes
};

inline QByteArray toJson(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

inline Reply error(Status status, const char *code, const QString &message)
{
    return {status, toJson(QJsonObject{{QStringLiteral("error"), QLatin1String(code)},
                                       {QStringLiteral("status"), static_cast<int>(status)},
                                       {QStringLiteral("message"), message}})};
}

inline Reply badRequest(const QString &message)
{
    return error(Status::BadRequest, "bad_request", message);
}

inline Reply notFound(const QString &message)
{
    return error(Status::NotFound, "not_found", message);
}

// application/x-www-form-urlencoded: '+' is a space (what Python's requests and HTML forms
// send), then percent-decoding as UTF-8.
inline QString formDecode(QByteArray encoded)
{
    encoded.replace('+', ' ');
    return QUrl::fromPercentEncoding(encoded);
}

// The query string of one request, checked against the parameters the endpoint takes: an
// unknown or repeated parameter is a 400, so a typo ("strike=5") never silently means
// "every strike".
class Params
{
public:
    static Result<Params> parse(const QUrl &url, std::initializer_list<const char *> allowed)
    {
        Params params;
        const QByteArray query = url.query(QUrl::FullyEncoded).toUtf8();
        for (const QByteArray &item : query.split('&')) {
            if (item.isEmpty())
                continue;
            const qsizetype eq = item.indexOf('=');
            const QString name = formDecode(eq < 0 ? item : item.left(eq));
            const QString value = eq < 0 ? QString() : formDecode(item.mid(eq + 1));
            bool known = false;
            for (const char *a : allowed)
                known = known || name == QLatin1String(a);
            if (!known) {
                QStringList names;
                for (const char *a : allowed)
                    names << QLatin1String(a);
                return Error::make(ErrorCode::InvalidArgument,
                                   names.isEmpty()
                                       ? QStringLiteral("unknown parameter '%1': this endpoint "
                                                        "takes none")
                                             .arg(name)
                                       : QStringLiteral("unknown parameter '%1' (this endpoint "
                                                        "takes %2)")
                                             .arg(name, names.join(QStringLiteral(", "))));
            }
            if (params.find(name))
                return Error::make(ErrorCode::InvalidArgument,
                                   QStringLiteral("parameter '%1' is given twice").arg(name));
            params.m_items.emplace_back(name, value);
        }
        return params;
    }

    const QString *find(const QString &name) const
    {
        for (const auto &[n, v] : m_items) {
            if (n == name)
                return &v;
        }
        return nullptr;
    }
    const QString *find(const char *name) const { return find(QString::fromLatin1(name)); }

private:
    std::vector<std::pair<QString, QString>> m_items;
};

// Maps a core error to the HTTP status a client can act on.
inline Reply fromError(const Error &e)
{
    switch (e.code) {
    case ErrorCode::InvalidArgument:
        return badRequest(e.message);
    case ErrorCode::NotFound:
        return notFound(e.message);
    case ErrorCode::Conflict:
        return error(Status::Conflict, "conflict", e.message);
    case ErrorCode::Network:
        return error(Status::BadGateway, "broker_unreachable", e.message);
    default:
        return error(Status::InternalServerError, "internal", e.message);
    }
}

} // namespace strikeline::api::detail
