// balance, summary, ledger: one call of the tool an agent would call, through its own call(),
// printed for a person: the tool's text, or with --json its structured content.
import { loadConfig, type ConfigFlags } from '../config.js';
import { errorKindOf } from '../tools/define-tool.js';
import { TOOLS } from '../tools/index.js';
import type { Outcome } from './command-line.js';
import { openToolSession, printErr, printOut, startDemoIf } from './tool-session.js';

export type ToolCommand = 'balance' | 'summary' | 'ledger';

/** Each command's tool, and the tool argument behind each of its flags. */
const COMMANDS: Record<ToolCommand, { tool: string; args: Record<string, string> }> = {
  balance: { tool: 'check_balance', args: { provider: 'provider', required: 'required_credits' } },
  summary: { tool: 'get_credit_summary', args: { provider: 'provider', days: 'days', recent: 'recent_limit' } },
  ledger: {
    tool: 'get_credit_ledger',
    args: { provider: 'provider', type: 'entry_type', from: 'from', to: 'to', limit: 'limit', 'scan-limit': 'scan_limit', cursor: 'cursor' },
  },
};

const NUMERIC_FLAGS = new Set(['required', 'days', 'recent', 'limit', 'scan-limit']);

export async function runToolCommand(command: ToolCommand, flags: ConfigFlags, env: NodeJS.ProcessEnv): Promise<Outcome> {
  const { tool: name, args: argumentOf } = COMMANDS[command];
  const tool = TOOLS.find((t) => t.name === name)!;
  const args: Record<string, unknown> = {};
  for (const [flag, argument] of Object.entries(argumentOf)) {
    const value = flags[flag];
    if (typeof value === 'string') args[argument] = NUMERIC_FLAGS.has(flag) ? numberOrAsGiven(value) : value;
  }

  const config = loadConfig(env, flags);
  const demo = await startDemoIf(flags.demo === true);
  const session = openToolSession(demo ? { ...config, providers: demo.providers } : config);
  try {
    const result = await tool.call(args, session.context);
    const text = result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
    if (result.isError) {
      printErr(text);
      const kind = errorKindOf(result);
      return kind === 'invalid_argument' ? 'usage' : kind === 'not_configured' ? 'notConfigured' : 'failed';
    }
    const data = (result.structuredContent ?? {}) as Record<string, unknown>;
    if (flags.json) printOut(JSON.stringify(data, null, 2));
    else {
      printOut(text);
      // The text tells an agent to pass next_cursor, which it reads from the structured content;
      // a person has only the text, so the value is printed after it.
      if (typeof data.next_cursor === 'string') printOut(`next_cursor: ${data.next_cursor}`);
    }
    return 'ok';
  } finally {
    await session.close();
    await demo?.stop();
  }
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * A decimal number is passed on as a number, for the tool's own range check ("days must be an
 * integer from 1 to 365 (got 400)"); anything else as the string it is, which the tool refuses
 * by name the same way (got "abc"). Number() alone would read "", "0x10" and "Infinity" too.
 */
function numberOrAsGiven(raw: string): number | string {
  const n = Number(raw.trim());
  return DECIMAL.test(raw.trim()) && Number.isFinite(n) ? n : raw;
}
