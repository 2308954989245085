#include "api/ApiToken.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QStandardPaths>

#include <array>

namespace strikeline::api {

namespace {

constexpr qsizetype MinTokenLength = 32;
constexpr qsizetype MaxTokenLength = 256;

constexpr QFileDevice::Permissions OwnerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
constexpr QFileDevice::Permissions GroupOrOthers =
    QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ExeGroup |
    QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther;

// Visible ASCII without spaces: what fits in an Authorization header unquoted.
bool isTokenText(const QByteArray &text)
{
    if (text.size() < MinTokenLength || text.size() > MaxTokenLength)
        return false;
    for (const char c : text) {
        if (c <= ' ' || c > '~')
            return false;
    }
    return true;
}

QByteArray newToken()
{
    std::array<quint32, 8> words{};
    QRandomGenerator::system()->fillRange(words.data(), static_cast<qsizetype>(words.size()));
    return QByteArray(reinterpret_cast<const char *>(words.data()),
                      static_cast<qsizetype>(sizeof(words)))
        .toHex();
}

QString octal(QFileDevice::Permissions p)
{
    int mode = 0;
    const std::array<std::pair<QFileDevice::Permission, int>, 9> bits{{
        {QFileDevice::ReadOwner, 0400},
        {QFileDevice::WriteOwner, 0200},
        {QFileDevice::ExeOwner, 0100},
        {QFileDevice::ReadGroup, 040},
        {QFileDevice::WriteGroup, 020},
        {QFileDevice::ExeGroup, 010},
        {QFileDevice::ReadOther, 04},
        {QFileDevice::WriteOther, 02},
        {QFileDevice::ExeOther, 01},
    }};
    for (const auto &[flag, value] : bits) {
        if (p.testFlag(flag))
            mode |= value;
    }
    return QStringLiteral("%1").arg(mode, 4, 8, QLatin1Char('0'));
}

Result<ApiToken> readToken(const QString &path)
{
    const QFileInfo info(path);
    if (!info.isFile())
        return Error::make(ErrorCode::Io,
                           QStringLiteral("the API token file %1 is not a regular file").arg(path));
    if (info.permissions() & GroupOrOthers) {
        return Error::make(ErrorCode::Validation,
                           QStringLiteral("the API token file %1 has permissions %2: others could "
                                          "read it and use the API. Run 'chmod 600 %1' (or "
                                          "delete it to get a new token)")
                               .arg(path, octal(info.permissions())));
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return Error::make(
            ErrorCode::Io,
            QStringLiteral("cannot read the API token file %1: %2").arg(path, file.errorString()));
    }
    // A token is short; anything much longer is not one (and is not read whole).
    const QByteArray text = file.read(MaxTokenLength + 2).trimmed();
    if (!isTokenText(text)) {
        return Error::make(ErrorCode::Validation,
                           QStringLiteral("the API token file %1 does not hold a token (%2 to %3 "
                                          "visible ASCII characters); delete it to get a new one")
                               .arg(path)
                               .arg(MinTokenLength)
                               .arg(MaxTokenLength));
    }
    return ApiToken{text, path, false};
}

} // namespace

QString defaultTokenDirectory()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation);
}

Result<ApiToken> loadOrCreateToken(const QString &directory)
{
    if (directory.isEmpty())
        return Error::make(ErrorCode::InvalidArgument,
                           QStringLiteral("no configuration directory for the API token"));
    const QString path = QDir(directory).filePath(QLatin1String(TokenFileName));
    if (QFileInfo::exists(path) || QFileInfo(path).isSymLink())
        return readToken(path);

    if (!QDir().mkpath(directory))
        return Error::make(
            ErrorCode::Io,
            QStringLiteral("cannot create the directory %1 for the API token").arg(directory));
    QFile file(path);
    // NewOnly (O_EXCL) with 0600 from the start: the token is never readable by others, not
    // even for a moment, and two servers starting at once do not overwrite each other's token.
    if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly, OwnerOnly)) {
        if (QFileInfo::exists(path))
            return readToken(path); // the other one won the race: use its token
        return Error::make(ErrorCode::Io, QStringLiteral("cannot create the API token file %1: %2")
                                              .arg(path, file.errorString()));
    }
    const QByteArray token = newToken();
    if (file.write(token + '\n') != token.size() + 1 || !file.flush()) {
        const QString reason = file.errorString();
        file.close();
        file.remove();
        return Error::make(
            ErrorCode::Io,
            QStringLiteral("cannot write the API token file %1: %2").arg(path, reason));
    }
    file.close();
    return ApiToken{token, path, true};
}

bool tokensEqual(QByteArrayView expected, QByteArrayView given)
{
    // Every byte of `expected` is looked at whatever `given` holds; a length mismatch only
    // flips the result. The token length is not a secret (it is fixed).
    unsigned diff = expected.size() == given.size() ? 0u : 1u;
    for (qsizetype i = 0; i < expected.size(); ++i) {
        const char g = i < given.size() ? given[i] : '\0';
        diff |= static_cast<unsigned>(static_cast<unsigned char>(expected[i]) ^
                                      static_cast<unsigned char>(g));
    }
    return diff == 0 && !expected.isEmpty();
}

} // namespace strikeline::api
