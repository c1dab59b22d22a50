import { describe, expect, it } from 'vitest';
import { ConfigError, isLoopback, loadConfig } from '../src/config.js';

describe('configuration', () => {
  it('turns a provider on only when its key is set, with default base URLs', () => {
    const config = loadConfig({ SYNAP_API_KEY: 'synap_abc123' });
    expect(Object.keys(config.providers)).toEqual(['synap']);
    expect(config.providers.synap?.baseUrl.href).toBe('https://synap-cloud-prod.maximem.ai/');
    expect(config.timeoutMs).toBe(15000);
  });

  it('lets flags win over the environment', () => {
    const config = loadConfig(
      { SIGNAL_FOUNDRY_API_KEY: 'from-env-123', CREDIT_MCP_TIMEOUT_MS: '5000' },
      { 'signal-foundry-key': 'from-flag-123', 'timeout-ms': '2500' },
    );
    expect(config.providers['signal-foundry']?.apiKey).toBe('from-flag-123');
    expect(config.timeoutMs).toBe(2500);
  });

  it.each([
    ['http://127.0.0.1:8787', true],
    ['http://127.3.4.5', true],
    ['http://localhost:9', true],
    ['http://[::1]:80', true],
    ['https://example.com', true],
    ['http://example.com', false],
    ['http://10.0.0.1', false],
    ['http://127.0.0.1.evil.com', false],
    ['ftp://127.0.0.1', false],
    ['https://user:pw@example.com', false],
  ])('base URL %s allowed: %s', (url, allowed) => {
    const load = () => loadConfig({ SYNAP_API_KEY: 'synap_abc123', SYNAP_BASE_URL: url });
    if (allowed) expect(load().providers.synap?.baseUrl.href).toBe(new URL(url).href);
    else expect(load).toThrow(ConfigError);
  });

  it('refuses a plain-http base URL even with no key, naming the variable', () => {
    expect(() => loadConfig({ SIGNAL_FOUNDRY_BASE_URL: 'http://example.com' })).toThrow(/SIGNAL_FOUNDRY_BASE_URL must use https/);
  });

  it('refuses bad timeouts and unknown default providers', () => {
    expect(() => loadConfig({ CREDIT_MCP_TIMEOUT_MS: '0' })).toThrow(/100 to 600000/);
    expect(() => loadConfig({ CREDIT_MCP_TIMEOUT_MS: 'soon' })).toThrow(/CREDIT_MCP_TIMEOUT_MS/);
    expect(() => loadConfig({ CREDIT_MCP_DEFAULT_PROVIDER: 'stripe' })).toThrow(/signal-foundry, synap/);
  });

  it('knows loopback from look-alikes', () => {
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('127.0.0.256')).toBe(false);
    expect(isLoopback('localhost.example')).toBe(false);
  });
});
