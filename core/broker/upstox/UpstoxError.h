#pragma once

// Upstox's errors, read from its error body and told in a trader's words.
//
//   {"status":"error","errors":[{"error_code":"UDAPI100050","message":"Invalid token used to
//     access API","property_path":null,"invalid_value":null}]}
//
// (upstox-reference.md §3.9; the camelCase errorCode is deprecated but still read.) Every code
// the reference lists has a message of its own; unknown codes fall back on the HTTP status and
// keep Upstox's text, which is always shown as well.

#include "common/Result.h"

#include <QByteArray>
#include <QString>

#include <optional>
#include <utility>
#include <variant>

namespace strikeline::upstox {

enum class UpstoxErrorKind {
    Token,        // log in again (401, UDAPI100050)
    RateLimit,    // too many requests (429, UDAPI10005)
    StaticIp,     // orders from an IP not registered with Upstox (UDAPI1154)
    MarketClosed, // outside the hours the service or the exchange accepts it
    Funds,        // not enough money or margin
    Input,        // the request itself is wrong (400 and most UDAPI1xxx)
    Order,        // the order cannot be placed, modified or cancelled as asked
    Permission,   // the app, the token type or the account may not do this (403)
    NotFound,     // 404, unknown order
    Server,       // Upstox failed (5xx)
    Network,      // no answer: refused, timed out, closed
    Malformed,    // an answer we cannot read
    Cancelled,
    Other,
};

struct UpstoxError
{
    UpstoxErrorKind kind = UpstoxErrorKind::Other;
    int httpStatus = 0;    // 0: no answer
    QString code;          // "UDAPI100050", empty when Upstox sent none
    QString upstoxMessage; // Upstox's own text, as sent
    QString message;       // for the trader: what happened and what to do

    // "Your Upstox session has expired: log in again (Upstox UDAPI100050: Invalid token ...)".
    QString toString() const;
    Error toError() const; // for code that speaks core's Error
};

// The trader's message for a UDAPI code; nullopt for a code we do not know.
std::optional<std::pair<UpstoxErrorKind, QString>> describeCode(const QString &code);

// An error answer (status >= 400, or a 2xx whose body says "status":"error"). A body that is not
// Upstox's JSON still gives an error named by the status.
UpstoxError parseError(int httpStatus, const QByteArray &body);
// A transport failure (HttpClient's Error) as an UpstoxError.
UpstoxError fromTransport(const Error &error);
UpstoxError malformed(const QString &what);

// A value, or Upstox's error.
template<typename T>
class [[nodiscard]] UpstoxResult
{
public:
    UpstoxResult(T value)
        : m_data(std::in_place_index<0>, std::move(value))
    {}
    UpstoxResult(UpstoxError error)
        : m_data(std::in_place_index<1>, std::move(error))
    {}

    bool ok() const { return m_data.index() == 0; }
    explicit operator bool() const { return ok(); }
    const T &value() const & { return std::get<0>(m_data); }
    T &value() & { return std::get<0>(m_data); }
    T &&value() && { return std::get<0>(std::move(m_data)); }
    const T *operator->() const { return &value(); }
    const T &operator*() const & { return value(); }
    const UpstoxError &error() const { return std::get<1>(m_data); }

private:
    std::variant<T, UpstoxError> m_data;
};

} // namespace strikeline::upstox
