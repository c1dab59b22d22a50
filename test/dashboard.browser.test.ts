// The dashboard in a real browser: headless Chromium (Debian's, driven by playwright-core)
// opens a host page that embeds the view the way an MCP Apps host does (sandboxed iframe,
// ext-apps' AppBridge). The built server runs over stdio against the simulator; its real
// answers go to the view, the numbers on the page are read back and compared with the
// structured content, and the view's own requests (another provider, period, page) travel
// view -> bridge -> this process -> server and back.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type BrowserContext, type Frame, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { formatCredits, shortTime } from '../src/core/format.js';
import { envFor, spawnServer, startSimulator, type SpawnedServer, type Simulator } from './helpers.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Written by every run (not committed); the README's picture is a copy of one of them. */
const SHOTS = join(root, '.screenshots');
const WIDTH = 900;

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && !process.env.CI) {
  console.warn(`\n!! dashboard browser tests SKIPPED: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH). Under CI=true this fails.\n`);
}

type Data = Record<string, any>;
interface CallResult {
  content: Array<{ type: string; text?: string }>;
  structuredContent?: Data;
  isError?: boolean;
}
interface Relayed {
  name: string;
  arguments?: Record<string, unknown>;
  result?: CallResult;
}

let sim: Simulator;
let server: SpawnedServer;
let client: SpawnedServer['client'];
let http: Server;
let origin: string;
let profile: string;
let browser: BrowserContext;
let page: Page;
let html: string;
const relayed: Relayed[] = [];
const requests: Array<{ url: string; fromHost: boolean }> = [];
const consoleErrors: string[] = [];

describe.skipIf(!haveChromium && !process.env.CI)('the dashboard in Chromium', () => {
  beforeAll(async () => {
    if (!haveChromium) throw new Error(`No Chromium at ${CHROMIUM}: .ci/run installs Debian's chromium; locally, apt-get install chromium (or set CHROMIUM_PATH).`);
    mkdirSync(SHOTS, { recursive: true });
    sim = await startSimulator();
    // The era a host gets by default: the client probes and takes what the server offers.
    server = await spawnServer(envFor(sim), [], 'auto');
    client = server.client;
    // As a host does it: the tool names its page, and the page is read from the server.
    const { tools } = await client.listTools();
    const uri = (tools.find((t) => t.name === 'check_balance')!._meta as { ui: { resourceUri: string } }).ui.resourceUri;
    const { contents } = await client.readResource({ uri });
    html = (contents[0] as { text: string }).text;

    const host = await build({ entryPoints: [join(root, 'test/browser/host-page.ts')], bundle: true, format: 'iife', platform: 'browser', write: false, logLevel: 'warning' });
    const hostPage = `<!doctype html><html><head><meta charset="utf-8"><title>test host</title><link rel="icon" href="data:,"></head><body><script>${host.outputFiles[0]!.text}</script></body></html>`;
    http = createServer((req, res) => {
      if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(hostPage);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

    profile = mkdtempSync(join(tmpdir(), 'credit-mcp-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      // The machine's network is closed, and the browser must not reach for it on its own.
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      // Tall enough for the longest page: a frame below the fold is not painted into a screenshot.
      viewport: { width: WIDTH + 40, height: 2400 },
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('request', (r) => requests.push({ url: r.url(), fromHost: r.frame() === page.mainFrame() }));
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    await page.exposeFunction('relayToolCall', async (params: { name: string; arguments?: Record<string, unknown> }) => {
      const call: Relayed = { ...params };
      relayed.push(call);
      call.result = (await client.callTool(params)) as CallResult;
      return call.result;
    });
    await page.goto(`${origin}/`);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await server?.close();
    await new Promise((resolve) => (http ? http.close(resolve) : resolve(undefined)));
    await sim?.close();
  });

  // Checked after every test, so the one that caused it fails (and a filtered run checks too).
  afterEach(() => {
    expect(consoleErrors).toEqual([]);
    expect(requests.filter((r) => !r.fromHost || !r.url.startsWith(`${origin}/`))).toEqual([]);
  });

  /** Calls the tool on the server as an agent's host would, and shows the answer in a fresh view. */
  async function show(name: string, args: Record<string, unknown>, theme: 'light' | 'dark' = 'light') {
    const result = (await client.callTool({ name, arguments: args })) as CallResult;
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    await page.evaluate((mount) => (globalThis as any).mountView(mount), { html, theme, width: WIDTH, toolInput: args, toolResult: result as never });
    const frame = (await page.locator('iframe').elementHandle())!.contentFrame();
    const view = (await frame)!;
    await vi.waitFor(async () => expect(await view.locator('main').getAttribute('data-kind')).not.toBe('none'), { timeout: 10_000 });
    return { result, data: result.structuredContent!, view };
  }

  /** Clicks a control in the view and waits for the page the server's new answer draws. */
  async function click(view: Frame, selector: string): Promise<Relayed> {
    const before = relayed.length;
    await view.locator(selector).click();
    await vi.waitFor(async () => {
      expect(relayed.length).toBe(before + 1);
      expect(relayed[before]!.result).toBeDefined();
      expect(await view.locator('main').getAttribute('aria-busy')).toBe('false');
    }, { timeout: 20_000 });
    return relayed[before]!;
  }

  async function field(view: Frame, name: string, scope = 'main'): Promise<string> {
    return ((await view.locator(`${scope} [data-field="${name}"]`).first().textContent()) ?? '').trim();
  }

  /** Rows of a list on the page: key (name, id or index) -> the text of one field. */
  async function rows(view: Frame, list: string, key: 'data-name' | 'data-id' | 'data-index', name: string): Promise<Array<[string, string]>> {
    return view.locator(`[data-list="${list}"] [${key}]`).evaluateAll(
      (els, [k, f]) => els.map((e) => [e.getAttribute(k), (e.querySelector(`[data-field="${f}"]`)?.textContent ?? '').trim()]),
      [key, name] as const,
    ) as Promise<Array<[string, string]>>;
  }

  /** As the tool text writes it, and the same number read back. */
  function expectCredits(shown: string, value: number, plus = false) {
    expect(shown).toBe(`${plus && value > 0 ? '+' : ''}${formatCredits(value)}`);
    expect(Number(shown.replace(/[,+]/g, ''))).toBeCloseTo(value, 2);
  }

  async function expectBalance(view: Frame, data: Data) {
    expectCredits(await field(view, 'available_credits'), data.available_credits);
    for (const key of ['reserved_credits', 'remaining_credits']) {
      if (data[key] === null) expect(await field(view, key)).toBe('n/a');
      else expectCredits(await field(view, key), data[key]);
    }
    if (data.decision === 'not_requested') {
      expect(await view.locator('[data-decision]').count()).toBe(0);
    } else {
      expect(await view.locator('[data-decision]').getAttribute('data-decision')).toBe(data.decision);
      expectCredits(await field(view, 'required_credits'), data.required_credits);
      if (data.decision === 'insufficient') expectCredits(await field(view, 'shortfall_credits'), data.shortfall_credits);
    }
    const grants = await rows(view, 'grants', 'data-index', 'remaining_credits');
    expect(grants.map(([i]) => Number(i))).toEqual(data.grants.map((_: unknown, i: number) => i));
    grants.forEach(([i, shown]) => expectCredits(shown, data.grants[Number(i)].remaining_credits));
    if (data.next_expiry) {
      expectCredits(await field(view, 'next_expiry.remaining_credits'), data.next_expiry.remaining_credits);
      expect(await field(view, 'next_expiry.expires_at')).toBe(shortTime(data.next_expiry.expires_at));
      // The marked grant is the one the answer names.
      expect(await view.locator('.grant.next').count()).toBe(1);
    }
  }

  async function expectSummary(view: Frame, data: Data) {
    expectCredits(await field(view, 'used_credits'), data.used_credits);
    if (data.balance_snapshot) expectCredits(await field(view, 'balance_snapshot.available_credits'), data.balance_snapshot.available_credits);
    expect(await field(view, 'last_recorded_at')).toBe(shortTime(data.last_recorded_at));
    // Usage and what is not usage, apart: the meters that make up used_credits, and the rest.
    const lists: Array<[string, Data[], string, boolean]> = [
      ['by_meter', data.by_meter.filter((m: Data) => m.kind === 'usage'), 'meter', false],
      ['by_meter.apart', data.by_meter.filter((m: Data) => m.kind !== 'usage'), 'meter', false],
      ['by_usage', data.by_usage, 'usage', false],
      ['other_movements', data.other_movements, 'entry_type', true],
    ];
    for (const [list, expected, key, plus] of lists) {
      const shown = await rows(view, list, 'data-name', 'credits');
      expect(shown.map(([name]) => name)).toEqual(expected.map((r) => r[key]));
      shown.forEach(([, credits], i) => expectCredits(credits, expected[i]!.credits, plus));
    }
    if (data.provider === 'signal-foundry') expect(data.by_meter.some((m: Data) => m.kind === 'reservation_hold')).toBe(true);
    const shownUsage = (await rows(view, 'by_meter', 'data-name', 'credits')).reduce((sum, [, c]) => sum + Number(c.replace(/,/g, '')), 0);
    expect(shownUsage).toBeCloseTo(data.used_credits, 1);
    if (data.reservations) {
      for (const key of ['held', 'released', 'net']) expectCredits(await field(view, `reservations.${key}`), data.reservations[key]);
    } else {
      expect(await field(view, 'reservations')).toBe(`No reservations on ${data.provider}.`);
    }
    const events = await rows(view, 'recent_events', 'data-id', 'credits');
    expect(events.map(([id]) => id)).toEqual(data.recent_events.map((e: Data) => e.id));
    events.forEach(([, credits], i) => expectCredits(credits, data.recent_events[i].credits, true));
    // The reminder that writes are decided on the balance.
    expect(await field(view, 'guidance')).toBe(data.guidance);
    expect(data.guidance).toContain('check_balance');
    expect(await view.locator('button[aria-pressed="true"][data-choice="' + data.period.days + '"]').count()).toBe(1);
  }

  async function expectLedger(view: Frame, data: Data) {
    for (const key of ['credits_added', 'credits_used', 'net', 'count']) expectCredits(await field(view, `totals.${key}`), data.totals[key]);
    expectCredits(await field(view, 'scanned'), data.scanned);
    if (data.total_matching !== null) expectCredits(await field(view, 'total_matching'), data.total_matching);
    for (const [list, key] of [['by_category', 'category'], ['by_metric', 'metric_type']] as const) {
      const shown = await rows(view, list, 'data-name', 'credits');
      expect(shown.map(([name]) => name)).toEqual(data[list].map((r: Data) => r[key] ?? '(none)'));
      shown.forEach(([, net], i) => expectCredits(net, data[list][i].net, true));
    }
    const entries = await rows(view, 'entries', 'data-id', 'delta');
    expect(entries.map(([id]) => id)).toEqual(data.entries.map((e: Data) => e.ledger_id));
    entries.forEach(([, delta], i) => expectCredits(delta, data.entries[i].delta, true));
    if (data.complete) expect(await view.locator('[data-field="complete"]').count()).toBe(1);
    else expect(await field(view, 'partial_reason')).toBe(`Partial: ${data.partial_reason}`);
    expect(await view.locator('[data-action="next-page"]').count()).toBe(data.next_cursor ? 1 : 0);
  }

  async function screenshot(view: Frame, name: string) {
    // The frame as the host shows it, at the height the view asked for.
    await vi.waitFor(async () => {
      const heights = await page.evaluate(() => (globalThis as any).reportedHeights as number[]);
      const needed = await view.locator('html').evaluate((e) => e.scrollHeight);
      expect(heights.at(-1)).toBe(needed);
    });
    await page.locator('iframe').screenshot({ path: join(SHOTS, `${name}.png`) });
  }

  async function theme(view: Frame, to: 'light' | 'dark') {
    await page.evaluate((t) => (globalThis as any).setTheme(t), to);
    await vi.waitFor(async () => expect(await view.locator('html').getAttribute('data-theme')).toBe(to));
    return view.locator('html').evaluate((e) => e.ownerDocument.defaultView!.getComputedStyle(e).backgroundColor);
  }

  for (const provider of ['signal-foundry', 'synap'] as const) {
    it(`check_balance on ${provider}: figures, decision and grants as answered; light and dark`, async () => {
      // 500 fits signal-foundry's demo balance and not synap's: both verdicts get drawn.
      const required = provider === 'synap' ? 10_000 : 500;
      const { result, data, view } = await show('check_balance', { provider, required_credits: required });
      await expectBalance(view, data);
      expect(data.decision).toBe(provider === 'synap' ? 'insufficient' : 'sufficient');
      // The page and the agent's text say the same number.
      expect(result.content[0]!.text).toContain(`${await field(view, 'available_credits')} credits available`);
      await screenshot(view, `balance-${provider}-light`);
      const light = await view.locator('html').evaluate((e) => e.ownerDocument.defaultView!.getComputedStyle(e).backgroundColor);
      const dark = await theme(view, 'dark');
      expect(dark).not.toBe(light);
      await screenshot(view, `balance-${provider}-dark`);
      expect(await theme(view, 'light')).toBe(light);
    });

    it(`get_credit_summary on ${provider}: bars, events and the reminder as answered; light and dark`, async () => {
      const { result, data, view } = await show('get_credit_summary', { provider });
      await expectSummary(view, data);
      expect(result.content[0]!.text).toContain(`used ${await field(view, 'used_credits')} credits`);
      await screenshot(view, `summary-${provider}-light`);
      await theme(view, 'dark');
      await screenshot(view, `summary-${provider}-dark`);
    });

    it(`get_credit_ledger on ${provider}: totals, breakdowns, rows and completeness as answered`, async () => {
      const { result, data, view } = await show('get_credit_ledger', { provider });
      await expectLedger(view, data);
      expect(result.content[0]!.text).toContain(`net ${await field(view, 'totals.net')} over`);
      await screenshot(view, `ledger-${provider}-light`);
    });
  }

  it('switching the period asks the server through the host and draws its new answer', async () => {
    const { data: first, view } = await show('get_credit_summary', { provider: 'signal-foundry', days: 30 });
    const call = await click(view, 'button[data-choice="7"]');
    expect(call.name).toBe('get_credit_summary');
    expect(call.arguments).toEqual({ provider: 'signal-foundry', days: 7 });
    const seven = call.result!.structuredContent!;
    expect(seven.period.days).toBe(7);
    expect(seven.used_credits).not.toBe(first.used_credits);
    await expectSummary(view, seven);
  });

  it('following next_cursor fetches the next page of the same snapshot', async () => {
    const { data: first, view } = await show('get_credit_ledger', { provider: 'synap', limit: 20 });
    expect(first.next_cursor).toEqual(expect.any(String));
    const call = await click(view, '[data-action="next-page"]');
    expect(call).toMatchObject({ name: 'get_credit_ledger', arguments: { provider: 'synap', cursor: first.next_cursor, limit: 20 } });
    const second = call.result!.structuredContent!;
    await expectLedger(view, second);
    expect(second.entries).toHaveLength(20);
    const firstIds = new Set(first.entries.map((e: Data) => e.ledger_id));
    expect(second.entries.filter((e: Data) => firstIds.has(e.ledger_id))).toEqual([]);
    expect(await view.locator('[data-list="entries"] h3').textContent()).toBe('Rows 21-40, newest first');
    // The agent's own call with a cursor: the view cannot know how many rows came before.
    const { view: later } = await show('get_credit_ledger', { provider: 'synap', cursor: first.next_cursor, limit: 20 });
    expect(await later.locator('[data-list="entries"] h3').textContent()).toBe('Rows after the cursor, newest first');
  });

  it('shows markup in upstream data as text, never as markup', async () => {
    const markup = '<img src=x onerror="parent.pwned=1">';
    const entry = sim.synap.insert({ entry_type: 'debit', delta: -1.5, category: markup, metric_type: '<b>bold</b>' });
    const { data, view } = await show('get_credit_ledger', { provider: 'synap', limit: 5 });
    expect(data.entries[0].ledger_id).toBe(entry.ledger_id);
    const row = view.locator(`[data-list="entries"] [data-id="${entry.ledger_id}"]`);
    expect(await row.textContent()).toContain(markup);
    expect(await view.locator('img, b').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as any).pwned)).toBeUndefined();
  });

  it('switching the provider asks for the same decision on the other one', async () => {
    const { view } = await show('check_balance', { provider: 'signal-foundry', required_credits: 500 });
    const call = await click(view, 'button[data-choice="synap"]');
    expect(call).toMatchObject({ name: 'check_balance', arguments: { provider: 'synap', required_credits: 500 } });
    const synap = call.result!.structuredContent!;
    expect(synap.available_credits).toBe(sim.synap.balance().balance_credits);
    await expectBalance(view, synap);
  });

  it('reports its size to the host, which shows it whole', async () => {
    const { view } = await show('get_credit_summary', { provider: 'synap' });
    await vi.waitFor(async () => {
      const heights = await page.evaluate(() => (globalThis as any).reportedHeights as number[]);
      expect(heights.at(-1)).toBe(await view.locator('html').evaluate((e) => e.scrollHeight));
      expect((await page.locator('iframe').boundingBox())!.height).toBe(heights.at(-1));
    });
  });

  it('logged no console error, and nothing but the host page itself was requested', () => {
    expect(consoleErrors).toEqual([]);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((r) => !r.fromHost || !r.url.startsWith(`${origin}/`))).toEqual([]);
  });
});
