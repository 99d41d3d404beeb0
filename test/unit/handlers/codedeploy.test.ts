import {
  BatchGetDeploymentsCommand,
  CodeDeployClient,
  CreateDeploymentCommand,
  GetDeploymentGroupCommand,
  ListDeploymentsCommand,
  StopDeploymentCommand,
  type DeploymentInfo,
  type RevisionLocation,
} from '@aws-sdk/client-codedeploy';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { DEFAULT_POLICY, ENV, KEY, type RuntimeConfig } from '../../../lambda/contract';
import { DynamoDbStateStore, putRuntimeConfig } from '../../../lambda/adapters/dynamodb-state-store';
import { alarmEvent, fixtureEvent } from '../../support/events';
import { startDynalite, type TestDynalite } from '../../support/dynalite';

/**
 * CodeDeploy end to end through the real handler modules: SDK mocked by a small stateful CodeDeploy, the
 * state table on dynalite. Covers both acting paths and a lost SUCCESS event caught by the sweep.
 */
const codedeploy = mockClient(CodeDeployClient);
const cloudwatch = mockClient(CloudWatchClient);
const sns = mockClient(SNSClient);
type Handler = (event: unknown, context: { awsRequestId: string }) => Promise<void>;
let db: TestDynalite;
let onAlarm: Handler, onDeployment: Handler, onSweep: Handler;

const rev = (commitId: string): RevisionLocation => ({
  revisionType: 'GitHub',
  gitHubLocation: { repository: 'payments', commitId },
});
const config: RuntimeConfig = {
  schemaVersion: 1,
  account: '123456789012',
  region: 'us-east-1',
  maxEventAgeMinutes: 60,
  sweepIntervalMinutes: 5,
  targets: [
    {
      id: 'payments',
      type: 'codedeploy',
      application: 'payments',
      deploymentGroup: 'payments-prod',
      alarms: ['payments-errors'],
      policy: { ...DEFAULT_POLICY },
    },
  ],
};

/** Just enough CodeDeploy: deployments by id, and the group's last successful / attempted ones. */
class FakeCodeDeploy {
  deployments = new Map<string, DeploymentInfo>();
  private seq = 0;
  add(
    status: DeploymentInfo['status'],
    revision: RevisionLocation,
    createdMsAgo: number,
    creator: DeploymentInfo['creator'] = 'user',
  ): string {
    const id = `d-${String(++this.seq).padStart(9, '0')}`;
    this.deployments.set(id, {
      deploymentId: id,
      applicationName: 'payments',
      deploymentGroupName: 'payments-prod',
      status,
      revision,
      creator,
      createTime: new Date(Date.now() - createdMsAgo),
    });
    return id;
  }
  finish(id: string, status: 'Succeeded' | 'Failed' | 'Stopped'): void {
    const d = this.deployments.get(id)!;
    this.deployments.set(id, { ...d, status, completeTime: new Date() });
  }
  private latest(filter: (d: DeploymentInfo) => boolean) {
    return [...this.deployments.values()]
      .filter(filter)
      .sort((a, b) => b.createTime!.getTime() - a.createTime!.getTime())[0];
  }
  install() {
    codedeploy.on(GetDeploymentGroupCommand).callsFake(() => {
      const ok = this.latest((d) => d.status === 'Succeeded');
      const attempted = this.latest(() => true);
      const info = (d?: DeploymentInfo) =>
        d && {
          deploymentId: d.deploymentId,
          status: d.status,
          createTime: d.createTime,
          endTime: d.completeTime,
        };
      return {
        deploymentGroupInfo: {
          applicationName: 'payments',
          deploymentGroupName: 'payments-prod',
          lastSuccessfulDeployment: info(ok),
          lastAttemptedDeployment: info(attempted),
        },
      };
    });
    codedeploy.on(ListDeploymentsCommand).callsFake((input: { includeOnlyStatuses?: string[] }) => ({
      deployments: [...this.deployments.values()]
        .filter((d) => !input.includeOnlyStatuses || input.includeOnlyStatuses.includes(d.status!))
        .map((d) => d.deploymentId),
    }));
    codedeploy.on(BatchGetDeploymentsCommand).callsFake((input: { deploymentIds: string[] }) => ({
      deploymentsInfo: input.deploymentIds.map((id) => this.deployments.get(id)).filter(Boolean),
    }));
    codedeploy.on(CreateDeploymentCommand).callsFake((input: { revision: RevisionLocation }) => ({
      deploymentId: this.add('InProgress', input.revision, 0),
    }));
    codedeploy.on(StopDeploymentCommand).callsFake((input: { deploymentId: string }) => {
      this.finish(input.deploymentId, 'Stopped');
      this.add('InProgress', rev('r7'), 0, 'codeDeployRollback');
      return { status: 'Pending' };
    });
  }
}

function codeDeployEvent(deploymentId: string, state: string) {
  const e = fixtureEvent('codedeploy-deployment-state-change');
  e.time = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  e.resources = [
    'arn:aws:codedeploy:us-east-1:123456789012:application:payments',
    'arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:payments/payments-prod',
  ];
  Object.assign(e.detail, { application: 'payments', deploymentGroup: 'payments-prod', deploymentId, state });
  return e;
}

let world: FakeCodeDeploy;
let request = 0;
const ctx = () => ({ awsRequestId: `req-${++request}` });

beforeAll(async () => {
  db = await startDynalite();
  Object.assign(process.env, {
    [ENV.tableName]: db.tableName,
    [ENV.topicArn]: 'arn:aws:sns:us-east-1:123456789012:watchdog',
    AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  ({ handler: onAlarm } = require('../../../lambda/handlers/on-alarm'));
  ({ handler: onDeployment } = require('../../../lambda/handlers/on-deployment'));
  ({ handler: onSweep } = require('../../../lambda/handlers/on-sweep'));
});

afterAll(async () => {
  await db.stop();
  codedeploy.restore();
  cloudwatch.restore();
  sns.restore();
});

beforeEach(async () => {
  codedeploy.reset();
  cloudwatch.reset();
  sns.reset();
  await db.client.send(
    new (await import('@aws-sdk/client-dynamodb')).DeleteItemCommand({
      TableName: db.tableName,
      Key: { pk: { S: KEY.target('payments').pk }, sk: { S: 'STATE' } },
    }),
  );
  await putRuntimeConfig(db.client, db.tableName, config);
  world = new FakeCodeDeploy();
  world.install();
  cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [], CompositeAlarms: [] });
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
});

const kinds = () =>
  sns.commandCalls(PublishCommand).map((c) => c.args[0].input.MessageAttributes?.kind?.StringValue);

it('stops an active bad deployment with CodeDeploy’s automatic rollback, once', async () => {
  world.add('Succeeded', rev('r7'), 86_400_000);
  const bad = world.add('InProgress', rev('r8'), 60_000);
  const alarm = alarmEvent('payments-errors', 'ALARM', new Date(Date.now() - 10_000));

  await onAlarm(alarm, ctx());
  await onAlarm(alarm, ctx());

  expect(codedeploy).toHaveReceivedCommandTimes(StopDeploymentCommand, 1);
  expect(codedeploy).toHaveReceivedCommandWith(StopDeploymentCommand, {
    deploymentId: bad,
    autoRollbackEnabled: true,
  });
  expect(codedeploy).toHaveReceivedCommandTimes(CreateDeploymentCommand, 0);
  expect(kinds()).toEqual(['rollback-started']);
});

it('redeploys the known-good revision exactly as deployed, and the sweep completes it when SUCCESS is lost', async () => {
  world.add('Succeeded', rev('r7'), 86_400_000);
  const bad = world.add('InProgress', rev('r8'), 6 * 60_000);
  await onDeployment(codeDeployEvent(bad, 'START'), ctx());
  world.finish(bad, 'Succeeded');
  await onDeployment(codeDeployEvent(bad, 'SUCCESS'), ctx());

  await onAlarm(alarmEvent('payments-errors', 'ALARM', new Date(Date.now() - 10_000)), ctx());

  expect(codedeploy).toHaveReceivedCommandTimes(CreateDeploymentCommand, 1);
  expect(codedeploy).toHaveReceivedCommandWith(CreateDeploymentCommand, {
    applicationName: 'payments',
    deploymentGroupName: 'payments-prod',
    revision: rev('r7'),
  });
  expect(codedeploy).toHaveReceivedCommandTimes(StopDeploymentCommand, 0);

  // Our rollback deployment succeeds, and its SUCCESS event is lost: only the sweep can see it.
  const ours = [...world.deployments.values()].find((d) => d.status === 'InProgress')!.deploymentId!;
  world.finish(ours, 'Succeeded');
  await onSweep({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} }, ctx());

  expect(kinds()).toEqual(['rollback-started', 'rollback-succeeded']);
  const store = new DynamoDbStateStore({ client: db.client, tableName: db.tableName });
  const state = (await store.loadTargets(['payments'])).targets.get('payments')!;
  expect(state.rollback).toBeUndefined();
  expect(codedeploy).toHaveReceivedCommandTimes(CreateDeploymentCommand, 1);
});
