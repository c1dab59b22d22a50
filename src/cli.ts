#!/usr/bin/env node
// Entry point: reads the command line and hands off. No logic of its own. Each command is
// reached through import(), so the server's cold start does not pay for the commands and a
// command does not pay for the MCP SDK.
import { parseArgs } from 'node:util';
import { EXIT, OPTIONS, commandOf } from './commands/command-line.js';
import { ConfigError, loadConfig, parseInteger, type Config, type ConfigFlags } from './config.js';
import { log, setLogLevel } from './logger.js';
import type { ServeOptions } from './mcp/serve-stdio.js';
import { VERSION } from './version.js';

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = readArgs(argv);
  if (values.help) return void process.stdout.write((await import('./help.js')).helpText(VERSION) + '\n');
  if (values.version) return void process.stdout.write(VERSION + '\n');
  const level = values['log-level'] ?? process.env.CREDIT_MCP_LOG_LEVEL;
  if (!setLogLevel(level)) throw new ConfigError(`CREDIT_MCP_LOG_LEVEL (--log-level) must be one of debug, info, warn, error; got "${level}".`);

  const command = commandOf(positionals, values);
  switch (command) {
    case 'sim': {
      const { runSimulator } = await import('./sim/run.js');
      return runSimulator({
        port: int(values.port, 'port', 0, 65535) ?? 8787,
        latencyMs: int(values['latency-ms'], 'latency-ms', 0, 60_000),
        ratePerMinute: int(values['rate-limit'], 'rate-limit', 1, 1_000_000),
        ledgerSize: int(values['ledger-size'], 'ledger-size', 0, 1_000_000),
        historyDays: int(values['history-days'], 'history-days', 1, 3650),
        maxPageSize: int(values['max-page-size'], 'max-page-size', 1, 100_000),
        oversizedLimit: oneOf(values['oversized-limit'], 'oversized-limit', ['refuse', 'cap', 'cap-unechoed'] as const),
        seed: int(values.seed, 'seed', 0, 2 ** 31),
      });
    }
    case 'balance':
    case 'summary':
    case 'ledger': {
      const { runToolCommand } = await import('./commands/run-tool.js');
      process.exitCode = EXIT[await runToolCommand(command, values, process.env)];
      return;
    }
    case 'doctor': {
      const { runDoctor } = await import('./commands/doctor.js');
      process.exitCode = EXIT[await runDoctor(values, process.env)];
      return;
    }
    case 'server':
    case 'http': {
      const config = loadConfig(process.env, values);
      const serve = command === 'server' ? (await import('./mcp/serve-stdio.js')).serve : await httpServe(values);
      if (!values.demo) return serve(config);
      const { startDemo } = await import('./demo.js');
      const demo = await startDemo();
      log.info('demo mode: both providers point at the built-in simulator', { url: demo.url });
      return serve({ ...config, providers: demo.providers }, { onShutdown: demo.stop });
    }
  }
}

/** `credit-mcp http`: its settings are read (and refused) before anything starts. */
async function httpServe(flags: ConfigFlags): Promise<(config: Config, options?: ServeOptions) => Promise<void>> {
  const [{ readHttpSettings }, { serveHttp }] = await Promise.all([import('./remote/settings.js'), import('./mcp/serve-http.js')]);
  const settings = readHttpSettings(process.env, flags);
  return (config, options) => serveHttp(config, settings, options);
}

function readArgs(argv: string[]) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: true, options: OPTIONS });
  } catch (error) {
    // Node's own sentence names the flag, then leaves a quote open advising `--` for positionals.
    if ((error as { code?: string }).code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw error;
    const flag = /'([^']+)'/.exec((error as Error).message)?.[1];
    throw new ConfigError(`unknown option${flag ? ` "${flag}"` : ''}; see --help for the options.`);
  }
}

function oneOf<T extends string>(raw: string | undefined, name: string, choices: readonly T[]): T | undefined {
  if (raw === undefined || (choices as readonly string[]).includes(raw)) return raw as T | undefined;
  throw new ConfigError(`--${name} must be one of ${choices.join(', ')}; got "${raw}".`);
}

function int(raw: string | undefined, name: string, min: number, max: number): number | undefined {
  return raw === undefined ? undefined : parseInteger(raw, `--${name}`, min, max);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const known = error instanceof ConfigError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
  log.error(known ? (error as Error).message : 'failed', known ? undefined : { error });
  process.exit(known ? EXIT.usage : EXIT.failed);
});
