#pragma once

#include <QCryptographicHash>
#include <QIODevice>

namespace strikeline {

// A read-only, sequential QIODevice that forwards reads from another device and keeps a
// SHA-256 of every byte that passed: the checksum of a master as it was received, without
// reading it twice. Blocking behaviour (waitForReadyRead) is the source's.
class HashingReader final : public QIODevice
{
public:
    explicit HashingReader(QIODevice &source); // opens itself read-only

    // Read-only and always unbuffered, so the bytes hashed are exactly the bytes handed out.
    bool open(OpenMode mode) override;
    bool isSequential() const override { return true; }
    bool atEnd() const override;
    bool waitForReadyRead(int msecs) override;
    qint64 bytesAvailable() const override;
    QByteArray sha256Hex() const; // of everything read so far
    qint64 bytesHashed() const { return m_bytes; }

protected:
    qint64 readData(char *data, qint64 maxSize) override;
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    QIODevice &m_source;
    QCryptographicHash m_hash{QCryptographicHash::Sha256};
    qint64 m_bytes = 0;
};

} // namespace strikeline
