#pragma once

// A LiveMarket (the Upstox feed, decoder and quote book) in this process against a real
// `strikeline-cli upstox-sim` process (SimProcess), on the simulator's Analytics Token: what the
// desktop's Terminal::updateLiveMarket wires, for the tests and benchmarks of the live chain.
//
//     testing::SimLiveMarket live;
//     QVERIFY2(live.start(simOptions), qPrintable(live.errorString()));
//     view.setLiveMarket(&live.market(), previousOiDir);
//
// The target defines STRIKELINE_CLI_PATH (SimProcess) and links Qt6::Network.

#include "SimProcess.h"
#include "SimSession.h"
#include "broker/upstox/UpstoxClient.h"
#include "common/IstTime.h"
#include "instruments/InstrumentSnapshot.h"
#include "instruments/MasterReader.h"
#include "marketdata/feed/LiveMarket.h"
#include "net/HttpClient.h"
#include "net/TokenProvider.h"

#include <QByteArray>
#include <QMutex>
#include <QMutexLocker>

#include <memory>

namespace strikeline::testing {

// The master file as a snapshot (null when it cannot be read).
inline SnapshotPtr loadSnapshot(const QString &path)
{
    SnapshotBuilder builder;
    auto read =
        readMasterFile(path, [&builder](InstrumentRecord &&r) { builder.add(std::move(r)); });
    return read ? builder.build(MasterInfo{}) : nullptr;
}

// A fixed token (the Analytics Token); refusals are counted.
class FixedTokens final : public net::TokenProvider
{
public:
    explicit FixedTokens(QByteArray token)
        : m_token(std::move(token))
    {}
    QByteArray accessToken() const override
    {
        QMutexLocker lock(&m_mutex);
        return m_token;
    }
    void tokenRejected(const QByteArray &) override
    {
        QMutexLocker lock(&m_mutex);
        ++m_rejected;
    }
    int rejected() const
    {
        QMutexLocker lock(&m_mutex);
        return m_rejected;
    }

private:
    mutable QMutex m_mutex;
    QByteArray m_token;
    int m_rejected = 0;
};

class SimLiveMarket final
{
public:
    // The feed's timeouts shrunk so a drop or a mute is seen in seconds; the market is open
    // whatever the wall clock says (the simulator runs at its own --at).
    static marketdata::UpstoxMarketFeed::Options fastFeedOptions()
    {
        marketdata::UpstoxMarketFeed::Options o;
        o.pingInterval = std::chrono::milliseconds(1000);
        o.pongDeadline = std::chrono::milliseconds(10000);
        o.backoffInitial = std::chrono::milliseconds(100);
        o.backoffMax = std::chrono::milliseconds(1000);
        o.batchDelay = std::chrono::milliseconds(20);
        o.marketOpen = [] { return true; };
        return o;
    }

    // Starts the simulator, then the live market on its Analytics Token (`token` overrides it:
    // a token the simulator refuses). `options.feed`'s defaults: fastFeedOptions().
    bool start(const SimProcess::Options &sim, marketdata::LiveMarket::Options options = {},
               const QByteArray &token = QByteArrayLiteral("sim-analytics-token"),
               bool startFeed = true)
    {
        if (!m_sim.start(sim)) {
            m_error = m_sim.errorString();
            return false;
        }
        return attach(options, token, startFeed);
    }

    // A new client and live market on the running simulator (the old ones go first).
    bool attach(marketdata::LiveMarket::Options options, const QByteArray &token,
                bool startFeed = true)
    {
        m_market.reset();
        m_client.reset();
        m_http.reset();
        m_tokens = std::make_unique<FixedTokens>(token);
        net::HttpClient::Options http;
        http.tokens = m_tokens.get();
        http.allowLoopbackHttp = true;
        http.retryBackoff = std::chrono::milliseconds(50);
        m_http = std::make_unique<net::HttpClient>(http);
        auto urls = upstox::UpstoxUrls::fromBase(m_sim.baseUrl());
        if (!urls) {
            m_error = QStringLiteral("bad simulator URL ") + m_sim.baseUrl();
            return false;
        }
        m_client = std::make_unique<upstox::UpstoxClient>(*m_http, urls.value());
        if (!options.feed.marketOpen)
            options.feed = fastFeedOptions();
        m_market = std::make_unique<marketdata::LiveMarket>(*m_client, std::move(options));
        if (startFeed)
            m_market->start();
        return true;
    }

    // POST /sim/fault (docs/upstox-sim.md, "Faults"); true when the simulator took it.
    bool fault(const QString &name, const QString &value = {}) const
    {
        return simFault(m_sim.url(), name, value);
    }

    void stop()
    {
        m_market.reset();
        m_client.reset();
        m_http.reset();
        m_sim.stop();
    }
    ~SimLiveMarket() { stop(); }

    marketdata::LiveMarket &market() const { return *m_market; }
    upstox::UpstoxClient &client() const { return *m_client; }
    SimProcess &sim() { return m_sim; }
    const FixedTokens &tokens() const { return *m_tokens; }
    QString errorString() const { return m_error; }

private:
    SimProcess m_sim;
    std::unique_ptr<FixedTokens> m_tokens;
    std::unique_ptr<net::HttpClient> m_http;
    std::unique_ptr<upstox::UpstoxClient> m_client;
    std::unique_ptr<marketdata::LiveMarket> m_market;
    QString m_error;
};

} // namespace strikeline::testing
