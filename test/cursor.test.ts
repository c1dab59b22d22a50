import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { cursorSecret, decodeCursor, encodeCursor, type CursorState } from '../src/ledger/cursor.js';
import { LedgerTotals } from '../src/ledger/totals.js';

const state: CursorState = {
  v: 1,
  provider: 'synap',
  filters: { entry_type: 'debit' },
  pinnedTo: '2026-11-21T00:00:00.000Z',
  rowOffset: 20,
  scanned: 2000,
  scanLimit: 2000,
  totalMatching: 2400,
  truncated: false,
  totals: new LedgerTotals().state(),
};

describe('ledger cursor', () => {
  const secret = cursorSecret('synap', 'synap_key_one');

  it('round-trips through any process that holds the same key', () => {
    const token = encodeCursor(state, secret);
    expect(decodeCursor(token, cursorSecret('synap', 'synap_key_one'))).toEqual(state);
  });

  it('does not reveal the key', () => {
    expect(encodeCursor(state, secret)).not.toContain('synap_key_one');
  });

  it('refuses an altered cursor, a cursor from another key, and garbage', () => {
    const token = encodeCursor(state, secret);
    const [payload, sig] = token.split('.');
    const forged = deflateRawSync(JSON.stringify({ ...state, rowOffset: 0 })).toString('base64url');
    expect(() => decodeCursor(`${forged}.${sig}`, secret)).toThrow(/altered/);
    expect(() => decodeCursor(token, cursorSecret('synap', 'synap_key_two'))).toThrow(/altered/);
    expect(() => decodeCursor(`${payload}`, secret)).toThrow(/cursor/);
    expect(() => decodeCursor('not a cursor', secret)).toThrow(/cursor/);
  });
});
