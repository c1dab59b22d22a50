// An MCP client transport over a spawned process's stdio that keeps every byte the server
// writes. The SDK's StdioClientTransport hides stdout and skips lines it cannot parse, so a
// stray log line or a leaked key on stdout would go unseen; here the tests can read it all.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { ReadBuffer, serializeMessage, type JSONRPCMessage, type Transport } from '@modelcontextprotocol/client';

export class CapturingStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  readonly stdoutChunks: Buffer[] = [];
  readonly stderrChunks: Buffer[] = [];
  /** Lines on stdout that were not JSON-RPC: always a bug in the server. */
  readonly unparsable: string[] = [];
  child: ChildProcessWithoutNullStreams | undefined;
  private readonly buffer = new ReadBuffer();

  constructor(private readonly command: string, private readonly args: string[], private readonly env: Record<string, string>) {}

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.command, this.args, { env: this.env, stdio: ['pipe', 'pipe', 'pipe'] });
      this.child = child;
      child.once('error', reject);
      child.once('spawn', () => resolve());
      child.once('close', () => this.onclose?.());
      child.stdin.on('error', (error) => this.onerror?.(error));
      child.stderr.on('data', (chunk: Buffer) => this.stderrChunks.push(chunk));
      child.stdout.on('data', (chunk: Buffer) => {
        this.stdoutChunks.push(chunk);
        this.buffer.append(chunk);
        for (;;) {
          let message: JSONRPCMessage | null;
          try {
            message = this.buffer.readMessage();
          } catch (error) {
            this.unparsable.push(String(error));
            continue;
          }
          if (message === null) break;
          this.onmessage?.(message);
        }
      });
    });
  }

  async send(message: JSONRPCMessage): Promise<void> {
    this.child?.stdin.write(serializeMessage(message));
  }

  /** Closes stdin, the way a host ends a session, and waits for the process to exit. */
  async close(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.stdin.end();
    await exited;
  }

  stdout(): string {
    return Buffer.concat(this.stdoutChunks).toString('utf8');
  }

  stderr(): string {
    return Buffer.concat(this.stderrChunks).toString('utf8');
  }
}
