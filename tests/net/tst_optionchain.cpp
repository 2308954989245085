// GET /v2/option/chain read into OptionChain (prev_oi, sides that are missing, numbers as
// strings, malformed rows), the request it sends, and the previous-OI store that keeps prev_oi
// with its trading day so a restart does not ask again.

#include "NetTestSupport.h"
#include "TestHttpServer.h"
#include "broker/upstox/UpstoxOptionChain.h"
#include "marketdata/PreviousOi.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace strikeline;
using namespace strikeline::upstox;
using namespace strikeline::testing;

namespace {

// Upstox's documented shape (upstox-reference.md §3.6), out of strike order, with a strike that
// has no put, numbers sent as strings, a missing prev_oi and null greeks.
const QByteArray ChainBody = R"({"status":"success","data":[
 {"expiry":"2025-12-16","pcr":0.9,"strike_price":26100,"underlying_key":"NSE_INDEX|Nifty 50",
  "underlying_spot_price":25960.45,
  "call_options":{"instrument_key":"NSE_FO|41911","market_data":{"ltp":41.3,"volume":1200,
   "oi":"150000","close_price":52.15,"bid_price":41.25,"bid_qty":750,"ask_price":41.4,
   "ask_qty":1125,"prev_oi":142500},"option_greeks":{"vega":12.1,"theta":-9.8,"gamma":0.0011,
   "delta":0.31,"iv":11.42,"pop":28.5}},
  "put_options":null},
 {"expiry":"2025-12-16","pcr":1.25,"strike_price":"26000","underlying_key":"NSE_INDEX|Nifty 50",
  "underlying_spot_price":25960.45,
  "call_options":{"instrument_key":"NSE_FO|41903","market_data":{"ltp":92.05,"volume":52000,
   "oi":300000,"close_price":101.0,"bid_price":92.0,"bid_qty":75,"ask_price":92.1,"ask_qty":150},
   "option_greeks":{"vega":null,"theta":null,"gamma":null,"delta":null,"iv":null,"pop":null}},
  "put_options":{"instrument_key":"NSE_FO|41904","market_data":{"ltp":131.5,"volume":48000,
   "oi":375000,"close_price":120.0,"bid_price":131.4,"bid_qty":300,"ask_price":131.6,
   "ask_qty":225,"prev_oi":360000},"option_greeks":{"vega":13.0,"theta":-10.2,"gamma":0.0012,
   "delta":-0.55,"iv":12.02,"pop":45.1}}}
]})";

struct Fixture
{
    TestHttpServer server;
    TestTokens tokens{"daily-token"};
    net::HttpClient http;
    UpstoxClient client;

    Fixture()
        : http([this] {
            net::HttpClient::Options o;
            o.tokens = &tokens;
            o.allowLoopbackHttp = true;
            return o;
        }())
        , client(http, UpstoxUrls::fromBase(server.url().toString()).value())
    {}
};

UpstoxResult<OptionChain> parse(const QByteArray &body)
{
    return parseOptionChain(QJsonDocument::fromJson(body).object().value(QLatin1String("data")));
}

} // namespace

class tst_OptionChain final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void readsUpstoxsShape()
    {
        const auto chain = parse(ChainBody);
        QVERIFY2(chain.ok(), qPrintable(chain.ok() ? QString() : chain.error().message));
        QCOMPARE(chain->underlyingKey, QStringLiteral("NSE_INDEX|Nifty 50"));
        QCOMPARE(chain->expiry, QDate(2025, 12, 16));
        QCOMPARE(chain->spot, Price::fromRaw(259604500));
        QCOMPARE(chain->rows.size(), std::size_t(2));
        const OptionChainRow &atm = chain->rows[0]; // sorted by strike
        QCOMPARE(atm.strike, Price::fromRupees(26000));
        QVERIFY(atm.call && atm.put);
        QCOMPARE(atm.call->instrumentKey, QStringLiteral("NSE_FO|41903"));
        QCOMPARE(atm.call->ltp, Price::fromRaw(920500));
        QCOMPARE(atm.call->oi, std::int64_t(300000));
        QVERIFY(!atm.call->prevOi); // missing is absent, not zero
        QVERIFY(!atm.call->iv && !atm.call->delta);
        QCOMPARE(atm.put->prevOi, std::int64_t(360000));
        QCOMPARE(atm.put->bidQuantity, std::int64_t(300));
        QCOMPARE(*atm.put->delta, -0.55);
        QCOMPARE(*atm.pcr, 1.25);
        const OptionChainRow &otm = chain->rows[1];
        QVERIFY(otm.call && !otm.put);                // put_options null: no contract
        QCOMPARE(otm.call->oi, std::int64_t(150000)); // a numeric string
        QCOMPARE(otm.call->prevOi, std::int64_t(142500));
        QCOMPARE(otm.call->close, Price::fromRaw(521500));
        QCOMPARE(*otm.call->iv, 11.42);
    }

    void emptyIsAnEmptyChain()
    {
        const auto chain = parse(R"({"status":"success","data":[]})");
        QVERIFY(chain.ok());
        QVERIFY(chain->rows.empty());
        QVERIFY(!chain->spot);
    }

    void malformedIsAClearError_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("says");
        QTest::newRow("not a list")
            << QByteArray(R"({"data":{"strike_price":1}})") << QStringLiteral("not a list");
        QTest::newRow("no strike") << QByteArray(R"({"data":[{"call_options":null}]})")
                                   << QStringLiteral("row 1 has no strike_price");
        QTest::newRow("zero strike") << QByteArray(R"({"data":[{"strike_price":0}]})")
                                     << QStringLiteral("row 1 has no strike_price");
        QTest::newRow("text strike") << QByteArray(R"({"data":[{"strike_price":"abc"}]})")
                                     << QStringLiteral("row 1 has no strike_price");
    }
    void malformedIsAClearError()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, says);
        const auto chain = parse(body);
        QVERIFY(!chain.ok());
        QCOMPARE(chain.error().kind, UpstoxErrorKind::Malformed);
        QVERIFY2(chain.error().message.contains(says), qPrintable(chain.error().message));
    }

    void fetchAsksForTheUnderlyingAndExpiry()
    {
        Fixture f;
        f.server.route("/v2/option/chain", TestResponse::json(200, ChainBody));
        const auto chain = waitFor<UpstoxResult<OptionChain>>([&](QObject *context, auto done) {
            fetchOptionChain(f.client, QStringLiteral("NSE_INDEX|Nifty 50"), QDate(2025, 12, 16),
                             context, done);
        });
        QVERIFY(chain && chain->ok());
        QCOMPARE(chain->value().rows.size(), std::size_t(2));
        const TestRequest &request = f.server.requests().last();
        QCOMPARE(request.method, QByteArray("GET"));
        QCOMPARE(request.query.queryItemValue(QStringLiteral("instrument_key"), QUrl::FullyDecoded),
                 QStringLiteral("NSE_INDEX|Nifty 50"));
        QCOMPARE(request.query.queryItemValue(QStringLiteral("expiry_date")),
                 QStringLiteral("2025-12-16"));
        QCOMPARE(request.header("authorization"), QByteArray("Bearer daily-token"));
    }

    void fetchReportsUpstoxsError()
    {
        Fixture f;
        f.server.route("/v2/option/chain",
                       TestResponse::json(401, R"({"status":"error","errors":[{"error_code":)"
                                               R"("UDAPI100050","message":"Invalid token"}]})"));
        const auto chain = waitFor<UpstoxResult<OptionChain>>([&](QObject *context, auto done) {
            fetchOptionChain(f.client, QStringLiteral("NSE_INDEX|Nifty 50"), QDate(2025, 12, 16),
                             context, done);
        });
        QVERIFY(chain && !chain->ok());
        QCOMPARE(chain->error().kind, UpstoxErrorKind::Token);
    }

    void previousOiIsKeptForItsDay()
    {
        QTemporaryDir dir;
        const marketdata::PreviousOiStore store(dir.filePath(QStringLiteral("prev-oi")));
        const EpochDay expiry = fromQDate(QDate(2025, 12, 16));
        const EpochDay today = fromQDate(QDate(2025, 12, 9));
        const QString nifty = QStringLiteral("NSE_INDEX|Nifty 50");
        auto nothing = store.load(nifty, expiry, today);
        QVERIFY(nothing.ok() && !nothing->has_value());

        marketdata::PreviousOi previous{nifty, expiry, today, {}};
        previous.oi["NSE_FO|41904"] = 360000;
        previous.oi["NSE_FO|41911"] = 142500;
        QVERIFY(store.save(previous).ok());
        const auto back = store.load(nifty, expiry, today);
        QVERIFY(back.ok() && back->has_value());
        QCOMPARE((*back)->oi, previous.oi);
        QCOMPARE((*back)->tradingDay, today);

        // Tomorrow's change in OI has another base: yesterday's file is not it.
        auto tomorrow = store.load(nifty, expiry, today + 1);
        QVERIFY(tomorrow.ok() && !tomorrow->has_value());
        // Another expiry neither.
        auto other = store.load(nifty, expiry + 7, today);
        QVERIFY(other.ok() && !other->has_value());

        // A day later the old file is pruned.
        previous.tradingDay = today + 1;
        QVERIFY(store.save(previous).ok());
        QCOMPARE(store.forgetBefore(today + 1), 1);
        QVERIFY(!QFile::exists(store.filePath(nifty, expiry, today)));
        QVERIFY(QFile::exists(store.filePath(nifty, expiry, today + 1)));
    }

    void aDamagedFileIsAnErrorNotABase()
    {
        QTemporaryDir dir;
        const marketdata::PreviousOiStore store(dir.path());
        const EpochDay expiry = fromQDate(QDate(2025, 12, 16));
        const EpochDay today = fromQDate(QDate(2025, 12, 9));
        const QString nifty = QStringLiteral("NSE_INDEX|Nifty 50");
        const QString path = store.filePath(nifty, expiry, today);
        QVERIFY(QFileInfo(path).fileName().startsWith(QLatin1String("2025-12-09_")));

        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"version\":1,\"prev_oi\":{"); // cut off
        file.close();
        auto damaged = store.load(nifty, expiry, today);
        QVERIFY(!damaged.ok());
        QVERIFY(damaged.error().message.contains(QLatin1String("not a previous-OI file")));

        // A file renamed by hand to another expiry's name is not that expiry's base.
        marketdata::PreviousOi banknifty{QStringLiteral("NSE_INDEX|Nifty Bank"), expiry, today, {}};
        banknifty.oi["NSE_FO|1"] = 1;
        QVERIFY(store.save(banknifty).ok());
        QFile::remove(path);
        QVERIFY(QFile::rename(store.filePath(banknifty.underlyingKey, expiry, today), path));
        auto renamed = store.load(nifty, expiry, today);
        QVERIFY(!renamed.ok());
        QVERIFY(renamed.error().message.contains(QLatin1String("another expiry or day")));
    }
};

QTEST_GUILESS_MAIN(tst_OptionChain)
#include "tst_optionchain.moc"
