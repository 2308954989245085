// The lifecycle table, the event codec and the order journal (group commit, torn tails,
// corruption).

#include "orders/OrderEvent.h"
#include "orders/OrderJournal.h"
#include "orders/OrderLifecycle.h"

#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <csignal>
#include <set>
#include <sys/resource.h>
#include <thread>

using namespace strikeline;

namespace {

const EpochDay Day = fromQDate(QDate(2025, 12, 9));

QByteArray payloadFor(std::uint64_t seq)
{
    return QByteArray("event-") + QByteArray::number(static_cast<qulonglong>(seq));
}

Result<std::uint64_t> appendOne(OrderJournal &j)
{
    return j.append([](std::uint64_t s) { return payloadFor(s); });
}

} // namespace

class tst_OrderJournal : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void lifecycleTable();
    void lifecycleIllegal();
    void realWorldRows();
    void clientIds();
    void codecRoundTrip();
    void codecRejectsGarbage();
    void appendAndReplay();
    void groupCommitUnderConcurrency();
    void tornTailIsCut_data();
    void tornTailIsCut();
    void corruptMiddleIsAnError();
    void notAJournal();
    void oneWriterPerJournal();
    void journalIdsTellJournalsApart();
    void journalWithoutIdStillReplays();
    void failedWriteLeavesNothingToReplay();
    void dayBefore1970IsRefused();
    void sliceNamespaceIsReserved();
};

void tst_OrderJournal::lifecycleTable()
{
    // Every pair of the table is unique, so the table is a function.
    std::set<std::pair<int, int>> seen;
    for (const OrderTransition &t : OrderTransitions)
        QVERIFY(seen.insert({int(t.from), int(t.event)}).second);
    // The happy paths.
    OrderStatus s = OrderStatus::New;
    for (const OrderEventKind k :
         {OrderEventKind::Validated, OrderEventKind::Sent, OrderEventKind::Acknowledged,
          OrderEventKind::PartialFill, OrderEventKind::PartialFill, OrderEventKind::Fill}) {
        auto next = applyOrderEvent(s, k);
        QVERIFY2(next.ok(), qPrintable(next.ok() ? QString() : next.error().message));
        s = next.value();
    }
    QCOMPARE(s, OrderStatus::Filled);
    QCOMPARE(nextOrderStatus(OrderStatus::PartiallyFilled, OrderEventKind::Cancelled),
             OrderStatus::Cancelled);
    QCOMPARE(nextOrderStatus(OrderStatus::Sent, OrderEventKind::Rejected), OrderStatus::Rejected);
}

void tst_OrderJournal::lifecycleIllegal()
{
    // Nothing leaves filled or rejected; a cancelled order only takes the fills that traded
    // before its cancel reached the exchange; notes move nothing; nothing skips the ack.
    for (const OrderStatus terminal :
         {OrderStatus::Filled, OrderStatus::Rejected, OrderStatus::Cancelled, OrderStatus::Lost}) {
        QVERIFY(isTerminal(terminal));
        for (int k = 0; k < OrderEventKindCount; ++k) {
            const auto kind = static_cast<OrderEventKind>(k);
            const auto next = nextOrderStatus(terminal, kind);
            if (isNote(kind)) {
                QCOMPARE(next, terminal);
            } else if (terminal == OrderStatus::Cancelled &&
                       (kind == OrderEventKind::PartialFill || kind == OrderEventKind::Fill)) {
                QVERIFY(next.has_value());
            } else if (terminal == OrderStatus::Lost &&
                       (kind == OrderEventKind::Acknowledged || kind == OrderEventKind::Rejected ||
                        kind == OrderEventKind::Cancelled)) {
                QVERIFY(next.has_value()); // the broker reports it after all
            } else {
                QVERIFY2(!next, orderEventKindName(kind).data());
            }
        }
    }
    auto bad = applyOrderEvent(OrderStatus::Sent, OrderEventKind::Fill);
    QVERIFY(!bad.ok());
    QCOMPARE(bad.error().code, ErrorCode::Validation);
    QVERIFY(bad.error().message.contains(QLatin1String("\"fill\" in status \"sent\"")));
    QVERIFY(!applyOrderEvent(OrderStatus::New, OrderEventKind::Sent).ok());
    QVERIFY(!applyOrderEvent(OrderStatus::Acknowledged, OrderEventKind::Created).ok());
}

void tst_OrderJournal::realWorldRows()
{
    using S = OrderStatus;
    using E = OrderEventKind;
    // A cancel on its way: a fill may still win, a partial fill keeps it pending, a refusal
    // goes back to where the order worked (partially filled here).
    QCOMPARE(nextOrderStatus(S::PartiallyFilled, E::CancelRequested), S::PendingCancel);
    QCOMPARE(nextOrderStatus(S::PendingCancel, E::PartialFill), S::PendingCancel);
    QCOMPARE(nextOrderStatus(S::PendingCancel, E::Fill), S::Filled);
    QCOMPARE(nextOrderStatus(S::PendingCancel, E::CancelRefused, S::PartiallyFilled),
             S::PartiallyFilled);
    QCOMPARE(nextOrderStatus(S::PendingCancel, E::Cancelled), S::Cancelled);
    // A modification: confirmed or refused, back to working; a triggered stop stays triggered.
    QCOMPARE(nextOrderStatus(S::Triggered, E::ModifyRequested), S::PendingModify);
    QCOMPARE(nextOrderStatus(S::PendingModify, E::Modified, S::Triggered), S::Triggered);
    QCOMPARE(nextOrderStatus(S::PendingModify, E::ModifyRefused, S::Acknowledged), S::Acknowledged);
    QCOMPARE(nextOrderStatus(S::PendingModify, E::CancelRequested), S::PendingCancel);
    // The fill after a confirmed cancel, and the lost order that turns up.
    QCOMPARE(nextOrderStatus(S::Cancelled, E::PartialFill), S::Cancelled);
    QCOMPARE(nextOrderStatus(S::Cancelled, E::Fill), S::Filled);
    QCOMPARE(nextOrderStatus(S::Sent, E::Lost), S::Lost);
    QCOMPARE(nextOrderStatus(S::Lost, E::Acknowledged), S::Acknowledged);
    // An order placed elsewhere is first seen working.
    QCOMPARE(nextOrderStatus(S::New, E::Acknowledged), S::Acknowledged);
    // Not: a modify before the acknowledgement, a cancel of a pending cancel, a fill of a sent
    // order, a modification of a filled one.
    QVERIFY(!nextOrderStatus(S::Sent, E::ModifyRequested));
    QVERIFY(!nextOrderStatus(S::PendingCancel, E::CancelRequested));
    QVERIFY(!nextOrderStatus(S::Sent, E::Fill));
    QVERIFY(!nextOrderStatus(S::Filled, E::Modified));
    // The illegal pair is an error naming both, never a throw.
    const auto bad = applyOrderEvent(S::Filled, E::Cancelled);
    QVERIFY(!bad.ok());
    QVERIFY(bad.error().message.contains(QLatin1String("\"cancelled\" in status \"filled\"")));
    for (int i = 0; i < OrderStatusCount; ++i) {
        const auto s = static_cast<OrderStatus>(i);
        QCOMPARE(parseOrderStatus(orderStatusName(s)), s);
    }
}

void tst_OrderJournal::clientIds()
{
    QVERIFY(isValidClientOrderId("SL251209-1A"));
    QVERIFY(!isValidClientOrderId(""));
    QVERIFY(!isValidClientOrderId("has space"));
    QVERIFY(!isValidClientOrderId("123456789012345678901")); // 21
    auto child = childClientOrderId("SL251209-1A", 7);
    QVERIFY(child.ok());
    QCOMPARE(child.value(), std::string("SL251209-1A.07"));
    QCOMPARE(childClientOrderId("SL251209-1A", 25).value(), std::string("SL251209-1A.25"));
    QVERIFY(!childClientOrderId("SL251209-1A", 26).ok());
    QVERIFY(!childClientOrderId("SL251209-1A", 0).ok());
    QVERIFY(childClientOrderId("12345678901234567", 1).ok()); // 17 + 3 = 20
    auto tooLong = childClientOrderId("123456789012345678", 1);
    QVERIFY(!tooLong.ok());
    QVERIFY(tooLong.error().message.contains(QLatin1String("at most 17")));
}

void tst_OrderJournal::codecRoundTrip()
{
    OrderEvent e;
    e.kind = OrderEventKind::Created;
    e.clientOrderId = "abc.01";
    e.timeMs = 1765256400123;
    e.request.instrumentKey = "NSE_FO|41915";
    e.request.side = Side::Sell;
    e.request.type = OrderType::StopLimit;
    e.request.product = Product::Intraday;
    e.request.validity = Validity::Ioc;
    e.request.quantity = 1800;
    e.request.price = Price::fromRaw(1234567);
    e.request.trigger = Price::fromRaw(1234500);
    e.request.clientOrderId = e.clientOrderId;
    e.contract = {"NSE_FO|41915",
                  "NIFTY 26250 CE 30 DEC 25",
                  "NSE_FO",
                  "CE",
                  fromQDate(QDate(2025, 12, 30)),
                  Price::fromRupees(26250),
                  75,
                  Price::fromRaw(25)};
    e.parentClientOrderId = "abc";
    e.sliceIndex = 1;
    auto back = OrderEvent::decode(e.encode(), 42);
    QVERIFY(back.ok());
    QCOMPARE(back->sequence, 42u);
    QCOMPARE(back->contract, e.contract);
    QCOMPARE(back->request.price, e.request.price);
    QCOMPARE(back->request.trigger, e.request.trigger);
    QCOMPARE(back->request.type, OrderType::StopLimit);
    QCOMPARE(back->request.validity, Validity::Ioc);
    QCOMPARE(back->request.side, Side::Sell);
    QCOMPARE(back->parentClientOrderId, std::string("abc"));
    QCOMPARE(back->timeMs, e.timeMs);

    OrderEvent fill;
    fill.kind = OrderEventKind::PartialFill;
    fill.clientOrderId = "abc.01";
    fill.statusAfter = OrderStatus::PartiallyFilled;
    fill.fillQuantity = 75;
    fill.fillPrice = Price::fromRaw(1234565);
    fill.filledQuantity = 150;
    fill.averagePrice = Price::fromRaw(1234566);
    auto f = OrderEvent::decode(fill.encode(), 43);
    QVERIFY(f.ok());
    QCOMPARE(f->fillPrice, fill.fillPrice);
    QCOMPARE(f->averagePrice, fill.averagePrice);
    QCOMPARE(f->filledQuantity, 150);
    QCOMPARE(f->statusAfter, OrderStatus::PartiallyFilled);
}

void tst_OrderJournal::codecRejectsGarbage()
{
    QVERIFY(!OrderEvent::decode("not json", 1).ok());
    QVERIFY(!OrderEvent::decode(R"({"k":"teleported","id":"a","t":"1","s":"new"})", 1).ok());
    QVERIFY(!OrderEvent::decode(R"({"k":"fill","id":"bad id","t":"1","s":"filled"})", 1).ok());
    QVERIFY(!OrderEvent::decode(R"({"k":"fill","id":"a","t":"1","s":"filled","fq":"x"})", 1).ok());
}

void tst_OrderJournal::oneWriterPerJournal()
{
    // The terminal and `strikeline-cli order` share a folder: the second writer is refused
    // with a clear Conflict instead of interleaving sequence numbers.
    QTemporaryDir dir;
    {
        auto first = OrderJournal::open(dir.path(), Day);
        QVERIFY(first.ok());
        QVERIFY(appendOne(*first.value()).ok());
        auto second = OrderJournal::open(dir.path(), Day);
        QVERIFY(!second.ok());
        QCOMPARE(second.error().code, ErrorCode::Conflict);
        QVERIFY2(second.error().message.contains(QLatin1String("in use")),
                 qPrintable(second.error().message));
        // Another day's journal is another file: not locked.
        QVERIFY(OrderJournal::open(dir.path(), Day + 1).ok());
        QVERIFY(first.value()->waitDurable(first.value()->lastSequence()));
    }
    // Closed: the next writer gets it, with everything the first wrote.
    JournalReplay seen;
    auto again = OrderJournal::open(dir.path(), Day, &seen);
    QVERIFY(again.ok());
    QCOMPARE(seen.records.size(), 1u);
}

void tst_OrderJournal::appendAndReplay()
{
    QTemporaryDir dir;
    std::uint64_t last = 0;
    {
        auto j = OrderJournal::open(dir.path(), Day);
        QVERIFY(j.ok());
        QCOMPARE(j.value()->lastSequence(), sequenceFor(Day, 0));
        for (int i = 0; i < 100; ++i) {
            auto s = appendOne(*j.value());
            QVERIFY(s.ok());
            QVERIFY(s.value() > last);
            last = s.value();
        }
        QVERIFY(j.value()->waitDurable(last));
        QCOMPARE(j.value()->durableSequence(), last);
    }
    auto replay = OrderJournal::replay(OrderJournal::fileFor(dir.path(), Day));
    QVERIFY(replay.ok());
    QCOMPARE(replay->records.size(), 100u);
    QCOMPARE(replay->tornBytes, 0);
    for (const JournalRecord &r : replay->records)
        QCOMPARE(r.payload, payloadFor(r.sequence));
    QCOMPARE(sequenceDay(replay->records.front().sequence), Day);
    // Reopening continues the sequence.
    JournalReplay seen;
    auto j = OrderJournal::open(dir.path(), Day, &seen);
    QVERIFY(j.ok());
    QCOMPARE(seen.records.size(), 100u);
    auto next = appendOne(*j.value());
    QVERIFY(next.ok());
    QCOMPARE(next.value(), last + 1);
}

void tst_OrderJournal::groupCommitUnderConcurrency()
{
    QTemporaryDir dir;
    auto opened = OrderJournal::open(dir.path(), Day);
    QVERIFY(opened.ok());
    OrderJournal &j = *opened.value();
    std::mutex m;
    std::vector<std::uint64_t> delivered;
    j.setDurableCallback([&](const std::vector<JournalRecord> &batch) {
        std::lock_guard lock(m);
        for (const JournalRecord &r : batch)
            delivered.push_back(r.sequence);
    });
    constexpr int Threads = 4, PerThread = 500;
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < Threads; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < PerThread; ++i) {
                auto s = appendOne(j);
                if (!s || !j.waitDurable(s.value()))
                    ++failures;
            }
        });
    for (std::thread &t : threads)
        t.join();
    QCOMPARE(failures.load(), 0);
    const JournalStats stats = j.stats();
    QCOMPARE(stats.records, std::uint64_t(Threads * PerThread));
    // Group commit: concurrent waiters share syncs.
    QVERIFY2(stats.batches < stats.records, qPrintable(QString::number(stats.batches)));
    std::lock_guard lock(m);
    QCOMPARE(delivered.size(), std::size_t(Threads * PerThread));
    QVERIFY(std::is_sorted(delivered.begin(), delivered.end()));
}

void tst_OrderJournal::tornTailIsCut_data()
{
    QTest::addColumn<int>("cut"); // bytes removed from the end of the last record
    QTest::newRow("half header") << 20;
    QTest::newRow("inside payload") << 3;
    QTest::newRow("last byte") << 1;
}

void tst_OrderJournal::tornTailIsCut()
{
    QFETCH(int, cut);
    QTemporaryDir dir;
    const QString path = OrderJournal::fileFor(dir.path(), Day);
    {
        auto j = OrderJournal::open(dir.path(), Day);
        QVERIFY(j.ok());
        std::uint64_t s = 0;
        for (int i = 0; i < 10; ++i)
            s = appendOne(*j.value()).value();
        QVERIFY(j.value()->waitDurable(s));
    }
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadWrite));
    QVERIFY(f.resize(f.size() - cut));
    f.close();
    auto replay = OrderJournal::replay(path);
    QVERIFY(replay.ok());
    QCOMPARE(replay->records.size(), 9u);
    QVERIFY(replay->tornBytes > 0);

    JournalReplay seen;
    auto j = OrderJournal::open(dir.path(), Day, &seen);
    QVERIFY2(j.ok(), qPrintable(j.ok() ? QString() : j.error().message));
    QCOMPARE(seen.records.size(), 9u);
    const std::uint64_t s = appendOne(*j.value()).value();
    QCOMPARE(s, seen.records.back().sequence + 1);
    QVERIFY(j.value()->waitDurable(s));
    auto after = OrderJournal::replay(path);
    QVERIFY(after.ok());
    QCOMPARE(after->records.size(), 10u);
    QCOMPARE(after->tornBytes, 0);

    // A flipped byte in the very last record is a torn write too (never completed).
    QVERIFY(f.open(QIODevice::ReadWrite));
    f.seek(f.size() - 2);
    f.write("\xff", 1);
    f.close();
    auto flipped = OrderJournal::replay(path);
    QVERIFY(flipped.ok());
    QCOMPARE(flipped->records.size(), 9u);
}

void tst_OrderJournal::corruptMiddleIsAnError()
{
    QTemporaryDir dir;
    const QString path = OrderJournal::fileFor(dir.path(), Day);
    {
        auto j = OrderJournal::open(dir.path(), Day);
        std::uint64_t s = 0;
        for (int i = 0; i < 10; ++i)
            s = appendOne(*j.value()).value();
        QVERIFY(j.value()->waitDurable(s));
    }
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadWrite));
    f.seek(24 + 16 + 3); // inside the first record's payload (after magic and journal id)
    f.write("X", 1);
    f.close();
    auto replay = OrderJournal::replay(path);
    QVERIFY(!replay.ok());
    QCOMPARE(replay.error().code, ErrorCode::Parse);
    QVERIFY(replay.error().message.contains(QLatin1String("damaged at byte 24")));
    // Opening refuses too: nothing is truncated or overwritten behind the trader's back.
    const qint64 size = QFileInfo(path).size();
    auto j = OrderJournal::open(dir.path(), Day);
    QVERIFY(!j.ok());
    QCOMPARE(QFileInfo(path).size(), size);
}

void tst_OrderJournal::notAJournal()
{
    QTemporaryDir dir;
    QFile f(OrderJournal::fileFor(dir.path(), Day));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("hello, this is not a journal");
    f.close();
    auto j = OrderJournal::open(dir.path(), Day);
    QVERIFY(!j.ok());
    QVERIFY(j.error().message.contains(QLatin1String("bad magic")));
}

void tst_OrderJournal::journalIdsTellJournalsApart()
{
    // Two journals of the same day number their records alike; their ids differ, and a
    // journal keeps its id when it is reopened.
    QTemporaryDir a;
    QTemporaryDir b;
    QString idA;
    {
        JournalReplay replayed;
        auto ja = OrderJournal::open(a.path(), Day, &replayed);
        auto jb = OrderJournal::open(b.path(), Day);
        QVERIFY(ja.ok() && jb.ok());
        idA = ja.value()->journalId();
        QCOMPARE(idA.size(), 32);
        QCOMPARE(replayed.journalId, idA);
        QVERIFY(jb.value()->journalId() != idA);
        const auto sa = appendOne(*ja.value());
        const auto sb = appendOne(*jb.value());
        QCOMPARE(sa.value(), sb.value());
        QVERIFY(ja.value()->waitDurable(sa.value()));
    }
    JournalReplay again;
    auto reopened = OrderJournal::open(a.path(), Day, &again);
    QVERIFY(reopened.ok());
    QCOMPARE(reopened.value()->journalId(), idA);
    QCOMPARE(again.journalId, idA);
    QCOMPARE(again.records.size(), 1u);
    QCOMPARE(OrderJournal::replay(OrderJournal::fileFor(a.path(), Day)).value().journalId, idA);
}

void tst_OrderJournal::journalWithoutIdStillReplays()
{
    // A file written before journal ids ("SLORDJ01", records right after the magic) replays
    // with the id "" (what the database's older rows carry) and takes appends as it is.
    QTemporaryDir dir;
    const QString path = OrderJournal::fileFor(dir.path(), Day);
    {
        auto j = OrderJournal::open(dir.path(), Day);
        QVERIFY(j.ok());
        QVERIFY(j.value()->waitDurable(appendOne(*j.value()).value()));
    }
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray v2 = f.readAll();
    f.close();
    QVERIFY(v2.startsWith("SLORDJ02"));
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(QByteArray("SLORDJ01") + v2.mid(24));
    f.close();
    auto replay = OrderJournal::replay(path);
    QVERIFY(replay.ok());
    QCOMPARE(replay->journalId, QString());
    QCOMPARE(replay->records.size(), 1u);
    QCOMPARE(replay->records.front().payload, payloadFor(sequenceFor(Day, 1)));
    {
        auto j = OrderJournal::open(dir.path(), Day);
        QVERIFY(j.ok());
        QCOMPARE(j.value()->journalId(), QString());
        QVERIFY(j.value()->waitDurable(appendOne(*j.value()).value()));
    }
    replay = OrderJournal::replay(path);
    QVERIFY(replay.ok());
    QCOMPARE(replay->records.size(), 2u);
}

void tst_OrderJournal::failedWriteLeavesNothingToReplay()
{
    // A real short write: RLIMIT_FSIZE makes the kernel write only up to the limit and then
    // fail (EFBIG), as a full disk does (ENOSPC). Whatever part of the failed batch reached the
    // file is cut off again: every record that replays was reported durable, and nothing torn.
    // (tst_cli_order's orderOnAFullDisk does the same with a real full tmpfs.)
    QTemporaryDir dir;
    const QString path = OrderJournal::fileFor(dir.path(), Day);
    auto opened = OrderJournal::open(dir.path(), Day);
    QVERIFY(opened.ok());
    OrderJournal &j = *opened.value();
    QVERIFY(j.waitDurable(appendOne(j).value()));
    const qint64 durableSize = QFileInfo(path).size();
    const QByteArray big(600, 'x');

    struct rlimit saved
    {};
    QCOMPARE(::getrlimit(RLIMIT_FSIZE, &saved), 0);
    const auto previousHandler = std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit limited = saved;
    limited.rlim_cur = static_cast<rlim_t>(durableSize + 900); // one big record and a half
    QCOMPARE(::setrlimit(RLIMIT_FSIZE, &limited), 0);
    std::uint64_t last = 0;
    for (int i = 0; i < 4; ++i) {
        auto s = j.append([&big](std::uint64_t) { return big; });
        if (!s.ok())
            break;
        last = s.value();
    }
    const bool durable = j.waitDurable(last);
    QCOMPARE(::setrlimit(RLIMIT_FSIZE, &saved), 0);
    std::signal(SIGXFSZ, previousHandler);

    QVERIFY(!durable);
    QVERIFY(j.failure().has_value());
    QVERIFY(!j.append([](std::uint64_t) { return QByteArray("after"); }).ok());
    auto replay = OrderJournal::replay(path);
    QVERIFY(replay.ok());
    QCOMPARE(replay->tornBytes, 0);
    QVERIFY(!replay->records.empty());
    QCOMPARE(replay->records.back().sequence, j.durableSequence());
    QVERIFY(QFileInfo(path).size() <= durableSize + 900);
}

void tst_OrderJournal::dayBefore1970IsRefused()
{
    // day << 32 | n for a day before 1970 is a negative 64-bit sequence: refused.
    QTemporaryDir dir;
    auto j = OrderJournal::open(dir.path(), fromQDate(QDate(1969, 12, 31)));
    QVERIFY(!j.ok());
    QCOMPARE(j.error().code, ErrorCode::InvalidArgument);
    QVERIFY(OrderJournal::journalFiles(dir.path()).isEmpty());
    QVERIFY(OrderJournal::open(dir.path(), fromQDate(QDate(1970, 1, 1))).ok());
}

void tst_OrderJournal::sliceNamespaceIsReserved()
{
    QVERIFY(isReservedForSlices("Q.01"));
    QVERIFY(isReservedForSlices("hedge.25"));
    QVERIFY(isReservedForSlices("x.99"));
    QVERIFY(!isReservedForSlices("Q.1"));
    QVERIFY(!isReservedForSlices("Q.01a"));
    QVERIFY(!isReservedForSlices("Q-01"));
    QVERIFY(!isReservedForSlices(".01x"));
    QVERIFY(!checkClientOrderIdForRequest("Q.01").ok());
    QVERIFY(checkClientOrderIdForRequest("Q.1").ok());
    QVERIFY(!checkClientOrderIdForRequest("bad id").ok());
    // Every child id is in the namespace, so no tag can equal one.
    for (int i = 1; i <= MaxSlices; ++i)
        QVERIFY(isReservedForSlices(childClientOrderId("Q", i).value()));
}

QTEST_GUILESS_MAIN(tst_OrderJournal)
#include "tst_orderjournal.moc"
