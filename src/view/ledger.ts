// get_credit_ledger: exact totals over what was scanned, where they came from by category and
// by metric, the rows of this page, whether the totals are complete, and the next page.
import { formatCredits, shortTime } from '../core/format.js';
import type { LedgerAnswer } from './answers.js';
import { bars, signed } from './charts.js';
import { el } from './dom.js';
import { button, figure, figures, header, note, table, type Actions } from './parts.js';

/** `offset`: rows already shown before this page (the view counts pages it followed); null when unknown. */
export function renderLedger(l: LedgerAnswer, offset: number | null, actions: Actions): Node[] {
  const f = l.filters;
  const range = `${f.from ? `${shortTime(f.from)} to` : 'up to'} ${shortTime(f.to)}`;
  const count = (n: number) => `${formatCredits(n)} ${n === 1 ? 'entry' : 'entries'}`;
  const rows = offset === null ? 'Rows after the cursor' : `Rows ${offset + 1}-${offset + l.entries.length}`;
  return [
    header('Credit ledger', `${l.provider} · ${f.entry_type ?? 'all entry types'} · ${range}`, l.provider, actions),
    figures(
      figure('Added', l.totals.credits_added, 'totals.credits_added'),
      figure('Used', l.totals.credits_used, 'totals.credits_used'),
      figure('Net', l.totals.net, 'totals.net', 'main'),
      figure('Entries', l.totals.count, 'totals.count'),
    ),
    l.complete
      ? note(`Complete: the totals cover all ${count(l.scanned)} matching.`, 'ok', 'complete')
      : note(`Partial: ${l.partial_reason ?? 'not every matching entry was scanned.'}`, 'warn', 'partial_reason'),
    el(
      'p',
      { class: 'sub' },
      'Scanned ',
      el('span', { class: 'num', 'data-field': 'scanned' }, formatCredits(l.scanned)),
      l.total_matching === null ? ' (the upstream does not say how many match).' : ' of ',
      l.total_matching === null ? null : el('span', { class: 'num', 'data-field': 'total_matching' }, formatCredits(l.total_matching)),
      l.total_matching === null ? null : ' matching.',
    ),
    el(
      'div',
      { class: 'pair' },
      bars('By category (net)', 'by_category', l.by_category.map((c) => ({ name: c.category ?? '(none)', value: c.net, note: count(c.count) })), { signed: true }),
      bars('By metric (net)', 'by_metric', l.by_metric.map((m) => ({ name: m.metric_type ?? '(none)', value: m.net, note: count(m.count) })), { signed: true }),
    ),
    table(l.entries.length ? `${rows}, newest first` : 'Rows', 'entries', l.entries, (e) => e.ledger_id, [
      { title: 'Created', cell: (e) => shortTime(e.created_at) },
      { title: 'Type', cell: (e) => e.entry_type },
      { title: 'Delta', cell: (e) => signed(e.delta, true), field: 'delta', numeric: true },
      { title: 'Metric', cell: (e) => e.metric_type ?? '' },
      { title: 'Category', cell: (e) => e.category ?? '' },
    ]),
    el(
      'div',
      { class: 'pager' },
      l.next_cursor ? button(`Next ${l.entries.length || ''} rows`.replace('  ', ' '), actions.nextPage, actions.busy, { 'data-action': 'next-page' }) : el('span', { class: 'sub' }, 'No more rows.'),
    ),
    note(l.guidance, 'info', 'guidance'),
  ];
}
