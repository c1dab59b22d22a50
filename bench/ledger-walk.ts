// Walking 10,000 ledger entries at 30 ms per request: this walker vs the sequential page
// loop a caller of the upstream SDK writes by hand vs the ideal bound.
import { request } from 'undici';
import { DEFAULT_WALK, loadConfig } from '../src/config.js';
import { ProviderRegistry } from '../src/providers/registry.js';
import { getCreditLedger } from '../src/tools/get-credit-ledger.js';
import { startSimProcess } from './sim-process.js';
import { fmt, median, table, timeMs, type Row } from './stats.js';

const ENTRIES = 10_000;
const LATENCY_MS = 30;
const RUNS = 5;

export async function benchLedgerWalk(): Promise<string> {
  const sim = await startSimProcess({ ledgerSize: ENTRIES, latencyMs: LATENCY_MS });
  // Cache off: every run walks the upstream (the cache's effect is ledger-session.ts's table).
  const registry = new ProviderRegistry(loadConfig({ SYNAP_API_KEY: sim.keys.synap, SYNAP_BASE_URL: sim.url, CREDIT_MCP_CACHE_ENTRIES: '0' }));
  const to = new Date().toISOString();
  const concurrency = DEFAULT_WALK.concurrency;

  const walker = async () => {
    const result = await getCreditLedger.call(
      { provider: 'synap', to, scan_limit: 100_000 },
      { registry, signal: new AbortController().signal, now: Date.now, walk: DEFAULT_WALK, progress: () => undefined },
    );
    const data = result.structuredContent as { scanned: number; complete: boolean };
    if (result.isError || !data.complete || data.scanned !== ENTRIES) throw new Error('walker bench did not complete');
  };
  const sequential = async () => {
    let offset = 0;
    let total = Infinity;
    let net = 0;
    while (offset < total) {
      const res = await request(`${sim.url}/v1/credits/ledger?to=${encodeURIComponent(to)}&limit=100&offset=${offset}`, {
        headers: { authorization: `Bearer ${sim.keys.synap}` },
      });
      const page = (await res.body.json()) as { entries: Array<{ delta: number }>; total: number };
      for (const e of page.entries) net += e.delta;
      total = page.total;
      offset += page.entries.length;
    }
    return net;
  };

  const ours: number[] = [];
  const seq: number[] = [];
  await walker(); // warm the pool and the JIT
  for (let i = 0; i < RUNS; i++) {
    ours.push(await timeMs(walker));
    seq.push(await timeMs(sequential));
  }
  await registry.closeAll();
  sim.close();

  const pages = ENTRIES / 100;
  const ideal = (pages / concurrency) * LATENCY_MS;
  const o = median(ours);
  const s = median(seq);
  const rows: Row[] = [
    [`credit-mcp walker (concurrency ${concurrency})`, fmt(o), '1.00', fmt(o / ideal, 2)],
    ['sequential page loop (by hand)', fmt(s), fmt(s / o, 2), fmt(s / ideal, 2)],
    [`ideal bound (${pages} pages / ${concurrency} x ${LATENCY_MS} ms)`, fmt(ideal), fmt(ideal / o, 2), '1.00'],
  ];
  return table(
    `Ledger walk: ${ENTRIES} entries, ${LATENCY_MS} ms per upstream request, median of ${RUNS} (target: sequential/walker >= 6, walker/ideal <= 1.3)`,
    ['walk', 'median ms', 'x walker', 'x ideal'],
    rows,
  );
}
