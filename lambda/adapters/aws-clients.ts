import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient, type ECSClientConfig } from '@aws-sdk/client-ecs';
import { SNSClient } from '@aws-sdk/client-sns';
import type { Client, MetadataBearer } from '@smithy/types';

/** The SDK clients the Lambdas use, created once per container. */
export interface AwsClients {
  readonly dynamodb: DynamoDBClient;
  readonly ecs: ECSClient;
  readonly sns: SNSClient;
  readonly cloudwatch: CloudWatchClient;
  readonly codedeploy: CodeDeployClient;
  readonly codepipeline: CodePipelineClient;
}

/** A client every watchdog has (an AwsClients key), or one a target kind brings (`lambda`, `appconfig`). */
export type AwsClientName = keyof AwsClients | (string & {});

/**
 * Any of the clients, seen through the SDK's common client shape: the union of the concrete clients has
 * no callable `middlewareStack.add`, this has.
 */
export type ConfigurableAwsClient = Client<object, MetadataBearer, unknown>;

/** Static credentials or a provider, as every SDK client accepts them. */
export type AwsCredentials = NonNullable<ECSClientConfig['credentials']>;

export interface CreateAwsClientsOptions {
  /** @default - the SDK's default chain (`AWS_REGION` in Lambda) */
  readonly region?: string;
  /** Endpoint overrides; the simulator points DynamoDB at an embedded dynalite. @default - the AWS endpoints */
  readonly endpoint?: { readonly dynamodb?: string };
  /** @default - the SDK's default credential chain (the function's role in Lambda) */
  readonly credentials?: AwsCredentials;
  /**
   * Called once per client after it is created, e.g. to add a middleware (the simulator intercepts calls).
   * `name` is an AwsClients key, or a target kind's own client (`lambda`, `appconfig`: createClientFactory).
   */
  readonly configure?: (client: ConfigurableAwsClient, name: AwsClientName) => void;
}

/**
 * Retry and timeout settings shared by every client. Three attempts with the standard (token-bucket, jittered)
 * strategy absorb short throttling bursts; past that the adapter throws `RetryableError` and Lambda's own retry
 * takes over, so one slow dependency cannot eat a whole invocation. Worst case per call is
 * 3 × (1 s connect + 5 s request) plus backoff: the functions' timeout must allow for that.
 */
export const AWS_CLIENT_DEFAULTS = {
  retryMode: 'standard',
  maxAttempts: 3,
  connectionTimeoutMs: 1_000,
  requestTimeoutMs: 5_000,
} as const;

/** The explicit retry and timeout settings every SDK client of the watchdog is created with. */
export function awsClientSettings() {
  return {
    retryMode: AWS_CLIENT_DEFAULTS.retryMode,
    maxAttempts: AWS_CLIENT_DEFAULTS.maxAttempts,
    requestHandler: {
      connectionTimeout: AWS_CLIENT_DEFAULTS.connectionTimeoutMs,
      requestTimeout: AWS_CLIENT_DEFAULTS.requestTimeoutMs,
      // Without this the handler only logs a warning when the request timeout passes and keeps waiting.
      throwOnRequestTimeout: true,
    },
  };
}

/**
 * Creates every client with the same explicit retry and timeout settings (docs/architecture.md, "AWS
 * behaviour it relies on").
 */
export function createAwsClients(options: CreateAwsClientsOptions = {}): AwsClients {
  const shared = () => ({ region: options.region, credentials: options.credentials, ...awsClientSettings() });
  const clients: AwsClients = {
    dynamodb: new DynamoDBClient({ ...shared(), endpoint: options.endpoint?.dynamodb }),
    ecs: new ECSClient(shared()),
    sns: new SNSClient(shared()),
    cloudwatch: new CloudWatchClient(shared()),
    codedeploy: new CodeDeployClient(shared()),
    codepipeline: new CodePipelineClient(shared()),
  };
  if (options.configure) {
    for (const name of Object.keys(clients) as (keyof AwsClients)[]) options.configure(clients[name], name);
  }
  return clients;
}

/**
 * Creates the SDK clients a target kind brings (lambda/kinds: `lambda`, `appconfig`) with the same settings and
 * hook as createAwsClients, once per name: the factory a kind's `KindEnv.client` is.
 */
export function createClientFactory(
  options: CreateAwsClientsOptions = {},
): <C extends object>(name: string, make: (settings: Record<string, unknown>) => C) => C {
  const made = new Map<string, object>();
  return <C extends object>(name: string, make: (settings: Record<string, unknown>) => C): C => {
    const existing = made.get(name);
    if (existing) return existing as C;
    const client = make({ region: options.region, credentials: options.credentials, ...awsClientSettings() });
    options.configure?.(client as unknown as ConfigurableAwsClient, name);
    made.set(name, client);
    return client;
  };
}
