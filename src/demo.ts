// --demo: the upstream simulator in this process, and both providers pointed at it.
import type { Config } from './config.js';
import { startSimulator } from './sim/index.js';

export interface Demo {
  url: string;
  providers: Config['providers'];
  stop(): Promise<void>;
}

export async function startDemo(): Promise<Demo> {
  const sim = await startSimulator();
  const baseUrl = new URL(sim.url);
  return {
    url: sim.url,
    providers: {
      'signal-foundry': { id: 'signal-foundry', apiKey: sim.keys.signalFoundry, baseUrl },
      synap: { id: 'synap', apiKey: sim.keys.synap, baseUrl },
    },
    stop: () => sim.close(),
  };
}
