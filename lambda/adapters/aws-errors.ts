import { RetryableError, TargetInvalidError } from '../use-cases/errors';

/**
 * How the watchdog treats a failed AWS call (docs/architecture.md, "AWS behaviour it relies on"):
 * - `retryable`: transient (throttling, 5xx, network, timeout). It already survived the SDK's own retries, so
 *   the adapter throws `RetryableError` and Lambda retries the whole event.
 * - `terminal`: retrying cannot help (missing, inactive, not permitted, invalid). Audited as `target-invalid`.
 * - `conflict`: the resource moved on under us (already finished, already stopping, another deployment already
 *   active). An expected outcome, which the adapter turns into an ActionResult.
 * - `unknown`: anything else; adapters let it escape unchanged rather than guess.
 */
export type AwsErrorClass = 'retryable' | 'terminal' | 'conflict' | 'unknown';

const CONFLICT_NAMES: ReadonlySet<string> = new Set([
  'ConflictException',
  'ConditionalCheckFailedException',
  'DeploymentAlreadyCompletedException',
  // CodeDeploy refuses a new deployment while another one of the group is active.
  'DeploymentLimitExceededException',
]);

/** The SDK's own throttling list (smithy service-error-classification) plus service-specific spellings. */
const THROTTLING_NAMES: ReadonlySet<string> = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'KMSThrottlingException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionConflictException',
  'TransactionInProgressException',
]);

const TRANSIENT_NAMES: ReadonlySet<string> = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalFailure',
  'InternalServerError',
  'InternalServerException',
  'InternalErrorException',
  'ServerException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
]);

/** Node.js socket and DNS error codes that a later attempt can get past. */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

const TERMINAL_NAMES: ReadonlySet<string> = new Set([
  // Missing or inactive resources.
  'ServiceNotFoundException',
  'ServiceNotActiveException',
  'ClusterNotFoundException',
  'ServiceDeploymentNotFoundException',
  'ResourceNotFoundException',
  'NotFoundException',
  'NotFound',
  // Not permitted.
  'AccessDeniedException',
  'AccessDenied',
  'UnauthorizedOperation',
  'UnrecognizedClientException',
  'AuthorizationErrorException',
  'KMSAccessDeniedException',
  'KMSDisabledException',
  'KMSInvalidStateException',
  'KMSNotFoundException',
  // Invalid requests: the same call fails the same way next time.
  'ClientException',
  'InvalidParameterException',
  'InvalidParameterValueException',
  'ValidationException',
  'UnsupportedFeatureException',
  'PlatformTaskDefinitionIncompatibilityException',
  'PlatformUnknownException',
  // CodeDeploy: missing application, group, deployment or revision, and requests it rejects as malformed.
  'ApplicationDoesNotExistException',
  'DeploymentGroupDoesNotExistException',
  'DeploymentDoesNotExistException',
  'DeploymentConfigDoesNotExistException',
  'RevisionDoesNotExistException',
  'InvalidApplicationNameException',
  'InvalidDeploymentGroupNameException',
  'InvalidDeploymentIdException',
  'InvalidDeploymentConfigNameException',
  'InvalidDeploymentStatusException',
  'InvalidRevisionException',
  'InvalidRoleException',
  'InvalidInputException',
  'InvalidGitHubAccountTokenException',
  'InvalidAutoRollbackConfigException',
  'InvalidLoadBalancerInfoException',
  'InvalidTargetInstancesException',
  'InvalidTrafficRoutingConfigurationException',
  'UnsupportedActionForDeploymentTypeException',
  'ApplicationNameRequiredException',
  'DeploymentGroupNameRequiredException',
  'DeploymentIdRequiredException',
  'RevisionRequiredException',
  'BatchLimitExceededException',
  'DescriptionTooLongException',
]);

interface ErrorLike {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly code?: unknown;
  readonly $fault?: unknown;
  readonly $retryable?: unknown;
  readonly $metadata?: {
    readonly httpStatusCode?: unknown;
    readonly requestId?: unknown;
    readonly attempts?: unknown;
  };
  readonly cause?: unknown;
}

function asErrorLike(err: unknown): ErrorLike | undefined {
  return typeof err === 'object' && err !== null ? err : undefined;
}

const MAX_CAUSE_DEPTH = 5;

/**
 * Classifies an error thrown by an AWS SDK v3 client (or by the HTTP layer beneath it). Names are checked before
 * status codes because some services report throttling as a 400.
 */
export function classifyAwsError(err: unknown, depth = 0): AwsErrorClass {
  const e = asErrorLike(err);
  if (!e) return 'unknown';
  const name = typeof e.name === 'string' ? e.name : '';
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;

  if (CONFLICT_NAMES.has(name)) return 'conflict';
  if (THROTTLING_NAMES.has(name) || status === 429 || e.$retryable !== undefined) return 'retryable';
  if (TERMINAL_NAMES.has(name)) return 'terminal';
  if (TRANSIENT_NAMES.has(name) || e.$fault === 'server' || (status !== undefined && status >= 500)) {
    return 'retryable';
  }
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return 'retryable';
  // Some layers wrap the socket error that caused them.
  if (e.cause !== undefined && depth < MAX_CAUSE_DEPTH) return classifyAwsError(e.cause, depth + 1);
  return 'unknown';
}

/** What may be logged or audited about an error: never the request or response objects the SDK attaches. */
export interface ErrorSummary {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly httpStatusCode?: number;
  readonly requestId?: string;
  readonly attempts?: number;
}

/** Extracts name, message and `$metadata` from any thrown value. */
export function summarizeError(err: unknown): ErrorSummary {
  const e = asErrorLike(err);
  if (!e) return { name: typeof err, message: String(err) };
  const meta = e.$metadata;
  return {
    name: typeof e.name === 'string' ? e.name : 'Error',
    message: typeof e.message === 'string' ? e.message : '',
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    ...(typeof meta?.httpStatusCode === 'number' ? { httpStatusCode: meta.httpStatusCode } : {}),
    ...(typeof meta?.requestId === 'string' ? { requestId: meta.requestId } : {}),
    ...(typeof meta?.attempts === 'number' ? { attempts: meta.attempts } : {}),
  };
}

/** `Name: message` without a final period (AWS messages often have one), for composing sentences. */
export function describeError(err: unknown): string {
  const { name, message } = summarizeError(err);
  const text = message.trim().replace(/\.+$/, '');
  return text ? `${name}: ${text}` : name;
}

/**
 * The error answered the SDK's second or later attempt. The attempt before may have timed out after the
 * service had accepted it, so a conflict can be the watchdog's own call taking effect: a stop already stopping,
 * a deployment already started. Adapters report such a conflict as ambiguous rather than as someone else's.
 */
export function answeredARetry(err: unknown): boolean {
  return (summarizeError(err).attempts ?? 1) > 1;
}

/**
 * The error a failed mutating call (stop, redeploy) throws: terminal refusals become TargetInvalidError (audited
 * as `target-invalid`), transient failures RetryableError (Lambda retries the event); conflicts and anything
 * unknown escape unchanged for the caller to sort out. `classify` lets a platform adjust the classes
 * (Lambda's ResourceConflictException is transient).
 */
export function actionError(
  err: unknown,
  call: string,
  classify: (err: unknown) => AwsErrorClass = classifyAwsError,
): unknown {
  switch (classify(err)) {
    case 'terminal':
      return new TargetInvalidError(`${call} was refused: ${describeError(err)}`, { cause: err });
    case 'retryable':
      return new RetryableError(`${call} failed: ${describeError(err)}`, { cause: err });
    case 'conflict':
    case 'unknown':
      return err;
  }
}
