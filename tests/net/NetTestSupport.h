#pragma once

// What the network tests share: a token provider that records refusals, and a way to wait for
// one answer of HttpClient (or anything that answers through a callback) on the test's thread.

#include "net/HttpClient.h"
#include "net/TokenProvider.h"

#include <QEventLoop>
#include <QList>
#include <QMutex>
#include <QObject>
#include <QTimer>

#include <optional>

namespace strikeline::testing {

class TestTokens final : public net::TokenProvider
{
public:
    explicit TestTokens(QByteArray token = {})
        : m_token(std::move(token))
    {}
    QByteArray accessToken() const override
    {
        QMutexLocker lock(&m_mutex);
        return m_token;
    }
    void tokenRejected(const QByteArray &token) override
    {
        QMutexLocker lock(&m_mutex);
        m_rejected.append(token);
    }
    void set(QByteArray token)
    {
        QMutexLocker lock(&m_mutex);
        m_token = std::move(token);
    }
    QList<QByteArray> rejected() const
    {
        QMutexLocker lock(&m_mutex);
        return m_rejected;
    }

private:
    mutable QMutex m_mutex;
    QByteArray m_token;
    QList<QByteArray> m_rejected;
};

// Runs the event loop until `done` was called (or `limitMs` passed: a hang is a failure, never
// a measurement). Returns what was delivered.
template<typename T, typename Start>
std::optional<T> waitFor(Start start, int limitMs = 20000)
{
    std::optional<T> answer;
    QEventLoop loop;
    QObject context;
    start(&context, [&](T value) {
        answer.emplace(std::move(value));
        loop.quit();
    });
    if (!answer) {
        QTimer::singleShot(limitMs, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return answer;
}

inline std::optional<Result<net::HttpResponse>> sendAndWait(net::HttpClient &client,
                                                            net::HttpRequest request)
{
    return waitFor<Result<net::HttpResponse>>(
        [&](QObject *context, auto done) { client.send(std::move(request), context, done); });
}

} // namespace strikeline::testing
