// `credit-mcp http` side by side with the floor (a minimal SDK v2 HTTP server with one trivial
// tool making the same upstream request): the call overhead over a direct upstream request at 1
// client, then calls/s with p50/p99 at 8 and 32 concurrent clients, for one instance, two
// instances behind nginx (the README's configuration, without TLS), and the floor. Every answer
// is checked; a failed call is counted, never dropped.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { findNginx, startNginx, type Nginx } from '../test/nginx.js';
import { startHttpServer, type HttpServer } from '../test/remote.js';
import { startSimProcess } from './sim-process.js';
import { fmt, median, percentile, table, type Row } from './stats.js';

const SEQUENTIAL = 400;
const LOADS = [8, 32];
const CALLS_PER_ROUND = 1500;
const ROUNDS = 3;
const FLOOR = fileURLToPath(new URL('./floor-http.mjs', import.meta.url));

export interface Target {
  name: string;
  url: URL;
  tool: string;
  pool: Pool;
}

/** A 2026-07-28 tools/call as the v2 client sends it: headers and the per-request _meta envelope. */
function callBody(tool: string, id: number): { body: string; headers: Record<string, string> } {
  const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': {} };
  return {
    body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: tool, arguments: {}, _meta: meta } }),
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': tool },
  };
}

let nextId = 1;
/** One call; resolves to its latency in ms, or throws when the answer is not a tool result. */
export async function call(target: Target): Promise<number> {
  const { body, headers } = callBody(target.tool, nextId++);
  const start = performance.now();
  const res = await target.pool.request({ method: 'POST', path: target.url.pathname, headers, body });
  const text = await res.body.text();
  const elapsed = performance.now() - start;
  const answer = res.statusCode === 200 ? (JSON.parse(text) as { result?: { isError?: boolean; content?: unknown[] } }) : undefined;
  if (!answer?.result?.content || answer.result.isError) throw new Error(`${target.name}: HTTP ${res.statusCode} ${text.slice(0, 200)}`);
  return elapsed;
}

async function startFloor(simUrl: string, key: string): Promise<{ url: URL; stop(): void }> {
  const child = spawn(process.execPath, [FLOOR, simUrl, key], { stdio: ['ignore', 'ignore', 'pipe'] });
  const url = await new Promise<URL>((resolve, reject) => {
    let said = '';
    child.stderr!.on('data', (d: Buffer) => {
      said += d.toString();
      const m = /listening on (\S+)/.exec(said);
      if (m) resolve(new URL(m[1]!));
    });
    child.once('exit', (code) => reject(new Error(`floor server exited (${code}): ${said}`)));
  });
  return { url, stop: () => child.kill() };
}

/** `clients` closed-loop clients until `calls` calls are done: latencies, failures, wall time. */
export async function load(target: Target, clients: number, calls: number): Promise<{ latencies: number[]; failed: number; ms: number }> {
  const latencies: number[] = [];
  let failed = 0;
  let started = 0;
  const begin = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (started < calls) {
        started++;
        try {
          latencies.push(await call(target));
        } catch {
          failed++;
        }
      }
    }),
  );
  return { latencies, failed, ms: performance.now() - begin };
}

const BEHIND_NGINX = 'credit-mcp http, two instances behind nginx';

/** The nginx row when there is no nginx to measure: said in the table, not left out of it. */
function notMeasured(columns: number, clients?: string): Row {
  const row: Row = [`${BEHIND_NGINX}: NOT MEASURED, nginx not found (apt-get install nginx)`, ...Array<string>(columns - 1).fill('-')];
  if (clients) row[1] = clients;
  return row;
}

export async function benchHttp(): Promise<string> {
  const sim = await startSimProcess();
  const env = { SYNAP_API_KEY: sim.keys.synap, SYNAP_BASE_URL: sim.url };
  const nginxBinary = findNginx();
  const instances: HttpServer[] = await Promise.all([0, 1, 2].map(() => startHttpServer(env)));
  const floor = await startFloor(sim.url, sim.keys.synap);
  let proxy: Nginx | undefined;
  if (nginxBinary) proxy = await startNginx(nginxBinary, [instances[1]!.port, instances[2]!.port], { tls: false });

  const pool = (url: URL) => new Pool(url.origin, { connections: Math.max(...LOADS) });
  const targets: Target[] = [
    { name: 'floor: minimal SDK v2 HTTP server, one trivial tool', url: floor.url, tool: 'balance', pool: pool(floor.url) },
    { name: 'credit-mcp http, one instance', url: instances[0]!.mcp, tool: 'check_balance', pool: pool(instances[0]!.mcp) },
    ...(proxy ? [{ name: BEHIND_NGINX, url: proxy.url, tool: 'check_balance', pool: pool(proxy.url) }] : []),
  ];
  const upstream = new Pool(sim.url, { connections: 1 });
  const direct = async () => {
    const start = performance.now();
    const res = await upstream.request({ method: 'GET', path: '/v1/credits/balance', headers: { authorization: `Bearer ${sim.keys.synap}` } });
    await res.body.text();
    return performance.now() - start;
  };

  try {
    // Warm every socket and JIT, then sequential calls interleaved so machine noise hits all alike.
    for (let i = 0; i < 200; i++) await Promise.all([direct(), ...targets.map(call)]);
    const sequential = { direct: [] as number[], byTarget: targets.map(() => [] as number[]) };
    for (let i = 0; i < SEQUENTIAL; i++) {
      sequential.direct.push(await direct());
      for (const [t, target] of targets.entries()) sequential.byTarget[t]!.push(await call(target));
    }
    const d = median(sequential.direct);
    const overhead = sequential.byTarget.map((s) => median(s) - d);
    const overheadRows: Row[] = [
      ['direct undici GET /v1/credits/balance', fmt(d, 3), '-', '-'],
      ...targets.map((t, i): Row => [t.name, fmt(median(sequential.byTarget[i]!), 3), fmt(overhead[i]!, 3), fmt(overhead[i]! / overhead[0]!, 2)]),
      ...(proxy ? [] : [notMeasured(4)]),
    ];

    const loadRows: Row[] = [];
    for (const clients of LOADS) {
      const results = targets.map(() => ({ latencies: [] as number[], failed: 0, ms: 0 }));
      for (let round = 0; round < ROUNDS; round++) {
        for (const [t, target] of targets.entries()) {
          const r = await load(target, clients, CALLS_PER_ROUND);
          results[t]!.latencies.push(...r.latencies);
          results[t]!.failed += r.failed;
          results[t]!.ms += r.ms;
        }
      }
      const rate = results.map((r) => ((r.latencies.length + r.failed) / r.ms) * 1000);
      for (const [t, target] of targets.entries()) {
        const r = results[t]!;
        loadRows.push([
          target.name,
          String(clients),
          String(r.latencies.length + r.failed),
          String(r.failed),
          fmt(rate[t]!, 0),
          fmt(percentile(r.latencies, 50), 2),
          fmt(percentile(r.latencies, 99), 2),
          fmt(rate[t]! / rate[0]!, 2),
        ]);
      }
      if (!proxy) loadRows.push(notMeasured(8, String(clients)));
    }
    const note = proxy ? '' : ' (nginx not found: its rows are not measured)';
    return [
      table(
        `HTTP call overhead at 1 client: check_balance over HTTP minus a direct upstream request, median of ${SEQUENTIAL} sequential calls${note} (target: credit-mcp one instance <= 1.2 x the floor's overhead)`,
        ['call', 'median ms', 'overhead ms', 'x floor overhead'],
        overheadRows,
      ),
      table(
        `HTTP under load: ${ROUNDS} rounds of ${CALLS_PER_ROUND} calls per server and client count, interleaved (target: no failed call)`,
        ['server', 'clients', 'calls', 'failed', 'calls/s', 'p50 ms', 'p99 ms', 'x floor calls/s'],
        loadRows,
      ),
    ].join('\n');
  } finally {
    await Promise.all(targets.map((t) => t.pool.close()));
    await upstream.close();
    await proxy?.stop();
    floor.stop();
    await Promise.all(instances.map((i) => i.stop()));
    sim.close();
  }
}
