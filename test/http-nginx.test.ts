// Scale-out for real: the README's nginx configuration, TLS and all, in front of three
// `credit-mcp http` instances. A cursor chain whose pages land on different instances holds,
// and instances killed (SIGKILL) or stopped (SIGTERM) under a steady load of concurrent calls
// lose no call: nginx sends each cut or refused request on to the next instance.
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPClientTransport, type FetchLike } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, envFor, startSimulator, textOf, until, type EraMode, type Simulator } from './helpers.js';
import { findNginx, startNginx, type Nginx } from './nginx.js';
import { startHttpServer, type HttpServer } from './remote.js';

const TOKEN = 'tok_behind_nginx_0123456789';

interface Relay {
  url: string;
  /** Upstream requests of this one instance not answered yet: a call of its is in flight. */
  inFlight(): number;
  close(): Promise<void>;
}

/** The simulator as one instance reaches it: every request passed on as it is, those awaiting their answer counted. */
async function relayTo(target: string): Promise<Relay> {
  let inFlight = 0;
  const server = createServer((req, res) => {
    inFlight++;
    const onward = httpRequest(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    onward.on('error', () => res.destroy());
    res.once('close', () => {
      inFlight--;
      onward.destroy();
    });
    req.pipe(onward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    inFlight: () => inFlight,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const nginx = findNginx();
// Missing nginx fails loudly under CI (.ci/run installs Debian's package); a laptop skips.
if (!nginx && process.env.CI === 'true') throw new Error("nginx is not installed: .ci/run installs Debian's nginx package; install it (apt-get install nginx) and run again.");

describe.skipIf(!nginx)('nginx in front of three instances', () => {
  let sim: Simulator;
  let proxy: Nginx;
  let instances: HttpServer[];
  /** Between the instance the load test kills and the simulator. */
  let victimUpstream: Relay;
  const connect = async (era: EraMode) => {
    const client = clientFor(era);
    await client.connect(new StreamableHTTPClientTransport(proxy.url, { fetch: proxy.fetch as FetchLike, requestInit: { headers: { authorization: `Bearer ${TOKEN}` } } }));
    return client;
  };

  beforeAll(async () => {
    sim = await startSimulator({ synapLedgerSize: 2500 });
    victimUpstream = await relayTo(sim.url);
    const viaRelay = { SIGNAL_FOUNDRY_BASE_URL: victimUpstream.url, SYNAP_BASE_URL: victimUpstream.url };
    instances = await Promise.all([0, 1, 2].map((i) => startHttpServer(envFor(sim, { CREDIT_MCP_HTTP_TOKENS: TOKEN, ...(i === 1 ? viaRelay : {}) }))));
    proxy = await startNginx(nginx!, instances.map((i) => i.port), { tls: true });
  }, 30_000);
  afterAll(async () => {
    await proxy?.stop();
    await Promise.all(instances?.map((i) => (i.child.exitCode === null && i.child.signalCode === null ? i.stop() : undefined)) ?? []);
    await victimUpstream?.close();
    await sim?.close();
  });

  it('carries a cursor chain across instances: every row of the snapshot once', async () => {
    const client = await connect('modern');
    const rows: string[] = [];
    let cursor: string | null = null;
    let to = '';
    do {
      const page = await client.callTool({ name: 'get_credit_ledger', arguments: { provider: 'synap', entry_type: 'debit', limit: 100, ...(cursor ? { cursor } : {}) } });
      expect(page.isError, textOf(page)).toBeFalsy();
      const data = page.structuredContent as { entries: Array<{ ledger_id: string }>; next_cursor: string | null; filters: { to: string } };
      to ||= data.filters.to;
      rows.push(...data.entries.map((e) => e.ledger_id));
      cursor = data.next_cursor;
      if (cursor) sim.synap.insert(); // arrives upstream meanwhile: outside the snapshot
    } while (cursor);
    await client.close();
    expect(rows).toEqual(sim.synap.query({ entry_type: 'debit', to }).map((e) => e.ledger_id));
    // Round robin put the pages on every instance.
    for (const instance of instances) expect(instance.access().filter((l) => l.tool === 'get_credit_ledger').length).toBeGreaterThan(3);
  });

  it('loses no call when instances are killed and stopped under load', async () => {
    sim.setLatency(150); // every instance has calls in flight at any moment
    const clients = await Promise.all((['modern', 'legacy', 'modern', 'legacy', 'modern', 'legacy', 'modern', 'legacy'] as const).map(connect));
    const truth = sim.signalFoundry.balance().available_credits;
    let answered = 0;
    const failures: string[] = [];
    let running = true;
    const workers = clients.map(async (client) => {
      while (running) {
        try {
          const result = await client.callTool({ name: 'check_balance', arguments: { provider: 'signal-foundry' } });
          if (result.isError || (result.structuredContent as { available_credits: number }).available_credits !== truth) failures.push(textOf(result));
          else answered++;
        } catch (error) {
          failures.push(String(error));
        }
      }
    });
    try {
      await until(() => answered >= 40);
      const [, killed, stopped] = instances;
      const servedBefore = killed!.access().length;
      // The victim itself is in the middle of a call: nginx is waiting for its answer.
      await until(() => victimUpstream.inFlight() > 0);
      killed!.child.kill('SIGKILL');
      expect(await killed!.exited).toEqual({ code: null, signal: 'SIGKILL' });
      const afterKill = answered;
      await until(() => answered >= afterKill + 60);
      stopped!.child.kill('SIGTERM');
      expect(await stopped!.exited).toEqual({ code: 0, signal: null });
      const afterStop = answered;
      await until(() => answered >= afterStop + 60);
      expect(servedBefore).toBeGreaterThan(0);
    } finally {
      running = false;
      await Promise.all(workers);
      sim.setLatency(0);
      for (const c of clients) await c.close();
    }
    expect(failures).toEqual([]);
    // The kill cut calls in flight (and each one still got its answer above: nginx sent it on).
    expect(proxy.errorLog()).toMatch(/upstream prematurely closed connection while reading response header from upstream/);
    expect(instances[0]!.access().filter((l) => l.tool === 'check_balance').length).toBeGreaterThan(60);
  }, 60_000);
});
