#pragma once

#include <QByteArray>

namespace strikeline::net {

// Where the network layer gets the bearer token: read at the moment a request is sent (never
// cached by the client), so a token renewed by a new login is used by the next call, and a call
// queued behind the rate limiter does not carry yesterday's token.
//
// Both functions are called on the network thread: implementations must be thread-safe.
class TokenProvider
{
public:
    virtual ~TokenProvider() = default;

    // The current access token; empty when there is none (the request then goes without one).
    virtual QByteArray accessToken() const = 0;

    // The server refused `token` with 401. Authoritative, whatever the clock says; `token` lets
    // the provider ignore the refusal of a token it has already replaced.
    virtual void tokenRejected(const QByteArray &token) = 0;
};

} // namespace strikeline::net
