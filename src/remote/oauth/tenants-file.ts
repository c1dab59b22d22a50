// CREDIT_MCP_TENANTS_FILE: which token claim names a tenant, and each tenant's upstream keys.
// Read at start-up (a bad file refuses to start) and again on SIGHUP, so keys can be rotated
// and tenants added or removed without a restart; a bad file then keeps the tenants it had.
import { readFileSync } from 'node:fs';
import { ConfigError, PROVIDER_ENV } from '../../config.js';
import { PROVIDER_IDS, type ProviderId } from '../../core/model.js';
import { log, MIN_SECRET_LENGTH, registerSecret } from '../../logger.js';

export type TenantKeys = ReadonlyArray<readonly [ProviderId, string]>;

export interface TenantsTable {
  /** The top-level claim of the access token whose string value names the tenant. */
  claim: string;
  tenants: ReadonlyMap<string, TenantKeys>;
}

/** A claim name as identity providers write them: `org_id`, `tid`, or a namespaced URL (Auth0). */
const CLAIM = /^[\x21-\x7e]{1,256}$/;
const TENANT = /^[\x21-\x7e]{1,128}$/;
/** As a key header: printable ASCII without spaces, long enough for the logger to redact. */
const KEY = new RegExp(`^[\\x21-\\x7e]{${MIN_SECRET_LENGTH},512}$`);
const KEY_NAMES = new Map(PROVIDER_IDS.map((id) => [PROVIDER_ENV[id].key, id] as const));

/** Parses and checks the file; a ConfigError names the file and the place, never a key. */
export function readTenantsFile(path: string): TenantsTable {
  const where = `CREDIT_MCP_TENANTS_FILE (${path})`;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`${where} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ConfigError(`${where} is not JSON; expected {"claim": "org_id", "tenants": {"acme": {"SYNAP_API_KEY": "..."}}}.`);
  }
  if (!isObject(body)) throw new ConfigError(`${where} must be a JSON object with "claim" and "tenants".`);
  const extra = Object.keys(body).filter((k) => k !== 'claim' && k !== 'tenants');
  if (extra.length) throw new ConfigError(`${where}: unknown field "${extra[0]!.slice(0, 40)}"; the file has "claim" and "tenants" only.`);
  if (typeof body.claim !== 'string' || !CLAIM.test(body.claim)) {
    throw new ConfigError(`${where}: "claim" must name the token claim that picks the tenant (e.g. "org_id"), 1 to 256 printable characters.`);
  }
  if (!isObject(body.tenants) || !Object.keys(body.tenants).length) throw new ConfigError(`${where}: "tenants" must be an object with at least one tenant.`);
  const tenants = new Map<string, TenantKeys>();
  for (const [name, entry] of Object.entries(body.tenants)) {
    if (!TENANT.test(name)) throw new ConfigError(`${where}: tenant names are 1 to 128 printable characters without spaces.`);
    if (!isObject(entry)) throw new ConfigError(`${where}: tenant "${name}" must be an object of keys, e.g. {"SYNAP_API_KEY": "..."}.`);
    const keys: Array<[ProviderId, string]> = [];
    for (const [field, value] of Object.entries(entry)) {
      const id = KEY_NAMES.get(field);
      if (!id) throw new ConfigError(`${where}: tenant "${name}" has "${field.slice(0, 40)}"; its keys are ${[...KEY_NAMES.keys()].join(' and ')}.`);
      if (typeof value !== 'string' || !KEY.test(value)) {
        throw new ConfigError(`${where}: tenant "${name}"'s ${field} must be ${MIN_SECRET_LENGTH} to 512 printable ASCII characters without spaces (its value is not shown).`);
      }
      keys.push([id, value]);
    }
    if (!keys.length) throw new ConfigError(`${where}: tenant "${name}" has no key; give it ${[...KEY_NAMES.keys()].join(' or ')}.`);
    tenants.set(name, keys);
  }
  // Before anything can log them: every key the file holds is redacted from every line from now on.
  for (const keys of tenants.values()) for (const [, key] of keys) registerSecret(key);
  return { claim: body.claim, tenants };
}

/** The file's tenants as last read well; re-read on SIGHUP. */
export class TenantsFile {
  private table: TenantsTable;
  private readonly onHangup = () => this.reload();

  constructor(private readonly path: string) {
    this.table = readTenantsFile(path);
  }

  get current(): TenantsTable {
    return this.table;
  }

  /** The tenant a token's claims name, with its keys; undefined for no claim or one that names no tenant. */
  pick(claims: Record<string, unknown>): { name: string; keys: TenantKeys } | undefined {
    const value = claims[this.table.claim];
    if (typeof value !== 'string') return undefined;
    const keys = this.table.tenants.get(value);
    return keys ? { name: value, keys } : undefined;
  }

  reload(): void {
    try {
      this.table = readTenantsFile(this.path);
      log.info('tenants file re-read', { tenants: this.table.tenants.size, claim: this.table.claim });
    } catch (error) {
      log.error('tenants file not re-read: kept the tenants it had', { reason: (error as Error).message });
    }
  }

  watchHangup(): () => void {
    process.on('SIGHUP', this.onHangup);
    return () => process.off('SIGHUP', this.onHangup);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
