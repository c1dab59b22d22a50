// A third-party client: the MCP Inspector's CLI calls each tool in demo mode. Its SDK client
// checks structuredContent against each tool's output schema.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const inspector = join(dirname(createRequire(import.meta.url).resolve('@modelcontextprotocol/inspector/package.json')), 'cli/build/cli.js');

function inspect(...args: string[]) {
  return spawnSync(process.execPath, [inspector, '--cli', process.execPath, CLI, '--demo', ...args], { encoding: 'utf8', timeout: 60_000 });
}

describe('MCP Inspector CLI', () => {
  it('lists the three tools', () => {
    const run = inspect('--method', 'tools/list');
    expect(run.status, run.stderr).toBe(0);
    const { tools } = JSON.parse(run.stdout) as { tools: Array<{ name: string }> };
    expect(tools.map((t) => t.name).sort()).toEqual(['check_balance', 'get_credit_ledger', 'get_credit_summary']);
  });

  for (const provider of ['signal-foundry', 'synap']) {
    for (const tool of ['check_balance', 'get_credit_summary', 'get_credit_ledger']) {
      it(`calls ${tool} on ${provider} with exit status 0`, () => {
        const run = inspect('--method', 'tools/call', '--tool-name', tool, '--tool-arg', `provider=${provider}`);
        expect(run.status, run.stderr).toBe(0);
        const result = JSON.parse(run.stdout) as { isError?: boolean; structuredContent?: { provider: string } };
        expect(result.isError).toBeFalsy();
        expect(result.structuredContent?.provider).toBe(provider);
      });
    }
  }
});
