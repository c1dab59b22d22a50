// What the agent pays for, in bytes, on the wire: tools/list and each answer at the defaults,
// read off the server's stdout as it wrote them, in both protocol eras.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envFor, spawnServer, startSimulator, type SpawnedServer, type Simulator } from './helpers.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
});

type Schema = { type?: string | string[]; properties?: Record<string, Schema>; items?: Schema };

/** Keys the answer carries that its published output schema does not declare. */
function undeclared(value: unknown, schema: Schema, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => (schema.items ? undeclared(v, schema.items, `${path}[${i}]`) : []));
  if (!value || typeof value !== 'object' || !schema.properties) return [];
  return Object.entries(value).flatMap(([k, v]) => (schema.properties![k] ? undeclared(v, schema.properties![k]!, `${path}.${k}`) : [`${path}.${k}`]));
}

/** The last line the server wrote on stdout: the answer to the request just made. */
function lastLine(server: SpawnedServer): string {
  const lines = server.transport.stdout().split('\n').filter(Boolean);
  return lines[lines.length - 1]!;
}

describe.each(['modern', 'legacy'] as const)('byte budgets, %s era', (era) => {
  let server: SpawnedServer;
  beforeAll(async () => {
    server = await spawnServer(envFor(sim), [], era);
  });
  afterAll(async () => {
    await server.close();
  });

  it('tools/list fits in 6,500 bytes on the wire', async () => {
    await server.client.listTools();
    const line = lastLine(server);
    expect(line).toContain('"get_credit_ledger"');
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(6500);
  });

  it('the dashboard link costs tools/list at most 300 bytes', async () => {
    await server.client.listTools();
    const line = lastLine(server);
    const message = JSON.parse(line) as { result: { tools: Array<{ name: string; _meta?: { ui?: { resourceUri?: string } } }> } };
    expect(message.result.tools.map((t) => t._meta?.ui?.resourceUri)).toEqual(Array(3).fill('ui://credit-mcp/dashboard.html'));
    // The same line as the server would write it with no _meta on the tools (it writes JSON.stringify output).
    for (const tool of message.result.tools) delete tool._meta;
    const growth = Buffer.byteLength(line) - Buffer.byteLength(JSON.stringify(message));
    expect(growth).toBeGreaterThan(0);
    expect(growth).toBeLessThanOrEqual(300);
  });

  const structuredBudget: Record<string, number> = { check_balance: 1200, get_credit_summary: 3200, get_credit_ledger: 6000 };
  for (const provider of ['signal-foundry', 'synap']) {
    for (const name of ['check_balance', 'get_credit_summary', 'get_credit_ledger']) {
      it(`${name} on ${provider} at the defaults: text <= 1,200 chars, structured content within budget and declared`, async () => {
        const { tools } = await server.client.listTools();
        const schema = tools.find((t) => t.name === name)!.outputSchema as Schema;
        await server.client.callTool({ name, arguments: { provider } });
        const { result } = JSON.parse(lastLine(server)) as { result: { isError?: boolean; content: Array<{ text: string }>; structuredContent: object } };
        expect(result.isError).toBeFalsy();
        expect(result.content[0]!.text.length).toBeLessThanOrEqual(1200);
        expect(Buffer.byteLength(JSON.stringify(result.structuredContent))).toBeLessThanOrEqual(structuredBudget[name]!);
        expect(undeclared(result.structuredContent, schema)).toEqual([]);
      });
    }
  }
});
