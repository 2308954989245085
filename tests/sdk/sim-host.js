'use strict';
// A require hook for Upstox's Node SDK: its hosts are hard-coded (https://api.upstox.com,
// https://api-hft.upstox.com, wss://api.upstox.com in ApiClient.js and the feeders); this
// rewrites them to the simulator at SIM_URL (http://127.0.0.1:PORT) as the SDK's files load,
// so the SDK runs unmodified with only the host changed. Also: login() does the OAuth dance
// against the simulator and resolves to an access token (run.sh uses it).

const Module = require('module');
const fs = require('fs');
const path = require('path');

const simUrl = (process.env.SIM_URL || '').replace(/\/+$/, '');
if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(simUrl)) {
  throw new Error(`sim-host.js: SIM_URL must be http://127.0.0.1:PORT (got '${simUrl}')`);
}
const wsUrl = simUrl.replace(/^http:/, 'ws:');

// The rewrite below is textual; a URL the SDK built some other way would slip past it. So every
// TCP connection this process makes is checked too: anything but loopback (or a local socket)
// is refused before a byte leaves the machine. Tests talk to the simulator only.
const net = require('net');
const loopback = new Set(['127.0.0.1', 'localhost', '::1', '::ffff:127.0.0.1']);
const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const options = first !== null && typeof first === 'object' ? first : { port: first, host: args[1] };
  if (!options.path) {
    const host = String(options.host || 'localhost').replace(/^\[|\]$/g, '');
    if (!loopback.has(host)) {
      throw new Error(`sim-host.js: refused a connection to ${host}: tests talk to the simulator only`);
    }
  }
  return originalConnect.apply(this, args);
};
const sdkDir = `${path.sep}upstox-js-sdk${path.sep}`;

const original = Module._extensions['.js'];
Module._extensions['.js'] = function (module, filename) {
  if (!filename.includes(sdkDir)) {
    return original(module, filename);
  }
  const source = fs.readFileSync(filename, 'utf8')
    .split('https://api-hft.upstox.com').join(simUrl)
    .split('https://api-sandbox.upstox.com').join(simUrl)
    .split('https://api.upstox.com').join(simUrl)
    .split('wss://api.upstox.com').join(wsUrl);
  module._compile(source, filename);
};

const http = require('http');

function request(method, url, body, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: headers || {} }, (res) => {
      let data = '';
      res.on('data', (chunk) => { data += chunk; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: data }));
    });
    req.on('error', reject);
    req.setTimeout(30000, () => req.destroy(new Error(`timeout: ${method} ${url}`)));
    if (body) req.write(body);
    req.end();
  });
}

// The authorization-code flow as a browser and a backend would do it.
async function login(options = {}) {
  const clientId = options.clientId || 'strikeline-sim';
  const secret = options.clientSecret || 'sim-secret';
  const redirect = options.redirectUri || 'http://127.0.0.1:5055/upstox/callback';
  const state = Math.random().toString(36).slice(2);
  const dialog = await request('GET', `${simUrl}/v2/login/authorization/dialog?response_type=code` +
    `&client_id=${encodeURIComponent(clientId)}&redirect_uri=${encodeURIComponent(redirect)}` +
    `&state=${state}`);
  if (dialog.status !== 302) throw new Error(`login dialog: HTTP ${dialog.status} ${dialog.body}`);
  const callback = new URL(dialog.headers.location);
  if (callback.searchParams.get('state') !== state) throw new Error('login: state mismatch');
  const form = new URLSearchParams({
    code: callback.searchParams.get('code'), client_id: clientId, client_secret: secret,
    redirect_uri: redirect, grant_type: 'authorization_code',
  }).toString();
  const token = await request('POST', `${simUrl}/v2/login/authorization/token`, form,
    { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(form) });
  if (token.status !== 200) throw new Error(`token: HTTP ${token.status} ${token.body}`);
  return JSON.parse(token.body).access_token;
}

module.exports = { simUrl, wsUrl, login, request };
