// The admin API as the console calls it: the bearer token kept in this tab's sessionStorage (never in a URL or a
// cookie), JSON in and out, problem documents (RFC 9457) as ApiProblem errors, and writes that survive a lost
// connection: each carries an Idempotency-Key and is retried with the same key, so it applies at most once.

const TOKEN_KEY = 'kickoff.console.token';
const RETRIES = 3;

export const session = {
  token: () => sessionStorage.getItem(TOKEN_KEY),
  signIn: (token) => sessionStorage.setItem(TOKEN_KEY, token),
  signOut: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** An answer of the API that is a problem: status, the document (detail, field, current_etag, ...) and headers. */
export class ApiProblem extends Error {
  constructor(status, problem, headers) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
    this.headers = headers;
  }
}

/** A key for one write and its retries (random; works where crypto.randomUUID needs a secure context). */
export function idempotencyKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return 'console-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls the API. Options: body (sent as JSON), ifMatch (an ETag), write (adds an Idempotency-Key and retries a
 * network failure or a 503 with it, up to 3 times with growing, jittered waits; Retry-After is obeyed up to 10 s).
 * Resolves to {status, etag, body}; rejects with ApiProblem for an answer of 400 and above, or with the network
 * error once the retries are spent.
 */
export async function call(method, path, { body, ifMatch, write = false, fetcher = fetch } = {}) {
  const headers = { Accept: 'application/json, application/problem+json', Authorization: `Bearer ${session.token()}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (ifMatch) headers['If-Match'] = ifMatch;
  if (write) headers['Idempotency-Key'] = idempotencyKey();
  for (let attempt = 0; ; attempt++) {
    let response;
    try {
      response = await fetcher(path, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store',
        credentials: 'omit',
      });
    } catch (networkError) {
      if (!write || attempt >= RETRIES) throw networkError;
      await pause(backoff(attempt));
      continue;
    }
    if (response.status === 503 && write && attempt < RETRIES) {
      const after = Number(response.headers.get('Retry-After'));
      await pause(Number.isFinite(after) && after > 0 ? Math.min(after, 10) * 1000 : backoff(attempt));
      continue;
    }
    const text = await response.text();
    const json = text ? JSON.parse(text) : null;
    if (response.status >= 400) throw new ApiProblem(response.status, json || {}, response.headers);
    return { status: response.status, etag: response.headers.get('ETag'), body: json, replayed:
        response.headers.get('Idempotent-Replayed') === 'true' };
  }
}

/** Full jitter: a random wait up to 250 ms × 2^attempt. */
function backoff(attempt) {
  return Math.random() * 250 * 2 ** attempt;
}
