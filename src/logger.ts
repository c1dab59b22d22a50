// The one logger. stdout carries JSON-RPC, so every line goes to stderr, and every
// registered secret is replaced before it is written.
type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Each secret with how many holders registered it: a remote server's keys come and go. */
const secrets = new Map<string, number>();
let threshold: number = ORDER.info;
let sink: (line: string) => void = (line) => process.stderr.write(line);

/** Shorter values are not redacted: replacing every "abc" would mangle text. Secrets we accept are at least this long. */
export const MIN_SECRET_LENGTH = 6;

/**
 * Registers a value that must never be printed (API keys, bearer tokens). Values shorter than
 * MIN_SECRET_LENGTH are ignored. The returned release forgets it once its last holder has
 * released it, so a server that sees many keys over time does not hold them all.
 */
export function registerSecret(value: string | undefined): () => void {
  if (!value || value.length < MIN_SECRET_LENGTH) return () => {};
  secrets.set(value, (secrets.get(value) ?? 0) + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const holders = (secrets.get(value) ?? 1) - 1;
    if (holders > 0) secrets.set(value, holders);
    else secrets.delete(value);
  };
}

/** Replaces every registered secret: upstreams can quote a key back in an error or a field. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const secret of secrets.keys()) if (out.includes(secret)) out = out.split(secret).join('[redacted]');
  return out;
}

export function redact(text: string): string {
  // Bearer tokens we did not register (a key typed into a URL, a header echoed by a library).
  return redactSecrets(text).replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]{6,}/g, '$1[redacted]');
}

/** Returns false for a level it does not know, which it leaves as it was. */
export function setLogLevel(level: string | undefined): boolean {
  if (level === undefined || level === '') return true;
  if (!Object.hasOwn(ORDER, level)) return false;
  threshold = ORDER[level as Level];
  return true;
}

/** Tests capture log lines here instead of stderr. */
export function setLogSink(next: (line: string) => void): void {
  sink = next;
}

function write(level: Level, message: string, fields?: Record<string, unknown>, always = false): void {
  if (ORDER[level] < threshold && !always) return;
  let line = `[credit-mcp] ${level} ${message}`;
  if (fields) line += ' ' + safeJson(fields);
  sink(redact(line) + '\n');
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (v instanceof Error ? { name: v.name, message: v.message } : v));
  } catch {
    return String(value);
  }
}

export const log = {
  debug: (m: string, f?: Record<string, unknown>) => write('debug', m, f),
  info: (m: string, f?: Record<string, unknown>) => write('info', m, f),
  warn: (m: string, f?: Record<string, unknown>) => write('warn', m, f),
  error: (m: string, f?: Record<string, unknown>) => write('error', m, f),
  /** An info line written whatever the level: what a supervisor waits for (the address a server listens on). */
  announce: (m: string, f?: Record<string, unknown>) => write('info', m, f, true),
};
