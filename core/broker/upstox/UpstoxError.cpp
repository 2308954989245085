#include "UpstoxError.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace strikeline::upstox {

namespace {

struct CodeEntry
{
    UpstoxErrorKind kind;
    const char *message;
};

// Every code in upstox-reference.md (§3.2, §3.3, §3.4, §3.5, §3.9). Where the reference names a
// code without its meaning (modify's UDAPI1004/1007/1055/1056), the message says only what is
// known and Upstox's own text, always shown too, says the rest.
const QHash<QString, CodeEntry> &codeTable()
{
    using K = UpstoxErrorKind;
    static const QHash<QString, CodeEntry> table = {
        {QStringLiteral("UDAPI100050"),
         {K::Token, "Your Upstox session has expired or the token is not valid: log in again"}},
        {QStringLiteral("UDAPI10005"),
         {K::RateLimit, "Upstox is limiting requests (too many too fast): wait a moment and try "
                        "again"}},
        {QStringLiteral("UDAPI100067"),
         {K::Permission, "This is not allowed with the read-only extended token: log in for a "
                         "daily token"}},
        {QStringLiteral("UDAPI100036"),
         {K::Input, "Upstox refused the request as invalid: check the values sent"}},
        {QStringLiteral("UDAPI100038"),
         {K::Input, "Upstox refused the request as invalid: check the values sent"}},
        {QStringLiteral("UDAPI100500"),
         {K::Server, "Upstox had an internal error: try again shortly"}},
        {QStringLiteral("UDAPI100068"),
         {K::Input, "The API key or redirect URI does not match your Upstox app: check both in "
                    "Settings (the redirect URI must match the registered one exactly)"}},
        {QStringLiteral("UDAPI100072"),
         {K::MarketClosed, "Funds and margin are served from 5:30 AM to midnight IST only"}},
        {QStringLiteral("UDAPI1026"), {K::Input, "The instrument key is missing"}},
        {QStringLiteral("UDAPI1052"), {K::Order, "The order quantity must be more than zero"}},
        {QStringLiteral("UDAPI1118"),
         {K::Order, "The sliced order would need more than 25 orders: lower the quantity"}},
        {QStringLiteral("UDAPI1154"),
         {K::StaticIp, "Upstox accepts orders only from your registered static IP, and this "
                       "machine's address is not it: register it in your Upstox app or trade "
                       "from the registered machine"}},
        {QStringLiteral("UDAPI1156"),
         {K::Order, "The algo name sent with the order is not registered with Upstox"}},
        {QStringLiteral("UDAPI1158"),
         {K::Order, "Market orders are blocked for this contract: use a limit order"}},
        {QStringLiteral("UDAPI1161"), {K::Permission, "MCX orders are disabled for this account"}},
        {QStringLiteral("UDAPI1004"), {K::Order, "Upstox refused the modification"}},
        {QStringLiteral("UDAPI1007"), {K::Order, "Upstox refused the modification"}},
        {QStringLiteral("UDAPI1055"), {K::Order, "Upstox refused the modification"}},
        {QStringLiteral("UDAPI1056"), {K::Order, "Upstox refused the modification"}},
        {QStringLiteral("UDAPI1023"), {K::Input, "The order id is missing"}},
        {QStringLiteral("UDAPI100010"), {K::NotFound, "Upstox does not know this order"}},
        {QStringLiteral("UDAPI100040"),
         {K::Order, "The order is already complete, cancelled or rejected: it cannot be "
                    "cancelled"}},
        {QStringLiteral("UDAPI100049"),
         {K::Permission, "Upstox asks for Uplink Business for this request"}},
        {QStringLiteral("UDAPI1009"), {K::Input, "Upstox refused the instrument keys asked for"}},
        {QStringLiteral("UDAPI1011"), {K::Input, "Upstox refused the instrument keys asked for"}},
        {QStringLiteral("UDAPI1087"), {K::Input, "Upstox refused the instrument keys asked for"}},
        {QStringLiteral("UDAPI100043"), {K::Input, "Upstox refused the instrument keys asked for"}},
        {QStringLiteral("UDAPI100060"), {K::NotFound, "Upstox does not serve this address"}},
    };
    return table;
}

UpstoxErrorKind kindFromStatus(int status)
{
    switch (status) {
    case 401:
        return UpstoxErrorKind::Token;
    case 403:
        return UpstoxErrorKind::Permission;
    case 404:
    case 410:
        return UpstoxErrorKind::NotFound;
    case 429:
        return UpstoxErrorKind::RateLimit;
    default:
        break;
    }
    if (status >= 500)
        return UpstoxErrorKind::Server;
    if (status >= 400)
        return UpstoxErrorKind::Input;
    return UpstoxErrorKind::Other;
}

QString messageFromKind(UpstoxErrorKind kind, int status)
{
    switch (kind) {
    case UpstoxErrorKind::Token:
        return QStringLiteral("Your Upstox session has expired or the token is not valid: log "
                              "in again");
    case UpstoxErrorKind::RateLimit:
        return QStringLiteral("Upstox is limiting requests (too many too fast): wait a moment "
                              "and try again");
    case UpstoxErrorKind::Permission:
        return QStringLiteral("Upstox does not allow this for your app or account");
    case UpstoxErrorKind::NotFound:
        return QStringLiteral("Upstox does not know what was asked for");
    case UpstoxErrorKind::Server:
        return QStringLiteral("Upstox is not answering properly (HTTP %1): try again shortly")
            .arg(status);
    case UpstoxErrorKind::Funds:
        return QStringLiteral("Not enough funds or margin for this");
    case UpstoxErrorKind::MarketClosed:
        return QStringLiteral("The market or the service is closed at this hour");
    default:
        return QStringLiteral("Upstox refused the request (HTTP %1)").arg(status);
    }
}

// Codes we do not know, told by what Upstox says: funds and market hours have no code of their
// own in the reference, but their messages are plain.
std::optional<UpstoxErrorKind> kindFromText(const QString &text)
{
    const QString t = text.toLower();
    if (t.contains(QLatin1String("insufficient")) || t.contains(QLatin1String("fund")) ||
        t.contains(QLatin1String("margin")))
        return UpstoxErrorKind::Funds;
    if (t.contains(QLatin1String("market is closed")) ||
        t.contains(QLatin1String("market closed")) || t.contains(QLatin1String("after market")) ||
        t.contains(QLatin1String("outside market hours")))
        return UpstoxErrorKind::MarketClosed;
    if (t.contains(QLatin1String("static ip")))
        return UpstoxErrorKind::StaticIp;
    return std::nullopt;
}

} // namespace

QString UpstoxError::toString() const
{
    if (code.isEmpty() && upstoxMessage.isEmpty())
        return message;
    QString detail = code.isEmpty() ? QStringLiteral("Upstox") : QStringLiteral("Upstox ") + code;
    if (!upstoxMessage.isEmpty())
        detail += QStringLiteral(": ") + upstoxMessage;
    return message + QStringLiteral(" (") + detail + u')';
}

Error UpstoxError::toError() const
{
    ErrorCode category = ErrorCode::Validation;
    switch (kind) {
    case UpstoxErrorKind::Network:
    case UpstoxErrorKind::Server:
    case UpstoxErrorKind::RateLimit:
        category = ErrorCode::Network;
        break;
    case UpstoxErrorKind::Malformed:
        category = ErrorCode::Parse;
        break;
    case UpstoxErrorKind::Cancelled:
        category = ErrorCode::Cancelled;
        break;
    case UpstoxErrorKind::NotFound:
        category = ErrorCode::NotFound;
        break;
    case UpstoxErrorKind::Input:
        category = ErrorCode::InvalidArgument;
        break;
    default:
        break;
    }
    return Error::make(category, toString());
}

std::optional<std::pair<UpstoxErrorKind, QString>> describeCode(const QString &code)
{
    const auto it = codeTable().constFind(code);
    if (it == codeTable().cend())
        return std::nullopt;
    return std::make_pair(it->kind, QString::fromUtf8(it->message));
}

UpstoxError parseError(int httpStatus, const QByteArray &body)
{
    UpstoxError error;
    error.httpStatus = httpStatus;
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (document.isObject()) {
        const QJsonObject object = document.object();
        const QJsonArray errors = object.value(QLatin1String("errors")).toArray();
        if (!errors.isEmpty()) {
            const QJsonObject first = errors.first().toObject();
            error.code = first.value(QLatin1String("error_code")).toString();
            if (error.code.isEmpty())
                error.code = first.value(QLatin1String("errorCode")).toString();
            error.upstoxMessage = first.value(QLatin1String("message")).toString();
        } else if (object.contains(QLatin1String("message"))) {
            error.upstoxMessage = object.value(QLatin1String("message")).toString();
        }
    } else if (!body.trimmed().isEmpty() && httpStatus >= 400) {
        // Not Upstox's JSON (a proxy's page, a bare text): keep a short, printable piece of it.
        error.upstoxMessage = QString::fromUtf8(body.left(160)).simplified();
    }

    if (const auto known = describeCode(error.code)) {
        error.kind = known->first;
        error.message = known->second;
    } else if (const auto byText = kindFromText(error.upstoxMessage)) {
        error.kind = *byText;
        error.message = messageFromKind(error.kind, httpStatus);
    } else {
        error.kind = kindFromStatus(httpStatus);
        error.message = messageFromKind(error.kind, httpStatus);
    }
    // 401 is the authority on the token, whatever code came with it.
    if (httpStatus == 401 && error.kind != UpstoxErrorKind::Token) {
        error.kind = UpstoxErrorKind::Token;
        error.message = messageFromKind(UpstoxErrorKind::Token, httpStatus);
    }
    return error;
}

UpstoxError fromTransport(const Error &error)
{
    UpstoxError e;
    if (error.code == ErrorCode::Cancelled) {
        e.kind = UpstoxErrorKind::Cancelled;
        e.message = QStringLiteral("Cancelled");
    } else if (error.code == ErrorCode::InvalidArgument) {
        e.kind = UpstoxErrorKind::Input;
        e.message = error.message;
    } else {
        e.kind = UpstoxErrorKind::Network;
        e.message = QStringLiteral("Upstox could not be reached: ") + error.message;
    }
    return e;
}

UpstoxError malformed(const QString &what)
{
    UpstoxError e;
    e.kind = UpstoxErrorKind::Malformed;
    e.httpStatus = 200;
    e.message = QStringLiteral("Upstox sent an answer that cannot be read: ") + what;
    return e;
}

} // namespace strikeline::upstox
