// The ledger cursor carries everything needed to continue (filters, pinned snapshot,
// position, running totals), signed so a tampered one is refused. No server state: any
// process holding the same API key can continue it.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { InputError } from '../core/errors.js';
import type { LedgerFilters, ProviderId } from '../core/model.js';
import type { TotalsState } from './totals.js';

export interface CursorState {
  v: 1;
  provider: ProviderId;
  /** The filters as the first call gave them (normalized to UTC instants). */
  filters: LedgerFilters;
  pinnedTo: string;
  /** Position of the next row to return. */
  rowOffset: number;
  scanned: number;
  scanLimit: number;
  /** Unknown (null) until the upstream has answered a page. */
  totalMatching: number | null;
  truncated: boolean;
  totals: TotalsState;
}

const INVALID = 'cursor is not one this server issued for this provider and key, or it was altered; call again without cursor to start a new walk.';

export function cursorSecret(provider: ProviderId, apiKey: string): Buffer {
  return createHash('sha256').update(`credit-mcp cursor v1\0${provider}\0${apiKey}`).digest();
}

/** Deflated before encoding: the agent carries the cursor in its context, so bytes count. */
export function encodeCursor(state: CursorState, secret: Buffer): string {
  const payload = deflateRawSync(JSON.stringify(state)).toString('base64url');
  return `${payload}.${sign(payload, secret)}`;
}

export function decodeCursor(token: string, secret: Buffer): CursorState {
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) throw new InputError('cursor', INVALID);
  const expected = Buffer.from(sign(payload, secret));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new InputError('cursor', INVALID);
  try {
    const state = JSON.parse(inflateRawSync(Buffer.from(payload, 'base64url')).toString('utf8')) as CursorState;
    if (state.v !== 1) throw new Error('version');
    return state;
  } catch {
    throw new InputError('cursor', INVALID);
  }
}

function sign(payload: string, secret: Buffer): string {
  return createHmac('sha256', secret).update(payload).digest('base64url').slice(0, 22);
}
