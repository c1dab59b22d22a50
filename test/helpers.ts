// Shared test wiring: real simulators on loopback, real providers and tools pointed at them.
import { DEFAULT_WALK, loadConfig } from '../src/config.js';
import { ProviderRegistry } from '../src/providers/registry.js';
import type { ToolContext, CreditTool } from '../src/tools/define-tool.js';
import { startSimulator, type Simulator, type SimulatorOptions } from '../src/sim/index.js';

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
