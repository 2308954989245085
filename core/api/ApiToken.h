#pragma once

// The bearer token of the local HTTP API. Created on the first start (32 random bytes from the
// operating system, as 64 hex digits) in a file named `api-token` that only its owner may read;
// read back on every later start, so scripts keep working across restarts. Anyone who can read
// the file can use the API: that is the whole access control, so a file that others can read is
// refused instead of used.

#include "common/Result.h"

#include <QByteArray>
#include <QString>

namespace strikeline::api {

inline constexpr auto TokenFileName = "api-token";

struct ApiToken
{
    QByteArray token;     // what clients send: "Authorization: Bearer <token>"
    QString path;         // the file it lives in
    bool created = false; // written by this call (first start)
};

// QStandardPaths::AppConfigLocation, e.g. ~/.config/Strikeline/strikeline on Linux.
QString defaultTokenDirectory();

// Reads `directory`/api-token, or creates it (and the directory) with permissions 0600 when it
// does not exist. Errors: the file is not a regular file, is readable or writable by group or
// others, cannot be read or written, or holds something that is not a token.
Result<ApiToken> loadOrCreateToken(const QString &directory);

// Compares in time that depends only on `expected`'s length, not on where `given` differs.
bool tokensEqual(QByteArrayView expected, QByteArrayView given);

} // namespace strikeline::api
