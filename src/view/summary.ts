// get_credit_summary: what used credits over the period, by meter and by usage, the latest
// events, and the reminder that this is history, not the balance a write is decided on.
import { shortTime } from '../core/format.js';
import type { SummaryAnswer } from './answers.js';
import { bars, signed } from './charts.js';
import { el } from './dom.js';
import { button, choice, figure, figures, header, note, table, type Actions } from './parts.js';

/** The periods offered; the one asked for joins them when it is another. */
const PERIODS = [7, 30, 90, 365];

const KIND_NAMES: Record<string, string> = { reservation_hold: 'reservation hold', reservation_release: 'reservation release', other: 'not usage' };

/** What moved credits without being usage: reservations (Signal Foundry), other entry types (Synap). */
function apartFromUsage(s: SummaryAnswer): HTMLElement {
  const r = s.reservations;
  const meters = s.by_meter.filter((m) => m.kind !== 'usage');
  return el(
    'section',
    { class: 'panel apart', 'data-list': 'apart' },
    el('h3', {}, 'Apart from usage'),
    r
      ? figures(
          figure('Reservations held', r.held, 'reservations.held'),
          figure('Released', r.released, 'reservations.released'),
          figure('Net (held − released)', r.net, 'reservations.net'),
        )
      : note(`No reservations on ${s.provider}.`, 'info', 'reservations'),
    meters.length > 0 ? bars('Meters not counted as used', 'by_meter.apart', meters.map((m) => ({ name: m.meter, value: m.credits, note: KIND_NAMES[m.kind] }))) : null,
    s.other_movements.length > 0
      ? bars('Other entry types', 'other_movements', s.other_movements.map((o) => ({ name: o.entry_type, value: o.credits })), { signed: true })
      : null,
  );
}

export function renderSummary(s: SummaryAnswer, actions: Actions): Node[] {
  const periods = [...new Set([...PERIODS, s.period.days])].sort((a, b) => a - b);
  const snapshot = s.balance_snapshot;
  return [
    header(
      'Credit usage',
      `${s.provider} · ${shortTime(s.period.start)} to ${shortTime(s.period.end)}`,
      s.provider,
      actions,
      choice('Period', periods, s.period.days, (d) => actions.days(d), actions.busy, (d) => `${d} days`),
    ),
    figures(
      figure(`Used in ${s.period.days} days`, s.used_credits, 'used_credits', 'main'),
      snapshot ? figure('Available at read time', snapshot.available_credits, 'balance_snapshot.available_credits') : null,
      el('div', { class: 'figure' }, el('span', { class: 'label' }, 'Last event'), el('span', { class: 'value small', 'data-field': 'last_recorded_at' }, shortTime(s.last_recorded_at))),
    ),
    s.partial || s.derived_from_ledger
      ? note([s.partial ? 'Partial: not every event in the period was read.' : '', s.derived_from_ledger ? 'Derived from the ledger.' : ''].filter(Boolean).join(' '), s.partial ? 'warn' : 'info', 'partial')
      : null,
    el(
      'div',
      { class: 'pair' },
      bars('Used, by meter', 'by_meter', s.by_meter.filter((m) => m.kind === 'usage').map((m) => ({ name: m.meter, value: m.credits }))),
      bars('Used, by usage', 'by_usage', s.by_usage.map((u) => ({ name: u.usage, value: u.credits }))),
    ),
    apartFromUsage(s),
    table(`Recent events (${s.recent_events.length})`, 'recent_events', s.recent_events, (e) => e.id, [
      { title: 'When', cell: (e) => shortTime(e.at) },
      { title: 'Meter', cell: (e) => e.meter ?? '' },
      { title: 'Usage', cell: (e) => e.usage ?? '' },
      { title: 'Credits', cell: (e) => signed(e.credits, true), field: 'credits', numeric: true },
      { title: 'Reference', cell: (e) => [e.reference_type, e.reference_id].filter(Boolean).join(' ') },
    ]),
    el(
      'section',
      { class: 'note info reminder' },
      el('p', { 'data-field': 'guidance' }, s.guidance),
      button('Check the balance', () => actions.balance(), actions.busy, { 'data-action': 'balance' }),
    ),
  ].filter((n): n is HTMLElement => n !== null);
}
