// The dashboard as a host finds it, in both protocol eras: resources/list names the page as an
// MCP App, resources/read returns the built page, and the three tools link to it while their
// answers stay what a host without Apps support has always seen. The page's own budget too.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envFor, spawnServer, startSimulator, type SpawnedServer, type Simulator } from './helpers.js';

const URI = 'ui://credit-mcp/dashboard.html';
const PAGE = readFileSync(fileURLToPath(new URL('../dist/view/dashboard.html', import.meta.url)), 'utf8');

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
});

describe.each(['modern', 'legacy'] as const)('the dashboard resource, %s era', (era) => {
  let server: SpawnedServer;
  beforeAll(async () => {
    server = await spawnServer(envFor(sim), [], era);
  });
  afterAll(async () => {
    await server.close();
  });

  it('is listed as an MCP App page and read back as the built page', async () => {
    const { resources } = await server.client.listResources();
    expect(resources).toEqual([expect.objectContaining({ uri: URI, mimeType: 'text/html;profile=mcp-app' })]);
    const { contents } = await server.client.readResource({ uri: URI });
    expect(contents).toHaveLength(1);
    expect(contents[0]).toMatchObject({ uri: URI, mimeType: 'text/html;profile=mcp-app' });
    expect((contents[0] as { text: string }).text).toBe(PAGE);
  });

  it('is linked from the three tools, whose answers carry nothing of it', async () => {
    const { tools } = await server.client.listTools();
    expect(Object.fromEntries(tools.map((t) => [t.name, t._meta]))).toEqual({
      check_balance: { ui: { resourceUri: URI } },
      get_credit_summary: { ui: { resourceUri: URI } },
      get_credit_ledger: { ui: { resourceUri: URI } },
    });
    for (const name of ['check_balance', 'get_credit_summary', 'get_credit_ledger']) {
      const result = await server.client.callTool({ name, arguments: { provider: 'synap' } });
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toEqual(expect.any(Object));
      // Text and structured content only: nothing a host without Apps support would see differently.
      expect(JSON.stringify(result)).not.toContain('ui://');
    }
  });
});

describe('the dashboard page', () => {
  it('is one self-contained file of at most 150 KB', () => {
    expect(Buffer.byteLength(PAGE)).toBeLessThanOrEqual(150 * 1024);
    // Nothing it could load: no external script, style, font or image, and the browser is told so.
    expect(PAGE).not.toMatch(/<script[^>]+src=|<link[^>]+href=|@import|url\(\s*['"]?(https?:|\/\/)/i);
    expect(PAGE).toContain(`content="default-src 'none';`);
  });
});
