import type { MetadataBearer, Pluggable } from '@smithy/types';
import { AWS_CLIENT_DEFAULTS } from './aws-clients';

/** How long the CLI waits on the network, and how often it tries; tests shorten the timeouts. */
export interface CliNetwork {
  /** Establishing a connection, per attempt. */
  readonly connectionTimeoutMs: number;
  /** Silence from an AWS API (CloudFormation, STS, IAM Identity Center) once connected, per attempt. */
  readonly requestTimeoutMs: number;
  /** Attempts of one AWS API call; of a connection to the operator function. */
  readonly maxAttempts: number;
  /**
   * The whole operator call, connection attempts included. A request that reached the function is never sent
   * again: a second `rollback` could act twice.
   */
  readonly operatorTimeoutMs: number;
}

/**
 * The CLI's settings: the SDK clients' shared ones (AWS_CLIENT_DEFAULTS), and for the operator function room
 * for what one command does (claim, ECS or CodeDeploy call, audit, notification) while a silent endpoint
 * still fails within 30 s.
 */
export const CLI_NETWORK: CliNetwork = {
  connectionTimeoutMs: AWS_CLIENT_DEFAULTS.connectionTimeoutMs,
  requestTimeoutMs: AWS_CLIENT_DEFAULTS.requestTimeoutMs,
  maxAttempts: AWS_CLIENT_DEFAULTS.maxAttempts,
  operatorTimeoutMs: 25_000,
};

/** The SDK's standard retry waits at most 100 ms × 2^n before attempt n + 1. */
const RETRY_BASE_DELAY_MS = 100;

/** The longest one AWS call can take: every attempt timing out, plus the largest backoff between them. */
export function awsCallDeadlineMs(network: CliNetwork): number {
  let backoff = 0;
  for (let attempt = 1; attempt < network.maxAttempts; attempt++)
    backoff += RETRY_BASE_DELAY_MS * 2 ** attempt;
  return network.maxAttempts * (network.connectionTimeoutMs + network.requestTimeoutMs) + backoff;
}

/** The longest a silent endpoint holds one CLI step: an AWS call, or the operator call. */
export function worstCaseWaitMs(network: CliNetwork): number {
  return Math.max(awsCallDeadlineMs(network), network.operatorTimeoutMs);
}

/** Client settings for `network`: those of awsClientSettings() (aws-clients.ts) when given CLI_NETWORK. */
export function sdkClientSettings(network: CliNetwork) {
  return {
    retryMode: AWS_CLIENT_DEFAULTS.retryMode,
    maxAttempts: network.maxAttempts,
    requestHandler: {
      connectionTimeout: network.connectionTimeoutMs,
      requestTimeout: network.requestTimeoutMs,
      // Without this the handler only logs a warning when the request timeout passes and keeps waiting.
      throwOnRequestTimeout: true,
    },
  };
}

/** A step that took longer than its deadline; `TimeoutError`, like the SDK's own, so it classifies as retryable. */
export class DeadlineExceededError extends Error {
  override readonly name = 'TimeoutError';
}

/**
 * Settles like `promise`, or rejects with `timeout()` after `ms` (and aborts `controller`, so a request still
 * open is torn down). The per-attempt timeouts only notice silence; this also ends a trickle.
 */
export async function withDeadline<T>(
  promise: Promise<T>,
  ms: number,
  timeout: () => Error,
  controller?: AbortController,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller?.abort();
      reject(timeout());
    }, ms);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** `https://host[:port]` of an HTTP request as the SDK holds it, if it looks like one. */
function originOf(request: unknown): string | undefined {
  if (typeof request !== 'object' || request === null) return undefined;
  const { protocol, hostname, port } = request as { protocol?: unknown; hostname?: unknown; port?: unknown };
  if (typeof hostname !== 'string') return undefined;
  const scheme = typeof protocol === 'string' ? protocol : 'https:';
  return `${scheme}//${hostname}${typeof port === 'number' ? `:${port}` : ''}`;
}

/**
 * Remembers where a client's requests went (its endpoint, after region, FIPS and AWS_ENDPOINT_URL_* are
 * applied), so a failure can name the endpoint that did not answer. `plugin` goes on a client's middleware
 * stack, or into a credential provider's `clientPlugins` for the STS client it creates.
 */
export class EndpointRecorder {
  private last: string | undefined;

  /** The endpoint of the latest request, if any was sent. */
  get endpoint(): string | undefined {
    return this.last;
  }

  readonly plugin: Pluggable<object, MetadataBearer> = {
    applyToStack: (stack) => {
      stack.add(
        (next) => (args) => {
          this.last = originOf(args.request) ?? this.last;
          return next(args);
        },
        { step: 'finalizeRequest', priority: 'low', name: 'watchdogEndpointRecorder' },
      );
    },
  };
}
