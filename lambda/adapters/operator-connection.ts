import { homedir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { loadSharedConfigFiles } from '@smithy/core/config';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import {
  isReadCommand,
  OperatorTransportError,
  type OperatorClient,
  type OperatorRequest,
  type OperatorResponse,
  type StackLocation,
} from '../contract';
import { classifyAwsError, describeError } from './aws-errors';
import {
  awsCallDeadlineMs,
  CLI_NETWORK,
  DeadlineExceededError,
  EndpointRecorder,
  sdkClientSettings,
  withDeadline,
  type CliNetwork,
} from './cli-network';
import { regionOfFunctionUrl, SignedOperatorClient } from './operator-http-client';
import { findOperatorEndpoint, NETWORK_HINT, NO_CREDENTIALS_HINT, regionOf } from './stack-outputs';

export interface ConnectOptions {
  /** @default - the SDK's default chain, with `location.profile` when given */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** @default - a client for `location.region` (or the SDK's default region) with those credentials */
  readonly cloudFormation?: CloudFormationClient;
  /** Timeouts and attempts of every call. @default CLI_NETWORK */
  readonly network?: CliNetwork;
  /** Where AWS_PROFILE and the shared config file locations are read. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The shared config and credentials files, where the AWS CLI and SDKs look for them. */
function sharedFiles(env: Readonly<Record<string, string | undefined>>): {
  config: string;
  credentials: string;
} {
  const home = env.HOME ?? homedir();
  return {
    config: env.AWS_CONFIG_FILE ?? join(home, '.aws', 'config'),
    credentials: env.AWS_SHARED_CREDENTIALS_FILE ?? join(home, '.aws', 'credentials'),
  };
}

/**
 * Fails fast, naming the files, when `profile` is in neither shared file: the SDK would only report that no
 * provider had credentials, as if the profile were there and empty.
 */
async function requireProfile(
  profile: string,
  source: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<void> {
  const files = sharedFiles(env);
  const { configFile, credentialsFile } = await loadSharedConfigFiles({
    filepath: files.credentials,
    configFilepath: files.config,
    ignoreCache: true,
  });
  if (Object.hasOwn(configFile, profile) || Object.hasOwn(credentialsFile, profile)) return;
  // The loader keeps `[sso-session x]` and `[services x]` sections as `sso-session.x`, `services.x`.
  const sections = /^(sso-session|services)\./;
  const known = [...new Set([...Object.keys(configFile), ...Object.keys(credentialsFile)])]
    .filter((name) => !sections.test(name))
    .sort();
  throw new OperatorTransportError(
    'unknown-profile',
    `the AWS profile ${profile} (${source}) does not exist: it is in neither ${files.config} nor ${files.credentials}` +
      ` (profiles there: ${known.length > 0 ? known.join(', ') : 'none'}); check the name, or create it with ` +
      `\`aws configure --profile ${profile}\` or \`aws configure sso --profile ${profile}\``,
  );
}

/** Turns a failure of the credential chain into what to do about it, naming the endpoint that failed. */
function credentialsFailure(
  error: unknown,
  profile: string | undefined,
  endpoint: string | undefined,
): OperatorTransportError {
  const of = profile === undefined ? '' : ` for profile ${profile}`;
  // Only the STS clients of the chain carry the recorder (IAM Identity Center takes no plugins).
  const from =
    endpoint !== undefined
      ? `STS at ${endpoint}`
      : 'the credential provider (IAM Identity Center, credential_process or instance metadata)';
  const detail = describeError(error).replace(/@smithy\/[\w-]+ - \[ERROR\] /, '');
  const { name, $metadata } = (error ?? {}) as { name?: unknown; $metadata?: { attempts?: unknown } };
  const tries =
    typeof $metadata?.attempts === 'number' && $metadata.attempts > 1
      ? `, ${$metadata.attempts} attempts`
      : '';
  if (name === 'TimeoutError')
    return new OperatorTransportError(
      'unreachable',
      `no answer from ${from} while getting AWS credentials${of} (${detail}${tries}): ${NETWORK_HINT}`,
      { cause: error },
    );
  if (classifyAwsError(error) === 'retryable')
    return new OperatorTransportError(
      'unreachable',
      `cannot reach ${from} to get AWS credentials${of} (${detail}${tries}): ${NETWORK_HINT}`,
      { cause: error },
    );
  const hint =
    profile === undefined
      ? NO_CREDENTIALS_HINT
      : `run \`aws sso login --profile ${profile}\` if it signs in with IAM Identity Center, or check it with ` +
        `\`aws sts get-caller-identity --profile ${profile}\``;
  return new OperatorTransportError('no-credentials', `no AWS credentials found${of}: ${hint} (${detail})`, {
    cause: error,
  });
}

/**
 * Connects the CLI to a deployed watchdog: checks the profile, resolves the region and the credentials, finds
 * the stack's operator Function URL through CloudFormation, then returns a client that signs each request with
 * the same credentials, in the Function URL's own region (the stack's). Every network step has the timeouts
 * and attempts of `network` and a deadline, so a silent endpoint fails within worstCaseWaitMs() with a message
 * naming it.
 */
export async function connectToStack(
  location: StackLocation,
  options: ConnectOptions = {},
): Promise<OperatorClient> {
  const network = options.network ?? CLI_NETWORK;
  const env = options.env ?? process.env;
  const deadlineMs = awsCallDeadlineMs(network);
  const envProfile = env.AWS_PROFILE === '' ? undefined : env.AWS_PROFILE;
  const profile = location.profile ?? envProfile;
  if (profile !== undefined && options.credentials === undefined)
    await requireProfile(profile, location.profile !== undefined ? '--profile' : 'AWS_PROFILE', env);

  const credentialEndpoints = new EndpointRecorder();
  const credentials =
    options.credentials ??
    defaultProvider({
      ...(profile !== undefined ? { profile } : {}),
      // The STS, IAM Identity Center and instance-metadata calls behind the profile, with the same limits.
      clientConfig: sdkClientSettings(network),
      clientPlugins: [credentialEndpoints.plugin],
      timeout: network.connectionTimeoutMs,
      maxRetries: network.maxAttempts - 1,
    });
  const cloudFormation =
    options.cloudFormation ??
    new CloudFormationClient({
      region: location.region,
      profile: location.profile,
      credentials,
      ...sdkClientSettings(network),
    });
  const cloudFormationEndpoints = new EndpointRecorder();
  cloudFormation.middlewareStack.use(cloudFormationEndpoints.plugin);

  const region = await regionOf(cloudFormation);
  if (typeof credentials === 'function') {
    // Resolved here, on its own deadline, so a failure names the credential endpoint rather than
    // CloudFormation; the provider is memoized, CloudFormation and the operator calls reuse the result.
    try {
      await withDeadline(
        credentials({ callerClientConfig: { region: () => Promise.resolve(region), profile } }),
        deadlineMs,
        () => new DeadlineExceededError(`getting credentials took longer than ${deadlineMs / 1000}s`),
      );
    } catch (error) {
      throw credentialsFailure(error, profile, credentialEndpoints.endpoint);
    }
  }
  const endpoint = await findOperatorEndpoint(cloudFormation, location.stackName, {
    deadlineMs,
    endpoint: () => cloudFormationEndpoints.endpoint,
  });
  const client = (url: string, functionName: string | undefined) =>
    new SignedOperatorClient({
      url,
      region: regionOfFunctionUrl(url) ?? endpoint.region,
      credentials,
      ...(functionName !== undefined ? { functionName } : {}),
      network,
    });
  const operator = client(endpoint.url, endpoint.functionName);
  return endpoint.read === undefined
    ? operator
    : new ReadRoutingOperatorClient(operator, client(endpoint.read.url, endpoint.read.functionName));
}

/**
 * Sends `status` and `history` to the read-only operator URL and every other command to the operator URL, so
 * someone granted only the read-only URL can look, and nobody needs the operator URL just to look.
 */
export class ReadRoutingOperatorClient implements OperatorClient {
  constructor(
    readonly operator: OperatorClient,
    readonly reader: OperatorClient,
  ) {}

  send(request: OperatorRequest): Promise<OperatorResponse> {
    return (isReadCommand(request.command) ? this.reader : this.operator).send(request);
  }
}
