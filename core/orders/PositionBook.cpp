#include "PositionBook.h"

#include "marketdata/MarketData.h"
#include "orders/ContractValue.h"
#include "orders/OrderEvent.h"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <unordered_map>

namespace strikeline {

namespace {

// Rounds value / quantity to the nearest raw unit (half away from zero).
std::int64_t divideRounded(std::int64_t value, std::int64_t quantity)
{
    const std::int64_t q = value / quantity;
    const std::int64_t r = value % quantity;
    if (2 * std::llabs(r) >= quantity)
        return value < 0 ? q - 1 : q + 1;
    return q;
}

Money valueOf(Price price, std::int64_t quantity, std::int64_t multiplier)
{
    // Beyond int64 (9.2e14 rupees) no real position goes; clamp rather than wrap.
    return contractValue(price, quantity, multiplier)
        .value_or(Money::fromRaw((price.isNegative() != (quantity < 0))
                                     ? std::numeric_limits<std::int64_t>::min()
                                     : std::numeric_limits<std::int64_t>::max()));
}

} // namespace

void PositionBook::applyFill(const std::string &instrumentKey, Side side, std::int64_t quantity,
                             Price price, std::int64_t qtyMultiplier)
{
    if (quantity <= 0)
        return;
    auto it = m_books.find(instrumentKey);
    if (it == m_books.end())
        it = m_books.emplace(instrumentKey, Book{}).first;
    Book &book = it->second;
    if (qtyMultiplier > 0)
        book.qtyMultiplier = qtyMultiplier;
    const std::int64_t signedQty = side == Side::Buy ? quantity : -quantity;
    const std::int64_t p = price.raw();
    if (book.net == 0 || (book.net > 0) == (signedQty > 0)) {
        const std::int64_t net = book.net + signedQty;
        book.averageRaw =
            divideRounded(book.averageRaw * std::llabs(book.net) + p * quantity, std::llabs(net));
        book.net = net;
        return;
    }
    const std::int64_t closing = std::min<std::int64_t>(std::llabs(book.net), quantity);
    // Long closed by a sale: (sale - average); short closed by a purchase: (average - buy).
    const Price perUnit = Price::fromRaw(book.net > 0 ? p - book.averageRaw : book.averageRaw - p);
    if (book.qtyMultiplier > 0)
        book.realised += valueOf(perUnit, closing, book.qtyMultiplier);
    else
        book.realisedPerUnit += valueOf(perUnit, closing, 1);
    const std::int64_t rest = quantity - closing;
    book.net += book.net > 0 ? -closing : closing;
    if (book.net == 0)
        book.averageRaw = 0;
    if (rest > 0) {
        book.net = signedQty > 0 ? rest : -rest;
        book.averageRaw = p;
    }
}

void PositionBook::startDay()
{
    for (auto it = m_books.begin(); it != m_books.end();) {
        if (it->second.net == 0) {
            it = m_books.erase(it);
            continue;
        }
        it->second.realised = Money();
        it->second.realisedPerUnit = Money();
        ++it;
    }
}

void PositionBook::carryForward(const std::vector<OrderEvent> &earlierDays, EpochDay today,
                                Venue venue)
{
    struct Placed
    {
        OrderRequest request;
        ContractIdentity contract;
        bool sliced = false; // a parent: its children carry the fills
    };
    std::unordered_map<std::string, Placed> orders;
    for (const OrderEvent &e : earlierDays) {
        if (sequenceDay(e.sequence) >= today)
            continue; // a later day's journal, seen with the clock pinned (--at) in the past
        if (e.kind == OrderEventKind::Created) {
            if (e.venue == venue)
                orders[e.clientOrderId] = {e.request, e.contract, e.sliceCount > 0};
            continue;
        }
        if (e.kind != OrderEventKind::PartialFill && e.kind != OrderEventKind::Fill)
            continue;
        const auto it = orders.find(e.clientOrderId);
        if (it == orders.end() || it->second.sliced)
            continue;
        const Placed &o = it->second;
        const bool expired = o.contract.expiry != NoDay && o.contract.expiry < today;
        if (o.request.product != Product::Delivery || expired)
            continue;
        applyFill(o.request.instrumentKey, o.request.side, e.fillQuantity, e.fillPrice,
                  o.contract.qtyMultiplier);
    }
    startDay();
}

std::vector<Position>
PositionBook::positions(const MarketData *market,
                        const std::function<std::int64_t(std::string_view)> &multiplierFor) const
{
    std::vector<Position> out;
    out.reserve(m_books.size());
    for (const auto &[key, book] : m_books) {
        Position p;
        p.instrumentKey = key;
        p.netQuantity = book.net;
        std::int64_t multiplier = book.qtyMultiplier;
        if (multiplier <= 0 && multiplierFor)
            multiplier = multiplierFor(key);
        p.qtyMultiplier = valueMultiplier(multiplier);
        p.averagePrice = Price::fromRaw(book.averageRaw);
        p.realisedPnl = book.realised + book.realisedPerUnit * p.qtyMultiplier;
        if (const auto quote = market ? market->quote(key) : std::nullopt) {
            p.lastPrice = quote->last;
            p.lastPriceMs = quote->timeMs;
            p.lastPriceSimulated = quote->simulated;
            p.unrealisedPnl = valueOf(quote->last - p.averagePrice, book.net, p.qtyMultiplier);
        }
        out.push_back(std::move(p));
    }
    return out;
}

std::int64_t PositionBook::netQuantity(std::string_view instrumentKey) const
{
    const auto it = m_books.find(instrumentKey);
    return it == m_books.end() ? 0 : it->second.net;
}

} // namespace strikeline
