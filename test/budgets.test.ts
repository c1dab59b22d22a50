// What the agent pays for, in bytes, on the wire: tools/list and each answer at the defaults.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envFor, startSimulator, type Simulator } from './helpers.js';
import { RawServer } from './raw-server.js';

let sim: Simulator;
let server: RawServer;

/** The response as it came over the wire (the server writes JSON.stringify output, so this is byte-exact). */
async function request(method: string, params: object): Promise<string> {
  return JSON.stringify(await server.request(method, params));
}

beforeAll(async () => {
  sim = await startSimulator();
  server = new RawServer(envFor(sim));
  await server.initialize();
});
afterAll(async () => {
  server.kill('SIGTERM');
  await sim.close();
});

type Schema = { type?: string | string[]; properties?: Record<string, Schema>; items?: Schema };

/** Keys the answer carries that its published output schema does not declare. */
function undeclared(value: unknown, schema: Schema, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => (schema.items ? undeclared(v, schema.items, `${path}[${i}]`) : []));
  if (!value || typeof value !== 'object' || !schema.properties) return [];
  return Object.entries(value).flatMap(([k, v]) => (schema.properties![k] ? undeclared(v, schema.properties![k]!, `${path}.${k}`) : [`${path}.${k}`]));
}

describe('byte budgets', () => {
  it('tools/list fits in 6,000 bytes on the wire', async () => {
    const line = await request('tools/list', {});
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(6000);
  });

  const structuredBudget: Record<string, number> = { check_balance: 1200, get_credit_summary: 3200, get_credit_ledger: 6000 };
  for (const provider of ['signal-foundry', 'synap']) {
    for (const name of ['check_balance', 'get_credit_summary', 'get_credit_ledger']) {
      it(`${name} on ${provider} at the defaults: text <= 1,200 chars, structured content within budget and declared`, async () => {
        const list = JSON.parse(await request('tools/list', {})) as { result: { tools: Array<{ name: string; outputSchema: Schema }> } };
        const schema = list.result.tools.find((t) => t.name === name)!.outputSchema;
        const line = await request('tools/call', { name, arguments: { provider } });
        const { result } = JSON.parse(line) as { result: { isError?: boolean; content: Array<{ text: string }>; structuredContent: object } };
        expect(result.isError).toBeFalsy();
        expect(result.content[0]!.text.length).toBeLessThanOrEqual(1200);
        expect(Buffer.byteLength(JSON.stringify(result.structuredContent))).toBeLessThanOrEqual(structuredBudget[name]!);
        expect(undeclared(result.structuredContent, schema)).toEqual([]);
      });
    }
  }
});
