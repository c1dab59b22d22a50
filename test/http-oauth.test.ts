// Sign-in with OAuth, the resource server's side: `credit-mcp http` trusting a small issuer on
// loopback (its metadata and JWKS, every key fetch counted) and every kind of bad token it must
// refuse: each answered 401 (403 for a missing scope or an unknown tenant) with the challenge
// that tells a client where to sign in, and no request upstream. Also: the RFC 9728 document,
// /metrics behind the same gate, the access log naming the caller and never the token, tenants
// picked by a claim (re-read on SIGHUP), and the start-up refusals.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, envFor, startSimulator, textOf, until, type Simulator, type ToolResult } from './helpers.js';
import { freePort } from './nginx.js';
import { b64url, startTestIssuer, type TestIssuer } from './oauth-issuer.js';
import { connectHttp, rawToolCall, readMessages, startHttpServer, type HttpServer } from './remote.js';

let sim: Simulator;
let idp: TestIssuer;
let server: HttpServer;
let publicUrl: string;
const tokens: string[] = [];

beforeAll(async () => {
  sim = await startSimulator({
    keys: { signalFoundry: 'sf_SECRET_oauth_team_4a1b', synap: 'synap_SECRET_oauth_team_8c2d' },
    tenants: [{ keys: { signalFoundry: 'sf_SECRET_oauth_globex_7e3f', synap: 'synap_SECRET_oauth_globex_1a9c' }, seed: 4321, synapLedgerSize: 300 }],
  });
  const port = await freePort();
  publicUrl = `http://127.0.0.1:${port}/mcp`;
  idp = await startTestIssuer({ audience: publicUrl });
  server = await startHttpServer(envFor(sim, { CREDIT_MCP_OAUTH_ISSUER: idp.issuer, CREDIT_MCP_PUBLIC_URL: publicUrl }), ['--port', String(port)]);
});
afterAll(async () => {
  await server?.stop();
  await idp?.close();
  await sim?.close();
});

const keep = async (token: Promise<string> | string) => {
  const t = await token;
  tokens.push(t);
  return t;
};

async function post(url: string, token: string | undefined, era: 'modern' | 'legacy' = 'modern') {
  const call = rawToolCall(era, 'check_balance', { provider: 'synap' });
  return fetch(url, { method: 'POST', headers: { ...call.headers, ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) }, body: call.body });
}

/** A challenge's parameters (RFC 6750 §3), by name. */
function challenge(res: Response): Record<string, string> {
  const header = res.headers.get('www-authenticate') ?? '';
  expect(header).toMatch(/^Bearer /);
  return Object.fromEntries([...header.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
}

describe('the protected resource metadata (RFC 9728)', () => {
  it.each(['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource'])('%s: 200 without a token, naming the resource, the issuer and the scope', async (path) => {
    const res = await fetch(new URL(path, publicUrl));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ resource: publicUrl, authorization_servers: [idp.issuer], scopes_supported: ['credits:read'] });
  });

  it('is behind the Host check, like every path', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(new URL('/.well-known/oauth-protected-resource/mcp', publicUrl), { headers: { host: 'attacker.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });
});

describe('a valid token', () => {
  it('calls the tools in both eras, with the server’s keys; the SDK client too', async () => {
    const token = await keep(idp.sign());
    for (const era of ['modern', 'legacy'] as const) {
      const res = await post(publicUrl, token, era);
      expect(res.status).toBe(200);
      const [message] = await readMessages(res);
      expect(message!.result.structuredContent.available_credits).toBe(sim.synap.balance().balance_credits);
      const client = await connectHttp(new URL(publicUrl), era, { authorization: `Bearer ${token}` });
      const result = (await client.callTool({ name: 'get_credit_ledger', arguments: { provider: 'synap', limit: 3 } })) as ToolResult;
      expect(result.isError, textOf(result)).toBeFalsy();
      await client.close();
    }
  });

  it('is named in the access log by its sub and client_id, never by the token', async () => {
    const token = await keep(idp.sign({ sub: 'user-bob', client_id: 'claude-connector' }));
    expect((await post(publicUrl, token)).status).toBe(200);
    await until(() => server.access().some((l) => (l as { sub?: string }).sub === 'user-bob'));
    const line = server.access().find((l) => (l as { sub?: string }).sub === 'user-bob')!;
    expect(line).toMatchObject({ path: '/mcp', tool: 'check_balance', status: 200, client: 'claude-connector' });
  });

  it('opens GET /metrics on the MCP port; without one it is a 401 like /mcp', async () => {
    const metrics = publicUrl.replace(/\/mcp$/, '/metrics');
    const refused = await fetch(metrics);
    expect(refused.status).toBe(401);
    expect(challenge(refused).resource_metadata).toBe(new URL('/.well-known/oauth-protected-resource/mcp', publicUrl).href);
    const res = await fetch(metrics, { headers: { authorization: `Bearer ${await keep(idp.sign())}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^credit_mcp_upstream_requests_total\{/m);
  });
});

describe('every bad token: 401 with the challenge, nothing upstream', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const cases: Array<[string, () => Promise<string | undefined> | string | undefined]> = [
    ['no token', () => undefined],
    ['not a JWT', () => 'opaque-0123456789abcdef'],
    ['expired', () => idp.sign({ iat: now() - 600, exp: now() - 60 })],
    ['for another audience', () => idp.sign({ aud: 'https://other.example.com/mcp' })],
    ['for the right host with another path', () => idp.sign({ aud: publicUrl.replace(/\/mcp$/, '/other') })],
    ['from another issuer', () => idp.sign({ iss: 'https://evil.example.com' })],
    ['without exp', () => idp.sign({}, { omit: ['exp'] })],
    ['not valid yet (nbf an hour ahead)', () => idp.sign({ nbf: now() + 3600 })],
    ['alg none', async () => `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ iss: idp.issuer, aud: publicUrl, sub: 'x', scope: 'credits:read', exp: now() + 300 })}.`],
    ['HS256 keyed with the published RSA key (PEM)', () => new SignJWT({ iss: idp.issuer, aud: publicUrl, sub: 'x', scope: 'credits:read', exp: now() + 300 }).setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' }).sign(new TextEncoder().encode(idp.rsaPublicPem))],
    ['HS256 keyed with the published RSA key (JWK JSON)', () => new SignJWT({ iss: idp.issuer, aud: publicUrl, sub: 'x', scope: 'credits:read', exp: now() + 300 }).setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' }).sign(new TextEncoder().encode(JSON.stringify(idp.rsaPublicJwk)))],
    ['an unpublished key under a published kid', () => idp.sign({}, { key: 'unpublished' })],
    ['signed ES256 under the kid of the published RS256 key', () => idp.sign({}, { header: { kid: 'rsa-1' } })],
    [
      'tampered claims (scope and sub rewritten after signing)',
      async () => {
        const [h, p, s] = (await idp.sign({ scope: 'profile' })).split('.');
        const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
        return `${h}.${b64url({ ...claims, scope: 'credits:read', sub: 'admin' })}.${s}`;
      },
    ],
    ['tampered audience', async () => {
      const [h, p, s] = (await idp.sign({ aud: 'https://other.example.com/mcp' })).split('.');
      return `${h}.${b64url({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), aud: publicUrl })}.${s}`;
    }],
    ['an unknown kid', () => idp.sign({}, { header: { kid: 'es-unknown' } })],
  ];

  it.each(cases)('%s', async (_what, make) => {
    const token = await make();
    if (token) tokens.push(token);
    const before = sim.stats.requests;
    for (const era of ['modern', 'legacy'] as const) {
      const res = await post(publicUrl, token, era);
      expect(res.status).toBe(401);
      const params = challenge(res);
      expect(params.resource_metadata).toBe(new URL('/.well-known/oauth-protected-resource/mcp', publicUrl).href);
      expect(params.scope).toBe('credits:read');
      expect(params.error).toBe('invalid_token');
      expect(((await res.json()) as { error: string }).error).toBe('invalid_token');
    }
    expect(sim.stats.requests).toBe(before);
  });

  it('a valid token in the query string counts as none', async () => {
    const token = await keep(idp.sign());
    const before = sim.stats.requests;
    for (const name of ['access_token', 'token']) {
      const res = await post(`${publicUrl}?${name}=${encodeURIComponent(token)}`, undefined);
      expect(res.status).toBe(401);
      expect(challenge(res).error).toBe('invalid_token');
    }
    expect(sim.stats.requests).toBe(before);
  });

  it('a valid token without the scope: 403 insufficient_scope', async () => {
    const before = sim.stats.requests;
    for (const scope of ['profile email', '']) {
      const res = await post(publicUrl, await keep(idp.sign({ scope })));
      expect(res.status).toBe(403);
      const params = challenge(res);
      expect(params.error).toBe('insufficient_scope');
      expect(params.scope).toBe('credits:read');
      expect(params.resource_metadata).toBe(new URL('/.well-known/oauth-protected-resource/mcp', publicUrl).href);
    }
    // RS256 verifies as well as ES256; `scp` as a list, as some providers write it, is a scope claim too.
    expect((await post(publicUrl, await keep(idp.sign({}, { key: 'rsa' })))).status).toBe(200);
    expect((await post(publicUrl, await keep(idp.sign({ scope: undefined, scp: ['credits:read'] })))).status).toBe(200);
    expect(sim.stats.requests).toBe(before + 2);
  });

  it('forged kids make the server fetch the issuer keys at most once more, however many come', async () => {
    const before = idp.jwksFetches();
    expect(before).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < 25; i++) {
      expect((await post(publicUrl, await keep(idp.sign({}, { header: { kid: `forged-${i}` } })))).status).toBe(401);
    }
    expect(idp.jwksFetches() - before).toBeLessThanOrEqual(1);
  });
});

describe('tenants picked by a claim', () => {
  let tenantServer: HttpServer;
  let file: string;
  let tenantUrl: string;
  const [ACME, GLOBEX] = ['acme', 'globex'];
  const writeTenants = (tenants: Record<string, Record<string, string>>) => writeFileSync(file, JSON.stringify({ claim: 'org_id', tenants }));
  beforeAll(async () => {
    file = join(mkdtempSync(join(tmpdir(), 'credit-mcp-tenants-')), 'tenants.json');
    writeTenants({ [ACME]: { SYNAP_API_KEY: sim.keys.synap, SIGNAL_FOUNDRY_API_KEY: sim.keys.signalFoundry } });
    const port = await freePort();
    tenantUrl = `http://127.0.0.1:${port}/mcp`;
    const env = { SYNAP_BASE_URL: sim.url, SIGNAL_FOUNDRY_BASE_URL: sim.url, CREDIT_MCP_OAUTH_ISSUER: idp.issuer, CREDIT_MCP_PUBLIC_URL: tenantUrl, CREDIT_MCP_TENANTS_FILE: file, CREDIT_MCP_LOG_LEVEL: 'debug' };
    tenantServer = await startHttpServer(env, ['--port', String(port)]);
  });
  afterAll(async () => {
    await tenantServer?.stop();
  });
  const tokenFor = (org: unknown) => keep(idp.sign({ aud: tenantUrl, sub: `user-of-${String(org)}`, ...(org === undefined ? {} : { org_id: org }) }));

  it('a claim naming no tenant, or no claim: 403, nothing upstream', async () => {
    const before = sim.stats.requests;
    for (const org of ['initech', undefined, 42, ['acme']]) {
      const res = await post(tenantUrl, await tokenFor(org));
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { message: string } }).error.message).toBe("Forbidden: the token's org_id claim names no tenant of this server.");
    }
    expect(sim.stats.requests).toBe(before);
  });

  it('a tenant sees its own keys’ data; one added on SIGHUP sees its own; neither continues the other’s cursor', async () => {
    const globex = sim.tenants[1]!;
    writeTenants({
      [ACME]: { SYNAP_API_KEY: sim.keys.synap, SIGNAL_FOUNDRY_API_KEY: sim.keys.signalFoundry },
      [GLOBEX]: { SYNAP_API_KEY: globex.keys.synap },
    });
    tenantServer.child.kill('SIGHUP');
    await until(() => /tenants file re-read \{"tenants":2/.test(tenantServer.stderr()));
    const acme = await connectHttp(new URL(tenantUrl), 'modern', { authorization: `Bearer ${await tokenFor(ACME)}` });
    const other = await connectHttp(new URL(tenantUrl), 'legacy', { authorization: `Bearer ${await tokenFor(GLOBEX)}` });
    const a = (await acme.callTool({ name: 'check_balance', arguments: { provider: 'synap' } })) as ToolResult;
    const b = (await other.callTool({ name: 'check_balance', arguments: { provider: 'synap' } })) as ToolResult;
    expect((a.structuredContent as { available_credits: number }).available_credits).toBe(sim.synap.balance().balance_credits);
    expect((b.structuredContent as { available_credits: number }).available_credits).toBe(globex.synap.balance().balance_credits);
    expect(sim.synap.balance().balance_credits).not.toBe(globex.synap.balance().balance_credits);
    const page = (await acme.callTool({ name: 'get_credit_ledger', arguments: { provider: 'synap', limit: 5 } })) as ToolResult;
    const cursor = (page.structuredContent as { next_cursor: string }).next_cursor;
    const stolen = (await other.callTool({ name: 'get_credit_ledger', arguments: { provider: 'synap', cursor } })) as ToolResult;
    expect(stolen.isError).toBe(true);
    expect(textOf(stolen)).toMatch(/^Invalid argument: cursor is not one this server issued for this provider and key/);
    const off = (await other.callTool({ name: 'check_balance', arguments: { provider: 'signal-foundry' } })) as ToolResult;
    expect(textOf(off)).toMatch(/tenant globex has no SIGNAL_FOUNDRY_API_KEY in the tenants file/);
    await acme.close();
    await other.close();
    const lines = tenantServer.access().filter((l) => l.status === 200) as Array<{ tenant?: string; sub?: string }>;
    expect(lines.some((l) => l.tenant === GLOBEX && l.sub === 'user-of-globex')).toBe(true);
  });

  it('a bad file on SIGHUP keeps the tenants it had', async () => {
    writeFileSync(file, '{"claim": "org_id", "tenants": {"acme": {"SYNAP_API_KEY": "short"}}}');
    tenantServer.child.kill('SIGHUP');
    await until(() => /tenants file not re-read: kept the tenants it had/.test(tenantServer.stderr()));
    expect((await post(tenantUrl, await tokenFor(GLOBEX))).status).toBe(200);
  });

  it('no key and no token shows in any log line, at debug level', () => {
    const seen = server.stderr() + tenantServer.stderr();
    expect(seen).not.toMatch(/SECRET/);
    expect(tokens.length).toBeGreaterThan(30);
    for (const token of tokens) {
      expect(seen.includes(token)).toBe(false);
      expect(seen.includes(token.split('.')[2] || token)).toBe(false);
    }
  });
});

// Not spawnSync: the issuer the server asks at start-up answers from this very process.
function runCli(args: string[], env: Record<string, string>) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let [stdout, stderr] = ['', ''];
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('doctor, with sign-in set', () => {
  it("reads the issuer's metadata and keys as the server would, and what a client needs of it", async () => {
    const r = await runCli(['doctor'], envFor(sim, { CREDIT_MCP_OAUTH_ISSUER: idp.issuer, CREDIT_MCP_PUBLIC_URL: publicUrl }));
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`ok    oauth issuer: ${idp.issuer}, metadata at ${idp.issuer}/.well-known/oauth-authorization-server`);
    expect(r.stdout).toContain(`ok    oauth keys: 2 at ${idp.issuer}/jwks (es-1 ES256, rsa-1 RS256)`);
    expect(r.stdout).toContain('ok    oauth PKCE: S256 advertised');
    expect(r.stdout).toMatch(/^warn  oauth registration: none offered/m);
    expect(r.stdout).toContain(`ok    oauth resource: tokens must name ${publicUrl} in aud and carry credits:read`);
    expect(r.stdout).toMatch(/^ok    http: .*sign-in with OAuth \(issuer http:\/\/127\.0\.0\.1:\d+\)/m);
    expect(r.stdout).toMatch(/^ok    synap upstream: balance read/m);
  });

  it('fails on an issuer without metadata, naming what it tried', async () => {
    const r = await runCli(['doctor'], envFor(sim, { CREDIT_MCP_OAUTH_ISSUER: sim.url, CREDIT_MCP_PUBLIC_URL: publicUrl }));
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(/^FAIL  oauth issuer: CREDIT_MCP_OAUTH_ISSUER http:\/\/127\.0\.0\.1:\d+: no authorization server metadata found \(.*HTTP 404/m);
  });
});

describe('start-up refusals (exit 2, one line, nothing served)', () => {
  const run = (env: Record<string, string>, args: string[] = []) => runCli(['http', '--port', '0', ...args], env);
  const file = () => {
    const path = join(mkdtempSync(join(tmpdir(), 'credit-mcp-tenants-')), 'tenants.json');
    writeFileSync(path, JSON.stringify({ claim: 'org_id', tenants: { acme: { SYNAP_API_KEY: 'synap_SECRET_in_file_1234' } } }));
    return path;
  };
  const issuerEnv = () => ({ CREDIT_MCP_OAUTH_ISSUER: idp.issuer, CREDIT_MCP_PUBLIC_URL: 'https://mcp.example.com/mcp' });

  it.each([
    ['OAuth with static tokens', () => ({ ...issuerEnv(), CREDIT_MCP_HTTP_TOKENS: 'tok_0123456789abcdef_0' }), [], /CREDIT_MCP_OAUTH_ISSUER \(sign-in with OAuth\) and CREDIT_MCP_HTTP_TOKENS .* cannot be used together/],
    ['OAuth with keys from the request', () => issuerEnv(), ['--keys-from-request'], /and keys from the request .* cannot be used together/],
    ['OAuth without a public URL', () => ({ CREDIT_MCP_OAUTH_ISSUER: idp.issuer }), [], /CREDIT_MCP_PUBLIC_URL is not: set it to the URL clients reach this server by/],
    ['an http issuer off loopback', () => ({ CREDIT_MCP_OAUTH_ISSUER: 'http://login.example.com', CREDIT_MCP_PUBLIC_URL: 'https://mcp.example.com/mcp' }), [], /CREDIT_MCP_OAUTH_ISSUER must use https \(plain http is allowed only on loopback/],
    ['an http public URL off loopback', () => ({ CREDIT_MCP_OAUTH_ISSUER: idp.issuer, CREDIT_MCP_PUBLIC_URL: 'http://mcp.example.com/mcp' }), [], /CREDIT_MCP_PUBLIC_URL must use https/],
    ['a public URL without an issuer', () => ({ CREDIT_MCP_PUBLIC_URL: 'https://mcp.example.com/mcp' }), [], /CREDIT_MCP_PUBLIC_URL is for sign-in with OAuth: set CREDIT_MCP_OAUTH_ISSUER/],
    ['a tenants file with the server’s own keys', () => ({ ...issuerEnv(), CREDIT_MCP_TENANTS_FILE: file(), SYNAP_API_KEY: 'synap_SECRET_server_held' }), [], /CREDIT_MCP_TENANTS_FILE gives each tenant its own upstream keys, but SYNAP_API_KEY is set/],
    ['a tenants file with a key no header could carry', () => {
      const path = file();
      writeFileSync(path, JSON.stringify({ claim: 'org_id', tenants: { acme: { SYNAP_API_KEY: 'synap SECRET spaced' } } }));
      return { ...issuerEnv(), CREDIT_MCP_TENANTS_FILE: path };
    }, [], /tenant "acme"'s SYNAP_API_KEY must be 6 to 512 printable ASCII characters without spaces \(its value is not shown\)/],
    ['a tenants file that is not there', () => ({ ...issuerEnv(), CREDIT_MCP_TENANTS_FILE: '/nonexistent/tenants.json' }), [], /CREDIT_MCP_TENANTS_FILE \(\/nonexistent\/tenants.json\) cannot be read \(ENOENT\)/],
    ['an issuer whose metadata names another', () => ({ ...issuerEnv(), CREDIT_MCP_OAUTH_ISSUER: idp.issuer.replace('127.0.0.1', 'localhost') }), [], /names the issuer "http:\/\/127\.0\.0\.1:\d+"; set CREDIT_MCP_OAUTH_ISSUER to exactly the issuer its tokens carry/],
    ['an issuer with no metadata', () => ({ ...issuerEnv(), CREDIT_MCP_OAUTH_ISSUER: sim.url }), [], /no authorization server metadata found \(.*HTTP 404/],
    ['bad scopes', () => ({ ...issuerEnv(), CREDIT_MCP_OAUTH_SCOPES: 'credits:read "quoted"' }), [], /CREDIT_MCP_OAUTH_SCOPES: ""quoted"" is not a scope/],
  ] as Array<[string, () => Record<string, string>, string[], RegExp]>)('%s', async (_what, env, args, message) => {
    const result = await run(env(), args);
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(/listening on|SECRET/);
  });
});
