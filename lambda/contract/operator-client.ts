import type { OperatorRequest, OperatorResponse } from './operator';

/**
 * The port between the CLI and a deployed watchdog's operator function: the CLI's operator commands depend on
 * these only, lambda/adapters implements them (the stack's outputs from CloudFormation, then a signed Function
 * URL call), tests fake them. Here rather than in lambda/cli so that the adapters need not import the CLI.
 */

/** The transport to a deployed watchdog's operator function. */
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
