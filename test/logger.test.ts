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

describe('registered secrets', () => {
  it('are forgotten when their last holder releases them, and not before', () => {
    const first = registerSecret('tenant_key_ABCDEF_1');
    const second = registerSecret('tenant_key_ABCDEF_1');
    first();
    first(); // a second release by the same holder counts once
    expect(redact('key tenant_key_ABCDEF_1')).toBe('key [redacted]');
    second();
    expect(redact('key tenant_key_ABCDEF_1')).toBe('key tenant_key_ABCDEF_1');
  });
});
