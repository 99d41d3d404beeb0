import {
  ListServiceDeploymentsCommand,
  DescribeServicesCommand,
  ECSClient,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { DEFAULT_POLICY, ENV, REJECTED_SCOPE, type RuntimeConfig } from '../../../lambda/contract';
import { DynamoDbStateStore, putRuntimeConfig } from '../../../lambda/adapters/dynamodb-state-store';
import { alarmEvent } from '../../support/events';
import { startDynalite, type TestDynalite } from '../../support/dynalite';

/**
 * The acceptance test: a real-shaped ALARM event through the real alarm handler module (env wiring,
 * boundary, use case, adapters), with ECS and SNS mocked at the SDK and the state table on dynalite.
 */
const ecs = mockClient(ECSClient);
const sns = mockClient(SNSClient);
let db: TestDynalite;
let handler: (event: unknown, context: { awsRequestId: string }) => Promise<void>;

const config: RuntimeConfig = {
  schemaVersion: 1,
  account: '123456789012',
  region: 'us-east-1',
  maxEventAgeMinutes: 60,
  sweepIntervalMinutes: 5,
  targets: [
    {
      id: 'checkout',
      type: 'ecs-service',
      cluster: 'prod',
      service: 'checkout',
      alarms: ['checkout-5xx'],
      policy: { ...DEFAULT_POLICY },
    },
  ],
};
const started = new Date(Date.now() - 90_000);
const td = (rev: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/checkout:${rev}`;

beforeAll(async () => {
  db = await startDynalite();
  await putRuntimeConfig(db.client, db.tableName, config);
  Object.assign(process.env, {
    [ENV.tableName]: db.tableName,
    [ENV.topicArn]: 'arn:aws:sns:us-east-1:123456789012:watchdog',
    AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    POWERTOOLS_DEV: 'false',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  // Required only now: the module builds its clients from the environment at load time, as in Lambda.
  ({ handler } = require('../../../lambda/handlers/on-alarm'));
});

afterAll(async () => {
  await db.stop();
  ecs.restore();
  sns.restore();
});

beforeEach(() => {
  ecs.reset();
  sns.reset();
  ecs.on(DescribeServicesCommand).resolves({
    services: [
      {
        serviceName: 'checkout',
        status: 'ACTIVE',
        taskDefinition: td(42),
        deploymentController: { type: 'ECS' },
        deployments: [
          {
            id: 'ecs-svc/2',
            status: 'PRIMARY',
            taskDefinition: td(42),
            rolloutState: 'IN_PROGRESS',
            createdAt: started,
            updatedAt: started,
          },
          {
            id: 'ecs-svc/1',
            status: 'ACTIVE',
            taskDefinition: td(41),
            rolloutState: 'COMPLETED',
            createdAt: new Date(Date.now() - 86_400_000),
            updatedAt: new Date(Date.now() - 86_000_000),
          },
        ],
      },
    ],
    failures: [],
  });
  ecs.on(ListServiceDeploymentsCommand).resolves({
    serviceDeployments: [
      {
        serviceDeploymentArn: 'arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/checkout/abc',
        status: 'IN_PROGRESS',
        createdAt: started,
      },
    ],
  });
  ecs.on(StopServiceDeploymentCommand).resolves({
    serviceDeploymentArn: 'arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/checkout/abc',
  });
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
});

it('rolls back once on an ALARM event, and not again when the same event is delivered again', async () => {
  const event = alarmEvent('checkout-5xx', 'ALARM', new Date(Date.now() - 30_000));

  await handler(event, { awsRequestId: 'req-1' });

  expect(ecs).toHaveReceivedCommandTimes(StopServiceDeploymentCommand, 1);
  expect(ecs).toHaveReceivedCommandWith(StopServiceDeploymentCommand, {
    serviceDeploymentArn: 'arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/checkout/abc',
    stopType: 'ROLLBACK',
  });
  expect(ecs).toHaveReceivedCommandTimes(UpdateServiceCommand, 0);
  expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
  const published = sns.commandCalls(PublishCommand)[0].args[0].input;
  expect(published.MessageStructure).toBe('json');
  const message = JSON.parse((JSON.parse(published.Message!) as { default: string }).default);
  expect(message).toMatchObject({
    version: '1.0',
    source: 'custom',
    metadata: {
      threadId: 'checkout',
      additionalContext: {
        kind: 'rollback-started',
        from: 'checkout:42',
        to: 'checkout:41',
        trigger: 'checkout-5xx',
        reason: 'alarm',
      },
    },
  });

  ecs.resetHistory();
  sns.resetHistory();
  await handler({ ...event, id: 'another-envelope-same-transition' }, { awsRequestId: 'req-2' });

  expect(ecs).toHaveReceivedCommandTimes(StopServiceDeploymentCommand, 0);
  expect(ecs).toHaveReceivedCommandTimes(UpdateServiceCommand, 0);
  const store = new DynamoDbStateStore({ client: db.client, tableName: db.tableName });
  const decisions = (await store.listAudit('checkout')).flatMap((e) =>
    e.type === 'decision' ? [e.decision] : [],
  );
  expect(decisions.map((d) => [d.outcome, d.reason])).toEqual([
    ['rollback', 'alarm'],
    ['skip', 'duplicate'],
  ]);
});

it('RELIABILITY #20: rejects and audits a malformed event, or one from another account or region, without any AWS write', async () => {
  const broken = alarmEvent('checkout-5xx', 'ALARM', new Date());
  delete broken.detail.state;
  await handler(broken, { awsRequestId: 'req-3' });
  await handler(alarmEvent('checkout-5xx', 'ALARM', new Date(), { account: '999999999999' }), {
    awsRequestId: 'req-4',
  });
  // Same account, same alarm name, another region: another alarm, not ours to act on.
  await handler(alarmEvent('checkout-5xx', 'ALARM', new Date(), { region: 'eu-west-1' }), {
    awsRequestId: 'req-5',
  });

  expect(ecs).toHaveReceivedCommandTimes(StopServiceDeploymentCommand, 0);
  expect(ecs).toHaveReceivedCommandTimes(UpdateServiceCommand, 0);
  expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
  const store = new DynamoDbStateStore({ client: db.client, tableName: db.tableName });
  const rejected = await store.listAudit(REJECTED_SCOPE);
  expect(rejected.map((e) => e.type === 'rejected' && e.reason)).toEqual([
    'malformed',
    'foreign-account',
    'foreign-region',
  ]);
});
