// Upstox's official Node SDK (upstox-js-sdk 2.31.0) against the simulator's streams: the
// market-data feed v3 through MarketDataStreamerV3 (its own protobuf schema decodes our frames)
// and an order update through PortfolioDataStreamer. Run by tests/sdk/run.sh with SIM_URL and
// UPSTOX_TEST_TOKEN set; SIM_INDEX_KEY picks the underlying (default NIFTY). Exits non-zero on
// any failure or after 30 s.

"use strict";

require("./sim-host"); // rewrites the SDK's hard-coded Upstox hosts to SIM_URL

const assert = require("assert");
const UpstoxClient = require("upstox-js-sdk");

const token = process.env.UPSTOX_TEST_TOKEN;
const indexKey = process.env.SIM_INDEX_KEY || "NSE_INDEX|Nifty 50";
assert.ok(process.env.SIM_URL, "SIM_URL is not set");
assert.ok(token, "UPSTOX_TEST_TOKEN is not set");
UpstoxClient.ApiClient.instance.authentications["OAUTH2"].accessToken = token;

const deadline = setTimeout(() => fail(new Error("timed out after 30 s")), 30000);

function fail(error) {
  console.error("feed.test.js:", error && error.stack ? error.stack : error);
  process.exit(1);
}

function optionContract() {
  return new Promise((resolve, reject) => {
    new UpstoxClient.OptionsApi().getOptionContracts(indexKey, {}, (error, data) => {
      if (error) return reject(new Error("option contracts: " + error));
      const contracts = (data && data.data) || [];
      if (contracts.length === 0) return reject(new Error("no option contracts for " + indexKey));
      resolve(contracts[Math.floor(contracts.length / 2)]);
    });
  });
}

// market_info first, then a snapshot with both keys decoded by the SDK, then (optionally) a tick.
function marketFeed(contractKey) {
  return new Promise((resolve, reject) => {
    const streamer = new UpstoxClient.MarketDataStreamerV3([indexKey, contractKey], "full");
    streamer.autoReconnect(false);
    const messages = [];
    let undecoded = 0; // frames that came before the SDK had loaded its .proto (it says null)
    let ltp = 0;
    streamer.on("error", (e) => reject(new Error("market feed error: " + e)));
    streamer.on("message", (data) => {
      const message = JSON.parse(data.toString("utf-8"));
      if (message === null) {
        undecoded++;
        return;
      }
      messages.push(message);
      if (messages.length === 1 && undecoded === 0) {
        assert.strictEqual(message.type, "market_info", "the first frame is market_info");
        assert.ok(message.marketInfo && message.marketInfo.segmentStatus.NSE_FO,
                  "market_info has segment statuses");
        return;
      }
      // initial_feed is enum 0: protobufjs leaves a default out, so the snapshot has no type.
      const feeds = message.feeds || {};
      if (feeds[contractKey] && feeds[contractKey].fullFeed && feeds[contractKey].fullFeed.marketFF) {
        const market = feeds[contractKey].fullFeed.marketFF;
        if (market.ltpc && market.ltpc.ltp > 0) ltp = market.ltpc.ltp;
        if (market.marketLevel)
          assert.ok(market.marketLevel.bidAskQuote.length === 5, "five depth levels");
      }
      if (feeds[indexKey] && feeds[indexKey].fullFeed)
        assert.ok(feeds[indexKey].fullFeed.indexFF, "an index is sent as indexFF");
      if (ltp > 0) {
        streamer.disconnect();
        resolve({ ltp, messages: messages.length });
      }
    });
    streamer.connect().catch(reject);
  });
}

function placeOrder(contract, price) {
  return new Promise((resolve, reject) => {
    const body = new UpstoxClient.PlaceOrderV3Request(
      contract.lotSize, "D", "DAY", price, contract.instrumentKey, "LIMIT", "BUY", 0, 0, false);
    body.tag = "sdkfeed";
    new UpstoxClient.OrderApiV3().placeOrder(body, {}, (error, data) => {
      if (error) return reject(new Error("place order: " + error));
      resolve(data.data.orderIds || []);
    });
  });
}

// PortfolioDataStreamer(order updates): an order placed over REST shows up on the stream.
function portfolioStream(contract, price) {
  return new Promise((resolve, reject) => {
    const streamer = new UpstoxClient.PortfolioDataStreamer(true, false, false, false);
    streamer.autoReconnect(false);
    let orderIds = null;
    const updates = [];
    const check = () => {
      if (!orderIds) return;
      const mine = updates.find((u) => orderIds.includes(u.order_id));
      if (mine) {
        assert.strictEqual(mine.update_type, "order");
        assert.strictEqual(mine.instrument_token || mine.instrument_key, contract.instrumentKey);
        streamer.disconnect();
        resolve(mine);
      }
    };
    streamer.on("error", (e) => reject(new Error("portfolio stream error: " + e)));
    streamer.on("message", (data) => {
      updates.push(JSON.parse(data.toString("utf-8")));
      check();
    });
    streamer.on("open", () => {
      placeOrder(contract, price).then((ids) => {
        assert.ok(ids.length > 0, "the place response names the order");
        orderIds = ids;
        check();
      }, reject);
    });
    streamer.connect().catch(reject);
  });
}

(async () => {
  const contract = await optionContract();
  const feed = await marketFeed(contract.instrumentKey);
  console.log(`feed: ${feed.messages} frames, ${contract.instrumentKey} ltp ${feed.ltp}`);
  const update = await portfolioStream(contract, feed.ltp);
  console.log(`portfolio: order ${update.order_id} ${update.status}`);
  clearTimeout(deadline);
  process.exit(0);
})().catch(fail);
