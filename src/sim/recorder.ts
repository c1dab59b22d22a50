// What tests and the benchmark read back: request counters and the request log.
// Both are live objects handed out as-is, so they must be mutated, never replaced.

import type { IncomingHttpHeaders } from 'node:http';

export interface SimulatorStats {
  requests: number;
  inFlight: number;
  maxInFlight: number;
  rateLimited: number;
  byPath: Record<string, number>;
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  rawUrl: string;
  headers: Record<string, string | string[] | undefined>;
  body?: string;
}

const LOG_CAPACITY = 1000;

export class Recorder {
  readonly stats: SimulatorStats = { requests: 0, inFlight: 0, maxInFlight: 0, rateLimited: 0, byPath: {} };
  readonly requestLog: LoggedRequest[] = [];

  /** Counts a request in; the returned function counts it out (call once, when its socket closes). */
  begin(path: string): () => void {
    const s = this.stats;
    s.requests += 1;
    s.byPath[path] = (s.byPath[path] ?? 0) + 1;
    s.inFlight += 1;
    s.maxInFlight = Math.max(s.maxInFlight, s.inFlight);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      s.inFlight -= 1;
    };
  }

  log(entry: { method: string; path: string; query: Record<string, string>; rawUrl: string; headers: IncomingHttpHeaders; body: string | undefined }): void {
    const logged: LoggedRequest = { method: entry.method, path: entry.path, query: entry.query, rawUrl: entry.rawUrl, headers: { ...entry.headers } };
    if (entry.body !== undefined) logged.body = entry.body;
    this.requestLog.push(logged);
    if (this.requestLog.length > LOG_CAPACITY) this.requestLog.splice(0, this.requestLog.length - LOG_CAPACITY);
  }

  /** Zeroes the counters; requests still open stay counted in `inFlight`. */
  reset(): void {
    const s = this.stats;
    s.requests = 0;
    s.rateLimited = 0;
    s.maxInFlight = s.inFlight;
    for (const path of Object.keys(s.byPath)) delete s.byPath[path];
  }
}
