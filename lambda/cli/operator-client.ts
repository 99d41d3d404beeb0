import type { OperatorRequest, OperatorResponse } from '../contract';

/** The transport to a deployed watchdog's operator function; commands depend on this only. */
export interface OperatorClient {
  /** Sends one request. Operator errors come back as `{ ok: false }`; transport failures throw `OperatorTransportError`. */
  send(request: OperatorRequest): Promise<OperatorResponse>;
}

/** Which deployed watchdog to talk to, and as whom. */
export interface StackLocation {
  /** The CloudFormation stack name. */
  readonly stackName: string;
  /** @default - `AWS_REGION`, then `AWS_DEFAULT_REGION`, then the profile's region */
  readonly region?: string;
  /** @default - the SDK's default credential chain (`AWS_PROFILE`, environment, SSO, ...) */
  readonly profile?: string;
}

/** What the operator commands need from the outside world; tests pass fakes, `watchdog` the real thing. */
export interface OperatorEnvironment {
  /** Finds the stack's operator function and returns a client for it. */
  connect(location: StackLocation): Promise<OperatorClient>;
  /** Waits between polls (`drill`). */
  sleep(ms: number): Promise<void>;
  /** Epoch milliseconds: `--since 2h` and the drill timeout are relative to it. */
  now(): number;
}

/**
 * Why the operator function could not be reached or understood:
 * - `no-credentials`, `no-region`, `unknown-profile`: the local AWS setup is incomplete.
 * - `stack-not-found`, `not-a-watchdog-stack`: `--stack` names nothing usable.
 * - `forbidden`: IAM denied the call (DescribeStacks or lambda:InvokeFunctionUrl).
 * - `throttled`, `unreachable`, `bad-response`, `aws`: the call failed on the way or on the other side.
 */
export type OperatorTransportErrorKind =
  | 'no-credentials'
  | 'no-region'
  | 'unknown-profile'
  | 'stack-not-found'
  | 'not-a-watchdog-stack'
  | 'forbidden'
  | 'throttled'
  | 'unreachable'
  | 'bad-response'
  | 'aws';

/** A transport failure with a message written for the person at the terminal (what failed, and the fix). */
export class OperatorTransportError extends Error {
  override readonly name = 'OperatorTransportError';

  constructor(
    readonly kind: OperatorTransportErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
