// The kill switch (core/orders/KillSwitch.h): its file round-trips, a missing file is "not
// halted", a damaged one is an error (callers then stay halted), and while it is on the
// validator refuses every order with trading_halted before any other check.

#include "RecordFactory.h"
#include "instruments/InstrumentSnapshot.h"
#include "orders/KillSwitch.h"
#include "orders/OrderValidator.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace strikeline;
using namespace strikeline::testing;

class tst_KillSwitch : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void fileRoundTrips();
    void missingFileIsNotHalted();
    void damagedFileIsAnError();
    void validatorRefusesEverythingWhileHalted();
    void messageSaysWhenWhoAndWhy();
};

void tst_KillSwitch::fileRoundTrips()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("sub/halt.json")); // the folder is made
    const HaltState halted{true, QStringLiteral("nervous market"), QStringLiteral("CLI"),
                           1'787'300'000'000};
    QVERIFY(writeHaltState(path, halted));
    const auto read = readHaltState(path);
    QVERIFY2(read, read ? "" : qPrintable(read.error().message));
    QCOMPARE(read.value(), halted);
    const HaltState resumed{false, {}, QStringLiteral("desktop"), 1'787'300'060'000};
    QVERIFY(writeHaltState(path, resumed));
    QCOMPARE(readHaltState(path).value(), resumed);
}

void tst_KillSwitch::missingFileIsNotHalted()
{
    QTemporaryDir dir;
    const auto read = readHaltState(dir.filePath(QStringLiteral("halt.json")));
    QVERIFY(read);
    QVERIFY(!read->halted);
}

void tst_KillSwitch::damagedFileIsAnError()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("halt.json"));
    for (const QByteArray &bytes :
         {QByteArray("{\"halted\": tru"), QByteArray("[]"), QByteArray("{\"halted\": \"yes\"}")}) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(bytes);
        file.close();
        const auto read = readHaltState(path);
        QVERIFY2(!read, bytes.constData());
        QVERIFY2(read.error().message.contains(QStringLiteral("damaged")),
                 qPrintable(read.error().message));
    }
}

void tst_KillSwitch::validatorRefusesEverythingWhileHalted()
{
    RecordFactory f;
    SnapshotBuilder builder;
    const EpochDay today = day(2026, 8, 21);
    const InstrumentRecord future = f.future("NIFTY", day(2026, 8, 25), 65);
    builder.add(InstrumentRecord(future));
    const SnapshotPtr snapshot = builder.build(MasterInfo{});
    FixedClock clock(IstMoment::fromDay(today, 10 * 60));
    OrderValidator validator(clock);
    KillSwitch killSwitch;
    validator.setKillSwitch(&killSwitch);

    OrderRequest request;
    request.instrumentKey = future.instrumentKey;
    request.side = Side::Buy;
    request.type = OrderType::Limit;
    request.quantity = 65;
    request.price = Price::fromRupees(24000);
    QVERIFY2(validator.validate(request, *snapshot).ok(), "accepted while not halted");

    killSwitch.set(HaltState{true, QStringLiteral("lunch"), QStringLiteral("CLI"), 0});
    const Verdict halted = validator.validate(request, *snapshot);
    QVERIFY(!halted.ok());
    QCOMPARE(halted.issues.size(), std::size_t{1}); // nothing else is checked
    QCOMPARE(halted.issues.front().code, issue::TradingHalted);
    QVERIFY(halted.issues.front().message.contains(QStringLiteral("lunch")));
    // An order that is wrong anyway says the same: the switch comes first.
    request.instrumentKey = "NSE_FO|0";
    QCOMPARE(validator.validate(request, *snapshot).issues.front().code, issue::TradingHalted);

    killSwitch.set(HaltState{});
    request.instrumentKey = future.instrumentKey;
    QVERIFY(validator.validate(request, *snapshot).ok());
}

void tst_KillSwitch::messageSaysWhenWhoAndWhy()
{
    const std::int64_t at = IstMoment::fromDay(day(2026, 8, 21), 10 * 60 + 2).epochMs;
    QCOMPARE(haltedMessage(HaltState{true, QStringLiteral("lunch"), QStringLiteral("CLI"), at}),
             QStringLiteral("Trading is halted (since 10:02 IST, from the CLI: lunch). Resume "
                            "first: Trade > Resume trading (Ctrl+Shift+H), or strikeline-cli "
                            "resume."));
    QVERIFY(haltedMessage(HaltState{true, {}, {}, 0})
                .startsWith(QStringLiteral("Trading is halted. Resume first")));
}

QTEST_GUILESS_MAIN(tst_KillSwitch)
#include "tst_killswitch.moc"
