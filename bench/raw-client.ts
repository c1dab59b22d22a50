// A bare JSON-RPC-over-stdio client: no SDK between the bench and the bytes on the wire.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { CLI } from './sim-process.js';

export interface RawClient {
  /** Resolves with the raw response line. */
  request(method: string, params: object): Promise<string>;
  close(): void;
}

export async function spawnRawClient(env: Record<string, string>): Promise<RawClient> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [CLI], { env: { PATH: process.env.PATH ?? '', ...env } });
  child.stderr.resume();
  const pending = new Map<number, (line: string) => void>();
  let buffered = '';
  child.stdout.on('data', (d: Buffer) => {
    buffered += d.toString();
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      const id = (JSON.parse(line) as { id?: number }).id;
      if (id !== undefined) pending.get(id)?.(line);
    }
  });
  let nextId = 1;
  const request = (method: string, params: object) =>
    new Promise<string>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n');
    });
  await request('initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bench', version: '1' } });
  return { request, close: () => child.kill() };
}
