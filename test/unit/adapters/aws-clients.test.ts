import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import {
  AWS_CLIENT_DEFAULTS,
  createAwsClients,
  type AwsClientName,
} from '../../../lambda/adapters/aws-clients';

interface ResolvedRetryConfig {
  maxAttempts: () => Promise<number>;
  region: () => Promise<string>;
  retryMode?: unknown;
}

const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' };

describe('createAwsClients', () => {
  it('gives every client the standard retry mode and three attempts', async () => {
    // Act
    const clients = createAwsClients({ region: 'us-east-1', credentials });

    // Assess
    const configs: ResolvedRetryConfig[] = [
      clients.dynamodb.config,
      clients.ecs.config,
      clients.sns.config,
      clients.cloudwatch.config,
      clients.codedeploy.config,
    ];
    for (const config of configs) {
      expect(await config.maxAttempts()).toBe(3);
      expect(await config.region()).toBe('us-east-1');
      expect(config.retryMode).toBe('standard');
    }
  });

  it('hands each client to configure once, by name', () => {
    // Prepare
    const seen: AwsClientName[] = [];

    // Act
    const clients = createAwsClients({
      region: 'us-east-1',
      credentials,
      configure: (_client, name) => seen.push(name),
    });

    // Assess
    expect(seen.sort()).toEqual(['cloudwatch', 'codedeploy', 'codepipeline', 'dynamodb', 'ecs', 'sns']);
    expect(Object.keys(clients).sort()).toEqual(seen);
  });

  it('sends DynamoDB calls to the endpoint override with the timeouts set, and gives up after three attempts', async () => {
    // Prepare: nothing listens on port 1, so every attempt is refused at once.
    const { dynamodb } = createAwsClients({
      region: 'us-east-1',
      credentials,
      endpoint: { dynamodb: 'http://127.0.0.1:1' },
    });

    // Act
    const error: unknown = await dynamodb.send(new ListTablesCommand({})).catch((e: unknown) => e);

    // Assess: under Jest the socket error comes from another realm, fails the SDK's `instanceof Error` and is
    // wrapped, so only its message survives here (plain Node keeps `code: 'ECONNREFUSED'`).
    expect(error).toMatchObject({
      message: expect.stringContaining('ECONNREFUSED'),
      $metadata: { attempts: 3 },
    });
    const handler = dynamodb.config.requestHandler as unknown as {
      httpHandlerConfigs(): Record<string, unknown>;
    };
    expect(handler.httpHandlerConfigs()).toMatchObject({
      connectionTimeout: AWS_CLIENT_DEFAULTS.connectionTimeoutMs,
      requestTimeout: AWS_CLIENT_DEFAULTS.requestTimeoutMs,
      throwOnRequestTimeout: true,
    });
  });
});
