// An agent's seven-question session on a 30,000-entry Synap ledger (about 10,000 entries in the
// last 30 days) at 30 ms per request: upstream requests and wall time with the ledger cache off
// and on, against an upstream that serves 100 entries a page and one that serves 1000. Plus the
// memory 200,000 cached entries take.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { DEFAULT_WALK, loadConfig } from '../src/config.js';
import { ProviderRegistry } from '../src/providers/registry.js';
import type { SynapProvider } from '../src/providers/synap.js';
import { checkBalance } from '../src/tools/check-balance.js';
import type { CreditTool } from '../src/tools/define-tool.js';
import { getCreditLedger } from '../src/tools/get-credit-ledger.js';
import { getCreditSummary } from '../src/tools/get-credit-summary.js';
import { startSimProcess, type SimProcess } from './sim-process.js';
import { fmt, median, table, type Row } from './stats.js';

const ENTRIES = 30_000;
/** Spreads the 30,000 entries so that about 10,000 fall in the last 30 days. */
const HISTORY_DAYS = 108;
const LATENCY_MS = 30;
const RUNS = 3;
const DAY = 86_400_000;
const CACHED_ENTRIES = 200_000;

type Question = [label: string, tool: CreditTool, args: (now: number) => Record<string, unknown>];
// The ledger questions ask for complete totals (scan_limit 100000), as an agent does for "how much".
const SESSION: Question[] = [
  ['summary 30 d', getCreditSummary, () => ({ days: 30 })],
  ['debits 30 d', getCreditLedger, (now) => ({ entry_type: 'debit', from: new Date(now - 30 * DAY).toISOString(), scan_limit: 100_000 })],
  ['debits 7 d', getCreditLedger, (now) => ({ entry_type: 'debit', from: new Date(now - 7 * DAY).toISOString(), scan_limit: 100_000 })],
  ['summary 7 d', getCreditSummary, () => ({ days: 7 })],
  ['all entries 30 d', getCreditLedger, (now) => ({ from: new Date(now - 30 * DAY).toISOString(), scan_limit: 100_000 })],
  ['summary 30 d again', getCreditSummary, () => ({ days: 30 })],
  ['balance', checkBalance, () => ({})],
];

/** Upstream requests this process sends, counted where undici creates them (refused ones and retries included). */
function countRequests(): { count: () => number; stop: () => void } {
  let n = 0;
  const onCreate = () => void n++;
  subscribe('undici:request:create', onCreate);
  return { count: () => n, stop: () => unsubscribe('undici:request:create', onCreate) };
}

interface SessionRun {
  perQuestion: number[];
  wallMs: number;
  inWindow: number;
}

/** One session from a fresh server (nothing cached, page size not yet learned). */
async function runSession(sim: SimProcess, cacheEntries: number): Promise<SessionRun> {
  const registry = new ProviderRegistry(
    loadConfig({ SYNAP_API_KEY: sim.keys.synap, SYNAP_BASE_URL: sim.url, CREDIT_MCP_CACHE_ENTRIES: String(cacheEntries) }),
  );
  const counter = countRequests();
  const perQuestion: number[] = [];
  let inWindow = 0;
  const start = performance.now();
  try {
    for (const [label, tool, args] of SESSION) {
      const before = counter.count();
      const result = await tool.call(
        { provider: 'synap', ...args(Date.now()) },
        { registry, signal: new AbortController().signal, now: Date.now, walk: DEFAULT_WALK, progress: () => undefined },
      );
      const data = result.structuredContent as { partial?: boolean; complete?: boolean; scanned?: number } | undefined;
      if (result.isError || data?.partial === true || data?.complete === false) throw new Error(`session question "${label}" did not complete`);
      if (label === 'all entries 30 d') inWindow = data!.scanned!;
      perQuestion.push(counter.count() - before);
    }
    return { perQuestion, wallMs: performance.now() - start, inWindow };
  } finally {
    counter.stop();
    await registry.closeAll();
  }
}

/** Retained heap for CACHED_ENTRIES entries held: two walks of 100,000 that meet, after full collections. */
async function cacheMemory(): Promise<{ held: number; mb: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run the bench with --expose-gc (npm run bench does)');
  const sim = await startSimProcess({ ledgerSize: CACHED_ENTRIES + 10_000, maxPageSize: 1000 });
  const registry = new ProviderRegistry(loadConfig({ SYNAP_API_KEY: sim.keys.synap, SYNAP_BASE_URL: sim.url }));
  const ctx = { registry, signal: new AbortController().signal, now: Date.now, walk: { ...DEFAULT_WALK, budgetMs: 600_000 }, progress: () => undefined };
  try {
    await getCreditLedger.call({ provider: 'synap', limit: 1, scan_limit: 1 }, ctx);
    gc();
    const before = process.memoryUsage().heapUsed;
    const first = await getCreditLedger.call({ provider: 'synap', limit: 1, scan_limit: 100_000 }, ctx);
    const oldest = (registry.resolve('synap').provider as SynapProvider).cache.list().at(-1)!.entries.at(-1)!.created_at;
    await getCreditLedger.call({ provider: 'synap', limit: 1, scan_limit: 100_000, to: oldest }, ctx);
    if (first.isError) throw new Error('cache memory walk failed');
    gc();
    const after = process.memoryUsage().heapUsed;
    return { held: (registry.resolve('synap').provider as SynapProvider).cache.held, mb: (after - before) / 2 ** 20 };
  } finally {
    await registry.closeAll();
    sim.close();
  }
}

export async function benchLedgerSession(): Promise<string> {
  const results = new Map<string, { requests: number[]; wallMs: number[]; inWindow: number }>();
  for (const cap of [100, 1000]) {
    const sim = await startSimProcess({ ledgerSize: ENTRIES, historyDays: HISTORY_DAYS, latencyMs: LATENCY_MS, maxPageSize: cap });
    try {
      await runSession(sim, 0); // warm the simulator, the pool and the JIT
      for (const cache of [0, CACHED_ENTRIES]) {
        const runs: SessionRun[] = [];
        for (let i = 0; i < RUNS; i++) runs.push(await runSession(sim, cache));
        results.set(`${cap} ${cache}`, { requests: runs[0]!.perQuestion, wallMs: runs.map((r) => r.wallMs), inWindow: runs[0]!.inWindow });
      }
    } finally {
      sim.close();
    }
  }
  const configs: Array<[string, string]> = [
    ['100 0', 'off, 100 cap'],
    [`100 ${CACHED_ENTRIES}`, 'on, 100 cap'],
    ['1000 0', 'off, 1000 cap'],
    [`1000 ${CACHED_ENTRIES}`, 'on, 1000 cap'],
  ];
  const get = (key: string) => results.get(key)!;
  const total = (key: string) => get(key).requests.reduce((a, b) => a + b, 0);
  const wall = (key: string) => median(get(key).wallMs);
  const today = total('100 0');
  const sameCapOff = (key: string) => `${key.split(' ')[0]} 0`;
  const rows: Row[] = SESSION.map(([label], i) => [label, ...configs.map(([key]) => String(get(key).requests[i]))]);
  rows.push(
    ['session requests', ...configs.map(([key]) => String(total(key)))],
    ['x cache off, same cap', ...configs.map(([key]) => fmt(total(key) / total(sameCapOff(key)), 3))],
    ['x today (cache off, 100 cap)', ...configs.map(([key]) => fmt(total(key) / today, 3))],
    [`session wall ms (median of ${RUNS})`, ...configs.map(([key]) => fmt(wall(key), 0))],
    ['x wall of cache off, same cap', ...configs.map(([key]) => fmt(wall(key) / wall(sameCapOff(key)), 3))],
  );
  const memory = await cacheMemory();
  const inWindow = get('100 0').inWindow;
  return [
    table(
      `Ledger session: ${ENTRIES.toLocaleString('en-US')} Synap entries (${inWindow.toLocaleString('en-US')} in the last 30 days), ${LATENCY_MS} ms per request, ` +
        `upstream requests per question with the cache off/on at a 100 and a 1000 page cap ` +
        '(targets: a follow-up over data read <= 2; session on <= 0.30 x today at the 100 cap, <= 0.06 x today at the 1000 cap)',
      ['question', ...configs.map(([, label]) => label)],
      rows,
    ),
    table(
      'Ledger cache memory: retained heap after full GC (the cache holds its entries and nothing else)',
      ['cached entries', 'heap MB', 'bytes per entry'],
      [[memory.held.toLocaleString('en-US'), fmt(memory.mb), fmt((memory.mb * 2 ** 20) / memory.held, 0)]],
    ),
  ].join('\n');
}
