// What the server counts for the people who run it (`GET /metrics` on `credit-mcp http`).
// Recording is a no-op until a sink is installed, so stdio and the terminal commands never
// load a metrics library and pay nothing on the hot path.

/** How a ledger window met the cache: answered from held entries, confirmed by count, or read from the upstream. */
export type CacheOutcome = 'hit' | 'confirmation' | 'miss';

export interface MetricsSink {
  /** One upstream request finished: `status` is the HTTP status, or the fault's code when no answer came. */
  upstreamRequest(provider: string, status: string): void;
  cacheLookup(outcome: CacheOutcome): void;
  /** A call waited for another call's (or instance's) walk of the same range instead of walking it. */
  singleFlightJoin(): void;
  /** A request waited for the upstream's rate limit (this instance's pacing, or the fleet's shared state). */
  rateLimitWait(provider: string): void;
  /** The shared store failed an operation (the call went on without it). */
  storeError(operation: string): void;
  /** One MCP operation (`tools/call`, `tools/list`, ...) took `seconds`; `errorType` when it failed. */
  operation(method: string, tool: string | undefined, seconds: number, errorType: string | undefined): void;
}

let sink: MetricsSink | undefined;

export function installMetrics(next: MetricsSink | undefined): void {
  sink = next;
}

export const metrics: MetricsSink = {
  upstreamRequest: (provider, status) => sink?.upstreamRequest(provider, status),
  cacheLookup: (outcome) => sink?.cacheLookup(outcome),
  singleFlightJoin: () => sink?.singleFlightJoin(),
  rateLimitWait: (provider) => sink?.rateLimitWait(provider),
  storeError: (operation) => sink?.storeError(operation),
  operation: (method, tool, seconds, errorType) => sink?.operation(method, tool, seconds, errorType),
};
