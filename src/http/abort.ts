import { CancelledError } from '../core/errors.js';

/** A signal that aborts when any of `signals` does, or on abort(); dispose() detaches it from them. */
export function linkSignals(signals: Array<AbortSignal | undefined>): { signal: AbortSignal; abort(): void; dispose(): void } {
  const controller = new AbortController();
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  const onAbort = () => controller.abort();
  for (const s of present) {
    if (s.aborted) controller.abort();
    else s.addEventListener('abort', onAbort, { once: true });
  }
  return { signal: controller.signal, abort: onAbort, dispose: () => present.forEach((s) => s.removeEventListener('abort', onAbort)) };
}

/** Resolves after `ms`, or rejects with CancelledError as soon as `signal` aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(new CancelledError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RequestAbort {
  signal: AbortSignal;
  timedOut(): boolean;
  dispose(): void;
}

/**
 * One controller per request, aborted by the caller's signal or by the timeout, and torn
 * down after: cheaper than AbortSignal.any + AbortSignal.timeout on the hot path, and it
 * leaves no listener behind on the caller's long-lived signal.
 */
export function requestAbort(caller: AbortSignal | undefined, timeoutMs: number): RequestAbort {
  const controller = new AbortController();
  let timedOut = false;
  const onAbort = () => controller.abort(caller?.reason);
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error('timeout'));
  }, timeoutMs);
  if (caller?.aborted) controller.abort(caller.reason);
  else caller?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    dispose: () => {
      clearTimeout(timer);
      caller?.removeEventListener('abort', onAbort);
    },
  };
}
