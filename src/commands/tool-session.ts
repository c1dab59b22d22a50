// What a command needs to call tools the way the server does: a registry over the
// configuration, a tool context, and a close for both.
import type { Config } from '../config.js';
import type { Demo } from '../demo.js';
import { redact } from '../logger.js';
import { FROM_TERMINAL, ProviderRegistry } from '../providers/registry.js';
import type { ToolContext } from '../tools/define-tool.js';

export interface ToolSession {
  context: ToolContext;
  close(): Promise<void>;
}

export function openToolSession(config: Config): ToolSession {
  const registry = new ProviderRegistry(config, Date.now, FROM_TERMINAL);
  return {
    context: { registry, signal: new AbortController().signal, now: Date.now, walk: config.walk, progress: () => {} },
    close: () => registry.closeAll(),
  };
}

/** With --demo, the simulator; loaded only then, so a command without it never reads the simulator's code. */
export async function startDemoIf(wanted: boolean): Promise<Demo | undefined> {
  return wanted ? (await import('../demo.js')).startDemo() : undefined;
}

/** Human commands only (never the server, whose stdout is JSON-RPC); redacted like the log, in case. */
export function printOut(text: string): void {
  process.stdout.write(redact(text) + '\n');
}

export function printErr(text: string): void {
  process.stderr.write(redact(text) + '\n');
}
