#pragma once

// Verbatim rows of the real complete-2025-12-09.json.gz, for tests that need a few real rows
// without reading the whole file.

namespace strikeline::testdata {

constexpr char NseFoOptionRow[] =
    R"({"weekly":true,"segment":"NSE_FO","name":"NIFTY","exchange":"NSE","expiry":1765304999000,)"
    R"("instrument_type":"CE","asset_symbol":"NIFTY","underlying_symbol":"NIFTY",)"
    R"("instrument_key":"NSE_FO|41915","lot_size":75,"freeze_quantity":1800.0,)"
    R"("exchange_token":"41915","minimum_lot":75,"asset_key":"NSE_INDEX|Nifty 50",)"
    R"("underlying_key":"NSE_INDEX|Nifty 50","tick_size":5.0,"asset_type":"INDEX",)"
    R"("underlying_type":"INDEX","trading_symbol":"NIFTY 26250 CE 09 DEC 25",)"
    R"("strike_price":26250.0,"qty_multiplier":1.0})";

constexpr char NseFoFutureRow[] =
    R"({"weekly":false,"segment":"NSE_FO","name":"NIFTY","exchange":"NSE","expiry":1767119399000,)"
    R"("instrument_type":"FUT","asset_symbol":"NIFTY","underlying_symbol":"NIFTY",)"
    R"("instrument_key":"NSE_FO|49543","lot_size":75,"freeze_quantity":1800.0,)"
    R"("exchange_token":"49543","minimum_lot":75,"asset_key":"NSE_INDEX|Nifty 50",)"
    R"("underlying_key":"NSE_INDEX|Nifty 50","tick_size":10.0,"asset_type":"INDEX",)"
    R"("underlying_type":"INDEX","trading_symbol":"NIFTY FUT 30 DEC 25","strike_price":0.0,)"
    R"("qty_multiplier":1.0})";

constexpr char NseEqRow[] =
    R"({"segment":"NSE_EQ","name":"RELIANCE INDUSTRIES LTD","exchange":"NSE",)"
    R"("isin":"INE002A01018","instrument_type":"EQ","instrument_key":"NSE_EQ|INE002A01018",)"
    R"("lot_size":1,"freeze_quantity":100000.0,"exchange_token":"2885","tick_size":10.0,)"
    R"("trading_symbol":"RELIANCE","short_name":"Reliance","qty_multiplier":1.0,)"
    R"("mtf_enabled":true,"mtf_bracket":26.5,"security_type":"NORMAL"})";

constexpr char NseIndexRow[] =
    R"({"segment":"NSE_INDEX","name":"Nifty 50","exchange":"NSE","instrument_type":"INDEX",)"
    R"("instrument_key":"NSE_INDEX|Nifty 50","exchange_token":"26000","trading_symbol":"NIFTY"})";

} // namespace strikeline::testdata
