// Cold start: from spawn to the first answer (a 2025 `initialize`, or a 2026 `server/discover`),
// credit-mcp beside the floor (a minimal SDK v2 server with the same three tool listings,
// bundled the same way), bare Node and the reference `everything` server, runs interleaved so
// machine noise hits all alike.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { CLI } from './sim-process.js';
import { fmt, median, table, type Row } from './stats.js';

const RUNS = 21;
const FLOOR = fileURLToPath(new URL('./floor-server.mjs', import.meta.url)); // beside .bench/bench.mjs
const client = { name: 'bench', version: '1' };
const OPENING = {
  legacy: { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: client } },
  modern: {
    jsonrpc: '2.0',
    id: 1,
    method: 'server/discover',
    params: { _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': client, 'io.modelcontextprotocol/clientCapabilities': {} } },
  },
};
type Era = keyof typeof OPENING;

function untilExit(args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, { stdio: 'ignore' });
    child.once('exit', () => resolve(performance.now() - start));
  });
}

/** Spawn to the first line on stdout, which must be a result (not an error) for the opening. */
function untilAnswered(args: string[], era: Era): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'ignore'], env: { PATH: process.env.PATH ?? '' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!out.includes('\n')) return;
      const elapsed = performance.now() - start;
      child.kill();
      if (!out.includes('"result"')) reject(new Error(`no ${era} answer from ${args.join(' ')}: ${out.slice(0, 200)}`));
      else resolve(elapsed);
    });
    child.stdin.write(JSON.stringify(OPENING[era]) + '\n');
  });
}

/** Bare Node doing the least a server can: read one line, write one back. */
const BARE_RESPONDER = ['-e', `process.stdin.once('data', () => process.stdout.write('{"result":{}}\\n'))`];

export async function benchColdStart(): Promise<string> {
  const everything = createRequire(import.meta.url).resolve('@modelcontextprotocol/server-everything/dist/index.js');
  const samples: Record<string, number[]> = {};
  const add = (name: string, ms: number) => (samples[name] ??= []).push(ms);
  // Page in the files once, as a host's second start would.
  for (const era of ['legacy', 'modern'] as const) await Promise.all([untilAnswered([CLI], era), untilAnswered([FLOOR], era)]);
  for (let i = 0; i < RUNS; i++) {
    add('exit', await untilExit(['-e', '']));
    add('bare', await untilAnswered(BARE_RESPONDER, 'legacy'));
    for (const era of ['legacy', 'modern'] as const) {
      add(`floor ${era}`, await untilAnswered([FLOOR], era));
      add(`ours ${era}`, await untilAnswered([CLI], era));
    }
    add('everything', await untilAnswered([everything, 'stdio'], 'legacy'));
  }
  const m = (name: string) => median(samples[name]!);
  const row = (label: string, name: string, floor: string): Row => [label, fmt(m(name)), fmt(m(name) / m('bare'), 2), fmt(m(name) / m(floor), 2)];
  const rows: Row[] = [
    row("bare node -e '' (spawn to exit)", 'exit', 'floor legacy'),
    row('bare node answering one line', 'bare', 'floor legacy'),
    row('floor: SDK v2, same 3 tool listings, initialize', 'floor legacy', 'floor legacy'),
    row('credit-mcp (dist/cli.js), initialize', 'ours legacy', 'floor legacy'),
    row('floor: SDK v2, same 3 tool listings, server/discover', 'floor modern', 'floor modern'),
    row('credit-mcp (dist/cli.js), server/discover', 'ours modern', 'floor modern'),
    row('@modelcontextprotocol/server-everything (1.x), initialize', 'everything', 'floor legacy'),
  ];
  return table(
    `Cold start: spawn to the first answer, median of ${RUNS} (x floor: against the SDK v2 floor in the same era; target: credit-mcp <= 1.15)`,
    ['process', 'median ms', 'x bare', 'x floor'],
    rows,
  );
}
