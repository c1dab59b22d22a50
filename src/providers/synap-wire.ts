// Synap's answers as the contract describes them, one schema per endpoint.
import * as z from 'zod';
import { amount, instant, optionalFlag, optionalInstant, optionalList, optionalText, text, wireObject } from './wire.js';

/** GET /v1/credits/balance */
export const SynapBalance = wireObject({
  balance_credits: amount,
  warning_low: optionalFlag,
  buckets: optionalList(
    wireObject({
      source_type: optionalText(),
      balance: amount,
      expires_at: optionalInstant,
    }),
  ),
});

/** POST /v1/credits/estimate */
export const SynapEstimate = wireObject({ credits_estimate: amount });

/** GET /v1/credits/ledger: one page, `total` counting every match across pages, `limit` echoing the page size served. */
export const SynapLedgerPage = wireObject({
  entries: z.array(
    wireObject(
      {
        ledger_id: text(120),
        entry_type: text(),
        delta: amount,
        metric_type: optionalText(),
        category: optionalText(),
        created_at: instant,
      },
      { ledger_id: ['id'] },
    ),
  ),
  total: amount,
  // Only a hint at the page size served: an echo that is not a count is ignored, not refused.
  limit: z.unknown().transform((v) => {
    const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : null;
  }),
});
