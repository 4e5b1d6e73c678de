// TypeScript declarations of kickoff-device.js (docs/protocol.md, sub-protocol kickoff.v1.json).

export const VERSION: string;
export const SUBPROTOCOL: 'kickoff.v1.json';

export type Stage = 'STAGE_UNSPECIFIED' | 'SCHEDULED' | 'PREFETCH' | 'PRE_SHOW' | 'LIVE' | 'ENDED' | 'CANCELLED' | string;

/** A title of a rendering (protocol §4, canonical JSON). */
export interface TitleCard {
  titleId?: string;
  name?: string;
  synopsis?: string;
  maturity?: string;
  genres?: string[];
  artworkUrl?: string;
}

/** What a stage of an event shows: `bundle.stages[stage]`. */
export interface Rendering {
  rowTitle?: string;
  callToAction?: string;
  titles?: TitleCard[];
  badges?: string[];
}

export interface Bundle {
  eventId: string;
  segment?: string;
  /** A content hash: equal versions are equal bytes. */
  version: string;
  stages?: Record<string, Rendering>;
  /** RFC 3339; the bundle is dropped from the cache after it. */
  expiresAt?: string;
}

/** Where a rendering came from. */
export type RenderSource = 'cache' | 'push' | 'fetch' | 'generic' | 'restored';

export interface StageInfo {
  /** uint64 as a decimal string. */
  seq: string;
  bundleVersion: string;
  issuedAt: string | null;
  scheduledStart: string | null;
  reason: string;
  source: RenderSource;
  bundle: Bundle | null;
}

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'connected' | 'waiting' | 'unauthorized' | 'closed';

export interface ConnectionDetail {
  gateway?: string;
  nodeId?: string | null;
  sessionId?: string | null;
  /** Why the device waits (`waiting`). */
  reason?: string;
  /** How long it waits before the next attempt (`waiting`). */
  delayMs?: number;
  /** Set when the wait is a gateway's `Retry-After`. */
  retryAfterMs?: number;
  /** Failures since the last welcome (`waiting` after a backoff). */
  attempt?: number;
}

/** Same interface as `localStorage`. */
export interface DeviceStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface DeviceOptions {
  /** `ws://host:port/v1/connect` (the path is added if missing); several: go_away moves to another. */
  gateway: string | string[];
  /** A device token (HS256 JWT), or a function returning one (called before every connect). */
  token: string | (() => string | Promise<string>);
  /** Base URL of the bundle API (e.g. `http://127.0.0.1:8082`); without it a missing bundle is not fetched. */
  bundleApi?: string;
  /** Where positions, stages and bundles are kept; `localStorage` by default. */
  storage?: DeviceStorage;
  /** Key prefix in the storage (default `kickoff-device`); the token's device id is appended. */
  storageKey?: string;
  /** `hello.client_version` (default `kickoff-device.js/<VERSION>`). */
  clientVersion?: string;
  /** How long bundles may take to follow a welcome before a snapshot entry's bundle is fetched (ms, default 1000). */
  bundleWait?: number;
  /** Test hook: receive updates but do not ack them (the gateway redelivers). */
  holdAcks?: boolean;
  /** A stage was applied (or its bundle arrived): render `rendering`, or the app's generic screen when null. */
  onStage?: (eventId: string, stage: Stage, rendering: Rendering | null, info: StageInfo) => void;
  /** A bundle was pushed by the gateway or fetched from the bundle API and is now cached. */
  onBundle?: (bundle: Bundle, source: 'push' | 'fetch') => void;
  onConnection?: (state: ConnectionState, detail: ConnectionDetail) => void;
  onError?: (error: Error & { kind: string; status?: number; code?: string }) => void;
  /** For tests: randomness of backoff and ping offsets, clock, WebSocket and fetch. */
  random?: () => number;
  now?: () => number;
  WebSocket?: typeof WebSocket;
  fetch?: typeof fetch;
}

export interface DeviceStats {
  connects: number; welcomes: number; received: number; applied: number; duplicates: number; acks: number;
  bundlesPushed: number; bundlesFetched: number; criticalFetches: number; failedFetches: number; retryAfters: number;
  /** `viewing` frames sent; heartbeats skipped because the SDK's viewing budget (5/s, burst 10) was spent. */
  viewingSignals: number; viewingSkipped: number;
}

/** What a player does with an event (protocol §6a, `PlaybackState`). */
export type PlaybackState = 'PLAYING' | 'PAUSED' | 'STOPPED';

/** What the app tells the SDK with `playing`, `paused` and `stopped`. All optional. */
export interface PlaybackOptions {
  /**
   * The playback position (ms) now; or a function the SDK calls for it at every signal (e.g. from the video element).
   * A number is advanced by the time played since; absent: the position goes on from where the SDK had it (0 at first).
   */
  positionMs?: number | (() => number);
  /** The playback's id (`viewing.session_id`); absent: the current one, or a new random UUID for a new playback. */
  sessionId?: string;
}

export interface Playback {
  state: 'PLAYING' | 'PAUSED';
  sessionId: string;
  positionMs: number;
}

export interface EventState {
  stage: Stage;
  seq: string;
  bundleVersion: string;
  renderedFrom?: RenderSource;
  renderedVersion?: string | null;
}

export interface Device {
  readonly state: {
    connection: ConnectionState;
    nodeId: string | null;
    sessionId: string | null;
    events: Record<string, EventState>;
    lastClose: { code: number; reason: string } | null;
    clockOffsetMs?: number;
  };
  readonly stats: DeviceStats;
  holdAcks: boolean;
  /** Sends STOPPED for every playback, closes the socket and stops reconnecting. */
  close(): void;
  bundle(eventId: string): Bundle | null;
  rendering(eventId: string): Rendering | null;
  /** Stops withholding acks and acks the latest update of every event. */
  releaseAcks(): void;
  /**
   * The player started or resumed playing the event: `viewing` PLAYING now (or once welcomed), then a heartbeat every
   * `welcome.viewing_heartbeat_interval_ms` while it plays, and PLAYING again after every reconnect. Returns the
   * session id. Throws a TypeError for a blank event id.
   */
  playing(eventId: string, options?: PlaybackOptions): string;
  /** The player paused: PAUSED, heartbeats stop. Returns the session id, or null when nothing was played. */
  paused(eventId: string, options?: PlaybackOptions): string | null;
  /** The player stopped or left the event: STOPPED, the playback is forgotten. Returns its session id, or null. */
  stopped(eventId: string, options?: PlaybackOptions): string | null;
  /** The playback of an event as the SDK knows it, or null (never played, stopped, or the event ended). */
  playback(eventId: string): Playback | null;
}

export function connect(options: DeviceOptions): Device;

export function backoffDelay(attempt: number, policy?: { baseDelayMs: number; maxDelayMs: number }, random?: () => number): number;
export function isNewer(seq: string | number, position?: string | number | null): boolean;
export function retryAfterMs(header: string | null, now?: number): number | null;
export function tokenClaims(token: string): Record<string, unknown> | null;
export function httpUrl(wsUrl: string): string;
export function isExpired(bundle: Bundle | null, now?: number): boolean;
/** A random UUID (`crypto.randomUUID` where available, else from `crypto.getRandomValues`). */
export function newSessionId(random?: () => number): string;
/** A token bucket of frames. */
export class FrameBudget {
  constructor(perSecond: number, burst: number, now?: () => number);
  /** Spends a token if there is one. */
  take(): boolean;
  /** Milliseconds until a token is there (0: now). */
  wait(): number;
}
