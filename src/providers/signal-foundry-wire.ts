// Signal Foundry's answers as the contract describes them, one schema per endpoint. The fields
// inside `grants[]` are not documented: the names assumed here are the contract's.
import { amount, instant, optionalAmount, optionalInstant, optionalList, optionalText, text, wireObject } from './wire.js';

/** GET /api/signal-foundry/credits/balance */
export const SignalFoundryBalance = wireObject({
  balance: wireObject({
    available_credits: amount,
    remaining_credits: optionalAmount,
    reserved_credits: optionalAmount,
    grants: optionalList(
      wireObject(
        {
          grant_id: optionalText(),
          source: optionalText(),
          remaining_credits: amount,
          expires_at: optionalInstant,
        },
        { grant_id: ['id'], source: ['type'] },
      ),
    ),
  }),
});


/** GET /api/signal-foundry/credits?days=&limit=: usage in the period, and the balance now. */
export const SignalFoundrySummary = wireObject({
  summary: wireObject(
    {
      used_credits: amount,
      available_credits: amount,
      remaining_credits: optionalAmount,
      reserved_credits: optionalAmount,
      last_recorded_at: optionalInstant,
      period_start: optionalInstant,
      period_end: optionalInstant,
      meter_breakdown: optionalList(wireObject({ meter_type: optionalText(), quantity: amount })),
      usage_breakdown: optionalList(wireObject({ usage_key: optionalText(), quantity: amount })),
      recent_events: optionalList(
        wireObject(
          {
            credit_event_id: text(),
            meter_type: optionalText(),
            quantity: amount,
            usage_key: optionalText(),
            reference_type: optionalText(),
            reference_id: optionalText(120),
            recorded_at: instant,
          },
          { credit_event_id: ['id'] },
        ),
      ),
    },
    { used_credits: ['total_quantity'] },
  ),
});
