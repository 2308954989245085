#include "SecretStore.h"

#include "common/Logging.h"

#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QStandardPaths>
#include <QTimer>
#include <qt6keychain/keychain.h>

#include <atomic>

namespace strikeline::session {

namespace {

void remember(const QByteArray &value)
{
    if (!value.isEmpty())
        logging::addSecret(QString::fromUtf8(value));
}

} // namespace

// ---- memory

Result<std::optional<QByteArray>> MemorySecretStore::read(const QString &key)
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_values.constFind(key);
    if (it == m_values.cend())
        return std::optional<QByteArray>();
    return std::optional<QByteArray>(*it);
}

Result<void> MemorySecretStore::write(const QString &key, const QByteArray &value)
{
    remember(value);
    QMutexLocker lock(&m_mutex);
    m_values.insert(key, value);
    return success();
}

Result<void> MemorySecretStore::remove(const QString &key)
{
    QMutexLocker lock(&m_mutex);
    m_values.remove(key);
    return success();
}

QString MemorySecretStore::describe() const
{
    return QStringLiteral("memory only (gone when Strikeline exits)");
}

// ---- file

FileSecretStore::FileSecretStore(QString path)
    : m_path(path.isEmpty() ? defaultPath() : std::move(path))
{}

QString FileSecretStore::defaultPath()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation))
        .filePath(QStringLiteral("secrets.json"));
}

QString FileSecretStore::describe() const
{
    return QStringLiteral("a file only you can read (%1)").arg(QDir::toNativeSeparators(m_path));
}

Result<QHash<QString, QByteArray>> FileSecretStore::load() const
{
    QHash<QString, QByteArray> values;
    QFile file(m_path);
    if (!file.exists())
        return values;
    const auto permissions = file.permissions();
    if (permissions & (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup |
                       QFileDevice::WriteOther))
        return Error::make(ErrorCode::Io,
                           QStringLiteral("refusing to read %1: others can read or write it "
                                          "(chmod 600 it, or delete it and log in again)")
                               .arg(m_path));
    if (!file.open(QIODevice::ReadOnly))
        return Error::make(ErrorCode::Io,
                           QStringLiteral("cannot read %1: %2").arg(m_path, file.errorString()));
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll());
    if (!document.isObject())
        return Error::make(ErrorCode::Parse,
                           QStringLiteral("%1 is not a secrets file").arg(m_path));
    const QJsonObject object = document.object();
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QByteArray value = QByteArray::fromBase64(it.value().toString().toLatin1());
        remember(value);
        values.insert(it.key(), value);
    }
    return values;
}

Result<void> FileSecretStore::save(const QHash<QString, QByteArray> &values) const
{
    if (!QDir().mkpath(QFileInfo(m_path).absolutePath()))
        return Error::make(ErrorCode::Io,
                           QStringLiteral("cannot create the folder of %1").arg(m_path));
    QJsonObject object;
    for (auto it = values.cbegin(); it != values.cend(); ++it)
        object.insert(it.key(), QString::fromLatin1(it.value().toBase64()));
    QSaveFile file(m_path);
    if (!file.open(QIODevice::WriteOnly))
        return Error::make(ErrorCode::Io,
                           QStringLiteral("cannot write %1: %2").arg(m_path, file.errorString()));
    // Owner only, before the first byte (QSaveFile writes a temporary file, renamed at commit).
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(QJsonDocument(object).toJson(QJsonDocument::Compact));
    if (!file.commit())
        return Error::make(ErrorCode::Io,
                           QStringLiteral("cannot write %1: %2").arg(m_path, file.errorString()));
    QFile::setPermissions(m_path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return success();
}

Result<std::optional<QByteArray>> FileSecretStore::read(const QString &key)
{
    QMutexLocker lock(&m_mutex);
    auto values = load();
    if (!values)
        return values.error();
    const auto it = values->constFind(key);
    if (it == values->cend())
        return std::optional<QByteArray>();
    return std::optional<QByteArray>(*it);
}

Result<void> FileSecretStore::write(const QString &key, const QByteArray &value)
{
    remember(value);
    QMutexLocker lock(&m_mutex);
    auto values = load();
    if (!values)
        return values.error();
    values->insert(key, value);
    return save(*values);
}

Result<void> FileSecretStore::remove(const QString &key)
{
    QMutexLocker lock(&m_mutex);
    auto values = load();
    if (!values)
        return values.error();
    if (values->remove(key) == 0)
        return success();
    return save(*values);
}

// ---- keychain

namespace {

// Runs one QtKeychain job to its end, or gives up after `timeout` (a job whose finished()
// never comes: Flatpak, a Qt without the GLib loop, upstox-live.md §3.3).
Result<QByteArray> runJob(QKeychain::Job &job, std::chrono::milliseconds timeout)
{
    job.setAutoDelete(false);
    QEventLoop loop;
    bool finished = false;
    QObject::connect(&job, &QKeychain::Job::finished, &loop, [&] {
        finished = true;
        loop.quit();
    });
    QTimer::singleShot(timeout, &loop, &QEventLoop::quit);
    job.start();
    if (!finished)
        loop.exec();
    if (!finished)
        return Error::make(ErrorCode::Io,
                           QStringLiteral("the system keychain did not answer within %1 s")
                               .arg(timeout.count() / 1000.0));
    if (job.error() == QKeychain::EntryNotFound)
        return Error::make(ErrorCode::NotFound, QStringLiteral("no such entry"));
    if (job.error() == QKeychain::NoBackendAvailable ||
        (job.error() == QKeychain::OtherError &&
         !qEnvironmentVariableIsSet("DBUS_SESSION_BUS_ADDRESS")))
        // QtKeychain says "Unknown error" when there is no session bus to reach a keyring on.
        return Error::make(ErrorCode::Io,
                           QStringLiteral("no system keychain is running (no Secret Service or "
                                          "KWallet on this session: %1)")
                               .arg(job.errorString()));
    if (job.error() != QKeychain::NoError)
        return Error::make(
            ErrorCode::Io,
            QStringLiteral("the system keychain refused: %1").arg(job.errorString()));
    if (auto *read = qobject_cast<QKeychain::ReadPasswordJob *>(&job))
        return read->binaryData();
    return QByteArray();
}

} // namespace

KeychainSecretStore::KeychainSecretStore(QString service, std::chrono::milliseconds timeout)
    : m_service(std::move(service))
    , m_timeout(timeout)
{}

Result<std::optional<QByteArray>> KeychainSecretStore::read(const QString &key)
{
    QKeychain::ReadPasswordJob job(m_service);
    job.setKey(key);
    auto value = runJob(job, m_timeout);
    if (!value) {
        if (value.error().code == ErrorCode::NotFound)
            return std::optional<QByteArray>();
        return value.error();
    }
    remember(*value);
    return std::optional<QByteArray>(*value);
}

Result<void> KeychainSecretStore::write(const QString &key, const QByteArray &value)
{
    remember(value);
    QKeychain::WritePasswordJob job(m_service);
    job.setKey(key);
    job.setBinaryData(value);
    auto done = runJob(job, m_timeout);
    if (!done)
        return done.error();
    return success();
}

Result<void> KeychainSecretStore::remove(const QString &key)
{
    QKeychain::DeletePasswordJob job(m_service);
    job.setKey(key);
    auto done = runJob(job, m_timeout);
    if (!done && done.error().code != ErrorCode::NotFound)
        return done.error();
    return success();
}

QString KeychainSecretStore::describe() const
{
    return QStringLiteral("the system keychain");
}

Result<void> KeychainSecretStore::probe(const QString &service, std::chrono::milliseconds timeout)
{
    // On the caller's thread, on purpose: QtKeychain queues every job of the process through
    // one object (its JobExecutor) that lives on the thread of the first job ever started. A
    // probe on a thread of its own left that object on a finished thread, and every later job
    // (the real reads and writes) waited forever: tst_keychain caught it against a real
    // gnome-keyring. So all keychain calls of a process come from one long-lived thread (the
    // desktop's "strikeline-secrets" worker, the CLI's main thread); each job is still bounded
    // by `timeout` (runJob).
    KeychainSecretStore store(service, timeout);
    const QString key = QStringLiteral("strikeline-probe");
    const QByteArray value = "probe";
    if (auto written = store.write(key, value); !written)
        return written.error();
    auto back = store.read(key);
    if (!back)
        return back.error();
    if (!back->has_value() || **back != value)
        return Error::make(ErrorCode::Io,
                           QStringLiteral("the system keychain did not give back what was stored"));
    return store.remove(key);
}

// ---- environment

EnvironmentSecretStore::EnvironmentSecretStore(QByteArray accessToken,
                                               std::unique_ptr<SecretStore> rest)
    : m_accessToken(std::move(accessToken))
    , m_rest(std::move(rest))
{
    remember(m_accessToken);
}

Result<std::optional<QByteArray>> EnvironmentSecretStore::read(const QString &key)
{
    if (key == QLatin1String(AccessTokenKey))
        return std::optional<QByteArray>(m_accessToken);
    return m_rest->read(key);
}

Result<void> EnvironmentSecretStore::write(const QString &key, const QByteArray &value)
{
    if (key == QLatin1String(AccessTokenKey))
        return Error::make(ErrorCode::InvalidArgument,
                           QStringLiteral("the access token comes from %1: unset it to log in")
                               .arg(QLatin1String(AccessTokenEnvironment)));
    return m_rest->write(key, value);
}

Result<void> EnvironmentSecretStore::remove(const QString &key)
{
    if (key == QLatin1String(AccessTokenKey))
        return Error::make(ErrorCode::InvalidArgument,
                           QStringLiteral("the access token comes from %1: unset it to log out")
                               .arg(QLatin1String(AccessTokenEnvironment)));
    return m_rest->remove(key);
}

QString EnvironmentSecretStore::describe() const
{
    return QStringLiteral("the environment (%1), other secrets in %2")
        .arg(QLatin1String(AccessTokenEnvironment), m_rest->describe());
}

// ---- choice

SecretStoreChoice chooseSecretStore(const SecretStoreOptions &options)
{
    SecretStoreChoice choice;
    QString keychainProblem = QStringLiteral("the keychain was not tried");
    if (options.tryKeychain) {
        const auto probed = KeychainSecretStore::probe(options.service, options.probeTimeout);
        if (probed.ok()) {
            choice.store =
                std::make_unique<KeychainSecretStore>(options.service, options.probeTimeout);
            choice.reason = QStringLiteral("the system keychain answered");
        } else {
            keychainProblem = probed.error().message;
        }
    }
    if (!choice.store && options.allowFile) {
        choice.store = std::make_unique<FileSecretStore>(options.filePath);
        choice.reason = keychainProblem + QStringLiteral("; you allowed a file");
    }
    if (!choice.store) {
        choice.store = std::make_unique<MemorySecretStore>();
        choice.reason = keychainProblem + QStringLiteral("; no file allowed");
    }
    if (!options.environmentToken.isEmpty()) {
        choice.store = std::make_unique<EnvironmentSecretStore>(options.environmentToken,
                                                                std::move(choice.store));
        choice.reason = QStringLiteral("%1 is set; ").arg(QLatin1String(AccessTokenEnvironment)) +
                        choice.reason;
    }
    return choice;
}

} // namespace strikeline::session
