#pragma once

// Hand-made instrument records for tests that need a universe they fully control.

#include "instruments/Instrument.h"

#include <QDate>

#include <string>

namespace strikeline::testing {

inline EpochDay day(int y, int m, int d)
{
    return fromQDate(QDate(y, m, d));
}

inline std::string monthCode(EpochDay e)
{
    static const char *const months[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                         "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
    const QDate d = toQDate(e);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02d %s %02d", d.day(), months[d.month() - 1], d.year() % 100);
    return buf;
}

class RecordFactory
{
public:
    InstrumentRecord index(const std::string &symbol, const std::string &key,
                           const std::string &name, Segment segment = Segment::NseIndex)
    {
        InstrumentRecord r;
        r.instrumentKey = key;
        r.tradingSymbol = symbol;
        r.name = name;
        r.underlyingSymbol = symbol;
        r.typeCode = "INDEX";
        r.segment = segment;
        r.kind = InstrumentKind::Index;
        r.exchangeToken = ++m_token;
        return r;
    }

    InstrumentRecord equity(const std::string &symbol, const std::string &name,
                            Segment segment = Segment::NseEq)
    {
        InstrumentRecord r;
        r.instrumentKey = std::string(segmentName(segment)) + "|INE" + std::to_string(++m_token);
        r.tradingSymbol = symbol;
        r.name = name;
        r.underlyingSymbol = symbol;
        r.typeCode = "EQ";
        r.segment = segment;
        r.kind = InstrumentKind::Equity;
        r.exchangeToken = m_token;
        r.lotSize = 1;
        r.tickSize = *Price::parse("0.05");
        r.freezeQuantity = 100000;
        return r;
    }

    InstrumentRecord future(const std::string &root, EpochDay expiry, int lot,
                            Segment segment = Segment::NseFo, const std::string &underlyingKey = {})
    {
        InstrumentRecord r = derivative(root, expiry, lot, segment, underlyingKey);
        r.kind = InstrumentKind::Future;
        r.typeCode = "FUT";
        r.tradingSymbol = root + " FUT " + monthCode(expiry);
        r.tickSize = *Price::parse("0.10");
        return r;
    }

    InstrumentRecord option(const std::string &root, EpochDay expiry, const std::string &strike,
                            bool call, int lot, bool weekly = false,
                            Segment segment = Segment::NseFo, const std::string &underlyingKey = {})
    {
        InstrumentRecord r = derivative(root, expiry, lot, segment, underlyingKey);
        r.kind = call ? InstrumentKind::Call : InstrumentKind::Put;
        r.typeCode = call ? "CE" : "PE";
        r.strike = *Price::parse(strike);
        r.weekly = weekly;
        r.tradingSymbol = root + " " + strike + (call ? " CE " : " PE ") + monthCode(expiry);
        r.tickSize = *Price::parse("0.05");
        return r;
    }

private:
    InstrumentRecord derivative(const std::string &root, EpochDay expiry, int lot, Segment segment,
                                const std::string &underlyingKey)
    {
        InstrumentRecord r;
        r.exchangeToken = ++m_token;
        r.instrumentKey = std::string(segmentName(segment)) + "|" + std::to_string(m_token);
        r.name = root;
        r.underlyingSymbol = root;
        r.underlyingKey = underlyingKey;
        r.segment = segment;
        r.expiry = expiry;
        r.lotSize = lot;
        r.freezeQuantity = lot * 24;
        return r;
    }

    std::uint32_t m_token = 1000;
};

} // namespace strikeline::testing
