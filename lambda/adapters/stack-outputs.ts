import { DescribeStacksCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { STACK_OUTPUT } from '../contract';
import { OperatorTransportError } from '../cli/operator-client';
import { classifyAwsError, describeError } from './aws-errors';

/** Where a deployed watchdog's operator function is, from its stack's outputs. */
export interface OperatorEndpoint {
  readonly stackName: string;
  /** The region the stack was looked up in. */
  readonly region: string;
  /** The Function URL (STACK_OUTPUT.operatorUrl). */
  readonly url: string;
  /** STACK_OUTPUT.operatorFunctionName, when the stack has it. */
  readonly functionName?: string;
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

function errorName(error: unknown): string {
  return isErrorWithName(error) ? error.name : '';
}

function isErrorWithName(error: unknown): error is { name: string; message?: unknown } {
  return (
    typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string'
  );
}

/** Turns a failed DescribeStacks into what the person at the terminal should do about it. */
function describeStacksFailure(error: unknown, stackName: string, region: string): OperatorTransportError {
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
  const kind = classifyAwsError(error);
  if (kind === 'retryable')
    return new OperatorTransportError(
      name.toLowerCase().includes('throttl') ? 'throttled' : 'unreachable',
      `cannot reach CloudFormation in ${region} (${describeError(error)}); try again in a moment`,
      cause,
    );
  return new OperatorTransportError(
    'aws',
    `reading the stack ${stackName} failed (${describeError(error)})`,
    cause,
  );
}

/**
 * Finds the operator function of the watchdog deployed as `stackName`, from the stack's outputs
 * (CloudFormation DescribeStacks). Every failure is an OperatorTransportError that says what to do.
 */
export async function findOperatorEndpoint(
  client: CloudFormationClient,
  stackName: string,
): Promise<OperatorEndpoint> {
  let region: string;
  try {
    region = await client.config.region();
  } catch (error) {
    throw new OperatorTransportError(
      'no-region',
      'no AWS region: set AWS_REGION, give your profile a region, or pass --region',
      { cause: error },
    );
  }
  let stack;
  try {
    const described = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    stack = described.Stacks?.[0];
  } catch (error) {
    throw describeStacksFailure(error, stackName, region);
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
  return { stackName, region, url, ...(functionName !== undefined ? { functionName } : {}) };
}
