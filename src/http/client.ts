// The one HTTP client: undici keep-alive pool per upstream, auth, timeouts, bounded retries,
// and every failure turned into an UpstreamError once.
import { randomUUID } from 'node:crypto';
import type { Dispatcher, Pool } from 'undici';
import { CancelledError, UpstreamError, type UpstreamErrorDetails } from '../core/errors.js';
import { log } from '../logger.js';
import { metrics } from '../metrics/record.js';
import type { ProviderId, RateLimitState } from '../core/model.js';
import { cleanText } from '../core/text.js';
import { abortableSleep, requestAbort } from './abort.js';
import { cleanEnvelope, readErrorEnvelope, type ErrorEnvelope } from './envelope.js';
import type { FleetPacing, FleetTurn } from '../store/fleet.js';
import { RateBudgetError, RateGate } from './rate-gate.js';

export interface UpstreamProfile {
  provider: ProviderId;
  baseUrl: URL;
  apiKey: string;
  timeoutMs: number;
  /** Synap wants a fresh X-Correlation-ID per request, quoted back in errors. */
  sendCorrelationId: boolean;
  /** The provider's own advice for an error code; the client falls back on the status. */
  nextStep(code: string | undefined, status: number): string | undefined;
}

export interface RetryPolicy {
  /** A Retry-After up to this is waited out; a longer one is reported at once. */
  maxRetryAfterSeconds: number;
  maxRetries: number;
  backoffMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetryAfterSeconds: 5, maxRetries: 2, backoffMs: 250 };
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface JsonResponse {
  data: unknown;
  rateLimit: RateLimitState;
}

export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  signal?: AbortSignal;
  /**
   * Epoch ms by which the request must have started (a walk's call budget). Without one, a
   * wait for the rate limit up to the Retry-After bound is made; either way a longer wait is
   * not made but reported as `rate_limited` with retry_after_seconds, no request sent.
   */
  deadline?: number;
}

export class UpstreamClient {
  private pool: Promise<Pool> | undefined;
  private readonly gate: RateGate;

  constructor(
    readonly profile: UpstreamProfile,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
    /** The fleet's pacing for this key (a shared store): its pauses and its budget of requests in flight. */
    private readonly fleet?: FleetPacing,
  ) {
    this.gate = new RateGate(Date.now, () => metrics.rateLimitWait(profile.provider));
  }

  get(path: string, options: RequestOptions = {}): Promise<JsonResponse> {
    return this.send('GET', path, options);
  }

  post(path: string, options: RequestOptions = {}): Promise<JsonResponse> {
    return this.send('POST', path, options);
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await (await pool)?.destroy();
  }

  private async send(method: 'GET' | 'POST', path: string, options: RequestOptions): Promise<JsonResponse> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.attempt(method, path, options);
      } catch (error) {
        if (!(error instanceof UpstreamError) || attempt >= this.retry.maxRetries) throw error;
        const wait = this.retryDelayMs(error, attempt);
        // A walk's budget bounds its retries too: a wait past the deadline is reported instead.
        if (wait === undefined || (options.deadline !== undefined && Date.now() + wait > options.deadline)) throw error;
        log.debug('retrying upstream request', { provider: this.profile.provider, path, attempt: attempt + 1, wait_ms: wait, code: error.details.code });
        await abortableSleep(wait, options.signal);
      }
    }
  }

  private retryDelayMs(error: UpstreamError, attempt: number): number | undefined {
    const { status, retryAfterSeconds, fault } = error.details;
    if (status === 429) {
      if (retryAfterSeconds === undefined || retryAfterSeconds > this.retry.maxRetryAfterSeconds) return undefined;
      return Math.max(retryAfterSeconds * 1000, 50);
    }
    // A hung upstream would just hang again: a timeout is reported, not retried.
    if (fault === 'network' || (status !== undefined && status >= 500)) {
      return this.retry.backoffMs * 3 ** attempt * (0.75 + Math.random() / 2);
    }
    return undefined;
  }

  /** One pool per client, even when the first requests arrive together: the promise is shared. */
  private getPool(): Promise<Pool> {
    this.pool ??= this.createPool();
    return this.pool;
  }

  private async createPool(): Promise<Pool> {
    // Loaded on the first request so that start-up does not pay for undici. Bundled as a lazy
    // chunk, the CommonJS module arrives as the namespace's default export.
    const undici = (await import('undici')) as typeof import('undici') & { default?: typeof import('undici') };
    const Pool = undici.Pool ?? undici.default!.Pool;
    return new Pool(this.profile.baseUrl.origin, {
      connections: 16,
      keepAliveTimeout: 30_000,
      headersTimeout: this.profile.timeoutMs,
      bodyTimeout: this.profile.timeoutMs,
    });
  }

  private async attempt(method: 'GET' | 'POST', path: string, options: RequestOptions): Promise<JsonResponse> {
    const { profile } = this;
    if (options.signal?.aborted) throw new CancelledError();
    const correlationId = profile.sendCorrelationId ? randomUUID() : undefined;
    const headers: Record<string, string> = {
      authorization: `Bearer ${profile.apiKey}`,
      accept: 'application/json',
      'user-agent': 'credit-mcp',
    };
    if (correlationId) headers['x-correlation-id'] = correlationId;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    const fail = (d: Omit<UpstreamErrorDetails, 'provider' | 'correlationId'>) =>
      new UpstreamError({ provider: profile.provider, correlationId, ...d });
    // Loading undici (first request only) is start-up work, not the upstream's time.
    const pool = await this.getPool();
    const deadline = options.deadline ?? Date.now() + this.retry.maxRetryAfterSeconds * 1000;
    let turn: FleetTurn | undefined;
    const waitForTurn = async () => {
      await this.gate.acquire(options.signal, deadline);
      if (!this.fleet) return;
      try {
        turn = await this.fleet.acquire(options.signal, deadline);
      } catch (error) {
        this.gate.release(undefined);
        throw error;
      }
    };
    await waitForTurn()
      .catch((error: unknown) => {
        if (!(error instanceof RateBudgetError)) throw error;
        const retryAfterSeconds = Math.max(1, Math.ceil((error.resumeAt - Date.now()) / 1000));
        throw fail({
          fault: 'http_error',
          code: 'rate_limited',
          message: {
            headers: `The ${profile.provider} rate limit (from its X-RateLimit headers) is used up; no request was sent.`,
            fleet_pause: `The ${profile.provider} rate limit is paused for this key across the fleet (another instance was told to wait); no request was sent.`,
            fleet_budget: `The ${profile.provider} requests in flight for this key across the fleet (CREDIT_MCP_CONCURRENCY) left no turn within this call; no request was sent.`,
          }[error.why],
          nextStep: `Wait ${retryAfterSeconds} s, then retry.`,
          retryAfterSeconds,
        });
      });
    const abort = requestAbort(options.signal, profile.timeoutMs);
    let rate: RateLimitState | undefined;
    let retryAfterSeconds: number | undefined;
    let status = 0;
    // What the request is counted as: its HTTP status, or the fault's code when no whole answer came.
    let outcome = 'cancelled';
    try {
      const res = await pool.request({ method, path: this.pathWithQuery(path, options.query), headers, body, signal: abort.signal });
      status = res.statusCode;
      outcome = String(status);
      rate = readRateLimit(res.headers);
      if (status >= 300 && status < 400) {
        discard(res.body);
        throw fail({
          fault: 'redirect',
          code: 'redirect',
          status,
          message: `${profile.provider} answered HTTP ${status}, a redirect; it was not followed, so the API key stays with ${profile.baseUrl.host}.`,
          nextStep: 'Set the base URL to the final address of the API.',
        });
      }
      const text = await readCapped(res.body, MAX_BODY_BYTES);
      if (text === undefined) {
        throw fail({
          fault: 'body_too_large',
          code: 'body_too_large',
          status,
          message: `${profile.provider} sent a response larger than ${MAX_BODY_BYTES / 1024 / 1024} MiB; it was not read.`,
          nextStep: 'Narrow the request (fewer days or a smaller limit), or report it to the provider.',
        });
      }
      const parsed = parseJson(text);
      if (status >= 200 && status < 300) {
        if (parsed === undefined) {
          throw fail({
            fault: 'malformed_body',
            code: 'malformed_body',
            status,
            message: `${profile.provider} answered HTTP ${status} with a body that is not JSON.`,
            nextStep: 'Retry shortly; if it persists, the upstream is having trouble.',
          });
        }
        return { data: parsed, rateLimit: rate };
      }
      throw this.httpError(status, cleanEnvelope(readErrorEnvelope(parsed)), res.headers, correlationId);
    } catch (error) {
      if (error instanceof UpstreamError) {
        retryAfterSeconds = error.details.retryAfterSeconds;
        throw error;
      }
      if (options.signal?.aborted) {
        outcome = 'cancelled';
        throw new CancelledError();
      }
      const failure = this.transportError(error, status, correlationId, abort.timedOut());
      outcome = failure instanceof UpstreamError ? failure.details.code : 'internal_error';
      throw failure;
    } finally {
      metrics.upstreamRequest(profile.provider, outcome);
      abort.dispose();
      this.gate.release(rate);
      turn?.done({ status, rateLimit: rate, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) });
    }
  }

  /** A failure below HTTP (timeout, broken or refused connection, not HTTP at all) as an UpstreamError. */
  private transportError(error: unknown, status: number, correlationId: string | undefined, timedOut: boolean): unknown {
    const { profile } = this;
    const code = (error as { code?: unknown })?.code;
    // A request that never left has no correlation id worth quoting to the provider's support.
    const neverSent = !status && typeof code === 'string' && /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH)$/.test(code);
    const fail = (d: Omit<UpstreamErrorDetails, 'provider' | 'correlationId' | 'status'>) =>
      new UpstreamError({ provider: profile.provider, ...(correlationId && !neverSent ? { correlationId } : {}), ...(status ? { status } : {}), ...d });
    if (timedOut || isUndiciTimeout(error)) {
      return fail({
        fault: 'timeout',
        code: 'timeout',
        message: `${profile.provider} did not answer within ${profile.timeoutMs} ms.`,
        nextStep: 'Retry in a moment; if the upstream is slow, raise CREDIT_MCP_TIMEOUT_MS.',
      });
    }
    if (isNotHttp(error)) {
      return fail({
        fault: 'malformed_body',
        code: 'malformed_body',
        message: `${profile.provider} answered with something that is not a valid HTTP response.`,
        nextStep: 'Check that the base URL points at the API; if it does, retry, and report it if it persists.',
      });
    }
    // Anything else is a bug here, not the network: it surfaces as one.
    if (!isNetworkError(error)) return error;
    log.debug('upstream connection failed', { provider: profile.provider, code });
    // Error texts from the network stack can quote headers: never pass them through. Our own
    // codes, too: undici's (UND_ERR_SOCKET) name a library's internals, not the fault.
    const systemCode = typeof code === 'string' && /^E[A-Z]+$/.test(code) ? ` (${code})` : '';
    return fail({
      fault: 'network',
      code: status ? 'connection_reset' : 'connection_failed',
      message: status
        ? `The connection to ${profile.baseUrl.host} broke while reading the answer (HTTP ${status}).`
        : `Could not reach ${profile.baseUrl.host}${systemCode}.`,
      nextStep: 'Check the network and the base URL, then retry.',
    });
  }

  private httpError(status: number, envelope: ErrorEnvelope, headers: Dispatcher.ResponseData['headers'], correlationId: string | undefined): UpstreamError {
    const retryAfterSeconds = readRetryAfter(headers);
    const [statusCode, statusNextStep] = statusMeaning(status);
    const code = envelope.code ?? statusCode;
    const base = envelope.message ?? `HTTP ${status}`;
    let nextStep = this.profile.nextStep(envelope.code, status) ?? statusNextStep;
    if (status === 429 && retryAfterSeconds !== undefined) nextStep = `Wait ${retryAfterSeconds} s, then retry.`;
    if (envelope.hint) nextStep = `${nextStep} (${envelope.hint})`;
    const recovery = envelope.extra?.recovery_url;
    if (typeof recovery === 'string') nextStep = `${nextStep} Top up at ${cleanText(recovery, 200)}.`;
    return new UpstreamError({
      provider: this.profile.provider,
      fault: 'http_error',
      code,
      status,
      message: base,
      nextStep,
      ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
      ...(correlationId ? { correlationId } : {}),
      ...(envelope.arguments ? { arguments: envelope.arguments } : {}),
    });
  }

  private pathWithQuery(path: string, query: RequestOptions['query']): string {
    const prefix = this.profile.baseUrl.pathname.replace(/\/+$/, '');
    const params = Object.entries(query ?? {})
      .filter((kv): kv is [string, string | number] => kv[1] !== undefined)
      // encodeURIComponent, not URLSearchParams: some upstreams decode '+' as a space.
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
    return `${prefix}${path}${params.length ? '?' + params.join('&') : ''}`;
  }
}

type Body = AsyncIterable<Buffer> & Pick<Dispatcher.ResponseData['body'], 'on' | 'destroy'>;

/**
 * Drops a body that will not be read. undici's body stream emits 'error' when destroyed, and
 * an 'error' event nobody listens to would take the whole server down.
 */
function discard(body: Body): void {
  body.on('error', () => undefined);
  body.destroy();
}

async function readCapped(body: Body, max: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > max) {
      discard(body);
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function header(headers: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function readRetryAfter(headers: Dispatcher.ResponseData['headers']): number | undefined {
  const raw = header(headers, 'retry-after');
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

function readRateLimit(headers: Dispatcher.ResponseData['headers']): RateLimitState {
  const num = (name: string) => {
    const v = Number(header(headers, name));
    return Number.isFinite(v) ? v : undefined;
  };
  const reset = num('x-ratelimit-reset');
  return {
    remaining: num('x-ratelimit-remaining'),
    resetAt: reset === undefined ? undefined : reset * 1000,
  };
}

/** undici's own errors and the system's socket errors; anything else is a bug, not the network. */
function isNetworkError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && (code.startsWith('UND_ERR') || /^E[A-Z]+$/.test(code));
}

/** The HTTP parser's errors (some carry no code) and headers past undici's size limit. */
function isNotHttp(error: unknown): boolean {
  const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
  return name === 'HTTPParserError' || (typeof code === 'string' && (code.startsWith('HPE_') || code === 'UND_ERR_HEADERS_OVERFLOW'));
}

function isUndiciTimeout(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT';
}

/** What an HTTP status means when the body names no code of its own: our code and the next step. */
const BY_STATUS: Record<number, [code: string, nextStep: string]> = {
  400: ['invalid_input', 'Check the arguments against the allowed ranges.'],
  401: ['unauthorized', 'Check the API key.'],
  402: ['insufficient_credits', 'Top up credits before retrying.'],
  403: ['forbidden', 'Use a key that is allowed to read credits.'],
  404: ['not_found', 'Check the base URL.'],
  422: ['invalid_input', 'Check the arguments against the allowed ranges.'],
  429: ['rate_limited', 'Wait a minute, then retry.'],
};

function statusMeaning(status: number): [code: string, nextStep: string] {
  return BY_STATUS[status] ?? (status >= 500 ? ['upstream_unavailable', 'The upstream is having trouble: retry in a minute.'] : [`http_${status}`, 'Retry; if it persists, check the base URL.']);
}
