#pragma once

// The Upstox client a market-data command uses (SessionCommands.cpp): the Analytics Token when
// one is configured (UPSTOX_ANALYTICS_TOKEN, else the secret store), else the daily session
// token (UPSTOX_ACCESS_TOKEN, else the secret store). STRIKELINE_UPSTOX_URL and the settings
// choose the base, as for every Upstox command. No token is ever printed.

#include "broker/upstox/UpstoxClient.h"
#include "common/Result.h"
#include "net/HttpClient.h"
#include "session/MarketDataTokens.h"

#include <QString>

#include <memory>

namespace strikeline::cli {

struct MarketDataAccess
{
    std::unique_ptr<net::TokenProvider> session;
    std::unique_ptr<session::MarketDataTokens> tokens;
    std::unique_ptr<net::HttpClient> http;
    std::unique_ptr<upstox::UpstoxClient> client;
    QString source; // which token, for messages: "the Analytics Token", "the session token"
};

// Fails with "not logged in" (a data error) when neither token is there.
Result<std::unique_ptr<MarketDataAccess>> marketDataAccess();

// The Upstox client a trading command uses (orders, positions, funds): the daily session token
// only (UPSTOX_ACCESS_TOKEN, else the secret store), never the Analytics Token, which cannot
// trade.
struct TradingAccess
{
    std::unique_ptr<net::TokenProvider> session;
    std::unique_ptr<net::HttpClient> http;
    std::unique_ptr<upstox::UpstoxClient> client;
};

Result<std::unique_ptr<TradingAccess>> tradingAccess();

} // namespace strikeline::cli
