#pragma once

// The simulator's session and faults over plain HTTP, for tests that talk to a running
// `strikeline-cli upstox-sim` (SimProcess): the daily login as a browser and the app would do
// it (the auto-approving dialog's 302 gives a code, exchanged for a token), and POST /sim/fault
// (docs/upstox-sim.md, "Faults"). The target links Qt6::Network.

#include <QByteArray>
#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>
#include <QUrl>
#include <QUrlQuery>

#include <memory>

namespace strikeline::testing {

// Waits for `reply` to finish (at most `limitMs`: a hang is a failure) and owns it from then on.
inline std::unique_ptr<QNetworkReply> finished(QNetworkReply *reply, int limitMs = 20000)
{
    if (!reply->isFinished()) {
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        QTimer::singleShot(limitMs, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return std::unique_ptr<QNetworkReply>(reply);
}

// POST /sim/fault; true when the simulator took it.
inline bool simFault(const QUrl &sim, const QString &name, const QString &value = {})
{
    QNetworkAccessManager nam;
    QNetworkRequest request(sim.resolved(QUrl(QStringLiteral("/sim/fault"))));
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    QJsonObject body{{QStringLiteral("name"), name}};
    if (!value.isEmpty())
        body.insert(QStringLiteral("value"), value);
    const auto reply =
        finished(nam.post(request, QJsonDocument(body).toJson(QJsonDocument::Compact)));
    return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 200;
}

// A daily access token from the simulator's default app; empty when the login failed.
inline QByteArray simLogin(const QUrl &sim)
{
    const QString redirect = QStringLiteral("http://127.0.0.1:5055/upstox/callback");
    QNetworkAccessManager nam;
    QUrl dialog = sim.resolved(QUrl(QStringLiteral("/v2/login/authorization/dialog")));
    dialog.setQuery(QUrlQuery{{QStringLiteral("response_type"), QStringLiteral("code")},
                              {QStringLiteral("client_id"), QStringLiteral("strikeline-sim")},
                              {QStringLiteral("redirect_uri"), redirect},
                              {QStringLiteral("state"), QStringLiteral("s1")}});
    QNetworkRequest first(dialog);
    first.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                       QNetworkRequest::ManualRedirectPolicy);
    const QUrl location(QString::fromUtf8(finished(nam.get(first))->rawHeader("Location")));
    const QString code = QUrlQuery(location).queryItemValue(QStringLiteral("code"));
    if (code.isEmpty())
        return {};
    QUrlQuery form{{QStringLiteral("code"), code},
                   {QStringLiteral("client_id"), QStringLiteral("strikeline-sim")},
                   {QStringLiteral("client_secret"), QStringLiteral("sim-secret")},
                   {QStringLiteral("redirect_uri"), redirect},
                   {QStringLiteral("grant_type"), QStringLiteral("authorization_code")}};
    QNetworkRequest exchange(sim.resolved(QUrl(QStringLiteral("/v2/login/authorization/token"))));
    exchange.setHeader(QNetworkRequest::ContentTypeHeader,
                       QByteArrayLiteral("application/x-www-form-urlencoded"));
    const auto answer = finished(nam.post(exchange, form.toString(QUrl::FullyEncoded).toUtf8()));
    const QJsonObject body = QJsonDocument::fromJson(answer->readAll()).object();
    return body.value(QLatin1String("access_token")).toString().toUtf8();
}

} // namespace strikeline::testing
