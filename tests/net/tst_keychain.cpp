// The keychain path of the secret store against a real Secret Service (gnome-keyring on a
// private D-Bus session: tests/support/with-keyring.sh): the probe passes, chooseSecretStore
// picks the keychain, values of any bytes go in and come back, a missing one is "none", removal
// removes, nothing lands in a file, and the daily token and the Analytics Token live side by
// side. Run outside the wrapper, the test skips.

#include "session/SecretStore.h"

#include <QDirIterator>
#include <QFile>
#include <QTest>

using namespace strikeline;
using namespace strikeline::session;

class tst_Keychain final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void probePassesAndIsChosen();
    void valuesRoundTrip();
    void missingIsNone();
    void nothingInAFile();
};

void tst_Keychain::initTestCase()
{
    if (qgetenv("STRIKELINE_KEYRING_RUNNING") != "1")
        QSKIP("no throwaway keyring: run through tests/support/with-keyring.sh (ctest does)");
}

void tst_Keychain::probePassesAndIsChosen()
{
    const auto probed =
        KeychainSecretStore::probe(QStringLiteral("StrikelineTest"), std::chrono::seconds(10));
    QVERIFY2(probed.ok(), qPrintable(probed.ok() ? QString() : probed.error().message));

    SecretStoreOptions options;
    options.service = QStringLiteral("StrikelineTest");
    options.probeTimeout = std::chrono::seconds(10);
    const SecretStoreChoice choice = chooseSecretStore(options);
    QCOMPARE(choice.store->kind(), SecretStoreKind::Keychain);
    QVERIFY2(choice.reason.contains(QStringLiteral("keychain answered")),
             qPrintable(choice.reason));
    QVERIFY(choice.store->describe().contains(QStringLiteral("keychain")));

    // The environment token wraps the keychain: it is read from there, the rest from the keyring.
    options.environmentToken = "env-token";
    const SecretStoreChoice wrapped = chooseSecretStore(options);
    QCOMPARE(wrapped.store->kind(), SecretStoreKind::Environment);
    QCOMPARE(wrapped.store->read(QLatin1String(AccessTokenKey)).value(),
             std::optional<QByteArray>("env-token"));
    QVERIFY(wrapped.store->write(QLatin1String(AnalyticsTokenKey), "analytics-1").ok());
    QCOMPARE(choice.store->read(QLatin1String(AnalyticsTokenKey)).value(),
             std::optional<QByteArray>("analytics-1"));
    QVERIFY(choice.store->remove(QLatin1String(AnalyticsTokenKey)).ok());
}

void tst_Keychain::valuesRoundTrip()
{
    KeychainSecretStore store(QStringLiteral("StrikelineTest"), std::chrono::seconds(10));
    QByteArray binary;
    for (int i = 0; i < 256; ++i)
        binary.append(static_cast<char>(i));
    const QByteArray jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJTTDEyMzQifQ.c2lnbmF0dXJl";
    QVERIFY(store.write(QLatin1String(AccessTokenKey), jwt).ok());
    QVERIFY(store.write(QLatin1String(ClientSecretKey), binary).ok());
    QVERIFY(store.write(QLatin1String(AnalyticsTokenKey), "analytics-2").ok());
    QCOMPARE(store.read(QLatin1String(AccessTokenKey)).value(), std::optional<QByteArray>(jwt));
    QCOMPARE(store.read(QLatin1String(ClientSecretKey)).value(), std::optional<QByteArray>(binary));
    QCOMPARE(store.read(QLatin1String(AnalyticsTokenKey)).value(),
             std::optional<QByteArray>("analytics-2"));

    // A new login overwrites; a second store on the same service sees the same keyring.
    QVERIFY(store.write(QLatin1String(AccessTokenKey), "token-two").ok());
    KeychainSecretStore other(QStringLiteral("StrikelineTest"), std::chrono::seconds(10));
    QCOMPARE(other.read(QLatin1String(AccessTokenKey)).value(),
             std::optional<QByteArray>("token-two"));

    QVERIFY(store.remove(QLatin1String(AccessTokenKey)).ok());
    QCOMPARE(other.read(QLatin1String(AccessTokenKey)).value(), std::optional<QByteArray>());
    // The other secrets stay.
    QCOMPARE(other.read(QLatin1String(AnalyticsTokenKey)).value(),
             std::optional<QByteArray>("analytics-2"));
    QVERIFY(store.remove(QLatin1String(ClientSecretKey)).ok());
    QVERIFY(store.remove(QLatin1String(AnalyticsTokenKey)).ok());
}

void tst_Keychain::missingIsNone()
{
    KeychainSecretStore store(QStringLiteral("StrikelineTest"), std::chrono::seconds(10));
    const auto missing = store.read(QStringLiteral("never/written"));
    QVERIFY2(missing.ok(), qPrintable(missing.ok() ? QString() : missing.error().message));
    QVERIFY(!missing->has_value());
    // Removing what is not there is not an error (logout twice).
    QVERIFY(store.remove(QStringLiteral("never/written")).ok());
}

void tst_Keychain::nothingInAFile()
{
    // The keychain path writes no file of ours: the secret is only in the keyring (which keeps
    // it encrypted under its password, so its own file does not hold it in the clear either).
    KeychainSecretStore store(QStringLiteral("StrikelineTest"), std::chrono::seconds(10));
    const QByteArray secret = "a-secret-that-must-not-be-on-disk-in-clear";
    QVERIFY(store.write(QLatin1String(ClientSecretKey), secret).ok());
    QVERIFY(!QFile::exists(FileSecretStore::defaultPath()));
    QDirIterator it(qEnvironmentVariable("HOME"), QDir::Files | QDir::Hidden,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QFile file(it.next());
        if (file.size() > 10'000'000 || !file.open(QIODevice::ReadOnly))
            continue;
        QVERIFY2(!file.readAll().contains(secret), qPrintable(file.fileName()));
    }
    QVERIFY(store.remove(QLatin1String(ClientSecretKey)).ok());
}

QTEST_GUILESS_MAIN(tst_Keychain)
#include "tst_keychain.moc"
