#pragma once

#include "common/IstTime.h"
#include "common/Price.h"

#include <QString>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace strikeline {

// Upstox's segments. The numeric order is the tie-break order in search (NSE before BSE, the
// exchange-traded F&O segments before commodity and currency ones).
enum class Segment : std::uint8_t {
    NseEq,
    NseIndex,
    NseFo,
    BseEq,
    BseIndex,
    BseFo,
    McxFo,
    McxIndex,
    NseCom,
    NcdFo,
    BcdFo,
    GlobalIndex,
    GlobalIndicator,
};
inline constexpr int SegmentCount = 13;

std::string_view segmentName(Segment segment);              // "NSE_FO"
std::optional<Segment> parseSegment(std::string_view name); // "NSE_FO" -> Segment::NseFo
bool isDerivativeSegment(Segment segment);                  // *_FO, NSE_COM
bool isIndexSegment(Segment segment);                       // *_INDEX, GLOBAL_*

// What a contract is, normalised across segments and file formats.
enum class InstrumentKind : std::uint8_t {
    Equity, // NSE_EQ/BSE_EQ rows (any series code: EQ, BE, A, ...)
    Index,  // *_INDEX rows: not tradable, but the underlying of index F&O
    Future, // FUT
    Call,   // CE
    Put,    // PE
    Spot,   // NSE_COM 'COM' rows: a commodity's spot reference
};

std::string_view kindName(InstrumentKind kind); // "FUT", "CE", "PE", "EQ", "INDEX", "COM"
inline constexpr bool isOption(InstrumentKind k)
{
    return k == InstrumentKind::Call || k == InstrumentKind::Put;
}
inline constexpr bool isDerivative(InstrumentKind k)
{
    return k == InstrumentKind::Future || isOption(k);
}

// Upstox takes F&O quantities in units (a multiple of the lot), but MCX quantities in lots;
// the master's freeze_quantity follows the same unit (MCX SILVER: lot 30, freeze 20 = 20 lots).
enum class QuantityUnit : std::uint8_t { Units, Lots };
inline constexpr QuantityUnit quantityUnitFor(Segment s)
{
    return s == Segment::McxFo ? QuantityUnit::Lots : QuantityUnit::Units;
}

// One contract, normalised: the reader's output and the database's row. Owns its strings.
// Everything derived (root, expiry date, weekly, tick in rupees) is computed once, by the reader.
struct InstrumentRecord
{
    std::string instrumentKey;       // "NSE_FO|41915": unique within one day's master only
    std::string tradingSymbol;       // "NIFTY 26250 CE 09 DEC 25"
    std::string name;                // "NIFTY", "RELIANCE INDUSTRIES LTD"
    std::string underlyingSymbol;    // root: "NIFTY"; for equities and indices their own symbol
    std::string underlyingKey;       // "NSE_INDEX|Nifty 50"; empty where the master has none
    std::string typeCode;            // the master's instrument_type verbatim: "CE", "EQ", "A", ...
    std::uint32_t exchangeToken = 0; // 0 where the master has none (GLOBAL rows)
    Segment segment = Segment::NseEq;
    InstrumentKind kind = InstrumentKind::Equity;
    bool weekly = false;             // a non-monthly expiry
    EpochDay expiry = NoDay;         // IST date of expiry (the master's 23:59:59 IST)
    Price strike;                    // zero for non-options
    Price tickSize;                  // rupees; zero for indices (not tradable)
    std::int32_t lotSize = 0;        // units per lot; zero for indices
    std::int32_t freezeQuantity = 0; // max per order in QuantityUnit; 0 = unknown (CSV)
    std::int32_t qtyMultiplier = 1;  // value factor: price x qty x this (orders/ContractValue.h)

    QuantityUnit quantityUnit() const { return quantityUnitFor(segment); }
    // How many lots one order may carry without slicing; 0 when the freeze is unknown.
    std::int32_t maxLotsPerOrder() const;
    bool operator==(const InstrumentRecord &) const = default;
};

// Days to expiry as a trader counts them: 0 on expiry day, negative once expired.
inline int daysToExpiry(EpochDay expiry, EpochDay today)
{
    return expiry == NoDay ? 0 : expiry - today;
}

} // namespace strikeline
