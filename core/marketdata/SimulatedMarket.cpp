#include "SimulatedMarket.h"

#include "analytics/Black76.h"
#include "instruments/InstrumentRepository.h"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace strikeline {

namespace {

constexpr double MsPerYear = 365.0 * 86400.0 * 1000.0;
// Seconds the market trades in a year (252 days of 6h15m): the walk's volatility clock.
constexpr double TradingSecondsPerYear = 252.0 * 6.25 * 3600.0;
constexpr int ExpiryMinuteOfDay = 15 * 60 + 30;

std::string upperCase(std::string_view text)
{
    std::string out(text);
    for (char &c : out)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

// The nearest multiple of tick; a live contract never trades below one tick.
Price toTick(double rupees, Price tick, bool atLeastOneTick)
{
    std::int64_t ticks = std::llround(rupees * Price::Scale / static_cast<double>(tick.raw()));
    if (atLeastOneTick)
        ticks = std::max<std::int64_t>(ticks, 1);
    return Price::fromRaw(ticks * tick.raw());
}

// Debian's abseil has its own string_view type.
absl::string_view abslView(std::string_view text)
{
    return {text.data(), text.size()};
}

} // namespace

SimulatedMarket::SimulatedMarket(const InstrumentRepository &repository, const Clock &clock,
                                 SimulationParams params)
    : m_repository(repository)
    , m_clock(clock)
    , m_params(params)
    , m_random(params.seed)
{
    auto state = std::make_shared<State>();
    state->optionVolatility = params.optionVolatility;
    state->carryRate = params.carryRate;
    addMissingLevels(*state, *repository.snapshot(), clock.now().day());
    m_state.store(std::move(state), std::memory_order_release);
}

SimulatedMarket::~SimulatedMarket() = default;

std::optional<double> SimulatedMarket::defaultLevel(const InstrumentSnapshot &snapshot,
                                                    std::string_view symbol, EpochDay today)
{
    const std::optional<UnderlyingId> underlying = snapshot.findUnderlying(symbol);
    if (!underlying)
        return std::nullopt;
    ChainRequest request;
    request.underlying = *underlying;
    request.today = today;
    const Result<OptionChain> chain = snapshot.chain(request);
    if (!chain || !chain->referenceStrike.isPositive())
        return std::nullopt;
    return chain->referenceStrike.toDouble();
}

std::optional<SimulatedMarket::Level> SimulatedMarket::levelFor(const State &state,
                                                                const InstrumentSnapshot &snapshot,
                                                                std::string_view symbol,
                                                                EpochDay today) const
{
    Level level;
    if (const auto it = state.index.find(abslView(symbol)); it != state.index.end()) {
        level = state.levels[it->second].second;
    } else {
        const std::optional<double> fallback = defaultLevel(snapshot, symbol, today);
        if (!fallback)
            return std::nullopt;
        level.anchor = level.current = level.dayOpen = *fallback;
        level.openDay = today;
    }
    if (level.openDay != today) // the walk has not been advanced into today yet
        level.dayOpen = level.current;
    return level;
}

std::optional<Quote> SimulatedMarket::quote(std::string_view instrumentKey) const
{
    const SnapshotPtr snapshot = m_repository.snapshot();
    const std::optional<InstrumentId> id = snapshot->findByKey(instrumentKey);
    if (!id)
        return std::nullopt;
    const InstrumentView contract = snapshot->instrument(*id);
    const IstMoment now = m_clock.now();
    const EpochDay today = now.day();
    if (contract.isExpiredAt(today))
        return std::nullopt;
    const StatePtr state = m_state.load(std::memory_order_acquire);
    const std::optional<Level> level =
        levelFor(*state, *snapshot, contract.underlyingSymbol(), today);
    if (!level)
        return std::nullopt;

    const InstrumentKind kind = contract.kind();
    const double years =
        contract.expiry() == NoDay
            ? 0.0
            : std::max(0.0, static_cast<double>(
                                IstMoment::fromDay(contract.expiry(), ExpiryMinuteOfDay).epochMs -
                                now.epochMs) /
                                MsPerYear);
    const double carry = std::exp(state->carryRate * years);
    const double strike = contract.strike().toDouble();
    auto priceAt = [&](double underlying) {
        if (kind == InstrumentKind::Future)
            return underlying * carry;
        if (isOption(kind)) {
            Black76Input in;
            in.forward = underlying * carry;
            in.strike = strike;
            in.years = years;
            in.volatility = state->optionVolatility;
            in.rate = state->carryRate;
            return black76Price(kind == InstrumentKind::Call ? OptionRight::Call : OptionRight::Put,
                                in);
        }
        return underlying;
    };
    const Price tick = contract.tickSize().isPositive() ? contract.tickSize() : Price::fromPaise(1);

    Quote q;
    q.last = toTick(priceAt(level->current), tick, true);
    q.previousClose = toTick(priceAt(level->dayOpen), tick, true);
    if (kind == InstrumentKind::Future && m_params.futuresBand > 0) {
        const double base = q.previousClose.toDouble();
        q.lowerCircuit = toTick(base * (1 - m_params.futuresBand), tick, true);
        q.upperCircuit = toTick(base * (1 + m_params.futuresBand), tick, true);
        // Keep the band inside +- the fraction after rounding.
        if (q.lowerCircuit->toDouble() < base * (1 - m_params.futuresBand))
            *q.lowerCircuit = *q.lowerCircuit + tick;
        if (q.upperCircuit->toDouble() > base * (1 + m_params.futuresBand))
            *q.upperCircuit = *q.upperCircuit - tick;
    }
    q.timeMs = now.epochMs;
    q.simulated = true;
    return q;
}

std::optional<Price> SimulatedMarket::underlyingPrice(std::string_view symbol) const
{
    const SnapshotPtr snapshot = m_repository.snapshot();
    const StatePtr state = m_state.load(std::memory_order_acquire);
    const std::string upper = upperCase(symbol);
    const std::optional<Level> level = levelFor(*state, *snapshot, upper, m_clock.now().day());
    if (!level)
        return std::nullopt;
    return toTick(level->current, Price::fromPaise(1), true);
}

void SimulatedMarket::addMissingLevels(State &state, const InstrumentSnapshot &snapshot,
                                       EpochDay today)
{
    // Every underlying of the snapshot gets a level, so all of them move and quote() finds
    // them in the table instead of looking the default up each time.
    bool added = false;
    for (UnderlyingId u = 0; u < snapshot.underlyingCount(); ++u) {
        const std::string_view symbol = snapshot.underlyingSymbol(u);
        if (state.index.contains(abslView(symbol)))
            continue;
        const std::optional<double> fallback = defaultLevel(snapshot, symbol, today);
        if (!fallback)
            continue;
        Level level;
        level.anchor = level.current = level.dayOpen = *fallback;
        level.openDay = today;
        state.index.emplace(std::string(symbol), 0); // placeholder; reindexed below
        state.levels.emplace_back(std::string(symbol), level);
        added = true;
    }
    if (!added)
        return;
    std::sort(state.levels.begin(), state.levels.end(),
              [](const auto &a, const auto &b) { return a.first < b.first; });
    state.index.clear();
    for (std::uint32_t i = 0; i < state.levels.size(); ++i)
        state.index.emplace(state.levels[i].first, i);
}

template<typename Change>
void SimulatedMarket::update(Change &&change)
{
    std::lock_guard lock(m_writeMutex);
    auto next = std::make_shared<State>(*m_state.load(std::memory_order_acquire));
    change(*next);
    m_state.store(std::move(next), std::memory_order_release);
}

void SimulatedMarket::setUnderlyingPrice(std::string_view symbol, Price price)
{
    const std::string upper = upperCase(symbol);
    const EpochDay today = m_clock.now().day();
    const SnapshotPtr snapshot = m_repository.snapshot();
    update([&](State &state) {
        const auto it = state.index.find(upper);
        if (!price.isPositive()) {
            if (it == state.index.end())
                return;
            // Back to the default: the level reverts to the chain's median strike.
            Level &level = state.levels[it->second].second;
            const std::optional<double> fallback = defaultLevel(*snapshot, upper, today);
            level.set = false;
            if (fallback)
                level.anchor = *fallback;
            return;
        }
        Level level;
        level.anchor = level.current = level.dayOpen = price.toDouble();
        level.openDay = today;
        level.set = true;
        if (it != state.index.end()) {
            state.levels[it->second].second = level;
            return;
        }
        state.levels.emplace_back(upper, level);
        std::sort(state.levels.begin(), state.levels.end(),
                  [](const auto &a, const auto &b) { return a.first < b.first; });
        state.index.clear();
        for (std::uint32_t i = 0; i < state.levels.size(); ++i)
            state.index.emplace(state.levels[i].first, i);
    });
}

void SimulatedMarket::setOptionVolatility(double volatility)
{
    update([volatility](State &state) { state.optionVolatility = std::max(volatility, 0.0); });
}

void SimulatedMarket::setCarryRate(double rate)
{
    update([rate](State &state) { state.carryRate = rate; });
}

double SimulatedMarket::optionVolatility() const
{
    return m_state.load(std::memory_order_acquire)->optionVolatility;
}

double SimulatedMarket::carryRate() const
{
    return m_state.load(std::memory_order_acquire)->carryRate;
}

void SimulatedMarket::advance(std::int64_t elapsedMs)
{
    if (elapsedMs <= 0)
        return;
    const SnapshotPtr snapshot = m_repository.snapshot();
    const EpochDay today = m_clock.now().day();
    update([&](State &state) {
        addMissingLevels(state, *snapshot, today);

        // Ornstein-Uhlenbeck on log(level / anchor), sampled exactly over the step.
        const double dt = static_cast<double>(elapsedMs) / 1000.0;
        const double kappa = std::log(2.0) / std::max(m_params.reversionHalfLifeSeconds, 1.0);
        const double sigma = m_params.walkVolatility / std::sqrt(TradingSecondsPerYear);
        const double decay = std::exp(-kappa * dt);
        const double stepStdDev = sigma * std::sqrt((1.0 - decay * decay) / (2.0 * kappa));
        std::normal_distribution<double> normal(0.0, 1.0);
        for (auto &[symbol, level] : state.levels) {
            if (level.openDay != today) {
                level.dayOpen = level.current;
                level.openDay = today;
            }
            const double x = std::log(level.current / level.anchor);
            level.current = level.anchor * std::exp(x * decay + stepStdDev * normal(m_random));
        }
    });
}

} // namespace strikeline
