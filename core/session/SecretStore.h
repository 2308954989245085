#pragma once

// Where the Upstox secret and the daily token live (issue 11, upstox-live.md §3.3):
//
//   keychain     the OS keychain through QtKeychain, when a probe (write, read back, delete)
//                succeeds within a timeout, run off the GUI thread: QtKeychain's
//                isAvailable() only says libsecret loaded, not that a keyring answers, and
//                its jobs can hang
//   file         a 0600 file in the config folder, only when the user opted in
//   memory       otherwise: the daily token lives until the program ends (it dies at 03:30)
//   environment  UPSTOX_ACCESS_TOKEN, for scripts and CI (read-only)
//
// The store in use is reported (describe()) so the desktop and `whoami` can say which. Values
// never reach a log; every value read or written is registered with logging::addSecret.
// Keychain calls block their caller up to the timeout: call them off the GUI thread.

#include "common/Result.h"

#include <QByteArray>
#include <QHash>
#include <QMutex>
#include <QString>

#include <chrono>
#include <memory>
#include <optional>

namespace strikeline::session {

enum class SecretStoreKind { Keychain, File, Memory, Environment };

inline constexpr char AccessTokenEnvironment[] = "UPSTOX_ACCESS_TOKEN";

class SecretStore
{
public:
    virtual ~SecretStore() = default;
    virtual SecretStoreKind kind() const = 0;
    // nullopt: no such secret.
    virtual Result<std::optional<QByteArray>> read(const QString &key) = 0;
    virtual Result<void> write(const QString &key, const QByteArray &value) = 0;
    virtual Result<void> remove(const QString &key) = 0;
    // "the system keychain", "memory only (gone when Strikeline closes)", ...
    virtual QString describe() const = 0;
};

class MemorySecretStore final : public SecretStore
{
public:
    SecretStoreKind kind() const override { return SecretStoreKind::Memory; }
    Result<std::optional<QByteArray>> read(const QString &key) override;
    Result<void> write(const QString &key, const QByteArray &value) override;
    Result<void> remove(const QString &key) override;
    QString describe() const override;

private:
    QMutex m_mutex;
    QHash<QString, QByteArray> m_values;
};

// A JSON file readable by its owner only (0600, set before a byte is written), replaced
// atomically on every write. Refuses to read a file others can read.
class FileSecretStore final : public SecretStore
{
public:
    explicit FileSecretStore(QString path);
    SecretStoreKind kind() const override { return SecretStoreKind::File; }
    Result<std::optional<QByteArray>> read(const QString &key) override;
    Result<void> write(const QString &key, const QByteArray &value) override;
    Result<void> remove(const QString &key) override;
    QString describe() const override;
    const QString &path() const { return m_path; }
    // <config folder>/Strikeline/secrets.json
    static QString defaultPath();

private:
    Result<QHash<QString, QByteArray>> load() const;
    Result<void> save(const QHash<QString, QByteArray> &values) const;

    QString m_path;
    QMutex m_mutex;
};

class KeychainSecretStore final : public SecretStore
{
public:
    explicit KeychainSecretStore(QString service,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(5));
    SecretStoreKind kind() const override { return SecretStoreKind::Keychain; }
    Result<std::optional<QByteArray>> read(const QString &key) override;
    Result<void> write(const QString &key, const QByteArray &value) override;
    Result<void> remove(const QString &key) override;
    QString describe() const override;

    // Write, read back and delete a probe entry, each within the timeout, on the caller's
    // thread: every keychain call of a process must come from one long-lived thread (QtKeychain
    // runs its jobs through an object living on the thread of the first one).
    static Result<void> probe(const QString &service, std::chrono::milliseconds timeout);

private:
    QString m_service;
    std::chrono::milliseconds m_timeout;
};

// Wraps another store; the access token comes from UPSTOX_ACCESS_TOKEN and is never written.
class EnvironmentSecretStore final : public SecretStore
{
public:
    EnvironmentSecretStore(QByteArray accessToken, std::unique_ptr<SecretStore> rest);
    SecretStoreKind kind() const override { return SecretStoreKind::Environment; }
    Result<std::optional<QByteArray>> read(const QString &key) override;
    Result<void> write(const QString &key, const QByteArray &value) override;
    Result<void> remove(const QString &key) override;
    QString describe() const override;

private:
    QByteArray m_accessToken;
    std::unique_ptr<SecretStore> m_rest;
};

// The keys the session uses.
inline constexpr char AccessTokenKey[] = "upstox/access-token";
inline constexpr char ClientSecretKey[] = "upstox/client-secret";
// The optional one-year read-only Analytics Token (market data without the daily login).
inline constexpr char AnalyticsTokenKey[] = "upstox/analytics-token";
inline constexpr char AnalyticsTokenEnvironment[] = "UPSTOX_ANALYTICS_TOKEN";

struct SecretStoreOptions
{
    QString service = QStringLiteral("Strikeline");
    bool tryKeychain = true;
    bool allowFile = false; // the user said yes to a 0600 file
    QString filePath;       // empty: FileSecretStore::defaultPath()
    std::chrono::milliseconds probeTimeout = std::chrono::seconds(5);
    QByteArray environmentToken; // UPSTOX_ACCESS_TOKEN's value, empty when unset
};

struct SecretStoreChoice
{
    std::unique_ptr<SecretStore> store;
    QString reason; // why this one: "the keychain did not answer within 5 s", ...
};

// Keychain if its probe passes, else the file if allowed, else memory; wrapped by the
// environment token when there is one.
SecretStoreChoice chooseSecretStore(const SecretStoreOptions &options);

} // namespace strikeline::session
