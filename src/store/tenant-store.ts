// The fleet store as `credit-mcp http` opens it (a lazily loaded chunk: only with
// CREDIT_MCP_REDIS_URL does ioredis load): one connection, and for each upstream key its
// names and sealing keys, its shared ledger and its fleet pacing.
import type { ProviderId } from '../core/model.js';
import { log } from '../logger.js';
import { StoreConnection } from './connection.js';
import { TenantKeys } from './crypto.js';
import { RedisFleetPacing } from './fleet-pacing.js';
import type { Fleet, FleetTenant } from './fleet.js';
import { RedisSharedLedger } from './shared-ledger.js';

export interface FleetOptions {
  /** CREDIT_MCP_CONCURRENCY: upstream requests in flight per key, across every instance. */
  concurrency: number;
}

export interface RedisFleet extends Fleet {
  readonly connection: StoreConnection;
  tenant(provider: ProviderId, apiKey: string): FleetTenant & { ledger: RedisSharedLedger };
}

/** Connects in the background: a store that is not there yet costs requests, never the start. */
export function openFleet(url: URL, options: FleetOptions): RedisFleet {
  const connection = new StoreConnection(url);
  const open = new Set<{ close(): void }>();
  return {
    connection,
    tenant(provider, apiKey) {
      const keys = new TenantKeys(provider, apiKey);
      const pacing = new RedisFleetPacing(connection, keys, provider, options.concurrency);
      const ledger = new RedisSharedLedger(connection, keys);
      const tenant = {
        pacing,
        ledger,
        close: () => {
          open.delete(tenant);
          pacing.close();
        },
      };
      open.add(tenant);
      return tenant;
    },
    async close() {
      for (const t of [...open]) t.close();
      await connection.close();
      log.debug('shared store closed');
    },
  };
}
