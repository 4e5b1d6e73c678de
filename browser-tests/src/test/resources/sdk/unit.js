// The SDK's logic against a fake socket, fetch and storage: no gateway needed. Results go to window.unitResults.
import {
  connect, backoffDelay, isNewer, retryAfterMs, tokenClaims, httpUrl, isExpired, SUBPROTOCOL,
} from './sdk/kickoff-device.js';

const results = [];
const tests = [];
const test = (name, fn) => tests.push({ name, fn });
const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

function assert(condition, message) {
  if (!condition) throw new Error(message);
}
function equal(actual, expected, message) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${message}: expected ${e}, got ${a}`);
}

function b64url(object) {
  return btoa(JSON.stringify(object)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
function token(sub, exp = Math.floor(Date.now() / 1000) + 3600) {
  return `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub, seg: 'us-en', exp })}.signature`;
}

class FakeStorage {
  constructor() { this.map = new Map(); }
  getItem(key) { return this.map.has(key) ? this.map.get(key) : null; }
  setItem(key, value) { this.map.set(key, String(value)); }
  removeItem(key) { this.map.delete(key); }
}

class FakeSocket {
  constructor(url, protocols) {
    FakeSocket.all.push(this);
    this.url = url;
    this.protocols = protocols;
    this.sent = [];
    this.readyState = 0;
  }
  static last() { return FakeSocket.all[FakeSocket.all.length - 1]; }
  send(data) { this.sent.push(JSON.parse(data)); }
  close(code = 1000, reason = '') { this.drop(code, reason); }
  open() { this.readyState = 1; this.onopen(); }
  drop(code, reason = '') {
    if (this.readyState === 3) return;
    this.readyState = 3;
    setTimeout(() => this.onclose && this.onclose({ code, reason }));
  }
  receive(frame) { this.onmessage({ data: JSON.stringify(frame) }); }
  acks() { return this.sent.filter((f) => f.ack).map((f) => `${f.ack.eventId}@${f.ack.seq}`); }
}
FakeSocket.all = [];

function answer(status, body, headers = {}) {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { status, ok: status < 300, headers: { get: (name) => lower[name.toLowerCase()] ?? null }, json: async () => body };
}

function device(options = {}) {
  const events = { stages: [], connections: [], fetches: [] };
  const storage = options.storage || new FakeStorage();
  const d = connect({
    gateway: 'ws://gw.example:8080/v1/connect',
    token: token(options.sub || 'd1'),
    bundleApi: 'http://bundles.example',
    storage,
    bundleWait: 0,
    WebSocket: FakeSocket,
    random: () => 0.5,
    fetch: async (url, init) => {
      events.fetches.push({ url, headers: (init && init.headers) || {} });
      return options.fetch ? options.fetch(url, init) : answer(200, []);
    },
    onStage: (id, stage, rendering, info) => events.stages.push({ id, stage, seq: info.seq, source: info.source,
      title: rendering ? rendering.rowTitle : null }),
    onConnection: (state, detail) => events.connections.push({ state, ...detail }),
    ...options.connect,
  });
  return { d, events, storage, socket: FakeSocket.last() };
}

const update = (eventId, stage, seq, bundleVersion = 'v1') => ({ stageUpdate: { eventId, stage, seq: String(seq), bundleVersion } });
const bundle = (eventId, version, expiresAt) => ({
  eventId, segment: 'us-en', version, stages: { LIVE: { rowTitle: `Live now ${version}` }, PREFETCH: { rowTitle: 'Coming up' } },
  ...(expiresAt ? { expiresAt } : {}),
});

test('backoff is full jitter under min(max, base x 2^attempt)', () => {
  const policy = { baseDelayMs: 500, maxDelayMs: 30000 };
  equal(backoffDelay(0, policy, () => 0.999), 499, 'attempt 0');
  equal(backoffDelay(3, policy, () => 0.5), 2000, 'attempt 3');
  equal(backoffDelay(20, policy, () => 0.999), 29970, 'capped');
  equal(backoffDelay(5, policy, () => 0), 0, 'from zero');
});

test('seqs compare as uint64', () => {
  assert(isNewer('18446744073709551615', '18446744073709551614'), 'larger');
  assert(!isNewer('7', '7'), 'equal is not newer');
  assert(isNewer('1', undefined), 'absent position is 0');
  assert(!isNewer(9, '10'), 'numbers too');
});

test('Retry-After in seconds or as a date; tokens; addresses; expiry', () => {
  equal(retryAfterMs('7'), 7000, 'seconds');
  equal(retryAfterMs(new Date(10000).toUTCString(), 4000), 6000, 'date');
  equal(retryAfterMs(null), null, 'absent');
  equal(retryAfterMs('soon'), null, 'unreadable');
  equal(tokenClaims(token('dev-9')).sub, 'dev-9', 'sub');
  equal(tokenClaims('nope'), null, 'not a JWT');
  equal(httpUrl('wss://gw/v1/connect'), 'https://gw/v1/connect', 'wss');
  assert(isExpired({ expiresAt: '2000-01-01T00:00:00Z' }), 'past');
  assert(!isExpired({}), 'no expiry');
});

test('hello offers the sub-protocol, the kept positions and bundle versions', async () => {
  const storage = new FakeStorage();
  const first = device({ storage });
  equal(first.socket.protocols, [SUBPROTOCOL], 'sub-protocol');
  assert(first.socket.url.includes('?token='), 'token in the query');
  first.socket.open();
  equal(first.socket.sent[0].hello.positions, {}, 'nothing yet');
  first.socket.receive({ welcome: { heartbeatIntervalMs: 25000, snapshot: [] } });
  first.socket.receive({ bundle: bundle('ev', 'v1') });
  first.socket.receive(update('ev', 'LIVE', 4));
  first.d.close();
  const second = device({ storage });
  second.socket.open();
  equal(second.socket.sent[0].hello.positions, { ev: '4' }, 'positions kept');
  equal(second.socket.sent[0].hello.bundleVersions, { ev: 'v1' }, 'versions kept');
  equal(second.events.stages[0], { id: 'ev', stage: 'LIVE', seq: '4', source: 'restored', title: 'Live now v1' }, 'restored');
  second.d.close();
});

test('only newer seqs apply; every update and snapshot entry is acked, duplicates too', async () => {
  const { d, events, socket } = device();
  socket.open();
  socket.receive({ welcome: { snapshot: [{ eventId: 'ev', stage: 'PREFETCH', seq: '2', bundleVersion: '' }] } });
  socket.receive(update('ev', 'LIVE', 3, ''));
  socket.receive(update('ev', 'PREFETCH', 2, ''));
  socket.receive(update('ev', 'LIVE', 3, ''));
  equal(socket.acks(), ['ev@2', 'ev@3', 'ev@2', 'ev@3'], 'acks');
  equal(events.stages.map((s) => `${s.stage}@${s.seq}`), ['PREFETCH@2', 'LIVE@3'], 'applied');
  equal(d.stats.duplicates, 2, 'duplicates');
  equal(events.stages[1].source, 'generic', 'no bundle for the segment: generic');
  d.close();
});

test('holdAcks withholds acks until released', async () => {
  const { d, socket } = device({ connect: { holdAcks: true } });
  socket.open();
  socket.receive({ welcome: {} });
  socket.receive(update('ev', 'LIVE', 5, ''));
  equal(socket.acks(), [], 'none while held');
  d.releaseAcks();
  equal(socket.acks(), ['ev@5'], 'released');
  d.close();
});

test('a held version renders from the cache; another is fetched as critical with If-None-Match', async () => {
  let listing = [bundle('ev', 'v2')];
  const { d, events, socket } = device({ fetch: async () => answer(200, listing, { ETag: 'W/"l1"' }) });
  socket.open();
  socket.receive({ welcome: {} });
  socket.receive({ bundle: bundle('ev', 'v1') });
  socket.receive(update('ev', 'PREFETCH', 1, 'v1'));
  equal(events.fetches.length, 0, 'held: no request');
  equal(events.stages.at(-1).source, 'cache', 'rendered from the cache');
  socket.receive(update('ev', 'LIVE', 2, 'v2'));
  await tick(10);
  equal(events.fetches.length, 1, 'stale: one fetch');
  const { url, headers } = events.fetches[0];
  equal(url, 'http://bundles.example/v1/bundles', 'bundle API');
  equal(headers['X-Priority'], 'critical', 'critical');
  assert(headers.Authorization.startsWith('Bearer '), 'device token');
  equal(events.stages.at(-1), { id: 'ev', stage: 'LIVE', seq: '2', source: 'fetch', title: 'Live now v2' }, 'rendered');
  listing = [bundle('ev', 'v3')];
  socket.receive(update('ev', 'LIVE', 3, 'v3'));
  await tick(10);
  equal(events.fetches[1].headers['If-None-Match'], 'W/"l1"', 'revalidated');
  d.close();
});

test('an expired bundle is dropped and not reported in hello', async () => {
  const storage = new FakeStorage();
  const first = device({ storage });
  first.socket.open();
  first.socket.receive({ welcome: {} });
  first.socket.receive({ bundle: bundle('ev', 'v1', new Date(Date.now() + 50).toISOString()) });
  equal(first.d.bundle('ev').version, 'v1', 'held');
  first.d.close();
  await tick(80);
  const second = device({ storage });
  second.socket.open();
  equal(second.socket.sent[0].hello.bundleVersions, {}, 'expired: gone');
  second.d.close();
});

test('go_away reconnects after exactly its delay, without backoff', async () => {
  const { d, events, socket } = device();
  socket.open();
  socket.receive({ welcome: { reconnect: { baseDelayMs: 500, maxDelayMs: 30000 } } });
  socket.receive({ goAway: { reconnectAfterMs: 30, reason: 'drain' } });
  await tick(5);
  const waiting = events.connections.find((c) => c.state === 'waiting');
  equal(waiting.delayMs, 30, 'the given delay');
  equal(waiting.reason, 'go_away drain', 'why');
  await tick(60);
  assert(FakeSocket.last() !== socket, 'a new socket');
  d.close();
});

test('a refused open asks the gateway with a plain GET and obeys its Retry-After', async () => {
  const { d, events, socket } = device({ fetch: async () => answer(503, null, { 'Retry-After': '3' }) });
  socket.drop(1006);
  await tick(20);
  equal(events.fetches[0].url.split('?')[0], 'http://gw.example:8080/v1/connect', 'plain GET of the connect URL');
  const waiting = events.connections.find((c) => c.state === 'waiting');
  equal([waiting.delayMs, waiting.retryAfterMs], [3000, 3000], 'Retry-After obeyed');
  d.close();
});

test('anything else backs off with jitter, growing per failure since the last welcome', async () => {
  const { d, events, socket } = device({ fetch: async () => answer(400, null) });
  socket.open();
  socket.receive({ welcome: { reconnect: { baseDelayMs: 100, maxDelayMs: 1000 } } });
  socket.drop(1006);
  await tick(5);
  equal(events.connections.filter((c) => c.state === 'waiting').map((c) => c.delayMs), [50], 'attempt 0: [0, 100)');
  await tick(70);
  FakeSocket.last().drop(1006); // never opened: admission check says 400, then backoff
  await tick(20);
  equal(events.connections.filter((c) => c.state === 'waiting').map((c) => c.delayMs), [50, 100], 'attempt 1: [0, 200)');
  d.close();
});

test('an expired token is not sent', async () => {
  const sockets = FakeSocket.all.length;
  const d = connect({ gateway: 'ws://gw', token: token('d', 1000), WebSocket: FakeSocket, storage: new FakeStorage() });
  equal(d.state.connection, 'unauthorized', 'unauthorized');
  equal(FakeSocket.all.length, sockets, 'no socket');
});

for (const { name, fn } of tests) {
  try {
    await fn();
    results.push({ name, ok: true });
  } catch (error) {
    results.push({ name, ok: false, message: String(error && error.stack || error) });
  }
}
window.unitResults = results;
document.getElementById('out').textContent = results.map((r) => `${r.ok ? 'ok  ' : 'FAIL'} ${r.name}${r.message ? '\n  ' + r.message : ''}`).join('\n');
document.title = 'sdk unit done';
