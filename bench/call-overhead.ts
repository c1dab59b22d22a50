// What a tool call adds over a direct undici request to the same loopback upstream, in
// process (the tool's own work) and over stdio (what a host sees), beside what the SDK alone
// costs over stdio: the floor server answering a tool that does nothing.
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { DEFAULT_WALK, loadConfig } from '../src/config.js';
import { ProviderRegistry } from '../src/providers/registry.js';
import { checkBalance } from '../src/tools/check-balance.js';
import { RawServer } from '../test/raw-server.js';
import { startSimProcess } from './sim-process.js';
import { fmt, median, table, type Row } from './stats.js';

const CALLS = 400;
const FLOOR = fileURLToPath(new URL('./floor-stdio.mjs', import.meta.url)); // beside .bench/bench.mjs

export async function benchCallOverhead(): Promise<string> {
  const sim = await startSimProcess();
  const env = { SYNAP_API_KEY: sim.keys.synap, SYNAP_BASE_URL: sim.url };
  const pool = new Pool(sim.url, { connections: 1 });
  const direct = async () => {
    const res = await pool.request({ method: 'GET', path: '/v1/credits/balance', headers: { authorization: `Bearer ${sim.keys.synap}` } });
    return res.body.json();
  };
  const registry = new ProviderRegistry(loadConfig(env));
  const inProcess = () =>
    checkBalance.call({ required_credits: 10 }, { registry, signal: new AbortController().signal, now: Date.now, walk: DEFAULT_WALK, progress: () => undefined });
  const server = new RawServer(env);
  await server.initialize();
  const overStdio = () => server.request('tools/call', { name: 'check_balance', arguments: { required_credits: 10 } });
  const modernServer = new RawServer(env);
  await modernServer.discover();
  const overStdioModern = () => modernServer.request('tools/call', { name: 'check_balance', arguments: { required_credits: 10 } });
  const floorServer = new RawServer({}, [FLOOR]);
  await floorServer.initialize();
  const floor = () => floorServer.request('tools/call', { name: 'check_balance', arguments: {} });

  const samples = { direct: [] as number[], inProcess: [] as number[], stdio: [] as number[], stdioModern: [] as number[], floor: [] as number[] };
  const time = async (run: () => Promise<unknown>) => {
    const start = performance.now();
    await run();
    return performance.now() - start;
  };
  for (let i = 0; i < 50; i++) await Promise.all([direct(), inProcess(), overStdio(), overStdioModern(), floor()]); // warm up sockets and JIT
  for (let i = 0; i < CALLS; i++) {
    samples.direct.push(await time(direct));
    samples.inProcess.push(await time(inProcess));
    samples.stdio.push(await time(overStdio));
    samples.stdioModern.push(await time(overStdioModern));
    samples.floor.push(await time(floor));
  }
  floorServer.kill('SIGTERM');
  server.kill('SIGTERM');
  modernServer.kill('SIGTERM');
  await pool.close();
  await registry.closeAll();
  sim.close();
  const d = median(samples.direct);
  const rows: Row[] = [
    ['direct undici GET /v1/credits/balance', fmt(d, 3), '-'],
    ['check_balance, in process', fmt(median(samples.inProcess), 3), fmt(median(samples.inProcess) - d, 3)],
    ['check_balance over stdio, 2025 era (raw JSON-RPC client)', fmt(median(samples.stdio), 3), fmt(median(samples.stdio) - d, 3)],
    ['check_balance over stdio, 2026 era (raw JSON-RPC client)', fmt(median(samples.stdioModern), 3), fmt(median(samples.stdioModern) - d, 3)],
    ['SDK v2 floor over stdio, a tool that does nothing, 2025 era', fmt(median(samples.floor), 3), '-'],
  ];
  return table(`Call overhead, median of ${CALLS} sequential calls (targets: overhead in process < 0.5 ms, over stdio < 1 ms)`, ['call', 'median ms', 'overhead ms'], rows);
}
