// A third-party client: the MCP Inspector 2.x CLI lists and calls each tool of the built server
// in demo mode, in both protocol eras. Its SDK v2 client checks structuredContent against each
// tool's output schema. Inspector 2.x needs Node >= 22.19 (its engines field): CI runs this file
// in its Node 24 pass (`npm run test:e2e`); on an older Node it is skipped, saying why.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const pkgFile = createRequire(import.meta.url).resolve('@modelcontextprotocol/inspector/package.json');
const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { version: string; engines: { node: string }; bin: Record<string, string> };
const inspector = join(dirname(pkgFile), pkg.bin['mcp-inspector']!);

/** Whether this Node meets the Inspector's `>=X.Y.Z`. */
function nodeSupported(range: string): boolean {
  const want = /^>=(\d+)\.(\d+)\.(\d+)$/.exec(range);
  if (!want) throw new Error(`unexpected engines.node in @modelcontextprotocol/inspector: ${range}`);
  const have = process.versions.node.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (have[i] !== Number(want[i + 1])) return have[i]! > Number(want[i + 1]);
  return true;
}
const supported = nodeSupported(pkg.engines.node);
if (!supported) {
  console.warn(`\n!! MCP Inspector ${pkg.version} tests SKIPPED: it needs Node ${pkg.engines.node}, this is ${process.version} (CI runs them under Node 24).\n`);
}

// The Inspector keeps a catalog and secrets under $HOME: give it a folder of its own.
const home = mkdtempSync(join(tmpdir(), 'credit-mcp-inspector-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

type Era = 'legacy' | 'modern';
function inspect(era: Era, ...args: string[]) {
  const run = spawnSync(process.execPath, [inspector, '--cli', '--format', 'json', '--quiet', '--protocol-era', era, process.execPath, CLI, '--demo', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, HOME: home },
  });
  expect(run.status, run.stderr).toBe(0);
  return (JSON.parse(run.stdout) as { result: unknown }).result;
}

describe.skipIf(!supported)(`MCP Inspector ${pkg.version} CLI`, () => {
  for (const era of ['legacy', 'modern'] as const) {
    it(`lists the three tools (${era} era)`, () => {
      const { tools } = inspect(era, '--method', 'tools/list') as { tools: Array<{ name: string }> };
      expect(tools.map((t) => t.name).sort()).toEqual(['check_balance', 'get_credit_ledger', 'get_credit_summary']);
    });
  }

  it('negotiates the 2026-07-28 era when asked (the result carries the server identity) and 2025 otherwise', () => {
    const modern = inspect('modern', '--method', 'tools/call', '--tool-name', 'check_balance', '--tool-arg', 'provider=synap') as { _meta?: Record<string, unknown> };
    expect(modern._meta?.['io.modelcontextprotocol/serverInfo']).toEqual({ name: 'credit-mcp', version: expect.any(String) });
    const legacy = inspect('legacy', '--method', 'tools/call', '--tool-name', 'check_balance', '--tool-arg', 'provider=synap') as { _meta?: Record<string, unknown> };
    expect(legacy._meta?.['io.modelcontextprotocol/serverInfo']).toBeUndefined();
  });

  it('passes a typed argument through: a 500-credit decision on synap', () => {
    const result = inspect('modern', '--method', 'tools/call', '--tool-name', 'check_balance', '--tool-args-json', '{"provider":"synap","required_credits":500}') as {
      isError?: boolean;
      structuredContent: { provider: string; available_credits: number; required_credits: number; decision: string; shortfall_credits: number };
    };
    expect(result.isError).toBeFalsy();
    const balance = result.structuredContent;
    expect(balance.provider).toBe('synap');
    expect(balance.required_credits).toBe(500);
    expect(balance.decision).toBe(balance.available_credits >= 500 ? 'sufficient' : 'insufficient');
    expect(balance.shortfall_credits).toBe(Math.max(0, 500 - balance.available_credits));
  });

  for (const provider of ['signal-foundry', 'synap']) {
    for (const tool of ['check_balance', 'get_credit_summary', 'get_credit_ledger']) {
      it(`calls ${tool} on ${provider} with exit status 0`, () => {
        const result = inspect('modern', '--method', 'tools/call', '--tool-name', tool, '--tool-arg', `provider=${provider}`) as { isError?: boolean; structuredContent?: { provider: string } };
        expect(result.isError).toBeFalsy();
        expect(result.structuredContent?.provider).toBe(provider);
      });
    }
  }
});
