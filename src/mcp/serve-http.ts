// `credit-mcp http`: the factory served over Streamable HTTP, stateless, both protocol eras
// (the SDK's createMcpHandler, mounted on node:http with @modelcontextprotocol/node), so any
// instance answers any request. In front of the handler, in order: Host and Origin (DNS
// rebinding, on every path), the route, the bearer token (a static one, or a signed-in caller's
// access token, whose claim may pick a tenant's keys), the caller's upstream keys. Each
// request gets one access-log line; a client that leaves cancels its calls; SIGTERM drains the
// calls in flight. `GET /metrics` (Prometheus) is served behind the same checks, or alone on a
// port of its own.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostHeaderValidation, originValidation, toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, localhostAllowedHostnames, type AuthInfo, type McpRequestContext } from '@modelcontextprotocol/server';
import { ConfigError, isLoopback, PROVIDER_ENV, type Config } from '../config.js';
import { linkSignals } from '../http/abort.js';
import { log, registerSecret } from '../logger.js';
import { installMetrics } from '../metrics/record.js';
import { ProviderRegistry } from '../providers/registry.js';
import { accessLog, SUBJECT, type AccessRecord } from '../remote/access-log.js';
import { tokenCheck } from '../remote/bearer.js';
import { allowedHostsOf, checkHttpSafety, type HttpSettings } from '../remote/settings.js';
import type { OAuthGate } from '../remote/oauth/index.js';
import type { TenantKeys } from '../remote/oauth/tenants-file.js';
import { KeyHeaderError, TenantPool } from '../remote/tenants.js';
import type { EnableHint } from '../providers/registry.js';
import { observeOperations } from './operation-metrics.js';
import type { ServeOptions } from './serve-stdio.js';
import { createCreditServer } from './server.js';
import { onShutdown } from './shutdown.js';

export const MCP_PATH = '/mcp';
export const METRICS_PATH = '/metrics';
export const MAX_BODY_BYTES = 1024 * 1024;
/** Node's own guards against clients that hold a connection without finishing a request. */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
/** Longer than a proxy's idle upstream keep-alive (nginx: 60 s), so the proxy closes first. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
/** How long calls cancelled after the grace period get to answer "Cancelled" before connections are cut. */
const CANCEL_WAIT_MS = 1000;
/**
 * What the factory needs of its request travels on the request's AuthInfo: the caller's
 * providers (the caller's credentials, resolved), and the signal that ends the request's calls.
 */
const REGISTRY = 'credit-mcp/registry';
const CALLS_SIGNAL = 'credit-mcp/signal';

export async function serveHttp(config: Config, settings: HttpSettings, options: ServeOptions = {}): Promise<void> {
  checkHttpSafety(settings, config.providers);
  settings.tokens.forEach((token) => registerSecret(token));
  const exposition = (await import('../metrics/prometheus.js')).createPrometheusMetrics();
  installMetrics(exposition.sink);
  // The fleet's store, loaded (ioredis with it) only when one is configured; it connects in the
  // background, so a store that is not there yet costs requests, never the start.
  const fleet = settings.redisUrl ? (await import('../store/tenant-store.js')).openFleet(settings.redisUrl, { concurrency: config.walk.concurrency }) : undefined;

  // Only a server that signs callers in loads jose and the rest of it.
  const oauth: OAuthGate | undefined = settings.oauth ? await (await import('../remote/oauth/index.js')).openOAuth(settings.oauth) : undefined;

  const shutdown = new AbortController();
  let shared: ProviderRegistry | undefined;
  const tenants = settings.keysFromRequest || oauth?.tenants
    ? new TenantPool({
        baseUrls: settings.baseUrls,
        timeoutMs: config.timeoutMs,
        ledger: config.ledger,
        ...(config.defaultProvider ? { defaultProvider: config.defaultProvider } : {}),
        ...(fleet ? { fleet } : {}),
      })
    : undefined;
  const factory = ({ authInfo }: McpRequestContext) => {
    const lent = authInfo?.extra?.[REGISTRY] as ProviderRegistry | undefined;
    const registry = lent ?? (shared ??= new ProviderRegistry(fleet ? { ...config, fleet } : config));
    const signal = (authInfo?.extra?.[CALLS_SIGNAL] as AbortSignal | undefined) ?? shutdown.signal;
    return observeOperations(createCreditServer({ registry: async () => registry, walk: config.walk, signal }));
  };
  const handler = createMcpHandler(factory, {
    maxRequestBodySize: MAX_BODY_BYTES,
    onerror: (error) => log.debug('mcp: request refused or failed', { error }),
  });
  const serveMcp = toNodeHandler(handler, { maxRequestBodySize: MAX_BODY_BYTES, onerror: (error) => log.error('mcp: handler failed', { error }) });

  const allowed = allowedHostnames(settings);
  const checkHost = hostHeaderValidation(allowed);
  const checkOrigin = originValidation(allowed);
  const checkToken = oauth ? oauth.check : settings.tokens.length ? tokenCheck(settings.tokens) : undefined;
  const ownMetricsPort = settings.metricsPort !== undefined;

  /** The exposition, to GET (or HEAD); behind the token when it shares the MCP port. */
  async function serveMetrics(req: IncomingMessage, res: ServerResponse, access: ReturnType<typeof accessLog>, withToken: boolean): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'Method not allowed: use GET.', { allow: 'GET, HEAD' });
    if (withToken && checkToken) {
      const checked = await checkToken(req.headers.authorization);
      if (checked instanceof Response) return sendResponse(res, checked);
      nameCaller(access.record, checked);
    }
    const body = await exposition.render();
    res.writeHead(200, { 'content-type': exposition.contentType, 'content-length': String(Buffer.byteLength(body)), 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  let inFlight = 0;
  let draining = false;
  let drained: (() => void) | undefined;

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const access = accessLog(req, res);
    inFlight++;
    res.once('close', () => {
      if (--inFlight > 0 || !draining) return;
      drained?.();
    });
    if (draining) {
      res.setHeader('connection', 'close');
      res.once('finish', () => server.closeIdleConnections());
    }
    // First, on every path: a page of another site that got its name to resolve here learns nothing.
    if (!checkHost(req, res) || !checkOrigin(req, res)) return;
    const path = (req.url ?? '/').split('?')[0]!;
    // No token needed: this is how a client that got a 401 learns where to sign in.
    if (oauth?.metadata.serves(path)) return sendResponse(res, oauth.metadata.respond(req, path));
    if (path === '/healthz') {
      return req.method === 'GET' || req.method === 'HEAD' ? send(res, 200, { status: 'ok' }) : refuse(res, 405, 'Method not allowed: use GET.', { allow: 'GET, HEAD' });
    }
    if (path === METRICS_PATH && !ownMetricsPort) return serveMetrics(req, res, access, true);
    if (path !== MCP_PATH) return refuse(res, 404, `Not found: the MCP endpoint is POST ${MCP_PATH}.`);
    if (req.method !== 'POST') return refuse(res, 405, 'Method not allowed: this stateless endpoint answers POST only.', { allow: 'POST' });
    if (draining) return refuse(res, 503, 'Shutting down: retry on another instance.', { 'retry-after': '1' });

    // The request's calls end when the server stops, or when the client goes away before the
    // answer is out (watched from here, before anything is awaited). Our own watch: the SDK's
    // (its web Request's signal) left a 2025-era call that writes nothing before its answer running.
    const calls = linkSignals([shutdown.signal]);
    res.once('close', () => {
      if (!res.writableFinished) calls.abort();
      calls.dispose();
    });
    let auth: AuthInfo = { token: '', clientId: 'anonymous', scopes: [] };
    if (checkToken) {
      const checked = await checkToken(req.headers.authorization);
      if (checked instanceof Response) return sendResponse(res, checked);
      // Nothing past this point needs the token itself: it never goes upstream.
      auth = { ...checked, token: '' };
      nameCaller(access.record, checked);
    }
    let registry: ProviderRegistry | undefined;
    if (oauth?.tenants) {
      const tenant = oauth.tenants.pick(auth);
      if (!tenant) {
        return refuse(res, 403, `Forbidden: the token's ${oauth.tenants.claim()} claim names no tenant of this server.`);
      }
      access.record.tenant = tenant.name;
      const lease = tenants!.leaseKeys(tenant.keys, tenantHint(tenant.name, tenant.keys));
      res.once('close', lease.release);
      registry = lease.registry;
    } else if (tenants) {
      let lease;
      try {
        lease = tenants.lease(req.headers);
      } catch (error) {
        if (error instanceof KeyHeaderError) return refuse(res, 400, error.message);
        throw error;
      }
      res.once('close', lease.release);
      registry = lease.registry;
    }
    access.req.auth = { ...auth, extra: { ...auth.extra, [CALLS_SIGNAL]: calls.signal, ...(registry ? { [REGISTRY]: registry } : {}) } };
    await serveMcp(access.req, res);
  }

  const server = createServer({ headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS, connectionsCheckingInterval: 1000 }, (req, res) => {
    route(req, res).catch((error: unknown) => {
      log.error('http: request failed', { error });
      if (!res.headersSent) refuse(res, 500, 'Internal error.');
      else res.destroy();
    });
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  await listen(server, settings.host, settings.port, 'CREDIT_MCP_HTTP_PORT (--port)');

  // Its own port serves /metrics alone, without the token (keep that port to the scraper's
  // network); the Host and Origin check still comes first.
  const metricsServer = ownMetricsPort
    ? createServer({ headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS }, (req, res) => {
        const access = accessLog(req, res);
        if (!checkHost(req, res) || !checkOrigin(req, res)) return;
        if ((req.url ?? '/').split('?')[0] !== METRICS_PATH) return refuse(res, 404, `Not found: this port serves GET ${METRICS_PATH} only.`);
        serveMetrics(req, res, access, false).catch((error: unknown) => {
          log.error('http: metrics request failed', { error });
          if (!res.headersSent) refuse(res, 500, 'Internal error.');
          else res.destroy();
        });
      })
    : undefined;
  if (metricsServer) {
    try {
      await listen(metricsServer, settings.host, settings.metricsPort!, 'CREDIT_MCP_METRICS_PORT (--metrics-port)');
    } catch (error) {
      server.close();
      throw error;
    }
  }

  onShutdown(
    async (why) => {
      draining = true;
      log.info('shutting down: no new requests; waiting for calls in flight', { why, in_flight: inFlight, grace_ms: settings.graceMs });
      server.close();
      server.closeIdleConnections();
      const settled = new Promise<void>((resolve) => (drained = resolve));
      if (inFlight === 0) drained?.();
      const grace = new Promise<'grace'>((resolve) => setTimeout(() => resolve('grace'), settings.graceMs).unref());
      if ((await Promise.race([settled, grace])) === 'grace') {
        // What is still running is cancelled: each call answers "Cancelled" if its client is still there.
        log.warn('shutting down: grace period over, cancelling the calls still in flight', { in_flight: inFlight });
        shutdown.abort();
        await Promise.race([settled, new Promise((r) => setTimeout(r, CANCEL_WAIT_MS).unref())]);
      }
      server.closeAllConnections();
      metricsServer?.close();
      metricsServer?.closeAllConnections();
      oauth?.close();
      await Promise.allSettled([handler.close(), shared?.closeAll(), tenants?.closeAll(), options.onShutdown?.()]);
      await fleet?.close();
    },
    { waitMs: settings.graceMs + CANCEL_WAIT_MS },
  );

  const { port } = server.address() as AddressInfo;
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  const metricsPort = metricsServer ? (metricsServer.address() as AddressInfo).port : port;
  const providers = settings.keysFromRequest ? 'from each request' : oauth?.tenants ? "each tenant's, from the tenants file" : Object.keys(config.providers).length ? Object.keys(config.providers) : 'none (every tool answers "not configured")';
  log.announce(`listening on http://${host}:${port}${MCP_PATH}`, {
    providers,
    client_auth: oauth ? `sign-in with ${settings.oauth!.issuer} for ${settings.oauth!.publicUrl.href}, scopes ${settings.oauth!.scopes.join(' ')}` : settings.tokens.length ? `${settings.tokens.length} bearer token(s)` : 'none',
    allowed_hosts: allowed,
    metrics: `http://${host}:${metricsPort}${METRICS_PATH}`,
    ...(settings.redisUrl ? { shared_store: `${settings.redisUrl.protocol}//${settings.redisUrl.hostname}:${settings.redisUrl.port || 6379}` } : {}),
  });
}

/** Who asked, for the access log: a static token's number, or a signed-in caller's client and subject. */
function nameCaller(record: AccessRecord, auth: AuthInfo): void {
  record.client = auth.clientId;
  const sub = auth.extra?.[SUBJECT] as string | undefined;
  if (sub) record.sub = sub;
}

/** A signed-in tenant's "not configured" answer: the tenants file is where its keys go. */
function tenantHint(name: string, keys: TenantKeys): EnableHint {
  const held = keys.map(([id]) => id);
  return {
    one: (id) => `tenant ${name} has no ${PROVIDER_ENV[id].key} in the tenants file (it has ${held.join(', ')})`,
    none: () => `tenant ${name} has no key in the tenants file`,
  };
}

/** Host names a request may name in Host or Origin: loopback names on a loopback bind, plus the configured ones. */
function allowedHostnames(settings: HttpSettings): string[] {
  const names = allowedHostsOf(settings);
  if (isLoopback(settings.host)) names.push(...localhostAllowedHostnames(), settings.host.includes(':') ? `[${settings.host}]` : settings.host);
  return [...new Set(names)];
}

/** `portSetting` names the setting to change when the port is taken. */
function listen(server: Server, host: string, port: number, portSetting: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const where = `${host}:${port}`;
      if (error.code === 'EADDRINUSE') reject(new ConfigError(`${portSetting}: ${where} is already in use; pick another port, or 0 for a free one.`));
      else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND' || error.code === 'EACCES') {
        reject(new ConfigError(`CREDIT_MCP_HTTP_HOST (--host): cannot listen on ${where} (${error.code}).`));
      } else reject(error);
    });
    server.listen(port, host, () => resolve());
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

/** Refusals in the JSON-RPC error shape the SDK uses for its own (403, 413). */
function refuse(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  send(res, status, { jsonrpc: '2.0', error: { code: -32000, message }, id: null }, headers);
}

async function sendResponse(res: ServerResponse, response: Response): Promise<void> {
  const body = await response.text();
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(body);
}
