#include "HashingReader.h"

#include <QByteArrayView>

namespace strikeline {

HashingReader::HashingReader(QIODevice &source)
    : m_source(source)
{
    open(QIODevice::ReadOnly);
}

bool HashingReader::open(OpenMode mode)
{
    if (mode & QIODevice::WriteOnly)
        return false;
    // Unbuffered: every byte the caller gets has passed through readData() exactly once, and
    // no byte is hashed before the caller asked for it.
    return QIODevice::open(mode | QIODevice::Unbuffered);
}

bool HashingReader::atEnd() const
{
    return QIODevice::bytesAvailable() == 0 && m_source.atEnd();
}

bool HashingReader::waitForReadyRead(int msecs)
{
    if (m_source.waitForReadyRead(msecs))
        return true;
    setErrorString(m_source.errorString());
    return false;
}

qint64 HashingReader::bytesAvailable() const
{
    return QIODevice::bytesAvailable() + m_source.bytesAvailable();
}

QByteArray HashingReader::sha256Hex() const
{
    // QCryptographicHash::result() finalises a copy of the state: hashing can go on afterwards.
    return m_hash.result().toHex();
}

qint64 HashingReader::readData(char *data, qint64 maxSize)
{
    const qint64 n = m_source.read(data, maxSize);
    if (n > 0) {
        m_hash.addData(QByteArrayView(data, n));
        m_bytes += n;
    } else if (n < 0) {
        setErrorString(m_source.errorString());
    }
    return n;
}

} // namespace strikeline
