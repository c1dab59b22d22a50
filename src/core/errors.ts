import type { ProviderId } from './model.js';

/** Bad arguments: refused before any upstream call. */
export class InputError extends Error {
  override name = 'InputError';
  constructor(readonly argument: string, message: string) {
    super(message);
  }
}

/** The asked-for provider has no key, or no provider has one. */
export class NotConfiguredError extends Error {
  override name = 'NotConfiguredError';
}

export type UpstreamFault =
  | 'http_error'
  | 'timeout'
  | 'network'
  | 'malformed_body'
  | 'unexpected_shape'
  | 'body_too_large'
  | 'redirect';

export interface UpstreamErrorDetails {
  provider: ProviderId;
  fault: UpstreamFault;
  /** The upstream's own code verbatim, or ours for faults without one (e.g. `timeout`). */
  code: string;
  status?: number;
  message: string;
  nextStep: string;
  retryAfterSeconds?: number;
  correlationId?: string;
  /** The request arguments the upstream's answer names as the problem, with what it says of each. */
  arguments?: Record<string, string>;
}

/** Anything that went wrong between us and an upstream, normalized once. */
export class UpstreamError extends Error {
  override name = 'UpstreamError';
  constructor(readonly details: UpstreamErrorDetails) {
    super(details.message);
  }
}

export class CancelledError extends Error {
  override name = 'CancelledError';
  constructor() {
    super('The request was cancelled.');
  }
}
