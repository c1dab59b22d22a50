// Shared test wiring: real simulators on loopback, real providers and tools pointed at them,
// and the built server spawned over stdio.
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/client';
import { DEFAULT_WALK, loadConfig } from '../src/config.js';
import { ProviderRegistry } from '../src/providers/registry.js';
import type { ToolContext, CreditTool } from '../src/tools/define-tool.js';
import { startSimulator, type Simulator, type SimulatorOptions } from '../src/sim/index.js';
import { CapturingStdioTransport } from './capturing-transport.js';

export { startSimulator, type Simulator };

export function envFor(sim: Simulator, extra: Record<string, string> = {}): Record<string, string> {
  return {
    SIGNAL_FOUNDRY_BASE_URL: sim.url,
    SIGNAL_FOUNDRY_API_KEY: sim.keys.signalFoundry,
    SYNAP_BASE_URL: sim.url,
    SYNAP_API_KEY: sim.keys.synap,
    ...extra,
  };
}

export function registryFor(sim: Simulator, extra: Record<string, string> = {}): ProviderRegistry {
  return new ProviderRegistry(loadConfig(envFor(sim, extra)));
}

export interface Progress {
  progress: number;
  total?: number;
}

/** Calls a tool the way the server does, with a real registry; returns text, data and progress seen. */
export async function callTool(tool: CreditTool, registry: ProviderRegistry, args: unknown, extra: Partial<ToolContext> = {}) {
  const progress: Progress[] = [];
  const result = await tool.call(args, {
    registry,
    signal: extra.signal ?? new AbortController().signal,
    now: extra.now ?? Date.now,
    walk: extra.walk ?? DEFAULT_WALK,
    progress: extra.progress ?? ((p, t) => progress.push({ progress: p, ...(t !== undefined ? { total: t } : {}) })),
  });
  const text = result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
  return { result, text, data: result.structuredContent as Record<string, any> | undefined, progress };
}

export type { SimulatorOptions };

// ---- the built server over stdio ------------------------------------------------------------

export const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/**
 * How a client picks the protocol era: `legacy` is the 2025 `initialize` handshake (the SDK's
 * default), `modern` pins 2026-07-28 (`server/discover`, no fallback), `auto` probes and takes
 * what the server offers.
 */
export type EraMode = 'legacy' | 'modern' | 'auto';
export const ERA_MODES: readonly EraMode[] = ['modern', 'auto', 'legacy'];

export function clientFor(era: EraMode = 'legacy', name = 'credit-mcp-tests'): Client {
  const mode = era === 'modern' ? { pin: '2026-07-28' as const } : era;
  return new Client({ name, version: '1.0.0' }, { versionNegotiation: { mode } });
}

export interface SpawnedServer {
  client: Client;
  transport: CapturingStdioTransport;
  /** Closes stdin and waits for the server to exit. */
  close(): Promise<void>;
}

/** dist/cli.js as a host runs it, with only `env` (and PATH) in its environment. */
export async function spawnServer(env: Record<string, string>, args: string[] = [], era: EraMode = 'legacy'): Promise<SpawnedServer> {
  const transport = new CapturingStdioTransport(process.execPath, [CLI, ...args], { PATH: process.env.PATH ?? '', ...env });
  const client = clientFor(era);
  await client.connect(transport);
  return { client, transport, close: () => transport.close() };
}

export type ToolResult = Awaited<ReturnType<Client['callTool']>>;

export function textOf(result: ToolResult): string {
  return (result.content as Array<{ type: string; text?: string }>).map((c) => c.text ?? '').join('\n');
}

/** Resolves once `condition` holds; the test's own timeout bounds the wait. */
export async function until(condition: () => boolean, pollMs = 10): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, pollMs));
}
