// The command line's contract: every flag, which command takes which, and the exit codes.
// Bundled into dist/cli.js (the parser needs it before anything loads), so it stays a table.
import { ConfigError } from '../config.js';

export const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
  'log-level': { type: 'string' },
  demo: { type: 'boolean' },
  'signal-foundry-key': { type: 'string' },
  'signal-foundry-base-url': { type: 'string' },
  'synap-key': { type: 'string' },
  'synap-base-url': { type: 'string' },
  'timeout-ms': { type: 'string' },
  concurrency: { type: 'string' },
  'walk-budget-ms': { type: 'string' },
  'default-provider': { type: 'string' },
  provider: { type: 'string' },
  json: { type: 'boolean' },
  required: { type: 'string' },
  days: { type: 'string' },
  recent: { type: 'string' },
  type: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  limit: { type: 'string' },
  'scan-limit': { type: 'string' },
  cursor: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  'keys-from-request': { type: 'boolean' },
  'metrics-port': { type: 'string' },
  'redis-url': { type: 'string' },
  'latency-ms': { type: 'string' },
  'rate-limit': { type: 'string' },
  'ledger-size': { type: 'string' },
  'history-days': { type: 'string' },
  'max-page-size': { type: 'string' },
  'oversized-limit': { type: 'string' },
  seed: { type: 'string' },
  'cache-entries': { type: 'string' },
  'synap-page-size': { type: 'string' },
} as const;

export type Flag = keyof typeof OPTIONS;

/** Accepted by every command. */
const EVERYWHERE: Flag[] = ['help', 'version', 'log-level'];
const CONFIGURATION: Flag[] = [
  'demo',
  'signal-foundry-key',
  'signal-foundry-base-url',
  'synap-key',
  'synap-base-url',
  'timeout-ms',
  'concurrency',
  'walk-budget-ms',
  'cache-entries',
  'synap-page-size',
  'default-provider',
];
const TOOL_COMMAND: Flag[] = [...CONFIGURATION, 'provider', 'json'];

/** `server` is what runs without a command word. */
export const COMMAND_FLAGS = {
  server: CONFIGURATION,
  balance: [...TOOL_COMMAND, 'required'],
  summary: [...TOOL_COMMAND, 'days', 'recent'],
  ledger: [...TOOL_COMMAND, 'type', 'from', 'to', 'limit', 'scan-limit', 'cursor'],
  doctor: CONFIGURATION,
  http: [...CONFIGURATION, 'host', 'port', 'keys-from-request', 'metrics-port', 'redis-url'],
  sim: ['port', 'latency-ms', 'rate-limit', 'ledger-size', 'history-days', 'max-page-size', 'oversized-limit', 'seed'],
} satisfies Record<string, Flag[]>;

export type Command = keyof typeof COMMAND_FLAGS;

/** How a command ended, and its exit code; commands return the name, so this table stays in the entry. */
export const EXIT = { ok: 0, failed: 1, usage: 2, notConfigured: 3 } as const;
export type Outcome = keyof typeof EXIT;

/** The command, once the words and flags given fit together; a ConfigError (exit 2) otherwise. */
export function commandOf(positionals: string[], flags: Record<string, unknown>): Command {
  const word = positionals[0];
  const command: Command = word === undefined ? 'server' : (word as Command);
  if (word === 'server' || !Object.hasOwn(COMMAND_FLAGS, command)) throw new ConfigError(`unknown command "${word}"; see --help.`);
  if (positionals.length > 1) throw new ConfigError(`unexpected argument "${positionals[1]}"; see --help.`);
  const allowed: readonly Flag[] = COMMAND_FLAGS[command];
  for (const flag of Object.keys(flags) as Flag[]) {
    if (!allowed.includes(flag) && !EVERYWHERE.includes(flag)) {
      throw new ConfigError(`--${flag} does not apply to ${command === 'server' ? 'the server' : command}; see --help.`);
    }
  }
  return command;
}
