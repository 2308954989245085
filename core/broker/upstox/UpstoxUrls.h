#pragma once

// Where Upstox is: its real hosts by default, or one base for all of them (the simulator).
//
//   default                      api https://api.upstox.com, orders https://api-hft.upstox.com,
//                                feed wss://api.upstox.com
//   settings upstox/baseUrl      one base for api, orders and feed (feed: ws[s] of the same host)
//   STRIKELINE_UPSTOX_URL        the same, from the environment; wins over the settings
//
// A base must be https, or http to a loopback address (the local simulator, which speaks plain
// http on 127.0.0.1); anything else is refused with a message that says why.

#include "common/Result.h"
#include "net/RateLimiter.h"

#include <QJsonValue>
#include <QProcessEnvironment>
#include <QString>
#include <QUrl>
#include <QUrlQuery>

#include <vector>

class QSettings;

namespace strikeline::upstox {

// Upstox's own hosts, the defaults (upstox-reference.md §3.1). Nothing but a trader's session
// uses them: tests point everything at the simulator (STRIKELINE_UPSTOX_URL).
inline constexpr char UpstoxApiBase[] = "https://api.upstox.com";
inline constexpr char UpstoxOrderBase[] = "https://api-hft.upstox.com";
inline constexpr char UpstoxFeedBase[] = "wss://api.upstox.com";

inline constexpr char SettingsBaseUrlKey[] = "upstox/baseUrl";
inline constexpr char EnvironmentBaseUrl[] = "STRIKELINE_UPSTOX_URL";

// The names HttpClient knows the two limiters by, and Upstox's limits per API per user
// (upstox-reference.md §3.9).
inline constexpr char StandardLimit[] = "upstox-standard";
inline constexpr char MultiOrderLimit[] = "upstox-multi-order";
std::vector<net::RateWindow> standardRateLimit();   // 50/s, 500/min, 2000/30 min
std::vector<net::RateWindow> multiOrderRateLimit(); // 4/s, 40/min, 160/30 min

// The single-use ws[s] URL a feed's authorize answer hands out: `authorized_redirect_uri`, or
// the SDK's camelCase `authorizedRedirectUri` (upstox-live.md §1.4). Empty when it has none.
QUrl authorizedStreamUrl(const QJsonValue &data);
// wss, or ws to a loopback host when the REST side is loopback http too (the simulator): the
// same rule as the bases (https, or http to loopback), read on the ws[s] scheme.
Result<void> checkStreamUrl(const QUrl &url, bool allowLoopback);

struct UpstoxUrls
{
    QUrl api = QUrl(QLatin1String(UpstoxApiBase));
    QUrl order = QUrl(QLatin1String(UpstoxOrderBase));
    QUrl feed = QUrl(QLatin1String(UpstoxFeedBase));

    // Api, order and feed hosts at one base ("http://127.0.0.1:8080"); refused unless https or
    // loopback http.
    static Result<UpstoxUrls> fromBase(const QString &base);
    // STRIKELINE_UPSTOX_URL, else the settings key upstox/baseUrl, else Upstox's own hosts.
    static Result<UpstoxUrls>
    fromSettings(const QSettings &settings,
                 const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment());

    // True when the hosts are plain http on loopback: HttpClient must allow it.
    bool isLoopbackHttp() const;

    QUrl apiUrl(const QString &path, const QUrlQuery &query = {}) const;
    QUrl orderUrl(const QString &path, const QUrlQuery &query = {}) const;
    QUrl feedUrl(const QString &path, const QUrlQuery &query = {}) const;

    // Where the daily login starts (the authorization dialog) and where its code is exchanged.
    QUrl loginDialogUrl(const QString &clientId, const QString &redirectUri,
                        const QString &state) const;
    QUrl tokenUrl() const;
};

} // namespace strikeline::upstox
