// Cold start: from spawn to the `initialize` answer, this server vs bare Node vs the
// reference `everything` server, runs interleaved so machine noise hits all three alike.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { CLI } from './sim-process.js';
import { fmt, median, table, type Row } from './stats.js';

const RUNS = 21;
const INITIALIZE =
  JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } }) + '\n';

function untilExit(args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, { stdio: 'ignore' });
    child.once('exit', () => resolve(performance.now() - start));
  });
}

function untilInitialized(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'ignore'], env: { PATH: process.env.PATH ?? '' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) {
        const elapsed = performance.now() - start;
        child.kill();
        if (!out.includes('"protocolVersion"')) reject(new Error(`no initialize answer: ${out.slice(0, 200)}`));
        else resolve(elapsed);
      }
    });
    child.stdin.write(INITIALIZE);
  });
}

/** Bare Node doing the least a server can: read one line, write one back. */
const BARE_RESPONDER = ['-e', `process.stdin.once('data', () => process.stdout.write('{"protocolVersion":"-"}\\n'))`];

export async function benchColdStart(): Promise<string> {
  const everything = createRequire(import.meta.url).resolve('@modelcontextprotocol/server-everything/dist/index.js');
  const exitOnly: number[] = [];
  const bare: number[] = [];
  const ours: number[] = [];
  const reference: number[] = [];
  await untilInitialized([CLI]); // page in the files once, as a host's second start would
  for (let i = 0; i < RUNS; i++) {
    exitOnly.push(await untilExit(['-e', '']));
    bare.push(await untilInitialized(BARE_RESPONDER));
    ours.push(await untilInitialized([CLI]));
    reference.push(await untilInitialized([everything, 'stdio']));
  }
  const b = median(bare);
  const rows: Row[] = [
    ["bare node -e '' (spawn to exit)", fmt(median(exitOnly)), fmt(median(exitOnly) / b, 2)],
    ['bare node answering one line', fmt(b), '1.00'],
    ['credit-mcp (dist/cli.js)', fmt(median(ours)), fmt(median(ours) / b, 2)],
    ['@modelcontextprotocol/server-everything', fmt(median(reference)), fmt(median(reference) / b, 2)],
  ];
  return table(`Cold start: spawn to initialize answer, median of ${RUNS} (x bare: against bare node answering one line; target: credit-mcp <= 1.5)`, ['process', 'median ms', 'x bare'], rows);
}
