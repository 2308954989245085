// Golden facts of the real Upstox masters in ../shared/data/upstox, read with readMasterFile()
// into an InstrumentSnapshot.
//
// Every number below was measured independently of Strikeline, with python3 (gzip + json) on
// the same files: counts come from the raw JSON rows, dates from the epoch-ms expiry converted
// with a +05:30 timezone. The tests therefore pin facts of the files, not of our code.

#include "TestData.h"
#include "common/IstTime.h"
#include "common/Price.h"
#include "instruments/Instrument.h"
#include "instruments/InstrumentSnapshot.h"
#include "instruments/MasterReader.h"

#include <QDate>
#include <QDateTime>
#include <QLocale>
#include <QTest>

#include <algorithm>
#include <ctime>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

using namespace strikeline;

namespace {

QString qs(std::string_view s)
{
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

EpochDay day(QDate date)
{
    return static_cast<EpochDay>(QDate(1970, 1, 1).daysTo(date));
}

QString isoDay(EpochDay d)
{
    return d == NoDay ? QStringLiteral("(none)")
                      : QDate(1970, 1, 1).addDays(d).toString(Qt::ISODate);
}

// ---- measured facts, per file --------------------------------------------------------------

struct FutureFact
{
    const char *symbol;
    QDate expiry;
    int lot;
    int freeze;
};

struct FileFacts
{
    const char *file;
    std::int64_t gzBytes;
    std::int64_t rawBytes;
    std::int64_t rows;
    std::vector<std::pair<Segment, std::int64_t>> segments; // every segment present
    QDate earliestExpiry;      // over every derivative of every segment
    QDate earliestNseFoExpiry; // the NSE F&O BOD date
    std::int64_t expiredNextDay;
    std::size_t underlyings;
    std::size_t nseFoUnderlyings;
    std::int64_t derivatives; // FUT/CE/PE rows, all segments
    std::int64_t spots;       // NSE_COM 'COM' rows
    std::int64_t nseFoCalls;
    std::int64_t nseFoPuts;
    std::int64_t nseFoFutures;
    std::int64_t nseFoWeekly;          // weekly:true NSE_FO rows (all NIFTY)
    std::int64_t sensexWeekly;         // weekly:true BSE_FO rows (all SENSEX)
    std::int64_t nseFoPaisaTicks;      // NSE_FO rows with tick Rs 0.01
    std::int64_t currencyQuarterPaise; // NCD_FO + BCD_FO rows, all with tick Rs 0.0025
    std::int64_t nseFoTuesday;
    std::int64_t nseFoThursday;
    std::int64_t niftyContracts;
    std::int64_t niftyLot75;
    std::int64_t niftyLot65;
    QDate niftyFirstExpiry;
    bool niftyFirstWeekly;
    int niftyFirstStrikes;
    QDate niftyLastExpiry;
    int niftyLastStrikes;
    bool niftyMondayExpiry2029; // 2029-12-24 (Christmas shifts the Tuesday)
    std::vector<FutureFact> niftyFutures;
    std::int64_t bankNiftyLot35;
    std::int64_t bankNiftyLot30;
    std::vector<int> bankNiftyFutureLots; // by expiry
};

const std::vector<FileFacts> &allFacts()
{
    static const std::vector<FileFacts> facts = {
        {
            .file = "complete-2025-06-12.json.gz",
            .gzBytes = 2'804'654,
            .rawBytes = 43'603'755,
            .rows = 95'701,
            .segments = {{Segment::NseFo, 34'594},
                         {Segment::BseEq, 12'033},
                         {Segment::McxFo, 11'211},
                         {Segment::BcdFo, 9'532},
                         {Segment::NcdFo, 9'016},
                         {Segment::NseEq, 8'058},
                         {Segment::NseCom, 6'117},
                         {Segment::BseFo, 4'946},
                         {Segment::NseIndex, 126},
                         {Segment::BseIndex, 68}},
            .earliestExpiry = QDate(2025, 6, 12),
            .earliestNseFoExpiry = QDate(2025, 6, 12),
            .expiredNextDay = 188,
            .underlyings = 307,
            .nseFoUnderlyings = 243,
            .derivatives = 75'392,
            .spots = 24,
            .nseFoCalls = 16'712,
            .nseFoPuts = 17'199,
            .nseFoFutures = 683,
            .nseFoWeekly = 678,
            .sensexWeekly = 1'719,
            .nseFoPaisaTicks = 128,
            .currencyQuarterPaise = 18'548,
            .nseFoTuesday = 0,
            .nseFoThursday = 34'525,
            .niftyContracts = 1'643,
            .niftyLot75 = 1'643,
            .niftyLot65 = 0,
            .niftyFirstExpiry = QDate(2025, 6, 12),
            .niftyFirstWeekly = true,
            .niftyFirstStrikes = 94,
            .niftyLastExpiry = QDate(2029, 12, 27),
            .niftyLastStrikes = 14,
            .niftyMondayExpiry2029 = false,
            .niftyFutures = {{"NIFTY FUT 26 JUN 25", QDate(2025, 6, 26), 75, 1800},
                             {"NIFTY FUT 31 JUL 25", QDate(2025, 7, 31), 75, 1800},
                             {"NIFTY FUT 28 AUG 25", QDate(2025, 8, 28), 75, 1800}},
            .bankNiftyLot35 = 642,
            .bankNiftyLot30 = 367,
            .bankNiftyFutureLots = {30, 35, 35},
        },
        {
            .file = "complete-2025-11-25.json.gz",
            .gzBytes = 3'485'022,
            .rawBytes = 59'762'214,
            .rows = 126'978,
            .segments = {{Segment::NseFo, 38'752},
                         {Segment::McxFo, 25'214},
                         {Segment::NseCom, 18'866},
                         {Segment::BseEq, 12'689},
                         {Segment::BcdFo, 9'168},
                         {Segment::NcdFo, 8'754},
                         {Segment::NseEq, 8'488},
                         {Segment::BseFo, 4'843},
                         {Segment::NseIndex, 134},
                         {Segment::BseIndex, 70}},
            // Two MCX/NSE_COM natural-gas futures expire on the 24th: the file is the 24th's BOD.
            .earliestExpiry = QDate(2025, 11, 24),
            .earliestNseFoExpiry = QDate(2025, 11, 25),
            .expiredNextDay = 4,
            .underlyings = 283,
            .nseFoUnderlyings = 214,
            .derivatives = 105'573,
            .spots = 24,
            .nseFoCalls = 19'000,
            .nseFoPuts = 19'116,
            .nseFoFutures = 636,
            .nseFoWeekly = 656,
            .sensexWeekly = 1'684,
            .nseFoPaisaTicks = 5'260,
            .currencyQuarterPaise = 17'922,
            .nseFoTuesday = 38'726,
            .nseFoThursday = 0,
            .niftyContracts = 1'577,
            .niftyLot75 = 1'406,
            .niftyLot65 = 171,
            .niftyFirstExpiry = QDate(2025, 11, 25),
            .niftyFirstWeekly = false,
            .niftyFirstStrikes = 106,
            .niftyLastExpiry = QDate(2030, 6, 25),
            .niftyLastStrikes = 13,
            .niftyMondayExpiry2029 = true,
            .niftyFutures = {{"NIFTY FUT 25 NOV 25", QDate(2025, 11, 25), 75, 1800},
                             {"NIFTY FUT 30 DEC 25", QDate(2025, 12, 30), 75, 1800},
                             {"NIFTY FUT 27 JAN 26", QDate(2026, 1, 27), 65, 1755}},
            .bankNiftyLot35 = 753,
            .bankNiftyLot30 = 261,
            .bankNiftyFutureLots = {35, 35, 30},
        },
        {
            .file = "complete-2025-12-09.json.gz",
            .gzBytes = 3'415'703,
            .rawBytes = 58'304'343,
            .rows = 124'278,
            .segments = {{Segment::NseFo, 35'587},
                         {Segment::McxFo, 25'998},
                         {Segment::NseCom, 17'676},
                         {Segment::BseEq, 12'524},
                         {Segment::BcdFo, 9'788},
                         {Segment::NcdFo, 9'102},
                         {Segment::NseEq, 8'540},
                         {Segment::BseFo, 4'859},
                         {Segment::NseIndex, 134},
                         {Segment::BseIndex, 70}},
            .earliestExpiry = QDate(2025, 12, 9),
            .earliestNseFoExpiry = QDate(2025, 12, 9),
            .expiredNextDay = 306,
            .underlyings = 281,
            .nseFoUnderlyings = 213,
            .derivatives = 102'986,
            .spots = 24,
            .nseFoCalls = 17'509,
            .nseFoPuts = 17'448,
            .nseFoFutures = 630,
            .nseFoWeekly = 638,
            .sensexWeekly = 1'974,
            .nseFoPaisaTicks = 4'612,
            .currencyQuarterPaise = 18'890,
            .nseFoTuesday = 35'561,
            .nseFoThursday = 0,
            .niftyContracts = 1'501,
            .niftyLot75 = 1'023,
            .niftyLot65 = 478,
            .niftyFirstExpiry = QDate(2025, 12, 9),
            .niftyFirstWeekly = true,
            .niftyFirstStrikes = 85,
            .niftyLastExpiry = QDate(2030, 6, 25),
            .niftyLastStrikes = 13,
            .niftyMondayExpiry2029 = true,
            .niftyFutures = {{"NIFTY FUT 30 DEC 25", QDate(2025, 12, 30), 75, 1800},
                             {"NIFTY FUT 27 JAN 26", QDate(2026, 1, 27), 65, 1755},
                             {"NIFTY FUT 24 FEB 26", QDate(2026, 2, 24), 65, 1755}},
            .bankNiftyLot35 = 424,
            .bankNiftyLot30 = 516,
            .bankNiftyFutureLots = {35, 30, 30},
        },
        {
            .file = "NSE-2026-08-21.json.gz",
            .gzBytes = 2'053'802,
            .rawBytes = 40'477'354,
            .rows = 82'798,
            .segments = {{Segment::NseFo, 35'739},
                         {Segment::NseCom, 28'391},
                         {Segment::NseEq, 9'661},
                         {Segment::NcdFo, 8'868},
                         {Segment::NseIndex, 139}},
            // NSE_COM natural-gas options expire on the 20th.
            .earliestExpiry = QDate(2026, 8, 20),
            .earliestNseFoExpiry = QDate(2026, 8, 25),
            .expiredNextDay = 90,
            .underlyings = 241,
            .nseFoUnderlyings = 214,
            .derivatives = 72'970,
            .spots = 28,
            .nseFoCalls = 17'506,
            .nseFoPuts = 17'593,
            .nseFoFutures = 640,
            .nseFoWeekly = 674,
            .sensexWeekly = 0,
            .nseFoPaisaTicks = 3'461,
            .currencyQuarterPaise = 8'868,
            .nseFoTuesday = 35'711,
            .nseFoThursday = 0,
            .niftyContracts = 1'679,
            .niftyLot75 = 0,
            .niftyLot65 = 1'679,
            .niftyFirstExpiry = QDate(2026, 8, 25),
            .niftyFirstWeekly = false,
            .niftyFirstStrikes = 121,
            .niftyLastExpiry = QDate(2031, 6, 24),
            .niftyLastStrikes = 12,
            .niftyMondayExpiry2029 = true,
            .niftyFutures = {{"NIFTY FUT 25 AUG 26", QDate(2026, 8, 25), 65, 1755},
                             {"NIFTY FUT 29 SEP 26", QDate(2026, 9, 29), 65, 1755},
                             {"NIFTY FUT 27 OCT 26", QDate(2026, 10, 27), 65, 1755}},
            .bankNiftyLot35 = 0,
            .bankNiftyLot30 = 963,
            .bankNiftyFutureLots = {30, 30, 30},
        },
    };
    return facts;
}

void addFileRows()
{
    QTest::addColumn<int>("index");
    for (int i = 0; i < static_cast<int>(allFacts().size()); ++i)
        QTest::newRow(allFacts()[static_cast<std::size_t>(i)].file) << i;
}

struct LoadedMaster
{
    ReadSummary summary;
    BuildReport report;
    SnapshotPtr snapshot;
};

} // namespace

// STRIKELINE_REQUIRE_REAL_FILE takes a string literal; the data-driven tests choose the literal
// by file name. Skips (or fails with STRIKELINE_REQUIRE_REAL_DATA=1) when the file is missing.
#define REQUIRE_MASTER(var, fileName)                                                              \
    QString var;                                                                                   \
    if (qstrcmp(fileName, "complete-2025-06-12.json.gz") == 0) {                                   \
        STRIKELINE_REQUIRE_REAL_FILE(resolved, "complete-2025-06-12.json.gz");                     \
        var = resolved;                                                                            \
    } else if (qstrcmp(fileName, "complete-2025-11-25.json.gz") == 0) {                            \
        STRIKELINE_REQUIRE_REAL_FILE(resolved, "complete-2025-11-25.json.gz");                     \
        var = resolved;                                                                            \
    } else if (qstrcmp(fileName, "complete-2025-12-09.json.gz") == 0) {                            \
        STRIKELINE_REQUIRE_REAL_FILE(resolved, "complete-2025-12-09.json.gz");                     \
        var = resolved;                                                                            \
    } else if (qstrcmp(fileName, "NSE-2026-08-21.json.gz") == 0) {                                 \
        STRIKELINE_REQUIRE_REAL_FILE(resolved, "NSE-2026-08-21.json.gz");                          \
        var = resolved;                                                                            \
    } else {                                                                                       \
        QFAIL("unknown master");                                                                   \
    }

// Loads (once per process) and builds the snapshot of a master, or fails the test.
#define LOAD_MASTER(var, fileName)                                                                 \
    REQUIRE_MASTER(var##Path, fileName);                                                           \
    const LoadedMaster *var##Loaded = load(var##Path);                                             \
    QVERIFY2(var##Loaded, qPrintable(m_loadError));                                                \
    const LoadedMaster &var = *var##Loaded

class tst_RealMasters : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();

    void rowsAndSegments_data() { addFileRows(); }
    void rowsAndSegments();
    void contractInvariants_data() { addFileRows(); }
    void contractInvariants();
    void expiriesInIst_data() { addFileRows(); }
    void expiriesInIst();
    void bodDates_data() { addFileRows(); }
    void bodDates();
    void underlyings_data() { addFileRows(); }
    void underlyings();
    void niftyExpiries_data() { addFileRows(); }
    void niftyExpiries();
    void indexFutures_data() { addFileRows(); }
    void indexFutures();
    void lotSizesPerContract_data() { addFileRows(); }
    void lotSizesPerContract();

    void nifty26250Ce09Dec25();
    void currencyTicksAndSameSymbolOnTwoExchanges();
    void mcxFreezeInLots();
    void spotsAndEquities();
    void keyReuseAcrossDays();
    void lotChangeOfLongDatedContract();
    void niftyFpiIn2026();

private:
    const LoadedMaster *load(const QString &path);

    std::map<QString, std::unique_ptr<LoadedMaster>> m_loaded;
    QString m_loadError;
};

const LoadedMaster *tst_RealMasters::load(const QString &path)
{
    if (auto it = m_loaded.find(path); it != m_loaded.end())
        return it->second.get();
    auto loaded = std::make_unique<LoadedMaster>();
    SnapshotBuilder builder;
    builder.reserve(130'000);
    auto result =
        readMasterFile(path, [&builder](InstrumentRecord &&r) { builder.add(std::move(r)); });
    if (!result) {
        m_loadError = result.error().message;
        return nullptr;
    }
    loaded->summary = std::move(*result);
    MasterInfo info;
    info.source = path;
    info.description = QFileInfo(path).fileName();
    loaded->snapshot = builder.build(info, &loaded->report);
    return m_loaded.emplace(path, std::move(loaded)).first->second.get();
}

void tst_RealMasters::initTestCase()
{
    // Run in a zone far from IST (UTC+14, POSIX sign): an expiry derived in local time instead
    // of IST would land on the next day for the master's 23:59:59 IST and fail the date checks.
    qputenv("TZ", "XYZ-14");
    ::tzset();
    QCOMPARE(QDateTime::fromMSecsSinceEpoch(0).offsetFromUtc(), 14 * 3600);
}

void tst_RealMasters::rowsAndSegments()
{
    QFETCH(int, index);
    const FileFacts &f = allFacts()[static_cast<std::size_t>(index)];
    LOAD_MASTER(m, f.file);

    // Every row of the real files is valid: python found no bad value and no duplicate key.
    const ReadSummary &s = m.summary;
    QVERIFY(s.format == MasterFormat::Json);
    QVERIFY(s.gzip);
    QCOMPARE(s.bytesConsumed, f.gzBytes);
    QCOMPARE(s.bytesDecoded, f.rawBytes);
    QCOMPARE(s.rowsRead, f.rows);
    QCOMPARE(s.rowsAccepted, f.rows);
    QCOMPARE(s.rowsSkipped, std::int64_t{0});
    QVERIFY2(s.issues.empty(),
             qPrintable(s.issues.empty() ? QString() : s.issues.front().toString()));
    QCOMPARE(m.report.duplicateKeys, std::int64_t{0});
    QCOMPARE(m.report.instruments, f.rows);

    const InstrumentSnapshot &snap = *m.snapshot;
    QCOMPARE(static_cast<std::int64_t>(snap.size()), f.rows);
    std::map<Segment, std::int64_t> counted;
    for (InstrumentId id = 0; id < snap.size(); ++id)
        ++counted[snap.instrument(id).segment()];
    std::map<Segment, std::int64_t> expected(f.segments.begin(), f.segments.end());
    for (int s2 = 0; s2 < SegmentCount; ++s2) {
        const auto seg = static_cast<Segment>(s2);
        QCOMPARE(QStringLiteral("%1=%2").arg(qs(segmentName(seg))).arg(counted[seg]),
                 QStringLiteral("%1=%2").arg(qs(segmentName(seg))).arg(expected[seg]));
    }
}

void tst_RealMasters::contractInvariants()
{
    QFETCH(int, index);
    const FileFacts &f = allFacts()[static_cast<std::size_t>(index)];
    LOAD_MASTER(m, f.file);
    const InstrumentSnapshot &snap = *m.snapshot;

    std::int64_t derivatives = 0, spots = 0, calls = 0, puts = 0, futures = 0, weekly = 0,
                 sensexWeekly = 0, paisaTicks = 0, quarterPaise = 0, tuesday = 0, thursday = 0;
    QStringList problems;
    for (InstrumentId id = 0; id < snap.size(); ++id) {
        const InstrumentView v = snap.instrument(id);
        const auto note = [&](const char *what) {
            if (problems.size() < 5)
                problems << QStringLiteral("%1: %2").arg(qs(v.instrumentKey()),
                                                         QLatin1String(what));
        };
        if (isDerivative(v.kind()))
            ++derivatives;
        if (v.kind() == InstrumentKind::Spot)
            ++spots;
        if (v.kind() != InstrumentKind::Index) {
            if (v.lotSize() <= 0)
                note("lot <= 0");
            if (!v.tickSize().isPositive())
                note("tick <= 0");
        }
        if (v.segment() == Segment::NcdFo || v.segment() == Segment::BcdFo) {
            if (v.tickSize() == Price::fromRaw(25)) // Rs 0.0025
                ++quarterPaise;
        }
        if (v.segment() == Segment::BseFo && v.weekly()) {
            ++sensexWeekly;
            if (v.underlyingSymbol() != "SENSEX")
                note("weekly BSE_FO that is not SENSEX");
        }
        if (v.segment() != Segment::NseFo)
            continue;
        calls += v.kind() == InstrumentKind::Call ? 1 : 0;
        puts += v.kind() == InstrumentKind::Put ? 1 : 0;
        futures += v.kind() == InstrumentKind::Future ? 1 : 0;
        // freeze_quantity is already rounded down to whole lots on NSE F&O.
        if (v.freezeQuantity() <= 0 || v.freezeQuantity() % v.lotSize() != 0)
            note("freeze is not a positive multiple of the lot");
        if (v.maxLotsPerOrder() * v.lotSize() != v.freezeQuantity())
            note("maxLotsPerOrder * lot != freeze");
        if (v.weekly()) {
            ++weekly;
            if (v.underlyingSymbol() != "NIFTY")
                note("weekly NSE_FO that is not NIFTY");
        }
        if (v.tickSize() == Price::fromPaise(1))
            ++paisaTicks;
        const int weekday = QDate(1970, 1, 1).addDays(v.expiry()).dayOfWeek();
        tuesday += weekday == Qt::Tuesday ? 1 : 0;
        thursday += weekday == Qt::Thursday ? 1 : 0;
    }
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1String("; "))));
    QCOMPARE(derivatives, f.derivatives);
    QCOMPARE(spots, f.spots);
    QCOMPARE(calls, f.nseFoCalls);
    QCOMPARE(puts, f.nseFoPuts);
    QCOMPARE(futures, f.nseFoFutures);
    QCOMPARE(weekly, f.nseFoWeekly);
    QCOMPARE(sensexWeekly, f.sensexWeekly);
    QCOMPARE(paisaTicks, f.nseFoPaisaTicks);
    // Every currency contract on NSE and BSE ticks at a quarter paisa (0.25 in the JSON).
    QCOMPARE(quarterPaise, f.currencyQuarterPaise);
    std::int64_t currencyRows = 0;
    for (const auto &[segment, count] : f.segments)
        if (segment == Segment::NcdFo || segment == Segment::BcdFo)
            currencyRows += count;
    QCOMPARE(quarterPaise, currencyRows);
    // NSE moved weekly/monthly expiries from Thursday to Tuesday in Sep 2025.
    QCOMPARE(tuesday, f.nseFoTuesday);
    QCOMPARE(thursday, f.nseFoThursday);
}

void tst_RealMasters::expiriesInIst()
{
    QFETCH(int, index);
    const FileFacts &f = allFacts()[static_cast<std::size_t>(index)];
    LOAD_MASTER(m, f.file);
    const InstrumentSnapshot &snap = *m.snapshot;

    // Every F&O trading symbol ends with its expiry date ("... 09 DEC 25"); python found that
    // date equal to the epoch-ms expiry read in IST for every derivative row of these files.
    const QLocale c = QLocale::c();
    std::int64_t checked = 0;
    QStringList mismatches;
    for (InstrumentId id = 0; id < snap.size(); ++id) {
        const InstrumentView v = snap.instrument(id);
        if (!isDerivative(v.kind()))
            continue;
        ++checked;
        const QString symbol = qs(v.tradingSymbol());
        const QString date = v.expiry() == NoDay ? QString()
                                                 : c.toString(QDate(1970, 1, 1).addDays(v.expiry()),
                                                              QStringLiteral("dd MMM yy"))
                                                       .toUpper();
        if (date.isEmpty() || !symbol.endsWith(QLatin1Char(' ') + date)) {
            if (mismatches.size() < 5)
                mismatches << symbol + QStringLiteral(" vs ") + isoDay(v.expiry());
        }
        if (v.expiry() < day(f.earliestExpiry) && mismatches.size() < 5)
            mismatches << symbol + QStringLiteral(" expires before the BOD");
    }
    QVERIFY2(mismatches.isEmpty(), qPrintable(mismatches.join(QLatin1String("; "))));
    QCOMPARE(checked, f.derivatives);
}

void tst_RealMasters::bodDates()
{
    QFETCH(int, index);
    const FileFacts &f = allFacts()[static_cast<std::size_t>(index)];
    LOAD_MASTER(m, f.file);
    const InstrumentSnapshot &snap = *m.snapshot;

    QCOMPARE(isoDay(snap.earliestExpiry()), f.earliestExpiry.toString(Qt::ISODate));
    EpochDay earliestNseFo = NoDay;
    for (InstrumentId id = 0; id < snap.size(); ++id) {
        const InstrumentView v = snap.instrument(id);
        if (v.segment() == Segment::NseFo && (earliestNseFo == NoDay || v.expiry() < earliestNseFo))
            earliestNseFo = v.expiry();
    }
    QCOMPARE(isoDay(earliestNseFo), f.earliestNseFoExpiry.toString(Qt::ISODate));
    // On its BOD nothing has expired; the next day the earliest expiry's contracts have.
    const EpochDay bod = day(f.earliestExpiry);
    QCOMPARE(snap.expiredContractsAt(bod), std::int64_t{0});
    QCOMPARE(snap.expiredContractsAt(bod + 1), f.expiredNextDay);
}

void tst_RealMasters::underlyings()
{
    QFETCH(int, index);
    const FileFacts &f = allFacts()[static_cast<std::size_t>(index)];
    LOAD_MASTER(m, f.file);
    const InstrumentSnapshot &snap = *m.snapshot;

    // (segment, underlying symbol) pairs of the derivatives.
    QCOMPARE(snap.underlyingCount(), f.underlyings);
    std::size_t nseFo = 0;
    std::set<std::string> nseFoSymbols;
    for (UnderlyingId u = 0; u < snap.underlyingCount(); ++u) {
        if (snap.underlyingSegment(u) == Segment::NseFo) {
            ++nseFo;
            nseFoSymbols.emplace(snap.underlyingSymbol(u));
        }
    }
    QCOMPARE(nseFo, f.nseFoUnderlyings);
    QCOMPARE(nseFoSymbols.size(), f.nseFoUnderlyings);
    for (const char *index2 : {"NIFTY", "BANKNIFTY", "FINNIFTY", "MIDCPNIFTY", "NIFTYNXT50"})
        QVERIFY2(nseFoSymbols.count(index2) == 1, index2);
}

void tst_RealMasters::niftyExpiries()
{
    QFETCH(int, index);
    const FileFacts &f = allFacts()[static_cast<std::size_t>(index)];
    LOAD_MASTER(m, f.file);
    const InstrumentSnapshot &snap = *m.snapshot;

    const auto nifty = snap.findUnderlying("NIFTY");
    QVERIFY(nifty.has_value());
    QVERIFY(snap.underlyingSegment(*nifty) == Segment::NseFo);
    QCOMPARE(qs(snap.underlyingSymbol(*nifty)), QStringLiteral("NIFTY"));

    std::int64_t contracts = 0;
    for (InstrumentId id = 0; id < snap.size(); ++id)
        contracts += snap.instrument(id).underlying() == *nifty ? 1 : 0;
    QCOMPARE(contracts, f.niftyContracts);

    // Option expiries: 4 weeklies and 14 monthly/quarterly/half-yearly ones in every file.
    const std::vector<ExpiryInfo> expiries = snap.expiries(*nifty, NoDay);
    QCOMPARE(expiries.size(), std::size_t{18});
    QCOMPARE(std::count_if(expiries.begin(), expiries.end(),
                           [](const ExpiryInfo &e) { return e.weekly; }),
             std::ptrdiff_t{4});
    QVERIFY(std::is_sorted(expiries.begin(), expiries.end(),
                           [](const ExpiryInfo &a, const ExpiryInfo &b) { return a.day < b.day; }));
    QCOMPARE(isoDay(expiries.front().day), f.niftyFirstExpiry.toString(Qt::ISODate));
    QCOMPARE(expiries.front().weekly, f.niftyFirstWeekly);
    QCOMPARE(expiries.front().strikeCount, f.niftyFirstStrikes);
    QCOMPARE(isoDay(expiries.back().day), f.niftyLastExpiry.toString(Qt::ISODate));
    QCOMPARE(expiries.back().strikeCount, f.niftyLastStrikes);
    QVERIFY(!expiries.back().weekly);
    const bool monday2029 = std::any_of(expiries.begin(), expiries.end(), [](const ExpiryInfo &e) {
        return e.day == day(QDate(2029, 12, 24));
    });
    QCOMPARE(monday2029, f.niftyMondayExpiry2029);

    // With an as-of day, expired expiries are hidden.
    const auto upcoming = snap.expiries(*nifty, day(f.niftyFirstExpiry) + 1);
    QCOMPARE(upcoming.size(), std::size_t{17});
}

void tst_RealMasters::indexFutures()
{
    QFETCH(int, index);
    const FileFacts &f = allFacts()[static_cast<std::size_t>(index)];
    LOAD_MASTER(m, f.file);
    const InstrumentSnapshot &snap = *m.snapshot;

    const auto nifty = snap.findUnderlying("NIFTY");
    QVERIFY(nifty.has_value());
    const auto futures = snap.futures(*nifty);
    QCOMPARE(futures.size(), f.niftyFutures.size());
    for (std::size_t i = 0; i < futures.size(); ++i) {
        const InstrumentView v = snap.instrument(futures[i]);
        const FutureFact &want = f.niftyFutures[i];
        QCOMPARE(qs(v.tradingSymbol()), QString::fromLatin1(want.symbol));
        QCOMPARE(isoDay(v.expiry()), want.expiry.toString(Qt::ISODate));
        QCOMPARE(v.lotSize(), want.lot);
        QCOMPARE(v.freezeQuantity(), want.freeze);
        QVERIFY(v.tickSize() == Price::fromPaise(10)); // NIFTY futures: Rs 0.10
        QVERIFY(v.kind() == InstrumentKind::Future);
        QVERIFY(!v.weekly());
        QVERIFY(v.strike().isZero());
    }

    const auto bankNifty = snap.findUnderlying("BANKNIFTY");
    QVERIFY(bankNifty.has_value());
    const auto bnFutures = snap.futures(*bankNifty);
    QCOMPARE(bnFutures.size(), f.bankNiftyFutureLots.size());
    for (std::size_t i = 0; i < bnFutures.size(); ++i) {
        const InstrumentView v = snap.instrument(bnFutures[i]);
        QCOMPARE(v.lotSize(), f.bankNiftyFutureLots[i]);
        QVERIFY(v.tickSize() == Price::fromPaise(20)); // BANKNIFTY futures: Rs 0.20
        if (i > 0)
            QVERIFY(snap.instrument(bnFutures[i - 1]).expiry() < v.expiry());
    }
}

void tst_RealMasters::lotSizesPerContract()
{
    QFETCH(int, index);
    const FileFacts &f = allFacts()[static_cast<std::size_t>(index)];
    LOAD_MASTER(m, f.file);
    const InstrumentSnapshot &snap = *m.snapshot;

    // Lot (and freeze) are per contract: during the Oct-2025 revision an underlying has both.
    std::map<std::pair<std::int32_t, std::int32_t>, std::int64_t> nifty, bankNifty;
    for (InstrumentId id = 0; id < snap.size(); ++id) {
        const InstrumentView v = snap.instrument(id);
        if (v.segment() != Segment::NseFo)
            continue;
        if (v.underlyingSymbol() == "NIFTY")
            ++nifty[{v.lotSize(), v.freezeQuantity()}];
        else if (v.underlyingSymbol() == "BANKNIFTY")
            ++bankNifty[{v.lotSize(), v.freezeQuantity()}];
    }
    std::map<std::pair<std::int32_t, std::int32_t>, std::int64_t> wantNifty, wantBankNifty;
    if (f.niftyLot75)
        wantNifty[{75, 1800}] = f.niftyLot75;
    if (f.niftyLot65)
        wantNifty[{65, 1755}] = f.niftyLot65; // 1755 = 27 x 65 (limit 1800)
    if (f.bankNiftyLot35)
        wantBankNifty[{35, 595}] = f.bankNiftyLot35; // 595 = 17 x 35 (limit 600)
    if (f.bankNiftyLot30)
        wantBankNifty[{30, 600}] = f.bankNiftyLot30;
    QVERIFY(nifty == wantNifty);
    QVERIFY(bankNifty == wantBankNifty);
}

void tst_RealMasters::nifty26250Ce09Dec25()
{
    LOAD_MASTER(m, "complete-2025-12-09.json.gz");
    const InstrumentSnapshot &snap = *m.snapshot;

    const auto byKey = snap.findByKey("NSE_FO|41915");
    QVERIFY(byKey.has_value());
    const auto byToken = snap.findByToken(Segment::NseFo, 41915);
    QVERIFY(byToken.has_value());
    QCOMPARE(*byToken, *byKey);
    const auto bySymbol = snap.findBySymbol(Segment::NseFo, "NIFTY 26250 CE 09 DEC 25");
    QVERIFY(bySymbol.has_value());
    QCOMPARE(*bySymbol, *byKey);
    QVERIFY(!snap.findByToken(Segment::BseFo, 41915).has_value()); // tokens are per segment

    const ContractInfo info = snap.contractInfo(*byKey);
    QCOMPARE(qs(info.tradingSymbol), QStringLiteral("NIFTY 26250 CE 09 DEC 25"));
    QCOMPARE(qs(info.underlyingSymbol), QStringLiteral("NIFTY"));
    QVERIFY(info.segment == Segment::NseFo);
    QVERIFY(info.kind == InstrumentKind::Call);
    QCOMPARE(isoDay(info.expiry), QStringLiteral("2025-12-09"));
    QVERIFY(info.strike == Price::fromRupees(26250));
    QVERIFY(info.tickSize == Price::fromPaise(5)); // Rs 0.05
    QCOMPARE(info.tickSize.toString(), std::string("0.05"));
    QCOMPARE(info.lotSize, 75);
    QCOMPARE(info.freezeQuantity, 1800);
    QCOMPARE(info.maxLotsPerOrder, 24);
    QVERIFY(info.quantityUnit == QuantityUnit::Units);
    QVERIFY(info.weekly);
    const InstrumentView v = snap.instrument(*byKey);
    QCOMPARE(qs(v.underlyingKey()), QStringLiteral("NSE_INDEX|Nifty 50"));
    QCOMPARE(qs(v.name()), QStringLiteral("NIFTY"));
    QCOMPARE(v.exchangeToken(), 41915u);
    QCOMPARE(v.qtyMultiplier(), 1);
}

void tst_RealMasters::currencyTicksAndSameSymbolOnTwoExchanges()
{
    LOAD_MASTER(m, "complete-2025-12-09.json.gz");
    const InstrumentSnapshot &snap = *m.snapshot;

    const auto ncd = snap.findBySymbol(Segment::NcdFo, "JPYINR 61 CE 27 MAR 26");
    const auto bcd = snap.findBySymbol(Segment::BcdFo, "JPYINR 61 CE 27 MAR 26");
    QVERIFY(ncd.has_value());
    QVERIFY(bcd.has_value());
    QVERIFY(*ncd != *bcd);
    const InstrumentView n = snap.instrument(*ncd);
    const InstrumentView b = snap.instrument(*bcd);
    QCOMPARE(qs(n.instrumentKey()), QStringLiteral("NCD_FO|14294"));
    QCOMPARE(qs(b.instrumentKey()), QStringLiteral("BCD_FO|2140606"));
    for (const InstrumentView *v : {&n, &b}) {
        QVERIFY(v->tickSize() == Price::fromRaw(25)); // Rs 0.0025
        QCOMPARE(v->tickSize().toString(), std::string("0.0025"));
        QCOMPARE(isoDay(v->expiry()), QStringLiteral("2026-03-27"));
        QVERIFY(v->strike() == Price::fromRupees(61));
        QCOMPARE(v->lotSize(), 1);
        QCOMPARE(v->freezeQuantity(), 10000);
        QCOMPARE(v->qtyMultiplier(), 1000);
        QVERIFY(v->underlyingKey().empty()); // absent on currency rows
        QVERIFY(!v->weekly());
    }
    // Resolving the bare symbol prefers the segment with more contracts (NCD_FO: 2,063 JPYINR
    // contracts vs BCD_FO: 1,331).
    const auto jpy = snap.findUnderlying("JPYINR");
    QVERIFY(jpy.has_value());
    QVERIFY(snap.underlyingSegment(*jpy) == Segment::NcdFo);
    const auto jpyBse = snap.findUnderlying("JPYINR", Segment::BcdFo);
    QVERIFY(jpyBse.has_value());
    QVERIFY(*jpyBse != *jpy);
}

void tst_RealMasters::mcxFreezeInLots()
{
    LOAD_MASTER(m, "complete-2025-12-09.json.gz");
    const InstrumentSnapshot &snap = *m.snapshot;

    // SILVER: lot 30, freeze 20 -- 20 lots, which a units reading would make 0 lots.
    const auto silver = snap.findByKey("MCX_FO|451666");
    QVERIFY(silver.has_value());
    const InstrumentView s = snap.instrument(*silver);
    QCOMPARE(qs(s.tradingSymbol()), QStringLiteral("SILVER FUT 05 MAR 26"));
    QCOMPARE(s.lotSize(), 30);
    QCOMPARE(s.freezeQuantity(), 20);
    QVERIFY(s.quantityUnit() == QuantityUnit::Lots);
    QCOMPARE(s.maxLotsPerOrder(), 20);
    QVERIFY(s.tickSize() == Price::fromRupees(1));
    QCOMPARE(isoDay(s.expiry()), QStringLiteral("2026-03-05"));

    const auto gas = snap.findBySymbol(Segment::McxFo, "NATURALGAS FUT 27 JAN 26");
    QVERIFY(gas.has_value());
    const InstrumentView g = snap.instrument(*gas);
    QCOMPARE(qs(g.instrumentKey()), QStringLiteral("MCX_FO|465849"));
    QCOMPARE(g.lotSize(), 1250);
    QCOMPARE(g.freezeQuantity(), 48);
    QCOMPARE(g.maxLotsPerOrder(), 48);
    QCOMPARE(g.qtyMultiplier(), 1250);
    QVERIFY(g.tickSize() == Price::fromPaise(10));
}

void tst_RealMasters::spotsAndEquities()
{
    LOAD_MASTER(dec, "complete-2025-12-09.json.gz");
    LOAD_MASTER(aug, "NSE-2026-08-21.json.gz");

    for (const LoadedMaster *m : {&dec, &aug}) {
        const InstrumentSnapshot &snap = *m->snapshot;
        // The NIFTY chain's spot is the index row its underlying_key names.
        const auto nifty = snap.findUnderlying("NIFTY");
        QVERIFY(nifty.has_value());
        const auto spot = snap.underlyingSpot(*nifty);
        QVERIFY(spot.has_value());
        const InstrumentView index = snap.instrument(*spot);
        QCOMPARE(qs(index.instrumentKey()), QStringLiteral("NSE_INDEX|Nifty 50"));
        QCOMPARE(qs(index.tradingSymbol()), QStringLiteral("NIFTY"));
        QCOMPARE(index.exchangeToken(), 26000u);
        QVERIFY(index.kind() == InstrumentKind::Index);
        QCOMPARE(index.lotSize(), 0);

        const auto reliance = snap.findBySymbol(Segment::NseEq, "RELIANCE");
        QVERIFY(reliance.has_value());
        const InstrumentView r = snap.instrument(*reliance);
        QCOMPARE(qs(r.instrumentKey()), QStringLiteral("NSE_EQ|INE002A01018"));
        QCOMPARE(r.exchangeToken(), 2885u);
        QVERIFY(r.tickSize() == Price::fromPaise(10));
        QCOMPARE(r.lotSize(), 1);
        QCOMPARE(r.freezeQuantity(), 100000);
        QVERIFY(r.kind() == InstrumentKind::Equity);
        QCOMPARE(qs(r.name()), QStringLiteral("RELIANCE INDUSTRIES LTD"));
    }

    // TATASTEEL: a Rs 0.01 tick, an equity spot, and its lot halved between the files.
    const struct
    {
        const LoadedMaster *m;
        int lot;
        int freeze;
        const char *firstFuture;
    } steel[] = {{&dec, 5500, 165000, "TATASTEEL FUT 30 DEC 25"},
                 {&aug, 2750, 137500, "TATASTEEL FUT 25 AUG 26"}};
    for (const auto &t : steel) {
        const InstrumentSnapshot &snap = *t.m->snapshot;
        const auto u = snap.findUnderlying("TATASTEEL", Segment::NseFo);
        QVERIFY(u.has_value());
        const auto futures = snap.futures(*u);
        QCOMPARE(futures.size(), std::size_t{3});
        QCOMPARE(qs(snap.instrument(futures[0]).tradingSymbol()),
                 QString::fromLatin1(t.firstFuture));
        for (InstrumentId id : futures) {
            const InstrumentView v = snap.instrument(id);
            QCOMPARE(v.lotSize(), t.lot);
            QCOMPARE(v.freezeQuantity(), t.freeze);
            QVERIFY(v.tickSize() == Price::fromPaise(1));
            QCOMPARE(qs(v.underlyingKey()), QStringLiteral("NSE_EQ|INE081A01020"));
        }
        const auto spot = snap.underlyingSpot(*u);
        QVERIFY(spot.has_value());
        QCOMPARE(qs(snap.instrument(*spot).instrumentKey()), QStringLiteral("NSE_EQ|INE081A01020"));
        QCOMPARE(qs(snap.instrument(*spot).tradingSymbol()), QStringLiteral("TATASTEEL"));
    }
}

void tst_RealMasters::keyReuseAcrossDays()
{
    LOAD_MASTER(jun, "complete-2025-06-12.json.gz");
    LOAD_MASTER(dec, "complete-2025-12-09.json.gz");
    LOAD_MASTER(aug, "NSE-2026-08-21.json.gz");

    // The pinned example: the same key names unrelated contracts six months apart.
    const auto inJun = jun.snapshot->findByKey("NSE_FO|41915");
    const auto inDec = dec.snapshot->findByKey("NSE_FO|41915");
    QVERIFY(inJun.has_value());
    QVERIFY(inDec.has_value());
    QCOMPARE(qs(jun.snapshot->instrument(*inJun).tradingSymbol()),
             QStringLiteral("HDFCAMC 5450 CE 26 JUN 25"));
    QCOMPARE(qs(dec.snapshot->instrument(*inDec).tradingSymbol()),
             QStringLiteral("NIFTY 26250 CE 09 DEC 25"));
    QCOMPARE(qs(jun.snapshot->instrument(*inJun).underlyingSymbol()), QStringLiteral("HDFCAMC"));

    // Every NSE_FO key the two files share names a different trading symbol.
    const auto compare = [](const InstrumentSnapshot &a, const InstrumentSnapshot &b) {
        std::pair<std::int64_t, std::int64_t> commonAndDifferent{0, 0};
        for (InstrumentId id = 0; id < a.size(); ++id) {
            const InstrumentView v = a.instrument(id);
            if (v.segment() != Segment::NseFo)
                continue;
            if (const auto other = b.findByKey(v.instrumentKey())) {
                ++commonAndDifferent.first;
                if (b.instrument(*other).tradingSymbol() != v.tradingSymbol())
                    ++commonAndDifferent.second;
            }
        }
        return commonAndDifferent;
    };
    const auto junDec = compare(*jun.snapshot, *dec.snapshot);
    QCOMPARE(junDec.first, std::int64_t{10'661});
    QCOMPARE(junDec.second, std::int64_t{10'661});
    const auto decAug = compare(*dec.snapshot, *aug.snapshot);
    QCOMPARE(decAug.first, std::int64_t{11'205});
    QCOMPARE(decAug.second, std::int64_t{11'048});
}

void tst_RealMasters::lotChangeOfLongDatedContract()
{
    LOAD_MASTER(dec, "complete-2025-12-09.json.gz");
    LOAD_MASTER(aug, "NSE-2026-08-21.json.gz");

    // One contract, same key and symbol in both files, lot revised 75 -> 65 in between.
    const char *symbol = "NIFTY 30000 PE 27 JUN 28";
    const auto before = dec.snapshot->findBySymbol(Segment::NseFo, symbol);
    const auto after = aug.snapshot->findBySymbol(Segment::NseFo, symbol);
    QVERIFY(before.has_value());
    QVERIFY(after.has_value());
    const InstrumentView b = dec.snapshot->instrument(*before);
    const InstrumentView a = aug.snapshot->instrument(*after);
    QCOMPARE(qs(b.instrumentKey()), QStringLiteral("NSE_FO|35353"));
    QCOMPARE(qs(a.instrumentKey()), QStringLiteral("NSE_FO|35353"));
    QCOMPARE(isoDay(b.expiry()), QStringLiteral("2028-06-27"));
    QCOMPARE(a.expiry(), b.expiry());
    QCOMPARE(b.lotSize(), 75);
    QCOMPARE(b.freezeQuantity(), 1800);
    QCOMPARE(a.lotSize(), 65);
    QCOMPARE(a.freezeQuantity(), 1755);
    QCOMPARE(b.maxLotsPerOrder(), 24);
    QCOMPARE(a.maxLotsPerOrder(), 27);

    // All 161 NSE_FO contracts listed in both files changed lot (131 NIFTY, 30 BANKNIFTY);
    // 157 of them kept their key.
    std::int64_t inBoth = 0, lotChanged = 0, sameKey = 0;
    std::map<std::string, std::int64_t> byUnderlying;
    for (InstrumentId id = 0; id < aug.snapshot->size(); ++id) {
        const InstrumentView v = aug.snapshot->instrument(id);
        if (v.segment() != Segment::NseFo)
            continue;
        const auto old = dec.snapshot->findBySymbol(Segment::NseFo, v.tradingSymbol());
        if (!old)
            continue;
        ++inBoth;
        const InstrumentView o = dec.snapshot->instrument(*old);
        if (o.lotSize() != v.lotSize()) {
            ++lotChanged;
            ++byUnderlying[std::string(v.underlyingSymbol())];
        }
        sameKey += o.instrumentKey() == v.instrumentKey() ? 1 : 0;
    }
    QCOMPARE(inBoth, std::int64_t{161});
    QCOMPARE(lotChanged, std::int64_t{161});
    QCOMPARE(sameKey, std::int64_t{157});
    const std::map<std::string, std::int64_t> want = {{"NIFTY", 131}, {"BANKNIFTY", 30}};
    QVERIFY(byUnderlying == want);
}

void tst_RealMasters::niftyFpiIn2026()
{
    LOAD_MASTER(dec, "complete-2025-12-09.json.gz");
    LOAD_MASTER(aug, "NSE-2026-08-21.json.gz");

    QVERIFY(!dec.snapshot->findUnderlying("NIFTYFPI").has_value()); // new in 2026
    const InstrumentSnapshot &snap = *aug.snapshot;
    const auto fpi = snap.findUnderlying("NIFTYFPI");
    QVERIFY(fpi.has_value());
    QVERIFY(snap.underlyingSegment(*fpi) == Segment::NseFo);

    std::int64_t contracts = 0;
    for (InstrumentId id = 0; id < snap.size(); ++id) {
        const InstrumentView v = snap.instrument(id);
        if (v.underlying() != *fpi)
            continue;
        ++contracts;
        QCOMPARE(v.lotSize(), 1100);
        QCOMPARE(v.freezeQuantity(), 7700);
        QCOMPARE(v.maxLotsPerOrder(), 7);
        QVERIFY(v.tickSize() == Price::fromPaise(5));
        QCOMPARE(qs(v.underlyingKey()), QStringLiteral("NSE_INDEX|Nifty FPI 150"));
    }
    QCOMPARE(contracts, std::int64_t{369});

    const auto futures = snap.futures(*fpi);
    QCOMPARE(futures.size(), std::size_t{3});
    QCOMPARE(qs(snap.instrument(futures[0]).tradingSymbol()),
             QStringLiteral("NIFTYFPI FUT 25 AUG 26"));
    QCOMPARE(qs(snap.instrument(futures[0]).instrumentKey()), QStringLiteral("NSE_FO|35937"));
    QCOMPARE(qs(snap.instrument(futures[2]).tradingSymbol()),
             QStringLiteral("NIFTYFPI FUT 27 OCT 26"));

    const auto spot = snap.underlyingSpot(*fpi);
    QVERIFY(spot.has_value());
    QCOMPARE(qs(snap.instrument(*spot).instrumentKey()), QStringLiteral("NSE_INDEX|Nifty FPI 150"));
    QCOMPARE(qs(snap.instrument(*spot).tradingSymbol()), QStringLiteral("NIFTYFPI"));
    QCOMPARE(snap.instrument(*spot).exchangeToken(), 26137u);
}

QTEST_GUILESS_MAIN(tst_RealMasters)
#include "tst_realmasters.moc"
