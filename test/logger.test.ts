import { afterEach, describe, expect, it } from 'vitest';
import { log, redact, registerSecret, setLogSink } from '../src/logger.js';

describe('logger', () => {
  afterEach(() => setLogSink((line) => process.stderr.write(line)));

  it('replaces registered secrets and bearer tokens in every line', () => {
    const lines: string[] = [];
    setLogSink((l) => lines.push(l));
    registerSecret('sk_live_SECRET_123456');
    log.error('boom sk_live_SECRET_123456', { header: 'Bearer sk_live_SECRET_123456', other: 'Bearer abcdefghij' });
    expect(lines.join('')).not.toContain('SECRET_123456');
    expect(lines.join('')).not.toContain('abcdefghij');
    expect(lines.join('')).toContain('[redacted]');
    expect(redact('nothing here')).toBe('nothing here');
  });
});
