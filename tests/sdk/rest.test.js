'use strict';
// Upstox's official Node SDK (upstox-js-sdk 2.31.0, unmodified; sim-host.js changes its host)
// against the simulator: profile, funds, quotes, a sliced v3 order and the order book.

const test = require('node:test');
const assert = require('node:assert/strict');
const UpstoxClient = require('upstox-js-sdk');

const client = UpstoxClient.ApiClient.instance;
client.authentications.OAUTH2.accessToken = process.env.UPSTOX_TEST_TOKEN;

// NIFTY 22200 CE 01 SEP 26 in the fixture master: lot 65, freeze 1755.
const OPTION = 'NSE_FO|46913';

function call(fn) {
  return new Promise((resolve, reject) => {
    fn((error, data, response) => (error ? reject(Object.assign(error, { response })) : resolve(data)));
  });
}

test('profile', async () => {
  const data = await call((cb) => new UpstoxClient.UserApi().getProfile('2.0', cb));
  assert.equal(data.status, 'success');
  assert.equal(data.data.broker, 'UPSTOX');
  assert.ok(data.data.userId);
  assert.ok(data.data.exchanges.includes('NFO'));
});

test('funds and margin', async () => {
  const data = await call((cb) => new UpstoxClient.UserApi().getUserFundMargin('2.0', {}, cb));
  assert.equal(data.status, 'success');
  assert.ok(data.data.equity.availableMargin > 0);
  assert.equal(typeof data.data.equity.usedMargin, 'number');
});

test('full market quote', async () => {
  const data = await call((cb) => new UpstoxClient.MarketQuoteApi().getFullMarketQuote(OPTION, '2.0', cb));
  assert.equal(data.status, 'success');
  const quotes = Object.values(data.data);
  assert.equal(quotes.length, 1);
  const q = quotes[0];
  assert.equal(q.instrumentToken, OPTION);
  assert.ok(q.lastPrice > 0);
  assert.ok(q.lowerCircuitLimit > 0 && q.lowerCircuitLimit < q.lastPrice);
  assert.ok(q.upperCircuitLimit > q.lastPrice);
  assert.equal(q.depth.buy.length, 5);
  assert.ok(q.depth.buy[0].price < q.depth.sell[0].price);
  assert.ok(q.oi > 0);
});

test('a wrong token is a 401 the SDK reports', async () => {
  const saved = client.authentications.OAUTH2.accessToken;
  client.authentications.OAUTH2.accessToken = 'not-a-token';
  try {
    await assert.rejects(call((cb) => new UpstoxClient.UserApi().getProfile('2.0', cb)),
      (error) => error.status === 401 && /UDAPI100050/.test(error.response.text));
  } finally {
    client.authentications.OAUTH2.accessToken = saved;
  }
});

test('a sliced v3 order fills and shows in the order book', async () => {
  const quantity = 1755 * 2 + 65; // three slices: 1755, 1755, 65
  const body = new UpstoxClient.PlaceOrderV3Request(quantity, 'D', 'DAY', 0, OPTION, 'MARKET', 'BUY', 0, 0, false);
  body.tag = 'sdk-slice';
  body.slice = true;
  const placed = await call((cb) => new UpstoxClient.OrderApiV3().placeOrder(body, {}, cb));
  assert.equal(placed.status, 'success');
  assert.equal(placed.data.orderIds.length, 3);

  const book = await call((cb) => new UpstoxClient.OrderApi().getOrderBook('2.0', cb));
  assert.equal(book.status, 'success');
  const mine = book.data.filter((o) => o.tag === 'sdk-slice');
  assert.deepEqual(mine.map((o) => o.orderId).sort(), [...placed.data.orderIds].sort());
  assert.deepEqual(mine.map((o) => o.quantity).sort((a, b) => a - b), [65, 1755, 1755]);
  for (const o of mine) {
    assert.equal(o.status, 'complete');
    assert.equal(o.filledQuantity, o.quantity);
    assert.ok(o.averagePrice > 0);
    assert.equal(o.instrumentToken, OPTION);
  }
});
