// How credits and instants read: one place for the tool texts and the dashboard, so a number on
// the page is the number in the answer's text. No Node imports: the view bundles this file.

/** Rounds away float noise from summing decimal credits (0.1 + 0.2). */
export function roundCredits(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

let credits: Intl.NumberFormat | undefined;

export function formatCredits(value: number): string {
  // Made on first use: building a NumberFormat costs start-up tens of ms (ICU data).
  credits ??= new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
  return credits.format(roundCredits(value));
}

/** `2026-12-01T21:53:28.411Z` -> `2026-12-01 21:53Z`; null -> `never`. */
export function shortTime(iso: string | null): string {
  return iso ? iso.replace(/:\d\d(\.\d+)?Z$/, 'Z').replace('T', ' ') : 'never';
}
