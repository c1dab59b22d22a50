// 200 tools/call requests at once on one server, mixed tools, providers and id types, against
// an upstream that takes 20 ms an answer: each gets exactly one answer, its own.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { envFor, startSimulator, type Simulator } from './helpers.js';
import { jsonRpcProblem, RawServer, type RpcMessage } from './raw-server.js';

const CALLS = 200;
const TOOLS = ['check_balance', 'get_credit_summary', 'get_credit_ledger'] as const;

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ synapLedgerSize: 1000, latencyMs: 20 });
});
afterAll(async () => {
  await sim?.close();
});

interface Planned {
  id: string | number;
  tool: (typeof TOOLS)[number];
  provider: 'signal-foundry' | 'synap';
  args: Record<string, unknown>;
  /** What the answer's structured content must echo for this request and no other. */
  own: Record<string, unknown>;
}

// Every request carries a value no other request has, and its answer must carry it back.
function plan(i: number, base: number): Planned {
  const tool = TOOLS[i % 3]!;
  const provider = i % 2 === 0 ? 'synap' : 'signal-foundry';
  const id = i % 4 < 2 ? i + 1000 : `call-${i}`;
  if (tool === 'check_balance') {
    const required = 1000 + i + 0.25;
    return { id, tool, provider, args: { provider, required_credits: required }, own: { provider, required_credits: required } };
  }
  if (tool === 'get_credit_summary') {
    const days = i + 1;
    return { id, tool, provider, args: { provider, days, recent_limit: 3 }, own: { provider, period: expect.objectContaining({ days }) } };
  }
  const to = new Date(base - i * 61_000).toISOString();
  return { id, tool, provider, args: { provider, to, limit: 3, scan_limit: 100 }, own: { provider, filters: expect.objectContaining({ to }) } };
}

it(`answers ${CALLS} concurrent calls, each with its own answer`, async () => {
  const server = new RawServer(envFor(sim));
  await server.initialize();
  sim.resetStats();
  const planned = Array.from({ length: CALLS }, (_, i) => plan(i, Date.now() - 60_000));
  const answers = planned.map((p) => server.response(p.id));
  // All in one write: the server must split the lines itself and interleave the work.
  server.write(planned.map((p) => JSON.stringify({ jsonrpc: '2.0', id: p.id, method: 'tools/call', params: { name: p.tool, arguments: p.args } }) + '\n').join(''));
  const got: RpcMessage[] = await Promise.all(answers);

  planned.forEach((p, i) => {
    const answer = got[i]!;
    expect(answer.id).toBe(p.id);
    expect(answer.result?.isError, JSON.stringify(answer).slice(0, 400)).toBeFalsy();
    expect(answer.result?.structuredContent, `request ${p.id}`).toMatchObject(p.own);
  });
  // Exactly one line per request, none lost, none doubled, nothing else.
  const lines = server.lines.filter((l) => jsonRpcProblem(l) === undefined).map((l) => JSON.parse(l) as RpcMessage);
  expect(server.lines.length).toBe(lines.length);
  const ids = lines.map((m) => m.id).filter((id) => id !== 'init');
  expect(ids).toHaveLength(CALLS);
  expect(new Set(ids)).toEqual(new Set(planned.map((p) => p.id)));
  // And they really overlapped upstream.
  expect(sim.stats.maxInFlight).toBeGreaterThan(8);

  server.closeStdin();
  expect((await server.exited).code).toBe(0);
});
