// The two pictures: bars for amounts by name, and grants on a line to their expiry. Plain SVG
// sized in percent, so they follow the width the host gives without measuring anything.
import { formatCredits, shortTime } from '../core/format.js';
import type { BalanceAnswer } from './answers.js';
import { el, svg } from './dom.js';

export interface BarRow {
  /** Shown, and the row's `data-name` (what the test finds it by). */
  name: string;
  value: number;
  /** Shown under the value, e.g. how many entries make it up. */
  note?: string;
}

/** Bars scaled to the largest magnitude; negative amounts (credits used) are drawn in their own colour. */
export function bars(title: string, list: string, rows: BarRow[], options: { signed?: boolean } = {}): HTMLElement {
  const max = Math.max(0, ...rows.map((r) => Math.abs(r.value)));
  const chart = el('div', { class: 'bars', role: 'list' });
  for (const row of rows) {
    const share = max > 0 ? (Math.abs(row.value) / max) * 100 : 0;
    const tone = options.signed ? (row.value < 0 ? 'neg' : 'pos') : 'use';
    chart.append(
      el(
        'div',
        { class: 'bar-row', role: 'listitem', 'data-name': row.name },
        el('span', { class: 'bar-label', title: row.name }, row.name),
        el(
          'span',
          { class: 'bar-track' },
          svg('svg', { class: `bar ${tone}`, viewBox: '0 0 100 10', preserveAspectRatio: 'none', 'aria-hidden': 'true' }, svg('rect', { width: share.toFixed(2), height: 10 })),
        ),
        el('span', { class: 'bar-value num' }, el('span', { 'data-field': 'credits' }, signed(row.value, options.signed)), row.note ? el('small', {}, row.note) : null),
      ),
    );
  }
  if (rows.length === 0) chart.append(el('p', { class: 'empty' }, 'None.'));
  return el('section', { class: 'panel', 'data-list': list }, el('h3', {}, title), chart);
}

export function signed(value: number, showPlus = false): string {
  return `${showPlus && value > 0 ? '+' : ''}${formatCredits(value)}`;
}

const DAY = 86_400_000;

/**
 * Each grant as a bar from now to its expiry, on one scale; grants that never expire run to the
 * end, expired ones are listed with no bar. The next expiry (the one check_balance names) is a
 * marked line across all rows.
 */
export function timeline(balance: BalanceAnswer): HTMLElement {
  const now = Date.parse(balance.as_of);
  const ends = balance.grants.map((g) => (g.expires_at ? Date.parse(g.expires_at) : NaN)).filter((t) => t > now);
  // At least a week, so a grant expiring in an hour is not drawn as a full-width bar.
  const end = Math.max(now + 7 * DAY, ...ends);
  const at = (t: number) => Math.min(100, Math.max(0, ((t - now) / (end - now)) * 100));
  const next = balance.next_expiry;

  const marker = next ? at(Date.parse(next.expires_at)) : null;

  const rows = el('div', { class: 'timeline', role: 'list', 'data-list': 'grants' });
  balance.grants.forEach((grant, index) => {
    const expires = grant.expires_at ? Date.parse(grant.expires_at) : null;
    const expired = expires !== null && expires <= now;
    const width = expires === null ? 100 : expired ? 0 : at(expires);
    const isNext = next !== null && grant.expires_at === next.expires_at && grant.remaining_credits === next.remaining_credits;
    const state = expired ? 'expired' : grant.remaining_credits <= 0 ? 'spent' : expires === null ? 'open' : isNext ? 'next' : 'live';
    // Rows sit flush, so the marker drawn in each of them reads as one line down the chart.
    const track = svg('svg', { class: 'track', viewBox: '0 0 100 26', preserveAspectRatio: 'none', 'aria-hidden': 'true' }, svg('rect', { y: 8, width: width.toFixed(2), height: 10 }));
    if (marker !== null) track.append(svg('line', { class: 'marker', x1: marker.toFixed(2), x2: marker.toFixed(2), y1: 0, y2: 26, 'vector-effect': 'non-scaling-stroke' }));
    rows.append(
      el(
        'div',
        { class: `grant ${state}`, 'data-index': index, role: 'listitem' },
        el('span', { class: 'grant-label' }, el('span', { class: 'source' }, grant.source), ' ', el('span', { class: 'num', 'data-field': 'remaining_credits' }, formatCredits(grant.remaining_credits))),
        track,
        el('span', { class: 'grant-end' }, expires === null ? 'no expiry' : `${expired ? 'expired ' : ''}${day(grant.expires_at!)}`),
      ),
    );
  });
  rows.append(el('div', { class: 'grant axis', 'aria-hidden': 'true' }, el('span'), el('span', { class: 'ticks' }, el('span', {}, `now ${day(balance.as_of)}`), el('span', {}, day(new Date(end).toISOString()))), el('span')));
  const caption = next
    ? el(
        'p',
        { class: 'next', 'data-field': 'next_expiry' },
        'Next expiry: ',
        el('strong', { class: 'num', 'data-field': 'next_expiry.remaining_credits' }, formatCredits(next.remaining_credits)),
        ' credits on ',
        el('strong', { 'data-field': 'next_expiry.expires_at' }, shortTime(next.expires_at)),
      )
    : el('p', { class: 'next' }, 'No credits expire.');
  return el('section', { class: 'panel' }, el('h3', {}, 'Grants to their expiry'), caption, balance.grants.length ? rows : el('p', { class: 'empty' }, 'No grants listed.'));
}

export function day(iso: string): string {
  return iso.slice(0, 10);
}
