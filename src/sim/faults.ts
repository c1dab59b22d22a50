// Injected faults: a queue matched in order against each request's path, and
// the ways of answering badly that the faults call for.

import type { ServerResponse } from 'node:http';
import type { SimResponse } from './http.js';
import type { Lifecycle } from './lifecycle.js';
import type { Fault } from './types.js';

export class FaultQueue {
  private readonly queue: { fault: Fault; left: number }[] = [];

  add(fault: Fault): void {
    const times = fault.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new Error('fault.times must be a positive integer');
    this.queue.push({ fault, left: times });
  }

  clear(): void {
    this.queue.length = 0;
  }

  /** The first queued fault matching `path`, used up by one request. */
  take(path: string): Fault | undefined {
    const index = this.queue.findIndex(({ fault }) => fault.match === undefined || path.includes(fault.match));
    const slot = this.queue[index];
    if (!slot) return undefined;
    slot.left -= 1;
    if (slot.left === 0) this.queue.splice(index, 1);
    return slot.fault;
  }
}

export function statusFaultResponse(fault: Extract<Fault, { kind: 'status' }>): SimResponse {
  const { body } = fault;
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  const defaultType = body === undefined ? undefined : typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json';
  const contentType = fault.contentType ?? defaultType;
  return {
    status: fault.status,
    headers: { ...(contentType === undefined ? {} : { 'content-type': contentType }), ...fault.headers },
    body: text,
  };
}

/** 200 headers promising more than is sent, part of a JSON document, then a dead socket. */
export function writeResetMidBody(res: ServerResponse, lifecycle: Lifecycle): void {
  const partial = '{"entries":[{"ledger_id":"led_0f3a9c21b7d45e80","entry_type":"debit","delta":-1';
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': '4096' });
  // Give the bytes a moment to reach the client so it fails while reading the body.
  res.write(partial, () => lifecycle.later(15, () => res.socket?.destroy()));
}

/** Sends `response` with the body dribbled out in small pieces over `totalMs`. */
export function writeSlowly(res: ServerResponse, response: SimResponse, totalMs: number, lifecycle: Lifecycle): void {
  const body = Buffer.from(response.body, 'utf8');
  res.writeHead(response.status, { ...response.headers, 'content-length': String(body.length) });
  const pieces = Math.max(1, Math.min(body.length, Math.ceil(totalMs / 50)));
  const size = Math.ceil(body.length / pieces);
  const step = totalMs / pieces;
  for (let i = 0; i < pieces; i++) {
    const piece = body.subarray(i * size, (i + 1) * size);
    const last = i === pieces - 1;
    lifecycle.later(step * (i + 1), () => {
      if (res.destroyed) return;
      if (last) res.end(piece);
      else res.write(piece);
    });
  }
}

// One ledger-looking row; the oversized body repeats it.
const FILLER_ROW =
  '{"ledger_id":"led_0000000000000000","entry_type":"debit","delta":-0.01,"metric_type":"retrieval_queries","category":"retrieval","created_at":"2026-01-01T00:00:00.000000+00:00"}';
const OVERSIZED_HEAD = '{"entries":[';
const OVERSIZED_TAIL = '],"total":0,"limit":100,"offset":0}';

/** A valid JSON document of about `bytes` bytes, streamed (chunked) with backpressure. */
export async function writeOversized(res: ServerResponse, bytes: number): Promise<void> {
  const rows = Math.max(1, Math.floor((bytes - OVERSIZED_HEAD.length - OVERSIZED_TAIL.length + 1) / (FILLER_ROW.length + 1)));
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write(OVERSIZED_HEAD);
  const rowsPerChunk = 400;
  for (let written = 0; written < rows && !res.destroyed; ) {
    const count = Math.min(rowsPerChunk, rows - written);
    const chunk = `${written === 0 ? '' : ','}${Array(count).fill(FILLER_ROW).join(',')}`;
    written += count;
    if (!res.write(chunk)) await drained(res);
  }
  if (!res.destroyed) res.end(OVERSIZED_TAIL);
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
