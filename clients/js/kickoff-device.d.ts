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
  /** Closes the socket and stops reconnecting. */
  close(): void;
  bundle(eventId: string): Bundle | null;
  rendering(eventId: string): Rendering | null;
  /** Stops withholding acks and acks the latest update of every event. */
  releaseAcks(): void;
}

export function connect(options: DeviceOptions): Device;

export function backoffDelay(attempt: number, policy?: { baseDelayMs: number; maxDelayMs: number }, random?: () => number): number;
export function isNewer(seq: string | number, position?: string | number | null): boolean;
export function retryAfterMs(header: string | null, now?: number): number | null;
export function tokenClaims(token: string): Record<string, unknown> | null;
export function httpUrl(wsUrl: string): string;
export function isExpired(bundle: Bundle | null, now?: number): boolean;
