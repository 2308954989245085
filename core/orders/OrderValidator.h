#pragma once

// Pre-trade checks: an order request against the contract's rules (from the in-memory
// instrument snapshot), the last price (when a market-data source knows one), the account's
// positions and margin (from RAM) and the clock. No database, no network, no allocation in the
// accepted case beyond the verdict's one slice. Rules and codes: docs/orders.md.

#include "Order.h"
#include "common/IstTime.h"
#include "common/Money.h"
#include "instruments/Instrument.h"

#include <string_view>

namespace strikeline {

class AccountView;
class InstrumentSnapshot;
class MarketData;

// Stable issue codes (docs/orders.md lists each with its meaning). Never renamed once released.
namespace issue {
inline constexpr std::string_view TradingHalted = "trading_halted"; // the kill switch is on
inline constexpr std::string_view UnknownInstrument = "unknown_instrument";
inline constexpr std::string_view NotTradable = "not_tradable";
inline constexpr std::string_view ContractExpired = "contract_expired";
inline constexpr std::string_view ClientOrderIdTooLong = "client_order_id_too_long";
inline constexpr std::string_view QtyNotPositive = "qty_not_positive";
inline constexpr std::string_view QtyNotLotMultiple = "qty_not_lot_multiple";
inline constexpr std::string_view TooManySlices = "too_many_slices";
inline constexpr std::string_view QtyTooLarge = "qty_too_large";     // above MaxOrderQuantity
inline constexpr std::string_view PriceTooLarge = "price_too_large"; // price or trigger
inline constexpr std::string_view OrderValueTooLarge = "order_value_too_large";
inline constexpr std::string_view PriceRequired = "price_required";
inline constexpr std::string_view PriceNotAllowed = "price_not_allowed";
inline constexpr std::string_view PriceNotPositive = "price_not_positive";
inline constexpr std::string_view PriceOffTick = "price_off_tick";
inline constexpr std::string_view TriggerRequired = "trigger_required";
inline constexpr std::string_view TriggerNotAllowed = "trigger_not_allowed";
inline constexpr std::string_view TriggerNotPositive = "trigger_not_positive";
inline constexpr std::string_view TriggerOffTick = "trigger_off_tick";
inline constexpr std::string_view LimitWrongSideOfTrigger = "limit_wrong_side_of_trigger";
inline constexpr std::string_view TriggerWrongSideOfLtp = "trigger_wrong_side_of_ltp";
inline constexpr std::string_view PriceOutsideCircuit = "price_outside_circuit";
inline constexpr std::string_view TriggerOutsideCircuit = "trigger_outside_circuit";
inline constexpr std::string_view PriceOutsideLpp = "price_outside_lpp"; // warning
inline constexpr std::string_view AfterMarket = "after_market";          // warning
inline constexpr std::string_view IocAfterMarket = "ioc_after_market";
inline constexpr std::string_view StopExceedsPosition = "stop_exceeds_position";
inline constexpr std::string_view PositionReversal = "position_reversal"; // warning
inline constexpr std::string_view InsufficientMargin = "insufficient_margin";
inline constexpr std::string_view MarginNotEstimated = "margin_not_estimated"; // warning
} // namespace issue

// A deliberately simple, clearly labelled margin *estimate* (not SPAN): the fraction of the
// notional value a new position blocks. Option buyers pay the premium instead.
struct MarginModel
{
    double indexDerivatives = 0.12;     // index futures and short index options (SPAN + exposure)
    double stockDerivatives = 0.20;     // stock futures and short stock options
    double commodityDerivatives = 0.10; // MCX / NSE_COM futures and short options
    double currencyDerivatives = 0.03;  // NCD / BCD futures and short options
    double equityIntraday = 0.20;       // cash equity, product I (5x)
    double equityDelivery = 1.00;       // cash equity, product D: the full value
};

struct ValidationLimits
{
    // A fat-finger guard on one request (all slices together); zero disables it.
    Money maxOrderValue = Money::fromRupees(5'00'00'000); // Rs 5 crore
    int maxSlices = 25;                                   // Upstox v3 auto-slice limit
    MarginModel margin;
};

// A segment's normal session in IST, as seconds since midnight, both ends inclusive.
struct TradingSession
{
    int openSecond = 0;
    int closeSecond = 0;
};
TradingSession tradingSession(Segment segment);
// Inside the segment's session on a weekday (exchange holidays are not known here).
bool isMarketOpen(Segment segment, IstMoment moment);
// The start of the segment's next session at or after `moment` (weekdays only; holidays are
// not known here): where an after-market order waits.
IstMoment nextSessionOpen(Segment segment, IstMoment moment);
// "after-market order: waits for the 09:15 IST open on Wed 10 Dec (NSE_FO)" (no day when it
// is today's open): how the book says an order is waiting for the market.
QString afterMarketNote(Segment segment, IstMoment moment);

class KillSwitch;

class OrderValidator final
{
public:
    explicit OrderValidator(const Clock &clock, ValidationLimits limits = {});

    // `market` and `account` are optional: without a quote the price-dependent checks (stop
    // side, circuit, protection) are skipped; without an account, the position and margin ones.
    Verdict validate(const OrderRequest &request, const InstrumentSnapshot &snapshot,
                     const MarketData *market = nullptr,
                     const AccountView *account = nullptr) const;

    const ValidationLimits &limits() const { return m_limits; }
    // While `killSwitch` is halted every order is refused (trading_halted) before any other
    // check. Null: no kill switch. It outlives the validator.
    void setKillSwitch(const KillSwitch *killSwitch) { m_killSwitch = killSwitch; }

private:
    const Clock &m_clock;
    ValidationLimits m_limits;
    const KillSwitch *m_killSwitch = nullptr;
};

} // namespace strikeline
