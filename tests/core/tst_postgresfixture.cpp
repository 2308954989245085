// The PostgreSQL test fixture itself: ctest's throwaway server answers, is ours (not a system
// server), hands out isolated scratch databases, and can kill a connection mid-flight.

// Test tables read better with plain string literals.
#undef QT_NO_CAST_FROM_ASCII

#include "TestPostgres.h"

#include <QScopeGuard>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

using namespace strikeline::testpg;

namespace {

// The single value a query returns, or an invalid QVariant (and a test failure message).
QVariant scalar(const QSqlDatabase &db, const QString &sql, QString *error)
{
    QSqlQuery q(db);
    if (!q.exec(sql) || !q.next()) {
        *error = sql + ": " + q.lastError().text();
        return {};
    }
    return q.value(0);
}

int databasesNamed(const QString &url, const QString &name)
{
    QString error;
    const auto n =
        execOnce(url, "SELECT count(*) FROM pg_database WHERE datname = ?", {name}, &error);
    return n ? n->toInt() : -1;
}

} // namespace

class TestPostgresFixture : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void serverIsTheThrowawayOne();
    void scratchDatabasesAreIsolated();
    void killedConnectionFailsClearly();
    void terminateOneBackend();
};

void TestPostgresFixture::serverIsTheThrowawayOne()
{
    STRIKELINE_REQUIRE_POSTGRES(url);
    QVERIFY2(url.startsWith("postgresql://strikeline@127.0.0.1:"), qPrintable(url));
    QVERIFY2(url.endsWith("/strikeline_test"), qPrintable(url));

    const ScopedConnection conn(url);
    QVERIFY2(conn.isOpen(), qPrintable(conn.error()));
    QString error;
    const QString version = scalar(conn.db(), "SELECT version()", &error).toString();
    QVERIFY2(version.startsWith("PostgreSQL "), qPrintable(error + version));
    qInfo("%s", qPrintable(version));
    QCOMPARE(scalar(conn.db(), "SELECT current_user", &error).toString(), "strikeline");
    QCOMPARE(scalar(conn.db(), "SELECT current_database()", &error).toString(), "strikeline_test");
    QCOMPARE(scalar(conn.db(), "SELECT host(inet_server_addr())", &error).toString(), "127.0.0.1");
    // Only the throwaway server runs with fsync off: this cannot be a system server.
    QCOMPARE(scalar(conn.db(), "SHOW fsync", &error).toString(), "off");
    QCOMPARE(scalar(conn.db(), "SHOW server_encoding", &error).toString(), "UTF8");
}

void TestPostgresFixture::scratchDatabasesAreIsolated()
{
    STRIKELINE_REQUIRE_POSTGRES(url);
    QString error;
    const auto a = createScratchDatabase(url, QTest::currentTestFunction(), &error);
    QVERIFY2(a, qPrintable(error));
    auto dropA = qScopeGuard([&] { dropScratchDatabase(url, a->name); });
    const auto b = createScratchDatabase(url, QTest::currentTestFunction(), &error);
    QVERIFY2(b, qPrintable(error));
    auto dropB = qScopeGuard([&] { dropScratchDatabase(url, b->name); });

    QVERIFY2(a->name != b->name, qPrintable(a->name));
    QVERIFY2(a->name.size() <= 63, qPrintable(a->name));
    QCOMPARE(databasesNamed(url, a->name), 1);
    {
        const ScopedConnection ca(a->url);
        QVERIFY2(ca.isOpen(), qPrintable(ca.error()));
        QCOMPARE(scalar(ca.db(), "SELECT current_database()", &error).toString(), a->name);
        QSqlQuery q(ca.db());
        QVERIFY2(q.exec("CREATE TABLE t (id integer PRIMARY KEY, note text)"),
                 qPrintable(q.lastError().text()));
        QVERIFY2(q.exec("INSERT INTO t VALUES (1, 'नमस्ते'), (2, 'two')"),
                 qPrintable(q.lastError().text()));
        QCOMPARE(scalar(ca.db(), "SELECT note FROM t WHERE id = 1", &error).toString(),
                 QStringLiteral("नमस्ते"));

        const ScopedConnection cb(b->url);
        QVERIFY2(cb.isOpen(), qPrintable(cb.error()));
        QCOMPARE(
            scalar(cb.db(), "SELECT count(*) FROM pg_tables WHERE tablename = 't'", &error).toInt(),
            0);

        // FORCE: dropping works while `ca` is still connected.
        QVERIFY2(dropScratchDatabase(url, a->name, &error), qPrintable(error));
    }
    QCOMPARE(databasesNamed(url, a->name), 0);
    QVERIFY2(dropScratchDatabase(url, b->name, &error), qPrintable(error));
    QCOMPARE(databasesNamed(url, b->name), 0);
    QVERIFY2(dropScratchDatabase(url, b->name, &error), qPrintable(error)); // idempotent
}

void TestPostgresFixture::killedConnectionFailsClearly()
{
    STRIKELINE_REQUIRE_POSTGRES(url);
    QString error;
    const auto scratch = createScratchDatabase(url, QTest::currentTestFunction(), &error);
    QVERIFY2(scratch, qPrintable(error));
    auto drop = qScopeGuard([&] { dropScratchDatabase(url, scratch->name); });

    const ScopedConnection victim(scratch->url);
    QVERIFY2(victim.isOpen(), qPrintable(victim.error()));
    QSqlQuery q(victim.db());
    QVERIFY2(q.exec("SELECT 1"), qPrintable(q.lastError().text()));

    QCOMPARE(terminateConnections(url, scratch->name, &error), 1);
    QVERIFY(error.isEmpty());

    QVERIFY(!q.exec("SELECT 1"));
    const QSqlError killed = q.lastError();
    qInfo("killed connection reports: %s", qPrintable(killed.text()));
    QVERIFY(killed.type() != QSqlError::NoError);
    QVERIFY2(killed.text().contains("terminating connection due to administrator command") ||
                 killed.text().contains("server closed the connection unexpectedly"),
             qPrintable(killed.text()));

    // Nothing else was connected, and a new connection works again.
    QCOMPARE(terminateConnections(url, scratch->name, &error), 0);
    const ScopedConnection again(scratch->url);
    QVERIFY2(again.isOpen(), qPrintable(again.error()));
    QCOMPARE(scalar(again.db(), "SELECT 42", &error).toInt(), 42);
}

void TestPostgresFixture::terminateOneBackend()
{
    STRIKELINE_REQUIRE_POSTGRES(url);
    QString error;
    const auto scratch = createScratchDatabase(url, QTest::currentTestFunction(), &error);
    QVERIFY2(scratch, qPrintable(error));
    auto drop = qScopeGuard([&] { dropScratchDatabase(url, scratch->name); });

    const ScopedConnection victim(scratch->url);
    const ScopedConnection bystander(scratch->url);
    QVERIFY2(victim.isOpen() && bystander.isOpen(), qPrintable(victim.error() + bystander.error()));
    const int pid = backendPid(victim.db());
    QVERIFY(pid > 0);
    QVERIFY(pid != backendPid(bystander.db()));

    QVERIFY2(terminateBackend(url, pid, &error), qPrintable(error));
    QSqlQuery dead(victim.db());
    QVERIFY(!dead.exec("SELECT 1"));
    QCOMPARE(scalar(bystander.db(), "SELECT 7", &error).toInt(), 7);
}

QTEST_GUILESS_MAIN(TestPostgresFixture)
#include "tst_postgresfixture.moc"
