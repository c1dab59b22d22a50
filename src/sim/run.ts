// `credit-mcp sim`: the simulator alone, until Ctrl-C.
import { startSimulator } from './index.js';
import type { SynapPageLimit } from './types.js';

export interface RunSimulatorOptions {
  port: number;
  latencyMs?: number;
  ratePerMinute?: number;
  ledgerSize?: number;
  historyDays?: number;
  maxPageSize?: number;
  oversizedLimit?: SynapPageLimit['over'];
  seed?: number;
}

export async function runSimulator(o: RunSimulatorOptions): Promise<void> {
  const sim = await startSimulator({
    port: o.port,
    ...(o.latencyMs !== undefined ? { latencyMs: o.latencyMs } : {}),
    ...(o.ratePerMinute !== undefined ? { rateLimit: { limit: o.ratePerMinute, windowMs: 60_000 } } : {}),
    ...(o.ledgerSize !== undefined ? { synapLedgerSize: o.ledgerSize } : {}),
    ...(o.historyDays !== undefined ? { synapHistoryDays: o.historyDays } : {}),
    synapPageLimit: { ...(o.maxPageSize !== undefined ? { max: o.maxPageSize } : {}), ...(o.oversizedLimit ? { over: o.oversizedLimit } : {}) },
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
  });
  // This command is for people, not MCP hosts: its report is plain text on stderr.
  process.stderr.write(
    [
      `credit-mcp simulator listening on ${sim.url}`,
      `  SIGNAL_FOUNDRY_BASE_URL=${sim.url} SIGNAL_FOUNDRY_API_KEY=${sim.keys.signalFoundry}`,
      `  SYNAP_BASE_URL=${sim.url} SYNAP_API_KEY=${sim.keys.synap}`,
      'Ctrl-C stops it.',
      '',
    ].join('\n'),
  );
  const stop = () => void sim.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
