'use strict';
// The peer of the side-by-side bench: a minimal broadcast server on the `ws` library that speaks the
// part of the Kickoff device protocol (docs/protocol.md) a simulated device uses, in the JSON
// sub-protocol kickoff.v1.json only. It does the work an at-least-once broadcast server cannot skip:
// it verifies each device's HS256 token at the upgrade (as the gateway does), answers hello with a
// welcome (and the snapshot a device is behind on), encodes each stage update once and sends it to
// every connected device of its audience, parses every JSON ack and records the device's position,
// answers pings, and pings devices at the heartbeat interval. It does not redeliver, rate-limit
// inbound frames, enforce the hello deadline, or drain: see README.md.
//
//   KICKOFF_TOKEN_SECRET=... node --expose-gc server.js [--port 9101] [--host 127.0.0.1] [--node-id ws-peer]
//
//   GET  /healthz                      200 "ok"
//   GET  /stats[?gc=1][&event=E&seq=S] counters as JSON; gc=1 runs a full GC first (needs --expose-gc);
//                                      event+seq also counts devices whose acked position for E is >= S
//   POST /broadcast {"eventId":"e","stage":"LIVE","reason":"manual","segments":[],"scheduledStart":"2099-01-01T00:00:00Z"}
//                                      next seq of the event to every device; answers {"seq":n,...}

const http = require('node:http');
const crypto = require('node:crypto');
const { WebSocketServer } = require('ws');

const SUBPROTOCOL = 'kickoff.v1.json';
const HEARTBEAT_MS = 25_000;   // as the gateway's default: client ping interval, and the server's ping interval
const MAX_FRAME_BYTES = 8192;  // the gateway's inbound message cap
const STAGES = new Set(['SCHEDULED', 'PREFETCH', 'PRE_SHOW', 'LIVE', 'ENDED', 'CANCELLED']);

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const port = Number(option('--port', '9101'));
const host = option('--host', '127.0.0.1');
const nodeId = option('--node-id', 'ws-peer');
const secret = Buffer.from(process.env.KICKOFF_TOKEN_SECRET || 'kickoff-dev-device-token-secret-change-me', 'utf8');
if (secret.length < 32) {
  console.error('ws-peer: KICKOFF_TOKEN_SECRET must be at least 32 bytes');
  process.exit(2);
}

const stats = { upgrades: 0, refused: 0, hellos: 0, acks: 0, pings: 0, broadcasts: 0, sent: 0, replaced: 0, closed: 0 };
const sockets = new Set();        // every upgraded connection (heartbeat, broadcast when greeted)
const byDevice = new Map();       // device id -> its greeted connection (one per device, as the gateway)
const latest = new Map();         // event id -> { update, encoded }: the newest stage update of each event
let nextSession = 0;

// ------------------------------------------------------------------ tokens (protocol.md §2)
function b64json(part) {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}
/** The claims {sub, seg} of a valid token, or {error} with the gateway's error_description. */
function verifyToken(token) {
  const parts = token.trim().split('.');
  if (parts.length !== 3) return { error: 'malformed' };
  let header;
  try { header = b64json(parts[0]); } catch { return { error: 'malformed' }; }
  if (header === null || header.alg !== 'HS256') return { error: 'malformed' };
  const expected = crypto.createHmac('sha256', secret).update(parts[0] + '.' + parts[1]).digest();
  const signature = Buffer.from(parts[2], 'base64url');
  if (signature.length !== expected.length || !crypto.timingSafeEqual(signature, expected)) return { error: 'bad_signature' };
  let claims;
  try { claims = b64json(parts[1]); } catch { return { error: 'malformed' }; }
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) return { error: 'malformed' };
  const { sub, seg, exp } = claims;
  if (typeof sub !== 'string' || !sub.trim() || typeof seg !== 'string' || !seg.trim() || typeof exp !== 'number') {
    return { error: 'missing_claim' };
  }
  if (Date.now() >= exp * 1000) return { error: 'expired' };
  return { sub, seg };
}

function refuse(socket, status, reason, body, headers = '') {
  stats.refused++;
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`
    + `${headers}Connection: close\r\n\r\n${body}`);
}

// ------------------------------------------------------------------ time
// RFC 3339 UTC with microseconds, as the devices compute latency from issued_at in microseconds.
function nowRfc3339() {
  const micros = Math.round((performance.timeOrigin + performance.now()) * 1000);
  const iso = new Date(Math.floor(micros / 1000)).toISOString(); // ...ss.mmmZ
  return iso.slice(0, 23) + String(micros % 1000).padStart(3, '0') + 'Z';
}

// ------------------------------------------------------------------ device sessions
const wss = new WebSocketServer({
  noServer: true,
  clientTracking: false,   // `sockets` is the one set
  perMessageDeflate: false, // the gateway negotiates no extension
  maxPayload: MAX_FRAME_BYTES,
  handleProtocols: (offered) => (offered.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
});

function sendError(ws, code, message, closeCode) {
  ws.send(JSON.stringify({ error: { code, message } }));
  ws.close(closeCode, code);
}

// The listeners use `this` (the socket), so a connection costs no closures.
function onMessage(data, isBinary) {
  this.isAlive = true;
  if (isBinary) return sendError(this, 'MALFORMED_FRAME', 'binary frame on the JSON sub-protocol', 1003);
  let frame;
  try { frame = JSON.parse(data); } catch { return sendError(this, 'MALFORMED_FRAME', 'not JSON', 1007); }
  if (frame === null || typeof frame !== 'object') return sendError(this, 'MALFORMED_FRAME', 'not a ClientFrame', 1007);
  if (frame.ack !== undefined) return onAck(this, frame.ack);
  if (frame.hello !== undefined) return onHello(this, frame.hello);
  if (frame.ping !== undefined) {
    stats.pings++;
    const nonce = frame.ping && frame.ping.nonce;
    const pong = nonce && nonce !== '0' ? { nonce: String(nonce), serverTime: nowRfc3339() } : { serverTime: nowRfc3339() };
    return this.send(JSON.stringify({ pong }));
  }
  sendError(this, 'UNKNOWN_FRAME', 'no known frame', 1008);
}

function onAck(ws, ack) {
  if (!ws.greeted) return sendError(ws, 'PROTOCOL_VIOLATION', 'ack before hello', 1008);
  const eventId = ack && ack.eventId !== undefined ? ack.eventId : ack && ack.event_id;
  const seq = Number(ack && ack.seq);
  if (typeof eventId !== 'string' || !Number.isSafeInteger(seq) || seq < 1) {
    return sendError(ws, 'MALFORMED_FRAME', 'ack needs eventId and seq', 1007);
  }
  stats.acks++;
  // The device's position: what it has acked, the highest seq per event. A resuming device's hello
  // carries the same, so nothing at or below it is sent again.
  if (ws.positions === null) ws.positions = new Map();
  const before = ws.positions.get(eventId);
  if (before === undefined || seq > before) ws.positions.set(eventId, seq);
}

function onHello(ws, hello) {
  if (ws.greeted) return sendError(ws, 'PROTOCOL_VIOLATION', 'second hello', 1008);
  ws.greeted = true;
  stats.hellos++;
  const older = byDevice.get(ws.deviceId);
  if (older !== undefined && older !== ws) {
    stats.replaced++;
    older.send(JSON.stringify({ goAway: { reason: 'replaced' } }));
    older.close(1000, 'replaced');
  }
  byDevice.set(ws.deviceId, ws);
  const positions = (hello && hello.positions) || {};
  const snapshot = [];
  for (const [eventId, { update }] of latest) {
    const held = Number(positions[eventId] || 0);
    if (update.seq > held && audience(update, ws.segment)) {
      snapshot.push(update);
      if (held > 0) {
        if (ws.positions === null) ws.positions = new Map();
        ws.positions.set(eventId, held);
      }
    }
  }
  const welcome = {
    serverTime: nowRfc3339(),
    heartbeatIntervalMs: HEARTBEAT_MS,
    reconnect: { baseDelayMs: 500, maxDelayMs: 30000 },
    nodeId,
    sessionId: (nextSession++).toString(16),
  };
  if (snapshot.length > 0) welcome.snapshot = snapshot.slice(0, 64).map(wireUpdate);
  ws.send(JSON.stringify({ welcome }));
}

function onPong() { this.isAlive = true; }

function onClose() {
  stats.closed++;
  sockets.delete(this);
  if (this.greeted && byDevice.get(this.deviceId) === this) byDevice.delete(this.deviceId);
}

function onSocketError() { /* 'close' follows */ }

// ------------------------------------------------------------------ broadcast
function audience(update, segment) {
  return update.segments.length === 0 || update.segments.includes(segment);
}
function wireUpdate(u) { // canonical JSON: uint64 as a string, empty fields omitted
  const w = { eventId: u.eventId, stage: u.stage, seq: String(u.seq), issuedAt: u.issuedAt };
  if (u.scheduledStart) w.scheduledStart = u.scheduledStart;
  if (u.bundleVersion) w.bundleVersion = u.bundleVersion;
  if (u.reason) w.reason = u.reason;
  if (u.segments.length > 0) w.segments = u.segments;
  return w;
}

function broadcast(request) {
  const { eventId, stage } = request;
  if (typeof eventId !== 'string' || !eventId || !STAGES.has(stage)) return null;
  const segments = Array.isArray(request.segments) ? request.segments.map(String) : [];
  const previous = latest.get(eventId);
  const update = {
    eventId, stage, seq: previous ? previous.update.seq + 1 : 1, issuedAt: nowRfc3339(),
    reason: typeof request.reason === 'string' ? request.reason : 'manual', segments,
    scheduledStart: typeof request.scheduledStart === 'string' ? request.scheduledStart : '',
    bundleVersion: typeof request.bundleVersion === 'string' ? request.bundleVersion : '',
  };
  // Encoded once; every device's send is a frame header around the same bytes.
  const encoded = Buffer.from(JSON.stringify({ stageUpdate: wireUpdate(update) }), 'utf8');
  latest.set(eventId, { update, encoded });
  stats.broadcasts++;
  const started = process.hrtime.bigint();
  let sent = 0;
  for (const ws of sockets) {
    if (ws.greeted && audience(update, ws.segment)) {
      ws.send(encoded, { binary: false });
      sent++;
    }
  }
  stats.sent += sent;
  return { seq: update.seq, issuedAt: update.issuedAt, devices: sent, bytes: encoded.length,
    fanoutMs: Number(process.hrtime.bigint() - started) / 1e6 };
}

// ------------------------------------------------------------------ HTTP: upgrade, broadcast, stats
const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://peer');
  const reply = (status, body) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body) + '\n');
  };
  if (req.method === 'GET' && url.pathname === '/healthz') {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    return res.end('ok\n');
  }
  if (req.method === 'GET' && url.pathname === '/stats') {
    if (url.searchParams.get('gc') === '1' && typeof global.gc === 'function') global.gc();
    const m = process.memoryUsage();
    const body = { ...stats, connections: byDevice.size, sockets: sockets.size, heapUsed: m.heapUsed,
      heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, rss: m.rss,
      gcExposed: typeof global.gc === 'function' };
    const event = url.searchParams.get('event');
    if (event) {
      const seq = Number(url.searchParams.get('seq') || 1);
      let acked = 0;
      for (const ws of byDevice.values()) if (ws.positions !== null && (ws.positions.get(event) || 0) >= seq) acked++;
      body.ackedAtLeast = { event, seq, devices: acked };
    }
    return reply(200, body);
  }
  if (req.method === 'POST' && url.pathname === '/broadcast') {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let request;
      try { request = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { return reply(400, { error: 'body is not JSON' }); }
      const result = broadcast(request || {});
      return result ? reply(200, result) : reply(400, { error: 'wants {"eventId":"...","stage":"LIVE|..."}' });
    });
    return undefined;
  }
  return reply(404, { error: 'not found' });
});

server.on('upgrade', (req, socket, head) => {
  socket.on('error', onSocketError);
  let url;
  try { url = new URL(req.url, 'http://peer'); } catch { return refuse(socket, 400, 'Bad Request', 'bad request target\n'); }
  if (url.pathname !== '/v1/connect') return refuse(socket, 404, 'Not Found', 'no such path\n');
  const offered = String(req.headers['sec-websocket-protocol'] || '').split(',').map((p) => p.trim());
  if (!offered.includes(SUBPROTOCOL)) return refuse(socket, 400, 'Bad Request', `this server speaks only ${SUBPROTOCOL}\n`);
  const authorization = req.headers.authorization || '';
  const token = /^bearer /i.test(authorization) ? authorization.slice(7) : url.searchParams.get('token');
  if (!token) return refuse(socket, 401, 'Unauthorized', 'no device token\n', 'WWW-Authenticate: Bearer\r\n');
  const claims = verifyToken(token);
  if (claims.error) {
    return refuse(socket, 401, 'Unauthorized', `device token refused: ${claims.error}\n`,
      `WWW-Authenticate: Bearer error="invalid_token", error_description="${claims.error}"\r\n`);
  }
  wss.handleUpgrade(req, socket, head, (ws) => {
    stats.upgrades++;
    ws.deviceId = claims.sub;
    ws.segment = claims.seg;
    ws.greeted = false;
    ws.isAlive = true;
    ws.positions = null;
    sockets.add(ws);
    ws.on('message', onMessage);
    ws.on('pong', onPong);
    ws.on('close', onClose);
    ws.on('error', onSocketError);
  });
  return undefined;
});

// The usual ws heartbeat: a connection that answered nothing since the last round is dead.
const heartbeat = setInterval(() => {
  for (const ws of sockets) {
    if (!ws.isAlive) { ws.terminate(); continue; }
    ws.isAlive = false;
    ws.ping();
  }
}, HEARTBEAT_MS);

function stop() {
  clearInterval(heartbeat);
  for (const ws of sockets) ws.terminate();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

server.listen(port, host, () => {
  console.log(`ws-peer ${nodeId} listening on ${host}:${port} (pid ${process.pid}, node ${process.version}, `
    + `gc ${typeof global.gc === 'function' ? 'exposed' : 'not exposed'})`);
});
