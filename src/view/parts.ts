// Pieces every answer's page is made of: the header with its controls, figures, notes, tables.
import { formatCredits } from '../core/format.js';
import { PROVIDERS, type ProviderId } from './answers.js';
import { el } from './dom.js';

/** What the page may ask the server for, through the host. */
export interface Actions {
  busy: boolean;
  provider(id: ProviderId): void;
  days(days: number): void;
  nextPage(): void;
  refresh(): void;
  /** check_balance on the same provider: where writes are decided. */
  balance(): void;
}

export function header(title: string, subtitle: string, provider: string, actions: Actions, ...controls: Node[]): HTMLElement {
  return el(
    'header',
    {},
    el('div', {}, el('h2', {}, title), el('p', { class: 'sub' }, subtitle)),
    el('div', { class: 'controls' }, choice('Provider', PROVIDERS, provider, (p) => actions.provider(p), actions.busy), ...controls),
  );
}

/** A row of buttons of which one is current; the others ask for that choice. */
export function choice<T extends string | number>(label: string, options: readonly T[], current: T | string, pick: (value: T) => void, busy: boolean, name = (v: T) => String(v)): HTMLElement {
  const group = el('div', { class: 'choice', role: 'group', 'aria-label': label });
  for (const option of options) {
    const on = option === current;
    const button = el('button', { type: 'button', 'aria-pressed': on ? 'true' : 'false', 'data-choice': String(option), disabled: busy }, name(option));
    if (!on) button.addEventListener('click', () => pick(option));
    group.append(button);
  }
  return group;
}

export function button(label: string, onClick: () => void, busy: boolean, attrs: Record<string, string> = {}): HTMLButtonElement {
  const b = el('button', { type: 'button', disabled: busy, ...attrs }, label);
  b.addEventListener('click', onClick);
  return b;
}

/** A headline figure; `field` names the structured key it shows, for whoever checks the page against it. */
export function figure(label: string, value: number | null, field: string, tone = ''): HTMLElement {
  return el(
    'div',
    { class: `figure ${tone}` },
    el('span', { class: 'label' }, label),
    el('span', { class: 'value num', 'data-field': field }, value === null ? 'n/a' : formatCredits(value)),
  );
}

export function figures(...items: Array<HTMLElement | null>): HTMLElement {
  return el('div', { class: 'figures' }, ...items);
}

export function note(text: string, tone: 'info' | 'warn' | 'danger' | 'ok' = 'info', field?: string): HTMLElement {
  return el('p', { class: `note ${tone}`, ...(field ? { 'data-field': field } : {}) }, text);
}

export interface Column<R> {
  title: string;
  cell(row: R): string;
  field?: string;
  numeric?: boolean;
}

export function table<R>(title: string, list: string, rows: R[], key: (row: R) => string, columns: Column<R>[]): HTMLElement {
  const head = el('tr', {}, ...columns.map((c) => el('th', { class: c.numeric ? 'num' : undefined, scope: 'col' }, c.title)));
  const body = el('tbody');
  for (const row of rows) {
    body.append(el('tr', { 'data-id': key(row) }, ...columns.map((c) => el('td', { class: c.numeric ? 'num' : undefined, 'data-field': c.field }, c.cell(row)))));
  }
  const content = rows.length ? el('div', { class: 'scroll' }, el('table', {}, el('thead', {}, head), body)) : el('p', { class: 'empty' }, 'No rows.');
  return el('section', { class: 'panel', 'data-list': list }, el('h3', {}, title), content);
}
