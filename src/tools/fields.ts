// Argument and output pieces the three tools share.
import * as z from 'zod';
import { PROVIDER_IDS } from '../core/model.js';

export const providerArg = z
  .enum(PROVIDER_IDS)
  .optional()
  .describe('Only if several are configured.');

export const providerOut = z.string();

/**
 * An identifier sent upstream (entry_type, estimate.metric_type): a short word of a bounded,
 * printable alphabet, so nothing huge reaches a query string and no line break reaches an answer.
 */
export const IDENTIFIER_PATTERN = /^[\w.:-]+$/;
export const IDENTIFIER_RULE = '1 to 64 characters of letters, digits and _ . : -';
export const identifier = z.string().min(1).max(64).regex(IDENTIFIER_PATTERN);

/** The line every history answer ends on: history is not the balance a write is decided on. */
export const DECIDE_ON_BALANCE = 'This is history: before any write that spends credits, call check_balance (with required_credits) and decide on its answer, not on figures here.';

