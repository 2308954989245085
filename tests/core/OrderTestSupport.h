#pragma once

// Small stand-ins for the order tests: a market with settable prices, a contract table and a
// validator that accepts (optionally slicing at a freeze quantity). The real validator and
// simulated market are other components; the order flow must not depend on them.

#include "common/IstTime.h"
#include "marketdata/MarketData.h"
#include "orders/OrderEvent.h"
#include "orders/OrderService.h"

#include <map>
#include <mutex>
#include <string>

namespace strikeline::ordertest {

class SettableMarket final : public MarketData
{
public:
    std::optional<Quote> quote(std::string_view instrumentKey) const override
    {
        std::lock_guard lock(m_mutex);
        const auto it = m_quotes.find(std::string(instrumentKey));
        if (it == m_quotes.end())
            return std::nullopt;
        return it->second;
    }
    // A last price alone, as the simulated market gives.
    void set(const std::string &key, Price last)
    {
        Quote q;
        q.last = last;
        q.simulated = true;
        std::lock_guard lock(m_mutex);
        m_quotes[key] = q;
    }
    // A last price with the best bid and ask, as a live feed gives.
    void setWithDepth(const std::string &key, Price last, Price bid, Price ask)
    {
        Quote q;
        q.last = last;
        q.bid = bid;
        q.ask = ask;
        q.bidQuantity = 75;
        q.askQuantity = 150;
        std::lock_guard lock(m_mutex);
        m_quotes[key] = q;
    }
    void clear(const std::string &key)
    {
        std::lock_guard lock(m_mutex);
        m_quotes.erase(key);
    }

private:
    mutable std::mutex m_mutex;
    std::map<std::string, Quote> m_quotes;
};

inline const std::string NiftyCall = "NSE_FO|41915";
inline const std::string NiftyFut = "NSE_FO|35001";
inline const std::string NoPriceKey = "NSE_FO|99999";
// MCX CRUDEOIL: quantity in lots, 1 lot = 100 barrels (lot_size 100, qty_multiplier 100).
inline const std::string CrudeFut = "MCX_FO|472789";

inline ContractIdentity contractFor(std::string_view key)
{
    ContractIdentity c;
    if (key == CrudeFut) {
        c.instrumentKey = std::string(key);
        c.segment = "MCX_FO";
        c.tradingSymbol = "CRUDEOIL FUT 19 DEC 25";
        c.optionType = "FUT";
        c.lotSize = 100;
        c.qtyMultiplier = 100;
        c.tickSize = Price::fromRupees(1);
        c.expiry = fromQDate(QDate(2025, 12, 19));
        return c;
    }
    c.instrumentKey = std::string(key);
    c.segment = "NSE_FO";
    c.lotSize = 75;
    c.tickSize = Price::fromPaise(5);
    c.expiry = fromQDate(QDate(2025, 12, 30));
    if (key == NiftyFut) {
        c.tradingSymbol = "NIFTY FUT 30 DEC 25";
        c.optionType = "FUT";
    } else {
        c.tradingSymbol = "NIFTY 26250 CE 30 DEC 25";
        c.optionType = "CE";
        c.strike = Price::fromRupees(26250);
    }
    return c;
}

inline ContractLookup testLookup()
{
    return [](std::string_view key) -> std::optional<ContractIdentity> {
        if (key == NiftyCall || key == NiftyFut || key == NoPriceKey || key == CrudeFut)
            return contractFor(key);
        return std::nullopt;
    };
}

// Accepts everything with a positive quantity (NSE: a multiple of the lot 75; MCX in lots);
// slices at `freeze` units when given.
inline ValidateOrder acceptingValidator(std::int64_t freeze = 0)
{
    return [freeze](const OrderRequest &r) {
        Verdict v;
        if (r.instrumentKey != CrudeFut && r.quantity % 75 != 0) {
            v.issues.push_back({"qty_not_lot_multiple", IssueSeverity::Error,
                                QStringLiteral("Quantity %1 is not a multiple of the lot size 75")
                                    .arg(r.quantity)});
            return v;
        }
        std::int64_t rest = r.quantity;
        while (rest > 0) {
            const std::int64_t part = freeze > 0 ? std::min(freeze, rest) : rest;
            v.slices.push_back(part);
            rest -= part;
        }
        return v;
    };
}

inline OrderRequest marketBuy(std::int64_t qty, std::string key = NiftyCall)
{
    OrderRequest r;
    r.instrumentKey = std::move(key);
    r.side = Side::Buy;
    r.type = OrderType::Market;
    r.product = Product::Intraday;
    r.quantity = qty;
    return r;
}

inline OrderRequest limitOrder(Side side, std::int64_t qty, Price limit,
                               std::string key = NiftyCall)
{
    OrderRequest r = marketBuy(qty, std::move(key));
    r.side = side;
    r.type = OrderType::Limit;
    r.price = limit;
    return r;
}

inline IstMoment tradingMoment()
{
    return IstMoment::fromDay(fromQDate(QDate(2025, 12, 9)), 10 * 60 + 30);
}

} // namespace strikeline::ordertest
