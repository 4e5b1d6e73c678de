// Kickoff device SDK for browsers: one ES module, no dependencies, no build step.
// It implements docs/protocol.md (v1, sub-protocol kickoff.v1.json) and is the reference client for browsers.

export const VERSION = '0.1.0';
export const SUBPROTOCOL = 'kickoff.v1.json';

const FINAL = new Set(['ENDED', 'CANCELLED']);
// Before the first welcome the policy is not known yet: the simulator's defaults (protocol §6).
const DEFAULT_POLICY = Object.freeze({ baseDelayMs: 250, maxDelayMs: 30000 });
const DEFAULT_HEARTBEAT_MS = 25000;
const DEAD_AFTER_INTERVALS = 3;
// Final events are kept (their position stops a late duplicate) up to this many; the oldest go first.
const MAX_FINAL_POSITIONS = 100;
// Viewing signals (protocol §6a) spend the connection's inbound budget (20 frames/s, burst 50) with acks and pings:
// the SDK keeps them to a quarter of it.
const VIEWING_PER_SECOND = 5;
const VIEWING_BURST = 10;
// A gateway asking for heartbeats faster than this is not obeyed (the budget above would refuse most of them anyway).
const MIN_VIEWING_HEARTBEAT_MS = 100;

/**
 * Puts a device on the page: keeps one WebSocket to a gateway, renders stages from cached bundles.
 * @param {import('./kickoff-device').DeviceOptions} options
 * @returns {import('./kickoff-device').Device}
 */
export function connect(options) {
  const device = new Device(options);
  device.start();
  return device;
}

// ---- pure logic, exported for tests ------------------------------------------------------------------------

/** Full-jitter exponential backoff (protocol §6): uniform in [0, min(max, base × 2^attempt)). */
export function backoffDelay(attempt, policy = DEFAULT_POLICY, random = Math.random) {
  const base = Number(policy.baseDelayMs) || DEFAULT_POLICY.baseDelayMs;
  const max = Number(policy.maxDelayMs) || DEFAULT_POLICY.maxDelayMs;
  const ceiling = Math.min(max, base * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

/** Whether `seq` is newer than `position` (both uint64 as string or number; absent position = 0). */
export function isNewer(seq, position) {
  return BigInt(String(seq ?? 0)) > BigInt(String(position ?? 0));
}

/** `Retry-After` as milliseconds (delta-seconds or an HTTP date), or null when absent or unreadable. */
export function retryAfterMs(header, now = Date.now()) {
  if (header == null || String(header).trim() === '') return null;
  const text = String(header).trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** The claims of a JWT (not verified: the gateway does that), or null. */
export function tokenClaims(token) {
  try {
    const part = String(token).split('.')[1];
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='));
    return JSON.parse(json);
  } catch {
    return null;
  }
}

/** The plain-HTTP address of a WebSocket address, for the admission check after a refused open. */
export function httpUrl(wsUrl) {
  return String(wsUrl).replace(/^ws(s?):/i, 'http$1:');
}

/** A new playback session id: a random UUID (`crypto.randomUUID` where the page may use it). */
export function newSessionId(random = Math.random) {
  const crypto = globalThis.crypto;
  if (crypto && typeof crypto.randomUUID === 'function') {
    try {
      return crypto.randomUUID();
    } catch { /* not a secure context in some browsers: below */ }
  }
  const bytes = new Uint8Array(16);
  if (crypto && typeof crypto.getRandomValues === 'function') crypto.getRandomValues(bytes);
  else for (let i = 0; i < 16; i += 1) bytes[i] = Math.floor(random() * 256);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A token bucket of frames: `take()` spends one if there is one; `wait()` is the time until the next. */
export class FrameBudget {
  constructor(perSecond, burst, now = () => Date.now()) {
    this.perSecond = perSecond;
    this.burst = burst;
    this.now = now;
    this.tokens = burst;
    this.at = now();
  }

  refill() {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) * this.perSecond) / 1000);
    this.at = now;
  }

  take() {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  wait() {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * 1000) / this.perSecond);
  }
}

/** Whether a bundle's `expiresAt` has passed (absent = never). */
export function isExpired(bundle, now = Date.now()) {
  const at = bundle && bundle.expiresAt ? Date.parse(bundle.expiresAt) : NaN;
  return !Number.isNaN(at) && at <= now;
}

// ---- the device ---------------------------------------------------------------------------------------------

/** What the device remembers across reconnects and page reloads, in the given storage under one key. */
class Memory {
  constructor(storage, key, now) {
    this.storage = storage;
    this.key = key;
    this.now = now;
    let saved = null;
    try {
      saved = JSON.parse(storage.getItem(key) || 'null');
    } catch {
      saved = null;
    }
    this.positions = (saved && saved.positions) || {};   // event → last applied seq (string)
    this.events = (saved && saved.events) || {};         // event → {stage, seq, bundleVersion, ...} last applied
    this.bundles = (saved && saved.bundles) || {};       // event → bundle (canonical JSON), one version per event
    this.etag = (saved && saved.etag) || null;           // ETag of the last bundle listing, while nothing was dropped
    this.dropExpired();
  }

  save() {
    try {
      this.storage.setItem(this.key, JSON.stringify({
        positions: this.positions, events: this.events, bundles: this.bundles, etag: this.etag,
      }));
    } catch {
      // storage full or denied: the device goes on from memory and resumes from the gateway's snapshot
    }
  }

  dropExpired() {
    let dropped = false;
    for (const [id, bundle] of Object.entries(this.bundles)) {
      if (isExpired(bundle, this.now())) {
        delete this.bundles[id];
        dropped = true;
      }
    }
    if (dropped) this.etag = null;
    return dropped;
  }

  bundle(eventId) {
    const bundle = this.bundles[eventId];
    if (!bundle) return null;
    if (isExpired(bundle, this.now())) {
      delete this.bundles[eventId];
      this.etag = null;
      this.save();
      return null;
    }
    return bundle;
  }

  bundleVersions() {
    this.dropExpired();
    const versions = {};
    for (const [id, bundle] of Object.entries(this.bundles)) versions[id] = bundle.version;
    return versions;
  }

  forgetOldFinals() {
    const finals = Object.entries(this.events).filter(([, e]) => FINAL.has(e.stage));
    if (finals.length <= MAX_FINAL_POSITIONS) return;
    finals.sort((a, b) => String(a[1].appliedAt).localeCompare(String(b[1].appliedAt)));
    for (const [id] of finals.slice(0, finals.length - MAX_FINAL_POSITIONS)) {
      delete this.events[id];
      delete this.positions[id];
    }
  }
}

class MemoryStorage {
  constructor() { this.map = new Map(); }
  getItem(key) { return this.map.has(key) ? this.map.get(key) : null; }
  setItem(key, value) { this.map.set(key, String(value)); }
  removeItem(key) { this.map.delete(key); }
}

/**
 * What the app's player does, per event, and the `viewing` frames that tell the gateway (protocol §6a): one on every
 * change of state, and while playing one every `welcome.viewing_heartbeat_interval_ms`. Sent only on a welcomed
 * connection to a gateway whose welcome asks for them (an older gateway would close on a frame it does not know);
 * what cannot be sent yet waits, the latest state per event, and goes out once welcomed: a device still playing
 * says PLAYING again on every new connection.
 */
class Viewing {
  constructor(device) {
    this.device = device;
    this.plays = new Map();   // event → {state, sessionId, base, at, read, heartbeat}: PLAYING or PAUSED
    this.pending = new Map(); // event → {state, sessionId, positionMs}: changes not sent yet, the latest per event
    this.intervalMs = 0;      // from the welcome of the current connection; 0: no viewing frames on it
    this.budget = new FrameBudget(VIEWING_PER_SECOND, VIEWING_BURST, device.now);
    this.flushing = null;
  }

  playing(eventId, options = {}) {
    const id = eventKey(eventId, 'playing');
    let play = this.plays.get(id);
    const sessionId = options.sessionId != null ? String(options.sessionId) : play ? play.sessionId : newSessionId(this.device.random);
    const changed = !play || play.state !== 'PLAYING' || play.sessionId !== sessionId;
    if (!play) {
      play = { state: null, sessionId, base: 0, at: this.device.now(), read: null, heartbeat: null };
      this.plays.set(id, play);
    }
    this.move(play, options);
    play.state = 'PLAYING';
    play.sessionId = sessionId;
    if (changed) {
      // A seek or a repeated call while playing changes no state: the next heartbeat carries the position.
      this.stopHeartbeat(play);
      this.queue(id, { state: 'PLAYING', sessionId, positionMs: null });
      this.startHeartbeat(id, play);
    }
    return sessionId;
  }

  paused(eventId, options = {}) {
    const id = eventKey(eventId, 'paused');
    const play = this.plays.get(id);
    if (!play || play.state !== 'PLAYING') return play ? play.sessionId : null;
    this.move(play, options);
    play.state = 'PAUSED';
    this.stopHeartbeat(play);
    this.queue(id, { state: 'PAUSED', sessionId: play.sessionId, positionMs: this.position(play) });
    return play.sessionId;
  }

  stopped(eventId, options = {}) {
    const id = eventKey(eventId, 'stopped');
    const play = this.plays.get(id);
    if (!play) return null;
    this.move(play, options);
    this.stopHeartbeat(play);
    this.plays.delete(id);
    this.queue(id, { state: 'STOPPED', sessionId: play.sessionId, positionMs: this.position(play) });
    return play.sessionId;
  }

  playback(eventId) {
    const play = this.plays.get(String(eventId));
    return play ? { state: play.state, sessionId: play.sessionId, positionMs: Math.floor(this.position(play)) } : null;
  }

  /** A welcome: what the gateway asks for, then everyone still playing says so again, with its heartbeats. */
  onWelcome(welcome) {
    const interval = Number(welcome.viewingHeartbeatIntervalMs) || 0;
    this.intervalMs = interval > 0 ? Math.max(MIN_VIEWING_HEARTBEAT_MS, interval) : 0;
    if (!this.intervalMs) {
      this.pending.clear(); // this gateway takes no viewing frames: nothing waits for it
      return;
    }
    for (const [id, play] of this.plays) {
      if (play.state !== 'PLAYING') continue;
      this.queue(id, { state: 'PLAYING', sessionId: play.sessionId, positionMs: null });
      this.startHeartbeat(id, play);
    }
    this.flush();
  }

  /** The connection is gone: its timers are (the device cleared them); the plays go on. */
  onDisconnect() {
    this.intervalMs = 0;
    this.flushing = null;
    for (const play of this.plays.values()) play.heartbeat = null;
  }

  /** The event ended (or was cancelled): its playback stops. */
  onFinal(eventId) {
    if (this.plays.has(eventId)) this.stopped(eventId);
  }

  /** The device closes for good: STOPPED for every playback, sent if the budget allows. */
  onClose() {
    for (const id of [...this.plays.keys()]) this.stopped(id);
    this.pending.clear();
  }

  // ---- sending ---------------------------------------------------------------------------------------------

  live() {
    const socket = this.device.socket;
    return this.intervalMs > 0 && socket != null && socket.readyState === 1 && this.device.state.connection === 'connected';
  }

  queue(id, signal) {
    this.pending.delete(id);
    this.pending.set(id, signal);
    this.flush();
  }

  /** Sends what waits, oldest change first, as far as the budget allows; the rest when it allows more. */
  flush() {
    if (!this.live()) return;
    for (const [id, signal] of this.pending) {
      if (!this.budget.take()) {
        if (!this.flushing) {
          this.flushing = this.device.later(this.budget.wait(), () => {
            this.flushing = null;
            this.flush();
          });
        }
        return;
      }
      this.pending.delete(id);
      this.send(id, signal);
    }
  }

  startHeartbeat(id, play) {
    if (!this.live() || play.heartbeat) return;
    const beat = () => {
      play.heartbeat = null;
      if (this.plays.get(id) !== play || play.state !== 'PLAYING' || !this.live()) return;
      if (!this.pending.has(id)) {
        // A skipped heartbeat costs nothing while the next one follows in time (protocol §6a).
        if (this.budget.take()) this.send(id, { state: 'PLAYING', sessionId: play.sessionId, positionMs: null });
        else this.device.stats.viewingSkipped += 1;
      }
      play.heartbeat = this.device.later(this.intervalMs, beat);
    };
    play.heartbeat = this.device.later(this.intervalMs, beat);
  }

  stopHeartbeat(play) {
    if (play.heartbeat) this.device.cancel(play.heartbeat);
    play.heartbeat = null;
  }

  send(id, signal) {
    const play = this.plays.get(id);
    const positionMs = signal.positionMs ?? (play ? this.position(play) : 0);
    this.device.send({
      viewing: {
        eventId: id, state: signal.state, positionMs: String(Math.max(0, Math.floor(positionMs))), sessionId: signal.sessionId,
      },
    });
    this.device.stats.viewingSignals += 1;
  }

  // ---- position --------------------------------------------------------------------------------------------

  /** The position now: the app's `positionMs` function, or the last position given plus the time played since. */
  position(play) {
    if (play.read) {
      try {
        const read = Number(play.read());
        if (Number.isFinite(read)) return read;
      } catch (error) {
        this.device.report('callback', error);
      }
    }
    return play.base + (play.state === 'PLAYING' ? Math.max(0, this.device.now() - play.at) : 0);
  }

  /** Takes the position the app gave (a number or a function), else keeps counting from where the play stands. */
  move(play, options) {
    const given = options.positionMs;
    const now = this.device.now();
    if (typeof given === 'function') {
      play.read = given;
      play.base = 0;
    } else if (given != null && Number.isFinite(Number(given))) {
      play.read = null;
      play.base = Number(given);
    } else {
      play.base = this.position(play);
    }
    play.at = now;
  }
}

function eventKey(eventId, method) {
  const id = eventId == null ? '' : String(eventId);
  if (id.trim() === '') throw new TypeError(`${method}() needs an event id`); // the gateway would close with 1007
  return id;
}

class Device {
  constructor(options) {
    if (!options || !options.gateway) throw new TypeError('connect() needs {gateway, token}');
    if (options.token == null) throw new TypeError('connect() needs a device token (token: string or function)');
    this.options = options;
    this.gateways = (Array.isArray(options.gateway) ? options.gateway : [options.gateway]).map(connectUrl);
    this.gatewayIndex = 0;
    this.bundleApi = options.bundleApi ? String(options.bundleApi).replace(/\/+$/, '') : null;
    this.random = options.random || Math.random;
    this.now = options.now || (() => Date.now());
    this.WebSocket = options.WebSocket || globalThis.WebSocket;
    this.fetch = options.fetch || ((...args) => globalThis.fetch(...args));
    this.bundleWait = options.bundleWait ?? 1000;
    /** Test hook: receive updates without acking them (the gateway redelivers them). */
    this.holdAcks = Boolean(options.holdAcks);
    this.storage = options.storage || safeLocalStorage() || new MemoryStorage();
    this.storagePrefix = options.storageKey || 'kickoff-device';
    this.memory = null;
    this.socket = null;
    this.timers = new Set();
    this.attempt = 0;
    this.policy = DEFAULT_POLICY;
    this.heartbeatMs = DEFAULT_HEARTBEAT_MS;
    this.nonce = 0;
    this.closed = false;
    this.fetching = null;
    this.fetchAgain = false;
    this.waitingForBundle = new Set();
    this.stats = {
      connects: 0, welcomes: 0, received: 0, applied: 0, duplicates: 0, acks: 0,
      bundlesPushed: 0, bundlesFetched: 0, criticalFetches: 0, failedFetches: 0, retryAfters: 0,
      viewingSignals: 0, viewingSkipped: 0,
    };
    this.state = { connection: 'idle', nodeId: null, sessionId: null, events: {}, lastClose: null };
    this.viewing = new Viewing(this);
  }

  start() {
    this.setConnection('connecting', {});
    this.open();
  }

  /** Stops for good: closes the socket and cancels every timer. */
  close() {
    this.closed = true;
    this.viewing.onClose();
    this.clearTimers();
    if (this.socket) {
      try { this.socket.close(1000, 'closed by the app'); } catch { /* already closing */ }
      this.socket = null;
    }
    this.setConnection('closed', {});
  }

  /**
   * The app's player started (or resumed) playing an event: sends `viewing` PLAYING, then a heartbeat every
   * `welcome.viewing_heartbeat_interval_ms` while it plays (protocol §6a). Returns the playback's session id.
   */
  playing(eventId, options) {
    return this.viewing.playing(eventId, options);
  }

  /** The player paused the event: sends PAUSED and stops the heartbeats. Nothing when it was not playing. */
  paused(eventId, options) {
    return this.viewing.paused(eventId, options);
  }

  /** The player stopped or left the event: sends STOPPED and forgets the playback. Nothing when there was none. */
  stopped(eventId, options) {
    return this.viewing.stopped(eventId, options);
  }

  /** What the player does with an event as the SDK knows it (`{state, sessionId, positionMs}`), or null. */
  playback(eventId) {
    return this.viewing.playback(eventId);
  }

  /** The bundle held for an event, or null. */
  bundle(eventId) {
    return this.memory ? this.memory.bundle(eventId) : null;
  }

  /** What the current stage of an event renders from the held bundle, or null. */
  rendering(eventId) {
    const event = this.memory && this.memory.events[eventId];
    const bundle = event && this.bundle(eventId);
    return (bundle && bundle.stages && bundle.stages[event.stage]) || null;
  }

  /** Stops withholding acks (test hook) and acks the latest update of every event at once. */
  releaseAcks() {
    this.holdAcks = false;
    if (!this.memory) return;
    for (const [eventId, seq] of Object.entries(this.memory.positions)) this.send({ ack: { eventId, seq: String(seq) } });
  }

  // ---- connection ------------------------------------------------------------------------------------------

  async open() {
    if (this.closed) return;
    let token;
    try {
      token = typeof this.options.token === 'function' ? await this.options.token() : this.options.token;
    } catch (error) {
      this.report('token', error);
      this.retryLater({ reason: 'token unavailable' });
      return;
    }
    const claims = tokenClaims(token);
    if (!this.memory) {
      const device = (claims && claims.sub) || 'device';
      this.memory = new Memory(this.storage, `${this.storagePrefix}:${device}`, this.now);
      this.restore();
    }
    if (claims && typeof claims.exp === 'number' && claims.exp * 1000 <= this.now()) {
      // The gateway would answer 401: the same token never works again (protocol §6).
      if (typeof this.options.token === 'function') {
        this.retryLater({ reason: 'token expired' });
      } else {
        this.setConnection('unauthorized', { reason: 'token expired' });
      }
      return;
    }
    this.token = token;
    const address = this.gateways[this.gatewayIndex];
    const url = address + (address.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(token);
    let socket;
    try {
      socket = new this.WebSocket(url, [SUBPROTOCOL]);
    } catch (error) {
      this.report('socket', error);
      this.retryLater({ reason: 'cannot open a WebSocket' });
      return;
    }
    this.socket = socket;
    this.stats.connects += 1;
    let opened = false;
    let goAway = null;
    socket.onopen = () => {
      opened = true;
      this.lastHeard = this.now();
      this.send(this.hello());
      this.setConnection('open', { gateway: address });
      this.watchHeartbeat(socket);
    };
    socket.onmessage = (message) => {
      this.lastHeard = this.now();
      let frame;
      try {
        frame = JSON.parse(message.data);
      } catch (error) {
        this.report('frame', error);
        return;
      }
      if (frame.goAway) {
        goAway = frame.goAway;
      }
      this.onFrame(frame, socket);
    };
    socket.onclose = (event) => {
      if (this.socket === socket) this.socket = null;
      this.clearTimers();
      this.viewing.onDisconnect();
      this.state.lastClose = { code: event.code, reason: event.reason };
      if (this.closed) return;
      if (goAway) {
        // Exactly the given delay, no backoff, preferably another gateway (protocol §6).
        this.pickAnotherGateway();
        this.reconnectIn(Number(goAway.reconnectAfterMs || 0), { reason: `go_away ${goAway.reason || ''}`.trim() });
      } else if (!opened) {
        // A browser cannot see why an upgrade was refused: ask the gateway with a plain GET (protocol §2).
        this.admissionCheck(address);
      } else {
        this.retryLater({ reason: `closed ${event.code}${event.reason ? ' ' + event.reason : ''}` });
      }
    };
  }

  hello() {
    return {
      hello: {
        positions: Object.fromEntries(Object.entries(this.memory.positions).map(([id, seq]) => [id, String(seq)])),
        bundleVersions: this.memory.bundleVersions(),
        capabilities: ['bundles'],
        clientVersion: this.options.clientVersion || `kickoff-device.js/${VERSION}`,
      },
    };
  }

  async admissionCheck(address) {
    let wait = null;
    let status = null;
    try {
      const answer = await this.fetch(httpUrl(address), { cache: 'no-store' });
      status = answer.status;
      if (status === 503 || status === 429) wait = retryAfterMs(answer.headers.get('Retry-After'), this.now());
      if (status === 401) {
        this.setConnection('unauthorized', { reason: 'refused by the gateway' });
        return;
      }
    } catch {
      // unreachable, or no CORS answer: nothing learnt, back off
    }
    if (this.closed) return;
    if (wait != null) {
      this.stats.retryAfters += 1;
      this.reconnectIn(wait, { reason: `refused ${status}`, retryAfterMs: wait });
    } else {
      this.retryLater({ reason: status ? `refused (${status})` : 'cannot connect' });
    }
  }

  retryLater(detail) {
    const delay = backoffDelay(this.attempt, this.policy, this.random);
    this.attempt += 1;
    this.reconnectIn(delay, { ...detail, attempt: this.attempt });
  }

  reconnectIn(delayMs, detail) {
    this.setConnection('waiting', { ...detail, delayMs });
    this.later(delayMs, () => {
      this.setConnection('connecting', {});
      this.open();
    });
  }

  pickAnotherGateway() {
    if (this.gateways.length < 2) return;
    const others = this.gateways.map((_, i) => i).filter((i) => i !== this.gatewayIndex);
    this.gatewayIndex = others[Math.floor(this.random() * others.length)];
  }

  watchHeartbeat(socket) {
    const check = () => {
      if (this.socket !== socket) return;
      if (this.now() - this.lastHeard > DEAD_AFTER_INTERVALS * this.heartbeatMs) {
        try { socket.close(1000, 'nothing heard for 3 heartbeat intervals'); } catch { /* closing */ }
        return;
      }
      this.later(this.heartbeatMs, check);
    };
    this.later(this.heartbeatMs, check);
  }

  startPings(socket) {
    const ping = () => {
      if (this.socket !== socket) return;
      this.nonce += 1;
      this.send({ ping: { nonce: String(this.nonce) } });
      this.later(this.heartbeatMs, ping);
    };
    // A random first offset, so that devices that connected together do not ping together.
    this.later(Math.floor(this.random() * this.heartbeatMs), ping);
  }

  // ---- frames ----------------------------------------------------------------------------------------------

  onFrame(frame, socket) {
    if (frame.welcome) {
      const welcome = frame.welcome;
      this.attempt = 0;
      this.stats.welcomes += 1;
      this.heartbeatMs = Number(welcome.heartbeatIntervalMs) || DEFAULT_HEARTBEAT_MS;
      if (welcome.reconnect) {
        this.policy = {
          baseDelayMs: Number(welcome.reconnect.baseDelayMs) || DEFAULT_POLICY.baseDelayMs,
          maxDelayMs: Number(welcome.reconnect.maxDelayMs) || DEFAULT_POLICY.maxDelayMs,
        };
      }
      this.state.nodeId = welcome.nodeId || null;
      this.state.sessionId = welcome.sessionId || null;
      if (welcome.serverTime) this.state.clockOffsetMs = Date.parse(welcome.serverTime) - this.now();
      this.startPings(socket);
      this.setConnection('connected', { nodeId: this.state.nodeId, sessionId: this.state.sessionId });
      for (const update of welcome.snapshot || []) this.onUpdate(update, true);
      this.viewing.onWelcome(welcome);
    } else if (frame.stageUpdate) {
      this.onUpdate(frame.stageUpdate, false);
    } else if (frame.bundle) {
      this.onBundle(frame.bundle, 'push');
    } else if (frame.error) {
      this.report('gateway', Object.assign(new Error(frame.error.message || frame.error.code), { code: frame.error.code }));
    } else if (frame.goAway) {
      // Leave now; the close handler reconnects after the given delay. The gateway closes too (1001).
      try { socket.close(1000, 'go_away'); } catch { /* closing */ }
    }
    // pong: nothing to do beyond lastHeard; unknown frames are ignored (protocol §10).
  }

  onUpdate(update, snapshot) {
    const eventId = update.eventId;
    const seq = String(update.seq ?? '0');
    this.stats.received += 1;
    const memory = this.memory;
    const applies = isNewer(seq, memory.positions[eventId]);
    if (applies) {
      // Remembered before the ack goes out: a reload never resumes below what was acked.
      memory.positions[eventId] = seq;
      memory.events[eventId] = {
        stage: update.stage, seq, bundleVersion: update.bundleVersion || '', issuedAt: update.issuedAt || null,
        scheduledStart: update.scheduledStart || null, reason: update.reason || '', appliedAt: new Date(this.now()).toISOString(),
      };
      if (FINAL.has(update.stage)) {
        if (memory.bundles[eventId]) {
          delete memory.bundles[eventId];
          memory.etag = null;
        }
        memory.forgetOldFinals();
      }
      memory.save();
      // The player cannot go on playing an event that is over: STOPPED (protocol §6a).
      if (FINAL.has(update.stage)) this.viewing.onFinal(eventId);
      this.stats.applied += 1;
    } else {
      this.stats.duplicates += 1;
    }
    if (!this.holdAcks) {
      this.send({ ack: { eventId, seq } });
      this.stats.acks += 1;
    }
    if (applies) this.render(eventId, snapshot);
  }

  /** Renders the applied stage of an event from the cache, or fetches its bundle first (protocol §8). */
  render(eventId, snapshot) {
    const event = this.memory.events[eventId];
    if (!event) return;
    this.state.events[eventId] = { ...event };
    if (FINAL.has(event.stage) || event.bundleVersion === '') {
      this.emitStage(eventId, event, null, 'generic');
      return;
    }
    const held = this.memory.bundle(eventId);
    if (held && held.version === event.bundleVersion) {
      this.emitStage(eventId, event, held, 'cache');
      return;
    }
    this.waitingForBundle.add(eventId);
    if (snapshot && this.bundleWait > 0) {
      // The bundles the device lacks follow the welcome: fetch only what is still missing once they landed.
      this.later(this.bundleWait, () => this.fetchMissing());
    } else {
      this.fetchMissing();
    }
  }

  emitStage(eventId, event, bundle, source) {
    this.waitingForBundle.delete(eventId);
    const rendering = (bundle && bundle.stages && bundle.stages[event.stage]) || null;
    this.state.events[eventId] = { ...event, renderedFrom: source, renderedVersion: bundle ? bundle.version : null };
    this.callback('onStage', eventId, event.stage, rendering, {
      seq: event.seq, bundleVersion: event.bundleVersion, issuedAt: event.issuedAt,
      scheduledStart: event.scheduledStart, reason: event.reason, source, bundle,
    });
  }

  onBundle(bundle, source) {
    if (!bundle || !bundle.eventId || isExpired(bundle, this.now())) return;
    const event = this.memory.events[bundle.eventId];
    if (event && FINAL.has(event.stage)) return;
    this.memory.bundles[bundle.eventId] = bundle;
    this.memory.save();
    this.stats[source === 'push' ? 'bundlesPushed' : 'bundlesFetched'] += 1;
    this.callback('onBundle', bundle, source);
    // A newer version replaces the one held; the screen follows without another request.
    if (event) this.emitStage(bundle.eventId, event, bundle, source);
  }

  /** One critical fetch of the segment's bundles for every event still waiting for its bundle. */
  async fetchMissing() {
    const waiting = [...this.waitingForBundle].filter((id) => {
      const event = this.memory.events[id];
      const held = this.memory.bundle(id);
      if (event && held && held.version === event.bundleVersion) {
        this.emitStage(id, event, held, 'cache');
        return false;
      }
      return Boolean(event);
    });
    if (waiting.length === 0) return;
    if (!this.bundleApi) {
      this.report('bundle', new Error(`no bundleApi to fetch the bundle of ${waiting.join(', ')}`));
      return;
    }
    if (this.fetching) {
      this.fetchAgain = true;
      return;
    }
    this.fetching = this.fetchBundles().finally(() => {
      this.fetching = null;
      if (this.fetchAgain) {
        this.fetchAgain = false;
        this.fetchMissing();
      }
    });
  }

  async fetchBundles() {
    this.stats.criticalFetches += 1;
    const headers = {
      Authorization: `Bearer ${this.token}`, Accept: 'application/json', 'X-Priority': 'critical',
    };
    if (this.memory.etag) headers['If-None-Match'] = this.memory.etag;
    let bundles = [];
    try {
      const answer = await this.fetch(`${this.bundleApi}/v1/bundles`, { headers, cache: 'no-store' });
      if (answer.status === 200) {
        bundles = await answer.json();
        this.memory.etag = answer.headers.get('ETag');
      } else if (answer.status !== 304) {
        throw Object.assign(new Error(`bundle API answered ${answer.status}`), {
          status: answer.status, retryAfterMs: retryAfterMs(answer.headers.get('Retry-After'), this.now()),
        });
      }
    } catch (error) {
      this.stats.failedFetches += 1;
      this.report('bundle', error);
      return; // the previous screen stays (protocol §8)
    }
    for (const bundle of bundles) this.onBundle(bundle, 'fetch');
    for (const id of [...this.waitingForBundle]) {
      // The listing may hold a newer version than the update named: the newest held is rendered.
      const held = this.memory.bundle(id);
      const event = this.memory.events[id];
      if (held && event) this.emitStage(id, event, held, 'fetch');
    }
  }

  /** On start: what the storage says each event shows, before any connection. */
  restore() {
    for (const [eventId, event] of Object.entries(this.memory.events)) {
      if (FINAL.has(event.stage)) continue;
      this.emitStage(eventId, event, this.memory.bundle(eventId), 'restored');
    }
  }

  // ---- plumbing --------------------------------------------------------------------------------------------

  send(frame) {
    const socket = this.socket;
    if (socket && socket.readyState === 1) socket.send(JSON.stringify(frame));
  }

  later(delayMs, task) {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      task();
    }, Math.max(0, delayMs));
    this.timers.add(timer);
    return timer;
  }

  cancel(timer) {
    clearTimeout(timer);
    this.timers.delete(timer);
  }

  clearTimers() {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  setConnection(connection, detail) {
    this.state.connection = connection;
    this.callback('onConnection', connection, detail);
  }

  report(kind, error) {
    if (this.options.onError) this.callback('onError', Object.assign(error instanceof Error ? error : new Error(String(error)), { kind }));
  }

  callback(name, ...args) {
    const fn = this.options[name];
    if (typeof fn !== 'function') return;
    try {
      fn(...args);
    } catch (error) {
      // An app's callback must not break the protocol (acks, positions).
      if (name !== 'onError' && this.options.onError) this.options.onError(Object.assign(error, { kind: 'callback' }));
    }
  }
}

function connectUrl(address) {
  const url = String(address);
  return /\/v1\/connect(\?|$)/.test(url) ? url : url.replace(/\/+$/, '') + '/v1/connect';
}

function safeLocalStorage() {
  try {
    return globalThis.localStorage || null;
  } catch {
    return null; // denied (e.g. some private modes)
  }
}
