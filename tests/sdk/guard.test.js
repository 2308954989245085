// The SDK test process cannot reach anything but the simulator: sim-host.js refuses every
// connection to a host that is not loopback (a URL the host rewrite missed would otherwise go
// out to the real broker). broker.invalid is a reserved name that never resolves.

"use strict";

require("./sim-host");

const assert = require("assert");
const http = require("http");
const https = require("https");

function refused(module, url) {
  return new Promise((resolve, reject) => {
    try {
      const req = module.get(url, () => reject(new Error(`${url} was reached`)));
      req.on("error", (e) => resolve(e));
    } catch (e) {
      resolve(e);
    }
  });
}

(async () => {
  for (const [module, url] of [[https, "https://broker.invalid/v2/user/profile"],
                               [http, "http://192.0.2.1:80/"]]) {
    const error = await refused(module, url);
    assert.match(String(error && error.message), /tests talk to the simulator only/, url);
  }
  // The simulator itself is still reachable.
  const { request, simUrl } = require("./sim-host");
  const answer = await request("GET", `${simUrl}/v2/user/profile`);
  assert.strictEqual(answer.status, 401, "the simulator answers (without a token: 401)");
  console.log("guard: non-loopback connections refused, the simulator reachable");
})().catch((e) => {
  console.error("guard.test.js:", e && e.stack ? e.stack : e);
  process.exit(1);
});
