#include "instruments/MasterGenerator.h"
#include "instruments/MasterReader.h"

#include <QBuffer>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

using namespace strikeline;

namespace {

EpochDay date(int y, int m, int d)
{
    return fromQDate(QDate(y, m, d));
}

int weekday(EpochDay day) // 1 = Monday ... 7 = Sunday
{
    return toQDate(day).dayOfWeek();
}

QString text(std::string_view s)
{
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

GeneratorOptions optionsFor(std::int64_t rows, MasterFormat format = MasterFormat::Json,
                            bool gzip = true, EpochDay asOf = date(2025, 12, 9))
{
    GeneratorOptions o;
    o.rows = rows;
    o.asOf = asOf;
    o.format = format;
    o.gzip = gzip;
    return o;
}

struct Generated
{
    QByteArray bytes;
    GeneratorSummary summary;
};

Generated generate(const GeneratorOptions &options)
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    auto result = generateMaster(buffer, options);
    if (!result)
        qFatal("generateMaster failed: %s", qPrintable(result.error().message));
    return {buffer.data(), *result};
}

struct ReadBack
{
    ReadSummary summary;
    std::vector<InstrumentRecord> records;
};

ReadBack readBack(const QByteArray &bytes)
{
    QBuffer buffer;
    buffer.setData(bytes);
    buffer.open(QIODevice::ReadOnly);
    ReadBack out;
    auto result =
        readMaster(buffer, [&out](InstrumentRecord &&r) { out.records.push_back(std::move(r)); });
    if (!result)
        qFatal("readMaster failed: %s", qPrintable(result.error().message));
    out.summary = *result;
    return out;
}

// The keys of every distinct object shape in a minified JSON master, per segment, in order.
std::map<std::string, std::set<std::vector<std::string>>> keyOrders(const QByteArray &json)
{
    std::map<std::string, std::set<std::vector<std::string>>> out;
    const std::string_view s(json.constData(), static_cast<std::size_t>(json.size()));
    std::vector<std::string> keys;
    std::string segment;
    bool expectKey = false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '{') {
            keys.clear();
            expectKey = true;
        } else if (c == '}') {
            out[segment].insert(keys);
        } else if (c == ',') {
            expectKey = true;
        } else if (c == '"') {
            const std::size_t end = s.find('"', i + 1); // our strings have no escapes
            const std::string value(s.substr(i + 1, end - i - 1));
            if (expectKey) {
                keys.push_back(value);
                expectKey = false;
            } else if (keys.back() == "segment") {
                segment = value;
            }
            i = end;
        }
    }
    return out;
}

// The fixed-date holidays the generator moves expiries off.
bool isFixedHoliday(EpochDay day)
{
    const QDate d = toQDate(day);
    return (d.month() == 1 && d.day() == 26) || (d.month() == 5 && d.day() == 1) ||
           (d.month() == 8 && d.day() == 15) || (d.month() == 10 && d.day() == 2) ||
           (d.month() == 12 && d.day() == 25);
}

// On `expected`, or moved to the trading day before a fixed holiday that fell on `expected`.
bool onWeekday(EpochDay day, int expected)
{
    if (weekday(day) == expected)
        return true;
    for (EpochDay d = day + 1; d <= day + 4; ++d) {
        if (isFixedHoliday(d) && weekday(d) == expected)
            return true;
        if (!isFixedHoliday(d) && weekday(d) < 6)
            return false; // a trading day in between: not a holiday move
    }
    return false;
}

} // namespace

class tst_Generator : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void deterministic_data();
    void deterministic();
    void exactRowCount_data();
    void exactRowCount();
    void smallMasterIsThePrefixOfALargeOne();
    void jsonIsStrictJsonWithTheRealKeyOrder();
    void csvAndJsonDescribeTheSameUniverse();
    void realism_data();
    void realism();
    void fileFormatFollowsTheExtension_data();
    void fileFormatFollowsTheExtension();
    void errors();
    void failedWriteReportsAnError();
};

void tst_Generator::deterministic_data()
{
    QTest::addColumn<int>("format");
    QTest::addColumn<bool>("gzip");
    QTest::newRow("json.gz") << int(MasterFormat::Json) << true;
    QTest::newRow("json") << int(MasterFormat::Json) << false;
    QTest::newRow("csv.gz") << int(MasterFormat::Csv) << true;
}

void tst_Generator::deterministic()
{
    QFETCH(int, format);
    QFETCH(bool, gzip);
    GeneratorOptions options = optionsFor(30000, static_cast<MasterFormat>(format), gzip);
    const QByteArray first = generate(options).bytes;
    const QByteArray second = generate(options).bytes;
    QCOMPARE(first.size(), second.size());
    QVERIFY(first == second);

    options.seed = 2;
    const QByteArray otherSeed = generate(options).bytes;
    QVERIFY(otherSeed != first);

    options.seed = 1;
    options.asOf = date(2025, 12, 10);
    QVERIFY(generate(options).bytes != first);
}

void tst_Generator::exactRowCount_data()
{
    QTest::addColumn<qint64>("rows");
    QTest::addColumn<int>("format");
    for (const qint64 rows : {qint64(1), qint64(100), qint64(5000), qint64(200000)}) {
        QTest::addRow("json %lld", rows) << rows << int(MasterFormat::Json);
        QTest::addRow("csv %lld", rows) << rows << int(MasterFormat::Csv);
    }
}

void tst_Generator::exactRowCount()
{
    QFETCH(qint64, rows);
    QFETCH(int, format);
    const Generated g = generate(optionsFor(rows, static_cast<MasterFormat>(format)));
    QCOMPARE(g.summary.rows, rows);
    QCOMPARE(g.summary.bytesWritten, qint64(g.bytes.size()));
    std::int64_t perSegment = 0;
    for (const std::int64_t n : g.summary.rowsPerSegment)
        perSegment += n;
    QCOMPARE(perSegment, rows);

    const ReadBack r = readBack(g.bytes);
    if (r.summary.rowsSkipped != 0)
        QFAIL(qPrintable(r.summary.issues.front().toString()));
    QCOMPARE(r.summary.rowsRead, rows);
    QCOMPARE(r.summary.rowsAccepted, rows);
    QCOMPARE(r.summary.format, static_cast<MasterFormat>(format));
    QVERIFY(r.summary.gzip);
    QCOMPARE(r.summary.bytesDecoded, g.summary.textBytes);

    std::array<std::int64_t, SegmentCount> seen{};
    for (const InstrumentRecord &rec : r.records)
        ++seen[static_cast<std::size_t>(rec.segment)];
    QVERIFY(seen == g.summary.rowsPerSegment);

    // Even a tiny master starts with the NIFTY index and its nearest chain.
    QCOMPARE(text(r.records.front().instrumentKey), QStringLiteral("NSE_INDEX|Nifty 50"));
    if (rows >= 100) {
        QCOMPARE(text(r.records[1].underlyingSymbol), QStringLiteral("NIFTY"));
        QVERIFY(isOption(r.records[1].kind));
    }
}

void tst_Generator::smallMasterIsThePrefixOfALargeOne()
{
    for (const MasterFormat format : {MasterFormat::Json, MasterFormat::Csv}) {
        const ReadBack small = readBack(generate(optionsFor(777, format)).bytes);
        const ReadBack large = readBack(generate(optionsFor(20000, format)).bytes);
        QCOMPARE(small.records.size(), std::size_t(777));
        QVERIFY(std::equal(small.records.begin(), small.records.end(), large.records.begin()));
    }
}

void tst_Generator::jsonIsStrictJsonWithTheRealKeyOrder()
{
    // Enough rows to reach every segment (the synthetic companies start near 100k rows).
    const Generated g = generate(optionsFor(110000, MasterFormat::Json, false));
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(g.bytes, &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    QVERIFY(doc.isArray());
    QCOMPARE(doc.array().size(), 110000);
    QVERIFY(g.bytes.startsWith("[{\"segment\":\"NSE_INDEX\""));
    QVERIFY(g.bytes.endsWith("}]"));

    // Key sets and order per segment as measured on the real complete.json (2025-12-09).
    using Keys = std::vector<std::string>;
    const Keys nseFo{"weekly",
                     "segment",
                     "name",
                     "exchange",
                     "expiry",
                     "instrument_type",
                     "asset_symbol",
                     "underlying_symbol",
                     "instrument_key",
                     "lot_size",
                     "freeze_quantity",
                     "exchange_token",
                     "minimum_lot",
                     "asset_key",
                     "underlying_key",
                     "tick_size",
                     "asset_type",
                     "underlying_type",
                     "trading_symbol",
                     "strike_price",
                     "qty_multiplier"};
    Keys bseFo = nseFo;
    bseFo.pop_back();
    Keys currency = nseFo;
    std::erase(currency, "asset_key");
    std::erase(currency, "underlying_key");
    const Keys mcx{"segment",           "name",
                   "exchange",          "expiry",
                   "instrument_type",   "asset_symbol",
                   "underlying_symbol", "instrument_key",
                   "lot_size",          "freeze_quantity",
                   "exchange_token",    "asset_key",
                   "underlying_key",    "tick_size",
                   "asset_type",        "underlying_type",
                   "trading_symbol",    "strike_price",
                   "last_trading_date", "price_quote_unit",
                   "qty_multiplier"};
    const Keys index{"segment",        "name",           "exchange",      "instrument_type",
                     "instrument_key", "exchange_token", "trading_symbol"};
    const Keys equity{"segment",         "name",           "exchange",       "isin",
                      "instrument_type", "instrument_key", "lot_size",       "freeze_quantity",
                      "exchange_token",  "tick_size",      "trading_symbol", "qty_multiplier"};
    auto with = [](Keys keys, std::size_t at, const std::string &key) {
        keys.insert(keys.begin() + static_cast<std::ptrdiff_t>(at), key);
        return keys;
    };
    Keys nseEq = equity;
    nseEq.push_back("security_type");
    Keys nseEqShort = with(nseEq, 11, "short_name");
    Keys nseEqMtf = nseEqShort;
    nseEqMtf.insert(nseEqMtf.end() - 1, {"mtf_enabled", "mtf_bracket"});

    const auto orders = keyOrders(g.bytes);
    const std::map<std::string, std::set<Keys>> expected{
        {"NSE_FO", {nseFo}},
        {"BSE_FO", {bseFo}},
        {"NCD_FO", {currency}},
        {"BCD_FO", {currency}},
        {"MCX_FO", {mcx}},
        {"NSE_INDEX", {index}},
        {"BSE_INDEX", {index}},
        {"NSE_EQ", {nseEq, nseEqShort, nseEqMtf}},
        {"BSE_EQ", {equity, with(equity, 11, "short_name")}},
    };
    QCOMPARE(orders.size(), expected.size());
    for (const auto &[segment, shapes] : orders) {
        const auto it = expected.find(segment);
        QVERIFY2(it != expected.end(), segment.c_str());
        for (const Keys &keys : shapes)
            QVERIFY2(it->second.count(keys) == 1, segment.c_str());
    }

    // Value types and spellings of a real row.
    const QJsonObject first = doc.array().at(1).toObject();
    QCOMPARE(first.value(QStringLiteral("exchange_token")).type(), QJsonValue::String);
    QCOMPARE(first.value(QStringLiteral("weekly")).type(), QJsonValue::Bool);
    QVERIFY(g.bytes.contains("\"tick_size\":5.0,"));
    QVERIFY(g.bytes.contains("\"freeze_quantity\":1755.0,"));
    QVERIFY(g.bytes.contains("\"strike_price\":0.0,"));
    QVERIFY(g.bytes.contains("\"qty_multiplier\":1.0}"));
    QVERIFY(g.bytes.contains("\"tick_size\":0.25,"));
    // Epoch ms at 23:59:59 IST: 2025-12-09 -> 1765304999000.
    QVERIFY(g.bytes.contains("\"expiry\":1765304999000,"));
}

void tst_Generator::csvAndJsonDescribeTheSameUniverse()
{
    const std::int64_t rows = 110000;
    const ReadBack json = readBack(generate(optionsFor(rows, MasterFormat::Json)).bytes);
    const ReadBack csv = readBack(generate(optionsFor(rows, MasterFormat::Csv)).bytes);
    QCOMPARE(json.records.size(), csv.records.size());
    for (std::size_t i = 0; i < json.records.size(); ++i) {
        const InstrumentRecord &j = json.records[i];
        const InstrumentRecord &c = csv.records[i];
        const QString where = text(j.instrumentKey) + QStringLiteral(" / ") + text(c.tradingSymbol);
        QVERIFY2(j.instrumentKey == c.instrumentKey, qPrintable(where));
        QVERIFY2(j.segment == c.segment && j.kind == c.kind, qPrintable(where));
        QVERIFY2(j.exchangeToken == c.exchangeToken, qPrintable(where));
        QVERIFY2(j.expiry == c.expiry && j.weekly == c.weekly, qPrintable(where));
        QVERIFY2(j.strike == c.strike, qPrintable(where));
        QVERIFY2(j.tickSize == c.tickSize && j.lotSize == c.lotSize, qPrintable(where));
        QVERIFY2(j.underlyingSymbol == c.underlyingSymbol, qPrintable(where));
        QVERIFY2(j.name == c.name, qPrintable(where));
        if (!isDerivative(j.kind))
            QVERIFY2(j.tradingSymbol == c.tradingSymbol, qPrintable(where));
    }
}

void tst_Generator::realism_data()
{
    QTest::addColumn<QDate>("asOf");
    QTest::newRow("expiry day, Dec 2025") << QDate(2025, 12, 9);
    QTest::newRow("a Friday, Aug 2026") << QDate(2026, 8, 21);
    QTest::newRow("Christmas on a Tuesday") << QDate(2029, 12, 20);
    QTest::newRow("month end") << QDate(2026, 3, 31);
}

void tst_Generator::realism()
{
    QFETCH(QDate, asOf);
    const EpochDay today = fromQDate(asOf);
    const ReadBack r =
        readBack(generate(optionsFor(125000, MasterFormat::Json, true, today)).bytes);
    QCOMPARE(r.summary.rowsSkipped, 0);

    std::set<std::pair<Segment, std::uint32_t>> tokens;
    std::set<std::string> keys;
    std::map<std::string, Price> equityTicks; // NSE_EQ ticker -> tick
    std::map<std::string, Price> futureTicks; // stock root -> FUT tick
    std::map<std::string, std::set<Price>> optionTicks;
    std::set<EpochDay> niftyWeekly, niftyMonthly, niftyFutures;
    std::map<EpochDay, std::set<std::pair<std::int32_t, std::int32_t>>> niftyLots;
    std::map<EpochDay, std::pair<std::set<Price>, std::set<Price>>> niftyChains; // CE, PE
    const QRegularExpression symbolFormat(
        QStringLiteral("^(\\S+) (FUT|([\\d.]+) (CE|PE)) (\\d\\d) ([A-Z]{3}) (\\d\\d)$"));
    bool sawSensexWeekly = false;
    const QStringList Months =
        QStringLiteral("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC").split(QLatin1Char(' '));

    for (const InstrumentRecord &rec : r.records) {
        const QByteArray whatText =
            QByteArray::fromStdString(rec.instrumentKey + ' ' + rec.tradingSymbol);
        const char *what = whatText.constData();
        QVERIFY2(keys.insert(rec.instrumentKey).second, what);
        if (rec.kind != InstrumentKind::Index)
            QVERIFY2(tokens.insert({rec.segment, rec.exchangeToken}).second, what);

        if (rec.segment == Segment::NseEq)
            equityTicks[rec.tradingSymbol] = rec.tickSize;
        if (!isDerivative(rec.kind))
            continue;

        // Every F&O key is SEGMENT|token; nothing has expired; the symbol is in Upstox's format.
        QCOMPARE(text(rec.instrumentKey), QLatin1String(segmentName(rec.segment)) +
                                              QLatin1Char('|') +
                                              QString::number(rec.exchangeToken));
        QVERIFY2(rec.expiry >= today, what);
        const auto m = symbolFormat.match(text(rec.tradingSymbol));
        QVERIFY2(m.hasMatch(), what);
        QCOMPARE(m.captured(1), text(rec.underlyingSymbol));
        const QDate expiry = toQDate(rec.expiry);
        QCOMPARE(m.capturedView(5).toInt(), expiry.day());
        QCOMPARE(m.capturedView(6), Months.at(expiry.month() - 1));
        QCOMPARE(m.capturedView(7).toInt(), expiry.year() % 100);
        if (isOption(rec.kind))
            QCOMPARE(m.captured(3), rec.strike.toQString());
        QVERIFY(rec.lotSize > 0);

        switch (rec.segment) {
        case Segment::NseFo:
            QVERIFY2(rec.freezeQuantity > 0 && rec.freezeQuantity % rec.lotSize == 0, what);
            QVERIFY2(onWeekday(rec.expiry, Qt::Tuesday), what);
            if (rec.underlyingKey.starts_with("NSE_INDEX|")) {
                if (isOption(rec.kind))
                    QCOMPARE(rec.tickSize, Price::fromPaise(5));
            } else {
                QVERIFY2(!rec.weekly, what);
                QVERIFY(rec.underlyingKey.starts_with("NSE_EQ|"));
                if (rec.kind == InstrumentKind::Future)
                    futureTicks[rec.underlyingSymbol] = rec.tickSize;
                else
                    optionTicks[rec.underlyingSymbol].insert(rec.tickSize);
                // A stock contract is worth roughly 5-10 lakh: lots are not silly.
                QVERIFY(rec.lotSize >= 5);
                QVERIFY(rec.freezeQuantity / rec.lotSize >= 20 &&
                        rec.freezeQuantity / rec.lotSize <= 50);
            }
            if (rec.underlyingSymbol == "NIFTY") {
                QCOMPARE(text(rec.underlyingKey), QStringLiteral("NSE_INDEX|Nifty 50"));
                if (rec.kind == InstrumentKind::Future)
                    QCOMPARE(rec.tickSize, Price::fromPaise(10));
                (rec.weekly ? niftyWeekly : niftyMonthly).insert(rec.expiry);
                if (isOption(rec.kind)) {
                    auto &chain = niftyChains[rec.expiry];
                    (rec.kind == InstrumentKind::Call ? chain.first : chain.second)
                        .insert(rec.strike);
                }
                niftyLots[rec.expiry].insert({rec.lotSize, rec.freezeQuantity});
                if (rec.kind == InstrumentKind::Future)
                    niftyFutures.insert(rec.expiry);
            } else if (rec.underlyingSymbol == "BANKNIFTY" && rec.kind == InstrumentKind::Future) {
                QCOMPARE(rec.tickSize, Price::fromPaise(20));
                QCOMPARE(rec.lotSize, 30);
                QCOMPARE(rec.freezeQuantity, 600);
            } else if (rec.underlyingSymbol != "NIFTY") {
                QVERIFY2(!rec.weekly, what); // only NIFTY has NSE weeklies
            }
            break;
        case Segment::BseFo:
            QCOMPARE(rec.tickSize, Price::fromPaise(5));
            QVERIFY2(onWeekday(rec.expiry, Qt::Thursday), what);
            if (rec.weekly) {
                QCOMPARE(text(rec.underlyingSymbol), QStringLiteral("SENSEX"));
                sawSensexWeekly = true;
            }
            break;
        case Segment::NcdFo:
        case Segment::BcdFo:
            QCOMPARE(rec.tickSize, Price::fromRaw(25)); // Rs 0.0025
            QVERIFY(rec.underlyingKey.empty());
            QCOMPARE(rec.qtyMultiplier, 1000);
            QVERIFY(rec.strike.isMultipleOf(Price::fromPaise(25)) || rec.strike.isZero());
            if (rec.weekly)
                QVERIFY2(onWeekday(rec.expiry, Qt::Friday), what);
            break;
        case Segment::McxFo:
            QVERIFY(!rec.weekly);
            if (rec.underlyingSymbol == "GOLD") {
                QCOMPARE(rec.lotSize, 1);
                QCOMPARE(rec.qtyMultiplier, 100);
                QCOMPARE(rec.freezeQuantity, 100);
                QCOMPARE(rec.maxLotsPerOrder(), 100); // MCX freezes in lots
                QCOMPARE(rec.tickSize,
                         isOption(rec.kind) ? Price::fromPaise(50) : Price::fromRupees(1));
                QVERIFY(rec.underlyingKey.starts_with(isOption(rec.kind) ? "MCX_FO|" : "MCX_COM|"));
            } else if (rec.underlyingSymbol == "SILVER") {
                QCOMPARE(rec.lotSize, 30);
                QCOMPARE(rec.freezeQuantity, 20);
            }
            break;
        default:
            QFAIL(what); // an unexpected derivative segment
        }
    }

    QVERIFY(sawSensexWeekly);
    for (const auto s :
         {Segment::NseEq, Segment::NseIndex, Segment::NseFo, Segment::BseEq, Segment::BseIndex,
          Segment::BseFo, Segment::McxFo, Segment::NcdFo, Segment::BcdFo}) {
        QVERIFY2(std::any_of(r.records.begin(), r.records.end(),
                             [s](const InstrumentRecord &rec) { return rec.segment == s; }),
                 segmentName(s).data());
    }

    // NIFTY: four weeklies and the monthlies, weekly only when not the month's last Tuesday.
    QCOMPARE(niftyWeekly.size(), std::size_t(4));
    QVERIFY(niftyMonthly.size() >= 10);
    for (const EpochDay d : niftyWeekly) {
        QVERIFY(!niftyMonthly.count(d));
        const EpochDay tuesday = d + (weekday(d) == int(Qt::Tuesday) ? 0 : 1);
        QCOMPARE(toQDate(tuesday + 7).month(), toQDate(tuesday).month());
    }
    for (const EpochDay d : niftyMonthly) {
        const EpochDay tuesday = d + (weekday(d) == int(Qt::Tuesday) ? 0 : 1);
        QVERIFY(toQDate(tuesday + 7).month() != toQDate(tuesday).month());
    }

    // New lot 65 (freeze 1755 = 27 lots) up to the third monthly (the last with a future);
    // long-dated contracts, listed before the revision, keep 75 / 1800.
    QCOMPARE(niftyFutures.size(), std::size_t(3));
    for (const auto &[expiry, lots] : niftyLots) {
        const std::pair<std::int32_t, std::int32_t> expected =
            expiry <= *niftyFutures.rbegin() ? std::pair(65, 1755) : std::pair(75, 1800);
        QCOMPARE(lots.size(), std::size_t(1));
        QCOMPARE(*lots.begin(), expected);
    }
    QVERIFY(niftyLots.rbegin()->second.begin()->first == 75);

    // The nearest chain: CE and PE on every strike, a 50-point grid around the spot (~25,000).
    const auto &[calls, puts] = niftyChains.begin()->second;
    QCOMPARE(niftyChains.begin()->first, std::min(*niftyWeekly.begin(), *niftyMonthly.begin()));
    QVERIFY(calls == puts);
    QVERIFY(calls.size() >= 60);
    const std::vector<Price> strikes(calls.begin(), calls.end()); // ascending
    const Price middle = strikes[strikes.size() / 2];
    QVERIFY(middle > Price::fromRupees(23500) && middle < Price::fromRupees(26500));
    QVERIFY(strikes.front() < middle - Price::fromRupees(1000));
    QVERIFY(strikes.back() > middle + Price::fromRupees(1000));
    // Every 50 points near the money (a monthly adds coarser strikes further out).
    const auto nearMoney = std::count_if(strikes.begin(), strikes.end(), [&middle](Price k) {
        return k >= middle - Price::fromRupees(1000) && k <= middle + Price::fromRupees(1000);
    });
    QCOMPARE(nearMoney, 41);
    for (const Price k : strikes)
        QVERIFY(k.isMultipleOf(Price::fromRupees(50)));

    // Stocks: futures tick by price band, options Rs 0.01 below Rs 250, else Rs 0.05; the
    // equity's tick is the future's. Some stocks are cheap, some very dear.
    int cheap = 0;
    int dear = 0;
    for (const auto &[root, futureTick] : futureTicks) {
        const QString name = text(root);
        QVERIFY2(equityTicks.count(root) == 1, qPrintable(name));
        QCOMPARE(equityTicks[root], futureTick);
        if (optionTicks[root].empty() && root == r.records.back().underlyingSymbol)
            continue; // the master ended right after this stock's future
        QCOMPARE(optionTicks[root].size(), std::size_t(1));
        const Price optionTick = *optionTicks[root].begin();
        QCOMPARE(optionTick,
                 futureTick == Price::fromPaise(1) ? Price::fromPaise(1) : Price::fromPaise(5));
        cheap += futureTick == Price::fromPaise(1);
        dear += futureTick >= Price::fromRupees(1);
    }
    QVERIFY(futureTicks.size() >= 200);
    QVERIFY(cheap >= 20);
    QVERIFY(dear >= 3);
}

void tst_Generator::fileFormatFollowsTheExtension_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("format");
    QTest::addColumn<bool>("gzip");
    QTest::newRow("json.gz") << QStringLiteral("master.json.gz") << int(MasterFormat::Json) << true;
    QTest::newRow("json") << QStringLiteral("master.json") << int(MasterFormat::Json) << false;
    QTest::newRow("csv.gz") << QStringLiteral("master.CSV.GZ") << int(MasterFormat::Csv) << true;
    QTest::newRow("csv") << QStringLiteral("master.csv") << int(MasterFormat::Csv) << false;
}

void tst_Generator::fileFormatFollowsTheExtension()
{
    QFETCH(QString, name);
    QFETCH(int, format);
    QFETCH(bool, gzip);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(name);
    GeneratorOptions options = optionsFor(3000, MasterFormat::Csv, !gzip); // both overridden
    auto written = generateMasterFile(path, options);
    QVERIFY2(written, written ? "" : qPrintable(written.error().message));
    QCOMPARE(written->rows, 3000);
    QCOMPARE(QFileInfo(path).size(), written->bytesWritten);
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{name}); // no temp files left

    std::int64_t accepted = 0;
    auto read = readMasterFile(path, [&accepted](InstrumentRecord &&) { ++accepted; });
    QVERIFY2(read, read ? "" : qPrintable(read.error().message));
    QCOMPARE(read->format, static_cast<MasterFormat>(format));
    QCOMPARE(read->gzip, gzip);
    QCOMPARE(read->rowsSkipped, 0);
    QCOMPARE(accepted, 3000);
}

void tst_Generator::errors()
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);

    auto zeroRows = generateMaster(buffer, optionsFor(0));
    QVERIFY(!zeroRows);
    QCOMPARE(zeroRows.error().code, ErrorCode::InvalidArgument);
    QVERIFY(zeroRows.error().message.contains(QLatin1String("rows")));
    QVERIFY(!generateMaster(buffer, optionsFor(-5)));

    GeneratorOptions noDate = optionsFor(10);
    noDate.asOf = NoDay;
    auto undated = generateMaster(buffer, noDate);
    QVERIFY(!undated);
    QCOMPARE(undated.error().code, ErrorCode::InvalidArgument);

    GeneratorOptions autoFormat = optionsFor(10);
    autoFormat.format = MasterFormat::Auto;
    QCOMPARE(generateMaster(buffer, autoFormat).error().code, ErrorCode::InvalidArgument);
    QCOMPARE(buffer.size(), 0); // nothing written for bad options

    QBuffer closed;
    QCOMPARE(generateMaster(closed, optionsFor(10)).error().code, ErrorCode::Io);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString missingDir = dir.filePath(QStringLiteral("no/such/dir/master.json.gz"));
    auto unwritable = generateMasterFile(missingDir, optionsFor(10));
    QVERIFY(!unwritable);
    QCOMPARE(unwritable.error().code, ErrorCode::Io);
    QVERIFY(unwritable.error().message.contains(QLatin1String("master.json.gz")));
    QVERIFY(!QFileInfo::exists(missingDir));

    const QString isADirectory = dir.filePath(QStringLiteral("taken.json"));
    QVERIFY(QDir(dir.path()).mkdir(QStringLiteral("taken.json")));
    QCOMPARE(generateMasterFile(isADirectory, optionsFor(10)).error().code, ErrorCode::Io);

    auto badExtension =
        generateMasterFile(dir.filePath(QStringLiteral("master.txt")), optionsFor(10));
    QCOMPARE(badExtension.error().code, ErrorCode::InvalidArgument);

    const QString noRowsPath = dir.filePath(QStringLiteral("empty.json"));
    QCOMPARE(generateMasterFile(noRowsPath, optionsFor(0)).error().code,
             ErrorCode::InvalidArgument);
    QVERIFY(!QFileInfo::exists(noRowsPath));
}

namespace {
// Accepts `capacity` bytes, then fails like a full disk.
class FullDevice final : public QIODevice
{
public:
    explicit FullDevice(qint64 capacity)
        : m_capacity(capacity)
    {}

protected:
    qint64 readData(char *, qint64) override { return -1; }
    qint64 writeData(const char *, qint64 len) override
    {
        if (m_written + len > m_capacity) {
            setErrorString(QStringLiteral("No space left on device"));
            return -1;
        }
        m_written += len;
        return len;
    }

private:
    qint64 m_capacity;
    qint64 m_written = 0;
};
} // namespace

void tst_Generator::failedWriteReportsAnError()
{
    for (const bool gzip : {true, false}) {
        FullDevice device(200 * 1024);
        device.open(QIODevice::WriteOnly);
        auto result = generateMaster(device, optionsFor(100000, MasterFormat::Json, gzip));
        QVERIFY(!result);
        QCOMPARE(result.error().code, ErrorCode::Io);
        QVERIFY2(result.error().message.contains(QLatin1String("No space left")),
                 qPrintable(result.error().message));
    }
}

QTEST_GUILESS_MAIN(tst_Generator)
#include "tst_generator.moc"
