// The fault matrix: every way an upstream can fail, produced by the simulator on a real socket,
// against every tool on every provider, through the built server over stdio.
//
// Each (tool, provider) cell has a simulator of its own, so the six cells of one fault run at
// the same time without drawing each other's faults; one server per tool points both of its
// providers at that tool's two simulators. Each simulator's ledger fits one page, so a call
// that succeeds makes exactly one upstream request and the retry counts below are exact.
import type { Fault } from '../src/sim/index.js';
import { spawnServer, startSimulator, textOf, type Simulator, type SpawnedServer, type ToolResult } from './helpers.js';

export type ProviderName = 'signal-foundry' | 'synap';
export type ToolName = 'check_balance' | 'get_credit_summary' | 'get_credit_ledger';

export interface Cell {
  tool: ToolName;
  provider: ProviderName;
  /** The one upstream path the call reads. */
  path: string;
}

export const TOOLS: ToolName[] = ['check_balance', 'get_credit_summary', 'get_credit_ledger'];

export const CELLS: Cell[] = [
  { tool: 'check_balance', provider: 'signal-foundry', path: '/api/signal-foundry/credits/balance' },
  { tool: 'get_credit_summary', provider: 'signal-foundry', path: '/api/signal-foundry/credits' },
  { tool: 'get_credit_ledger', provider: 'signal-foundry', path: '/api/signal-foundry/credits' },
  { tool: 'check_balance', provider: 'synap', path: '/v1/credits/balance' },
  { tool: 'get_credit_summary', provider: 'synap', path: '/v1/credits/ledger' },
  { tool: 'get_credit_ledger', provider: 'synap', path: '/v1/credits/ledger' },
];

export const cellName = (c: Cell) => `${c.tool} on ${c.provider}`;

/**
 * Short enough to keep the matrix fast, long enough that a loopback answer (4 MiB of one, for
 * the oversized body) never trips it by accident on a busy 2-core machine.
 */
export const TIMEOUT_MS = 1200;

type Expectation =
  | { ok: true; data(cell: Cell): Record<string, unknown> | undefined }
  | {
      ok: false;
      /** The code the text must name: the upstream's own, or ours for a fault without one. */
      code(provider: ProviderName): string;
      /** The HTTP status the text must carry; undefined where there is none (no answer at all). */
      status: number | undefined;
      /** What else the text must say, e.g. the wait or the field at fault. */
      says: RegExp;
    };

export interface FaultCase {
  name: string;
  faults(cell: Cell): Fault[];
  /** Upstream requests the call makes: 1, or 3 where the client retries twice. */
  requests: number;
  expect: Expectation;
}

const rateLimited = (p: ProviderName) =>
  p === 'synap'
    ? { error: 'Rate limit exceeded', code: 'RATE_LIMITED', details: {} }
    : { error: { code: 'rate_limit_exceeded', message: 'Too many requests.', hint: 'Wait Retry-After seconds before retrying.' } };
const rateLimitCode = (p: ProviderName) => (p === 'synap' ? 'RATE_LIMITED' : 'rate_limit_exceeded');
const serverErrorJson = (p: ProviderName) => (p === 'synap' ? { detail: 'Internal Server Error' } : { error: { code: 'internal_error', message: 'The credit service failed.' } });
const HTML_PAGE = '<!doctype html><html><head><title>Bad Gateway</title></head><body><h1>Bad Gateway</h1><script>alert(1)</script></body></html>';
const MiB = 1024 * 1024;

function status(cell: Cell, status: number, times: number, body?: string | object, extra: Partial<Extract<Fault, { kind: 'status' }>> = {}): Fault {
  return { match: cell.path, kind: 'status', status, times, ...(body === undefined ? {} : { body }), ...extra };
}

const fiveXX = (code: number, body: 'JSON' | 'HTML' | 'empty'): FaultCase => ({
  name: `${code} with ${{ JSON: 'a JSON', HTML: 'an HTML', empty: 'an empty' }[body]} body, every time`,
  faults: (cell) => [
    body === 'JSON'
      ? status(cell, code, 3, serverErrorJson(cell.provider))
      : body === 'HTML'
        ? status(cell, code, 3, HTML_PAGE, { contentType: 'text/html' })
        : status(cell, code, 3),
  ],
  requests: 3,
  expect: {
    ok: false,
    code: (p) => (body === 'JSON' && p === 'signal-foundry' ? 'internal_error' : 'upstream_unavailable'),
    status: code,
    says: /retry in a minute/,
  },
});

export const FAULTS: FaultCase[] = [
  {
    name: '429 with Retry-After 1 s, every time',
    faults: (cell) => [status(cell, 429, 3, rateLimited(cell.provider), { headers: { 'retry-after': '1' } })],
    requests: 3,
    expect: { ok: false, code: rateLimitCode, status: 429, says: /Wait 1 s, then retry\.[\s\S]*retry_after_seconds: 1\b/ },
  },
  {
    name: '429 with Retry-After 120 s',
    faults: (cell) => [status(cell, 429, 1, rateLimited(cell.provider), { headers: { 'retry-after': '120' } })],
    requests: 1,
    expect: { ok: false, code: rateLimitCode, status: 429, says: /Wait 120 s, then retry\.[\s\S]*retry_after_seconds: 120\b/ },
  },
  ...([500, 502, 503] as const).flatMap((code) => (['JSON', 'HTML', 'empty'] as const).map((body) => fiveXX(code, body))),
  {
    name: '200 with malformed JSON',
    faults: (cell) => [status(cell, 200, 1, '{"balance": {"available_credits": 12', { contentType: 'application/json' })],
    requests: 1,
    expect: { ok: false, code: () => 'malformed_body', status: 200, says: /not JSON/ },
  },
  {
    name: '200 with JSON missing every field',
    faults: (cell) => [status(cell, 200, 1, {})],
    requests: 1,
    expect: { ok: false, code: () => 'unexpected_shape', status: 200, says: /is missing|is not an object|is not a list/ },
  },
  {
    name: '200 with JSON of the wrong types',
    faults: (cell) => [status(cell, 200, 1, wrongTypes(cell))],
    requests: 1,
    expect: { ok: false, code: () => 'unexpected_shape', status: 200, says: /is not a (number|list|object|boolean)/ },
  },
  {
    name: '200 with extra fields everywhere (tolerated)',
    faults: (cell) => [status(cell, 200, 1, withExtraFields(cell))],
    requests: 1,
    expect: { ok: true, data: (cell) => EXTRA_FIELDS_DATA[cell.tool] },
  },
  {
    name: 'connection reset mid-body, every time',
    faults: (cell) => [{ match: cell.path, kind: 'reset-mid-body', times: 3 }],
    requests: 3,
    expect: { ok: false, code: () => 'connection_reset', status: 200, says: /broke while reading the answer/ },
  },
  {
    name: 'a server that accepts and never answers',
    faults: (cell) => [{ match: cell.path, kind: 'hang' }],
    requests: 1,
    expect: { ok: false, code: () => 'timeout', status: undefined, says: new RegExp(`did not answer within ${TIMEOUT_MS} ms[\\s\\S]*CREDIT_MCP_TIMEOUT_MS`) },
  },
  {
    name: 'a body slower than the timeout',
    faults: (cell) => [{ match: cell.path, kind: 'slow-body', totalMs: TIMEOUT_MS * 4 }],
    requests: 1,
    expect: { ok: false, code: () => 'timeout', status: 200, says: new RegExp(`did not answer within ${TIMEOUT_MS} ms`) },
  },
  {
    name: 'a body over the 4 MiB cap',
    faults: (cell) => [{ match: cell.path, kind: 'oversized', bytes: 5 * MiB }],
    requests: 1,
    expect: { ok: false, code: () => 'body_too_large', status: 200, says: /larger than 4 MiB/ },
  },
  {
    name: 'a single 429 with Retry-After 1 s (waited out, then answered)',
    faults: (cell) => [status(cell, 429, 1, rateLimited(cell.provider), { headers: { 'retry-after': '1' } })],
    requests: 2,
    expect: { ok: true, data: () => undefined },
  },
  {
    name: 'a single 503 (retried, then answered)',
    faults: (cell) => [status(cell, 503, 1, serverErrorJson(cell.provider))],
    requests: 2,
    expect: { ok: true, data: () => undefined },
  },
];

function wrongTypes(cell: Cell): object {
  if (cell.provider === 'synap') {
    return cell.tool === 'check_balance' ? { balance_credits: 'lots', warning_low: 'no', buckets: {} } : { entries: { first: 1 }, total: 'ten' };
  }
  return cell.tool === 'check_balance'
    ? { balance: { available_credits: 'plenty', grants: 'none' } }
    : { summary: { used_credits: 'many', available_credits: true, recentEvents: {} } };
}

// What the extra-fields answers must come back as, so tolerance is shown to keep the data.
const EXTRA_FIELDS_DATA: Record<ToolName, Record<string, unknown>> = {
  check_balance: { available_credits: 4321.5 },
  get_credit_summary: { used_credits: 12.5 },
  get_credit_ledger: { entries: [{ ledger_id: 'extra_1', delta: -12.5, category: 'source.resolve' }] },
};

/** A valid answer with unknown fields at every level: a newer upstream version, say. */
function withExtraFields(cell: Cell): object {
  const at = new Date(Date.now() - 3_600_000).toISOString();
  const extra = { api_version: '2027-01', links: { self: '/x' }, flags: [1, 'two', null] };
  if (cell.provider === 'synap') {
    if (cell.tool === 'check_balance') {
      return { client_id: 'cli_1', balance_credits: 4321.5, warning_low: false, buckets: [{ source_type: 'paid', balance: 4321.5, expires_at: null, bucket_id: 'b_1' }], ...extra };
    }
    const entry = { ledger_id: 'extra_1', entry_type: 'debit', delta: -12.5, metric_type: 'llm_input_tokens', category: 'source.resolve', created_at: at, request_id: 'r_1', cost: { usd: null } };
    return { entries: [entry], total: 1, limit: 100, offset: 0, has_more: false, ...extra };
  }
  if (cell.tool === 'check_balance') {
    const grant = { grant_id: 'g_1', source: 'pro', granted_credits: 5000, remaining_credits: 4321.5, expires_at: null, tier: 'gold', meta: {} };
    return { balance: { available_credits: 4321.5, remaining_credits: 4321.5, reserved_credits: 0, grants: [grant], currency: 'credits' }, ...extra };
  }
  const event = { credit_event_id: 'extra_1', meter_type: 'usage.basic_company', quantity: 12.5, usage_key: 'source.resolve', reference_type: 'list', reference_id: 'l_1', recorded_at: at, region: 'eu', tags: ['a'] };
  const summary = {
    totalQuantity: 12.5,
    used_credits: 12.5,
    remaining_credits: 100,
    available_credits: 90,
    reserved_credits: 10,
    lastRecordedAt: at,
    periodStart: new Date(Date.now() - 30 * 86_400_000).toISOString(),
    periodEnd: new Date().toISOString(),
    meterBreakdown: [{ meterType: 'usage.basic_company', quantity: 12.5, unit: 'credits' }],
    usageBreakdown: [{ usageKey: 'source.resolve', quantity: 12.5, share: 1 }],
    recentEvents: [event],
    forecast: { next_30_days: 40 },
  };
  return { summary, meta: { days: 30, recent_limit: 10, generated_in_ms: 3 }, ...extra };
}

export interface CellOutcome {
  cell: Cell;
  result: ToolResult;
  text: string;
  /** Upstream requests the faulted call made. */
  requests: number;
  /** The next call, on the same server, with the fault gone. */
  next: ToolResult;
}

export interface MatrixOptions {
  keys?: { signalFoundry: string; synap: string };
  env?: Record<string, string>;
}

export class FaultMatrix {
  private constructor(
    private readonly sims: Map<Cell, Simulator>,
    readonly servers: Map<ToolName, SpawnedServer>,
  ) {}

  static async start(options: MatrixOptions = {}): Promise<FaultMatrix> {
    const sims = new Map<Cell, Simulator>();
    for (const cell of CELLS) sims.set(cell, await startSimulator({ synapLedgerSize: 50, ...(options.keys ? { keys: options.keys } : {}) }));
    const servers = new Map<ToolName, SpawnedServer>();
    for (const tool of TOOLS) {
      const sf = sims.get(CELLS.find((c) => c.tool === tool && c.provider === 'signal-foundry')!)!;
      const synap = sims.get(CELLS.find((c) => c.tool === tool && c.provider === 'synap')!)!;
      const env = {
        SIGNAL_FOUNDRY_BASE_URL: sf.url,
        SIGNAL_FOUNDRY_API_KEY: sf.keys.signalFoundry,
        SYNAP_BASE_URL: synap.url,
        SYNAP_API_KEY: synap.keys.synap,
        CREDIT_MCP_TIMEOUT_MS: String(TIMEOUT_MS),
        ...options.env,
      };
      servers.set(tool, await spawnServer(env));
    }
    const matrix = new FaultMatrix(sims, servers);
    // One healthy call per cell first: the faults then meet warm servers, not their start-up.
    await Promise.all(
      CELLS.map(async (cell) => {
        const result = await matrix.call(cell);
        if (result.isError) throw new Error(`${cellName(cell)} fails without a fault: ${textOf(result)}`);
      }),
    );
    return matrix;
  }

  /** Produces the fault in all six cells at once; then, fault cleared, calls each cell again. */
  run(fault: FaultCase): Promise<CellOutcome[]> {
    return Promise.all(CELLS.map((cell) => this.runCell(cell, fault)));
  }

  private async runCell(cell: Cell, fault: FaultCase): Promise<CellOutcome> {
    const sim = this.sims.get(cell)!;
    const call = () => this.call(cell);
    for (const f of fault.faults(cell)) sim.injectFault(f);
    const before = sim.stats.requests;
    const result = await call();
    const requests = sim.stats.requests - before;
    sim.clearFaults();
    const next = await call();
    return { cell, result, text: textOf(result), requests, next };
  }

  call(cell: Cell): Promise<ToolResult> {
    return this.servers.get(cell.tool)!.client.callTool({ name: cell.tool, arguments: { provider: cell.provider } });
  }

  async close(): Promise<void> {
    await Promise.all([...this.servers.values()].map((s) => s.close()));
    await Promise.all([...this.sims.values()].map((s) => s.close()));
  }
}
