// The CPU the official SDK's feeder (upstox-js-sdk 2.31.0, MarketDataStreamerV3) spends to
// receive and decode the simulator's feed, for the comparison in docs/PERFORMANCE.md (issue 12:
// ours <= 0.2x). Not a test: tools/feed-cpu-compare.sh runs it beside `strikeline-cli quotes
// --stats` on the same simulator, in the same run.
//
//   SIM_URL=... UPSTOX_TEST_TOKEN=... node --require ./sim-host.js feed-cpu.js keys INDEX_KEY N
//       prints N instrument keys, one per line: the index and options of its nearest expiry
//   SIM_URL=... UPSTOX_TEST_TOKEN=... FEED_KEYS_FILE=F FEED_MODE=full FEED_SECONDS=S \
//       node --require ./sim-host.js feed-cpu.js measure
//       prints one JSON line: frames, seconds, cpu_seconds (user + system, from the first frame)

"use strict";

const UpstoxClient = require("upstox-js-sdk");
const fs = require("fs");

UpstoxClient.ApiClient.instance.authentications["OAUTH2"].accessToken =
  process.env.UPSTOX_TEST_TOKEN;

function fail(message) {
  console.error("feed-cpu.js: " + message);
  process.exit(1);
}

function listKeys(indexKey, count) {
  new UpstoxClient.OptionsApi().getOptionContracts(indexKey, {}, (error, data) => {
    if (error) fail("option contracts: " + error);
    const contracts = (data && data.data) || [];
    if (contracts.length === 0) fail("no option contracts for " + indexKey);
    // The SDK's models: camelCase, expiry as a Date.
    const day = (c) => new Date(c.expiry).toISOString().slice(0, 10);
    const expiries = [...new Set(contracts.map(day))].sort();
    const near = contracts.filter((c) => day(c) === expiries[0]);
    near.sort((a, b) => a.strikePrice - b.strikePrice);
    const middle = Math.floor(near.length / 2);
    const half = Math.floor((count - 1) / 2);
    const chosen = near.slice(Math.max(0, middle - half), Math.max(0, middle - half) + count - 1);
    const keys = [indexKey, ...chosen.map((c) => c.instrumentKey)];
    process.stdout.write(keys.join("\n") + "\n");
  });
}

function measure() {
  const keys = fs.readFileSync(process.env.FEED_KEYS_FILE, "utf8").split("\n").filter(Boolean);
  const mode = process.env.FEED_MODE || "full";
  const seconds = Number(process.env.FEED_SECONDS || "30");
  const streamer = new UpstoxClient.MarketDataStreamerV3(keys, mode);
  streamer.autoReconnect(false);
  let frames = 0;
  let cpuStart = null;
  let wallStart = 0;
  streamer.on("error", (e) => fail("market feed error: " + e));
  streamer.on("message", (data) => {
    // The SDK hands each frame over decoded (protobufjs, toObject) and JSON-encoded: the work a
    // consumer of the SDK cannot avoid. Parse it back as a consumer would.
    const message = JSON.parse(data.toString("utf-8"));
    if (message === null) return; // before the SDK has loaded its schema
    if (cpuStart === null) {
      clearTimeout(firstFrame);
      cpuStart = process.cpuUsage();
      wallStart = process.hrtime.bigint();
      setTimeout(finish, seconds * 1000);
      return;
    }
    frames++;
  });
  function finish() {
    const cpu = process.cpuUsage(cpuStart);
    const wall = Number(process.hrtime.bigint() - wallStart) / 1e9;
    process.stdout.write(JSON.stringify({
      client: "upstox-js-sdk 2.31.0",
      frames,
      seconds: Math.round(wall * 1000) / 1000,
      cpu_seconds: Math.round((cpu.user + cpu.system) / 1000) / 1000,
    }) + "\n");
    process.exit(0);
  }
  const firstFrame = setTimeout(() => fail("no frame in 60 s"), 60000);
  streamer.connect();
}

const [command, ...args] = process.argv.slice(2);
if (command === "keys") listKeys(args[0] || "NSE_INDEX|Nifty 50", Number(args[1] || "50"));
else if (command === "measure") measure();
else fail("usage: feed-cpu.js keys INDEX_KEY N | measure");
