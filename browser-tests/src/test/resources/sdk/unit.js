// The SDK's logic against a fake socket, fetch and storage: no gateway needed. Results go to window.unitResults.
import {
  connect, backoffDelay, isNewer, retryAfterMs, tokenClaims, httpUrl, isExpired, newSessionId, FrameBudget, SUBPROTOCOL,
} from './sdk/kickoff-device.js';

const results = [];
const tests = [];
const test = (name, fn) => tests.push({ name, fn });
const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));
/** Waits until `condition()` holds, at most `ms`. */
async function until(condition, message, ms = 5000) {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`never: ${message}`);
    await tick(5);
  }
}

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
  viewing() { return this.sent.filter((f) => f.viewing).map((f) => f.viewing); }
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

// ---- viewing signals (protocol §6a) ---------------------------------------------------------------------------

const welcomeViewing = (intervalMs) => ({ welcome: { viewingHeartbeatIntervalMs: intervalMs } });

test('playing sends PLAYING once welcomed, then heartbeats at the welcome interval with an advancing position', async () => {
  const { d, socket } = device();
  const session = d.playing('ev', { positionMs: 5000, sessionId: 'play-1' });
  equal(session, 'play-1', 'the given session');
  socket.open();
  equal(socket.viewing(), [], 'nothing before the welcome (a viewing before hello is a protocol violation)');
  socket.receive(welcomeViewing(40));
  equal(socket.viewing().length, 1, 'PLAYING at once');
  const first = socket.viewing()[0];
  equal([first.eventId, first.state, first.sessionId], ['ev', 'PLAYING', 'play-1'], 'the frame');
  assert(Number(first.positionMs) >= 5000, `position from the given one: ${first.positionMs}`);
  equal(typeof first.positionMs, 'string', 'uint64 as a string (canonical JSON)');
  await until(() => socket.viewing().length >= 3, 'two heartbeats');
  const positions = socket.viewing().map((v) => Number(v.positionMs));
  assert(positions[1] > positions[0] && positions[2] > positions[1], `positions advance: ${positions}`);
  assert(socket.viewing().every((v) => v.state === 'PLAYING' && v.sessionId === 'play-1'), 'heartbeats are PLAYING');
  equal(d.playback('ev').state, 'PLAYING', 'playback');
  d.close();
});

test('paused sends PAUSED and stops the heartbeats; playing again resumes the session; stopped ends it', async () => {
  const { d, socket } = device();
  socket.open();
  socket.receive(welcomeViewing(30));
  const session = d.playing('ev', { positionMs: 1000 });
  assert(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(session), `a UUID: ${session}`);
  d.paused('ev', { positionMs: 2000 });
  const paused = socket.viewing().at(-1);
  equal([paused.state, paused.positionMs, paused.sessionId], ['PAUSED', '2000', session], 'PAUSED where it stands');
  const sent = socket.viewing().length;
  await tick(100);
  equal(socket.viewing().length, sent, 'no heartbeat while paused');
  equal(d.playback('ev').positionMs, 2000, 'the position stands still while paused');
  d.paused('ev');
  equal(socket.viewing().length, sent, 'paused again: no change of state, nothing sent');
  equal(d.playing('ev'), session, 'resumed: the same session');
  const resumed = socket.viewing().at(-1);
  equal(resumed.state, 'PLAYING', 'resumed');
  assert(Number(resumed.positionMs) >= 2000 && Number(resumed.positionMs) < 2100, `where it paused: ${resumed.positionMs}`);
  d.playing('ev', { positionMs: 9000 });
  equal(socket.viewing().length, sent + 1, 'a seek while playing is no change of state: the next heartbeat tells it');
  await until(() => socket.viewing().length >= sent + 2, 'a heartbeat');
  assert(Number(socket.viewing().at(-1).positionMs) >= 9000, 'the heartbeat carries the new position');
  d.stopped('ev');
  equal(socket.viewing().at(-1).state, 'STOPPED', 'STOPPED');
  equal(d.playback('ev'), null, 'forgotten');
  const stopped = socket.viewing().length;
  await tick(100);
  equal(socket.viewing().length, stopped, 'no heartbeat after STOPPED');
  equal(d.stopped('ev'), null, 'stopped again: nothing');
  equal(socket.viewing().length, stopped, 'and nothing sent');
  equal(d.playing('ev') === session, false, 'a new playback, a new session');
  d.close();
});

test('a position function is read at every signal', async () => {
  const { d, socket } = device();
  socket.open();
  socket.receive(welcomeViewing(20));
  let position = 100;
  d.playing('ev', { positionMs: () => position });
  position = 777;
  await until(() => socket.viewing().length >= 2, 'a heartbeat');
  equal(socket.viewing().map((v) => v.positionMs).slice(0, 2), ['100', '777'], 'read from the player');
  d.close();
});

test('after a reconnect a device still playing says PLAYING again once welcomed', async () => {
  const { d, socket } = device();
  socket.open();
  socket.receive(welcomeViewing(60000));
  d.playing('ev', { sessionId: 'play-2', positionMs: 0 });
  d.playing('paused-one', { sessionId: 'play-3' });
  d.paused('paused-one');
  equal(socket.viewing().map((v) => v.state), ['PLAYING', 'PLAYING', 'PAUSED'], 'first connection');
  socket.drop(1006);
  await until(() => FakeSocket.last() !== socket, 'a new socket');
  const next = FakeSocket.last();
  next.open();
  equal(next.viewing(), [], 'not before the welcome');
  await tick(5);
  next.receive(welcomeViewing(60000));
  equal(next.viewing().map((v) => `${v.eventId} ${v.state} ${v.sessionId}`), ['ev PLAYING play-2'], 'PLAYING again; a paused one is not');
  d.close();
});

test('a change while disconnected waits for the welcome, the latest state per event', async () => {
  const { d, socket } = device();
  socket.open();
  socket.receive(welcomeViewing(60000));
  d.playing('ev', { sessionId: 'play-4' });
  socket.drop(1006);
  await tick(5);
  d.stopped('ev');
  await until(() => FakeSocket.last() !== socket, 'a new socket');
  FakeSocket.last().open();
  FakeSocket.last().receive(welcomeViewing(60000));
  equal(FakeSocket.last().viewing().map((v) => v.state), ['STOPPED'], 'the STOPPED of the old connection');
  d.close();
});

test('ENDED of the event sends STOPPED and stops the heartbeats; close sends STOPPED', async () => {
  const { d, socket } = device();
  socket.open();
  socket.receive(welcomeViewing(30));
  d.playing('ev', { sessionId: 'play-5' });
  d.playing('other', { sessionId: 'play-6' });
  socket.receive(update('ev', 'ENDED', 4, ''));
  const stopped = socket.viewing().filter((v) => v.eventId === 'ev');
  equal(stopped.at(-1).state, 'STOPPED', 'STOPPED at ENDED');
  equal(d.playback('ev'), null, 'forgotten');
  await tick(100);
  equal(socket.viewing().filter((v) => v.eventId === 'ev').length, stopped.length, 'no heartbeat of the ended event');
  d.close();
  equal(socket.viewing().at(-1), { eventId: 'other', state: 'STOPPED', positionMs: socket.viewing().at(-1).positionMs, sessionId: 'play-6' },
    'close: STOPPED');
  assert(socket.sent.indexOf(socket.sent.filter((f) => f.viewing).at(-1)) === socket.sent.length - 1, 'before the socket closed');
});

test('a gateway whose welcome asks for no viewing signals gets none', async () => {
  const { d, socket } = device();
  socket.open();
  socket.receive({ welcome: { heartbeatIntervalMs: 25000 } });
  d.playing('ev');
  d.stopped('ev');
  equal(socket.viewing(), [], 'an older gateway would close on a frame it does not know');
  d.close();
});

test('viewing frames stay within a quarter of the inbound budget; the latest state of each event goes out', async () => {
  const { d, socket } = device();
  socket.open();
  socket.receive(welcomeViewing(60000));
  for (let i = 0; i < 20; i += 1) {
    d.playing(`ev-${i}`, { sessionId: `s-${i}` });
  }
  equal(socket.viewing().length, 10, 'a burst of 10');
  d.stopped('ev-15');
  await until(() => socket.viewing().length >= 20, 'the rest at 5 a second', 5000);
  const last = Object.fromEntries(socket.viewing().map((v) => [v.eventId, v.state]));
  equal(last['ev-15'], 'STOPPED', 'ev-15 was stopped before its PLAYING went out: only STOPPED');
  equal(socket.viewing().filter((v) => v.eventId === 'ev-15').length, 1, 'coalesced');
  const budget = new FrameBudget(5, 10, () => 0);
  for (let i = 0; i < 10; i += 1) budget.take();
  equal([budget.take(), budget.wait()], [false, 200], 'empty: the next token in 200 ms');
  d.close();
});

test('bad input: no event id is refused; session ids are UUIDs without randomUUID too', () => {
  const { d } = device();
  let refused = null;
  try {
    d.playing('  ');
  } catch (error) {
    refused = error;
  }
  assert(refused instanceof TypeError, 'a blank event id is refused (the gateway would close with 1007)');
  try {
    // An own property hides Crypto.prototype.randomUUID, as in a page that is not a secure context.
    Object.defineProperty(globalThis.crypto, 'randomUUID', { value: undefined, configurable: true });
    assert(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(newSessionId()), 'from getRandomValues');
  } finally {
    delete globalThis.crypto.randomUUID;
  }
  assert(typeof globalThis.crypto.randomUUID === 'function', 'restored');
  d.close();
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
