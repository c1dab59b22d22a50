// The upstream simulator: Signal Foundry and Maximem Synap on one loopback HTTP
// server with seeded, deterministic data, for tests, the benchmark and --demo.
// This file wires the parts together and owns the per-request pipeline:
// record -> latency -> fault -> route/auth/rate limit/handler -> write.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultQueue, statusFaultResponse, writeOversized, writeResetMidBody, writeSlowly } from './faults.js';
import { json, parseQuery, readBody, send, withHeaders, type SimRequest } from './http.js';
import { Lifecycle } from './lifecycle.js';
import { createPrng } from './prng.js';
import { RateLimiter } from './rate-limit.js';
import { Recorder, type LoggedRequest, type SimulatorStats } from './recorder.js';
import { answer } from './router.js';
import { SignalFoundryAccount } from './signal-account.js';
import { signalFoundryUpstream } from './signal-foundry.js';
import { SynapLedger } from './synap-ledger.js';
import { synapUpstream } from './synap.js';
import { owns, type Upstream } from './upstream.js';
import { SYNAP_PAGE_LIMIT_MODES } from './types.js';
import type {
  Fault,
  RateLimitOptions,
  SignalBalanceBody,
  SignalEvent,
  SynapBalance,
  SynapLedgerEntry,
  SynapLedgerFilter,
  SynapPageLimit,
} from './types.js';

export type * from './types.js';
export type { LoggedRequest, SimulatorStats } from './recorder.js';

export const DEFAULT_SIGNAL_FOUNDRY_KEY = 'sf_demo_key_7Qx2mP9vLr4tKw8n';
export const DEFAULT_SYNAP_KEY = 'synap_demo_key_H3dJ6fYc2sNq5Lb8';
const MAX_REQUEST_BODY_BYTES = 1_000_000;
const DEFAULT_PAGE_LIMIT: SynapPageLimit = { max: 100, over: 'refuse' };

function checkPageLimit(limit: SynapPageLimit): SynapPageLimit {
  if (!Number.isInteger(limit.max) || limit.max < 1) throw new Error('synapPageLimit.max must be a positive integer');
  if (!SYNAP_PAGE_LIMIT_MODES.includes(limit.over)) throw new Error(`synapPageLimit.over must be one of ${SYNAP_PAGE_LIMIT_MODES.join(', ')}`);
  return { max: limit.max, over: limit.over };
}

function checkUnservedRows(rows: number): number {
  if (!Number.isInteger(rows) || rows < 0) throw new Error('synapUnservedRows must be a non-negative integer');
  return rows;
}

export interface SimulatorOptions {
  host?: string;
  port?: number;
  seed?: number;
  now?: () => number;
  synapLedgerSize?: number;
  /** Days of history the seeded Synap ledger spans (default 180). */
  synapHistoryDays?: number;
  /** The Synap ledger's largest page, for every account (default 100, refusing larger with a 422). */
  synapPageLimit?: Partial<SynapPageLimit>;
  /**
   * Rows every Synap ledger `total` counts beyond those its pages return (default 0): an
   * upstream still counting entries it deleted or expired.
   */
  synapUnservedRows?: number;
  signalEventCount?: number;
  latencyMs?: number;
  rateLimit?: RateLimitOptions;
  keys?: { signalFoundry?: string; synap?: string };
  /**
   * Further accounts on the same two APIs, each with its own keys and seeded data: a request
   * is answered from the account its key belongs to (a remote server's tenants).
   */
  tenants?: TenantOptions[];
}

export interface TenantOptions {
  keys: { signalFoundry: string; synap: string };
  /** Data seed; default: the simulator's seed plus the tenant's position. */
  seed?: number;
  synapLedgerSize?: number;
  synapHistoryDays?: number;
  signalEventCount?: number;
}

/** One account on both APIs: its keys, and its data as tests read it back. */
export interface SimTenant {
  keys: { signalFoundry: string; synap: string };
  synap: {
    entries(): readonly SynapLedgerEntry[];
    query(f: SynapLedgerFilter): SynapLedgerEntry[];
    insert(e?: Partial<SynapLedgerEntry>): SynapLedgerEntry;
    balance(): SynapBalance;
  };
  signalFoundry: {
    events(): readonly SignalEvent[];
    insert(e?: Partial<SignalEvent>): SignalEvent;
    balance(): SignalBalanceBody['balance'];
  };
}

/** The default account's keys and data sit at the top level; `tenants` lists every account, it first. */
export interface Simulator extends SimTenant {
  url: string;
  tenants: SimTenant[];
  close(): Promise<void>;
  setLatency(ms: number): void;
  setRateLimit(opts?: RateLimitOptions): void;
  /** Changes the Synap ledger's largest page from the next request on. */
  setSynapPageLimit(limit: Partial<SynapPageLimit>): void;
  /** Changes how many rows the Synap ledger's `total` counts beyond those it serves, from the next request on. */
  setSynapUnservedRows(rows: number): void;
  stats: SimulatorStats;
  resetStats(): void;
  requestLog: LoggedRequest[];
  injectFault(fault: Fault): void;
  clearFaults(): void;
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const host = opts.host ?? '127.0.0.1';
  const seed = opts.seed ?? 42;
  const now = opts.now ?? Date.now;
  const anchorMs = Math.floor(now());
  const accounts: TenantOptions[] = [
    {
      keys: { signalFoundry: opts.keys?.signalFoundry ?? DEFAULT_SIGNAL_FOUNDRY_KEY, synap: opts.keys?.synap ?? DEFAULT_SYNAP_KEY },
      seed,
      ...(opts.synapLedgerSize !== undefined ? { synapLedgerSize: opts.synapLedgerSize } : {}),
      ...(opts.synapHistoryDays !== undefined ? { synapHistoryDays: opts.synapHistoryDays } : {}),
      ...(opts.signalEventCount !== undefined ? { signalEventCount: opts.signalEventCount } : {}),
    },
    ...(opts.tenants ?? []),
  ];
  let pageLimit = checkPageLimit({ ...DEFAULT_PAGE_LIMIT, ...opts.synapPageLimit });
  let unservedRows = checkUnservedRows(opts.synapUnservedRows ?? 0);
  const built = accounts.map((a, i) => openTenant(a, a.seed ?? seed + i, anchorMs, now, () => pageLimit, () => unservedRows));
  const upstreams = built.flatMap((t) => t.upstreams);
  const tenants = built.map((t) => t.tenant);

  let latencyMs = Math.max(0, opts.latencyMs ?? 0);
  let rateLimiter = opts.rateLimit ? new RateLimiter(opts.rateLimit, now) : undefined;
  const faults = new FaultQueue();
  const recorder = new Recorder();

  const server = createServer({ keepAlive: true });
  const lifecycle = new Lifecycle(server);

  const context = {
    upstreams,
    rateLimiter: () => rateLimiter,
    onRateLimited: () => {
      recorder.stats.rateLimited += 1;
    },
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawUrl = req.url ?? '/';
    const url = new URL(rawUrl, 'http://simulator.invalid');
    const method = req.method ?? 'GET';
    res.once('close', recorder.begin(url.pathname));

    let body: string | undefined;
    try {
      body = await readBody(req, MAX_REQUEST_BODY_BYTES);
    } catch {
      send(res, json(413, { detail: 'Request body too large' }));
      return;
    }
    const query = parseQuery(url.searchParams);
    recorder.log({ method, path: url.pathname, query, rawUrl, headers: req.headers, body });

    await lifecycle.delay(latencyMs);
    if (lifecycle.closed) return;

    const simReq: SimRequest = { method, path: url.pathname, query, headers: req.headers, body, nowMs: now() };
    const fault = faults.take(url.pathname);
    switch (fault?.kind) {
      case 'hang':
        return; // the socket stays open until the client gives up or close() runs
      case 'status': {
        const correlation = upstreams.find((u) => owns(u, url.pathname))?.echoHeaders(simReq) ?? {};
        send(res, withHeaders(statusFaultResponse(fault), correlation));
        return;
      }
      case 'reset-mid-body':
        writeResetMidBody(res, lifecycle);
        return;
      case 'oversized':
        await writeOversized(res, fault.bytes);
        return;
      case 'slow-body':
        writeSlowly(res, answer(simReq, context), fault.totalMs, lifecycle);
        return;
      default:
        send(res, answer(simReq, context));
    }
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      process.stderr.write(`[simulator] request failed: ${error instanceof Error ? error.stack : String(error)}\n`);
      if (!res.headersSent) send(res, json(500, { detail: 'Internal Server Error' }));
      else res.destroy();
    });
  });
  // Malformed HTTP from a client: drop that connection, keep serving the others.
  server.on('clientError', (_error, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    ...tenants[0]!,
    url: `http://${urlHost}:${port}`,
    tenants,
    close: () => lifecycle.close(),
    setLatency: (ms) => {
      latencyMs = Math.max(0, ms);
    },
    setRateLimit: (limit) => {
      rateLimiter = limit ? new RateLimiter(limit, now) : undefined;
    },
    setSynapPageLimit: (limit) => {
      pageLimit = checkPageLimit({ ...pageLimit, ...limit });
    },
    setSynapUnservedRows: (rows) => {
      unservedRows = checkUnservedRows(rows);
    },
    stats: recorder.stats,
    resetStats: () => recorder.reset(),
    requestLog: recorder.requestLog,
    injectFault: (fault) => faults.add(fault),
    clearFaults: () => faults.clear(),
  };
}

function openTenant(
  options: TenantOptions,
  seed: number,
  anchorMs: number,
  now: () => number,
  pageLimit: () => SynapPageLimit,
  unservedRows: () => number,
): { upstreams: Upstream[]; tenant: SimTenant } {
  const ledger = new SynapLedger(createPrng(seed, 'synap'), anchorMs, options.synapLedgerSize ?? 2500, options.synapHistoryDays);
  const account = new SignalFoundryAccount(createPrng(seed, 'signal-foundry'), anchorMs, options.signalEventCount ?? 400);
  return {
    upstreams: [signalFoundryUpstream(account, options.keys.signalFoundry), synapUpstream(ledger, options.keys.synap, pageLimit, unservedRows)],
    tenant: {
      keys: { ...options.keys },
      synap: {
        entries: () => ledger.entries(),
        query: (f) => ledger.query(f),
        insert: (e) => ledger.insert(e, now()),
        balance: () => ledger.balance(),
      },
      signalFoundry: {
        events: () => account.events(),
        insert: (e) => account.insert(e, now()),
        balance: () => account.balance(now()),
      },
    },
  };
}
