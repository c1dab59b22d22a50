// The built server's resident memory before and after a 100,000-entry walk, as hosts run it
// (plain `node dist/cli.js`) and as the bundle manifest runs it (a smaller young generation).
// The ledger cache is off here: this is what the walk itself costs; ledger-session.ts measures
// what the cache holds.
import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { startSimulator, type Simulator } from '../src/sim/index.js';
import { DEFAULT_WALK, loadConfig } from '../src/config.js';
import { ProviderRegistry } from '../src/providers/registry.js';
import { getCreditLedger } from '../src/tools/get-credit-ledger.js';
import { CLI, startSimProcess } from './sim-process.js';
import { fmt, table, type Row } from './stats.js';

const ENTRIES = 100_000;

function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
}

async function measure(sim: Simulator, nodeArgs: string[]): Promise<{ before: number; after: number; peak: number; seconds: number }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [...nodeArgs, CLI],
    env: { PATH: process.env.PATH ?? '', SYNAP_API_KEY: sim.keys.synap, SYNAP_BASE_URL: sim.url, CREDIT_MCP_WALK_BUDGET_MS: '600000', CREDIT_MCP_CACHE_ENTRIES: '0' },
    stderr: 'ignore',
  });
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(transport);
  await client.callTool({ name: 'get_credit_ledger', arguments: { scan_limit: 200 } });
  const pid = transport.pid!;
  const before = rssMb(pid);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 20);
  const start = performance.now();
  const result = await client.callTool({ name: 'get_credit_ledger', arguments: { scan_limit: 100_000 } }, { timeout: 600_000 });
  const seconds = (performance.now() - start) / 1000;
  clearInterval(sampler);
  const after = rssMb(pid);
  await client.close();
  const data = result.structuredContent as { scanned: number; complete: boolean } | undefined;
  if (!data?.complete || data.scanned !== ENTRIES) throw new Error('memory bench walk did not complete');
  return { before, after, peak: Math.max(peak, after), seconds };
}

/** The walker in this process, with the heap read after full collections: what it retains. */
async function retainedHeapMb(): Promise<{ before: number; after: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run the bench with --expose-gc (npm run bench does)');
  const sim = await startSimProcess({ ledgerSize: ENTRIES });
  const registry = new ProviderRegistry(loadConfig({ SYNAP_API_KEY: sim.keys.synap, SYNAP_BASE_URL: sim.url, CREDIT_MCP_CACHE_ENTRIES: '0' }));
  const walk = (scan_limit: number) =>
    getCreditLedger.call(
      { provider: 'synap', scan_limit },
      { registry, signal: new AbortController().signal, now: Date.now, walk: { ...DEFAULT_WALK, budgetMs: 600_000 }, progress: () => undefined },
    );
  await walk(200);
  gc();
  const before = process.memoryUsage().heapUsed / 2 ** 20;
  const result = await walk(100_000);
  gc();
  const after = process.memoryUsage().heapUsed / 2 ** 20;
  await registry.closeAll();
  sim.close();
  if ((result.structuredContent as { scanned?: number } | undefined)?.scanned !== ENTRIES) throw new Error('heap bench walk did not complete');
  return { before, after };
}

export async function benchMemory(): Promise<string> {
  const sim = await startSimulator({ synapLedgerSize: ENTRIES });
  const rows: Row[] = [];
  for (const [label, args] of [
    ['node dist/cli.js', []],
    // Once passed by the manifest; since the SDK v2 move it grows memory more, not less.
    ['node --max-semi-space-size=4 dist/cli.js', ['--max-semi-space-size=4']],
  ] as Array<[string, string[]]>) {
    const m = await measure(sim, args);
    rows.push([label, fmt(m.before), fmt(m.after), fmt(m.after - m.before), fmt(m.peak - m.before), fmt(m.seconds, 2)]);
  }
  await sim.close();
  const heap = await retainedHeapMb();
  rows.push(['walker in-process: heap used after full GC', fmt(heap.before), fmt(heap.after), fmt(heap.after - heap.before), '-', '-']);
  return table(
    `Server memory (RSS, MB; last row: retained heap) around a ${ENTRIES.toLocaleString('en-US')}-entry walk over stdio, ledger cache off (target: growth < 30 MB)`,
    ['server', 'before', 'after', 'growth', 'peak growth', 'walk s'],
    rows,
  );
}
