// Sign-in with OAuth end to end, against a real authorization server: oidc-provider on loopback
// (dynamic client registration, PKCE, resource indicators, JWT access tokens carrying the
// tenant claim), and the SDK v2 client with an OAuthClientProvider that completes the
// authorization-code flow headlessly: 401, protected resource metadata, issuer metadata,
// registration, authorize (a login and a consent through oidc-provider's interaction API, no
// devInteractions), token; then the tools in both eras, directly and through the README's nginx.
// Two tenants from the tenants file see only their own rows, and one's cursor is refused to the other.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  StreamableHTTPClientTransport,
  UnauthorizedError,
  type FetchLike,
  type OAuthClientMetadata,
  type OAuthClientProvider,
  type StoredOAuthClientInformation,
  type StoredOAuthTokens,
} from '@modelcontextprotocol/client';
import { decodeJwt, exportJWK, generateKeyPair } from 'jose';
import Provider, { errors } from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, startSimulator, textOf, type EraMode, type Simulator, type ToolResult } from './helpers.js';
import { findNginx, freePort, startNginx, type Nginx } from './nginx.js';
import { startHttpServer, type HttpServer } from './remote.js';

const README = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
const EXAMPLE_URL = 'https://mcp.example.com/mcp';
function readmeSnippet(host: string): string {
  const match = new RegExp(`<!-- sign-in: ${host} -->\\n\`\`\`\\w+\\n([\\s\\S]*?)\\n\`\`\``).exec(README);
  if (!match) throw new Error(`README has no sign-in snippet for ${host}`);
  return match[1]!;
}

/** Who signs in, and the organisation (tenant) each account belongs to. */
const ACCOUNTS: Record<string, string> = { alice: 'acme', bob: 'globex' };
const REDIRECT = 'http://127.0.0.1:9/callback';

interface AuthServer {
  issuer: string;
  /** Method and path of every request it got, in order. */
  seen: string[];
  close(): Promise<void>;
}

async function startAuthServer(resources: () => string[]): Promise<AuthServer> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [],
    jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'as-es256', alg: 'ES256', use: 'sig' }] },
    cookies: { keys: ['credit-mcp-test-cookie-key-0123456789'] },
    // Its one signing key is ES256; registered clients default to it.
    clientDefaults: { id_token_signed_response_alg: 'ES256' },
    // Clients register with the scope they will ask for (the SDK's does): the server must know it.
    scopes: ['openid', 'offline_access', 'credits:read'],
    findAccount: (_ctx: unknown, id: string) => ({ accountId: id, claims: () => ({ sub: id }) }),
    // The tenant claim, in the access token itself (RFC 9068 leaves room for claims like it).
    extraTokenClaims: (_ctx: unknown, token: { accountId?: string }) => (token.accountId ? { org_id: ACCOUNTS[token.accountId] } : undefined),
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      registration: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx: unknown, _client: unknown, oneOf?: string) => oneOf,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resource: string) => {
          if (!resources().includes(resource)) throw new errors.InvalidTarget();
          return { scope: 'credits:read', audience: resource, accessTokenFormat: 'jwt', accessTokenTTL: 600, jwt: { sign: { alg: 'ES256' } } };
        },
      },
    },
  });
  const seen: string[] = [];
  const callback = provider.callback();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    seen.push(`${req.method} ${url.pathname}`);
    if (!url.pathname.startsWith('/interaction/')) return callback(req, res);
    // The person at the browser: logs in as `?as=`, then consents to what the client asked for.
    void (async () => {
      const details = await provider.interactionDetails(req, res);
      if (details.prompt.name === 'login') {
        return provider.interactionFinished(req, res, { login: { accountId: url.searchParams.get('as') } }, { mergeWithLastSubmission: false });
      }
      const grant = (details.grantId && (await provider.Grant.find(details.grantId))) || new provider.Grant({ accountId: details.session!.accountId, clientId: details.params.client_id });
      const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = details.prompt.details;
      if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
      if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
      for (const [resource, scopes] of Object.entries(missingResourceScopes ?? {})) grant.addResourceScope(resource, scopes.join(' '));
      return provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
    })().catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { issuer, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** The client's side of the sign-in, kept in memory: what a host stores for a connector. */
class HeadlessProvider implements OAuthClientProvider {
  information: StoredOAuthClientInformation | undefined;
  saved: StoredOAuthTokens | undefined;
  verifier = '';
  authorizationUrl: URL | undefined;
  get redirectUrl() {
    return REDIRECT;
  }
  get clientMetadata(): OAuthClientMetadata {
    return { client_name: 'credit-mcp flow test', redirect_uris: [REDIRECT], grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'none' };
  }
  clientInformation() {
    return this.information;
  }
  saveClientInformation(information: StoredOAuthClientInformation) {
    this.information = information;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: StoredOAuthTokens) {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
}

/** A browser without a screen: follows redirects with its cookies, logs in as `account` and consents, and stops at the redirect URI. */
async function browse(start: URL, account: string): Promise<URLSearchParams> {
  const jar = new Map<string, string>();
  let url = new URL(start);
  for (let hop = 0; hop < 12; hop++) {
    if (url.href.startsWith(REDIRECT)) return url.searchParams;
    if (url.pathname.startsWith('/interaction/')) url.searchParams.set('as', account);
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const at = pair!.indexOf('=');
      const [name, value] = [pair!.slice(0, at), pair!.slice(at + 1)];
      if (!value || /expires=Thu, 01 Jan 1970/i.test(cookie)) jar.delete(name);
      else jar.set(name, value);
    }
    const location = res.headers.get('location');
    if (!location) throw new Error(`the sign-in stopped: ${res.status} at ${url.pathname}: ${(await res.text()).slice(0, 300)}`);
    url = new URL(location, url);
  }
  throw new Error('the sign-in never reached the redirect URI');
}

/** The whole flow, as a host runs it for a connector: the first connect is refused, the person signs in, the second connect works. */
async function signIn(mcp: URL, account: string, era: EraMode, fetchImpl?: FetchLike) {
  const provider = new HeadlessProvider();
  const transport = () => new StreamableHTTPClientTransport(mcp, { authProvider: provider, ...(fetchImpl ? { fetch: fetchImpl } : {}) });
  const first = transport();
  const refused = await clientFor(era).connect(first).then(() => undefined, (e: unknown) => e);
  if (!(refused instanceof UnauthorizedError)) throw refused;
  expect(provider.authorizationUrl).toBeDefined();
  await first.finishAuth(await browse(provider.authorizationUrl!, account));
  expect(provider.saved?.access_token).toEqual(expect.any(String));
  return { provider, connect: async (mode: EraMode) => {
    const client = clientFor(mode);
    await client.connect(transport());
    return client;
  } };
}

let sim: Simulator;
let as: AuthServer;
let direct: HttpServer;
let directUrl: string;
let tenantsFile: string;
const resources: string[] = [];

beforeAll(async () => {
  sim = await startSimulator({
    keys: { signalFoundry: 'sf_SECRET_flow_acme_5d1e', synap: 'synap_SECRET_flow_acme_2b7c' },
    tenants: [{ keys: { signalFoundry: 'sf_SECRET_flow_globex_8f0a', synap: 'synap_SECRET_flow_globex_6c3d' }, seed: 2024, synapLedgerSize: 400 }],
  });
  as = await startAuthServer(() => resources);
  tenantsFile = join(mkdtempSync(join(tmpdir(), 'credit-mcp-flow-')), 'tenants.json');
  const globex = sim.tenants[1]!.keys;
  writeFileSync(tenantsFile, JSON.stringify({ claim: 'org_id', tenants: { acme: { SYNAP_API_KEY: sim.keys.synap, SIGNAL_FOUNDRY_API_KEY: sim.keys.signalFoundry }, globex: { SYNAP_API_KEY: globex.synap, SIGNAL_FOUNDRY_API_KEY: globex.signalFoundry } } }));
  const port = await freePort();
  directUrl = `http://127.0.0.1:${port}/mcp`;
  resources.push(directUrl);
  direct = await startHttpServer(serverEnv(directUrl), ['--port', String(port)]);
});
afterAll(async () => {
  await direct?.stop();
  await as?.close();
  await sim?.close();
});

function serverEnv(publicUrl: string): Record<string, string> {
  return { SYNAP_BASE_URL: sim.url, SIGNAL_FOUNDRY_BASE_URL: sim.url, CREDIT_MCP_OAUTH_ISSUER: as.issuer, CREDIT_MCP_PUBLIC_URL: publicUrl, CREDIT_MCP_TENANTS_FILE: tenantsFile };
}

type Ledger = { entries: Array<{ ledger_id: string }>; next_cursor: string | null };

describe('signing in to the server directly', () => {
  let alice: Awaited<ReturnType<typeof signIn>>;
  let bob: Awaited<ReturnType<typeof signIn>>;

  it('the README’s sign-in snippets need the URL alone', () => {
    expect(readmeSnippet('claude-code').trim()).toBe(`claude mcp add --transport http credits ${EXAMPLE_URL}`);
    expect(JSON.parse(readmeSnippet('vscode'))).toEqual({ servers: { credits: { type: 'http', url: EXAMPLE_URL } } });
  });

  it('completes the authorization-code flow: 401, metadata, registration, authorize with PKCE, token', async () => {
    const before = as.seen.length;
    // The VS Code snippet's URL, this server's in place of the example domain.
    const { url: snippetUrl } = (JSON.parse(readmeSnippet('vscode')) as { servers: { credits: { url: string } } }).servers.credits;
    alice = await signIn(new URL(snippetUrl.replace(EXAMPLE_URL, directUrl)), 'alice', 'modern');
    const asked = as.seen.slice(before);
    const at = (what: RegExp) => asked.findIndex((s) => what.test(s));
    expect(at(/^GET \/\.well-known\/(oauth-authorization-server|openid-configuration)/)).toBeGreaterThanOrEqual(0);
    expect(at(/^POST \/reg$/)).toBeGreaterThan(at(/^GET \/\.well-known\//));
    expect(at(/^GET \/auth$/)).toBeGreaterThan(at(/^POST \/reg$/));
    expect(at(/^POST \/token$/)).toBeGreaterThan(at(/^GET \/auth$/));
    const url = new URL(alice.provider.authorizationUrl!);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('resource')).toBe(directUrl);
    expect(url.searchParams.get('scope')).toContain('credits:read');
    const claims = decodeJwt(alice.provider.saved!.access_token);
    expect(claims).toMatchObject({ iss: as.issuer, aud: directUrl, sub: 'alice', org_id: 'acme', scope: 'credits:read' });
    const lines = direct.access();
    expect(lines.some((l) => l.path === '/mcp' && l.status === 401)).toBe(true);
    expect(lines.some((l) => l.path === '/.well-known/oauth-protected-resource/mcp' && l.status === 200)).toBe(true);
  });

  it('then calls the tools in both eras, as its tenant', async () => {
    for (const era of ['modern', 'legacy'] as const) {
      const client = await alice.connect(era);
      const balance = (await client.callTool({ name: 'check_balance', arguments: { provider: 'synap' } })) as ToolResult;
      expect(balance.isError, textOf(balance)).toBeFalsy();
      expect((balance.structuredContent as { available_credits: number }).available_credits).toBe(sim.synap.balance().balance_credits);
      const sf = (await client.callTool({ name: 'check_balance', arguments: { provider: 'signal-foundry' } })) as ToolResult;
      expect((sf.structuredContent as { available_credits: number }).available_credits).toBe(sim.signalFoundry.balance().available_credits);
      await client.close();
    }
    expect(direct.access().some((l) => (l as { sub?: string; tenant?: string }).sub === 'alice' && (l as { tenant?: string }).tenant === 'acme' && l.status === 200)).toBe(true);
  });

  it("two tenants see only their own rows, and one's cursor is refused to the other", async () => {
    bob = await signIn(new URL(directUrl), 'bob', 'legacy');
    expect(decodeJwt(bob.provider.saved!.access_token).org_id).toBe('globex');
    const a = await alice.connect('modern');
    const b = await bob.connect('legacy');
    const pageA = (await a.callTool({ name: 'get_credit_ledger', arguments: { provider: 'synap', limit: 10 } })) as ToolResult;
    const pageB = (await b.callTool({ name: 'get_credit_ledger', arguments: { provider: 'synap', limit: 10 } })) as ToolResult;
    const rowsA = (pageA.structuredContent as Ledger).entries.map((e) => e.ledger_id);
    const rowsB = (pageB.structuredContent as Ledger).entries.map((e) => e.ledger_id);
    expect(rowsA).toEqual(sim.synap.entries().slice(0, 10).map((e) => e.ledger_id));
    expect(rowsB).toEqual(sim.tenants[1]!.synap.entries().slice(0, 10).map((e) => e.ledger_id));
    expect(rowsA.filter((id) => rowsB.includes(id))).toEqual([]);
    for (const [thief, owner, page] of [[b, a, pageA], [a, b, pageB]] as const) {
      const cursor = (page.structuredContent as Ledger).next_cursor!;
      const stolen = (await thief.callTool({ name: 'get_credit_ledger', arguments: { provider: 'synap', cursor } })) as ToolResult;
      expect(stolen.isError).toBe(true);
      expect(textOf(stolen)).toMatch(/^Invalid argument: cursor is not one this server issued for this provider and key/);
      const own = (await owner.callTool({ name: 'get_credit_ledger', arguments: { provider: 'synap', cursor } })) as ToolResult;
      expect(own.isError, textOf(own)).toBeFalsy();
    }
    await a.close();
    await b.close();
  });

  it('no key and no token in the server log', () => {
    const log = direct.stderr();
    expect(log).not.toMatch(/SECRET/);
    for (const token of [alice.provider.saved!.access_token, bob.provider.saved!.access_token]) {
      expect(log.includes(token)).toBe(false);
      expect(log.includes(token.split('.')[2]!)).toBe(false);
    }
  });
});

const nginx = findNginx();
// Missing nginx fails loudly under CI (.ci/run installs Debian's package); a laptop skips.
if (!nginx && process.env.CI === 'true') throw new Error("nginx is not installed: .ci/run installs Debian's nginx package; install it (apt-get install nginx) and run again.");

describe.skipIf(!nginx)('signing in through nginx (the README configuration, TLS)', () => {
  let proxy: Nginx;
  let behind: HttpServer;
  let proxiedUrl: string;
  beforeAll(async () => {
    const port = await freePort();
    proxiedUrl = `https://127.0.0.1:${port}/mcp`;
    resources.push(proxiedUrl);
    behind = await startHttpServer(serverEnv(proxiedUrl));
    proxy = await startNginx(nginx!, [behind.port], { tls: true, port });
  });
  afterAll(async () => {
    await proxy?.stop();
    await behind?.stop();
  });

  it('signs in and calls the tools in both eras; the token is for nginx’s URL and no other', async () => {
    const alice = await signIn(new URL(proxiedUrl), 'alice', 'legacy', proxy.fetch as FetchLike);
    expect(decodeJwt(alice.provider.saved!.access_token).aud).toBe(proxiedUrl);
    for (const era of ['modern', 'legacy'] as const) {
      const client = await alice.connect(era);
      const page = (await client.callTool({ name: 'get_credit_ledger', arguments: { provider: 'synap', limit: 5 } })) as ToolResult;
      expect(page.isError, textOf(page)).toBeFalsy();
      expect((page.structuredContent as Ledger).entries.map((e) => e.ledger_id)).toEqual(sim.synap.entries().slice(0, 5).map((e) => e.ledger_id));
      await client.close();
    }
    // Issued for the proxied URL, so the server reached directly (another resource) refuses it.
    const res = await fetch(directUrl, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${alice.provider.saved!.access_token}` }, body: '{}' });
    expect(res.status).toBe(401);
    expect(behind.access().some((l) => l.path === '/.well-known/oauth-protected-resource/mcp' && l.status === 200)).toBe(true);
  });
});
