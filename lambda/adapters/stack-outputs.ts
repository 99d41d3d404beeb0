import { DescribeStacksCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { OperatorTransportError, STACK_OUTPUT } from '../contract';
import { classifyAwsError, describeError } from './aws-errors';
import { DeadlineExceededError, withDeadline } from './cli-network';

/** Where a deployed watchdog's operator function is, from its stack's outputs. */
export interface OperatorEndpoint {
  readonly stackName: string;
  /** The region the stack was looked up in. */
  readonly region: string;
  /** The Function URL (STACK_OUTPUT.operatorUrl). */
  readonly url: string;
  /** STACK_OUTPUT.operatorFunctionName, when the stack has it. */
  readonly functionName?: string;
  /**
   * The read-only operator function (STACK_OUTPUT.operatorReadUrl, operatorReadFunctionName), when the stack
   * has it (stacks deployed before it existed do not): `status` and `history` go there.
   */
  readonly read?: { readonly url: string; readonly functionName?: string };
}

const CREDENTIAL_ERRORS: ReadonlySet<string> = new Set(['CredentialsProviderError', 'TokenProviderError']);
const REJECTED_CREDENTIALS: ReadonlySet<string> = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
]);
const ACCESS_DENIED: ReadonlySet<string> = new Set(['AccessDenied', 'AccessDeniedException']);

/** The fix for "no credentials", said the same way wherever credentials are missing. */
export const NO_CREDENTIALS_HINT = 'set AWS_PROFILE or run `aws sso login` (or pass --profile)';

/** What to check when an AWS endpoint cannot be reached or does not answer. */
export const NETWORK_HINT = 'check your network connection (VPN, firewall)';

/** The fix for a missing region, said the same way wherever it is missing. */
export const NO_REGION_MESSAGE =
  'no AWS region: pass --region, set AWS_REGION (or AWS_DEFAULT_REGION), or give your profile a region';

/** How findOperatorEndpoint bounds and describes its call. */
export interface FindOptions {
  /** The whole DescribeStacks call, retries included. @default - the client's own timeouts only */
  readonly deadlineMs?: number;
  /** The endpoint the client sent to (EndpointRecorder), named when it fails. */
  readonly endpoint?: () => string | undefined;
}

function errorName(error: unknown): string {
  return isErrorWithName(error) ? error.name : '';
}

function isErrorWithName(error: unknown): error is { name: string; message?: unknown } {
  return (
    typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string'
  );
}

/** Turns a failed DescribeStacks into what the person at the terminal should do about it. */
function describeStacksFailure(
  error: unknown,
  stackName: string,
  region: string,
  endpoint: string | undefined,
): OperatorTransportError {
  if (error instanceof OperatorTransportError) return error;
  const name = errorName(error);
  const message = isErrorWithName(error) && typeof error.message === 'string' ? error.message : '';
  const cause = { cause: error };
  if (CREDENTIAL_ERRORS.has(name) || /could not load credentials/i.test(message))
    return new OperatorTransportError(
      'no-credentials',
      `no AWS credentials found: ${NO_CREDENTIALS_HINT} (${describeError(error)})`,
      cause,
    );
  if (REJECTED_CREDENTIALS.has(name))
    return new OperatorTransportError(
      'no-credentials',
      `AWS rejected your credentials: refresh them (\`aws sso login\`) or check AWS_PROFILE (${describeError(error)})`,
      cause,
    );
  if (name === 'ValidationError' && /does not exist/i.test(message))
    return new OperatorTransportError(
      'stack-not-found',
      `stack ${stackName} not found in ${region}: deploy it with \`npx cdk deploy\` or pass --stack (and --region if it lives elsewhere)`,
      cause,
    );
  if (ACCESS_DENIED.has(name))
    return new OperatorTransportError(
      'forbidden',
      `you are not allowed to read the stack ${stackName}: needs cloudformation:DescribeStacks (${describeError(error)})`,
      cause,
    );
  const at = `CloudFormation ${endpoint === undefined ? '' : `at ${endpoint} `}in ${region}`;
  const metadata = (error as { $metadata?: { attempts?: unknown; httpStatusCode?: unknown } } | undefined)
    ?.$metadata;
  const tries =
    typeof metadata?.attempts === 'number' && metadata.attempts > 1 ? `, ${metadata.attempts} attempts` : '';
  // The SDK prefixes its timeout messages with the package that threw them.
  const detail = describeError(error).replace(/@smithy\/[\w-]+ - \[ERROR\] /, '');
  const network = `${NETWORK_HINT}, and that ${region} is the stack's region (--region)`;
  if (name === 'TimeoutError')
    return new OperatorTransportError(
      'unreachable',
      `no answer from ${at} (${detail}${tries}): ${network}`,
      cause,
    );
  const kind = classifyAwsError(error);
  if (kind === 'retryable' && name.toLowerCase().includes('throttl'))
    return new OperatorTransportError(
      'throttled',
      `${at} is throttling requests (${detail}${tries}); try again in a moment`,
      cause,
    );
  if (kind === 'retryable' && typeof metadata?.httpStatusCode === 'number')
    return new OperatorTransportError(
      'aws',
      `${at} failed (${detail}${tries}); try again in a moment`,
      cause,
    );
  if (kind === 'retryable')
    return new OperatorTransportError(
      'unreachable',
      `cannot reach ${at} (${detail}${tries}): ${network}`,
      cause,
    );
  return new OperatorTransportError(
    'aws',
    `reading the stack ${stackName} failed (${describeError(error)})`,
    cause,
  );
}

/** The region a client calls; a missing one is an OperatorTransportError that says how to set it. */
export async function regionOf(client: CloudFormationClient): Promise<string> {
  try {
    return await client.config.region();
  } catch (error) {
    throw new OperatorTransportError('no-region', NO_REGION_MESSAGE, { cause: error });
  }
}

/**
 * Finds the operator function of the watchdog deployed as `stackName`, from the stack's outputs
 * (CloudFormation DescribeStacks). Every failure is an OperatorTransportError that says what to do.
 */
export async function findOperatorEndpoint(
  client: CloudFormationClient,
  stackName: string,
  options: FindOptions = {},
): Promise<OperatorEndpoint> {
  const region = await regionOf(client);
  let stack;
  try {
    const controller = new AbortController();
    const call = client.send(new DescribeStacksCommand({ StackName: stackName }), {
      abortSignal: controller.signal,
    });
    const described =
      options.deadlineMs === undefined
        ? await call
        : await withDeadline(
            call,
            options.deadlineMs,
            () => new DeadlineExceededError(`DescribeStacks took longer than ${options.deadlineMs! / 1000}s`),
            controller,
          );
    stack = described.Stacks?.[0];
  } catch (error) {
    throw describeStacksFailure(error, stackName, region, options.endpoint?.());
  }
  if (stack === undefined)
    throw new OperatorTransportError(
      'stack-not-found',
      `stack ${stackName} not found in ${region}: deploy it with \`npx cdk deploy\` or pass --stack (and --region if it lives elsewhere)`,
    );
  const output = (key: string) => {
    const value = stack.Outputs?.find((o) => o.OutputKey === key)?.OutputValue;
    return value === undefined || value === '' ? undefined : value;
  };
  const url = output(STACK_OUTPUT.operatorUrl);
  if (url === undefined)
    throw new OperatorTransportError(
      'not-a-watchdog-stack',
      `stack ${stackName} in ${region} (${stack.StackStatus ?? 'unknown status'}) has no ${STACK_OUTPUT.operatorUrl} output: ` +
        'it is not a Rollback Watchdog stack, or it was deployed before the operator function existed (redeploy it with `npx cdk deploy`), or it is still being created',
    );
  const functionName = output(STACK_OUTPUT.operatorFunctionName);
  const readUrl = output(STACK_OUTPUT.operatorReadUrl);
  const readFunctionName = output(STACK_OUTPUT.operatorReadFunctionName);
  return {
    stackName,
    region,
    url,
    ...(functionName !== undefined ? { functionName } : {}),
    ...(readUrl !== undefined
      ? {
          read: {
            url: readUrl,
            ...(readFunctionName !== undefined ? { functionName: readFunctionName } : {}),
          },
        }
      : {}),
  };
}
