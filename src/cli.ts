#!/usr/bin/env node
// Entry point: reads the command line and hands off. No logic of its own.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from './config.js';
import { log, setLogLevel } from './logger.js';
import { serve } from './serve.js';
import { VERSION } from './version.js';

const HELP = `credit-mcp ${VERSION} - read-only MCP server for credit balance, usage and ledger

Usage:
  credit-mcp [options]            start the MCP server on stdio (what an MCP host runs)
  credit-mcp --demo               the same, against the built-in simulator (no keys needed)
  credit-mcp sim [sim options]    run the upstream simulator alone, for trying things by hand

Options (each also read from the environment variable shown; a flag wins):
  --signal-foundry-key KEY        SIGNAL_FOUNDRY_API_KEY   turns Signal Foundry on
  --signal-foundry-base-url URL   SIGNAL_FOUNDRY_BASE_URL  default https://signal-foundry.app
  --synap-key KEY                 SYNAP_API_KEY            turns Maximem Synap on (synap_...)
  --synap-base-url URL            SYNAP_BASE_URL           default https://synap-cloud-prod.maximem.ai
  --timeout-ms N                  CREDIT_MCP_TIMEOUT_MS    per upstream request, 100..600000 (default 15000)
  --concurrency N                 CREDIT_MCP_CONCURRENCY   ledger pages fetched at once, 1..32 (default 8)
  --walk-budget-ms N              CREDIT_MCP_WALK_BUDGET_MS  time one call may spend walking a ledger,
                                                           rate-limit waits included, 1000..600000 (default 30000)
  --default-provider NAME         CREDIT_MCP_DEFAULT_PROVIDER  signal-foundry | synap, when both are on
  --log-level LEVEL               CREDIT_MCP_LOG_LEVEL     debug | info | warn | error (default info; logs go to stderr)
  --demo                          start the simulator in-process and point both providers at it
  -h, --help                      print this help and exit
  -v, --version                   print the version and exit

Base URLs must be https, except loopback (127.0.0.0/8, localhost, [::1]). Prefer the
environment over flags for keys: flags are visible in the process list.

Sim options:
  --port N            port on 127.0.0.1 (default 8787; 0 picks a free one)
  --latency-ms N      delay added to every answer (default 0)
  --rate-limit N      requests per minute per key before 429s (default: unlimited)
  --ledger-size N     seeded Synap ledger entries (default 2500)
  --seed N            data seed (default 42)

Tools: check_balance, get_credit_summary, get_credit_ledger (see README.md).
Exit codes: 0 ok, 2 bad command line or configuration.`;

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
      demo: { type: 'boolean' },
      'signal-foundry-key': { type: 'string' },
      'signal-foundry-base-url': { type: 'string' },
      'synap-key': { type: 'string' },
      'synap-base-url': { type: 'string' },
      'timeout-ms': { type: 'string' },
      concurrency: { type: 'string' },
      'walk-budget-ms': { type: 'string' },
      'default-provider': { type: 'string' },
      'log-level': { type: 'string' },
      port: { type: 'string' },
      'latency-ms': { type: 'string' },
      'rate-limit': { type: 'string' },
      'ledger-size': { type: 'string' },
      seed: { type: 'string' },
    },
  });
  if (values.help) return void process.stdout.write(HELP + '\n');
  if (values.version) return void process.stdout.write(VERSION + '\n');
  setLogLevel(values['log-level'] ?? process.env.CREDIT_MCP_LOG_LEVEL);

  const command = positionals[0];
  if (command === 'sim') {
    const { runSimulator } = await import('./sim/run.js');
    return runSimulator({
      port: int(values.port, 'port', 0, 65535) ?? 8787,
      latencyMs: int(values['latency-ms'], 'latency-ms', 0, 60_000),
      ratePerMinute: int(values['rate-limit'], 'rate-limit', 1, 1_000_000),
      ledgerSize: int(values['ledger-size'], 'ledger-size', 0, 1_000_000),
      seed: int(values.seed, 'seed', 0, 2 ** 31),
    });
  }
  if (command !== undefined) throw new ConfigError(`unknown command "${command}"; see --help.`);

  if (values.demo) {
    const { startSimulator } = await import('./sim/index.js');
    const sim = await startSimulator();
    const config: Config = {
      ...loadConfig(process.env, values),
      providers: {
        'signal-foundry': { id: 'signal-foundry', apiKey: sim.keys.signalFoundry, baseUrl: new URL(sim.url) },
        synap: { id: 'synap', apiKey: sim.keys.synap, baseUrl: new URL(sim.url) },
      },
    };
    log.info('demo mode: both providers point at the built-in simulator', { url: sim.url });
    return serve(config, { onShutdown: () => sim.close() });
  }
  serve(loadConfig(process.env, values));
}

function int(raw: string | undefined, name: string, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`--${name} must be an integer from ${min} to ${max}; got "${raw}".`);
  return n;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const known = error instanceof ConfigError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
  log.error(known ? (error as Error).message : 'failed to start', known ? undefined : { error });
  process.exit(2);
});
