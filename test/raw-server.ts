// The built server under a raw child_process: JSON-RPC lines written by hand, every stdout line
// kept as it came. For what the SDK client would smooth over: stray output on stdout, ids
// matched under load, and how the process ends.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { CLI } from './helpers.js';

type Id = string | number;
export interface RpcMessage {
  jsonrpc?: unknown;
  id?: Id | null;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
}

export class RawServer {
  /** Every complete stdout line, in order, unparsed. */
  readonly lines: string[] = [];
  readonly notifications: RpcMessage[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting = new Map<Id, (message: RpcMessage) => void>();
  private pending = '';
  private stderrText = '';

  /** `argv`: what node runs, dist/cli.js unless a bench compares another server. */
  constructor(env: Record<string, string>, argv: string[] = [CLI]) {
    this.child = spawn(process.execPath, argv, { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdin.on('error', () => undefined); // writing after the server left is the test's business
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderrText += chunk.toString()));
    this.child.stdout.on('data', (chunk: Buffer) => {
      const parts = (this.pending + chunk.toString()).split('\n');
      this.pending = parts.pop()!;
      for (const line of parts) this.onLine(line);
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** Whatever came after the last newline: a line cut off mid-way. */
  get unterminated(): string {
    return this.pending;
  }

  get stderr(): string {
    return this.stderrText;
  }

  private onLine(line: string): void {
    this.lines.push(line);
    let message: RpcMessage;
    try {
      message = JSON.parse(line) as RpcMessage;
    } catch {
      return; // kept in `lines` for the purity check
    }
    if (message.method !== undefined) this.notifications.push(message);
    else if (message.id !== undefined && message.id !== null) this.waiting.get(message.id)?.(message);
  }

  write(text: string | Buffer): void {
    this.child.stdin.write(text);
  }

  send(message: object): void {
    this.write(JSON.stringify({ jsonrpc: '2.0', ...message }) + '\n');
  }

  /** Set by discover(): the 2026-07-28 `_meta` every request then carries. */
  private envelope: Record<string, unknown> | undefined;

  /** The response to request `id` when it arrives; sends the request first when `method` is given. */
  response(id: Id, method?: string, params?: object): Promise<RpcMessage> {
    const answer = new Promise<RpcMessage>((resolve) => this.waiting.set(id, resolve));
    if (method) {
      const withEnvelope = this.envelope ? { ...params, _meta: { ...this.envelope, ...(params as { _meta?: object } | undefined)?._meta } } : params;
      this.send({ id, method, ...(withEnvelope ? { params: withEnvelope } : {}) });
    }
    return answer;
  }

  private nextId = 1;

  /** Sends a request with the next numeric id and resolves with its response. */
  request(method: string, params?: object): Promise<RpcMessage> {
    return this.response(this.nextId++, method, params);
  }

  /** The 2026-07-28 opening: no handshake, the protocol version and client in every request's `_meta`. */
  async discover(): Promise<RpcMessage> {
    this.envelope = {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
      'io.modelcontextprotocol/clientCapabilities': {},
    };
    return this.response('discover', 'server/discover', {});
  }

  async initialize(): Promise<void> {
    await this.response('init', 'initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } });
    this.send({ method: 'notifications/initialized' });
  }

  closeStdin(): void {
    this.child.stdin.end();
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }
}

/** A JSON-RPC 2.0 response or notification, as the spec shapes them; a reason otherwise. */
export function jsonRpcProblem(line: string): string | undefined {
  let m: unknown;
  try {
    m = JSON.parse(line);
  } catch {
    return 'not JSON';
  }
  if (!m || typeof m !== 'object' || Array.isArray(m)) return 'not an object';
  const msg = m as Record<string, unknown>;
  if (msg.jsonrpc !== '2.0') return 'jsonrpc is not "2.0"';
  if (typeof msg.method === 'string') return 'id' in msg ? 'a request from the server' : undefined;
  const idOk = typeof msg.id === 'string' || typeof msg.id === 'number' || msg.id === null;
  if (!idOk) return 'a response without a valid id';
  const hasResult = 'result' in msg;
  const hasError = 'error' in msg;
  if (hasResult === hasError) return 'a response needs exactly one of result and error';
  if (hasError) {
    const e = msg.error as Record<string, unknown>;
    if (!Number.isInteger(e?.code) || typeof e?.message !== 'string') return 'an error without an integer code and a message';
  } else if (!msg.result || typeof msg.result !== 'object') return 'a result that is not an object';
  return undefined;
}
