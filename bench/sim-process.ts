// The simulator in its own process, so its work does not share a core with what is measured.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SIGNAL_FOUNDRY_KEY, DEFAULT_SYNAP_KEY } from '../src/sim/index.js';

export const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

export interface SimProcess {
  url: string;
  keys: { signalFoundry: string; synap: string };
  close(): void;
}

export interface SimProcessOptions {
  ledgerSize?: number;
  latencyMs?: number;
  historyDays?: number;
  maxPageSize?: number;
}

export async function startSimProcess(args: SimProcessOptions = {}): Promise<SimProcess> {
  const argv = [CLI, 'sim', '--port', '0'];
  if (args.ledgerSize !== undefined) argv.push('--ledger-size', String(args.ledgerSize));
  if (args.latencyMs !== undefined) argv.push('--latency-ms', String(args.latencyMs));
  if (args.historyDays !== undefined) argv.push('--history-days', String(args.historyDays));
  if (args.maxPageSize !== undefined) argv.push('--max-page-size', String(args.maxPageSize));
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let seen = '';
    child.stderr!.on('data', (d: Buffer) => {
      seen += d.toString();
      const m = /listening on (\S+)/.exec(seen);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`simulator exited (${code}): ${seen}`)));
  });
  return { url, keys: { signalFoundry: DEFAULT_SIGNAL_FOUNDRY_KEY, synap: DEFAULT_SYNAP_KEY }, close: () => child.kill() };
}
