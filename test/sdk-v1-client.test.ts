// Hosts still ship the SDK's 1.x client: it connects with the 2025 handshake and gets the same
// tools, answers, progress and errors.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, envFor, startSimulator, type Simulator } from './helpers.js';

let sim: Simulator;
let client: Client;
beforeAll(async () => {
  sim = await startSimulator({ synapLedgerSize: 1500 });
  client = new Client({ name: 'sdk-1x-host', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [CLI], env: { PATH: process.env.PATH ?? '', ...envFor(sim) }, stderr: 'ignore' }));
});
afterAll(async () => {
  await client.close();
  await sim.close();
});

describe('the SDK 1.x client', () => {
  it('lists the three tools with their output schemas', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['check_balance', 'get_credit_summary', 'get_credit_ledger']);
    expect(tools.every((t) => t.outputSchema?.type === 'object' && t.annotations?.readOnlyHint === true)).toBe(true);
  });

  for (const provider of ['signal-foundry', 'synap']) {
    it(`calls every tool on ${provider}, its client checking structured content against the output schema`, async () => {
      for (const name of ['check_balance', 'get_credit_summary', 'get_credit_ledger']) {
        const result = await client.callTool({ name, arguments: { provider } });
        expect(result.isError, name).toBeFalsy();
        expect((result.structuredContent as { provider: string }).provider).toBe(provider);
      }
    });
  }

  it('receives progress in order and argument errors as results', async () => {
    const seen: number[] = [];
    const result = await client.callTool({ name: 'get_credit_ledger', arguments: { provider: 'synap', scan_limit: 1500 } }, undefined, {
      onprogress: (p) => seen.push(p.progress),
    });
    expect((result.structuredContent as { scanned: number }).scanned).toBe(1500);
    // In order, page by page. The 1.x client runs progress handlers a microtask after reading
    // them but retires the request's handler as soon as it reads the answer, so the last
    // notifications, read in the same chunk as the answer, can be dropped by the client itself.
    expect(seen.length).toBeGreaterThan(0);
    expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => (i + 1) * 100));
    const bad = await client.callTool({ name: 'get_credit_summary', arguments: { provider: 'synap', days: 400 } });
    expect(bad.isError).toBe(true);
    expect((bad.content as Array<{ text: string }>)[0]!.text).toBe('Invalid argument: days must be an integer from 1 to 365 (got 400). Nothing was sent upstream.');
  });
});
