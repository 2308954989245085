#include "UpstoxUrls.h"

#include <QHostAddress>
#include <QJsonObject>
#include <QSettings>

namespace strikeline::upstox {

std::vector<net::RateWindow> standardRateLimit()
{
    return {{50, 1000}, {500, 60 * 1000}, {2000, 30 * 60 * 1000}};
}

std::vector<net::RateWindow> multiOrderRateLimit()
{
    return {{4, 1000}, {40, 60 * 1000}, {160, 30 * 60 * 1000}};
}

namespace {

bool isLoopback(const QUrl &url)
{
    if (url.host().compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress address(url.host());
    return !address.isNull() && address.isLoopback();
}

QUrl join(const QUrl &base, const QString &path, const QUrlQuery &query)
{
    QUrl url = base;
    QString prefix = base.path();
    if (prefix.endsWith(u'/'))
        prefix.chop(1);
    url.setPath(prefix + path);
    if (!query.isEmpty())
        url.setQuery(query);
    return url;
}

} // namespace

Result<UpstoxUrls> UpstoxUrls::fromBase(const QString &base)
{
    const QUrl url = QUrl::fromUserInput(base.trimmed());
    const QString scheme = url.scheme().toLower();
    if (!url.isValid() || url.host().isEmpty() ||
        (scheme != QLatin1String("https") && scheme != QLatin1String("http")))
        return Error::make(ErrorCode::InvalidArgument,
                           QStringLiteral("'%1' is not an http(s) URL for Upstox").arg(base));
    if (scheme == QLatin1String("http") && !isLoopback(url))
        return Error::make(ErrorCode::InvalidArgument,
                           QStringLiteral("refusing '%1': Upstox is reached over https only "
                                          "(plain http only to 127.0.0.1, the simulator)")
                               .arg(url.toDisplayString()));
    UpstoxUrls urls;
    QUrl root = url;
    root.setQuery(QString());
    root.setFragment(QString());
    urls.api = root;
    urls.order = root;
    urls.feed = root;
    urls.feed.setScheme(scheme == QLatin1String("https") ? QStringLiteral("wss")
                                                         : QStringLiteral("ws"));
    return urls;
}

Result<UpstoxUrls> UpstoxUrls::fromSettings(const QSettings &settings,
                                            const QProcessEnvironment &environment)
{
    const QString fromEnvironment = environment.value(QLatin1String(EnvironmentBaseUrl));
    if (!fromEnvironment.isEmpty()) {
        auto urls = fromBase(fromEnvironment);
        if (!urls)
            return Error::make(ErrorCode::InvalidArgument,
                               QStringLiteral("%1: %2").arg(QLatin1String(EnvironmentBaseUrl),
                                                            urls.error().message));
        return urls;
    }
    const QString fromSettings = settings.value(QLatin1String(SettingsBaseUrlKey)).toString();
    if (!fromSettings.isEmpty()) {
        auto urls = fromBase(fromSettings);
        if (!urls)
            return Error::make(ErrorCode::InvalidArgument,
                               QStringLiteral("settings %1: %2")
                                   .arg(QLatin1String(SettingsBaseUrlKey), urls.error().message));
        return urls;
    }
    return UpstoxUrls{};
}

bool UpstoxUrls::isLoopbackHttp() const
{
    return api.scheme() == QLatin1String("http") && isLoopback(api);
}

QUrl UpstoxUrls::apiUrl(const QString &path, const QUrlQuery &query) const
{
    return join(api, path, query);
}

QUrl UpstoxUrls::orderUrl(const QString &path, const QUrlQuery &query) const
{
    return join(order, path, query);
}

QUrl UpstoxUrls::feedUrl(const QString &path, const QUrlQuery &query) const
{
    return join(feed, path, query);
}

QUrl UpstoxUrls::loginDialogUrl(const QString &clientId, const QString &redirectUri,
                                const QString &state) const
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("response_type"), QStringLiteral("code"));
    // Percent-encoded in full: a redirect URI has its own ':' '/' '?' that must not be read as
    // part of ours.
    query.addQueryItem(QStringLiteral("client_id"),
                       QString::fromLatin1(QUrl::toPercentEncoding(clientId)));
    query.addQueryItem(QStringLiteral("redirect_uri"),
                       QString::fromLatin1(QUrl::toPercentEncoding(redirectUri)));
    query.addQueryItem(QStringLiteral("state"),
                       QString::fromLatin1(QUrl::toPercentEncoding(state)));
    return join(api, QStringLiteral("/v2/login/authorization/dialog"), query);
}

QUrl UpstoxUrls::tokenUrl() const
{
    return apiUrl(QStringLiteral("/v2/login/authorization/token"));
}

QUrl authorizedStreamUrl(const QJsonValue &data)
{
    const QJsonObject o = data.toObject();
    QString uri = o.value(QLatin1String("authorized_redirect_uri")).toString();
    if (uri.isEmpty())
        uri = o.value(QLatin1String("authorizedRedirectUri")).toString();
    return QUrl(uri);
}

Result<void> checkStreamUrl(const QUrl &url, bool allowLoopback)
{
    const QString scheme = url.scheme().toLower();
    if (!url.isValid() || url.host().isEmpty() ||
        (scheme != QLatin1String("wss") && scheme != QLatin1String("ws")))
        return Error::make(ErrorCode::Network,
                           QStringLiteral("Upstox's authorize gave no usable wss:// URL"));
    QUrl base;
    base.setScheme(scheme == QLatin1String("wss") ? QStringLiteral("https")
                                                  : QStringLiteral("http"));
    base.setHost(url.host());
    base.setPort(url.port());
    if (scheme == QLatin1String("wss") ||
        (allowLoopback && UpstoxUrls::fromBase(base.toString()).ok()))
        return {};
    return Error::make(ErrorCode::InvalidArgument,
                       QStringLiteral("The stream URL must be wss:// (ws:// only to a local "
                                      "simulator); got %1://%2")
                           .arg(scheme, url.host()));
}

} // namespace strikeline::upstox
