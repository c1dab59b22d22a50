// Every upstream fault in the matrix ends, on every tool and provider, in an isError result that
// names the code, the HTTP status and the next step; and the server answers the next call.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cellName, FAULTS, FaultMatrix, type CellOutcome, type FaultCase } from './fault-matrix.js';

let matrix: FaultMatrix;
beforeAll(async () => {
  matrix = await FaultMatrix.start();
});
afterAll(async () => {
  await matrix?.close();
});

function checkOutcome(fault: FaultCase, { cell, result, text, requests, next }: CellOutcome): void {
  const where = `${fault.name}: ${cellName(cell)}\n${text}`;
  const expected = fault.expect;
  if (expected.ok) {
    expect(result.isError, where).toBeFalsy();
    const data = expected.data(cell);
    if (data) expect(result.structuredContent, where).toMatchObject(data);
  } else {
    expect(result.isError, where).toBe(true);
    const code = expected.code(cell.provider);
    expect(text, where).toContain(`Upstream error from ${cell.provider}: ${code}${expected.status === undefined ? '.' : ` (HTTP ${expected.status})`}`);
    expect(text, where).toMatch(/\nNext step: \S/);
    expect(text, where).toMatch(expected.says);
    // An upstream's HTML page is never echoed to the agent.
    expect(text, where).not.toMatch(/<html|<script|<h1/i);
    expect(result.structuredContent, where).toBeUndefined();
  }
  expect(requests, where).toBe(fault.requests);
  expect(next.isError, `${where}\nthe next call failed`).toBeFalsy();
  expect((next.structuredContent as { provider?: string }).provider, where).toBe(cell.provider);
}

describe('fault matrix over stdio: every tool on every provider', () => {
  it.each(FAULTS.map((f) => [f.name, f] as const))('%s', async (_name, fault) => {
    const outcomes = await matrix.run(fault);
    for (const outcome of outcomes) checkOutcome(fault, outcome);
  });

  it('wrote nothing but JSON-RPC to stdout, and no internal error to stderr', () => {
    for (const { transport } of matrix.servers.values()) {
      expect(transport.unparsable).toEqual([]);
      expect(transport.stderr()).not.toMatch(/tool failed unexpectedly|Internal error/);
    }
  });
});
