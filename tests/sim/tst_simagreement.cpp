// The simulator's feed and its REST answers agree (docs/upstox-sim.md, "The market"): option
// keys subscribed on the market-data feed (option_greeks and full modes) and read at about the
// same moment over /v2/option/chain and /v3/market-quote/option-greek show the same OI, volume
// and best bid/ask, because both read SimMarketState. prev_oi is constant, OI within +-30 % of
// it. The whole simulator in process: UpstoxSim's front door with SimFeedStreams behind it.

#undef QT_NO_CAST_FROM_ASCII

#include "MarketDataFeedV3.pb.h"
#include "SimFeedStreams.h"
#include "TestData.h"
#include "common/IstTime.h"
#include "instruments/InstrumentRepository.h"
#include "instruments/MasterReader.h"
#include "marketdata/SimulatedMarket.h"
#include "sim/UpstoxSim.h"

#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QTest>
#include <QTimer>
#include <QWebSocket>

#include <cmath>
#include <map>
#include <memory>
#include <vector>

using namespace strikeline;
using namespace strikeline::sim;

namespace {

constexpr int Timeout = 15000;
const QByteArray AnalyticsToken = "sim-analytics-token";
const QString Chain = "/v2/option/chain?instrument_key=NSE_INDEX%7CNifty%2050"
                      "&expiry_date=2026-08-25";

// What the feed has said about a key so far: the state after each frame that changed it.
struct Seen
{
    std::int64_t volume = 0;
    double oi = 0;
    double bidPrice = 0, askPrice = 0;
    std::int64_t bidQuantity = 0, askQuantity = 0;

    bool operator==(const Seen &) const = default;
};

// One leg of a REST answer.
struct Rest
{
    std::int64_t volume = 0;
    double oi = 0;
    double prevOi = 0;
    double bidPrice = 0, askPrice = 0;
    std::int64_t bidQuantity = 0, askQuantity = 0;
};

} // namespace

class tst_SimAgreement : public QObject
{
    Q_OBJECT

    std::unique_ptr<InstrumentRepository> m_repository;
    std::unique_ptr<FixedClock> m_clock;
    std::unique_ptr<SimulatedMarket> m_market;
    std::unique_ptr<SimEventBus> m_events;
    std::unique_ptr<SimContext> m_context;
    std::unique_ptr<SimFeedStreams> m_streams;
    std::unique_ptr<UpstoxSim> m_sim;
    QNetworkAccessManager m_network;

    QJsonDocument get(const QString &pathAndQuery)
    {
        QNetworkRequest request(QUrl(m_sim->httpUrl() + pathAndQuery));
        request.setRawHeader("Authorization", "Bearer " + AnalyticsToken);
        QNetworkReply *reply = m_network.get(request);
        QEventLoop loop;
        connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        QTimer::singleShot(Timeout, &loop, &QEventLoop::quit);
        if (!reply->isFinished())
            loop.exec();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status != 200)
            qWarning("GET %s: %d", qPrintable(pathAndQuery), status);
        const QJsonDocument doc = QJsonDocument::fromJson(reply->readAll());
        reply->deleteLater();
        return doc;
    }

    // Every leg of the chain by instrument key.
    std::map<std::string, Rest> chain()
    {
        std::map<std::string, Rest> legs;
        for (const QJsonValue row : get(Chain).object().value("data").toArray()) {
            for (const char *side : {"call_options", "put_options"}) {
                const QJsonObject leg = row.toObject().value(side).toObject();
                const QJsonObject md = leg.value("market_data").toObject();
                Rest r;
                r.volume = static_cast<std::int64_t>(md.value("volume").toDouble());
                r.oi = md.value("oi").toDouble();
                r.prevOi = md.value("prev_oi").toDouble();
                r.bidPrice = md.value("bid_price").toDouble();
                r.askPrice = md.value("ask_price").toDouble();
                r.bidQuantity = static_cast<std::int64_t>(md.value("bid_qty").toDouble());
                r.askQuantity = static_cast<std::int64_t>(md.value("ask_qty").toDouble());
                legs[leg.value("instrument_key").toString().toStdString()] = r;
            }
        }
        return legs;
    }

    // option-greek's volume and OI by instrument key.
    std::map<std::string, Rest> greeks(const std::vector<std::string> &keys)
    {
        QString list;
        for (const std::string &key : keys)
            list += (list.isEmpty() ? "" : ",") + QString::fromStdString(key);
        std::map<std::string, Rest> legs;
        const QJsonObject data = get("/v3/market-quote/option-greek?instrument_key=" +
                                     QString::fromLatin1(QUrl::toPercentEncoding(list)))
                                     .object()
                                     .value("data")
                                     .toObject();
        for (const QJsonValue value : data) {
            const QJsonObject q = value.toObject();
            Rest r;
            r.volume = static_cast<std::int64_t>(q.value("volume").toDouble());
            r.oi = q.value("oi").toDouble();
            legs[q.value("instrument_token").toString().toStdString()] = r;
        }
        return legs;
    }

private Q_SLOTS:
    void initTestCase()
    {
        STRIKELINE_REQUIRE_REAL_FILE(path, "fixture-NSE_FO-subset-2026-08-21.json");
        SnapshotBuilder builder;
        auto read = readMasterFile(path, [&](InstrumentRecord &&r) { builder.add(std::move(r)); });
        QVERIFY2(read.ok(), read.ok() ? "" : qPrintable(read.error().message));
        m_repository = std::make_unique<InstrumentRepository>();
        m_repository->publish(builder.build({}, nullptr));
        // A Friday mid-session: the feed ticks. The clock stands still, so every change of a
        // subscribed book is one of the feed's steps, and each is sent.
        m_clock = std::make_unique<FixedClock>(*parseIstMoment("2026-08-21 10:30"));
        SimulationParams params;
        params.seed = 7;
        m_market = std::make_unique<SimulatedMarket>(*m_repository, *m_clock, params);
        m_events = std::make_unique<SimEventBus>();
        m_context = std::make_unique<SimContext>(
            SimContext{*m_repository, *m_market, *m_clock, *m_events, 0, 7});
        MarketFeedServer::Options options;
        options.advanceMarket = false; // as strikeline-cli upstox-sim wires it
        m_streams = std::make_unique<SimFeedStreams>(*m_context, options);
        m_sim = std::make_unique<UpstoxSim>(*m_context, m_streams.get());
        const auto port = m_sim->start(0);
        QVERIFY2(port.ok(), port.ok() ? "" : qPrintable(port.error().message));
    }

    void cleanupTestCase()
    {
        m_sim.reset();
        m_streams.reset();
    }

    void feedAndRestAgree()
    {
        // Six legs around the money: three in option_greeks mode, three in full.
        const std::map<std::string, Rest> first = chain();
        QVERIFY(first.size() >= 6);
        std::vector<std::string> keys;
        for (const auto &[key, leg] : first) {
            if (leg.oi > 0 && keys.size() < 6)
                keys.push_back(key);
        }
        QCOMPARE(keys.size(), 6u);
        const std::vector<std::string> greekKeys(keys.begin(), keys.begin() + 3);
        const std::vector<std::string> fullKeys(keys.begin() + 3, keys.end());

        const QJsonObject auth = get("/v3/feed/market-data-feed/authorize").object();
        const QString uri =
            auth.value("data").toObject().value("authorized_redirect_uri").toString();
        QVERIFY(!uri.isEmpty());
        QWebSocket socket;
        socket.setProxy(QNetworkProxy::NoProxy);
        std::map<std::string, std::vector<Seen>> seen;
        std::map<std::string, Seen> now;
        int snapshots = 0;
        int live = 0;
        connect(&socket, &QWebSocket::binaryMessageReceived, this, [&](const QByteArray &bytes) {
            upstoxpb::FeedResponse frame;
            QVERIFY(frame.ParseFromArray(bytes.constData(), static_cast<int>(bytes.size())));
            snapshots += frame.type() == upstoxpb::initial_feed;
            live += frame.type() == upstoxpb::live_feed;
            for (const auto &[key, feed] : frame.feeds()) {
                Seen &s = now[key];
                if (feed.has_firstlevelwithgreeks()) {
                    const auto &f = feed.firstlevelwithgreeks();
                    if (f.has_ltpc())
                        s.volume = f.vtt();
                    if (f.oi() > 0)
                        s.oi = f.oi();
                    if (f.has_firstdepth()) {
                        s.bidPrice = f.firstdepth().bidp();
                        s.bidQuantity = f.firstdepth().bidq();
                        s.askPrice = f.firstdepth().askp();
                        s.askQuantity = f.firstdepth().askq();
                    }
                } else if (feed.fullfeed().has_marketff()) {
                    const auto &f = feed.fullfeed().marketff();
                    if (f.has_ltpc())
                        s.volume = f.vtt();
                    if (f.oi() > 0)
                        s.oi = f.oi();
                    if (f.marketlevel().bidaskquote_size() > 0) {
                        const auto &best = f.marketlevel().bidaskquote(0);
                        s.bidPrice = best.bidp();
                        s.bidQuantity = best.bidq();
                        s.askPrice = best.askp();
                        s.askQuantity = best.askq();
                    }
                }
                if (seen[key].empty() || !(seen[key].back() == s))
                    seen[key].push_back(s);
            }
        });
        socket.open(QUrl(uri));
        QTRY_VERIFY_WITH_TIMEOUT(socket.state() == QAbstractSocket::ConnectedState, Timeout);
        const auto sub = [&](const std::vector<std::string> &list, const QString &mode) {
            QJsonArray array;
            for (const std::string &key : list)
                array.append(QString::fromStdString(key));
            socket.sendBinaryMessage(
                QJsonDocument(
                    QJsonObject{{"guid", QString("g-" + mode)},
                                {"method", "sub"},
                                {"data", QJsonObject{{"mode", mode}, {"instrumentKeys", array}}}})
                    .toJson(QJsonDocument::Compact));
        };
        sub(greekKeys, "option_greeks");
        sub(fullKeys, "full");
        QTRY_VERIFY_WITH_TIMEOUT(snapshots == 2 && live >= 8, Timeout);
        for (const std::string &key : keys)
            QVERIFY2(seen[key].size() > 0 && seen[key].front().oi > 0, key.c_str());

        // The REST answer is the feed's state at one moment between two frames: the one before
        // the request or one that came after it (frames still in flight: wait for them).
        const auto agrees = [](const std::vector<Seen> &history, std::size_t from, auto match) {
            for (std::size_t i = from; i < history.size(); ++i) {
                if (match(history[i]))
                    return true;
            }
            return false;
        };
        std::map<std::string, Rest> previous;
        std::map<std::string, std::int64_t> firstVolume;
        for (int read = 0; read < 2; ++read) {
            std::map<std::string, std::size_t> before;
            for (const std::string &key : keys)
                before[key] = seen[key].size() - 1;
            const std::map<std::string, Rest> rest = chain();
            const std::map<std::string, Rest> option = greeks(keys);
            QTest::qWait(700);
            for (const std::string &key : keys) {
                const char *name = key.c_str();
                QVERIFY2(rest.contains(key) && option.contains(key), name);
                const Rest &r = rest.at(key);
                const Rest &g = option.at(key);
                QVERIFY2(agrees(seen[key], before[key],
                                [&](const Seen &s) {
                                    return s.volume == r.volume && s.oi == r.oi &&
                                           s.bidPrice == r.bidPrice && s.askPrice == r.askPrice &&
                                           s.bidQuantity == r.bidQuantity &&
                                           s.askQuantity == r.askQuantity;
                                }),
                         qPrintable(QString("chain %1: volume %2 oi %3 bid %4x%5 ask %6x%7, the "
                                            "feed's last: volume %8 oi %9")
                                        .arg(name)
                                        .arg(r.volume)
                                        .arg(r.oi)
                                        .arg(r.bidPrice)
                                        .arg(r.bidQuantity)
                                        .arg(r.askPrice)
                                        .arg(r.askQuantity)
                                        .arg(seen[key].back().volume)
                                        .arg(seen[key].back().oi)));
                QVERIFY2(
                    agrees(seen[key], before[key],
                           [&](const Seen &s) { return s.volume == g.volume && s.oi == g.oi; }),
                    qPrintable(QString("option-greek %1: volume %2 oi %3")
                                   .arg(name)
                                   .arg(g.volume)
                                   .arg(g.oi)));
                QVERIFY2(g.volume >= r.volume, name); // read after the chain
                // prev_oi is yesterday's: the same in every read; OI within +-30 % of it.
                QCOMPARE(r.prevOi, first.at(key).prevOi);
                if (previous.contains(key))
                    QCOMPARE(r.prevOi, previous.at(key).prevOi);
                QVERIFY2(r.oi >= 0.7 * r.prevOi && r.oi <= 1.3 * r.prevOi, name);
                QVERIFY2(r.volume > 0, name);
                if (read == 0)
                    firstVolume[key] = r.volume;
                else
                    QVERIFY2(r.volume >= firstVolume[key], name);
            }
            previous = rest;
            QTest::qWait(1000); // the feed trades on between the two reads
        }
        // The feed moved while we read: volume grew on some leg.
        bool traded = false;
        for (const std::string &key : keys)
            traded = traded || seen[key].back().volume > seen[key].front().volume;
        QVERIFY(traded);
    }
};

QTEST_GUILESS_MAIN(tst_SimAgreement)
#include "tst_simagreement.moc"
