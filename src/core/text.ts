// Upstream strings are data, not instructions: cap them and strip control characters
// before they reach an agent's context, and never let them carry an API key back out.
import { redactSecrets } from '../logger.js';

// C0, DEL, C1; the soft hyphen, the Arabic letter mark and the other invisible format
// characters (zero-width, bidi controls, word joiner, BOM); tag characters, which can spell
// out hidden text; and, in `u` mode, surrogates that are not half of a pair.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\u{e0000}-\u{e007f}\ud800-\udfff]/gu;

/** Printable ASCII without runs of spaces: the common case, returned as it is. */
const PLAIN = /^[\x21-\x7e](?:[\x21-\x7e]| (?! ))*$/;

export function cleanText(value: unknown, max = 80): string {
  if (typeof value === 'string' && value.length <= max && PLAIN.test(value) && !value.endsWith(' ')) return redactSecrets(value);
  // Redacted before the cap, so a key cut short by it cannot slip through.
  const text = redactSecrets(String(value ?? '')).replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
  if (text.length <= max) return text;
  // Never cut a surrogate pair in half.
  const cut = text.slice(0, max - 1);
  return (/[\ud800-\udbff]$/.test(cut) ? cut.slice(0, -1) : cut) + '…';
}

export function cleanOptional(value: unknown, max = 80): string | null {
  return value === null || value === undefined || value === '' ? null : cleanText(value, max);
}

