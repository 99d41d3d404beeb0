import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { OperatorClient, StackLocation } from '../cli/operator-client';
import { AWS_CLIENT_DEFAULTS } from './aws-clients';
import { regionOfFunctionUrl, SignedOperatorClient } from './operator-http-client';
import { findOperatorEndpoint } from './stack-outputs';

export interface ConnectOptions {
  /** @default - the SDK's default chain, with `location.profile` when given */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** @default - a client for `location.region` (or the SDK's default region) with those credentials */
  readonly cloudFormation?: CloudFormationClient;
}

/**
 * Connects the CLI to a deployed watchdog: finds the stack's operator Function URL through CloudFormation,
 * then returns a client that signs each request with the same credentials. Signs in the Function URL's own
 * region, which is the stack's.
 */
export async function connectToStack(
  location: StackLocation,
  options: ConnectOptions = {},
): Promise<SignedOperatorClient & OperatorClient> {
  const credentials =
    options.credentials ??
    defaultProvider(location.profile !== undefined ? { profile: location.profile } : {});
  const cloudFormation =
    options.cloudFormation ??
    new CloudFormationClient({
      region: location.region,
      profile: location.profile,
      credentials,
      retryMode: AWS_CLIENT_DEFAULTS.retryMode,
      maxAttempts: AWS_CLIENT_DEFAULTS.maxAttempts,
    });
  const endpoint = await findOperatorEndpoint(cloudFormation, location.stackName);
  return new SignedOperatorClient({
    url: endpoint.url,
    region: regionOfFunctionUrl(endpoint.url) ?? endpoint.region,
    credentials,
    ...(endpoint.functionName !== undefined ? { functionName: endpoint.functionName } : {}),
  });
}
