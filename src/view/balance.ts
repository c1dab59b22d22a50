// check_balance: what can be spent now, the write decision when one was asked, and the grants
// on a line to their expiry.
import { formatCredits, shortTime } from '../core/format.js';
import type { BalanceAnswer } from './answers.js';
import { timeline } from './charts.js';
import { el } from './dom.js';
import { button, figure, figures, header, note, type Actions } from './parts.js';

export function renderBalance(b: BalanceAnswer, actions: Actions): Node[] {
  return [
    header('Credit balance', `${b.provider} · as of ${shortTime(b.as_of)}`, b.provider, actions, button('Refresh', actions.refresh, actions.busy, { 'data-action': 'refresh' })),
    figures(
      figure('Available', b.available_credits, 'available_credits', 'main'),
      figure('Reserved', b.reserved_credits, 'reserved_credits'),
      figure('Remaining', b.remaining_credits, 'remaining_credits'),
    ),
    b.low_balance ? note('The upstream flags this balance as low.', 'warn', 'low_balance') : null,
    decision(b),
    timeline(b),
  ].filter((n): n is HTMLElement => n !== null);
}

function decision(b: BalanceAnswer): HTMLElement {
  if (b.decision === 'not_requested' || b.required_credits === null) return note(b.guidance, 'info', 'guidance');
  const enough = b.decision === 'sufficient';
  return el(
    'section',
    { class: `decision ${enough ? 'ok' : 'danger'}`, 'data-decision': b.decision },
    el(
      'p',
      { class: 'verdict' },
      el('span', { class: 'badge' }, enough ? 'Sufficient' : 'Insufficient'),
      ' for a write of ',
      el('strong', { class: 'num', 'data-field': 'required_credits' }, formatCredits(b.required_credits)),
      ' credits',
      enough ? '' : ': short by ',
      enough ? '' : el('strong', { class: 'num', 'data-field': 'shortfall_credits' }, formatCredits(b.shortfall_credits ?? 0)),
    ),
    el('p', { 'data-field': 'guidance' }, b.guidance),
  );
}
