// The acceptance-style walk: 5,000 Synap entries at 30 ms per request (the simulator's 100-entry
// pages, so the first page's 1000 is refused once), through the built server over stdio with the
// SDK client, as the first call of a fresh process, ledger cache off and on. Against the
// sequential bound (pages x 30 ms) and the ideal (the first page, then the rest 8 at a time).
// CREDIT_MCP_BENCH_OLD=<checkout with dist/> adds an earlier build's rows beside today's.
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { DEFAULT_WALK } from '../src/config.js';
import { CLI, startSimProcess } from './sim-process.js';
import { fmt, median, table, timeMs, type Row } from './stats.js';

const ENTRIES = 5000;
const LATENCY_MS = 30;
const RUNS = 7;

export async function benchLedgerWalkStdio(): Promise<string> {
  const sim = await startSimProcess({ ledgerSize: ENTRIES, latencyMs: LATENCY_MS });
  const to = new Date().toISOString();
  const builds: Array<[string, string]> = [['credit-mcp (dist/cli.js)', CLI]];
  const old = process.env.CREDIT_MCP_BENCH_OLD;
  if (old) builds.unshift([`earlier build (${old})`, `${old.replace(/\/$/, '')}/dist/cli.js`]);

  const walk = async (cli: string, cacheEntries: string) => {
    const env = { PATH: process.env.PATH ?? '', SYNAP_API_KEY: sim.keys.synap, SYNAP_BASE_URL: sim.url, CREDIT_MCP_CACHE_ENTRIES: cacheEntries };
    const client = new Client({ name: 'bench', version: '1.0.0' });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [cli], env, stderr: 'ignore' }));
    let scanned = 0;
    const ms = await timeMs(async () => {
      const result = await client.callTool({ name: 'get_credit_ledger', arguments: { provider: 'synap', to, scan_limit: ENTRIES } });
      scanned = result.isError ? -1 : (result.structuredContent as { scanned: number }).scanned;
    });
    await client.close();
    if (scanned !== ENTRIES) throw new Error('stdio walk bench did not complete');
    return ms;
  };

  const times = new Map<string, number[]>();
  // Interleaved, so the shared machine's load falls on every row alike.
  for (let i = 0; i < RUNS; i++) {
    for (const [name, cli] of builds) {
      for (const [cache, entries] of [['off', '0'], ['on', '200000']] as const) {
        const key = `${name}, cache ${cache}`;
        times.set(key, [...(times.get(key) ?? []), await walk(cli, entries)]);
      }
    }
  }
  sim.close();

  const pages = ENTRIES / 100;
  const sequential = pages * LATENCY_MS;
  const ideal = (1 + Math.ceil((pages - 1) / DEFAULT_WALK.concurrency)) * LATENCY_MS;
  const rows: Row[] = [...times].map(([key, values]) => {
    const m = median(values);
    return [key, fmt(m), fmt(sequential / m, 2), fmt(m / ideal, 2)];
  });
  rows.push([`sequential bound (${pages} pages x ${LATENCY_MS} ms)`, fmt(sequential), '1.00', fmt(sequential / ideal, 2)]);
  rows.push([`ideal (1 + ${Math.ceil((pages - 1) / DEFAULT_WALK.concurrency)} rounds of ${DEFAULT_WALK.concurrency} x ${LATENCY_MS} ms)`, fmt(ideal), fmt(sequential / ideal, 2), '1.00']);
  return table(
    `Ledger walk over stdio: ${ENTRIES} entries, ${LATENCY_MS} ms per request, first call of a fresh server, median of ${RUNS}`,
    ['walk', 'median ms', 'x sequential', 'x ideal'],
    rows,
  );
}
