#pragma once

// The one place the simulator keeps what its SimulatedMarket does not model, per instrument:
// traded volume and turnover, open interest and yesterday's (prev_oi), the book (thirty levels
// a side with quantities and order counts, total buy and sell quantity), the day's and the
// minute's OHLC and, for options, the greeks and IV of the traded price. The feed's tape steps
// it (a trade, a quote change); the REST side (SimMarketView: quotes, LTP, option greeks, the
// option chain) reads the same books. So the feed and REST agree on OI, volume and depth at
// the same simulated moment, whichever the client asks first.
//
// A book is made on first use from --seed, the key and the simulated clock alone (so it does
// not depend on which keys were asked for before it) and is remade when the simulated day
// changes. prev_oi is fixed for the day (seed, key and day); OI moves on trades, slowly, and
// stays within +-30 % of it. A book nobody steps (a key no feed subscribes) catches up when it
// is read during its segment's session: the steps it missed since it was last touched (one per
// 250 ms, at most a minute's worth), so REST answers keep moving without a feed.
//
// Not thread-safe: it lives on the simulator's one thread, with everything that reads it.

#include "common/IstTime.h"
#include "instruments/Instrument.h"

#include <array>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>

namespace strikeline {
class Clock;
class InstrumentRepository;
class SimulatedMarket;
} // namespace strikeline

namespace strikeline::sim {

// A segment's session status, as the feed's market_info names them.
enum class SessionStatus {
    PreOpenStart,
    PreOpenEnd,
    NormalOpen,
    ClosingStart,
    ClosingEnd,
    NormalClose
};

// The IST session rules (upstox-reference.md §3.10, §4.1) for "NSE_FO", "MCX_FO", ...; holidays
// are not known: every weekday trades. NormalClose for unknown names.
SessionStatus sessionStatus(std::string_view segment, IstMoment now);

// What happened to an instrument in one step.
enum class TapeEvent { None, Trade, Quote };

struct BookLevel
{
    double price = 0; // on the tick; 0: an empty level
    std::int64_t quantity = 0;
    int orders = 0;
};

struct MinuteBar
{
    std::int64_t startMs = 0;
    double open = 0, high = 0, low = 0, close = 0;
    std::int64_t volume = 0;
};

struct InstrumentBook
{
    static constexpr int DepthLevels = 5;
    static constexpr int DeepDepthLevels = 30;

    std::string key;
    std::string underlying;
    std::string segment;
    InstrumentKind kind = InstrumentKind::Equity;
    double strike = 0;
    EpochDay expiry = NoDay;
    double tick = 0.05;
    std::int64_t lot = 1;

    double ltp = 0; // the market's price, held inside the circuit band
    double cp = 0;
    std::int64_t ltt = 0;
    std::int64_t ltq = 0;
    double lowerCircuit = 0; // 0: none
    double upperCircuit = 0;

    double dayOpen = 0, dayHigh = 0, dayLow = 0;
    std::int64_t dayStartMs = 0;
    MinuteBar bar, previousBar;

    std::int64_t vtt = 0; // volume traded today, units
    double turnover = 0;
    std::int64_t oi = 0; // units, as Upstox
    std::int64_t prevOi = 0;
    std::int64_t oiDayHigh = 0, oiDayLow = 0;
    bool oiChanged = false; // by the last step
    std::array<BookLevel, DeepDepthLevels> bids{}, asks{};
    double tbq = 0, tsq = 0;

    double delta = 0, gamma = 0, theta = 0, vega = 0, rho = 0, iv = 0; // iv a fraction

    std::int64_t touchedMs = 0; // simulated time of the last step (or of the making)

    bool isIndex() const { return kind == InstrumentKind::Index; }
    bool hasBook() const { return !isIndex(); }
    bool hasOi() const { return isDerivative(kind); }
    double averagePrice() const { return vtt > 0 ? turnover / static_cast<double>(vtt) : 0.0; }
};

class SimMarketState final
{
public:
    SimMarketState(const InstrumentRepository &instruments, const SimulatedMarket &market,
                   const Clock &clock, std::uint64_t seed);
    ~SimMarketState();
    SimMarketState(const SimMarketState &) = delete;
    SimMarketState &operator=(const SimMarketState &) = delete;

    const SimulatedMarket &market() const { return m_market; }
    const Clock &clock() const { return m_clock; }

    // Whether the key has a book (a live contract of the current master that the market prices).
    bool knows(std::string_view instrumentKey) const;
    // Whether the key's segment is in its normal session now.
    bool isOpen(std::string_view instrumentKey) const;

    // The book as of now (made on first use, caught up if nobody stepped it), or null for a key
    // the market does not price.
    const InstrumentBook *read(const std::string &instrumentKey);
    // Moves the book one step: a trade, a quote change or (unless `forceActivity`) nothing.
    TapeEvent step(const std::string &instrumentKey, bool forceActivity = false);
    // The book as the last step left it, without making or catching up; null if none yet.
    const InstrumentBook *find(const std::string &instrumentKey) const;

private:
    InstrumentBook *bookFor(const std::string &instrumentKey);
    // Catching up: volume and OI only (the caller refreshes the price and the book once).
    TapeEvent stepBook(InstrumentBook &book, bool forceActivity, bool catchingUp);
    void catchUp(InstrumentBook &book);
    void refreshPrice(InstrumentBook &book, bool trade) const;
    void rebuildDepth(InstrumentBook &book);
    void jiggleDepth(InstrumentBook &book);
    void moveOi(InstrumentBook &book);

    const InstrumentRepository &m_instruments;
    const SimulatedMarket &m_market;
    const Clock &m_clock;
    std::uint64_t m_seed;
    std::mt19937_64 m_random;
    std::unordered_map<std::string, std::unique_ptr<InstrumentBook>> m_books;
};

} // namespace strikeline::sim
