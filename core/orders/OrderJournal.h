#pragma once

// The order journal: an append-only local file of order events, one per trading day, written
// ahead of the database. It is the source of truth after a crash (docs/orders-flow.md).
//
// File: "SLORDJ02" magic, the journal id (16 random bytes, chosen when the file is created),
// then records  [u32 length][u32 crc32][u64 sequence][payload]  (little endian; length counts
// sequence + payload; the CRC (zlib) covers the same bytes). A "SLORDJ01" file (written before
// journal ids) has no id: its records start right after the magic and its id is "".
//
// An event's identity is (journal id, sequence): sequences repeat across journals (every
// journal numbers day << 32 | n from 1), the id does not (docs/orders-flow.md).
//
// Group commit: any thread appends and gets its sequence at once; the journal thread writes
// everything pending with one write() and one fdatasync() per batch, then hands the batch to
// the durable callback, in order, and then publishes the durable sequence (waitDurable).

#include "common/IstTime.h"
#include "common/Result.h"

#include <QByteArray>
#include <QString>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace strikeline {

struct JournalRecord
{
    std::uint64_t sequence = 0;
    QByteArray payload;
};

struct JournalReplay
{
    QString journalId;                  // 32 hex digits; "" for a SLORDJ01 file
    std::vector<JournalRecord> records; // every intact record, in order
    qint64 validBytes = 0;              // where the intact part ends
    qint64 tornBytes = 0;               // an incomplete last record (a crash mid-write)
};

struct JournalStats
{
    std::uint64_t batches = 0;
    std::uint64_t records = 0;
    std::uint64_t bytes = 0;
    std::uint64_t largestBatch = 0;
    std::int64_t syncNanosTotal = 0; // write + fdatasync, summed over batches
    std::int64_t syncNanosMax = 0;
};

class OrderJournal final
{
public:
    static constexpr qint64 MaxRecordBytes = 1 << 20;
    // Days a journal can hold: from 1970-01-01 on (sequences are day << 32 | n: an earlier day
    // would make them negative as the database's signed 64-bit values).
    static bool isJournalDay(EpochDay day);

    // "<dir>/orders-2025-12-09.journal"
    static QString fileFor(const QString &directory, EpochDay day);
    // Every journal file in `directory`, oldest day first.
    static QStringList journalFiles(const QString &directory);
    // Reads a journal without changing it. A torn last record is reported in tornBytes; a
    // damaged record with intact data after it is an error naming its offset (nothing is
    // dropped silently), as is a sequence that does not increase.
    static Result<JournalReplay> replay(const QString &path);

    // Opens (creating) the day's journal for appending. An existing file is replayed first (into
    // *replayed when given) and a torn last record is cut off, so appends continue after the
    // last intact record. A new file gets a new random journal id.
    static Result<std::unique_ptr<OrderJournal>> open(const QString &directory, EpochDay day,
                                                      JournalReplay *replayed = nullptr);
    ~OrderJournal(); // writes what is pending, then stops the thread

    using DurableCallback = std::function<void(const std::vector<JournalRecord> &batch)>;
    // Called on the journal thread after each fdatasync, before waiters are woken. Set it
    // before the first append. A batch whose write or sync fails is cut off the file again (back
    // to the last durable byte) and never reaches the callback: what a failed journal reports
    // as not written is not replayed on the next start either.
    void setDurableCallback(DurableCallback callback);
    // Called once on the journal thread when the journal fails (a write or sync error): what
    // waits for durability will never get it.
    void setFailureCallback(std::function<void(const Error &)> callback);

    // Queues one record. `encode` receives the record's sequence and returns its payload (so
    // an id derived from the sequence can be written inside it). Fails once the journal has
    // failed (a write or sync error): nothing is accepted that could not be made durable.
    Result<std::uint64_t> append(const std::function<QByteArray(std::uint64_t sequence)> &encode);
    // Blocks until `sequence` is on disk. Returns false when the journal failed first.
    bool waitDurable(std::uint64_t sequence);
    std::uint64_t durableSequence() const;
    std::uint64_t lastSequence() const;
    std::optional<Error> failure() const;
    JournalStats stats() const;
    QString path() const { return m_path; }
    QString journalId() const { return m_journalId; }
    EpochDay day() const { return m_day; }

    OrderJournal(const OrderJournal &) = delete;
    OrderJournal &operator=(const OrderJournal &) = delete;

private:
    OrderJournal(QString path, QString journalId, EpochDay day, int fd, std::uint64_t lastSequence,
                 qint64 durableBytes);
    static std::uint64_t sequenceBase(EpochDay day);
    void run();

    const QString m_path;
    const QString m_journalId;
    const EpochDay m_day;
    const int m_fd;

    mutable std::mutex m_mutex;
    std::condition_variable m_wake;    // the journal thread: work or stop
    std::condition_variable m_durable; // waiters on waitDurable
    QByteArray m_pendingBytes;
    std::vector<JournalRecord> m_pendingRecords;
    std::uint64_t m_lastSequence;
    std::uint64_t m_durableSequence;
    qint64 m_durableBytes; // the file's length up to the last durable record (journal thread)
    std::optional<Error> m_failure;
    bool m_stopping = false;
    JournalStats m_stats;
    DurableCallback m_callback;
    std::function<void(const Error &)> m_failureCallback;
    std::thread m_thread;
};

} // namespace strikeline
