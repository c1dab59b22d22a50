// The metrics sink `credit-mcp http` installs: prom-client counters and one histogram in a
// registry of its own, rendered in the Prometheus text format for `GET /metrics`. Loaded with
// import() by the HTTP server alone, so stdio and the terminal commands never load prom-client.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { PROVIDER_IDS } from '../core/model.js';
import type { CacheOutcome, MetricsSink } from './record.js';

/**
 * OpenTelemetry's MCP semantic conventions: `mcp.server.operation.duration`, a histogram in
 * seconds with attributes `mcp.method.name`, `gen_ai.tool.name` and `error.type`, and these
 * explicit bucket boundaries. In Prometheus the dots become underscores and the unit a suffix.
 */
export const OPERATION_BUCKETS_SECONDS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];
const CACHE_OUTCOMES: CacheOutcome[] = ['hit', 'confirmation', 'miss'];

export interface PrometheusMetrics {
  sink: MetricsSink;
  contentType: string;
  /** The exposition: every metric of this process, as of now. */
  render(): Promise<string>;
}

export function createPrometheusMetrics(): PrometheusMetrics {
  const registry = new Registry();
  // The process's CPU, memory, event-loop delay and GC, under prom-client's standard names.
  collectDefaultMetrics({ register: registry });
  // Three of them are gauges named like counters, which promtool's lint refuses; their
  // per-type twins (nodejs_active_handles, ...) say the same.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) registry.removeSingleMetric(name);
  const registers = [registry];

  const upstream = new Counter({
    name: 'credit_mcp_upstream_requests_total',
    help: 'Requests sent to an upstream API, by provider and by HTTP status (or the fault code when no answer came: timeout, connection_failed, connection_reset, malformed_body, cancelled).',
    labelNames: ['provider', 'status'] as const,
    registers,
  });
  const cache = new Counter({
    name: 'credit_mcp_ledger_cache_lookups_total',
    help: 'Ledger cache lookups: hit (a page answered from held entries), miss (a page read from the upstream), confirmation (a held range confirmed by one count request).',
    labelNames: ['outcome'] as const,
    registers,
  });
  for (const outcome of CACHE_OUTCOMES) cache.labels(outcome).inc(0);
  const joins = new Counter({
    name: 'credit_mcp_single_flight_joins_total',
    help: "Calls that waited for another call's (or instance's) walk of the same ledger range instead of walking it.",
    registers,
  });
  const rateWaits = new Counter({
    name: 'credit_mcp_rate_limit_waits_total',
    help: "Upstream requests that waited for the upstream's rate limit before being sent, by provider.",
    labelNames: ['provider'] as const,
    registers,
  });
  for (const provider of PROVIDER_IDS) rateWaits.labels({ provider }).inc(0);
  const storeErrors = new Counter({
    name: 'credit_mcp_store_errors_total',
    help: 'Shared-store operations that failed (the call went on without the store), by operation.',
    labelNames: ['operation'] as const,
    registers,
  });
  // Present at 0 before any store exists, so an alert on it can be written before there is one.
  storeErrors.inc(0);
  const operations = new Histogram({
    name: 'mcp_server_operation_duration_seconds',
    help: 'MCP request duration as observed on the server, from the time it was received until the result was sent (OpenTelemetry mcp.server.operation.duration).',
    labelNames: ['mcp_method_name', 'gen_ai_tool_name', 'error_type'] as const,
    buckets: OPERATION_BUCKETS_SECONDS,
    registers,
  });

  const sink: MetricsSink = {
    upstreamRequest: (provider, status) => upstream.labels({ provider, status }).inc(),
    cacheLookup: (outcome) => cache.labels({ outcome }).inc(),
    singleFlightJoin: () => joins.inc(),
    rateLimitWait: (provider) => rateWaits.labels({ provider }).inc(),
    storeError: (operation) => storeErrors.labels({ operation }).inc(),
    operation: (method, tool, seconds, errorType) =>
      operations.observe({ mcp_method_name: method, ...(tool ? { gen_ai_tool_name: tool } : {}), ...(errorType ? { error_type: errorType } : {}) }, seconds),
  };
  return { sink, contentType: registry.contentType, render: () => registry.metrics() };
}
