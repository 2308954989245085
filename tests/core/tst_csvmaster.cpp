// The legacy Upstox CSV master through the public reader API (readMaster / readMasterFile).
// Small inline files cover the mapping and error rules; the two real files pin golden facts
// measured independently with Python's csv module.

#include "TestData.h"
#include "instruments/MasterReader.h"

#include <QBuffer>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <zlib.h>

#include <atomic>
#include <map>
#include <optional>
#include <set>
#include <vector>

using namespace strikeline;

namespace {

const QByteArray Header =
    R"("instrument_key","exchange_token","tradingsymbol","name","last_price","expiry","strike","tick_size","lot_size","instrument_type","option_type","exchange")"
    "\n";

// Real rows (2024 and 2026 files), used as known-good neighbours of the rows under test.
const QByteArray FutureRow =
    R"("NSE_FO|48699","48699","BANKNIFTY26OCTFUT","BANKNIFTY","58092.6","2026-10-27","0.0","0.2","30","FUTIDX","FF","NSE_FO")";
const QByteArray WeeklyCallRow =
    R"("NSE_FO|38687","38687","NIFTY2490525000CE","","187.05","2024-09-05","25000.0","0.05","25","OPTIDX","CE","NSE_FO")";
const QByteArray IndexRow =
    R"("NSE_INDEX|Nifty 50","17",,"Nifty 50","25198.7","",,"",,"INDEX",,"NSE_INDEX")";

struct ReadOutcome
{
    std::optional<ReadSummary> summary;
    std::optional<Error> error;
    std::vector<InstrumentRecord> records;
};

ReadOutcome readBytes(const QByteArray &bytes, const ReadOptions &options = {})
{
    QBuffer buffer;
    buffer.setData(bytes);
    buffer.open(QIODevice::ReadOnly);
    ReadOutcome out;
    auto result = readMaster(
        buffer, [&out](InstrumentRecord &&r) { out.records.push_back(std::move(r)); }, options);
    if (result)
        out.summary = std::move(*result);
    else
        out.error = result.error();
    return out;
}

QByteArray bytes(const std::string &s)
{
    return QByteArray::fromStdString(s);
}

QByteArray joinRows(const QList<QByteArray> &rows, const QByteArray &eol = "\n")
{
    QByteArray out;
    for (const QByteArray &row : rows)
        out += row + eol;
    return out;
}

// Column names and one real row's values, to build files with reordered or missing columns.
const QList<QByteArray> ColumnNames{
    "instrument_key", "exchange_token",  "tradingsymbol", "name",
    "last_price",     "expiry",          "strike",        "tick_size",
    "lot_size",       "instrument_type", "option_type",   "exchange"};
const QList<QByteArray> FutureValues{"NSE_FO|48699", "48699",   "BANKNIFTY26OCTFUT",
                                     "BANKNIFTY",    "58092.6", "2026-10-27",
                                     "0.0",          "0.2",     "30",
                                     "FUTIDX",       "FF",      "NSE_FO"};

QByteArray quotedRow(const QList<QByteArray> &values, const QList<int> &order)
{
    QByteArray out;
    for (int i : order) {
        if (!out.isEmpty())
            out += ',';
        out += '"' + values[i] + '"';
    }
    return out;
}

bool writeGzip(const QString &path, const QByteArray &data)
{
    gzFile f = gzopen(QFile::encodeName(path).constData(), "wb");
    if (!f)
        return false;
    const int written = gzwrite(f, data.constData(), static_cast<unsigned>(data.size()));
    return gzclose(f) == Z_OK && written == data.size();
}

} // namespace

class tst_CsvMaster : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void happyRows_data();
    void happyRows();
    void reorderedColumns();
    void missingColumn_data();
    void missingColumn();
    void notTheUpstoxHeader_data();
    void notTheUpstoxHeader();
    void badRows_data();
    void badRows();
    void fatalSyntax_data();
    void fatalSyntax();
    void lineEndings_data();
    void lineEndings();
    void headerOnly_data();
    void headerOnly();
    void emptyFile();
    void gzipFile();
    void quotedFieldsAcrossChunks();
    void cancelled();
    void realComplete2024();
    void realNse2026();
};

void tst_CsvMaster::happyRows_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<int>("segment");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QByteArray>("tradingSymbol");
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QByteArray>("underlying");
    QTest::addColumn<QByteArray>("typeCode");
    QTest::addColumn<uint>("token");
    QTest::addColumn<qint64>("tickRaw");
    QTest::addColumn<int>("lot");
    QTest::addColumn<QString>("expiry");
    QTest::addColumn<qint64>("strikeRaw");
    QTest::addColumn<bool>("weekly");

    auto seg = [](Segment s) { return static_cast<int>(s); };
    auto kind = [](InstrumentKind k) { return static_cast<int>(k); };

    QTest::newRow("index 2024: no symbol, the name stands in")
        << IndexRow << seg(Segment::NseIndex) << kind(InstrumentKind::Index)
        << QByteArray("Nifty 50") << QByteArray("Nifty 50") << QByteArray("Nifty 50")
        << QByteArray("INDEX") << 17u << qint64(0) << 0 << QString() << qint64(0) << false;
    QTest::newRow("index 2026: option_type INDEX, own symbol")
        << QByteArray(
               R"("NSE_INDEX|Nifty Bank","26009","BANKNIFTY","Nifty Bank","57264.85","","","","","INDEX","INDEX","NSE_INDEX")")
        << seg(Segment::NseIndex) << kind(InstrumentKind::Index) << QByteArray("BANKNIFTY")
        << QByteArray("Nifty Bank") << QByteArray("BANKNIFTY") << QByteArray("INDEX") << 26009u
        << qint64(0) << 0 << QString() << qint64(0) << false;
    QTest::newRow("MCX index without token")
        << QByteArray(
               R"("MCX_INDEX|MCXBULLDEX","",,"MCXBULLDEX","15632.41","",,"",,"INDEX",,"MCX_INDEX")")
        << seg(Segment::McxIndex) << kind(InstrumentKind::Index) << QByteArray("MCXBULLDEX")
        << QByteArray("MCXBULLDEX") << QByteArray("MCXBULLDEX") << QByteArray("INDEX") << 0u
        << qint64(0) << 0 << QString() << qint64(0) << false;
    QTest::newRow("NSE equity, rupee tick 0.1")
        << QByteArray(
               R"("NSE_EQ|INE002A01018","2885","RELIANCE","RELIANCE INDUSTRIES LTD","1307.8","","","0.1","1","EQUITY","","NSE_EQ")")
        << seg(Segment::NseEq) << kind(InstrumentKind::Equity) << QByteArray("RELIANCE")
        << QByteArray("RELIANCE INDUSTRIES LTD") << QByteArray("RELIANCE") << QByteArray("EQUITY")
        << 2885u << qint64(1000) << 1 << QString() << qint64(0) << false;
    QTest::newRow("BSE equity")
        << QByteArray(
               R"("BSE_EQ|INE008B01013","524288","AIMCOPEST","AIMCO PESTICIDES LTD","99.5","","","0.05","1","EQUITY","","BSE_EQ")")
        << seg(Segment::BseEq) << kind(InstrumentKind::Equity) << QByteArray("AIMCOPEST")
        << QByteArray("AIMCO PESTICIDES LTD") << QByteArray("AIMCOPEST") << QByteArray("EQUITY")
        << 524288u << qint64(500) << 1 << QString() << qint64(0) << false;
    QTest::newRow("index future, rupee tick 0.2")
        << FutureRow << seg(Segment::NseFo) << kind(InstrumentKind::Future)
        << QByteArray("BANKNIFTY26OCTFUT") << QByteArray("BANKNIFTY") << QByteArray("BANKNIFTY")
        << QByteArray("FUTIDX") << 48699u << qint64(2000) << 30 << QStringLiteral("2026-10-27")
        << qint64(0) << false;
    QTest::newRow("monthly put, rupee tick 0.05")
        << QByteArray(
               R"("NSE_FO|50917","50917","MIDCPNIFTY26OCT15225PE","MIDCPNIFTY","921.0","2026-10-27","15225.0","0.05","120","OPTIDX","PE","NSE_FO")")
        << seg(Segment::NseFo) << kind(InstrumentKind::Put) << QByteArray("MIDCPNIFTY26OCT15225PE")
        << QByteArray("MIDCPNIFTY") << QByteArray("MIDCPNIFTY") << QByteArray("OPTIDX") << 50917u
        << qint64(500) << 120 << QStringLiteral("2026-10-27") << qint64(152250000) << false;
    QTest::newRow("weekly call, empty name: root from the symbol")
        << WeeklyCallRow << seg(Segment::NseFo) << kind(InstrumentKind::Call)
        << QByteArray("NIFTY2490525000CE") << QByteArray() << QByteArray("NIFTY")
        << QByteArray("OPTIDX") << 38687u << qint64(500) << 25 << QStringLiteral("2024-09-05")
        << qint64(250000000) << true;
    QTest::newRow("stock option: name is the company, root the symbol")
        << QByteArray(
               R"("NSE_FO|98917","98917","OFSS26OCT11000CE","ORACLE FIN SERV SOFT LTD.","1187.05","2026-10-27","11000.0","0.05","100","OPTSTK","CE","NSE_FO")")
        << seg(Segment::NseFo) << kind(InstrumentKind::Call) << QByteArray("OFSS26OCT11000CE")
        << QByteArray("ORACLE FIN SERV SOFT LTD.") << QByteArray("OFSS") << QByteArray("OPTSTK")
        << 98917u << qint64(500) << 100 << QStringLiteral("2026-10-27") << qint64(110000000)
        << false;
    QTest::newRow("root ending in digits")
        << QByteArray(
               R"("NSE_FO|35004","35004","NIFTYNXT5024SEPFUT","","75479.7","2024-09-27","0.0","0.05","10","FUTIDX","FF","NSE_FO")")
        << seg(Segment::NseFo) << kind(InstrumentKind::Future) << QByteArray("NIFTYNXT5024SEPFUT")
        << QByteArray() << QByteArray("NIFTYNXT50") << QByteArray("FUTIDX") << 35004u << qint64(500)
        << 10 << QStringLiteral("2024-09-27") << qint64(0) << false;
    QTest::newRow("currency option, paise tick 0.25 = Rs 0.0025")
        << QByteArray(
               R"("NCD_FO|12921","12921","USDINR24SEP84CE","","0.15","2024-09-26","84.0","0.25","1","OPTCUR","CE","NCD_FO")")
        << seg(Segment::NcdFo) << kind(InstrumentKind::Call) << QByteArray("USDINR24SEP84CE")
        << QByteArray() << QByteArray("USDINR") << QByteArray("OPTCUR") << 12921u << qint64(25) << 1
        << QStringLiteral("2024-09-26") << qint64(840000) << false;
    QTest::newRow("currency weekly option, decimal strike")
        << QByteArray(
               R"("NCD_FO|14294","14294","GBPINR26814130.5CE","GBPINR","1.985","2026-08-14","130.5","0.25","1","OPTCUR","CE","NCD_FO")")
        << seg(Segment::NcdFo) << kind(InstrumentKind::Call) << QByteArray("GBPINR26814130.5CE")
        << QByteArray("GBPINR") << QByteArray("GBPINR") << QByteArray("OPTCUR") << 14294u
        << qint64(25) << 1 << QStringLiteral("2026-08-14") << qint64(1305000) << true;
    QTest::newRow("currency weekly future, October code O")
        << QByteArray(
               R"("NCD_FO|6892","6892","JPYINR26O01FUT","JPYINR","59.7525","2026-10-01","0.0","0.25","1","FUTCUR","FF","NCD_FO")")
        << seg(Segment::NcdFo) << kind(InstrumentKind::Future) << QByteArray("JPYINR26O01FUT")
        << QByteArray("JPYINR") << QByteArray("JPYINR") << QByteArray("FUTCUR") << 6892u
        << qint64(25) << 1 << QStringLiteral("2026-10-01") << qint64(0) << true;
    QTest::newRow("MCX option, paise tick 50.0 = Rs 0.50, mini root")
        << QByteArray(
               R"("MCX_FO|436532","436532","GOLDM24SEP70600PE","GOLD","610.0","2024-09-24","70600","50.0","100","FUTCOM","PE","MCX_FO")")
        << seg(Segment::McxFo) << kind(InstrumentKind::Put) << QByteArray("GOLDM24SEP70600PE")
        << QByteArray("GOLD") << QByteArray("GOLDM") << QByteArray("FUTCOM") << 436532u
        << qint64(5000) << 100 << QStringLiteral("2024-09-24") << qint64(706000000) << false;
    QTest::newRow("NSE_COM option, paise tick 1.0 = Rs 0.01")
        << QByteArray(
               R"("NSE_COM|127536","127536","ZINC26SEP372.5CE","ZINC","17.15","2026-09-23","372.5","1.0","1","OPTFUT","CE","NSE_COM")")
        << seg(Segment::NseCom) << kind(InstrumentKind::Call) << QByteArray("ZINC26SEP372.5CE")
        << QByteArray("ZINC") << QByteArray("ZINC") << QByteArray("OPTFUT") << 127536u
        << qint64(100) << 1 << QStringLiteral("2026-09-23") << qint64(3725000) << false;
    QTest::newRow("NSE_COM spot: type in option_type")
        << QByteArray(
               R"("NSE_COM|13","13","SILVERMICRO","SILVERMIC","0","","0.0","100.0","1","","COM","NSE_COM")")
        << seg(Segment::NseCom) << kind(InstrumentKind::Spot) << QByteArray("SILVERMICRO")
        << QByteArray("SILVERMIC") << QByteArray("SILVERMIC") << QByteArray("COM") << 13u
        << qint64(10000) << 1 << QString() << qint64(0) << false;
    QTest::newRow("BCD option mislabelled FUTCUR/FF")
        << QByteArray(
               R"("BCD_FO|1048641","1048641","USDINR24SEP83.2CE","USDINR","0.0","2024-09-26","83.2","0.25","1","FUTCUR","FF","BCD_FO")")
        << seg(Segment::BcdFo) << kind(InstrumentKind::Call) << QByteArray("USDINR24SEP83.2CE")
        << QByteArray("USDINR") << QByteArray("USDINR") << QByteArray("FUTCUR") << 1048641u
        << qint64(25) << 1 << QStringLiteral("2024-09-26") << qint64(832000) << false;
    QTest::newRow("bond option, root starting with digits")
        << QByteArray(
               R"("BCD_FO|2135440","2135440","667GS203524SEP91.75CE","667GS2035","0.0","2024-09-26","91.75","0.25","1","FUTCUR","FF","BCD_FO")")
        << seg(Segment::BcdFo) << kind(InstrumentKind::Call) << QByteArray("667GS203524SEP91.75CE")
        << QByteArray("667GS2035") << QByteArray("667GS2035") << QByteArray("FUTCUR") << 2135440u
        << qint64(25) << 1 << QStringLiteral("2024-09-26") << qint64(917500) << false;
    QTest::newRow("BSE weekly future")
        << QByteArray(
               R"("BSE_FO|1106498","1106498","BANKEX24916FUT","","0.0","2024-09-16","0","0.05","15","FUTIDX","FF","BSE_FO")")
        << seg(Segment::BseFo) << kind(InstrumentKind::Future) << QByteArray("BANKEX24916FUT")
        << QByteArray() << QByteArray("BANKEX") << QByteArray("FUTIDX") << 1106498u << qint64(500)
        << 15 << QStringLiteral("2024-09-16") << qint64(0) << true;
}

void tst_CsvMaster::happyRows()
{
    QFETCH(QByteArray, line);
    QFETCH(int, segment);
    QFETCH(int, kind);
    QFETCH(QByteArray, tradingSymbol);
    QFETCH(QByteArray, name);
    QFETCH(QByteArray, underlying);
    QFETCH(QByteArray, typeCode);
    QFETCH(uint, token);
    QFETCH(qint64, tickRaw);
    QFETCH(int, lot);
    QFETCH(QString, expiry);
    QFETCH(qint64, strikeRaw);
    QFETCH(bool, weekly);

    const ReadOutcome out = readBytes(Header + line + '\n');
    QVERIFY2(out.summary, out.error ? qPrintable(out.error->message) : "no result");
    QCOMPARE(out.summary->format, MasterFormat::Csv);
    QCOMPARE(out.summary->rowsRead, 1);
    QCOMPARE(out.summary->rowsSkipped, 0);
    QCOMPARE(out.records.size(), std::size_t(1));
    const InstrumentRecord &r = out.records.front();
    QCOMPARE(static_cast<int>(r.segment), segment);
    QCOMPARE(static_cast<int>(r.kind), kind);
    QCOMPARE(bytes(r.instrumentKey), line.mid(1, line.indexOf('"', 1) - 1));
    QCOMPARE(bytes(r.tradingSymbol), tradingSymbol);
    QCOMPARE(bytes(r.name), name);
    QCOMPARE(bytes(r.underlyingSymbol), underlying);
    QCOMPARE(bytes(r.typeCode), typeCode);
    QCOMPARE(r.exchangeToken, token);
    QCOMPARE(r.tickSize.raw(), tickRaw);
    QCOMPARE(r.lotSize, lot);
    QCOMPARE(formatIsoDay(r.expiry), expiry);
    QCOMPARE(r.strike.raw(), strikeRaw);
    QCOMPARE(r.weekly, weekly);
    // What the CSV does not carry.
    QCOMPARE(r.freezeQuantity, 0);
    QCOMPARE(r.qtyMultiplier, 1);
    QVERIFY(r.underlyingKey.empty());
}

void tst_CsvMaster::reorderedColumns()
{
    // Reverse order, without the optional last_price, plus a column we do not know.
    QList<int> order;
    for (int i = int(ColumnNames.size()) - 1; i >= 0; --i) {
        if (ColumnNames[i] != "last_price")
            order.append(i);
    }
    QList<QByteArray> names = ColumnNames;
    QList<QByteArray> values = FutureValues;
    names.append("open_interest");
    values.append("12345");
    order.insert(3, int(names.size()) - 1);

    const ReadOutcome out =
        readBytes(joinRows({quotedRow(names, order), quotedRow(values, order)}));
    QVERIFY2(out.summary, out.error ? qPrintable(out.error->message) : "no result");
    QCOMPARE(out.records.size(), std::size_t(1));
    const InstrumentRecord &r = out.records.front();
    QCOMPARE(r.instrumentKey, std::string("NSE_FO|48699"));
    QCOMPARE(r.kind, InstrumentKind::Future);
    QCOMPARE(r.underlyingSymbol, std::string("BANKNIFTY"));
    QCOMPARE(r.tickSize, Price::fromPaise(20));
    QCOMPARE(r.lotSize, 30);
    QCOMPARE(formatIsoDay(r.expiry), QStringLiteral("2026-10-27"));
}

void tst_CsvMaster::missingColumn_data()
{
    QTest::addColumn<QString>("column");
    for (const QByteArray &name : ColumnNames) {
        if (name != "last_price")
            QTest::newRow(name.constData()) << QString::fromLatin1(name);
    }
}

void tst_CsvMaster::missingColumn()
{
    QFETCH(QString, column);
    QList<int> order;
    for (int i = 0; i < ColumnNames.size(); ++i) {
        if (QString::fromLatin1(ColumnNames[i]) != column)
            order.append(i);
    }
    QCOMPARE(order.size(), ColumnNames.size() - 1);
    const ReadOutcome out =
        readBytes(joinRows({quotedRow(ColumnNames, order), quotedRow(FutureValues, order)}));
    QVERIFY(!out.summary);
    QCOMPARE(out.error->code, ErrorCode::Parse);
    QVERIFY2(out.error->message.contains(QStringLiteral("lacks the required column ") + column),
             qPrintable(out.error->message));
    QVERIFY(out.records.empty());
}

void tst_CsvMaster::notTheUpstoxHeader_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QString>("message");
    QTest::newRow("data row first")
        << joinRows({FutureRow, WeeklyCallRow})
        << QStringLiteral("the first line is \"NSE_FO|48699,48699,BANKNIFTY26OCTFUT");
    QTest::newRow("another broker's header")
        << joinRows({"token,symbol,expiry,strike,lotsize,instrumenttype,exch_seg,tick_size",
                     "35075,BANKNIFTY24SEPFUT,25SEP2024,0,15,FUTIDX,NFO,5.0"})
        << QStringLiteral("lacks the required columns instrument_key, exchange_token, "
                          "tradingsymbol, name");
    QTest::newRow("column twice") << joinRows({QByteArray(Header.trimmed() + R"(,"name")"),
                                               QByteArray(FutureRow + ",\"x\"")})
                                  << QStringLiteral("names the column 'name' twice");
}

void tst_CsvMaster::notTheUpstoxHeader()
{
    QFETCH(QByteArray, data);
    QFETCH(QString, message);
    ReadOptions options;
    options.format = MasterFormat::Csv;
    const ReadOutcome out = readBytes(data, options);
    QVERIFY(!out.summary);
    QCOMPARE(out.error->code, ErrorCode::Parse);
    QVERIFY2(out.error->message.contains(message), qPrintable(out.error->message));
    QVERIFY(out.records.empty());
}

void tst_CsvMaster::badRows_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QByteArray>("field");
    QTest::addColumn<QString>("message");

    // The future row with one value replaced.
    auto future = [](int column, const QByteArray &value) {
        QList<QByteArray> v = FutureValues;
        v[column] = value;
        return quotedRow(v, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
    };
    const QList<QByteArray> callValues{"NSE_FO|38687",
                                       "38687",
                                       "NIFTY2490525000CE",
                                       "",
                                       "187.05",
                                       "2024-09-05",
                                       "25000.0",
                                       "0.05",
                                       "25",
                                       "OPTIDX",
                                       "CE",
                                       "NSE_FO"};
    auto call = [&callValues](int column, const QByteArray &value) {
        QList<QByteArray> v = callValues;
        v[column] = value;
        return quotedRow(v, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
    };
    const QByteArray fk = "NSE_FO|48699";
    const QByteArray ck = "NSE_FO|38687";

    QTest::newRow("negative lot") << future(8, "-75") << fk << QByteArray("lot_size")
                                  << QStringLiteral("-75 is out of range");
    QTest::newRow("lot not a number") << future(8, "abc") << fk << QByteArray("lot_size")
                                      << QStringLiteral("expected a whole number, got 'abc'");
    QTest::newRow("fractional lot") << future(8, "7.5") << fk << QByteArray("lot_size")
                                    << QStringLiteral("expected a whole number, got '7.5'");
    QTest::newRow("zero lot") << future(8, "0") << fk << QByteArray("lot_size")
                              << QStringLiteral("0 is out of range");
    QTest::newRow("missing lot") << future(8, "") << fk << QByteArray("lot_size")
                                 << QStringLiteral("is missing");
    QTest::newRow("zero tick") << future(7, "0") << fk << QByteArray("tick_size")
                               << QStringLiteral("must be positive");
    QTest::newRow("missing tick") << future(7, "") << fk << QByteArray("tick_size")
                                  << QStringLiteral("is missing");
    QTest::newRow("tick beyond 4 decimals") << future(7, "0.00005") << fk << QByteArray("tick_size")
                                            << QStringLiteral("not an exact tick");
    QTest::newRow("unknown segment") << future(11, "NSE_XX") << fk << QByteArray("exchange")
                                     << QStringLiteral("unknown segment 'NSE_XX'");
    QTest::newRow("missing segment")
        << future(11, "") << fk << QByteArray("exchange") << QStringLiteral("is missing");
    QTest::newRow("impossible expiry") << future(5, "2026-02-30") << fk << QByteArray("expiry")
                                       << QStringLiteral("'2026-02-30' is not a yyyy-MM-dd");
    QTest::newRow("expiry in another format")
        << future(5, "27-10-2026") << fk << QByteArray("expiry")
        << QStringLiteral("'27-10-2026' is not a yyyy-MM-dd");
    QTest::newRow("missing expiry")
        << future(5, "") << fk << QByteArray("expiry") << QStringLiteral("is missing");
    QTest::newRow("implausible expiry (the symbol's YY still matches)")
        << future(5, "2126-10-27") << fk << QByteArray("expiry")
        << QStringLiteral("2126-10-27 is not a plausible expiry date");
    QTest::newRow("symbol from another expiry")
        << call(5, "2024-09-12") << ck << QByteArray("tradingsymbol")
        << QStringLiteral("'NIFTY2490525000CE' does not match the row's expiry 2024-09-12");
    QTest::newRow("symbol of the other type")
        << call(10, "PE") << ck << QByteArray("tradingsymbol") << QStringLiteral("does not match");
    QTest::newRow("symbol of another strike")
        << call(6, "25050") << ck << QByteArray("tradingsymbol") << QStringLiteral("strike 25050");
    QTest::newRow("symbol is only the suffix")
        << call(2, "2490525000CE") << ck << QByteArray("tradingsymbol")
        << QStringLiteral("does not match");
    QTest::newRow("strike beyond 4 decimals")
        << call(6, "25000.00001") << ck << QByteArray("strike")
        << QStringLiteral("not an exact price");
    QTest::newRow("option without strike")
        << call(6, "") << ck << QByteArray("strike") << QStringLiteral("is missing");
    QTest::newRow("option with zero strike") << call(6, "0") << ck << QByteArray("strike")
                                             << QStringLiteral("needs a positive strike, got 0");
    QTest::newRow("future with a strike") << future(6, "100") << fk << QByteArray("strike")
                                          << QStringLiteral("a future (option_type 'FF') with "
                                                            "strike 100");
    QTest::newRow("unknown option_type") << future(10, "XY") << fk << QByteArray("option_type")
                                         << QStringLiteral("'XY' is not a contract type");
    QTest::newRow("FF on an option type")
        << future(9, "OPTIDX") << fk << QByteArray("instrument_type")
        << QStringLiteral("'OPTIDX' with option_type 'FF'");
    QTest::newRow("missing instrument_type on an option")
        << call(9, "") << ck << QByteArray("instrument_type") << QStringLiteral("is missing");
    QTest::newRow("non-numeric token") << future(1, "486a9") << fk << QByteArray("exchange_token")
                                       << QStringLiteral("'486a9' is not a numeric");
    QTest::newRow("missing token")
        << future(1, "") << fk << QByteArray("exchange_token") << QStringLiteral("is missing");
    QTest::newRow("missing trading symbol")
        << future(2, "") << fk << QByteArray("tradingsymbol") << QStringLiteral("is missing");
    QTest::newRow("missing instrument_key")
        << future(0, "") << QByteArray() << QByteArray("instrument_key")
        << QStringLiteral("is missing");
    QTest::newRow("option_type on an equity")
        << QByteArray(
               R"("NSE_EQ|INE002A01018","2885","RELIANCE","RELIANCE INDUSTRIES LTD","1307.8","","","0.1","1","EQUITY","CE","NSE_EQ")")
        << QByteArray("NSE_EQ|INE002A01018") << QByteArray("option_type")
        << QStringLiteral("'CE' on an equity row");
    QTest::newRow("index without symbol or name")
        << QByteArray(R"("NSE_INDEX|X","",,"","1.0","",,"",,"INDEX",,"NSE_INDEX")")
        << QByteArray("NSE_INDEX|X") << QByteArray("tradingsymbol")
        << QStringLiteral("needs a tradingsymbol or a name");
    QTest::newRow("too few fields")
        << future(0, "NSE_FO|48699").chopped(9) // drops ,"NSE_FO"
        << fk << QByteArray() << QStringLiteral("has 11 fields, the header has 12");
    QTest::newRow("too many fields")
        << QByteArray(future(0, "NSE_FO|48699") + ",\"x\"") << fk << QByteArray()
        << QStringLiteral("has 13 fields, the header has 12");
}

void tst_CsvMaster::badRows()
{
    QFETCH(QByteArray, line);
    QFETCH(QByteArray, key);
    QFETCH(QByteArray, field);
    QFETCH(QString, message);

    const ReadOutcome out = readBytes(joinRows({Header.trimmed(), IndexRow, line, WeeklyCallRow}));
    QVERIFY2(out.summary, out.error ? qPrintable(out.error->message) : "no result");
    QCOMPARE(out.summary->rowsRead, 3);
    QCOMPARE(out.summary->rowsAccepted, 2);
    QCOMPARE(out.summary->rowsSkipped, 1);
    QCOMPARE(out.records.size(), std::size_t(2));
    QCOMPARE(out.records[0].instrumentKey, std::string("NSE_INDEX|Nifty 50"));
    QCOMPARE(out.records[1].instrumentKey, std::string("NSE_FO|38687"));
    QCOMPARE(out.summary->issues.size(), std::size_t(1));
    const RowIssue &issue = out.summary->issues.front();
    QCOMPARE(issue.row, 2);
    QCOMPARE(bytes(issue.instrumentKey), key);
    QCOMPARE(bytes(issue.field), field);
    QVERIFY2(issue.message.contains(message), qPrintable(issue.toString()));
    QVERIFY2(issue.toString().startsWith(QStringLiteral("row 2")), qPrintable(issue.toString()));
}

void tst_CsvMaster::fatalSyntax_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QString>("message");

    const QByteArray good = Header + IndexRow + '\n';
    QTest::newRow("unterminated quote at the end (truncated)")
        << QByteArray(good + R"("NSE_FO|35075","35075","BANKNIFTY24SEP)")
        << QStringLiteral("the master ends inside a quoted field of row 2 (a truncated file?)");
    QTest::newRow("unterminated quote in the header")
        << QByteArray(R"("instrument_key","exchange_token","tradingsym)")
        << QStringLiteral("ends inside a quoted field of the header row");
    QTest::newRow("text after a closing quote")
        << QByteArray(good + R"("NSE_FO|35075"x,"35075")" + '\n' + WeeklyCallRow + '\n')
        << QStringLiteral("malformed CSV in row 2, at byte");
    QTest::newRow("quote inside an unquoted field")
        << QByteArray(good + WeeklyCallRow + "\nNSE_FO|1,1\"2,x\n")
        << QStringLiteral("malformed CSV in row 3");
    QTest::newRow("row of 100,000 bytes") << QByteArray(good + QByteArray(100000, 'a') + '\n')
                                          << QStringLiteral("row 2 is larger than");
    QTest::newRow("quoted field of 3 MiB")
        << QByteArray(good + '"' + QByteArray(3 << 20, 'a') + "\"\n")
        << QStringLiteral("row 2 has a field larger than");
}

void tst_CsvMaster::fatalSyntax()
{
    QFETCH(QByteArray, data);
    QFETCH(QString, message);
    const ReadOutcome out = readBytes(data);
    QVERIFY(!out.summary);
    QCOMPARE(out.error->code, ErrorCode::Parse);
    QVERIFY2(out.error->message.contains(message), qPrintable(out.error->message));
}

void tst_CsvMaster::lineEndings_data()
{
    QTest::addColumn<QByteArray>("data");
    const QList<QByteArray> rows{Header.trimmed(), IndexRow, FutureRow, WeeklyCallRow};
    const QByteArray bom = "\xEF\xBB\xBF";
    QTest::newRow("LF") << joinRows(rows);
    QTest::newRow("CRLF") << joinRows(rows, "\r\n");
    QTest::newRow("BOM, LF") << QByteArray(bom + joinRows(rows));
    QTest::newRow("BOM, CRLF") << QByteArray(bom + joinRows(rows, "\r\n"));
    QTest::newRow("no final newline") << joinRows(rows).chopped(1);
    QTest::newRow("CRLF, no final newline") << joinRows(rows, "\r\n").chopped(2);
    QTest::newRow("blank lines") << joinRows(rows, "\n\n");
    QTest::newRow("bare CR") << joinRows(rows, "\r");
}

void tst_CsvMaster::lineEndings()
{
    QFETCH(QByteArray, data);
    const ReadOutcome out = readBytes(data);
    QVERIFY2(out.summary, out.error ? qPrintable(out.error->message) : "no result");
    QCOMPARE(out.summary->rowsRead, 3);
    QCOMPARE(out.summary->rowsSkipped, 0);
    QCOMPARE(out.records.size(), std::size_t(3));
    QCOMPARE(out.records[0].instrumentKey, std::string("NSE_INDEX|Nifty 50"));
    QCOMPARE(out.records[1].instrumentKey, std::string("NSE_FO|48699"));
    // The last column of the last row: a CR left in it would make the segment unknown.
    QCOMPARE(out.records[2].segment, Segment::NseFo);
    QCOMPARE(out.records[2].tradingSymbol, std::string("NIFTY2490525000CE"));
}

void tst_CsvMaster::headerOnly_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::newRow("LF") << Header;
    QTest::newRow("BOM, no final newline") << QByteArray("\xEF\xBB\xBF" + Header.trimmed());
    QTest::newRow("trailing blank lines") << QByteArray(Header + "\n\r\n");
}

void tst_CsvMaster::headerOnly()
{
    QFETCH(QByteArray, data);
    const ReadOutcome out = readBytes(data);
    QVERIFY(!out.summary);
    QCOMPARE(out.error->code, ErrorCode::Validation);
    QVERIFY2(out.error->message.contains(QStringLiteral("no usable instruments")),
             qPrintable(out.error->message));
}

void tst_CsvMaster::emptyFile()
{
    ReadOptions options;
    options.format = MasterFormat::Csv;
    const ReadOutcome out = readBytes(QByteArray(), options);
    QVERIFY(!out.summary);
    QCOMPARE(out.error->code, ErrorCode::Parse);
    QVERIFY2(out.error->message.contains(QStringLiteral("no header row")),
             qPrintable(out.error->message));
}

void tst_CsvMaster::gzipFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("NSE.csv.gz"));
    QVERIFY(
        writeGzip(path, joinRows({Header.trimmed(), IndexRow, FutureRow, WeeklyCallRow}, "\r\n")));
    std::vector<InstrumentRecord> records;
    auto result =
        readMasterFile(path, [&records](InstrumentRecord &&r) { records.push_back(std::move(r)); });
    QVERIFY2(result, result ? "" : qPrintable(result.error().message));
    QVERIFY(result->gzip);
    QCOMPARE(result->format, MasterFormat::Csv);
    QCOMPARE(result->rowsAccepted, 3);
    QVERIFY(result->bytesDecoded > result->bytesConsumed);
    QCOMPARE(records.size(), std::size_t(3));
    QCOMPARE(records[1].tickSize, Price::fromPaise(20));
    QCOMPARE(records[2].weekly, true);
}

void tst_CsvMaster::quotedFieldsAcrossChunks()
{
    // ~5.6 MB: rows, quoted commas and doubled quotes straddle the 1 MiB chunk boundaries.
    constexpr int count = 40000;
    QByteArray data = Header;
    for (int i = 0; i < count; ++i) {
        const QByteArray strike = QByteArray::number(10000 + i);
        data += "\"NSE_FO|" + QByteArray::number(i) + "\",\"" + QByteArray::number(i) +
                "\",\"NIFTY24SEP" + strike + "CE\",\"NIFTY, \"\"the index\"\" " +
                QByteArray::number(i) + "\",\"1.5\",\"2024-09-26\",\"" + strike +
                ".0\",\"0.05\",\"25\",\"OPTIDX\",\"CE\","
                "\"NSE_FO\"\r\n";
    }
    QVERIFY(data.size() > 4 * (1 << 20));
    const ReadOutcome out = readBytes(data);
    QVERIFY2(out.summary, out.error ? qPrintable(out.error->message) : "no result");
    QCOMPARE(out.summary->rowsSkipped, 0);
    QCOMPARE(out.records.size(), std::size_t(count));
    for (int i = 0; i < count; ++i) {
        const InstrumentRecord &r = out.records[std::size_t(i)];
        if (r.instrumentKey != "NSE_FO|" + std::to_string(i) || r.exchangeToken != uint(i) ||
            r.strike != Price::fromRupees(10000 + i) || r.underlyingSymbol != "NIFTY" ||
            r.name != "NIFTY, \"the index\" " + std::to_string(i)) {
            QFAIL(qPrintable(
                QStringLiteral("record %1 is wrong: %2 / %3")
                    .arg(i)
                    .arg(QString::fromStdString(r.instrumentKey), QString::fromStdString(r.name))));
        }
    }
    QCOMPARE(out.summary->bytesDecoded, qint64(data.size()));
}

void tst_CsvMaster::cancelled()
{
    std::atomic_bool cancel{true};
    ReadOptions options;
    options.cancel = &cancel;
    const ReadOutcome out = readBytes(joinRows({Header.trimmed(), FutureRow}), options);
    QVERIFY(!out.summary);
    QCOMPARE(out.error->code, ErrorCode::Cancelled);
    QVERIFY(out.records.empty());
}

namespace {

// Tallies a whole real file without keeping it: counts plus the records named in `keep`.
struct Tally
{
    std::set<std::string> keep;
    std::map<std::string, InstrumentRecord> kept;
    std::map<Segment, std::int64_t> bySegment;
    std::map<InstrumentKind, std::int64_t> byKind;
    std::int64_t weekly = 0;
    std::int64_t noToken = 0;
    std::int64_t rootNotPrefix = 0; // derivatives whose root does not start their symbol
    std::int64_t rootWithSpace = 0; // a company name where a symbol root belongs
    std::int64_t weeklyNonDerivative = 0;
    std::int64_t tickOffGrid = 0; // tradable rows whose tick is not a whole paisa/4th

    void add(InstrumentRecord &&r)
    {
        ++bySegment[r.segment];
        ++byKind[r.kind];
        weekly += r.weekly ? 1 : 0;
        noToken += r.exchangeToken == 0 ? 1 : 0;
        if (isDerivative(r.kind)) {
            if (!r.tradingSymbol.starts_with(r.underlyingSymbol) ||
                r.underlyingSymbol.size() >= r.tradingSymbol.size())
                ++rootNotPrefix;
            if (r.underlyingSymbol.find(' ') != std::string::npos)
                ++rootWithSpace;
        } else if (r.weekly) {
            ++weeklyNonDerivative;
        }
        if (r.kind != InstrumentKind::Index && !r.tickSize.isMultipleOf(Price::fromRaw(25)))
            ++tickOffGrid;
        if (keep.count(r.instrumentKey))
            kept.emplace(r.instrumentKey, std::move(r));
    }
};

} // namespace

void tst_CsvMaster::realComplete2024()
{
    STRIKELINE_REQUIRE_REAL_FILE(path, "complete-2024-09-05.csv.gz");
    Tally t;
    t.keep = {"NSE_INDEX|Nifty 50", "MCX_INDEX|MCXBULLDEX", "NSE_FO|38687", "NSE_FO|65903",
              "NSE_FO|35075",       "NCD_FO|12921",         "NCD_FO|7953",  "BCD_FO|1048641",
              "MCX_FO|436532",      "MCX_FO|438067",        "BSE_FO|852956"};
    QElapsedTimer timer;
    timer.start();
    auto result = readMasterFile(path, [&t](InstrumentRecord &&r) { t.add(std::move(r)); });
    const qint64 ms = timer.elapsed();
    QVERIFY2(result, result ? "" : qPrintable(result.error().message));
    qInfo("complete-2024-09-05.csv.gz: %lld rows in %lld ms",
          static_cast<long long>(result->rowsRead), static_cast<long long>(ms));

    const ReadSummary &s = *result;
    QVERIFY(s.gzip);
    QCOMPARE(s.format, MasterFormat::Csv);
    QCOMPARE(s.bytesConsumed, qint64(1227564));
    QCOMPARE(s.bytesDecoded, qint64(8644585));
    QCOMPARE(s.rowsRead, 78715);
    // Skipped: the 16 exchange test contracts 011NSETEST36DECFUT..161NSETEST36DECFUT, whose
    // DEC symbol contradicts their 2036-11-27 expiry. Nothing else.
    QCOMPARE(s.rowsSkipped, 16);
    QCOMPARE(s.rowsAccepted, 78699);
    QCOMPARE(s.issues.size(), std::size_t(16));
    QCOMPARE(s.issues.front().row, 7234);
    QCOMPARE(s.issues.front().instrumentKey, std::string("NSE_FO|36687"));
    QCOMPARE(s.issues.back().row, 7250);
    QCOMPARE(s.issues.back().instrumentKey, std::string("NSE_FO|36725"));
    for (const RowIssue &issue : s.issues) {
        QCOMPARE(issue.field, std::string("tradingsymbol"));
        QVERIFY2(issue.message.contains(QStringLiteral("NSETEST36DECFUT' does not match the "
                                                       "row's expiry 2036-11-27")),
                 qPrintable(issue.toString()));
    }

    QCOMPARE(t.bySegment[Segment::NseFo] + 16, 30513);
    QCOMPARE(t.bySegment[Segment::BseEq], 11635);
    QCOMPARE(t.bySegment[Segment::BcdFo], 9274);
    QCOMPARE(t.bySegment[Segment::NcdFo], 8820);
    QCOMPARE(t.bySegment[Segment::NseEq], 6989);
    QCOMPARE(t.bySegment[Segment::McxFo], 6115);
    QCOMPARE(t.bySegment[Segment::BseFo], 5253);
    QCOMPARE(t.bySegment[Segment::NseIndex], 77);
    QCOMPARE(t.bySegment[Segment::BseIndex], 38);
    QCOMPARE(t.bySegment[Segment::McxIndex], 1);
    QCOMPARE(t.byKind[InstrumentKind::Index], 116);
    QCOMPARE(t.byKind[InstrumentKind::Equity], 18624);
    QCOMPARE(t.byKind[InstrumentKind::Future], 884); // incl. 92 BCD futures, not its options
    QCOMPARE(t.byKind[InstrumentKind::Call], 29487); // incl. 4,591 BCD calls labelled FF
    QCOMPARE(t.byKind[InstrumentKind::Put], 29588);
    QCOMPARE(t.byKind[InstrumentKind::Spot], 0);
    QCOMPARE(t.weekly, 16588);
    QCOMPARE(t.noToken, 35);
    QCOMPARE(t.rootNotPrefix, 0);
    QCOMPARE(t.rootWithSpace, 0);
    QCOMPARE(t.weeklyNonDerivative, 0);
    QCOMPARE(t.tickOffGrid, 0);
    QCOMPARE(t.kept.size(), t.keep.size());

    const InstrumentRecord &nifty50 = t.kept.at("NSE_INDEX|Nifty 50");
    QCOMPARE(nifty50.kind, InstrumentKind::Index);
    QCOMPARE(nifty50.tradingSymbol, std::string("Nifty 50"));
    QCOMPARE(nifty50.exchangeToken, 17u);
    QCOMPARE(t.kept.at("MCX_INDEX|MCXBULLDEX").segment, Segment::McxIndex);

    const InstrumentRecord &weeklyCall = t.kept.at("NSE_FO|38687"); // NIFTY2490525000CE
    QCOMPARE(weeklyCall.kind, InstrumentKind::Call);
    QCOMPARE(weeklyCall.underlyingSymbol, std::string("NIFTY"));
    QCOMPARE(weeklyCall.lotSize, 25);
    QCOMPARE(weeklyCall.tickSize, Price::fromPaise(5));
    QCOMPARE(formatIsoDay(weeklyCall.expiry), QStringLiteral("2024-09-05"));
    QCOMPARE(weeklyCall.strike, Price::fromRupees(25000));
    QVERIFY(weeklyCall.weekly);
    const InstrumentRecord &monthlyCall = t.kept.at("NSE_FO|65903"); // NIFTY24SEP25000CE
    QCOMPARE(formatIsoDay(monthlyCall.expiry), QStringLiteral("2024-09-26"));
    QVERIFY(!monthlyCall.weekly);

    const InstrumentRecord &bankFut = t.kept.at("NSE_FO|35075"); // BANKNIFTY24SEPFUT
    QCOMPARE(bankFut.kind, InstrumentKind::Future);
    QCOMPARE(bankFut.underlyingSymbol, std::string("BANKNIFTY"));
    QCOMPARE(bankFut.lotSize, 15);
    QCOMPARE(bankFut.tickSize, Price::fromPaise(5));
    QCOMPARE(formatIsoDay(bankFut.expiry), QStringLiteral("2024-09-25"));
    QVERIFY(bankFut.strike.isZero());
    QVERIFY(!bankFut.weekly);

    const InstrumentRecord &usdinr = t.kept.at("NCD_FO|12921"); // USDINR24SEP84CE
    QCOMPARE(usdinr.tickSize, Price::fromRaw(25));              // Rs 0.0025
    QCOMPARE(usdinr.strike, Price::fromRupees(84));
    QCOMPARE(usdinr.underlyingSymbol, std::string("USDINR"));
    QVERIFY(!usdinr.weekly);
    const InstrumentRecord &usdinrWeekly = t.kept.at("NCD_FO|7953"); // USDINR24O0484.5PE
    QCOMPARE(usdinrWeekly.kind, InstrumentKind::Put);
    QCOMPARE(usdinrWeekly.strike, Price::fromRaw(845000));
    QCOMPARE(formatIsoDay(usdinrWeekly.expiry), QStringLiteral("2024-10-04"));
    QVERIFY(usdinrWeekly.weekly);
    const InstrumentRecord &bcd = t.kept.at("BCD_FO|1048641"); // USDINR24SEP83.2CE, "FF"
    QCOMPARE(bcd.kind, InstrumentKind::Call);
    QCOMPARE(bcd.typeCode, std::string("FUTCUR"));
    QCOMPARE(bcd.strike, Price::fromRaw(832000));
    QCOMPARE(bcd.tickSize, Price::fromRaw(25));

    const InstrumentRecord &goldm = t.kept.at("MCX_FO|436532"); // GOLDM24SEP70600PE
    QCOMPARE(goldm.tickSize, Price::fromPaise(50));             // 50.0 paise
    QCOMPARE(goldm.lotSize, 100);
    QCOMPARE(goldm.underlyingSymbol, std::string("GOLDM"));
    QCOMPARE(goldm.name, std::string("GOLD"));
    QCOMPARE(goldm.quantityUnit(), QuantityUnit::Lots);
    const InstrumentRecord &natgas = t.kept.at("MCX_FO|438067"); // NATGASMINI24OCT145CE
    QCOMPARE(natgas.tickSize, Price::fromPaise(5));
    QCOMPARE(natgas.underlyingSymbol, std::string("NATGASMINI"));
    QCOMPARE(natgas.lotSize, 250);
    QCOMPARE(t.kept.at("BSE_FO|852956").underlyingSymbol, std::string("SENSEX50"));
}

void tst_CsvMaster::realNse2026()
{
    STRIKELINE_REQUIRE_REAL_FILE(path, "NSE-2026-08-04.csv.gz");
    Tally t;
    t.keep = {"NSE_FO|48699",       "NSE_FO|50917",       "NSE_FO|98917",   "NSE_FO|45086",
              "NCD_FO|14294",       "NCD_FO|6892",        "NSE_COM|127536", "NSE_COM|13",
              "NSE_INDEX|Nifty 50", "NSE_EQ|INE002A01018"};
    auto result = readMasterFile(path, [&t](InstrumentRecord &&r) { t.add(std::move(r)); });
    QVERIFY2(result, result ? "" : qPrintable(result.error().message));
    const ReadSummary &s = *result;
    QVERIFY(s.gzip);
    QCOMPARE(s.bytesConsumed, qint64(1490636));
    QCOMPARE(s.bytesDecoded, qint64(9537052));
    QCOMPARE(s.rowsRead, 76745);
    QCOMPARE(s.rowsSkipped, 0);
    QCOMPARE(s.rowsAccepted, 76745);
    QVERIFY(s.issues.empty());

    QCOMPARE(t.bySegment[Segment::NseFo], 30922);
    QCOMPARE(t.bySegment[Segment::NseCom], 27305);
    QCOMPARE(t.bySegment[Segment::NseEq], 9483);
    QCOMPARE(t.bySegment[Segment::NcdFo], 8896);
    QCOMPARE(t.bySegment[Segment::NseIndex], 139);
    QCOMPARE(t.bySegment.size(), std::size_t(5));
    QCOMPARE(t.byKind[InstrumentKind::Index], 139);
    QCOMPARE(t.byKind[InstrumentKind::Equity], 9483);
    QCOMPARE(t.byKind[InstrumentKind::Spot], 28);
    QCOMPARE(t.byKind[InstrumentKind::Future], 876);
    QCOMPARE(t.byKind[InstrumentKind::Call], 33061);
    QCOMPARE(t.byKind[InstrumentKind::Put], 33158);
    QCOMPARE(t.weekly, 6262); // 706 NSE_FO + 5,556 NCD_FO
    QCOMPARE(t.noToken, 0);
    QCOMPARE(t.rootNotPrefix, 0);
    QCOMPARE(t.rootWithSpace, 0); // 26,032 stock F&O rows carry a company name instead
    QCOMPARE(t.weeklyNonDerivative, 0);
    QCOMPARE(t.tickOffGrid, 0);
    QCOMPARE(t.kept.size(), t.keep.size());

    const InstrumentRecord &bankFut = t.kept.at("NSE_FO|48699"); // BANKNIFTY26OCTFUT
    QCOMPARE(bankFut.kind, InstrumentKind::Future);
    QCOMPARE(bankFut.underlyingSymbol, std::string("BANKNIFTY"));
    QCOMPARE(bankFut.tickSize, Price::fromPaise(20));
    QCOMPARE(bankFut.lotSize, 30);
    QCOMPARE(formatIsoDay(bankFut.expiry), QStringLiteral("2026-10-27"));
    QVERIFY(!bankFut.weekly);
    const InstrumentRecord &midcp = t.kept.at("NSE_FO|50917"); // MIDCPNIFTY26OCT15225PE
    QCOMPARE(midcp.kind, InstrumentKind::Put);
    QCOMPARE(midcp.strike, Price::fromRupees(15225));
    QCOMPARE(midcp.lotSize, 120);
    QCOMPARE(t.kept.at("NSE_FO|98917").underlyingSymbol, std::string("OFSS"));
    const InstrumentRecord &niftyWeekly = t.kept.at("NSE_FO|45086"); // NIFTY2681824000CE
    QCOMPARE(niftyWeekly.lotSize, 65);
    QCOMPARE(formatIsoDay(niftyWeekly.expiry), QStringLiteral("2026-08-18"));
    QCOMPARE(niftyWeekly.strike, Price::fromRupees(24000));
    QVERIFY(niftyWeekly.weekly);

    const InstrumentRecord &gbp = t.kept.at("NCD_FO|14294"); // GBPINR26814130.5CE
    QCOMPARE(gbp.tickSize, Price::fromRaw(25));
    QCOMPARE(gbp.strike, Price::fromRaw(1305000));
    QVERIFY(gbp.weekly);
    QVERIFY(t.kept.at("NCD_FO|6892").weekly);                   // JPYINR26O01FUT
    const InstrumentRecord &zinc = t.kept.at("NSE_COM|127536"); // ZINC26SEP372.5CE
    QCOMPARE(zinc.tickSize, Price::fromPaise(1));
    QCOMPARE(zinc.typeCode, std::string("OPTFUT"));
    const InstrumentRecord &spot = t.kept.at("NSE_COM|13"); // SILVERMICRO
    QCOMPARE(spot.kind, InstrumentKind::Spot);
    QCOMPARE(spot.underlyingSymbol, std::string("SILVERMIC"));
    QCOMPARE(spot.tickSize, Price::fromRupees(1));
    const InstrumentRecord &nifty50 = t.kept.at("NSE_INDEX|Nifty 50");
    QCOMPARE(nifty50.tradingSymbol, std::string("NIFTY"));
    QCOMPARE(nifty50.exchangeToken, 26000u);
    const InstrumentRecord &reliance = t.kept.at("NSE_EQ|INE002A01018");
    QCOMPARE(reliance.tickSize, Price::fromPaise(10));
    QCOMPARE(reliance.kind, InstrumentKind::Equity);
}

QTEST_GUILESS_MAIN(tst_CsvMaster)
#include "tst_csvmaster.moc"
