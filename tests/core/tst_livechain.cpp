// The live chain's numbers (core/analytics/LiveChain.h): IV and Greeks solved locally on the
// expiry's forward (checked against Black-76 priced here at a known volatility), the future
// first and put-call parity when the future is stale or missing, the ATM guard, change in OI
// against the previous close, staleness, totals and max pain over the full chain with the
// window's live OI laid over it, and a price below intrinsic answered with a reason, not NaN.

#include "analytics/Black76.h"
#include "analytics/LiveChain.h"

#include <QTest>

#include <cmath>
#include <map>

using namespace strikeline;
using marketdata::LiveQuote;

namespace {

constexpr double Sigma = 0.16;
constexpr double Forward = 24050;

// 2026-08-21 10:00 IST; the expiry 2026-08-27 closes at 15:30.
const IstMoment Now = parseIstMoment(QStringLiteral("2026-08-21 10:00")).value();
const EpochDay Expiry = parseIstMoment(QStringLiteral("2026-08-27")).value().day();

struct Market
{
    std::map<std::string, LiveQuote> quotes;

    void set(const std::string &key, double ltp, std::int64_t receivedMs = Now.epochMs,
             std::optional<std::int64_t> oi = std::nullopt, double close = 0)
    {
        LiveQuote q;
        q.fields = LiveQuote::Ltp;
        q.ltp = Price::fromRaw(std::llround(ltp * Price::Scale));
        q.receivedNs = receivedMs * 1'000'000;
        q.version = 2;
        if (oi) {
            q.fields |= LiveQuote::Oi;
            q.oi = *oi;
        }
        if (close > 0) {
            q.fields |= LiveQuote::Close;
            q.close = Price::fromRaw(std::llround(close * Price::Scale));
        }
        quotes[key] = q;
    }
};

double years()
{
    return yearsToExpiry(Expiry, expiryCloseMinute(Segment::NseFo), Now);
}

double priceAt(OptionRight right, double strike)
{
    // Rounded to the paisa, as a feed sends it.
    return std::round(black76Price(right, {Forward, strike, years(), Sigma, 0}) * 100) / 100;
}

LiveChainInput inputFor(Market &market)
{
    LiveChainInput input;
    input.expiry = Expiry;
    input.futureKey = "FUT";
    input.underlyingKey = "IDX";
    for (int strike = 23800; strike <= 24300; strike += 50) {
        const std::string s = std::to_string(strike);
        input.rows.push_back({Price::fromRupees(strike), "CE" + s, "PE" + s});
        market.set("CE" + s, priceAt(OptionRight::Call, strike), Now.epochMs, 1000 + strike / 10);
        market.set("PE" + s, priceAt(OptionRight::Put, strike), Now.epochMs, 2000 + strike / 10);
    }
    market.set("FUT", Forward);
    market.set("IDX", 24000, Now.epochMs, std::nullopt, 23900);
    input.quote = [&market](const std::string &key) -> std::optional<LiveQuote> {
        const auto it = market.quotes.find(key);
        return it == market.quotes.end() ? std::nullopt : std::optional(it->second);
    };
    return input;
}

const LiveStrike &rowAt(const LiveChain &chain, int strike)
{
    for (const LiveStrike &row : chain.rows)
        if (row.strike == Price::fromRupees(strike))
            return row;
    qFatal("no row %d", strike);
}

} // namespace

class tst_LiveChain final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void ivAndGreeksOnTheFuture();
    void parityWhenTheFutureIsStale();
    void atmGuardKeepsTheChainWhereItIs();
    void oiChangeAndPriceChange();
    void belowIntrinsicHasAReason();
    void staleAndUnquotedLegs();
    void totalsOverTheFullChain();
};

void tst_LiveChain::ivAndGreeksOnTheFuture()
{
    Market market;
    const LiveChainInput input = inputFor(market);
    const LiveChain chain = computeLiveChain(input, Now);
    QVERIFY(chain.forward);
    QCOMPARE(chain.forward->source, ForwardEstimate::Source::Future);
    QCOMPARE(chain.forward->forward, Forward);
    QCOMPARE(chain.atm.strike, std::optional(24050.0));
    QCOMPARE(chain.quotedLegs, 22);
    QCOMPARE(chain.listedLegs, 22);
    QCOMPARE(chain.underlying, std::optional(Price::fromRupees(24000)));

    const LiveStrike &atm = rowAt(chain, 24050);
    QVERIFY2(atm.call.iv, qPrintable(atm.call.ivProblem));
    QVERIFY(std::abs(*atm.call.iv - Sigma * 100) < 0.05); // paisa rounding moves IV a little
    QVERIFY(std::abs(*atm.put.iv - Sigma * 100) < 0.05);
    const Greeks expected =
        black76Greeks(OptionRight::Call, {Forward, 24050, years(), Sigma, 0}, 365.0);
    QVERIFY(std::abs(*atm.call.delta - expected.delta) < 1e-3);
    QVERIFY(std::abs(*atm.call.gamma - expected.gamma) < 1e-5);
    QVERIFY(std::abs(*atm.call.theta - expected.theta) < 0.05);
    QVERIFY(std::abs(*atm.call.vega - expected.vega) < 0.05);
    QVERIFY(*atm.put.delta < 0);
    QVERIFY(atm.call.ivProblem.isEmpty());

    // A trading-day basis changes theta's unit, not IV's meaning.
    LiveChainInput trading = input;
    trading.basis = TimeBasis::trading();
    const LiveChain t = computeLiveChain(trading, Now);
    QVERIFY(rowAt(t, 24050).call.iv);
    QVERIFY(t.years < chain.years); // a weekend does not pass in trading time
}

void tst_LiveChain::parityWhenTheFutureIsStale()
{
    Market market;
    LiveChainInput input = inputFor(market);
    market.set("FUT", Forward, Now.epochMs - 10 * 60'000); // ten minutes old
    const LiveChain chain = computeLiveChain(input, Now);
    QVERIFY(chain.forward);
    QCOMPARE(chain.forward->source, ForwardEstimate::Source::Synthetic);
    QVERIFY(std::abs(chain.forward->forward - Forward) < 1.0);
    QCOMPARE(chain.atm.strike, std::optional(24050.0));
    QVERIFY(rowAt(chain, 24000).call.iv);
    // No future listed at all (a stock with no future of this expiry): parity too.
    input.futureKey.clear();
    QCOMPARE(computeLiveChain(input, Now).forward->source, ForwardEstimate::Source::Synthetic);
}

void tst_LiveChain::atmGuardKeepsTheChainWhereItIs()
{
    Market market;
    LiveChainInput input = inputFor(market);
    input.currentAtm = 24100;
    // The future prints far outside the chain (a bad tick, a wrong underlying): refused.
    market.set("FUT", 2405);
    LiveChain chain = computeLiveChain(input, Now);
    QCOMPARE(chain.atm.problem, AtmProblem::OutsideStrikes);
    QCOMPARE(chain.atm.strike, std::optional(24100.0)); // kept
    // Nothing fresh at all (a holiday: every tick an hour old): the chain stays put.
    for (auto &[key, q] : market.quotes)
        q.receivedNs = (Now.epochMs - 3'600'000) * 1'000'000;
    chain = computeLiveChain(input, Now);
    QCOMPARE(chain.atm.strike, std::optional(24100.0));
    QVERIFY(chain.atm.problem != AtmProblem::None);
}

void tst_LiveChain::oiChangeAndPriceChange()
{
    Market market;
    LiveChainInput input = inputFor(market);
    input.previousOi = [](const std::string &key) -> std::optional<std::int64_t> {
        if (key == "CE24000")
            return 3000;
        return std::nullopt;
    };
    market.set("CE24000", 150.5, Now.epochMs, 3400, 140);
    const LiveChain chain = computeLiveChain(input, Now);
    const LiveLeg &call = rowAt(chain, 24000).call;
    QCOMPARE(call.oi, std::optional<std::int64_t>(3400));
    QCOMPARE(call.oiChange, std::optional<std::int64_t>(400));
    QCOMPARE(call.change, std::optional(Price::parse("10.5").value()));
    QVERIFY(std::abs(*call.changePercent - 7.5) < 1e-9);
    QVERIFY(!rowAt(chain, 24000).put.oiChange); // no previous OI: absent, not the OI itself
    QVERIFY(!rowAt(chain, 24000).put.change);   // no previous close
    QVERIFY(rowAt(chain, 24000).pcr);
}

void tst_LiveChain::belowIntrinsicHasAReason()
{
    Market market;
    const LiveChainInput input = inputFor(market);
    market.set("CE23800", 100); // intrinsic is 250 on a forward of 24050
    const LiveChain chain = computeLiveChain(input, Now);
    const LiveLeg &call = rowAt(chain, 23800).call;
    QVERIFY(!call.iv);
    QVERIFY(!call.delta);
    QVERIFY2(call.ivProblem.contains(QLatin1String("intrinsic")), qPrintable(call.ivProblem));
    QVERIFY(call.ltp); // the price is still shown
}

void tst_LiveChain::staleAndUnquotedLegs()
{
    Market market;
    LiveChainInput input = inputFor(market);
    market.quotes.erase("PE24300");
    market.set("CE24300", priceAt(OptionRight::Call, 24300), Now.epochMs - 120'000);
    input.rows.push_back({Price::fromRupees(24350), "CE24350", ""}); // a side not listed
    const LiveChain chain = computeLiveChain(input, Now);
    QVERIFY(rowAt(chain, 24300).call.stale);
    QVERIFY(!rowAt(chain, 24300).put.quoted);
    QVERIFY(rowAt(chain, 24300).put.ivProblem.isEmpty()); // no price: nothing to explain
    QVERIFY(!rowAt(chain, 24350).put.listed());
    QVERIFY(!rowAt(chain, 24050).call.stale);
    QCOMPARE(chain.listedLegs, 23);
    QCOMPARE(chain.quotedLegs, 21);
    QCOMPARE(chain.newestTickMs, Now.epochMs);
}

void tst_LiveChain::totalsOverTheFullChain()
{
    Market market;
    LiveChainInput input = inputFor(market);
    // The full expiry from REST: the window's strikes and far strikes with big put OI.
    for (int strike = 23000; strike <= 25000; strike += 50)
        input.fullChain.push_back(
            {double(strike), std::nullopt, std::nullopt, 100, strike < 23500 ? 50000 : 100});
    const LiveChain chain = computeLiveChain(input, Now);
    QVERIFY(chain.fullChain);
    std::vector<ChainStrike> expected = input.fullChain;
    for (ChainStrike &s : expected) {
        if (s.strike >= 23800 && s.strike <= 24300) { // the window's live OI wins
            s.callOi = 1000 + static_cast<std::int64_t>(s.strike) / 10;
            s.putOi = 2000 + static_cast<std::int64_t>(s.strike) / 10;
        }
    }
    const ChainTotals totals = chainTotals(expected);
    QCOMPARE(chain.totals.callOi, totals.callOi);
    QCOMPARE(chain.totals.putOi, totals.putOi);
    QCOMPARE(chain.totals.maxPain, totals.maxPain);
    QVERIFY(chain.totals.pcr);
    // Without the full chain, the window's totals, said so.
    input.fullChain.clear();
    const LiveChain window = computeLiveChain(input, Now);
    QVERIFY(!window.fullChain);
    QVERIFY(window.totals.callOi < chain.totals.callOi);
}

QTEST_GUILESS_MAIN(tst_LiveChain)
#include "tst_livechain.moc"
