#include "SimAuth.h"

#include "common/IstTime.h"

#include <QJsonArray>
#include <QRandomGenerator>
#include <QUrl>

#include <chrono>

namespace strikeline::sim {

QByteArray randomToken(int bytes)
{
    QByteArray raw(bytes, Qt::Uninitialized);
    QRandomGenerator *random = QRandomGenerator::system();
    for (int i = 0; i < bytes; ++i)
        raw[i] = static_cast<char>(random->bounded(256));
    return raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

bool constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    const qsizetype n = std::min(a.size(), b.size());
    for (qsizetype i = 0; i < n; ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

std::int64_t steadyNowMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

namespace {

constexpr int ExpiryMinuteOfDay = 3 * 60 + 30;

ApiError invalidToken()
{
    return {401,
            QStringLiteral("UDAPI100050"),
            QStringLiteral("Invalid token used to access API"),
            {},
            QJsonValue::Null};
}

} // namespace

QJsonObject SimUser::profileJson() const
{
    return QJsonObject{
        {QStringLiteral("email"), email},
        {QStringLiteral("exchanges"),
         QJsonArray{QStringLiteral("NSE"), QStringLiteral("NFO"), QStringLiteral("BSE"),
                    QStringLiteral("BFO"), QStringLiteral("MCX"), QStringLiteral("CDS")}},
        {QStringLiteral("products"), QJsonArray{QStringLiteral("D"), QStringLiteral("I"),
                                                QStringLiteral("CO"), QStringLiteral("MTF")}},
        {QStringLiteral("broker"), QStringLiteral("UPSTOX")},
        {QStringLiteral("user_id"), userId},
        {QStringLiteral("user_name"), userName},
        {QStringLiteral("order_types"),
         QJsonArray{QStringLiteral("MARKET"), QStringLiteral("LIMIT"), QStringLiteral("SL"),
                    QStringLiteral("SL-M")}},
        {QStringLiteral("user_type"), QStringLiteral("individual")},
        {QStringLiteral("poa"), false},
        {QStringLiteral("ddpi"), false},
        {QStringLiteral("is_active"), true},
    };
}

SimAuth::SimAuth(const Clock &clock, SimCredentials credentials, SimUser user)
    : m_clock(clock)
    , m_credentials(std::move(credentials))
    , m_user(std::move(user))
{}

std::int64_t SimAuth::expiryFor(std::int64_t issuedMs)
{
    const IstMoment issued{issuedMs};
    const EpochDay day = issued.minuteOfDay() < ExpiryMinuteOfDay ? issued.day() : issued.day() + 1;
    return IstMoment::fromDay(day, ExpiryMinuteOfDay).epochMs;
}

HttpResponse SimAuth::authorizationDialog(const HttpRequest &request)
{
    const QString clientId =
        request.query.queryItemValue(QStringLiteral("client_id"), QUrl::FullyDecoded);
    const QString redirectUri =
        request.query.queryItemValue(QStringLiteral("redirect_uri"), QUrl::FullyDecoded);
    const QString responseType =
        request.query.queryItemValue(QStringLiteral("response_type"), QUrl::FullyDecoded);
    if (!responseType.isEmpty() && responseType != QLatin1String("code"))
        return ApiError{400, QStringLiteral("UDAPI100036"),
                        QStringLiteral("Invalid response_type: only 'code' is supported"),
                        QStringLiteral("response_type"), responseType}
            .toResponse();
    if (clientId != m_credentials.clientId || redirectUri != m_credentials.redirectUri)
        return ApiError{400,
                        QStringLiteral("UDAPI100068"),
                        QStringLiteral("Check your 'client_id' and 'redirect_uri'; one or both "
                                       "are incorrect."),
                        {},
                        QJsonValue::Null}
            .toResponse();
    const QByteArray code = randomToken(9);
    m_codes.insert(code, {redirectUri, steadyNowMs()});
    QByteArray location = redirectUri.toUtf8();
    location += location.contains('?') ? '&' : '?';
    location += "code=" + code;
    if (request.query.hasQueryItem(QStringLiteral("state")))
        location += "&state=" + QUrl::toPercentEncoding(request.query.queryItemValue(
                                    QStringLiteral("state"), QUrl::FullyDecoded));
    return HttpResponse::redirect(location);
}

HttpResponse SimAuth::exchangeToken(const HttpRequest &request)
{
    const auto missing = [](const QString &field) {
        return ApiError{400, QStringLiteral("UDAPI100036"),
                        QStringLiteral("%1 is required").arg(field), field, QJsonValue::Null}
            .toResponse();
    };
    const QString fields[] = {QStringLiteral("code"), QStringLiteral("client_id"),
                              QStringLiteral("client_secret"), QStringLiteral("redirect_uri"),
                              QStringLiteral("grant_type")};
    // The code is spent by any attempt that names it, successful or not (as Upstox's is).
    const QByteArray code = request.formValue(QStringLiteral("code")).toUtf8();
    const auto found = m_codes.constFind(code);
    const bool codeKnown = !code.isEmpty() && found != m_codes.constEnd() &&
                           steadyNowMs() - found->createdSteadyMs <= AuthCodeLifetimeMs;
    const QString codeRedirect = found != m_codes.constEnd() ? found->redirectUri : QString();
    if (!code.isEmpty())
        m_codes.remove(code);
    for (const QString &field : fields)
        if (request.formValue(field).isEmpty())
            return missing(field);
    if (request.formValue(QStringLiteral("grant_type")) != QLatin1String("authorization_code"))
        return ApiError{400, QStringLiteral("UDAPI100036"),
                        QStringLiteral("Invalid grant_type: expected authorization_code"),
                        QStringLiteral("grant_type"), QJsonValue::Null}
            .toResponse();
    const bool clientOk = constantTimeEquals(
        request.formValue(QStringLiteral("client_id")).toUtf8(), m_credentials.clientId.toUtf8());
    const bool secretOk =
        constantTimeEquals(request.formValue(QStringLiteral("client_secret")).toUtf8(),
                           m_credentials.clientSecret.toUtf8());
    const QString redirect = request.formValue(QStringLiteral("redirect_uri"));
    if (!clientOk || !secretOk || redirect != m_credentials.redirectUri)
        return ApiError{400,
                        QStringLiteral("UDAPI100016"),
                        QStringLiteral("Invalid Credentials"),
                        {},
                        QJsonValue::Null}
            .toResponse();
    if (!codeKnown || codeRedirect != redirect)
        return ApiError{400, QStringLiteral("UDAPI100057"), QStringLiteral("Invalid Auth code"),
                        QStringLiteral("code"), QJsonValue::Null}
            .toResponse();

    const std::int64_t now = m_clock.now().epochMs;
    const QByteArray token = randomToken(32);
    m_tokens.insert(token, {m_user.userId, now, expiryFor(now), false, false});
    const QByteArray extended = randomToken(32);
    // The token response is flat, without the status wrapper (the SDK's TokenResponse model).
    QJsonObject answer = m_user.profileJson();
    answer.insert(QStringLiteral("access_token"), QString::fromLatin1(token));
    answer.insert(QStringLiteral("extended_token"), QString::fromLatin1(extended));
    return HttpResponse::json(answer);
}

bool SimAuth::expired(const Token &token, std::int64_t nowMs) const
{
    if (token.revoked || nowMs >= token.expiresMs)
        return true;
    return m_forcedExpiryMs && token.issuedMs < *m_forcedExpiryMs && nowMs >= *m_forcedExpiryMs;
}

std::optional<ApiError> SimAuth::authenticate(const HttpRequest &request, Session &session) const
{
    const QByteArray token = request.bearerToken();
    if (!m_credentials.analyticsToken.isEmpty() &&
        constantTimeEquals(token, m_credentials.analyticsToken)) {
        // Upstox's answer to an Analytics Token on an API it does not open is NOT FOUND; the
        // simulator answers as for any token that API does not take (docs/upstox-sim.md).
        if (!mayUseAnalyticsToken(request.path))
            return invalidToken();
        session.userId = m_user.userId;
        session.token = token;
        session.analytics = true;
        return std::nullopt;
    }
    const auto it = m_tokens.constFind(token);
    if (token.isEmpty() || it == m_tokens.constEnd() || expired(*it, m_clock.now().epochMs))
        return invalidToken();
    session.userId = it->userId;
    session.token = token;
    return std::nullopt;
}

bool SimAuth::mayUseAnalyticsToken(const QString &path)
{
    static const QStringList exact{QStringLiteral("/v2/market-quote/quotes"),
                                   QStringLiteral("/v3/market-quote/ltp"),
                                   QStringLiteral("/v3/market-quote/option-greek"),
                                   QStringLiteral("/v2/option/chain"),
                                   QStringLiteral("/v2/option/contract"),
                                   QStringLiteral("/v2/market/holidays"),
                                   QStringLiteral("/v3/feed/market-data-feed"),
                                   QStringLiteral("/v3/feed/market-data-feed/authorize")};
    return exact.contains(path) || path.startsWith(QLatin1String("/v2/market/timings/")) ||
           path.startsWith(QLatin1String("/v2/market/holidays/"));
}

bool SimAuth::isValid(const QByteArray &token) const
{
    if (!m_credentials.analyticsToken.isEmpty() &&
        constantTimeEquals(token, m_credentials.analyticsToken))
        return true;
    const auto it = m_tokens.constFind(token);
    return it != m_tokens.constEnd() && !expired(*it, m_clock.now().epochMs);
}

bool SimAuth::revoke(const QByteArray &token)
{
    auto it = m_tokens.find(token);
    if (it == m_tokens.end() || it->revoked)
        return false;
    it->revoked = true;
    it->announced = true;
    return true;
}

QList<QByteArray> SimAuth::revokeAll()
{
    QList<QByteArray> revoked;
    for (auto it = m_tokens.begin(); it != m_tokens.end(); ++it) {
        if (!it->revoked && !it->announced)
            revoked.append(it.key());
        it->revoked = true;
        it->announced = true;
    }
    return revoked;
}

void SimAuth::setForcedExpiry(std::optional<std::int64_t> epochMs)
{
    m_forcedExpiryMs = epochMs;
}

QList<QByteArray> SimAuth::collectExpired()
{
    QList<QByteArray> gone;
    const std::int64_t now = m_clock.now().epochMs;
    for (auto it = m_tokens.begin(); it != m_tokens.end(); ++it) {
        if (!it->announced && expired(*it, now)) {
            it->announced = true;
            gone.append(it.key());
        }
    }
    return gone;
}

} // namespace strikeline::sim
