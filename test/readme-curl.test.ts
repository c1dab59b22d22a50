// The README's curl sessions (Run it as a service > Talk to it with curl), run as written with
// real curl against the built `credit-mcp http --demo` on a loopback port; each answer must
// match the one the README shows under its block, `...` standing for what varies.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from './helpers.js';
import { INITIALIZE, MCP_ACCEPT, rawToolCall, startHttpServer, type HttpServer } from './remote.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const README = readFileSync(join(root, 'README.md'), 'utf8');
const README_URL = 'http://127.0.0.1:8080/mcp';

const haveCurl = spawnSync('sh', ['-c', 'command -v curl'], { encoding: 'utf8' }).status === 0;
if (!haveCurl && !process.env.CI) {
  console.warn('\n!! README curl tests SKIPPED: no curl on PATH (apt-get install curl). Under CI=true this fails.\n');
}

/** The fenced block right after `<!-- curl: name -->`. */
function block(name: string, lang: 'sh' | 'text'): string {
  const marker = `<!-- curl: ${name} -->\n\`\`\`${lang}\n`;
  const start = README.indexOf(marker);
  if (start < 0) throw new Error(`README.md has no ${lang} block after <!-- curl: ${name} -->`);
  const body = start + marker.length;
  return README.slice(body, README.indexOf('\n```', body - 1) + 1);
}

/** A README answer line as a pattern: literal, except `...`, which matches anything. */
const pattern = (line: string) => new RegExp(`^${line.split('...').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);

let server: HttpServer;
beforeAll(async () => {
  server = await startHttpServer({}, ['--demo']);
}, 30_000);
afterAll(async () => {
  await server?.stop();
});

describe.skipIf(!haveCurl && !process.env.CI)('README curl sessions against credit-mcp http', () => {
  beforeAll(() => {
    if (!haveCurl) throw new Error('No curl on PATH: .ci/run installs it when missing; locally, apt-get install curl.');
  });
  for (const era of ['2026-07-28', '2025-11-25']) {
    it(`the ${era} session answers as the README shows`, async () => {
      const script = block(era, 'sh');
      expect(script.split(README_URL)).toHaveLength(2); // one URL to point at this server
      const before = server.access().length;
      const run = spawnSync('bash', ['-euo', 'pipefail', '-c', script.replace(README_URL, server.mcp.href)], { encoding: 'utf8', timeout: 30_000 });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toBe('');

      const want = block(`${era} answers`, 'text').replace(/\n+$/, '').split('\n');
      const got = run.stdout.replace(/\n+$/, '').split('\n');
      expect(got).toHaveLength(want.length);
      want.forEach((line, i) => expect(got[i], `answer line ${i + 1}`).toMatch(pattern(line)));

      // The same two requests reached the server, and both were answered 200 (the access log
      // line is written as the answer ends, so it may come just after curl has read it).
      await until(() => server.access().length >= before + 2);
      const requests = server.access().slice(before);
      expect(requests.map((r) => [r.rpc, r.status])).toEqual([
        [era === '2026-07-28' ? 'server/discover' : 'initialize', 200],
        ['tools/call', 200],
      ]);
      // And the answers are the tool's own: the JSON behind the text parses, ids in order.
      const messages = got.filter((l) => l.startsWith('{') || l.startsWith('data: ')).map((l) => JSON.parse(l.replace(/^data: /, '')) as { id: number; result: any });
      expect(messages.map((m) => m.id)).toEqual([1, 2]);
      const balance = messages[1]!.result.structuredContent as { available_credits: number; decision: string };
      expect(balance.available_credits).toBeGreaterThanOrEqual(500);
    });
  }
});

// The README's table of answers, the two `POST /mcp` rows, as the server gives them.
describe('POST /mcp answer types per era', () => {
  const post = (headers: Record<string, string>, body: string) => fetch(server.mcp, { method: 'POST', headers, body });
  const type = (res: Response) => (res.headers.get('content-type') ?? '').split(';')[0];

  it('2026-07-28: JSON, events when progress is asked for, 400 for a missing Mcp-Name', async () => {
    const plain = rawToolCall('modern', 'check_balance', { provider: 'synap' });
    const res = await post(plain.headers, plain.body);
    expect([res.status, type(res)]).toEqual([200, 'application/json']);
    await res.text();
    const progress = rawToolCall('modern', 'get_credit_ledger', { provider: 'synap', limit: 1 }, 'p1');
    const streamed = await post(progress.headers, progress.body);
    expect([streamed.status, type(streamed)]).toEqual([200, 'text/event-stream']);
    expect(await streamed.text()).toContain('"method":"notifications/progress"');
    const { 'mcp-name': _name, ...unnamed } = plain.headers;
    const refused = await post(unnamed, plain.body);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain('Mcp-Name header is absent');
  });

  it('2025: events for every answer, initialize included; 406 without both types in Accept; 202 for a notification', async () => {
    const init = await post(MCP_ACCEPT, JSON.stringify(INITIALIZE));
    expect([init.status, type(init)]).toEqual([200, 'text/event-stream']);
    await init.text();
    const call = rawToolCall('legacy', 'check_balance', { provider: 'synap' });
    const answered = await post(call.headers, call.body);
    expect([answered.status, type(answered)]).toEqual([200, 'text/event-stream']);
    await answered.text();
    const jsonOnly = await post({ ...MCP_ACCEPT, accept: 'application/json' }, JSON.stringify(INITIALIZE));
    expect(jsonOnly.status).toBe(406);
    await jsonOnly.text();
    const note = await post(MCP_ACCEPT, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    expect(note.status).toBe(202);
    await note.text();
  });
});
